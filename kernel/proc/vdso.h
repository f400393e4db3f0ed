/* SPDX-License-Identifier: MIT */
/* The vDSO: its data page ([vvar]) and code ([vdso]) mapped into every new program, as Linux's. */
#ifndef KESTREL_PROC_VDSO_H
#define KESTREL_PROC_VDSO_H

#include <stdint.h>
#include "mm/uvm.h"

/*
 * Where exec puts them: a fixed spot (Kestrel places everything at fixed
 * bases, no randomisation), the bottom of the 1 GiB (VDSO_STACK_SPAN)
 * whose page directory the stack's top already needs: so they cost each
 * process one page table, not a page directory as well (measured: 2.6k
 * instructions of a fork + exit). Above the interpreter's base and
 * where mmap searches (USER_MMAP_BASE down); the stack stops growing
 * STACK_GUARD_GAP above them, at about 1 GiB (Linux's default layout
 * puts mmap_base 128 MiB or RLIMIT_STACK below the stack). The regions
 * are ordinary ones afterwards: munmap, MAP_FIXED over them and mremap
 * act on them as on any region (as Linux allows; a program that unmaps
 * its vDSO and then calls it faults, as there).
 *
 *   VDSO_VVAR_ADDR              [vvar]  one page, r--p, the clock (time/vvar.h)
 *   VDSO_VVAR_ADDR + PAGE_SIZE  [vdso]  the image (vdso/), r-xp; AT_SYSINFO_EHDR
 */
#define VDSO_STACK_SPAN (1ull << 30)
#define VDSO_VVAR_ADDR  (USER_VA_END & ~(VDSO_STACK_SPAN - 1))
#define VDSO_TEXT_ADDR (VDSO_VVAR_ADDR + PAGE_SIZE)

/* Check the embedded image and make the pages every process maps: the
 * code copied in, the data page handed to the clock (time_attach_vvar).
 * Once at boot, after time_init. On failure (a log line says why)
 * vdso_map maps nothing and programs make real system calls. */
void vdso_init(void);

/* Map [vvar] and [vdso] into a new address space (exec): the image's
 * address for AT_SYSINFO_EHDR, or 0 when there is none (vdso_init
 * failed, or no memory for the regions: the program runs without). The
 * space's regions are its own; fork copies them as any other. With or
 * without the kernel lock (exec builds its image without it): linking a
 * region to its object needs only mm/uvm.c's rmap_lock, and the one
 * undo that takes a region off an object's list takes the kernel lock. */
uint64_t vdso_map(struct vm_space *vs);

#endif
