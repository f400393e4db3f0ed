// SPDX-License-Identifier: MIT
// page_fault: map 64 MiB of anonymous memory and write one byte to every page; ns per page.
#include <sys/mman.h>
#include "bench.h"

#define REGION (64UL << 20)
#define PAGE 4096UL

/*
 * The argument is how many times to map, touch and unmap the region; only
 * the touching is timed. Each first write is a fault that allocates and
 * zeroes a 4 KiB page. Linux would otherwise back the region with 2 MiB
 * transparent huge pages (Debian's kernel has THP "always"), one fault per
 * 512 pages: MADV_NOHUGEPAGE asks for the 4 KiB path both kernels take.
 * A kernel without madvise is fine: its error is ignored.
 */
int main(int argc, char **argv)
{
	long n = b_begin("page_fault", argc, argv, 2);
	long long ns = 0;

	for (long r = 0; r < n; r++) {
		volatile char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			b_fail("mmap 64 MiB");
		(void)madvise((void *)p, REGION, MADV_NOHUGEPAGE);
		long long t0 = b_now();
		for (unsigned long off = 0; off < REGION; off += PAGE)
			p[off] = 1;
		ns += b_now() - t0;
		if (munmap((void *)p, REGION) != 0)
			b_fail("munmap");
	}
	b_report(ns, n * (long)(REGION / PAGE), "ns");
	return 0;
}
