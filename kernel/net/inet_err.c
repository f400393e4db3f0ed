// SPDX-License-Identifier: MIT
/*
 * Kestrel: a socket's error queue (Linux's sk_error_queue): IP_RECVERR's
 * ICMP errors and MSG_ZEROCOPY's completions. A datagram socket with
 * IP_RECVERR on hears every ICMP error about what it sent, connected or
 * not, as an entry here: what ICMP said (struct sock_extended_err), who
 * said it, where the datagram was going and as much of it as the ICMP
 * quoted. A TCP or UDP socket with SO_ZEROCOPY gets an entry of origin
 * SO_EE_ORIGIN_ZEROCOPY for each MSG_ZEROCOPY send that took bytes, its
 * ids ee_info..ee_data; Kestrel always copies, so each says
 * SO_EE_CODE_ZEROCOPY_COPIED and comes at the end of its send (Linux's
 * behaviour on a route without scatter-gather), and one that follows
 * the queue's last completion merges with it (skb_zerocopy_notify_extend).
 * recvmsg(MSG_ERRQUEUE) takes the oldest (traceroute, tracepath and
 * ping read their hops and errors this way). ICMP errors are held to
 * the socket's SO_RCVBUF, as Linux's sock_queue_err_skb; a completion
 * is allocated before its send (inet_zc_prepare: ENOBUFS without), and
 * as consecutive ones merge, the queue holds at most one more of them
 * than it holds ICMP errors.
 *
 * Lock rule: s->in.errq_lock (interrupts off) around errq and
 * errq_bytes; the copy out to the reader is made after the entry is
 * unlinked, as Linux's ip_recv_error (a fault loses the entry, as there).
 */
#include "net/inet_sock.h"

#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"

/* One queued error; len bytes of the datagram follow it. */
struct inet_err {
	struct inet_err *next;
	struct sock_extended_err ee;
	uint32_t offender;          /* host order */
	struct inet_name dst;
	size_t len;
	uint8_t data[];
};

/* What an entry counts against SO_RCVBUF. */
static uint32_t err_size(const struct inet_err *e)
{
	return (uint32_t)(sizeof(*e) + e->len);
}

/* Append e to s's queue. Caller: errq_lock held. */
static void errq_append(struct unix_sock *s, struct inet_err *e)
{
	struct inet_err **tail = &s->in.errq;
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	s->in.errq_bytes += err_size(e);
}

void inet_err_queue(struct unix_sock *s, const struct sock_extended_err *ee, uint32_t offender,
		    const struct inet_name *dst, const void *data, size_t len)
{
	__atomic_store_n(&s->err, (int)ee->ee_errno, __ATOMIC_RELAXED);
	struct inet_err *e = kmalloc(sizeof(*e) + len);
	if (e) {
		*e = (struct inet_err){ .ee = *ee, .offender = offender, .dst = *dst, .len = len };
		memcpy(e->data, data, len);
		uint64_t fl = spin_lock_irqsave(&s->in.errq_lock);
		if (s->in.errq_bytes + err_size(e) <= (size_t)s->rcvbuf) {
			errq_append(s, e);
			e = NULL;
		} /* else full: the error is in SO_ERROR only */
		spin_unlock_irqrestore(&s->in.errq_lock, fl);
		kfree(e);
	}
	unix_changed(s);
}

/* ---- MSG_ZEROCOPY's completions ---------------------------------------------- */

struct inet_err *inet_zc_prepare(void)
{
	return kzalloc(sizeof(struct inet_err));
}

/* The queue's last entry takes id after its range, if it is a completion
 * and the range stays below 2^32 ids. Caller: errq_lock held. */
static bool zc_extend(struct unix_sock *s, uint32_t id)
{
	struct inet_err *t = s->in.errq;
	while (t && t->next)
		t = t->next;
	if (!t || t->ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY || id != t->ee.ee_data + 1 ||
	    (uint64_t)(t->ee.ee_data - t->ee.ee_info) + 2 >= (1ull << 32))
		return false;
	t->ee.ee_data = id;
	return true;
}

void inet_zc_complete(struct unix_sock *s, struct inet_err *e, bool sent)
{
	if (!e)
		return;
	if (!sent) {
		kfree(e); /* nothing taken: no id (Linux's msg_zerocopy_put_abort) */
		return;
	}
	uint32_t id = __atomic_fetch_add(&s->in.zc_key, 1, __ATOMIC_RELAXED);
	e->ee = (struct sock_extended_err){ .ee_origin = SO_EE_ORIGIN_ZEROCOPY,
					    .ee_code = SO_EE_CODE_ZEROCOPY_COPIED,
					    .ee_info = id, .ee_data = id };
	uint64_t fl = spin_lock_irqsave(&s->in.errq_lock);
	if (!zc_extend(s, id)) {
		errq_append(s, e);
		e = NULL;
	}
	spin_unlock_irqrestore(&s->in.errq_lock, fl);
	kfree(e);
	unix_changed(s); /* POLLERR */
}

static bool icmp_origin(const struct inet_err *e)
{
	return e && (e->ee.ee_origin == SO_EE_ORIGIN_ICMP || e->ee.ee_origin == SO_EE_ORIGIN_ICMP6);
}

/* IP_RECVERR's control message: the extended error, then the offender. */
static void err_cmsg(const struct inet_err *e, struct sock_msg *m)
{
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in from;
	} c = { e->ee, { .sin_family = AF_INET, .sin_addr = be32(e->offender) } };

	sock_msg_cmsg(m, IPPROTO_IP, IP_RECVERR, &c, sizeof(c));
}

/* A completion's: no offender, and for an AF_INET6 socket IPV6_RECVERR's
 * form (ip_recv_error and ipv6_recv_error, which fill no name for it). */
static void zc_cmsg(const struct unix_sock *s, const struct inet_err *e, struct sock_msg *m)
{
	if (s->family == AF_INET6) {
		struct {
			struct sock_extended_err ee;
			struct sockaddr_in6 from;
		} c = { e->ee, { 0 } };
		sock_msg_cmsg(m, IPPROTO_IPV6, IPV6_RECVERR, &c, sizeof(c));
	} else {
		struct {
			struct sock_extended_err ee;
			struct sockaddr_in from;
		} c = { e->ee, { 0 } };
		sock_msg_cmsg(m, IPPROTO_IP, IP_RECVERR, &c, sizeof(c));
	}
}

/* Unlink the oldest entry; SO_ERROR follows as Linux's
 * sock_dequeue_err_skb: the next entry's errno if it is an ICMP error,
 * else cleared if this one was. NULL when the queue is empty. */
static struct inet_err *errq_take(struct unix_sock *s)
{
	uint64_t fl = spin_lock_irqsave(&s->in.errq_lock);
	struct inet_err *e = s->in.errq;
	if (e) {
		s->in.errq = e->next;
		s->in.errq_bytes -= err_size(e);
		if (icmp_origin(s->in.errq))
			__atomic_store_n(&s->err, (int)s->in.errq->ee.ee_errno, __ATOMIC_RELAXED);
		else if (icmp_origin(e))
			__atomic_store_n(&s->err, 0, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&s->in.errq_lock, fl);
	return e;
}

long inet_recv_error(struct unix_sock *s, struct sock_msg *m)
{
	struct inet_err *e = errq_take(s);
	if (!e)
		return -EAGAIN;
	size_t room = unix_iov_total(m), n = e->len < room ? e->len : room;
	long r = (long)n;
	if (unix_iov_copy_out(m, (const char *)e->data, n)) {
		r = -EFAULT;
	} else {
		if (n < e->len)
			m->out_flags |= MSG_TRUNC;
		m->out_flags |= MSG_ERRQUEUE;
		if (e->ee.ee_origin == SO_EE_ORIGIN_ZEROCOPY) {
			zc_cmsg(s, e, m);
		} else {
			inet_addr_out(s, &e->dst, &m->addr, &m->addrlen);
			err_cmsg(e, m);
		}
	}
	kfree(e);
	unix_changed(s);
	return r;
}

void inet_err_purge(struct unix_sock *s)
{
	uint64_t fl = spin_lock_irqsave(&s->in.errq_lock);
	struct inet_err *e = s->in.errq;
	s->in.errq = NULL;
	s->in.errq_bytes = 0;
	spin_unlock_irqrestore(&s->in.errq_lock, fl);
	while (e) {
		struct inet_err *next = e->next;
		kfree(e);
		e = next;
	}
}

bool inet_err_pending(const struct unix_sock *s)
{
	return __atomic_load_n(&s->in.errq, __ATOMIC_RELAXED) != NULL;
}
