/* SPDX-License-Identifier: MIT */
/* Host unit test: USB mass storage's pure part (kernel/dev/scsi_bot.c): CBWs and CDBs built byte for byte, CSWs checked, INQUIRY, READ CAPACITY and sense replies parsed; and the bulk endpoints and SuperSpeed companions of a storage configuration (kernel/dev/usb_desc.c). */
#include "unit.h"
#include "dev/scsi_bot.h"
#include "dev/usb_desc.h"

static void put_csw(uint8_t *b, uint32_t sig, uint32_t tag, uint32_t residue, uint8_t status)
{
	for (int i = 0; i < 4; i++) {
		b[i] = (uint8_t)(sig >> 8 * i);
		b[4 + i] = (uint8_t)(tag >> 8 * i);
		b[8 + i] = (uint8_t)(residue >> 8 * i);
	}
	b[12] = status;
}

UNIT_TEST(cbw_read10)
{
	struct scsi_cmd c;
	uint8_t cbw[BOT_CBW_SIZE];
	static const uint8_t want[BOT_CBW_SIZE] = {
		'U', 'S', 'B', 'C', 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x01, 0x00, 0x80, 0x00, 10,
		0x28, 0, 0x00, 0x01, 0x02, 0x03, 0, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0,
	};

	scsi_cmd_rw(&c, false, 0x010203, 128, 512);
	CHECK_EQ(c.len, 65536);
	CHECK(c.in);
	bot_build_cbw(cbw, &c, 0x12345678, 0);
	CHECK(memcmp(cbw, want, sizeof(want)) == 0);
	return NULL;
}

UNIT_TEST(rw16_beyond_2tib)
{
	struct scsi_cmd c;

	scsi_cmd_rw(&c, true, 0xffffffffull, 2, 512);   /* the last block crosses 2^32 */
	CHECK_EQ(c.cdb[0], SCSI_WRITE16);
	CHECK_EQ(c.cdb_len, 16);
	CHECK(!c.in);
	CHECK_EQ(c.cdb[5], 0x00);
	CHECK_EQ(c.cdb[6], 0xff);
	CHECK_EQ(c.cdb[9], 0xff);
	CHECK_EQ(c.cdb[13], 2);
	scsi_cmd_rw(&c, true, 0xfffffffeull, 2, 4096);
	CHECK_EQ(c.cdb[0], SCSI_WRITE10);
	CHECK_EQ(c.len, 8192);
	scsi_cmd_read_capacity16(&c);
	CHECK_EQ(c.cdb[0], SCSI_SERVICE_IN16);
	CHECK_EQ(c.cdb[1], SCSI_SAI_READ_CAP16);
	CHECK_EQ(c.cdb[13], SCSI_CAP16_LEN);
	return NULL;
}

UNIT_TEST(csw_checks)
{
	uint8_t b[BOT_CSW_SIZE + 1];
	uint32_t r;

	put_csw(b, BOT_CSW_SIGNATURE, 7, 0, 0);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 512, &r), BOT_CSW_OK);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 8, 512, &r), BOT_CSW_INVALID);      /* tag */
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE - 1, 7, 512, &r), BOT_CSW_INVALID);  /* short */
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE + 1, 7, 512, &r), BOT_CSW_INVALID);  /* long */
	put_csw(b, 0x53425354, 7, 0, 0);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 512, &r), BOT_CSW_INVALID);      /* signature */
	put_csw(b, BOT_CSW_SIGNATURE, 7, 100, 0);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 512, &r), BOT_CSW_OK);
	CHECK_EQ(r, 100);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 99, &r), BOT_CSW_INVALID);       /* residue > asked */
	put_csw(b, BOT_CSW_SIGNATURE, 7, 0, 1);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 0, &r), BOT_CSW_CMD_FAILED);
	put_csw(b, BOT_CSW_SIGNATURE, 7, 0, 2);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 0, &r), BOT_CSW_PHASE);
	put_csw(b, BOT_CSW_SIGNATURE, 7, 0, 3);
	CHECK_EQ(bot_check_csw(b, BOT_CSW_SIZE, 7, 0, &r), BOT_CSW_INVALID);
	return NULL;
}

UNIT_TEST(inquiry_qemu)
{
	/* QEMU's scsi-hd behind usb-storage */
	uint8_t b[36] = { 0x00, 0x80, 0x05, 0x12, 31, 0, 0, 0x12 };
	struct scsi_inquiry q;

	memcpy(b + 8, "QEMU    QEMU HARDDISK   2.5+", 28);
	CHECK(scsi_parse_inquiry(b, sizeof(b), &q) == NULL);
	CHECK_EQ(q.peripheral_type, 0);
	CHECK(q.removable);
	CHECK_STR(q.vendor, "QEMU");
	CHECK_STR(q.product, "QEMU HARDDISK");
	CHECK_STR(q.revision, "2.5+");
	CHECK(scsi_parse_inquiry(b, 35, &q) != NULL);
	b[8] = 0x01;
	CHECK(scsi_parse_inquiry(b, sizeof(b), &q) == NULL);
	CHECK_EQ(q.vendor[0], '?');
	return NULL;
}

UNIT_TEST(capacity)
{
	struct scsi_capacity c;
	bool need16;
	uint8_t b10[8] = { 0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00 };
	uint8_t b16[32] = { 0, 0, 0x01, 0x00, 0, 0, 0, 0x00, 0x00, 0x00, 0x10, 0x00 };

	CHECK(scsi_parse_capacity10(b10, 8, &c, &need16) == NULL);
	CHECK(!need16);
	CHECK_EQ(c.blocks, 131072);
	CHECK_EQ(c.block_size, 512);
	CHECK(scsi_parse_capacity10(b10, 7, &c, &need16) != NULL);
	b10[6] = 0x03;                                   /* 768: not a power of two */
	CHECK(scsi_parse_capacity10(b10, 8, &c, &need16) != NULL);
	memset(b10, 0xff, 4);
	CHECK(scsi_parse_capacity10(b10, 8, &c, &need16) == NULL);
	CHECK(need16);
	CHECK(scsi_parse_capacity16(b16, 32, &c) == NULL);
	CHECK_EQ(c.blocks, 0x10000000001ull);
	CHECK_EQ(c.block_size, 4096);
	CHECK(scsi_parse_capacity16(b16, 11, &c) != NULL);
	memset(b16, 0xff, 8);
	CHECK(scsi_parse_capacity16(b16, 32, &c) != NULL);   /* 2^64 blocks */
	return NULL;
}

UNIT_TEST(sense_formats)
{
	uint8_t fixed[18] = { 0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x28, 0x00 };
	uint8_t desc[8] = { 0x72, 0x02, 0x3a, 0x01 };
	struct scsi_sense s;

	CHECK(scsi_parse_sense(fixed, sizeof(fixed), &s) == NULL);
	CHECK_EQ(s.key, SENSE_UNIT_ATTENTION);
	CHECK_EQ(s.asc, 0x28);
	CHECK(scsi_parse_sense(fixed, 13, &s) != NULL);
	CHECK(scsi_parse_sense(desc, sizeof(desc), &s) == NULL);
	CHECK_EQ(s.key, SENSE_NOT_READY);
	CHECK_EQ(s.asc, 0x3a);
	CHECK_EQ(s.ascq, 0x01);
	CHECK(scsi_parse_sense(desc, 0, &s) != NULL);
	desc[0] = 0x7f;
	CHECK(scsi_parse_sense(desc, sizeof(desc), &s) != NULL);
	return NULL;
}

UNIT_TEST(storage_config_superspeed)
{
	/* QEMU's usb-storage at SuperSpeed: bulk IN 1 and OUT 2 with companions */
	static const uint8_t cfg[] = {
		9, 2, 44, 0, 1, 1, 0, 0xc0, 50,
		9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0,
		7, 5, 0x81, 0x02, 0x00, 0x04, 0, 6, 0x30, 15, 0, 0, 0,
		7, 5, 0x02, 0x02, 0x00, 0x04, 0, 6, 0x30, 20, 0, 0, 0,
	};
	struct usb_config_info c;

	CHECK(usb_parse_config(cfg, sizeof(cfg), &c) == NULL);
	CHECK_EQ(c.num_ifaces, 1);
	const struct usb_ep_info *in = usb_iface_bulk(&c.ifaces[0], true);
	const struct usb_ep_info *out = usb_iface_bulk(&c.ifaces[0], false);
	CHECK(in && out);
	CHECK_EQ(in->address, 0x81);
	CHECK_EQ(in->max_packet, 1024);
	CHECK_EQ(in->max_burst, 15);
	CHECK_EQ(out->address, 0x02);
	CHECK_EQ(out->max_burst, USB_SS_MAX_BURST);     /* 20 clamped */
	CHECK(usb_iface_int_in(&c.ifaces[0]) == NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(cbw_read10),
		UNIT_ENTRY(rw16_beyond_2tib),
		UNIT_ENTRY(csw_checks),
		UNIT_ENTRY(inquiry_qemu),
		UNIT_ENTRY(capacity),
		UNIT_ENTRY(sense_formats),
		UNIT_ENTRY(storage_config_superspeed),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
