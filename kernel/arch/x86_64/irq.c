// SPDX-License-Identifier: MIT
/* Kestrel x86_64: the device-interrupt handler table and dispatch. */
#include "arch/x86_64/irq.h"
#include "arch/x86_64/idt.h"
#include "log.h"

static irq_handler_t handlers[VEC_COUNT];

void irq_set_handler(unsigned vector, irq_handler_t h)
{
	if (vector >= VEC_EXCEPTIONS && vector < VEC_COUNT)
		handlers[vector] = h;
}

void irq_dispatch(struct trap_frame *tf)
{
	irq_handler_t h = handlers[tf->vector];

	if (h)
		h(tf);
	else
		klog(LOG_WARN, "irq: unexpected interrupt on vector %lu\n", tf->vector);
}
