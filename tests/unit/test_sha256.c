/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for shared/sha256.c: the FIPS 180-4 / NIST example vectors,
 * every padding boundary, the same digest whatever the pieces fed, and
 * agreement with the build machine's sha256sum on pseudo-random data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "unit.h"

#define HEX_LEN (2 * SHA256_DIGEST_SIZE)
#define BIG_LEN (3 * 1000 * 1000 + 7)   /* crosses many blocks, ends mid-block */

static void to_hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[HEX_LEN + 1])
{
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* The hex digest of one buffer, in one call. */
static const char *hex_of(const void *data, size_t len)
{
	static char hex[HEX_LEN + 1];
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256(data, len, d);
	to_hex(d, hex);
	return hex;
}

/* xorshift: the same bytes on every run */
static void fill_random(uint8_t *p, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		p[i] = (uint8_t)seed;
	}
}

UNIT_TEST(nist_vectors)
{
	CHECK_STR(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	CHECK_STR(hex_of(m448, strlen(m448)),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	CHECK_STR(hex_of(m896, strlen(m896)),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	return NULL;
}

UNIT_TEST(million_a_streamed)
{
	char chunk[1000];
	struct sha256 s;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[HEX_LEN + 1];

	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, chunk, sizeof(chunk));
	sha256_final(&s, d);
	to_hex(d, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	return NULL;
}

/* Lengths around the padding boundaries (55/56/63/64 bytes): one call and
 * byte-at-a-time feeding agree. */
UNIT_TEST(pieces_agree)
{
	uint8_t buf[200];

	fill_random(buf, sizeof(buf), 1);
	for (size_t len = 0; len <= sizeof(buf); len++) {
		uint8_t one[SHA256_DIGEST_SIZE], bytes[SHA256_DIGEST_SIZE];
		struct sha256 s;

		sha256(buf, len, one);
		sha256_init(&s);
		for (size_t i = 0; i < len; i++)
			sha256_update(&s, buf + i, 1);
		sha256_update(&s, buf, 0);
		sha256_final(&s, bytes);
		CHECK(memcmp(one, bytes, sizeof(one)) == 0);
	}
	return NULL;
}

/* Run sha256sum on len bytes of p; its hex digest in out. */
static const char *sha256sum_of(const uint8_t *p, size_t len, char out[HEX_LEN + 1])
{
	char path[] = "/tmp/kestrel-sha256-XXXXXX", cmd[64];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, p, len) == (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	FILE *f = popen(cmd, "r");
	CHECK(f != NULL);
	int got = fscanf(f, "%64s", out);
	pclose(f);
	unlink(path);
	CHECK(got == 1);
	return NULL;
}

/* Against the build machine's sha256sum, fed in uneven pieces. */
UNIT_TEST(matches_sha256sum)
{
	static const size_t lens[] = { 0, 1, 55, 56, 64, 65, 4095, 4096, 65537, BIG_LEN };
	uint8_t *buf = malloc(BIG_LEN);

	CHECK(buf != NULL);
	fill_random(buf, BIG_LEN, 42);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char want[HEX_LEN + 1], hex[HEX_LEN + 1];
		uint8_t d[SHA256_DIGEST_SIZE];
		struct sha256 s;
		size_t done = 0, piece = 1;

		const char *why = sha256sum_of(buf, lens[i], want);
		if (why) {
			free(buf);
			return why;
		}
		sha256_init(&s);
		for (; done < lens[i]; done += piece, piece = piece * 3 + 1) {
			if (piece > lens[i] - done)
				piece = lens[i] - done;
			sha256_update(&s, buf + done, piece);
		}
		sha256_final(&s, d);
		to_hex(d, hex);
		if (strcmp(hex, want) != 0) {
			free(buf);
			snprintf(unit_msg, sizeof(unit_msg), "length %zu: %s, sha256sum says %s",
				 lens[i], hex, want);
			return unit_msg;
		}
	}
	free(buf);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(nist_vectors),
	UNIT_ENTRY(million_a_streamed),
	UNIT_ENTRY(pieces_agree),
	UNIT_ENTRY(matches_sha256sum),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
