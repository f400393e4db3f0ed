// SPDX-License-Identifier: MIT
/* Kestrel x86_64: ioperm's per-thread bitmaps and iopl's emulated level, loaded into the TSS at each switch. */
#include "arch/x86_64/ioport.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "log.h"

#define INSN_CLI 0xfa
#define INSN_STI 0xfb

/* One ioperm bitmap. Changed only while one thread holds it (refs 1);
 * each change takes a new sequence number, so a CPU's TSS copy is known
 * stale (gdt_io_load). */
struct io_bitmap {
	uint32_t refs;                  /* atomic: the threads holding it */
	uint32_t max;                   /* bytes from the start that may hold a clear bit */
	uint64_t seq;                   /* its contents' number, from io_seq_next */
	uint8_t bits[IO_BITMAP_BYTES];  /* a clear bit allows its port */
};

static uint64_t io_seq_next = 1; /* atomic; 0 means "none" in a CPU's record */

static uint64_t new_seq(void)
{
	return __atomic_fetch_add(&io_seq_next, 1, __ATOMIC_RELAXED);
}

static void bitmap_put(struct io_bitmap *m)
{
	if (m && __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(m);
}

/* A bitmap io may change: its own (copied from a shared one, or a new
 * one denying every port). NULL when out of memory. */
static struct io_bitmap *own_bitmap(struct arch_io *io)
{
	struct io_bitmap *m = io->map;

	if (m && __atomic_load_n(&m->refs, __ATOMIC_ACQUIRE) == 1)
		return m;
	struct io_bitmap *c = kmalloc(sizeof(*c));
	if (!c)
		return NULL;
	if (m)
		memcpy(c, m, sizeof(*c));
	else {
		memset(c->bits, 0xff, sizeof(c->bits));
		c->max = 0;
	}
	c->refs = 1;
	bitmap_put(m);
	io->map = c;
	return c;
}

/* Bits from to from + n - 1 of bits cleared (on) or set. */
static void set_range(uint8_t *bits, uint32_t from, uint32_t n, bool on)
{
	for (uint32_t p = from; p < from + n; p++) {
		if (on)
			bits[p / 8] &= (uint8_t)~(1u << (p % 8));
		else
			bits[p / 8] |= (uint8_t)(1u << (p % 8));
	}
}

/* The bytes up to the last one with a clear bit (0: no port allowed). */
static uint32_t used_bytes(const uint8_t *bits)
{
	uint32_t n = IO_BITMAP_BYTES;

	while (n && bits[n - 1] == 0xff)
		n--;
	return n;
}

/* This CPU's TSS as io says, with interrupts off for the copy. */
static void load_now(const struct arch_io *io)
{
	uint64_t f = irq_save();
	arch_io_switch_slow(io);
	irq_restore(f);
}

int arch_ioperm(struct arch_io *io, uint32_t from, uint32_t num, bool on)
{
	if (!io->map && !on)
		return 0; /* nothing to deny (Linux allocates no bitmap for it) */
	struct io_bitmap *m = own_bitmap(io);
	if (!m)
		return -ENOMEM;
	set_range(m->bits, from, num, on);
	m->max = used_bytes(m->bits);
	m->seq = new_seq();
	if (!m->max) { /* every port denied again: the bitmap goes, as Linux's */
		io->map = NULL;
		bitmap_put(m);
	}
	load_now(io);
	return 0;
}

void arch_iopl_set(struct arch_io *io, unsigned level)
{
	io->iopl = (uint8_t)level;
	load_now(io);
}

bool arch_io_skip_cli(struct arch_io *io, struct trap_frame *tf, int pid, const char *name)
{
	uint8_t op;

	if (io->iopl != IOPL_MAX || copy_from_user(&op, tf->rip, 1) || (op != INSN_CLI && op != INSN_STI))
		return false;
	if (!io->warned)
		klog(LOG_WARN, "%s[%d] attempts to use CLI/STI, pretending it's a NOP, ip:%#lx\n",
		     name, pid, tf->rip);
	io->warned = true;
	tf->rip++;
	return true;
}

void arch_io_inherit(struct arch_io *child, const struct arch_io *parent)
{
	child->iopl = parent->iopl;
	child->warned = false;
	child->map = parent->map;
	if (child->map)
		__atomic_add_fetch(&child->map->refs, 1, __ATOMIC_RELAXED);
}

void arch_io_release(struct arch_io *io)
{
	bitmap_put(io->map);
	io->map = NULL;
}

void arch_io_switch_slow(const struct arch_io *io)
{
	if (io->iopl == IOPL_MAX)
		gdt_io_allow_all();
	else if (io->map)
		gdt_io_load(io->map->bits, io->map->max, io->map->seq);
	else
		gdt_io_deny();
}
