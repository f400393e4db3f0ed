// SPDX-License-Identifier: MIT
/*
 * Kestrel: ACPI table discovery and the facts the kernel needs from the
 * tables: RSDP -> XSDT (RSDT for ACPI 1.0) -> FADT, and \_S5 from the
 * DSDT or an SSDT (walked by the pure AML code in aml_s5.c) for power,
 * and the MADT, HPET table and FADT PM timer for interrupts and time
 * (parsed by the pure code in acpi_tables.c). Every table is checksummed
 * and bounds-checked against the direct map; a bad one is logged and
 * skipped, never fatal.
 */
#include "firmware/acpi.h"
#include "firmware/acpi_tables.h"
#include "firmware/aml_s5.h"
#include "firmware/efi_rt.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "log.h"
#include "mm/layout.h"
#include "test/selftest.h"

#define RSDP_V1_LEN 20
#define TABLE_MAX_LEN (16u << 20)

struct __attribute__((packed)) acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;    /* 2.0+ */
	uint64_t xsdt;      /* 2.0+ */
	uint8_t ext_checksum;
	uint8_t reserved[3];
};

/* Written once by acpi_init, read-only afterwards. */
static struct {
	bool ok, xsdt;
	const struct acpi_header *root;
	struct acpi_power_info power;
	bool have_madt, have_hpet, have_mcfg;
	struct acpi_madt_info madt;
	struct acpi_mcfg_info mcfg;
	struct acpi_hpet_info hpet;
	struct acpi_pm_timer_info pm_timer;
} acpi;

/* Map a table by physical address, check it fits the direct map, has a
 * sane length and a valid checksum. */
static const struct acpi_header *table_at(uint64_t phys)
{
	if (!phys || !phys_in_direct_map(phys + sizeof(struct acpi_header)))
		return NULL;
	const struct acpi_header *h = phys_to_virt(phys);
	if (h->length < sizeof(*h) || h->length > TABLE_MAX_LEN ||
	    !phys_in_direct_map(phys + h->length)) {
		klog(LOG_WARN, "acpi: table at %#lx has a bad length, skipped\n", phys);
		return NULL;
	}
	if (!acpi_checksum_ok(h, h->length)) {
		klog(LOG_WARN, "acpi: %.4s at %#lx fails its checksum, skipped\n", h->signature, phys);
		return NULL;
	}
	return h;
}

unsigned acpi_table_count(void)
{
	if (!acpi.ok)
		return 0;
	return (acpi.root->length - sizeof(struct acpi_header)) / (acpi.xsdt ? 8 : 4);
}

const char *acpi_root_name(void)
{
	return !acpi.ok ? "none" : acpi.xsdt ? "XSDT" : "RSDT";
}

/* The physical address in entry i of the root table (i < acpi_table_count()). */
static uint64_t table_entry(unsigned i)
{
	const uint8_t *entries = (const uint8_t *)(acpi.root + 1);
	uint64_t phys = 0;

	memcpy(&phys, entries + i * (acpi.xsdt ? 8 : 4), acpi.xsdt ? 8 : 4);
	return phys;
}

const struct acpi_header *acpi_find(const char sig[4])
{
	for (unsigned i = 0; i < acpi_table_count(); i++) {
		const struct acpi_header *h = table_at(table_entry(i));
		if (h && memcmp(h->signature, sig, 4) == 0)
			return h;
	}
	return NULL;
}

/* The parsers' per-entry warnings go to the log. */
static void warn_entry(void *ctx, const char *sig, uint32_t offset, const char *why)
{
	(void)ctx;
	klog(LOG_WARN, "acpi: %.4s at offset %u: %s\n", sig, offset, why);
}

/* Parse one table found by acpi_find (already checksummed) with a pure
 * parser; a rejection is logged and leaves the table unused. */
static bool parsed(const char *sig, const char *why)
{
	if (why)
		klog(LOG_WARN, "acpi: %.4s rejected (%s), not used\n", sig, why);
	return why == NULL;
}

/* \_S5 in one definition block: true when the search is over (found,
 * or declared in a form that cannot be used: as ACPICA, the first
 * declaration is the one that counts). */
static bool s5_in(const struct acpi_header *t, const char *what)
{
	struct aml_s5 s5;
	enum aml_s5_result r = aml_find_s5(t, t->length, &s5);

	if (r == AML_S5_FOUND) {
		acpi.power.has_s5 = true;
		acpi.power.slp_typa = s5.slp_typa;
		acpi.power.slp_typb = s5.slp_typb;
		klog(LOG_INFO, "acpi: \\_S5 in %s at offset %u: SLP_TYPa %u, SLP_TYPb %u\n", what,
		     s5.offset, s5.slp_typa, s5.slp_typb);
		return true;
	}
	if (r == AML_S5_BAD)
		klog(LOG_WARN, "acpi: %s at offset %u: %s\n", what, s5.stopped_at, s5.why);
	else if (s5.stopped_at)
		klog(LOG_DEBUG, "acpi: %s: AML not decoded past offset %u\n", what, s5.stopped_at);
	return r == AML_S5_BAD;
}

/* \_S5 from the DSDT, else from each SSDT in the root table's order. */
static void find_s5(uint64_t dsdt_phys)
{
	const struct acpi_header *dsdt = table_at(dsdt_phys);
	unsigned nssdt = 0;
	char what[16];

	if (dsdt) {
		klog(LOG_DEBUG, "acpi: DSDT at %#lx, %u bytes\n", dsdt_phys, dsdt->length);
		if (s5_in(dsdt, "DSDT"))
			return;
	}
	for (unsigned i = 0; i < acpi_table_count(); i++) {
		const struct acpi_header *h = table_at(table_entry(i));
		if (!h || memcmp(h->signature, "SSDT", 4) != 0)
			continue;
		ksnprintf(what, sizeof(what), "SSDT %u", ++nssdt);
		if (s5_in(h, what))
			return;
	}
	klog(LOG_WARN, "acpi: no \\_S5 in the %s or %u SSDTs; no ACPI poweroff\n",
	     dsdt ? "DSDT" : "(missing) DSDT", nssdt);
}

/* The FADT's power registers, then \_S5. */
static void read_fadt(void)
{
	const struct acpi_header *f = acpi_find("FACP");

	if (!f) {
		klog(LOG_WARN, "acpi: no FADT\n");
		return;
	}
	acpi.power.has_fadt = parsed("FACP", acpi_parse_fadt_power(f, f->length, &acpi.power.fadt,
								   warn_entry, NULL));
	if (!acpi.power.has_fadt)
		return;
	if (acpi.power.fadt.hw_reduced)
		klog(LOG_INFO, "acpi: hardware-reduced ACPI (sleep control register %s)\n",
		     acpi.power.fadt.sleep_control.address ? "present" : "absent");
	find_s5(acpi.power.fadt.dsdt);
}

/* The MADT, HPET and FADT PM timer, each optional. */
static void read_interrupt_and_timer_tables(void)
{
	const struct acpi_header *madt = acpi_find("APIC");
	const struct acpi_header *hpet = acpi_find("HPET");
	const struct acpi_header *fadt = acpi_find("FACP");

	if (madt)
		acpi.have_madt = parsed("APIC", acpi_parse_madt(madt, madt->length, &acpi.madt,
								 warn_entry, NULL));
	else
		klog(LOG_WARN, "acpi: no MADT\n");
	if (acpi.have_madt && acpi.madt.cpus_dropped)
		klog(LOG_WARN, "acpi: MADT lists %u CPUs more than the %u kept; those are never started\n",
		     acpi.madt.cpus_dropped, (unsigned)ACPI_MAX_CPUS);
	if (hpet)
		acpi.have_hpet = parsed("HPET", acpi_parse_hpet(hpet, hpet->length, &acpi.hpet));
	if (fadt)
		parsed("FACP", acpi_parse_fadt_pm_timer(fadt, fadt->length, &acpi.pm_timer, warn_entry,
							 NULL));
}

/* The MCFG (PCI Express ECAM windows), optional: without it PCI falls
 * back to the legacy configuration ports. */
static void read_pci_tables(void)
{
	const struct acpi_header *mcfg = acpi_find("MCFG");

	if (mcfg)
		acpi.have_mcfg = parsed("MCFG", acpi_parse_mcfg(mcfg, mcfg->length, &acpi.mcfg,
								 warn_entry, NULL));
}

static bool rsdp_valid(const struct acpi_rsdp *r, uint32_t revision)
{
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || !acpi_checksum_ok(r, RSDP_V1_LEN))
		return false;
	if (revision >= 2 && r->revision >= 2)
		return r->length >= sizeof(*r) && acpi_checksum_ok(r, sizeof(*r));
	return true;
}

bool acpi_init(uint64_t rsdp_phys, uint32_t revision)
{
	if (!rsdp_phys || !phys_in_direct_map(rsdp_phys + sizeof(struct acpi_rsdp))) {
		klog(LOG_WARN, "acpi: no RSDP\n");
		return false;
	}
	const struct acpi_rsdp *r = phys_to_virt(rsdp_phys);
	if (!rsdp_valid(r, revision)) {
		klog(LOG_WARN, "acpi: RSDP at %#lx is invalid (signature or checksum)\n", rsdp_phys);
		return false;
	}
	acpi.xsdt = r->revision >= 2 && r->xsdt;
	acpi.root = table_at(acpi.xsdt ? r->xsdt : r->rsdt);
	if (!acpi.root && acpi.xsdt) { /* a broken XSDT: fall back to the RSDT */
		acpi.xsdt = false;
		acpi.root = table_at(r->rsdt);
	}
	acpi.ok = acpi.root != NULL;
	if (acpi.ok) {
		read_fadt();
		read_interrupt_and_timer_tables();
		read_pci_tables();
	}
	return acpi.ok;
}

const struct acpi_power_info *acpi_power(void)
{
	return &acpi.power;
}

const struct acpi_madt_info *acpi_madt(void)
{
	return acpi.have_madt ? &acpi.madt : NULL;
}

const struct acpi_hpet_info *acpi_hpet(void)
{
	return acpi.have_hpet ? &acpi.hpet : NULL;
}

const struct acpi_mcfg_info *acpi_mcfg(void)
{
	return acpi.have_mcfg && acpi.mcfg.n ? &acpi.mcfg : NULL;
}

const struct acpi_pm_timer_info *acpi_pm_timer(void)
{
	return acpi.pm_timer.present ? &acpi.pm_timer : NULL;
}

/* What the interrupt code relies on: a MADT with at least one enabled
 * CPU and an IO APIC serving GSI 0, where the ISA IRQs start (both QEMU
 * machines have exactly one; big machines have more, which is fine). */
SELFTEST(acpi_madt)
{
	const struct acpi_madt_info *m = acpi_madt();
	unsigned enabled = 0;
	bool gsi0 = false;

	if (!m)
		return "no MADT";
	for (unsigned i = 0; i < m->ncpus; i++)
		enabled += m->cpus[i].enabled;
	if (enabled < 1)
		return "no enabled CPU in the MADT";
	if (m->nioapics < 1)
		return "no IO APIC in the MADT";
	for (unsigned i = 0; i < m->nioapics; i++)
		gsi0 |= m->ioapics[i].gsi_base == 0;
	if (!gsi0)
		return "no IO APIC starts at GSI 0";
	if (!m->lapic_address)
		return "local APIC address is 0";
	return NULL;
}

/* What power off relies on (dev/power.c): \_S5 and a register to write
 * it to (PM1a_CNT, or the sleep control register on hardware-reduced
 * ACPI), or else the firmware's ResetSystem. */
SELFTEST(acpi_power)
{
	const struct acpi_power_info *p = &acpi.power;

	if (!p->has_fadt)
		return SELFTEST_SKIP("no FADT");
	bool reg = p->fadt.hw_reduced ? p->fadt.sleep_control.address != 0
				      : p->fadt.pm1a_cnt.address != 0;
	if ((p->has_s5 && reg) || efi_rt_available())
		return NULL;
	return p->has_s5 ? "no register to write \\_S5 to, and no EFI ResetSystem"
			 : "no \\_S5 and no EFI ResetSystem: no way to power off";
}
