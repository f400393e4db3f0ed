/* SPDX-License-Identifier: MIT */
/* Host unit test: the CDC-ECM parsers (kernel/dev/cdc_ecm_desc.c): an adapter's configuration, its MAC string and its notifications. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "dev/cdc_ecm_desc.h"

/* QEMU's usb-net, configuration 1 (CDC-ECM), as it answers GET_DESCRIPTOR. */
static const uint8_t ecm_config[] = {
	9, 2, 80, 0, 2, 1, 7, 0xc0, 0x32,               /* configuration 1, two interfaces */
	9, 4, 0, 0, 1, 2, 6, 0, 0,                      /* interface 0: communication, ECM */
	5, 0x24, 0x00, 0x10, 0x01,                      /* CDC header */
	5, 0x24, 0x06, 0, 1,                            /* Union: control 0, data 1 */
	13, 0x24, 0x0f, 4, 0, 0, 0, 0, 0xea, 0x05, 0, 0, 0, /* Ethernet: iMACAddress 4, 1514 bytes */
	7, 5, 0x81, 3, 16, 0, 32,                       /* endpoint 1 IN, interrupt, 16 bytes */
	9, 4, 1, 0, 0, 0x0a, 0, 0, 0,                   /* interface 1 setting 0: data, no endpoints */
	9, 4, 1, 1, 2, 0x0a, 0, 0, 0,                   /* interface 1 setting 1: the bulk endpoints */
	7, 5, 0x82, 2, 64, 0, 0,                        /* endpoint 2 IN, bulk */
	7, 5, 0x02, 2, 64, 0, 0,                        /* endpoint 2 OUT, bulk */
};
_Static_assert(sizeof(ecm_config) == 80, "wTotalLength");

/* Its configuration 2 (RNDIS): class 2 subclass 2, not ECM. */
static const uint8_t rndis_config[] = {
	9, 2, 34, 0, 1, 2, 7, 0xc0, 0x32,
	9, 4, 0, 0, 1, 2, 2, 0xff, 0,
	5, 0x24, 0x06, 0, 1,
	7, 5, 0x81, 3, 8, 0, 32,
};

/* The ECM configuration with the byte at off set to v. */
static uint8_t *patched(size_t off, uint8_t v)
{
	static uint8_t b[sizeof(ecm_config)];

	memcpy(b, ecm_config, sizeof(b));
	b[off] = v;
	return b;
}

UNIT_TEST(config_qemu_usb_net)
{
	struct ecm_desc d;

	CHECK(ecm_parse_config(ecm_config, sizeof(ecm_config), &d) == NULL);
	CHECK_EQ(d.config_value, 1);
	CHECK_EQ(d.ctrl_iface, 0);
	CHECK_EQ(d.data_iface, 1);
	CHECK_EQ(d.data_alt, 1);
	CHECK_EQ(d.mac_string, 4);
	CHECK_EQ(d.max_segment, 1514);
	CHECK(d.has_notify);
	CHECK_EQ(d.notify.address, 0x81);
	CHECK_EQ(d.notify.interval, 32);
	CHECK_EQ(d.bulk_in.address, 0x82);
	CHECK_EQ(d.bulk_out.address, 0x02);
	CHECK_EQ(d.bulk_out.max_packet, 64);
	return NULL;
}

UNIT_TEST(config_rndis_is_not_ecm)
{
	struct ecm_desc d;

	CHECK_STR(ecm_parse_config(rndis_config, sizeof(rndis_config), &d), "no ECM interface");
	return NULL;
}

/* Every prefix of the configuration is refused (wTotalLength says 80,
 * the bytes end earlier), none read past its end (ASan). */
UNIT_TEST(config_truncated)
{
	struct ecm_desc d;

	for (size_t n = 0; n < sizeof(ecm_config); n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, ecm_config, n);
		const char *why = ecm_parse_config(b, n, &d);
		free(b);
		if (!why) {
			snprintf(unit_msg, sizeof(unit_msg), "a %zu-byte prefix parsed", n);
			return unit_msg;
		}
	}
	/* wTotalLength cutting the bulk OUT endpoint off */
	uint8_t *b = patched(2, 73);
	CHECK(ecm_parse_config(b, sizeof(ecm_config), &d) != NULL);
	return NULL;
}

UNIT_TEST(config_malformed)
{
	struct ecm_desc d;

	CHECK_STR(ecm_parse_config(patched(28, 0), sizeof(ecm_config), &d), "descriptor length out of bounds");
	CHECK_STR(ecm_parse_config(patched(28, 200), sizeof(ecm_config), &d), "descriptor length out of bounds");
	/* the Ethernet descriptor shortened to 5 bytes (and the rest a skipped odd descriptor) */
	uint8_t b[sizeof(ecm_config)];
	memcpy(b, ecm_config, sizeof(b));
	b[28] = 5;
	b[33] = 8;
	b[34] = 0x24;
	CHECK_STR(ecm_parse_config(b, sizeof(b), &d), "CDC Ethernet descriptor too short");
	/* the Union names another control interface, or the control one as data */
	CHECK_STR(ecm_parse_config(patched(26, 3), sizeof(ecm_config), &d),
		  "no CDC Union descriptor for the ECM interface");
	CHECK_STR(ecm_parse_config(patched(27, 0), sizeof(ecm_config), &d),
		  "the data interface is the communication interface");
	/* no iMACAddress, a segment too small for IPv4 */
	CHECK_STR(ecm_parse_config(patched(31, 0), sizeof(ecm_config), &d), "no iMACAddress string");
	memcpy(b, ecm_config, sizeof(b));
	b[36] = 60;
	b[37] = 0;
	CHECK_STR(ecm_parse_config(b, sizeof(b), &d), "wMaxSegmentSize too small");
	return NULL;
}

/* Setting 0 alone (no bulk endpoints) is no data path; nor are two IN
 * endpoints. */
UNIT_TEST(config_data_setting)
{
	struct ecm_desc d;

	CHECK(ecm_parse_config(patched(60, 0), sizeof(ecm_config), &d) == NULL);  /* setting 1 becomes a second 0 */
	CHECK_EQ(d.data_alt, 0);                  /* the one with the endpoints, whatever its number */
	CHECK_STR(ecm_parse_config(patched(75, 0x83), sizeof(ecm_config), &d),
		  "no data interface setting with bulk IN and OUT");
	CHECK_STR(ecm_parse_config(patched(62, 0xff), sizeof(ecm_config), &d),   /* not the data class */
		  "no data interface setting with bulk IN and OUT");
	return NULL;
}

/* A string descriptor of the UTF-16LE characters of s. */
static size_t string_desc(uint8_t *b, const char *s)
{
	size_t n = strlen(s);

	b[0] = (uint8_t)(2 + 2 * n);
	b[1] = USB_DT_STRING;
	for (size_t i = 0; i < n; i++) {
		b[2 + 2 * i] = (uint8_t)s[i];
		b[3 + 2 * i] = 0;
	}
	return 2 + 2 * n;
}

UNIT_TEST(mac_string)
{
	uint8_t b[64], mac[6] = { 0 };
	size_t n = string_desc(b, "40540012345A");

	CHECK(ecm_parse_mac(b, n, mac) == NULL);
	CHECK(mac[0] == 0x40 && mac[1] == 0x54 && mac[2] == 0x00 && mac[5] == 0x5a);
	CHECK_STR(ecm_parse_mac(b, n - 1, mac), "MAC address string too short");
	n = string_desc(b, "40540012345");
	CHECK_STR(ecm_parse_mac(b, n, mac), "MAC address string too short");
	n = string_desc(b, "40540012345g");
	CHECK_STR(ecm_parse_mac(b, n, mac), "MAC address string has a non-hex digit");
	n = string_desc(b, "405400123456");
	b[3] = 0x01;                              /* U+0134: not a digit */
	CHECK_STR(ecm_parse_mac(b, n, mac), "MAC address string has a non-hex digit");
	n = string_desc(b, "415400123456");
	CHECK_STR(ecm_parse_mac(b, n, mac), "MAC address is a multicast address");
	n = string_desc(b, "000000000000");
	CHECK_STR(ecm_parse_mac(b, n, mac), "MAC address is all zeros");
	n = string_desc(b, "405400123456");
	b[1] = USB_DT_CONFIG;
	CHECK_STR(ecm_parse_mac(b, n, mac), "not a string descriptor");
	n = string_desc(b, "405400123456xyz");  /* more after the 12 digits: Linux reads 12 */
	CHECK(ecm_parse_mac(b, n, mac) == NULL);
	return NULL;
}

UNIT_TEST(langid)
{
	const uint8_t two[] = { 6, 3, 0x07, 0x04, 0x09, 0x04 };
	const uint8_t none[] = { 2, 3 };

	CHECK_EQ(ecm_first_langid(two, sizeof(two)), 0x0407);
	CHECK_EQ(ecm_first_langid(none, sizeof(none)), USB_LANG_EN_US);
	CHECK_EQ(ecm_first_langid(two, 3), USB_LANG_EN_US);
	return NULL;
}

UNIT_TEST(notifications)
{
	const uint8_t up[] = { 0xa1, 0x00, 1, 0, 0, 0, 0, 0 };
	const uint8_t down[] = { 0xa1, 0x00, 0, 0, 0, 0, 0, 0 };
	const uint8_t speed[] = { 0xa1, 0x2a, 0, 0, 0, 0, 8, 0, 0x00, 0xe1, 0xf5, 0x05, 0x80, 0x96, 0x98, 0x00 };
	const uint8_t other[] = { 0xa1, 0x01, 0, 0, 0, 0, 0, 0 };   /* RESPONSE_AVAILABLE */

	CHECK_EQ(ecm_parse_notify(up, sizeof(up)).ev, ECM_EV_CONNECTED);
	CHECK_EQ(ecm_parse_notify(down, sizeof(down)).ev, ECM_EV_DISCONNECTED);
	CHECK_EQ(ecm_parse_notify(up, 7).ev, ECM_EV_NONE);
	struct ecm_notify n = ecm_parse_notify(speed, sizeof(speed));
	CHECK_EQ(n.ev, ECM_EV_SPEED);
	CHECK_EQ(n.down_bps, 100000000);
	CHECK_EQ(n.up_bps, 10000000);
	CHECK_EQ(ecm_parse_notify(speed, 15).ev, ECM_EV_NONE);   /* the rates cut short */
	CHECK_EQ(ecm_parse_notify(other, sizeof(other)).ev, ECM_EV_NONE);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_ENTRY(config_qemu_usb_net),
		UNIT_ENTRY(config_rndis_is_not_ecm),
		UNIT_ENTRY(config_truncated),
		UNIT_ENTRY(config_malformed),
		UNIT_ENTRY(config_data_setting),
		UNIT_ENTRY(mac_string),
		UNIT_ENTRY(langid),
		UNIT_ENTRY(notifications),
	};
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
