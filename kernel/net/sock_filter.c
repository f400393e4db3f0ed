// SPDX-License-Identifier: MIT
/*
 * Kestrel: socket filters (SO_ATTACH_FILTER, SO_DETACH_FILTER,
 * SO_LOCK_FILTER), Linux's classic BPF programs a socket runs over each
 * packet before it queues it (net/bpf.c checks and runs them). udhcpc
 * and dhclient attach one to their AF_PACKET socket so that only DHCP
 * reaches them; tcpdump's expressions compile to them.
 *
 * Which packets see the filter: those queued by the receive paths
 * through sock_filter_run: UDP over IPv4 (the program sees the UDP
 * header first), raw IPv4 sockets (the IP header first) and AF_PACKET
 * (the Ethernet header first, or the network header for SOCK_DGRAM), as
 * Linux's. TCP and AF_UNIX sockets keep a filter attached (Linux runs it
 * on their segments and messages too) but do not run it yet.
 *
 * Lock rule: as the socket's (net/unix_sock.h): attach and detach happen
 * in the owner's system calls, the run in the receive path, all under
 * the kernel lock today; issue 29's socket lock will cover filter with
 * the receive queue.
 */
#include "net/sock_filter.h"
#include "net/bpf.h"
#include "net/netbuf.h"
#include "net/netdev.h"

#include "lib/byteorder.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "mm/usercopy.h"

/* A program attached to a socket: len checked instructions. */
struct sock_fprog_k {
	unsigned len;
	struct sock_filter insns[];
};

int sock_attach_filter(struct unix_sock *s, const void *val, size_t len)
{
	struct sock_fprog fprog;

	if (len < sizeof(fprog))
		return -EINVAL;
	memcpy(&fprog, val, sizeof(fprog));
	if (!fprog.len || fprog.len > BPF_MAXINSNS)
		return -EINVAL;
	if (s->filter_locked)
		return -EPERM;
	size_t bytes = (size_t)fprog.len * sizeof(struct sock_filter);
	struct sock_fprog_k *f = kmalloc(sizeof(*f) + bytes);
	if (!f)
		return -ENOMEM;
	f->len = fprog.len;
	int err = copy_from_user(f->insns, fprog.filter, bytes) ? -EFAULT : bpf_check(f->insns, f->len);
	if (err) {
		kfree(f);
		return err;
	}
	kfree(s->filter);
	s->filter = f;
	return 0;
}

int sock_detach_filter(struct unix_sock *s)
{
	if (s->filter_locked)
		return -EPERM;
	if (!s->filter)
		return -ENOENT;
	kfree(s->filter);
	s->filter = NULL;
	return 0;
}

int sock_lock_filter(struct unix_sock *s, int on)
{
	if (s->filter_locked && !on)
		return -EPERM; /* a locked filter stays locked */
	s->filter_locked = on != 0;
	return 0;
}

void sock_filter_free(struct unix_sock *s)
{
	kfree(s->filter);
	s->filter = NULL;
}

uint32_t sock_filter_run(const struct unix_sock *s, const struct netbuf *nb, const uint8_t *view,
			 uint32_t len, const uint8_t *net, const uint8_t *mac)
{
	if (!s->filter)
		return len;
	struct bpf_pkt pkt = {
		.head = nb->head, .data_off = (uint32_t)(view - nb->head), .len = len,
		.net_off = (uint32_t)(net - nb->head), .has_mac = mac != NULL,
		.mac_off = mac ? (uint32_t)(mac - nb->head) : 0,
		.protocol = be16(nb->protocol), .pkttype = nb->pkt_type,
		.ifindex = nb->dev ? (uint32_t)nb->dev->ifindex : 0, .hatype = nb->dev ? nb->dev->type : 0,
	};
	uint32_t keep = bpf_run(s->filter->insns, s->filter->len, &pkt);
	return keep < len ? keep : len;
}

const uint8_t *sock_filter_mac(const struct netbuf *nb, const uint8_t *net)
{
	bool ether = nb->dev && nb->dev->type == ARPHRD_ETHER;
	return ether && net - nb->head >= ETH_HLEN ? net - ETH_HLEN : NULL;
}
