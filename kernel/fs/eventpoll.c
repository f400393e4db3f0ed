// SPDX-License-Identifier: MIT
/*
 * Kestrel: epoll (see eventpoll.h). An epoll file holds a list of
 * registrations (epitems), one per (open file, fd) pair, and each
 * watched file keeps the list of its own (f->epoll_links), so the last
 * file_put of a watched file removes them. A wait asks each registered
 * file's ops->poll and, while nothing is ready, sleeps on io_event_wq,
 * which every producer wakes on every change (as poll/select do, in
 * sys/sys_poll.c). Edge-triggered registrations compare the file's own
 * count of its changes (file_ops.event_gen: a pipe's, as Linux wakes its
 * queues) or, for a file without one, io_event_gen, which counts every
 * change anywhere: a ready file is reported again only after one
 * happened, so an event is never lost (at worst reported twice).
 * A wait costs one ops->poll per registration per wake-up, as poll(2)'s
 * does: Kestrel's files wake one shared queue and keep no per-file
 * callbacks from which a ready list could be kept. So an EPOLLEXCLUSIVE
 * event wakes every waiter too, and the first to look claims it
 * (item_claim): one epoll_wait reports it, as in Linux, but the herd
 * Linux spares is still woken.
 *
 * Lock rule: the lists change only in system calls, between which
 * nothing else runs (one CPU, the kernel is not preempted); a scan never
 * sleeps, so no registration can go away in the middle of one.
 */
#include "fs/eventpoll.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/usercopy.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "uapi/eventpoll.h"

/* Events gathered by one scan: a wait returns at most this many (and at
 * most as many as the epoll has registrations, the buffer's size). Linux
 * has no limit but maxevents; 64Ki events (1 MiB) is more than the
 * descriptors RLIMIT_NOFILE's hard ceiling gives a process. */
#define EP_BATCH (64 * 1024)
#define EP_ALWAYS (EPOLLERR | EPOLLHUP)  /* reported whether asked for or not */
#define EP_FLAGS (EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)
/* Linux's max_user_watches: registrations may use 4% of RAM, counted at
 * this cost each; past it EPOLL_CTL_ADD is -ENOSPC. Kestrel has one user. */
#define EP_WATCH_RAM_DIV 25
#define EP_WATCH_COST    128

struct eventpoll;

/* One registration: file, as fd, in ep. */
struct epitem {
	struct eventpoll *ep;
	struct file *file;       /* not a reference: the file's last put removes the item */
	int fd;
	uint32_t events;         /* asked for, with the EP_FLAGS */
	uint64_t data;           /* handed back as given */
	uint64_t reported_gen;   /* EPOLLET: item_gen when last reported (0: never) */
	uint64_t claimed_gen;    /* EPOLLEXCLUSIVE: the file's event it claimed last (item_claim) */
	bool disabled;           /* EPOLLONESHOT reported it; EPOLL_CTL_MOD re-arms */
	struct epitem *next;     /* ep's list */
	struct epitem *fnext;    /* the file's list (f->epoll_links) */
};

struct eventpoll {
	struct epitem *items;
	struct epitem *resume;   /* where the next scan starts (fairness past EP_BATCH) */
	uint64_t visit_gen;      /* the loop check's mark */
	uint64_t memo_pass;      /* the look (poll_pass) memo was computed in */
	unsigned memo;           /* eventpoll_poll's answer then */
};

static const struct file_ops eventpoll_ops;
static int poll_depth;          /* nested epoll files being polled (single CPU) */
/*
 * One outermost look (an epoll_wait scan or a poll of an epoll file) is a
 * pass: nothing a nested epoll depends on changes during it (a scan
 * changes only its own epoll's items, which no epoll it looks through
 * can watch: no loops), so each epoll file is polled once per pass and
 * its answer remembered. Without that, an epoll holding k descriptors of
 * one epoll, which holds k of another... costs k^EP_MAX_NESTS polls per
 * look, all in one system call that never yields: a program could stall
 * the CPU for minutes.
 */
static uint64_t poll_pass;
static int pass_nest;           /* looks in progress: a pass lasts while > 0 */

static void pass_begin(void)
{
	if (pass_nest++ == 0)
		poll_pass++;
}

static void pass_end(void)
{
	pass_nest--;
}
static uint64_t loop_check_gen; /* one per loop check */
static uint64_t nwatches;       /* registrations of every epoll */

bool eventpoll_is(const struct file *f)
{
	return f && f->ops == &eventpoll_ops;
}

/* The count an edge-triggered item compares: its file's own, else
 * every I/O event's. */
static uint64_t item_gen(const struct epitem *it)
{
	struct file *f = it->file;

	return f->ops->event_gen ? f->ops->event_gen(f) : __atomic_load_n(&io_event_gen, __ATOMIC_ACQUIRE);
}

/*
 * EPOLLEXCLUSIVE: Linux wakes one exclusive waiter of a file's queue per
 * event (the first whose epoll is waited on), so of several epolls with
 * an exclusive registration of one file one reports each event. Kestrel's
 * waiters share one queue and all look, so the first to find the file
 * ready at count gen claims that count (file->excl_gen, which only grows)
 * and the others find nothing and sleep again. The claimer keeps its
 * claim (a level-triggered item reports again until the next event).
 * Exact for files with their own count (event_gen); for the others any
 * I/O event is a new one, so a later look may report too (Linux's "one
 * or more"). True when the event is it's to report.
 */
static bool item_claim(struct epitem *it, uint64_t gen)
{
	uint64_t old = __atomic_load_n(&it->file->excl_gen, __ATOMIC_ACQUIRE);

	if (it->claimed_gen == gen)
		return true;
	do {
		if (old >= gen)
			return false; /* another registration has this event (or a later one) */
	} while (!__atomic_compare_exchange_n(&it->file->excl_gen, &old, gen, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	it->claimed_gen = gen;
	return true;
}

/* The events item would report now (0: none), without changing it; *gen
 * the count taken before the look (what a report records). */
static uint32_t item_ready(struct epitem *it, uint64_t *gen)
{
	if (it->disabled)
		return 0;
	*gen = item_gen(it);
	uint32_t r = vfs_poll_events(it->file) & ((it->events & ~EP_FLAGS) | EP_ALWAYS);
	if (r && (it->events & EPOLLET) && it->reported_gen == *gen)
		return 0; /* nothing happened since it was reported */
	return r;
}

/* ---- the epoll file ---------------------------------------------------------- */

/* Readable when a wait would report something. Nested epoll files are
 * looked through to EP_MAX_NESTS levels (deeper ones count as idle);
 * each once per pass (above). */
static unsigned eventpoll_poll(struct file *f)
{
	struct eventpoll *ep = f->priv;
	unsigned m = 0;

	if (poll_depth > EP_MAX_NESTS)
		return 0;
	if (pass_nest && ep->memo_pass == poll_pass)
		return ep->memo;
	pass_begin();
	poll_depth++;
	uint64_t gen;
	for (struct epitem *it = ep->items; it && !m; it = it->next)
		if (item_ready(it, &gen))
			m = POLLIN;
	poll_depth--;
	ep->memo_pass = poll_pass;
	ep->memo = m;
	pass_end();
	return m;
}

/* Take it off its file's list. */
static void unlink_from_file(struct epitem *it)
{
	struct epitem **pp = (struct epitem **)&it->file->epoll_links;

	while (*pp && *pp != it)
		pp = &(*pp)->fnext;
	if (*pp)
		*pp = it->fnext;
}

/* Take it off its epoll's list and free it. */
static void item_free(struct epitem *it)
{
	struct eventpoll *ep = it->ep;
	struct epitem **pp = &ep->items;

	while (*pp && *pp != it)
		pp = &(*pp)->next;
	if (*pp)
		*pp = it->next;
	if (ep->resume == it)
		ep->resume = NULL;
	nwatches--;
	kfree(it);
}

static void eventpoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	while (ep->items) {
		unlink_from_file(ep->items);
		item_free(ep->items);
	}
	kfree(ep);
}

static const struct file_ops eventpoll_ops = {
	.poll = eventpoll_poll,
	.release = eventpoll_release,
	.anon_name = "[eventpoll]",
};

int eventpoll_create(struct file **out)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));

	if (!ep)
		return -ENOMEM;
	*out = file_alloc(&eventpoll_ops, O_RDWR, ep);
	if (!*out) {
		kfree(ep);
		return -ENOMEM;
	}
	return 0;
}

void eventpoll_file_gone(struct file *f)
{
	while (f->epoll_links) {
		struct epitem *it = f->epoll_links;
		f->epoll_links = it->fnext;
		item_free(it);
	}
}

/* ---- epoll_ctl ---------------------------------------------------------------- */

static struct epitem *item_find(struct eventpoll *ep, struct file *tf, int fd)
{
	for (struct epitem *it = ep->items; it; it = it->next)
		if (it->file == tf && it->fd == fd)
			return it;
	return NULL;
}

/* True if target (an epoll) reaches ep, or nests deeper than EP_MAX_NESTS
 * below depth, through its registrations. Each epoll is visited once per
 * check (its visit_gen), so a wide graph costs its size, not its paths;
 * the recursion is at most EP_MAX_NESTS deep. */
static bool loop_from(struct eventpoll *target, struct eventpoll *ep, int depth)
{
	if (target == ep || depth > EP_MAX_NESTS)
		return true;
	if (target->visit_gen == loop_check_gen)
		return false;
	target->visit_gen = loop_check_gen;
	for (struct epitem *it = target->items; it; it = it->next)
		if (eventpoll_is(it->file) && loop_from(it->file->priv, ep, depth + 1))
			return true;
	return false;
}

/* Linux's file_can_poll: a file without a poll method (regular files
 * and directories of the RAM and disk file systems, block devices) is
 * EPERM; poll(2) and select(2) call such a file always ready
 * (vfs_poll_events). */
static bool pollable(const struct file *f)
{
	return f->ops && f->ops->poll;
}

/* The checks of Linux's epoll_ctl before it looks the pair up: -EPERM, -EINVAL, -ELOOP. */
static int ctl_check(struct file *epf, int op, struct file *tf, const struct epoll_event_k *ev)
{
	if (!pollable(tf))
		return -EPERM;
	if (tf == epf)
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD || eventpoll_is(tf) || (ev->events & ~EPOLLEXCLUSIVE_OK_BITS))
			return -EINVAL;
	}
	if (op == EPOLL_CTL_ADD && eventpoll_is(tf)) {
		loop_check_gen++;
		if (loop_from(tf->priv, epf->priv, 1))
			return -ELOOP;
	}
	return 0;
}

static int ctl_add(struct eventpoll *ep, int fd, struct file *tf, const struct epoll_event_k *ev)
{
	if (nwatches >= pmm_managed_pages() * PAGE_SIZE / EP_WATCH_RAM_DIV / EP_WATCH_COST)
		return -ENOSPC;
	struct epitem *it = kzalloc(sizeof(*it));

	if (!it)
		return -ENOMEM;
	nwatches++;
	*it = (struct epitem){ .ep = ep, .file = tf, .fd = fd, .events = ev->events, .data = ev->data };
	/* last: ready items are reported in the order they were added, as
	 * Linux's ready list has them (gVisor's epoll_test LastReadable) */
	struct epitem **pp = &ep->items;
	while (*pp)
		pp = &(*pp)->next;
	*pp = it;
	it->fnext = tf->epoll_links;
	tf->epoll_links = it;
	return 0;
}

int eventpoll_ctl(struct file *epf, int op, int fd, struct file *tf, const struct epoll_event_k *ev)
{
	struct eventpoll *ep = epf->priv;
	int err = ctl_check(epf, op, tf, ev);

	if (err)
		return err;
	struct epitem *it = item_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		return it ? -EEXIST : ctl_add(ep, fd, tf, ev);
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		unlink_from_file(it);
		item_free(it);
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		it->events = ev->events;
		it->data = ev->data;
		it->disabled = false;
		it->reported_gen = 0;
		io_event(); /* an epoll watching this one may have something new */
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- epoll_wait --------------------------------------------------------------- */

/* Collect up to max ready events into out, starting at ep->resume and
 * going round the list once; mark what was reported. The count. */
static int scan(struct eventpoll *ep, struct epoll_event_k *out, int max)
{
	struct epitem *start = ep->resume ? ep->resume : ep->items, *it = start;
	int n = 0;

	if (!it)
		return 0;
	pass_begin();
	do {
		uint64_t gen;
		uint32_t r = item_ready(it, &gen);
		if (r && (it->events & EPOLLEXCLUSIVE) && !item_claim(it, gen))
			r = 0;
		if (r) {
			out[n++] = (struct epoll_event_k){ r, it->data };
			it->reported_gen = gen;
			if (it->events & EPOLLONESHOT)
				it->disabled = true;
		}
		it = it->next ? it->next : ep->items;
	} while (it != start && n < max);
	pass_end();
	ep->resume = it == start ? NULL : it; /* full: the next scan starts after the last seen */
	return n;
}

/* How many registrations ep has (at least 1: a buffer's size). */
static int item_count(const struct eventpoll *ep)
{
	int n = 0;

	for (const struct epitem *it = ep->items; it && n < EP_BATCH; it = it->next)
		n++;
	return n ? n : 1;
}

long eventpoll_wait(struct file *epf, uptr_t events, int maxevents, uint64_t deadline)
{
	struct eventpoll *ep = epf->priv;
	int max = maxevents < EP_BATCH ? maxevents : EP_BATCH;

	max = max < item_count(ep) ? max : item_count(ep);
	struct epoll_event_k *buf = kmalloc((size_t)max * sizeof(*buf));
	long n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		uint64_t seen = io_event_seen(); /* before the look: sys_poll.c's rule */
		if ((n = scan(ep, buf, max)) != 0)
			break;
		if (time_ns() >= deadline)
			break;
		if (signal_pending() || fatal_signal_pending()) {
			n = -EINTR;
			break;
		}
		io_event_wait(seen, deadline);
	}
	if (n > 0 && copy_to_user(events, buf, (size_t)n * sizeof(*buf)))
		n = -EFAULT;
	kfree(buf);
	return n;
}
