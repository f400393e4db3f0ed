/* SPDX-License-Identifier: MIT */
/* Host unit test: net/ipconfig_parse.c, the ip= command-line word in Linux's syntax (Documentation/admin-guide/nfs/nfsroot.rst). */
#include "net/ipconfig.h"
#include "unit.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

UNIT_TEST(words)
{
	struct ipconfig_spec s;
	CHECK_EQ(ipconfig_parse("dhcp", &s), 0);
	CHECK(s.dhcp && !s.off);
	CHECK_EQ(ipconfig_parse("on", &s), 0);
	CHECK(s.dhcp);
	CHECK_EQ(ipconfig_parse("off", &s), 0);
	CHECK(s.off && !s.dhcp);
	CHECK_EQ(ipconfig_parse("", &s), 0);
	CHECK(s.off);
	CHECK(ipconfig_parse("dhcpx", &s) != 0);
	return NULL;
}

UNIT_TEST(static_full)
{
	struct ipconfig_spec s;
	CHECK_EQ(ipconfig_parse("10.0.2.15:10.0.2.2:10.0.2.1:255.255.255.0:kestrel:eth0:off:10.0.2.3:1.1.1.1", &s), 0);
	CHECK_EQ(s.client, IP(10, 0, 2, 15));
	CHECK_EQ(s.server, IP(10, 0, 2, 2));
	CHECK_EQ(s.gateway, IP(10, 0, 2, 1));
	CHECK_EQ(s.netmask, IP(255, 255, 255, 0));
	CHECK_STR(s.hostname, "kestrel");
	CHECK_STR(s.device, "eth0");
	CHECK_EQ(s.dns[0], IP(10, 0, 2, 3));
	CHECK_EQ(s.dns[1], IP(1, 1, 1, 1));
	CHECK(!s.dhcp && !s.off);
	return NULL;
}

/* Linux asks DHCP only for what is missing: no address, autoconf not off. */
UNIT_TEST(autoconf_rules)
{
	struct ipconfig_spec s;
	CHECK_EQ(ipconfig_parse("10.0.2.15::10.0.2.2:255.255.255.0", &s), 0);
	CHECK(!s.dhcp && !s.off);
	CHECK_EQ(ipconfig_parse("10.0.2.15", &s), 0);
	CHECK(!s.dhcp && s.client == IP(10, 0, 2, 15));
	CHECK_EQ(ipconfig_parse(":::::eth1:dhcp", &s), 0);
	CHECK(s.dhcp);
	CHECK_STR(s.device, "eth1");
	CHECK_EQ(ipconfig_parse(":::::eth1", &s), 0);
	CHECK(s.dhcp);
	CHECK_EQ(ipconfig_parse(":::::eth1:none", &s), 0);
	CHECK(s.off && !s.dhcp);
	return NULL;
}

UNIT_TEST(malformed)
{
	static const char *const bad[] = {
		"10.0.2", "10.0.2.256", "10.0.2.15.1", "10..2.15", "1000.0.2.15", "a.b.c.d",
		"10.0.2.15:x", "10.0.2.15::::::bogus", "1:2:3:4:5:6:7:8:9:10",
		"10.0.2.15::::aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"10.0.2.15:::::eth0123456789abcdef",
	};
	struct ipconfig_spec s;
	for (size_t i = 0; i < UNIT_COUNT(bad); i++)
		if (ipconfig_parse(bad[i], &s) == 0) {
			snprintf(unit_msg, sizeof(unit_msg), "took '%s'", bad[i]);
			return unit_msg;
		}
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(words),
	UNIT_ENTRY(static_full),
	UNIT_ENTRY(autoconf_rules),
	UNIT_ENTRY(malformed),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
