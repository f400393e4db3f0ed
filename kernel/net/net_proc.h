/* SPDX-License-Identifier: MIT */
/* /proc/net's files, in Linux's formats. */
#ifndef KESTREL_NET_NET_PROC_H
#define KESTREL_NET_NET_PROC_H

/* Register the writer of the files under /proc/net with procfs. Boot time. */
void net_proc_init(void);

#endif
