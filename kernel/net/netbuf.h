/* SPDX-License-Identifier: MIT */
/* The packet buffer every layer of the network shares, from a driver's receive ring to a socket's queue: one buffer with headroom, headers pushed and pulled in place, never copied between layers; freed ones of the common sizes are kept for reuse (netbuf.c). */
#ifndef KESTREL_NET_NETBUF_H
#define KESTREL_NET_NETBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netdev;

#define NETBUF_HEADROOM 128   /* in front of a packet built for sending: Ethernet + IPv4 + TCP with options */
#define NETBUF_RX_SIZE  2048  /* a receive buffer: a 1514-byte frame, and room for a driver's header */
#define NETBUF_MIN_SIZE 64    /* the least room after the headroom: a short frame's padding to 60 fits */

/*
 * A packet. The bytes are head[0 .. cap); the packet is data[0 .. len),
 * somewhere inside. Lock rule: a netbuf has one owner at a time (the
 * driver's ring, the receive path, a queue under its owner's lock), which
 * alone touches it; handing it on hands on the ownership.
 */
struct netbuf {
	struct netbuf *next;     /* on a netbuf_queue: its owner's lock */
	struct netdev *dev;      /* received on, or to be sent on */
	uint8_t *head;           /* the allocation: direct-mapped and physically contiguous (DMA) */
	uint8_t *data;           /* the current layer's first byte */
	uint32_t len;            /* bytes from data */
	uint32_t cap;            /* bytes from head */
	uint16_t protocol;       /* EtherType of the payload (uapi/if.h), host order */
	uint16_t network_off;    /* the network header: head + network_off */
	uint16_t transport_off;  /* the transport header: head + transport_off */
	uint8_t pkt_type;        /* NETBUF_HOST, _BROADCAST, _MULTICAST, _OTHERHOST (AF_PACKET's) */
	bool csum_ok;            /* the device checked the transport checksum */
	bool batched;            /* one of a receive batch the network thread hands up: an ACK
				  * it calls for may wait for the batch's end (tcp_sock_batch_end) */
	bool csum_partial;       /* the transport checksum is left to finish (below) */
	uint16_t csum_start;     /* with csum_partial: the sum runs from head + csum_start to the end */
	uint16_t csum_field;     /* ...and goes into the 16-bit field at head + csum_field */
	/* The sender's, for a packet it counts until it is sent (TCP's small
	 * queues, Linux's skb->destructor): run once, by netbuf_free or
	 * netbuf_orphan, in any context; it may not free nb. */
	void (*destructor)(struct netbuf *nb);
	void *owner;             /* the destructor's */
};

/* pkt_type: whom the frame was addressed to (Linux's PACKET_* values) */
#define NETBUF_HOST      0
#define NETBUF_BROADCAST 1
#define NETBUF_MULTICAST 2
#define NETBUF_OTHERHOST 3
#define NETBUF_OUTGOING  4

/* A buffer of headroom + size bytes (size at least NETBUF_MIN_SIZE), data at head + headroom, len 0.
 * Any context. NULL when memory is short (the caller drops and counts). */
struct netbuf *netbuf_alloc(size_t headroom, size_t size);
/* Free nb and its bytes (its destructor first). NULL is ignored. Any context. */
void netbuf_free(struct netbuf *nb);
/* The freed netbufs kept in the pools for reuse (each is two heap
 * objects, its struct and its bytes): for a leak check's count of heap
 * objects, which they are not. Any context. */
unsigned netbuf_pooled(void);
/* nb's sender stops counting it: its destructor runs now, and nb is
 * nobody's (Linux's skb_orphan). For a device that hands what it is given
 * to a receiver (lo) or keeps it for long. */
void netbuf_orphan(struct netbuf *nb);
/* A copy of nb's packet (data .. len) with NETBUF_HEADROOM in front, its
 * metadata copied but not its destructor. NULL when memory is short. */
struct netbuf *netbuf_clone(const struct netbuf *nb);

/*
 * Checksum offload, Linux's CHECKSUM_PARTIAL: a transport that leaves its
 * checksum to the device writes the pseudo-header's sum (folded, not
 * complemented) into the field, sets csum_partial, csum_start and
 * csum_field; netdev_xmit finishes it here for a device that cannot (lo
 * can: the bytes never leave memory, and its receiver is told csum_ok).
 * Finishing sums from csum_start to the packet's end and stores the
 * complement (TCP's rule: a UDP user must send 0 as 0xffff). No-op
 * unless csum_partial. The caller owns nb.
 */
void netbuf_csum_finish(struct netbuf *nb);

/* Prepend n bytes (a header): data moves back n, len grows; returns the
 * new data. NULL when the headroom is short (a bug of the caller's sizes). */
void *netbuf_push(struct netbuf *nb, size_t n);
/* Strip n bytes from the front: returns the old data, NULL (nothing
 * changed) when len < n. */
void *netbuf_pull(struct netbuf *nb, size_t n);
/* Append n bytes at the tail: returns where they go, NULL when the room
 * after data + len is short. */
void *netbuf_put(struct netbuf *nb, size_t n);
/* Cut the packet to len bytes (no-op if it is shorter): a link layer's
 * padding or a header's own length less than what arrived. */
void netbuf_trim(struct netbuf *nb, size_t len);
/* Bytes free behind the packet / in front of it. */
size_t netbuf_tailroom(const struct netbuf *nb);
size_t netbuf_headroom(const struct netbuf *nb);
/* The physical address of data, for a device's DMA. */
uint64_t netbuf_phys(const struct netbuf *nb);
/* Mark where the network / transport header starts: at data, now. */
void netbuf_set_network(struct netbuf *nb);
void netbuf_set_transport(struct netbuf *nb);
/* What netbuf_enter_transport changed, for netbuf_leave_transport. */
struct netbuf_mark {
	uint16_t network_off, transport_off;
	size_t hdr_len;
};
/* Mark the network header at data, strip its hdr_len bytes and mark the
 * transport header, recording in *m what was there: for a delivery that
 * may give the packet back unchanged (a lock-free input that declines
 * it). */
void netbuf_enter_transport(struct netbuf *nb, size_t hdr_len, struct netbuf_mark *m);
/* Undo netbuf_enter_transport: the packet as it was before it. */
void netbuf_leave_transport(struct netbuf *nb, const struct netbuf_mark *m);
static inline uint8_t *netbuf_network(const struct netbuf *nb)
{
	return nb->head + nb->network_off;
}
static inline uint8_t *netbuf_transport(const struct netbuf *nb)
{
	return nb->head + nb->transport_off;
}

/* A FIFO of netbufs with its counts; its owner's lock guards it. Zeroed is empty. */
struct netbuf_queue {
	struct netbuf *head, *tail;
	uint32_t count;
	uint32_t bytes;          /* the packets' len summed */
};
void netbuf_enqueue(struct netbuf_queue *q, struct netbuf *nb);
struct netbuf *netbuf_dequeue(struct netbuf_queue *q);
/* Free every packet on q. */
void netbuf_queue_purge(struct netbuf_queue *q);

#endif
