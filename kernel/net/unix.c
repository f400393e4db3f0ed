// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_UNIX sockets, the sockets themselves: their files, their
 * receive queues, send and receive, shutdown and poll (names,
 * connections and options are in unix_conn.c). As Linux's af_unix, a
 * sender's queued messages are charged to its own send buffer (wmem
 * against SO_SNDBUF): a writer waits, or gets -EAGAIN, while that much
 * of what it sent is unread.
 */
#include "net/unix_sock.h"
#include "net/dev_ioctl.h"
#include "net/loopback.h"
#include "net/sock_filter.h"

#include "arch/x86_64/klock.h"
#include "fs/fown.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "time/time.h"
#include "time/timespec.h"
#include "uapi/ioctl.h"
#include "uapi/sockios.h"
#include "uapi/signal.h"

/* ---- sockets and their references ------------------------------------------ */

/* Every socket, newest first, for /proc/net/unix. Lock rule: all_lock
 * (interrupts off) around the links and the walk. */
static struct spinlock all_lock = SPINLOCK_INIT;
static struct unix_sock *all_head;

/* Every socket's qlock is one lock to the order checker (lib/spinlock.h). */
static const char unix_qlock_class = 'u';

static inline uint64_t q_lock(struct unix_sock *s)
{
	return spin_lock_irqsave(&s->qlock);
}

static inline void q_unlock(struct unix_sock *s, uint64_t fl)
{
	spin_unlock_irqrestore(&s->qlock, fl);
}

struct unix_sock *unix_sock_alloc(int type)
{
	static uint64_t next_ino = 1;
	struct unix_sock *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->type = type;
	s->family = AF_UNIX;
	s->refs = 1;
	spin_lock_class(&s->qlock, &unix_qlock_class);
	s->ino = next_ino++;
	s->sndbuf = UNIX_BUF_DEFAULT;
	s->rcvbuf = UNIX_BUF_DEFAULT;
	uint64_t fl = spin_lock_irqsave(&all_lock);
	s->all_next = all_head;
	if (all_head)
		all_head->all_prev = s;
	all_head = s;
	spin_unlock_irqrestore(&all_lock, fl);
	return s;
}

void unix_sock_free(struct unix_sock *s)
{
	sock_filter_free(s);
	uint64_t fl = spin_lock_irqsave(&all_lock);
	if (s->all_prev)
		s->all_prev->all_next = s->all_next;
	else
		all_head = s->all_next;
	if (s->all_next)
		s->all_next->all_prev = s->all_prev;
	spin_unlock_irqrestore(&all_lock, fl);
	kfree(s);
}

void unix_for_each(void (*fn)(const struct unix_sock *s, void *ctx), void *ctx)
{
	uint64_t fl = spin_lock_irqsave(&all_lock);
	for (const struct unix_sock *s = all_head; s; s = s->all_next)
		if (!s->dead)
			fn(s, ctx);
	spin_unlock_irqrestore(&all_lock, fl);
}

struct ucred unix_cred_now(bool effective)
{
	const struct process *p = current_process();
	const struct cred *c = current_cred();

	if (!p || !c)
		return (struct ucred){ 0, 0, 0 };
	return (struct ucred){ .pid = p->pid, .uid = effective ? c->euid : c->uid,
			       .gid = effective ? c->egid : c->gid };
}

/* ---- queued messages ------------------------------------------------------------ */

static bool writable(const struct unix_sock *s);

/* O_ASYNC owners' signals (fs/fown.h), whose list is the kernel lock's,
 * taken for a lock-free caller. */
static inline void unix_notify(const struct unix_sock *s, int code)
{
	fown_notify_any(s, code);
}

/*
 * Files a freed message still carried are put from this list, one
 * message at a time, by whoever freed the first: putting a socket's
 * file purges its queue, which may hold more sockets, so a direct put
 * would recurse as deep as a program chains them.
 */
static struct unix_skb *deferred_head;
static bool deferred_draining;

static struct unix_skb *skb_alloc(size_t len)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);

	if (skb) {
		memset(skb, 0, sizeof(*skb)); /* the header; the data is copied over */
		skb->len = len;
		skb->truesize = len + UNIX_SKB_OVERHEAD;
	}
	return skb;
}

static void skb_put_files(struct unix_skb *skb)
{
	unix_inflight(skb->user, skb->fds, skb->nfds, false);
	for (int i = 0; i < skb->nfds; i++)
		file_put(skb->fds[i]);
	kfree(skb->fds);
	kfree(skb);
}

void unix_skb_free(struct unix_skb *skb)
{
	struct unix_sock *from = skb->from;

	if (from) {
		bool was = writable(from);
		__atomic_sub_fetch(&from->wmem, skb->truesize, __ATOMIC_RELAXED);
		unix_changed(from);
		if (!was && writable(from))
			unix_notify(from, POLL_OUT); /* O_ASYNC writers: room */
		unix_put(from);
		skb->from = NULL;
	}
	if (!skb->fds) {
		kfree(skb);
		return;
	}
	skb->next = deferred_head;
	deferred_head = skb;
	if (deferred_draining)
		return;
	deferred_draining = true;
	while ((skb = deferred_head)) {
		deferred_head = skb->next;
		skb_put_files(skb);
		sched_cond_resched();
	}
	deferred_draining = false;
}

/* The credentials skb carries (Linux's unix_scm_to_skb and
 * maybe_add_creds): those the sender gave, else the sender's own when
 * either end has SO_PASSCRED or the receiver is not accepted yet. */
static void skb_cred(struct unix_skb *skb, const struct unix_sock *from, const struct unix_sock *to,
		     const struct sock_msg *m)
{
	if (m->has_cred) {
		skb->has_cred = true;
		skb->cred = m->cred;
	} else if (from->passcred || to->passcred || !__atomic_load_n(&to->file, __ATOMIC_RELAXED)) {
		skb->has_cred = true;
		skb->cred = unix_cred_now(false);
	}
}

/* Link skb at the end of to's receive queue, charged to from (NULL:
 * off the wire, nobody). Caller: to->qlock held. */
static void skb_link(struct unix_sock *to, struct unix_sock *from, struct unix_skb *skb)
{
	if (from) {
		skb->from = unix_get(from);
		__atomic_add_fetch(&from->wmem, skb->truesize, __ATOMIC_RELAXED);
	}
	skb->next = NULL;
	if (to->rq_tail)
		to->rq_tail->next = skb;
	else /* published: a stream reader looks at the head without the lock (stream_look) */
		__atomic_store_n(&to->rq_head, skb, __ATOMIC_RELEASE);
	to->rq_tail = skb;
	to->rq_len++;
}

/* What a sender does before its message is linked: the credentials it
 * carries (none from the wire). */
static void skb_prepare(struct unix_skb *skb, struct unix_sock *from, const struct unix_sock *to,
			const struct sock_msg *m)
{
	skb->from = NULL;
	skb->has_cred = false;
	if (from)
		skb_cred(skb, from, to, m);
}

/* to has a new message: wake its readers. */
static void skb_queued(struct unix_sock *to)
{
	unix_changed(to);
	unix_notify(to, POLL_IN); /* O_ASYNC readers: data */
}

/* Queue skb, sent by from with m, at the end of to's receive queue
 * (a datagram's, under the kernel lock: its checks were made there). */
static void skb_queue(struct unix_sock *to, struct unix_sock *from, struct unix_skb *skb,
		      const struct sock_msg *m)
{
	skb_prepare(skb, from, to, m);
	uint64_t fl = q_lock(to);
	skb_link(to, from, skb);
	q_unlock(to, fl);
	skb_queued(to);
}

/* skb_queue for a stream piece, which may come without the kernel lock:
 * queued only while to is open for reading (looked at under its qlock,
 * where its close and shutdown change it). False: not queued. */
static bool skb_queue_open(struct unix_sock *to, struct unix_sock *from, struct unix_skb *skb,
			   const struct sock_msg *m)
{
	skb_prepare(skb, from, to, m);
	uint64_t fl = q_lock(to);
	bool open = !to->dead && !(to->shutdown & RCV_SHUTDOWN);
	if (open)
		skb_link(to, from, skb);
	q_unlock(to, fl);
	if (open)
		skb_queued(to);
	return open;
}

/* Unlink s's first message. Caller: s->qlock held. */
static struct unix_skb *skb_unlink_head(struct unix_sock *s)
{
	struct unix_skb *skb = s->rq_head;

	if (skb) {
		__atomic_store_n(&s->rq_head, skb->next, __ATOMIC_RELAXED);
		if (!s->rq_head)
			s->rq_tail = NULL;
		s->rq_len--;
		skb->next = NULL;
	}
	return skb;
}

static struct unix_skb *skb_dequeue(struct unix_sock *s)
{
	uint64_t fl = q_lock(s);
	struct unix_skb *skb = skb_unlink_head(s);
	q_unlock(s, fl);
	return skb;
}

void unix_purge_queue(struct unix_sock *s)
{
	struct unix_skb *skb;

	while ((skb = skb_dequeue(s)))
		unix_skb_free(skb);
}

/*
 * Run the collector (net/unix_gc.c) and free the messages it took from
 * unreachable sockets; the sockets that closes do not start another
 * collection meanwhile (each would walk every socket in flight again).
 */
static void unix_collect(void)
{
	static bool collecting;

	if (collecting)
		return;
	collecting = true;
	struct unix_skb *hit = unix_gc();
	while (hit) {
		struct unix_skb *skb = hit;
		hit = skb->next;
		skb->next = NULL;
		unix_skb_free(skb);
	}
	collecting = false;
}

/* ---- copies between messages and buffers ---------------------------------------- */

/* A position in a vector of buffers. */
struct iov_cursor {
	const struct sock_iov *iov;
	size_t niov, i, off;
};

/* Moves n bytes between the cursor's buffers and kernel memory k (to_iov:
 * into the buffers). 0 or -EFAULT. */
static int iov_move(struct iov_cursor *c, char *k, size_t n, bool to_iov)
{
	while (n) {
		if (c->i >= c->niov)
			return -EFAULT; /* the caller asked for more than the vector holds */
		size_t room = c->iov[c->i].len - c->off, k_n = n < room ? n : room;
		struct iobuf b = c->iov[c->i].buf;
		int err = to_iov ? iobuf_put(b, c->off, k, k_n) : iobuf_get(k, b, c->off, k_n);
		if (err)
			return err;
		k += k_n;
		n -= k_n;
		c->off += k_n;
		if (c->off == c->iov[c->i].len) {
			c->i++;
			c->off = 0;
		}
	}
	return 0;
}

static size_t iov_total(const struct sock_msg *m)
{
	size_t total = 0;

	for (size_t i = 0; i < m->niov; i++)
		total += m->iov[i].len; /* the caller capped the sum at MAX_RW_COUNT */
	return total;
}

void sock_msg_put_fds(struct sock_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		file_put(m->fds[i]);
	kfree(m->fds);
	m->fds = NULL;
	m->nfds = 0;
}

/* Hands m's files (if any) to skb. */
static void attach_fds(struct unix_skb *skb, struct sock_msg *m)
{
	if (!m->nfds)
		return;
	skb->fds = m->fds;
	skb->nfds = m->nfds;
	skb->user = m->user;
	unix_inflight(skb->user, skb->fds, skb->nfds, true);
	m->fds = NULL;
	m->nfds = 0;
}

/* A receiver's files: taken from skb, or (peek) new references. */
static void take_fds(struct unix_skb *skb, struct sock_msg *m, bool peek)
{
	if (!skb->fds)
		return;
	if (!peek) {
		unix_inflight(skb->user, skb->fds, skb->nfds, false);
		m->fds = skb->fds;
		m->nfds = skb->nfds;
		skb->fds = NULL;
		skb->nfds = 0;
		return;
	}
	if (!(m->fds = kmalloc(sizeof(*m->fds) * (size_t)skb->nfds)))
		return; /* out of memory: the peek shows the bytes only */
	for (int i = 0; i < skb->nfds; i++)
		m->fds[i] = file_get(skb->fds[i]);
	m->nfds = skb->nfds;
}

/* The credentials a reader with SO_PASSCRED gets with skb: the
 * sender's, or nobody's when it sent none. */
static struct ucred skb_cred_seen(const struct unix_skb *skb)
{
	static const struct ucred nobody = { 0, UNIX_NOBODY_ID, UNIX_NOBODY_ID };

	return skb->has_cred ? skb->cred : nobody;
}

/* SO_PASSCRED: the credentials the reader gets with skb. */
static void take_cred(const struct unix_sock *s, const struct unix_skb *skb, struct sock_msg *m)
{
	if (!s->passcred)
		return;
	m->has_cred = true;
	m->cred = skb_cred_seen(skb);
}

/* Same credentials (Linux's unix_skb_scm_eq): a stream read with
 * SO_PASSCRED never joins bytes of different writers. */
static bool same_cred(const struct unix_skb *skb, const struct sock_msg *m)
{
	const struct ucred c = skb_cred_seen(skb);

	return c.pid == m->cred.pid && c.uid == m->cred.uid && c.gid == m->cred.gid;
}

/* The sender's name, as recvfrom reports it (none if it is unbound). */
static void take_addr(const struct unix_skb *skb, struct sock_msg *m)
{
	if (skb->from && skb->from->bound) {
		m->addr = skb->from->addr;
		m->addrlen = skb->from->addrlen;
	}
}

/* ---- waiting ----------------------------------------------------------------- */

long unix_proto_done(long r)
{
	loopback_run();
	return r;
}

/*
 * Sleep on wq for a change the caller waits for: 0 (look again), -EAGAIN
 * (nonblock, or the SO_RCVTIMEO/SO_SNDTIMEO deadline passed) or, for a
 * signal (SIGKILL included), -ERESTARTSYS, or -EINTR when a timeout is
 * set (Linux's sock_intr_errno: such calls are not restarted). What lo
 * carries is taken up first: when that delivered something, the caller
 * looks again before anyone sleeps (its change may be among it).
 */
/* What both waits do before they sleep: 0 to go on to the sleep, 1 to
 * look again at once (lo delivered something), or the error to return. */
static long wait_first(bool nonblock, uint64_t deadline)
{
	if (loopback_run() && !nonblock)
		return 1;
	if (nonblock || time_ns() >= deadline)
		return -EAGAIN;
	if (signal_pending())
		return deadline == NO_DEADLINE ? -ERESTARTSYS : -EINTR;
	return 0;
}

long unix_wait(struct wait_queue *wq, bool nonblock, uint64_t deadline)
{
	long r = wait_first(nonblock, deadline);
	if (r)
		return r < 0 ? r : 0;
	wait_on(wq, deadline);
	return 0;
}

/* unix_wait_gen's condition: the socket's count moved past what its
 * caller saw. */
struct gen_wait {
	const struct unix_sock *s;
	uint32_t seen;
};

static bool gen_moved(const void *arg)
{
	const struct gen_wait *w = arg;
	return unix_changes(w->s) != w->seen;
}

long unix_wait_gen(struct unix_sock *s, bool nonblock, uint64_t deadline, uint32_t seen)
{
	long r = wait_first(nonblock, deadline);
	if (r)
		return r < 0 ? r : 0;
	if (unix_changes(s) != seen)
		return 0; /* changed since the caller looked: look again */
	struct gen_wait w = { s, seen };
	wait_on_cond(&s->wq, gen_moved, &w, deadline);
	return 0;
}

uint64_t unix_deadline(uint64_t timeo_ns)
{
	return timeo_ns ? time_ns() + timeo_ns : NO_DEADLINE;
}

static bool nonblocking(const struct file *f, int flags)
{
	return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* A write on a shut connection: SIGPIPE unless MSG_NOSIGNAL. */
static long broken_pipe(int flags)
{
	struct process *self = current_process();

	if (self && !(flags & MSG_NOSIGNAL)) {
		bool taken = klock_enter_unless_held(); /* a TCP send off the kernel lock */
		signal_send(self, SIGPIPE);
		klock_leave_taken(taken);
	}
	return -EPIPE;
}

/* ---- send ----------------------------------------------------------------------- */

/* The size of the next piece of a stream write. */
static size_t stream_chunk(const struct unix_sock *s, size_t left)
{
	size_t max = (size_t)s->sndbuf / 2 - 64;

	if (max > UNIX_CHUNK_MAX)
		max = UNIX_CHUNK_MAX;
	return left < max ? left : max;
}

/* s may not send any more: it shut writing, or its peer closed or shut
 * reading (which shut s's writing too). */
static bool send_shut(const struct unix_sock *s)
{
	return __atomic_load_n(&s->shutdown, __ATOMIC_RELAXED) & SEND_SHUTDOWN;
}

/* s's pending error, taken (0: none). Looked at first: the exchange,
 * a locked instruction, only when there is one to take. */
static inline int unix_take_err(struct unix_sock *s)
{
	if (!__atomic_load_n(&s->err, __ATOMIC_RELAXED))
		return 0;
	return __atomic_exchange_n(&s->err, 0, __ATOMIC_RELAXED);
}

/* What stops a stream sender before its next piece, as Linux's
 * sock_alloc_send_pskb looks: a pending error (taken: a peer that closed
 * with bytes unread left ECONNRESET), then a shut end (-EPIPE, without
 * SIGPIPE). 0: go on. */
static long send_stop(struct unix_sock *s)
{
	int e = unix_take_err(s);

	if (e)
		return -e;
	return send_shut(s) ? -EPIPE : 0;
}

/* A piece was made but the peer closed or shut reading before it was
 * queued: its files go back to m, for the caller to put. */
static void stream_unsent(struct unix_skb *skb, struct sock_msg *m)
{
	if (skb->fds) {
		unix_inflight(skb->user, skb->fds, skb->nfds, false);
		m->fds = skb->fds;
		m->nfds = skb->nfds;
	}
	kfree(skb);
}

/*
 * One stream write: pieces queued on the peer as the sender's buffer
 * allows, the files with the first. The count (partial when a signal,
 * O_NONBLOCK or a shutdown stops it) or -errno. Runs without the kernel
 * lock on a connected AF_UNIX socket when m carries no files (see the
 * lock rules in net/unix_sock.h).
 */
static long stream_send(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };
	size_t total = iov_total(m), done = 0;
	long err = 0;

	if (m->addrlen)
		return s->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != UNIX_CONNECTED)
		return -ENOTCONN;
	if (send_shut(s))
		return broken_pipe(flags);
	uint64_t deadline = unix_deadline(s->sndtimeo_ns);
	/* no reference of its own: s holds one on its peer until s's own
	 * close (unix_close), which our file's reference keeps away */
	struct unix_sock *peer = s->peer;
	while (done < total && !err) {
		uint32_t seen = unix_changes(s);
		if ((err = send_stop(s)))
			break;
		if (unix_wmem(s) >= (size_t)s->sndbuf) {
			err = unix_wait_gen(s, nonblocking(f, flags), deadline, seen);
			continue;
		}
		if (io_should_stop()) {
			err = -EINTR;
			break;
		}
		size_t n = stream_chunk(s, total - done);
		struct unix_skb *skb = skb_alloc(n);
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		if (iov_move(&c, skb->data, n, false)) {
			kfree(skb);
			err = -EFAULT;
			break;
		}
		attach_fds(skb, m);
		if (!skb_queue_open(peer, s, skb, m)) {
			stream_unsent(skb, m);
			err = done ? 0 : broken_pipe(flags);
			break;
		}
		done += n;
	}
	return done ? (long)done : err;
}

/* The datagram target's state for a send from s: 0 to queue now, 1 to
 * wait on *wq, or -errno. */
static long dgram_check(struct unix_sock *s, struct unix_sock *to, struct wait_queue **wq)
{
	if (s->type == SOCK_SEQPACKET && (s->shutdown & SEND_SHUTDOWN))
		return -EPIPE; /* its peer closed or shut down, or it did */
	if (to->dead)
		return -ECONNREFUSED;
	if (to->shutdown & RCV_SHUTDOWN)
		return -EPIPE;
	if (s->type == SOCK_DGRAM && to->peer && to->peer != s)
		return -EPERM; /* it only takes datagrams from its own peer */
	if (unix_wmem(s) >= (size_t)s->sndbuf) {
		*wq = &s->wq;
		return 1;
	}
	if (to != s && to->peer != s && to->rq_len > UNIX_DGRAM_QLEN) {
		*wq = &to->wq;
		return 1;
	}
	return 0;
}

/* The socket a datagram goes to, with a reference, or -errno. */
static long dgram_target(struct unix_sock *s, struct sock_msg *m, struct unix_sock **to)
{
	if (s->type == SOCK_SEQPACKET || !m->addrlen) {
		if (s->type == SOCK_SEQPACKET && s->state != UNIX_CONNECTED)
			return -ENOTCONN;
		if (!s->peer)
			return -ENOTCONN;
		*to = unix_get(s->peer);
		return 0;
	}
	int err = unix_find(&m->addr, m->addrlen, s->type, to);
	if (!err && (*to)->type != s->type) {
		unix_put(*to);
		err = -EPROTOTYPE;
	}
	return err;
}

/* One datagram or seqpacket record, whole or not at all. A shut
 * seqpacket connection is -EPIPE without SIGPIPE, as Linux's. */
static long dgram_send(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };
	size_t total = iov_total(m);
	struct unix_sock *to;
	struct wait_queue *wq = NULL;
	long err;

	if (total > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	if (s->passcred && !s->bound && (err = unix_autobind(s)))
		return err;
	if ((err = dgram_target(s, m, &to)))
		return err;
	struct unix_skb *skb = skb_alloc(total);
	if (!skb)
		err = -ENOMEM;
	else if (iov_move(&c, skb->data, total, false))
		err = -EFAULT;
	uint64_t deadline = unix_deadline(s->sndtimeo_ns);
	while (!err && (err = dgram_check(s, to, &wq)) == 1)
		err = unix_wait(wq, nonblocking(f, flags), deadline);
	if (err == -ECONNREFUSED && to == s->peer && s->type == SOCK_DGRAM) {
		s->peer = NULL; /* its peer is gone: the next send is -ENOTCONN */
		unix_put(to);
	}
	if (!err) {
		attach_fds(skb, m);
		skb_queue(to, s, skb, m);
	} else {
		kfree(skb);
	}
	unix_put(to);
	return err ? err : (long)total;
}

long unix_sendmsg(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	long r;

	if (s->proto)
		return unix_proto_done(s->proto->sendmsg(f, m, flags));
	if (m->nfds && unix_gc_due())
		unix_collect();
	m->user = NULL;
	if (flags & MSG_OOB)
		r = -EOPNOTSUPP;
	else if (m->nfds && (r = unix_inflight_begin(&m->user)))
		;
	else if (s->type == SOCK_STREAM)
		r = stream_send(f, s, m, flags);
	else
		r = dgram_send(f, s, m, flags);
	sock_msg_put_fds(m); /* what no message took */
	if (m->user)
		unix_inflight_end(m->user);
	return r;
}

/* ---- receive -------------------------------------------------------------------- */

/* Why a reader finds nothing: 1 to wait, 0 for end of file, or -errno
 * (a pending error, reported once). A stream reader asks under s->qlock,
 * with the look that found the queue empty. */
static long empty_queue(struct unix_sock *s)
{
	int e = unix_take_err(s);

	if (e)
		return -e;
	if (s->shutdown & RCV_SHUTDOWN)
		return 0;
	if (s->type == SOCK_SEQPACKET && s->state != UNIX_CONNECTED)
		return -ENOTCONN;
	return 1;
}

/* One datagram or record: the bytes that fit, MSG_TRUNC for the rest. */
static long dgram_recv(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };
	size_t len = iov_total(m);
	bool peek = flags & MSG_PEEK;
	long r;

	if (s->type == SOCK_SEQPACKET && s->state != UNIX_CONNECTED)
		return -ENOTCONN;
	uint64_t deadline = unix_deadline(s->rcvtimeo_ns);
	while (!s->rq_head) {
		r = empty_queue(s);
		if (!r && s->type == SOCK_DGRAM && nonblocking(f, flags))
			r = -EAGAIN; /* a datagram socket's end is for sleepers (Linux's __skb_recv_datagram) */
		if (r <= 0 || (r = unix_wait(&s->wq, nonblocking(f, flags), deadline)) < 0)
			return r;
	}
	struct unix_skb *skb = s->rq_head;
	size_t n = skb->len < len ? skb->len : len;
	if (iov_move(&c, skb->data, n, true))
		return -EFAULT;
	if (skb->len > len)
		m->out_flags |= MSG_TRUNC;
	take_addr(skb, m);
	take_cred(s, skb, m);
	take_fds(skb, m, peek);
	r = (flags & MSG_TRUNC) ? (long)skb->len : (long)n;
	if (!peek)
		unix_skb_free(skb_dequeue(s));
	return r;
}

/* s may have reached its end or an error a reader must report. */
static bool stream_may_end(const struct unix_sock *s)
{
	return __atomic_load_n(&s->err, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&s->shutdown, __ATOMIC_RELAXED) & RCV_SHUTDOWN);
}

/*
 * A stream reader's look: the piece to read next (after skb when
 * peeking past it) and, when there is none and the caller would wait
 * (want), why (empty_queue's answer; else 1). Caller: s->rx held, so
 * only this caller takes pieces off. The head is read without the lock
 * (a sender publishes it with a release store), and so is an empty queue
 * with no end in sight: the caller then waits, and a piece or a shutdown
 * after this look moves s->changes, which it read before. Anything else
 * is looked at under s->qlock, where a sender queues and a close shuts:
 * the end is reported only once every piece before it was read.
 */
static struct unix_skb *stream_look(struct unix_sock *s, struct unix_skb *skb, bool peek, bool want,
				    long *why)
{
	*why = 1;
	if (!peek || !skb) {
		struct unix_skb *head = __atomic_load_n(&s->rq_head, __ATOMIC_ACQUIRE);
		if (head || !want || !stream_may_end(s))
			return head;
	}
	uint64_t fl = q_lock(s);
	skb = peek && skb ? skb->next : s->rq_head;
	if (!skb && want)
		*why = empty_queue(s);
	q_unlock(s, fl);
	return skb;
}

/* A stream reader took n bytes of skb, the queue's head: the rest stays,
 * or, all taken, it leaves the queue and is freed. Caller: s->rx held. */
static void stream_consume(struct unix_sock *s, struct unix_skb *skb, size_t n)
{
	uint64_t fl = q_lock(s);
	bool all = (skb->off += n) == skb->len;

	if (all)
		skb_unlink_head(s);
	q_unlock(s, fl);
	if (all)
		unix_skb_free(skb);
}

/* A stream reader waits for data (seen: s->changes before its look),
 * without s->rx, which another reader (a nonblocking one) may take
 * meanwhile: 0 with rx held again, or -errno without it. */
static long stream_wait(struct file *f, struct unix_sock *s, int flags, uint64_t deadline, uint32_t seen)
{
	sleeplock_unlock(&s->rx);
	long err = unix_wait_gen(s, nonblocking(f, flags), deadline, seen);
	if (err < 0)
		return err;
	return sleeplock_lock(&s->rx) ? -EINTR : 0;
}

/*
 * A stream read: bytes from as many pieces as are queued (at least one
 * byte, all of them with MSG_WAITALL), stopping after a piece that
 * carried files. The count, 0 at end of file, or -errno. Runs without
 * the kernel lock on a connected AF_UNIX socket (the lock rules in
 * net/unix_sock.h): readers take s->rx, and a piece carrying files takes
 * the kernel lock for the rest of the read.
 */
static long stream_recv(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };
	size_t len = iov_total(m), target = (flags & MSG_WAITALL) ? len : 1, copied = 0;
	bool peek = flags & MSG_PEEK, rx = true, files = false, klocked = false;
	struct unix_skb *skb = NULL;
	long err = 0, why;

	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != UNIX_CONNECTED)
		return -EINVAL;
	uint64_t deadline = unix_deadline(s->rcvtimeo_ns);
	if (sleeplock_lock(&s->rx))
		return -EINTR;
	while (copied < len) {
		uint32_t seen = unix_changes(s);
		skb = stream_look(s, skb, peek, copied < target && !(peek && copied), &why);
		if (!skb) {
			if (copied >= target || (peek && copied) || (err = why) <= 0)
				break;
			if ((err = stream_wait(f, s, flags, deadline, seen)) < 0) {
				rx = false;
				break;
			}
			continue; /* skb is NULL: a peek looks from the head again */
		}
		if (copied && m->has_cred && !same_cred(skb, m))
			break;
		if (skb->fds && !files) {
			files = true; /* the files in flight are the kernel lock's */
			klocked = klock_enter_unless_held();
		}
		size_t avail = skb->len - skb->off, n = avail < len - copied ? avail : len - copied;
		if (iov_move(&c, skb->data + skb->off, n, true)) {
			err = -EFAULT;
			break;
		}
		if (copied == 0) {
			take_addr(skb, m);
			take_cred(s, skb, m);
		}
		copied += n;
		bool had_fds = skb->fds != NULL;
		take_fds(skb, m, peek);
		if (!peek)
			stream_consume(s, skb, n);
		if (had_fds)
			break;
		sched_cond_resched();
	}
	klock_leave_taken(klocked);
	if (rx)
		sleeplock_unlock(&s->rx);
	return copied ? (long)copied : err;
}

void sock_msg_cmsg(struct sock_msg *m, int level, int type, const void *data, size_t len)
{
	if (m->ncmsg >= SOCK_CMSG_MAX || len > SOCK_CMSG_DATA_MAX)
		return;
	struct sock_cmsg *c = &m->cmsg[m->ncmsg++];
	c->level = level;
	c->type = type;
	c->len = len;
	memcpy(c->data, data, len);
}

/* A stamp as Linux writes it: a timespec, or with usec a timeval (whose
 * x86_64 layout, two 64-bit fields, the _NEW options' kernel forms share) */
static struct timespec_k stamp_of(uint64_t ns, bool usec)
{
	struct timespec_k t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	if (usec)
		t.nsec /= NSEC_PER_USEC;
	return t;
}

void sock_recv_stamp(struct unix_sock *s, struct sock_msg *m, uint64_t ns)
{
	if (!(s->tstamp & SOCK_TSTAMP_RCV)) {
		__atomic_store_n(&s->stamp_ns, ns, __ATOMIC_RELAXED); /* only then: Linux's stamps go to the message or to SIOCGSTAMP */
		return;
	}
	bool nsec = s->tstamp & SOCK_TSTAMP_NS, knew = s->tstamp & SOCK_TSTAMP_NEW;
	struct timespec_k t = stamp_of(ns, !nsec);
	int type = nsec ? (knew ? SO_TIMESTAMPNS_NEW : SO_TIMESTAMPNS) : (knew ? SO_TIMESTAMP_NEW : SO_TIMESTAMP);
	sock_msg_cmsg(m, SOL_SOCKET, type, &t, sizeof(t));
}

/* SIOCGSTAMP (a struct timeval) and SIOCGSTAMPNS (a timespec) of s: its
 * last message's time. 0, -ENOENT (none yet), -EFAULT. */
static long stamp_ioctl(const struct unix_sock *s, unsigned long req, uint64_t arg)
{
	if (!s->stamp_ns)
		return -ENOENT;
	struct timespec_k t = stamp_of(s->stamp_ns, req == SIOCGSTAMP);
	return copy_to_user(arg, &t, sizeof(t)) ? -EFAULT : 0;
}

long unix_recvmsg(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);

	m->fds = NULL;
	m->nfds = 0;
	m->addrlen = 0;
	m->out_flags = 0;
	m->has_cred = false;
	m->ncmsg = 0;
	if (s->proto)
		return unix_proto_done(s->proto->recvmsg(f, m, flags));
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	return s->type == SOCK_STREAM ? stream_recv(f, s, m, flags) : dgram_recv(f, s, m, flags);
}

/* ---- shutdown and close ------------------------------------------------------------ */

int unix_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);

	if (s->proto)
		return (int)unix_proto_done(s->proto->shutdown(f, how));
	return unix_shutdown_sock(s, how);
}

/* s shuts (mode: RCV_SHUTDOWN, SEND_SHUTDOWN) under its qlock, where a
 * stream sender queues and a reader looks, and its sleepers wake. */
static void shut(struct unix_sock *s, unsigned mode)
{
	uint64_t fl = q_lock(s);
	s->shutdown |= mode;
	q_unlock(s, fl);
	unix_changed(s);
}

int unix_shutdown_sock(struct unix_sock *s, int how)
{
	unsigned mode = (unsigned)how + 1; /* SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3, as Linux maps them */

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (!unix_connectionless(s) && s->state != UNIX_CONNECTED && s->state != UNIX_LISTEN)
		return -ENOTCONN;
	shut(s, mode);
	struct unix_sock *peer = s->peer;
	if (peer && !unix_connectionless(s)) {
		unsigned peer_mode = 0;
		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;
		shut(peer, peer_mode);
	}
	return 0;
}

/* The connected peer s lost its other end. */
static void unix_peer_gone(struct unix_sock *s, bool reset)
{
	if (reset)
		__atomic_store_n(&s->err, ECONNRESET, __ATOMIC_RELAXED);
	shut(s, SHUTDOWN_MASK); /* after err: a reader that sees the end sees the reset */
}

static void unix_close(struct unix_sock *s, bool embryo);

/* Release every connection queued on listener s, unaccepted: each one's
 * client sees -ECONNRESET. */
static void unix_drop_embryos(struct unix_sock *s)
{
	struct unix_sock *e;

	while ((e = s->acc_head)) {
		s->acc_head = e->acc_next;
		s->acc_len--;
		e->acc_next = NULL;
		if (e->proto && e->proto->embryo_drop)
			e->proto->embryo_drop(e);
		unix_close(e, true);
		sched_cond_resched();
	}
	s->acc_tail = NULL;
}

void unix_listen_stop(struct unix_sock *s)
{
	unix_drop_embryos(s);
	s->state = UNIX_UNCONNECTED;
	s->shutdown = 0;
	unix_changed(s); /* accept() waiting: not listening any more */
}

/*
 * The end of a socket: its file closed, or (embryo) a connection its
 * listener closed before accepting it. The peer of a connection sees the
 * end of the stream (-ECONNRESET first if unread data or an unaccepted
 * connection went with it); unread messages go, files they carried are
 * closed. Drops the file's (or the listener's) reference.
 */
static void unix_close(struct unix_sock *s, bool embryo)
{
	uint64_t fl = q_lock(s);
	s->dead = true; /* a stream sender queues nothing more on it */
	s->shutdown = SHUTDOWN_MASK;
	bool unread = s->rq_head != NULL;
	q_unlock(s, fl);
	unix_unbind(s);
	if (s->state == UNIX_LISTEN)
		unix_drop_embryos(s);
	struct unix_sock *peer = s->peer;
	if (peer) {
		if (s->type != SOCK_DGRAM)
			unix_peer_gone(peer, unread || embryo);
		s->peer = NULL;
		unix_changed(peer);
		unix_put(peer);
	}
	unix_purge_queue(s);
	unix_changed(s);
	unix_put(s);
}

/* ---- the file ------------------------------------------------------------------ */

static long unix_rw(struct file *f, struct iobuf b, size_t n, bool write)
{
	struct sock_iov v = { b, n };
	struct sock_msg m;

	sock_msg_init(&m, &v, 1);
	if (write)
		return unix_sendmsg(f, &m, 0);
	if (n == 0)
		return 0; /* read(2) of nothing, as Linux's sock_read_iter */
	long r = unix_recvmsg(f, &m, 0);
	sock_msg_put_fds(&m); /* files passed to a plain read are closed, as Linux */
	return r;
}

static long sock_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return unix_rw(f, buf, n, false);
}

static long sock_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)pos;
	return unix_rw(f, buf, n, true);
}

/* Room for more: a quarter of the send buffer free (Linux's unix_writable). */
static bool writable(const struct unix_sock *s)
{
	if (s->state == UNIX_LISTEN || unix_wmem(s) * 4 > (size_t)s->sndbuf)
		return false;
	const struct unix_sock *to = s->peer;
	return s->type != SOCK_DGRAM || !to || to->peer == s || to->rq_len <= UNIX_DGRAM_QLEN;
}

static unsigned sock_poll(struct file *f)
{
	const struct unix_sock *s = unix_sock(f);
	unsigned mask = 0;

	if (s->proto && s->proto->poll)
		return s->proto->poll(s);

	if (s->err || s->in.errq)
		mask |= POLLERR;
	if (s->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN;
	if (__atomic_load_n(&s->rq_head, __ATOMIC_RELAXED) || s->acc_head)
		mask |= POLLIN;
	if (!unix_connectionless(s) && s->state == UNIX_UNCONNECTED)
		mask |= POLLHUP;
	if (writable(s))
		mask |= POLLOUT;
	return mask;
}

/* A family's own int-valued ioctl (struct sock_proto's ioctl), copied out. */
static long proto_ioctl(struct unix_sock *s, unsigned long req, uint64_t arg)
{
	int v = 0;
	int err = s->proto->ioctl(s, req, &v);

	if (err)
		return err;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

size_t unix_unread(struct unix_sock *s)
{
	size_t n = 0;
	uint64_t fl = q_lock(s);

	for (const struct unix_skb *skb = s->rq_head; skb; skb = skb->next) {
		n += skb->len - skb->off;
		if (unix_connectionless(s))
			break;
	}
	q_unlock(s, fl);
	return n;
}

/* FIONREAD: a stream's unread bytes, a datagram socket's next datagram;
 * a family with its own ioctl answers for itself. */
static long sock_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct unix_sock *s = unix_sock(f);

	if (dev_ioctl_handles(req)) /* the interface requests every socket answers */
		return dev_ioctl(s->family, req, arg);
	if ((req == SIOCGSTAMP || req == SIOCGSTAMPNS) && s->proto)
		return stamp_ioctl(s, req, arg);
	if (s->proto && s->proto->ioctl)
		return proto_ioctl(s, req, arg);
	if (req != FIONREAD)
		return -ENOTTY;
	if (s->state == UNIX_LISTEN)
		return -EINVAL;
	int v = (int)unix_unread(s);
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* The file's last reference: the socket closes; sockets left only in
 * flight may have become garbage. */
static void sock_release(struct file *f)
{
	struct unix_sock *s = f->priv;

	s->file = NULL;
	if (s->proto)
		s->proto->release(s);
	unix_close(s, false);
	unix_collect();
	loopback_run(); /* a TCP socket's FIN or reset */
}

bool unix_lock_free(struct file *f, int flags)
{
	const struct unix_sock *s = unix_sock(f);

	if (!s->proto) /* AF_UNIX: a connected stream (the lock rules in net/unix_sock.h) */
		return s->type == SOCK_STREAM && !(flags & MSG_ERRQUEUE) &&
		       __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == UNIX_CONNECTED;
	return s->proto->lock_free && s->proto->lock_free(s, flags);
}

/* file_ops.lock_free_now: read and write as unix_lock_free says. */
static bool sock_lock_free_now(struct file *f)
{
	return unix_lock_free(f, 0);
}

/* /proc/PID/fd/N: "socket:[ino]", as Linux's sockfs_dname. */
static void sock_dname(struct file *f, char *buf, size_t cap)
{
	ksnprintf(buf, cap, "socket:[%lu]", (unsigned long)unix_sock(f)->ino);
}

static const struct file_ops unix_file_ops = {
	.dname = sock_dname,
	.read = sock_read,
	.write = sock_write,
	.ioctl = sock_ioctl,
	.poll = sock_poll,
	.release = sock_release,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
	.lock_free = true, /* as sock_lock_free_now says, call by call */
	.lock_free_now = sock_lock_free_now,
};

uint64_t unix_ino(const struct file *f)
{
	return unix_is_socket(f) ? unix_sock(f)->ino : 0;
}

struct file *unix_file(struct unix_sock *s, unsigned flags)
{
	struct file *f = file_alloc(&unix_file_ops, O_RDWR | (flags & O_NONBLOCK), s);

	unix_gc_register(&unix_file_ops);
	if (f)
		s->file = f;
	return f;
}

int unix_create(int type, unsigned flags, struct file **out)
{
	struct unix_sock *s = unix_sock_alloc(type);

	if (!s)
		return -ENOMEM;
	if (!(*out = unix_file(s, flags))) {
		unix_put(s);
		return -ENOMEM;
	}
	return 0;
}

int unix_pair(int type, unsigned flags, struct file **a, struct file **b)
{
	int err = unix_create(type, flags, a);

	if (err)
		return err;
	if ((err = unix_create(type, flags, b))) {
		file_put(*a);
		return err;
	}
	struct unix_sock *sa = unix_sock(*a), *sb = unix_sock(*b);
	sa->peer = unix_get(sb);
	sb->peer = unix_get(sa);
	sa->state = sb->state = UNIX_CONNECTED; /* no descriptor reaches them yet */
	sa->has_peercred = sb->has_peercred = true;
	sa->peercred = sb->peercred = unix_cred_now(true);
	return 0;
}

/* ---- pieces for another family (net/unix_sock.h's struct sock_proto) ------------- */

long unix_stream_send(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	return stream_send(f, s, m, flags);
}

long unix_stream_recv(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	return stream_recv(f, s, m, flags);
}

long unix_dgram_recv(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags)
{
	return dgram_recv(f, s, m, flags);
}

long unix_dgram_recv_meta(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags, void *meta,
			  size_t meta_len, bool *has_meta)
{
	struct sock_msg look = { 0 };
	*has_meta = false;
	/* a first look (a peek of no bytes) waits as the receive would, so
	 * that the meta is read before the receive frees the datagram */
	long r = dgram_recv(f, s, &look, (flags & MSG_DONTWAIT) | MSG_PEEK);
	if (r < 0 || !s->rq_head)
		return r; /* an error, or the end (shut down) */
	memcpy(meta, s->rq_head->data + s->rq_head->len, meta_len);
	r = dgram_recv(f, s, m, flags);
	m->has_cred = false;
	*has_meta = r >= 0;
	return r;
}

size_t unix_iov_total(const struct sock_msg *m)
{
	return iov_total(m);
}

int unix_iov_copy_in(const struct sock_msg *m, char *k, size_t n)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };

	return iov_move(&c, k, n, false);
}

int unix_iov_copy_out(const struct sock_msg *m, const char *k, size_t n)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };

	return iov_move(&c, (char *)k, n, true);
}

struct unix_skb *unix_skb_alloc(size_t len)
{
	return skb_alloc(len);
}

void unix_skb_queue(struct unix_sock *to, struct unix_sock *from, struct unix_skb *skb,
		    const struct sock_msg *m)
{
	skb_queue(to, from, skb, m);
}

void unix_acc_queue(struct unix_sock *l, struct unix_sock *e)
{
	klock_must_hold("accept queue");
	e->acc_next = NULL;
	if (l->acc_tail)
		l->acc_tail->acc_next = e;
	else
		l->acc_head = e;
	l->acc_tail = e;
	l->acc_len++;
	unix_changed(l);
	fown_notify(l, POLL_IN); /* O_ASYNC listeners: a connection (fs/fown.h) */
}

int unix_iov_copy_at(const struct sock_msg *m, size_t off, char *k, size_t n, bool to_iov)
{
	struct iov_cursor c = { m->iov, m->niov, 0, 0 };
	while (c.i < c.niov && off >= c.iov[c.i].len) {
		off -= c.iov[c.i].len;
		c.i++;
	}
	c.off = off;
	return iov_move(&c, k, n, to_iov);
}

void unix_skb_queue_anon(struct unix_sock *to, struct unix_skb *skb)
{
	skb_queue(to, NULL, skb, NULL);
}

size_t unix_rq_bytes(const struct unix_sock *s)
{
	size_t n = 0;
	for (const struct unix_skb *skb = s->rq_head; skb; skb = skb->next)
		n += skb->len + UNIX_SKB_OVERHEAD;
	return n;
}

int unix_queue_wire(struct unix_sock *to, const void *data, size_t len, const void *meta, size_t meta_len)
{
	if ((to->shutdown & RCV_SHUTDOWN) || unix_rq_bytes(to) >= (size_t)to->rcvbuf)
		return -ENOBUFS; /* full once past SO_RCVBUF: an empty queue takes any one (Linux's) */
	struct unix_skb *skb = skb_alloc(len + meta_len);
	if (!skb)
		return -ENOMEM;
	memcpy(skb->data, data, len);
	memcpy(skb->data + len, meta, meta_len);
	skb->len = len;
	skb->truesize = 0;
	skb_queue(to, NULL, skb, NULL);
	return 0;
}

long unix_broken_pipe(int flags)
{
	return broken_pipe(flags);
}
