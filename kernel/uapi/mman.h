/* SPDX-License-Identifier: MIT */
/* Linux's memory-mapping ABI: mmap protections and flags, madvise advice. */
#ifndef KESTREL_UAPI_MMAN_H
#define KESTREL_UAPI_MMAN_H

/* mmap and mprotect protections. */
#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

/* mmap flags (x86_64). */
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE  0x8000
#define MAP_STACK     0x20000

/* madvise advice. */
#define MADV_NORMAL         0
#define MADV_DONTNEED       4
#define MADV_FREE           8
#define MADV_COLLAPSE       25  /* the last of Linux's ordinary advice values */
#define MADV_GUARD_INSTALL  102
#define MADV_GUARD_REMOVE   103

#endif
