/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the ATA IDENTIFY DEVICE parser (kernel/dev/ata_id.c):
 * any 512 bytes a disk sends either are refused or give a size the AHCI
 * driver can use (sectors below 2^48, a logical sector of 512..65536 bytes,
 * a power of two) and a printable, terminated model string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/ata_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t id[ATA_ID_WORDS];
	struct ata_id out;

	memset(id, 0, sizeof(id));
	memcpy(id, data, size < sizeof(id) ? size : sizeof(id));
	if (ata_id_parse(id, &out))
		return 0;
	if (!out.sectors || out.sectors >= (1ull << 48) || out.sector_size < 512 ||
	    out.sector_size > 65536 || (out.sector_size & (out.sector_size - 1)))
		abort();
	size_t n = strnlen(out.model, sizeof(out.model));
	if (n > ATA_ID_MODEL_LEN)
		abort();
	for (size_t i = 0; i < n; i++)
		if (out.model[i] < ' ' || out.model[i] > '~')
			abort();
	return 0;
}
