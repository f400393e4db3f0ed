/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for NETLINK_ROUTE's request parser
 * (kernel/net/rtnetlink.c): the input's first byte says whether the
 * socket has NETLINK_GET_STRICT_CHK, the rest is one send(2) to the
 * kernel. Every message nl_msg_next hands out must lie inside the send;
 * each is classified and parsed as rtnetlink would, every attribute the
 * parse kept must lie inside its message and be read back, and the
 * NLMSG_ERROR answering it must fit exactly the room nl_error_size says
 * (ASan and UBSan catch any byte read or written outside).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/rtnetlink.h"

#define SEND_MAX 65536

/* Read back every attribute the parse kept, checking it lies in msg. */
static void read_attrs(const struct rtnl_req *q)
{
	const uint8_t *lo = (const uint8_t *)q->nlh, *hi = lo + q->nlh->nlmsg_len;
	char name[16];

	for (unsigned i = 0; i <= RTNL_ATTR_MAX; i++) {
		const struct nlattr *a = q->tb[i];
		if (!a)
			continue;
		if ((const uint8_t *)a < lo || (const uint8_t *)a + a->nla_len > hi || a->nla_len < NLA_HDRLEN)
			abort();
		(void)nla_get_u32(a);
		(void)nla_get_u8(a);
		nla_get_string(a, name, sizeof(name));
		if (strlen(name) >= sizeof(name))
			abort();
	}
}

/* The answer to h: built in exactly the room it claims. */
static void answer(const struct nlmsghdr *h, int err, const struct nl_ext_ack *ext)
{
	size_t size = nl_error_size(h, err, false, ext);
	uint8_t *buf = malloc(size);
	struct nl_buf b = { buf, 0, size };

	if (nl_put_error(&b, h, 1, err, false, ext) || b.len != size)
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > SEND_MAX)
		return 0;
	bool strict = data[0] & 1;
	size_t len = size - 1, off = 0;
	uint8_t *send = malloc(len ? len : 1);
	const struct nlmsghdr *h;

	memcpy(send, data + 1, len);
	while (nl_msg_next(send, len, &off, &h)) {
		struct rtnl_req q;
		if ((const uint8_t *)h < send || (const uint8_t *)h + h->nlmsg_len > send + len || off > len)
			abort();
		int err = rtnl_classify(h, strict, &q);
		if (err > 0 && !(err = rtnl_parse(&q)))
			read_attrs(&q);
		answer(h, err, err > 0 ? NULL : &q.ext);
	}
	free(send);
	return 0;
}
