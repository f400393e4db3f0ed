// SPDX-License-Identifier: MIT
/*
 * Kestrel: inotify's system calls (fs/inotify.c holds the instances),
 * with Linux 6.1's checks in its order (fs/notify/inotify/inotify_user.c).
 */
#include "sys/syscall_define.h"
#include "fs/inode.h"
#include "fs/inotify.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "proc/process.h"
#include "sys/sys_fs.h"
#include "uapi/fcntl.h"
#include "uapi/inotify.h"

/* Every bit add_watch knows (Linux's ALL_INOTIFY_BITS). */
#define IN_ALL_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | \
		     IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | \
		     IN_ONESHOT)

/* inotify_init1(flags): IN_NONBLOCK, IN_CLOEXEC, else -EINVAL; -EMFILE
 * past max_user_instances or the descriptor limit, -ENOMEM. */
SYSCALL_DEFINE1(inotify_init1, int, flags)
{
	struct file *f;
	int r;

	if (flags & ~(IN_NONBLOCK | IN_CLOEXEC))
		return -EINVAL;
	if ((r = inotify_create((unsigned)flags & O_NONBLOCK, &f)) < 0)
		return r;
	r = fd_install(current_process()->files, f, 0, (flags & IN_CLOEXEC) != 0);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE0(inotify_init)
{
	return do_sys_inotify_init1(0);
}

/* The inotify instance behind fd with a reference: 0, -EBADF, -EINVAL. */
static int instance_get(int fd, struct file **out)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	if (!inotify_is(f)) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* The inode add_watch watches, as Linux's inotify_find_inode: the walk
 * (IN_DONT_FOLLOW: a final symlink itself; IN_ONLYDIR: -ENOTDIR for
 * anything but a directory), then read permission (-EACCES). */
static int watch_target(uptr_t path, uint32_t mask, struct inode **out)
{
	int err = at_inode(AT_FDCWD, path, (mask & IN_DONT_FOLLOW) ? AT_SYMLINK_NOFOLLOW : 0, out);

	if (err)
		return err;
	if ((mask & IN_ONLYDIR) && !S_ISDIR((*out)->mode))
		err = -ENOTDIR;
	else
		err = vfs_permission(*out, R_OK);
	if (err)
		inode_put(*out);
	return err;
}

/* inotify_add_watch(fd, path, mask): the watch descriptor; -EINVAL (no
 * known bit, IN_MASK_ADD with IN_MASK_CREATE, fd not inotify), -EBADF,
 * the walk's errors, -EACCES, -EEXIST (IN_MASK_CREATE on a watched
 * inode), -ENOSPC (max_user_watches), -ENOMEM. */
SYSCALL_DEFINE3(inotify_add_watch, int, fd, uptr_t, path, uint32_t, mask)
{
	struct inode *ip;
	struct file *f;
	int r;

	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & IN_ALL_BITS))
		return -EINVAL;
	if ((r = instance_get(fd, &f)) < 0)
		return r;
	if ((r = watch_target(path, mask, &ip)) == 0) {
		r = inotify_add(f, ip, mask);
		inode_put(ip);
	}
	file_put(f);
	return r;
}

/* inotify_rm_watch(fd, wd): 0 (IN_IGNORED queued), -EBADF, -EINVAL. */
SYSCALL_DEFINE2(inotify_rm_watch, int, fd, int32_t, wd)
{
	struct file *f;
	int r;

	if ((r = instance_get(fd, &f)) < 0)
		return r;
	r = inotify_rm(f, wd);
	file_put(f);
	return r;
}
