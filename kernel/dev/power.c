// SPDX-License-Identifier: MIT
/*
 * Kestrel: power off and reset, each a chain of methods tried in order
 * until one stops the machine:
 *
 *   power off, usual machine:    ACPI S5 (PM1 control), EFI ResetSystem(Shutdown)
 *   power off, hardware-reduced: EFI ResetSystem(Shutdown), S5 through the
 *                                FADT's sleep control register
 *   reset, usual machine:        the FADT reset register, EFI ResetSystem(Cold),
 *                                the PCI reset-control port, the keyboard
 *                                controller, a triple fault
 *   reset, hardware-reduced:     EFI ResetSystem(Cold) first, then the same
 *   power=efi on the command line: EFI ResetSystem alone (then, for a
 *                                reset, the ports and the triple fault)
 *
 * Hardware-reduced ACPI machines (FADT flag HW_REDUCED_ACPI) have no PM1
 * blocks and often no legacy ports; their firmware's ResetSystem is the
 * way Linux takes there too. Each attempt is logged before it is made,
 * so the last line before the machine stops says which one did it.
 * Registers may be in I/O, memory or PCI configuration space (ACPI
 * Generic Address Structures); memory ones are mapped by power_init at
 * boot, since the paths below also run from a panic.
 */
#include "dev/power.h"
#include "dev/pci.h"
#include "firmware/acpi.h"
#include "firmware/efi_rt.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "lib/string.h"
#include "mm/mmio.h"
#include "time/time.h"
#include "log.h"

#define PM1_SCI_EN        (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)
/* Hardware-reduced sleep registers (ACPI 6.5, 4.8.3.7 and 4.8.3.8). */
#define SLEEP_TYP_SHIFT   2
#define SLEEP_TYP_MASK    (7u << SLEEP_TYP_SHIFT)
#define SLEEP_EN          (1u << 5)
#define SLEEP_WAK_STS     (1u << 7)
#define PCI_RESET_PORT    0xcf9
#define PCI_RESET_SYS_RST 0x02
#define PCI_RESET_CPU_RST 0x04
#define KBC_STATUS_PORT   0x64
#define KBC_STATUS_IBF    0x02
#define KBC_CMD_RESET     0xfe
/* ACPI access sizes (GAS access_size) and bit widths. */
#define GAS_ACCESS_BYTE   1
#define GAS_ACCESS_QWORD  4
#define BITS_PER_BYTE     8
/* Waits, on the TSC (time/time.h). After the S5 or a reset write the
 * machine stops within microseconds; POWER_SETTLE_MS is the grace given
 * before the next method. ACPI mode takes the firmware's SMI handler up
 * to a few hundred ms (ACPICA allows 3 s; a second is plenty under QEMU
 * and on the machines this runs on). The keyboard controller takes its
 * command within a millisecond. */
#define POWER_SETTLE_MS   100
#define ACPI_ENABLE_MS    1000
#define KBC_READY_MS      100

/* A register named by a GAS, with its mapping when it is in memory. */
struct power_reg {
	struct acpi_gas_info g;     /* address 0: absent */
	volatile void *mmio;        /* memory space: mapped by power_init */
};

/* Written by power_init at boot, read-only afterwards. Before it (a
 * panic early in the boot) the registers come straight from the FADT,
 * memory ones unmapped: see reg_now. */
static struct {
	bool ready;
	struct power_reg sleep_control, sleep_status, reset;
} regs;
/* power=efi: written once while the command line is parsed. */
static bool efi_first;

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

/* ------------------------------------------------------- registers */

/* The access width in bytes: the GAS's access size, else its bit width,
 * else a byte (1, 2, 4 or 8). */
static unsigned reg_width(const struct acpi_gas_info *g)
{
	unsigned w = g->bit_width / BITS_PER_BYTE;

	if (g->access_size >= GAS_ACCESS_BYTE && g->access_size <= GAS_ACCESS_QWORD)
		w = 1u << (g->access_size - GAS_ACCESS_BYTE);
	return w == 2 || w == 4 || w == 8 ? w : 1;
}

/* A register in PCI configuration space of bus 0 (the parser checked
 * the address); wider than 4 bytes is written as 4. */
static bool reg_write_pci(const struct acpi_gas_info *g, unsigned w, uint32_t v)
{
	struct pci_dev d = { .bus = 0 };
	uint16_t reg;

	if (!acpi_gas_pci_address(g, &d.dev, &d.fn, &reg))
		return false;
	pci_cfg_write(&d, reg, w > 4 ? 4 : w, v);
	return true;
}

/* Write v to a register in any of the three spaces (bit_offset applied).
 * False when it cannot be reached (absent, or memory left unmapped). */
static bool reg_write(const struct power_reg *r, uint64_t v)
{
	const struct acpi_gas_info *g = &r->g;
	unsigned w = reg_width(g);

	v <<= g->bit_offset;
	if (!g->address)
		return false;
	if (g->space == ACPI_GAS_IO) {
		uint16_t port = (uint16_t)g->address;
		if (w == 1)
			outb(port, (uint8_t)v);
		else if (w == 2)
			outw(port, (uint16_t)v);
		else
			outl(port, (uint32_t)v);
		return true;
	}
	if (g->space == ACPI_GAS_PCI_CONFIG)
		return reg_write_pci(g, w, (uint32_t)v);
	if (!r->mmio)
		return false;
	if (w == 1)
		*(volatile uint8_t *)r->mmio = (uint8_t)v;
	else if (w == 2)
		*(volatile uint16_t *)r->mmio = (uint16_t)v;
	else if (w == 4)
		mmio_write32(r->mmio, (uint32_t)v);
	else
		mmio_write64(r->mmio, v);
	return true;
}

static const char *space_name(const struct acpi_gas_info *g)
{
	if (g->space == ACPI_GAS_IO)
		return "I/O";
	return g->space == ACPI_GAS_MEMORY ? "memory" : "PCI config";
}

/* Map a memory-space register (8 bytes covers every width). */
static void reg_setup(struct power_reg *r, const struct acpi_gas_info *g, const char *what)
{
	r->g = *g;
	if (!g->address || g->space != ACPI_GAS_MEMORY)
		return;
	r->mmio = mmio_map(g->address, sizeof(uint64_t));
	if (!r->mmio)
		klog(LOG_WARN, "power: cannot map the %s at %#lx; not used\n", what, g->address);
}

bool power_set_method(const char *val, uint32_t len)
{
	if (len == 3 && memcmp(val, "efi", 3) == 0)
		efi_first = true;
	else if (len == 4 && memcmp(val, "acpi", 4) == 0)
		efi_first = false;
	else
		return false;
	return true;
}

void power_init(void)
{
	const struct acpi_power_info *p = acpi_power();

	reg_setup(&regs.sleep_control, &p->fadt.sleep_control, "sleep control register");
	reg_setup(&regs.sleep_status, &p->fadt.sleep_status, "sleep status register");
	if (p->fadt.has_reset)
		reg_setup(&regs.reset, &p->fadt.reset_reg, "reset register");
	regs.ready = true;
}

/* The register as power_init set it up, or before that the FADT's own
 * (absent when has is false). */
static struct power_reg reg_now(const struct power_reg *mapped, const struct acpi_gas_info *g,
				bool has)
{
	if (regs.ready)
		return *mapped;
	return (struct power_reg){ .g = has ? *g : (struct acpi_gas_info){ 0 } };
}

/* ------------------------------------------------------------ power off */

/* Firmware may leave the chipset in legacy mode; S5 needs ACPI mode. */
static void acpi_enable_mode(const struct acpi_power_info *p)
{
	uint16_t pm1a = (uint16_t)p->fadt.pm1a_cnt.address;

	if (!p->fadt.smi_cmd || !p->fadt.acpi_enable || (inw(pm1a) & PM1_SCI_EN))
		return;
	outb((uint16_t)p->fadt.smi_cmd, p->fadt.acpi_enable);
	uint64_t end = tsc_deadline_ms(ACPI_ENABLE_MS);
	while (!(inw(pm1a) & PM1_SCI_EN) && !tsc_deadline_passed(end))
		cpu_pause();
}

/* One PM1 control register: SLP_TYP set (the other bits kept), then
 * SLP_EN, as ACPICA's AcpiHwLegacySleep writes them. */
static void pm1_sleep(uint16_t port, uint8_t typ, bool enable)
{
	uint16_t v = (uint16_t)((inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
				(uint16_t)((typ << PM1_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK));
	outw(port, enable ? (uint16_t)(v | PM1_SLP_EN) : v);
}

/* S5 through the PM1 control blocks (I/O ports: the only kind PCs have). */
static void off_by_pm1(const struct acpi_power_info *p)
{
	const struct acpi_gas_info *a = &p->fadt.pm1a_cnt, *b = &p->fadt.pm1b_cnt;

	if (!p->has_s5 || !a->address || a->space != ACPI_GAS_IO ||
	    (b->address && b->space != ACPI_GAS_IO))
		return;
	klog(LOG_INFO, "power: ACPI S5 (PM1a_CNT %#lx, SLP_TYP %u)\n", a->address, p->slp_typa);
	log_flush();
	acpi_enable_mode(p);
	for (int enable = 0; enable <= 1; enable++) {
		pm1_sleep((uint16_t)a->address, p->slp_typa, enable);
		if (b->address)
			pm1_sleep((uint16_t)b->address, p->slp_typb, enable);
	}
	settle(POWER_SETTLE_MS);
}

/* S5 through the hardware-reduced sleep control register: WAK_STS
 * cleared in the status register, then SLP_TYPa << 2 | SLP_EN. */
static void off_by_sleep_control(const struct acpi_power_info *p)
{
	struct power_reg ctl = reg_now(&regs.sleep_control, &p->fadt.sleep_control, true);
	struct power_reg sts = reg_now(&regs.sleep_status, &p->fadt.sleep_status, true);

	if (!p->has_s5 || !ctl.g.address)
		return;
	klog(LOG_INFO, "power: ACPI S5 by the sleep control register (%s %#lx, SLP_TYP %u)\n",
	     space_name(&ctl.g), ctl.g.address, p->slp_typa);
	log_flush();
	reg_write(&sts, SLEEP_WAK_STS);
	if (reg_write(&ctl, ((uint64_t)p->slp_typa << SLEEP_TYP_SHIFT & SLEEP_TYP_MASK) | SLEEP_EN))
		settle(POWER_SETTLE_MS);
}

static void efi_reset(enum efi_reset_type type)
{
	klog(LOG_INFO, "power: EFI ResetSystem(%s)\n",
	     type == EFI_RESET_SHUTDOWN ? "Shutdown" : "Cold");
	log_flush();
	efi_rt_reset_system(type);
	settle(POWER_SETTLE_MS);
}

void power_off(void)
{
	const struct acpi_power_info *p = acpi_power();

	klog(LOG_INFO, "kestrel: powering off\n");
	log_flush();
	cpu_cli();
	if (efi_first) {
		efi_reset(EFI_RESET_SHUTDOWN);
	} else if (p->fadt.hw_reduced) {
		efi_reset(EFI_RESET_SHUTDOWN);
		off_by_sleep_control(p);
	} else {
		off_by_pm1(p);
		efi_reset(EFI_RESET_SHUTDOWN);
	}
	klog(LOG_ERR, "kestrel: poweroff failed; halting\n");
	cpu_halt_forever();
}

/* ---------------------------------------------------------------- reset */

/* The FADT's reset register (RESET_REG_SUP was checked by the parser). */
static void reset_by_fadt(void)
{
	const struct acpi_fadt_power *f = &acpi_power()->fadt;
	struct power_reg r = reg_now(&regs.reset, &f->reset_reg, f->has_reset);

	if (!r.g.address)
		return;
	klog(LOG_INFO, "power: FADT reset register (%s %#lx <- %#x)\n", space_name(&r.g),
	     r.g.address, f->reset_value);
	log_flush();
	if (reg_write(&r, f->reset_value))
		settle(POWER_SETTLE_MS);
}

/* The chipset's reset-control port, then the keyboard controller. */
static void reset_by_ports(void)
{
	klog(LOG_INFO, "power: reset-control port and keyboard controller\n");
	log_flush();
	outb(PCI_RESET_PORT, PCI_RESET_SYS_RST);
	outb(PCI_RESET_PORT, PCI_RESET_SYS_RST | PCI_RESET_CPU_RST);
	settle(POWER_SETTLE_MS);
	uint64_t end = tsc_deadline_ms(KBC_READY_MS);
	while ((inb(KBC_STATUS_PORT) & KBC_STATUS_IBF) && !tsc_deadline_passed(end))
		cpu_pause();
	outb(KBC_STATUS_PORT, KBC_CMD_RESET);
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
	if (efi_first) {
		efi_reset(EFI_RESET_COLD);
	} else if (acpi_power()->fadt.hw_reduced) {
		efi_reset(EFI_RESET_COLD);
		reset_by_fadt();
	} else {
		reset_by_fadt();
		efi_reset(EFI_RESET_COLD);
	}
	reset_by_ports();
	klog(LOG_ERR, "power: no reset method worked; triple fault\n");
	log_flush();
	triple_fault();
}
