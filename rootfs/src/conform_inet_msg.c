// SPDX-License-Identifier: MIT
// AF_INET receive control messages and errors on the loopback: IP_PKTINFO, IP_TTL, IP_TOS, IP_ORIGDSTADDR, SO_TIMESTAMP, SIOCGSTAMP, IP_RECVERR and MSG_ERRQUEUE, TCP_INQ, SO_MEMINFO and TCP_CC_INFO, and the disconnect and shutdown corners beside them.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "checks.h"

/* <linux/errqueue.h>'s, which musl's headers lack */
struct sock_extended_err {
	uint32_t ee_errno;
	uint8_t ee_origin, ee_type, ee_code, ee_pad;
	uint32_t ee_info, ee_data;
};
#define SO_EE_ORIGIN_ICMP 2
#define SO_EE_OFFENDER(ee) ((struct sockaddr *)((ee) + 1))
#ifndef SIOCGSTAMP
#define SIOCGSTAMP 0x8906
#endif

/*
 * As Linux (ip(7), socket(7), tcp(7), udp(7)): what a receive reports
 * beside the bytes, in the order Linux writes it, and the errors ICMP
 * brings back to a socket that asked for them. Everything stays on
 * 127.0.0.1.
 */

/* 127.0.0.1:port (host order) */
static struct sockaddr_in lo(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A UDP socket bound to 127.0.0.1 (its name in *a), or -1. */
static int udp_bound(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof(*a);

	*a = lo(0);
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) || getsockname(fd, (struct sockaddr *)a, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* One datagram into buf with its control messages in ctl (ctllen: room in, used out). */
static ssize_t recv_ctl(int fd, char *buf, size_t len, char *ctl, size_t *ctllen, int flags)
{
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = *ctllen };
	ssize_t r = recvmsg(fd, &m, flags);

	*ctllen = m.msg_controllen;
	return r;
}

/* The control messages' level:type pairs, in order, into out ("0:8 0:2 ..."). */
static void cmsg_list(char *ctl, size_t ctllen, char *out, size_t cap)
{
	struct msghdr m = { .msg_control = ctl, .msg_controllen = ctllen };
	size_t at = 0;

	out[0] = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c && at < cap; c = CMSG_NXTHDR(&m, c))
		at += (size_t)snprintf(out + at, cap - at, "%s%d:%d", at ? " " : "", c->cmsg_level, c->cmsg_type);
}

/* The data of the control message level:type, or NULL. */
static void *cmsg_find(char *ctl, size_t ctllen, int level, int type)
{
	struct msghdr m = { .msg_control = ctl, .msg_controllen = ctllen };

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == level && c->cmsg_type == type)
			return CMSG_DATA(c);
	return NULL;
}

/* IP_PKTINFO, IP_TTL, IP_TOS and IP_ORIGDSTADDR, in Linux's order, with a datagram's values. */
static int check_ip_cmsgs(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r = 0;
	char buf[8], ctl[256], list[128];
	size_t ctllen = sizeof(ctl);

	if (a < 0 || b < 0)
		r = fail("sockets: %s", strerror(errno));
	if (!r && (set_int(a, IPPROTO_IP, IP_PKTINFO, 1) || set_int(a, IPPROTO_IP, IP_RECVTTL, 1) ||
		   set_int(a, IPPROTO_IP, IP_RECVTOS, 1) || set_int(a, IPPROTO_IP, IP_RECVORIGDSTADDR, 1) ||
		   set_int(b, IPPROTO_IP, IP_TTL, 33) || set_int(b, IPPROTO_IP, IP_TOS, 0x20)))
		r = fail("setsockopt: %s", strerror(errno));
	if (!r)
		r = want_eq("sendto", sendto(b, "hi", 2, 0, (struct sockaddr *)&an, sizeof(an)), 2) ||
		    want_eq("recvmsg", recv_ctl(a, buf, sizeof(buf), ctl, &ctllen, 0), 2) ? CHECK_FAIL : 0;
	if (!r) {
		cmsg_list(ctl, ctllen, list, sizeof(list));
		if (strcmp(list, "0:8 0:2 0:1 0:20"))
			r = fail("control messages %s, want 0:8 0:2 0:1 0:20", list);
	}
	if (!r) {
		struct in_pktinfo *pi = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_PKTINFO);
		int *ttl = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_TTL);
		unsigned char *tos = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_TOS);
		struct sockaddr_in *dst = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_ORIGDSTADDR);
		if (pi->ipi_addr.s_addr != htonl(INADDR_LOOPBACK) || pi->ipi_spec_dst.s_addr != htonl(INADDR_LOOPBACK) ||
		    pi->ipi_ifindex <= 0)
			r = fail("pktinfo ifindex %d addr %08x spec_dst %08x", pi->ipi_ifindex,
				 ntohl(pi->ipi_addr.s_addr), ntohl(pi->ipi_spec_dst.s_addr));
		else if (*ttl != 33 || *tos != 0x20)
			r = fail("ttl %d tos %#x, want 33 and 0x20", *ttl, *tos);
		else if (dst->sin_family != AF_INET || dst->sin_port != an.sin_port)
			r = fail("origdstaddr family %d port %d", dst->sin_family, ntohs(dst->sin_port));
	}
	close(a);
	close(b);
	return r;
}

/* SO_TIMESTAMP's timeval and SO_TIMESTAMPNS's timespec, near now; off, none. */
static int check_timestamp(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r = 0, v = -1;
	socklen_t vl = sizeof(v);
	char buf[8], ctl[128];
	size_t ctllen = sizeof(ctl);
	struct timeval now;

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	if (getsockopt(a, SOL_SOCKET, SO_TIMESTAMP, &v, &vl) || v != 0)
		r = fail("SO_TIMESTAMP by default %d (%s)", v, strerror(errno));
	if (!r)
		r = want_ok("SO_TIMESTAMP on", set_int(a, SOL_SOCKET, SO_TIMESTAMP, 1)) ||
		    want_eq("sendto", sendto(b, "t", 1, 0, (struct sockaddr *)&an, sizeof(an)), 1) ||
		    want_eq("recvmsg", recv_ctl(a, buf, sizeof(buf), ctl, &ctllen, 0), 1) ? CHECK_FAIL : 0;
	gettimeofday(&now, NULL);
	if (!r) {
		struct timeval *tv = cmsg_find(ctl, ctllen, SOL_SOCKET, SO_TIMESTAMP);
		if (!tv)
			r = fail("no SO_TIMESTAMP control message");
		else if (tv->tv_sec < now.tv_sec - 5 || tv->tv_sec > now.tv_sec || tv->tv_usec >= 1000000)
			r = fail("stamp %ld.%06ld, now %ld", (long)tv->tv_sec, (long)tv->tv_usec, (long)now.tv_sec);
	}
	ctllen = sizeof(ctl);
	if (!r)
		r = want_ok("SO_TIMESTAMPNS on", set_int(a, SOL_SOCKET, SO_TIMESTAMPNS, 1)) ||
		    want_eq("sendto", sendto(b, "t", 1, 0, (struct sockaddr *)&an, sizeof(an)), 1) ||
		    want_eq("recvmsg", recv_ctl(a, buf, sizeof(buf), ctl, &ctllen, 0), 1) ? CHECK_FAIL : 0;
	if (!r && !cmsg_find(ctl, ctllen, SOL_SOCKET, SO_TIMESTAMPNS))
		r = fail("no SO_TIMESTAMPNS control message");
	if (!r && (getsockopt(a, SOL_SOCKET, SO_TIMESTAMP, &v, &vl) || v != 0))
		r = fail("SO_TIMESTAMP reads %d with SO_TIMESTAMPNS on, want 0", v);
	ctllen = sizeof(ctl);
	if (!r)
		r = want_ok("SO_TIMESTAMP off", set_int(a, SOL_SOCKET, SO_TIMESTAMP, 0)) ||
		    want_eq("sendto", sendto(b, "t", 1, 0, (struct sockaddr *)&an, sizeof(an)), 1) ||
		    want_eq("recvmsg", recv_ctl(a, buf, sizeof(buf), ctl, &ctllen, 0), 1) ||
		    want_eq("control bytes with stamps off", (long)ctllen, 0) ? CHECK_FAIL : 0;
	close(a);
	close(b);
	return r;
}

/* SIOCGSTAMP: ENOENT before anything came, the last datagram's time after. */
static int check_siocgstamp(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct timeval tv = { 0 };
	char c;

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	errno = 0;
	r = want_err("SIOCGSTAMP with nothing read", ioctl(a, SIOCGSTAMP, &tv), ENOENT) ||
	    want_eq("sendto", sendto(b, "s", 1, 0, (struct sockaddr *)&an, sizeof(an)), 1) ||
	    want_eq("recv", recv(a, &c, 1, 0), 1) || want_ok("SIOCGSTAMP", ioctl(a, SIOCGSTAMP, &tv)) ? CHECK_FAIL : 0;
	if (!r && !tv.tv_sec)
		r = fail("SIOCGSTAMP gave 0");
	close(a);
	close(b);
	return r;
}

/* IP_RECVERR: the port-unreachable for a datagram comes back on the
 * error queue (its bytes, its destination, the ICMP's type and code),
 * POLLERR says so, and SO_ERROR is clear once it is read. Without
 * errors queued, MSG_ERRQUEUE says EAGAIN at once. */
static int check_recverr(void)
{
	struct sockaddr_in gone;
	int g = udp_bound(&gone), s = socket(AF_INET, SOCK_DGRAM, 0), r = 0, err = -1;
	char buf[64], ctl[256], data[40];
	size_t ctllen = sizeof(ctl);
	socklen_t el = sizeof(err);
	struct sockaddr_in from = { 0 };

	if (g < 0 || s < 0)
		return fail("sockets: %s", strerror(errno));
	close(g); /* its port now has nobody */
	memset(data, 'e', sizeof(data));
	errno = 0;
	r = want_err("MSG_ERRQUEUE with none", recv(s, buf, sizeof(buf), MSG_ERRQUEUE), EAGAIN) ||
	    want_ok("IP_RECVERR", set_int(s, IPPROTO_IP, IP_RECVERR, 1)) ||
	    want_eq("sendto the closed port", sendto(s, data, sizeof(data), 0, (struct sockaddr *)&gone, sizeof(gone)),
		    sizeof(data)) ? CHECK_FAIL : 0;
	if (!r) {
		struct pollfd p = { s, POLLIN, 0 };
		if (poll(&p, 1, 2000) != 1 || !(p.revents & POLLERR))
			r = fail("poll: revents %#x, want POLLERR", p.revents);
	}
	if (!r) {
		struct iovec v = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &v, .msg_iovlen = 1,
				    .msg_control = ctl, .msg_controllen = ctllen };
		r = want_eq("recvmsg MSG_ERRQUEUE", recvmsg(s, &m, MSG_ERRQUEUE), sizeof(data));
		ctllen = m.msg_controllen;
		if (!r && (!(m.msg_flags & MSG_ERRQUEUE) || memcmp(buf, data, sizeof(data)) ||
			   from.sin_port != gone.sin_port))
			r = fail("flags %#x, bytes %s, name port %d (want %d)", m.msg_flags,
				 memcmp(buf, data, sizeof(data)) ? "differ" : "same", ntohs(from.sin_port), ntohs(gone.sin_port));
	}
	if (!r) {
		struct sock_extended_err *ee = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_RECVERR);
		if (!ee)
			r = fail("no IP_RECVERR control message");
		else if (ee->ee_errno != ECONNREFUSED || ee->ee_origin != SO_EE_ORIGIN_ICMP || ee->ee_type != 3 ||
			 ee->ee_code != 3)
			r = fail("errno %u origin %u type %u code %u", ee->ee_errno, ee->ee_origin, ee->ee_type, ee->ee_code);
		else if (SO_EE_OFFENDER(ee)->sa_family != AF_INET)
			r = fail("offender family %d", SO_EE_OFFENDER(ee)->sa_family);
	}
	if (!r && (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el) || err))
		r = fail("SO_ERROR %d after the queue was read", err);
	if (!r) {
		errno = 0;
		r = want_err("MSG_ERRQUEUE emptied", recv(s, buf, sizeof(buf), MSG_ERRQUEUE), EAGAIN);
	}
	close(s);
	return r;
}

/* connect(AF_UNSPEC) with a whole sockaddr_storage disconnects; a
 * nonblocking receive after shutdown(SHUT_RD) says EAGAIN, not 0. */
static int check_udp_disconnect(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), r;
	struct sockaddr_storage unspec = { .ss_family = AF_UNSPEC };
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	char c;

	if (a < 0)
		return fail("socket: %s", strerror(errno));
	errno = 0;
	r = want_ok("connect", connect(a, (struct sockaddr *)&an, sizeof(an))) ||
	    want_ok("connect AF_UNSPEC, 128 bytes", connect(a, (struct sockaddr *)&unspec, sizeof(unspec))) ||
	    want_err("getpeername", getpeername(a, (struct sockaddr *)&peer, &pl), ENOTCONN) ||
	    want_ok("connect again", connect(a, (struct sockaddr *)&an, sizeof(an))) ? CHECK_FAIL : 0;
	shutdown(a, SHUT_RD);
	if (!r) {
		errno = 0;
		r = want_err("recv MSG_DONTWAIT after SHUT_RD", recv(a, &c, 1, MSG_DONTWAIT), EAGAIN);
	}
	close(a);
	return r;
}

static void close_all(int a, int b, int c)
{
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (c >= 0)
		close(c);
}

/* What bind did not choose, a disconnect forgets: the address goes back
 * to 0.0.0.0 and a port bind did not name goes; connected to port 0 is
 * not connected; a send after shutdown(SHUT_WR) is EPIPE. */
static int check_udp_unchosen(void)
{
	struct sockaddr_in an, me;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r;
	struct sockaddr_in any = { .sin_family = AF_INET }, zero = lo(0);
	socklen_t ml = sizeof(me);

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	any.sin_family = AF_UNSPEC;
	errno = 0;
	r = want_ok("bind 0.0.0.0:0", bind(b, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET },
					   sizeof(struct sockaddr_in))) ||
	    want_ok("connect", connect(b, (struct sockaddr *)&an, sizeof(an))) ||
	    want_ok("disconnect", connect(b, (struct sockaddr *)&any, sizeof(any))) ||
	    want_ok("getsockname", getsockname(b, (struct sockaddr *)&me, &ml)) ? CHECK_FAIL : 0;
	if (!r && (me.sin_addr.s_addr != htonl(INADDR_ANY) || me.sin_port)) /* bind asked for no port */
		r = fail("after the disconnect %s:%d, want 0.0.0.0:0", inet_ntoa(me.sin_addr), ntohs(me.sin_port));
	if (!r) {
		ml = sizeof(me);
		errno = 0;
		r = want_ok("connect to port 0", connect(b, (struct sockaddr *)&zero, sizeof(zero))) ||
		    want_err("getpeername", getpeername(b, (struct sockaddr *)&me, &ml), ENOTCONN) ||
		    want_ok("connect", connect(b, (struct sockaddr *)&an, sizeof(an))) ||
		    want_ok("shutdown SHUT_WR", shutdown(b, SHUT_WR)) ||
		    want_err("send after SHUT_WR", send(b, "x", 1, 0), EPIPE) ? CHECK_FAIL : 0;
	}
	close(a);
	close(b);
	return r;
}

/* A send's IP_TTL and IP_TOS control messages win over the socket's. */
static int check_send_cmsgs(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r = 0;
	char buf[8], ctl[128];
	size_t ctllen = sizeof(ctl);
	union {
		char buf[CMSG_SPACE(sizeof(int)) * 2];
		struct cmsghdr align;
	} out;
	struct iovec v = { "c", 1 };
	struct msghdr m = { .msg_name = &an, .msg_namelen = sizeof(an), .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = out.buf, .msg_controllen = sizeof(out.buf) };

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	memset(&out, 0, sizeof(out));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(int)), .cmsg_level = IPPROTO_IP, .cmsg_type = IP_TTL };
	unsigned char *ttl_data = CMSG_DATA(c);
	memcpy(ttl_data, &(int){ 42 }, sizeof(int));
	c = CMSG_NXTHDR(&m, c);
	*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(int)), .cmsg_level = IPPROTO_IP, .cmsg_type = IP_TOS };
	memcpy(CMSG_DATA(c), &(int){ 0x10 }, sizeof(int));
	if (set_int(a, IPPROTO_IP, IP_RECVTTL, 1) || set_int(a, IPPROTO_IP, IP_RECVTOS, 1))
		r = fail("setsockopt: %s", strerror(errno));
	if (!r)
		r = want_eq("sendmsg", sendmsg(b, &m, 0), 1) ||
		    want_eq("recvmsg", recv_ctl(a, buf, sizeof(buf), ctl, &ctllen, 0), 1) ? CHECK_FAIL : 0;
	if (!r) {
		int *ttl = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_TTL);
		unsigned char *tos = cmsg_find(ctl, ctllen, IPPROTO_IP, IP_TOS);
		if (!ttl || !tos || *ttl != 42 || *tos != 0x10)
			r = fail("ttl %d tos %#x, want 42 and 0x10", ttl ? *ttl : -1, tos ? *tos : 0);
	}
	memcpy(ttl_data, &(int){ 0 }, sizeof(int));
	if (!r) {
		errno = 0;
		r = want_err("IP_TTL 0", sendmsg(b, &m, 0), EINVAL);
	}
	close(a);
	close(b);
	return r;
}

/* An empty queue takes a datagram bigger than SO_RCVBUF. */
static int check_rcvbuf_empty(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r = 0, min = -1;
	socklen_t ml = sizeof(min);
	static char buf[65536];

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	if (set_int(a, SOL_SOCKET, SO_RCVBUF, 0) || getsockopt(a, SOL_SOCKET, SO_RCVBUF, &min, &ml) ||
	    min <= 0 || min >= (int)sizeof(buf))
		r = fail("SO_RCVBUF's least: %d (%s)", min, strerror(errno));
	if (!r) {
		struct pollfd p = { a, POLLIN, 0 };
		r = want_eq("sendto SO_RCVBUF + 1", sendto(b, buf, (size_t)min + 1, 0, (struct sockaddr *)&an, sizeof(an)),
			    min + 1) ||
		    want_eq("poll", poll(&p, 1, 1000), 1) || want_eq("recv", recv(a, buf, sizeof(buf), 0), min + 1);
	}
	close(a);
	close(b);
	return r;
}

/* An IPv6 UDP socket: connect takes an AF_INET address as v4-mapped
 * (glibc's getaddrinfo counts on it); IPV6_RECVPKTINFO reports an IPv4
 * datagram's destination v4-mapped, before IPv4's own IP_PKTINFO. */
static int check_udp6_dualstack(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), s6 = socket(AF_INET6, SOCK_DGRAM, 0), r = 0;
	struct sockaddr_in6 me, srv = { .sin6_family = AF_INET6 };
	socklen_t ml = sizeof(me);
	char buf[8], ctl[256], list[64];
	size_t ctllen = sizeof(ctl);

	if (a < 0 || s6 < 0) {
		r = errno == EAFNOSUPPORT ? skip("no IPv6") : fail("sockets: %s", strerror(errno));
		close_all(a, s6, -1);
		return r;
	}
	errno = 0;
	r = want_ok("connect an AF_INET address", connect(s6, (struct sockaddr *)&an, sizeof(an))) ||
	    want_ok("getsockname", getsockname(s6, (struct sockaddr *)&me, &ml)) ? CHECK_FAIL : 0;
	if (!r && (me.sin6_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&me.sin6_addr)))
		r = fail("getsockname family %d, not v4-mapped", me.sin6_family);
	if (!r) { /* sendto an AF_INET address goes through IPv4 too */
		char c;
		r = want_eq("sendto an AF_INET address", sendto(s6, "4", 1, 0, (struct sockaddr *)&an, sizeof(an)), 1) ||
		    want_eq("recv it", recv(a, &c, 1, 0), 1);
	}
	if (!r) { /* bound v4-mapped, a v6 peer is the wrong family */
		struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		errno = 0;
		r = want_err("connect ::1 from a v4-mapped socket", connect(s6, (struct sockaddr *)&v6, sizeof(v6)),
			     EAFNOSUPPORT);
	}
	close(s6);
	s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	ml = sizeof(srv);
	if (!r && (bind(s6, (struct sockaddr *)&srv, sizeof(srv)) || getsockname(s6, (struct sockaddr *)&srv, &ml) ||
		   set_int(s6, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) || set_int(s6, IPPROTO_IP, IP_PKTINFO, 1)))
		r = fail("the IPv6 server: %s", strerror(errno));
	if (!r) {
		struct sockaddr_in to = lo(ntohs(srv.sin6_port));
		r = want_eq("sendto", sendto(a, "p", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1) ||
		    want_eq("recvmsg", recv_ctl(s6, buf, sizeof(buf), ctl, &ctllen, 0), 1) ? CHECK_FAIL : 0;
	}
	if (!r) {
		cmsg_list(ctl, ctllen, list, sizeof(list));
		struct in6_pktinfo *pi = cmsg_find(ctl, ctllen, IPPROTO_IPV6, IPV6_PKTINFO);
		if (strcmp(list, "41:50 0:8"))
			r = fail("control messages %s, want 41:50 0:8", list);
		else if (!IN6_IS_ADDR_V4MAPPED(&pi->ipi6_addr) || pi->ipi6_ifindex <= 0)
			r = fail("IPV6_PKTINFO not v4-mapped, or ifindex %d", pi->ipi6_ifindex);
	}
	close_all(a, s6, -1);
	return r;
}

/* <linux/filter.h>'s, which musl's headers lack */
struct bpf_insn_c {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct bpf_prog_c {
	unsigned short len;
	struct bpf_insn_c *filter;
};
#define SO_ATTACH_FILTER_ 26
#define SO_DETACH_FILTER_ 27
#define SO_LOCK_FILTER_   44
#define BPF_LDB_ABS 0x30 /* BPF_LD | BPF_B | BPF_ABS */
#define BPF_JEQ_K   0x15 /* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_RET_K   0x06 /* BPF_RET | BPF_K */
#define BPF_DIV_K   0x34 /* BPF_ALU | BPF_DIV | BPF_K */
#define SKF_NET     (-0x100000)
#define IP_PROTO_AT 9

/* A UDP socket's filter sees the UDP header first: this one takes
 * datagrams whose payload starts with 'A' (and whose IP header says UDP,
 * through SKF_NET_OFF), keeping the header and 3 bytes. Detach twice is
 * ENOENT; a locked filter stays; a division by 0 is EINVAL. */
static int check_socket_filter(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r = 0;
	struct bpf_insn_c prog[] = {
		{ BPF_LDB_ABS, 0, 0, (uint32_t)(SKF_NET + IP_PROTO_AT) }, { BPF_JEQ_K, 0, 3, IPPROTO_UDP },
		{ BPF_LDB_ABS, 0, 0, 8 }, { BPF_JEQ_K, 0, 1, 'A' },
		{ BPF_RET_K, 0, 0, 8 + 3 }, { BPF_RET_K, 0, 0, 0 },
	}, bad[] = { { BPF_DIV_K, 0, 0, 0 }, { BPF_RET_K, 0, 0, 0 } };
	struct bpf_prog_c fp = { NELEMS(prog), prog }, fbad = { NELEMS(bad), bad };
	char buf[16] = { 0 };

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	errno = 0;
	r = want_ok("SO_ATTACH_FILTER", setsockopt(a, SOL_SOCKET, SO_ATTACH_FILTER_, &fp, sizeof(fp))) ||
	    want_eq("sendto B", sendto(b, "Bdropped", 8, 0, (struct sockaddr *)&an, sizeof(an)), 8) ||
	    want_eq("sendto A", sendto(b, "Akept", 5, 0, (struct sockaddr *)&an, sizeof(an)), 5) ||
	    want_eq("recv: A's first 3", recv(a, buf, sizeof(buf), 0), 3) ? CHECK_FAIL : 0;
	if (!r && memcmp(buf, "Ake", 3))
		r = fail("received \"%.3s\", want \"Ake\"", buf);
	if (!r) {
		errno = 0;
		r = want_err("recv after: nothing", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN) ||
		    want_err("a division by 0", setsockopt(a, SOL_SOCKET, SO_ATTACH_FILTER_, &fbad, sizeof(fbad)), EINVAL) ||
		    want_ok("SO_DETACH_FILTER", setsockopt(a, SOL_SOCKET, SO_DETACH_FILTER_, &r, sizeof(r))) ||
		    want_err("SO_DETACH_FILTER again", setsockopt(a, SOL_SOCKET, SO_DETACH_FILTER_, &r, sizeof(r)), ENOENT) ||
		    want_ok("attach", setsockopt(a, SOL_SOCKET, SO_ATTACH_FILTER_, &fp, sizeof(fp))) ||
		    want_ok("SO_LOCK_FILTER", set_int(a, SOL_SOCKET, SO_LOCK_FILTER_, 1)) ||
		    want_err("detach a locked filter", setsockopt(a, SOL_SOCKET, SO_DETACH_FILTER_, &r, sizeof(r)), EPERM) ||
		    want_err("unlock", set_int(a, SOL_SOCKET, SO_LOCK_FILTER_, 0), EPERM) ? CHECK_FAIL : 0;
	}
	close(a);
	close(b);
	return r;
}

/* socketpair of an inet family: the socket's own errors, then EOPNOTSUPP;
 * a type past SOCK_MAX or an unknown flag is EINVAL before the family
 * looks. getsockopt at a level an IPv4 socket's protocols do not answer
 * is EOPNOTSUPP (ip_getsockopt's); a msghdr name of negative length EINVAL. */
static int check_socketpair_errors(void)
{
	int sv[2], v, fd = socket(AF_INET, SOCK_STREAM, 0), r;
	socklen_t vl = sizeof(v);
	struct sockaddr_in from;
	struct msghdr m = { .msg_name = &from, .msg_namelen = -1 };

	errno = 0;
	r = want_err("getsockopt(level 500)", getsockopt(fd, 500, 1, &v, &vl), EOPNOTSUPP) ||
	    want_err("getsockopt(IPPROTO_UDP) on TCP", getsockopt(fd, IPPROTO_UDP, 1, &v, &vl), EOPNOTSUPP) ||
	    want_err("recvmsg, msg_namelen -1", recvmsg(fd, &m, MSG_DONTWAIT), EINVAL) ? CHECK_FAIL : 0;
	close(fd);
	if (r)
		return r;
	return want_err("socketpair(AF_INET, SOCK_STREAM)", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP) ||
	       want_err("socketpair(AF_INET, 0)", socketpair(AF_INET, 0, 0, sv), ESOCKTNOSUPPORT) ||
	       want_err("socketpair(AF_UNIX, 12)", socketpair(AF_UNIX, 12, 0, sv), EINVAL) ||
	       want_err("socket(AF_INET, 12)", socket(AF_INET, 12, 0), EINVAL) ||
	       want_err("socket(AF_INET, SOCK_DGRAM | 0x10000)", socket(AF_INET, SOCK_DGRAM | 0x10000, 0), EINVAL) ||
	       want_err("socket(46, SOCK_DGRAM)", socket(46, SOCK_DGRAM, 0), EAFNOSUPPORT) ? CHECK_FAIL : 0;
}

/* SCM_RIGHTS rides only on AF_UNIX: a UDP send that carries it goes,
 * the files left behind (Linux's __sock_cmsg_send ignores it). */
static int check_scm_rights_ignored(void)
{
	struct sockaddr_in an;
	int a = udp_bound(&an), b = socket(AF_INET, SOCK_DGRAM, 0), r, fd = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec v = { "f", 1 };
	struct msghdr m = { .msg_name = &an, .msg_namelen = sizeof(an), .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	char buf[8], ctl[64];
	size_t ctllen = sizeof(ctl);

	if (a < 0 || b < 0)
		return fail("sockets: %s", strerror(errno));
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(int)), .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	r = want_eq("sendmsg with SCM_RIGHTS", sendmsg(b, &m, 0), 1) ||
	    want_eq("recvmsg", recv_ctl(a, buf, sizeof(buf), ctl, &ctllen, 0), 1) ||
	    want_eq("control bytes received", (long)ctllen, 0) ? CHECK_FAIL : 0;
	close(a);
	close(b);
	return r;
}

/* SO_RCVBUFFORCE goes past net.core.rmem_max, doubled as SO_RCVBUF is,
 * for CAP_NET_ADMIN only (EPERM for others). */
static int check_rcvbufforce(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), max = -1, got = -1, r = 0;
	socklen_t len = sizeof(max);

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	if (set_int(fd, SOL_SOCKET, SO_RCVBUF, 0x7fffffff) || getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &max, &len))
		r = fail("SO_RCVBUF: %s", strerror(errno));
	int rc = r ? 0 : set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, max + 1);
	if (!r && geteuid() != 0) {
		r = rc == -1 && errno == EPERM ? 0 : fail("SO_RCVBUFFORCE unprivileged: %d (%s)", rc, strerror(errno));
	} else if (!r) {
		len = sizeof(got);
		if (rc || getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) || got != (max + 1) * 2)
			r = fail("SO_RCVBUFFORCE %d reads %d, want %d (%s)", max + 1, got, (max + 1) * 2, strerror(errno));
	}
	close(fd);
	return r;
}

/* A TCP socket given its port by bind(port 0) lets go of it when its
 * connect is refused (Linux's inet_put_port on CLOSE): another may bind it. */
static int check_tcp_refused_port(void)
{
	struct sockaddr_in dead;
	int d = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), n = -1, r;
	struct sockaddr_in me = lo(0);
	socklen_t len = sizeof(dead);

	dead = lo(0);
	if (d < 0 || c < 0 || bind(d, (struct sockaddr *)&dead, sizeof(dead)) ||
	    getsockname(d, (struct sockaddr *)&dead, &len)) { /* bound, not listening: a SYN gets a reset */
		close_all(d, c, -1);
		return fail("sockets: %s", strerror(errno));
	}
	len = sizeof(me);
	errno = 0;
	r = want_ok("bind port 0", bind(c, (struct sockaddr *)&me, sizeof(me))) ||
	    want_ok("getsockname", getsockname(c, (struct sockaddr *)&me, &len)) ||
	    want_err("connect", connect(c, (struct sockaddr *)&dead, sizeof(dead)), ECONNREFUSED) ? CHECK_FAIL : 0;
	if (!r) {
		n = socket(AF_INET, SOCK_STREAM, 0);
		r = want_ok("bind the refused socket's port", bind(n, (struct sockaddr *)&me, sizeof(me)));
	}
	close_all(d, c, n);
	return r;
}

/* A TCP pair on 127.0.0.1: l listens (with SO_RCVBUF rcvbuf unless 0,
 * which s inherits), c connected, s accepted. */
static int tcp_pair_rcvbuf(int *l, int *c, int *s, int rcvbuf)
{
	struct sockaddr_in a = lo(0);
	socklen_t len = sizeof(a);

	*c = *s = -1;
	*l = socket(AF_INET, SOCK_STREAM, 0);
	if (*l < 0 || (rcvbuf && set_int(*l, SOL_SOCKET, SO_RCVBUF, rcvbuf)) ||
	    bind(*l, (struct sockaddr *)&a, sizeof(a)) || listen(*l, 4) ||
	    getsockname(*l, (struct sockaddr *)&a, &len))
		return -1;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	*s = accept(*l, NULL, NULL);
	return *s < 0 ? -1 : 0;
}

static int tcp_pair(int *l, int *c, int *s)
{
	return tcp_pair_rcvbuf(l, c, s, 0);
}

/* TCP_INQ: each read's control message says what is still queued. */
static int check_tcp_inq(void)
{
	int l, c, s, r = 0, got;
	char buf[100], ctl[64];
	size_t ctllen;

	if (tcp_pair(&l, &c, &s)) {
		close_all(l, c, s);
		return fail("connection: %s", strerror(errno));
	}
	memset(buf, 'i', sizeof(buf));
	if (set_int(s, IPPROTO_TCP, TCP_INQ, 1) || write(c, buf, sizeof(buf)) != sizeof(buf))
		r = fail("TCP_INQ or write: %s", strerror(errno));
	for (int i = 0; i < 50 && !r; i++) { /* wait for all 100 bytes */
		if (ioctl(s, FIONREAD, &got) || got == (int)sizeof(buf))
			break;
		usleep(10000);
	}
	for (int left = sizeof(buf); !r && left > 0;) {
		ctllen = sizeof(ctl);
		r = want_eq("recvmsg 40", recv_ctl(s, buf, 40 < left ? 40 : left, ctl, &ctllen, 0), 40 < left ? 40 : left);
		left -= 40 < left ? 40 : left;
		int *inq = r ? NULL : cmsg_find(ctl, ctllen, IPPROTO_TCP, TCP_INQ);
		if (!r && (!inq || *inq != left))
			r = fail("TCP_CM_INQ %d, want %d", inq ? *inq : -1, left);
	}
	close_all(l, c, s);
	return r;
}

/* TCP_MAXSEG: outside 88..32767 is EINVAL; a listener reads back what
 * it was given; IP_MTU_DISCOVER starts at IP_PMTUDISC_WANT. */
static int check_tcp_maxseg(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), r, v = -1;
	socklen_t vl = sizeof(v);

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	errno = 0;
	r = want_err("TCP_MAXSEG 87", set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 87), EINVAL) ||
	    want_err("TCP_MAXSEG 32768", set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 32768), EINVAL) ||
	    want_ok("TCP_MAXSEG 1000", set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 1000)) ? CHECK_FAIL : 0;
	if (!r && (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, &vl) || v != 1000))
		r = fail("TCP_MAXSEG reads %d, want 1000", v);
	if (!r && (getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, &vl) || v != IP_PMTUDISC_WANT))
		r = fail("IP_MTU_DISCOVER reads %d, want IP_PMTUDISC_WANT", v);
	if (!r) {
		errno = 0;
		r = want_err("IP_MTU_DISCOVER 99", set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, 99), EINVAL) ||
		    want_ok("IP_MTU_DISCOVER OMIT", set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_OMIT));
	}
	close(fd);
	return r;
}

/* shutdown of a socket whose connect is still under way ends the attempt:
 * POLLHUP and POLLERR, as Linux's tcp_disconnect leaves it. The listener's
 * queue is full, so the SYN gets no answer. */
static int check_tcp_shutdown_connecting(void)
{
	struct sockaddr_in a = lo(0);
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c1 = -1, c2 = -1, r = 0;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 0) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		r = fail("listener: %s", strerror(errno));
	if (!r && ((c1 = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(c1, (struct sockaddr *)&a, sizeof(a))))
		r = fail("first connect: %s", strerror(errno));
	if (!r) {
		c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		errno = 0;
		r = want_err("second connect", connect(c2, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS) ||
		    want_ok("shutdown", shutdown(c2, SHUT_RD)) ? CHECK_FAIL : 0;
	}
	if (!r) {
		struct pollfd p = { c2, 0, 0 };
		if (poll(&p, 1, 0) != 1 || p.revents != (POLLHUP | POLLERR))
			r = fail("revents %#x, want POLLHUP|POLLERR", p.revents);
	}
	close_all(l, c1, c2);
	return r;
}

#ifndef TCP_NOTSENT_LOWAT
#define TCP_NOTSENT_LOWAT 25
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ 0x5411           /* TIOCOUTQ: bytes not yet acknowledged */
#endif
#ifndef SIOCOUTQNSD
#define SIOCOUTQNSD 0x894B
#endif
#define LOWAT_MARK 20000          /* the mark the check sets */
#define LOWAT_GOAL_SLACK 65536    /* what the last skb may take past it (one GSO packet) */
#define LOWAT_FILL_MAX (4 << 20)  /* the most a filling loop writes */

/* Nonblocking writes of 1000 bytes on c until EAGAIN: the bytes taken, or -1. */
static long write_until_eagain(int c)
{
	static char chunk[1000];
	long n = 0;

	while (n < LOWAT_FILL_MAX) {
		ssize_t k = send(c, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (k < 0)
			return errno == EAGAIN ? n : -1;
		n += k;
	}
	return n;
}

/* c's unsent bytes (SIOCOUTQNSD), or -1. */
static int notsent_of(int c)
{
	int v = -1;

	return ioctl(c, SIOCOUTQNSD, &v) ? -1 : v;
}

/*
 * TCP_NOTSENT_LOWAT (tcp(7)): 0 unless set, any int read back; with a
 * mark, writes stop once the unsent bytes reach it (the last skb may
 * take them past it by at most a GSO packet), long before the send
 * buffer is full, and POLLOUT waits for them to fall below half the
 * mark (a higher mark gives it at once). The peer reads nothing and has
 * a small window, so what is written stays unsent.
 */
static int check_tcp_notsent_lowat(void)
{
	int l, c, s, r = 0, v = -1, n;
	socklen_t vl = sizeof(v);
	long took = 0;

	if (tcp_pair_rcvbuf(&l, &c, &s, 4096)) {
		close_all(l, c, s);
		return fail("connection: %s", strerror(errno));
	}
	if (getsockopt(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &vl) || v != 0)
		r = fail("TCP_NOTSENT_LOWAT reads %d at first, want 0", v);
	if (!r && (set_int(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, -1) ||
		   getsockopt(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &vl) || v != -1))
		r = fail("TCP_NOTSENT_LOWAT -1 reads %d: %s", v, strerror(errno));
	if (!r && (set_int(c, SOL_SOCKET, SO_SNDBUF, 200000) ||
		   set_int(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, LOWAT_MARK)))
		r = fail("setsockopt: %s", strerror(errno));
	if (!r && (took = write_until_eagain(c)) < 0)
		r = fail("write: %s", strerror(errno));
	n = r ? 0 : notsent_of(c);
	if (!r && (n < LOWAT_MARK || n >= LOWAT_MARK + LOWAT_GOAL_SLACK))
		r = fail("%ld bytes taken, %d unsent: want %d to %d unsent", took, n, LOWAT_MARK,
			 LOWAT_MARK + LOWAT_GOAL_SLACK - 1);
	if (!r) {
		struct pollfd p = { c, POLLOUT, 0 };
		if (poll(&p, 1, 0) != 0)
			r = fail("poll at %d unsent: revents %#x, want none", n, p.revents);
	}
	if (!r && set_int(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 2 * n + 1))
		r = fail("TCP_NOTSENT_LOWAT %d: %s", 2 * n + 1, strerror(errno));
	if (!r) {
		struct pollfd p = { c, POLLOUT, 0 };
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
			r = fail("poll under a mark of %d: revents %#x, want POLLOUT", 2 * n + 1, p.revents);
	}
	if (!r)
		remark("%ld bytes taken, %d unsent", took, n);
	close_all(l, c, s);
	return r;
}

/* <linux/sock_diag.h>'s and <linux/tcp.h>'s, which musl's headers lack */
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#ifndef TCP_CC_INFO
#define TCP_CC_INFO 26
#endif
#define MEM_RMEM_ALLOC   0          /* SK_MEMINFO_* */
#define MEM_RCVBUF       1
#define MEM_SNDBUF       3
#define MEM_WMEM_QUEUED  5
#define MEM_VARS         9
#define MEM_BYTES        1000       /* what the client sends and the server leaves unread */
#define MEM_WAIT_TRIES   50         /* 10 ms apart: the bytes' arrival over the loopback */

/* fd's SO_MEMINFO into mem (MEM_VARS u32s): 0, or -1 (errno, or EMSGSIZE for another length). */
static int meminfo(int fd, uint32_t *mem)
{
	socklen_t len = MEM_VARS * sizeof(uint32_t);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		return -1;
	if (len != MEM_VARS * sizeof(uint32_t)) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* Wait until fd has want bytes to read (FIONREAD): 0, or -1. */
static int wait_readable_bytes(int fd, int want)
{
	int got = -1;

	for (int i = 0; i < MEM_WAIT_TRIES; i++) {
		if (ioctl(fd, FIONREAD, &got) || got == want)
			break;
		usleep(10000);
	}
	return got == want ? 0 : -1;
}

/* SO_MEMINFO's buffer sizes (socket(7)'s SO_RCVBUF and SO_SNDBUF) and its
 * receive count: the bytes received and unread are counted (Linux counts
 * the skbs holding them, at least as many), and none once read. */
static int meminfo_recv(int s)
{
	uint32_t mem[MEM_VARS];
	int rcv = -1, snd = -1;
	socklen_t vl = sizeof(rcv);
	char buf[MEM_BYTES];

	if (getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, &vl) || getsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, &vl))
		return fail("SO_RCVBUF/SO_SNDBUF: %s", strerror(errno));
	if (wait_readable_bytes(s, MEM_BYTES))
		return fail("%d bytes never arrived", MEM_BYTES);
	if (meminfo(s, mem))
		return fail("SO_MEMINFO: %s", strerror(errno));
	if (mem[MEM_RCVBUF] != (uint32_t)rcv || mem[MEM_SNDBUF] != (uint32_t)snd)
		return fail("SO_MEMINFO's rcvbuf %u sndbuf %u, SO_RCVBUF %d SO_SNDBUF %d", mem[MEM_RCVBUF],
			    mem[MEM_SNDBUF], rcv, snd);
	if (mem[MEM_RMEM_ALLOC] < MEM_BYTES)
		return fail("rmem_alloc %u with %d bytes unread", mem[MEM_RMEM_ALLOC], MEM_BYTES);
	uint32_t unread = mem[MEM_RMEM_ALLOC];
	if (read(s, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || meminfo(s, mem))
		return fail("read or SO_MEMINFO: %s", strerror(errno));
	if (mem[MEM_RMEM_ALLOC] != 0)
		return fail("rmem_alloc %u once everything is read", mem[MEM_RMEM_ALLOC]);
	remark("rmem_alloc %u for %d unread bytes", unread, MEM_BYTES);
	return 0;
}

/* TCP's send queue in SO_MEMINFO (sk_wmem_queued): behind a peer that
 * reads nothing, at least the bytes not yet acknowledged (SIOCOUTQ). */
static int meminfo_send(int c)
{
	static char chunk[4096];
	uint32_t mem[MEM_VARS];
	int outq = -1;

	while (send(c, chunk, sizeof(chunk), MSG_DONTWAIT) > 0)
		;
	if (errno != EAGAIN)
		return fail("send: %s", strerror(errno));
	if (ioctl(c, SIOCOUTQ, &outq) || meminfo(c, mem))
		return fail("SIOCOUTQ or SO_MEMINFO: %s", strerror(errno));
	if (outq <= 0 || mem[MEM_WMEM_QUEUED] < (uint32_t)outq)
		return fail("wmem_queued %u with %d bytes unacknowledged", mem[MEM_WMEM_QUEUED], outq);
	remark("wmem_queued %u for %d bytes unacknowledged", mem[MEM_WMEM_QUEUED], outq);
	return 0;
}

/*
 * SO_MEMINFO (socket(7) lists it under sock_diag(7)'s SKMEMINFO): nine
 * u32s, the buffers' sizes and what is queued each way; and TCP_CC_INFO
 * under reno, which keeps nothing of its own (Linux's copies 0 bytes).
 * packetdrill asks both before it runs a script's inline code.
 */
static int check_tcp_meminfo(void)
{
	int l, c, s, r = 0;
	char buf[MEM_BYTES], info[64];
	socklen_t il = sizeof(info);

	if (tcp_pair_rcvbuf(&l, &c, &s, 4096)) {
		close_all(l, c, s);
		return fail("connection: %s", strerror(errno));
	}
	memset(buf, 'm', sizeof(buf));
	if (setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4) ||
	    getsockopt(c, IPPROTO_TCP, TCP_CC_INFO, info, &il))
		r = fail("TCP_CONGESTION reno or TCP_CC_INFO: %s", strerror(errno));
	else if (il != 0)
		r = fail("TCP_CC_INFO under reno: %u bytes, want 0", (unsigned)il);
	if (!r && write(c, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		r = fail("write: %s", strerror(errno));
	if (!r)
		r = meminfo_recv(s);
	if (!r)
		r = meminfo_send(c);
	close_all(l, c, s);
	return r;
}

#define WMEM_PATH "/proc/sys/net/ipv4/tcp_wmem"
#define WMEM_NEW "4096 50000 4194304"   /* notsent-lowat-default's, packetdrill */
#define WMEM_NEW_DEFAULT 50000
#define SNDBUF_ASK 16384                /* SO_SNDBUF asked: Linux keeps twice it */
#define SNDBUF_WAIT_MS 2000             /* how long POLLOUT may take once the peer reads */

/* Write text to the existing file path (a sysctl): 0, or -1 with errno (a short write is EIO). */
static int put_sysctl(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), r = -1;

	if (fd < 0)
		return -1;
	ssize_t k = write(fd, text, strlen(text));
	if (k == (ssize_t)strlen(text))
		r = 0;
	else if (k >= 0)
		errno = EIO;
	close(fd);
	return r;
}

/* path's first line into buf (size n, its newline cut): 0, or -1. */
static int read_line(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t k = fd < 0 ? -1 : read(fd, buf, n - 1);

	if (fd >= 0)
		close(fd);
	if (k < 0)
		return -1;
	buf[k] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* A new TCP socket's SO_SNDBUF, or -1. */
static int new_sndbuf(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), v = -1;
	socklen_t vl = sizeof(v);

	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &vl))
		v = -1;
	if (fd >= 0)
		close(fd);
	return v;
}

/*
 * net.ipv4.tcp_wmem (tcp(7)): three values, each 1 to INT_MAX; what is
 * written reads back, tab-separated; the default is a new TCP socket's
 * send buffer (tcp_init_sock's sk_sndbuf); a 0 is EINVAL and changes
 * nothing. On Linux in a network namespace of its own (the value is
 * per namespace); Kestrel has none and gets its value back after.
 */
static int check_tcp_wmem_sysctl(void)
{
	char old[64], now[64];
	int own_ns = unshare(CLONE_NEWNET) == 0, r = 0, v;

	if (read_line(WMEM_PATH, old, sizeof(old)))
		return fail("read %s: %s", WMEM_PATH, strerror(errno));
	if (put_sysctl(WMEM_PATH, WMEM_NEW)) {
		if ((errno == EACCES || errno == EPERM) && geteuid() != 0)
			return skip("%s not writable without root (%s)", WMEM_PATH, strerror(errno));
		return fail("write %s: %s", WMEM_PATH, strerror(errno));
	}
	if (read_line(WMEM_PATH, now, sizeof(now)) || strcmp(now, "4096\t50000\t4194304"))
		r = fail("tcp_wmem reads \"%s\" after \"%s\"", now, WMEM_NEW);
	if (!r && (v = new_sndbuf()) != WMEM_NEW_DEFAULT)
		r = fail("a new TCP socket's SO_SNDBUF is %d, want tcp_wmem[1] %d", v, WMEM_NEW_DEFAULT);
	if (!r) {
		errno = 0;
		r = want_err("tcp_wmem \"0 50000 4194304\"", put_sysctl(WMEM_PATH, "0 50000 4194304"), EINVAL);
	}
	if (!r && (read_line(WMEM_PATH, now, sizeof(now)) || strcmp(now, "4096\t50000\t4194304")))
		r = fail("tcp_wmem reads \"%s\" after a refused write", now);
	if (!own_ns && put_sysctl(WMEM_PATH, old) && !r)
		r = fail("tcp_wmem back to \"%s\": %s", old, strerror(errno));
	if (!r)
		remark("%s", own_ns ? "in a network namespace of its own" : "restored");
	return r;
}

/* Bytes written on c and not yet acknowledged (SIOCOUTQ), or -1. */
static int outq_of(int c)
{
	int v = -1;

	return ioctl(c, SIOCOUTQ, &v) ? -1 : v;
}

/* Read what s has until the writer c polls writable or SNDBUF_WAIT_MS
 * pass: 1 once it does, 0 if not, -1 on an error. */
static int drain_until_writable(int s, int c)
{
	static char sink[65536];

	for (int ms = 0; ms < SNDBUF_WAIT_MS; ms += 10) {
		struct pollfd p = { c, POLLOUT, 0 };
		int k = poll(&p, 1, 10);

		if (k < 0)
			return -1;
		if (k == 1 && (p.revents & POLLOUT))
			return 1;
		if (recv(s, sink, sizeof(sink), MSG_DONTWAIT) < 0 && errno != EAGAIN)
			return -1;
	}
	return 0;
}

/*
 * The send buffer's limit (socket(7) SO_SNDBUF, tcp(7)): SO_SNDBUF reads
 * back twice what was asked, and nonblocking writes get EAGAIN once the
 * queue, counted as Linux counts it (its bytes and each skb's own
 * memory), reaches that: so fewer bytes than the buffer, yet more than
 * a third of it. The peer's window is small (it reads nothing), so
 * nearly all of it waits unsent. POLLOUT is off then, and comes back
 * once the peer reads.
 */
static int check_tcp_sndbuf_limit(void)
{
	int l, c, s, r = 0, v = -1, q;
	socklen_t vl = sizeof(v);
	long took = 0;

	if (tcp_pair_rcvbuf(&l, &c, &s, 4096)) {
		close_all(l, c, s);
		return fail("connection: %s", strerror(errno));
	}
	if (set_int(c, SOL_SOCKET, SO_SNDBUF, SNDBUF_ASK) || getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &vl) ||
	    v != 2 * SNDBUF_ASK)
		r = fail("SO_SNDBUF %d reads %d, want %d", SNDBUF_ASK, v, 2 * SNDBUF_ASK);
	if (!r && (took = write_until_eagain(c)) < 0)
		r = fail("write: %s", strerror(errno));
	q = r ? 0 : outq_of(c);
	if (!r && (q >= 2 * SNDBUF_ASK || q <= 2 * SNDBUF_ASK / 3))
		r = fail("%ld bytes taken, %d queued (SIOCOUTQ): want %d to %d", took, q, 2 * SNDBUF_ASK / 3 + 1,
			 2 * SNDBUF_ASK - 1);
	if (!r) {
		struct pollfd p = { c, POLLOUT, 0 };
		if (poll(&p, 1, 0) != 0)
			r = fail("poll with %d queued: revents %#x, want none", q, p.revents);
	}
	if (!r && drain_until_writable(s, c) != 1)
		r = fail("no POLLOUT within %d ms of the peer reading", SNDBUF_WAIT_MS);
	if (!r)
		remark("%ld bytes taken, %d queued", took, q);
	close_all(l, c, s);
	return r;
}

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#define SO_EE_ORIGIN_ZEROCOPY 5
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#define ZC_WAIT_MS 2000  /* how long a completion may take (Linux's waits for the ACK) */

/* SO_ZEROCOPY's answers: TCP and UDP take 0 and 1, read back; 2 is EINVAL; AF_UNIX's is EOPNOTSUPP. */
static int check_zerocopy_opt(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), x = socket(AF_UNIX, SOCK_STREAM, 0);
	int r = 0, v = -1;
	socklen_t vl = sizeof(v);

	if (t < 0 || u < 0 || x < 0)
		r = fail("sockets: %s", strerror(errno));
	if (!r && (getsockopt(t, SOL_SOCKET, SO_ZEROCOPY, &v, &vl) || v != 0))
		r = fail("SO_ZEROCOPY reads %d at first, want 0", v);
	if (!r) {
		errno = 0;
		r = want_ok("TCP SO_ZEROCOPY 1", set_int(t, SOL_SOCKET, SO_ZEROCOPY, 1)) ||
		    want_err("TCP SO_ZEROCOPY 2", set_int(t, SOL_SOCKET, SO_ZEROCOPY, 2), EINVAL) ||
		    want_ok("UDP SO_ZEROCOPY 1", set_int(u, SOL_SOCKET, SO_ZEROCOPY, 1)) ||
		    want_err("AF_UNIX SO_ZEROCOPY 1", set_int(x, SOL_SOCKET, SO_ZEROCOPY, 1), EOPNOTSUPP) ? CHECK_FAIL : 0;
	}
	if (!r && (getsockopt(t, SOL_SOCKET, SO_ZEROCOPY, &v, &vl) || v != 1))
		r = fail("SO_ZEROCOPY reads %d after 1", v);
	close(t);
	close(u);
	close(x);
	return r;
}

/*
 * One completion off fd's error queue, waiting up to ZC_WAIT_MS for
 * POLLERR: 1 with its range in *lo..*hi and code in *code, 0 if none
 * came, or CHECK_FAIL (c_why says why: a wrong form). v6: fd is an
 * AF_INET6 socket, whose control message is IPV6_RECVERR's.
 */
static int zc_take(int fd, int v6, uint32_t *lo, uint32_t *hi, int *code)
{
	char ctl[256], buf[8];
	struct pollfd p = { fd, 0, 0 };
	struct iovec v = { buf, sizeof(buf) };
	struct sockaddr_in6 name;
	struct msghdr m = { .msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };

	if (poll(&p, 1, ZC_WAIT_MS) != 1 || !(p.revents & POLLERR))
		return 0;
	ssize_t n = recvmsg(fd, &m, MSG_ERRQUEUE);
	if (n != 0)
		return fail("recvmsg MSG_ERRQUEUE: %zd (%s), want 0", n, n < 0 ? strerror(errno) : "bytes");
	struct sock_extended_err *ee = cmsg_find(ctl, m.msg_controllen, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
						 v6 ? IPV6_RECVERR : IP_RECVERR);
	if (!(m.msg_flags & MSG_ERRQUEUE) || m.msg_namelen != 0 || !ee)
		return fail("flags %#x namelen %u, %s", m.msg_flags, (unsigned)m.msg_namelen,
			    ee ? "RECVERR there" : "no RECVERR control message of the family");
	if (ee->ee_errno || ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_type ||
	    (ee->ee_code & ~SO_EE_CODE_ZEROCOPY_COPIED))
		return fail("errno %u origin %u type %u code %u", ee->ee_errno, ee->ee_origin, ee->ee_type, ee->ee_code);
	*lo = ee->ee_info;
	*hi = ee->ee_data;
	*code = ee->ee_code;
	return 1;
}

/* Completions on fd until the ids 0..last are covered, in order: 0, or CHECK_FAIL. */
static int zc_expect(int fd, int v6, uint32_t last, int *code)
{
	uint32_t next = 0, lo, hi;

	while (next <= last) {
		int got = zc_take(fd, v6, &lo, &hi, code);
		if (got < 0)
			return got;
		if (!got)
			return fail("no completion for id %u within %d ms", next, ZC_WAIT_MS);
		if (lo != next || hi < lo || hi > last)
			return fail("completion %u..%u, want from %u to at most %u", lo, hi, next, last);
		next = hi + 1;
	}
	return 0;
}

/*
 * MSG_ZEROCOPY on TCP (Linux's msg_zerocopy(7) and Documentation/
 * networking/msg_zerocopy.rst): each send that takes bytes gets the
 * next id, and its completion comes on the error queue (POLLERR,
 * recvmsg(MSG_ERRQUEUE): no bytes, no name, an IP_RECVERR control
 * message of origin SO_EE_ORIGIN_ZEROCOPY, ee_info..ee_data the ids);
 * a send of nothing takes no id; the bytes arrive; SO_ERROR stays 0.
 * Without SO_ZEROCOPY the flag is ignored: no completion.
 */
static int check_zerocopy_tcp(void)
{
	int l, c, s, r = 0, code = -1, err = -1;
	char buf[200], got[200];
	socklen_t el = sizeof(err);

	if (tcp_pair(&l, &c, &s)) {
		close_all(l, c, s);
		return fail("connection: %s", strerror(errno));
	}
	memset(buf, 'z', sizeof(buf));
	errno = 0;
	r = want_ok("SO_ZEROCOPY", set_int(c, SOL_SOCKET, SO_ZEROCOPY, 1)) ||
	    want_err("MSG_ERRQUEUE with none", recv(c, got, sizeof(got), MSG_ERRQUEUE), EAGAIN) ||
	    want_eq("send 100", send(c, buf, 100, MSG_ZEROCOPY), 100) ||
	    want_eq("send 0", send(c, buf, 0, MSG_ZEROCOPY), 0) ||
	    want_eq("send 50", send(c, buf, 50, MSG_ZEROCOPY), 50) ||
	    want_eq("recv 150", recv(s, got, 150, MSG_WAITALL), 150) ? CHECK_FAIL : 0;
	if (!r)
		r = zc_expect(c, 0, 1, &code);
	if (!r && (getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) || err))
		r = fail("SO_ERROR %d after the completions", err);
	if (!r) {
		errno = 0;
		r = want_err("MSG_ERRQUEUE emptied", recv(c, got, sizeof(got), MSG_ERRQUEUE), EAGAIN) ||
		    want_eq("send without SO_ZEROCOPY", send(s, buf, 10, MSG_ZEROCOPY), 10) ||
		    want_eq("its bytes", recv(c, got, 10, MSG_WAITALL), 10) ? CHECK_FAIL : 0;
	}
	if (!r) {
		struct pollfd p = { s, 0, 0 };
		if (poll(&p, 1, 200) != 0)
			r = fail("without SO_ZEROCOPY: revents %#x, want none", p.revents);
	}
	if (!r)
		remark("ee_code %d", code);
	close_all(l, c, s);
	return r;
}

/* The same on an AF_INET6 UDP socket to ::1: IPV6_RECVERR's control
 * message. 0, CHECK_FAIL, or CHECK_SKIP when the host has no ::1. */
static int zerocopy_udp6(int *code)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t tl = sizeof(to);
	int rx = socket(AF_INET6, SOCK_DGRAM, 0), u = socket(AF_INET6, SOCK_DGRAM, 0), r = 0;

	if (rx < 0 || u < 0 || bind(rx, (struct sockaddr *)&to, sizeof(to)) ||
	    getsockname(rx, (struct sockaddr *)&to, &tl))
		r = CHECK_SKIP;
	if (!r) {
		errno = 0;
		r = want_ok("IPv6 SO_ZEROCOPY", set_int(u, SOL_SOCKET, SO_ZEROCOPY, 1)) ||
		    want_eq("IPv6 sendto", sendto(u, "z", 1, MSG_ZEROCOPY, (struct sockaddr *)&to, sizeof(to)), 1)
			? CHECK_FAIL : 0;
	}
	if (!r)
		r = zc_expect(u, 1, 0, code);
	if (rx >= 0)
		close(rx);
	if (u >= 0)
		close(u);
	return r;
}

/* MSG_ZEROCOPY on UDP: each datagram sent takes an id; consecutive
 * completions not yet read come as one range; on AF_INET6 too. */
static int check_zerocopy_udp(void)
{
	struct sockaddr_in to;
	int rx = udp_bound(&to), u = socket(AF_INET, SOCK_DGRAM, 0), r = 0, code = -1, code6 = -1;
	char buf[64] = "zerocopy";

	if (rx < 0 || u < 0)
		r = fail("sockets: %s", strerror(errno));
	if (!r) {
		errno = 0;
		r = want_ok("SO_ZEROCOPY", set_int(u, SOL_SOCKET, SO_ZEROCOPY, 1)) ||
		    want_eq("sendto 1", sendto(u, buf, 8, MSG_ZEROCOPY, (struct sockaddr *)&to, sizeof(to)), 8) ||
		    want_eq("sendto 2", sendto(u, buf, 8, MSG_ZEROCOPY, (struct sockaddr *)&to, sizeof(to)), 8) ||
		    want_eq("sendto 3", sendto(u, buf, 8, MSG_ZEROCOPY, (struct sockaddr *)&to, sizeof(to)), 8)
			? CHECK_FAIL : 0;
	}
	if (!r)
		r = zc_expect(u, 0, 2, &code);
	int r6 = r ? 0 : zerocopy_udp6(&code6);
	if (r6 == CHECK_FAIL)
		r = CHECK_FAIL;
	if (!r)
		remark("ee_code %d; IPv6 %s %d", code, r6 == CHECK_SKIP ? "skipped, no ::1" : "ee_code", code6);
	if (rx >= 0)
		close(rx);
	if (u >= 0)
		close(u);
	return r;
}

static const struct check checks[] = {
	{ "ip-cmsgs", check_ip_cmsgs },
	{ "timestamp", check_timestamp },
	{ "siocgstamp", check_siocgstamp },
	{ "recverr", check_recverr },
	{ "udp-disconnect", check_udp_disconnect },
	{ "udp-unchosen", check_udp_unchosen },
	{ "send-cmsgs", check_send_cmsgs },
	{ "rcvbuf-empty", check_rcvbuf_empty },
	{ "rcvbufforce", check_rcvbufforce },
	{ "udp6-dualstack", check_udp6_dualstack },
	{ "socket-filter", check_socket_filter },
	{ "socketpair-errors", check_socketpair_errors },
	{ "scm-rights-ignored", check_scm_rights_ignored },
	{ "tcp-refused-port", check_tcp_refused_port },
	{ "tcp-inq", check_tcp_inq },
	{ "tcp-maxseg", check_tcp_maxseg },
	{ "tcp-shutdown-connecting", check_tcp_shutdown_connecting },
	{ "tcp-notsent-lowat", check_tcp_notsent_lowat },
	{ "tcp-meminfo", check_tcp_meminfo },
	{ "tcp-wmem-sysctl", check_tcp_wmem_sysctl },
	{ "tcp-sndbuf-limit", check_tcp_sndbuf_limit },
	{ "zerocopy-opt", check_zerocopy_opt },
	{ "zerocopy-tcp", check_zerocopy_tcp },
	{ "zerocopy-udp", check_zerocopy_udp },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_inet_msg", checks, NELEMS(checks), argc, argv);
}
