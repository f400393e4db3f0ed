/* SPDX-License-Identifier: MIT */
/* UDP over IPv4 (RFC 768): datagrams checked and handed to the socket their port reaches, or answered with ICMP port unreachable. */
#ifndef KESTREL_NET_UDP_H
#define KESTREL_NET_UDP_H

#include <stdbool.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "net/wire.h"

void udp_init(void);

/*
 * The socket layer's receive hook: take the datagram (nb->data at the
 * UDP payload, len its length; the IP header at netbuf_network) for the
 * socket (or sockets, for a broadcast) that ip and u reach, and return
 * true (it owns nb), or false when no socket takes it (nb is still the
 * caller's). NULL until the socket layer registers one.
 */
extern bool (*udp_deliver_hook)(struct netbuf *nb, const struct ipv4_info *ip, const struct udp_info *u);

/* The socket layer's ICMP-error hook: an error about a datagram this host sent. */
extern void (*udp_err_hook)(const struct icmp_info *ic, uint32_t from);

/* Counters of /proc/net/snmp's Udp: line. */
struct udp_mib {
	uint64_t in_datagrams, no_ports, in_errors, out_datagrams, rcvbuf_errors, sndbuf_errors,
		in_csum_errors;
};
extern struct udp_mib udp_mib;

#endif
