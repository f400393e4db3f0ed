/* SPDX-License-Identifier: MIT */
/* Linux's file-metadata ABI: st_mode bits, getdents64's d_type, statx masks, utimensat's special times. */
#ifndef KESTREL_UAPI_STAT_H
#define KESTREL_UAPI_STAT_H

/* st_mode: the type, then the permission bits (include/uapi/linux/stat.h). */
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISUID  04000
#define S_ISGID  02000
#define S_ISVTX  01000
#define S_IXGRP  00010

#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)

/* getdents64's d_type. */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

/* statx: the fields asked for and filled. */
#define STATX_BASIC_STATS 0x7ffu
#define STATX_BTIME       0x800u
#define STATX__RESERVED   0x80000000u  /* statx: a mask with it is EINVAL */

/* utimensat: tv_nsec values that are not times. */
#define UTIME_NOW  ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)

#endif
