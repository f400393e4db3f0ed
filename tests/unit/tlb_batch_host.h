/* SPDX-License-Identifier: MIT */
/* Host stand-ins for what kernel/mm/tlb_batch.c uses (included first with -include): pages from the host heap, the direct map the identity, shootdowns recorded by the test. */
#ifndef KESTREL_TESTS_TLB_BATCH_HOST_H
#define KESTREL_TESTS_TLB_BATCH_HOST_H

/* Claim the kernel headers' include guards so tlb_batch.c gets these instead. */
#define KESTREL_MM_LAYOUT_H
#define KESTREL_MM_PMM_H
#define KESTREL_ARCH_TLB_H

#include <stdbool.h>
#include <stdint.h>

/* mm/layout.h: a host pointer is its own physical address. */
#define PAGE_SIZE ((uint64_t)4096)
static inline void *phys_to_virt(uint64_t phys) { return (void *)(uintptr_t)phys; }
static inline uint64_t virt_to_phys(const void *p) { return (uint64_t)(uintptr_t)p; }
static inline uint64_t page_round_down(uint64_t v) { return v & ~(PAGE_SIZE - 1); }

/* mm/pmm.h: order 0 only, in test_tlb_batch.c (which can make it fail). */
uint64_t pmm_alloc(unsigned order);
void pmm_free(uint64_t phys, unsigned order);

/* arch/x86_64/tlb.h: recorded by test_tlb_batch.c. */
void tlb_shootdown(uint64_t pml4, uint64_t start, uint64_t end);
void tlb_shootdown_kernel(uint64_t start, uint64_t end);

#endif
