// SPDX-License-Identifier: MIT
/*
 * Kestrel: ICMPv6 (net/icmp6.h). An echo request to this host, or to a
 * group it joined (Linux's icmpv6_echo_ignore_multicast 0), is answered
 * with the same identifier, sequence and data, from the address it was
 * sent to (or, for a group, the route's source); an error from the
 * network (unreachable, packet too big, time exceeded, parameter
 * problem) is handed to the err handler of the protocol it quotes;
 * Neighbor Discovery's messages go to net/ndisc.c; an MLD query is
 * answered with a report of the device's groups (addrconf.c).
 *
 * Packet too big: the error reaches the protocol (a socket hears
 * EMSGSIZE with IPV6_RECVERR), but no path MTU is kept yet, since
 * Kestrel sends no fragments: a datagram longer than the link's MTU is
 * refused at the send.
 *
 * Lock rule: the rate limiter's bucket under its lock (icmp.h's
 * icmp_bucket); nothing else is kept.
 */
#include "net/icmp.h"
#include "net/icmp6.h"
#include "net/ipv6.h"
#include "net/ndisc.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define ICMP6_RATE_PER_SEC  1000      /* net.ipv6.icmp.ratelimit's 1 ms, as a bucket */
#define ICMP6_RATE_BURST    50

struct icmp6_mib icmp6_mib;
bool (*icmp6_ping_hook)(const struct netbuf *nb, const struct ipv6_info *ip, const struct icmp6_info *ic);

static struct icmp_bucket errors = ICMP_BUCKET(ICMP6_RATE_PER_SEC, ICMP6_RATE_BURST);

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- sending ------------------------------------------------------------------ */

int icmp6_send(struct netbuf *nb, const struct in6 *src, const struct in6 *dst, struct netdev *dev, int hops)
{
	struct ipv6_send s = { .dst = *dst, .proto = NEXTHDR_ICMP, .hops = hops, .dev = dev, .src_fixed = src != NULL };
	if (src) {
		s.src = *src;
	} else {
		struct ipv6_dst d;
		int err = ipv6_route_lookup(dst, dev, &d);
		netdev_put(d.dev); /* only its source wanted */
		if (err) {
			count(&icmp6_mib.out_errors);
			netbuf_free(nb);
			return err;
		}
		s.src = d.src;
	}
	icmp6_set_csum(nb->data, nb->len, &s.src, dst);
	count(&icmp6_mib.out_msgs);
	count(&icmp6_mib.out_type[nb->data[0]]);
	int err = ipv6_output(nb, &s);
	if (err)
		count(&icmp6_mib.out_errors);
	return err;
}

/* May this packet get an error (RFC 4443 2.4 e)? */
static bool may_answer(const struct netbuf *orig, const struct ipv6_info *ip, uint8_t type, uint8_t code)
{
	if (in6_is_any(&ip->src) || in6_is_multicast(&ip->src))
		return false;
	bool to_group = in6_is_multicast(&ip->dst) || orig->pkt_type == NETBUF_MULTICAST ||
			orig->pkt_type == NETBUF_BROADCAST;
	if (to_group && type != ICMPV6_PKT_TOOBIG && !(type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_OPTION))
		return false;
	if (ip->proto != NEXTHDR_ICMP || ip->l4_off >= IPV6_HDR_LEN + (size_t)ip->payload_len)
		return true;
	uint8_t t = orig->data[ip->l4_off]; /* never about an error, nor a redirect */
	return t >= ICMPV6_ECHO_REQUEST && t != NDISC_REDIRECT;
}

void icmp6_send_error(const struct netbuf *orig, uint8_t type, uint8_t code, uint32_t info)
{
	struct ipv6_info ip;
	enum wire_err e = ipv6_parse(orig->data, orig->len, &ip);
	if (e == WIRE_TRUNCATED || !may_answer(orig, &ip, type, code))
		return;
	if (!icmp_bucket_take(&errors)) {
		count(&icmp6_mib.out_rate_limit);
		return;
	}
	/* as much of it as fits in the minimum MTU (RFC 4443 2.4 c) */
	size_t room = IPV6_MIN_MTU - IPV6_HDR_LEN - ICMPV6_HDR_LEN;
	size_t quote = orig->len < room ? orig->len : room;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, ICMPV6_HDR_LEN + quote);
	if (!nb)
		return;
	uint8_t *p = netbuf_put(nb, ICMPV6_HDR_LEN + quote);
	p[0] = type;
	p[1] = code;
	put_be32(p + 4, info);
	memcpy(p + ICMPV6_HDR_LEN, orig->data, quote);
	/* from the address it was sent to when that is ours, else the route's */
	bool ours = ipv6_addr_local(&ip.dst) == IPV6_LOCAL;
	icmp6_send(nb, ours ? &ip.dst : NULL, &ip.src, orig->dev, -1);
}

/* ---- receiving ------------------------------------------------------------------- */

/* Answer an echo request: the same message back, type 129. */
static void echo(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct netbuf *r = netbuf_alloc(NETBUF_HEADROOM, nb->len);
	if (!r)
		return;
	memcpy(netbuf_put(r, nb->len), nb->data, nb->len);
	r->data[0] = ICMPV6_ECHO_REPLY;
	r->data[1] = 0;
	icmp6_send(r, in6_is_multicast(&ip->dst) ? NULL : &ip->dst, &ip->src, nb->dev, -1);
}

static void icmp6_input(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct icmp6_info ic;
	enum wire_err err = icmp6_parse(nb->data, nb->len, &ip->src, &ip->dst, &ic);

	count(&icmp6_mib.in_msgs);
	if (err != WIRE_OK) {
		count(&icmp6_mib.in_errors);
		if (err == WIRE_BAD_CSUM)
			count(&icmp6_mib.in_csum_errors);
		netbuf_free(nb);
		return;
	}
	count(&icmp6_mib.in_type[ic.type]);
	if (ic.type == ICMPV6_ECHO_REQUEST)
		echo(nb, ip);
	else if (ic.type == ICMPV6_ECHO_REPLY && icmp6_ping_hook)
		icmp6_ping_hook(nb, ip, &ic);
	else if (ic.type >= NDISC_ROUTER_SOLICIT && ic.type <= NDISC_REDIRECT)
		ndisc_rcv(nb, ip, &ic);
	else if (ic.type == ICMPV6_MLD_QUERY && nb->dev->type == ARPHRD_ETHER && in6_is_linklocal(&ip->src) &&
		 ip->hop_limit == 1)
		addrconf_mld_query(nb->dev); /* RFC 3810 5.1.14's checks, briefly */
	else if (ic.has_inner) {
		ic.ifindex = nb->dev ? nb->dev->ifindex : 0; /* a link-local quote's link (the path MTU cache's) */
		ipv6_deliver_error(&ic, &ip->src);
	}
	netbuf_free(nb);
}

/* Linux's icmpv6_err_convert: destination unreachable's codes as errnos. */
static const struct {
	uint8_t err;
	bool hard;
} unreach_err[] = {
	{ ENETUNREACH, false }, { EACCES, true }, { EHOSTUNREACH, false }, { EHOSTUNREACH, false },
	{ ECONNREFUSED, true }, { EACCES, true }, { EACCES, true },
};

bool icmp6_err_convert(const struct icmp6_info *ic, int *err, bool *hard)
{
	switch (ic->type) {
	case ICMPV6_DEST_UNREACH:
		if (ic->code >= sizeof(unreach_err) / sizeof(unreach_err[0]))
			return false;
		*err = unreach_err[ic->code].err, *hard = unreach_err[ic->code].hard;
		return true;
	case ICMPV6_PKT_TOOBIG:
		*err = EMSGSIZE, *hard = false;
		return true;
	case ICMPV6_PARAMPROB:
		*err = EPROTO, *hard = true;
		return true;
	case ICMPV6_TIME_EXCEED:
		*err = EHOSTUNREACH, *hard = false;
		return true;
	default:
		return false;
	}
}

static const struct ipv6_protocol icmp6_protocol = { .input = icmp6_input };

void icmp6_init(void)
{
	ipv6_register_protocol(NEXTHDR_ICMP, &icmp6_protocol);
}
