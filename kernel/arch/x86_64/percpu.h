/* SPDX-License-Identifier: MIT */
/* Per-CPU data, reached through the GS base with a self pointer. */
#ifndef KESTREL_ARCH_PERCPU_H
#define KESTREL_ARCH_PERCPU_H

#define PERCPU_SELF       0
#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP   16
#define PERCPU_CURRENT    32

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/cpu.h"

/*
 * One block per CPU, allocated at bring-up and never freed. In the
 * kernel GS_BASE points at it (KERNEL_GS_BASE holds the user's value
 * while the kernel runs; swapgs exchanges them on entry from and exit
 * to ring 3). The first field points at the block itself, so
 * this_cpu() is one load: mov %gs:0. Lock rule: fields are private to
 * their CPU unless marked otherwise. Offsets used by assembly are fixed
 * below.
 */
struct percpu {
	struct percpu *self;       /* 0: this block */
	uint64_t kernel_rsp;       /* 8: top of the current thread's kernel stack */
	uint64_t user_rsp;         /* 16: scratch for the syscall entry */
	uint32_t cpu_id;           /* dense index, 0 = boot CPU */
	uint32_t apic_id;
	void *current;             /* the running thread (scheduler) */
	/* The user FS and GS bases loaded in this CPU's MSRs (FS_BASE and,
	 * while in the kernel, KERNEL_GS_BASE), as thread.c last wrote or read
	 * them back (a program can change them by loading FS or GS: thread.c). */
	uint64_t user_fs_base, user_gs_base;
	/* The scheduler's (proc/sched.c): set by this CPU's tick or another
	 * CPU's wake-up (under the kernel lock), cleared by this CPU's switch. */
	volatile bool need_resched;
	/* How deep this CPU holds the kernel lock (arch/x86_64/klock.h): 0 when
	 * it does not hold it. Private to the CPU. */
	uint32_t klock_depth;
	/* This CPU halts waiting for the kernel lock (klock.c): read by the
	 * CPU that releases it, to wake it. */
	volatile bool klock_halted;
	void *idle;                /* this CPU's idle thread (scheduler) */
	void *tss;                 /* this CPU's TSS (gdt.c: RSP0 at each switch); NULL: the boot CPU's */
	void *audit_ring;          /* this CPU's system-call audit ring (audit.h), set with cpu_id */
	bool dr_armed;             /* DR7 enables a user breakpoint (debugreg.c) */
};

_Static_assert(__builtin_offsetof(struct percpu, kernel_rsp) == PERCPU_KERNEL_RSP, "offset");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "offset");
_Static_assert(__builtin_offsetof(struct percpu, current) == PERCPU_CURRENT, "offset");
_Static_assert(__builtin_offsetof(struct percpu, cpu_id) == PERCPU_CPU_ID, "offset"); /* cpu.h's */

/* Allocate and install the boot CPU's block (needs kmalloc). */
void percpu_init_boot_cpu(void);
/* Another CPU's block, allocated by the boot CPU (smp.c; NULL when out of
 * memory), with cpu_id, apic_id and tss (gdt.h) set; that CPU installs it
 * with percpu_install as it starts (interrupts off). */
struct percpu *percpu_alloc(uint32_t cpu_id, uint32_t apic_id, void *tss);
void percpu_install(struct percpu *blk);

/* False before percpu_init_boot_cpu(): for the panic path, which may run
 * that early and must not read through a zero GS base. */
static inline bool percpu_ready(void)
{
	return rdmsr(MSR_GS_BASE) != 0;
}

/* Is blk the block GS_BASE points at (a self-test of the set-up)? */
static inline bool percpu_is_installed(const struct percpu *blk)
{
	return rdmsr(MSR_GS_BASE) == (uint64_t)blk;
}

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* this_cpu()->current in one load (every system call asks for it). */
static inline void *this_cpu_current(void)
{
	void *t;
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(PERCPU_CURRENT));
	return t;
}

/* this_cpu()->audit_ring in one load (every system call records itself). */
static inline void *this_cpu_audit_ring(void)
{
	void *r;
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(r) : "i"(__builtin_offsetof(struct percpu, audit_ring)));
	return r;
}

/* this_cpu()->need_resched and ->klock_depth in one instruction each
 * (the system-call path reads and writes them on every call). */
static inline bool this_cpu_need_resched(void)
{
	bool r;
	__asm__ volatile("movb %%gs:%c1, %0" : "=q"(r) : "i"(__builtin_offsetof(struct percpu, need_resched)));
	return r;
}

/* Decrement this CPU's klock_depth; true when it reached 0. */
static inline bool this_cpu_klock_depth_dec(void)
{
	bool zero;
	__asm__ volatile("decl %%gs:%c1" : "=@ccz"(zero) : "i"(__builtin_offsetof(struct percpu, klock_depth))
			 : "memory");
	return zero;
}

static inline uint32_t this_cpu_klock_depth(void)
{
	uint32_t d;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(d) : "i"(__builtin_offsetof(struct percpu, klock_depth)));
	return d;
}

static inline void this_cpu_set_klock_depth(uint32_t d)
{
	__asm__ volatile("movl %0, %%gs:%c1" : : "ri"(d), "i"(__builtin_offsetof(struct percpu, klock_depth))
			 : "memory");
}
#endif /* __ASSEMBLER__ */

#endif
