// SPDX-License-Identifier: MIT
// The kernel's entry and exit paths against hostile user values: RFLAGS.NT, bad IRET frames, bad handler addresses, TLS bases, int3.
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
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
