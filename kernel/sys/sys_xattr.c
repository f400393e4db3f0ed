// SPDX-License-Identifier: MIT
/*
 * Kestrel: the extended-attribute system calls (setxattr, getxattr,
 * listxattr, removexattr and their l- and f- forms), as Linux 6.1's
 * fs/xattr.c with no LSM but the capability one: the arguments are
 * checked in Linux's order (flags, name, value size, then the file; for
 * get, the file first), then the namespace's rules (xattr_permission,
 * cap_inode_setxattr), then whether the file system keeps the name.
 *
 * The RAM file systems (the root and tmpfs, fs_info.xattrs) keep
 * security.* and trusted.* attributes in memory (fs/xattr.c), as Linux
 * 6.1's tmpfs does; user.* is EOPNOTSUPP there, as on that tmpfs, and
 * there are no POSIX ACLs (system.*). Other file systems keep none:
 * get, set and remove are EOPNOTSUPP once the checks pass and list gives
 * an empty list, as Linux's for a file system without xattr handlers.
 * security.capability takes CAP_SETFCAP and is kept as given: Kestrel
 * gives files no capabilities at exec, so it does not check the value
 * as Linux's cap_convert_nscap does.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/inotify.h"
#include "fs/xattr.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "uapi/capability.h"
#include "uapi/fcntl.h"
#include "uapi/inotify.h"
#include "uapi/xattr.h"

#define XATTR_NAME_CAPS "security.capability"

/* What a call works on: a path's inode, or a descriptor's file and its
 * inode (NULL for a pipe or a socket). Both hold a reference. */
struct xtarget {
	struct inode *ip;
	struct file *f;
};

static void target_put(struct xtarget *t)
{
	if (t->f)
		file_put(t->f);
	else if (t->ip)
		inode_put(t->ip);
}

/* The file a path call names (following the last symlink or not). */
static int target_path(uptr_t path, bool follow, struct xtarget *t)
{
	t->f = NULL;
	return at_inode(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, &t->ip);
}

/* An open descriptor an f- call may use: -EBADF for none or O_PATH. */
static int target_fd(int fd, struct xtarget *t)
{
	t->ip = NULL;
	if (!(t->f = fd_file(fd)))
		return -EBADF;
	if (t->f->flags & O_PATH) {
		file_put(t->f);
		t->f = NULL;
		return -EBADF;
	}
	t->ip = t->f->inode;
	return 0;
}

/* An attribute name copied in as Linux's calls do: -EFAULT, or -ERANGE
 * when it is empty or longer than XATTR_NAME_MAX. */
static int xattr_name(uptr_t uname, char name[XATTR_NAME_MAX + 1])
{
	long n = strncpy_from_user(name, uname, XATTR_NAME_MAX + 1);

	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? (int)n : 0;
}

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* Linux's xattr_permission: security.* and system.* are the LSM's to
 * judge; trusted.* takes CAP_SYS_ADMIN (EPERM to write, ENODATA to
 * read); user.* lives on regular files and directories only, and a
 * sticky directory's only its owner may write; then the file's own
 * read or write permission. */
static int xattr_permission(const struct inode *ip, const char *name, bool write)
{
	if (has_prefix(name, XATTR_SECURITY_PREFIX) || has_prefix(name, XATTR_SYSTEM_PREFIX))
		return 0;
	if (has_prefix(name, XATTR_TRUSTED_PREFIX))
		return capable(CAP_SYS_ADMIN) ? 0 : write ? -EPERM : -ENODATA;
	if (has_prefix(name, XATTR_USER_PREFIX)) {
		if (!ip || (!S_ISREG(ip->mode) && !S_ISDIR(ip->mode)))
			return write ? -EPERM : -ENODATA;
		if (S_ISDIR(ip->mode) && (ip->mode & S_ISVTX) && write && !vfs_owner_or_capable(ip))
			return -EPERM;
	}
	return ip ? vfs_permission(ip, write ? W_OK : R_OK) : 0;
}

/* The capability module's check of a change (cap_inode_setxattr,
 * cap_inode_removexattr): security.capability takes CAP_SETFCAP, any
 * other security.* name CAP_SYS_ADMIN. */
static int security_change(const char *name)
{
	if (!has_prefix(name, XATTR_SECURITY_PREFIX))
		return 0;
	if (!strcmp(name, XATTR_NAME_CAPS))
		return capable(CAP_SETFCAP) ? 0 : -EPERM;
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Linux's xattr_resolve_name over tmpfs's handlers: 0 for a security.*
 * or trusted.* name on a file system that keeps them, -EINVAL for a bare
 * prefix, -EOPNOTSUPP otherwise. */
static int xattr_kept(const struct inode *ip, const char *name)
{
	static const char *const kept[] = { XATTR_SECURITY_PREFIX, XATTR_TRUSTED_PREFIX };

	if (!ip || !ip->fs->xattrs)
		return -EOPNOTSUPP;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (has_prefix(name, kept[i]))
			return name[strlen(kept[i])] ? 0 : -EINVAL;
	return -EOPNOTSUPP;
}

/* Linux's mnt_want_write: a change on a read-only mount is EROFS. */
static int want_write(const struct inode *ip)
{
	return ip && ip->fs->read_only && !ip->fs->pseudo ? -EROFS : 0;
}

/* ---- set and remove ---- */

/* setxattr's arguments, copied in before the file is looked up. */
struct set_args {
	char name[XATTR_NAME_MAX + 1];
	void *value;    /* size bytes (kmalloc'd), or NULL for an empty value */
	size_t size;
	int flags;
};

/* Linux's setxattr_copy: flags EINVAL, the name, the size E2BIG, the
 * value (EFAULT). The caller frees a->value. */
static int set_copy(struct set_args *a, uptr_t uname, uptr_t value, size_t size, int flags)
{
	a->value = NULL;
	a->size = size;
	a->flags = flags;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	int err = xattr_name(uname, a->name);
	if (err || !size)
		return err;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (!(a->value = kmalloc(size)))
		return -ENOMEM;
	return copy_from_user(a->value, value, size) ? -EFAULT : 0;
}

/* Set (value non-NULL, or an empty value) or remove name on t's file
 * once the mount, the namespace's rules and the file system allow it;
 * IN_ATTRIB for the watches when it changed. */
static int change(struct xtarget *t, const char *name, const void *value, size_t size, int flags)
{
	int err = want_write(t->ip);

	if (!err)
		err = xattr_permission(t->ip, name, true);
	if (!err)
		err = security_change(name);
	if (!err)
		err = xattr_kept(t->ip, name);
	if (!err)
		err = xattr_set(t->ip, name, value, size, flags);
	if (!err)
		inotify_inode(t->ip, IN_ATTRIB);
	return err;
}

static long path_setxattr(uptr_t path, bool follow, uptr_t name, uptr_t value, size_t size, int flags)
{
	struct set_args a;
	struct xtarget t;
	int err = set_copy(&a, name, value, size, flags);

	if (!err && !(err = target_path(path, follow, &t))) {
		err = change(&t, a.name, a.value ? a.value : "", a.size, a.flags);
		target_put(&t);
	}
	kfree(a.value);
	return err;
}

SYSCALL_DEFINE5(setxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size, int, flags)
{
	return path_setxattr(path, true, name, value, size, flags);
}

SYSCALL_DEFINE5(lsetxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size, int, flags)
{
	return path_setxattr(path, false, name, value, size, flags);
}

SYSCALL_DEFINE5(fsetxattr, int, fd, uptr_t, name, uptr_t, value, size_t, size, int, flags)
{
	struct set_args a = { .value = NULL };
	struct xtarget t;
	int err = target_fd(fd, &t);

	if (err)
		return err;
	if (!(err = set_copy(&a, name, value, size, flags)))
		err = change(&t, a.name, a.value ? a.value : "", a.size, a.flags);
	kfree(a.value);
	target_put(&t);
	return err;
}

/* removexattr: the name first (as Linux copies it), then the file. */
static long path_removexattr(uptr_t path, bool follow, uptr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	struct xtarget t;
	int err = xattr_name(uname, name);

	if (!err && !(err = target_path(path, follow, &t))) {
		err = change(&t, name, NULL, 0, XATTR_REPLACE);
		target_put(&t);
	}
	return err;
}

SYSCALL_DEFINE2(removexattr, uptr_t, path, uptr_t, name)
{
	return path_removexattr(path, true, name);
}

SYSCALL_DEFINE2(lremovexattr, uptr_t, path, uptr_t, name)
{
	return path_removexattr(path, false, name);
}

SYSCALL_DEFINE2(fremovexattr, int, fd, uptr_t, uname)
{
	char name[XATTR_NAME_MAX + 1];
	struct xtarget t;
	int err = target_fd(fd, &t);

	if (err)
		return err;
	if (!(err = xattr_name(uname, name)))
		err = change(&t, name, NULL, 0, XATTR_REPLACE);
	target_put(&t);
	return err;
}

/* ---- get and list ---- */

/* A kernel buffer for up to size bytes (0: none needed): 0 or -ENOMEM. */
static int out_buffer(size_t size, void **buf)
{
	*buf = size ? kmalloc(size) : NULL;
	return size && !*buf ? -ENOMEM : 0;
}

/* r bytes of buf out to user memory when r > 0 and size asked for
 * them; Linux's E2BIG for an ERANGE at the largest size. */
static long copy_out(long r, uptr_t dst, const void *buf, size_t size, size_t max)
{
	if (r > 0 && size && copy_to_user(dst, buf, (size_t)r))
		return -EFAULT;
	return r == -ERANGE && size >= max ? -E2BIG : r;
}

/* getxattr on t's file: the name, the namespace's read rule, whether
 * the file system keeps it; its value (size 0: its length). */
static long getxattr(struct xtarget *t, uptr_t uname, uptr_t value, size_t size)
{
	char name[XATTR_NAME_MAX + 1];
	void *buf;
	int err = xattr_name(uname, name);

	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	if (!err)
		err = xattr_permission(t->ip, name, false);
	if (!err)
		err = xattr_kept(t->ip, name);
	if (!err)
		err = out_buffer(size, &buf);
	if (err)
		return err;
	long r = copy_out(xattr_get(t->ip, name, buf, size), value, buf, size, XATTR_SIZE_MAX);
	kfree(buf);
	return r;
}

/* listxattr on t's file: its names (trusted.* for CAP_SYS_ADMIN only);
 * none where the file system keeps none. */
static long listxattr(struct xtarget *t, uptr_t list, size_t size)
{
	void *buf;

	if (size > XATTR_LIST_MAX)
		size = XATTR_LIST_MAX;
	if (!t->ip || !t->ip->fs->xattrs)
		return 0;
	int err = out_buffer(size, &buf);
	if (err)
		return err;
	long r = copy_out(xattr_list(t->ip, buf, size, capable(CAP_SYS_ADMIN)), list, buf, size,
			  XATTR_LIST_MAX);
	kfree(buf);
	return r;
}

/* A get or list by path: the file first, then the call. */
static long path_xattr_get(uptr_t path, bool follow, uptr_t name, uptr_t out, size_t size, bool list)
{
	struct xtarget t;
	long r = target_path(path, follow, &t);

	if (r)
		return r;
	r = list ? listxattr(&t, out, size) : getxattr(&t, name, out, size);
	target_put(&t);
	return r;
}

/* The same by descriptor. */
static long fd_xattr_get(int fd, uptr_t name, uptr_t out, size_t size, bool list)
{
	struct xtarget t;
	long r = target_fd(fd, &t);

	if (r)
		return r;
	r = list ? listxattr(&t, out, size) : getxattr(&t, name, out, size);
	target_put(&t);
	return r;
}

SYSCALL_DEFINE4(getxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size)
{
	return path_xattr_get(path, true, name, value, size, false);
}

SYSCALL_DEFINE4(lgetxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size)
{
	return path_xattr_get(path, false, name, value, size, false);
}

SYSCALL_DEFINE4(fgetxattr, int, fd, uptr_t, name, uptr_t, value, size_t, size)
{
	return fd_xattr_get(fd, name, value, size, false);
}

SYSCALL_DEFINE3(listxattr, uptr_t, path, uptr_t, list, size_t, size)
{
	return path_xattr_get(path, true, 0, list, size, true);
}

SYSCALL_DEFINE3(llistxattr, uptr_t, path, uptr_t, list, size_t, size)
{
	return path_xattr_get(path, false, 0, list, size, true);
}

SYSCALL_DEFINE3(flistxattr, int, fd, uptr_t, list, size_t, size)
{
	return fd_xattr_get(fd, 0, list, size, true);
}
