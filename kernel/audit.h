/* SPDX-License-Identifier: MIT */
/* The system-call audit ring: the last calls made, for the panic report and the `audit` log. */
#ifndef KESTREL_AUDIT_H
#define KESTREL_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#define AUDIT_RING 64 /* records kept: a power of two */
#define AUDIT_ARGS 3  /* arguments kept: what the panic report prints */

/* One system call: who, which, its first arguments and its result. A
 * power-of-two size, so finding a slot is a shift. */
struct audit_rec {
	int32_t pid;
	uint32_t nr;
	uint64_t args[AUDIT_ARGS];
	int64_t ret;
} __attribute__((aligned(64)));

/* One ring shared by every CPU. Lock rule: none. Only the system-call path
 * writes it (syscall.c, no interrupt handler), and the lock-free calls
 * run there without the kernel lock: each call claims its own slot by an
 * atomic bump of next, then fills it alone (two calls share a slot only
 * when AUDIT_RING calls pass between one's claim and its last store).
 * The panic path may read a half-written record, which is acceptable
 * for a post-mortem. */
struct audit_ring {
	struct audit_rec rec[AUDIT_RING];
	uint64_t next; /* calls recorded so far; the next slot is next % AUDIT_RING; atomic */
};
extern struct audit_ring audit_ring;

/* Claims the next record, filled with pid, nr and the first arguments
 * (ret 0), for the caller to set ret when the call returns. Inline and
 * a handful of stores: it runs on every system call, `audit` or not.
 * The slot is claimed atomically (lock-free calls run here on several
 * CPUs at once, without the kernel lock). Never fails. */
static inline struct audit_rec *audit_begin(int32_t pid, uint32_t nr, uint64_t a0, uint64_t a1,
					    uint64_t a2)
{
	uint64_t slot = __atomic_fetch_add(&audit_ring.next, 1, __ATOMIC_RELAXED);
	struct audit_rec *r = &audit_ring.rec[slot % AUDIT_RING];

	r->pid = pid;
	r->nr = nr;
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	r->ret = 0;
	return r;
}

/* Prints the most recent records to every console, lockless (the panic
 * report and the trap handler use it). */
void audit_dump(void);

#endif
