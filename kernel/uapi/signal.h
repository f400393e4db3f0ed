/* SPDX-License-Identifier: MIT */
/* Linux's signal ABI: numbers, dispositions, sigaction and sigaltstack flags, si_code values. */
#ifndef KESTREL_UAPI_SIGNAL_H
#define KESTREL_UAPI_SIGNAL_H

#include <stdint.h>

/* Signal numbers (x86_64, include/uapi/asm-generic/signal.h). */
#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGSTKFLT 16
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGXCPU   24
#define SIGXFSZ   25
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define SIGIO     29
#define SIGPWR    30
#define SIGSYS    31

/* Signals 1..NSIG; a sigset_t is NSIG bits, bit (sig - 1). */
#define NSIG          64
#define SIGRTMIN      32  /* the kernel's first real-time signal (libc reserves a few) */
#define SIGSET_BYTES  (NSIG / 8)

/* sa_handler values that are not handlers. */
#define SIG_DFL 0
#define SIG_IGN 1

/* rt_sigprocmask's how. */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sa_flags. */
#define SA_NOCLDSTOP 0x00000001ull
#define SA_NOCLDWAIT 0x00000002ull
#define SA_SIGINFO   0x00000004ull
#define SA_RESTORER  0x04000000ull
#define SA_ONSTACK   0x08000000ull
#define SA_RESTART   0x10000000ull
#define SA_NODEFER   0x40000000ull
#define SA_RESETHAND 0x80000000ull

/* sigaltstack: ss_flags and the smallest stack accepted. */
#define SS_ONSTACK  1
#define SS_DISABLE  2
#define MINSIGSTKSZ 2048

/* si_code values. */
#define SI_USER     0
#define SI_KERNEL   0x80
#define SI_QUEUE    (-1)   /* sigqueue */
#define SI_TIMER    (-2)   /* a POSIX timer's expiry */
#define SI_TKILL    (-6)   /* tkill, tgkill */
#define ILL_ILLOPN  2      /* SIGILL: illegal operand */
#define FPE_INTDIV  1      /* SIGFPE: integer divide by zero */
#define SEGV_MAPERR 1      /* SIGSEGV: address not mapped */
#define SEGV_ACCERR 2      /* SIGSEGV: no permission */
#define BUS_ADRERR  2      /* SIGBUS: nonexistent physical address (past a file's end) */
#define TRAP_BRKPT  1      /* SIGTRAP: breakpoint */
#define TRAP_TRACE  2      /* ... a single step */
#define TRAP_HWBKPT 4      /* ... a hardware breakpoint (debug register) */
#define CLD_EXITED  1      /* SIGCHLD: the child called exit */
#define POLL_IN     1      /* SIGIO (F_SETSIG): input available */
#define POLL_OUT    2      /* ... output possible */
#define POLL_MSG    3      /* ... a message (dnotify's events) */
#define CLD_KILLED  2      /* ... was killed */
#define CLD_DUMPED  3      /* ... was killed and dumped core */
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* timer_create's struct sigevent (64 bytes): how an expiry notifies. */
#define SIGEV_SIGNAL    0  /* the process */
#define SIGEV_NONE      1  /* nobody */
#define SIGEV_THREAD    2  /* libc's: the kernel treats it as SIGEV_SIGNAL */
#define SIGEV_THREAD_ID 4  /* one thread, tid */
struct sigevent_k {
	uint64_t value;     /* sigev_value, the siginfo's si_value */
	int32_t signo, notify, tid;
	int32_t pad[11];
};

/* sigaltstack's stack_t (also the uc_stack of a signal frame's ucontext). */
struct stack_k {
	uint64_t sp;
	int32_t flags;      /* SS_* */
	int32_t pad;
	uint64_t size;
};

/* siginfo_t: SIGINFO_SIZE bytes (SI_MAX_SIZE), the fields Kestrel fills. */
#define SIGINFO_SIZE 128
struct siginfo_k {
	int32_t signo, errno_, code, pad;
	union {
		uint64_t addr;                                   /* SIGSEGV, SIGBUS, ... */
		struct { int32_t pid; uint32_t uid; int32_t status; } chld; /* SIGCHLD, kill */
		struct { int64_t band; int32_t fd; } poll;       /* SIGIO/F_SETSIG: POLL_IN... */
		struct { int32_t pid; uint32_t uid; uint64_t value; } rt; /* sigqueue: si_value */
		struct { uint64_t call_addr; int32_t syscall; uint32_t arch; } sys; /* SIGSYS: seccomp */
	};
	uint8_t rest[SIGINFO_SIZE - 16 - 16];
};
_Static_assert(sizeof(struct siginfo_k) == SIGINFO_SIZE, "siginfo_t is 128 bytes");

/* A signal's disposition, as rt_sigaction passes it (struct kernel_sigaction). */
struct sigaction_k {
	uint64_t handler;   /* SIG_DFL 0, SIG_IGN 1, or a user address */
	uint64_t flags;     /* SA_* */
	uint64_t restorer;  /* SA_RESTORER: where the handler returns (calls rt_sigreturn) */
	uint64_t mask;      /* blocked while the handler runs */
};

#endif
