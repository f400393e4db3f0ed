/* SPDX-License-Identifier: MIT */
/* The inside of AF_INET and AF_INET6, shared by net/inet.c (names, ports, options), net/inet_tcp.c and net/inet_udp.c. */
#ifndef KESTREL_NET_INET_SOCK_H
#define KESTREL_NET_INET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/inet.h"
#include "net/unix_sock.h"
#include "net/wire6.h"
#include "uapi/in.h"

#define INET_PORT_PRIVILEGED 1024   /* below it a bind needs CAP_NET_BIND_SERVICE */
#define UDP_PAYLOAD_MAX     65507   /* 65535 less the IPv4 and UDP headers */

struct netdev;

/* The operations net/unix.h's entry points hand TCP and UDP sockets to. */
extern const struct sock_proto inet_tcp_proto;
extern const struct sock_proto inet_udp_proto;

/* inet_icmp.c: raw sockets (SOCK_RAW) and ping sockets (SOCK_DGRAM,
 * IPPROTO_ICMP) over the IPv4 stack. */
extern const struct sock_proto inet_icmp_proto;
#define SOL_RAW 255
/* May the caller make one of type and protocol? 0, -EPERM (raw without
 * CAP_NET_RAW), -EACCES (ping outside ping_group_range), -EPROTONOSUPPORT. */
int inet_icmp_check(int type, int protocol);
/* s, just made, joins the list the receive path looks through. */
void inet_icmp_adopt(struct unix_sock *s);
/* SOL_RAW's ICMP_FILTER: 0, -ENOPROTOOPT, -EINVAL. */
int inet_icmp_setsockopt(struct unix_sock *s, int level, int name, const void *val, size_t len);
int inet_icmp_getsockopt(struct unix_sock *s, int level, int name, void *val, size_t *len);
/* The receive hooks set (IPv4's raw copy, ICMP's echo replies). Boot time. */
void inet_icmp_init(void);

/* inet_icmp6.c: raw ICMPv6 sockets (SOCK_RAW, IPPROTO_ICMPV6) and ping
 * sockets (SOCK_DGRAM, IPPROTO_ICMPV6) over the IPv6 stack. */
extern const struct sock_proto inet_icmp6_proto;
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif
void inet_icmp6_adopt(struct unix_sock *s);
#define IPV6_2292HOPLIMIT 8   /* RFC 2292's option (and control message) for the hop limit */
/* SOL_RAW's IPV6_CHECKSUM, IPPROTO_ICMPV6's ICMP6_FILTER, IPPROTO_IPV6's
 * IPV6_2292HOPLIMIT: 0, -ENOPROTOOPT, -EINVAL. */
int inet_icmp6_setsockopt(struct unix_sock *s, int level, int name, const void *val, size_t len);
int inet_icmp6_getsockopt(struct unix_sock *s, int level, int name, void *val, size_t *len);
void inet_icmp6_init(void);
/* inet_udp.c: UDP over IPv6 (its protocol handler registered). Boot time. */
void inet_udp6_init(void);

/* inet_udp.c: datagrams to and from other hosts through the IPv4 stack
 * (its receive and ICMP-error hooks set). Boot time. */
void inet_udp_wire_init(void);

/* True for 127.0.0.0/8 (host byte order). */
static inline bool inet_loopback(uint32_t addr)
{
	return addr >> IN_CLASSA_NSHIFT == IN_LOOPBACKNET;
}

/* inet.c */
/*
 * addr/len as socket s's family names an address (struct sockaddr_in,
 * or sockaddr_in6 for AF_INET6): 0, -EINVAL (too short), -EAFNOSUPPORT (another family;
 * AF_UNSPEC with 0.0.0.0 is taken as AF_INET when any_ok, as Linux's bind).
 */
int inet_addr_in(const struct unix_sock *s, const struct sockaddr_un *a, size_t len, bool any_ok,
		 struct inet_name *n);
/* A struct sockaddr_in whatever the socket's family (an IPv6 UDP socket
 * takes one): 0, -EINVAL (short), -EAFNOSUPPORT (not AF_INET). */
int inet_addr_in4(const struct sockaddr_un *a, size_t len, struct inet_name *n);
/* n's address as an IPv6 one: ::1 for the loopback's name, :: for the
 * wildcard, ::ffff:a.b.c.d for IPv4. */
struct in6 inet_in6(const struct inet_name *n);
/* The name of IPv6 address a and port, as a packet received on device
 * ifindex shows it: ::1 as the sockets name it (INET_V6_LOOP); a
 * link-local address with its link (sin6_scope_id). */
struct inet_name inet_name6(const struct in6 *a, uint16_t port, int ifindex);
/* n as s's family names it (an IPv6 socket: ::ffff:a.b.c.d for IPv4) into a and *len. */
void inet_addr_out(const struct unix_sock *s, const struct inet_name *n, struct sockaddr_un *a,
		   size_t *len);
/* A destination as Linux routes it here (0.0.0.0 and :: mean this host):
 * 0, or -ENETUNREACH (not this host, or IPv4 for an IPV6_V6ONLY socket). */
int inet_route(const struct unix_sock *s, struct inet_name *d);
/* The IPv6 route to d (an INET_V6 name: its scope, else s's bound
 * device, names the link): 0 and *out, or -ENODEV (that device is gone),
 * or ipv6_route_lookup's error; out->dev as that one's (held or NULL:
 * netdev_put it in every case). */
struct ipv6_dst;
int inet_v6_route(const struct unix_sock *s, const struct inet_name *d, struct ipv6_dst *out);
/* Does s reach d through the IPv4 stack (an IPv4 destination, this
 * host's own included, for a socket that may send IPv4)? 0.0.0.0 in *d
 * becomes 127.0.0.1 on the way. False: IPv6, or IPv4 for an IPV6_V6ONLY
 * socket (inet_route refuses it). */
bool inet_via_ipv4(const struct unix_sock *s, struct inet_name *d);
/* fn on each socket holding a port (bound, listening, or connected from
 * this host), for /proc/net/{tcp,udp}. */
void inet_for_each(void (*fn)(const struct unix_sock *s, void *ctx), void *ctx);
/* The socket of protocol that a packet from src to d reaches, as
 * inet_lookup (for a datagram off the wire, which has no sending socket). */
struct unix_sock *inet_lookup_from(int protocol, const struct inet_name *d, const struct inet_name *src);
/* inet_lookup_from for a packet that came in on device ifindex: a socket
 * bound to another device (SO_BINDTODEVICE) does not take it. */
struct unix_sock *inet_lookup_dev(int protocol, const struct inet_name *d, const struct inet_name *src,
				  int ifindex);
/* The device s is bound to (SO_BINDTODEVICE), held, or NULL (none, or
 * gone: see inet_bound_gone). */
struct netdev *inet_bound_dev(const struct unix_sock *s);
/* Is s bound to a device that is gone (unregistered)? It stays bound
 * to the dead ifindex and its sends fail with -ENODEV, as on Linux. */
bool inet_bound_gone(const struct unix_sock *s);
/* The name s sends to d from: its own, made specific (127.0.0.1 or ::1;
 * the address itself for one of the interfaces'; the route's source for
 * another host). */
struct inet_name inet_source(const struct unix_sock *s, const struct inet_name *d);
/* A source of one IP version and a destination of the other (an IPv6
 * socket bound to a v4-mapped address and a v6 peer: -EAFNOSUPPORT; bound
 * to a v6 address and a v4-mapped peer: -ENETUNREACH, as Linux's), or 0. */
int inet_version_mismatch(const struct inet_name *src, const struct inet_name *d);
/* The same address and port. */
bool inet_same(const struct inet_name *a, const struct inet_name *b);
/* Give s the name n (port 0: a free ephemeral one) and put it on the
 * list of sockets holding ports. 0, -EADDRINUSE (taken, or no free
 * ephemeral port), -EINTR (killed while looking). */
int inet_bind_port(struct unix_sock *s, struct inet_name n);
/* s lets go of its port (off the list; the name stays for getsockname). */
void inet_unhash(struct unix_sock *s);
/* Linux's __udp_disconnect and TCP's move to CLOSE: what bind did not
 * choose goes: the address back to the wildcard (addr: a disconnect),
 * the port (a socket given one by connect, or bound to port 0). */
void inet_forget_unchosen(struct unix_sock *s, bool addr);
/* A socket's wildcard name: 0.0.0.0, or :: for AF_INET6. */
struct inet_name inet_any(const struct unix_sock *s);
/* Another socket of s's protocol bound to s's port listens (listen's check). */
bool inet_listen_conflict(const struct unix_sock *s);
/* s's name changed: what recvfrom and accept report for it. */
void inet_name_sync(struct unix_sock *s);
/* The socket of from's protocol that d reaches, or NULL: for TCP a
 * listener; for UDP one that takes datagrams from from (a connected
 * socket takes only its peer's). No reference is taken. */
struct unix_sock *inet_lookup(const struct unix_sock *from, const struct inet_name *d);
/* A new connection e of listener l takes l's family, protocol and
 * options, as Linux's sk_clone_lock copies them: SOL_SOCKET's bits,
 * linger, buffer sizes and SO_RCVLOWAT; TCP_NODELAY, TCP_CORK, the
 * keepalive times, IPV6_V6ONLY and the kept IP/TCP options. */
void inet_inherit(struct unix_sock *e, const struct unix_sock *l);
/* The common operations (struct sock_proto): bind, getname, and release
 * (the error queue and the port go; a TCP connection's own end, SO_LINGER's
 * reset included, is net/tcp_sock.c's). */
int inet_bind(struct file *f, const struct sockaddr_un *a, size_t len);
int inet_getname(struct file *f, enum sock_name which, struct sockaddr_un *a, size_t *len);
void inet_release(struct unix_sock *s);
/* UDP_CORK cleared: the datagram corked so far goes (Linux's
 * udp_push_pending_frames). 0, or the send's error. */
int inet_udp_uncork(struct unix_sock *s);
/* Does UDP socket s hold a corked datagram for IPv6 (Linux's up->pending
 * == AF_INET6: not to an IPv4 or v4-mapped address)? */
bool inet_udp_pending_v6(const struct unix_sock *s);

/*
 * net/inet6_opts.c: the IPPROTO_IPV6 options that are no plain int kept
 * in the socket: IPV6_ADDRFORM (an AF_INET6 socket becomes AF_INET),
 * IPV6_RTHDR (a routing header, up to IPV6_OPT_HDR_MAX bytes),
 * IPV6_RECVRTHDR and IPV6_2292RTHDR (flags), IPV6_MTU's set. Under the
 * kernel lock, as the other options; what readers off it see (a TCP
 * connection's family) changes under that one's own locks.
 * inet6_opt_known: is name one of these (set, or get: IPV6_MTU's get is
 * inet.c's)? inet6_setsockopt: 0, -EINVAL, -ENOPROTOOPT, -ENOTCONN,
 * -EADDRNOTAVAIL, -EBUSY, -ENOMEM as Linux's do_ipv6_setsockopt.
 * inet6_getsockopt: *len in, the bytes val holds; out, the value's. 0.
 * inet6_opts_release: what the options hold goes (the socket closes, or
 * becomes AF_INET).
 */
bool inet6_opt_known(int name, bool set);
int inet6_setsockopt(struct unix_sock *s, int name, const void *val, size_t len);
int inet6_getsockopt(struct unix_sock *s, int name, void *val, size_t *len);
void inet6_opts_release(struct unix_sock *s);
/* A send's SCM_RIGHTS files go back: they ride only on AF_UNIX, and other
 * families ignore the message (Linux's __sock_cmsg_send). */
void inet_drop_files(struct sock_msg *m);

/*
 * IP_RECVERR's error queue (net/inet_err.c), Linux's sk_error_queue for
 * ICMP errors. inet_err_queue: an error about a datagram s sent to dst
 * (ee: Linux's struct sock_extended_err; offender: the ICMP's sender;
 * data: what the ICMP quoted of the datagram after its transport
 * header) joins s's queue, unless it would pass s's SO_RCVBUF; SO_ERROR
 * says ee_errno either way. inet_recv_error: recvmsg(MSG_ERRQUEUE), the
 * oldest error as the datagram's bytes, its destination as the name and
 * an IP_RECVERR control message; SO_ERROR then says the next one's, or
 * nothing. The bytes, or -EAGAIN (none queued; it never waits).
 * inet_err_purge: the queue goes (the socket closes).
 */
void inet_err_queue(struct unix_sock *s, const struct sock_extended_err *ee, uint32_t offender,
		    const struct inet_name *dst, const void *data, size_t len);
long inet_recv_error(struct unix_sock *s, struct sock_msg *m);
void inet_err_purge(struct unix_sock *s);
/*
 * MSG_ZEROCOPY (net/inet_err.c): a send that asks for a completion
 * (MSG_ZEROCOPY with SO_ZEROCOPY on, and bytes to send) takes its entry
 * first, inet_zc_prepare (NULL: the send fails with -ENOBUFS, as Linux's
 * msg_zerocopy_alloc); inet_zc_complete then queues it with the send's
 * id if the send took bytes (sent), else lets it go and no id is used.
 * Either may run without the kernel lock; inet_zc_complete(s, NULL, x)
 * does nothing.
 */
struct inet_err *inet_zc_prepare(void);
void inet_zc_complete(struct unix_sock *s, struct inet_err *e, bool sent);
/* Whether s's error queue holds anything (POLLERR). */
bool inet_err_pending(const struct unix_sock *s);

#endif
