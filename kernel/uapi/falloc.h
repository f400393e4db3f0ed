/* SPDX-License-Identifier: MIT */
/* Linux's fallocate(2) modes (include/uapi/linux/falloc.h) and posix_fadvise advice (fadvise.h). */
#ifndef KESTREL_UAPI_FALLOC_H
#define KESTREL_UAPI_FALLOC_H

#define FALLOC_FL_KEEP_SIZE      0x01   /* allocate, the size unchanged */
#define FALLOC_FL_PUNCH_HOLE     0x02   /* free the range (with KEEP_SIZE only) */
#define FALLOC_FL_NO_HIDE_STALE  0x04
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE     0x10
#define FALLOC_FL_INSERT_RANGE   0x20
#define FALLOC_FL_UNSHARE_RANGE  0x40
/* the operations; allocating (0) is none of them */
#define FALLOC_FL_MODE_MASK (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | \
	FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE)

#define POSIX_FADV_NORMAL     0
#define POSIX_FADV_RANDOM     1
#define POSIX_FADV_SEQUENTIAL 2
#define POSIX_FADV_WILLNEED   3
#define POSIX_FADV_DONTNEED   4
#define POSIX_FADV_NOREUSE    5

#endif
