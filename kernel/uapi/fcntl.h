/* SPDX-License-Identifier: MIT */
/* Linux's file ABI: open flags, fcntl commands, *at flags, access modes, lseek whence, rename flags. */
#ifndef KESTREL_UAPI_FCNTL_H
#define KESTREL_UAPI_FCNTL_H

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
#define FD_CLOEXEC  1
/* struct flock's l_type. */
#define F_UNLCK     2

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

#endif
