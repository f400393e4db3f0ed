/* SPDX-License-Identifier: MIT */
/* The string instruction lib/string.c's long copies use. */
#ifndef KESTREL_ARCH_STRING_H
#define KESTREL_ARCH_STRING_H

#include <stddef.h>

/*
 * Copy words 8-byte words upwards from *s to *d with rep movsq, both
 * pointers moved past what was copied. DF is clear in the kernel (the C
 * ABI: every entry clears it, SYSCALL by its FMASK). On hardware the
 * fast-string microcode moves a cache line a step; under QEMU's TCG each
 * word is one guest instruction (a loop of 8-byte moves spends 20 on 64
 * bytes) at about 1.1x the wall-clock time of that loop. Linux's memcpy
 * on a CPU with REP_GOOD is the same instruction.
 */
static inline void arch_copy_words(unsigned char **d, const unsigned char **s, size_t words)
{
	__asm__ volatile("rep movsq" : "+D"(*d), "+S"(*s), "+c"(words) : : "memory");
}

#endif
