// SPDX-License-Identifier: MIT
/*
 * Kestrel: the text of /proc's files, in the formats Linux writes and
 * busybox (free, ps, top, uptime, df, mount) parses. What Kestrel does
 * not account (CPU time per process, page cache, swap) reads as 0.
 */
#include "fs/procfs_show.h"
#include "bootinfo.h"
#include "fs/procfs_cpus.h"
#include "fs/inode.h"
#include "fs/fstype.h"
#include "uapi/limits.h"
#include "arch/x86_64/cpuinfo.h"
#include "arch/x86_64/smp.h"
#include "time/time.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uvm.h"
#include "mm/vmname.h"
#include "arch/x86_64/paging.h"
#include "proc/uts.h"
#include "proc/process.h"
#include "proc/coredump.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/time.h"

#define KIB_PER_PAGE 4
#define HUGE_PAGE_KIB 2048ul
#define NS_PER_TICK  ((uint64_t)(NSEC_PER_SEC / USER_HZ))
#define CPUINFO_ENTRY_MAX 2048 /* bytes: one CPU's entry, flags and all */

/* ---------------------------------------------------------------- system-wide */

void show_meminfo(struct sbuf *s, struct process *p)
{
	uint64_t total = pmm_managed_pages() * KIB_PER_PAGE, free = pmm_free_pages() * KIB_PER_PAGE;
	struct heap_stats hs;

	(void)p;
	heap_stats(&hs);
	static const char *const zero[] = { "Buffers", "Cached", "SwapCached", "Active",
					     "Inactive", "SwapTotal", "SwapFree", "Dirty",
					     "Writeback", "Shmem", "SReclaimable" };
	sb_printf(s, "MemTotal:       %8lu kB\n", total);
	sb_printf(s, "MemFree:        %8lu kB\n", free);
	sb_printf(s, "MemAvailable:   %8lu kB\n", free);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		sb_printf(s, "%s:%*s%8lu kB\n", zero[i], (int)(15 - strlen(zero[i])), "", 0ul);
	sb_printf(s, "Slab:           %8lu kB\n", hs.slab_pages * KIB_PER_PAGE);
	/* x86's 2 MiB huge page size, of which Kestrel has none to give
	 * (SHM_HUGETLB is -ENOMEM, ipc/shm.c) */
	sb_printf(s, "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\nHugePages_Rsvd:    %5lu\n"
		     "HugePages_Surp:    %5lu\nHugepagesize:   %8lu kB\nHugetlb:        %8lu kB\n",
		  0ul, 0ul, 0ul, 0ul, HUGE_PAGE_KIB, 0ul);
}

void show_uptime(struct sbuf *s, struct process *p)
{
	uint64_t cs = time_ns() / (NSEC_PER_SEC / 100);

	(void)p;
	sb_printf(s, "%lu.%02lu %lu.%02lu\n", cs / 100, cs % 100, cs / 100, cs % 100);
}

/* What a mount is: its type's name (a disk one's fs_type, else the
 * file system's own), where it is, and its options as Linux shows them
 * (opts, then the type's own, fs_opts, after a comma when there are). */
struct mount_text {
	const char *type;
	char where[PATH_MAX];
	const char *opts;
	const char *fs_opts;
	const char *comma;
};

static void mount_text(struct mount *m, struct mount_text *t)
{
	bool kernel_fs = m->root->fs == &procfs_fs || m->root->fs == &sysfs_fs;

	t->type = m->type ? m->type->name : m->root->fs->name;
	if (vfs_path_of(m->root, t->where, sizeof(t->where)) < 0)
		strlcpy(t->where, "?", sizeof(t->where));
	if (kernel_fs)
		t->opts = "rw,nosuid,nodev,noexec,relatime";
	else
		t->opts = m->read_only ? "ro,relatime" : "rw,relatime";
	t->fs_opts = m->type && m->type->options ? m->type->options : "";
	t->comma = *t->fs_opts ? "," : "";
}

/* A field of /proc/mounts as Linux's mangle writes it: space, tab,
 * newline and backslash as \ooo, so that every line has six fields. */
static void sb_mangled(struct sbuf *s, const char *str)
{
	for (; *str; str++) {
		if (*str == ' ' || *str == '\t' || *str == '\n' || *str == '\\')
			sb_printf(s, "\\%03o", (unsigned)(unsigned char)*str);
		else
			sb_bytes(s, str, 1);
	}
}

/* /proc/mounts: every mount of the table (fs/fstype.h), in mount order. */
void show_mounts(struct sbuf *s, struct process *p)
{
	static struct mount_text t; /* PATH_MAX: off the 16 KiB stack */

	(void)p;
	for (struct mount *m = vfs_mounts(); m; m = m->next) {
		mount_text(m, &t);
		sb_mangled(s, m->source);
		sb_bytes(s, " ", 1);
		sb_mangled(s, t.where);
		sb_printf(s, " %s %s%s%s 0 0\n", t.type, t.opts, t.comma, t.fs_opts);
	}
}

/* /proc/PID/mountinfo: the mounts of show_mounts in Linux's format (id,
 * parent id, major:minor as stat's st_dev gives it, root, mount point,
 * options, "-", type, source, super options); coreutils' df reads it
 * and, without it, fails over to an /etc/mtab Kestrel has not. */
void show_mountinfo(struct sbuf *s, struct process *p)
{
	static struct mount_text t;

	(void)p;
	for (struct mount *m = vfs_mounts(); m; m = m->next) {
		struct mount *parent = m->mountpoint ? vfs_mount_by_fs(m->mountpoint->fs) : NULL;
		mount_text(m, &t);
		sb_printf(s, "%u %u %u:%u / ", m->id, parent ? parent->id : m->id,
			  RDEV_MAJOR(m->root->fs->dev), RDEV_MINOR(m->root->fs->dev));
		sb_mangled(s, t.where);
		sb_printf(s, " %s shared:%u - %s ", t.opts, m->id, t.type);
		sb_mangled(s, m->source);
		sb_printf(s, " %s%s%s\n", m->read_only ? "ro" : "rw", t.comma, t.fs_opts);
	}
}

/* /proc/cmdline: the kernel's command line as the loader gave it, and a
 * newline (Linux's saved_command_line). Set once at boot. */
static char cmdline_text[KBI_CMDLINE_MAX];
static size_t cmdline_len;

void procfs_set_cmdline(const char *s, size_t len)
{
	cmdline_len = len < sizeof(cmdline_text) ? len : sizeof(cmdline_text) - 1;
	memcpy(cmdline_text, s, cmdline_len);
}

void show_cmdline(struct sbuf *s, struct process *p)
{
	(void)p;
	sb_bytes(s, cmdline_text, cmdline_len);
	sb_bytes(s, "\n", 1);
}

void show_version(struct sbuf *s, struct process *p)
{
	(void)p;
	sb_printf(s, UTS_SYSNAME " version " UTS_RELEASE " (kestrel) " UTS_VERSION "\n"); /* as uname -a */
}

struct counts {
	int procs, running;
};

static void count_proc(struct process *p, void *arg)
{
	struct counts *c = arg;

	c->procs++;
	if (p->state == PROC_ALIVE && p->thread && p->thread->state != THREAD_SLEEPING)
		c->running++;
}

void show_loadavg(struct sbuf *s, struct process *p)
{
	struct counts c = { 0, 0 };

	(void)p;
	process_for_each(count_proc, &c);
	sb_printf(s, "0.00 0.00 0.00 %d/%d %d\n", c.running, c.procs, process_last_pid());
}

void show_filesystems(struct sbuf *s, struct process *p)
{
	const char *name;
	bool nodev;

	(void)p;
	/* busybox mount without -t tries each disk type listed here */
	for (int i = 0; (name = fs_type_name(i, &nodev)); i++)
		sb_printf(s, "%s\t%s\n", nodev ? "nodev" : "", name);
}

/* When the machine booted, in seconds since the epoch (0 if the clock is unset). */
static uint64_t boot_epoch_sec(void)
{
	uint64_t wall = time_realtime_ns(), up = time_ns();

	return wall > up ? (wall - up) / NSEC_PER_SEC : 0;
}

/* Scheduler ticks (TIME_TICK_HZ a second) in /proc/stat's unit, USER_HZ
 * (Linux's jiffies_64_to_clock_t). */
static uint64_t ticks_to_clock(uint64_t ticks)
{
	return ticks * USER_HZ / TIME_TICK_HZ;
}

/* One "cpu" line of /proc/stat: name, then user nice system idle iowait
 * irq softirq steal guest guest_nice in USER_HZ ticks (what is not
 * accounted is 0). */
static void stat_cpu_line(struct sbuf *s, const char *name, struct cpu_ticks t)
{
	sb_printf(s, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, ticks_to_clock(t.user), ticks_to_clock(t.sys),
		  ticks_to_clock(t.idle));
}

void show_stat(struct sbuf *s, struct process *p)
{
	struct counts c = { 0, 0 };
	struct cpu_ticks t = sched_cpu_ticks();

	(void)p;
	process_for_each(count_proc, &c);
	stat_cpu_line(s, "cpu ", t);
	for (unsigned cpu = 0; cpu < smp_cpus_online(); cpu++) {
		char name[16];

		ksnprintf(name, sizeof(name), "cpu%u", cpu);
		stat_cpu_line(s, name, sched_cpu_ticks_of(cpu));
	}
	show_stat_intr(s);
	sb_printf(s, "ctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %d\nprocs_blocked 0\n",
		  t.switches, boot_epoch_sec(), process_total_forks(), c.running);
	/* Linux's ten softirq kinds; Kestrel's deferred work runs in threads: none */
	sb_printf(s, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

/* ---------------------------------------------------------------- cpuinfo */

static void put_flag(const char *name, void *ctx)
{
	sb_printf(ctx, " %s", name);
}

/* Linux's siblings (online CPUs in the package) and cpu cores (distinct
 * cores among them) for the CPU at place at. */
static void package_counts(const struct cpu_topo *at, unsigned *siblings, unsigned *cores)
{
	uint64_t seen_cores = 0; /* bit i: core id i counted (ids past 63 each count) */
	unsigned n = smp_cpus_online();

	*siblings = *cores = 0;
	for (unsigned i = 0; i < n; i++) {
		struct percpu *c = smp_cpu(i);
		struct cpu_topo t;
		if (!c)
			continue;
		cpu_topology_of(c->apic_id, &t);
		if (t.package != at->package)
			continue;
		(*siblings)++;
		if (t.core >= 64 || !(seen_cores & (1ull << t.core)))
			(*cores)++;
		if (t.core < 64)
			seen_cores |= 1ull << t.core;
	}
}

/* One CPU's entry, in Linux's order of fields (arch/x86/kernel/cpu/proc.c). */
static void cpuinfo_entry(struct sbuf *s, unsigned cpu, uint32_t apic_id, const struct cpu_ident *id)
{
	uint64_t khz = tsc_hz() / 1000;
	struct cpu_topo t;
	unsigned siblings, cores;

	cpu_topology_of(apic_id, &t);
	package_counts(&t, &siblings, &cores);
	sb_printf(s, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n", cpu,
		  id->vendor, id->family, id->model);
	sb_printf(s, "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %lu.%03lu\n",
		  id->model_name[0] ? id->model_name : "unknown", id->stepping, khz / 1000, khz % 1000);
	if (id->cache_kb)
		sb_printf(s, "cache size\t: %u KB\n", id->cache_kb);
	sb_printf(s, "physical id\t: %u\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\n",
		  t.package, siblings, t.core, cores);
	/* initial apicid: the id CPUID reported at start, the same as the
	 * current one, which Kestrel never changes */
	sb_printf(s, "apicid\t\t: %u\ninitial apicid\t: %u\n", apic_id, apic_id);
	sb_printf(s, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n",
		  id->cpuid_level);
	sb_printf(s, "flags\t\t:");
	cpu_each_flag(put_flag, s);
	sb_printf(s, "\n");
	sb_printf(s, "bogomips\t: %lu.%02lu\nclflush size\t: 64\ncache_alignment\t: 64\n",
		  2 * khz / 1000, (2 * khz / 10) % 100);
	if (id->phys_bits)
		sb_printf(s, "address sizes\t: %u bits physical, %u bits virtual\n", id->phys_bits,
			  id->virt_bits);
	sb_printf(s, "power management:\n\n");
}

/* One entry per online CPU. The identity and flags are the reading CPU's:
 * bring-up checks every CPU's features equal to the boot CPU's. */
void show_cpuinfo(struct sbuf *s, struct process *p)
{
	struct cpu_ident id;

	(void)p;
	cpu_identify(&id);
	for (unsigned cpu = 0; cpu < smp_cpus_online(); cpu++) {
		struct percpu *c = smp_cpu(cpu);
		if (c)
			cpuinfo_entry(s, cpu, c->apic_id, &id);
	}
}

size_t cpuinfo_buf_size(void)
{
	return CPUINFO_ENTRY_MAX * smp_cpus_online();
}

/* ---------------------------------------------------------------- per process */

/* The state letter of thread t of p (NULL: p has none left). */
static char state_char(const struct process *p, const struct thread *t)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (t && t->state == THREAD_SLEEPING)
		return 'S';
	return 'R';
}

static const char *state_name(char c)
{
	return c == 'Z' ? "zombie" : c == 'S' ? "sleeping" : "running";
}

/* VmSize: what its regions cover. */
static uint64_t vm_bytes(const struct process *p)
{
	return p->vm && p->state == PROC_ALIVE ? uvm_total_bytes(p->vm) : 0;
}

/* uvm_walk's step for vm_locked_bytes: a locked region's bytes. */
static bool add_locked(struct vm_space *vs, const struct vma *v, void *arg)
{
	(void)vs;
	if (v->flags & VMA_LOCKED)
		*(uint64_t *)arg += v->end - v->start;
	return true;
}

/* VmLck: the bytes of its locked regions (mlock, mlockall, MAP_LOCKED). */
static uint64_t vm_locked_bytes(const struct process *p)
{
	uint64_t n = 0;

	if (p->vm && p->state == PROC_ALIVE)
		uvm_walk(p->vm, add_locked, &n);
	return n;
}

/* A device number as Linux's new_encode_dev writes tty_nr. */
static unsigned tty_encode(uint32_t rdev)
{
	unsigned major = RDEV_MAJOR(rdev), minor = RDEV_MINOR(rdev);

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

void show_pid_stat(struct sbuf *s, struct process *p)
{
	show_task_stat(s, p, p->thread, p->pid);
}

/* Linux's 52 fields (fs/proc/array.c); what is not accounted is 0. The
 * per-thread fields (state, blocked signals, processor) are t's. */
void show_task_stat(struct sbuf *s, struct process *p, struct thread *t, int id)
{
	int ppid = p->parent ? p->parent->pid : 0;
	uint64_t start = p->start_ns / NS_PER_TICK;
	struct cpu_times self = process_cpu_times(p), kids = p->child_times;

	uint32_t tty = 0;
	int tpgid = -1;

	if (!process_session_tty(p->sid, &tty, &tpgid) || !tty) { /* the console shows none */
		tty = 0;
		tpgid = -1;
	}
	sb_printf(s, "%d (%s) %c %d %d %d %u %d 4194304 0 0 0 0 %lu %lu %lu %lu 20 0 %d 0 %lu %lu 0 "
		  "18446744073709551615 0 0 0 0 0 %lu %lu 0 0 0 0 0 17 %u 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
		  id, p->name, state_char(p, t), ppid, p->pgid, p->sid, tty_encode(tty), tpgid,
		  self.user_ns / NS_PER_TICK,
		  self.sys_ns / NS_PER_TICK, kids.user_ns / NS_PER_TICK, kids.sys_ns / NS_PER_TICK,
		  p->nthreads, start, vm_bytes(p), p->sig_pending, t ? t->sig_blocked : 0,
		  t ? t->cpu : 0, p->state == PROC_ZOMBIE ? p->wstatus : 0);
}

/* status's Uid: and Gid: lines: real, effective, saved, file system. */
static void show_ids(struct sbuf *s, const struct cred *c)
{
	sb_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid,
		  c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
}

/* status's Groups: line, each gid followed by a space, as Linux's. */
static void show_groups(struct sbuf *s, const struct group_info *g)
{
	sb_printf(s, "Groups:\t");
	for (uint32_t i = 0; g && i < g->count; i++)
		sb_printf(s, "%u ", g->gid[i]);
	sb_printf(s, "\n");
}

/* status's SigIgn: and SigCgt: lines: the signals ignored, and those
 * with a handler (bit sig - 1), as Linux's collect_sigign_sigcatch. */
static void show_sig_actions(struct sbuf *s, const struct process *p)
{
	uint64_t ign = 0, cgt = 0;

	for (int sig = 1; sig <= NSIG; sig++) {
		uint64_t h = p->sighand->action[sig - 1].handler;
		if (h == (uint64_t)SIG_IGN)
			ign |= 1ull << (sig - 1);
		else if (h != (uint64_t)SIG_DFL)
			cgt |= 1ull << (sig - 1);
	}
	sb_printf(s, "SigIgn:\t%016lx\nSigCgt:\t%016lx\n", ign, cgt);
}

/* status's Vm lines of a live process, in Linux's order (task_mem): its
 * size, locked bytes, resident high-water mark and resident bytes, and
 * VmSwap, always 0 (Kestrel does not swap; LTP's getrusage03 reads it). */
static void show_vm_sizes(struct sbuf *s, const struct process *p)
{
	uint64_t kib_per_page = PAGE_SIZE / 1024;
	uint64_t rss = p->vm ? p->vm->resident : 0, hwm = p->vm ? p->vm->hiwater : 0;

	sb_printf(s, "VmSize:\t%8lu kB\nVmLck:\t%8lu kB\n", vm_bytes(p) / 1024,
		  vm_locked_bytes(p) / 1024);
	sb_printf(s, "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nVmSwap:\t%8lu kB\n", hwm * kib_per_page,
		  rss * kib_per_page, 0ul);
}

/* status's capability lines, as Linux's render_cap_t. */
static void show_caps(struct sbuf *s, const struct cred *c)
{
	sb_printf(s, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\n"
		  "CapAmb:\t%016lx\n", c->cap_inheritable, c->cap_permitted, c->cap_effective,
		  c->cap_bset, c->cap_ambient);
}

void show_pid_status(struct sbuf *s, struct process *p)
{
	show_task_status(s, p, p->thread, p->pid);
}

/* As Linux's proc_pid_status; the per-thread lines (State, Pid, SigBlk,
 * Cpus_allowed) are t's, whose id is id. */
void show_task_status(struct sbuf *s, struct process *p, struct thread *t, int id)
{
	char st = state_char(p, t);

	sb_printf(s, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\n", p->name, p->umask, st,
		  state_name(st));
	sb_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", p->pid, id,
		  p->parent ? p->parent->pid : 0);
	show_ids(s, process_cred(p));
	sb_printf(s, "FDSize:\t%d\n", p->files ? p->files->size : 0);
	show_groups(s, process_cred(p)->groups);
	if (p->state == PROC_ALIVE)
		show_vm_sizes(s, p);
	sb_printf(s, "Threads:\t%d\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n",
		  p->nthreads, p->sig_pending, p->sig_pending, t ? t->sig_blocked : 0);
	show_sig_actions(s, p);
	show_caps(s, process_cred(p));
	if (t) /* the thread's own: a filter chain only grows while the thread lives */
		sb_printf(s, "NoNewPrivs:\t%d\nSeccomp:\t%d\nSeccomp_filters:\t%d\n", t->no_new_privs,
			  __atomic_load_n(&t->seccomp.mode, __ATOMIC_RELAXED),
			  seccomp_filter_count(&t->seccomp));
	if (t)
		show_cpus_allowed(s, t->cpus_allowed);
}

/* Linux's names and units for /proc/PID/limits (fs/proc/base.c), by resource. */
static const struct { const char *name, *unit; } limit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", "" },
	[RLIMIT_RTPRIO] = { "Max realtime priority", "" },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

static void show_limit_value(struct sbuf *s, uint64_t v)
{
	if (v == RLIM_INFINITY)
		sb_printf(s, "%-20s ", "unlimited");
	else
		sb_printf(s, "%-20lu ", v);
}

/* /proc/PID/limits: a header, then one line per resource, as Linux's. */
void show_pid_limits(struct sbuf *s, struct process *p)
{
	sb_printf(s, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (unsigned i = 0; i < RLIM_NLIMITS; i++) {
		sb_printf(s, "%-25s ", limit_names[i].name);
		show_limit_value(s, p->rlim.lim[i].cur);
		show_limit_value(s, p->rlim.lim[i].max);
		if (*limit_names[i].unit)
			sb_printf(s, "%-10s", limit_names[i].unit);
		sb_printf(s, "\n");
	}
}

/* Linux's maps layout: the name starts after a 73-column prefix
 * (25 + 6 * sizeof(void *) - 1, then a space). */
#define MAPS_NAME_COLUMN 72
#define MAPS_LINE_FIXED  (MAPS_NAME_COLUMN + 2) /* prefix, space, newline */
#define MAPS_BUF_MAX     (256 * 1024)           /* a longer listing is cut off */
#define SMAPS_PER_MAPS   12                     /* an smaps entry: the line and 23 short ones */
/* Room for regions another thread maps between the sizing walk and the
 * listing's (mmap takes no kernel lock): a listing that still does not
 * fit ends at its last whole entry. */
#define MAPS_SLACK_LINES 32
#define SMAPS_BUF_MAX    (2 * 1024 * 1024)

/* What the name column shows for region v: its file, or [heap] / [stack]
 * (the initial stack, at the top of user space); NULL for anonymous. */
static const char *region_name(const struct vma *v)
{
	if (v->name)
		return v->name->path;
	if (v->flags & VMA_HEAP)
		return "[heap]";
	if ((v->flags & VMA_GROWSDOWN) && v->end == USER_STACK_TOP)
		return "[stack]";
	if (v->flags & VMA_SHARED)
		return "/dev/zero (deleted)"; /* Linux's name for shared anonymous memory */
	return NULL;
}

/* A live process's address space, or NULL (a zombie has none). Its
 * regions are read through uvm_walk, under the space's lock: another
 * thread's mmap or munmap runs without the kernel lock (mm/uvm.h). */
static struct vm_space *live_vm(const struct process *p)
{
	return p->state == PROC_ALIVE ? p->vm : NULL;
}

/* uvm_walk's step for maps_buf_size: one line's room, until the most. */
static bool add_line_room(struct vm_space *vs, const struct vma *v, void *arg)
{
	size_t *n = arg;
	const char *name = region_name(v);

	(void)vs;
	*n += MAPS_LINE_FIXED + (name ? strlen(name) : 0);
	return *n < MAPS_BUF_MAX;
}

size_t maps_buf_size(struct process *p)
{
	struct vm_space *vs = live_vm(p);
	size_t n = 1;

	if (vs)
		uvm_walk(vs, add_line_room, &n);
	n += MAPS_SLACK_LINES * MAPS_LINE_FIXED;
	return n < MAPS_BUF_MAX ? n : MAPS_BUF_MAX;
}

/* One region's /proc/PID/maps line, as Linux's show_map_vma: start-end
 * perms offset dev inode, then the name padded to its column. The
 * offset is the file's for a named region, else 0. */
static void maps_line(struct sbuf *s, const struct vma *v)
{
	const char *name = region_name(v);
	const struct vm_name *n = v->name;
	size_t at = s->len;

	sb_printf(s, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", (unsigned long)v->start,
		  (unsigned long)v->end, v->prot & VM_READ ? 'r' : '-', v->prot & VM_WRITE ? 'w' : '-',
		  v->prot & VM_EXEC ? 'x' : '-', v->flags & VMA_SHARED ? 's' : 'p',
		  n ? (unsigned long)v->name_off : 0ul, n ? RDEV_MAJOR(n->dev) : 0u,
		  n ? RDEV_MINOR(n->dev) : 0u, n ? (unsigned long)n->ino : 0ul);
	if (name)
		sb_printf(s, "%*s%s", (int)(s->len - at < MAPS_NAME_COLUMN ?
				       MAPS_NAME_COLUMN - (s->len - at) + 1 : 1), "", name);
	sb_printf(s, "\n");
}

/* After an entry was written at s's offset at: keep it if it fitted,
 * else take it back and stop the walk (a listing ends with a whole
 * entry, and the buffer's end bounds how long the space's lock is held). */
static bool entry_fitted(struct sbuf *s, size_t at)
{
	if (s->len + 1 < s->cap) /* sb_printf stops one short of cap when cut */
		return true;
	s->len = at;
	return false;
}

/* uvm_walk's step for show_pid_maps: a line. */
static bool maps_step(struct vm_space *vs, const struct vma *v, void *arg)
{
	struct sbuf *s = arg;
	size_t at = s->len;

	(void)vs;
	maps_line(s, v);
	return entry_fitted(s, at);
}

void show_pid_maps(struct sbuf *s, struct process *p)
{
	struct vm_space *vs = live_vm(p);

	if (vs)
		uvm_walk(vs, maps_step, s);
}

size_t smaps_buf_size(struct process *p)
{
	size_t n = maps_buf_size(p) * SMAPS_PER_MAPS;

	return n < SMAPS_BUF_MAX ? n : SMAPS_BUF_MAX;
}

/* "Label:   N kB": Linux's SEQ_PUT_DEC, the label padded to 16 columns. */
static void smaps_kb(struct sbuf *s, const char *label, uint64_t bytes)
{
	sb_printf(s, "%-16s%8lu kB\n", label, (unsigned long)(bytes >> 10));
}

/* Linux's show_smap_vma_flags, for the flags Kestrel's regions have. */
static void smaps_flags(struct sbuf *s, const struct vma *v)
{
	sb_printf(s, "VmFlags: ");
	if (v->prot & VM_READ)
		sb_printf(s, "rd ");
	if (v->prot & VM_WRITE)
		sb_printf(s, "wr ");
	if (v->prot & VM_EXEC)
		sb_printf(s, "ex ");
	if (v->flags & VMA_SHARED)
		sb_printf(s, "sh ");
	sb_printf(s, "mr %sme ", v->flags & VMA_NOWRITE ? "" : "mw ");
	if (v->flags & VMA_SHARED)
		sb_printf(s, "ms ");
	if (v->flags & VMA_GROWSDOWN)
		sb_printf(s, "gd ");
	if (v->flags & VMA_LOCKED)
		sb_printf(s, "lo ");
	if (v->flags & VMA_DONTCOPY)
		sb_printf(s, "dc ");
	if ((v->prot & VM_WRITE) && !(v->flags & VMA_SHARED))
		sb_printf(s, "ac ");
	if (v->flags & VMA_WIPEONFORK)
		sb_printf(s, "wf ");
	sb_printf(s, "\n");
}

/*
 * /proc/PID/smaps: each region's maps line and its memory, in Linux's
 * layout (show_smap). Rss is what is mapped now; its pages count as
 * private dirty ones for anonymous memory and clean ones for a file's,
 * shared ones for a shared region; Pss is Rss (Kestrel does not divide
 * a page among the spaces that map it). Locked is Rss under mlock.
 * Kestrel has no swap, huge pages or KSM: those lines are 0.
 */
static bool smaps_step(struct vm_space *vs, const struct vma *v, void *arg)
{
	static const char *const zero[] = { "LazyFree:", "AnonHugePages:", "ShmemPmdMapped:",
					     "FilePmdMapped:", "Shared_Hugetlb:", "Private_Hugetlb:",
					     "Swap:", "SwapPss:" };
	struct sbuf *s = arg;
	size_t at = s->len;
	uint64_t rss = uvm_region_resident(vs, v) * PAGE_SIZE;
	bool shared = v->flags & VMA_SHARED, file = v->name || v->backing;
	maps_line(s, v);
	smaps_kb(s, "Size:", v->end - v->start);
	smaps_kb(s, "KernelPageSize:", PAGE_SIZE);
	smaps_kb(s, "MMUPageSize:", PAGE_SIZE);
	smaps_kb(s, "Rss:", rss);
	smaps_kb(s, "Pss:", rss);
	smaps_kb(s, "Pss_Dirty:", !file || shared ? rss : 0);
	smaps_kb(s, "Shared_Clean:", shared && file ? rss : 0);
	smaps_kb(s, "Shared_Dirty:", shared && !file ? rss : 0);
	smaps_kb(s, "Private_Clean:", !shared && file ? rss : 0);
	smaps_kb(s, "Private_Dirty:", !shared && !file ? rss : 0);
	smaps_kb(s, "Referenced:", rss);
	smaps_kb(s, "Anonymous:", !shared && !file ? rss : 0);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		smaps_kb(s, zero[i], 0);
	smaps_kb(s, "Locked:", v->flags & VMA_LOCKED ? rss : 0);
	sb_printf(s, "THPeligible:    0\n");
	smaps_flags(s, v);
	return entry_fitted(s, at);
}

void show_pid_smaps(struct sbuf *s, struct process *p)
{
	struct vm_space *vs = live_vm(p);

	if (vs)
		uvm_walk(vs, smaps_step, s);
}

/* /proc/PID/statm: size resident shared text lib data dt, in pages. Text
 * is the executable file mappings, data the private writable regions
 * (Linux's data_vm + stack_vm); shared pages and lib are not counted. */
struct statm_sums {
	uint64_t size, text, data; /* pages */
};

/* uvm_walk's step for show_pid_statm. */
static bool statm_step(struct vm_space *vs, const struct vma *v, void *arg)
{
	struct statm_sums *t = arg;
	uint64_t pages = (v->end - v->start) / PAGE_SIZE;

	(void)vs;
	t->size += pages;
	if (v->name && (v->prot & VM_EXEC) && !(v->prot & VM_WRITE))
		t->text += pages;
	else if ((v->prot & VM_WRITE) && !(v->flags & VMA_SHARED))
		t->data += pages;
	return true;
}

void show_pid_statm(struct sbuf *s, struct process *p)
{
	struct vm_space *vs = live_vm(p);
	struct statm_sums t = { 0, 0, 0 };

	if (vs)
		uvm_walk(vs, statm_step, &t);
	sb_printf(s, "%lu %lu 0 %lu 0 %lu 0\n", (unsigned long)t.size,
		  (unsigned long)(vs ? vs->resident : 0), (unsigned long)t.text, (unsigned long)t.data);
}

void show_pid_cmdline(struct sbuf *s, struct process *p)
{
	size_t n = p->cmdline_len < sizeof(p->cmdline) ? p->cmdline_len : sizeof(p->cmdline);

	if (p->state == PROC_ALIVE)
		sb_bytes(s, p->cmdline, n);
}

void show_pid_comm(struct sbuf *s, struct process *p)
{
	sb_printf(s, "%s\n", p->name);
}

void show_pid_timerslack(struct sbuf *s, struct process *p)
{
	sb_printf(s, "%lu\n", (unsigned long)p->timer_slack_ns);
}

void show_pid_coredump_filter(struct sbuf *s, struct process *p)
{
	(void)p;
	sb_printf(s, "%08x\n", COREDUMP_FILTER_DEFAULT);
}
