/* SPDX-License-Identifier: MIT */
/* /proc/net's files, in Linux's formats. */
#ifndef KESTREL_NET_NET_PROC_H
#define KESTREL_NET_NET_PROC_H

/* Register the writer of the files under /proc/net, and net's sysctl
 * files under /proc/sys/net (net/net_sysctl.c), with procfs. Boot time. */
void net_proc_init(void);

#endif
