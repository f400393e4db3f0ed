// SPDX-License-Identifier: MIT
// pipe_pingpong: two processes bounce one byte over two pipes, us per round trip.
#include "pipe_trip.h"

int main(int argc, char **argv)
{
	long n = b_begin("pipe_pingpong", argc, argv, 10000);
	int ping[2], pong[2];

	if (pipe(ping) != 0 || pipe(pong) != 0)
		b_fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		echo(ping[0], pong[1]);
	}
	close(ping[0]);
	close(pong[1]);
	for (int i = 0; i < 100; i++)
		round_trip(ping[1], pong[0]);
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		round_trip(ping[1], pong[0]);
	long long ns = b_now() - t0;
	close(ping[1]);	/* the child sees end of file and exits 0 */
	b_wait(pid, "echo child");
	b_report(ns, n, "us");
	return 0;
}
