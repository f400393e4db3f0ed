// SPDX-License-Identifier: MIT
/*
 * Kestrel: IPv4 fragment reassembly (net/ipv4.h) on the shared engine of
 * ip_frag.c, with Linux's IPv4 timeout: a datagram's fragments wait at
 * most 30 s (net.ipv4.ipfrag_time). A datagram is keyed by source,
 * destination, identification and protocol; the whole one keeps the
 * first fragment's header (options too), unfragmented, its length and
 * checksum rewritten. One whose first fragment came and that times out
 * earns its sender an ICMP time exceeded (fragment reassembly time
 * exceeded).
 *
 * Lock rule: the table's own (ip_frag.h); ICMP is sent outside it.
 */
#include "net/ipv4.h"
#include "net/icmp.h"
#include "net/ip_frag.h"
#include "net/netdev.h"
#include "lib/string.h"

#define FRAG_TIMEOUT_NS   (30ull * 1000000000ull)
#define IPV4_MAX_LEN      65535u
#define IPV4_LEN_OFF      2
#define IPV4_FRAG_OFF     6
#define IPV4_CSUM_OFF     10

/* The whole datagram's header: no MF, offset 0 (DF is gone too, as
 * Linux's), its total length and checksum. False past 65535 bytes (a
 * payload may end at 65535 only without options; Linux's "Oversized IP
 * packet"). */
static bool finish_v4(uint8_t *h, size_t hlen, uint32_t total, uint32_t cookie)
{
	(void)cookie;
	if (hlen + total > IPV4_MAX_LEN)
		return false;
	put_be16(h + IPV4_LEN_OFF, (uint16_t)(hlen + total));
	put_be16(h + IPV4_FRAG_OFF, 0);
	put_be16(h + IPV4_CSUM_OFF, 0);
	put_be16(h + IPV4_CSUM_OFF, csum_fold(csum_add(0, h, hlen)));
	return true;
}

static struct ip_frag_table table = IP_FRAG_TABLE_INIT(FRAG_TIMEOUT_NS, finish_v4);

struct netbuf *ipv4_reassemble(struct netbuf *nb, const struct ipv4_info *ip)
{
	struct ip_frag_key key = { 0 };
	memcpy(key.b, &ip->src, 4);
	memcpy(key.b + 4, &ip->dst, 4);
	memcpy(key.b + 8, &ip->id, 2);
	key.b[10] = ip->proto;
	struct ip_frag_piece p = {
		.off = ip->frag_off, .len = (uint32_t)ip->total_len - ip->hdr_len,
		.data_off = ip->hdr_len, .mf = ip->mf, .hdr_keep = ip->hdr_len,
	};
	bool failed;
	struct netbuf *whole = ip_frag_add(&table, nb, &key, &p, &failed);
	if (failed)
		IPV4_MIB_INC(reasm_fails);
	return whole;
}

void ipv4_frag_expire(uint64_t now)
{
	struct netbuf_queue quotes = { 0 };
	unsigned n = ip_frag_expire(&table, now, &quotes);
	for (unsigned i = 0; i < n; i++) {
		IPV4_MIB_INC(reasm_timeout);
		IPV4_MIB_INC(reasm_fails);
	}
	struct netbuf *nb;
	while ((nb = netbuf_dequeue(&quotes))) {
		struct netdev *dev = nb->dev; /* held by ip_frag_expire */
		if (nb->pkt_type == NETBUF_HOST)
			icmp_send_error(nb, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
		netbuf_free(nb);
		netdev_put(dev);
	}
}

void ipv4_frag_forget_dev(const struct netdev *dev)
{
	ip_frag_forget_dev(&table, dev);
}

size_t ipv4_frag_mem(void)
{
	return ip_frag_mem(&table);
}
