// SPDX-License-Identifier: MIT
/*
 * Kestrel: the system-call audit ring. It sits at the floor with the log
 * and the panic path, so the panic report can read it and it calls
 * nothing above the log; sys/syscall.c writes it.
 */
#include <stdarg.h>
#include "audit.h"
#include "log.h"
#include "lib/printf.h"
#include "lib/string.h"

#define AUDIT_RING 64
#define AUDIT_DUMP_LAST 8

/* The ring of the one CPU that makes system calls today (SMP gives one
 * per CPU): only the system-call path writes it, so no lock; a slot is
 * claimed by bumping the index first. The panic path may read a
 * half-written record, which is acceptable for a post-mortem. */
static struct {
	uint64_t next;
	struct audit_rec rec[AUDIT_RING];
} ring;

struct audit_rec *audit_begin(int32_t pid, uint32_t nr, const uint64_t args[6])
{
	struct audit_rec *r = &ring.rec[ring.next++ % AUDIT_RING];

	*r = (struct audit_rec){ __builtin_ia32_rdtsc(), pid, nr,
				 { args[0], args[1], args[2], args[3], args[4], args[5] }, 0 };
	return r;
}


void audit_dump(void)
{
	uint64_t end = ring.next, start = end > AUDIT_DUMP_LAST ? end - AUDIT_DUMP_LAST : 0;

	if (!end)
		return;
	log_printf_force("last system calls on this CPU (of %lu):\n", end);
	for (uint64_t i = start; i < end; i++) {
		const struct audit_rec *r = &ring.rec[i % AUDIT_RING];
		log_printf_force("  pid %d nr %u (%#lx, %#lx, %#lx) = %ld\n", r->pid, r->nr, r->args[0],
			  r->args[1], r->args[2], r->ret);
	}
}
