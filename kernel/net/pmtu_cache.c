// SPDX-License-Identifier: MIT
/*
 * Kestrel: the path MTU cache's table (net/pmtu_cache.h). Buckets of
 * PMTU_BUCKET_DEPTH slots chosen by a keyed hash of the destination, as
 * Linux's fnhe_hashfun and rt6_exception_hash (a keyed jhash there): a
 * bucket that is full gives its oldest slot away, as Linux's
 * fnhe_oldest and rt6_exception_remove_oldest do. Pure: no lock, no
 * clock; the caller holds its lock and passes the time.
 */
#include "net/pmtu_cache.h"

/* The bucket of dst. */
static struct pmtu_entry *bucket_of(struct pmtu_table *t, const struct in6 *dst)
{
	return t->slot[siphash(&t->key, dst->b, sizeof(dst->b)) % PMTU_BUCKETS];
}

static bool live(const struct pmtu_entry *e, uint64_t now_ns)
{
	return e->mtu && now_ns < e->expires_ns;
}

/* Free e (in use or not). */
static void reap(struct pmtu_table *t, struct pmtu_entry *e)
{
	if (e->mtu)
		t->entries--;
	*e = (struct pmtu_entry){ 0 };
}

bool pmtu_table_get(struct pmtu_table *t, const struct in6 *dst, uint64_t now_ns, struct pmtu_entry *out)
{
	struct pmtu_entry *b = bucket_of(t, dst);
	for (int i = 0; i < PMTU_BUCKET_DEPTH; i++) {
		if (!b[i].mtu || !in6_eq(&b[i].dst, dst))
			continue;
		if (!live(&b[i], now_ns)) {
			reap(t, &b[i]);
			return false;
		}
		*out = b[i];
		return true;
	}
	return false;
}

/* The slot dst takes in bucket b: its own, a free or expired one, else
 * the oldest (counted in replaced). */
static struct pmtu_entry *slot_for(struct pmtu_table *t, struct pmtu_entry *b, const struct in6 *dst,
				   uint64_t now_ns)
{
	struct pmtu_entry *spare = NULL, *oldest = &b[0];
	for (int i = 0; i < PMTU_BUCKET_DEPTH; i++) {
		if (b[i].mtu && in6_eq(&b[i].dst, dst))
			return &b[i];
		if (!spare && !live(&b[i], now_ns))
			spare = &b[i];
		if (b[i].stamp_ns < oldest->stamp_ns)
			oldest = &b[i];
	}
	if (spare)
		return spare;
	t->replaced++;
	return oldest;
}

void pmtu_table_set(struct pmtu_table *t, const struct in6 *dst, uint32_t mtu, bool locked, uint64_t now_ns,
		    uint64_t expires_ns)
{
	struct pmtu_entry *e = slot_for(t, bucket_of(t, dst), dst, now_ns);
	if (!e->mtu)
		t->entries++;
	*e = (struct pmtu_entry){ .dst = *dst, .mtu = mtu, .locked = locked, .expires_ns = expires_ns,
				  .stamp_ns = now_ns };
}

void pmtu_table_clear(struct pmtu_table *t)
{
	for (int b = 0; b < PMTU_BUCKETS; b++)
		for (int i = 0; i < PMTU_BUCKET_DEPTH; i++)
			reap(t, &t->slot[b][i]);
}
