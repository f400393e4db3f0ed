// SPDX-License-Identifier: MIT
/*
 * Kestrel: ICMP for IPv4 (net/icmp.h). An echo request to this host is
 * answered with the same identifier, sequence and data (Linux's
 * icmp_echo_ignore_all 0, icmp_echo_ignore_broadcasts 1); an error from
 * the network (unreachable, time exceeded, parameter problem, source
 * quench, redirect) is handed to the err handler of the protocol its
 * inner header names; a timestamp request is answered, as Linux does.
 *
 * Lock rule: the rate limiter's bucket under its lock, the last echo
 * reply seen under reply_lock; the rest keeps no state.
 */
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/netdev.h"
#include "net/wire.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"
#include "uapi/in.h"

#define ICMP_RATE_PER_SEC   1000      /* net.ipv4.icmp_msgs_per_sec */
#define ICMP_RATE_BURST     50        /* net.ipv4.icmp_msgs_burst */
#define ICMP_ERR_QUOTE_MAX  548       /* an error carries at most 576 bytes in all (RFC 1812 4.3.2.3) */
#define NS_PER_SEC          1000000000ull
#define TIMESTAMP_LEN       12        /* originate, receive, transmit */
#define MS_PER_DAY          86400000ull

struct icmp_mib icmp_mib;
bool (*icmp_ping_hook)(const struct netbuf *nb, const struct ipv4_info *ip, const struct icmp_info *ic);

static struct spinlock reply_lock = SPINLOCK_INIT;
static struct icmp_echo_seen last_reply;   /* under reply_lock */
static struct icmp_bucket errors = ICMP_BUCKET(ICMP_RATE_PER_SEC, ICMP_RATE_BURST);

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- sending ------------------------------------------------------------------ */

/* Send the ICMP message in nb (data at the ICMP header, type/code/rest
 * to fill, payload after it) to dst from src. */
static void send_icmp(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
		      uint32_t rest, uint8_t tos)
{
	icmp_build(nb->data, type, code, rest, nb->len - ICMP_HDR_LEN);
	count(&icmp_mib.out_msgs);
	count(&icmp_mib.out_type[type]);
	struct ipv4_send s = { .src = src, .dst = dst, .proto = IPPROTO_ICMP, .tos = tos };
	if (ipv4_output(nb, &s))
		count(&icmp_mib.out_errors);
}

bool icmp_bucket_take(struct icmp_bucket *b)
{
	uint64_t now = time_ns();
	uint64_t fl = spin_lock_irqsave(&b->lock);
	uint64_t refill = (now - b->stamp) * b->per_sec / NS_PER_SEC;
	if (refill) {
		b->tokens = b->tokens + refill > b->burst ? b->burst : b->tokens + refill;
		b->stamp = now;
	}
	bool ok = b->tokens > 0;
	if (ok)
		b->tokens--;
	spin_unlock_irqrestore(&b->lock, fl);
	return ok;
}

/* May this packet get an error (RFC 1122 3.2.2)? */
static bool may_answer(const struct netbuf *orig, const struct ipv4_info *ip)
{
	if (ip->frag_off || (ip->src >> 28) == 0xe || ip->src == 0 || ipv4_is_broadcast(ip->src) ||
	    (ip->dst >> 28) == 0xe || ipv4_is_broadcast(ip->dst) || orig->pkt_type == NETBUF_BROADCAST ||
	    orig->pkt_type == NETBUF_MULTICAST)
		return false;
	if (ip->proto != IPPROTO_ICMP)
		return true;
	/* an ICMP error is never answered with one; queries are */
	const uint8_t *inner = orig->data + ip->hdr_len;
	if (ip->total_len < ip->hdr_len + 1u)
		return false;
	uint8_t t = inner[0];
	return t == ICMP_ECHO || t == ICMP_ECHOREPLY || t == ICMP_TIMESTAMP || t == ICMP_TIMESTAMPREPLY;
}

void icmp_send_error(const struct netbuf *orig, uint8_t type, uint8_t code, uint32_t info)
{
	struct ipv4_info ip;
	if (ipv4_parse(orig->data, orig->len, &ip) != WIRE_OK || !may_answer(orig, &ip))
		return;
	if (!icmp_bucket_take(&errors)) {
		count(&icmp_mib.out_rate_limit);
		return;
	}
	size_t quote = ip.total_len < ICMP_ERR_QUOTE_MAX ? ip.total_len : ICMP_ERR_QUOTE_MAX;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, ICMP_HDR_LEN + quote);
	if (!nb)
		return;
	uint8_t *p = netbuf_put(nb, ICMP_HDR_LEN + quote);
	memcpy(p + ICMP_HDR_LEN, orig->data, quote);
	/* from the address it was sent to when that is ours, else the route's */
	uint32_t src = ipv4_is_local(ip.dst) ? ip.dst : 0;
	send_icmp(nb, src, ip.src, type, code, info, (uint8_t)((ip.tos & 0x1c) | 0xc0));
}

/* ---- receiving ------------------------------------------------------------------- */

/* Answer an echo request: the same message back, type 0. */
static void echo(struct netbuf *nb, const struct ipv4_info *ip, const struct icmp_info *ic)
{
	if (nb->pkt_type != NETBUF_HOST || ipv4_is_broadcast(ip->dst) || (ip->dst >> 28) == 0xe) {
		netbuf_free(nb); /* icmp_echo_ignore_broadcasts */
		return;
	}
	struct netbuf *r = netbuf_alloc(NETBUF_HEADROOM, nb->len);
	if (r) {
		memcpy(netbuf_put(r, nb->len), nb->data, nb->len);
		send_icmp(r, ip->dst, ip->src, ICMP_ECHOREPLY, 0, ic->rest, ip->tos);
	}
	netbuf_free(nb);
}

/* Answer a timestamp request with milliseconds since midnight UT. */
static void timestamp(struct netbuf *nb, const struct ipv4_info *ip, const struct icmp_info *ic)
{
	if (nb->len < ICMP_HDR_LEN + TIMESTAMP_LEN || nb->pkt_type != NETBUF_HOST) {
		netbuf_free(nb);
		return;
	}
	struct netbuf *r = netbuf_alloc(NETBUF_HEADROOM, ICMP_HDR_LEN + TIMESTAMP_LEN);
	if (r) {
		uint8_t *p = netbuf_put(r, ICMP_HDR_LEN + TIMESTAMP_LEN);
		uint32_t ms = (uint32_t)((time_realtime_ns() / 1000000ull) % MS_PER_DAY);
		memcpy(p + ICMP_HDR_LEN, nb->data + ICMP_HDR_LEN, 4);
		put_be32(p + ICMP_HDR_LEN + 4, ms);
		put_be32(p + ICMP_HDR_LEN + 8, ms);
		send_icmp(r, ip->dst, ip->src, ICMP_TIMESTAMPREPLY, 0, ic->rest, ip->tos);
	}
	netbuf_free(nb);
}

/* Remember the last echo reply (the self-tests' view of a ping). */
static void note_reply(const struct ipv4_info *ip, const struct icmp_info *ic, uint32_t len)
{
	uint64_t fl = spin_lock_irqsave(&reply_lock);
	last_reply = (struct icmp_echo_seen){ ip->src, ic->id, ic->seq, len, last_reply.count + 1 };
	spin_unlock_irqrestore(&reply_lock, fl);
}

struct icmp_echo_seen icmp_last_echo_reply(void)
{
	uint64_t fl = spin_lock_irqsave(&reply_lock);
	struct icmp_echo_seen r = last_reply;
	spin_unlock_irqrestore(&reply_lock, fl);
	return r;
}

static void icmp_input(struct netbuf *nb, const struct ipv4_info *ip)
{
	struct icmp_info ic;
	enum wire_err err = icmp_parse(nb->data, nb->len, &ic);

	count(&icmp_mib.in_msgs);
	if (err != WIRE_OK) {
		count(&icmp_mib.in_errors);
		if (err == WIRE_BAD_CSUM)
			count(&icmp_mib.in_csum_errors);
		netbuf_free(nb);
		return;
	}
	count(&icmp_mib.in_type[ic.type]);
	if (ic.type == ICMP_ECHO)
		return echo(nb, ip, &ic);
	if (ic.type == ICMP_TIMESTAMP)
		return timestamp(nb, ip, &ic);
	if (ic.type == ICMP_ECHOREPLY) {
		note_reply(ip, &ic, nb->len);
		if (icmp_ping_hook)
			icmp_ping_hook(nb, ip, &ic);
	}
	if (ic.has_inner)
		ipv4_deliver_error(&ic, ip->src);
	netbuf_free(nb);
}

/* Destination unreachable's codes as errnos, and which are hard errors
 * (Linux's icmp_err_convert[]). */
static const struct {
	uint8_t err;
	bool hard;
} unreach_err[] = {
	{ ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true }, { ECONNREFUSED, true },
	{ EMSGSIZE, false }, { EOPNOTSUPP, false }, { ENETUNREACH, true }, { EHOSTDOWN, true },
	{ ENONET, true }, { ENETUNREACH, true }, { EHOSTUNREACH, true }, { ENETUNREACH, false },
	{ EHOSTUNREACH, false }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
};

bool icmp_err_convert(const struct icmp_info *ic, int *err, bool *hard)
{
	switch (ic->type) {
	case ICMP_TIME_EXCEEDED:
		*err = EHOSTUNREACH, *hard = false;
		return true;
	case ICMP_PARAMETERPROB:
		*err = EPROTO, *hard = true;
		return true;
	case ICMP_DEST_UNREACH:
		if (ic->code >= sizeof(unreach_err) / sizeof(unreach_err[0]))
			return false;
		*err = unreach_err[ic->code].err, *hard = unreach_err[ic->code].hard;
		return true;
	default:
		return false; /* source quench, redirect: nothing to tell a socket */
	}
}

static const struct ipv4_protocol icmp_protocol = { .input = icmp_input };

void icmp_init(void)
{
	ipv4_register_protocol(IPPROTO_ICMP, &icmp_protocol);
}
