/* SPDX-License-Identifier: MIT */
/* The neighbour cache both IP families share over Ethernet (Linux's neighbour.c): a table of protocol addresses and their link-layer addresses, with NUD states and times, the few packets waiting for an answer, and the family's solicitations and errors sent outside the table's lock. */
#ifndef KESTREL_NET_NEIGH_H
#define KESTREL_NET_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/spinlock.h"
#include "net/netbuf.h"
#include "uapi/if.h"

struct netdev;

#define NEIGH_KEY_MAX     16     /* an IPv6 address */
#define NEIGH_ASK_MAX     16     /* solicitations one pass of the table sends */

/* An entry (the table's lock). */
struct neigh_entry {
	uint8_t key[NEIGH_KEY_MAX];  /* the protocol address, the table's key_len bytes */
	int ifindex;                 /* 0: the slot is free */
	uint8_t mac[ETH_ALEN];
	uint16_t state;              /* NUD_* */
	bool router;                 /* IPv6: the neighbour said it routes */
	uint8_t probes;              /* solicitations sent in this INCOMPLETE or PROBE */
	uint64_t updated;            /* last state change or confirmation */
	uint64_t next_probe;         /* INCOMPLETE/PROBE: when to ask again */
	struct netbuf_queue waiting; /* INCOMPLETE: packets (data at the network header) */
};

/* What a family does for the table, always without its lock held. */
struct neigh_ops {
	uint16_t ethertype;          /* of the packets that wait */
	bool v6;                     /* the table is IPv6's (its listener's news say so) */
	/* Ask for key on dev: to the family's broadcast or group, or to mac
	 * when not NULL (a unicast probe). */
	void (*solicit)(struct netdev *dev, const uint8_t *key, const uint8_t *mac);
	/* Resolution gave up on nb (data at its network header): tell its
	 * sender. Does not take nb. */
	void (*unreachable)(struct netbuf *nb);
};

/* Lock rule: lock guards entries and each entry's waiting queue. Nothing
 * is sent with it held: what to send is collected, then sent. */
struct neigh_table {
	struct spinlock lock;
	const struct neigh_ops *ops;
	unsigned key_len;
	unsigned size;
	struct neigh_entry *entries; /* size of them */
};

#define NEIGH_TABLE_INIT(o, klen, arr) \
	{ .lock = SPINLOCK_INIT, .ops = (o), .key_len = (klen), \
	  .size = sizeof(arr) / sizeof((arr)[0]), .entries = (arr) }

/* An entry as ip neigh and /proc see it. */
struct neigh_info {
	uint8_t key[NEIGH_KEY_MAX];
	uint8_t mac[ETH_ALEN];
	int ifindex;
	uint16_t state;
	bool router;
};

/* neigh_update's flags */
#define NEIGH_CREATE      0x1    /* make an entry (STALE) when none exists */
#define NEIGH_SOLICITED   0x2    /* an answer to our question: REACHABLE */
#define NEIGH_OVERRIDE    0x4    /* a changed address replaces the one known */
#define NEIGH_SET_ROUTER  0x8    /* set the entry's router flag to NEIGH_ROUTER's */
#define NEIGH_ROUTER      0x10

/* Send nb (data at the network header) to key on dev: at once when its
 * address is known (a STALE entry goes to DELAY), else it waits for an
 * answer (at most 16 wait; the oldest goes, as Linux's unres_qlen).
 * Owns nb. 0, -ENOBUFS (the table full of entries packets wait on). */
int neigh_output(struct neigh_table *t, struct netdev *dev, const uint8_t *key, struct netbuf *nb);

/* key on ifindex is at mac (RFC 4861 7.2.5's rules, which ARP's are
 * with override): with NEIGH_CREATE an entry is made; SOLICITED makes it
 * REACHABLE, a new or changed address STALE; a changed address without
 * OVERRIDE leaves the entry's address and moves REACHABLE to STALE.
 * Waiting packets go. A permanent entry is left alone. */
void neigh_update(struct neigh_table *t, int ifindex, const uint8_t *key, const uint8_t *mac,
		  unsigned flags);

/* The periodic work: age entries, ask again, give up. Network thread. */
void neigh_timer(struct neigh_table *t, uint64_t now);

/* Drop every entry of ifindex but the permanent ones (unless
 * permanent_too: its device went down or is being unregistered; without
 * it, Linux's neigh_carrier_down), with the frames that wait on them. */
void neigh_flush_dev(struct neigh_table *t, int ifindex, bool permanent_too);

/* The i-th entry: true and *out, or false past the last. */
bool neigh_get(struct neigh_table *t, unsigned i, struct neigh_info *out);

/* Add or replace a permanent entry; delete one. 0, -ENOSPC, -ENXIO. */
int neigh_set_permanent(struct neigh_table *t, int ifindex, const uint8_t *key, const uint8_t *mac);
int neigh_delete(struct neigh_table *t, int ifindex, const uint8_t *key);

/*
 * Who hears of the entries' changes, as Linux's neighbour code tells
 * rtnetlink (a copy of the entry as it is then; v6: the table's family):
 * gone false (RTM_NEWNEIGH) for a state, address or router flag that
 * neigh_update changed (__neigh_update's notify: an entry created STALE,
 * INCOMPLETE to REACHABLE, an address changed; not a confirmation that
 * changes nothing), for the timer's REACHABLE to STALE, DELAY to PROBE
 * and INCOMPLETE or PROBE to FAILED (neigh_timer_handler's), for an
 * entry set permanent by hand and for one deleted by hand (FAILED first,
 * as neigh_delete's __neigh_update); gone true (RTM_DELNEIGH,
 * neigh_cleanup_and_release's) for each entry removed: by hand, by
 * garbage collection, with its device down or to make room. Not told,
 * as on Linux: a new entry's INCOMPLETE and a packet's STALE to DELAY.
 * Set once at boot; called after the table's lock is released.
 */
typedef void (*neigh_news_fn)(bool v6, const struct neigh_info *n, bool gone);
void neigh_listen(neigh_news_fn fn);

#endif
