// SPDX-License-Identifier: MIT
// curve_mmap: mmap + munmap of one page while N other mappings are live, ns per pair.
#include <sys/mman.h>
#include "curve.h"

#define PAGE 4096L

int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_mmap", argc, argv, &n);

	/* N live one-page mappings; alternating protections keep neighbours
	 * from merging into one region (Linux would merge equal ones). */
	for (long i = 0; i < n; i++) {
		int prot = i % 2 ? PROT_READ : PROT_READ | PROT_WRITE;
		if (mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			b_fail("mmap (live)");
	}
	long long t0 = b_now();
	for (long i = 0; i < iters; i++) {
		void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			b_fail("mmap");
		if (munmap(p, PAGE) != 0)
			b_fail("munmap");
	}
	c_report("mmap_munmap", n, b_now() - t0, iters);
	return 0;
}
