/* SPDX-License-Identifier: MIT */
/* The system-call table (Linux x86_64 numbers) and its dispatcher. */
#ifndef KESTREL_SYS_SYSCALL_H
#define KESTREL_SYS_SYSCALL_H

/* syscall_lock_free's slots, indexed by the number's low bits: a power
 * of two above the table's size (syscall.c checks), so the SYSCALL entry
 * (entry/syscall.S) looks with a mask and no bounds test. */
#define SYSCALL_LOCK_FREE_SLOTS 512

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trapframe.h"

typedef long (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5);

/* Set up SYSCALL/SYSRET (EFER.SCE, STAR, LSTAR, FMASK). audit_to_serial
 * (`audit`): every call logged as well; audit_ring (`audit=ring`): every
 * call recorded in the audit rings (audit.h) for the panic report, which
 * `audit` and the profiler do too; with none of them nothing is. */
void syscall_init(bool audit_to_serial, bool audit_ring);
/* The SYSCALL path: run the call in tf, return true when SYSRET may be
 * used to go back (otherwise IRET). Entered with interrupts off; returns
 * with interrupts off. The entry picks one by syscall_lock_free[nr &
 * (SYSCALL_LOCK_FREE_SLOTS - 1)]: syscall_dispatch_free for a call
 * marked there (which goes on as syscall_dispatch for a traced or
 * seccomp-filtered caller), syscall_dispatch (the kernel lock) for the
 * rest. */
bool syscall_dispatch(struct trap_frame *tf);
bool syscall_dispatch_free(struct trap_frame *tf);
extern const bool syscall_lock_free[SYSCALL_LOCK_FREE_SLOTS];
/* Does system call nr take the kernel lock? (All but a few; an unknown
 * number does.) */
bool syscall_takes_klock(unsigned long nr);
/* Call nr's name from the kernel's symbols ("read"), NULL when it has
 * none (no such call, or the symbols are missing). */
const char *syscall_name(unsigned long nr);
/* The int $0x80 path: the same table, always returning by IRET. */
void syscall_int80(struct trap_frame *tf);

#endif /* !__ASSEMBLER__ */
#endif
