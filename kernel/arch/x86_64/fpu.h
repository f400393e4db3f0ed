/* SPDX-License-Identifier: MIT */
/* Saving and restoring user FPU/SSE/AVX state (XSAVE where present, else FXSAVE). */
#ifndef KESTREL_ARCH_FPU_H
#define KESTREL_ARCH_FPU_H

#include <stddef.h>

/* Capture a clean state (after fninit, default MXCSR) for new threads. */
void fpu_boot_init(void);
/* Bytes a thread's save area needs; areas must be 64-byte aligned. */
size_t fpu_area_size(void);
void fpu_init_area(void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);

#endif
