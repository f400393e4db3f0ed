// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv6 fragment reassembly (net/ipv6.h) on the shared engine of
 * ip_frag.c, with Linux's IPv6 timeout: a datagram's fragments wait at
 * most 60 s (net.ipv6.ip6frag_time). A datagram is keyed by source,
 * destination and identification; the whole packet is the first
 * fragment's unfragmentable part (the IPv6 header and the extension
 * headers before the fragment header), its next-header byte now naming
 * what the fragment header named, and the payloads in order. One whose
 * first fragment came and that times out earns its sender an ICMPv6 time
 * exceeded (fragment reassembly).
 *
 * Lock rule: the table's own (ip_frag.h); ICMPv6 is sent outside it.
 */
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "net/ip_frag.h"
#include "net/netdev.h"
#include "lib/string.h"

#define FRAG_TIMEOUT_NS   (60ull * 1000000000ull)
#define IPV6_MAX_PLEN     65535u
#define IP6_PLEN_OFF      4
#define COOKIE_NH_SHIFT   8           /* cookie: the naming byte's offset << 8 | the next header */
#define COOKIE_NH_MASK    0xffu

/* The whole packet's header: the byte that named the fragment header
 * names what it carried, and the payload length covers it all. False
 * past 65535 bytes of payload (no jumbograms). */
static bool finish_v6(uint8_t *h, size_t hlen, uint32_t total, uint32_t cookie)
{
	if (hlen - IPV6_HDR_LEN + total > IPV6_MAX_PLEN)
		return false;
	h[cookie >> COOKIE_NH_SHIFT] = (uint8_t)(cookie & COOKIE_NH_MASK);
	put_be16(h + IP6_PLEN_OFF, (uint16_t)(hlen - IPV6_HDR_LEN + total));
	return true;
}

static struct ip_frag_table table = IP_FRAG_TABLE_INIT(FRAG_TIMEOUT_NS, finish_v6);

struct netbuf *ipv6_reassemble(struct netbuf *nb, const struct ipv6_info *ip)
{
	struct ip_frag_key key = { 0 };
	memcpy(key.b, &ip->src, sizeof(ip->src));
	memcpy(key.b + 16, &ip->dst, sizeof(ip->dst));
	memcpy(key.b + 32, &ip->frag_id, 4);
	struct ip_frag_piece p = {
		.off = ip->frag_off, .len = (uint32_t)IPV6_HDR_LEN + ip->payload_len - ip->l4_off,
		.data_off = ip->l4_off, .mf = ip->frag_mf, .hdr_keep = ip->frag_hdr_off,
		.cookie = (uint32_t)ip->nh_off << COOKIE_NH_SHIFT | ip->frag_nexthdr,
	};
	bool failed;
	struct netbuf *whole = ip_frag_add(&table, nb, &key, &p, &failed);
	if (failed)
		IPV6_MIB_INC(reasm_fails);
	return whole;
}

void ipv6_frag_expire(uint64_t now)
{
	struct netbuf_queue quotes = { 0 };
	unsigned n = ip_frag_expire(&table, now, &quotes);
	for (unsigned i = 0; i < n; i++) {
		IPV6_MIB_INC(reasm_timeout);
		IPV6_MIB_INC(reasm_fails);
	}
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&quotes))) {
		struct netdev *dev = nb->dev; /* held by ip_frag_expire */
		if (nb->pkt_type == NETBUF_HOST)
			icmp6_send_error(nb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_FRAGTIME, 0);
		netbuf_free(nb);
		netdev_put(dev);
	}
}

void ipv6_frag_forget_dev(const struct netdev *dev)
{
	ip_frag_forget_dev(&table, dev);
}

size_t ipv6_frag_mem(void)
{
	return ip_frag_mem(&table);
}
