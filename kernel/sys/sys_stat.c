// SPDX-License-Identifier: MIT
/*
 * Kestrel: the metadata system calls: the stat family (struct stat and
 * struct statx exactly as x86_64 Linux lays them out), statfs, access,
 * umask, chmod, chown and the timestamp setters.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "fs/inode.h"
#include "fs/fstype.h"
#include "uapi/mount.h"
#include "time/time.h"
#include "fs/fsops.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "mm/heap.h"
#include "net/unix.h"
#include "mm/pmm.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"
#include "uapi/limits.h"

#define BLOCK_SIZE   4096
#define SECTOR       512
#define STATX_ATTR_MASK 0

struct linux_timespec {
	int64_t sec, nsec;
};

/* x86_64 struct stat: 144 bytes. */
struct linux_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct linux_timespec st_atim, st_mtim, st_ctim;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "struct stat is 144 bytes on x86_64");

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

/* struct statx: 256 bytes. */
struct linux_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");

/* x86_64 struct statfs: 120 bytes. */
struct linux_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "struct statfs is 120 bytes on x86_64");

/* Linux's dev_t encoding (new_encode_dev). */
static uint64_t encode_dev(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | ((uint64_t)(major & 0xfff) << 8) | ((uint64_t)(minor & ~0xffu) << 12) |
	       ((uint64_t)(major & ~0xfffu) << 32);
}

/* What stat reports, from an inode or (for a pipe) from nothing. */
struct kstat {
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
	uint64_t ino, nlink, size, blocks;
	uint32_t mode, uid, gid;
	struct vfs_time atime, mtime, ctime;
};

static void kstat_of(const struct inode *ip, const struct file *f, struct kstat *k)
{
	memset(k, 0, sizeof(*k));
	if (!ip && f && unix_is_socket(f)) { /* a socket: sockfs's S_IFSOCK | 0777 */
		k->dev_minor = SOCK_DEV;
		k->ino = unix_ino(f);
		k->nlink = 1;
		k->mode = S_IFSOCK | 0777;
		return;
	}
	if (!ip) { /* an anonymous file (eventfd); pipes have their pipefs inode */
		k->dev_minor = PIPE_DEV;
		k->ino = pipe_ino(f);
		k->nlink = 1;
		k->mode = S_IFIFO | 0600;
		return;
	}
	k->dev_major = RDEV_MAJOR(ip->fs->dev); /* a disk's (8:1), else 0:N */
	k->dev_minor = RDEV_MINOR(ip->fs->dev);
	k->ino = ip->ino;
	k->nlink = ip->nlink;
	k->mode = ip->mode;
	k->uid = ip->uid;
	k->gid = ip->gid;
	k->size = ip->size;
	/* whole pages, as tmpfs counts them (sparse holes counted too: a small lie) */
	k->blocks = (ip->size + BLOCK_SIZE - 1) / BLOCK_SIZE * (BLOCK_SIZE / SECTOR);
	k->rdev_major = (S_ISCHR(ip->mode) || S_ISBLK(ip->mode)) ? RDEV_MAJOR(ip->rdev) : 0;
	k->rdev_minor = (S_ISCHR(ip->mode) || S_ISBLK(ip->mode)) ? RDEV_MINOR(ip->rdev) : 0;
	k->atime = ip->atime;
	k->mtime = ip->mtime;
	k->ctime = ip->ctime;
}

static int put_stat(uptr_t buf, const struct kstat *k)
{
	struct linux_stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = encode_dev(k->dev_major, k->dev_minor);
	st.st_ino = k->ino;
	st.st_nlink = k->nlink;
	st.st_mode = k->mode;
	st.st_uid = k->uid;
	st.st_gid = k->gid;
	st.st_rdev = encode_dev(k->rdev_major, k->rdev_minor);
	st.st_size = (int64_t)k->size;
	st.st_blksize = BLOCK_SIZE;
	st.st_blocks = (int64_t)k->blocks;
	st.st_atim = (struct linux_timespec){ k->atime.sec, k->atime.nsec };
	st.st_mtim = (struct linux_timespec){ k->mtime.sec, k->mtime.nsec };
	st.st_ctim = (struct linux_timespec){ k->ctime.sec, k->ctime.nsec };
	return copy_to_user(buf, &st, sizeof(st)) ? -EFAULT : 0;
}

static int put_statx(uptr_t buf, const struct kstat *k)
{
	struct linux_statx sx;

	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = BLOCK_SIZE;
	sx.stx_nlink = (uint32_t)k->nlink;
	sx.stx_uid = k->uid;
	sx.stx_gid = k->gid;
	sx.stx_mode = (uint16_t)k->mode;
	sx.stx_ino = k->ino;
	sx.stx_size = k->size;
	sx.stx_blocks = k->blocks;
	sx.stx_atime = (struct statx_timestamp){ k->atime.sec, k->atime.nsec, 0 };
	sx.stx_mtime = (struct statx_timestamp){ k->mtime.sec, k->mtime.nsec, 0 };
	sx.stx_ctime = (struct statx_timestamp){ k->ctime.sec, k->ctime.nsec, 0 };
	sx.stx_rdev_major = k->rdev_major;
	sx.stx_rdev_minor = k->rdev_minor;
	sx.stx_dev_major = k->dev_major;
	sx.stx_dev_minor = k->dev_minor;
	return copy_to_user(buf, &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* fstat's kstat, without the kernel lock: the descriptor looked up under
 * its table's lock (fd_file_any), whose file's reference keeps what
 * kstat_of reads (each field read once; a change racing it is seen or
 * not, as Linux's generic_fillattr reads without the inode's lock).
 * 0, or -EBADF. */
static int kstat_fd(int fd, struct kstat *k)
{
	struct file *f = fd_file_any(fd);

	if (!f)
		return -EBADF;
	kstat_of(f->inode, f, k);
	file_put(f);
	return 0;
}

/* The kstat of what an *at call names, under the kernel lock; AT_EMPTY_PATH
 * on a pipe works too. */
static int stat_at_locked(int dirfd, uptr_t path, int flags, struct kstat *k)
{
	struct inode *ip;
	int err = at_inode(dirfd, path, flags, &ip);

	if (err == -EBADF && (flags & AT_EMPTY_PATH))
		return kstat_fd(dirfd, k); /* maybe a descriptor without an inode */
	if (err)
		return err;
	kstat_of(ip, NULL, k);
	inode_put(ip);
	return 0;
}

/* Is the user's path "" (AT_EMPTY_PATH's case)? false when it is not, or
 * cannot be read (the locked path then answers -EFAULT). */
static bool path_is_empty(uptr_t path)
{
	char c;

	return !copy_from_user(&c, path, 1) && c == '\0';
}

/* at_walk_nolock's use: the kstat of what the walk found. */
static int kstat_use(struct inode *ip, void *k)
{
	kstat_of(ip, NULL, k);
	return 0;
}

/*
 * The kstat of what an *at call names. The stat calls run without the
 * kernel lock (sys/syscall.c's lock_free): a descriptor itself
 * (AT_EMPTY_PATH and "") is looked at without it (kstat_fd), a path
 * from the cwd, the root or a directory's descriptor through RAM
 * directories is walked without it (fs/inode.h's vfs_walk_nolock);
 * anything else, and a call that holds the lock (a traced process's,
 * int $0x80's), walks under it.
 */
static int stat_at(int dirfd, uptr_t path, int flags, struct kstat *k)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD && path_is_empty(path))
		return kstat_fd(dirfd, k); /* glibc's fstat: newfstatat(fd, "", AT_EMPTY_PATH) */
	int err = at_walk_nolock(dirfd, path, flags, kstat_use, k);
	if (err != WALK_LOCKED)
		return err;
	bool taken = call_lock();
	err = stat_at_locked(dirfd, path, flags, k);
	call_unlock(taken);
	return err;
}

/* ---------------------------------------------------------------- stat */

SYSCALL_DEFINE4(newfstatat, int, dirfd, uptr_t, path, uptr_t, buf, int, flags)
{
	struct kstat k;

	int err = stat_at((int)dirfd, path, (int)flags, &k);
	return err ? err : put_stat(buf, &k);
}

SYSCALL_DEFINE2(stat, uptr_t, path, uptr_t, buf)
{
	return do_sys_newfstatat(AT_FDCWD, path, buf, 0);
}

SYSCALL_DEFINE2(lstat, uptr_t, path, uptr_t, buf)
{
	return do_sys_newfstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE2(fstat, unsigned int, fd, uptr_t, buf)
{
	struct kstat k;
	int err = kstat_fd((int)fd, &k);

	return err ? err : put_stat(buf, &k);
}

/* statx: Linux's do_statx checks first: the mask's reserved bit, and
 * both sync types at once, are EINVAL (LTP's statx03); the other mask
 * bits ask for no more than every statx gives here. */
SYSCALL_DEFINE5(statx, int, dirfd, uptr_t, path, unsigned int, flags, unsigned int, mask, uptr_t, buf)
{
	struct kstat k;

	if ((mask & STATX__RESERVED) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	int err = stat_at((int)dirfd, path, (int)flags, &k);
	return err ? err : put_statx(buf, &k);
}

/* ---------------------------------------------------------------- statfs */

/* A disk file system's numbers, from its fs_type (fs/fstype.h): 1 when
 * ip is on one (s filled, or *err set), 0 for a file system in memory. */
static int disk_statfs(const struct inode *ip, struct linux_statfs *s, int *err)
{
	struct mount *m = vfs_mount_by_fs(ip->fs);
	struct fs_stat st;

	if (!m || !m->type || !m->type->statfs)
		return 0;
	memset(&st, 0, sizeof(st));
	*err = m->type->statfs(m->sb, &st);
	s->f_type = (int64_t)st.magic;
	s->f_bsize = s->f_frsize = (int64_t)st.bsize;
	s->f_blocks = st.blocks;
	s->f_bfree = st.bfree;
	s->f_bavail = st.bavail;
	s->f_files = st.files;
	s->f_ffree = st.ffree;
	s->f_namelen = (int64_t)st.namelen;
	/* as Linux's vfat: the device's number, as st_dev encodes it */
	s->f_fsid[0] = (int32_t)encode_dev(RDEV_MAJOR(ip->fs->dev), RDEV_MINOR(ip->fs->dev));
	s->f_flags = ST_VALID | (m->read_only ? ST_RDONLY : 0);
	return 1;
}

/* statfs(2)'s numbers for the file system ip is on: 0 or -errno (a disk
 * file system's statfs failing). */
static int fill_statfs(const struct inode *ip, struct linux_statfs *s)
{
	uint64_t free = pmm_free_pages();
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (disk_statfs(ip, s, &err))
		return err;
	s->f_type = (int64_t)ip->fs->magic;
	s->f_bsize = s->f_frsize = BLOCK_SIZE;
	if (ramfs_is(ip->fs)) { /* its limit (half of RAM by default, as tmpfs), capped by the RAM left */
		uint64_t used, max, inodes, max_inodes;
		ramfs_usage(ip->fs, &used, &max, &inodes, &max_inodes);
		s->f_blocks = max;
		s->f_bfree = s->f_bavail = max - used < free ? max - used : free;
		s->f_files = max_inodes;
		s->f_ffree = max_inodes - inodes;
	}
	s->f_fsid[0] = (int32_t)ip->fs->dev;
	s->f_namelen = NAME_MAX;
	return 0;
}

static int put_statfs(uptr_t buf, const struct inode *ip)
{
	struct linux_statfs s;
	int err = fill_statfs(ip, &s);

	return err ? err : copy_to_user(buf, &s, sizeof(s)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, uptr_t, path, uptr_t, buf)
{
	struct inode *ip;
	int err = at_inode(AT_FDCWD, path, 0, &ip);

	if (err)
		return err;
	err = put_statfs(buf, ip);
	inode_put(ip);
	return err;
}

SYSCALL_DEFINE2(fstatfs, unsigned int, fd, uptr_t, buf)
{
	struct file *f = fd_file((int)fd);

	if (!f)
		return -EBADF;
	int err = f->inode ? put_statfs(buf, f->inode) : put_statfs(buf, vfs_root());
	file_put(f);
	return err;
}

/* ---------------------------------------------------------------- access, umask */

/* faccessat2's walk and check under the kernel lock. */
static int access_locked(int dirfd, uptr_t path, int mode, int flags)
{
	struct inode *ip;
	int err = at_inode(dirfd, path, flags, &ip);

	if (!err) {
		err = vfs_access(ip, mode);
		inode_put(ip);
	}
	return err;
}

struct access_check {
	int mode;
	int err;
};

/* at_walk_nolock's use: the check on what the walk found. */
static int access_use(struct inode *ip, void *arg)
{
	struct access_check *a = arg;

	a->err = vfs_access(ip, a->mode);
	return 0;
}

/* A lock-free call (sys/syscall.c), as stat_at: a path through RAM
 * directories is walked and checked without the kernel lock. */
SYSCALL_DEFINE4(faccessat2, int, dirfd, uptr_t, path, int, mode, int, flags)
{
	if (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (mode & ~7ull)
		return -EINVAL;
	/* the walk and the check with the real ids unless AT_EACCESS: for
	 * root, the permitted capabilities (see cred_access_view); the
	 * thread's own credentials, which no other thread writes */
	struct thread *t = current_thread();
	struct cred view;
	cred_access_view(&t->cred, &view);
	t->access_cred = flags & AT_EACCESS ? NULL : &view;
	struct access_check a = { (int)mode, 0 };
	int err = at_walk_nolock((int)dirfd, path, (int)flags, access_use, &a);
	if (err == 0) {
		err = a.err;
	} else if (err == WALK_LOCKED) {
		bool taken = call_lock();
		err = access_locked((int)dirfd, path, (int)mode, (int)flags);
		call_unlock(taken);
	}
	t->access_cred = NULL;
	return err;
}

SYSCALL_DEFINE3(faccessat, int, dirfd, uptr_t, path, int, mode)
{
	return do_sys_faccessat2(dirfd, path, mode, 0);
}

SYSCALL_DEFINE2(access, uptr_t, path, int, mode)
{
	return do_sys_faccessat2(AT_FDCWD, path, mode, 0);
}

SYSCALL_DEFINE1(umask, int, mask)
{
	struct process *p = current_process();
	uint32_t old = p->umask;

	process_set_umask(p, (uint32_t)mask & 0777); /* and in those sharing it (CLONE_FS) */
	return old;
}

/* ---------------------------------------------------------------- chmod, chown */

SYSCALL_DEFINE3(fchmodat, int, dirfd, uptr_t, path, umode_t, mode)
{
	struct inode *ip;
	int err = at_inode((int)dirfd, path, 0, &ip);

	if (err)
		return err;
	err = vfs_chmod(ip, (uint32_t)mode);
	inode_put(ip);
	return err;
}

SYSCALL_DEFINE2(chmod, uptr_t, path, umode_t, mode)
{
	return do_sys_fchmodat(AT_FDCWD, path, mode);
}

/* The inode behind a descriptor (fchmod, fchown, futimens): a new reference. */
static int fd_inode(int fd, struct inode **out)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	*out = inode_get(f->inode);
	bool path_only = f->flags & O_PATH;
	file_put(f);
	if (path_only) {
		inode_put(*out);
		return -EBADF;
	}
	return *out ? 0 : -EINVAL; /* a pipe: nothing to change */
}

SYSCALL_DEFINE2(fchmod, unsigned int, fd, umode_t, mode)
{
	struct inode *ip;
	int err = fd_inode((int)fd, &ip);

	if (err)
		return err;
	err = vfs_chmod(ip, (uint32_t)mode);
	inode_put(ip);
	return err;
}

SYSCALL_DEFINE5(fchownat, int, dirfd, uptr_t, path, uid_t, uid, gid_t, gid, int, flags)
{
	struct inode *ip;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int err = at_inode((int)dirfd, path, (int)flags, &ip);
	if (err)
		return err;
	err = vfs_chown(ip, (uint32_t)uid, (uint32_t)gid);
	inode_put(ip);
	return err;
}

SYSCALL_DEFINE3(chown, uptr_t, path, uid_t, uid, gid_t, gid)
{
	return do_sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

SYSCALL_DEFINE3(lchown, uptr_t, path, uid_t, uid, gid_t, gid)
{
	return do_sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, unsigned int, fd, uid_t, uid, gid_t, gid)
{
	struct inode *ip;
	int err = fd_inode((int)fd, &ip);

	if (err)
		return err;
	err = vfs_chown(ip, (uint32_t)uid, (uint32_t)gid);
	inode_put(ip);
	return err;
}

/* ---------------------------------------------------------------- timestamps */

/* One utimensat time: UTIME_NOW, UTIME_OMIT (false: leave it), or a value. */
static int pick_time(const struct linux_timespec *t, struct vfs_time *out)
{
	if (t->nsec == UTIME_OMIT)
		return 0;
	if (t->nsec == UTIME_NOW) {
		*out = vfs_now();
		return 1;
	}
	if (t->nsec < 0 || t->nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*out = (struct vfs_time){ t->sec, (uint32_t)t->nsec };
	return 1;
}

/* Set ip's times from ts[2] (NULL: both now). */
static int set_times(struct inode *ip, const struct linux_timespec *ts)
{
	struct vfs_time a = vfs_now(), m = a;
	int sa = 1, sm = 1;

	if (ts && ((sa = pick_time(&ts[0], &a)) < 0 || (sm = pick_time(&ts[1], &m)) < 0))
		return -EINVAL;
	if (ts && !sa && !sm)
		return 0; /* both UTIME_OMIT: nothing to do, nothing checked (Linux's utimensat) */
	if (ip->fs->read_only)
		return vfs_ro_error(ip);
	/* Linux's may_setattr and setattr_prepare: times of one's choosing need
	 * the owner or CAP_FOWNER; "now" for both, write permission will do */
	bool touch = !ts || (ts[0].nsec == UTIME_NOW && ts[1].nsec == UTIME_NOW);
	int err = vfs_owner_or_capable(ip) ? 0 : touch ? vfs_permission(ip, W_OK) : -EPERM;
	if (err)
		return err;
	struct iattr at = { .valid = (sa ? ATTR_ATIME : 0u) | (sm ? ATTR_MTIME : 0u),
			    .atime = a, .mtime = m };
	return vfs_setattr(ip, &at);
}

/* Linux's do_utimes: a NULL path names dirfd's file itself (futimens;
 * with flags EINVAL), unless dirfd is AT_FDCWD, where it is a path like
 * any other (EFAULT, as do_utimes_path: LTP's utimes01). */
static int set_times_at(int dirfd, uptr_t path, int flags, const struct linux_timespec *ts)
{
	struct inode *ip;
	int err;

	if (!path && dirfd != AT_FDCWD)
		err = flags ? -EINVAL : fd_inode(dirfd, &ip);
	else
		err = at_inode(dirfd, path, flags, &ip);
	if (err)
		return err;
	err = set_times(ip, ts);
	inode_put(ip);
	return err;
}

SYSCALL_DEFINE4(utimensat, int, dirfd, uptr_t, path, uptr_t, times, int, flags)
{
	struct linux_timespec ts[2];

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times && copy_from_user(ts, times, sizeof(ts)))
		return -EFAULT;
	return set_times_at((int)dirfd, path, (int)flags, times ? ts : NULL);
}

/* utimes and futimesat: struct timeval pairs (microseconds), checked
 * before the path is looked at (Linux's do_futimesat). */
static long utimes_tv(int dirfd, uptr_t path, uptr_t tv)
{
	struct linux_timespec ts[2];

	if (tv && copy_from_user(ts, tv, sizeof(ts)))
		return -EFAULT;
	for (int i = 0; tv && i < 2; i++) {
		if (ts[i].nsec < 0 || ts[i].nsec >= 1000000)
			return -EINVAL;
		ts[i].nsec *= 1000;
	}
	return set_times_at(dirfd, path, 0, tv ? ts : NULL);
}

SYSCALL_DEFINE2(utimes, uptr_t, path, uptr_t, tv)
{
	return utimes_tv(AT_FDCWD, path, tv);
}

/* futimesat(dirfd, path, tv): utimes relative to dirfd (LTP's futimesat01). */
SYSCALL_DEFINE3(futimesat, int, dirfd, uptr_t, path, uptr_t, tv)
{
	return utimes_tv(dirfd, path, tv);
}

/* x86_64 struct ustat: 32 bytes. */
struct linux_ustat {
	int32_t f_tfree;    /* __kernel_daddr_t */
	uint64_t f_tinode;  /* ino_t */
	char f_fname[6];
	char f_fpack[6];
};
_Static_assert(sizeof(struct linux_ustat) == 32, "struct ustat is 32 bytes on x86_64");

/* ustat(dev, ubuf): as Linux's, the free blocks and inodes statfs gives
 * for the file system mounted from dev (new_decode_dev's encoding, as
 * st_dev has it), names empty; -EINVAL when none is, -EFAULT. */
SYSCALL_DEFINE2(ustat, unsigned int, dev, uptr_t, ubuf)
{
	unsigned major = (dev & 0xfff00) >> 8, minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	struct inode *root = vfs_mount_root_by_dev(major, minor);
	struct linux_statfs s;
	struct linux_ustat u;

	if (!root)
		return -EINVAL;
	int err = fill_statfs(root, &s);
	inode_put(root);
	if (err)
		return err;
	memset(&u, 0, sizeof(u));
	u.f_tfree = (int32_t)s.f_bfree;
	u.f_tinode = s.f_ffree;
	return copy_to_user(ubuf, &u, sizeof(u)) ? -EFAULT : 0;
}

/* sysfs(2)'s options (Linux's fs/filesystems.c). */
enum {
	SYSFS_INDEX = 1,  /* the index of the type named by arg1 */
	SYSFS_NAME = 2,   /* the name of type arg1, into the buffer arg2 */
	SYSFS_COUNT = 3,  /* how many types there are */
};

/* Option 1: the index of the type called by the user string at uname;
 * -EINVAL if none, the name's -EFAULT or -ENAMETOOLONG. */
static long sysfs_index(uptr_t uname)
{
	char *name;
	const char *t;
	bool nodev;
	long r = user_path(uname, &name, false); /* getname: "" is -ENOENT */

	if (r)
		return r;
	r = -EINVAL;
	for (int i = 0; (t = fs_type_name(i, &nodev)); i++) {
		if (strcmp(t, name) == 0) {
			r = i;
			break;
		}
	}
	kfree(name);
	return r;
}

/* Option 2: type index's name with its NUL to ubuf; -EINVAL, -EFAULT. */
static long sysfs_name(unsigned long index, uptr_t ubuf)
{
	bool nodev;
	const char *t = index <= INT32_MAX ? fs_type_name((int)index, &nodev) : NULL;

	if (!t)
		return -EINVAL;
	return copy_to_user(ubuf, t, strlen(t) + 1) ? -EFAULT : 0;
}

/* sysfs(option, arg1, arg2): the kernel's file system types by index, as
 * /proc/filesystems lists them; an unknown option is -EINVAL. */
SYSCALL_DEFINE3(sysfs, int, option, unsigned long, arg1, unsigned long, arg2)
{
	switch (option) {
	case SYSFS_INDEX:
		return sysfs_index(arg1);
	case SYSFS_NAME:
		return sysfs_name(arg1, arg2);
	case SYSFS_COUNT:
		return fs_type_count();
	default:
		return -EINVAL;
	}
}
