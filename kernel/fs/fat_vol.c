// SPDX-License-Identifier: MIT
/*
 * Kestrel: a FAT volume's engine (fat_vol.h): the FAT, directories and
 * file data through the block cache. Every structure read from the disk
 * is checked before it is followed: a cluster number out of range, a
 * free cluster inside a chain or a size beyond its chain is damage, and
 * damage makes the volume read-only (as Linux's errors=remount-ro) and
 * the call -EIO, never a crash.
 */
#include "fs/fat_vol.h"
#include "fs/fat_index.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "proc/sched.h"

#define ZERO_CHUNK 4096u
#define FAT_RUN_MAX (256u * 1024u) /* bytes of contiguous clusters read in one cache call */
#define FAT_RA_BYTES (512u * 1024u) /* sequential reads keep this much requested ahead */
#define FAT_WALK_RA  (128u * 1024u) /* FAT bytes a chain walk reads ahead (one request) */
static const uint8_t zeros[ZERO_CHUNK];
static const uint8_t dot_name[FAT_SHORT_LEN] = { '.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ' };
static const uint8_t dotdot_name[FAT_SHORT_LEN] = { '.', '.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ' };

int fat_vol_error(struct fat_vol *v, const char *what, uint32_t clus)
{
	if (!v->damaged)
		klog(LOG_ERR, "fat: %s: %s (cluster %u): read-only from now on, run fsck\n", v->dev->name,
		     what, clus);
	v->damaged = true;
	v->read_only = true;
	return -EIO;
}

/* File data goes through here: it drops the directory sector copy
 * (read_de's) first, so no scan reads bytes older than a write (a
 * cross-linked cluster of a damaged volume may be both). */
static int vol_write(struct fat_vol *v, uint64_t pos, const void *buf, size_t len)
{
	v->dbuf_ok = false;
	return bcache_write(v->dev, pos, buf, len);
}

/* Metadata (the FAT, directory entries, the boot sector's state byte,
 * FSInfo) through held 512-byte blocks, which a pending SIGKILL does not
 * cut short as it does bcache_read and bcache_write: a killed caller
 * (closing its files on the way out) still finishes a FAT or directory
 * change. 0, -EIO, -ENOMEM. */
static int meta_io(struct fat_vol *v, uint64_t pos, void *buf, size_t len, bool write)
{
	uint8_t *p = buf;

	if (write)
		v->dbuf_ok = false;
	while (len) {
		struct bbuf bb;
		uint32_t off = (uint32_t)(pos % FAT_SECTOR_MIN);
		size_t k = len < FAT_SECTOR_MIN - off ? len : FAT_SECTOR_MIN - off;
		int err = bcache_get(v->dev, pos / FAT_SECTOR_MIN, FAT_SECTOR_MIN, &bb);
		if (err)
			return err;
		if (write) {
			memcpy(bb.data + off, p, k);
			bcache_dirty(&bb, off, (uint32_t)k);
		} else {
			memcpy(p, bb.data + off, k);
		}
		bcache_put(&bb);
		p += k;
		pos += k;
		len -= k;
	}
	return 0;
}

static int meta_read(struct fat_vol *v, uint64_t pos, void *buf, size_t len)
{
	return meta_io(v, pos, buf, len, false);
}

static int meta_write(struct fat_vol *v, uint64_t pos, const void *buf, size_t len)
{
	return meta_io(v, pos, (void *)buf, len, true);
}

static bool clus_valid(const struct fat_vol *v, uint32_t c)
{
	return c >= FAT_FIRST_CLUSTER && c - FAT_FIRST_CLUSTER < v->b.nclusters;
}

static uint64_t clus_pos(const struct fat_vol *v, uint32_t c)
{
	return v->b.data_start + (uint64_t)(c - FAT_FIRST_CLUSTER) * v->b.cluster_size;
}

/* ---------------------------------------------------------------- the FAT */

/* Byte position of entry c in FAT copy k. */
static uint64_t fat_pos(const struct fat_vol *v, uint32_t c, unsigned k)
{
	uint64_t off = v->b.kind == FAT12 ? c + c / 2 : (uint64_t)c * (v->b.kind / 8);
	return v->b.fat_start + k * v->b.fat_bytes + off;
}

static unsigned fat_width(const struct fat_vol *v)
{
	return v->b.kind == FAT32 ? 4 : 2;
}

/* FAT[c] of the first copy. */
static int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	int err = meta_read(v, fat_pos(v, c, 0), b, fat_width(v));

	if (err)
		return err;
	if (v->b.kind == FAT12)
		*val = c & 1 ? fat_le16(b) >> 4 : fat_le16(b) & 0xfff;
	else if (v->b.kind == FAT16)
		*val = fat_le16(b);
	else
		*val = fat_le32(b) & FAT32_MASK;
	return 0;
}

/* FAT16/32's FAT[c] = val in every copy, with one cache call per copy
 * (their entries never straddle two sectors): 0, -EIO, -ENOMEM. */
static int fat_set_aligned(struct fat_vol *v, uint32_t c, uint32_t val)
{
	v->dbuf_ok = false;
	for (unsigned k = 0; k < v->b.nfats; k++) {
		uint64_t pos = fat_pos(v, c, k);
		uint32_t off = (uint32_t)(pos % FAT_SECTOR_MIN);
		struct bbuf bb;
		int err = bcache_get(v->dev, pos / FAT_SECTOR_MIN, FAT_SECTOR_MIN, &bb);
		if (err)
			return err;
		if (v->b.kind == FAT16)
			fat_put16(bb.data + off, (uint16_t)val);
		else
			fat_put32(bb.data + off, (fat_le32(bb.data + off) & ~FAT32_MASK) | (val & FAT32_MASK));
		bcache_dirty(&bb, off, fat_width(v));
		bcache_put(&bb);
	}
	return 0;
}

/* FAT[c] = val in every copy (FAT32 keeps the entry's top four bits). */
static int fat_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	if (v->b.kind != FAT12)
		return fat_set_aligned(v, c, val);
	for (unsigned k = 0; k < v->b.nfats; k++) {
		uint8_t b[4] = { 0 };
		uint64_t pos = fat_pos(v, c, k);
		int err = meta_read(v, pos, b, fat_width(v));
		if (err)
			return err;
		if (v->b.kind == FAT12) {
			uint16_t old = fat_le16(b);
			fat_put16(b, (uint16_t)(c & 1 ? (old & 0x000f) | val << 4 : (old & 0xf000) | val));
		} else if (v->b.kind == FAT16) {
			fat_put16(b, (uint16_t)val);
		} else {
			fat_put32(b, (fat_le32(b) & ~FAT32_MASK) | (val & FAT32_MASK));
		}
		if ((err = meta_write(v, pos, b, fat_width(v))))
			return err;
	}
	return 0;
}

/* The cluster after c in its chain: *next 0 at the chain's end. */
static int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next)
{
	uint32_t val;
	int err = fat_get(v, c, &val);

	if (err)
		return err;
	if (val >= fat_eoc(v->b.kind)) {
		*next = 0;
		return 0;
	}
	if (!clus_valid(v, val))
		return fat_vol_error(v, val ? "bad cluster number in a chain" : "free cluster in a chain",
				     c);
	*next = val;
	return 0;
}

/* How many clusters follow c contiguously in its chain (FAT[c] is
 * c + 1, FAT[c + 1] is c + 2, ...), at most max, reading the FAT a
 * sector at a time (FAT16/32; FAT12 answers 0: step with fat_next),
 * the FAT sectors it will need read ahead: 0 and *k, -EIO, -ENOMEM. A
 * walk of a file written in one piece costs a cache call per 128
 * entries instead of one per entry, and a request per 128 KiB of FAT. */
static int fat_contig(struct fat_vol *v, uint32_t c, uint32_t max, uint32_t *k)
{
	uint32_t w = fat_width(v);
	bool more = v->b.kind != FAT12;

	*k = 0;
	if (more && max > 1) { /* a cold FAT comes in large requests, not sector by sector */
		uint64_t bytes = (uint64_t)max * w;
		bcache_readahead(v->dev, fat_pos(v, c, 0), bytes < FAT_WALK_RA ? (size_t)bytes : FAT_WALK_RA);
	}
	while (more && *k < max) {
		uint64_t pos = fat_pos(v, c + *k, 0);
		uint32_t off = (uint32_t)(pos % FAT_SECTOR_MIN);
		struct bbuf bb;
		int err = bcache_get(v->dev, pos / FAT_SECTOR_MIN, FAT_SECTOR_MIN, &bb);
		if (err)
			return err;
		for (more = false; off + w <= FAT_SECTOR_MIN && *k < max; off += w) {
			uint32_t cur = c + *k;
			uint32_t val = w == 2 ? fat_le16(bb.data + off) : fat_le32(bb.data + off) & FAT32_MASK;
			more = val == cur + 1 && clus_valid(v, val);
			if (!more)
				break;
			(*k)++;
		}
		bcache_put(&bb);
	}
	return 0;
}

/* Zero the cluster c through the cache, without reading it. */
static int clus_zero(struct fat_vol *v, uint32_t c)
{
	uint64_t pos = clus_pos(v, c);
	uint32_t zb = v->zero_blk;

	v->dbuf_ok = false;
	for (uint32_t off = 0; off < v->b.cluster_size; off += zb) {
		struct bbuf bb;
		int err = bcache_get_new(v->dev, (pos + off) / zb, zb, &bb);
		if (err)
			return err;
		memset(bb.data, 0, zb);
		bcache_dirty(&bb, 0, zb);
		bcache_put(&bb);
	}
	return 0;
}

/* A free cluster, zeroed (unless its caller overwrites it whole),
 * marked the end of a chain and linked after prev (0: a new chain):
 * 0 and *out, -ENOSPC, -EIO. */
static int clus_alloc(struct fat_vol *v, uint32_t prev, bool zero, uint32_t *out)
{
	uint32_t n = v->b.nclusters, c = v->next_free;
	int err;

	if (v->free_count == 0)
		return -ENOSPC;
	for (uint32_t i = 0; i < n; i++, c++) {
		if (!clus_valid(v, c))
			c = FAT_FIRST_CLUSTER;
		uint32_t val;
		if ((err = fat_get(v, c, &val)))
			return err;
		if (val != 0)
			continue;
		if ((err = fat_set(v, c, fat_eoc(v->b.kind) | 7)) || (zero && (err = clus_zero(v, c))))
			return err;
		if (prev && (err = fat_set(v, prev, c)))
			return err;
		if (v->free_count != FAT_FREE_UNKNOWN)
			v->free_count--;
		v->next_free = c + 1;
		*out = c;
		return 0;
	}
	v->free_count = 0;
	return -ENOSPC;
}

/* Free the chain starting at c. */
static int chain_free(struct fat_vol *v, uint32_t c)
{
	for (uint32_t steps = 0; c; steps++) {
		uint32_t val;
		int err;
		if (!clus_valid(v, c) || steps > v->b.nclusters)
			return fat_vol_error(v, "bad chain to free", c);
		if ((err = fat_get(v, c, &val)) || (err = fat_set(v, c, 0)))
			return err;
		if (v->free_count != FAT_FREE_UNKNOWN)
			v->free_count++;
		if (c < v->next_free)
			v->next_free = c;
		if (val == 0 || val >= fat_eoc(v->b.kind))
			break;
		c = val;
	}
	return 0;
}

/* Remember that cluster c is the i-th of a directory whose index is ix
 * (NULL: none), when it is the next one not yet known. */
static void chain_note(struct fat_dir_index *ix, uint32_t i, uint32_t c)
{
	if (ix && i == ix->nchain && i < ix->chain_cap)
		ix->chain[ix->nchain++] = c;
}

/* node_cluster's alloc: what it does with a chain too short. */
#define FIND_ONLY    0   /* -ENOENT */
#define ALLOC_ZEROED 1   /* add clusters, zeroed */
#define ALLOC_WHOLE  2   /* the same, but the idx-th is not zeroed: the caller overwrites it whole */

/* Where a walk to n's idx-th cluster starts: the nearest cluster known
 * at or before it (a directory's index, n's runs, n's hint), else the
 * first cluster (made with alloc). 0 with *i and *c, -ENOENT (no
 * cluster, no alloc), -ENOSPC, -EIO. */
static int chain_start(struct fat_vol *v, struct fat_node *n, struct fat_dir_index *ix,
		       uint32_t idx, int alloc, uint32_t *i, uint32_t *c)
{
	uint32_t contig;
	bool known = false;
	int err;

	if (ix && ix->nchain) { /* a directory's chain is walked once, from where it is known */
		*c = ix->chain[ix->nchain - 1];
		*i = ix->nchain - 1;
		return 0;
	}
	if (!ix)
		known = fat_runs_lookup(&n->runs, idx, i, c, &contig);
	if (!ix && n->hint_clus && n->hint_idx <= idx && (!known || n->hint_idx > *i)) {
		*c = n->hint_clus;
		*i = n->hint_idx;
		known = true;
	}
	if (known)
		return 0;
	*c = n->first;
	*i = 0;
	if (*c == 0) {
		if (!alloc)
			return -ENOENT;
		if ((err = clus_alloc(v, 0, alloc != ALLOC_WHOLE || idx != 0, c)))
			return err;
		n->first = *c;
	} else if (!clus_valid(v, *c)) {
		return fat_vol_error(v, "first cluster out of range", *c);
	}
	if (!ix)
		fat_runs_note(&n->runs, 0, *c);
	return 0;
}

/* The idx-th cluster of n's chain into *out; with alloc, clusters are
 * added (zeroed) up to it. -ENOENT: the chain is shorter (no alloc).
 * Every cluster found on the way goes into n's runs (or a directory's
 * index), so the next call for a cluster near it walks nothing. */
static int node_cluster(struct fat_vol *v, struct fat_node *n, uint32_t idx, int alloc,
			uint32_t *out)
{
	struct fat_dir_index *ix = v->name_index && n->index && n->index->chain_cap ? n->index : NULL;
	uint32_t c, i;
	int err;

	if (ix && idx < ix->nchain) { /* a directory's cluster seen before */
		*out = ix->chain[idx];
		return 0;
	}
	if ((err = chain_start(v, n, ix, idx, alloc, &i, &c)))
		return err;
	chain_note(ix, i, c);
	for (; i < idx; i++) {
		uint32_t next, k = 0;
		if (!ix && (err = fat_contig(v, c, idx - i, &k)))
			return err;
		for (uint32_t j = 1; j <= k; j++)
			fat_runs_note(&n->runs, i + j, c + j);
		c += k;
		if ((i += k) == idx)
			break;
		if ((err = fat_next(v, c, &next)))
			return err;
		if (next == 0) {
			if (!alloc)
				return -ENOENT;
			if ((err = clus_alloc(v, c, alloc != ALLOC_WHOLE || i + 1 != idx, &next)))
				return err;
		}
		c = next;
		chain_note(ix, i + 1, c);
		if (!ix)
			fat_runs_note(&n->runs, i + 1, c);
	}
	n->hint_idx = idx;
	n->hint_clus = c;
	*out = c;
	return 0;
}

/* ---------------------------------------------------------------- the volume */

/* FAT[1]'s clean bit (FAT16/32) and the boot sector's state byte: set
 * (dirty) or cleared. */
static int mark_dirty(struct fat_vol *v, bool dirty)
{
	int err = 0;

	if (v->b.kind != FAT12) {
		uint32_t val, bit = v->b.kind == FAT16 ? FAT16_CLEAN_BIT : FAT32_CLEAN_BIT;
		if ((err = fat_get(v, 1, &val)))
			return err;
		if ((err = fat_set(v, 1, dirty ? val & ~bit : val | bit)))
			return err;
	}
	if (v->b.state_off) {
		uint8_t st;
		if ((err = meta_read(v, v->b.state_off, &st, 1)))
			return err;
		st = dirty ? st | FAT_STATE_DIRTY : st & ~FAT_STATE_DIRTY;
		err = meta_write(v, v->b.state_off, &st, 1);
	}
	return err;
}

/* FAT[0], FAT[1] and the state byte at mount: damage makes v read-only,
 * an unclean shutdown is only reported (as Linux). */
static int check_state(struct fat_vol *v)
{
	uint32_t f0, f1;
	uint8_t st = 0;
	int err;

	if ((err = fat_get(v, 0, &f0)) || (err = fat_get(v, 1, &f1)))
		return err;
	if (v->b.state_off && (err = meta_read(v, v->b.state_off, &st, 1)))
		return err;
	bool unclean = st & FAT_STATE_DIRTY;
	if ((f0 & 0xff) != v->b.media) {
		fat_vol_error(v, "FAT[0] does not match the media byte", 0);
	} else if (v->b.kind != FAT12) {
		uint32_t clean = v->b.kind == FAT16 ? FAT16_CLEAN_BIT : FAT32_CLEAN_BIT;
		uint32_t noerr = v->b.kind == FAT16 ? FAT16_NOERR_BIT : FAT32_NOERR_BIT;
		if (!(f1 & noerr))
			fat_vol_error(v, "FAT[1] records disk errors", 1);
		unclean |= !(f1 & clean);
	}
	if (unclean) {
		klog(LOG_WARN, "fat: %s: not properly unmounted; some data may be damaged, run fsck\n",
		     v->dev->name);
		v->dirty_marked = true; /* cleared by the next clean unmount */
	}
	return 0;
}

/* FAT32's free count and next-free hint from FSInfo, when its
 * signatures hold and the numbers fit the volume (else they are
 * counted and searched when first needed). */
static void read_fsinfo(struct fat_vol *v)
{
	uint8_t sec[FAT_SECTOR_MIN];
	uint32_t free, next;

	if (v->b.kind != FAT32 || !v->b.fsinfo_sector ||
	    meta_read(v, (uint64_t)v->b.fsinfo_sector * v->b.sector_size, sec, sizeof(sec)))
		return;
	if (!fat_fsinfo_parse(sec, sizeof(sec), &free, &next))
		return;
	if (free <= v->b.nclusters)
		v->free_count = free;
	if (clus_valid(v, next))
		v->next_free = next;
}

int fat_vol_open(struct fat_vol *v, struct blkdev *dev, bool read_only)
{
	struct bbuf bb;
	const char *why;
	int err;

	memset(v, 0, sizeof(*v));
	v->dev = dev;
	v->read_only = read_only || dev->read_only;
	if ((err = bcache_get(dev, 0, FAT_SECTOR_MIN, &bb)))
		return err;
	why = fat_bpb_parse(bb.data, FAT_SECTOR_MIN, dev->nsect * SECTOR_SIZE, &v->b);
	bcache_put(&bb);
	if (why) {
		klog(LOG_INFO, "fat: %s: not a FAT file system: %s\n", dev->name, why);
		return -EINVAL;
	}
	v->zero_blk = ZERO_CHUNK;
	while (v->zero_blk > FAT_SECTOR_MIN &&
	       ((v->b.data_start | v->b.cluster_size) & (v->zero_blk - 1)))
		v->zero_blk /= 2;
	v->free_count = FAT_FREE_UNKNOWN;
	v->next_free = FAT_FIRST_CLUSTER;
	read_fsinfo(v);
	return check_state(v);
}

int fat_vol_begin_change(struct fat_vol *v)
{
	int err;

	if (v->read_only)
		return -EROFS;
	if (v->dirty_marked)
		return 0;
	/* the marker reaches the disk before any change does */
	if ((err = mark_dirty(v, true)) || (err = bcache_sync_dev(v->dev)))
		return err;
	v->dirty_marked = true;
	return 0;
}

int fat_vol_sync(struct fat_vol *v)
{
	int err;

	if (v->read_only || !v->dirty_marked)
		return v->read_only ? 0 : bcache_sync_dev(v->dev);
	if (v->b.kind == FAT32 && v->b.fsinfo_sector && v->free_count != FAT_FREE_UNKNOWN) {
		uint8_t sec[FAT_SECTOR_MIN];
		uint64_t pos = (uint64_t)v->b.fsinfo_sector * v->b.sector_size;
		uint32_t f, n;
		if (!meta_read(v, pos, sec, sizeof(sec)) && fat_fsinfo_parse(sec, sizeof(sec), &f, &n)) {
			fat_fsinfo_set(sec, v->free_count,
				       clus_valid(v, v->next_free) ? v->next_free : FAT_FREE_UNKNOWN);
			meta_write(v, pos, sec, sizeof(sec));
		}
	}
	/* the data first, then the clean marker */
	if ((err = bcache_sync_dev(v->dev)) || (err = mark_dirty(v, false)) ||
	    (err = bcache_sync_dev(v->dev)))
		return err;
	v->dirty_marked = false;
	return 0;
}

uint32_t fat_vol_free(struct fat_vol *v)
{
	uint8_t buf[ZERO_CHUNK];
	uint32_t count = 0, w = fat_width(v);

	if (v->free_count != FAT_FREE_UNKNOWN)
		return v->free_count;
	for (uint32_t c = FAT_FIRST_CLUSTER; clus_valid(v, c);) {
		uint32_t val;
		if (v->b.kind == FAT12) {
			if (fat_get(v, c, &val))
				return FAT_FREE_UNKNOWN;
			count += val == 0;
			c++;
			continue;
		}
		uint32_t n = v->b.nclusters + FAT_FIRST_CLUSTER - c;
		if (n > ZERO_CHUNK / w)
			n = ZERO_CHUNK / w;
		if (meta_read(v, fat_pos(v, c, 0), buf, (size_t)n * w))
			return FAT_FREE_UNKNOWN;
		for (uint32_t i = 0; i < n; i++)
			count += (w == 2 ? fat_le16(buf + 2 * i) : fat_le32(buf + 4 * i) & FAT32_MASK) == 0;
		c += n;
	}
	return v->free_count = count;
}

void fat_root_node(const struct fat_vol *v, struct fat_node *n)
{
	memset(n, 0, sizeof(*n));
	n->first = v->b.kind == FAT32 ? v->b.root_cluster : 0;
	n->is_dir = n->is_root = true;
}

void fat_entry_node(const struct fat_vol *v, const struct fat_entry *e, struct fat_node *n)
{
	memset(n, 0, sizeof(*n));
	n->first = fat_de_cluster(e->de, v->b.kind);
	n->is_dir = e->de[FAT_DE_ATTR] & FAT_ATTR_DIR;
	n->size = n->is_dir ? 0 : fat_le32(e->de + FAT_DE_SIZE);
	n->de_pos = e->de_pos;
}

/* ---------------------------------------------------------------- directories */

/* The volume position of byte off of directory dir (alloc: extend it). */
static int dir_pos(struct fat_vol *v, struct fat_node *dir, uint64_t off, bool alloc, uint64_t *pos)
{
	uint32_t c;
	int err;

	if (dir->is_root && v->b.kind != FAT32) {
		if (off >= v->b.root_bytes)
			return alloc ? -ENOSPC : -ENOENT;
		*pos = v->b.root_start + off;
		return 0;
	}
	if (off >= FAT_MAX_DIR_BYTES)
		return alloc ? -ENOSPC : -ENOENT;
	if ((err = node_cluster(v, dir, (uint32_t)(off / v->b.cluster_size),
				alloc ? ALLOC_ZEROED : FIND_ONLY, &c)))
		return err;
	*pos = clus_pos(v, c) + off % v->b.cluster_size;
	return 0;
}

/* A directory entry at pos, from a copy of its sector (a scan reads the
 * 16 entries of a 512-byte sector with one cache call). */
static int read_de(struct fat_vol *v, uint64_t pos, uint8_t *de)
{
	uint64_t sec = pos & ~(uint64_t)(FAT_SECTOR_MIN - 1);

	if (!v->dbuf_ok || v->dbuf_pos != sec) {
		int err = meta_read(v, sec, v->dbuf, FAT_SECTOR_MIN);
		if (err)
			return err;
		v->dbuf_pos = sec;
		v->dbuf_ok = true;
	}
	memcpy(de, v->dbuf + (pos - sec), FAT_DIRENT_SIZE);
	return 0;
}

static int write_de(struct fat_vol *v, uint64_t pos, const uint8_t *de)
{
	return meta_write(v, pos, de, FAT_DIRENT_SIZE);
}

static bool is_lfn(const uint8_t *de)
{
	return (de[FAT_DE_ATTR] & 0x3f) == FAT_ATTR_LFN;
}

static bool is_dot(const uint8_t *de)
{
	return !memcmp(de, dot_name, FAT_SHORT_LEN) || !memcmp(de, dotdot_name, FAT_SHORT_LEN);
}

int fat_dir_next(struct fat_vol *v, struct fat_node *dir, uint64_t *off, struct fat_entry *e)
{
	struct fat_lfn lfn;
	uint64_t lfn_start = 0, pos;
	int err;

	fat_lfn_reset(&lfn);
	for (;;) {
		uint64_t cur = *off;
		if ((err = dir_pos(v, dir, cur, false, &pos)))
			return err == -ENOENT ? 0 : err;
		if ((err = read_de(v, pos, e->de)))
			return err;
		if (e->de[0] == FAT_DE_END)
			return 0;
		*off = cur + FAT_DIRENT_SIZE;
		if (e->de[0] == FAT_DE_FREE) {
			fat_lfn_reset(&lfn);
		} else if (is_lfn(e->de)) {
			if (e->de[0] & FAT_LFN_LAST)
				lfn_start = cur;
			if (!v->msdos)
				fat_lfn_feed(&lfn, e->de);
		} else if (e->de[FAT_DE_ATTR] & FAT_ATTR_VOLUME) {
			fat_lfn_reset(&lfn);
		} else {
			unsigned nslots;
			e->len = fat_lfn_take(&lfn, e->de, e->name, sizeof(e->name), &nslots);
			if (!e->len && is_dot(e->de))
				continue;
			if (!e->len)
				e->len = fat_short_to_name(e->de, e->name);
			if (v->msdos)
				for (size_t i = 0; i < e->len; i++)
					if (e->name[i] >= 'A' && e->name[i] <= 'Z')
						e->name[i] = (char)(e->name[i] - 'A' + 'a');
			e->off = cur;
			e->first_off = nslots ? lfn_start : cur;
			e->de_pos = pos;
			return 1;
		}
	}
}

/* ---------------------------------------------------------------- the name index */

#define INDEX_STALE 1   /* index_find: an entry is not where the index says */

void fat_dir_index_drop(struct fat_node *dir)
{
	fat_index_free(dir->index);
	dir->index = NULL;
}

/* dir's index when it has a usable one, else NULL (scan). */
static struct fat_dir_index *dir_index(const struct fat_vol *v, const struct fat_node *dir)
{
	return v->name_index && dir->index && !dir->index->too_big ? dir->index : NULL;
}

/* The key of a short name: its text, as fat_dir_find compares it. */
static uint32_t short_key(const uint8_t *name11)
{
	uint8_t de[FAT_DIRENT_SIZE] = { 0 };
	char sn[16];

	memcpy(de, name11, FAT_SHORT_LEN);
	return fat_index_hash(sn, fat_short_to_name(de, sn));
}

static int index_enter(struct fat_dir_index *ix, const struct fat_entry *e)
{
	return fat_index_add(ix, (uint32_t)e->first_off, fat_index_hash(e->name, e->len),
			     short_key(e->de), e->de);
}

/* Make dir's index with one scan (e: scratch): 0 (out of memory: no
 * index, the next lookup tries again), -EIO. A directory too big keeps
 * a too_big index: it is scanned until its node goes. */
static int index_build(struct fat_vol *v, struct fat_node *dir, struct fat_entry *e)
{
	bool fixed = dir->is_root && v->b.kind != FAT32; /* FAT12/16's root: no chain */
	struct fat_dir_index *ix = fat_index_new(fixed ? 0 : FAT_MAX_DIR_BYTES / v->b.cluster_size);
	uint64_t off = 0;
	int r, err;

	if (!ix)
		return 0;
	while ((r = fat_dir_next(v, dir, &off, e)) == 1)
		if ((err = index_enter(ix, e)) == -EFBIG) {
			break;
		} else if (err) {
			fat_index_free(ix);
			return 0;
		}
	if (r < 0) {
		fat_index_free(ix);
		return r;
	}
	dir->index = ix;
	return 0;
}

/* Does entry e answer to name (its long or its short name, vfat's rules)? */
static bool entry_matches(const struct fat_entry *e, const char *name, size_t len)
{
	char sn[16];

	if (fat_name_eq(e->name, e->len, name, len))
		return true;
	size_t sl = fat_short_to_name(e->de, sn);
	return fat_name_eq(sn, sl, name, len);
}

/* Find name through ix, reading back each candidate: 0 with e filled,
 * -ENOENT, -EIO, or INDEX_STALE (the caller drops ix and scans). */
static int index_find(struct fat_vol *v, struct fat_node *dir, const struct fat_dir_index *ix,
		      const char *name, size_t len, struct fat_entry *e)
{
	uint32_t h = fat_index_hash(name, len);

	for (int k = FAT_KEY_LONG; k <= FAT_KEY_SHORT; k++)
		for (uint32_t i = fat_index_first(ix, k, h); i != FAT_INDEX_NONE;
		     i = fat_index_next(ix, k, i, h)) {
			uint64_t off = ix->ent[i].first_off;
			int r = fat_dir_next(v, dir, &off, e);
			if (r < 0)
				return r;
			if (r == 0 || e->first_off != ix->ent[i].first_off)
				return INDEX_STALE;
			if (entry_matches(e, name, len))
				return 0;
		}
	return -ENOENT;
}

/* A name was added to dir as e: into its index (out of memory: the index goes). */
static void index_note_add(struct fat_vol *v, struct fat_node *dir, const struct fat_entry *e)
{
	struct fat_dir_index *ix = dir_index(v, dir);
	int err = ix ? index_enter(ix, e) : 0;

	if (err && err != -EFBIG)
		fat_dir_index_drop(dir);
}

/* e goes from dir: out of its index (not found there: the index goes). */
static void index_note_remove(struct fat_vol *v, struct fat_node *dir, const struct fat_entry *e)
{
	struct fat_dir_index *ix = dir_index(v, dir);

	if (ix && !fat_index_remove(ix, (uint32_t)e->first_off, fat_index_hash(e->name, e->len)))
		fat_dir_index_drop(dir);
}

/* Is the short name name11 in ix? */
static bool index_short_taken(const struct fat_dir_index *ix, const uint8_t *name11)
{
	uint32_t h = short_key(name11);

	for (uint32_t i = fat_index_first(ix, FAT_KEY_SHORT, h); i != FAT_INDEX_NONE;
	     i = fat_index_next(ix, FAT_KEY_SHORT, i, h))
		if (!memcmp(ix->ent[i].name11, name11, FAT_SHORT_LEN))
			return true;
	return false;
}

/* ---------------------------------------------------------------- finding names */

int fat_dir_find(struct fat_vol *v, struct fat_node *dir, const char *name, size_t len,
		 struct fat_entry *e)
{
	uint64_t off = 0;
	int r;

	len = fat_name_check(name, len);
	if (len == 0)
		return -ENOENT;
	if (v->name_index && !dir->index && (r = index_build(v, dir, e)))
		return r;
	const struct fat_dir_index *ix = dir_index(v, dir);
	if (ix && (r = index_find(v, dir, ix, name, len, e)) != INDEX_STALE)
		return r;
	if (ix)
		fat_dir_index_drop(dir);
	while ((r = fat_dir_next(v, dir, &off, e)) == 1)
		if (entry_matches(e, name, len))
			return 0;
	return r < 0 ? r : -ENOENT;
}

/* Whether a short entry of dir has the name name11: 1, 0, or -EIO. */
static int short_taken(struct fat_vol *v, struct fat_node *dir, const uint8_t *name11)
{
	uint8_t de[FAT_DIRENT_SIZE];
	const struct fat_dir_index *ix = dir_index(v, dir);
	uint64_t pos;
	int err;

	if (ix)
		return index_short_taken(ix, name11);
	for (uint64_t off = 0;; off += FAT_DIRENT_SIZE) {
		if ((err = dir_pos(v, dir, off, false, &pos)))
			return err == -ENOENT ? 0 : err;
		if ((err = read_de(v, pos, de)))
			return err;
		if (de[0] == FAT_DE_END)
			return 0;
		if (de[0] != FAT_DE_FREE && !is_lfn(de) && !memcmp(de, name11, FAT_SHORT_LEN))
			return 1;
	}
}

#define HASH_TAIL_TRIES 64u   /* a directory holds 65536 entries: 64 misses in a row is damage */

/* FNV-1a of a name (the hashed short-name tail). */
static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

/* The short name for name (n UCS-2 characters): name11, and how many
 * long-name slots go with it. */
static int pick_short(struct fat_vol *v, struct fat_node *dir, const char *name, size_t len,
		      unsigned n, uint8_t *name11, unsigned *nslots)
{
	uint8_t base[FAT_SHORT_LEN], ntres;
	enum fat_sn k = fat_short_name(name, len, base, &ntres);
	int r;

	if (k == FAT_SN_BAD || (v->msdos && k == FAT_SN_TAIL))
		return -EINVAL; /* msdos: only names that are 8.3 already */
	if (v->msdos) {
		memcpy(name11, base, FAT_SHORT_LEN);
		*nslots = 0;
		r = short_taken(v, dir, name11);
		return r < 0 ? r : r ? -EEXIST : 0;
	}
	memcpy(name11, base, FAT_SHORT_LEN);
	*nslots = k == FAT_SN_EXACT ? 0 : (n + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;
	if (k != FAT_SN_TAIL) {
		if ((r = short_taken(v, dir, name11)) <= 0)
			return r;
		*nslots = (n + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;
	}
	for (unsigned i = 1; i <= FAT_NUMTAIL_MAX; i++) {
		memcpy(name11, base, FAT_SHORT_LEN);
		fat_short_tail(name11, i);
		if ((r = short_taken(v, dir, name11)) <= 0)
			return r;
	}
	/* then, as Linux, a hash of the long name: nearly always free at once */
	uint16_t h = (uint16_t)(name_hash(name, len) ^ name_hash(name, len) >> 16);
	for (unsigned i = 0; i < HASH_TAIL_TRIES; i++, h = (uint16_t)(h - 11)) {
		memcpy(name11, base, FAT_SHORT_LEN);
		fat_short_hash_tail(name11, h);
		if ((r = short_taken(v, dir, name11)) <= 0)
			return r;
	}
	return -ENOSPC;
}

/* The offset of the first run of need free entries (past the end if
 * none), looking from dir's free_hint on; the hint moves up to the
 * first free entry seen (none lies before it: a directory of N names
 * is not scanned again at every create). */
static int find_free_run(struct fat_vol *v, struct fat_node *dir, unsigned need, uint64_t *start)
{
	uint8_t de[FAT_DIRENT_SIZE];
	uint64_t off = dir->free_hint & ~(uint64_t)(FAT_DIRENT_SIZE - 1), pos;
	unsigned run = 0;
	bool seen_free = false;
	int err;

	for (;; off += FAT_DIRENT_SIZE) {
		if ((err = dir_pos(v, dir, off, false, &pos)))
			break;
		if ((err = read_de(v, pos, de)))
			return err;
		if (de[0] == FAT_DE_END || de[0] == FAT_DE_FREE) {
			if (!seen_free)
				dir->free_hint = off;
			seen_free = true;
			if (run++ == 0)
				*start = off;
			if (run == need)
				return 0;
		} else {
			run = 0;
		}
	}
	if (err != -ENOENT)
		return err;
	if (!seen_free)
		dir->free_hint = off;
	if (run == 0)
		*start = off;
	return 0;
}

int fat_dir_add(struct fat_vol *v, struct fat_node *dir, const char *name, size_t len,
		const uint8_t *tmpl, struct fat_entry *e)
{
	uint16_t ucs[FAT_NAME_MAX + 1];
	uint8_t name11[FAT_SHORT_LEN], slot[FAT_DIRENT_SIZE];
	unsigned nslots;
	uint64_t start, pos = 0;
	int err, n;

	if ((err = fat_vol_begin_change(v)))
		return err;
	len = fat_name_check(name, len);
	if (len == 0)
		return -EINVAL;
	if ((n = fat_utf8_to_ucs2(name, len, ucs, FAT_NAME_MAX + 1)) < 0)
		return len > FAT_NAME_MAX ? -ENAMETOOLONG : -EINVAL;
	if ((err = pick_short(v, dir, name, len, (unsigned)n, name11, &nslots)) ||
	    (err = find_free_run(v, dir, nslots + 1, &start)))
		return err;
	uint8_t csum = fat_lfn_checksum(name11);
	for (unsigned i = 0; i <= nslots; i++) {
		if ((err = dir_pos(v, dir, start + i * FAT_DIRENT_SIZE, true, &pos)))
			return err;
		if (i < nslots) {
			fat_lfn_slot(slot, ucs, (unsigned)n, nslots - 1 - i, nslots, csum);
		} else {
			memcpy(slot, tmpl, FAT_DIRENT_SIZE);
			memcpy(slot, name11, FAT_SHORT_LEN);
			slot[FAT_DE_NTRES] = 0;
		}
		if ((err = write_de(v, pos, slot)))
			return err;
	}
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	memcpy(e->de, slot, FAT_DIRENT_SIZE);
	e->first_off = start;
	e->off = start + nslots * FAT_DIRENT_SIZE;
	e->de_pos = pos;
	if (dir->free_hint == start)
		dir->free_hint = e->off + FAT_DIRENT_SIZE;
	index_note_add(v, dir, e);
	return 0;
}

int fat_dir_remove(struct fat_vol *v, struct fat_node *dir, const struct fat_entry *e)
{
	uint8_t mark = FAT_DE_FREE;
	uint64_t pos;
	int err;

	if ((err = fat_vol_begin_change(v)))
		return err;
	if (e->first_off < dir->free_hint)
		dir->free_hint = e->first_off;
	index_note_remove(v, dir, e);
	for (uint64_t off = e->first_off; off <= e->off; off += FAT_DIRENT_SIZE)
		if ((err = dir_pos(v, dir, off, false, &pos)) ||
		    (err = meta_write(v, pos, &mark, 1))) {
			fat_dir_index_drop(dir); /* half removed: scan from now on */
			return err == -ENOENT ? -EIO : err;
		}
	return 0;
}

int fat_dir_create(struct fat_vol *v, const struct fat_node *parent, int64_t now, uint32_t *clus)
{
	uint8_t de[FAT_DIRENT_SIZE];
	uint32_t c;
	int err;

	if ((err = fat_vol_begin_change(v)) || (err = clus_alloc(v, 0, true, &c)))
		return err;
	fat_de_init(de, dot_name, 0, FAT_ATTR_DIR, c, 0, now);
	if ((err = write_de(v, clus_pos(v, c), de)))
		return err;
	fat_de_init(de, dotdot_name, 0, FAT_ATTR_DIR, parent->is_root ? 0 : parent->first, 0, now);
	if ((err = write_de(v, clus_pos(v, c) + FAT_DIRENT_SIZE, de)))
		return err;
	*clus = c;
	return 0;
}

int fat_dir_set_parent(struct fat_vol *v, struct fat_node *dir, const struct fat_node *parent)
{
	uint8_t de[FAT_DIRENT_SIZE];
	uint64_t pos;
	int err;

	if ((err = dir_pos(v, dir, FAT_DIRENT_SIZE, false, &pos)) || (err = read_de(v, pos, de)))
		return err == -ENOENT ? -EIO : err;
	if (memcmp(de, dotdot_name, FAT_SHORT_LEN))
		return 0; /* no ".." to point (a damaged directory): leave it */
	fat_de_set_cluster(de, parent->is_root ? 0 : parent->first);
	return write_de(v, pos, de);
}

/* ---------------------------------------------------------------- file data */

/* From cluster c (the idx-th of n, read from byte off), the bytes of
 * the run of clusters that follow it on the disk, up to want: one cache
 * call, so one request for the run. Known runs are taken whole, the
 * rest is found in the FAT (and noted). n's hint moves to the run's
 * last cluster. */
static int clus_run(struct fat_vol *v, struct fat_node *n, uint32_t idx, uint32_t c, uint32_t off,
		    size_t want, size_t *len)
{
	uint32_t cs = v->b.cluster_size, last = c;
	size_t got = cs - off, limit = want < FAT_RUN_MAX ? want : FAT_RUN_MAX;
	int err;

	while (got < limit) {
		uint32_t kidx, kclus, contig, next;
		if (fat_runs_lookup(&n->runs, idx + 1, &kidx, &kclus, &contig) && kidx == idx + 1) {
			if (kclus != last + 1)
				break;
			uint32_t need = (uint32_t)((limit - got + cs - 1) / cs);
			uint32_t take = contig < need ? contig : need;
			last += take;
			idx += take;
			got += (size_t)take * cs;
			continue;
		}
		uint32_t k, need = (uint32_t)((limit - got + cs - 1) / cs);
		if ((err = fat_contig(v, last, need, &k)))
			return err;
		for (uint32_t j = 1; j <= k; j++)
			fat_runs_note(&n->runs, idx + j, last + j);
		if (k) {
			last += k;
			idx += k;
			got += (size_t)k * cs;
			continue;
		}
		if ((err = fat_next(v, last, &next)))
			return err;
		if (next)
			fat_runs_note(&n->runs, idx + 1, next);
		if (next != last + 1)
			break;
		last = next;
		idx++;
		got += cs;
	}
	n->hint_idx = idx;
	n->hint_clus = last;
	*len = got < want ? got : want;
	return 0;
}

/* A sequential read of n, [pos, pos + len): keep up to FAT_RA_BYTES
 * ahead of its end requested from the disk without waiting (topped up
 * once half of it is used, so each request is large), run by run of
 * contiguous clusters; the read itself then waits only for its own
 * pages while the disk works on the next ones. A cluster not found
 * stops it quietly (the read reports). */
static void file_readahead(struct fat_vol *v, struct fat_node *n, uint64_t pos, size_t len)
{
	uint32_t cs = v->b.cluster_size;
	uint64_t end = pos + len, target = end + FAT_RA_BYTES;

	if (n->ra_end < pos)
		n->ra_end = pos; /* the window fell behind (or starts): from here */
	if (n->ra_end >= end + FAT_RA_BYTES / 2 || n->ra_end >= n->size)
		return;
	if (target > n->size)
		target = n->size;
	/* n's hint stays where the reads are: in a file of many short runs
	 * the window's runs may push the read's own out of n->runs */
	uint32_t hint_idx = n->hint_idx, hint_clus = n->hint_clus;
	while (n->ra_end < target) {
		uint32_t c, idx = (uint32_t)(n->ra_end / cs), off = (uint32_t)(n->ra_end % cs);
		size_t run;
		if (node_cluster(v, n, idx, FIND_ONLY, &c) ||
		    clus_run(v, n, idx, c, off, (size_t)(target - n->ra_end), &run))
			break;
		bcache_readahead_async(v->dev, clus_pos(v, c) + off, run);
		n->ra_end += run;
	}
	n->hint_idx = hint_idx;
	n->hint_clus = hint_clus;
}

long fat_file_read(struct fat_vol *v, struct fat_node *n, uint64_t pos, void *buf, size_t len)
{
	uint32_t cs = v->b.cluster_size;
	size_t done = 0;
	bool seq = pos == n->ra_next;

	if (pos >= n->size)
		return 0;
	if (len > n->size - pos)
		len = (size_t)(n->size - pos);
	n->ra_next = pos + len;
	if (seq)
		file_readahead(v, n, pos, len);
	while (done < len) {
		uint32_t c, off = (uint32_t)(pos % cs), idx = (uint32_t)(pos / cs);
		size_t chunk = 0;
		int err = node_cluster(v, n, idx, FIND_ONLY, &c);
		if (err == -ENOENT)
			err = fat_vol_error(v, "file size beyond its clusters", n->first);
		if (!err)
			err = clus_run(v, n, idx, c, off, len - done, &chunk);
		if (!err)
			err = bcache_read(v->dev, clus_pos(v, c) + off, (uint8_t *)buf + done, chunk);
		if (err)
			return done ? (long)done : err;
		done += chunk;
		pos += chunk;
	}
	return (long)done;
}

/* Write len bytes (buf NULL: zeros) at pos, allocating clusters: the
 * count, or -errno when none. The zeros of a file's growth (FAT has no
 * holes) may be 4 GiB, whatever the caller's buffer: that walk gives up
 * the CPU and stops for SIGKILL with -EINTR (the size as far as it got),
 * as Linux's cont_expand_zero. A caller's bytes are FAT_BOUNCE at most
 * (fat_vfs.c checks between them). */
static long write_range(struct fat_vol *v, struct fat_node *n, uint64_t pos, const void *buf,
			size_t len)
{
	uint32_t cs = v->b.cluster_size;
	size_t done = 0;

	while (done < len) {
		if (!buf && done && io_should_stop())
			return -EINTR;
		uint32_t c, off = (uint32_t)(pos % cs);
		size_t chunk = cs - off < len - done ? cs - off : len - done;
		if (!buf && chunk > ZERO_CHUNK)
			chunk = ZERO_CHUNK;
		int err = node_cluster(v, n, (uint32_t)(pos / cs),
				       buf && off == 0 && chunk == cs ? ALLOC_WHOLE : ALLOC_ZEROED, &c);
		if (!err)
			err = vol_write(v, clus_pos(v, c) + off,
					   buf ? (const uint8_t *)buf + done : zeros, chunk);
		if (err)
			return done ? (long)done : err;
		done += chunk;
		pos += chunk;
		if (pos > n->size)
			n->size = (uint32_t)pos;
	}
	return (long)done;
}

/* The file zero-filled from its end to size (FAT has no holes): 0,
 * -ENOSPC when the volume fills first, -EINTR (SIGKILL), -EIO; the size
 * is as far as the zeros went. */
static int grow_zeros(struct fat_vol *v, struct fat_node *n, uint64_t size)
{
	if (size <= n->size)
		return 0;
	uint64_t gap = size - n->size;
	long r = write_range(v, n, n->size, NULL, (size_t)gap);
	if (r < 0)
		return (int)r;
	return (uint64_t)r < gap ? -ENOSPC : 0;
}

long fat_file_write(struct fat_vol *v, struct fat_node *n, uint64_t pos, const void *buf, size_t len)
{
	int err;

	if ((err = fat_vol_begin_change(v)))
		return err;
	if (pos >= FAT_MAX_FILE_SIZE)
		return len ? -EFBIG : 0;
	if (len > FAT_MAX_FILE_SIZE - pos)
		len = (size_t)(FAT_MAX_FILE_SIZE - pos);
	if ((err = grow_zeros(v, n, pos))) /* the gap reads back as zeros */
		return err;
	return write_range(v, n, pos, buf, len);
}

int fat_file_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size)
{
	uint32_t cs = v->b.cluster_size, keep, c, next;
	int err;

	if ((err = fat_vol_begin_change(v)))
		return err;
	if (size > FAT_MAX_FILE_SIZE)
		return -EFBIG;
	if (size > n->size) /* not fat_file_write's way: FAT's largest size, 4 GiB - 1, may be asked */
		return grow_zeros(v, n, size);
	keep = (uint32_t)((size + cs - 1) / cs);
	n->hint_clus = n->hint_idx = 0;
	fat_runs_trim(&n->runs, keep);
	if (keep == 0) {
		err = chain_free(v, n->first);
		n->first = 0;
		fat_runs_clear(&n->runs);
	} else if (!(err = node_cluster(v, n, keep - 1, FIND_ONLY, &c)) &&
		   !(err = fat_next(v, c, &next))) {
		n->hint_clus = n->hint_idx = 0;
		if (next && !(err = fat_set(v, c, fat_eoc(v->b.kind) | 7)))
			err = chain_free(v, next);
	} else if (err == -ENOENT) {
		err = 0; /* the chain is already shorter */
	}
	if (!err)
		n->size = (uint32_t)size;
	return err;
}

int fat_node_free(struct fat_vol *v, struct fat_node *n)
{
	int err = fat_vol_begin_change(v);

	if (!err && n->first)
		err = chain_free(v, n->first);
	n->first = 0;
	n->hint_clus = n->hint_idx = 0;
	fat_runs_clear(&n->runs);
	return err;
}

int fat_node_update(struct fat_vol *v, const struct fat_node *n, int64_t t)
{
	uint8_t de[FAT_DIRENT_SIZE];
	int err;

	if (!n->de_pos)
		return 0;
	if ((err = fat_vol_begin_change(v)) || (err = read_de(v, n->de_pos, de)))
		return err;
	fat_de_set_cluster(de, n->first);
	if (!n->is_dir)
		fat_put32(de + FAT_DE_SIZE, n->size);
	if (t >= 0)
		fat_de_touch(de, t);
	return write_de(v, n->de_pos, de);
}

int fat_node_set_attrs(struct fat_vol *v, const struct fat_node *n, int ro, int64_t mtime,
		       int64_t atime)
{
	uint8_t de[FAT_DIRENT_SIZE];
	uint16_t d, tm;
	int err;

	if (!n->de_pos)
		return 0; /* the root, or a file whose name is gone: nowhere to keep them */
	if ((err = fat_vol_begin_change(v)) || (err = read_de(v, n->de_pos, de)))
		return err;
	if (ro >= 0)
		de[FAT_DE_ATTR] = (uint8_t)(ro ? de[FAT_DE_ATTR] | FAT_ATTR_RO
					       : de[FAT_DE_ATTR] & ~FAT_ATTR_RO);
	if (mtime >= 0) {
		fat_unix_to_time(mtime, &d, &tm);
		fat_put16(de + FAT_DE_MTIME, tm);
		fat_put16(de + FAT_DE_MDATE, d);
	}
	if (atime >= 0) {
		fat_unix_to_time(atime, &d, &tm);
		fat_put16(de + FAT_DE_ADATE, d);
	}
	return write_de(v, n->de_pos, de);
}
