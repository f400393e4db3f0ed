// SPDX-License-Identifier: MIT
/*
 * Kestrel: the devices behind /dev's nodes (null, zero, full, random,
 * urandom, and the console, TTYs and pseudo-terminals through the
 * operations their drivers register in vfs.h), and the making of /dev
 * itself. /dev is a directory of character nodes in a tmpfs of its own
 * (fs/mount.c's mount_ram_dev); opening one lands in devfs_open by
 * device number.
 */
#include "fs/inode.h"
#include "fs/blkdev_file.h"
#include "fs/devpts.h"
#include "fs/path.h"
#include "time/time.h"
#include "arch/x86_64/cpu.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "log.h"
#include "uapi/capability.h"
#include "uapi/ioctl.h"

#define CHUNK 256
#define MEM_NULL    3
#define MEM_ZERO    5
#define MEM_FULL    7
#define MEM_RANDOM  8
#define MEM_URANDOM 9
#define TTY_MINORS     8   /* tty0..tty7: the console too */

static const uint8_t zero_chunk[CHUNK];

/* ---------------------------------------------------------------- null, zero, full */

/* The end of a device copy loop stopped by SIGKILL or a fault. */
static long stopped(size_t done, long err)
{
	return done ? (long)done : err;
}

/* Fill n bytes of b with zeros: the count, or -EFAULT if nothing went
 * (-EINTR if SIGKILL came first). */
static long put_zeros(struct iobuf b, size_t n)
{
	for (size_t done = 0; done < n;) {
		if (io_should_stop())
			return stopped(done, -EINTR);
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		if (iobuf_put(b, done, zero_chunk, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)n;
}

static long null_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f, (void)buf, (void)n, (void)pos;
	return 0;
}

static long sink_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f, (void)buf, (void)pos;
	return (long)n;
}

static long full_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f, (void)buf, (void)n, (void)pos;
	return -ENOSPC;
}

static long zero_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	return put_zeros(buf, n);
}

/* Character devices ignore seeks and stay at 0, as Linux's memory devices do. */
static long dev_lseek(struct file *f, int64_t off, int whence)
{
	(void)off, (void)whence;
	f->pos = 0;
	return 0;
}

static unsigned dev_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLOUT;
}

/* /dev/null, zero and full have no poll method, as Linux's mem devices:
 * epoll_ctl says EPERM, poll(2) finds them always ready. */
static const struct file_ops null_ops = {
	.read = null_read, .write = sink_write, .lseek = dev_lseek,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
	.lock_free = true, /* no state: read and write without the kernel lock */
};
static const struct file_ops zero_ops = {
	.read = zero_read, .write = sink_write, .lseek = dev_lseek,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
	.lock_free = true, /* no state: read and write without the kernel lock */
};
static const struct file_ops full_ops = {
	.read = zero_read, .write = full_write, .lseek = dev_lseek,
	.kernel_io = KERNEL_IO_READ,
	.lock_free = true, /* no state: read and write without the kernel lock */
};

/* ---------------------------------------------------------------- random, urandom */

/* xorshift64*, seeded from the TSC at first use and stirred with it on
 * every read: unpredictable enough for hash seeds and temporary names,
 * not for keys. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	if (!rng_state)
		rng_state = rdtsc() * 0x9e3779b97f4a7c15ull | 1;
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

long devfs_random_fill(struct iobuf b, size_t n)
{
	uint8_t chunk[CHUNK];

	rng_state ^= rdtsc();
	for (size_t done = 0; done < n;) {
		if (io_should_stop())
			return stopped(done, -EINTR);
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		for (size_t i = 0; i < k; i += 8) {
			uint64_t v = rng_next();
			memcpy(chunk + i, &v, k - i < 8 ? k - i : 8);
		}
		if (iobuf_put(b, done, chunk, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)n;
}

static long random_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	return devfs_random_fill(buf, n);
}

/* RNDADDENTROPY's bytes (struct rand_pool_info after its two ints),
 * read as Linux's write_pool_user reads them, then let go as a write to
 * /dev/random is here: 0 or -EFAULT. */
static long random_take_bytes(uint64_t ubuf, int len)
{
	uint8_t chunk[64];

	if (len < 0)
		return -EFAULT; /* an impossible size: Linux's access_ok fails it */
	for (int done = 0; done < len;) {
		int n = len - done < (int)sizeof(chunk) ? len - done : (int)sizeof(chunk);
		if (copy_from_user(chunk, ubuf + (uint64_t)done, (size_t)n))
			return -EFAULT;
		done += n;
	}
	return 0;
}

/* Linux 6.1's random_ioctl: RNDGETENTCNT for anyone (the pool is always
 * full here); the others take CAP_SYS_ADMIN (-EPERM) and change nothing
 * Kestrel keeps, after checking their arguments as Linux does (a negative
 * count -EINVAL, -EFAULT); any other request -EINVAL. */
static long random_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	int count, len, bits = RANDOM_POOL_BITS;

	(void)f;
	if (req == RNDGETENTCNT)
		return copy_to_user(arg, &bits, sizeof(bits)) ? -EFAULT : 0;
	if (req != RNDADDTOENTCNT && req != RNDADDENTROPY && req != RNDZAPENTCNT &&
	    req != RNDCLEARPOOL && req != RNDRESEEDCRNG)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req != RNDADDTOENTCNT && req != RNDADDENTROPY)
		return 0; /* ZAPENTCNT and CLEARPOOL are no-ops; the generator is always ready */
	if (copy_from_user(&count, arg, sizeof(count)))
		return -EFAULT;
	if (count < 0)
		return -EINVAL;
	if (req == RNDADDTOENTCNT)
		return 0;
	if (copy_from_user(&len, arg + sizeof(count), sizeof(len)))
		return -EFAULT;
	return random_take_bytes(arg + 2 * sizeof(int), len);
}

/* /dev/random polls (always ready: the pool never blocks here), /dev/urandom
 * has no poll method, as Linux 6.1's random_fops and urandom_fops. */
static const struct file_ops random_ops = {
	.read = random_read, .write = sink_write, .lseek = dev_lseek, .poll = dev_poll,
	.ioctl = random_ioctl, .kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};
static const struct file_ops urandom_ops = {
	.read = random_read, .write = sink_write, .lseek = dev_lseek, .ioctl = random_ioctl,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

/* ---------------------------------------------------------------- the console */

/* Registered at boot by the drivers above fs/ (vfs.h): fs/ calls none of
 * them by name. */
const struct file_ops *tty_file_ops;
const struct file_ops *ptmx_file_ops;
const struct file_ops *pty_slave_file_ops;
const struct file_ops *console_fallback_ops;

/* The console file without a TTY: the console's own (console_fallback_ops),
 * or NULL before the console is set up. */
static struct file *fallback_console(void)
{
	return console_fallback_ops ? file_alloc(console_fallback_ops, O_RDWR | O_LARGEFILE, NULL) : NULL;
}

/* The inode of /dev/console, if /dev has one (a new reference or NULL). */
static struct inode *console_node(void)
{
	struct inode *ip = NULL;

	if (vfs_root() && vfs_walk(vfs_root(), "/dev/console", 0, &ip) == 0 && S_ISCHR(ip->mode))
		return ip;
	inode_put(ip);
	return NULL;
}

struct file *console_file_open(void)
{
	struct file *f;

	if (!tty_file_ops)
		return fallback_console();
	/* The TTY is there: the console is /dev/console, as for init on Linux. */
	if (!(f = file_alloc(tty_file_ops, O_RDWR | O_LARGEFILE, NULL)))
		return NULL;
	f->inode = console_node();
	if (tty_file_ops->open && tty_file_ops->open(f->inode, f) < 0) {
		file_put(f);
		return fallback_console();
	}
	return f;
}

/* ---------------------------------------------------------------- opening nodes */

static const struct file_ops *mem_device(unsigned minor)
{
	switch (minor) {
	case MEM_NULL: return &null_ops;
	case MEM_ZERO: return &zero_ops;
	case MEM_FULL: return &full_ops;
	case MEM_RANDOM: return &random_ops;
	case MEM_URANDOM: return &urandom_ops;
	}
	return NULL;
}

bool devfs_is_zero(const struct file *f)
{
	return f->ops == &zero_ops;
}

int devfs_open(struct inode *ip, struct file *f)
{
	unsigned major = RDEV_MAJOR(ip->rdev), minor = RDEV_MINOR(ip->rdev);

	if (S_ISBLK(ip->mode))
		return blkdev_file_open(ip, f); /* the block layer's disks (fs/blkdev_file.c) */
	if (major == MEM_MAJOR) {
		f->ops = mem_device(minor);
		return f->ops ? 0 : -ENXIO;
	}
	if ((major == TTYAUX_MAJOR && minor == PTMX_MINOR) || major == UNIX98_PTY_SLAVE_MAJOR) {
		/* the pseudo-terminals (dev/pty.c) */
		f->ops = major == TTYAUX_MAJOR ? ptmx_file_ops : pty_slave_file_ops;
		return f->ops->open(ip, f);
	}
	bool tty = (major == TTYAUX_MAJOR && (minor == TTYAUX_TTY || minor == TTYAUX_CONSOLE)) ||
		   (major == TTY_MAJOR && minor < TTY_MINORS);
	if (!tty || !tty_file_ops)
		return -ENXIO;
	f->ops = tty_file_ops;
	return tty_file_ops->open ? tty_file_ops->open(ip, f) : 0;
}

/* ---------------------------------------------------------------- /dev */

struct devnode {
	const char *name;
	uint32_t mode;
	unsigned major, minor;
};

static const struct devnode nodes[] = {
	{ "null", S_IFCHR | 0666, MEM_MAJOR, MEM_NULL },
	{ "zero", S_IFCHR | 0666, MEM_MAJOR, MEM_ZERO },
	{ "full", S_IFCHR | 0666, MEM_MAJOR, MEM_FULL },
	{ "random", S_IFCHR | 0666, MEM_MAJOR, MEM_RANDOM },
	{ "urandom", S_IFCHR | 0666, MEM_MAJOR, MEM_URANDOM },
	{ "tty", S_IFCHR | 0666, TTYAUX_MAJOR, TTYAUX_TTY },
	{ "console", S_IFCHR | 0600, TTYAUX_MAJOR, TTYAUX_CONSOLE },
	{ "ptmx", S_IFCHR | 0666, TTYAUX_MAJOR, PTMX_MINOR },
	{ "tty0", S_IFCHR | 0620, TTY_MAJOR, 0 },
	{ "tty1", S_IFCHR | 0620, TTY_MAJOR, 1 },
};

/* The usual links into /proc/self/fd (procfs's fd links lead to the open file itself). */
static const char *const links[][2] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* A directory under root, made if missing: a new reference or NULL. */
static struct inode *ensure_dir(struct inode *root, const char *name, uint32_t mode)
{
	struct inode *ip = NULL;
	size_t len = strlen(name);

	if (root->ops->lookup(root, name, len, &ip) == 0) {
		if (S_ISDIR(ip->mode))
			return ip;
		inode_put(ip);
		return NULL;
	}
	if (root->ops->create(root, name, len, S_IFDIR | mode, 0, NULL, &ip) != 0)
		return NULL;
	return ip;
}

void devfs_populate(struct inode *root)
{
	struct inode *dev = ensure_dir(root, "dev", 0755), *ip;
	unsigned made = 0;

	if (!dev) {
		klog(LOG_ERR, "vfs: cannot make /dev\n");
		return;
	}
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		const struct devnode *d = &nodes[i];
		if (dev->ops->create(dev, d->name, strlen(d->name), d->mode, RDEV(d->major, d->minor),
				     NULL, &ip) == 0) {
			inode_put(ip);
			made++;
		}
	}
	made += blkdev_file_populate(dev);
	if ((ip = ensure_dir(dev, "pts", 0755))) {
		if (!ip->mounted)
			devpts_mount(ip);
		inode_put(ip); /* a RAM directory lives on in its parent */
	}
	/* Where shm_open and sem_open make their files (glibc's and musl's
	 * /dev/shm): a tmpfs on Linux systems, here a sticky directory of
	 * this /dev tmpfs, anyone's to create in as /tmp is. */
	if ((ip = ensure_dir(dev, "shm", 01777)))
		inode_put(ip);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (dev->ops->create(dev, links[i][0], strlen(links[i][0]), S_IFLNK | 0777, 0,
				     links[i][1], &ip) == 0)
			inode_put(ip);
	inode_put(dev);
	klog(LOG_DEBUG, "vfs: /dev has %u device nodes\n", made);
}
