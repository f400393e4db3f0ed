/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the command-line parser: never reads past len,
 * and its words and init arguments stay inside the string; the Secure Boot
 * merge of two command lines never writes past its buffer.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmdline c;
	struct cmdline_word w;
	uint32_t pos = 0, len;
	const char *s = (const char *)data;
	const char *val;
	uint64_t v;

	if (size > UINT32_MAX)
		return 0;
	cmdline_init(&c, s, (uint32_t)size);
	while (cmdline_next(&c, &pos, &w)) {
		if (w.key < s || w.key + w.key_len > s + c.len || pos > c.len)
			abort();
		if (w.has_val && (w.val != w.key + w.key_len + 1 || w.val + w.val_len > s + c.len))
			abort();
	}
	const char *args = cmdline_init_args(&c, &len);
	if (args + len != s + c.len || (!c.has_init_args && len != 0))
		abort();
	cmdline_has(&c, "a");
	cmdline_get(&c, "a", &val, &len);
	cmdline_get_u64(&c, "a", &v);
	uint32_t fw, fh;
	if (cmdline_get_wxh(&c, "a", &fw, &fh) &&
	    (!fw || !fh || fw > CMDLINE_DIM_MAX || fh > CMDLINE_DIM_MAX))
		abort();

	/* the first half signed, the rest from the ESP, into a small buffer */
	enum { MERGE_CAP = 64 };
	char out[MERGE_CAP];
	uint32_t half = (uint32_t)size / 2;
	uint32_t n = cmdline_merge_signed(s, half, s + half, (uint32_t)size - half, out,
					  sizeof(out), NULL, NULL);
	if (n >= sizeof(out) || out[n] != '\0')
		abort();
	return 0;
}
