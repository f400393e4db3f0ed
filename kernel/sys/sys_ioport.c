// SPDX-License-Identifier: MIT
/*
 * Kestrel: ioperm(2) and iopl(2), as Linux 6.1's (arch/x86/kernel/
 * ioport.c with CONFIG_X86_IOPL_IOPERM, no lockdown): a root program may
 * reach ports from ring 3, a port range at a time through the thread's
 * I/O bitmap or every port at iopl 3. The thread's state and the TSS
 * are arch/x86_64/ioport.c's; the checks, in Linux's order, are here.
 */
#include "sys/syscall_define.h"
#include "proc/process.h"
#include "arch/x86_64/ioport.h"
#include "lib/errno.h"
#include "uapi/capability.h"

/* ioperm(from, num, turn_on): -EINVAL for an empty range or one past the
 * last port, before -EPERM for allowing without CAP_SYS_RAWIO (denying
 * needs none); -ENOMEM. */
SYSCALL_DEFINE3(ioperm, unsigned long, from, unsigned long, num, int, turn_on)
{
	if (from + num <= from || from + num > IO_PORTS)
		return -EINVAL;
	if (turn_on && !capable(CAP_SYS_RAWIO))
		return -EPERM;
	return arch_ioperm(&current_thread()->arch.io, (uint32_t)from, (uint32_t)num, turn_on);
}

/* iopl(level): -EINVAL past 3; raising the level needs CAP_SYS_RAWIO
 * (-EPERM), lowering it or keeping it does not. */
SYSCALL_DEFINE1(iopl, unsigned int, level)
{
	struct arch_io *io = &current_thread()->arch.io;

	if (level > IOPL_MAX)
		return -EINVAL;
	if (level > io->iopl && !capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (level != io->iopl)
		arch_iopl_set(io, level);
	return 0;
}
