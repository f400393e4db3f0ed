// SPDX-License-Identifier: MIT
/*
 * Kestrel: the kernel profiler's files (profile.h). /proc/profile is
 * Linux's: present only when the command line said profile=N, a 32-bit
 * bucket size then a 32-bit count per bucket of kernel text, any write
 * zeroing them. /proc/kallsyms is Linux's too (text symbols only, all
 * shown as 't'), so that readprofile -m /proc/kallsyms and
 * tools/profile.py can name the buckets; as under Linux's kptr_restrict
 * 0, a reader without CAP_SYSLOG sees zero addresses. /proc/profile_syscalls
 * is Kestrel's: the system calls made while profiling, with their time.
 */
#include "fs/procfs_profile.h"
#include "fs/procfs_klock.h"
#include "fs/inode.h"
#include "mm/iobuf.h"
#include "fs/vfs.h"
#include "ksyms.h"
#include "profile.h"
#include "proc/process.h"
#include "time/time.h"
#include "uapi/capability.h"

#define KALLSYMS_LINE_MAX 96 /* "%016lx t " and a name (the longest C names here are under 60) */
#define CALLS_LINE_MAX    64

bool procfs_profile_present(void)
{
	return profile_on;
}

#define STEP_WORD sizeof(uint32_t)

/* The file's size in bytes: the step word and a word per bucket; 0 when off. */
static uint64_t profile_file_size(void)
{
	size_t n;
	uint32_t step;

	return profile_buckets(&n, &step) ? (uint64_t)(n + 1) * STEP_WORD : 0;
}

/* Up to n bytes from *pos: the step word (or its tail), then the buckets
 * as they are (Linux's read_profile copies them live too). */
static long profile_file_read(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	size_t buckets, done = 0;
	uint32_t step;
	const uint32_t *b = profile_buckets(&buckets, &step);
	uint64_t size = profile_file_size();

	(void)f;
	if (*pos >= size)
		return 0;
	if (n > size - *pos)
		n = (size_t)(size - *pos);
	if (*pos < STEP_WORD) {
		done = STEP_WORD - (size_t)*pos < n ? STEP_WORD - (size_t)*pos : n;
		if (iobuf_put(buf, 0, (const char *)&step + *pos, done))
			return -EFAULT;
	}
	if (done < n && iobuf_put(buf, done, (const char *)b + (*pos + done - STEP_WORD), n - done))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

/* Any write zeroes the counts, as Linux's write_profile (which also took
 * a 4-byte "multiplier" on some architectures; not here). */
static long profile_file_write(struct file *f, struct iobuf buf, size_t n, uint64_t *pos)
{
	(void)f;
	(void)buf;
	(void)pos;
	profile_reset();
	return (long)n;
}

/* default_llseek, as Linux's proc_profile_operations: SEEK_END from the file's size. */
static long profile_file_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, profile_file_size());
}

static const struct file_ops profile_ops = {
	.read = profile_file_read,
	.write = profile_file_write,
	.lseek = profile_file_lseek,
};

int procfs_profile_open(struct file *f)
{
	f->ops = &profile_ops;
	return 0;
}

size_t profile_syscalls_buf_size(void)
{
	return (size_t)(PROFILE_CALLS + 2) * CALLS_LINE_MAX;
}

void show_profile_syscalls(struct sbuf *s, struct process *p)
{
	(void)p;
	for (unsigned nr = 0; nr <= PROFILE_CALLS; nr++) {
		struct profile_call c = profile_call_of(nr);
		const char *name = nr < PROFILE_CALLS && procfs_klock_namer ? procfs_klock_namer(nr) : NULL;
		uint64_t ns = time_tsc_cycles_to_ns(c.cycles);
		if (!c.calls)
			continue;
		if (name)
			sb_printf(s, "%s %lu %lu\n", name, c.calls, ns);
		else if (nr < PROFILE_CALLS)
			sb_printf(s, "syscall_%u %lu %lu\n", nr, c.calls, ns);
		else
			sb_printf(s, "(other) %lu %lu\n", c.calls, ns);
	}
}

size_t kallsyms_buf_size(void)
{
	return (size_t)(ksyms_count() + 1) * KALLSYMS_LINE_MAX;
}

void show_kallsyms(struct sbuf *s, struct process *p)
{
	bool shown = capable(CAP_SYSLOG); /* p is the reader, the caller */

	(void)p;
	for (uint64_t i = 0; i < ksyms_count(); i++) {
		uint64_t addr;
		const char *name = ksyms_nth(i, &addr);
		sb_printf(s, "%016lx t %s\n", shown ? addr : 0, name);
	}
}
