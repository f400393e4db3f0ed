/* SPDX-License-Identifier: MIT */
/* Host stand-ins for what kernel/mm/heap.c uses (included first with -include): the direct map is a malloc'd arena, locks and interrupts do nothing, the CPU is whichever host_cpu names, panic longjmps back to the test. */
#ifndef KESTREL_TESTS_HEAP_HOST_H
#define KESTREL_TESTS_HEAP_HOST_H

/* Claim the kernel headers' include guards so heap.c gets these instead. */
#define KESTREL_MM_LAYOUT_H
#define KESTREL_LIB_SPINLOCK_H
#define KESTREL_LIB_STRING_H
#define KESTREL_PANIC_H
#define KESTREL_ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* mm/layout.h: physical address p lives at host_arena + p. */
extern uint8_t *host_arena;
#define PAGE_SIZE ((uint64_t)4096)
#define PAGE_SHIFT 12
#define DIRECT_MAP_BASE ((uint64_t)host_arena)
static inline void *phys_to_virt(uint64_t phys) { return host_arena + phys; }
static inline uint64_t virt_to_phys(const void *p) { return (uint64_t)((const uint8_t *)p - host_arena); }
static inline uint64_t page_offset(uint64_t v) { return v & (PAGE_SIZE - 1); }

/* lib/spinlock.h: one thread, no interrupts. */
struct spinlock { int unused; };
#define SPINLOCK_INIT { 0 }
static inline uint64_t spin_lock_irqsave(struct spinlock *l) { (void)l; return 0; }
static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t f) { (void)l; (void)f; }
static inline void spin_lock_irqoff(struct spinlock *l) { (void)l; }
static inline void spin_unlock_irqoff(struct spinlock *l) { (void)l; }

/* arch/x86_64/cpu.h: the test picks the CPU a call runs on, one of HOST_CPUS. */
static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t f) { (void)f; }
#define HOST_CPUS 4
extern unsigned host_cpu;
static inline unsigned cpu_this_index(void) { return host_cpu; }

/* panic.h */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
