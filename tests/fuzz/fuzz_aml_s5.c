/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the \_S5 walker (kernel/firmware/aml_s5.c) and
 * the FADT power parser (kernel/firmware/acpi_tables.c). The first byte
 * picks which and whether to make the header's length the bytes given
 * (so most inputs reach the AML walk instead of the length check); for
 * the walker, bit 6 prepends a fixed prefix that opens Scope (\), so
 * mutations start inside a scope as firmware tables do. Every input is
 * parsed from an exact-size heap copy (ASan sees a read past it); a
 * result must be self-consistent: FOUND and BAD name an object inside
 * the table, the FADT's registers are in spaces Kestrel can reach.
 * Seeds: the iasl-compiled tables of the unit test and QEMU's DSDTs
 * (see the Makefile's fuzz target).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi_tables.h"
#include "firmware/aml_s5.h"

#define LEN_OFF    4
#define CSUM_OFF   9
#define FIX_LEN    0x80u
#define IN_SCOPE   0x40u
#define PICK_FADT  0x01u

static void noop_warn(void *ctx, const char *sig, uint32_t offset, const char *why)
{
	(void)ctx;
	(void)sig;
	(void)offset;
	if (!why)
		abort();
}

static void put_len(uint8_t *t, uint32_t n)
{
	for (int i = 0; i < 4; i++)
		t[LEN_OFF + i] = (uint8_t)(n >> (8 * i));
}

static void fix_fadt(uint8_t *t, uint32_t n)
{
	uint8_t sum = 0;

	memcpy(t, "FACP", 4);
	put_len(t, n);
	t[CSUM_OFF] = 0;
	for (uint32_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + t[i]);
	t[CSUM_OFF] = (uint8_t)-sum;
}

static bool gas_ok(const struct acpi_gas_info *g)
{
	return !g->address || g->space == ACPI_GAS_IO || g->space == ACPI_GAS_MEMORY ||
	       g->space == ACPI_GAS_PCI_CONFIG;
}

static void fadt(uint8_t *t, uint32_t n, bool fix)
{
	struct acpi_fadt_power p;

	if (fix && n >= AML_TABLE_HEADER_LEN)
		fix_fadt(t, n);
	if (acpi_parse_fadt_power(t, n, &p, noop_warn, NULL))
		return;
	uint8_t dev, fn;
	uint16_t reg;

	if (!gas_ok(&p.pm1a_cnt) || !gas_ok(&p.sleep_control) || !gas_ok(&p.sleep_status) ||
	    (p.has_reset && (!p.reset_reg.address || !gas_ok(&p.reset_reg))))
		abort();
	if (p.has_reset && p.reset_reg.space == ACPI_GAS_PCI_CONFIG &&
	    (!acpi_gas_pci_address(&p.reset_reg, &dev, &fn, &reg) || dev > 31 || fn > 7 ||
	     reg > 4095))
		abort();
}

static void aml(uint8_t *t, uint32_t n, bool fix)
{
	struct aml_s5 s5;

	if (fix && n >= AML_TABLE_HEADER_LEN)
		put_len(t, n);
	enum aml_s5_result r = aml_find_s5(t, n, &s5);
	if (r == AML_S5_FOUND && (s5.offset < AML_TABLE_HEADER_LEN || s5.offset >= n))
		abort();
	if (r == AML_S5_BAD &&
	    (s5.stopped_at < AML_TABLE_HEADER_LEN || s5.stopped_at >= n || !s5.why))
		abort();
	if (r == AML_S5_ABSENT && !s5.why)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Scope (\) { ... } with a 3-byte PkgLength to the end, after a header */
	static const uint8_t scope_root[] = { 0x10, 0x80, 0x00, 0x00, 0x5c, 0x00 };
	uint32_t pre, n;

	if (size < 1 || size > (1u << 16))
		return 0;
	bool in_scope = (data[0] & IN_SCOPE) && !(data[0] & PICK_FADT) &&
			size - 1 >= AML_TABLE_HEADER_LEN;
	pre = in_scope ? sizeof(scope_root) : 0;
	n = (uint32_t)size - 1 + pre;
	uint8_t *t = malloc(n ? n : 1);
	if (!t)
		return 0;
	if (in_scope) {
		uint32_t body = n - AML_TABLE_HEADER_LEN; /* the PkgLength counts itself */
		memcpy(t, data + 1, AML_TABLE_HEADER_LEN);
		memcpy(t + AML_TABLE_HEADER_LEN, scope_root, pre);
		t[AML_TABLE_HEADER_LEN + 1] = (uint8_t)(0x80 | (body & 0x0f));
		t[AML_TABLE_HEADER_LEN + 2] = (uint8_t)(body >> 4);
		t[AML_TABLE_HEADER_LEN + 3] = (uint8_t)(body >> 12);
		memcpy(t + AML_TABLE_HEADER_LEN + pre, data + 1 + AML_TABLE_HEADER_LEN,
		       size - 1 - AML_TABLE_HEADER_LEN);
	} else {
		memcpy(t, data + 1, n);
	}
	if (data[0] & PICK_FADT)
		fadt(t, n, data[0] & FIX_LEN);
	else
		aml(t, n, data[0] & FIX_LEN);
	free(t);
	return 0;
}
