// SPDX-License-Identifier: MIT
/*
 * Kestrel: the system-call audit rings. They sit at the floor with the
 * log and the panic path, so the panic report can read them and they
 * call nothing above the log; sys/syscall.c writes them.
 */
#include <stdarg.h>
#include "audit.h"
#include "log.h"
#include "lib/printf.h"
#include "lib/string.h"

#define AUDIT_DUMP_LAST  8 /* records of the CPU that dumps */
#define AUDIT_DUMP_OTHER 2 /* records of each other CPU */

_Static_assert((AUDIT_RING & (AUDIT_RING - 1)) == 0, "AUDIT_RING: a power of two");
_Static_assert(AUDIT_DUMP_LAST <= AUDIT_RING, "the dump stays within a ring");

struct audit_ring audit_rings[AUDIT_CPUS]; /* audit.h: written by audit_begin() only */

/* The last `last` records of CPU cpu's ring, under a heading; nothing
 * when it has none. Returns whether it printed. */
static bool dump_ring(uint32_t cpu, uint64_t last)
{
	const struct audit_ring *ring = &audit_rings[cpu];
	uint64_t end = ring->next, start = end > last ? end - last : 0;

	if (!end)
		return false;
	log_printf_force("last system calls on CPU %u (of %lu):\n", cpu, end);
	for (uint64_t i = start; i < end; i++) {
		const struct audit_rec *r = &ring->rec[i % AUDIT_RING];
		log_printf_force("  pid %d nr %u (%#lx, %#lx, %#lx) = %ld\n", r->pid, r->nr, r->args[0],
				 r->args[1], r->args[2], r->ret);
	}
	return true;
}

/* The ring whose owner is cpu_block; AUDIT_CPUS when none is. */
static uint32_t ring_of_block(const void *cpu_block)
{
	for (uint32_t cpu = 0; cpu < AUDIT_CPUS; cpu++)
		if (cpu_block && audit_rings[cpu].owner == cpu_block)
			return cpu;
	return AUDIT_CPUS;
}

void audit_dump(const void *cpu_block)
{
	uint32_t me = ring_of_block(cpu_block);
	bool any = me < AUDIT_CPUS && dump_ring(me, AUDIT_DUMP_LAST);

	for (uint32_t cpu = 0; cpu < AUDIT_CPUS; cpu++)
		if (cpu != me)
			any |= dump_ring(cpu, AUDIT_DUMP_OTHER);
	if (!any) /* the rings are written only when asked (sys/syscall.c's run_slow) */
		log_printf_force("no system calls recorded (audit=ring on the command line keeps the last ones)\n");
}
