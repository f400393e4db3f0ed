/* SPDX-License-Identifier: MIT */
/* ICMP for IPv4 (RFC 792, 1122): echo answered, errors sent (rate-limited, never about an error, a fragment after the first or a broadcast) and errors received passed to the protocol they concern. */
#ifndef KESTREL_NET_ICMP_H
#define KESTREL_NET_ICMP_H

#include <stdbool.h>
#include <stdint.h>
#include "net/netbuf.h"
#include "net/wire.h"
#include "lib/spinlock.h"

void icmp_init(void);

/* A token bucket for ICMP errors (Linux's icmp_global, and the ICMPv6
 * limit): per_sec tokens a second, at most burst; its fields under
 * lock. ICMP_BUCKET(per_sec, burst) starts one full. */
struct icmp_bucket {
	struct spinlock lock;
	uint64_t tokens, stamp;
	uint32_t per_sec, burst;
};
#define ICMP_BUCKET(per_sec, burst) { SPINLOCK_INIT, (burst), 0, (per_sec), (burst) }
/* One token of b, if there is one: true when the error may go. */
bool icmp_bucket_take(struct icmp_bucket *b);
/*
 * Send an ICMP error about orig (data at its IPv4 header, as received or
 * as it was to be sent) to its source: type and code, info the header's
 * last 4 bytes (the MTU for ICMP_FRAG_NEEDED, the pointer << 24 for a
 * parameter problem). Nothing is sent about an ICMP error, a fragment
 * other than the first, a broadcast or multicast packet or source, or
 * when the rate limit (net.ipv4.icmp_msgs_per_sec 1000, burst 50) says
 * no. Does not take orig.
 */
void icmp_send_error(const struct netbuf *orig, uint8_t type, uint8_t code, uint32_t info);

/* What an ICMP error about a packet this host sent means to the socket
 * that sent it (Linux's icmp_err_convert and its callers' switch): the
 * errno, and whether it is hard (a connected socket hears it without
 * IP_RECVERR); false for one no socket is told of (source quench,
 * redirect, an unknown code). */
bool icmp_err_convert(const struct icmp_info *ic, int *err, bool *hard);

/* The last echo reply this host received (for the self-tests, which
 * have no ping socket): its source, identifier, sequence, ICMP length,
 * and how many replies came in all. */
struct icmp_echo_seen {
	uint32_t from;
	uint16_t id, seq;
	uint32_t len;
	uint64_t count;
};
struct icmp_echo_seen icmp_last_echo_reply(void);

/* The ping sockets' hook: an echo reply (data at its ICMP header) for
 * the socket with its identifier; true when one took a copy. Set at boot. */
struct ipv4_info;
extern bool (*icmp_ping_hook)(const struct netbuf *nb, const struct ipv4_info *ip, const struct icmp_info *ic);

/* Counters of /proc/net/snmp's Icmp: and IcmpMsg: lines. */
struct icmp_mib {
	uint64_t in_msgs, in_errors, in_csum_errors, in_type[256];
	uint64_t out_msgs, out_errors, out_rate_limit, out_type[256];
};
extern struct icmp_mib icmp_mib;

#endif
