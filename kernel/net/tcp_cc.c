// SPDX-License-Identifier: MIT
/*
 * Kestrel: TCP congestion control, the parts every algorithm shares, and
 * NewReno ("reno"). An algorithm is a table of hooks (struct tcp_cc_ops,
 * as Linux's tcp_congestion_ops): what ssthresh a reduction sets, how
 * the window grows in congestion avoidance, what an undo restores; CUBIC's
 * are in tcp_cubic.c, NewReno's here. The rest is this file's whatever
 * the algorithm, as in Linux's tcp_input.c: slow start's
 * arithmetic, recovery's window, PRR, the limits and window validation.
 *
 * NewReno: slow start and congestion
 * avoidance (RFC 5681); for a peer without SACK, fast retransmit on the
 * third duplicate ACK and NewReno's fast recovery with partial ACKs
 * (RFC 6582); with SACK, the window of RFC 6675's recovery. cwnd and
 * ssthresh are in bytes here; tcp_info reports them in segments as
 * Linux does. Where Linux differs: the initial window is 10 segments
 * (RFC 6928), ssthresh is half of cwnd (tcp_reno_ssthresh) rather than
 * half the flight, the window grows per segment acked, a short one
 * counting as a whole (Linux counts packets), and repeated timeouts halve ssthresh
 * only once (tcp_enter_loss). In SACK recovery (tcp_sack.c says when) the
 * window follows PRR (RFC 6937) as Linux's tcp_cwnd_reduction; without
 * SACK, RFC 6582's window inflation. As Linux (RFC 7661's
 * congestion window validation, tcp_is_cwnd_limited), the window grows
 * only while it limits the sender: in slow start up to twice the largest
 * flight of the last window, in congestion avoidance only when the
 * flight filled it. A sender held back by its program, its ring or the
 * peer's window keeps its cwnd where the flight needs it, and a window
 * an RTO of such sending did not use is cut halfway to what it used
 * (tcp_cwnd_application_limited); after an RTO with nothing sent or
 * unacknowledged, the window starts again from the initial one, halved
 * once an RTO of idleness but never below it (tcp_slow_start_after_idle,
 * on by default in Linux, as RFC 5681 4.1 asks).
 */
#include "net/tcp_priv.h"

#include "lib/errno.h"
#include "lib/string.h"

#define TCP_CWND_MAX (1u << 30)

/* By enum tcp_cc_id; the order of tcp_available_congestion_control. */
static const struct tcp_cc_ops *const cc_table[TCP_CC_COUNT] = {
	[TCP_CC_RENO] = &tcp_reno_ops,
	[TCP_CC_CUBIC] = &tcp_cubic_ops,
};

/* The conn's algorithm (a bad number, which only a caller's bug makes, runs NewReno). */
static const struct tcp_cc_ops *ops_of(const struct tcp_conn *c)
{
	return cc_table[c->cc < TCP_CC_COUNT ? c->cc : TCP_CC_RENO];
}

const char *tcp_cc_name(unsigned id)
{
	return id < TCP_CC_COUNT ? cc_table[id]->name : "";
}

int tcp_cc_find(const char *name, size_t len)
{
	for (unsigned i = 0; i < TCP_CC_COUNT; i++) {
		const char *n = cc_table[i]->name;
		size_t j = 0;

		while (j < len && n[j] && n[j] == name[j])
			j++;
		if (j == len && !n[j])
			return (int)i;
	}
	return -ENOENT;
}

void tcp_set_congestion(struct tcp_conn *c, unsigned id)
{
	if (id >= TCP_CC_COUNT || id == c->cc)
		return;                /* the same one again: nothing restarts (Linux's) */
	c->cc = (uint8_t)id;
	memset(&c->ca, 0, sizeof(c->ca));
	if (c->state != TCPS_CLOSE && c->state != TCPS_LISTEN)
		ops_of(c)->init(c);
}

uint32_t tcp_flight(const struct tcp_conn *c)
{
	return c->snd_nxt - c->snd_una;
}

/*
 * The window output may fill: cwnd, and RFC 3042's Limited Transmit on
 * the first two duplicate ACKs, a segment of new data more for each
 * (cwnd itself unchanged). A Linux receiver merges the segments of one
 * poll (GRO) and answers them with one duplicate ACK: without the new
 * segments, which each bring one more, a sender without SACK sees two
 * duplicates at most and waits for the RTO at nearly every loss.
 */
uint32_t tcp_cc_send_window(const struct tcp_conn *c)
{
	uint32_t extra = 0;

	if (c->ca_state == TCP_CA_DISORDER && c->snd_nxt == c->snd_max)
		extra = (c->dupacks < 2 ? c->dupacks : 2u) * c->snd_mss;
	return c->cwnd + extra;
}

/* Whole segments in acked bytes, rounded up: Linux counts packets acked. */
static uint32_t acked_segs(const struct tcp_conn *c, uint32_t acked)
{
	return (acked + c->snd_mss - 1) / c->snd_mss;
}

/* Linux's tcp_is_cwnd_limited: may an ACK grow the window? (The flight
 * in whole segments, as Linux counts packets out.) */
static bool cwnd_limited(const struct tcp_conn *c)
{
	if (c->cwnd_limited)
		return true;
	if (c->cwnd < c->ssthresh)
		return c->cwnd < 2ull * acked_segs(c, c->max_flight) * c->snd_mss;
	return false;
}

/* Linux's tcp_current_ssthresh: in recovery, ssthresh; else at least
 * three quarters of cwnd. */
static uint32_t current_ssthresh(const struct tcp_conn *c)
{
	uint32_t q = (c->cwnd >> 1) + (c->cwnd >> 2);

	if (c->ca_state == TCP_CA_RECOVERY || c->ca_state == TCP_CA_LOSS)
		return c->ssthresh;
	return c->ssthresh > q ? c->ssthresh : q;
}

/* Linux's tcp_cwnd_application_limited: an RTO of sending that left
 * cwnd unused (not for want of ring space: a full ring is the sender's
 * limit, not the program's) halves the unused part. */
static void application_limited(struct tcp_conn *c, uint64_t now)
{
	uint32_t init = TCP_INIT_CWND * c->snd_mss;
	uint32_t used = c->cwnd_used > init ? c->cwnd_used : init;

	if (c->ca_state == TCP_CA_OPEN && c->snd.len < c->snd.size) {
		if (used < c->cwnd) {
			c->ssthresh = current_ssthresh(c);
			c->cwnd = (c->cwnd + used) / 2;
		}
		c->cwnd_used = 0;
	}
	c->cwnd_stamp = now;
}

void tcp_cc_validate(struct tcp_conn *c, bool limited, uint64_t now)
{
	uint32_t flight = tcp_flight(c);

	if (!seq_lt(c->snd_una, c->cwnd_usage_seq) || limited ||
	    (!c->cwnd_limited && flight > c->max_flight)) {
		c->cwnd_limited = limited;
		c->max_flight = flight;
		c->cwnd_usage_seq = c->snd_nxt;
	}
	if (cwnd_limited(c)) {
		c->cwnd_used = 0;
		c->cwnd_stamp = now;
		return;
	}
	if (flight > c->cwnd_used)
		c->cwnd_used = flight;
	if (now - c->cwnd_stamp >= c->rto)
		application_limited(c, now);
}

void tcp_cc_idle_check(struct tcp_conn *c, uint64_t now)
{
	const struct tcp_cc_ops *ops = ops_of(c);

	if (c->snd_una == c->snd_max && ops->cwnd_event)
		ops->cwnd_event(c, TCP_CA_EV_TX_START, now); /* before lsndtime moves, as Linux */
	tcp_cc_idle_restart(c, now);
}

void tcp_cc_idle_restart(struct tcp_conn *c, uint64_t now)
{
	uint32_t restart = TCP_INIT_CWND * c->snd_mss, cwnd = c->cwnd;
	uint64_t idle = now - c->lsndtime;

	if (c->snd_una != c->snd_max || !c->lsndtime || idle <= c->rto)
		return;
	c->ssthresh = current_ssthresh(c);
	if (restart > cwnd)
		restart = cwnd;
	for (uint64_t d = idle - c->rto; d > 0 && cwnd > restart; d = d > c->rto ? d - c->rto : 0)
		cwnd >>= 1;
	c->cwnd = cwnd > restart ? cwnd : restart;
	c->cwnd_stamp = now;
	c->cwnd_used = 0;
}

void tcp_cc_init(struct tcp_conn *c)
{
	c->cwnd = TCP_INIT_CWND * c->snd_mss;
	c->ssthresh = TCP_INFINITE_SSTHRESH;
	c->cwnd_acc = 0;
	c->ca_state = TCP_CA_OPEN;
	c->dupacks = 0;
	c->cwnd_limited = false;
	c->max_flight = 0;
	c->ca_rtt = 0;
	memset(&c->ca, 0, sizeof(c->ca));
	ops_of(c)->init(c);
}

bool tcp_cc_in_slow_start(const struct tcp_conn *c)
{
	return c->cwnd < c->ssthresh;
}

/* Linux's tcp_slow_start, in bytes: a segment per segment acked (a
 * short one counting as one), up to ssthresh; the segments left over. */
uint32_t tcp_cc_slow_start(struct tcp_conn *c, uint32_t segs)
{
	uint32_t room = (c->ssthresh - c->cwnd + c->snd_mss - 1) / c->snd_mss;
	uint32_t take = segs < room ? segs : room;

	c->cwnd += take * c->snd_mss;
	if (c->cwnd > c->ssthresh)
		c->cwnd = c->ssthresh;
	return segs - take;
}

/* Linux's tcp_cong_avoid_ai: cwnd_acc counts segments acked; each w of
 * them is a segment more (credit earned at a larger w goes first). */
void tcp_cc_avoid_ai(struct tcp_conn *c, uint32_t w, uint32_t segs)
{
	if (!w)
		w = 1;
	if (c->cwnd_acc >= w) {
		c->cwnd_acc = 0;
		c->cwnd += c->snd_mss;
	}
	c->cwnd_acc += segs;
	if (c->cwnd_acc >= w) {
		uint32_t delta = c->cwnd_acc / w;

		c->cwnd_acc -= delta * w;
		c->cwnd += delta * c->snd_mss;
	}
	if (c->cwnd > TCP_CWND_MAX)
		c->cwnd = TCP_CWND_MAX;
}

uint32_t tcp_cc_reno_undo_cwnd(const struct tcp_conn *c)
{
	return c->cwnd > c->prior_cwnd ? c->cwnd : c->prior_cwnd;
}

/* Linux's tcp_undo_cwnd_reduction: the algorithm's window, and the
 * ssthresh from before if it was larger. */
void tcp_cc_undo(struct tcp_conn *c)
{
	c->cwnd = ops_of(c)->undo_cwnd(c);
	if (c->prior_ssthresh > c->ssthresh)
		c->ssthresh = c->prior_ssthresh;
}

/* The window grows only while it limits the sender (Linux's
 * tcp_cong_avoid under tcp_is_cwnd_limited); how is the algorithm's. */
static void cc_grow(struct tcp_conn *c, uint32_t acked, uint64_t now)
{
	if (!cwnd_limited(c))
		return;
	ops_of(c)->cong_avoid(c, acked_segs(c, acked), now);
	if (c->cwnd > TCP_CWND_MAX)
		c->cwnd = TCP_CWND_MAX;
}

/* Half the window, at least two segments (tcp_reno_ssthresh). */
static uint32_t reno_ssthresh(struct tcp_conn *c)
{
	uint32_t half = c->cwnd / 2;

	return half > 2u * c->snd_mss ? half : 2u * c->snd_mss;
}

/* Linux's tcp_reno_cong_avoid: slow start, then a segment per window's
 * worth of segments acked. */
static void reno_cong_avoid(struct tcp_conn *c, uint32_t segs, uint64_t now)
{
	(void)now;
	if (tcp_cc_in_slow_start(c)) {
		segs = tcp_cc_slow_start(c, segs);
		if (!segs)
			return;
	}
	tcp_cc_avoid_ai(c, c->cwnd / c->snd_mss, segs);
}

static void reno_init(struct tcp_conn *c)
{
	(void)c;
}

const struct tcp_cc_ops tcp_reno_ops = {
	.name = "reno",
	.init = reno_init,
	.ssthresh = reno_ssthresh,
	.cong_avoid = reno_cong_avoid,
	.undo_cwnd = tcp_cc_reno_undo_cwnd,
};

/* RFC 6582 3.2 step 3: a partial ACK deflates the window by what it
 * acked and adds back one segment; the caller retransmits the head. */
static bool cc_partial_ack(struct tcp_conn *c, uint32_t acked)
{
	c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
	if (acked >= c->snd_mss)
		c->cwnd += c->snd_mss;
	if (c->cwnd < c->snd_mss)
		c->cwnd = c->snd_mss;
	return true;
}

/* RFC 6582 3.2 step 3, full ACK: option (1), min(ssthresh, max(flight, SMSS) + SMSS). */
static void cc_full_ack(struct tcp_conn *c)
{
	uint32_t flight = tcp_flight(c);
	uint32_t w = (flight > c->snd_mss ? flight : c->snd_mss) + c->snd_mss;

	c->cwnd = w < c->ssthresh ? w : c->ssthresh;
	c->cwnd_acc = 0;
	c->ca_state = TCP_CA_OPEN;
}

/* RFC 6675's recovery ends at recover: cwnd is ssthresh (Linux's
 * tcp_end_cwnd_reduction); until then the window holds, and pipe says
 * what may go. */
static bool cc_sack_recovery_ack(struct tcp_conn *c)
{
	if (seq_lt(c->snd_una, c->recover))
		return false;
	c->cwnd = c->ssthresh;
	c->cwnd_acc = 0;
	c->ca_state = TCP_CA_OPEN;
	return false;
}

/* The algorithm hears of the ACK and its RTT sample (Linux's
 * pkts_acked from tcp_clean_rtx_queue), which is then spent. */
static void cc_acked(struct tcp_conn *c, uint32_t acked, uint64_t now)
{
	const struct tcp_cc_ops *ops = ops_of(c);
	int64_t rtt_us = c->ca_rtt ? (int64_t)(c->ca_rtt / 1000) : -1;

	c->ca_rtt = 0;
	if (ops->pkts_acked)
		ops->pkts_acked(c, acked_segs(c, acked), rtt_us, now);
}

bool tcp_cc_ack(struct tcp_conn *c, uint32_t acked, uint64_t now)
{
	c->dupacks = 0;
	cc_acked(c, acked, now);
	switch (c->ca_state) {
	case TCP_CA_RECOVERY:
		if (c->sack_ok)
			return cc_sack_recovery_ack(c);
		if (seq_lt(c->snd_una, c->recover))
			return cc_partial_ack(c, acked);
		cc_full_ack(c);
		return false;
	case TCP_CA_LOSS:
		if (seq_ge(c->snd_una, c->recover))
			c->ca_state = TCP_CA_OPEN;
		break;
	default:
		c->ca_state = TCP_CA_OPEN;
		break;
	}
	cc_grow(c, acked, now);
	return false;
}

/*
 * A duplicate ACK. In recovery each one inflates the window by a segment
 * (it says a segment left the network). Otherwise the third starts fast
 * retransmit, unless a timeout's retransmissions are still being acked
 * (LOSS until snd_una passes recover: RFC 6582 3.2 step 2's check).
 */
bool tcp_cc_dupack(struct tcp_conn *c)
{
	if (c->ca_state == TCP_CA_RECOVERY) {
		if (c->cwnd < TCP_CWND_MAX)
			c->cwnd += c->snd_mss;
		return false;
	}
	if (c->dupacks < UINT8_MAX)
		c->dupacks++;
	if (c->ca_state == TCP_CA_LOSS)
		return false;
	if (c->dupacks < 3) {
		c->ca_state = TCP_CA_DISORDER;
		return false;
	}
	if (c->dupacks > 3)
		return false;
	c->ssthresh = ops_of(c)->ssthresh(c);
	c->recover = c->snd_max;
	c->cwnd = c->ssthresh + 3u * c->snd_mss;
	c->ca_state = TCP_CA_RECOVERY;
	c->stats.reno_recovery++;
	return true;
}

void tcp_cc_enter_recovery(struct tcp_conn *c)
{
	c->prior_cwnd = c->cwnd;
	c->ssthresh = ops_of(c)->ssthresh(c);
	c->cwnd_acc = 0;
	c->recover = c->snd_max;
	c->ca_state = TCP_CA_RECOVERY;
	c->prr_delivered = c->prr_out = 0;
}

/*
 * Proportional Rate Reduction (RFC 6937, Linux's tcp_cwnd_reduction),
 * run on each ACK in SACK recovery with the bytes it delivered (acked or
 * newly SACKed): while pipe is above ssthresh, send in proportion to
 * what is delivered (ssthresh / the window before); below it, slow start
 * back up to ssthresh, a segment more when the ACK moved snd_una and
 * found nothing newly lost (una_moved: Linux 6.1's FLAG_SND_UNA_ADVANCED
 * && !newly_lost). The first retransmission always goes. cwnd is set to
 * pipe plus what may go.
 */
void tcp_cc_prr(struct tcp_conn *c, uint32_t delivered, uint32_t pipe, bool una_moved)
{
	int64_t sndcnt;

	if (!c->prior_cwnd)
		return;
	c->prr_delivered += delivered;
	if (pipe > c->ssthresh) {
		uint64_t due = ((uint64_t)c->ssthresh * c->prr_delivered + c->prior_cwnd - 1) / c->prior_cwnd;
		sndcnt = (int64_t)due - c->prr_out;
	} else {
		int64_t room = (int64_t)c->ssthresh - pipe;
		sndcnt = (int64_t)c->prr_delivered - c->prr_out;
		if (sndcnt < delivered)
			sndcnt = delivered;
		if (una_moved)
			sndcnt += c->snd_mss;
		if (sndcnt > room)
			sndcnt = room;
	}
	if (sndcnt < (c->prr_out ? 0 : c->snd_mss))
		sndcnt = c->prr_out ? 0 : c->snd_mss;
	c->cwnd = pipe + (uint32_t)sndcnt;
	if (c->cwnd < c->snd_mss)
		c->cwnd = c->snd_mss;
}

void tcp_cc_reduce(struct tcp_conn *c)
{
	c->ssthresh = ops_of(c)->ssthresh(c);
	c->cwnd = c->ssthresh;
	c->cwnd_acc = 0;
}

/* Segments in bytes at the old size, rounded down, at least min. */
static uint32_t resize_segs(uint32_t bytes, uint32_t old, uint32_t mss, uint32_t min)
{
	uint32_t segs = bytes / old;

	return (segs > min ? segs : min) * mss;
}

void tcp_cc_mss_changed(struct tcp_conn *c, uint32_t old)
{
	c->cwnd = resize_segs(c->cwnd, old, c->snd_mss, 1);
	if (c->ssthresh != TCP_INFINITE_SSTHRESH)
		c->ssthresh = resize_segs(c->ssthresh, old, c->snd_mss, 2);
	c->cwnd_acc = 0;
}

/* The LOSS state until snd_una passes what is in flight now, the
 * algorithm told (Linux's tcp_set_ca_state(TCP_CA_Loss) and high_seq). */
static void enter_loss(struct tcp_conn *c, uint64_t now)
{
	const struct tcp_cc_ops *ops = ops_of(c);

	c->recover = c->snd_max;
	c->ca_state = TCP_CA_LOSS;
	c->dupacks = 0;
	if (ops->set_state)
		ops->set_state(c, TCP_CA_LOSS, now);
}

void tcp_cc_simple_loss(struct tcp_conn *c, uint64_t now)
{
	if (c->ca_state == TCP_CA_LOSS)
		return;
	c->ssthresh = current_ssthresh(c);
	c->undo_marker = false;
	enter_loss(c, now);
}

bool tcp_cc_loss_episode(const struct tcp_conn *c)
{
	return c->ca_state == TCP_CA_OPEN || c->ca_state == TCP_CA_DISORDER ||
	       !seq_gt(c->recover, c->snd_una) || (c->ca_state == TCP_CA_LOSS && !c->retransmits);
}

/* A retransmission timeout: one segment of window, slow start again
 * (RFC 5681 3.1); the algorithm's ssthresh when the timeout starts a
 * loss episode (tcp_cc_loss_episode), then it is told of the LOSS state
 * (Linux's tcp_enter_loss). */
void tcp_cc_rto(struct tcp_conn *c, bool episode, uint64_t now)
{
	if (episode)
		c->ssthresh = ops_of(c)->ssthresh(c);
	c->cwnd = c->snd_mss;
	c->cwnd_acc = 0;
	enter_loss(c, now);
}
