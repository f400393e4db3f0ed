/* SPDX-License-Identifier: MIT */
/* PC keyboard scan code set 1 (US layout) to terminal bytes: modifiers, caps lock, control codes, ANSI cursor keys. */
#ifndef KESTREL_DEV_KEYMAP_H
#define KESTREL_DEV_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scan code set 1 framing bytes (what the i8042 delivers with translation on). */
#define SC_RELEASE 0x80 /* set on the code of a key release */
#define SC_E0      0xe0 /* prefix of the extended keys: arrows, right ctrl/alt ... */
#define SC_E1      0xe1 /* prefix of Pause: E1 1D 45 (make), E1 9D C5 (break) */

/* The longest byte sequence one key produces ("\x1b[24~" for F12). */
#define KEYMAP_OUT_MAX 8

/* The decoder's state: a pending prefix and which modifiers are down.
 * Pure data, no locking: one keyboard, fed from one place. */
struct keymap {
	bool e0;          /* the previous byte was SC_E0 */
	uint8_t e1_skip;  /* bytes of a Pause sequence still to swallow */
	bool lshift, rshift, lctrl, rctrl, lalt, ralt;
	bool caps;        /* caps lock is on */
	bool caps_down;   /* caps lock key held: its auto-repeat must not toggle */
	bool num;         /* num lock is on (the keypad gives digits): on at start */
	bool num_down;    /* num lock key held */
};

void keymap_init(struct keymap *km);

/*
 * Feeds one scan code byte. Writes the bytes the key produces to out
 * and returns how many (0 for a prefix, a modifier, a release or an
 * unknown code). Enter gives CR, Backspace DEL (0x7f), ctrl+letter the
 * control code (ctrl+c = 0x03), alt+key ESC then the key, the cursor
 * keys ANSI sequences (ESC [ A for up ...), F1-F12 xterm sequences.
 * The keypad gives digits with Num Lock on, and with it off the keys
 * printed under the digits (Home, the arrows, PgUp..., Insert, Delete,
 * and 5 as ESC [ G), as Linux's console does; Num Lock toggles on its
 * key's press.
 */
size_t keymap_feed(struct keymap *km, uint8_t code, char out[KEYMAP_OUT_MAX]);

#endif
