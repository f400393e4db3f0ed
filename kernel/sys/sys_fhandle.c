// SPDX-License-Identifier: MIT
/*
 * Kestrel: name_to_handle_at and open_by_handle_at, as Linux 6.1's
 * (fs/fhandle.c). A handle names an inode of a file system that exports
 * them (struct fs_export, fs/inode.h: the RAM file systems and ext2) by
 * its number and generation, in three 32-bit words as Linux's tmpfs
 * writes them (generation, number low, number high), of handle type 1.
 * Any other file system is -EOPNOTSUPP for a handle and -ESTALE for
 * opening one, as a Linux one without export operations.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "fs/inode.h"
#include "fs/fsops.h"
#include "fs/fstype.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "uapi/capability.h"

#define MAX_HANDLE_SZ   128  /* struct file_handle's f_handle, at most */
#define HANDLE_TYPE     1    /* FILEID_INO32_GEN, as tmpfs's */
#define HANDLE_WORDS    3

/* struct file_handle's fixed part; f_handle follows */
struct file_handle_k {
	uint32_t handle_bytes;
	int32_t handle_type;
};

/* Linux's do_sys_name_to_handle for ip: -EOPNOTSUPP for a file system
 * without handles, then the user's struct read (-EFAULT), a size over
 * MAX_HANDLE_SZ -EINVAL; a size under ours -EOVERFLOW with the size
 * needed written back; the mount id and the handle written (-EFAULT). */
static long handle_of(struct inode *ip, uptr_t uhandle, uptr_t umnt)
{
	const struct fs_export *ex = ip->fs->export;
	struct {
		struct file_handle_k h;
		uint32_t w[HANDLE_WORDS];
	} out;
	struct file_handle_k in;
	struct mount *m;
	long r = 0;

	if (!ex)
		return -EOPNOTSUPP;
	if (copy_from_user(&in, uhandle, sizeof(in)))
		return -EFAULT;
	if (in.handle_bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	out.h = (struct file_handle_k){ sizeof(out.w), HANDLE_TYPE };
	out.w[0] = ex->generation(ip);
	out.w[1] = (uint32_t)ip->ino;
	out.w[2] = (uint32_t)(ip->ino >> 32);
	size_t n = sizeof(out);
	if (in.handle_bytes < sizeof(out.w)) {
		r = -EOVERFLOW; /* only the fixed part, with the size needed */
		n = sizeof(out.h);
		out.h.handle_type = (int32_t)0xff; /* FILEID_INVALID, as Linux leaves it */
	}
	int id = (m = vfs_mount_by_fs(ip->fs)) ? (int)m->id : 0;
	if (copy_to_user(umnt, &id, sizeof(id)) || copy_to_user(uhandle, &out, n))
		return -EFAULT;
	return r;
}

/* name_to_handle_at(dirfd, path, handle, mount_id, flags): flags other
 * than AT_SYMLINK_FOLLOW and AT_EMPTY_PATH -EINVAL; then the walk
 * (following a last symlink only with AT_SYMLINK_FOLLOW) and handle_of. */
SYSCALL_DEFINE5(name_to_handle_at, int, dirfd, uptr_t, path, uptr_t, handle, uptr_t, mnt_id, int, flags)
{
	struct inode *ip;
	long err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = at_inode(dirfd, path, (flags & AT_EMPTY_PATH) |
			       (flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW), &ip);
	if (err)
		return err;
	err = handle_of(ip, handle, mnt_id);
	inode_put(ip);
	return err;
}

/* The file system a mount_fd names (AT_FDCWD: the cwd's): -EBADF. */
static long mount_of(int mount_fd, const struct fs_info **fs)
{
	struct inode *ip;
	int err = at_fd_inode(mount_fd, &ip);

	if (err)
		return err;
	*fs = ip ? ip->fs : NULL; /* a pipe or socket: no file system with handles */
	inode_put(ip);
	return 0;
}

/* Linux's handle_to_path: CAP_DAC_READ_SEARCH first (-EPERM), the
 * struct (-EFAULT), its size 1..MAX_HANDLE_SZ (-EINVAL), the handle
 * (-EFAULT), the mount (-EBADF), then the inode (-ESTALE: another
 * type, too short, gone, or a file system without handles). */
static long handle_inode(int mount_fd, uptr_t uhandle, struct inode **out)
{
	const struct fs_info *fs;
	struct file_handle_k h;
	uint32_t w[HANDLE_WORDS] = { 0 };
	long err;

	if (!capable(CAP_DAC_READ_SEARCH))
		return -EPERM;
	if (copy_from_user(&h, uhandle, sizeof(h)))
		return -EFAULT;
	if (h.handle_bytes == 0 || h.handle_bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	if (copy_from_user(w, uhandle + sizeof(h), h.handle_bytes < sizeof(w) ? h.handle_bytes : sizeof(w)))
		return -EFAULT;
	if ((err = mount_of(mount_fd, &fs)))
		return err;
	if (!fs || !fs->export || h.handle_type != HANDLE_TYPE || h.handle_bytes < sizeof(w))
		return -ESTALE;
	return fs->export->find(fs, (uint64_t)w[2] << 32 | w[1], w[0], out);
}

/* open_by_handle_at(mount_fd, handle, flags): the inode of the handle
 * (handle_inode) opened as open(2) opens a file it found, O_CREAT and
 * O_EXCL meaningless (Linux's file_open_root of ""): a symlink -ELOOP
 * unless O_PATH, the permission checks, -EMFILE. */
SYSCALL_DEFINE3(open_by_handle_at, int, mount_fd, uptr_t, handle, int, flags)
{
	struct inode *ip;
	struct file *f;
	long err = handle_inode(mount_fd, handle, &ip);

	if (err)
		return err;
	err = (flags & O_DIRECTORY) && !S_ISDIR(ip->mode) ? -ENOTDIR : vfs_open_inode(ip, (unsigned)flags & OPEN_FLAGS_KNOWN & ~(unsigned)(O_CREAT | O_EXCL | __O_TMPFILE), &f);
	inode_put(ip);
	if (err)
		return err;
	if ((err = fd_install(cur_files(), f, 0, flags & O_CLOEXEC)) < 0)
		file_put(f);
	return err;
}
