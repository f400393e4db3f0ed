/* SPDX-License-Identifier: MIT */
/* The system-call audit ring: the last calls made, for the panic report and the `audit` log, when `audit`, `audit=ring` or the profiler asks. */
#ifndef KESTREL_AUDIT_H
#define KESTREL_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#define AUDIT_RING 32 /* records kept per CPU: a power of two */
#define AUDIT_ARGS 3  /* arguments kept: what the panic report prints */
#define AUDIT_CPUS 64 /* rings: one per CPU (smp.h's SMP_MAX_CPUS; syscall.c checks) */

/* One system call: who, which, its first arguments and its result. A
 * power-of-two size, so finding a slot is a shift. */
struct audit_rec {
	int32_t pid;
	uint32_t nr;
	uint64_t args[AUDIT_ARGS];
	int64_t ret;
} __attribute__((aligned(64)));

/* One ring per CPU, so a system call writes no cache line another CPU
 * writes (one shared ring had every call on every CPU bump one counter
 * with a locked add). Lock rule: none. A ring is written only by its
 * CPU's system-call path (syscall.c; no interrupt handler, and the
 * kernel does not preempt), so next is a plain counter. The one store
 * from elsewhere is a call's result, written when the call returns,
 * perhaps on another CPU after the thread slept and moved: it lands in
 * the slot claimed at entry, which that CPU reuses only after AUDIT_RING
 * more calls there, and a result in a reused slot is wrong only in a
 * post-mortem. The panic path may read a half-written record, which is
 * acceptable for a post-mortem too. Each CPU's block (arch percpu.h)
 * points at its ring, so the system-call path finds it in one load. */
struct audit_ring {
	struct audit_rec rec[AUDIT_RING];
	uint64_t next; /* calls recorded so far; the next slot is next % AUDIT_RING */
	const void *owner; /* the per-CPU block of the CPU that writes it: set once, at bring-up */
} __attribute__((aligned(64)));
extern struct audit_ring audit_rings[AUDIT_CPUS];

/* CPU cpu's ring (cpu below AUDIT_CPUS), for its per-CPU block owner
 * (arch percpu.c, as it sets the block up), which the ring records so
 * that the dump finds the ring of the CPU it runs on. */
static inline struct audit_ring *audit_ring_bind(uint32_t cpu, const void *owner)
{
	struct audit_ring *ring = &audit_rings[cpu % AUDIT_CPUS];

	ring->owner = owner;
	return ring;
}

/* Claims the next record of ring (the calling CPU's), filled with pid,
 * nr and the first arguments (ret 0), for the caller to set ret when the
 * call returns. Inline and a handful of stores: it runs on every system
 * call while the rings are on (`audit`, `audit=ring`, the profiler;
 * sys/syscall.c). Never fails. */
static inline struct audit_rec *audit_begin(struct audit_ring *ring, int32_t pid, uint32_t nr,
					    uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct audit_rec *r = &ring->rec[ring->next++ % AUDIT_RING];

	r->pid = pid;
	r->nr = nr;
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	r->ret = 0;
	return r;
}

/* Prints the most recent records to every console, lockless (the end of
 * every panic report, panic_end): the last few of the ring that
 * cpu_block (the calling CPU's per-CPU block, or whatever GS_BASE holds)
 * owns, if one does, then the last two of each other CPU that made a
 * call; a line saying none was recorded when no ring has one. The caller names its CPU so that this file needs nothing of the
 * per-CPU code above it. */
void audit_dump(const void *cpu_block);

#endif
