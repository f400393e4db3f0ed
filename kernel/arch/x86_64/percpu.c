// SPDX-License-Identifier: MIT
/* Kestrel x86_64: setting up per-CPU blocks. */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"
#include "mm/heap.h"
#include "audit.h"
#include "panic.h"

/* Install blk as this CPU's block: GS_BASE for the kernel, and a zero
 * KERNEL_GS_BASE, which becomes the user's GS base after swapgs, and a
 * zero FS_BASE (whatever the firmware left): the user bases blk records. */
static void install(struct percpu *blk)
{
	blk->self = blk;
	blk->user_fs_base = blk->user_gs_base = 0;
	wrmsr(MSR_GS_BASE, (uint64_t)blk);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
}

void percpu_init_boot_cpu(void)
{
	struct percpu *blk = kzalloc(sizeof(*blk));

	if (!blk)
		panic("percpu: no memory for the boot CPU's block");
	blk->cpu_id = 0;
	blk->audit_ring = audit_ring_bind(0, blk);
	install(blk); /* tss stays NULL: gdt.c's own boot TSS */
}

struct percpu *percpu_alloc(uint32_t cpu_id, uint32_t apic_id, void *tss)
{
	struct percpu *blk = kzalloc(sizeof(*blk));

	if (blk) {
		blk->cpu_id = cpu_id;
		blk->audit_ring = audit_ring_bind(cpu_id, blk);
		blk->apic_id = apic_id;
		blk->tss = tss;
	}
	return blk;
}

void percpu_install(struct percpu *blk)
{
	install(blk);
}
