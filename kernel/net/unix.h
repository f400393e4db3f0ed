/* SPDX-License-Identifier: MIT */
/* AF_UNIX sockets: stream, datagram and seqpacket sockets between processes, named in the file system or in the abstract namespace, passing descriptors, as Linux's af_unix. */
#ifndef KESTREL_NET_UNIX_H
#define KESTREL_NET_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/iobuf.h"
#include "uapi/socket.h"

struct file;
struct inflight_user;

#define SOCK_DEV 8  /* st_dev (minor) of sockets, as Linux's sockfs usually gets */

/* One piece of a message's buffer (user or kernel memory). */
struct sock_iov {
	struct iobuf buf;
	size_t len;
};

/* One control message a receive reports: level, type and len bytes of data. */
#define SOCK_CMSG_MAX      8
#define SOCK_CMSG_DATA_MAX 44 /* the largest: IPV6_RECVERR's sock_extended_err and sockaddr_in6 offender */
struct sock_cmsg {
	int level, type;
	size_t len;
	uint8_t data[SOCK_CMSG_DATA_MAX];
};

/*
 * A send or receive, as sendmsg/recvmsg describe it, with every user
 * structure already copied in by the caller (sys/sys_socket.c).
 * Send: iov holds the bytes; addrlen > 0 names a destination (addr);
 * fds (nfds <= SCM_MAX_FD, references the message takes over, success
 * or not) rides with the first byte.
 * Receive: iov gets the bytes; addr/addrlen the sender's bound name
 * (addrlen 0: none); fds/nfds a kmalloc'd array of the files passed
 * with what was read (references for the caller to install or put,
 * and the array to kfree); out_flags MSG_TRUNC when a datagram was
 * longer than iov.
 * Credentials: on a send, has_cred says cred came from an SCM_CREDENTIALS
 * message (the caller checked it); on a receive, that the socket has
 * SO_PASSCRED and cred is the sender's (pid 0 and uid/gid UNIX_NOBODY_ID
 * when the message carried none).
 */
struct sock_msg {
	const struct sock_iov *iov;
	size_t niov;
	struct sockaddr_un addr;
	size_t addrlen;
	struct file **fds;
	int nfds;
	int out_flags;
	bool has_cred;
	struct ucred cred;
	struct inflight_user *user; /* net/'s own: the sender charged for the files */
	/* AF_INET6 datagrams (RFC 3542): a send's IPV6_HOPLIMIT and
	 * IPV6_TCLASS control messages (has_ip6: which were given, IP6_HAS_*;
	 * -1: the default) */
	int ip6_hoplimit, ip6_tclass;
	unsigned has_ip6;
	/* AF_INET datagrams: a send's IP_TTL, IP_TOS and IP_PKTINFO control
	 * messages (has_ip4: which were given, IP4_HAS_*; the source address
	 * host order, 0 for the route's) */
	int ip4_ttl, ip4_tos;
	uint32_t ip4_src;
	unsigned has_ip4;
	/* what a receive reports beyond files and credentials, in order
	 * (SO_TIMESTAMP, IP_PKTINFO, IP_TTL, IPV6_HOPLIMIT, IP_RECVERR...):
	 * added by the family with sock_msg_cmsg, written by recvmsg; only
	 * the first ncmsg are ever read (last: sock_msg_init leaves them) */
	unsigned ncmsg;
	struct sock_cmsg cmsg[SOCK_CMSG_MAX];
};

/* m ready for a send or a receive over the niov buffers iov: every field
 * zero but the control messages past ncmsg (0), which nothing reads.
 * Clearing those too (about 450 bytes) cost a one-byte read or write of
 * a socket more than its queueing. */
static inline void sock_msg_init(struct sock_msg *m, const struct sock_iov *iov, size_t niov)
{
	__builtin_memset(m, 0, __builtin_offsetof(struct sock_msg, cmsg));
	m->iov = iov;
	m->niov = niov;
}
#define IP6_HAS_HOPLIMIT 1
#define IP6_HAS_TCLASS   2
#define IP4_HAS_TTL      1
#define IP4_HAS_TOS      2
#define IP4_HAS_PKTINFO  4

#define UNIX_NOBODY_ID 65534 /* Linux's overflowuid/overflowgid: credentials nobody sent */

/* Add a control message to what m's receive reports (len at most
 * SOCK_CMSG_DATA_MAX; past SOCK_CMSG_MAX messages it is left out). */
void sock_msg_cmsg(struct sock_msg *m, int level, int type, const void *data, size_t len);

/* Put m's files (a send's not yet taken, or a receive's not installed)
 * and free their array. */
void sock_msg_put_fds(struct sock_msg *m);

/* The socket f is, or false (the caller's -ENOTSOCK). */
bool unix_is_socket(const struct file *f);
/* May a send or receive (read, write, readv, writev, sendto, recvfrom,
 * sendmsg, recvmsg) with flags on socket f run without the kernel lock
 * (issue 29)? A connected AF_UNIX stream socket (net/unix_sock.h's lock
 * rules: a message with files takes the kernel lock midway, and
 * recvmsg's caller installs them under it), or what another family says
 * (a connected TCP socket: net/tcp_sock.c's wire_lock_free); datagram
 * sockets, UDP and the rest keep it. With or without the kernel lock;
 * a true answer holds until the caller's reference to f goes. */
bool unix_lock_free(struct file *f, int flags);
/* st_ino of a socket file (unique, never an address); 0 for others. */
uint64_t unix_ino(const struct file *f);

/*
 * AF_INET and AF_INET6 sockets (net/inet.h) are these sockets too: every
 * entry point below takes them, and hands bind, connect, listen,
 * getname, sendmsg, recvmsg and shutdown to their family (net/unix_sock.h's
 * struct sock_proto); their addresses travel in the struct sockaddr_un
 * arguments and sock_msg's addr as a struct sockaddr_in or sockaddr_in6.
 */

/*
 * socket(AF_UNIX, type, 0): *out a new unconnected socket file, O_RDWR
 * plus flags' O_NONBLOCK. type is SOCK_STREAM, SOCK_DGRAM or
 * SOCK_SEQPACKET (the caller checked). 0 or -ENOMEM.
 */
int unix_create(int type, unsigned flags, struct file **out);
/* socketpair: two sockets connected to each other, each with its
 * peer's credentials. 0 or -ENOMEM (nothing made). */
int unix_pair(int type, unsigned flags, struct file **a, struct file **b);

/*
 * bind: addr/len as the user gave them (len from SUN_PATH_OFFSET to
 * sizeof(struct sockaddr_un), family checked by the caller). A path
 * creates a socket inode (mode 0777 & ~umask): -EADDRINUSE if the name
 * exists, or the path walk's error; an abstract name (sun_path[0] NUL)
 * -EADDRINUSE if bound; len == SUN_PATH_OFFSET binds a fresh abstract
 * name (autobind). -EINVAL if f is already bound.
 */
int unix_bind(struct file *f, const struct sockaddr_un *addr, size_t len);
/* listen: -EOPNOTSUPP for datagram sockets, -EINVAL unless bound and
 * unconnected; a backlog above net.core.somaxconn (or negative) is somaxconn.
 * 0 on success, also for a repeated listen (the new backlog applies). */
int unix_listen(struct file *f, int backlog);
/*
 * connect: stream/seqpacket queue a new connection on the listener named
 * (waiting while its backlog is full: -EAGAIN with O_NONBLOCK,
 * -ERESTARTSYS on a signal); datagram sockets set their default peer
 * (AF_UNSPEC: none). -ENOENT (no such path), -ECONNREFUSED (nothing
 * bound or listening there), -EPROTOTYPE (another type), -EISCONN,
 * -EINVAL (a listener).
 */
int unix_connect(struct file *f, const struct sockaddr_un *addr, size_t len);
/* accept: the next queued connection as *out (flags: O_NONBLOCK), the
 * peer's name in addr and *addrlen. -EINVAL unless listening, -EOPNOTSUPP
 * for datagram sockets, -EAGAIN, -ERESTARTSYS, -ENOMEM. */
int unix_accept(struct file *f, unsigned flags, struct file **out, struct sockaddr_un *addr,
		size_t *addrlen);
/* sendmsg: the bytes sent or -errno (-EPIPE, and SIGPIPE unless
 * MSG_NOSIGNAL, after a shutdown; -ENOTCONN, -EDESTADDRREQ, -EMSGSIZE,
 * -EAGAIN, -ERESTARTSYS or a partial count when a signal comes). */
long unix_sendmsg(struct file *f, struct sock_msg *m, int flags);
/* recvmsg: the bytes read (MSG_TRUNC: a datagram's whole length), 0 at
 * end of stream, or -errno (-EAGAIN, -ERESTARTSYS, -ENOTCONN, -EINVAL,
 * a pending -ECONNRESET). */
long unix_recvmsg(struct file *f, struct sock_msg *m, int flags);
/* shutdown(how): 0, -EINVAL (how), -ENOTCONN. */
int unix_shutdown(struct file *f, int how);
/* getsockname (peer false) or getpeername: 0 or -ENOTCONN. */
int unix_getname(struct file *f, bool peer, struct sockaddr_un *addr, size_t *addrlen);
/* The pending error (SO_ERROR) as -errno, cleared; 0 if none. */
int unix_take_error(struct file *f);
/* Make err (positive) the pending error, as Linux's recvmmsg keeps a
 * failure that came after some messages. */
void unix_set_error(struct file *f, int err);
/* SOL_SOCKET options: *val and *len (at most 16 bytes). 0, -ENOPROTOOPT;
 * SO_BINDTODEVICE's set also -ENODEV, -EPERM. */
int unix_getsockopt(struct file *f, int name, void *val, size_t *len);
int unix_setsockopt(struct file *f, int name, const void *val, size_t len);

#endif
