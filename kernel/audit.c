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

#define AUDIT_DUMP_LAST 8

_Static_assert((AUDIT_RING & (AUDIT_RING - 1)) == 0, "AUDIT_RING: a power of two");

struct audit_ring audit_ring; /* audit.h: written by audit_begin() only */

void audit_dump(void)
{
	uint64_t end = audit_ring.next, start = end > AUDIT_DUMP_LAST ? end - AUDIT_DUMP_LAST : 0;

	if (!end)
		return;
	log_printf_force("last system calls, all CPUs (of %lu):\n", end);
	for (uint64_t i = start; i < end; i++) {
		const struct audit_rec *r = &audit_ring.rec[i % AUDIT_RING];
		log_printf_force("  pid %d nr %u (%#lx, %#lx, %#lx) = %ld\n", r->pid, r->nr, r->args[0],
			  r->args[1], r->args[2], r->ret);
	}
}
