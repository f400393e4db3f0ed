/* SPDX-License-Identifier: MIT */
/* Error numbers: Linux's (uapi/errno.h) and the kernel-internal ones user space never sees. */
#ifndef KESTREL_LIB_ERRNO_H
#define KESTREL_LIB_ERRNO_H

#include "uapi/errno.h"

/* Kernel-internal: a blocking call interrupted by a signal, which the
 * signal code (proc/signal.c) turns into a restart or into -EINTR; user
 * space never sees them. ERESTARTSYS restarts unless a handler without
 * SA_RESTART runs; ERESTART_RESTARTBLOCK (a sleep) restarts only when no
 * handler runs, through restart_syscall, which goes on with the thread's
 * saved deadline rather than the call's arguments (Linux's). */
#define ERESTARTSYS 512
#define ERESTARTNOHAND 514   /* restarts only when no handler runs (msgsnd, msgrcv) */
#define ERESTART_RESTARTBLOCK 516

#endif
