// SPDX-License-Identifier: MIT
/*
 * Kestrel: lo, the loopback device. A frame sent on it is received on it:
 * xmit hands the netbuf straight back to netdev_receive and schedules
 * the device, so the network thread takes it up the stack as any
 * received frame (never in the sender's own call: a reply to a packet
 * would otherwise recurse). MTU 65536, as Linux's.
 *
 * Lock rule: none of its own (netdev.c's backlog lock covers the hand-off).
 */
#include "net/loopback.h"
#include "net/netdev.h"
#include "lib/errno.h"

#define LO_MTU 65536

/* xmit: the frame comes back in; the sender's bytes count both ways. */
static int lo_xmit(struct netdev *dev, struct netbuf *nb)
{
	netdev_count(&dev->stats.tx_packets, 1);
	netdev_count(&dev->stats.tx_bytes, nb->len);
	netdev_receive(dev, nb);
	netdev_schedule(dev);
	return 0;
}

/* poll: nothing to harvest; netdev_receive queued the frames already. */
static unsigned lo_poll(struct netdev *dev, unsigned budget)
{
	(void)dev;
	(void)budget;
	return 0;
}

static void lo_irq_enable(struct netdev *dev)
{
	(void)dev;
}

static const struct netdev_ops lo_ops = {
	.xmit = lo_xmit,
	.poll = lo_poll,
	.irq_enable = lo_irq_enable,
};

static struct netdev lo_dev = {
	.type = ARPHRD_LOOPBACK,
	.ops = &lo_ops,
	.driver = "loopback",
	.mtu = LO_MTU,
	/* its link is there from the start: as on Linux, where a new
	 * device has carrier, lo never counts a carrier change */
	.flags = IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP,
};

struct netdev *loopback_create(void)
{
	if (netdev_register(&lo_dev, "lo", false))
		return NULL;
	return &lo_dev;
}
