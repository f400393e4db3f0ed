/* SPDX-License-Identifier: MIT */
/* Resource limits (getrlimit, setrlimit, prlimit64): Linux's resources, defaults and rules. */
#ifndef KESTREL_PROC_RLIMIT_H
#define KESTREL_PROC_RLIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include "uapi/resource.h"

/* Linux's fs.nr_open: the most RLIMIT_NOFILE can be raised to
 * (/proc/sys/fs/nr_open, root may set it within Linux's bounds: 64, one
 * word of bits, to INT_MAX rounded down to a word of bits). */
#define RLIMIT_NR_OPEN    (1u << 20)     /* the default */
#define NR_OPEN_MIN       64u
#define NR_OPEN_MAX       (0x7fffffffu & ~63u)
extern unsigned int sysctl_nr_open;    /* changed only by a write of /proc/sys/fs/nr_open */

/* struct rlimit64, as user space passes it. */
struct rlimit_k {
	uint64_t cur, max;
};

/* A process's limits, copied at fork, kept across exec. Lock rule: the
 * kernel lock: set by setrlimit, and by prlimit64 of the process or of
 * another; read by system calls and procfs; the tick (which holds the
 * kernel lock) raises RLIMIT_CPU's soft limit, as Linux's. */
struct rlimits {
	struct rlimit_k lim[RLIM_NLIMITS];
};

/* The limits of a process the kernel starts, Linux's defaults: NPROC
 * and SIGPENDING are half of max_tasks (threads-max), as Linux's
 * fork_init sets them. */
void rlimit_defaults(struct rlimits *r, uint64_t max_tasks);
/* Replace resource res of r by *next after Linux's checks: 0, -EINVAL
 * (res out of range, cur > max) or -EPERM (NOFILE above nr_open, or a
 * higher hard limit unless may_raise: the caller's CAP_SYS_RESOURCE). */
int rlimit_set(struct rlimits *r, unsigned res, const struct rlimit_k *next, bool may_raise);

struct process;
/* The current (soft) limit of resource res for process p. */
uint64_t rlimit_cur(const struct process *p, unsigned res);
/* The same from the limits themselves (res below RLIM_NLIMITS): inline,
 * for the descriptor limit every poll and open reads (fd_limit). */
static inline uint64_t rlimits_cur(const struct rlimits *r, unsigned res)
{
	return r->lim[res].cur;
}
/* A tick of CPU time was charged to p: past RLIMIT_CPU's hard limit
 * (seconds of user and system time) it gets SIGKILL; past the soft
 * limit SIGXCPU, and the soft limit goes up a second while below the
 * hard one, so the signal comes once a second (Linux's
 * check_process_timers). The tick, kernel lock, interrupts off. */
void rlimit_cpu_tick(struct process *p);

#endif
