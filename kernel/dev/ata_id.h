/* SPDX-License-Identifier: MIT */
/* The ATA IDENTIFY DEVICE reply (ACS-3, 7.12.7): the fields a disk driver needs, checked. Pure: the host tests compile it. */
#ifndef KESTREL_DEV_ATA_ID_H
#define KESTREL_DEV_ATA_ID_H

#include <stdbool.h>
#include <stdint.h>

#define ATA_ID_WORDS      256     /* the reply: one 512-byte block */
#define ATA_ID_MODEL_LEN  40      /* characters of the model string */

/* ATA commands (ACS-3, 7) that the AHCI driver issues. */
#define ATA_CMD_IDENTIFY        0xecu
#define ATA_CMD_READ_DMA_EXT    0x25u
#define ATA_CMD_WRITE_DMA_EXT   0x35u
#define ATA_CMD_FLUSH_CACHE_EXT 0xeau

/* What a disk says of itself. */
struct ata_id {
	uint64_t sectors;          /* logical sectors (48-bit addressing) */
	uint32_t sector_size;      /* logical sector, bytes: 512..65536, a power of two */
	char model[ATA_ID_MODEL_LEN + 1];  /* trailing spaces dropped */
};

/* Check and decode an IDENTIFY DEVICE reply (id[i] is word i, as the
 * device sent it). NULL and *out filled, or why the disk cannot be
 * driven ("not an ATA device", "no 48-bit addressing", ...). */
const char *ata_id_parse(const uint16_t id[ATA_ID_WORDS], struct ata_id *out);

#endif
