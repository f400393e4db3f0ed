/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for USB mass storage's replies (kernel/dev/scsi_bot.c):
 * a CSW, INQUIRY data, READ CAPACITY(10) and (16) data and sense data of
 * any bytes are never read past len (ASan: the input sits in a buffer of
 * exactly len bytes), an accepted CSW's residue is never more than the
 * transfer asked, an accepted capacity's block size is a power of two
 * from 512 to 64 KiB, and INQUIRY's strings are printable and terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/scsi_bot.h"

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void check_capacity(const struct scsi_capacity *c)
{
	if (c->block_size < 512 || c->block_size > 65536 || (c->block_size & (c->block_size - 1)) || !c->blocks)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct scsi_inquiry q;
	struct scsi_capacity c;
	struct scsi_sense s;
	uint32_t residue, expected = size >= 2 ? (uint32_t)data[0] << 8 | data[1] : 0;
	bool need16;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (bot_check_csw(buf, size, expected, expected, &residue) == BOT_CSW_OK && residue > expected)
		abort();
	if (!scsi_parse_inquiry(buf, size, &q)) {
		check_text(q.vendor, sizeof(q.vendor));
		check_text(q.product, sizeof(q.product));
		check_text(q.revision, sizeof(q.revision));
	}
	if (!scsi_parse_capacity10(buf, size, &c, &need16) && !need16)
		check_capacity(&c);
	if (!scsi_parse_capacity16(buf, size, &c))
		check_capacity(&c);
	if (!scsi_parse_sense(buf, size, &s) && s.key > 0x0f)
		abort();
	free(buf);
	return 0;
}
