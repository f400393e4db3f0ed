// SPDX-License-Identifier: MIT
/*
 * Kestrel: the network stack's start and its thread (net/net.h). The
 * thread does every device's receive work, as Linux's NAPI softirq does
 * it: it takes each device that asked to be polled, lets its driver hand
 * up to NET_POLL_BUDGET frames over, passes them up the stack, and lets
 * the device interrupt again when it was done before the budget ran out
 * (else it polls it again, after the others). What lo carries is taken
 * up by its senders (net/loopback.h), and by the thread after the TCP
 * timers it runs. Every 250 ms it runs the periodic work: ARP's and
 * ND's ageing and retries, reassembly's timeouts, IPv6's DAD, router
 * solicitations and lifetimes.
 *
 * Lock rule: net_work is set by anyone (atomically) and cleared by the
 * thread; net_wq is a wait queue (the kernel lock, as every wait queue
 * for now); the devices' own state is netdev.c's.
 */
#include "net/net.h"
#include "net/af_packet.h"
#include "net/arp.h"
#include "net/ether.h"
#include "net/icmp.h"
#include "net/ifstate.h"
#include "net/inet_sock.h"
#include "net/ipconfig.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "net/ndisc.h"
#include "net/ipv6.h"
#include "net/icmp6.h"
#include "net/ndisc.h"
#include "net/loopback.h"
#include "net/net_proc.h"
#include "net/netlink.h"
#include "net/netdev.h"
#include "net/pmtu.h"
#include "net/tcp_sock.h"
#include "net/udp.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "proc/sched.h"
#include "time/time.h"
#include "log.h"

#define NET_POLL_BUDGET   64                      /* frames per device per turn (NAPI's weight) */
#define NET_HOUSEKEEP_NS  (250 * NET_NS_PER_MS)
#define LOOPBACK_ADDR     0x7f000001u             /* 127.0.0.1 */
#define LOOPBACK_PREFIX   8

static struct wait_queue net_wq;
static volatile bool net_work;

void net_kick(void)
{
	__atomic_store_n(&net_work, true, __ATOMIC_RELEASE);
	wake_all(&net_wq);
}

/* Pass up to budget frames dev's driver left on its backlog up the
 * stack. True when some are left. */
static bool drain_backlog(struct netdev *dev, unsigned budget)
{
	struct netbuf *nb;
	for (unsigned n = 0; n < budget; n++) {
		if (!(nb = netdev_backlog_take(dev)))
			return false;
		nb->batched = true;
		ether_input(nb);
	}
	return dev->rx_backlog.count != 0;
}

/* One turn over the devices that asked to be polled. */
static void poll_devices(void)
{
	struct netdev *dev;
	while ((dev = netdev_poll_take())) {
		unsigned n = dev->ops->poll(dev, NET_POLL_BUDGET);
		netdev_tx_drain(dev); /* the ring's reclaimed room, to frames waiting for it */
		bool more = drain_backlog(dev, NET_POLL_BUDGET);
		tcp_sock_batch_end(); /* one ACK for what the batch brought each connection */
		tcp_sock_run_tsq();   /* what the ring's reclaim let the small queues send */
		if (n >= NET_POLL_BUDGET || more)
			netdev_schedule(dev); /* after the others */
		else
			dev->ops->irq_enable(dev);
		netdev_put(dev); /* netdev_poll_take's */
		sched_cond_resched();
	}
}

static void housekeep(uint64_t now)
{
	arp_timer(now);
	ipv4_frag_expire(now);
	ndisc_timer(now);
	addrconf_timer(now);
	ipv6_frag_expire(now);
}

/* The network thread: poll when kicked, housekeep on the clock. */
static void net_thread(void *arg)
{
	(void)arg;
	uint64_t next = time_ns() + NET_HOUSEKEEP_NS;
	for (;;) {
		uint64_t f = irq_save();
		while (!__atomic_load_n(&net_work, __ATOMIC_ACQUIRE) && time_ns() < next)
			wait_on(&net_wq, next);
		__atomic_store_n(&net_work, false, __ATOMIC_RELAXED);
		irq_restore(f);
		poll_devices();
		net_linkwatch_run();  /* the carrier changes the polls and interrupts saw */
		tcp_sock_run_timers();
		tcp_sock_run_tsq();   /* for segments let go of outside a poll */
		loopback_run(); /* what the timers sent this host; each 250 ms at least */
		uint64_t now = time_ns();
		if (now >= next) {
			housekeep(now);
			next = now + NET_HOUSEKEEP_NS;
		}
	}
}

/* lo: up, with 127.0.0.1/8, as every Linux init brings it up early. */
static void loopback_up(void)
{
	struct netdev *lo = loopback_create(ether_input, ether_input_nolock);
	if (!lo) {
		klog(LOG_WARN, "net: cannot register lo\n");
		return;
	}
	net_dev_up(lo);
	ipv4_addr_add(lo->ifindex, LOOPBACK_ADDR, LOOPBACK_PREFIX, 0);
}

void net_init(const char *ip_spec)
{
	arp_init();
	ipv4_init();
	pmtu_init();          /* the path MTU cache both IP versions use */
	icmp_init();
	ipv6_init();
	icmp6_init();
	ipv6_init();
	icmp6_init();
	udp_init();
	inet_udp_wire_init(); /* UDP sockets reach other hosts through IPv4 */
	inet_icmp_init();     /* raw and ping sockets */
	inet_udp6_init();     /* UDP over IPv6 */
	inet_icmp6_init();    /* raw and ping sockets over IPv6 */
	tcp_sock_init();      /* TCP to other hosts */
	packet_init();        /* AF_PACKET sockets */
	netlink_init();       /* rtnetlink's notifications */
	net_proc_init();
	netdev_wake_hook = net_kick;
	struct thread *t = thread_create_kernel("net", net_thread, NULL);
	if (!t) {
		klog(LOG_ERR, "net: no memory for the network thread; no network\n");
		return;
	}
	thread_make_runnable(t);
	loopback_up();
	ipconfig_run(ip_spec);
}
