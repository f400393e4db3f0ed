// SPDX-License-Identifier: MIT
/*
 * Kestrel: TCP sockets before they connect, listeners, and TCP to ::1
 * (see net/inet.c). A connect to an IPv4 address, this host's own too,
 * makes the socket a connection over IPv4 (net/tcp_sock.h), and a
 * listener takes those from lo and the wire alike. To ::1, until IPv6
 * runs over lo, a connection is an AF_UNIX stream connection (the listener's queue of
 * server ends, accept, the byte queues, EOF, EPIPE, ECONNRESET when a
 * socket closes with unread data) between two sockets with AF_INET
 * names. There is no handshake to wait for: a connect is done or
 * refused at once, and a nonblocking one still says EINPROGRESS, as on
 * Linux, with the result in SO_ERROR and poll's POLLOUT/POLLERR.
 */
#include "net/inet_sock.h"
#include "net/tcp_sock.h"

#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/sched.h"
#include "uapi/sockios.h"
#include "uapi/tcp.h"

/* A new server end e of listener l, reached at d by client s: of l's
 * family, named by where it was reached, peer s; it inherits l's
 * options (Linux's sk_clone_lock). */
static void tcp_server_end(struct unix_sock *e, const struct unix_sock *l,
			   const struct unix_sock *s, const struct inet_name *d)
{
	inet_inherit(e, l);
	e->proto = &inet_tcp_proto;
	e->in.name = *d;
	e->in.peer = s->in.name;
	e->in.has_peer = true;
	inet_name_sync(e);
}

/* The client's side of a connection to d: a port if it has none, and
 * a specific address (127.0.0.1 or ::1) for a wildcard, as Linux's
 * connect sets the source. 0, -ENETUNREACH or -EAFNOSUPPORT (bound to
 * an address of the other version), or bind's error. */
static int tcp_client_name(struct unix_sock *s, const struct inet_name *d)
{
	struct inet_name src = inet_source(s, d);
	int err = inet_version_mismatch(&src, d);

	if (err)
		return err;
	if (!s->in.name.port)
		return inet_bind_port(s, src);
	s->in.name = src;
	inet_name_sync(s);
	return 0;
}

/*
 * Join the listener at d, waiting while its queue is full (a
 * blocking connect; a nonblocking one joins beyond the backlog rather
 * than leave a connection half made). 0, -ECONNREFUSED, -ENOMEM,
 * -ERESTARTSYS/-EINTR/-EAGAIN from the wait.
 */
static int tcp_join(struct unix_sock *s, const struct inet_name *d, bool nonblock)
{
	uint64_t deadline = unix_deadline(s->sndtimeo_ns);
	struct unix_sock *l;
	int err;

	while ((l = inet_lookup(s, d))) {
		if (l->acc_len <= l->backlog || nonblock) {
			if ((err = unix_stream_join(s, l)))
				return err;
			tcp_server_end(l->acc_tail, l, s, d);
			s->in.peer = *d;
			s->in.has_peer = true;
			return 0;
		}
		unix_get(l); /* it may close while we wait */
		err = (int)unix_wait(&l->wq, false, deadline);
		unix_put(l);
		if (err)
			return err;
	}
	return -ECONNREFUSED;
}

/* A second connect after EINPROGRESS: 0 once (connected), or the
 * refusal, as Linux's __inet_stream_connect in SS_CONNECTING. */
static int tcp_connect_again(struct unix_sock *s)
{
	s->in.connecting = false;
	if (s->state == UNIX_CONNECTED)
		return 0;
	int err = s->err;
	s->err = 0;
	return err ? -err : -ECONNABORTED;
}

static int tcp_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	bool nonblock = f->flags & O_NONBLOCK;
	struct inet_name d;
	int err;

	if (len >= sizeof(uint16_t) && a->sun_family == AF_UNSPEC && s->state != UNIX_CONNECTED)
		return 0; /* a disconnect of what is not connected */
	if (s->in.connecting)
		return tcp_connect_again(s);
	if (s->state != UNIX_UNCONNECTED)
		return -EISCONN;
	if ((err = inet_addr_in(s, a, len, false, &d)))
		return err;
	if (inet_via_ipv4(s, &d))
		return tcp_sock_connect(f, d.addr, d.port); /* TCP over IPv4, this host's own too */
	if ((err = inet_route(s, &d)) || (err = tcp_client_name(s, &d)))
		return err;
	err = tcp_join(s, &d, nonblock);
	if (!nonblock || (err && err != -ECONNREFUSED))
		return err;
	if (err) {
		s->err = ECONNREFUSED; /* SO_ERROR, POLLERR */
		unix_changed(s);
	}
	s->in.connecting = true;
	return -EINPROGRESS;
}

/* Linux's inet_listen: a port of its own if it has none; a listener's
 * address may not be another listener's. */
static int tcp_listen(struct file *f, int backlog)
{
	struct unix_sock *s = unix_sock(f);
	int err;

	if (s->state != UNIX_UNCONNECTED && s->state != UNIX_LISTEN)
		return -EINVAL;
	if (s->in.connecting)
		return -EINVAL;
	if (!s->in.name.port && (err = inet_bind_port(s, inet_any(s))))
		return err;
	if (s->state != UNIX_LISTEN && inet_listen_conflict(s))
		return -EADDRINUSE;
	unix_listen_set(s, backlog);
	return 0;
}

/*
 * A write to a peer whose socket is closed, as Linux's: a pending reset
 * (the peer closed with unread data) is reported once, without SIGPIPE;
 * otherwise the first write goes (its bytes are lost: the peer answers
 * with a reset) and only later ones say EPIPE. 0: no such case, send.
 */
static long tcp_send_closed(struct unix_sock *s, struct sock_msg *m)
{
	long err;

	if (!s->peer || !s->peer->dead || s->in.wr_shut)
		return 0;
	if (s->err) {
		err = -s->err;
		s->err = 0;
		s->in.reset_seen = true;
		return err;
	}
	if (s->in.reset_seen)
		return 0; /* AF_UNIX's send: -EPIPE and SIGPIPE */
	s->in.reset_seen = true;
	return (long)unix_iov_total(m);
}

/* A send on a socket that is not connected: its pending error, or
 * -EPIPE with SIGPIPE (Linux's sk_stream_wait_connect). */
static long tcp_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	long err;

	inet_drop_files(m);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->state != UNIX_CONNECTED) {
		if (s->err) {
			err = -s->err;
			s->err = 0;
			return err;
		}
		return unix_broken_pipe(flags);
	}
	if ((err = tcp_send_closed(s, m)))
		return err;
	m->addrlen = 0; /* a connected TCP socket ignores sendto's address */
	return unix_stream_send(f, s, m, flags);
}

/* A receive gives no sender's name and no credentials on TCP. */
static long tcp_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);

	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(s, m);
	if (flags & MSG_OOB)
		return -EINVAL; /* no urgent data is ever sent */
	if (s->state != UNIX_CONNECTED)
		return -ENOTCONN;
	long r = unix_stream_recv(f, s, m, flags);
	m->addrlen = 0;
	m->has_cred = false;
	return r;
}

/*
 * Linux's inet_shutdown for TCP: -ENOTCONN unless connected or
 * listening; SHUT_WR sends
 * the peer its end of stream; SHUT_RD changes only this end (the peer
 * may still write, as TCP has no way to say otherwise).
 */
static int tcp_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);
	unsigned mode = (unsigned)how + 1; /* SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3 */

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (s->state == UNIX_LISTEN) { /* Linux's inet_shutdown: SHUT_WR alone changes nothing */
		if (mode & RCV_SHUTDOWN)
			unix_listen_stop(s); /* queued connections reset; the port kept */
		return 0;
	}
	if (s->state != UNIX_CONNECTED)
		return -ENOTCONN;
	s->shutdown |= mode;
	s->in.wr_shut |= (mode & SEND_SHUTDOWN) != 0;
	unix_changed(s);
	if (s->peer && (mode & SEND_SHUTDOWN)) {
		s->peer->shutdown |= RCV_SHUTDOWN;
		unix_changed(s->peer);
	}
	return 0;
}

/*
 * struct sock_proto's ioctl before a connection over IPv4 (and for a
 * connection to ::1), as Linux's tcp_ioctl: SIOCINQ (FIONREAD) the
 * unread bytes, SIOCOUTQ and SIOCOUTQNSD 0 (nothing waits for an ACK:
 * the peer has every byte at once), SIOCATMARK 0 (no urgent data is
 * ever sent here); all but SIOCATMARK are EINVAL on a listener.
 */
static int tcp_ioctl(struct unix_sock *s, unsigned long req, int *out)
{
	if (req != SIOCINQ && req != SIOCOUTQ && req != SIOCOUTQNSD && req != SIOCATMARK)
		return -ENOTTY;
	if (req != SIOCATMARK && s->state == UNIX_LISTEN)
		return -EINVAL;
	size_t n = req == SIOCINQ ? unix_unread(s) : 0;
	*out = n > INT32_MAX ? INT32_MAX : (int)n;
	return 0;
}

const struct sock_proto inet_tcp_proto = {
	.ioctl = tcp_ioctl,
	.bind = inet_bind,
	.connect = tcp_connect,
	.listen = tcp_listen,
	.getname = inet_getname,
	.sendmsg = tcp_send,
	.recvmsg = tcp_recv,
	.shutdown = tcp_shutdown,
	.release = inet_release,
};
