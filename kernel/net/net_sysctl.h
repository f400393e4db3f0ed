/* SPDX-License-Identifier: MIT */
/* net.core.*, net.ipv4.* and net.ipv6.bindv6only (/proc/sys/net): the values the stack reads, and the files that show and set them. */
#ifndef KESTREL_NET_NET_SYSCTL_H
#define KESTREL_NET_NET_SYSCTL_H

#include <stdbool.h>
#include <stdint.h>

/* Linux's defaults (net/ipv4/af_inet.c, sysctl_net_ipv4.c, net/core/sock.c). */
#define NET_PORT_RANGE_LOW     32768      /* ip_local_port_range */
#define NET_PORT_RANGE_HIGH    60999
#define NET_PROT_SOCK          1024       /* ip_unprivileged_port_start: the range's floor */
#define NET_PORT_MAX           65535
#define NET_TTL_DEFAULT        64         /* ip_default_ttl */
#define NET_TTL_MIN            1
#define NET_TTL_MAX            255
#define NET_SOMAXCONN_DEFAULT  4096       /* somaxconn (SOMAXCONN) */
#define NET_GID_MAX            2147483647 /* ping_group_range's bound: GID_T_MAX */

/*
 * The writable values. Each is one aligned word or a pair read under
 * sysctl_lock (the pairs), so a reader on another CPU sees an old or a
 * new value, never half of each. Any context but interrupts.
 */
/* ip_local_port_range: the ephemeral ports bind(0) and connect pick. */
void net_sysctl_port_range(uint16_t *low, uint16_t *high);
/* ping_group_range: is gid in it? ("1 0", Linux's default, holds none.) */
bool net_sysctl_ping_group(uint32_t gid);
/* ip_default_ttl: the TTL of IPv4 packets whose socket set none. */
uint8_t net_sysctl_default_ttl(void);
/* somaxconn: the cap on listen()'s backlog. */
int net_sysctl_somaxconn(void);
/* tcp_sack: does a new connection offer SACK-permitted? */
bool net_sysctl_tcp_sack(void);
/* tcp_congestion_control: a new socket's algorithm (enum tcp_cc_id). */
unsigned net_sysctl_tcp_cong_default(void);
/* tcp_allowed_congestion_control: may a process without CAP_NET_ADMIN
 * choose algorithm id (Linux's TCP_CONG_NON_RESTRICTED)? */
bool net_sysctl_tcp_cong_allowed(unsigned id);
/* tcp_timestamps: RFC 7323 timestamps offered on new connections. */
bool net_sysctl_tcp_timestamps(void);
/* tcp_rmem's max: the space a new connection's window scale expresses. */
uint32_t net_sysctl_tcp_rmem_max(void);
/* net.ipv4.tcp_wmem's default (a new TCP socket's send buffer, Linux's
 * tcp_init_sock) and max (what autotuning grows it to). */
uint32_t net_sysctl_tcp_wmem_default(void);
uint32_t net_sysctl_tcp_wmem_max(void);
/* tcp_min_tso_segs: the fewest segments a new connection's packets carry
 * when its pacing rate would give fewer (Linux's default 2). */
uint8_t net_sysctl_tcp_min_tso_segs(void);
/* tcp_reordering and tcp_max_reordering: a new connection's reordering
 * degree and its ceiling, in segments (Linux's 3 and 300). */
uint32_t net_sysctl_tcp_reordering(void);
uint32_t net_sysctl_tcp_max_reordering(void);
/* tcp_notsent_lowat: TCP_NOTSENT_LOWAT's default (UINT32_MAX: none). */
uint32_t net_sysctl_tcp_notsent_lowat(void);
/* net.ipv6.bindv6only: is a new AF_INET6 socket IPV6_V6ONLY? */
bool net_sysctl_bindv6only(void);
/* net.ipv4.route.mtu_expires: seconds an IPv4 path MTU learnt now lives. */
uint32_t net_sysctl_mtu_expires4(void);

/* Register net's files under /proc/sys/net with procfs. Boot time. */
void net_sysctl_init(void);

#endif
