// SPDX-License-Identifier: MIT
// One UDP datagram over IPv6, sent or received: busybox's nc here has no -u, and the IPv6 boot test needs both ways on Kestrel and on its Linux peer.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 *   t-udp6 send ADDR[%IF] PORT TEXT [COUNT]   TEXT to ADDR:PORT, COUNT times (1),
 *                                             half a second apart
 *   t-udp6 recv PORT SECONDS                  bind [::]:PORT, wait up to SECONDS
 *                                             for one datagram; print
 *                                             "udp6: from ADDR PORT: TEXT"
 *
 * Exit status 0 when every send went, or a datagram came; 1 otherwise.
 * A static program: it runs on Kestrel's rootfs and in the Linux peer alike.
 */

static int send_mode(const char *host, const char *port, const char *text, int count)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port)) };
	char addr[64];
	snprintf(addr, sizeof(addr), "%s", host);
	char *pct = strchr(addr, '%');
	if (pct) {
		*pct = 0;
		to.sin6_scope_id = if_nametoindex(pct + 1);
	}
	if (inet_pton(AF_INET6, addr, &to.sin6_addr) != 1) {
		fprintf(stderr, "udp6: not an IPv6 address: %s\n", host);
		return 1;
	}
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("udp6: socket");
		return 1;
	}
	int sent = 0;
	for (int i = 0; i < count; i++) {
		if (sendto(s, text, strlen(text), 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)strlen(text))
			sent++;
		else
			perror("udp6: sendto");
		if (i + 1 < count)
			usleep(500000);
	}
	return sent == count ? 0 : 1;
}

static int recv_mode(const char *port, int seconds)
{
	struct sockaddr_in6 me = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port)) };
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&me, sizeof(me))) {
		perror("udp6: bind");
		return 1;
	}
	struct pollfd p = { .fd = s, .events = POLLIN };
	if (poll(&p, 1, seconds * 1000) != 1) {
		fprintf(stderr, "udp6: nothing in %d s\n", seconds);
		return 1;
	}
	char buf[512], from[INET6_ADDRSTRLEN];
	struct sockaddr_in6 src;
	socklen_t sl = sizeof(src);
	ssize_t n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&src, &sl);
	if (n < 0) {
		perror("udp6: recvfrom");
		return 1;
	}
	buf[n] = 0;
	inet_ntop(AF_INET6, &src.sin6_addr, from, sizeof(from));
	printf("udp6: from %s %u: %s\n", from, ntohs(src.sin6_port), buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "send"))
		return send_mode(argv[2], argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 1);
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return recv_mode(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: %s send ADDR[%%IF] PORT TEXT [COUNT] | recv PORT SECONDS\n", argv[0]);
	return 2;
}
