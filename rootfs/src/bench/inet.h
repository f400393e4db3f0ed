/* SPDX-License-Identifier: MIT */
/* The loopback sockets of the network benchmarks (tcp_stream, tcp_rr, tcp_connect, udp_rr). */
#ifndef ROOTFS_BENCH_INET_H
#define ROOTFS_BENCH_INET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "bench.h"

/*
 * Every socket is on 127.0.0.1 with a port the kernel picks (bind to port
 * 0, then getsockname), so runs never collide with each other or with a
 * port left in TIME_WAIT by the run before. Nothing leaves the guest.
 */

/* in_socket: a socket of type (SOCK_STREAM, SOCK_DGRAM) bound to 127.0.0.1 and a
 * free port, its address in *addr. Fails the benchmark on any error. */
static inline int in_socket(int type, struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		b_fail("socket");
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) != 0)
		b_fail("bind 127.0.0.1");
	if (getsockname(fd, (struct sockaddr *)addr, &len) != 0)
		b_fail("getsockname");
	return fd;
}

/* tcp_listener: a listening TCP socket on 127.0.0.1, its address in *addr. */
static inline int tcp_listener(struct sockaddr_in *addr)
{
	int fd = in_socket(SOCK_STREAM, addr);

	if (listen(fd, 16) != 0)
		b_fail("listen");
	return fd;
}

/* tcp_dial: a new TCP socket connected to addr (TCP_NODELAY when nodelay). */
static inline int tcp_dial(const struct sockaddr_in *addr, int nodelay)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		b_fail("socket");
	if (nodelay && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay)) != 0)
		b_fail("setsockopt TCP_NODELAY");
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0)
		b_fail("connect 127.0.0.1");
	return fd;
}

/* tcp_pair: a connected pair over 127.0.0.1, *client and *server (accepted), both
 * TCP_NODELAY when nodelay; the listener is closed again. */
static inline void tcp_pair(int *client, int *server, int nodelay)
{
	struct sockaddr_in addr;
	int l = tcp_listener(&addr);

	*client = tcp_dial(&addr, nodelay);
	*server = accept(l, NULL, NULL);
	if (*server < 0)
		b_fail("accept");
	if (nodelay && setsockopt(*server, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay)) != 0)
		b_fail("setsockopt TCP_NODELAY");
	close(l);
}

/* The peer of a request-response benchmark: echo every 1-byte message on fd
 * until end of file or the message IN_QUIT (UDP has no end of file), then exit 0. */
#define IN_QUIT 'q'
static inline void __attribute__((noreturn)) in_echo(int fd)
{
	char c;
	ssize_t r;

	while ((r = read(fd, &c, 1)) == 1 && c != IN_QUIT)
		if (write(fd, &c, 1) != 1)
			_exit(3);
	_exit(r >= 0 ? 0 : 4);
}

/* One round trip from the timing side: send a byte on fd, wait for it to come back. */
static inline void in_round_trip(int fd)
{
	char c = 'p';

	if (write(fd, &c, 1) != 1)
		b_fail("write");
	if (read(fd, &c, 1) != 1)
		b_fail("read");
}

#endif
