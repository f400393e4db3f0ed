/* SPDX-License-Identifier: MIT */
/* Pure parsers for the ACPI tables behind interrupts, time and PCI (MADT, HPET, FADT PM timer, MCFG): bytes in, plain structs out. */
#ifndef KESTREL_FIRMWARE_ACPI_TABLES_H
#define KESTREL_FIRMWARE_ACPI_TABLES_H

/*
 * Nothing here touches memory other than the bytes it is handed, logs, or
 * allocates, so the same code runs in the kernel and in the host unit
 * tests. Each parser takes a table and the number of bytes readable
 * there, checks the header (signature, length, checksum) and returns NULL
 * with *out filled, or a static reason the whole table was rejected.
 * Problems with single entries (zero length, running past the end, too
 * short for their type) are reported through the warn callback and the
 * entry (or, when the walk cannot continue, the rest) is skipped: never
 * fatal, never an endless loop.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_HEADER_LEN 36

/* Array capacities; entries beyond them are counted in *_dropped. */
#define ACPI_MAX_CPUS      64
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_NMIS      8

/* MPS INTI flags (ACPI 6.5, table 5.50) as carried by overrides and NMI entries. */
#define ACPI_POLARITY_MASK      0x3u
#define ACPI_POLARITY_BUS       0x0u /* conforms to the bus: active high on ISA */
#define ACPI_POLARITY_HIGH      0x1u
#define ACPI_POLARITY_LOW       0x3u
#define ACPI_TRIGGER_SHIFT      2
#define ACPI_TRIGGER_MASK       (0x3u << ACPI_TRIGGER_SHIFT)
#define ACPI_TRIGGER_BUS        (0x0u << ACPI_TRIGGER_SHIFT) /* ISA: edge */
#define ACPI_TRIGGER_EDGE       (0x1u << ACPI_TRIGGER_SHIFT)
#define ACPI_TRIGGER_LEVEL      (0x3u << ACPI_TRIGGER_SHIFT)

/* "All processors" in a local APIC NMI entry's processor UID. */
#define ACPI_NMI_ALL_CPUS_UID8  0xffu
#define ACPI_NMI_ALL_CPUS_UID32 0xffffffffu

struct acpi_cpu {
	uint32_t apic_id;  /* xAPIC (8-bit) or x2APIC (32-bit) ID */
	uint32_t uid;      /* ACPI processor UID */
	bool enabled;      /* usable now (else only "online capable") */
	bool x2apic;       /* came from a local x2APIC entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;  /* physical MMIO base */
	uint32_t gsi_base; /* first GSI it serves */
};

/* An ISA IRQ that arrives on another GSI or with other polarity/trigger. */
struct acpi_override {
	uint8_t bus;       /* 0: ISA */
	uint8_t source;    /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;    /* ACPI_POLARITY_* | ACPI_TRIGGER_* */
};

/* Which LINT pin of which CPU(s) is wired to NMI. */
struct acpi_lapic_nmi {
	uint32_t uid;      /* ACPI_NMI_ALL_CPUS_UID32 for all (8-bit 0xff widened) */
	uint16_t flags;
	uint8_t lint;      /* 0 or 1 */
};

struct acpi_madt_info {
	uint64_t lapic_address;   /* after any 64-bit override */
	bool lapic_overridden;
	bool pcat_compat;         /* dual 8259s present: mask them */
	unsigned ncpus, cpus_dropped;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned nioapics, ioapics_dropped;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned noverrides, overrides_dropped;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned nnmis, nmis_dropped;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];
	unsigned nmi_sources;     /* NMI source entries (a GSI wired to NMI): counted only */
	unsigned bad_entries;     /* entries skipped (or walks cut short) with a warning */
};

struct acpi_hpet_info {
	uint64_t address;         /* physical MMIO base of the event timer block */
	uint32_t block_id;        /* event timer block ID (vendor, comparator count...) */
	uint8_t number;           /* HPET sequence number */
	uint16_t min_tick;        /* minimum periodic tick, in main counter ticks */
};

struct acpi_pm_timer_info {
	bool present;
	bool mmio;                /* address is memory, else an I/O port */
	bool ext32;               /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
	bool from_x_block;        /* X_PM_TMR_BLK (ACPI 2.0+) rather than PM_TMR_BLK */
	uint64_t address;
};

/* One ECAM window (MCFG allocation entry): PCI Express configuration
 * space of buses bus_start..bus_end of a segment, 4 KiB per function at
 * base + (bus << 20 | device << 15 | function << 12). */
#define ACPI_MAX_ECAM       8
#define ACPI_ECAM_BUS_SHIFT 20    /* 1 MiB of configuration space per bus */
#define ACPI_ECAM_DEV_SHIFT 15
#define ACPI_ECAM_FN_SHIFT  12
struct acpi_ecam {
	uint64_t base;            /* physical address of bus 0 of the segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_mcfg_info {
	unsigned n, dropped;      /* usable entries kept, and those beyond ACPI_MAX_ECAM */
	struct acpi_ecam regions[ACPI_MAX_ECAM];
	unsigned bad_entries;     /* entries skipped (or trailing bytes) with a warning */
};

/* A Generic Address Structure (ACPI 6.5, 5.2.3.2), unpacked. */
#define ACPI_GAS_MEMORY     0
#define ACPI_GAS_IO         1
#define ACPI_GAS_PCI_CONFIG 2   /* segment 0, bus 0: device << 32 | function << 16 | offset */
struct acpi_gas_info {
	uint8_t space;            /* ACPI_GAS_* */
	uint8_t bit_width, bit_offset;
	uint8_t access_size;      /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;         /* 0: the register is absent */
};

/* What power off and reset need from the FADT. Registers absent from
 * the table (too short a revision, or zero) have address 0. */
struct acpi_fadt_power {
	bool hw_reduced;          /* HW_REDUCED_ACPI: no PM1 blocks; sleep registers instead */
	uint32_t smi_cmd;         /* port that switches to ACPI mode, 0 if none */
	uint8_t acpi_enable;      /* the value written there */
	struct acpi_gas_info pm1a_cnt, pm1b_cnt; /* X_PM1x_CNT_BLK, else the 32-bit port */
	struct acpi_gas_info sleep_control, sleep_status; /* ACPI 5.0+ */
	bool has_reset;           /* RESET_REG_SUP set and RESET_REG usable */
	struct acpi_gas_info reset_reg;
	uint8_t reset_value;
	uint64_t dsdt;            /* X_DSDT when present and non-zero, else DSDT; 0 if none */
};

/*
 * A warning about one part of a table: the signature, the byte offset of
 * the entry inside the table, and a static reason. ctx is the caller's.
 */
typedef void (*acpi_warn_fn)(void *ctx, const char *sig, uint32_t offset, const char *why);

/* Sum of len bytes is 0 mod 256. */
bool acpi_checksum_ok(const void *p, uint32_t len);

/* The common header check: at least a header's bytes, the signature,
 * avail >= length >= min_len, and the checksum. NULL or the reason. */
const char *acpi_table_check(const void *table, uint32_t avail, const char sig[4], uint32_t min_len);

/* The MADT ("APIC"). A MADT with no IO APIC or no CPU is not rejected:
 * the counts say so and the caller decides. */
const char *acpi_parse_madt(const void *table, uint32_t avail, struct acpi_madt_info *out,
			    acpi_warn_fn warn, void *ctx);

/* The HPET table; rejected if its base is not in memory space or is 0. */
const char *acpi_parse_hpet(const void *table, uint32_t avail, struct acpi_hpet_info *out);

/* The FADT's PM timer: X_PM_TMR_BLK when the table has it and it is
 * non-zero, else PM_TMR_BLK (an I/O port); out->present is false on
 * hardware-reduced ACPI or when neither block is given. */
const char *acpi_parse_fadt_pm_timer(const void *table, uint32_t avail,
				     struct acpi_pm_timer_info *out, acpi_warn_fn warn, void *ctx);

/* The FADT's power facts (ACPI 6.5, 5.2.9): flags, PM1 control blocks,
 * the sleep control/status registers, the reset register (only with
 * RESET_REG_SUP, and only in memory, I/O or PCI configuration space;
 * another space is a warning and no reset register) and the DSDT. */
const char *acpi_parse_fadt_power(const void *table, uint32_t avail, struct acpi_fadt_power *out,
				  acpi_warn_fn warn, void *ctx);

/* A PCI configuration space GAS (segment 0, bus 0): device in address
 * bits 47:32, function in 31:16, register in 15:0 (ACPI 6.5, table
 * 5.1). False unless device < 32, function < 8, register < 4096 and the
 * other bits are 0. */
bool acpi_gas_pci_address(const struct acpi_gas_info *g, uint8_t *dev, uint8_t *fn, uint16_t *reg);

/* The MCFG (PCI Firmware Specification 3.2, 4.1.2). An entry with base 0,
 * an unaligned base, start bus above end bus, or a window past the
 * physical address space is skipped with a warning; an MCFG with no
 * usable entry is not rejected (n == 0). */
const char *acpi_parse_mcfg(const void *table, uint32_t avail, struct acpi_mcfg_info *out,
			    acpi_warn_fn warn, void *ctx);

#endif
