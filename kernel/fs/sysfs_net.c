// SPDX-License-Identifier: MIT
/*
 * Kestrel: /sys/class/net and /sys/devices/virtual/net (sysfs_net.h), the
 * files of Linux 6.1's net/core/net-sysfs.c in the same formats: what
 * ifplugd, NetworkManager, systemd-networkd, busybox's ifupdown and the
 * ip(8) of some distributions read to learn an interface's state.
 *
 * Node numbering: interface i (its ifindex) has its directory at
 * SYSFS_NET_BASE + i * SYSFS_NET_STRIDE, then K_CLASS_LINK (its entry in
 * /sys/class/net), K_STATS (its statistics directory), K_SUBSYSTEM and
 * K_DEVICE (links), its attributes from ATTR_FIRST and its counters from
 * STAT_FIRST.
 *
 * The devices are read through net/netdev.h alone (this file calls
 * nothing of the stack above it). A device's fields are read without
 * its lock: each is one aligned word, and the counters are a snapshot
 * that may be a packet apart, as /proc/net/dev's.
 */
#include "fs/sysfs_net.h"
#include "fs/inode.h"
#include "net/netdev.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/stat.h"

#define K_DIR        0
#define K_CLASS_LINK 1
#define K_STATS      2
#define K_SUBSYSTEM  3
#define K_DEVICE     4
#define ATTR_FIRST   8
#define STAT_FIRST   64
#define ATTR_SIZE    4096  /* an attribute's st_size (PAGE_SIZE), as sysfs */
#define TEXT_MAX     128   /* the longest attribute: uevent */
#define LINK_MAX_BYTES 64
#define SPEED_UNKNOWN (-1)
#define E1000_SPEED  1000  /* Mb/s: what QEMU's 82540EM and 82574L report with their link up */
#define NET_ADDR_PERM  0   /* addr_assign_type: the device's own address */
#define NET_NAME_ENUM  1   /* name_assign_type: numbered by the kernel (eth0) */
#define NET_NAME_PREDICTABLE 2 /* lo's */

/* Linux's operstates (RFC 2863), as operstate shows them. */
static const char *const oper_unknown = "unknown", *const oper_down = "down", *const oper_up = "up";

enum attr {
	A_ADDR_ASSIGN_TYPE, A_ADDR_LEN, A_ADDRESS, A_BROADCAST, A_CARRIER, A_CARRIER_CHANGES, A_DEV_ID,
	A_DEV_PORT, A_DORMANT, A_DUPLEX, A_FLAGS, A_GRO_FLUSH_TIMEOUT, A_IFALIAS, A_IFINDEX, A_IFLINK,
	A_LINK_MODE, A_MTU, A_NAME_ASSIGN_TYPE, A_NAPI_DEFER, A_NETDEV_GROUP, A_OPERSTATE, A_PROTO_DOWN,
	A_SPEED, A_TESTING, A_THREADED, A_TX_QUEUE_LEN, A_TYPE, A_UEVENT, N_ATTRS
};
static const char *const attr_names[N_ATTRS] = {
	[A_ADDR_ASSIGN_TYPE] = "addr_assign_type", [A_ADDR_LEN] = "addr_len", [A_ADDRESS] = "address",
	[A_BROADCAST] = "broadcast", [A_CARRIER] = "carrier", [A_CARRIER_CHANGES] = "carrier_changes",
	[A_DEV_ID] = "dev_id", [A_DEV_PORT] = "dev_port", [A_DORMANT] = "dormant", [A_DUPLEX] = "duplex",
	[A_FLAGS] = "flags", [A_GRO_FLUSH_TIMEOUT] = "gro_flush_timeout", [A_IFALIAS] = "ifalias",
	[A_IFINDEX] = "ifindex", [A_IFLINK] = "iflink", [A_LINK_MODE] = "link_mode", [A_MTU] = "mtu",
	[A_NAME_ASSIGN_TYPE] = "name_assign_type", [A_NAPI_DEFER] = "napi_defer_hard_irqs",
	[A_NETDEV_GROUP] = "netdev_group", [A_OPERSTATE] = "operstate", [A_PROTO_DOWN] = "proto_down",
	[A_SPEED] = "speed", [A_TESTING] = "testing", [A_THREADED] = "threaded",
	[A_TX_QUEUE_LEN] = "tx_queue_len", [A_TYPE] = "type", [A_UEVENT] = "uevent",
};
_Static_assert(ATTR_FIRST + N_ATTRS <= STAT_FIRST, "attributes overlap the counters");

/* statistics/: Linux's 24 counters, those Kestrel does not keep at 0. */
enum stat {
	S_COLLISIONS, S_MULTICAST, S_RX_BYTES, S_RX_COMPRESSED, S_RX_CRC_ERRORS, S_RX_DROPPED,
	S_RX_ERRORS, S_RX_FIFO_ERRORS, S_RX_FRAME_ERRORS, S_RX_LENGTH_ERRORS, S_RX_MISSED_ERRORS,
	S_RX_NOHANDLER, S_RX_OVER_ERRORS, S_RX_PACKETS, S_TX_ABORTED_ERRORS, S_TX_BYTES,
	S_TX_CARRIER_ERRORS, S_TX_COMPRESSED, S_TX_DROPPED, S_TX_ERRORS, S_TX_FIFO_ERRORS,
	S_TX_HEARTBEAT_ERRORS, S_TX_PACKETS, S_TX_WINDOW_ERRORS, N_STATS
};
static const char *const stat_names[N_STATS] = {
	[S_COLLISIONS] = "collisions", [S_MULTICAST] = "multicast", [S_RX_BYTES] = "rx_bytes",
	[S_RX_COMPRESSED] = "rx_compressed", [S_RX_CRC_ERRORS] = "rx_crc_errors",
	[S_RX_DROPPED] = "rx_dropped", [S_RX_ERRORS] = "rx_errors", [S_RX_FIFO_ERRORS] = "rx_fifo_errors",
	[S_RX_FRAME_ERRORS] = "rx_frame_errors", [S_RX_LENGTH_ERRORS] = "rx_length_errors",
	[S_RX_MISSED_ERRORS] = "rx_missed_errors", [S_RX_NOHANDLER] = "rx_nohandler",
	[S_RX_OVER_ERRORS] = "rx_over_errors", [S_RX_PACKETS] = "rx_packets",
	[S_TX_ABORTED_ERRORS] = "tx_aborted_errors", [S_TX_BYTES] = "tx_bytes",
	[S_TX_CARRIER_ERRORS] = "tx_carrier_errors", [S_TX_COMPRESSED] = "tx_compressed",
	[S_TX_DROPPED] = "tx_dropped", [S_TX_ERRORS] = "tx_errors", [S_TX_FIFO_ERRORS] = "tx_fifo_errors",
	[S_TX_HEARTBEAT_ERRORS] = "tx_heartbeat_errors", [S_TX_PACKETS] = "tx_packets",
	[S_TX_WINDOW_ERRORS] = "tx_window_errors",
};
_Static_assert(STAT_FIRST + N_STATS <= SYSFS_NET_STRIDE, "counters overlap the next interface");

static long node_aux(int ifindex, unsigned k)
{
	return SYSFS_NET_BASE + (long)ifindex * SYSFS_NET_STRIDE + (long)k;
}

/* The device node aux belongs to, held (NULL: none), and which of its nodes in *k. */
static struct netdev *node_dev(long aux, unsigned *k)
{
	if (!sysfs_net_is(aux))
		return NULL;
	*k = (unsigned)((aux - SYSFS_NET_BASE) % SYSFS_NET_STRIDE);
	return netdev_by_index((int)((aux - SYSFS_NET_BASE) / SYSFS_NET_STRIDE));
}

/* The k-th device (from 0) in ifindex order, held, if it has nodes. */
static struct netdev *nth_dev(unsigned k)
{
	struct netdev *d = netdev_first();

	while (d && k--)
		d = netdev_next(d);
	if (d && d->ifindex > 0 && d->ifindex < SYSFS_NET_IFMAX)
		return d;
	netdev_put(d);
	return NULL;
}

/* Is dev a PCI function on the root bus ("0000:00:dd.f"), which
 * /sys/devices/pci0000:00 holds directly? */
static bool on_root_bus(const struct netdev *dev)
{
	return strnlen(dev->bus_info, sizeof(dev->bus_info)) == 12 && memcmp(dev->bus_info, "0000:00:", 8) == 0;
}

static void entry(struct sysfs_entry *e, const char *name, uint32_t mode, long aux)
{
	ksnprintf(e->name, sizeof(e->name), "%s", name);
	e->mode = mode;
	e->aux = aux;
	e->size = S_ISREG(mode) ? ATTR_SIZE : 0;
}

/* Child k of an interface's directory: its attributes, statistics/, subsystem, device. */
static bool dev_child(const struct netdev *d, unsigned k, struct sysfs_entry *e)
{
	if (k < N_ATTRS) {
		/* Linux's writable ones are 0644; Kestrel's sysfs takes no writes */
		entry(e, attr_names[k], S_IFREG | 0444, node_aux(d->ifindex, ATTR_FIRST + k));
		return true;
	}
	k -= N_ATTRS;
	if (k == 0)
		entry(e, "statistics", S_IFDIR | 0755, node_aux(d->ifindex, K_STATS));
	else if (k == 1)
		entry(e, "subsystem", S_IFLNK | 0777, node_aux(d->ifindex, K_SUBSYSTEM));
	else if (k == 2 && on_root_bus(d))
		entry(e, "device", S_IFLNK | 0777, node_aux(d->ifindex, K_DEVICE));
	else
		return false;
	return true;
}

bool sysfs_net_child(long dir, unsigned k, struct sysfs_entry *e)
{
	struct netdev *d;
	unsigned self;

	if (dir == SYSFS_NET_CLASS || dir == SYSFS_NET_VIRTUAL) {
		if (!(d = nth_dev(k)))
			return false;
		if (dir == SYSFS_NET_CLASS)
			entry(e, d->name, S_IFLNK | 0777, node_aux(d->ifindex, K_CLASS_LINK));
		else
			entry(e, d->name, S_IFDIR | 0755, node_aux(d->ifindex, K_DIR));
		netdev_put(d);
		return true;
	}
	if (!(d = node_dev(dir, &self)))
		return false;
	bool found = false;
	if (self == K_DIR)
		found = dev_child(d, k, e);
	else if (self == K_STATS && k < N_STATS) {
		entry(e, stat_names[k], S_IFREG | 0444, node_aux(d->ifindex, STAT_FIRST + k));
		found = true;
	}
	netdev_put(d);
	return found;
}

/* ---- the files' text ------------------------------------------------------------ */

static bool is_up(const struct netdev *d)
{
	return d->flags & IFF_UP;
}

static bool has_carrier(const struct netdev *d)
{
	return d->flags & IFF_LOWER_UP; /* netdev_carrier keeps it with IFF_RUNNING */
}

/* Linux's operstate: down while the device is, unknown for lo (no
 * link watch ever ran for it), else the link's. */
static const char *operstate(const struct netdev *d)
{
	if (!is_up(d))
		return oper_down;
	if (d->type == ARPHRD_LOOPBACK)
		return oper_unknown;
	return has_carrier(d) ? oper_up : oper_down;
}

/* dev->flags as Linux keeps them: the link's bits are not flags there. */
static uint32_t stored_flags(const struct netdev *d)
{
	return d->flags & ~(uint32_t)(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT);
}

static int mac_text(const uint8_t *m, char *buf, size_t size)
{
	return ksnprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The link's speed in Mb/s as ethtool's get_link_ksettings gives it:
 * virtio-net reports none (-1), QEMU's e1000 and e1000e 1000 with their
 * link up.
 * False where Linux has no such operation (lo) or the device is down. */
static bool link_speed(const struct netdev *d, int *speed, const char **duplex)
{
	if (d->type == ARPHRD_LOOPBACK || !is_up(d))
		return false;
	bool e1000_up = d->driver && (strcmp(d->driver, "e1000") == 0 || strcmp(d->driver, "e1000e") == 0) &&
			has_carrier(d);
	*speed = e1000_up ? E1000_SPEED : SPEED_UNKNOWN;
	*duplex = e1000_up ? "full" : "unknown";
	return true;
}

/* The attributes that are a plain number ("%d"); false for the others. */
static bool number_attr(const struct netdev *d, enum attr a, long *v)
{
	switch (a) {
	case A_ADDR_ASSIGN_TYPE: *v = NET_ADDR_PERM; return true;
	case A_ADDR_LEN: *v = ETH_ALEN; return true; /* lo's too */
	case A_CARRIER_CHANGES: *v = (long)d->carrier_changes; return true;
	case A_IFINDEX: case A_IFLINK: *v = d->ifindex; return true;
	case A_MTU: *v = d->mtu; return true;
	case A_NAME_ASSIGN_TYPE:
		*v = d->type == ARPHRD_LOOPBACK ? NET_NAME_PREDICTABLE : NET_NAME_ENUM;
		return true;
	case A_TX_QUEUE_LEN: *v = d->tx_queue_len; return true;
	case A_TYPE: *v = d->type; return true;
	case A_DEV_PORT: case A_GRO_FLUSH_TIMEOUT: case A_LINK_MODE: case A_NAPI_DEFER:
	case A_NETDEV_GROUP: case A_PROTO_DOWN: case A_THREADED:
		*v = 0;
		return true;
	default: return false;
	}
}

/* The attributes that need the device up (-EINVAL when it is down, as Linux's). */
static int running_text(const struct netdev *d, enum attr a, char *buf, size_t size)
{
	int speed;
	const char *duplex;

	if (a == A_SPEED || a == A_DUPLEX) {
		if (!link_speed(d, &speed, &duplex))
			return -EINVAL;
		return a == A_SPEED ? ksnprintf(buf, size, "%d\n", speed) : ksnprintf(buf, size, "%s\n", duplex);
	}
	if (!is_up(d))
		return -EINVAL;
	return ksnprintf(buf, size, "%d\n", a == A_CARRIER ? has_carrier(d) : 0); /* dormant, testing: 0 */
}

/* Attribute a's text into buf: its length, or -EINVAL. */
static int attr_text(const struct netdev *d, enum attr a, char *buf, size_t size)
{
	static const uint8_t ether_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t none[ETH_ALEN];
	long v;

	if (number_attr(d, a, &v))
		return ksnprintf(buf, size, "%ld\n", v);
	switch (a) {
	case A_ADDRESS: return mac_text(d->mac, buf, size);
	case A_BROADCAST: return mac_text(d->type == ARPHRD_ETHER ? ether_bcast : none, buf, size);
	case A_DEV_ID: return ksnprintf(buf, size, "0x0\n");
	case A_FLAGS: return ksnprintf(buf, size, "0x%x\n", stored_flags(d));
	case A_IFALIAS: return 0; /* none set: an empty file */
	case A_OPERSTATE: return ksnprintf(buf, size, "%s\n", operstate(d));
	case A_UEVENT: return ksnprintf(buf, size, "INTERFACE=%s\nIFINDEX=%d\n", d->name, d->ifindex);
	case A_CARRIER: case A_DORMANT: case A_TESTING: case A_SPEED: case A_DUPLEX:
		return running_text(d, a, buf, size);
	default: return -EINVAL;
	}
}

/* Counter s of d. */
static uint64_t stat_value(const struct netdev *d, enum stat s)
{
	const struct netdev_stats *st = &d->stats;

	switch (s) {
	case S_COLLISIONS: return st->collisions;
	case S_MULTICAST: return st->rx_multicast;
	case S_RX_BYTES: return st->rx_bytes;
	case S_RX_DROPPED: return st->rx_dropped;
	case S_RX_ERRORS: return st->rx_errors;
	case S_RX_FIFO_ERRORS: return st->rx_fifo;
	case S_RX_FRAME_ERRORS: return st->rx_frame;
	case S_RX_PACKETS: return st->rx_packets;
	case S_TX_BYTES: return st->tx_bytes;
	case S_TX_CARRIER_ERRORS: return st->tx_carrier;
	case S_TX_DROPPED: return st->tx_dropped;
	case S_TX_ERRORS: return st->tx_errors;
	case S_TX_FIFO_ERRORS: return st->tx_fifo;
	case S_TX_PACKETS: return st->tx_packets;
	default: return 0;
	}
}

long sysfs_net_read(long aux, struct iobuf b, size_t n, uint64_t *pos)
{
	unsigned k;
	struct netdev *d = node_dev(aux, &k);
	char buf[TEXT_MAX];
	int len = -EINVAL;

	if (!d)
		return -EINVAL;
	if (k >= STAT_FIRST && k - STAT_FIRST < N_STATS)
		len = ksnprintf(buf, sizeof(buf), "%lu\n", (unsigned long)stat_value(d, (enum stat)(k - STAT_FIRST)));
	else if (k >= ATTR_FIRST && k - ATTR_FIRST < N_ATTRS)
		len = attr_text(d, (enum attr)(k - ATTR_FIRST), buf, sizeof(buf));
	netdev_put(d);
	if (len < 0)
		return len;
	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1; /* cut by ksnprintf: a 15-byte name cannot make uevent that long */
	return vfs_read_text(buf, (size_t)len, b, n, pos);
}

int sysfs_net_readlink(long aux, char *buf, size_t cap)
{
	unsigned k;
	struct netdev *d = node_dev(aux, &k);
	char path[LINK_MAX_BYTES];
	int len = -EINVAL;

	if (!d)
		return -EINVAL;
	if (k == K_CLASS_LINK)
		len = ksnprintf(path, sizeof(path), "../../devices/virtual/net/%s", d->name);
	else if (k == K_SUBSYSTEM)
		len = ksnprintf(path, sizeof(path), "../../../../class/net");
	else if (k == K_DEVICE && on_root_bus(d))
		len = ksnprintf(path, sizeof(path), "../../../pci0000:00/%s", d->bus_info);
	netdev_put(d);
	if (len < 0)
		return -EINVAL;
	if (len >= (int)sizeof(path))
		len = sizeof(path) - 1;
	if ((size_t)len > cap)
		len = (int)cap;
	memcpy(buf, path, (size_t)len);
	return len;
}
