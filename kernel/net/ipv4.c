// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv4 packets in and out (net/ipv4.h). Received packets are
 * checked by ipv4_parse (wire.c), trimmed to their own length, delivered
 * when they are addressed to this host (any of its addresses, on any
 * device, as Linux's weak host model; a broadcast), reassembled first
 * when they are fragments, and handed to their protocol; an unknown
 * protocol gets an ICMP protocol unreachable. Kestrel does not forward
 * (net.ipv4.ip_forward 0): a packet for another host is dropped and
 * counted as InAddrErrors.
 *
 * Sending: the route gives the device, next hop and source; the header
 * goes in front, with DF as the sender's IP_MTU_DISCOVER says; a packet
 * longer than the path's MTU (or the device's: plan_output) is cut into
 * fragments, or refused with EMSGSIZE when the option forbids that; the
 * result goes to ARP for the next hop's address, or back through lo for
 * this host.
 *
 * Lock rule: the protocol table is written at boot only; the IP ID
 * counter is atomic; the counters are atomic. Nothing else is shared.
 */
#include "net/ipv4.h"
#include "net/net_sysctl.h"
#include "net/arp.h"
#include "net/ether.h"
#include "net/icmp.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "time/time.h"
#include "uapi/in.h"

#define IPV4_FRAG_UNIT 8       /* fragment offsets count 8-byte units */
#define IPV4_MAX_LEN   65535

struct ipv4_mib ipv4_mib;
static const struct ipv4_protocol *protocols[256];
static uint32_t ip_id;

void ipv4_register_protocol(uint8_t proto, const struct ipv4_protocol *p)
{
	protocols[proto] = p;
}

void ipv4_init(void)
{
	ip_id = (uint32_t)time_ns();
}

/* ---- receive -------------------------------------------------------------------- */

static void drop(struct netbuf *nb)
{
	netbuf_free(nb);
}

/* Count a parser's verdict where Linux counts it. */
static void count_bad(enum wire_err err)
{
	if (err == WIRE_TRUNCATED)
		IPV4_MIB_INC(in_truncated);
	else
		IPV4_MIB_INC(in_hdr_errors);
}

/* Is this packet for us: one of our addresses, a broadcast, or (on lo)
 * any 127/8? A 127/8 destination from a wire is a martian. */
static bool for_us(const struct netbuf *nb, const struct ipv4_info *ip, const struct ipv4_addr_kinds *k)
{
	if (nb->dev->type == ARPHRD_LOOPBACK)
		return true;
	if ((ip->dst >> 28) == 0xe || (ip->dst >> 24) == IN_LOOPBACKNET)
		return false; /* no multicast groups joined yet */
	return k->dst_local || k->dst_broadcast;
}

/* A source no wire may show (Linux's fib_validate_source with
 * accept_local 0): multicast or broadcast, 127/8, one of this host's own
 * addresses, or 0.0.0.0 to anything but a broadcast. lo may carry them. */
static bool martian_source(const struct netbuf *nb, const struct ipv4_info *ip,
			   const struct ipv4_addr_kinds *k)
{
	if ((ip->src >> 28) == 0xe || ip->src == INADDR_BROADCAST)
		return true;
	if (nb->dev->type == ARPHRD_LOOPBACK)
		return false;
	if ((ip->src >> 24) == IN_LOOPBACKNET || k->src_local)
		return true;
	return ip->src == 0 && !k->dst_broadcast;
}

/* Hand a whole datagram (data at its IP header) to its protocol. */
void (*ipv4_raw_hook)(const struct netbuf *nb, const struct ipv4_info *ip);
bool (*ipv4_raw_idle)(void);

static void deliver(struct netbuf *nb, const struct ipv4_info *ip)
{
	const struct ipv4_protocol *p = protocols[ip->proto];
	if (ipv4_raw_hook)
		ipv4_raw_hook(nb, ip);
	if (!p || !p->input) {
		IPV4_MIB_INC(in_unknown_protos);
		icmp_send_error(nb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
		drop(nb);
		return;
	}
	IPV4_MIB_INC(in_delivers);
	netbuf_set_network(nb);
	netbuf_pull(nb, ip->hdr_len);
	netbuf_set_transport(nb);
	p->input(nb, ip);
}

void ipv4_input(struct netbuf *nb)
{
	struct ipv4_info ip;
	IPV4_MIB_INC(in_receives);
	enum wire_err err = ipv4_parse(nb->data, nb->len, &ip);
	if (err != WIRE_OK) {
		count_bad(err);
		return drop(nb);
	}
	netbuf_trim(nb, ip.total_len); /* link padding */
	struct ipv4_addr_kinds k;
	ipv4_addr_kinds(ip.dst, ip.src, &k);
	ip.to_broadcast = k.dst_broadcast;
	if (!for_us(nb, &ip, &k) || martian_source(nb, &ip, &k)) {
		IPV4_MIB_INC(in_addr_errors);
		return drop(nb);
	}
	if (ip.has_source_route) {
		IPV4_MIB_INC(in_discards); /* accept_source_route 0 */
		return drop(nb);
	}
	if (ip.mf || ip.frag_off) {
		IPV4_MIB_INC(reasm_reqds);
		nb = ipv4_reassemble(nb, &ip);
		if (!nb)
			return;
		IPV4_MIB_INC(reasm_oks);
		if (ipv4_parse(nb->data, nb->len, &ip) != WIRE_OK)
			return drop(nb);
		ip.to_broadcast = k.dst_broadcast;
	}
	deliver(nb, &ip);
}

/* Could the packet ip describes go up without the kernel lock? Whole (no
 * fragment, no padding to trim, no source route), for this host as
 * ipv4_input sees it, and no raw socket to copy it to. */
static bool nolock_fits(const struct netbuf *nb, const struct ipv4_info *ip, const struct ipv4_addr_kinds *k)
{
	if (ip->total_len != nb->len || ip->mf || ip->frag_off || ip->has_source_route)
		return false;
	if (!for_us(nb, ip, k) || martian_source(nb, ip, k))
		return false;
	return !ipv4_raw_hook || (ipv4_raw_idle && ipv4_raw_idle());
}

#define IPV4_PROTO_OFF 9    /* the protocol's offset in the header */
#define IPV4_IHL_MASK  0x0f /* the header's length, in the first byte's low bits */
#define IPV4_IHL_UNIT  4    /* ... counted in 32-bit words */

bool ipv4_nolock_may(const uint8_t *pkt, size_t len)
{
	size_t hl = (size_t)(len ? pkt[0] & IPV4_IHL_MASK : 0) * IPV4_IHL_UNIT;
	if (hl < IPV4_HDR_MIN || hl > len)
		return false;
	const struct ipv4_protocol *p = protocols[pkt[IPV4_PROTO_OFF]];
	return p && p->input_nolock && p->input_nolock_may(pkt + hl, len - hl);
}

bool ipv4_input_nolock(struct netbuf *nb)
{
	struct ipv4_info ip;
	struct ipv4_addr_kinds k;
	if (ipv4_parse(nb->data, nb->len, &ip) != WIRE_OK)
		return false;
	const struct ipv4_protocol *p = protocols[ip.proto];
	if (!p || !p->input_nolock)
		return false;
	ipv4_addr_kinds(ip.dst, ip.src, &k);
	ip.to_broadcast = k.dst_broadcast;
	if (!nolock_fits(nb, &ip, &k))
		return false;
	struct netbuf_mark m;
	netbuf_enter_transport(nb, ip.hdr_len, &m);
	if (!p->input_nolock(nb, &ip)) {
		netbuf_leave_transport(nb, &m);
		return false;
	}
	IPV4_MIB_INC(in_receives);
	IPV4_MIB_INC(in_delivers);
	return true;
}

void ipv4_deliver_error(const struct icmp_info *ic, uint32_t from)
{
	const struct ipv4_protocol *p = protocols[ic->inner.proto];
	if (p && p->err)
		p->err(ic, from);
}

/* ---- send ----------------------------------------------------------------------- */

/* To the next hop: back through lo, broadcast, or through ARP. Owns nb. */
static int transmit(struct netbuf *nb, const struct ipv4_dst *d)
{
	static const uint8_t zero_mac[ETH_ALEN];
	if (d->dev->type == ARPHRD_LOOPBACK)
		return ether_output(d->dev, nb, zero_mac, ETH_P_IP);
	if (d->broadcast)
		return ether_output(d->dev, nb, ether_broadcast, ETH_P_IP);
	return arp_output(d->dev, d->nexthop, nb);
}

/* Push the 20-byte header described by ip in front of nb. */
static int push_header(struct netbuf *nb, const struct ipv4_info *ip)
{
	uint8_t *h = netbuf_push(nb, IPV4_HDR_MIN);
	if (!h)
		return -ENOBUFS;
	ipv4_build(h, ip);
	netbuf_set_network(nb);
	return 0;
}

/* One fragment of nb's payload [off, off + n) as a new packet. */
static struct netbuf *fragment(const struct netbuf *nb, size_t off, size_t n, struct ipv4_info ip,
			       bool more)
{
	struct netbuf *f = netbuf_alloc(NETBUF_HEADROOM, n);
	if (!f)
		return NULL;
	memcpy(netbuf_put(f, n), nb->data + off, n);
	ip.total_len = (uint16_t)(IPV4_HDR_MIN + n);
	ip.frag_off = (uint16_t)off;
	ip.mf = more;
	if (push_header(f, &ip)) {
		netbuf_free(f);
		return NULL;
	}
	return f;
}

/* nb's payload in fragments that fit mtu (RFC 791 3.2). Owns nb. */
static int fragment_and_send(struct netbuf *nb, struct ipv4_info ip, const struct ipv4_dst *d, uint32_t mtu)
{
	size_t step = ((mtu - IPV4_HDR_MIN) / IPV4_FRAG_UNIT) * IPV4_FRAG_UNIT;
	int err = 0;
	netbuf_csum_finish(nb); /* no fragment carries the whole segment to sum */
	for (size_t off = 0; off < nb->len && !err; off += step) {
		size_t n = nb->len - off < step ? nb->len - off : step;
		struct netbuf *f = fragment(nb, off, n, ip, off + n < nb->len);
		if (!f) {
			err = -ENOBUFS;
			IPV4_MIB_INC(frag_fails);
			break;
		}
		IPV4_MIB_INC(frag_creates);
		err = transmit(f, d);
	}
	if (!err)
		IPV4_MIB_INC(frag_oks);
	netbuf_free(nb);
	return err;
}

/* Linux's ip_dont_fragment: DF under IP_PMTUDISC_DO, and under WANT
 * while the path's MTU is not locked (learnt under the minimum). */
bool ipv4_dont_fragment(uint8_t how, bool locked)
{
	return how == IP_PMTUDISC_DO || (how == IP_PMTUDISC_WANT && !locked);
}

/*
 * How a packet of total bytes to d goes: *mtu the size it must fit or be
 * cut to (Linux's ip_sk_use_pmtu: the path's under DONT, WANT and DO,
 * the device's under PROBE, INTERFACE and OMIT), *df its DF bit. False
 * when it may not go (-EMSGSIZE): longer than *mtu and not to be cut.
 *   A TCP segment (__ip_queue_xmit, then ip_fragment): DF by
 *   ip_dont_fragment alone; cut into fragments when it has no DF. One
 *   with DF is cut to the path's MSS already; if the path learnt a lower
 *   MTU since, it goes whole (up to the device's MTU) for the router to
 *   refuse, where Linux's ip_fragment refuses it here and sends itself
 *   the frag-needed: the same lesson, a round trip later.
 *   A datagram (__ip_make_skb): DF also under PROBE, and under WANT only
 *   when it fits the path; refused by __ip_append_data when longer than
 *   *mtu unless ip_sk_ignore_df (DONT, WANT, OMIT).
 */
struct out_plan {
	uint32_t mtu;
	bool df;
};
static bool plan_output(const struct ipv4_send *s, const struct ipv4_dst *d, size_t total, struct out_plan *p)
{
	bool locked;
	uint32_t path = pmtu_ipv4(d, s->dst, &locked);
	uint32_t dev = d->dev->mtu < PMTU_IPV4_MAX ? d->dev->mtu : PMTU_IPV4_MAX;
	uint8_t how = s->pmtudisc;
	p->mtu = how < IP_PMTUDISC_PROBE ? path : dev;
	if (s->tcp) {
		p->df = ipv4_dont_fragment(how, locked);
		if (p->df) /* cut to the path's MSS already; see above */
			p->mtu = dev;
		return total <= p->mtu || !p->df;
	}
	p->df = how == IP_PMTUDISC_DO || how == IP_PMTUDISC_PROBE ||
		(total <= path && ipv4_dont_fragment(how, locked));
	bool may_cut = how < IP_PMTUDISC_DO || how == IP_PMTUDISC_OMIT;
	return total <= p->mtu || may_cut;
}

/* ipv4_output on its route d. Owns nb. */
static int output_on(struct netbuf *nb, const struct ipv4_send *s, const struct ipv4_dst *d);

int ipv4_output(struct netbuf *nb, const struct ipv4_send *s)
{
	struct ipv4_dst d;
	IPV4_MIB_INC(out_requests);
	int err = s->route ? ipv4_route_lookup_cached(s->dst, s->dev, s->route, &d)
			   : ipv4_route_lookup(s->dst, s->dev, &d);
	if (err) {
		IPV4_MIB_INC(out_no_routes);
		netbuf_free(nb);
		return err;
	}
	err = output_on(nb, s, &d);
	netdev_put(d.dev); /* the lookup's */
	return err;
}

static int output_on(struct netbuf *nb, const struct ipv4_send *s, const struct ipv4_dst *dp)
{
	struct ipv4_dst d = *dp;
	size_t total = nb->len + IPV4_HDR_MIN;
	if (total > IPV4_MAX_LEN) {
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	struct out_plan plan;
	if (!plan_output(s, &d, total, &plan)) {
		IPV4_MIB_INC(frag_fails);
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	struct ipv4_info ip = { .tos = s->tos, .ttl = s->ttl ? s->ttl : net_sysctl_default_ttl(),
				.proto = s->proto, .total_len = (uint16_t)total, .df = plan.df,
				.src = s->src ? s->src : d.src, .dst = s->dst };
	ip.id = (uint16_t)__atomic_add_fetch(&ip_id, 1, __ATOMIC_RELAXED);
	if (total <= plan.mtu) {
		if (push_header(nb, &ip)) {
			netbuf_free(nb);
			return -ENOBUFS;
		}
		return transmit(nb, &d);
	}
	return fragment_and_send(nb, ip, &d, plan.mtu);
}

uint32_t ipv4_update_pmtu(uint32_t dst, uint32_t mtu, bool *locked_out)
{
	struct ipv4_dst d;
	bool locked = false;
	if (locked_out)
		*locked_out = false;
	if (ipv4_route_lookup(dst, NULL, &d))
		return 0;
	uint32_t old = d.local ? 0 : pmtu_ipv4(&d, dst, &locked);
	netdev_put(d.dev);
	if (old && old < mtu) {
		if (locked_out)
			*locked_out = locked;
		return old; /* only ever lower */
	}
	if (!old)
		return 0;
	locked = false;
	if (mtu < PMTU_MIN_V4) {
		locked = true;
		mtu = old < PMTU_MIN_V4 ? old : PMTU_MIN_V4;
	}
	struct in6 key = pmtu_key_v4(dst);
	pmtu_store(&key, mtu, locked);
	if (locked_out)
		*locked_out = locked;
	return mtu;
}
