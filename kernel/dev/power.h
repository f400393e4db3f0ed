/* SPDX-License-Identifier: MIT */
/* Power off, reset, and the QEMU isa-debug-exit port for test runs. */
#ifndef KESTREL_DEV_POWER_H
#define KESTREL_DEV_POWER_H

#include <stdbool.h>
#include <stdint.h>

/* isa-debug-exit: QEMU exits with (status << 1) | 1. */
#define DEBUGEXIT_PORT  0xf4
#define DEBUGEXIT_PANIC 0x7f   /* status a panic reports: QEMU exit 255 */

/* Only with `debugexit` on the command line is the port ever touched. */
void debugexit_enable(bool on);
void debugexit_if_enabled(uint8_t status);

__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_reboot(void);

#endif
