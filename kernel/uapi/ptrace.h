/* SPDX-License-Identifier: MIT */
/* Linux's ptrace ABI (include/uapi/linux/ptrace.h, elf.h): requests, options, events, regset notes. */
#ifndef KESTREL_UAPI_PTRACE_H
#define KESTREL_UAPI_PTRACE_H

/* Requests. */
#define PTRACE_TRACEME     0
#define PTRACE_PEEKTEXT    1
#define PTRACE_PEEKDATA    2
#define PTRACE_PEEKUSER    3
#define PTRACE_POKETEXT    4
#define PTRACE_POKEDATA    5
#define PTRACE_POKEUSER    6
#define PTRACE_CONT        7
#define PTRACE_KILL        8
#define PTRACE_SINGLESTEP  9
#define PTRACE_GETREGS     12
#define PTRACE_SETREGS     13
#define PTRACE_GETFPREGS   14
#define PTRACE_SETFPREGS   15
#define PTRACE_ATTACH      16
#define PTRACE_DETACH      17
#define PTRACE_SYSCALL     24
#define PTRACE_SETOPTIONS  0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO  0x4202
#define PTRACE_SETSIGINFO  0x4203
#define PTRACE_GETREGSET   0x4204
#define PTRACE_SETREGSET   0x4205
#define PTRACE_SEIZE       0x4206
#define PTRACE_INTERRUPT   0x4207
#define PTRACE_LISTEN      0x4208

/* PTRACE_SETOPTIONS (and PTRACE_SEIZE's data). */
#define PTRACE_O_TRACESYSGOOD    0x1
#define PTRACE_O_TRACEFORK       0x2
#define PTRACE_O_TRACEVFORK      0x4
#define PTRACE_O_TRACECLONE      0x8
#define PTRACE_O_TRACEEXEC       0x10
#define PTRACE_O_TRACEVFORKDONE  0x20
#define PTRACE_O_TRACEEXIT       0x40
#define PTRACE_O_TRACESECCOMP    0x80
#define PTRACE_O_EXITKILL        0x100000
#define PTRACE_O_SUSPEND_SECCOMP 0x200000
#define PTRACE_O_MASK            0x003000ff

/* Events: a stop's wait status is (SIGTRAP | event << 8) << 8 | 0x7f. */
#define PTRACE_EVENT_FORK   1
#define PTRACE_EVENT_VFORK  2
#define PTRACE_EVENT_CLONE  3
#define PTRACE_EVENT_EXEC   4
#define PTRACE_EVENT_EXIT   6
#define PTRACE_EVENT_STOP   128
#define PTRACE_EVENT_SHIFT  8
/* A syscall stop's signal with PTRACE_O_TRACESYSGOOD: SIGTRAP | 0x80. */
#define PTRACE_SYSGOOD_BIT  0x80

/* PTRACE_GETREGSET/SETREGSET's note types (elf.h). */
#define NT_PRSTATUS 1
#define NT_PRFPREG  2

#endif
