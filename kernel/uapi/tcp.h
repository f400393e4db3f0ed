/* SPDX-License-Identifier: MIT */
/* Linux's TCP socket ABI beyond the option numbers (include/uapi/linux/tcp.h as of 6.1): struct tcp_info and the ranges setsockopt checks. */
#ifndef KESTREL_UAPI_TCP_H
#define KESTREL_UAPI_TCP_H

#include <stdint.h>
#include "uapi/ioctl.h"

/* level IPPROTO_TCP (the others are in uapi/in.h) */
#define TCP_INFO        11

/* setsockopt's ranges (include/net/tcp.h): outside them, EINVAL */
#define MAX_TCP_KEEPIDLE  32767   /* seconds */
#define MAX_TCP_KEEPINTVL 32767   /* seconds */
#define MAX_TCP_KEEPCNT   127

/* ioctls of a TCP socket (Linux's tcp_ioctl), each answering an int */
#define SIOCINQ         FIONREAD  /* bytes readable */
#define SIOCOUTQ        TIOCOUTQ  /* bytes written and not yet acknowledged */
#define SIOCOUTQNSD     0x894B    /* bytes written and not yet sent */

/*
 * getsockopt(IPPROTO_TCP, TCP_INFO): Linux 6.1's layout, 232 bytes. A
 * shorter buffer gets the first bytes. Times in microseconds except the
 * last_* ones (milliseconds); cwnd, ssthresh and unacked in segments.
 * The nibbles of wscale: tcpi_snd_wscale low, tcpi_rcv_wscale high (the
 * bitfields' order on x86_64).
 */
struct tcp_info {
	uint8_t tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes, tcpi_backoff, tcpi_options;
	uint8_t tcpi_wscale;                 /* snd_wscale : 4, rcv_wscale : 4 */
	uint8_t tcpi_app_limited_flags;      /* delivery_rate_app_limited : 1, fastopen_client_fail : 2 */
	uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;
	uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;
	uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;
	uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar, tcpi_snd_ssthresh, tcpi_snd_cwnd;
	uint32_t tcpi_advmss, tcpi_reordering, tcpi_rcv_rtt, tcpi_rcv_space, tcpi_total_retrans;
	uint64_t tcpi_pacing_rate, tcpi_max_pacing_rate, tcpi_bytes_acked, tcpi_bytes_received;
	uint32_t tcpi_segs_out, tcpi_segs_in, tcpi_notsent_bytes, tcpi_min_rtt;
	uint32_t tcpi_data_segs_in, tcpi_data_segs_out;
	uint64_t tcpi_delivery_rate, tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited;
	uint32_t tcpi_delivered, tcpi_delivered_ce;
	uint64_t tcpi_bytes_sent, tcpi_bytes_retrans;
	uint32_t tcpi_dsack_dups, tcpi_reord_seen, tcpi_rcv_ooopack, tcpi_snd_wnd;
};
_Static_assert(sizeof(struct tcp_info) == 232, "Linux 6.1's struct tcp_info is 232 bytes");
_Static_assert(__builtin_offsetof(struct tcp_info, tcpi_pacing_rate) == 104, "tcp_info layout");
_Static_assert(__builtin_offsetof(struct tcp_info, tcpi_snd_wnd) == 228, "tcp_info layout");

#endif
