// SPDX-License-Identifier: MIT
/*
 * Kestrel: CUBIC congestion control (RFC 9438) as Linux 6.1's
 * net/ipv4/tcp_cubic.c runs it, Linux's default and Kestrel's.
 *
 * After a reduction the window grows along W_cubic(t) = C (t - K)^3 +
 * W_max, C = 0.4 segments/s^3: fast while far below W_max, flat around
 * it, faster again beyond. K is when the curve reaches W_max again,
 * cbrt((W_max - cwnd) / C). A reduction takes the window to beta = 0.7
 * of itself (Linux's 717/1024); fast convergence remembers a W_max of
 * (1 + beta) / 2 of the window when it shrank from the last one. The
 * Reno-friendly estimate W_est (RFC 9438 4.3, Linux's tcp_friendliness)
 * grows by alpha = 3 (1 - beta) / (1 + beta) segments per window acked,
 * and the window follows it where it is the larger. Slow start ends at
 * ssthresh or where HyStart (Linux 6.1's, not RFC 9406's HyStart++)
 * finds it: an ACK train lasting longer than half the least RTT, or a
 * round's least RTT past the least RTT seen by a clamped eighth of it.
 *
 * Where Kestrel differs from Linux: Linux's jiffies are the conn's clock
 * in milliseconds (HZ 1000; Debian's kernel has 250); the cube root is
 * exact (rounded down) where Linux's table and one Newton step are off
 * by up to 0.2%; an RTT sample is the one the ACK gave the RTO's
 * estimator (a timed segment, else the echoed timestamp, in whole
 * milliseconds), where Linux times each segment in microseconds; the
 * TX_START event comes when data is queued with nothing in flight, the
 * moment before Linux's, at the first send.
 *
 * Lock rule: the state is c->ca.cubic, the conn's, under the caller's
 * lock for the conn as every engine field; nothing here is shared.
 */
#include "net/tcp_priv.h"

#include "lib/string.h"

#define BICTCP_BETA_SCALE   1024    /* beta's and C's unit */
#define BICTCP_BETA         717     /* beta = 717/1024, about 0.7 */
#define BICTCP_HZ           10      /* the curve's time unit: 1/1024 s */
#define BIC_SCALE           41      /* C = 41 * 10 / 1024, about 0.4 */
#define CUBE_RTT_SCALE      (BIC_SCALE * 10)
#define CUBIC_HZ            1000    /* the ms tick: Linux's HZ */
#define CUBIC_INIT_CNT_MAX  20      /* no W_max yet: at least 5% a round trip */
#define CUBIC_CNT_MIN       2       /* at most 1.5 times a round trip */
#define CUBIC_CNT_FLAT      100     /* above the curve: a segment per 100 windows */
/* Reno-friendly: a segment of W_est per (8 (1 + beta) / 3 / (1 - beta)) / 8
 * windows acked, 1 / alpha (Linux's beta_scale, 15). */
#define BETA_SCALE (8 * (BICTCP_BETA_SCALE + BICTCP_BETA) / 3 / (BICTCP_BETA_SCALE - BICTCP_BETA))
/* K's factor: 2^(3 BICTCP_HZ) / C in BICTCP units (Linux's cube_factor). */
#define CUBE_FACTOR ((1ull << (10 + 3 * BICTCP_HZ)) / CUBE_RTT_SCALE)

/* HyStart (Linux 6.1's defaults: hystart 1, both detections, low window 16) */
#define HYSTART_LOW_WINDOW  16      /* segments: no exit below it */
#define HYSTART_MIN_SAMPLES 8       /* RTT samples a round before the delay test */
#define HYSTART_DELAY_MIN   4000u   /* us: the delay test's threshold, clamped */
#define HYSTART_DELAY_MAX   16000u
#define HYSTART_ACK_DELTA   2000u   /* us: ACKs this close make a train */
#define HYSTART_GSO_MAX     65536u  /* a device's GSO size (sk_gso_max_size) */
#define US_PER_MS           1000u
#define US_PER_S            1000000ull

/* The largest integer whose cube fits 64 bits; the farthest from K the
 * curve is computed (256 s: 410 * offs^3 stays within 64 bits, and
 * the curve there is millions of segments past any window). */
#define CUBE_ROOT_U64_MAX   2642245ull
#define CUBIC_OFFS_MAX      (1ull << 18)

_Static_assert(BETA_SCALE == 15, "Linux's beta_scale for beta 717");

/* ---- the curve: pure arithmetic (the host's unit test runs it) ------------------------ */

uint32_t tcp_cubic_root(uint64_t a)
{
	uint64_t x = 0;

	for (int bit = 21; bit >= 0; bit--) {    /* cbrt(2^64) is below 2^22 */
		uint64_t y = x | (1ull << bit);

		if (y <= CUBE_ROOT_U64_MAX && y * y * y <= a)
			x = y;
	}
	return (uint32_t)x;
}

uint32_t tcp_cubic_k(uint32_t w)
{
	return tcp_cubic_root(CUBE_FACTOR * w);
}

uint32_t tcp_cubic_target(uint32_t origin, uint32_t k, uint64_t t)
{
	uint64_t offs = t < k ? k - t : t - k;
	uint32_t delta;

	if (offs > CUBIC_OFFS_MAX)
		offs = CUBIC_OFFS_MAX;
	delta = (uint32_t)((CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * BICTCP_HZ));
	if (t < k)
		return delta < origin ? origin - delta : 0;
	return origin + delta;
}

/* The Reno-friendly estimate (RFC 9438 4.3): tcp_cwnd grows a segment
 * per 1/alpha windows acked; where it passes cwnd, cnt is cut so the
 * window follows it. */
static void cubic_friendly(struct tcp_cubic *ca, uint32_t cwnd)
{
	uint32_t delta = (cwnd * BETA_SCALE) >> 3;

	if (!delta)
		delta = 1;
	while (ca->ack_cnt > delta) {
		ca->ack_cnt -= delta;
		ca->tcp_cwnd++;
	}
	if (ca->tcp_cwnd > cwnd) {
		uint32_t max_cnt = cwnd / (ca->tcp_cwnd - cwnd);

		if (ca->cnt > max_cnt)
			ca->cnt = max_cnt;
	}
}

/* A new epoch: the curve's origin at W_max, or here when above it. */
static void cubic_epoch(struct tcp_cubic *ca, uint32_t cwnd, uint32_t acked, uint32_t now)
{
	ca->epoch_start = now;
	ca->ack_cnt = acked;
	ca->tcp_cwnd = cwnd;
	if (ca->last_max_cwnd <= cwnd) {
		ca->k = 0;
		ca->origin_point = cwnd;
	} else {
		ca->k = tcp_cubic_k(ca->last_max_cwnd - cwnd);
		ca->origin_point = ca->last_max_cwnd;
	}
}

/* The curve's target a round trip (delay_min) ahead gives cnt. */
static void cubic_cnt(struct tcp_cubic *ca, uint32_t cwnd, uint32_t now)
{
	uint64_t t = (uint32_t)(now - ca->epoch_start);
	uint32_t target;

	t += (ca->delay_min + US_PER_MS - 1) / US_PER_MS;   /* usecs_to_jiffies */
	t = (t << BICTCP_HZ) / CUBIC_HZ;
	target = tcp_cubic_target(ca->origin_point, ca->k, t);
	if (target > cwnd)
		ca->cnt = cwnd / (target - cwnd);
	else
		ca->cnt = CUBIC_CNT_FLAT * cwnd;
	if (ca->last_max_cwnd == 0 && ca->cnt > CUBIC_INIT_CNT_MAX)
		ca->cnt = CUBIC_INIT_CNT_MAX;
}

void tcp_cubic_update(struct tcp_cubic *ca, uint32_t cwnd, uint32_t acked, uint32_t now)
{
	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd && (int32_t)(now - ca->last_time) <= CUBIC_HZ / 32)
		return;
	/* cnt at most once a tick; every reduction zeroes epoch_start */
	if (!(ca->epoch_start && now == ca->last_time)) {
		ca->last_cwnd = cwnd;
		ca->last_time = now;
		if (!ca->epoch_start)
			cubic_epoch(ca, cwnd, acked, now);
		cubic_cnt(ca, cwnd, now);
	}
	cubic_friendly(ca, cwnd);
	if (ca->cnt < CUBIC_CNT_MIN)
		ca->cnt = CUBIC_CNT_MIN;
}

/* ---- the hooks -------------------------------------------------------------------------- */

/* The conn's ms tick, never 0 (0 is "no epoch"). */
static uint32_t cubic_tick(uint64_t now)
{
	uint32_t t = (uint32_t)(now / TCP_NS_PER_MS);

	return t ? t : 1;
}

static uint32_t cubic_us(uint64_t now)
{
	return (uint32_t)(now / 1000);
}

static uint32_t cwnd_segs(const struct tcp_conn *c)
{
	return c->cwnd / c->snd_mss;
}

/* Linux's bictcp_hystart_reset: a round begins now, ending at snd_nxt. */
static void hystart_reset(struct tcp_conn *c, uint64_t now)
{
	struct tcp_cubic *ca = &c->ca.cubic;

	ca->round_start = ca->last_ack = cubic_us(now);
	ca->round_set = true;
	ca->end_seq = c->snd_nxt;
	ca->curr_rtt = UINT32_MAX;
	ca->sample_cnt = 0;
}

/* Linux's cubictcp_init (bictcp_reset): all of it zero; HyStart's first
 * round begins with the first data (cubic_cwnd_event). */
static void cubic_init(struct tcp_conn *c)
{
	memset(&c->ca.cubic, 0, sizeof(c->ca.cubic));
}

/* After idle, the epoch moves on by the idle time: the curve resumes
 * where it was (Linux's CA_EVENT_TX_START). The first data starts
 * HyStart's first round. */
static void cubic_cwnd_event(struct tcp_conn *c, enum tcp_ca_event ev, uint64_t now)
{
	struct tcp_cubic *ca = &c->ca.cubic;
	uint32_t t = cubic_tick(now);
	int32_t delta;

	if (ev != TCP_CA_EV_TX_START)
		return;
	if (!ca->round_set)
		hystart_reset(c, now);
	delta = (int32_t)(t - cubic_tick(c->lsndtime));
	if (ca->epoch_start && c->lsndtime && delta > 0) {
		ca->epoch_start += (uint32_t)delta;
		if ((int32_t)(ca->epoch_start - t) > 0)
			ca->epoch_start = t;
	}
}

static void cubic_cong_avoid(struct tcp_conn *c, uint32_t segs, uint64_t now)
{
	struct tcp_cubic *ca = &c->ca.cubic;

	if (tcp_cc_in_slow_start(c)) {
		segs = tcp_cc_slow_start(c, segs);
		if (!segs)
			return;
	}
	tcp_cubic_update(ca, cwnd_segs(c), segs, cubic_tick(now));
	tcp_cc_avoid_ai(c, ca->cnt, segs);
}

/* A reduction: the epoch ends, W_max is remembered (less, with fast
 * convergence, when the window shrank from the last one), and ssthresh
 * is beta of the window, at least two segments. */
static uint32_t cubic_ssthresh(struct tcp_conn *c)
{
	struct tcp_cubic *ca = &c->ca.cubic;
	uint32_t w = cwnd_segs(c), s;

	ca->epoch_start = 0;
	if (w < ca->last_max_cwnd)
		ca->last_max_cwnd = (uint32_t)((uint64_t)w * (BICTCP_BETA_SCALE + BICTCP_BETA) /
					       (2 * BICTCP_BETA_SCALE));
	else
		ca->last_max_cwnd = w;
	s = (uint32_t)((uint64_t)w * BICTCP_BETA / BICTCP_BETA_SCALE);
	return (s > 2 ? s : 2) * c->snd_mss;
}

/* A timeout forgets the curve and HyStart's round (Linux's cubictcp_state). */
static void cubic_set_state(struct tcp_conn *c, enum tcp_ca_state s, uint64_t now)
{
	if (s != TCP_CA_LOSS)
		return;
	memset(&c->ca.cubic, 0, sizeof(c->ca.cubic));
	hystart_reset(c, now);
}

/* Linux's hystart_ack_delay: the time a GSO burst takes at the pacing
 * rate (cwnd over srtt, doubled in slow start), four of them, at most
 * a millisecond; 0 before an RTT. */
static uint32_t hystart_ack_delay(const struct tcp_conn *c)
{
	uint64_t srtt_us = c->srtt / 1000, rate;

	if (!srtt_us)
		return 0;
	rate = (uint64_t)c->cwnd * US_PER_S / srtt_us;     /* bytes/s */
	rate = rate * TCP_PACING_SS_RATIO / 100;
	if (!rate)
		return 0;
	uint64_t d = (uint64_t)HYSTART_GSO_MAX * 4 * US_PER_S / rate;
	return d < US_PER_MS ? (uint32_t)d : US_PER_MS;
}

/* HyStart found slow start's end: ssthresh is the window now. */
static void hystart_exit(struct tcp_conn *c)
{
	c->ca.cubic.found = true;
	c->ssthresh = c->cwnd;
}

/* Linux's hystart_update, both detections. Without fq's pacing (Linux's
 * SK_PACING_NONE, Debian's default qdisc) the train's threshold is half. */
static void hystart_update(struct tcp_conn *c, uint32_t delay, uint64_t now)
{
	struct tcp_cubic *ca = &c->ca.cubic;
	uint32_t t = cubic_us(now), thresh;

	if (!ca->round_set || seq_gt(c->snd_una, ca->end_seq))
		hystart_reset(c, now);
	if ((int32_t)(t - ca->last_ack) <= (int32_t)HYSTART_ACK_DELTA) {
		ca->last_ack = t;
		thresh = (ca->delay_min + hystart_ack_delay(c)) >> 1;
		if ((int32_t)(t - ca->round_start) > (int32_t)thresh)
			hystart_exit(c);
	}
	if (ca->curr_rtt > delay)
		ca->curr_rtt = delay;
	if (ca->sample_cnt < HYSTART_MIN_SAMPLES) {
		ca->sample_cnt++;
	} else {
		uint32_t d = ca->delay_min >> 3;

		d = d < HYSTART_DELAY_MIN ? HYSTART_DELAY_MIN : d > HYSTART_DELAY_MAX ? HYSTART_DELAY_MAX : d;
		if (ca->curr_rtt > ca->delay_min + d)
			hystart_exit(c);
	}
}

/* Linux's cubictcp_acked: the least RTT, and HyStart in slow start from
 * 16 segments on. Samples within a second of a reduction are skipped. */
static void cubic_pkts_acked(struct tcp_conn *c, uint32_t segs, int64_t rtt_us, uint64_t now)
{
	struct tcp_cubic *ca = &c->ca.cubic;
	uint32_t delay;

	(void)segs;
	if (rtt_us < 0)
		return;
	if (ca->epoch_start && (int32_t)(cubic_tick(now) - ca->epoch_start) < CUBIC_HZ)
		return;
	delay = rtt_us > UINT32_MAX ? UINT32_MAX : (rtt_us ? (uint32_t)rtt_us : 1);
	if (!ca->delay_min || ca->delay_min > delay)
		ca->delay_min = delay;
	if (!ca->found && tcp_cc_in_slow_start(c) && cwnd_segs(c) >= HYSTART_LOW_WINDOW)
		hystart_update(c, delay, now);
}

const struct tcp_cc_ops tcp_cubic_ops = {
	.name = "cubic",
	.init = cubic_init,
	.ssthresh = cubic_ssthresh,
	.cong_avoid = cubic_cong_avoid,
	.set_state = cubic_set_state,
	.undo_cwnd = tcp_cc_reno_undo_cwnd,
	.cwnd_event = cubic_cwnd_event,
	.pkts_acked = cubic_pkts_acked,
};
