// SPDX-License-Identifier: MIT
/*
 * Kestrel: nsfs, the files the links of /proc/PID/ns open, as Linux 6.1's fs/nsfs.c.
 * Kestrel has one namespace of each kind, the initial one, so there are
 * eight inodes, made at first use and kept; their numbers are Linux's
 * for its initial namespaces (PROC_*_INIT_INO, and the numbers its boot
 * gives the first mount and network namespaces). The ioctls answer as
 * Linux's ns_ioctl does for an initial namespace: NS_GET_USERNS opens the
 * user namespace owning it (EPERM for the user namespace itself, whose
 * owner is outside any), NS_GET_PARENT is EPERM for the pid and user
 * namespaces (the caller may not see a parent) and EINVAL for the kinds
 * with no hierarchy, NS_GET_NSTYPE is the CLONE_NEW* flag, and
 * NS_GET_OWNER_UID (user namespaces only, else EINVAL) is uid 0.
 */
#include "fs/nsfs.h"
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "uapi/sched.h"

#define NSFS_DEV   4           /* st_dev minor, as Linux's nsfs usually gets (0:4) */
#define NSFS_MAGIC 0x6e736673  /* Linux's NSFS_MAGIC */

/* Linux's ioctls (include/uapi/linux/nsfs.h): _IO(0xb7, n). */
#define NS_GET_USERNS    0xb701
#define NS_GET_PARENT    0xb702
#define NS_GET_NSTYPE    0xb703
#define NS_GET_OWNER_UID 0xb704

enum ns_kind { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_TIME, NS_USER, NS_UTS, NS_KINDS };

static const struct ns_desc {
	const char *name;    /* the link text's and the kind's name */
	unsigned type;       /* CLONE_NEW* */
	uint32_t ino;
	bool hierarchy;      /* pid and user namespaces nest (NS_GET_PARENT) */
} kinds[NS_KINDS] = {
	[NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP, 0xeffffffbu, false },
	[NS_IPC] = { "ipc", CLONE_NEWIPC, 0xefffffffu, false },
	[NS_MNT] = { "mnt", CLONE_NEWNS, 0xf0000001u, false },
	[NS_NET] = { "net", CLONE_NEWNET, 0xf0000000u, false },
	[NS_PID] = { "pid", CLONE_NEWPID, 0xeffffffcu, true },
	[NS_TIME] = { "time", CLONE_NEWTIME, 0xeffffffau, false },
	[NS_USER] = { "user", CLONE_NEWUSER, 0xeffffffdu, true },
	[NS_UTS] = { "uts", CLONE_NEWUTS, 0xeffffffeu, false },
};

static const struct { const char *name; enum ns_kind kind; } entries[NS_ENTRIES] = {
	[NS_ENTRY_CGROUP] = { "cgroup", NS_CGROUP }, [NS_ENTRY_IPC] = { "ipc", NS_IPC },
	[NS_ENTRY_MNT] = { "mnt", NS_MNT }, [NS_ENTRY_NET] = { "net", NS_NET },
	[NS_ENTRY_PID] = { "pid", NS_PID }, [NS_ENTRY_PID_FOR_CHILDREN] = { "pid_for_children", NS_PID },
	[NS_ENTRY_TIME] = { "time", NS_TIME },
	[NS_ENTRY_TIME_FOR_CHILDREN] = { "time_for_children", NS_TIME },
	[NS_ENTRY_USER] = { "user", NS_USER }, [NS_ENTRY_UTS] = { "uts", NS_UTS },
};

static const struct fs_info nsfs_fs = { .name = "nsfs", .dev = NSFS_DEV, .magic = NSFS_MAGIC,
					.read_only = true, .pseudo = true };

/* ns_lock protects ns_inodes: each made once and kept (a reference held). */
static struct spinlock ns_lock = SPINLOCK_INIT;
static struct inode *ns_inodes[NS_KINDS];

const char *nsfs_entry_name(int e)
{
	return e >= 0 && e < NS_ENTRIES ? entries[e].name : NULL;
}

int nsfs_link_text(int e, char *buf, size_t cap)
{
	const struct ns_desc *d = &kinds[entries[e].kind];

	return ksnprintf(buf, cap, "%s:[%u]", d->name, d->ino);
}

static int open_kind(enum ns_kind k, struct inode **out);

/* NS_GET_USERNS: a new descriptor (close-on-exec, as Linux's
 * open_related_ns) of the user namespace that owns kind k's. */
static long get_userns(enum ns_kind k)
{
	struct inode *ip;
	struct file *f;

	if (k == NS_USER)
		return -EPERM; /* the initial user namespace's owner is no one's to see */
	int err = open_kind(NS_USER, &ip);
	if (err)
		return err;
	err = vfs_open_inode(ip, O_RDONLY, &f);
	inode_put(ip);
	if (err)
		return err;
	int fd = fd_install(current_process()->files, f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long ns_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	enum ns_kind k = (enum ns_kind)(long)f->priv;
	uint32_t uid = 0;

	switch (req) {
	case NS_GET_USERNS:
		return get_userns(k);
	case NS_GET_PARENT:
		return kinds[k].hierarchy ? -EPERM : -EINVAL;
	case NS_GET_NSTYPE:
		return kinds[k].type;
	case NS_GET_OWNER_UID:
		if (k != NS_USER)
			return -EINVAL;
		return copy_to_user(arg, &uid, sizeof(uid)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_ops ns_file_ops = { .ioctl = ns_ioctl };

static int ns_open(struct inode *ip, struct file *f)
{
	f->ops = &ns_file_ops;
	f->priv = (void *)ip->aux;
	return 0;
}

static const struct inode_ops ns_ops = { .open = ns_open };

unsigned nsfs_file_type(const struct file *f)
{
	return f->ops == &ns_file_ops ? kinds[(enum ns_kind)(long)f->priv].type : 0;
}

static int open_kind(enum ns_kind k, struct inode **out)
{
	struct inode *made = NULL;

	if (!__atomic_load_n(&ns_inodes[k], __ATOMIC_ACQUIRE)) {
		if (!(made = inode_alloc(&nsfs_fs, &ns_ops, S_IFREG | 0444)))
			return -ENOMEM;
		made->ino = kinds[k].ino;
		made->uid = made->gid = 0;
		made->nlink = 1;
		made->aux = k;
		made->transient = true; /* freed by its last put unless kept below */
	}
	uint64_t fl = spin_lock_irqsave(&ns_lock);
	if (!ns_inodes[k] && made) {
		made->transient = false; /* kept for good, with this reference */
		__atomic_store_n(&ns_inodes[k], made, __ATOMIC_RELEASE);
		made = NULL;
	}
	*out = inode_get(ns_inodes[k]);
	spin_unlock_irqrestore(&ns_lock, fl);
	if (made)
		inode_put(made); /* another made it first */
	return 0;
}

int nsfs_inode(int e, struct inode **out)
{
	if (e < 0 || e >= NS_ENTRIES)
		return -ENOENT;
	return open_kind(entries[e].kind, out);
}
