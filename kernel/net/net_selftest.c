// SPDX-License-Identifier: MIT
/*
 * Kestrel: the network stack's in-kernel self-tests: an ICMP echo over
 * lo (the whole path: IPv4 out, lo, the network thread, IPv4 in, ICMP's
 * answer, back), one over lo big enough to need the largest buffers, and
 * an echo to the default gateway or the DHCP server when ip= configured
 * one (skipped without a network, as every test that needs a device is).
 */
#include "net/icmp.h"
#include "net/ipconfig.h"
#include "net/ipv4.h"
#include "net/net.h"
#include "net/netdev.h"
#include "lib/string.h"
#include "proc/sched.h"
#include "test/selftest.h"
#include "time/time.h"
#include "uapi/in.h"

#define ECHO_ID         0x4b53       /* "KS" */
#define ECHO_WAIT_NS    (2000 * NET_NS_PER_MS)
#define GATEWAY_WAIT_NS (3000 * NET_NS_PER_MS)
#define SMALL_PAYLOAD   56           /* ping's default */
#define BIG_PAYLOAD     60000        /* one lo packet, no fragments (MTU 65536) */

/* Send an echo request of payload bytes to dst; wait for its reply.
 * NULL, or why not. */
static const char *ping(uint32_t dst, uint16_t seq, size_t payload, uint64_t wait_ns)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, ICMP_HDR_LEN + payload);
	if (!nb)
		return "no memory for the request";
	uint8_t *p = netbuf_put(nb, ICMP_HDR_LEN + payload);
	for (size_t i = 0; i < payload; i++)
		p[ICMP_HDR_LEN + i] = (uint8_t)i;
	icmp_build(p, ICMP_ECHO, 0, (uint32_t)ECHO_ID << 16 | seq, payload);
	struct ipv4_send s = { .dst = dst, .proto = IPPROTO_ICMP };
	if (ipv4_output(nb, &s))
		return "ipv4_output refused the request";
	uint64_t deadline = time_ns() + wait_ns;
	while (time_ns() < deadline) {
		struct icmp_echo_seen r = icmp_last_echo_reply();
		if (r.from == dst && r.id == ECHO_ID && r.seq == seq)
			return r.len == ICMP_HDR_LEN + payload ? NULL : "the reply has another length";
		sleep_until(time_ns() + NET_NS_PER_MS);
	}
	return "no echo reply";
}

SELFTEST(net_lo_echo)
{
	return ping(0x7f000001u, 1, SMALL_PAYLOAD, ECHO_WAIT_NS);
}

SELFTEST(net_lo_echo_60k)
{
	return ping(0x7f000001u, 2, BIG_PAYLOAD, ECHO_WAIT_NS);
}

/* The default route's gateway, or 0. */
static uint32_t default_gateway(void)
{
	struct ipv4_route r;
	for (unsigned i = 0; ipv4_route_get(i, &r); i++)
		if (r.prefix == 0 && r.gateway)
			return r.gateway;
	return 0;
}

/* The gateway ip= gave, else the DHCP server (slirp with restrict=on
 * leases no router): the first hop answers an echo over the wire. */
SELFTEST(net_gateway_echo)
{
	uint32_t gw = default_gateway();
	if (!gw)
		gw = ipconfig_server();
	if (!gw)
		return SELFTEST_SKIP("no gateway or DHCP server (no ip= or no lease)");
	return ping(gw, 3, SMALL_PAYLOAD, GATEWAY_WAIT_NS);
}
