/* SPDX-License-Identifier: MIT */
/* The text of /proc's files, in Linux's formats (procfs.c opens them, these write them). */
#ifndef KESTREL_FS_PROCFS_SHOW_H
#define KESTREL_FS_PROCFS_SHOW_H

#include <stddef.h>
#include "fs/sbuf.h"

struct process;
struct thread;

/* System-wide files (p: the reader, may be NULL). */
/* /proc/net/NAME's writer, set by the network stack at boot (NULL: the
 * files are empty); procfs calls it so as to call nothing of the stack. */
extern void (*procfs_net_show)(const char *name, struct sbuf *s);
/* /proc/sysvipc/NAME's writer, set by ipc_init, likewise. */
extern void (*procfs_ipc_show)(const char *name, struct sbuf *s);
void show_meminfo(struct sbuf *s, struct process *p);
void show_uptime(struct sbuf *s, struct process *p);
void show_cpuinfo(struct sbuf *s, struct process *p);
void show_mounts(struct sbuf *s, struct process *p);
void show_mountinfo(struct sbuf *s, struct process *p);
void show_version(struct sbuf *s, struct process *p);
void show_cmdline(struct sbuf *s, struct process *p);
void show_loadavg(struct sbuf *s, struct process *p);
void show_filesystems(struct sbuf *s, struct process *p);
void show_stat(struct sbuf *s, struct process *p);
/* The buffer show_cpuinfo needs: one entry per online CPU. */
size_t cpuinfo_buf_size(void);
/* Per-process files (p: the process the directory is about, never NULL). */
void show_pid_stat(struct sbuf *s, struct process *p);
void show_pid_status(struct sbuf *s, struct process *p);
/* /proc/PID/task/TID/{stat,status}: p's, with thread t's own fields
 * (state, blocked signals, CPU, affinity; id: its tid); NULL t: none. */
void show_task_stat(struct sbuf *s, struct process *p, struct thread *t, int id);
void show_task_status(struct sbuf *s, struct process *p, struct thread *t, int id);
void show_pid_cmdline(struct sbuf *s, struct process *p);
void show_pid_limits(struct sbuf *s, struct process *p);
void show_pid_comm(struct sbuf *s, struct process *p);
/* /proc/PID/timerslack_ns: prctl(PR_SET_TIMERSLACK)'s value (read only here). */
void show_pid_timerslack(struct sbuf *s, struct process *p);
/* /proc/PID/coredump_filter: what a core holds (proc/coredump.h); Linux's
 * default, the one Kestrel has (read only here, 0644 on Linux). */
void show_pid_coredump_filter(struct sbuf *s, struct process *p);
void show_pid_maps(struct sbuf *s, struct process *p);
/* /proc/PID/smaps, and the buffer it needs. */
void show_pid_smaps(struct sbuf *s, struct process *p);
size_t smaps_buf_size(struct process *p);
void show_pid_statm(struct sbuf *s, struct process *p);
/* The buffer show_pid_maps needs for p's regions (bounded: a longer
 * listing is cut off, as a too-short read of Linux's would be). */
size_t maps_buf_size(struct process *p);

#endif
