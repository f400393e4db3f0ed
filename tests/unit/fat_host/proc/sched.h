/* SPDX-License-Identifier: MIT */
/* Host stand-in for kernel/proc/sched.h (FAT tests and fuzzer): nobody is ever killed here. */
#ifndef KESTREL_HOST_SCHED_H
#define KESTREL_HOST_SCHED_H

#include <stdbool.h>

static inline bool io_should_stop(void)
{
	return false;
}

#endif
