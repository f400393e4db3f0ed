/* SPDX-License-Identifier: MIT */
/* What the other system calls ask of sys_socket.c. */
#ifndef KESTREL_SYS_SYS_SOCKET_H
#define KESTREL_SYS_SYS_SOCKET_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/usercopy.h"

struct file;

/*
 * readv/writev on a socket f (net/unix.h's unix_is_socket): the whole
 * vector as one message, as recvmsg/sendmsg without control data (a
 * datagram keeps its boundaries; files passed with what is read are
 * closed). The count or -errno (-EINVAL for more than UIO_MAXIOV
 * elements, as readv's).
 */
long sock_rw_iov(struct file *f, bool write, uptr_t uiov, uint64_t cnt);
/* Before a send or receive on socket f with flags: the kernel lock taken
 * to the call's return when the call came in without it and f needs it,
 * given up (klock_leave_call) when it came in with it, f does not, and
 * the caller is the system call itself (may_drop). */
void sock_call_lock(struct file *f, int flags, bool may_drop);

#endif
