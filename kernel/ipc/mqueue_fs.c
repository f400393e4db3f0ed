// SPDX-License-Identifier: MIT
/*
 * Kestrel: POSIX message queues, the names' half (Linux's ipc/mqueue.c):
 * the mqueue file system every queue is a file of (one, as Linux's one
 * IPC namespace has; mount -t mqueue shows its root), mq_open and
 * mq_unlink, the limits of /proc/sys/fs/mqueue, the count of queues and
 * the bytes charged to each user's RLIMIT_MSGQUEUE.
 *
 * A queue is an inode whose priv is its struct mqueue: the name holds a
 * reference, and each open file one; unlinked, it lives until the last
 * file goes and the inode is evicted (mqueue_evict), which gives back
 * its count and its bytes.
 *
 * Lock rule: mq_lock guards the names (the list and each queue's name
 * and next), mq_count and the users' charges; it is taken before a
 * queue's lock is ever needed (never both), before the heap's, and is
 * never held across a user copy or a sleep. The limits are read and
 * written whole (__atomic). Inode reference counts are the VFS's.
 */
#include "ipc/mqueue.h"
#include "ipc/mqueue_int.h"
#include "fs/inode.h"
#include "fs/procfs_sys.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "sys/syscall_define.h"
#include "uapi/capability.h"
#include "uapi/limits.h"

#define MQUEUE_DEV     21            /* st_dev minor of the file system */
#define MSG_OVERHEAD   48            /* sizeof(struct msg_msg) on x86_64 Linux ... */
#define LEVEL_OVERHEAD 48            /* ... and of a posix_msg_tree_node: mq_bytes counts them */
#define QUEUE_FILE_SIZE 80           /* st_size of a queue (Linux's FILENT_SIZE) */
#define INT_MAX_V      2147483647

/* fs.mqueue.*: queues_max, msg_max, msgsize_max, msg_default, msgsize_default. */
enum { MQ_QUEUES_I, MQ_MSG_I, MQ_MSGSIZE_I, MQ_MSG_DEF_I, MQ_MSGSIZE_DEF_I, MQ_LIMITS };
static int64_t mq_limits[MQ_LIMITS] = {
	MQ_QUEUES_DEFAULT, MQ_MSG_DEFAULT, MQ_MSGSIZE_DEFAULT, MQ_MSG_DEFAULT, MQ_MSGSIZE_DEFAULT,
};

/* A user's charge (Linux's user_struct mq_bytes), by real uid; freed at 0. */
struct mq_user {
	uint32_t uid;
	uint64_t bytes;
	struct mq_user *next;
};

static struct spinlock mq_lock;
static struct mqueue *mq_names;      /* mq_lock: the named queues */
static int64_t mq_count;             /* mq_lock: queues that exist, named or not */
static struct mq_user *mq_users;     /* mq_lock */
static uint64_t mq_next_ino = 2;     /* mq_lock (the root is 1) */
static struct inode *mq_root;        /* set at boot */

static const struct fs_info mqueue_fs = { .name = "mqueue", .dev = RDEV(0, MQUEUE_DEV),
					  .magic = MQUEUE_MAGIC };
static const struct inode_ops mq_file_iops;

static int64_t limit(int i)
{
	return __atomic_load_n(&mq_limits[i], __ATOMIC_RELAXED);
}

/* ---- accounting (mq_lock) ---------------------------------------------------------- */

static struct mq_user **user_slot(uint32_t uid)
{
	struct mq_user **pu = &mq_users;

	while (*pu && (*pu)->uid != uid)
		pu = &(*pu)->next;
	return pu;
}

/* Charge bytes to uid within max: 0, -EMFILE (over it), -ENOMEM. */
static int charge(uint32_t uid, uint64_t bytes, uint64_t max)
{
	struct mq_user **pu = user_slot(uid), *u = *pu;
	uint64_t had = u ? u->bytes : 0;

	if (had + bytes < had || had + bytes > max)
		return -EMFILE;
	if (!u) {
		if (!(u = kzalloc(sizeof(*u))))
			return -ENOMEM;
		u->uid = uid;
		*pu = u;
	}
	u->bytes += bytes;
	return 0;
}

static void uncharge(uint32_t uid, uint64_t bytes)
{
	struct mq_user **pu = user_slot(uid), *u = *pu;

	if (!u)
		return;
	u->bytes -= bytes;
	if (!u->bytes) {
		*pu = u->next;
		kfree(u);
	}
}

/* ---- a queue's inode ----------------------------------------------------------------- */

/* The inode went (the last reference of an unlinked queue, or a queue
 * never named): its count and bytes come back, its messages go. */
static void mqueue_evict(struct inode *ip)
{
	struct mqueue *q = ip->priv;

	if (!q)
		return;
	if (q->charged) {
		uint64_t fl = spin_lock_irqsave(&mq_lock);
		uncharge(q->charged_uid, q->charged);
		mq_count--;
		spin_unlock_irqrestore(&mq_lock, fl);
	}
	mqueue_free(q);
	ip->priv = NULL;
}

static int mq_file_open(struct inode *ip, struct file *f)
{
	f->ops = &mqueue_file_ops;
	f->priv = ip->priv;
	return 0;
}

static const struct inode_ops mq_file_iops = { .open = mq_file_open, .evict = mqueue_evict };

/* What a new queue needs, made before mq_lock is taken. */
struct mq_new {
	struct inode *ip;          /* a reference; nlink 0 until named */
	struct mqueue *q;
	int attr_err;              /* the attributes' verdict, given in Linux's order */
	uint64_t bytes;            /* its charge */
};

/* Linux's mqueue_get_inode's checks of the attributes (NULL: the
 * defaults): 0 and the bytes to charge, or -EINVAL, -EOVERFLOW. */
static int attr_check(const struct mq_attr_k *attr, int64_t *maxmsg, int64_t *msgsize,
		      uint64_t *bytes)
{
	int64_t mm = limit(MQ_MSG_I), ms = limit(MQ_MSGSIZE_I);

	*maxmsg = attr ? attr->maxmsg : (limit(MQ_MSG_DEF_I) < mm ? limit(MQ_MSG_DEF_I) : mm);
	*msgsize = attr ? attr->msgsize
			: (limit(MQ_MSGSIZE_DEF_I) < ms ? limit(MQ_MSGSIZE_DEF_I) : ms);
	if (*maxmsg <= 0 || *msgsize <= 0)
		return -EINVAL;
	if (capable(CAP_SYS_RESOURCE) ? *maxmsg > MQ_MSG_HARD || *msgsize > MQ_MSGSIZE_HARD
				      : *maxmsg > mm || *msgsize > ms)
		return -EINVAL;
	uint64_t levels = *maxmsg < MQ_PRIO_MAX ? (uint64_t)*maxmsg : MQ_PRIO_MAX;
	*bytes = (uint64_t)*maxmsg * (uint64_t)*msgsize + (uint64_t)*maxmsg * MSG_OVERHEAD +
		 levels * LEVEL_OVERHEAD; /* both bounded above: no overflow */
	return 0;
}

/* A queue's inode and queue, not yet named: 0, or -ENOMEM. */
static int new_prepare(const struct mq_attr_k *attr, uint32_t mode, struct mq_new *n)
{
	int64_t maxmsg = 0, msgsize = 0;

	*n = (struct mq_new){ 0 };
	n->attr_err = attr_check(attr, &maxmsg, &msgsize, &n->bytes);
	if (!(n->ip = inode_alloc(&mqueue_fs, &mq_file_iops, S_IFREG | (mode & 07777))))
		return -ENOMEM;
	if (!(n->q = mqueue_alloc(maxmsg, msgsize))) {
		inode_put(n->ip);
		return -ENOMEM;
	}
	n->q->ip = n->ip;
	n->ip->priv = n->q;
	n->ip->size = QUEUE_FILE_SIZE;
	return 0;
}

/* A candidate that was not used goes (evict frees its queue). */
static void new_drop(struct mq_new *n)
{
	if (n->ip)
		inode_put(n->ip);
}

/* ---- the names ------------------------------------------------------------------------ */

/* The queue called name (mq_lock), or NULL. */
static struct mqueue *name_find(const char *name)
{
	for (struct mqueue *q = mq_names; q; q = q->next)
		if (strcmp(q->name, name) == 0)
			return q;
	return NULL;
}

/* Name n's queue (mq_lock): the count (ENOSPC unless CAP_SYS_RESOURCE),
 * the attributes, the charge (EMFILE), in Linux's order. 0: the name's
 * reference is n->ip's. */
static int name_add(const char *name, struct mq_new *n)
{
	int64_t max = limit(MQ_QUEUES_I);
	size_t len = strlen(name);
	int err;

	if (mq_count >= max && !capable(CAP_SYS_RESOURCE))
		return -ENOSPC;
	if (n->attr_err)
		return n->attr_err;
	uint32_t uid = current_cred()->uid;
	if ((err = charge(uid, n->bytes, rlimit_cur(current_process(), RLIMIT_MSGQUEUE))))
		return err;
	if (!(n->q->name = kmalloc(len + 1))) {
		uncharge(uid, n->bytes);
		return -ENOMEM;
	}
	memcpy(n->q->name, name, len + 1);
	n->q->charged_uid = uid;
	n->q->charged = n->bytes;
	n->ip->ino = mq_next_ino++;
	n->ip->nlink = 1;
	n->q->next = mq_names;
	mq_names = n->q;
	mq_count++;
	return 0;
}

/* Take q's name away (mq_lock): the name's reference is the caller's to put. */
static void name_remove(struct mqueue *q)
{
	for (struct mqueue **pq = &mq_names; *pq; pq = &(*pq)->next)
		if (*pq == q) {
			*pq = q->next;
			break;
		}
	kfree(q->name);
	q->name = NULL;
	q->ip->nlink = 0;
}

/* Linux's getname: the user's name into buf (PATH_MAX bytes): 0,
 * -EFAULT, -ENOENT (empty), -ENAMETOOLONG. */
static int get_name(uptr_t u, char *buf)
{
	long n = strncpy_from_user(buf, u, PATH_MAX);

	if (n < 0)
		return (int)n;
	return n == 0 ? -ENOENT : 0;
}

/* Linux's lookup_one_len in the file system's root: a name with a '/',
 * "." or ".." is -EACCES; longer than NAME_MAX -ENAMETOOLONG. */
static int check_component(const char *name)
{
	size_t len = strlen(name);

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
		return -EACCES;
	return len > NAME_MAX ? -ENAMETOOLONG : 0;
}

/* ---- mq_open ---------------------------------------------------------------------------- */

/* The queue called name, found (*ip a reference) or made with O_CREAT
 * (*created): 0, or -ENOENT, -ENOSPC, -EINVAL, -EMFILE, -ENOMEM. */
static int lookup_or_create(const char *name, int oflag, uint32_t mode,
			    const struct mq_attr_k *attr, struct inode **ip, bool *created)
{
	struct mq_new n = { 0 };
	int err = 0;

	*created = false;
	if ((oflag & O_CREAT) && (err = new_prepare(attr, mode, &n)))
		return err;
	uint64_t fl = spin_lock_irqsave(&mq_lock);
	struct mqueue *q = name_find(name);
	if (q) {
		*ip = inode_get(q->ip);
	} else if (!(oflag & O_CREAT)) {
		err = -ENOENT;
	} else if (!(err = name_add(name, &n))) {
		*ip = inode_get(n.ip);
		n.ip = NULL; /* the name's reference now */
		*created = true;
	}
	spin_unlock_irqrestore(&mq_lock, fl);
	new_drop(&n);
	return err;
}

/* Linux's prepare_open for a queue that was there: O_EXCL, the access
 * mode, the permission. */
static int may_open_existing(struct inode *ip, int oflag)
{
	static const int acc[3] = { R_OK, W_OK, R_OK | W_OK };

	if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	return vfs_permission(ip, acc[oflag & O_ACCMODE]);
}

/* Open the queue ip on a new descriptor (always close-on-exec, as
 * Linux's): the descriptor, or -ENOMEM, -EMFILE. Takes over ip's reference. */
static long open_file(struct inode *ip, int oflag)
{
	struct file *f = file_alloc(&mqueue_file_ops, (unsigned)oflag & (O_ACCMODE | O_NONBLOCK),
				    ip->priv);

	if (!f) {
		inode_put(ip);
		return -ENOMEM;
	}
	f->inode = ip;
	int fd = fd_install(current_process()->files, f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long do_mq_open(const char *name, int oflag, umode_t mode, const struct mq_attr_k *attr)
{
	struct inode *ip;
	bool created;
	int err;

	if (!fd_room(current_process()->files))
		return -EMFILE;
	if ((err = check_component(name)))
		return err;
	mode &= (umode_t)~current_process()->umask;
	if ((err = lookup_or_create(name, oflag, mode, attr, &ip, &created)))
		return err;
	if (!created && (err = may_open_existing(ip, oflag))) {
		inode_put(ip);
		return err;
	}
	return open_file(ip, oflag);
}

SYSCALL_DEFINE4(mq_open, uptr_t, uname, int, oflag, umode_t, mode, uptr_t, uattr)
{
	struct mq_attr_k attr;
	char *name;
	long r;

	if (uattr && copy_from_user(&attr, uattr, sizeof(attr)))
		return -EFAULT;
	if (!(name = kmalloc(PATH_MAX)))
		return -ENOMEM;
	if (!(r = get_name(uname, name)))
		r = do_mq_open(name, oflag, mode, uattr ? &attr : NULL);
	kfree(name);
	return r;
}

/* ---- mq_unlink -------------------------------------------------------------------------- */

/* The sticky root's rule for taking a name away: the queue's owner, the
 * root's owner, or CAP_FOWNER. */
static bool may_remove(const struct inode *ip)
{
	uint32_t fsuid = current_cred()->fsuid;

	return fsuid == ip->uid || fsuid == (mq_root ? mq_root->uid : 0) || capable(CAP_FOWNER);
}

/* Take name away (check: the caller's permission): 0, -ENOENT, -EPERM
 * (libc's mq_unlink turns that into EACCES, as POSIX says). */
static int unlink_name(const char *name, bool check)
{
	uint64_t fl = spin_lock_irqsave(&mq_lock);
	struct mqueue *q = name_find(name);
	int err = !q ? -ENOENT : check && !may_remove(q->ip) ? -EPERM : 0;
	struct inode *ip = q ? q->ip : NULL;

	if (!err)
		name_remove(q);
	spin_unlock_irqrestore(&mq_lock, fl);
	if (!err)
		inode_put(ip); /* the name's: the last open file's close ends the queue */
	return err;
}

SYSCALL_DEFINE1(mq_unlink, uptr_t, uname)
{
	char *name = kmalloc(PATH_MAX);
	long r;

	if (!name)
		return -ENOMEM;
	if (!(r = get_name(uname, name)) && !(r = check_component(name)))
		r = unlink_name(name, true);
	kfree(name);
	return r;
}

/* ---- the root directory ---------------------------------------------------------------- */

static int root_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	char buf[NAME_MAX + 1];
	int err = -ENOENT;

	(void)dir;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, name, len);
	buf[len] = '\0';
	uint64_t fl = spin_lock_irqsave(&mq_lock);
	struct mqueue *q = name_find(buf);
	if (q) {
		*out = inode_get(q->ip);
		err = 0;
	}
	spin_unlock_irqrestore(&mq_lock, fl);
	return err;
}

/* The i-th name (from 0) into buf, with its inode number: true, or
 * false past the last. */
static bool nth_name(uint64_t i, char *buf, uint64_t *ino)
{
	uint64_t fl = spin_lock_irqsave(&mq_lock);
	struct mqueue *q = mq_names;

	while (q && i--)
		q = q->next;
	if (q) {
		strlcpy(buf, q->name, NAME_MAX + 1);
		*ino = q->ip->ino;
	}
	spin_unlock_irqrestore(&mq_lock, fl);
	return q != NULL;
}

/* The names, newest first: each copied out of the list before emit,
 * whose copy to the user may fault. */
static int root_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	char name[NAME_MAX + 1];
	uint64_t ino;

	if (!vfs_emit_dots(dir, pos, emit, ctx))
		return 0;
	while (nth_name(*pos - 2, name, &ino)) {
		if (!emit(ctx, name, strlen(name), ino, DT_REG, *pos + 1))
			return 0;
		(*pos)++;
	}
	return 0;
}

/* open(O_CREAT) in a mounted mqueue: a queue with the defaults (Linux's mqueue_create). */
static int root_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       uint32_t rdev, const char *target, struct inode **out)
{
	char buf[NAME_MAX + 1];
	bool created;

	(void)dir;
	(void)rdev;
	if (!S_ISREG(mode) || target)
		return -EPERM;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, name, len);
	buf[len] = '\0';
	int err = lookup_or_create(buf, O_CREAT, mode, NULL, out, &created);
	if (!err && !created) {
		inode_put(*out);
		err = -EEXIST;
	}
	return err;
}

static int root_unlink(struct inode *dir, const char *name, size_t len)
{
	char buf[NAME_MAX + 1];

	(void)dir;
	if (len > NAME_MAX)
		return -ENOENT;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return unlink_name(buf, false); /* the VFS checked the sticky root's rule */
}

static int root_open(struct inode *ip, struct file *f)
{
	(void)ip;
	f->ops = &dir_file_ops;
	return 0;
}

static const struct inode_ops mq_root_iops = {
	.lookup = root_lookup,
	.iterate = root_iterate,
	.create = root_create,
	.unlink = root_unlink,
	.open = root_open,
};

struct inode *mqueue_root(void)
{
	return mq_root;
}

/* ---- /proc/sys/fs/mqueue and boot ----------------------------------------------------- */

#define MQ_RW(nm, i, lo, hi) \
	{ .name = nm, .dir = SYSCTL_DIR_FS_MQUEUE, .mode = 0644, .n = 1, .data = &mq_limits[i], \
	  .min = lo, .max = hi }

static const struct sysctl_file mq_files[] = {
	MQ_RW("queues_max", MQ_QUEUES_I, -INT_MAX_V - 1, INT_MAX_V),
	MQ_RW("msg_max", MQ_MSG_I, MQ_MSG_MIN, MQ_MSG_HARD),
	MQ_RW("msgsize_max", MQ_MSGSIZE_I, MQ_MSGSIZE_MIN, MQ_MSGSIZE_HARD),
	MQ_RW("msg_default", MQ_MSG_DEF_I, MQ_MSG_MIN, MQ_MSG_HARD),
	MQ_RW("msgsize_default", MQ_MSGSIZE_DEF_I, MQ_MSGSIZE_MIN, MQ_MSGSIZE_HARD),
};

void mqueue_init(void)
{
	procfs_sysctl_register(mq_files, sizeof(mq_files) / sizeof(mq_files[0]));
	struct inode *ip = inode_alloc(&mqueue_fs, &mq_root_iops, S_IFDIR | S_ISVTX | 0777);

	if (!ip) {
		klog(LOG_ERR, "mqueue: no memory for the file system's root: it cannot be mounted\n");
		return;
	}
	ip->ino = 1;
	ip->nlink = 2;
	ip->parent = ip;
	mq_root = ip;
}
