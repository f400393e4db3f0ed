// SPDX-License-Identifier: MIT
/*
 * Kestrel: system-call dispatch. SYSCALL and int $0x80 both arrive with
 * a struct trap_frame; the number is in RAX and the arguments in RDI,
 * RSI, RDX, R10, R8, R9 (Linux x86_64). An unknown number is -ENOSYS.
 * Every call is recorded in this CPU's audit ring without any lock.
 */
#include "sys/syscall.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "panic.h"
#include "log.h"

#define MSR_STAR   0xc0000081u
#define MSR_LSTAR  0xc0000082u
#define MSR_FMASK  0xc0000084u
#define STAR_SYSCALL_SHIFT 32  /* SYSCALL: CS = this, SS = this + 8 */
#define STAR_SYSRET_SHIFT  48  /* SYSRET: SS = this + 8, CS = this + 16 */
#define RFLAGS_TF  (1ull << 8)
#define RFLAGS_DF  (1ull << 10)
#define RFLAGS_RF  (1ull << 16)
#define RFLAGS_AC  (1ull << 18)
#define AUDIT_RING 64

void syscall_entry(void);

static const syscall_fn table[SYS_COUNT] = {
	[SYS_read] = sys_read,
	[SYS_write] = sys_write,
	[SYS_mmap] = sys_mmap,
	[SYS_mprotect] = sys_mprotect,
	[SYS_munmap] = sys_munmap,
	[SYS_brk] = sys_brk,
	[SYS_rt_sigaction] = sys_ignored,
	[SYS_rt_sigprocmask] = sys_ignored,
	[SYS_ioctl] = sys_ioctl,
	[SYS_writev] = sys_writev,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_getpid] = sys_getpid,
	[SYS_exit] = sys_exit,
	[SYS_uname] = sys_uname,
	[SYS_gettimeofday] = sys_gettimeofday,
	[SYS_getuid] = sys_getuid,
	[SYS_getgid] = sys_getuid,
	[SYS_geteuid] = sys_getuid,
	[SYS_getegid] = sys_getuid,
	[SYS_getppid] = sys_getppid,
	[SYS_arch_prctl] = sys_arch_prctl,
	[SYS_gettid] = sys_gettid,
	[SYS_set_tid_address] = sys_set_tid_address,
	[SYS_clock_gettime] = sys_clock_gettime,
	[SYS_exit_group] = sys_exit,
	[SYS_set_robust_list] = sys_ignored,
};

/* The audit ring, one per CPU (reached through the per-CPU block): only
 * its own CPU writes it, so no lock; a slot is claimed by bumping the
 * index first. The panic path may read a half-written record, which is
 * acceptable for a post-mortem. */
struct audit_rec {
	uint64_t tsc;
	int32_t pid;
	uint32_t nr;
	uint64_t args[6];
	int64_t ret;
};
struct audit_ring {
	uint64_t next;
	struct audit_rec rec[AUDIT_RING];
};
static bool audit_serial;

void syscall_init(bool audit_to_serial)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)KERNEL_CS << STAR_SYSCALL_SHIFT) |
			((uint64_t)(USER_DS_BASE - 8) << STAR_SYSRET_SHIFT));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
	audit_serial = audit_to_serial;
	this_cpu()->audit = kzalloc(sizeof(struct audit_ring));
	if (!this_cpu()->audit)
		panic("syscall: no memory for the audit ring");
}

static long run(struct trap_frame *tf)
{
	uint64_t nr = tf->rax;
	struct process *p = current_process();
	struct audit_ring *ring = this_cpu()->audit;
	struct audit_rec *r = &ring->rec[ring->next++ % AUDIT_RING];

	*r = (struct audit_rec){ rdtsc(), p ? p->pid : 0, (uint32_t)nr,
				 { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 }, 0 };
	if (audit_serial && (nr == SYS_exit || nr == SYS_exit_group)) /* these never return */
		klog(LOG_INFO, "audit: pid %d syscall %lu (%#lx) = (does not return)\n", r->pid, nr,
		     tf->rdi);
	long ret = nr < SYS_COUNT && table[nr] ? table[nr](tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9)
					       : -ENOSYS;
	r->ret = ret;
	if (audit_serial)
		klog(LOG_INFO, "audit: pid %d syscall %lu (%#lx, %#lx, %#lx) = %ld\n", r->pid, nr,
		     tf->rdi, tf->rsi, tf->rdx, ret);
	return ret;
}

/* SYSRET reloads RIP from RCX and RFLAGS from R11 and cannot return to a
 * non-canonical RIP: on Intel CPUs it would raise #GP in ring 0 with the
 * user's RSP (the SYSRET pitfall). So SYSRET only when the frame still
 * says exactly what SYSCALL saved, RIP is a user address, and no trap
 * flag would fire on the way out; everything else leaves by IRET. */
static bool sysret_ok(const struct trap_frame *tf)
{
	return tf->rcx == tf->rip && tf->r11 == tf->rflags && tf->rip < USER_TOP - PAGE_SIZE &&
	       tf->cs == USER_CS && tf->ss == USER_DS && !(tf->rflags & (RFLAGS_TF | RFLAGS_RF));
}

bool syscall_dispatch(struct trap_frame *tf)
{
	cpu_sti();
	tf->rax = (uint64_t)run(tf);
	cpu_cli();
	sched_preempt_point(tf);
	process_check_pending();
	return sysret_ok(tf);
}

void syscall_int80(struct trap_frame *tf)
{
	cpu_sti();
	tf->rax = (uint64_t)run(tf);
	cpu_cli();
}	/* trap_dispatch does the return-to-user checks */

void audit_dump(void)
{
	const struct audit_ring *ring = percpu_ready() ? this_cpu()->audit : NULL;

	if (!ring)
		return;
	uint64_t end = ring->next, start = end > 8 ? end - 8 : 0;
	panic_printf("last system calls on this CPU (of %lu):\n", end);
	for (uint64_t i = start; i < end; i++) {
		const struct audit_rec *r = &ring->rec[i % AUDIT_RING];
		panic_printf("  pid %d nr %u (%#lx, %#lx, %#lx) = %ld\n", r->pid, r->nr, r->args[0],
			     r->args[1], r->args[2], r->ret);
	}
}
