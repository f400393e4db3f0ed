/* SPDX-License-Identifier: MIT */
/* A thread's hardware breakpoints (DR0-DR3, DR6, DR7) as ptrace's POKEUSER sets them, Linux 6.1's ptrace_bps. */
#ifndef KESTREL_ARCH_DEBUGREG_H
#define KESTREL_ARCH_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trapframe.h"

#define DR_SLOTS 4 /* DR0 to DR3 */

/* DR6 as the CPU sets it: a reserved pattern of ones with the condition
 * bits clear (Linux's DR6_RESERVED); Linux's virtual DR6 and what it
 * reports flip it so that a set bit means "happened". */
#define DR6_RESERVED 0xffff0ff0ull
#define DR6_TRAP(i)  (1ull << (i)) /* breakpoint i was hit */
#define DR6_TRAPS    0xfull
#define DR6_STEP     (1ull << 14)  /* BS: a single step (RFLAGS.TF) */

/*
 * The breakpoints a tracer set in a thread, in its struct arch_thread.
 * Lock rule: written only by the thread's tracer while the thread is in
 * a ptrace stop (it runs on no CPU; the switch back to it loads them) or
 * by the thread itself (exec clears them, the #DB handler records hits
 * in virt_dr6), and read by the switch to it with interrupts off.
 */
struct arch_debugreg {
	uint64_t addr[DR_SLOTS]; /* each slot's address, 0 while none is set */
	uint8_t rw[DR_SLOTS];    /* each slot's DR7 R/W bits (0 execute, 1 write, 3 read-write) */
	uint8_t len[DR_SLOTS];   /* each slot's DR7 LEN bits (0: 1 byte, 1: 2, 3: 4, 2: 8) */
	uint8_t present;         /* slots a tracer has set (Linux: a perf event registered) */
	uint8_t enabled;         /* slots DR7 enables: loaded into the CPU while the thread runs */
	uint64_t dr7_written;    /* the last DR7 a tracer wrote that was taken, as it wrote it */
	uint64_t virt_dr6;       /* what the last #DB from ring 3 was, set bits meaning yes */
};

/* PEEKUSER of u_debugreg[n] (n below 8): DR0-DR3 a slot's address, DR6
 * the virtual DR6 in the CPU's polarity, DR7 the value last written; DR4
 * and DR5 read 0. */
uint64_t arch_debugreg_peek(const struct arch_debugreg *d, unsigned n);

/* POKEUSER of u_debugreg[n] (n below 8) as Linux 6.1's
 * ptrace_set_debugreg: an address must leave the breakpoint inside user
 * space and aligned to its length (-EINVAL, nothing changed); DR7's
 * slots must have lengths and kinds the CPU has (-EINVAL: the slots as
 * they were); DR4 and DR5 -EIO. 0 when taken. */
int arch_debugreg_poke(struct arch_debugreg *d, unsigned n, uint64_t val);

/* A new thread, or exec's: no breakpoints (Linux's copy_thread and
 * flush_ptrace_hw_breakpoint). running: d is the calling thread's, whose
 * breakpoints are disarmed on this CPU at once. */
void arch_debugreg_clear(struct arch_debugreg *d, bool running);

/* At a switch to a thread with breakpoints d (interrupts off): load them
 * when it has any enabled, or disarm what this CPU holds. */
void arch_debugreg_switch(const struct arch_debugreg *d);

/* A #DB from ring 3 (frame tf) of the thread with breakpoints d, as
 * Linux 6.1's exc_debug_user: DR6 read and cleared, the hits recorded in
 * virt_dr6, RF set after an instruction breakpoint so it does not fire
 * again; the SIGTRAP's si_code (TRAP_TRACE, TRAP_HWBKPT, TRAP_BRKPT for
 * an ICEBP), or 0 when there is nothing to report. */
int arch_debugreg_user_trap(struct arch_debugreg *d, struct trap_frame *tf);

#endif
