/* SPDX-License-Identifier: MIT */
/* Credentials: every Kestrel process runs as root (uid 0); what it can
 * change is its capability sets (capget/capset), its nice value and its
 * dumpable flag, with Linux's rules. */
#ifndef KESTREL_PROC_CRED_H
#define KESTREL_PROC_CRED_H

#include <stdbool.h>
#include <stdint.h>
#include "uapi/capability.h"

/* Every capability of this Linux version (bits 0..CAP_LAST_CAP). */
#define CAP_FULL_SET  ((2ull << CAP_LAST_CAP) - 1)
#define CAP_BIT(cap)  (1ull << (cap))

/* Linux's nice range; getpriority returns 20 - nice so it is never negative. */
#define NICE_MIN       (-20)
#define NICE_MAX       19
#define NICE_TO_PRIO_BASE 20

/* A process's credentials: private to its threads, changed only by the
 * process itself (capset, setpriority on itself, prctl), copied at fork.
 * Linux keeps capabilities per thread; Kestrel per process. */
struct cred {
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	int nice;                 /* NICE_MIN..NICE_MAX */
	int dumpable;             /* SUID_DUMP_DISABLE or SUID_DUMP_USER */
};

/* The first process's: root's full permitted and effective sets, an
 * empty inheritable set (as Linux's init), nice 0, dumpable. */
void cred_defaults(struct cred *c);
/* exec of a program by root: permitted and effective become the full
 * set again (Linux's root rule with the full bounding set), dumpable. */
void cred_exec(struct cred *c);
/* capset's checks (Linux's cap_capset), then the new sets: 0, or -EPERM
 * (a set grows beyond what the rules allow; nothing changed). */
int cred_capset(struct cred *c, uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* True if c's effective set holds cap (capable() in proc/process.h asks
 * it of the current process). */
bool cred_capable(const struct cred *c, int cap);

#endif
