/* SPDX-License-Identifier: MIT */
/* Helpers of the small system calls (sys_misc.c) that others share. */
#ifndef KESTREL_SYS_SYS_MISC_H
#define KESTREL_SYS_SYS_MISC_H

#include <stdint.h>
#include "proc/cputime.h"

/* What Kestrel counts of a struct rusage. */
struct usage {
	struct cpu_times times;
	uint64_t maxrss_pages;    /* ru_maxrss, in pages here, in KiB for user space */
};
/* Write a struct rusage holding u (the rest 0) to user address uaddr: 0 or -EFAULT. */
int put_rusage(uint64_t uaddr, const struct usage *u);

/* sys_adjtimex.c: the TAI offset (ADJ_TAI), in seconds: CLOCK_TAI reads
 * CLOCK_REALTIME plus it. */
int32_t adjtimex_tai_offset(void);

/* sys_cred.c: the prctl options on credentials and process flags
 * (PR_GET/SET_DUMPABLE, PR_GET/SET_NO_NEW_PRIVS, PR_GET/SET_CHILD_SUBREAPER,
 * PR_GET/SET_SECUREBITS,
 * PR_GET/SET_TIMERSLACK, PR_SET_MM): the result, or -EINVAL for an option
 * it does not know. */
long prctl_task(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
		unsigned long arg5);

#endif
