/* SPDX-License-Identifier: MIT */
/* Inodes and the operations a file system gives them: the VFS's inside, shared by vfs, namei, ramfs, devfs and procfs. */
#ifndef KESTREL_FS_INODE_H
#define KESTREL_FS_INODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/vfs.h"
#include "mm/iobuf.h"
#include "uapi/stat.h"

/* Permission-bit groups (Linux's kernel-internal names; the bits are uapi/stat.h's). */
#define S_IALLUGO 07777
#define S_IXUGO  0111
#define S_IRWXUGO 0777
#define S_IRUGO  0444
#define S_IWUGO  0222

#define SYMLINK_MAX  40   /* links followed in one walk before ELOOP (Linux) */

struct fs_export;

/* A mounted file system (the RAM root, tmpfs, /proc, /sys, devpts, ext2, FAT...). */
struct fs_info {
	const char *name;     /* as /proc/mounts and statfs name it */
	uint32_t dev;         /* st_dev */
	uint64_t magic;       /* statfs f_type */
	bool read_only;
	bool pseudo;          /* a kernel view (/proc): a change refused is EPERM, not EROFS */
	bool xattrs;          /* keeps security.* and trusted.* attributes in memory
	                       * (fs/xattr.c), as Linux 6.1's tmpfs */
	const struct fs_export *export; /* file handles (name_to_handle_at); NULL: none */
};

struct inode;
/* What a file handle needs of a file system, as Linux's
 * export_operations: a handle is (inode number, generation), and names
 * the inode as long as it lives, whatever its names. */
struct fs_export {
	/* What tells a reused inode number apart (0 where none is reused). */
	uint32_t (*generation)(const struct inode *ip);
	/* A new reference to inode ino of fs, of generation gen: 0, or
	 * -ESTALE when it is gone (or was never there), -ENOMEM, -EIO. */
	int (*find)(const struct fs_info *fs, uint64_t ino, uint32_t gen, struct inode **out);
};

struct mfile;
struct inotify_watch;
struct inotify_name;
struct xattr;
struct process;

struct vfs_time {
	int64_t sec;
	uint32_t nsec;
};

/* What chmod, chown and utimes change (setattr): Linux's ATTR_* bits. */
#define ATTR_MODE  1u
#define ATTR_UID   2u
#define ATTR_GID   4u
#define ATTR_ATIME 16u
#define ATTR_MTIME 32u
struct iattr {
	unsigned valid;               /* ATTR_* */
	uint32_t mode;                /* permission bits only (S_IALLUGO) */
	uint32_t uid, gid;
	struct vfs_time atime, mtime;
};

/* One directory entry handed to a readdir callback; false = no room, stop. */
typedef bool (*dir_emit_fn)(void *ctx, const char *name, size_t len, uint64_t ino,
			    unsigned dtype, uint64_t next_pos);

/*
 * What a file system does with its inodes. Any may be NULL; the VFS then
 * answers as Linux does for a file system without it (EPERM for the
 * namespace changes, EACCES for create, EINVAL for readlink).
 * Names are (pointer, length), not NUL-terminated, never "." or "..".
 */
struct path_name;

struct inode_ops {
	/* A new reference to the child called name, or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	/* The same without the kernel lock, for a lock-free walk (namei.c's
	 * vfs_walk_nolock), with interrupts off, the name as fs/path.h's
	 * path_next_name describes it: the child, with no reference taken,
	 * or NULL when there is none. A file system offers it only when
	 * every change of its directories' entries is made under a lock
	 * this takes too, and its readlink needs no lock (ramfs). NULL:
	 * such walks take the kernel lock here. */
	struct inode *(*lookup_nolock)(struct inode *dir, const struct path_name *name);
	/* Emit entries from position *pos on (0 is ".", 1 is "..") until emit
	 * says stop; *pos then names the first entry not emitted. */
	int (*iterate)(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx);
	/* Make a new entry: a directory, file, node (rdev) or symlink
	 * (target); *out gets a reference. -EEXIST if the name is taken. */
	int (*create)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev, const char *target, struct inode **out);
	/* Another name for target (a hard link). */
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *target);
	/* Remove the entry (the caller checked its type and emptiness). */
	int (*unlink)(struct inode *dir, const char *name, size_t len);
	/* Move an entry, replacing any entry at the new name (checked by the caller). */
	int (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		      const char *nname, size_t nlen);
	/* Swap two entries that both exist (renameat2's RENAME_EXCHANGE; the
	 * caller checked both ends). NULL: the file system cannot (-EINVAL). */
	int (*exchange)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen);
	/* Copy the symlink's target to buf (cap bytes, no NUL): its length. */
	int (*readlink)(struct inode *ip, char *buf, size_t cap);
	/* Change a regular file's size (shrink or zero-extend). */
	int (*truncate)(struct inode *ip, uint64_t size);
	/* A "magic" symlink (procfs fd/N): the inode it stands for, whatever
	 * its name; walks try this before readlink. -ENOSYS: not magic. */
	int (*follow)(struct inode *ip, struct inode **out);
	/* Is symlink ip one of Linux's magic links (nd_jump_link: procfs's
	 * fd/N, exe, cwd, root), however the walk follows it? For openat2's
	 * RESOLVE_NO_MAGICLINKS and scopes. NULL: none is. */
	bool (*magic)(const struct inode *ip);
	/* Set up an open file: f->ops and f->priv. */
	int (*open)(struct inode *ip, struct file *f);
	/* Free the file system's part of an inode nobody can reach any more. */
	void (*evict)(struct inode *ip);
	/* A new regular file of mode (type and bits) in dir's file system
	 * with no name (O_TMPFILE), nlink 0; *out gets a reference. NULL:
	 * the file system cannot (-EOPNOTSUPP). */
	int (*tmpfile)(struct inode *dir, uint32_t mode, struct inode **out);
	/* chmod, chown, utimes (Linux's setattr), after the VFS's permission
	 * checks and before it copies a's fields into ip: refuse what the
	 * file system cannot hold (-EPERM), round to what it holds (may
	 * change a) and store it. 0 or -errno (then ip is unchanged). NULL:
	 * the inode keeps them (ramfs; ext2 writes them back from ip). */
	int (*setattr)(struct inode *ip, struct iattr *a);
};

/*
 * An inode. Lock rule: the kernel lock; every field is changed by system
 * calls under it, never preempted in kernel mode, and no VFS code sleeps
 * with a half-made change; but refs, writecount and readcount, which are
 * atomic (a lock-free open takes a reference inside its walk with
 * inode_tryget, a lock-free close drops it with inode_put_nolock). Interrupt handlers never touch inodes. A
 * lock-free walk (vfs_walk_nolock) reads a RAM directory's fields and
 * its final inode's without it and without a reference: inode_free waits
 * for such walks on other CPUs (vfs_walkers_wait) before anything is
 * freed, and such a walk reads each field once.
 *
 * Lifetime: refs counts in-memory users (open files, cwds, a walk in
 * progress); nlink counts directory entries. An inode is freed when both
 * are 0, or when refs drops to 0 for a transient one (procfs makes its
 * inodes on each lookup).
 */
struct inode {
	uint64_t ino;
	uint32_t mode;               /* S_IF* | permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t rdev;               /* (major << 20) | minor for device nodes */
	/* refs, writecount and readcount are atomic (a lock-free open and
	 * close change them: fs/fsops.c's vfs_open_nolock); refs is
	 * INODE_REFS_DEAD once the inode is being freed (fs/vfs.c's inode_put) */
	int refs;
	/* Linux's i_writecount: > 0 counts files open for writing, < 0
	 * counts holds that deny writing (a process running the file, an
	 * exec reading it); either refuses the other with ETXTBSY. */
	int writecount;
	int readcount;               /* files open for reading only (Linux's i_readcount):
	                              * a write lease needs none but its own */
	bool transient;
	bool linkable;               /* an O_TMPFILE file without O_EXCL: linkat may give
	                              * it its first name (Linux's I_LINKABLE) */
	uint64_t size;
	struct vfs_time atime, mtime, ctime;
	const struct fs_info *fs;
	const struct inode_ops *ops;

	/* directories only */
	struct inode *parent;        /* "..": holds a reference; root's is itself */
	char *name;                  /* this directory's name in parent (getcwd) */
	struct inode *mounted;       /* the root of a file system mounted here */

	struct mfile *mfile;         /* a disk file's mapping object (fs/mfile.c), or NULL */
	void *priv;                  /* the file system's */
	struct inotify_watch *inotify_watches; /* fs/inotify.c's; under its marks lock */
	struct inotify_name *inotify_name;     /* where a walk last found it (not a directory)
	                                        * in a watched directory; likewise */
	long aux;                    /* the file system's (procfs: pid and kind) */
	struct xattr *xattrs;        /* fs/xattr.c's attributes, under its lock */
};

/* refs of an inode its last put is freeing: no lock-free walk may take a
 * reference any more (inode_tryget). */
#define INODE_REFS_DEAD (-(1 << 30))

#define RDEV(major, minor) (((uint32_t)(major) << 20) | (uint32_t)(minor))
#define RDEV_MAJOR(rdev)   ((rdev) >> 20)
#define RDEV_MINOR(rdev)   ((rdev) & 0xfffff)

/* A new inode (refs 1, nlink 0, times now, owned by the current file
 * system uid and gid); NULL when out of memory. */
struct inode *inode_alloc(const struct fs_info *fs, const struct inode_ops *ops, uint32_t mode);
/* Linux's inode_init_owner for ip just made in dir: a set-group-ID
 * directory gives its group (and, to a directory, its S_ISGID); a file
 * keeps S_ISGID only for a member of that group or CAP_FSETID. */
void vfs_init_owner(const struct inode *dir, struct inode *ip);
/* Linux's file_remove_privs, after a write or truncate of ip: a regular
 * file loses S_ISUID (and S_ISGID with group execute) unless the writer
 * has CAP_FSETID. */
void vfs_remove_privs(struct inode *ip);
struct vfs_time vfs_now(void);
/* Is an access to ip at now to set its atime? Linux's relatime, the
 * default of its mounts and what /proc/mounts says of Kestrel's: when
 * the atime is not after the mtime or the ctime, or is a day old; never
 * on a read-only file system. Reads only ip's fields. */
bool vfs_atime_due(const struct inode *ip, struct vfs_time now);
/* Set ip's atime to now when vfs_atime_due says so (readlink, getdents,
 * exec: Linux's touch_atime). */
void vfs_touch_atime(struct inode *ip);
unsigned inode_dtype(const struct inode *ip);
/* The current process's working directory (the root for kernel threads). */
struct inode *vfs_cwd(void);
/* Where the caller's absolute paths start and ".." stops: its chroot's
 * directory, else the system's root. */
struct inode *vfs_walk_root(void);

/* namei.c: path walks. Every inode handed back carries a reference. */
/* May the current process access ip for mask (R_OK, W_OK, X_OK bits),
 * as Linux's generic_permission: the mode bits of the class its file
 * system uid and gid (and groups) fall in, else CAP_DAC_OVERRIDE (everything but
 * executing a file with no x bit) or CAP_DAC_READ_SEARCH (reading, and
 * searching directories). 0 or -EACCES. A walk needs X_OK on each
 * directory it looks a name up in. */
int vfs_permission(const struct inode *ip, int mask);
#define WALK_FOLLOW 1u   /* follow a final symlink */
#define WALK_DIR    2u   /* the final inode must be a directory */
/* openat2's RESOLVE_* (uapi/fcntl.h) as a walk's rules, Linux's LOOKUP_*:
 * no mount crossed (EXDEV), no magic link (/proc/PID/fd/N, exe: ELOOP)
 * or no symlink at all followed (ELOOP), and the two scopes, which keep
 * the walk inside a directory (the scope: vfs_walk_in's): BENEATH refuses
 * an absolute path or symlink and ".." out of it (EXDEV), IN_ROOT takes
 * it for "/" (absolute names start there, ".." stops there). A magic
 * link is EXDEV in a scope. */
#define WALK_NO_XDEV       4u
#define WALK_NO_MAGICLINKS 8u
#define WALK_NO_SYMLINKS   16u
#define WALK_BENEATH       32u
#define WALK_IN_ROOT       64u
#define WALK_SCOPED        (WALK_BENEATH | WALK_IN_ROOT)
/* The inode path names, from base for relative paths (base NULL: cwd). */
int vfs_walk(struct inode *base, const char *path, unsigned flags, struct inode **out);
/*
 * A walk without the kernel lock, for stat and its kin (issue 29): path
 * (a kernel copy, its NUL within PATH_MAX bytes as strncpy_from_user
 * leaves one: not measured again) from base (a directory the caller
 * holds a reference to; NULL: the cwd) or, absolute, the root, flags
 * WALK_FOLLOW, WALK_DIR and WALK_NO_SYMLINKS only (a symlink met then
 * gives WALK_LOCKED: the locked walk's -ELOOP), every step a lookup in a
 * RAM directory that everyone may search. use(ip, ctx) gets what the path names, with interrupts
 * off and no reference: it may read ip's fields, and a symlink's target
 * through its readlink (a file system with lookup_nolock vouches for
 * it), and change nothing (no sleeping, no lock but its own); it returns
 * 0, or WALK_LOCKED to have the call done under the lock after all (a
 * change is due). Returns use's answer, a definite
 * -errno (-ENOENT, -ENOTDIR, -ENAMETOOLONG: the locked walk's answer
 * too; -ELOOP), or WALK_LOCKED when a step needs what only the locked
 * walk does (another file system, a mount point crossed, a magic link, a
 * directory not searchable by all, an inotify name record): the caller
 * walks again with vfs_walk under the kernel lock. Symlinks in RAM
 * directories are followed.
 */
#define WALK_LOCKED 1
int vfs_walk_nolock(struct inode *base, const char *path, unsigned flags,
		    int (*use)(struct inode *ip, void *ctx), void *ctx);
/* Wait until every other CPU that was inside a lock-free walk when this
 * was called has left it (inode_free, before an inode goes: an RCU grace
 * period for those walks alone). Never under a RAM directory's lock. */
void vfs_walkers_wait(void);
/* The same with the openat2 rules in flags; scope: the directory a
 * WALK_SCOPED walk stays in (NULL otherwise). */
int vfs_walk_in(struct inode *base, const char *path, unsigned flags, struct inode *scope,
		struct inode **out);
/* The directory that would hold path's last component, and that
 * component: name gets at most NAME_MAX bytes and a NUL; *len is 0 when
 * path names the root ("/"). *slash tells whether a '/' followed it.
 * With a last component, the directory has already passed the search
 * (X_OK) check its lookup needs: -EACCES otherwise. */
int vfs_walk_parent_in(struct inode *base, const char *path, unsigned flags, struct inode *scope,
		       struct inode **dir, char *name, size_t *len, bool *slash);
int vfs_walk_parent(struct inode *base, const char *path, struct inode **dir, char *name,
		    size_t *len, bool *slash);
/* The absolute path of the file path names (from the cwd), every
 * symlink resolved, into abs (PATH_MAX bytes): its length or -errno. */
long vfs_realpath(const char *path, char *abs);
/* The absolute path of directory ip into buf (cap bytes, NUL included):
 * its length, -ENOENT if ip was removed, -ERANGE if it does not fit. */
long vfs_path_of(struct inode *ip, char *buf, size_t cap);

/* ramfs.c */
/* A RAM file system's (the root's, or a tmpfs mount's)? */
bool ramfs_is(const struct fs_info *fs);
struct inode *ramfs_new_root(void);
/* Give a new regular file bytes that live elsewhere (the boot archive):
 * read in place, copied on the first change. */
void ramfs_borrow(struct inode *ip, const void *data, uint64_t size);
/* Read a regular file's bytes at off into a kernel buffer: bytes read. */
long ramfs_read_kernel(struct inode *ip, void *buf, size_t n, uint64_t off);
/* fallocate: grow a RAM file to at least size bytes (never shrink): 0,
 * -EFBIG, -EPERM (F_SEAL_GROW), -EINTR. */
int ramfs_grow(struct inode *ip, uint64_t size);
/* fallocate(FALLOC_FL_PUNCH_HOLE): the bytes of [off, off + len) within
 * the file read zeros from now on, in its shared mappings too; its size
 * stays. The pages are zeroed in place, not freed. 0, -EPERM
 * (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE), -EINTR, -ENOSPC. */
int ramfs_punch_hole(struct inode *ip, uint64_t off, uint64_t len);
/* A ramfs file's bytes still in place in the boot archive (never
 * changed since boot): stable for as long as the kernel runs. NULL if
 * the file has its own pages. */
const void *ramfs_borrowed(struct inode *ip);
/* What mmap maps of a RAM file: its memory object (*obj: the pages
 * read(2) and write(2) use; the caller takes its own reference), or,
 * for a private mapping of a file still in place in the boot archive,
 * those bytes (*borrowed; a shared mapping first gives the file pages
 * of its own). 0, -ENOSPC or -ENOMEM (no room for that copy), -EINTR. */
struct shmem;
int ramfs_map(struct inode *ip, bool shared, struct shmem **obj, const void **borrowed);
/* memfd_create: a new regular file in no directory (nlink 0: it goes
 * with its last reference), mode mode, with seals (F_SEAL_SEAL: no
 * sealing) and name (kept as ip->name, "memfd:NAME", which
 * /proc/PID/fd shows): 0, or -ENOMEM also over the inode limit. */
int ramfs_new_unlinked(const char *name, uint32_t mode, unsigned seals, struct inode **out);
/* fcntl F_GET_SEALS and F_ADD_SEALS: the seals (F_SEAL_*), 0; -EINVAL
 * for a file that is not a RAM regular file or an unknown seal, -EPERM
 * once F_SEAL_SEAL is set (every file not from memfd_create with
 * MFD_ALLOW_SEALING has it), -EBUSY for F_SEAL_WRITE while a shared
 * mapping through a writable descriptor exists. A sealed file's writes
 * and size changes are -EPERM, as Linux. */
int ramfs_get_seals(struct inode *ip);
int ramfs_add_seals(struct inode *ip, unsigned seals);
/* True when F_SEAL_WRITE or F_SEAL_FUTURE_WRITE forbids a writable shared mapping of ip. */
bool ramfs_write_sealed(struct inode *ip);
/* A RAM file system's use and limit (half of RAM by default, as tmpfs),
 * in pages of file data and in inodes, for statfs. */
void ramfs_usage(const struct fs_info *fs, uint64_t *pages, uint64_t *max_pages, uint64_t *inodes,
		 uint64_t *max_inodes);
/* mount -o remount,OPTS of a RAM file system (the root, or a tmpfs):
 * new limits from tmpfs's options, size=N[k|m|g|t|%], nr_blocks=N and
 * nr_inodes=N[k|m|g] (0: no limit); mode=, uid=, gid=, the generic
 * words rw, relatime, noatime, strictatime and tmpfs's inode64,
 * inode32, noswap, huge= and mpol= are accepted and change nothing. 0,
 * or -EINVAL for an unknown option, a bad number or a limit below what
 * is in use (then nothing changed). */
int ramfs_remount(const struct fs_info *fs, const char *opts);
/* mount -t tmpfs: a new RAM file system of its own (statfs's
 * TMPFS_MAGIC, an st_dev of its own) with ramfs_remount's options (NULL:
 * none) and mode= (01777 without), uid= and gid= (the caller's file
 * system ids without) for its root: the root directory (a reference)
 * into *root; 0, -EINVAL (an option) or -ENOMEM. */
int ramfs_mount(const char *opts, struct inode **root);
/* umount of the tmpfs whose root is root: is one of its files mapped
 * (Linux's umount says EBUSY then)? */
bool ramfs_mapped(struct inode *root);
/* ...then empty it: every file and directory unlinked (freed, unless a
 * process still holds one), the file system freed with its last inode;
 * root's link count 0, so the caller's last reference frees it. */
void ramfs_kill(struct inode *root);

/* devfs.c: device numbers, Linux's */
#define MEM_MAJOR   1   /* null 3, zero 5, full 7, random 8, urandom 9 */
#define TTY_MAJOR   4
#define TTYAUX_MAJOR 5
#define TTYAUX_TTY     0  /* /dev/tty: the caller's controlling terminal */
#define TTYAUX_CONSOLE 1
int devfs_open(struct inode *ip, struct file *f);
/* f is open on /dev/zero, which mmap maps as anonymous memory. */
bool devfs_is_zero(const struct file *f);
/* n bytes of /dev/urandom's generator (xorshift64*, stirred with the TSC:
 * not for keys) into b; killable: the count so far, -EINTR or -EFAULT. */
long devfs_random_fill(struct iobuf b, size_t n);
/* The input pool's entropy in bits, always full (kernel.random's
 * entropy_avail and poolsize, RNDGETENTCNT), as Linux 5.18 and later
 * once the generator is ready. */
#define RANDOM_POOL_BITS 256
/* Make /dev and its nodes under root. */
void devfs_populate(struct inode *root);

/* procfs.c: mount /proc on the directory dir. */
void procfs_mount(struct inode *dir);
/* procfs_show.c: the kernel command line /proc/cmdline shows (len bytes
 * of s, copied; at most KBI_CMDLINE_MAX - 1). Boot time. */
void procfs_set_cmdline(const char *s, size_t len);
extern const struct fs_info procfs_fs;
/* The pid of the /proc/PID directory f is open on, else 0
 * (pidfd_send_signal); *out the process the directory was opened for,
 * NULL once it is gone, though another may have its pid now. Under the
 * kernel lock, as process_find. */
int procfs_pid_dir(const struct file *f, struct process **out);

/* sysfs.c: mount /sys on the directory dir. */
void sysfs_mount(struct inode *dir);
extern const struct fs_info sysfs_fs;

/* vfs.c */
void vfs_set_root(struct inode *ip);

/* dir.c: the file operations of an open directory (getdents, lseek);
 * the second kind also seeks from the end (SEEK_END), as /proc's do. */
extern const struct file_ops dir_file_ops;
extern const struct file_ops dir_file_ops_seek_end;
/* Generic lseek over a file of the given size: the new position or -EINVAL. */
long vfs_seek_pos(struct file *f, int64_t off, int whence, uint64_t size);
/* read of a file whose whole text (len bytes) is in memory: up to n
 * bytes from *pos into b, *pos advanced; the count (0 past the end) or
 * -EFAULT. */
long vfs_read_text(const char *text, size_t len, struct iobuf b, size_t n, uint64_t *pos);
/* An iterate's first entries: "." at position 0 and ".." (dir's parent,
 * or dir itself at a root) at 1, each emitted from *pos on; *pos is then
 * 2, where the directory's own entries start. False when emit's buffer
 * filled first (the iterate returns 0). */
bool vfs_emit_dots(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx);

#endif
