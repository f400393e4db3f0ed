/* SPDX-License-Identifier: MIT */
/* The VFS's path operations with kernel strings (open, mkdir, unlink, rename, link, stat...): what the file system calls and the kernel's own users call. */
#ifndef KESTREL_FS_FSOPS_H
#define KESTREL_FS_FSOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/vfs.h"
#include "uapi/fcntl.h"

struct inode;

/*
 * Every path is a kernel string of less than PATH_MAX bytes; relative
 * paths start at base (a directory, or NULL for the current process's
 * cwd). Each returns 0 or a negative errno exactly as Linux's system call
 * of the same name would; new files get mode & ~umask (the current
 * process's; 0 for kernel threads).
 */

/* open(2): flags as Linux's (O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY,
 * O_NOFOLLOW, O_APPEND, O_NONBLOCK, O_PATH...). *out gets the new file. */
int vfs_open(struct inode *base, const char *path, unsigned flags, uint32_t mode,
	     struct file **out);
/* The same under openat2's walk rules (WALK_NO_*, WALK_BENEATH and
 * WALK_IN_ROOT, whose scope is base, or the cwd without one). */
int vfs_open_in(struct inode *base, const char *path, unsigned flags, uint32_t mode, unsigned rules,
		struct file **out);
/* Open an inode already found (O_ACCMODE, O_APPEND, O_NONBLOCK, O_TRUNC honoured). */
int vfs_open_inode(struct inode *ip, unsigned flags, struct file **out);
/*
 * open(2) of an existing RAM file without the kernel lock (issue 29):
 * vfs_open_nolock_ok says whether flags ask for nothing such an open
 * cannot give (OPEN_NOLOCK_FLAGS only, no O_ACCMODE 3) and no lease or
 * inotify watch exists; vfs_open_find is the use of fs/inode.h's
 * vfs_walk_nolock (ctx a struct open_find): for a regular RAM file the
 * caller may open, a reference in o->ip, else -errno (the locked open's
 * answer too) or WALK_LOCKED (open it under the lock); vfs_open_nolock
 * then makes the file as vfs_open_inode does: 0 and *out, or -errno
 * (-ETXTBSY, -ENOMEM, a lease's), the reference taken over either way.
 */
#define OPEN_NOLOCK_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE)
struct open_find {
	unsigned flags;
	struct inode *ip;
};
bool vfs_open_nolock_ok(unsigned flags);
int vfs_open_find(struct inode *ip, void *ctx);
int vfs_open_nolock(struct inode *ip, unsigned flags, struct file **out);
/* mknod(2) for regular files, FIFOs and device nodes; mkdir(2). */
int vfs_mknod(struct inode *base, const char *path, uint32_t mode, uint32_t rdev);
int vfs_mkdir(struct inode *base, const char *path, uint32_t mode);
int vfs_symlink(const char *target, struct inode *base, const char *path);
/* link(2): follow says whether a symlink at oldpath is followed. */
int vfs_link(struct inode *obase, const char *oldpath, struct inode *nbase, const char *newpath,
	     bool follow);
/* The same for the inode ip itself (linkat's AT_EMPTY_PATH), which the
 * caller keeps its reference to. */
int vfs_link_inode(struct inode *ip, struct inode *nbase, const char *newpath);
/* unlink(2), or rmdir(2) when dir. */
int vfs_unlink(struct inode *base, const char *path, bool dir);
int vfs_rename(struct inode *obase, const char *oldpath, struct inode *nbase,
	       const char *newpath);
/* renameat2's RENAME_EXCHANGE: oldpath and newpath, which must both exist
 * (-ENOENT), swap their files atomically; directories and files may
 * swap, but neither may hold the other. 0, or rename's errors; -EINVAL
 * where the file system cannot (ext2, FAT, as Linux's ext2). */
int vfs_exchange(struct inode *obase, const char *oldpath, struct inode *nbase, const char *newpath);
/* readlink(2): the target's length (at most cap, no NUL). */
long vfs_readlink(struct inode *base, const char *path, char *buf, size_t cap);
/* The same for the inode ip itself: -EINVAL unless it is a symlink. */
long vfs_readlink_inode(struct inode *ip, char *buf, size_t cap);
/* truncate(2) on an inode: EISDIR for directories, EINVAL for the rest
 * that are not regular files; growing it past RLIMIT_FSIZE is -EFBIG
 * and SIGXFSZ (vfs_size_limit). */
int vfs_truncate(struct inode *ip, int64_t size);
/* RLIMIT_FSIZE for a write of *n bytes at pos into a regular file
 * (Linux's generic_write_check_limits): 0 with *n cut to end at the
 * current process's limit, or -EFBIG and SIGXFSZ for it when pos is at
 * or past the limit; a write of 0 bytes is never refused. */
int vfs_write_limit(uint64_t pos, size_t *n);
/* RLIMIT_FSIZE for a regular file growing to size (Linux's
 * inode_newsize_ok): 0, or -EFBIG and SIGXFSZ past the limit. */
int vfs_size_limit(uint64_t size);
/* access(2): F_OK 0, R_OK 4, W_OK 2, X_OK 1, checked as vfs_permission
 * (with the capabilities capable() answers for); -EINVAL for other bits. */
int vfs_access(const struct inode *ip, int mode);
/* Linux's inode_owner_or_capable: the current file system uid owns ip,
 * or CAP_FOWNER (setting times, chmod). */
bool vfs_owner_or_capable(const struct inode *ip);
/* The error of a change refused on ip's read-only file system: -EROFS
 * for a read-only mount (Linux's mnt_want_write), -EPERM for a kernel
 * view such as /proc (Linux's proc_setattr). */
int vfs_ro_error(const struct inode *ip);
/* chmod/chown(2) on an inode (uid or gid (uint32_t)-1: unchanged; the
 * owner or CAP_FOWNER / CAP_CHOWN as Linux's setattr_prepare, else -EPERM). */
int vfs_chmod(struct inode *ip, uint32_t mode);
int vfs_chown(struct inode *ip, uint32_t uid, uint32_t gid);
/* Change the attributes a->valid names (after the caller's permission
 * checks): the file system's setattr first (it may refuse, -EPERM, or
 * round a), then ip, and ctime is now. 0 or -errno (ip unchanged). */
struct iattr;
int vfs_setattr(struct inode *ip, struct iattr *a);
/* True if a directory has entries other than "." and "..". */
bool vfs_dir_has_entries(struct inode *dir);
/* Read a whole file that is small enough for the kernel (at most max
 * bytes) into a kmalloc'd, NUL-terminated buffer: its length or -errno. */
long vfs_read_all(const char *path, char **data, size_t max);

#endif
