// SPDX-License-Identifier: MIT
/*
 * Kestrel: the path MTU cache (net/pmtu.h) over net/pmtu_cache.c's table,
 * one for both IP versions (an IPv4 destination as ::ffff:a.b.c.d). Who
 * writes it: ICMP's "fragmentation needed" (type 3 code 4) and ICMPv6's
 * "packet too big", once a transport has checked them against a socket
 * (TCP: the quoted sequence is in flight; UDP: a socket sent from the
 * quoted port). Who reads it: ipv4_output and ipv6_output (the size of
 * fragments, EMSGSIZE), TCP's MSS for a new connection, IP_MTU and
 * IPV6_MTU, `ip route get`.
 */
#include "net/pmtu.h"

#include "lib/spinlock.h"
#include "log.h"
#include "arch/x86_64/cpu.h"
#include "net/netdev.h"
#include "net/net_sysctl.h"
#include "net/pmtu_cache.h"
#include "net/wire6.h"
#include "time/time.h"

#define PMTU_LOG_GAP_NS   NSEC_PER_SEC  /* the "cache full" line at most once a second */

/*
 * Lock rule: pmtu_lock covers table (all of it), learnt and log_at; it
 * is taken alone (no other lock is taken under it, nothing sleeps or
 * logs under it), so any caller may take it, with its own lock held or
 * not.
 */
static struct spinlock pmtu_lock = SPINLOCK_INIT;
static struct pmtu_table table;
static uint64_t learnt;        /* entries set or lowered */
static uint64_t generation;    /* written under pmtu_lock, read atomically: +1 at each write or flush */
static uint64_t log_at;        /* when "cache full" may be said again */

struct in6 pmtu_key_v4(uint32_t addr)
{
	struct in6 a = { .b = { [10] = 0xff, [11] = 0xff } };
	a.b[12] = (uint8_t)(addr >> 24);
	a.b[13] = (uint8_t)(addr >> 16);
	a.b[14] = (uint8_t)(addr >> 8);
	a.b[15] = (uint8_t)addr;
	return a;
}

/* The cache's entry for key under dev_mtu: true and *e when live and
 * lower. Every packet sent asks, so an empty cache (the usual case) is
 * answered without the lock or the hash: a racing first entry is seen
 * by the next packet. */
static bool lower_entry(const struct in6 *key, uint32_t dev_mtu, struct pmtu_entry *e)
{
	if (!__atomic_load_n(&table.entries, __ATOMIC_RELAXED))
		return false;
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	bool got = pmtu_table_get(&table, key, time_ns(), e);
	spin_unlock_irqrestore(&pmtu_lock, fl);
	return got && e->mtu < dev_mtu;
}

static uint32_t cap(uint32_t mtu, uint32_t max)
{
	return mtu < max ? mtu : max;
}

uint32_t pmtu_ipv4(const struct ipv4_dst *d, uint32_t dst, bool *locked)
{
	struct in6 key = pmtu_key_v4(dst);
	struct pmtu_entry e;
	uint32_t mtu = cap(d->dev->mtu, PMTU_IPV4_MAX);
	bool got = !d->local && lower_entry(&key, mtu, &e);
	if (locked)
		*locked = got && e.locked;
	return got ? e.mtu : mtu;
}

uint32_t pmtu_ipv6(const struct ipv6_dst *d, const struct in6 *dst)
{
	struct pmtu_entry e;
	uint32_t mtu = cap(ipv6_dev_mtu(d->dev), PMTU_IPV6_MAX);
	return !d->local && lower_entry(dst, mtu, &e) ? e.mtu : mtu;
}

/* Say, at most once a PMTU_LOG_GAP_NS, that the cache gave entries away. */
static void log_full(uint64_t replaced_before)
{
	struct pmtu_stats st;
	pmtu_get_stats(&st);
	uint64_t now = time_ns();
	if (st.replaced == replaced_before)
		return;
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	bool say = now >= log_at;
	if (say)
		log_at = now + PMTU_LOG_GAP_NS;
	spin_unlock_irqrestore(&pmtu_lock, fl);
	if (say)
		klog(LOG_INFO, "pmtu: cache full: %u entries (at most %u), %llu replaced, %llu learnt\n",
		     st.entries, st.max, (unsigned long long)st.replaced, (unsigned long long)st.learnt);
}

/*
 * Set key's entry to mtu (locked: IPv4's under min_pmtu) for
 * mtu_expires, unless it holds mtu already with more than half its time
 * left (Linux's __ip_rt_update_pmtu leaves such an entry alone).
 */
void pmtu_store(const struct in6 *key, uint32_t mtu, bool locked)
{
	uint32_t secs = in6_is_v4mapped(key) ? net_sysctl_mtu_expires4() : PMTU_EXPIRES_S;
	uint64_t now = time_ns(), life = (uint64_t)secs * NSEC_PER_SEC;
	struct pmtu_entry e;
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	uint64_t replaced = table.replaced;
	bool have = pmtu_table_get(&table, key, now, &e);
	if (!have || e.mtu != mtu || locked || now >= e.expires_ns - life / 2) {
		pmtu_table_set(&table, key, mtu, locked, now, now + life);
		learnt++;
		__atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&pmtu_lock, fl);
	log_full(replaced);
}

bool pmtu_cached(const struct in6 *dst, uint32_t *mtu, bool *locked, uint64_t *left_ns)
{
	struct pmtu_entry e;
	uint64_t now = time_ns();
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	bool got = pmtu_table_get(&table, dst, now, &e);
	spin_unlock_irqrestore(&pmtu_lock, fl);
	if (got) {
		*mtu = e.mtu;
		*locked = e.locked;
		*left_ns = e.expires_ns - now;
	}
	return got;
}

void pmtu_get_stats(struct pmtu_stats *out)
{
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	*out = (struct pmtu_stats){ .entries = table.entries, .max = PMTU_ENTRIES_MAX, .learnt = learnt,
				    .replaced = table.replaced };
	spin_unlock_irqrestore(&pmtu_lock, fl);
}

void pmtu_flush(void)
{
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	pmtu_table_clear(&table);
	__atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&pmtu_lock, fl);
}

uint64_t pmtu_generation(void)
{
	return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

void pmtu_init(void)
{
	uint64_t fl = spin_lock_irqsave(&pmtu_lock);
	table.key.k0 = rdtsc() * 0x9e3779b97f4a7c15ull ^ time_realtime_ns();
	table.key.k1 = (rdtsc() << 21) ^ 0xc2b2ae3d27d4eb4full ^ (uint64_t)&table;
	spin_unlock_irqrestore(&pmtu_lock, fl);
}
