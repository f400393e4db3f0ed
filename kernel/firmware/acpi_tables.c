// SPDX-License-Identifier: MIT
/*
 * Kestrel: parsers for the MADT, the HPET table and the FADT's PM timer
 * fields, as pure functions over bytes (see acpi_tables.h). Fixed fields
 * are read with little-endian byte helpers, MADT entries are copied into
 * packed structs, so alignment never matters; every read is
 * bounds-checked first.
 * Offsets and lengths are from ACPI 6.5, sections 5.2.9, 5.2.12, and the
 * IA-PC HPET specification 1.0a, section 3.2.4.
 */
#include <stddef.h>
#include "firmware/acpi_tables.h"

/* Header. */
#define HDR_LENGTH_OFF 4

/* MADT. */
#define MADT_LAPIC_ADDR_OFF 36
#define MADT_FLAGS_OFF      40
#define MADT_ENTRIES_OFF    44
#define MADT_PCAT_COMPAT    (1u << 0)
#define MADT_ENTRY_HDR_LEN  2

enum madt_type {
	MADT_LAPIC       = 0,
	MADT_IOAPIC      = 1,
	MADT_OVERRIDE    = 2,
	MADT_NMI_SOURCE  = 3,
	MADT_LAPIC_NMI   = 4,
	MADT_LAPIC_ADDR  = 5,
	MADT_X2APIC      = 9,
	MADT_X2APIC_NMI  = 10,
	MADT_TYPE_KNOWN  = 11,
};

#define LAPIC_FLAG_ENABLED        (1u << 0)
#define LAPIC_FLAG_ONLINE_CAPABLE (1u << 1)
/* The broadcast destinations, which name no CPU: an entry with one is
 * ignored, as Linux does (QEMU lists APIC ID 255 in an x2APIC entry). */
#define XAPIC_BROADCAST_ID        0xffu
#define X2APIC_BROADCAST_ID       0xffffffffu
#define LINT_MAX                  1

/* HPET table. */
#define HPET_BLOCK_ID_OFF  36
#define HPET_GAS_OFF       40
#define HPET_NUMBER_OFF    52
#define HPET_MIN_TICK_OFF  53
#define HPET_TABLE_LEN     56

/* FADT. */
#define FADT_PM_TMR_BLK_OFF   76
#define FADT_PM_TMR_LEN_OFF   91
#define FADT_FLAGS_OFF        112
#define FADT_V1_LEN           116   /* ACPI 1.0: everything up to and including flags */
#define FADT_X_PM_TMR_BLK_OFF 208
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define FADT_FLAG_HW_REDUCED  (1u << 20)
#define PM_TMR_LEN_REQUIRED   4
/* The FADT's power fields (ACPI 6.5, table 5.9). */
#define FADT_DSDT_OFF         40
#define FADT_SMI_CMD_OFF      48
#define FADT_ACPI_ENABLE_OFF  52
#define FADT_PM1A_CNT_OFF     64
#define FADT_PM1B_CNT_OFF     68
#define FADT_PM1_CNT_LEN_OFF  89
#define FADT_RESET_REG_OFF    116
#define FADT_RESET_VALUE_OFF  128
#define FADT_X_DSDT_OFF       140
#define FADT_X_PM1A_CNT_OFF   172
#define FADT_X_PM1B_CNT_OFF   184
#define FADT_SLEEP_CONTROL_OFF 244
#define FADT_SLEEP_STATUS_OFF 256
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define PM1_CNT_BITS          16    /* PM1 control registers are 16 bits wide */
/* PCI configuration space GAS addresses (ACPI 6.5, table 5.1). */
#define GAS_PCI_DEV_SHIFT     32
#define GAS_PCI_FN_SHIFT      16
#define GAS_PCI_FIELD         0xffffu
#define PCI_DEVICES           32
#define PCI_FUNCTIONS         8
#define PCI_CONFIG_SPACE      4096
#define IO_PORT_MAX           0xffffu

/* Generic address structure. */
#define GAS_LEN          12
#define GAS_SPACE_OFF    0
#define GAS_ADDRESS_OFF  4
#define GAS_SPACE_MEMORY 0
#define GAS_SPACE_IO     1

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

bool acpi_checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

const char *acpi_table_check(const void *table, uint32_t avail, const char sig[4], uint32_t min_len)
{
	const uint8_t *b = table;

	if (!b || avail < ACPI_HEADER_LEN)
		return "shorter than an ACPI header";
	for (int i = 0; i < 4; i++)
		if (b[i] != (uint8_t)sig[i])
			return "wrong signature";
	uint32_t len = rd32(b + HDR_LENGTH_OFF);
	if (len < ACPI_HEADER_LEN || len < min_len)
		return "length field too short for this table";
	if (len > avail)
		return "length field runs past the end of the data (truncated)";
	if (!acpi_checksum_ok(b, len))
		return "bad checksum";
	return NULL;
}

/* ------------------------------------------------------------------ MADT */

/* The entry layouts (ACPI 6.5, 5.2.12.2-5.2.12.13), copied out of the
 * table with memcpy: no alignment assumed. ACPI is little-endian, as is
 * every machine this runs on (kernel and host tests). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ACPI tables are little-endian");

struct __attribute__((packed)) madt_lapic {
	uint8_t type, length, uid, apic_id;
	uint32_t flags;
};
struct __attribute__((packed)) madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t address, gsi_base;
};
struct __attribute__((packed)) madt_override {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;
};
struct __attribute__((packed)) madt_nmi_source {
	uint8_t type, length;
	uint16_t flags;
	uint32_t gsi;
};
struct __attribute__((packed)) madt_lapic_nmi {
	uint8_t type, length, uid;
	uint16_t flags;
	uint8_t lint;
};
struct __attribute__((packed)) madt_lapic_addr {
	uint8_t type, length;
	uint16_t reserved;
	uint64_t address;
};
struct __attribute__((packed)) madt_x2apic {
	uint8_t type, length;
	uint16_t reserved;
	uint32_t x2apic_id, flags, uid;
};
struct __attribute__((packed)) madt_x2apic_nmi {
	uint8_t type, length;
	uint16_t flags;
	uint32_t uid;
	uint8_t lint, reserved[3];
};

/* Where a CPU goes in a full table: an enabled one takes the place of
 * the last online-capable one (never started: Kestrel does no hot-add),
 * since firmware may list those first; else nowhere (NULL). */
static struct acpi_cpu *full_table_slot(struct acpi_madt_info *m, bool enabled)
{
	for (unsigned i = ACPI_MAX_CPUS; enabled && i-- > 0;)
		if (!m->cpus[i].enabled)
			return &m->cpus[i];
	return NULL;
}

/* Record one CPU unless its APIC ID is already known (firmware may list
 * a CPU in both a local APIC and a local x2APIC entry). A full table
 * counts one CPU more as dropped and keeps the enabled ones first. */
static void add_cpu(struct acpi_madt_info *m, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic)
{
	struct acpi_cpu *c;

	if (!(flags & (LAPIC_FLAG_ENABLED | LAPIC_FLAG_ONLINE_CAPABLE)))
		return; /* not present, cannot be brought online */
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->cpus[i].apic_id == apic_id)
			return;
	if (m->ncpus == ACPI_MAX_CPUS) {
		m->cpus_dropped++;
		c = full_table_slot(m, (flags & LAPIC_FLAG_ENABLED) != 0);
		if (!c)
			return;
	} else {
		c = &m->cpus[m->ncpus++];
	}
	*c = (struct acpi_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = (flags & LAPIC_FLAG_ENABLED) != 0,
		.x2apic = x2apic,
	};
}

static const char *parse_lapic(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_lapic l;

	__builtin_memcpy(&l, e, sizeof(l));
	if (l.apic_id != XAPIC_BROADCAST_ID)
		add_cpu(m, l.apic_id, l.uid, l.flags, false);
	return NULL;
}

static const char *parse_x2apic(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_x2apic x;

	__builtin_memcpy(&x, e, sizeof(x));
	if (x.x2apic_id != X2APIC_BROADCAST_ID)
		add_cpu(m, x.x2apic_id, x.uid, x.flags, true);
	return NULL;
}

static const char *parse_ioapic(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_ioapic io;

	__builtin_memcpy(&io, e, sizeof(io));
	if (!io.address)
		return "IO APIC with address 0";
	if (m->nioapics == ACPI_MAX_IOAPICS) {
		m->ioapics_dropped++;
		return NULL;
	}
	m->ioapics[m->nioapics++] = (struct acpi_ioapic){
		.id = io.id, .address = io.address, .gsi_base = io.gsi_base,
	};
	return NULL;
}

static const char *parse_override(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_override o;

	__builtin_memcpy(&o, e, sizeof(o));
	if (m->noverrides == ACPI_MAX_OVERRIDES) {
		m->overrides_dropped++;
		return NULL;
	}
	m->overrides[m->noverrides++] = (struct acpi_override){
		.bus = o.bus, .source = o.source, .gsi = o.gsi, .flags = o.flags,
	};
	return NULL;
}

static const char *parse_nmi_source(struct acpi_madt_info *m, const uint8_t *e)
{
	(void)e;
	m->nmi_sources++;
	return NULL;
}

static const char *add_nmi(struct acpi_madt_info *m, uint32_t uid, uint16_t flags, uint8_t lint)
{
	if (lint > LINT_MAX)
		return "local APIC NMI on a LINT pin other than 0 or 1";
	if (m->nnmis == ACPI_MAX_NMIS) {
		m->nmis_dropped++;
		return NULL;
	}
	m->nmis[m->nnmis++] = (struct acpi_lapic_nmi){ .uid = uid, .flags = flags, .lint = lint };
	return NULL;
}

static const char *parse_lapic_nmi(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_lapic_nmi n;

	__builtin_memcpy(&n, e, sizeof(n));
	return add_nmi(m, n.uid == ACPI_NMI_ALL_CPUS_UID8 ? ACPI_NMI_ALL_CPUS_UID32 : n.uid, n.flags,
		       n.lint);
}

static const char *parse_x2apic_nmi(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_x2apic_nmi n;

	__builtin_memcpy(&n, e, sizeof(n));
	return add_nmi(m, n.uid, n.flags, n.lint);
}

static const char *parse_lapic_addr(struct acpi_madt_info *m, const uint8_t *e)
{
	struct madt_lapic_addr a;

	__builtin_memcpy(&a, e, sizeof(a));
	if (!a.address)
		return "local APIC address override of 0";
	m->lapic_address = a.address;
	m->lapic_overridden = true;
	return NULL;
}

/* Each known entry type: its layout's size, and its parser. */
static const struct {
	uint8_t min_len;
	const char *(*parse)(struct acpi_madt_info *m, const uint8_t *e);
} madt_entries[MADT_TYPE_KNOWN] = {
	[MADT_LAPIC]      = { sizeof(struct madt_lapic), parse_lapic },
	[MADT_IOAPIC]     = { sizeof(struct madt_ioapic), parse_ioapic },
	[MADT_OVERRIDE]   = { sizeof(struct madt_override), parse_override },
	[MADT_NMI_SOURCE] = { sizeof(struct madt_nmi_source), parse_nmi_source },
	[MADT_LAPIC_NMI]  = { sizeof(struct madt_lapic_nmi), parse_lapic_nmi },
	[MADT_LAPIC_ADDR] = { sizeof(struct madt_lapic_addr), parse_lapic_addr },
	[MADT_X2APIC]     = { sizeof(struct madt_x2apic), parse_x2apic },
	[MADT_X2APIC_NMI] = { sizeof(struct madt_x2apic_nmi), parse_x2apic_nmi },
};

/* One entry of elen (>= 2, in bounds) bytes: types we do not use are
 * skipped silently, a known type too short for its fields with a warning. */
static void madt_entry(struct acpi_madt_info *m, const uint8_t *e, uint8_t elen, uint32_t off,
		       acpi_warn_fn warn, void *ctx)
{
	uint8_t type = e[0];

	if (type >= MADT_TYPE_KNOWN || !madt_entries[type].parse)
		return;
	const char *why = elen < madt_entries[type].min_len ? "entry too short for its type"
							     : madt_entries[type].parse(m, e);
	if (why) {
		m->bad_entries++;
		if (warn)
			warn(ctx, "APIC", off, why);
	}
}

/* Walk the entries. Every step advances by at least an entry header, so
 * the walk ends; an entry that cannot be stepped over ends it early. */
static void madt_walk(struct acpi_madt_info *m, const uint8_t *b, uint32_t len, acpi_warn_fn warn,
		      void *ctx)
{
	uint32_t off = MADT_ENTRIES_OFF;

	while (off < len) {
		const char *why = NULL;
		uint8_t elen = len - off >= MADT_ENTRY_HDR_LEN ? b[off + 1] : 0;
		if (len - off < MADT_ENTRY_HDR_LEN)
			why = "truncated entry header; rest of table skipped";
		else if (elen < MADT_ENTRY_HDR_LEN)
			why = "entry length below 2; rest of table skipped";
		else if (elen > len - off)
			why = "entry runs past the end of the table; rest skipped";
		if (why) {
			m->bad_entries++;
			if (warn)
				warn(ctx, "APIC", off, why);
			return;
		}
		madt_entry(m, b + off, elen, off, warn, ctx);
		off += elen;
	}
}

const char *acpi_parse_madt(const void *table, uint32_t avail, struct acpi_madt_info *out,
			    acpi_warn_fn warn, void *ctx)
{
	const uint8_t *b = table;
	const char *why = acpi_table_check(table, avail, "APIC", MADT_ENTRIES_OFF);

	*out = (struct acpi_madt_info){ 0 };
	if (why)
		return why;
	out->lapic_address = rd32(b + MADT_LAPIC_ADDR_OFF);
	out->pcat_compat = (rd32(b + MADT_FLAGS_OFF) & MADT_PCAT_COMPAT) != 0;
	madt_walk(out, b, rd32(b + HDR_LENGTH_OFF), warn, ctx);
	return NULL;
}

/* ------------------------------------------------------------------ HPET */

const char *acpi_parse_hpet(const void *table, uint32_t avail, struct acpi_hpet_info *out)
{
	const uint8_t *b = table;
	const char *why = acpi_table_check(table, avail, "HPET", HPET_TABLE_LEN);

	*out = (struct acpi_hpet_info){ 0 };
	if (why)
		return why;
	if (b[HPET_GAS_OFF + GAS_SPACE_OFF] != GAS_SPACE_MEMORY)
		return "HPET base is not in memory space";
	out->address = rd64(b + HPET_GAS_OFF + GAS_ADDRESS_OFF);
	if (!out->address)
		return "HPET base address is 0";
	out->block_id = rd32(b + HPET_BLOCK_ID_OFF);
	out->number = b[HPET_NUMBER_OFF];
	out->min_tick = rd16(b + HPET_MIN_TICK_OFF);
	return NULL;
}

/* ------------------------------------------------------------------ FADT */

/* X_PM_TMR_BLK, if the FADT is long enough and it names a usable
 * register; false (with a warning for an unusable one) otherwise. */
static bool pm_timer_x_block(const uint8_t *b, uint32_t len, struct acpi_pm_timer_info *out,
			     acpi_warn_fn warn, void *ctx)
{
	if (len < FADT_X_PM_TMR_BLK_OFF + GAS_LEN)
		return false;
	const uint8_t *gas = b + FADT_X_PM_TMR_BLK_OFF;
	uint8_t space = gas[GAS_SPACE_OFF];
	uint64_t address = rd64(gas + GAS_ADDRESS_OFF);
	if (!address)
		return false;
	if ((space != GAS_SPACE_IO && space != GAS_SPACE_MEMORY) ||
	    (space == GAS_SPACE_IO && address > IO_PORT_MAX)) {
		if (warn)
			warn(ctx, "FACP", FADT_X_PM_TMR_BLK_OFF,
			     "X_PM_TMR_BLK is not a usable I/O or memory address; trying PM_TMR_BLK");
		return false;
	}
	out->mmio = space == GAS_SPACE_MEMORY;
	out->address = address;
	out->from_x_block = true;
	return true;
}

/* PM_TMR_BLK, the ACPI 1.0 I/O port, if set and PM_TMR_LEN is right. */
static bool pm_timer_port(const uint8_t *b, struct acpi_pm_timer_info *out, acpi_warn_fn warn,
			  void *ctx)
{
	uint32_t port = rd32(b + FADT_PM_TMR_BLK_OFF);

	if (!port)
		return false;
	if (port > IO_PORT_MAX || b[FADT_PM_TMR_LEN_OFF] < PM_TMR_LEN_REQUIRED) {
		if (warn)
			warn(ctx, "FACP", FADT_PM_TMR_BLK_OFF,
			     "PM_TMR_BLK is not a port or PM_TMR_LEN is below 4; no PM timer");
		return false;
	}
	out->address = port;
	return true;
}

const char *acpi_parse_fadt_pm_timer(const void *table, uint32_t avail,
				     struct acpi_pm_timer_info *out, acpi_warn_fn warn, void *ctx)
{
	const uint8_t *b = table;
	const char *why = acpi_table_check(table, avail, "FACP", FADT_V1_LEN);

	*out = (struct acpi_pm_timer_info){ 0 };
	if (why)
		return why;
	uint32_t flags = rd32(b + FADT_FLAGS_OFF);
	if (flags & FADT_FLAG_HW_REDUCED)
		return NULL; /* hardware-reduced ACPI has no PM timer */
	out->ext32 = (flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	out->present = pm_timer_x_block(b, rd32(b + HDR_LENGTH_OFF), out, warn, ctx) ||
		       pm_timer_port(b, out, warn, ctx);
	return NULL;
}

/* The GAS at off, if the table reaches past it; else all zero. */
static struct acpi_gas_info gas_at(const uint8_t *b, uint32_t len, uint32_t off)
{
	if (len < off + GAS_LEN)
		return (struct acpi_gas_info){ 0 };
	return (struct acpi_gas_info){ .space = b[off + GAS_SPACE_OFF], .bit_width = b[off + 1],
				       .bit_offset = b[off + 2], .access_size = b[off + 3],
				       .address = rd64(b + off + GAS_ADDRESS_OFF) };
}

bool acpi_gas_pci_address(const struct acpi_gas_info *g, uint8_t *dev, uint8_t *fn, uint16_t *reg)
{
	uint64_t d = g->address >> GAS_PCI_DEV_SHIFT;
	uint64_t f = g->address >> GAS_PCI_FN_SHIFT & GAS_PCI_FIELD;
	uint64_t r = g->address & GAS_PCI_FIELD;

	if (g->space != ACPI_GAS_PCI_CONFIG || d >= PCI_DEVICES || f >= PCI_FUNCTIONS ||
	    r >= PCI_CONFIG_SPACE)
		return false;
	*dev = (uint8_t)d;
	*fn = (uint8_t)f;
	*reg = (uint16_t)r;
	return true;
}

/* A register Kestrel can reach: memory, I/O (below 64 KiB) or PCI
 * configuration space of bus 0, with a non-zero address. */
static bool gas_usable(const struct acpi_gas_info *g)
{
	uint8_t dev, fn;
	uint16_t reg;

	if (!g->address)
		return false;
	if (g->space == GAS_SPACE_IO)
		return g->address <= IO_PORT_MAX;
	if (g->space == ACPI_GAS_PCI_CONFIG)
		return acpi_gas_pci_address(g, &dev, &fn, &reg);
	return g->space == GAS_SPACE_MEMORY;
}

/* PM1x_CNT: the X_ block when it names a memory or I/O register, else
 * the ACPI 1.0 port (ACPICA's choice when both are given). */
static struct acpi_gas_info pm1_cnt(const uint8_t *b, uint32_t len, uint32_t x_off, uint32_t off)
{
	struct acpi_gas_info g = gas_at(b, len, x_off);

	if (gas_usable(&g) && g.space != ACPI_GAS_PCI_CONFIG)
		return g;
	uint32_t port = rd32(b + off);
	if (!port || port > IO_PORT_MAX)
		return (struct acpi_gas_info){ 0 };
	return (struct acpi_gas_info){ .space = GAS_SPACE_IO, .bit_width = PM1_CNT_BITS,
				       .address = port };
}

/* RESET_REG, honoured only with RESET_REG_SUP (ACPI 6.5, 4.8.3.6). */
static void fadt_reset(const uint8_t *b, uint32_t len, uint32_t flags, struct acpi_fadt_power *out,
		       acpi_warn_fn warn, void *ctx)
{
	if (!(flags & FADT_FLAG_RESET_REG_SUP) || len <= FADT_RESET_VALUE_OFF)
		return;
	struct acpi_gas_info g = gas_at(b, len, FADT_RESET_REG_OFF);
	if (!gas_usable(&g)) {
		if (warn)
			warn(ctx, "FACP", FADT_RESET_REG_OFF,
			     "RESET_REG_SUP but RESET_REG is not in memory, I/O or PCI space");
		return;
	}
	out->has_reset = true;
	out->reset_reg = g;
	out->reset_value = b[FADT_RESET_VALUE_OFF];
}

const char *acpi_parse_fadt_power(const void *table, uint32_t avail, struct acpi_fadt_power *out,
				  acpi_warn_fn warn, void *ctx)
{
	const uint8_t *b = table;
	const char *why = acpi_table_check(table, avail, "FACP", FADT_V1_LEN);

	*out = (struct acpi_fadt_power){ 0 };
	if (why)
		return why;
	uint32_t len = rd32(b + HDR_LENGTH_OFF), flags = rd32(b + FADT_FLAGS_OFF);
	out->hw_reduced = (flags & FADT_FLAG_HW_REDUCED) != 0;
	out->smi_cmd = rd32(b + FADT_SMI_CMD_OFF);
	out->acpi_enable = b[FADT_ACPI_ENABLE_OFF];
	out->pm1a_cnt = pm1_cnt(b, len, FADT_X_PM1A_CNT_OFF, FADT_PM1A_CNT_OFF);
	out->pm1b_cnt = pm1_cnt(b, len, FADT_X_PM1B_CNT_OFF, FADT_PM1B_CNT_OFF);
	out->sleep_control = gas_at(b, len, FADT_SLEEP_CONTROL_OFF);
	out->sleep_status = gas_at(b, len, FADT_SLEEP_STATUS_OFF);
	if (!gas_usable(&out->sleep_control))
		out->sleep_control = (struct acpi_gas_info){ 0 };
	if (!gas_usable(&out->sleep_status))
		out->sleep_status = (struct acpi_gas_info){ 0 };
	fadt_reset(b, len, flags, out, warn, ctx);
	out->dsdt = rd32(b + FADT_DSDT_OFF);
	if (len >= FADT_X_DSDT_OFF + sizeof(uint64_t) && rd64(b + FADT_X_DSDT_OFF))
		out->dsdt = rd64(b + FADT_X_DSDT_OFF);
	return NULL;
}

/* ------------------------------------------------------------------ MCFG */

/* PCI Firmware Specification 3.2, section 4.1.2: after the header, 8
 * reserved bytes, then 16-byte allocation entries. */
#define MCFG_ENTRIES_OFF   44
#define MCFG_ENTRY_LEN     16
#define MCFG_BASE_OFF      0
#define MCFG_SEGMENT_OFF   8
#define MCFG_BUS_START_OFF 10
#define MCFG_BUS_END_OFF   11
#define ECAM_ALIGN         (1ull << ACPI_ECAM_BUS_SHIFT)
#define PHYS_ADDR_LIMIT    (1ull << 52) /* the architectural maximum */

/* Why one allocation entry cannot be used, or NULL. Its window must be
 * inside the physical address space: base + (end bus + 1) MiB, where
 * base is the address of bus 0 of the segment, whatever the start. */
static const char *ecam_entry_bad(const struct acpi_ecam *e)
{
	if (!e->base)
		return "ECAM base address is 0; entry skipped";
	if (e->base & (ECAM_ALIGN - 1))
		return "ECAM base not 1 MiB aligned; entry skipped";
	if (e->bus_start > e->bus_end)
		return "start bus above end bus; entry skipped";
	if (e->base >= PHYS_ADDR_LIMIT ||
	    PHYS_ADDR_LIMIT - e->base < ((uint64_t)e->bus_end + 1) << ACPI_ECAM_BUS_SHIFT)
		return "ECAM window beyond the physical address space; entry skipped";
	return NULL;
}

const char *acpi_parse_mcfg(const void *table, uint32_t avail, struct acpi_mcfg_info *out,
			    acpi_warn_fn warn, void *ctx)
{
	const uint8_t *b = table;
	const char *why = acpi_table_check(table, avail, "MCFG", MCFG_ENTRIES_OFF);

	*out = (struct acpi_mcfg_info){ 0 };
	if (why)
		return why;
	uint32_t len = rd32(b + HDR_LENGTH_OFF);
	uint32_t off = MCFG_ENTRIES_OFF;
	for (; len - off >= MCFG_ENTRY_LEN; off += MCFG_ENTRY_LEN) {
		struct acpi_ecam e = {
			.base = rd64(b + off + MCFG_BASE_OFF),
			.segment = rd16(b + off + MCFG_SEGMENT_OFF),
			.bus_start = b[off + MCFG_BUS_START_OFF],
			.bus_end = b[off + MCFG_BUS_END_OFF],
		};
		const char *bad = ecam_entry_bad(&e);
		if (bad) {
			out->bad_entries++;
			if (warn)
				warn(ctx, "MCFG", off, bad);
		} else if (out->n < ACPI_MAX_ECAM) {
			out->regions[out->n++] = e;
		} else {
			out->dropped++;
		}
	}
	if (off != len) {
		out->bad_entries++;
		if (warn)
			warn(ctx, "MCFG", off, "trailing bytes shorter than an entry; ignored");
	}
	return NULL;
}
