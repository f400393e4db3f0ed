// SPDX-License-Identifier: MIT
// unix_pingpong: two processes bounce one byte over an AF_UNIX stream socketpair, us per round trip.
#include <sys/socket.h>
#include "pipe_trip.h"

int main(int argc, char **argv)
{
	long n = b_begin("unix_pingpong", argc, argv, 10000);
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		b_fail("socketpair");
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		close(sv[0]);
		echo(sv[1], sv[1]);
	}
	close(sv[1]);
	long long ns = timed_trips(sv[0], sv[0], n);
	close(sv[0]);	/* the child sees end of file and exits 0 */
	b_wait(pid, "echo child");
	b_report(ns, n, "us");
	return 0;
}
