/* SPDX-License-Identifier: MIT */
/* PC keyboard scan code set 1 (US layout) to terminal bytes: modifiers, caps lock, control codes, ANSI cursor keys. */
#include "dev/keymap.h"

/* Make codes with a meaning of their own (the rest are in the tables). */
#define SC_LCTRL    0x1d /* E0 1D: right ctrl */
#define SC_LSHIFT   0x2a /* E0 2A: a "fake shift" some keyboards send: ignored */
#define SC_RSHIFT   0x36
#define SC_LALT     0x38 /* E0 38: right alt (AltGr), treated as alt */
#define SC_CAPSLOCK 0x3a
#define SC_NUMLOCK  0x45 /* E1 1D 45 is Pause, swallowed before here */
#define SC_KP_FIRST 0x47 /* keypad 7 */
#define SC_KP_LAST  0x53 /* keypad . */
#define SC_KP_5     0x4c
#define SC_COUNT    0x59 /* codes 0x00..0x58 in the tables */
#define E1_SEQUENCE_TAIL 2 /* bytes after E1 in each half of Pause */

#define CH_ESC 0x1b
#define CH_DEL 0x7f
#define CTRL_MASK 0x1f /* ctrl+key keeps the low five bits */

/* US layout; 0 = no character. Enter is CR and Backspace DEL, as on a
 * terminal. Keypad codes 0x47-0x53 (without E0) are the digits (Num
 * Lock on). */
static const char plain[SC_COUNT] = {
	[0x01] = CH_ESC, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', CH_DEL,
	[0x0f] = '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r',
	[0x1e] = 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	[0x2b] = '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/',
	[0x37] = '*', [0x39] = ' ',
	[0x47] = '7', '8', '9', '-', '4', '5', '6', '+', '1', '2', '3', '0', '.',
	[0x56] = '<',
};

static const char shifted[SC_COUNT] = {
	[0x01] = CH_ESC, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', CH_DEL,
	[0x0f] = '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r',
	[0x1e] = 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	[0x2b] = '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?',
	[0x37] = '*', [0x39] = ' ',
	[0x47] = '7', '8', '9', '-', '4', '5', '6', '+', '1', '2', '3', '0', '.',
	[0x56] = '>',
};

/* Keys that send escape sequences (xterm's): F1-F12 without a prefix,
 * the cursor block with E0. */
static const char *const function_keys[SC_COUNT] = {
	[0x3b] = "\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~", "\x1b[17~",
	"\x1b[18~", "\x1b[19~", "\x1b[20~", "\x1b[21~",
	[0x57] = "\x1b[23~", "\x1b[24~",
};

/* Keypad 5 with Num Lock off (Linux's console: K_P5, "\033[G"). */
#define KP5_NAV "\x1b[G"

static const char *const extended_keys[SC_COUNT] = {
	[0x1c] = "\r",      /* keypad enter */
	[0x35] = "/",       /* keypad slash */
	[0x47] = "\x1b[H",  /* home */
	[0x48] = "\x1b[A",  /* up */
	[0x49] = "\x1b[5~", /* page up */
	[0x4b] = "\x1b[D",  /* left */
	[0x4d] = "\x1b[C",  /* right */
	[0x4f] = "\x1b[F",  /* end */
	[0x50] = "\x1b[B",  /* down */
	[0x51] = "\x1b[6~", /* page down */
	[0x52] = "\x1b[2~", /* insert */
	[0x53] = "\x1b[3~", /* delete */
};

void keymap_init(struct keymap *km)
{
	*km = (struct keymap){ .num = true };
}

/* Tracks shift, ctrl, alt and caps lock. Returns true if code was a
 * modifier key (so it produces no bytes). */
static bool modifier(struct keymap *km, bool ext, uint8_t code, bool down)
{
	switch (code) {
	case SC_LSHIFT:
		if (!ext)
			km->lshift = down;
		return true;
	case SC_RSHIFT:
		if (!ext)
			km->rshift = down;
		return true;
	case SC_LCTRL:
		*(ext ? &km->rctrl : &km->lctrl) = down;
		return true;
	case SC_LALT:
		*(ext ? &km->ralt : &km->lalt) = down;
		return true;
	case SC_CAPSLOCK:
		if (down && !km->caps_down)
			km->caps = !km->caps;
		km->caps_down = down;
		return true;
	case SC_NUMLOCK:
		if (ext)
			return false;
		if (down && !km->num_down)
			km->num = !km->num;
		km->num_down = down;
		return true;
	default:
		return false;
	}
}

/* The control code ctrl turns c into: letters and @[\]^_ keep their low
 * five bits, space is NUL, '?' is DEL; anything else is unchanged. */
static char ctrl_code(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c & CTRL_MASK);
	if (c >= '@' && c <= '_')
		return (char)(c & CTRL_MASK);
	if (c == ' ')
		return 0;
	if (c == '?')
		return CH_DEL;
	return c;
}

static size_t emit(const char *s, char out[KEYMAP_OUT_MAX])
{
	size_t n = 0;

	while (s[n] && n < KEYMAP_OUT_MAX) {
		out[n] = s[n];
		n++;
	}
	return n;
}

/* A key without the E0 prefix: a character (shift, caps, ctrl, alt
 * applied) or a function key's sequence. */
static size_t plain_key(const struct keymap *km, uint8_t code, char out[KEYMAP_OUT_MAX])
{
	bool shift = km->lshift || km->rshift;
	char c = plain[code];
	size_t n = 0;

	if (function_keys[code])
		return emit(function_keys[code], out);
	if (!km->num && code >= SC_KP_FIRST && code <= SC_KP_LAST) {
		/* Num Lock off: the key's second meaning, the one the same
		 * code has with E0 (the cursor block); 5 and the operators
		 * (- and +) have none there */
		if (code == SC_KP_5)
			return emit(KP5_NAV, out);
		if (extended_keys[code])
			return emit(extended_keys[code], out);
	}
	if (!c)
		return 0;
	if (km->caps && c >= 'a' && c <= 'z')
		shift = !shift;
	if (shift)
		c = shifted[code];
	if (km->lctrl || km->rctrl)
		c = ctrl_code(c);
	if (km->lalt || km->ralt)
		out[n++] = CH_ESC;
	out[n++] = c;
	return n;
}

size_t keymap_feed(struct keymap *km, uint8_t b, char out[KEYMAP_OUT_MAX])
{
	if (km->e1_skip) {
		km->e1_skip--;
		return 0;
	}
	if (b == SC_E1) {
		km->e1_skip = E1_SEQUENCE_TAIL;
		km->e0 = false;
		return 0;
	}
	if (b == SC_E0) {
		km->e0 = true;
		return 0;
	}
	bool ext = km->e0;
	bool down = !(b & SC_RELEASE);
	uint8_t code = b & (uint8_t)~SC_RELEASE;

	km->e0 = false;
	if (modifier(km, ext, code, down) || !down || code >= SC_COUNT)
		return 0;
	if (ext)
		return extended_keys[code] ? emit(extended_keys[code], out) : 0;
	return plain_key(km, code, out);
}
