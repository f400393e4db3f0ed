/* SPDX-License-Identifier: MIT */
/* Mappings of files on disk file systems: one memory object per mapped inode, written back to the file. */
#ifndef KESTREL_FS_MFILE_H
#define KESTREL_FS_MFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/inode.h"
#include "fs/vfs.h"

struct shmem;
struct fs_info;

/*
 * A disk file (ext2, vfat) that is mapped gets one memory object, as a
 * RAM file has (mm/shmem.h): every MAP_SHARED mapping maps its pages,
 * a MAP_PRIVATE one maps them copy-on-write. The object is filled from
 * the file when it is mapped (every page of the file, then; pages not
 * yet in memory when it is mapped again) and stays for as long as a
 * region maps it. Its pages are the file's bytes while it lives:
 *   - read(2) of the file reads the object's pages;
 *   - write(2) writes the file and then the same bytes into the pages
 *     (pages the write adds to the file are read in);
 *   - the pages go back to the file (every page, no dirty tracking) at
 *     msync, fsync, sync, the munmap that removes the last mapping,
 *     and before an unmount, which is EBUSY while the file is mapped.
 * truncate(2) and O_TRUNC change the object's end (mfile_truncated).
 * Not followed: sendfile and copy_file_range writes into the file.
 *
 * Lock rule: the table is changed by system calls on the one kernel
 * CPU; functions that read or write the disk sleep, and re-find their
 * entry afterwards.
 */

/* The object to map for f (a regular file of a disk file system, open
 * for reading), filled from the file; shared_write: the mapping is
 * MAP_SHARED and may be made writable (f is then kept for writing the
 * pages back). *obj comes with a reference for the caller to drop once
 * its region holds its own. 0, -ENOMEM, -EFBIG, -EIO. */
int mfile_map(struct file *f, bool shared_write, struct shmem **obj);
/* Is ip mapped (has it an object)? Inline: every read and write asks. */
static inline bool mfile_mapped(const struct inode *ip)
{
	return ip->mfile != NULL;
}
/* read(2)/write(2) of f through op (the file's own read or write) when
 * f's inode is mapped (mfile_mapped): bytes moved or -errno. */
long mfile_io(struct file *f, bool write, uptr_t buf, size_t n, uint64_t *pos,
	      long (*op)(struct file *, struct iobuf, size_t, uint64_t *));
/* Write ip's mapped pages back to its file: 0 (also when not mapped) or -EIO. */
int mfile_sync_inode(struct inode *ip);
/* Write every mapped file back; the objects no region maps any more go
 * (msync, sync, munmap). 0 or the first error. */
int mfile_sync_all(void);
/* ip's size changed (truncate, O_TRUNC): its mappings reach the new end
 * (a page past it is SIGBUS), the pages past it go, and the last page's
 * bytes past it are zero, as the file's. */
void mfile_truncated(struct inode *ip);
/* munmap: the objects no region maps any more written back and dropped. */
void mfile_unmapped(void);
/* umount of fs: -EBUSY when a region maps one of its files; else its
 * objects are written back and dropped: 0 or -EIO. */
int mfile_release_fs(const struct fs_info *fs);

#endif
