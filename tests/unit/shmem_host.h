/* SPDX-License-Identifier: MIT */
/* Host stand-ins for what kernel/mm/shmem.c uses (included first with -include): the heap and pages from the host heap, the direct map the identity, page references counted by test_shmem.c. */
#ifndef KESTREL_TESTS_SHMEM_HOST_H
#define KESTREL_TESTS_SHMEM_HOST_H

/* Claim the kernel headers' include guards so shmem.c gets these instead. */
#define KESTREL_MM_HEAP_H
#define KESTREL_MM_LAYOUT_H
#define KESTREL_MM_PMM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE ((uint64_t)4096)
static inline void *phys_to_virt(uint64_t phys) { return (void *)(uintptr_t)phys; }
static inline uint64_t virt_to_phys(const void *p) { return (uint64_t)(uintptr_t)p; }

/* mm/heap.h and mm/pmm.h: in test_shmem.c, which counts and can fail them. */
void *kzalloc(size_t size);
void kfree(void *p);
void *page_alloc_zeroed(void);
void page_free(void *page);
void page_ref_put(uint64_t phys);

#endif
