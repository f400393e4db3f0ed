// SPDX-License-Identifier: MIT
// pipe_xcpu: pipe_pingpong with the two processes pinned to different CPUs; us per round trip.
#include "smp.h"
#include "pipe_trip.h"

/*
 * bench-pipe_xcpu ITERATIONS: the parent pins itself to the first CPU it
 * may use, the child to the second, and they bounce one byte over two
 * pipes: every round trip is two cross-CPU wake-ups. On one CPU it says
 * bench-error (smp_two_cpus).
 */

int main(int argc, char **argv)
{
	long n = b_begin("pipe_xcpu", argc, argv, 2000);
	int ping[2], pong[2], a, b;

	smp_two_cpus(&a, &b);
	smp_pin(a);
	if (pipe(ping) != 0 || pipe(pong) != 0)
		b_fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		smp_pin(b);
		close(ping[1]);
		close(pong[0]);
		echo(ping[0], pong[1]);
	}
	close(ping[0]);
	close(pong[1]);
	long long ns = timed_trips(ping[1], pong[0], n);
	close(ping[1]);	/* the child sees end of file and exits 0 */
	b_wait(pid, "echo child (3 write, 4 read, 1 pinning failed)");
	b_report(ns, n, "us");
	return 0;
}
