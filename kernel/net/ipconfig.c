// SPDX-License-Identifier: MIT
/*
 * Kestrel: boot-time network configuration (net/ipconfig.h), the
 * kernel's ip= word as Linux's ipconfig reads it. A static address is
 * set as given; DHCP (RFC 2131) runs on each Ethernet device in turn:
 * DISCOVER, then REQUEST for the first OFFER, then the ACK's address,
 * netmask, router and DNS servers are applied (the servers in
 * /proc/net/pnp, as Linux, for a resolv.conf that points there). Each
 * message is sent again after 1, 2 and 4 s (RFC 2131 4.1's backoff,
 * shortened for a boot); a device that gets no lease in about 10 s is
 * left up without an address. The lease is not renewed: ipconfig
 * configures a boot, as Linux's; a system that must keep a lease runs
 * a DHCP client program.
 *
 * The answers are heard through Ethernet's IPv4 tap (ether_set_ip_tap)
 * while the device has no address. Lock rule: the mailbox (reply,
 * reply_ready, want_xid) under box_lock; box_wq wakes the boot thread.
 */
#include "net/ifstate.h"
#include "net/ipconfig.h"
#include "proc/uts.h"
#include "net/ether.h"
#include "net/ipv4.h"
#include "net/net.h"
#include "net/netdev.h"
#include "net/wire.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "proc/sched.h"
#include "time/time.h"
#include "uapi/in.h"
#include "log.h"

#define DHCP_TRIES          4           /* sends of one message: after 0, 1, 2, 4 s */
#define DHCP_FIRST_WAIT_NS  (1000 * NET_NS_PER_MS)
#define CARRIER_WAIT_NS     (2000 * NET_NS_PER_MS)
#define DHCP_BUF            548         /* the smallest message every server takes (RFC 2131 2) */
#define PNP_MAX             256
#define IP_FMT              "%u.%u.%u.%u"
#define IP_ARGS(a)          (a) >> 24, ((a) >> 16) & 0xff, ((a) >> 8) & 0xff, (a) & 0xff

static struct spinlock box_lock = SPINLOCK_INIT;
static struct wait_queue box_wq;
static struct dhcp_info reply;
static bool reply_ready;
static uint32_t want_xid;
static uint8_t want_type;
static int want_ifindex;

static char pnp[PNP_MAX];
static size_t pnp_len;
static uint32_t boot_server;   /* the DHCP server (or ip='s server), 0: none */

/* ---- hearing answers (the network thread) ---------------------------------------- */

/* A DHCP answer for the exchange under way, from ip's UDP payload? */
static bool take_reply(const struct netbuf *nb, const struct ipv4_info *ip)
{
	struct udp_info u;
	struct dhcp_info d;
	const uint8_t *p = nb->data + ip->hdr_len;
	size_t len = ip->total_len - ip->hdr_len;
	if (ip->proto != IPPROTO_UDP || ip->mf || ip->frag_off ||
	    udp_parse(p, len, ip->src, ip->dst, &u) != WIRE_OK || u.dport != DHCP_CLIENT_PORT ||
	    u.sport != DHCP_SERVER_PORT || dhcp_parse(p + UDP_HDR_LEN, u.len - UDP_HDR_LEN, &d) != WIRE_OK)
		return false;
	bool mine = false;
	uint64_t fl = spin_lock_irqsave(&box_lock);
	if (want_xid && d.op == 2 && d.xid == want_xid && nb->dev->ifindex == want_ifindex &&
	    memcmp(d.chaddr, nb->dev->mac, ETH_ALEN) == 0 &&
	    (d.msg_type == want_type || (want_type == DHCP_ACK && d.msg_type == DHCP_NAK))) {
		reply = d;
		reply_ready = true;
		want_xid = 0;
		mine = true;
	}
	spin_unlock_irqrestore(&box_lock, fl);
	return mine;
}

/* Ethernet's tap: DHCP answers to a device without an address. */
static bool tap(struct netbuf *nb)
{
	struct ipv4_info ip;
	if (ipv4_parse(nb->data, nb->len, &ip) != WIRE_OK || ipv4_dev_addr(nb->dev->ifindex))
		return false;
	if (!take_reply(nb, &ip))
		return false;
	netbuf_free(nb);
	wake_all(&box_wq);
	return true;
}

/* ---- asking (the boot thread) ---------------------------------------------------- */

/* Send one DHCP message of type on dev. */
static void send_dhcp(struct netdev *dev, uint8_t type, uint32_t xid, uint32_t requested,
		      uint32_t server, const char *hostname)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, UDP_HDR_LEN + DHCP_BUF);
	if (!nb)
		return;
	uint8_t *p = netbuf_put(nb, UDP_HDR_LEN + DHCP_BUF);
	memset(p, 0, UDP_HDR_LEN + DHCP_BUF);
	dhcp_build(p + UDP_HDR_LEN, DHCP_BUF, type, xid, dev->mac, 0, requested, server, hostname);
	udp_build(p, 0, INADDR_BROADCAST, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, UDP_HDR_LEN + DHCP_BUF);
	struct ipv4_send s = { .src = 0, .dst = INADDR_BROADCAST, .proto = IPPROTO_UDP, .dev = dev };
	ipv4_output(nb, &s);
}

/* Wait until the mailbox has an answer or deadline passes. */
static bool wait_reply(uint64_t deadline, struct dhcp_info *out)
{
	uint64_t f = irq_save();
	while (!reply_ready && time_ns() < deadline)
		wait_on(&box_wq, deadline);
	uint64_t fl = spin_lock_irqsave(&box_lock);
	bool got = reply_ready;
	if (got)
		*out = reply;
	reply_ready = false;
	spin_unlock_irqrestore(&box_lock, fl);
	irq_restore(f);
	return got;
}

/* One exchange: send type (again after 1, 2, 4 s) until an answer of
 * want comes. True and *out when one did. */
static bool exchange(struct netdev *dev, uint8_t type, uint8_t want, uint32_t xid, uint32_t requested,
		     uint32_t server, const char *hostname, struct dhcp_info *out)
{
	uint64_t wait = DHCP_FIRST_WAIT_NS;
	for (unsigned i = 0; i < DHCP_TRIES; i++, wait *= 2) {
		uint64_t fl = spin_lock_irqsave(&box_lock);
		want_xid = xid;
		want_type = want;
		want_ifindex = dev->ifindex;
		reply_ready = false;
		spin_unlock_irqrestore(&box_lock, fl);
		send_dhcp(dev, type, xid, requested, server, hostname);
		if (wait_reply(time_ns() + wait, out))
			return true;
	}
	return false;
}

/* ---- applying -------------------------------------------------------------------- */

/* The classful mask Linux falls back to without one. */
static uint32_t default_mask(uint32_t a)
{
	if ((a >> 31) == 0)
		return 0xff000000u;
	if ((a >> 30) == 2)
		return 0xffff0000u;
	return 0xffffff00u;
}

/* Record what /proc/net/pnp shows. */
static void set_pnp(const char *proto, const uint32_t *dns, unsigned ndns, uint32_t server)
{
	size_t n = (size_t)ksnprintf(pnp, sizeof(pnp), "#PROTO: %s\n", proto);
	for (unsigned i = 0; i < ndns && n < sizeof(pnp); i++)
		if (dns[i])
			n += (size_t)ksnprintf(pnp + n, sizeof(pnp) - n, "nameserver " IP_FMT "\n", IP_ARGS(dns[i]));
	if (server && n < sizeof(pnp))
		n += (size_t)ksnprintf(pnp + n, sizeof(pnp) - n, "bootserver " IP_FMT "\n", IP_ARGS(server));
	pnp_len = n < sizeof(pnp) ? n : sizeof(pnp) - 1;
}

/* Address, default route: as given or as leased. */
static void apply(struct netdev *dev, uint32_t addr, uint32_t mask, uint32_t gw, int protocol)
{
	if (!mask)
		mask = default_mask(addr);
	unsigned prefix = ipv4_mask_prefix(mask);
	/* Linux's ipconfig sets the subnet's broadcast (SIOCSIFBRDADDR) */
	uint32_t bcast = (dev->flags & IFF_BROADCAST) && prefix < 31 ? addr | ~mask : 0;
	int err = ipv4_addr_add(dev->ifindex, addr, (uint8_t)prefix, bcast);
	if (err && err != -EEXIST)
		klog(LOG_WARN, "ipconfig: %s: cannot add " IP_FMT " (error %d)\n", dev->name, IP_ARGS(addr), err);
	if (gw) {
		struct ipv4_route r = { .gateway = gw, .ifindex = dev->ifindex, .protocol = (uint8_t)protocol };
		err = ipv4_route_add(&r);
		if (err && err != -EEXIST)
			klog(LOG_WARN, "ipconfig: %s: no default route via " IP_FMT " (error %d)\n", dev->name,
			     IP_ARGS(gw), err);
	}
}

/* Bring dev up and give its link a moment to come up. */
static bool bring_up(struct netdev *dev)
{
	if (net_dev_up(dev))
		return false;
	uint64_t deadline = time_ns() + CARRIER_WAIT_NS;
	while (!(dev->flags & IFF_RUNNING) && time_ns() < deadline)
		sleep_until(time_ns() + 10 * NET_NS_PER_MS);
	return dev->flags & IFF_RUNNING;
}

/* DHCP on dev: true when a lease was applied. */
static bool dhcp_on(struct netdev *dev, const char *hostname)
{
	struct dhcp_info offer, ack;
	uint32_t xid = (uint32_t)(rdtsc() ^ (time_ns() >> 7)) ^ ((uint32_t)dev->mac[5] << 24);
	if (!exchange(dev, DHCP_DISCOVER, DHCP_OFFER, xid, 0, 0, hostname, &offer))
		return false;
	if (!exchange(dev, DHCP_REQUEST, DHCP_ACK, xid, offer.yiaddr, offer.server_id, hostname, &ack) ||
	    ack.msg_type != DHCP_ACK || !ack.yiaddr)
		return false;
	apply(dev, ack.yiaddr, ack.subnet_mask, ack.router, RTPROT_DHCP);
	if (!hostname && ack.hostname[0]) /* option 12, unless ip= named the host (Linux's ic_host_name_set) */
		uts_set(UTS_HOSTNAME, ack.hostname, strnlen(ack.hostname, UTS_NAME_LEN));
	boot_server = ack.server_id;
	set_pnp("DHCP", ack.dns, ack.ndns, ack.server_id);
	klog(LOG_INFO, "ipconfig: %s " IP_FMT "/%u gateway " IP_FMT " dns " IP_FMT " lease %u s (DHCP from " IP_FMT ")\n",
	     dev->name, IP_ARGS(ack.yiaddr), ipv4_mask_prefix(ack.subnet_mask ? ack.subnet_mask : default_mask(ack.yiaddr)),
	     IP_ARGS(ack.router), IP_ARGS(ack.ndns ? ack.dns[0] : 0), ack.lease_s, IP_ARGS(ack.server_id));
	return true;
}

/* The devices the spec names: its device, or every Ethernet one. */
static bool wanted(const struct netdev *dev, const struct ipconfig_spec *s)
{
	return dev->type == ARPHRD_ETHER && (!s->device[0] || strcmp(dev->name, s->device) == 0);
}

static void run_dhcp(const struct ipconfig_spec *s)
{
	ether_set_ip_tap(tap);
	bool any = false, done = false;
	for (struct netdev *d = netdev_first(); d; d = netdev_next(d)) {
		if (done || !wanted(d, s))
			continue; /* (to the end: netdev_next lets go of each) */
		any = true;
		if (!bring_up(d))
			klog(LOG_WARN, "ipconfig: %s: no link; trying DHCP anyway\n", d->name);
		done = dhcp_on(d, s->hostname[0] ? s->hostname : NULL);
		if (!done)
			klog(LOG_WARN, "ipconfig: %s: no DHCP answer\n", d->name);
	}
	ether_set_ip_tap(NULL);
	if (!any)
		klog(LOG_WARN, "ipconfig: ip= asks for DHCP, but there is no network device\n");
}

static void run_static(const struct ipconfig_spec *s)
{
	for (struct netdev *d = netdev_first(); d; d = netdev_next(d)) {
		if (!wanted(d, s))
			continue;
		bring_up(d);
		apply(d, s->client, s->netmask, s->gateway, RTPROT_BOOT);
		boot_server = s->server;
		set_pnp("MANUAL", s->dns, 2, s->server);
		klog(LOG_INFO, "ipconfig: %s " IP_FMT "/%u gateway " IP_FMT " (static)\n", d->name,
		     IP_ARGS(s->client), ipv4_mask_prefix(s->netmask ? s->netmask : default_mask(s->client)),
		     IP_ARGS(s->gateway));
		netdev_put(d);
		return;
	}
	klog(LOG_WARN, "ipconfig: no network device for ip=\n");
}

/* ip='s hostname field names the machine, as Linux's ip_auto_config_setup:
 * up to its first '.' the host name, after it the NIS domain name. */
static void set_uts_names(const char *name)
{
	const char *dot = strchr(name, '.');
	size_t len = dot ? (size_t)(dot - name) : strlen(name);

	uts_set(UTS_HOSTNAME, name, len < UTS_NAME_LEN ? len : UTS_NAME_LEN);
	if (dot)
		uts_set(UTS_DOMAINNAME, dot + 1, strnlen(dot + 1, UTS_NAME_LEN));
}

void ipconfig_run(const char *spec)
{
	struct ipconfig_spec s;
	if (ipconfig_parse(spec, &s)) {
		klog(LOG_WARN, "ipconfig: cannot parse ip=%s\n", spec);
		return;
	}
	if (s.off)
		return;
	if (s.hostname[0])
		set_uts_names(s.hostname);
	if (s.dhcp)
		run_dhcp(&s);
	else
		run_static(&s);
}

uint32_t ipconfig_server(void)
{
	return boot_server;
}

size_t ipconfig_pnp(char *buf, size_t cap)
{
	size_t n = pnp_len < cap ? pnp_len : cap;
	memcpy(buf, pnp, n);
	return n;
}
