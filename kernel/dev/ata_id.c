// SPDX-License-Identifier: MIT
/*
 * Kestrel: the ATA IDENTIFY DEVICE reply (ACS-3, 7.12.7), checked. The
 * reply comes from the disk, so every field is outside data: a word
 * pair that says "valid" is believed only when its signature bits
 * (bit 15 clear, bit 14 set) say so, and the size must make sense.
 * Pure C with no kernel headers: tests/unit and tests/fuzz compile it.
 */
#include <stddef.h>
#include "dev/ata_id.h"

#define ID_GENERAL        0       /* bit 15 set: not an ATA device (ATAPI) */
#define ID_MODEL          27      /* 20 words, the first character in the high byte */
#define ID_CMDSET2        83      /* bit 10: the 48-bit address feature set */
#define ID_LBA48          100     /* 4 words, least significant first */
#define ID_SECTOR_SIZE    106     /* physical/logical sector size */
#define ID_LOGICAL_SIZE   117     /* 2 words: logical sector size in words */

#define GENERAL_NOT_ATA   (1u << 15)
#define SIG_MASK          0xc000u /* a word's "these bits are valid" signature */
#define SIG_VALID         0x4000u /* bit 14 set, bit 15 clear */
#define CMDSET2_LBA48     (1u << 10)
#define SSIZE_LONG_LOGICAL (1u << 12) /* the logical sector is longer than 256 words */
#define SECTOR_MIN        512u
#define SECTOR_MAX        65536u
#define LBA48_LIMIT       (1ull << 48)
#define WORD_BITS         16
#define BYTE_BITS         8
#define BYTE_MASK         0xffu

static bool word_valid(uint16_t w)
{
	return (w & SIG_MASK) == SIG_VALID;
}

/* The model string: two characters a word, high byte first, padded with spaces. */
static void decode_model(const uint16_t *id, char *model)
{
	int n = 0;

	for (int i = 0; i < ATA_ID_MODEL_LEN / 2; i++) {
		uint16_t w = id[ID_MODEL + i];
		model[n++] = (char)(w >> BYTE_BITS);
		model[n++] = (char)(w & BYTE_MASK);
	}
	for (int i = 0; i < n; i++)
		if ((unsigned char)model[i] < ' ' || (unsigned char)model[i] > '~')
			model[i] = '?';
	while (n > 0 && model[n - 1] == ' ')
		n--;
	model[n] = 0;
}

/* The logical sector size in bytes, or 0 when the reply's is unusable. */
static uint32_t logical_size(const uint16_t *id)
{
	uint16_t w = id[ID_SECTOR_SIZE];

	if (!word_valid(w) || !(w & SSIZE_LONG_LOGICAL))
		return SECTOR_MIN;
	uint64_t bytes = 2ull * ((uint32_t)id[ID_LOGICAL_SIZE] | (uint32_t)id[ID_LOGICAL_SIZE + 1] << WORD_BITS);
	if (bytes < SECTOR_MIN || bytes > SECTOR_MAX || (bytes & (bytes - 1)))
		return 0;
	return (uint32_t)bytes;
}

const char *ata_id_parse(const uint16_t id[ATA_ID_WORDS], struct ata_id *out)
{
	if (id[ID_GENERAL] & GENERAL_NOT_ATA)
		return "not an ATA device";
	if (!word_valid(id[ID_CMDSET2]) || !(id[ID_CMDSET2] & CMDSET2_LBA48))
		return "no 48-bit addressing";
	uint64_t n = 0;
	for (int i = 3; i >= 0; i--)
		n = n << WORD_BITS | id[ID_LBA48 + i];
	if (n == 0)
		return "no sectors";
	if (n >= LBA48_LIMIT)
		return "more sectors than 48 bits address";
	out->sector_size = logical_size(id);
	if (!out->sector_size)
		return "an unusable logical sector size";
	out->sectors = n;
	decode_model(id, out->model);
	return NULL;
}
