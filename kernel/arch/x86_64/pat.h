/* SPDX-License-Identifier: MIT */
/* The page attribute table: Linux's layout, so that a page-table entry with PWT alone is write-combining. */
#ifndef KESTREL_ARCH_X86_64_PAT_H
#define KESTREL_ARCH_X86_64_PAT_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_PAT 0x277u

/* Memory types of a PAT entry (SDM vol. 3, "Page Attribute Table"). */
#define PAT_TYPE_UC       0x00u /* uncacheable */
#define PAT_TYPE_WC       0x01u /* write-combining */
#define PAT_TYPE_WT       0x04u /* write-through */
#define PAT_TYPE_WP       0x05u /* write-protected */
#define PAT_TYPE_WB       0x06u /* write-back */
#define PAT_TYPE_UC_MINUS 0x07u /* uncacheable, overridable by a WC MTRR */

#define PAT_ENTRY(i, type) ((uint64_t)(type) << ((i) * 8))

/*
 * Linux's layout (arch/x86/mm/pat/memtype.c). An entry is chosen by a
 * page-table entry's PAT, PCD and PWT bits (index PAT*4 + PCD*2 + PWT):
 *   0 WB   (none)      the default, as at power-on
 *   1 WC   (PWT)       power-on WT: the framebuffer (VM_WC)
 *   2 UC-  (PCD)       as at power-on
 *   3 UC   (PCD PWT)   as at power-on: device registers (VM_UNCACHED)
 *   4 WB, 5 WP, 6 UC-, 7 WT: the PAT bit set; no Kestrel mapping uses them
 * Only entry 1 changes meaning for the bits Kestrel sets, and nothing
 * maps with PWT alone before pat_init.
 */
#define PAT_LINUX_LAYOUT                                                       \
	(PAT_ENTRY(0, PAT_TYPE_WB) | PAT_ENTRY(1, PAT_TYPE_WC) |               \
	 PAT_ENTRY(2, PAT_TYPE_UC_MINUS) | PAT_ENTRY(3, PAT_TYPE_UC) |         \
	 PAT_ENTRY(4, PAT_TYPE_WB) | PAT_ENTRY(5, PAT_TYPE_WP) |               \
	 PAT_ENTRY(6, PAT_TYPE_UC_MINUS) | PAT_ENTRY(7, PAT_TYPE_WT))

/*
 * On the boot CPU, before any mapping asks for write-combining: writes
 * PAT_LINUX_LAYOUT to the PAT (caches written back and the TLB flushed
 * around the change, as the SDM asks). has_pat: CPUID.1:EDX.PAT; without
 * it nothing is written and PWT alone stays write-through. The other
 * CPUs copy the boot CPU's PAT (cpu_features_init_ap). Returns whether
 * write-combining is now available. Interrupts off, before SMP.
 */
bool pat_init(bool has_pat);

/* True once pat_init programmed the write-combining entry. */
bool pat_wc_available(void);

#endif
