// SPDX-License-Identifier: MIT
/*
 * Kestrel: the typed-input sink (dev/input.h). Lock rule: the sink is
 * written once at boot and read with an atomic load, from any context.
 */
#include "dev/input.h"

static input_sink_fn sink;

void input_set_sink(input_sink_fn fn)
{
	__atomic_store_n(&sink, fn, __ATOMIC_RELEASE);
}

void input_push(const char *s, size_t n)
{
	input_sink_fn fn = __atomic_load_n(&sink, __ATOMIC_ACQUIRE);

	if (fn && n)
		fn(s, n);
}
