// SPDX-License-Identifier: MIT
// tcp_connect: socket + connect to a listener on 127.0.0.1 + accept + close of both ends,
// us per connection.
#include "inet.h"

/*
 * One process plays both sides: on the loopback a connect completes
 * without the listener's process running (the connection waits in the
 * accept queue), so the figure is the connection's own cost, with no
 * switches between processes in it. The client closes first, as an HTTP
 * client does, so its end is the one left in TIME_WAIT; the kernel picks
 * a fresh ephemeral port each time.
 */
int main(int argc, char **argv)
{
	long n = b_begin("tcp_connect", argc, argv, 1000);
	struct sockaddr_in addr;
	int l = tcp_listener(&addr);
	long long t0 = 0;

	for (long i = -20; i < n; i++) {	/* twenty warm-up rounds */
		if (i == 0)
			t0 = b_now();
		int c = tcp_dial(&addr, 0);
		int a = accept(l, NULL, NULL);
		if (a < 0)
			b_fail("accept");
		if (close(c) != 0 || close(a) != 0)
			b_fail("close");
	}
	long long ns = b_now() - t0;
	close(l);
	b_report(ns, n, "us");
	return 0;
}
