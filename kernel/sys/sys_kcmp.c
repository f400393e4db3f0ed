// SPDX-License-Identifier: MIT
/*
 * Kestrel: kcmp(pid1, pid2, type, idx1, idx2), Linux's kernel/kcmp.c: do
 * two threads share a kernel resource (an open file, the address space,
 * the descriptor table, the working directory, the signal handlers, the
 * I/O context, the SEM_UNDO list)? 0 when they do, else 1 or 2 as one
 * resource's obfuscated address orders before or after the other's, an
 * order that says nothing of where either is. KCMP_EPOLL_TFD is
 * -EOPNOTSUPP, as on a kernel without checkpoint/restore.
 */
#include "sys/syscall_define.h"
#include "fs/vfs.h"
#include "proc/process.h"
#include "proc/ptrace.h"
#include "lib/errno.h"
#include "lib/siphash.h"
#include "arch/x86_64/cpu.h"
#include "time/time.h"

enum kcmp_type { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM,
		 KCMP_EPOLL_TFD, KCMP_TYPES };

static struct siphash_key cookie; /* made at the first call (Linux's kcmp_cookies) */

/* Linux's kcmp_ptr: 0 for the same object, 1 or 2 by the keyed hashes' order. */
static long order(const void *a, const void *b, int type)
{
	if (!cookie.k0) {
		cookie.k0 = (rdtsc() * 0x9e3779b97f4a7c15ull) ^ time_realtime_ns() ^ 1;
		cookie.k1 = (rdtsc() << 13) ^ (uint64_t)&cookie;
	}
	if (a == b)
		return 0;
	struct { const void *p; int type; } ka = { a, type }, kb = { b, type };
	uint64_t ha = siphash(&cookie, &ka, sizeof(ka)), hb = siphash(&cookie, &kb, sizeof(kb));
	return ha < hb ? 1 : 2;
}

/* What a process shares its working directory through: the CLONE_FS
 * group, or nothing (itself). */
static const void *fs_of(const struct process *p)
{
	return p->fs_share ? (const void *)p->fs_share : (const void *)p;
}

/* KCMP_FILE: the open file descriptions at p1's idx1 and p2's idx2. */
static long same_file(struct process *p1, unsigned long idx1, struct process *p2, unsigned long idx2)
{
	struct file *f1 = idx1 <= INT32_MAX && p1->files ? fd_get(p1->files, (int)idx1) : NULL;
	struct file *f2 = idx2 <= INT32_MAX && p2->files ? fd_get(p2->files, (int)idx2) : NULL;
	long r = f1 && f2 ? order(f1, f2, KCMP_FILE) : -EBADF;

	if (f1)
		file_put(f1);
	if (f2)
		file_put(f2);
	return r;
}

SYSCALL_DEFINE5(kcmp, pid_t, pid1, pid_t, pid2, int, type, unsigned long, idx1, unsigned long, idx2)
{
	struct process *p1, *p2;

	if (!process_find_thread(pid1, &p1) || !process_find_thread(pid2, &p2))
		return -ESRCH;
	if (!ptrace_may_access_fscreds(p1) || !ptrace_may_access_fscreds(p2))
		return -EPERM;
	switch (type) {
	case KCMP_FILE:
		return same_file(p1, idx1, p2, idx2);
	case KCMP_VM:
		return order(p1->vm, p2->vm, type);
	case KCMP_FILES:
		return order(p1->files, p2->files, type);
	case KCMP_FS:
		return order(fs_of(p1), fs_of(p2), type);
	case KCMP_SIGHAND: /* a process's threads share its handlers */
		return order(p1, p2, type);
	case KCMP_IO:      /* nobody has an I/O context (Linux's NULL until one is needed) */
		return 0;
	case KCMP_SYSVSEM:
		return order(p1->sysvsem, p2->sysvsem, type);
	case KCMP_EPOLL_TFD:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}
