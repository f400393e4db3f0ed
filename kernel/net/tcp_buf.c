// SPDX-License-Identifier: MIT
/*
 * Kestrel: the TCP engine's byte rings. The send ring holds the bytes
 * from snd_una on (unacked, then unsent). The receive ring holds the
 * bytes from copied_seq on: first the in-order ones up to rcv_nxt, then,
 * at their own offsets, islands of out-of-order data. The advertised
 * window never reaches past the ring's end, so an out-of-order segment
 * has its place already and is never dropped for lack of memory; what
 * bounds the memory is the ring, and what bounds the bookkeeping is
 * TCP_OFO_MAX islands (Linux prunes its out-of-order queue under memory
 * pressure; here only a segment that would make one island too many is dropped,
 * counted in ofo_dropped (Linux's TCPOFODrop), and the sender's
 * retransmission brings it back). An island once kept is never dropped
 * before it joins the stream: what the SACK blocks reported stays (no
 * reneging), but for data past a FIN, which Linux drops too.
 * Each island remembers when a segment last joined it (the SACK blocks
 * go most recent first, RFC 2018 4), and a segment that brings data
 * already held is reported in a D-SACK block (RFC 2883).
 */
#include "net/tcp_priv.h"

#include "lib/string.h"

uint32_t ring_free(const struct tcp_ring *r)
{
	return r->size - r->len;
}

/* The buffer position of offset off from the head. */
static uint32_t ring_pos(const struct tcp_ring *r, uint32_t off)
{
	uint32_t pos = r->head + off;

	return pos >= r->size ? pos - r->size : pos;
}

void ring_write_at(struct tcp_ring *r, uint32_t off, const uint8_t *src, uint32_t n)
{
	uint32_t pos = ring_pos(r, off);
	uint32_t first = r->size - pos < n ? r->size - pos : n;

	if (!n)
		return;
	memcpy(r->buf + pos, src, first);
	memcpy(r->buf, src + first, n - first);
}

void ring_read(const struct tcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n)
{
	uint32_t pos = ring_pos(r, off);
	uint32_t first = r->size - pos < n ? r->size - pos : n;

	if (!n)
		return;
	memcpy(dst, r->buf + pos, first);
	memcpy(dst + first, r->buf, n - first);
}

void ring_move(struct tcp_ring *r, uint8_t *buf, uint32_t size, uint32_t live)
{
	ring_read(r, 0, buf, live);
	r->buf = buf;
	r->size = size;
	r->head = 0;
}

void ring_drop(struct tcp_ring *r, uint32_t n)
{
	r->head = ring_pos(r, n);
	r->len -= n;
}

void ring_span(const struct tcp_ring *r, uint32_t off, uint32_t n, struct tcp_span *s)
{
	uint32_t pos = ring_pos(r, off);
	uint32_t first = r->size - pos < n ? r->size - pos : n;

	s->p[0] = r->buf + pos;
	s->len[0] = first;
	s->p[1] = r->buf;
	s->len[1] = n - first;
}

uint32_t tcp_rcv_limit(const struct tcp_conn *c)
{
	return c->copied_seq + c->rcv.size;
}

uint32_t tcp_rcv_queued(const struct tcp_conn *c)
{
	return c->rcv.len;
}

/* Islands that now touch rcv_nxt join the in-order data. */
static void ofo_merge_front(struct tcp_conn *c)
{
	while (c->n_ofo && seq_le(c->ofo[0].start, c->rcv_nxt)) {
		if (seq_gt(c->ofo[0].end, c->rcv_nxt)) {
			c->rcv.len += c->ofo[0].end - c->rcv_nxt;
			c->rcv_nxt = c->ofo[0].end;
		}
		c->n_ofo--;
		memmove(&c->ofo[0], &c->ofo[1], c->n_ofo * sizeof(c->ofo[0]));
	}
}

/*
 * Add the island [s, e) (both after rcv_nxt, within the ring), merging it
 * with every island it overlaps or touches. False when that would need
 * more than TCP_OFO_MAX islands (nothing changes then). Offsets from
 * rcv_nxt order everything, since all of it lies within one ring.
 */
static bool ofo_insert(struct tcp_conn *c, uint32_t s, uint32_t e)
{
	uint32_t a = s - c->rcv_nxt, b = e - c->rcv_nxt;
	typeof(c->ofo[0]) out[TCP_OFO_MAX + 1];
	unsigned n = 0, i = 0;

	for (; i < c->n_ofo && c->ofo[i].end - c->rcv_nxt < a; i++)
		out[n++] = c->ofo[i];
	for (; i < c->n_ofo && c->ofo[i].start - c->rcv_nxt <= b; i++) {
		if (c->ofo[i].start - c->rcv_nxt < a)
			a = c->ofo[i].start - c->rcv_nxt;
		if (c->ofo[i].end - c->rcv_nxt > b)
			b = c->ofo[i].end - c->rcv_nxt;
	}
	if (n == TCP_OFO_MAX)
		return false;
	out[n].start = c->rcv_nxt + a;
	out[n].end = c->rcv_nxt + b;
	out[n++].recent = c->ofo_stamp + 1;
	for (; i < c->n_ofo; i++) {
		if (n == TCP_OFO_MAX)
			return false;
		out[n++] = c->ofo[i];
	}
	memcpy(c->ofo, out, n * sizeof(out[0]));
	c->n_ofo = (uint8_t)n;
	c->ofo_stamp++;
	return true;
}

void tcp_dsack_set(struct tcp_conn *c, uint32_t s, uint32_t e)
{
	if (!c->sack_ok || !seq_lt(s, e))
		return;
	c->dsack = true;
	c->dsack_start = s;
	c->dsack_end = e;
	if (seq_lt(s, c->rcv_nxt))
		c->stats.dsack_old_sent++;
	else
		c->stats.dsack_ofo_sent++;
}

/* Out-of-order data [s, e) that overlaps an island: the first overlap
 * becomes the D-SACK block (Linux's tcp_data_queue_ofo: tcp_dsack_set
 * for the covered part). */
static void ofo_dup_check(struct tcp_conn *c, uint32_t s, uint32_t e)
{
	for (unsigned i = 0; i < c->n_ofo; i++) {
		uint32_t os = seq_max(s, c->ofo[i].start), oe = seq_min(e, c->ofo[i].end);

		if (seq_lt(os, oe)) {
			c->stats.ofo_merge++;
			tcp_dsack_set(c, os, oe);
			return;
		}
	}
}

bool tcp_rcv_store(struct tcp_conn *c, uint32_t seq, const uint8_t *p, uint32_t len)
{
	if (!len || !c->rcv.buf)
		return false; /* no ring: an orphan's, released (tcp_rcv_release) */
	if (seq != c->rcv_nxt) {
		ofo_dup_check(c, seq, seq + len);
		if (!ofo_insert(c, seq, seq + len)) {
			c->stats.ofo_dropped++;
			return false;
		}
		ring_write_at(&c->rcv, seq - c->copied_seq, p, len);
		c->stats.ofo_queued++;
		return false;
	}
	ring_write_at(&c->rcv, seq - c->copied_seq, p, len);
	c->rcv.len += len;
	c->rcv_nxt += len;
	ofo_merge_front(c);
	return true;
}
