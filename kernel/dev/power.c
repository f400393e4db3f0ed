// SPDX-License-Identifier: MIT
/*
 * Kestrel: power off (ACPI S5) and reset (FADT reset register, the PCI
 * reset-control port, the keyboard controller, then a triple fault).
 * UEFI ResetSystem() is not used yet: it needs the runtime-services
 * regions mapped, which the kernel does not do (see the closing note).
 */
#include "dev/power.h"
#include "firmware/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "time/time.h"
#include "log.h"

#define PM1_SCI_EN        (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN        (1u << 13)
#define PCI_RESET_PORT    0xcf9
#define PCI_RESET_SYS_RST 0x02
#define PCI_RESET_CPU_RST 0x04
#define KBC_STATUS_PORT   0x64
#define KBC_STATUS_IBF    0x02
#define KBC_CMD_RESET     0xfe
/* Waits, on the TSC (time/time.h). After the S5 or a reset write the
 * machine stops within microseconds; POWER_SETTLE_MS is the grace given
 * before the next method. ACPI mode takes the firmware's SMI handler up
 * to a few hundred ms (ACPICA allows 3 s; a second is plenty under QEMU
 * and on the machines this runs on). The keyboard controller takes its
 * command within a millisecond. */
#define POWER_SETTLE_MS   100
#define ACPI_ENABLE_MS    1000
#define KBC_READY_MS      100

static bool debugexit_on;

void debugexit_enable(bool on)
{
	debugexit_on = on;
}

void debugexit_if_enabled(uint8_t status)
{
	if (debugexit_on) {
		log_flush(); /* QEMU exits at once: let the last line out first */
		outb(DEBUGEXIT_PORT, status);
	}
}

/* Spin for ms milliseconds of TSC time. */
static void settle(uint64_t ms)
{
	uint64_t end = tsc_deadline_ms(ms);

	while (!tsc_deadline_passed(end))
		cpu_pause();
}

/* Firmware may leave the chipset in legacy mode; S5 needs ACPI mode. */
static void acpi_enable_mode(const struct acpi_power_info *p)
{
	if (!p->smi_cmd || !p->acpi_enable || (inw((uint16_t)p->pm1a_cnt) & PM1_SCI_EN))
		return;
	outb((uint16_t)p->smi_cmd, p->acpi_enable);
	uint64_t end = tsc_deadline_ms(ACPI_ENABLE_MS);
	while (!(inw((uint16_t)p->pm1a_cnt) & PM1_SCI_EN) && !tsc_deadline_passed(end))
		cpu_pause();
}

void power_off(void)
{
	const struct acpi_power_info *p = acpi_power();

	klog(LOG_INFO, "kestrel: powering off\n");
	log_flush();
	cpu_cli();
	if (p->has_s5 && p->pm1a_cnt) {
		acpi_enable_mode(p);
		outw((uint16_t)p->pm1a_cnt, (uint16_t)(p->slp_typa << PM1_SLP_TYP_SHIFT | PM1_SLP_EN));
		if (p->pm1b_cnt)
			outw((uint16_t)p->pm1b_cnt,
			     (uint16_t)(p->slp_typb << PM1_SLP_TYP_SHIFT | PM1_SLP_EN));
		settle(POWER_SETTLE_MS);
	}
	klog(LOG_ERR, "kestrel: poweroff failed; halting\n");
	cpu_halt_forever();
}

static void reset_via_fadt(const struct acpi_power_info *p)
{
	if (!p->has_reset)
		return;
	if (p->reset_reg.space == ACPI_SPACE_IO)
		outb((uint16_t)p->reset_reg.address, p->reset_value);
	else if (p->reset_reg.space == ACPI_SPACE_MEMORY && p->reset_reg.address)
		klog(LOG_WARN, "power: memory-mapped reset register not supported\n");
	settle(POWER_SETTLE_MS);
}

static void __attribute__((noreturn)) triple_fault(void)
{
	struct desc_ptr empty = { 0, 0 };
	lidt(&empty);
	cpu_breakpoint();
	cpu_halt_forever();
}

void power_reboot(void)
{
	klog(LOG_INFO, "kestrel: rebooting\n");
	log_flush();
	cpu_cli();
	reset_via_fadt(acpi_power());
	outb(PCI_RESET_PORT, PCI_RESET_SYS_RST);
	outb(PCI_RESET_PORT, PCI_RESET_SYS_RST | PCI_RESET_CPU_RST);
	settle(POWER_SETTLE_MS);
	uint64_t end = tsc_deadline_ms(KBC_READY_MS);
	while ((inb(KBC_STATUS_PORT) & KBC_STATUS_IBF) && !tsc_deadline_passed(end))
		cpu_pause();
	outb(KBC_STATUS_PORT, KBC_CMD_RESET);
	settle(POWER_SETTLE_MS);
	triple_fault();
}
