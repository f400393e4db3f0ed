// SPDX-License-Identifier: MIT
/*
 * Kestrel: the send buffer's limit, as Linux 6.1 sizes and applies it.
 *
 * Linux lets a program queue bytes while sk_wmem_queued, the truesize of
 * the send queue's skbs, is below sk_sndbuf, and asks only when
 * tcp_sendmsg_locked needs a new skb (sk_stream_memory_free): the unsent
 * tail skb is filled to the size goal whatever the limit, and the skb
 * begun just under it is filled too. sk_sndbuf is SO_SNDBUF's (doubled,
 * SOCK_SNDBUF_LOCK), else tcp_wmem[1] at creation, grown by
 * tcp_sndbuf_expand at ESTABLISHED and, while a writer finds no room, on
 * ACKs that free some (tcp_new_space). A sleeping writer and poll wait
 * for free room at least half the queue (sk_stream_write_space).
 *
 * Kestrel's queue is a byte ring, so the skbs are counted from the marks
 * tcp_push.c keeps: a packet sent is an skb of Linux's retransmission
 * queue (tso_fragment splits where a packet ends), and the unsent bytes
 * are skbs of the size goal behind the tail skb. When the marks overflow
 * (TCP_MARK_MAX, a flight of more packets) fewer skbs are counted than
 * Linux has: the limit is then a little looser than Linux's, never
 * tighter. Everything here runs under the conn's lock, as every engine
 * call.
 */
#include "net/tcp_priv.h"

/*
 * What one skb of the send queue costs Linux 6.1 (x86_64, Debian's
 * config) beyond its payload: tcp_stream_alloc_skb(sk, 0) asks
 * MAX_TCP_HEADER of linear room, which __alloc_skb rounds with the
 * skb_shared_info up to a 1 KiB kmalloc (320 + 320 -> 1024); truesize is
 * SKB_TRUESIZE(1024 - 320): 704 + SKB_DATA_ALIGN(sizeof(struct sk_buff))
 * + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). The payload goes into
 * page fragments, charged byte for byte. packetdrill's blocking-write
 * pins it between 1000 and 1333 (its write wakes at ack 36001, not 35001).
 */
#define TCP_MAX_HEADER        320u   /* L1_CACHE_ALIGN(128 + MAX_HEADER) */
#define SKB_STRUCT_SIZE       256u   /* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define SKB_SHINFO_SIZE       320u   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_HEAD_KMALLOC      1024u  /* kmalloc's size for MAX_TCP_HEADER + the shared info */
#define TCP_INIT_CWND_SEGS    10u    /* TCP_INIT_CWND */
#define TCP_SNDBUF_CWND_MUL   2u     /* tcp_sndbuf_expand: "Cubic needs 1.7 factor, rounded to 2" */

_Static_assert(TCP_SKB_TRUESIZE == SKB_HEAD_KMALLOC - SKB_SHINFO_SIZE + SKB_STRUCT_SIZE + SKB_SHINFO_SIZE,
	       "TCP_SKB_TRUESIZE: SKB_TRUESIZE of an empty TCP skb's head");

/* The skbs Linux would have for the sent bytes (snd_una, snd_max]: one
 * per packet, each ending at a mark. */
static uint32_t sent_skbs(const struct tcp_conn *c)
{
	uint32_t n = 0, last = c->snd_una;

	if (!seq_gt(c->snd_max, c->snd_una))
		return 0;
	for (unsigned i = 0; i < c->n_marks; i++) {
		uint32_t m = c->marks[i].seq;

		if (seq_gt(m, c->snd_una) && seq_le(m, c->snd_max)) {
			n++;
			last = seq_gt(m, last) ? m : last;
		}
	}
	return n + (seq_lt(last, c->snd_max) ? 1 : 0);
}

/* The unsent skbs up to write_seq: the tail skb (from skb_seq) and, in
 * front of it, skbs of the size goal. */
static uint32_t unsent_skbs(const struct tcp_conn *c, uint32_t write_seq)
{
	uint32_t start = seq_gt(c->snd_max, c->snd_una) ? c->snd_max : c->snd_una;
	uint32_t tail = seq_gt(c->skb_seq, start) ? c->skb_seq : start;
	uint32_t goal = tcp_size_goal(c, false);

	if (!seq_lt(start, write_seq))
		return 0;
	if (!seq_lt(tail, write_seq))
		tail = start;
	return 1 + (goal ? (tail - start + goal - 1) / goal : 0);
}

uint64_t tcp_wmem_queued(const struct tcp_conn *c)
{
	uint32_t write_seq = c->snd_ring_seq + c->snd.len;
	uint32_t skbs = sent_skbs(c) + unsent_skbs(c, write_seq);

	return (uint64_t)c->snd.len + (uint64_t)skbs * TCP_SKB_TRUESIZE;
}

/* Linux's sk_stream_memory_free with wake 0: may a new skb start? */
static bool memory_free(const struct tcp_conn *c, uint32_t lowat)
{
	if (c->sndbuf && tcp_wmem_queued(c) >= c->sndbuf)
		return false;
	return tcp_notsent(c) < lowat;
}

uint32_t tcp_send_room(const struct tcp_conn *c, uint32_t lowat)
{
	uint32_t goal = tcp_size_goal(c, false);
	int64_t have = tcp_tail_len(c, c->snd_ring_seq + c->snd.len);

	if (!goal)
		return UINT32_MAX;             /* not connected: the send says why it cannot */
	if (have >= 0 && (uint64_t)have < goal)
		return goal - (uint32_t)have;  /* the tail skb is filled, whatever the limit */
	return memory_free(c, lowat) ? goal : 0;
}

bool tcp_stream_writable(const struct tcp_conn *c, uint32_t lowat)
{
	if (c->sndbuf) {
		uint64_t q = tcp_wmem_queued(c);

		/* sk_stream_wspace >= sk_stream_min_wspace; then q < sndbuf */
		if (q >= c->sndbuf || c->sndbuf - q < q / 2)
			return false;
	}
	return tcp_notsent_writable(c, lowat);
}

uint32_t tcp_snd_ring_want(const struct tcp_conn *c, uint32_t lowat, uint32_t max)
{
	uint64_t want;

	if (!tcp_synced(c) || c->snd_shut || c->snd.len < c->snd.size || !c->sndbuf)
		return 0;
	if (!tcp_send_room(c, lowat))
		return 0;                      /* the limit, not the ring, holds the sender */
	/* the most the limit lets the queue hold: a new skb begun just under it */
	want = (uint64_t)c->sndbuf + tcp_size_goal(c, false);
	if (want < (uint64_t)c->snd.size * 2)
		want = (uint64_t)c->snd.size * 2;
	if (want > max)
		want = max;
	return want > c->snd.size ? (uint32_t)want : 0;
}

/* Linux's tcp_sndbuf_expand: room for twice the congestion window (at
 * least the initial one) of the worst case, one skb per MSS with its
 * head kmalloced in a power of two, up to wmem_max. Never shrinks. */
static void sndbuf_expand(struct tcp_conn *c)
{
	uint32_t mss = c->peer_mss > c->snd_mss ? c->peer_mss : c->snd_mss;
	uint64_t per_mss = (uint64_t)mss + TCP_MAX_HEADER + SKB_SHINFO_SIZE, pow = 1;
	uint32_t segs = c->snd_mss ? c->cwnd / c->snd_mss : 0;
	uint64_t want;

	while (pow < per_mss)
		pow <<= 1;                     /* roundup_pow_of_two */
	per_mss = pow + SKB_STRUCT_SIZE;
	segs = segs > TCP_INIT_CWND_SEGS ? segs : TCP_INIT_CWND_SEGS;
	segs = segs > c->reordering + 1 ? segs : c->reordering + 1;
	want = TCP_SNDBUF_CWND_MUL * segs * per_mss;
	if (want > c->wmem_max)
		want = c->wmem_max;
	if (c->sndbuf < want)
		c->sndbuf = (uint32_t)want;
}

void tcp_sndbuf_init(struct tcp_conn *c)
{
	if (c->sndbuf && !c->sndbuf_lock)
		sndbuf_expand(c);
}

/* Linux's tcp_should_expand_sndbuf: not fixed by SO_SNDBUF and the
 * congestion window not full. (Its memory-pressure tests are the
 * caller's: a ring it cannot grow stops the writer anyway.) */
static bool should_expand(const struct tcp_conn *c)
{
	return c->sndbuf && !c->sndbuf_lock && tcp_flight(c) < c->cwnd;
}

void tcp_check_space(struct tcp_conn *c)
{
	if (!c->snd_nospace)
		return;
	if (should_expand(c))
		sndbuf_expand(c);
	if (!c->sndbuf || tcp_stream_writable(c, UINT32_MAX))
		c->snd_nospace = false;        /* sk_stream_write_space: SOCK_NOSPACE cleared */
}
