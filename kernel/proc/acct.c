// SPDX-License-Identifier: MIT
/*
 * Kestrel: BSD process accounting, as Linux 6.1's kernel/acct.c built with
 * CONFIG_BSD_PROCESS_ACCT_V3 (Debian's): acct(2) names a file, and every
 * process that ends appends a 64-byte struct acct_v3 to it: its command
 * name, ids, parent, start and elapsed time, CPU times and memory as
 * Linux encodes them (comp_t, and an IEEE float for the elapsed time),
 * its exit status and flags. One accounting file for the system (Linux
 * keeps one per pid namespace; Kestrel has one).
 *
 * Left out: Linux suspends accounting while the file system is nearly
 * full (checked every 30 s, below 2% free) and resumes above 4%; Kestrel
 * writes until a write fails. ac_io, ac_rw, the fault counts and ASU
 * (used a privilege) are 0, as Kestrel keeps no such counts.
 */
#include "proc/acct.h"
#include "proc/cputime.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "mm/uvm.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"
#include "uapi/wait.h"

/* Linux's struct acct_v3 (include/uapi/linux/acct.h), 64 bytes. */
struct acct_v3 {
	char ac_flag;
	char ac_version;
	uint16_t ac_tty;
	uint32_t ac_exitcode;
	uint32_t ac_uid, ac_gid;
	uint32_t ac_pid, ac_ppid;
	uint32_t ac_btime;       /* seconds since the epoch */
	uint32_t ac_etime;       /* an IEEE single: elapsed AHZ ticks */
	uint16_t ac_utime, ac_stime, ac_mem, ac_io, ac_rw, ac_minflt, ac_majflt, ac_swaps; /* comp_t */
	char ac_comm[16];
};
_Static_assert(sizeof(struct acct_v3) == 64, "struct acct_v3");

#define ACCT_VERSION 3
#define AFORK 0x01   /* forked but did not exec */
#define ACORE 0x08   /* dumped core */
#define AXSIG 0x10   /* killed by a signal */
#define AHZ   100    /* the records' clock, Linux's USER_HZ */

/* acct_lock protects acct_file, the accounting file (NULL: off), which
 * holds a reference. A writer takes its own reference under the lock and
 * writes without it. */
static struct spinlock acct_lock = SPINLOCK_INIT;
static struct file *acct_file;

/* Linux's encode_comp_t: 13-bit mantissa, base-8 exponent, rounded. */
static uint16_t encode_comp_t(uint64_t value)
{
	int exp = 0, rnd = 0;

	while (value > 0x1fff) {
		rnd = value & 4;
		value >>= 3;
		exp++;
	}
	if (rnd && ++value > 0x1fff) {
		value >>= 3;
		exp++;
	}
	if (exp > 7)
		return 0xffff;
	return (uint16_t)((exp << 13) + value);
}

/* Linux's encode_float: value as an IEEE single's bits. */
static uint32_t encode_float(uint64_t value)
{
	unsigned exp = 190;

	if (value == 0)
		return 0;
	while ((int64_t)value > 0) {
		value <<= 1;
		exp--;
	}
	return (uint32_t)((value >> 40) & 0x7fffffu) | (exp << 23);
}

static uint64_t ns_to_ahz(uint64_t ns)
{
	return ns / (1000000000ull / AHZ);
}

/* The current process p's record, as Linux's fill_ac. */
static void fill(struct acct_v3 *ac, struct process *p, int wstatus)
{
	const struct cred *cr = current_cred();
	struct cpu_times t = process_cpu_times(p);
	uint64_t elapsed = ns_to_ahz(time_ns() - p->start_ns);
	uint64_t now_s = time_realtime_ns() / 1000000000ull, run_s = elapsed / AHZ;
	uint32_t rdev;
	int fg;

	memset(ac, 0, sizeof(*ac));
	memcpy(ac->ac_comm, p->name, sizeof(ac->ac_comm) - 1);
	ac->ac_version = ACCT_VERSION; /* | ACCT_BYTEORDER, 0 on little-endian */
	ac->ac_etime = encode_float(elapsed);
	ac->ac_btime = (uint32_t)(now_s > run_s ? now_s - run_s : 0);
	ac->ac_utime = encode_comp_t(ns_to_ahz(t.user_ns));
	ac->ac_stime = encode_comp_t(ns_to_ahz(t.sys_ns));
	ac->ac_mem = encode_comp_t(p->vm ? uvm_total_bytes(p->vm) / 1024 : 0); /* KiB, Linux's vsize */
	ac->ac_io = ac->ac_rw = encode_comp_t(0);
	ac->ac_exitcode = (uint32_t)wstatus;
	ac->ac_pid = (uint32_t)p->pid;
	ac->ac_ppid = p->parent ? (uint32_t)p->parent->pid : 0;
	ac->ac_uid = cr->uid;
	ac->ac_gid = cr->gid;
	if (process_session_tty(p->sid, &rdev, &fg)) /* old_encode_dev */
		ac->ac_tty = (uint16_t)((RDEV_MAJOR(rdev) << 8) | (RDEV_MINOR(rdev) & 0xff));
	ac->ac_flag = (char)((p->did_exec ? 0 : AFORK) |
			     ((wstatus & WSTATUS_COREFLAG) ? ACORE : 0) |
			     (wstatus_exited(wstatus) ? 0 : AXSIG));
}

/* Append one record to f (O_APPEND: at its end). A short or failed
 * write is dropped, as Linux's do_acct_process drops it. */
static void write_record(struct file *f, const struct acct_v3 *ac)
{
	uint64_t pos = f->inode ? f->inode->size : 0;

	(void)file_kwrite(f, ac, sizeof(*ac), &pos);
}

/* A reference to the accounting file, or NULL when off. */
static struct file *acct_get(void)
{
	uint64_t fl = spin_lock_irqsave(&acct_lock);
	struct file *f = file_get(acct_file);

	spin_unlock_irqrestore(&acct_lock, fl);
	return f;
}

void acct_process(struct process *p, int wstatus)
{
	struct acct_v3 ac;
	struct file *f = acct_get();

	if (!f)
		return;
	fill(&ac, p, wstatus);
	current_thread()->exit_io = true; /* the process is ending: its write must not stop for that */
	write_record(f, &ac);
	current_thread()->exit_io = false;
	file_put(f);
}

/* Linux's acct_on: the file opened for appending, a regular file that can be written. */
static int acct_open(const char *path, struct file **out)
{
	struct file *f;
	int err = vfs_open(NULL, path, O_WRONLY | O_APPEND | O_LARGEFILE, 0, &f);

	if (err)
		return err;
	if (!f->inode || !S_ISREG(f->inode->mode)) {
		file_put(f);
		return -EACCES;
	}
	if (!file_can_kwrite(f)) {
		file_put(f);
		return -EIO;
	}
	*out = f;
	return 0;
}

int acct_set(const char *path)
{
	struct file *f = NULL, *old;
	int err = path ? acct_open(path, &f) : 0;

	if (err)
		return err;
	uint64_t fl = spin_lock_irqsave(&acct_lock);
	old = acct_file;
	acct_file = f;
	spin_unlock_irqrestore(&acct_lock, fl);
	if (old) { /* the caller's record closes the old file (Linux's acct_pin_kill) */
		struct acct_v3 ac;
		fill(&ac, current_process(), 0);
		write_record(old, &ac);
		file_put(old);
	}
	return 0;
}
