/* SPDX-License-Identifier: MIT */
/* A thread's user port I/O: ioperm's bitmap and iopl's level, as Linux 6.1 keeps them (CONFIG_X86_IOPL_IOPERM). */
#ifndef KESTREL_ARCH_IOPORT_H
#define KESTREL_ARCH_IOPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trapframe.h"

/*
 * Linux's model: a thread's ioperm ports are a bitmap of its own, shared
 * with the threads and processes it creates until one of them changes
 * its copy (then it takes one of its own), and kept across exec. iopl is
 * emulated: level 3 lets user code reach every port through the TSS's
 * all-ports bitmap, never by RFLAGS.IOPL, so user code never touches the
 * interrupt flag: at level 3 CLI and STI are skipped as NOPs (with a
 * warning, once a thread), POPF leaves IF alone; levels 1 and 2 allow
 * nothing more than 0. Every switch to a thread loads its permission
 * into the CPU's TSS (gdt_io_*).
 */
#define IOPL_MAX 3

struct io_bitmap;

/* The port I/O state of a thread, in its struct arch_thread. Private to
 * the thread (changed only by its own ioperm and iopl, read by the
 * switch to it); a shared bitmap never changes (refs is atomic). */
struct arch_io {
	struct io_bitmap *map; /* NULL: no port allowed by ioperm */
	uint8_t iopl;          /* iopl's level, 0 to IOPL_MAX */
	bool warned;           /* a CLI or STI skipped and said so */
};

/* ioperm for the calling thread io: allow (on) or deny ports from to
 * from + num - 1, which the caller checked lie below IO_PORTS; the new
 * permission holds on this CPU when it returns. 0, or -ENOMEM (nothing
 * changed). */
int arch_ioperm(struct arch_io *io, uint32_t from, uint32_t num, bool on);

/* iopl for the calling thread io: the level (the caller checked it is
 * at most IOPL_MAX and may be had), in force when it returns. */
void arch_iopl_set(struct arch_io *io, unsigned level);

/* A #GP from ring 3 (frame tf) of a thread at iopl 3 (io, of the
 * process pid named name) on a CLI or STI: the instruction skipped, as
 * Linux's fixup_iopl_exception does. True when it was one. */
bool arch_io_skip_cli(struct arch_io *io, struct trap_frame *tf, int pid, const char *name);

/* A new thread's state: its creator's (the bitmap shared). */
void arch_io_inherit(struct arch_io *child, const struct arch_io *parent);

/* A thread reaped: its share of the bitmap let go. */
void arch_io_release(struct arch_io *io);

/* At a switch from a thread with state prev to one with state next
 * (interrupts off): next's permission into this CPU's TSS, which holds
 * prev's (each switch loads it, and ioperm and iopl load the caller's).
 * Inline, and a few tests of fields the switch reads anyway when neither
 * allows a port (every switch but an ioperm or iopl user's): yield_switch
 * cost 521 guest instructions with the TSS written at every switch, 503
 * before ioperm. */
void arch_io_switch_slow(const struct arch_io *io);
static inline void arch_io_switch(const struct arch_io *prev, const struct arch_io *next)
{
	if (__builtin_expect(!prev->map && !next->map && prev->iopl != IOPL_MAX &&
			     next->iopl != IOPL_MAX, 1))
		return;
	arch_io_switch_slow(next);
}

#endif
