// SPDX-License-Identifier: MIT
// Preemption test: spin forever without a system call; only the timer can take the CPU back.
#include "selftest.h"

/*
 * The harness expects "timeout": the program must still be running at the
 * time limit and is then killed. If the kernel never preempted user mode,
 * the harness itself would never run again and the boot would hang.
 */
int main(void)
{
	volatile unsigned long spins = 0;

	t_begin("busyloop");
	t_say("spinning without system calls until killed");
	for (;;)
		spins++;
}
