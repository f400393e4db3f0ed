// SPDX-License-Identifier: MIT
// ptrace as Linux's: TRACEME and exec stops, registers, the tracee's memory, syscall stops,
// signal injection and suppression, single steps, a tracer that exits, the checks on registers,
// fork events.
#define _GNU_SOURCE
#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <elf.h>
#include "checks.h"

/*
 * As Linux (ptrace(2)). A traced process stops before each signal is
 * acted on (its tracer sees WIFSTOPPED with the signal in wait4 without
 * WUNTRACED) and the tracer's resume decides what is delivered: 0 drops
 * it, another signal replaces it. An exec by a PTRACE_TRACEME'd process
 * stops with SIGTRAP, or with SIGTRAP | PTRACE_EVENT_EXEC << 8 under
 * PTRACE_O_TRACEEXEC (the event message: the former thread id).
 * PTRACE_SYSCALL stops at each system call's entry (RAX -ENOSYS, the
 * number in orig_rax, which the tracer may change) and exit (RAX the
 * result), as SIGTRAP | 0x80 with PTRACE_O_TRACESYSGOOD. PEEKDATA and
 * POKEDATA reach the tracee's memory; POKETEXT into a read-only private
 * page writes the tracee's own copy, never the page it shares with
 * others. SETREGS refuses a selector without RPL 3 and a base outside
 * user space (EIO) and masks RFLAGS; a non-canonical RIP ends in SIGSEGV,
 * never in the kernel. A tracer that exits lets its tracees go on, or
 * kills them with PTRACE_O_EXITKILL. PTRACE_O_TRACEFORK stops a fork with
 * SIGTRAP | PTRACE_EVENT_FORK << 8 (the message: the new pid), and the
 * new process is traced from its start, stopped with SIGSTOP.
 * The debug-register words of struct user (u_debugreg) are the
 * tracee's hardware breakpoints, checked as Linux's: an address outside
 * user space, or not aligned to its watch's length, EINVAL (nothing
 * changed); a DR7 with an I/O watch or a long instruction breakpoint
 * EINVAL (the slots as before); DR4 and DR5 EIO. An armed watch or
 * instruction breakpoint stops the tracee with SIGTRAP, si_code
 * TRAP_HWBKPT, the slot's bit in DR6; CONT goes on past it.
 * PTRACE_ATTACH's SIGSTOP comes from the kernel (SI_KERNEL); attached
 * to a process stopped by a signal, it is in a ptrace-stop at once.
 *
 * The program is also its own exec target: "t-ptrace --exit N" exits N,
 * "t-ptrace --rodata" exits 0 when its read-only word is the original.
 */
#define MODE_EXIT    "--exit"
#define MODE_RODATA  "--rodata"
#define EXIT_CODE    7
#define WAIT_MS      5000
#define MAX_STOPS    200
#define MAGIC        0x1122334455667788L
#define MAGIC2       0x0badc0ffee0ddf00L
#define RODATA_NEW   0x5a5a5a5a5a5a5a5aL

static char self[PATH_MAX];
static volatile long magic = MAGIC;
static const volatile long rodata_word = 0x0123456789abcdefL;

/* Wait (within WAIT_MS) for pid to stop or end: its status. */
static int wait_for(pid_t pid, int *st)
{
	return wait_child(pid, WAIT_MS, st);
}

/* wait_for, and require a stop with signal sig (or, with sig's high
 * bits, the whole status >> 8). */
static int want_stop(pid_t pid, int sig)
{
	int st;

	if (wait_for(pid, &st))
		return CHECK_FAIL;
	if (!WIFSTOPPED(st) || (st >> 8) != sig)
		return fail("status %#x, want a stop with %#x", st, sig);
	return CHECK_OK;
}

/* Reap a tracee we are done with, whatever state it is in. */
static void kill_reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == pid && !WIFEXITED(st) && !WIFSIGNALED(st))
		;
}

/* A child that asks to be traced and stops itself with SIGSTOP, then
 * runs body (its exit status). The parent sees the SIGSTOP stop. */
static pid_t traced_child(int (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(100);
		raise(SIGSTOP);
		_exit(body());
	}
	if (pid > 0 && want_stop(pid, SIGSTOP)) {
		kill_reap(pid);
		return -1;
	}
	return pid;
}

/* The end of a tracee: resumed with PTRACE_CONT, it must exit with code. */
static int cont_to_exit(pid_t pid, int code)
{
	int st;

	if (ptrace(PTRACE_CONT, pid, 0, 0))
		return kill_reap(pid), fail("PTRACE_CONT: %s", errname(errno));
	if (wait_for(pid, &st))
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != code)
		return kill_reap(pid), fail("tracee status %#x, want exit %d", st, code);
	return CHECK_OK;
}

static int exec_self_exit(void)
{
	char code[8];
	char *argv[] = { self, MODE_EXIT, code, NULL };

	snprintf(code, sizeof(code), "%d", EXIT_CODE);
	execv(self, argv);
	return 101;
}

/* TRACEME then exec: a SIGTRAP stop in the new program, whose registers
 * PEEKUSER and GETREGS agree on. */
static int check_traceme_exec(void)
{
	struct user_regs_struct r;
	pid_t pid = traced_child(exec_self_exit);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_CONT, pid, 0, 0))
		return kill_reap(pid), fail("PTRACE_CONT: %s", errname(errno));
	if (want_stop(pid, SIGTRAP))
		return kill_reap(pid), CHECK_FAIL;
	errno = 0;
	long rip = ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user_regs_struct, rip), 0);
	if (errno || ptrace(PTRACE_GETREGS, pid, 0, &r))
		return kill_reap(pid), fail("PEEKUSER/GETREGS: %s", errname(errno));
	if ((unsigned long)rip != r.rip || r.rip == 0 || (r.cs & 3) != 3)
		return kill_reap(pid), fail("rip %#lx, GETREGS rip %#llx cs %#llx", rip,
					    (unsigned long long)r.rip, (unsigned long long)r.cs);
	return cont_to_exit(pid, EXIT_CODE);
}

/* PTRACE_O_TRACEEXEC: the exec event stop and its message. */
static int check_exec_event(void)
{
	unsigned long msg = 0;
	pid_t pid = traced_child(exec_self_exit);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) ||
	    ptrace(PTRACE_CONT, pid, 0, 0))
		return kill_reap(pid), fail("SETOPTIONS/CONT: %s", errname(errno));
	if (want_stop(pid, SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
		return kill_reap(pid), CHECK_FAIL;
	if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg) || msg != (unsigned long)pid)
		return kill_reap(pid), fail("GETEVENTMSG: %lu (%s), want %d", msg, errname(errno), pid);
	return cont_to_exit(pid, EXIT_CODE);
}

static int check_magic(void)
{
	return magic == MAGIC2 ? 0 : 1;
}

/* PEEKDATA reads the tracee's word; POKEDATA writes its copy only. */
static int check_peek_poke(void)
{
	pid_t pid = traced_child(check_magic);

	if (pid < 0)
		return CHECK_FAIL;
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, pid, &magic, 0);
	if (errno || w != MAGIC)
		return kill_reap(pid), fail("PEEKDATA %#lx (%s)", w, errname(errno));
	if (ptrace(PTRACE_POKEDATA, pid, &magic, MAGIC2))
		return kill_reap(pid), fail("POKEDATA: %s", errname(errno));
	errno = 0;
	if (ptrace(PTRACE_PEEKDATA, pid, 0, 0) != -1 || errno != EIO)
		return kill_reap(pid), fail("PEEKDATA at 0: %s, want EIO", errname(errno));
	if (magic != MAGIC)
		return kill_reap(pid), fail("the tracer's own word changed");
	return cont_to_exit(pid, 0);
}

static int check_rodata(void)
{
	return rodata_word == RODATA_NEW ? 0 : 1;
}

/* POKETEXT into read-only private memory: the tracee sees it, the
 * tracer and a new run of the same program do not. */
static int check_poke_rodata(void)
{
	pid_t pid = traced_child(check_rodata);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_POKETEXT, pid, &rodata_word, RODATA_NEW))
		return kill_reap(pid), fail("POKETEXT: %s", errname(errno));
	if (cont_to_exit(pid, 0))
		return CHECK_FAIL;
	if (rodata_word == RODATA_NEW)
		return fail("the tracer's read-only page changed");
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self, MODE_RODATA, NULL };
		execv(self, argv);
		_exit(101);
	}
	return want_exit("a new run", pid, 0);
}

static int call_getppid(void)
{
	return syscall(SYS_getppid) == getpid() ? 0 : 1;
}

/* One PTRACE_SYSCALL stop: its registers, or -1. */
static int syscall_stop(pid_t pid, struct user_regs_struct *r)
{
	if (ptrace(PTRACE_SYSCALL, pid, 0, 0) || want_stop(pid, SIGTRAP | 0x80) ||
	    ptrace(PTRACE_GETREGS, pid, 0, r))
		return -1;
	return 0;
}

/* PTRACE_SYSCALL: entry and exit stops; getppid turned into getpid at its entry. */
static int check_syscall_stops(void)
{
	struct user_regs_struct r;
	pid_t pid = traced_child(call_getppid);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD))
		return kill_reap(pid), fail("SETOPTIONS: %s", errname(errno));
	for (int i = 0; i < MAX_STOPS; i++) {
		if (syscall_stop(pid, &r))
			return kill_reap(pid), CHECK_FAIL;
		if (r.orig_rax != SYS_getppid)
			continue;
		if ((long)r.rax != -ENOSYS)
			return kill_reap(pid), fail("entry stop rax %lld, want -ENOSYS", (long long)r.rax);
		r.orig_rax = SYS_getpid;
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) || syscall_stop(pid, &r))
			return kill_reap(pid), fail("SETREGS or exit stop: %s", errname(errno));
		if ((long)r.rax != pid || r.orig_rax != SYS_getpid)
			return kill_reap(pid), fail("exit stop rax %lld orig %lld, want %d",
						    (long long)r.rax, (long long)r.orig_rax, pid);
		return cont_to_exit(pid, 0);
	}
	return kill_reap(pid), fail("no getppid entry stop in %d stops", MAX_STOPS);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int raise_signals(void)
{
	signal(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR2);  /* would kill: the tracer drops it */
	kill(getpid(), SIGTERM);  /* the tracer turns it into SIGUSR1 */
	return got_usr1 ? 0 : 1;
}

/* Signal-delivery-stops: seen, suppressed, replaced. */
static int check_signals(void)
{
	siginfo_t si;
	pid_t pid = traced_child(raise_signals);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_CONT, pid, 0, 0) || want_stop(pid, SIGUSR2))
		return kill_reap(pid), CHECK_FAIL;
	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) || si.si_signo != SIGUSR2 ||
	    si.si_pid != pid)
		return kill_reap(pid), fail("GETSIGINFO: signo %d pid %d (%s)", si.si_signo,
					    si.si_pid, errname(errno));
	if (ptrace(PTRACE_CONT, pid, 0, 0) || want_stop(pid, SIGTERM))
		return kill_reap(pid), CHECK_FAIL;
	if (ptrace(PTRACE_CONT, pid, 0, SIGUSR1))
		return kill_reap(pid), fail("CONT with SIGUSR1: %s", errname(errno));
	int st; /* no stop for the injected signal: its handler runs, the child exits 0 */
	if (wait_for(pid, &st))
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return kill_reap(pid), fail("after the injection: status %#x, want exit 0", st);
	return CHECK_OK;
}

/* The words of struct user that PEEKUSER and POKEUSER reach DRn by. */
#define DR_OFF(n)        offsetof(struct user, u_debugreg[n])
#define DR6_CLEAR        0xffff0ff0ul       /* DR6 with nothing recorded (Linux's DR6_RESERVED) */
#define DR7_L0           0x1ul              /* slot 0 enabled */
#define DR7_L1           0x4ul
#define DR7_RW0(rw)      ((unsigned long)(rw) << 16)
#define DR7_LEN0(len)    ((unsigned long)(len) << 18)
#define DR7_RW1(rw)      ((unsigned long)(rw) << 20)
#define DR7_LEN1(len)    ((unsigned long)(len) << 22)
#define DR_RW_WRITE      1
#define DR_RW_IO         2
#define DR_RW_READWRITE  3
#define DR_LEN_2         1
#define DR_LEN_8         2
#define DR_LEN_4         3
#define KERNEL_ADDR      0xffff800000000000ul
#define USER_END         0x7ffffffff000ul   /* Linux's TASK_SIZE_MAX */
#ifndef TRAP_HWBKPT
#define TRAP_HWBKPT      4
#endif

static long poke_dr(pid_t pid, int n, unsigned long v)
{
	errno = 0;
	return ptrace(PTRACE_POKEUSER, pid, DR_OFF(n), v);
}

/* DRn of pid, or -1 with errno set. */
static long peek_dr(pid_t pid, int n)
{
	errno = 0;
	return ptrace(PTRACE_PEEKUSER, pid, DR_OFF(n), 0);
}

/* Require DRn of pid to read want. */
static int want_dr(pid_t pid, int n, unsigned long want)
{
	long v = peek_dr(pid, n);

	if ((unsigned long)v != want || errno)
		return fail("DR%d reads %#lx (%s), want %#lx", n, (unsigned long)v, errname(errno), want);
	return CHECK_OK;
}

static int spin(void)
{
	for (volatile int i = 0; i < 1000; i++)
		;
	return 0;
}

/* PTRACE_SINGLESTEP: each step a SIGTRAP stop at a new RIP; CONT runs on. */
static int check_singlestep(void)
{
	struct user_regs_struct r;
	unsigned long long last = 0;
	pid_t pid = traced_child(spin);

	if (pid < 0)
		return CHECK_FAIL;
	for (int i = 0; i < 5; i++) {
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) || want_stop(pid, SIGTRAP) ||
		    ptrace(PTRACE_GETREGS, pid, 0, &r))
			return kill_reap(pid), fail("step %d: %s", i, errname(errno));
		if (r.rip == last)
			return kill_reap(pid), fail("step %d: rip %#llx again", i, (unsigned long long)r.rip);
		last = r.rip;
	}
	return cont_to_exit(pid, 0);
}

/* The debug-register words' checks, as Linux's ptrace_set_debugreg and
 * hw_breakpoint.c: LTP's ptrace08 (a kernel address EINVAL, the old one
 * kept) and ptrace10 (a second address for a disabled slot taken). */
static int debugreg_refusals(pid_t pid)
{
	int err;

	if ((err = want_dr(pid, 0, 0)) || (err = want_dr(pid, 6, DR6_CLEAR)) || (err = want_dr(pid, 7, 0)) ||
	    (err = want_err("DR0 kernel", poke_dr(pid, 0, KERNEL_ADDR), EINVAL)) ||
	    (err = want_err("DR0 past user space", poke_dr(pid, 0, USER_END), EINVAL)) ||
	    (err = want_err("DR4", poke_dr(pid, 4, 0), EIO)) || (err = want_dr(pid, 4, 0)))
		return err;
	if (poke_dr(pid, 0, USER_END - 1) || poke_dr(pid, 0, 1) || poke_dr(pid, 0, 2))
		return fail("DR0 = a user address: %s", errname(errno));
	if ((err = want_dr(pid, 0, 2)))
		return err;
	if (poke_dr(pid, 7, DR7_L0))
		return fail("DR7 = an instruction breakpoint: %s", errname(errno));
	if ((err = want_err("DR0 kernel, enabled", poke_dr(pid, 0, KERNEL_ADDR), EINVAL)) ||
	    (err = want_dr(pid, 0, 2)) ||
	    (err = want_err("DR7 I/O", poke_dr(pid, 7, DR7_L0 | DR7_RW0(DR_RW_IO)), EINVAL)) ||
	    (err = want_err("DR7 long exec", poke_dr(pid, 7, DR7_L0 | DR7_LEN0(DR_LEN_4)), EINVAL)) ||
	    (err = want_err("DR7 misaligned", poke_dr(pid, 7, DR7_L0 | DR7_RW0(DR_RW_WRITE) | DR7_LEN0(DR_LEN_8)),
			    EINVAL)) ||
	    (err = want_dr(pid, 7, DR7_L0)))
		return err;
	if (poke_dr(pid, 1, 0x1003))
		return fail("DR1 = 0x1003: %s", errname(errno));
	if ((err = want_err("DR1 misaligned", poke_dr(pid, 7, DR7_L0 | DR7_L1 | DR7_RW1(DR_RW_WRITE) | DR7_LEN1(DR_LEN_2)),
			    EINVAL)) ||
	    (err = want_dr(pid, 7, DR7_L0)))
		return err;
	if (poke_dr(pid, 6, 0) || poke_dr(pid, 7, 0))
		return fail("DR6 = 0, DR7 = 0: %s", errname(errno));
	return want_dr(pid, 6, 0);
}

static int check_debugregs(void)
{
	pid_t pid = traced_child(spin);

	if (pid < 0)
		return CHECK_FAIL;
	int err = debugreg_refusals(pid);
	if (err)
		return kill_reap(pid), err;
	return cont_to_exit(pid, 0);
}

static volatile long watched;
static volatile short watched_short;

static int write_watched(void)
{
	watched = MAGIC;
	return watched == MAGIC ? 0 : 1;
}

/* Resume pid and require a SIGTRAP stop of breakpoint 0 (si_code
 * TRAP_HWBKPT, DR6's bit 0); its RIP into *rip. */
static int want_breakpoint_stop(pid_t pid, unsigned long long *rip)
{
	struct user_regs_struct r;
	siginfo_t si;
	int st;

	if (ptrace(PTRACE_CONT, pid, 0, 0))
		return fail("CONT: %s", errname(errno));
	if (wait_for(pid, &st))
		return CHECK_FAIL;
	if (WIFEXITED(st) && !on_kestrel()) /* Kestrel runs where debug registers work (QEMU) */
		return skip("no #DB came: this machine's CPU gives its guests no hardware breakpoints");
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		return fail("status %#x, want a SIGTRAP stop", st);
	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) || si.si_code != TRAP_HWBKPT)
		return fail("GETSIGINFO: code %d, want TRAP_HWBKPT (%s)", si.si_code, errname(errno));
	long dr6 = peek_dr(pid, 6);
	if (errno || (dr6 & 0xf) != 1)
		return fail("DR6 %#lx, want breakpoint 0's bit", (unsigned long)dr6);
	if (ptrace(PTRACE_GETREGS, pid, 0, &r))
		return fail("GETREGS: %s", errname(errno));
	*rip = r.rip;
	return CHECK_OK;
}

/* An 8-byte write watch: the write stops the tracee (the trap comes
 * after the instruction), which then goes on to its end. */
static int check_watchpoint(void)
{
	unsigned long long rip;
	pid_t pid = traced_child(write_watched);

	if (pid < 0)
		return CHECK_FAIL;
	if (poke_dr(pid, 0, (unsigned long)&watched) ||
	    poke_dr(pid, 7, DR7_L0 | DR7_RW0(DR_RW_WRITE) | DR7_LEN0(DR_LEN_8)))
		return kill_reap(pid), fail("arming the watch: %s", errname(errno));
	int err = want_breakpoint_stop(pid, &rip);
	if (err)
		return kill_reap(pid), err;
	return cont_to_exit(pid, 0);
}

static __attribute__((noinline)) int breakpoint_target(void)
{
	__asm__ volatile("" ::: "memory");
	return 0;
}

static int (*volatile call_target)(void) = breakpoint_target;

static int call_breakpoint_target(void)
{
	return call_target();
}

/* An instruction breakpoint stops the tracee before the instruction,
 * RIP on it; CONT runs it (the resume flag), not a second stop. */
static int check_exec_breakpoint(void)
{
	unsigned long long rip;
	pid_t pid = traced_child(call_breakpoint_target);

	if (pid < 0)
		return CHECK_FAIL;
	if (poke_dr(pid, 0, (unsigned long)breakpoint_target) || poke_dr(pid, 7, DR7_L0))
		return kill_reap(pid), fail("arming the breakpoint: %s", errname(errno));
	int err = want_breakpoint_stop(pid, &rip);
	if (err)
		return kill_reap(pid), err;
	if (rip != (unsigned long long)(uintptr_t)breakpoint_target)
		return kill_reap(pid), fail("stopped at %#llx, want %p", rip, (void *)breakpoint_target);
	return cont_to_exit(pid, 0);
}

static char kernel_watched[16] __attribute__((aligned(8)));

static int read_into_watched(void)
{
	int p[2];

	if (pipe(p) || write(p[1], "kestrel!", 8) != 8 || read(p[0], kernel_watched, 8) != 8)
		return 1;
	return memcmp(kernel_watched, "kestrel!", 8) ? 2 : 0;
}

/* A write watch that the kernel's own write hits (read(2) into the
 * watched bytes): the kernel goes on and the tracee does not stop, as on
 * Linux (which only notes the hit in the virtual DR6). */
static int check_kernel_hit(void)
{
	pid_t pid = traced_child(read_into_watched);

	if (pid < 0)
		return CHECK_FAIL;
	if (poke_dr(pid, 0, (unsigned long)kernel_watched) ||
	    poke_dr(pid, 7, DR7_L0 | DR7_RW0(DR_RW_WRITE) | DR7_LEN0(DR_LEN_8)))
		return kill_reap(pid), fail("arming the watch: %s", errname(errno));
	return cont_to_exit(pid, 0);
}

/* LTP's ptrace09 (CVE-2018-8897): a watched MOV SS holds its #DB back
 * past the INT3 that follows, into the kernel's entry. */
static int mov_ss_int3(void)
{
	__asm__ volatile("mov %%ss, %0\n\tmov %0, %%ss\n\tint $3\n" : "+m"(watched_short));
	return 0;
}

static int check_mov_ss(void)
{
	pid_t pid = traced_child(mov_ss_int3);
	int st;

	if (pid < 0)
		return CHECK_FAIL;
	if (poke_dr(pid, 0, (unsigned long)&watched_short) ||
	    poke_dr(pid, 7, DR7_L0 | DR7_RW0(DR_RW_READWRITE)))
		return kill_reap(pid), fail("arming the watch: %s", errname(errno));
	for (int i = 0; i < MAX_STOPS; i++) {
		if (ptrace(PTRACE_CONT, pid, 0, 0))
			return kill_reap(pid), fail("CONT: %s", errname(errno));
		if (wait_for(pid, &st))
			return kill_reap(pid), CHECK_FAIL;
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != SIGTRAP)
			return kill_reap(pid), fail("stop %#x, want SIGTRAP", st);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return kill_reap(pid), fail("status %#x, want exit 0", st);
	return CHECK_OK;
}

static int sleep_long(void);

/* PTRACE_ATTACH's SIGSTOP is the kernel's (Linux's SEND_SIG_PRIV:
 * si_code SI_KERNEL, no sender), which is why it stops even init
 * (LTP's ptrace11; the self-test has no init to try it on). */
static int check_attach_sigstop(void)
{
	siginfo_t si;
	int err;
	pid_t pid = fork();

	if (pid == 0)
		_exit(sleep_long());
	if (pid < 0 || ptrace(PTRACE_ATTACH, pid, 0, 0))
		return kill_reap(pid), fail("fork or ATTACH: %s", errname(errno));
	if ((err = want_stop(pid, SIGSTOP)))
		return kill_reap(pid), err;
	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) || si.si_signo != SIGSTOP || si.si_code != SI_KERNEL ||
	    si.si_pid != 0)
		return kill_reap(pid), fail("GETSIGINFO: signo %d code %#x pid %d (%s), want SIGSTOP from the kernel",
					    si.si_signo, si.si_code, si.si_pid, errname(errno));
	kill_reap(pid);
	return CHECK_OK;
}

static int stop_then_exit(void)
{
	raise(SIGSTOP);
	return 0;
}

/* PTRACE_ATTACH to a process stopped by SIGSTOP: it is in a ptrace-stop
 * when ATTACH returns (POKEUSER at once, as LTP's ptrace08 and 10 do),
 * wait4 reports the stop, and after DETACH it stays stopped until
 * SIGCONT. */
static int check_attach_stopped(void)
{
	int st, err;
	pid_t pid = fork();

	if (pid == 0)
		_exit(stop_then_exit());
	if (pid < 0 || waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st))
		return kill_reap(pid), fail("the child did not stop (%#x)", st);
	if (ptrace(PTRACE_ATTACH, pid, 0, 0))
		return kill_reap(pid), fail("ATTACH: %s", errname(errno));
	if (poke_dr(pid, 0, 1) || (err = want_dr(pid, 0, 1)))
		return kill_reap(pid), fail("POKEUSER right after ATTACH: %s", errname(errno));
	if ((err = want_stop(pid, SIGSTOP)))
		return kill_reap(pid), err;
	if (ptrace(PTRACE_DETACH, pid, 0, 0))
		return kill_reap(pid), fail("DETACH: %s", errname(errno));
	if (waitpid(pid, &st, WNOHANG) != 0)
		return kill_reap(pid), fail("status %#x after DETACH, want it still stopped", st);
	kill(pid, SIGCONT);
	if (wait_for(pid, &st))
		return kill_reap(pid), CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("status %#x, want exit 0", st);
	return CHECK_OK;
}

/* A tracee the tracer (a child of ours) attaches to and leaves by
 * exiting; exitkill: with PTRACE_O_EXITKILL. The tracee's fate. */
static int tracer_exits(bool exitkill, int *tracee_status)
{
	volatile long *count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				    -1, 0);
	if (count == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	pid_t tracee = fork();
	if (tracee == 0) {
		for (;;) {
			(*count)++;
			ms_sleep(1);
		}
	}
	pid_t tracer = fork();
	if (tracer == 0) {
		int st;
		if (ptrace(PTRACE_ATTACH, tracee, 0, 0) || waitpid(tracee, &st, 0) != tracee ||
		    !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP)
			_exit(1);
		if (exitkill && ptrace(PTRACE_SETOPTIONS, tracee, 0, PTRACE_O_EXITKILL))
			_exit(2);
		_exit(0);
	}
	int err = want_exit("the tracer", tracer, 0);
	long before = *count;
	ms_sleep(100);
	bool runs = *count != before;
	if (!err && exitkill)
		err = wait_child(tracee, WAIT_MS, tracee_status);
	else
		kill_reap(tracee);
	munmap((void *)count, 4096);
	if (!err && !exitkill && !runs)
		return fail("the tracee does not run after its tracer exited");
	return err;
}

static int check_tracer_exit(void)
{
	int st = 0;

	if (tracer_exits(false, &st))
		return CHECK_FAIL;
	if (tracer_exits(true, &st))
		return CHECK_FAIL;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		return fail("EXITKILL: tracee status %#x, want SIGKILL", st);
	return CHECK_OK;
}

/* What the kernel refuses: itself, a second tracer, requests to a
 * process not traced or not stopped, a bad request, bad options. */
static int check_refusals(void)
{
	struct user_regs_struct r;
	int err;

	errno = 0;
	if ((err = want_err("ATTACH self", ptrace(PTRACE_ATTACH, getpid(), 0, 0), EPERM)))
		return err;
	pid_t pid = traced_child(spin);
	if (pid < 0)
		return CHECK_FAIL;
	pid_t other = fork();
	if (other == 0)
		_exit(ptrace(PTRACE_ATTACH, pid, 0, 0) == -1 && errno == EPERM ? 0 : 1);
	if ((err = want_exit("a second tracer", other, 0)))
		return kill_reap(pid), err;
	errno = 0;
	if ((err = want_err("bad request", ptrace(0x7777, pid, 0, 0), EIO)) ||
	    (err = want_err("bad option", ptrace(PTRACE_SETOPTIONS, pid, 0, 0x80000000u), EINVAL)) ||
	    (err = want_err("GETREGS not traced", ptrace(PTRACE_GETREGS, getppid(), 0, &r), ESRCH)))
		return kill_reap(pid), err;
	if (ptrace(PTRACE_CONT, pid, 0, 0))
		return kill_reap(pid), fail("CONT: %s", errname(errno));
	int st;
	if (wait_for(pid, &st) || !WIFEXITED(st))
		return fail("status %#x", st);
	return CHECK_OK;
}

static int sleep_long(void)
{
	ms_sleep(WAIT_MS);
	return 0;
}

/* SETREGS: selectors without RPL 3 and kernel bases are EIO; IOPL is
 * masked; a non-canonical RIP is SIGSEGV for the tracee. */
static int check_setregs(void)
{
	struct user_regs_struct r, good;
	pid_t pid = traced_child(sleep_long);
	int err;

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_GETREGS, pid, 0, &good))
		return kill_reap(pid), fail("GETREGS: %s", errname(errno));
	r = good;
	r.cs = 0x10;
	errno = 0;
	if ((err = want_err("SETREGS cs 0x10", ptrace(PTRACE_SETREGS, pid, 0, &r), EIO)))
		return kill_reap(pid), err;
	r = good;
	r.fs_base = 0xffff800000000000ull;
	errno = 0;
	if ((err = want_err("SETREGS kernel fs_base", ptrace(PTRACE_SETREGS, pid, 0, &r), EIO)))
		return kill_reap(pid), err;
	r = good;
	r.eflags |= 0x3000; /* IOPL 3 */
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_GETREGS, pid, 0, &r) ||
	    (r.eflags & 0x3000))
		return kill_reap(pid), fail("IOPL: eflags %#llx (%s)", (unsigned long long)r.eflags,
					    errname(errno));
	r.rip = 0x0000800000000000ull;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_CONT, pid, 0, 0) ||
	    want_stop(pid, SIGSEGV) || ptrace(PTRACE_CONT, pid, 0, SIGSEGV))
		return kill_reap(pid), fail("non-canonical rip: no SIGSEGV stop (%s)", errname(errno));
	int st;
	if (wait_for(pid, &st))
		return CHECK_FAIL;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
		return fail("status %#x, want SIGSEGV", st);
	return CHECK_OK;
}

/* GETREGSET NT_PRSTATUS: the whole user_regs_struct, iov_len set. */
static int check_regset(void)
{
	struct user_regs_struct r;
	struct iovec iov = { &r, sizeof(r) + 64 };
	pid_t pid = traced_child(spin);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) || iov.iov_len != sizeof(r))
		return kill_reap(pid), fail("GETREGSET: len %zu (%s)", iov.iov_len, errname(errno));
	r.rax = 0x42;
	if (ptrace(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov))
		return kill_reap(pid), fail("SETREGSET: %s", errname(errno));
	errno = 0;
	if (ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user_regs_struct, rax), 0) != 0x42)
		return kill_reap(pid), fail("PEEKUSER rax after SETREGSET (%s)", errname(errno));
	return cont_to_exit(pid, 0);
}

static int fork_grandchild(void)
{
	int st;
	pid_t g = fork();

	if (g == 0)
		_exit(3);
	return waitpid(g, &st, 0) == g && WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 1;
}

/* PTRACE_O_TRACEFORK: the fork event (message: the new pid), and the new
 * process traced too, stopped by SIGSTOP; detached, it runs to its end. */
static int check_fork_event(void)
{
	unsigned long msg = 0;
	pid_t pid = traced_child(fork_grandchild);

	if (pid < 0)
		return CHECK_FAIL;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEFORK) || ptrace(PTRACE_CONT, pid, 0, 0))
		return kill_reap(pid), fail("SETOPTIONS/CONT: %s", errname(errno));
	if (want_stop(pid, SIGTRAP | (PTRACE_EVENT_FORK << 8)))
		return kill_reap(pid), CHECK_FAIL;
	if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg) || msg == 0)
		return kill_reap(pid), fail("GETEVENTMSG: %lu (%s)", msg, errname(errno));
	if (ptrace(PTRACE_CONT, pid, 0, 0))
		return kill_reap(pid), fail("CONT: %s", errname(errno));
	if (want_stop((pid_t)msg, SIGSTOP))
		return kill_reap(pid), CHECK_FAIL;
	if (ptrace(PTRACE_DETACH, (pid_t)msg, 0, 0))
		return kill_reap(pid), fail("DETACH the new process: %s", errname(errno));
	int st;
	for (int i = 0; i < MAX_STOPS; i++) { /* the SIGCHLD of its end stops it too */
		if (wait_for(pid, &st))
			return CHECK_FAIL;
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != SIGCHLD || ptrace(PTRACE_CONT, pid, 0, 0))
			return kill_reap(pid), fail("stop %#x (%s)", st, errname(errno));
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("status %#x, want exit 0", st);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "traceme-exec", check_traceme_exec },
	{ "exec-event", check_exec_event },
	{ "peek-poke", check_peek_poke },
	{ "poke-rodata", check_poke_rodata },
	{ "syscall-stops", check_syscall_stops },
	{ "signals", check_signals },
	{ "singlestep", check_singlestep },
	{ "tracer-exit", check_tracer_exit },
	{ "refusals", check_refusals },
	{ "setregs", check_setregs },
	{ "regset", check_regset },
	{ "fork-event", check_fork_event },
	{ "debugregs", check_debugregs },
	{ "watchpoint", check_watchpoint },
	{ "exec-breakpoint", check_exec_breakpoint },
	{ "mov-ss", check_mov_ss },
	{ "kernel-hit", check_kernel_hit },
	{ "attach-sigstop", check_attach_sigstop },
	{ "attach-stopped", check_attach_stopped },
};

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], MODE_EXIT) == 0)
		return atoi(argv[2]);
	if (argc >= 2 && strcmp(argv[1], MODE_RODATA) == 0)
		return rodata_word == 0x0123456789abcdefL ? 0 : 1;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return fail("readlink /proc/self/exe: %s", errname(errno)), 1;
	self[n] = '\0';
	return run_checks("ptrace", checks, NELEMS(checks), argc, argv);
}
