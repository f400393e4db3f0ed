/* SPDX-License-Identifier: MIT */
/* libFuzzer: the EFI table checks and the UCS-2 name and EFI_TIME conversions on arbitrary firmware bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "firmware/efi_rt_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sigs[] = { EFI_SYSTEM_TABLE_SIGNATURE, EFI_RUNTIME_SERVICES_SIGNATURE };
	uint16_t units[EFI_VAR_NAME_MAX + 1];
	char name[EFI_VAR_NAME_MAX + 1];
	struct efi_time_raw raw;
	struct efi_rt_time t;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		(void)efi_table_check(data, size, sigs[i], sizeof(struct efi_system_table));
		(void)efi_table_check(data, size, sigs[i], sizeof(struct efi_runtime_services));
	}
	size_t n = size / 2 < EFI_VAR_NAME_MAX + 1 ? size / 2 : EFI_VAR_NAME_MAX + 1;
	memcpy(units, data, n * 2);
	if (efi_name_from_ucs2(units, n, name, sizeof(name)) >= 0 &&
	    efi_name_to_ucs2(name, units, EFI_VAR_NAME_MAX + 1) < 0 && name[0])
		__builtin_trap(); /* a name read back must convert again */
	if (size >= sizeof(raw)) {
		memcpy(&raw, data, sizeof(raw));
		if (efi_time_from_raw(&raw, &t))
			(void)efi_time_to_unix(&t);
	}
	return 0;
}
