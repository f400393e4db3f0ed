/* SPDX-License-Identifier: MIT */
/* Host stand-ins for what kernel/mm/heap.c uses (included first with -include): the direct map is a malloc'd arena, locks do nothing, panic longjmps back to the test. */
#ifndef KESTREL_TESTS_HEAP_HOST_H
#define KESTREL_TESTS_HEAP_HOST_H

/* Claim the kernel headers' include guards so heap.c gets these instead. */
#define KESTREL_MM_LAYOUT_H
#define KESTREL_LIB_SPINLOCK_H
#define KESTREL_LIB_STRING_H
#define KESTREL_PANIC_H

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

/* panic.h */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
