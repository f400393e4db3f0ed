// SPDX-License-Identifier: MIT
/* Kestrel x86_64: the other CPUs. STUB until the bring-up lands: one CPU. */
#include "arch/x86_64/smp.h"
#include "log.h"

void smp_init(const struct kbi_boot_info *bi, unsigned max_cpus)
{
	(void)bi;
	(void)max_cpus;
	klog(LOG_INFO, "smp: 1 CPU online\n");
}

unsigned smp_cpus_online(void)
{
	return 1;
}

struct percpu *smp_cpu(unsigned id)
{
	return id == 0 ? this_cpu() : NULL;
}

void smp_send_ipi(unsigned id, unsigned vector)
{
	(void)id;
	(void)vector;
}
