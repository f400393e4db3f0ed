// SPDX-License-Identifier: MIT
/*
 * Kestrel: where the PSH flag goes, as Linux 6.1 places it.
 *
 * Linux's send queue is a list of skbs; Kestrel's is a byte ring, so the
 * skbs' edges that a peer can see are kept as marks, sequence numbers
 * in the ring (struct tcp_conn's marks, sorted, at most TCP_MARK_MAX):
 *
 *  - PSH: an skb that ends in PSH. tcp_sendmsg_locked appends a call's
 *    bytes to the unsent tail skb up to size_goal (tcp_send_mss: a
 *    multiple of the MSS, half the largest window the peer offered, at
 *    most a GSO packet), taking the tail's PSH off as it does; an skb
 *    that fills while write_seq is past pushed_seq + max_window / 2
 *    (forced_push) gets PSH (tcp_mark_push), and so does the tail at
 *    the end of the call unless MSG_MORE (tcp_push).
 *  - EOR: MSG_EOR's skb, to which nothing is appended (it ends in PSH too).
 *  - EDGE: the end of a packet that went out, and the ends of a piece
 *    sent again: the edges of the skbs of Linux's retransmission queue
 *    (tso_fragment and tcp_fragment split them where a packet ends).
 *
 * A segment is never built across a PSH or EOR mark (Linux never sends
 * across an skb's end) and one that ends at a PSH mark carries PSH.
 * On top of that, __tcp_transmit_skb sets PSH on every packet of two
 * segments or more (a GSO packet, "to expedite GRO flush at
 * receiver"), which the software segmentation leaves on its last
 * segment: tcp_output.c groups its segments as tcp_write_xmit would
 * (tcp_tso_segs' size, half the congestion window) and asks
 * tcp_psh_range for the rest.
 *
 * Memory: the marks are a fixed array; when it is full the lowest EDGE
 * mark (else the lowest mark) gives way: a retransmission then carries
 * PSH where Linux's might not, nothing else changes. Marks at or below
 * snd_una are dropped as they are met. Everything here runs under the
 * conn's lock, as every engine call.
 */
#include "net/tcp_priv.h"

/* sk_gso_max_size: the device's 64 KiB less MAX_TCP_HEADER + 1 (320 + 1
 * on x86_64), sk_setup_caps; what one GSO packet may carry. */
#define TCP_GSO_MAX_SIZE      (65536u - 321u)
#define TCP_TSO_RTT_LOG       9      /* tcp_tso_rtt_log: 2^9 us */
#define TCP_MIN_HALF_WND_SEG  68u    /* tcp_bound_to_half_wnd's floor (less the header) */
#define TCP_HDR_LEN           20u
#define TCP_PUSH_SKBS_MAX     (2 * TCP_MARK_MAX) /* skbs of one call walked one by one */

/* ---- the marks ------------------------------------------------------------------ */

/* Drop the marks at or below snd_una: their bytes are acknowledged. */
static void marks_prune(struct tcp_conn *c)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->n_marks; i++)
		if (seq_gt(c->marks[i].seq, c->snd_una))
			c->marks[k++] = c->marks[i];
	c->n_marks = (uint8_t)k;
	if (c->marks_lost && !seq_gt(c->marks_lost_seq, c->snd_una))
		c->marks_lost = false;
}

/* The index of the mark that gives way when the array is full: the lowest
 * EDGE-only one, else the lowest. */
static unsigned mark_victim(const struct tcp_conn *c)
{
	for (unsigned i = 0; i < c->n_marks; i++)
		if (c->marks[i].kind == TCP_MARK_EDGE)
			return i;
	return 0;
}

static void mark_remove(struct tcp_conn *c, unsigned i)
{
	for (unsigned j = i + 1; j < c->n_marks; j++)
		c->marks[j - 1] = c->marks[j];
	c->n_marks--;
}

void tcp_mark_add(struct tcp_conn *c, uint32_t seq, uint8_t kind)
{
	unsigned i;

	marks_prune(c);
	if (!seq_gt(seq, c->snd_una))
		return;
	for (i = 0; i < c->n_marks && seq_lt(c->marks[i].seq, seq); i++)
		;
	if (i < c->n_marks && c->marks[i].seq == seq) {
		c->marks[i].kind |= kind;
		return;
	}
	if (c->n_marks == TCP_MARK_MAX) {
		unsigned v = mark_victim(c);

		if (!c->marks_lost || seq_gt(c->marks[v].seq, c->marks_lost_seq))
			c->marks_lost_seq = c->marks[v].seq;
		c->marks_lost = true;
		mark_remove(c, v);
		if (v < i)
			i--;
	}
	for (unsigned j = c->n_marks; j > i; j--)
		c->marks[j] = c->marks[j - 1];
	c->marks[i].seq = seq;
	c->marks[i].kind = kind;
	c->n_marks++;
}

/* The kinds of the mark at seq (0: none). */
static uint8_t mark_at(const struct tcp_conn *c, uint32_t seq)
{
	for (unsigned i = 0; i < c->n_marks; i++)
		if (c->marks[i].seq == seq)
			return c->marks[i].kind;
	return 0;
}

/* Take the PSH kind off the mark at seq (an append to its skb). */
static void mark_unpush(struct tcp_conn *c, uint32_t seq)
{
	for (unsigned i = 0; i < c->n_marks; i++) {
		if (c->marks[i].seq != seq)
			continue;
		c->marks[i].kind &= (uint8_t)~TCP_MARK_PSH;
		if (!c->marks[i].kind)
			mark_remove(c, i);
		return;
	}
}

uint32_t tcp_mark_limit(const struct tcp_conn *c, uint32_t seq, uint32_t len, uint8_t kinds)
{
	for (unsigned i = 0; i < c->n_marks; i++) {
		uint32_t m = c->marks[i].seq;

		if ((c->marks[i].kind & kinds) && seq_gt(m, seq) && seq_gt(m, c->snd_una))
			return m - seq < len ? m - seq : len;
	}
	return len;
}

uint32_t tcp_mark_before(const struct tcp_conn *c, uint32_t seq)
{
	uint32_t best = c->snd_una;

	for (unsigned i = 0; i < c->n_marks; i++) {
		uint32_t m = c->marks[i].seq;

		if (seq_lt(m, seq) && seq_gt(m, best))
			best = m;
	}
	return seq_lt(best, seq) ? best : seq;
}

bool tcp_marks_exact(struct tcp_conn *c)
{
	marks_prune(c);
	return !c->marks_lost;
}

bool tcp_psh_range(const struct tcp_conn *c, uint32_t s, uint32_t e)
{
	for (unsigned i = 0; i < c->n_marks; i++) {
		uint32_t m = c->marks[i].seq;

		if ((c->marks[i].kind & (TCP_MARK_PSH | TCP_MARK_EOR)) && seq_gt(m, s) && seq_le(m, e))
			return true;
	}
	return false;
}

/* ---- what a sending call leaves ------------------------------------------------- */

/* Linux's tcp_bound_to_half_wnd over sk_gso_max_size. */
static uint32_t half_window_bound(const struct tcp_conn *c)
{
	uint32_t cutoff = c->max_window > TCP_MSS_DEFAULT ? c->max_window / 2 : c->max_window;
	uint32_t floor = TCP_MIN_HALF_WND_SEG - TCP_HDR_LEN;

	if (cutoff && TCP_GSO_MAX_SIZE > cutoff)
		return cutoff > floor ? cutoff : floor;
	return TCP_GSO_MAX_SIZE;
}

uint32_t tcp_size_goal(const struct tcp_conn *c, bool oob)
{
	uint32_t mss = tcp_cur_mss(c), half = half_window_bound(c), goal;

	if (oob || !mss)
		return mss;  /* MSG_OOB: tcp_xmit_size_goal's large_allowed is false */
	goal = half / mss * mss;
	if (half < mss)
		mss = half;  /* Linux's mss_cache is bounded so too (tcp_sync_mss) */
	return goal > mss ? goal : mss;
}

/* Linux's forced_push: more than half the largest window since the last push. */
static bool forced_push(const struct tcp_conn *c, uint32_t write_seq)
{
	return seq_gt(write_seq, c->pushed_seq + c->max_window / 2);
}

static void mark_push(struct tcp_conn *c, uint32_t seq)
{
	tcp_mark_add(c, seq, TCP_MARK_PSH);
	c->pushed_seq = seq;
}

int64_t tcp_tail_len(const struct tcp_conn *c, uint32_t end)
{
	uint32_t start = seq_gt(c->snd_max, c->skb_seq) ? c->snd_max : c->skb_seq;

	if (!seq_lt(start, end) || (mark_at(c, end) & TCP_MARK_EOR))
		return -1;
	return end - start;
}

void tcp_push_queued(struct tcp_conn *c, uint32_t n, unsigned flags)
{
	uint32_t end = tcp_fin_seq(c) - n, goal = tcp_size_goal(c, flags & TCP_SEND_OOB);
	bool first = true, eor = (flags & TCP_SEND_EOR) && n;

	for (unsigned skbs = 0; n; skbs++) {
		int64_t have = tcp_tail_len(c, end);
		uint32_t copy;

		if (skbs == TCP_PUSH_SKBS_MAX) {
			/* a goal so small (a tiny MSS or window) that the call
			 * fills more skbs than the marks could keep: the rest
			 * is one step, this loop bounded under the conn's lock */
			c->skb_seq = end;
			end += n;
			break;
		}

		if (have < 0 || have >= goal) {
			c->skb_seq = end;      /* a new skb (tcp_stream_alloc_skb) */
			c->nagle_push = false; /* skb_entail ends TCP_NAGLE_PUSH */
			have = 0;
		} else if (first && !(flags & TCP_SEND_CONT)) {
			mark_unpush(c, end);   /* tcp_sendmsg_locked: if (!copied) ... &= ~TCPHDR_PSH */
		}
		first = false;
		copy = goal - (uint32_t)have < n ? goal - (uint32_t)have : n;
		end += copy;
		n -= copy;
		if (n && forced_push(c, end))
			mark_push(c, end);     /* a full skb with more to come */
	}
	if (eor) {
		mark_push(c, end);
		tcp_mark_add(c, end, TCP_MARK_EOR);
	} else if (tcp_tail_len(c, end) > 0 && (!(flags & TCP_SEND_MORE) || forced_push(c, end))) {
		mark_push(c, end);             /* tcp_push */
	}
}

/* ---- TCP_NOTSENT_LOWAT ------------------------------------------------------------ */

uint32_t tcp_notsent(const struct tcp_conn *c)
{
	uint32_t write_seq = tcp_fin_seq(c);

	return seq_gt(write_seq, c->snd_max) ? write_seq - c->snd_max : 0;
}

bool tcp_notsent_writable(const struct tcp_conn *c, uint32_t lowat)
{
	return ((uint64_t)tcp_notsent(c) << 1) < lowat;
}

/* ---- how many segments a packet takes -------------------------------------------- */

uint64_t tcp_pacing_rate(const struct tcp_conn *c)
{
	unsigned ratio = c->cwnd < c->ssthresh / 2 ? TCP_PACING_SS_RATIO : TCP_PACING_CA_RATIO;
	uint64_t w = c->cwnd > tcp_flight(c) ? c->cwnd : tcp_flight(c);

	if (!c->srtt)
		return UINT64_MAX;  /* Linux's sk_pacing_rate before the first: ~0 */
	return w * ratio / 100 * TCP_NS_PER_S / c->srtt;
}

uint32_t tcp_tso_segs(const struct tcp_conn *c)
{
	uint64_t rate = tcp_pacing_rate(c), bytes = rate >> TCP_TSQ_SHIFT;
	uint64_t min_rtt = c->min_rtt ? c->min_rtt : c->srtt;
	uint64_t r = min_rtt / 1000 >> TCP_TSO_RTT_LOG;
	uint32_t mss = tcp_cur_mss(c), segs;

	if (rate == UINT64_MAX)
		bytes = TCP_GSO_MAX_SIZE;
	if (r < 32)
		bytes += TCP_GSO_MAX_SIZE >> r;
	if (bytes > TCP_GSO_MAX_SIZE)
		bytes = TCP_GSO_MAX_SIZE;
	segs = mss ? (uint32_t)(bytes / mss) : 1;
	return segs > c->min_tso_segs ? segs : c->min_tso_segs;
}
