// SPDX-License-Identifier: MIT
/*
 * kprof: a QEMU TCG plugin that counts the guest instructions executed at
 * each translation block's start address, for tools/profile.py.
 *
 * Why a plugin and not a sampling timer in the kernel: under TCG every
 * instruction can be counted exactly, interrupts-off code included (a
 * timer sample cannot land where interrupts are masked, and much of the
 * network path runs under spin_lock_irqsave), and the count is what
 * `make bench` measures (guest instructions). It costs the guest nothing:
 * the kernel is the same binary with the plugin or without it.
 *
 * Arguments (QEMU's -plugin FILE,ARG=VALUE,...):
 *   out=PATH    where the counts go (required)
 *   mark=ADDR   a guest address (hex): each time a block starting there
 *               runs, the counts so far are written as one snapshot, so
 *               the caller can take the difference between two marks
 *               (tools/profile.py passes the kernel's sys_sync)
 * The file holds snapshots, each "# mark N" or "# exit" followed by
 * "VADDR INSNS" lines (hex address, decimal count) for every block start
 * that ran. Counts are per start address: a block translated again (a
 * flush, another process's code at the same address) adds to the same one.
 *
 * The ABI: QEMU's plugin interface version 1 (QEMU 7.x, Debian 12's
 * 7.2). Only the few calls below are used; they are declared here rather
 * than taken from qemu-plugin.h, which Debian does not ship.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the plugin ABI this file uses (QEMU_PLUGIN_VERSION 1) ---- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu_index, void *udata);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *udata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
					      uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vcpu_udata_cb cb,
					  enum qemu_plugin_cb_flags flags, void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb, void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#define PLUGIN_API_VERSION 1
__attribute__((visibility("default"))) int qemu_plugin_version = PLUGIN_API_VERSION;

/* ---- the counts: an open-addressing table of block starts ---- */
struct block {
	uint64_t vaddr;
	uint64_t insns; /* added to by the translated code itself (inline) */
};

#define TABLE_MIN (1u << 16)

static struct {
	pthread_mutex_t lock; /* the table's shape; the counts are the guest's */
	struct block **slot;  /* entries never move: the code holds &insns */
	size_t cap, used;
	uint64_t mark;
	unsigned marks;
	FILE *out;
} kp = { .lock = PTHREAD_MUTEX_INITIALIZER };

static size_t hash(uint64_t v, size_t cap)
{
	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static void insert(struct block *b)
{
	size_t i = hash(b->vaddr, kp.cap);
	while (kp.slot[i])
		i = (i + 1) & (kp.cap - 1);
	kp.slot[i] = b;
}

/* Double the table when it is half full. False: out of memory. */
static int grow(void)
{
	struct block **old = kp.slot;
	size_t oldcap = kp.cap;
	size_t cap = oldcap ? oldcap * 2 : TABLE_MIN;
	struct block **slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return 0;
	kp.slot = slot;
	kp.cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			insert(old[i]);
	free(old);
	return 1;
}

/* The block starting at vaddr, made on first sight (NULL: no memory). */
static struct block *find(uint64_t vaddr)
{
	if ((kp.used + 1) * 2 > kp.cap && !grow())
		return NULL;
	size_t i = hash(vaddr, kp.cap);
	for (; kp.slot[i]; i = (i + 1) & (kp.cap - 1))
		if (kp.slot[i]->vaddr == vaddr)
			return kp.slot[i];
	struct block *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->vaddr = vaddr;
	kp.slot[i] = b;
	kp.used++;
	return b;
}

/* Write every count so far under a heading line. */
static void snapshot(const char *heading)
{
	pthread_mutex_lock(&kp.lock);
	fprintf(kp.out, "%s\n", heading);
	for (size_t i = 0; i < kp.cap; i++) {
		const struct block *b = kp.slot[i];
		uint64_t n = b ? __atomic_load_n(&b->insns, __ATOMIC_RELAXED) : 0;
		if (n)
			fprintf(kp.out, "%" PRIx64 " %" PRIu64 "\n", b->vaddr, n);
	}
	fflush(kp.out);
	pthread_mutex_unlock(&kp.lock);
}

static void on_mark(unsigned int vcpu, void *udata)
{
	char heading[32];
	(void)vcpu;
	(void)udata;
	snprintf(heading, sizeof(heading), "# mark %u", ++kp.marks);
	snapshot(heading);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	pthread_mutex_lock(&kp.lock);
	struct block *b = find(vaddr);
	pthread_mutex_unlock(&kp.lock);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->insns,
							 qemu_plugin_tb_n_insns(tb));
	if (kp.mark && vaddr == kp.mark)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	snapshot("# exit");
	fclose(kp.out);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
							      int argc, char **argv)
{
	const char *out = NULL;
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4) == 0)
			out = argv[i] + 4;
		else if (strncmp(argv[i], "mark=", 5) == 0)
			kp.mark = strtoull(argv[i] + 5, NULL, 16);
		else {
			fprintf(stderr, "kprof: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	if (!out || !(kp.out = fopen(out, "w"))) {
		fprintf(stderr, "kprof: needs out=PATH, a file it can write\n");
		return -1;
	}
	if (!grow())
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
