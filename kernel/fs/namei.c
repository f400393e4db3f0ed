// SPDX-License-Identifier: MIT
/*
 * Kestrel: path walks. A walk keeps a reference on the directory it is
 * in and the rest of the path to go. "." stays, ".." goes to the
 * directory's parent (the root's is itself), a name is looked up, and a
 * mount point is crossed to the root mounted on it. A symlink met in the
 * middle (or at the end, when following) is replaced by its target: the
 * target and what was left of the path are spliced into a buffer of the
 * walk's own, and the walk goes on from the root or the link's
 * directory. More than SYMLINK_MAX links in one walk is ELOOP. openat2's
 * rules (WALK_NO_*, WALK_BENEATH, WALK_IN_ROOT in inode.h) refuse some
 * of these steps or move the walk's "/" to its starting directory.
 */
#include "fs/inode.h"
#include "fs/inotify.h"
#include "fs/path.h"
#include "mm/heap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/string.h"

struct walk {
	struct inode *dir;   /* where the walk is; referenced */
	struct inode *scope; /* a WALK_SCOPED walk's top ("/" for IN_ROOT); referenced, or NULL */
	unsigned rules;      /* the WALK_NO_* and scope flags */
	const char *p;       /* what is left of the path */
	char *buf;           /* 3 * PATH_MAX, made at the first symlink: two paths and a target */
	int which;           /* which of the two path buffers p is in (-1: the caller's) */
	int links;
};

#define WALK_RULES (WALK_NO_XDEV | WALK_NO_MAGICLINKS | WALK_NO_SYMLINKS | WALK_SCOPED)

/* Where an absolute name (a path's, a symlink target's) starts: the
 * root, or an IN_ROOT walk's scope; -EXDEV for a BENEATH walk. */
static int absolute_start(const struct walk *w, struct inode **top)
{
	if (w->rules & WALK_BENEATH)
		return -EXDEV;
	*top = w->rules & WALK_IN_ROOT ? w->scope : vfs_walk_root();
	return 0;
}

/* Start a walk of path (non-empty) from base, or the cwd, under the
 * rules in flags (scope: a scoped walk's top). */
static int walk_start(struct walk *w, struct inode *base, const char *path, unsigned flags,
		      struct inode *scope)
{
	struct inode *top = base ? base : vfs_cwd();

	memset(w, 0, sizeof(*w));
	w->which = -1;
	w->rules = flags & WALK_RULES;
	if (!path[0])
		return -ENOENT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (w->rules & WALK_SCOPED)
		w->scope = inode_get(scope ? scope : top);
	int err = path[0] == '/' ? absolute_start(w, &top) : 0;
	if (err)
		return err;
	w->dir = inode_get(top);
	w->p = path;
	return 0;
}

static void walk_end(struct walk *w)
{
	inode_put(w->dir);
	inode_put(w->scope);
	kfree(w->buf);
}

/* Linux's capable_wrt_inode_uidgid part of generic_permission. */
static bool dac_capable(const struct inode *ip, int mask)
{
	if (S_ISDIR(ip->mode))
		return capable(CAP_DAC_OVERRIDE) || (!(mask & W_OK) && capable(CAP_DAC_READ_SEARCH));
	if ((!(mask & X_OK) || (ip->mode & S_IXUGO)) && capable(CAP_DAC_OVERRIDE))
		return true;
	return mask == R_OK && capable(CAP_DAC_READ_SEARCH);
}

/* The permission bits of the class the current credentials fall in:
 * owner (the file system uid), group (the file system gid or a
 * supplementary group), other (Linux's acl_permission_check). */
static uint32_t class_bits(const struct inode *ip)
{
	const struct cred *c = current_cred();

	if (ip->uid == c->fsuid)
		return ip->mode >> 6;
	if (cred_in_group(c, ip->gid))
		return ip->mode >> 3;
	return ip->mode;
}

int vfs_permission(const struct inode *ip, int mask)
{
	uint32_t bits = class_bits(ip);

	mask &= R_OK | W_OK | X_OK;
	if ((bits & (uint32_t)mask) == (uint32_t)mask || dac_capable(ip, mask))
		return 0;
	return -EACCES;
}

/* Search permission on dir. When every class may search (a 0755
 * directory, nearly all of them) the answer does not depend on who
 * asks: no look at the credentials on each step of a walk. */
static int may_search(const struct inode *dir)
{
	if ((dir->mode & S_IXUGO) == S_IXUGO)
		return 0;
	return vfs_permission(dir, X_OK);
}

/* One step from dir by name (which needs search permission on dir): a
 * new reference to where it leads. */
static int step(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	int err = may_search(dir);

	if (err)
		return err;
	if (path_is_dot(name, len)) {
		*out = inode_get(dir);
		return 0;
	}
	if (path_is_dotdot(name, len)) { /* the root's, and a chroot's, is itself */
		*out = inode_get(dir->parent && dir != vfs_walk_root() ? dir->parent : dir);
		return 0;
	}
	if (!dir->ops->lookup)
		return -ENOENT;
	err = dir->ops->lookup(dir, name, len, out);
	if (err)
		return err;
	inotify_lookup(dir, name, len, *out);
	while ((*out)->mounted) {
		struct inode *m = inode_get((*out)->mounted);
		inode_put(*out);
		*out = m;
	}
	return 0;
}

/* Splice the target of the symlink just met before the rest of the path
 * (in the walk's own buffer): 1 when the target is absolute, 0 when it
 * is relative (the walk goes on from the link's directory), or -errno.
 * The file system's readlink must be safe where the walk runs (ramfs's
 * is, without any lock). */
static int splice_link(struct walk *w, struct inode *link)
{
	if (++w->links > SYMLINK_MAX)
		return -ELOOP;
	if (!link->ops->readlink)
		return -ENOENT;
	if (!w->buf && !(w->buf = kmalloc(3 * PATH_MAX)))
		return -ENOMEM;
	char *target = w->buf + 2 * PATH_MAX;
	int len = link->ops->readlink(link, target, PATH_MAX);
	if (len < 0)
		return len;
	if (len == 0)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	int into = w->which == 0 ? 1 : 0;
	char *out = w->buf + into * PATH_MAX;
	int err = path_splice(out, PATH_MAX, target, (size_t)len, w->p);
	if (err)
		return err;
	w->p = out;
	w->which = into;
	return target[0] == '/';
}

/* Replace the symlink just met by its target, spliced before the rest of the path. */
static int walk_link(struct walk *w, struct inode *link)
{
	int err = splice_link(w, link);

	if (err <= 0)
		return err;
	struct inode *top;
	if ((err = absolute_start(w, &top)))
		return err;
	if ((w->rules & WALK_NO_XDEV) && top->fs != w->dir->fs)
		return -EXDEV; /* Linux's nd_jump_root */
	inode_put(w->dir);
	w->dir = inode_get(top);
	return 0;
}

/* A magic link (procfs fd/N) leads straight to an inode: *to, or -ENOSYS
 * when link is an ordinary symlink. */
static int magic_link(struct walk *w, struct inode *link, struct inode **to)
{
	if (!link->ops->follow)
		return -ENOSYS;
	if (w->links + 1 > SYMLINK_MAX)
		return -ELOOP;
	int err = link->ops->follow(link, to);
	if (err == 0)
		w->links++;
	return err;
}

/* ".." at a scoped walk's top: -EXDEV for BENEATH, 1 (stay) for
 * IN_ROOT; else 0 (an ordinary step). */
static int scoped_dotdot(const struct walk *w, const char *name, size_t len)
{
	if (!(w->rules & WALK_SCOPED) || w->dir != w->scope || !path_is_dotdot(name, len))
		return 0;
	return w->rules & WALK_BENEATH ? -EXDEV : 1;
}

/* May the walk follow symlink link? Linux's pick_link and nd_jump_link:
 * ELOOP for any with NO_SYMLINKS, for a magic one with NO_MAGICLINKS;
 * EXDEV for a magic one in a scope (and, with NO_XDEV, for one that
 * leads to another mount: the caller's check after it). */
static int link_allowed(const struct walk *w, const struct inode *link)
{
	bool magic = link->ops->magic && link->ops->magic(link);

	if (w->rules & WALK_NO_SYMLINKS)
		return -ELOOP;
	if (magic && (w->rules & WALK_NO_MAGICLINKS))
		return -ELOOP;
	return magic && (w->rules & WALK_SCOPED) ? -EXDEV : 0;
}

/* Parent mode of a walk: where it stops, what it hands back. */
struct walk_last {
	bool parent;         /* stop before the last component */
	char *name;          /* NAME_MAX + 1 bytes */
	size_t len;
	bool slash;
};

/*
 * Walk to the end. Without last->parent: *out is the inode the path
 * names (symlinks at the end followed per flags; a trailing slash always
 * follows and demands a directory). With it: *out is the directory that
 * holds the last component, copied to last->name.
 */
static int walk_run(struct walk *w, unsigned flags, struct walk_last *last, struct inode **out)
{
	for (;;) {
		const char *name;
		long len = path_next(&w->p, &name);
		if (len < 0)
			return (int)len;
		if (len == 0) { /* only slashes were left: the path names the directory we are in */
			if (last)
				last->len = 0;
			*out = w->dir;
			w->dir = NULL;
			return 0;
		}
		bool final = path_only_slashes(w->p), slash = final && *w->p == '/';
		if (!S_ISDIR(w->dir->mode))
			return -ENOTDIR;
		if (final && last) {
			memcpy(last->name, name, (size_t)len);
			last->name[len] = '\0';
			last->len = (size_t)len;
			last->slash = slash;
			*out = w->dir;
			w->dir = NULL;
			return 0;
		}
		struct inode *next;
		int err = scoped_dotdot(w, name, (size_t)len);
		if (err > 0)
			continue; /* ".." at an IN_ROOT walk's top stays there */
		if (!err)
			err = step(w->dir, name, (size_t)len, &next);
		if (err)
			return err;
		if (S_ISLNK(next->mode) && (!final || slash || (flags & WALK_FOLLOW))) {
			struct inode *to = NULL;
			err = w->rules ? link_allowed(w, next) : 0;
			if (!err)
				err = magic_link(w, next, &to);
			if (err == -ENOSYS)
				err = walk_link(w, next);
			inode_put(next);
			if (err)
				return err;
			if (!to)
				continue;
			next = to;
		}
		if ((w->rules & WALK_NO_XDEV) && next->fs != w->dir->fs) {
			inode_put(next);
			return -EXDEV; /* a mount crossed, either way */
		}
		if (final) {
			if ((slash || (flags & WALK_DIR)) && !S_ISDIR(next->mode)) {
				inode_put(next);
				return -ENOTDIR;
			}
			*out = next;
			return 0;
		}
		inode_put(w->dir);
		w->dir = next;
	}
}

/* ---------------------------------------------------------------- walks without the kernel lock */

/*
 * A lock-free walk (vfs_walk_nolock) takes no reference on what it
 * passes: it reads inodes that another CPU, holding the kernel lock, may
 * unlink and free meanwhile. It is an RCU read side of its own: each CPU
 * counts its walks in walk_cpus[cpu].seq, odd while one runs, and
 * inode_free first waits (vfs_walkers_wait) until every CPU whose count
 * was odd has moved on, so nothing such a walk can still reach is freed
 * under it. The walk runs with interrupts off: an interrupt in the
 * middle would wait for the kernel lock, whose holder may be the CPU
 * waiting for this walk. Lock rule: a CPU's seq is written by that CPU
 * alone, with interrupts off; others only read it.
 */
struct walk_cpu {
	volatile uint64_t seq;
} __attribute__((aligned(64)));
static struct walk_cpu walk_cpus[SMP_MAX_CPUS];

/* Enter (seq odd) before any pointer of the walk is read: the increment
 * is a locked instruction, a full barrier, against vfs_walkers_wait's
 * fence (Dekker's pattern: either the freer sees the walk, or the walk
 * sees the inode already unreachable). */
static void walk_enter(struct walk_cpu *c)
{
	__atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
}

static void walk_leave(struct walk_cpu *c)
{
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELEASE);
}

void vfs_walkers_wait(void)
{
	unsigned self = smp_cpu_id(), n = smp_cpus_online();

	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the inode made unreachable, then the counts read */
	for (unsigned cpu = 0; cpu < n && cpu < SMP_MAX_CPUS; cpu++) {
		uint64_t seq = __atomic_load_n(&walk_cpus[cpu].seq, __ATOMIC_ACQUIRE);
		if (cpu == self || !(seq & 1))
			continue;
		while (__atomic_load_n(&walk_cpus[cpu].seq, __ATOMIC_ACQUIRE) == seq)
			cpu_pause();
	}
}

/* The mode bits of a directory a lock-free walk may search without
 * asking who it is for: a directory every class may search. */
#define SEARCH_ALL_MASK (S_IFMT | S_IXUGO)
#define SEARCH_ALL      (S_IFDIR | S_IXUGO)

/* One step of a lock-free walk, as step() takes it (the ENOTDIR check
 * of walk_run's loop first): *out (no reference), -ENOTDIR, -ENOENT, or
 * WALK_LOCKED. */
static inline int step_nolock(struct inode *dir, const struct path_name *n, struct inode **out)
{
	uint32_t mode = dir->mode;

	if ((mode & SEARCH_ALL_MASK) != SEARCH_ALL || !dir->ops->lookup_nolock) {
		if (!S_ISDIR(mode))
			return -ENOTDIR;
		return WALK_LOCKED; /* the credentials decide, or another file system */
	}
	if (n->head == PATH_HEAD_DOT) {
		*out = dir;
		return 0;
	}
	if (n->head == PATH_HEAD_DOTDOT) {
		struct inode *top = vfs_walk_root(), *parent = dir->parent;
		*out = parent && dir != top ? parent : dir;
		return 0;
	}
	struct inode *ip = dir->ops->lookup_nolock(dir, n);
	if (!ip)
		return -ENOENT;
	if (ip->mounted || (!S_ISDIR(ip->mode) && inotify_lookup_needed(dir, ip)))
		return WALK_LOCKED;
	*out = ip;
	return 0;
}

/* A symlink met by a lock-free walk: its target spliced in as walk_link
 * does (w->dir moves to the root for an absolute one), or -errno, or
 * WALK_LOCKED for a magic link (procfs's) or no memory for the buffer. */
static int link_nolock(struct walk *w, struct inode *link)
{
	if (link->ops->follow)
		return WALK_LOCKED;
	int err = splice_link(w, link);
	if (err == -ENOMEM)
		return WALK_LOCKED;
	if (err > 0)
		w->dir = vfs_walk_root();
	return err < 0 ? err : 0;
}

/* walk_run's loop for a lock-free walk (w->dir and what it reaches carry
 * no reference): the inode the path names in *out, -errno, or
 * WALK_LOCKED. The directory and the rest of the path stay in locals,
 * written back to w only for a symlink. */
static int walk_run_nolock(struct walk *w, unsigned flags, struct inode **out)
{
	struct inode *dir = w->dir;
	const char *p = w->p;

	for (;;) {
		struct path_name n;
		long len = path_next_name(&p, &n);
		if (len <= 0) {
			if (len < 0)
				return (int)len;
			*out = dir; /* only slashes were left: the directory we are in */
			return 0;
		}
		struct inode *next;
		int err = step_nolock(dir, &n, &next);
		if (err)
			return err;
		bool final = path_only_slashes(p), slash = final && *p == '/';
		if (S_ISLNK(next->mode) && (!final || slash || (flags & WALK_FOLLOW))) {
			if (flags & WALK_NO_SYMLINKS)
				return WALK_LOCKED; /* the locked walk's -ELOOP */
			w->dir = dir;
			w->p = p;
			if ((err = link_nolock(w, next)))
				return err;
			dir = w->dir;
			p = w->p;
			continue;
		}
		if (final) {
			if ((slash || (flags & WALK_DIR)) && !S_ISDIR(next->mode))
				return -ENOTDIR;
			*out = next;
			return 0;
		}
		dir = next;
	}
}

int vfs_walk_nolock(struct inode *base, const char *path, unsigned flags,
		    int (*use)(struct inode *ip, void *ctx), void *ctx)
{
	if (!path[0])
		return -ENOENT;
	if (flags & ~(WALK_FOLLOW | WALK_DIR | WALK_NO_SYMLINKS))
		return WALK_LOCKED;
	struct walk w = { .p = path, .which = -1 };
	uint64_t f = irq_save();
	struct walk_cpu *c = &walk_cpus[smp_cpu_id()];
	walk_enter(c);
	w.dir = path[0] == '/' ? vfs_walk_root() : base ? base : vfs_cwd();
	struct inode *ip = NULL;
	int err = walk_run_nolock(&w, flags, &ip);
	if (!err && (flags & WALK_DIR) && !S_ISDIR(ip->mode))
		err = -ENOTDIR;
	if (!err)
		err = use(ip, ctx);
	walk_leave(c);
	irq_restore(f);
	kfree(w.buf);
	return err;
}

int vfs_walk(struct inode *base, const char *path, unsigned flags, struct inode **out)
{
	return vfs_walk_in(base, path, flags, NULL, out);
}

int vfs_walk_in(struct inode *base, const char *path, unsigned flags, struct inode *scope,
		struct inode **out)
{
	struct walk w;
	int err = walk_start(&w, base, path, flags, scope);

	if (!err)
		err = walk_run(&w, flags, NULL, out);
	walk_end(&w);
	if (!err && (flags & WALK_DIR) && !S_ISDIR((*out)->mode)) {
		inode_put(*out);
		return -ENOTDIR;
	}
	return err;
}

int vfs_walk_parent(struct inode *base, const char *path, struct inode **dir, char *name,
		    size_t *len, bool *slash)
{
	return vfs_walk_parent_in(base, path, 0, NULL, dir, name, len, slash);
}

int vfs_walk_parent_in(struct inode *base, const char *path, unsigned flags, struct inode *scope,
		       struct inode **dir, char *name, size_t *len, bool *slash)
{
	struct walk w;
	struct walk_last last = { true, name, 0, false };
	int err = walk_start(&w, base, path, flags, scope);

	if (!err)
		err = walk_run(&w, 0, &last, dir);
	walk_end(&w);
	if (err)
		return err;
	/* Looking the last name up in *dir needs search permission on it, as
	 * every step of a walk does (Linux's link_path_walk checks it before
	 * each name, the last one included): the callers need not. */
	err = !S_ISDIR((*dir)->mode) ? -ENOTDIR : last.len ? vfs_permission(*dir, X_OK) : 0;
	if (err) {
		inode_put(*dir);
		return err;
	}
	*len = last.len;
	*slash = last.slash;
	if (last.len == 0)
		name[0] = '\0';
	return 0;
}

long vfs_path_of(struct inode *ip, char *buf, size_t cap)
{
	size_t start = cap - 1;

	if (cap < 2)
		return -ERANGE;
	buf[start] = '\0';
	/* from the caller's root, as Linux's d_path; a directory outside a
	 * chroot from the system's */
	for (struct inode *cur = ip; cur != vfs_root() && cur != vfs_walk_root(); cur = cur->parent) {
		if (!S_ISDIR(cur->mode) || cur->nlink == 0 || !cur->name || !cur->parent)
			return -ENOENT;
		if (path_prepend(buf, &start, cur->name, strlen(cur->name)))
			return -ERANGE;
	}
	if (start == cap - 1)
		buf[--start] = '/';
	size_t n = cap - 1 - start;
	memmove(buf, buf + start, n + 1);
	return (long)n;
}

/* Append "/" and name (len bytes) to the absolute directory path in abs
 * (n bytes long): the new length or -ENAMETOOLONG. */
static long append_name(char *abs, size_t n, const char *name, size_t len)
{
	if (n == 1)
		n = 0; /* the root: "/" + name, not "//" + name */
	if (n + 1 + len >= PATH_MAX)
		return -ENAMETOOLONG;
	abs[n] = '/';
	memcpy(abs + n + 1, name, len);
	abs[n + 1 + len] = '\0';
	return (long)(n + 1 + len);
}

/* One round of vfs_realpath: the directory of cur and its last name;
 * if that is a symlink, cur becomes its target (made absolute) and the
 * result is 1; otherwise abs gets the answer. */
static long realpath_step(char *cur, char *tgt, char *abs)
{
	struct inode *dir, *last;
	char name[NAME_MAX + 1];
	size_t len;
	bool slash;
	int err = vfs_walk_parent(NULL, cur, &dir, name, &len, &slash);

	if (err)
		return err;
	long n = vfs_path_of(dir, abs, PATH_MAX);
	if (n >= 0 && len == 0) {
		inode_put(dir);
		return n;
	}
	err = n < 0 ? (int)n : step(dir, name, len, &last);
	inode_put(dir);
	if (err)
		return err;
	if (!S_ISLNK(last->mode)) {
		if (S_ISDIR(last->mode))
			n = vfs_path_of(last, abs, PATH_MAX); /* "." and ".." come out right */
		else
			n = append_name(abs, (size_t)n, name, len);
		inode_put(last);
		return n;
	}
	int tl = last->ops->readlink ? last->ops->readlink(last, tgt, PATH_MAX - 1) : -EINVAL;
	inode_put(last);
	if (tl <= 0)
		return tl < 0 ? tl : -ENOENT;
	tgt[tl] = '\0';
	if (tgt[0] == '/') {
		memcpy(cur, tgt, (size_t)tl + 1);
	} else {
		if ((size_t)n + 1 + (size_t)tl >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(cur, abs, (size_t)n);
		long m = append_name(cur, (size_t)n, tgt, (size_t)tl);
		if (m < 0)
			return m;
	}
	return -EAGAIN; /* go round again */
}

long vfs_realpath(const char *path, char *abs)
{
	char *cur = kmalloc(2 * PATH_MAX);
	long r = -ELOOP;

	if (!cur)
		return -ENOMEM;
	strlcpy(cur, path, PATH_MAX);
	for (int hops = 0; hops <= SYMLINK_MAX; hops++) {
		r = realpath_step(cur, cur + PATH_MAX, abs);
		if (r != -EAGAIN)
			break;
		r = -ELOOP;
	}
	kfree(cur);
	return r;
}
