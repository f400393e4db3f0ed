// SPDX-License-Identifier: MIT
// SMP as programs see it (issue 11): /proc/cpuinfo, /proc/stat, sched_{get,set}affinity and getcpu as Linux's.
#define _GNU_SOURCE		/* sched_setaffinity, CPU_SET */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "checks.h"
#include "cpus.h"

/*
 * nproc is sysconf(_SC_NPROCESSORS_ONLN), which musl answers with the
 * popcount of sched_getaffinity (glibc with /sys): every check compares
 * the kernel's other views with it, so the program must not be started
 * under a narrowed affinity (taskset): the checks that count CPUs then
 * skip.
 *
 *   cpuinfo          one entry per online CPU, "processor" numbered 0..n-1,
 *                    each with Linux's topology fields, distinct apicids.
 *   proc-stat        a "cpu " line, then exactly one "cpuN" line per CPU.
 *   sys-cpu-online   /sys/devices/system/cpu/online (glibc's get_nprocs)
 *                    lists nproc CPUs.
 *   getaffinity      the raw call returns the bytes written (a whole number
 *                    of longs), the mask holds nproc CPUs; a length that is
 *                    not a multiple of a long, or 0, is EINVAL.
 *   setaffinity-getcpu  pinned to each CPU in turn, getcpu and field 39 of
 *                    /proc/self/stat name that CPU.
 *   setaffinity-errors  an empty mask and a mask of offline CPUs are EINVAL,
 *                    a bad pointer EFAULT, a reaped pid ESRCH, another
 *                    user's process EPERM without CAP_SYS_NICE.
 */
#define NOBODY 65534
#define LINE_MAX_LEN 512

static int nproc;
static cpu_set_t start_set;

static long raw_getaffinity(pid_t pid, unsigned len, void *mask)
{
	return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long raw_setaffinity(pid_t pid, unsigned len, const void *mask)
{
	return syscall(SYS_sched_setaffinity, pid, len, mask);
}

/* The CPU the caller runs on, by the system call itself (not the vDSO). */
static long raw_getcpu(unsigned *cpu)
{
	return syscall(SYS_getcpu, cpu, NULL, NULL);
}

/* Why the CPU counts cannot be compared, or NULL when they can: the
 * program may run on every online CPU when its affinity holds as many
 * CPUs as init's (taskset narrows only the former). */
static const char *narrowed(void)
{
	static char why[80];
	cpu_set_t init_set;

	if (sched_getaffinity(1, sizeof(init_set), &init_set) == 0 && CPU_COUNT(&init_set) > nproc) {
		snprintf(why, sizeof(why), "started on %d CPUs of init's %d (a narrowed affinity)",
			 nproc, CPU_COUNT(&init_set));
		return why;
	}
	return NULL;
}

/* ------------------------------------------------------------- /proc */

struct cpuinfo_entry {
	int processor;
	long apicid, initial, core, siblings, cores;
};

/* Read "NAME\t...: VALUE" lines into entries; returns their number or -1. */
static int read_cpuinfo(struct cpuinfo_entry *e, int max)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[LINE_MAX_LEN];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		long v = strtol(colon + 1, NULL, 10);
		if (strncmp(line, "processor\t", 10) == 0) {
			if (n == max)
				break;
			e[n++] = (struct cpuinfo_entry){ (int)v, -1, -1, -1, -1, -1 };
		} else if (n == 0) {
			continue;
		} else if (strncmp(line, "apicid\t", 7) == 0) {
			e[n - 1].apicid = v;
		} else if (strncmp(line, "initial apicid\t", 15) == 0) {
			e[n - 1].initial = v;
		} else if (strncmp(line, "core id\t", 8) == 0) {
			e[n - 1].core = v;
		} else if (strncmp(line, "siblings\t", 9) == 0) {
			e[n - 1].siblings = v;
		} else if (strncmp(line, "cpu cores\t", 10) == 0) {
			e[n - 1].cores = v;
		}
	}
	fclose(f);
	return n;
}

/* Entry i's fields: numbered i, every field there, siblings >= cores. */
static int cpuinfo_entry_ok(const struct cpuinfo_entry *e, int i)
{
	if (e->processor != i)
		return fail("entry %d says processor %d", i, e->processor);
	if (e->apicid < 0 || e->initial < 0 || e->core < 0 || e->siblings < 1 || e->cores < 1)
		return fail("processor %d lacks a field: apicid %ld, initial apicid %ld, core id %ld, "
			    "siblings %ld, cpu cores %ld", i, e->apicid, e->initial, e->core, e->siblings,
			    e->cores);
	if (e->siblings < e->cores)
		return fail("processor %d: siblings %ld < cpu cores %ld", i, e->siblings, e->cores);
	return CHECK_OK;
}

static int check_cpuinfo(void)
{
	static struct cpuinfo_entry e[1024];
	int n = read_cpuinfo(e, 1024);

	if (n < 0)
		return fail("open /proc/cpuinfo: %s", errname(errno));
	if (narrowed())
		return skip("%s", narrowed());
	if (n != nproc)
		return fail("%d processor entries, nproc is %d", n, nproc);
	for (int i = 0; i < n; i++) {
		if (cpuinfo_entry_ok(&e[i], i) != CHECK_OK)
			return CHECK_FAIL;
		for (int k = 0; k < i; k++)
			if (e[k].apicid == e[i].apicid)
				return fail("processors %d and %d both have apicid %ld", k, i, e[i].apicid);
	}
	remark("%d entries, siblings %ld, cpu cores %ld", n, e[0].siblings, e[0].cores);
	return CHECK_OK;
}

static int check_proc_stat(void)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[LINE_MAX_LEN];
	int total = 0, per = 0, next = 0, r = CHECK_OK;

	if (!f)
		return fail("open /proc/stat: %s", errname(errno));
	while (fgets(line, sizeof(line), f) && r == CHECK_OK) {
		unsigned long long user, nice, sys, idle;
		int cpu;
		if (strncmp(line, "cpu ", 4) == 0)
			total++;
		if (line[3] < '0' || line[3] > '9' ||
		    sscanf(line, "cpu%d %llu %llu %llu %llu", &cpu, &user, &nice, &sys, &idle) != 5)
			continue;
		if (cpu != next++)
			r = fail("line cpu%d where cpu%d was due", cpu, next - 1);
		per++;
	}
	fclose(f);
	if (r != CHECK_OK)
		return r;
	if (total != 1)
		return fail("%d \"cpu \" lines, want 1", total);
	if (narrowed())
		return skip("%s", narrowed());
	if (per != nproc)
		return fail("%d cpuN lines, nproc is %d", per, nproc);
	remark("%d cpuN lines", per);
	return CHECK_OK;
}

/* The number of CPUs in a Linux CPU list ("0-3,5\n"), or -1 if malformed. */
static int cpu_list_count(const char *s)
{
	int count = 0;

	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;
		if (end == s || lo < 0)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s || hi < lo)
				return -1;
		}
		count += (int)(hi - lo + 1);
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\n' && *end)
			return -1;
	}
	return count;
}

static int check_sys_cpu_online(void)
{
	char buf[256] = "";
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int n;

	if (!f)
		return fail("open /sys/devices/system/cpu/online: %s", errname(errno));
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	if ((n = cpu_list_count(buf)) < 1)
		return fail("online is \"%s\": not a CPU list", buf);
	if (narrowed())
		return skip("%s", narrowed());
	if (n != nproc)
		return fail("online lists %d CPUs (\"%.40s\"), nproc is %d", n, buf, nproc);
	remark("%d CPUs", n);
	return CHECK_OK;
}

/* ------------------------------------------------------------- affinity */

static int check_getaffinity(void)
{
	uint64_t mask[16];
	long r;

	memset(mask, 0, sizeof(mask));
	errno = 0;
	r = raw_getaffinity(0, sizeof(mask), mask);
	if (r <= 0 || r % (long)sizeof(long) || r > (long)sizeof(mask))
		return fail("sched_getaffinity(0, %zu) returned %ld (%s), want a whole number of longs",
			    sizeof(mask), r, errname(errno));
	int count = 0;
	for (size_t i = 0; i < 16; i++)
		count += __builtin_popcountll(mask[i]);
	if (count != nproc)
		return fail("the mask holds %d CPUs, nproc is %d", count, nproc);
	errno = 0;
	if (want_err("sched_getaffinity(len 4)", raw_getaffinity(0, 4, mask), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sched_getaffinity(len 0)", raw_getaffinity(0, 0, mask), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sched_getaffinity(bad pointer)", raw_getaffinity(0, sizeof(mask), (void *)8),
		     EFAULT))
		return CHECK_FAIL;
	remark("%ld bytes, %d CPUs", r, count);
	return CHECK_OK;
}

/* Pinned to cpu: getcpu and /proc/self/stat must both say cpu. */
static int pinned_to(int cpu)
{
	unsigned got = ~0u;

	if (pin_to_cpu(cpu))
		return fail("sched_setaffinity({%d}): %s", cpu, errname(errno));
	if (raw_getcpu(&got))
		return fail("getcpu: %s", errname(errno));
	if (got != (unsigned)cpu)
		return fail("pinned to CPU %d, getcpu says %u", cpu, got);
	if (sched_getcpu() != cpu)
		return fail("pinned to CPU %d, sched_getcpu says %d", cpu, sched_getcpu());
	long field = stat_processor("/proc/self/stat");
	if (field != cpu)
		return fail("pinned to CPU %d, /proc/self/stat field 39 says %ld", cpu, field);
	return CHECK_OK;
}

static int check_setaffinity_getcpu(void)
{
	int r = CHECK_OK, tried = 0;

	for (int cpu = 0; cpu < CPU_SETSIZE && r == CHECK_OK; cpu++)
		if (CPU_ISSET(cpu, &start_set)) {
			r = pinned_to(cpu);
			tried++;
		}
	sched_setaffinity(0, sizeof(start_set), &start_set);
	if (r == CHECK_OK)
		remark("pinned to each of %d CPUs in turn", tried);
	return r;
}

/* In a child without CAP_SYS_NICE, another user's process is EPERM: as
 * root, the child becomes nobody and targets its root parent; else it
 * targets init (root's). Exit 0 for EPERM, 10 + errno otherwise, 1 for
 * a success. */
static int setaffinity_eperm(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t target = getuid() == 0 ? getppid() : 1;
		if (getuid() == 0 && setuid(NOBODY))
			_exit(2);
		long r = raw_setaffinity(target, sizeof(start_set), &start_set);
		_exit(r == -1 && errno == EPERM ? 0 : r == -1 ? 10 + errno : 1);
	}
	return want_exit("another user's setaffinity (want EPERM; 10 + errno, 1 success)", pid, 0);
}

static int check_setaffinity_errors(void)
{
	uint64_t mask = 0;
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	pid_t gone;
	int st;

	errno = 0;
	if (want_err("sched_setaffinity(empty)", raw_setaffinity(0, sizeof(mask), &mask), EINVAL))
		return CHECK_FAIL;
	if (conf > 0 && conf < 64) {
		mask = 1ull << 63;   /* a CPU this machine does not have */
		errno = 0;
		if (want_err("sched_setaffinity({63})", raw_setaffinity(0, sizeof(mask), &mask), EINVAL))
			return CHECK_FAIL;
	}
	errno = 0;
	if (want_err("sched_setaffinity(bad pointer)", raw_setaffinity(0, 8, (void *)8), EFAULT))
		return CHECK_FAIL;
	if ((gone = fork()) == 0)
		_exit(0);
	if (wait_child(gone, 5000, &st) != CHECK_OK)
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sched_setaffinity(reaped pid)",
		     raw_setaffinity(gone, sizeof(start_set), &start_set), ESRCH))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("sched_getaffinity(reaped pid)", raw_getaffinity(gone, sizeof(start_set), &mask),
		     ESRCH))
		return CHECK_FAIL;
	return setaffinity_eperm();
}

static const struct check checks[] = {
	{ "cpuinfo", check_cpuinfo },
	{ "proc-stat", check_proc_stat },
	{ "sys-cpu-online", check_sys_cpu_online },
	{ "getaffinity", check_getaffinity },
	{ "setaffinity-getcpu", check_setaffinity_getcpu },
	{ "setaffinity-errors", check_setaffinity_errors },
};

int main(int argc, char **argv)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	nproc = n > 0 ? (int)n : 1;
	if (sched_getaffinity(0, sizeof(start_set), &start_set))
		CPU_ZERO(&start_set);
	return run_checks("conform-smp", checks, NELEMS(checks), argc, argv);
}
