/* SPDX-License-Identifier: MIT */
/*
 * A mounted FAT volume's engine, below the VFS: the FAT (cluster chains,
 * allocation, the free count and FSInfo, the dirty markers), directories
 * (walking entries with their long names, finding, adding and removing
 * names, making and moving directories) and file data, all through the
 * block cache. It knows nothing of inodes: fat_vfs.c puts the VFS on top,
 * and the host fuzzer compiles it against a file-backed bcache.
 *
 * Lock rule: a volume and its nodes are used by one thread at a time
 * (fat_vfs.c holds the volume's sleeplock around every call).
 *
 * Errors: -EIO for a device error or a damaged structure (a cluster
 * out of range, a loop: the volume then turns read-only, logged once),
 * -EROFS on a read-only volume, -ENOSPC, -EFBIG, -ENAMETOOLONG, -EINVAL.
 */
#ifndef KESTREL_FS_FAT_VOL_H
#define KESTREL_FS_FAT_VOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block/bcache.h"
#include "fs/fat_disk.h"
#include "fs/fat_runs.h"

struct fat_dir_index;

#define FAT_FREE_UNKNOWN  0xffffffffu
#define FAT_MAX_DIR_BYTES (65536u * FAT_DIRENT_SIZE)  /* as Linux: 65536 entries */
#define FAT_MAX_FILE_SIZE 0xffffffffu

struct fat_vol {
	struct blkdev *dev;
	struct fat_bpb b;
	bool read_only;          /* mounted so, or made so by damage */
	bool damaged;            /* an error was found (logged once) */
	bool dirty_marked;       /* the dirty markers are set on the disk */
	bool msdos;              /* 8.3 names only, shown in lower case (Linux's msdos) */
	bool name_index;         /* directories keep a name index (fat_index.h): only for a
				  * caller with one fat_node per directory (fat_vfs.c) */
	uint32_t free_count;     /* FAT_FREE_UNKNOWN until counted */
	uint32_t next_free;      /* where the next allocation starts looking */
	uint32_t zero_blk;       /* block size for zeroing new clusters */
	/* the directory sector read last (read_de), dropped by every write */
	bool dbuf_ok;
	uint64_t dbuf_pos;
	uint8_t dbuf[FAT_SECTOR_MIN];
};

/* A file or directory as the engine sees it (embedded in fat_vfs's inode data). */
struct fat_node {
	uint32_t first;          /* first cluster; 0: none (empty file, FAT12/16 root) */
	uint32_t size;           /* regular files */
	bool is_dir, is_root;
	uint64_t de_pos;         /* volume byte position of its short entry; 0: none */
	uint32_t hint_idx, hint_clus; /* a cluster of the chain already found (0: none) */
	struct fat_runs runs;    /* where its clusters lie (fat_runs.h): facts of the chain */
	uint64_t ra_next;        /* files: where a sequential read goes on (the last one's end) */
	uint64_t ra_end;         /* files: the end of what was read ahead */
	uint64_t free_hint;      /* directories: no free entry lies before this offset */
	struct fat_dir_index *index; /* directories: names in memory (v->name_index), or NULL */
};

/* One name of a directory, as fat_dir_next finds it. */
struct fat_entry {
	char name[FAT_UTF8_MAX + 1];
	size_t len;
	uint8_t de[FAT_DIRENT_SIZE];   /* the short entry */
	uint64_t off;                  /* its offset in the directory */
	uint64_t first_off;            /* its first long-name slot's (off without any) */
	uint64_t de_pos;               /* its volume byte position */
};

/* Read the boot sector of dev and set v up: 0, -EINVAL (not FAT: the
 * reason is logged), -EIO. A volume that looks damaged is made
 * read-only with a log line. */
int fat_vol_open(struct fat_vol *v, struct blkdev *dev, bool read_only);
/* Before the first change: set the dirty markers (FAT[1]'s clean bit
 * off, the boot sector's state byte): 0, -EROFS, -EIO. */
int fat_vol_begin_change(struct fat_vol *v);
/* Write FSInfo, clear the dirty markers and write every dirty block of
 * the device: 0 or -EIO. */
int fat_vol_sync(struct fat_vol *v);
/* Free clusters (counting them the first time): the count or FAT_FREE_UNKNOWN on -EIO. */
uint32_t fat_vol_free(struct fat_vol *v);
/* Log the damage once and make v read-only; returns -EIO. */
int fat_vol_error(struct fat_vol *v, const char *what, uint32_t clus);

/* The node of the root directory. */
void fat_root_node(const struct fat_vol *v, struct fat_node *n);
/* The node of the entry e (of a directory) */
void fat_entry_node(const struct fat_vol *v, const struct fat_entry *e, struct fat_node *n);

/* Directory walking: the next name at or after *off (skipping free
 * entries, volume labels, "." and ".."): 1 with e filled and *off past
 * it, 0 at the end, -EIO. */
int fat_dir_next(struct fat_vol *v, struct fat_node *dir, uint64_t *off, struct fat_entry *e);
/* Find name (len bytes, vfat's rules: case-insensitive, the long or
 * the short name): 0 with e filled, -ENOENT, -EIO. */
int fat_dir_find(struct fat_vol *v, struct fat_node *dir, const char *name, size_t len,
		 struct fat_entry *e);
/* Add name to dir as a copy of the short entry tmpl (its name replaced
 * by the short name made for name): 0 with e describing it, -EINVAL (a
 * name vfat forbids), -ENAMETOOLONG, -ENOSPC, -EIO. The name must not
 * exist (fat_dir_find). */
int fat_dir_add(struct fat_vol *v, struct fat_node *dir, const char *name, size_t len,
		const uint8_t *tmpl, struct fat_entry *e);
/* Free dir's name index (the directory's node goes, or it went away). */
void fat_dir_index_drop(struct fat_node *dir);
/* Mark e's slots free. */
int fat_dir_remove(struct fat_vol *v, struct fat_node *dir, const struct fat_entry *e);
/* A new directory's first cluster with "." and ".." (parent: its
 * parent): 0 and *clus, -ENOSPC, -EIO. */
int fat_dir_create(struct fat_vol *v, const struct fat_node *parent, int64_t now, uint32_t *clus);
/* A directory moved under parent: point its ".." there. */
int fat_dir_set_parent(struct fat_vol *v, struct fat_node *dir, const struct fat_node *parent);

/* File data: read up to len bytes at pos (the count: short at the end
 * of the file), write len bytes at pos (buf NULL: zeros), allocating
 * clusters and growing n->size (the count, or -errno if nothing was
 * written), change the size (freeing or zero-filling clusters). */
long fat_file_read(struct fat_vol *v, struct fat_node *n, uint64_t pos, void *buf, size_t len);
long fat_file_write(struct fat_vol *v, struct fat_node *n, uint64_t pos, const void *buf, size_t len);
int fat_file_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size);
/* Free every cluster of n (after its last name and user are gone). */
int fat_node_free(struct fat_vol *v, struct fat_node *n);
/* Write n's first cluster, size and (when t >= 0) modification time
 * into its short entry. */
int fat_node_update(struct fat_vol *v, const struct fat_node *n, int64_t t);
/* chmod and utimes: set or clear (ro 1 or 0; -1: leave) the read-only
 * attribute and write the modification time (mtime >= 0) and the access
 * date (atime >= 0) into n's short entry: 0, -EROFS, -EIO. */
int fat_node_set_attrs(struct fat_vol *v, const struct fat_node *n, int ro, int64_t mtime,
		       int64_t atime);

#endif
