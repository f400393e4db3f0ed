// SPDX-License-Identifier: MIT
/*
 * Kestrel: SCSI over USB Bulk-Only Transport, the pure part. Replies
 * come from a device, so each is checked against the bytes actually
 * received before a field is read: a CSW's signature, tag and residue
 * (BOT 6.3), INQUIRY's fixed part, READ CAPACITY's block size (a power
 * of two from 512 to 64 KiB) and count, fixed or descriptor sense data.
 * No kernel state: the host unit test (tests/unit/test_scsi_bot.c) and
 * the fuzzer (tests/fuzz/fuzz_scsi_bot.c) build it as is.
 */
#include "dev/scsi_bot.h"

#define BLOCK_MIN          512u
#define BLOCK_MAX          65536u
#define INQ_TYPE_MASK      0x1f
#define INQ_RMB            0x80
#define INQ_VENDOR         8
#define INQ_PRODUCT        16
#define INQ_REVISION       32
#define SENSE_CODE_MASK    0x7f
#define SENSE_FIXED_CUR    0x70
#define SENSE_FIXED_DEF    0x71
#define SENSE_DESC_CUR     0x72
#define SENSE_DESC_DEF     0x73
#define SENSE_KEY_MASK     0x0f
#define SENSE_FIXED_MIN    14       /* up to ASCQ */
#define SENSE_DESC_MIN     4

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

void bot_build_cbw(uint8_t cbw[BOT_CBW_SIZE], const struct scsi_cmd *c, uint32_t tag, uint8_t lun)
{
	for (int i = 0; i < BOT_CBW_SIZE; i++)
		cbw[i] = 0;
	put_le32(cbw, BOT_CBW_SIGNATURE);
	put_le32(cbw + 4, tag);
	put_le32(cbw + 8, c->len);
	cbw[12] = c->in && c->len ? BOT_CBW_DIR_IN : 0;
	cbw[13] = lun & 0x0f;
	cbw[14] = c->cdb_len & 0x1f;
	for (int i = 0; i < c->cdb_len && i < BOT_CDB_MAX; i++)
		cbw[15 + i] = c->cdb[i];
}

enum bot_csw_verdict bot_check_csw(const uint8_t *buf, size_t len, uint32_t tag, uint32_t expected,
				   uint32_t *residue)
{
	*residue = 0;
	if (len != BOT_CSW_SIZE || get_le32(buf) != BOT_CSW_SIGNATURE || get_le32(buf + 4) != tag)
		return BOT_CSW_INVALID;
	uint8_t status = buf[12];
	if (status == BOT_CSW_PHASE_ERROR)
		return BOT_CSW_PHASE;
	if (status > BOT_CSW_PHASE_ERROR)
		return BOT_CSW_INVALID;
	uint32_t r = get_le32(buf + 8);
	if (r > expected)
		return BOT_CSW_INVALID;
	*residue = r;
	return status == BOT_CSW_PASSED ? BOT_CSW_OK : BOT_CSW_CMD_FAILED;
}

/* A command of n CDB bytes with op first, the rest zero. */
static void cmd_init(struct scsi_cmd *c, uint8_t op, uint8_t n, bool in, uint32_t len)
{
	*c = (struct scsi_cmd){ .cdb_len = n, .in = in, .len = len };
	c->cdb[0] = op;
}

void scsi_cmd_test_unit_ready(struct scsi_cmd *c)
{
	cmd_init(c, SCSI_TEST_UNIT_READY, 6, false, 0);
}

void scsi_cmd_request_sense(struct scsi_cmd *c)
{
	cmd_init(c, SCSI_REQUEST_SENSE, 6, true, SCSI_SENSE_LEN);
	c->cdb[4] = SCSI_SENSE_LEN;
}

void scsi_cmd_inquiry(struct scsi_cmd *c)
{
	cmd_init(c, SCSI_INQUIRY, 6, true, SCSI_INQUIRY_LEN);
	c->cdb[4] = SCSI_INQUIRY_LEN;
}

void scsi_cmd_read_capacity10(struct scsi_cmd *c)
{
	cmd_init(c, SCSI_READ_CAPACITY10, 10, true, SCSI_CAP10_LEN);
}

void scsi_cmd_read_capacity16(struct scsi_cmd *c)
{
	cmd_init(c, SCSI_SERVICE_IN16, 16, true, SCSI_CAP16_LEN);
	c->cdb[1] = SCSI_SAI_READ_CAP16;
	put_be(c->cdb + 10, SCSI_CAP16_LEN, 4);
}

void scsi_cmd_sync_cache(struct scsi_cmd *c)
{
	cmd_init(c, SCSI_SYNC_CACHE10, 10, false, 0);
}

void scsi_cmd_rw(struct scsi_cmd *c, bool write, uint64_t lba, uint32_t count, uint32_t block_size)
{
	uint32_t len = count * block_size;

	if (lba + count - 1 <= SCSI_RW10_MAX_LBA && count <= SCSI_RW10_MAX_BLOCKS) {
		cmd_init(c, write ? SCSI_WRITE10 : SCSI_READ10, 10, !write, len);
		put_be(c->cdb + 2, lba, 4);
		put_be(c->cdb + 7, count, 2);
		return;
	}
	cmd_init(c, write ? SCSI_WRITE16 : SCSI_READ16, 16, !write, len);
	put_be(c->cdb + 2, lba, 8);
	put_be(c->cdb + 10, count, 4);
}

/* Copies an INQUIRY text field, blanks at the end dropped, others kept printable. */
static void copy_field(char *dst, const uint8_t *src, int n)
{
	int end = n;

	while (end > 0 && (src[end - 1] == ' ' || src[end - 1] == 0))
		end--;
	for (int i = 0; i < end; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[end] = 0;
}

const char *scsi_parse_inquiry(const uint8_t *buf, size_t len, struct scsi_inquiry *out)
{
	*out = (struct scsi_inquiry){ 0 };
	if (len < SCSI_INQUIRY_LEN)
		return "INQUIRY reply too short";
	out->peripheral_type = buf[0] & INQ_TYPE_MASK;
	out->removable = buf[1] & INQ_RMB;
	copy_field(out->vendor, buf + INQ_VENDOR, 8);
	copy_field(out->product, buf + INQ_PRODUCT, 16);
	copy_field(out->revision, buf + INQ_REVISION, 4);
	return NULL;
}

static bool block_size_ok(uint32_t b)
{
	return b >= BLOCK_MIN && b <= BLOCK_MAX && (b & (b - 1)) == 0;
}

const char *scsi_parse_capacity10(const uint8_t *buf, size_t len, struct scsi_capacity *out, bool *need16)
{
	*out = (struct scsi_capacity){ 0 };
	*need16 = false;
	if (len < SCSI_CAP10_LEN)
		return "READ CAPACITY(10) reply too short";
	uint32_t last = (uint32_t)get_be(buf, 4);
	out->block_size = (uint32_t)get_be(buf + 4, 4);
	if (last == SCSI_CAP10_BIG) {
		*need16 = true;
		return NULL;
	}
	if (!block_size_ok(out->block_size))
		return "unsupported block size";
	out->blocks = (uint64_t)last + 1;
	return NULL;
}

const char *scsi_parse_capacity16(const uint8_t *buf, size_t len, struct scsi_capacity *out)
{
	*out = (struct scsi_capacity){ 0 };
	if (len < 12)
		return "READ CAPACITY(16) reply too short";
	uint64_t last = get_be(buf, 8);
	out->block_size = (uint32_t)get_be(buf + 8, 4);
	if (!block_size_ok(out->block_size))
		return "unsupported block size";
	if (last >= (UINT64_MAX >> 16))
		return "capacity out of range";
	out->blocks = last + 1;
	return NULL;
}

const char *scsi_parse_sense(const uint8_t *buf, size_t len, struct scsi_sense *out)
{
	*out = (struct scsi_sense){ 0 };
	if (len < 1)
		return "no sense data";
	uint8_t code = buf[0] & SENSE_CODE_MASK;
	if (code == SENSE_FIXED_CUR || code == SENSE_FIXED_DEF) {
		if (len < SENSE_FIXED_MIN)
			return "fixed sense data too short";
		*out = (struct scsi_sense){ buf[2] & SENSE_KEY_MASK, buf[12], buf[13] };
		return NULL;
	}
	if (code == SENSE_DESC_CUR || code == SENSE_DESC_DEF) {
		if (len < SENSE_DESC_MIN)
			return "descriptor sense data too short";
		*out = (struct scsi_sense){ buf[1] & SENSE_KEY_MASK, buf[2], buf[3] };
		return NULL;
	}
	return "unknown sense data format";
}
