/* SPDX-License-Identifier: MIT */
/* Host unit test: the scan code set 1 decoder (kernel/dev/keymap.c). */
#include <stdlib.h>

#include "unit.h"
#include "dev/keymap.h"

/* A few make codes (set 1); a release is the make code | 0x80. */
#define K_A      0x1e
#define K_C      0x2e
#define K_H      0x23
#define K_1      0x02
#define K_SLASH  0x35
#define K_ENTER  0x1c
#define K_BKSP   0x0e
#define K_SPACE  0x39
#define K_LSHIFT 0x2a
#define K_RSHIFT 0x36
#define K_CTRL   0x1d
#define K_ALT    0x38
#define K_CAPS   0x3a
#define K_UP     0x48
#define K_DOWN   0x50
#define K_LEFT   0x4b
#define K_RIGHT  0x4d
#define K_DELETE 0x53
#define K_KP7    0x47
#define K_F1     0x3b
#define K_F12    0x58
#define REL(k)   ((k) | SC_RELEASE)

static struct keymap km;
static char text[256]; /* everything the keys produced since reset() */
static size_t text_len;

static void reset(void)
{
	keymap_init(&km);
	text_len = 0;
	text[0] = 0;
}

/* Feed bytes; append what they produce to text (NUL-terminated). */
static void feed(const uint8_t *codes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char out[KEYMAP_OUT_MAX];
		size_t got = keymap_feed(&km, codes[i], out);

		if (got > KEYMAP_OUT_MAX || text_len + got >= sizeof(text))
			abort();
		memcpy(text + text_len, out, got);
		text_len += got;
		text[text_len] = 0;
	}
}
#define FEED(...)                                                   \
	do {                                                        \
		const uint8_t codes_[] = { __VA_ARGS__ };           \
		feed(codes_, sizeof(codes_));                       \
	} while (0)

/* Press and release one key. */
#define TAP(k) FEED((k), REL(k))

UNIT_TEST(plain_letters)
{
	reset();
	TAP(K_H);
	TAP(K_A);
	TAP(K_1);
	TAP(K_SLASH);
	TAP(K_SPACE);
	TAP(K_ENTER);
	TAP(K_BKSP);
	CHECK_STR(text, "ha1/ \r\x7f");
	return NULL;
}

UNIT_TEST(shift)
{
	reset();
	FEED(K_LSHIFT);
	TAP(K_H);
	TAP(K_1);
	FEED(REL(K_LSHIFT));
	TAP(K_H);
	FEED(K_RSHIFT);
	TAP(K_SLASH);
	FEED(REL(K_RSHIFT));
	TAP(K_A);
	CHECK_STR(text, "H!h?a");
	return NULL;
}

UNIT_TEST(caps_lock)
{
	reset();
	TAP(K_CAPS);
	TAP(K_A);
	TAP(K_1); /* caps lock leaves digits alone */
	FEED(K_LSHIFT);
	TAP(K_A); /* caps + shift: lower case */
	TAP(K_1);
	FEED(REL(K_LSHIFT));
	FEED(K_CAPS, K_CAPS, K_CAPS, REL(K_CAPS)); /* auto-repeat toggles once */
	TAP(K_A);
	CHECK_STR(text, "A1a!a");
	return NULL;
}

UNIT_TEST(ctrl_c)
{
	reset();
	FEED(K_CTRL);
	TAP(K_C);
	FEED(K_LSHIFT);
	TAP(K_C); /* ctrl+shift+c is ^C too */
	FEED(REL(K_LSHIFT), REL(K_CTRL));
	TAP(K_C);
	FEED(SC_E0, K_CTRL); /* right ctrl */
	TAP(K_A);
	TAP(K_SPACE);
	FEED(SC_E0, REL(K_CTRL));
	TAP(K_A);
	CHECK_EQ(text_len, 6);
	CHECK(memcmp(text, "\x03\x03" "c\x01\0a", 6) == 0);
	return NULL;
}

UNIT_TEST(alt_prefixes_escape)
{
	reset();
	FEED(K_ALT);
	TAP(K_A);
	FEED(REL(K_ALT));
	TAP(K_A);
	CHECK_STR(text, "\x1b" "aa");
	return NULL;
}

UNIT_TEST(arrows_with_e0)
{
	reset();
	FEED(SC_E0, K_UP, SC_E0, REL(K_UP));
	FEED(SC_E0, K_DOWN, SC_E0, REL(K_DOWN));
	FEED(SC_E0, K_RIGHT, SC_E0, REL(K_RIGHT));
	FEED(SC_E0, K_LEFT, SC_E0, REL(K_LEFT));
	FEED(SC_E0, K_DELETE, SC_E0, REL(K_DELETE));
	CHECK_STR(text, "\x1b[A\x1b[B\x1b[C\x1b[D\x1b[3~");
	/* without E0 the same codes are the keypad digits */
	reset();
	TAP(K_UP);
	TAP(K_KP7);
	CHECK_STR(text, "87");
	return NULL;
}

/* Num Lock (0x45) off: the keypad is the cursor block (the E0 keys'
 * sequences, 5 as ESC [ G, Linux's console); the operators stay; the
 * key's repeat (a second make without a break) does not toggle again. */
UNIT_TEST(num_lock)
{
	reset();
	FEED(0x45, 0x45, REL(0x45));
	TAP(K_KP7);
	TAP(K_UP);
	TAP(0x4c);
	TAP(0x52);
	TAP(0x53);
	TAP(0x4a);
	TAP(0x4e);
	CHECK_STR(text, "\x1b[H\x1b[A\x1b[G\x1b[2~\x1b[3~-+");
	reset();
	TAP(0x45);
	TAP(0x45);
	TAP(0x4c);
	TAP(0x53);
	CHECK_STR(text, "5.");
	/* Pause (E1 1D 45 E1 9D C5) is not Num Lock */
	reset();
	FEED(SC_E1, 0x1d, 0x45, SC_E1, 0x9d, 0xc5);
	TAP(0x4c);
	CHECK_STR(text, "5");
	return NULL;
}

UNIT_TEST(function_keys)
{
	reset();
	TAP(K_F1);
	TAP(K_F12);
	CHECK_STR(text, "\x1bOP\x1b[24~");
	return NULL;
}

UNIT_TEST(releases_ignored)
{
	reset();
	FEED(REL(K_A), REL(K_H), REL(K_ENTER), SC_E0, REL(K_UP));
	CHECK_EQ(text_len, 0);
	/* a release of shift that was never pressed leaves shift up */
	FEED(REL(K_LSHIFT));
	TAP(K_A);
	CHECK_STR(text, "a");
	return NULL;
}

UNIT_TEST(fake_shift_ignored)
{
	reset();
	/* E0 2A / E0 AA around an extended key: not a real shift */
	FEED(SC_E0, K_LSHIFT, SC_E0, K_UP, SC_E0, REL(K_UP), SC_E0, REL(K_LSHIFT));
	TAP(K_A);
	FEED(K_LSHIFT, SC_E0, REL(K_LSHIFT)); /* a real shift survives a fake release */
	TAP(K_A);
	CHECK_STR(text, "\x1b[Aa" "A");
	return NULL;
}

UNIT_TEST(unknown_codes_ignored)
{
	reset();
	/* beyond the table, E0 codes with no meaning, controller replies
	 * (ACK 0xfa, resend 0xfe, error 0x00/0xff), and Pause (E1 ...) */
	FEED(0x59, 0x7f, 0x60, SC_E0, 0x10, SC_E0, 0x7e, 0xfa, 0xfe, 0x00, 0xff);
	FEED(SC_E1, 0x1d, 0x45, SC_E1, 0x9d, 0xc5);
	CHECK_EQ(text_len, 0);
	TAP(K_A); /* and the decoder is still in step */
	FEED(SC_E0, K_UP);
	CHECK_STR(text, "a\x1b[A");
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(plain_letters),
	UNIT_ENTRY(shift),
	UNIT_ENTRY(caps_lock),
	UNIT_ENTRY(ctrl_c),
	UNIT_ENTRY(alt_prefixes_escape),
	UNIT_ENTRY(arrows_with_e0),
	UNIT_ENTRY(num_lock),
	UNIT_ENTRY(function_keys),
	UNIT_ENTRY(releases_ignored),
	UNIT_ENTRY(fake_shift_ignored),
	UNIT_ENTRY(unknown_codes_ignored),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
