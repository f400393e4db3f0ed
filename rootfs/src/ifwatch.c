// SPDX-License-Identifier: MIT
// What a program sees when a network interface changes or is unregistered under it (its link going down and up, a USB adapter pulled out): the network tests' witness of netlink's RTM_NEWLINK and RTM_DELLINK, a blocked packet socket's ENETDOWN and SO_BINDTODEVICE's ENODEV.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 *   t-ifwatch IFNAME TIMEOUT_S
 *
 * Watches IFNAME until it goes or TIMEOUT_S seconds pass:
 *   - a child blocks in recv() on a packet socket bound to IFNAME with
 *     an EtherType nothing sends (IEEE's local experimental 0x88b5) and
 *     prints "ifwatch: packet recv: ERRNO_NAME (errno E)" when it fails;
 *   - the parent listens on NETLINK_ROUTE's link, address, route and
 *     neighbour groups and prints, for IFNAME's, "ifwatch: RTM_NEWLINK ifindex N
 *     flags 0xF operstate O" (IFLA_OPERSTATE; 255 without one),
 *     "ifwatch: RTM_NEWROUTE family F oif N table T dst A/L pid P",
 *     "ifwatch: RTM_DELROUTE family F oif N",
 *     "ifwatch: RTM_NEWADDR ifindex N family F flags 0xF addr A" (IFA_FLAGS, IFA_ADDRESS),
 *     "ifwatch: RTM_DELADDR ifindex N family F",
 *     "ifwatch: RTM_NEWNEIGH ifindex N family F state 0xS dst A" (and
 *     RTM_DELNEIGH: the neighbour group's) and
 *     "ifwatch: RTM_DELLINK ifindex N name NAME";
 *   - once RTM_DELLINK came, a UDP socket bound to IFNAME
 *     (SO_BINDTODEVICE, before it went) sends to 10.0.2.2:9 and prints
 *     "ifwatch: bound send: ERRNO_NAME (errno E)" (Linux: ENODEV), and a
 *     TCP socket bound to it connects to 10.0.2.2:80 and prints
 *     "ifwatch: bound connect: ERRNO_NAME (errno E)" (Linux: ENODEV);
 *     then the UDP socket's SO_BINDTODEVICE is read back:
 *     "ifwatch: bound name: ERRNO_NAME (errno E)" (Linux: ENODEV, its
 *     device is gone) or "ifwatch: bound name: NAME".
 * Prints "ifwatch: ready ifindex N" once everything is set up. Status 0
 * when the link went (RTM_DELLINK seen), 1 on the timeout, 2 for bad
 * arguments or a failed setup.
 */
#define ETH_P_LOCAL_EXP 0x88b5
#define DISCARD_PORT    9
#define HTTP_PORT       80
#define PEER_ADDR       "10.0.2.2"
#define NL_BUF          16384

/* Linux's uapi netlink.h and rtnetlink.h, as far as used (musl has neither) */
#define NETLINK_ROUTE       0
#define RTMGRP_LINK         0x1
#define RTMGRP_NEIGH        0x4
#define RTMGRP_IPV4_IFADDR  0x10
#define RTMGRP_IPV4_ROUTE   0x40
#define RTMGRP_IPV6_IFADDR  0x100
#define RTMGRP_IPV6_ROUTE   0x400
#define RTM_NEWLINK         16
#define RTM_DELLINK         17
#define RTM_NEWADDR         20
#define RTM_DELADDR         21
#define RTM_NEWROUTE        24
#define RTM_DELROUTE        25
#define RTA_DST             1
#define RTM_NEWNEIGH        28
#define RTM_DELNEIGH        29
#define NDA_DST             1
#define IFLA_IFNAME         3
#define IFLA_OPERSTATE      16
#define OPERSTATE_NONE      255
#define RTA_OIF             4
#define IFA_FLAGS           8
#define IFA_ADDRESS         1
struct nl_sa { uint16_t family, pad; uint32_t pid, groups; };
struct nl_hdr { uint32_t len; uint16_t type, flags; uint32_t seq, pid; };
struct nl_attr { uint16_t len, type; };
struct if_info { uint8_t family, pad; uint16_t type; int32_t index; uint32_t flags, change; };
struct ifa_info { uint8_t family, prefixlen, flags, scope; uint32_t index; };
struct rt_info { uint8_t family, dst_len, src_len, tos, table, protocol, scope, type; uint32_t flags; };
struct nd_info { uint8_t family, pad1; uint16_t pad2; int32_t ifindex; uint16_t state; uint8_t flags, type; };
#define NL_ALIGN(n) (((n) + 3u) & ~3u)

/* The errno names the tests look for; strerror's text for the others. */
static const char *errname(int e)
{
	switch (e) {
	case ENETDOWN: return "ENETDOWN";
	case ENODEV:   return "ENODEV";
	case ENXIO:    return "ENXIO";
	case ENETUNREACH: return "ENETUNREACH";
	default:       return strerror(e);
	}
}

static int fail(const char *what)
{
	printf("ifwatch: %s: %s (errno %d)\n", what, strerror(errno), errno);
	return 2;
}

/* The child: blocked in recv() on a packet socket bound to ifindex until it fails. */
static void packet_child(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_LOCAL_EXP));
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_LOCAL_EXP),
				  .sll_ifindex = ifindex };
	char buf[2048];

	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)))
		_exit(fail("packet socket"));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			printf("ifwatch: packet recv: %s (errno %d)\n", errname(errno), errno);
			fflush(stdout);
			_exit(0);
		}
	}
}

/* A socket of type bound to name (SO_BINDTODEVICE), or -1. */
static int bound_socket(int type, const char *name)
{
	int fd = socket(AF_INET, type, 0);
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name) + 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* NETLINK_ROUTE bound to the link and address groups, or -1. */
static int listener(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct nl_sa nl = { .family = AF_NETLINK, .groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
								RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH };
	if (fd >= 0 && bind(fd, (struct sockaddr *)&nl, sizeof(nl))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Attribute type's payload among the attributes at a (n bytes), or NULL. */
static const char *attr(const char *a, size_t n, uint16_t type)
{
	while (n >= sizeof(struct nl_attr)) {
		struct nl_attr at;
		memcpy(&at, a, sizeof(at));
		if (at.len < sizeof(at) || at.len > n)
			break;
		if (at.type == type)
			return a + sizeof(at);
		size_t step = NL_ALIGN(at.len) < n ? NL_ALIGN(at.len) : n;
		a += step;
		n -= step;
	}
	return NULL;
}

/* The name in a link message's IFLA_IFNAME (attributes at a, n bytes), or "?". */
static const char *link_name(const char *a, size_t n)
{
	const char *name = attr(a, n, IFLA_IFNAME);
	return name ? name : "?";
}

/* A link message's IFLA_OPERSTATE (attributes at a, n bytes), or OPERSTATE_NONE. */
static unsigned link_operstate(const char *a, size_t n)
{
	const char *p = attr(a, n, IFLA_OPERSTATE);
	return p ? (unsigned)(uint8_t)*p : OPERSTATE_NONE;
}

/* A route message's RTA_OIF (attributes at a, n bytes), or 0. */
static int route_oif(const char *a, size_t n)
{
	const char *p = attr(a, n, RTA_OIF);
	int oif = 0;
	if (p)
		memcpy(&oif, p, sizeof(oif));
	return oif;
}

/* A new route's message (its header h, body of blen bytes) through ifindex said. */
static void say_new_route(const struct nl_hdr *h, const char *body, size_t blen, int ifindex)
{
	struct rt_info rt;
	if (blen < sizeof(rt))
		return;
	memcpy(&rt, body, sizeof(rt));
	const char *a = body + NL_ALIGN(sizeof(rt));
	size_t n = blen - NL_ALIGN(sizeof(rt));
	const char *d = attr(a, n, RTA_DST);
	char text[INET6_ADDRSTRLEN] = "default";
	if (d && (rt.family == AF_INET || rt.family == AF_INET6))
		inet_ntop(rt.family, d, text, sizeof(text));
	if (route_oif(a, n) == ifindex)
		printf("ifwatch: RTM_NEWROUTE family %u oif %d table %u dst %s/%u pid %u\n", rt.family, ifindex,
		       rt.table, text, rt.dst_len, h->pid);
}

/* A neighbour message (body, blen bytes) about ifindex said. */
static void say_neigh(uint16_t type, const char *body, size_t blen, int ifindex)
{
	struct nd_info nd;
	if (blen < sizeof(nd))
		return;
	memcpy(&nd, body, sizeof(nd));
	const char *d = attr(body + sizeof(nd), blen - sizeof(nd), NDA_DST);
	char text[INET6_ADDRSTRLEN] = "?";
	if (d && (nd.family == AF_INET || nd.family == AF_INET6))
		inet_ntop(nd.family, d, text, sizeof(text));
	if (nd.ifindex == ifindex)
		printf("ifwatch: %s ifindex %d family %u state 0x%x dst %s\n",
		       type == RTM_NEWNEIGH ? "RTM_NEWNEIGH" : "RTM_DELNEIGH", nd.ifindex, nd.family, nd.state, text);
}

/* One datagram of notifications: its messages about ifindex said; true once RTM_DELLINK came. */
static int said(const char *buf, size_t len, int ifindex)
{
	int gone = 0;
	size_t off = 0;
	while (off + sizeof(struct nl_hdr) <= len) {
		struct nl_hdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > len - off)
			break;
		const char *body = buf + off + sizeof(h);
		size_t blen = h.len - sizeof(h);
		if (h.type == RTM_DELLINK && blen >= sizeof(struct if_info)) {
			struct if_info ifi;
			memcpy(&ifi, body, sizeof(ifi));
			if (ifi.index == ifindex) {
				printf("ifwatch: RTM_DELLINK ifindex %d name %s\n", ifi.index,
				       link_name(body + sizeof(ifi), blen - sizeof(ifi)));
				gone = 1;
			}
		} else if (h.type == RTM_NEWLINK && blen >= sizeof(struct if_info)) {
			struct if_info ifi;
			memcpy(&ifi, body, sizeof(ifi));
			if (ifi.index == ifindex)
				printf("ifwatch: RTM_NEWLINK ifindex %d flags 0x%x operstate %u\n", ifi.index, ifi.flags,
				       link_operstate(body + sizeof(ifi), blen - sizeof(ifi)));
		} else if (h.type == RTM_DELROUTE && blen >= sizeof(struct rt_info)) {
			struct rt_info rt;
			memcpy(&rt, body, sizeof(rt));
			int oif = route_oif(body + NL_ALIGN(sizeof(rt)), blen - NL_ALIGN(sizeof(rt)));
			if (oif == ifindex)
				printf("ifwatch: RTM_DELROUTE family %u oif %d\n", rt.family, oif);
		} else if (h.type == RTM_NEWADDR && blen >= sizeof(struct ifa_info)) {
			struct ifa_info ifa;
			memcpy(&ifa, body, sizeof(ifa));
			const char *fl = attr(body + sizeof(ifa), blen - sizeof(ifa), IFA_FLAGS);
			uint32_t flags = ifa.flags;
			if (fl)
				memcpy(&flags, fl, sizeof(flags));
			const char *a = attr(body + sizeof(ifa), blen - sizeof(ifa), IFA_ADDRESS);
			char text[INET6_ADDRSTRLEN] = "?";
			if (a && (ifa.family == AF_INET || ifa.family == AF_INET6))
				inet_ntop(ifa.family, a, text, sizeof(text));
			if ((int)ifa.index == ifindex)
				printf("ifwatch: RTM_NEWADDR ifindex %u family %u flags 0x%x addr %s\n", ifa.index, ifa.family,
				       flags, text);
		} else if (h.type == RTM_NEWROUTE) {
			say_new_route(&h, body, blen, ifindex);
		} else if (h.type == RTM_NEWNEIGH || h.type == RTM_DELNEIGH) {
			say_neigh(h.type, body, blen, ifindex);
		} else if (h.type == RTM_DELADDR && blen >= sizeof(struct ifa_info)) {
			struct ifa_info ifa;
			memcpy(&ifa, body, sizeof(ifa));
			if ((int)ifa.index == ifindex)
				printf("ifwatch: RTM_DELADDR ifindex %u family %u\n", ifa.index, ifa.family);
		}
		off += NL_ALIGN(h.len);
	}
	fflush(stdout);
	return gone;
}

/* Notifications until ifindex's RTM_DELLINK (1) or the deadline (0). */
static int wait_gone(int nl, int ifindex, int secs)
{
	static char buf[NL_BUF];
	time_t end = time(NULL) + secs;
	struct pollfd p = { .fd = nl, .events = POLLIN };

	while (time(NULL) < end) {
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n > 0 && said(buf, (size_t)n, ifindex))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: t-ifwatch IFNAME TIMEOUT_S\n");
		return 2;
	}
	int ifindex = (int)if_nametoindex(argv[1]);
	if (!ifindex)
		return fail("if_nametoindex");
	int nl = listener(), udp = bound_socket(SOCK_DGRAM, argv[1]), tcp = bound_socket(SOCK_STREAM, argv[1]);
	if (nl < 0 || udp < 0 || tcp < 0)
		return fail("netlink or bound socket");
	setvbuf(stdout, NULL, _IOLBF, 0);
	pid_t child = fork();
	if (child < 0)
		return fail("fork");
	if (child == 0)
		packet_child(ifindex);
	usleep(200 * 1000); /* the child's socket bound before the line that says so */
	printf("ifwatch: ready ifindex %d\n", ifindex);
	int gone = wait_gone(nl, ifindex, atoi(argv[2]));
	if (gone) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DISCARD_PORT) };
		inet_pton(AF_INET, PEER_ADDR, &to.sin_addr);
		if (sendto(udp, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			printf("ifwatch: bound send: %s (errno %d)\n", errname(errno), errno);
		else
			printf("ifwatch: bound send: sent\n");
		to.sin_port = htons(HTTP_PORT);
		if (connect(tcp, (struct sockaddr *)&to, sizeof(to)) < 0)
			printf("ifwatch: bound connect: %s (errno %d)\n", errname(errno), errno);
		else
			printf("ifwatch: bound connect: connected\n");
		char name[IF_NAMESIZE] = "";
		socklen_t len = sizeof(name);
		if (getsockopt(udp, SOL_SOCKET, SO_BINDTODEVICE, name, &len) < 0)
			printf("ifwatch: bound name: %s (errno %d)\n", errname(errno), errno);
		else
			printf("ifwatch: bound name: %s\n", len ? name : "(none)");
	}
	struct timespec grace = { 2, 0 };
	nanosleep(&grace, NULL); /* the child's line, if its recv failed */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return gone ? 0 : 1;
}
