// SPDX-License-Identifier: MIT
/* Kestrel: resource limits, with Linux's defaults and validation rules. */
#include "proc/rlimit.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "time/time.h"
#include "uapi/signal.h"
#include "lib/errno.h"

#define DEFAULT_STACK   (8ull << 20)  /* _STK_LIM */
#define DEFAULT_MEMLOCK (8ull << 20)  /* MLOCK_LIMIT since Linux 5.16 */
#define DEFAULT_MSGQUEUE 819200ull    /* MQ_BYTES_MAX */
#define DEFAULT_NOFILE_CUR 1024ull    /* INR_OPEN_CUR */
#define DEFAULT_NOFILE_MAX 4096ull    /* INR_OPEN_MAX */
void rlimit_defaults(struct rlimits *r, uint64_t max_tasks)
{
	for (unsigned i = 0; i < RLIM_NLIMITS; i++)
		r->lim[i] = (struct rlimit_k){ RLIM_INFINITY, RLIM_INFINITY };
	r->lim[RLIMIT_STACK].cur = DEFAULT_STACK;
	r->lim[RLIMIT_CORE].cur = 0;
	r->lim[RLIMIT_NPROC] = (struct rlimit_k){ max_tasks / 2, max_tasks / 2 };
	r->lim[RLIMIT_NOFILE] = (struct rlimit_k){ DEFAULT_NOFILE_CUR, DEFAULT_NOFILE_MAX };
	r->lim[RLIMIT_MEMLOCK] = (struct rlimit_k){ DEFAULT_MEMLOCK, DEFAULT_MEMLOCK };
	r->lim[RLIMIT_SIGPENDING] = (struct rlimit_k){ max_tasks / 2, max_tasks / 2 };
	r->lim[RLIMIT_MSGQUEUE] = (struct rlimit_k){ DEFAULT_MSGQUEUE, DEFAULT_MSGQUEUE };
	r->lim[RLIMIT_NICE] = (struct rlimit_k){ 0, 0 };
	r->lim[RLIMIT_RTPRIO] = (struct rlimit_k){ 0, 0 };
}

unsigned int sysctl_nr_open = RLIMIT_NR_OPEN;

/* Linux's do_prlimit checks: raising a hard limit needs the caller's
 * CAP_SYS_RESOURCE (root has it unless it dropped it with capset). */
int rlimit_set(struct rlimits *r, unsigned res, const struct rlimit_k *next, bool may_raise)
{
	if (res >= RLIM_NLIMITS || next->cur > next->max)
		return -EINVAL;
	if (res == RLIMIT_NOFILE && next->max > sysctl_nr_open)
		return -EPERM;
	if (next->max > r->lim[res].max && !may_raise)
		return -EPERM;
	r->lim[res] = *next;
	return 0;
}

uint64_t rlimit_cur(const struct process *p, unsigned res)
{
	return res < RLIM_NLIMITS ? p->rlim.lim[res].cur : RLIM_INFINITY;
}

void rlimit_cpu_tick(struct process *p)
{
	struct rlimit_k *l = &p->rlim.lim[RLIMIT_CPU];

	if (l->cur == RLIM_INFINITY && l->max == RLIM_INFINITY)
		return;
	struct cpu_times t = process_cpu_times(p);
	uint64_t secs = (t.user_ns + t.sys_ns) / NSEC_PER_SEC;
	if (l->max != RLIM_INFINITY && secs >= l->max) {
		signal_send_kernel(p, SIGKILL);
	} else if (l->cur != RLIM_INFINITY && secs >= l->cur) {
		if (l->cur < l->max)
			l->cur++;
		signal_send_kernel(p, SIGXCPU);
	}
}
