/* SPDX-License-Identifier: MIT */
/* The kernel's own symbol table, embedded at link time, for backtraces. */
#ifndef KESTREL_KSYMS_H
#define KESTREL_KSYMS_H

#include <stdint.h>

/* The function containing addr and the offset into it, or NULL. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
/* Number of symbols embedded (0 in the first link pass). */
uint64_t ksyms_count(void);
/* Symbol i (below ksyms_count()) in address order: its name, its address in *addr. */
const char *ksyms_nth(uint64_t i, uint64_t *addr);

#endif
