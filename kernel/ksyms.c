// SPDX-License-Identifier: MIT
/*
 * Kestrel: symbol lookup. tools/gensyms.sh writes build/ksyms.S from
 * `nm -n` of a first link; the second link places it in .ksyms, which
 * the linker script puts after everything else so no other address
 * moves between the two passes (the Makefile checks that).
 */
#include <stddef.h>
#include "ksyms.h"

struct ksym {
	uint64_t addr;
	uint64_t name; /* offset into ksym_names */
};

/* Defined by build/ksyms.S (or kernel/ksyms_empty.S in the first pass). */
extern const uint64_t ksym_count;
extern const struct ksym ksym_table[];
extern const char ksym_names[];
extern const char __text_start[], __text_end[];

uint64_t ksyms_count(void)
{
	return ksym_count;
}

const char *ksyms_nth(uint64_t i, uint64_t *addr)
{
	*addr = ksym_table[i].addr;
	return &ksym_names[ksym_table[i].name];
}

/* Binary search for the last symbol at or below addr, within .text. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || ksym_count == 0)
		return NULL;
	size_t lo = 0, hi = ksym_count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_table[lo].addr > addr)
		return NULL;
	*offset = addr - ksym_table[lo].addr;
	return &ksym_names[ksym_table[lo].name];
}
