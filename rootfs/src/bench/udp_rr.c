// SPDX-License-Identifier: MIT
// udp_rr: two processes bounce a 1-byte datagram between two connected UDP sockets on
// 127.0.0.1, us per round trip.
#include "inet.h"

int main(int argc, char **argv)
{
	long n = b_begin("udp_rr", argc, argv, 10000);
	struct sockaddr_in a_addr, b_addr;
	int a = in_socket(SOCK_DGRAM, &a_addr);
	int b = in_socket(SOCK_DGRAM, &b_addr);

	/* Connected both ways: plain read and write, and no stray datagram gets in. */
	if (connect(a, (struct sockaddr *)&b_addr, sizeof(b_addr)) != 0 ||
	    connect(b, (struct sockaddr *)&a_addr, sizeof(a_addr)) != 0)
		b_fail("connect");
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		close(a);
		in_echo(b);	/* until IN_QUIT */
	}
	close(b);
	for (int i = 0; i < 100; i++)
		in_round_trip(a);
	long long t0 = b_now();
	for (long i = 0; i < n; i++)
		in_round_trip(a);
	long long ns = b_now() - t0;
	if (write(a, &(char){ IN_QUIT }, 1) != 1)
		b_fail("write (the end)");
	b_wait(pid, "echo child");
	b_report(ns, n, "us");
	return 0;
}
