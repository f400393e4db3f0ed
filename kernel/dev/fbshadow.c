// SPDX-License-Identifier: MIT
/*
 * Kestrel: the framebuffer console's kernel side (fbcon.c itself is pure
 * and host-tested): the shadow buffer's memory and the thread that
 * copies changed text rows to video memory FLUSH_HZ times a second, so a
 * burst of output costs one copy of the screen per period, not one per
 * scrolled line.
 */
#include "dev/fbshadow.h"
#include "dev/fbcon.h"
#include "log.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/pat.h"
#include "mm/layout.h"
#include "mm/vmalloc.h"
#include "proc/sched.h"
#include "test/selftest.h"
#include "time/time.h"

#define FLUSH_HZ          50
#define NS_PER_SEC        1000000000ull
#define FLUSH_INTERVAL_NS (NS_PER_SEC / FLUSH_HZ)
#define KIB               1024

/* Takes the changed rows with interrupts off (a log line from an
 * interrupt handler must not mark rows between the reading and the
 * clearing of the dirty range), then copies them with interrupts on: a
 * whole 4K screen is tens of MiB. Under the kernel lock no other CPU
 * draws (a panic aside). */
static void flusher(void *arg)
{
	uint32_t lo, hi;

	(void)arg;
	for (;;) {
		sleep_until(time_ns() + FLUSH_INTERVAL_NS);
		uint64_t f = irq_save();
		fbcon_take_dirty(&lo, &hi);
		irq_restore(f);
		fbcon_flush_rows(lo, hi);
	}
}

void fbshadow_start(void)
{
	size_t bytes = fbcon_shadow_bytes();
	const char *wc = pat_wc_available() ? "write-combining" : "without write-combining";

	if (!bytes)
		return;
	uint32_t *mem = vmalloc(bytes);
	uint64_t f = irq_save();
	bool ok = mem && fbcon_attach_shadow(mem, bytes);
	irq_restore(f);
	if (!ok) {
		vfree(mem);
		klog(LOG_WARN, "fbcon: no memory for a %zu KiB shadow buffer; drawing straight "
			       "to the framebuffer (%s)\n", bytes / KIB, wc);
		return;
	}
	struct thread *t = thread_create_kernel("fbflush", flusher, NULL);
	if (t) {
		fbcon_set_deferred(true);
		thread_make_runnable(t);
	}
	klog(LOG_INFO, "fbcon: shadow buffer %zu KiB, flushed %s; framebuffer %s\n", bytes / KIB,
	     t ? "50 times a second" : "by every write", wc);
}

/* The PAT holds Linux's layout on this CPU (the boot CPU: the others copy
 * it, cpu_features_init_ap) and the framebuffer's pages select its
 * write-combining entry: PWT without PCD. */
SELFTEST(fb_write_combining)
{
	if (!pat_wc_available())
		return SELFTEST_SKIP("no PAT");
	if (!fbcon_cols())
		return SELFTEST_SKIP("no framebuffer");
	if (rdmsr(MSR_PAT) != PAT_LINUX_LAYOUT)
		return "the PAT is not Linux's layout";
	uint64_t e = arch_leaf_entry(FB_VIRT);
	if (!e || (e & (PTE_PWT | PTE_PCD)) != PTE_PWT)
		return "the framebuffer is not mapped through the PAT's write-combining entry";
	return NULL;
}
