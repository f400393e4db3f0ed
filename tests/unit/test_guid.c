/* SPDX-License-Identifier: MIT */
/* Host unit test: lib/guid.c, GUID text <-> the bytes GPT and UEFI store (root=PARTUUID=). */
#include "lib/guid.h"
#include "unit.h"

/* The EFI system partition's type GUID as a GPT entry stores it. */
static const char esp_text[] = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
static const uint8_t esp_bytes[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				       0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };

UNIT_TEST(parse_mixed_endian)
{
	uint8_t g[16];

	CHECK(guid_parse(esp_text, sizeof(esp_text) - 1, g));
	CHECK(memcmp(g, esp_bytes, 16) == 0);
	CHECK(guid_parse("c12a7328-f81f-11d2-ba4b-00a0c93ec93b", 36, g)); /* either case */
	CHECK(memcmp(g, esp_bytes, 16) == 0);
	return NULL;
}

UNIT_TEST(format_round_trip)
{
	char text[GUID_TEXT_LEN + 1];
	uint8_t g[16];

	guid_format(esp_bytes, text);
	CHECK_STR(text, esp_text);
	for (int i = 0; i < 16; i++)
		g[i] = (uint8_t)(i * 37 + 5);
	guid_format(g, text);
	uint8_t back[16];
	CHECK(guid_parse(text, strlen(text), back));
	CHECK(memcmp(g, back, 16) == 0);
	return NULL;
}

UNIT_TEST(refuses_malformed)
{
	static const char *const bad[] = {
		"", "C12A7328-F81F-11D2-BA4B-00A0C93EC93", "C12A7328-F81F-11D2-BA4B-00A0C93EC93BB",
		"C12A7328F81F-11D2-BA4B-00A0C93EC93B-", "C12A7328-F81F-11D2-BA4B_00A0C93EC93B",
		"G12A7328-F81F-11D2-BA4B-00A0C93EC93B", "C12A7328-F81F-11D2-BA4B-00A0C93EC9 B",
		"{C12A7328-F81F-11D2-BA4B-00A0C93EC93}",
	};
	uint8_t g[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!guid_parse(bad[i], strlen(bad[i]), g));
	CHECK(!guid_parse(esp_text, 35, g)); /* a length that cuts it short */
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(parse_mixed_endian),
	UNIT_ENTRY(format_round_trip),
	UNIT_ENTRY(refuses_malformed),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
