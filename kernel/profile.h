/* SPDX-License-Identifier: MIT */
/* The kernel profiler: Linux's profile=N and /proc/profile (the tick's samples of the kernel's RIP), and the system calls' counts and times. */
#ifndef KESTREL_PROFILE_H
#define KESTREL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROFILE_SHIFT_MAX 16  /* profile=N: a bucket of 2^N bytes of kernel text, N at most this */
#define PROFILE_CALLS     512 /* system-call numbers counted; above: one "other" slot */

/*
 * Off unless the command line says profile=N (as Linux's), and then on
 * from boot on; nothing of it runs when off but the tests of profile_on
 * (the tick's and the system call's, one load each, predicted not taken).
 *
 * Lock rules: profile_on is written once, by profile_init, before any
 * other CPU or program runs. The buckets and the call counts are added to
 * with atomic adds from every CPU (the tick of each, the system calls of
 * each), and cleared by profile_reset with plain stores, racing the adds
 * as Linux's write to /proc/profile does (a sample landing during the
 * clear may survive it). Readers read them as they are.
 */
extern bool profile_on;

/* Buckets of 2^shift bytes (shift at most PROFILE_SHIFT_MAX) that cover
 * the kernel's text: what profile_init needs. */
size_t profile_buckets_for(unsigned shift);

/* Turn the profiler on with n = profile_buckets_for(shift) zeroed
 * buckets (the caller's memory, kept for good; NULL: no memory, the
 * profiler stays off and says so). Logs what it set up. Once, at boot. */
void profile_init(uint32_t *buckets, size_t n, unsigned shift);

/* The tick's sample: kernel_rip is where an interrupted kernel was (not
 * called for ring 3). Any CPU, interrupts off, no lock. */
void profile_hit(uint64_t kernel_rip);

/* A system call nr returned after cycles TSC cycles (sleep included).
 * Any CPU, no lock. */
void profile_syscall(uint64_t nr, uint64_t cycles);

/* The buckets (NULL when off), their number in *n and the bytes each
 * covers in *step, for /proc/profile. */
const uint32_t *profile_buckets(size_t *n, uint32_t *step);

/* Zero every bucket and call count (a write to /proc/profile). */
void profile_reset(void);

/* System call nr's counts (nr PROFILE_CALLS: every call above): how many
 * returned and their TSC cycles in all. */
struct profile_call {
	uint64_t calls, cycles;
};
struct profile_call profile_call_of(unsigned nr);

#endif
