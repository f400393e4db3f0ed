// SPDX-License-Identifier: MIT
/*
 * Kestrel: the network devices (net/netdev.h): their table, the poll list
 * the network thread works through, and the transmit entry every layer
 * sends by. This file is the floor of the network stack: drivers call
 * it, it calls only the drivers' ops and the hook the network thread
 * registered, nothing of the layers above.
 *
 * Lock rules:
 *   cfg_lock   the device list (devices, ndevices), each device's name,
 *              ifindex and next while it is linked in;
 *   poll_lock  the poll list (poll_head/tail, each device's poll_next and
 *              poll_scheduled), every device's rx_backlog and unlisted
 *              (set under both locks);
 *   refcnt     atomic (netdev.h says who holds what);
 *   a device's tx_lock  around its ops->xmit (netdev_xmit takes it), and
 *              its tx_queue.
 * Lock order: cfg_lock before poll_lock (netdev_unlist holds both).
 * Neither cfg_lock nor poll_lock is held while calling a driver.
 */
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "proc/sched.h"
#include "time/time.h"
#include "log.h"

#define VLAN_HLEN 4  /* an 802.1Q tag between the addresses and the EtherType */

#define NETDEV_MAX       32      /* devices at once (an ifindex is never given twice: it grows past this) */
#define LOOPBACK_IFINDEX  1
#define NETDEV_TXQUEUELEN 1000    /* what ip link shows as qlen */
#define NETDEV_BACKLOG   1000    /* frames waiting for the network thread, per device (netdev_max_backlog) */
#define UNREG_POLL_NS    (1000 * 1000ull)          /* netdev_unregister looks at the count each ms */
#define UNREG_SAY_NS     (10 * 1000 * 1000 * 1000ull) /* ...and says it waits every 10 s, as Linux */

static struct spinlock cfg_lock = SPINLOCK_INIT;
static struct netdev *devices;           /* in ifindex order */
static int ndevices;
static int next_ifindex = LOOPBACK_IFINDEX; /* the last one given */

static struct spinlock poll_lock = SPINLOCK_INIT;
static struct netdev *poll_head, *poll_tail;

void (*netdev_wake_hook)(void);

/* ---- the table ------------------------------------------------------------------ */

/* Is name taken? cfg_lock held. */
static bool name_taken(const char *name)
{
	for (struct netdev *d = devices; d; d = d->next)
		if (strcmp(d->name, name) == 0)
			return true;
	return false;
}

/* The first free prefixN into dev->name (or prefix itself). cfg_lock held. */
static int pick_name(struct netdev *dev, const char *prefix, bool want_unit)
{
	if (!want_unit) {
		ksnprintf(dev->name, sizeof(dev->name), "%s", prefix);
		return name_taken(dev->name) ? -EEXIST : 0;
	}
	for (int unit = 0; unit < NETDEV_MAX; unit++) {
		ksnprintf(dev->name, sizeof(dev->name), "%s%d", prefix, unit);
		if (!name_taken(dev->name))
			return 0;
	}
	return -ENFILE;
}

int netdev_register(struct netdev *dev, const char *prefix, bool want_unit)
{
	memcpy(dev->perm_mac, dev->mac, ETH_ALEN);
	if (!dev->tx_queue_len)
		dev->tx_queue_len = NETDEV_TXQUEUELEN;
	if (!dev->max_mtu)
		dev->max_mtu = dev->mtu;
	if (!dev->min_mtu)
		dev->min_mtu = 68;
	if (dev->type == ARPHRD_ETHER)
		dev->flags |= IFF_BROADCAST | IFF_MULTICAST;
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	int err = ndevices < NETDEV_MAX ? pick_name(dev, prefix, want_unit) : -ENFILE;
	if (!err) {
		/* lo is ifindex 1 whenever it registers, as on Linux, where
		 * it comes before every driver; the others count from 2 */
		ndevices++;
		dev->refcnt = 1; /* the registration's */
		dev->ifindex = dev->type == ARPHRD_LOOPBACK ? LOOPBACK_IFINDEX : ++next_ifindex;
		struct netdev **pp = &devices;
		while (*pp && (*pp)->ifindex < dev->ifindex)
			pp = &(*pp)->next;
		dev->next = *pp;
		*pp = dev;
	}
	spin_unlock_irqrestore(&cfg_lock, fl);
	return err;
}

void netdev_hold(struct netdev *dev)
{
	if (dev)
		__atomic_add_fetch(&dev->refcnt, 1, __ATOMIC_RELAXED);
}

void netdev_put(struct netdev *dev)
{
	if (dev)
		__atomic_sub_fetch(&dev->refcnt, 1, __ATOMIC_RELEASE);
}

/* The listed device of this ifindex, or NULL. cfg_lock held. */
static struct netdev *find_index(int ifindex)
{
	struct netdev *d = devices;
	while (d && d->ifindex != ifindex)
		d = d->next;
	return d;
}

struct netdev *netdev_by_index(int ifindex)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	struct netdev *d = find_index(ifindex);
	if (d)
		netdev_hold(d);
	spin_unlock_irqrestore(&cfg_lock, fl);
	return d;
}

bool netdev_exists(int ifindex)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	bool found = find_index(ifindex) != NULL;
	spin_unlock_irqrestore(&cfg_lock, fl);
	return found;
}

struct netdev *netdev_by_name(const char *name)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	struct netdev *d = devices;
	while (d && strcmp(d->name, name) != 0)
		d = d->next;
	if (d)
		netdev_hold(d);
	spin_unlock_irqrestore(&cfg_lock, fl);
	return d;
}

/* The first listed device whose ifindex is above after, held, or NULL. */
static struct netdev *first_after(int after)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	struct netdev *d = devices;
	while (d && d->ifindex <= after)
		d = d->next;
	if (d)
		netdev_hold(d);
	spin_unlock_irqrestore(&cfg_lock, fl);
	return d;
}

struct netdev *netdev_first(void)
{
	return first_after(0);
}

/* By ifindex rather than dev->next: dev may have been unlisted since. */
struct netdev *netdev_next(struct netdev *dev)
{
	struct netdev *d = first_after(dev->ifindex);
	netdev_put(dev);
	return d;
}

struct netdev *netdev_loopback(void)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	struct netdev *d = find_index(LOOPBACK_IFINDEX);
	spin_unlock_irqrestore(&cfg_lock, fl);
	return d && d->type == ARPHRD_LOOPBACK ? d : NULL;
}

/* ---- unregistering ---------------------------------------------------------------- */

/* dev off the poll list, if it is on it. poll_lock held. */
static void poll_unlink(struct netdev *dev)
{
	struct netdev *prev = NULL;
	for (struct netdev *d = poll_head; d; prev = d, d = d->poll_next) {
		if (d != dev)
			continue;
		if (prev)
			prev->poll_next = d->poll_next;
		else
			poll_head = d->poll_next;
		if (poll_tail == d)
			poll_tail = prev;
		break;
	}
	dev->poll_next = NULL;
	dev->poll_scheduled = false;
}

void netdev_unlist(struct netdev *dev)
{
	uint64_t fl = spin_lock_irqsave(&cfg_lock);
	for (struct netdev **pp = &devices; *pp; pp = &(*pp)->next)
		if (*pp == dev) {
			*pp = dev->next;
			ndevices--;
			break;
		}
	uint64_t g = spin_lock_irqsave(&poll_lock);
	dev->unlisted = true;
	poll_unlink(dev);
	spin_unlock_irqrestore(&poll_lock, g);
	spin_unlock_irqrestore(&cfg_lock, fl);
}

/* Sleep until dev's last reference is gone, saying so every UNREG_SAY_NS. */
static void wait_unused(struct netdev *dev)
{
	uint64_t say = time_ns() + UNREG_SAY_NS;
	uint32_t n;
	while ((n = __atomic_load_n(&dev->refcnt, __ATOMIC_ACQUIRE)) != 0) {
		uint64_t now = time_ns();
		if (now >= say) {
			klog(LOG_WARN, "unregister_netdevice: waiting for %s to become free. Usage count = %u\n",
			     dev->name, n);
			say = now + UNREG_SAY_NS;
		}
		sleep_until(now + UNREG_POLL_NS);
	}
}

void netdev_unregister(struct netdev *dev, void (*purge)(struct netdev *dev))
{
	netdev_put(dev); /* the registration's */
	wait_unused(dev);
	purge(dev);
	wait_unused(dev); /* what purge's finds held a moment (a frame's quote) */
	struct netbuf *nb;
	while ((nb = netdev_backlog_take(dev)))
		netbuf_free(nb);
	uint64_t fl = spin_lock_irqsave(&dev->tx_lock);
	while ((nb = netbuf_dequeue(&dev->tx_queue)))
		netbuf_free(nb);
	spin_unlock_irqrestore(&dev->tx_lock, fl);
}

/* ---- receive ------------------------------------------------------------------- */

void netdev_schedule(struct netdev *dev)
{
	uint64_t fl = spin_lock_irqsave(&poll_lock);
	bool queued = dev->poll_scheduled || dev->unlisted; /* an unlisted one is polled no more */
	if (!queued) {
		dev->poll_scheduled = true;
		dev->poll_next = NULL;
		if (poll_tail)
			poll_tail->poll_next = dev;
		else
			poll_head = dev;
		poll_tail = dev;
	}
	spin_unlock_irqrestore(&poll_lock, fl);
	if (!queued && netdev_wake_hook)
		netdev_wake_hook();
}

struct netdev *netdev_poll_take(void)
{
	uint64_t fl = spin_lock_irqsave(&poll_lock);
	struct netdev *d = poll_head;
	if (d) {
		poll_head = d->poll_next;
		if (!poll_head)
			poll_tail = NULL;
		d->poll_next = NULL;
		d->poll_scheduled = false;
		netdev_hold(d); /* listed while on the poll list: the registration's is still there */
	}
	spin_unlock_irqrestore(&poll_lock, fl);
	return d;
}

/* The longest frame dev's driver may hand up: its own word (a driver
 * that takes frames over the MTU, as Linux's virtio-net does with
 * mergeable buffers), else the MTU's with the Ethernet header and a
 * VLAN tag. */
static uint32_t rx_frame_max(const struct netdev *dev)
{
	return dev->rx_frame_max ? dev->rx_frame_max : dev->mtu + ETH_HLEN + VLAN_HLEN;
}

void netdev_receive(struct netdev *dev, struct netbuf *nb)
{
	if (nb->len < ETH_HLEN || nb->len > rx_frame_max(dev)) {
		netdev_count(&dev->stats.rx_errors, 1);
		netdev_count(&dev->stats.rx_frame, 1);
		netbuf_free(nb);
		return;
	}
	nb->dev = dev;
	netdev_count(&dev->stats.rx_packets, 1);
	netdev_count(&dev->stats.rx_bytes, nb->len);
	uint64_t fl = spin_lock_irqsave(&poll_lock);
	bool full = dev->rx_backlog.count >= NETDEV_BACKLOG;
	if (!full)
		netbuf_enqueue(&dev->rx_backlog, nb);
	spin_unlock_irqrestore(&poll_lock, fl);
	if (full) {
		netdev_count(&dev->stats.rx_dropped, 1);
		netbuf_free(nb);
	}
}

struct netbuf *netdev_backlog_take(struct netdev *dev)
{
	uint64_t fl = spin_lock_irqsave(&poll_lock);
	struct netbuf *nb = netbuf_dequeue(&dev->rx_backlog);
	spin_unlock_irqrestore(&poll_lock, fl);
	return nb;
}

/* ---- transmit and link ---------------------------------------------------------- */

/* Pad nb to the shortest Ethernet frame with zeros: 0, or -ENOBUFS. */
static int pad_frame(struct netbuf *nb)
{
	if (nb->len >= ETH_ZLEN)
		return 0;
	size_t n = ETH_ZLEN - nb->len;
	void *tail = netbuf_put(nb, n);
	if (!tail)
		return -ENOBUFS;
	memset(tail, 0, n);
	return 0;
}

/*
 * nb to the driver, or to the back of tx_queue while frames wait there
 * (they go first) or the ring is full: -ENOBUFS only when the queue
 * holds tx_queue_len. A burst larger than the ring (a TCP window opening
 * on a 256-entry virtqueue) so waits instead of being lost and sent
 * again by timeout. tx_lock held.
 */
static int xmit_or_queue(struct netdev *dev, struct netbuf *nb)
{
	int err = dev->tx_queue.count ? -ENOBUFS : dev->ops->xmit(dev, nb);
	if (err != -ENOBUFS || dev->tx_queue.count >= dev->tx_queue_len)
		return err;
	netbuf_enqueue(&dev->tx_queue, nb);
	return 0;
}

int netdev_xmit(struct netdev *dev, struct netbuf *nb)
{
	int err = 0;
	bool queued = false;
	if (!(dev->features & NETDEV_F_CSUM))
		netbuf_csum_finish(nb); /* before a short frame's padding */
	if (!(dev->flags & IFF_UP) || !(dev->flags & IFF_RUNNING))
		err = -ENETDOWN;
	else if (nb->len > dev->mtu + ETH_HLEN)
		err = -EMSGSIZE;
	else if (dev->type == ARPHRD_ETHER)
		err = pad_frame(nb);
	if (!err) {
		uint64_t fl = spin_lock_irqsave(&dev->tx_lock);
		err = xmit_or_queue(dev, nb);
		queued = dev->tx_queue.count != 0;
		spin_unlock_irqrestore(&dev->tx_lock, fl);
	}
	if (queued)
		netdev_schedule(dev); /* the network thread reclaims and drains */
	if (err) {
		netdev_count(&dev->stats.tx_dropped, 1);
		netbuf_free(nb);
		return err;
	}
	return 0; /* the driver counts tx_packets and tx_bytes as it sends */
}

void netdev_tx_drain(struct netdev *dev)
{
	/* most polls find nothing queued: no lock for them (a frame queued
	 * after this look schedules the device again) */
	if (!__atomic_load_n(&dev->tx_queue.count, __ATOMIC_RELAXED))
		return;
	uint64_t fl = spin_lock_irqsave(&dev->tx_lock);
	struct netbuf *nb;
	while ((nb = dev->tx_queue.head)) {
		bool down = !(dev->flags & IFF_UP) || !(dev->flags & IFF_RUNNING);
		int err = down ? -ENETDOWN : dev->ops->xmit(dev, nb);
		if (err == -ENOBUFS)
			break; /* still full: the next poll, after the device's next completion */
		netbuf_dequeue(&dev->tx_queue);
		if (err) {
			netdev_count(&dev->stats.tx_dropped, 1);
			netbuf_free(nb);
		}
	}
	spin_unlock_irqrestore(&dev->tx_lock, fl);
}

static bool link_events; /* some device's link_event is set (atomic) */

/* The carrier bits set to up: true when that was a change (counted). */
static bool carrier_set(struct netdev *dev, bool up)
{
	uint32_t bits = IFF_RUNNING | IFF_LOWER_UP;
	uint32_t old = up ? __atomic_fetch_or(&dev->flags, bits, __ATOMIC_RELAXED)
			  : __atomic_fetch_and(&dev->flags, ~bits, __ATOMIC_RELAXED);
	if (!(old & IFF_LOWER_UP) == !up)
		return false;
	__atomic_add_fetch(&dev->carrier_changes, 1, __ATOMIC_RELAXED);
	return true;
}

void netdev_carrier(struct netdev *dev, bool up)
{
	if (!carrier_set(dev, up))
		return;
	__atomic_store_n(&dev->link_event, true, __ATOMIC_RELEASE);
	__atomic_store_n(&link_events, true, __ATOMIC_RELEASE);
	if (netdev_wake_hook)
		netdev_wake_hook();
}

void netdev_carrier_lost(struct netdev *dev)
{
	carrier_set(dev, false);
	__atomic_store_n(&dev->link_event, false, __ATOMIC_RELEASE);
}

bool netdev_link_events_take(void)
{
	return __atomic_exchange_n(&link_events, false, __ATOMIC_ACQ_REL);
}

bool netdev_link_event_take(struct netdev *dev)
{
	return __atomic_exchange_n(&dev->link_event, false, __ATOMIC_ACQ_REL);
}
