// SPDX-License-Identifier: MIT
/*
 * Kestrel: /proc/sys, Linux's sysctl files: a tree of directories
 * (enum sysctl_dir) holding files, each a struct sysctl_file. Numbers
 * read as Linux's proc_dointvec shows them (tab-separated, a newline
 * after the last); a write at position 0 is parsed as Linux parses it
 * (fs/sysctl_parse.c) and handed to the file's set, which checks the
 * values' bounds (-EINVAL, nothing changed); a write past position 0 is
 * ignored, as in Linux's default strict mode. Strings (the UTS names)
 * as proc_dostring. Who may write is the file's mode's business (0644,
 * root's); a 0444 file refuses an open for writing with -EACCES, root's
 * too, as Linux's sysctl_perm. Each value lives with its subsystem:
 * fs.* and kernel.* are listed here, net.* registers its own table
 * (net/net_sysctl.c).
 *
 * Node numbers: the directories first (enum sysctl_dir), then this
 * file's own files, then the registered tables' in order.
 */
#include "fs/procfs_sys.h"
#include "arch/x86_64/klock.h"
#include "fs/inode.h"
#include "fs/lease.h"
#include "fs/pipe.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "proc/uts.h"
#include "mm/iobuf.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/uvm.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "log.h"
#include "uapi/capability.h"
#include "panic.h"

#define SYSCTL_TEXT_MAX 64 /* the longest write of numbers taken */
#define SYSCTL_READ_MAX (SYSCTL_STR_LONG + 2) /* SYSCTL_INTS_MAX numbers, tabs and a newline; or a string */
#define SYSCTL_DIR_MODE (S_IFDIR | 0555)
#define TAINT_FLAGS_MASK ((1ull << 19) - 1) /* TAINT_FLAGS_COUNT: the flags Linux 6.1 knows */
#define OVERFLOW_ID_DEFAULT 65534 /* Linux's DEFAULT_OVERFLOWUID and _GID */
#define OVERFLOW_ID_MAX    65535  /* what a 16-bit id can hold (Linux's maxolduid) */
#define PRINTK_DEFAULT_MSG 4      /* kernel.printk's other three: Linux's defaults */
#define PRINTK_MIN_CONSOLE 1
#define PRINTK_DEFAULT_CONSOLE 7
#define CONSOLE_LEVEL_MAX 8       /* a console level prints the levels below it: all of them */
#define UUID_BYTES 16

static const struct { const char *name; enum sysctl_dir parent; } sysctl_dirs[SYSCTL_DIRS] = {
	[SYSCTL_DIR_ROOT] = { "sys", SYSCTL_DIR_ROOT },
	[SYSCTL_DIR_FS] = { "fs", SYSCTL_DIR_ROOT },
	[SYSCTL_DIR_KERNEL] = { "kernel", SYSCTL_DIR_ROOT },
	[SYSCTL_DIR_NET] = { "net", SYSCTL_DIR_ROOT },
	[SYSCTL_DIR_NET_CORE] = { "core", SYSCTL_DIR_NET },
	[SYSCTL_DIR_NET_IPV4] = { "ipv4", SYSCTL_DIR_NET },
	[SYSCTL_DIR_VM] = { "vm", SYSCTL_DIR_ROOT },
	[SYSCTL_DIR_KERNEL_RANDOM] = { "random", SYSCTL_DIR_KERNEL },
	[SYSCTL_DIR_FS_INOTIFY] = { "inotify", SYSCTL_DIR_FS },
	[SYSCTL_DIR_KERNEL_KEYS] = { "keys", SYSCTL_DIR_KERNEL },
	[SYSCTL_DIR_FS_MQUEUE] = { "mqueue", SYSCTL_DIR_FS },
	[SYSCTL_DIR_NET_IPV6] = { "ipv6", SYSCTL_DIR_NET },
	[SYSCTL_DIR_NET_IPV4_ROUTE] = { "route", SYSCTL_DIR_NET_IPV4 },
};

/* ---- fs.* and kernel.* ---------------------------------------------------------- */

static void nr_open_get(int64_t *v)
{
	v[0] = sysctl_nr_open;
}

/* Linux's sysctl_nr_open_min .. sysctl_nr_open_max. */
static int nr_open_set(const int64_t *v)
{
	if (v[0] < NR_OPEN_MIN || v[0] > NR_OPEN_MAX)
		return -EINVAL;
	sysctl_nr_open = (unsigned int)v[0];
	return 0;
}

static void pipe_max_get(int64_t *v)
{
	v[0] = pipe_max_size();
}

static int pipe_max_set(const int64_t *v)
{
	return pipe_set_max_size((uint64_t)v[0]);
}

/* fs.pipe-user-pages-soft and -hard: any value from 0 (Linux's
 * proc_doulongvec_minmax without bounds, a negative one refused). */
static void pipe_soft_get(int64_t *v)
{
	v[0] = (int64_t)pipe_user_pages(false);
}

static int pipe_soft_set(const int64_t *v)
{
	if (v[0] < 0)
		return -EINVAL;
	pipe_set_user_pages(false, (uint64_t)v[0]);
	return 0;
}

static void pipe_hard_get(int64_t *v)
{
	v[0] = (int64_t)pipe_user_pages(true);
}

static int pipe_hard_set(const int64_t *v)
{
	if (v[0] < 0)
		return -EINVAL;
	pipe_set_user_pages(true, (uint64_t)v[0]);
	return 0;
}

/* kernel.hostname and kernel.domainname: Linux's proc_do_uts_string. */
static void hostname_get(char *buf, size_t cap)
{
	char name[UTS_FIELD_LEN];

	uts_get(UTS_HOSTNAME, name);
	strlcpy(buf, name, cap);
}

static void hostname_set(const char *s, size_t len)
{
	uts_set(UTS_HOSTNAME, s, len);
}

static void domainname_get(char *buf, size_t cap)
{
	char name[UTS_FIELD_LEN];

	uts_get(UTS_DOMAINNAME, name);
	strlcpy(buf, name, cap);
}

static void domainname_set(const char *s, size_t len)
{
	uts_set(UTS_DOMAINNAME, s, len);
}

/* kernel.ostype, kernel.osrelease and kernel.version: uname's sysname,
 * release and version, read-only (Linux's, from its init_uts_ns). */
static void ostype_get(char *buf, size_t cap)
{
	strlcpy(buf, UTS_SYSNAME, cap);
}

static void osrelease_get(char *buf, size_t cap)
{
	strlcpy(buf, UTS_RELEASE, cap);
}

static void version_get(char *buf, size_t cap)
{
	strlcpy(buf, UTS_VERSION, cap);
}

_Static_assert(SYSCTL_STR_MAX == UTS_FIELD_LEN, "a string sysctl holds a UTS name");

static void pid_max_get(int64_t *v)
{
	v[0] = __atomic_load_n(&pid_max, __ATOMIC_RELAXED);
}

/* Linux's pid_max_min .. pid_max_max. */
static int pid_max_set(const int64_t *v)
{
	if (v[0] < RESERVED_PIDS + 1 || v[0] > PID_MAX_LIMIT)
		return -EINVAL;
	__atomic_store_n(&pid_max, (int)v[0], __ATOMIC_RELAXED);
	return 0;
}

/* kernel.ns_last_pid (Linux's pid_ns_ctl_handler): the last id handed
 * out, and written the one the next fork's search starts after. Mode
 * 0666 with the check here, as Linux's: a write takes CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE (-EPERM), a value from 0 to kernel.pid_max. */
static void ns_last_pid_get(int64_t *v)
{
	v[0] = process_last_pid();
}

static int ns_last_pid_set(const int64_t *v)
{
	if (!capable(CAP_SYS_ADMIN) && !capable(CAP_CHECKPOINT_RESTORE))
		return -EPERM;
	if (v[0] < 0 || v[0] > __atomic_load_n(&pid_max, __ATOMIC_RELAXED))
		return -EINVAL;
	process_set_last_pid((int)v[0]);
	return 0;
}

/* vm.min_free_kbytes, as Linux sizes it at boot (calculate_min_free_kbytes):
 * the square root of 16 times the memory in KiB, within 128 KiB and
 * 256 MiB. Kestrel keeps no such reserve (the biggest process is killed
 * when memory runs out); programs read it as the margin to leave free
 * (LTP's tst_pollute_memory), which Linux's figure gives them. */
#define MIN_FREE_KB_LOW  128
#define MIN_FREE_KB_HIGH 262144
static void min_free_kbytes_get(int64_t *v)
{
	uint64_t want = pmm_managed_pages() * (PAGE_SIZE / 1024) * 16, root = 0;
	for (uint64_t bit = 1ull << 62; bit; bit >>= 2) { /* integer square root, bit by bit */
		if (want >= root + bit) {
			want -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
	}
	v[0] = root < MIN_FREE_KB_LOW ? MIN_FREE_KB_LOW : root > MIN_FREE_KB_HIGH ? MIN_FREE_KB_HIGH : (int64_t)root;
}

/* vm.max_map_count: 0 to INT_MAX (Linux's proc_dointvec_minmax from
 * zero); a process past a lowered limit keeps its regions, and only
 * new ones fail. */
static void max_map_count_get(int64_t *v)
{
	v[0] = (int64_t)uvm_max_vmas();
}

static int max_map_count_set(const int64_t *v)
{
	if (v[0] < 0 || v[0] > INT32_MAX)
		return -EINVAL;
	__atomic_store_n(&uvm_max_map_count, (int)v[0], __ATOMIC_RELAXED);
	return 0;
}

/* kernel.tainted: Linux's taint flags. Nothing taints Kestrel; a write
 * adds flags (it cannot clear one), as Linux's proc_taint. */
static uint64_t taint_flags;

static void tainted_get(int64_t *v)
{
	v[0] = (int64_t)__atomic_load_n(&taint_flags, __ATOMIC_RELAXED);
}

static int tainted_set(const int64_t *v)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	__atomic_or_fetch(&taint_flags, (uint64_t)v[0] & TAINT_FLAGS_MASK, __ATOMIC_RELAXED);
	return 0;
}

/* kernel.overflowuid/gid and fs.overflowuid/gid: the ids a 16-bit
 * field shows for one that does not fit. Kept and shown; Kestrel has
 * no 16-bit id calls that would use them. */
static int64_t overflow_ids[4] = { OVERFLOW_ID_DEFAULT, OVERFLOW_ID_DEFAULT, OVERFLOW_ID_DEFAULT,
				   OVERFLOW_ID_DEFAULT };
#define OVERFLOW_ID(i) .n = 1, .data = &overflow_ids[i], .min = 0, .max = OVERFLOW_ID_MAX

/* kernel.printk: the console level (log.h's level + 1: the levels below
 * it print, as Linux's console_loglevel), then the default message level,
 * the lowest console level and the default console level, which are
 * kept and shown (a message without a level here is LOG_INFO). */
static int64_t printk_rest[3] = { PRINTK_DEFAULT_MSG, PRINTK_MIN_CONSOLE, PRINTK_DEFAULT_CONSOLE };

static void printk_get(int64_t *v)
{
	v[0] = log_get_level() + 1;
	for (int i = 0; i < 3; i++)
		v[i + 1] = __atomic_load_n(&printk_rest[i], __ATOMIC_RELAXED);
}

static int printk_set(const int64_t *v)
{
	int64_t level = v[0] < 1 ? 1 : v[0] > CONSOLE_LEVEL_MAX ? CONSOLE_LEVEL_MAX : v[0];
	log_set_level((int)level - 1);
	for (int i = 0; i < 3; i++)
		__atomic_store_n(&printk_rest[i], v[i + 1], __ATOMIC_RELAXED);
	return 0;
}

/* A version 4 UUID (RFC 9562) from the random generator, as text. */
static void uuid_text(char *buf, size_t cap)
{
	uint8_t u[UUID_BYTES];

	if (devfs_random_fill(iobuf_kernel(u), sizeof(u)) != (long)sizeof(u))
		memset(u, 0, sizeof(u));
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* the variant */
	ksnprintf(buf, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		  u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* kernel.random.boot_id: one for the boot, made at its first read. */
static void boot_id_get(char *buf, size_t cap)
{
	static char id[SYSCTL_STR_MAX];

	if (!id[0])
		uuid_text(id, sizeof(id));
	strlcpy(buf, id, cap);
}

/* kernel.lock_stat, as Linux's (CONFIG_LOCK_STAT): the kernel lock's
 * statistics (/proc/klock_stat) on or off; turning them on zeroes them. */
static void lock_stat_get(int64_t *v)
{
	*v = klock_stat_on;
}

static int lock_stat_set(const int64_t *v)
{
	klock_stat_enable(*v != 0);
	return 0;
}

static const struct sysctl_file own_files[] = {
	{ .name = "nr_open", .dir = SYSCTL_DIR_FS, .mode = 0644, .n = 1, .kind = SYSCTL_UINT,
	  .get = nr_open_get, .set = nr_open_set },
	{ .name = "pipe-max-size", .dir = SYSCTL_DIR_FS, .mode = 0644, .n = 1, .kind = SYSCTL_UINT,
	  .get = pipe_max_get, .set = pipe_max_set },
	{ .name = "pipe-user-pages-soft", .dir = SYSCTL_DIR_FS, .mode = 0644, .n = 1,
	  .get = pipe_soft_get, .set = pipe_soft_set },
	{ .name = "pipe-user-pages-hard", .dir = SYSCTL_DIR_FS, .mode = 0644, .n = 1,
	  .get = pipe_hard_get, .set = pipe_hard_set },
	{ .name = "lease-break-time", .dir = SYSCTL_DIR_FS, .mode = 0644, .n = 1, /* proc_dointvec */
	  .data = &lease_break_secs, .min = -0x7fffffffll - 1, .max = 0x7fffffff },
	{ .name = "hostname", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .get_str = hostname_get,
	  .set_str = hostname_set },
	{ .name = "domainname", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .get_str = domainname_get,
	  .set_str = domainname_set },
	{ .name = "ostype", .dir = SYSCTL_DIR_KERNEL, .mode = 0444, .get_str = ostype_get },
	{ .name = "osrelease", .dir = SYSCTL_DIR_KERNEL, .mode = 0444, .get_str = osrelease_get },
	{ .name = "version", .dir = SYSCTL_DIR_KERNEL, .mode = 0444, .get_str = version_get },
	{ .name = "lock_stat", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .get = lock_stat_get,
	  .set = lock_stat_set },
	{ .name = "pid_max", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .get = pid_max_get,
	  .set = pid_max_set },
	{ .name = "ns_last_pid", .dir = SYSCTL_DIR_KERNEL, .mode = 0666, .n = 1,
	  .get = ns_last_pid_get, .set = ns_last_pid_set },
	{ .name = "tainted", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .kind = SYSCTL_UINT,
	  .get = tainted_get, .set = tainted_set },
	{ .name = "overflowuid", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, OVERFLOW_ID(0) },
	{ .name = "overflowgid", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, OVERFLOW_ID(1) },
	{ .name = "overflowuid", .dir = SYSCTL_DIR_FS, .mode = 0644, OVERFLOW_ID(2) },
	{ .name = "overflowgid", .dir = SYSCTL_DIR_FS, .mode = 0644, OVERFLOW_ID(3) },
	{ .name = "cap_last_cap", .dir = SYSCTL_DIR_KERNEL, .mode = 0444, .n = 1, .value = CAP_LAST_CAP },
	/* Kestrel places nothing at random: 0, and a write asking for more is -EINVAL */
	{ .name = "randomize_va_space", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .value = 0 },
	{ .name = "printk", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 4, .get = printk_get,
	  .set = printk_set },
	/* the limits the memory code has */
	{ .name = "max_map_count", .dir = SYSCTL_DIR_VM, .mode = 0644, .n = 1, .get = max_map_count_get,
	  .set = max_map_count_set },
	{ .name = "min_free_kbytes", .dir = SYSCTL_DIR_VM, .mode = 0444, .n = 1, .get = min_free_kbytes_get },
	{ .name = "mmap_min_addr", .dir = SYSCTL_DIR_VM, .mode = 0444, .n = 1, .kind = SYSCTL_UINT,
	  .value = USER_MIN_ADDR },
	/* 1, Linux's OVERCOMMIT_ALWAYS, which is what Kestrel does (a
	 * reservation costs what is touched; the biggest process is killed
	 * when memory runs out): the heuristic (0) and strict (2) modes are -EINVAL */
	{ .name = "overcommit_memory", .dir = SYSCTL_DIR_VM, .mode = 0644, .n = 1, .value = 1 },
	/* uuid: a new one at each read, as Linux's */
	{ .name = "uuid", .dir = SYSCTL_DIR_KERNEL_RANDOM, .mode = 0444, .get_str = uuid_text },
	{ .name = "boot_id", .dir = SYSCTL_DIR_KERNEL_RANDOM, .mode = 0444, .get_str = boot_id_get },
	{ .name = "entropy_avail", .dir = SYSCTL_DIR_KERNEL_RANDOM, .mode = 0444, .n = 1, .value = RANDOM_POOL_BITS },
	{ .name = "poolsize", .dir = SYSCTL_DIR_KERNEL_RANDOM, .mode = 0444, .n = 1, .value = RANDOM_POOL_BITS },
};
#define N_OWN (sizeof(own_files) / sizeof(own_files[0]))

/* ---- the tree ------------------------------------------------------------------- */

static struct { const struct sysctl_file *files; size_t n; } tables[SYSCTL_TABLES_MAX];
static size_t n_tables;

void procfs_sysctl_register(const struct sysctl_file *files, size_t n)
{
	if (n_tables == SYSCTL_TABLES_MAX)
		panic("procfs: more than %d sysctl tables", SYSCTL_TABLES_MAX);
	tables[n_tables].files = files;
	tables[n_tables++].n = n;
}

/* The file of node (at or past SYSCTL_DIRS), or NULL. */
static const struct sysctl_file *file_of(int node)
{
	if (node < SYSCTL_DIRS)
		return NULL;
	size_t i = (size_t)(node - SYSCTL_DIRS);
	if (i < N_OWN)
		return &own_files[i];
	i -= N_OWN;
	for (size_t t = 0; t < n_tables; t++) {
		if (i < tables[t].n)
			return &tables[t].files[i];
		i -= tables[t].n;
	}
	return NULL;
}

/* Node's name, mode and parent directory; false if there is no such node. */
static bool node_info(int node, const char **name, uint32_t *mode, int *parent)
{
	if (node > SYSCTL_DIR_ROOT && node < SYSCTL_DIRS) {
		*name = sysctl_dirs[node].name;
		*mode = SYSCTL_DIR_MODE;
		*parent = (int)sysctl_dirs[node].parent;
		return true;
	}
	const struct sysctl_file *f = file_of(node);
	if (!f)
		return false;
	*name = f->name;
	*mode = S_IFREG | f->mode;
	*parent = (int)f->dir;
	return true;
}

int procfs_sysctl_child(int dir, unsigned i, const char **name, uint32_t *mode)
{
	int parent;

	for (int node = SYSCTL_DIR_ROOT + 1; node_info(node, name, mode, &parent); node++)
		if (parent == dir && !i--)
			return node;
	return -ENOENT;
}

int procfs_sysctl_lookup(int dir, const char *name, size_t len, uint32_t *mode)
{
	const char *nm;
	int node;

	for (unsigned i = 0; (node = procfs_sysctl_child(dir, i, &nm, mode)) >= 0; i++)
		if (strlen(nm) == len && memcmp(nm, name, len) == 0)
			return node;
	return -ENOENT;
}

/* ---- the files ------------------------------------------------------------------ */

static const struct sysctl_file *sysctl_of(struct file *f)
{
	return f->priv;
}

/* A file of numbers' values now: its get's, or the plain ones. */
static void numbers_get(const struct sysctl_file *e, int64_t *v)
{
	if (e->get) {
		e->get(v);
		return;
	}
	for (unsigned i = 0; i < e->n; i++)
		v[i] = e->data ? __atomic_load_n(&e->data[i], __ATOMIC_RELAXED) : e->value;
}

/* Set them: its set, or the plain ones within their bounds (a constant:
 * its value alone). 0 or -EINVAL (nothing changed). */
static int numbers_set(const struct sysctl_file *e, const int64_t *v)
{
	if (e->set)
		return e->set(v);
	for (unsigned i = 0; i < e->n; i++)
		if (e->data ? v[i] < e->min || v[i] > e->max : v[i] != e->value)
			return -EINVAL;
	for (unsigned i = 0; e->data && i < e->n; i++)
		__atomic_store_n(&e->data[i], v[i], __ATOMIC_RELAXED);
	return 0;
}

/* A string file's cap, with its NUL. */
static size_t string_cap(const struct sysctl_file *e)
{
	return e->str_cap && e->str_cap <= SYSCTL_STR_LONG ? e->str_cap : SYSCTL_STR_MAX;
}

/* The file's value as read: numbers tab-separated, or the string; a newline after. */
static size_t sysctl_text(const struct sysctl_file *e, char *text, size_t cap)
{
	int64_t v[SYSCTL_INTS_MAX];
	size_t len = 0;

	if (!e->n) {
		char s[SYSCTL_STR_LONG];
		e->get_str(s, string_cap(e));
		return (size_t)ksnprintf(text, cap, "%s\n", s);
	}
	numbers_get(e, v);
	for (unsigned i = 0; i < e->n; i++)
		len += (size_t)ksnprintf(text + len, cap - len, e->kind == SYSCTL_ULONG ? "%s%lu" : "%s%ld",
					 i ? "\t" : "", (long)v[i]);
	len += (size_t)ksnprintf(text + len, cap - len, "\n");
	return len;
}

/* read(2), and splice's reads (b: user or kernel memory). */
static long sysctl_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	char text[SYSCTL_READ_MAX];
	size_t len = sysctl_text(sysctl_of(f), text, sizeof(text));

	return vfs_read_text(text, len, b, n, pos);
}

/* A string file: proc_dostring's strict-mode write (sysctl_string_write). */
static long string_write(const struct sysctl_file *e, struct iobuf buf, size_t n, uint64_t *pos)
{
	char value[SYSCTL_STR_LONG], text[SYSCTL_STR_LONG];
	size_t cap = string_cap(e), take = n < cap ? n : cap; /* past that nothing is kept */

	if (iobuf_get(text, buf, 0, take))
		return -EFAULT;
	e->get_str(value, cap);
	sysctl_string_write(value, cap, *pos, text, take);
	if (e->set_str_checked) {
		int err = e->set_str_checked(value, strlen(value));
		if (err)
			return err;
	} else {
		e->set_str(value, strlen(value));
	}
	*pos += n;
	return (long)n;
}

/* A file of numbers: parse at position 0 into a copy of the value, set it whole. */
static long numbers_write(const struct sysctl_file *e, struct iobuf buf, size_t n, uint64_t *pos)
{
	char text[SYSCTL_TEXT_MAX];
	int64_t v[SYSCTL_INTS_MAX];
	unsigned count;

	if (*pos)
		return (long)n;
	if (n >= sizeof(text))
		return -EINVAL;
	if (iobuf_get(text, buf, 0, n))
		return -EFAULT;
	numbers_get(e, v);
	long took = sysctl_parse_ints(text, n, e->kind, v, e->n, &count);
	if (took < 0)
		return took;
	int err = numbers_set(e, v);
	if (err)
		return err;
	*pos += (uint64_t)took;
	return took;
}

/* write(2), and splice's writes (b: user or kernel memory). */
static long sysctl_write(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	const struct sysctl_file *e = sysctl_of(f);

	if (!(e->mode & 0222))
		return -EACCES; /* not reached: the open refused */
	if (!n)
		return 0; /* Linux's proc_sys_call_handler: nothing to parse, nothing done */
	return e->n ? numbers_write(e, b, n, pos) : string_write(e, b, n, pos);
}

static long sysctl_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, 0);
}

/* Kernel buffers too: splice to and from a pipe, as Linux's proc_sys
 * files take it (LTP's splice06). */
static const struct file_ops sysctl_ops = {
	.read = sysctl_read,
	.write = sysctl_write,
	.lseek = sysctl_lseek,
	.kernel_io = KERNEL_IO_READ | KERNEL_IO_WRITE,
};

int procfs_sysctl_open(int node, struct file *f)
{
	const struct sysctl_file *e = file_of(node);

	if (!e)
		return -ENXIO;
	if ((f->flags & O_ACCMODE) != O_RDONLY && !(e->mode & 0222))
		return -EACCES;
	f->ops = &sysctl_ops;
	f->priv = (void *)e;
	return 0;
}

/* /proc/sysrq-trigger: the first character written is the key (Linux's
 * write_sysrq_trigger); Kestrel knows 'c' (crash) and 't' (show every
 * thread and where it sleeps, in the log). */
static long sysrq_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	char key;

	(void)f;
	(void)pos;
	if (!n)
		return 0;
	if (iobuf_get(&key, buf, 0, 1))
		return -EFAULT;
	if (key == 'c')
		panic("sysrq triggered crash");
	if (key == 't') {
		process_show_all();
		return (long)n;
	}
	klog(LOG_INFO, "sysrq: key '%c' not handled (Kestrel knows c: crash, t: show threads)\n",
	     key >= ' ' && key < 0x7f ? key : '?');
	return (long)n;
}

static const struct file_ops sysrq_ops = {
	.write = sysrq_write,
};

int procfs_sysrq_open(struct file *f)
{
	f->ops = &sysrq_ops;
	return 0;
}
