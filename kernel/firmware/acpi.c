// SPDX-License-Identifier: MIT
/*
 * Kestrel: ACPI table discovery and the facts the kernel needs from the
 * tables: RSDP -> XSDT (RSDT for ACPI 1.0) -> FADT -> DSDT \_S5 for power,
 * and the MADT, HPET table and FADT PM timer for interrupts and time
 * (parsed by the pure code in acpi_tables.c). Every table is checksummed
 * and bounds-checked against the direct map; a bad one is logged and
 * skipped, never fatal.
 */
#include "firmware/acpi.h"
#include "firmware/acpi_tables.h"
#include "lib/string.h"
#include "log.h"
#include "mm/layout.h"
#include "test/selftest.h"

#define RSDP_V1_LEN 20
#define TABLE_MAX_LEN (16u << 20)
#define FADT_MIN_LEN 116           /* through the reset register (ACPI 2.0) */
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define AML_NAME_OP    0x08
#define AML_PACKAGE_OP 0x12
#define AML_BYTE_PREFIX 0x0a
#define AML_ZERO_OP    0x00
#define AML_ONE_OP     0x01

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

/* FADT fields by their byte offsets (ACPI 6.5, table 5.9). */
struct __attribute__((packed)) acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl, dsdt;           /* 36, 40 */
	uint8_t reserved0, preferred_pm;        /* 44, 45 */
	uint16_t sci_int;                       /* 46 */
	uint32_t smi_cmd;                       /* 48 */
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt; /* 52..55 */
	uint32_t pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt; /* 56..71 */
	uint32_t pm2_cnt, pm_tmr, gpe0, gpe1;   /* 72..87 */
	uint8_t lens[8];                        /* 88..95 */
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride; /* 96..103 */
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century; /* 104..108 */
	uint16_t iapc_boot_arch;                /* 109 */
	uint8_t reserved1;                      /* 111 */
	uint32_t flags;                         /* 112 */
	struct acpi_gas reset_reg;              /* 116 */
	uint8_t reset_value;                    /* 128 */
	uint8_t more[3];
	uint64_t x_firmware_ctrl, x_dsdt;       /* 132, 140 */
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

const struct acpi_header *acpi_find(const char sig[4])
{
	if (!acpi.ok)
		return NULL;
	const uint8_t *entries = (const uint8_t *)(acpi.root + 1);

	for (unsigned i = 0; i < acpi_table_count(); i++) {
		uint64_t phys = 0;
		memcpy(&phys, entries + i * (acpi.xsdt ? 8 : 4), acpi.xsdt ? 8 : 4);
		const struct acpi_header *h = table_at(phys);
		if (h && memcmp(h->signature, sig, 4) == 0)
			return h;
	}
	return NULL;
}

/* One AML integer constant at p (ZeroOp, OneOp, BytePrefix n, or a raw
 * byte as some firmware emits); advances p. */
static uint8_t aml_small_int(const uint8_t **p, const uint8_t *end)
{
	if (*p >= end)
		return 0;
	uint8_t op = *(*p)++;
	if (op == AML_BYTE_PREFIX && *p < end)
		return *(*p)++;
	return op == AML_ONE_OP ? 1 : op == AML_ZERO_OP ? 0 : op;
}

/* Find Name(\_S5, Package(){SLP_TYPa, SLP_TYPb, ...}) in the DSDT by a
 * byte scan: the usual approach without an AML interpreter. */
static void find_s5(const struct acpi_header *dsdt)
{
	const uint8_t *p = (const uint8_t *)dsdt + sizeof(*dsdt);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		if (memcmp(p, "_S5_", 4) != 0)
			continue;
		if (!(p[-1] == AML_NAME_OP || (p[-1] == '\\' && p[-2] == AML_NAME_OP)))
			continue;
		if (p[4] != AML_PACKAGE_OP)
			continue;
		const uint8_t *q = p + 5;
		q += 1 + (*q >> 6); /* PkgLength: lead byte says how many follow */
		q++;                /* NumElements */
		acpi.power.slp_typa = aml_small_int(&q, end);
		acpi.power.slp_typb = aml_small_int(&q, end);
		acpi.power.has_s5 = true;
		return;
	}
	klog(LOG_WARN, "acpi: no \\_S5 object in the DSDT; poweroff unavailable\n");
}

static void read_fadt(void)
{
	const struct acpi_fadt *f = (const struct acpi_fadt *)acpi_find("FACP");

	if (!f) {
		klog(LOG_WARN, "acpi: no FADT\n");
		return;
	}
	acpi.power.pm1a_cnt = f->pm1a_cnt;
	acpi.power.pm1b_cnt = f->pm1b_cnt;
	acpi.power.smi_cmd = f->smi_cmd;
	acpi.power.acpi_enable = f->acpi_enable;
	if (f->h.length >= FADT_MIN_LEN + 13 && (f->flags & FADT_FLAG_RESET_REG_SUP)) {
		acpi.power.has_reset = true;
		acpi.power.reset_reg = f->reset_reg;
		acpi.power.reset_value = f->reset_value;
	}
	uint64_t dsdt = f->dsdt;
	if (f->h.length >= sizeof(*f) && f->x_dsdt)
		dsdt = f->x_dsdt;
	const struct acpi_header *d = table_at(dsdt);
	if (d)
		find_s5(d);
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
