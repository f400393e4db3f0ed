/* SPDX-License-Identifier: MIT */
/* Turning on the SYSCALL instruction: the MSRs that say where it enters and what it masks. */
#ifndef KESTREL_ARCH_SYSCALL_MSR_H
#define KESTREL_ARCH_SYSCALL_MSR_H

/* Enable SYSCALL/SYSRET on this CPU, entering syscall.S's syscall_entry
 * with interrupts, traps, DF, AC and NT masked. Once per CPU at boot. */
void arch_syscall_init(void);

#endif
