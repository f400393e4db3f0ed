/* SPDX-License-Identifier: MIT */
/* CPU masks as Linux prints them ("%*pb" and "%*pbl"): /proc/PID/status, /sys's CPU lists. */
#ifndef KESTREL_LIB_CPUMASK_FMT_H
#define KESTREL_LIB_CPUMASK_FMT_H

#include <stddef.h>
#include <stdint.h>

/* The most CPUs a mask holds (bit i: CPU i). */
#define CPUMASK_BITS 64

/*
 * The low nbits of mask (1 <= nbits <= CPUMASK_BITS; Linux gives
 * nr_cpu_ids, the possible CPUs) in hex, as Linux's bitmap_string: 32-bit
 * chunks from the top, separated by commas, each zero-padded to its
 * width; the first chunk holds the nbits % 32 top bits (so 4 CPUs give
 * "f", 40 give "ff,ffffffff"). Writes at most cap bytes with a NUL
 * (cut off if short) and returns the length it needed without the NUL.
 */
size_t cpumask_format_hex(char *buf, size_t cap, uint64_t mask, unsigned nbits);

/* The low nbits of mask as Linux's bitmap_list_string: ranges "a-b" and
 * single CPUs "a", in order, separated by commas ("0-3", "0,2-3"; "" for
 * none). Same buffer rules as cpumask_format_hex. */
size_t cpumask_format_list(char *buf, size_t cap, uint64_t mask, unsigned nbits);

#endif
