// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv6 packets in and out (net/ipv6.h). A received packet is
 * checked by ipv6_parse (wire6.c: the fixed header, then the extension
 * headers walked as Linux's host does; a refusal earns the parameter
 * problem it names), trimmed to its own length, taken when it is for
 * this host (one of its addresses, not tentative, on any device, as
 * Linux's weak host model; a multicast group the device joined), and
 * handed to its upper layer; an unknown one gets a parameter problem
 * (unrecognized next header). Kestrel does not forward: a packet for
 * another host is dropped and counted as InAddrErrors.
 *
 * Fragments are put together by ipv6_frag.c before the upper layer sees
 * the packet.
 *
 * Sending: the route gives the device, next hop and source (the
 * device's address of the destination's scope); the header goes in
 * front; the packet goes to Neighbor Discovery for the next hop, to the
 * group's 33:33 address for multicast, or back through lo for this host.
 * A packet longer than the link's MTU goes in fragments, each with
 * the unfragmentable IPv6 header and a fragment header (no path MTU is
 * kept yet: the link's, or an RA's, is the size).
 *
 * Lock rule: the protocol table is written at boot only; the counters
 * and the fragment identifier are atomic; the tables are addrconf.c's,
 * behind its lock.
 */
#include "net/ipv6.h"
#include "net/ether.h"
#include "net/icmp6.h"
#include "net/ndisc.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "uapi/in.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "time/time.h"

struct ipv6_mib ipv6_mib;
static const struct ipv6_protocol *protocols[256];
static uint32_t frag_id;
void (*ipv6_raw_hook)(const struct netbuf *nb, const struct ipv6_info *ip);

void ipv6_register_protocol(uint8_t proto, const struct ipv6_protocol *p)
{
	protocols[proto] = p;
}

void ipv6_init(void)
{
	frag_id = (uint32_t)time_ns();
}

/* ---- receive -------------------------------------------------------------------- */

static void drop(struct netbuf *nb)
{
	netbuf_free(nb);
}

/* The parser's verdict counted where Linux counts it, and the parameter
 * problem it asks for sent. */
static void refused(struct netbuf *nb, enum wire_err err, const struct ipv6_info *ip)
{
	if (err == WIRE_TRUNCATED) {
		IPV6_MIB_INC(in_truncated);
		return;
	}
	IPV6_MIB_INC(in_hdr_errors);
	if (ip->refusal.icmp)
		icmp6_send_error(nb, ICMPV6_PARAMPROB, ip->refusal.code, ip->refusal.pointer);
}

/* Is this packet for us: on lo anything; else one of our addresses
 * (not tentative: RFC 4862 5.4), or a group dev joined. */
static bool for_us(const struct netbuf *nb, const struct ipv6_info *ip)
{
	if (nb->dev->type == ARPHRD_LOOPBACK)
		return true;
	if (in6_is_multicast(&ip->dst))
		return ipv6_mc_joined(nb->dev->ifindex, &ip->dst);
	if (in6_is_loopback(&ip->dst))
		return false;
	return ipv6_addr_local(&ip->dst) == IPV6_LOCAL;
}

/* A source no wire may show: multicast, ::1, or (to anything but a DAD's
 * solicited-node group) one of ours, which ND's own checks see to. */
static bool martian_source(const struct netbuf *nb, const struct ipv6_info *ip)
{
	if (in6_is_multicast(&ip->src))
		return true;
	return nb->dev->type != ARPHRD_LOOPBACK && in6_is_loopback(&ip->src);
}

/* Hand a packet (data at its IPv6 header) to its upper layer. */
static void deliver(struct netbuf *nb, const struct ipv6_info *ip)
{
	const struct ipv6_protocol *p = protocols[ip->proto];
	netbuf_set_network(nb);
	if (ip->proto == NEXTHDR_NONE)
		return drop(nb);
	if (!p || !p->input) {
		IPV6_MIB_INC(in_unknown_protos);
		icmp6_send_error(nb, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR, ip->nh_off);
		return drop(nb);
	}
	IPV6_MIB_INC(in_delivers);
	netbuf_pull(nb, ip->l4_off);
	netbuf_set_transport(nb);
	if (ipv6_raw_hook)
		ipv6_raw_hook(nb, ip);
	p->input(nb, ip);
}

void ipv6_input(struct netbuf *nb)
{
	struct ipv6_info ip;
	IPV6_MIB_INC(in_receives);
	if (nb->pkt_type == NETBUF_MULTICAST)
		IPV6_MIB_INC(in_mcast_pkts);
	enum wire_err err = ipv6_parse(nb->data, nb->len, &ip);
	if (err == WIRE_TRUNCATED) { /* else its addresses are read, and checked first */
		refused(nb, err, &ip);
		return drop(nb);
	}
	netbuf_trim(nb, IPV6_HDR_LEN + (size_t)ip.payload_len); /* link padding */
	if (!for_us(nb, &ip) || martian_source(nb, &ip)) {
		IPV6_MIB_INC(in_addr_errors);
		return drop(nb);
	}
	if (err != WIRE_OK) {
		refused(nb, err, &ip);
		return drop(nb);
	}
	if (ip.proto == NEXTHDR_FRAGMENT) {
		IPV6_MIB_INC(reasm_reqds);
		if (!(nb = ipv6_reassemble(nb, &ip)))
			return;
		IPV6_MIB_INC(reasm_oks);
		if (ipv6_parse(nb->data, nb->len, &ip) != WIRE_OK || ip.proto == NEXTHDR_FRAGMENT) {
			IPV6_MIB_INC(in_hdr_errors); /* a fragment inside a fragment, or a header cut by one */
			return drop(nb);
		}
	}
	deliver(nb, &ip);
}

#define IPV6_NEXTHDR_OFF 6 /* the next header's offset in the header */

bool ipv6_nolock_may(const uint8_t *pkt, size_t len)
{
	if (len < IPV6_HDR_LEN)
		return false;
	const struct ipv6_protocol *p = protocols[pkt[IPV6_NEXTHDR_OFF]];
	return p && p->input_nolock && p->input_nolock_may(pkt + IPV6_HDR_LEN, len - IPV6_HDR_LEN);
}

bool ipv6_input_nolock(struct netbuf *nb)
{
	struct ipv6_info ip;
	if (ipv6_parse(nb->data, nb->len, &ip) != WIRE_OK || ip.proto != ip.next_hdr ||
	    ip.l4_off != IPV6_HDR_LEN || IPV6_HDR_LEN + (size_t)ip.payload_len != nb->len)
		return false; /* an extension header, or padding to trim */
	const struct ipv6_protocol *p = protocols[ip.proto];
	if (!p || !p->input_nolock || !for_us(nb, &ip) || martian_source(nb, &ip))
		return false;
	struct netbuf_mark m;
	netbuf_enter_transport(nb, ip.l4_off, &m);
	if (!p->input_nolock(nb, &ip)) {
		netbuf_leave_transport(nb, &m);
		return false;
	}
	IPV6_MIB_INC(in_receives);
	if (nb->pkt_type == NETBUF_MULTICAST)
		IPV6_MIB_INC(in_mcast_pkts);
	IPV6_MIB_INC(in_delivers);
	return true;
}

void ipv6_deliver_error(const struct icmp6_info *ic, const struct in6 *from)
{
	const struct ipv6_protocol *p = protocols[ic->inner.proto];
	if (p && p->err)
		p->err(ic, from);
}

/* ---- send ----------------------------------------------------------------------- */

int ipv6_route_lookup(const struct in6 *dst, struct netdev *dev, struct ipv6_dst *out)
{
	memset(out, 0, sizeof(*out));
	if (ipv6_addr_local(dst) != IPV6_NOT_LOCAL || in6_is_loopback(dst)) {
		struct netdev *lo = netdev_loopback();
		if (!lo || !(lo->flags & IFF_UP))
			return -ENETUNREACH;
		netdev_hold(lo);
		out->dev = lo;
		out->nexthop = *dst;
		out->src = *dst;
		out->local = true;
		return 0;
	}
	if (in6_is_multicast(dst) || in6_is_linklocal(dst)) {
		if (!dev)
			return -EINVAL; /* which link? (a scope id, or a bound device, says) */
		if (!(dev->flags & IFF_UP))
			return -ENETUNREACH;
		netdev_hold(dev);
		out->dev = dev;
		out->nexthop = *dst;
		return ipv6_select_source(dev, dst, &out->src);
	}
	struct ipv6_route r;
	int err = ipv6_fib_lookup(dst, dev, &r);
	if (err)
		return err;
	out->dev = netdev_by_index(r.ifindex);
	if (!out->dev)
		return -ENETUNREACH;
	out->nexthop = in6_is_any(&r.gateway) ? *dst : r.gateway;
	return ipv6_select_source(out->dev, dst, &out->src);
}

/* To the next hop: back through lo, to a group's address, or through ND. Owns nb. */
static int transmit(struct netbuf *nb, const struct ipv6_dst *d, const struct in6 *dst)
{
	static const uint8_t zero_mac[ETH_ALEN];
	if (d->dev->type == ARPHRD_LOOPBACK)
		return ether_output(d->dev, nb, zero_mac, ETH_P_IPV6);
	if (in6_is_multicast(dst)) {
		uint8_t mac[ETH_ALEN];
		in6_mc_mac(dst, mac);
		IPV6_MIB_INC(out_mcast_pkts);
		return ether_output(d->dev, nb, mac, ETH_P_IPV6);
	}
	return ndisc_output(d->dev, &d->nexthop, nb);
}

/* One fragment of nb's payload [off, off + n) behind ip's header and a
 * fragment header (RFC 8200 4.5), as a new packet. */
static struct netbuf *fragment(const struct netbuf *nb, size_t off, size_t n, const struct ipv6_info *ip,
			       uint32_t id, bool more)
{
	struct netbuf *f = netbuf_alloc(NETBUF_HEADROOM, n);
	if (!f)
		return NULL;
	memcpy(netbuf_put(f, n), nb->data + off, n);
	uint8_t *fh = netbuf_push(f, IPV6_FRAG_HDR_LEN);
	uint8_t *h = fh ? netbuf_push(f, IPV6_HDR_LEN) : NULL;
	if (!h) {
		netbuf_free(f);
		return NULL;
	}
	fh[0] = ip->next_hdr;
	fh[1] = 0;
	put_be16(fh + 2, (uint16_t)(off | (more ? 1 : 0)));
	put_be32(fh + 4, id);
	struct ipv6_info fi = *ip;
	fi.next_hdr = NEXTHDR_FRAGMENT;
	fi.payload_len = (uint16_t)(IPV6_FRAG_HDR_LEN + n);
	ipv6_build(h, &fi);
	netbuf_set_network(f);
	f->protocol = ETH_P_IPV6;
	return f;
}

/* nb's payload in fragments that fit mtu. Owns nb. */
static int fragment_and_send(struct netbuf *nb, const struct ipv6_info *ip, const struct ipv6_dst *d,
			     uint32_t mtu)
{
	size_t step = ((mtu - IPV6_HDR_LEN - IPV6_FRAG_HDR_LEN) / 8) * 8;
	uint32_t id = __atomic_add_fetch(&frag_id, 1, __ATOMIC_RELAXED);
	int err = 0;
	netbuf_csum_finish(nb); /* no fragment carries the whole to sum */
	for (size_t off = 0; off < nb->len && !err; off += step) {
		size_t n = nb->len - off < step ? nb->len - off : step;
		struct netbuf *f = fragment(nb, off, n, ip, id, off + n < nb->len);
		if (!f) {
			IPV6_MIB_INC(frag_fails);
			err = -ENOBUFS;
			break;
		}
		IPV6_MIB_INC(frag_creates);
		err = transmit(f, d, &ip->dst);
	}
	if (!err)
		IPV6_MIB_INC(frag_oks);
	netbuf_free(nb);
	return err;
}

/* The size a packet of s to d must fit or be cut to (Linux's
 * ip6_setup_cork: the path's MTU under IPV6_PMTUDISC_DONT, WANT and DO,
 * the device's under PROBE and after; the socket's IPV6_MTU if lower). */
static uint32_t out_mtu(const struct ipv6_send *s, const struct ipv6_dst *d)
{
	uint32_t mtu;
	if (s->pmtudisc < IP_PMTUDISC_PROBE) {
		mtu = pmtu_ipv6(d, &s->dst);
	} else {
		mtu = ipv6_dev_mtu(d->dev);
		mtu = mtu < PMTU_IPV6_MAX ? mtu : PMTU_IPV6_MAX;
	}
	return s->frag_size && s->frag_size < mtu ? s->frag_size : mtu;
}

/* May this host cut a packet too long for its path (Linux's ip6_sk_ignore_df)? */
static bool may_fragment(uint8_t pmtudisc)
{
	return pmtudisc < IP_PMTUDISC_DO || pmtudisc == IP_PMTUDISC_OMIT;
}

/* ipv6_output on its route d. Owns nb. */
static int output_on(struct netbuf *nb, const struct ipv6_send *s, const struct ipv6_dst *dp, bool own_src);

int ipv6_output(struct netbuf *nb, const struct ipv6_send *s)
{
	struct ipv6_dst d;
	IPV6_MIB_INC(out_requests);
	int err = ipv6_route_lookup(&s->dst, s->dev, &d);
	bool own_src = s->src_fixed || !in6_is_any(&s->src);
	if (err == -EADDRNOTAVAIL && own_src)
		err = 0; /* the sender chose its source itself (ND's probes from ::) */
	if (err) {
		IPV6_MIB_INC(out_no_routes);
		netbuf_free(nb);
	} else {
		err = output_on(nb, s, &d, own_src);
	}
	netdev_put(d.dev); /* the lookup's */
	return err;
}

static int output_on(struct netbuf *nb, const struct ipv6_send *s, const struct ipv6_dst *dp, bool own_src)
{
	struct ipv6_dst d = *dp;
	size_t plen = nb->len;
	uint32_t mtu = out_mtu(s, &d);
	if (plen > 0xffff || (plen + IPV6_HDR_LEN > mtu && !may_fragment(s->pmtudisc))) {
		IPV6_MIB_INC(frag_fails);
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	struct ipv6_info ip = { .tclass = s->tclass, .payload_len = (uint16_t)plen, .next_hdr = s->proto,
				.hop_limit = (uint8_t)(s->hops >= 0 ? s->hops : ipv6_dev_hops(d.dev)),
				.src = own_src ? s->src : d.src, .dst = s->dst };
	if (plen + IPV6_HDR_LEN > mtu)
		return fragment_and_send(nb, &ip, &d, mtu < IPV6_MIN_MTU ? IPV6_MIN_MTU : mtu);
	/* a checksum left partial (TCP's) is finished by netdev_xmit, or not
	 * at all on lo, whose receiver is told it is right */
	uint8_t *h = netbuf_push(nb, IPV6_HDR_LEN);
	if (!h) {
		IPV6_MIB_INC(out_discards);
		netbuf_free(nb);
		return -ENOBUFS;
	}
	ipv6_build(h, &ip);
	netbuf_set_network(nb);
	nb->protocol = ETH_P_IPV6;
	return transmit(nb, &d, &s->dst);
}

uint32_t ipv6_update_pmtu(const struct in6 *dst, int ifindex, uint32_t mtu)
{
	struct ipv6_dst d;
	struct netdev *link = in6_is_linklocal(dst) || in6_is_multicast(dst) ? netdev_by_index(ifindex) : NULL;
	int err = ipv6_route_lookup(dst, link, &d);
	uint32_t old = err || d.local ? 0 : pmtu_ipv6(&d, dst);
	netdev_put(d.dev);
	netdev_put(link);
	if (!old)
		return 0;
	if (mtu < PMTU_MIN_V6)
		mtu = PMTU_MIN_V6;
	if (mtu >= old)
		return old;
	pmtu_store(dst, mtu, false);
	return mtu;
}
