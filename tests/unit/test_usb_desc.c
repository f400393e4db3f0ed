/* SPDX-License-Identifier: MIT */
/* Host unit test: the USB descriptor parser (kernel/dev/usb_desc.c) and the boot keyboard's reports and key repeat (kernel/dev/usbkbd.c). */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "dev/usb_desc.h"
#include "dev/usbkbd.h"

/* usbkbd_report's sink, standing in for dev/input.c and the console's input queue. */
static char typed[256];
static size_t typed_len;

void input_push(const char *s, size_t n)
{
	for (size_t i = 0; i < n && typed_len < sizeof(typed) - 1; i++)
		typed[typed_len++] = s[i];
	typed[typed_len] = 0;
}

/* The repeat timer, standing in for proc/ktimer.c and the clock. */
static uint64_t now_ns;
static struct ktimer *armed;

uint64_t time_ns(void)
{
	return now_ns;
}

void ktimer_arm(struct ktimer *t, uint64_t when)
{
	t->when = when ? when : 1; /* as ktimer.c: 0 means disarmed */
	armed = t;
}

/* ktimer.h's inline ktimer_cancel calls this for an armed timer. */
void ktimer_cancel_armed(struct ktimer *t)
{
	t->when = 0;
	if (armed == t)
		armed = NULL;
}

/* Advance the clock to ns, firing the armed timer when it comes due. */
static void run_until(uint64_t ns)
{
	while (armed && armed->when <= ns) {
		struct ktimer *t = armed;
		now_ns = t->when;
		ktimer_cancel(t);
		t->fire(t);
	}
	now_ns = ns;
}

/* QEMU's usb-kbd, as it answers GET_DESCRIPTOR. */
static const uint8_t kbd_device[] = {
	18, 1, 0x00, 0x02, 0, 0, 0, 8, 0x27, 0x06, 0x01, 0x00, 0x00, 0x00, 1, 4, 11, 1,
};
static const uint8_t kbd_config[] = {
	9, 2, 34, 0, 1, 1, 7, 0xa0, 50,                 /* configuration 1, one interface */
	9, 4, 0, 0, 1, 3, 1, 1, 0,                      /* interface 0: HID, boot, keyboard */
	9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0,         /* HID descriptor: skipped */
	7, 5, 0x81, 3, 8, 0, 7,                         /* endpoint 1 IN, interrupt, 8 bytes, 7 ms */
};

UNIT_TEST(device_full_and_partial)
{
	struct usb_device_info d;

	CHECK(usb_parse_device(kbd_device, sizeof(kbd_device), true, &d) == NULL);
	CHECK_EQ(d.vendor, 0x0627);
	CHECK_EQ(d.product, 0x0001);
	CHECK_EQ(d.max_packet0, 8);
	CHECK_EQ(d.num_configs, 1);
	CHECK(usb_parse_device(kbd_device, 8, false, &d) == NULL);
	CHECK_EQ(d.max_packet0, 8);
	CHECK(usb_parse_device(kbd_device, 17, true, &d) != NULL);   /* one byte short */
	CHECK(usb_parse_device(kbd_device, 7, false, &d) != NULL);
	uint8_t bad[18];
	memcpy(bad, kbd_device, sizeof(bad));
	bad[1] = USB_DT_CONFIG;
	CHECK(usb_parse_device(bad, sizeof(bad), true, &d) != NULL);
	return NULL;
}

UNIT_TEST(config_keyboard)
{
	struct usb_config_info c;

	CHECK(usb_parse_config(kbd_config, sizeof(kbd_config), &c) == NULL);
	CHECK_EQ(c.config_value, 1);
	CHECK_EQ(c.num_ifaces, 1);
	CHECK_EQ(c.ifaces[0].iface_class, USB_CLASS_HID);
	CHECK_EQ(c.ifaces[0].protocol, USB_HID_PROTOCOL_KEYBOARD);
	const struct usb_ep_info *e = usb_iface_int_in(&c.ifaces[0]);
	CHECK(e != NULL);
	CHECK_EQ(e->address, 0x81);
	CHECK_EQ(e->max_packet, 8);
	CHECK_EQ(e->interval, 7);
	/* only the 9-byte header read: no interfaces yet, not an error */
	CHECK(usb_parse_config(kbd_config, 9, &c) == NULL);
	CHECK_EQ(c.total_length, 34);
	CHECK_EQ(c.num_ifaces, 0);
	return NULL;
}

UNIT_TEST(config_malformed)
{
	struct usb_config_info c;
	uint8_t b[sizeof(kbd_config)];

	memcpy(b, kbd_config, sizeof(b));
	b[9] = 0;                                        /* bLength 0: would loop */
	CHECK(usb_parse_config(b, sizeof(b), &c) != NULL);
	memcpy(b, kbd_config, sizeof(b));
	b[27] = 20;                                      /* endpoint runs past the end */
	CHECK(usb_parse_config(b, sizeof(b), &c) != NULL);
	memcpy(b, kbd_config, sizeof(b));
	b[9] = 5;                                        /* a short interface descriptor */
	CHECK(usb_parse_config(b, sizeof(b), &c) != NULL);
	memcpy(b, kbd_config, sizeof(b));
	b[2] = 4;                                        /* wTotalLength below bLength */
	CHECK(usb_parse_config(b, sizeof(b), &c) != NULL);
	CHECK(usb_parse_config(b, 8, &c) != NULL);
	/* wTotalLength past what was read: parse what is there, no further */
	memcpy(b, kbd_config, sizeof(b));
	b[2] = 200;
	CHECK(usb_parse_config(b, sizeof(b), &c) == NULL);
	CHECK_EQ(c.num_ifaces, 1);
	return NULL;
}

/* An alternate setting's endpoints are not taken for setting 0's; more
 * interfaces than the array holds are counted, not written. */
UNIT_TEST(config_alternates_and_overflow)
{
	uint8_t b[9 + 12 * 9];
	struct usb_config_info c;
	size_t n = 9;

	memcpy(b, kbd_config, 9);
	for (unsigned i = 0; i < 12; i++) {
		const uint8_t iface[9] = { 9, 4, (uint8_t)i, i == 1 ? 1 : 0, 0, 8, 6, 0x50, 0 };
		memcpy(b + n, iface, 9);
		n += 9;
	}
	b[2] = (uint8_t)n;
	CHECK(usb_parse_config(b, n, &c) == NULL);
	CHECK_EQ(c.num_ifaces, USB_MAX_IFACES);
	CHECK_EQ(c.skipped, 12 - 1 - USB_MAX_IFACES);
	CHECK_EQ(c.ifaces[1].number, 2);
	return NULL;
}

static void report(struct usbkbd *k, uint8_t mods, uint8_t key)
{
	const uint8_t r[USBKBD_REPORT_SIZE] = { mods, 0, key };
	usbkbd_report(k, r, sizeof(r));
}

#define HID_A     0x04
#define HID_C     0x06
#define HID_ENTER 0x28
#define HID_UP    0x52
#define HID_CAPS  0x39
#define MOD_LCTRL  0x01
#define MOD_LSHIFT 0x02

UNIT_TEST(keyboard_reports)
{
	struct usbkbd k;

	usbkbd_init(&k);
	typed_len = 0;
	typed[0] = 0;
	report(&k, 0, HID_A);
	report(&k, 0, HID_A);          /* still held: no second a */
	report(&k, 0, 0);
	report(&k, MOD_LSHIFT, 0);
	report(&k, MOD_LSHIFT, HID_A);
	report(&k, 0, 0);
	report(&k, MOD_LCTRL, HID_C);
	report(&k, 0, 0);
	report(&k, 0, HID_UP);
	report(&k, 0, HID_ENTER);
	report(&k, 0, 0);
	CHECK_STR(typed, "aA\x03\x1b[A\r");
	typed_len = 0;
	typed[0] = 0;
	report(&k, 0, HID_CAPS);
	report(&k, 0, 0);
	CHECK_EQ(usbkbd_leds(&k), USBKBD_LED_CAPS | USBKBD_LED_NUM);   /* Num Lock starts on */
	report(&k, 0, HID_A);
	const uint8_t rollover[USBKBD_REPORT_SIZE] = { 0, 0, 1, 1, 1, 1, 1, 1 };
	usbkbd_report(&k, rollover, sizeof(rollover));   /* ignored */
	usbkbd_report(&k, rollover, 3);                  /* short: ignored */
	report(&k, 0, 0);
	CHECK_STR(typed, "A");
	return NULL;
}

/* A key held repeats after the delay at the period; a modifier held
 * does not; releasing the key stops it. */
UNIT_TEST(keyboard_repeat)
{
	struct usbkbd k;

	usbkbd_init(&k);
	typed_len = 0;
	typed[0] = 0;
	now_ns = 0;
	report(&k, MOD_LSHIFT, 0);
	run_until(2 * USBKBD_REPEAT_DELAY_NS);
	CHECK_STR(typed, "");
	report(&k, MOD_LSHIFT, HID_A);
	run_until(now_ns + USBKBD_REPEAT_DELAY_NS - 1);
	CHECK_STR(typed, "A");
	run_until(now_ns + 1 + 2 * USBKBD_REPEAT_PERIOD_NS);
	CHECK_STR(typed, "AAAA");
	report(&k, 0, 0);
	CHECK(armed == NULL);
	run_until(now_ns + 10 * USBKBD_REPEAT_DELAY_NS);
	CHECK_STR(typed, "AAAA");
	return NULL;
}

#define HID_NUMLOCK 0x53
#define HID_KP_8    0x60
#define HID_KP_5    0x5d

/* Num Lock: on at start (digits, its LED lit); pressed, the keypad is
 * the cursor block and the LED goes out; held, it toggles once. */
UNIT_TEST(keyboard_num_lock)
{
	struct usbkbd k;

	usbkbd_init(&k);
	typed_len = 0;
	typed[0] = 0;
	CHECK_EQ(usbkbd_leds(&k), USBKBD_LED_NUM);
	report(&k, 0, HID_KP_8);
	report(&k, 0, 0);
	report(&k, 0, HID_NUMLOCK);
	now_ns = 0;
	run_until(2 * USBKBD_REPEAT_DELAY_NS);   /* held and repeating: one toggle */
	report(&k, 0, 0);
	CHECK_EQ(usbkbd_leds(&k), 0);
	report(&k, 0, HID_KP_8);
	report(&k, 0, HID_KP_5);
	report(&k, 0, 0);
	CHECK_STR(typed, "8\x1b[A\x1b[G");
	report(&k, 0, HID_NUMLOCK);
	report(&k, 0, 0);
	CHECK_EQ(usbkbd_leds(&k), USBKBD_LED_NUM);
	return NULL;
}

/* A QEMU usb-hub's USB 2 hub descriptor (8 ports), and a SuperSpeed hub
 * descriptor as USB 3.2 table 10-5 lays it out (4 ports, 100 ms power
 * good, header decode latency 0x04, hub delay 0x01a0 ns). */
static const uint8_t hub2_desc[] = { 9, 0x29, 8, 0x0a, 0x00, 50, 0, 0x00, 0xff };
static const uint8_t hub3_desc[] = { 12, 0x2a, 4, 0x09, 0x00, 50, 0, 0x04, 0xa0, 0x01, 0x00, 0x00 };

UNIT_TEST(hub_descriptors)
{
	struct usb_hub_info h;

	CHECK(usb_parse_hub(hub2_desc, sizeof(hub2_desc), false, &h) == NULL);
	CHECK_EQ(h.nports, 8);
	CHECK_EQ(h.power_on_ms, 100);
	CHECK_EQ(h.characteristics, 0x000a);
	CHECK_EQ(h.hub_delay_ns, 0);
	CHECK(usb_parse_hub(hub3_desc, sizeof(hub3_desc), true, &h) == NULL);
	CHECK_EQ(h.nports, 4);
	CHECK_EQ(h.power_on_ms, 100);
	CHECK_EQ(h.header_decode_lat, 4);
	CHECK_EQ(h.hub_delay_ns, 0x01a0);
	/* the wrong type for the speed, too short, a short bLength, no ports */
	CHECK(usb_parse_hub(hub2_desc, sizeof(hub2_desc), true, &h) != NULL);
	CHECK(usb_parse_hub(hub3_desc, sizeof(hub3_desc), false, &h) != NULL);
	CHECK(usb_parse_hub(hub3_desc, USB_DT_SS_HUB_SIZE - 1, true, &h) != NULL);
	uint8_t d[sizeof(hub3_desc)];
	memcpy(d, hub3_desc, sizeof(d));
	d[0] = 7;
	CHECK(usb_parse_hub(d, sizeof(d), true, &h) != NULL);
	d[0] = 12;
	d[2] = 0;
	CHECK(usb_parse_hub(d, sizeof(d), true, &h) != NULL);
	d[2] = 200;                             /* more than a route string tier holds */
	CHECK(usb_parse_hub(d, sizeof(d), true, &h) == NULL);
	CHECK_EQ(h.nports, USB_HUB_MAX_PORTS);
	return NULL;
}

/* Port status: USB 2 (power bit 8, speed bits 9-10) against SuperSpeed
 * (power bit 9, no speed field: every device is SuperSpeed; a warm
 * reset's change counts as the reset's end). */
UNIT_TEST(hub_port_status)
{
	struct usb_hub_port p = usb_hub_port_decode(0x00100503, false);   /* connected, enabled, power, high, C_RESET */

	CHECK(p.connected && p.enabled && p.powered && p.reset_done);
	CHECK_EQ(p.speed, USB_SPEED_HIGH);
	p = usb_hub_port_decode(0x00000303, false);                       /* low speed, powered */
	CHECK_EQ(p.speed, USB_SPEED_LOW);
	CHECK(p.powered && !p.reset_done);
	p = usb_hub_port_decode(0x00000103, false);
	CHECK_EQ(p.speed, USB_SPEED_FULL);
	p = usb_hub_port_decode(0x00010203, true);                        /* SS: power at bit 9, C_CONNECTION */
	CHECK(p.connected && p.enabled && p.powered && p.connect_changed && !p.reset_done);
	CHECK_EQ(p.speed, USB_SPEED_SUPER);
	p = usb_hub_port_decode(0x00000103, true);                        /* bit 8 is not power on SS */
	CHECK(!p.powered);
	CHECK(usb_hub_port_decode(0x00200203, true).reset_done);          /* C_BH_PORT_RESET */
	CHECK(usb_hub_port_decode(0x00100203, true).reset_done);
	CHECK(!usb_hub_port_decode(0x00200203, false).reset_done);        /* no warm reset on USB 2 */
	return NULL;
}

/* Route strings: four bits a tier, the first hub's port lowest; ports
 * above 15 and tiers past the fifth cannot be written. */
UNIT_TEST(hub_route_string)
{
	uint32_t r;

	CHECK(usb_route_child(0, 0, 3, &r));
	CHECK_EQ(r, 0x3);
	CHECK(usb_route_child(0x3, 1, 15, &r));
	CHECK_EQ(r, 0xf3);
	CHECK(!usb_route_child(0x54321, 5, 1, &r));          /* a sixth tier */
	CHECK(usb_route_child(0x4321, 4, 5, &r));
	CHECK_EQ(r, 0x54321);
	CHECK(!usb_route_child(0, 0, 16, &r));
	CHECK(!usb_route_child(0, 0, 0, &r));
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(device_full_and_partial),
		UNIT_ENTRY(config_keyboard),
		UNIT_ENTRY(config_malformed),
		UNIT_ENTRY(config_alternates_and_overflow),
		UNIT_ENTRY(keyboard_reports),
		UNIT_ENTRY(keyboard_repeat),
		UNIT_ENTRY(keyboard_num_lock),
		UNIT_ENTRY(hub_descriptors),
		UNIT_ENTRY(hub_port_status),
		UNIT_ENTRY(hub_route_string),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
