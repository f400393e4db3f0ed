// SPDX-License-Identifier: MIT
/*
 * Kestrel: the IPPROTO_IPV6 options of an AF_INET6 socket that are more
 * than an int kept and read back (those are net/inet.c's), as Linux 6.1's
 * net/ipv6/ipv6_sockglue.c has them:
 *   - IPV6_ADDRFORM: a TCP or UDP socket connected to a v4-mapped address
 *     (its traffic already IPv4's) becomes an AF_INET socket: its names
 *     sockaddr_in, SO_DOMAIN AF_INET, its connection in /proc/net/tcp;
 *   - IPV6_RTHDR: a routing header (type 2, or type 4: segment routing),
 *     validated as Linux validates it and kept; a socket's packets do not
 *     carry it yet;
 *   - IPV6_RECVRTHDR and IPV6_2292RTHDR: flags, kept and read back;
 *   - IPV6_MTU's set (its get is the path's MTU, inet.c's): the most
 *     bytes of the socket's IPv6 datagrams, Linux's frag_size.
 *
 * Lock rule: every setsockopt and getsockopt runs under the kernel lock
 * (sys/syscall.c), as do a socket's release and the segments and timers
 * that change a TCP connection's state (net/tcp_sock.c), so a check here
 * still holds when its change is made. The fields are read by those
 * calls alone, but two: a socket's family, which calls off the kernel
 * lock (TCP's sends and receives, naming the peer) read whole, once
 * each, and a connection's own copy, which /proc/net reads under
 * tcp_sock.c's table_lock and tcp_sock_set_ipv4 changes under it.
 */
#include "net/inet_sock.h"
#include "net/tcp_sock.h"

#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "uapi/in.h"
#include "uapi/socket.h"

/* ---- IPV6_ADDRFORM ---------------------------------------------------------------- */

static bool is_udp(const struct unix_sock *s)
{
	return s->type == SOCK_DGRAM && (s->protocol == IPPROTO_UDP || s->protocol == IPPROTO_UDPLITE);
}

static bool is_tcp(const struct unix_sock *s)
{
	return s->type == SOCK_STREAM && s->protocol == IPPROTO_TCP;
}

/* Linux's sk_state == TCP_ESTABLISHED: a UDP socket connected, a TCP
 * connection past its handshake and not yet closing. */
static bool established(struct unix_sock *s)
{
	return is_udp(s) ? s->in.has_peer : tcp_sock_established(s);
}

/* May s become AF_INET? Linux's tests in Linux's order: 0, -ENOPROTOOPT
 * (raw, or neither TCP nor UDP/UDP-Lite), -EBUSY (a corked IPv6
 * datagram), -ENOTCONN (not established), -EADDRNOTAVAIL (IPV6_V6ONLY,
 * or a peer that is no v4-mapped address). */
static int addrform_check(struct unix_sock *s)
{
	if (s->type == SOCK_RAW || (!is_udp(s) && !is_tcp(s)))
		return -ENOPROTOOPT;
	if (is_udp(s) && inet_udp_pending_v6(s))
		return -EBUSY;
	if (!established(s))
		return -ENOTCONN;
	if (s->in.v6only || s->in.peer.kind != INET_V4)
		return -EADDRNOTAVAIL;
	return 0;
}

/* s becomes an AF_INET socket, as Linux's switch to tcp_prot or udp_prot:
 * a name on :: becomes 0.0.0.0 (the same port), the IPv6 options go
 * (Linux frees np->opt), the connection counts as IPv4's. Nothing fails. */
static void addrform_commit(struct unix_sock *s)
{
	if (s->in.name.kind == INET_V6_ANY)
		s->in.name = (struct inet_name){ .addr = INADDR_ANY, .port = s->in.name.port, .kind = INET_V4 };
	inet6_opts_release(s);
	if (is_tcp(s))
		tcp_sock_set_ipv4(s);
	__atomic_store_n(&s->family, AF_INET, __ATOMIC_RELEASE);
	inet_name_sync(s);
}

/* setsockopt(IPV6_ADDRFORM, v): only AF_INET is a form to take (-EINVAL,
 * as a value shorter than an int); else addrform_check's errors. */
static int addrform_set(struct unix_sock *s, int v, size_t len)
{
	if (len < sizeof(v) || v != AF_INET)
		return -EINVAL;
	int err = addrform_check(s);
	if (!err)
		addrform_commit(s);
	return err;
}

/* ---- IPV6_RTHDR -------------------------------------------------------------------- */

/* Linux's seg6_validate_srh (not reduced) of segment routing header h,
 * len bytes as set: its own length len, segments_left at most
 * first_segment, the segments within the header, and the TLVs after
 * them ending exactly at its end. */
static bool srh_valid(const uint8_t *h, size_t len)
{
	struct ipv6_sr_hdr srh;

	if (len < sizeof(srh))
		return false;
	memcpy(&srh, h, sizeof(srh));
	if (((size_t)srh.hdrlen + 1) * IPV6_OPT_HDR_UNIT != len || srh.segments_left > srh.first_segment)
		return false;
	if ((int)srh.first_segment > srh.hdrlen / 2 - 1)
		return false; /* the last segment past the header */
	size_t off = sizeof(srh) + (((size_t)srh.first_segment + 1) << IPV6_SR_SEGMENT_SHIFT);
	while (off < len) {
		if (len - off < sizeof(struct sr6_tlv))
			return false;
		off += sizeof(struct sr6_tlv) + h[off + offsetof(struct sr6_tlv, len)];
	}
	return off == len;
}

/* Linux's ipv6_set_opt_hdr on routing header h (keep bytes, its own
 * length; len as set): type 2 holds one address with one segment left,
 * type 4 is srh_valid; no other type is taken. */
static bool rthdr_valid(const uint8_t *h, size_t keep, size_t len)
{
	struct ipv6_rt_hdr rt;

	if (keep < sizeof(rt))
		return false;
	memcpy(&rt, h, sizeof(rt));
	if (rt.type == IPV6_SRCRT_TYPE_2)
		return rt.hdrlen == 2 && rt.segments_left == 1;
	return rt.type == IPV6_SRCRT_TYPE_4 && srh_valid(h, len);
}

/* setsockopt(IPV6_RTHDR): len 0 removes the header; else len a multiple
 * of 8 from 8 to IPV6_OPT_HDR_MAX, holding the header's own length, which
 * is kept. A bad header leaves the one set before. 0, -EINVAL, -ENOMEM. */
static int rthdr_set(struct unix_sock *s, const uint8_t *val, size_t len)
{
	struct ipv6_opt_hdr h;
	uint8_t *copy = NULL;
	size_t keep = 0;

	if (len) {
		if (len < sizeof(h) || len % IPV6_OPT_HDR_UNIT || len > IPV6_OPT_HDR_MAX)
			return -EINVAL;
		memcpy(&h, val, sizeof(h));
		keep = ((size_t)h.hdrlen + 1) * IPV6_OPT_HDR_UNIT;
		if (keep > len || !rthdr_valid(val, keep, len))
			return -EINVAL;
		if (!(copy = kmalloc(keep)))
			return -ENOMEM;
		memcpy(copy, val, keep);
	}
	kfree(s->in.rthdr);
	s->in.rthdr = copy;
	s->in.rthdr_len = (uint16_t)keep;
	return 0;
}

/* ---- the entry points ------------------------------------------------------------ */

bool inet6_opt_known(int name, bool set)
{
	return name == IPV6_ADDRFORM || name == IPV6_RTHDR || name == IPV6_RECVRTHDR ||
	       name == IPV6_2292RTHDR || (set && name == IPV6_MTU);
}

int inet6_setsockopt(struct unix_sock *s, int name, const void *val, size_t len)
{
	int v = 0;

	if (len >= sizeof(v))
		memcpy(&v, val, sizeof(v));
	switch (name) {
	case IPV6_ADDRFORM:
		return addrform_set(s, v, len);
	case IPV6_RTHDR:
		return rthdr_set(s, val, len);
	case IPV6_RECVRTHDR:
	case IPV6_2292RTHDR:
		if (len < sizeof(v))
			return -EINVAL;
		*(name == IPV6_RECVRTHDR ? &s->in.recv_rthdr : &s->in.recv_rthdr2292) = v != 0;
		return 0;
	case IPV6_MTU: /* 0: none; else at least the least MTU IPv6 has */
		if (len < sizeof(v) || (v && v < IPV6_MIN_MTU))
			return -EINVAL;
		s->in.frag_size = (uint32_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int inet6_getsockopt(struct unix_sock *s, int name, void *val, size_t *len)
{
	int v;

	switch (name) {
	case IPV6_RTHDR: { /* the header set, cut to the room (none: 0 bytes) */
		size_t n = s->in.rthdr_len < *len ? s->in.rthdr_len : *len;
		if (n)
			memcpy(val, s->in.rthdr, n);
		*len = n;
		return 0;
	}
	case IPV6_ADDRFORM: /* the family, of an established TCP or UDP socket */
		if (!is_udp(s) && !is_tcp(s))
			return -ENOPROTOOPT;
		if (!established(s))
			return -ENOTCONN;
		v = s->family;
		break;
	case IPV6_RECVRTHDR: v = s->in.recv_rthdr; break;
	case IPV6_2292RTHDR: v = s->in.recv_rthdr2292; break;
	default:             return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

void inet6_opts_release(struct unix_sock *s)
{
	kfree(s->in.rthdr);
	s->in.rthdr = NULL;
	s->in.rthdr_len = 0;
}
