/* SPDX-License-Identifier: MIT */
/* User page faults with the process's limits, and the out-of-memory killer. */
#ifndef KESTREL_PROC_OOM_H
#define KESTREL_PROC_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct process;

/* A page fault at va (below USER_TOP) in p, the current process, under
 * its RLIMIT_STACK and RLIMIT_AS. from_user: the fault came from ring 3,
 * so out of memory may run the OOM killer (a user copy in the kernel
 * gets -EFAULT instead, its caller holding resources a kill could not
 * release). True: resume (the access was resolved, or retry it after
 * the OOM killer freed memory, or die of SIGKILL on the way out); false:
 * the access is bad. Interrupts off, from the page-fault handler. */
bool process_page_fault(struct process *p, uint64_t va, bool write, bool exec, bool from_user);

/* Pages the OOM killer asks the caches for (pmm_reclaim) before it picks
 * a victim. */
#define OOM_RECLAIM_PAGES 256

#endif
