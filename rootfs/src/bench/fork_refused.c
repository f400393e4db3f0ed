// SPDX-License-Identifier: MIT
// fork_refused: a fork refused at RLIMIT_NPROC, by a process with 16 MiB of memory touched; ns per fork.
#include "bench.h"
#include <sys/mman.h>
#include <sys/resource.h>

/*
 * The process touches MAPPED_BYTES of anonymous memory, lowers its
 * RLIMIT_NPROC to 1 and forks again and again: each fork must fail with
 * EAGAIN. A refusal's cost tells whether the kernel checks the limit
 * before it copies the address space (Linux's copy_process does, before
 * copy_mm) or after. Linux exempts root from RLIMIT_NPROC, so there a
 * root's fork succeeds and bench-error says so; Kestrel holds root to it
 * (proc/process.h).
 */
#define MAPPED_BYTES (16L << 20)
#define PAGE 4096L

int main(int argc, char **argv)
{
	long n = b_begin("fork_refused", argc, argv, 200);
	struct rlimit one = { 1, 1 };
	char *m = mmap(NULL, MAPPED_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long long t0 = 0;

	if (m == MAP_FAILED)
		b_fail("mmap");
	for (long off = 0; off < MAPPED_BYTES; off += PAGE)
		m[off] = 1;
	if (setrlimit(RLIMIT_NPROC, &one) != 0)
		b_fail("setrlimit");
	for (long i = -10; i < n; i++) {	/* ten warm-up rounds */
		if (i == 0)
			t0 = b_now();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			b_wait(pid, "child");
			b_line("bench-error fork_refused a fork at RLIMIT_NPROC 1 succeeded (root is exempt on Linux)");
			return 1;
		}
		if (errno != EAGAIN)
			b_fail("fork");
	}
	b_report(b_now() - t0, n, "ns");
	return 0;
}
