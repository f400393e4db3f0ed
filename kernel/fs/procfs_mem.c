// SPDX-License-Identifier: MIT
/*
 * Kestrel: /proc/PID/mem, a process's memory as a file whose positions are
 * its addresses (Linux's fs/proc/base.c mem_rw). Opening it needs ptrace's
 * attach permission (PTRACE_MODE_ATTACH_FSCREDS); the address space is the
 * one the process had at open: once it is gone (the process exec'd or
 * ended), reads and writes return 0, as Linux's mmget_not_zero failing.
 * Accesses go through ptrace's forced path (uvm_access_forced): a read
 * reaches any mapped page, a write into a private page writes the
 * process's own copy, never a page it shares copy-on-write.
 *
 * /proc/PID/pagemap, the same way opened: a 64-bit entry per page of the
 * user address space, at position (address / PAGE_SIZE) * 8
 * (uvm_pagemap_entry); reads and positions in whole entries, as Linux's
 * pagemap_read.
 */
#include "fs/procfs_mem.h"
#include "fs/inode.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "mm/layout.h"
#include "proc/process.h"
#include "proc/ptrace.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "uapi/capability.h"

/* What an open /proc/PID/mem names: the process and its address space's
 * serial at open (0: it had none, a zombie's). No reference is held, so an
 * open file keeps neither alive. */
struct mem_target {
	int pid;
	uint64_t serial;
};

/* The address space t names if it still exists, else NULL. Interrupts
 * off or not: one CPU, the result is used before the caller sleeps. */
static struct vm_space *mem_space(const struct mem_target *t)
{
	struct process *p = t->serial ? process_find(t->pid) : NULL;

	if (!p || p->state != PROC_ALIVE || !p->vm || p->vm->serial != t->serial)
		return NULL;
	return p->vm;
}

/* One piece of an access, within a page: between the target's memory and
 * offset off of buf. 0, -EIO (the address is not mapped), -EFAULT (the
 * caller's buffer), or 1 when the address space is gone. */
static int mem_chunk(const struct mem_target *t, uint64_t addr, uint8_t *kbuf, struct iobuf buf,
		     size_t off, size_t n, bool write)
{
	struct vm_space *vs;

	if (write && iobuf_get(kbuf, buf, off, n))
		return -EFAULT;
	if (!(vs = mem_space(t)))
		return 1;
	if (uvm_access_forced(vs, addr, kbuf, n, write))
		return -EIO;
	if (!write && iobuf_put(buf, off, kbuf, n))
		return -EFAULT;
	return 0;
}

/* read/write of n bytes at *pos (an address), a page at a time through a
 * bounce page; stops at the first unmapped page (-EIO if it is the first),
 * at SIGKILL, and when the address space is gone (0 if nothing was done). */
static long mem_rw(struct file *f, struct iobuf buf, size_t n, uint64_t *pos, bool write)
{
	uint8_t *kbuf = kmalloc(PAGE_SIZE);
	long done = 0;

	if (!kbuf)
		return -ENOMEM;
	while ((size_t)done < n) {
		uint64_t addr = *pos;
		size_t len = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
		if (len > n - (size_t)done)
			len = n - (size_t)done;
		if (done && io_should_stop())
			break;
		int err = mem_chunk(f->priv, addr, kbuf, buf, (size_t)done, len, write);
		if (err) {
			if (!done && err < 0)
				done = err;
			break;
		}
		done += (long)len;
		*pos = addr + len;
	}
	kfree(kbuf);
	return done;
}

/* User buffers only (mem_ops has no kernel_io): not a sendfile or splice end. */
static long mem_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return mem_rw(f, buf, n, pos, false);
}

static long mem_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	return mem_rw(f, buf, n, pos, true);
}

/* Linux's mem_lseek: SEEK_SET and SEEK_CUR, any 64-bit position (the
 * result may read as negative: it is an address). */
static long mem_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET)
		f->pos = (uint64_t)off;
	else if (whence == SEEK_CUR)
		f->pos += (uint64_t)off;
	else
		return -EINVAL;
	return (long)f->pos;
}

static void mem_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops mem_ops = {
	.read = mem_read,
	.write = mem_write,
	.lseek = mem_lseek,
	.release = mem_release,
};

#define PAGEMAP_ENTRY   sizeof(uint64_t)
#define PAGEMAP_CHUNK   (PAGE_SIZE / PAGEMAP_ENTRY) /* entries a pass copies out */
#define PAGEMAP_END     (USER_VA_END / PAGE_SIZE * PAGEMAP_ENTRY) /* the file's end */

/* Entries from *pos for n bytes (both multiples of 8: -EINVAL), a page
 * of entries at a time; 0 past the user address space or once the space
 * is gone; stops at SIGKILL with what it has. */
static long pagemap_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	uint64_t *ent;
	long done = 0;
	bool with_pfn = capable(CAP_SYS_ADMIN);

	if (*pos % PAGEMAP_ENTRY || n % PAGEMAP_ENTRY)
		return -EINVAL;
	if (!(ent = kmalloc(PAGE_SIZE)))
		return -ENOMEM;
	while ((size_t)done < n && *pos < PAGEMAP_END) {
		struct vm_space *vs = mem_space(f->priv);
		size_t k = 0, want = (n - (size_t)done) / PAGEMAP_ENTRY;
		if (!vs || (done && io_should_stop()))
			break;
		for (; k < PAGEMAP_CHUNK && k < want && *pos + k * PAGEMAP_ENTRY < PAGEMAP_END; k++)
			ent[k] = uvm_pagemap_entry(vs, (*pos / PAGEMAP_ENTRY + k) * PAGE_SIZE, with_pfn);
		if (iobuf_put(buf, (size_t)done, ent, k * PAGEMAP_ENTRY)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		done += (long)(k * PAGEMAP_ENTRY);
		*pos += k * PAGEMAP_ENTRY;
	}
	kfree(ent);
	return done;
}

static const struct file_ops pagemap_ops = {
	.read = pagemap_read,
	.lseek = mem_lseek,
	.release = mem_release,
};

int procfs_mem_open(struct process *p, struct file *f, bool pagemap)
{
	struct mem_target *t;

	if (!ptrace_may_access_fscreds(p))
		return -EACCES;
	if (!(t = kmalloc(sizeof(*t))))
		return -ENOMEM;
	t->pid = p->pid;
	t->serial = p->state == PROC_ALIVE && p->vm ? p->vm->serial : 0;
	f->ops = pagemap ? &pagemap_ops : &mem_ops;
	f->priv = t;
	return 0;
}
