/* SPDX-License-Identifier: MIT */
/* Helpers of the small system calls (sys_misc.c) that others share. */
#ifndef KESTREL_SYS_SYS_MISC_H
#define KESTREL_SYS_SYS_MISC_H

#include <stdint.h>

struct cpu_times;
/* Write a struct rusage holding times (the rest 0) to user address uaddr: 0 or -EFAULT. */
int put_rusage(uint64_t uaddr, const struct cpu_times *times);

#endif
