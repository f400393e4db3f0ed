// SPDX-License-Identifier: MIT
/*
 * Kestrel: process_vm_readv and process_vm_writev, copies between the
 * caller's memory and another process's (Linux's mm/process_vm_access.c).
 *
 * The local vector is checked as readv's is (import_iovec: UIO_MAXIOV,
 * negative lengths, addresses outside user space); an empty one is 0
 * before anything else. The remote vector is only copied in and its
 * lengths checked (Linux's iovec_from_user): its addresses are the
 * target's, checked page by page as the copy reaches them, with the
 * regions' protection honoured (no FOLL_FORCE). The target is any thread
 * id; it needs ptrace's attach permission with real credentials (-EPERM),
 * unless it shares the caller's address space. The result is the bytes
 * copied, or the first error when none were.
 *
 * No reference on the target is held: as /proc/PID/mem does, each page's
 * copy finds the target again and checks that its address space is still
 * the one it had at the start (its serial), so the target may exit or
 * exec between two pages (the copy then ends, as Linux's would on an mm
 * whose users are gone).
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "proc/process.h"
#include "proc/ptrace.h"
#include "proc/sched.h"
#include "uapi/limits.h"
#include "lib/errno.h"

/* The target of one call: its thread id and its address space's serial. */
struct vm_target {
	int tid;
	uint64_t serial;
};

/* A cursor over a vector: element i, off bytes into it. */
struct iov_cursor {
	const struct iovec_user *v;
	uint64_t cnt, i, off;
};

/* The target's address space if it is still the one of the start, else
 * NULL. Used at once, before the caller sleeps. */
static struct vm_space *target_space(const struct vm_target *t)
{
	struct process *p;

	if (!process_find_thread(t->tid, &p) || !p->vm || p->vm->serial != t->serial)
		return NULL;
	return p->vm;
}

/* Find the target and check the caller may reach it: 0, -ESRCH (no such
 * thread, or one without an address space), -EPERM (Linux's mm_access
 * -EACCES, turned into -EPERM as process_vm_rw_core does). */
static long target_open(pid_t pid, struct vm_target *t)
{
	struct process *p;

	if (!process_find_thread(pid, &p) || !p->vm)
		return -ESRCH;
	if (!ptrace_may_access_realcreds(p))
		return -EPERM;
	t->tid = pid;
	t->serial = p->vm->serial;
	return 0;
}

/* Linux's iovec_from_user: the remote vector copied into a kmalloc'd
 * array (NULL when cnt is 0), each length non-negative. 0, -EINVAL (more
 * than UIO_MAXIOV, a negative length), -EFAULT, -ENOMEM. */
static long remote_iovec(uptr_t uvec, uint64_t cnt, struct iovec_user **out)
{
	struct iovec_user *v;

	*out = NULL;
	if (cnt == 0)
		return 0;
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	if (!(v = kmalloc(cnt * sizeof(*v))))
		return -ENOMEM;
	if (copy_from_user(v, uvec, cnt * sizeof(*v))) {
		kfree(v);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)v[i].len < 0) {
			kfree(v);
			return -EINVAL;
		}
	}
	*out = v;
	return 0;
}

/* The length of the next piece under cursor c (skipping empty
 * elements), at most max; 0 when the vector is used up. */
static uint64_t cursor_piece(struct iov_cursor *c, uint64_t max)
{
	while (c->i < c->cnt && c->off == c->v[c->i].len) {
		c->i++;
		c->off = 0;
	}
	if (c->i == c->cnt)
		return 0;
	uint64_t left = c->v[c->i].len - c->off;
	return left < max ? left : max;
}

/* One piece of at most a page, between the local address and the
 * target's raddr through kbuf: 0 or -EFAULT (either side refused), 1
 * when the target's address space is gone. */
static long copy_piece(const struct vm_target *t, uptr_t local, uint64_t raddr, uint8_t *kbuf,
		       uint64_t n, bool write)
{
	struct vm_space *vs;

	if (write && copy_from_user(kbuf, local, n))
		return -EFAULT;
	if (!(vs = target_space(t)))
		return 1;
	if (write ? uvm_write_checked(vs, raddr, kbuf, n) : uvm_read_checked(vs, raddr, kbuf, n))
		return -EFAULT;
	if (!write && copy_to_user(local, kbuf, n))
		return -EFAULT;
	return 0;
}

/* Linux's process_vm_rw_single_vec: [raddr, raddr + len) of the target
 * against the local vector from cursor c on, a page at a time, until
 * either ends. Adds what it moved to *done; 0, or why it stopped early
 * (-EFAULT, -EINTR for SIGKILL, 1 for a target gone). */
static long rw_remote_range(const struct vm_target *t, struct iov_cursor *c, uint64_t raddr,
			    uint64_t len, uint8_t *kbuf, bool write, long *done)
{
	while (len) {
		uint64_t n = PAGE_SIZE - (raddr & (PAGE_SIZE - 1));
		n = cursor_piece(c, n < len ? n : len);
		if (n == 0)
			return 0;
		if (io_should_stop())
			return -EINTR;
		long err = copy_piece(t, c->v[c->i].base + c->off, raddr, kbuf, n, write);
		if (err)
			return err;
		c->off += n;
		raddr += n;
		len -= n;
		*done += (long)n;
	}
	return 0;
}

/* process_vm_rw_core after the vectors are in: the bytes moved, or the
 * error that stopped it when none were. */
static long rw_core(pid_t pid, const struct iovec_user *lv, uint64_t lcnt,
		    const struct iovec_user *rv, uint64_t rcnt, bool write)
{
	struct iov_cursor c = { .v = lv, .cnt = lcnt };
	struct vm_target t;
	bool any = false;
	long done = 0, err;
	uint8_t *kbuf;

	for (uint64_t i = 0; i < rcnt; i++)
		any |= rv[i].len > 0;
	if (!any)
		return 0; /* Linux: nr_pages == 0, before the pid is looked up */
	if ((err = target_open(pid, &t)))
		return err;
	if (!(kbuf = kmalloc(PAGE_SIZE)))
		return -ENOMEM;
	err = 0;
	for (uint64_t i = 0; i < rcnt && !err && cursor_piece(&c, 1); i++)
		err = rw_remote_range(&t, &c, rv[i].base, rv[i].len, kbuf, write, &done);
	kfree(kbuf);
	return done || err > 0 ? done : err;
}

/* Linux's process_vm_rw: flags, the local vector, the remote one, then
 * the copy. */
static long process_vm_rw(pid_t pid, uptr_t lvec, unsigned long liovcnt, uptr_t rvec,
			  unsigned long riovcnt, unsigned long flags, bool write)
{
	struct iovec_user *lv, *rv;
	uint64_t total;
	long r;

	if (flags != 0)
		return -EINVAL;
	if ((r = import_iovec(lvec, liovcnt, &lv, &total)))
		return r;
	if (total == 0) {
		kfree(lv);
		return 0;
	}
	if ((r = remote_iovec(rvec, riovcnt, &rv)) == 0) {
		r = rw_core(pid, lv, liovcnt, rv, riovcnt, write);
		kfree(rv);
	}
	kfree(lv);
	return r;
}

SYSCALL_DEFINE6(process_vm_readv, pid_t, pid, uptr_t, lvec, unsigned long, liovcnt,
		uptr_t, rvec, unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

SYSCALL_DEFINE6(process_vm_writev, pid_t, pid, uptr_t, lvec, unsigned long, liovcnt,
		uptr_t, rvec, unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}
