/* SPDX-License-Identifier: MIT */
/* Linux's file ABI: open flags, fcntl commands, *at flags, access modes, lseek whence, rename flags. */
#ifndef KESTREL_UAPI_FCNTL_H
#define KESTREL_UAPI_FCNTL_H

#include <stdint.h>

/* open flags (x86_64, include/uapi/asm-generic/fcntl.h). */
#define O_ACCMODE   0003
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECT    040000
#define O_LARGEFILE 0100000     /* always on for 64-bit (F_GETFL shows it) */
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000

/* close_range's flags (linux/close_range.h). */
#define CLOSE_RANGE_UNSHARE (1u << 1)
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#define O_PATH      010000000   /* a handle for fstat, fchdir and the ...at calls only: no I/O */
#define __O_TMPFILE 020000000   /* with O_DIRECTORY: an unnamed file in the directory */
#define O_TMPFILE   (__O_TMPFILE | O_DIRECTORY)
#define O_TMPFILE_MASK (__O_TMPFILE | O_DIRECTORY | O_CREAT)

/* openat2's struct open_how (linux/openat2.h) and its resolve flags. */
struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define OPEN_HOW_SIZE_VER0    24
#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#define RESOLVE_IN_ROOT       0x10
#define RESOLVE_CACHED        0x20

/* fcntl commands. */
#define F_DUPFD     0
#define F_GETFD     1
#define F_SETFD     2
#define F_GETFL     3
#define F_SETFL     4
#define F_GETLK     5
#define F_SETLK     6
#define F_SETLKW    7
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031  /* a pipe's capacity in bytes (rounded up to a power-of-two pages) */
#define F_GETPIPE_SZ 1032
#define F_ADD_SEALS  1033  /* memfd seals (F_SEAL_*), added, never removed */
#define F_GET_SEALS  1034
#define F_NOTIFY     1026  /* dnotify: DN_* events of a directory, signalled to the caller */
#define DN_ACCESS    0x00000001
#define DN_MODIFY    0x00000002
#define DN_CREATE    0x00000004
#define DN_DELETE    0x00000008
#define DN_RENAME    0x00000010
#define DN_ATTRIB    0x00000020
#define DN_MULTISHOT 0x80000000u  /* stay registered after the first event */
#define F_SEAL_SEAL         0x0001  /* no more seals */
#define F_SEAL_SHRINK       0x0002
#define F_SEAL_GROW         0x0004
#define F_SEAL_WRITE        0x0008
#define F_SEAL_FUTURE_WRITE 0x0010  /* no new writers; mappings made before stay writable */
#define F_SEAL_EXEC         0x0020  /* the mode's x bits stay as they are */
#define FD_CLOEXEC  1
#define F_SETOWN    8
#define F_GETOWN    9
#define F_SETSIG    10
#define F_GETSIG    11
#define F_SETOWN_EX 15
#define F_GETOWN_EX 16
#define F_OFD_GETLK  36   /* record locks owned by the open file description */
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38
#define F_SETLEASE  1024
#define F_GETLEASE  1025

/* struct f_owner_ex's type (F_SETOWN_EX). */
#define F_OWNER_TID  0
#define F_OWNER_PID  1
#define F_OWNER_PGRP 2

/* struct flock's l_type. */
#define F_RDLCK     0
#define F_WRLCK     1
#define F_UNLCK     2

/* struct flock (x86_64: 32 bytes, l_start at 8, l_pid at 24). */
struct flock_k {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad0;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad1;
};

/* struct f_owner_ex. */
struct f_owner_ex_k {
	int32_t type;
	int32_t pid;
};

/* flock(2) operations. */
#define LOCK_SH   1
#define LOCK_EX   2
#define LOCK_NB   4
#define LOCK_UN   8
#define LOCK_MAND 32

/* O_ASYNC (FASYNC): signal the file's owner when I/O becomes possible. */
#define O_ASYNC     020000
#define O_NOATIME   01000000
#define O_DSYNC     010000
#define O_SYNC      04010000    /* __O_SYNC | O_DSYNC */

/* The *at calls: the cwd as base, and their flags. */
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EACCESS          0x200   /* faccessat: the same bit */
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000
#define AT_STATX_SYNC_TYPE  0x6000

/* access modes. */
#define R_OK 4
#define W_OK 2
#define X_OK 1

/* lseek whence. */
#define SEEK_SET  0
#define SEEK_CUR  1
#define SEEK_END  2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* renameat2 flags. */
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE  2
#define RENAME_WHITEOUT  4

/* preadv2/pwritev2 flags (include/uapi/linux/fs.h). */
#define RWF_HIPRI  0x01
#define RWF_DSYNC  0x02
#define RWF_SYNC   0x04
#define RWF_NOWAIT 0x08
#define RWF_APPEND 0x10

/* splice flags (include/linux/splice.h). */
#define SPLICE_F_MOVE     1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE     4
#define SPLICE_F_GIFT     8
#define SPLICE_F_ALL      (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

#endif
