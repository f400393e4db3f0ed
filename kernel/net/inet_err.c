// SPDX-License-Identifier: MIT
/*
 * Kestrel: IP_RECVERR's error queue (Linux's sk_error_queue for ICMP
 * errors; see net/inet_sock.h). A datagram socket with IP_RECVERR on
 * hears every ICMP error about what it sent, connected or not, as an
 * entry here: what ICMP said (struct sock_extended_err), who said it,
 * where the datagram was going and as much of it as the ICMP quoted.
 * recvmsg(MSG_ERRQUEUE) takes the oldest (traceroute, tracepath and
 * ping read their hops and errors this way). The queue holds no more
 * than the socket's SO_RCVBUF, as Linux's sock_queue_err_skb.
 *
 * Lock rule: as the socket's (net/unix_sock.h): the ICMP error arrives
 * in the network thread or the sender's own call and the reader takes
 * it in a system call, all under the kernel lock today; issue 29's
 * socket lock will cover errq and errq_bytes with the receive queue.
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

void inet_err_queue(struct unix_sock *s, const struct sock_extended_err *ee, uint32_t offender,
		    const struct inet_name *dst, const void *data, size_t len)
{
	s->err = (int)ee->ee_errno;
	unix_changed(s);
	if (s->in.errq_bytes + sizeof(struct inet_err) + len > (size_t)s->rcvbuf)
		return; /* full: the error is in SO_ERROR only */
	struct inet_err *e = kmalloc(sizeof(*e) + len);
	if (!e)
		return;
	*e = (struct inet_err){ .ee = *ee, .offender = offender, .dst = *dst, .len = len };
	memcpy(e->data, data, len);
	struct inet_err **tail = &s->in.errq;
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	s->in.errq_bytes += err_size(e);
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

long inet_recv_error(struct unix_sock *s, struct sock_msg *m)
{
	struct inet_err *e = s->in.errq;
	if (!e)
		return -EAGAIN;
	size_t room = unix_iov_total(m), n = e->len < room ? e->len : room;
	if (unix_iov_copy_out(m, (const char *)e->data, n))
		return -EFAULT;
	if (n < e->len)
		m->out_flags |= MSG_TRUNC;
	m->out_flags |= MSG_ERRQUEUE;
	inet_addr_out(s, &e->dst, &m->addr, &m->addrlen);
	err_cmsg(e, m);
	s->in.errq = e->next;
	s->in.errq_bytes -= err_size(e);
	s->err = s->in.errq ? (int)s->in.errq->ee.ee_errno : 0; /* Linux's sock_dequeue_err_skb */
	kfree(e);
	unix_changed(s);
	return (long)n;
}

void inet_err_purge(struct unix_sock *s)
{
	while (s->in.errq) {
		struct inet_err *e = s->in.errq;
		s->in.errq = e->next;
		kfree(e);
	}
	s->in.errq_bytes = 0;
}
