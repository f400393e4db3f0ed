// SPDX-License-Identifier: MIT
/*
 * Kestrel: /proc. Nothing is stored: every inode is made by a lookup and
 * freed with its last reference, and names only a (pid, entry) pair; a
 * file's text is generated when it is opened (a snapshot, as Linux's
 * seq_file gives short files) in the formats busybox and procps parse.
 *
 *   /proc/{self, meminfo, uptime, cpuinfo, mounts, version, loadavg,
 *          filesystems, stat, partitions, interrupts, bus/pci/devices,
 *          sys/... (the sysctl tree of fs/procfs_sys.c: fs, kernel, net.core, net.ipv4),
 *          net/{dev, arp, route, snmp, netstat, pnp, tcp, udp, raw, icmp, tcp6, udp6}
 *          (written by net/net_proc.c)}
 *   /proc/PID/{stat, status, cmdline, comm, timerslack_ns, coredump_filter, exe, cwd, fd/N,
 *              ns/NAME, maps, statm, mountinfo, mem}
 *   /proc/PID/task/TID/{stat, status, comm}: each thread (its CPU, affinity, state)
 *
 * Processes are found again by pid on every use, so a /proc inode never
 * keeps a process alive or points at a freed one.
 */
#include "fs/inode.h"
#include "fs/nsfs.h"
#include "proc/ptrace.h"
#include "fs/fstype.h"
#include "fs/inotify.h"
#include "fs/path.h"
#include "fs/devpts.h"
#include "fs/procfs_show.h"
#include "fs/procfs_cpus.h"
#include "fs/procfs_klock.h"
#include "fs/procfs_profile.h"
#include "fs/procfs_mem.h"
#include "fs/procfs_sys.h"
#include "fs/pipe.h"
#include "dev/pci.h"
#include "block/blkdev.h"
#include "proc/rlimit.h"
#include "mm/heap.h"
#include "mm/uvm.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/prctl.h"

#define PROC_MAGIC    0x9fa0u
#define PROC_DEV      2
#define PROC_INO_BASE 0x10000000ull
#define PID_POS_BASE  0x1000ull   /* getdents positions of /proc/PID entries: base + pid */
#define PIDS_MAX      1024
#define SHOW_BUF      8192
#define NET_SHOW_BUF  (256 * 1024) /* /proc/net's and /proc/sysvipc's tables: a line per socket
				    * (tcp: 150 bytes) or object */
#define ENVIRON_MAX   (2u << 20)   /* the most of an environment /proc/PID/environ shows */

const struct fs_info procfs_fs = { .name = "proc", .dev = PROC_DEV, .magic = PROC_MAGIC,
				   .read_only = true, .pseudo = true };

/* What a /proc inode stands for: aux = pid << 32 | table << 24 | index;
 * the index is an entry of a table or a descriptor (below fs.nr_open).
 * T_TID_DIR and T_TID_ENTRY (a thread's directory and its files) hold the
 * thread's tid where the others hold the pid. T_SYSCTL's index is a node
 * of /proc/sys (fs/procfs_sys.h), which is T_NODE "sys" itself.
 * T_PID_DIR's index is the low bits of the process's serial
 * (PID_DIR_AUX), so that a /proc/PID directory names one process, not a
 * pid, as Linux's struct pid does: once the pid is reused its old
 * directory finds no process, and the new one has another inode number. */
enum proc_table { T_ROOT, T_ROOT_ENTRY, T_PID_DIR, T_PID_ENTRY, T_FD_DIR, T_FD, T_FDINFO_DIR, T_FDINFO,
		  T_NODE, T_TASK_DIR, T_TID_DIR, T_TID_ENTRY, T_SYSCTL, T_NS_DIR, T_NS };
#define AUX_INDEX_BITS 24
#define AUX_INDEX_LIMIT (1 << AUX_INDEX_BITS)
#define AUX(pid, table, index) \
	(((long)(pid) << 32) | ((long)(table) << AUX_INDEX_BITS) | (long)(index))
#define AUX_PID(aux)   ((int)((aux) >> 32))
#define AUX_TABLE(aux) ((int)(((aux) >> AUX_INDEX_BITS) & 0xff))
#define AUX_INDEX(aux) ((int)((aux) & (AUX_INDEX_LIMIT - 1)))
#define PID_DIR_AUX(p) AUX((p)->pid, T_PID_DIR, (p)->serial & (AUX_INDEX_LIMIT - 1))
/* Descriptors up to fs.nr_open's default fit an index; past AUX_INDEX_LIMIT
 * (a raised nr_open) they are open but not listed under /proc/PID/fd. */
_Static_assert(RLIMIT_NR_OPEN <= AUX_INDEX_LIMIT, "a descriptor must fit an aux index");

struct proc_entry {
	const char *name;
	uint32_t mode;
	void (*show)(struct sbuf *s, struct process *p);           /* files */
	long (*link)(struct process *p, char *buf, size_t cap);    /* symlinks */
};

static long link_self(struct process *p, char *buf, size_t cap);
static long link_net(struct process *p, char *buf, size_t cap);
static long link_mounts(struct process *p, char *buf, size_t cap);
static long link_exe(struct process *p, char *buf, size_t cap);
static long link_cwd(struct process *p, char *buf, size_t cap);
static long link_root(struct process *p, char *buf, size_t cap);
static long link_thread_self(struct process *p, char *buf, size_t cap);
static long link_dir(struct inode *dir, char *buf, size_t cap);
static void show_partitions(struct sbuf *s, struct process *p);
static void show_devices(struct sbuf *s, struct process *p);
static void show_pid_environ(struct sbuf *s, struct process *p);
static void show_pid_auxv(struct sbuf *s, struct process *p);

/* /proc/keys and /proc/key-users: the keyrings write them through
 * procfs_keys_show (set by keys_init). */
void (*procfs_keys_show)(const char *name, struct sbuf *s);

static void show_keys(struct sbuf *s, struct process *p)
{
	(void)p;
	if (procfs_keys_show)
		procfs_keys_show("keys", s);
}

static void show_key_users(struct sbuf *s, struct process *p)
{
	(void)p;
	if (procfs_keys_show)
		procfs_keys_show("key-users", s);
}

static const struct proc_entry root_entries[] = {
	{ "self", S_IFLNK | 0777, NULL, link_self },
	{ "thread-self", S_IFLNK | 0777, NULL, link_thread_self }, /* "PID/task/TID" */
	{ "net", S_IFLNK | 0777, NULL, link_net }, /* "self/net", as Linux's since 2.6.25 */
	{ "meminfo", S_IFREG | 0444, show_meminfo, NULL },
	{ "uptime", S_IFREG | 0444, show_uptime, NULL },
	{ "cpuinfo", S_IFREG | 0444, show_cpuinfo, NULL },
	{ "mounts", S_IFLNK | 0777, NULL, link_mounts }, /* "self/mounts", as Linux's */
	{ "version", S_IFREG | 0444, show_version, NULL },
	{ "cmdline", S_IFREG | 0444, show_cmdline, NULL },
	{ "loadavg", S_IFREG | 0444, show_loadavg, NULL },
	{ "filesystems", S_IFREG | 0444, show_filesystems, NULL },
	{ "stat", S_IFREG | 0444, show_stat, NULL },
	{ "partitions", S_IFREG | 0444, show_partitions, NULL },
	{ "devices", S_IFREG | 0444, show_devices, NULL },
	{ "interrupts", S_IFREG | 0444, show_interrupts, NULL },
	{ "klock_stat", S_IFREG | 0444, show_klock_stat, NULL },
	{ "sysrq-trigger", S_IFREG | 0200, NULL, NULL }, /* its own file ops (procfs_sys.c) */
	{ "keys", S_IFREG | 0444, show_keys, NULL },
	{ "key-users", S_IFREG | 0444, show_key_users, NULL },
	{ "kallsyms", S_IFREG | 0444, show_kallsyms, NULL },
	/* with profile=N only; /proc/profile has its own file ops (procfs_profile.c) */
	{ "profile", S_IFREG | 0644, NULL, NULL },
	{ "profile_syscalls", S_IFREG | 0444, show_profile_syscalls, NULL },
};
static const struct proc_entry pid_entries[] = {
	{ "stat", S_IFREG | 0444, show_pid_stat, NULL },
	{ "status", S_IFREG | 0444, show_pid_status, NULL },
	{ "cmdline", S_IFREG | 0444, show_pid_cmdline, NULL },
	{ "environ", S_IFREG | 0400, show_pid_environ, NULL },
	{ "auxv", S_IFREG | 0400, show_pid_auxv, NULL },
	{ "limits", S_IFREG | 0444, show_pid_limits, NULL },
	{ "comm", S_IFREG | 0444, show_pid_comm, NULL },
	{ "timerslack_ns", S_IFREG | 0444, show_pid_timerslack, NULL },
	{ "coredump_filter", S_IFREG | 0444, show_pid_coredump_filter, NULL },
	{ "exe", S_IFLNK | 0777, NULL, link_exe },
	{ "cwd", S_IFLNK | 0777, NULL, link_cwd },
	{ "root", S_IFLNK | 0777, NULL, link_root },
	{ "fd", S_IFDIR | 0500, NULL, NULL },
	{ "mounts", S_IFREG | 0444, show_mounts, NULL },
	{ "mountinfo", S_IFREG | 0444, show_mountinfo, NULL },
	{ "fdinfo", S_IFDIR | 0555, NULL, NULL },
	{ "maps", S_IFREG | 0444, show_pid_maps, NULL },
	{ "smaps", S_IFREG | 0444, show_pid_smaps, NULL },
	{ "statm", S_IFREG | 0444, show_pid_statm, NULL },
	{ "mem", S_IFREG | 0600, NULL, NULL }, /* its own file ops (procfs_mem.c) */
	{ "pagemap", S_IFREG | 0400, NULL, NULL }, /* the same */
	{ "task", S_IFDIR | 0555, NULL, NULL },
	{ "net", S_IFDIR | 0555, NULL, NULL }, /* the one network namespace's: node NODE_NET */
	{ "ns", S_IFDIR | 0511, NULL, NULL }, /* links to the namespaces (T_NS, fs/nsfs.h) */
};

/* /proc/PID/task/TID's files: what the thread's show writes (task_show),
 * and the links every thread of the process shares. */
static const struct proc_entry task_entries[] = {
	{ "stat", S_IFREG | 0444, NULL, NULL },
	{ "status", S_IFREG | 0444, NULL, NULL },
	{ "comm", S_IFREG | 0444, NULL, NULL },
	{ "exe", S_IFLNK | 0777, NULL, link_exe },
	{ "cwd", S_IFLNK | 0777, NULL, link_cwd },
	{ "root", S_IFLNK | 0777, NULL, link_root },
};
#define N_TASK (sizeof(task_entries) / sizeof(task_entries[0]))

static void task_comm(struct sbuf *s, struct process *p, struct thread *t, int id)
{
	(void)t;
	(void)id;
	show_pid_comm(s, p);
}

static void (*const task_show[N_TASK])(struct sbuf *, struct process *, struct thread *, int) = {
	show_task_stat, show_task_status, task_comm, /* the links have none */
};
#define N_ROOT (sizeof(root_entries) / sizeof(root_entries[0]))

static void show_pci_devices(struct sbuf *s, struct process *p);

/* /proc/net/NAME: the network stack writes them through procfs_net_show
 * (set by net_init), so that /proc calls nothing of the stack. */
void (*procfs_net_show)(const char *name, struct sbuf *s);

static void show_net(const char *name, struct sbuf *s)
{
	if (procfs_net_show)
		procfs_net_show(name, s);
}
#define NET_SHOW(file) \
	static void show_net_##file(struct sbuf *s, struct process *p) { (void)p; show_net(#file, s); }
NET_SHOW(dev)
NET_SHOW(arp)
NET_SHOW(route)
NET_SHOW(snmp)
NET_SHOW(netstat)
NET_SHOW(raw)
NET_SHOW(icmp)
NET_SHOW(pnp)
NET_SHOW(tcp)
NET_SHOW(udp)
NET_SHOW(tcp6)
NET_SHOW(udp6)
NET_SHOW(unix)
NET_SHOW(if_inet6)
NET_SHOW(ipv6_route)
NET_SHOW(snmp6)
NET_SHOW(sockstat)
NET_SHOW(sockstat6)

/* /proc/sysvipc/NAME: System V IPC writes them through procfs_ipc_show. */
void (*procfs_ipc_show)(const char *name, struct sbuf *s);
#define IPC_SHOW(file) \
	static void show_ipc_##file(struct sbuf *s, struct process *p) \
	{ \
		(void)p; \
		if (procfs_ipc_show) \
			procfs_ipc_show(#file, s); \
	}
IPC_SHOW(msg)
IPC_SHOW(sem)
IPC_SHOW(shm)

/* Fixed nodes below /proc that are not per process, directories and
 * files (table T_NODE), each with its parent's index (-1: /proc). */
static const struct proc_entry node_entries[] = {
	{ "bus", S_IFDIR | 0555, NULL, NULL },
	{ "pci", S_IFDIR | 0555, NULL, NULL },
	{ "devices", S_IFREG | 0444, show_pci_devices, NULL },
	{ "sys", S_IFDIR | 0555, NULL, NULL },           /* its tree: T_SYSCTL (procfs_sys.c) */
	{ "net", S_IFDIR | 0555, NULL, NULL },
	{ "dev", S_IFREG | 0444, show_net_dev, NULL },
	{ "arp", S_IFREG | 0444, show_net_arp, NULL },
	{ "route", S_IFREG | 0444, show_net_route, NULL },
	{ "snmp", S_IFREG | 0444, show_net_snmp, NULL },
	{ "netstat", S_IFREG | 0444, show_net_netstat, NULL },
	{ "pnp", S_IFREG | 0444, show_net_pnp, NULL },
	{ "tcp", S_IFREG | 0444, show_net_tcp, NULL },
	{ "udp", S_IFREG | 0444, show_net_udp, NULL },
	{ "raw", S_IFREG | 0444, show_net_raw, NULL },
	{ "icmp", S_IFREG | 0444, show_net_icmp, NULL },
	{ "tcp6", S_IFREG | 0444, show_net_tcp6, NULL },
	{ "udp6", S_IFREG | 0444, show_net_udp6, NULL },
	{ "unix", S_IFREG | 0444, show_net_unix, NULL },
	{ "sysvipc", S_IFDIR | 0555, NULL, NULL },
	{ "msg", S_IFREG | 0444, show_ipc_msg, NULL },
	{ "sem", S_IFREG | 0444, show_ipc_sem, NULL },
	{ "shm", S_IFREG | 0444, show_ipc_shm, NULL },
	/* more of /proc/net, after sysvipc's so the indexes above stay */
	{ "if_inet6", S_IFREG | 0444, show_net_if_inet6, NULL },
	{ "ipv6_route", S_IFREG | 0444, show_net_ipv6_route, NULL },
	{ "snmp6", S_IFREG | 0444, show_net_snmp6, NULL },
	{ "sockstat", S_IFREG | 0444, show_net_sockstat, NULL },
	{ "sockstat6", S_IFREG | 0444, show_net_sockstat6, NULL },
};
#define NODE_SYS 3  /* node_entries' "sys" */
#define NODE_NET 4  /* reached as /proc/PID/net (/proc/net links to self/net), not from /proc */
#define NODE_SYSVIPC 18 /* node_entries' "sysvipc" */
#define NODE_NO_PARENT (-2)
static const int node_parent[] = { -1, 0, 1, -1, NODE_NO_PARENT, NODE_NET, NODE_NET, NODE_NET, NODE_NET, NODE_NET, NODE_NET,
				   NODE_NET, NODE_NET, NODE_NET, NODE_NET, NODE_NET, NODE_NET, NODE_NET,
				   -1, NODE_SYSVIPC, NODE_SYSVIPC, NODE_SYSVIPC, NODE_NET, NODE_NET, NODE_NET,
				   NODE_NET, NODE_NET };
#define N_NODE (sizeof(node_entries) / sizeof(node_entries[0]))
_Static_assert(N_NODE == sizeof(node_parent) / sizeof(node_parent[0]), "one parent per node");
#define N_PID  (sizeof(pid_entries) / sizeof(pid_entries[0]))

static const struct inode_ops proc_ops;
static struct inode *proc_root;

/* ---------------------------------------------------------------- inodes */

static const struct proc_entry *entry_of(long aux)
{
	int i = AUX_INDEX(aux);

	if (AUX_TABLE(aux) == T_ROOT_ENTRY)
		return &root_entries[i];
	if (AUX_TABLE(aux) == T_PID_ENTRY)
		return &pid_entries[i];
	if (AUX_TABLE(aux) == T_NODE)
		return &node_entries[i];
	if (AUX_TABLE(aux) == T_TID_ENTRY)
		return &task_entries[i];
	return NULL;
}

/* The process an inode's aux names: by pid, or for a thread's nodes
 * (T_TID_DIR, T_TID_ENTRY) the owner of the tid; NULL if gone or none. */
static struct process *aux_process(long aux)
{
	int id = AUX_PID(aux), table = AUX_TABLE(aux);
	struct process *owner = NULL;

	if (!id)
		return NULL;
	if (table == T_TID_DIR || table == T_TID_ENTRY)
		return process_find_thread(id, &owner) ? owner : NULL;
	struct process *p = process_find(id);
	return p && table == T_PID_DIR && PID_DIR_AUX(p) != aux ? NULL : p;
}

/* Linux's task_dump_owner: a process's entries belong to its effective
 * uid and gid while it is dumpable, else to root; the rest to root. */
static void proc_owner(struct inode *ip)
{
	struct process *p = aux_process(ip->aux);
	const struct cred *c = p ? process_cred(p) : NULL;

	ip->uid = ip->gid = 0;
	if (c && c->dumpable == SUID_DUMP_USER) {
		ip->uid = c->euid;
		ip->gid = c->egid;
	}
}

/* A new transient inode for aux under dir (which it keeps a reference to if a directory). */
static struct inode *proc_inode(struct inode *dir, long aux, uint32_t mode, const char *name)
{
	struct inode *ip = inode_alloc(&procfs_fs, &proc_ops, mode);

	if (!ip)
		return NULL;
	ip->aux = aux;
	ip->transient = true;
	ip->ino = PROC_INO_BASE + (uint64_t)aux;
	proc_owner(ip);
	ip->nlink = S_ISDIR(mode) ? 2 : 1;
	if (S_ISDIR(mode)) {
		size_t len = strlen(name);
		if (!(ip->name = kmalloc(len + 1))) {
			kfree(ip);
			return NULL;
		}
		memcpy(ip->name, name, len + 1);
		ip->parent = inode_get(dir);
	}
	return ip;
}

/* The process a /proc inode is about (the current one for root entries). */
static struct process *proc_of(const struct inode *ip)
{
	return AUX_PID(ip->aux) ? aux_process(ip->aux) : current_process();
}

/* Parse a decimal pid name; 0 if it is not one. */
static int parse_pid(const char *name, size_t len)
{
	int v = 0;

	if (len == 0 || len > 9 || name[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

/* Whether e is a file that does not exist now: the profiler's, when it is
 * off (Linux has /proc/profile only with profile=N). */
static bool absent(const struct proc_entry *e)
{
	bool profiler = e->show == show_profile_syscalls ||
			(S_ISREG(e->mode) && !e->show && strcmp(e->name, "profile") == 0);

	return profiler && !procfs_profile_present();
}

static int lookup_table(struct inode *dir, const struct proc_entry *t, size_t n, int table,
			int pid, const char *name, size_t len, struct inode **out)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(t[i].name) != len || memcmp(t[i].name, name, len) != 0)
			continue;
		if (absent(&t[i]))
			return -ENOENT;
		int tb = !S_ISDIR(t[i].mode) ? table : !strcmp(t[i].name, "fdinfo") ? T_FDINFO_DIR
		       : !strcmp(t[i].name, "task") ? T_TASK_DIR : !strcmp(t[i].name, "ns") ? T_NS_DIR
		       : T_FD_DIR;
		*out = proc_inode(dir, AUX(pid, tb, i), t[i].mode, t[i].name);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/* /proc/PID/fd/N's mode, as Linux's tid_fd_update_inode: r-x for an end
 * open for reading, -wx for writing, none for O_PATH. */
#define FD_LINK_READ  0500
#define FD_LINK_WRITE 0300
#define FDINFO_MODE   (S_IFREG | 0400) /* /proc/PID/fdinfo/N */
static uint32_t fd_link_mode(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	uint32_t mode = S_IFLNK;

	if (f->flags & O_PATH)
		return mode;
	if (acc == O_RDONLY || acc == O_RDWR)
		mode |= FD_LINK_READ;
	if (acc == O_WRONLY || acc == O_RDWR)
		mode |= FD_LINK_WRITE;
	return mode;
}

/* A node under parent (-1: /proc) by name. */
static int lookup_node(struct inode *dir, int parent, const char *name, size_t len, struct inode **out)
{
	for (size_t i = 0; i < N_NODE; i++) {
		const struct proc_entry *e = &node_entries[i];
		if (node_parent[i] != parent || strlen(e->name) != len || memcmp(e->name, name, len) != 0)
			continue;
		*out = proc_inode(dir, AUX(0, T_NODE, i), e->mode, e->name);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/* A node of /proc/sys under its directory node sysdir. */
static int lookup_sysctl(struct inode *dir, int sysdir, const char *name, size_t len, struct inode **out)
{
	uint32_t mode;
	int node = procfs_sysctl_lookup(sysdir, name, len, &mode);

	if (node < 0)
		return node;
	char nm[NAME_MAX + 1];
	size_t n = len < NAME_MAX ? len : NAME_MAX;
	memcpy(nm, name, n);
	nm[n] = 0;
	*out = proc_inode(dir, AUX(0, T_SYSCTL, node), mode, nm);
	return *out ? 0 : -ENOMEM;
}

/* /proc/PID/task/TID: a live thread of p. */
static int lookup_thread(struct inode *dir, struct process *p, int tid, struct inode **out)
{
	struct process *owner = NULL;
	char nm[16];

	if (!tid || !process_find_thread(tid, &owner) || owner != p)
		return -ENOENT;
	ksnprintf(nm, sizeof(nm), "%d", tid);
	*out = proc_inode(dir, AUX(tid, T_TID_DIR, 0), S_IFDIR | 0555, nm);
	return *out ? 0 : -ENOMEM;
}

/* /proc/PID/ns/NAME: a link to one of the namespaces (fs/nsfs.h). */
static int lookup_ns(struct inode *dir, struct process *p, const char *name, size_t len,
		     struct inode **out)
{
	for (int e = 0; e < NS_ENTRIES; e++) {
		const char *n = nsfs_entry_name(e);
		if (strlen(n) != len || memcmp(n, name, len) != 0)
			continue;
		*out = proc_inode(dir, AUX(p->pid, T_NS, e), S_IFLNK | 0777, NULL);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int proc_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	int table = AUX_TABLE(dir->aux), pid = parse_pid(name, len);
	char nm[16];

	if (table == T_ROOT) {
		struct process *p = pid ? process_find(pid) : NULL;
		if (p) {
			ksnprintf(nm, sizeof(nm), "%d", pid);
			*out = proc_inode(dir, PID_DIR_AUX(p), S_IFDIR | 0555, nm);
			return *out ? 0 : -ENOMEM;
		}
		int err = lookup_table(dir, root_entries, N_ROOT, T_ROOT_ENTRY, 0, name, len, out);
		return err == -ENOENT ? lookup_node(dir, -1, name, len, out) : err;
	}
	if (table == T_NODE && AUX_INDEX(dir->aux) == NODE_SYS)
		return lookup_sysctl(dir, SYSCTL_DIR_ROOT, name, len, out);
	if (table == T_SYSCTL)
		return lookup_sysctl(dir, AUX_INDEX(dir->aux), name, len, out);
	if (table == T_NODE)
		return lookup_node(dir, AUX_INDEX(dir->aux), name, len, out);
	struct process *p = proc_of(dir);
	if (!p) /* Linux's proc_pid_permission finds no task: -ESRCH */
		return table == T_PID_DIR ? -ESRCH : -ENOENT;
	if (table == T_PID_DIR && len == 3 && memcmp(name, "net", 3) == 0) {
		*out = proc_inode(dir, AUX(0, T_NODE, NODE_NET), S_IFDIR | 0555, "net");
		return *out ? 0 : -ENOMEM;
	}
	if (table == T_PID_DIR)
		return lookup_table(dir, pid_entries, N_PID, T_PID_ENTRY, p->pid, name, len, out);
	if (table == T_TASK_DIR)
		return lookup_thread(dir, p, pid, out);
	if (table == T_TID_DIR)
		return lookup_table(dir, task_entries, N_TASK, T_TID_ENTRY, AUX_PID(dir->aux), name, len,
				    out);
	if (table == T_NS_DIR)
		return lookup_ns(dir, p, name, len, out);
	bool fdinfo = table == T_FDINFO_DIR;
	if ((table == T_FD_DIR || fdinfo) && (pid || (len == 1 && name[0] == '0'))) {
		struct file *f = pid < AUX_INDEX_LIMIT ? fd_get(p->files, pid) : NULL;
		if (!f)
			return -ENOENT;
		uint32_t mode = fdinfo ? FDINFO_MODE : fd_link_mode(f);
		file_put(f);
		*out = proc_inode(dir, AUX(p->pid, fdinfo ? T_FDINFO : T_FD, pid), mode, NULL);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/* ---------------------------------------------------------------- directories */

/* Entries of a static table at positions 2, 3, ... */
static bool emit_table(const struct proc_entry *t, size_t n, int pid, int table, uint64_t *pos,
		       dir_emit_fn emit, void *ctx)
{
	for (size_t i = *pos - 2; i < n; i++) {
		unsigned dt = S_ISDIR(t[i].mode) ? DT_DIR : S_ISLNK(t[i].mode) ? DT_LNK : DT_REG;
		if (absent(&t[i]))
			continue; /* the next entry's position still follows i's */
		uint64_t ino = PROC_INO_BASE + (uint64_t)AUX(pid, table, i);
		if (!emit(ctx, t[i].name, strlen(t[i].name), ino, dt, i + 3))
			return false;
		*pos = i + 3;
	}
	return true;
}

/* The nodes under parent (-1: /proc), at positions first, first + 1, ... */
static bool emit_nodes(int parent, uint64_t first, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	uint64_t at = first;

	for (size_t i = 0; i < N_NODE; i++) {
		const struct proc_entry *e = &node_entries[i];
		if (node_parent[i] != parent)
			continue;
		if (*pos <= at) {
			uint64_t ino = PROC_INO_BASE + (uint64_t)AUX(0, T_NODE, i);
			if (!emit(ctx, e->name, strlen(e->name), ino, S_ISDIR(e->mode) ? DT_DIR : DT_REG, at + 1))
				return false;
			*pos = at + 1;
		}
		at++;
	}
	return true;
}

/* The children of /proc/sys's directory node sysdir, at positions 2, 3, ... */
static void emit_sysctl(int sysdir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	const char *name;
	uint32_t mode;
	int node;

	for (unsigned i = (unsigned)(*pos - 2); (node = procfs_sysctl_child(sysdir, i, &name, &mode)) >= 0; i++) {
		uint64_t ino = PROC_INO_BASE + (uint64_t)AUX(0, T_SYSCTL, node);
		if (!emit(ctx, name, strlen(name), ino, S_ISDIR(mode) ? DT_DIR : DT_REG, i + 3))
			return;
		*pos = i + 3;
	}
}

struct pid_list {
	int pid[PIDS_MAX];
	long aux[PIDS_MAX]; /* each one's directory: PID_DIR_AUX */
	size_t n;
	int above;
};

static void collect_pid(struct process *p, void *arg)
{
	struct pid_list *l = arg;

	if (p->pid > l->above && l->n < PIDS_MAX) {
		l->pid[l->n] = p->pid;
		l->aux[l->n++] = PID_DIR_AUX(p);
	}
}

static void sort_pids(struct pid_list *l)
{
	for (size_t i = 1; i < l->n; i++)
		for (size_t j = i; j > 0 && l->pid[j - 1] > l->pid[j]; j--) {
			int t = l->pid[j];
			long a = l->aux[j];
			l->pid[j] = l->pid[j - 1];
			l->aux[j] = l->aux[j - 1];
			l->pid[j - 1] = t;
			l->aux[j - 1] = a;
		}
}

/* /proc's PID directories, after its fixed entries, in pid order. */
static int emit_pids(uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct pid_list *l = kmalloc(sizeof(*l));
	char nm[16];

	if (!l)
		return -ENOMEM;
	l->n = 0;
	l->above = *pos > PID_POS_BASE ? (int)(*pos - PID_POS_BASE - 1) : 0;
	process_for_each(collect_pid, l);
	sort_pids(l);
	for (size_t i = 0; i < l->n; i++) {
		int len = ksnprintf(nm, sizeof(nm), "%d", l->pid[i]);
		uint64_t ino = PROC_INO_BASE + (uint64_t)l->aux[i];
		if (!emit(ctx, nm, (size_t)len, ino, DT_DIR, PID_POS_BASE + (uint64_t)l->pid[i] + 1))
			break;
		*pos = PID_POS_BASE + (uint64_t)l->pid[i] + 1;
	}
	kfree(l);
	return 0;
}

/* /proc/PID/fd (links) or fdinfo (files, table T_FDINFO): one entry per
 * open descriptor, at position fd + 2. */
static int emit_fds(struct process *p, int table, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	unsigned dt = table == T_FDINFO ? DT_REG : DT_LNK;
	char nm[8];

	for (uint64_t fd = *pos - 2; p->files && fd < (uint64_t)p->files->size && fd < AUX_INDEX_LIMIT;
	     fd++) {
		if (!fd_is_open(p->files, (int)fd))
			continue;
		int len = ksnprintf(nm, sizeof(nm), "%d", (int)fd);
		uint64_t ino = PROC_INO_BASE + (uint64_t)AUX(p->pid, table, fd);
		if (!emit(ctx, nm, (size_t)len, ino, dt, fd + 3))
			return 0;
		*pos = fd + 3;
	}
	return 0;
}

/* /proc/PID/ns: the namespace links, entry e at position e + 2. */
static void emit_ns(struct process *p, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	for (uint64_t e = *pos - 2; e < NS_ENTRIES; e++) {
		const char *n = nsfs_entry_name((int)e);
		uint64_t ino = PROC_INO_BASE + (uint64_t)AUX(p->pid, T_NS, e);
		if (!emit(ctx, n, strlen(n), ino, DT_LNK, e + 3))
			return;
		*pos = e + 3;
	}
}

/* /proc/PID/task: p's live threads in tid order, thread tid at position
 * tid + 3 (so a thread that exits between two reads moves nothing). */
static void emit_threads(struct process *p, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	char nm[16];

	for (;;) {
		const struct thread *next = NULL;
		for (const struct thread *t = p->threads; t; t = t->group_next)
			if ((uint64_t)t->tid + 3 > *pos && (!next || t->tid < next->tid))
				next = t;
		if (!next)
			return;
		int len = ksnprintf(nm, sizeof(nm), "%d", next->tid);
		uint64_t ino = PROC_INO_BASE + (uint64_t)AUX(next->tid, T_TID_DIR, 0);
		if (!emit(ctx, nm, (size_t)len, ino, DT_DIR, (uint64_t)next->tid + 3))
			return;
		*pos = (uint64_t)next->tid + 3;
	}
}

static int proc_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	int table = AUX_TABLE(dir->aux);

	if (!vfs_emit_dots(dir, pos, emit, ctx))
		return 0;
	if (table == T_ROOT) {
		if (*pos < PID_POS_BASE && !emit_table(root_entries, N_ROOT, 0, T_ROOT_ENTRY, pos,
							emit, ctx))
			return 0;
		if (*pos < PID_POS_BASE && !emit_nodes(-1, N_ROOT + 2, pos, emit, ctx))
			return 0;
		if (*pos < PID_POS_BASE)
			*pos = PID_POS_BASE;
		return emit_pids(pos, emit, ctx);
	}
	if (table == T_NODE && AUX_INDEX(dir->aux) == NODE_SYS) {
		emit_sysctl(SYSCTL_DIR_ROOT, pos, emit, ctx);
		return 0;
	}
	if (table == T_SYSCTL) {
		emit_sysctl(AUX_INDEX(dir->aux), pos, emit, ctx);
		return 0;
	}
	if (table == T_NODE) {
		emit_nodes(AUX_INDEX(dir->aux), 2, pos, emit, ctx);
		return 0;
	}
	struct process *p = proc_of(dir);
	if (!p)
		return -ENOENT;
	if (table == T_PID_DIR)
		emit_table(pid_entries, N_PID, p->pid, T_PID_ENTRY, pos, emit, ctx);
	else if (table == T_TASK_DIR)
		emit_threads(p, pos, emit, ctx);
	else if (table == T_TID_DIR)
		emit_table(task_entries, N_TASK, AUX_PID(dir->aux), T_TID_ENTRY, pos, emit, ctx);
	else if (table == T_FD_DIR)
		emit_fds(p, T_FD, pos, emit, ctx);
	else if (table == T_FDINFO_DIR)
		emit_fds(p, T_FDINFO, pos, emit, ctx);
	else if (table == T_NS_DIR)
		emit_ns(p, pos, emit, ctx);
	return 0;
}

/* ---------------------------------------------------------------- symlinks */

static long copy_link(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n > cap)
		n = cap;
	memcpy(buf, s, n);
	return (long)n;
}

static long link_self(struct process *p, char *buf, size_t cap)
{
	char nm[16];

	if (!p)
		return -ENOENT;
	ksnprintf(nm, sizeof(nm), "%d", p->pid);
	return copy_link(buf, cap, nm);
}

static long link_net(struct process *p, char *buf, size_t cap)
{
	(void)p;
	return copy_link(buf, cap, "self/net");
}

/* /proc/thread-self: the calling thread's directory, "PID/task/TID". */
static long link_thread_self(struct process *p, char *buf, size_t cap)
{
	char nm[32];

	if (!p)
		return -ENOENT;
	ksnprintf(nm, sizeof(nm), "%d/task/%d", p->pid, current_thread()->tid);
	return copy_link(buf, cap, nm);
}

/* /proc/PID/root: the process's root directory (chroot's): "/" without
 * one or when the reader has the same root, else its path as
 * vfs_path_of gives it. */
static long link_root(struct process *p, char *buf, size_t cap)
{
	if (p->state != PROC_ALIVE)
		return -ENOENT;
	if (!p->root || p->root == current_process()->root)
		return copy_link(buf, cap, "/");
	return link_dir(p->root, buf, cap);
}

/* /proc/PID/environ: the environment exec gave the program, as it is
 * in its memory now (NUL-separated strings; what a program changed in
 * place shows, as on Linux). Nothing for a process without memory. */
static void show_pid_environ(struct sbuf *s, struct process *p)
{
	uint64_t at = p->layout.env_start, end = p->layout.env_end;

	if (!p->vm || p->state != PROC_ALIVE || end <= at)
		return;
	size_t n = end - at;
	if (n > s->cap - s->len)
		n = s->cap - s->len;
	if (uvm_access_forced(p->vm, at, s->buf + s->len, n, false) == 0)
		s->len += n;
}

/* /proc/PID/auxv: the auxiliary vector exec gave the program, as binary
 * (type, value) pairs of 8 bytes each, AT_NULL's last. */
static void show_pid_auxv(struct sbuf *s, struct process *p)
{
	sb_bytes(s, p->layout.auxv, p->layout.auxv_words * sizeof(p->layout.auxv[0]));
}

/* /proc/devices: the device numbers Kestrel's drivers answer to, in
 * Linux's format and with Linux's names (drivers/char/mem.c's "mem",
 * the tty layer's, devpts's "pts"; sd, virtblk and blkext). */
static void show_devices(struct sbuf *s, struct process *p)
{
	static const struct { int major; const char *name; } chr[] = {
		{ MEM_MAJOR, "mem" }, { TTY_MAJOR, "/dev/vc/0" }, { TTY_MAJOR, "tty" },
		{ TTYAUX_MAJOR, "/dev/tty" }, { TTYAUX_MAJOR, "/dev/console" }, { TTYAUX_MAJOR, "/dev/ptmx" },
		{ UNIX98_PTY_SLAVE_MAJOR, "pts" },
	}, blk[] = {
		{ BLK_MAJOR_SD, "sd" }, { BLK_MAJOR_VIRTIO, "virtblk" }, { BLK_MAJOR_NVME, "blkext" },
	};

	(void)p;
	sb_printf(s, "Character devices:\n");
	for (size_t i = 0; i < sizeof(chr) / sizeof(chr[0]); i++)
		sb_printf(s, "%3d %s\n", chr[i].major, chr[i].name);
	sb_printf(s, "\nBlock devices:\n");
	for (size_t i = 0; i < sizeof(blk) / sizeof(blk[0]); i++)
		sb_printf(s, "%3d %s\n", blk[i].major, blk[i].name);
}

static long link_mounts(struct process *p, char *buf, size_t cap)
{
	(void)p;
	return copy_link(buf, cap, "self/mounts");
}

/* A directory's link text: its path from the root (vfs_path_of). */
static long link_dir(struct inode *dir, char *buf, size_t cap)
{
	char *tmp = kmalloc(PATH_MAX);
	long n;

	if (!tmp)
		return -ENOMEM;
	n = vfs_path_of(dir, tmp, PATH_MAX);
	if (n >= 0)
		n = copy_link(buf, cap, tmp);
	kfree(tmp);
	return n;
}

static long link_cwd(struct process *p, char *buf, size_t cap)
{
	if (p->state != PROC_ALIVE || !p->cwd)
		return -ENOENT; /* a zombie has let go of its directory */
	return link_dir(p->cwd, buf, cap);
}

/* What a descriptor's link shows: a directory's path, the device for a
 * device node, "pipe:[N]" for a pipe, else the inode as Linux shows
 * anonymous files. */
static long link_fd(struct process *p, int fd, char *buf, size_t cap)
{
	struct file *f = fd_get(p->files, fd);
	char tmp[NAME_MAX + 16]; /* "/memfd:NAME (deleted)" at most */
	long n;

	if (!f)
		return -ENOENT;
	struct inode *ip = f->inode;
	if (ip && S_ISDIR(ip->mode)) {
		char *path = kmalloc(PATH_MAX);
		n = path ? vfs_path_of(ip, path, PATH_MAX) : -ENOMEM;
		if (n >= 0)
			n = copy_link(buf, cap, path);
		kfree(path);
		file_put(f);
		return n;
	}
	if (f->path) { /* a FIFO: the path it was opened by */
		n = copy_link(buf, cap, f->path);
		file_put(f);
		return n;
	}
	if (ip && S_ISREG(ip->mode) && ip->nlink == 0 && ip->name) /* memfd_create's */
		ksnprintf(tmp, sizeof(tmp), "/%s (deleted)", ip->name);
	else if (!ip && f->ops && f->ops->dname)
		f->ops->dname(f, tmp, sizeof(tmp));
	else if (!ip && f->ops && f->ops->anon_name)
		ksnprintf(tmp, sizeof(tmp), "anon_inode:%s", f->ops->anon_name);
	else if (!ip)
		ksnprintf(tmp, sizeof(tmp), "pipe:[%lu]", (unsigned long)pipe_ino(f));
	else if (S_ISCHR(ip->mode) && ip->rdev == RDEV(TTYAUX_MAJOR, PTMX_MINOR))
		ksnprintf(tmp, sizeof(tmp), "/dev/ptmx");
	else if (S_ISCHR(ip->mode) && RDEV_MAJOR(ip->rdev) == TTYAUX_MAJOR)
		ksnprintf(tmp, sizeof(tmp), "/dev/%s", RDEV_MINOR(ip->rdev) ? "console" : "tty");
	else if (S_ISCHR(ip->mode) && RDEV_MAJOR(ip->rdev) == UNIX98_PTY_SLAVE_MAJOR)
		ksnprintf(tmp, sizeof(tmp), "/dev/pts/%u", RDEV_MINOR(ip->rdev));
	else
		ksnprintf(tmp, sizeof(tmp), "%s:[%lu]", ip->fs->name, ip->ino);
	file_put(f);
	return copy_link(buf, cap, tmp);
}

/* Linux's proc_ns_get_link and proc_ns_readlink: another process's
 * namespaces are the caller's to see only if it may trace it
 * (PTRACE_MODE_READ_FSCREDS, which without an LSM asks what ATTACH asks). */
static int ns_link_access(struct process *p)
{
	if (!p)
		return -ENOENT;
	return p == current_process() || ptrace_may_access_fscreds(p) ? 0 : -EACCES;
}

static int proc_readlink(struct inode *ip, char *buf, size_t cap)
{
	struct process *p = proc_of(ip);

	if (AUX_TABLE(ip->aux) == T_FD)
		return p ? (int)link_fd(p, AUX_INDEX(ip->aux), buf, cap) : -ENOENT;
	if (AUX_TABLE(ip->aux) == T_NS) {
		char tmp[48];
		int err = ns_link_access(p);
		if (err)
			return err;
		nsfs_link_text(AUX_INDEX(ip->aux), tmp, sizeof(tmp));
		return (int)copy_link(buf, cap, tmp);
	}
	const struct proc_entry *e = entry_of(ip->aux);
	if (!e || !e->link)
		return -EINVAL;
	if (!p)
		return -ENOENT;
	return (int)e->link(p, buf, cap);
}

/* Linux jumps to what fd/N, exe, cwd and root stand for (proc_fd_link,
 * proc_exe_link, proc_cwd_link, proc_root_link); Kestrel follows the
 * last three by their text. */
static bool proc_magic(const struct inode *ip)
{
	if (AUX_TABLE(ip->aux) == T_FD || AUX_TABLE(ip->aux) == T_NS)
		return true;
	const struct proc_entry *e = entry_of(ip->aux);
	return e && (e->link == link_exe || e->link == link_cwd || e->link == link_root);
}

/* /proc/PID/fd/N leads to the open file's own inode, whatever its name. */
static int proc_follow(struct inode *ip, struct inode **out)
{
	struct process *p = proc_of(ip);

	if (AUX_TABLE(ip->aux) == T_NS) { /* ns/NAME leads to its namespace's nsfs inode */
		int err = ns_link_access(p);
		return err ? err : nsfs_inode(AUX_INDEX(ip->aux), out);
	}
	if (AUX_TABLE(ip->aux) != T_FD)
		return -ENOSYS; /* the other links go by their text */
	struct file *f = p ? fd_get(p->files, AUX_INDEX(ip->aux)) : NULL;
	if (!f)
		return -ENOENT;
	*out = inode_get(f->inode);
	file_put(f);
	return *out ? 0 : -ENXIO; /* pipes have no inode to reopen */
}

/* ---------------------------------------------------------------- /proc/PID/exe */

/* The program each process runs is kept on the process (p->exe_path,
 * recorded by exec), so a release costs the same with any number of
 * processes. */
void procfs_forget(struct process *p)
{
	kfree(p->exe_path);
	p->exe_path = NULL;
}

char *procfs_exchange_exe(struct process *p, char *path)
{
	char *old = p->exe_path;

	p->exe_path = path;
	return old;
}

/* Without a note (exec did not record one), the best guess: a forked
 * child runs what its nearest recorded ancestor ran; failing that,
 * argv[0] if it is a path. */
static long guess_exe(struct process *p, char *buf, size_t cap)
{
	char *abs;
	long n = -ENOENT;

	for (struct process *a = p->parent; a; a = a->parent)
		if (a->exe_path)
			return copy_link(buf, cap, a->exe_path);
	if (!p->cmdline_len || !memchr(p->cmdline, '/', strnlen(p->cmdline, sizeof(p->cmdline))))
		return -ENOENT;
	if (!(abs = kmalloc(PATH_MAX)))
		return -ENOMEM;
	char arg0[sizeof(p->cmdline)];
	strlcpy(arg0, p->cmdline, sizeof(arg0));
	if (vfs_realpath(arg0, abs) >= 0)
		n = copy_link(buf, cap, abs);
	kfree(abs);
	return n;
}

static long link_exe(struct process *p, char *buf, size_t cap)
{
	return p->exe_path ? copy_link(buf, cap, p->exe_path) : guess_exe(p, buf, cap);
}

/* ---------------------------------------------------------------- files */

/* An open /proc file: the text generated at open, and again by a read
 * from offset 0 after the first (Linux's seq_read starts over there: a
 * monitor that keeps the file open and reads it from the start sees
 * the state now). */
struct snapshot {
	size_t len;
	bool seek_end;  /* SEEK_END allowed (Linux's generic_llseek: cmdline);
	                 * else seq_lseek's SEEK_SET and SEEK_CUR only */
	bool regen;     /* proc_open's kind: generate_text can make it again */
	bool read;      /* a read happened: one from 0 generates it again */
	bool mounts;    /* /proc/mounts or mountinfo: poll says POLLPRI after a change */
	unsigned mount_event; /* ...since this value of vfs_mount_event */
	char text[];
};

static int generate_text(struct inode *ip, struct sbuf *sb);
static struct snapshot *snapshot_of(struct sbuf *sb, bool seek_end);

/* A read from 0 after the first: the text generated anew (kept as it
 * was when that fails: out of memory, or the process gone). */
static void snap_refresh(struct file *f)
{
	struct snapshot *old = f->priv, *s;
	struct sbuf sb;

	if (generate_text(f->inode, &sb) || !(s = snapshot_of(&sb, old->seek_end)))
		return;
	s->regen = true;
	s->mounts = old->mounts;
	s->mount_event = old->mount_event;
	f->priv = s;
	kfree(old);
}

static long snap_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	struct snapshot *s = f->priv;

	if (*pos == 0 && s->regen && s->read)
		snap_refresh(f);
	s = f->priv;
	s->read = true;
	return vfs_read_text(s->text, s->len, b, n, pos);
}

static long snap_lseek(struct file *f, int64_t off, int whence)
{
	const struct snapshot *s = f->priv;

	if (whence == SEEK_END && !s->seek_end)
		return -EINVAL; /* a seq_file's text has no end until it is read */
	return vfs_seek_pos(f, off, whence, s->len);
}

/* /proc/mounts and mountinfo: readable, and POLLERR | POLLPRI once
 * after each change of the mount table (Linux's mounts_poll). */
static unsigned snap_poll(struct file *f)
{
	struct snapshot *s = f->priv;
	unsigned now = vfs_mount_event();

	if (!s->mounts || s->mount_event == now)
		return POLLIN;
	s->mount_event = now;
	return POLLIN | POLLERR | POLLPRI;
}

static void snap_release(struct file *f)
{
	kfree(f->priv);
}

/* A snapshot file has no poll method (Linux's seq_files: epoll_ctl says
 * EPERM, poll(2) always ready), but /proc/mounts and mountinfo, whose
 * poll tells of mount-table changes. */
static const struct file_ops snap_ops = {
	.read = snap_read,
	.lseek = snap_lseek,
	.release = snap_release,
	.kernel_io = KERNEL_IO_READ,
};
static const struct file_ops snap_mounts_ops = {
	.read = snap_read,
	.lseek = snap_lseek,
	.poll = snap_poll,
	.release = snap_release,
	.kernel_io = KERNEL_IO_READ,
};

/* /proc/PID/fdinfo/N, as Linux's seq_show: the position, the status
 * flags in octal (O_CLOEXEC for close-on-exec), mount id and inode. */
static void show_fdinfo(struct sbuf *s, struct process *p, int fd)
{
	struct file *f = fd_get(p->files, fd);

	if (!f)
		return; /* closed since the lookup: empty, as a race on Linux may give ENOENT */
	unsigned flags = f->flags | (fd_cloexec(p->files, fd) ? O_CLOEXEC : 0);
	const struct mount *m = f->inode ? vfs_mount_by_fs(f->inode->fs) : NULL;
	/* the id mountinfo shows (a file of no mount: its file system's number, as before) */
	unsigned mnt_id = m ? m->id : f->inode ? f->inode->fs->dev : 0;
	sb_printf(s, "pos:\t%lu\nflags:\t0%o\nmnt_id:\t%u\nino:\t%lu\n", (unsigned long)f->pos,
		  flags, mnt_id, f->inode ? (unsigned long)f->inode->ino : 0ul);
	if (inotify_is(f))
		inotify_fdinfo(f, s);
	file_put(f);
}

/* /proc/bus/pci/devices: the PCI core writes it in Linux's format. */
static void show_pci_devices(struct sbuf *s, struct process *p)
{
	size_t room = s->cap - s->len, n = pci_format_devices(s->buf + s->len, room);

	(void)p;
	s->len += n < room ? n : room;
}

/* /proc/partitions: the block layer writes it in Linux's format. */
static void show_partitions(struct sbuf *s, struct process *p)
{
	size_t room = s->cap - s->len, n = blkdev_format_partitions(s->buf + s->len, room);

	(void)p;
	s->len += n < room ? n : room;
}

/* The text generated into sb (freed here) as a snapshot of its exact
 * size, or NULL when out of memory. */
static struct snapshot *snapshot_of(struct sbuf *sb, bool seek_end)
{
	struct snapshot *s = kzalloc(sizeof(*s) + sb->len);

	if (s) {
		s->len = sb->len;
		s->seek_end = seek_end;
		memcpy(s->text, sb->buf, sb->len);
	}
	kfree(sb->buf);
	return s;
}

/* Make f read the text generated into sb (freed here). 0 or -ENOMEM. */
static int snapshot_open(struct file *f, struct sbuf *sb, bool seek_end)
{
	struct snapshot *s = snapshot_of(sb, seek_end);

	if (!s)
		return -ENOMEM;
	f->ops = &snap_ops;
	f->priv = s;
	return 0;
}

/* /proc/PID/task/TID/<file>: the thread's file, generated now. */
static int open_task_file(struct inode *ip, struct process *p, struct file *f)
{
	int tid = AUX_PID(ip->aux);
	struct process *owner = NULL;
	struct thread *t = process_find_thread(tid, &owner);
	struct sbuf sb = { NULL, SHOW_BUF, 0 };

	if (!t || owner != p || (unsigned)AUX_INDEX(ip->aux) >= N_TASK)
		return -ENOENT;
	if (!task_show[AUX_INDEX(ip->aux)])
		return -ENXIO; /* a link */
	if (!(sb.buf = kmalloc(sb.cap)))
		return -ENOMEM;
	task_show[AUX_INDEX(ip->aux)](&sb, p, t, tid);
	return snapshot_open(f, &sb, false);
}

/* Generate the file's text now, into a snapshot of its exact size. */
static int proc_open(struct inode *ip, struct file *f)
{
	if (S_ISDIR(ip->mode)) {
		f->ops = &dir_file_ops_seek_end; /* Linux: generic_file_llseek */
		return 0;
	}
	bool fdinfo = AUX_TABLE(ip->aux) == T_FDINFO;
	const struct proc_entry *e = entry_of(ip->aux);
	struct process *p = proc_of(ip);
	if (AUX_PID(ip->aux) && !p)
		return -ENOENT;
	if (AUX_TABLE(ip->aux) == T_PID_ENTRY && (strcmp(e->name, "mem") == 0 || strcmp(e->name, "pagemap") == 0))
		return procfs_mem_open(p, f, e->name[0] == 'p');
	if (AUX_TABLE(ip->aux) == T_SYSCTL)
		return procfs_sysctl_open(AUX_INDEX(ip->aux), f);
	if (AUX_TABLE(ip->aux) == T_ROOT_ENTRY && strcmp(e->name, "sysrq-trigger") == 0)
		return procfs_sysrq_open(f);
	if (AUX_TABLE(ip->aux) == T_ROOT_ENTRY && strcmp(e->name, "profile") == 0)
		return procfs_profile_open(f);
	if (AUX_TABLE(ip->aux) == T_TID_ENTRY)
		return open_task_file(ip, p, f);
	if (!fdinfo && (!e || !e->show))
		return -ENXIO;
	struct sbuf sb;
	int err = generate_text(ip, &sb);
	if (err || (err = snapshot_open(f, &sb, !fdinfo && e->show == show_pid_cmdline)))
		return err;
	struct snapshot *s = f->priv;
	s->regen = true;
	s->mounts = !fdinfo && (e->show == show_mounts || e->show == show_mountinfo);
	s->mount_event = vfs_mount_event();
	if (s->mounts)
		f->ops = &snap_mounts_ops;
	return 0;
}

/* Room for p's environment (at least 1 byte: a buffer is allocated). */
static size_t environ_buf_size(const struct process *p)
{
	uint64_t n = p->layout.env_end > p->layout.env_start ? p->layout.env_end - p->layout.env_start : 1;
	return n < ENVIRON_MAX ? (size_t)n : ENVIRON_MAX;
}

/* The text of ip, one of proc_open's files that a show function or
 * fdinfo generates, into sb (a buffer of its own): 0, -ENOENT (its
 * process is gone), -ENOMEM. */
static int generate_text(struct inode *ip, struct sbuf *sb)
{
	bool fdinfo = AUX_TABLE(ip->aux) == T_FDINFO;
	const struct proc_entry *e = entry_of(ip->aux);
	struct process *p = proc_of(ip);
	if (AUX_PID(ip->aux) && !p)
		return -ENOENT;
	size_t cap = !fdinfo && e->show == show_pid_maps ? maps_buf_size(p)
		   : !fdinfo && e->show == show_pid_smaps ? smaps_buf_size(p)
		   : !fdinfo && e->show == show_cpuinfo ? cpuinfo_buf_size()
		   : !fdinfo && e->show == show_interrupts ? interrupts_buf_size()
		   : !fdinfo && e->show == show_klock_stat ? klock_stat_buf_size()
		   : !fdinfo && e->show == show_kallsyms ? kallsyms_buf_size()
		   : !fdinfo && e->show == show_profile_syscalls ? profile_syscalls_buf_size()
		   : !fdinfo && e->show == show_pid_environ ? environ_buf_size(p)
		   : AUX_TABLE(ip->aux) == T_NODE && (node_parent[AUX_INDEX(ip->aux)] == NODE_NET ||
						      node_parent[AUX_INDEX(ip->aux)] == NODE_SYSVIPC) ? NET_SHOW_BUF
		   : SHOW_BUF;
	*sb = (struct sbuf){ kmalloc(cap), cap, 0 };
	if (!sb->buf)
		return -ENOMEM;
	if (fdinfo)
		show_fdinfo(sb, p, AUX_INDEX(ip->aux));
	else
		e->show(sb, p);
	return 0;
}

/* Sizes as stat shows them: 0 for generated files, as on Linux. */
static const struct inode_ops proc_ops = {
	.lookup = proc_lookup,
	.iterate = proc_iterate,
	.readlink = proc_readlink,
	.follow = proc_follow,
	.magic = proc_magic,
	.open = proc_open,
};

int procfs_pid_dir(const struct file *f, struct process **out)
{
	const struct inode *ip = f->inode;

	*out = NULL;
	if (!ip || ip->fs != &procfs_fs || AUX_TABLE(ip->aux) != T_PID_DIR)
		return 0;
	*out = aux_process(ip->aux);
	return AUX_PID(ip->aux);
}

void procfs_mount(struct inode *dir)
{
	proc_root = inode_alloc(&procfs_fs, &proc_ops, S_IFDIR | 0555);
	if (!proc_root)
		return;
	proc_root->aux = AUX(0, T_ROOT, 0);
	proc_root->ino = 1;
	proc_root->nlink = 2;
	proc_root->parent = inode_get(dir->parent);
	proc_root->name = kmalloc(sizeof("proc"));
	if (proc_root->name)
		memcpy(proc_root->name, "proc", sizeof("proc"));
	dir->mounted = proc_root; /* the mount's reference: proc_root's first */
}
