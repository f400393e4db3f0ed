// SPDX-License-Identifier: MIT
// An HTTP/1.0 fetch whose reads time out (SO_RCVTIMEO): how the network tests see a connection whose interface went away end in an error rather than a hang (busybox wget's -T crashes).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/*
 *   t-httpget ADDR PORT PATH TIMEOUT_S
 *
 * Connects to ADDR:PORT (IPv4), sends "GET PATH HTTP/1.0", and reads
 * the answer (headers and body, thrown away) with a receive timeout of
 * TIMEOUT_S seconds. Prints one line: "httpget: eof after N bytes"
 * (status 0) or "httpget: ERROR (errno E) after N bytes" (status 1) when
 * a read fails, its timeout included (EAGAIN, as Linux's SO_RCVTIMEO
 * gives it); status 2 for bad arguments or a failed connect.
 */
#define BUF 65536

static int usage(void)
{
	fprintf(stderr, "usage: t-httpget ADDR PORT PATH TIMEOUT_S\n");
	return 2;
}

/* A TCP connection to addr:port with reads timing out after secs; -1 on failure (said). */
static int dial(const char *addr, int port, int secs)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = secs };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		printf("httpget: connect: %s (errno %d)\n", strerror(errno), errno);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[BUF];
	unsigned long long got = 0;

	if (argc != 5 || atoi(argv[2]) <= 0 || atoi(argv[4]) <= 0)
		return usage();
	int fd = dial(argv[1], atoi(argv[2]), atoi(argv[4]));
	if (fd < 0)
		return 2;
	int n = snprintf(buf, sizeof(buf), "GET %s HTTP/1.0\r\n\r\n", argv[3]);
	if (write(fd, buf, (size_t)n) != n) {
		printf("httpget: write: %s (errno %d)\n", strerror(errno), errno);
		return 2;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r == 0) {
			printf("httpget: eof after %llu bytes\n", got);
			return 0;
		}
		if (r < 0) {
			printf("httpget: %s (errno %d) after %llu bytes\n", strerror(errno), errno, got);
			return 1;
		}
		got += (unsigned long long)r;
	}
}
