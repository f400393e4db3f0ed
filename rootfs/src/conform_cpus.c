// SPDX-License-Identifier: MIT
// The CPUs as programs see them in /proc and /sys (issue 11): /proc/interrupts, cpuN directories and topology, Cpus_allowed, stat's processor.
#define _GNU_SOURCE		/* sched_setaffinity, CPU_SET, sched_getcpu */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "checks.h"
#include "cpus.h"

/*
 * Every check compares two views of the same CPUs that Linux keeps
 * consistent, so it passes on Linux too (the build machine runs it):
 *
 *   interrupts-format  /proc/interrupts: a header of one "CPUn" column per
 *                    online CPU (the numbers of the online list), then lines
 *                    "LABEL:" with one count per CPU (ERR and MIS: one
 *                    total); NMI, LOC and RES are there.
 *   interrupts-loc   with a spinner pinned to every CPU for 200 ms, every
 *                    CPU's LOC (local timer) count grows.
 *   interrupts-res   a child pinned to another CPU, woken 40 times through a
 *                    pipe while that CPU is idle and 40 times while a spinner
 *                    runs there: the CPUs' RES (+ CAL: Linux may wake a
 *                    CPU by a function-call IPI) counts grow.
 *   stat-intr        /proc/stat's "intr" total is at least the LOC counts
 *                    read before it.
 *   cpu-dirs         /sys/devices/system/cpu/cpuN: one per present CPU, all
 *                    online here; sysconf(_SC_NPROCESSORS_CONF/ONLN) agree;
 *                    cpuN/online (N > 0) reads "1"; kernel_max and offline.
 *   topology         each cpuN/topology agrees with /proc/cpuinfo (physical
 *                    id, core id, siblings = CPUs in the package, cpu cores =
 *                    distinct cores there); the masks equal their lists; a
 *                    CPU is in its thread siblings, which are in its package.
 *   stat-processor   a child pinned to the last CPU: its sched_getcpu and
 *                    field 39 of /proc/PID/stat (and task/TID/stat) name it.
 *   cpus-allowed     /proc/PID/status's Cpus_allowed (hex, 32-bit comma
 *                    groups, sized to the possible CPUs) and
 *                    Cpus_allowed_list equal sched_getaffinity, for the full
 *                    mask and a narrowed one.
 *   task-dirs        a thread pinned to the last CPU: /proc/self/task lists
 *                    both threads; its task/TID/stat names its tid and CPU,
 *                    its status its Pid, Tgid and Cpus_allowed_list; the main
 *                    thread's keeps the full mask.
 */
#define LINE_MAX_LEN 4096
#define MAX_CPUS 64
#define SPIN_MS 200
#define WAKE_ROUNDS 40
#define CPU_DIR "/sys/devices/system/cpu"

static int ncpus;             /* online CPUs, from /sys's online list */
static uint64_t online_mask;  /* and which they are */

/* ------------------------------------------------------------- helpers */

/* A Linux CPU list ("0-3,5\n") as a mask; -1 if malformed or past MAX_CPUS. */
static int parse_list(const char *s, uint64_t *mask)
{
	*mask = 0;
	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;
		if (end == s || lo < 0 || lo >= MAX_CPUS)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s || hi < lo || hi >= MAX_CPUS)
				return -1;
		}
		for (long i = lo; i <= hi; i++)
			*mask |= 1ull << i;
		if (*end != ',' && *end != '\n' && *end)
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* Linux's "%*pb": hex in 32-bit groups from the top, the first holding
 * nbits % 32 bits, each zero-padded to its width. */
static void format_hex(char *buf, size_t cap, uint64_t mask, int nbits)
{
	int chunk = nbits % 32 ? nbits % 32 : 32;
	size_t len = 0;

	buf[0] = '\0';
	for (int low = (nbits + 31) / 32 * 32 - 32; low >= 0; low -= 32) {
		unsigned val = (unsigned)(mask >> low) & (unsigned)((1ull << chunk) - 1);
		len += (size_t)snprintf(buf + len, cap - len, "%s%0*x", len ? "," : "", (chunk + 3) / 4, val);
		chunk = 32;
	}
}

/* Read a small file's first line (without the newline) into buf; -1 if it cannot. */
static int read_line(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, (int)cap, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_list_file(const char *path, uint64_t *mask)
{
	char buf[512];

	if (read_line(path, buf, sizeof(buf)) < 0 || parse_list(buf, mask) < 0)
		return -1;
	return 0;
}

/* Let the caller run on every online CPU again. */
static void unpin(void)
{
	cpu_set_t all;

	CPU_ZERO(&all);
	for (int i = 0; i < MAX_CPUS; i++)
		if (online_mask >> i & 1)
			CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/* A child pinned to cpu that spins for ms milliseconds and exits 0. */
static pid_t spinner(int cpu, long ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (pin_to_cpu(cpu))
			_exit(2);
		long long end = now_ms() + ms; /* from the first moment on its CPU */
		while (now_ms() < end)
			;
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	if (pid > 0)
		wait_child(pid, 10000, &st);
}

/* ------------------------------------------------------------- /proc/interrupts */

/* One named line of /proc/interrupts: its per-CPU counts. */
struct irq_row {
	char label[16];
	int columns;
	unsigned long long count[MAX_CPUS];
};

/* The header's CPU numbers into cpu[] and each "LABEL:" line's counts
 * into rows (at most max_rows, *nrows of them); the number of header
 * columns, or -1 when the file cannot be opened. */
static int read_interrupts(int *cpu, struct irq_row *rows, int max_rows, int *nrows)
{
	static char line[LINE_MAX_LEN];
	FILE *f = fopen("/proc/interrupts", "r");
	int ncol = 0;

	*nrows = 0;
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f)) {
		for (char *p = strstr(line, "CPU"); p && ncol < MAX_CPUS; p = strstr(p + 3, "CPU"))
			cpu[ncol++] = atoi(p + 3);
	}
	while (fgets(line, sizeof(line), f) && *nrows < max_rows) {
		struct irq_row *r = &rows[*nrows];
		char *p = line, *colon = strchr(line, ':');
		if (!colon)
			continue;
		while (*p == ' ')
			p++;
		snprintf(r->label, sizeof(r->label), "%.*s", (int)(colon - p), p);
		r->columns = 0;
		for (p = colon + 1; r->columns < MAX_CPUS;) {
			char *end;
			while (*p == ' ')
				p++;
			if (!isdigit((unsigned char)*p))
				break;
			unsigned long long v = strtoull(p, &end, 10);
			if (*end != ' ' && *end != '\n' && *end)
				break; /* "2-edge": the hwirq, not a count */
			r->count[r->columns++] = v;
			p = end;
		}
		(*nrows)++;
	}
	fclose(f);
	return ncol;
}

static const struct irq_row *find_row(const struct irq_row *rows, int n, const char *label)
{
	for (int i = 0; i < n; i++)
		if (strcmp(rows[i].label, label) == 0)
			return &rows[i];
	return NULL;
}

static struct irq_row rows_a[64], rows_b[64];

static int check_interrupts_format(void)
{
	int cpu[MAX_CPUS], n, ncol = read_interrupts(cpu, rows_a, 64, &n), k = 0;

	if (ncol < 0)
		return fail("open /proc/interrupts: %s", errname(errno));
	if (ncol != ncpus)
		return fail("%d CPU columns, %d CPUs online", ncol, ncpus);
	for (int i = 0; i < MAX_CPUS; i++)
		if (online_mask >> i & 1 && cpu[k++] != i)
			return fail("column %d is CPU%d, want CPU%d", k - 1, cpu[k - 1], i);
	for (int i = 0; i < n; i++) {
		bool total = !strcmp(rows_a[i].label, "ERR") || !strcmp(rows_a[i].label, "MIS");
		if (rows_a[i].columns != (total ? 1 : ncpus))
			return fail("line \"%s\" has %d counts, want %d", rows_a[i].label, rows_a[i].columns,
				    total ? 1 : ncpus);
	}
	static const char *const need[] = { "NMI", "LOC", "RES", "SPU", "TLB", "ERR" };
	for (size_t i = 0; i < NELEMS(need); i++)
		if (!find_row(rows_a, n, need[i]))
			return fail("no %s line", need[i]);
	remark("%d CPUs, %d lines", ncol, n);
	return CHECK_OK;
}

/* The per-CPU counts of label now into *row; CHECK_OK or a failure. */
static int row_now(const char *label, struct irq_row *rows, struct irq_row *row)
{
	int cpu[MAX_CPUS], n;

	if (read_interrupts(cpu, rows, 64, &n) != ncpus)
		return fail("/proc/interrupts: not %d CPU columns", ncpus);
	const struct irq_row *r = find_row(rows, n, label);
	if (!r)
		return fail("no %s line", label);
	*row = *r;
	return CHECK_OK;
}

static int check_interrupts_loc(void)
{
	struct irq_row before, after;
	pid_t kids[MAX_CPUS];
	int k = 0;

	if (row_now("LOC", rows_a, &before))
		return CHECK_FAIL;
	for (int i = 0; i < MAX_CPUS; i++)
		if (online_mask >> i & 1)
			kids[k++] = spinner(i, SPIN_MS);
	for (int i = 0; i < k; i++)
		reap(kids[i]);
	if (row_now("LOC", rows_b, &after))
		return CHECK_FAIL;
	for (int i = 0; i < ncpus; i++)
		if (after.count[i] <= before.count[i])
			return fail("CPU column %d: LOC %llu before %d ms of spinning, %llu after", i,
				    before.count[i], SPIN_MS, after.count[i]);
	remark("LOC on column 0: %llu -> %llu", before.count[0], after.count[0]);
	return CHECK_OK;
}

static unsigned long long row_sum(const struct irq_row *r)
{
	unsigned long long s = 0;

	for (int i = 0; i < r->columns; i++)
		s += r->count[i];
	return s;
}

/* RES + CAL on every CPU. */
static int ipis_now(unsigned long long *sum)
{
	struct irq_row res, cal = { "", 0, { 0 } };

	if (row_now("RES", rows_a, &res))
		return CHECK_FAIL;
	row_now("CAL", rows_b, &cal); /* Linux's; Kestrel counts no such IPI */
	*sum = row_sum(&res) + row_sum(&cal);
	c_why[0] = '\0';
	return CHECK_OK;
}

/* A child pinned to cpu answers each byte on to_child with one on
 * from_child; the parent, pinned elsewhere, sends rounds bytes. */
static int ping_pong(int cpu, int rounds)
{
	int to_child[2], from_child[2];
	char c = 'x';
	pid_t pid;

	if (pipe(to_child) || pipe(from_child))
		return fail("pipe: %s", errname(errno));
	if ((pid = fork()) == 0) {
		close(to_child[1]); /* the parent's close is its EOF */
		close(from_child[0]);
		if (pin_to_cpu(cpu))
			_exit(2);
		while (read(to_child[0], &c, 1) == 1 && write(from_child[1], &c, 1) == 1)
			;
		_exit(0);
	}
	ms_sleep(20); /* let it pin itself and block */
	for (int i = 0; i < rounds; i++) {
		ms_sleep(2); /* its CPU goes idle (or back to the spinner) */
		if (write(to_child[1], &c, 1) != 1 || read(from_child[0], &c, 1) != 1)
			break;
	}
	close(to_child[1]);
	close(from_child[0]);
	close(to_child[0]);
	close(from_child[1]);
	reap(pid);
	return CHECK_OK;
}

static int check_interrupts_res(void)
{
	unsigned long long before, after;
	int target = 63 - __builtin_clzll(online_mask);

	if (ncpus < 2)
		return skip("one CPU: no wake-up comes from another");
	if (pin_to_cpu(__builtin_ctzll(online_mask)))
		return fail("pin to the first CPU: %s", errname(errno));
	if (ipis_now(&before)) {
		unpin();
		return CHECK_FAIL;
	}
	ping_pong(target, WAKE_ROUNDS);               /* the target CPU idle */
	pid_t spin = spinner(target, 400);
	ping_pong(target, WAKE_ROUNDS);               /* the target CPU busy */
	reap(spin);
	unpin();
	if (ipis_now(&after))
		return CHECK_FAIL;
	if (after <= before)
		return fail("RES+CAL %llu before %d wake-ups on CPU %d, %llu after", before,
			    2 * WAKE_ROUNDS, target, after);
	remark("RES+CAL grew by %llu over %d wake-ups", after - before, 2 * WAKE_ROUNDS);
	return CHECK_OK;
}

static int check_stat_intr(void)
{
	struct irq_row loc;
	unsigned long long total = 0;
	char line[256];

	if (row_now("LOC", rows_a, &loc))
		return CHECK_FAIL;
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return fail("open /proc/stat: %s", errname(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "intr %llu", &total) == 1)
			break;
	fclose(f);
	if (total < row_sum(&loc))
		return fail("intr total %llu < the LOC counts read before, %llu", total, row_sum(&loc));
	remark("intr %llu, LOC %llu", total, row_sum(&loc));
	return CHECK_OK;
}

/* ------------------------------------------------------------- /sys */

/* The cpuN directories as a mask; -1 if /sys/devices/system/cpu cannot be read. */
static int cpu_dirs(uint64_t *mask)
{
	DIR *d = opendir(CPU_DIR);
	struct dirent *e;

	*mask = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, "cpu", 3) || !isdigit((unsigned char)e->d_name[3]))
			continue;
		long n = strtol(e->d_name + 3, &end, 10);
		if (!*end && n >= 0 && n < MAX_CPUS)
			*mask |= 1ull << n;
	}
	closedir(d);
	return 0;
}

static int check_cpu_dirs(void)
{
	uint64_t dirs, present;
	char path[128], buf[64];
	int n;

	if (cpu_dirs(&dirs) < 0)
		return fail("open %s: %s", CPU_DIR, errname(errno));
	if (read_list_file(CPU_DIR "/present", &present) < 0)
		return fail("%s/present: not a CPU list", CPU_DIR);
	if (dirs != present)
		return fail("cpuN directories %#llx, present CPUs %#llx", (unsigned long long)dirs,
			    (unsigned long long)present);
	if (dirs != online_mask)
		return skip("some present CPUs are offline here (%#llx of %#llx)",
			    (unsigned long long)online_mask, (unsigned long long)dirs);
	n = __builtin_popcountll(dirs);
	if (sysconf(_SC_NPROCESSORS_CONF) != n || sysconf(_SC_NPROCESSORS_ONLN) != n)
		return fail("%d cpuN directories, sysconf CONF %ld ONLN %ld", n,
			    sysconf(_SC_NPROCESSORS_CONF), sysconf(_SC_NPROCESSORS_ONLN));
	for (int i = 1; i < MAX_CPUS; i++) {
		if (!(dirs >> i & 1))
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/online", i);
		if (read_line(path, buf, sizeof(buf)) < 0 || strcmp(buf, "1"))
			return fail("%s: \"%s\" (%s), want \"1\"", path, buf, errname(errno));
	}
	if (read_line(CPU_DIR "/offline", buf, sizeof(buf)) < 0 || buf[0])
		return fail("%s/offline: \"%s\", want an empty line", CPU_DIR, buf);
	if (read_line(CPU_DIR "/kernel_max", buf, sizeof(buf)) < 0 || atoi(buf) < n - 1)
		return fail("%s/kernel_max: \"%s\", want at least %d", CPU_DIR, buf, n - 1);
	remark("%d directories, kernel_max %s", n, buf);
	return CHECK_OK;
}

/* /proc/cpuinfo's physical id, core id, siblings and cpu cores by processor. */
struct place {
	long package, core, siblings, cores;
};

static int read_places(struct place *pl)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	int cpu = -1;

	if (!f)
		return -1;
	for (int i = 0; i < MAX_CPUS; i++)
		pl[i] = (struct place){ -1, -1, -1, -1 };
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		long v = colon ? strtol(colon + 1, NULL, 10) : -1;
		if (!strncmp(line, "processor\t", 10))
			cpu = v >= 0 && v < MAX_CPUS ? (int)v : -1;
		else if (cpu < 0)
			continue;
		else if (!strncmp(line, "physical id\t", 12))
			pl[cpu].package = v;
		else if (!strncmp(line, "core id\t", 8))
			pl[cpu].core = v;
		else if (!strncmp(line, "siblings\t", 9))
			pl[cpu].siblings = v;
		else if (!strncmp(line, "cpu cores\t", 10))
			pl[cpu].cores = v;
	}
	fclose(f);
	return 0;
}

/* cpu's topology file name as a number, a list mask, or both forms of a mask. */
static long topo_num(int cpu, const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/%s", cpu, name);
	return read_line(path, buf, sizeof(buf)) < 0 ? -1 : strtol(buf, NULL, 10);
}

/* The list file name_list and the mask file name of cpu must agree; the mask into *m. */
static int topo_mask(int cpu, const char *name, uint64_t *m)
{
	char path[128], hex[128], want[128];
	int nbits = 64 - __builtin_clzll(online_mask);

	snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/%s_list", cpu, name);
	if (read_list_file(path, m) < 0)
		return fail("%s: missing or not a CPU list", path);
	snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/%s", cpu, name);
	if (read_line(path, hex, sizeof(hex)) < 0)
		return fail("%s: %s", path, errname(errno));
	format_hex(want, sizeof(want), *m, nbits);
	if (strcmp(hex, want))
		return fail("%s: \"%s\", its list says \"%s\"", path, hex, want);
	return CHECK_OK;
}

/* One CPU's topology against cpuinfo's view of every CPU. */
static int topology_of(int cpu, const struct place *pl)
{
	uint64_t thread, core_cpus, package;
	long pkg = topo_num(cpu, "physical_package_id"), core = topo_num(cpu, "core_id");

	if (pkg != pl[cpu].package || core != pl[cpu].core)
		return fail("cpu%d: package %ld core %ld, cpuinfo says physical id %ld core id %ld", cpu,
			    pkg, core, pl[cpu].package, pl[cpu].core);
	if (topo_mask(cpu, "thread_siblings", &thread) || topo_mask(cpu, "core_siblings", &package))
		return CHECK_FAIL;
	if (!(thread >> cpu & 1) || (thread & ~package))
		return fail("cpu%d: thread siblings %#llx, package %#llx", cpu, (unsigned long long)thread,
			    (unsigned long long)package);
	if (topo_num(cpu, "core_cpus_list") >= 0 && (topo_mask(cpu, "core_cpus", &core_cpus) ||
						     core_cpus != thread))
		return c_why[0] ? CHECK_FAIL : fail("cpu%d: core_cpus differ from thread_siblings", cpu);
	uint64_t cores = 0, same_pkg = 0;
	for (int i = 0; i < MAX_CPUS; i++)
		if (online_mask >> i & 1 && pl[i].package == pkg) {
			same_pkg |= 1ull << i;
			if (pl[i].core >= 0 && pl[i].core < 64)
				cores |= 1ull << pl[i].core;
		}
	if (same_pkg != package || pl[cpu].siblings != __builtin_popcountll(package) ||
	    pl[cpu].cores != __builtin_popcountll(cores))
		return fail("cpu%d: package CPUs %#llx, cpuinfo: same physical id %#llx, siblings %ld, "
			    "cpu cores %ld (%d distinct core ids)", cpu, (unsigned long long)package,
			    (unsigned long long)same_pkg, pl[cpu].siblings, pl[cpu].cores,
			    __builtin_popcountll(cores));
	return CHECK_OK;
}

static int check_topology(void)
{
	static struct place pl[MAX_CPUS];

	if (read_places(pl) < 0)
		return fail("open /proc/cpuinfo: %s", errname(errno));
	if (pl[0].package < 0 || pl[0].core < 0)
		return skip("/proc/cpuinfo has no physical id or core id here");
	char places[160] = "";
	size_t len = 0;
	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(online_mask >> cpu & 1))
			continue;
		if (topology_of(cpu, pl) != CHECK_OK)
			return CHECK_FAIL;
		if (len + 16 < sizeof(places))
			len += (size_t)snprintf(places + len, sizeof(places) - len, " %ld:%ld",
						pl[cpu].package, pl[cpu].core);
	}
	remark("package:core%s, siblings %ld, cpu cores %ld", places, pl[0].siblings, pl[0].cores);
	return CHECK_OK;
}

/* ------------------------------------------------------------- per process */

/* A child that pins itself to mask, reports its sched_getcpu() as one
 * byte on *report, and waits until *release is closed (release_child). */
static pid_t pinned_child(const cpu_set_t *mask, int *report, int *release)
{
	int up[2], down[2];
	pid_t pid;

	if (pipe(up) || pipe(down))
		return -1;
	if ((pid = fork()) == 0) {
		char c;
		close(up[0]);
		close(down[1]);
		c = sched_setaffinity(0, sizeof(*mask), mask) ? (char)-1 : (char)sched_getcpu();
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	*report = up[0];
	*release = down[1];
	return pid;
}

/* Let the child of pinned_child go and reap it. */
static void release_child(pid_t pid, int report, int release)
{
	close(report);
	close(release);
	reap(pid);
}

static int check_stat_processor(void)
{
	int last = 63 - __builtin_clzll(online_mask), report, down;
	cpu_set_t one;
	char path[64], c;

	CPU_ZERO(&one);
	CPU_SET(last, &one);
	pid_t pid = pinned_child(&one, &report, &down);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	int r = CHECK_OK;
	if (read(report, &c, 1) != 1 || c != (char)last) {
		r = fail("child pinned to CPU %d: sched_getcpu says %d", last, c);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		long f39 = stat_processor(path);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)pid);
		long t39 = access(path, R_OK) == 0 ? stat_processor(path) : last;
		if (f39 != last || t39 != last)
			r = fail("child pinned to CPU %d: /proc/PID/stat field 39 %ld, task stat %ld", last,
				 f39, t39);
		else
			remark("CPU %d", last);
	}
	release_child(pid, report, down);
	return r;
}

/* Cpus_allowed and Cpus_allowed_list of a status file as masks; -1 when missing. */
static int status_masks(const char *path, char *hex, size_t cap, uint64_t *list)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "Cpus_allowed:\t", 14)) {
			snprintf(hex, cap, "%.*s", (int)cap - 1, line + 14);
			found |= 1;
		} else if (!strncmp(line, "Cpus_allowed_list:\t", 19)) {
			found |= parse_list(line + 19, list) == 0 ? 2 : 0;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

/* pid's status lines against its sched_getaffinity. */
static int allowed_match(pid_t pid)
{
	char path[64], hex[256], want[256];
	uint64_t list, possible;
	cpu_set_t set;

	if (read_list_file(CPU_DIR "/possible", &possible) < 0)
		return fail("%s/possible: not a CPU list", CPU_DIR);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (status_masks(path, hex, sizeof(hex), &list) < 0)
		return fail("%s: no Cpus_allowed or Cpus_allowed_list line", path);
	if (sched_getaffinity(pid, sizeof(set), &set))
		return fail("sched_getaffinity(%d): %s", (int)pid, errname(errno));
	uint64_t mask = 0;
	for (int i = 0; i < MAX_CPUS; i++)
		if (CPU_ISSET(i, &set))
			mask |= 1ull << i;
	format_hex(want, sizeof(want), mask, 64 - __builtin_clzll(possible));
	if (list != mask || strcmp(hex, want))
		return fail("%s: Cpus_allowed \"%s\" list %#llx; sched_getaffinity %#llx (\"%s\")", path,
			    hex, (unsigned long long)list, (unsigned long long)mask, want);
	return CHECK_OK;
}

static int check_cpus_allowed(void)
{
	int report, down, first = __builtin_ctzll(online_mask), last = 63 - __builtin_clzll(online_mask);
	cpu_set_t narrow;
	char c;

	if (allowed_match(getpid()))
		return CHECK_FAIL;
	CPU_ZERO(&narrow);
	CPU_SET(first, &narrow);
	CPU_SET(last, &narrow);
	pid_t pid = pinned_child(&narrow, &report, &down);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	int r = read(report, &c, 1) == 1 ? allowed_match(pid) : fail("the child did not answer");
	release_child(pid, report, down);
	if (r == CHECK_OK)
		remark("CPUs %d and %d", first, last);
	return r;
}

/* The pinned thread of check_task_dirs: pins itself to *arg, publishes
 * its tid, and waits for the main thread's word to end. */
static volatile int task_tid, task_done;

static void *pinned_thread(void *arg)
{
	if (pin_to_cpu(*(int *)arg) == 0)
		task_tid = (int)syscall(SYS_gettid);
	else
		task_tid = -1;
	while (!task_done)
		ms_sleep(1);
	return NULL;
}

/* /proc/self/task lists tid? */
static bool task_listed(int tid)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (atoi(e->d_name) == tid)
			found = true;
	closedir(d);
	return found;
}

/* A "Key:\tVALUE" line of a status file, as a number (-1 if missing). */
static long status_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The thread's own files, checked once it is pinned. */
static int task_files(int tid, int last)
{
	char path[96], hex[128];
	uint64_t list;

	if (!task_listed(tid) || !task_listed(getpid()))
		return fail("/proc/self/task does not list both %d and %d", getpid(), tid);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	long f39 = stat_processor(path);
	if (f39 != last)
		return fail("%s: field 39 %ld, the thread is pinned to CPU %d", path, f39, last);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (status_field(path, "Pid") != tid || status_field(path, "Tgid") != getpid())
		return fail("%s: Pid %ld Tgid %ld, want %d and %d", path, status_field(path, "Pid"),
			    status_field(path, "Tgid"), tid, getpid());
	if (status_masks(path, hex, sizeof(hex), &list) < 0 || list != 1ull << last)
		return fail("%s: Cpus_allowed_list is not just CPU %d", path, last);
	cpu_set_t mine;
	uint64_t want = 0;
	if (sched_getaffinity(0, sizeof(mine), &mine))
		return fail("sched_getaffinity: %s", errname(errno));
	for (int i = 0; i < MAX_CPUS; i++)
		if (CPU_ISSET(i, &mine))
			want |= 1ull << i;
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", getpid());
	if (status_masks(path, hex, sizeof(hex), &list) < 0 || list != want)
		return fail("%s: the main thread's Cpus_allowed_list %#llx, want %#llx", path,
			    (unsigned long long)list, (unsigned long long)want);
	remark("thread %d on CPU %d", tid, last);
	return CHECK_OK;
}

static int check_task_dirs(void)
{
	int last = 63 - __builtin_clzll(online_mask), r;
	pthread_t th;

	if (access("/proc/self/task", F_OK))
		return skip("no /proc/self/task here");
	task_tid = 0;
	task_done = 0;
	if (pthread_create(&th, NULL, pinned_thread, &last))
		return fail("pthread_create failed");
	long long deadline = now_ms() + 5000;
	while (!task_tid && now_ms() < deadline)
		ms_sleep(1);
	if (task_tid <= 0)
		r = fail("the thread did not pin itself to CPU %d", last);
	else
		r = task_files(task_tid, last);
	task_done = 1;
	pthread_join(th, NULL);
	return r;
}

static const struct check checks[] = {
	{ "interrupts-format", check_interrupts_format },
	{ "interrupts-loc", check_interrupts_loc },
	{ "interrupts-res", check_interrupts_res },
	{ "stat-intr", check_stat_intr },
	{ "cpu-dirs", check_cpu_dirs },
	{ "topology", check_topology },
	{ "stat-processor", check_stat_processor },
	{ "cpus-allowed", check_cpus_allowed },
	{ "task-dirs", check_task_dirs },
};

int main(int argc, char **argv)
{
	if (read_list_file(CPU_DIR "/online", &online_mask) < 0 || !online_mask) {
		printf("conform-cpus: SKIP no readable %s/online\n", CPU_DIR);
		return 0;
	}
	ncpus = __builtin_popcountll(online_mask);
	return run_checks("conform-cpus", checks, NELEMS(checks), argc, argv);
}
