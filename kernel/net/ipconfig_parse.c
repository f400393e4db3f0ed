// SPDX-License-Identifier: MIT
/*
 * Kestrel: the parse of the ip= command-line word (net/ipconfig.h), in
 * Linux's syntax. Pure: the host's unit tests run it as it is.
 */
#include "net/ipconfig.h"
#include "lib/errno.h"
#include "lib/string.h"

#define IPCONFIG_FIELDS 9
#define OCTET_MAX       255

/* Dotted quad [s, s + n) into *out (host order): 0, or -EINVAL. */
static int parse_addr(const char *s, size_t n, uint32_t *out)
{
	uint32_t a = 0, part = 0;
	unsigned dots = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!digits || ++dots > 3)
				return -EINVAL;
			a = a << 8 | part;
			part = 0;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			part = part * 10 + (uint32_t)(s[i] - '0');
			digits++;
			if (part > OCTET_MAX)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (dots != 3 || !digits)
		return -EINVAL;
	*out = a << 8 | part;
	return 0;
}

/* [s, s + n) equals word. */
static bool is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* The autoconf words Linux knows: DHCP, or off. */
static int parse_autoconf(const char *s, size_t n, struct ipconfig_spec *out)
{
	if (is(s, n, "off") || is(s, n, "none")) {
		out->off = true;
		return 0;
	}
	if (is(s, n, "dhcp") || is(s, n, "on") || is(s, n, "any") || is(s, n, "both") || is(s, n, "bootp")) {
		out->dhcp = true;
		return 0;
	}
	return -EINVAL;
}

/* A string field into dst (cap bytes with its NUL). */
static int copy_field(const char *s, size_t n, char *dst, size_t cap)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* Field i of the colon form. An empty field is "not given". */
static int parse_field(unsigned i, const char *s, size_t n, struct ipconfig_spec *out)
{
	uint32_t *addr[] = { &out->client, &out->server, &out->gateway, &out->netmask };
	if (!n)
		return 0;
	if (i < 4)
		return parse_addr(s, n, addr[i]);
	if (i == 4)
		return copy_field(s, n, out->hostname, sizeof(out->hostname));
	if (i == 5)
		return copy_field(s, n, out->device, sizeof(out->device));
	if (i == 6)
		return parse_autoconf(s, n, out);
	return parse_addr(s, n, &out->dns[i - 7]);
}

int ipconfig_parse(const char *spec, struct ipconfig_spec *out)
{
	memset(out, 0, sizeof(*out));
	size_t len = spec ? strlen(spec) : 0;
	if (!len || is(spec, len, "off") || is(spec, len, "none")) {
		out->off = true;
		return 0;
	}
	if (!memchr(spec, ':', len) && parse_addr(spec, len, &out->client) != 0)
		return parse_autoconf(spec, len, out);
	const char *s = spec;
	for (unsigned i = 0; i < IPCONFIG_FIELDS; i++) {
		const char *colon = memchr(s, ':', len - (size_t)(s - spec));
		size_t n = colon ? (size_t)(colon - s) : len - (size_t)(s - spec);
		if (parse_field(i, s, n, out))
			return -EINVAL;
		if (!colon)
			break;
		s = colon + 1;
		if (i + 1 == IPCONFIG_FIELDS)
			return -EINVAL; /* a tenth field */
	}
	/* Linux autoconfigures only what is missing: with an address given
	 * nothing is asked; without one DHCP is, unless autoconf says off. */
	out->dhcp = !out->client && !out->off;
	out->off = !out->client && !out->dhcp;
	return 0;
}
