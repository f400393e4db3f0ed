// SPDX-License-Identifier: MIT
/*
 * Kestrel: the queue of real-time signal instances. Linux queues one
 * struct sigqueue per real-time signal sent (a standard signal is
 * pending at most once); sigqueue(3) and rt_sigqueueinfo get EAGAIN past
 * RLIMIT_SIGPENDING (Linux counts per user; Kestrel per receiving
 * process). Each instance is delivered with its own si_code, si_pid,
 * si_uid and si_value, oldest first.
 */
#include "proc/sigqueue.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "mm/heap.h"
#include "lib/errno.h"

struct sigqueue_entry {
	struct sigqueue_entry *next;
	int sig, tid;
	struct siginfo_k info;
};

int sigqueue_add(struct process *p, int tid, int sig, const struct siginfo_k *info)
{
	struct sigqueue_entry *e, **tail = &p->rtq;

	if (p->rtq_count >= rlimit_cur(p, RLIMIT_SIGPENDING))
		return -EAGAIN;
	if (!(e = kmalloc(sizeof(*e))))
		return -EAGAIN;
	e->next = NULL;
	e->sig = sig;
	e->tid = tid;
	e->info = *info;
	e->info.signo = sig;
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	p->rtq_count++;
	return 0;
}

bool sigqueue_first(struct process *p, int sig, struct siginfo_k *info, bool take)
{
	for (struct sigqueue_entry **pp = &p->rtq; *pp; pp = &(*pp)->next) {
		struct sigqueue_entry *e = *pp;
		if (e->sig != sig)
			continue;
		if (info)
			*info = e->info;
		if (take) {
			*pp = e->next;
			p->rtq_count--;
			kfree(e);
		}
		return true;
	}
	return false;
}

int sigqueue_second_tid(const struct process *p, int sig)
{
	bool seen = false;

	for (const struct sigqueue_entry *e = p->rtq; e; e = e->next) {
		if (e->sig != sig)
			continue;
		if (seen)
			return e->tid;
		seen = true;
	}
	return -1;
}

void sigqueue_flush(struct process *p, uint64_t mask)
{
	struct sigqueue_entry **pp = &p->rtq;

	while (*pp) {
		struct sigqueue_entry *e = *pp;
		if (!(mask & (1ull << (e->sig - 1)))) {
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		p->rtq_count--;
		kfree(e);
	}
}
