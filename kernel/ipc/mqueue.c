// SPDX-License-Identifier: MIT
/*
 * Kestrel: POSIX message queues, a queue's half (Linux's ipc/mqueue.c):
 * mq_timedsend, mq_timedreceive, mq_notify and mq_getsetattr on a
 * queue's descriptor, and the descriptor's own file operations (read
 * gives the QSIZE line, poll the room and the messages, a close by the
 * registered process ends its registration). The names, limits and
 * mq_open are mqueue_fs.c's.
 *
 * Messages leave highest priority first, in arrival order within one.
 * A sender finding the queue full (a receiver finding it empty) sleeps
 * until a receiver (sender) serves it in passing, as Linux's pipelined
 * send and receive do: the message goes straight from one to the other,
 * so a woken sleeper never finds its turn taken. A message is copied in
 * before the queue's lock is taken and out after it is let go.
 *
 * Lock rule: struct mqueue's (ipc/mqueue_int.h); its lock is taken
 * before a wait queue's and the heap's, and nothing else is taken under
 * it. Signals and netlink deliveries for a notification are made after
 * it is let go, under the kernel lock the system calls hold.
 */
#include "ipc/mqueue_int.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "net/netlink.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sys/syscall_define.h"
#include "time/time.h"
#include "time/timespec.h"
#include "uapi/signal.h"

#define QSIZE_LINE 80   /* Linux's FILENT_SIZE: the read line's buffer */

typedef int mqd_t;

struct mqueue *mqueue_alloc(int64_t maxmsg, int64_t msgsize)
{
	struct mqueue *q = kzalloc(sizeof(*q));

	if (q) {
		q->maxmsg = maxmsg;
		q->msgsize = msgsize;
	}
	return q;
}

/* What a registration leaves to do once the lock is let go. */
struct mq_fire {
	int pid;
	uint64_t start;
	struct mq_notify n;
	uint8_t code;              /* NOTIFY_WOKENUP, NOTIFY_REMOVED, or 0: nothing */
};

/* End q's registration (locked): what it owed goes to *out (code: why). */
static void notify_take(struct mqueue *q, uint8_t code, struct mq_fire *out)
{
	*out = (struct mq_fire){ .pid = q->notify_pid, .start = q->notify_start, .n = q->notify,
				 .code = code };
	q->notify_pid = 0;
	q->notify = (struct mq_notify){ 0 };
}

/* The registered process, if it is the one that registered and lives. */
static struct process *notify_target(const struct mq_fire *f)
{
	struct process *p = process_find(f->pid);

	return p && p->start_ns == f->start && p->state == PROC_ALIVE ? p : NULL;
}

/* Deliver what notify_take took, the lock let go (Linux's __do_notify
 * and remove_notification): a signal with SI_MESGQ, or the cookie on the
 * netlink socket; the socket's reference goes. */
static void notify_fire(struct mq_fire *f)
{
	if (!f->code)
		return;
	if (f->code == NOTIFY_WOKENUP && f->n.kind == SIGEV_SIGNAL && f->n.signo) {
		struct process *p = notify_target(f);
		struct process *me = current_process();
		struct siginfo_k info = { .signo = f->n.signo, .code = SI_MESGQ };
		info.rt.pid = me->pid;
		info.rt.uid = current_cred()->uid;
		info.rt.value = f->n.value;
		if (p)
			signal_send_queued(p, NULL, f->n.signo, &info);
	}
	if (f->n.sock) {
		f->n.cookie[NOTIFY_COOKIE_LEN - 1] = f->code;
		netlink_deliver(f->n.sock, f->n.cookie, NOTIFY_COOKIE_LEN);
		file_put(f->n.sock);
	}
}

void mqueue_free(struct mqueue *q)
{
	struct mq_fire f;

	while (q->levels) {
		struct mq_level *l = q->levels;
		q->levels = l->next;
		while (l->head) {
			struct mq_msg *m = l->head;
			l->head = m->next;
			kfree(m);
		}
		kfree(l);
	}
	kfree(q->spare);
	notify_take(q, 0, &f);
	if (f.n.sock)
		file_put(f.n.sock);
	kfree(q);
}

/* ---- the messages ------------------------------------------------------------------- */

/* Queue m behind the messages of its priority (locked): 0, or -ENOMEM
 * when its priority needs a level and none is spare or can be had. */
static int msg_insert(struct mqueue *q, struct mq_msg *m)
{
	struct mq_level **pl = &q->levels;

	while (*pl && (*pl)->prio > m->prio)
		pl = &(*pl)->next;
	if (!*pl || (*pl)->prio != m->prio) {
		struct mq_level *l = q->spare ? q->spare : kmalloc(sizeof(*l));
		if (!l)
			return -ENOMEM;
		q->spare = NULL;
		*l = (struct mq_level){ .next = *pl, .prio = m->prio, .tail = &l->head };
		*pl = l;
	}
	m->next = NULL;
	*(*pl)->tail = m;
	(*pl)->tail = &m->next;
	q->curmsgs++;
	q->qsize += m->len;
	return 0;
}

/* Take the first message of the highest priority (locked; one exists). */
static struct mq_msg *msg_take(struct mqueue *q)
{
	struct mq_level *l = q->levels;
	struct mq_msg *m = l->head;

	if (!(l->head = m->next)) {
		q->levels = l->next;
		if (q->spare)
			kfree(l);
		else
			q->spare = l;
	}
	q->curmsgs--;
	q->qsize -= m->len;
	return m;
}

/* As Linux's send and receive: a level allocated before the lock is
 * taken, when q has none spare (read without the lock: a hint), so that
 * a new priority seldom allocates under it. */
static struct mq_level *spare_alloc(struct mqueue *q)
{
	return __atomic_load_n(&q->spare, __ATOMIC_RELAXED) ? NULL : kmalloc(sizeof(struct mq_level));
}

/* ... kept by q if it still has none (locked); *spare NULL then. */
static void spare_keep(struct mqueue *q, struct mq_level **spare)
{
	if (!q->spare) {
		q->spare = *spare;
		*spare = NULL;
	}
}

/* ---- sleeping --------------------------------------------------------------------------- */

static void waiter_add(struct mq_waiter **list, struct mq_waiter *w)
{
	while (*list)
		list = &(*list)->next;
	w->next = NULL;
	*list = w;
}

static void waiter_remove(struct mq_waiter **list, struct mq_waiter *w)
{
	for (; *list; list = &(*list)->next)
		if (*list == w) {
			*list = w->next;
			return;
		}
}

/* Serve the first waiter of list (locked): it is off the list, ready
 * and woken; its msg is whatever the caller put there. */
static struct mq_waiter *waiter_pop(struct mq_waiter **list)
{
	struct mq_waiter *w = *list;

	if (w)
		*list = w->next;
	return w;
}

static void waiter_ready(struct mq_waiter *w)
{
	__atomic_store_n(&w->ready, true, __ATOMIC_RELEASE);
	wake_all(&w->wq);
}

/* Linux's wq_sleep: sleep on list until served, the deadline or a
 * signal. Called and returns with the lock held (*fl updated). 0 (w was
 * served), -ERESTARTSYS, -ETIMEDOUT. */
static long wait_turn(struct mqueue *q, struct mq_waiter **list, struct mq_waiter *w,
		      uint64_t deadline, uint64_t *fl)
{
	long r;

	waiter_add(list, w);
	for (;;) {
		spin_unlock_irqrestore(&q->lock, *fl);
		bool in_time = wait_on_flag(&w->wq, &w->ready, deadline);
		*fl = spin_lock_irqsave(&q->lock);
		if (w->ready)
			return 0;
		if (signal_pending()) {
			r = -ERESTARTSYS;
			break;
		}
		if (!in_time) {
			r = -ETIMEDOUT;
			break;
		}
	}
	waiter_remove(list, w);
	return r;
}

/* ---- the descriptor --------------------------------------------------------------------- */

/* The queue behind descriptor mqdes, with a reference on its file: 0,
 * or -EBADF (not open, or not a queue's). */
static int queue_file(mqd_t mqdes, struct file **out)
{
	struct file *f = fd_get(current_process()->files, mqdes);

	if (!f)
		return -EBADF;
	if (f->ops != &mqueue_file_ops) {
		file_put(f);
		return -EBADF;
	}
	*out = f;
	return 0;
}

static void queue_touched(struct inode *ip)
{
	ip->atime = ip->mtime = ip->ctime = vfs_now();
}

/* ---- mq_timedsend ----------------------------------------------------------------------- */

/* Queue m on q, or hand it to a waiting receiver, or sleep for room
 * (Linux's do_mq_timedsend under the lock): 0 (m is the queue's), or
 * -EAGAIN, -ETIMEDOUT, -ERESTARTSYS, -ENOMEM (m is still the caller's). */
static long send_locked(struct mqueue *q, struct mq_msg *m, bool nonblock, uint64_t deadline,
			uint64_t *fl, struct mq_fire *fire)
{
	struct mq_waiter *r;

	if (q->curmsgs == q->maxmsg) {
		if (nonblock)
			return -EAGAIN;
		struct mq_waiter w = { .msg = m };
		return wait_turn(q, &q->senders, &w, deadline, fl);
	}
	if ((r = waiter_pop(&q->receivers))) {
		r->msg = m;
		waiter_ready(r);
		return 0;
	}
	long err = msg_insert(q, m);
	if (!err && q->notify_pid && q->curmsgs == 1)
		notify_take(q, NOTIFY_WOKENUP, fire);
	return err;
}

/* A message of len bytes from user memory: 0, -ENOMEM, -EFAULT. */
static int load_msg(uptr_t u, size_t len, unsigned prio, struct mq_msg **out)
{
	struct mq_msg *m = kmalloc(sizeof(*m) + len);

	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->text, u, len)) {
		kfree(m);
		return -EFAULT;
	}
	m->len = len;
	m->prio = prio;
	*out = m;
	return 0;
}

static long timedsend(mqd_t mqdes, uptr_t umsg, size_t len, unsigned prio, uint64_t deadline)
{
	struct mq_fire fire = { 0 };
	struct mq_msg *m;
	struct file *f;
	long err;

	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	if ((err = queue_file(mqdes, &f)))
		return err;
	struct mqueue *q = f->priv;
	if (!can_write(f))
		err = -EBADF;
	else if (len > (uint64_t)q->msgsize)
		err = -EMSGSIZE;
	else
		err = load_msg(umsg, len, prio, &m);
	if (!err) {
		struct mq_level *spare = spare_alloc(q);
		uint64_t fl = spin_lock_irqsave(&q->lock);
		spare_keep(q, &spare);
		err = send_locked(q, m, f->flags & O_NONBLOCK, deadline, &fl, &fire);
		spin_unlock_irqrestore(&q->lock, fl);
		kfree(spare);
		if (err)
			kfree(m);
		else
			queue_touched(f->inode);
		notify_fire(&fire);
		io_event();
	}
	file_put(f);
	return err;
}

SYSCALL_DEFINE5(mq_timedsend, mqd_t, mqdes, uptr_t, umsg, size_t, len, unsigned int, prio,
		uptr_t, uts)
{
	uint64_t deadline;
	int err = timeout_deadline(uts, true, &deadline);

	return err ? err : timedsend(mqdes, umsg, len, prio, deadline);
}

/* ---- mq_timedreceive -------------------------------------------------------------------- */

/* Take the next message of q, or sleep for one (locked): 0 and *out, or
 * -EAGAIN, -ETIMEDOUT, -ERESTARTSYS. A sender waiting for room gets its
 * message in, in passing. */
static long receive_locked(struct mqueue *q, bool nonblock, uint64_t deadline, uint64_t *fl,
			   struct mq_msg **out)
{
	struct mq_waiter *s;

	if (q->curmsgs == 0) {
		if (nonblock)
			return -EAGAIN;
		struct mq_waiter w = { 0 };
		long err = wait_turn(q, &q->receivers, &w, deadline, fl);
		*out = w.msg;
		return err;
	}
	*out = msg_take(q);
	if ((s = q->senders) && msg_insert(q, s->msg) == 0) {
		waiter_pop(&q->senders);
		waiter_ready(s);
	}
	return 0;
}

static long timedreceive(mqd_t mqdes, uptr_t umsg, size_t len, uptr_t uprio, uint64_t deadline)
{
	struct mq_msg *m = NULL;
	struct file *f;
	long err;

	if ((err = queue_file(mqdes, &f)))
		return err;
	struct mqueue *q = f->priv;
	if (!can_read(f))
		err = -EBADF;
	else if (len < (uint64_t)q->msgsize)
		err = -EMSGSIZE;
	if (!err) {
		struct mq_level *spare = spare_alloc(q);
		uint64_t fl = spin_lock_irqsave(&q->lock);
		spare_keep(q, &spare);
		err = receive_locked(q, f->flags & O_NONBLOCK, deadline, &fl, &m);
		spin_unlock_irqrestore(&q->lock, fl);
		kfree(spare);
		io_event();
	}
	if (!err) {
		queue_touched(f->inode);
		uint32_t prio = m->prio;
		err = (long)m->len;
		/* as Linux: the message is gone even when it cannot be copied */
		if ((uprio && copy_to_user(uprio, &prio, sizeof(prio))) ||
		    copy_to_user(umsg, m->text, m->len))
			err = -EFAULT;
		kfree(m);
	}
	file_put(f);
	return err;
}

SYSCALL_DEFINE5(mq_timedreceive, mqd_t, mqdes, uptr_t, umsg, size_t, len, uptr_t, uprio,
		uptr_t, uts)
{
	uint64_t deadline;
	int err = timeout_deadline(uts, true, &deadline);

	return err ? err : timedreceive(mqdes, umsg, len, uprio, deadline);
}

/* ---- mq_notify -------------------------------------------------------------------------- */

/* sigevent's checks and SIGEV_THREAD's socket and cookie (Linux's
 * do_mq_notify before the queue): 0 with *n, or -EINVAL, -EFAULT,
 * -EBADF, -ENOTSOCK. */
static int notify_prepare(const struct sigevent_k *ev, struct mq_notify *n)
{
	*n = (struct mq_notify){ .kind = ev->notify };
	if (ev->notify != SIGEV_NONE && ev->notify != SIGEV_SIGNAL && ev->notify != SIGEV_THREAD)
		return -EINVAL;
	if (ev->notify == SIGEV_SIGNAL) {
		if (ev->signo < 0 || ev->signo > NSIG)
			return -EINVAL;
		n->signo = ev->signo;
		n->value = ev->value;
	}
	if (ev->notify != SIGEV_THREAD)
		return 0;
	if (copy_from_user(n->cookie, (uptr_t)ev->value, NOTIFY_COOKIE_LEN))
		return -EFAULT;
	struct file *s = fd_get(current_process()->files, ev->signo);
	if (!s)
		return -EBADF;
	int err = netlink_check(s);
	if (err) {
		file_put(s);
		return err;
	}
	n->sock = s;
	return 0;
}

/* Register n for the caller on q (NULL: take the caller's registration
 * away): 0 or -EBUSY. What is left to deliver goes to *fire. */
static long notify_set(struct mqueue *q, struct mq_notify *n, struct mq_fire *fire)
{
	struct process *me = current_process();
	uint64_t fl = spin_lock_irqsave(&q->lock);
	long r = 0;

	if (!n) {
		if (q->notify_pid == me->pid && q->notify_start == me->start_ns)
			notify_take(q, NOTIFY_REMOVED, fire);
	} else if (q->notify_pid) {
		r = -EBUSY;
	} else {
		q->notify = *n;
		q->notify_pid = me->pid;
		q->notify_start = me->start_ns;
		n->sock = NULL; /* the queue's now */
	}
	spin_unlock_irqrestore(&q->lock, fl);
	return r;
}

SYSCALL_DEFINE2(mq_notify, mqd_t, mqdes, uptr_t, uev)
{
	struct mq_fire fire = { 0 };
	struct sigevent_k ev;
	struct mq_notify n = { 0 };
	struct file *f;
	long err = 0;

	if (uev && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	if (uev && (err = notify_prepare(&ev, &n)))
		return err;
	if (!(err = queue_file(mqdes, &f))) {
		err = notify_set(f->priv, uev ? &n : NULL, &fire);
		if (!err)
			f->inode->atime = f->inode->ctime = vfs_now();
		file_put(f);
	}
	if (n.sock)
		file_put(n.sock);
	notify_fire(&fire);
	return err;
}

/* ---- mq_getsetattr ---------------------------------------------------------------------- */

SYSCALL_DEFINE3(mq_getsetattr, mqd_t, mqdes, uptr_t, unew, uptr_t, uold)
{
	struct mq_attr_k nw, old;
	struct file *f;
	int err;

	if (unew && copy_from_user(&nw, unew, sizeof(nw)))
		return -EFAULT;
	if (unew && (nw.flags & ~(int64_t)O_NONBLOCK))
		return -EINVAL;
	if ((err = queue_file(mqdes, &f)))
		return err;
	struct mqueue *q = f->priv;
	uint64_t fl = spin_lock_irqsave(&q->lock);
	old = (struct mq_attr_k){ .flags = f->flags & O_NONBLOCK, .maxmsg = q->maxmsg,
				  .msgsize = q->msgsize, .curmsgs = q->curmsgs };
	spin_unlock_irqrestore(&q->lock, fl);
	if (unew) {
		f->flags = (f->flags & ~(unsigned)O_NONBLOCK) | (unsigned)(nw.flags & O_NONBLOCK);
		f->inode->atime = f->inode->ctime = vfs_now();
	}
	file_put(f);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* ---- the file ----------------------------------------------------------------------------- */

/* Linux's mqueue_read_file: the bytes of the messages, the registration's
 * kind, signal and process. */
static long mq_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	struct mqueue *q = f->priv;
	char line[QSIZE_LINE];
	uint64_t fl = spin_lock_irqsave(&q->lock);
	bool reg = q->notify_pid != 0;
	int kind = reg ? q->notify.kind : 0;
	int signo = reg && kind == SIGEV_SIGNAL ? q->notify.signo : 0;
	unsigned long qsize = q->qsize;
	int pid = q->notify_pid;

	spin_unlock_irqrestore(&q->lock, fl);
	int len = ksnprintf(line, sizeof(line), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			    qsize, kind, signo, pid);
	long r = vfs_read_text(line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1, b, n,
			       pos);
	if (r > 0)
		f->inode->atime = f->inode->ctime = vfs_now();
	return r;
}

static unsigned mq_poll(struct file *f)
{
	struct mqueue *q = f->priv;
	uint64_t fl = spin_lock_irqsave(&q->lock);
	unsigned m = (q->curmsgs ? POLLIN : 0) | (q->curmsgs < q->maxmsg ? POLLOUT : 0);

	spin_unlock_irqrestore(&q->lock, fl);
	return m;
}

/* Linux's mqueue_flush_file: any close by the registered process ends
 * its registration. */
static void mq_flush(struct file *f)
{
	struct mqueue *q = f->priv;
	struct process *me = current_process();
	struct mq_fire fire = { 0 };

	if (!me)
		return;
	uint64_t fl = spin_lock_irqsave(&q->lock);
	if (q->notify_pid == me->pid && q->notify_start == me->start_ns)
		notify_take(q, NOTIFY_REMOVED, &fire);
	spin_unlock_irqrestore(&q->lock, fl);
	notify_fire(&fire);
}

static long mq_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, f->inode ? f->inode->size : 0);
}

const struct file_ops mqueue_file_ops = {
	.read = mq_read,
	.poll = mq_poll,
	.flush = mq_flush,
	.lseek = mq_lseek,
};
