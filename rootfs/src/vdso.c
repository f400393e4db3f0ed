// SPDX-License-Identifier: MIT
// The vDSO as programs find and use it (Linux's, and Kestrel's kernel/proc/vdso.c):
//   ehdr        getauxval(AT_SYSINFO_EHDR) is an ET_DYN x86_64 ELF image with DT_HASH (musl
//               needs it), DT_GNU_HASH, symbols and versions, exporting __vdso_clock_gettime,
//               _gettimeofday, _time, _clock_getres and _getcpu at LINUX_2.6 (looked up here
//               as musl does, through DT_HASH, with the version checked by name)
//   maps        /proc/self/maps shows [vdso] r-xp at that address and a [vvar] r--p
//   interleave  on every CPU (sched_setaffinity), the vDSO's clock_gettime and the system
//               call, alternated 10,000 times each for MONOTONIC and REALTIME and 1,000 for
//               BOOTTIME, MONOTONIC_RAW and the _COARSE clocks, never go backwards
//   agree       gettimeofday, time, clock_getres and getcpu through the vDSO against the
//               system calls; an unknown clock and the CPU-time clocks answered as the
//               system call answers them
//   settime     as root, CLOCK_REALTIME moved forward (on Kestrel an hour, on Linux by
//               nothing: the build machine's clock is left alone) is what the vDSO reads
//               at once, and back again
//   fork        a child's vDSO is at the same address and works
//   exec        a child that unmapped its vDSO and execs this program gets a new one (its
//               ehdr and maps checks pass)
//   mprotect    [vvar] cannot be made writable (EACCES)
//   libc        musl's static clock_gettime goes through the vDSO: once the vDSO is
//               unmapped, a call faults (SIGSEGV in a child)
#define _GNU_SOURCE
#include <elf.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "checks.h"

#define TIMES_MAIN   10000  /* interleaved pairs per CPU for MONOTONIC and REALTIME */
#define TIMES_OTHER  1000   /* for the other clocks */
#define NS_PER_SEC   1000000000LL
#define JUMP_SEC     3600   /* clock_settime's move on Kestrel */

typedef int (*cgt_fn)(clockid_t, struct timespec *);
typedef int (*gtod_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef int (*getres_fn)(clockid_t, struct timespec *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static struct {
	uintptr_t ehdr;
	cgt_fn cgt;
	gtod_fn gtod;
	time_fn time;
	getres_fn getres;
	getcpu_fn getcpu;
} vd;

/* ------------------------------------------------------------ the lookup */

struct dso {
	uintptr_t base;
	const char *strings;
	const Elf64_Sym *syms;
	const uint32_t *hash;
	const uint16_t *versym;
	const Elf64_Verdef *verdef;
	int has_gnu_hash;
};

/* Walk the image's headers and dynamic table as musl's __vdsosym does:
 * NULL, or what is missing. */
static const char *dso_open(uintptr_t at, struct dso *d)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)at;
	const Elf64_Dyn *dyn = NULL;

	memset(d, 0, sizeof(*d));
	d->base = (uintptr_t)-1;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return "no ELF64 magic";
	if (eh->e_type != ET_DYN || eh->e_machine != EM_X86_64)
		return "not an x86_64 ET_DYN";
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(at + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if (ph->p_type == PT_LOAD && d->base == (uintptr_t)-1)
			d->base = at + ph->p_offset - ph->p_vaddr;
		else if (ph->p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(at + ph->p_offset);
	}
	if (!dyn || d->base == (uintptr_t)-1)
		return "no PT_LOAD or no PT_DYNAMIC";
	for (; dyn->d_tag != DT_NULL; dyn++) {
		const void *p = (const void *)(d->base + dyn->d_un.d_ptr);
		switch (dyn->d_tag) {
		case DT_STRTAB: d->strings = p; break;
		case DT_SYMTAB: d->syms = p; break;
		case DT_HASH: d->hash = p; break;
		case DT_GNU_HASH: d->has_gnu_hash = 1; break;
		case DT_VERSYM: d->versym = p; break;
		case DT_VERDEF: d->verdef = p; break;
		}
	}
	if (!d->strings || !d->syms)
		return "no DT_STRTAB or DT_SYMTAB";
	if (!d->hash)
		return "no DT_HASH (musl looks symbols up through it)";
	if (!d->has_gnu_hash)
		return "no DT_GNU_HASH";
	if (!d->versym || !d->verdef)
		return "no DT_VERSYM or DT_VERDEF";
	return NULL;
}

/* The name of version index ndx in the version definitions, or NULL. */
static const char *version_name(const struct dso *d, unsigned ndx)
{
	const Elf64_Verdef *def = d->verdef;

	for (;;) {
		if (!(def->vd_flags & VER_FLG_BASE) && (def->vd_ndx & 0x7fff) == (ndx & 0x7fff)) {
			const Elf64_Verdaux *aux = (const void *)((const char *)def + def->vd_aux);
			return d->strings + aux->vda_name;
		}
		if (!def->vd_next)
			return NULL;
		def = (const void *)((const char *)def + def->vd_next);
	}
}

/* name@version's address, or NULL. DT_HASH's second word is the number of symbols. */
static void *dso_sym(const struct dso *d, const char *name, const char *version)
{
	for (uint32_t i = 0; i < d->hash[1]; i++) {
		const Elf64_Sym *s = &d->syms[i];
		int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);
		if (type != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK) || !s->st_shndx)
			continue;
		if (strcmp(d->strings + s->st_name, name))
			continue;
		const char *v = version_name(d, d->versym[i]);
		if (v && !strcmp(v, version))
			return (void *)(d->base + s->st_value);
	}
	return NULL;
}

static int check_ehdr(void)
{
	struct dso d;
	const char *why;

	if (!vd.ehdr)
		return fail("no AT_SYSINFO_EHDR in the auxiliary vector");
	if ((why = dso_open(vd.ehdr, &d)))
		return fail("the image at %#lx: %s", (unsigned long)vd.ehdr, why);
	static const char *const names[] = { "__vdso_clock_gettime", "__vdso_gettimeofday",
					     "__vdso_time", "__vdso_clock_getres", "__vdso_getcpu" };
	void *found[NELEMS(names)];
	for (size_t i = 0; i < NELEMS(names); i++)
		if (!(found[i] = dso_sym(&d, names[i], "LINUX_2.6")))
			return fail("%s@LINUX_2.6 not found", names[i]);
	vd.cgt = (cgt_fn)found[0];
	vd.gtod = (gtod_fn)found[1];
	vd.time = (time_fn)found[2];
	vd.getres = (getres_fn)found[3];
	vd.getcpu = (getcpu_fn)found[4];
	remark("at %#lx, %u symbols", (unsigned long)vd.ehdr, d.hash[1]);
	return CHECK_OK;
}

/* The checks below need the symbols: skip when check_ehdr found none. */
static int need_vdso(void)
{
	struct dso d;

	if (vd.cgt)
		return CHECK_OK;
	if (!vd.ehdr || dso_open(vd.ehdr, &d))
		return CHECK_SKIP;
	vd.cgt = (cgt_fn)dso_sym(&d, "__vdso_clock_gettime", "LINUX_2.6");
	vd.gtod = (gtod_fn)dso_sym(&d, "__vdso_gettimeofday", "LINUX_2.6");
	vd.time = (time_fn)dso_sym(&d, "__vdso_time", "LINUX_2.6");
	vd.getres = (getres_fn)dso_sym(&d, "__vdso_clock_getres", "LINUX_2.6");
	vd.getcpu = (getcpu_fn)dso_sym(&d, "__vdso_getcpu", "LINUX_2.6");
	return vd.cgt && vd.gtod && vd.time && vd.getres && vd.getcpu ? CHECK_OK : CHECK_SKIP;
}

/* ------------------------------------------------------------ maps */

/* The maps line naming name: its range and permissions; 0 if none. */
static int find_map(const char *name, unsigned long *start, unsigned long *end, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n'), *p;
		if (nl)
			*nl = 0;
		size_t n = strlen(line), m = strlen(name);
		if (n < m || strcmp(line + n - m, name) || (n > m && line[n - m - 1] != ' '))
			continue;
		*start = strtoul(line, &p, 16);
		*end = strtoul(p + 1, &p, 16);
		found = sscanf(p, " %4s", perms) == 1;
	}
	fclose(f);
	return found;
}

static int check_maps(void)
{
	unsigned long text = 0, data = 0, end;
	char tp[5] = "", dp[5] = "";

	if (!find_map("[vdso]", &text, &end, tp))
		return fail("no [vdso] in /proc/self/maps");
	if (!find_map("[vvar]", &data, &end, dp))
		return fail("no [vvar] in /proc/self/maps");
	if (text != vd.ehdr)
		return fail("[vdso] at %#lx, AT_SYSINFO_EHDR %#lx", text, (unsigned long)vd.ehdr);
	if (strcmp(tp, "r-xp") || strcmp(dp, "r--p"))
		return fail("[vdso] %s, [vvar] %s (want r-xp, r--p)", tp, dp);
	remark("[vdso] %#lx %s, [vvar] %#lx %s", text, tp, data, dp);
	return CHECK_OK;
}

/* ------------------------------------------------------------ interleave */

static long long ts_ns(const struct timespec *t)
{
	return t->tv_sec * NS_PER_SEC + t->tv_nsec;
}

static long sys_cgt(clockid_t clk, struct timespec *t)
{
	return syscall(SYS_clock_gettime, clk, t);
}

/* times pairs of (vDSO, system call) readings of clk, each at or after the one before. */
static int interleave_clock(clockid_t clk, int times, int cpu)
{
	struct timespec t;
	long long prev = 0;

	for (int i = 0; i < 2 * times; i++) {
		int via_vdso = !(i & 1);
		long r = via_vdso ? vd.cgt(clk, &t) : sys_cgt(clk, &t);
		if (r)
			return fail("clock %d on CPU %d: %s returned %ld", (int)clk, cpu,
				    via_vdso ? "the vDSO" : "the system call", r);
		long long now = ts_ns(&t);
		if (now < prev)
			return fail("clock %d on CPU %d went back %lld ns at read %d (%s after %s)",
				    (int)clk, cpu, prev - now, i, via_vdso ? "vDSO" : "system call",
				    via_vdso ? "system call" : "vDSO");
		prev = now;
	}
	return CHECK_OK;
}

static int interleave_on(int cpu)
{
	static const struct { clockid_t clk; int times; } clocks[] = {
		{ CLOCK_MONOTONIC, TIMES_MAIN }, { CLOCK_REALTIME, TIMES_MAIN },
		{ CLOCK_BOOTTIME, TIMES_OTHER }, { CLOCK_MONOTONIC_RAW, TIMES_OTHER },
		{ CLOCK_MONOTONIC_COARSE, TIMES_OTHER }, { CLOCK_REALTIME_COARSE, TIMES_OTHER },
	};
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return fail("sched_setaffinity({%d}): %s", cpu, errname(errno));
	for (size_t i = 0; i < NELEMS(clocks); i++)
		if (interleave_clock(clocks[i].clk, clocks[i].times, cpu))
			return CHECK_FAIL;
	return CHECK_OK;
}

static int check_interleave(void)
{
	cpu_set_t all;
	int r = need_vdso(), cpus = 0;

	if (r)
		return skip("no vDSO symbols");
	if (sched_getaffinity(0, sizeof(all), &all))
		return fail("sched_getaffinity: %s", errname(errno));
	for (int cpu = 0; cpu < CPU_SETSIZE && r == CHECK_OK; cpu++)
		if (CPU_ISSET(cpu, &all)) {
			r = interleave_on(cpu);
			cpus++;
		}
	sched_setaffinity(0, sizeof(all), &all);
	if (r == CHECK_OK)
		remark("%d CPUs, %d + %d pairs each", cpus, 2 * TIMES_MAIN, 4 * TIMES_OTHER);
	return r;
}

/* ------------------------------------------------------------ agree */

static int agree_getres(void)
{
	for (clockid_t clk = 0; clk < 12; clk++) {
		struct timespec a = { -1, -1 }, b = { -1, -1 };
		long ra = vd.getres(clk, &a), rb = syscall(SYS_clock_getres, clk, &b);
		if (rb < 0)
			rb = -errno;
		if (ra != rb || (ra == 0 && (a.tv_sec != b.tv_sec || a.tv_nsec != b.tv_nsec)))
			return fail("clock_getres(%d): vDSO %ld {%ld, %ld}, system call %ld {%ld, %ld}",
				    (int)clk, ra, (long)a.tv_sec, a.tv_nsec, rb, (long)b.tv_sec, b.tv_nsec);
	}
	return CHECK_OK;
}

/* An unknown clock is the system call's EINVAL; the CPU-time clocks are
 * answered (by the system call, behind the vDSO). */
static int agree_other_clocks(void)
{
	struct timespec t;
	long r = vd.cgt(99, &t);

	if (r != -EINVAL)
		return fail("vDSO clock_gettime(99) = %ld, want -EINVAL", r);
	if ((r = vd.cgt(CLOCK_PROCESS_CPUTIME_ID, &t)) || (r = vd.cgt(CLOCK_THREAD_CPUTIME_ID, &t)))
		return fail("vDSO clock_gettime(CPU-time clock) = %ld", r);
	return CHECK_OK;
}

static int check_agree(void)
{
	struct timeval a, b, c;
	unsigned vcpu = ~0u, scpu = ~1u;
	cpu_set_t saved, one;

	if (need_vdso())
		return skip("no vDSO symbols");
	if (vd.gtod(&a, NULL) || syscall(SYS_gettimeofday, &b, NULL) || vd.gtod(&c, NULL))
		return fail("gettimeofday failed");
	long long ua = a.tv_sec * 1000000LL + a.tv_usec, ub = b.tv_sec * 1000000LL + b.tv_usec,
		  uc = c.tv_sec * 1000000LL + c.tv_usec;
	if (ua > ub || ub > uc)
		return fail("gettimeofday out of order: vDSO %lld, system call %lld, vDSO %lld", ua, ub, uc);
	time_t t0 = vd.time(NULL), t1 = syscall(SYS_time, NULL), t2, t3 = vd.time(&t2);
	if (t0 > t1 || t1 > t3 || t2 != t3)
		return fail("time: vDSO %ld, system call %ld, vDSO %ld (stored %ld)", (long)t0, (long)t1,
			    (long)t3, (long)t2);
	if (vd.getcpu(&vcpu, NULL, NULL) || syscall(SYS_getcpu, &scpu, NULL, NULL))
		return fail("getcpu failed");
	CPU_ZERO(&one);
	CPU_SET(scpu, &one);
	if (sched_getaffinity(0, sizeof(saved), &saved) == 0 &&
	    sched_setaffinity(0, sizeof(one), &one) == 0) {
		long r = vd.getcpu(&vcpu, NULL, NULL);
		sched_setaffinity(0, sizeof(saved), &saved);
		if (r || vcpu != scpu)
			return fail("pinned to CPU %u, the vDSO's getcpu says %u (%ld)", scpu, vcpu, r);
	}
	return agree_getres() || agree_other_clocks() ? CHECK_FAIL : CHECK_OK;
}

/* ------------------------------------------------------------ settime */


/* Set CLOCK_REALTIME to base + jump s; the vDSO must read within 5 s of it. */
static int settime_to(const struct timespec *base, long jump)
{
	struct timespec want = { base->tv_sec + jump, base->tv_nsec }, got;

	if (clock_settime(CLOCK_REALTIME, &want))
		return fail("clock_settime: %s", errname(errno));
	if (vd.cgt(CLOCK_REALTIME, &got))
		return fail("vDSO clock_gettime(REALTIME) failed");
	long long d = ts_ns(&got) - ts_ns(&want);
	if (d < 0 || d > 5 * NS_PER_SEC)
		return fail("set to %ld s, the vDSO reads %lld ns off", (long)want.tv_sec, d);
	return CHECK_OK;
}

/* gettimeofday's tz: the vDSO and the system call both write Linux's
 * struct timezone (zeros when nobody set one); the system call says
 * EFAULT for a tz or tv it cannot write, and takes NULL for either. */
static int check_timezone(void)
{
	struct { int minuteswest, dsttime; } zv = { -1, -1 }, zs = { -1, -1 };
	struct timeval t;

	if (need_vdso())
		return skip("no vDSO symbols");
	if (vd.gtod(&t, (void *)&zv) || syscall(SYS_gettimeofday, NULL, &zs))
		return fail("gettimeofday with a timezone failed");
	if (zv.minuteswest || zv.dsttime || zs.minuteswest || zs.dsttime)
		return fail("timezone: vDSO %d/%d, system call %d/%d, want 0/0", zv.minuteswest, zv.dsttime,
			    zs.minuteswest, zs.dsttime);
	errno = 0;
	if (want_err("tz unwritable", syscall(SYS_gettimeofday, &t, (void *)8), EFAULT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("tv unwritable", syscall(SYS_gettimeofday, (void *)8, NULL), EFAULT))
		return CHECK_FAIL;
	return want_eq("both NULL", syscall(SYS_gettimeofday, NULL, NULL), 0);
}

static int check_settime(void)
{
	struct timespec now, after;

	if (need_vdso())
		return skip("no vDSO symbols");
	clock_gettime(CLOCK_REALTIME, &now);
	if (clock_settime(CLOCK_REALTIME, &now)) {
		if (errno == EPERM)
			return skip("clock_settime: EPERM (not privileged)");
		return fail("clock_settime(now): %s", errname(errno));
	}
	long jump = on_kestrel() ? JUMP_SEC : 0;
	sys_cgt(CLOCK_REALTIME, &now);
	int r = settime_to(&now, jump);
	sys_cgt(CLOCK_REALTIME, &after);
	after.tv_sec -= jump;
	clock_settime(CLOCK_REALTIME, &after); /* back, whatever happened */
	if (r == CHECK_OK)
		remark("moved by %ld s and back", jump);
	return r;
}

/* ------------------------------------------------------------ the mapping */

static int check_fork(void)
{
	if (need_vdso())
		return skip("no vDSO symbols");
	pid_t child = fork();
	if (child == 0) {
		struct timespec t;
		_exit(getauxval(AT_SYSINFO_EHDR) == vd.ehdr && vd.cgt(CLOCK_MONOTONIC, &t) == 0 ? 0 : 1);
	}
	return want_exit("fork: the child's vDSO", child, 0);
}

static int check_exec(void)
{
	unsigned long text, end;
	char perms[5];

	if (!find_map("[vdso]", &text, &end, perms))
		return skip("no [vdso]");
	pid_t child = fork();
	if (child == 0) {
		char *argv[] = { "t-vdso", "ehdr", "maps", NULL };
		if (munmap((void *)text, end - text))
			_exit(3);
		execv("/proc/self/exe", argv);
		_exit(4);
	}
	return want_exit("the exec'd child's ehdr and maps checks", child, 0);
}

static int check_mprotect(void)
{
	unsigned long data, end;
	char perms[5];

	if (!find_map("[vvar]", &data, &end, perms))
		return skip("no [vvar]");
	errno = 0;
	return want_err("mprotect([vvar], PROT_READ|PROT_WRITE)",
			mprotect((void *)data, 4096, PROT_READ | PROT_WRITE), EACCES);
}

/* In a child: musl's clock_gettime works, then, with the vDSO unmapped, faults. */
static int check_libc(void)
{
	unsigned long text, end;
	char perms[5];
	int status;

	if (!find_map("[vdso]", &text, &end, perms))
		return skip("no [vdso]");
	pid_t child = fork();
	if (child == 0) {
		struct timespec t;
		if (clock_gettime(CLOCK_MONOTONIC, &t))
			_exit(2);
		if (munmap((void *)text, end - text))
			_exit(3);
		clock_gettime(CLOCK_MONOTONIC, &t);
		_exit(0); /* the system call answered: libc does not use the vDSO */
	}
	if (wait_child(child, 5000, &status))
		return CHECK_FAIL;
	if (WIFEXITED(status))
		return fail("the child exited with %d (0: clock_gettime did not call the vDSO)",
			    WEXITSTATUS(status));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		return fail("the child ended with status %#x, want SIGSEGV", status);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "ehdr", check_ehdr },
	{ "maps", check_maps },
	{ "interleave", check_interleave },
	{ "agree", check_agree },
	{ "timezone", check_timezone },
	{ "settime", check_settime },
	{ "fork", check_fork },
	{ "exec", check_exec },
	{ "mprotect", check_mprotect },
	{ "libc", check_libc },
};

int main(int argc, char **argv)
{
	vd.ehdr = getauxval(AT_SYSINFO_EHDR);
	return run_checks("vdso", checks, NELEMS(checks), argc, argv);
}
