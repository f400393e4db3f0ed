/* SPDX-License-Identifier: MIT */
/* Fragment reassembly for both IP families: one table of incomplete datagrams per family, with Linux's limits and RFC 5722's overlap rule; the family says how a fragment is keyed and how the whole packet's header is rewritten. */
#ifndef KESTREL_NET_IP_FRAG_H
#define KESTREL_NET_IP_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/spinlock.h"
#include "net/netbuf.h"

#define IP_FRAG_QUEUES       64          /* datagrams waiting at once (the oldest makes room) */
#define IP_FRAG_PER_DATAGRAM 64          /* pieces of one datagram */
#define IP_FRAG_MEM_MAX      (4u << 20)  /* ipfrag_high_thresh / ip6frag_high_thresh */
#define IP_FRAG_MAX_END      65535u      /* no piece may end past this offset */
#define IP_FRAG_UNIT         8           /* every piece but the last is a multiple of this */
#define IP_FRAG_KEY_MAX      36          /* IPv6's source, destination and identification */

/* What identifies a datagram: the family's fields, packed (unused bytes zero). */
struct ip_frag_key {
	uint8_t b[IP_FRAG_KEY_MAX];
};

/* One fragment as its family's parser saw it. */
struct ip_frag_piece {
	uint32_t off, len;           /* payload bytes [off, off + len) of the datagram */
	uint16_t data_off;           /* where its payload starts, from its network header */
	bool mf;                     /* more fragments follow */
	/* The first piece's (off 0) header that the whole packet keeps: its
	 * first hdr_keep bytes, and the family's word for finish(). */
	uint16_t hdr_keep;
	uint32_t cookie;
};

struct ip_frag_slot {
	uint16_t off, len;
	uint16_t data_off;
	struct netbuf *nb;           /* data at its network header */
};

struct ip_frag_queue {
	bool used;
	struct ip_frag_key key;
	uint64_t created;
	uint32_t total;              /* the payload's length once the last piece came; 0 before */
	uint32_t have;               /* payload bytes received */
	int first;                   /* index in slots of the piece at offset 0, or -1 */
	uint16_t hdr_keep;           /* the first piece's */
	uint32_t cookie;             /* the first piece's */
	unsigned nslots;
	struct ip_frag_slot slots[IP_FRAG_PER_DATAGRAM];
};

/*
 * One family's table. finish() writes the whole packet's header: h holds
 * the first piece's hdr_keep bytes, followed by total payload bytes; it
 * rewrites the lengths (and what else the family needs, from cookie) and
 * answers false when the packet cannot be said (too long for its length
 * field), which fails the datagram.
 *
 * Lock rule: lock guards queues and mem; nothing is freed or sent under it.
 */
struct ip_frag_table {
	struct spinlock lock;
	uint64_t timeout_ns;
	bool (*finish)(uint8_t *h, size_t hdr_len, uint32_t total, uint32_t cookie);
	size_t mem;                  /* bytes of the netbufs held */
	struct ip_frag_queue queues[IP_FRAG_QUEUES];
};

#define IP_FRAG_TABLE_INIT(timeout, fin) \
	{ .lock = SPINLOCK_INIT, .timeout_ns = (timeout), .finish = (fin) }

/* A fragment (data at its network header): NULL while its datagram is
 * incomplete (the fragment kept or dropped), else the whole packet in a
 * new netbuf, data at its network header. *failed: something was dropped
 * (this fragment, or a datagram: the one it broke, or the oldest, which
 * made room for it) and nothing completed. Owns nb. Any context. */
struct netbuf *ip_frag_add(struct ip_frag_table *t, struct netbuf *nb, const struct ip_frag_key *key,
			   const struct ip_frag_piece *p, bool *failed);

/* Give up datagrams older than the table's timeout: their number, and
 * the first pieces of those whose first piece came (data at the network
 * header, for an ICMP time exceeded) appended to quotes, each holding
 * its nb->dev (the caller netdev_puts it once sent). */
unsigned ip_frag_expire(struct ip_frag_table *t, uint64_t now, struct netbuf_queue *quotes);

/* Drop the datagrams any piece of which came on dev (after dev's last
 * reference went: the pointer is only compared). */
struct netdev;
void ip_frag_forget_dev(struct ip_frag_table *t, const struct netdev *dev);

/* Bytes held by incomplete datagrams. */
size_t ip_frag_mem(const struct ip_frag_table *t);

#endif
