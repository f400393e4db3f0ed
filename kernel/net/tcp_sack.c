// SPDX-License-Identifier: MIT
/*
 * Kestrel: the sender's side of SACK. The scoreboard of what the peer
 * SACKed (RFC 2018, RFC 6675), D-SACK (RFC 2883) and the undo it allows,
 * RACK's time-based loss detection and the tail loss probe's bookkeeping
 * (RFC 8985), as Linux's tcp_sacktag_write_queue, tcp_rack_mark_lost and
 * tcp_schedule_loss_probe do them. What is sent is tcp_output.c's choice
 * (tcp_sack_next_lost says which hole); the window is tcp_cc.c's.
 *
 * The send queue is a byte ring, not a list of segments, so the
 * scoreboard is ranges (struct tcp_conn's sb and xlog, bounded: a range
 * that does not fit is forgotten, which only makes the sender slower to
 * call a hole lost). Loss is a boundary: every byte not SACKed below
 * lost_high is lost, but for those retransmitted in this recovery (below
 * high_rxt). Two rules move lost_high, as in Linux with tcp_recovery 1:
 * RFC 6675's IsLost (more than DupThresh - 1 segments SACKed above) while
 * no reordering was seen, and RACK's (a byte sent before the newest
 * delivered one, whose RTT plus the reordering window has passed).
 * RACK also finds a lost retransmission, from the times of the last
 * TCP_RXLOG_MAX retransmissions (one older than those is the RTO's).
 * The reordering degree (Linux's tp->reordering, TCP_INFO's
 * tcpi_reordering) is measured here too: how far below the highest SACK
 * data sent once was delivered. Not here: RFC 6675's rule 3 and rescue
 * retransmission (the probe's work).
 *
 * Lock rule: the conn's, as every engine file (tcp.h).
 */
#include "net/tcp_priv.h"

#include "lib/string.h"

/* ---- the transmission log (RACK's xmit_ts per byte) --------------------------- */

/* The log's first run starts at snd_una; run i ends at xlog[i].end. */
static void xlog_drop_first(struct tcp_conn *c)
{
	c->n_xlog--;
	memmove(&c->xlog[0], &c->xlog[1], c->n_xlog * sizeof(c->xlog[0]));
}

void tcp_sack_sent(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now)
{
	uint32_t end = seq + len;

	if (!len || seq_lt(seq, c->snd_max))
		return;                        /* only first transmissions are logged */
	if (c->n_xlog && c->xlog[c->n_xlog - 1].at == now) {
		c->xlog[c->n_xlog - 1].end = end;
		return;
	}
	if (c->n_xlog == TCP_XLOG_MAX) {
		/* the two oldest runs become one, with the later time */
		c->xlog[1].at = c->xlog[1].at > c->xlog[0].at ? c->xlog[1].at : c->xlog[0].at;
		xlog_drop_first(c);
	}
	c->xlog[c->n_xlog].end = end;
	c->xlog[c->n_xlog++].at = now;
}

static uint64_t last_sent(const struct tcp_conn *c, uint32_t seq, bool *rxt);

/* A retransmission of [seq, seq + len) went now: its time is kept with
 * the last few (the oldest forgotten), for RACK's reference. */
void tcp_sack_rxlog(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now)
{
	unsigned i = c->rxlog_next++ % TCP_RXLOG_MAX;
	bool again;

	if (c->ca_state == TCP_CA_RECOVERY && seq_lt(seq, c->high_rxt) && last_sent(c, seq, &again) && again) {
		c->stats.lost_retrans++;       /* sent again in this recovery: RACK said the last was lost */
		c->relost_bytes = c->relost_bytes > len ? c->relost_bytes - len : 0; /* in pipe again */
	}

	c->rxlog[i].start = seq;
	c->rxlog[i].end = seq + len;
	c->rxlog[i].at = now;
	c->rxlog_high = seq_max(c->rxlog_high, seq + len);
}

/* When the byte at seq was last sent, and whether that was a
 * retransmission (0: not known). */
static uint64_t last_sent(const struct tcp_conn *c, uint32_t seq, bool *rxt)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < TCP_RXLOG_MAX; i++)
		if (c->rxlog[i].at > t && seq_le(c->rxlog[i].start, seq) && seq_lt(seq, c->rxlog[i].end) &&
		    seq_ge(seq, c->snd_una))
			t = c->rxlog[i].at;
	*rxt = t != 0;
	for (unsigned i = 0; !t && i < c->n_xlog; i++)
		if (seq_lt(seq, c->xlog[i].end))
			t = c->xlog[i].at;
	return t;
}

/* ---- the scoreboard ---------------------------------------------------------------- */

static void sb_recount(struct tcp_conn *c)
{
	c->sacked_bytes = 0;
	for (unsigned i = 0; i < c->n_sb; i++)
		c->sacked_bytes += c->sb[i].end - c->sb[i].start;
}

/*
 * Add [s, e) (above snd_una, at most snd_max) to the ranges, merging
 * what it touches; the highest range goes when there is no room
 * (forgetting a SACK is safe: the bytes count as in flight). Returns the
 * bytes newly SACKed.
 */
static uint32_t sb_add(struct tcp_conn *c, uint32_t s, uint32_t e)
{
	uint32_t before = c->sacked_bytes, base = c->snd_una;
	typeof(c->sb[0]) out[TCP_SB_MAX + 1];
	unsigned n = 0, i = 0;

	for (; i < c->n_sb && seq_lt(c->sb[i].end, s); i++)
		out[n++] = c->sb[i];
	for (; i < c->n_sb && seq_le(c->sb[i].start, e); i++) {
		s = c->sb[i].start - base < s - base ? c->sb[i].start : s;
		e = c->sb[i].end - base > e - base ? c->sb[i].end : e;
	}
	out[n].start = s;
	out[n++].end = e;
	for (; i < c->n_sb; i++)
		out[n++] = c->sb[i];
	if (n > TCP_SB_MAX)
		n = TCP_SB_MAX;
	memcpy(c->sb, out, n * sizeof(out[0]));
	c->n_sb = (uint8_t)n;
	sb_recount(c);
	return c->sacked_bytes > before ? c->sacked_bytes - before : 0;
}

/* SACKed bytes in [s, e). */
static uint32_t sb_bytes_in(const struct tcp_conn *c, uint32_t s, uint32_t e)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < c->n_sb; i++) {
		uint32_t a = seq_max(s, c->sb[i].start), b = seq_min(e, c->sb[i].end);

		if (seq_lt(a, b))
			n += b - a;
	}
	return n;
}

/* Bytes in [s, e) not SACKed (0 when e is not after s). */
static uint32_t unsacked_in(const struct tcp_conn *c, uint32_t s, uint32_t e)
{
	return seq_lt(s, e) ? e - s - sb_bytes_in(c, s, e) : 0;
}

uint32_t tcp_sack_skip(const struct tcp_conn *c, uint32_t seq)
{
	for (unsigned i = 0; i < c->n_sb; i++)
		if (seq_le(c->sb[i].start, seq) && seq_lt(seq, c->sb[i].end))
			return c->sb[i].end;
	return seq;
}

void tcp_sack_clear(struct tcp_conn *c)
{
	c->n_sb = 0;
	c->sacked_bytes = c->prr_sacked = 0;
	c->prr_una = c->snd_una;
	c->lost_high = c->high_rxt = c->snd_una;
	c->relost_bytes = 0;
	c->rack_xmit = 0;
	c->rack_end = c->snd_una;
	c->t_reo = TCP_NO_DEADLINE;
}

/* ---- RACK ------------------------------------------------------------------------------ */

/* [s, e) was delivered (acked or SACKed) now: if its last byte went
 * after the newest delivered so far, it is RACK's reference (RFC 8985
 * 6.2), its time the last transmission's. */
static void rack_delivered(struct tcp_conn *c, uint32_t s, uint32_t e, uint64_t now)
{
	uint64_t t;
	bool rxt;

	if (c->ca_state == TCP_CA_LOSS || !seq_lt(s, e))
		return;                        /* go-back-N resends: no times known */
	if (!(t = last_sent(c, e - 1, &rxt)))
		return;
	/* an ACK sooner than any RTT after a retransmission was the first
	 * copy's (RFC 8985 6.2 step 2) */
	if (rxt && now - t < c->min_rtt)
		return;
	if (t < c->rack_xmit || (t == c->rack_xmit && !seq_gt(e, c->rack_end)))
		return;
	c->rack_xmit = t;
	c->rack_end = e;
	c->rack_rtt = now - t;
	if (!c->min_rtt || c->rack_rtt < c->min_rtt)
		c->min_rtt = c->rack_rtt;
}

static uint32_t hole_end(const struct tcp_conn *c, uint32_t s, uint32_t lim);

/* The hole [hs, he) was delivered now: each logged retransmission
 * inside it is delivered too (it may have gone later than the hole's
 * end). */
static void rack_delivered_rxlog(struct tcp_conn *c, uint32_t hs, uint32_t he, uint64_t now)
{
	for (unsigned i = 0; i < TCP_RXLOG_MAX; i++) {
		uint32_t a = seq_max(c->rxlog[i].start, hs), b = seq_min(c->rxlog[i].end, he);

		if (c->rxlog[i].at && seq_lt(a, b))
			rack_delivered(c, a, b, now);
	}
}

/* [s, e) was acked or SACKed now (before the board takes it): RACK's
 * reference moves to the latest transmission in what was not SACKed
 * before, as Linux advances it skb by skb (tcp_rack_advance from
 * tcp_sacktag_one and tcp_clean_rtx_queue): each such hole by its last
 * byte (first transmissions go in sequence order) and by each
 * retransmission inside it. A hole from rxlog_high up holds none: the
 * log is not searched for it (most SACKs in a recovery, every one
 * outside). */
static void rack_newly_delivered(struct tcp_conn *c, uint32_t s, uint32_t e, uint64_t now)
{
	uint32_t hs = tcp_sack_skip(c, s);

	while (seq_lt(hs, e)) {
		uint32_t he = hole_end(c, hs, e);

		rack_delivered(c, hs, he, now);
		if (seq_lt(hs, c->rxlog_high))
			rack_delivered_rxlog(c, hs, he, now);
		hs = tcp_sack_skip(c, he);
	}
}

/* Linux's tcp_rack_reo_wnd: none while no reordering was seen and
 * recovery or DupThresh (the conn's reordering) says loss; else a
 * quarter of the least RTT times reo_steps, at most SRTT. */
static uint64_t rack_reo_wnd(const struct tcp_conn *c)
{
	uint64_t w = c->min_rtt / 4 * (c->reo_steps ? c->reo_steps : 1);

	if (!c->reord_seen && (c->ca_state == TCP_CA_RECOVERY ||
			       c->sacked_bytes >= (uint64_t)c->reordering * c->snd_mss))
		return 0;
	return c->srtt && w > c->srtt ? c->srtt : w;
}

/*
 * RACK's loss detection (RFC 8985 6.2 step 5, Linux's tcp_rack_detect_loss)
 * over the log, oldest first: a run sent before the newest delivered
 * byte went is lost once RTT + reo_wnd has passed since; the first that
 * is not yet arms the reordering timer. "Before" is by time, the
 * sequence deciding only between equal times (Linux's
 * tcp_rack_sent_after): a retransmission delivered makes every first
 * transmission that went before it a candidate, above it in sequence too.
 */
static uint32_t rack_lost_high(struct tcp_conn *c, uint64_t now)
{
	uint64_t reo = rack_reo_wnd(c);
	uint32_t high = c->snd_una;

	c->t_reo = TCP_NO_DEADLINE;
	if (!c->rack_xmit)
		return high;
	for (unsigned i = 0; i < c->n_xlog; i++) {
		uint64_t at = c->xlog[i].at, due = at + c->rack_rtt + reo;
		uint32_t end = c->xlog[i].end;

		if (at > c->rack_xmit)
			break;
		if (at == c->rack_xmit)
			end = seq_min(end, c->rack_end);
		if (!seq_lt(high, end))
			break;
		if (due > now) {
			/* not yet: the reordering timer comes back for it (RFC 8985 6.3) */
			if (unsacked_in(c, high, end))
				c->t_reo = due > now + TCP_REO_TIMEOUT_MIN_NS ? due
									  : now + TCP_REO_TIMEOUT_MIN_NS;
			break;
		}
		high = end;
	}
	return high;
}

/* RFC 6675's IsLost as a boundary: below the start of the highest range
 * that has more than DupThresh - 1 segments' bytes SACKed from it up
 * (DupThresh: the conn's reordering, tcp_reordering while none was seen). */
static uint32_t dupthresh_lost_high(const struct tcp_conn *c)
{
	uint64_t above = 0;

	for (unsigned i = c->n_sb; i-- > 0;) {
		above += c->sb[i].end - c->sb[i].start;
		if (above > (uint64_t)(c->reordering - 1) * c->snd_mss)
			return c->sb[i].start;
	}
	return c->snd_una;
}

/* RACK's lost retransmissions now (scan_relost): the first one's hole,
 * the bytes of all, and when the next would be lost if none is. */
struct relost {
	uint32_t seq, len, sum;
	uint64_t due;
};

static void scan_relost(const struct tcp_conn *c, uint64_t now, struct relost *r);

/* Move lost_high by both rules (it never moves back within a recovery),
 * and have the reordering timer come for a retransmission not yet lost. */
static void mark_lost(struct tcp_conn *c, uint64_t now)
{
	uint32_t high = rack_lost_high(c, now);
	struct relost r;

	if (!c->reord_seen)
		high = seq_max(high, dupthresh_lost_high(c));
	if (seq_lt(c->lost_high, c->snd_una))
		c->lost_high = c->snd_una;
	c->lost_high = seq_max(c->lost_high, seq_min(high, c->snd_max));
	scan_relost(c, now, &r);
	c->relost_bytes = r.sum;
	if (!r.sum && r.due < c->t_reo)
		c->t_reo = r.due;              /* a retransmission's turn comes later */
}

/* ---- pipe and the next hole (RFC 6675 4) ------------------------------------------------ */


uint32_t tcp_pipe(const struct tcp_conn *c)
{
	uint32_t una = c->snd_una, lost_to, rxt_to, pipe, relost;

	if (!c->sack_ok || c->snd_nxt != c->snd_max || (!c->n_sb && c->ca_state != TCP_CA_RECOVERY))
		return tcp_flight(c);
	lost_to = seq_max(una, seq_min(c->lost_high, c->snd_max));
	rxt_to = seq_max(una, seq_min(c->high_rxt, c->snd_max));
	/* RFC 6675 SetPipe: every byte not SACKed counts once unless lost,
	 * once more if retransmitted, but not for a retransmission RACK
	 * found lost (Linux's tcp_packets_in_flight) */
	pipe = unsacked_in(c, una, c->snd_max) - unsacked_in(c, seq_max(rxt_to, una), lost_to);
	if (!c->relost_bytes)
		return pipe;
	relost = unsacked_in(c, una, rxt_to);  /* what of it snd_una has not passed */
	return pipe - (relost < c->relost_bytes ? relost : c->relost_bytes);
}

uint32_t tcp_sack_lost_bytes(const struct tcp_conn *c)
{
	uint32_t una = c->snd_una;

	return unsacked_in(c, una, seq_max(una, seq_min(c->lost_high, c->snd_max)));
}

/* The end of the hole that starts at s: the next SACKed range, or lim. */
static uint32_t hole_end(const struct tcp_conn *c, uint32_t s, uint32_t lim)
{
	for (unsigned i = 0; i < c->n_sb; i++)
		if (seq_gt(c->sb[i].start, s))
			return seq_min(lim, c->sb[i].start);
	return lim;
}

/*
 * RACK's rule for a retransmission (RFC 8985 6.2 step 5, Linux's
 * TCPLostRetransmit): a hole below high_rxt whose last retransmission
 * went before the newest delivered segment and an RTT plus the
 * reordering window ago is lost again. Into *r: the first such hole
 * (seq, len), the bytes of all of them (sum, 0: none), and when the
 * next would be lost (due, TCP_NO_DEADLINE: never) if none is yet.
 * Holes whose retransmission fell out of the log are left to the RTO.
 */
static void scan_relost(const struct tcp_conn *c, uint64_t now, struct relost *r)
{
	uint32_t s = tcp_sack_skip(c, c->snd_una);
	uint64_t reo = rack_reo_wnd(c);

	*r = (struct relost){ .due = TCP_NO_DEADLINE };
	if (c->ca_state != TCP_CA_RECOVERY || !c->rack_xmit)
		return;
	while (seq_lt(s, c->high_rxt)) {
		uint32_t e = hole_end(c, s, c->high_rxt);
		bool rxt;
		uint64_t t = last_sent(c, s, &rxt), lost_at = t + c->rack_rtt + reo;

		if (rxt && t < c->rack_xmit && lost_at <= now) {
			if (!r->sum) {
				r->seq = s;
				r->len = e - s;
			}
			r->sum += e - s;
		} else if (rxt && t < c->rack_xmit && lost_at < r->due) {
			r->due = lost_at;
		}
		s = tcp_sack_skip(c, e);
	}
}

bool tcp_sack_next_lost(const struct tcp_conn *c, uint64_t now, uint32_t *seq, uint32_t *len)
{
	uint32_t s = seq_max(c->snd_una, c->high_rxt), e;
	struct relost r;

	if (c->ca_state != TCP_CA_RECOVERY)
		return false;
	scan_relost(c, now, &r);
	if (r.sum) {
		*seq = r.seq;
		*len = r.len;
		return true;
	}
	s = tcp_sack_skip(c, s);       /* ranges never touch: s is now in a hole */
	if (!seq_lt(s, c->lost_high))
		return false;
	e = hole_end(c, s, c->lost_high);
	*seq = s;
	*len = e - s;
	return true;
}

/* ---- undo (RFC 2883 and Linux's tcp_try_undo_dsack) ------------------------------------- */

void tcp_undo_mark(struct tcp_conn *c)
{
	c->undo_marker = true;
	c->undo_retrans = 0;
	c->prior_cwnd = c->cwnd;
	c->prior_ssthresh = c->ssthresh;
}

void tcp_sack_prr_sent(struct tcp_conn *c, uint32_t len)
{
	if (c->sack_ok && c->ca_state == TCP_CA_RECOVERY)
		c->prr_out += len;
}

void tcp_sack_retransmitted(struct tcp_conn *c)
{
	if (c->undo_marker)
		c->undo_retrans++;
	if (c->ca_state == TCP_CA_RECOVERY)
		c->stats.fast_retrans++;
}

/* Linux's tcp_undo_cwnd_reduction: the window from before the mark;
 * with unmark, nothing is called lost any more (RACK and the SACKs
 * that come decide again). */
static void undo_reduction(struct tcp_conn *c, bool unmark)
{
	c->undo_marker = false;
	tcp_cc_undo(c);
	if (unmark)
		c->lost_high = c->snd_una;
}

/* The open state, or disorder while SACKed data waits (Linux's tcp_try_keep_open). */
static void keep_open(struct tcp_conn *c)
{
	c->ca_state = c->n_sb ? TCP_CA_DISORDER : TCP_CA_OPEN;
}

/* Every retransmission since the mark was D-SACKed: they were not
 * needed, and the window they cut comes back. */
static void try_undo_dsack(struct tcp_conn *c)
{
	if (!c->undo_marker || c->undo_retrans > 0 || c->ca_state == TCP_CA_LOSS)
		return;                        /* in LOSS: tcp_try_undo_loss, when snd_una moves (Linux) */
	undo_reduction(c, false);
	if (c->ca_state == TCP_CA_RECOVERY)
		keep_open(c);
	c->stats.dsack_undo++;
}

/* Linux's tcp_packet_delayed: the ACK being processed echoes a
 * timestamp from before the oldest retransmission still out, so what
 * it acks arrived as first sent (RFC 3522); or nothing went again. */
static bool packet_delayed(const struct tcp_conn *c)
{
	if (!c->undo_stamp)
		return true;
	return c->rcv_tsecr && (int32_t)(c->rcv_tsecr - tcp_ts_now(c, c->undo_stamp)) < 0;
}

/* Linux's tcp_may_undo: the cut since the mark was for nothing. */
static bool may_undo(const struct tcp_conn *c)
{
	return c->undo_marker && (c->undo_retrans <= 0 || packet_delayed(c));
}

static void try_undo_recovery(struct tcp_conn *c)
{
	if (!may_undo(c))
		return;
	undo_reduction(c, false);
	c->ca_state = TCP_CA_OPEN;
	c->stats.full_undo++;
}

static void try_undo_partial(struct tcp_conn *c)
{
	if (!c->undo_marker || !packet_delayed(c) || unsacked_in(c, c->snd_una, c->high_rxt))
		return;                        /* retransmissions still out: they may be needed */
	undo_reduction(c, true);
	keep_open(c);
	c->stats.partial_undo++;
}

static void try_undo_loss(struct tcp_conn *c)
{
	if (!may_undo(c))
		return;
	undo_reduction(c, true);
	c->snd_nxt = c->snd_max;               /* what went stands: go-back-N ends */
	c->retransmits = 0;
	keep_open(c);
	c->stats.loss_undo++;
}

void tcp_sack_try_undo(struct tcp_conn *c)
{
	if (!c->sack_ok)
		return;
	if (c->ca_state == TCP_CA_LOSS)
		try_undo_loss(c);
	else if (c->ca_state == TCP_CA_RECOVERY && seq_lt(c->snd_una, c->recover))
		try_undo_partial(c);
	else if (c->ca_state == TCP_CA_RECOVERY)
		try_undo_recovery(c);
}

void tcp_undo_stamp(struct tcp_conn *c, uint64_t now)
{
	if (!c->undo_stamp)
		c->undo_stamp = now;
}

/* ---- an ACK's blocks ------------------------------------------------------------------------ */

/* RFC 2883 4: the first block is a D-SACK when it is below the ACK or
 * inside the second block. */
static bool is_dsack(const struct tcp_opts *o, uint32_t ack)
{
	if (!o->nsack)
		return false;
	if (seq_le(o->sack[0].right, ack))
		return true;
	return o->nsack > 1 && seq_ge(o->sack[0].left, o->sack[1].left) &&
	       seq_le(o->sack[0].right, o->sack[1].right);
}

/* Was the byte at seq among the last retransmissions? (A D-SACK of
 * data sent once, which the network duplicated, says nothing of them:
 * Linux counts only a retransmitted segment's, tcp_sacktag_one.) */
static bool rxlog_covers(const struct tcp_conn *c, uint32_t seq)
{
	for (unsigned i = 0; i < TCP_RXLOG_MAX; i++)
		if (c->rxlog[i].at && seq_le(c->rxlog[i].start, seq) && seq_lt(seq, c->rxlog[i].end))
			return true;
	return false;
}

/* A D-SACK block [l, r) (ofo: above the ACK, inside the next block):
 * the data arrived twice. If we had sent it again, that retransmission
 * counts off undo_retrans; a duplicate of the probe means no loss; and
 * the peer reorders or duplicates, which widens RACK's window (Linux's
 * reo_wnd_steps). */
static void dsack_input(struct tcp_conn *c, uint32_t l, uint32_t r, bool ofo)
{
	uint32_t bytes = r - l, segs;

	if (!seq_lt(l, r) || bytes > c->max_window + c->snd_mss || seq_gt(r, c->snd_max))
		return;                        /* Linux's tcp_check_dsack sanity: ignored */
	if (ofo)
		c->stats.dsack_ofo_recv++;     /* inside the next block: Linux's TCPDSACKOfoRecv */
	else
		c->stats.dsack_recv++;
	c->reord_seen = true;
	if (!seq_lt(c->snd_una, c->reo_adj_seq)) {
		/* once a round trip: the window widens (tcp_rack_update_reo_wnd) */
		uint8_t steps = c->reo_steps ? c->reo_steps : 1;

		c->reo_steps = steps < UINT8_MAX ? steps + 1 : steps;
		c->reo_persist = TCP_REO_PERSIST;
		c->reo_adj_seq = c->snd_max;
	}
	segs = (bytes + c->snd_mss - 1) / c->snd_mss;
	if (c->undo_marker && rxlog_covers(c, l))
		c->undo_retrans -= (int32_t)(segs ? segs : 1);
	if (c->tlp_out && c->tlp_rxt && seq_le(l, c->tlp_start) && seq_ge(r, c->tlp_high))
		c->tlp_dsacked = true;
	try_undo_dsack(c);
}

/* Where the data sent again from seq on ends: seq itself when the byte
 * at seq went once (as far as this recovery, the probe and the log of
 * the last retransmissions know: Linux's TCPCB_RETRANS). */
static uint32_t resent_end(const struct tcp_conn *c, uint32_t seq)
{
	uint32_t end = seq;

	if (c->ca_state == TCP_CA_RECOVERY && seq_lt(seq, c->high_rxt))
		end = c->high_rxt;
	else if (c->ca_state == TCP_CA_LOSS && seq_lt(seq, c->snd_nxt))
		end = c->snd_nxt;
	else if (c->tlp_out && c->tlp_rxt && seq_ge(seq, c->tlp_start))
		end = c->snd_max;
	if (seq_lt(seq, c->rxlog_high))
		for (unsigned i = 0; i < TCP_RXLOG_MAX; i++)
			if (c->rxlog[i].at && seq_le(c->rxlog[i].start, seq) && seq_lt(seq, c->rxlog[i].end))
				end = seq_max(end, c->rxlog[i].end);
	return end;
}

/* The first byte of [from, to) neither SACKed nor sent again (to: none).
 * Each turn passes a SACKed range or a retransmission, so the bound
 * only stops a board and log that contradict each other. */
static uint32_t first_sent_once(const struct tcp_conn *c, uint32_t from, uint32_t to)
{
	uint32_t seq = from;

	for (unsigned n = 0; n < 2 * (TCP_SB_MAX + TCP_RXLOG_MAX) + 2 && seq_lt(seq, to); n++) {
		uint32_t next = resent_end(c, tcp_sack_skip(c, seq));

		if (next == seq)
			return seq;
		seq = next;
	}
	return to;
}

/* Linux's tcp_highest_sack_seq: the end of the highest SACKed range, or
 * snd_una when nothing is SACKed. */
static uint32_t highest_sack(const struct tcp_conn *c)
{
	return c->n_sb ? c->sb[c->n_sb - 1].end : c->snd_una;
}

/*
 * Data sent once and delivered from low up arrived after data above it
 * up to fack (the highest SACKed byte now): the peer reordered, by
 * fack - low bytes. Linux's tcp_check_sack_reordering: reordering is
 * raised to that distance in segments, rounded up (at most
 * reordering_max), when it is more than reordering's; either way the
 * reordering counts as seen (RACK's window opens, TCPSACKReorder).
 */
static void check_reordering(struct tcp_conn *c, uint32_t low, uint32_t fack)
{
	uint64_t metric, mss = c->snd_mss;

	if (!seq_lt(low, fack))
		return;
	metric = fack - low;
	if (mss && metric > c->reordering * mss) {
		uint64_t segs = (metric + mss - 1) / mss;

		c->reordering = segs < c->reordering_max ? (uint32_t)segs : c->reordering_max;
	}
	c->reord_seen = true;
	c->stats.sack_reorder++;
}

/* A SACKed range [l, r) (trimmed to [ack, snd_max)): on the board, and
 * RACK's reference moves. Returns the first byte it newly SACKed that
 * went only once and lies below prior_fack, the highest SACK before this
 * ACK (Linux's state->reord from tcp_sacktag_one; blocks sorted as
 * Linux sorts them would compare with the same point), or snd_max. */
static uint32_t block_input(struct tcp_conn *c, uint32_t l, uint32_t r, uint32_t prior_fack,
			    uint64_t now)
{
	uint32_t fresh = first_sent_once(c, l, r);

	rack_newly_delivered(c, l, r, now);
	if (!sb_add(c, l, r) || !seq_lt(fresh, r) || !seq_lt(fresh, prior_fack))
		return c->snd_max;
	return fresh;
}

/* The skb holding the byte at seq, as the marks draw Linux's
 * retransmission queue: [*s, *e), its end at most snd_max. */
static void skb_around(const struct tcp_conn *c, uint32_t seq, uint32_t *s, uint32_t *e)
{
	*s = tcp_mark_before(c, seq + 1);
	*e = seq + tcp_mark_limit(c, seq, c->snd_max - seq, TCP_MARK_ANY);
}

/*
 * Linux's tcp_match_skb_to_sack: a block marks an skb SACKed only in
 * whole MSS pieces counted from the skb's start (and its short tail
 * when the block reaches the skb's end), so a block inside a segment
 * marks nothing. [*l, *r) (inside [snd_una, snd_max]) is cut to that;
 * false when nothing is left. When a mark gave way the skbs are not
 * known and the block is taken as it is (a peer SACKs whole segments).
 */
static bool block_to_segments(struct tcp_conn *c, uint32_t *l, uint32_t *r)
{
	uint32_t mss = c->snd_mss, s, e, off;

	if (!mss || !tcp_marks_exact(c))
		return true;
	skb_around(c, *l, &s, &e);
	off = (*l - s + mss - 1) / mss * mss;  /* the first whole piece's start */
	*l = off < e - s ? s + off : e;
	skb_around(c, *r - 1, &s, &e);
	if (seq_lt(*r, e))
		*r = s + (*r - s) / mss * mss;     /* the last whole piece's end */
	return seq_lt(*l, *r);
}

/* The ACK moves snd_una to ack: a byte of [snd_una, ack) that went once
 * and was not SACKed, below the highest SACK before this ACK, filled a
 * hole late (Linux's reord in tcp_clean_rtx_queue). fack is then the
 * highest SACK still above ack, or ack. */
static void acked_reordering(struct tcp_conn *c, uint32_t ack, uint32_t prior_fack)
{
	uint32_t low = first_sent_once(c, c->snd_una, ack);

	if (seq_lt(low, ack) && seq_lt(low, prior_fack))
		check_reordering(c, low, seq_max(ack, highest_sack(c)));
}

void tcp_sack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	const struct tcp_opts *o = &s->opts;
	uint32_t ack = seq_gt(s->ack, c->snd_una) ? s->ack : c->snd_una;
	uint32_t prior_fack, reord = c->snd_max;

	if (!c->sack_ok)
		return;
	if (seq_gt(ack, c->snd_una))
		rack_newly_delivered(c, c->snd_una, ack, now);
	if (!o->nsack && !c->n_sb)
		return;                        /* nothing SACKed, before or now: no reordering */
	prior_fack = highest_sack(c);
	for (unsigned i = 0; i < o->nsack && i < TCP_SACK_MAX; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;

		if (i == 0 && is_dsack(o, ack)) {
			dsack_input(c, l, r, !seq_le(r, ack));
			continue;
		}
		/* a block must lie in what was sent and is not yet acked
		 * (Linux's tcp_is_sackblock_valid); what sticks out is cut */
		if (!seq_lt(l, r) || seq_gt(r, c->snd_max) || !seq_gt(l, c->snd_una) ||
		    seq_le(r, ack))
			continue;
		l = seq_max(l, ack);
		if (block_to_segments(c, &l, &r))
			reord = seq_min(reord, block_input(c, l, r, prior_fack, now));
	}
	/* the blocks first, then the cumulative ACK, as Linux's tcp_ack runs
	 * tcp_sacktag_write_queue before tcp_clean_rtx_queue; the SACKs'
	 * reordering is not taken in the loss state unless an undo may
	 * still come (tcp_sacktag_write_queue's undo_marker test) */
	if (seq_lt(reord, c->snd_max) && (c->ca_state != TCP_CA_LOSS || c->undo_marker))
		check_reordering(c, reord, highest_sack(c));
	if (seq_gt(ack, c->snd_una) && seq_gt(prior_fack, c->snd_una))
		acked_reordering(c, ack, prior_fack); /* something was SACKed above */
}

/* ---- the cumulative ACK moved ------------------------------------------------------------- */

/* snd_una moved: ranges and runs below it go. A range that now starts
 * at (or before) snd_una was SACKed and is still not acked: the peer
 * dropped what it SACKed (reneging, RFC 2018 8). Then, as Linux's
 * tcp_check_sack_reneging, the scoreboard goes and the RTO comes soon. */
bool tcp_sack_acked(struct tcp_conn *c, uint64_t now)
{
	unsigned n = 0;

	while (c->n_xlog && seq_le(c->xlog[0].end, c->snd_una))
		xlog_drop_first(c);
	if (seq_lt(c->rxlog_high, c->snd_una))
		c->rxlog_high = c->snd_una;    /* what the log holds below it is acked */
	while (n < c->n_sb && seq_le(c->sb[n].end, c->snd_una))
		n++;
	c->n_sb -= (uint8_t)n;
	memmove(&c->sb[0], &c->sb[n], c->n_sb * sizeof(c->sb[0]));
	if (c->n_sb && seq_le(c->sb[0].start, c->snd_una)) {
		uint64_t d = c->srtt / 16;

		c->stats.sack_reneging++;
		tcp_sack_clear(c);
		c->t_rexmit = now + (d > TCP_RENEGE_MIN_NS ? d : TCP_RENEGE_MIN_NS);
		return true;
	}
	sb_recount(c);
	if (seq_lt(c->high_rxt, c->snd_una))
		c->high_rxt = c->snd_una;
	if (seq_lt(c->lost_high, c->snd_una))
		c->lost_high = c->snd_una;
	if (seq_lt(c->rack_end, c->snd_una))
		c->rack_end = c->snd_una;
	return false;
}

/* ---- the tail loss probe (RFC 8985 7) --------------------------------------------------- */

/* The probe's ACK came (Linux's tcp_process_tlp_ack): a retransmitted
 * probe that was not D-SACKed repaired a loss, and the window is cut
 * as a recovery would have cut it. */
static void tlp_ack(struct tcp_conn *c)
{
	if (!c->tlp_out || seq_lt(c->snd_una, c->tlp_high))
		return;
	if (c->tlp_rxt && !c->tlp_dsacked) {
		tcp_cc_reduce(c);
		c->stats.loss_probe_recovery++;
	}
	c->tlp_out = false;
}

void tcp_tlp_arm(struct tcp_conn *c, uint64_t now)
{
	uint64_t pto;

	c->t_tlp = TCP_NO_DEADLINE;
	if (!c->sack_ok || !c->srtt || c->ca_state != TCP_CA_OPEN || c->tlp_out ||
	    c->snd_una == c->snd_max || c->t_rexmit == TCP_NO_DEADLINE || c->snd_nxt != c->snd_max)
		return;
	/* Linux's tcp_schedule_loss_probe: two SRTTs and a margin, the
	 * peer's delayed ACK (TCP_RTO_MIN) for a lone segment, else
	 * TCP_TIMEOUT_MIN (RFC 8985 7.2's is a floor, Linux's an addend) */
	pto = 2 * c->srtt + (tcp_flight(c) <= c->snd_mss ? TCP_RTO_MIN_NS : TCP_TLP_MIN_NS);
	/* never after the RTO: at its time the probe goes instead (Linux) */
	c->t_tlp = now + pto < c->t_rexmit ? now + pto : c->t_rexmit;
}

/* ---- after an ACK ------------------------------------------------------------------------- */

/* What this ACK delivered: snd_una's move and the SACKed bytes' change
 * (RFC 6937's DeliveredData). */
static uint32_t delivered_now(struct tcp_conn *c)
{
	uint32_t d = (c->snd_una - c->prr_una) + c->sacked_bytes - c->prr_sacked;

	c->prr_una = c->snd_una;
	c->prr_sacked = c->sacked_bytes;
	return (int32_t)d > 0 ? d : 0;
}

void tcp_sack_ack_done(struct tcp_conn *c, bool acked, uint64_t now)
{
	bool una_moved = c->snd_una != c->prr_una;
	uint32_t delivered = delivered_now(c), lost_before = c->lost_high;
	bool entered = false;

	if (!c->sack_ok || c->ca_state == TCP_CA_LOSS) {
		tcp_tlp_arm(c, now);
		return;
	}
	tlp_ack(c);
	mark_lost(c, now);
	if ((c->ca_state == TCP_CA_OPEN || c->ca_state == TCP_CA_DISORDER) &&
	    seq_gt(c->lost_high, c->snd_una) && unsacked_in(c, c->snd_una, c->lost_high)) {
		tcp_undo_mark(c);
		tcp_cc_enter_recovery(c);
		if (c->reo_persist && !--c->reo_persist)
			c->reo_steps = 1;      /* recoveries without a D-SACK: back to one quarter */
		c->high_rxt = c->snd_una;
		c->rxt_force = true;
		c->t_tlp = TCP_NO_DEADLINE;
		c->tlp_out = false;            /* the recovery takes over (Linux's tcp_init_cwnd_reduction) */
		c->stats.sack_recovery++;
		entered = true;
	} else if (c->ca_state == TCP_CA_OPEN && c->n_sb) {
		c->ca_state = TCP_CA_DISORDER;
	} else if (c->ca_state == TCP_CA_DISORDER && !c->n_sb) {
		c->ca_state = TCP_CA_OPEN;
	}
	/* Only data delivered moves the window (Linux's tcp_cwnd_reduction
	 * returns without): a loss found with nothing delivered (the
	 * reordering timer, an ACK that says nothing new) goes into the room
	 * its marking made in the window the last delivery set. Entering
	 * recovery always sends the first retransmission. */
	if (c->ca_state == TCP_CA_RECOVERY && (delivered || entered))
		tcp_cc_prr(c, delivered, tcp_pipe(c), una_moved && !seq_gt(c->lost_high, lost_before));
	if (c->ca_state == TCP_CA_OPEN && !seq_lt(c->snd_una, c->rxlog_high))
		c->undo_stamp = 0;             /* no retransmission is out (Linux's tcp_try_to_open) */
	/* Linux moves an armed probe only for an ACK that acked data
	 * (tcp_ack's FLAG_SET_XMIT_TIMER): a duplicate leaves it be */
	if (acked || c->ca_state != TCP_CA_OPEN || c->t_tlp == TCP_NO_DEADLINE)
		tcp_tlp_arm(c, now);
}

void tcp_reo_fire(struct tcp_conn *c, uint64_t now)
{
	if (!c->sack_ok || c->snd_una == c->snd_max)
		return;
	tcp_sack_ack_done(c, false, now);
	tcp_output(c, now);
}

void tcp_sack_rto(struct tcp_conn *c)
{
	tcp_sack_clear(c);
	c->tlp_out = false;
	c->t_tlp = TCP_NO_DEADLINE;
	c->rxt_force = false;
}
