// SPDX-License-Identifier: MIT
/*
 * Kestrel: /proc/net/{dev, arp, route, snmp, netstat, pnp, tcp, udp, raw, icmp, tcp6,
 * udp6, unix}, in Linux 6.1's formats, column for column (net/core/net-procfs.c,
 * net/ipv4/arp.c, net/ipv6/addrconf.c's if_inet6 and route.c's ipv6_route, fib_trie.c's fib_route_seq_show, proc.c's snmp_seq_show
 * and netstat_seq_show, raw.c's raw_seq_show, ping.c's ping_v4_seq_show),
 * because programs parse them: ifconfig and ip -s read dev, arp -a reads
 * arp, route and busybox's netstat -r read route, netstat -s reads snmp
 * and netstat, netstat -w reads raw, ss -w raw and ss reads icmp.
 */
#include "net/net_proc.h"
#include "net/arp.h"
#include "net/icmp.h"
#include "net/inet_icmp.h"
#include "net/inet_sock.h"
#include "net/net_sysctl.h"
#include "net/ipconfig.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "net/netdev.h"
#include "net/tcp.h"
#include "net/tcp_sock.h"
#include "net/udp.h"
#include "net/unix_sock.h"
#include "fs/procfs_show.h"
#include "fs/sbuf.h"
#include "mm/layout.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "panic.h"
#include "uapi/time.h"
#include "uapi/if.h"
#include "uapi/route.h"

#define ROUTE_LINE      127   /* Linux pads each line of /proc/net/route to this */
#define IP_FORWARDING_OFF 2   /* the MIB's "not forwarding" */
#define PNP_MAX         256

/* An address as Linux's %pI4. */
static void ip_text(char *buf, size_t cap, uint32_t a)
{
	ksnprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void show_dev(struct sbuf *s)
{
	sb_printf(s, "Inter-|   Receive                                                |  Transmit\n"
		     " face |bytes    packets errs drop fifo frame compressed multicast|"
		     "bytes    packets errs drop fifo colls carrier compressed\n");
	for (struct netdev *d = netdev_first(); d; d = netdev_next(d)) {
		const struct netdev_stats *st = &d->stats;
		sb_printf(s, "%6s:%8lu %7lu %4lu %4lu %4lu %5lu %10lu %9lu %8lu %7lu %4lu %4lu %4lu %5lu %7lu %10lu\n",
			  d->name, st->rx_bytes, st->rx_packets, st->rx_errors, st->rx_dropped, st->rx_fifo,
			  st->rx_frame, 0ul, st->rx_multicast, st->tx_bytes, st->tx_packets, st->tx_errors,
			  st->tx_dropped, st->tx_fifo, st->collisions, st->tx_carrier, 0ul);
	}
}

static void show_arp(struct sbuf *s)
{
	struct arp_entry_info e;
	sb_printf(s, "IP address       HW type     Flags       HW address            Mask     Device\n");
	for (unsigned i = 0; arp_entry_get(i, &e); i++) {
		struct netdev *d = netdev_by_index(e.ifindex);
		char ip[16];
		unsigned flags = (e.state & NUD_VALID ? ATF_COM : 0) | (e.state & NUD_PERMANENT ? ATF_PERM : 0);
		ip_text(ip, sizeof(ip), e.ip);
		sb_printf(s, "%-16s 0x%-10x0x%-10x%02x:%02x:%02x:%02x:%02x:%02x     *        %s\n", ip,
			  ARPHRD_ETHER, flags, e.mac[0], e.mac[1], e.mac[2], e.mac[3], e.mac[4], e.mac[5],
			  d ? d->name : "?");
		netdev_put(d);
	}
}

/* One line of /proc/net/route, padded to 127 characters. Addresses are
 * printed as the network-order word read on a little-endian CPU. */
static void route_line(struct sbuf *s, const char *text)
{
	sb_printf(s, "%-*s\n", ROUTE_LINE, text);
}

static void show_route(struct sbuf *s)
{
	char line[ROUTE_LINE + 1];
	struct ipv4_route r;
	route_line(s, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	for (unsigned i = 0; ipv4_route_get(i, &r); i++) {
		struct netdev *d = netdev_by_index(r.ifindex);
		unsigned flags = RTF_UP | (r.gateway ? RTF_GATEWAY : 0) | (r.prefix == 32 ? RTF_HOST : 0);
		ksnprintf(line, sizeof(line), "%s\t%08X\t%08X\t%04X\t%d\t%u\t%u\t%08X\t%d\t%u\t%u",
			  d ? d->name : "?", __builtin_bswap32(r.dst), __builtin_bswap32(r.gateway), flags, 0,
			  0u, r.metric, __builtin_bswap32(r.mask), 0, 0u, 0u);
		netdev_put(d);
		route_line(s, line);
	}
}

/* A header line "Name: A B C" and a value line "Name: 1 2 3". */
static void snmp_pair(struct sbuf *s, const char *name, const char *fields, const uint64_t *v, unsigned n)
{
	sb_printf(s, "%s: %s\n%s:", name, fields, name);
	for (unsigned i = 0; i < n; i++)
		sb_printf(s, " %lu", v[i]);
	sb_printf(s, "\n");
}

static void snmp_ip(struct sbuf *s)
{
	const struct ipv4_mib *m = &ipv4_mib;
	uint64_t v[] = { IP_FORWARDING_OFF, net_sysctl_default_ttl(), m->in_receives, m->in_hdr_errors,
			 m->in_addr_errors, 0, m->in_unknown_protos, m->in_discards, m->in_delivers,
			 m->out_requests, m->out_discards, m->out_no_routes, m->reasm_timeout, m->reasm_reqds,
			 m->reasm_oks, m->reasm_fails, m->frag_oks, m->frag_fails, m->frag_creates };
	snmp_pair(s, "Ip", "Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams "
		  "InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout "
		  "ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates", v, sizeof(v) / sizeof(v[0]));
}

static void snmp_icmp(struct sbuf *s)
{
	const struct icmp_mib *m = &icmp_mib;
	static const uint8_t types[] = { 3, 4, 5, 8, 0, 11, 12, 13, 14, 17, 18 };
	uint64_t v[3 + 11 + 4 + 11];
	unsigned n = 0;
	v[n++] = m->in_msgs;
	v[n++] = m->in_errors;
	v[n++] = m->in_csum_errors;
	for (unsigned i = 0; i < sizeof(types); i++)
		v[n++] = m->in_type[types[i]];
	v[n++] = m->out_msgs;
	v[n++] = m->out_errors;
	v[n++] = m->out_rate_limit;
	v[n++] = 0; /* OutRateLimitHost: no per-host limit */
	for (unsigned i = 0; i < sizeof(types); i++)
		v[n++] = m->out_type[types[i]];
	snmp_pair(s, "Icmp", "InMsgs InErrors InCsumErrors InDestUnreachs InSourceQuenchs InRedirects InEchos "
		  "InEchoReps InTimeExcds InParmProbs InTimestamps InTimestampReps InAddrMasks InAddrMaskReps "
		  "OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutSourceQuenchs "
		  "OutRedirects OutEchos OutEchoReps OutTimeExcds OutParmProbs OutTimestamps OutTimestampReps "
		  "OutAddrMasks OutAddrMaskReps", v, n);
}

/* IcmpMsg: only the types seen, In before Out, as Linux's icmpmsg_put. */
static void snmp_icmpmsg(struct sbuf *s)
{
	char names[512];
	uint64_t v[64];
	size_t len = 0;
	unsigned n = 0;
	for (unsigned dir = 0; dir < 2; dir++)
		for (unsigned t = 0; t < 256 && n < 64; t++) {
			uint64_t c = dir ? icmp_mib.out_type[t] : icmp_mib.in_type[t];
			if (!c || len >= sizeof(names))
				continue;
			len += (size_t)ksnprintf(names + len, sizeof(names) - len, "%s%sType%u", n ? " " : "",
						 dir ? "Out" : "In", t);
			v[n++] = c;
		}
	if (n)
		snmp_pair(s, "IcmpMsg", names, v, n);
}

static void snmp_transport(struct sbuf *s)
{
	const struct udp_mib *u = &udp_mib;
	const struct tcp_mib *t = &tcp_mib;
	uint64_t tcp[] = { 1, 200, 120000, (uint64_t)-1, t->active_opens, t->passive_opens, t->attempt_fails,
			   t->estab_resets, t->curr_estab, t->in_segs, t->out_segs, t->retrans_segs, t->in_errs,
			   t->out_rsts, t->in_csum_errors };
	uint64_t udp[] = { u->in_datagrams, u->no_ports, u->in_errors, u->out_datagrams, u->rcvbuf_errors,
			   u->sndbuf_errors, u->in_csum_errors, 0, 0 };
	uint64_t lite[sizeof(udp) / sizeof(udp[0])] = { 0 };
	static const char udp_fields[] = "InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors "
					 "SndbufErrors InCsumErrors IgnoredMulti MemErrors";
	sb_printf(s, "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
		     "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\nTcp:");
	for (unsigned i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++)
		sb_printf(s, i == 3 ? " %ld" : " %lu", tcp[i]);
	sb_printf(s, "\n");
	snmp_pair(s, "Udp", udp_fields, udp, sizeof(udp) / sizeof(udp[0]));
	snmp_pair(s, "UdpLite", udp_fields, lite, sizeof(lite) / sizeof(lite[0]));
}

static void show_snmp(struct sbuf *s)
{
	snmp_ip(s);
	snmp_icmp(s);
	snmp_icmpmsg(s);
	snmp_transport(s);
}

/* ---- /proc/net/netstat ------------------------------------------------------------ */

/* Linux 6.1's snmp4_net_list, in order (MPTcpExt, which follows with
 * CONFIG_MPTCP, is left out: Kestrel has no MPTCP, as such a kernel). */
static const char tcpext_names[] =
	"SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned "
	"OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab "
	"DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks "
	"TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder "
	"TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit "
	"TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts "
	"TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed "
	"TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData "
	"TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed "
	"TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard TCPDSACKIgnoredOld "
	"TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure "
	"TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop "
	"TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop "
	"TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK "
	"TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive "
	"TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole "
	"TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv "
	"TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect "
	"TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv "
	"TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait "
	"TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail TCPMTUPSuccess TCPDelivered "
	"TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig "
	"TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs "
	"TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure";
#define TCPEXT_N 125
/* Positions in tcpext_names of the counters net/tcp_sock.c fills: its
 * ICMP errors quoting what is not in flight (OutOfWindowIcmps), its SYN
 * drops (Linux's tcp_conn_request: a full accept queue counts
 * ListenOverflows, a full SYN queue TCPReqQFullDrop, both ListenDrops). */
#define TCPEXT_OUT_OF_WINDOW_ICMPS 7
#define TCPEXT_LISTEN_OVERFLOWS 18
#define TCPEXT_LISTEN_DROPS     19
#define TCPEXT_REQQ_FULL_DROP   75
/* Where each of the engine's counters (enum tcp_ext) stands in tcpext_names. */
static const uint8_t tcpext_pos[TCP_EXT_N] = {
	[TCP_EXT_RENO_RECOVERY] = 23,
	[TCP_EXT_SACK_RECOVERY] = 24,
	[TCP_EXT_SACK_RENEGING] = 25,
	[TCP_EXT_SACK_REORDER] = 26,
	[TCP_EXT_DSACK_UNDO] = 31,
	[TCP_EXT_FAST_RETRANS] = 37,
	[TCP_EXT_LOST_RETRANSMIT] = 33,
	[TCP_EXT_TIMEOUTS] = 39,
	[TCP_EXT_LOSS_PROBES] = 40,
	[TCP_EXT_LOSS_PROBE_RECOVERY] = 41,
	[TCP_EXT_DSACK_OLD_SENT] = 46,
	[TCP_EXT_DSACK_OFO_SENT] = 47,
	[TCP_EXT_DSACK_RECV] = 48,
	[TCP_EXT_OFO_QUEUE] = 78,
	[TCP_EXT_OFO_DROP] = 79,
	[TCP_EXT_OFO_MERGE] = 80,
	[TCP_EXT_DSACK_OFO_RECV] = 49,
	[TCP_EXT_SACK_RECOVERY_FAIL] = 43,
	[TCP_EXT_RENO_RECOVERY_FAIL] = 42,
	[TCP_EXT_LOSS_FAILURES] = 36,
	[TCP_EXT_SACK_FAILURES] = 35,
	[TCP_EXT_RENO_FAILURES] = 34,
	[TCP_EXT_FULL_UNDO] = 29,
	[TCP_EXT_PARTIAL_UNDO] = 30,
	[TCP_EXT_LOSS_UNDO] = 32,
};

/* Linux's snmp4_ipextstats_list (RFC 4293's, then Linux's own). */
static const char ipext_names[] =
	"InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets "
	"InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts "
	"InECT0Pkts InCEPkts ReasmOverlaps";
#define IPEXT_N 18
#define IPEXT_IN_TRUNCATED 1

/* How many names a space-separated list holds. */
static unsigned count_names(const char *names)
{
	unsigned n = 1;
	for (const char *p = names; *p; p++)
		n += *p == ' ';
	return n;
}

/*
 * TcpExt and IpExt, every counter Linux prints: the ones Kestrel keeps
 * (out-of-window ICMP errors, the listen drops, and the engine's
 * loss-recovery counters: enum tcp_ext), the rest 0 (nothing counts
 * them here: Kestrel has no SYN cookies, Fast Open, MD5 or MTU probing,
 * and its engine keeps no counters of delayed ACKs, and has no F-RTO:
 * TCPSpuriousRTOs).
 */
static void show_netstat(struct sbuf *s)
{
	uint64_t tcp[TCPEXT_N] = { 0 }, ip[IPEXT_N] = { 0 };

	tcp[TCPEXT_OUT_OF_WINDOW_ICMPS] = tcp_mib.out_of_window_icmps;
	tcp[TCPEXT_LISTEN_OVERFLOWS] = tcp_mib.listen_overflows;
	tcp[TCPEXT_LISTEN_DROPS] = tcp_mib.listen_drops;
	tcp[TCPEXT_REQQ_FULL_DROP] = tcp_mib.reqq_full_drop;
	for (int i = 0; i < TCP_EXT_N; i++)
		tcp[tcpext_pos[i]] = __atomic_load_n(&tcp_mib.ext[i], __ATOMIC_RELAXED);
	ip[IPEXT_IN_TRUNCATED] = ipv4_mib.in_truncated;
	snmp_pair(s, "TcpExt", tcpext_names, tcp, TCPEXT_N);
	snmp_pair(s, "IpExt", ipext_names, ip, IPEXT_N);
}

/* ---- /proc/net/tcp, udp, raw ----------------------------------------------------- */

#define SOCK_LINE   149       /* Linux pads /proc/net/tcp's lines to this (TMPSZ - 1) */
#define UDP_LINE    127
#define SOCK6_LINE_MAX 256    /* tcp6 and udp6 lines are not padded; the longest is some 180 */
#define TCP_LISTEN  10
#define TCP_ESTAB   1
#define TCP_CLOSE   7

struct sock_walk {
	struct sbuf *s;
	int protocol;
	int n;
	int line;
	bool v6;                  /* tcp6/udp6: AF_INET6 sockets, 128-bit addresses */
};

/* An address as Linux prints it: the network-order word, read on a little-endian CPU. */
static uint32_t le_addr(uint32_t host_order)
{
	return __builtin_bswap32(host_order);
}

/* A socket of the loopback emulation: the columns a Linux socket of its
 * state that never sent shows (TCP_TIMEOUT_INIT's RTO, TCP_INIT_CWND; a
 * listener's ssthresh column is its Fast Open queue, 0). */
static const struct tcp_sock_tail LOCAL_TAIL = { .rto_ms = 1000, .cwnd = TCP_INIT_CWND, .ssthresh = -1 };
static const struct tcp_sock_tail LISTEN_TAIL = { .rto_ms = 1000, .cwnd = TCP_INIT_CWND };

/* Linux's last columns of a TCP line (tcp4_seq_show_sock, tcp6's the
 * same): the reference count, the socket's address (hidden, as
 * kptr_restrict hides it), then t's, the times in USER_HZ ticks. UDP's
 * lines end at the inode; then t is NULL. */
static void tail_text(char *buf, size_t cap, const struct tcp_sock_tail *t)
{
	if (!t) {
		buf[0] = 0;
		return;
	}
	ksnprintf(buf, cap, " 1 0000000000000000 %u %u %u %u %d", t->rto_ms / (1000 / USER_HZ),
		  t->ato_ms / (1000 / USER_HZ), t->quick_pp, t->cwnd, t->ssthresh);
}

static void sock_line(struct sock_walk *w, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp, int st,
		      uint32_t txq, uint32_t rxq, uint64_t ino, const struct tcp_sock_tail *tail)
{
	char line[SOCK_LINE + 1], t[64];
	tail_text(t, sizeof(t), tail);
	ksnprintf(line, sizeof(line), "%4d: %08X:%04X %08X:%04X %02X %08X:%08X 00:00000000 00000000 %5u %8d %lu%s",
		  w->n++, le_addr(la), lp, le_addr(ra), rp, st, txq, rxq, 0u, 0, (unsigned long)ino, t);
	sb_printf(w->s, "%-*s\n", w->line, line);
}

/* An IPv6 socket's name as tcp6 prints it: four network-order words,
 * each read on a little-endian CPU (::, ::1, ::ffff:a.b.c.d, any other). */
static void v6_text(char *buf, size_t cap, const struct inet_name *n)
{
	uint32_t w[4] = { 0, 0, 0, 0 };
	if (n->kind == INET_V6_LOOP)
		w[3] = le_addr(1);
	else if (n->kind == INET_V4) {
		w[2] = le_addr(0xffff);
		w[3] = le_addr(n->addr);
	} else if (n->kind == INET_V6) {
		for (int i = 0; i < 4; i++)
			w[i] = le_addr(get_be32(n->a6 + 4 * i));
	}
	ksnprintf(buf, cap, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], n->port);
}

static void sock_line6(struct sock_walk *w, const struct inet_name *me, const struct inet_name *peer, int st,
		       uint32_t txq, uint32_t rxq, uint64_t ino, const struct tcp_sock_tail *tail)
{
	char line[SOCK6_LINE_MAX], a[48], b[48], t[64];
	struct inet_name none = { .addr = 0, .port = 0, .kind = INET_V6_ANY };
	v6_text(a, sizeof(a), me);
	v6_text(b, sizeof(b), peer ? peer : &none);
	tail_text(t, sizeof(t), tail);
	ksnprintf(line, sizeof(line), "%4d: %s %s %02X %08X:%08X 00:00000000 00000000 %5u %8d %lu%s", w->n++, a,
		  b, st, txq, rxq, 0u, 0, (unsigned long)ino, t);
	sb_printf(w->s, "%s\n", line);
}

/* A socket of this host's own (net/inet.c's list): its state as Linux numbers it. */
static void local_sock(const struct unix_sock *u, void *ctx)
{
	struct sock_walk *w = ctx;
	if (u->protocol != w->protocol || u->family != (w->v6 ? AF_INET6 : AF_INET) || u->in.tcp)
		return;
	int st = u->state == UNIX_LISTEN ? TCP_LISTEN : u->state == UNIX_CONNECTED ? TCP_ESTAB : TCP_CLOSE;
	const struct inet_name *peer = u->in.has_peer ? &u->in.peer : NULL;
	const struct tcp_sock_tail *tail = NULL;
	if (w->protocol == IPPROTO_TCP)
		tail = st == TCP_LISTEN ? &LISTEN_TAIL : &LOCAL_TAIL;
	if (w->v6)
		return sock_line6(w, &u->in.name, peer, st, 0, 0, u->ino, tail);
	sock_line(w, u->in.name.addr, u->in.name.port, peer ? peer->addr : 0, peer ? peer->port : 0, st, 0,
		  0, u->ino, tail);
}

/* A connection of net/tcp_sock.c's, in tcp or tcp6 by its socket's family. */
static void wire_sock(const struct tcp_sock_view *v, void *ctx)
{
	struct sock_walk *w = ctx;
	if (v->family != (w->v6 ? AF_INET6 : AF_INET))
		return;
	if (w->v6)
		return sock_line6(w, &v->local, &v->remote, v->state, v->tx_queue, v->rx_queue, v->inode, &v->tail);
	sock_line(w, v->local.addr, v->local.port, v->remote.addr, v->remote.port, v->state, v->tx_queue,
		  v->rx_queue, v->inode, &v->tail);
}

static void show_tcp(struct sbuf *s)
{
	struct sock_walk w = { s, IPPROTO_TCP, 0, SOCK_LINE, false };
	sb_printf(s, "%-*s\n", SOCK_LINE, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
					   "retrnsmt   uid  timeout inode");
	inet_for_each(local_sock, &w);
	tcp_sock_for_each(wire_sock, &w);
}

static void show_udp(struct sbuf *s)
{
	struct sock_walk w = { s, IPPROTO_UDP, 0, UDP_LINE, false };
	sb_printf(s, "%-*s\n", UDP_LINE, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
					  "retrnsmt   uid  timeout inode ref pointer drops");
	inet_for_each(local_sock, &w);
}

/* tcp6 and udp6: the AF_INET6 sockets (Linux's header lines, unpadded). */
static void show_tcp6(struct sbuf *s)
{
	struct sock_walk w = { s, IPPROTO_TCP, 0, SOCK_LINE, true };
	sb_printf(s, "  sl  local_address                         remote_address                        st tx_queue "
		     "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	inet_for_each(local_sock, &w);
	tcp_sock_for_each(wire_sock, &w);
}

static void show_udp6(struct sbuf *s)
{
	struct sock_walk w = { s, IPPROTO_UDP, 0, UDP_LINE, true };
	sb_printf(s, "  sl  local_address                         remote_address                        st tx_queue "
		     "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	inet_for_each(local_sock, &w);
}

/* ---- /proc/net/raw and icmp ------------------------------------------------------ */

#define PING_BUCKETS 64           /* Linux's PING_HTABLE_SIZE: icmp's sl is a hash bucket */
#define RAW_BUCKETS  256          /* Linux's RAW_HTABLE_SIZE */
#define SOCK_REFS    2            /* sk_refcnt of an open socket: its file and its table */

/* What the socket's receive queue holds, as Linux's sk_rmem_alloc. */
static uint32_t rmem_of(const struct unix_sock *u)
{
	size_t n = 0;
	for (const struct unix_skb *b = u->rq_head; b; b = b->next)
		n += b->truesize;
	return (uint32_t)n;
}

/*
 * One socket's line of raw (raw_sock_seq_show) or icmp (ping_v4_format_sock):
 * its bound address and its port (a raw socket's protocol, a ping
 * socket's identifier), the connected peer, the state (7 TCP_CLOSE, 1
 * TCP_ESTABLISHED once connected), the queues, ref, the pointer as an
 * unprivileged reader sees %pK (zeros) and drops. sl is Linux's hash
 * bucket: the protocol for raw (Linux 6.1 mixes in a per-namespace
 * random value, so no program can rely on it), the identifier for icmp.
 */
static void icmp_sock_line(const struct unix_sock *u, void *ctx)
{
	struct sock_walk *w = ctx;
	bool ping = u->type == SOCK_DGRAM;
	if (ping != (w->protocol == IPPROTO_ICMP) || u->family != AF_INET)
		return;
	uint16_t port = ping ? u->in.name.port : (uint16_t)u->protocol;
	int sl = ping ? port % PING_BUCKETS : port % RAW_BUCKETS;
	uint32_t peer = u->in.has_peer ? u->in.peer.addr : 0;
	char line[SOCK_LINE + 1];
	ksnprintf(line, sizeof(line), "%*d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d "
		  "%016lx %u", ping ? 5 : 4, sl, le_addr(u->in.name.addr), port, le_addr(peer), 0,
		  u->in.has_peer ? TCP_ESTAB : TCP_CLOSE, (uint32_t)unix_wmem(u), rmem_of(u), 0, 0ul, 0u, 0u, 0,
		  (unsigned long)u->ino, SOCK_REFS, 0ul, 0u);
	sb_printf(w->s, ping ? "%-*s\n" : "%.*s\n", w->line, line);
}

static void show_raw(struct sbuf *s)
{
	struct sock_walk w = { s, IPPROTO_RAW, 0, SOCK_LINE, false };
	sb_printf(s, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		     "timeout inode ref pointer drops\n");
	inet_icmp_for_each(icmp_sock_line, &w);
}

/* icmp: the ping sockets, each line padded to 127 (seq_setwidth, seq_pad). */
static void show_icmp(struct sbuf *s)
{
	struct sock_walk w = { s, IPPROTO_ICMP, 0, UDP_LINE, false };
	sb_printf(s, "%-*s\n", UDP_LINE, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
					  "retrnsmt   uid  timeout inode ref pointer drops");
	inet_icmp_for_each(icmp_sock_line, &w);
}

/* unix: every AF_UNIX socket as Linux's unix_seq_show prints it. Num is
 * the socket's kernel address there (%pK); here zeros, what Linux shows
 * a reader without CAP_SYSLOG under kptr_restrict. Flags is
 * __SO_ACCEPTCON for a listener; St is SS_CONNECTED or SS_UNCONNECTED for
 * a socket with a file, SS_CONNECTING or SS_DISCONNECTING for one not yet
 * accepted; an abstract name starts with '@' and shows its NULs as '@'. */
#define SO_ACCEPTCON_FLAG 0x10000
#define SS_UNCONNECTED 1
#define SS_CONNECTED 3
#define SS_CONNECTING 2
#define SS_DISCONNECTING 4
static void unix_line(const struct unix_sock *u, void *ctx)
{
	struct sbuf *s = ctx;
	if (u->family != AF_UNIX)
		return;
	bool estab = u->state == UNIX_CONNECTED || (u->type == SOCK_DGRAM && u->peer);
	int st = u->file ? (estab ? SS_CONNECTED : SS_UNCONNECTED) : (estab ? SS_CONNECTING : SS_DISCONNECTING);
	sb_printf(s, "%016x: %08X %08X %08X %04X %02X %5lu", 0, (unsigned)__atomic_load_n(&u->refs, __ATOMIC_RELAXED), 0,
		  u->state == UNIX_LISTEN ? SO_ACCEPTCON_FLAG : 0, (unsigned)u->type, st, (unsigned long)u->ino);
	size_t len = u->bound && u->addrlen > SUN_PATH_OFFSET ? u->addrlen - SUN_PATH_OFFSET : 0;
	if (len) {
		const char *p = u->addr.sun_path;
		size_t i = 0;
		sb_printf(s, " ");
		if (p[0]) {
			len = strnlen(p, len); /* a path name: up to its NUL */
		} else {
			sb_printf(s, "@");
			i = 1;
		}
		for (; i < len; i++)
			sb_printf(s, "%c", p[i] ? p[i] : '@');
	}
	sb_printf(s, "\n");
}

static void show_unix(struct sbuf *s)
{
	sb_printf(s, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	unix_for_each(unix_line, s);
}

/* sockstat's and sockstat6's counts of the sockets themselves (Linux's
 * sock_prot_inuse: hashed sockets, [0] IPv4, [1] IPv6). */
struct sock_census {
	unsigned used;             /* every socket, of any family */
	unsigned tcp_inuse[2];     /* listeners (connections: tcp_sock_stat) */
	unsigned tcp_alloc;        /* TCP sockets without a connection */
	unsigned udp_inuse[2], raw_inuse[2];
	uint64_t udp_pages;        /* queued datagrams' memory, a socket's rounded up to pages */
};

/* The pages a socket's queued datagrams take (their truesize), as Linux
 * charges a socket's receive memory in whole pages. */
static uint64_t rq_pages(const struct unix_sock *u)
{
	uint64_t bytes = 0;
	for (const struct unix_skb *m = u->rq_head; m; m = m->next)
		bytes += m->truesize;
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void census_one(const struct unix_sock *u, void *ctx)
{
	struct sock_census *c = ctx;
	c->used++;
	if (u->family != AF_INET && u->family != AF_INET6)
		return;
	int v6 = u->family == AF_INET6;
	if (u->type == SOCK_STREAM && u->protocol == IPPROTO_TCP) {
		if (u->in.tcp)
			return; /* a connection: tcp_sock_stat counts it */
		c->tcp_alloc++;
		c->tcp_inuse[v6] += u->state == UNIX_LISTEN;
	} else if (u->type == SOCK_DGRAM && u->protocol == IPPROTO_UDP) {
		c->udp_inuse[v6] += u->in.name.port != 0; /* bound: in the port table */
		c->udp_pages += rq_pages(u);
	} else if (u->type == SOCK_RAW) {
		c->raw_inuse[v6]++; /* hashed from its creation */
	}
}

/* sockstat (Linux's sockstat_seq_show): FRAG's queues are not counted (0). */
static void show_sockstat(struct sbuf *s)
{
	struct sock_census c = { 0 };
	struct tcp_sock_stat t;
	unix_for_each(census_one, &c);
	tcp_sock_stat(&t);
	sb_printf(s, "sockets: used %u\n", c.used);
	sb_printf(s, "TCP: inuse %u orphan %u tw %u alloc %u mem %lu\n", c.tcp_inuse[0] + t.inuse4, t.orphan,
		  t.tw, c.tcp_alloc + t.inuse4 + t.inuse6, (unsigned long)t.mem_pages);
	sb_printf(s, "UDP: inuse %u mem %lu\n", c.udp_inuse[0], (unsigned long)c.udp_pages);
	sb_printf(s, "UDPLITE: inuse 0\nRAW: inuse %u\nFRAG: inuse 0 memory 0\n", c.raw_inuse[0]);
}

/* sockstat6 (Linux's sockstat6_seq_show). */
static void show_sockstat6(struct sbuf *s)
{
	struct sock_census c = { 0 };
	struct tcp_sock_stat t;
	unix_for_each(census_one, &c);
	tcp_sock_stat(&t);
	sb_printf(s, "TCP6: inuse %u\nUDP6: inuse %u\nUDPLITE6: inuse 0\nRAW6: inuse %u\n"
		     "FRAG6: inuse 0 memory 0\n", c.tcp_inuse[1] + t.inuse6, c.udp_inuse[1], c.raw_inuse[1]);
}

static void show_pnp(struct sbuf *s)
{
	char buf[PNP_MAX];
	size_t n = ipconfig_pnp(buf, sizeof(buf));
	sb_bytes(s, buf, n);
}

/* An IPv6 address as Linux's %pi6: 32 hex digits. */
static void ip6_hex(struct sbuf *s, const struct in6 *a)
{
	for (int i = 0; i < 16; i++)
		sb_printf(s, "%02x", a->b[i]);
}

/* if_inet6: address, ifindex, prefix length, scope, flags, name (addrconf_ifaddr_show). */
static void show_if_inet6(struct sbuf *s)
{
	struct ipv6_ifaddr a;
	for (unsigned i = 0; ipv6_addr_get(i, &a); i++) {
		struct netdev *d = netdev_by_index(a.ifindex);
		unsigned scope = a.scope == RT_SCOPE_LINK ? 0x20 : a.scope == RT_SCOPE_HOST ? 0x10 : 0;
		ip6_hex(s, &a.addr);
		sb_printf(s, " %02x %02x %02x %02x %8s\n", a.ifindex, a.prefix, scope, a.flags & 0xff,
			  d ? d->name : "?");
		netdev_put(d);
	}
}


/* ipv6_route: dst, its length, src (::), its length, next hop, metric,
 * refcnt, use, flags, device (ipv6_route_native_seq_show). */
static void show_ipv6_route(struct sbuf *s)
{
	static const struct in6 any;
	struct ipv6_route r;
	for (unsigned i = 0; ipv6_route_get(i, &r); i++) {
		struct netdev *d = netdev_by_index(r.ifindex);
		unsigned flags = RTF_UP | (in6_is_any(&r.gateway) ? 0 : RTF_GATEWAY) |
				 (r.prefix == 128 ? RTF_HOST : 0) | (r.expires ? RTF_EXPIRES : 0) |
				 (r.protocol == RTPROT_RA ? RTF_ADDRCONF | (r.prefix == 0 ? RTF_DEFAULT : 0) : 0);
		ip6_hex(s, &r.dst);
		sb_printf(s, " %02x ", r.prefix);
		ip6_hex(s, &any);
		sb_printf(s, " 00 ");
		ip6_hex(s, &r.gateway);
		sb_printf(s, " %08x %08x %08x %08x %8s\n", r.metric, 1u, 0u, flags, d ? d->name : "?");
		netdev_put(d);
	}
}

/* snmp6: "Name value" lines, the counters Kestrel keeps (Linux's names). */
static void show_snmp6(struct sbuf *s)
{
	const struct ipv6_mib *m = &ipv6_mib;
	const struct { const char *name; uint64_t v; } lines[] = {
		{ "Ip6InReceives", m->in_receives }, { "Ip6InHdrErrors", m->in_hdr_errors },
		{ "Ip6InNoRoutes", 0 }, { "Ip6InAddrErrors", m->in_addr_errors },
		{ "Ip6InUnknownProtos", m->in_unknown_protos }, { "Ip6InTruncatedPkts", m->in_truncated },
		{ "Ip6InDiscards", m->in_discards }, { "Ip6InDelivers", m->in_delivers },
		{ "Ip6OutRequests", m->out_requests }, { "Ip6OutDiscards", m->out_discards },
		{ "Ip6OutNoRoutes", m->out_no_routes }, { "Ip6ReasmTimeout", m->reasm_timeout },
		{ "Ip6ReasmReqds", m->reasm_reqds }, { "Ip6ReasmOKs", m->reasm_oks },
		{ "Ip6ReasmFails", m->reasm_fails }, { "Ip6FragOKs", m->frag_oks },
		{ "Ip6FragFails", m->frag_fails }, { "Ip6FragCreates", m->frag_creates }, { "Ip6InMcastPkts", m->in_mcast_pkts },
		{ "Ip6OutMcastPkts", m->out_mcast_pkts },
		{ "Icmp6InMsgs", icmp6_mib.in_msgs }, { "Icmp6InErrors", icmp6_mib.in_errors },
		{ "Icmp6OutMsgs", icmp6_mib.out_msgs }, { "Icmp6OutErrors", icmp6_mib.out_errors },
		{ "Icmp6InCsumErrors", icmp6_mib.in_csum_errors },
	};
	for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		sb_printf(s, "%-32s%lu\n", lines[i].name, lines[i].v);
	for (unsigned t = 0; t < 256; t++) {
		if (icmp6_mib.in_type[t])
			sb_printf(s, "Icmp6InType%-21u%lu\n", t, icmp6_mib.in_type[t]);
	}
	for (unsigned t = 0; t < 256; t++) {
		if (icmp6_mib.out_type[t])
			sb_printf(s, "Icmp6OutType%-20u%lu\n", t, icmp6_mib.out_type[t]);
	}
}

static void net_show(const char *name, struct sbuf *s)
{
	static const struct { const char *name; void (*show)(struct sbuf *); } files[] = {
		{ "dev", show_dev }, { "arp", show_arp }, { "route", show_route },
		{ "snmp", show_snmp }, { "netstat", show_netstat }, { "pnp", show_pnp }, { "tcp", show_tcp },
		{ "udp", show_udp }, { "raw", show_raw }, { "icmp", show_icmp }, { "tcp6", show_tcp6 },
		{ "udp6", show_udp6 }, { "unix", show_unix }, { "if_inet6", show_if_inet6 },
		{ "ipv6_route", show_ipv6_route }, { "snmp6", show_snmp6 }, { "sockstat", show_sockstat },
		{ "sockstat6", show_sockstat6 },
	};
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i].name, name) == 0)
			files[i].show(s);
}

void net_proc_init(void)
{
	if (count_names(tcpext_names) != TCPEXT_N || count_names(ipext_names) != IPEXT_N)
		panic("net_proc: the netstat name lists and their counts differ");
	procfs_net_show = net_show;
	net_sysctl_init();
}
