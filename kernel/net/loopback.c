// SPDX-License-Identifier: MIT
/*
 * Kestrel: lo, the loopback device. A frame sent on it is received on it:
 * xmit hands the netbuf back to netdev_receive's backlog, and
 * loopback_run takes the backlog up the stack, called by whoever sent
 * it once it holds no lock (never inside xmit: a reply to a packet would
 * recurse, and the sender may hold its connection's lock). Whatever
 * sends on lo ends in a loopback_run: the socket calls when they are
 * done and before they sleep, the network thread after its timers and
 * at least every 250 ms. MTU 65536, as Linux's.
 *
 * Lock rule: netdev.c's backlog lock covers the hand-off; the draining
 * is one caller's at a time, the one that set lo_draining. Each frame
 * is offered first to lo_input_nolock (ether_input_nolock: a TCP
 * segment over IPv4 or IPv6 for a connection past its handshake, issue 29), which
 * takes it up under the connection's own locks; the rest go to lo_input
 * under the kernel lock: what they carry may be for any socket (a UDP or
 * AF_UNIX-chassis queue, a listener's accept queue, the port list),
 * which are still the kernel lock's. A caller running without it (a TCP
 * send or receive off the kernel lock) has it taken for those frames
 * alone, and keeps it across a run of them.
 */
#include "net/loopback.h"
#include "net/netdev.h"
#include "arch/x86_64/klock.h"
#include "lib/errno.h"
#include "proc/sched.h"

#define LO_MTU 65536
#define LO_RUN_BATCH 64 /* frames between chances to reschedule (NAPI's weight) */

static void (*lo_input)(struct netbuf *nb); /* set once, at boot */
static bool (*lo_input_nolock)(struct netbuf *nb); /* set once, at boot */
static struct netdev *lo_live;              /* lo, once registered */
static bool lo_draining;                    /* a caller is in loopback_run's loop */

/* xmit: the frame comes back in, for the next loopback_run; the sender's
 * bytes count both ways. A checksum left to the device is never summed:
 * the bytes stayed in memory, and the receiver is told so (Linux's lo
 * does the same with CHECKSUM_PARTIAL). */
static int lo_xmit(struct netdev *dev, struct netbuf *nb)
{
	netbuf_orphan(nb); /* the receiver's now: no longer its sender's to count */
	if (nb->csum_partial)
		nb->csum_ok = true;
	netdev_count(&dev->stats.tx_packets, 1);
	netdev_count(&dev->stats.tx_bytes, nb->len);
	netdev_receive(dev, nb);
	return 0;
}

/* Frames wait on lo's backlog. */
static bool lo_waiting(const struct netdev *dev)
{
	return __atomic_load_n(&dev->rx_backlog.count, __ATOMIC_SEQ_CST) != 0;
}

/* Up to LO_RUN_BATCH frames up the stack, the draining owned: how many.
 * A frame lo_input_nolock leaves goes up under the kernel lock, taken
 * unless the caller holds it, and kept until a frame goes up without it
 * or the batch ends (see the lock rule). */
static unsigned run_batch(struct netdev *dev)
{
	struct netbuf *nb;
	unsigned n = 0;
	bool taken = false;
	while (n < LO_RUN_BATCH && (nb = netdev_backlog_take(dev))) {
		n++;
		if (lo_input_nolock && lo_input_nolock(nb)) {
			klock_leave_taken(taken);
			taken = false;
			continue;
		}
		if (!taken)
			taken = klock_enter_unless_held();
		lo_input(nb);
	}
	klock_leave_taken(taken);
	return n;
}

bool loopback_run(void)
{
	struct netdev *dev = lo_live;
	bool delivered = false;
	while (dev && lo_waiting(dev)) {
		if (__atomic_exchange_n(&lo_draining, true, __ATOMIC_SEQ_CST))
			return delivered; /* the owner looks again after it lets go */
		unsigned n = run_batch(dev);
		__atomic_store_n(&lo_draining, false, __ATOMIC_SEQ_CST);
		delivered |= n != 0;
		if (n == LO_RUN_BATCH)
			sched_cond_resched();
	}
	return delivered;
}

/* poll: nothing to harvest; netdev_receive queued the frames already and
 * loopback_run takes them up. */
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
	.features = NETDEV_F_CSUM,
	/* its link is there from the start: as on Linux, where a new
	 * device has carrier, lo never counts a carrier change */
	.flags = IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP,
};

struct netdev *loopback_create(void (*input)(struct netbuf *nb), bool (*input_nolock)(struct netbuf *nb))
{
	lo_input = input;
	lo_input_nolock = input_nolock;
	if (netdev_register(&lo_dev, "lo", false))
		return NULL;
	__atomic_store_n(&lo_live, &lo_dev, __ATOMIC_RELEASE);
	return &lo_dev;
}
