/* SPDX-License-Identifier: MIT */
/* Finding \_S5 (the soft-off sleep type) in a DSDT or SSDT by walking the AML encoding: bytes in, two numbers out. */
#ifndef KESTREL_FIRMWARE_AML_S5_H
#define KESTREL_FIRMWARE_AML_S5_H

/*
 * Pure code (no kernel headers): the kernel and the host tests and
 * fuzzer compile the same file. It reads only the bytes it is handed,
 * never allocates, and ends on any input (every step moves forward,
 * nesting is bounded).
 *
 * What it understands: the declarations of a definition block (ACPI 6.5,
 * 20.2) - Name, Scope, Device, Processor, PowerResource, ThermalZone,
 * Method, OperationRegion, Field and its kinds, External, Alias, Mutex,
 * Event, the Create*Field operators - and the expression opcodes that
 * module-level code uses, so it can step over each object to the next.
 * Scopes are followed (Scope(\) { Name(_S5, ...) } is \_S5; Scope(\_SB)
 * { Name(_S5, ...) } is \_SB._S5, which is not), as are root (\) and
 * parent (^) prefixes and multi-segment names. The bodies of Method, If,
 * Else and While are stepped over whole: they run later, under an
 * interpreter. An object it cannot decode ends the walk of the scope it
 * is in (the scope's PkgLength says where the next object starts), so a
 * vendor opcode costs what that scope holds, never a wrong answer.
 *
 * \_S5 is taken as ACPICA's AcpiGetSleepTypeData takes it: a Package or
 * VarPackage whose first elements are integers (ZeroOp, OneOp, OnesOp,
 * Byte/Word/DWord/QWordConst); SLP_TYPa is the first, SLP_TYPb the
 * second, or with a one-element package the first's low and next byte.
 * A Method _S5 whose body begins with Return (Package () {...}) is read
 * the same way.
 */
#include <stdbool.h>
#include <stdint.h>

#define AML_TABLE_HEADER_LEN 36

enum aml_s5_result {
	AML_S5_FOUND,    /* out->slp_typa/b are set */
	AML_S5_ABSENT,   /* no \_S5 in the parts of the table that could be read */
	AML_S5_BAD,      /* \_S5 is there but is not a package of integers */
};

struct aml_s5 {
	uint8_t slp_typa, slp_typb;
	uint32_t offset;       /* of the NameOp (or MethodOp) in the table */
	uint32_t stopped_at;   /* ABSENT: offset where an undecodable object ended a
				* walk (0 if none did); BAD: offset of the \_S5 object */
	const char *why;       /* ABSENT/BAD: a static reason for the log */
};

/*
 * Look for \_S5 in one definition block: table points at avail readable
 * bytes holding a whole table (header included; its length field must
 * fit in avail; the checksum is the caller's). The signature is not
 * checked (DSDT and SSDT are the same format).
 */
enum aml_s5_result aml_find_s5(const void *table, uint32_t avail, struct aml_s5 *out);

#endif
