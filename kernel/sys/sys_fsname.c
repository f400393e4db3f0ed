// SPDX-License-Identifier: MIT
/*
 * Kestrel: the system calls that work on names: open and creat, mkdir,
 * mknod, rmdir, unlink, rename, link, symlink, readlink (each with its
 * *at form), chdir, fchdir, getcwd and truncate. Each copies its paths
 * in, finds the base directory of an *at call, and hands over to the
 * VFS's path operations (fs/fsops.h).
 */
#include "sys/syscall_define.h"
#include "arch/x86_64/klock.h"
#include "sys/sys_fs.h"
#include "proc/call_lock.h"
#include "fs/inode.h"
#include "fs/fsops.h"
#include "fs/fstype.h"
#include "ipc/mqueue.h"
#include "fs/lease.h"
#include "fs/path.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"
#include "uapi/mount.h"

/* ---------------------------------------------------------------- helpers */

/* Bytes of a path copied onto the stack before the heap is asked for
 * PATH_MAX (Linux's getname keeps short names in its struct too). */
#define PATH_SMALL 256

int user_path(uptr_t upath, char **out, bool allow_empty)
{
	char *buf = kmalloc(PATH_MAX);

	if (!buf)
		return -ENOMEM;
	long n = strncpy_from_user(buf, upath, PATH_MAX);
	if (n == 0 && !allow_empty)
		n = -ENOENT;
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	*out = buf;
	return 0;
}

/* path_get's case of a path that did not fit in small (whose first
 * PATH_SMALL - 1 bytes hold its start): a PATH_MAX buffer from the heap
 * with that start and the rest copied after it, not the whole path again.
 * 0, -EFAULT, -ENAMETOOLONG or -ENOMEM. */
static int path_get_long(uptr_t upath, const char small[PATH_SMALL], char **out)
{
	const size_t have = PATH_SMALL - 1;
	char *buf = kmalloc(PATH_MAX);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, small, have);
	long n = strncpy_from_user(buf + have, upath + have, PATH_MAX - have);
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	*out = buf;
	return 0;
}

/* A user path in the caller's own buffer when it fits (most do: no heap
 * page for a stat or an open), else in a PATH_MAX one from the heap, as
 * user_path: 0, -EFAULT, -ENAMETOOLONG, -ENOMEM, -ENOENT (empty unless
 * allow_empty). *out is small or the heap buffer: free it with
 * path_put(*out, small). */
static int path_get(uptr_t upath, char small[PATH_SMALL], char **out, bool allow_empty)
{
	long n = strncpy_from_user(small, upath, PATH_SMALL);

	if (n == -ENAMETOOLONG) /* longer than the small buffer: the rest into PATH_MAX */
		return path_get_long(upath, small, out);
	if (n == 0 && !allow_empty)
		n = -ENOENT;
	if (n < 0)
		return (int)n;
	*out = small;
	return 0;
}

static void path_put(char *path, const char *small)
{
	if (path != small)
		kfree(path);
}

int at_base(int dirfd, struct inode **base)
{
	*base = NULL;
	if (dirfd == AT_FDCWD)
		return 0;
	struct file *f = fd_file(dirfd);
	if (!f)
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode)) {
		file_put(f);
		return -ENOTDIR;
	}
	*base = inode_get(f->inode);
	file_put(f);
	return 0;
}

int at_fd_inode(int fd, struct inode **out)
{
	if (fd == AT_FDCWD) {
		*out = inode_get(vfs_cwd());
		return 0;
	}
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	*out = inode_get(f->inode);
	file_put(f);
	return 0;
}

int at_inode(int dirfd, uptr_t upath, int flags, struct inode **out)
{
	char small[PATH_SMALL], *path;
	struct inode *base;
	int err = path_get(upath, small, &path, flags & AT_EMPTY_PATH);

	if (err)
		return err;
	if (!path[0]) { /* AT_EMPTY_PATH: dirfd itself, whatever it is */
		if ((err = at_fd_inode(dirfd, out)))
			return err;
		return *out ? 0 : -EBADF; /* a pipe: the caller handles fstat on it */
	}
	base = NULL;
	if (path[0] == '/' || !(err = at_base(dirfd, &base))) {
		err = vfs_walk(base, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, out);
		inode_put(base);
	}
	path_put(path, small);
	return err;
}

int at_walk_nolock(int dirfd, uptr_t upath, int flags, int (*use)(struct inode *ip, void *ctx),
		   void *ctx)
{
	char small[PATH_SMALL], *path;

	if (klock_held())
		return WALK_LOCKED; /* a traced caller's, int $0x80's: the locked walk at once */
	if (flags & AT_EMPTY_PATH)
		return WALK_LOCKED; /* the descriptor itself: at_fd_inode's */
	int err = path_get(upath, small, &path, false);
	if (err)
		return err;
	struct file *base = NULL;
	if (dirfd != AT_FDCWD && path[0] != '/') {
		/* the directory's file keeps its inode for the walk; anything
		 * else (-EBADF, -ENOTDIR) is the locked walk's to answer */
		base = fd_file_any(dirfd);
		if (!base || !base->inode || !S_ISDIR(base->inode->mode)) {
			file_put(base);
			path_put(path, small);
			return WALK_LOCKED;
		}
	}
	err = vfs_walk_nolock(base ? base->inode : NULL, path,
			      (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, use, ctx);
	file_put(base);
	path_put(path, small);
	return err;
}

/* Copy one path and find the base of an *at call: the usual first step.
 * path points into small when the path fits there (never copy one). */
struct at_path {
	char *path;
	struct inode *base;
	char small[PATH_SMALL];
};

static int at_path_get(int dirfd, uptr_t upath, struct at_path *ap)
{
	int err = path_get(upath, ap->small, &ap->path, false);

	if (err)
		return err;
	ap->base = NULL;
	if (ap->path[0] != '/' && (err = at_base(dirfd, &ap->base))) /* absolute: dirfd unused */
		path_put(ap->path, ap->small);
	return err;
}

static void at_path_put(struct at_path *ap)
{
	inode_put(ap->base);
	path_put(ap->path, ap->small);
}

/* ---------------------------------------------------------------- open */

/* Linux's build_open_flags for O_TMPFILE: with O_DIRECTORY, without
 * O_CREAT or O_PATH, for writing: else -EINVAL, before the path is
 * looked at. */
static bool tmpfile_flags_ok(uint64_t flags)
{
	if (!(flags & __O_TMPFILE))
		return true;
	return (flags & O_TMPFILE_MASK) == O_TMPFILE && (flags & O_ACCMODE) != O_RDONLY &&
	       !(flags & O_PATH);
}

/* open under the walk rules (vfs_open_in's; 0 for open and openat). */
static long do_open(int dirfd, uptr_t upath, uint64_t flags, uint32_t mode, unsigned rules)
{
	struct at_path ap;
	struct file *f;
	int err;

	if (!tmpfile_flags_ok(flags))
		return -EINVAL;
	if ((err = at_path_get(dirfd, upath, &ap)))
		return err;
	/* a scope is dirfd's directory, an absolute path's too */
	if ((rules & WALK_SCOPED) && !ap.base && (err = at_base(dirfd, &ap.base))) {
		at_path_put(&ap);
		return err;
	}
	err = vfs_open_in(ap.base, ap.path, (unsigned)(flags & OPEN_FLAGS_KNOWN), mode, rules, &f);
	at_path_put(&ap);
	if (err)
		return err;
	int fd = fd_install(cur_files(), f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* open and openat of an existing RAM file (from the cwd, the root or a
 * directory's descriptor) without the kernel lock (fs/fsops.h's
 * vfs_open_nolock): the fd or -errno in *ret, or WALK_LOCKED for do_open
 * under the lock. */
static int open_nolock(int dirfd, uptr_t upath, uint64_t flags, long *ret)
{
	unsigned known = (unsigned)(flags & OPEN_FLAGS_KNOWN);
	struct open_find o = { known, NULL };
	struct file *f;

	if (!vfs_open_nolock_ok(known))
		return WALK_LOCKED;
	int err = at_walk_nolock(dirfd, upath, (known & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0,
				 vfs_open_find, &o);
	if (err == WALK_LOCKED)
		return err;
	if (!err)
		err = vfs_open_nolock(o.ip, known, &f);
	*ret = err ? err : fd_install_any(f, 0, known & O_CLOEXEC);
	return 0;
}

/* open and openat run without the kernel lock (sys/syscall.c's
 * lock_free) for what open_nolock can do, and take it for the rest
 * (call_lock_kept). */
static long open_entry(int dirfd, uptr_t path, uint64_t flags, uint32_t mode)
{
	long ret;

	if (open_nolock(dirfd, path, flags, &ret) != WALK_LOCKED)
		return ret;
	/* kept to the return, which leaves as a locked call's: a lock given
	 * back here would be taken again there for any signal work */
	call_lock_kept();
	return do_open(dirfd, path, flags, mode, 0);
}

SYSCALL_DEFINE3(open, uptr_t, path, int, flags, umode_t, mode)
{
	return open_entry(AT_FDCWD, path, flags, (uint32_t)mode);
}

SYSCALL_DEFINE4(openat, int, dirfd, uptr_t, path, int, flags, umode_t, mode)
{
	return open_entry((int)dirfd, path, flags, (uint32_t)mode);
}

SYSCALL_DEFINE2(creat, uptr_t, path, umode_t, mode)
{
	return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)mode, 0);
}

/* Linux's build_open_flags for openat2, which refuses what openat lets
 * pass: an unknown open or resolve flag, BENEATH with IN_ROOT, a mode
 * without O_CREAT or O_TMPFILE or one with other bits than S_IALLUGO
 * (EINVAL); RESOLVE_CACHED with a create, a truncation or O_TMPFILE
 * (EAGAIN: every lookup of Kestrel's is otherwise taken as cached). The
 * walk rules in *rules. */
static int open_how_check(const struct open_how *how, unsigned *rules)
{
	static const struct { uint64_t resolve; unsigned walk; } map[] = {
		{ RESOLVE_NO_XDEV, WALK_NO_XDEV }, { RESOLVE_NO_MAGICLINKS, WALK_NO_MAGICLINKS },
		{ RESOLVE_NO_SYMLINKS, WALK_NO_SYMLINKS }, { RESOLVE_BENEATH, WALK_BENEATH },
		{ RESOLVE_IN_ROOT, WALK_IN_ROOT }, { RESOLVE_CACHED, 0 },
	};
	uint64_t known = 0;
	bool creates = how->flags & (O_CREAT | __O_TMPFILE);

	*rules = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		known |= map[i].resolve;
		if (how->resolve & map[i].resolve)
			*rules |= map[i].walk;
	}
	if ((how->flags & ~(uint64_t)OPEN_FLAGS_KNOWN) || (how->resolve & ~known) ||
	    (*rules & WALK_SCOPED) == WALK_SCOPED)
		return -EINVAL;
	if (creates ? how->mode & ~(uint64_t)S_IALLUGO : how->mode != 0)
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED) && (how->flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

#define OPEN_HOW_SIZE_MAX 4096 /* Linux: PAGE_SIZE */

/* openat2(dirfd, path, how, size): openat with struct open_how (size
 * at least its first version's 24 bytes, EINVAL; at most a page, E2BIG;
 * a longer one zeroes past it, E2BIG) and its strict checks, then the path walked under how's
 * resolve rules. */
SYSCALL_DEFINE4(openat2, int, dirfd, uptr_t, path, uptr_t, uhow, size_t, size)
{
	struct open_how how;
	unsigned rules;
	int err;

	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > OPEN_HOW_SIZE_MAX)
		return -E2BIG; /* as Linux, before the struct is read: its tail is not scanned */
	if ((err = copy_struct_from_user(&how, sizeof(how), uhow, size)) ||
	    (err = open_how_check(&how, &rules)))
		return err;
	if (!(how.flags & O_PATH))
		how.flags |= O_LARGEFILE;
	return do_open(dirfd, path, how.flags, (uint32_t)how.mode, rules);
}

/* ---------------------------------------------------------------- making and removing */

SYSCALL_DEFINE3(mkdirat, int, dirfd, uptr_t, path, umode_t, mode)
{
	struct at_path ap;
	int err = at_path_get((int)dirfd, path, &ap);

	if (err)
		return err;
	err = vfs_mkdir(ap.base, ap.path, (uint32_t)mode);
	at_path_put(&ap);
	return err;
}

SYSCALL_DEFINE2(mkdir, uptr_t, path, umode_t, mode)
{
	return do_sys_mkdirat(AT_FDCWD, path, mode);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, uptr_t, path, umode_t, mode, unsigned int, dev)
{
	struct at_path ap;
	int err = at_path_get((int)dirfd, path, &ap);
	/* Linux's 32-bit dev_t (new_decode_dev): major in bits 8-19, minor in 0-7 and 20-31 */
	uint32_t major = (dev >> 8) & 0xfff;
	uint32_t minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);

	if (err)
		return err;
	err = vfs_mknod(ap.base, ap.path, (uint32_t)mode, RDEV(major, minor));
	at_path_put(&ap);
	return err;
}

SYSCALL_DEFINE3(mknod, uptr_t, path, umode_t, mode, unsigned int, dev)
{
	return do_sys_mknodat(AT_FDCWD, path, mode, dev);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, uptr_t, path, int, flags)
{
	struct at_path ap;

	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	int err = at_path_get((int)dirfd, path, &ap);
	if (err)
		return err;
	err = vfs_unlink(ap.base, ap.path, flags & AT_REMOVEDIR);
	at_path_put(&ap);
	return err;
}

SYSCALL_DEFINE1(unlink, uptr_t, path)
{
	return do_sys_unlinkat(AT_FDCWD, path, 0);
}

SYSCALL_DEFINE1(rmdir, uptr_t, path)
{
	return do_sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

SYSCALL_DEFINE3(symlinkat, uptr_t, target, int, dirfd, uptr_t, path)
{
	struct at_path ap;
	char *t = NULL;
	int err = user_path(target, &t, true);

	if (err)
		return err;
	if (!(err = at_path_get((int)dirfd, path, &ap))) {
		err = vfs_symlink(t, ap.base, ap.path);
		at_path_put(&ap);
	}
	kfree(t);
	return err;
}

SYSCALL_DEFINE2(symlink, uptr_t, target, uptr_t, path)
{
	return do_sys_symlinkat(target, AT_FDCWD, path);
}

/* ---------------------------------------------------------------- rename and link */

/* Two paths, each with its own base: rename and link take this shape. */
static int two_paths(int ofd, uptr_t opath, int nfd, uptr_t npath, struct at_path *o,
		     struct at_path *n)
{
	int err = at_path_get(ofd, opath, o);

	if (err)
		return err;
	if ((err = at_path_get(nfd, npath, n)))
		at_path_put(o);
	return err;
}

SYSCALL_DEFINE5(renameat2, int, ofd, uptr_t, opath, int, nfd, uptr_t, npath, unsigned int, flags)
{
	struct at_path o, n;

	/* Linux's order: unknown flags, then EXCHANGE with NOREPLACE or
	 * WHITEOUT, EINVAL; WHITEOUT needs CAP_MKNOD. A whiteout (an
	 * overlay's marker) is kept by none of Kestrel's file systems: EINVAL,
	 * as Linux's ext2 and FAT answer. */
	if (flags & ~(uint64_t)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT) ||
	    ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT))))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return capable(CAP_MKNOD) ? -EINVAL : -EPERM;
	int err = two_paths((int)ofd, opath, (int)nfd, npath, &o, &n);
	if (err)
		return err;
	struct inode *exists;
	if (flags & RENAME_EXCHANGE) {
		err = vfs_exchange(o.base, o.path, n.base, n.path);
	} else if ((flags & RENAME_NOREPLACE) && vfs_walk(n.base, n.path, 0, &exists) == 0) {
		inode_put(exists);
		err = -EEXIST;
	} else {
		err = vfs_rename(o.base, o.path, n.base, n.path);
	}
	at_path_put(&o);
	at_path_put(&n);
	return err;
}

SYSCALL_DEFINE4(renameat, int, ofd, uptr_t, opath, int, nfd, uptr_t, npath)
{
	return do_sys_renameat2(ofd, opath, nfd, npath, 0);
}

SYSCALL_DEFINE2(rename, uptr_t, opath, uptr_t, npath)
{
	return do_sys_renameat2(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

/* linkat's AT_EMPTY_PATH rule (Linux 6.10's LOOKUP_LINKAT_EMPTY): a
 * lookup from descriptor ofd (not AT_FDCWD, path not absolute) needs the
 * file opened with the caller's very credentials (the same serial: not
 * changed since, nor another process's) or CAP_DAC_READ_SEARCH: 0, else
 * -ENOENT, or -EBADF for no such descriptor. */
static int linkat_empty_ok(int ofd, const char *path)
{
	if (ofd == AT_FDCWD || path[0] == '/')
		return 0;
	struct file *f = fd_file(ofd);
	if (!f)
		return -EBADF;
	bool same = f->cred_serial == current_cred()->serial;
	file_put(f);
	return same || capable(CAP_DAC_READ_SEARCH) ? 0 : -ENOENT;
}

/* linkat with AT_EMPTY_PATH: an empty opath links the file ofd is open
 * on (the working directory for AT_FDCWD: -EPERM, a directory). */
static long linkat_empty(int ofd, uptr_t opath, int nfd, uptr_t npath, bool follow)
{
	struct at_path n;
	struct inode *ip;
	char *path = NULL;
	int err = user_path(opath, &path, true);

	if (err)
		return err;
	err = linkat_empty_ok(ofd, path);
	kfree(path);
	if (err || (err = at_inode(ofd, opath, AT_EMPTY_PATH | (follow ? 0 : AT_SYMLINK_NOFOLLOW), &ip)))
		return err;
	if (!(err = at_path_get(nfd, npath, &n))) {
		err = vfs_link_inode(ip, n.base, n.path);
		at_path_put(&n);
	}
	inode_put(ip);
	return err;
}

SYSCALL_DEFINE5(linkat, int, ofd, uptr_t, opath, int, nfd, uptr_t, npath, int, flags)
{
	struct at_path o, n;

	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH)
		return linkat_empty((int)ofd, opath, (int)nfd, npath, flags & AT_SYMLINK_FOLLOW);
	int err = two_paths((int)ofd, opath, (int)nfd, npath, &o, &n);
	if (err)
		return err;
	err = vfs_link(o.base, o.path, n.base, n.path, flags & AT_SYMLINK_FOLLOW);
	at_path_put(&o);
	at_path_put(&n);
	return err;
}

SYSCALL_DEFINE2(link, uptr_t, opath, uptr_t, npath)
{
	return do_sys_linkat(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

/* readlinkat with an empty path: the symlink dirfd is open on (O_PATH |
 * O_NOFOLLOW), as Linux since 2.6.39; -ENOENT for anything else. */
static long readlink_fd(int dirfd, uptr_t path, char *out, size_t cap)
{
	struct inode *ip;
	long n = at_inode(dirfd, path, AT_EMPTY_PATH, &ip);

	if (n)
		return n;
	n = S_ISLNK(ip->mode) ? vfs_readlink_inode(ip, out, cap) : -ENOENT;
	inode_put(ip);
	return n;
}

/* Is the user's path the empty string? (A bad one is not: the walk says so.) */
static bool empty_path(uptr_t path)
{
	char c;

	return !copy_from_user(&c, path, 1) && c == '\0';
}

/* readlinkat's answer into out (cap bytes) under the kernel lock. */
static long readlink_locked(int dirfd, uptr_t path, bool empty, char *out, size_t cap)
{
	struct at_path ap = { 0 };
	int err = empty ? 0 : at_path_get(dirfd, path, &ap);

	if (err)
		return err;
	long n = empty ? readlink_fd(dirfd, path, out, cap) : vfs_readlink(ap.base, ap.path, out, cap);
	at_path_put(&ap);
	return n;
}

struct readlink_copy {
	char *out;
	size_t cap;
	long n;
};

/* at_walk_nolock's use: the target into r->out, unless the link's atime
 * is due to change (the locked walk sets it). */
static int readlink_use(struct inode *ip, void *arg)
{
	struct readlink_copy *r = arg;

	if (!S_ISLNK(ip->mode)) {
		r->n = -EINVAL;
		return 0;
	}
	if (vfs_atime_due(ip, vfs_now()) || !ip->ops->readlink)
		return WALK_LOCKED;
	r->n = ip->ops->readlink(ip, r->out, r->cap);
	return 0;
}

/* readlinkat's answer into out: a lock-free call (sys/syscall.c), as
 * stat's, when the path goes through RAM directories and the link's
 * atime needs no change (relatime: after the first read since it
 * changed, for a day). */
static long readlink_any(int dirfd, uptr_t path, char *out, size_t cap)
{
	bool empty = empty_path(path);
	struct readlink_copy r = { out, cap, 0 };
	int err = empty ? WALK_LOCKED : at_walk_nolock(dirfd, path, AT_SYMLINK_NOFOLLOW, readlink_use, &r);

	if (err != WALK_LOCKED)
		return err ? err : r.n;
	bool taken = call_lock();
	long n = readlink_locked(dirfd, path, empty, out, cap);
	call_unlock(taken);
	return n;
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, uptr_t, path, uptr_t, buf, int, size)
{
	size_t cap = size < PATH_MAX ? (size_t)size : PATH_MAX;

	if ((int64_t)size <= 0)
		return -EINVAL;
	char *out = kmalloc(PATH_MAX);
	long n = out ? readlink_any((int)dirfd, path, out, cap) : -ENOMEM;
	if (n > 0 && copy_to_user(buf, out, (size_t)n))
		n = -EFAULT;
	kfree(out);
	return n;
}

SYSCALL_DEFINE3(readlink, uptr_t, path, uptr_t, buf, int, size)
{
	return do_sys_readlinkat(AT_FDCWD, path, buf, size);
}

/* ---------------------------------------------------------------- the working directory */

/* Make dir (a new reference) the current process's cwd: -ENOTDIR, or
 * -EACCES without search permission on it. */
static long set_cwd(struct inode *dir)
{
	struct process *p = current_process();

	if (!S_ISDIR(dir->mode)) {
		inode_put(dir);
		return -ENOTDIR;
	}
	int err = vfs_permission(dir, X_OK);
	if (err) {
		inode_put(dir);
		return err;
	}
	process_set_cwd(p, dir); /* and in those sharing it (CLONE_FS) */
	return 0;
}

SYSCALL_DEFINE1(chdir, uptr_t, path)
{
	struct inode *dir;
	int err = at_inode(AT_FDCWD, path, 0, &dir);

	return err ? err : set_cwd(dir);
}

/* chroot: path (followed) becomes where the caller's absolute paths start
 * and ".." stops, and those of the processes sharing its fs (CLONE_FS);
 * the working directory stays. Linux's order: the walk, search permission
 * (-EACCES), then CAP_SYS_CHROOT (-EPERM). -ENOTDIR for a non-directory. */
SYSCALL_DEFINE1(chroot, uptr_t, path)
{
	struct inode *dir;
	int err = at_inode(AT_FDCWD, path, 0, &dir);

	if (err)
		return err;
	if (!S_ISDIR(dir->mode))
		err = -ENOTDIR;
	else if (!(err = vfs_permission(dir, X_OK)) && !capable(CAP_SYS_CHROOT))
		err = -EPERM;
	if (err) {
		inode_put(dir);
		return err;
	}
	process_set_root(current_process(), dir);
	return 0;
}

SYSCALL_DEFINE1(fchdir, unsigned int, fd)
{
	struct file *f = fd_file((int)fd);

	if (!f)
		return -EBADF;
	struct inode *ip = inode_get(f->inode);
	file_put(f);
	return ip ? set_cwd(ip) : -ENOTDIR;
}

#define UNREACHABLE "(unreachable)" /* Linux's prefix for a cwd outside the caller's root */

/* Is ip at or below dir, by its parents? */
static bool below(struct inode *ip, struct inode *dir)
{
	for (struct inode *cur = ip; cur; cur = cur->parent == cur ? NULL : cur->parent)
		if (cur == dir)
			return true;
	return false;
}

/* The working directory's path into path (PATH_MAX): from the caller's
 * root; one outside a chroot from the system's, after "(unreachable)", as
 * Linux's getcwd (so realpath(3) and the like see it is not a path). The
 * length, or -ENOENT, -ERANGE. */
static long cwd_path(char *path)
{
	struct inode *cwd = vfs_cwd();
	bool reach = vfs_walk_root() == vfs_root() || below(cwd, vfs_walk_root());
	size_t pre = reach ? 0 : sizeof(UNREACHABLE) - 1;
	long n = vfs_path_of(cwd, path + pre, PATH_MAX - pre);

	if (n >= 0 && pre) {
		memcpy(path, UNREACHABLE, pre);
		n += (long)pre;
	}
	return n;
}

SYSCALL_DEFINE2(getcwd, uptr_t, buf, unsigned long, size)
{
	char *path = kmalloc(PATH_MAX);

	if (!path)
		return -ENOMEM;
	long n = cwd_path(path);
	if (n >= 0 && (uint64_t)n + 1 > size)
		n = -ERANGE;
	if (n >= 0 && copy_to_user(buf, path, (size_t)n + 1))
		n = -EFAULT;
	kfree(path);
	return n < 0 ? n : n + 1; /* the raw call counts the NUL */
}

/* truncate(2)'s checks on a path that ftruncate's open file already
 * passed (Linux's vfs_truncate): a regular file of a read-only file
 * system is EROFS, one the caller may not write EACCES, one a process
 * runs ETXTBSY; 0 for the rest,
 * whose errors vfs_truncate gives. */
static int may_truncate_path(const struct inode *ip)
{
	if (!S_ISREG(ip->mode))
		return 0;
	if (ip->fs->read_only)
		return vfs_ro_error(ip);
	int err = vfs_permission(ip, W_OK);
	if (!err && ip->writecount < 0)
		err = -ETXTBSY; /* get_write_access: a process runs it */
	return err;
}

SYSCALL_DEFINE2(truncate, uptr_t, path, long, len)
{
	struct inode *ip;

	if (len < 0)
		return -EINVAL; /* do_sys_truncate: before the walk */
	int err = at_inode(AT_FDCWD, path, 0, &ip);
	if (err)
		return err;
	if (!(err = may_truncate_path(ip)) && S_ISREG(ip->mode))
		err = lease_break(ip, O_WRONLY); /* Linux's vfs_truncate */
	if (!err)
		err = vfs_truncate(ip, (int64_t)len);
	inode_put(ip);
	return err;
}

/* ---------------------------------------------------------------- mount */

#define MOUNT_OPTS_MAX 256
#define MOUNT_TYPE_MAX 32
#define MOUNT_SOURCE_MAX 64 /* struct mount's source: what /proc/mounts shows */

/* mount(NULL, target, NULL, MS_PRIVATE etc. [| MS_REC], NULL): -EPERM
 * without CAP_SYS_ADMIN, -EINVAL unless exactly one type is given and
 * target is the root of a mount; else 0. */
static long mount_change_type(uptr_t target, unsigned long flags)
{
	unsigned long type = flags & ~(unsigned long)(MS_REC | MS_SILENT);
	struct inode *ip;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	int err = at_inode(AT_FDCWD, target, 0, &ip);
	if (err)
		return err;
	bool mount_root = ip == vfs_root() || (ip->parent && ip->parent->fs != ip->fs);
	inode_put(ip);
	if (!mount_root || !type || (type & ~(unsigned long)MS_PROPAGATION) || (type & (type - 1)))
		return -EINVAL;
	return 0;
}

/* The block device the path source names: -ENOTBLK for anything else,
 * -ENXIO when no driver has it. */
static int source_dev(uptr_t source, struct blkdev **dev)
{
	struct inode *ip;
	unsigned major, minor;
	int err = at_inode(AT_FDCWD, source, 0, &ip);

	if (err)
		return err;
	bool blk = S_ISBLK(ip->mode);
	inode_rdev(ip, &major, &minor);
	inode_put(ip);
	if (!blk)
		return -ENOTBLK;
	*dev = blkdev_find_rdev(major, minor);
	return *dev ? 0 : -ENXIO;
}

/* mount's type and data strings (NULL or user strings) into kernel
 * buffers: type "" stands for none (try each type), as "auto" does. */
static int mount_strings(uptr_t type, uptr_t data, char *tname, size_t tcap, char *opts,
			 size_t ocap)
{
	long n;

	tname[0] = opts[0] = '\0';
	if (type && (n = strncpy_from_user(tname, type, tcap)) < 0)
		return n == -ENAMETOOLONG ? -ENODEV : (int)n;
	if (data && (n = strncpy_from_user(opts, data, ocap)) < 0)
		return n == -ENAMETOOLONG ? -EINVAL : (int)n; /* too long for any option */
	if (strcmp(tname, "auto") == 0)
		tname[0] = '\0';
	return 0;
}

/* A new mount of the block device source on the directory target. */
static long mount_new_dev(uptr_t source, uptr_t target, const char *tname, unsigned long flags,
			  const char *opts)
{
	const struct fs_type *type = tname[0] ? fs_type_find(tname) : NULL;
	struct blkdev *dev;
	struct inode *at;
	int err;

	if (tname[0] && !type)
		return -ENODEV;
	if (!source)
		return -EFAULT;
	if ((err = source_dev(source, &dev)))
		return err;
	if ((err = at_inode(AT_FDCWD, target, 0, &at)))
		return err;
	err = vfs_mount_dev(dev, type, at, flags & MS_RDONLY, opts[0] ? opts : NULL);
	inode_put(at);
	return err;
}

/* mount -o remount[,ro|rw] target: the RAM root's tmpfs limits
 * (ramfs_remount; it cannot be read-only), a tmpfs's limits and
 * read-only switch, or a disk mount's read-only switch. Anything but the
 * root of a mount is EINVAL. */
static long mount_remount(uptr_t target, unsigned long flags, const char *opts)
{
	struct inode *ip;
	int err = at_inode(AT_FDCWD, target, 0, &ip);

	if (err)
		return err;
	struct mount *m = vfs_mount_of(ip);
	if (m && m->type)
		err = vfs_remount(ip, flags & MS_RDONLY);
	else if (m && m->tmpfs && !(err = ramfs_remount(ip->fs, opts)))
		err = vfs_remount(ip, flags & MS_RDONLY);
	else if (m && m->tmpfs)
		;
	else if (ip != vfs_root() || !ramfs_is(ip->fs) || (flags & MS_RDONLY))
		err = -EINVAL;
	else
		err = ramfs_remount(ip->fs, opts);
	inode_put(ip);
	return err;
}

/* A pseudo file system's source (a string, or NULL: "none"), only a
 * name for /proc/mounts, into src (MOUNT_SOURCE_MAX bytes; a longer one
 * is cut, as the table keeps it): 0 or -EFAULT. */
static int mount_source(uptr_t source, char *src)
{
	long n;

	strlcpy(src, "none", MOUNT_SOURCE_MAX);
	if (source && (n = strncpy_from_user(src, source, MOUNT_SOURCE_MAX)) < 0 && n != -ENAMETOOLONG)
		return (int)n;
	src[MOUNT_SOURCE_MAX - 1] = '\0';
	return 0;
}

/* A new tmpfs on the directory target; source (a string, or NULL: "none")
 * is only a name for /proc/mounts, as on Linux. */
static long mount_new_tmpfs(uptr_t source, uptr_t target, unsigned long flags, const char *opts)
{
	char src[MOUNT_SOURCE_MAX];
	struct inode *at;
	int err = mount_source(source, src);

	if (!err)
		err = at_inode(AT_FDCWD, target, 0, &at);
	if (err)
		return err;
	err = vfs_mount_tmpfs(src, at, flags & MS_RDONLY, opts[0] ? opts : NULL);
	inode_put(at);
	return err;
}

/* mount -t mqueue: the one mqueue file system (ipc/mqueue.h) shown on
 * the directory target; source names it in /proc/mounts. */
static long mount_new_mqueue(uptr_t source, uptr_t target)
{
	char src[MOUNT_SOURCE_MAX];
	struct inode *at, *root = mqueue_root();
	int err = root ? mount_source(source, src) : -ENODEV;

	if (!err)
		err = at_inode(AT_FDCWD, target, 0, &at);
	if (err)
		return err;
	err = vfs_mount_kernfs(src, at, root);
	inode_put(at);
	return err;
}

/* mount(source, target, type, flags, data): a block device with a file
 * system type ("vfat", "msdos", "ext2"; NULL, "" or "auto" tries each)
 * on a directory, read-only with MS_RDONLY (fs/fstype.h); a tmpfs
 * ("tmpfs": fs/ramfs.c, its options in data); a remount
 * (above); a propagation change (MS_PRIVATE...) checked as Linux's
 * do_change_type, changing nothing: with one mount namespace no mount
 * has a peer. Bind and move mounts are EINVAL for now. Needs
 * CAP_SYS_ADMIN. */
SYSCALL_DEFINE5(mount, uptr_t, source, uptr_t, target, uptr_t, type, unsigned long, flags,
		uptr_t, data)
{
	char opts[MOUNT_OPTS_MAX], tname[MOUNT_TYPE_MAX];

	if (!(flags & MS_REMOUNT) && (flags & MS_PROPAGATION))
		return mount_change_type(target, flags);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	int err = mount_strings(type, data, tname, sizeof(tname), opts, sizeof(opts));
	if (err)
		return err;
	if (flags & MS_REMOUNT)
		return mount_remount(target, flags, opts);
	if (flags & (MS_BIND | MS_MOVE))
		return -EINVAL;
	if (strcmp(tname, "tmpfs") == 0)
		return mount_new_tmpfs(source, target, flags, opts);
	if (strcmp(tname, "mqueue") == 0)
		return mount_new_mqueue(source, target);
	return mount_new_dev(source, target, tname, flags, opts);
}

/* umount2(target, flags): MNT_FORCE is ignored (nothing Kestrel mounts
 * can hang), MNT_DETACH (a lazy unmount) is EINVAL for now, as an
 * unknown flag is. -EBUSY while a process has a file or cwd inside. */
SYSCALL_DEFINE2(umount2, uptr_t, target, int, flags)
{
	struct inode *ip;

	if ((unsigned)flags & ~(unsigned)(MNT_FORCE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	int err = at_inode(AT_FDCWD, target, (flags & UMOUNT_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0, &ip);
	if (err)
		return err;
	return vfs_umount(ip); /* takes over the reference */
}
