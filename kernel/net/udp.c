// SPDX-License-Identifier: MIT
/*
 * Kestrel: UDP over IPv4 (net/udp.h). A datagram is checked by
 * udp_parse (length field, checksum with the pseudo-header), trimmed to
 * its own length, and offered to the socket layer; when no socket takes
 * it, a unicast one earns its sender an ICMP port unreachable, as Linux.
 *
 * Lock rule: no state but the atomic counters and the hook, set at boot.
 */
#include "net/udp.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "uapi/in.h"

struct udp_mib udp_mib;
bool (*udp_deliver_hook)(struct netbuf *nb, const struct ipv4_info *ip, const struct udp_info *u);
void (*udp_err_hook)(const struct icmp_info *ic, uint32_t from);

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* No socket: port unreachable for a unicast datagram (icmp_send_error
 * leaves out broadcasts), with the IP header in front again. */
static void no_port(struct netbuf *nb)
{
	count(&udp_mib.no_ports);
	size_t hlen = (size_t)(nb->data - netbuf_network(nb));
	netbuf_push(nb, hlen);
	icmp_send_error(nb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	netbuf_free(nb);
}

static void udp_input(struct netbuf *nb, const struct ipv4_info *ip)
{
	struct udp_info u;
	enum wire_err err = udp_parse(nb->data, nb->len, ip->src, ip->dst, &u);
	if (err != WIRE_OK) {
		count(&udp_mib.in_errors);
		if (err == WIRE_BAD_CSUM)
			count(&udp_mib.in_csum_errors);
		netbuf_free(nb);
		return;
	}
	netbuf_trim(nb, u.len);
	netbuf_pull(nb, UDP_HDR_LEN);
	if (udp_deliver_hook && udp_deliver_hook(nb, ip, &u)) {
		count(&udp_mib.in_datagrams);
		return;
	}
	netbuf_push(nb, UDP_HDR_LEN);
	no_port(nb);
}

static void udp_err(const struct icmp_info *ic, uint32_t from)
{
	if (udp_err_hook)
		udp_err_hook(ic, from);
}

static const struct ipv4_protocol udp_protocol = { .input = udp_input, .err = udp_err };

void udp_init(void)
{
	ipv4_register_protocol(IPPROTO_UDP, &udp_protocol);
}
