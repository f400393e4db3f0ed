/* SPDX-License-Identifier: MIT */
/* Host unit test: net/tcp_cubic.c's window function against RFC 9438's formulas (W_cubic(t), K, the Reno-friendly W_est), beta and fast convergence. */
#include "lib/errno.h"
#include "net/tcp_priv.h"
#include "unit.h"

/* RFC 9438's constants: C = 0.4, beta_cubic = 0.7 (Linux: 410/1024, 717/1024) */
#define RFC_C     0.4
#define RFC_BETA  0.7
#define UNIT_S    1024.0         /* the curve's time unit: 1/1024 s */
#define MSS       1000u

static double fabs_d(double x)
{
	return x < 0 ? -x : x;
}

/* The real cube root of x >= 0 (Newton's method from above), without libm. */
static double cbrt_d(double x)
{
	double y = x > 1 ? x : 1;

	for (int i = 0; i < 200; i++)
		y = (2 * y + x / (y * y)) / 3;
	return y;
}

/* K = cbrt(W_max (1 - beta) / C), from the window after the reduction (RFC 9438 eq. 2). */
static double rfc_k(double wmax, double cwnd)
{
	return cbrt_d((wmax - cwnd) / RFC_C);
}

/* W_cubic(t) = C (t - K)^3 + W_max (RFC 9438 eq. 1), t in seconds. */
static double rfc_w_cubic(double wmax, double k, double t)
{
	return RFC_C * (t - k) * (t - k) * (t - k) + wmax;
}

UNIT_TEST(cube_root_exact)
{
	static const uint64_t a[] = { 0, 1, 7, 8, 26, 27, 63, 64, 999, 1000, 1001, 123456789,
				      1ull << 40, (1ull << 40) * 30 / 410, 18446744073709551615ull };
	for (size_t i = 0; i < UNIT_COUNT(a); i++) {
		uint64_t r = tcp_cubic_root(a[i]);
		CHECK(r * r * r <= a[i]);
		CHECK(r + 1 > 2642245 || (r + 1) * (r + 1) * (r + 1) > a[i]);
	}
	return NULL;
}

/* K for windows from 10 to 100000 segments cut by beta: within 0.2% (C is 0.40039 in Linux). */
UNIT_TEST(k_matches_rfc)
{
	static const uint32_t wmax[] = { 10, 40, 100, 1000, 10000, 100000 };
	for (size_t i = 0; i < UNIT_COUNT(wmax); i++) {
		uint32_t cwnd = (uint32_t)(wmax[i] * 717ull / 1024);
		double want = rfc_k(wmax[i], cwnd), got = tcp_cubic_k(wmax[i] - cwnd) / UNIT_S;
		CHECK(fabs_d(got - want) <= want * 0.002 + 1.0 / UNIT_S);
	}
	return NULL;
}

/* W_cubic(t) before K, at K and after, for W_max 100 and 1000: within half a segment and 0.2%. */
UNIT_TEST(w_cubic_matches_rfc)
{
	static const uint32_t wmax[] = { 100, 1000 };
	for (size_t i = 0; i < UNIT_COUNT(wmax); i++) {
		uint32_t cwnd = (uint32_t)(wmax[i] * 717ull / 1024), k = tcp_cubic_k(wmax[i] - cwnd);
		double rk = rfc_k(wmax[i], cwnd);
		for (double t = 0; t <= 3 * rk + 1; t += rk / 8) {
			double want = rfc_w_cubic(wmax[i], rk, t);
			uint32_t got = tcp_cubic_target(wmax[i], k, (uint64_t)(t * UNIT_S));
			CHECK(fabs_d(got - want) <= 1.0 + fabs_d(want) * 0.002);
		}
		CHECK_EQ(tcp_cubic_target(wmax[i], k, k), wmax[i]);   /* the plateau at K */
	}
	return NULL;
}

/* cnt is the segments acked per segment of growth: cwnd over the curve's
 * target a round trip (delay_min) ahead less cwnd (RFC 9438 4.4). */
UNIT_TEST(cnt_follows_target)
{
	struct tcp_cubic ca = { .last_max_cwnd = 100, .delay_min = 100000 };   /* 100 ms */
	uint32_t cwnd = 70, start = 5000;

	tcp_cubic_update(&ca, cwnd, 1, start);          /* the epoch starts: K from 100 - 70 */
	tcp_cubic_update(&ca, cwnd, 1, start + 1000);   /* 1 s later, the target at 1.1 s */
	double rk = rfc_k(100, 70), target = rfc_w_cubic(100, rk, 1.1);
	double want = cwnd / (target - cwnd);
	CHECK_EQ(ca.origin_point, 100);
	CHECK(fabs_d((double)ca.cnt - want) <= 1.0);
	return NULL;
}

/*
 * The Reno-friendly estimate (RFC 9438 eq. 4): W_est grows by alpha =
 * 3 (1 - beta) / (1 + beta) segments per window acked. 20 windows of 70
 * segments at a window held at 70, an ACK a millisecond: W_est = 70 + 20
 * alpha, within a segment (it counts whole ones; Linux's 1 / alpha is
 * 15/8). Past cwnd it caps cnt at cwnd / (W_est - cwnd).
 */
UNIT_TEST(reno_friendly_estimate)
{
	struct tcp_cubic ca = { .last_max_cwnd = 100, .delay_min = 1000 };
	uint32_t cwnd = 70, now = 1000;
	double alpha = 3 * (1 - RFC_BETA) / (1 + RFC_BETA);

	for (int round = 0; round < 20; round++)
		for (uint32_t i = 0; i < cwnd; i++)
			tcp_cubic_update(&ca, cwnd, 1, now++);
	CHECK(fabs_d((double)ca.tcp_cwnd - (70 + 20 * alpha)) <= 1.0);
	CHECK(ca.tcp_cwnd > cwnd);
	CHECK(ca.cnt <= cwnd / (ca.tcp_cwnd - cwnd));
	return NULL;
}

/* A conn of mss MSS with a window of cwnd segments, CUBIC's state fresh. */
static void conn_with(struct tcp_conn *c, uint32_t cwnd)
{
	memset(c, 0, sizeof(*c));
	c->snd_mss = MSS;
	c->cwnd = cwnd * MSS;
	c->cc = TCP_CC_CUBIC;
}

/* ssthresh is beta (717/1024) of the window; W_max the window, or with
 * fast convergence (1 + beta) / 2 of it when it shrank from the last W_max. */
UNIT_TEST(beta_and_fast_convergence)
{
	struct tcp_conn c;

	conn_with(&c, 100);
	CHECK_EQ(tcp_cubic_ops.ssthresh(&c), 70u * MSS);     /* 100 * 717 / 1024 = 70.02 */
	CHECK_EQ(c.ca.cubic.last_max_cwnd, 100);
	CHECK_EQ(c.ca.cubic.epoch_start, 0);
	c.cwnd = 80 * MSS;                                   /* lost again below W_max */
	CHECK_EQ(tcp_cubic_ops.ssthresh(&c), 56u * MSS);
	CHECK_EQ(c.ca.cubic.last_max_cwnd, 80 * 1741 / 2048);
	c.cwnd = 2 * MSS;
	CHECK_EQ(tcp_cubic_ops.ssthresh(&c), 2u * MSS);      /* at least two segments */
	return NULL;
}

/* A timeout forgets W_max (Linux's cubictcp_state on TCP_CA_Loss). */
UNIT_TEST(loss_resets)
{
	struct tcp_conn c;

	conn_with(&c, 100);
	tcp_cubic_ops.ssthresh(&c);
	tcp_cubic_ops.set_state(&c, TCP_CA_LOSS, 5 * TCP_NS_PER_S);
	CHECK_EQ(c.ca.cubic.last_max_cwnd, 0);
	CHECK(c.ca.cubic.round_set);
	return NULL;
}

/* The names: "reno" and "cubic" in Linux's order; others ENOENT. */
UNIT_TEST(names)
{
	CHECK_EQ(tcp_cc_find("reno", 4), TCP_CC_RENO);
	CHECK_EQ(tcp_cc_find("cubic", 5), TCP_CC_CUBIC);
	CHECK_EQ(tcp_cc_find("cubi", 4), -ENOENT);
	CHECK_EQ(tcp_cc_find("cubicx", 6), -ENOENT);
	CHECK_EQ(tcp_cc_find("", 0), -ENOENT);
	CHECK(!strcmp(tcp_cc_name(TCP_CC_CUBIC), "cubic"));
	CHECK(!strcmp(tcp_cc_name(TCP_CC_COUNT), ""));
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(cube_root_exact),
	UNIT_ENTRY(k_matches_rfc),
	UNIT_ENTRY(w_cubic_matches_rfc),
	UNIT_ENTRY(cnt_follows_target),
	UNIT_ENTRY(reno_friendly_estimate),
	UNIT_ENTRY(beta_and_fast_convergence),
	UNIT_ENTRY(loss_resets),
	UNIT_ENTRY(names),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
