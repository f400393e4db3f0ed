/* SPDX-License-Identifier: MIT */
/* The 8254 programmable interval timer: channel 2 as a last-resort reference clock, channel 0 for the IRQ self-test. */
#ifndef KESTREL_DEV_PIT_H
#define KESTREL_DEV_PIT_H

#include <stdint.h>
#include "time/refclock.h"

/* Start channel 2 (gate on, speaker off) as a free-running 16-bit
 * counter and return it as a reference clock; NULL if it does not count
 * (some modern machines gate the 8254 off). Wraps every 55 ms: callers
 * must read it more often than that. */
const struct refclock *pit_clock_init(void);

/* Channel 0 raises ISA IRQ 0 at about hz (19..1193182), or stops. */
void pit_ch0_periodic(uint32_t hz);
void pit_ch0_stop(void);

#endif
