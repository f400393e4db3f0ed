/* SPDX-License-Identifier: MIT */
/* CPU helpers shared by the SMP self-test programs (conform-cpus, conform-sched, conform-smp). */
#ifndef ROOTFS_CPUS_H
#define ROOTFS_CPUS_H

/* The includer defines _GNU_SOURCE before any include (cpu_set_t). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h" /* stat_fields */

/* Pin the calling thread to CPU cpu: 0, or -1 with errno. */
__attribute__((unused))
static int pin_to_cpu(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

/* Field 39 (processor: the CPU it last ran on) of the stat file at path
 * (/proc/PID/stat, /proc/PID/task/TID/stat), or -1. */
__attribute__((unused))
static long stat_processor(const char *path)
{
	char buf[1024], *p = stat_fields(path, buf, sizeof(buf));

	if (!p)
		return -1;
	/* field 39 is 36 fields after field 3 */
	for (int field = 3; field < 39; field++) {
		if (!(p = strchr(p, ' ')))
			return -1;
		p++;
	}
	return strtol(p, NULL, 10);
}

#endif
