/* SPDX-License-Identifier: MIT */
/* System-call numbers and handlers for pipes and I/O multiplexing: pipe, pipe2, poll, ppoll, select, pselect6. */
#ifndef KESTREL_SYS_SYS_TTY_H
#define KESTREL_SYS_SYS_TTY_H

#include <stdint.h>

#define SYS_poll     7
#define SYS_pipe     22
#define SYS_select   23
#define SYS_pselect6 270
#define SYS_ppoll    271
#define SYS_pipe2    293

/* sys_pipe.c */
long sys_pipe(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_pipe2(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
/* sys_poll.c */
long sys_poll(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_ppoll(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_select(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_pselect6(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

#endif
