// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the page attribute table, set to Linux's layout so the
 * framebuffer can be mapped write-combining (a WC mapping gathers a
 * line's stores into one bus burst; plain uncached stores go out one by
 * one, which is what makes a UEFI framebuffer slow on real machines).
 */
#include "arch/x86_64/pat.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"

static bool wc_on;

static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

bool pat_init(bool has_pat)
{
	if (!has_pat)
		return false;
	if (rdmsr(MSR_PAT) != PAT_LINUX_LAYOUT) {
		wbinvd();
		wrmsr(MSR_PAT, PAT_LINUX_LAYOUT);
		wbinvd();
		arch_flush_tlb_all();
	}
	wc_on = true;
	return true;
}

bool pat_wc_available(void)
{
	return wc_on;
}
