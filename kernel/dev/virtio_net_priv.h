/* SPDX-License-Identifier: MIT */
/* The virtio-net driver's own state and its internal steps, shared by the driver (dev/virtio_net.c) and its self-tests (dev/virtio_net_test.c) only. */
#ifndef KESTREL_DEV_VIRTIO_NET_PRIV_H
#define KESTREL_DEV_VIRTIO_NET_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "dev/virtio_pci.h"
#include "dev/virtq.h"
#include "net/netdev.h"
#include "proc/ktimer.h"

#define VNET_MAX          4        /* devices driven */
#define VNET_RX_RING_MAX  256      /* receive buffers posted at most */
#define VNET_TX_RING_MAX  256      /* frames in flight at most */
#define VNET_Q_RX         0        /* receiveq1 (5.1.2) */
#define VNET_Q_TX         1        /* transmitq1 */
#define VNET_RX_BUF       NETBUF_RX_SIZE /* a receive buffer: header + frame */
#define VNET_MTU_MIN      68       /* IPv4's smallest */

/* The header in front of every frame, both ways (5.1.6): version 1's
 * layout, num_buffers always present. Little-endian, as x86. */
struct virtio_net_hdr {
	uint8_t flags;            /* VIRTIO_NET_HDR_F_*: 0 when sending (no offloads) */
	uint8_t gso_type;         /* VIRTIO_NET_HDR_GSO_NONE */
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;     /* 0 when sending; the device writes 1 without MRG_RXBUF */
} __attribute__((packed));
#define VNET_HDR_LEN             12
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1u
#define VIRTIO_NET_HDR_GSO_NONE  0u
_Static_assert(sizeof(struct virtio_net_hdr) == VNET_HDR_LEN, "virtio_net_hdr is 12 bytes");
/* The largest MTU a receive buffer holds: header, Ethernet header, payload. */
#define VNET_MTU_MAX             (VNET_RX_BUF - VNET_HDR_LEN - ETH_HLEN)
/* With VIRTIO_NET_F_MRG_RXBUF a frame may span several receive buffers
 * (5.1.6.4), and may be longer than the MTU (a peer whose MTU is larger;
 * Linux's virtio-net takes such frames too). No IP packet is longer than
 * an IPv6 header and the largest payload it can name (jumbograms aside),
 * so a frame past that after its Ethernet header is garbage; a frame
 * that long spans at most VNET_MRG_MAX buffers. */
#define VNET_IP_MAX              (40u + 0xffffu)
#define VNET_FRAME_MAX           (ETH_HLEN + VNET_IP_MAX)
#define VNET_MRG_MAX             ((VNET_HDR_LEN + VNET_FRAME_MAX + VNET_RX_BUF - 1) / VNET_RX_BUF)

/* Where the receive path hands a frame: netdev_receive, or a self-test's catcher. */
typedef void (*vnet_deliver_fn)(struct netdev *dev, struct netbuf *nb);

/*
 * One virtio-net function.
 * Fixed after probe: dev's fixed fields, vp, msix, mrg_rxbuf.
 *   dead: set once, by poll (atomic); xmit and irq_enable read it.
 * Lock rules, field group by field group:
 *   rx ring and its counters: the network thread alone (ops->poll), and
 *     the probe before the device is registered; the interrupt handler
 *     touches only the ring's NO_INTERRUPT hint (virtq_irq_disable).
 *   tx ring: dev.tx_lock (ops->xmit is called with it; poll and
 *     irq_enable take it); the handler as for rx.
 *   link_check: atomic (set by the handler or the timer, taken by poll).
 *   link_up, cfg_gen: poll's (and the probe's before registration).
 *   poll_timer: the kernel lock with interrupts off (proc/ktimer.h).
 *   deliver: atomic (a self-test swaps it; the network thread reads it).
 */
struct vnet {
	struct netdev dev;               /* first: dev.priv points back here anyway */
	struct virtio_pci vp;
	bool msix;                       /* interrupts by MSI-X; else poll_timer polls */
	bool mrg_rxbuf;                  /* VIRTIO_NET_F_MRG_RXBUF: a frame may span buffers */
	bool dead;                       /* the device broke a ring: no more traffic */
	/* rx: the network thread */
	struct virtq rx;                 /* cookie: the posted netbuf */
	uint64_t rx_allocs;              /* receive netbufs allocated ... */
	uint64_t rx_frees;               /* ... freed by the driver ... */
	uint64_t rx_handed;              /* ... handed up: allocs = frees + handed + posted */
	uint64_t rx_merged;              /* frames copied out of several buffers and handed up
					  * (their buffers reposted: not in the sum above) */
	/* tx: dev.tx_lock */
	struct virtq tx;                 /* cookie: the netbuf being sent */
	/* interrupts and link */
	bool link_check;
	bool link_up;
	uint8_t cfg_gen;                 /* the configuration generation link_up was read at */
	struct ktimer poll_timer;
	vnet_deliver_fn deliver;
};

/* The driver's steps, for the self-tests (which drive them on a fake device). */
/* Post receive buffers until the ring is full or memory is short, and
 * kick if any went in. The network thread (or before registration). */
void vnet_rx_fill(struct vnet *v);
/* Harvest up to budget used receive buffers: frames handed to deliver,
 * bad ones counted and their buffers reposted. Returns frames handed. */
unsigned vnet_rx_harvest(struct vnet *v, unsigned budget);
/* Reclaim finished transmits: free them, count tx_packets/tx_bytes. tx_lock held. */
void vnet_tx_reclaim(struct vnet *v);
/* The netdev ops. */
int vnet_xmit(struct netdev *dev, struct netbuf *nb);
unsigned vnet_poll(struct netdev *dev, unsigned budget);
void vnet_irq_enable(struct netdev *dev);
/* Receive netbufs the driver holds (posted in the ring). */
static inline uint64_t vnet_rx_posted(const struct vnet *v)
{
	return (uint64_t)v->rx.size - virtq_free_count(&v->rx);
}
/* The registered devices: i < vnet_count(). */
unsigned vnet_count(void);
struct vnet *vnet_get(unsigned i);

#endif
