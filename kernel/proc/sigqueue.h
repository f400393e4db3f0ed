/* SPDX-License-Identifier: MIT */
/* Real-time signals' queue: each instance sent keeps its own siginfo (Linux's struct sigqueue). */
#ifndef KESTREL_PROC_SIGQUEUE_H
#define KESTREL_PROC_SIGQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include "uapi/signal.h"

struct process;

/*
 * A process's queue of real-time signal instances (signals SIGRTMIN..NSIG),
 * oldest first, each with the siginfo it was sent with and the thread it
 * was sent to (tid 0: the process). The pending bits stay in
 * p->sig_pending / t->sig_pending: a bit is set while an instance waits.
 * Lock rule: interrupts off (one CPU), as the pending bits.
 */

/* Queue an instance of sig for p: 0, or -EAGAIN when p already has
 * RLIMIT_SIGPENDING instances queued or memory is short. */
int sigqueue_add(struct process *p, int tid, int sig, const struct siginfo_k *info);
/* The oldest instance of sig: its siginfo into info (info may be NULL)
 * and, when take, removed. false if none is queued. */
bool sigqueue_first(struct process *p, int sig, struct siginfo_k *info, bool take);
/* The thread (tid, 0: the process) of the instance of sig after the
 * oldest one, or -1 if there is none. */
int sigqueue_second_tid(const struct process *p, int sig);
/* Drop every instance of the signals in mask (bit sig - 1). */
void sigqueue_flush(struct process *p, uint64_t mask);

#endif
