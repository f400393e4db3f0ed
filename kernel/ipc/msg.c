// SPDX-License-Identifier: MIT
/*
 * Kestrel: System V message queues (msgget, msgsnd, msgrcv, msgctl), as
 * Linux's ipc/msg.c. A queue holds messages in arrival order, each a
 * type and up to kernel.msgmax bytes, up to msg_qbytes bytes (and as
 * many messages) in all; a sender waits for room, a receiver for a
 * message of the type it asks: the first one (msgtyp 0), the first of a
 * type (> 0, or any other with MSG_EXCEPT), or the first of the lowest
 * type up to -msgtyp (< 0). MSG_COPY reads the msgtyp-th message without
 * taking it. A message is copied from the sender before the queue is
 * locked and to the receiver after it is let go.
 *
 * Lock rule: msg_table's lock (ipc/ipc_ids.h) guards every queue, its
 * messages and the totals below.
 */
#include "ipc/ipc.h"
#include "fs/sbuf.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/signal.h"
#include "sys/syscall_define.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MSGSSZ  16      /* msginfo's constants, as Linux reports them */
#define MSGSEG  0xffff
#define MSGPOOL (MSGMNI_DEFAULT * MSGMNB_DEFAULT / 1024)
#define MTYPE_BYTES sizeof(long) /* struct msgbuf's mtype before mtext */
#define LONG_MAX_V 0x7fffffffffffffffl

int64_t msg_limits[3] = { MSGMAX_DEFAULT, MSGMNB_DEFAULT, MSGMNI_DEFAULT };

struct msg {
	struct msg *next;
	long type;
	size_t len;
	char text[];
};

struct msg_queue {
	struct ipc_obj perm;
	int64_t stime, rtime;
	uint64_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	struct msg *head, **tail;
	struct wait_queue rwq;   /* receivers: a message came, or the queue went */
	struct wait_queue swq;   /* senders: room was made, or the queue went */
};

static void queue_free(struct ipc_obj *o);
struct ipc_table msg_table = { .max_idx = -1, .last_idx = -1, .next_id = -1,
			       .limit = &msg_limits[MSG_MNI_I], .free = queue_free };
static uint64_t msg_hdrs, msg_bytes; /* MSG_INFO's messages and bytes in all queues */

static int64_t limit(int i)
{
	return __atomic_load_n(&msg_limits[i], __ATOMIC_RELAXED);
}

static struct msg_queue *queue_of(struct ipc_obj *o)
{
	return (struct msg_queue *)o;
}

/* The table's free: the queue's last reference went (its messages went
 * at IPC_RMID, drop_messages). */
static void queue_free(struct ipc_obj *o)
{
	kfree(queue_of(o));
}

/* IPC_RMID: every message of q goes, out of the totals. */
static void drop_messages(struct msg_queue *q)
{
	struct msg *m = q->head;

	while (m) {
		struct msg *next = m->next;
		msg_hdrs--;
		msg_bytes -= m->len;
		kfree(m);
		m = next;
	}
	q->head = NULL;
	q->tail = &q->head;
}

/* ---- msgget --------------------------------------------------------------------- */

static int queue_create(struct ipc_table *t, int32_t key, int flg, void *arg)
{
	(void)arg;
	struct msg_queue *q = kzalloc(sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->qbytes = (uint64_t)limit(MSG_MNB_I);
	q->tail = &q->head;
	int err = ipc_add(t, &q->perm, key, flg);
	if (err) {
		kfree(q);
		return err;
	}
	return q->perm.id;
}

SYSCALL_DEFINE2(msgget, int, key, int, msgflg)
{
	return ipc_get_or_create(&msg_table, key, msgflg, queue_create, NULL, NULL);
}

/* ---- msgsnd --------------------------------------------------------------------- */

/* Linux's msg_fits_inqueue: the bytes, and one more message, within msg_qbytes. */
static bool fits(const struct msg_queue *q, size_t len)
{
	return q->cbytes + len <= q->qbytes && q->qnum + 1 <= q->qbytes;
}

static void enqueue(struct msg_queue *q, struct msg *m)
{
	m->next = NULL;
	*q->tail = m;
	q->tail = &m->next;
	q->qnum++;
	q->cbytes += m->len;
	q->lspid = ipc_pid();
	q->stime = ipc_now();
	msg_hdrs++;
	msg_bytes += m->len;
	wake_all(&q->rwq);
}

/* Queue m on msqid, waiting for room unless IPC_NOWAIT: 0 (m is the
 * queue's), or an error (m is still the caller's). */
static long send_msg(int msqid, struct msg *m, int msgflg)
{
	uint64_t fl = ipc_lock(&msg_table);
	struct msg_queue *q = (struct msg_queue *)ipc_find_id(&msg_table, msqid);
	long err = -EINVAL;

	while (q) {
		if (!ipc_may(&q->perm, IPC_WRITE)) {
			err = -EACCES;
			break;
		}
		if (fits(q, m->len)) {
			enqueue(q, m);
			err = 0;
			break;
		}
		if (msgflg & IPC_NOWAIT) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending()) {
			err = -ERESTARTNOHAND;
			break;
		}
		if ((err = ipc_wait(&msg_table, &q->perm, &q->swq, NO_DEADLINE, &fl)) != 0)
			break;
	}
	ipc_unlock(&msg_table, fl);
	return err;
}

SYSCALL_DEFINE4(msgsnd, int, msqid, uptr_t, msgp, size_t, msgsz, int, msgflg)
{
	long type;

	if (copy_from_user(&type, msgp, sizeof(type)))
		return -EFAULT;
	if (msgsz > (uint64_t)limit(MSG_MAX_I) || (long)msgsz < 0 || msqid < 0 || type < 1)
		return -EINVAL;
	struct msg *m = kmalloc(sizeof(*m) + msgsz);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->len = msgsz;
	long err = copy_from_user(m->text, msgp + MTYPE_BYTES, msgsz) ? -EFAULT
		 : send_msg(msqid, m, msgflg);
	if (err)
		kfree(m);
	return err;
}

/* ---- msgrcv --------------------------------------------------------------------- */

enum search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

/* Linux's convert_mode: how msgtyp selects (*type becomes the bound). */
static enum search search_mode(long *type, int msgflg)
{
	if (msgflg & MSG_COPY)
		return SEARCH_NUMBER;
	if (*type == 0)
		return SEARCH_ANY;
	if (*type < 0) {
		*type = *type == -LONG_MAX_V - 1 ? LONG_MAX_V : -*type;
		return SEARCH_LESSEQUAL;
	}
	return msgflg & MSG_EXCEPT ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
}

static bool matches(const struct msg *m, long type, enum search mode)
{
	switch (mode) {
	case SEARCH_ANY:
	case SEARCH_NUMBER:
		return true;
	case SEARCH_LESSEQUAL:
		return m->type <= type;
	case SEARCH_EQUAL:
		return m->type == type;
	case SEARCH_NOTEQUAL:
		return m->type != type;
	}
	return false;
}

/* Linux's find_msg: the link to the message asked for, or NULL. For
 * SEARCH_LESSEQUAL the first of the lowest type; for SEARCH_NUMBER the
 * type-th message (from 0). */
static struct msg **find_msg(struct msg_queue *q, long type, enum search mode)
{
	struct msg **found = NULL;
	long count = 0;

	for (struct msg **pm = &q->head; *pm; pm = &(*pm)->next) {
		struct msg *m = *pm;
		if (!matches(m, type, mode))
			continue;
		if (mode == SEARCH_LESSEQUAL && m->type != 1) {
			type = m->type - 1;
			found = pm;
		} else if (mode == SEARCH_NUMBER) {
			if (count++ == type)
				return pm;
		} else {
			return pm;
		}
	}
	return found;
}

/* Take the message *pm out of q, as a receive does. */
static struct msg *dequeue(struct msg_queue *q, struct msg **pm)
{
	struct msg *m = *pm;

	*pm = m->next;
	if (q->tail == &m->next)
		q->tail = pm;
	q->qnum--;
	q->cbytes -= m->len;
	q->lrpid = ipc_pid();
	q->rtime = ipc_now();
	msg_hdrs--;
	msg_bytes -= m->len;
	wake_all(&q->swq);
	return m;
}

/* A copy of m, for MSG_COPY (the original stays queued). */
static struct msg *clone_msg(const struct msg *m)
{
	struct msg *c = kmalloc(sizeof(*c) + m->len);

	if (c)
		memcpy(c, m, sizeof(*c) + m->len);
	return c;
}

/* Linux's copy_msg: a copy goes whole into a buffer of the smaller of
 * bufsz and msgmax, or is -EINVAL (MSG_NOERROR cuts no copy). */
static bool copy_fits(const struct msg *m, size_t bufsz)
{
	uint64_t max = (uint64_t)limit(MSG_MAX_I);

	return m->len <= (bufsz < max ? bufsz : max);
}

/* Receive from msqid into *out (the caller's to free and copy out):
 * 0, or -EINVAL, -EACCES, -EIDRM, -E2BIG, -ENOMSG, -ENOMEM, or a restart. */
static long receive_msg(int msqid, size_t bufsz, long type, int msgflg, struct msg **out)
{
	enum search mode = search_mode(&type, msgflg);
	uint64_t fl = ipc_lock(&msg_table);
	struct msg_queue *q = (struct msg_queue *)ipc_find_id(&msg_table, msqid);
	long err = -EINVAL;

	while (q) {
		if (!ipc_may(&q->perm, IPC_READ)) {
			err = -EACCES;
			break;
		}
		struct msg **pm = find_msg(q, type, mode);
		if (pm) {
			if (bufsz < (*pm)->len && !(msgflg & MSG_NOERROR))
				err = -E2BIG;
			else if ((msgflg & MSG_COPY) && !copy_fits(*pm, bufsz))
				err = -EINVAL;
			else if (!(*out = msgflg & MSG_COPY ? clone_msg(*pm) : dequeue(q, pm)))
				err = -ENOMEM;
			else
				err = 0;
			break;
		}
		if (msgflg & IPC_NOWAIT) {
			err = -ENOMSG;
			break;
		}
		if (signal_pending()) {
			err = -ERESTARTNOHAND;
			break;
		}
		if ((err = ipc_wait(&msg_table, &q->perm, &q->rwq, NO_DEADLINE, &fl)) != 0)
			break;
	}
	ipc_unlock(&msg_table, fl);
	return err;
}

SYSCALL_DEFINE5(msgrcv, int, msqid, uptr_t, msgp, size_t, msgsz, long, msgtyp, int, msgflg)
{
	struct msg *m;

	if (msqid < 0 || (long)msgsz < 0)
		return -EINVAL;
	if ((msgflg & MSG_COPY) && ((msgflg & MSG_EXCEPT) || !(msgflg & IPC_NOWAIT)))
		return -EINVAL;
	long err = receive_msg(msqid, msgsz, msgtyp, msgflg, &m);
	if (err)
		return err;
	size_t n = m->len < msgsz ? m->len : msgsz;
	if (copy_to_user(msgp, &m->type, sizeof(m->type)) ||
	    copy_to_user(msgp + MTYPE_BYTES, m->text, n))
		err = -EFAULT; /* as Linux: the message is gone all the same */
	kfree(m);
	return err ? err : (long)n;
}

/* ---- msgctl --------------------------------------------------------------------- */

static long msg_info(int cmd, uptr_t buf)
{
	uint64_t fl = ipc_lock(&msg_table);
	struct msginfo mi = {
		.msgmax = (int32_t)limit(MSG_MAX_I), .msgmnb = (int32_t)limit(MSG_MNB_I),
		.msgmni = (int32_t)limit(MSG_MNI_I), .msgssz = MSGSSZ, .msgseg = MSGSEG,
		.msgpool = cmd == MSG_INFO ? msg_table.in_use : MSGPOOL,
		.msgmap = cmd == MSG_INFO ? (int32_t)msg_hdrs : MSGMNB_DEFAULT,
		.msgtql = cmd == MSG_INFO ? (int32_t)msg_bytes : MSGMNB_DEFAULT,
	};
	int max = ipc_max_idx(&msg_table);

	ipc_unlock(&msg_table, fl);
	return copy_to_user(buf, &mi, sizeof(mi)) ? -EFAULT : max;
}

static void queue_stat(const struct msg_queue *q, struct msqid64_ds *ds)
{
	*ds = (struct msqid64_ds){
		.msg_stime = q->stime, .msg_rtime = q->rtime, .msg_ctime = q->perm.ctime,
		.msg_cbytes = q->cbytes, .msg_qnum = q->qnum, .msg_qbytes = q->qbytes,
		.msg_lspid = q->lspid, .msg_lrpid = q->lrpid,
	};
	ipc_perm_out(&q->perm, &ds->msg_perm);
}

/* IPC_STAT (0 on success), MSG_STAT and MSG_STAT_ANY (the id; msqid a slot). */
static long msg_stat(int msqid, int cmd, uptr_t buf)
{
	uint64_t fl = ipc_lock(&msg_table);
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find_id(&msg_table, msqid)
					    : ipc_find_slot(&msg_table, msqid);
	struct msqid64_ds ds;
	long r = !o ? -EINVAL : cmd != MSG_STAT_ANY && !ipc_may(o, IPC_READ) ? -EACCES
		: cmd == IPC_STAT ? 0 : o->id;

	if (r >= 0)
		queue_stat(queue_of(o), &ds);
	ipc_unlock(&msg_table, fl);
	if (r >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return r;
}

/* IPC_RMID: every sleeper wakes to -EIDRM; the messages go now. */
static void queue_remove(struct msg_queue *q)
{
	drop_messages(q);
	wake_all(&q->rwq);
	wake_all(&q->swq);
	ipc_remove(&msg_table, &q->perm);
}

/* IPC_SET and IPC_RMID (Linux's msgctl_down). */
static long msg_down(int msqid, int cmd, uptr_t buf)
{
	struct msqid64_ds ds;

	if (cmd == IPC_SET && copy_from_user(&ds, buf, sizeof(ds)))
		return -EFAULT;
	uint64_t fl = ipc_lock(&msg_table);
	struct msg_queue *q = (struct msg_queue *)ipc_find_id(&msg_table, msqid);
	long r = !q ? -EINVAL : !ipc_is_owner(&q->perm) ? -EPERM : 0;

	if (!r && cmd == IPC_RMID) {
		queue_remove(q);
	} else if (!r) {
		if (ds.msg_qbytes > (uint64_t)limit(MSG_MNB_I) && !capable(CAP_SYS_RESOURCE)) {
			r = -EPERM;
		} else {
			ipc_perm_set(&q->perm, &ds.msg_perm);
			q->qbytes = ds.msg_qbytes;
			wake_all(&q->swq); /* the room may have grown */
		}
	}
	ipc_unlock(&msg_table, fl);
	return r;
}

SYSCALL_DEFINE3(msgctl, int, msqid, int, cmd, uptr_t, buf)
{
	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msg_info(cmd, buf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msg_stat(msqid, cmd, buf);
	case IPC_SET:
	case IPC_RMID:
		return msg_down(msqid, cmd, buf);
	default:
		return -EINVAL;
	}
}

/* ---- /proc/sysvipc/msg ------------------------------------------------------------ */

static void show_queue(struct ipc_obj *o, void *arg)
{
	const struct msg_queue *q = queue_of(o);

	sb_printf(arg, "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10ld %10ld %10ld\n",
		  o->key, o->id, o->mode, (unsigned long)q->cbytes, (unsigned long)q->qnum, q->lspid,
		  q->lrpid, o->uid, o->gid, o->cuid, o->cgid, (long)q->stime, (long)q->rtime,
		  (long)o->ctime);
}

void msg_proc_show(struct sbuf *s)
{
	sb_printf(s, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
	uint64_t fl = ipc_lock(&msg_table);
	ipc_for_each(&msg_table, show_queue, s);
	ipc_unlock(&msg_table, fl);
}
