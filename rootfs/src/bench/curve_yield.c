// SPDX-License-Identifier: MIT
// curve_yield: N processes all runnable, each calling sched_yield; ns per switch.
#include <sched.h>
#include <sys/mman.h>
#include "curve.h"

#define MAX_N 1000
#define MIN_YIELDS 50 /* per process: the one blocking read after them stays small */

/*
 * The parent forks N children; each blocks reading the start pipe, so none
 * runs before all exist. The parent notes the time and closes the pipe's
 * write end: every child wakes (EOF) and calls sched_yield K times, each
 * call a switch to the next runnable child; then it writes its end time
 * into shared memory and blocks on the hold pipe. The last one to finish
 * wakes the parent through the done pipe. Per switch: (latest end - start)
 * / (N * K). K = ITERATIONS / N, at least MIN_YIELDS.
 */
struct shared {
	long long end[MAX_N];
	int finished;
};

static void child(struct shared *sh, int idx, long n, long k, int start, int hold, int done)
{
	char c;

	if (read(start, &c, 1) != 0)
		_exit(3);
	for (long i = 0; i < k; i++)
		sched_yield();
	sh->end[idx] = b_now();
	if (__atomic_add_fetch(&sh->finished, 1, __ATOMIC_SEQ_CST) == n && write(done, "x", 1) != 1)
		_exit(4);
	(void)read(hold, &c, 1); /* until the parent closes the hold pipe */
	_exit(0);
}

/* Fork the N children; returns their pids in pids. */
static void spawn(struct shared *sh, long n, long k, int start[2], int hold[2], int done[2],
		  pid_t *pids)
{
	for (long i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			b_fail("fork");
		if (pids[i] == 0) {
			close(start[1]);
			close(hold[1]);
			close(done[0]);
			child(sh, (int)i, n, k, start[0], hold[0], done[1]);
		}
	}
}

int main(int argc, char **argv)
{
	long n, iters = c_begin("curve_yield", argc, argv, &n);
	static pid_t pids[MAX_N];
	int start[2], hold[2], done[2];
	char c;

	if (n > MAX_N) {
		b_line("bench-error curve_yield N %ld above %d", n, MAX_N);
		return 1;
	}
	long k = iters / n < MIN_YIELDS ? MIN_YIELDS : iters / n;
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		b_fail("mmap shared");
	if (pipe(start) != 0 || pipe(hold) != 0 || pipe(done) != 0)
		b_fail("pipe");
	spawn(sh, n, k, start, hold, done, pids);
	close(start[0]);
	close(hold[0]);
	close(done[1]);
	long long t0 = b_now();
	close(start[1]); /* go */
	if (read(done[0], &c, 1) != 1)
		b_fail("read done");
	long long t1 = 0;
	for (long i = 0; i < n; i++)
		t1 = sh->end[i] > t1 ? sh->end[i] : t1;
	close(hold[1]);
	for (long i = 0; i < n; i++)
		b_wait(pids[i], "child");
	c_report("yield_runnable", n, t1 - t0, n * k);
	return 0;
}
