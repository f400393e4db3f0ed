/* SPDX-License-Identifier: MIT */
/* Host stand-in for kernel/mm/heap.h (FAT tests and fuzzer): the C library's allocator. */
#ifndef KESTREL_HOST_HEAP_H
#define KESTREL_HOST_HEAP_H

#include <stdlib.h>

static inline void *kmalloc(size_t size) { return malloc(size); }
static inline void *kzalloc(size_t size) { return calloc(1, size); }
static inline void kfree(void *p) { free(p); }

#endif
