// SPDX-License-Identifier: MIT
/*
 * Kestrel: the USB boot-protocol keyboard. A report lists the keys held
 * down; comparing it with the previous one gives presses and releases,
 * which are turned into the scan codes (set 1) a PS/2 keyboard would
 * have sent and fed to the same decoder (dev/keymap.c) and the same
 * console input queue: modifiers, Caps Lock, Num Lock, ^C and the
 * cursor keys behave as they do on PS/2.
 */
#include "dev/usbkbd.h"
#include "dev/input.h"
#include "time/time.h"

#define SC_EXT        0x100u   /* in usage_sc: send SC_E0 first */
#define ROLLOVER      0x01     /* ErrorRollOver: too many keys, report meaningless */
#define MODIFIERS     8
#define REPORT_MODS   0
#define REPORT_KEYS   2

/* HID usage IDs (HID Usage Tables 1.12, chapter 10) to set-1 make codes,
 * US layout. 0: no PS/2 equivalent the key map knows. */
static const uint16_t usage_sc[] = {
	[0x04] = 0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32, /* a-m */
	[0x11] = 0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c, /* n-z */
	[0x1e] = 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,                    /* 1-0 */
	[0x28] = 0x1c, 0x01, 0x0e, 0x0f, 0x39, 0x0c, 0x0d, 0x1a, 0x1b, 0x2b, 0x2b, 0x27, 0x28,
	[0x35] = 0x29, 0x33, 0x34, 0x35, 0x3a,                                                  /* ` , . / caps */
	[0x3a] = 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58,        /* F1-F12 */
	[0x47] = 0x46,                                                                          /* scroll lock */
	[0x49] = SC_EXT | 0x52, SC_EXT | 0x47, SC_EXT | 0x49, SC_EXT | 0x53, SC_EXT | 0x4f,
	[0x4e] = SC_EXT | 0x51, SC_EXT | 0x4d, SC_EXT | 0x4b, SC_EXT | 0x50, SC_EXT | 0x48,     /* pgdn, arrows */
	[0x53] = 0x45, SC_EXT | 0x35, 0x37, 0x4a, 0x4e, SC_EXT | 0x1c,                          /* num lock, keypad */
	[0x59] = 0x4f, 0x50, 0x51, 0x4b, 0x4c, 0x4d, 0x47, 0x48, 0x49, 0x52, 0x53, 0x56,
};

/* The modifier byte's bits, left ctrl first (HID 1.11, 8.3). */
static const uint16_t modifier_sc[MODIFIERS] = {
	0x1d, 0x2a, 0x38, SC_EXT | 0x5b, SC_EXT | 0x1d, 0x36, SC_EXT | 0x38, SC_EXT | 0x5c,
};

#define USAGE_COUNT (sizeof(usage_sc) / sizeof(usage_sc[0]))

void usbkbd_init(struct usbkbd *k)
{
	for (unsigned i = 0; i < USBKBD_REPORT_SIZE; i++)
		k->last[i] = 0;
	keymap_init(&k->km);
	k->repeat_key = 0;
	k->repeat = (struct ktimer){ 0 };
}

static size_t put_sc(uint16_t sc, bool down, uint8_t *codes, size_t n)
{
	if (!sc)
		return n;
	if (sc & SC_EXT)
		codes[n++] = SC_E0;
	codes[n++] = (uint8_t)((sc & 0xff) | (down ? 0 : SC_RELEASE));
	return n;
}

static uint16_t key_sc(uint8_t usage)
{
	return usage < USAGE_COUNT ? usage_sc[usage] : 0;
}

static bool holds(const uint8_t *r, uint8_t usage)
{
	for (unsigned i = 0; i < USBKBD_KEYS; i++)
		if (r[REPORT_KEYS + i] == usage)
			return true;
	return false;
}

size_t usbkbd_codes(struct usbkbd *k, const uint8_t *r, size_t len, uint8_t codes[USBKBD_CODES_MAX])
{
	size_t n = 0;

	if (len < USBKBD_REPORT_SIZE || r[REPORT_KEYS] == ROLLOVER)
		return 0;
	uint8_t was = k->last[REPORT_MODS], now = r[REPORT_MODS];
	for (unsigned i = 0; i < USBKBD_KEYS; i++) {
		uint8_t u = k->last[REPORT_KEYS + i];
		if (u > ROLLOVER && !holds(r, u)) {
			n = put_sc(key_sc(u), false, codes, n);
			if (key_sc(u) == k->repeat_key)
				k->repeat_key = 0;
		}
	}
	for (unsigned b = 0; b < MODIFIERS; b++)
		if ((was ^ now) & (1u << b))
			n = put_sc(modifier_sc[b], now & (1u << b), codes, n);
	for (unsigned i = 0; i < USBKBD_KEYS; i++) {
		uint8_t u = r[REPORT_KEYS + i];
		if (u > ROLLOVER && !holds(k->last, u)) {
			n = put_sc(key_sc(u), true, codes, n);
			k->repeat_key = key_sc(u);
		}
	}
	for (unsigned i = 0; i < USBKBD_REPORT_SIZE; i++)
		k->last[i] = r[i];
	return n;
}

static void feed(struct usbkbd *k, const uint8_t *codes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char out[KEYMAP_OUT_MAX];
		size_t m = keymap_feed(&k->km, codes[i], out);
		if (m)
			input_push(out, m);
	}
}

/* The tick: the held key's make code again, as a PS/2 keyboard's
 * typematic repeat sends it (the key map keeps Caps Lock from toggling). */
static void repeat_fire(struct ktimer *t)
{
	struct usbkbd *k = (struct usbkbd *)((char *)t - offsetof(struct usbkbd, repeat));
	uint8_t codes[2];

	if (!k->repeat_key)
		return;
	feed(k, codes, put_sc(k->repeat_key, true, codes, 0));
	ktimer_arm(t, time_ns() + USBKBD_REPEAT_PERIOD_NS);
}

void usbkbd_report(struct usbkbd *k, const uint8_t *r, size_t len)
{
	uint8_t codes[USBKBD_CODES_MAX];
	uint16_t was = k->repeat_key;
	size_t n = usbkbd_codes(k, r, len, codes);

	feed(k, codes, n);
	if (!k->repeat_key) {
		ktimer_cancel(&k->repeat);
	} else if (k->repeat_key != was) {
		k->repeat.fire = repeat_fire;
		ktimer_arm(&k->repeat, time_ns() + USBKBD_REPEAT_DELAY_NS);
	}
}

uint8_t usbkbd_leds(const struct usbkbd *k)
{
	return (k->km.caps ? USBKBD_LED_CAPS : 0) | (k->km.num ? USBKBD_LED_NUM : 0);
}
