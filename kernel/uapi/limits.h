/* SPDX-License-Identifier: MIT */
/* Linux's size limits user space sees (include/uapi/linux/limits.h, uio.h). */
#ifndef KESTREL_UAPI_LIMITS_H
#define KESTREL_UAPI_LIMITS_H

#define NAME_MAX   255    /* bytes of one path component */
#define PATH_MAX   4096   /* bytes of a path, its NUL included */
#define PIPE_BUF   4096   /* pipe writes up to this size are never interleaved */
#define UIO_MAXIOV 1024   /* iovecs in one readv/writev */
#define NGROUPS_MAX 65536 /* supplementary groups of a process (setgroups) */

#endif
