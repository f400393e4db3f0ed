// SPDX-License-Identifier: MIT
/*
 * Kestrel: segment arrival, RFC 9293 3.10.7 in its order: CLOSED,
 * LISTEN, SYN-SENT, then the synchronized states' checks one by one
 * (PAWS, sequence, RST, SYN, ACK, URG, text, FIN) and the decision to
 * ACK now or later. Where Linux's tcp_input.c differs from the RFC the
 * code does what Linux does, and says so: a peer observes Linux.
 * Nothing in a segment is trusted: every field goes through a check
 * before it moves state, and sequence numbers are compared modulo 2^32.
 */
#include "lib/errno.h"
#include "net/tcp_priv.h"

enum ack_when { ACK_NONE, ACK_LATER, ACK_NOW, ACK_BATCH /* now, or at the batch's end */ };

/* The sequence space a segment occupies: its SYN, data and FIN. */
static uint32_t seg_len(const struct tcp_seg *s)
{
	return s->payload_len + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN);
}

/*
 * An ACK for a segment that was not acceptable, at most one per 500 ms
 * for segments without data (Linux's tcp_oow_rate_limited, which breaks
 * ACK loops); challenge ACKs (RFC 5961) share the limit, as in Linux.
 */
static bool oow_rate_limited(const struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	return (!s->payload_len || (s->flags & TCP_SYN)) && c->last_oow_ack &&
	       now - c->last_oow_ack < TCP_OOW_RATE_NS;
}

static bool oow_ack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (!s->payload_len || (s->flags & TCP_SYN)) {
		if (c->last_oow_ack && now - c->last_oow_ack < TCP_OOW_RATE_NS)
			return false;
		c->last_oow_ack = now ? now : 1;
	}
	tcp_send_ack(c, now);
	return true;
}

static void challenge_ack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (oow_ack(c, s, now))
		c->stats.challenge_acks++;
}

/* ---- LISTEN and SYN-SENT ------------------------------------------------------- */

/* RFC 9293 3.10.7.2: a RST is ignored, an ACK answered with a reset, a
 * SYN is for the caller to accept. */
static enum tcp_verdict listen_input(const struct tcp_seg *s)
{
	if (s->flags & TCP_RST)
		return TCP_IN_DONE;
	if (s->flags & TCP_ACK)
		return TCP_IN_RESET;
	if (s->flags & TCP_SYN)
		return TCP_IN_SYN;
	return TCP_IN_DONE;
}

/* The receive side starts at the peer's SYN. */
static void init_rcv(struct tcp_conn *c, uint32_t irs)
{
	c->irs = irs;
	c->rcv_nxt = c->copied_seq = c->rcv_wup = c->rcv_adv = irs + 1;
}

/* The peer's SYN's window (never scaled) and the start of the window updates. */
static void init_snd_wnd(struct tcp_conn *c, const struct tcp_seg *s)
{
	c->snd_wnd = c->max_window = s->window;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
}

/*
 * A SYN-ACK acking our SYN: ESTABLISHED. The RTT of the SYN is a sample
 * if it was not retransmitted. Data on a SYN-ACK is dropped, as Linux
 * does without Fast Open (the peer sends it again).
 */
static void synack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	init_rcv(c, s->seq);
	tcp_negotiate(c, &s->opts);
	init_snd_wnd(c, s);
	c->snd_una = s->ack;
	if (c->rtt_timing)
		tcp_rtt_sample(c, now - c->rtt_start);
	c->rtt_timing = false;
	c->retransmits = 0;
	c->err_soft = 0;                   /* tcp_ack's, as in ack_input */
	tcp_rexmit_stop(c);
	/* last_data_recv from the handshake's end, as Linux's lrcvtime
	 * (tcp_finish_connect): TCP_INFO's tcpi_last_data_recv before any data */
	c->last_rcv = c->last_ack_recv = c->last_data_recv = now;
	if (c->ts_ok) {
		c->ts_recent = s->opts.ts_val;
		c->ts_recent_stamp = now;
	}
	tcp_set_state(c, TCPS_ESTABLISHED);
	tcp_sndbuf_init(c);
	tcp_keepalive_arm(c, now);
	tcp_raise(c, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
	tcp_send_ack(c, now);
	tcp_output(c, now);
}

/* A SYN crossing ours (simultaneous open, or a connect to itself):
 * SYN-RECEIVED, answered with a SYN-ACK of our ISS (Linux's and RFC's). */
static void crossed_syn_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	init_rcv(c, s->seq);
	tcp_negotiate(c, &s->opts);
	init_snd_wnd(c, s);
	if (c->ts_ok) {
		c->ts_recent = s->opts.ts_val;
		c->ts_recent_stamp = now;
	}
	c->last_rcv = now;
	tcp_set_state(c, TCPS_SYN_RECV);
	tcp_send_syn(c, now);
}

/* RFC 9293 3.10.7.3 (Linux's tcp_rcv_synsent_state_process). */
static enum tcp_verdict synsent_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	bool ack = s->flags & TCP_ACK;

	if (ack && (seq_le(s->ack, c->iss) || seq_gt(s->ack, c->snd_max))) {
		if (!(s->flags & TCP_RST))
			tcp_send_rst(c, s->ack, false, now);
		c->stats.bad_ack++;
		return TCP_IN_DONE;
	}
	if (s->flags & TCP_RST) {
		c->stats.rst_in++;
		if (ack)
			tcp_fail(c, ECONNREFUSED);
		return TCP_IN_DONE;
	}
	if (!(s->flags & TCP_SYN))
		return TCP_IN_DONE;
	if (ack)
		synack_input(c, s, now);
	else
		crossed_syn_input(c, s, now);
	return TCP_IN_DONE;
}

/* ---- the checks before the ACK (Linux's tcp_validate_incoming) ------------------- */

/* RFC 7323 5 (PAWS), as Linux's tcp_paws_check: a TSval older than
 * ts_recent by more than 1, unless ts_recent is unset or 24 days old. */
static bool paws_reject(const struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (!c->ts_ok || !s->opts.has_ts || !c->ts_recent)
		return false;
	if ((int32_t)(c->ts_recent - s->opts.ts_val) <= TCP_PAWS_WINDOW)
		return false;
	return now < c->ts_recent_stamp + TCP_PAWS_24DAYS;
}

/* Linux's tcp_sequence: not wholly before the last window edge we sent
 * from (rcv_wup), and not starting past the advertised edge. A segment
 * at the edge of a zero window passes here; its data is dropped later. */
static bool seq_acceptable(const struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t end = s->seq + seg_len(s);

	return !seq_lt(end, c->rcv_wup) && !seq_gt(s->seq, c->rcv_adv);
}

/* The error a reset brings, by state (Linux's tcp_reset). */
static void reset_input(struct tcp_conn *c)
{
	if (c->state == TCPS_TIME_WAIT || (c->state == TCPS_SYN_RECV && c->passive)) {
		tcp_done(c);
		return;
	}
	tcp_fail(c, c->state == TCPS_CLOSE_WAIT ? EPIPE : ECONNRESET);
}

/*
 * RFC 5961 3.2: a reset exactly at rcv_nxt ends the conn (or at
 * rcv_nxt - 1 once the peer's FIN is in, Linux's tcp_reset_check); one
 * elsewhere in the window gets a challenge ACK.
 */
static void rst_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	bool after_fin = s->seq == c->rcv_nxt - 1 &&
			 (c->state == TCPS_CLOSE_WAIT || c->state == TCPS_LAST_ACK ||
			  c->state == TCPS_CLOSING);

	c->stats.rst_in++;
	if (s->seq == c->rcv_nxt || after_fin)
		reset_input(c);
	else
		challenge_ack(c, s, now);
}

/* Linux lets the peer's SYN-ACK through in a simultaneous open's
 * SYN-RECEIVED (tcp_validate_incoming's "pass"). */
static bool crossed_synack(const struct tcp_conn *c, const struct tcp_seg *s)
{
	return c->state == TCPS_SYN_RECV && !c->passive && (s->flags & TCP_ACK) &&
	       !s->payload_len && !(s->flags & TCP_FIN) && s->seq + 1 == c->rcv_nxt &&
	       s->ack == c->snd_max;
}

/* Linux's tcp_replace_ts_recent: a newer TSval from a segment that is
 * not after what we last acked becomes the one to echo (RFC 7323 4.3). */
static void update_ts_recent(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (!c->ts_ok || !s->opts.has_ts || seq_gt(s->seq, c->rcv_wup))
		return;
	if ((int32_t)(s->opts.ts_val - c->ts_recent) >= 0 ||
	    now >= c->ts_recent_stamp + TCP_PAWS_24DAYS) {
		c->ts_recent = s->opts.ts_val;
		c->ts_recent_stamp = now;
	}
}

/* ---- the ACK (step 5, Linux's tcp_ack) ----------------------------------------------- */

/* Linux's tcp_may_update_window and tcp_ack_update_window: a window that
 * changes with data queued unsent restarts an idle connection's cwnd as
 * new data would (tcp_slow_start_after_idle_check there too). */
static void window_update(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	uint32_t nwin = (uint32_t)s->window << c->snd_wscale;

	if (!(seq_gt(s->ack, c->snd_una) || seq_gt(s->seq, c->snd_wl1) ||
	      (s->seq == c->snd_wl1 && (nwin > c->snd_wnd || !nwin))))
		return;
	if (!c->snd_wnd && nwin && c->t_persist != TCP_NO_DEADLINE)
		c->backoff = 0;    /* the window opened: the probe's backoff goes (tcp_ack_probe) */
	bool changed = nwin != c->snd_wnd;
	c->snd_wnd = nwin;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	if (changed && tcp_has_unsent(c))
		tcp_cc_idle_restart(c, now);
	if (nwin > c->max_window)
		c->max_window = nwin;
}

/* An RTT sample from the ACK of new data: the timed segment (Karn: it
 * was not retransmitted), else the echoed timestamp (RFC 7323 4.1). */
static void ack_rtt(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (c->rtt_timing && seq_gt(s->ack, c->rtt_seq)) {
		c->rtt_timing = false;
		tcp_rtt_sample(c, now - c->rtt_start);
		return;
	}
	if (c->ts_ok && s->opts.has_ts && s->opts.ts_ecr) {
		int32_t ms = (int32_t)(tcp_ts_now(c, now) - s->opts.ts_ecr);

		if (ms >= 0 && (uint64_t)ms * TCP_NS_PER_MS <= TCP_RTO_MAX_NS)
			tcp_rtt_sample(c, (uint64_t)(ms ? ms : 1) * TCP_NS_PER_MS);
	}
}

/* Drop the acked bytes from the send ring (the SYN and FIN take no room). */
static void ack_free_ring(struct tcp_conn *c, uint32_t ack)
{
	uint32_t n;

	if (!seq_gt(ack, c->snd_ring_seq))
		return;
	n = ack - c->snd_ring_seq;
	if (n > c->snd.len)
		n = c->snd.len;
	ring_drop(&c->snd, n);
	c->snd_ring_seq += n;
	c->bytes_acked += n;
	if (n)
		tcp_raise(c, TCP_EV_WRITABLE);
}

/* snd_una moves to ack: free, time, grow the window, rearm the RTO. */
static void new_ack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	uint32_t acked = s->ack - c->snd_una;

	if (c->snd_una == c->iss && acked)
		acked--;                       /* the SYN takes no window */
	ack_free_ring(c, s->ack);
	c->snd_una = s->ack;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	bool reneged = tcp_sack_acked(c, now);
	if (c->urg_send && seq_ge(c->snd_una, c->snd_up))
		c->urg_send = false;
	ack_rtt(c, s, now);
	c->retransmits = 0;
	tcp_sack_try_undo(c);
	bool rexmit = tcp_cc_ack(c, acked, now);
	if (c->snd_una == c->snd_max)
		tcp_rexmit_stop(c);
	else if (!reneged)             /* reneging set a short one */
		tcp_rexmit_arm(c, now);
	if (rexmit)
		tcp_retransmit_head(c, now);
}

/*
 * A duplicate ACK: nothing new acked, no data, no SYN/FIN, data
 * outstanding and a window open. RFC 5681 2 also asks for the same
 * window, but a Linux receiver grows its window in the duplicate ACKs it
 * sends for out-of-order data (tcp_grow_window from tcp_data_queue_ofo):
 * to a sender without SACK that rule turns every loss into a timeout
 * (measured through tests/boot/netrelay.py: 5% loss, every recovery an
 * RTO). So the window's change is not asked about, as RFC 6675 does not;
 * a pure window update during a loss counts as one duplicate, and three
 * in a row before new data is acked cost one early retransmission. A
 * closed window is left alone: its ACKs answer zero-window probes.
 */
static void maybe_dupack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (c->sack_ok)
		return;                        /* the SACK blocks say what is lost (tcp_sack.c) */
	if (s->payload_len || (s->flags & (TCP_SYN | TCP_FIN)) || !c->snd_wnd ||
	    c->snd_una == c->snd_max)
		return;
	if (tcp_cc_dupack(c))
		tcp_retransmit_head(c, now);
}

/* Our FIN is acked: the closing states move on (RFC 9293 3.10.7.4
 * step 5). False when the conn ended. */
static bool fin_acked(struct tcp_conn *c, uint64_t now)
{
	switch (c->state) {
	case TCPS_FIN_WAIT1:
		tcp_set_state(c, TCPS_FIN_WAIT2);
		tcp_fin_wait2_arm(c, now);
		return true;
	case TCPS_CLOSING:
		tcp_enter_time_wait(c, now);
		return true;
	case TCPS_LAST_ACK:
		tcp_done(c);
		return false;
	default:
		return true;
	}
}

/* SYN-RECEIVED: an ACK of our SYN completes the handshake. */
static bool synrecv_ack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (seq_le(s->ack, c->snd_una) || seq_gt(s->ack, c->snd_max)) {
		tcp_send_rst(c, s->ack, false, now);
		c->stats.bad_ack++;
		return false;
	}
	if (c->rtt_timing)
		tcp_rtt_sample(c, now - c->rtt_start);
	c->rtt_timing = false;
	tcp_set_state(c, TCPS_ESTABLISHED);
	c->last_data_recv = now; /* as Linux's lrcvtime for the child (tcp_create_openreq_child) */
	c->snd_wnd = (uint32_t)s->window << c->snd_wscale;
	c->max_window = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	tcp_sndbuf_init(c);
	tcp_keepalive_arm(c, now);
	tcp_raise(c, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
	return true;
}

/*
 * An ACK field that step 5 refuses (Linux 6.1's tcp_ack returning 0 or
 * less): the segment is dropped. One older than the largest window (no
 * more than what was ever acked) gets a challenge ACK in every state
 * (RFC 5961 5.2). One of data never sent is dropped silently in
 * ESTABLISHED (6.1's tcp_rcv_established; later kernels answer it with
 * a challenge ACK), and one merely old is let through there. In
 * the other synchronized states (6.1's tcp_rcv_state_process, its ACK
 * not "acceptable") both get a challenge ACK. Returns false to drop.
 */
static bool bad_ack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	uint64_t old_ok = c->max_window < c->bytes_acked ? c->max_window : c->bytes_acked;
	bool old = seq_lt(s->ack, c->snd_una);
	bool too_old = old && seq_lt(s->ack, c->snd_una - (uint32_t)old_ok);

	if (c->state == TCPS_ESTABLISHED && old && !too_old)
		return true;
	c->stats.bad_ack++;
	if (c->state != TCPS_ESTABLISHED || too_old)
		challenge_ack(c, s, now);
	return false;
}

/*
 * Step 5. Returns false when the segment is to be dropped (or the conn
 * ended): an ACK of something never sent or older than snd_una goes to
 * bad_ack_input, which says whether the rest of the segment counts.
 */
static bool ack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (c->state == TCPS_SYN_RECV && !synrecv_ack(c, s, now))
		return false;
	if (seq_gt(s->ack, c->snd_max) || seq_lt(s->ack, c->snd_una))
		return bad_ack_input(c, s, now);
	update_ts_recent(c, s, now);       /* only now is the segment known to be good (Linux) */
	c->probes_out = 0;
	c->err_soft = 0;                   /* Linux's tcp_ack: something worked */
	c->last_ack_recv = now;
	window_update(c, s, now);
	c->rcv_tsecr = c->ts_ok && s->opts.has_ts ? s->opts.ts_ecr : 0;
	tcp_sack_input(c, s, now);
	bool acked = seq_gt(s->ack, c->snd_una);
	if (acked)
		new_ack(c, s, now);
	else
		maybe_dupack(c, s, now);
	tcp_sack_ack_done(c, acked, now);
	if (c->fin_sent && seq_gt(c->snd_una, tcp_fin_seq(c)))
		return fin_acked(c, now);
	return true;
}

/* ---- URG (step 6, Linux's tcp_check_urg) ------------------------------------------- */

/* Linux points the urgent pointer one past the urgent byte (tcp_stdurg 0). */
static void urg_input(struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t ptr = s->urg_ptr;

	if (!(s->flags & TCP_URG) || c->fin_rcvd)
		return;
	if (ptr)
		ptr--;
	ptr += s->seq;
	if (seq_gt(c->copied_seq, ptr) || seq_lt(ptr, c->rcv_nxt))
		return;                        /* read already, or not to be replayed */
	if (c->urg != TCP_URG_NONE && !seq_gt(ptr, c->urg_seq))
		return;
	c->urg = TCP_URG_NOTYET;
	c->urg_seq = ptr;
	tcp_raise(c, TCP_EV_URGENT);
}

/* The urgent byte arrived in order: keep it aside (it stays in the ring,
 * where tcp_recv skips it unless SO_OOBINLINE). */
static void urg_capture(struct tcp_conn *c)
{
	if (c->urg != TCP_URG_NOTYET || !seq_lt(c->urg_seq, c->rcv_nxt) || !c->rcv.buf)
		return; /* no ring: an orphan's, released */
	ring_read(&c->rcv, c->urg_seq - c->copied_seq, &c->urg_byte, 1);
	c->urg = TCP_URG_VALID;
}

/* ---- text and FIN (steps 7 and 8) ---------------------------------------------------- */

/* The peer's FIN is next in order (Linux's tcp_fin). The ACK of a FIN
 * that takes us to CLOSE-WAIT is delayed (Linux enters pingpong mode,
 * hoping to carry it on our own FIN); in FIN-WAIT it goes at once. */
static enum ack_when fin_input(struct tcp_conn *c, uint64_t now)
{
	c->rcv_nxt++;
	c->fin_rcvd = true;
	c->ofo_fin = false;
	c->n_ofo = 0;                      /* Linux drops data after a FIN */
	tcp_raise(c, TCP_EV_READABLE);
	switch (c->state) {
	case TCPS_SYN_RECV:
	case TCPS_ESTABLISHED:
		tcp_set_state(c, TCPS_CLOSE_WAIT);
		c->quick = 0;
		return ACK_LATER;
	case TCPS_FIN_WAIT1:
		tcp_set_state(c, TCPS_CLOSING);
		return ACK_NOW;
	case TCPS_FIN_WAIT2:
		tcp_send_ack(c, now);
		tcp_enter_time_wait(c, now);
		return ACK_NONE;
	default:
		return ACK_NOW;
	}
}

/*
 * The receiver's RTT from a full segment's echoed timestamp (Linux's
 * tcp_rcv_rtt_measure_ts): our clock now less the TSval the sender last
 * had from us, at least a millisecond, smoothed by 1/8 (tcp_rcv_rtt_update).
 */
static void rcv_rtt_measure(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (!c->ts_ok || !s->opts.has_ts || !s->opts.ts_ecr || s->payload_len < c->rcv_mss)
		return;
	int32_t ms = (int32_t)(tcp_ts_now(c, now) - s->opts.ts_ecr);
	if (ms < 0 || (uint32_t)ms > TCP_RTO_MAX_NS / TCP_NS_PER_MS)
		return; /* an echo we never sent */
	uint64_t rtt = (ms ? (uint64_t)ms : 1) * TCP_NS_PER_MS;
	c->rcv_rtt = c->rcv_rtt ? c->rcv_rtt - c->rcv_rtt / 8 + rtt / 8 : rtt;
}

/* Data arrived in order: counters, the receive MSS estimate, quick-ACK
 * mode at the first data (Linux's tcp_event_data_recv), the urgent byte. */
static void data_arrived(struct tcp_conn *c, uint32_t len, uint64_t now)
{
	c->bytes_received += len;
	c->last_data_recv = now;
	if (len > c->rcv_mss)
		c->rcv_mss = len < c->advmss ? (uint16_t)len : c->advmss;
	if (!c->quick_init) {
		uint32_t q = tcp_rcv_wnd_now(c) / (2u * c->rcv_mss);

		c->quick_init = true;
		c->quick = (uint8_t)(q < 2 ? 2 : q > TCP_MAX_QUICKACKS ? TCP_MAX_QUICKACKS : q);
	}
	urg_capture(c);
	tcp_raise(c, TCP_EV_READABLE);
}

/*
 * Linux's __tcp_ack_snd_check: at once after more than one full segment
 * or in quick-ACK mode (which pingpong mode suspends: Linux's
 * tcp_in_quickack_mode), else delayed; "at once" is the batch's end
 * within a receive batch (tcp_input_batched). Linux also asks that the window
 * not be shrinking, which its rcv_ssthresh (a window grown slowly below
 * the free space) makes true in practice; here the window is the free
 * space itself, so that test would delay every ACK of an unread stream,
 * and is left out.
 */
static enum ack_when ack_for_data(const struct tcp_conn *c)
{
	if (!(c->quick && !c->pingpong) && c->rcv_nxt - c->rcv_wup <= c->rcv_mss)
		return ACK_LATER;
	if (c->in_batch && c->rcv_nxt - c->rcv_wup < TCP_BATCH_ACK_BYTES)
		return ACK_BATCH;
	return ACK_NOW;
}

/* Linux resets a conn whose reading side is shut (closed by its owner)
 * when new data arrives in FIN-WAIT (tcp_rcv_state_process, RFC 1122 4.2.2.13). */
static bool abort_on_data(struct tcp_conn *c, const struct tcp_seg *s, uint32_t seq,
			  uint32_t len, uint64_t now)
{
	if (!c->rcv_shut || !len || !seq_gt(seq + len, c->rcv_nxt))
		return false;
	if (c->state != TCPS_FIN_WAIT1 && c->state != TCPS_FIN_WAIT2)
		return false;
	tcp_send_rst(c, (s->flags & TCP_ACK) ? s->ack : c->snd_max, false, now);
	tcp_fail(c, ECONNRESET);
	return true;
}

/* A FIN after the data but out of order: remembered, and nothing past it is kept. */
static void ofo_fin_note(struct tcp_conn *c, uint32_t fin_seq)
{
	if (c->ofo_fin && seq_le(c->ofo_fin_seq, fin_seq))
		return;
	c->ofo_fin = true;
	c->ofo_fin_seq = fin_seq;
	while (c->n_ofo && seq_ge(c->ofo[c->n_ofo - 1].start, fin_seq))
		c->n_ofo--;
	if (c->n_ofo && seq_gt(c->ofo[c->n_ofo - 1].end, fin_seq))
		c->ofo[c->n_ofo - 1].end = fin_seq;
}

/* A segment's payload and FIN, as they are trimmed to what can be taken. */
struct piece {
	uint32_t seq, len;
	const uint8_t *p;
	bool fin;
};

/* A segment wholly before rcv_nxt (Linux's tcp_send_dupack): ACKed at
 * once, its part before rcv_nxt reported as a D-SACK (RFC 2883 4.1.1),
 * which tells the sender its retransmission was spurious. */
static int dup_segment(struct tcp_conn *c, const struct piece *x)
{
	uint32_t end = x->seq + x->len + x->fin;

	tcp_dsack_set(c, x->seq, seq_min(end, c->rcv_nxt));
	return ACK_NOW;
}

/* A segment with nothing new to place: when to ACK it (ACK_NONE or
 * ACK_NOW); -1 when it does bring something. */
static int nothing_new(struct tcp_conn *c, const struct tcp_seg *s, const struct piece *x,
		       uint64_t now)
{
	uint32_t end = x->seq + x->len;

	if (!x->len && !x->fin)
		return ACK_NONE;
	if (c->fin_rcvd) {
		if (seq_ge(x->seq, c->rcv_nxt))
			return ACK_NONE;       /* after the FIN: Linux ignores it */
		return dup_segment(c, x);
	}
	if (abort_on_data(c, s, x->seq, x->len, now))
		return ACK_NONE;
	if (seq_lt(end, c->rcv_nxt) || (end == c->rcv_nxt && !x->fin))
		return dup_segment(c, x);
	return -1;
}

/*
 * Trim x to start at rcv_nxt and to end where the ring ends (or where
 * a FIN that came early says the stream ends). False when nothing is
 * left to take: a zero window takes no data (Linux's out_of_window).
 */
static bool trim(const struct tcp_conn *c, struct piece *x)
{
	uint32_t end = x->seq + x->len, limit = tcp_rcv_limit(c);

	if (seq_lt(x->seq, c->rcv_nxt)) {
		x->p += c->rcv_nxt - x->seq;
		x->len -= c->rcv_nxt - x->seq;
		x->seq = c->rcv_nxt;
	}
	if (x->len && !tcp_rcv_wnd_now(c))
		return false;
	if (c->ofo_fin && seq_lt(c->ofo_fin_seq, limit))
		limit = c->ofo_fin_seq;
	if (seq_gt(end, limit)) {
		if (seq_ge(x->seq, limit))
			return false;
		x->len = limit - x->seq;
		x->fin = false;
	}
	return true;
}

/*
 * Steps 7 and 8: put the payload in its place, in order or as an
 * island, and take the FIN when everything before it is in. Returns
 * when to ACK: at once for anything out of order or a hole filled (RFC
 * 5681 4.2), else as Linux's __tcp_ack_snd_check decides.
 */
static enum ack_when data_input(struct tcp_conn *c, const struct tcp_seg *s, const uint8_t *p,
				uint64_t now)
{
	struct piece x = { s->seq + !!(s->flags & TCP_SYN), s->payload_len, p, s->flags & TCP_FIN };
	uint32_t prev = c->rcv_nxt, end;
	int w = nothing_new(c, s, &x, now);

	if (w >= 0)
		return (enum ack_when)w;
	if (seq_lt(x.seq, c->rcv_nxt))
		tcp_dsack_set(c, x.seq, c->rcv_nxt); /* partly old: RFC 2883 4.1.1 */
	if (!trim(c, &x))
		return ACK_NOW;
	rcv_rtt_measure(c, s, now);
	end = x.seq + x.len;
	tcp_rcv_store(c, x.seq, x.p, x.len);
	if (c->rcv_nxt != prev)
		data_arrived(c, c->rcv_nxt - prev, now);
	if (x.fin && end != c->rcv_nxt)
		ofo_fin_note(c, end);
	if ((x.fin && end == c->rcv_nxt) || (c->ofo_fin && c->ofo_fin_seq == c->rcv_nxt))
		return fin_input(c, now);
	if (x.seq != prev || c->n_ofo || (prev != c->rcv_nxt && seq_gt(c->rcv_nxt, end)))
		return ACK_NOW;
	return ack_for_data(c);
}

/* ---- the synchronized states --------------------------------------------------------- */

/* A new SYN past the old conn (by sequence or timestamp) may take its place. */
static bool tw_new_syn(const struct tcp_conn *c, const struct tcp_seg *s)
{
	if ((s->flags & (TCP_SYN | TCP_RST | TCP_ACK)) != TCP_SYN)
		return false;
	return seq_gt(s->seq, c->rcv_nxt) ||
	       (c->ts_ok && s->opts.has_ts && (int32_t)(c->ts_recent - s->opts.ts_val) < 0);
}

/*
 * TIME-WAIT, as Linux's tcp_timewait_state_process: a bare ACK or a
 * reset exactly at rcv_nxt (the reset ends it: tcp_rfc1337 is 0), a new
 * SYN that may reopen the connection (RFC 1122 4.2.2.13), and for
 * anything else a rate-limited ACK, the 60 s starting again if it
 * carried an ACK (a retransmitted FIN: our last ACK was lost).
 */
static enum tcp_verdict tw_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	bool paws = paws_reject(c, s, now);

	if (!paws && s->seq == c->rcv_nxt && (!seg_len(s) || (s->flags & TCP_RST))) {
		if (s->flags & TCP_RST)
			tcp_done(c);
		else
			c->t_wait = now + TCP_TIMEWAIT_NS;
		return TCP_IN_DONE;
	}
	if (!paws && tw_new_syn(c, s)) {
		c->tw_next_iss = c->snd_max + 65535 + 2;
		tcp_done(c);
		return TCP_IN_TW_SYN;
	}
	if (s->flags & TCP_RST)
		return TCP_IN_DONE;
	if (paws || (s->flags & TCP_ACK))
		c->t_wait = now + TCP_TIMEWAIT_NS;
	if (!c->last_oow_ack || now - c->last_oow_ack >= TCP_OOW_RATE_NS) {
		c->last_oow_ack = now ? now : 1;
		tcp_send_ack(c, now);
	}
	return TCP_IN_DONE;
}

/* A segment wholly before the window (Linux's tcp_send_dupack from
 * tcp_validate_incoming): its data before rcv_nxt is a D-SACK in the ACK. */
static void old_dupack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	uint32_t end = s->seq + seg_len(s);

	if (!(s->flags & TCP_SYN) && seq_lt(s->seq, end) && seq_lt(s->seq, c->rcv_nxt) &&
	    !oow_rate_limited(c, s, now))
		tcp_dsack_set(c, s->seq, seq_min(end, c->rcv_nxt));
	oow_ack(c, s, now);
}

/* Checks 1-4 (Linux's tcp_validate_incoming). False: the segment is done with. */
static bool validate(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
	if (paws_reject(c, s, now) && !(s->flags & TCP_RST)) {
		c->stats.paws_drop++;
		if (s->flags & TCP_SYN)
			challenge_ack(c, s, now);
		else
			old_dupack(c, s, now);
		return false;
	}
	if (!seq_acceptable(c, s)) {
		c->stats.bad_seq++;
		if (!(s->flags & TCP_RST))
			old_dupack(c, s, now);
		return false;
	}
	if (s->flags & TCP_RST) {
		rst_input(c, s, now);
		return false;
	}
	if ((s->flags & TCP_SYN) && !crossed_synack(c, s)) {
		challenge_ack(c, s, now);
		return false;
	}
	return (s->flags & TCP_ACK) != 0;
}

static enum tcp_verdict synced_input(struct tcp_conn *c, const struct tcp_seg *s,
				     const uint8_t *p, uint64_t now)
{
	enum ack_when when;
	uint32_t una = c->snd_una;

	if (c->state == TCPS_SYN_RECV && c->passive &&
	    (s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && s->seq == c->irs) {
		if (!c->last_oow_ack || now - c->last_oow_ack >= TCP_OOW_RATE_NS) {
			c->last_oow_ack = now ? now : 1;
			tcp_send_syn(c, now);   /* the SYN again: our SYN-ACK was lost */
		}
		return TCP_IN_DONE;
	}
	if (!validate(c, s, now))
		return TCP_IN_DONE;
	if (!ack_input(c, s, now) || c->state == TCPS_CLOSE)
		return TCP_IN_DONE;
	c->last_rcv = now;
	urg_input(c, s);
	when = data_input(c, s, p, now);
	if (c->state == TCPS_CLOSE)
		return TCP_IN_DONE;
	if (when != ACK_NONE)
		c->ack_pending = true;
	tcp_output(c, now);
	if (c->snd_una != una)
		tcp_check_space(c);            /* Linux's tcp_data_snd_check: output, then space */
	if (c->ack_pending && when == ACK_NOW)
		tcp_send_ack(c, now);
	else if (c->ack_pending && when == ACK_BATCH)
		c->ack_batched = true;
	else if (c->ack_pending && when == ACK_LATER)
		tcp_delack_arm(c, now);
	return TCP_IN_DONE;
}

enum tcp_verdict tcp_input(struct tcp_conn *c, const struct tcp_seg *s, const uint8_t *payload,
			   uint64_t now)
{
	c->stats.segs_in++;
	if (s->payload_len > TCP_MAX_SEG_LEN || (s->payload_len && !payload))
		return TCP_IN_DONE;
	switch (c->state) {
	case TCPS_CLOSE:
		return (s->flags & TCP_RST) ? TCP_IN_DONE : TCP_IN_RESET;
	case TCPS_LISTEN:
		return listen_input(s);
	case TCPS_SYN_SENT:
		return synsent_input(c, s, now);
	case TCPS_TIME_WAIT:
		return tw_input(c, s, now);
	default:
		return synced_input(c, s, payload, now);
	}
}

enum tcp_verdict tcp_input_batched(struct tcp_conn *c, const struct tcp_seg *s, const uint8_t *payload,
				   uint64_t now)
{
	c->in_batch = true;
	enum tcp_verdict v = tcp_input(c, s, payload, now);
	c->in_batch = false;
	return v;
}

void tcp_ack_batch_end(struct tcp_conn *c, uint64_t now)
{
	if (!c->ack_batched)
		return;
	c->ack_batched = false;
	if (c->ack_pending && tcp_synced(c))
		tcp_send_ack(c, now);
}

bool tcp_reset_reply(const struct tcp_seg *in, struct tcp_seg *out)
{
	struct tcp_seg r = { .sport = in->dport, .dport = in->sport };

	if (in->flags & TCP_RST)
		return false;
	if (in->flags & TCP_ACK) {
		r.seq = in->ack;
		r.flags = TCP_RST;
	} else {
		r.ack = in->seq + seg_len(in);
		r.flags = TCP_RST | TCP_ACK;
	}
	*out = r;
	return true;
}
