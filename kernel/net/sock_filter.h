/* SPDX-License-Identifier: MIT */
/* Socket filters: SO_ATTACH_FILTER's classic BPF program on a socket, and its run over each packet the receive paths queue (net/sock_filter.c). */
#ifndef KESTREL_NET_SOCK_FILTER_H
#define KESTREL_NET_SOCK_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/unix_sock.h"

struct netbuf;

/* SO_ATTACH_FILTER: val is the caller's struct sock_fprog (len bytes);
 * its program (1 to BPF_MAXINSNS instructions, copied from the user's
 * memory) replaces s's after net/bpf.c's check. 0, -EINVAL (short
 * option, bad length, a program Linux's checker refuses), -EFAULT,
 * -ENOMEM, -EPERM (SO_LOCK_FILTER). */
int sock_attach_filter(struct unix_sock *s, const void *val, size_t len);
/* SO_DETACH_FILTER: 0, -ENOENT (none), -EPERM (locked). */
int sock_detach_filter(struct unix_sock *s);
/* SO_LOCK_FILTER: on locks the filter (attach and detach say -EPERM);
 * off once locked is -EPERM. */
int sock_lock_filter(struct unix_sock *s, int on);
/* The socket goes: its filter with it. */
void sock_filter_free(struct unix_sock *s);
/*
 * Run s's filter over the len bytes at view, a part of nb's buffer (the
 * socket's view: the UDP header, the IP header, the Ethernet header),
 * with net the network header and mac the Ethernet header (NULL: none,
 * as on lo) within the same buffer, for SKF_NET_OFF and SKF_LL_OFF. The
 * bytes to keep, at most len: len without a filter, 0 to drop; a caller
 * trims to what it keeps (at least its own header).
 */
uint32_t sock_filter_run(const struct unix_sock *s, const struct netbuf *nb, const uint8_t *view,
			 uint32_t len, const uint8_t *net, const uint8_t *mac);
/* The Ethernet header before the network header net of nb, or NULL (lo). */
const uint8_t *sock_filter_mac(const struct netbuf *nb, const uint8_t *net);

#endif
