// SPDX-License-Identifier: MIT
/*
 * Kestrel: the VFS's path operations. Each resolves its path(s) with
 * namei, checks what Linux checks, in Linux's order where the error
 * codes depend on it, and then asks the file system to do the change.
 * Permissions are the file system uid's and gid's (proc/cred.h): the
 * mode's owner, group or other class, then the capabilities
 * (vfs_permission); ownership changes follow Linux's chown/chmod rules.
 */
#include "fs/fsops.h"
#include "arch/x86_64/klock.h"
#include "fs/dnotify.h"
#include "fs/lease.h"
#include "fs/inotify.h"
#include "fs/inode.h"
#include "fs/mfile.h"
#include "fs/path.h"
#include "mm/heap.h"
#include "mm/vmalloc.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/fcntl.h"
#include "uapi/inotify.h"

/* What F_GETFL shows of open's flags (Linux drops O_CREAT, O_EXCL, O_NOCTTY,
 * O_TRUNC and O_CLOEXEC); an O_PATH open keeps only O_DIRECTORY and O_NOFOLLOW. */
#define OPEN_KEEP_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH | O_DSYNC | O_SYNC | O_ASYNC | \
			 O_DIRECT | O_DIRECTORY | O_NOFOLLOW | O_NOATIME)
#define OPATH_KEEP_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW)

/* An O_PATH file: a handle for fstat, fchdir and the *at calls, no I/O. */
static const struct file_ops path_file_ops;

static uint32_t umask_now(void)
{
	struct process *p = current_process();
	return p ? p->umask : 0;
}

/* A path's parent directory and last name, both checked for existence of the directory. */
/* openat2's rules for an open's walks: WALK_NO_* and the scopes, and a
 * scoped walk's top (not referenced here; NULL when not scoped). */
struct open_rules {
	unsigned walk;
	struct inode *scope;
};

struct parent {
	struct inode *dir;
	char name[NAME_MAX + 1];
	size_t len;
	bool slash;
	bool created;   /* open(O_CREAT) made the last name (see create_round) */
	struct open_rules how; /* openat2's, for open_create's walks; else zero */
};

bool vfs_owner_or_capable(const struct inode *ip)
{
	return ip->uid == current_cred()->fsuid || capable(CAP_FOWNER);
}

/* Linux's check_sticky: in a sticky directory only the file's owner,
 * the directory's owner or CAP_FOWNER may remove or rename an entry:
 * 0 or -EPERM. */
static int check_sticky(const struct inode *dir, const struct inode *ip)
{
	if (!(dir->mode & S_ISVTX) || ip->uid == current_cred()->fsuid ||
	    dir->uid == current_cred()->fsuid || capable(CAP_FOWNER))
		return 0;
	return -EPERM;
}

static int get_parent(struct inode *base, const char *path, struct parent *pp)
{
	return vfs_walk_parent(base, path, &pp->dir, pp->name, &pp->len, &pp->slash);
}

/* get_parent under pp's walk rules (open_create's, for openat2). */
static int get_parent_ruled(struct inode *base, const char *path, struct parent *pp)
{
	return vfs_walk_parent_in(base, path, pp->how.walk, pp->how.scope, &pp->dir, pp->name,
				  &pp->len, &pp->slash);
}

/* The last name is "", "." or "..": it names a directory that exists. */
static bool special_name(const struct parent *pp)
{
	return pp->len == 0 || path_is_dot(pp->name, pp->len) || path_is_dotdot(pp->name, pp->len);
}

/* Look the last name up without following or crossing a mount. */
static int lookup_last(struct parent *pp, struct inode **out)
{
	if (!pp->dir->ops->lookup)
		return -ENOENT;
	int err = pp->dir->ops->lookup(pp->dir, pp->name, pp->len, out);
	if (!err)
		inotify_lookup(pp->dir, pp->name, pp->len, *out);
	return err;
}

static bool found_one(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		      uint64_t next_pos)
{
	(void)name, (void)len, (void)ino, (void)dtype, (void)next_pos;
	*(bool *)ctx = true;
	return false;
}

bool vfs_dir_has_entries(struct inode *dir)
{
	bool any = false;
	uint64_t pos = 2; /* past "." and ".." */

	if (dir->ops->iterate)
		dir->ops->iterate(dir, &pos, found_one, &any);
	return any;
}

/* ---------------------------------------------------------------- open */

/* A regular file opened for writing is a writer of its inode (Linux's
 * do_dentry_open: FMODE_WRITE on all but special files): 0, or -ETXTBSY
 * while a process runs it; one opened for reading only is counted as a
 * reader (i_readcount). O_ACCMODE (3) gives neither. The counts are
 * atomic (a lock-free open's too), in the order lease.c's add_lease
 * relies on. */
static int open_counts(struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	int err;

	if (!S_ISREG(f->inode->mode))
		return 0;
	if (acc == O_RDONLY) {
		f->reader = true;
		__atomic_fetch_add(&f->inode->readcount, 1, __ATOMIC_SEQ_CST);
	} else if (acc == O_WRONLY || acc == O_RDWR) {
		if ((err = inode_get_write(f->inode)))
			return err;
		f->writer = true;
	}
	return 0;
}

/* open_counts, then the file's leases (lease_break: it may wait, or
 * -EWOULDBLOCK). */
static int open_access(struct file *f, unsigned flags)
{
	int err = open_counts(f);

	return err ? err : lease_break(f->inode, flags);
}

/* O_TRUNC takes a write of its own (Linux's handle_truncate), so a
 * file opened for reading with O_TRUNC is -ETXTBSY while it runs. */
static int open_truncate_access(struct file *f)
{
	if (f->writer)
		return 0;
	int err = inode_get_write(f->inode);
	if (!err)
		inode_put_write(f->inode);
	return err;
}

int vfs_open_inode(struct inode *ip, unsigned flags, struct file **out)
{
	unsigned acc = flags & O_ACCMODE;

	if (flags & O_PATH) {
		flags &= OPATH_KEEP_FLAGS;
	} else {
		if (S_ISDIR(ip->mode) && (acc != O_RDONLY || (flags & O_TRUNC)))
			return -EISDIR; /* as Linux: O_TRUNC asks for writing */
		if (S_ISDIR(ip->mode) && (flags & O_DIRECT))
			return -EINVAL; /* no direct I/O on a directory */
		if (S_ISLNK(ip->mode))
			return -ELOOP;
	}
	/* as Linux on 64 bits (force_o_largefile): every open but O_PATH's is O_LARGEFILE */
	unsigned largefile = flags & O_PATH ? 0 : O_LARGEFILE;
	/* O_NOCTTY is kept for the open hook alone (a terminal's: Linux's tty_open) */
	unsigned noctty = flags & O_PATH ? 0 : flags & O_NOCTTY;
	struct file *f = file_alloc(&path_file_ops, (flags & OPEN_KEEP_FLAGS) | largefile | noctty, NULL);
	if (!f)
		return -ENOMEM;
	f->inode = inode_get(ip);
	if (!(flags & O_PATH)) {
		int err = open_access(f, flags);
		if (!err)
			err = ip->ops->open ? ip->ops->open(ip, f) : -ENXIO;
		f->flags &= ~O_NOCTTY;
		if (!err && (flags & O_TRUNC) && S_ISREG(ip->mode) && ip->ops->truncate &&
		    !(err = open_truncate_access(f)) && !(err = ip->ops->truncate(ip, 0))) {
			vfs_remove_privs(ip); /* Linux's handle_truncate */
			mfile_truncated(ip);  /* a mapped disk file's pages */
		}
		if (err) {
			f->ops = &path_file_ops; /* not opened: no release */
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

/* The last name of an open(O_CREAT) walk, and what to do with it. */
enum create_step { CREATE_DONE, CREATE_FOLLOW };

/*
 * One round of open(O_CREAT) in directory pp->dir: open the existing
 * inode, create a regular file, or (the last name is a symlink whose
 * target does not exist) read the target into *target (PATH_MAX bytes,
 * kmalloc'd at the first link) and answer CREATE_FOLLOW: the caller goes
 * round again with it, from pp->dir. *err gets 0 or -errno when the
 * answer is CREATE_DONE.
 */
static enum create_step create_round(struct parent *pp, unsigned flags, uint32_t mode,
				     char **target, int *err, struct inode **out)
{
	*err = lookup_last(pp, out);
	if (*err == 0 && (flags & O_EXCL)) {
		inode_put(*out);
		*err = -EEXIST;
	} else if (*err == 0 && S_ISLNK((*out)->mode) && (flags & O_NOFOLLOW)) {
		inode_put(*out);
		*err = -ELOOP;
	} else if (*err == 0 && S_ISLNK((*out)->mode) && (pp->how.walk & WALK_NO_SYMLINKS)) {
		inode_put(*out);
		*err = -ELOOP;
	} else if (*err == 0 && S_ISLNK((*out)->mode)) {
		struct inode *link = *out;
		*err = vfs_walk_in(pp->dir, pp->name, WALK_FOLLOW | pp->how.walk, pp->how.scope, out);
		if (*err == -ENOENT && !*target && !(*target = kmalloc(PATH_MAX)))
			*err = -ENOMEM;
		int n = *err == -ENOENT && link->ops->readlink
			? link->ops->readlink(link, *target, PATH_MAX - 1) : *err;
		inode_put(link);
		if (*err != -ENOENT || n < 0) {
			*err = *err == -ENOENT ? n : *err;
			return CREATE_DONE;
		}
		(*target)[n] = '\0';
		return CREATE_FOLLOW;
	} else if (*err == -ENOENT) {
		if (pp->dir->nlink == 0 || !pp->dir->ops->create)
			*err = -ENOENT; /* the directory was removed; or /proc, which has no such name */
		else if (!(*err = vfs_permission(pp->dir, W_OK)))
			*err = pp->dir->ops->create(pp->dir, pp->name, pp->len,
						    S_IFREG | (mode & ~umask_now() & S_IALLUGO), 0, NULL, out);
		pp->created = *err == 0;
		if (pp->created) {
			vfs_init_owner(pp->dir, *out);
			dnotify_event(pp->dir, DN_CREATE);
			inotify_child(pp->dir, pp->name, pp->len, IN_CREATE, false);
			inotify_lookup(pp->dir, pp->name, pp->len, *out); /* its opener's events */
		}
	}
	return CREATE_DONE;
}

/*
 * The inode open(O_CREAT) opens: the existing one, or a new regular
 * file. A symlink as the last name is followed, and if what it points to
 * does not exist, created, as Linux does; a chain of dangling links is
 * walked in a loop (never by recursion: its length is the user's), at
 * most SYMLINK_MAX links in all, then -ELOOP. *created: a new file (its
 * opener needs no permission on it, as Linux).
 */
static int open_create(struct inode *base, const char *path, unsigned flags, uint32_t mode,
		       const struct open_rules *rules, struct inode **out, bool *created)
{
	char *target = NULL;    /* the link target being walked, PATH_MAX bytes */
	struct inode *at = inode_get(base);
	int err;

	for (int links = 0;; links++) {
		struct parent pp = { .created = false, .how = *rules };
		if ((err = get_parent_ruled(at, target ? target : path, &pp)))
			break;
		if (special_name(&pp) || pp.slash) {
			inode_put(pp.dir);
			err = -EISDIR;
			break;
		}
		enum create_step next = create_round(&pp, flags, mode, &target, &err, out);
		*created = pp.created;
		inode_put(at);
		at = pp.dir; /* a relative target starts from the link's directory */
		if (next == CREATE_DONE)
			break;
		if (links + 1 > SYMLINK_MAX) { /* the link just read is one too many */
			err = -ELOOP;
			break;
		}
	}
	inode_put(at);
	kfree(target);
	return err;
}

/* What opening with flags asks of the file, as Linux's ACC_MODE and
 * build_open_flags: O_ACCMODE (3) asks for reading and writing though
 * it gives neither, O_TRUNC asks for writing. */
static int open_mask(unsigned flags)
{
	static const int acc[4] = { R_OK, W_OK, R_OK | W_OK, R_OK | W_OK };

	return acc[flags & O_ACCMODE] | ((flags & O_TRUNC) ? W_OK : 0);
}

/*
 * Remember the absolute path an opened FIFO was found at, for
 * /proc/PID/fd/N (Linux's d_path; a later rename is not followed). On
 * any failure (out of memory, too long) f->path stays NULL and the link
 * shows the inode instead.
 */
static void remember_path(struct inode *base, const char *path, struct file *f)
{
	char *buf = kmalloc(2 * PATH_MAX), *abs = buf + PATH_MAX;
	const char *full = path;
	long n;

	if (!buf)
		return;
	if (base && path[0] != '/') {
		n = vfs_path_of(base, buf, PATH_MAX);
		if (n < 0 || (size_t)n + 1 + strlen(path) >= PATH_MAX) {
			kfree(buf);
			return;
		}
		buf[n] = '/';
		strlcpy(buf + n + 1, path, PATH_MAX - (size_t)n - 1);
		full = buf;
	}
	n = vfs_realpath(full, abs);
	if (n > 0 && (f->path = kmalloc((size_t)n + 1)))
		memcpy(f->path, abs, (size_t)n + 1);
	kfree(buf);
}

/* Linux's do_tmpfile: the directory path names, writable and searchable
 * (and not on a read-only mount), gets a new unnamed regular file of
 * mode less the umask, opened with flags; without O_EXCL it may be linked
 * (linkat) once. -ENOTDIR, -EROFS, -EACCES, -EOPNOTSUPP where the file
 * system has no such files, -ENOSPC. */
static int open_tmpfile(struct inode *base, const char *path, unsigned flags, uint32_t mode,
			const struct open_rules *rules, struct file **out)
{
	struct inode *dir, *ip;
	int err = vfs_walk_in(base, path, WALK_FOLLOW | WALK_DIR | rules->walk, rules->scope, &dir);

	if (err)
		return err;
	if (dir->fs->read_only && !dir->fs->pseudo)
		err = -EROFS;
	else if (!(err = vfs_permission(dir, W_OK | X_OK)) && !dir->ops->tmpfile)
		err = -EOPNOTSUPP;
	if (!err && !(err = dir->ops->tmpfile(dir, S_IFREG | (mode & ~umask_now() & S_IALLUGO), &ip))) {
		vfs_init_owner(dir, ip);
		ip->linkable = !(flags & O_EXCL);
		err = vfs_open_inode(ip, flags & ~(unsigned)(O_TMPFILE | O_EXCL), out);
		inode_put(ip);
	}
	inode_put(dir);
	return err;
}

/* ---------------------------------------------------------------- open without the kernel lock */

bool vfs_open_nolock_ok(unsigned flags)
{
	return !(flags & ~(unsigned)OPEN_NOLOCK_FLAGS) && (flags & O_ACCMODE) != O_ACCMODE &&
	       !lease_any() && !inotify_active();
}

int vfs_open_find(struct inode *ip, void *ctx)
{
	struct open_find *o = ctx;
	bool writes = (o->flags & O_ACCMODE) != O_RDONLY;

	if (!S_ISREG(ip->mode) || !ramfs_is(ip->fs) || ip->transient || (writes && ip->fs->read_only))
		return WALK_LOCKED; /* what ramfs_open would refuse, or another file system */
	int err = vfs_permission(ip, open_mask(o->flags));
	if (err)
		return err;
	if (!inode_tryget(ip))
		return -ENOENT; /* being freed: unlinked before the walk got here */
	o->ip = ip;
	return 0;
}

int vfs_open_nolock(struct inode *ip, unsigned flags, struct file **out)
{
	struct file *f = file_alloc(&path_file_ops, (flags & OPEN_KEEP_FLAGS) | O_LARGEFILE, NULL);

	if (!f) {
		inode_put_nolock(ip);
		return -ENOMEM;
	}
	f->inode = ip; /* the walk's reference */
	int err = open_counts(f);
	if (!err && lease_any()) {
		/* a lease set since vfs_open_nolock_ok looked: add_lease saw the
		 * counts and gave up, or this sees its lease and meets it */
		bool taken = klock_enter_unless_held();
		err = lease_break(ip, flags);
		klock_leave_taken(taken);
	}
	if (!err)
		err = ip->ops->open(ip, f);
	if (err) {
		f->ops = &path_file_ops; /* not opened: no release */
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

int vfs_open(struct inode *base, const char *path, unsigned flags, uint32_t mode,
	     struct file **out)
{
	return vfs_open_in(base, path, flags, mode, 0, out);
}

int vfs_open_in(struct inode *base, const char *path, unsigned flags, uint32_t mode, unsigned rules,
		struct file **out)
{
	/* a scoped walk's top: the directory relative names start from */
	struct open_rules how = { rules, rules & WALK_SCOPED ? (base ? base : vfs_cwd()) : NULL };
	struct inode *ip = NULL;
	bool created = false;
	int err;

	if (flags & __O_TMPFILE)
		return open_tmpfile(base, path, flags, mode, &how, out);
	if ((flags & O_CREAT) && !(flags & O_PATH))
		err = open_create(base, path, flags, mode, &how, &ip, &created);
	else
		err = vfs_walk_in(base, path, ((flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW) | rules, how.scope, &ip);
	if (err)
		return err;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ip->mode))
		err = -ENOTDIR;
	else if ((flags & O_CREAT) && S_ISDIR(ip->mode))
		err = -EISDIR;
	else if (S_ISLNK(ip->mode) && !(flags & O_PATH))
		err = -ELOOP; /* O_NOFOLLOW met a symlink */
	else if (!(flags & O_PATH) && !created &&
		 !(S_ISDIR(ip->mode) && (open_mask(flags) & W_OK)) &&
		 (err = vfs_permission(ip, open_mask(flags))))
		; /* a directory opened for writing is EISDIR first (vfs_open_inode) */
	else if (!(flags & O_PATH) && (flags & O_NOATIME) && !vfs_owner_or_capable(ip))
		err = -EPERM; /* Linux's may_open: O_NOATIME for the owner or CAP_FOWNER */
	else /* a file just made is not truncated (Linux's do_open): it keeps S_ISGID */
		err = vfs_open_inode(ip, created ? flags & ~(unsigned)O_TRUNC : flags, out);
	if (!err && S_ISFIFO(ip->mode))
		remember_path(base, path, *out);
	if (!err) /* O_TRUNC of a file that was there: IN_MODIFY first, as Linux's handle_truncate */
		inotify_open(*out, (flags & O_TRUNC) && !(flags & O_PATH) && !created &&
				   S_ISREG(ip->mode));
	inode_put(ip);
	return err;
}

/* ---------------------------------------------------------------- making names */

/* Where no entry can be made: EEXIST if the name is taken, else ENOENT. */
static int taken_or_enoent(struct parent *pp)
{
	struct inode *ip;

	if (lookup_last(pp, &ip))
		return -ENOENT;
	inode_put(ip);
	return -EEXIST;
}

/* A device node takes CAP_MKNOD (Linux's vfs_mknod, after the directory's
 * permission); any other entry anyone may make: 0 or -EPERM. */
static int may_make_node(uint32_t mode)
{
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && !capable(CAP_MKNOD))
		return -EPERM;
	return 0;
}

/* Make an entry at path: type and mode in mode, rdev for nodes, target for symlinks. */
static int make_entry(struct inode *base, const char *path, uint32_t mode, uint32_t rdev,
		      const char *target)
{
	struct parent pp;
	struct inode *ip;
	int err = get_parent(base, path, &pp);

	if (err)
		return err;
	if (special_name(&pp))
		err = -EEXIST;
	else if ((pp.slash && !S_ISDIR(mode)) || !pp.dir->ops->create) /* "file/", or /proc */
		err = taken_or_enoent(&pp);
	else if (pp.dir->nlink == 0)
		err = -ENOENT;
	else if ((err = taken_or_enoent(&pp)) == -ENOENT &&
		 !(err = vfs_permission(pp.dir, W_OK)) && !(err = may_make_node(mode)))
		err = pp.dir->ops->create(pp.dir, pp.name, pp.len, mode, rdev, target, &ip);
	if (!err) {
		vfs_init_owner(pp.dir, ip);
		inode_put(ip);
		dnotify_event(pp.dir, DN_CREATE);
		inotify_child(pp.dir, pp.name, pp.len, IN_CREATE, S_ISDIR(mode));
	}
	inode_put(pp.dir);
	return err;
}

int vfs_mknod(struct inode *base, const char *path, uint32_t mode, uint32_t rdev)
{
	uint32_t type = mode & S_IFMT;

	if (type == 0)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return type == S_IFDIR ? -EPERM : -EINVAL;
	return make_entry(base, path, type | (mode & ~umask_now() & S_IALLUGO), rdev, NULL);
}

int vfs_mkdir(struct inode *base, const char *path, uint32_t mode)
{
	return make_entry(base, path, S_IFDIR | (mode & ~umask_now() & S_IALLUGO), 0, NULL);
}

int vfs_symlink(const char *target, struct inode *base, const char *path)
{
	if (!target[0])
		return -ENOENT;
	return make_entry(base, path, S_IFLNK | 0777, 0, target);
}

/* Linux's may_linkat with fs.protected_hardlinks = 1 (what distributions
 * set): only the owner (or CAP_FOWNER) may link a file that is not a
 * regular, non-set-ID file it may read and write. 0 or -EPERM. */
static int may_linkat(const struct inode *ip)
{
	bool safe = S_ISREG(ip->mode) && !(ip->mode & S_ISUID) &&
		    (ip->mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) &&
		    vfs_permission(ip, R_OK | W_OK) == 0;

	return safe || vfs_owner_or_capable(ip) ? 0 : -EPERM;
}

int vfs_link(struct inode *obase, const char *oldpath, struct inode *nbase, const char *newpath,
	     bool follow)
{
	struct inode *ip;
	int err = vfs_walk(obase, oldpath, follow ? WALK_FOLLOW : 0, &ip);

	if (err)
		return err;
	err = vfs_link_inode(ip, nbase, newpath);
	inode_put(ip);
	return err;
}

int vfs_link_inode(struct inode *ip, struct inode *nbase, const char *newpath)
{
	struct parent pp;
	int err = get_parent(nbase, newpath, &pp);

	if (err)
		return err;
	if (special_name(&pp) || taken_or_enoent(&pp) == -EEXIST)
		err = -EEXIST;
	else if (pp.slash)
		err = -ENOENT;
	else if (ip->fs != pp.dir->fs)
		err = -EXDEV; /* Linux's do_linkat: another mount, before any permission */
	else if ((err = may_linkat(ip)))
		;
	else if (!pp.dir->ops->link)
		err = -ENOENT; /* /proc, as above */
	else if ((err = vfs_permission(pp.dir, W_OK)))
		; /* Linux's may_create, before the checks on the target */
	else if (S_ISDIR(ip->mode))
		err = -EPERM;
	else if (pp.dir->nlink == 0 || (ip->nlink == 0 && !ip->linkable))
		err = -ENOENT;
	else
		err = pp.dir->ops->link(pp.dir, pp.name, pp.len, ip);
	if (!err) {
		ip->linkable = false; /* an O_TMPFILE file's first name: its only free one */
		dnotify_event(pp.dir, DN_CREATE);
		inotify_inode_only(ip, IN_ATTRIB); /* Linux's fsnotify_link: the link count */
		inotify_child(pp.dir, pp.name, pp.len, IN_CREATE, false);
	}
	inode_put(pp.dir);
	return err;
}

/* ---------------------------------------------------------------- removing names */

/* rmdir's checks on the directory ip found at pp. */
static int rmdir_check(struct inode *ip)
{
	if (!S_ISDIR(ip->mode))
		return -ENOTDIR;
	if (ip == vfs_root() || ip->mounted)
		return -EBUSY;
	if (vfs_dir_has_entries(ip))
		return -ENOTEMPTY;
	return 0;
}

int vfs_unlink(struct inode *base, const char *path, bool dir)
{
	struct parent pp;
	struct inode *ip;
	int err = get_parent(base, path, &pp);

	if (err)
		return err;
	if (special_name(&pp)) {
		if (!dir)
			err = -EISDIR;
		else
			err = pp.len == 0 ? -EBUSY : pp.len == 1 ? -EINVAL : -ENOTEMPTY;
		inode_put(pp.dir);
		return err;
	}
	if ((err = lookup_last(&pp, &ip))) {
		inode_put(pp.dir);
		return err;
	}
	if ((err = vfs_permission(pp.dir, W_OK)) || (err = check_sticky(pp.dir, ip)))
		; /* Linux's may_delete: before the checks on the victim */
	else if (dir)
		err = rmdir_check(ip);
	else if (S_ISDIR(ip->mode))
		err = -EISDIR;
	else if (pp.slash)
		err = -ENOTDIR;
	if (!err)
		err = pp.dir->ops->unlink ? pp.dir->ops->unlink(pp.dir, pp.name, pp.len) : -EPERM;
	bool isdir = S_ISDIR(ip->mode);
	if (!err && !isdir) {
		inotify_inode_only(ip, IN_ATTRIB); /* Linux's fsnotify_link_count */
		inotify_unlinked(ip, pp.dir);
	}
	inode_put(ip); /* its last reference: IN_DELETE_SELF before the parent's IN_DELETE, as Linux */
	if (!err) {
		dnotify_event(pp.dir, DN_DELETE);
		inotify_child(pp.dir, pp.name, pp.len, IN_DELETE, isdir);
	}
	inode_put(pp.dir);
	return err;
}

/* True if dir is d or lies below it. */
static bool is_under(struct inode *dir, struct inode *d)
{
	for (struct inode *c = dir;; c = c->parent) {
		if (c == d)
			return true;
		if (!c->parent || c->parent == c)
			return false;
	}
}

/* Linux's may_delete and may_create on the two directories, and a
 * directory moving to another parent needs write permission on itself
 * (its ".." changes). */
static int rename_permission(struct parent *op, struct inode *src, struct parent *np)
{
	int err = vfs_permission(op->dir, W_OK);

	if (!err)
		err = vfs_permission(np->dir, W_OK);
	if (!err && S_ISDIR(src->mode) && op->dir != np->dir)
		err = vfs_permission(src, W_OK);
	return err;
}

/* rename's checks once both ends are known (dst may be NULL). */
static int rename_check(struct parent *op, struct inode *src, struct parent *np, struct inode *dst)
{
	if (op->dir->fs != np->dir->fs)
		return -EXDEV;
	if ((op->slash || np->slash) && !S_ISDIR(src->mode))
		return -ENOTDIR;
	if (src->mounted)
		return -EBUSY;
	if (S_ISDIR(src->mode) && is_under(np->dir, src))
		return -EINVAL;
	int err = rename_permission(op, src, np);
	if (!err)
		err = check_sticky(op->dir, src);
	if (!err && dst)
		err = check_sticky(np->dir, dst);
	if (err)
		return err;
	if (dst && S_ISDIR(src->mode) && !S_ISDIR(dst->mode))
		return -ENOTDIR;
	if (dst && !S_ISDIR(src->mode) && S_ISDIR(dst->mode))
		return -EISDIR;
	if (dst && S_ISDIR(dst->mode) && (dst->mounted || dst == vfs_root()))
		return -EBUSY;
	if (dst && S_ISDIR(dst->mode) && vfs_dir_has_entries(dst))
		return -ENOTEMPTY;
	if (!op->dir->ops->rename)
		return -EPERM;
	if (np->dir->nlink == 0)
		return -ENOENT;
	return 0;
}

/* dnotify of a rename, as Linux's fsnotify_move: DN_RENAME when the name
 * stays in its directory, then the name leaving odir (DN_DELETE) and
 * coming into ndir (DN_CREATE); each a separate event. */
static void rename_notify(struct inode *odir, struct inode *ndir)
{
	if (odir == ndir)
		dnotify_event(odir, DN_RENAME);
	dnotify_event(odir, DN_DELETE);
	dnotify_event(ndir, DN_CREATE);
}

/* The two ends of a rename or an exchange: both parents and the files at
 * both names (dst NULL when the new name is free). */
struct rename_ends {
	struct parent op, np;
	struct inode *src, *dst;
};

/* Fill e: both parents, then src (which must exist) and dst (which may be
 * missing unless need_dst: -ENOENT). 0 or the error; rename_ends_put
 * drops what was taken either way. */
static int rename_ends_get(struct inode *obase, const char *oldpath, struct inode *nbase,
			   const char *newpath, bool need_dst, struct rename_ends *e)
{
	int err;

	*e = (struct rename_ends){ 0 };
	if ((err = get_parent(obase, oldpath, &e->op))) {
		e->op.dir = NULL;
		return err;
	}
	if ((err = get_parent(nbase, newpath, &e->np))) {
		e->np.dir = NULL;
		return err;
	}
	if (special_name(&e->op) || special_name(&e->np))
		return -EBUSY;
	if ((err = lookup_last(&e->op, &e->src)))
		return err;
	err = lookup_last(&e->np, &e->dst);
	return err == -ENOENT && !need_dst ? 0 : err;
}

static void rename_ends_put(struct rename_ends *e)
{
	inode_put(e->src);
	inode_put(e->dst);
	inode_put(e->op.dir);
	inode_put(e->np.dir);
}

/* Both names are one file (/proc's and /sys's inodes are made per
 * lookup, so compare identities): nothing to do, as Linux (a case-only
 * rename on vfat too: both names find the one entry). */
static bool rename_same(const struct rename_ends *e)
{
	return e->dst && e->src->fs == e->dst->fs && e->src->ino == e->dst->ino;
}

int vfs_rename(struct inode *obase, const char *oldpath, struct inode *nbase, const char *newpath)
{
	struct rename_ends e;
	int err = rename_ends_get(obase, oldpath, nbase, newpath, false, &e);

	if (!err && !rename_same(&e))
		err = rename_check(&e.op, e.src, &e.np, e.dst);
	if (!err && !rename_same(&e))
		err = e.op.dir->ops->rename(e.op.dir, e.op.name, e.op.len, e.np.dir, e.np.name, e.np.len);
	if (!err && !rename_same(&e)) {
		rename_notify(e.op.dir, e.np.dir);
		inotify_move(e.op.dir, e.op.name, e.op.len, e.np.dir, e.np.name, e.np.len, e.src, e.dst);
	}
	rename_ends_put(&e);
	return err;
}

/* RENAME_EXCHANGE's checks once both ends are known: rename's for each
 * file moving into the other's directory (Linux's vfs_rename with both
 * may_delete and both directories' ancestry checked). */
static int exchange_check(struct parent *op, struct inode *src, struct parent *np, struct inode *dst)
{
	if (op->dir->fs != np->dir->fs)
		return -EXDEV;
	if ((op->slash && !S_ISDIR(src->mode)) || (np->slash && !S_ISDIR(dst->mode)))
		return -ENOTDIR;
	if (src->mounted || dst->mounted || src == vfs_root() || dst == vfs_root())
		return -EBUSY;
	if ((S_ISDIR(src->mode) && is_under(np->dir, src)) ||
	    (S_ISDIR(dst->mode) && is_under(op->dir, dst)))
		return -EINVAL;
	int err = rename_permission(op, src, np);
	if (!err)
		err = rename_permission(np, dst, op);
	if (!err)
		err = check_sticky(op->dir, src);
	if (!err)
		err = check_sticky(np->dir, dst);
	if (!err && !op->dir->ops->exchange)
		err = -EINVAL;
	return err;
}

int vfs_exchange(struct inode *obase, const char *oldpath, struct inode *nbase, const char *newpath)
{
	struct rename_ends e;
	int err = rename_ends_get(obase, oldpath, nbase, newpath, true, &e);

	if (!err && !rename_same(&e))
		err = exchange_check(&e.op, e.src, &e.np, e.dst);
	if (!err && !rename_same(&e))
		err = e.op.dir->ops->exchange(e.op.dir, e.op.name, e.op.len, e.np.dir, e.np.name, e.np.len);
	if (!err && !rename_same(&e)) { /* each name's file moved, as Linux's two fsnotify_move */
		rename_notify(e.op.dir, e.np.dir);
		rename_notify(e.np.dir, e.op.dir);
		inotify_move(e.op.dir, e.op.name, e.op.len, e.np.dir, e.np.name, e.np.len, e.src, NULL);
		inotify_move(e.np.dir, e.np.name, e.np.len, e.op.dir, e.op.name, e.op.len, e.dst, NULL);
	}
	rename_ends_put(&e);
	return err;
}

/* ---------------------------------------------------------------- attributes */

long vfs_readlink_inode(struct inode *ip, char *buf, size_t cap)
{
	long n = S_ISLNK(ip->mode) && ip->ops->readlink ? ip->ops->readlink(ip, buf, cap) : -EINVAL;

	if (n >= 0)
		vfs_touch_atime(ip);
	return n;
}

long vfs_readlink(struct inode *base, const char *path, char *buf, size_t cap)
{
	struct inode *ip;
	int err = vfs_walk(base, path, 0, &ip);

	if (err)
		return err;
	long n = vfs_readlink_inode(ip, buf, cap);
	inode_put(ip);
	return n;
}

/* The current process's RLIMIT_FSIZE (none for the kernel's own writes). */
static uint64_t fsize_limit(void)
{
	struct process *p = current_process();

	return p ? rlimit_cur(p, RLIMIT_FSIZE) : RLIM_INFINITY;
}

/* Past the limit: Linux's send_sig(SIGXFSZ, current) and -EFBIG. */
static int file_too_big(void)
{
	signal_send(current_process(), SIGXFSZ);
	return -EFBIG;
}

int vfs_write_limit(uint64_t pos, size_t *n)
{
	uint64_t limit = fsize_limit();

	if (*n == 0 || limit == RLIM_INFINITY)
		return 0;
	if (pos >= limit)
		return file_too_big();
	if (*n > limit - pos)
		*n = (size_t)(limit - pos);
	return 0;
}

int vfs_size_limit(uint64_t size)
{
	uint64_t limit = fsize_limit();

	return limit != RLIM_INFINITY && size > limit ? file_too_big() : 0;
}

int vfs_truncate(struct inode *ip, int64_t size)
{
	if (size < 0)
		return -EINVAL;
	if (S_ISDIR(ip->mode))
		return -EISDIR;
	if (!S_ISREG(ip->mode))
		return -EINVAL;
	if (ip->fs->read_only || !ip->ops->truncate)
		return -EACCES;
	int err = (uint64_t)size > ip->size ? vfs_size_limit((uint64_t)size) : 0;
	if (!err)
		err = ip->ops->truncate(ip, (uint64_t)size);
	if (!err) {
		vfs_remove_privs(ip);
		mfile_truncated(ip); /* a mapped disk file's pages */
		inotify_inode(ip, IN_MODIFY);
	}
	return err;
}

int vfs_access(const struct inode *ip, int mode)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	/* Linux's sb_permission: writing a file, directory or symlink of a
	 * read-only file system is EROFS before any mode bit counts (a device
	 * node or a FIFO there can still be written; /proc refuses otherwise) */
	bool stored = S_ISREG(ip->mode) || S_ISDIR(ip->mode) || S_ISLNK(ip->mode);
	if ((mode & W_OK) && stored && ip->fs->read_only && !ip->fs->pseudo)
		return -EROFS;
	/* the mode bits, then what CAP_DAC_OVERRIDE/READ_SEARCH allow (root
	 * executes only what has an x bit somewhere) */
	return vfs_permission(ip, mode);
}

/* The inotify events of a change of attributes valid (ATTR_*), as
 * Linux's fsnotify_change: both times are a utimes (IN_ATTRIB), one
 * alone an access or a modification. */
static uint32_t setattr_events(unsigned valid)
{
	uint32_t mask = valid & (ATTR_MODE | ATTR_UID | ATTR_GID) ? IN_ATTRIB : 0;
	unsigned times = valid & (ATTR_ATIME | ATTR_MTIME);

	if (times == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (times == ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (times == ATTR_MTIME)
		mask |= IN_MODIFY;
	return mask;
}

int vfs_setattr(struct inode *ip, struct iattr *a)
{
	int err = ip->ops->setattr ? ip->ops->setattr(ip, a) : 0;

	if (err)
		return err;
	if (a->valid & ATTR_MODE)
		ip->mode = (ip->mode & S_IFMT) | (a->mode & S_IALLUGO);
	if (a->valid & ATTR_UID)
		ip->uid = a->uid;
	if (a->valid & ATTR_GID)
		ip->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		ip->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		ip->mtime = a->mtime;
	ip->ctime = vfs_now();
	uint32_t ev = setattr_events(a->valid);
	inotify_inode(ip, ev);
	dnotify_inode(ip, (ev & IN_ATTRIB ? DN_ATTRIB : 0) | (ev & IN_MODIFY ? DN_MODIFY : 0) |
			  (ev & IN_ACCESS ? DN_ACCESS : 0));
	return 0;
}

int vfs_ro_error(const struct inode *ip)
{
	return ip->fs->pseudo ? -EPERM : -EROFS;
}

int vfs_chmod(struct inode *ip, uint32_t mode)
{
	if (ip->fs->read_only)
		return vfs_ro_error(ip);
	if (!vfs_owner_or_capable(ip))
		return -EPERM;
	mode &= S_IALLUGO;
	if (!cred_in_group(current_cred(), ip->gid) && !capable(CAP_FSETID))
		mode &= ~(uint32_t)S_ISGID;
	struct iattr a = { .valid = ATTR_MODE, .mode = mode };
	return vfs_setattr(ip, &a);
}

/* Linux's chown_ok and chgrp_ok: the owner may "change" the owner to
 * itself and the group to one of its groups; anything else needs CAP_CHOWN. */
static bool chown_ok(const struct inode *ip, uint32_t uid, uint32_t gid)
{
	const struct cred *c = current_cred();
	bool owner = ip->uid == c->fsuid;

	if (capable(CAP_CHOWN))
		return true;
	if (uid != ID_UNCHANGED && !(owner && uid == ip->uid))
		return false;
	return gid == ID_UNCHANGED || (owner && (gid == ip->gid || cred_in_group(c, gid)));
}

int vfs_chown(struct inode *ip, uint32_t uid, uint32_t gid)
{
	if (ip->fs->read_only)
		return vfs_ro_error(ip);
	if (!chown_ok(ip, uid, gid))
		return -EPERM;
	struct iattr a = { .valid = ATTR_MODE, .mode = ip->mode & S_IALLUGO, .uid = uid, .gid = gid };
	if (uid != ID_UNCHANGED)
		a.valid |= ATTR_UID;
	if (gid != ID_UNCHANGED)
		a.valid |= ATTR_GID;
	uint32_t new_gid = gid != ID_UNCHANGED ? gid : ip->gid;
	if (!S_ISDIR(ip->mode)) { /* chown_common's ATTR_KILL_SUID, setattr_should_drop_sgid */
		a.mode &= ~(uint32_t)S_ISUID;
		if ((a.mode & S_IXGRP) ||
		    (!cred_in_group(current_cred(), new_gid) && !capable(CAP_FSETID)))
			a.mode &= ~(uint32_t)S_ISGID;
	}
	if (a.mode == (ip->mode & S_IALLUGO))
		a.valid &= ~ATTR_MODE; /* a file system that holds no mode bits sees no chmod */
	return vfs_setattr(ip, &a);
}

long vfs_read_all(const char *path, char **data, size_t max)
{
	struct file *f;
	int err = vfs_open(NULL, path, O_RDONLY, 0, &f);

	if (err)
		return err;
	char *buf = kmalloc(max + 1);
	long total = 0;
	if (!buf) {
		file_put(f);
		return -ENOMEM;
	}
	while ((size_t)total < max) {
		long r = file_can_kread(f) ? file_kread(f, buf + total, max - (size_t)total, &f->pos)
					   : -EINVAL;
		if (r <= 0) {
			if (r < 0 && total == 0)
				total = r;
			break;
		}
		total += r;
	}
	file_put(f);
	if (total < 0) {
		kfree(buf);
		return total;
	}
	buf[total] = '\0';
	*data = buf;
	return total;
}

/* ---------------------------------------------------------------- exec */

/* Read ip's size bytes into buf: through the RAM file system directly,
 * or for a disk file (fs/fstype.h) through its open file's read with a kernel buffer. The
 * count read or -errno. */
static long exec_read(struct inode *ip, void *buf)
{
	if (ramfs_is(ip->fs))
		return ramfs_read_kernel(ip, buf, ip->size, 0);
	struct file *f;
	int err = vfs_open_inode(ip, O_RDONLY, &f);
	if (err)
		return err;
	long total = 0;
	while ((uint64_t)total < ip->size) {
		long r = file_can_kread(f) ? file_kread(f, (char *)buf + total, ip->size - (uint64_t)total,
							 &f->pos) : -EINVAL;
		if (r <= 0) {
			total = r < 0 ? r : total;
			break;
		}
		total += r;
	}
	file_put(f);
	return total;
}

/* The regular file exec would run, which the caller may execute and
 * nobody has open for writing: a new reference with writes denied
 * (exec_release drops both), or -errno (EACCES as Linux's
 * do_open_execat, then ETXTBSY as its deny_write_access). */
static int exec_resolve(const char *path, struct inode **out)
{
	struct inode *ip;
	int err = vfs_walk(NULL, path, WALK_FOLLOW, &ip);

	if (err)
		return err;
	if (!S_ISREG(ip->mode) || !(ip->mode & S_IXUGO))
		err = -EACCES; /* Linux's answer for directories and devices too */
	else
		err = vfs_permission(ip, X_OK); /* may_open's MAY_EXEC: the caller's class */
	if (!err)
		err = inode_deny_write(ip);
	if (err) {
		inode_put(ip);
		return err;
	}
	*out = ip;
	return 0;
}

void vfs_exec_release(struct inode *ip)
{
	if (!ip)
		return;
	inode_allow_write(ip);
	inode_put(ip);
}

void vfs_exec_release_nolock(struct inode *ip)
{
	if (!ip)
		return;
	inode_allow_write(ip);
	inode_put_nolock(ip);
}

/* Is path absolute, without an empty, "." or ".." component or a
 * final slash: the way vfs_realpath writes a path? */
static bool path_canonical(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const char *p = path; *p;) {
		const char *name = p + 1, *end = name;
		while (*end && *end != '/')
			end++;
		size_t len = (size_t)(end - name);
		if (len == 0 || (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'))))
			return false;
		p = end;
	}
	return true;
}

/* vfs_walk_nolock's use for vfs_exec_data_nolock (ctx: where the inode
 * goes): a regular, not set-id RAM file whose bytes are the archive's,
 * that the caller may execute, with a reference; -EACCES as
 * exec_resolve; WALK_LOCKED for any other file (a set-id file's ids and
 * mode are read together under the lock, as Linux's bprm_fill_uid reads
 * them under the inode's). */
static int exec_find(struct inode *ip, void *ctx)
{
	if (!S_ISREG(ip->mode) || !ramfs_is(ip->fs) || ip->transient || (ip->mode & (S_ISUID | S_ISGID)))
		return WALK_LOCKED;
	if (!(ip->mode & S_IXUGO))
		return -EACCES;
	int err = vfs_permission(ip, X_OK);
	if (err)
		return err;
	if (!inode_tryget(ip))
		return -ENOENT; /* being freed: unlinked before the walk got here */
	*(struct inode **)ctx = ip;
	return 0;
}

int vfs_exec_data_nolock(const char *path, const void **data, size_t *size, char *abs_path,
			 struct inode **held)
{
	struct inode *ip = NULL;

	if (!path_canonical(path))
		return WALK_LOCKED;
	int err = vfs_walk_nolock(NULL, path, WALK_FOLLOW | WALK_NO_SYMLINKS, exec_find, &ip);
	if (err)
		return err;
	if ((err = inode_deny_write(ip))) {
		inode_put_nolock(ip);
		return err;
	}
	/* no writer now, and none can come: the archive's bytes stay */
	const void *bytes = ramfs_borrowed(ip);
	if (!bytes) {
		vfs_exec_release_nolock(ip);
		return WALK_LOCKED; /* written since boot: the locked call copies it */
	}
	if (vfs_atime_due(ip, vfs_now())) { /* rare (relatime): under the lock, as a read's */
		bool taken = klock_enter_unless_held();
		vfs_touch_atime(ip);
		klock_leave_taken(taken);
	}
	*data = bytes;
	*size = ip->size;
	if (abs_path)
		strlcpy(abs_path, path, PATH_MAX);
	*held = ip;
	return 0;
}

/* The program's bytes: the boot archive's in place when the caller takes
 * them (owned) and the file is unchanged since boot, else a vmalloc'd
 * copy. 0 or -errno. */
static int exec_bytes(struct inode *ip, const void **data, bool *owned)
{
	const void *in_place = ramfs_borrowed(ip);

	if (owned)
		*owned = !in_place;
	if (in_place && owned) { /* the archive's bytes: no copy (busybox is 1.9 MB) */
		*data = in_place;
		return 0;
	}
	void *buf = vmalloc(ip->size ? ip->size : 1);
	if (!buf)
		return -ENOMEM;
	long n = exec_read(ip, buf);
	if (n < 0 || (uint64_t)n != ip->size) {
		vfree(buf);
		return n < 0 ? (int)n : -EIO;
	}
	*data = buf;
	return 0;
}

int vfs_exec_data(const char *path, const void **data, size_t *size, char *abs_path, bool *owned,
		  struct inode **held)
{
	struct inode *ip;
	int err = exec_resolve(path, &ip);

	if (err)
		return err;
	if (abs_path && vfs_realpath(path, abs_path) < 0)
		strlcpy(abs_path, path, PATH_MAX);
	if (!(err = exec_bytes(ip, data, owned))) {
		*size = ip->size;
		vfs_touch_atime(ip);
	}
	if (!err && held)
		*held = ip;
	else
		vfs_exec_release(ip);
	return err;
}
