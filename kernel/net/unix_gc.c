// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_UNIX sockets in flight and their garbage collector, as
 * Linux's net/unix/garbage.c. A socket's file sent with SCM_RIGHTS and
 * still queued is "in flight"; a socket whose every file reference is in
 * flight can only be reached through the queues of other sockets. When
 * those form a cycle (a socket sent into its own queue, two sockets in
 * each other's) no close ever frees them, so the collector looks for the
 * sockets reachable only from such queues and purges their queues, which
 * closes the files and breaks the cycle.
 *
 * unix.c runs a collection when a socket file is released while anything
 * is in flight (as Linux), and when a send carrying files finds twice as
 * many sockets in flight (plus UNIX_GC_SLACK) as the last collection
 * left. Linux's second trigger is a fixed 16,000; but cycles whose files
 * are all closed release nothing, and a program making them could fill a
 * small machine's memory long before that, while doubling bounds the
 * garbage by what is really in flight at a constant cost per send. It walks the in-flight sockets and their queues a bounded
 * number of times, with lists (never recursion), does not sleep, and
 * hands the messages of the garbage back to unix.c to free. This file
 * knows socket files by the operations unix.c registers, so it calls
 * nothing above it. It also keeps each user's count of descriptors in
 * flight, which a send without CAP_SYS_RESOURCE may not take beyond its
 * RLIMIT_NOFILE (ETOOMANYREFS).
 *
 * Lock rule: the kernel lock, which every change of the files in flight
 * holds (a lock-free reader takes it for a message with files: net/
 * unix_sock.h); a collection never sleeps, so it sees no such change
 * midway. A queue is walked and taken under its socket's qlock: a stream
 * sender off the kernel lock may add a message without files meanwhile.
 */
#include "net/unix_sock.h"

#include "arch/x86_64/klock.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "uapi/capability.h"

#define UNIX_GC_SLACK     64    /* in-flight sockets that never trigger a collection by growth */

static struct unix_sock *inflight_list; /* every socket with inflight > 0 */
static int inflight_socks;              /* how many */
static int gc_next_at = UNIX_GC_SLACK;  /* a send collects when inflight_socks reaches this */

/* The descriptors in flight one user sent (Linux's user_struct's
 * unix_inflight); freed when none are left and no send holds it. */
struct inflight_user {
	uint32_t uid;
	uint64_t fds;
	int senders;              /* sends between unix_inflight_begin and _end */
	struct inflight_user *next;
};
static struct inflight_user *users;
static const struct file_ops *sock_ops; /* the socket files' (unix.c's) */

void unix_gc_register(const struct file_ops *ops)
{
	sock_ops = ops;
}

bool unix_is_socket(const struct file *f)
{
	return sock_ops && f->ops == sock_ops;
}

static void list_add(struct unix_sock *s)
{
	s->inflight_prev = NULL;
	s->inflight_next = inflight_list;
	if (inflight_list)
		inflight_list->inflight_prev = s;
	inflight_list = s;
	inflight_socks++;
}

static void list_del(struct unix_sock *s)
{
	if (s->inflight_prev)
		s->inflight_prev->inflight_next = s->inflight_next;
	else
		inflight_list = s->inflight_next;
	if (s->inflight_next)
		s->inflight_next->inflight_prev = s->inflight_prev;
	s->inflight_next = s->inflight_prev = NULL;
	inflight_socks--;
}

/* ---- the users' counts ------------------------------------------------------------ */

/* uid's entry, made when missing: NULL when out of memory. */
static struct inflight_user *user_get(uint32_t uid)
{
	struct inflight_user *u;

	for (u = users; u; u = u->next)
		if (u->uid == uid)
			return u;
	if (!(u = kzalloc(sizeof(*u))))
		return NULL;
	u->uid = uid;
	u->next = users;
	users = u;
	return u;
}

/* Free u if nothing holds it any more. */
static void user_put_if_unused(struct inflight_user *u)
{
	if (u->fds || u->senders)
		return;
	for (struct inflight_user **pp = &users; *pp; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			kfree(u);
			return;
		}
	}
}

int unix_inflight_begin(struct inflight_user **out)
{
	struct process *p = current_process();
	const struct cred *c = current_cred();
	struct inflight_user *u = user_get(c ? c->uid : 0);

	if (!u)
		return -ENOMEM;
	if (p && u->fds > rlimit_cur(p, RLIMIT_NOFILE) && !capable(CAP_SYS_RESOURCE) &&
	    !capable(CAP_SYS_ADMIN)) {
		user_put_if_unused(u);
		return -ETOOMANYREFS;
	}
	u->senders++;
	*out = u;
	return 0;
}

void unix_inflight_end(struct inflight_user *u)
{
	u->senders--;
	user_put_if_unused(u);
}

/* ---- the sockets in flight ------------------------------------------------------------ */

void unix_inflight(struct inflight_user *u, struct file *const *fds, int n, bool add)
{
	if (n <= 0)
		return;
	klock_must_hold("unix_inflight");
	u->fds += add ? (uint64_t)n : -(uint64_t)n;
	if (!add)
		user_put_if_unused(u);
	for (int i = 0; i < n; i++) {
		if (!unix_is_socket(fds[i]))
			continue;
		struct unix_sock *s = unix_sock(fds[i]);
		if (add && s->inflight++ == 0)
			list_add(s);
		else if (!add && --s->inflight == 0)
			list_del(s);
	}
}


/* ---- the collection ---------------------------------------------------------------- */

enum gc_step { GC_COUNT, GC_REACH };

/* A candidate c's queue (and, for a listener, its unaccepted connections'
 * queues) refers to child: GC_COUNT takes that reference off child's
 * outside count; GC_REACH makes child reachable (pushed on *work). */
static void visit(struct unix_sock *child, enum gc_step step, struct unix_sock **work)
{
	if (!child->gc_cand)
		return;
	if (step == GC_COUNT) {
		child->gc_refs--;
		return;
	}
	child->gc_cand = false;
	child->gc_work = *work;
	*work = child;
}

static void scan_queue(struct unix_sock *s, enum gc_step step, struct unix_sock **work)
{
	uint64_t fl = spin_lock_irqsave(&s->qlock);
	for (const struct unix_skb *skb = s->rq_head; skb; skb = skb->next)
		for (int i = 0; i < skb->nfds; i++)
			if (unix_is_socket(skb->fds[i]))
				visit(unix_sock(skb->fds[i]), step, work);
	spin_unlock_irqrestore(&s->qlock, fl);
}

/* Every socket s's queues refer to: its own and its embryos'. */
static void scan_children(struct unix_sock *s, enum gc_step step, struct unix_sock **work)
{
	scan_queue(s, step, work);
	for (struct unix_sock *e = s->acc_head; e; e = e->acc_next)
		scan_queue(e, step, work);
}

/* The candidates: sockets whose every file reference is in flight. */
static struct unix_sock *find_candidates(void)
{
	struct unix_sock *cands = NULL;

	for (struct unix_sock *s = inflight_list; s; s = s->inflight_next) {
		if (!s->file || __atomic_load_n(&s->file->refs, __ATOMIC_RELAXED) != s->inflight)
			continue;
		s->gc_cand = true;
		s->gc_refs = s->inflight;
		s->gc_next = cands;
		cands = s;
	}
	return cands;
}

/* Candidates referred to from outside the candidates' queues are
 * reachable, and so is everything their queues refer to. */
static void mark_reachable(struct unix_sock *cands)
{
	struct unix_sock *work = NULL;

	for (struct unix_sock *c = cands; c; c = c->gc_next)
		scan_children(c, GC_COUNT, NULL);
	for (struct unix_sock *c = cands; c; c = c->gc_next) {
		if (c->gc_cand && c->gc_refs > 0) {
			c->gc_cand = false;
			c->gc_work = work;
			work = c;
		}
	}
	while (work) {
		struct unix_sock *r = work;
		work = r->gc_work;
		scan_children(r, GC_REACH, &work);
	}
}

/* Move s's queue to the end of the hit list (*tail). */
static void splice_queue(struct unix_sock *s, struct unix_skb ***tail)
{
	uint64_t fl = spin_lock_irqsave(&s->qlock);
	if (s->rq_head) {
		**tail = s->rq_head;
		*tail = &s->rq_tail->next;
		s->rq_head = s->rq_tail = NULL;
		s->rq_len = 0;
	}
	spin_unlock_irqrestore(&s->qlock, fl);
}

struct unix_skb *unix_gc(void)
{
	struct unix_skb *hit = NULL, **tail = &hit;
	int garbage = 0;

	klock_must_hold("unix_gc");
	if (!inflight_list)
		return NULL;
	struct unix_sock *cands = find_candidates();
	mark_reachable(cands);
	for (struct unix_sock *c = cands; c; c = c->gc_next) {
		if (c->gc_cand) {
			garbage++;
			splice_queue(c, &tail);
			for (struct unix_sock *e = c->acc_head; e; e = e->acc_next)
				splice_queue(e, &tail);
		}
		c->gc_cand = false;
	}
	gc_next_at = 2 * (inflight_socks - garbage) + UNIX_GC_SLACK; /* what stays in flight */
	return hit;
}

bool unix_gc_due(void)
{
	return inflight_socks >= gc_next_at;
}
