// SPDX-License-Identifier: MIT
/*
 * Kestrel: TCP sockets before they connect, and listeners. A connect,
 * to this host's own addresses (127/8, ::1, the interfaces') as to
 * another host's, over IPv4 or IPv6, makes the socket a connection of
 * net/tcp_sock.c (its proto becomes that file's), and a listener takes
 * connections from lo and the wire alike; an AF_INET6 listener on ::
 * takes IPv4 ones too (as ::ffff:a.b.c.d) unless IPV6_V6ONLY. What is
 * left here is what a socket with no connection says: send, receive,
 * shutdown and the ioctls as Linux's answer them in CLOSE or LISTEN.
 */
#include "net/inet_sock.h"
#include "net/tcp_sock.h"

#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/sched.h"
#include "uapi/sockios.h"
#include "uapi/tcp.h"

static int tcp_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d;
	int err;

	if (len >= sizeof(uint16_t) && a->sun_family == AF_UNSPEC)
		return 0; /* a disconnect of what is not connected */
	if (s->state != UNIX_UNCONNECTED)
		return -EISCONN;
	if ((err = inet_addr_in(s, a, len, false, &d)))
		return err;
	return tcp_sock_connect(f, &d);
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

/* A send on a socket that is not connected: its pending error, or
 * -EPIPE with SIGPIPE (Linux's sk_stream_wait_connect). */
static long tcp_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	long err;

	inet_drop_files(m);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->err) {
		err = -s->err;
		s->err = 0;
		return err;
	}
	return unix_broken_pipe(flags);
}

/* A receive on a socket that is not connected (Linux's tcp_recvmsg in
 * CLOSE or LISTEN): -ENOTCONN; its error queue as any socket's. */
static long tcp_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);

	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(s, m);
	if (flags & MSG_OOB)
		return -EINVAL;
	return -ENOTCONN;
}

/*
 * Linux's inet_shutdown for TCP with no connection: a listener stops
 * (SHUT_RD: its queued connections are reset, the port kept; SHUT_WR
 * alone changes nothing); anything else is -ENOTCONN.
 */
static int tcp_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);
	unsigned mode = (unsigned)how + 1; /* SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3 */

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (s->state != UNIX_LISTEN)
		return -ENOTCONN;
	if (mode & RCV_SHUTDOWN)
		unix_listen_stop(s);
	return 0;
}

/*
 * struct sock_proto's ioctl before a connection, as Linux's tcp_ioctl:
 * SIOCINQ (FIONREAD), SIOCOUTQ and SIOCOUTQNSD 0, SIOCATMARK 0; all but
 * SIOCATMARK are EINVAL on a listener.
 */
static int tcp_ioctl(struct unix_sock *s, unsigned long req, int *out)
{
	if (req != SIOCINQ && req != SIOCOUTQ && req != SIOCOUTQNSD && req != SIOCATMARK)
		return -ENOTTY;
	if (req != SIOCATMARK && s->state == UNIX_LISTEN)
		return -EINVAL;
	*out = 0;
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
