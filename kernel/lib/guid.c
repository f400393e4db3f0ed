// SPDX-License-Identifier: MIT
/* Kestrel: GUID text <-> the mixed-endian bytes of GPT entries and UEFI device paths. */
#include "lib/guid.h"
#include "lib/hex.h"

/* Where each of the 16 bytes is in the text: the first three groups are
 * little-endian numbers, so their bytes come reversed. */
static const uint8_t text_pos[16] = { 6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34 };

bool guid_parse(const char *text, size_t len, uint8_t out[16])
{
	if (len != GUID_TEXT_LEN)
		return false;
	for (size_t i = 0; i < GUID_TEXT_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash != (text[i] == '-') || (!dash && hex_digit(text[i]) < 0))
			return false;
	}
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)(hex_digit(text[text_pos[i]]) << 4 | hex_digit(text[text_pos[i] + 1]));
	return true;
}

void guid_format(const uint8_t g[16], char buf[GUID_TEXT_LEN + 1])
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < GUID_TEXT_LEN; i++)
		buf[i] = '-';
	for (int i = 0; i < 16; i++) {
		buf[text_pos[i]] = digits[g[i] >> 4];
		buf[text_pos[i] + 1] = digits[g[i] & 15];
	}
	buf[GUID_TEXT_LEN] = '\0';
}
