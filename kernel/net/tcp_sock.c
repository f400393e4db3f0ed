// SPDX-License-Identifier: MIT
/*
 * Kestrel: TCP over IPv4 and IPv6 (net/tcp_sock.h). The engine (net/tcp.h)
 * keeps each connection's state machine; this file gives it what it asks
 * of a caller: memory (the conn and its two rings), a lock, one kernel
 * timer, the lookup of the connection a segment belongs to, the segments'
 * way out (a netbuf through ipv4_output or ipv6_output), and the socket a
 * program holds.
 *
 * The IP version is this file's alone (struct tcp_path): a connection's
 * addresses are kept as IPv6 ones, an IPv4 address as ::ffff:a.b.c.d
 * (the two never meet: IPv6's input refuses v4-mapped addresses), so the
 * table, the ISN and the names need no second copy; only the way a
 * segment is summed and sent (send_segment), the way it comes in
 * (tcp_v4_input, tcp_v6_input) and the MSS (the route's MTU less 40 or
 * 60) differ. The engine never learns which version it runs over.
 *
 * The socket is the AF_INET stream socket of net/inet.c, on the AF_UNIX
 * chassis: a connect() to another host turns it into one of these (its
 * proto becomes tcp_wire_proto); a listener takes connections from the
 * wire as it takes them from this host, each queued for accept() once
 * its handshake completes. Data never goes through the chassis's queues:
 * send and receive go to the engine's rings, poll and the ioctls (FIONREAD,
 * SIOCOUTQ, SIOCATMARK) ask the engine, and the options a program sets on
 * the socket (kept by net/inet.c and the chassis) reach the engine when
 * the connection is made and whenever they change (sockopt_changed).
 *
 * Contexts: segments and timers are handled by the network thread (a
 * timer's tick only puts the connection on the due list and kicks the
 * thread); programs' calls run the engine from their system call. A
 * segment from a device's receive batch may leave its ACK for the end of
 * the batch (tcp_input_batched): the connection goes on the batch list,
 * which the thread empties when the batch is taken (tcp_sock_batch_end).
 *
 * Lock rules:
 *   table_lock  the connection table (table, each ts->next, in_table),
 *               the half-open count, each ts->syn_of and syn_young, and
 *               the connection count;
 *   due_lock    the network thread's lists (lists, each ts->link) and
 *               each ts->unlisted: TS_DUE, connections whose timer
 *               fired; TS_BATCH, connections with an ACK held for a
 *               batch's end; TS_TSQ, connections to resume sending;
 *   ts->lock    the conn, the timer, s and listener of one connection,
 *               and ts->dead. The engine's output and event callbacks run
 *               under it: they send (IPv4, ARP and the driver take their
 *               own locks after it) and wake the socket's waiters.
 * Order: ts->lock, then table_lock or due_lock. The socket fields
 * (state, err, acc queue) are the chassis's: the kernel lock, for now,
 * but for err, which the data path below reads and takes atomically.
 *
 * Off the kernel lock (issue 29): send and receive on a connected socket
 * (wire_lock_free) run without it. From the moment the socket is
 * UNIX_CONNECTED its proto stays tcp_wire_proto and s->in.tcp stays the
 * one connection (wire_connect refuses a connected socket; only the
 * file's release detaches it, and the caller holds a reference to the
 * file), so the connection needs no reference of the call's own. What
 * they reach: the engine under ts->lock, the rings under tcp_tx and
 * tcp_rx, the way out (IPv4, IPv6, neighbours, devices: their own
 * locks), s->wq (its own lock), s->err (atomic) and options set by
 * setsockopt, read as they are (as Linux reads them without the socket
 * lock). SIGPIPE (net/unix.c) and lo's delivery (net/loopback.c) take
 * the kernel lock for their moment; a wait sleeps only while s->changes
 * has not moved since its look (unix_wait_gen). Engine events raised by
 * those calls (ts_event) only mark the socket readable or writable: the
 * ones that reach the chassis (a passive connection's accept queue, the
 * port given back at CLOSED) come from segments and timers, which the
 * network thread and lo's drain run under the kernel lock, but for
 * lo's segments that segment_in_nolock takes: only for a connection
 * past its handshake (input_lock_free: no accept queue, no socket state
 * to set), its CLOSED's port handed to the kernel lock after ts->lock
 * (ts->off_klock, ts->unhash_later).
 *
 * Lifetime: a tcp_sock's memory is counted by ts->refs: one for the
 * connection until ts_free, one for each of its segments below TCP (the
 * small queues' netbufs), one for whoever found it on the table or a
 * list until it lets go. A finder takes ts->lock and leaves a dead one
 * alone (ts_lock_live); ts_free takes it off every list first, so no
 * list hands it out again.
 *
 * TCP small queues (Linux's TSQ): each segment sent to a device counts
 * its buffer's bytes in ts->below until the device is done with it (the
 * netbuf's destructor); the engine stops sending past tcp_tsq_limit
 * (ts_throttle), and the last destructor of a throttled connection puts
 * it on the small-queue list, which the network thread runs
 * (tcp_sock_run_tsq). A NIC's ring and the device's queue so hold a
 * millisecond or so of each connection, not its whole window.
 */
#include "net/tcp_sock.h"
#include "net/loopback.h"
#include "net/icmp.h"
#include "net/inet_sock.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "net/net_sysctl.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "net/tcp.h"
#include "net/tcp_seq.h"
#include "net/wire.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/klock.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/siphash.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "proc/ktimer.h"
#include "proc/sched.h"
#include "time/time.h"
#include "uapi/fcntl.h"
#include "uapi/in.h"
#include "uapi/poll.h"
#include "uapi/socket.h"
#include "uapi/sockios.h"
#include "uapi/tcp.h"

#define TCP_HALF_OPEN_MAX  256      /* connections in SYN-RECEIVED, all listeners (tcp_max_syn_backlog) */
					/* (and each listener's SYN queue holds backlog + 1 of them) */
#define TCP_SYNACK_PRUNED  2        /* SYN-ACK retries a crowded SYN queue leaves its old entries */
#define TCP_SYN_QUEUE_MIN  8        /* a SYN queue is crowded past half of this or of its backlog */
#define TCP_MSS_IPV4_OVERHEAD 40    /* IPv4 and TCP headers without options */
#define TCP_MSS_IPV6_OVERHEAD 60    /* IPv6 and TCP headers without options (Linux's tcp_v6 MSS) */
#define TCP_TS_OPT_BYTES   12       /* NOP NOP TIMESTAMP: what a segment's payload loses to it */
#define TS_PATH_RECHECK_NS 1000000000ull /* ts_current_mss looks at the route again after a second */
#define TCP_SEQ_OFF        4        /* the sequence number's offset in a TCP header */
#define TCP_ICMP_QUOTE_MIN 8        /* an ICMP error's quote: ports and sequence number */
#define TCP_ISN_CLOCK_SHIFT 6       /* RFC 6528's clock: 64 ns a tick, as Linux */
#define TCP_MEM_SHARE      8        /* connections' rings may take an eighth of RAM */
#define TCP_CONNS_MIN      16
#define TCP_RING_MAX       (4u << 20) /* a ring's largest (tcp_wmem[2]'s order) */
/* Under memory pressure (the rings asked for no longer fit under the
 * limit) a connection still gets rings of this size, Linux's tcp_rmem[0]
 * and tcp_wmem[0], while all rings stay under the limit times
 * TCP_MEM_HARD_NUM / TCP_MEM_HARD_DEN (Linux's tcp_mem[2], past which it
 * allocates no more, is 1.5 times its pressure mark tcp_mem[1]) */
#define TCP_PRESSURE_RING  4096
#define TCP_MEM_HARD_NUM   3
#define TCP_MEM_HARD_DEN   2

/* The lists the network thread works through (see Lock rules). */
enum ts_list { TS_DUE, TS_BATCH, TS_TSQ, TS_LISTS };
struct ts_link {
	struct tcp_sock *next;
	bool on;
};

/* Where a connection's segments go: its addresses (an IPv4 one as
 * ::ffff:a.b.c.d), over IPv6 or IPv4, and for a link-local peer the
 * link (its ifindex; 0 otherwise). Set when the connection is made. */
struct tcp_path {
	struct in6 src, dst;
	bool v6;
	int ifindex;
};

struct tcp_sock {
	struct tcp_conn conn;
	struct spinlock lock;
	struct unix_sock *s;           /* its socket (a reference); NULL once the program let go */
	struct unix_sock *listener;    /* a passive one's listener (a reference) until it is queued */
	struct unix_sock *syn_of;      /* table_lock: that listener while this one is in its SYN
					 * queue (half-open), held by ts->listener's reference */
	bool syn_young;                /* table_lock: in a SYN queue, its SYN-ACK not timed out yet */
	uint64_t mem;                  /* what its rings and itself count against mem_max */
	struct tcp_path path;          /* set at ts_new, then read-only */
	int family;                    /* table_lock: its socket's (AF_INET6 shows in /proc/net/tcp6);
					* IPV6_ADDRFORM makes it AF_INET (tcp_sock_set_ipv4) */
	uint16_t lport, rport;
	struct ktimer timer;
	bool in_table, counted_estab;
	struct ts_link link[TS_LISTS]; /* due_lock: its place on each list */
	bool unlisted;                 /* due_lock: ts_free took it off the lists for good */
	bool dead;                     /* lock: over; ts_free runs or ran (see Lifetime) */
	bool throttled;                /* atomic: the small queues stopped it (ts_throttle) */
	uint32_t refs;                 /* atomic: see Lifetime */
	uint32_t below;                /* atomic: bytes of its segments' buffers below TCP */
	/* table_lock: the connection holds its local port for bind (Linux's
	 * bind bucket) because no socket on inet.c's port list does: an
	 * accepted one, and one whose program let go (FIN-WAIT, TIME-WAIT);
	 * reuse: that socket's SO_REUSEADDR */
	bool holds_port, reuse;
	struct tcp_sock *next;
	uint8_t *sndbuf, *rcvbuf;
	struct ipv4_route_cache route; /* lock: the route its segments take, between them */
	uint32_t retrans_counted;      /* lock: conn.stats.retrans_segs already in tcp_mib */
	uint32_t ext_counted[TCP_EXT_N]; /* lock: conn.stats' TcpExt counters already in tcp_mib */
	uint32_t sndbuf_told;          /* lock: conn.sndbuf as last written to s->sndbuf */
	/* lock: s's IP_MTU_DISCOVER (IPV6_MTU_DISCOVER over IPv6) as it was
	 * when the program let go (ts_detach), for ICMP errors to come:
	 * Linux's orphan keeps its socket's options */
	uint8_t pmtudisc;
	/* lock: ts_current_mss's memo: the MSS it found, the path MTU
	 * cache's generation then, and until when it holds */
	uint32_t mss_memo;
	uint64_t mss_memo_gen, mss_memo_until;
	/* lock: set by lo's input without the kernel lock (segment_in_nolock)
	 * for its engine call; ts_event then leaves what is the kernel lock's
	 * to it: a socket whose port CLOSED gives back, in unhash_later (a
	 * reference), which that caller hands on under the kernel lock */
	bool off_klock;
	struct unix_sock *unhash_later;
};

struct tcp_mib tcp_mib;
static struct spinlock table_lock = SPINLOCK_INIT;
static struct tcp_sock *table;
static unsigned half_open;
static unsigned nconns;             /* connections */
static uint64_t mem_used, mem_max;  /* their rings' bytes, and an eighth of RAM (tcp_mem's role) */
static struct spinlock due_lock = SPINLOCK_INIT;
static struct tcp_sock *lists[TS_LISTS];
static struct siphash_key isn_key;
static struct tcp_conn listen_conn;  /* a LISTEN conn: tcp_input sorts a listener's segments with it */
extern const struct sock_proto tcp_wire_proto;

static void mib_inc(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- addresses ------------------------------------------------------------------- */

/* IPv4 address a (host order) as ::ffff:a.b.c.d, and back. */
static struct in6 v4_mapped(uint32_t a)
{
	struct in6 m = { .b = { [10] = 0xff, [11] = 0xff } };
	put_be32(m.b + 12, a);
	return m;
}

static uint32_t v4_of(const struct in6 *m)
{
	return get_be32(m->b + 12);
}

/* A socket name for address a and port of path pa (an IPv4 name, or an
 * IPv6 one with its link when link-local; ::1 as the sockets name it). */
static struct inet_name path_name(const struct tcp_path *pa, const struct in6 *a, uint16_t port)
{
	if (!pa->v6)
		return (struct inet_name){ .addr = v4_of(a), .port = port, .kind = INET_V4 };
	return inet_name6(a, port, pa->ifindex);
}

/* ---- lifetime (see Lifetime above) ------------------------------------------------- */

static void ts_get(struct tcp_sock *ts)
{
	__atomic_add_fetch(&ts->refs, 1, __ATOMIC_RELAXED);
}

static void ts_put(struct tcp_sock *ts)
{
	if (__atomic_sub_fetch(&ts->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(ts);
}

/* ---- the table ------------------------------------------------------------------- */

/* The connection on the four-tuple, with a reference (ts_put it). One
 * that is closed (reset, or done while its program still holds the
 * socket) takes no segments: Linux unhashes a socket when it enters
 * CLOSE, so a new SYN on the same tuple reaches the listener. */
static struct tcp_sock *lookup(const struct in6 *laddr, uint16_t lport, const struct in6 *raddr, uint16_t rport)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	struct tcp_sock *ts = table;
	while (ts && !(ts->lport == lport && ts->rport == rport && in6_eq(&ts->path.src, laddr) &&
		       in6_eq(&ts->path.dst, raddr) &&
		       __atomic_load_n(&ts->conn.state, __ATOMIC_RELAXED) != TCPS_CLOSE))
		ts = ts->next;
	if (ts)
		ts_get(ts);
	spin_unlock_irqrestore(&table_lock, fl);
	return ts;
}

/* ts holds its port from now on, with s's SO_REUSEADDR (see struct tcp_sock). */
static void hold_port(struct tcp_sock *ts, const struct unix_sock *s)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	ts->holds_port = true;
	ts->reuse = (s->sockopt_bits >> SO_REUSEADDR) & 1;
	spin_unlock_irqrestore(&table_lock, fl);
}

/* Does a bind that takes the IPv4 addresses v4set (-1 none, 0 all, or
 * one) and the IPv6 ones of n (an IPv6 wildcard, ::1 or one address)
 * meet ts's local address? */
static bool addr_meets(const struct tcp_sock *ts, const struct inet_name *n, int64_t v4set)
{
	if (!ts->path.v6)
		return v4set == 0 || (v4set > 0 && v4_of(&ts->path.src) == (uint32_t)v4set);
	if (n->kind == INET_V6_ANY)
		return true;
	if (n->kind != INET_V6 && n->kind != INET_V6_LOOP)
		return false;
	struct in6 a = inet_in6(n);
	return in6_eq(&a, &ts->path.src);
}

bool tcp_sock_port_held(const struct inet_name *n, int64_t v4set, bool reuse, bool strict)
{
	bool held = false;
	uint64_t fl = spin_lock_irqsave(&table_lock);
	for (const struct tcp_sock *ts = table; ts && !held; ts = ts->next) {
		if (!ts->holds_port || ts->lport != n->port || !addr_meets(ts, n, v4set))
			continue;
		if (__atomic_load_n(&ts->conn.state, __ATOMIC_RELAXED) == TCPS_CLOSE)
			continue;
		held = strict || !reuse || !ts->reuse; /* never listening: both reusing may share */
	}
	spin_unlock_irqrestore(&table_lock, fl);
	return held;
}

static void table_add(struct tcp_sock *ts)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	ts->next = table;
	table = ts;
	ts->in_table = true;
	spin_unlock_irqrestore(&table_lock, fl);
}

static void table_del(struct tcp_sock *ts)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	for (struct tcp_sock **pp = &table; *pp; pp = &(*pp)->next)
		if (*pp == ts) {
			*pp = ts->next;
			break;
		}
	ts->in_table = false;
	spin_unlock_irqrestore(&table_lock, fl);
}

/* RFC 6528: a clock plus a keyed hash of the connection's addresses. */
static uint32_t isn(const struct in6 *laddr, uint16_t lport, const struct in6 *raddr, uint16_t rport)
{
	struct { struct in6 l, r; uint32_t ports; } tuple = { *laddr, *raddr, (uint32_t)lport << 16 | rport };
	return (uint32_t)siphash(&isn_key, &tuple, sizeof(tuple)) + (uint32_t)(time_ns() >> TCP_ISN_CLOCK_SHIFT);
}

/* ---- the engine's callbacks (ts->lock held) ------------------------------------------ */

static void tsq_charge(struct tcp_sock *ts, struct netbuf *nb);

/* ts's IP_MTU_DISCOVER, or IPV6_MTU_DISCOVER over IPv6: its socket's,
 * or as it was when the program let go (ts_detach). lock held. */
static uint8_t ts_pmtudisc(const struct tcp_sock *ts)
{
	const struct inet_opts *o = ts->s ? &ts->s->in.opt : NULL;
	return !o ? ts->pmtudisc : ts->path.v6 ? o->pmtudisc6 : o->pmtudisc;
}

/*
 * The IP_MTU_DISCOVER an IPv4 segment of ts goes out under, which sets
 * its DF bit (ipv4.c's plan_output). ts NULL: a reset for no connection.
 * Linux sends those, and the segments of a request socket (a passive one
 * in SYN-RECV) and of a time-wait one (TIME-WAIT, and an orphan in
 * FIN-WAIT-2), through its TCP control socket, which is IP_PMTUDISC_DO
 * (tcp_sk_init: "enforce IP_DF"); its SYN-ACKs through
 * ip_build_and_send_pkt, which sets DF on any packet of 576 bytes or
 * less (a SYN-ACK carries no data: all of them). The rest go through the
 * socket, under its option. One difference: the ACK of the FIN that ends
 * FIN-WAIT-2 goes after the engine entered TIME-WAIT, so with DF, where
 * Linux's socket sends it before. lock held.
 */
static uint8_t seg_pmtudisc(const struct tcp_sock *ts)
{
	if (!ts)
		return IP_PMTUDISC_DO;
	const struct tcp_conn *c = &ts->conn;
	bool ctl = c->state == TCPS_TIME_WAIT || (c->state == TCPS_FIN_WAIT2 && !ts->s) ||
		   (c->state == TCPS_SYN_RECV && c->passive);
	return ctl ? IP_PMTUDISC_DO : ts_pmtudisc(ts);
}

/* The built segment nb (checksum left partial) out through IPv6 or IPv4
 * as pa says; by the route cached in route (IPv4's, a connection's,
 * under its lock), if any; IPv4's DF as IP_MTU_DISCOVER how says. Owns nb. */
static void ip_out(struct netbuf *nb, const struct tcp_path *pa, struct ipv4_route_cache *route, uint8_t how)
{
	if (pa->v6) {
		struct ipv6_send out = { .src = pa->src, .dst = pa->dst, .src_fixed = true, .proto = NEXTHDR_TCP,
					 .hops = -1, .dev = pa->ifindex ? netdev_by_index(pa->ifindex) : NULL };
		ipv6_output(nb, &out);
		netdev_put(out.dev);
		return;
	}
	struct ipv4_send out = { .src = v4_of(&pa->src), .dst = v4_of(&pa->dst), .proto = IPPROTO_TCP,
				 .tcp = true, .pmtudisc = how, .route = route };
	ipv4_output(nb, &out);
}

/* Send one segment on path pa: header, options, payload from the ring's
 * spans; by the route cached in route (IPv4's), if any; counted below
 * owner (its lock held) if any, for the small queues; DF as
 * seg_pmtudisc says for owner. */
static void send_segment(const struct tcp_path *pa, const struct tcp_seg *seg, const struct tcp_span *data,
			 struct ipv4_route_cache *route, struct tcp_sock *owner)
{
	uint8_t opts[TCP_HDR_MAX - TCP_HDR_MIN];
	size_t olen = tcp_opts_build(opts, sizeof(opts), &seg->opts);
	size_t hlen = TCP_HDR_MIN + olen, len = hlen + seg->payload_len;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (!nb)
		return; /* lost: the engine's timers send it again */
	uint8_t *p = netbuf_put(nb, len);
	memcpy(p + TCP_HDR_MIN, opts, olen);
	size_t off = hlen;
	for (int i = 0; data && i < 2; i++) {
		memcpy(p + off, data->p[i], data->len[i]);
		off += data->len[i];
	}
	struct tcp_seg h = *seg;
	h.hdr_len = (uint8_t)hlen;
	/* summed by the device or netdev_xmit */
	if (pa->v6)
		tcp6_build_partial(p, &pa->src, &pa->dst, &h, (uint32_t)len);
	else
		tcp_build_partial(p, v4_of(&pa->src), v4_of(&pa->dst), &h, (uint32_t)len);
	nb->csum_partial = true;
	nb->csum_start = (uint16_t)(p - nb->head);
	nb->csum_field = (uint16_t)(nb->csum_start + TCP_CSUM_FIELD);
	mib_inc(&tcp_mib.out_segs);
	if (seg->flags & TCP_RST)
		mib_inc(&tcp_mib.out_rsts);
	if (owner)
		tsq_charge(owner, nb);
	ip_out(nb, pa, route, seg_pmtudisc(owner));
}

/* ops->output, ts's lock held. The engine counts its retransmissions per
 * connection just before it sends them; /proc/net/snmp's RetransSegs
 * takes what was added since the last segment. */
static void ts_output(struct tcp_conn *c, const struct tcp_seg *seg, const struct tcp_span *data)
{
	struct tcp_sock *ts = c->user;
	uint32_t retrans = c->stats.retrans_segs - ts->retrans_counted;

	spin_must_hold(&ts->lock);
	if (retrans) {
		__atomic_add_fetch(&tcp_mib.retrans_segs, retrans, __ATOMIC_RELAXED);
		ts->retrans_counted = c->stats.retrans_segs;
	}
	send_segment(&ts->path, seg, data, &ts->route, ts);
}

/* Listener l's SYN queue: how many connections it has half-open (Linux's
 * reqsk_queue_len, which Linux bounds per listener by its backlog: a
 * flood of one port leaves the others their own room), and how many of
 * them are young. Counted on l as they join and leave. table_lock held. */
static unsigned syn_queue_len(const struct unix_sock *l, unsigned *young)
{
	*young = l->in.syn_young;
	return l->in.syn_qlen;
}

/* ts is no longer young (its SYN-ACK timed out, or it left the queue). table_lock held. */
static void syn_age(struct tcp_sock *ts)
{
	if (ts->syn_of && ts->syn_young)
		ts->syn_of->in.syn_young--;
	ts->syn_young = false;
}

/* The SYN-ACK retries l's half-open connections get, as Linux's
 * reqsk_timer_handler reckons them: TCP_SYNACK_RETRIES; but when the
 * queue is more than half full and few of its entries are young, one
 * fewer for each doubling of the young count the queue still reaches,
 * down to TCP_SYNACK_PRUNED. A flood's half-open connections then give
 * way at their third timeout (about 7 s) instead of after 63 s, and the
 * listener takes connections again. table_lock held. */
static unsigned synack_retries(const struct unix_sock *l)
{
	unsigned young, qlen = syn_queue_len(l, &young), retries = TCP_SYNACK_RETRIES;
	unsigned crowd = (unsigned)l->backlog > TCP_SYN_QUEUE_MIN ? (unsigned)l->backlog : TCP_SYN_QUEUE_MIN;
	if (qlen * 2 <= crowd)
		return retries;
	for (young *= 2; retries > TCP_SYNACK_PRUNED && qlen >= young; young *= 2)
		retries--;
	return retries;
}

/* ts's timer fired: is it a half-open connection whose SYN-ACK timed out
 * with no retry left to it in its crowded queue? Either way it is no
 * longer young. ts->lock held. */
static bool syn_recv_pruned(struct tcp_sock *ts, uint64_t now)
{
	if (ts->conn.state != TCPS_SYN_RECV || now < tcp_next_deadline(&ts->conn))
		return false;
	uint64_t fl = spin_lock_irqsave(&table_lock);
	bool prune = ts->syn_of && ts->conn.retransmits >= synack_retries(ts->syn_of);
	syn_age(ts);
	spin_unlock_irqrestore(&table_lock, fl);
	return prune;
}

/* ts leaves its listener's SYN queue (established, or ended half-open). */
static void syn_queue_leave(struct tcp_sock *ts)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	half_open--;
	syn_age(ts);
	if (ts->syn_of)
		ts->syn_of->in.syn_qlen--;
	ts->syn_of = NULL;
	spin_unlock_irqrestore(&table_lock, fl);
}

/* A passive connection is established: to its listener's accept queue
 * (the queue takes a reference), or reset when the listener is gone. */
static void ready_for_accept(struct tcp_sock *ts)
{
	struct unix_sock *l = ts->listener, *s = ts->s;
	ts->listener = NULL;
	syn_queue_leave(ts);
	if (!l->dead && l->state == UNIX_LISTEN && l->acc_len < l->backlog + 1) {
		s->state = UNIX_CONNECTED;
		unix_acc_queue(l, unix_get(s));
		mib_inc(&tcp_mib.passive_opens);
	} else {
		if (!l->dead && l->state == UNIX_LISTEN) { /* the accept queue is full */
			mib_inc(&tcp_mib.listen_overflows);
			mib_inc(&tcp_mib.listen_drops);
		}
		tcp_abort(&ts->conn, time_ns());
	}
	unix_put(l);
}

/* A passive connection ended before its handshake did (a reset, the
 * SYN-ACK's retries): its socket, which nobody saw, goes with it. */
static void embryo_died(struct tcp_sock *ts)
{
	struct unix_sock *s = ts->s;
	syn_queue_leave(ts);
	unix_put(ts->listener);
	ts->listener = NULL;
	ts->s = NULL;
	s->in.tcp = NULL;
	unix_put(s);
}

static void ts_event(struct tcp_conn *c, unsigned ev)
{
	struct tcp_sock *ts = c->user;
	struct unix_sock *s = ts->s;
	if ((ev & TCP_EV_CONNECTED) && !ts->counted_estab) {
		ts->counted_estab = true;
		mib_inc(&tcp_mib.curr_estab);
	}
	if ((ev & TCP_EV_CONNECTED) && ts->listener)
		ready_for_accept(ts);
	else if ((ev & TCP_EV_CONNECTED) && s)
		s->state = UNIX_CONNECTED;
	if ((ev & TCP_EV_ERROR) && s)
		__atomic_store_n(&s->err, tcp_take_error(c), __ATOMIC_RELAXED);
	if ((ev & TCP_EV_CLOSED) && ts->listener)
		embryo_died(ts);
	else if (s && (ev & TCP_EV_CLOSED) && ts->off_klock && !ts->unhash_later)
		ts->unhash_later = unix_get(s); /* the port list is the kernel lock's: for the caller */
	else if (s && (ev & TCP_EV_CLOSED) && !ts->off_klock && !s->in.port_locked)
		inet_forget_unchosen(s, false); /* Linux's tcp_set_state(CLOSE): inet_put_port */
	if (s && !((ev & TCP_EV_CLOSED) && ts->listener))
		unix_changed(s);
}

static uint32_t ts_queued_below(struct tcp_conn *c);
static void ts_throttle(struct tcp_conn *c);
static uint32_t ts_current_mss(struct tcp_conn *c);
static const struct tcp_ops ts_ops = { .output = ts_output, .event = ts_event,
				       .queued_below = ts_queued_below, .throttle = ts_throttle,
				       .current_mss = ts_current_mss };

/* Room for one more connection with rings of bytes under limit (the
 * first TCP_CONNS_MIN always fit): true and counted, or false. */
static bool conn_reserve(uint64_t bytes, uint64_t limit)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	bool ok = nconns < TCP_CONNS_MIN || mem_used + bytes <= limit;
	if (ok) {
		nconns++;
		mem_used += bytes;
	}
	spin_unlock_irqrestore(&table_lock, fl);
	return ok;
}

/* bytes more for a connection's ring, under the same limit: true and
 * counted, or false. */
static bool mem_grow(uint64_t bytes)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	bool ok = mem_used + bytes <= mem_max;
	if (ok)
		mem_used += bytes;
	spin_unlock_irqrestore(&table_lock, fl);
	return ok;
}

static void mem_release(uint64_t bytes)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	mem_used -= bytes;
	spin_unlock_irqrestore(&table_lock, fl);
}

static void conn_unreserve(uint64_t bytes)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	nconns--;
	mem_used -= bytes;
	spin_unlock_irqrestore(&table_lock, fl);
}

/* A ring's size for socket s: Linux's default, or what SO_SNDBUF or
 * SO_RCVBUF asked (as Linux keeps it, doubled), up to TCP_RING_MAX: a
 * program that sized its buffers before connecting gets them. */
static uint32_t ring_size(int asked, bool set, uint32_t dflt)
{
	if (!set || asked <= 0)
		return dflt;
	return (uint32_t)asked < TCP_RING_MAX ? (uint32_t)asked : TCP_RING_MAX;
}

/* ---- the network thread's lists ------------------------------------------------------ */

/* ts onto list l unless it is on it or ts_free took it off for good;
 * the network thread kicked when kick. Any context. */
static void list_add(struct tcp_sock *ts, enum ts_list l, bool kick)
{
	uint64_t fl = spin_lock_irqsave(&due_lock);
	if (!ts->link[l].on && !ts->unlisted) {
		ts->link[l].on = true;
		ts->link[l].next = lists[l];
		lists[l] = ts;
	}
	spin_unlock_irqrestore(&due_lock, fl);
	if (kick && netdev_wake_hook)
		netdev_wake_hook(); /* the network thread (net/core.c's net_kick) */
}

/* The head of list l, taken off it, with a reference; NULL when empty. */
static struct tcp_sock *list_pop(enum ts_list l)
{
	if (!__atomic_load_n(&lists[l], __ATOMIC_RELAXED))
		return NULL; /* the common case, without the lock */
	uint64_t fl = spin_lock_irqsave(&due_lock);
	struct tcp_sock *ts = lists[l];
	if (ts) {
		lists[l] = ts->link[l].next;
		ts->link[l].on = false;
		ts_get(ts);
	}
	spin_unlock_irqrestore(&due_lock, fl);
	return ts;
}

/* ts off every list, and kept off. */
static void list_leave_all(struct tcp_sock *ts)
{
	uint64_t fl = spin_lock_irqsave(&due_lock);
	ts->unlisted = true;
	for (int l = 0; l < TS_LISTS; l++)
		for (struct tcp_sock **pp = &lists[l]; ts->link[l].on && *pp; pp = &(*pp)->link[l].next)
			if (*pp == ts) {
				*pp = ts->link[l].next;
				ts->link[l].on = false;
				break;
			}
	spin_unlock_irqrestore(&due_lock, fl);
}

/* The tick: put the connection on the due list for the network thread. */
static void timer_fire(struct ktimer *t)
{
	struct tcp_sock *ts = (struct tcp_sock *)((char *)t - __builtin_offsetof(struct tcp_sock, timer));
	list_add(ts, TS_DUE, true);
}

/* The connection is over and its program let go: off the table and the
 * lists, its timer off, its rings freed; its memory goes with the last
 * reference. ts->lock not held; settle marked it dead. */
static void ts_free(struct tcp_sock *ts)
{
	uint64_t fl = irq_save();
	ktimer_cancel(&ts->timer);
	irq_restore(fl);
	if (ts->in_table)
		table_del(ts);
	list_leave_all(ts);
	kfree(ts->sndbuf);
	kfree(ts->rcvbuf);
	conn_unreserve(ts->mem);
	ts_put(ts);
}

/* The engine's TcpExt counters of st, in enum tcp_ext's order. */
static void ext_values(const struct tcp_stats *st, uint32_t v[TCP_EXT_N])
{
	v[TCP_EXT_RENO_RECOVERY] = st->reno_recovery;
	v[TCP_EXT_SACK_RECOVERY] = st->sack_recovery;
	v[TCP_EXT_SACK_RENEGING] = st->sack_reneging;
	v[TCP_EXT_SACK_REORDER] = st->sack_reorder;
	v[TCP_EXT_DSACK_UNDO] = st->dsack_undo;
	v[TCP_EXT_FAST_RETRANS] = st->fast_retrans;
	v[TCP_EXT_LOST_RETRANSMIT] = st->lost_retrans;
	v[TCP_EXT_TIMEOUTS] = st->timeouts;
	v[TCP_EXT_LOSS_PROBES] = st->loss_probes;
	v[TCP_EXT_LOSS_PROBE_RECOVERY] = st->loss_probe_recovery;
	v[TCP_EXT_DSACK_OLD_SENT] = st->dsack_old_sent;
	v[TCP_EXT_DSACK_OFO_SENT] = st->dsack_ofo_sent;
	v[TCP_EXT_DSACK_RECV] = st->dsack_recv;
	v[TCP_EXT_OFO_QUEUE] = st->ofo_queued;
	v[TCP_EXT_OFO_DROP] = st->ofo_dropped;
	v[TCP_EXT_OFO_MERGE] = st->ofo_merge;
	v[TCP_EXT_DSACK_OFO_RECV] = st->dsack_ofo_recv;
	v[TCP_EXT_SACK_RECOVERY_FAIL] = st->sack_recovery_fail;
	v[TCP_EXT_RENO_RECOVERY_FAIL] = st->reno_recovery_fail;
	v[TCP_EXT_LOSS_FAILURES] = st->loss_failures;
	v[TCP_EXT_SACK_FAILURES] = st->sack_failures;
	v[TCP_EXT_RENO_FAILURES] = st->reno_failures;
	v[TCP_EXT_FULL_UNDO] = st->full_undo;
	v[TCP_EXT_PARTIAL_UNDO] = st->partial_undo;
	v[TCP_EXT_LOSS_UNDO] = st->loss_undo;
}

/* What ts's engine counted since the last call goes into tcp_mib.ext. ts->lock held. */
static void fold_ext(struct tcp_sock *ts)
{
	uint32_t v[TCP_EXT_N];

	ext_values(&ts->conn.stats, v);
	for (int i = 0; i < TCP_EXT_N; i++)
		if (v[i] != ts->ext_counted[i]) {
			__atomic_add_fetch(&tcp_mib.ext[i], v[i] - ts->ext_counted[i], __ATOMIC_RELAXED);
			ts->ext_counted[i] = v[i];
		}
}

/* ts->lock held: the send buffer the engine grew (tcp_sndbuf_expand) is
 * what getsockopt(SO_SNDBUF) reads, as Linux's sk_sndbuf, unless
 * SO_SNDBUF set it (then the socket's value is the conn's). */
static void sndbuf_tell(struct tcp_sock *ts)
{
	struct unix_sock *s = ts->s;
	uint32_t v = ts->conn.sndbuf;
	if (!s || v == ts->sndbuf_told || __atomic_load_n(&s->sndbuf_set, __ATOMIC_ACQUIRE))
		return;
	ts->sndbuf_told = v;
	__atomic_store_n(&s->sndbuf, (int)v, __ATOMIC_RELAXED);
}

/* After every engine call, ts->lock still held: the one timer at the
 * engine's next deadline. True when the connection is over and nobody
 * holds it: it is dead now, and the caller frees it after unlocking. */
static bool settle(struct tcp_sock *ts)
{
	spin_must_hold(&ts->lock);
	int st = ts->conn.state;
	if (ts->counted_estab && st != TCPS_ESTABLISHED && st != TCPS_CLOSE_WAIT) {
		ts->counted_estab = false; /* CurrEstab counts those two states, as Linux's */
		__atomic_sub_fetch(&tcp_mib.curr_estab, 1, __ATOMIC_RELAXED);
		if (st == TCPS_CLOSE)
			mib_inc(&tcp_mib.estab_resets); /* straight to CLOSED from them (RFC 1213) */
	}
	fold_ext(ts);
	sndbuf_tell(ts);
	bool done = st == TCPS_CLOSE && !ts->s && !ts->dead;
	uint64_t d = tcp_next_deadline(&ts->conn);
	if (done || ts->dead || d == TCP_NO_DEADLINE)
		ktimer_cancel(&ts->timer);
	else
		ktimer_arm(&ts->timer, d ? d : 1);
	if (done)
		ts->dead = true;
	return done;
}

/* Ring buffers a connection gave up, freed once its lock is let go. */
struct rings_gone {
	uint8_t *buf[2];
	uint64_t bytes;
};

/* ts->lock held, after an engine call: the rings an orphan no longer
 * needs leave it and ts's count of memory, as Linux keeps no receive
 * buffer for a closed socket and no buffers at all in TIME-WAIT: the
 * receive ring once closed (tcp_rcv_release), the send ring in TIME-WAIT
 * (tcp_snd_release). */
static void rings_unneeded(struct tcp_sock *ts, struct rings_gone *g)
{
	spin_must_hold(&ts->lock);
	if (ts->s)
		return; /* a program holds it: it reads and writes them */
	if ((g->buf[0] = tcp_rcv_release(&ts->conn))) {
		ts->rcvbuf = NULL;
		g->bytes += ts->conn.rcv.size;
	}
	if ((g->buf[1] = tcp_snd_release(&ts->conn))) {
		ts->sndbuf = NULL;
		g->bytes += ts->conn.snd.size;
	}
	ts->mem -= g->bytes;
}

static void unlock_settle(struct tcp_sock *ts, uint64_t fl)
{
	struct rings_gone g = { { NULL, NULL }, 0 };
	bool done = settle(ts);
	if (!done)
		rings_unneeded(ts, &g);
	spin_unlock_irqrestore(&ts->lock, fl);
	if (g.bytes) {
		kfree(g.buf[0]);
		kfree(g.buf[1]);
		mem_release(g.bytes);
	}
	if (done)
		ts_free(ts);
}

/* Lock ts (the caller holds a reference): true, *fl set, unless it is
 * dead: false, unlocked. */
static bool ts_lock_live(struct tcp_sock *ts, uint64_t *fl)
{
	*fl = spin_lock_irqsave(&ts->lock);
	if (!ts->dead)
		return true;
	spin_unlock_irqrestore(&ts->lock, *fl);
	return false;
}

/* Each connection on list l in turn, fn run on it under its lock. */
static void run_list(enum ts_list l, void (*fn)(struct tcp_sock *ts, uint64_t now))
{
	struct tcp_sock *ts;
	while ((ts = list_pop(l))) {
		uint64_t fl;
		if (ts_lock_live(ts, &fl)) {
			fn(ts, time_ns());
			unlock_settle(ts, fl);
		}
		ts_put(ts);
	}
}

/* ts->lock held: ts goes on the batch list if its engine holds an ACK back. */
static void batch_note(struct tcp_sock *ts)
{
	spin_must_hold(&ts->lock);
	if (ts->conn.ack_batched)
		list_add(ts, TS_BATCH, false);
}

static void batch_end(struct tcp_sock *ts, uint64_t now)
{
	tcp_ack_batch_end(&ts->conn, now);
}

void tcp_sock_batch_end(void)
{
	run_list(TS_BATCH, batch_end);
}

static void timer_due(struct tcp_sock *ts, uint64_t now)
{
	if (syn_recv_pruned(ts, now))
		tcp_drop_embryo(&ts->conn); /* silently, as Linux drops a request socket */
	else
		tcp_timer(&ts->conn, now);
}

void tcp_sock_run_timers(void)
{
	run_list(TS_DUE, timer_due);
}

/* ---- TCP small queues ---------------------------------------------------------------- */

/* ops->queued_below. */
static uint32_t ts_queued_below(struct tcp_conn *c)
{
	struct tcp_sock *ts = c->user;
	return __atomic_load_n(&ts->below, __ATOMIC_SEQ_CST);
}

/* ops->throttle: the next destructor puts ts on the small-queue list. */
static void ts_throttle(struct tcp_conn *c)
{
	struct tcp_sock *ts = c->user;
	__atomic_store_n(&ts->throttled, true, __ATOMIC_SEQ_CST);
}

/* A segment of ts's leaves the layers below (sent, dropped, or handed to
 * lo's receiver): uncounted, and a throttled connection resumes.
 * nb->destructor, any context. */
static void tsq_done(struct netbuf *nb)
{
	struct tcp_sock *ts = nb->owner;
	__atomic_sub_fetch(&ts->below, nb->cap, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&ts->throttled, false, __ATOMIC_SEQ_CST))
		list_add(ts, TS_TSQ, true);
	ts_put(ts);
}

/* nb, one of ts's segments, is counted below TCP until tsq_done. */
static void tsq_charge(struct tcp_sock *ts, struct netbuf *nb)
{
	ts_get(ts);
	__atomic_add_fetch(&ts->below, nb->cap, __ATOMIC_SEQ_CST);
	nb->owner = ts;
	nb->destructor = tsq_done;
}

static void tsq_resume(struct tcp_sock *ts, uint64_t now)
{
	tcp_tsq_resume(&ts->conn, now);
}

void tcp_sock_run_tsq(void)
{
	run_list(TS_TSQ, tsq_resume);
}

/* ---- options ---------------------------------------------------------------------- */

static bool sockopt_bit(const struct unix_sock *s, int name)
{
	return (s->sockopt_bits >> name) & 1;
}

/*
 * ts->lock held: the conn takes socket s's options (TCP_NODELAY,
 * TCP_CORK, the keepalive times and count, SO_KEEPALIVE, SO_OOBINLINE,
 * TCP_CONGESTION),
 * when a connection is made and whenever one changes. Turning Nagle or
 * the cork off sends what they held; the keepalive timer is re-armed
 * only when keepalive or its idle time changed (Linux re-arms on
 * SO_KEEPALIVE turned on and on TCP_KEEPIDLE).
 */
static void opts_to_conn(struct tcp_sock *ts, const struct unix_sock *s, uint64_t now)
{
	struct tcp_conn *c = &ts->conn;
	if (s->sndbuf_set && (!c->sndbuf_lock || c->sndbuf != (uint32_t)s->sndbuf)) {
		c->sndbuf = (uint32_t)s->sndbuf; /* SO_SNDBUF: sk_sndbuf, SOCK_SNDBUF_LOCK */
		c->sndbuf_lock = true;
		ts->sndbuf_told = c->sndbuf;
	}
	uint32_t idle = s->in.keepidle ? s->in.keepidle : TCP_KEEPIDLE_S;
	bool keep = sockopt_bit(s, SO_KEEPALIVE), rearm = keep != c->keepalive || idle != c->keep_idle_s;

	c->urg_inline = sockopt_bit(s, SO_OOBINLINE);
	tcp_set_congestion(c, s->in.opt.cong); /* the same one again changes nothing */
	c->keep_idle_s = idle;
	c->keep_intvl_s = s->in.keepintvl ? s->in.keepintvl : TCP_KEEPINTVL_S;
	c->keep_cnt = s->in.keepcnt ? s->in.keepcnt : TCP_KEEPCNT_DEFAULT;
	/* TCP_LINGER2: seconds; 0 tcp_fin_timeout; -1 none, as Linux's a
	 * FIN-WAIT-2 orphan then ends at once */
	c->fin_timeout_ns = s->in.opt.linger2 > 0 ? (uint64_t)s->in.opt.linger2 * TCP_NS_PER_S
			  : s->in.opt.linger2 < 0 ? 0 : TCP_FIN_TIMEOUT_NS;
	if (s->in.nodelay || c->nodelay)
		tcp_set_nodelay(c, s->in.nodelay, now); /* set on again: a push, as Linux */
	if (s->in.cork != (c->cork & 1))
		tcp_set_cork(c, s->in.cork, now);
	if (rearm)
		tcp_set_keepalive(c, keep, now);
}

/*
 * Grow one of ts's rings (rcv: the receive ring, else the send ring) to
 * want bytes, its bytes moved, if memory allows; else, or if another
 * call grew it first, it stays. Rings never shrink: what is queued stays
 * queued. The caller holds that direction's sleeping lock (s->in.tcp_tx
 * or tcp_rx): no copy is between a reserve or plan and its commit.
 * Returns whether it grew.
 */
static bool grow_ring(struct tcp_sock *ts, bool rcv, uint32_t want)
{
	struct tcp_ring *r = rcv ? &ts->conn.rcv : &ts->conn.snd;
	uint32_t have = __atomic_load_n(&r->size, __ATOMIC_RELAXED);
	if (want <= have || !mem_grow(want - have))
		return false;
	uint8_t *buf = kmalloc(want), *old = NULL;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	if (buf && r->size == have) {
		uint8_t **slot = rcv ? &ts->rcvbuf : &ts->sndbuf;
		old = *slot;
		if (rcv)
			tcp_rcv_grow(&ts->conn, buf, want, time_ns());
		else
			tcp_snd_grow(&ts->conn, buf, want);
		*slot = buf;
		ts->mem += want - have;
		buf = NULL;
	} else if (rcv) {
		ts->conn.rcv_want = 0; /* the next round trip's measure asks again */
	}
	unlock_settle(ts, fl);
	if (!old) {
		kfree(buf);
		mem_release(want - have);
		return false;
	}
	kfree(old);
	return true;
}

/* SO_SNDBUF raised on a connection: Linux's sk_sndbuf takes effect at
 * once, and a writer waiting for room wakes (sk_write_space). Linux too
 * lets a smaller sk_sndbuf only stop new writes. Caller: as grow_ring. */
static void grow_send_ring(struct tcp_sock *ts, struct unix_sock *s)
{
	if (grow_ring(ts, false, ring_size(s->sndbuf, s->sndbuf_set, TCP_SNDBUF_DEFAULT)))
		unix_changed(s); /* writers waiting for room */
}

static uint32_t notsent_lowat(const struct unix_sock *s);

/* A send found the ring full below the send buffer's limit (which
 * autotuning grows, tcp_sndbuf.c): the ring grows to what the limit
 * lets the queue hold, as far as memory allows. Caller: as grow_ring. */
static bool expand_send_ring(struct tcp_sock *ts, const struct unix_sock *s)
{
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	uint32_t want = tcp_snd_ring_want(&ts->conn, notsent_lowat(s), TCP_RING_MAX);
	spin_unlock_irqrestore(&ts->lock, fl);
	return want && grow_ring(ts, false, want);
}

/* struct sock_proto's sockopt_changed: the connection follows its socket. */
static void wire_sockopt_changed(struct unix_sock *s)
{
	struct tcp_sock *ts = s->in.tcp;
	if (!ts)
		return;
	if (!sleeplock_lock(&s->in.tcp_tx)) { /* not when killed: the size waits for nobody then */
		grow_send_ring(ts, s);
		sleeplock_unlock(&s->in.tcp_tx);
	}
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	opts_to_conn(ts, s, time_ns());
	if (s->in.opt.quickack_set)
		tcp_set_quickack(&ts->conn, !s->in.opt.pingpong, time_ns());
	s->in.opt.quickack_set = false;
	if (s->in.opt.nodelay_push)
		tcp_nagle_push(&ts->conn, time_ns());
	s->in.opt.nodelay_push = false;
	unlock_settle(ts, fl);
	unix_changed(s); /* a new TCP_NOTSENT_LOWAT may let writers on (Linux's sk_write_space) */
	loopback_run(); /* what a cork or Nagle let go of, or a quick ACK, to this host */
}

/* ---- making connections ---------------------------------------------------------- */

/* The MTU of path pa now (Linux's dst_mtu): the route's device, or the
 * path MTU cache's lower one; IPv4's by the route cached in route, if
 * given (a connection's, its lock held). 0 and *mtu, or -ENETUNREACH. */
static int path_mtu(const struct tcp_path *pa, struct ipv4_route_cache *route, uint32_t *mtu)
{
	if (pa->v6) {
		struct ipv6_dst r6;
		struct netdev *link = pa->ifindex ? netdev_by_index(pa->ifindex) : NULL;
		int err = ipv6_route_lookup(&pa->dst, link, &r6);
		*mtu = err ? 0 : pmtu_ipv6(&r6, &pa->dst);
		netdev_put(r6.dev);
		netdev_put(link);
		return err;
	}
	struct ipv4_dst d;
	int err = route ? ipv4_route_lookup_cached(v4_of(&pa->dst), NULL, route, &d)
			: ipv4_route_lookup(v4_of(&pa->dst), NULL, &d);
	if (err)
		return -ENETUNREACH;
	*mtu = pmtu_ipv4(&d, v4_of(&pa->dst), NULL);
	netdev_put(d.dev);
	return 0;
}

/* The MSS a connection of s on path pa advertises: its route's MTU
 * (IPv4's at most 65535, IPv6's at most 65575, as Linux's IP_MAX_MTU and
 * IP6_MAX_MTU; the path MTU cache's if it knows a lower one, as Linux's
 * advmss and tcp_sync_mss take dst_mtu) less the headers, 40 or 60
 * bytes, and at most TCP_MAXSEG's.
 * 0, or the route's error (-ENETUNREACH...). */
static int path_mss(const struct unix_sock *s, const struct tcp_path *pa, uint32_t *mss)
{
	uint32_t mtu;
	int err = path_mtu(pa, NULL, &mtu);
	if (err)
		return err;
	*mss = mtu - (pa->v6 ? TCP_MSS_IPV6_OVERHEAD : TCP_MSS_IPV4_OVERHEAD);
	if (s->in.opt.user_mss && s->in.opt.user_mss < *mss)
		*mss = s->in.opt.user_mss; /* TCP_MAXSEG set before the connection (Linux's user_mss) */
	return 0;
}

/* Counts a new connection's rings, *snd and *rcv bytes as asked, or
 * under memory pressure TCP_PRESSURE_RING each (Linux's buffer sizes are
 * limits, not allocations: its connections are made under pressure too,
 * their buffers moderated): their bytes with the connection's own, or 0
 * past the hard limit (the caller refuses: a SYN dropped, -ENOMEM). */
static uint64_t conn_reserve_rings(uint32_t *snd, uint32_t *rcv)
{
	uint64_t mem = (uint64_t)*snd + *rcv + sizeof(struct tcp_sock);
	if (conn_reserve(mem, mem_max))
		return mem;
	*snd = *rcv = TCP_PRESSURE_RING;
	mem = 2 * TCP_PRESSURE_RING + sizeof(struct tcp_sock);
	return conn_reserve(mem, mem_max / TCP_MEM_HARD_DEN * TCP_MEM_HARD_NUM) ? mem : 0;
}

/* A connection of socket s on path pa from port lport to rport, with its
 * rings; in the table. NULL when memory is short or no route is left. */
static struct tcp_sock *ts_new(struct unix_sock *s, const struct tcp_path *pa, uint16_t lport, uint16_t rport)
{
	uint32_t snd = ring_size(s->sndbuf, s->sndbuf_set, TCP_SNDBUF_DEFAULT);
	uint32_t rcv = ring_size(s->rcvbuf, s->rcvbuf_set, TCP_RCVBUF_DEFAULT);
	uint64_t mem = conn_reserve_rings(&snd, &rcv);
	if (!mem)
		return NULL;
	struct tcp_sock *ts = kzalloc(sizeof(*ts));
	if (!ts) {
		conn_unreserve(mem);
		return NULL;
	}
	ts->mem = mem;
	ts->refs = 1; /* the connection's */
	ts->pmtudisc = IP_PMTUDISC_WANT; /* read once ts->s is gone: ts_detach sets the socket's */
	ts->sndbuf = kmalloc(snd);
	ts->rcvbuf = kmalloc(rcv);
	uint32_t mss;
	if (!ts->sndbuf || !ts->rcvbuf || path_mss(s, pa, &mss)) {
		kfree(ts->sndbuf);
		kfree(ts->rcvbuf);
		kfree(ts);
		conn_unreserve(mem);
		return NULL;
	}
	/* SO_RCVBUF set before the connection fixes its ring (Linux's
	 * SOCK_RCVBUF_LOCK); the window scale is Linux's either way, from
	 * tcp_rmem's max as Linux's tcp_select_initial_window takes it */
	struct tcp_cfg cfg = { .sndbuf = ts->sndbuf, .sndbuf_size = snd, .rcvbuf = ts->rcvbuf,
			       .rcvbuf_size = rcv, .sport = lport, .dport = rport,
			       .rcvbuf_max = s->rcvbuf_set ? 0 : TCP_RCV_RING_AUTO_MAX,
			       .wscale_space = net_sysctl_tcp_rmem_max(),
			       .mss = (uint16_t)mss, .no_sack = !net_sysctl_tcp_sack(),
			       .no_ts = !net_sysctl_tcp_timestamps(),
			       .ts_offset = (uint32_t)siphash(&isn_key, &ts, sizeof(ts)),
			       .sndbuf_limit = s->sndbuf > 0 ? (uint32_t)s->sndbuf : TCP_WMEM_DEFAULT,
			       .sndbuf_lock = s->sndbuf_set, .wmem_max = net_sysctl_tcp_wmem_max(),
			       .min_tso_segs = net_sysctl_tcp_min_tso_segs(),
			       .reordering = net_sysctl_tcp_reordering(),
			       .max_reordering = net_sysctl_tcp_max_reordering() };
	tcp_conn_init(&ts->conn, &cfg, &ts_ops);
	ts->conn.user = ts;
	ts->timer.fire = timer_fire;
	ts->s = unix_get(s);
	ts->path = *pa;
	ts->family = s->family;
	ts->lport = lport, ts->rport = rport;
	s->in.tcp = ts;
	table_add(ts);
	return ts;
}

/* The program lets go of s's connection (close, or an unaccepted one
 * dropped): FIN or reset as the engine decides; it lives on (FIN-WAIT,
 * TIME-WAIT) without its socket, and without its receive ring. */
static void ts_detach(struct unix_sock *s, bool abort)
{
	struct tcp_sock *ts = s->in.tcp;
	if (!ts)
		return;
	hold_port(ts, s); /* the socket leaves the port list: the connection keeps the port */
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	s->in.tcp = NULL;
	ts->s = NULL;
	ts->pmtudisc = ts->path.v6 ? s->in.opt.pmtudisc6 : s->in.opt.pmtudisc;
	if (ts->listener) {
		syn_queue_leave(ts); /* while the listener is still held: it counts its queue */
		unix_put(ts->listener);
		ts->listener = NULL;
	}
	if (abort || (s->linger.onoff && !s->linger.secs))
		tcp_abort(&ts->conn, time_ns());
	else
		tcp_close(&ts->conn, time_ns()); /* its rings go as it no longer needs them: unlock_settle */
	unlock_settle(ts, fl);
	unix_put(s);
}

/* Wait for the handshake: 0, or the error it ended with. */
static int wait_connected(struct file *f, struct unix_sock *s)
{
	uint64_t deadline = unix_deadline(s->sndtimeo_ns);
	for (;;) {
		struct tcp_sock *ts = s->in.tcp;
		int e = __atomic_exchange_n(&s->err, 0, __ATOMIC_RELAXED); /* as take_err */
		if (e) {
			s->in.connecting = false;
			return -e;
		}
		if (!ts || ts->conn.state != TCPS_SYN_SENT) {
			s->in.connecting = false; /* its error reported already: Linux's -ECONNABORTED */
			return ts && ts->conn.state != TCPS_CLOSE ? 0 : -ECONNABORTED;
		}
		long err = unix_wait(&s->wq, f->flags & O_NONBLOCK, deadline);
		if (err)
			return err == -EAGAIN ? -EINPROGRESS : (int)err;
	}
}

/* The IP version a name is reached over: IPv6 for ::1 and other IPv6 addresses. */
static bool name_v6(const struct inet_name *n)
{
	return n->kind == INET_V6 || n->kind == INET_V6_LOOP;
}

/* Where a connect from s to d goes (d: an IPv4 address, ::1 or another
 * IPv6 one): the route looked up, a link-local d given its link (the
 * scope id, else s's device, as Linux's getpeername shows it), s given
 * a port if it has none, the source chosen (inet_source). *pa and *src
 * set. 0, -ENETUNREACH, -EINVAL (a link-local address without its
 * link), -ENODEV, -EADDRNOTAVAIL (no source), -EAFNOSUPPORT (bound to an
 * address of the other version), or bind's error. */
static int connect_path(struct unix_sock *s, struct inet_name *d, struct tcp_path *pa, struct inet_name *src)
{
	*pa = (struct tcp_path){ .v6 = name_v6(d) };
	if (inet_bound_gone(s))
		return -ENODEV; /* bound to a device that went: Linux's route lookup with its oif */
	if (!pa->v6) {
		struct ipv4_dst route;
		if (ipv4_route_lookup(d->addr, NULL, &route))
			return -ENETUNREACH;
		netdev_put(route.dev); /* only whether there is one */
		pa->dst = v4_mapped(d->addr);
	} else {
		struct inet_name dv = *d; /* ::1 as an address the route looks up */
		struct ipv6_dst r6;
		pa->dst = inet_in6(d);
		memcpy(dv.a6, pa->dst.b, sizeof(dv.a6));
		dv.kind = INET_V6;
		int err = inet_v6_route(s, &dv, &r6);
		int via = r6.dev ? r6.dev->ifindex : 0;
		netdev_put(r6.dev);
		if (err)
			return err;
		if (in6_is_linklocal(&pa->dst)) /* the scope id named, else the route's (s's device) */
			pa->ifindex = d->scope = d->scope ? d->scope : via;
	}
	int err = s->in.name.port ? 0 : inet_bind_port(s, inet_any(s));
	if (err)
		return err;
	*src = inet_source(s, d);
	if (name_v6(src) != pa->v6)
		return src->kind == INET_V4 ? -EAFNOSUPPORT : -ENETUNREACH; /* inet_version_mismatch's */
	pa->src = pa->v6 ? inet_in6(src) : v4_mapped(src->addr);
	return pa->v6 && in6_is_any(&pa->src) ? -EADDRNOTAVAIL : 0;
}

/* A connect's destination as Linux's tcp_v4_connect and tcp_v6_connect
 * take it: 0.0.0.0 is 127.0.0.1 and :: is ::1 (this host); an IPv4
 * address (::ffff:a.b.c.d) goes over IPv4 unless the socket is
 * IPV6_V6ONLY. 0, -ENETUNREACH, -EAFNOSUPPORT (no address TCP reaches). */
static int connect_dest(const struct unix_sock *s, struct inet_name *d)
{
	if (d->kind == INET_V6_ANY)
		d->kind = INET_V6_LOOP;
	if (d->kind == INET_V4)
		return inet_via_ipv4(s, d) ? 0 : -ENETUNREACH;
	return name_v6(d) ? 0 : -EAFNOSUPPORT;
}

int tcp_sock_connect(struct file *f, const struct inet_name *dn)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d = *dn, src;
	struct tcp_path pa;
	if (s->in.tcp)
		return s->in.connecting ? (f->flags & O_NONBLOCK ? -EALREADY : wait_connected(f, s)) : -EISCONN;
	int err = connect_dest(s, &d);
	if (!err)
		err = connect_path(s, &d, &pa, &src);
	if (err)
		return err;
	uint16_t port = d.port;
	struct tcp_sock *old = lookup(&pa.src, src.port, &pa.dst, port);
	uint64_t ofl;
	if (old && __atomic_load_n(&old->conn.state, __ATOMIC_RELAXED) == TCPS_TIME_WAIT) {
		if (ts_lock_live(old, &ofl)) { /* Linux reuses a TIME-WAIT tuple on lo (tcp_tw_reuse 2) */
			tcp_abort(&old->conn, time_ns());
			unlock_settle(old, ofl);
		}
		ts_put(old);
	} else if (old) {
		ts_put(old);
		return -EADDRNOTAVAIL; /* the four-tuple is taken (Linux's __inet_check_established) */
	}
	struct tcp_sock *ts = ts_new(s, &pa, src.port, port);
	if (!ts)
		return -ENOMEM;
	s->proto = &tcp_wire_proto;
	s->in.name = src;
	inet_name_sync(s);
	s->in.peer = d;
	s->in.has_peer = true;
	s->in.connecting = true;
	mib_inc(&tcp_mib.active_opens);
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	opts_to_conn(ts, s, time_ns()); /* set before connect(): the engine has them from the SYN on */
	ts->conn.pingpong = s->in.opt.pingpong; /* TCP_QUICKACK 0 before connect(), as Linux keeps it */
	s->in.opt.quickack_set = s->in.opt.nodelay_push = false;
	tcp_connect(&ts->conn, isn(&pa.src, src.port, &pa.dst, port), time_ns());
	unlock_settle(ts, fl);
	err = wait_connected(f, s);
	if (err && err != -EINPROGRESS && err != -ERESTARTSYS && err != -EINTR)
		mib_inc(&tcp_mib.attempt_fails);
	return err;
}

/* ---- from the wire (the network thread) --------------------------------------------- */

/* Answer a segment that came on path pa (ours: src is the segment's
 * destination) and no connection takes with the reset tcp_reset_reply builds. */
static void reply_reset(const struct tcp_path *pa, const struct tcp_seg *seg)
{
	struct tcp_seg rst;
	if (tcp_reset_reply(seg, &rst))
		send_segment(pa, &rst, NULL, NULL, NULL);
}

/* Listener l's room for one more half-open connection: true and counted
 * (half_open), or false and the drop counted as Linux's tcp_conn_request does. */
static bool syn_room(const struct unix_sock *l)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	unsigned young;
	bool room = half_open < TCP_HALF_OPEN_MAX && syn_queue_len(l, &young) < (unsigned)l->backlog + 1 &&
		    l->acc_len <= l->backlog;
	if (room)
		half_open++;
	spin_unlock_irqrestore(&table_lock, fl);
	if (!room) { /* dropped, as Linux drops a SYN its queues have no room for */
		mib_inc(l->acc_len > l->backlog ? &tcp_mib.listen_overflows : &tcp_mib.reqq_full_drop);
		mib_inc(&tcp_mib.listen_drops);
	}
	return room;
}

/* A SYN for listener l on path pa: a new connection, SYN-RECEIVED,
 * answering it. Its socket is of l's family and named by the path: an
 * IPv6 listener's IPv4 connection shows ::ffff:a.b.c.d (inet_addr_out). */
static void accept_syn(struct unix_sock *l, const struct tcp_path *pa, const struct tcp_seg *seg,
		       uint32_t iss)
{
	if (!syn_room(l))
		return;
	struct unix_sock *s = unix_sock_alloc(SOCK_STREAM);
	if (s)
		inet_inherit(s, l); /* before ts_new: the rings follow its buffer sizes */
	struct tcp_sock *ts = s ? ts_new(s, pa, seg->dport, seg->sport) : NULL;
	if (s)
		unix_put(s); /* ts_new took its own reference */
	uint64_t fl;
	if (!ts) {
		fl = spin_lock_irqsave(&table_lock);
		half_open--;
		spin_unlock_irqrestore(&table_lock, fl);
		return;
	}
	/* in l's SYN queue from here: no other SYN is counted in between, as
	 * segments come from the network thread alone */
	fl = spin_lock_irqsave(&table_lock);
	ts->syn_of = l;
	ts->syn_young = true;
	l->in.syn_qlen++;
	l->in.syn_young++;
	spin_unlock_irqrestore(&table_lock, fl);
	s->proto = &tcp_wire_proto;
	s->in.name = path_name(pa, &pa->src, seg->dport);
	s->in.peer = path_name(pa, &pa->dst, seg->sport);
	s->in.has_peer = true;
	inet_name_sync(s);
	ts->listener = unix_get(l);
	hold_port(ts, s); /* an accepted socket is on no port list: Linux's child shares the bucket */
	fl = spin_lock_irqsave(&ts->lock);
	opts_to_conn(ts, s, time_ns());
	ts->conn.pingpong = s->in.opt.pingpong; /* the listener's TCP_QUICKACK, as Linux's clone keeps it */
	s->in.opt.quickack_set = s->in.opt.nodelay_push = false;
	tcp_accept_syn(&ts->conn, seg, iss, time_ns());
	unlock_settle(ts, fl);
}

/* A segment on path pa for no connection, received on device ifindex
 * (0: any device's listener takes it): a listener's SYN, or a reset. */
static void no_conn(const struct tcp_path *pa, int ifindex, const struct tcp_seg *seg, uint32_t iss)
{
	struct inet_name d = path_name(pa, &pa->src, seg->dport), src = path_name(pa, &pa->dst, seg->sport);
	struct unix_sock *l = inet_lookup_dev(IPPROTO_TCP, &d, &src, ifindex);
	if (!l || l->state != UNIX_LISTEN)
		return reply_reset(pa, seg);
	enum tcp_verdict v = tcp_input(&listen_conn, seg, NULL, time_ns());
	if (v == TCP_IN_RESET)
		reply_reset(pa, seg);
	else if (v == TCP_IN_SYN)
		accept_syn(l, pa, seg, iss ? iss : isn(&pa->src, seg->dport, &pa->dst, seg->sport));
}

/* A checked segment (payload in nb) that came on path pa: to its
 * connection, else to no_conn. Both versions' input ends here. Owns nb. */
static void segment_in(struct netbuf *nb, const struct tcp_path *pa, int ifindex, const struct tcp_seg *seg)
{
	const uint8_t *payload = nb->data + seg->payload_off;
	struct tcp_sock *ts = lookup(&pa->src, seg->dport, &pa->dst, seg->sport);
	uint32_t tw_iss = 0;
	uint64_t fl;
	if (ts && !ts_lock_live(ts, &fl)) {
		ts_put(ts); /* closed since the lookup: as if it had not been found */
		ts = NULL;
	}
	if (ts) {
		enum tcp_verdict v = nb->batched ? tcp_input_batched(&ts->conn, seg, payload, time_ns())
						 : tcp_input(&ts->conn, seg, payload, time_ns());
		batch_note(ts);
		tw_iss = ts->conn.tw_next_iss;
		if (v == TCP_IN_TW_SYN)
			tcp_abort(&ts->conn, time_ns());
		unlock_settle(ts, fl);
		ts_put(ts);
		if (v == TCP_IN_RESET)
			reply_reset(pa, seg);
		if (v != TCP_IN_TW_SYN) {
			netbuf_free(nb);
			return;
		}
	}
	no_conn(pa, ifindex, seg, tw_iss);
	netbuf_free(nb);
}

/* A segment the parser refused, or sent to no single host of ours: counted, dropped. */
static void segment_bad(struct netbuf *nb, enum wire_err err)
{
	mib_inc(&tcp_mib.in_errs);
	if (err == WIRE_BAD_CSUM)
		mib_inc(&tcp_mib.in_csum_errors);
	netbuf_free(nb);
}

static void tcp_v4_input(struct netbuf *nb, const struct ipv4_info *ip)
{
	struct tcp_seg seg;
	enum wire_err err = tcp_parse_checked(nb->data, nb->len, ip->src, ip->dst, nb->csum_ok, &seg);
	mib_inc(&tcp_mib.in_segs);
	if (err != WIRE_OK || nb->pkt_type != NETBUF_HOST || ip->to_broadcast)
		return segment_bad(nb, err);
	struct tcp_path pa = { .src = v4_mapped(ip->dst), .dst = v4_mapped(ip->src) };
	segment_in(nb, &pa, 0, &seg);
}

/* ---- lo's input without the kernel lock (issue 29) ---------------------------------- */

/* May a segment with flags go up on ts without the kernel lock? ts->lock
 * held. Only a synchronized connection past its handshake and no longer a
 * listener's (nothing it raises then reaches an accept queue or a
 * socket's state), and no SYN (a SYN in TIME-WAIT may reopen the tuple
 * through a listener: no_conn). What such a segment may still raise is
 * readable, writable, an error (s->err, atomic) and CLOSED, whose port
 * ts_event leaves to the caller (unhash_later). */
static bool input_lock_free(const struct tcp_sock *ts, uint8_t flags)
{
	if ((flags & TCP_SYN) || ts->listener)
		return false;
	switch (ts->conn.state) {
	case TCPS_ESTABLISHED:
	case TCPS_FIN_WAIT1:
	case TCPS_FIN_WAIT2:
	case TCPS_CLOSE_WAIT:
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
	case TCPS_TIME_WAIT:
		return true;
	default:
		return false;
	}
}

/* Under the kernel lock: the port s held gives way now that ts went to
 * CLOSED off the lock, as ts_event does under it (Linux's inet_put_port
 * from tcp_set_state(CLOSE)), unless the program moved on meanwhile (it
 * let go of the socket: its release did it; or the socket has another
 * connection). Takes over the caller's reference to s. */
static void unhash_late(struct tcp_sock *ts, struct unix_sock *s)
{
	bool taken = klock_enter_unless_held();
	if (s->in.tcp == ts && __atomic_load_n(&ts->conn.state, __ATOMIC_RELAXED) == TCPS_CLOSE &&
	    !s->in.port_locked)
		inet_forget_unchosen(s, false);
	klock_leave_taken(taken);
	unix_put(s);
}

/* ts's engine takes the segment, ts->lock held (fl) and the caller's
 * reference: as segment_in does for a connection it found, off the
 * kernel lock. Lets go of ts. Owns nb. */
static void input_locked_free(struct tcp_sock *ts, uint64_t fl, struct netbuf *nb, const struct tcp_path *pa,
			      const struct tcp_seg *seg)
{
	const uint8_t *payload = nb->data + seg->payload_off;
	ts->off_klock = true;
	enum tcp_verdict v = nb->batched ? tcp_input_batched(&ts->conn, seg, payload, time_ns())
					 : tcp_input(&ts->conn, seg, payload, time_ns());
	ts->off_klock = false;
	batch_note(ts);
	struct unix_sock *late = ts->unhash_later;
	ts->unhash_later = NULL;
	unlock_settle(ts, fl);
	if (late)
		unhash_late(ts, late);
	ts_put(ts);
	if (v == TCP_IN_RESET)
		reply_reset(pa, seg);
	netbuf_free(nb);
}

#define TCP_FLAGS_OFF 13 /* the flags' offset in the header */

/* input_nolock_may, IPv4's and IPv6's: a SYN (or a runt) goes to the
 * kernel lock without a parse. */
static bool tcp_nolock_may(const uint8_t *p, size_t len)
{
	return len >= TCP_HDR_MIN && !(p[TCP_FLAGS_OFF] & TCP_SYN);
}

/* lo's TCP input without the kernel lock (ipv4_protocol.input_nolock
 * and IPv6's, below): a checked segment on path pa for a connection
 * input_lock_free admits goes to its engine under ts->lock alone: true,
 * nb taken. Anything else (a bad segment, a SYN, no connection, a
 * handshake or a listener's): false, nb and every count untouched, for
 * the input under the kernel lock. The lookup's reference keeps ts from
 * the table to the engine. */
static bool segment_in_nolock(struct netbuf *nb, const struct tcp_path *pa, const struct tcp_seg *seg)
{
	struct tcp_sock *ts = lookup(&pa->src, seg->dport, &pa->dst, seg->sport);
	uint64_t fl;
	if (!ts)
		return false;
	if (!ts_lock_live(ts, &fl)) {
		ts_put(ts);
		return false;
	}
	if (!input_lock_free(ts, seg->flags)) {
		spin_unlock_irqrestore(&ts->lock, fl);
		ts_put(ts);
		return false;
	}
	mib_inc(&tcp_mib.in_segs);
	input_locked_free(ts, fl, nb, pa, seg);
	return true;
}

static bool tcp_v4_input_nolock(struct netbuf *nb, const struct ipv4_info *ip)
{
	struct tcp_seg seg;
	if (nb->pkt_type != NETBUF_HOST || ip->to_broadcast ||
	    tcp_parse_checked(nb->data, nb->len, ip->src, ip->dst, nb->csum_ok, &seg) != WIRE_OK ||
	    (seg.flags & TCP_SYN))
		return false;
	struct tcp_path pa = { .src = v4_mapped(ip->dst), .dst = v4_mapped(ip->src) };
	return segment_in_nolock(nb, &pa, &seg);
}

/* IPv6's, the same way: what tcp_v6_input would refuse or name with a
 * link (a link-local address, which lo never carries) is left to it. */
static bool tcp_v6_input_nolock(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct tcp_seg seg;
	if (in6_is_multicast(&ip->dst) || in6_is_v4mapped(&ip->src) || in6_is_v4mapped(&ip->dst) ||
	    in6_is_any(&ip->src) || in6_is_multicast(&ip->src) || in6_is_linklocal(&ip->src) ||
	    in6_is_linklocal(&ip->dst) ||
	    tcp6_parse_checked(nb->data, nb->len, &ip->src, &ip->dst, nb->csum_ok, &seg) != WIRE_OK ||
	    (seg.flags & TCP_SYN))
		return false;
	struct tcp_path pa = { .src = ip->dst, .dst = ip->src, .v6 = true };
	return segment_in_nolock(nb, &pa, &seg);
}

/* IPv6's TCP handler (Linux's tcp_v6_rcv): the segment checked (its
 * checksum with IPv6's pseudo-header); a multicast destination, or a
 * v4-mapped or unspecified address, is no connection's (Linux drops
 * them: IPv4 runs over IPv4). A link-local peer is named with the link
 * it came on. Network thread, or lo's sender. */
static void tcp_v6_input(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct tcp_seg seg;
	int ifindex = nb->dev ? nb->dev->ifindex : 0;
	enum wire_err err = tcp6_parse_checked(nb->data, nb->len, &ip->src, &ip->dst, nb->csum_ok, &seg);
	mib_inc(&tcp_mib.in_segs);
	if (err == WIRE_OK && (in6_is_multicast(&ip->dst) || in6_is_v4mapped(&ip->src) ||
			       in6_is_v4mapped(&ip->dst) || in6_is_any(&ip->src) || in6_is_multicast(&ip->src)))
		err = WIRE_BAD_HEADER;
	if (err != WIRE_OK)
		return segment_bad(nb, err);
	struct tcp_path pa = { .src = ip->dst, .dst = ip->src, .v6 = true,
			       .ifindex = in6_is_linklocal(&ip->src) || in6_is_linklocal(&ip->dst) ? ifindex : 0 };
	segment_in(nb, &pa, ifindex, &seg);
}

/* Does an ICMP error quoting sequence number seq speak of what ts sent
 * and is not yet acknowledged? Linux's tcp_v4_err and tcp_v6_err drop
 * the others (RFC 5927's check against blind ICMP attacks) and count
 * them in TcpExt OutOfWindowIcmps, whatever the error's type: so does
 * this, so every caller asks it first. lock held. */
static bool icmp_in_window(const struct tcp_sock *ts, uint32_t seq)
{
	if (seq_between(seq, ts->conn.snd_una, ts->conn.snd_max))
		return true;
	mib_inc(&tcp_mib.out_of_window_icmps);
	return false;
}

/* An ICMP error (IPv4's or IPv6's, as err) about segment seq that ts
 * sent ends it while in SYN-SENT (Linux's tcp_v4_err and tcp_v6_err: a
 * connect refused by a port unreachable says ECONNREFUSED); later ones
 * are left to the timers, as Linux does for soft errors. Takes ts's
 * lock; the caller's reference stays. */
static void icmp_error_to(struct tcp_sock *ts, int err, uint32_t seq)
{
	uint64_t fl;
	if (!ts_lock_live(ts, &fl))
		return;
	bool in_window = icmp_in_window(ts, seq); /* counted in any state, as Linux */
	if (in_window && ts->conn.state == TCPS_SYN_SENT && ts->s) {
		ts->s->err = err;
		tcp_abort(&ts->conn, time_ns());
		unix_changed(ts->s);
	}
	unlock_settle(ts, fl);
}

/* Is ts's segment seq in flight (icmp_in_window: counted when not)? The
 * check of Linux's tcp_v4_err and tcp_v6_err before a "fragmentation
 * needed" or "packet too big" is looked at. *how: the socket's
 * IP_MTU_DISCOVER or IPV6_MTU_DISCOVER, the one of ts's path (as it was
 * when the program let go, once it has). Takes ts's lock. */
static bool pmtu_quote_ok(struct tcp_sock *ts, uint32_t seq, uint8_t *how)
{
	uint64_t fl;
	if (!ts_lock_live(ts, &fl))
		return false;
	*how = ts_pmtudisc(ts);
	bool ok = icmp_in_window(ts, seq);
	unlock_settle(ts, fl);
	return ok;
}

/* Does a socket under IP_MTU_DISCOVER or IPV6_MTU_DISCOVER how listen to
 * ICMP about the path MTU (Linux's ip_sk_accept_pmtu and
 * ip6_sk_accept_pmtu: not INTERFACE, not OMIT)? */
static bool pmtu_accepted(uint8_t how)
{
	return how != IP_PMTUDISC_INTERFACE && how != IP_PMTUDISC_OMIT;
}

/* Does an IPv4 connection under IP_MTU_DISCOVER how take the path MTU a
 * frag-needed taught at once, resending what it has in flight? Linux's
 * tcp_v4_mtu_reduced: only when not DONT and pmtu_accepted. (Over IPv6
 * tcp_v6_err drops a packet too big that is not pmtu_accepted, and
 * resends under DONT as under the rest.) */
static bool pmtu_resends(uint8_t how)
{
	return how != IP_PMTUDISC_DONT && pmtu_accepted(how);
}

/* The payload a segment of ts carries on a path of mtu (Linux's
 * tcp_mtu_to_mss): headers off, no more than the peer's MSS, at least
 * tcp_min_snd_mss, then the timestamp option off. lock held. */
static uint32_t mtu_to_mss(const struct tcp_sock *ts, uint32_t mtu)
{
	const struct tcp_conn *c = &ts->conn;
	uint32_t hdrs = ts->path.v6 ? TCP_MSS_IPV6_OVERHEAD : TCP_MSS_IPV4_OVERHEAD;
	uint32_t mss = mtu > hdrs ? mtu - hdrs : 0;
	if (mss > c->peer_mss)
		mss = c->peer_mss;
	if (mss < TCP_MIN_SND_MSS)
		mss = TCP_MIN_SND_MSS;
	return mss - (c->ts_ok ? TCP_TS_OPT_BYTES : 0);
}

/*
 * ops->current_mss (Linux's tcp_current_mss): the MSS ts's path takes
 * now, from path_mtu (the device's MTU again once the cache's entry
 * expired), as mtu_to_mss, never over what ts advertised (its route's
 * MTU then, or TCP_MAXSEG: Linux's user_mss clamps the same way). The
 * lookups run again only when the cache was written since, the entry
 * read expires, or TS_PATH_RECHECK_NS passed (a route or device MTU
 * change). 0 when the path has no route. lock held.
 */
static uint32_t ts_current_mss(struct tcp_conn *c)
{
	struct tcp_sock *ts = c->user;
	uint64_t now = time_ns(), gen = pmtu_generation(), left = TS_PATH_RECHECK_NS, entry_left;
	uint32_t mtu, cached;
	bool locked;
	if (gen == ts->mss_memo_gen && now < ts->mss_memo_until)
		return ts->mss_memo;
	if (path_mtu(&ts->path, &ts->route, &mtu))
		return 0;
	if (pmtu_cached(&ts->path.dst, &cached, &locked, &entry_left) && entry_left < left)
		left = entry_left;
	uint32_t mss = mtu_to_mss(ts, mtu), cap = c->advmss - (c->ts_ok ? TCP_TS_OPT_BYTES : 0);
	ts->mss_memo = mss < cap ? mss : cap;
	ts->mss_memo_gen = gen;
	ts->mss_memo_until = now + left;
	return ts->mss_memo;
}

/* Would a path of mtu lower ts's MSS? Linux's tcp_v6_mtu_reduced asks
 * before it lets the route learn mtu ("drop requests trying to increase
 * our current mss"). Takes ts's lock. */
static bool mtu_lowers_mss(struct tcp_sock *ts, uint32_t mtu)
{
	uint64_t fl;
	if (!ts_lock_live(ts, &fl))
		return false;
	bool lowers = mtu_to_mss(ts, mtu) < ts->conn.snd_mss;
	unlock_settle(ts, fl);
	return lowers;
}

/* ts's path now takes mtu (Linux's tcp_v4_mtu_reduced and
 * tcp_v6_mtu_reduced, the cache already told): segments from now on fit
 * it, headers and options deducted. resend: what was sent larger is lost,
 * and goes again at once in the new size (tcp_mss_reduced); else nothing
 * goes again and only what is sent from now on is smaller (tcp_mss_synced:
 * Linux leaves such a socket's MSS until its next send, whose
 * tcp_current_mss finds the route's MTU lower). soft: an errno for the
 * conn's soft error (0: none), kept should it die of a timeout. Takes
 * ts's lock. */
static void mtu_reduced(struct tcp_sock *ts, uint32_t mtu, bool resend, int soft)
{
	uint64_t fl;
	if (!mtu || !ts_lock_live(ts, &fl))
		return;
	struct tcp_conn *c = &ts->conn;
	if (soft)
		c->err_soft = soft;
	uint32_t mss = mtu_to_mss(ts, mtu);
	if (resend)
		tcp_mss_reduced(c, mss, time_ns());
	else
		(void)tcp_mss_synced(c, mss);
	unlock_settle(ts, fl);
}

/* A checked frag-needed for ts (to dst, under IP_MTU_DISCOVER how) says
 * the next hop takes told: Linux's tcp_v4_mtu_reduced. The route's cache
 * learns it; when the path's MTU stays above told (told under min_pmtu:
 * 552, locked) and the socket sets DF on that path, a timeout to come
 * reports EMSGSIZE ("something is about to be wrong... remember soft
 * error", sk_err_soft); then mtu_reduced. */
static void v4_mtu_reduced(struct tcp_sock *ts, uint32_t dst, uint32_t told, uint8_t how)
{
	bool locked;
	uint32_t mtu = ipv4_update_pmtu(dst, told, &locked);
	int soft = told < mtu && ipv4_dont_fragment(how, locked) ? EMSGSIZE : 0;
	mtu_reduced(ts, mtu, pmtu_resends(how), soft);
}

/* An ICMP error about a segment we sent: fragmentation needed, once its
 * quote is checked, teaches the path MTU cache whatever the socket's
 * IP_MTU_DISCOVER (Linux's inet_csk_update_pmtu) and lowers the
 * connection's MSS, resending at once unless it is DONT, INTERFACE or
 * OMIT (pmtu_resends); the others as icmp_error_to says. */
static void tcp_v4_err(const struct icmp_info *ic, uint32_t from)
{
	int err;
	bool hard;
	uint8_t how;

	(void)from;
	bool frag_needed = ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED;
	if (!frag_needed && !icmp_err_convert(ic, &err, &hard))
		return;
	struct in6 l = v4_mapped(ic->inner.src), r = v4_mapped(ic->inner.dst);
	struct tcp_sock *ts = lookup(&l, ic->inner_sport, &r, ic->inner_dport);
	if (!ts)
		return;
	if (!frag_needed)
		icmp_error_to(ts, err, ic->inner_seq);
	else if (pmtu_quote_ok(ts, ic->inner_seq, &how))
		v4_mtu_reduced(ts, ic->inner.dst, ic->rest & ICMP_FRAG_MTU_MASK, how);
	ts_put(ts);
}

/* An ICMPv6 error about a segment we sent: a packet too big makes the
 * connection's segments smaller; the others as IPv4's (icmp_error_to). */
static void tcp_v6_err(const struct icmp6_info *ic, const struct in6 *from)
{
	int err;
	bool hard;

	(void)from;
	if (!ic->has_inner || ic->inner_l4_len < TCP_ICMP_QUOTE_MIN)
		return; /* Linux's icmpv6_notify wants the ports and the sequence number */
	uint32_t seq = get_be32(ic->inner_l4 + TCP_SEQ_OFF);
	struct tcp_sock *ts = lookup(&ic->inner.src, ic->inner_sport, &ic->inner.dst, ic->inner_dport);
	if (!ts)
		return;
	if (ic->type == ICMPV6_PKT_TOOBIG) {
		/* Linux's tcp_v6_err: the quote checked (and counted) first,
		 * then one to a socket under IPV6_PMTUDISC_INTERFACE or OMIT
		 * (ip6_sk_accept_pmtu), or under IPv6's minimum, is dropped
		 * whole: no path MTU learnt, not even 1280. DONT believes it
		 * as the default does. tcp_v6_mtu_reduced then drops one that
		 * would not lower the MSS, before the route learns it. */
		uint8_t how;
		if (pmtu_quote_ok(ts, seq, &how) && pmtu_accepted(how) && ic->rest >= IPV6_MIN_MTU &&
		    mtu_lowers_mss(ts, ic->rest))
			mtu_reduced(ts, ipv6_update_pmtu(&ic->inner.dst, ic->ifindex, ic->rest), true, 0);
	} else if (icmp6_err_convert(ic, &err, &hard))
		icmp_error_to(ts, err, seq);
	ts_put(ts);
}

static const struct ipv6_protocol tcp6_protocol = { .input = tcp_v6_input, .err = tcp_v6_err,
						     .input_nolock = tcp_v6_input_nolock,
						     .input_nolock_may = tcp_nolock_may };
static const struct ipv4_protocol tcp_protocol = { .input = tcp_v4_input, .err = tcp_v4_err,
						    .input_nolock = tcp_v4_input_nolock,
						    .input_nolock_may = tcp_nolock_may };

void tcp_sock_init(void)
{
	uint64_t budget = pmm_managed_pages() * PAGE_SIZE / TCP_MEM_SHARE;
	mem_max = budget;
	isn_key.k0 = rdtsc() * 0x9e3779b97f4a7c15ull ^ time_realtime_ns();
	isn_key.k1 = (rdtsc() << 17) ^ 0x5bd1e995u ^ (uint64_t)&isn_key;
	struct tcp_cfg cfg = { 0 };
	tcp_conn_init(&listen_conn, &cfg, &ts_ops);
	tcp_listen(&listen_conn);
	ipv4_register_protocol(IPPROTO_TCP, &tcp_protocol);
	ipv6_register_protocol(NEXTHDR_TCP, &tcp6_protocol);
}

/* ---- the socket's calls ---------------------------------------------------------- */

static bool nonblocking(const struct file *f, int flags)
{
	return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* A pending error, reported once: taken atomically, since the data path
 * runs without the kernel lock (see Lock rules). */
static long take_err(struct unix_sock *s)
{
	return -__atomic_exchange_n(&s->err, 0, __ATOMIC_RELAXED);
}

/* A look at the pending error, leaving it. */
static int peek_err(const struct unix_sock *s)
{
	return __atomic_load_n(&s->err, __ATOMIC_RELAXED);
}

/* Copy n0 + n1 bytes between m's iov (from off) and two pieces of a
 * ring (to_iov: into the program's memory): 0, or -EFAULT. */
static int iov_copy2(const struct sock_msg *m, size_t off, char *p0, size_t n0, char *p1, size_t n1,
		     bool to_iov)
{
	if (n0 && unix_iov_copy_at(m, off, p0, n0, to_iov))
		return -EFAULT;
	if (n1 && unix_iov_copy_at(m, off + n0, p1, n1, to_iov))
		return -EFAULT;
	return 0;
}

/* TCP_NOTSENT_LOWAT in force on s: its own, else the sysctl's (Linux's
 * tcp_notsent_lowat, read at each use). */
static uint32_t notsent_lowat(const struct unix_sock *s)
{
	uint32_t v = __atomic_load_n(&s->in.opt.notsent_lowat, __ATOMIC_RELAXED);
	return v ? v : net_sysctl_tcp_notsent_lowat();
}

/* What one step of a sending call may queue of n, ts->lock held: the
 * tail skb's room or one new skb, under the send buffer's limit and s's
 * TCP_NOTSENT_LOWAT (tcp_send_room). woken: the call slept for room, and
 * goes on only once the socket is writable (what Linux's
 * sk_stream_write_space waits for before it wakes a writer). No room
 * marks the conn as a writer's that found none (SOCK_NOSPACE). */
static size_t room_cap(const struct unix_sock *s, struct tcp_conn *c, size_t n, bool woken)
{
	uint32_t lowat = notsent_lowat(s);
	uint32_t room = woken && !tcp_stream_writable(c, lowat) ? 0 : tcp_send_room(c, lowat);
	if (!room)
		c->snd_nospace = true;
	return n < room ? n : room;
}

/*
 * Queue up to n bytes of m (from off) on s's connection: how many, or
 * -errno (-EAGAIN: no room, or TCP_NOTSENT_LOWAT's mark reached). The bytes go from the program straight into the send ring's
 * free room (the copy may fault and sleep, so the conn's lock is let go
 * meanwhile; s->in.tcp_tx keeps other senders and the ring's move out),
 * as Linux copies from the program into the skb itself. A fault queues
 * nothing.
 */
static long send_some(struct unix_sock *s, struct tcp_sock *ts, const struct sock_msg *m, size_t off,
		      size_t n, int flags, bool woken, bool cont)
{
	struct tcp_room room;
	if (sleeplock_lock(&s->in.tcp_tx))
		return -EINTR;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	size_t cap = room_cap(s, &ts->conn, n, woken);
	long k = tcp_send_reserve(&ts->conn, cap, &room);
	unlock_settle(ts, fl);
	if (k > 0 && iov_copy2(m, off, (char *)room.p[0], room.len[0], (char *)room.p[1], room.len[1], false))
		k = -EFAULT;
	if (k > 0) {
		/* the call's bytes before its last piece go as MSG_MORE's: no
		 * small segment is cut at a piece's edge (Linux pushes at the
		 * end of a call) */
		unsigned tf = ((flags & MSG_OOB) && (size_t)k == n ? TCP_SEND_OOB : 0) |
			      ((flags & MSG_EOR) && (size_t)k == n ? TCP_SEND_EOR : 0) |
			      ((flags & MSG_MORE) || (size_t)k < n ? TCP_SEND_MORE : 0) |
			      (cont ? TCP_SEND_CONT : 0);
		fl = spin_lock_irqsave(&ts->lock);
		k = tcp_send_commit(&ts->conn, (uint32_t)k, tf, time_ns());
		unlock_settle(ts, fl);
	}
	sleeplock_unlock(&s->in.tcp_tx);
	return k;
}

/* Send what the ring holds that MSG_MORE held back (Linux's tcp_push
 * before sk_stream_wait_memory), unless the caller's own flags cork it. */
static void push(struct tcp_sock *ts, int flags)
{
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	tcp_send(&ts->conn, NULL, 0, flags & MSG_MORE ? TCP_SEND_MORE : 0, time_ns());
	unlock_settle(ts, fl);
}

/* wire_send's steps: bytes sent, or -errno if none were. */
static long wire_send_loop(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags, size_t total,
			   uint64_t deadline)
{
	size_t done = 0;
	bool woken = false; /* slept for room: see lowat_cap */
	while (done < total || total == 0) {
		uint32_t seen = unix_changes(s); /* before the look: see the wait below */
		struct tcp_sock *ts = s->in.tcp;
		if (!ts)
			return done ? (long)done : unix_broken_pipe(flags);
		long r = total ? send_some(s, ts, m, done, total - done, flags, woken, done > 0) : 0;
		if (r > 0) {
			done += (size_t)r;
			woken = false;
			continue;
		}
		if (r == -EPIPE)
			return done ? (long)done : unix_broken_pipe(flags);
		if (r < 0 && r != -EAGAIN)
			return done ? (long)done : r;
		if (total == 0)
			return 0;
		if (!sleeplock_lock(&s->in.tcp_tx)) {
			bool grown = expand_send_ring(ts, s);
			sleeplock_unlock(&s->in.tcp_tx);
			if (grown)
				continue;
		}
		push(ts, flags); /* the ring is full: what it holds goes before we wait */
		/* Whoever frees the ring between the look and the sleep (the
		 * network thread, a drain of lo) moves s->changes: then the
		 * wait returns at once and the loop looks again. */
		r = unix_wait_gen(s, nonblocking(f, flags), deadline, seen);
		if (r)
			return done ? (long)done : r;
		woken = true;
		if (done && io_should_stop())
			break;
	}
	return (long)done;
}

static long wire_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	size_t total = unix_iov_total(m);

	inet_drop_files(m);
	int epipe = EPIPE;
	if (__atomic_compare_exchange_n(&s->err, &epipe, 0, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return unix_broken_pipe(flags); /* a reset in CLOSE-WAIT: SIGPIPE too (sk_stream_error) */
	if (peek_err(s))
		return take_err(s);
	if (!total && (!s->in.tcp || s->in.tcp->conn.snd_shut))
		return unix_broken_pipe(flags); /* even nothing cannot be sent after SHUT_WR, as Linux */
	uint64_t deadline = unix_deadline(s->sndtimeo_ns);
	struct inet_err *zc = NULL;
	if ((flags & MSG_ZEROCOPY) && total && s->zerocopy && !(zc = inet_zc_prepare()))
		return -ENOBUFS; /* MSG_ZEROCOPY without SO_ZEROCOPY is ignored, as Linux */
	long r = wire_send_loop(f, s, m, flags, total, deadline);
	inet_zc_complete(s, zc, r > 0);
	return r;
}


/*
 * Take up to n bytes off s's connection into m (at off; discard:
 * nowhere, MSG_TRUNC as Linux's TCP takes it; flags: TCP_RECV_PEEK
 * leaves them): how many, 0 at end of stream, or -errno (-EAGAIN: none
 * yet). The bytes go from the receive ring straight to the program, the
 * conn's lock let go for the copy (s->in.tcp_rx keeps other readers out,
 * so they stay put). A fault takes nothing. *mark: the next byte is the
 * urgent mark, where a read that copied something stops.
 */
static long recv_some(struct unix_sock *s, struct tcp_sock *ts, struct sock_msg *m, size_t off, size_t n,
		      bool *mark, bool discard, unsigned flags)
{
	struct tcp_span span;
	uint32_t taken;
	if (sleeplock_lock(&s->in.tcp_rx))
		return -EINTR;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	uint32_t len = tcp_recv_plan(&ts->conn, n, &span, &taken);
	/* Nothing to copy: end of stream or EAGAIN is decided in this same
	 * hold. Let go between, lo's drain (or the network thread) could add
	 * the last bytes and the FIN after a look that found the ring empty,
	 * and the commit would say end of stream with them still queued. */
	bool at_once = discard || !len;
	if (!at_once)
		spin_unlock_irqrestore(&ts->lock, fl);
	long r = -EFAULT;
	if (at_once ||
	    !iov_copy2(m, off, (char *)span.p[0], span.len[0], (char *)span.p[1], span.len[1], true)) {
		if (!at_once)
			fl = spin_lock_irqsave(&ts->lock);
		r = tcp_recv_commit(&ts->conn, taken, len, flags, time_ns());
		*mark = tcp_at_mark(&ts->conn);
		uint32_t want = tcp_rcv_want(&ts->conn);
		unlock_settle(ts, fl);
		if (want)
			grow_ring(ts, true, want); /* autotuning: the reader keeps up */
	}
	sleeplock_unlock(&s->in.tcp_rx);
	return r;
}

/* MSG_OOB: the urgent byte. */
static long recv_oob(struct tcp_sock *ts, struct sock_msg *m, int flags)
{
	uint8_t b;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	long r = tcp_recv_oob(&ts->conn, &b, flags & MSG_PEEK);
	unlock_settle(ts, fl);
	if (r == 1 && unix_iov_total(m) && unix_iov_copy_at(m, 0, (char *)&b, 1, true))
		return -EFAULT;
	return r == 1 && !unix_iov_total(m) ? 0 : r;
}

/* Has ts's conn taken the peer's FIN (Linux's SOCK_DONE)? */
static bool fin_received(struct tcp_sock *ts)
{
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	bool fin = ts->conn.fin_rcvd;
	spin_unlock_irqrestore(&ts->lock, fl);
	return fin;
}

/* What a read of ts that found nothing says (r: the engine's -EAGAIN,
 * 0 or -errno): the end of the stream once the peer's FIN came, even
 * with an error pending (Linux's tcp_recvmsg looks at SOCK_DONE before
 * sk_err: a reset in CLOSE-WAIT leaves its EPIPE to SO_ERROR and the
 * next write); else a pending error once (a reset: ECONNRESET, as
 * Linux); else r. */
static long recv_nothing(struct unix_sock *s, struct tcp_sock *ts, long r)
{
	if (r == 0 && fin_received(ts))
		return 0;
	if (r <= 0 && peek_err(s)) {
		long e = take_err(s);
		if (e)
			return e;
	}
	return r;
}

/*
 * MSG_PEEK: up to n bytes copied without taking them, in one piece of
 * the ring (a peek cannot continue where the last one stopped); with
 * MSG_WAITALL, once n bytes are there or no more can come (Linux's
 * tcp_recvmsg peeks up to its target too). How many, 0 at end of
 * stream, or -errno.
 */
static long wire_peek(struct file *f, struct unix_sock *s, struct sock_msg *m, size_t n, int flags)
{
	uint64_t deadline = unix_deadline(s->rcvtimeo_ns);
	size_t k = n;
	for (;;) {
		uint32_t seen = unix_changes(s); /* before the look: see wire_send_loop */
		struct tcp_sock *ts = s->in.tcp;
		if (!ts)
			return 0;
		uint64_t fl = spin_lock_irqsave(&ts->lock);
		if (k > ts->conn.rcv.size)
			k = ts->conn.rcv.size; /* no more can wait than the ring holds */
		const struct tcp_conn *c = &ts->conn;
		bool more = !c->fin_rcvd && !c->rcv_shut && c->state != TCPS_CLOSE && !peek_err(s);
		uint32_t avail = tcp_recv_avail(c);
		spin_unlock_irqrestore(&ts->lock, fl);
		if (!more || (avail && (!(flags & MSG_WAITALL) || avail >= k)))
			break;
		long r = unix_wait_gen(s, nonblocking(f, flags), deadline, seen);
		if (r)
			return r;
	}
	bool mark;
	struct tcp_sock *ts = s->in.tcp;
	long r = recv_some(s, ts, m, 0, k, &mark, flags & MSG_TRUNC, TCP_RECV_PEEK);
	return r > 0 ? r : recv_nothing(s, ts, r);
}

/*
 * wire_recv's steps. A pending error (a reset) ends a read that found
 * nothing only if it was there before the look: one that came after it
 * (lo's drain on another CPU takes segments up meanwhile) may follow
 * bytes the look missed, which the reset left queued, and the loop looks
 * again. The error is set under ts->lock after every byte before it was
 * queued, so a look that takes ts->lock after seeing it finds them.
 * Linux's tcp_recvmsg walks the receive queue before it reads sk_err,
 * both in one hold of the socket lock: a reset never hides data.
 */
static long wire_recv_loop(struct file *f, struct unix_sock *s, struct sock_msg *m, int flags, size_t total,
			   size_t target, uint64_t deadline)
{
	size_t done = 0;
	while (done < total) {
		uint32_t seen = unix_changes(s); /* before the look: see wire_send_loop */
		bool err_before = peek_err(s) != 0;
		struct tcp_sock *ts = s->in.tcp;
		if (!ts)
			break;
		bool mark = false;
		long r = recv_some(s, ts, m, done, total - done, &mark, flags & MSG_TRUNC, 0);
		if (r > 0) {
			done += (size_t)r;
			if (mark)
				break; /* a read stops before the urgent mark */
			continue;  /* more may be there already: take it without waiting */
		}
		if (done && (r != -EAGAIN || done >= target))
			break;
		if (r != -EAGAIN || err_before)
			return done ? (long)done : recv_nothing(s, ts, r);
		if (peek_err(s))
			continue; /* it came after the look: the bytes before it first */
		r = unix_wait_gen(s, nonblocking(f, flags), deadline, seen);
		if (r)
			return done ? (long)done : r;
		if (done && io_should_stop())
			break;
	}
	return (long)done;
}

/*
 * recvmsg as Linux's tcp_recvmsg: whatever is there, up to the urgent
 * mark, without waiting once something was copied; MSG_WAITALL waits
 * for all of it (a signal, a timeout, the end of the stream or an error
 * return what was copied); MSG_PEEK leaves it; MSG_OOB takes the urgent
 * byte; MSG_DONTWAIT (or O_NONBLOCK) says EAGAIN rather than wait.
 */
/* Linux's tcp_inq_hint for TCP_CM_INQ: the bytes still queued, or 1
 * once the peer's FIN is all that is left (read on, to the end). */
static int inq_hint(struct tcp_sock *ts)
{
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	int inq = (int)tcp_recv_avail(&ts->conn);
	if (!inq && ts->conn.fin_rcvd)
		inq = 1;
	spin_unlock_irqrestore(&ts->lock, fl);
	return inq;
}

/* A read's control messages, as Linux's tcp_recvmsg adds them after the
 * bytes: SO_TIMESTAMP's (the time of the read: the bytes are here by
 * then), then TCP_INQ's. */
static void recv_cmsgs(struct unix_sock *s, struct sock_msg *m)
{
	if (s->tstamp)
		sock_recv_stamp(s, m, time_realtime_ns());
	if (s->in.opt.inq && s->in.tcp) {
		int inq = inq_hint(s->in.tcp);
		sock_msg_cmsg(m, IPPROTO_TCP, TCP_CM_INQ, &inq, sizeof(inq));
	}
}

static long wire_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	size_t total = unix_iov_total(m);
	uint64_t deadline = unix_deadline(s->rcvtimeo_ns);
	long r;
	m->addrlen = 0;
	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(s, m);
	if ((flags & MSG_OOB) && s->in.tcp)
		return recv_oob(s->in.tcp, m, flags);
	if (flags & MSG_PEEK) {
		r = total ? wire_peek(f, s, m, total, flags) : 0;
	} else {
		/* what a blocking read waits for: all with MSG_WAITALL, else SO_RCVLOWAT's bytes */
		size_t target = (flags & MSG_WAITALL) ? total : s->rcvlowat > 1 ? (size_t)s->rcvlowat : 1;
		r = wire_recv_loop(f, s, m, flags, total, target, deadline);
	}
	if (r >= 0)
		recv_cmsgs(s, m);
	return r;
}

static int wire_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_sock(f);
	struct tcp_sock *ts = s->in.tcp;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (!ts)
		return -ENOTCONN;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	bool connecting = ts->conn.state == TCPS_SYN_SENT; /* the attempt ends: no shutdown bits */
	int err = ts->conn.state == TCPS_TIME_WAIT ? -ENOTCONN /* CLOSE to the program, as Linux */
						      : tcp_shutdown(&ts->conn, how, time_ns());
	unlock_settle(ts, fl);
	if (!err && !connecting) {
		s->shutdown |= (unsigned)how + 1;
		unix_changed(s);
	}
	return err;
}

/* wire_poll's mask of a connection, ts->lock held (senders and readers
 * change the conn without the kernel lock: see Lock rules). */
static unsigned conn_poll(const struct unix_sock *s, struct tcp_conn *c, unsigned mask)
{
	if (c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECV)
		return mask;
	if (c->state == TCPS_CLOSE)
		return mask | POLLIN | POLLRDHUP | POLLHUP | (c->snd_shut ? POLLOUT : 0);
	uint32_t lowat = s->rcvlowat > 1 ? (uint32_t)s->rcvlowat : 1; /* SO_RCVLOWAT */
	if (tcp_recv_avail(c) >= lowat || c->fin_rcvd || c->rcv_shut)
		mask |= POLLIN | POLLRDNORM; /* shut for reading: a read returns at once, as Linux */
	if (c->fin_rcvd || c->rcv_shut)
		mask |= POLLRDHUP;
	if (c->urg == TCP_URG_VALID)
		mask |= POLLPRI;
	if (!c->snd_shut && tcp_stream_writable(c, notsent_lowat(s)))
		mask |= POLLOUT | POLLWRNORM; /* Linux's __sk_stream_is_writeable(sk, 1) */
	else if (!c->snd_shut)
		c->snd_nospace = true;        /* tcp_poll: SOCK_NOSPACE, so an ACK may grow the buffer */
	if (c->snd_shut && (c->fin_rcvd || c->rcv_shut))
		mask |= POLLHUP; /* Linux's sk_shutdown == SHUTDOWN_MASK */
	return mask;
}

static unsigned wire_poll(const struct unix_sock *s)
{
	struct tcp_sock *ts = s->in.tcp;
	unsigned mask = peek_err(s) || inet_err_pending(s) ? POLLERR : 0; /* tcp_poll's error queue */
	if (!ts)
		return mask | POLLIN | POLLRDHUP | POLLHUP | POLLOUT;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	mask = conn_poll(s, &ts->conn, mask);
	spin_unlock_irqrestore(&ts->lock, fl);
	return mask;
}

/* Bytes written and not yet acknowledged (our FIN counts one until it is). */
static uint32_t unacked_bytes(const struct tcp_conn *c)
{
	uint32_t write_seq = c->snd_ring_seq + c->snd.len + (c->fin_queued ? 1 : 0);
	return seq_gt(write_seq, c->snd_una) ? write_seq - c->snd_una : 0;
}

/* Bytes written and not yet sent. */
static uint32_t unsent_bytes(const struct tcp_conn *c)
{
	uint32_t end = c->snd_ring_seq + c->snd.len;
	return seq_gt(end, c->snd_nxt) ? end - c->snd_nxt : 0;
}

/* Linux's tcp_inq: the bytes readable, but only up to an urgent mark
 * still ahead (not SO_OOBINLINE): a read stops there. */
static uint32_t inq_bytes(const struct tcp_conn *c)
{
	if (c->urg_inline || c->urg == TCP_URG_NONE || seq_lt(c->urg_seq, c->copied_seq) ||
	    !seq_lt(c->urg_seq, c->rcv_nxt))
		return tcp_recv_avail(c);
	return c->urg_seq - c->copied_seq;
}

/* struct sock_proto's ioctl, as Linux's tcp_ioctl: SIOCINQ (FIONREAD),
 * SIOCOUTQ, SIOCOUTQNSD and SIOCATMARK. */
static int wire_ioctl(struct unix_sock *s, unsigned long req, int *out)
{
	struct tcp_sock *ts = s->in.tcp;
	if (req != SIOCINQ && req != SIOCOUTQ && req != SIOCOUTQNSD && req != SIOCATMARK)
		return -ENOTTY;
	if (!ts) {
		*out = 0;
		return 0;
	}
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	const struct tcp_conn *c = &ts->conn;
	bool opening = c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECV;
	if (req == SIOCATMARK)
		*out = tcp_at_mark(c);
	else if (opening)
		*out = 0;
	else if (req == SIOCINQ)
		*out = (int)inq_bytes(c);
	else
		*out = (int)(req == SIOCOUTQ ? unacked_bytes(c) : unsent_bytes(c));
	spin_unlock_irqrestore(&ts->lock, fl);
	return 0;
}

/* struct sock_proto's meminfo, SO_MEMINFO's TCP counts: the send queue
 * as Linux counts sk_wmem_queued (tcp_wmem_queued: its bytes and each
 * skb's own cost), and the bytes received and not yet read where Linux
 * counts the truesize of the skbs holding them (more: Kestrel's receive
 * ring has no skbs). wmem_alloc, fwd_alloc, optmem, backlog and drops
 * are not kept: 0. */
static void wire_meminfo(struct unix_sock *s, uint32_t *mem)
{
	struct tcp_sock *ts = s->in.tcp;
	if (!ts)
		return;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	uint64_t queued = tcp_wmem_queued(&ts->conn);
	mem[SK_MEMINFO_RMEM_ALLOC] = tcp_recv_avail(&ts->conn);
	spin_unlock_irqrestore(&ts->lock, fl);
	mem[SK_MEMINFO_WMEM_QUEUED] = queued > UINT32_MAX ? UINT32_MAX : (uint32_t)queued;
}

static int wire_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct inet_name d;
	int err = inet_addr_in(s, a, len, false, &d);
	if (err)
		return err;
	if (s->in.connecting) { /* a nonblocking connect's handshake under way, or just ended */
		bool opening = s->in.tcp && s->in.tcp->conn.state == TCPS_SYN_SENT;
		return (f->flags & O_NONBLOCK) && opening ? -EALREADY : wait_connected(f, s);
	}
	if (s->state == UNIX_CONNECTED || (s->in.tcp && s->in.tcp->conn.state != TCPS_CLOSE))
		return -EISCONN; /* connected once: so it stays, reset or not (Linux's SS_CONNECTED) */
	if ((err = connect_dest(s, &d)))
		return err;
	ts_detach(s, true); /* refused or timed out: a new attempt, as after Linux's disconnect */
	return tcp_sock_connect(f, &d);
}

/* The state a program sees: Linux hands TIME-WAIT to a timewait sock
 * and leaves the program's socket CLOSE. */
static int user_state(const struct tcp_conn *c)
{
	return c->state == TCPS_TIME_WAIT ? TCPS_CLOSE : c->state;
}

/* getpeername as Linux's inet_getname: -ENOTCONN while the handshake is
 * under way and once the connection is closed (TIME-WAIT included: the
 * program's socket is CLOSE by then); accept's naming of the peer makes
 * no such test. */
static int wire_getname(struct file *f, enum sock_name which, struct sockaddr_un *a, size_t *len)
{
	const struct tcp_sock *ts = unix_sock(f)->in.tcp;
	if (which == SOCK_NAME_PEER) {
		int st = ts ? user_state(&ts->conn) : TCPS_CLOSE;
		if (st == TCPS_CLOSE || st == TCPS_SYN_SENT)
			return -ENOTCONN;
	}
	return inet_getname(f, which, a, len);
}

static int wire_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EINVAL;
}

static void wire_release(struct unix_sock *s)
{
	ts_detach(s, false);
	inet_release(s);
}

static void wire_embryo_drop(struct unix_sock *e)
{
	ts_detach(e, true);
}

/* struct sock_proto's lock_free: a connected socket's sends and receives
 * run without the kernel lock (see Lock rules), but for the error
 * queue's (IP_RECVERR: net/inet_err.c's queue is the chassis's). */
static bool wire_lock_free(const struct unix_sock *s, int flags)
{
	return s->state == UNIX_CONNECTED && s->in.tcp && !(flags & MSG_ERRQUEUE);
}

const struct sock_proto tcp_wire_proto = {
	.bind = inet_bind,
	.connect = wire_connect,
	.listen = wire_listen,
	.getname = wire_getname,
	.sendmsg = wire_send,
	.recvmsg = wire_recv,
	.shutdown = wire_shutdown,
	.release = wire_release,
	.poll = wire_poll,
	.ioctl = wire_ioctl,
	.meminfo = wire_meminfo,
	.sockopt_changed = wire_sockopt_changed,
	.embryo_drop = wire_embryo_drop,
	.lock_free = wire_lock_free,
};

void tcp_sock_stat(struct tcp_sock_stat *o)
{
	*o = (struct tcp_sock_stat){ 0 };
	uint64_t fl = spin_lock_irqsave(&table_lock);
	for (const struct tcp_sock *ts = table; ts; ts = ts->next) {
		int st = __atomic_load_n(&ts->conn.state, __ATOMIC_RELAXED);
		if (st == TCPS_TIME_WAIT)
			o->tw++;
		if (st == TCPS_TIME_WAIT || st == TCPS_CLOSE || st == TCPS_SYN_RECV)
			continue; /* Linux: a timewait or request sock, not a full one */
		if (ts->family == AF_INET6)
			o->inuse6++;
		else
			o->inuse4++;
		if (!ts->s)
			o->orphan++;
	}
	o->mem_pages = (mem_used + PAGE_SIZE - 1) / PAGE_SIZE;
	spin_unlock_irqrestore(&table_lock, fl);
}

void tcp_sock_for_each(void (*fn)(const struct tcp_sock_view *v, void *ctx), void *ctx)
{
	uint64_t fl = spin_lock_irqsave(&table_lock);
	for (const struct tcp_sock *ts = table; ts; ts = ts->next) {
		const struct tcp_conn *c = &ts->conn;
		uint32_t mss = c->snd_mss ? c->snd_mss : TCP_MSS_DEFAULT;
		struct tcp_sock_view v = { path_name(&ts->path, &ts->path.src, ts->lport),
					   path_name(&ts->path, &ts->path.dst, ts->rport), ts->family,
					   c->state, c->snd.len, tcp_recv_avail(c),
					   ts->s ? ts->s->ino : 0, c->retransmits,
					   { (uint32_t)(c->rto / TCP_NS_PER_MS), (uint32_t)(TCP_DELACK_NS / TCP_NS_PER_MS),
					     (uint32_t)c->quick << 1 | c->pingpong, c->cwnd / mss,
					     c->ssthresh == TCP_INFINITE_SSTHRESH ? -1 : (int32_t)(c->ssthresh / mss) } };
		fn(&v, ctx);
	}
	spin_unlock_irqrestore(&table_lock, fl);
}

/* Linux's tcp_get_info fields from the engine's snapshot; the rest (pacing,
 * delivery rate, busy times, SACK and reordering counters) stay 0. */
static void info_fill(const struct tcp_info_snap *i, struct tcp_info *o)
{
	*o = (struct tcp_info){
		.tcpi_state = i->state, .tcpi_ca_state = i->ca_state, .tcpi_retransmits = i->retransmits,
		.tcpi_probes = i->probes, .tcpi_backoff = i->backoff, .tcpi_options = i->options,
		.tcpi_wscale = (uint8_t)((i->snd_wscale & 0xf) | (i->rcv_wscale & 0xf) << 4),
		.tcpi_rto = i->rto, .tcpi_ato = i->ato, .tcpi_snd_mss = i->snd_mss, .tcpi_rcv_mss = i->rcv_mss,
		.tcpi_unacked = i->unacked, .tcpi_sacked = i->sacked, .tcpi_lost = i->lost,
		.tcpi_retrans = i->retrans, .tcpi_fackets = i->fackets,
		.tcpi_last_data_sent = i->last_data_sent, .tcpi_last_ack_sent = i->last_ack_sent,
		.tcpi_last_data_recv = i->last_data_recv, .tcpi_last_ack_recv = i->last_ack_recv,
		.tcpi_pmtu = i->pmtu, .tcpi_rcv_ssthresh = i->rcv_ssthresh, .tcpi_rtt = i->rtt,
		.tcpi_rttvar = i->rttvar, .tcpi_snd_ssthresh = i->snd_ssthresh, .tcpi_snd_cwnd = i->snd_cwnd,
		.tcpi_advmss = i->advmss, .tcpi_reordering = i->reordering, .tcpi_rcv_space = i->rcv_space,
		.tcpi_total_retrans = i->total_retrans, .tcpi_bytes_acked = i->bytes_acked,
		.tcpi_bytes_received = i->bytes_received, .tcpi_segs_out = i->segs_out,
		.tcpi_segs_in = i->segs_in, .tcpi_notsent_bytes = i->notsent_bytes,
		.tcpi_snd_wnd = i->snd_wnd,
	};
}

/*
 * Linux 6.1 counts sequence space where the engine counts data: its
 * bytes_acked takes in an active open's SYN and our FIN once they are
 * acknowledged (tcp_snd_una_update; a passive socket is born with its
 * SYN-ACK acked), its bytes_received the peer's FIN (tcp_rcv_nxt_update).
 */
static void info_seq_space(const struct tcp_conn *c, struct tcp_info_snap *i)
{
	uint32_t fin_end = c->snd_ring_seq + c->snd.len + 1;
	i->state = (uint8_t)user_state(c);
	i->bytes_acked += (!c->passive && seq_gt(c->snd_una, c->iss)) +
			  (c->fin_queued && c->snd_una == fin_end);
	i->bytes_received += c->fin_rcvd;
}

int tcp_sock_maxseg(const struct unix_sock *s)
{
	struct tcp_sock *ts = s->in.tcp;
	if (!ts)
		return -1;
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	int mss = ts->conn.snd_mss;
	spin_unlock_irqrestore(&ts->lock, fl);
	return mss;
}

int tcp_sock_quickack(const struct unix_sock *s)
{
	const struct tcp_sock *ts = s->in.tcp;
	return ts ? !__atomic_load_n(&ts->conn.pingpong, __ATOMIC_RELAXED) : !s->in.opt.pingpong;
}

int tcp_sock_info(struct unix_sock *s, void *val, size_t *len)
{
	struct tcp_sock *ts = s->in.tcp;
	struct tcp_info_snap snap;
	struct tcp_info info;
	if (!ts) { /* no connection (yet): Linux's fields of a socket in that state */
		info = (struct tcp_info){ .tcpi_state = s->state == UNIX_LISTEN ? TCPS_LISTEN :
							s->state == UNIX_CONNECTED ? TCPS_ESTABLISHED : TCPS_CLOSE };
		memcpy(val, &info, sizeof(info));
		*len = sizeof(info);
		return 0;
	}
	uint64_t fl = spin_lock_irqsave(&ts->lock);
	tcp_get_info(&ts->conn, time_ns(), &snap);
	info_seq_space(&ts->conn, &snap);
	spin_unlock_irqrestore(&ts->lock, fl);
	info_fill(&snap, &info);
	memcpy(val, &info, sizeof(info));
	*len = sizeof(info);
	return 0;
}

bool tcp_sock_established(struct unix_sock *s)
{
	struct tcp_sock *ts = s->in.tcp;
	uint64_t fl;
	bool estab;

	if (!ts || !ts_lock_live(ts, &fl))
		return false;
	estab = ts->conn.state == TCPS_ESTABLISHED;
	spin_unlock_irqrestore(&ts->lock, fl);
	return estab;
}

void tcp_sock_set_ipv4(struct unix_sock *s)
{
	struct tcp_sock *ts = s->in.tcp;
	if (!ts)
		return;
	uint64_t fl = spin_lock_irqsave(&table_lock);
	ts->family = AF_INET;
	spin_unlock_irqrestore(&table_lock, fl);
}
