/* SPDX-License-Identifier: MIT */
/* Linux's memory-mapping ABI: mmap protections and flags, madvise advice. */
#ifndef KESTREL_UAPI_MMAN_H
#define KESTREL_UAPI_MMAN_H

/* mmap and mprotect protections. */
#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define PROT_SEM   8                /* accepted and ignored on x86_64 */
#define PROT_GROWSDOWN 0x01000000   /* mprotect: extend down to a grows-down region's start */
#define PROT_GROWSUP   0x02000000

/* mmap flags (x86_64). */
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_SHARED_VALIDATE 0x03   /* MAP_SHARED that refuses unknown flags */
#define MAP_TYPE      0x0f         /* the mapping type: SHARED, PRIVATE, SHARED_VALIDATE */
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_32BIT     0x40         /* x86_64: place the mapping in the first 2 GiB */
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED    0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE  0x8000
#define MAP_NONBLOCK  0x10000
#define MAP_STACK     0x20000
#define MAP_HUGETLB   0x40000
#define MAP_FIXED_NOREPLACE 0x100000   /* MAP_FIXED that fails with EEXIST over a mapping */
#define MAP_UNINITIALIZED 0x4000000
/* The flags MAP_SHARED and MAP_PRIVATE take (others are ignored), and
 * all that MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK). */
#define MAP_LEGACY_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
			 MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | \
			 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* mremap flags. */
#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4

/* msync flags. */
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4

/* mlock2 flags, mlockall flags. */
#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT   1
#define MCL_FUTURE    2
#define MCL_ONFAULT   4

/* madvise advice. */
#define MADV_NORMAL         0
#define MADV_DONTNEED       4
#define MADV_FREE           8
#define MADV_REMOVE         9
#define MADV_DONTFORK       10
#define MADV_DOFORK         11
#define MADV_DONTDUMP       16
#define MADV_DODUMP         17
#define MADV_WIPEONFORK     18
#define MADV_MERGEABLE      12
#define MADV_UNMERGEABLE    13
#define MADV_KEEPONFORK     19
#define MADV_COLLAPSE       25  /* the last of Linux's ordinary advice values */
#define MADV_GUARD_INSTALL  102
#define MADV_GUARD_REMOVE   103

#endif
