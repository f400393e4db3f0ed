/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the TCP engine (kernel/net/tcp_*.c): the input
 * is a script of operations against an established conn and a listener
 * (with the conn it accepts): segments with fuzzed fields, payloads and
 * options aimed near or far from the conns' sequence spaces, sends,
 * receives, urgent reads, shutdowns, closes, option changes, ring
 * growth (autotuning's, and a receive ring grown behind islands) and
 * clock jumps with their timers; SACK blocks (the sender's scoreboard,
 * RACK-TLP) near the conn's send space. After each step the conns' invariants must
 * hold and every span handed to the output callback must be readable.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/tcp.h"
#include "net/tcp_seq.h"

#define RING_SND 4096
#define RING_RCV 8192
#define RING_BIG 16384                 /* what a ring may grow to, once */
#define NCONN    3                     /* 0: established, 1: listener, 2: what it accepts */

static struct tcp_conn conns[NCONN];
static uint8_t bufs[NCONN][2][RING_RCV];
static uint8_t big[NCONN][2][RING_BIG];
static bool grown[NCONN][2];
static uint64_t now;
static volatile uint8_t sink;

struct script {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct script *s)
{
	if (!s->n)
		return 0;
	s->n--;
	return *s->p++;
}

static uint16_t u16(struct script *s)
{
	return (uint16_t)(u8(s) << 8 | u8(s));
}

static uint32_t u32(struct script *s)
{
	return (uint32_t)u16(s) << 16 | u16(s);
}

/* Every byte of a segment's payload is read: ASan checks the spans. */
static void out_cb(struct tcp_conn *c, const struct tcp_seg *s, const struct tcp_span *d)
{
	(void)c;
	if (s->payload_len != d->len[0] + d->len[1])
		abort();
	for (int i = 0; i < 2; i++)
		for (uint32_t j = 0; j < d->len[i]; j++)
			sink ^= d->p[i][j];
}

/* The small queues: what the script says is below TCP. */
static uint32_t below;

static uint32_t below_cb(struct tcp_conn *c)
{
	(void)c;
	return below;
}

static void throttle_cb(struct tcp_conn *c)
{
	(void)c;
}

static const struct tcp_ops OPS = { .output = out_cb, .queued_below = below_cb, .throttle = throttle_cb };

static void setup(struct tcp_conn *c, int i, uint32_t rcv_size)
{
	struct tcp_cfg cfg = {
		.sndbuf = bufs[i][0], .sndbuf_size = RING_SND,
		.rcvbuf = bufs[i][1], .rcvbuf_size = rcv_size,
		.sport = 1000, .dport = 2000, .mss = 536,
		.sndbuf_limit = TCP_WMEM_DEFAULT,  /* a socket's without SO_SNDBUF (tcp_sock.c) */
		.rcvbuf_max = RING_BIG, .wscale_space = i == 2 ? TCP_RMEM_MAX : 0,
	};

	tcp_conn_init(c, &cfg, &OPS);
	grown[i][0] = grown[i][1] = false;
}

static void check(const struct tcp_conn *c)
{
	if (c->state == TCPS_CLOSE || c->state == TCPS_LISTEN)
		return;
	if (seq_gt(c->snd_una, c->snd_nxt) || seq_gt(c->snd_nxt, c->snd_max))
		abort();
	if (c->snd.len > c->snd.size || c->rcv.len > c->rcv.size || c->n_ofo > TCP_OFO_MAX)
		abort();
	if (c->state != TCPS_SYN_SENT && c->rcv_nxt - c->copied_seq != c->rcv.len + c->fin_rcvd)
		abort();
	for (unsigned i = 0; i < c->n_ofo; i++)
		if (c->ofo[i].end - c->rcv_nxt > c->rcv.size || c->ofo[i].start == c->rcv_nxt)
			abort();
	/* the scoreboard: sorted, disjoint ranges within (snd_una, snd_max], their sum kept */
	uint32_t sum = 0;
	if (c->n_sb > TCP_SB_MAX || c->n_xlog > TCP_XLOG_MAX)
		abort();
	for (unsigned i = 0; i < c->n_sb; i++) {
		if (!seq_lt(c->sb[i].start, c->sb[i].end) || !seq_gt(c->sb[i].start, c->snd_una) ||
		    seq_gt(c->sb[i].end, c->snd_max) || (i && !seq_gt(c->sb[i].start, c->sb[i - 1].end)))
			abort();
		sum += c->sb[i].end - c->sb[i].start;
	}
	if (sum != c->sacked_bytes || c->sacked_bytes > c->snd_max - c->snd_una)
		abort();
}

/* Options from the script, every field free; SACK blocks (up to four,
 * as the parser allows) near c's send space (or anything) when asked. */
static void fuzz_opts(struct script *s, struct tcp_opts *o, const struct tcp_conn *c)
{
	uint8_t f = u8(s);

	o->has_mss = f & 1;
	o->has_wscale = f & 2;
	o->sack_ok = f & 4;
	o->has_ts = f & 8;
	o->mss = u16(s);
	o->wscale = u8(s);
	o->ts_val = u32(s);
	o->ts_ecr = u32(s);
	o->nsack = (f >> 4) % (TCP_SACK_MAX + 1);
	for (unsigned i = 0; i < o->nsack; i++) {
		uint8_t m = u8(s);
		/* mostly within a couple of KiB of snd_una, where the send ring's
		 * data is; sometimes anything */
		uint32_t base = (m & 1) ? u32(s) : c->snd_una + (uint32_t)((int32_t)(int8_t)u8(s) * 16);

		o->sack[i].left = base;
		o->sack[i].right = (m & 2) ? u32(s) : base + (uint32_t)u8(s) * 8;
	}
}

/* A segment for c: sequence numbers near its own (or anything), a payload from the script. */
static void fuzz_segment(struct script *s, struct tcp_conn *c, struct tcp_seg *seg, const uint8_t **pl)
{
	uint8_t mode = u8(s);

	memset(seg, 0, sizeof(*seg));
	seg->sport = 2000;
	seg->dport = 1000;
	seg->flags = u8(s);
	seg->seq = (mode & 1) ? u32(s) : c->rcv_nxt + (uint32_t)(int32_t)(int16_t)u16(s);
	seg->ack = (mode & 2) ? u32(s) : c->snd_una + (uint32_t)(int32_t)(int16_t)u16(s);
	seg->window = u16(s);
	seg->urg_ptr = u16(s);
	if (mode & 4)
		fuzz_opts(s, &seg->opts, c);
	if (mode & 8) {
		/* in order and fresh (past PAWS): an ACK the conn takes, whose
		 * SACK blocks then reach the sender's scoreboard */
		seg->seq = c->rcv_nxt;
		seg->opts.has_ts = c->ts_ok;
		seg->opts.ts_val = c->ts_recent;
	}
	seg->payload_len = u16(s) % 1500;
	if (seg->payload_len > s->n)
		seg->payload_len = (uint32_t)s->n;
	*pl = s->p;
	s->p += seg->payload_len;
	s->n -= seg->payload_len;
}

/* A segment to conn 0, or to the listener (a SYN it takes makes conn 2), or
 * to conn 2; alone or as one of a receive batch (op_user ends the batch). */
static void op_segment(struct script *s)
{
	int to = u8(s) % NCONN;
	struct tcp_conn *c = &conns[to];
	struct tcp_seg seg;
	const uint8_t *pl;
	enum tcp_verdict v;

	bool batched = u8(s) & 1;
	fuzz_segment(s, to == 1 ? &conns[2] : c, &seg, &pl);
	v = batched ? tcp_input_batched(c, &seg, pl, now) : tcp_input(c, &seg, pl, now);
	if (v == TCP_IN_RESET) {
		struct tcp_seg r;

		tcp_reset_reply(&seg, &r);
	}
	if (to == 1 && v == TCP_IN_SYN && conns[2].state == TCPS_CLOSE) {
		setup(&conns[2], 2, RING_RCV);
		tcp_accept_syn(&conns[2], &seg, u32(s), now);
	}
}

/*
 * The socket layer's growth. A receive ring the engine asks to grow (or,
 * when the script says, anyway, islands and all) moves once to a
 * RING_BIG buffer. A write that finds no room, as tcp_sock.c's
 * wire_send_loop meets it (under a TCP_NOTSENT_LOWAT from the script, or
 * none): room_cap marks the conn as a writer's without room when the
 * limit leaves none, and expand_send_ring grows the send ring, once, to
 * what tcp_snd_ring_want asks (or, when the script says, to RING_BIG
 * anyway).
 */
static void op_grow(struct script *s, struct tcp_conn *c, int i)
{
	uint8_t f = u8(s);
	uint32_t lowat = (f & 4) ? u16(s) : UINT32_MAX, want;

	if (!grown[i][1] && c->rcv.size < RING_BIG && (tcp_rcv_want(c) || (f & 1))) {
		tcp_rcv_grow(c, big[i][1], RING_BIG, now);
		grown[i][1] = true;
	}
	if (!tcp_send_room(c, lowat))
		c->snd_nospace = true;
	want = tcp_snd_ring_want(c, lowat, RING_BIG);
	if (!grown[i][0] && c->snd.size < RING_BIG && (want || (f & 2))) {
		tcp_snd_grow(c, big[i][0], want ? want : RING_BIG);
		grown[i][0] = true;
	}
}

static void op_user(struct script *s)
{
	uint8_t buf[RING_RCV];
	int ci = u8(s) % 2 ? 2 : 0;
	struct tcp_conn *c = &conns[ci];
	uint8_t what = u8(s), oob;
	uint16_t n = u16(s) % sizeof(buf);
	struct tcp_info_snap info;

	switch (what % 12) {
	case 0:
		memset(buf, 'x', n);
		tcp_send(c, buf, n, u8(s) & 3, now);
		break;
	case 1:
		tcp_recv(c, buf, n, u8(s) & 1, now);
		break;
	case 2:
		tcp_recv_oob(c, &oob, u8(s) & 1);
		break;
	case 3:
		tcp_shutdown(c, u8(s) % 4, now);
		break;
	case 4:
		if (u8(s) == 0x5a)
			tcp_close(c, now);
		break;
	case 5:
		tcp_set_nodelay(c, u8(s) & 1, now);
		tcp_set_cork(c, u8(s) & 1, now);
		break;
	case 6:
		c->keep_idle_s = 1 + u8(s);
		c->keep_intvl_s = 1 + u8(s) % 8;
		c->keep_cnt = u8(s) % 10;
		tcp_set_keepalive(c, u8(s) & 1, now);
		break;
	case 7:
		tcp_get_info(c, now, &info);
		(void)tcp_at_mark(c);
		(void)tcp_send_space(c);
		/* the send buffer's limit: any size, fixed or autotuned; a
		 * writer or poll that found no room */
		c->sndbuf = (uint32_t)u16(s) << (u8(s) % 8);
		c->sndbuf_lock = u8(s) & 1;
		c->snd_nospace = true;
		(void)tcp_wmem_queued(c);
		(void)tcp_stream_writable(c, u16(s));
		(void)tcp_snd_ring_want(c, UINT32_MAX, RING_BIG);
		memset(buf, 0, sizeof(buf));
		tcp_send(c, buf, tcp_send_room(c, u16(s)) % sizeof(buf), 0, now);
		break;
	case 8:
		op_grow(s, c, ci);
		break;
	case 9:
		tcp_ack_batch_end(c, now);
		break;
	case 10:
		below = u32(s) % (2 * TCP_TSQ_MAX);
		tcp_tsq_resume(c, now);
		break;
	case 11:
		if (u8(s) & 1) /* an ICMP's MTU, less the headers: with the resend, or without (IPv4 under DONT) */
			tcp_mss_reduced(c, u16(s), now);
		else
			(void)tcp_mss_synced(c, u16(s));
		break;
	default:
		break;
	}
}

/* The clock moves on by up to about 65 s (or to the next deadline), and timers run. */
static void op_time(struct script *s)
{
	uint8_t mode = u8(s);
	uint64_t step = (uint64_t)u16(s) * TCP_NS_PER_MS;

	for (int i = 0; i < NCONN; i++) {
		uint64_t d = tcp_next_deadline(&conns[i]);

		if ((mode & 1) && d != TCP_NO_DEADLINE && d > now && d - now < step)
			step = d - now;
	}
	now += step;
	for (int i = 0; i < NCONN; i++)
		if (tcp_next_deadline(&conns[i]) <= now)
			tcp_timer(&conns[i], now);
}

/* Conn 0: our SYN, the script's SYN-ACK (with the script's options): established if it fits. */
static void establish(struct script *s)
{
	struct tcp_seg synack = { .sport = 2000, .dport = 1000, .flags = TCP_SYN | TCP_ACK };

	setup(&conns[0], 0, 1 + (u16(s) % RING_RCV));
	tcp_connect(&conns[0], u32(s), now);
	synack.seq = u32(s);
	synack.ack = conns[0].iss + 1;
	synack.window = u16(s);
	fuzz_opts(s, &synack.opts, &conns[0]);
	if (u8(s) & 1)
		synack.opts.sack_ok = true;    /* most scripts get the SACK paths */
	tcp_input(&conns[0], &synack, NULL, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { data, size };

	now = 1000 * TCP_NS_PER_MS;
	below = 0;
	setup(&conns[1], 1, RING_RCV);
	tcp_listen(&conns[1]);
	setup(&conns[2], 2, RING_RCV);
	establish(&s);
	while (s.n) {
		switch (u8(&s) % 4) {
		case 0:
		case 1:
			op_segment(&s);
			break;
		case 2:
			op_user(&s);
			break;
		default:
			op_time(&s);
			break;
		}
		for (int i = 0; i < NCONN; i++)
			check(&conns[i]);
	}
	return 0;
}
