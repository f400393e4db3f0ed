// SPDX-License-Identifier: MIT
/*
 * Kestrel: the VFS's objects: inodes and their reference counts, open
 * files, per-process descriptor tables, and the I/O event queue.
 *
 * Lock rule for everything here: the kernel runs on one CPU and is not
 * preempted in kernel mode, so these structures change only inside
 * system calls, between sleeps; interrupt handlers never touch them.
 */
#include "fs/inode.h"
#include "fs/path.h"
#include "dev/time.h"
#include "dev/rtc.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "panic.h"

#define DEFAULT_UMASK 022

struct wait_queue io_event_wq;
static struct inode *root;

void io_event(void)
{
	wake_all(&io_event_wq);
}

/* ---------------------------------------------------------------- inodes */

struct vfs_time vfs_now(void)
{
	uint64_t ns = rtc_realtime_ns(); /* the clock CLOCK_REALTIME reads */
	return (struct vfs_time){ (int64_t)(ns / NSEC_PER_SEC), (uint32_t)(ns % NSEC_PER_SEC) };
}

struct inode *inode_alloc(const struct fs_info *fs, const struct inode_ops *ops, uint32_t mode)
{
	struct inode *ip = kzalloc(sizeof(*ip));

	if (!ip)
		return NULL;
	ip->fs = fs;
	ip->ops = ops;
	ip->mode = mode;
	ip->refs = 1;
	ip->atime = ip->mtime = ip->ctime = vfs_now();
	return ip;
}

struct inode *inode_get(struct inode *ip)
{
	if (ip)
		ip->refs++;
	return ip;
}

/* Free an inode nobody can reach: the file system's data, then ours. */
static void inode_free(struct inode *ip)
{
	if (ip->ops && ip->ops->evict)
		ip->ops->evict(ip);
	if (ip->parent && ip->parent != ip)
		inode_put(ip->parent);
	kfree(ip->name);
	kfree(ip);
}

void inode_put(struct inode *ip)
{
	if (!ip)
		return;
	if (ip->refs <= 0)
		panic("vfs: inode %lu released more often than taken", ip->ino);
	if (--ip->refs == 0 && ip != root && (ip->nlink == 0 || ip->transient))
		inode_free(ip);
}

struct inode *vfs_root(void)
{
	return root;
}

void inode_rdev(const struct inode *ip, unsigned *major, unsigned *minor)
{
	bool dev = ip && (S_ISCHR(ip->mode) || S_ISBLK(ip->mode));
	*major = dev ? RDEV_MAJOR(ip->rdev) : 0;
	*minor = dev ? RDEV_MINOR(ip->rdev) : 0;
}

unsigned inode_dtype(const struct inode *ip)
{
	switch (ip->mode & S_IFMT) {
	case S_IFDIR: return DT_DIR;
	case S_IFREG: return DT_REG;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	}
	return DT_UNKNOWN;
}

struct inode *vfs_cwd(void)
{
	struct process *p = current_process();
	return p && p->cwd ? p->cwd : root;
}

/* Set the root once, at vfs_init. */
void vfs_set_root(struct inode *ip)
{
	root = ip;
}

/* ---------------------------------------------------------------- files */

struct file *file_alloc(const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->flags = flags;
	f->priv = priv;
	f->refs = 1;
	return f;
}

struct file *file_get(struct file *f)
{
	if (f)
		f->refs++;
	return f;
}

void file_put(struct file *f)
{
	if (!f)
		return;
	if (f->refs <= 0)
		panic("vfs: file %p released more often than taken", (void *)f);
	if (--f->refs > 0)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	kfree(f);
}

/* ---------------------------------------------------------------- descriptor tables */

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = kzalloc(sizeof(*t));

	if (t)
		t->refs = 1;
	return t;
}

struct fdtable *fdtable_copy(const struct fdtable *t)
{
	struct fdtable *c = fdtable_create();

	if (!c)
		return NULL;
	for (int fd = 0; fd < FD_MAX; fd++) {
		c->fd[fd] = file_get(t->fd[fd]);
		c->cloexec[fd] = t->cloexec[fd];
	}
	return c;
}

void fdtable_put(struct fdtable *t)
{
	if (!t || --t->refs > 0)
		return;
	for (int fd = 0; fd < FD_MAX; fd++)
		fd_close(t, fd);
	kfree(t);
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (t->cloexec[fd])
			fd_close(t, fd);
}

int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	for (int fd = min < 0 ? 0 : min; t && fd < FD_MAX; fd++) {
		if (!t->fd[fd]) {
			t->fd[fd] = f;
			t->cloexec[fd] = cloexec;
			return fd;
		}
	}
	return -EMFILE;
}

struct file *fd_get(struct fdtable *t, int fd)
{
	if (!t || fd < 0 || fd >= FD_MAX)
		return NULL;
	return file_get(t->fd[fd]);
}

int fd_close(struct fdtable *t, int fd)
{
	if (!t || fd < 0 || fd >= FD_MAX || !t->fd[fd])
		return -EBADF;
	struct file *f = t->fd[fd];
	t->fd[fd] = NULL;
	t->cloexec[fd] = false;
	file_put(f);
	return 0;
}

/* ---------------------------------------------------------------- new processes */

int vfs_default_stdio(struct process *p)
{
	if (!p->files && !(p->files = fdtable_create()))
		return -ENOMEM;
	if (!p->cwd)
		p->cwd = inode_get(root);
	p->umask = DEFAULT_UMASK;
	for (int fd = 0; fd <= 2; fd++) {
		if (p->files->fd[fd])
			continue;
		struct file *f = console_file_open();
		if (!f)
			return -ENOMEM;
		p->files->fd[fd] = f;
		p->files->cloexec[fd] = false;
	}
	return 0;
}
