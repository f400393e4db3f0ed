// SPDX-License-Identifier: MIT
/*
 * Kestrel: the virtio-net self-tests.
 *
 * virtio_net_ring drives the driver's receive and transmit steps on a
 * fake device (rings in memory, the test writing the used ring as a
 * hostile device would): good frames go up, bogus used lengths (short,
 * past the buffer, ~0), offloads never negotiated, heads out of range or
 * not in flight and a runaway used index are counted and survived, and
 * every receive buffer the driver allocated is accounted for:
 * allocated = freed + handed up + posted, at every step and at the end.
 * With VIRTIO_NET_F_MRG_RXBUF, frames spread over several buffers come
 * up whole (up to VNET_FRAME_MAX and no further), and a num_buffers of
 * 0, of more than VNET_MRG_MAX or of more than the device returned, an
 * empty part or one past its buffer drop the frame, every buffer
 * reposted.
 * It needs no device.
 *
 * virtio_net_frames, on the first real virtio-net: a broadcast probe
 * frame (EtherType VNET_T_ETHERTYPE) and an ARP request for the user
 * network's gateway (10.0.2.2, asked by 10.0.2.15) go out by
 * netdev_xmit, and an answer must come back within VNET_T_WAIT_MS:
 * QEMU's user network answers the ARP, the dgram peer
 * (tests/boot/vnet_peer.py) the probe. The answer is caught where the
 * driver hands frames to netdev_receive; anything else passes on.
 */
#include "dev/virtio_net_priv.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "proc/sched.h"
#include "test/selftest.h"
#include "time/time.h"
#include "log.h"

#define T_RING            8        /* the fake device's transmit ring */
#define T_RX_RING         64       /* ...and receive ring: room for a frame of VNET_MRG_MAX buffers */
#define T_BYTE            0xab     /* what the fake device's frames are made of */
#define T_FRAME           60       /* ETH_ZLEN */
#define NS_PER_MS         1000000ull
#define VNET_T_ETHERTYPE  0x88b5   /* IEEE 802 local experimental */
#define VNET_T_WAIT_MS    5000
#define VNET_T_SETTLE_MS  1000
#define VNET_T_BUDGET     64
#define ARP_HTYPE_ETHER   1
#define ARP_OP_REQUEST    1
#define ARP_OP_REPLY      2
#define ARP_BYTES         28
#define ETH_TYPE_OFF      12       /* the EtherType in the Ethernet header */
#define ARP_HTYPE_OFF     0        /* RFC 826's fields, from the ARP header */
#define ARP_PTYPE_OFF     2
#define ARP_HLEN_OFF      4
#define ARP_PLEN_OFF      5
#define ARP_OP_OFF        6
#define ARP_SHA_OFF       8
#define ARP_SPA_OFF       14
#define ARP_TPA_OFF       24
#define IPV4_ALEN         4
#define T_GATEWAY_IP      0x0a000202u /* 10.0.2.2: QEMU's user-network gateway */
#define T_GUEST_IP        0x0a00020fu /* 10.0.2.15: its first guest address */

static const char probe_text[] = "kestrel-vnet-probe";
static const char reply_text[] = "kestrel-vnet-reply";

/* ---------------------------------------------------------------- the fake device */

struct fake {
	struct vnet v;
	uint16_t rx_seen, tx_seen;  /* avail entries the "device" took */
	unsigned caught;            /* frames the catcher got */
	uint32_t caught_len;
	bool caught_whole;          /* ...the last one all T_BYTE */
};
static struct fake *fake;

static void fake_catch(struct netdev *dev, struct netbuf *nb)
{
	(void)dev;
	fake->caught++;
	fake->caught_len = nb->len;
	fake->caught_whole = true;
	for (uint32_t i = 0; i < nb->len; i++)
		fake->caught_whole &= nb->data[i] == T_BYTE;
	netbuf_free(nb);
}

/* The device takes the next chain the driver made available. */
static uint16_t dev_take(struct virtq *q, uint16_t *seen)
{
	uint16_t head = q->avail->ring[*seen & (q->size - 1)];

	(*seen)++;
	return head;
}

/* The device returns chain id having written len bytes. */
static void dev_used(struct virtq *q, uint32_t id, uint32_t len)
{
	uint16_t idx = q->used->idx;

	q->used->ring[idx & (q->size - 1)].id = id;
	q->used->ring[idx & (q->size - 1)].len = len;
	__atomic_store_n(&q->used->idx, (uint16_t)(idx + 1), __ATOMIC_RELEASE);
}

/* The device receives a frame into the next buffer: a clean header and
 * T_FRAME bytes; then says it wrote len and spoils the header if gso. */
static void dev_receive(struct fake *f, uint32_t len, bool gso)
{
	uint16_t head = dev_take(&f->v.rx, &f->rx_seen);
	uint8_t *buf = phys_to_virt(f->v.rx.desc[head].addr);

	memset(buf, 0, VNET_HDR_LEN);
	memset(buf + VNET_HDR_LEN, T_BYTE, T_FRAME);
	if (gso)
		((struct virtio_net_hdr *)buf)->gso_type = 1;
	dev_used(&f->v.rx, head, len);
}

/* The receive buffers are all accounted for, and the ring is full. */
static bool rx_balanced(const struct vnet *v)
{
	return v->rx_allocs == v->rx_frees + v->rx_handed + vnet_rx_posted(v) && vnet_rx_posted(v) == v->rx.size;
}

/* Receive one frame of used length len (gso: a header offload never
 * negotiated): NULL if the driver handed up want frames of T_FRAME
 * bytes and counted want_err errors, its buffers balanced. */
static const char *rx_case(struct fake *f, uint32_t len, bool gso, unsigned want, uint64_t want_err)
{
	unsigned caught = f->caught;
	uint64_t errs = f->v.dev.stats.rx_errors;

	dev_receive(f, len, gso);
	if (vnet_rx_harvest(&f->v, VNET_T_BUDGET) != want || f->caught - caught != want)
		return "frames handed up: not as many as the device gave good ones";
	if (want && f->caught_len != T_FRAME)
		return "a frame handed up with the wrong length";
	if (f->v.dev.stats.rx_errors - errs != want_err)
		return "a bad used length not counted in rx_errors";
	if (!rx_balanced(&f->v))
		return "receive buffers unaccounted for (allocated != freed + handed + posted)";
	return NULL;
}

/* Every hostile receive the device can make, between good ones. */
static const char *rx_cases(struct fake *f)
{
	const struct { uint32_t len; bool gso; unsigned want; } cases[] = {
		{ VNET_HDR_LEN + T_FRAME, false, 1 },   /* good */
		{ 0, false, 0 },                        /* less than the header */
		{ VNET_HDR_LEN - 1, false, 0 },
		{ VNET_HDR_LEN + ETH_HLEN - 1, false, 0 }, /* a header, no Ethernet header */
		{ VNET_RX_BUF + 1, false, 0 },          /* past the buffer */
		{ 0xffffffffu, false, 0 },
		{ VNET_HDR_LEN + T_FRAME, true, 0 },    /* GSO never negotiated */
		{ VNET_HDR_LEN + T_FRAME, false, 1 },   /* good again: the buffers came back */
	};
	for (unsigned round = 0; round < 3; round++) /* three times round the ring */
		for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const char *why = rx_case(f, cases[i].len, cases[i].gso, cases[i].want, !cases[i].want);
			if (why)
				return why;
		}
	uint64_t bad = f->v.rx.bad_used;
	dev_used(&f->v.rx, 1000, VNET_HDR_LEN + T_FRAME); /* a head out of range */
	if (vnet_rx_harvest(&f->v, VNET_T_BUDGET) != 0 || f->v.rx.bad_used != bad + 1 || !rx_balanced(&f->v))
		return "a used head out of range not skipped";
	return NULL;
}

/* The device receives a frame over several buffers (MRG_RXBUF): the
 * first's header says nbufs, and it returns given buffers, each full of
 * T_BYTE (after the first's header) but the last, which holds last
 * bytes. */
static void dev_receive_mrg(struct fake *f, uint16_t nbufs, unsigned given, uint32_t last)
{
	for (unsigned i = 0; i < given; i++) {
		uint16_t head = dev_take(&f->v.rx, &f->rx_seen);
		uint8_t *buf = phys_to_virt(f->v.rx.desc[head].addr);
		uint32_t len = i + 1 < given ? f->v.rx.desc[head].len : last;
		memset(buf, T_BYTE, len < VNET_RX_BUF ? len : VNET_RX_BUF);
		if (i == 0) {
			memset(buf, 0, VNET_HDR_LEN);
			((struct virtio_net_hdr *)buf)->num_buffers = nbufs;
		}
		dev_used(&f->v.rx, head, len);
	}
}

/* One case of a frame over several buffers: NULL if a frame of want
 * bytes (0: none, and one rx_error) came up whole, the buffers balanced. */
static const char *mrg_case(struct fake *f, uint16_t nbufs, unsigned given, uint32_t last, uint32_t want)
{
	unsigned caught = f->caught;
	uint64_t errs = f->v.dev.stats.rx_errors;

	dev_receive_mrg(f, nbufs, given, last);
	if (vnet_rx_harvest(&f->v, VNET_T_BUDGET) != (want != 0) || f->caught - caught != (want != 0))
		return "merged frames: not handed up as the device gave them";
	if (want && (f->caught_len != want || !f->caught_whole))
		return "a merged frame handed up with the wrong length or bytes";
	if (f->v.dev.stats.rx_errors - errs != (want == 0))
		return "a bad merged frame not counted in rx_errors";
	if (!rx_balanced(&f->v))
		return "receive buffers unaccounted for after a merged frame";
	return NULL;
}

/* Frames over several buffers, good and hostile, between good ones. */
static const char *mrg_cases(struct fake *f)
{
	const uint32_t first = VNET_RX_BUF - VNET_HDR_LEN; /* a full first buffer's frame bytes */
	/* the last part that makes a frame of n buffers VNET_FRAME_MAX long */
	const uint32_t edge = VNET_FRAME_MAX - first - (VNET_MRG_MAX - 2) * VNET_RX_BUF;
	const struct { uint16_t nbufs; unsigned given; uint32_t last, want; } cases[] = {
		{ 1, 1, VNET_HDR_LEN + T_FRAME, T_FRAME },               /* one buffer, as before */
		{ 3, 3, 100, first + VNET_RX_BUF + 100 },                 /* three buffers */
		{ 0, 1, VNET_HDR_LEN + T_FRAME, 0 },                      /* num_buffers 0 */
		{ 3, 3, 0, 0 },                                           /* an empty part */
		{ 3, 3, VNET_RX_BUF + 1, 0 },                             /* a part past its buffer */
		{ VNET_MRG_MAX, VNET_MRG_MAX, edge, VNET_FRAME_MAX },     /* the longest frame */
		{ VNET_MRG_MAX, VNET_MRG_MAX, edge + 1, 0 },              /* one byte more */
		{ VNET_MRG_MAX + 1, VNET_MRG_MAX + 1, 1, 0 },             /* more buffers than a frame needs */
		{ 2, 2, 1, first + 1 },                                   /* good again */
		{ T_RX_RING + 1, T_RX_RING, 1, 0 },                       /* the used ring ends first */
		{ 2, 2, VNET_RX_BUF, first + VNET_RX_BUF },               /* good again */
	};
	f->v.mrg_rxbuf = true;
	const char *why = NULL;
	for (unsigned i = 0; !why && i < sizeof(cases) / sizeof(cases[0]); i++)
		why = mrg_case(f, cases[i].nbufs, cases[i].given, cases[i].last, cases[i].want);
	f->v.mrg_rxbuf = false;
	return why;
}

/* One frame of T_FRAME bytes with headroom bytes in front, sent. */
static int fake_send(struct fake *f, size_t headroom)
{
	struct netbuf *nb = netbuf_alloc(headroom, T_FRAME);

	if (!nb)
		return -1;
	memset(netbuf_put(nb, T_FRAME), 0xcd, T_FRAME);
	uint64_t fl = spin_lock_irqsave(&f->v.dev.tx_lock);
	int err = vnet_xmit(&f->v.dev, nb);
	spin_unlock_irqrestore(&f->v.dev.tx_lock, fl);
	if (err)
		netbuf_free(nb);
	return err;
}

/* The device takes the next frame sent: NULL if it is header + frame. */
static const char *dev_transmit(struct fake *f, uint16_t *head)
{
	*head = dev_take(&f->v.tx, &f->tx_seen);
	const struct virtq_desc *d = &f->v.tx.desc[*head];
	const uint8_t *p = phys_to_virt(d->addr);
	static const uint8_t zero[VNET_HDR_LEN];

	if (d->len != VNET_HDR_LEN + T_FRAME || (d->flags & VIRTQ_DESC_F_WRITE))
		return "a sent frame's descriptor is not header + frame, device-readable";
	if (memcmp(p, zero, VNET_HDR_LEN) != 0 || p[VNET_HDR_LEN] != 0xcd)
		return "a sent frame does not start with a zeroed virtio_net_hdr";
	return NULL;
}

/* Fill the transmit ring (one frame without headroom for the header),
 * see it refuse one more, then complete them all. */
static const char *tx_cases(struct fake *f)
{
	uint16_t heads[T_RING];

	for (unsigned i = 0; i < T_RING; i++)
		if (fake_send(f, i == 0 ? 0 : NETBUF_HEADROOM) != 0)
			return "xmit refused a frame with the ring not full";
	if (fake_send(f, NETBUF_HEADROOM) != -ENOBUFS)
		return "xmit took a frame with the ring full";
	for (unsigned i = 0; i < T_RING; i++) {
		const char *why = dev_transmit(f, &heads[i]);
		if (why)
			return why;
		dev_used(&f->v.tx, heads[i], 0);
	}
	vnet_tx_reclaim(&f->v);
	if (f->v.dev.stats.tx_packets != T_RING || f->v.dev.stats.tx_bytes != T_RING * T_FRAME)
		return "tx_packets/tx_bytes do not count the frames sent";
	dev_used(&f->v.tx, heads[0], 0); /* once more: no longer in flight */
	vnet_tx_reclaim(&f->v);
	if (f->v.tx.bad_used != 1 || virtq_free_count(&f->v.tx) != T_RING)
		return "a completed head returned twice was not skipped";
	return NULL;
}

/* A used index that runs ahead of what was ever made available. */
static const char *runaway_case(struct fake *f)
{
	__atomic_store_n(&f->v.rx.used->idx, (uint16_t)(f->v.rx.last_used + T_RX_RING + 1), __ATOMIC_RELEASE);
	if (vnet_rx_harvest(&f->v, VNET_T_BUDGET) != 0 || !f->v.rx.broken || !rx_balanced(&f->v))
		return "a runaway used index not caught";
	return NULL;
}

/* Take every buffer back from the fake rings and free them and the rings. */
static void fake_teardown(struct fake *f)
{
	void *nb;

	while (virtq_reclaim(&f->v.rx, &nb)) {
		f->v.rx_frees++;
		netbuf_free(nb);
	}
	while (virtq_reclaim(&f->v.tx, &nb))
		netbuf_free(nb);
	virtq_free(&f->v.rx);
	virtq_free(&f->v.tx);
}

/* Heap objects in use (small and large), for the log's before and after. */
static uint64_t heap_objects(void)
{
	struct heap_stats hs;

	heap_stats(&hs);
	return hs.small_in_use + hs.large_in_use;
}

SELFTEST(virtio_net_ring)
{
	uint64_t heap_before = heap_objects();
	struct fake *f = kzalloc(sizeof(*f));
	const char *why = NULL;

	if (!f)
		return "no memory";
	fake = f;
	f->v.dev.priv = &f->v;
	f->v.dev.mtu = ETH_DATA_LEN;
	f->v.deliver = fake_catch;
	if (virtq_alloc(&f->v.rx, T_RX_RING) || virtq_alloc(&f->v.tx, T_RING))
		why = "no memory for the rings";
	if (!why) {
		vnet_rx_fill(&f->v);
		if (!rx_balanced(&f->v) || f->v.rx_allocs != T_RX_RING)
			why = "the receive ring not filled";
	}
	if (!why)
		why = rx_cases(f);
	if (!why)
		why = mrg_cases(f);
	if (!why)
		why = tx_cases(f);
	if (!why)
		why = runaway_case(f);
	fake_teardown(f);
	if (!why && (f->v.rx_allocs != f->v.rx_frees + f->v.rx_handed || f->v.rx_handed + f->v.rx_merged != f->caught))
		why = "receive buffers leaked: allocated != freed + handed up";
	uint64_t allocs = f->v.rx_allocs;
	fake = NULL;
	kfree(f);
	/* for the log only: other threads allocate meanwhile; the counts above are the check */
	klog(LOG_INFO, "virtio-net-ring: %llu receive buffers allocated and all freed; heap objects %llu before, "
	     "%llu after\n", (unsigned long long)allocs, (unsigned long long)heap_before,
	     (unsigned long long)heap_objects());
	return why;
}

/* ---------------------------------------------------------------- frames on the wire */

static volatile bool t_answered;
static struct vnet *t_dev;

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Is nb (data at the Ethernet header) an answer to us: the peer's
 * reply to the probe, or the gateway's ARP reply? */
static bool is_answer(const struct vnet *v, const struct netbuf *nb)
{
	const uint8_t *p = nb->data, *pl = p + ETH_HLEN;
	static const uint8_t gw[IPV4_ALEN] = { 10, 0, 2, 2 };

	if (nb->len < ETH_HLEN + ARP_BYTES || memcmp(p, v->dev.mac, ETH_ALEN) != 0)
		return false;
	if (get_be16(p + ETH_TYPE_OFF) == VNET_T_ETHERTYPE)
		return memcmp(pl, reply_text, sizeof(reply_text) - 1) == 0;
	return get_be16(p + ETH_TYPE_OFF) == ETH_P_ARP && get_be16(pl + ARP_OP_OFF) == ARP_OP_REPLY &&
	       memcmp(pl + ARP_SPA_OFF, gw, IPV4_ALEN) == 0;
}

/* The test's stand-in for netdev_receive: the answer is kept (and
 * freed), everything else goes on to the stack. */
static void t_catch(struct netdev *dev, struct netbuf *nb)
{
	if (t_dev && is_answer(t_dev, nb)) {
		t_answered = true;
		netbuf_free(nb);
		return;
	}
	netdev_receive(dev, nb);
}

/* A T_FRAME broadcast from v of EtherType type, its payload zeroed. */
static struct netbuf *t_frame(struct vnet *v, uint16_t type)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, T_FRAME);

	if (!nb)
		return NULL;
	uint8_t *p = netbuf_put(nb, T_FRAME);
	memset(p, 0, T_FRAME);
	memcpy(p, bcast, ETH_ALEN);
	memcpy(p + ETH_ALEN, v->dev.mac, ETH_ALEN);
	put_be16(p + ETH_TYPE_OFF, type);
	return nb;
}

/* The ARP request: who has 10.0.2.2, tell 10.0.2.15 (RFC 826). */
static struct netbuf *t_arp(struct vnet *v)
{
	struct netbuf *nb = t_frame(v, ETH_P_ARP);

	if (!nb)
		return NULL;
	uint8_t *a = nb->data + ETH_HLEN;
	put_be16(a + ARP_HTYPE_OFF, ARP_HTYPE_ETHER);
	put_be16(a + ARP_PTYPE_OFF, ETH_P_IP);
	a[ARP_HLEN_OFF] = ETH_ALEN;
	a[ARP_PLEN_OFF] = IPV4_ALEN;
	put_be16(a + ARP_OP_OFF, ARP_OP_REQUEST);
	memcpy(a + ARP_SHA_OFF, v->dev.mac, ETH_ALEN);
	put_be32(a + ARP_SPA_OFF, T_GUEST_IP);
	put_be32(a + ARP_TPA_OFF, T_GATEWAY_IP);
	return nb;
}

static struct netbuf *t_probe(struct vnet *v)
{
	struct netbuf *nb = t_frame(v, VNET_T_ETHERTYPE);

	if (nb)
		memcpy(nb->data + ETH_HLEN, probe_text, sizeof(probe_text) - 1);
	return nb;
}

/* Send nb: by netdev_xmit once the stack has the device up, else by the
 * driver's xmit as netdev_xmit calls it. 0 or the error (nb freed). */
static int t_send(struct vnet *v, struct netbuf *nb)
{
	if (!nb)
		return -ENOMEM;
	if (v->dev.flags & IFF_UP)
		return netdev_xmit(&v->dev, nb);
	uint64_t fl = spin_lock_irqsave(&v->dev.tx_lock);
	int err = v->dev.ops->xmit(&v->dev, nb);
	spin_unlock_irqrestore(&v->dev.tx_lock, fl);
	if (err)
		netbuf_free(nb);
	return err;
}

/* The receive buffers balance and the ring is full again, within
 * VNET_T_SETTLE_MS: the network thread may be in the middle of a frame
 * when we look (its counters are its own; reading them from here is a
 * snapshot), but a leak never balances. */
static bool t_settled(const struct vnet *v)
{
	uint64_t end = time_ns() + VNET_T_SETTLE_MS * NS_PER_MS;

	while (!rx_balanced(v)) {
		if (time_ns() >= end)
			return false;
		sleep_until(time_ns() + NS_PER_MS);
	}
	return true;
}

/* Wait for the answer and for both frames' transmit completions. With
 * no network thread yet (netdev_wake_hook unset), poll here: nothing
 * else touches the receive ring then. */
static bool t_wait(struct vnet *v, uint64_t tx_before)
{
	uint64_t end = time_ns() + VNET_T_WAIT_MS * NS_PER_MS;

	while (time_ns() < end) {
		if (!netdev_wake_hook) {
			vnet_poll(&v->dev, VNET_T_BUDGET);
			vnet_irq_enable(&v->dev);
		}
		if (t_answered && v->dev.stats.tx_packets >= tx_before + 2)
			return true;
		sleep_until(time_ns() + NS_PER_MS);
	}
	return false;
}

SELFTEST(virtio_net_frames)
{
	struct vnet *v = vnet_get(0);

	if (!v)
		return SELFTEST_SKIP("no virtio-net");
	if (v->dead || !v->link_up)
		return "the device is dead or its link down";
	uint64_t tx_before = v->dev.stats.tx_packets;
	t_answered = false;
	t_dev = v;
	__atomic_store_n(&v->deliver, t_catch, __ATOMIC_RELEASE);
	int e1 = t_send(v, t_probe(v)), e2 = t_send(v, t_arp(v));
	bool ok = !e1 && !e2 && t_wait(v, tx_before);
	__atomic_store_n(&v->deliver, netdev_receive, __ATOMIC_RELEASE);
	if (e1 || e2)
		return "xmit refused the test frames";
	if (!ok)
		return t_answered ? "the test frames' transmits never completed"
				  : "no answer from a peer (QEMU's user network or the dgram peer)";
	bool settled = t_settled(v);
	const struct netdev_stats *st = &v->dev.stats;
	klog(LOG_INFO, "virtio-net: %s: rx buffers allocated %llu = freed %llu + handed up %llu + posted %llu; "
	     "rx_errors %llu rx_dropped %llu tx_packets %llu tx_bytes %llu; merged %llu\n", v->dev.name,
	     (unsigned long long)v->rx_allocs, (unsigned long long)v->rx_frees, (unsigned long long)v->rx_handed,
	     (unsigned long long)vnet_rx_posted(v), (unsigned long long)st->rx_errors,
	     (unsigned long long)st->rx_dropped, (unsigned long long)st->tx_packets, (unsigned long long)st->tx_bytes,
	     (unsigned long long)v->rx_merged);
	if (!settled)
		return "receive buffers unaccounted for (allocated != freed + handed + posted, or the ring not full)";
	return NULL;
}
