/* SPDX-License-Identifier: MIT */
/* ICMPv6 (RFC 4443): echo answered, errors sent (rate-limited, never about an error or to a multicast source) and received ones passed to the protocol they concern; Neighbor Discovery's messages handed to net/ndisc.c. */
#ifndef KESTREL_NET_ICMP6_H
#define KESTREL_NET_ICMP6_H

#include <stdbool.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "net/wire6.h"

struct netdev;

void icmp6_init(void);
/*
 * Send an ICMPv6 error about orig (data at its IPv6 header, as received,
 * nb->dev the device it came in on) to its source: type, code and info
 * (the MTU of a packet too big, the pointer of a parameter problem). Not
 * about an ICMPv6 error or a redirect, nor to a source that is :: or
 * multicast, nor (but for a packet too big and an unknown option's
 * parameter problem) about a packet to a multicast group (RFC 4443
 * 2.4 e); rate-limited as Linux's. Does not take orig.
 */
void icmp6_send_error(const struct netbuf *orig, uint8_t type, uint8_t code, uint32_t info);
/* Send the ICMPv6 message nb (data at its header, whole: its checksum is
 * set here) from src (NULL lets the route choose; :: is sent as ::, a DAD
 * probe's source) to dst on dev (NULL: by
 * the route), with hop limit hops (-1: the device's). Owns nb. 0 or ipv6_output's error. */
int icmp6_send(struct netbuf *nb, const struct in6 *src, const struct in6 *dst, struct netdev *dev, int hops);
/* What an ICMPv6 error means to a socket (Linux's icmpv6_err_convert):
 * the errno and whether it is hard; false for one no socket hears of. */
bool icmp6_err_convert(const struct icmp6_info *ic, int *err, bool *hard);

/* The ping sockets' hook: an echo reply (data at its ICMPv6 header); true when one took a copy. */
extern bool (*icmp6_ping_hook)(const struct netbuf *nb, const struct ipv6_info *ip, const struct icmp6_info *ic);

/* Counters of /proc/net/snmp6's Icmp6 lines. */
struct icmp6_mib {
	uint64_t in_msgs, in_errors, in_csum_errors, in_type[256];
	uint64_t out_msgs, out_errors, out_rate_limit, out_type[256];
};
extern struct icmp6_mib icmp6_mib;

#endif
