/* SPDX-License-Identifier: MIT */
/* A USB HID keyboard in the boot protocol: 8-byte reports into the console input, through the PS/2 key map. */
#ifndef KESTREL_DEV_USBKBD_H
#define KESTREL_DEV_USBKBD_H

#include <stddef.h>
#include <stdint.h>
#include "dev/keymap.h"
#include "proc/ktimer.h"

/* The boot protocol's report (HID 1.11, appendix B.1): modifier bits,
 * a reserved byte, up to six usage IDs of keys held down. */
#define USBKBD_REPORT_SIZE 8
#define USBKBD_KEYS        6

/* Output report bits (LEDs), for SET_REPORT. */
#define USBKBD_LED_NUM     (1u << 0)
#define USBKBD_LED_CAPS    (1u << 1)

/* Typematic: a key held this long starts repeating, at this period (the
 * PS/2 defaults: 500 ms, about 30 per second). */
#define USBKBD_REPEAT_DELAY_NS  500000000ull
#define USBKBD_REPEAT_PERIOD_NS 33333333ull

/* Set-1 scan code bytes one report can produce at most: each of the
 * eight modifiers and twelve keys (six released, six pressed), two
 * bytes each. */
#define USBKBD_CODES_MAX   ((8 + 2 * USBKBD_KEYS) * 2)

/* One keyboard's state: the last report, the decoder that turns set-1
 * scan codes into terminal bytes (dev/keymap.c, shared with the PS/2
 * keyboard), and the key that repeats while held. Lock rule: the kernel
 * lock with interrupts off: the host controller's interrupt handler
 * (reports), a CPU's tick (repeat) and the hot-plug thread touch it. */
struct usbkbd {
	uint8_t last[USBKBD_REPORT_SIZE];
	struct keymap km;
	uint16_t repeat_key;      /* its make code (0x100: E0 prefix), 0 if none */
	struct ktimer repeat;
};

void usbkbd_init(struct usbkbd *k);

/* Pure: the scan code set 1 bytes (E0-prefixed where PS/2 prefixes
 * them) for the difference between k's last report and r (len bytes;
 * fewer than USBKBD_REPORT_SIZE, or the "phantom" rollover report, is
 * ignored): releases first, then presses. Updates k->last and
 * k->repeat_key (the last key pressed, until it is released). Returns
 * how many bytes went to codes. */
size_t usbkbd_codes(struct usbkbd *k, const uint8_t *r, size_t len, uint8_t codes[USBKBD_CODES_MAX]);

/* Feeds one interrupt-IN report to the console input, as the PS/2
 * keyboard feeds its scan codes, and (re)arms or stops the repeat.
 * Call with interrupts off (from the host controller's interrupt
 * handler). */
void usbkbd_report(struct usbkbd *k, const uint8_t *r, size_t len);

/* The LED bits (USBKBD_LED_*) that k's lock state asks for. */
uint8_t usbkbd_leds(const struct usbkbd *k);

#endif
