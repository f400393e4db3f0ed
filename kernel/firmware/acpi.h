/* SPDX-License-Identifier: MIT */
/* ACPI table discovery (RSDP, XSDT/RSDT), the FADT facts power management needs, and the parsed MADT, HPET, PM timer and MCFG. */
#ifndef KESTREL_FIRMWARE_ACPI_H
#define KESTREL_FIRMWARE_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "firmware/acpi_tables.h"

struct __attribute__((packed)) acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
};

/* What power.c needs: the FADT's power registers and \_S5's sleep types
 * (from the DSDT or the first SSDT that declares it). */
struct acpi_power_info {
	bool has_fadt;
	struct acpi_fadt_power fadt;  /* all zero without a FADT */
	bool has_s5;
	uint8_t slp_typa, slp_typb;
};

/* Find the root table from the RSDP the loader found. A bad checksum or
 * signature is logged and leaves ACPI unavailable; never fatal. */
bool acpi_init(uint64_t rsdp_phys, uint32_t revision);
/* The first table with this signature, checksum-verified, or NULL. */
const struct acpi_header *acpi_find(const char sig[4]);
const struct acpi_power_info *acpi_power(void);
/* "XSDT"/"RSDT" and table count, for the banner. */
const char *acpi_root_name(void);
unsigned acpi_table_count(void);

/* The tables behind interrupts and time, parsed at acpi_init; NULL when
 * the table is missing or was rejected (the reason was logged). */
const struct acpi_madt_info *acpi_madt(void);
const struct acpi_hpet_info *acpi_hpet(void);
const struct acpi_pm_timer_info *acpi_pm_timer(void);
/* The MCFG's usable ECAM windows; NULL without an MCFG or with none usable. */
const struct acpi_mcfg_info *acpi_mcfg(void);

#endif
