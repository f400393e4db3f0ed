/* SPDX-License-Identifier: MIT */
/* Host unit test: lib/siphash.c against the reference vectors of the SipHash paper (key 00..0f, message 00 01 02 ...). */
#include "lib/siphash.h"
#include "unit.h"

/* vectors.h of the reference implementation (SipHash-2-4, 64-bit
 * output, read as little-endian words): the empty message, one byte, and
 * the paper's own example of 15 bytes (appendix A). */
static const struct { size_t len; uint64_t want; } vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ull },
	{ 1, 0x74f839c593dc67fdull },
	{ 15, 0xa129ca6149be45e5ull },
};

static struct siphash_key ref_key(void)
{
	uint8_t k[16];
	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	struct siphash_key key;
	memcpy(&key.k0, k, 8);
	memcpy(&key.k1, k + 8, 8);
	return key;
}

UNIT_TEST(reference_vectors)
{
	struct siphash_key key = ref_key();
	uint8_t msg[64];
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < UNIT_COUNT(vectors); i++)
		CHECK_EQ(siphash(&key, msg, vectors[i].len), vectors[i].want);
	return NULL;
}

UNIT_TEST(key_changes_everything)
{
	struct siphash_key a = ref_key(), b = ref_key();
	b.k1 ^= 1;
	uint32_t tuple[3] = { 0x0a00020f, 0x0a000202, 0x12345678 };
	CHECK(siphash(&a, tuple, sizeof(tuple)) != siphash(&b, tuple, sizeof(tuple)));
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(reference_vectors),
	UNIT_ENTRY(key_changes_everything),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
