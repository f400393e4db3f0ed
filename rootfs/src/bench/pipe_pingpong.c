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
	long long ns = timed_trips(ping[1], pong[0], n);
	close(ping[1]);	/* the child sees end of file and exits 0 */
	b_wait(pid, "echo child");
	b_report(ns, n, "us");
	return 0;
}
