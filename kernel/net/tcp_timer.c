// SPDX-License-Identifier: MIT
/*
 * Kestrel: the TCP engine's timers and its RTT estimator. A conn has
 * seven deadlines (retransmission, persist, delayed ACK, keepalive,
 * TIME-WAIT or the orphaned FIN-WAIT-2's timeout, RACK's reordering
 * timer and the tail loss probe: tcp_sack.c); the caller arms one
 * kernel timer at the earliest (tcp_next_deadline) and calls tcp_timer.
 * The RTO follows RFC 6298 with Linux's numbers: 1 s initially, 200 ms
 * at least, 120 s at most, and Linux's variance floor (RTO = SRTT +
 * max(4 RTTVAR, 200 ms), tcp_set_rto); giving up follows Linux's
 * tcp_write_timeout: SYNs by count (tcp_syn_retries), data by the time
 * that tcp_retries2 backed-off timeouts from 200 ms would take (924.6 s).
 */
#include "lib/errno.h"
#include "net/tcp_priv.h"

#define TCP_BACKOFF_MAX 30     /* far past the point where the RTO reaches TCP_RTO_MAX */

/* ---- RTT estimation (RFC 6298 2) ----------------------------------------------- */

static uint64_t clamp_rto(uint64_t r)
{
	if (r < TCP_RTO_MIN_NS)
		return TCP_RTO_MIN_NS;
	return r > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : r;
}

/* One valid RTT measurement (ns): SRTT and RTTVAR, the RTO, and the
 * backoff cleared (Linux clears it only on a valid sample, as RFC 6298
 * 5.7 and Karn's algorithm ask). */
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt)
{
	uint64_t var4;

	if (!rtt)
		rtt = 1000;            /* Linux's 1 us floor */
	if (rtt > TCP_RTO_MAX_NS)
		rtt = TCP_RTO_MAX_NS;
	if (!c->srtt) {
		c->srtt = rtt;
		c->rttvar = rtt / 2;
	} else {
		uint64_t delta = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;

		c->rttvar = (3 * c->rttvar + delta) / 4;
		c->srtt = (7 * c->srtt + rtt) / 8;
	}
	var4 = 4 * c->rttvar;
	c->rto = clamp_rto(c->srtt + (var4 > TCP_RTO_MIN_NS ? var4 : TCP_RTO_MIN_NS));
	c->backoff = 0;
	c->ca_rtt = rtt;               /* the congestion control's sample (tcp_cc_ack spends it) */
}

/* The RTO doubled once per backoff, at most TCP_RTO_MAX. */
static uint64_t rto_backed_off(const struct tcp_conn *c, uint64_t base)
{
	uint64_t r = base;

	for (unsigned i = 0; i < c->backoff && r < TCP_RTO_MAX_NS; i++)
		r <<= 1;
	return r > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : r;
}

void tcp_rexmit_arm(struct tcp_conn *c, uint64_t now)
{
	c->t_rexmit = now + rto_backed_off(c, c->rto);
	c->rexmit_armed_at = now;
}

void tcp_rexmit_stop(struct tcp_conn *c)
{
	c->t_rexmit = c->t_tlp = c->t_reo = TCP_NO_DEADLINE;
}

void tcp_delack_arm(struct tcp_conn *c, uint64_t now)
{
	c->ack_pending = true;
	if (c->t_delack == TCP_NO_DEADLINE)
		c->t_delack = now + TCP_DELACK_NS;
}

void tcp_timers_stop(struct tcp_conn *c)
{
	c->t_rexmit = c->t_persist = c->t_delack = c->t_keepalive = c->t_wait = TCP_NO_DEADLINE;
	c->t_reo = c->t_tlp = TCP_NO_DEADLINE;
}

void tcp_enter_time_wait(struct tcp_conn *c, uint64_t now)
{
	tcp_set_state(c, TCPS_TIME_WAIT);
	tcp_timers_stop(c);
	c->t_wait = now + TCP_TIMEWAIT_NS;
}

/* An orphan (closed by its owner) waits tcp_fin_timeout (or its
 * TCP_LINGER2) for the peer's FIN. */
void tcp_fin_wait2_arm(struct tcp_conn *c, uint64_t now)
{
	if (c->orphan && c->state == TCPS_FIN_WAIT2)
		c->t_wait = now + c->fin_timeout_ns;
}

/* ---- the persist timer (Linux's probe0) -------------------------------------- */

/* Linux's tcp_probe0_when: max(RTO, 200 ms), backed off, at most 120 s. */
static uint64_t probe_when(const struct tcp_conn *c)
{
	return rto_backed_off(c, c->rto > TCP_RTO_MIN_NS ? c->rto : TCP_RTO_MIN_NS);
}

/* Linux's tcp_check_probe_timer: data waits, nothing is in flight and no timer runs. */
void tcp_persist_check(struct tcp_conn *c, uint64_t now)
{
	if (tcp_has_unsent(c) && !tcp_flight(c) && c->t_rexmit == TCP_NO_DEADLINE &&
	    c->t_persist == TCP_NO_DEADLINE)
		c->t_persist = now + probe_when(c);
}

/* The conn timed out (retransmissions, zero-window probes or keepalive
 * probes unanswered): it ends with its soft error, else ETIMEDOUT
 * (Linux's tcp_write_err). */
static void write_err(struct tcp_conn *c)
{
	tcp_fail(c, c->err_soft ? c->err_soft : ETIMEDOUT);
}

/* Linux's tcp_probe_timer and tcp_send_probe0. */
static void persist_fire(struct tcp_conn *c, uint64_t now)
{
	unsigned max = c->orphan ? TCP_ORPHAN_RETRIES : TCP_RETRIES2;

	if (tcp_flight(c) || !tcp_has_unsent(c)) {
		c->probes_out = 0;
		return;
	}
	if (c->probes_out >= max) {
		write_err(c);
		return;
	}
	tcp_write_wakeup(c, now);
	c->stats.zwp_sent++;
	if (tcp_flight(c)) {               /* data went: the RTO timer watches it */
		c->probes_out = 0;
		c->backoff = 0;
		return;
	}
	c->probes_out++;
	if (c->backoff < TCP_RETRIES2)
		c->backoff++;
	c->t_persist = now + probe_when(c);
}

/* ---- retransmission ------------------------------------------------------------ */

/* Linux's tcp_model_timeout: how long `boundary` retransmissions take
 * from an RTO of base, doubling up to TCP_RTO_MAX. */
static uint64_t model_timeout(unsigned boundary, uint64_t base)
{
	unsigned thresh = 0;

	while ((base << (thresh + 1)) <= TCP_RTO_MAX_NS)
		thresh++;                  /* ilog2(TCP_RTO_MAX / base) */
	if (boundary <= thresh)
		return ((2ull << boundary) - 1) * base;
	return ((2ull << thresh) - 1) * base + (uint64_t)(boundary - thresh) * TCP_RTO_MAX_NS;
}

/* Linux's tcp_write_timeout: has the conn retransmitted long enough to give up? */
static bool write_timed_out(const struct tcp_conn *c, uint64_t now)
{
	if (c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECV)
		return c->retransmits >= (c->passive ? TCP_SYNACK_RETRIES : TCP_SYN_RETRIES);
	if (!c->retransmits)
		return false;
	return now - c->retrans_stamp >=
	       model_timeout(c->orphan ? TCP_ORPHAN_RETRIES : TCP_RETRIES2, TCP_RTO_MIN_NS);
}

/* The first timeout of a series, counted by what it interrupted, as
 * Linux's tcp_retransmit_timer counts it. */
static void count_failure(struct tcp_conn *c)
{
	if (c->ca_state == TCP_CA_RECOVERY) {
		if (c->sack_ok)
			c->stats.sack_recovery_fail++;
		else
			c->stats.reno_recovery_fail++;
	} else if (c->ca_state == TCP_CA_LOSS) {
		c->stats.loss_failures++;
	} else if (c->ca_state == TCP_CA_DISORDER || c->n_sb || c->dupacks) {
		if (c->sack_ok)
			c->stats.sack_failures++;
		else
			c->stats.reno_failures++;
	}
}

/*
 * The RTO fired. Give up (write_err; a passive SYN-RECEIVED conn just
 * ends, as Linux drops a request socket), or back off, take the loss
 * window, and go back to snd_una: tcp_output resends from there as the
 * window opens again (Linux marks everything lost and does the same).
 */
static void rexmit_fire(struct tcp_conn *c, uint64_t now)
{
	bool syn = c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECV;

	if (!syn && c->snd_una == c->snd_max)
		return;
	if (write_timed_out(c, now)) {
		if (syn && c->passive)
			tcp_done(c);
		else
			write_err(c);
		return;
	}
	bool episode = tcp_cc_loss_episode(c);

	c->stats.timeouts++;               /* Linux's TCPTimeouts, SYNs' included */
	if (!c->retransmits) {
		c->retrans_stamp = c->rexmit_armed_at;
		if (!syn)
			count_failure(c);
	}
	if (c->retransmits < UINT8_MAX)
		c->retransmits++;
	if (c->backoff < TCP_BACKOFF_MAX)
		c->backoff++;
	c->rtt_timing = false;
	if (syn) {
		c->stats.retrans_segs++;
		c->total_retrans++;
		tcp_send_syn(c, now);
		return;
	}
	if (episode)
		tcp_undo_mark(c);
	/* Linux's tcp_enter_loss: a timeout before any recovery, with
	 * DupThresh's worth SACKed, says the reordering degree is too high */
	if (c->ca_state <= TCP_CA_DISORDER &&
	    c->sacked_bytes >= (uint64_t)c->reordering_base * c->snd_mss &&
	    c->reordering > c->reordering_base)
		c->reordering = c->reordering_base;
	tcp_cc_rto(c, episode, now);
	tcp_go_back(c, now);
	if (c->t_rexmit == TCP_NO_DEADLINE && c->t_persist == TCP_NO_DEADLINE)
		tcp_rexmit_arm(c, now);
}

/* ---- keepalive (Linux's tcp_keepalive_timer) ------------------------------------ */

void tcp_keepalive_arm(struct tcp_conn *c, uint64_t now)
{
	c->t_keepalive = c->keepalive && tcp_synced(c)
			 ? now + (uint64_t)c->keep_idle_s * TCP_NS_PER_S : TCP_NO_DEADLINE;
}

static void keepalive_fire(struct tcp_conn *c, uint64_t now)
{
	uint64_t idle = (uint64_t)c->keep_idle_s * TCP_NS_PER_S, elapsed;

	if (!c->keepalive || !tcp_synced(c) || c->state == TCPS_TIME_WAIT)
		return;
	if (tcp_flight(c) || c->snd_una != c->snd_max || tcp_has_unsent(c)) {
		c->t_keepalive = now + idle;
		return;
	}
	elapsed = now - c->last_rcv;
	if (elapsed < idle) {
		c->t_keepalive = now + (idle - elapsed);
		return;
	}
	if (c->probes_out >= c->keep_cnt) {
		tcp_send_rst(c, c->snd_max, true, now);
		write_err(c);
		return;
	}
	tcp_write_wakeup(c, now);
	c->stats.keepalive_sent++;
	c->probes_out++;
	c->t_keepalive = now + (uint64_t)c->keep_intvl_s * TCP_NS_PER_S;
}

/* ---- the entry points ----------------------------------------------------------- */

static void wait_fire(struct tcp_conn *c)
{
	if (c->state == TCPS_TIME_WAIT || c->state == TCPS_FIN_WAIT2)
		tcp_done(c);
}

static void delack_fire(struct tcp_conn *c, uint64_t now)
{
	if (c->ack_pending && tcp_synced(c)) {
		c->pingpong = false; /* no reply carried it: Linux leaves pingpong mode */
		tcp_send_ack(c, now);
	}
}

/* Take deadline *t if it is due (clearing it). */
static bool due(uint64_t *t, uint64_t now)
{
	if (*t > now)
		return false;
	*t = TCP_NO_DEADLINE;
	return true;
}

void tcp_timer(struct tcp_conn *c, uint64_t now)
{
	if (due(&c->t_wait, now))
		wait_fire(c);
	if (due(&c->t_tlp, now) && tcp_synced(c))
		tcp_tlp_fire(c, now);          /* first: at the RTO's time the probe goes instead */
	if (due(&c->t_rexmit, now))
		rexmit_fire(c, now);
	if (due(&c->t_persist, now))
		persist_fire(c, now);
	if (due(&c->t_keepalive, now))
		keepalive_fire(c, now);
	if (due(&c->t_delack, now))
		delack_fire(c, now);
	if (due(&c->t_reo, now) && tcp_synced(c))
		tcp_reo_fire(c, now);
}

uint64_t tcp_next_deadline(const struct tcp_conn *c)
{
	uint64_t t = c->t_rexmit;

	if (c->t_persist < t)
		t = c->t_persist;
	if (c->t_delack < t)
		t = c->t_delack;
	if (c->t_keepalive < t)
		t = c->t_keepalive;
	if (c->t_wait < t)
		t = c->t_wait;
	if (c->t_reo < t)
		t = c->t_reo;
	if (c->t_tlp < t)
		t = c->t_tlp;
	return t;
}
