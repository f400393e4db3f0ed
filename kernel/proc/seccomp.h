/* SPDX-License-Identifier: MIT */
/* A thread's seccomp state (Linux's struct seccomp): its mode and its stack of filters, shared with the threads and processes it made. */
#ifndef KESTREL_PROC_SECCOMP_H
#define KESTREL_PROC_SECCOMP_H

#include <stdint.h>

#include "uapi/filter.h"

/*
 * One filter, immutable once attached. A thread's filters are a chain,
 * newest first, each holding a reference to the one before; a thread
 * holds one to its newest, fork and clone take another. refs is atomic:
 * the only field ever written after the filter is made.
 */
struct seccomp_filter {
	uint32_t refs;
	uint32_t path_insns;          /* len + 4 for each filter of the chain from here down
	                               * (Linux's MAX_INSNS_PER_PATH count) */
	struct seccomp_filter *prev;  /* the one attached before it, or NULL */
	unsigned len;                 /* instructions, 1 .. BPF_MAXINSNS */
	struct sock_filter insns[];   /* checked and converted (sys/sys_seccomp.c) */
};

/* Lock rules: private to the thread, written only by the thread itself
 * (prctl, seccomp) and read by it at each system call's entry; fork and
 * clone copy the creator's, as it runs the call. Others (/proc) read mode
 * alone, atomically. */
struct seccomp_state {
	int mode;                     /* SECCOMP_MODE_* */
	struct seccomp_filter *filter;/* SECCOMP_MODE_FILTER's newest filter */
};

/* Copy from's state into to, a thread not yet running: a new reference
 * to its filters. Any context. */
void seccomp_copy(struct seccomp_state *to, const struct seccomp_state *from);
/* Drop s's reference to its filters, freeing those no one holds any more. */
void seccomp_release(struct seccomp_state *s);
/* The filters in s's chain (/proc/PID/status's Seccomp_filters). */
int seccomp_filter_count(const struct seccomp_state *s);

#endif
