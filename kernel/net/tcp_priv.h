/* SPDX-License-Identifier: MIT */
/* What the TCP engine's files (tcp_conn, tcp_input, tcp_output, tcp_timer, tcp_cc, tcp_buf) share among themselves; the socket layer uses tcp.h only. */
#ifndef KESTREL_NET_TCP_PRIV_H
#define KESTREL_NET_TCP_PRIV_H

#include "net/tcp.h"
#include "net/tcp_seq.h"

#define TCP_TS_OPT_LEN   12          /* NOP NOP TIMESTAMP: what every segment's payload loses to it */
#define TCP_MAX_SEG_LEN  65535u      /* a segment's payload can be no longer (IPv4's total length) */
#define TCP_WIN_MAX      65535u      /* the window field */
#define TCP_PAWS_WINDOW  1           /* Linux's TCP_PAWS_WINDOW: a TSval this much older passes */
#define TCP_SACK_OPT_HEAD  4        /* NOP NOP SACK length (wire.c writes it so) */
#define TCP_SACK_OPT_BLOCK 8        /* a block: left and right edges */
#define TCP_PAWS_24DAYS  (24ull * 24 * 3600 * TCP_NS_PER_S) /* ts_recent older than this is stale (RFC 7323 5.5) */

/* ---- tcp_buf.c: the byte rings ---- */
uint32_t ring_free(const struct tcp_ring *r);
/* Write n bytes at offset off from the head (off + n <= size), leaving len alone. */
void ring_write_at(struct tcp_ring *r, uint32_t off, const uint8_t *src, uint32_t n);
/* Copy n bytes from offset off (off + n <= size) to dst. */
void ring_read(const struct tcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n);
/* Move the ring's first live bytes (its len, or up to the end of the
 * last out-of-order island) to buf (size bytes, at least live): they
 * start at buf, the head 0. The old buffer is the caller's to free. */
void ring_move(struct tcp_ring *r, uint8_t *buf, uint32_t size, uint32_t live);
/* Drop n (<= len) bytes at the head. */
void ring_drop(struct tcp_ring *r, uint32_t n);
/* The n bytes at offset off as at most two spans. */
void ring_span(const struct tcp_ring *r, uint32_t off, uint32_t n, struct tcp_span *s);
/* Store in-window payload at sequence seq (already trimmed to
 * [rcv_nxt, ring end)) into the receive ring: advance rcv_nxt, or keep
 * an out-of-order island. True when rcv_nxt moved. */
bool tcp_rcv_store(struct tcp_conn *c, uint32_t seq, const uint8_t *p, uint32_t len);
/* Report [s, e), data that arrived again, in the next ACK's D-SACK
 * block (RFC 2883; Linux's tcp_dsack_set, counted as TCPDSACKOldSent
 * below rcv_nxt, TCPDSACKOfoSent above); nothing without SACK. */
void tcp_dsack_set(struct tcp_conn *c, uint32_t s, uint32_t e);
/* The sequence number one past the last byte the receive ring can hold. */
uint32_t tcp_rcv_limit(const struct tcp_conn *c);
/* Bytes of in-order data not yet read (the FIN not counted). */
uint32_t tcp_rcv_queued(const struct tcp_conn *c);

/* ---- tcp_output.c ---- */
void tcp_output(struct tcp_conn *c, uint64_t now);
/* Everything in flight counts as lost (the RTO, a smaller path MTU): the
 * SACK scoreboard and RTT timing dropped, snd_nxt back to snd_una, and
 * what the window allows sent again. The caller set the window. */
void tcp_go_back(struct tcp_conn *c, uint64_t now);
void tcp_send_ack(struct tcp_conn *c, uint64_t now);
void tcp_send_syn(struct tcp_conn *c, uint64_t now);
/* A reset from this conn: RST|ACK at seq (Linux's active reset) or a bare RST. */
void tcp_send_rst(struct tcp_conn *c, uint32_t seq, bool with_ack, uint64_t now);
/* Retransmit the segment at snd_una (fast retransmit, partial ACK). */
void tcp_retransmit_head(struct tcp_conn *c, uint64_t now);
/* The tail loss probe's timer fired (RFC 8985 7.3). */
void tcp_tlp_fire(struct tcp_conn *c, uint64_t now);
/* Linux's tcp_write_wakeup: data that fits the window, else a probe at snd_una - 1. */
void tcp_write_wakeup(struct tcp_conn *c, uint64_t now);
/* Window updates: the window tcp_select_window would advertise now. */
uint32_t tcp_rcv_wnd_now(const struct tcp_conn *c);
uint32_t tcp_new_window(const struct tcp_conn *c);
/* Data not yet sent past snd_nxt (the FIN not counted); and whether
 * anything is, the FIN counted. */
uint32_t tcp_unsent(const struct tcp_conn *c);
bool tcp_has_unsent(const struct tcp_conn *c);
/* The sequence number of our FIN (valid once fin_queued). */
uint32_t tcp_fin_seq(const struct tcp_conn *c);
uint32_t tcp_ts_now(const struct tcp_conn *c, uint64_t now);
/* The bytes the SACK option of the next segment takes (0: none). */
uint32_t tcp_sack_opt_bytes(const struct tcp_conn *c);
/* The payload a segment sent now may carry: snd_mss less the SACK
 * option it will carry (Linux's tcp_current_mss). */
uint32_t tcp_cur_mss(const struct tcp_conn *c);

/* ---- tcp_push.c: where PSH goes, as Linux places it ---- */
#define TCP_MARK_PSH   0x1           /* an skb that ends in PSH (a sending call's push) */
#define TCP_MARK_EOR   0x2           /* MSG_EOR's skb: nothing is appended to it */
#define TCP_MARK_EDGE  0x4           /* a packet sent ended here (a retransmission skb's edge) */
#define TCP_MARK_ANY   (TCP_MARK_PSH | TCP_MARK_EOR | TCP_MARK_EDGE)
/* Record a mark of kind at seq (above snd_una; kinds of one seq merge). */
void tcp_mark_add(struct tcp_conn *c, uint32_t seq, uint8_t kind);
/* len, or less so that [seq, seq + len) ends at the first mark of kinds above seq. */
uint32_t tcp_mark_limit(const struct tcp_conn *c, uint32_t seq, uint32_t len, uint8_t kinds);
/* The start of the skb that ends at seq: the highest mark below seq, or
 * snd_una (seq itself when seq is not above snd_una). */
uint32_t tcp_mark_before(const struct tcp_conn *c, uint32_t seq);
/* Whether every skb edge above snd_una is among the marks (none gave
 * way to a newer one since snd_una passed it). */
bool tcp_marks_exact(struct tcp_conn *c);
/* Whether a PSH (or EOR) mark lies in (s, e]: a segment or a collapsed
 * retransmission [s, e) that ends an skb with PSH, or takes one in. */
bool tcp_psh_range(const struct tcp_conn *c, uint32_t s, uint32_t e);
/* The last n bytes of the ring were just queued by a sending call with
 * flags (TCP_SEND_*; n 0: a push of what is queued): the marks Linux's
 * tcp_sendmsg_locked and tcp_push would leave. */
void tcp_push_queued(struct tcp_conn *c, uint32_t n, unsigned flags);
/* Linux's size_goal (tcp_send_mss): an skb's most, a multiple of the MSS. */
uint32_t tcp_size_goal(const struct tcp_conn *c, bool oob);
/* The length of the unsent tail skb ending at end, or -1 when there is
 * none to append to (all of it sent, or it is an EOR skb). */
int64_t tcp_tail_len(const struct tcp_conn *c, uint32_t end);

/* ---- tcp_sndbuf.c: the send buffer's limit ---- */
/* What one skb costs Linux 6.1 beyond its payload (its truesize when
 * empty; tcp_sndbuf.c shows the sum): the send buffer's and the small
 * queues' (tcp_output.c) unit. */
#define TCP_SKB_TRUESIZE 1280u
/* ESTABLISHED reached: Linux's tcp_init_buffer_space, sk_sndbuf grown to
 * what the initial window needs unless SO_SNDBUF fixed it. */
void tcp_sndbuf_init(struct tcp_conn *c);
/* After an ACK that freed send room, its output done: Linux's
 * tcp_check_space, sk_sndbuf grown when a writer found no room and the
 * congestion window is not full (tcp_new_space). */
void tcp_check_space(struct tcp_conn *c);
/* Linux's sk_pacing_rate (bytes/s; UINT64_MAX before an RTT sample) and
 * tcp_tso_segs: the segments a packet may take (tcp_tso_autosize, at least 2). */
uint64_t tcp_pacing_rate(const struct tcp_conn *c);
uint32_t tcp_tso_segs(const struct tcp_conn *c);

/* ---- tcp_timer.c ---- */
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt);
void tcp_rexmit_arm(struct tcp_conn *c, uint64_t now);
void tcp_rexmit_stop(struct tcp_conn *c);
void tcp_persist_check(struct tcp_conn *c, uint64_t now);
void tcp_keepalive_arm(struct tcp_conn *c, uint64_t now);
void tcp_delack_arm(struct tcp_conn *c, uint64_t now);
void tcp_timers_stop(struct tcp_conn *c);
void tcp_enter_time_wait(struct tcp_conn *c, uint64_t now);
void tcp_fin_wait2_arm(struct tcp_conn *c, uint64_t now);

/* ---- tcp_cc.c: the window's shared parts; the algorithms' ops ---- */

/* Events an algorithm is told of (Linux's enum tcp_ca_event). */
enum tcp_ca_event {
	TCP_CA_EV_TX_START,      /* data goes out with nothing in flight (after idle) */
};

/*
 * A congestion-control algorithm (Linux's struct tcp_congestion_ops, the
 * hooks Kestrel's two need). Windows are in bytes as the conn's; an
 * algorithm working in segments converts with snd_mss. Every hook runs
 * under the conn's lock (the caller's, as every engine call), and only
 * where Linux calls its own: once per ACK (pkts_acked, cong_avoid), once
 * per reduction (ssthresh), on a state change, an undo, an event.
 */
struct tcp_cc_ops {
	const char *name;
	/* The algorithm's state from nothing (c->ca zeroed before). */
	void (*init)(struct tcp_conn *c);
	/* A reduction begins (recovery, a timeout's first, a repaired tail
	 * loss): the new ssthresh, at least two segments. Called once per
	 * reduction, with cwnd still the window before it. */
	uint32_t (*ssthresh)(struct tcp_conn *c);
	/* segs segments acked while cwnd limits the sender, outside a
	 * reduction: grow cwnd (slow start through tcp_cc_slow_start). */
	void (*cong_avoid)(struct tcp_conn *c, uint32_t segs, uint64_t now);
	/* ca_state becomes s (only TCP_CA_LOSS is told); NULL: not wanted. */
	void (*set_state)(struct tcp_conn *c, enum tcp_ca_state s, uint64_t now);
	/* A reduction proved needless (D-SACK): the window to go back to. */
	uint32_t (*undo_cwnd)(const struct tcp_conn *c);
	/* An event; NULL: not wanted. */
	void (*cwnd_event)(struct tcp_conn *c, enum tcp_ca_event ev, uint64_t now);
	/* An ACK delivered segs segments; rtt_us its RTT sample (-1: none).
	 * NULL: not wanted. */
	void (*pkts_acked)(struct tcp_conn *c, uint32_t segs, int64_t rtt_us, uint64_t now);
};
extern const struct tcp_cc_ops tcp_reno_ops;
extern const struct tcp_cc_ops tcp_cubic_ops;

/* Shared parts the algorithms call (Linux's tcp_slow_start,
 * tcp_cong_avoid_ai, tcp_in_slow_start, tcp_reno_undo_cwnd). */
bool tcp_cc_in_slow_start(const struct tcp_conn *c);
/* Slow start: a segment per segment acked, up to ssthresh; the
 * segments left over. */
uint32_t tcp_cc_slow_start(struct tcp_conn *c, uint32_t segs);
/* Additive increase: a segment per w segments acked (credit in cwnd_acc). */
void tcp_cc_avoid_ai(struct tcp_conn *c, uint32_t w, uint32_t segs);
uint32_t tcp_cc_reno_undo_cwnd(const struct tcp_conn *c);
/* The window's undo after a needless reduction (tcp_sack.c's D-SACK undo). */
void tcp_cc_undo(struct tcp_conn *c);

void tcp_cc_init(struct tcp_conn *c);
/* New data acked (acked bytes, snd_una already advanced), at now:
 * grow cwnd, or handle a partial/full ACK in recovery. True:
 * retransmit the head. */
bool tcp_cc_ack(struct tcp_conn *c, uint32_t acked, uint64_t now);
/* A duplicate ACK. True: retransmit the head (the third). */
bool tcp_cc_dupack(struct tcp_conn *c);
/* Would a timeout now start a new loss episode (Linux's tcp_enter_loss
 * test)? Yes from the open and disorder states, after a recovery's or
 * a timeout's window has been acked, and for a timeout in the loss
 * state after an ACK moved snd_una (no retransmissions counted): then
 * the window is cut and undo starts over. No within a recovery's
 * window, whose cut stands. Call before counting the timeout. */
bool tcp_cc_loss_episode(const struct tcp_conn *c);
void tcp_cc_rto(struct tcp_conn *c, bool episode, uint64_t now);
/* The MSS went from old to c->snd_mss: cwnd and ssthresh keep their
 * counts of segments (Linux's are in packets, which tcp_sync_mss leaves). */
void tcp_cc_mss_changed(struct tcp_conn *c, uint32_t old);
/* Linux's tcp_simple_retransmit's part: the LOSS state without a cut (the
 * data in the network did not grow, its units shrank) and nothing to undo. */
void tcp_cc_simple_loss(struct tcp_conn *c, uint64_t now);
/* SACK loss recovery begins (RFC 6675 5 step 4.2): ssthresh is the
 * algorithm's, cwnd takes it, recover is snd_max. */
void tcp_cc_enter_recovery(struct tcp_conn *c);
/* PRR's step on an ACK in SACK recovery: delivered bytes, pipe now,
 * whether the ACK moved snd_una and found no new loss. */
void tcp_cc_prr(struct tcp_conn *c, uint32_t delivered, uint32_t pipe, bool una_moved);
/* A loss repaired without recovery (the tail loss probe's): the window
 * is cut as a recovery would cut it (Linux's CWR). */
void tcp_cc_reduce(struct tcp_conn *c);
uint32_t tcp_flight(const struct tcp_conn *c);
/* What the flight may reach: cwnd, plus Limited Transmit's segments (RFC 3042). */
uint32_t tcp_cc_send_window(const struct tcp_conn *c);
/* After the sender's loop (limited: it stopped at cwnd, or the flight
 * fills cwnd): note how much of cwnd the current window uses, and cut a
 * window an RTO of sending has not used (Linux's tcp_cwnd_validate). */
void tcp_cc_validate(struct tcp_conn *c, bool limited, uint64_t now);
/* New data queued by the program: a connection idle (nothing unacked,
 * nothing sent) for more than an RTO starts again from a smaller window
 * (Linux's tcp_slow_start_after_idle_check, RFC 5681 4.1); with nothing
 * in flight the algorithm is told TCP_CA_EV_TX_START. */
void tcp_cc_idle_check(struct tcp_conn *c, uint64_t now);
/* The restart alone (Linux's tcp_slow_start_after_idle_check), without
 * the algorithm's TX_START: also for a window update that lets queued
 * data go (tcp_ack_update_window). */
void tcp_cc_idle_restart(struct tcp_conn *c, uint64_t now);

/* ---- tcp_cubic.c: CUBIC's curve, exposed for the host's tests ---- */
/* The integer cube root of a, rounded down. */
uint32_t tcp_cubic_root(uint64_t a);
/* K, in 1/1024 s, for a plateau w segments above the window (RFC 9438's
 * K = cbrt((W_max - cwnd) / C), C = 0.4 as Linux's bic_scale 41/1024*10). */
uint32_t tcp_cubic_k(uint32_t w);
/* W_cubic at t (1/1024 s from the epoch's start): origin + C (t - K)^3,
 * segments (Linux's bic_target). */
uint32_t tcp_cubic_target(uint32_t origin, uint32_t k, uint64_t t);
/* Linux's bictcp_update: cnt from the curve and the Reno-friendly
 * estimate for a window of cwnd segments, acked segments more, at ms
 * tick now (never 0), the least RTT delay_min_us ahead. */
void tcp_cubic_update(struct tcp_cubic *ca, uint32_t cwnd, uint32_t acked, uint32_t now);

/* ---- tcp_sack.c: the sender's scoreboard, RACK-TLP (RFC 6675, 8985) ---- */
/* Data [seq, seq + len) (its FIN counted) goes out now: its first
 * transmission is timed in the log. */
void tcp_sack_sent(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now);
/* A retransmission went (undo's count, TCPFastRetrans). */
void tcp_sack_retransmitted(struct tcp_conn *c);
/* len bytes (FIN counted) went, new or again: PRR's count in recovery. */
void tcp_sack_prr_sent(struct tcp_conn *c, uint32_t len);
/* ... of [seq, seq + len) at now: timed for RACK. */
void tcp_sack_rxlog(struct tcp_conn *c, uint32_t seq, uint32_t len, uint64_t now);
/* An acceptable ACK's SACK blocks, before snd_una moves: D-SACK, the
 * scoreboard, RACK's reference, reordering. */
void tcp_sack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now);
/* snd_una moved: the scoreboard follows. True: the peer reneged, and
 * the RTO is set to come soon (leave it). */
bool tcp_sack_acked(struct tcp_conn *c, uint64_t now);
/* After an ACK (acked: it acked data; false for the reordering timer):
 * the TLP's outcome, what is lost, recovery entered, the probe re-armed
 * when acked or no longer due. */
void tcp_sack_ack_done(struct tcp_conn *c, bool acked, uint64_t now);
/* RFC 6675's pipe: the bytes in the network (tcp_flight without SACK). */
uint32_t tcp_pipe(const struct tcp_conn *c);
/* The bytes marked lost in a SACK recovery, retransmitted or not: those
 * not SACKed from snd_una to lost_high (Linux's lost_out, in bytes). */
uint32_t tcp_sack_lost_bytes(const struct tcp_conn *c);
/* In SACK recovery, the next hole to send again ([*seq, *seq + *len),
 * *len possibly more than a segment): one whose retransmission RACK
 * says is lost, else the first lost one not yet retransmitted; false:
 * none. */
bool tcp_sack_next_lost(const struct tcp_conn *c, uint64_t now, uint32_t *seq, uint32_t *len);
/* The end of the SACKed range holding seq, or seq. */
uint32_t tcp_sack_skip(const struct tcp_conn *c, uint32_t seq);
/* The scoreboard and RACK's state forgotten (snd_una is where they start). */
void tcp_sack_clear(struct tcp_conn *c);
/* The window as it is now, kept for an undo. */
void tcp_undo_mark(struct tcp_conn *c);
/* A retransmission went now: the oldest one out, if no other is. */
void tcp_undo_stamp(struct tcp_conn *c, uint64_t now);
/* snd_una moved (called before tcp_cc_ack hears of it): undo by the
 * ACK's echoed timestamp (c->rcv_tsecr), or because every retransmission
 * was D-SACKed, as Linux's tcp_fastretrans_alert and tcp_process_loss
 * do. The window cut since the mark comes back: when a SACK recovery
 * ends (tcp_try_undo_recovery: the open state follows); on an ACK inside
 * it when no retransmission is out (tcp_try_undo_partial: the losses
 * are unmarked, disorder or open); in the loss state (tcp_try_undo_loss:
 * the losses are unmarked, go-back-N ends, disorder or open). */
void tcp_sack_try_undo(struct tcp_conn *c);
/* The RTO fired: the scoreboard goes (RFC 6675 5.1), the probe too. */
void tcp_sack_rto(struct tcp_conn *c);
/* Arm the tail loss probe at PTO (RFC 8985 7.2), or disarm it. */
void tcp_tlp_arm(struct tcp_conn *c, uint64_t now);
/* RACK's reordering timer fired. */
void tcp_reo_fire(struct tcp_conn *c, uint64_t now);

/* ---- tcp_conn.c ---- */
void tcp_raise(struct tcp_conn *c, unsigned ev);
void tcp_set_state(struct tcp_conn *c, enum tcp_state s);
/* The end of a conn: CLOSE, timers off, TCP_EV_CLOSED (Linux's tcp_done). */
void tcp_done(struct tcp_conn *c);
/* A fatal error err (positive errno) reported to the socket, then tcp_done. */
void tcp_fail(struct tcp_conn *c, int err);
/* Set up MSS, scales and timestamps from the peer's SYN options. */
void tcp_negotiate(struct tcp_conn *c, const struct tcp_opts *o);
bool tcp_synced(const struct tcp_conn *c);

#endif
