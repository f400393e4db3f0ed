/* SPDX-License-Identifier: MIT */
/* Path MTU discovery's memory (RFC 1191, RFC 8201; Linux's route exceptions): what a validated ICMP "fragmentation needed" or ICMPv6 "packet too big" taught about each destination, kept for mtu_expires, and the path MTU a sender uses. */
#ifndef KESTREL_NET_PMTU_H
#define KESTREL_NET_PMTU_H

#include <stdbool.h>
#include <stdint.h>
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/wire6.h"

#define PMTU_MIN_V4        552u      /* net.ipv4.route.min_pmtu's default */
#define PMTU_MIN_V6        1280u     /* IPV6_MIN_MTU: net.ipv6.route.min_pmtu is not under it */
#define PMTU_EXPIRES_S     600u      /* net.ipv4.route.mtu_expires, net.ipv6.route.mtu_expires */
#define PMTU_IPV4_MAX      65535u    /* IP_MAX_MTU: lo's 65536 counts as this */
#define PMTU_IPV6_MAX      65575u    /* IP6_MAX_MTU: the largest payload and its header */

/* What the cache holds, for the log and the boot test. */
struct pmtu_stats {
	uint32_t entries, max;
	uint64_t learnt, replaced;
};

/* IPv4 address (host order) as the cache's key, ::ffff:a.b.c.d. */
struct in6 pmtu_key_v4(uint32_t addr);

/* The path MTU to dst over route d (Linux's ipv4_mtu, ip6_mtu): the
 * device's (capped at IP_MAX_MTU, IP6_MAX_MTU), or the cache's when it
 * knows one lower. *locked (if not NULL): IPv4's entry under min_pmtu,
 * whose packets go without DF. Takes pmtu_lock. */
uint32_t pmtu_ipv4(const struct ipv4_dst *d, uint32_t dst, bool *locked);
uint32_t pmtu_ipv6(const struct ipv6_dst *d, const struct in6 *dst);

/* Set key's entry (pmtu_key_v4 for IPv4) to mtu, locked (IPv4's under
 * min_pmtu: sent without DF), for mtu_expires, unless it holds mtu
 * already with more than half its time left. For ipv4_update_pmtu and
 * ipv6_update_pmtu, which decide the value. Takes pmtu_lock. */
void pmtu_store(const struct in6 *key, uint32_t mtu, bool locked);

/* dst's live entry: true with its MTU, its lock and the nanoseconds it
 * has left (for `ip route get`). Takes pmtu_lock. */
bool pmtu_cached(const struct in6 *dst, uint32_t *mtu, bool *locked, uint64_t *left_ns);
void pmtu_get_stats(struct pmtu_stats *out);
/* A number that changes whenever an entry is written or the cache
 * flushed (not when one expires): a reader's memo of it stays good
 * while it is the same and the entry it read has time left. */
uint64_t pmtu_generation(void);
/* Forget everything (a route or address change could, as Linux's flush; boot). */
void pmtu_flush(void);
void pmtu_init(void);

#endif
