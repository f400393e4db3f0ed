// SPDX-License-Identifier: MIT
// null_syscall: the cost of the cheapest system call, getppid(), in ns per call.
#include "bench.h"

int main(int argc, char **argv)
{
	long n = b_begin("null_syscall", argc, argv, 100000);

	for (int i = 0; i < 1000; i++)	/* warm the path */
		getppid();
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		getppid();
	b_report(b_now() - t0, n, "ns");
	return 0;
}
