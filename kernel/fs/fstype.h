/* SPDX-License-Identifier: MIT */
/*
 * File system types that live on a block device (vfat, ext2) and the
 * mount table: the contract between mount(2)/umount2(2)/statfs(2), the
 * boot's root= and /boot/efi mounts, and each disk file system.
 *
 * A disk file system gives a struct fs_type; mounting calls its mount,
 * which reads the superblock through the block cache (block/bcache.h)
 * and returns the root inode of a new struct fs_info it allocated (its
 * inodes point at it). Its inodes use struct inode_ops and the open
 * files struct file_ops (fs/inode.h, fs/vfs.h); regular files give
 * read, write and lseek, with kernel buffers too (KERNEL_IO_READ and
 * KERNEL_IO_WRITE: exec and mmap read programs through file_kread).
 *
 * Lock rule: the mount table is changed only by mount and umount system
 * calls and at boot (one CPU, no kernel preemption); a file system
 * serialises its own sleeping disk I/O with a sleeplock of its own.
 */
#ifndef KESTREL_FS_FSTYPE_H
#define KESTREL_FS_FSTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block/blkdev.h"
#include "fs/inode.h"

/* statfs(2)'s numbers for one mounted file system. */
struct fs_stat {
	uint64_t magic;           /* f_type */
	uint64_t bsize;           /* f_bsize and f_frsize */
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	uint64_t namelen;
};

/* Mount flags a file system sees (MS_RDONLY and friends, uapi/mount.h). */
struct fs_type {
	const char *name;         /* mount(2)'s type: "vfat", "msdos", "ext2" */
	/* Mount dev: the root directory (a reference) into *root, and the
	 * file system's private state into *sb. read_only: MS_RDONLY (a file
	 * system may also make itself read-only: then it sets
	 * (*root)->fs->read_only and logs why). opts: the data string
	 * (NULL: none). 0, -EINVAL (not this file system: bad magic, logged
	 * with the reason), -EIO, -ENOMEM. */
	int (*mount)(struct blkdev *dev, bool read_only, const char *opts, struct inode **root,
		     void **sb);
	/* Write everything back and mark the file system clean (FAT's dirty
	 * flag, ext2's s_state): 0 or -EIO. Called by sync(2) and syncfs(2)
	 * (then the file system stays mounted and is marked dirty again at
	 * its next change), and at unmount with unmounting true. */
	int (*sync)(void *sb, bool unmounting);
	/* Free everything after the last sync of an unmount. No inode of the
	 * file system is referenced any more (umount2 checked: -EBUSY). */
	void (*kill)(void *sb);
	int (*statfs)(void *sb, struct fs_stat *out);
	/* fsync(2)/fdatasync(2) of ip: its data and metadata on the disk. */
	int (*fsync)(struct inode *ip, bool datasync);
	/* Optional: mount -o remount switching read_only (after a sync when
	 * going read-only): 0 or -errno (then nothing changed). NULL: the
	 * mount table only flips the fs_info's read_only. */
	int (*remount)(void *sb, bool read_only);
	/* Optional: /proc/mounts' options after "rw,relatime", as Linux's
	 * show_options writes them for what this type does (NULL: none). */
	const char *options;
};

/* One mounted file system. */
struct mount {
	const struct fs_type *type;   /* NULL for the RAM root, /proc, /sys and a tmpfs */
	struct blkdev *dev;
	void *sb;
	struct inode *root;           /* the mounted file system's root */
	struct inode *mountpoint;     /* the directory it covers (NULL for /) */
	char source[64];              /* as /proc/mounts shows it: "/dev/vda1" */
	bool read_only;
	bool forced_ro;               /* the file system made itself read-only (no rw remount) */
	bool tmpfs;                   /* a tmpfs of mount(2)'s (fs/ramfs.c): it may be unmounted */
	bool kernfs;                  /* mount(2)'s view of a kernel file system (mqueue): its
	                               * root is the kernel's, so unmounting only uncovers */
	unsigned id;                  /* mountinfo's mount id */
	struct mount *next;
};

/* vfat.c, ext2.c */
extern const struct fs_type vfat_fs_type;
extern const struct fs_type msdos_fs_type;
extern const struct fs_type ext2_fs_type;

/* The file system types the kernel has, in a fixed order (Linux's
 * file_systems list, /proc/filesystems, sysfs(2)): the name of the one at
 * index, *nodev set for a type needing no device; NULL past the last. */
const char *fs_type_name(int index, bool *nodev);
/* How many there are (sysfs(2)'s option 3). */
int fs_type_count(void);
/* The root of the mounted file system whose st_dev is major:minor, with a
 * new reference (inode_put it); NULL if none is mounted (ustat's -EINVAL). */
struct inode *vfs_mount_root_by_dev(unsigned major, unsigned minor);
/* The fs_type called name, or NULL (mount(2)'s -ENODEV). */
const struct fs_type *fs_type_find(const char *name);
/* Mount dev (type NULL: try each type) on the directory at. 0 or -errno.
 * The mount holds a reference on at for as long as it lasts: a disk file
 * system must find that same inode again while it is referenced. */
int vfs_mount_dev(struct blkdev *dev, const struct fs_type *type, struct inode *at, bool read_only,
		  const char *opts);
/* Mount a new tmpfs (ramfs_mount, opts its options) on the directory
 * at, read-only with read_only; source is what /proc/mounts shows. 0 or
 * -errno. */
int vfs_mount_tmpfs(const char *source, struct inode *at, bool read_only, const char *opts);
/* mount -t mqueue: show a file system the kernel keeps whole (root, not
 * a reference: the kernel's for good) on the directory at, as source.
 * One place at a time: -EBUSY while it is mounted elsewhere. 0 or
 * -errno. */
int vfs_mount_kernfs(const char *source, struct inode *at, struct inode *root);
/* The mount whose root is ip, or NULL. */
struct mount *vfs_mount_of(const struct inode *root);
/* Every mount, in mount order (/proc/mounts). */
struct mount *vfs_mounts(void);
/* How many times the table changed (a mount, an unmount, a remount):
 * /proc/mounts's poll says POLLPRI when it moved since the reader last
 * looked, as Linux's mounts_poll does. */
unsigned vfs_mount_event(void);
/* sync(2): every disk file system and then every block device. */
int vfs_sync_all(void);

/* mount.c, beyond the contract above. */
/* Enter a file system that is not on a block device (the RAM root, /proc,
 * /sys, a RAM /dev) into the table: root is its root, mountpoint the
 * directory it covers (NULL for /). Such a mount is never undone: a
 * reference the caller holds on either stays held for good. */
void vfs_mount_note(struct inode *root, struct inode *mountpoint, const char *source);
/* Enter the boot's RAM root and the /proc and /sys on it, and mount the
 * RAM /dev on it (vfs_init). */
void vfs_mount_note_boot(struct inode *root);
/* The mount holding inodes of fs (a disk file system's or a built-in
 * one's), or NULL. */
struct mount *vfs_mount_by_fs(const struct fs_info *fs);
/* Is ip's file system on a block device (ext2, vfat)? */
bool vfs_on_disk(const struct inode *ip);
/* umount2 of the mount whose root is root, taking over the caller's
 * reference to it: 0, -EINVAL (not a mount root, or /), -EBUSY (a file,
 * cwd or mount inside, or one of the kernel's own: /dev, /proc, /sys),
 * -EIO (the last write-back failed: the file system stays mounted). A
 * tmpfs is -EBUSY while a file of it is mapped, and emptied when it goes. */
int vfs_umount(struct inode *root);
/* mount -o remount: read_only on or off for the mount whose root is
 * root: 0, -EINVAL (not a disk mount or a tmpfs), -EROFS (it made itself
 * read-only), -EIO. */
int vfs_remount(struct inode *root, bool read_only);
/* fsync(2)/fdatasync(2) of ip and syncfs(2) of its file system: 0 for a
 * file system in memory, else the file system's answer. */
int vfs_fsync(struct inode *ip, bool datasync);
int vfs_syncfs(struct inode *ip);
/* Whether fsync(2) applies to the open file f at all, as Linux's
 * file->f_op->fsync: regular files, directories and block devices do;
 * pipes, FIFOs, sockets, character devices and the anonymous files
 * (eventfd, epoll...) have no such method and fsync on them is -EINVAL. */
bool file_can_fsync(const struct file *f);
/* Boot: mount spec ("/dev/vda1", "vda1", "PARTUUID=<guid>") as the root
 * (type NULL: try each), with a RAM /dev, /proc and /sys on it, instead
 * of the boot archive: 0 or -errno (logged; the caller falls back to the
 * RAM root). */
int vfs_mount_root(const char *spec, const char *type);
/* Boot: mount the FAT partition whose GPT unique GUID is guid at
 * /boot/efi (made if missing): 0 or -errno (logged). */
int vfs_mount_esp(const uint8_t guid[16]);
/* The mount of the partition the loader came from, wherever it is now
 * (the self-test results go there), or NULL. */
struct mount *vfs_mount_esp_get(void);

#endif
