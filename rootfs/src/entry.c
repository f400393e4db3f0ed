// SPDX-License-Identifier: MIT
// The kernel's entry and exit paths against hostile user values: RFLAGS.NT, bad IRET frames, bad handler addresses, TLS bases, int3.
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <ucontext.h>
#include "checks.h"

/*
 * Usage: t-entry MODE [ARG]. Two kinds of modes:
 *   - deaths (/etc/selftest expects a signal): the program does one hostile
 *     thing that Linux answers by killing it, and fails (exit 1) if it lives;
 *   - checks (exit=0): a table of named checks (checks.h).
 * Everything here is what Linux x86_64 does; Kestrel must do the same
 * without a kernel fault.
 */

#define ARCH_SET_GS          0x1001  /* <asm/prctl.h>, not in musl's include path */
#define ARCH_SET_FS          0x1002
#define ARCH_GET_GS          0x1004
#define RFLAGS_NT            0x4000ul
#define UC_STRICT_RESTORE_SS 0x4ul   /* not in musl's headers */
#define SI_KERNEL_CODE       0x80
#define BAD_SELECTOR         0xfffb  /* RPL 3, far beyond any GDT: the IRET raises #GP */
#define NONCANONICAL         0x0000800000000000ul
#define KERNEL_HALF_ADDR     0xffffffff80000000ul
#define LAST_USER_PAGE       0x00007ffffffff000ul /* Linux's TASK_SIZE_MAX */
#define RED_ZONE             128     /* inline asm that pushes must step over it */

/* ---- deaths ---- */

static enum { SET_CS, SET_SS, SET_RIP } frame_edit;
static unsigned long frame_value;

/* A handler that edits the frame rt_sigreturn will restore. */
static void edit_frame(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)sig, (void)si;
	if (frame_edit == SET_CS) {
		g[REG_CSGSFS] = (g[REG_CSGSFS] & ~0xffffl) | (greg_t)frame_value;
	} else if (frame_edit == SET_SS) {
		g[REG_CSGSFS] = (g[REG_CSGSFS] & ~(0xffffl << 48)) | (greg_t)(frame_value << 48);
		uc->uc_flags |= UC_STRICT_RESTORE_SS; /* Linux sets it already; be sure */
	} else {
		g[REG_RIP] = (greg_t)frame_value;
	}
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(sig, &sa, NULL) != 0)
		t_fail("sigaction(%d): %s", sig, errname(errno));
}

/* rt_sigreturn of a frame with a bad field: the way back faults (#GP on
 * the IRET for a bad selector), which must end the process with SIGSEGV. */
static void bad_frame(int what, unsigned long value)
{
	frame_edit = what;
	frame_value = value;
	install(SIGUSR1, edit_frame);
	t_say("rt_sigreturn to a frame with %s %#lx, expect SIGSEGV",
	      what == SET_CS ? "cs" : what == SET_SS ? "ss" : "rip", value);
	raise(SIGUSR1);
}

static void die_bad_iret_cs(unsigned long arg)
{
	bad_frame(SET_CS, arg ? arg : BAD_SELECTOR);
}

static void die_bad_iret_ss(unsigned long arg)
{
	bad_frame(SET_SS, arg ? arg : BAD_SELECTOR);
}

static void die_bad_sigreturn_rip(unsigned long arg)
{
	bad_frame(SET_RIP, arg ? arg : NONCANONICAL);
}

/* A handler outside user space: rt_sigaction takes it (as Linux), and
 * delivering the signal must kill with SIGSEGV, never IRET there. */
static void die_bad_handler(unsigned long arg)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = (void (*)(int))(arg ? arg : NONCANONICAL);
	if (sigaction(SIGUSR1, &sa, NULL) != 0) {
		t_fail("sigaction with handler %p: %s", (void *)sa.sa_handler, errname(errno));
		return;
	}
	t_say("SIGUSR1 with handler %p, expect SIGSEGV", (void *)sa.sa_handler);
	raise(SIGUSR1);
}

/* int3 from ring 3 is #BP: SIGTRAP (a DPL 0 gate would make it #GP: SIGSEGV). */
static void die_int3(unsigned long arg)
{
	(void)arg;
	t_say("int3, expect SIGTRAP");
	__asm__ volatile("int3" ::: "memory");
}

static const struct death {
	const char *name;
	void (*run)(unsigned long arg);
} deaths[] = {
	{ "bad-iret-cs", die_bad_iret_cs },
	{ "bad-iret-ss", die_bad_iret_ss },
	{ "bad-sigreturn-rip", die_bad_sigreturn_rip },
	{ "bad-handler", die_bad_handler },
	{ "int3", die_int3 },
};

/* ---- checks ---- */

static volatile sig_atomic_t got_sig;

static void note_sig(int sig)
{
	got_sig = sig;
}

/* RFLAGS.NT set by popf, then a system call that returns by IRET (a
 * handler runs first): the kernel must not run with the user's NT (its
 * own IRET would #GP: a double fault). */
static int check_nt_flag(void)
{
	unsigned long after;
	long ret;

	got_sig = 0;
	if (signal(SIGUSR1, note_sig) == SIG_ERR)
		return fail("signal: %s", errname(errno));
	__asm__ volatile("sub %[rz], %%rsp\n\t"
			 "pushfq\n\t"
			 "orq %[nt], (%%rsp)\n\t"
			 "popfq\n\t"
			 "syscall\n\t"		/* kill(getpid(), SIGUSR1) with NT set */
			 "pushfq\n\t"
			 "popq %[after]\n\t"
			 "pushfq\n\t"
			 "andq %[notnt], (%%rsp)\n\t"
			 "popfq\n\t"
			 "add %[rz], %%rsp"
			 : "=a"(ret), [after] "=&r"(after)
			 : "a"((long)SYS_kill), "D"((long)getpid()), "S"((long)SIGUSR1),
			   [nt] "i"(RFLAGS_NT), [notnt] "i"(~RFLAGS_NT), [rz] "i"(RED_ZONE)
			 : "rcx", "r11", "memory", "cc");
	signal(SIGUSR1, SIG_DFL);
	if (ret != 0)
		return fail("kill with NT set returned %ld", ret);
	if (got_sig != SIGUSR1)
		return fail("the SIGUSR1 handler did not run");
	remark("NT %s after the call", after & RFLAGS_NT ? "still set" : "clear");
	return CHECK_OK;
}

/* Without UC_STRICT_RESTORE_SS a bad ss in the frame is replaced by the
 * user data selector (Linux's force_valid_ss): the program goes on. */
static void edit_ss_nonstrict(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)si;
	got_sig = sig;
	g[REG_CSGSFS] = (g[REG_CSGSFS] & ~(0xffffl << 48)) | ((greg_t)BAD_SELECTOR << 48);
	uc->uc_flags &= ~UC_STRICT_RESTORE_SS;
}

static int check_ss_nonstrict(void)
{
	got_sig = 0;
	install(SIGUSR1, edit_ss_nonstrict);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	return got_sig == SIGUSR1 ? CHECK_OK : fail("the SIGUSR1 handler did not run");
}

/* clone, raw: the child (if one is made at all) exits at once, touching
 * nothing (its TLS or stack may be unusable). */
static long raw_clone(unsigned long flags, void *stack, unsigned long tls)
{
	register long r10 __asm__("r10") = 0; /* child_tid */
	register unsigned long r8 __asm__("r8") = tls;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %[exit], %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(flags), "S"(stack), "d"(0l), "r"(r10), "r"(r8),
			   [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}

/* A TLS or GS base outside user space is refused with EPERM (it would
 * reach WRMSR), from arch_prctl and from clone(CLONE_SETTLS) alike. */
static int check_settls(void)
{
	static const unsigned long bad[] = { NONCANONICAL, LAST_USER_PAGE, KERNEL_HALF_ADDR };
	static char thread_stack[16384] __attribute__((aligned(16)));
	static const unsigned long thread_flags = CLONE_VM | CLONE_FS | CLONE_FILES |
		CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS;
	char what[80];
	long r;

	for (size_t i = 0; i < NELEMS(bad); i++) {
		snprintf(what, sizeof(what), "arch_prctl(ARCH_SET_FS, %#lx)", bad[i]);
		errno = 0;
		if (want_err(what, syscall(SYS_arch_prctl, ARCH_SET_FS, bad[i]), EPERM))
			return CHECK_FAIL;
		snprintf(what, sizeof(what), "arch_prctl(ARCH_SET_GS, %#lx)", bad[i]);
		errno = 0;
		if (want_err(what, syscall(SYS_arch_prctl, ARCH_SET_GS, bad[i]), EPERM))
			return CHECK_FAIL;
		r = raw_clone(CLONE_SETTLS | SIGCHLD, NULL, bad[i]);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		if (r != -EPERM)
			return fail("clone(CLONE_SETTLS | SIGCHLD, tls %#lx) = %ld, want -EPERM", bad[i], r);
		r = raw_clone(thread_flags, thread_stack + sizeof(thread_stack), bad[i]);
		if (r != -EPERM)
			return fail("clone(thread, CLONE_SETTLS, tls %#lx) = %ld, want -EPERM", bad[i], r);
	}
	return CHECK_OK;
}

/* ARCH_SET_GS with a good address: %gs:0 reads it, also after a switch. */
static int check_gsbase(void)
{
	static volatile unsigned long word = 0x6b657374726c; /* "kestrl" */
	unsigned long base = 0, seen1, seen2;

	errno = 0;
	if (want_eq("arch_prctl(ARCH_SET_GS)", syscall(SYS_arch_prctl, ARCH_SET_GS, &word), 0))
		return CHECK_FAIL;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(seen1));
	sched_yield();
	ms_sleep(20); /* another thread runs meanwhile */
	__asm__ volatile("mov %%gs:0, %0" : "=r"(seen2));
	syscall(SYS_arch_prctl, ARCH_GET_GS, &base);
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
	if (base != (unsigned long)&word)
		return fail("ARCH_GET_GS gave %#lx, want %p", base, (void *)&word);
	if (seen1 != word || seen2 != word)
		return fail("%%gs:0 read %#lx then %#lx, want %#lx", seen1, seen2, word);
	return CHECK_OK;
}

/*
 * The GS base a program leaves by loading GS with a null selector (issue
 * 13's FS/GS fix). That load replaces the base behind the kernel's back:
 * 0 on Intel and QEMU, unchanged on older AMD parts. Either is right; what
 * must hold is consistency: ARCH_GET_GS, the base %gs-relative loads use,
 * and the base after a switch or in a forked child all agree, and another
 * process with the arch_prctl base keeps it. A kernel that trusted its
 * record of the MSR handed the other process 0, or the child the stale
 * base. The probe: two pages at P, P+GS_PROBE_BASE, each holding its own
 * mark, so %gs:P tells base 0 from base GS_PROBE_BASE without a fault.
 */
#define GS_PROBE_BASE   4096ul               /* the arch_prctl base (a page size) */
#define GS_MARK_ZERO    0x6f72657a2d7367ul   /* "gs-zero": at P, read with base 0 */
#define GS_MARK_BASE    0x657361622d7367ul   /* "gs-base": at P+GS_PROBE_BASE */
#define GS_BASE_UNKNOWN (~0ul)
#define GS_ROUNDS       20                   /* switches to the other process and back */
#define HWCAP2_FSGSBASE (1ul << 1)           /* <asm/hwcap2.h>: Linux switches bases with RDGSBASE */

static unsigned long *gs_probe;

/* Map the probe pages. 0, or -1 with errno. */
static int gs_probe_map(void)
{
	void *p = mmap(NULL, 2 * GS_PROBE_BASE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	gs_probe = p;
	gs_probe[0] = GS_MARK_ZERO;
	gs_probe[GS_PROBE_BASE / sizeof(*gs_probe)] = GS_MARK_BASE;
	return 0;
}

/* The base %gs-relative loads use now: 0, GS_PROBE_BASE or GS_BASE_UNKNOWN. */
static unsigned long gs_live(void)
{
	unsigned long v;

	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(gs_probe) : "memory");
	return v == GS_MARK_ZERO ? 0 : v == GS_MARK_BASE ? GS_PROBE_BASE : GS_BASE_UNKNOWN;
}

static unsigned long gs_get(void)
{
	unsigned long base = GS_BASE_UNKNOWN;

	syscall(SYS_arch_prctl, ARCH_GET_GS, &base);
	return base;
}

static void gs_load_null(void)
{
	__asm__ volatile("mov %w0, %%gs" : : "r"(0) : "memory");
}

/* Linux without FSGSBASE (before 5.9, or on a CPU without it) trusts its
 * saved base while the selector is null, as Kestrel did: after a switch
 * or in a child the program sees its arch_prctl base again. It says so
 * by leaving HWCAP2_FSGSBASE out of AT_HWCAP2. Kestrel must be exact. */
static int gs_legacy_linux(void)
{
	return !on_kestrel() && !(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE);
}

/* The base now is consistent (%gs-relative loads and ARCH_GET_GS agree)
 * and is want (or, on legacy Linux, the arch_prctl base). 0 or a code. */
static int gs_judge(unsigned long want, unsigned long *live, unsigned long *got)
{
	*live = gs_live();
	*got = gs_get();
	if (*live == GS_BASE_UNKNOWN || *live != *got)
		return 1;
	if (*live != want && !(gs_legacy_linux() && *live == GS_PROBE_BASE))
		return 2;
	return 0;
}

/* The other process: the arch_prctl base, every time it runs (a kernel
 * skipping the WRMSR for it would give it the base the parent's selector
 * load left). Exits 0, or 1 at the first wrong round. */
static void gs_partner(int in, int out)
{
	unsigned long live, got;
	char c;

	for (int i = 0; i < GS_ROUNDS; i++) {
		if (read(in, &c, 1) != 1)
			_exit(0);
		if (gs_judge(GS_PROBE_BASE, &live, &got) != 0) {
			t_say("partner round %d: %%gs reads base %#lx, ARCH_GET_GS %#lx, want %#lx",
			      i, live, got, GS_PROBE_BASE);
			_exit(1);
		}
		if (write(out, "k", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* Two processes with one GS base; one loads a null selector; pipe
 * ping-pong switches between them: each keeps its own base. */
static int check_gs_selector_switch(void)
{
	int to[2], from[2], bad = 0;
	unsigned long before, live = 0, got = 0;
	char c;
	pid_t pid;

	if (want_ok("mmap", gs_probe_map() == 0 ? 0 : -1) || want_ok("pipe", pipe(to)) ||
	    want_ok("pipe", pipe(from)) ||
	    want_eq("arch_prctl(ARCH_SET_GS)", syscall(SYS_arch_prctl, ARCH_SET_GS, GS_PROBE_BASE), 0))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		gs_partner(to[0], from[1]);
	}
	if (want_ok("fork", pid))
		return CHECK_FAIL;
	close(to[0]);
	close(from[1]);
	gs_load_null();
	before = gs_live();
	bad = gs_judge(before, &live, &got); /* ARCH_GET_GS reads the live base, as Linux */
	for (int i = 0; i < GS_ROUNDS && !bad; i++) {
		if (write(to[1], "p", 1) != 1 || read(from[0], &c, 1) != 1)
			break; /* the partner failed: its exit status says */
		bad = gs_judge(before, &live, &got);
	}
	close(to[1]);
	if (want_exit("the partner (arch_prctl base)", pid, 0))
		return CHECK_FAIL;
	if (before == GS_BASE_UNKNOWN)
		return fail("after a null GS load %%gs:%p reads neither mark", (void *)gs_probe);
	if (bad)
		return fail("after the load or switches: %%gs reads base %#lx, ARCH_GET_GS %#lx; at the load %#lx",
			    live, got, before);
	remark("a null selector load left base %#lx", before);
	return CHECK_OK;
}

/* fork after a null GS load: the child's base is the one the parent's
 * program left, not the arch_prctl one. */
static int check_gs_selector_fork(void)
{
	unsigned long before, live, got;
	pid_t pid;

	if (want_ok("mmap", gs_probe_map() == 0 ? 0 : -1) ||
	    want_eq("arch_prctl(ARCH_SET_GS)", syscall(SYS_arch_prctl, ARCH_SET_GS, GS_PROBE_BASE), 0))
		return CHECK_FAIL;
	gs_load_null();
	before = gs_live();
	if (before == GS_BASE_UNKNOWN)
		return fail("after a null GS load %%gs:%p reads neither mark", (void *)gs_probe);
	pid = fork();
	if (pid == 0) {
		if (gs_judge(before, &live, &got) != 0) {
			t_say("child: %%gs reads base %#lx, ARCH_GET_GS %#lx; the parent's %#lx",
			      live, got, before);
			_exit(1);
		}
		_exit(0);
	}
	if (want_ok("fork", pid))
		return CHECK_FAIL;
	if (want_exit("the child (its GS base)", pid, 0))
		return CHECK_FAIL;
	remark("a null selector load left base %#lx", before);
	return CHECK_OK;
}

/* What a trap handler saw. */
static volatile struct {
	int signo, code;
	unsigned long trapno, rip;
} seen;
static volatile unsigned long resume_at;

static void note_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	seen.signo = sig;
	seen.code = si->si_code;
	seen.trapno = (unsigned long)uc->uc_mcontext.gregs[REG_TRAPNO];
	seen.rip = (unsigned long)uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume_at; /* on past it, trap or fault */
}

/* One trapping instruction: its signal, si_code, trapno, and RIP just after
 * it (a trap, not a fault). */
#define TRAP_CASE(insn, label, sig, want_trapno)                                                   \
	do {                                                                                  \
		memset((void *)&seen, 0, sizeof(seen));                                       \
		__asm__ volatile("lea 1f(%%rip), %%rax\n\t"                                   \
				 "mov %%rax, %0\n\t" insn "\n1:"                              \
				 : "=m"(resume_at) : : "rax", "memory");                      \
		if (seen.signo != (sig) || seen.code != SI_KERNEL_CODE ||                     \
		    seen.trapno != (want_trapno) || seen.rip != resume_at)                         \
			return fail("%s: signal %d code %#x trapno %lu rip %#lx, want %d %#x %d " \
				    "%#lx", label, seen.signo, seen.code, seen.trapno, seen.rip,  \
				    sig, SI_KERNEL_CODE, want_trapno, resume_at);                  \
	} while (0)

static int check_traps(void)
{
	install(SIGTRAP, note_trap);
	install(SIGSEGV, note_trap);
	TRAP_CASE("int3", "int3", SIGTRAP, 3);
	TRAP_CASE("int $3", "int $3", SIGTRAP, 3);
	TRAP_CASE("int $4", "int $4 (#OF)", SIGSEGV, 4);
	signal(SIGTRAP, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "nt-flag", check_nt_flag },
	{ "ss-nonstrict", check_ss_nonstrict },
	{ "settls", check_settls },
	{ "gsbase", check_gsbase },
	{ "gs-selector-switch", check_gs_selector_switch },
	{ "gs-selector-fork", check_gs_selector_fork },
	{ "traps", check_traps },
};

int main(int argc, char **argv)
{
	t_begin("entry");
	for (size_t i = 0; argc > 1 && i < NELEMS(deaths); i++) {
		if (strcmp(argv[1], deaths[i].name) != 0)
			continue;
		deaths[i].run(argc > 2 ? strtoul(argv[2], NULL, 0) : 0);
		t_fail("%s: still alive", argv[1]);
		return 1;
	}
	c_isolate = 1; /* a check that is killed fails alone */
	return run_checks("entry", checks, NELEMS(checks), argc, argv);
}
