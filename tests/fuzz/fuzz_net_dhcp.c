/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the DHCP parser and builder (kernel/net/wire.c):
 * the input is a BOOTP message. dhcp_parse reads only inside it and
 * never writes it; on WIRE_OK the message has its 240 bytes and cookie,
 * an Ethernet client address, at most 3 DNS servers and NUL-terminated
 * names. Then a client message built from what was parsed (its type,
 * xid, addresses and host name, in a buffer whose size the input picks)
 * stays within its buffer and parses back to the same.
 */
#include "fuzz_net.h"

#define BOOTP_MIN 300

static void check_build(const struct dhcp_info *d, size_t extra)
{
	static const uint8_t types[] = { DHCP_DISCOVER, DHCP_REQUEST, DHCP_RELEASE };
	uint8_t type = types[d->xid % sizeof(types)];
	size_t cap = BOOTP_MIN + extra;
	uint8_t *b = malloc(cap);
	struct dhcp_info back;

	if (!b)
		return;
	size_t n = dhcp_build(b, cap, type, d->xid, d->chaddr, d->ciaddr, d->yiaddr, d->server_id, d->hostname);
	FUZZ_ASSERT(n >= BOOTP_MIN && n <= cap);
	FUZZ_ASSERT(dhcp_parse(b, n, &back) == WIRE_OK);
	FUZZ_ASSERT(back.op == 1 && back.msg_type == type && back.xid == d->xid && back.ciaddr == d->ciaddr);
	FUZZ_ASSERT(memcmp(back.chaddr, d->chaddr, 6) == 0 && back.server_id == d->server_id);
	if (type != DHCP_RELEASE)   /* the name, cut to the room there was */
		FUZZ_ASSERT(strncmp(back.hostname, d->hostname, strlen(back.hostname)) == 0);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf b;
	struct dhcp_info d;

	if (fuzz_buf_init(&b, data, size))
		return 0;
	fuzz_buf_snap(&b);
	if (dhcp_parse(b.p, b.len, &d) == WIRE_OK) {
		FUZZ_ASSERT(b.len >= DHCP_MIN_LEN && get_be32(b.p + DHCP_FIXED_LEN) == 0x63825363);
		FUZZ_ASSERT(b.p[1] == 1 && b.p[2] == 6 && (d.op == 1 || d.op == 2));
		FUZZ_ASSERT(d.ndns <= DHCP_DNS_MAX);
		FUZZ_ASSERT(memchr(d.hostname, 0, sizeof(d.hostname)) && memchr(d.domain, 0, sizeof(d.domain)));
		check_build(&d, b.p[3]);
	}
	fuzz_buf_check(&b);
	fuzz_buf_free(&b);
	return 0;
}
