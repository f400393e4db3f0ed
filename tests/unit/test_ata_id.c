/* SPDX-License-Identifier: MIT */
/* Host unit test: the ATA IDENTIFY DEVICE reply parser (kernel/dev/ata_id.c) the AHCI driver trusts for a disk's size and sector size. */
#include "unit.h"
#include "dev/ata_id.h"

/* A reply shaped as QEMU's ide-hd sends it: ATA, LBA48, n sectors of 512. */
static void qemu_disk(uint16_t *id, uint64_t n)
{
	const char *model = "QEMU HARDDISK";

	memset(id, 0, ATA_ID_WORDS * 2);
	id[0] = 0x0040;
	for (int i = 0; i < 40; i++) {
		char c = i < (int)strlen(model) ? model[i] : ' ';
		id[27 + i / 2] |= (uint16_t)((uint8_t)c << (i % 2 ? 0 : 8));
	}
	id[83] = 0x4000 | (1u << 10);
	for (int i = 0; i < 4; i++)
		id[100 + i] = (uint16_t)(n >> (16 * i));
}

UNIT_TEST(qemu_harddisk)
{
	uint16_t id[ATA_ID_WORDS];
	struct ata_id out;

	qemu_disk(id, 131072);
	CHECK(ata_id_parse(id, &out) == NULL);
	CHECK_EQ(out.sectors, 131072);
	CHECK_EQ(out.sector_size, 512);
	CHECK_STR(out.model, "QEMU HARDDISK");
	return NULL;
}

UNIT_TEST(logical_4k)
{
	uint16_t id[ATA_ID_WORDS];
	struct ata_id out;

	qemu_disk(id, 1ull << 40);
	id[106] = 0x4000 | (1u << 12);
	id[117] = 2048;            /* words: 4096 bytes */
	CHECK(ata_id_parse(id, &out) == NULL);
	CHECK_EQ(out.sector_size, 4096);
	CHECK_EQ(out.sectors, 1ull << 40);
	/* the same words without the valid signature: 512 */
	id[106] = 1u << 12;
	CHECK(ata_id_parse(id, &out) == NULL);
	CHECK_EQ(out.sector_size, 512);
	return NULL;
}

UNIT_TEST(refused)
{
	uint16_t id[ATA_ID_WORDS];
	struct ata_id out;

	qemu_disk(id, 1000);
	id[0] = 0x8580;            /* ATAPI CD-ROM */
	CHECK_STR(ata_id_parse(id, &out), "not an ATA device");
	qemu_disk(id, 1000);
	id[83] = 0x4000;
	CHECK_STR(ata_id_parse(id, &out), "no 48-bit addressing");
	id[83] = 0xffff;           /* bit 15 set: the word is not valid */
	CHECK_STR(ata_id_parse(id, &out), "no 48-bit addressing");
	qemu_disk(id, 0);
	CHECK_STR(ata_id_parse(id, &out), "no sectors");
	qemu_disk(id, 1ull << 48);
	CHECK_STR(ata_id_parse(id, &out), "more sectors than 48 bits address");
	qemu_disk(id, 1000);
	id[106] = 0x4000 | (1u << 12);
	id[117] = 1500;            /* 3000 bytes: not a power of two */
	CHECK_STR(ata_id_parse(id, &out), "an unusable logical sector size");
	id[117] = 64;              /* 128 bytes: too small */
	CHECK_STR(ata_id_parse(id, &out), "an unusable logical sector size");
	id[117] = 0;
	id[118] = 1;               /* 128 KiB: too large */
	CHECK_STR(ata_id_parse(id, &out), "an unusable logical sector size");
	return NULL;
}

UNIT_TEST(model_sanitised)
{
	uint16_t id[ATA_ID_WORDS];
	struct ata_id out;

	qemu_disk(id, 8);
	id[27] = 0x4101;           /* 'A', then a control character */
	for (int i = 28; i < 47; i++)
		id[i] = 0x2020;
	CHECK(ata_id_parse(id, &out) == NULL);
	CHECK_STR(out.model, "A?");
	for (int i = 27; i < 47; i++)
		id[i] = 0x2020;
	CHECK(ata_id_parse(id, &out) == NULL);
	CHECK_STR(out.model, "");
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(qemu_harddisk),
		UNIT_ENTRY(logical_4k),
		UNIT_ENTRY(refused),
		UNIT_ENTRY(model_sanitised),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
