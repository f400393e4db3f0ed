// SPDX-License-Identifier: MIT
/*
 * Kestrel: /sys, the few of Linux's sysfs files programs read: which
 * CPUs there are (glibc's get_nprocs reads devices/system/cpu/online).
 * A fixed tree, drawn once in the table below; as in /proc, every inode
 * is made by a lookup and freed with its last reference.
 *
 *   /sys/devices/system/cpu/{online, possible, present, kernel_max, offline}
 *   /sys/devices/system/cpu/cpuN/{online, topology/}: each online CPU,
 *       made by fs/sysfs_cpu.c (what glibc's sysconf and lscpu count)
 *   /sys/bus/pci/devices/ and /sys/devices/pci0000:00/: the PCI functions,
 *       made from the PCI list by fs/sysfs_pci.c (what busybox lspci reads)
 *   /sys/firmware/efi/efivars/: the firmware's variables, read-only, made
 *       by fs/sysfs_efivars.c (what Linux's efivarfs shows)
 *   /sys/class/net/ and /sys/devices/virtual/net/: the network interfaces,
 *       made from the device list by fs/sysfs_net.c (what ifplugd and
 *       networkd read)
 *   /sys/kernel, /sys/fs (empty)
 *
 * Nothing can be created, linked, renamed or removed here (the VFS
 * answers as Linux does for a file system without those operations);
 * the files are read-only and, as sysfs attributes, a page long to stat
 * and lseek.
 */
#include "fs/inode.h"
#include "fs/sysfs_cpu.h"
#include "fs/sysfs_pci.h"
#include "fs/sysfs_efivars.h"
#include "fs/sysfs_net.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/iobuf.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/stat.h"

#define SYSFS_MAGIC    0x62656572u  /* statfs f_type, Linux's SYSFS_MAGIC */
#define SYSFS_DEV      20
#define SYSFS_INO_BASE 1            /* the root's; node i is SYSFS_INO_BASE + i */
#define ATTR_SIZE      4096         /* a sysfs attribute's st_size (PAGE_SIZE) */
#define ROOT           0

const struct fs_info sysfs_fs = { .name = "sysfs", .dev = SYSFS_DEV, .magic = SYSFS_MAGIC };

/* One node of the tree: its parent's index, and a file's text, or
 * CPU_LIST for the CPUs online now (KERNEL_MAX, OFFLINE: the other texts
 * sysfs_cpu_text writes). Kestrel's CPUs are numbered densely from 0 and
 * never go offline, so online, possible and present are one list. */
struct sys_node {
	const char *name;
	uint32_t mode;
	int parent;
	const char *text;
};
static const char CPU_LIST[] = "(the online CPUs)";
static const char KERNEL_MAX[] = "(the highest CPU number)";
static const char OFFLINE[] = "(no CPU)";

static const struct sys_node nodes[] = {
	[ROOT] = { "sys", S_IFDIR | 0555, ROOT, NULL },
	[1] = { "devices", S_IFDIR | 0755, ROOT, NULL },
	[2] = { "system", S_IFDIR | 0755, 1, NULL },
	[3] = { "cpu", S_IFDIR | 0755, 2, NULL },
	[4] = { "online", S_IFREG | 0444, 3, CPU_LIST },
	[5] = { "possible", S_IFREG | 0444, 3, CPU_LIST },
	[6] = { "present", S_IFREG | 0444, 3, CPU_LIST },
	[7] = { "kernel", S_IFDIR | 0755, ROOT, NULL },
	[8] = { "fs", S_IFDIR | 0755, ROOT, NULL },
	[9] = { "bus", S_IFDIR | 0755, ROOT, NULL },
	[10] = { "pci", S_IFDIR | 0755, 9, NULL },
	[11] = { "devices", S_IFDIR | 0755, 10, NULL },   /* PCI_LINKS_DIR */
	[12] = { "pci0000:00", S_IFDIR | 0755, 1, NULL }, /* PCI_ROOT_DIR */
	[13] = { "firmware", S_IFDIR | 0755, ROOT, NULL },
	[14] = { "efi", S_IFDIR | 0755, 13, NULL },
	[15] = { "efivars", S_IFDIR | 0755, 14, NULL },   /* EFIVARS_DIR */
	[16] = { "drivers", S_IFDIR | 0755, 10, NULL },   /* PCI_DRIVERS_DIR */
	[17] = { "kernel_max", S_IFREG | 0444, 3, KERNEL_MAX },
	[18] = { "offline", S_IFREG | 0444, 3, OFFLINE },
	[19] = { "class", S_IFDIR | 0755, ROOT, NULL },
	[20] = { "net", S_IFDIR | 0755, 19, NULL },       /* NET_CLASS_DIR */
	[21] = { "virtual", S_IFDIR | 0755, 1, NULL },
	[22] = { "net", S_IFDIR | 0755, 21, NULL },       /* NET_VIRTUAL_DIR */
};
#define N_NODES ((int)(sizeof(nodes) / sizeof(nodes[0])))
#define PCI_LINKS_DIR 11
#define PCI_ROOT_DIR  12
#define PCI_DRIVERS_DIR 16
#define EFIVARS_DIR   15
#define CPU_DIR       3
#define NET_CLASS_DIR 20
#define NET_VIRTUAL_DIR 22

/* Node i of the table as an entry. */
static void table_entry(int i, struct sysfs_entry *e)
{
	ksnprintf(e->name, sizeof(e->name), "%s", nodes[i].name);
	e->mode = nodes[i].mode;
	e->aux = i;
	e->size = S_ISDIR(nodes[i].mode) ? 0 : ATTR_SIZE;
}

/* Which PCI directory the directory aux is, for sysfs_pci_child; 0
 * when it has no PCI children. */
static long pci_dir_of(long aux)
{
	if (aux == PCI_LINKS_DIR)
		return SYSFS_PCI_LINKS;
	if (aux == PCI_ROOT_DIR)
		return SYSFS_PCI_ROOT;
	if (aux == PCI_DRIVERS_DIR)
		return SYSFS_PCI_DRIVERS;
	return aux >= SYSFS_PCI_BASE ? aux : 0;
}

/* Which CPU directory the directory aux is, for sysfs_cpu_child; 0 when
 * it has no CPU children. */
static long cpu_dir_of(long aux)
{
	if (aux == CPU_DIR)
		return SYSFS_CPU_TOP;
	return sysfs_cpu_is(aux) ? aux : 0;
}

/* Which network directory the directory aux is, for sysfs_net_child; 0
 * when it has no network children. */
static long net_dir_of(long aux)
{
	if (aux == NET_CLASS_DIR)
		return SYSFS_NET_CLASS;
	if (aux == NET_VIRTUAL_DIR)
		return SYSFS_NET_VIRTUAL;
	return sysfs_net_is(aux) ? aux : 0;
}

static const struct inode_ops sys_ops;

/* A new transient inode for entry e under dir (a directory keeps a
 * reference to dir and its name, for ".." and getcwd). NULL: no memory. */
static struct inode *sys_inode(struct inode *dir, const struct sysfs_entry *e)
{
	struct inode *ip = inode_alloc(&sysfs_fs, &sys_ops, e->mode);

	if (!ip)
		return NULL;
	ip->aux = e->aux;
	ip->transient = true;
	ip->ino = SYSFS_INO_BASE + (uint64_t)e->aux;
	ip->nlink = S_ISDIR(e->mode) ? 2 : 1;
	ip->size = e->size;
	if (S_ISDIR(e->mode)) {
		size_t len = strlen(e->name);
		if (!(ip->name = kmalloc(len + 1))) {
			kfree(ip);
			return NULL;
		}
		memcpy(ip->name, e->name, len + 1);
		ip->parent = inode_get(dir);
	}
	return ip;
}

/* Child number k of dir: the table's nodes first (a table node that is
 * not dir's child is a gap: 0), then the CPU or PCI nodes. 1 with *e
 * filled, 0 for a gap, -1 past the last. */
static int child_at(long dir, uint64_t k, struct sysfs_entry *e)
{
	if (k < (uint64_t)N_NODES) {
		if (k == ROOT || dir >= N_NODES || nodes[k].parent != dir)
			return 0;
		table_entry((int)k, e);
		return 1;
	}
	long net = net_dir_of(dir);
	if (net)
		return k - N_NODES <= UINT32_MAX && sysfs_net_child(net, (unsigned)(k - N_NODES), e) ? 1 : -1;
	long cpu = cpu_dir_of(dir);
	if (cpu)
		return k - N_NODES <= UINT32_MAX && sysfs_cpu_child(cpu, (unsigned)(k - N_NODES), e) ? 1 : -1;
	long pci = pci_dir_of(dir);
	if (!pci || k - N_NODES > UINT32_MAX)
		return -1;
	return sysfs_pci_child(pci, (unsigned)(k - N_NODES), e) ? 1 : -1;
}

static int sys_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct sysfs_entry e;
	int found;

	if (dir->aux == EFIVARS_DIR)
		return sysfs_efivars_lookup(dir, name, len, out);

	for (uint64_t k = 0; (found = child_at(dir->aux, k, &e)) >= 0; k++) {
		if (!found || strlen(e.name) != len || memcmp(e.name, name, len) != 0)
			continue;
		*out = sys_inode(dir, &e);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static unsigned dirent_type(uint32_t mode)
{
	return S_ISDIR(mode) ? DT_DIR : S_ISLNK(mode) ? DT_LNK : DT_REG;
}

/* ".", "..", then dir's children: child k at position k + 2. */
static int sys_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct sysfs_entry e;
	int found;

	if (dir->aux == EFIVARS_DIR)
		return sysfs_efivars_iterate(dir, pos, emit, ctx);

	if (!vfs_emit_dots(dir, pos, emit, ctx))
		return 0;
	for (uint64_t k = *pos - 2; (found = child_at(dir->aux, k, &e)) >= 0; k++) {
		if (!found)
			continue;
		if (!emit(ctx, e.name, strlen(e.name), SYSFS_INO_BASE + (uint64_t)e.aux,
			  dirent_type(e.mode), k + 3))
			return 0;
		*pos = k + 3;
	}
	return 0;
}

/* Read the node's text from *pos (0 past its end). */
static long attr_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	if (sysfs_net_is(f->inode->aux))
		return sysfs_net_read(f->inode->aux, b, n, pos);
	if (f->inode->aux >= SYSFS_PCI_BASE)
		return sysfs_pci_read(f->inode->aux, b, n, pos);
	if (sysfs_cpu_is(f->inode->aux))
		return sysfs_cpu_read(f->inode->aux, b, n, pos);
	const char *text = nodes[f->inode->aux].text;
	char generated[24];

	if (text == CPU_LIST || text == KERNEL_MAX || text == OFFLINE) {
		sysfs_cpu_text(text == CPU_LIST ? SYSFS_CPU_TEXT_LIST : text == KERNEL_MAX ?
			       SYSFS_CPU_TEXT_KERNEL_MAX : SYSFS_CPU_TEXT_OFFLINE, generated, sizeof(generated));
		text = generated;
	}
	return vfs_read_text(text, strlen(text), b, n, pos);
}

/* Linux's kernfs seeks as generic_file_llseek, from the page-long size. */
static long attr_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, f->inode->size);
}

static unsigned attr_poll(struct file *f)
{
	(void)f;
	return POLLIN;
}

static const struct file_ops attr_ops = {
	.read = attr_read,
	.lseek = attr_lseek,
	.poll = attr_poll,
	.kernel_io = KERNEL_IO_READ,
};

static int sys_open(struct inode *ip, struct file *f)
{
	f->ops = S_ISDIR(ip->mode) ? &dir_file_ops_seek_end : &attr_ops;
	return 0;
}

static int sys_readlink(struct inode *ip, char *buf, size_t cap)
{
	if (sysfs_net_is(ip->aux))
		return sysfs_net_readlink(ip->aux, buf, cap);
	return sysfs_pci_readlink(ip->aux, buf, cap);
}

static const struct inode_ops sys_ops = {
	.lookup = sys_lookup,
	.iterate = sys_iterate,
	.readlink = sys_readlink,
	.open = sys_open,
};

void sysfs_mount(struct inode *dir)
{
	struct inode *root = inode_alloc(&sysfs_fs, &sys_ops, nodes[ROOT].mode);

	if (!root)
		return;
	root->aux = ROOT;
	root->ino = SYSFS_INO_BASE;
	root->nlink = 2;
	root->parent = inode_get(dir->parent);
	root->name = kmalloc(sizeof("sys"));
	if (root->name)
		memcpy(root->name, "sys", sizeof("sys"));
	dir->mounted = root; /* the mount's reference: the root's first */
}
