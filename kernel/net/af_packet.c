// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_PACKET, the link-level sockets DHCP clients (busybox
 * udhcpc) and capture tools use, as Linux's af_packet without the
 * memory-mapped rings:
 *
 *   SOCK_RAW   a frame as it is on the wire, Ethernet header first, both ways;
 *   SOCK_DGRAM the payload after the Ethernet header; a send names the
 *              destination address in sockaddr_ll and the kernel adds the header.
 *
 * socket()'s protocol (network byte order: htons(ETH_P_IP), ETH_P_ALL...)
 * or bind's sll_protocol picks the EtherType received (0: none, until a
 * bind names one), bind's sll_ifindex the device (0: every one). A
 * receive names the sender in a sockaddr_ll (its address, EtherType,
 * device, and whom the frame was for). CAP_NET_RAW is needed, as on
 * Linux. Frames this host sends are not seen by packet sockets yet
 * (Linux's PACKET_OUTGOING copies); socket filters (SO_ATTACH_FILTER) are
 * not run: udhcpc, which attaches one, checks every packet itself.
 *
 * Lock rule: as the sockets' (the kernel lock, for now); the list of
 * packet sockets changes at create and release only, with release
 * stores, so that lo's input without the kernel lock may ask whether it
 * is empty (packet_idle) and never walk it.
 */
#include "net/af_packet.h"
#include "net/ether.h"
#include "net/ifstate.h"
#include "net/inet_sock.h"
#include "net/netdev.h"
#include "net/sock_filter.h"
#include "net/wire.h"
#include "fs/vfs.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "uapi/capability.h"
#include "uapi/if_packet.h"

#define PACKET_MIN_ADDR 12          /* sockaddr_ll up to sll_ifindex: what bind needs */

/* What rides after a queued frame: the sockaddr_ll a receive reports. */
struct packet_meta {
	struct sockaddr_ll from;
};

static struct unix_sock *packet_socks;  /* linked through in.next */

/* The socket's EtherType (host order) and device: kept in in.name
 * (port: the EtherType, addr: the ifindex). */
static uint16_t sock_proto_of(const struct unix_sock *s)
{
	return s->in.name.port;
}

static int sock_ifindex(const struct unix_sock *s)
{
	return (int)s->in.name.addr;
}

/* ---- receiving (the network thread) ---------------------------------------------- */

/* A copy of the frame (p, len: from its Ethernet header) for s. */
static void queue_frame(struct unix_sock *s, const struct netbuf *nb, const uint8_t *p, size_t len)
{
	size_t off = s->type == SOCK_DGRAM ? ETH_HLEN : 0;
	if (len < ETH_HLEN)
		return;
	struct packet_meta meta = { { .sll_family = AF_PACKET, .sll_protocol = be16(get_be16(p + 12)),
				      .sll_ifindex = nb->dev->ifindex, .sll_hatype = nb->dev->type,
				      .sll_pkttype = nb->pkt_type, .sll_halen = ETH_ALEN } };
	memcpy(meta.from.sll_addr, p + ETH_ALEN, ETH_ALEN);
	/* the filter sees what the socket would (packet_rcv's run_filter): 0 drops, less trims */
	uint32_t keep = sock_filter_run(s, nb, p + off, (uint32_t)(len - off), p + ETH_HLEN, p);
	if (keep)
		unix_queue_wire(s, p + off, keep, &meta, sizeof(meta));
}

/* Ethernet's packet tap: every received frame (data at its Ethernet
 * header) for the packet sockets its EtherType and device match. */
static void packet_input(const struct netbuf *nb)
{
	uint16_t type = get_be16(nb->data + 12);
	for (struct unix_sock *s = packet_socks; s; s = s->in.next) {
		uint16_t want = sock_proto_of(s);
		if (s->dead || !want || (want != ETH_P_ALL && want != type) ||
		    (sock_ifindex(s) && sock_ifindex(s) != nb->dev->ifindex))
			continue;
		queue_frame(s, nb, nb->data, nb->len);
	}
}

/* ---- sending --------------------------------------------------------------------- */

/* The device (held, also when it is down) and, for SOCK_DGRAM, the
 * header's destination and type, from sendto's sockaddr_ll or the bound
 * ones. */
static int send_target(const struct unix_sock *s, const struct sock_msg *m, struct netdev **dev,
		       struct sockaddr_ll *to)
{
	memset(to, 0, sizeof(*to));
	if (m->addrlen) {
		if (m->addrlen < PACKET_MIN_ADDR)
			return -EINVAL;
		memcpy(to, &m->addr, m->addrlen < sizeof(*to) ? m->addrlen : sizeof(*to));
		if (to->sll_family != AF_PACKET)
			return -EINVAL;
	} else {
		to->sll_ifindex = sock_ifindex(s);
		to->sll_protocol = be16(sock_proto_of(s));
	}
	if (!to->sll_ifindex)
		return -ENXIO;
	*dev = netdev_by_index(to->sll_ifindex);
	if (!*dev)
		return -ENXIO; /* also bound to a device that went: ifindex -1, as Linux's */
	if (!((*dev)->flags & IFF_UP))
		return -ENETDOWN;
	return 0;
}

static long packet_send_on(struct unix_sock *s, struct sock_msg *m, int flags, struct netdev *dev,
			   const struct sockaddr_ll *tp, size_t len);

static long packet_send(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct sockaddr_ll to;
	struct netdev *dev;
	size_t len = unix_iov_total(m);
	long err;

	inet_drop_files(m);
	dev = NULL;
	err = send_target(s, m, &dev, &to);
	if (!err)
		err = packet_send_on(s, m, flags, dev, &to, len);
	netdev_put(dev);
	return err;
}

/* packet_send's frame of len bytes on dev (held) to *to. */
static long packet_send_on(struct unix_sock *s, struct sock_msg *m, int flags, struct netdev *dev,
			   const struct sockaddr_ll *tp, size_t len)
{
	struct sockaddr_ll to = *tp;
	long err;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	size_t frame = s->type == SOCK_DGRAM ? len + ETH_HLEN : len;
	if (frame > dev->mtu + ETH_HLEN)
		return -EMSGSIZE;
	if (frame < ETH_HLEN)
		return -EINVAL;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, frame < ETH_ZLEN ? ETH_ZLEN : frame);
	if (!nb)
		return -ENOMEM;
	uint8_t *p = netbuf_put(nb, frame);
	if (unix_iov_copy_in(m, (char *)p + frame - len, len)) {
		netbuf_free(nb);
		return -EFAULT;
	}
	if (s->type == SOCK_DGRAM)
		eth_build(p, to.sll_addr, dev->mac, be16(to.sll_protocol));
	nb->dev = dev;
	err = netdev_xmit(dev, nb);
	return err ? err : (long)len;
}

static long packet_recv(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct packet_meta meta;
	bool got;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	long r = unix_dgram_recv_meta(f, s, m, flags, &meta, sizeof(meta), &got);
	if (got) {
		memset(&m->addr, 0, sizeof(m->addr));
		memcpy(&m->addr, &meta.from, sizeof(meta.from));
		m->addrlen = sizeof(meta.from);
	}
	return r;
}

/* ---- the other operations ------------------------------------------------------- */

/* bind(sockaddr_ll): the device (0: all) and, when not 0, the EtherType. */
static int packet_bind(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	struct sockaddr_ll ll = { 0 };
	if (len < PACKET_MIN_ADDR)
		return -EINVAL;
	memcpy(&ll, a, len < sizeof(ll) ? len : sizeof(ll));
	if (ll.sll_family != AF_PACKET)
		return -EINVAL;
	if (ll.sll_ifindex && !netdev_exists(ll.sll_ifindex))
		return -ENODEV;
	s->in.name.addr = (uint32_t)ll.sll_ifindex;
	if (ll.sll_protocol)
		s->in.name.port = be16(ll.sll_protocol);
	return 0;
}

/* getsockname: the bound device and EtherType, with the device's address. */
static int packet_getname(struct file *f, enum sock_name which, struct sockaddr_un *a, size_t *len)
{
	const struct unix_sock *s = unix_sock(f);
	if (which != SOCK_NAME_OWN)
		return -EOPNOTSUPP;
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = be16(sock_proto_of(s)),
				  .sll_ifindex = sock_ifindex(s) };
	struct netdev *dev = ll.sll_ifindex > 0 ? netdev_by_index(ll.sll_ifindex) : NULL;
	if (dev) {
		ll.sll_hatype = dev->type;
		ll.sll_halen = ETH_ALEN;
		memcpy(ll.sll_addr, dev->mac, ETH_ALEN);
	}
	netdev_put(dev);
	memset(a, 0, sizeof(*a));
	memcpy(a, &ll, sizeof(ll));
	*len = sizeof(ll);
	return 0;
}

static int packet_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	(void)f;
	(void)a;
	(void)len;
	return -EOPNOTSUPP;
}

static int packet_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

static int packet_shutdown(struct file *f, int how)
{
	(void)f;
	(void)how;
	return -EOPNOTSUPP;
}

static void packet_release(struct unix_sock *s)
{
	for (struct unix_sock **pp = &packet_socks; *pp; pp = &(*pp)->in.next)
		if (*pp == s) {
			__atomic_store_n(pp, s->in.next, __ATOMIC_RELEASE);
			break;
		}
	s->in.next = NULL;
}

/* SOL_PACKET: PACKET_AUXDATA and the memberships are taken (nothing
 * changes: no auxiliary data is given, every multicast frame is seen). */
static int packet_setsockopt(struct unix_sock *s, int level, int name, const void *val, size_t len)
{
	(void)s;
	(void)val;
	if (level != SOL_PACKET)
		return -ENOPROTOOPT;
	if (name != PACKET_AUXDATA && name != PACKET_ADD_MEMBERSHIP && name != PACKET_DROP_MEMBERSHIP)
		return -ENOPROTOOPT;
	return len < sizeof(int) ? -EINVAL : 0;
}

/* No SOL_PACKET option is read back yet. */
static int packet_getsockopt(struct unix_sock *s, int level, int name, void *val, size_t *len)
{
	(void)s;
	(void)level;
	(void)name;
	(void)val;
	(void)len;
	return -ENOPROTOOPT;
}

static const struct sock_proto packet_proto = {
	.bind = packet_bind,
	.connect = packet_connect,
	.listen = packet_listen,
	.getname = packet_getname,
	.sendmsg = packet_send,
	.recvmsg = packet_recv,
	.shutdown = packet_shutdown,
	.release = packet_release,
	.setsockopt = packet_setsockopt,
	.getsockopt = packet_getsockopt,
};

int packet_create(int type, int protocol, unsigned *flags, struct file **out)
{
	int t = type & SOCK_TYPE_MASK;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	*flags = (unsigned)type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (t != SOCK_RAW && t != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (!capable(CAP_NET_RAW))
		return -EPERM;
	struct unix_sock *s = unix_sock_alloc(SOCK_DGRAM);
	if (!s)
		return -ENOMEM;
	s->type = t;
	s->family = AF_PACKET;
	s->protocol = protocol;
	s->in.name.port = be16((uint16_t)protocol);
	s->proto = &packet_proto;
	if (!(*out = unix_file(s, *flags))) {
		unix_put(s);
		return -ENOMEM;
	}
	s->in.next = packet_socks;
	__atomic_store_n(&packet_socks, s, __ATOMIC_RELEASE);
	return 0;
}

/* A device is going (ifstate's notifier, Linux's packet_notifier on
 * NETDEV_UNREGISTER): each socket bound to it is bound to ifindex -1
 * from then on, where nothing is received and sends find no device
 * (ENXIO); one that was receiving (an EtherType bound) has its next, or
 * waiting, receive fail with ENETDOWN. */
static void packet_dev_gone(const struct netdev *dev, const struct net_dev_gone *what)
{
	(void)what;
	for (struct unix_sock *s = packet_socks; s; s = s->in.next) {
		if (s->dead || sock_ifindex(s) != dev->ifindex)
			continue;
		s->in.name.addr = (uint32_t)-1;
		if (!sock_proto_of(s))
			continue; /* receiving nothing (Linux's not running): no error either */
		s->err = ENETDOWN;
		unix_changed(s);
	}
}

/* A device went down (ifstate's link news, Linux's packet_notifier on
 * NETDEV_DOWN): each socket bound to it that was receiving (an
 * EtherType bound) has its next, or waiting, receive fail with
 * ENETDOWN, once; it stays bound, and receives again once the device
 * is up. */
static void packet_dev_news(const struct netdev *dev, enum net_link_event ev)
{
	if (ev != NET_LINK_DOWN)
		return;
	for (struct unix_sock *s = packet_socks; s; s = s->in.next) {
		if (s->dead || sock_ifindex(s) != dev->ifindex || !sock_proto_of(s))
			continue;
		s->err = ENETDOWN;
		unix_changed(s);
	}
}

/* No packet socket, so packet_input would copy a frame to none. Without
 * the kernel lock: a socket made while a frame is on its way may or may
 * not see it, as on Linux. */
static bool packet_idle(void)
{
	return !__atomic_load_n(&packet_socks, __ATOMIC_ACQUIRE);
}

void packet_init(void)
{
	ether_set_packet_tap(packet_input, packet_idle);
	net_dev_gone_listen(packet_dev_gone);
	net_link_listen(packet_dev_news);
}
