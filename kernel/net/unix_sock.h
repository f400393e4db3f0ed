/* SPDX-License-Identifier: MIT */
/* The inside of an AF_UNIX socket, shared by net/unix.c (queues, send and receive) and net/unix_conn.c (names, connections, options). */
#ifndef KESTREL_NET_UNIX_SOCK_H
#define KESTREL_NET_UNIX_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/vfs.h"
#include "lib/spinlock.h"
#include "mm/heap.h"
#include "net/unix.h"
#include "proc/sched.h"

struct inode;

/* Linux's defaults (net.core.wmem_default and friends). */
#define UNIX_BUF_DEFAULT 212992   /* SO_SNDBUF and SO_RCVBUF of a new socket */
#define UNIX_BUF_MAX     212992   /* what setsockopt may ask for (net.core.wmem_max) */
#define UNIX_SNDBUF_MIN  4608     /* SOCK_MIN_SNDBUF */
#define UNIX_RCVBUF_MIN  2304     /* SOCK_MIN_RCVBUF */
#define UNIX_DGRAM_QLEN  10       /* net.unix.max_dgram_qlen */
#define UNIX_SKB_OVERHEAD 512     /* what a queued message costs beyond its bytes */
#define UNIX_CHUNK_MAX   (64 * 1024) /* a stream write is queued in pieces of at most this */

/* sk_shutdown bits */
#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

enum unix_state { UNIX_UNCONNECTED, UNIX_LISTEN, UNIX_CONNECTED };

/* A queued message (for a stream, a piece of the byte stream). */
struct unix_skb {
	struct unix_skb *next;
	struct unix_sock *from;   /* the sender (a reference): its wmem pays truesize */
	bool has_cred;            /* cred is the sender's (SCM_CREDENTIALS); false: none */
	struct ucred cred;
	size_t len, off;          /* bytes, and bytes a stream reader took already */
	size_t truesize;
	struct file **fds;        /* SCM_RIGHTS files (references), kmalloc'd; NULL: none */
	int nfds;
	struct inflight_user *user; /* the user the files in flight are charged to */
	char data[];
};

/* The addresses AF_INET and AF_INET6 sockets name (net/inet.c): an IPv4
 * address (also an IPv6 socket's ::ffff:a.b.c.d), ::, ::1 (over lo, as
 * a name of its own), another (not local, no route: no longer made),
 * or an IPv6 address reached through the IPv6 stack (INET_V6). */
enum inet_kind { INET_V4, INET_V6_ANY, INET_V6_LOOP, INET_FOREIGN, INET_V6 };

/* An address and port, host byte order (a6: network order). */
struct inet_name {
	uint32_t addr;              /* INET_V4's */
	uint16_t port;
	uint8_t kind;               /* enum inet_kind */
	uint8_t a6[16];             /* INET_V6's */
	int scope;                  /* INET_V6's link-local: the device's ifindex (sin6_scope_id) */
};

/* IP and TCP options a socket keeps and reads back (net/inet.c): IP_TOS,
 * IP_TTL (-1: the default), IP_MULTICAST_TTL and _LOOP, the IP_RECV*
 * and TCP_INQ flags, TCP_QUICKACK off (Linux's pingpong mode: a
 * connection's own, which its traffic changes, once it has one),
 * TCP_LINGER2 (s; -1 none, 0 tcp_fin_timeout), TCP_USER_TIMEOUT (ms),
 * TCP_WINDOW_CLAMP, TCP_CONGESTION (an enum tcp_cc_id). */
struct inet_opts {
	uint8_t tos, mc_ttl, cong;
	uint8_t syncnt, defer_accept; /* TCP_SYNCNT (0: tcp_syn_retries); TCP_DEFER_ACCEPT in SYN-ACK retransmits */
	int16_t ttl;
	bool mc_loop, pktinfo, recvttl, recvtos, recvorigdst, inq, pingpong;
	bool recverr;              /* IP_RECVERR: ICMP errors queue on in.errq */
	uint8_t pmtudisc;          /* IP_MTU_DISCOVER (IP_PMTUDISC_WANT: the default): how IPv4 sends */
	uint8_t pmtudisc6;         /* IPV6_MTU_DISCOVER (the same values and default): how IPv6 sends */
	uint16_t user_mss;         /* TCP_MAXSEG set: 0, or the most MSS a connection made later takes */
	bool quickack_set; /* TCP_QUICKACK set since the connection last took it (tcp_sock.c) */
	bool nodelay_push; /* TCP_NODELAY set on since the connection last took it: a push */
	int linger2, window_clamp;
	unsigned user_timeout;
	/* TCP_NOTSENT_LOWAT (0: net.ipv4.tcp_notsent_lowat's): the data path
	 * reads it without the socket's lock, so it is loaded and stored
	 * whole (__atomic) */
	uint32_t notsent_lowat;
};

/* An AF_INET or AF_INET6 socket's own state (net/inet.c). Lock rule: as
 * the socket's. */
struct inet_part {
	struct inet_name name, peer; /* its own (port 0: not bound); the peer's (has_peer) */
	bool v6only;                /* IPV6_V6ONLY: an IPv6 socket's :: takes no IPv4 */
	bool recv_hoplimit, recv_tclass; /* IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS */
	bool recv_hoplimit2292;     /* IPV6_2292HOPLIMIT (RFC 2292's, busybox ping6's): ICMPv6 sockets */
	bool recv_pktinfo6;         /* IPV6_RECVPKTINFO */
	int16_t hops, tclass;       /* IPV6_UNICAST_HOPS, IPV6_TCLASS: what its datagrams carry */
	bool recv_rthdr, recv_rthdr2292; /* IPV6_RECVRTHDR, IPV6_2292RTHDR: kept and read back */
	uint32_t frag_size;         /* IPV6_MTU set (0: none): its IPv6 datagrams' most bytes */
	/* IPV6_RTHDR (net/inet6_opts.c): the routing header set, rthdr_len
	 * bytes (kmalloc'd; NULL: none). Kept and read back; packets do not
	 * carry it yet */
	uint8_t *rthdr;
	uint16_t rthdr_len;
	bool has_peer;              /* connected, or a datagram socket's default destination */
	bool connecting;            /* a nonblocking connect said EINPROGRESS: the next one reports */
	bool nodelay;               /* TCP_NODELAY, read back */
	bool cork;                  /* TCP_CORK, read back */
	uint16_t keepidle, keepintvl; /* TCP_KEEPIDLE, TCP_KEEPINTVL in seconds; 0: Linux's default */
	uint8_t keepcnt;            /* TCP_KEEPCNT; 0: Linux's default. An accepted socket
				     * takes these from its listener, a connection over
				     * IPv4 or IPv6 from its socket (net/tcp_sock.c) */
	bool hashed;                /* holds its port: on net/inet.c's list */
	bool port_locked, addr_locked; /* bind chose the port, the address (Linux's SOCK_BIND*_LOCK):
				     * a disconnect or a TCP close keeps what was chosen */
	struct inet_opts opt;       /* options kept and read back; an accepted socket copies its listener's */
	uint32_t icmp_filter;       /* a raw ICMP socket's ICMP_FILTER: bit t drops type t */
	uint32_t icmp6_filter[8];   /* a raw ICMPv6 socket's ICMP6_FILTER: bit t blocks type t */
	struct tcp_sock *tcp;       /* TCP over IPv4: its connection (net/tcp_sock.c) */
	struct sleeplock tcp_tx;    /* TCP's senders, one at a time, and SO_SNDBUF's ring move: a
				     * send copies the program's bytes into the ring between the
				     * engine's reserve and commit, the conn's lock let go */
	struct sleeplock tcp_rx;    /* TCP's readers, one at a time: a read copies out of the ring
				     * between the engine's plan and commit, likewise */
	/* errq_lock protects errq and errq_bytes: ICMP errors come from the
	 * network thread, MSG_ZEROCOPY completions from a sender's call
	 * (TCP's off the kernel lock) and the reader takes them in its own */
	struct spinlock errq_lock;
	struct inet_err *errq;      /* IP_RECVERR's errors and MSG_ZEROCOPY's completions, oldest first */
	uint32_t zc_key;            /* the next MSG_ZEROCOPY send's id (Linux's sk_zckey): atomic */
	bool udp_cork;              /* UDP_CORK, read back */
	struct udp_pending *udp_pend; /* UDP: a datagram being corked (net/inet_udp.c), or NULL */
	uint32_t errq_bytes;        /* what they hold, within rcvbuf */
	uint32_t syn_qlen, syn_young; /* a TCP listener's half-open connections, and how many of
				       * them have not timed out yet: net/tcp_sock.c's table_lock */
	struct unix_sock *next;     /* that list, or a raw or ping socket's (net/inet_icmp.c) */
};

struct sock_proto;
struct tcp_sock;
struct inet_err;
struct udp_pending;
struct sock_fprog_k;

/*
 * One socket. Lock rules:
 * - A connected AF_UNIX stream socket's sends and receives run without
 *   the kernel lock (unix_lock_free, issue 29); everything else about a
 *   socket (names, connections, options, datagram sockets, the
 *   collector, close) runs under it. What those lock-free calls reach:
 *   - qlock (interrupts off) around the receive queue (rq_head, rq_tail,
 *     rq_len, the messages' next links and a stream piece's off) and
 *     every change of dead and shutdown; a sender looks at its peer's
 *     dead and RCV_SHUTDOWN and queues under the peer's qlock, so nothing
 *     is queued on a socket after its close has emptied it. Taken alone,
 *     or after all_lock; never held across a wake-up, a sleep or the
 *     kernel lock.
 *   - rx, a sleeping lock: a stream socket's readers, one at a time (the
 *     head piece stays put and only a reader takes pieces off), held
 *     across the copy to the program but not across the wait for data.
 *     Before the kernel lock (a piece carrying files takes it: the
 *     files in flight are the kernel lock's).
 *   - refs and wmem change atomically; err is read and cleared with one
 *     exchange; state turns UNIX_CONNECTED (a release store) after peer
 *     is set, and a stream socket's peer then stays until its own close.
 *   - A sleeper looks at what it waits for after reading changes and
 *     sleeps only while it has not moved (unix_wait_gen).
 * Lifetime: refs counts the open file (at most one), the peer's pointer,
 * a listener's queue, queued messages it sent (from) and callers holding
 * it across a sleep; the last unix_put frees it.
 */
struct unix_sock {
	int type;                 /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	enum unix_state state;
	struct spinlock qlock;    /* the receive queue, dead, shutdown (see above) */
	struct sleeplock rx;      /* a stream socket's readers (see above) */
	int refs;
	bool dead;                /* its file is closed (or it was an embryo released unaccepted) */
	unsigned shutdown;        /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;                  /* SO_ERROR, positive; cleared when reported */
	uint64_t ino;
	struct unix_sock *peer;   /* connected (or a datagram socket's default) peer: a reference */
	struct wait_queue wq;     /* readers, writers, acceptors and connectors */

	/* the receive queue */
	struct unix_skb *rq_head, *rq_tail;
	int rq_len;
	size_t wmem;              /* truesize of its messages still queued somewhere: atomic */
	int sndbuf, rcvbuf;
	int rcvlowat;              /* SO_RCVLOWAT (0: 1); TCP over IPv4 honours it in poll and recv */
	bool sndbuf_set, rcvbuf_set; /* SO_SNDBUF/SO_RCVBUF were set (Linux's SOCK_*BUF_LOCK):
				      * a TCP connection made after sizes its rings by them */
	bool passcred;
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* SO_RCVTIMEO, SO_SNDTIMEO; 0: none */

	/* a listener's queue of connections not yet accepted (embryos, references) */
	struct unix_sock *acc_head, *acc_tail, *acc_next;
	int acc_len, backlog;

	/* its name */
	bool bound;
	struct sockaddr_un addr;
	size_t addrlen;
	struct inode *inode;      /* a path name's socket inode (a reference) */
	struct unix_sock *bound_next; /* the list of bound sockets */

	/* SO_PEERCRED: the peer's, at connect or socketpair; a listener's own */
	bool has_peercred;
	struct ucred peercred;

	/* in flight (net/unix_gc.c) */
	struct file *file;        /* its open file, not a reference; NULL for an embryo or once closed */
	int inflight;             /* references to file held by queued SCM_RIGHTS messages */
	struct unix_sock *inflight_next, *inflight_prev; /* the sockets with inflight > 0 */
	bool gc_cand;             /* during a collection: maybe garbage */
	int gc_refs;              /* during a collection: in-flight references from outside */
	struct unix_sock *gc_next, *gc_work; /* during a collection: candidates, work list */

	/* SOL_SOCKET flags set and read back (SO_REUSEADDR, SO_KEEPALIVE...): 1u << option */
	uint32_t sockopt_bits;
	bool zerocopy;            /* SO_ZEROCOPY (its number is past sockopt_bits): MSG_ZEROCOPY acts */
	int bound_dev_if;         /* SO_BINDTODEVICE: that device's ifindex, 0 for none; an
				   * AF_INET datagram socket sends to other hosts through it
				   * and takes datagrams that came in on it only */
	struct linger_user linger; /* SO_LINGER, read back; AF_INET's close with {1, 0} resets */
	uint8_t tstamp;           /* SO_TIMESTAMP(NS)(_NEW): SOCK_TSTAMP_* */
	struct sock_fprog_k *filter; /* SO_ATTACH_FILTER's program (net/sock_filter.c), or NULL */
	bool filter_locked;       /* SO_LOCK_FILTER */
	uint32_t priority;        /* SO_PRIORITY */
	uint64_t stamp_ns;        /* the last datagram received, CLOCK_REALTIME (SIOCGSTAMP); 0: none */

	/* the family: AF_UNIX (proto NULL), or another whose operations the
	 * entry points of net/unix.h hand the socket to (net/inet.c) */
	int family, protocol;
	const struct sock_proto *proto;
	/* bumped (atomically) by every unix_changed, before its wake-up: a
	 * caller off the kernel lock reads it before it looks at what it
	 * waits for and sleeps only while it has not moved (unix_wait_gen) */
	uint32_t changes;
	struct inet_part in;
	void *proto_priv;         /* a family's own state beyond in (net/netlink.c's); its release frees it */
	struct unix_sock *all_next, *all_prev; /* every socket (unix.c's all_lock): /proc/net/unix */
};

/* unix_sock's tstamp (Linux's SOCK_RCVTSTAMP, SOCK_RCVTSTAMPNS and
 * SOCK_TSTAMP_NEW flags) */
#define SOCK_TSTAMP_RCV 1u
#define SOCK_TSTAMP_NS  2u
#define SOCK_TSTAMP_NEW 4u

/* A socket without connections: datagram, or raw (AF_INET and AF_PACKET
 * raw sockets; AF_UNIX's SOCK_RAW is made a SOCK_DGRAM). */
static inline bool unix_connectionless(const struct unix_sock *s)
{
	return s->type == SOCK_DGRAM || s->type == SOCK_RAW;
}

/* The socket behind a socket file (the caller checked unix_is_socket). */
static inline struct unix_sock *unix_sock(const struct file *f)
{
	return f->priv;
}

/* A new reference to s. */
static inline struct unix_sock *unix_get(struct unix_sock *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

/* Free s, taken off the list of every socket (the last unix_put's). */
void unix_sock_free(struct unix_sock *s);

/* Drop a reference; the last frees s (its queues were emptied when it closed). */
static inline void unix_put(struct unix_sock *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		unix_sock_free(s);
}

/* The send buffer s's queued messages take (atomic: a lock-free reader
 * frees them). */
static inline size_t unix_wmem(const struct unix_sock *s)
{
	return __atomic_load_n(&s->wmem, __ATOMIC_RELAXED);
}

/* Call fn on every socket not yet closed, under the list's lock: fn must
 * not sleep, take a socket's own locks or free anything (it formats a
 * line: /proc/net/unix). */
void unix_for_each(void (*fn)(const struct unix_sock *s, void *ctx), void *ctx);

/* s changed: wake its sleepers and poll/select. Any context; the
 * count goes up before the wake-up's fence (unix_wait_gen). */
static inline void unix_changed(struct unix_sock *s)
{
	__atomic_add_fetch(&s->changes, 1, __ATOMIC_RELAXED);
	wake_all(&s->wq);
	io_event();
}

/* What unix_wait_gen compares: read before the look at the state. */
static inline uint32_t unix_changes(const struct unix_sock *s)
{
	return __atomic_load_n(&s->changes, __ATOMIC_SEQ_CST);
}

/*
 * Another family's operations (net/inet.c's). The entry points of
 * net/unix.h hand a socket with s->proto to these (bind, connect,
 * listen, getname, sendmsg, recvmsg, shutdown; accept, options, poll and
 * ioctl are shared, accept naming the peer by the new socket's getname);
 * release runs when its file closes, before the
 * socket does. The family calls the unix_* pieces below, never the
 * entry points (they would hand the socket back).
 */
/* getname's peer: the socket's own name, the peer's as getpeername asks
 * (-ENOTCONN unless connected), or the peer's as accept asks (Linux's
 * inet_getname with peer 2: whatever the state, so a connection reset
 * while queued is still handed over with its peer's address). */
enum sock_name { SOCK_NAME_OWN, SOCK_NAME_PEER, SOCK_NAME_ACCEPT };

struct sock_proto {
	int (*bind)(struct file *f, const struct sockaddr_un *addr, size_t len);
	int (*connect)(struct file *f, const struct sockaddr_un *addr, size_t len);
	int (*listen)(struct file *f, int backlog);
	int (*getname)(struct file *f, enum sock_name which, struct sockaddr_un *addr, size_t *len);
	long (*sendmsg)(struct file *f, struct sock_msg *m, int flags);
	long (*recvmsg)(struct file *f, struct sock_msg *m, int flags);
	int (*shutdown)(struct file *f, int how);
	void (*release)(struct unix_sock *s);
	/* optional: options at the family's own levels (not SOL_SOCKET),
	 * in place of net/inet.c's IP and TCP ones (AF_PACKET's SOL_PACKET) */
	int (*setsockopt)(struct unix_sock *s, int level, int name, const void *val, size_t len);
	int (*getsockopt)(struct unix_sock *s, int level, int name, void *val, size_t *len);
	/* optional: the poll mask, in place of the queues' (TCP over IPv4) */
	unsigned (*poll)(const struct unix_sock *s);
	/* optional: an ioctl whose answer is an int (FIONREAD, SIOCOUTQ,
	 * SIOCATMARK), in place of the queues' FIONREAD: 0 with *out, or
	 * -errno (-ENOTTY: a request the family does not know). The chassis
	 * copies *out to the caller. */
	int (*ioctl)(struct unix_sock *s, unsigned long req, int *out);
	/* optional: SO_MEMINFO's counts the family keeps, into mem
	 * (SK_MEMINFO_VARS slots, zeroed, the buffer sizes filled in) */
	void (*meminfo)(struct unix_sock *s, uint32_t *mem);
	/* optional: a SOL_SOCKET option changed (SO_KEEPALIVE, SO_OOBINLINE...)
	 * or one of the family's own levels did: the family follows */
	void (*sockopt_changed)(struct unix_sock *s);
	/* optional: a connection queued on a listener goes unaccepted (the
	 * listener closed); called before the chassis closes it */
	void (*embryo_drop)(struct unix_sock *e);
	/* optional: may a send or receive with these flags run without the
	 * kernel lock now (issue 29)? Asked under the kernel lock, once the
	 * descriptor is looked up; true only while what the call reaches
	 * cannot change under it but by locks of the family's own until the
	 * caller's file reference goes (net/unix.h's unix_lock_free). NULL:
	 * never. */
	bool (*lock_free)(const struct unix_sock *s, int flags);
};

/* unix.c's pieces for another family (see struct sock_proto): a stream
 * send and receive on a connected socket, a datagram receive, a message
 * of len bytes (truesize: what it is charged; 0 charges nobody) and its
 * queueing on to (sent by from), and a write's -EPIPE with SIGPIPE. */
long unix_stream_send(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags);
long unix_stream_recv(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags);
long unix_dgram_recv(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags);
/* A datagram receive (as unix_dgram_recv) of a message that carries
 * meta_len bytes of its family's own after its bytes (where it came from:
 * UDP, raw and packet sockets queue that): the meta into meta and
 * *has_meta true when a datagram was read. */
long unix_dgram_recv_meta(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags, void *meta,
			  size_t meta_len, bool *has_meta);
/* The bytes m's vector holds; the first n of them copied to k (0 or -EFAULT). */
size_t unix_iov_total(const struct sock_msg *m);
int unix_iov_copy_in(const struct sock_msg *m, char *k, size_t n);
/* n bytes of k into m's vector (a receive's; n at most its total): 0 or -EFAULT. */
int unix_iov_copy_out(const struct sock_msg *m, const char *k, size_t n);
struct unix_skb *unix_skb_alloc(size_t len);
void unix_skb_queue(struct unix_sock *to, struct unix_sock *from, struct unix_skb *skb,
		    const struct sock_msg *m);
/* Queue e, a connection ready to be accepted (a reference the queue
 * takes over), on listener l, and wake its acceptors. */
void unix_acc_queue(struct unix_sock *l, struct unix_sock *e);
/* Move n bytes between m's vector, from byte off on, and kernel memory k
 * (to_iov: into the vector). 0, or -EFAULT (a bad buffer, or past the end). */
int unix_iov_copy_at(const struct sock_msg *m, size_t off, char *k, size_t n, bool to_iov);
/* Queue skb, sent by no local socket (a datagram off the wire: no
 * sender to charge, no credentials), on to. */
void unix_skb_queue_anon(struct unix_sock *to, struct unix_skb *skb);
/* The bytes queued on s as Linux counts them against SO_RCVBUF. */
size_t unix_rq_bytes(const struct unix_sock *s);
/* FIONREAD's count: a stream's unread bytes, a datagram socket's next datagram's. */
size_t unix_unread(struct unix_sock *s);
/* Queue a copy of a datagram off the wire (len bytes, then meta_len of
 * its family's meta: unix_dgram_recv_meta reads it back) on to: 0, or
 * -ENOBUFS (to's SO_RCVBUF is full or it shut reading: dropped, as
 * Linux drops it) or -ENOMEM. */
int unix_queue_wire(struct unix_sock *to, const void *data, size_t len, const void *meta, size_t meta_len);
/* A received message's time (CLOCK_REALTIME ns) on s: reported to m as
 * its SO_TIMESTAMP* option asks, or with the option off kept for
 * SIOCGSTAMP (Linux's sock_recv_timestamp). */
void sock_recv_stamp(struct unix_sock *s, struct sock_msg *m, uint64_t ns);
long unix_broken_pipe(int flags);
/* shutdown(how) of s, as unix_shutdown: 0, -EINVAL, -ENOTCONN. */
int unix_shutdown_sock(struct unix_sock *s, int how);
/* unix_conn.c's: connect s to listener l (a new server end queued on l,
 * l->acc_tail). 0 or -ENOMEM. */
/* s listens with backlog (capped at net.core.somaxconn; a larger one wakes the
 * connectors waiting for room); the checks are the caller's. */
void unix_listen_set(struct unix_sock *s, int backlog);
int unix_stream_join(struct unix_sock *s, struct unix_sock *l);

/* unix_names.c: the names sockets are bound to (calls nothing above it) */
/* True if a/len is an abstract name (a NUL first). */
bool unix_name_abstract(const struct sockaddr_un *a, size_t len);
/* A path name as a kernel string (path: UNIX_PATH_MAX + 1 bytes); the
 * name ends at a NUL or at len, as Linux reads it. */
void unix_name_path(const struct sockaddr_un *a, size_t len, char *path);
/* Give s a fresh abstract name, "\0" and five hex digits (Linux's
 * unix_autobind): 0, -ENOSPC, or -EINTR when the caller is killed. */
int unix_autobind(struct unix_sock *s);
/* The bound socket of this type with this abstract name, or NULL (as
 * Linux hashes them, abstract names are per socket type). */
struct unix_sock *unix_find_abstract(const struct sockaddr_un *a, size_t len, int type);
/* Put s on the bound list under the name a/len (ip: a path's socket
 * inode, a reference s takes over; NULL for an abstract name). */
void unix_add_bound(struct unix_sock *s, const struct sockaddr_un *a, size_t len, struct inode *ip);
/* Remove s's name (its file is closing): the inode reference goes too;
 * the name stays for getsockname. */
void unix_unbind(struct unix_sock *s);
/* The socket bound at addr/len (an abstract name: one of this type),
 * with a reference: 0, -EINVAL (a malformed name), the path walk's error
 * (-ENOENT...), -EACCES or -ECONNREFUSED. The caller checks the type of
 * a path's socket. */
int unix_find(const struct sockaddr_un *addr, size_t len, int type, struct unix_sock **out);

/* unix.c: sockets, queues, send and receive (calls unix_names.c) */
struct unix_sock *unix_sock_alloc(int type);
/* A new file on s (takes over one reference to s): NULL on ENOMEM. */
struct file *unix_file(struct unix_sock *s, unsigned flags);
/* The caller's pid and ids: the effective ones (SO_PEERCRED, as Linux's
 * cred_to_ucred) or the real ones (SCM_CREDENTIALS, current_uid_gid). */
struct ucred unix_cred_now(bool effective);
/* The deadline of a wait with timeout timeo_ns (0: NO_DEADLINE). */
uint64_t unix_deadline(uint64_t timeo_ns);
long unix_wait(struct wait_queue *wq, bool nonblock, uint64_t deadline);
/* unix_wait for a caller that may run without the kernel lock: sleeps on
 * s->wq only while s->changes is still seen (read by unix_changes before
 * the caller looked at what it waits for), so a change made between
 * that look and the sleep, by a waker holding no lock of the caller's,
 * is not missed. The same returns as unix_wait. */
long unix_wait_gen(struct unix_sock *s, bool nonblock, uint64_t deadline, uint32_t seen);
/* Listener s stops listening, as Linux's tcp_disconnect does for a
 * listener shut for reading: its queued connections are dropped (their
 * proto's embryo_drop), it keeps its name, and listen() may start it
 * again. */
void unix_listen_stop(struct unix_sock *s);
/* The end of a socket call that may have sent on lo: what it sent is
 * taken up (net/loopback.h's loopback_run); r passes through. */
long unix_proto_done(long r);

/* Free skb (off every queue): its sender gets the room back, its files
 * are closed (deferred, never recursively). */
void unix_skb_free(struct unix_skb *skb);
/* Free every message queued on s. */
void unix_purge_queue(struct unix_sock *s);

/* unix_gc.c: the sockets in flight and their collector (calls nothing
 * above it: unix.c registers its file operations, and frees what the
 * collector hands back) */
/* The socket files' operations (unix.c's), by which unix_is_socket knows them. */
void unix_gc_register(const struct file_ops *ops);
/*
 * A send of files begins: *out the caller's user (its real uid, as
 * Linux's current_user()), held until unix_inflight_end. -ETOOMANYREFS
 * (Linux's too_many_unix_fds: that user has more descriptors in flight
 * than the caller's RLIMIT_NOFILE, and the caller lacks CAP_SYS_RESOURCE
 * and CAP_SYS_ADMIN) or -ENOMEM.
 */
int unix_inflight_begin(struct inflight_user **out);
void unix_inflight_end(struct inflight_user *u);
/* A message took (add) or gave up the n files fds, charged to u: u's
 * count of descriptors in flight, and each socket's inflight count. */
void unix_inflight(struct inflight_user *u, struct file *const *fds, int n, bool add);
/* Find the sockets reachable only from the queues of sockets that are
 * themselves unreachable (Linux's unix_gc) and take their queues: the
 * messages, linked by next, for the caller to free with unix_skb_free
 * (which closes the files and breaks the cycles). Bounded by the sockets
 * and files in flight; no recursion, no sleep. NULL: no garbage. */
struct unix_skb *unix_gc(void);
/* So many more sockets are in flight than the last collection left that
 * a send carrying files collects first. */
bool unix_gc_due(void);

#endif
