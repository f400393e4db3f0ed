// SPDX-License-Identifier: MIT
/*
 * offload_off DEV: turn off GRO, GSO and TSO on a Linux network device
 * (ethtool -K DEV gro off gso off tso off, for a guest without ethtool).
 *
 * packetdrill's wire server sniffs the wire with a packet socket, which
 * sees what the receive path made of the frames: with GRO on, two
 * 1000-byte segments arrive as one of 2000 and no script matches them.
 * Off on the wire client's side too (the Linux one), so both kernels under
 * test put segments of at most one MSS on the wire, as Kestrel does.
 * Prints one line per feature (off, absent, or the error); exit status 1
 * if one the device has could not be turned off.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct { unsigned int cmd; const char *name; } features[] = {
	{ ETHTOOL_SGRO, "gro" }, { ETHTOOL_SGSO, "gso" }, { ETHTOOL_STSO, "tso" },
};

/* Set one feature of dev off through SIOCETHTOOL: 0, or -1 with errno. */
static int feature_off(int fd, const char *dev, unsigned int cmd)
{
	struct ethtool_value v = { .cmd = cmd, .data = 0 };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	ifr.ifr_data = (void *)&v;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

int main(int argc, char **argv)
{
	int fd, bad = 0;

	if (argc != 2 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: offload_off DEV\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("offload_off: socket");
		return 1;
	}
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		int r = feature_off(fd, argv[1], features[i].cmd);
		bool absent = r && errno == EOPNOTSUPP; /* the device never had it */
		printf("offload_off: %s %s %s\n", argv[1], features[i].name,
		       !r ? "off" : absent ? "absent" : strerror(errno));
		bad |= r && !absent;
	}
	close(fd);
	return bad;
}
