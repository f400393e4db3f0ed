/* SPDX-License-Identifier: MIT */
/* TCP sockets' connections: the engine (net/tcp.h) under the AF_INET and AF_INET6 socket chassis, its segments through IPv4 or IPv6, one kernel timer per connection. */
#ifndef KESTREL_NET_TCP_SOCK_H
#define KESTREL_NET_TCP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/unix_sock.h"

struct file;
struct sockaddr_un;
struct unix_sock;

/* IPPROTO_TCP's handlers registered with IPv4 and IPv6, the ISN key drawn. Boot time. */
void tcp_sock_init(void);
/* The network thread's turn: run the timers that came due. */
void tcp_sock_run_timers(void);
/* The network thread's turn: connections whose segments the layers
 * below let go of, after the small queues had stopped them, send on. */
void tcp_sock_run_tsq(void);
/* The end of a device's receive batch (the network thread, after the
 * batch's frames went up): the ACKs held back for it are sent. */
void tcp_sock_batch_end(void);
/* connect() of AF_INET or AF_INET6 stream socket f to d (an IPv4
 * address, also as ::ffff:a.b.c.d, or an IPv6 one; 0.0.0.0 and :: are
 * this host; this host's own go through lo): the socket becomes a TCP
 * connection over IPv4 or IPv6. 0 (connected), -EINPROGRESS
 * (nonblocking), -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH (no route; IPv4
 * for an IPV6_V6ONLY socket), -EINVAL (a link-local address without its
 * link), -EADDRNOTAVAIL, -ERESTARTSYS, -ENOMEM... */
int tcp_sock_connect(struct file *f, const struct inet_name *d);
/* getsockopt(IPPROTO_TCP, TCP_INFO) of TCP socket s: Linux's struct
 * tcp_info (uapi/tcp.h) into val (room for it) and its size into *len;
 * without a connection, only the state (CLOSE or LISTEN). 0. */
int tcp_sock_info(struct unix_sock *s, void *val, size_t *len);
/* TCP_MAXSEG of s: its connection's MSS (options deducted, as Linux's
 * mss_cache; 65483 on lo over IPv4, 65464 over IPv6), or -1 when it has
 * no connection. */
int tcp_sock_maxseg(const struct unix_sock *s);
/* Does a TCP connection that no socket on the port list stands for (an
 * accepted one, or one its program closed, still in FIN-WAIT or
 * TIME-WAIT) hold n's port on an address a bind to n takes: of IPv4,
 * those of v4set (0: any; -1: none), of IPv6, n's (:: all)? reuse: the
 * binder's SO_REUSEADDR, which shares with a connection whose socket
 * had it too; strict (an ephemeral pick) shares nothing. Linux's
 * inet_csk_bind_conflict over the bind bucket. */
bool tcp_sock_port_held(const struct inet_name *n, int64_t v4set, bool reuse, bool strict);
/* TCP_QUICKACK of s as Linux reads it: 1 unless its connection (or,
 * without one, the socket) is in pingpong mode. */
int tcp_sock_quickack(const struct unix_sock *s);
/* Is s's connection ESTABLISHED (Linux's sk_state, which IPV6_ADDRFORM
 * asks for)? False without one. */
bool tcp_sock_established(struct unix_sock *s);
/* IPV6_ADDRFORM: s's connection counts and shows as AF_INET's from now on
 * (/proc/net/tcp, sockstat's inuse), as Linux's move to tcp_prot. Under
 * the kernel lock; the family changes under table_lock. */
void tcp_sock_set_ipv4(struct unix_sock *s);
/* What /proc/net/tcp and tcp6 show of a connection: its names as its
 * socket's family gives them (an AF_INET6 socket's IPv4 connection as
 * ::ffff:a.b.c.d, in /proc/net/tcp6, as Linux's). */
/* Linux's last columns of a /proc/net/tcp line: the RTO and the delayed
 * ACK's timeout (ms), quick-ACK mode and pingpong ((quick << 1) |
 * pingpong), cwnd and ssthresh in segments (ssthresh -1 in the first
 * slow start, a listener's the Fast Open queue). */
struct tcp_sock_tail {
	uint32_t rto_ms, ato_ms, quick_pp, cwnd;
	int32_t ssthresh;
};

struct tcp_sock_view {
	struct inet_name local, remote;
	int family;                /* its socket's: AF_INET or AF_INET6 */
	int state;                 /* Linux's TCP_* numbers */
	uint32_t tx_queue, rx_queue;
	uint64_t inode;            /* its socket's, 0 once the program let go */
	uint8_t retransmits;
	struct tcp_sock_tail tail;
};
/* /proc/net/sockstat's TCP figures of the connections (Linux's
 * sockstat_seq_show, tcp_sock_stat's contract): established-table
 * entries of each family (past the handshake, not TIME-WAIT or closed),
 * those of them no program holds, TIME-WAIT, and the pages of every
 * connection's rings (Linux's tcp_memory_allocated). */
struct tcp_sock_stat {
	unsigned inuse4, inuse6, orphan, tw;
	uint64_t mem_pages;
};
void tcp_sock_stat(struct tcp_sock_stat *o);
/* fn on each connection, table_lock held (fn must not call back here). */
void tcp_sock_for_each(void (*fn)(const struct tcp_sock_view *v, void *ctx), void *ctx);

/* TcpExt counters kept by the engine, by Linux's names. */
enum tcp_ext {
	TCP_EXT_RENO_RECOVERY,      /* TCPRenoRecovery */
	TCP_EXT_SACK_RECOVERY,      /* TCPSackRecovery */
	TCP_EXT_SACK_RENEGING,      /* TCPSACKReneging */
	TCP_EXT_SACK_REORDER,       /* TCPSACKReorder */
	TCP_EXT_DSACK_UNDO,         /* TCPDSACKUndo */
	TCP_EXT_FAST_RETRANS,       /* TCPFastRetrans */
	TCP_EXT_LOST_RETRANSMIT,    /* TCPLostRetransmit */
	TCP_EXT_TIMEOUTS,           /* TCPTimeouts */
	TCP_EXT_LOSS_PROBES,        /* TCPLossProbes */
	TCP_EXT_LOSS_PROBE_RECOVERY,/* TCPLossProbeRecovery */
	TCP_EXT_DSACK_OLD_SENT,     /* TCPDSACKOldSent */
	TCP_EXT_DSACK_OFO_SENT,     /* TCPDSACKOfoSent */
	TCP_EXT_DSACK_RECV,         /* TCPDSACKRecv */
	TCP_EXT_OFO_QUEUE,          /* TCPOFOQueue */
	TCP_EXT_OFO_DROP,           /* TCPOFODrop */
	TCP_EXT_OFO_MERGE,          /* TCPOFOMerge */
	TCP_EXT_DSACK_OFO_RECV,     /* TCPDSACKOfoRecv */
	TCP_EXT_SACK_RECOVERY_FAIL, /* TCPSackRecoveryFail */
	TCP_EXT_RENO_RECOVERY_FAIL, /* TCPRenoRecoveryFail */
	TCP_EXT_LOSS_FAILURES,      /* TCPLossFailures */
	TCP_EXT_SACK_FAILURES,      /* TCPSackFailures */
	TCP_EXT_RENO_FAILURES,      /* TCPRenoFailures */
	TCP_EXT_FULL_UNDO,          /* TCPFullUndo */
	TCP_EXT_PARTIAL_UNDO,       /* TCPPartialUndo */
	TCP_EXT_LOSS_UNDO,          /* TCPLossUndo */
	TCP_EXT_N
};

/* Counters of /proc/net/snmp's Tcp: line. */
struct tcp_mib {
	uint64_t active_opens, passive_opens, attempt_fails, estab_resets, curr_estab,
		in_segs, out_segs, retrans_segs, in_errs, out_rsts, in_csum_errors;
	/* /proc/net/netstat's TcpExt: a SYN or a handshake's last ACK dropped
	 * for a full accept queue (ListenOverflows) or SYN queue
	 * (TCPReqQFullDrop), both counted as ListenDrops */
	uint64_t listen_overflows, listen_drops, reqq_full_drop;
	/* TcpExt OutOfWindowIcmps: ICMP errors about a connection quoting a
	 * sequence number it has not in flight, dropped */
	uint64_t out_of_window_icmps;
	/* TcpExt's loss-recovery counters, which the engine keeps per
	 * connection (struct tcp_stats) and settle() adds up here */
	uint64_t ext[TCP_EXT_N];
};
extern struct tcp_mib tcp_mib;

#endif
