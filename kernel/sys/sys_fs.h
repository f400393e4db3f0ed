/* SPDX-License-Identifier: MIT */
/* System-call numbers and handlers for files: descriptors, I/O, paths, metadata (sys_fs.c, sys_fsname.c, sys_stat.c). */
#ifndef KESTREL_SYS_SYS_FS_H
#define KESTREL_SYS_SYS_FS_H

#include <stdint.h>
#include "fs/vfs.h"

#define SYS_read        0
#define SYS_write       1
#define SYS_open        2
#define SYS_close       3
#define SYS_stat        4
#define SYS_fstat       5
#define SYS_lstat       6
#define SYS_lseek       8
#define SYS_ioctl       16
#define SYS_pread64     17
#define SYS_pwrite64    18
#define SYS_readv       19
#define SYS_writev      20
#define SYS_access      21
#define SYS_dup         32
#define SYS_dup2        33
#define SYS_sendfile    40
#define SYS_fcntl       72
#define SYS_flock       73
#define SYS_fsync       74
#define SYS_fdatasync   75
#define SYS_truncate    76
#define SYS_ftruncate   77
#define SYS_getcwd      79
#define SYS_chdir       80
#define SYS_fchdir      81
#define SYS_rename      82
#define SYS_mkdir       83
#define SYS_rmdir       84
#define SYS_creat       85
#define SYS_link        86
#define SYS_unlink      87
#define SYS_symlink     88
#define SYS_readlink    89
#define SYS_chmod       90
#define SYS_fchmod      91
#define SYS_chown       92
#define SYS_fchown      93
#define SYS_lchown      94
#define SYS_umask       95
#define SYS_mknod       133
#define SYS_statfs      137
#define SYS_fstatfs     138
#define SYS_sync        162
#define SYS_mount       165
#define SYS_getdents64  217
#define SYS_utimes      235
#define SYS_openat      257
#define SYS_mkdirat     258
#define SYS_mknodat     259
#define SYS_fchownat    260
#define SYS_newfstatat  262
#define SYS_unlinkat    263
#define SYS_renameat    264
#define SYS_linkat      265
#define SYS_symlinkat   266
#define SYS_readlinkat  267
#define SYS_fchmodat    268
#define SYS_faccessat   269
#define SYS_utimensat   280
#define SYS_dup3        292
#define SYS_preadv      295
#define SYS_pwritev     296
#define SYS_syncfs      306
#define SYS_renameat2   316
#define SYS_statx       332
#define SYS_faccessat2  439

#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EACCESS          0x200   /* faccessat: the same bit */
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000
#define AT_STATX_SYNC_TYPE  0x6000

#ifndef SYSCALL_ARGS
#define SYSCALL_ARGS uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
#endif

/* sys_fs.c: descriptors and I/O */
long sys_read(SYSCALL_ARGS);
long sys_write(SYSCALL_ARGS);
long sys_readv(SYSCALL_ARGS);
long sys_writev(SYSCALL_ARGS);
long sys_pread64(SYSCALL_ARGS);
long sys_pwrite64(SYSCALL_ARGS);
long sys_preadv(SYSCALL_ARGS);
long sys_pwritev(SYSCALL_ARGS);
long sys_lseek(SYSCALL_ARGS);
long sys_close(SYSCALL_ARGS);
long sys_dup(SYSCALL_ARGS);
long sys_dup2(SYSCALL_ARGS);
long sys_dup3(SYSCALL_ARGS);
long sys_fcntl(SYSCALL_ARGS);
long sys_ioctl(SYSCALL_ARGS);
long sys_sendfile(SYSCALL_ARGS);
long sys_fsync(SYSCALL_ARGS);
long sys_flock(SYSCALL_ARGS);
long sys_sync(SYSCALL_ARGS);
long sys_mount(SYSCALL_ARGS);
long sys_getdents64(SYSCALL_ARGS);
long sys_ftruncate(SYSCALL_ARGS);
/* sys_fsname.c: names */
long sys_open(SYSCALL_ARGS);
long sys_openat(SYSCALL_ARGS);
long sys_creat(SYSCALL_ARGS);
long sys_mkdir(SYSCALL_ARGS);
long sys_mkdirat(SYSCALL_ARGS);
long sys_mknod(SYSCALL_ARGS);
long sys_mknodat(SYSCALL_ARGS);
long sys_rmdir(SYSCALL_ARGS);
long sys_unlink(SYSCALL_ARGS);
long sys_unlinkat(SYSCALL_ARGS);
long sys_rename(SYSCALL_ARGS);
long sys_renameat(SYSCALL_ARGS);
long sys_renameat2(SYSCALL_ARGS);
long sys_link(SYSCALL_ARGS);
long sys_linkat(SYSCALL_ARGS);
long sys_symlink(SYSCALL_ARGS);
long sys_symlinkat(SYSCALL_ARGS);
long sys_readlink(SYSCALL_ARGS);
long sys_readlinkat(SYSCALL_ARGS);
long sys_chdir(SYSCALL_ARGS);
long sys_fchdir(SYSCALL_ARGS);
long sys_getcwd(SYSCALL_ARGS);
long sys_truncate(SYSCALL_ARGS);
/* sys_stat.c: metadata */
long sys_stat(SYSCALL_ARGS);
long sys_fstat(SYSCALL_ARGS);
long sys_lstat(SYSCALL_ARGS);
long sys_newfstatat(SYSCALL_ARGS);
long sys_statx(SYSCALL_ARGS);
long sys_statfs(SYSCALL_ARGS);
long sys_fstatfs(SYSCALL_ARGS);
long sys_access(SYSCALL_ARGS);
long sys_faccessat(SYSCALL_ARGS);
long sys_faccessat2(SYSCALL_ARGS);
long sys_umask(SYSCALL_ARGS);
long sys_chmod(SYSCALL_ARGS);
long sys_fchmod(SYSCALL_ARGS);
long sys_fchmodat(SYSCALL_ARGS);
long sys_chown(SYSCALL_ARGS);
long sys_fchown(SYSCALL_ARGS);
long sys_lchown(SYSCALL_ARGS);
long sys_fchownat(SYSCALL_ARGS);
long sys_utimensat(SYSCALL_ARGS);
long sys_utimes(SYSCALL_ARGS);

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
