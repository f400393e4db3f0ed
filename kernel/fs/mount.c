// SPDX-License-Identifier: MIT
/*
 * Kestrel: the mount table (fs/fstype.h). Every file system the walk can
 * reach has an entry, in mount order: the root (the RAM root from the
 * boot archive, or a disk one with root=), /dev, /proc and /sys (type
 * NULL, never unmounted), and the disk file systems mount(2) and the
 * boot mount (root=, /boot/efi). A mount covers a directory by setting
 * its inode's mounted (walks cross it downwards, namei.c) and gives the
 * mounted root the covered directory's parent and name, so ".." from
 * the root leaves the file system and getcwd names the path, as
 * procfs_mount does for /proc.
 *
 * Lock rule (fstype.h): the table is changed by mount and umount system
 * calls and at boot, on the one CPU, never preempted in kernel mode; a
 * file system's mount, sync and kill may sleep, so a change is made
 * whole after they return.
 */
#include "fs/fstype.h"
#include "fs/inotify.h"
#include "fs/fsops.h"
#include "block/bcache.h"
#include "fs/blkdev_file.h"
#include "fs/mfile.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/guid.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/fcntl.h"
#include "log.h"

/*
 * The file system types are weak references: a kernel linked without
 * one (issue 13's file systems were written alongside this table)
 * answers mount(2) for it with -ENODEV, with no stub to remove later.
 */
#pragma weak vfat_fs_type
#pragma weak msdos_fs_type
#pragma weak ext2_fs_type

#define SYSTEM_DIR_MODE 0555

static struct mount *mounts;      /* in mount order */
static struct blkdev *esp_dev;    /* the partition the loader came from, once mounted */
static unsigned next_id = 1;
static unsigned mount_event;      /* the table's changes (Linux's mnt_namespace event) */

/* ---------------------------------------------------------------- the table */

/* Every type mount(2) can name, the order `-t auto` tries them in:
 * ext2's magic is unambiguous, FAT's boot sector is checked last. */
static const struct fs_type *linked_type(int i)
{
	const struct fs_type *types[] = { &ext2_fs_type, &vfat_fs_type, &msdos_fs_type };

	return i < (int)(sizeof(types) / sizeof(types[0])) ? types[i] : NULL;
}
#define NTYPES 3

const struct fs_type *fs_type_find(const char *name)
{
	for (int i = 0; i < NTYPES; i++) {
		const struct fs_type *t = linked_type(i);
		if (t && strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

/* The kernel's own file system types, before the disk ones linked in:
 * /proc/filesystems's "nodev" lines and sysfs(2)'s first indexes. */
static const char *const nodev_types[] = { "sysfs", "ramfs", "proc", "mqueue" };
#define NNODEV (int)(sizeof(nodev_types) / sizeof(nodev_types[0]))

const char *fs_type_name(int index, bool *nodev)
{
	if (index < 0)
		return NULL;
	*nodev = index < NNODEV;
	if (index < NNODEV)
		return nodev_types[index];
	for (int i = 0, k = NNODEV; i < NTYPES; i++) {
		const struct fs_type *t = linked_type(i);
		if (t && k++ == index)
			return t->name;
	}
	return NULL;
}

int fs_type_count(void)
{
	bool nodev;
	int n = 0;

	while (fs_type_name(n, &nodev))
		n++;
	return n;
}

struct inode *vfs_mount_root_by_dev(unsigned major, unsigned minor)
{
	for (struct mount *m = mounts; m; m = m->next) {
		uint32_t dev = m->root->fs->dev;
		if (RDEV_MAJOR(dev) == major && RDEV_MINOR(dev) == minor)
			return inode_get(m->root);
	}
	return NULL;
}

/* The table changed: /proc/mounts and mountinfo poll POLLPRI (procfs.c). */
static void table_changed(void)
{
	__atomic_add_fetch(&mount_event, 1, __ATOMIC_RELAXED);
	io_event();
}

unsigned vfs_mount_event(void)
{
	return __atomic_load_n(&mount_event, __ATOMIC_RELAXED);
}

/* Append m to the table with the next mount id. */
static void table_add(struct mount *m)
{
	struct mount **pp = &mounts;

	while (*pp)
		pp = &(*pp)->next;
	m->id = next_id++;
	m->next = NULL;
	*pp = m;
	table_changed();
}

static void table_remove(struct mount *m)
{
	for (struct mount **pp = &mounts; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			table_changed();
			return;
		}
}

struct mount *vfs_mounts(void)
{
	return mounts;
}

struct mount *vfs_mount_of(const struct inode *root)
{
	for (struct mount *m = mounts; m; m = m->next)
		if (m->root == root)
			return m;
	return NULL;
}

struct mount *vfs_mount_by_fs(const struct fs_info *fs)
{
	for (struct mount *m = mounts; m; m = m->next)
		if (m->root->fs == fs)
			return m;
	return NULL;
}

struct mount *vfs_mount_esp_get(void)
{
	for (struct mount *m = mounts; m && esp_dev; m = m->next)
		if (m->dev == esp_dev)
			return m; /* wherever it is now mounted */
	return NULL;
}

void vfs_mount_note(struct inode *root, struct inode *mountpoint, const char *source)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return; /* only /proc/mounts misses it */
	m->root = root;
	m->mountpoint = mountpoint;
	m->read_only = root->fs->read_only;
	strlcpy(m->source, source, sizeof(m->source));
	table_add(m);
}

/* ---------------------------------------------------------------- covering a directory */

/* Make root stand where at is: at->mounted takes over the caller's
 * reference to root, the mount keeps one on at, and root gets at's
 * parent and name. 0 or -ENOMEM (nothing changed). */
static int cover(struct mount *m, struct inode *at, struct inode *root)
{
	char *name = NULL;

	if (at->name) {
		size_t len = strlen(at->name);
		if (!(name = kmalloc(len + 1)))
			return -ENOMEM;
		memcpy(name, at->name, len + 1);
	}
	struct inode *old = root->parent;
	root->parent = inode_get(at->parent ? at->parent : at);
	if (old && old != root)
		inode_put(old);
	kfree(root->name);
	root->name = name;
	at->mounted = root;
	m->mountpoint = inode_get(at);
	return 0;
}

/* Undo cover: at is bare again, root its own parent. The mount's
 * reference to root is handed back to the caller. */
static void uncover(struct mount *m)
{
	struct inode *root = m->root;

	m->mountpoint->mounted = NULL;
	inode_put(m->mountpoint);
	m->mountpoint = NULL;
	if (root->parent && root->parent != root)
		inode_put(root->parent);
	root->parent = root;
	kfree(root->name);
	root->name = NULL;
}

/* ---------------------------------------------------------------- mounting */

static bool dev_mounted(const struct blkdev *dev)
{
	for (struct mount *m = mounts; m; m = m->next)
		if (m->dev && (m->dev == dev || m->dev->whole == dev || dev->whole == m->dev))
			return true;
	return false;
}

/* Mount dev with type, or (type NULL) with each linked type until one
 * recognises it: 0 with *used, -ENODEV (no such type linked), -EINVAL
 * (no type recognised it), or the file system's error. */
static int try_types(struct blkdev *dev, const struct fs_type *type, bool ro, const char *opts,
		     struct inode **root, void **sb, const struct fs_type **used)
{
	int err = -ENODEV;

	for (int i = 0; i < NTYPES; i++) {
		const struct fs_type *t = type ? type : linked_type(i);
		if (t && t->mount) {
			err = t->mount(dev, ro, opts, root, sb);
			if (err != -EINVAL || type) {
				*used = t;
				return err;
			}
		}
		if (type)
			break;
	}
	return err;
}

/* A new mount of dev (not yet in the table, covering nothing). */
static int mount_new(struct blkdev *dev, const struct fs_type *type, bool ro, const char *opts,
		     struct mount **out)
{
	struct mount *m = kzalloc(sizeof(*m));
	const struct fs_type *used = NULL;

	if (!m)
		return -ENOMEM;
	if (dev->read_only)
		ro = true;
	int err = try_types(dev, type, ro, opts, &m->root, &m->sb, &used);
	if (err) {
		kfree(m);
		return err;
	}
	m->type = used;
	m->dev = dev;
	m->forced_ro = m->root->fs->read_only && !ro;
	m->read_only = m->root->fs->read_only || ro;
	/* fs_info is the file system's, one per mount: its read_only is what
	 * every write path checks, so MS_RDONLY holds whatever the type did */
	if (m->root->fs->read_only != m->read_only)
		((struct fs_info *)m->root->fs)->read_only = m->read_only;
	ksnprintf(m->source, sizeof(m->source), "/dev/%s", dev->name);
	*out = m;
	return 0;
}

/* Give back a mount that never went into the table. */
static void mount_drop(struct mount *m)
{
	if (!m->read_only)
		m->type->sync(m->sb, true);
	inode_put(m->root);
	m->type->kill(m->sb);
	bcache_invalidate_dev(m->dev);
	kfree(m);
}

int vfs_mount_dev(struct blkdev *dev, const struct fs_type *type, struct inode *at, bool read_only,
		  const char *opts)
{
	struct mount *m;

	if (!dev)
		return -ENXIO;
	if (!S_ISDIR(at->mode))
		return -ENOTDIR;
	if (at->mounted || dev_mounted(dev))
		return -EBUSY;
	int err = mount_new(dev, type, read_only, opts, &m);
	if (err)
		return err;
	if (at->mounted || (err = cover(m, at, m->root))) { /* the mount slept: check again */
		mount_drop(m);
		return err ? err : -EBUSY;
	}
	table_add(m);
	char where[128];
	long n = vfs_path_of(m->root, where, sizeof(where));
	klog(LOG_INFO, "mount: %s (%s%s) on %s\n", m->source, m->type->name,
	     m->read_only ? ", read-only" : "", n > 0 ? where : "?");
	return 0;
}

int vfs_mount_tmpfs(const char *source, struct inode *at, bool read_only, const char *opts)
{
	struct mount *m;
	struct inode *root;

	if (!S_ISDIR(at->mode))
		return -ENOTDIR;
	if (at->mounted)
		return -EBUSY;
	if (!(m = kzalloc(sizeof(*m))))
		return -ENOMEM;
	int err = ramfs_mount(opts, &root);
	if (!err && (err = cover(m, at, root))) {
		ramfs_kill(root);
		inode_put(root);
	}
	if (err) {
		kfree(m);
		return err;
	}
	m->root = root;
	m->tmpfs = true;
	m->read_only = read_only;
	((struct fs_info *)root->fs)->read_only = read_only; /* its own: see mount_new */
	strlcpy(m->source, source, sizeof(m->source));
	table_add(m);
	return 0;
}

int vfs_mount_kernfs(const char *source, struct inode *at, struct inode *root)
{
	struct mount *m;

	if (!S_ISDIR(at->mode))
		return -ENOTDIR;
	if (at->mounted || vfs_mount_of(root))
		return -EBUSY;
	if (!(m = kzalloc(sizeof(*m))))
		return -ENOMEM;
	int err = cover(m, at, inode_get(root));
	if (err) {
		inode_put(root);
		kfree(m);
		return err;
	}
	m->root = root;
	m->kernfs = true;
	strlcpy(m->source, source, sizeof(m->source));
	table_add(m);
	return 0;
}

/* ---------------------------------------------------------------- what is in use */

struct busy_scan {
	const struct fs_info *fs;
	bool writers_only;  /* only files open for writing count */
	bool busy;
};

static void scan_process(struct process *p, void *arg)
{
	struct busy_scan *s = arg;

	if (!s->writers_only && p->cwd && p->cwd->fs == s->fs)
		s->busy = true;
	struct fdtable *t = p->files;
	if (!t)
		return;
	/* under the table's lock: a close without the kernel lock may free
	 * a RAM file as soon as its slot is empty (fs/vfs.h's lock rule) */
	uint64_t fl = spin_lock_irqsave(&t->lock);
	for (int fd = 0; fd < t->size && !s->busy; fd++) {
		struct file *f = t->fd[fd];
		if (f && f->inode && f->inode->fs == s->fs &&
		    (!s->writers_only || (f->flags & O_ACCMODE) != O_RDONLY))
			s->busy = true;
	}
	spin_unlock_irqrestore(&t->lock, fl);
}

/* Does a process have a cwd or an open file (writers_only: open for
 * writing) on m's file system, or is another file system mounted in it? */
static bool mount_busy(const struct mount *m, bool writers_only)
{
	struct busy_scan s = { m->root->fs, writers_only, false };

	if (!writers_only)
		for (const struct mount *o = mounts; o; o = o->next)
			if (o != m && o->mountpoint && o->mountpoint->fs == s.fs)
				return true;
	process_for_each(scan_process, &s);
	return s.busy;
}

/* ---------------------------------------------------------------- unmounting, remounting */

int vfs_umount(struct inode *root)
{
	struct mount *m = vfs_mount_of(root);
	int err = 0;

	if (!m || !m->mountpoint)
		err = -EINVAL;
	else if (m->kernfs)
		; /* its files stay the kernel's: only the view goes */
	else if ((!m->type && !m->tmpfs) || mount_busy(m, false))
		err = -EBUSY; /* the kernel's own (/proc, /sys, /dev) stay */
	else if (m->tmpfs && ramfs_mapped(m->root))
		err = -EBUSY; /* a file of it is mapped (Linux: the region holds the file) */
	else if (m->type && (err = mfile_release_fs(m->root->fs)) == -EBUSY)
		; /* likewise */
	else if (m->type && !m->read_only && m->type->sync(m->sb, true))
		err = -EIO;
	if (err) {
		if (err == -EIO)
			klog(LOG_ERR, "mount: %s: write-back failed; still mounted\n", m->source);
		inode_put(root);
		return err;
	}
	uncover(m);
	table_remove(m);
	if (m->kernfs) {
		inode_put(root);    /* the caller's */
		inode_put(m->root); /* cover's (the kernel keeps its own) */
		kfree(m);
		return 0;
	}
	inotify_unmount(m->root->fs); /* IN_UNMOUNT, IN_IGNORED: its watches go first */
	inode_put(root);    /* the caller's */
	if (m->tmpfs)
		ramfs_kill(m->root);
	inode_put(m->root); /* the mount's: the file system's inodes are all gone now */
	if (m->type)
		m->type->kill(m->sb);
	if (m->type && bcache_invalidate_dev(m->dev))
		klog(LOG_WARN, "mount: %s: cached blocks could not be dropped\n", m->source);
	if (!m->tmpfs) /* a disk's comings and goings are news; a tmpfs's are not */
		klog(LOG_INFO, "mount: %s unmounted\n", m->source);
	kfree(m);
	return 0;
}

int vfs_remount(struct inode *root, bool read_only)
{
	struct mount *m = vfs_mount_of(root);

	if (!m || (!m->type && !m->tmpfs))
		return -EINVAL;
	if (read_only == m->read_only)
		return 0;
	if (!read_only && m->forced_ro)
		return -EROFS;
	if (read_only && mount_busy(m, true))
		return -EBUSY; /* Linux: a file open for writing keeps it read-write */
	if (read_only && m->type && m->type->sync(m->sb, false))
		return -EIO;
	int err = m->type && m->type->remount ? m->type->remount(m->sb, read_only) : 0;
	if (err)
		return err;
	((struct fs_info *)root->fs)->read_only = read_only; /* as in mount_new */
	m->read_only = read_only;
	table_changed(); /* its options changed */
	klog(LOG_INFO, "mount: %s remounted %s\n", m->source, read_only ? "read-only" : "read-write");
	return 0;
}

/* ---------------------------------------------------------------- sync */

int vfs_sync_all(void)
{
	int first = mfile_sync_all(); /* mapped pages first: they are file data */

	for (struct mount *m = mounts; m; m = m->next) {
		if (!m->type || m->read_only)
			continue;
		int err = m->type->sync(m->sb, false);
		if (err && !first)
			first = err;
	}
	int err = bcache_sync_all();
	return first ? first : err;
}

/* The disk mount holding ip, or NULL for a file system in memory. */
static struct mount *disk_mount_of(const struct inode *ip)
{
	struct mount *m = vfs_mount_by_fs(ip->fs);

	return m && m->type ? m : NULL;
}

bool vfs_on_disk(const struct inode *ip)
{
	return disk_mount_of(ip) != NULL;
}

int vfs_syncfs(struct inode *ip)
{
	struct mount *m = disk_mount_of(ip);

	if (!m || m->read_only)
		return 0;
	int err = m->type->sync(m->sb, false);
	int err2 = bcache_sync_dev(m->dev);
	return err ? err : err2;
}

int vfs_fsync(struct inode *ip, bool datasync)
{
	struct mount *m = disk_mount_of(ip);

	if (S_ISBLK(ip->mode))
		return blkdev_file_fsync(ip); /* a disk itself: its cache (fs/blkdev_file.c) */
	if (!m || m->read_only)
		return 0;
	int err = mfile_sync_inode(ip);
	if (err)
		return err;
	if (m->type->fsync)
		return m->type->fsync(ip, datasync);
	return vfs_syncfs(ip);
}

bool file_can_fsync(const struct file *f)
{
	const struct inode *ip = f->inode;

	return ip && (S_ISREG(ip->mode) || S_ISDIR(ip->mode) || S_ISBLK(ip->mode));
}

/* ---------------------------------------------------------------- boot */

/* The device spec names: "/dev/vda1", "vda1" or "PARTUUID=<guid>". */
static struct blkdev *find_spec(const char *spec)
{
	static const char partuuid[] = "PARTUUID=";
	uint8_t guid[16];

	if (strncmp(spec, partuuid, sizeof(partuuid) - 1) == 0) {
		const char *g = spec + sizeof(partuuid) - 1;
		if (!guid_parse(g, strlen(g), guid))
			return NULL;
		return blkdev_find_guid(guid);
	}
	return blkdev_find(spec);
}

/* The directory path on root, made (mode) if missing: a reference, or NULL. */
static struct inode *system_dir(struct inode *root, const char *path, uint32_t mode)
{
	struct inode *ip;

	if (vfs_walk(root, path, WALK_DIR, &ip) == 0)
		return ip;
	int err = vfs_mkdir(root, path, mode);
	if (err == 0 && vfs_walk(root, path, WALK_DIR, &ip) == 0)
		return ip;
	klog(LOG_WARN, "mount: cannot make %s on the root (error %d)\n", path, err);
	return NULL;
}

/* Enter the /dev/pts devfs_populate mounted in the directory dev into the
 * table; the one devpts mounted again under a second /dev (root=) moves
 * its entry there. */
static void note_devpts(struct inode *dev)
{
	struct inode *pts;
	struct mount *m;

	if (!dev->ops->lookup || dev->ops->lookup(dev, "pts", 3, &pts))
		return;
	if (!pts->mounted) {
		inode_put(pts);
	} else if (!(m = vfs_mount_of(pts->mounted))) {
		vfs_mount_note(pts->mounted, pts, "devpts"); /* keeps pts's reference */
	} else {
		inode_put(m->mountpoint);
		m->mountpoint = pts; /* the entry keeps pts's reference */
	}
}

/* Put the RAM /dev on root's /dev: a tmpfs of its own, as Linux's
 * devtmpfs is another file system than the root's (its own st_dev,
 * statfs TMPFS_MAGIC, handles of other file systems stale there), made
 * by devfs_populate in a directory of it. Not a tmpfs mount (m->tmpfs):
 * an umount of /dev leaves its nodes, as Linux keeps devtmpfs. */
#define DEV_TMPFS_OPTS "mode=0755" /* the file system's root; /dev is a directory in it */

static void mount_ram_dev(struct inode *root)
{
	struct inode *at = system_dir(root, "/dev", 0755), *ram, *dev;
	struct mount *m;

	if (!at || at->mounted || ramfs_mount(DEV_TMPFS_OPTS, &ram) != 0) {
		inode_put(at);
		return;
	}
	devfs_populate(ram); /* ram/dev; ram itself stays for good, holding dev's entry */
	if (vfs_walk(ram, "dev", WALK_DIR, &dev) == 0) {
		if ((m = kzalloc(sizeof(*m))) && cover(m, at, dev) == 0) {
			m->root = dev;
			strlcpy(m->source, "devtmpfs", sizeof(m->source));
			table_add(m);
			note_devpts(dev);
		} else {
			kfree(m);
			inode_put(dev);
		}
	}
	inode_put(at);
}

/* Mount a kernel file system (procfs_mount, sysfs_mount) on root's
 * directory path, made if missing; the table keeps the reference on the
 * covered directory (a disk file system's inode must stay in memory). */
static void mount_kernel_fs(struct inode *root, const char *path, void (*mount)(struct inode *),
			    const char *source)
{
	struct inode *at = system_dir(root, path, SYSTEM_DIR_MODE);

	if (!at)
		return;
	if (at->mounted) {
		inode_put(at);
		return;
	}
	mount(at);
	if (at->mounted)
		vfs_mount_note(at->mounted, at, source); /* keeps at's reference */
	else
		inode_put(at);
}

void vfs_mount_note_boot(struct inode *root)
{
	static const char *const dirs[][2] = { { "proc", "proc" }, { "sys", "sysfs" } };

	if (!vfs_mount_of(root))
		vfs_mount_note(root, NULL, "ramfs");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct inode *at; /* looked up without crossing the mount */
		if (!root->ops->lookup || root->ops->lookup(root, dirs[i][0], strlen(dirs[i][0]), &at))
			continue;
		if (at->mounted && !vfs_mount_of(at->mounted))
			vfs_mount_note(at->mounted, at, dirs[i][1]);
		inode_put(at); /* a RAM directory lives on in its parent */
	}
	mount_ram_dev(root);
}

int vfs_mount_root(const char *spec, const char *type_name)
{
	const struct fs_type *type = type_name ? fs_type_find(type_name) : NULL;
	struct blkdev *dev = find_spec(spec);
	struct mount *m;
	int err;

	if (type_name && !type)
		err = -ENODEV;
	else if (!dev)
		err = -ENXIO;
	else
		err = mount_new(dev, type, false, NULL, &m);
	if (err) {
		klog(LOG_ERR, "mount: root=%s: %s (error %d); using the boot archive\n", spec,
		     err == -ENXIO ? "no such device" : err == -ENODEV ? "no such file system type"
			     : "cannot mount it", err);
		return err;
	}
	if (m->root->parent && m->root->parent != m->root)
		inode_put(m->root->parent);
	m->root->parent = m->root;
	vfs_set_root(m->root);
	table_add(m);
	klog(LOG_INFO, "mount: root %s (%s%s)\n", m->source, m->type->name,
	     m->read_only ? ", read-only" : "");
	mount_ram_dev(m->root);
	mount_kernel_fs(m->root, "/proc", procfs_mount, "proc");
	mount_kernel_fs(m->root, "/sys", sysfs_mount, "sysfs");
	return 0;
}

int vfs_mount_esp(const uint8_t guid[16])
{
	char text[GUID_TEXT_LEN + 1];
	struct blkdev *dev = blkdev_find_guid(guid);
	const struct fs_type *vfat = fs_type_find("vfat");
	struct inode *at;

	guid_format(guid, text);
	if (!dev || !vfat) {
		klog(LOG_INFO, "mount: boot partition %s: %s; /boot/efi not mounted\n", text,
		     !dev ? "not found" : "no vfat file system");
		return !dev ? -ENXIO : -ENODEV;
	}
	if (!(at = system_dir(vfs_root(), "/boot", 0755)))
		return -ENOENT;
	inode_put(at);
	if (!(at = system_dir(vfs_root(), "/boot/efi", 0755)))
		return -ENOENT;
	int err = vfs_mount_dev(dev, vfat, at, false, NULL);
	if (!err)
		esp_dev = dev;
	else
		klog(LOG_WARN, "mount: boot partition /dev/%s: error %d; /boot/efi not mounted\n",
		     dev->name, err);
	inode_put(at);
	return err;
}
