// SPDX-License-Identifier: MIT
/*
 * Kestrel: virtio-net (virtio 1.1, section 5.1) on the PCI modern
 * transport (dev/virtio_pci.c), as a network device (net/netdev.h).
 *
 * One receive queue and one transmit queue, no offloads: every frame
 * carries the checksums the stack computed, and each has the 12-byte
 * virtio_net_hdr in front of it. Receive buffers are NETBUF_RX_SIZE
 * netbufs the device writes header + frame into; a used length the
 * buffer cannot hold, or too short for the headers, is an rx_error and
 * the buffer goes back in the ring. A frame is handed up only once its
 * replacement buffer is posted, so the ring never runs dry and no
 * buffer leaks. With VIRTIO_NET_F_MRG_RXBUF (offered by QEMU, taken
 * as Linux takes it) a frame longer than a buffer comes in several
 * (num_buffers in the first's header): it is checked part by part,
 * copied into one netbuf and handed up, and its buffers reposted as they
 * were; frames up to VNET_FRAME_MAX, so a peer with a larger MTU is
 * heard, as Linux hears it. Transmit pushes the header into the netbuf's headroom
 * and posts one descriptor; poll frees what the device finished.
 *
 * Interrupts: pci.c gives a function one vector, so config changes, rx
 * and tx share MSI-X entry 0. The handler quiets both queues and
 * schedules the device; after an interrupt (perhaps the config one) poll
 * reads the link status if the configuration generation moved;
 * irq_enable lets the queues interrupt
 * again and reschedules if a buffer came back meanwhile. Without MSI-X a
 * timer schedules the device every VNET_POLL_MS and the ISR byte tells
 * config changes. Lock rules: dev/virtio_net_priv.h.
 */
#include <stddef.h>
#include "dev/virtio_net.h"
#include "dev/virtio_net_priv.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "time/time.h"
#include "log.h"

#define VNET_POLL_MS      10       /* without MSI-X: how often the timer polls */
#define NS_PER_MS         1000000ull
#define VNET_MSIX_ENTRY   0        /* the one MSI-X entry pci_msi_enable programs */

/* Feature bits (5.1.3) */
#define F_NET_MTU         (1ull << 3)
#define F_NET_MAC         (1ull << 5)
#define F_NET_MRG_RXBUF   (1ull << 15)
#define F_NET_STATUS      (1ull << 16)

/* Device configuration (5.1.4) */
#define NCFG_MAC          0
#define NCFG_STATUS       6
#define NCFG_MTU          10
#define NET_S_LINK_UP     1u

/* A locally administered unicast address: bit 1 of the first byte set, bit 0 clear. */
#define MAC_LOCAL         0x02u
#define MAC_MULTICAST     0x01u

static struct vnet *vnets[VNET_MAX];
static unsigned nvnet;

unsigned vnet_count(void)
{
	return nvnet;
}

struct vnet *vnet_get(unsigned i)
{
	return i < nvnet ? vnets[i] : NULL;
}

/* ---------------------------------------------------------------- receive */

/* Put nb (len 0, data at its start) in the receive ring. */
static void rx_post(struct vnet *v, struct netbuf *nb)
{
	struct virtq_seg seg = { netbuf_phys(nb), (uint32_t)netbuf_tailroom(nb), true };

	if (virtq_add(&v->rx, &seg, 1, nb) < 0) {
		/* cannot happen: each buffer taken out frees its descriptor */
		v->rx_frees++;
		netbuf_free(nb);
	}
}

/* A fresh receive buffer, counted. NULL when memory is short. */
static struct netbuf *rx_alloc(struct vnet *v)
{
	struct netbuf *nb = netbuf_alloc(0, VNET_RX_BUF);

	if (nb)
		v->rx_allocs++;
	return nb;
}

void vnet_rx_fill(struct vnet *v)
{
	bool added = false;

	while (virtq_free_count(&v->rx) > 0) {
		struct netbuf *nb = rx_alloc(v);
		if (!nb)
			break; /* the next poll tries again; frames recycle buffers meanwhile */
		rx_post(v, nb);
		added = true;
	}
	if (added)
		virtq_kick(&v->rx);
}

/* Is the device's word on the buffer believable: room for the headers,
 * no more than the buffer, and no offload we did not ask for? */
static bool rx_len_ok(const struct netbuf *nb, uint32_t len)
{
	if (len < VNET_HDR_LEN + ETH_HLEN || len > netbuf_tailroom(nb))
		return false;
	const struct virtio_net_hdr *h = (const struct virtio_net_hdr *)nb->data;
	return h->gso_type == VIRTIO_NET_HDR_GSO_NONE && !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

/* A frame the device got wrong: counted; its buffer goes back. */
static void rx_bad(struct vnet *v)
{
	netdev_count(&v->dev.stats.rx_errors, 1);
	netdev_count(&v->dev.stats.rx_frame, 1);
}

/* nb's frame (nb->data its first byte) to the stack. */
static void rx_hand_up(struct vnet *v, struct netbuf *nb)
{
	nb->dev = &v->dev;
	vnet_deliver_fn deliver = __atomic_load_n(&v->deliver, __ATOMIC_ACQUIRE);
	deliver(&v->dev, nb);
}

/* How many buffers the frame starting in nb spans: its header's
 * num_buffers with VIRTIO_NET_F_MRG_RXBUF (0 is the device's error),
 * else 1. nb holds the header (rx_len_ok passed). */
static unsigned rx_nbufs(const struct vnet *v, const struct netbuf *nb)
{
	const struct virtio_net_hdr *h = (const struct virtio_net_hdr *)nb->data;

	return v->mrg_rxbuf ? h->num_buffers : 1;
}

/* One used receive buffer and what the device says it wrote there. */
struct rx_part {
	struct netbuf *nb;
	uint32_t len;
};

/* Take the buffers of a frame after its first (parts[0]) off the used
 * ring into parts[1..n), reposting at once any past VNET_MRG_MAX (the
 * frame will be dropped). Returns the parts taken, the first included:
 * n, or fewer when the used ring ended first (a device error). */
static unsigned rx_take_rest(struct vnet *v, struct rx_part *parts, unsigned n)
{
	struct virtq_done done;
	unsigned i = 1;

	for (; i < n && virtq_harvest(&v->rx, &done) && done.cookie; i++) {
		if (i < VNET_MRG_MAX)
			parts[i] = (struct rx_part){ done.cookie, done.len };
		else
			rx_post(v, done.cookie);
	}
	return i;
}

/* The frame's bytes across parts[0..n) (the first's header left out),
 * if every part is believable (the first passed rx_len_ok; each other
 * holds at least a byte and no more than its buffer) and the frame is
 * at most VNET_FRAME_MAX; else 0. No overflow: n <= VNET_MRG_MAX parts
 * of at most VNET_RX_BUF bytes each. */
static uint32_t rx_merged_len(const struct rx_part *parts, unsigned n)
{
	uint32_t total = parts[0].len - VNET_HDR_LEN;

	for (unsigned i = 1; i < n; i++) {
		if (parts[i].len == 0 || parts[i].len > netbuf_tailroom(parts[i].nb))
			return 0;
		total += parts[i].len;
	}
	return total <= VNET_FRAME_MAX ? total : 0;
}

/* One netbuf holding the total bytes of the frame in parts[0..n),
 * copied in order. NULL when memory is short. */
static struct netbuf *rx_gather(const struct rx_part *parts, unsigned n, uint32_t total)
{
	struct netbuf *nb = netbuf_alloc(0, total);

	if (!nb)
		return NULL;
	uint8_t *p = netbuf_put(nb, total);
	memcpy(p, parts[0].nb->data + VNET_HDR_LEN, parts[0].len - VNET_HDR_LEN);
	p += parts[0].len - VNET_HDR_LEN;
	for (unsigned i = 1; i < n; i++) {
		memcpy(p, parts[i].nb->data, parts[i].len);
		p += parts[i].len;
	}
	return nb;
}

/* A frame spread over n buffers (VIRTIO_NET_F_MRG_RXBUF, 5.1.6.4): its
 * first (header and len bytes, checked by rx_len_ok) and the n - 1 the
 * device returned after it. The frame is copied into one netbuf and
 * handed up; every buffer goes back in the ring as it was. A count over
 * VNET_MRG_MAX, a used ring that ends first, a part empty or past its
 * buffer, or a frame over VNET_FRAME_MAX is one rx_error, no memory for
 * the copy one rx_dropped: nothing goes up, the buffers are reposted.
 * Returns whether a frame was handed up. */
static bool rx_merge(struct vnet *v, struct netbuf *first, uint32_t len, unsigned n)
{
	struct rx_part parts[VNET_MRG_MAX] = { { first, len } };
	unsigned got = rx_take_rest(v, parts, n);
	uint32_t total = got == n && n <= VNET_MRG_MAX ? rx_merged_len(parts, n) : 0;
	struct netbuf *frame = total ? rx_gather(parts, n, total) : NULL;

	for (unsigned i = 0; i < got && i < VNET_MRG_MAX; i++)
		rx_post(v, parts[i].nb);
	if (!total)
		rx_bad(v);
	else if (!frame)
		netdev_count(&v->dev.stats.rx_dropped, 1);
	if (!frame)
		return false;
	v->rx_merged++;
	rx_hand_up(v, frame);
	return true;
}

/* One used receive buffer: hand its frame up (with the buffers after it
 * that the frame spans), or count it bad and repost the buffer. A frame
 * in one buffer goes up only when a new buffer took its place. Returns
 * whether a frame was handed up. */
static bool rx_one(struct vnet *v, struct netbuf *nb, uint32_t len)
{
	unsigned n = rx_len_ok(nb, len) ? rx_nbufs(v, nb) : 0;

	if (n > 1)
		return rx_merge(v, nb, len, n);
	if (n == 0) {
		rx_bad(v);
		rx_post(v, nb);
		return false;
	}
	struct netbuf *fresh = rx_alloc(v);
	if (!fresh) {
		netdev_count(&v->dev.stats.rx_dropped, 1);
		rx_post(v, nb); /* the frame is lost, the buffer is not */
		return false;
	}
	rx_post(v, fresh);
	netbuf_put(nb, len);
	netbuf_pull(nb, VNET_HDR_LEN);
	v->rx_handed++;
	rx_hand_up(v, nb);
	return true;
}

unsigned vnet_rx_harvest(struct vnet *v, unsigned budget)
{
	struct virtq_done done;
	unsigned handed = 0, seen = 0;

	/* bad entries count against the budget too: a device that floods
	 * the ring with garbage cannot keep the network thread here */
	while (seen < budget && virtq_harvest(&v->rx, &done)) {
		seen++;
		if (!done.cookie)
			continue; /* every rx chain has its netbuf: not reached */
		if (rx_one(v, done.cookie, done.len))
			handed++;
	}
	if (seen)
		virtq_kick(&v->rx);
	return handed;
}

/* ---------------------------------------------------------------- transmit */

void vnet_tx_reclaim(struct vnet *v)
{
	struct virtq_done done;

	while (virtq_harvest(&v->tx, &done)) {
		struct netbuf *nb = done.cookie;
		if (!nb)
			continue;
		netdev_count(&v->dev.stats.tx_packets, 1);
		netdev_count(&v->dev.stats.tx_bytes, nb->len - VNET_HDR_LEN);
		netbuf_free(nb);
	}
}

/* nb with VNET_HDR_LEN of headroom: nb itself, or a copy (nb freed)
 * when the caller left too little; NULL (nb untouched) without memory. */
static struct netbuf *tx_room(struct netbuf *nb)
{
	if (netbuf_headroom(nb) >= VNET_HDR_LEN)
		return nb;
	struct netbuf *c = netbuf_clone(nb);
	if (c)
		netbuf_free(nb);
	return c;
}

/* ops->xmit (tx_lock held, interrupts off): the header pushed in front
 * of the frame, one descriptor posted, the doorbell rung. 0 (nb is the
 * driver's until poll frees it), -ENOBUFS with the ring full or no
 * memory for a copy, -EMSGSIZE, -ENETDOWN once the device is given up:
 * then nb is still the caller's. */
int vnet_xmit(struct netdev *dev, struct netbuf *nb)
{
	struct vnet *v = dev->priv;

	if (__atomic_load_n(&v->dead, __ATOMIC_ACQUIRE))
		return -ENETDOWN;
	if (nb->len > dev->mtu + ETH_HLEN)
		return -EMSGSIZE;
	if (virtq_free_count(&v->tx) == 0)
		vnet_tx_reclaim(v);
	if (virtq_free_count(&v->tx) == 0)
		return -ENOBUFS;
	nb = tx_room(nb);
	if (!nb)
		return -ENOBUFS;
	struct virtio_net_hdr *h = netbuf_push(nb, VNET_HDR_LEN);
	memset(h, 0, sizeof(*h));
	struct virtq_seg seg = { netbuf_phys(nb), nb->len, false };
	virtq_add(&v->tx, &seg, 1, nb);
	virtq_kick(&v->tx);
	return 0;
}

/* ---------------------------------------------------------------- link and poll */

/* The device cannot be believed any more: stop using it (once), and say
 * why. Its buffers stay in its rings (it may still write to them). Poll's. */
static void give_up(struct vnet *v, const char *why)
{
	if (v->dead)
		return;
	__atomic_store_n(&v->dead, true, __ATOMIC_RELEASE);
	virtio_pci_fail(&v->vp);
	netdev_carrier(&v->dev, false);
	klog(LOG_ERR, "virtio-net: %s: %s; device stopped\n", v->dev.name, why);
}

/* Read the link status (VIRTIO_NET_F_STATUS; always up without it) and
 * tell the stack when it changed. Poll's, or the probe's. */
static void link_update(struct vnet *v, bool log_change)
{
	uint64_t st;
	bool up = v->link_up;

	v->cfg_gen = virtio_pci_config_generation(&v->vp);
	if (virtio_pci_status(&v->vp) & VIRTIO_ST_NEEDS_RESET) {
		give_up(v, "the device needs a reset (it found an error in what the driver gave it)");
		return;
	}
	if (!(v->vp.features & F_NET_STATUS))
		up = true;
	else if (virtio_pci_cfg_read(&v->vp, NCFG_STATUS, 2, &st))
		up = (st & NET_S_LINK_UP) != 0;
	if (up == v->link_up)
		return;
	v->link_up = up;
	netdev_carrier(&v->dev, up);
	if (log_change)
		klog(LOG_INFO, "virtio-net: %s link %s\n", v->dev.name, up ? "up" : "down");
}

/* A configuration interrupt may have come (the vector is shared, so any
 * interrupt may be one; without MSI-X the ISR says): if the generation
 * moved, read the link again. One register read in the common case. */
static void link_poll(struct vnet *v)
{
	bool maybe = __atomic_exchange_n(&v->link_check, false, __ATOMIC_ACQ_REL);

	if (!v->msix)
		maybe = virtio_pci_isr(&v->vp) & VIRTIO_ISR_CONFIG; /* reading acknowledges it */
	if (maybe && virtio_pci_config_generation(&v->vp) != v->cfg_gen)
		link_update(v, true);
}

unsigned vnet_poll(struct netdev *dev, unsigned budget)
{
	struct vnet *v = dev->priv;

	if (v->dead)
		return 0;
	link_poll(v);
	uint64_t fl = spin_lock_irqsave(&dev->tx_lock);
	vnet_tx_reclaim(v);
	spin_unlock_irqrestore(&dev->tx_lock, fl);
	unsigned n = vnet_rx_harvest(v, budget);
	if (virtq_free_count(&v->rx))
		vnet_rx_fill(v); /* buffers memory was short for earlier */
	if (v->rx.broken || v->tx.broken)
		give_up(v, "its used ring ran ahead of the driver");
	return n;
}

/* Ask the device not to interrupt for either queue. Any context. */
static void quiet(struct vnet *v)
{
	virtq_irq_disable(&v->rx);
	virtq_irq_disable(&v->tx);
}

void vnet_irq_enable(struct netdev *dev)
{
	struct vnet *v = dev->priv;

	if (!v->msix || v->dead)
		return; /* the timer polls */
	bool more = virtq_irq_enable(&v->rx);
	uint64_t fl = spin_lock_irqsave(&dev->tx_lock);
	more |= virtq_irq_enable(&v->tx);
	spin_unlock_irqrestore(&dev->tx_lock, fl);
	if (more) {
		quiet(v);
		netdev_schedule(dev);
	}
}

/* The shared MSI-X vector: config, rx or tx of some device. The handler
 * has no context argument, so it quiets and schedules every device;
 * a poll with nothing to do costs little. */
static void vnet_irq(struct trap_frame *tf)
{
	(void)tf;
	for (unsigned i = 0; i < nvnet; i++) {
		struct vnet *v = vnets[i];
		quiet(v);
		__atomic_store_n(&v->link_check, true, __ATOMIC_RELEASE);
		netdev_schedule(&v->dev);
	}
}

/* Without MSI-X: schedule the device, and come again. From the tick,
 * interrupts off. */
static void vnet_timer(struct ktimer *t)
{
	struct vnet *v = (struct vnet *)((char *)t - offsetof(struct vnet, poll_timer));

	netdev_schedule(&v->dev);
	ktimer_arm(t, time_ns() + VNET_POLL_MS * NS_PER_MS);
}

static const struct netdev_ops vnet_ops = {
	.xmit = vnet_xmit,
	.poll = vnet_poll,
	.irq_enable = vnet_irq_enable,
};

/* ---------------------------------------------------------------- bring-up */

/* A 64-bit mix of x (splitmix64's finaliser). */
static uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A random locally administered unicast MAC: the TSC and the PCI
 * address mixed (not secret, only unlikely to collide). */
static void random_mac(struct vnet *v, uint8_t mac[ETH_ALEN])
{
	struct pci_dev *d = v->vp.pci;
	uint64_t r = mix64(rdtsc() ^ ((uint64_t)d->bus << 16 | (uint64_t)d->dev << 8 | d->fn));

	for (unsigned i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)(r >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & ~MAC_MULTICAST) | MAC_LOCAL);
}

/* The device's MAC (VIRTIO_NET_F_MAC) if it gave a usable one (not
 * multicast, not zero), else a random one. */
static void read_mac(struct vnet *v)
{
	uint8_t mac[ETH_ALEN];
	uint64_t b;
	bool ok = (v->vp.features & F_NET_MAC) != 0;

	for (unsigned i = 0; ok && i < ETH_ALEN; i++) {
		ok = virtio_pci_cfg_read(&v->vp, NCFG_MAC + i, 1, &b);
		mac[i] = (uint8_t)b;
	}
	static const uint8_t zero[ETH_ALEN];
	if (ok && ((mac[0] & MAC_MULTICAST) || memcmp(mac, zero, ETH_ALEN) == 0)) {
		klog(LOG_WARN, "virtio-net: %s: the device's MAC is multicast or zero; a random one instead\n",
		     v->dev.bus_info);
		ok = false;
	}
	if (!ok)
		random_mac(v, mac);
	memcpy(v->dev.mac, mac, ETH_ALEN);
}

/* The MTU the device offers (VIRTIO_NET_F_MTU), if a receive buffer
 * holds a frame that long; 0 if not offered or not usable. Read before
 * the features are accepted, as 3.1.1 step 4 allows. */
static uint32_t offered_mtu(struct vnet *v, uint64_t offered)
{
	uint64_t mtu;

	if (!(offered & F_NET_MTU) || !virtio_pci_cfg_read(&v->vp, NCFG_MTU, 2, &mtu))
		return 0;
	if (mtu < VNET_MTU_MIN || mtu > VNET_MTU_MAX) {
		klog(LOG_WARN, "virtio-net: %s: the device's MTU %u does not fit a receive buffer; 1500\n",
		     v->dev.bus_info, (unsigned)mtu);
		return 0;
	}
	return (uint32_t)mtu;
}

/* Features and MTU: NULL, or why not. */
static const char *negotiate(struct vnet *v)
{
	uint64_t offered = virtio_pci_device_features(&v->vp);
	uint64_t wanted = F_NET_MAC | F_NET_STATUS | F_NET_MRG_RXBUF | VIRTIO_F_VERSION_1;
	uint32_t mtu = offered_mtu(v, offered);

	if (mtu)
		wanted |= F_NET_MTU;
	const char *why = virtio_pci_negotiate(&v->vp, wanted);
	if (why)
		return why;
	v->mrg_rxbuf = (v->vp.features & F_NET_MRG_RXBUF) != 0;
	if (v->mrg_rxbuf)
		v->dev.rx_frame_max = VNET_FRAME_MAX; /* a frame over the MTU is taken (rx_merge) */
	v->dev.mtu = mtu ? mtu : ETH_DATA_LEN;
	v->dev.max_mtu = v->dev.mtu;
	v->dev.min_mtu = VNET_MTU_MIN;
	return NULL;
}

/* Interrupts: MSI-X entry 0 for config, rx and tx; else the timer. */
static void setup_irq(struct vnet *v)
{
	int vec = pci_msi_enable(v->vp.pci, vnet_irq);

	v->msix = vec >= 0 && v->vp.pci->msix_on && virtio_pci_config_vector(&v->vp, VNET_MSIX_ENTRY) &&
		  virtio_pci_queue_vector(&v->vp, VNET_Q_RX, VNET_MSIX_ENTRY) &&
		  virtio_pci_queue_vector(&v->vp, VNET_Q_TX, VNET_MSIX_ENTRY);
	if (!v->msix) {
		klog(LOG_WARN, "virtio-net: %s: no MSI-X (%d); polled every %u ms\n", v->dev.bus_info, vec,
		     VNET_POLL_MS);
		virtio_pci_config_vector(&v->vp, VIRTIO_MSI_NO_VECTOR);
		virtio_pci_queue_vector(&v->vp, VNET_Q_RX, VIRTIO_MSI_NO_VECTOR);
		virtio_pci_queue_vector(&v->vp, VNET_Q_TX, VIRTIO_MSI_NO_VECTOR);
		pci_msi_disable(v->vp.pci);
	}
}

/* The bring-up (3.1.1, 5.1.5): NULL, or which step failed. The receive
 * ring is full and the device running when it returns NULL. */
static const char *start(struct vnet *v)
{
	const char *why = virtio_pci_begin(&v->vp);

	if (why)
		return why;
	why = negotiate(v);
	if (!why)
		why = virtio_pci_queue_setup(&v->vp, VNET_Q_RX, &v->rx, VNET_RX_RING_MAX);
	if (!why)
		why = virtio_pci_queue_setup(&v->vp, VNET_Q_TX, &v->tx, VNET_TX_RING_MAX);
	if (why) {
		virtio_pci_fail(&v->vp);
		return why;
	}
	read_mac(v);
	setup_irq(v);
	virtio_pci_queue_enable(&v->vp, VNET_Q_RX);
	virtio_pci_queue_enable(&v->vp, VNET_Q_TX);
	virtio_pci_status_add(&v->vp, VIRTIO_ST_DRIVER_OK);
	vnet_rx_fill(v); /* after DRIVER_OK: no doorbell before it (3.1.1) */
	link_update(v, false);
	return NULL;
}

/* The interface's fixed fields, before registration. */
static void init_netdev(struct vnet *v)
{
	struct pci_dev *d = v->vp.pci;

	v->dev.type = ARPHRD_ETHER;
	v->dev.ops = &vnet_ops;
	v->dev.priv = v;
	v->dev.driver = "virtio_net";
	ksnprintf(v->dev.bus_info, sizeof(v->dev.bus_info), "%04x:%02x:%02x.%u", d->segment, d->bus, d->dev, d->fn);
	v->deliver = netdev_receive;
	v->poll_timer.fire = vnet_timer;
}

/* Undo start() for a device that will not be used: reset it, and once
 * it has forgotten the rings, free them and the posted buffers. A device
 * that will not reset keeps them (it may still write there). */
static void stop(struct vnet *v)
{
	void *nb;

	pci_msi_disable(v->vp.pci);
	if (!virtio_pci_reset(&v->vp))
		return;
	while (virtq_reclaim(&v->rx, &nb)) {
		v->rx_frees++;
		netbuf_free(nb);
	}
	while (virtq_reclaim(&v->tx, &nb))
		netbuf_free(nb);
	virtq_free(&v->rx);
	virtq_free(&v->tx);
}

/* Commit (nothing below fails): the device is registered and running;
 * let the handler see it, log it, and poll it once for what came before
 * anyone listened. */
static void commit(struct vnet *v)
{
	const uint8_t *m = v->dev.mac;

	vnets[nvnet++] = v;
	klog(LOG_INFO, "virtio-net: %s %s %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %s (%s)\n", v->dev.bus_info,
	     v->dev.name, m[0], m[1], m[2], m[3], m[4], m[5], v->dev.mtu, v->link_up ? "up" : "down",
	     v->msix ? "MSI-X" : "polled");
	if (!v->msix) {
		uint64_t f = irq_save();
		ktimer_arm(&v->poll_timer, time_ns() + VNET_POLL_MS * NS_PER_MS);
		irq_restore(f);
	}
	netdev_schedule(&v->dev);
}

int virtio_net_probe(struct pci_dev *d)
{
	if (d->device != VIRTIO_PCI_NET_LEGACY && d->device != VIRTIO_PCI_NET_MODERN)
		return -ENODEV;
	if (nvnet == VNET_MAX)
		return -ENOSPC;
	struct vnet *v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vp.pci = d;
	init_netdev(v);
	pci_enable_device(d);
	const char *why = start(v);
	int err = why ? -EIO : netdev_register(&v->dev, "eth", true);
	if (err) {
		if (!why)
			stop(v);
		klog(LOG_WARN, "virtio-net: %s: %s\n", v->dev.bus_info, why ? why : "not registered (too many devices)");
		pci_msi_disable(d);
		pci_disable_device(d);
		return err; /* v stays: the device may still hold its queues' addresses */
	}
	commit(v);
	return 0;
}
