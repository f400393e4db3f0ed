// SPDX-License-Identifier: MIT
/*
 * Kestrel: the socket's calls that take from a TCP conn or end it:
 * receive (stopping at and skipping the urgent byte as Linux's
 * tcp_recvmsg does), MSG_OOB, shutdown, close (a FIN, or a reset when
 * unread data would be lost), abort, and the TCP_INFO snapshot.
 */
#include "lib/errno.h"
#include "net/tcp_priv.h"

#define TCP_SHUT_RD   0              /* uapi/socket.h's SHUT_RD, SHUT_WR, SHUT_RDWR */
#define TCP_SHUT_WR   1
#define TCP_SHUT_RDWR 2
#define TCP_IPV4_TCP_HDRS 40         /* what pmtu is more than advmss */

/* ---- receiving ------------------------------------------------------------------- */

uint32_t tcp_recv_avail(const struct tcp_conn *c)
{
	return tcp_rcv_queued(c);
}

bool tcp_at_mark(const struct tcp_conn *c)
{
	return c->urg != TCP_URG_NONE && c->urg_seq == c->copied_seq;
}

/*
 * Where a read of up to n bytes finds them: *skip bytes from the front
 * (the urgent byte, which a read that has copied nothing skips unless
 * SO_OOBINLINE), then the bytes returned, up to the urgent mark, where a
 * read stops. Returns that count.
 */
static uint32_t read_extent(const struct tcp_conn *c, uint32_t n, uint32_t *skip)
{
	uint32_t seq = c->copied_seq, avail = c->rcv.len, chunk;
	bool urg = c->urg != TCP_URG_NONE;

	*skip = 0;
	if (urg && !c->urg_inline && seq == c->urg_seq && avail) {
		*skip = 1;
		seq++;
		avail--;
	}
	chunk = n < avail ? n : avail;
	if (urg && seq_gt(c->urg_seq, seq) && c->urg_seq - seq < chunk)
		chunk = c->urg_seq - seq;
	return chunk;
}

uint32_t tcp_recv_plan(const struct tcp_conn *c, size_t n, struct tcp_span *span, uint32_t *taken)
{
	uint32_t skip, len = read_extent(c, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n, &skip);

	ring_span(&c->rcv, skip, len, span);
	*taken = skip + len;
	return len;
}

/* Linux's tcp_cleanup_rbuf: after a read, the delayed ACK goes at once
 * when the read emptied the queue of a connection that is not
 * interactive (the sender may be waiting for room: Linux's
 * ICSK_ACK_PUSHED case, not in pingpong mode, where the reply carries
 * it), and the peer hears of a window that at least doubled. */
static void window_update_after_read(struct tcp_conn *c, uint64_t now)
{
	uint32_t cur = tcp_rcv_wnd_now(c), nw;

	if (!tcp_synced(c) || c->fin_rcvd || c->state == TCPS_TIME_WAIT)
		return;
	if (c->t_delack != TCP_NO_DEADLINE && !tcp_recv_avail(c) && !c->pingpong) {
		tcp_send_ack(c, now);
		return;
	}
	nw = tcp_new_window(c);
	if (nw && nw >= 2 * cur)
		tcp_send_ack(c, now);
}

/*
 * Linux's tcp_rcv_space_adjust, after a read: once a round trip (the
 * receiver's estimate, else the sender's), if the program read more
 * than in the last one, ask for a ring of twice that plus 16 segments,
 * more while the rate grows (the sender is in slow start and the ACKs
 * sent now are for the next round trip), up to rcv_max. The ring then
 * never holds the sender back while the program keeps up.
 */
static void rcv_space_adjust(struct tcp_conn *c, uint64_t now)
{
	uint64_t rtt = c->rcv_rtt ? c->rcv_rtt : c->srtt;
	uint32_t copied = c->copied_seq - c->rcvq_seq;

	if (!c->rcvq_time) {
		c->rcvq_time = now; /* the first read starts the first measure */
		c->rcvq_seq = c->copied_seq;
		return;
	}
	if (!c->rcv_max || !rtt || now - c->rcvq_time < rtt)
		return;
	if (copied > c->rcvq_space) {
		uint64_t win = 2ull * copied + 16ull * c->advmss;
		win += 2 * (win * (copied - c->rcvq_space) / c->rcvq_space);
		if (win > c->rcv_max)
			win = c->rcv_max;
		if (win > c->rcv.size && win > c->rcv_want)
			c->rcv_want = (uint32_t)win;
		c->rcvq_space = copied;
	}
	c->rcvq_seq = c->copied_seq;
	c->rcvq_time = now;
}

/* The result of a read that found nothing (Linux's order of checks). */
static long recv_empty(struct tcp_conn *c)
{
	if (c->fin_rcvd)
		return 0;
	if (c->error)
		return -tcp_take_error(c);
	if (c->rcv_shut)
		return 0;
	if (c->state == TCPS_CLOSE || c->state == TCPS_LISTEN)
		return -ENOTCONN;
	return -EAGAIN;
}

long tcp_recv_commit(struct tcp_conn *c, uint32_t taken, uint32_t copied, unsigned flags, uint64_t now)
{
	if (taken > c->rcv.len)
		taken = c->rcv.len;  /* never: only the reader takes bytes */
	if (!(flags & TCP_RECV_PEEK) && taken) {
		ring_drop(&c->rcv, taken);
		c->copied_seq += taken;
		if (c->urg != TCP_URG_NONE && seq_gt(c->copied_seq, c->urg_seq))
			c->urg = TCP_URG_NONE;  /* read past the mark: Linux forgets it */
		window_update_after_read(c, now);
		rcv_space_adjust(c, now);
	}
	if (copied)
		return copied;
	return recv_empty(c);
}

long tcp_recv(struct tcp_conn *c, void *buf, size_t n, unsigned flags, uint64_t now)
{
	struct tcp_span span;
	uint32_t taken, len = tcp_recv_plan(c, n, &span, &taken);

	ring_read(&c->rcv, taken - len, buf, len); /* the span planned */
	return tcp_recv_commit(c, taken, len, flags, now);
}

/* Linux's tcp_recv_urg. */
long tcp_recv_oob(struct tcp_conn *c, uint8_t *out, bool peek)
{
	if (c->urg_inline || c->urg == TCP_URG_NONE || c->urg == TCP_URG_READ)
		return -EINVAL;
	if (c->urg == TCP_URG_VALID) {
		*out = c->urg_byte;
		if (!peek)
			c->urg = TCP_URG_READ;
		return 1;
	}
	if (c->state == TCPS_CLOSE || c->rcv_shut || c->fin_rcvd)
		return 0;
	return -EAGAIN;
}

/* ---- the end of sending, and of the conn ------------------------------------------ */

/*
 * Linux's tcp_close_state and tcp_send_fin: queue our FIN after the data
 * and move ESTABLISHED/SYN-RECEIVED to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK;
 * a connect still in SYN-SENT just ends.
 */
static void start_fin(struct tcp_conn *c, uint64_t now)
{
	switch (c->state) {
	case TCPS_ESTABLISHED:
	case TCPS_SYN_RECV:
		tcp_set_state(c, TCPS_FIN_WAIT1);
		break;
	case TCPS_CLOSE_WAIT:
		tcp_set_state(c, TCPS_LAST_ACK);
		break;
	case TCPS_SYN_SENT:
		tcp_done(c);
		return;
	default:
		return;
	}
	c->snd_shut = true;
	c->fin_queued = true;
	c->fin_alone = !seq_lt(c->snd_max, tcp_fin_seq(c)); /* no unsent skb to ride on */
	tcp_output(c, now);
	tcp_raise(c, TCP_EV_WRITABLE);
}

int tcp_shutdown(struct tcp_conn *c, int how, uint64_t now)
{
	if (how < TCP_SHUT_RD || how > TCP_SHUT_RDWR)
		return -EINVAL;
	if (c->state == TCPS_CLOSE || c->state == TCPS_LISTEN)
		return -ENOTCONN;
	if (c->state == TCPS_SYN_SENT) { /* Linux's inet_shutdown: tcp_disconnect ends the attempt */
		tcp_fail(c, ECONNRESET);
		return 0;
	}
	if (how != TCP_SHUT_WR) {
		c->rcv_shut = true;
		tcp_raise(c, TCP_EV_READABLE);
	}
	if (how != TCP_SHUT_RD)
		start_fin(c, now);
	return 0;
}

/* Linux's tcp_need_reset: the states whose abort tells the peer. */
static bool need_reset(const struct tcp_conn *c)
{
	switch (c->state) {
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
	case TCPS_FIN_WAIT1:
	case TCPS_FIN_WAIT2:
	case TCPS_SYN_RECV:
		return true;
	default:
		return false;
	}
}

void tcp_drop_embryo(struct tcp_conn *c)
{
	if (c->state == TCPS_SYN_RECV && c->passive)
		tcp_done(c);
}

void tcp_abort(struct tcp_conn *c, uint64_t now)
{
	if (need_reset(c))
		tcp_send_rst(c, c->snd_max, true, now);
	if (c->state != TCPS_CLOSE)
		tcp_done(c);
	else
		tcp_raise(c, TCP_EV_CLOSED);
}

/*
 * Linux's tcp_close: data never read means the peer's stream is lost,
 * so it gets a reset; otherwise our FIN goes after what is queued. An
 * orphan in FIN-WAIT-2 waits tcp_fin_timeout for the peer's FIN.
 */
void tcp_close(struct tcp_conn *c, uint64_t now)
{
	c->orphan = true;
	c->rcv_shut = true;
	switch (c->state) {
	case TCPS_CLOSE:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		tcp_abort(c, now);
		return;
	default:
		break;
	}
	if (tcp_rcv_queued(c)) {
		tcp_abort(c, now);
		return;
	}
	start_fin(c, now);
	tcp_fin_wait2_arm(c, now);
}

/* ---- TCP_INFO ---------------------------------------------------------------------- */

static uint32_t ns_to_us(uint64_t ns)
{
	uint64_t us = ns / 1000;

	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static uint32_t ms_since(uint64_t now, uint64_t then)
{
	uint64_t ms = now > then ? (now - then) / TCP_NS_PER_MS : 0;

	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Bytes to Linux's segment counts. */
static uint32_t segs(const struct tcp_conn *c, uint32_t bytes)
{
	return (bytes + c->snd_mss - 1) / c->snd_mss;
}

static void info_times(const struct tcp_conn *c, uint64_t now, struct tcp_info_snap *o)
{
	uint64_t rto = c->rto;

	for (unsigned i = 0; i < c->backoff && rto < TCP_RTO_MAX_NS; i++)
		rto <<= 1;
	o->rto = ns_to_us(rto < TCP_RTO_MAX_NS ? rto : TCP_RTO_MAX_NS);
	o->ato = ns_to_us(TCP_DELACK_NS);
	o->rtt = ns_to_us(c->srtt);
	o->rttvar = ns_to_us(c->rttvar);
	o->last_data_sent = ms_since(now, c->last_data_sent);
	o->last_ack_sent = ms_since(now, c->last_ack_sent);
	o->last_data_recv = ms_since(now, c->last_data_recv);
	o->last_ack_recv = ms_since(now, c->last_ack_recv);
}

/* tcpi_lost, Linux's lost_out in segments: after an RTO what is not
 * yet sent again; in a SACK recovery what RACK or the dupACK rule
 * marked lost, retransmitted or not; one in a recovery without SACK
 * (tcp_mark_head_lost's first segment). */
static uint32_t info_lost(const struct tcp_conn *c)
{
	if (c->ca_state == TCP_CA_LOSS)
		return segs(c, c->snd_max - c->snd_nxt);
	if (c->ca_state != TCP_CA_RECOVERY)
		return 0;
	return c->sack_ok ? segs(c, tcp_sack_lost_bytes(c)) : 1;
}

void tcp_get_info(const struct tcp_conn *c, uint64_t now, struct tcp_info_snap *o)
{
	uint32_t outstanding = c->snd_max - c->snd_una;

	*o = (struct tcp_info_snap){ 0 };
	o->state = (uint8_t)c->state;
	o->ca_state = (uint8_t)c->ca_state;
	o->retransmits = c->retransmits;
	o->probes = c->probes_out;
	o->backoff = c->backoff;
	o->options = (c->ts_ok ? TCPI_OPT_TIMESTAMPS : 0) | (c->sack_ok ? TCPI_OPT_SACK : 0) |
		     (c->ws_ok ? TCPI_OPT_WSCALE : 0);
	o->snd_wscale = c->snd_wscale;
	o->rcv_wscale = c->rcv_wscale;
	info_times(c, now, o);
	o->snd_mss = c->snd_mss;
	o->rcv_mss = c->rcv_mss;
	o->unacked = segs(c, outstanding);
	o->sacked = segs(c, c->sacked_bytes);
	o->lost = info_lost(c);
	o->retrans = c->ca_state >= TCP_CA_RECOVERY && outstanding ? 1 : 0;
	o->pmtu = c->advmss + TCP_IPV4_TCP_HDRS;
	o->rcv_ssthresh = tcp_rcv_wnd_now(c);
	o->snd_ssthresh = c->ssthresh >= TCP_INFINITE_SSTHRESH ? TCP_INFINITE_SSTHRESH
			  : c->ssthresh / c->snd_mss;
	o->snd_cwnd = c->cwnd / c->snd_mss;
	o->advmss = c->advmss;
	o->reordering = c->reordering;
	o->rcv_space = c->rcv.size;
	o->total_retrans = c->total_retrans;
	o->bytes_acked = c->bytes_acked;
	o->bytes_received = c->bytes_received;
	o->segs_out = c->stats.segs_out;
	o->segs_in = c->stats.segs_in;
	o->notsent_bytes = tcp_unsent(c);
	o->snd_wnd = c->snd_wnd;
	o->rcv_wnd = tcp_rcv_wnd_now(c);
}
