/* SPDX-License-Identifier: MIT */
/* personality(2)'s values, as Linux's include/uapi/linux/personality.h. */
#ifndef KESTREL_UAPI_PERSONALITY_H
#define KESTREL_UAPI_PERSONALITY_H

/* Flags kept beside the execution domain, in the bits above PER_MASK. */
#define UNAME26            0x0020000
#define ADDR_NO_RANDOMIZE  0x0040000 /* no address-space randomisation */
#define FDPIC_FUNCPTRS     0x0080000
#define MMAP_PAGE_ZERO     0x0100000
#define ADDR_COMPAT_LAYOUT 0x0200000
#define READ_IMPLIES_EXEC  0x0400000
#define ADDR_LIMIT_32BIT   0x0800000
#define SHORT_INODE        0x1000000
#define WHOLE_SECONDS      0x2000000
#define STICKY_TIMEOUTS    0x4000000 /* select and friends leave the timeout as it was */
#define ADDR_LIMIT_3GB     0x8000000

/* What an exec that changes ids or gains capabilities clears. */
#define PER_CLEAR_ON_SETID (READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO)

#define PER_LINUX          0x0000
#define PER_MASK           0x00ff    /* the execution domain */
/* personality(PERSONALITY_QUERY) reads without changing it. */
#define PERSONALITY_QUERY  0xffffffffu

#endif
