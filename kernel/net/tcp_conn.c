// SPDX-License-Identifier: MIT
/*
 * Kestrel: the TCP engine's side facing the socket layer: setting a conn
 * up (active and passive open, option negotiation), the calls a socket
 * makes (send, receive, urgent data, shutdown, close, options) with
 * Linux's return values, the state changes and events every file uses,
 * and the TCP_INFO snapshot.
 */
#include "lib/errno.h"
#include "lib/string.h"
#include "net/tcp_priv.h"

#define TCP_MSS_DEFAULT_ADV 1460     /* an Ethernet MTU's */

/* ---- state, events, the end --------------------------------------------------- */

void tcp_raise(struct tcp_conn *c, unsigned ev)
{
	c->events |= ev;
	if (c->ops->event)
		c->ops->event(c, ev);
}

void tcp_set_state(struct tcp_conn *c, enum tcp_state s)
{
	c->state = s;
}

bool tcp_synced(const struct tcp_conn *c)
{
	return c->state != TCPS_CLOSE && c->state != TCPS_LISTEN && c->state != TCPS_SYN_SENT;
}

/* Linux's tcp_done: CLOSE, no timers, both directions shut, the send
 * queue purged; the socket is woken for everything. */
void tcp_done(struct tcp_conn *c)
{
	tcp_set_state(c, TCPS_CLOSE);
	tcp_timers_stop(c);
	c->rcv_shut = c->snd_shut = true;
	c->snd.len = 0;
	c->n_ofo = 0;
	tcp_raise(c, TCP_EV_CLOSED | TCP_EV_READABLE | TCP_EV_WRITABLE);
}

void tcp_fail(struct tcp_conn *c, int err)
{
	c->error = err;
	tcp_raise(c, TCP_EV_ERROR);
	tcp_done(c);
}

/* ---- setting up ---------------------------------------------------------------- */

/* The smallest shift that brings the ring's size under the 16-bit field. */
static uint8_t wscale_for(uint32_t size)
{
	uint8_t s = 0;

	while (s < TCP_WSCALE_MAX && (size >> s) > TCP_WIN_MAX)
		s++;
	return s;
}

void tcp_conn_init(struct tcp_conn *c, const struct tcp_cfg *cfg, const struct tcp_ops *ops)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->state = TCPS_CLOSE;
	c->snd.buf = cfg->sndbuf;
	c->snd.size = cfg->sndbuf_size;
	c->sndbuf = cfg->sndbuf_limit;
	c->sndbuf_lock = cfg->sndbuf_lock;
	c->wmem_max = cfg->wmem_max ? cfg->wmem_max : TCP_WMEM_MAX;
	c->min_tso_segs = cfg->min_tso_segs ? cfg->min_tso_segs : TCP_MIN_TSO_SEGS;
	c->reordering_base = cfg->reordering ? cfg->reordering : TCP_REORDERING;
	c->reordering_max = cfg->max_reordering ? cfg->max_reordering : TCP_MAX_REORDERING;
	c->reordering = c->reordering_base;
	c->rcv.buf = cfg->rcvbuf;
	c->rcv.size = cfg->rcvbuf_size;
	c->sport = cfg->sport;
	c->dport = cfg->dport;
	c->advmss = cfg->mss ? cfg->mss : TCP_MSS_DEFAULT_ADV;
	if (c->advmss < TCP_MIN_SND_MSS)
		c->advmss = TCP_MIN_SND_MSS;
	c->offer_ts = !cfg->no_ts;
	c->offer_sack = !cfg->no_sack;
	c->offer_ws = !cfg->no_wscale;
	c->rcv_wscale = c->offer_ws ? wscale_for(cfg->wscale_space > c->rcv.size ? cfg->wscale_space
									      : c->rcv.size) : 0;
	c->rcv_max = cfg->rcvbuf_max > c->rcv.size ? cfg->rcvbuf_max : 0;
	c->rcvq_space = TCP_INIT_CWND * c->advmss; /* Linux's tcp_init_buffer_space */
	c->ts_offset = cfg->ts_offset;
	c->keep_idle_s = TCP_KEEPIDLE_S;
	c->keep_intvl_s = TCP_KEEPINTVL_S;
	c->keep_cnt = TCP_KEEPCNT_DEFAULT;
	c->fin_timeout_ns = TCP_FIN_TIMEOUT_NS;
	c->rto = TCP_RTO_INIT_NS;
	c->snd_mss = c->rcv_mss = TCP_MSS_DEFAULT;
	c->peer_mss = TCP_MSS_DEFAULT;
	tcp_timers_stop(c);
	c->cc = TCP_CC_DEFAULT;
	tcp_cc_init(c);
}

/*
 * The peer's SYN options against ours: MSS (536 without one, 48 at
 * least: tcp_min_snd_mss), window scale only if both sent it (the peer's
 * clamped to 14), timestamps and SACK-permitted likewise. snd_mss is
 * the payload a segment carries once the timestamp option is deducted
 * (Linux's mss_cache); rcv_mss starts at 536 at most, as Linux's
 * tcp_initialize_rcv_mss, and grows with what arrives.
 */
void tcp_negotiate(struct tcp_conn *c, const struct tcp_opts *o)
{
	uint16_t mss = o->has_mss ? o->mss : TCP_MSS_DEFAULT;
	uint16_t opt = 0;

	if (mss < TCP_MIN_SND_MSS)
		mss = TCP_MIN_SND_MSS;
	c->peer_mss = mss;
	c->ws_ok = c->offer_ws && o->has_wscale;
	c->snd_wscale = c->ws_ok ? (o->wscale > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o->wscale) : 0;
	if (!c->ws_ok)
		c->rcv_wscale = 0;
	c->ts_ok = c->offer_ts && o->has_ts;
	c->sack_ok = c->offer_sack && o->sack_ok;
	if (c->ts_ok)
		opt = TCP_TS_OPT_LEN;
	mss = mss < c->advmss ? mss : c->advmss;
	c->snd_mss = mss - opt;
	c->rcv_mss = c->snd_mss < TCP_MSS_DEFAULT ? c->snd_mss : TCP_MSS_DEFAULT;
	tcp_cc_init(c);
}

/* Both sides' sequence spaces start at iss. */
static void init_snd(struct tcp_conn *c, uint32_t iss, uint64_t now)
{
	c->iss = c->snd_una = c->recover = iss;
	c->snd_nxt = c->snd_max = c->snd_ring_seq = c->snd_sml = iss + 1;
	c->skb_seq = c->pushed_seq = iss + 1;
	c->n_marks = 0;
	c->reo_adj_seq = c->rxlog_high = iss;
	tcp_sack_clear(c);
	c->rtt_timing = true;
	c->rtt_seq = iss;
	c->rtt_start = now;
}

int tcp_connect(struct tcp_conn *c, uint32_t iss, uint64_t now)
{
	if (c->state == TCPS_SYN_SENT)
		return -EALREADY;
	if (c->state != TCPS_CLOSE || c->rcv_shut)
		return -EISCONN;
	init_snd(c, iss, now);
	tcp_set_state(c, TCPS_SYN_SENT);
	tcp_send_syn(c, now);
	return 0;
}

void tcp_listen(struct tcp_conn *c)
{
	tcp_set_state(c, TCPS_LISTEN);
}

/* Data and a FIN on the SYN are ignored (no Fast Open), as Linux does. */
void tcp_accept_syn(struct tcp_conn *c, const struct tcp_seg *syn, uint32_t iss, uint64_t now)
{
	c->passive = true;
	c->irs = syn->seq;
	c->rcv_nxt = c->copied_seq = c->rcv_wup = c->rcv_adv = syn->seq + 1;
	tcp_negotiate(c, &syn->opts);
	init_snd(c, iss, now);
	c->snd_wnd = c->max_window = syn->window;
	c->snd_wl1 = syn->seq;
	c->snd_wl2 = iss;
	if (c->ts_ok) {
		c->ts_recent = syn->opts.ts_val;
		c->ts_recent_stamp = now;
	}
	c->last_rcv = now;
	tcp_set_state(c, TCPS_SYN_RECV);
	tcp_send_syn(c, now);
}

/* ---- sending ------------------------------------------------------------------------- */

uint32_t tcp_send_space(const struct tcp_conn *c)
{
	return c->snd_shut ? 0 : ring_free(&c->snd);
}

int tcp_take_error(struct tcp_conn *c)
{
	int e = c->error;

	c->error = 0;
	return e;
}

/* Why a send cannot queue anything: 0 if it can. */
static long send_refusal(struct tcp_conn *c)
{
	if (c->error)
		return -tcp_take_error(c);
	if (c->snd_shut)
		return -EPIPE;
	switch (c->state) {
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
		return 0;
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECV:
		return -EAGAIN;                /* the caller waits for TCP_EV_CONNECTED */
	default:
		return -EPIPE;                 /* never connected: Linux says EPIPE too */
	}
}

long tcp_send_reserve(struct tcp_conn *c, size_t n, struct tcp_room *room)
{
	long why = send_refusal(c);
	uint32_t k = ring_free(&c->snd);

	if (why)
		return why;
	if (n < k)
		k = (uint32_t)n;
	if (!k)
		return -EAGAIN;
	struct tcp_span s;
	ring_span(&c->snd, c->snd.len, k, &s);
	for (int i = 0; i < 2; i++) {
		room->p[i] = (uint8_t *)s.p[i];  /* free space: the sender's to fill */
		room->len[i] = s.len[i];
	}
	return k;
}

long tcp_send_commit(struct tcp_conn *c, uint32_t n, unsigned flags, uint64_t now)
{
	long why = send_refusal(c);

	if (why)
		return why;
	if (n > ring_free(&c->snd))
		n = ring_free(&c->snd);  /* never: the reserve said so, and only the sender adds */
	if (n)
		tcp_cc_idle_check(c, now);
	c->snd.len += n;
	if (flags & TCP_SEND_OOB) {
		c->snd_up = tcp_fin_seq(c);    /* Linux's tcp_mark_urg: past the last byte */
		c->urg_send = true;
	}
	c->cork = (c->cork & ~2u) | ((flags & TCP_SEND_MORE) ? 2u : 0u);
	tcp_push_queued(c, n, flags);
	tcp_output(c, now);
	return n;
}

long tcp_send(struct tcp_conn *c, const void *buf, size_t n, unsigned flags, uint64_t now)
{
	struct tcp_room room;
	long k = n ? tcp_send_reserve(c, n, &room) : send_refusal(c);

	if (k < 0)
		return k;
	ring_write_at(&c->snd, c->snd.len, buf, (uint32_t)k); /* the room reserved */
	return tcp_send_commit(c, (uint32_t)k, flags, now);
}

void tcp_set_nodelay(struct tcp_conn *c, bool on, uint64_t now)
{
	c->nodelay = on;
	if (on)
		tcp_output(c, now);
}

void tcp_set_cork(struct tcp_conn *c, bool on, uint64_t now)
{
	c->cork = (c->cork & ~1u) | (on ? 1u : 0u);
	if (!on && c->nodelay)
		c->nagle_push = true;  /* __tcp_sock_set_cork: TCP_NAGLE_OFF brings TCP_NAGLE_PUSH */
	if (!on)
		tcp_output(c, now);
}

void tcp_nagle_push(struct tcp_conn *c, uint64_t now)
{
	c->nagle_push = true;
	tcp_output(c, now);
}

void tcp_snd_grow(struct tcp_conn *c, uint8_t *buf, uint32_t size)
{
	ring_move(&c->snd, buf, size, c->snd.len);
}

uint32_t tcp_rcv_want(const struct tcp_conn *c)
{
	return c->rcv_want > c->rcv.size ? c->rcv_want : 0;
}

void tcp_rcv_grow(struct tcp_conn *c, uint8_t *buf, uint32_t size, uint64_t now)
{
	uint32_t live = c->n_ofo ? c->ofo[c->n_ofo - 1].end - c->copied_seq : c->rcv.len;
	uint32_t before = tcp_rcv_wnd_now(c);

	ring_move(&c->rcv, buf, size, live);
	c->rcv_want = 0;
	if (tcp_synced(c) && !c->fin_rcvd && tcp_new_window(c) >= 2 * before)
		tcp_send_ack(c, now); /* the peer may be waiting on the old window */
}

uint8_t *tcp_rcv_release(struct tcp_conn *c)
{
	uint8_t *buf = c->rcv.buf;

	if (!c->orphan || !c->rcv_shut || c->rcv.len || c->state == TCPS_CLOSE)
		return NULL;
	c->rcv.buf = NULL;
	return buf;
}

uint8_t *tcp_snd_release(struct tcp_conn *c)
{
	uint8_t *buf = c->snd.buf;

	if (!c->orphan || c->state != TCPS_TIME_WAIT || c->snd.len)
		return NULL;
	c->snd.buf = NULL;
	return buf;
}

void tcp_set_quickack(struct tcp_conn *c, bool on, uint64_t now)
{
	c->pingpong = !on;
	if (on && (c->state == TCPS_ESTABLISHED || c->state == TCPS_CLOSE_WAIT) &&
	    c->t_delack != TCP_NO_DEADLINE && !tcp_rcv_queued(c))
		tcp_send_ack(c, now);
}

void tcp_set_keepalive(struct tcp_conn *c, bool on, uint64_t now)
{
	c->keepalive = on;
	tcp_keepalive_arm(c, now);
}
