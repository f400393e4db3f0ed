/* SPDX-License-Identifier: MIT */
/* Directory notifications (fcntl F_NOTIFY, Linux's dnotify): a signal to the registering process when a directory's entries change. */
#ifndef KESTREL_FS_DNOTIFY_H
#define KESTREL_FS_DNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct inode;

/*
 * fcntl(fd, F_NOTIFY, arg) on f: arg's DN_* events (0, or DN_MULTISHOT
 * alone: stop) for the directory f is open on, added to what f already
 * asked through fd, and the caller made f's owner. As Linux: -ENOTDIR for
 * a file that is not a directory, -ENOMEM; 0.
 */
long dnotify_fcntl(struct file *f, int fd, unsigned long arg);

/*
 * Something happened in directory dir: events (DN_CREATE, DN_DELETE,
 * DN_RENAME...). Each registration that asked for one of them signals
 * its file's owner (SIGIO, or F_SETSIG's signal with POLL_MSG and the
 * descriptor), and goes unless it is DN_MULTISHOT. Called by the VFS
 * after the change; costs one load when nothing is registered.
 */
void dnotify_event(struct inode *dir, uint32_t events);

/* Directory ip's own attributes changed (events: DN_ATTRIB, DN_MODIFY,
 * DN_ACCESS): its registrations and its parent's are told, as Linux's
 * fsnotify_change tells a directory's watchers and its parent's. Nothing
 * for other inodes (their directory is not known). */
void dnotify_inode(struct inode *ip, uint32_t events);

/* f's last reference is going: its registrations go too. (Linux drops
 * them at any close of f by the process that registered; here they last
 * while f does, so a dup'd descriptor keeps them.) */
void dnotify_release(struct file *f);
/* Is there a registration anywhere? One load (a lock-free release's). */
bool dnotify_any(void);

#endif
