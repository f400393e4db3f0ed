/* SPDX-License-Identifier: MIT */
/* The path MTU cache's table (Linux's route exceptions: fnhe for IPv4, rt6 exceptions for IPv6): fixed buckets of a few entries each, pure (its caller locks and tells the time), so the host's unit test runs it as it is. */
#ifndef KESTREL_NET_PMTU_CACHE_H
#define KESTREL_NET_PMTU_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/siphash.h"
#include "net/wire6.h"

#define PMTU_BUCKETS      256  /* hash buckets of the table */
#define PMTU_BUCKET_DEPTH 5    /* entries a bucket holds (Linux's FNHE_RECLAIM_DEPTH, FIB6_MAX_DEPTH) */
#define PMTU_ENTRIES_MAX  (PMTU_BUCKETS * PMTU_BUCKET_DEPTH)

/* What ICMP taught about one destination (an IPv4 one as ::ffff:a.b.c.d).
 * mtu 0: a free slot. */
struct pmtu_entry {
	struct in6 dst;
	uint32_t mtu;
	bool locked;                   /* IPv4's under min_pmtu: min_pmtu, sent without DF (Linux's RTAX_MTU lock) */
	uint64_t expires_ns;           /* forgotten from then on */
	uint64_t stamp_ns;             /* last set: the oldest of a full bucket goes */
};

/*
 * The table. Lock rule: its owner's (net/pmtu.c's pmtu_lock) covers all
 * of it; key is set once before the first use. A full bucket gives its
 * oldest entry to a new destination, so no number of ICMP messages makes
 * it hold more than PMTU_ENTRIES_MAX.
 */
struct pmtu_table {
	struct siphash_key key;        /* the bucket hash's: a sender cannot aim at one bucket */
	struct pmtu_entry slot[PMTU_BUCKETS][PMTU_BUCKET_DEPTH];
	uint32_t entries;              /* slots in use, expired ones not yet reaped included (read without the lock as a hint) */
	uint64_t replaced;             /* live entries a full bucket gave up */
};

/* dst's live entry, copied to *out: true; false when there is none (an
 * expired one is freed on the way). */
bool pmtu_table_get(struct pmtu_table *t, const struct in6 *dst, uint64_t now_ns, struct pmtu_entry *out);
/* Set dst's entry to mtu (> 0) until expires_ns: its own slot, else a
 * free or expired one of its bucket, else the bucket's oldest. */
void pmtu_table_set(struct pmtu_table *t, const struct in6 *dst, uint32_t mtu, bool locked, uint64_t now_ns,
		    uint64_t expires_ns);
/* Free every entry (a flush). */
void pmtu_table_clear(struct pmtu_table *t);

#endif
