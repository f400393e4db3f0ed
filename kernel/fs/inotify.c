// SPDX-License-Identifier: MIT
/*
 * Kestrel: inotify, as Linux 6.1's fs/notify/inotify (see inotify.h).
 *
 * An instance (an open file) holds watches and a queue of events. A
 * watch joins one inode to one instance: it is on the inode's list
 * (inode->inotify_watches) and on the instance's. The VFS calls the hooks
 * below where Linux's fsnotify hooks are; each walks the watches of the
 * inode concerned (and of its directory, for an event on a directory's
 * entry) and queues an event to each instance that asked for it.
 *
 * Watches hold no reference on their inode: an inode with links is never
 * freed (fs/vfs.c's inode_put), and one that has none is freed at its
 * last reference, which is where Linux sends IN_DELETE_SELF too; the free
 * calls inotify_inode_gone, and the watches go with IN_IGNORED.
 *
 * Kestrel's files other than directories do not know their directory
 * (Linux's dentry parent), so a walk that finds one in a watched
 * directory leaves the directory and name on its inode (struct
 * inotify_name; a rename moves it): events on it reach that directory's
 * watches with the name, as Linux's do through the dentry. A file last
 * found before its directory was watched reaches only its own watches
 * until a walk finds it again.
 *
 * Locks, in the order taken: marks_lock (every watch list, the counts
 * per user, the instance list), then an instance's lock (its queue).
 * Both are spinlocks; nothing that may sleep or fault runs under them
 * (read copies to the user after the events are taken off the queue).
 * Wakeups are done under them: wake_all takes only the scheduler's own
 * locks, which never take these.
 */
#include "fs/inotify.h"
#include "fs/inode.h"
#include "fs/procfs_sys.h"
#include "fs/sbuf.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/inotify.h"
#include "uapi/ioctl.h"
#include "uapi/stat.h"

/* Linux's defaults (fs/notify/inotify/inotify_user.c). */
#define DEFAULT_MAX_INSTANCES 128
#define DEFAULT_MAX_EVENTS    16384
/* max_user_watches as Linux's inotify_user_setup: 1% of memory over
 * what a watch costs there (its mark and two inodes, about 1280 bytes
 * on x86_64), between these bounds. */
#define WATCHES_MIN           8192
#define WATCHES_MAX           1048576
#define WATCH_COST            1280
#define MEMORY_PERCENT        100
#define SYSCTL_INT_MAX        0x7fffffff
#define EVENT_SIZE            ((uint32_t)sizeof(struct inotify_event))
#define WD_MAX                SYSCTL_INT_MAX

/* The /proc/sys/fs/inotify values: read when an instance or watch is
 * made (the sysctl file writes them). */
static int64_t max_user_instances = DEFAULT_MAX_INSTANCES;
static int64_t max_user_watches = WATCHES_MIN; /* inotify_init sets it */
static int64_t max_queued_events = DEFAULT_MAX_EVENTS;

/* One queued event; name_len bytes of name (NUL-padded, a multiple of
 * EVENT_SIZE, 0 for none) follow it. */
struct inotify_ev {
	struct inotify_ev *next;
	int32_t wd;
	uint32_t mask, cookie;
	uint32_t name_len;
	char name[];
};

struct inotify_inst {
	/* marks_lock protects these */
	struct inotify_watch *watches;   /* this instance's, by w->inst_next */
	int last_wd;                     /* the last descriptor handed out */
	uint32_t uid;                    /* the real uid charged for it and its watches */
	int nwatches;
	struct inotify_inst *next;       /* all instances (the counts per user) */

	/* lock protects these (taken after marks_lock when both are) */
	struct spinlock lock;
	struct inotify_ev *head, *tail;  /* the queue, oldest first */
	uint32_t queued;                 /* events in it, the overflow one included */
	uint64_t bytes;                  /* what read would return for all of them (FIONREAD) */
	uint32_t max_events;             /* max_queued_events when it was made */
	struct inotify_ev *overflow;     /* IN_Q_OVERFLOW (its own), queued at most once */
	bool overflow_queued;

	struct wait_queue wq;            /* readers wait for an event (wait_on's rule) */
};

/* A watch: inode ip watched by inst. All fields under marks_lock. */
struct inotify_watch {
	struct inode *ip;
	struct inotify_inst *inst;
	int wd;
	uint32_t mask;                   /* IN_* events and IN_EXCL_UNLINK, IN_ONESHOT */
	struct inotify_watch *inode_next, *inst_next;
};

/* Where a walk last found a file that is not a directory, in a watched
 * directory: that directory (a reference, dropped outside marks_lock:
 * it may free it) and the name. The inode's inotify_name, under
 * marks_lock; freed with the inode or replaced by the next walk's. */
struct inotify_name {
	struct inode *dir;
	size_t len;
	char name[];
};

static struct spinlock marks_lock = SPINLOCK_INIT;
static struct inotify_inst *instances;      /* marks_lock */
/* inotify.h's inotify_watches: changed under marks_lock. */
unsigned long inotify_watches;

/* A cookie for each rename, shared by its two events (marks_lock). */
static uint32_t next_cookie;

/* ---------------------------------------------------------------- the queue */

/* Bytes an event with a name of len bytes takes in read's buffer. */
static uint32_t name_room(size_t len)
{
	return len ? (uint32_t)((len + 1 + EVENT_SIZE - 1) / EVENT_SIZE * EVENT_SIZE) : 0;
}

/* Linux's inotify_merge: the last queued event says the same thing. */
static bool same_as_last(const struct inotify_inst *in, const struct inotify_ev *e)
{
	const struct inotify_ev *l = in->tail;

	return l && !(l->mask & IN_IGNORED) && l->mask == e->mask && l->wd == e->wd &&
	       l->name_len == e->name_len && memcmp(l->name, e->name, e->name_len) == 0;
}

static void append(struct inotify_inst *in, struct inotify_ev *e)
{
	e->next = NULL;
	if (in->tail)
		in->tail->next = e;
	else
		in->head = e;
	in->tail = e;
	in->queued++;
	in->bytes += EVENT_SIZE + e->name_len;
}

/*
 * Queue e (kmalloc'd, or NULL: out of memory) to in, as Linux's
 * fsnotify_add_event: a full queue (or no memory) gets IN_Q_OVERFLOW
 * once instead, an event the same as the last is dropped. e is kept or
 * freed; readers are woken. Takes in->lock (marks_lock may be held).
 */
static void queue_event(struct inotify_inst *in, struct inotify_ev *e)
{
	uint64_t fl = spin_lock_irqsave(&in->lock);

	if (!e || in->queued >= in->max_events) {
		if (!in->overflow_queued) {
			in->overflow_queued = true;
			append(in, in->overflow);
		}
		kfree(e);
	} else if (same_as_last(in, e)) {
		kfree(e);
	} else {
		append(in, e);
	}
	wake_all(&in->wq);
	spin_unlock_irqrestore(&in->lock, fl);
	io_event();
}

/* A new event for watch descriptor wd (name NULL: none): NULL when out of memory. */
static struct inotify_ev *event_new(int wd, uint32_t mask, uint32_t cookie, const char *name,
				    size_t len)
{
	uint32_t room = name ? name_room(len) : 0;
	struct inotify_ev *e = kzalloc(sizeof(*e) + room);

	if (!e)
		return NULL;
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->name_len = room;
	if (room)
		memcpy(e->name, name, len); /* kzalloc'd: the padding is NULs */
	return e;
}

/* ---------------------------------------------------------------- watches */

/* Unlink w from the list at *link (by the field next's offset). */
static void unlink_watch(struct inotify_watch **link, struct inotify_watch *w, bool inode_list)
{
	while (*link != w)
		link = inode_list ? &(*link)->inode_next : &(*link)->inst_next;
	*link = inode_list ? w->inode_next : w->inst_next;
}

/* Remove w, queueing IN_IGNORED to its instance (Linux's
 * inotify_freeing_mark). marks_lock held. */
static void watch_drop(struct inotify_watch *w)
{
	unlink_watch(&w->ip->inotify_watches, w, true);
	unlink_watch(&w->inst->watches, w, false);
	w->inst->nwatches--;
	inotify_watches--;
	queue_event(w->inst, event_new(w->wd, IN_IGNORED, 0, NULL, 0));
	kfree(w);
}

/* The watch of in on ip, or NULL. marks_lock held. */
static struct inotify_watch *watch_find(struct inotify_inst *in, struct inode *ip)
{
	for (struct inotify_watch *w = ip->inotify_watches; w; w = w->inode_next)
		if (w->inst == in)
			return w;
	return NULL;
}

/* Watches charged to uid, all instances. marks_lock held. */
static int64_t user_watches(uint32_t uid)
{
	int64_t n = 0;

	for (struct inotify_inst *in = instances; in; in = in->next)
		if (in->uid == uid)
			n += in->nwatches;
	return n;
}

/* The next free descriptor of in, as Linux's idr_alloc_cyclic from 1. marks_lock held. */
static int next_wd(struct inotify_inst *in)
{
	for (;;) {
		in->last_wd = in->last_wd >= WD_MAX ? 1 : in->last_wd + 1;
		bool taken = false;
		for (struct inotify_watch *w = in->watches; w && !taken; w = w->inst_next)
			taken = w->wd == in->last_wd;
		if (!taken)
			return in->last_wd;
	}
}

/* The bits a watch keeps of add_watch's mask. */
#define WATCH_KEEP (IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT)

/* Change an existing watch w as add_watch's mask says: its wd or -EEXIST. marks_lock held. */
static int watch_update(struct inotify_watch *w, uint32_t mask)
{
	if (mask & IN_MASK_CREATE)
		return -EEXIST;
	if (mask & IN_MASK_ADD)
		w->mask |= mask & WATCH_KEEP;
	else
		w->mask = mask & WATCH_KEEP;
	return w->wd;
}

int inotify_add(struct file *f, struct inode *ip, uint32_t mask)
{
	struct inotify_inst *in = f->priv;
	struct inotify_watch *nw = kzalloc(sizeof(*nw));
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	struct inotify_watch *w = watch_find(in, ip);
	int r;

	if (w) {
		r = watch_update(w, mask);
	} else if (!nw) {
		r = -ENOMEM;
	} else if (user_watches(in->uid) >= max_user_watches) {
		r = -ENOSPC;
	} else {
		*nw = (struct inotify_watch){ .ip = ip, .inst = in, .wd = next_wd(in),
					      .mask = mask & WATCH_KEEP,
					      .inode_next = ip->inotify_watches,
					      .inst_next = in->watches };
		ip->inotify_watches = in->watches = nw;
		in->nwatches++;
		inotify_watches++;
		r = nw->wd;
		nw = NULL; /* kept */
	}
	spin_unlock_irqrestore(&marks_lock, fl);
	kfree(nw);
	return r;
}

int inotify_rm(struct file *f, int wd)
{
	struct inotify_inst *in = f->priv;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	struct inotify_watch *w = in->watches;

	while (w && w->wd != wd)
		w = w->inst_next;
	if (w)
		watch_drop(w);
	spin_unlock_irqrestore(&marks_lock, fl);
	return w ? 0 : -EINVAL;
}

/* ---------------------------------------------------------------- events */

/* What one event is about. */
struct event {
	uint32_t mask;         /* one IN_* event, with IN_ISDIR */
	uint32_t cookie;
	const char *name;      /* the entry, for a directory's watches; NULL */
	size_t len;
	struct inode *child;   /* the entry's inode when known (IN_EXCL_UNLINK), or NULL */
};

/*
 * Queue ev to every watch of ip that asked for it (IN_UNMOUNT: all of
 * them); a watch with IN_ONESHOT goes after it (IN_IGNORED). As Linux's
 * inotify_handle_inode_event, IN_ISDIR is not reported with the
 * IN_*_SELF events. marks_lock held.
 */
static void deliver(struct inode *ip, const struct event *ev)
{
	uint32_t mask = ev->mask;

	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		mask &= ~IN_ISDIR;
	for (struct inotify_watch *w = ip->inotify_watches, *next; w; w = next) {
		next = w->inode_next;
		if (!(mask & (w->mask | IN_UNMOUNT) & ~IN_ISDIR))
			continue;
		if (ev->name && (w->mask & IN_EXCL_UNLINK) && ev->child && ev->child->nlink == 0)
			continue;
		queue_event(w->inst, event_new(w->wd, mask, ev->cookie, ev->name, ev->len));
		if (w->mask & IN_ONESHOT)
			watch_drop(w);
	}
}

/* Does ip have a watch? Read without the lock (see inotify_watches). */
static bool watched(const struct inode *ip)
{
	return __atomic_load_n(&ip->inotify_watches, __ATOMIC_RELAXED) != NULL;
}

static bool anything_watched(void)
{
	return inotify_active();
}

/*
 * mask to ip's watches, and to its directory's with its name, as Linux's
 * fsnotify_parent, the directory's first: a directory's is its parent
 * and name; another file's, where a walk last found it (its
 * inotify_name), if any.
 */
static void deliver_both(struct inode *ip, uint32_t mask)
{
	bool isdir = S_ISDIR(ip->mode);
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	struct inotify_name *n = isdir ? NULL : ip->inotify_name;
	struct inode *dir = isdir ? (ip->parent != ip ? ip->parent : NULL) : n ? n->dir : NULL;
	const char *name = isdir ? ip->name : n ? n->name : NULL;

	if (isdir)
		mask |= IN_ISDIR;
	if (dir && name && dir->inotify_watches)
		deliver(dir, &(struct event){ .mask = mask, .name = name, .len = strlen(name),
					       .child = ip });
	if (ip->inotify_watches)
		deliver(ip, &(struct event){ .mask = mask });
	spin_unlock_irqrestore(&marks_lock, fl);
}

void inotify_inode(struct inode *ip, uint32_t mask)
{
	if (mask && anything_watched())
		deliver_both(ip, mask);
}

void inotify_inode_only(struct inode *ip, uint32_t mask)
{
	if (!anything_watched() || !watched(ip))
		return;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	deliver(ip, &(struct event){ .mask = mask | (S_ISDIR(ip->mode) ? IN_ISDIR : 0) });
	spin_unlock_irqrestore(&marks_lock, fl);
}

void inotify_child(struct inode *dir, const char *name, size_t len, uint32_t mask, bool isdir)
{
	if (!anything_watched() || !watched(dir))
		return;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	deliver(dir, &(struct event){ .mask = mask | (isdir ? IN_ISDIR : 0), .name = name,
				       .len = len });
	spin_unlock_irqrestore(&marks_lock, fl);
}

/* A record of dir and name[0..len) (a reference on dir), or NULL when out of memory. */
static struct inotify_name *name_new(struct inode *dir, const char *name, size_t len)
{
	struct inotify_name *n = kmalloc(sizeof(*n) + len + 1);

	if (n) {
		n->dir = inode_get(dir);
		n->len = len;
		memcpy(n->name, name, len);
		n->name[len] = '\0';
	}
	return n;
}

static void name_free(struct inotify_name *n)
{
	if (n) {
		inode_put(n->dir); /* outside marks_lock: this may free dir */
		kfree(n);
	}
}

/* Make n (NULL: none) child's record, freeing the one it replaces. */
static void name_set(struct inode *child, struct inotify_name *n)
{
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	struct inotify_name *old = child->inotify_name;
	child->inotify_name = n;
	spin_unlock_irqrestore(&marks_lock, fl);
	name_free(old);
}

bool inotify_lookup_needed(const struct inode *dir, const struct inode *child)
{
	return !S_ISDIR(child->mode) && anything_watched() && watched(dir);
}

void inotify_lookup(struct inode *dir, const char *name, size_t len, struct inode *child)
{
	if (S_ISDIR(child->mode) || !anything_watched() || !watched(dir))
		return;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	struct inotify_name *n = child->inotify_name;
	bool same = n && n->dir == dir && n->len == len && memcmp(n->name, name, len) == 0;
	spin_unlock_irqrestore(&marks_lock, fl);
	if (!same)
		name_set(child, name_new(dir, name, len));
}

void inotify_unlinked(struct inode *ip, struct inode *dir)
{
	if (ip->nlink == 0 || S_ISDIR(ip->mode))
		return;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	bool there = ip->inotify_name && ip->inotify_name->dir == dir;
	spin_unlock_irqrestore(&marks_lock, fl);
	if (there)
		name_set(ip, NULL);
}

void inotify_move(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		  const char *nname, size_t nlen, struct inode *src, struct inode *dst)
{
	if (!anything_watched())
		return;
	uint32_t isdir = S_ISDIR(src->mode) ? IN_ISDIR : 0;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	uint32_t cookie = ++next_cookie;
	deliver(odir, &(struct event){ .mask = IN_MOVED_FROM | isdir, .cookie = cookie,
					.name = oname, .len = olen });
	deliver(ndir, &(struct event){ .mask = IN_MOVED_TO | isdir, .cookie = cookie,
					.name = nname, .len = nlen });
	spin_unlock_irqrestore(&marks_lock, fl);
	if (!isdir && src->inotify_name) /* its new name, as the dentry Linux moves */
		name_set(src, watched(ndir) ? name_new(ndir, nname, nlen) : NULL);
	if (dst)
		inotify_inode_only(dst, IN_ATTRIB); /* Linux's fsnotify_link_count */
	inotify_inode_only(src, IN_MOVE_SELF);
}

/* ---------------------------------------------------------------- open files */

void inotify_open(struct file *f, bool truncated)
{
	if (!anything_watched() || !f->inode)
		return;
	if (truncated)
		deliver_both(f->inode, IN_MODIFY);
	deliver_both(f->inode, IN_OPEN);
}

void inotify_file(struct file *f, uint32_t mask)
{
	if (anything_watched() && f->inode)
		deliver_both(f->inode, mask);
}

void inotify_close(struct file *f)
{
	if (anything_watched() && f->inode)
		deliver_both(f->inode, can_write(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

/* Drop every watch of ip, after ev (mask 0: none). marks_lock held. */
static void drop_all(struct inode *ip, uint32_t mask)
{
	if (mask)
		deliver(ip, &(struct event){ .mask = mask });
	while (ip->inotify_watches)
		watch_drop(ip->inotify_watches);
}

void inotify_inode_gone(struct inode *ip)
{
	if (ip->inotify_name)
		name_set(ip, NULL);
	if (!anything_watched() || !watched(ip))
		return;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	drop_all(ip, ip->nlink == 0 && !ip->transient ? IN_DELETE_SELF : 0);
	spin_unlock_irqrestore(&marks_lock, fl);
}

void inotify_unmount(const struct fs_info *fs)
{
	if (!anything_watched())
		return;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	for (struct inotify_inst *in = instances; in; in = in->next) {
		for (struct inotify_watch *w = in->watches, *next; w; w = next) {
			next = w->inst_next;
			if (w->ip->fs != fs)
				continue;
			/* the inode's other watches may be next's: restart this instance's walk */
			drop_all(w->ip, IN_UNMOUNT);
			next = in->watches;
		}
	}
	spin_unlock_irqrestore(&marks_lock, fl);
}

/* ---------------------------------------------------------------- the file */

/* Take the events that fit in n bytes off in's queue into *list: 0, or
 * -EINVAL when the first does not fit; -EAGAIN when there is none. */
static long take_events(struct inotify_inst *in, size_t n, struct inotify_ev **list)
{
	uint64_t fl = spin_lock_irqsave(&in->lock);
	struct inotify_ev **end = list;
	long r = in->head ? 0 : -EAGAIN;
	size_t used = 0;

	*list = NULL;
	while (in->head && used + EVENT_SIZE + in->head->name_len <= n) {
		struct inotify_ev *e = in->head;
		in->head = e->next;
		if (!in->head)
			in->tail = NULL;
		in->queued--;
		in->bytes -= EVENT_SIZE + e->name_len;
		used += EVENT_SIZE + e->name_len;
		e->next = NULL;
		*end = e;
		end = &e->next;
	}
	if (!*list && in->head)
		r = -EINVAL; /* Linux: the buffer cannot hold the next event */
	spin_unlock_irqrestore(&in->lock, fl);
	return r;
}

/* Free an event taken off the queue (the overflow one is in's own). */
static void event_free(struct inotify_inst *in, struct inotify_ev *e)
{
	if (e != in->overflow) {
		kfree(e);
		return;
	}
	uint64_t fl = spin_lock_irqsave(&in->lock);
	in->overflow_queued = false;
	spin_unlock_irqrestore(&in->lock, fl);
}

/* Copy the events of list to buf and free them: the bytes, or -EFAULT
 * if the first could not be copied (the others are lost, as Linux's). */
static long copy_events(struct inotify_inst *in, struct inotify_ev *list, struct iobuf buf)
{
	long done = 0;
	bool fault = false;

	while (list) {
		struct inotify_ev *e = list;
		struct inotify_event h = { .wd = e->wd, .mask = e->mask, .cookie = e->cookie,
					   .len = e->name_len };
		list = e->next;
		if (!fault && (iobuf_put(buf, (size_t)done, &h, EVENT_SIZE) ||
			       iobuf_put(buf, (size_t)done + EVENT_SIZE, e->name, e->name_len)))
			fault = true;
		if (!fault)
			done += EVENT_SIZE + e->name_len;
		event_free(in, e);
	}
	return done ? done : fault ? -EFAULT : 0;
}

/* User buffers only (inotify_ops has no kernel_io): not a sendfile or splice end. */
static long inotify_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	struct inotify_inst *in = f->priv;
	struct inotify_ev *list;
	long r;

	(void)pos;
	while ((r = take_events(in, n, &list)) == -EAGAIN) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		wait_on(&in->wq, NO_DEADLINE);
	}
	return r < 0 ? r : copy_events(in, list, buf);
}

static unsigned inotify_poll(struct file *f)
{
	struct inotify_inst *in = f->priv;

	return __atomic_load_n(&in->queued, __ATOMIC_RELAXED) ? POLLIN : 0;
}

static long inotify_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct inotify_inst *in = f->priv;

	if (req != FIONREAD)
		return -ENOTTY;
	uint64_t fl = spin_lock_irqsave(&in->lock);
	int n = (int)in->bytes;
	spin_unlock_irqrestore(&in->lock, fl);
	return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* The last reference: every watch goes (their IN_IGNORED queued and
 * freed with the rest), then the instance. */
static void inotify_release(struct file *f)
{
	struct inotify_inst *in = f->priv;
	uint64_t fl = spin_lock_irqsave(&marks_lock);

	while (in->watches)
		watch_drop(in->watches);
	for (struct inotify_inst **l = &instances; *l; l = &(*l)->next) {
		if (*l == in) {
			*l = in->next;
			break;
		}
	}
	spin_unlock_irqrestore(&marks_lock, fl);
	for (struct inotify_ev *e = in->head, *next; e; e = next) {
		next = e->next;
		if (e != in->overflow)
			kfree(e);
	}
	kfree(in->overflow);
	kfree(in);
}

static const struct file_ops inotify_ops = {
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.release = inotify_release,
	.anon_name = "inotify",
};

bool inotify_is(const struct file *f)
{
	return f->ops == &inotify_ops;
}

void inotify_fdinfo(struct file *f, struct sbuf *s)
{
	struct inotify_inst *in = f->priv;
	uint64_t fl = spin_lock_irqsave(&marks_lock);

	for (struct inotify_watch *w = in->watches; w; w = w->inst_next)
		sb_printf(s, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:0\n", (unsigned)w->wd,
			  (unsigned long)w->ip->ino, w->ip->fs->dev, w->mask);
	spin_unlock_irqrestore(&marks_lock, fl);
}

/* Instances charged to uid. marks_lock held. */
static int64_t user_instances(uint32_t uid)
{
	int64_t n = 0;

	for (struct inotify_inst *in = instances; in; in = in->next)
		n += in->uid == uid;
	return n;
}

int inotify_create(unsigned flags, struct file **out)
{
	struct inotify_inst *in = kzalloc(sizeof(*in));
	struct inotify_ev *ov = kzalloc(sizeof(*ov));

	if (!in || !ov || !(*out = file_alloc(&inotify_ops, O_RDONLY | (flags & O_NONBLOCK), in))) {
		kfree(in);
		kfree(ov);
		return -ENOMEM;
	}
	in->uid = current_cred()->uid;
	in->lock = (struct spinlock)SPINLOCK_INIT;
	*ov = (struct inotify_ev){ .wd = -1, .mask = IN_Q_OVERFLOW };
	in->overflow = ov;
	uint64_t fl = spin_lock_irqsave(&marks_lock);
	int r = user_instances(in->uid) >= max_user_instances ? -EMFILE : 0;
	if (!r) {
		in->max_events = (uint32_t)max_queued_events;
		in->next = instances;
		instances = in;
	}
	spin_unlock_irqrestore(&marks_lock, fl);
	if (r) {
		(*out)->ops = NULL; /* not an instance yet: no release */
		file_put(*out);
		kfree(in);
		kfree(ov);
	}
	return r;
}

/* ---------------------------------------------------------------- sysctl */

#define INOTIFY_LIMIT(field) .dir = SYSCTL_DIR_FS_INOTIFY, .mode = 0644, .n = 1, \
	.data = &(field), .min = 0, .max = SYSCTL_INT_MAX

static const struct sysctl_file inotify_files[] = {
	{ .name = "max_user_instances", INOTIFY_LIMIT(max_user_instances) },
	{ .name = "max_user_watches", INOTIFY_LIMIT(max_user_watches) },
	{ .name = "max_queued_events", INOTIFY_LIMIT(max_queued_events) },
};

void inotify_init(void)
{
	int64_t w = (int64_t)(pmm_managed_pages() / MEMORY_PERCENT * PAGE_SIZE / WATCH_COST);

	max_user_watches = w < WATCHES_MIN ? WATCHES_MIN : w > WATCHES_MAX ? WATCHES_MAX : w;
	procfs_sysctl_register(inotify_files, sizeof(inotify_files) / sizeof(inotify_files[0]));
}
