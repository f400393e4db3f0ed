/* SPDX-License-Identifier: MIT */
/* The TCP protocol engine: one connection's state machine (RFC 9293) with its timers, RTT estimation, SACK loss recovery, congestion control (CUBIC, or NewReno as "reno") and byte rings, driven by a socket layer that owns the locks, the lookup and the wire. */
#ifndef KESTREL_NET_TCP_H
#define KESTREL_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wire.h"

/*
 * The contract between the engine and its caller (the socket layer).
 *
 * What the engine is: pure C over one struct tcp_conn. It allocates
 * nothing, takes no lock, reads no clock and touches nothing outside the
 * conn it is given, so the host's unit tests run it as it is.
 *
 * What the caller does:
 *  - Memory. It allocates the conn and its two rings (struct tcp_cfg:
 *    the send ring and the receive ring, TCP_SNDBUF_DEFAULT and
 *    TCP_RCVBUF_DEFAULT by default; a listener's may be NULL/0) and
 *    calls tcp_conn_init.
 *    After tcp_close (or tcp_abort) the conn may be freed once
 *    TCP_EV_CLOSED is raised, which may happen inside that very call
 *    (a reset, a conn never connected) or up to TIME-WAIT's 60 s later.
 *    A conn that reaches CLOSE by itself (a reset, a timeout) raises
 *    TCP_EV_CLOSED too, but stays the socket's until it calls tcp_close.
 *  - Locking. One lock (the socket's) serialises every call on a conn,
 *    timers included; the callbacks run inside those calls and must not
 *    call the engine back on the same conn.
 *  - Time. Every entry point takes now_ns, a monotonic clock in
 *    nanoseconds. After any call the caller re-arms ONE kernel timer at
 *    tcp_next_deadline(conn) (TCP_NO_DEADLINE: none) and calls
 *    tcp_timer(conn, now) when it fires; the engine keeps seven deadlines
 *    (retransmission, persist, delayed ACK, keepalive, TIME-WAIT/FIN-WAIT-2,
 *    RACK's reordering timer, the tail loss probe)
 *    and never scans anything.
 *  - Demultiplexing. The caller finds the conn for a segment (4-tuple,
 *    else a listener: a conn put in LISTEN by tcp_listen) and passes the
 *    parsed header (wire.h's tcp_parse, checksum checked) and its payload
 *    to tcp_input. Its enum tcp_verdict says what is left to do: answer
 *    with the reset tcp_reset_reply builds (no conn, a conn already
 *    CLOSE, an ACK to a listener), or accept a SYN on a listener: within
 *    its backlog, allocate a conn, tcp_conn_init it, copy the listener's
 *    socket options into it (nodelay, keepalive and its times,
 *    urg_inline) and call tcp_accept_syn with an ISS; TCP_EV_CONNECTED
 *    then says the conn is ready for accept(). No syn cookies.
 *  - Sequence numbers. The ISS is the caller's (RFC 6528's keyed hash of
 *    the 4-tuple and a clock), as is cfg.ts_offset (random per conn).
 *  - Output. ops->output receives each segment to send: the header
 *    fields (ports, seq, ack, flags, window as it goes on the wire,
 *    urg_ptr, options; hdr_len is the caller's, from tcp_opts_build) and
 *    the payload as up to two spans of the send ring (it wraps). The
 *    callback builds it (tcp_opts_build, tcp_build) and sends it; it must
 *    copy the payload before it returns. It cannot fail: a segment the
 *    caller cannot send is lost, and the engine's timers recover it.
 *  - Events. ops->event (may be NULL) is told of TCP_EV_* as they happen;
 *    they are also OR-ed into conn->events, which the caller may clear.
 *  - Options. TCP_NODELAY, TCP_CORK, SO_KEEPALIVE through their setters;
 *    TCP_KEEPIDLE/INTVL/CNT by writing keep_*, then
 *    tcp_set_keepalive(c, c->keepalive, now) to re-arm; SO_OOBINLINE by
 *    writing urg_inline; TCP_MAXSEG before connect through cfg.mss.
 *
 * Errors follow Linux's socket semantics: conn->error holds a positive
 * errno (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE) as sk_err does, which
 * tcp_recv/tcp_send report once (SO_ERROR: tcp_take_error).
 *
 * Loss recovery: with SACK (negotiated), the receiver reports its
 * islands and duplicates (RFC 2018, 2883) and the sender recovers by
 * RFC 6675 with PRR (RFC 6937) and RACK-TLP (RFC 8985): tcp_sack.c;
 * without it, NewReno (RFC 6582) with Limited Transmit.
 *
 * Congestion control: one algorithm per conn, chosen by number
 * (enum tcp_cc_id, tcp_cc_find) and set by tcp_set_congestion; the
 * window's shared parts (slow start, PRR, the limits) are tcp_cc.c's,
 * CUBIC's curve tcp_cubic.c's.
 *
 * Not here (yet): path MTU discovery, ECN, TCP_USER_TIMEOUT,
 * TCP_DEFER_ACCEPT, Fast Open.
 *
 * Where RFC 9293 and Linux differ, the engine does what Linux's
 * tcp_input.c does (a peer observes Linux), and says so where it does.
 */

/* States, numbered as Linux's (tcp_info's tcpi_state, /proc/net/tcp). */
enum tcp_state {
	TCPS_ESTABLISHED = 1,
	TCPS_SYN_SENT = 2,
	TCPS_SYN_RECV = 3,
	TCPS_FIN_WAIT1 = 4,
	TCPS_FIN_WAIT2 = 5,
	TCPS_TIME_WAIT = 6,
	TCPS_CLOSE = 7,
	TCPS_CLOSE_WAIT = 8,
	TCPS_LAST_ACK = 9,
	TCPS_LISTEN = 10,
	TCPS_CLOSING = 11,
};

/* Congestion-avoidance states, as Linux's tcpi_ca_state. */
enum tcp_ca_state {
	TCP_CA_OPEN = 0,
	TCP_CA_DISORDER = 1,     /* duplicate ACKs or SACKed data seen, no loss yet */
	TCP_CA_RECOVERY = 3,     /* fast recovery: SACK's (RFC 6675), else NewReno's (RFC 6582) */
	TCP_CA_LOSS = 4,         /* after a retransmission timeout */
};

/* The congestion-control algorithms, numbered in the order Linux 6.1
 * lists its built-in ones (tcp_available_congestion_control: "reno
 * cubic"); a name is at most TCP_CC_NAME_MAX - 1 bytes (Linux's
 * TCP_CA_NAME_MAX, 16). */
enum tcp_cc_id {
	TCP_CC_RENO = 0,         /* NewReno (RFC 5681, 6582): Linux's "reno" */
	TCP_CC_CUBIC = 1,        /* CUBIC (RFC 9438) as Linux 6.1's tcp_cubic.c: the default */
	TCP_CC_COUNT
};
#define TCP_CC_DEFAULT   TCP_CC_CUBIC
#define TCP_CC_NAME_MAX  16

/* CUBIC's state (tcp_cubic.c; Linux's struct bictcp, its names): windows
 * in segments, times in milliseconds of the conn's clock (Linux's
 * jiffies at HZ 1000), HyStart's in microseconds. */
struct tcp_cubic {
	uint32_t cnt;              /* segments acked per segment of growth */
	uint32_t last_max_cwnd;    /* W_max: the window before the last reduction */
	uint32_t last_cwnd, last_time; /* the window and the time cnt was last computed */
	uint32_t origin_point;     /* the curve's plateau (bic_origin_point) */
	uint32_t k;                /* the time from the epoch's start to it, 1/1024 s (bic_K) */
	uint32_t delay_min;        /* the least RTT seen, us */
	uint32_t epoch_start;      /* the epoch's start (0: none, ms + 1 so it is never 0) */
	uint32_t ack_cnt;          /* segments acked this epoch, for the Reno-friendly estimate */
	uint32_t tcp_cwnd;         /* the Reno-friendly estimate W_est, segments */
	uint8_t sample_cnt;        /* HyStart: delay samples this round */
	bool found;                /* HyStart: slow start's exit was found */
	bool round_set;            /* HyStart: a round has begun (round_start valid) */
	uint32_t round_start, last_ack, curr_rtt; /* HyStart: us; curr_rtt the round's least RTT */
	uint32_t end_seq;          /* HyStart: the round ends when snd_una passes it */
};

/* Linux's defaults (sysctls and include/net/tcp.h), in nanoseconds or counts. */
#define TCP_NS_PER_MS        1000000ull
#define TCP_NS_PER_S         1000000000ull
#define TCP_RTO_MIN_NS       (200 * TCP_NS_PER_MS)   /* TCP_RTO_MIN */
#define TCP_RTO_MAX_NS       (120 * TCP_NS_PER_S)    /* TCP_RTO_MAX */
#define TCP_RTO_INIT_NS      (1 * TCP_NS_PER_S)      /* TCP_TIMEOUT_INIT (RFC 6298) */
#define TCP_DELACK_NS        (40 * TCP_NS_PER_MS)    /* TCP_DELACK_MIN */
#define TCP_TIMEWAIT_NS      (60 * TCP_NS_PER_S)     /* TCP_TIMEWAIT_LEN */
#define TCP_FIN_TIMEOUT_NS   (60 * TCP_NS_PER_S)     /* tcp_fin_timeout */
#define TCP_OOW_RATE_NS      (500 * TCP_NS_PER_MS)   /* tcp_invalid_ratelimit */
#define TCP_SYN_RETRIES      6                       /* tcp_syn_retries */
#define TCP_SYNACK_RETRIES   5                       /* tcp_synack_retries */
#define TCP_RETRIES2         15                      /* tcp_retries2 */
#define TCP_ORPHAN_RETRIES   8                       /* tcp_orphan_retries 0 means 8 */
#define TCP_KEEPIDLE_S       7200                    /* tcp_keepalive_time */
#define TCP_KEEPINTVL_S      75                      /* tcp_keepalive_intvl */
#define TCP_KEEPCNT_DEFAULT  9                       /* tcp_keepalive_probes */
#define TCP_INIT_CWND        10                      /* segments (RFC 6928) */
#define TCP_MSS_DEFAULT      536                     /* a peer that sends no MSS option */
#define TCP_MIN_SND_MSS      48                      /* tcp_min_snd_mss */
#define TCP_MAX_QUICKACKS    16
#define TCP_OFO_MAX          64                      /* islands of out-of-order data kept: a
							* 3 MiB window at 5% loss holds dozens */
#define TCP_SB_MAX           16                      /* SACKed ranges the sender keeps */
#define TCP_XLOG_MAX         32                      /* runs of first transmissions timed (RACK) */
#define TCP_RXLOG_MAX        64                      /* retransmissions timed (RACK) */
#define TCP_MARK_MAX         32                      /* edges of Linux's skbs kept (tcp_push.c) */
#define TCP_REORDERING       3                       /* tcp_reordering: RFC 6675's DupThresh, where
							* a conn's reordering starts */
#define TCP_MAX_REORDERING   300                     /* tcp_max_reordering: its ceiling */
#define TCP_REO_PERSIST      16                      /* TCP_RACK_RECOVERY_THRESH */
#define TCP_REO_TIMEOUT_MIN_NS (1 * TCP_NS_PER_MS)   /* the reordering timer's floor */
#define TCP_TLP_MIN_NS       (2 * TCP_NS_PER_MS)     /* TCP_TIMEOUT_MIN: the probe's margin (2 jiffies
							* at HZ 1000, as tcp_cubic.c counts) */
#define TCP_RENEGE_MIN_NS    (10 * TCP_NS_PER_MS)    /* tcp_check_sack_reneging's floor */
/* The rings' sizes. Linux starts a send buffer at tcp_wmem[1] (16 KiB)
 * and grows it to what the congestion window needs (tcp_sndbuf_expand,
 * past 1 MiB on lo): that limit is tcp_sndbuf.c's, and the send ring,
 * which starts at 64 KiB, grows when it is full below the limit
 * (tcp_snd_ring_want). The receive ring is Linux 6.1's tcp_rmem[1]. */
#define TCP_SNDBUF_DEFAULT   65536
#define TCP_WMEM_DEFAULT     16384   /* tcp_wmem[1] */
#define TCP_MIN_TSO_SEGS     2       /* tcp_min_tso_segs' default */
#define TCP_RCVBUF_DEFAULT   131072
/* Autotuning's ceilings. Linux's tcp_rmem[2] and tcp_wmem[2] count
 * buffer memory, about twice the data it holds (tcp_adv_win_scale 1),
 * so its window stops near 3 MiB: the receive ring stops there. The
 * send ring stops at tcp_wmem[2], 4 MiB: what of it may be in flight is
 * the congestion window's to say, and what of that waits below TCP (in
 * a device's queue and ring) the small queues' (ops->queued_below). The
 * window scale is chosen for tcp_rmem[2] as Linux's
 * tcp_select_initial_window does (7). */
#define TCP_RMEM_MAX         6291456
#define TCP_WMEM_MAX         4194304
#define TCP_RCV_RING_AUTO_MAX (TCP_RMEM_MAX / 2)
#define TCP_SND_RING_AUTO_MAX TCP_WMEM_MAX
/* TCP small queues (Linux's tcp_small_queue_check): a connection keeps
 * below it about a millisecond of its pacing rate (cwnd over srtt,
 * doubled in slow start, 1.2 times after: Linux's tcp_pacing_ss_ratio
 * and ca_ratio), at least two segments' buffers, at most
 * tcp_limit_output_bytes. */
#define TCP_TSQ_MAX          1048576   /* tcp_limit_output_bytes */
#define TCP_TSQ_SHIFT        10        /* sk_pacing_shift: rate >> 10, about 1 ms of it */
#define TCP_TSQ_SEG_EXTRA    256       /* a segment's buffer past its payload: headers, headroom */
#define TCP_PACING_SS_RATIO  200       /* percent */
#define TCP_PACING_CA_RATIO  120
#define TCP_INFINITE_SSTHRESH 0x7fffffffu
#define TCP_BATCH_ACK_BYTES  65536 /* tcp_input_batched holds an ACK back while less is unacknowledged */
#define TCP_NO_DEADLINE      UINT64_MAX

/* Events (ops->event and conn->events). */
#define TCP_EV_CONNECTED  0x01   /* reached ESTABLISHED (a passive conn: ready for accept) */
#define TCP_EV_READABLE   0x02   /* data, the peer's FIN, or an error to read */
#define TCP_EV_WRITABLE   0x04   /* send space freed, or sending became impossible */
#define TCP_EV_ERROR      0x08   /* conn->error was set */
#define TCP_EV_CLOSED     0x10   /* reached TCPS_CLOSE: the engine is done with the conn */
#define TCP_EV_URGENT     0x20   /* an urgent pointer arrived (SIGURG) */

/* tcp_send flags */
#define TCP_SEND_OOB   0x1       /* MSG_OOB: the last byte sent is urgent */
#define TCP_SEND_MORE  0x2       /* MSG_MORE: hold a partial segment as TCP_CORK does */
#define TCP_SEND_EOR   0x4       /* MSG_EOR: later bytes never share a segment with these */
#define TCP_SEND_CONT  0x8       /* more of the same sending call (one skb at a time, as
				    Linux's loop): the tail's PSH stays (tcp_push_queued) */

/* tcp_recv flags */
#define TCP_RECV_PEEK  0x1       /* MSG_PEEK */

/* What tcp_input leaves to the caller. */
enum tcp_verdict {
	TCP_IN_DONE = 0,    /* consumed (perhaps dropped, counted); nothing to do */
	TCP_IN_RESET,       /* no connection wants it: send tcp_reset_reply's answer */
	TCP_IN_SYN,         /* a listener got a SYN: create a conn and call tcp_accept_syn */
	TCP_IN_TW_SYN,      /* a TIME-WAIT conn gave way to a new SYN: free it and hand the
	                       SYN to the listener, with conn->tw_next_iss as the new ISS */
};

/* A segment's payload: up to two pieces of the send ring, in order. */
struct tcp_span {
	const uint8_t *p[2];
	uint32_t len[2];
};

struct tcp_conn;

struct tcp_ops {
	/* Send one segment: s's ports, seq, ack, flags, window, urg_ptr and
	 * opts are set (hdr_len, payload_off are not; payload_len is data's
	 * total). Runs inside the engine call that sent it. */
	void (*output)(struct tcp_conn *c, const struct tcp_seg *s, const struct tcp_span *data);
	/* Told of TCP_EV_* bits as they are raised; may be NULL. */
	void (*event)(struct tcp_conn *c, unsigned events);
	/* TCP small queues; both NULL or both set. queued_below: the bytes
	 * (buffers, as Linux's sk_wmem_alloc) of c's segments the layers
	 * below still hold: a device's queue and ring. throttle: c stopped
	 * sending because they passed tcp_tsq_limit; the caller runs
	 * tcp_output again once they shrink. The engine throttles before
	 * its second look at queued_below, so a shrink in between is never
	 * missed. Both run inside an engine call. */
	uint32_t (*queued_below)(struct tcp_conn *c);
	void (*throttle)(struct tcp_conn *c);
	/* The MSS c's path takes now (Linux's tcp_current_mss, from the
	 * route's MTU: lower after a path MTU was learnt, higher again once
	 * it expired), options deducted; 0 for no opinion. tcp_output asks
	 * it before it cuts segments. May be NULL. Runs inside an engine call. */
	uint32_t (*current_mss)(struct tcp_conn *c);
};

/* A byte ring: buf[head .. head + len) modulo size holds the bytes. */
struct tcp_ring {
	uint8_t *buf;
	uint32_t size, head, len;
};

/* What the caller gives a conn at tcp_conn_init. */
struct tcp_cfg {
	uint8_t *sndbuf;
	uint32_t sndbuf_size;          /* at least 1, below 2^30; TCP_SNDBUF_DEFAULT */
	uint8_t *rcvbuf;
	uint32_t rcvbuf_size;          /* at least 1, below 2^30; TCP_RCVBUF_DEFAULT */
	uint32_t rcvbuf_max;           /* autotuning may grow the receive ring up to this
					* (TCP_RCV_RING_AUTO_MAX); 0: it keeps rcvbuf_size */
	uint32_t wscale_space;         /* the window the scale must express (Linux: tcp_rmem[2],
					* whatever the ring); 0: the ring's size */
	uint16_t sport, dport;         /* copied into every segment sent */
	uint16_t mss;                  /* the MSS we advertise: the route's MTU - 40 (1460) */
	bool no_ts, no_sack, no_wscale;/* options not to offer (Linux offers all three) */
	uint32_t ts_offset;            /* added to the millisecond clock in TSval (random per conn) */
	uint32_t sndbuf_limit;         /* Linux's sk_sndbuf at creation (0: no limit but the ring's) */
	bool sndbuf_lock;              /* SO_SNDBUF fixed it (SOCK_SNDBUF_LOCK): no autotuning */
	uint32_t wmem_max;             /* autotuning's ceiling (tcp_wmem[2]) */
	uint8_t min_tso_segs;          /* tcp_min_tso_segs (0: Linux's default, 2) */
	uint32_t reordering;           /* tcp_reordering (0: TCP_REORDERING) */
	uint32_t max_reordering;       /* tcp_max_reordering (0: TCP_MAX_REORDERING) */
};

/* The TCP_INFO-style snapshot: Linux's struct tcp_info fields that the
 * engine knows, with Linux's names, units (microseconds, milliseconds
 * for last_*, segments for cwnd and unacked) and meanings. */
struct tcp_info_snap {
	uint8_t state, ca_state, retransmits, probes, backoff, options;
	uint8_t snd_wscale, rcv_wscale;
	uint32_t rto, ato;             /* us */
	uint32_t snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv; /* ms ago */
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar; /* rtt, rttvar: us */
	uint32_t snd_ssthresh, snd_cwnd, advmss, reordering;
	uint32_t rcv_space, total_retrans;
	uint64_t bytes_acked, bytes_received;
	uint32_t segs_out, segs_in;
	uint32_t notsent_bytes, snd_wnd, rcv_wnd;
};
/* tcp_info_snap.options bits (Linux's TCPI_OPT_*) */
#define TCPI_OPT_TIMESTAMPS 1
#define TCPI_OPT_SACK       2
#define TCPI_OPT_WSCALE     4

/* Urgent-data state (Linux's tp->urg_data). */
enum tcp_urg {
	TCP_URG_NONE = 0,
	TCP_URG_NOTYET,      /* the pointer arrived, the byte not yet */
	TCP_URG_VALID,       /* the byte is in urg_byte, unread */
	TCP_URG_READ,        /* read by tcp_recv_oob; still skipped in the stream */
};

/* Counters of what was dropped, for the caller's /proc/net/snmp and tests. */
struct tcp_stats {
	uint32_t segs_in, segs_out, retrans_segs, bad_seq, bad_ack, paws_drop,
		 challenge_acks, ofo_queued, ofo_dropped, rst_in, zwp_sent, keepalive_sent;
	/* SACK and loss recovery, as Linux's TcpExt counters of the same names */
	uint32_t dsack_old_sent,   /* TCPDSACKOldSent: a duplicate below rcv_nxt */
		 dsack_ofo_sent,   /* TCPDSACKOfoSent: a duplicate of out-of-order data */
		 ofo_merge,        /* TCPOFOMerge: out-of-order data overlapping an island */
		 sack_recovery,    /* TCPSackRecovery: SACK recoveries entered */
		 reno_recovery,    /* TCPRenoRecovery: NewReno recoveries entered */
		 sack_reorder,     /* TCPSACKReorder: a hole filled by its first transmission */
		 sack_reneging,    /* TCPSACKReneging: SACKed data not acknowledged in turn */
		 dsack_recv,       /* TCPDSACKRecv: D-SACK blocks received */
		 dsack_undo,       /* TCPDSACKUndo: a recovery undone, all of it D-SACKed */
		 loss_probes,      /* TCPLossProbes: tail loss probes sent */
		 loss_probe_recovery, /* TCPLossProbeRecovery: a loss repaired by the probe */
		 fast_retrans,     /* TCPFastRetrans: retransmissions in fast recovery */
		 lost_retrans,     /* TCPLostRetransmit: a retransmission RACK found lost */
		 timeouts,         /* TCPTimeouts: retransmission timeouts */
		 dsack_ofo_recv,   /* TCPDSACKOfoRecv: D-SACK blocks inside the next block */
		 /* the first timeout of a series, by the state it found
		  * (Linux's tcp_retransmit_timer): in SACK or NewReno
		  * recovery, in the loss state, or with data SACKed or
		  * duplicate ACKs seen */
		 sack_recovery_fail, reno_recovery_fail, loss_failures, sack_failures, reno_failures,
		 /* window cuts undone by the echoed timestamp (Linux's
		  * tcp_try_undo_recovery, _partial, _loss) */
		 full_undo, partial_undo, loss_undo;
};

/*
 * The TCB. Lock rule: every field belongs to the caller's lock for this
 * conn (the socket's); the engine reads and writes them only inside the
 * calls below. The caller may read any field, and write the ones marked
 * "caller's" between calls.
 */
struct tcp_conn {
	const struct tcp_ops *ops;     /* caller's */
	void *user;                    /* caller's: back pointer to its socket */
	enum tcp_state state;
	unsigned events;               /* caller's to clear: TCP_EV_* raised so far */
	int error;                     /* positive errno pending (sk_err), 0 if none */
	/* caller's: Linux's sk_err_soft, an error a timeout ends the conn
	 * with instead of ETIMEDOUT (tcp_write_err); an acceptable ACK
	 * clears it (tcp_ack: "something worked"). 0 if none */
	int err_soft;
	uint16_t sport, dport;

	/* options the caller sets between calls (setsockopt) */
	bool nodelay;                  /* through tcp_set_nodelay */
	uint8_t cork;                  /* bit 0: TCP_CORK (tcp_set_cork); bit 1: the last send's MSG_MORE */
	bool nagle_push;               /* Linux's TCP_NAGLE_PUSH: TCP_NODELAY set on (tcp_nagle_push), or
					* the cork taken off with it on, sends the queued tail past
					* cork and Nagle until a sending call starts a new skb */
	bool keepalive;                /* through tcp_set_keepalive */
	bool urg_inline;               /* SO_OOBINLINE */
	uint32_t keep_idle_s, keep_intvl_s, keep_cnt; /* caller's */
	uint64_t fin_timeout_ns;       /* an orphan's FIN-WAIT-2 (TCP_LINGER2; tcp_fin_timeout) */

	/* who we are */
	bool passive;                  /* made by tcp_accept_syn */
	bool orphan;                   /* tcp_close was called */
	bool rcv_shut, snd_shut;       /* shutdown(SHUT_RD) / SHUT_WR, FIN or reset */
	bool fin_rcvd;                 /* the peer's FIN is in rcv_nxt */

	/* send sequence space (RFC 9293 3.3.1); snd_max is the highest sent
	 * (Linux's snd_nxt), snd_nxt the next to send, below it after an RTO */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_window;           /* largest window the peer offered */
	uint32_t snd_up;               /* urgent pointer to send, valid while urg_send */
	bool urg_send;
	uint32_t snd_sml;              /* end of the last small segment sent (Minshall's Nagle) */
	struct tcp_ring snd;           /* bytes from snd_ring_seq: unacked, then unsent */
	uint32_t snd_ring_seq;         /* sequence number of snd's first byte */
	bool fin_queued, fin_sent;     /* our FIN follows snd's last byte */
	bool fin_alone;                /* it was queued with everything sent: an skb of its own
					* (Linux's tcp_send_fin), which a tail loss probe sends alone */
	/* where Linux's send queue has its skbs' edges (tcp_push.c): marks
	 * in (snd_una, the ring's end], sorted, kind TCP_MARK_* bits;
	 * skb_seq where the tail skb begins, pushed_seq Linux's (the last
	 * PSH a sending call set) */
	uint8_t n_marks;
	struct { uint32_t seq; uint8_t kind; } marks[TCP_MARK_MAX];
	uint32_t skb_seq, pushed_seq;
	/* a mark above snd_una gave way to a new one (the array was full):
	 * the highest such; until snd_una passes it the skbs' edges are not
	 * all known (tcp_marks_exact) */
	bool marks_lost;
	uint32_t marks_lost_seq;
	/* the send buffer's limit (tcp_sndbuf.c): Linux's sk_sndbuf, against
	 * the queue's bytes counted as its skbs' truesize (0: no limit but
	 * the ring's); sndbuf_lock: SO_SNDBUF fixed it (SOCK_SNDBUF_LOCK),
	 * else the engine grows it up to wmem_max (tcp_sndbuf_expand);
	 * snd_nospace: a writer or poll found no room (SOCK_NOSPACE). The
	 * caller's between calls; the engine grows sndbuf and clears
	 * snd_nospace. */
	uint32_t sndbuf, wmem_max;
	bool sndbuf_lock, snd_nospace;
	uint8_t min_tso_segs;          /* tcp_min_tso_segs when the conn was made */

	/* receive sequence space; rcv_adv is the right edge advertised
	 * (never moves left, RFC 9293 3.8.6), rcv_wup rcv_nxt at the last
	 * ACK sent */
	uint32_t irs, rcv_nxt, rcv_adv, rcv_wup;
	struct tcp_ring rcv;           /* bytes from copied_seq; in order up to rcv_nxt, islands after */
	uint32_t copied_seq;           /* the next byte tcp_recv returns */
	uint8_t n_ofo;
	/* sorted, disjoint, not touching; recent: ofo_stamp when a segment
	 * last joined the island (the SACK blocks go most recent first) */
	struct { uint32_t start, end, recent; } ofo[TCP_OFO_MAX];
	uint32_t ofo_stamp;
	/* the D-SACK block (RFC 2883) the next ACK reports first, then forgets */
	bool dsack;
	uint32_t dsack_start, dsack_end;
	bool ofo_fin;                  /* a FIN arrived out of order at ofo_fin_seq */
	uint32_t ofo_fin_seq;
	enum tcp_urg urg;
	uint32_t urg_seq;              /* sequence number of the urgent byte */
	/* receive autotuning (Linux's rcvq_space and rcv_rtt_est): bytes
	 * read in the last measured round trip, from rcvq_seq since
	 * rcvq_time; the receiver's RTT estimate (ns, 0: none) from the
	 * timestamps the sender echoes; the ring size it asks for */
	uint32_t rcv_max, rcvq_space, rcvq_seq, rcv_want;
	uint64_t rcvq_time, rcv_rtt;
	uint8_t urg_byte;

	/* options negotiated */
	uint16_t advmss;               /* ours, as advertised */
	uint16_t peer_mss;             /* the peer's, clamped */
	uint16_t snd_mss, rcv_mss;     /* payload bytes per segment, options deducted */
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok, ts_ok, sack_ok;
	bool offer_ts, offer_sack, offer_ws;
	uint32_t ts_offset, ts_recent; /* TSval to echo (Linux's ts_recent) */
	uint64_t ts_recent_stamp;

	/* RTT (RFC 6298) and retransmission, all in ns */
	uint64_t srtt, rttvar, rto;    /* srtt 0: no sample yet */
	bool rtt_timing;               /* rtt_seq's sending is being timed (Karn: not a retransmission) */
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint8_t retransmits, backoff, probes_out;
	uint64_t retrans_stamp;        /* when the head of the retransmitted data was sent */
	uint64_t rexmit_armed_at;
	uint32_t total_retrans;

	/* congestion control (tcp_cc.c): cwnd and ssthresh in bytes, cwnd_acc
	 * segments acked towards the next increase (Linux's snd_cwnd_cnt),
	 * recover NewReno's; cc the algorithm (enum tcp_cc_id; the caller's,
	 * through tcp_set_congestion), ca its state (Linux's icsk_ca_priv);
	 * ca_rtt the RTT sample of the ACK being processed (ns, 0: none) */
	enum tcp_ca_state ca_state;
	uint32_t cwnd, ssthresh, cwnd_acc, recover;
	uint8_t dupacks;
	uint8_t cc;
	union {
		struct tcp_cubic cubic;
	} ca;
	uint64_t ca_rtt;
	/* whether cwnd limits the sender (Linux's tcp_cwnd_validate): the
	 * flight filled it in the window that ends at usage_seq, else the
	 * largest flight of that window */
	bool cwnd_limited;
	uint32_t max_flight, cwnd_usage_seq;
	/* the largest flight since cwnd last limited the sender or was last
	 * cut for going unused (cwnd_stamp: then): Linux's snd_cwnd_used
	 * and snd_cwnd_stamp; lsndtime: the last data sent (Linux's) */
	uint32_t cwnd_used;
	uint64_t cwnd_stamp, lsndtime;

	/*
	 * The sender's SACK scoreboard (RFC 6675) and RACK-TLP (RFC 8985),
	 * tcp_sack.c. The send queue is a byte ring, so the scoreboard is
	 * kept as ranges of it: sb, what the peer SACKed above snd_una
	 * (sorted, disjoint; the highest dropped when more come); xlog,
	 * the first transmissions from snd_una to snd_max as runs, each
	 * with the time its last byte went (two runs merge, the later time
	 * kept, when more are needed: RACK then waits, never hurries).
	 * Bytes not SACKed below lost_high are lost, unless below high_rxt
	 * (HighRxt: retransmitted in this recovery).
	 */
	uint8_t n_sb, n_xlog;
	struct { uint32_t start, end; } sb[TCP_SB_MAX];
	struct { uint32_t end; uint64_t at; } xlog[TCP_XLOG_MAX];
	struct { uint32_t start, end; uint64_t at; } rxlog[TCP_RXLOG_MAX]; /* the last retransmissions */
	uint32_t rxlog_next;
	/* no retransmission logged reaches above rxlog_high, which snd_una
	 * pulls up as it passes (so it stays in the window's reach): what
	 * is sent from it up went once */
	uint32_t rxlog_high;
	uint32_t sacked_bytes, high_rxt, lost_high;
	/* bytes of holes below high_rxt whose last retransmission RACK
	 * found lost, not yet sent again: out of pipe, as Linux takes such
	 * a segment out of retrans_out (tcp_mark_skb_lost) */
	uint32_t relost_bytes;
	bool rxt_force;                /* the first retransmission of a recovery goes whatever pipe says */
	/* PRR (RFC 6937) in SACK recovery, bytes: delivered and sent since
	 * it began; snd_una and sacked_bytes at the last ACK (what this one
	 * delivered is the difference) */
	uint32_t prr_delivered, prr_out, prr_una, prr_sacked;
	/* RACK: the newest delivered transmission (its time, end, and the
	 * RTT it measured), the least RTT seen, and whether the peer showed
	 * reordering (the window it earns: min_rtt / 4) */
	uint64_t rack_xmit, rack_rtt, min_rtt;
	uint32_t rack_end;
	bool reord_seen;
	/* how far out of order the peer delivered data sent once, in
	 * segments: starts at reordering_base (tcp_reordering), raised by
	 * each such delivery up to reordering_max (Linux's tp->reordering,
	 * tcp_check_sack_reordering), lowered back by a timeout in the
	 * open or disorder state (tcp_enter_loss); TCP_INFO's tcpi_reordering */
	uint32_t reordering, reordering_base, reordering_max;
	/* the reordering window in quarters of min_rtt (0 counts as 1):
	 * one more for each round trip with a D-SACK, back to 1 after
	 * TCP_REO_PERSIST recoveries without (Linux's reo_wnd_steps and
	 * reo_wnd_persist); reo_adj_seq: the round trip's end */
	uint8_t reo_steps, reo_persist;
	uint32_t reo_adj_seq;
	/* TLP: a probe is out until snd_una reaches tlp_high; a
	 * retransmitted one (tlp_rxt) went from tlp_start */
	bool tlp_out, tlp_rxt, tlp_dsacked;
	uint32_t tlp_start, tlp_high;
	/* undo (Linux's undo_marker, undo_retrans, prior_cwnd): what the
	 * window was before a recovery, and its retransmissions not yet
	 * D-SACKed */
	bool undo_marker;
	int32_t undo_retrans;
	uint32_t prior_cwnd, prior_ssthresh;
	/* when the oldest retransmission not yet acked went (0: none):
	 * Linux's retrans_stamp for undo, against which an ACK's echoed
	 * timestamp (rcv_tsecr, 0: the ACK had none) tells that the
	 * original arrived (tcp_packet_delayed) */
	uint64_t undo_stamp;
	uint32_t rcv_tsecr;

	/* delayed ACK */
	bool ack_pending;
	uint8_t quick;                 /* ACKs left to send at once (quick-ACK mode) */
	bool pingpong;                 /* interactive: data went out within the ACK delay of data
					* in (Linux's pingpong mode); ACKs wait to ride on replies */
	bool quick_init;               /* the first data arrived */
	bool in_batch;                 /* tcp_input_batched is taking a segment */
	bool ack_batched;              /* an ACK waits for tcp_ack_batch_end */
	uint64_t last_oow_ack;         /* rate limit of out-of-window and challenge ACKs */

	/* timers: absolute deadlines, TCP_NO_DEADLINE when off */
	uint64_t t_rexmit, t_persist, t_delack, t_keepalive, t_wait;
	uint64_t t_reo, t_tlp;         /* RACK's reordering timer, the tail loss probe */

	/* times for tcp_info and keepalive */
	uint64_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv, last_rcv;
	uint64_t bytes_acked, bytes_received;
	uint32_t tw_next_iss;          /* TCP_IN_TW_SYN: the ISS for the new conn (Linux's) */
	struct tcp_stats stats;
};

/* ---- setting up ----------------------------------------------------------- */

/* Zero c and set it up CLOSE with cfg's rings, ports, MSS and options,
 * and ops. Keepalive off with Linux's default times. */
void tcp_conn_init(struct tcp_conn *c, const struct tcp_cfg *cfg, const struct tcp_ops *ops);
/* Active open: send a SYN with iss, SYN-SENT. 0, or -EISCONN if c is not CLOSE. */
int tcp_connect(struct tcp_conn *c, uint32_t iss, uint64_t now);
/* Passive open: c becomes LISTEN (its tcp_input then sorts segments: see enum tcp_verdict). */
void tcp_listen(struct tcp_conn *c);
/* c (fresh from tcp_conn_init, with the listener's options) answers the
 * SYN syn (for which tcp_input on the listener said TCP_IN_SYN) with a
 * SYN-ACK of sequence iss: SYN-RECEIVED. Linux's request socket and the
 * full socket are one conn here; no syn cookies. */
void tcp_accept_syn(struct tcp_conn *c, const struct tcp_seg *syn, uint32_t iss, uint64_t now);

/* ---- the wire ------------------------------------------------------------- */

/* Process one segment for c (RFC 9293 3.10.7). payload holds
 * seg->payload_len bytes. Every field is checked before use. */
enum tcp_verdict tcp_input(struct tcp_conn *c, const struct tcp_seg *seg, const uint8_t *payload,
			   uint64_t now);
/*
 * tcp_input for one segment of a receive batch (the network thread's
 * turn on a device): the ACK that in-order data asks for at once waits,
 * while less than TCP_BATCH_ACK_BYTES are unacknowledged, for
 * tcp_ack_batch_end, which the caller runs once the batch is taken. One
 * ACK then answers what one poll brought, as on Linux, whose GRO merges
 * a poll's segments (up to 64 KiB) before TCP sees them. Out-of-order
 * data, a FIN and everything else are answered as by tcp_input.
 */
enum tcp_verdict tcp_input_batched(struct tcp_conn *c, const struct tcp_seg *seg, const uint8_t *payload,
				   uint64_t now);
/* Send the ACK tcp_input_batched held back, unless a segment since carried it. */
void tcp_ack_batch_end(struct tcp_conn *c, uint64_t now);
/* The reset that answers in, a segment no connection takes (RFC 9293
 * 3.10.7.1): ports swapped, seq/ack and flags set, no options, window
 * 0, into out. False when in is itself a reset (never answered). */
bool tcp_reset_reply(const struct tcp_seg *in, struct tcp_seg *out);

/* ---- the socket's calls ---------------------------------------------------- */

/* Queue up to n bytes of buf for sending (TCP_SEND_*): how many were
 * queued (0 < r <= n), -EAGAIN when the ring is full or the conn is not
 * yet established (wait for TCP_EV_WRITABLE/CONNECTED), the pending
 * error, or -EPIPE after shutdown, FIN or reset (the caller raises SIGPIPE). */
long tcp_send(struct tcp_conn *c, const void *buf, size_t n, unsigned flags, uint64_t now);
/*
 * tcp_send in two halves, for a caller that copies the program's bytes
 * straight into the ring without the conn's lock (one sender at a time,
 * and the ring not moved meanwhile: the caller's lock rule).
 * tcp_send_reserve: room for up to n bytes at the ring's tail, in *room;
 * how much (0 < r <= n), or tcp_send's refusals; nothing is queued.
 * tcp_send_commit: the first n bytes of that room join the queue with
 * tcp_send's flags and go out as tcp_send's would: n, or the refusal
 * that came meanwhile (then nothing is queued).
 */
struct tcp_room {
	uint8_t *p[2];
	uint32_t len[2];
};
long tcp_send_reserve(struct tcp_conn *c, size_t n, struct tcp_room *room);
long tcp_send_commit(struct tcp_conn *c, uint32_t n, unsigned flags, uint64_t now);
/*
 * tcp_recv in two halves, for a caller that copies out of the ring
 * without the conn's lock (one reader at a time: the bytes stay until
 * the commit, and nothing else takes them). tcp_recv_plan: where the
 * next read of up to n bytes finds them (*span, in order; the urgent
 * byte skipped or stopped at as tcp_recv does) and in *taken what the
 * commit takes; returns the byte count. tcp_recv_commit (flags:
 * TCP_RECV_PEEK leaves them): tcp_recv's result for a read of copied
 * bytes that took taken from the ring.
 */
uint32_t tcp_recv_plan(const struct tcp_conn *c, size_t n, struct tcp_span *span, uint32_t *taken);
long tcp_recv_commit(struct tcp_conn *c, uint32_t taken, uint32_t copied, unsigned flags, uint64_t now);
/* Copy up to n received bytes to buf (TCP_RECV_PEEK leaves them): how
 * many (> 0), 0 at end of stream, -EAGAIN when nothing is there yet, the
 * pending error (once), -ENOTCONN when never connected. Stops at the
 * urgent mark as Linux does; may send a window update. */
long tcp_recv(struct tcp_conn *c, void *buf, size_t n, unsigned flags, uint64_t now);
/* MSG_OOB: the urgent byte into *out. 1, 0 at end of stream, -EINVAL (inline,
 * none or already read), -EAGAIN (not yet arrived). */
long tcp_recv_oob(struct tcp_conn *c, uint8_t *out, bool peek);
/* SIOCATMARK: the next byte tcp_recv returns is at the urgent mark. */
bool tcp_at_mark(const struct tcp_conn *c);
/* shutdown(how) with SHUT_RD/SHUT_WR/SHUT_RDWR's values 0/1/2: 0, -ENOTCONN, -EINVAL.
 * A conn still in SYN-SENT ends instead, with ECONNRESET (Linux's tcp_disconnect). */
int tcp_shutdown(struct tcp_conn *c, int how, uint64_t now);
/* close(): the caller lets go. A FIN after the queued data, or a reset
 * (unread data, as Linux does; SO_LINGER 0 calls tcp_abort instead).
 * TCP_EV_CLOSED says when the conn may be freed. */
void tcp_close(struct tcp_conn *c, uint64_t now);
/* Abort: a reset if synchronized, then CLOSE (SO_LINGER 0, or the caller's teardown). */
void tcp_abort(struct tcp_conn *c, uint64_t now);
/* A passive conn still in SYN-RECEIVED ends without a word to the peer
 * (Linux's inet_csk_reqsk_queue_drop: a crowded SYN queue pruned); a conn
 * in any other state is left as it is. */
void tcp_drop_embryo(struct tcp_conn *c);
/*
 * The send buffer's limit as Linux 6.1 applies it (tcp_sndbuf.c).
 * tcp_wmem_queued: the queue as Linux's sk_wmem_queued counts it, its
 * bytes and a fixed price per skb. tcp_send_room: what one step of a
 * sending call may queue (lowat: TCP_NOTSENT_LOWAT in force, UINT32_MAX
 * none): the unsent tail skb's room up to the size goal, else a new skb
 * of the goal while the queue is below sndbuf and the unsent bytes below
 * lowat, else 0 (UINT32_MAX while there is no MSS to size it by).
 * tcp_stream_writable: Linux's __sk_stream_is_writeable(sk, 1), what
 * poll's POLLOUT and a sleeping writer's wake-up wait for: free room at
 * least half the queue, the unsent bytes below half of lowat.
 * tcp_snd_ring_want: the ring size the limit asks when the ring is full
 * and the limit is not reached (at most max), 0 when it need not grow.
 */
uint64_t tcp_wmem_queued(const struct tcp_conn *c);
uint32_t tcp_send_room(const struct tcp_conn *c, uint32_t lowat);
bool tcp_stream_writable(const struct tcp_conn *c, uint32_t lowat);
uint32_t tcp_snd_ring_want(const struct tcp_conn *c, uint32_t lowat, uint32_t max);
/* Bytes tcp_send can queue now; bytes tcp_recv can return now. */
uint32_t tcp_send_space(const struct tcp_conn *c);
uint32_t tcp_recv_avail(const struct tcp_conn *c);
/* TCP_NOTSENT_LOWAT (lowat: the mark in force, UINT32_MAX none): the
 * bytes written and not yet sent (Linux's write_seq - snd_nxt); whether
 * the socket polls writable by them (Linux's __tcp_stream_memory_free
 * with wake 1: below half the mark). What a sending call may queue under
 * the mark: tcp_send_room. */
uint32_t tcp_notsent(const struct tcp_conn *c);
bool tcp_notsent_writable(const struct tcp_conn *c, uint32_t lowat);
/* SO_ERROR: the pending error (positive errno), cleared. */
int tcp_take_error(struct tcp_conn *c);
/* TCP_NODELAY, TCP_CORK (turning either so pushes what is held), SO_KEEPALIVE. */
void tcp_set_nodelay(struct tcp_conn *c, bool on, uint64_t now);
void tcp_set_cork(struct tcp_conn *c, bool on, uint64_t now);
/* setsockopt(TCP_NODELAY, 1), after tcp_set_nodelay: what cork or Nagle
 * holds goes now (Linux's __tcp_sock_set_nodelay: TCP_NAGLE_PUSH). */
void tcp_nagle_push(struct tcp_conn *c, uint64_t now);
/* SO_SNDBUF raised, or tcp_snd_ring_want's size: the send ring moves to buf
 * (size bytes, more than it had), its bytes kept; the old buffer is the
 * caller's to free. */
void tcp_snd_grow(struct tcp_conn *c, uint8_t *buf, uint32_t size);
/* TCP small queues: how many bytes of c's segments the layers below may
 * hold before it stops sending (TCP_TSQ_MAX and its neighbours say how
 * the figure is reached). */
uint32_t tcp_tsq_limit(const struct tcp_conn *c);
/* The layers below shrank after ops->throttle: send what the small
 * queues held back (Linux's tcp_tsq_handler). */
void tcp_tsq_resume(struct tcp_conn *c, uint64_t now);
/* Receive-buffer autotuning (Linux's tcp_rcv_space_adjust, run by every
 * read): the ring size the reader's pace asks for, 0 when none. The
 * caller allocates it and calls tcp_rcv_grow, which moves the ring's
 * bytes (in order and out of order) to buf, the old buffer the caller's
 * to free, and tells the peer of the wider window. */
uint32_t tcp_rcv_want(const struct tcp_conn *c);
void tcp_rcv_grow(struct tcp_conn *c, uint8_t *buf, uint32_t size, uint64_t now);
/* After tcp_close (not an abort): nothing queued will be read, and new
 * data resets the connection (RFC 1122 4.2.2.13, as Linux), so the
 * receive ring's memory can go, as Linux keeps no receive buffer for an
 * orphan. Returns the ring's buffer for the caller to free, or NULL when
 * it must stay (not closed, or bytes still queued: then tcp_close
 * aborted). The ring keeps its size: the window the orphan advertises
 * does not change. */
uint8_t *tcp_rcv_release(struct tcp_conn *c);
/* The send ring's memory likewise, once an orphan is in TIME-WAIT:
 * everything it sent, its FIN too, was acknowledged. The buffer for the
 * caller to free, or NULL. */
uint8_t *tcp_snd_release(struct tcp_conn *c);
/* TCP_QUICKACK as Linux's __tcp_sock_set_quickack: off enters pingpong
 * mode (ACKs wait to ride on replies); on leaves it and, when a delayed
 * ACK is pending on a synchronized connection whose data was all read,
 * sends it now (tcp_cleanup_rbuf's ICSK_ACK_PUSHED case). */
void tcp_set_quickack(struct tcp_conn *c, bool on, uint64_t now);
void tcp_set_keepalive(struct tcp_conn *c, bool on, uint64_t now);
/* TCP_CONGESTION: the algorithm named name[0..len) (no NUL needed), or
 * -ENOENT; and an algorithm's name (id < TCP_CC_COUNT). */
int tcp_cc_find(const char *name, size_t len);
const char *tcp_cc_name(unsigned id);
/* The conn runs algorithm id (< TCP_CC_COUNT; else nothing changes)
 * from now on: a synchronized conn keeps its window and starts the
 * algorithm's state afresh, as Linux's tcp_reinit_congestion_control. */
void tcp_set_congestion(struct tcp_conn *c, unsigned id);
/* The path's MTU fell: segments of mss payload bytes at most (options
 * deducted) from now on, and what is in flight sent again at once in that
 * size (Linux's tcp_v4_mtu_reduced after the cache learnt it). */
void tcp_mss_reduced(struct tcp_conn *c, uint32_t mss, uint64_t now);
/* The same without the resend: segments of mss at most from the next
 * one sent (Linux's tcp_current_mss finding the route's MTU lower and
 * calling tcp_sync_mss). False when mss is not lower: nothing changed. */
bool tcp_mss_synced(struct tcp_conn *c, uint32_t mss);
/* Either way: segments of mss from the next one sent, the window kept in
 * segments (Linux's tcp_sync_mss from tcp_current_mss). False when mss
 * is the same or under the floor: nothing changed. */
bool tcp_mss_follow(struct tcp_conn *c, uint32_t mss);
/* TCP_INFO. */
void tcp_get_info(const struct tcp_conn *c, uint64_t now, struct tcp_info_snap *out);

/* ---- time ------------------------------------------------------------------- */

/* Run every timer of c due at now. */
void tcp_timer(struct tcp_conn *c, uint64_t now);
/* The earliest deadline of c's timers, TCP_NO_DEADLINE if none. */
uint64_t tcp_next_deadline(const struct tcp_conn *c);

#endif
