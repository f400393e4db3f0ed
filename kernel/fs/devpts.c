// SPDX-License-Identifier: MIT
/*
 * Kestrel: /dev/pts, as Linux's devpts. The directory holds "ptmx"
 * (TTYAUX_MAJOR:2, mode 0000 as Linux mounts it) and one node per live
 * pseudo-terminal, N for 136:N, made when /dev/ptmx is opened
 * (devpts_new) and removed when the pair is gone (devpts_kill). Nothing
 * is stored in inodes: a lookup makes a transient inode from the table
 * below, so chmod and chown (grantpt, by hand) are written back to it.
 * Opening a node lands in devfs_open by device number, which hands 136:N
 * to the pty driver (dev/pty.c).
 */
#include "fs/devpts.h"
#include "fs/inode.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DEVPTS_MAGIC    0x1cd1u  /* statfs's f_type: glibc checks it for /dev/pts */
#define DEVPTS_DEV      23       /* st_dev of its inodes (RDEV(0, 23)) */
#define DEVPTS_INO_PTMX 2
#define DEVPTS_INO_BASE 3        /* /dev/pts/N is inode N + 3 */
#define AUX_ROOT        -1L
#define AUX_PTMX        -2L

static const struct fs_info devpts_fs = { .name = "devpts", .dev = DEVPTS_DEV,
					  .magic = DEVPTS_MAGIC, .pseudo = true };

/* One slave node. Lock rule: the kernel lock (see devpts.h). */
struct pts_node {
	bool used;                   /* the index is taken */
	bool visible;                /* the node is in /dev/pts (until its master closes) */
	uint32_t uid, gid, mode;     /* permission bits only */
	struct vfs_time ctime;
};

static struct pts_node pts[DEVPTS_MAX];
static struct inode *pts_root;
static const struct inode_ops devpts_ops;

int devpts_new(void)
{
	const struct cred *c = current_cred();

	for (int i = 0; i < DEVPTS_MAX; i++) {
		if (pts[i].used)
			continue;
		pts[i] = (struct pts_node){ true, true, c->fsuid, DEVPTS_GID, DEVPTS_MODE, vfs_now() };
		return i;
	}
	return -ENOSPC;
}

void devpts_hide(int index)
{
	if (index >= 0 && index < DEVPTS_MAX)
		pts[index].visible = false;
}

void devpts_kill(int index)
{
	if (index >= 0 && index < DEVPTS_MAX)
		pts[index].used = pts[index].visible = false;
}

/* Index i has a node in /dev/pts. */
static bool shown(int i)
{
	return pts[i].used && pts[i].visible;
}

/* A new transient inode for a node (aux: an index, or AUX_PTMX). */
static struct inode *node_inode(long aux)
{
	bool ptmx = aux == AUX_PTMX;
	struct inode *ip = inode_alloc(&devpts_fs, &devpts_ops, S_IFCHR);

	if (!ip)
		return NULL;
	ip->transient = true;
	ip->nlink = 1;
	ip->aux = aux;
	ip->ino = ptmx ? DEVPTS_INO_PTMX : DEVPTS_INO_BASE + (uint64_t)aux;
	ip->rdev = ptmx ? RDEV(TTYAUX_MAJOR, PTMX_MINOR) : RDEV(UNIX98_PTY_SLAVE_MAJOR, aux);
	if (ptmx) {
		ip->uid = ip->gid = 0;
		return ip; /* mode 0: only root opens /dev/pts/ptmx, as Linux's default ptmxmode */
	}
	ip->uid = pts[aux].uid;
	ip->gid = pts[aux].gid;
	ip->mode |= pts[aux].mode;
	ip->atime = ip->mtime = ip->ctime = pts[aux].ctime;
	return ip;
}

struct inode *devpts_inode(int index)
{
	if (index < 0 || index >= DEVPTS_MAX || !shown(index))
		return NULL;
	return node_inode(index);
}

/* The index a name spells ("0", "17"; no sign, no leading zero), or -1. */
static int parse_index(const char *name, size_t len)
{
	int v = 0;

	if (len == 0 || len > 4 || (name[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v < DEVPTS_MAX ? v : -1;
}

static int devpts_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	int i = parse_index(name, len);

	(void)dir;
	if (len == 4 && memcmp(name, "ptmx", 4) == 0)
		*out = node_inode(AUX_PTMX);
	else if (i >= 0 && shown(i))
		*out = node_inode(i);
	else
		return -ENOENT;
	return *out ? 0 : -ENOMEM;
}

/* Positions: 0 ".", 1 "..", 2 "ptmx", 3 + N the node N. */
static int devpts_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	char name[12];

	if (!vfs_emit_dots(dir, pos, emit, ctx))
		return 0;
	if (*pos == 2) {
		if (!emit(ctx, "ptmx", 4, DEVPTS_INO_PTMX, DT_CHR, 3))
			return 0;
		*pos = 3;
	}
	for (uint64_t i = *pos - 3; i < DEVPTS_MAX; i++) {
		if (!shown((int)i))
			continue;
		int len = ksnprintf(name, sizeof(name), "%u", (unsigned)i);
		if (!emit(ctx, name, (size_t)len, DEVPTS_INO_BASE + i, DT_CHR, i + 4))
			return 0;
		*pos = i + 4;
	}
	*pos = DEVPTS_MAX + 3;
	return 0;
}

/* chmod and chown of a node: kept in the table for the next lookup. */
static int devpts_setattr(struct inode *ip, struct iattr *a)
{
	if (ip->aux < 0)
		return ip->aux == AUX_ROOT ? -EPERM : 0;
	struct pts_node *n = &pts[ip->aux];
	if (a->valid & ATTR_MODE)
		n->mode = a->mode & S_IALLUGO;
	if (a->valid & ATTR_UID)
		n->uid = a->uid;
	if (a->valid & ATTR_GID)
		n->gid = a->gid;
	n->ctime = vfs_now();
	return 0;
}

static int devpts_open(struct inode *ip, struct file *f)
{
	if (S_ISDIR(ip->mode)) {
		f->ops = &dir_file_ops;
		return 0;
	}
	return devfs_open(ip, f);
}

static const struct inode_ops devpts_ops = {
	.lookup = devpts_lookup,
	.iterate = devpts_iterate,
	.setattr = devpts_setattr,
	.open = devpts_open,
};

/* One devpts instance: a second /dev (root= puts a RAM /dev on the disk
 * root after the boot archive's) mounts the same directory, whose ".."
 * becomes the new /dev. */
void devpts_mount(struct inode *dir)
{
	if (pts_root) {
		inode_put(pts_root->parent);
		pts_root->parent = inode_get(dir->parent);
		dir->mounted = inode_get(pts_root);
		return;
	}
	if (!(pts_root = inode_alloc(&devpts_fs, &devpts_ops, S_IFDIR | 0755)))
		return;
	pts_root->uid = pts_root->gid = 0;
	pts_root->aux = AUX_ROOT;
	pts_root->ino = 1;
	pts_root->nlink = 2;
	pts_root->parent = inode_get(dir->parent);
	pts_root->name = kmalloc(sizeof("pts"));
	if (pts_root->name)
		memcpy(pts_root->name, "pts", sizeof("pts"));
	dir->mounted = pts_root; /* the mount's reference: pts_root's first */
}
