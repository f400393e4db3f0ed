// SPDX-License-Identifier: MIT
/*
 * Kestrel: what the TCP engine sends. Every segment goes out through
 * emit(), which fills the header fields (the ACK, the window the
 * receive ring allows, the options, the urgent pointer) and hands them
 * with a view of the send ring to ops->output. tcp_output() sends what
 * the peer's window, the congestion window and Nagle allow, as Linux's
 * tcp_write_xmit does: whole segments that fit the window, the FIN on the
 * last one.
 */
#include "net/tcp_priv.h"

uint32_t tcp_ts_now(const struct tcp_conn *c, uint64_t now)
{
	return (uint32_t)(now / TCP_NS_PER_MS) + c->ts_offset;
}

uint32_t tcp_fin_seq(const struct tcp_conn *c)
{
	return c->snd_ring_seq + c->snd.len;
}

uint32_t tcp_unsent(const struct tcp_conn *c)
{
	uint32_t off = c->snd_nxt - c->snd_ring_seq;

	return off <= c->snd.len ? c->snd.len - off : 0;
}

bool tcp_has_unsent(const struct tcp_conn *c)
{
	uint32_t off = c->snd_nxt - c->snd_ring_seq;

	return off <= c->snd.len && (off < c->snd.len || c->fin_queued);
}

/* ---- the receive window ------------------------------------------------ */

uint32_t tcp_rcv_wnd_now(const struct tcp_conn *c)
{
	return seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
}

/*
 * The window the receive ring allows from rcv_nxt: its room up to the
 * ring's end, rounded down to the scale, 0 when that is less than a
 * segment and less than half the ring (receiver SWS avoidance, Linux's
 * __tcp_select_window).
 */
uint32_t tcp_new_window(const struct tcp_conn *c)
{
	uint32_t space = tcp_rcv_limit(c) - c->rcv_nxt;
	uint32_t cap = TCP_WIN_MAX << c->rcv_wscale;

	if (space < c->rcv.size / 2 && space < c->rcv_mss)
		return 0;
	if (space > cap)
		space = cap;
	return space >> c->rcv_wscale << c->rcv_wscale;
}

/*
 * The window field of a segment sent now, and the edge it advertises
 * (rcv_adv). The edge never moves left (RFC 9293 3.8.6): a smaller
 * window is rounded up to keep it, as Linux's tcp_select_window does.
 * A SYN's window is not scaled (RFC 7323 2.2). While out-of-order data
 * waits for a hole at rcv_nxt and nothing new was acked since the last
 * window, the edge does not move right either, unless SACK is on: those
 * ACKs are duplicates, and a sender without SACK (Linux's Reno mode,
 * tcp_ack's FLAG_WIN_UPDATE) does not count one that changes the window;
 * a SACK sender reads the blocks, and a still edge would only hold it
 * back for the hole's round trip. A window under a segment still opens,
 * so the hole's retransmission fits.
 */
static uint16_t select_window(struct tcp_conn *c, bool syn)
{
	uint32_t win = tcp_new_window(c), cur = tcp_rcv_wnd_now(c);
	uint8_t scale = syn ? 0 : c->rcv_wscale;
	uint32_t field;

	if (!syn && !c->sack_ok && c->n_ofo && c->rcv_nxt == c->rcv_wup && win > cur &&
	    cur >= c->rcv_mss)
		win = cur;
	if (win < cur)
		win = cur + ((1u << scale) - 1);
	field = win >> scale;
	if (field > TCP_WIN_MAX)
		field = TCP_WIN_MAX;
	c->rcv_adv = c->rcv_nxt + (field << scale);
	c->rcv_wup = c->rcv_nxt;
	return (uint16_t)field;
}

/* ---- building segments ------------------------------------------------------ */

/* A SYN's options: all we offer (SYN), or those the peer offered too (SYN-ACK). */
static void syn_options(const struct tcp_conn *c, bool synack, struct tcp_opts *o)
{
	o->has_mss = true;
	o->mss = c->advmss;
	o->has_wscale = synack ? c->ws_ok : c->offer_ws;
	o->wscale = c->rcv_wscale;
	o->sack_ok = synack ? c->sack_ok : c->offer_sack;
	o->has_ts = synack ? c->ts_ok : c->offer_ts;
}

/* How many SACK blocks fit beside the timestamps (3) or without them (4). */
static unsigned sack_room(const struct tcp_conn *c)
{
	return c->ts_ok ? TCP_SACK_MAX - 1 : TCP_SACK_MAX;
}

/* The blocks the next ACK carries: the D-SACK block, then the islands. */
static unsigned sack_blocks_due(const struct tcp_conn *c)
{
	unsigned n = c->n_ofo + c->dsack;

	if (!c->sack_ok)
		return 0;
	return n < sack_room(c) ? n : sack_room(c);
}

uint32_t tcp_sack_opt_bytes(const struct tcp_conn *c)
{
	unsigned n = sack_blocks_due(c);

	return n ? TCP_SACK_OPT_HEAD + n * TCP_SACK_OPT_BLOCK : 0;
}

uint32_t tcp_cur_mss(const struct tcp_conn *c)
{
	return c->snd_mss - tcp_sack_opt_bytes(c);
}

/* The island not yet taken (*taken, a bit per island) whose data came last. */
static int most_recent_island(const struct tcp_conn *c, uint64_t taken)
{
	int best = -1;

	for (unsigned i = 0; i < c->n_ofo; i++)
		if (!(taken & (1ull << i)) &&
		    (best < 0 || (int32_t)(c->ofo[i].recent - c->ofo[best].recent) > 0))
			best = (int)i;
	return best;
}

/*
 * The SACK option of an ACK (RFC 2018 4, Linux's tcp_sack_new_ofo_skb
 * order): a D-SACK block first (RFC 2883), reported once; then the
 * island that took the latest segment, then the others most recent
 * first, as many as the option space holds.
 */
static void sack_options(struct tcp_conn *c, struct tcp_opts *o)
{
	unsigned max = sack_blocks_due(c), n = 0;
	uint64_t taken = 0;
	_Static_assert(TCP_OFO_MAX <= 64, "a bit of taken per island");

	if (c->dsack && n < max) {
		o->sack[n].left = c->dsack_start;
		o->sack[n++].right = c->dsack_end;
	}
	c->dsack = false;
	while (n < max) {
		int i = most_recent_island(c, taken);

		if (i < 0)
			break;
		taken |= 1ull << i;
		o->sack[n].left = c->ofo[i].start;
		o->sack[n++].right = c->ofo[i].end;
	}
	o->nsack = (uint8_t)n;
}

/* Linux's tcp_options_write: the urgent pointer while seq is before snd_up. */
static void set_urgent(const struct tcp_conn *c, struct tcp_seg *s)
{
	uint32_t d;

	if (!c->urg_send || !seq_lt(s->seq, c->snd_up))
		return;
	d = c->snd_up - s->seq;
	s->flags |= TCP_URG;
	s->urg_ptr = d <= 0xffff ? (uint16_t)d : 0xffff;
}

/* Bookkeeping of any segment carrying an ACK: the delayed ACK is sent. */
static void ack_sent(struct tcp_conn *c, uint64_t now)
{
	c->ack_pending = false;
	c->t_delack = TCP_NO_DEADLINE;
	if (c->quick)
		c->quick--;
	c->last_ack_sent = now;
}

/*
 * Send one segment: seq, flags, and len bytes of the send ring from
 * offset off (the caller checked they are there).
 */
static void emit(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t len,
		 uint64_t now)
{
	struct tcp_seg s = { .sport = c->sport, .dport = c->dport, .seq = seq, .flags = flags };
	struct tcp_span span = { { 0, 0 }, { 0, 0 } };
	bool syn = flags & TCP_SYN;

	if (flags & TCP_ACK)
		s.ack = c->rcv_nxt;
	s.window = select_window(c, syn);
	if (syn)
		syn_options(c, flags & TCP_ACK, &s.opts);
	if (syn ? s.opts.has_ts : c->ts_ok) {
		s.opts.has_ts = true;
		s.opts.ts_val = tcp_ts_now(c, now);
		s.opts.ts_ecr = (flags & TCP_ACK) ? c->ts_recent : 0;
	}
	if (!syn && (flags & TCP_ACK) && !(flags & TCP_RST))
		sack_options(c, &s.opts);
	set_urgent(c, &s);
	if (len)
		ring_span(&c->snd, off, len, &span);
	s.payload_len = len;
	if (flags & TCP_ACK)
		ack_sent(c, now);
	if (len)
		c->last_data_sent = now;
	c->stats.segs_out++;
	c->ops->output(c, &s, &span);
}

/* A sequence number for a segment that carries no data: snd_max, or the
 * window's end if that is before it (Linux's tcp_acceptable_seq). */
static uint32_t acceptable_seq(const struct tcp_conn *c)
{
	uint32_t wnd_end = c->snd_una + c->snd_wnd;

	return seq_le(c->snd_max, wnd_end) ? c->snd_max : wnd_end;
}

void tcp_send_ack(struct tcp_conn *c, uint64_t now)
{
	emit(c, acceptable_seq(c), TCP_ACK, 0, 0, now);
}

void tcp_send_rst(struct tcp_conn *c, uint32_t seq, bool with_ack, uint64_t now)
{
	emit(c, seq, TCP_RST | (with_ack ? TCP_ACK : 0), 0, 0, now);
}

/* SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), first or again. */
void tcp_send_syn(struct tcp_conn *c, uint64_t now)
{
	uint8_t flags = TCP_SYN | (c->state == TCPS_SYN_RECV ? TCP_ACK : 0);

	emit(c, c->iss, flags, 0, 0, now);
	if (c->t_rexmit == TCP_NO_DEADLINE)
		tcp_rexmit_arm(c, now);
}

/*
 * Send n bytes of data at seq (and the FIN after them if fin), with PSH
 * if psh (tcp_push.c says where): a retransmission when seq is before
 * snd_max (Karn: no RTT timing then), else new data, timed when nothing
 * else is.
 */
static void send_data(struct tcp_conn *c, uint32_t seq, uint32_t n, bool fin, bool psh, uint64_t now)
{
	uint8_t flags = TCP_ACK;

	if (fin)
		flags |= TCP_FIN;
	if (n && psh)
		flags |= TCP_PSH;
	if (seq_lt(seq, c->snd_max)) {
		c->stats.retrans_segs++;
		c->total_retrans++;
		c->rtt_timing = false;
		tcp_sack_retransmitted(c);
		tcp_sack_rxlog(c, seq, n + fin, now);
		tcp_undo_stamp(c, now);
	} else {
		tcp_sack_sent(c, seq, n + fin, now);
		if (!c->rtt_timing) {
			c->rtt_timing = true;
			c->rtt_seq = seq;
			c->rtt_start = now;
		}
	}
	tcp_sack_prr_sent(c, n + fin);
	if (n < tcp_cur_mss(c))
		c->snd_sml = seq + n;
	/* a reply to what came in: Linux's tcp_event_data_sent, whose ato is 0
	 * (no pingpong) until the first data (last_data_recv starts at the
	 * handshake's end, as Linux's lrcvtime) */
	if (n && c->quick_init && now - c->last_data_recv < TCP_DELACK_NS)
		c->pingpong = true;
	if (n)
		c->lsndtime = now;
	if (fin)
		c->fin_sent = true;
	emit(c, seq, flags, seq - c->snd_ring_seq, n, now);
	c->t_persist = TCP_NO_DEADLINE;
	if (c->t_rexmit == TCP_NO_DEADLINE)
		tcp_rexmit_arm(c, now);
}

/* Move snd_nxt (and snd_max) past what was just sent. */
static void advance_nxt(struct tcp_conn *c, uint32_t len)
{
	c->snd_nxt += len;
	if (seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
}

static bool can_send_data(const struct tcp_conn *c);
static void send_in_window(struct tcp_conn *c, bool probe, uint64_t now);

/*
 * Send again one segment of [seq, seq + len) of what was sent (len > 0;
 * at most a segment, never past an EOR mark): the data, and the FIN if
 * it is the last thing sent and the piece reaches it. last: the segment
 * ends a packet of two or more (__tcp_transmit_skb's PSH). Its ends are
 * edges of Linux's retransmission queue from now on (tcp_fragment).
 * The bytes it took.
 */
static uint32_t resend_seg(struct tcp_conn *c, uint32_t seq, uint32_t len, bool last, uint64_t now)
{
	uint32_t off = seq - c->snd_ring_seq, n, mss = tcp_cur_mss(c);
	bool fin;

	if (off > c->snd.len)
		return 0;
	n = c->snd.len - off;
	if (n > len)
		n = len;
	if (n > mss)
		n = mss;
	n = tcp_mark_limit(c, seq, n, TCP_MARK_EOR);
	fin = c->fin_sent && off + n == c->snd.len && seq_gt(seq + len, tcp_fin_seq(c));
	if (!n && !fin)
		return 0;
	send_data(c, seq, n, fin, last || tcp_psh_range(c, seq, seq + n), now);
	tcp_mark_add(c, seq, TCP_MARK_EDGE);
	tcp_mark_add(c, seq + n, TCP_MARK_EDGE);
	return n + fin;
}

static uint32_t resend(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now)
{
	return resend_seg(c, seq, len, false, now);
}

/*
 * How many segments Linux's tcp_xmit_retransmit_queue puts in the packet
 * that sends [seq, seq + len) again: the retransmission skb's piece of
 * it (up to the next edge), as many as the window leaves room for (one
 * at least when force) and tcp_tso_segs allows.
 */
static uint32_t rtx_packet_segs(const struct tcp_conn *c, uint32_t seq, uint32_t len, bool force)
{
	uint32_t mss = tcp_cur_mss(c), piece = tcp_mark_limit(c, seq, len, TCP_MARK_ANY);
	uint32_t segs = (piece + mss - 1) / mss, pipe = tcp_pipe(c), room, max = tcp_tso_segs(c);

	room = c->cwnd > pipe ? (c->cwnd - pipe) / mss : 0;
	if (!room && force)
		room = 1;
	if (segs > room)
		segs = room;
	return segs < max ? segs : max;
}

/*
 * RFC 6675 5 (C): while pipe leaves room in cwnd (or for the first one
 * of a recovery, whatever it says: step 4.3), the lost holes go again
 * in order; HighRxt follows. New data is tcp_output's next step.
 */
static void sack_xmit(struct tcp_conn *c, uint64_t now)
{
	uint32_t seq, len, sent;

	while (tcp_sack_next_lost(c, now, &seq, &len)) {
		if (!c->rxt_force && tcp_pipe(c) + (len < tcp_cur_mss(c) ? len : tcp_cur_mss(c)) > c->cwnd)
			return;
		uint32_t segs = rtx_packet_segs(c, seq, len, c->rxt_force);
		if (!segs)
			segs = 1;              /* less than a segment's room: the piece still fits */
		c->rxt_force = false;
		for (uint32_t i = 0; i < segs; i++) {
			sent = resend_seg(c, seq, len, segs >= 2 && i + 1 == segs, now);
			if (!sent)
				return;
			c->high_rxt = seq_max(c->high_rxt, seq + sent);
			if (seq == c->snd_una)
				tcp_rexmit_arm(c, now); /* Linux re-arms it for the head's retransmission */
			seq += sent;
			len = len > sent ? len - sent : 0;
			if (!len)
				break;
		}
	}
}

/*
 * Where a tail loss probe that sends again starts: Linux's
 * tcp_send_loss_probe takes the last skb sent, and of one of several
 * segments its last (partial) segment; a FIN queued with everything
 * sent is an skb of its own, probed alone. Else the FIN rides along.
 */
static uint32_t tlp_probe_start(const struct tcp_conn *c)
{
	uint32_t data_end = c->fin_sent ? c->snd_max - 1 : c->snd_max, start, len, mss = tcp_cur_mss(c);

	if (c->fin_sent && c->fin_alone)
		return data_end;
	start = tcp_mark_before(c, data_end);
	len = data_end - start;
	if (len > mss)
		len = (len - 1) % mss + 1;     /* tcp_fragment at (pcount - 1) * mss */
	return data_end - len;
}

/*
 * The tail loss probe (RFC 8985 7.3, Linux's tcp_send_loss_probe): new
 * data if the peer's window takes it, else the last segment sent again;
 * either way one segment whatever cwnd says, and the RTO re-armed.
 */
void tcp_tlp_fire(struct tcp_conn *c, uint64_t now)
{
	uint32_t before = c->snd_max;

	if (!can_send_data(c) || c->snd_una == c->snd_max || c->tlp_out ||
	    c->ca_state != TCP_CA_OPEN)
		return;
	if (tcp_has_unsent(c) && seq_lt(c->snd_nxt, c->snd_una + c->snd_wnd)) {
		send_in_window(c, false, now); /* tcp_write_xmit's one skb (push_one 2) */
		c->tlp_rxt = false;
	}
	if (c->snd_max == before) {
		c->tlp_start = tlp_probe_start(c);
		if (!resend(c, c->tlp_start, c->snd_max - c->tlp_start, now))
			return;
		c->tlp_rxt = true;
	}
	c->tlp_out = true;
	c->tlp_dsacked = false;
	c->tlp_high = c->snd_max;
	c->stats.loss_probes++;
	tcp_rexmit_arm(c, now);
}

void tcp_retransmit_head(struct tcp_conn *c, uint64_t now)
{
	uint32_t off = c->snd_una - c->snd_ring_seq, n;

	if (c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECV) {
		tcp_send_syn(c, now);
		return;
	}
	if (off > c->snd.len || c->snd_una == c->snd_max)
		return;
	n = c->snd.len - off;
	if (n > tcp_cur_mss(c))
		n = tcp_cur_mss(c);
	if (n > c->snd_max - c->snd_una)
		n = c->snd_max - c->snd_una;
	n = tcp_mark_limit(c, c->snd_una, n, TCP_MARK_EOR);
	send_data(c, c->snd_una, n, c->fin_sent && off + n == c->snd.len,
		  tcp_psh_range(c, c->snd_una, c->snd_una + n), now);
	tcp_mark_add(c, c->snd_una + n, TCP_MARK_EDGE); /* tcp_retransmit_skb's one segment */
}

/* ---- Nagle, and the loop that sends ------------------------------------------- */

/*
 * May a partial segment at the end of what is queued go now? Not while
 * corked (TCP_CORK, MSG_MORE); with Nagle on, not while an earlier
 * small segment is unacked (Minshall's variant, Linux's
 * tcp_minshall_check); urgent data, the final FIN and what
 * TCP_NODELAY's push (nagle_push) releases are never held
 * (tcp_nagle_test). A short segment before the end (an skb that ended
 * in PSH or EOR) is not held: tcp_write_xmit pushes all but the last.
 */
static bool nagle_allows(const struct tcp_conn *c, bool fin)
{
	if (fin || c->urg_send || c->nagle_push)
		return true;  /* tcp_nagle_test: TCP_NAGLE_PUSH first */
	if (c->cork)
		return false;
	if (c->nodelay)
		return true;
	return !(seq_gt(c->snd_sml, c->snd_una) && seq_le(c->snd_sml, c->snd_max));
}

static bool can_send_data(const struct tcp_conn *c)
{
	switch (c->state) {
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
	case TCPS_FIN_WAIT1:
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
		return true;
	default:
		return false;
	}
}

uint32_t tcp_tsq_limit(const struct tcp_conn *c)
{
	uint64_t floor = 2ull * (c->snd_mss + TCP_TSQ_SEG_EXTRA), limit = TCP_TSQ_MAX;

	if (c->srtt) {
		unsigned ratio = c->cwnd < c->ssthresh / 2 ? TCP_PACING_SS_RATIO : TCP_PACING_CA_RATIO;
		uint64_t rate = (uint64_t)c->cwnd * ratio / 100 * 1000000000ull / c->srtt; /* bytes/s */
		limit = rate >> TCP_TSQ_SHIFT;
	}
	if (limit > TCP_TSQ_MAX)
		limit = TCP_TSQ_MAX;
	return (uint32_t)(limit > floor ? limit : floor);
}

/*
 * Linux's tcp_small_queue_check: do the layers below hold enough of c's
 * segments that the next packet, of segs segments, should wait? Never
 * while at most a segment is in flight (nothing else might drain them).
 * Linux's limit is at least twice the truesize of the skb about to go
 * (the packet's bytes and an skb's price), so a packet of several
 * segments may follow one still below. When it says so, c is
 * throttled: the caller's tcp_tsq_resume comes once they shrink.
 */
static bool small_queue_full(struct tcp_conn *c, uint32_t segs)
{
	if (!c->ops->queued_below || tcp_flight(c) <= c->snd_mss)
		return false;
	uint64_t skb = (uint64_t)segs * c->snd_mss + TCP_SKB_TRUESIZE;
	uint32_t limit = tcp_tsq_limit(c);
	if (2 * skb > limit && 2 * skb <= TCP_TSQ_MAX)
		limit = (uint32_t)(2 * skb);
	if (c->ops->queued_below(c) <= limit)
		return false;
	c->ops->throttle(c);
	return c->ops->queued_below(c) > limit;
}

/*
 * The segment at seq of a packet tcp_output plans, planned bytes after
 * snd_nxt (the packet's segments before it) already counted in flight:
 * its length *n (at most a segment, not past end) and *fin, if the
 * peer's window, the congestion window and Nagle let it go. False: it
 * may not (*at_cwnd: the congestion window said so).
 */
static bool seg_fits(struct tcp_conn *c, uint32_t seq, uint32_t planned, uint32_t end, uint32_t *n,
		     bool *fin, bool *at_cwnd)
{
	uint32_t off = seq - c->snd_ring_seq, mss = tcp_cur_mss(c);

	if (off > c->snd.len)
		return false;                       /* the FIN is out */
	*n = c->snd.len - off;
	if (*n > mss)
		*n = mss;
	if (*n > end - seq)
		*n = end - seq;
	*fin = c->fin_queued && off + *n == c->snd.len;
	if (!*n && !*fin)
		return false;
	if (seq_gt(seq + *n + *fin, c->snd_una + c->snd_wnd))
		return false;                       /* Linux's tcp_snd_wnd_test */
	if (tcp_flight(c) + planned && tcp_pipe(c) + planned + *n > tcp_cc_send_window(c)) {
		*at_cwnd = true;
		return false;
	}
	if (*n < mss && off + *n == c->snd.len && !seq_lt(seq, c->snd_max) && !nagle_allows(c, *fin))
		return false;
	return true;
}

/* Linux's tcp_cwnd_test's cap, "at least 2 GSO packets in flight": half
 * the congestion window, in segments, one at least. */
static uint32_t half_cwnd_segs(const struct tcp_conn *c)
{
	uint32_t mss = tcp_cur_mss(c), w = mss ? c->cwnd / mss / 2 : 1;

	return w ? w : 1;
}

/*
 * The next packet from snd_nxt as tcp_write_xmit would cut it: up to
 * the end of its skb (a PSH or EOR mark; for data sent before, after an
 * RTO, the retransmission skb's edge, one segment when SACK blocks may
 * lie between), at most tcp_tso_segs and half the congestion window
 * segments (one in urgent mode), each one fitting the windows. *end:
 * where it may reach. Its segment count, 0: none may go.
 */
static uint32_t plan_packet(struct tcp_conn *c, uint32_t *end, bool *at_cwnd)
{
	uint32_t seq = c->snd_nxt, planned = 0, k = 0, n, max = tcp_tso_segs(c);
	bool rtx = seq_lt(seq, c->snd_max), fin;

	*end = seq + tcp_mark_limit(c, seq, c->snd.len + 1, rtx ? TCP_MARK_ANY : TCP_MARK_PSH | TCP_MARK_EOR);
	if (rtx)
		*end = seq_min(*end, c->snd_max);
	if (max > half_cwnd_segs(c))
		max = half_cwnd_segs(c);
	if ((rtx && c->n_sb) || c->urg_send)
		max = 1;                            /* urgent mode: tcp_write_xmit's limit is mss_now */
	while (k < max && seg_fits(c, seq + planned, planned, *end, &n, &fin, at_cwnd)) {
		k++;
		planned += n + fin;
		if (fin || seq + planned == *end)
			break;
	}
	return k;
}

/* One packet from snd_nxt (plan_packet's) if the small queues allow it:
 * PSH on its last segment when it has two or more (__tcp_transmit_skb)
 * or the segment ends an skb that had it. False: stop (*at_cwnd: cwnd
 * was what stopped it). */
static bool output_packet(struct tcp_conn *c, uint64_t now, bool *at_cwnd)
{
	uint32_t end, k, n, start;
	bool fin;

	if (seq_lt(c->snd_nxt, c->snd_max) && c->n_sb) {
		/* go-back-N after an RTO skips what the peer SACKed since */
		c->snd_nxt = seq_min(tcp_sack_skip(c, c->snd_nxt), c->snd_max);
	}
	k = plan_packet(c, &end, at_cwnd);
	if (!k || small_queue_full(c, k))
		return false;
	start = c->snd_nxt;
	for (uint32_t i = 0; i < k; i++) {
		bool none = false;

		if (!seg_fits(c, c->snd_nxt, 0, end, &n, &fin, &none))
			break;                          /* never: the plan said so */
		send_data(c, c->snd_nxt, n, fin, (k >= 2 && i + 1 == k) || tcp_psh_range(c, c->snd_nxt, c->snd_nxt + n),
			  now);
		advance_nxt(c, n + fin);
	}
	if (seq_lt(start, c->snd_max) && start != c->snd_una)
		tcp_mark_add(c, start, TCP_MARK_EDGE);
	tcp_mark_add(c, c->snd_nxt, TCP_MARK_EDGE);
	return true;
}

/* Linux's tcp_current_mss: the MSS the path takes now, either way, before
 * segments are cut (ops->current_mss). */
static void follow_path_mss(struct tcp_conn *c)
{
	uint32_t mss = c->ops->current_mss ? c->ops->current_mss(c) : 0;

	if (mss)
		(void)tcp_mss_follow(c, mss);
}

void tcp_output(struct tcp_conn *c, uint64_t now)
{
	bool at_cwnd = false, sent = false;

	if (!can_send_data(c))
		return;
	follow_path_mss(c);
	sack_xmit(c, now);
	while (output_packet(c, now, &at_cwnd))
		sent = true;
	at_cwnd |= tcp_pipe(c) >= c->cwnd;
	if (sent || at_cwnd)
		tcp_cc_validate(c, at_cwnd, now); /* Linux's tcp_write_xmit */
	if (sent)
		tcp_tlp_arm(c, now);
	tcp_persist_check(c, now);
}

/*
 * Linux's tcp_sync_mss alone: segments of mss at most from the next one
 * sent, the window kept in segments; nothing sent again. False when mss
 * is no smaller than now (or under the floor): nothing changed.
 */
bool tcp_mss_synced(struct tcp_conn *c, uint32_t mss)
{
	uint32_t old = c->snd_mss;

	if (mss >= old || mss < TCP_MIN_SND_MSS)
		return false;
	c->snd_mss = (uint16_t)mss;
	tcp_cc_mss_changed(c, old);
	return true;
}

bool tcp_mss_follow(struct tcp_conn *c, uint32_t mss)
{
	uint32_t old = c->snd_mss;

	if (mss == old || mss < TCP_MIN_SND_MSS)
		return false;
	c->snd_mss = (uint16_t)mss;
	tcp_cc_mss_changed(c, old);
	return true;
}

/*
 * Linux's tcp_sync_mss and tcp_simple_retransmit, from tcp_v4_mtu_reduced:
 * the path takes segments of mss at most now. What is in flight was sent
 * larger and the router dropped it (its ICMP says so): go back to snd_una
 * and send it again at once in the new size, without the RTO's window cut
 * or backoff; the RTO restarts from now.
 */
void tcp_mss_reduced(struct tcp_conn *c, uint32_t mss, uint64_t now)
{
	if (!tcp_mss_synced(c, mss))
		return;
	if (!can_send_data(c) || c->snd_una == c->snd_max)
		return;
	tcp_cc_simple_loss(c, now);
	tcp_go_back(c, now);
	tcp_rexmit_arm(c, now);
}

void tcp_go_back(struct tcp_conn *c, uint64_t now)
{
	tcp_sack_rto(c);
	c->rtt_timing = false;
	c->snd_nxt = c->snd_una;
	tcp_output(c, now);
}

void tcp_tsq_resume(struct tcp_conn *c, uint64_t now)
{
	tcp_output(c, now);
}

/*
 * Linux's tcp_write_wakeup, for the persist and keepalive timers: send
 * what fits in the peer's window (at most a segment), or else a bare
 * ACK at snd_una - 1, which the peer must answer with an ACK that
 * carries its window (Linux's zero-window probe carries no data).
 */
/*
 * One segment of new data from snd_nxt, what the peer's window takes (at
 * most a segment, not past an skb's end), the FIN with it if it is the
 * last: for a probe (Linux's tcp_write_wakeup, which sets PSH on it) or
 * the tail loss probe's new data (an skb's segment: PSH only at its end).
 */
static void send_in_window(struct tcp_conn *c, bool probe, uint64_t now)
{
	uint32_t wnd_end = c->snd_una + c->snd_wnd, unsent = tcp_unsent(c);
	uint32_t n = wnd_end - c->snd_nxt;

	if (n > unsent)
		n = unsent;
	if (n > tcp_cur_mss(c))
		n = tcp_cur_mss(c);
	n = tcp_mark_limit(c, c->snd_nxt, n, TCP_MARK_PSH | TCP_MARK_EOR);
	bool fin = c->fin_queued && n == unsent && seq_lt(c->snd_nxt + n, wnd_end);
	send_data(c, c->snd_nxt, n, fin, probe || tcp_psh_range(c, c->snd_nxt, c->snd_nxt + n), now);
	advance_nxt(c, n + fin);
	tcp_mark_add(c, c->snd_nxt, TCP_MARK_EDGE);
}

void tcp_write_wakeup(struct tcp_conn *c, uint64_t now)
{
	if (!can_send_data(c))
		return;
	if (tcp_has_unsent(c) && seq_lt(c->snd_nxt, c->snd_una + c->snd_wnd)) {
		send_in_window(c, true, now);
		return;
	}
	emit(c, c->snd_una - 1, TCP_ACK, 0, 0, now);
}
