/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the ACPI table parsers (kernel/firmware/acpi_tables.c):
 * the MADT, HPET, FADT PM timer and MCFG. The first byte picks the table and
 * whether to make the header valid (signature, length = the bytes given,
 * checksum), so most inputs reach the entry walks instead of dying on the
 * checksum. The table is parsed from an exact-size heap copy (ASan sees any
 * read past it); the walks must end, fill no more than their arrays hold,
 * and keep only windows that pass the MCFG's own checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi_tables.h"

#define LEN_OFF  4
#define CSUM_OFF 9
#define KINDS    4
#define FIX_HDR  0x80u
#define MiB      (1ull << 20)

static void noop_warn(void *ctx, const char *sig, uint32_t offset, const char *why)
{
	(void)ctx;
	(void)sig;
	(void)offset;
	if (!why)
		abort();
}

static void fix_header(uint8_t *t, uint32_t n, const char *sig)
{
	uint8_t sum = 0;

	if (n < ACPI_HEADER_LEN)
		return;
	memcpy(t, sig, 4);
	t[LEN_OFF] = (uint8_t)n;
	t[LEN_OFF + 1] = (uint8_t)(n >> 8);
	t[LEN_OFF + 2] = (uint8_t)(n >> 16);
	t[LEN_OFF + 3] = (uint8_t)(n >> 24);
	t[CSUM_OFF] = 0;
	for (uint32_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + t[i]);
	t[CSUM_OFF] = (uint8_t)-sum;
}

static void check_mcfg(const struct acpi_mcfg_info *m)
{
	if (m->n > ACPI_MAX_ECAM)
		abort();
	for (unsigned i = 0; i < m->n; i++) {
		const struct acpi_ecam *e = &m->regions[i];
		if (!e->base || e->base % MiB || e->bus_start > e->bus_end ||
		    e->base + ((uint64_t)e->bus_end + 1) * MiB > (1ull << 52))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sigs[KINDS] = { "APIC", "HPET", "FACP", "MCFG" };
	static struct acpi_madt_info madt;
	struct acpi_hpet_info hpet;
	struct acpi_pm_timer_info pm;
	struct acpi_mcfg_info mcfg;

	if (size < 1 || size > (1u << 16))
		return 0;
	unsigned kind = data[0] % KINDS;
	uint32_t n = (uint32_t)size - 1;
	uint8_t *t = malloc(n ? n : 1);
	if (!t)
		return 0;
	memcpy(t, data + 1, n);
	if (data[0] & FIX_HDR)
		fix_header(t, n, sigs[kind]);
	switch (kind) {
	case 0:
		acpi_parse_madt(t, n, &madt, noop_warn, NULL);
		if (madt.ncpus > ACPI_MAX_CPUS || madt.nioapics > ACPI_MAX_IOAPICS ||
		    madt.noverrides > ACPI_MAX_OVERRIDES || madt.nnmis > ACPI_MAX_NMIS)
			abort();
		break;
	case 1:
		if (!acpi_parse_hpet(t, n, &hpet) && !hpet.address)
			abort();
		break;
	case 2:
		acpi_parse_fadt_pm_timer(t, n, &pm, noop_warn, NULL);
		break;
	default:
		acpi_parse_mcfg(t, n, &mcfg, noop_warn, NULL);
		check_mcfg(&mcfg);
		break;
	}
	free(t);
	return 0;
}
