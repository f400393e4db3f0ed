// SPDX-License-Identifier: MIT
/*
 * Kestrel: USB Ethernet adapters of the CDC-ECM class (USB CDC 1.2, ECM
 * 1.2), as Linux's cdc_ether drives them: QEMU's usb-net (whose first
 * configuration is ECM, its second RNDIS: the ECM one is found by its
 * descriptors), and real adapters such as the RTL8153 in their ECM
 * configuration.
 *
 * The function is a communication interface (class 2, subclass 6) whose
 * interrupt IN endpoint carries notifications (the link, its speed), and
 * a data interface whose alternate setting 0 has no endpoints; the
 * setting with the bulk endpoints is selected with SET_INTERFACE. Each
 * bulk transfer is one Ethernet frame, without the FCS. Receive keeps
 * RX_SLOTS transfers of BUF_SIZE bytes queued on the bulk IN ring;
 * transmit copies each frame into one of TX_SLOTS buffers and queues it
 * as whole packets then the short (or zero-length) packet that ends it,
 * in two TDs, so that a frame ends the same way whether the host
 * controller hands the device a TD at a time (QEMU, whose usb-net sends
 * what it gathered at a transfer that is not whole 64-byte packets) or
 * packets.
 *
 * The transfer events arrive in the xHCI interrupt handler (hc->lock
 * held): it only marks slots done and schedules the netdev; the network
 * thread's poll hands frames up and queues the slots again. An unplugged
 * adapter (usb_net_gone) never touches the device's pages again; the
 * hot-plug thread then unregisters its netdev (usb_net_reap: Linux's
 * usbnet_disconnect, unregister_netdev), which waits until the stack
 * holds no reference to it, and frees the adapter, so that the next one
 * plugged in is eth0 again when eth0 is free.
 */
#include "dev/usb_net.h"
#include "dev/cdc_ecm_desc.h"
#include "dev/xhci_hw.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "net/ifstate.h"
#include "net/netdev.h"
#include "log.h"

#define RX_SLOTS        16          /* bulk IN transfers kept queued */
#define TX_SLOTS        16          /* frames in flight to the device */
#define BUF_SIZE        2048        /* one frame's buffer: two a page */
#define BUFS_PER_PAGE   (XHCI_PAGE / BUF_SIZE)
#define NOTIFY_OFF      3072        /* the notification buffer, in u->buf's last quarter */
#define NOTIFY_LEN      (USB_CDC_NOTIFY_HDR + USB_CDC_NOTIFY_SPEED_DATA)
#define MAX_CONFIGS     4           /* configurations looked through */
#define CONFIG_MAX      1024        /* configuration bytes read at most */
#define STRING_MAX      255
#define NET_MAX         8           /* adapters at once (a gone one's slot is free once reaped) */
#define MBPS            1000000u
#define ECM_FILTER      (USB_CDC_PACKET_TYPE_DIRECTED | USB_CDC_PACKET_TYPE_BROADCAST | \
			 USB_CDC_PACKET_TYPE_ALL_MULTICAST)

_Static_assert(RX_SLOTS + 2 * TX_SLOTS < RING_TRBS - 1, "each ring holds its slots' TRBs");
_Static_assert(BUF_SIZE >= ETH_FRAME_LEN + 4, "a buffer holds a frame with a VLAN tag");

/*
 * One adapter.
 * Fixed once probed: hc, the DCIs, out_maxp, the buffers' addresses.
 * lock (interrupts off) guards: u, gone, the rings' producer sides (with
 * hc->lock inside it for the push and the doorbell), rx_next, tx_head,
 * tx_tail, tx_len[], tx_nb[]. Lock order: dev.tx_lock, then lock, then hc->lock.
 * The event handler (hc->lock held) takes no lock of ours: it writes
 * rx_done[], rx_len[], rx_cc[], rx_seq, tx_events, the broken flags and
 * the notify fields, each read by poll with acquire loads after the
 * done flag (rx_seq and tx_events are written by the handler alone).
 * reaped: the hot-plug thread's alone.
 */
struct usb_net {
	struct netdev dev;
	struct spinlock lock;
	struct xhci_dev *u;             /* NULL once gone */
	struct xhci *hc;
	bool gone;
	bool broken_said;               /* poll logged a broken endpoint */
	bool reaped;                    /* gone and unregistered: about to be freed */
	uint8_t in_dci, out_dci, int_dci;
	uint16_t out_maxp;
	struct xhci_ring in, out, intr;
	uint8_t *rx_buf[RX_SLOTS], *tx_buf[TX_SLOTS];
	/* receive: slots queued in order; rx_next the oldest */
	uint64_t rx_trb[RX_SLOTS];      /* the TRB each slot sits on */
	volatile uint8_t rx_done[RX_SLOTS];
	uint16_t rx_len[RX_SLOTS];
	uint8_t rx_cc[RX_SLOTS];
	unsigned rx_next, rx_seq;
	/* transmit: frames tx_tail..tx_head in flight */
	unsigned tx_head, tx_tail;
	uint16_t tx_len[TX_SLOTS];
	struct netbuf *tx_nb[TX_SLOTS]; /* each frame's netbuf, freed once sent (the
					 * stack's queue still links it when xmit returns) */
	volatile unsigned tx_events;    /* frames the device finished */
	volatile bool rx_broken, tx_broken, notify_broken;
	uint32_t speed_mbps;            /* from CONNECTION_SPEED_CHANGE; 0 unknown */
};

static struct usb_net *nets[NET_MAX];                /* NULL: a free slot */
static struct spinlock nets_lock = SPINLOCK_INIT;   /* guards nets[] */

/* ---------------------------------------------------------------- rings */

/* Queues receive slot s on the bulk IN ring. lock and hc->lock held. */
static void rx_queue(struct usb_net *n, unsigned s)
{
	__atomic_store_n(&n->rx_done[s], 0, __ATOMIC_RELAXED);
	n->rx_trb[s] = xhci_ring_push(&n->in, xhci_phys(n->rx_buf[s]), BUF_SIZE,
				      TRB_TYPE(TRB_NORMAL) | TRB_ISP | TRB_IOC);
}

/* Queues the interrupt endpoint's next notification read. hc->lock held. */
static void notify_queue(struct usb_net *n, struct xhci_dev *u)
{
	xhci_ring_push(&n->intr, xhci_phys(u->buf + NOTIFY_OFF), NOTIFY_LEN,
		       TRB_TYPE(TRB_NORMAL) | TRB_ISP | TRB_IOC);
	xhci_ring_doorbell(n->hc, u->slot, n->int_dci);
}

/* Queues frame slot s (tx_len[s] bytes) on the bulk OUT ring: the whole
 * packets, then the short or zero-length packet that ends the frame
 * (USB 2.0, 5.8.3), each a TD of its own, the last one interrupting.
 * lock and hc->lock held. */
static void tx_queue(struct usb_net *n, unsigned s)
{
	uint32_t len = n->tx_len[s], rest = len % n->out_maxp, whole = len - rest;
	uint64_t at = xhci_phys(n->tx_buf[s]);

	if (whole)
		xhci_ring_push(&n->out, at, whole, TRB_TYPE(TRB_NORMAL));
	xhci_ring_push(&n->out, at + whole, rest, TRB_TYPE(TRB_NORMAL) | TRB_IOC);
}

/* ---------------------------------------------------------------- events */

/* A notification read (cc and residue from its event): the carrier
 * follows NETWORK_CONNECTION, a speed change is logged; the next read
 * queued. An error stops the notifications (the link stays as it is). */
static void notify_event(struct usb_net *n, struct xhci_dev *u, unsigned cc, uint32_t residue)
{
	if (cc != CC_SUCCESS && cc != CC_SHORT_PACKET) {
		n->notify_broken = true;
		klog(LOG_WARN, "usb-net %s: notification read failed (completion code %u); link left as is\n",
		     n->dev.name, cc);
		return;
	}
	size_t got = residue < NOTIFY_LEN ? NOTIFY_LEN - residue : 0;
	struct ecm_notify no = ecm_parse_notify(u->buf + NOTIFY_OFF, got);
	if (no.ev == ECM_EV_CONNECTED || no.ev == ECM_EV_DISCONNECTED) {
		bool up = no.ev == ECM_EV_CONNECTED;
		if (up != !!(n->dev.flags & IFF_LOWER_UP))
			klog(LOG_INFO, "usb-net %s: link %s\n", n->dev.name, up ? "up" : "down");
		netdev_carrier(&n->dev, up);
	} else if (no.ev == ECM_EV_SPEED) {
		n->speed_mbps = no.down_bps / MBPS;
		klog(LOG_INFO, "usb-net %s: speed %u/%u Mb/s\n", n->dev.name, no.down_bps / MBPS, no.up_bps / MBPS);
	}
	notify_queue(n, u);
}

/* A bulk IN completion: the next slot in order must be the one it names. */
static void rx_event(struct usb_net *n, const struct trb *ev)
{
	unsigned s = n->rx_seq % RX_SLOTS, cc = TRB_CC(ev->status);
	uint32_t residue = TRB_LEN(ev->status);

	if (ev->param != n->rx_trb[s] || __atomic_load_n(&n->rx_done[s], __ATOMIC_RELAXED)) {
		n->rx_broken = true;    /* not the TRB queued next: the ring cannot be followed */
		return;
	}
	n->rx_len[s] = (uint16_t)(residue < BUF_SIZE ? BUF_SIZE - residue : 0);
	n->rx_cc[s] = (uint8_t)cc;
	n->rx_seq++;
	__atomic_store_n(&n->rx_done[s], 1, __ATOMIC_RELEASE);
}

void usb_net_event(struct xhci_dev *u, const struct trb *ev)
{
	struct usb_net *n = u->net;
	unsigned dci = TRB_GET_EP(ev->control), cc = TRB_CC(ev->status);

	if (!n || __atomic_load_n(&n->gone, __ATOMIC_ACQUIRE))
		return;
	if (dci == n->int_dci && !n->notify_broken) {
		notify_event(n, u, cc, TRB_LEN(ev->status));
		return;
	}
	if (dci == n->in_dci)
		rx_event(n, ev);
	else if (dci == n->out_dci && (cc == CC_SUCCESS || cc == CC_SHORT_PACKET))
		__atomic_add_fetch(&n->tx_events, 1, __ATOMIC_RELEASE);
	else if (dci == n->out_dci)
		n->tx_broken = true;
	else
		return;
	netdev_schedule(&n->dev);
}

/* ---------------------------------------------------------------- poll and transmit */

/* Counts and frees the frames the device finished sending. lock held. */
static void tx_reclaim(struct usb_net *n)
{
	unsigned done = __atomic_load_n(&n->tx_events, __ATOMIC_ACQUIRE);

	while (n->tx_tail != n->tx_head && (int)(done - n->tx_tail) > 0) {
		unsigned s = n->tx_tail % TX_SLOTS;
		netdev_count(&n->dev.stats.tx_packets, 1);
		netdev_count(&n->dev.stats.tx_bytes, n->tx_len[s]);
		netbuf_free(n->tx_nb[s]);
		n->tx_nb[s] = NULL;
		n->tx_tail++;
	}
}

/* Frees the frames still in flight (the device is gone). lock held. */
static void tx_drop_all(struct usb_net *n)
{
	for (; n->tx_tail != n->tx_head; n->tx_tail++) {
		unsigned s = n->tx_tail % TX_SLOTS;
		netdev_count(&n->dev.stats.tx_dropped, 1);
		netbuf_free(n->tx_nb[s]);
		n->tx_nb[s] = NULL;
	}
}

/* Slot s's frame, checked (14 bytes up to the MTU and its header) and
 * copied into a netbuf on q, or counted as an error. lock held. */
static void rx_take(struct usb_net *n, unsigned s, struct netbuf_queue *q)
{
	unsigned cc = n->rx_cc[s], len = n->rx_len[s];

	if (cc != CC_SUCCESS && cc != CC_SHORT_PACKET) {
		netdev_count(&n->dev.stats.rx_errors, 1);
		return;
	}
	if (len < ETH_HLEN || len > n->dev.mtu + ETH_HLEN) {
		netdev_count(&n->dev.stats.rx_errors, 1);   /* Linux's rx_length_errors */
		netdev_count(&n->dev.stats.rx_frame, 1);
		return;
	}
	struct netbuf *nb = netbuf_alloc(0, len);
	if (!nb) {
		netdev_count(&n->dev.stats.rx_dropped, 1);
		return;
	}
	memcpy(netbuf_put(nb, len), n->rx_buf[s], len);
	netbuf_enqueue(q, nb);
}

/* Takes up to budget finished receive slots in order onto q and queues
 * them again. lock held. Returns how many were taken. */
static unsigned rx_harvest(struct usb_net *n, unsigned budget, struct netbuf_queue *q)
{
	unsigned seen = 0;

	while (seen < budget && __atomic_load_n(&n->rx_done[n->rx_next % RX_SLOTS], __ATOMIC_ACQUIRE)) {
		unsigned s = n->rx_next % RX_SLOTS;
		rx_take(n, s, q);
		uint64_t g = spin_lock_irqsave(&n->hc->lock);
		rx_queue(n, s);
		spin_unlock_irqrestore(&n->hc->lock, g);
		n->rx_next++;
		seen++;
	}
	if (seen) {
		uint64_t g = spin_lock_irqsave(&n->hc->lock);
		xhci_ring_doorbell(n->hc, n->u->slot, n->in_dci);
		spin_unlock_irqrestore(&n->hc->lock, g);
	}
	return seen;
}

/* An endpoint the event handler found broken (an error completion, or
 * a receive completion out of order): said once, the carrier dropped;
 * the adapter does nothing more until it is plugged in again. lock held. */
static void say_broken(struct usb_net *n)
{
	if (n->broken_said || (!n->rx_broken && !n->tx_broken))
		return;
	n->broken_said = true;
	netdev_carrier(&n->dev, false);
	klog(LOG_WARN, "usb-net %s: %s endpoint failed; adapter stopped (plug it in again)\n", n->dev.name,
	     n->rx_broken ? "bulk IN" : "bulk OUT");
}

/* ops->poll (the network thread): sent frames counted, received ones
 * handed up (outside our lock). */
static unsigned un_poll(struct netdev *dev, unsigned budget)
{
	struct usb_net *n = dev->priv;
	struct netbuf_queue q = { 0 };
	unsigned handed = 0;

	uint64_t f = spin_lock_irqsave(&n->lock);
	if (!n->gone) {
		say_broken(n);
		tx_reclaim(n);
		if (!n->rx_broken)
			rx_harvest(n, budget, &q);
	}
	spin_unlock_irqrestore(&n->lock, f);
	for (struct netbuf *nb; (nb = netbuf_dequeue(&q)); handed++)
		netdev_receive(dev, nb);
	return handed;
}

/* ops->irq_enable: events always schedule the netdev; one that came
 * while poll ran has (netdev_poll_take clears the flag first). */
static void un_irq_enable(struct netdev *dev)
{
	(void)dev;
}

/* ops->xmit (tx_lock held, interrupts off): the frame copied into a
 * free slot and queued; nb kept until the device has sent it (poll
 * frees it). -ENETDOWN once unplugged or the
 * endpoint failed, -ENOBUFS with every slot in flight, -EMSGSIZE. */
static int un_xmit(struct netdev *dev, struct netbuf *nb)
{
	struct usb_net *n = dev->priv;
	int err = 0;

	if (nb->len > dev->mtu + ETH_HLEN || nb->len > BUF_SIZE)
		return -EMSGSIZE;
	uint64_t f = spin_lock_irqsave(&n->lock);
	if (n->gone || n->tx_broken)
		err = -ENETDOWN;
	else if (tx_reclaim(n), n->tx_head - n->tx_tail == TX_SLOTS)
		err = -ENOBUFS;
	if (!err) {
		unsigned s = n->tx_head % TX_SLOTS;
		memcpy(n->tx_buf[s], nb->data, nb->len);
		n->tx_len[s] = (uint16_t)nb->len;
		n->tx_nb[s] = nb;
		uint64_t g = spin_lock_irqsave(&n->hc->lock);
		tx_queue(n, s);
		xhci_ring_doorbell(n->hc, n->u->slot, n->out_dci);
		spin_unlock_irqrestore(&n->hc->lock, g);
		n->tx_head++;
	}
	spin_unlock_irqrestore(&n->lock, f);
	return err;
}

/* ops->open: an unplugged adapter cannot come up again. */
static int un_open(struct netdev *dev)
{
	struct usb_net *n = dev->priv;

	return __atomic_load_n(&n->gone, __ATOMIC_ACQUIRE) ? -ENODEV : 0;
}

static const struct netdev_ops un_ops = {
	.xmit = un_xmit,
	.poll = un_poll,
	.irq_enable = un_irq_enable,
	.open = un_open,
};

/* ---------------------------------------------------------------- probe */

/* GET_DESCRIPTOR into u->buf (zeroed first): 0 or -errno. */
static int get_desc(struct xhci_dev *u, uint8_t type, uint8_t index, uint16_t lang, uint16_t len)
{
	memset(u->buf, 0, len);
	return xhci_control(u, USB_DIR_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index), lang, len);
}

/* The first of u's configurations that is an ECM function, into *d;
 * NULL, or why none is ("no ECM interface" when none has one, or a
 * configuration could not be read before one was found: a device that
 * is no adapter is left as it was). */
static const char *find_ecm(struct xhci_dev *u, unsigned num_configs, struct ecm_desc *d)
{
	const char *why = "no ECM interface";

	for (unsigned i = 0; i < num_configs && i < MAX_CONFIGS; i++) {
		uint16_t total = 0;
		if (!get_desc(u, USB_DT_CONFIG, (uint8_t)i, 0, USB_DT_CONFIG_SIZE))
			total = (uint16_t)(u->buf[2] | u->buf[3] << 8);
		if (total > CONFIG_MAX)
			total = CONFIG_MAX;
		if (total < USB_DT_CONFIG_SIZE || get_desc(u, USB_DT_CONFIG, (uint8_t)i, 0, total)) {
			xhci_ep_restart(u, DCI_EP0, &u->ep0);   /* a stall halts endpoint 0 */
			return why;
		}
		const char *w = ecm_parse_config(u->buf, total, d);
		if (!w)
			return NULL;
		if (strcmp(w, "no ECM interface") != 0)
			why = w;    /* an ECM interface, but malformed: said if nothing better comes */
	}
	return why;
}

/* The MAC address from the iMACAddress string (in the device's first
 * language). NULL or why not. */
static const char *read_mac(struct xhci_dev *u, const struct ecm_desc *d, uint8_t mac[ETH_ALEN])
{
	uint16_t lang = USB_LANG_EN_US;

	if (!get_desc(u, USB_DT_STRING, 0, 0, STRING_MAX))
		lang = ecm_first_langid(u->buf, STRING_MAX);
	else
		xhci_ep_restart(u, DCI_EP0, &u->ep0);   /* a stall: no language list */
	if (get_desc(u, USB_DT_STRING, d->mac_string, lang, STRING_MAX))
		return "MAC address string unreadable";
	return ecm_parse_mac(u->buf, STRING_MAX, mac);
}

/* Rings and buffers from u's pages. NULL or why not. */
static const char *alloc_rings(struct usb_net *n, struct xhci_dev *u)
{
	if (!xhci_ring_init(&n->in, xhci_dev_page(u)) || !xhci_ring_init(&n->out, xhci_dev_page(u)) ||
	    !xhci_ring_init(&n->intr, xhci_dev_page(u)))
		return "out of memory";
	uint8_t *page = NULL;
	for (unsigned i = 0; i < RX_SLOTS + TX_SLOTS; i++) {
		if (i % BUFS_PER_PAGE == 0 && !(page = xhci_dev_page(u)))
			return "out of memory";
		uint8_t *b = page + (i % BUFS_PER_PAGE) * BUF_SIZE;
		if (i < RX_SLOTS)
			n->rx_buf[i] = b;
		else
			n->tx_buf[i - RX_SLOTS] = b;
	}
	return NULL;
}

static uint8_t in_dci(const struct usb_ep_info *e)
{
	return (uint8_t)(2 * (e->address & USB_EP_NUM_MASK) + 1);
}

/* SET_CONFIGURATION, the endpoints' contexts, SET_INTERFACE to the data
 * setting, the packet filter (a stall is logged, as Linux ignores it).
 * NULL or why not. */
static const char *configure(struct usb_net *n, struct xhci_dev *u, const struct ecm_desc *d)
{
	n->in_dci = in_dci(&d->bulk_in);
	n->out_dci = (uint8_t)(2 * (d->bulk_out.address & USB_EP_NUM_MASK));
	n->int_dci = d->has_notify ? in_dci(&d->notify) : 0;
	n->out_maxp = d->bulk_out.max_packet;
	if (n->in_dci == n->int_dci)
		return "the notification and bulk IN endpoints are one";
	if (xhci_control(u, 0, USB_REQ_SET_CONFIGURATION, d->config_value, 0, 0))
		return "SET_CONFIGURATION failed";
	struct xhci_ep_cfg eps[3] = {
		{ n->out_dci, EP_TYPE_BULK_OUT, d->bulk_out.max_packet, d->bulk_out.max_burst, &n->out, 0 },
		{ n->in_dci, EP_TYPE_BULK_IN, d->bulk_in.max_packet, d->bulk_in.max_burst, &n->in, 0 },
		{ n->int_dci, EP_TYPE_INT_IN, d->notify.max_packet, 0, &n->intr,
		  (uint8_t)xhci_interval(u->speed, d->notify.interval) },
	};
	if (xhci_configure_eps(u, eps, d->has_notify ? 3 : 2))
		return "Configure Endpoint failed";
	if (xhci_control(u, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, d->data_alt, d->data_iface, 0))
		return "SET_INTERFACE to the data setting failed";
	if (xhci_control(u, USB_TYPE_CLASS | USB_RECIP_INTERFACE, USB_CDC_SET_ETHERNET_PACKET_FILTER, ECM_FILTER,
			 d->ctrl_iface, 0)) {
		xhci_ep_restart(u, DCI_EP0, &u->ep0);
		klog(LOG_INFO, "usb-net usb %s: SET_ETHERNET_PACKET_FILTER refused; the device's own filter stays\n",
		     u->name);
	}
	return NULL;
}

/* The netdev's fixed fields. */
static void init_netdev(struct usb_net *n, struct xhci_dev *u, const struct ecm_desc *d, const uint8_t *mac)
{
	struct pci_dev *p = u->hc->pci;

	n->dev.type = ARPHRD_ETHER;
	n->dev.ops = &un_ops;
	n->dev.priv = n;
	n->dev.driver = "cdc_ether";
	ksnprintf(n->dev.bus_info, sizeof(n->dev.bus_info), "usb-%04x:%02x:%02x.%u-%s", p->segment, p->bus, p->dev,
		  p->fn, u->name + 2);
	memcpy(n->dev.mac, mac, ETH_ALEN);
	uint32_t seg = d->max_segment < ETH_FRAME_LEN ? d->max_segment : ETH_FRAME_LEN;
	n->dev.mtu = seg - ETH_HLEN;
	n->dev.max_mtu = n->dev.mtu;
}

/* Remembers n in a free slot (until usb_net_reap frees it); false when
 * nets[] is full. */
static bool remember(struct usb_net *n)
{
	bool ok = false;
	uint64_t f = spin_lock_irqsave(&nets_lock);
	for (unsigned i = 0; i < NET_MAX && !ok; i++)
		if (!nets[i]) {
			nets[i] = n;
			ok = true;
		}
	spin_unlock_irqrestore(&nets_lock, f);
	return ok;
}

/* Forgets n's slot. */
static void forget(struct usb_net *n)
{
	uint64_t f = spin_lock_irqsave(&nets_lock);
	for (unsigned i = 0; i < NET_MAX; i++)
		if (nets[i] == n)
			nets[i] = NULL;
	spin_unlock_irqrestore(&nets_lock, f);
}

/* The receive slots and the first notification read queued. Without an
 * interrupt endpoint the link is taken as up. */
static void start(struct usb_net *n, struct xhci_dev *u)
{
	uint64_t g = spin_lock_irqsave(&n->hc->lock);
	for (unsigned s = 0; s < RX_SLOTS; s++)
		rx_queue(n, s);
	xhci_ring_doorbell(n->hc, u->slot, n->in_dci);
	if (n->int_dci)
		notify_queue(n, u);
	spin_unlock_irqrestore(&n->hc->lock, g);
	if (!n->int_dci)
		netdev_carrier(&n->dev, true);
}

const char *usb_net_probe(struct xhci_dev *u, unsigned num_configs, bool *matched)
{
	struct ecm_desc d;
	uint8_t mac[ETH_ALEN];
	const char *why = find_ecm(u, num_configs, &d);

	*matched = !why || strcmp(why, "no ECM interface") != 0;
	if (why)
		return *matched ? why : NULL;
	if ((why = read_mac(u, &d, mac)))
		return why;
	struct usb_net *n = kzalloc(sizeof(*n));
	if (!n)
		return "out of memory";
	n->hc = u->hc;
	n->u = u;
	if (!remember(n)) {
		kfree(n);
		return "too many USB network adapters";
	}
	if ((why = alloc_rings(n, u)) || (why = configure(n, u, &d))) {
		forget(n);
		kfree(n);
		return why;
	}
	init_netdev(n, u, &d, mac);
	if (netdev_register(&n->dev, "eth", true)) {
		forget(n);
		kfree(n);
		return "not registered (too many devices)";
	}
	u->net = n;
	start(n, u);
	klog(LOG_INFO, "usb-net %s: usb %s CDC-ECM %02x:%02x:%02x:%02x:%02x:%02x mtu %u (data interface %u setting %u)\n",
	     n->dev.name, u->name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], n->dev.mtu, d.data_iface,
	     d.data_alt);
	return NULL;
}

/* ---------------------------------------------------------------- removal */

void usb_net_gone(struct xhci_dev *u)
{
	struct usb_net *n = u->net;

	uint64_t f = spin_lock_irqsave(&n->lock);
	__atomic_store_n(&n->gone, true, __ATOMIC_RELEASE);
	n->u = NULL;
	tx_drop_all(n);
	spin_unlock_irqrestore(&n->lock, f);
	u->net = NULL;
	netdev_carrier_lost(&n->dev); /* told by the unregistering, as Linux's */
	klog(LOG_INFO, "usb-net %s: unplugged; the interface is unregistered\n", n->dev.name);
}

void usb_net_reap(void)
{
	for (unsigned i = 0; i < NET_MAX; i++) {
		uint64_t f = spin_lock_irqsave(&nets_lock);
		struct usb_net *n = nets[i];
		spin_unlock_irqrestore(&nets_lock, f);
		if (!n || !__atomic_load_n(&n->gone, __ATOMIC_ACQUIRE) || n->reaped)
			continue;
		n->reaped = true;
		net_dev_unregister(&n->dev); /* returns once nothing holds it */
		klog(LOG_INFO, "usb-net: %s unregistered\n", n->dev.name);
		forget(n);
		kfree(n);
	}
}
