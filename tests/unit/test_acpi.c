/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for kernel/firmware/acpi_tables.c: the MADT, HPET and FADT PM
 * timer parsers (and the MCFG's, on hand-made tables shaped like QEMU q35's) on tables captured from QEMU 7.2 + OVMF (q35 with -smp 2,
 * pc with -smp 1; tests/unit/data/acpi/), on QEMU 10.0's MADT with local
 * x2APIC entries, and on hand-made broken ones:
 * bad checksum, truncation, zero-length and overrunning MADT entries, a
 * MADT without an IO APIC, x2APIC entries, capacity overflow. Every table
 * is parsed from an exact-size heap copy, so ASan catches a read past it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi_tables.h"
#include "unit.h"

#ifndef ACPI_DATA_DIR
#error "build with -DACPI_DATA_DIR='\"path/to/tests/unit/data/acpi\"'"
#endif

#define TABLE_MAX   4096
#define LEN_OFF     4
#define CSUM_OFF    9
#define MADT_HDR    44
#define FADT_FLAGS  112
#define FADT_X_PM   208
#define FADT_PM_BLK 76
#define TMR_VAL_EXT (1u << 8)
#define HW_REDUCED  (1u << 20)

/* ------------------------------------------------------------ helpers */

/* An exact-size heap copy; freed by the next call (or at exit). */
static uint8_t *heap_copy(const void *src, uint32_t len)
{
	static uint8_t *copy;

	free(copy);
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, src, len);
	return copy;
}

/* A captured table from ACPI_DATA_DIR into buf; returns its length. */
static uint32_t load(const char *name, uint8_t buf[TABLE_MAX])
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", ACPI_DATA_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	size_t n = fread(buf, 1, TABLE_MAX, f);
	fclose(f);
	return (uint32_t)n;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24); }

/* Make the checksum byte right for the length in the header. */
static void fix_checksum(uint8_t *t)
{
	uint8_t sum = 0;
	t[CSUM_OFF] = 0;
	for (uint32_t i = 0; i < get32(t + LEN_OFF); i++)
		sum = (uint8_t)(sum + t[i]);
	t[CSUM_OFF] = (uint8_t)-sum;
}

/* A hand-made table: a header, then bytes appended. */
struct tbl {
	uint8_t b[TABLE_MAX];
	uint32_t len;
};

static void tbl_begin(struct tbl *t, const char *sig)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, sig, 4);
	t->b[8] = 1;              /* revision */
	memcpy(t->b + 10, "KESTRL", 6);
	t->len = ACPI_HEADER_LEN;
}

static uint8_t *tbl_put(struct tbl *t, const uint8_t *bytes, uint32_t n)
{
	uint8_t *p = t->b + t->len;
	memcpy(p, bytes, n);
	t->len += n;
	return p;
}

static void tbl_finish(struct tbl *t)
{
	put32(t->b + LEN_OFF, t->len);
	fix_checksum(t->b);
}

/* A MADT header: LAPIC at 0xfee00000, PCAT_COMPAT. */
static void madt_begin(struct tbl *t)
{
	uint8_t hdr[8];
	tbl_begin(t, "APIC");
	put32(hdr, 0xfee00000u);
	put32(hdr + 4, 1);
	tbl_put(t, hdr, sizeof(hdr));
}

static void madt_lapic(struct tbl *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, uid, id };
	put32(e + 4, flags);
	tbl_put(t, e, sizeof(e));
}

static void madt_ioapic(struct tbl *t, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	uint8_t e[12] = { 1, 12, id, 0 };
	put32(e + 4, addr);
	put32(e + 8, gsi_base);
	tbl_put(t, e, sizeof(e));
}

/* Warnings the parser reported. */
static struct {
	int count;
	uint32_t offset;
	const char *why;
} warns;

static void warn(void *ctx, const char *sig, uint32_t offset, const char *why)
{
	(void)ctx;
	(void)sig;
	warns.count++;
	warns.offset = offset;
	warns.why = why;
}

static const char *parse_madt(const void *t, uint32_t len, struct acpi_madt_info *m)
{
	memset(&warns, 0, sizeof(warns));
	return acpi_parse_madt(heap_copy(t, len), len, m, warn, NULL);
}

static const char *parse_fadt(const void *t, uint32_t len, struct acpi_pm_timer_info *p)
{
	memset(&warns, 0, sizeof(warns));
	return acpi_parse_fadt_pm_timer(heap_copy(t, len), len, p, warn, NULL);
}

static struct acpi_madt_info madt; /* large: not on the stack */

/* ------------------------------------------------------------ captured tables */

/* QEMU's five ISA overrides: IRQ 0 -> GSI 2 (edge, high), then 5, 9, 10,
 * 11 level-triggered active high. */
static const char *check_qemu_overrides(const struct acpi_madt_info *m)
{
	static const uint8_t src[] = { 0, 5, 9, 10, 11 };
	CHECK_EQ(m->noverrides, 5);
	for (unsigned i = 0; i < 5; i++) {
		CHECK_EQ(m->overrides[i].bus, 0);
		CHECK_EQ(m->overrides[i].source, src[i]);
		CHECK_EQ(m->overrides[i].gsi, i == 0 ? 2 : src[i]);
		uint16_t want = i == 0 ? 0 : ACPI_TRIGGER_LEVEL | ACPI_POLARITY_HIGH;
		CHECK_EQ(m->overrides[i].flags, want);
	}
	return NULL;
}

static const char *check_qemu_common(const struct acpi_madt_info *m)
{
	CHECK_EQ(m->lapic_address, 0xfee00000u);
	CHECK(!m->lapic_overridden);
	CHECK(m->pcat_compat);
	CHECK_EQ(m->nioapics, 1);
	CHECK_EQ(m->ioapics[0].address, 0xfec00000u);
	CHECK_EQ(m->ioapics[0].gsi_base, 0);
	CHECK_EQ(m->nnmis, 1);
	CHECK_EQ(m->nmis[0].uid, ACPI_NMI_ALL_CPUS_UID32);
	CHECK_EQ(m->nmis[0].lint, 1);
	CHECK_EQ(m->bad_entries, 0);
	CHECK_EQ(warns.count, 0);
	return check_qemu_overrides(m);
}

UNIT_TEST(q35_madt)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-smp2-APIC.bin", t);

	CHECK(parse_madt(t, len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 2);
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(madt.cpus[i].apic_id, i);
		CHECK_EQ(madt.cpus[i].uid, i);
		CHECK(madt.cpus[i].enabled && !madt.cpus[i].x2apic);
	}
	return check_qemu_common(&madt);
}

UNIT_TEST(pc_madt)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("pc-smp1-APIC.bin", t);

	CHECK(parse_madt(t, len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(madt.cpus[0].apic_id, 0);
	CHECK(madt.cpus[0].enabled);
	return check_qemu_common(&madt);
}

/* QEMU 10.0 + OVMF, q35, -smp 3,sockets=2,cores=129,maxcpus=258 -cpu
 * qemu64,+x2apic and one CPU cold-plugged into socket 1 (the x2apic-*
 * boot tests' machine): 129 local APIC entries (IDs 0-128, three
 * enabled), 129 local x2APIC entries (IDs 256-384, the first enabled),
 * the NMI as a local x2APIC NMI entry for all CPUs. */
UNIT_TEST(q35_x2apic_madt)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-x2apic-smp4-APIC.bin", t);

	CHECK(parse_madt(t, len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 4);
	CHECK_EQ(madt.cpus_dropped, 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(madt.cpus[i].apic_id, i);
		CHECK_EQ(madt.cpus[i].uid, i);
		CHECK(madt.cpus[i].enabled && !madt.cpus[i].x2apic);
	}
	CHECK_EQ(madt.cpus[3].apic_id, 256);
	CHECK_EQ(madt.cpus[3].uid, 129);
	CHECK(madt.cpus[3].enabled && madt.cpus[3].x2apic);
	return check_qemu_common(&madt);
}

UNIT_TEST(captured_hpet)
{
	static const char *const names[] = { "q35-smp2-HPET.bin", "pc-smp1-HPET.bin" };
	uint8_t t[TABLE_MAX];
	struct acpi_hpet_info h;

	for (int i = 0; i < 2; i++) {
		uint32_t len = load(names[i], t);
		CHECK(acpi_parse_hpet(heap_copy(t, len), len, &h) == NULL);
		CHECK_EQ(h.address, 0xfed00000u);
		CHECK_EQ(h.block_id, 0x8086a201u);
		CHECK_EQ(h.number, 0);
	}
	return NULL;
}

/* q35's FADT is ACPI 2.0+ sized: the PM timer comes from X_PM_TMR_BLK. */
UNIT_TEST(q35_fadt_pm_timer)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-smp2-FACP.bin", t);
	struct acpi_pm_timer_info p;

	CHECK_EQ(len, 244);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(p.present && p.from_x_block && !p.mmio && !p.ext32);
	CHECK_EQ(p.address, 0x608);
	CHECK_EQ(warns.count, 0);
	return NULL;
}

/* pc's FADT is the 116-byte ACPI 1.0 one: only PM_TMR_BLK. */
UNIT_TEST(pc_fadt_pm_timer)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("pc-smp1-FACP.bin", t);
	struct acpi_pm_timer_info p;

	CHECK_EQ(len, 116);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(p.present && !p.from_x_block && !p.mmio && !p.ext32);
	CHECK_EQ(p.address, 0xb008);
	return NULL;
}

/* ------------------------------------------------------------ FADT variants */

static uint32_t q35_fadt(uint8_t t[TABLE_MAX])
{
	return load("q35-smp2-FACP.bin", t);
}

UNIT_TEST(fadt_tmr_val_ext_32bit)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = q35_fadt(t);
	struct acpi_pm_timer_info p;

	put32(t + FADT_FLAGS, get32(t + FADT_FLAGS) | TMR_VAL_EXT);
	fix_checksum(t);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(p.present && p.ext32);
	return NULL;
}

UNIT_TEST(fadt_x_block_zero_uses_pm_tmr_blk)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = q35_fadt(t);
	struct acpi_pm_timer_info p;

	put64(t + FADT_X_PM + 4, 0);
	put32(t + FADT_PM_BLK, 0x1234);
	fix_checksum(t);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(p.present && !p.from_x_block);
	CHECK_EQ(p.address, 0x1234);
	return NULL;
}

UNIT_TEST(fadt_x_block_preferred_and_mmio)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = q35_fadt(t);
	struct acpi_pm_timer_info p;

	t[FADT_X_PM] = 0; /* system memory */
	put64(t + FADT_X_PM + 4, 0xfed80008u);
	put32(t + FADT_PM_BLK, 0x1234);
	fix_checksum(t);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(p.present && p.from_x_block && p.mmio);
	CHECK_EQ(p.address, 0xfed80008u);
	return NULL;
}

UNIT_TEST(fadt_x_block_unusable_falls_back)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = q35_fadt(t);
	struct acpi_pm_timer_info p;

	t[FADT_X_PM] = 2; /* PCI configuration space: not supported */
	fix_checksum(t);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(p.present && !p.from_x_block);
	CHECK_EQ(p.address, 0x608);
	CHECK_EQ(warns.count, 1);
	CHECK_EQ(warns.offset, FADT_X_PM);
	return NULL;
}

UNIT_TEST(fadt_hardware_reduced_has_no_pm_timer)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = q35_fadt(t);
	struct acpi_pm_timer_info p;

	put32(t + FADT_FLAGS, get32(t + FADT_FLAGS) | HW_REDUCED);
	fix_checksum(t);
	CHECK(parse_fadt(t, len, &p) == NULL);
	CHECK(!p.present);
	return NULL;
}

UNIT_TEST(fadt_too_short)
{
	uint8_t t[TABLE_MAX];
	struct acpi_pm_timer_info p;

	q35_fadt(t);
	put32(t + LEN_OFF, 100); /* below the ACPI 1.0 size */
	fix_checksum(t);
	CHECK(parse_fadt(t, 100, &p) != NULL);
	CHECK(!p.present);
	return NULL;
}

/* ------------------------------------------------------------ broken tables */

UNIT_TEST(bad_checksum_rejected)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-smp2-APIC.bin", t);
	struct acpi_hpet_info h;

	t[len - 1] ^= 1;
	CHECK_STR(parse_madt(t, len, &madt), "bad checksum");
	CHECK_EQ(madt.ncpus, 0);
	len = load("pc-smp1-HPET.bin", t);
	t[40 + 4] ^= 0x10;
	CHECK_STR(acpi_parse_hpet(heap_copy(t, len), len, &h), "bad checksum");
	CHECK_EQ(h.address, 0);
	return NULL;
}

UNIT_TEST(wrong_signature_rejected)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-smp2-HPET.bin", t);

	CHECK_STR(parse_madt(t, len, &madt), "wrong signature");
	return NULL;
}

/* Every prefix of every captured table (the length field then runs past
 * the bytes given) is rejected, and nothing reads past the copy. */
UNIT_TEST(truncated_tables_rejected)
{
	static const char *const names[] = {
		"q35-smp2-APIC.bin", "pc-smp1-APIC.bin", "q35-smp2-HPET.bin",
		"q35-smp2-FACP.bin", "pc-smp1-FACP.bin", "q35-x2apic-smp4-APIC.bin",
	};
	uint8_t t[TABLE_MAX];
	struct acpi_hpet_info h;
	struct acpi_pm_timer_info p;

	for (unsigned i = 0; i < UNIT_COUNT(names); i++) {
		uint32_t len = load(names[i], t);
		for (uint32_t n = 0; n < len; n++) {
			CHECK(parse_madt(t, n, &madt) != NULL);
			CHECK(acpi_parse_hpet(heap_copy(t, n), n, &h) != NULL);
			CHECK(parse_fadt(t, n, &p) != NULL);
		}
	}
	return NULL;
}

UNIT_TEST(length_field_too_short)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-smp2-APIC.bin", t);

	put32(t + LEN_OFF, 20);
	fix_checksum(t); /* sums 20 bytes */
	CHECK(parse_madt(t, len, &madt) != NULL);
	put32(t + LEN_OFF, 40); /* a header but not the MADT's 8 extra bytes */
	fix_checksum(t);
	CHECK(parse_madt(t, len, &madt) != NULL);
	return NULL;
}

/* A zero-length entry cannot be stepped over: the walk stops there,
 * keeps what came before, warns once, and does not loop. */
UNIT_TEST(zero_length_entry)
{
	struct tbl t;
	static const uint8_t zero[] = { 1, 0, 0, 0 };

	madt_begin(&t);
	madt_lapic(&t, 0, 0, 1);
	uint32_t bad = t.len;
	tbl_put(&t, zero, sizeof(zero));
	madt_ioapic(&t, 0, 0xfec00000u, 0);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(madt.nioapics, 0);
	CHECK_EQ(madt.bad_entries, 1);
	CHECK_EQ(warns.count, 1);
	CHECK_EQ(warns.offset, bad);
	return NULL;
}

UNIT_TEST(entry_length_one)
{
	struct tbl t;
	static const uint8_t one[] = { 0, 1 };

	madt_begin(&t);
	tbl_put(&t, one, sizeof(one));
	madt_lapic(&t, 0, 0, 1);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 0);
	CHECK_EQ(warns.count, 1);
	return NULL;
}

/* The last entry claims more bytes than the table has. */
UNIT_TEST(entry_overruns_table_end)
{
	struct tbl t;

	madt_begin(&t);
	madt_lapic(&t, 0, 0, 1);
	uint32_t bad = t.len;
	madt_ioapic(&t, 0, 0xfec00000u, 0);
	t.b[bad + 1] = 40;
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(madt.nioapics, 0);
	CHECK_EQ(warns.count, 1);
	CHECK_EQ(warns.offset, bad);
	return NULL;
}

/* One byte after the last entry: not even an entry header. */
UNIT_TEST(truncated_entry_header)
{
	struct tbl t;
	static const uint8_t stray[] = { 0 };

	madt_begin(&t);
	madt_lapic(&t, 0, 0, 1);
	tbl_put(&t, stray, sizeof(stray));
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(warns.count, 1);
	return NULL;
}

/* A known type shorter than its fields is skipped; the walk goes on. */
UNIT_TEST(entry_too_short_for_type)
{
	struct tbl t;
	static const uint8_t short_ioapic[] = { 1, 8, 0, 0, 0, 0, 0xc0, 0xfe };

	madt_begin(&t);
	tbl_put(&t, short_ioapic, sizeof(short_ioapic));
	madt_lapic(&t, 0, 3, 1);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.nioapics, 0);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(madt.cpus[0].apic_id, 3);
	CHECK_EQ(warns.count, 1);
	CHECK_EQ(warns.offset, MADT_HDR);
	return NULL;
}

UNIT_TEST(madt_without_ioapic)
{
	struct tbl t;

	madt_begin(&t);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 1, 1);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 2);
	CHECK_EQ(madt.nioapics, 0);
	CHECK_EQ(warns.count, 0);
	return NULL;
}

UNIT_TEST(madt_empty)
{
	struct tbl t;

	madt_begin(&t);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 0);
	CHECK_EQ(madt.lapic_address, 0xfee00000u);
	return NULL;
}

/* ------------------------------------------------------------ entry kinds */

UNIT_TEST(x2apic_entries_and_address_override)
{
	struct tbl t;
	uint8_t x2[16] = { 9, 16 }, x2nmi[12] = { 10, 12 }, addr[12] = { 5, 12 };

	madt_begin(&t);
	put32(x2 + 4, 0x100);   /* x2APIC ID */
	put32(x2 + 8, 1);       /* enabled */
	put32(x2 + 12, 77);     /* UID */
	tbl_put(&t, x2, sizeof(x2));
	put16(x2nmi + 2, ACPI_POLARITY_LOW | ACPI_TRIGGER_EDGE);
	put32(x2nmi + 4, 77);
	x2nmi[8] = 1;
	tbl_put(&t, x2nmi, sizeof(x2nmi));
	put64(addr + 4, 0x1fee00000ull);
	tbl_put(&t, addr, sizeof(addr));
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(madt.cpus[0].apic_id, 0x100);
	CHECK_EQ(madt.cpus[0].uid, 77);
	CHECK(madt.cpus[0].x2apic && madt.cpus[0].enabled);
	CHECK_EQ(madt.nnmis, 1);
	CHECK_EQ(madt.nmis[0].uid, 77);
	CHECK_EQ(madt.nmis[0].lint, 1);
	CHECK_EQ(madt.nmis[0].flags, ACPI_POLARITY_LOW | ACPI_TRIGGER_EDGE);
	CHECK(madt.lapic_overridden);
	CHECK_EQ(madt.lapic_address, 0x1fee00000ull);
	return NULL;
}

/* Firmware may list a CPU twice (local APIC and local x2APIC entries);
 * a CPU neither enabled nor online-capable is not a CPU. */
UNIT_TEST(cpu_flags_and_duplicates)
{
	struct tbl t;
	uint8_t x2[16] = { 9, 16 };

	madt_begin(&t);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 1, 0);   /* absent */
	madt_lapic(&t, 2, 2, 2);   /* online capable, not enabled */
	put32(x2 + 4, 0);          /* APIC ID 0 again */
	put32(x2 + 8, 1);
	tbl_put(&t, x2, sizeof(x2));
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 2);
	CHECK(madt.cpus[0].enabled && !madt.cpus[0].x2apic);
	CHECK_EQ(madt.cpus[1].apic_id, 2);
	CHECK(!madt.cpus[1].enabled);
	return NULL;
}

UNIT_TEST(nmi_on_bad_lint_and_unknown_types)
{
	struct tbl t;
	static const uint8_t nmi_lint2[] = { 4, 6, 0xff, 0, 0, 2 };
	static const uint8_t unknown[] = { 0x7f, 5, 1, 2, 3 };
	static const uint8_t gicc_like[] = { 0x0b, 4, 0, 0 };

	madt_begin(&t);
	tbl_put(&t, nmi_lint2, sizeof(nmi_lint2));
	tbl_put(&t, unknown, sizeof(unknown));
	tbl_put(&t, gicc_like, sizeof(gicc_like));
	madt_ioapic(&t, 2, 0xfec01000u, 24);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.nnmis, 0);
	CHECK_EQ(warns.count, 1);
	CHECK_EQ(madt.nioapics, 1);
	CHECK_EQ(madt.ioapics[0].id, 2);
	CHECK_EQ(madt.ioapics[0].gsi_base, 24);
	return NULL;
}

UNIT_TEST(too_many_cpus_counted_not_stored)
{
	struct tbl t;

	madt_begin(&t);
	for (unsigned i = 0; i < ACPI_MAX_CPUS + 6; i++)
		madt_lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, ACPI_MAX_CPUS);
	CHECK_EQ(madt.cpus_dropped, 6);
	return NULL;
}

/* Online-capable CPUs listed first fill the table: the enabled ones
 * after them still find a place (each in an online-capable one's). */
UNIT_TEST(enabled_cpus_not_crowded_out)
{
	struct tbl t;
	uint8_t x2[16] = { 9, 16 };
	unsigned enabled = 0;

	madt_begin(&t);
	for (unsigned i = 0; i < ACPI_MAX_CPUS; i++)
		madt_lapic(&t, (uint8_t)i, (uint8_t)i, 2); /* online capable */
	madt_lapic(&t, 100, 100, 1);
	put32(x2 + 4, 300);
	put32(x2 + 8, 1);
	tbl_put(&t, x2, sizeof(x2));
	madt_lapic(&t, 101, 101, 2);                        /* no room: dropped */
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, ACPI_MAX_CPUS);
	CHECK_EQ(madt.cpus_dropped, 3);
	for (unsigned i = 0; i < madt.ncpus; i++) {
		enabled += madt.cpus[i].enabled;
		CHECK(madt.cpus[i].apic_id != 101);
	}
	CHECK_EQ(enabled, 2);
	CHECK(madt.cpus[ACPI_MAX_CPUS - 1].enabled && madt.cpus[ACPI_MAX_CPUS - 1].apic_id == 100);
	CHECK(madt.cpus[ACPI_MAX_CPUS - 2].enabled && madt.cpus[ACPI_MAX_CPUS - 2].apic_id == 300);
	return NULL;
}

/* The broadcast IDs (0xff in a local APIC entry, 0xffffffff in a local
 * x2APIC one) name no CPU, whatever the flags say. */
UNIT_TEST(broadcast_ids_not_cpus)
{
	struct tbl t;
	uint8_t x2[16] = { 9, 16 };

	madt_begin(&t);
	madt_lapic(&t, 0, 0xff, 1);
	put32(x2 + 4, 0xffffffffu);
	put32(x2 + 8, 1);
	tbl_put(&t, x2, sizeof(x2));
	put32(x2 + 4, 0xff);       /* 255 is a CPU in an x2APIC entry */
	tbl_put(&t, x2, sizeof(x2));
	tbl_finish(&t);
	CHECK(parse_madt(t.b, t.len, &madt) == NULL);
	CHECK_EQ(madt.ncpus, 1);
	CHECK_EQ(madt.cpus[0].apic_id, 0xff);
	CHECK(madt.cpus[0].x2apic);
	CHECK_EQ(madt.bad_entries, 0);
	return NULL;
}

UNIT_TEST(hpet_not_in_memory_space)
{
	uint8_t t[TABLE_MAX];
	uint32_t len = load("q35-smp2-HPET.bin", t);
	struct acpi_hpet_info h;

	t[40] = 1; /* I/O space */
	fix_checksum(t);
	CHECK(acpi_parse_hpet(heap_copy(t, len), len, &h) != NULL);
	return NULL;
}

/* Every single-byte corruption of the captured MADT's entries, with the
 * checksum fixed up so the walk runs: it ends, within bounds, and never
 * records more than the table could hold. */
UNIT_TEST(mutated_madt_entries_terminate)
{
	uint8_t t[TABLE_MAX], m[TABLE_MAX];
	uint32_t len = load("q35-smp2-APIC.bin", t);
	static const uint8_t values[] = { 0, 1, 2, 7, 8, 0x7f, 0xff };

	for (uint32_t off = MADT_HDR; off < len; off++) {
		for (unsigned v = 0; v < sizeof(values); v++) {
			memcpy(m, t, len);
			m[off] = values[v];
			fix_checksum(m);
			CHECK(parse_madt(m, len, &madt) == NULL);
			CHECK(madt.ncpus + madt.nioapics + madt.noverrides + madt.nnmis <= len / 2);
		}
	}
	return NULL;
}

/* ------------------------------------------------------------ MCFG */

#define MCFG_RESERVED 8
#define ECAM_QEMU_Q35 0xb0000000ull   /* QEMU q35's MMCONFIG window: buses 0-255 */

static void mcfg_begin(struct tbl *t)
{
	uint8_t reserved[MCFG_RESERVED] = { 0 };
	tbl_begin(t, "MCFG");
	tbl_put(t, reserved, sizeof(reserved));
}

static void mcfg_entry(struct tbl *t, uint64_t base, uint16_t segment, uint8_t start, uint8_t end)
{
	uint8_t e[16] = { 0 };
	put64(e, base);
	put16(e + 8, segment);
	e[10] = start;
	e[11] = end;
	tbl_put(t, e, sizeof(e));
}

static struct acpi_mcfg_info mcfg;

static const char *parse_mcfg(const void *t, uint32_t len)
{
	memset(&warns, 0, sizeof(warns));
	return acpi_parse_mcfg(heap_copy(t, len), len, &mcfg, warn, NULL);
}

UNIT_TEST(mcfg_one_window)
{
	struct tbl t;

	mcfg_begin(&t);
	mcfg_entry(&t, ECAM_QEMU_Q35, 0, 0, 255);
	tbl_finish(&t);
	CHECK_OK(parse_mcfg(t.b, t.len));
	CHECK_EQ(mcfg.n, 1);
	CHECK_EQ(mcfg.regions[0].base, ECAM_QEMU_Q35);
	CHECK_EQ(mcfg.regions[0].segment, 0);
	CHECK_EQ(mcfg.regions[0].bus_start, 0);
	CHECK_EQ(mcfg.regions[0].bus_end, 255);
	CHECK_EQ(mcfg.bad_entries, 0);
	CHECK_EQ(warns.count, 0);
	return NULL;
}

/* An MCFG with no entries is valid and says so with n == 0. */
UNIT_TEST(mcfg_empty)
{
	struct tbl t;

	mcfg_begin(&t);
	tbl_finish(&t);
	CHECK_OK(parse_mcfg(t.b, t.len));
	CHECK_EQ(mcfg.n, 0);
	CHECK_EQ(warns.count, 0);
	return NULL;
}

/* Each unusable entry is skipped with its own warning; the good ones stay. */
UNIT_TEST(mcfg_bad_entries_skipped)
{
	struct tbl t;

	mcfg_begin(&t);
	mcfg_entry(&t, 0, 0, 0, 255);                          /* base 0 */
	mcfg_entry(&t, ECAM_QEMU_Q35 + 0x1000, 0, 0, 255);     /* not 1 MiB aligned */
	mcfg_entry(&t, ECAM_QEMU_Q35, 1, 9, 8);                /* start above end */
	mcfg_entry(&t, 0xfffffffffff00000ull, 2, 0, 0);         /* past 2^52 */
	mcfg_entry(&t, (1ull << 52) - (1ull << 20), 3, 0, 1);   /* bus 1 runs past 2^52 */
	mcfg_entry(&t, 0xe0000000ull, 4, 0x10, 0x1f);
	tbl_finish(&t);
	CHECK_OK(parse_mcfg(t.b, t.len));
	CHECK_EQ(mcfg.n, 1);
	CHECK_EQ(mcfg.regions[0].segment, 4);
	CHECK_EQ(mcfg.regions[0].bus_start, 0x10);
	CHECK_EQ(mcfg.regions[0].bus_end, 0x1f);
	CHECK_EQ(mcfg.bad_entries, 5);
	CHECK_EQ(warns.count, 5);
	CHECK_EQ(warns.offset, 44 + 4 * 16);
	return NULL;
}

UNIT_TEST(mcfg_trailing_bytes_warned)
{
	struct tbl t;
	static const uint8_t junk[5] = { 1, 2, 3, 4, 5 };

	mcfg_begin(&t);
	mcfg_entry(&t, ECAM_QEMU_Q35, 0, 0, 255);
	tbl_put(&t, junk, sizeof(junk));
	tbl_finish(&t);
	CHECK_OK(parse_mcfg(t.b, t.len));
	CHECK_EQ(mcfg.n, 1);
	CHECK_EQ(warns.count, 1);
	CHECK_EQ(warns.offset, 44 + 16);
	return NULL;
}

UNIT_TEST(mcfg_capacity_counted)
{
	struct tbl t;

	mcfg_begin(&t);
	for (unsigned i = 0; i < ACPI_MAX_ECAM + 3; i++)
		mcfg_entry(&t, ECAM_QEMU_Q35 + ((uint64_t)i << 28), (uint16_t)i, 0, 255);
	tbl_finish(&t);
	CHECK_OK(parse_mcfg(t.b, t.len));
	CHECK_EQ(mcfg.n, ACPI_MAX_ECAM);
	CHECK_EQ(mcfg.dropped, 3);
	return NULL;
}

UNIT_TEST(mcfg_rejected)
{
	struct tbl t;

	mcfg_begin(&t);
	mcfg_entry(&t, ECAM_QEMU_Q35, 0, 0, 255);
	tbl_finish(&t);
	CHECK(parse_mcfg(t.b, t.len - 1) != NULL);   /* truncated */
	CHECK(parse_mcfg(t.b, 40) != NULL);          /* not even the reserved bytes */
	t.b[0] = 'X';
	CHECK(parse_mcfg(t.b, t.len) != NULL);       /* signature */
	t.b[0] = 'M';
	t.b[20] ^= 1;
	CHECK(parse_mcfg(t.b, t.len) != NULL);       /* checksum */
	put32(t.b + LEN_OFF, 40);                    /* length below the entries' start */
	fix_checksum(t.b);
	CHECK(parse_mcfg(t.b, 60) != NULL);
	return NULL;
}

/* Every single-byte value at every offset past the header: the parse
 * ends, keeps within ACPI_MAX_ECAM, and every kept window is sane. */
UNIT_TEST(mutated_mcfg_terminates)
{
	struct tbl t;
	uint8_t m[TABLE_MAX];
	static const uint8_t values[] = { 0, 1, 0x10, 0x7f, 0x80, 0xff };

	mcfg_begin(&t);
	mcfg_entry(&t, ECAM_QEMU_Q35, 0, 0, 255);
	mcfg_entry(&t, 0xe0000000ull, 1, 0, 63);
	tbl_finish(&t);
	for (uint32_t off = ACPI_HEADER_LEN; off < t.len; off++) {
		for (unsigned v = 0; v < sizeof(values); v++) {
			memcpy(m, t.b, t.len);
			m[off] = values[v];
			fix_checksum(m);
			CHECK_OK(parse_mcfg(m, t.len));
			CHECK(mcfg.n + mcfg.bad_entries <= 2);
			for (unsigned i = 0; i < mcfg.n; i++) {
				CHECK(mcfg.regions[i].base && !(mcfg.regions[i].base & 0xfffff));
				CHECK(mcfg.regions[i].bus_start <= mcfg.regions[i].bus_end);
			}
		}
	}
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(q35_madt),
	UNIT_ENTRY(pc_madt),
	UNIT_ENTRY(q35_x2apic_madt),
	UNIT_ENTRY(captured_hpet),
	UNIT_ENTRY(q35_fadt_pm_timer),
	UNIT_ENTRY(pc_fadt_pm_timer),
	UNIT_ENTRY(fadt_tmr_val_ext_32bit),
	UNIT_ENTRY(fadt_x_block_zero_uses_pm_tmr_blk),
	UNIT_ENTRY(fadt_x_block_preferred_and_mmio),
	UNIT_ENTRY(fadt_x_block_unusable_falls_back),
	UNIT_ENTRY(fadt_hardware_reduced_has_no_pm_timer),
	UNIT_ENTRY(fadt_too_short),
	UNIT_ENTRY(bad_checksum_rejected),
	UNIT_ENTRY(wrong_signature_rejected),
	UNIT_ENTRY(truncated_tables_rejected),
	UNIT_ENTRY(length_field_too_short),
	UNIT_ENTRY(zero_length_entry),
	UNIT_ENTRY(entry_length_one),
	UNIT_ENTRY(entry_overruns_table_end),
	UNIT_ENTRY(truncated_entry_header),
	UNIT_ENTRY(entry_too_short_for_type),
	UNIT_ENTRY(madt_without_ioapic),
	UNIT_ENTRY(madt_empty),
	UNIT_ENTRY(x2apic_entries_and_address_override),
	UNIT_ENTRY(cpu_flags_and_duplicates),
	UNIT_ENTRY(nmi_on_bad_lint_and_unknown_types),
	UNIT_ENTRY(too_many_cpus_counted_not_stored),
	UNIT_ENTRY(enabled_cpus_not_crowded_out),
	UNIT_ENTRY(broadcast_ids_not_cpus),
	UNIT_ENTRY(hpet_not_in_memory_space),
	UNIT_ENTRY(mutated_madt_entries_terminate),
	UNIT_ENTRY(mcfg_one_window),
	UNIT_ENTRY(mcfg_empty),
	UNIT_ENTRY(mcfg_bad_entries_skipped),
	UNIT_ENTRY(mcfg_trailing_bytes_warned),
	UNIT_ENTRY(mcfg_capacity_counted),
	UNIT_ENTRY(mcfg_rejected),
	UNIT_ENTRY(mutated_mcfg_terminates),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
