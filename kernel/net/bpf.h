/* SPDX-License-Identifier: MIT */
/* Classic BPF socket filters (SO_ATTACH_FILTER): Linux's checker and an interpreter with Linux's results. Pure: no kernel state, no allocation, so the host's unit test and fuzzer run it as it is. */
#ifndef KESTREL_NET_BPF_H
#define KESTREL_NET_BPF_H

#include <stdbool.h>
#include <stdint.h>

#include "uapi/filter.h"

/*
 * The packet a filter runs over, and what the ancillary loads answer.
 *
 * The bytes are head[0 .. data_off + len): head is the first byte kept
 * in front of the packet (a netbuf's head, or the link-layer header),
 * and the socket's view, where a load's offset 0 is, starts at
 * head + data_off. The network and link-layer headers may lie before it
 * (a UDP socket's view starts at the UDP header; SKF_NET_OFF still reads
 * the IPv4 header) or inside it (a raw packet socket's view starts at
 * the link-layer header). Every load stays inside head[0 .. data_off + len).
 *
 * The caller owns the bytes and keeps them unchanged during bpf_run.
 */
struct bpf_pkt {
	const uint8_t *head;
	uint32_t data_off;       /* the socket's view: head + data_off (BPF_ABS offset 0) */
	uint32_t len;            /* its bytes (BPF_LEN): the packet ends at head + data_off + len */
	uint32_t net_off;        /* the network header, from head (SKF_NET_OFF + 0) */
	uint32_t mac_off;        /* the link-layer header, from head (SKF_LL_OFF + 0), when has_mac */
	bool has_mac;            /* false: loads from SKF_LL_OFF end the program with 0, as Linux's
	                          * when the skb's mac header was never set */

	/* ancillary values, Linux's skb and net_device fields */
	uint16_t protocol;       /* SKF_AD_PROTOCOL: EtherType in network byte order (skb->protocol) */
	uint8_t pkttype;         /* SKF_AD_PKTTYPE: PACKET_HOST .. PACKET_OUTGOING (uapi/if_packet.h) */
	uint32_t ifindex;        /* SKF_AD_IFINDEX: the device; 0 when there is none (see bpf_run) */
	uint16_t hatype;         /* SKF_AD_HATYPE: the device's ARPHRD_* type */
	uint32_t mark;           /* SKF_AD_MARK: skb->mark */
	uint16_t queue;          /* SKF_AD_QUEUE: skb->queue_mapping */
	uint32_t rxhash;         /* SKF_AD_RXHASH: skb->hash (0: none computed) */
	uint32_t cpu;            /* SKF_AD_CPU: the CPU running the filter */
	uint16_t vlan_tci;       /* SKF_AD_VLAN_TAG: the offloaded 802.1Q tag (0: none) */
	uint16_t vlan_proto;     /* SKF_AD_VLAN_TPID: its TPID in network byte order (0: none) */
	uint32_t pay_off;        /* SKF_AD_PAY_OFFSET: the transport payload's offset from the view's
	                          * start, as Linux's flow dissector finds it (0: not found) */
	uint64_t *rnd_state;     /* SKF_AD_RANDOM: a PRNG state bpf_run advances (NULL: 0) */
};

/*
 * Check a classic BPF program of len instructions as Linux's
 * bpf_check_classic does (net/core/filter.c): len 1 .. BPF_MAXINSNS;
 * every opcode one Linux allows; no division or modulo by a constant 0,
 * no shift by a constant of 32 or more; M[] indices below BPF_MEMWORDS;
 * every jump forward and inside the program; an absolute load from the
 * ancillary area (k >= SKF_AD_OFF) one of Linux's SKF_AD_*; a BPF_RET
 * last; and no path that reads a word of M[] before storing it.
 * Returns 0, or -EINVAL for any of these. Pure; any context.
 */
int bpf_check(const struct sock_filter *prog, unsigned len);
/*
 * Linux refuses two more kinds of program after its check, both by the
 * size of what it converts them to, not by their meaning: a jump over
 * more than 32767 eBPF instructions (about 2300 absolute loads: -EINVAL),
 * and a converted program larger than the socket's optmem_max (-ENOMEM,
 * counted where the filter is attached). bpf_check takes them.
 */

/*
 * Run prog (len instructions, which passed bpf_check) over pkt; returns
 * what its BPF_RET said: 0 drops the packet, n keeps its first n bytes
 * (the caller trims to max(n, its own minimum) when n < pkt->len, as
 * Linux's sk_filter_trim_cap). As Linux's interpreter: A, X and M[] start
 * at 0; arithmetic is unsigned 32-bit; a load outside the packet, and a
 * division or modulo by X == 0, end the program with 0; a shift by X
 * shifts by X & 31 (x86_64's 32-bit shift, which Linux's JIT emits and
 * its interpreter masks to since 5.13); SKF_AD_IFINDEX and SKF_AD_HATYPE with no
 * device (ifindex 0) end the program with A's value. Takes at most len
 * steps (jumps go forward only); no recursion, no allocation. A program
 * that did not pass bpf_check still ends and stays inside pkt, with a
 * meaningless result. Any context; pkt->rnd_state is the only thing
 * it writes.
 */
uint32_t bpf_run(const struct sock_filter *prog, unsigned len, const struct bpf_pkt *pkt);

#endif
