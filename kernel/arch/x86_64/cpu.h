/* SPDX-License-Identifier: MIT */
/* x86_64 privileged instructions behind small named wrappers, with the MSR and bit names they use. */
#ifndef KESTREL_ARCH_CPU_H
#define KESTREL_ARCH_CPU_H

#include <stdint.h>

#define MSR_EFER          0xc0000080u
#define MSR_FS_BASE       0xc0000100u
#define MSR_GS_BASE       0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u

#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_NXE  (1ull << 11)

#define RFLAGS_CF    (1ull << 0)
#define RFLAGS_FIXED (1ull << 1)   /* always reads as 1 */
#define RFLAGS_PF    (1ull << 2)
#define RFLAGS_AF    (1ull << 4)
#define RFLAGS_ZF    (1ull << 6)
#define RFLAGS_SF    (1ull << 7)
#define RFLAGS_TF    (1ull << 8)
#define RFLAGS_IF    (1ull << 9)
#define RFLAGS_DF    (1ull << 10)
#define RFLAGS_OF    (1ull << 11)
#define RFLAGS_IOPL  (3ull << 12)
#define RFLAGS_NT    (1ull << 14)  /* nested task: IRET in long mode faults while it is set */
#define RFLAGS_RF    (1ull << 16)
#define RFLAGS_AC    (1ull << 18)  /* with SMAP: the kernel may touch user pages */

/* A user thread's first RFLAGS (exec, a new thread): interrupts on, nothing else. */
#define RFLAGS_USER_INITIAL (RFLAGS_IF | RFLAGS_FIXED)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* rdtsc after every earlier load has completed (LFENCE: on Intel and on
 * AMD with LFENCE dispatch-serialising, as Linux's rdtsc_ordered): for
 * readings compared between CPUs. */
static inline uint64_t rdtsc_ordered(void)
{
	__asm__ volatile("lfence" ::: "memory");
	return rdtsc();
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
/* The debug registers: DR0-DR3 addresses, DR6 status, DR7 control. */
static inline uint64_t read_dr6(void) { uint64_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static inline void write_dr6(uint64_t v) { __asm__ volatile("mov %0, %%dr6" ::"r"(v)); }
static inline void write_dr7(uint64_t v) { __asm__ volatile("mov %0, %%dr7" ::"r"(v)); }
static inline void write_dr_addr(unsigned i, uint64_t v)
{
	switch (i) {
	case 0: __asm__ volatile("mov %0, %%dr0" ::"r"(v)); break;
	case 1: __asm__ volatile("mov %0, %%dr1" ::"r"(v)); break;
	case 2: __asm__ volatile("mov %0, %%dr2" ::"r"(v)); break;
	default: __asm__ volatile("mov %0, %%dr3" ::"r"(v)); break;
	}
}
#define CR4_TSD (1ull << 2) /* time stamp disable: RDTSC and RDTSCP #GP outside ring 0 */

static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause"); }
/* Called with interrupts off after finding nothing to do: enable them and
 * halt until the next one. STI takes effect after the next instruction, so
 * an interrupt cannot slip in between and be lost before the HLT. */
static inline void cpu_idle_wait(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
/* A breakpoint trap (#BP), for a debugger or a test of the trap path. */
static inline void cpu_breakpoint(void) { __asm__ volatile("int3"); }
/* An invalid-opcode trap (#UD), on purpose. */
static inline void cpu_invalid_opcode(void) { __asm__ volatile("ud2"); }

/* Switch RSP to stack_top and call fn there, never to come back (the
 * old stack is abandoned): for tests that must fault on a given stack. */
static inline __attribute__((noreturn)) void cpu_call_on_stack(uint64_t stack_top, void (*fn)(void))
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "call *%1\n\t"
			 "ud2"
			 :
			 : "r"(stack_top), "r"(fn)
			 : "memory");
	__builtin_unreachable();
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void lgdt(const struct desc_ptr *p) { __asm__ volatile("lgdt %0" ::"m"(*p)); }
static inline void lidt(const struct desc_ptr *p) { __asm__ volatile("lidt %0" ::"m"(*p)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" ::"r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" ::"r"(sel)); }

/* This CPU's dense index (percpu.h's cpu_id, at PERCPU_CPU_ID in the
 * block GS points at; percpu.h checks the offset) in one load, for code
 * below the per-CPU blocks' allocator (mm/heap.c's caches), which may
 * not include percpu.h or smp.h. Only once the block is installed. */
#define PERCPU_CPU_ID 24
static inline unsigned cpu_this_index(void)
{
	uint32_t id;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(PERCPU_CPU_ID));
	return id;
}

/* Disable interrupts, returning the previous RFLAGS for irq_restore. */
static inline uint64_t irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		cpu_sti();
}

/* Stop this CPU for good: interrupts off, halt forever (an NMI may wake
 * hlt, hence the loop). */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;) {
		cpu_cli();
		cpu_hlt();
	}
}

#endif
