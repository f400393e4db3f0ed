// SPDX-License-Identifier: MIT
/*
 * Kestrel: dnotify (Linux's fs/notify/dnotify/dnotify.c): fcntl F_NOTIFY
 * registrations on directories, kept in one list (programs register a
 * few), and the signal to the owner of the file when an entry of the
 * directory is made (DN_CREATE: create, mkdir, mknod, symlink, link, the
 * target of a rename), removed (DN_DELETE: unlink, rmdir, the source of
 * a rename) or renamed within it (DN_RENAME), one signal per event as
 * Linux's (a rename within the directory is three). A directory's own
 * change of attributes (chmod, chown, utimes: DN_ATTRIB, or DN_MODIFY or
 * DN_ACCESS for one time alone) signals its own registrations and its
 * parent's, as Linux's fsnotify_change. A regular file's does not reach
 * its directory: Kestrel's inodes do not know the directory a file was
 * reached through (Linux's dentry parent).
 *
 * Lock rule: the list changes and is walked only in system calls on the
 * one CPU running the kernel, never preempted in kernel mode.
 */
#include "fs/dnotify.h"
#include "fs/fown.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "lib/errno.h"
#include "uapi/fcntl.h"
#include "uapi/signal.h"
#include "uapi/stat.h"

/* One registration: file f, through descriptor fd, watches directory dir. */
struct dn_mark {
	struct inode *dir;       /* f->inode: f's reference keeps it */
	struct file *f;
	int fd;
	uint32_t mask;           /* DN_* with DN_MULTISHOT */
	struct dn_mark *next;
};

static struct dn_mark *marks;

/* Unlink and free the registration at *link. */
static void mark_drop(struct dn_mark **link)
{
	struct dn_mark *m = *link;

	*link = m->next;
	kfree(m);
}

/* Drop every registration of f made through fd (fd < 0: through any). */
static void drop_file(struct file *f, int fd)
{
	for (struct dn_mark **l = &marks; *l;) {
		if ((*l)->f == f && (fd < 0 || (*l)->fd == fd))
			mark_drop(l);
		else
			l = &(*l)->next;
	}
}

long dnotify_fcntl(struct file *f, int fd, unsigned long arg)
{
	uint32_t mask = (uint32_t)arg;

	if ((mask & ~DN_MULTISHOT) == 0) {
		drop_file(f, fd);
		return 0;
	}
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	for (struct dn_mark *m = marks; m; m = m->next) {
		if (m->f == f && m->fd == fd) {  /* Linux's attach_dn: the masks add up */
			m->mask |= mask;
			return fown_set_self(f);
		}
	}
	struct dn_mark *m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	*m = (struct dn_mark){ .dir = f->inode, .f = f, .fd = fd, .mask = mask, .next = marks };
	marks = m;
	return fown_set_self(f);
}

void dnotify_event(struct inode *dir, uint32_t events)
{
	for (struct dn_mark **l = &marks; *l;) {
		struct dn_mark *m = *l;
		if (m->dir != dir || !(m->mask & events)) {
			l = &m->next;
			continue;
		}
		fown_signal(m->f, m->fd, POLL_MSG);
		if (m->mask & DN_MULTISHOT)
			l = &m->next;
		else
			mark_drop(l);
	}
}

void dnotify_inode(struct inode *ip, uint32_t events)
{
	if (!marks || !events || !S_ISDIR(ip->mode))
		return;
	dnotify_event(ip, events);
	if (ip->parent && ip->parent != ip)
		dnotify_event(ip->parent, events);
}

bool dnotify_any(void)
{
	return __atomic_load_n(&marks, __ATOMIC_RELAXED) != NULL;
}

void dnotify_release(struct file *f)
{
	if (marks)
		drop_file(f, -1);
}
