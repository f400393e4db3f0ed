// SPDX-License-Identifier: MIT
/*
 * Kestrel: the extended-attribute system calls (setxattr, getxattr,
 * listxattr, removexattr and their l- and f- forms). No Kestrel file
 * system stores extended attributes, so these answer as Linux does for a
 * file system without xattr handlers (ramfs): the arguments are checked
 * in Linux's order (flags, name, value size, then the file), list gives
 * an empty list (0) and the others -EOPNOTSUPP. glibc's programs (ls -l
 * through libacl and libselinux, cp -a) ask and go on.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "uapi/fcntl.h"
#include "uapi/xattr.h"

/* An attribute name copied in as Linux's setxattr/getxattr do: -EFAULT,
 * or -ERANGE when it is empty or longer than XATTR_NAME_MAX. */
static int xattr_name(uptr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = strncpy_from_user(name, uname, sizeof(name));

	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? (int)n : 0;
}

/* The file a path call names (following the last symlink or not): 0 or
 * -errno; only its existence matters here. */
static int xattr_path(uptr_t path, bool follow)
{
	struct inode *ip;
	int err = at_inode(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, &ip);

	if (err)
		return err;
	inode_put(ip);
	return 0;
}

/* An open descriptor an f- call may use: -EBADF for none or O_PATH. */
static int xattr_fd(int fd)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	bool path_only = f->flags & O_PATH;
	file_put(f);
	return path_only ? -EBADF : 0;
}

/* setxattr's own checks (flags, name, size, a value in user space), made
 * before the file is looked up. */
static int set_args(uptr_t name, uptr_t value, size_t size, int flags)
{
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	int err = xattr_name(name);
	if (err)
		return err;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	return user_access_ok(value, size) ? 0 : -EFAULT;
}

static long do_setxattr(int err)
{
	return err ? err : -EOPNOTSUPP;
}

SYSCALL_DEFINE5(setxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size, int, flags)
{
	int err = set_args(name, value, size, flags);
	return do_setxattr(err ? err : xattr_path(path, true));
}

SYSCALL_DEFINE5(lsetxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size, int, flags)
{
	int err = set_args(name, value, size, flags);
	return do_setxattr(err ? err : xattr_path(path, false));
}

SYSCALL_DEFINE5(fsetxattr, int, fd, uptr_t, name, uptr_t, value, size_t, size, int, flags)
{
	int err = xattr_fd(fd);
	return do_setxattr(err ? err : set_args(name, value, size, flags));
}

/* getxattr: the file first, then the name; nothing is ever found. */
static long do_getxattr(int err, uptr_t name)
{
	if (!err)
		err = xattr_name(name);
	return err ? err : -EOPNOTSUPP;
}

SYSCALL_DEFINE4(getxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size)
{
	(void)value, (void)size;
	return do_getxattr(xattr_path(path, true), name);
}

SYSCALL_DEFINE4(lgetxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t, size)
{
	(void)value, (void)size;
	return do_getxattr(xattr_path(path, false), name);
}

SYSCALL_DEFINE4(fgetxattr, int, fd, uptr_t, name, uptr_t, value, size_t, size)
{
	(void)value, (void)size;
	return do_getxattr(xattr_fd(fd), name);
}

/* listxattr: an empty list, whatever the buffer. */
SYSCALL_DEFINE3(listxattr, uptr_t, path, uptr_t, list, size_t, size)
{
	(void)list, (void)size;
	return xattr_path(path, true);
}

SYSCALL_DEFINE3(llistxattr, uptr_t, path, uptr_t, list, size_t, size)
{
	(void)list, (void)size;
	return xattr_path(path, false);
}

SYSCALL_DEFINE3(flistxattr, int, fd, uptr_t, list, size_t, size)
{
	(void)list, (void)size;
	return xattr_fd(fd);
}

/* removexattr: the name first (as Linux copies it), then the file. */
SYSCALL_DEFINE2(removexattr, uptr_t, path, uptr_t, name)
{
	int err = xattr_name(name);
	return do_setxattr(err ? err : xattr_path(path, true));
}

SYSCALL_DEFINE2(lremovexattr, uptr_t, path, uptr_t, name)
{
	int err = xattr_name(name);
	return do_setxattr(err ? err : xattr_path(path, false));
}

SYSCALL_DEFINE2(fremovexattr, int, fd, uptr_t, name)
{
	int err = xattr_fd(fd);
	return do_setxattr(err ? err : xattr_name(name));
}
