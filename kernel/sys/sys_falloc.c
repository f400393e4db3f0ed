// SPDX-License-Identifier: MIT
/*
 * Kestrel: fallocate(2) and fadvise64(2), as Linux answers them on tmpfs.
 * Advice is checked and needs nothing done (every file is in memory).
 * fallocate's mode 0 and FALLOC_FL_KEEP_SIZE are the ones glibc's
 * posix_fallocate and programs use: mode 0 grows a RAM file to cover the
 * range (its pages, as all of a RAM file's, are allocated on first
 * use), KEEP_SIZE has nothing to reserve, PUNCH_HOLE (with KEEP_SIZE)
 * zeroes the range, as memfds are punched; the other modes are
 * -EOPNOTSUPP, as on a file system without them. The arguments are
 * checked in the order of Linux's vfs_fallocate.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/pipe.h"
#include "lib/errno.h"
#include "uapi/falloc.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"

/* The file type of an open file, as its inode's mode would say: pipes
 * and FIFOs S_IFIFO, inode-less others (sockets, eventfds) 0. */
static uint32_t file_type(const struct file *f)
{
	if (f->inode)
		return f->inode->mode & S_IFMT;
	return pipe_ino(f) ? S_IFIFO : 0;
}

SYSCALL_DEFINE4(fadvise64, int, fd, loff_t, offset, size_t, len, int, advice)
{
	struct file *f = fd_file(fd);

	(void)offset;
	if (!f)
		return -EBADF;
	long r = 0;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (file_type(f) == S_IFIFO)
		r = -ESPIPE;
	else if ((int64_t)len < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		r = -EINVAL;
	file_put(f);
	return r;
}

/* readahead as Linux's ksys_readahead: EBADF unless open for reading,
 * EINVAL unless a regular file (a pipe, a socket, a device); then the
 * hint itself, which a file in RAM or in the block cache does not need. */
SYSCALL_DEFINE3(readahead, int, fd, loff_t, offset, size_t, count)
{
	struct file *f = fd_file(fd);

	(void)offset;
	(void)count;
	if (!f)
		return -EBADF;
	long r = 0;
	if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	else if (file_type(f) != S_IFREG)
		r = -EINVAL;
	file_put(f);
	return r;
}

/* The checks of vfs_fallocate that need only the arguments (Linux 6.13's
 * form: a mode it does not know, or a combination it refuses, is
 * -EOPNOTSUPP before the descriptor is looked at). */
static int falloc_mode_ok(int mode, loff_t offset, loff_t len)
{
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_FL_MODE_MASK) {
	case 0: /* allocate */
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		return 0;
	case FALLOC_FL_PUNCH_HOLE:
		return (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EOPNOTSUPP;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
		return (mode & FALLOC_FL_KEEP_SIZE) ? -EOPNOTSUPP : 0;
	default: /* two operations at once */
		return -EOPNOTSUPP;
	}
}

/* The checks that need the open file, then the work: 0 or -errno. */
static int falloc_file(struct file *f, int mode, loff_t offset, loff_t len)
{
	unsigned acc = f->flags & O_ACCMODE;

	if ((f->flags & O_PATH) || (acc != O_WRONLY && acc != O_RDWR))
		return -EBADF;
	uint32_t type = file_type(f);
	if (type == S_IFIFO)
		return -ESPIPE;
	if (type == S_IFDIR)
		return -EISDIR;
	if (type != S_IFREG)
		return -ENODEV;
	if (offset > INT64_MAX - len)
		return -EFBIG;
	if (!ramfs_is(f->inode->fs))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_MODE_MASK) == FALLOC_FL_PUNCH_HOLE)
		return ramfs_punch_hole(f->inode, (uint64_t)offset, (uint64_t)len);
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (mode & FALLOC_FL_KEEP_SIZE)
		return 0;
	uint64_t end = (uint64_t)(offset + len);
	int err = end > f->inode->size ? vfs_size_limit(end) : 0; /* RLIMIT_FSIZE, as shmem's */
	return err ? err : ramfs_grow(f->inode, end);
}

SYSCALL_DEFINE4(fallocate, int, fd, int, mode, loff_t, offset, loff_t, len)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	int err = falloc_mode_ok(mode, offset, len);
	if (!err)
		err = falloc_file(f, mode, offset, len);
	file_put(f);
	return err;
}
