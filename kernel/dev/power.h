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

/* power=acpi (the default order, power.c) or power=efi (EFI
 * ResetSystem first, ACPI's registers never written: for machines whose
 * ACPI tables lie, and to test the firmware's way). False for another
 * value. Called while the command line is parsed. */
bool power_set_method(const char *val, uint32_t len);

/* Map the FADT's memory-space power registers (sleep control/status,
 * reset). Once, after mm_init and acpi_init; without it those registers
 * are skipped (I/O and PCI ones still work). */
void power_init(void);

/* Power off / reset the machine, trying each method in turn (power.c
 * says which, in which order); the last resort halts (power off) or
 * triple-faults (reset). Any context: interrupts are turned off. */
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_reboot(void);

#endif
