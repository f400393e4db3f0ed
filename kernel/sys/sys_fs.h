/* SPDX-License-Identifier: MIT */
/* What the file system calls (sys_fs.c, sys_fsname.c, sys_stat.c) share. */
#ifndef KESTREL_SYS_SYS_FS_H
#define KESTREL_SYS_SYS_FS_H

#include <stdint.h>
#include "fs/vfs.h"
#include "uapi/fcntl.h"

/* Helpers the three files share. */
struct inode;
/* The current process's descriptor table (made with stdio if missing). */
struct fdtable *cur_files(void);
/* The file behind fd with a reference, or NULL (the caller's -EBADF). */
struct file *fd_file(int fd);
/* A user path copied into a new kmalloc'd buffer (kfree it): 0,
 * -EFAULT, -ENAMETOOLONG, -ENOMEM. Empty paths are -ENOENT unless
 * allow_empty. */
int user_path(uptr_t upath, char **out, bool allow_empty);
/* The base directory of an *at call: NULL for AT_FDCWD (the cwd),
 * else the directory behind dirfd with a reference (-EBADF, -ENOTDIR). */
int at_base(int dirfd, struct inode **base);
/* The inode an *at call with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH)
 * names: a new reference or -errno. */
int at_inode(int dirfd, uptr_t upath, int flags, struct inode **out);

#endif
