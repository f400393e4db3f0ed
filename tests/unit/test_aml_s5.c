/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for kernel/firmware/aml_s5.c (\_S5 found by walking AML) and
 * the FADT power parser in kernel/firmware/acpi_tables.c.
 *
 * The AML cases are ASL sources (tests/unit/data/aml/, one .asl file
 * each) compiled at test time with Debian's iasl (acpica-tools) into
 * AML_OUT_DIR; without iasl they say SKIP and pass. The DSDTs QEMU 7.2
 * gives q35 (-smp 2) and pc (-smp 1) with OVMF (tests/unit/data/acpi,
 * the files ending -DSDT.bin, saved with the monitor's pmemsave at the
 * address loglevel=7 logs) and hand-made tables cover the rest:
 * PkgLength encodings iasl never emits, names with prefixes, an opcode
 * the walker does not know, truncation and corruption at every byte (no
 * crash, no read past the table: every table is an exact-size heap copy
 * under ASan).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi_tables.h"
#include "firmware/aml_s5.h"
#include "unit.h"

#if !defined(AML_ASL_DIR) || !defined(AML_OUT_DIR) || !defined(ACPI_DATA_DIR)
#error "build with -DAML_ASL_DIR, -DAML_OUT_DIR and -DACPI_DATA_DIR (see the Makefile)"
#endif

#define TABLE_MAX  65536
#define LEN_OFF    4
#define CSUM_OFF   9
#define HDR        36

/* ------------------------------------------------------------ helpers */

static uint8_t table[TABLE_MAX];

/* An exact-size heap copy; freed by the next call. */
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

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A file into table[]; its length, or 0 if it cannot be read. */
static uint32_t read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(table, 1, sizeof(table), f);
	fclose(f);
	return (uint32_t)n;
}

static bool have_iasl(void)
{
	static int have = -1;

	if (have < 0)
		have = system("command -v iasl >/dev/null 2>&1") == 0;
	return have;
}

/*
 * Compile data/aml/NAME.asl with iasl into AML_OUT_DIR/NAME.aml and load
 * it into table[]. -f: some sources declare _S5 where iasl objects
 * (inside a method or scope: the decoys the walker must not take).
 * Returns the length, 0 when iasl is missing (the caller skips), and
 * aborts when iasl fails.
 */
static uint32_t compile(const char *name)
{
	char cmd[1024], aml[512];

	if (!have_iasl()) {
		printf("SKIP %s: iasl not installed (apt-get install acpica-tools)\n", name);
		return 0;
	}
	snprintf(aml, sizeof(aml), "%s/%s.aml", AML_OUT_DIR, name);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s && iasl -f -vi -p %s/%s %s/%s.asl >%s/%s.iasl.log 2>&1", AML_OUT_DIR,
		 AML_OUT_DIR, name, AML_ASL_DIR, name, AML_OUT_DIR, name);
	remove(aml);
	uint32_t len = system(cmd) == 0 ? read_file(aml) : 0;
	if (len < HDR) {
		fprintf(stderr, "iasl failed on %s.asl: see %s/%s.iasl.log\n", name, AML_OUT_DIR,
			name);
		abort();
	}
	return len;
}

/* Walk table[0..len) from an exact-size copy. */
static enum aml_s5_result find(uint32_t len, struct aml_s5 *out)
{
	return aml_find_s5(heap_copy(table, len), len, out);
}

/* An ASL source must give FOUND with these sleep types. */
static const char *expect_found(const char *name, uint8_t a, uint8_t b)
{
	struct aml_s5 s5;
	uint32_t len = compile(name);

	if (!len)
		return NULL;
	CHECK_EQ(find(len, &s5), AML_S5_FOUND);
	CHECK_EQ(s5.slp_typa, a);
	CHECK_EQ(s5.slp_typb, b);
	CHECK(s5.offset >= HDR && s5.offset < len);
	return NULL;
}

/* A hand-made definition block: a DSDT header, then the AML bytes. */
static uint32_t make_table(const uint8_t *aml, uint32_t n)
{
	memset(table, 0, HDR);
	memcpy(table, "DSDT", 4);
	memcpy(table + HDR, aml, n);
	put32(table + LEN_OFF, HDR + n);
	return HDR + n;
}

#define S5 '_', 'S', '5', '_'
#define SB '_', 'S', 'B', '_'

/* ------------------------------------------------------ iasl sources */

UNIT_TEST(asl_root_after_decoys) { return expect_found("s5_root", 5, 5); }
UNIT_TEST(asl_scope_root) { return expect_found("s5_scope_root", 7, 7); }
UNIT_TEST(asl_parent_prefix) { return expect_found("s5_prefixes", 6, 2); }
UNIT_TEST(asl_rooted_in_sb) { return expect_found("s5_sb_rooted", 3, 4); }
UNIT_TEST(asl_zero_one_ones) { return expect_found("s5_zero_one", 0, 1); }
UNIT_TEST(asl_word_dword) { return expect_found("s5_wide", 5, 6); }
UNIT_TEST(asl_one_element) { return expect_found("s5_one_elem", 4, 3); }
UNIT_TEST(asl_method) { return expect_found("s5_method", 5, 5); }
UNIT_TEST(asl_ssdt) { return expect_found("ssdt_s5", 5, 5); }

/* A DSDT over 4 KiB: 3-byte PkgLengths before, 2-byte ones around \_S5. */
UNIT_TEST(asl_big_pkglength)
{
	const char *why = expect_found("s5_big", 5, 5);
	struct aml_s5 s5;
	uint32_t len;

	if (why || !have_iasl())
		return why;
	len = compile("s5_big");
	CHECK(len > 4096);
	find(len, &s5);
	/* NameOp, "_S5_", PackageOp, then a PkgLength lead byte saying 1 more */
	CHECK_EQ(table[s5.offset + 5], 0x12);
	CHECK_EQ(table[s5.offset + 6] >> 6, 1);
	CHECK_EQ(s5.stopped_at, 0);
	return NULL;
}

/* _S5 bytes in a buffer, a string, \_SB._S5 and a method's local: absent,
 * with every object decoded. */
UNIT_TEST(asl_dsdt_without_s5)
{
	struct aml_s5 s5;
	uint32_t len = compile("dsdt_no_s5");

	if (!len)
		return NULL;
	CHECK_EQ(find(len, &s5), AML_S5_ABSENT);
	CHECK_EQ(s5.stopped_at, 0);
	return NULL;
}

/* The kernel's order: the DSDT first, then the SSDTs; here only the
 * SSDT has it. */
UNIT_TEST(asl_s5_only_in_ssdt)
{
	struct aml_s5 s5;
	uint32_t len = compile("dsdt_no_s5");

	if (!len)
		return NULL;
	CHECK_EQ(find(len, &s5), AML_S5_ABSENT);
	len = compile("ssdt_s5");
	CHECK(memcmp(table, "SSDT", 4) == 0);
	CHECK_EQ(find(len, &s5), AML_S5_FOUND);
	CHECK_EQ(s5.slp_typa, 5);
	return NULL;
}

/* Name (_S5, 5): there, but unusable. */
UNIT_TEST(asl_not_a_package)
{
	struct aml_s5 s5;
	uint32_t len = compile("s5_bad");

	if (!len)
		return NULL;
	CHECK_EQ(find(len, &s5), AML_S5_BAD);
	CHECK(s5.why != NULL);
	return NULL;
}

/* Every truncation of every source: never a crash or a read past the
 * end; FOUND only with the right values; the whole table finds it. */
static const char *truncations(const char *name, uint8_t a, uint8_t b)
{
	uint8_t orig[TABLE_MAX];
	struct aml_s5 s5;
	uint32_t len = compile(name);

	if (!len)
		return NULL;
	memcpy(orig, table, len);
	for (uint32_t cut = 0; cut <= len; cut++) {
		memcpy(table, orig, len);
		if (cut >= HDR)
			put32(table + LEN_OFF, cut);
		enum aml_s5_result r = find(cut, &s5);
		if (r == AML_S5_FOUND)
			CHECK(s5.slp_typa == a && s5.slp_typb == b);
		if (cut == len)
			CHECK_EQ(r, AML_S5_FOUND);
		/* the header's length beyond what is readable: refused */
		memcpy(table, orig, len);
		if (cut < len)
			CHECK_EQ(find(cut, &s5), AML_S5_ABSENT);
	}
	return NULL;
}

UNIT_TEST(truncated_everywhere)
{
	CHECK_OK(truncations("s5_root", 5, 5));
	CHECK_OK(truncations("s5_scope_root", 7, 7));
	CHECK_OK(truncations("s5_prefixes", 6, 2));
	return truncations("s5_big", 5, 5);
}

/* Every byte of every source replaced by bytes that matter to the
 * walker (opcodes, prefixes, PkgLength leads): never a crash. */
UNIT_TEST(corrupt_everywhere)
{
	static const uint8_t evil[] = { 0x00, 0x01, 0x08, 0x0d, 0x10, 0x12, 0x13, 0x14, 0x2e,
					0x2f, 0x5b, 0x5c, 0x5e, 0x3f, 0x40, 0x7f, 0x80, 0xbf,
					0xc0, 0xff, 0xa4 };
	static const char *const names[] = { "s5_root", "s5_scope_root", "s5_prefixes",
					     "s5_method", "dsdt_no_s5" };
	uint8_t orig[TABLE_MAX];
	struct aml_s5 s5;

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		uint32_t len = compile(names[n]);
		if (!len)
			return NULL;
		memcpy(orig, table, len);
		for (uint32_t i = HDR; i < len; i++)
			for (size_t e = 0; e < sizeof(evil); e++) {
				memcpy(table, orig, len);
				table[i] = evil[e];
				find(len, &s5);
			}
	}
	return NULL;
}

/* ------------------------------------------------- captured from QEMU */

/* The DSDTs OVMF hands over on QEMU 7.2 q35 and pc: \_S5 is
 * Package (4) { Zero, Zero, Zero, Zero } at the root (QEMU's S5 is
 * SLP_TYP 0), found with every object of the table decoded. */
static const char *qemu_dsdt(const char *file)
{
	char path[512];
	struct aml_s5 s5;

	snprintf(path, sizeof(path), "%s/%s", ACPI_DATA_DIR, file);
	uint32_t len = read_file(path);
	CHECK(len > HDR);
	CHECK(memcmp(table, "DSDT", 4) == 0);
	CHECK_EQ(get32(table + LEN_OFF), len);
	CHECK(acpi_checksum_ok(table, len));
	CHECK_EQ(find(len, &s5), AML_S5_FOUND);
	CHECK_EQ(s5.slp_typa, 0);
	CHECK_EQ(s5.slp_typb, 0);
	CHECK_EQ(s5.stopped_at, 0);
	return NULL;
}

UNIT_TEST(qemu_q35_dsdt) { return qemu_dsdt("q35-smp2-DSDT.bin"); }
UNIT_TEST(qemu_pc_dsdt) { return qemu_dsdt("pc-smp1-DSDT.bin"); }

/* Every truncation of q35's DSDT (its length field set to the cut):
 * absent or the right answer, never a read past the cut. */
UNIT_TEST(qemu_q35_dsdt_truncated)
{
	static uint8_t orig[TABLE_MAX];
	char path[512];
	struct aml_s5 s5;

	snprintf(path, sizeof(path), "%s/q35-smp2-DSDT.bin", ACPI_DATA_DIR);
	uint32_t len = read_file(path);
	CHECK(len > HDR);
	memcpy(orig, table, len);
	for (uint32_t cut = HDR; cut < len; cut++) {
		memcpy(table, orig, cut);
		put32(table + LEN_OFF, cut);
		if (find(cut, &s5) == AML_S5_FOUND)
			CHECK(s5.slp_typa == 0 && s5.slp_typb == 0);
	}
	return NULL;
}

/* ---------------------------------------------------------- hand-made */

/* PkgLength in 3 and 4 bytes where 1 would do (ACPICA decodes them). */
UNIT_TEST(pkglength_long_forms)
{
	const uint8_t three[] = { 0x08, S5, 0x12, 0x80 | 0x0a, 0x00, 0x00, 0x04,
				  0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00 };
	const uint8_t four[] = { 0x08, S5, 0x12, 0xc0 | 0x0b, 0x00, 0x00, 0x00, 0x04,
				 0x0a, 0x03, 0x0a, 0x04, 0x00, 0x00 };
	struct aml_s5 s5;

	CHECK_EQ(find(make_table(three, sizeof(three)), &s5), AML_S5_FOUND);
	CHECK(s5.slp_typa == 5 && s5.slp_typb == 6);
	CHECK_EQ(find(make_table(four, sizeof(four)), &s5), AML_S5_FOUND);
	CHECK(s5.slp_typa == 3 && s5.slp_typb == 4);
	return NULL;
}

/* A PkgLength past its scope, or shorter than itself: not followed. */
UNIT_TEST(pkglength_out_of_bounds)
{
	const uint8_t past[] = { 0x08, S5, 0x12, 0x3f, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	const uint8_t inside[] = { 0x08, S5, 0x12, 0x40, 0x00, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	struct aml_s5 s5;

	CHECK_EQ(find(make_table(past, sizeof(past)), &s5), AML_S5_BAD);
	CHECK_EQ(find(make_table(inside, sizeof(inside)), &s5), AML_S5_BAD);
	return NULL;
}

/* \_S5 written as a multi-name path \ 2F 01 _S5_, and _SB_._S5_ as a
 * dual name (not the root's). */
UNIT_TEST(multi_and_dual_names)
{
	const uint8_t dual_then_multi[] = {
		0x08, 0x2e, SB, S5, 0x12, 0x04, 0x02, 0x01, 0x01,
		0x08, 0x5c, 0x2f, 0x01, S5, 0x12, 0x06, 0x02, 0x0a, 0x07, 0x0a, 0x02,
	};
	struct aml_s5 s5;

	CHECK_EQ(find(make_table(dual_then_multi, sizeof(dual_then_multi)), &s5), AML_S5_FOUND);
	CHECK(s5.slp_typa == 7 && s5.slp_typb == 2);
	CHECK_EQ(s5.offset, HDR + 15);
	return NULL;
}

/* An opcode the walker does not know ends only the scope it is in. */
UNIT_TEST(unknown_opcode_ends_its_scope)
{
	const uint8_t aml[] = {
		0x10, 0x08, SB, 0x02, 0x03, 0x04, /* Scope (_SB) { <0x02 0x03 0x04> } */
		0x08, S5, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00,
	};
	struct aml_s5 s5;

	CHECK_EQ(find(make_table(aml, sizeof(aml)), &s5), AML_S5_FOUND);
	CHECK(s5.slp_typa == 5 && s5.slp_typb == 0);
	/* at the root, an unknown opcode ends the walk: absent, and where */
	const uint8_t root[] = { 0x02, 0x08, S5, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00 };
	CHECK_EQ(find(make_table(root, sizeof(root)), &s5), AML_S5_ABSENT);
	CHECK_EQ(s5.stopped_at, HDR);
	return NULL;
}

/* VarPackage with a constant count; a package of zero elements. */
UNIT_TEST(var_package_and_empty)
{
	const uint8_t var[] = { 0x08, S5, 0x13, 0x07, 0x0a, 0x02, 0x0a, 0x05, 0x0a, 0x03 };
	const uint8_t empty[] = { 0x08, S5, 0x12, 0x02, 0x00 };
	struct aml_s5 s5;

	CHECK_EQ(find(make_table(var, sizeof(var)), &s5), AML_S5_FOUND);
	CHECK(s5.slp_typa == 5 && s5.slp_typb == 3);
	CHECK_EQ(find(make_table(empty, sizeof(empty)), &s5), AML_S5_BAD);
	return NULL;
}

/* Scopes nested deeper than the walker follows are stepped over whole,
 * and the walk goes on after them. */
UNIT_TEST(deep_nesting)
{
	uint8_t aml[1024];
	uint32_t n = 0;
	const unsigned depth = 40;

	for (unsigned i = 0; i < depth; i++) {
		uint32_t body = (depth - i) * 7 - 1; /* what follows this lead byte */
		aml[n++] = 0x10;
		aml[n++] = (uint8_t)(0x40 | (body & 0x0f));
		aml[n++] = (uint8_t)(body >> 4);
		aml[n++] = 'A';
		aml[n++] = 'A' + (uint8_t)(i % 26);
		aml[n++] = 'A';
		aml[n++] = 'A';
	}
	const uint8_t tail[] = { 0x08, S5, 0x12, 0x04, 0x01, 0x0a, 0x05 };
	memcpy(aml + n, tail, sizeof(tail));
	n += sizeof(tail);
	struct aml_s5 s5;
	CHECK_EQ(find(make_table(aml, n), &s5), AML_S5_FOUND);
	CHECK(s5.slp_typa == 5 && s5.slp_typb == 0);
	return NULL;
}

/* Module-level code: expressions nested 20 deep are stepped over; 100
 * deep (beyond the walker's bound) end only the scope they are in. */
UNIT_TEST(expression_depth)
{
	uint8_t aml[512];
	uint32_t n = 0;
	struct aml_s5 s5;
	const uint8_t tail[] = { 0x08, S5, 0x12, 0x04, 0x01, 0x0a, 0x05 };

	for (unsigned i = 0; i < 20; i++)
		aml[n++] = 0x92; /* LNot (LNot (... Zero)) */
	aml[n++] = 0x00;
	memcpy(aml + n, tail, sizeof(tail));
	CHECK_EQ(find(make_table(aml, n + sizeof(tail)), &s5), AML_S5_FOUND);
	CHECK_EQ(s5.stopped_at, 0);

	n = 0;
	aml[n++] = 0x10; /* Scope (_SB) { LNot x 100, Zero } */
	aml[n++] = 0x40 | ((2 + 4 + 101) & 0x0f);
	aml[n++] = (2 + 4 + 101) >> 4;
	const uint8_t sb[] = { SB };
	memcpy(aml + n, sb, 4);
	n += 4;
	for (unsigned i = 0; i < 100; i++)
		aml[n++] = 0x92;
	aml[n++] = 0x00;
	memcpy(aml + n, tail, sizeof(tail));
	CHECK_EQ(find(make_table(aml, n + sizeof(tail)), &s5), AML_S5_FOUND);
	CHECK_EQ(s5.stopped_at, HDR + 7);
	return NULL;
}

/* -------------------------------------------------------- FADT power */

/* q35's FADT (revision 3): PM1a_CNT I/O 0x604, the reset register at
 * I/O 0xcf9 with value 0x0f and RESET_REG_SUP; not hardware-reduced. */
UNIT_TEST(fadt_q35)
{
	char path[512];
	struct acpi_fadt_power p;

	snprintf(path, sizeof(path), "%s/q35-smp2-FACP.bin", ACPI_DATA_DIR);
	uint32_t len = read_file(path);
	CHECK(len > 0);
	CHECK(acpi_parse_fadt_power(heap_copy(table, len), len, &p, NULL, NULL) == NULL);
	CHECK(!p.hw_reduced);
	CHECK_EQ(p.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(p.pm1a_cnt.address, 0x604);
	CHECK_EQ(p.pm1b_cnt.address, 0);
	CHECK(p.has_reset);
	CHECK_EQ(p.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(p.reset_reg.address, 0xcf9);
	CHECK_EQ(p.reset_value, 0x0f);
	CHECK_EQ(p.smi_cmd, 0xb2);
	CHECK(p.dsdt != 0);
	return NULL;
}

/* pc's FADT is revision 1 (116 bytes): no reset register at all. */
UNIT_TEST(fadt_pc_v1)
{
	char path[512];
	struct acpi_fadt_power p;

	snprintf(path, sizeof(path), "%s/pc-smp1-FACP.bin", ACPI_DATA_DIR);
	uint32_t len = read_file(path);
	CHECK_EQ(len, 116);
	CHECK(acpi_parse_fadt_power(heap_copy(table, len), len, &p, NULL, NULL) == NULL);
	CHECK(!p.has_reset);
	CHECK_EQ(p.pm1a_cnt.address, 0xb004);
	CHECK_EQ(p.sleep_control.address, 0);
	return NULL;
}

/* Fix the FADT's checksum after an edit. */
static void fix_checksum(uint8_t *t)
{
	uint8_t sum = 0;

	t[CSUM_OFF] = 0;
	for (uint32_t i = 0; i < get32(t + LEN_OFF); i++)
		sum = (uint8_t)(sum + t[i]);
	t[CSUM_OFF] = (uint8_t)-sum;
}

static void put_gas(uint8_t *g, uint8_t space, uint8_t width, uint64_t addr)
{
	g[0] = space;
	g[1] = width;
	g[2] = 0;
	g[3] = 1;
	put32(g + 4, (uint32_t)addr);
	put32(g + 8, (uint32_t)(addr >> 32));
}

/* A hardware-reduced FADT (revision 6, 276 bytes): sleep control and
 * status in memory, the reset register in PCI configuration space; a
 * reset register without RESET_REG_SUP is not used; one in an unknown
 * space is refused with a warning. */
static unsigned warnings;
static void count_warn(void *ctx, const char *sig, uint32_t off, const char *why)
{
	(void)ctx, (void)sig, (void)off, (void)why;
	warnings++;
}

UNIT_TEST(fadt_hw_reduced)
{
	struct acpi_fadt_power p;
	const uint32_t len = 276;

	memset(table, 0, len);
	memcpy(table, "FACP", 4);
	put32(table + LEN_OFF, len);
	table[8] = 6;
	put32(table + 112, 1u << 20 | 1u << 10);           /* HW_REDUCED_ACPI, RESET_REG_SUP */
	put_gas(table + 116, ACPI_GAS_PCI_CONFIG, 8, 0x1f00030044ull); /* dev 0x1f fn 3 reg 0x44 */
	table[128] = 0x06;
	put_gas(table + 244, ACPI_GAS_MEMORY, 8, 0xfed80404ull);
	put_gas(table + 256, ACPI_GAS_MEMORY, 8, 0xfed80400ull);
	fix_checksum(table);
	CHECK(acpi_parse_fadt_power(heap_copy(table, len), len, &p, NULL, NULL) == NULL);
	CHECK(p.hw_reduced);
	CHECK_EQ(p.pm1a_cnt.address, 0);
	CHECK_EQ(p.sleep_control.space, ACPI_GAS_MEMORY);
	CHECK_EQ(p.sleep_control.address, 0xfed80404ull);
	CHECK_EQ(p.sleep_status.address, 0xfed80400ull);
	CHECK(p.has_reset);
	CHECK_EQ(p.reset_reg.space, ACPI_GAS_PCI_CONFIG);
	CHECK_EQ(p.reset_value, 6);
	uint8_t dev, fn;
	uint16_t reg;
	CHECK(acpi_gas_pci_address(&p.reset_reg, &dev, &fn, &reg));
	CHECK(dev == 0x1f && fn == 3 && reg == 0x44);

	/* device 32 does not exist: no reset register, with a warning */
	put_gas(table + 116, ACPI_GAS_PCI_CONFIG, 8, 0x2000030044ull);
	fix_checksum(table);
	warnings = 0;
	CHECK(acpi_parse_fadt_power(heap_copy(table, len), len, &p, count_warn, NULL) == NULL);
	CHECK(!p.has_reset);
	CHECK_EQ(warnings, 1);
	put_gas(table + 116, ACPI_GAS_PCI_CONFIG, 8, 0x1f00030044ull);

	put32(table + 112, 1u << 20); /* no RESET_REG_SUP */
	fix_checksum(table);
	CHECK(acpi_parse_fadt_power(heap_copy(table, len), len, &p, NULL, NULL) == NULL);
	CHECK(!p.has_reset);

	put32(table + 112, 1u << 10);
	table[116] = 0x7f; /* functional fixed hardware: not a space Kestrel can write */
	fix_checksum(table);
	warnings = 0;
	CHECK(acpi_parse_fadt_power(heap_copy(table, len), len, &p, count_warn, NULL) == NULL);
	CHECK(!p.has_reset);
	CHECK_EQ(warnings, 1);
	return NULL;
}

/* Every truncation of q35's FADT: parsed or rejected, never a read past it. */
UNIT_TEST(fadt_truncated)
{
	char path[512];
	uint8_t orig[TABLE_MAX];
	struct acpi_fadt_power p;

	snprintf(path, sizeof(path), "%s/q35-smp2-FACP.bin", ACPI_DATA_DIR);
	uint32_t len = read_file(path);
	CHECK(len > 0);
	memcpy(orig, table, len);
	for (uint32_t cut = 0; cut < len; cut++) {
		memcpy(table, orig, len);
		if (cut >= HDR) {
			put32(table + LEN_OFF, cut);
			fix_checksum(table);
		}
		const char *why = acpi_parse_fadt_power(heap_copy(table, cut), cut, &p, NULL, NULL);
		if (cut < 116)
			CHECK(why != NULL);
		else
			CHECK(why == NULL && p.has_reset == (cut > 128));
	}
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(asl_root_after_decoys),
	UNIT_ENTRY(asl_scope_root),
	UNIT_ENTRY(asl_parent_prefix),
	UNIT_ENTRY(asl_rooted_in_sb),
	UNIT_ENTRY(asl_zero_one_ones),
	UNIT_ENTRY(asl_word_dword),
	UNIT_ENTRY(asl_one_element),
	UNIT_ENTRY(asl_method),
	UNIT_ENTRY(asl_ssdt),
	UNIT_ENTRY(asl_big_pkglength),
	UNIT_ENTRY(asl_dsdt_without_s5),
	UNIT_ENTRY(asl_s5_only_in_ssdt),
	UNIT_ENTRY(asl_not_a_package),
	UNIT_ENTRY(truncated_everywhere),
	UNIT_ENTRY(corrupt_everywhere),
	UNIT_ENTRY(qemu_q35_dsdt),
	UNIT_ENTRY(qemu_pc_dsdt),
	UNIT_ENTRY(qemu_q35_dsdt_truncated),
	UNIT_ENTRY(pkglength_long_forms),
	UNIT_ENTRY(pkglength_out_of_bounds),
	UNIT_ENTRY(multi_and_dual_names),
	UNIT_ENTRY(unknown_opcode_ends_its_scope),
	UNIT_ENTRY(var_package_and_empty),
	UNIT_ENTRY(deep_nesting),
	UNIT_ENTRY(expression_depth),
	UNIT_ENTRY(fadt_q35),
	UNIT_ENTRY(fadt_pc_v1),
	UNIT_ENTRY(fadt_hw_reduced),
	UNIT_ENTRY(fadt_truncated),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
