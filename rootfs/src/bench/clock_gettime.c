// SPDX-License-Identifier: MIT
// clock_gettime: the cost of reading CLOCK_MONOTONIC through libc (musl calls the vDSO when
// the kernel maps one, else makes the system call), in ns per call.
#include "bench.h"

int main(int argc, char **argv)
{
	struct timespec ts;
	long n = b_begin("clock_gettime", argc, argv, 100000);

	for (int i = 0; i < 1000; i++)	/* warm the path (and musl's vDSO lookup) */
		clock_gettime(CLOCK_MONOTONIC, &ts);
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			b_fail("clock_gettime");
	b_report(b_now() - t0, n, "ns");
	return 0;
}
