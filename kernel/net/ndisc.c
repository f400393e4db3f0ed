// SPDX-License-Identifier: MIT
/*
 * Kestrel: Neighbor Discovery (net/ndisc.h), IPv6's half of the
 * neighbour cache over Ethernet: the table, its states and times are
 * neigh.c's (RFC 4861 7.3's states); here are ND's messages. An address
 * ND gives up on earns the waiting packets' senders an ICMPv6 address
 * unreachable.
 *
 * Received: a solicitation for one of this host's addresses is answered
 * (solicited, override, our link-layer address) and leaves its sender in
 * the cache (STALE) when it named its own; a DAD probe (from ::) for an
 * address this host is still testing fails that address's DAD (addrconf),
 * for one it has is answered to all-nodes. An advertisement completes or
 * updates an entry that exists (RFC 4861 7.2.5), never makes one; for an
 * address this host is testing it fails DAD. A router advertisement goes
 * to addrconf. Every ND message must come with hop limit 255 (it was not
 * forwarded: RFC 4861 7.1).
 *
 * Lock rule: the table's own (neigh.h); this file keeps no state.
 */
#include "net/ndisc.h"
#include "net/neigh.h"
#include "net/ether.h"
#include "net/icmp6.h"
#include "net/ipv6.h"
#include "net/netdev.h"
#include "lib/string.h"

static void solicit_v6(struct netdev *dev, const uint8_t *key, const uint8_t *mac);
static void unreachable_v6(struct netbuf *nb);

static const struct neigh_ops nd_ops = {
	.ethertype = ETH_P_IPV6, .v6 = true, .solicit = solicit_v6, .unreachable = unreachable_v6,
};
static struct neigh_entry entries[NDISC_CACHE_MAX];
static struct neigh_table table = NEIGH_TABLE_INIT(&nd_ops, sizeof(struct in6), entries);

/* ---- sending ----------------------------------------------------------------------- */

/* A link-layer address option (type, our MAC) at p: its 8 bytes. */
static size_t put_ll_option(uint8_t *p, uint8_t type, const struct netdev *dev)
{
	p[0] = type;
	p[1] = 1;
	memcpy(p + 2, dev->mac, ETH_ALEN);
	return ND_OPT_LL_LEN;
}

/* An ND message of len bytes, its header and body filled by the caller. */
static struct netbuf *nd_alloc(size_t len)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (nb)
		memset(netbuf_put(nb, len), 0, len);
	return nb;
}

/* Send the message nb from src to dst (to mac when not NULL: a unicast
 * probe before ND knows it, as Linux's ndisc_send_skb). */
static void nd_send(struct netdev *dev, struct netbuf *nb, const struct in6 *src, const struct in6 *dst,
		    const uint8_t *mac)
{
	if (!mac) {
		icmp6_send(nb, src, dst, dev, ND_HOP_LIMIT);
		return;
	}
	struct ipv6_info ip = { .payload_len = (uint16_t)nb->len, .next_hdr = NEXTHDR_ICMP,
				.hop_limit = ND_HOP_LIMIT, .src = *src, .dst = *dst };
	icmp6_set_csum(nb->data, nb->len, src, dst);
	uint8_t *h = netbuf_push(nb, IPV6_HDR_LEN);
	if (!h) {
		netbuf_free(nb);
		return;
	}
	ipv6_build(h, &ip);
	__atomic_add_fetch(&icmp6_mib.out_msgs, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&icmp6_mib.out_type[NDISC_NEIGHBOUR_SOLICIT], 1, __ATOMIC_RELAXED);
	ether_output(dev, nb, mac, ETH_P_IPV6);
}

/* A solicitation for target: to its solicited-node group, or to mac (a probe). */
static void send_ns(struct netdev *dev, const struct in6 *src, const struct in6 *target, const uint8_t *mac)
{
	bool dad = in6_is_any(src);
	struct netbuf *nb = nd_alloc(ND_NS_LEN + (dad ? 0 : ND_OPT_LL_LEN));
	if (!nb)
		return;
	nb->data[0] = NDISC_NEIGHBOUR_SOLICIT;
	memcpy(nb->data + 8, target->b, 16);
	if (!dad)
		put_ll_option(nb->data + ND_NS_LEN, ND_OPT_SOURCE_LL_ADDR, dev);
	struct in6 dst = *target;
	if (!mac)
		in6_solicited_node(target, &dst);
	nd_send(dev, nb, src, &dst, mac);
}

void ndisc_send_ns(struct netdev *dev, const struct in6 *src, const struct in6 *target)
{
	send_ns(dev, src, target, NULL);
}

void ndisc_send_rs(struct netdev *dev, const struct in6 *src)
{
	static const struct in6 all_routers = { { 0xff, 0x02, [15] = 2 } };
	bool bare = in6_is_any(src);
	struct netbuf *nb = nd_alloc(ND_RS_LEN + (bare ? 0 : ND_OPT_LL_LEN));
	if (!nb)
		return;
	nb->data[0] = NDISC_ROUTER_SOLICIT;
	if (!bare)
		put_ll_option(nb->data + ND_RS_LEN, ND_OPT_SOURCE_LL_ADDR, dev);
	nd_send(dev, nb, src, &all_routers, NULL);
}

/* An advertisement for target (ours) to dst: solicited when answering one. */
static void send_na(struct netdev *dev, const struct in6 *target, const struct in6 *dst, bool solicited)
{
	struct netbuf *nb = nd_alloc(ND_NS_LEN + ND_OPT_LL_LEN);
	if (!nb)
		return;
	nb->data[0] = NDISC_NEIGHBOUR_ADVERT;
	put_be32(nb->data + 4, ND_NA_OVERRIDE | (solicited ? ND_NA_SOLICITED : 0));
	memcpy(nb->data + 8, target->b, 16);
	put_ll_option(nb->data + ND_NS_LEN, ND_OPT_TARGET_LL_ADDR, dev);
	icmp6_send(nb, target, dst, dev, ND_HOP_LIMIT);
}

/* The table's solicitation: from the best source dev has for the target
 * (none yet: not asked), to its solicited-node group or to mac. */
static void solicit_v6(struct netdev *dev, const uint8_t *key, const uint8_t *mac)
{
	struct in6 target, src;
	memcpy(target.b, key, sizeof(target.b));
	if (!ipv6_select_source(dev, &target, &src))
		send_ns(dev, &src, &target, mac);
}

static void unreachable_v6(struct netbuf *nb)
{
	icmp6_send_error(nb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

/* ---- output ------------------------------------------------------------------------ */

int ndisc_output(struct netdev *dev, const struct in6 *nexthop, struct netbuf *nb)
{
	return neigh_output(&table, dev, nexthop->b, nb);
}

/* ---- input ------------------------------------------------------------------------- */

static void ns_rcv(struct netdev *dev, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	enum ipv6_local mine = ipv6_addr_local(&ic->target);
	if (mine == IPV6_NOT_LOCAL)
		return; /* not a target of ours (no proxy ND) */
	if (in6_is_any(&ip->src)) { /* someone's DAD probe */
		static const struct in6 all_nodes = { { 0xff, 0x02, [15] = 1 } };
		if (mine == IPV6_LOCAL_TENTATIVE)
			addrconf_dad_conflict(dev, &ic->target); /* ours fails; a failed one is never defended */
		else
			send_na(dev, &ic->target, &all_nodes, false);
		return;
	}
	if (mine == IPV6_LOCAL_TENTATIVE)
		return; /* RFC 4862 5.4.3: silently ignored while testing */
	if (ic->has_sll)
		neigh_update(&table, dev->ifindex, ip->src.b, ic->sll, NEIGH_CREATE | NEIGH_OVERRIDE);
	send_na(dev, &ic->target, &ip->src, true);
}

static void na_rcv(struct netdev *dev, const struct icmp6_info *ic)
{
	if (ipv6_addr_local(&ic->target) != IPV6_NOT_LOCAL) {
		addrconf_dad_conflict(dev, &ic->target); /* a tentative one fails; else another claims ours */
		return;
	}
	if (!ic->has_tll)
		return; /* Ethernet always says it; without, nothing to learn */
	neigh_update(&table, dev->ifindex, ic->target.b, ic->tll,
		     NEIGH_SET_ROUTER | (ic->flags & ND_NA_ROUTER ? NEIGH_ROUTER : 0) |
		     (ic->flags & ND_NA_SOLICITED ? NEIGH_SOLICITED : 0) |
		     (ic->flags & ND_NA_OVERRIDE ? NEIGH_OVERRIDE : 0));
}

void ndisc_rcv(const struct netbuf *nb, const struct ipv6_info *ip, const struct icmp6_info *ic)
{
	struct netdev *dev = nb->dev;
	if (ip->hop_limit != ND_HOP_LIMIT || dev->type != ARPHRD_ETHER)
		return; /* forwarded, or on lo: not a neighbour's */
	switch (ic->type) {
	case NDISC_NEIGHBOUR_SOLICIT:
		ns_rcv(dev, ip, ic);
		break;
	case NDISC_NEIGHBOUR_ADVERT:
		na_rcv(dev, ic);
		break;
	case NDISC_ROUTER_ADVERT:
		addrconf_ra(dev, ip, ic);
		break;
	default:
		break; /* RS: a host ignores them; redirects are not followed */
	}
}

void ndisc_learn(struct netdev *dev, const struct in6 *addr, const uint8_t mac[6], bool router)
{
	neigh_update(&table, dev->ifindex, addr->b, mac,
		     NEIGH_CREATE | NEIGH_OVERRIDE | NEIGH_SET_ROUTER | (router ? NEIGH_ROUTER : 0));
}

/* ---- time, and the table as ip -6 neigh sees it ---------------------------------------- */

void ndisc_timer(uint64_t now)
{
	neigh_timer(&table, now);
}

void ndisc_flush_dev(int ifindex)
{
	neigh_flush_dev(&table, ifindex, true); /* neigh_ifdown: the permanent ones too */
}

void ndisc_forget_dev(int ifindex)
{
	neigh_flush_dev(&table, ifindex, true);
}

bool ndisc_entry_get(unsigned i, struct ndisc_entry_info *out)
{
	struct neigh_info n;
	if (!neigh_get(&table, i, &n))
		return false;
	*out = (struct ndisc_entry_info){ .ifindex = n.ifindex, .state = n.state, .router = n.router };
	memcpy(out->addr.b, n.key, sizeof(out->addr.b));
	memcpy(out->mac, n.mac, ETH_ALEN);
	return true;
}

int ndisc_entry_set(int ifindex, const struct in6 *addr, const uint8_t mac[6])
{
	return neigh_set_permanent(&table, ifindex, addr->b, mac);
}

int ndisc_entry_del(int ifindex, const struct in6 *addr)
{
	return neigh_delete(&table, ifindex, addr->b);
}
