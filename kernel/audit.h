/* SPDX-License-Identifier: MIT */
/* The system-call audit ring: the last calls made, for the panic report and the `audit` log. */
#ifndef KESTREL_AUDIT_H
#define KESTREL_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

/* One system call: who, which, its first six arguments and its result. */
struct audit_rec {
	uint64_t tsc;
	int32_t pid;
	uint32_t nr;
	uint64_t args[6];
	int64_t ret;
};

/* Claims the next record, filled with tsc, pid, nr and args (ret 0), for
 * the caller to set ret when the call returns. Lockless: called only by
 * the system-call path of the CPU that owns the ring. Never fails. */
struct audit_rec *audit_begin(int32_t pid, uint32_t nr, const uint64_t args[6]);

/* Prints the most recent records to every console, lockless (the panic
 * report and the trap handler use it). */
void audit_dump(void);

#endif
