// SPDX-License-Identifier: MIT
// A router advertisement sender for a test wire: a Linux guest plays the IPv6 router with it (the kernel sends no RA itself, and radvd is not in the peer's initramfs).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 *   t-radvsend IFNAME PREFIX[,PREFIX...] COUNT [LIFETIME]
 *
 * Sends COUNT router advertisements, one a second, to ff02::1 on IFNAME
 * from its link-local address (the kernel chooses it): hop limit 64,
 * router lifetime LIFETIME s (1800 by default; 0 says "not a default
 * router"), a source link-layer option with IFNAME's MAC, an MTU option
 * of 1500 and a prefix information option for each PREFIX (up to
 * four), PREFIX/64 on-link and autonomous, valid 86400 s, preferred 14400 s. A send that fails (the
 * link-local address still in DAD) is tried again the next second. The
 * kernel fills the ICMPv6 checksum (RFC 3542, a raw ICMPv6 socket); the
 * hop limit is 255, as RFC 4861 wants of every ND message. A static
 * program: it runs on Kestrel's rootfs and in the Linux peer alike.
 */

#define RA_HOPLIMIT  64
#define RA_MTU       1500
#define PI_VALID     86400
#define PI_PREFERRED 14400
#define ND_HOPS      255
#define PREFIX_MAX   4

struct ra {
	struct nd_router_advert h;
	uint8_t sll[8];
	struct nd_opt_mtu mtu;
	struct nd_opt_prefix_info pi[PREFIX_MAX];
} __attribute__((packed));

static int read_mac(const char *ifname, uint8_t mac[6])
{
	char path[128];
	unsigned m[6];
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int n = fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
	fclose(f);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return n == 6 ? 0 : -1;
}

/* The RA's length with n prefix options. */
static size_t ra_len(int n)
{
	return sizeof(struct ra) - (size_t)(PREFIX_MAX - n) * sizeof(struct nd_opt_prefix_info);
}

static void build(struct ra *ra, const uint8_t mac[6], const struct in6_addr *prefix, int n, unsigned lifetime)
{
	memset(ra, 0, sizeof(*ra));
	ra->h.nd_ra_type = ND_ROUTER_ADVERT;
	ra->h.nd_ra_curhoplimit = RA_HOPLIMIT;
	ra->h.nd_ra_router_lifetime = htons((uint16_t)lifetime);
	ra->sll[0] = ND_OPT_SOURCE_LINKADDR;
	ra->sll[1] = 1;
	memcpy(ra->sll + 2, mac, 6);
	ra->mtu.nd_opt_mtu_type = ND_OPT_MTU;
	ra->mtu.nd_opt_mtu_len = 1;
	ra->mtu.nd_opt_mtu_mtu = htonl(RA_MTU);
	for (int i = 0; i < n; i++) {
		struct nd_opt_prefix_info pi = { .nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION, .nd_opt_pi_len = 4,
						 .nd_opt_pi_prefix_len = 64,
						 .nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO,
						 .nd_opt_pi_valid_time = htonl(PI_VALID),
						 .nd_opt_pi_preferred_time = htonl(PI_PREFERRED), .nd_opt_pi_prefix = prefix[i] };
		memcpy((uint8_t *)ra + offsetof(struct ra, pi) + (size_t)i * sizeof(pi), &pi, sizeof(pi));
	}
}

/* The comma-separated prefixes of s into p: how many, or -1 for a bad one. */
static int parse_prefixes(char *s, struct in6_addr *p)
{
	int n = 0;
	for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
		if (n == PREFIX_MAX || inet_pton(AF_INET6, t, &p[n]) != 1)
			return -1;
		n++;
	}
	return n ? n : -1;
}

int main(int argc, char **argv)
{
	struct in6_addr prefix[PREFIX_MAX];
	uint8_t mac[6];
	struct ra ra;
	int np = argc >= 4 ? parse_prefixes(argv[2], prefix) : -1;
	if (np < 0) {
		fprintf(stderr, "usage: %s IFNAME PREFIX[,PREFIX...] COUNT [LIFETIME]\n", argv[0]);
		return 2;
	}
	unsigned ifindex = if_nametoindex(argv[1]);
	int count = atoi(argv[3]);
	unsigned lifetime = argc > 4 ? (unsigned)atoi(argv[4]) : 1800;
	if (!ifindex || read_mac(argv[1], mac)) {
		fprintf(stderr, "radvsend: no interface %s\n", argv[1]);
		return 1;
	}
	int s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	int hops = ND_HOPS, loop = 0;
	if (s < 0 || setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop))) {
		perror("radvsend: socket");
		return 1;
	}
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = ifindex };
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	build(&ra, mac, prefix, np, lifetime);
	int sent = 0;
	for (int i = 0; i < count; i++) {
		if (sendto(s, &ra, ra_len(np), 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)ra_len(np))
			sent++;
		if (i + 1 < count)
			sleep(1);
	}
	printf("radvsend: %d of %d sent\n", sent, count);
	return sent ? 0 : 1;
}
