/* SPDX-License-Identifier: MIT */
/* inotify (Linux's fs/notify/inotify): watches on inodes, and the events the VFS reports to them. */
#ifndef KESTREL_FS_INOTIFY_H
#define KESTREL_FS_INOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct inode;
struct fs_info;

/* ---- for the system calls (sys/sys_inotify.c) ----------------------------------- */

/* A new inotify instance as an open file (flags: O_NONBLOCK or 0) into
 * *out: 0, -EMFILE (the caller's user has max_user_instances already),
 * -ENOMEM. */
int inotify_create(unsigned flags, struct file **out);
/* Is f an inotify instance? */
bool inotify_is(const struct file *f);
/* Watch ip (the caller checked the path and read permission) for mask
 * (IN_* events and flags, already checked): the watch's descriptor, the
 * same one again for an inode already watched (its mask replaced, or
 * added to with IN_MASK_ADD); -EEXIST for that with IN_MASK_CREATE,
 * -ENOSPC past max_user_watches, -ENOMEM. */
int inotify_add(struct file *f, struct inode *ip, uint32_t mask);
/* /proc/PID/fdinfo's lines for inotify instance f, one per watch, as
 * Linux's inotify_fdinfo (without the file handle, which Linux also
 * leaves out where it cannot make one): wd, ino, sdev, mask with
 * IN_ONESHOT and IN_EXCL_UNLINK, ignored_mask. */
struct sbuf;
void inotify_fdinfo(struct file *f, struct sbuf *s);
/* Remove watch wd of f, queueing its IN_IGNORED: 0 or -EINVAL. */
int inotify_rm(struct file *f, int wd);
/* Boot: /proc/sys/fs/inotify's files. */
void inotify_init(void);

/* ---- for the VFS: Linux's fsnotify hooks ------------------------------------------
 * Each costs one load while nobody watches anything. Any context a
 * system call has; they take inotify's locks themselves (none may be
 * held by the caller). */

/* Something happened to ip itself (mask: one IN_* event): its watches,
 * and its directory's with its name (a directory's parent; another
 * file's directory as inotify_lookup last saw it). */
void inotify_inode(struct inode *ip, uint32_t mask);
/* Only ip's own watches (Linux's fsnotify_inode: link counts, moves). */
void inotify_inode_only(struct inode *ip, uint32_t mask);
/* Entry name[0..len) of dir changed (IN_CREATE, IN_DELETE); isdir: the
 * entry is a directory. */
void inotify_child(struct inode *dir, const char *name, size_t len, uint32_t mask, bool isdir);
/* The moved entry src went from oname in odir to nname in ndir
 * (replacing dst, or NULL): IN_MOVED_FROM and IN_MOVED_TO with one
 * cookie, IN_ATTRIB on dst, IN_MOVE_SELF on src. */
void inotify_move(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		  const char *nname, size_t nlen, struct inode *src, struct inode *dst);
/* A walk found child at name[0..len) of dir: a file that is not a
 * directory remembers it while dir is watched, for the events above. */
void inotify_lookup(struct inode *dir, const char *name, size_t len, struct inode *child);
/* Would inotify_lookup record something (a lock-free walk then leaves
 * the step to a locked one)? A look without locks, as its own. */
bool inotify_lookup_needed(const struct inode *dir, const struct inode *child);
/* A name of ip in dir was removed and ip has other links: it forgets
 * dir, as Linux kills that dentry (a file with no links left keeps it,
 * as its open dentry does: IN_EXCL_UNLINK is about those). */
void inotify_unlinked(struct inode *ip, struct inode *dir);
/* f was just opened: IN_MODIFY if the open truncated a file that was
 * there, then IN_OPEN. */
void inotify_open(struct file *f, bool truncated);
/* Data of f was read (IN_ACCESS) or written (IN_MODIFY). */
void inotify_file(struct file *f, uint32_t mask);
/* Watches of any kind (inotify.c's count; changed under its lock, read
 * without it: a stale answer costs one event that raced with the watch
 * being added, as Linux's). While there are none every hook returns at
 * once, so a caller on every read and write (sys_fs.c's rw_done) asks
 * inline first, as Linux's fsnotify checks its marks before the call. */
extern unsigned long inotify_watches;
static inline bool inotify_active(void)
{
	return __atomic_load_n(&inotify_watches, __ATOMIC_RELAXED) != 0;
}
/* f's last reference goes: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE. */
void inotify_close(struct file *f);
/* ip is being freed: IN_DELETE_SELF (it had no links left) and
 * IN_IGNORED to each of its watches, which go; its inotify_lookup
 * record goes too. */
void inotify_inode_gone(struct inode *ip);
/* File system fs is being unmounted: IN_UNMOUNT and IN_IGNORED to every
 * watch on one of its inodes, which go. */
void inotify_unmount(const struct fs_info *fs);

#endif
