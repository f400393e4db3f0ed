// SPDX-License-Identifier: MIT
// tcp_rr: two processes bounce one byte over a TCP connection on 127.0.0.1, us per round trip.
#include "inet.h"

int main(int argc, char **argv)
{
	long n = b_begin("tcp_rr", argc, argv, 10000);
	int client, server;

	tcp_pair(&client, &server, 1);
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		close(client);
		in_echo(server);
	}
	close(server);
	for (int i = 0; i < 100; i++)
		in_round_trip(client);
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		in_round_trip(client);
	long long ns = b_now() - t0;
	close(client);	/* the child reads end of file and exits 0 */
	b_wait(pid, "echo child");
	b_report(ns, n, "us");
	return 0;
}
