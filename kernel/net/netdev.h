/* SPDX-License-Identifier: MIT */
/* Network devices: what a NIC driver gives the stack (transmit, poll its receive ring, its link) and what the stack gives every driver (registration, the receive hand-off, counters). */
#ifndef KESTREL_NET_NETDEV_H
#define KESTREL_NET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/spinlock.h"
#include "net/netbuf.h"
#include "uapi/if.h"

struct netdev;

/*
 * A driver's operations. Receive is in two halves, as Linux's NAPI: the
 * device's interrupt handler quiets the device's receive interrupts and
 * calls netdev_schedule(); the network thread then calls poll, which
 * hands each frame to netdev_receive() and reclaims sent buffers, and,
 * when poll did less than its budget, irq_enable. No frame is ever
 * processed in the interrupt handler.
 */
struct netdev_ops {
	/* Queue nb for sending: nb->data is the whole frame from the
	 * Ethernet header on, len at least ETH_ZLEN (netdev_xmit pads) and
	 * at most the MTU plus ETH_HLEN. The driver owns nb from here and
	 * frees it once sent (or on reset). 0, or -ENOBUFS when the ring is
	 * full (nb is still the caller's), -ENETDOWN when the link or the
	 * device is down. Called with dev->tx_lock held, interrupts off. */
	int (*xmit)(struct netdev *dev, struct netbuf *nb);
	/* From the network thread: hand up to budget received frames to
	 * netdev_receive(), reclaim finished transmits, and return how many
	 * frames it handed up. Takes its own locks (tx_lock for the transmit
	 * ring); interrupts on. */
	unsigned (*poll)(struct netdev *dev, unsigned budget);
	/* Poll is done with the ring for now: let the device interrupt again
	 * (and catch a frame that came in between, by scheduling itself). */
	void (*irq_enable)(struct netdev *dev);
	/* Optional: bring the device up / down (IFF_UP set or cleared). */
	int (*open)(struct netdev *dev);
	void (*stop)(struct netdev *dev);
	/* Optional: the multicast addresses the stack wants received (IPv6's
	 * groups, 33:33:...), the whole list each time (Linux's
	 * ndo_set_rx_mode). A device without it receives every multicast
	 * frame (virtio-net: QEMU's device is promiscuous unless told
	 * otherwise through VIRTIO_NET_F_CTRL_RX, which Kestrel does not
	 * negotiate) and the stack filters. Any context but an interrupt
	 * handler; one call at a time (the stack's mc_lock); interrupts off. */
	void (*set_multicast)(struct netdev *dev, const uint8_t (*macs)[ETH_ALEN], unsigned n);
};

/* Counters, as /proc/net/dev and netlink's rtnl_link_stats64 show them.
 * Lock rule: each is added to atomically (netdev_count) by the driver or
 * the stack; readers take a snapshot that may be a packet apart. */
struct netdev_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped, rx_fifo, rx_frame, rx_multicast;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped, tx_fifo, tx_carrier, collisions;
};

/*
 * A network interface.
 * Fixed once registered: name, ifindex, type, ops, priv, driver, bus_info.
 * Lock rule: the fields under "cfg" change under netdev_cfg_lock (the
 * table's lock, netdev.c); flags' IFF_RUNNING/IFF_LOWER_UP are set by
 * netdev_carrier() atomically, and link_event with them (taken, also
 * atomically, by the network thread's linkwatch); tx_lock serialises ops->xmit; the poll
 * fields belong to netdev.c (its poll lock); refcnt changes atomically,
 * unlisted under the table's lock.
 *
 * Lifetime (Linux's dev_hold/dev_put and netdev_wait_allrefs): the
 * registration holds one reference. netdev_by_index, netdev_by_name,
 * netdev_first and netdev_next return the device held (the caller lets
 * go with netdev_put; netdev_next lets go of the one it steps from), and
 * whoever keeps a pointer past the call that found it holds a reference
 * of its own for as long (netdev_hold): a route lookup's result, a frame
 * waiting for its neighbour, the network thread's turn on a device. What
 * the stack keeps for longer it keeps by ifindex, which is never given
 * again. netdev_unlist takes the device out of every lookup;
 * netdev_unregister then drops the registration's reference and sleeps
 * until the last one is gone: only after that may the driver free the
 * struct. lo (netdev_loopback's pointer needs no reference) and the PCI
 * NICs are never unregistered.
 */
struct netdev {
	char name[IFNAMSIZ];       /* "lo", "eth0", ... */
	int ifindex;               /* 1 for lo, then 2, 3... in registration order */
	uint16_t type;             /* ARPHRD_ETHER or ARPHRD_LOOPBACK */
	const struct netdev_ops *ops;
	void *priv;                /* the driver's own state */
	const char *driver;        /* "virtio_net", "e1000", "e1000e": ethtool's and sysfs's driver name */
	char bus_info[32];         /* "0000:00:03.0": where it sits (PCI address), or "" */
	/* cfg */
	uint8_t mac[ETH_ALEN];     /* the current address; perm_mac the device's own */
	uint8_t perm_mac[ETH_ALEN];
	uint32_t mtu;              /* bytes of IP a frame carries (1500 on Ethernet) */
	uint32_t min_mtu, max_mtu;
	uint32_t rx_frame_max;     /* the longest frame netdev_receive takes from the driver;
				    * 0: the MTU's, with its Ethernet header and a VLAN tag */
	volatile uint32_t flags;   /* IFF_* */
	uint32_t tx_queue_len;     /* as ip link shows it (1000) */
	uint32_t features;         /* NETDEV_F_*: what the device does itself */
	/* transmit */
	struct spinlock tx_lock;   /* around ops->xmit, and guards tx_queue */
	struct netbuf_queue tx_queue; /* frames waiting for room in the driver's ring
				       * (Linux's qdisc), at most tx_queue_len */
	/* counters */
	struct netdev_stats stats;
	/* netdev.c's: the poll list (its poll lock) and the registration list (cfg lock) */
	struct netdev *poll_next;
	bool poll_scheduled;
	struct netbuf_queue rx_backlog; /* frames netdev_receive took, for the network thread */
	struct netdev *next;
	uint64_t carrier_changes;
	bool link_event;           /* a carrier change not yet told (netdev_link_event_take; atomic) */
	/* lifetime (above) */
	uint32_t refcnt;           /* references: the registration's, and each holder's */
	bool unlisted;             /* netdev_unlist ran: no lookup finds it */
};

/* features */
#define NETDEV_F_CSUM (1u << 0) /* finishes a csum_partial netbuf's checksum (netbuf.h) */

/*
 * Register dev under the first free name prefix0, prefix1... ("eth"),
 * or under prefix itself when it has no digit wanted ("lo"): pass
 * want_unit false for that. Sets ifindex: 1 for the loopback device
 * (ARPHRD_LOOPBACK), 2, 3... for the others in registration order. Before that the driver fills
 * type, ops, priv, driver, bus_info, mac (perm_mac is copied from it),
 * mtu; flags start with IFF_BROADCAST|IFF_MULTICAST for Ethernet. 0 or
 * -ENFILE (too many devices). Boot time or process context.
 */
int netdev_register(struct netdev *dev, const char *prefix, bool want_unit);

/* From the device's interrupt handler (or any context): the device has
 * work; the network thread will call its poll. Idempotent until poll runs. */
void netdev_schedule(struct netdev *dev);
/* From the driver's poll: a received frame, data at its Ethernet header,
 * len without the FCS. The stack owns nb from here (it may drop it at
 * once: a frame too short or too long is counted in rx_errors and freed). */
void netdev_receive(struct netdev *dev, struct netbuf *nb);
/* Send a whole frame (Ethernet header first) on dev, padding it to
 * ETH_ZLEN: 0 (nb is the driver's, or waits on tx_queue while the
 * driver's ring is full, as a Linux qdisc holds it), or -ENETDOWN,
 * -ENOBUFS (the queue too is full), -EMSGSIZE (nb freed and tx_dropped
 * counted in every case). The driver counts tx_packets and tx_bytes
 * when the device has sent the frame. Any context but an interrupt
 * handler; takes tx_lock. */
int netdev_xmit(struct netdev *dev, struct netbuf *nb);
/* Hand what waits on dev's tx_queue to the driver, as its ring has room;
 * the network thread's, after each poll. */
void netdev_tx_drain(struct netdev *dev);
/* The driver saw its link come up or go down: IFF_RUNNING and
 * IFF_LOWER_UP follow, carrier_changes counts, and a change is a link
 * event the network thread tells (Linux's linkwatch). Any context. */
void netdev_carrier(struct netdev *dev, bool up);
/* The device itself went (unplugged): the carrier off as above, but no
 * link event; its unregistering tells the listeners (Linux's usbnet
 * unregisters without a carrier change first). Any context. */
void netdev_carrier_lost(struct netdev *dev);
/* For the network thread: whether any device had a link event since the
 * last call (cleared), then, device by device, whether dev had one
 * (cleared). Any context. */
bool netdev_link_events_take(void);
bool netdev_link_event_take(struct netdev *dev);
/* Add n to a counter of dev's, atomically. */
static inline void netdev_count(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

/* Lookups: the device held (netdev_put it), or NULL when there is none
 * (an unlisted device is none). Any context. */
struct netdev *netdev_by_index(int ifindex);
struct netdev *netdev_by_name(const char *name);
/* Is a device of this ifindex listed? (A look, nothing held.) */
bool netdev_exists(int ifindex);
/* The first device, then the next (dev let go of, the next held): in
 * ifindex order. A loop that stops early puts the one it holds. */
struct netdev *netdev_first(void);
struct netdev *netdev_next(struct netdev *dev);
/* The loopback device, once net_init made it: never unregistered, so
 * not held. */
struct netdev *netdev_loopback(void);

/* Take or let go of a reference to dev (NULL is ignored). Any context. */
void netdev_hold(struct netdev *dev);
void netdev_put(struct netdev *dev);

/*
 * Unregistering (net/ifstate.h's net_dev_unregister runs the whole of
 * it; drivers call that). netdev_unlist: dev leaves the list, so that
 * no lookup finds it, and the poll list; its name is free for the next
 * device. netdev_unregister: after the stack let go of what it kept,
 * the registration's reference is dropped and the caller sleeps until
 * every holder's is (saying so every 10 s, as Linux); then purge(dev)
 * drops what still points at dev without holding it (frames queued by
 * holders that are gone; purge may take references of its own, waited
 * for again), dev's own queues are emptied and the driver may free it.
 * Process context (sleeps); never for lo.
 */
void netdev_unlist(struct netdev *dev);
void netdev_unregister(struct netdev *dev, void (*purge)(struct netdev *dev));

/* For the network thread (net/core.c): the next device that asked to be
 * polled, taken off the poll list and held for the turn, or NULL. */
struct netdev *netdev_poll_take(void);
/* The next frame netdev_receive left on dev's backlog, or NULL. */
struct netbuf *netdev_backlog_take(struct netdev *dev);
/* The network thread's wake-up: netdev_schedule calls it, and so do
 * TCP's timers (net/core.c sets it at boot, so that the layers below it
 * call nothing above them). Any context. */
extern void (*netdev_wake_hook)(void);

#endif
