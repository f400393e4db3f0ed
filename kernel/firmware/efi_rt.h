/* SPDX-License-Identifier: MIT */
/*
 * UEFI runtime services (dev/efi_rt.c; firmware/efi_rt_parse.c the pure
 * checks): ResetSystem, GetTime, GetVariable, SetVariable
 * and GetNextVariableName, callable after ExitBootServices.
 *
 * How: the loader reports the firmware's runtime regions (memory map
 * ranges with KBI_MEMF_EFI_RUNTIME) and the system table; efi_rt_init
 * builds a page table used only for the calls, holding the kernel's
 * upper half plus the runtime regions mapped 1:1 (code executable, data
 * and MMIO not), and never calls SetVirtualAddressMap. Each call runs
 * with interrupts off, on a stack of its own, with that table in CR3,
 * under the kernel lock (one call at a time machine-wide, as the UEFI
 * specification requires), then restores the caller's CR3.
 *
 * Everything fails cleanly when there is no firmware to call (no
 * system table, a runtime table that fails its checks, a firmware that
 * faults: the fault handler turns a fault inside a call into -EIO and
 * disables the services for the rest of the boot, with a log line).
 *
 * Lock rule: callers hold the kernel lock (every syscall and kernel
 * thread does); the functions may be called from any CPU.
 */
#ifndef KESTREL_FIRMWARE_EFI_RT_H
#define KESTREL_FIRMWARE_EFI_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kbi_boot_info;

/* EFI_RESET_TYPE (UEFI 2.10, 8.5.1). */
enum efi_reset_type {
	EFI_RESET_COLD     = 0,
	EFI_RESET_WARM     = 1,
	EFI_RESET_SHUTDOWN = 2,
};

/* EFI_TIME, the fields Kestrel reads (UEFI 2.10, 8.3). */
struct efi_rt_time {
	uint16_t year;   /* 1900-9999 */
	uint8_t month;   /* 1-12 */
	uint8_t day;     /* 1-31 */
	uint8_t hour, minute, second;
	uint32_t nanosecond;
	int16_t timezone; /* minutes from UTC, 2047 = unspecified (local) */
};

/* Variable attributes (UEFI 2.10, 8.2). */
#define EFI_VAR_NON_VOLATILE       0x1u
#define EFI_VAR_BOOTSERVICE_ACCESS 0x2u
#define EFI_VAR_RUNTIME_ACCESS     0x4u

/* Kestrel's vendor GUID for its own variables (KestrelSelftest...),
 * ad421c44-26a7-4265-a255-88bc8b88ac25, in EFI_GUID byte order. */
extern const uint8_t efi_kestrel_guid[16];

/* Set the services up from the boot information; logs what it found
 * ("efi: runtime services: N regions, time, variables, reset" or why
 * not). Call once, after mm_init, on the boot CPU. */
void efi_rt_init(const struct kbi_boot_info *bi);

/* True once efi_rt_init succeeded and no call has faulted since. */
bool efi_rt_available(void);

/* ResetSystem(type). Returns only when the firmware did not reset or
 * power off the machine (or there are no services): the caller goes on
 * to its next method. Interrupts may already be off. */
void efi_rt_reset_system(enum efi_reset_type type);

/* GetTime. 0, -ENODEV (no services) or -EIO (the firmware's error). */
int efi_rt_get_time(struct efi_rt_time *t);

/* GetVariable / SetVariable for an ASCII name (converted to UCS-2) and a
 * vendor GUID in its in-memory (mixed-endian EFI_GUID) byte order.
 * get: *size in = buffer bytes, out = the variable's size; returns 0,
 * -ENOENT, -E2BIG (buffer too small; *size says how much), -ENODEV,
 * -EIO. set: size 0 deletes; returns 0, -ENOSPC, -EINVAL, -EROFS
 * (write-protected), -ENODEV, -EIO. Either may also return -EACCES (an
 * authenticated variable refused: EFI_SECURITY_VIOLATION) and
 * -EOPNOTSUPP (the firmware has no variable services at runtime). After
 * ExitBootServices UEFI lets set create or change only variables with
 * EFI_VAR_NON_VOLATILE (a volatile one: EFI_INVALID_PARAMETER, -EINVAL). */
int efi_rt_get_variable(const char *name, const uint8_t guid[16], uint32_t *attrs,
			void *buf, size_t *size);
int efi_rt_set_variable(const char *name, const uint8_t guid[16], uint32_t attrs,
			const void *buf, size_t size);

/* GetNextVariableName, for walking every variable: name (UCS-2,
 * NUL-terminated; an empty string starts the walk) and guid hold the
 * previous variable, *size the bytes of the name buffer; on return they
 * hold the next one and *size its name's bytes. 0, -ENOENT past the
 * last, -E2BIG (the buffer is too small: *size says how much), -EINVAL,
 * -ENODEV, -EIO. Names need not be ASCII (efi_rt_parse.h converts the
 * ones that are). */
int efi_rt_next_variable_name(uint16_t *name, size_t *size, uint8_t guid[16]);

#endif
