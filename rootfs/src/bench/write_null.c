// SPDX-License-Identifier: MIT
// write_null: write one byte to /dev/null (file descriptor lookup, device write), ns per call.
#include <fcntl.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = b_begin("write_null", argc, argv, 100000);
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0)
		b_fail("open /dev/null");
	char c = 'x';
	for (int i = 0; i < 1000; i++)	/* warm the path */
		if (write(fd, &c, 1) != 1)
			b_fail("write /dev/null");
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		if (write(fd, &c, 1) != 1)
			b_fail("write /dev/null");
	b_report(b_now() - t0, n, "ns");
	return 0;
}
