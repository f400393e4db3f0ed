// SPDX-License-Identifier: MIT
// Network interfaces as programs see them: the SIOC* interface ioctls on a socket and /sys/class/net, checked against Linux 6.1.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "checks.h"

/*
 * What ifconfig, route, arp and the C library's if_nametoindex,
 * if_indextoname and getifaddrs' fallbacks ask (netdevice(7), rtnetlink
 * aside), and the files of /sys/class/net (sysfs-class-net). lo is there
 * on every machine, up, with 127.0.0.1/8, so most checks are about lo;
 * the changes are only asked in ways that change nothing (a value the
 * device has, or one refused before anything is done), so that the
 * program can run as root on the build machine too.
 */
#define LO_INDEX       1
#define LO_MTU         65536
#define LO_TXQLEN      1000
#define NO_SUCH_IF     "nosuch0"
#define NO_SUCH_INDEX  999999
#define IFC_MAX        64
#define NOBODY         65534
#define TEXT_MAX       256
#define SYS_NET        "/sys/class/net"

/* An AF_INET datagram socket, as ifconfig opens; -1 if there is none. */
static int inet_fd(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static struct ifreq req_for(const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	return ifr;
}

static uint32_t sin_addr_of(const struct sockaddr *sa)
{
	return ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
}

/* ioctl(fd, req, &ifr) for the interface name: 0, or -1 with errno. */
static int if_ioctl(int fd, unsigned long req, const char *name, struct ifreq *ifr)
{
	*ifr = req_for(name);
	return ioctl(fd, req, ifr);
}

/* A file's text into buf (without its last newline): its length, or -1 with errno. */
static int read_text(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	buf[n] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return (int)n;
}

/* /sys/class/net/IF/FILE must read as want. */
static int want_sys(const char *ifname, const char *file, const char *want)
{
	char path[128], got[TEXT_MAX];

	snprintf(path, sizeof(path), SYS_NET "/%s/%s", ifname, file);
	if (read_text(path, got, sizeof(got)) < 0)
		return fail("%s: %s", path, errname(errno));
	if (strcmp(got, want))
		return fail("%s: \"%s\", want \"%s\"", path, got, want);
	return CHECK_OK;
}

/* Does this process have CAP_NET_ADMIN (bit 12 of CapEff; without that
 * line in /proc/self/status, is it root)? */
static int net_admin(void)
{
	char line[TEXT_MAX];
	unsigned long long eff = 0;
	int found = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	if (f)
		fclose(f);
	return found ? (int)((eff >> 12) & 1) : geteuid() == 0;
}

/* ---- SIOCGIFCONF ---------------------------------------------------------------- */

static int check_ifconf_length(void)
{
	int fd = inet_fd();
	struct ifconf ifc = { .ifc_len = 12345, .ifc_buf = NULL };

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	int r = ioctl(fd, SIOCGIFCONF, &ifc);
	close(fd);
	if (r)
		return fail("SIOCGIFCONF with no buffer: %s", errname(errno));
	if (ifc.ifc_len < (int)sizeof(struct ifreq) || ifc.ifc_len % sizeof(struct ifreq))
		return fail("ifc_len %d: want a multiple of %zu, at least one", ifc.ifc_len, sizeof(struct ifreq));
	remark("%d bytes (%zu addresses)", ifc.ifc_len, ifc.ifc_len / sizeof(struct ifreq));
	return CHECK_OK;
}

/* The list into reqs: the entry count, or -1 (reason in c_why). */
static int ifconf_list(int fd, struct ifreq *reqs, int max)
{
	struct ifconf ifc = { .ifc_len = max * (int)sizeof(struct ifreq), .ifc_req = reqs };

	memset(reqs, 0xa5, (size_t)max * sizeof(*reqs));
	if (ioctl(fd, SIOCGIFCONF, &ifc))
		return fail("SIOCGIFCONF: %s", errname(errno)), -1;
	return ifc.ifc_len / (int)sizeof(struct ifreq);
}

static int check_ifconf_lo(void)
{
	struct ifreq reqs[IFC_MAX];
	int fd = inet_fd();

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	int n = ifconf_list(fd, reqs, IFC_MAX);
	close(fd);
	if (n < 0)
		return CHECK_FAIL;
	for (int i = 0; i < n; i++)
		if (strcmp(reqs[i].ifr_name, "lo") == 0) {
			if (reqs[i].ifr_addr.sa_family != AF_INET)
				return fail("lo's entry: family %u", reqs[i].ifr_addr.sa_family);
			if (sin_addr_of(&reqs[i].ifr_addr) != INADDR_LOOPBACK)
				return fail("lo's entry: %08x, want 127.0.0.1", sin_addr_of(&reqs[i].ifr_addr));
			remark("%d entries, lo at %d", n, i);
			return CHECK_OK;
		}
	return fail("no entry for lo among %d", n);
}

/* Each entry's address is what SIOCGIFADDR says for its name. */
static int check_ifconf_matches(void)
{
	struct ifreq reqs[IFC_MAX], ifr;
	int fd = inet_fd(), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	int n = ifconf_list(fd, reqs, IFC_MAX);
	for (int i = 0; i < n && r == CHECK_OK; i++) {
		if (if_ioctl(fd, SIOCGIFADDR, reqs[i].ifr_name, &ifr))
			r = fail("SIOCGIFADDR %s: %s", reqs[i].ifr_name, errname(errno));
		else if (sin_addr_of(&ifr.ifr_addr) != sin_addr_of(&reqs[i].ifr_addr) &&
			 sin_addr_of(&ifr.ifr_addr) == 0)
			r = fail("SIOCGIFADDR %s: 0.0.0.0, SIOCGIFCONF %08x", reqs[i].ifr_name,
				 sin_addr_of(&reqs[i].ifr_addr));
	}
	close(fd);
	return n < 0 ? CHECK_FAIL : r;
}

/* A buffer too short for one entry gets none; a bad one is EFAULT. */
static int check_ifconf_short_and_bad(void)
{
	struct ifreq one[1];
	struct ifconf ifc = { .ifc_len = sizeof(struct ifreq) - 1, .ifc_req = one };
	int fd = inet_fd(), r;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	if (ioctl(fd, SIOCGIFCONF, &ifc) || ifc.ifc_len != 0)
		r = fail("a 39-byte buffer: ifc_len %d (%s), want 0", ifc.ifc_len, errname(errno));
	else {
		ifc = (struct ifconf){ .ifc_len = sizeof(one), .ifc_buf = (char *)8 };
		errno = 0;
		r = want_err("SIOCGIFCONF into address 8", ioctl(fd, SIOCGIFCONF, &ifc), EFAULT);
	}
	if (r == CHECK_OK) {
		errno = 0;
		r = want_err("SIOCGIFCONF with a NULL ifconf", ioctl(fd, SIOCGIFCONF, NULL), EFAULT);
	}
	close(fd);
	return r;
}

/* ---- one interface's requests ------------------------------------------------------ */

static int check_index_and_name(void)
{
	struct ifreq ifr;
	int fd = inet_fd(), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	if (if_ioctl(fd, SIOCGIFINDEX, "lo", &ifr))
		r = fail("SIOCGIFINDEX lo: %s", errname(errno));
	else if (ifr.ifr_ifindex != LO_INDEX)
		r = fail("SIOCGIFINDEX lo: %d, want %d", ifr.ifr_ifindex, LO_INDEX);
	ifr = req_for("");
	ifr.ifr_ifindex = LO_INDEX;
	if (r == CHECK_OK && ioctl(fd, SIOCGIFNAME, &ifr))
		r = fail("SIOCGIFNAME 1: %s", errname(errno));
	else if (r == CHECK_OK && strcmp(ifr.ifr_name, "lo"))
		r = fail("SIOCGIFNAME 1: \"%.16s\", want lo", ifr.ifr_name);
	if (r == CHECK_OK && (if_nametoindex("lo") != LO_INDEX))
		r = fail("if_nametoindex(lo): %u", if_nametoindex("lo"));
	close(fd);
	return r;
}

static int check_flags_lo(void)
{
	struct ifreq ifr;
	int fd = inet_fd();

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	int r = if_ioctl(fd, SIOCGIFFLAGS, "lo", &ifr);
	close(fd);
	if (r)
		return fail("SIOCGIFFLAGS lo: %s", errname(errno));
	unsigned short f = (unsigned short)ifr.ifr_flags;
	if (f != (IFF_UP | IFF_LOOPBACK | IFF_RUNNING))
		return fail("SIOCGIFFLAGS lo: %#x, want %#x (UP|LOOPBACK|RUNNING)", f,
			    IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	return CHECK_OK;
}

static int check_values_lo(void)
{
	struct ifreq ifr;
	int fd = inet_fd(), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	if (if_ioctl(fd, SIOCGIFMTU, "lo", &ifr) || ifr.ifr_mtu != LO_MTU)
		r = fail("SIOCGIFMTU lo: %d (%s), want %d", ifr.ifr_mtu, errname(errno), LO_MTU);
	else if (if_ioctl(fd, SIOCGIFTXQLEN, "lo", &ifr) || ifr.ifr_qlen != LO_TXQLEN)
		r = fail("SIOCGIFTXQLEN lo: %d (%s), want %d", ifr.ifr_qlen, errname(errno), LO_TXQLEN);
	else if (if_ioctl(fd, SIOCGIFMETRIC, "lo", &ifr) || ifr.ifr_metric != 0)
		r = fail("SIOCGIFMETRIC lo: %d (%s), want 0", ifr.ifr_metric, errname(errno));
	else if (if_ioctl(fd, SIOCGIFMAP, "lo", &ifr) || ifr.ifr_map.irq || ifr.ifr_map.base_addr)
		r = fail("SIOCGIFMAP lo: irq %u base %#x (%s), want 0", ifr.ifr_map.irq, ifr.ifr_map.base_addr,
			 errname(errno));
	close(fd);
	return r;
}

static int check_hwaddr_lo(void)
{
	static const unsigned char zeros[6];
	struct ifreq ifr;
	int fd = inet_fd();

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	int r = if_ioctl(fd, SIOCGIFHWADDR, "lo", &ifr);
	close(fd);
	if (r)
		return fail("SIOCGIFHWADDR lo: %s", errname(errno));
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK)
		return fail("SIOCGIFHWADDR lo: family %u, want %u (ARPHRD_LOOPBACK)", ifr.ifr_hwaddr.sa_family,
			    ARPHRD_LOOPBACK);
	if (memcmp(ifr.ifr_hwaddr.sa_data, zeros, sizeof(zeros)))
		return fail("SIOCGIFHWADDR lo: an address that is not all zeros");
	return CHECK_OK;
}

/* lo's IPv4 address, mask and destination; an alias label lo has not is EADDRNOTAVAIL. */
static int check_addr_lo(void)
{
	static const struct { unsigned long req; const char *what; uint32_t want; } gets[] = {
		{ SIOCGIFADDR, "SIOCGIFADDR", INADDR_LOOPBACK },
		{ SIOCGIFNETMASK, "SIOCGIFNETMASK", 0xff000000u },
		{ SIOCGIFDSTADDR, "SIOCGIFDSTADDR", INADDR_LOOPBACK },
	};
	struct ifreq ifr;
	int fd = inet_fd(), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	for (size_t i = 0; i < NELEMS(gets) && r == CHECK_OK; i++) {
		if (if_ioctl(fd, gets[i].req, "lo", &ifr))
			r = fail("%s lo: %s", gets[i].what, errname(errno));
		else if (ifr.ifr_addr.sa_family != AF_INET || sin_addr_of(&ifr.ifr_addr) != gets[i].want)
			r = fail("%s lo: family %u %08x, want AF_INET %08x", gets[i].what, ifr.ifr_addr.sa_family,
				 sin_addr_of(&ifr.ifr_addr), gets[i].want);
	}
	/* 4.4BSD style: the caller names the address it asks about */
	ifr = req_for("lo");
	((struct sockaddr_in *)&ifr.ifr_addr)->sin_family = AF_INET;
	((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (r == CHECK_OK && (ioctl(fd, SIOCGIFADDR, &ifr) || sin_addr_of(&ifr.ifr_addr) != INADDR_LOOPBACK))
		r = fail("SIOCGIFADDR lo naming 127.0.0.1: %s", errname(errno));
	if (r == CHECK_OK) {
		errno = 0;
		r = want_err("SIOCGIFADDR lo:9 (no such alias)", if_ioctl(fd, SIOCGIFADDR, "lo:9", &ifr),
			     EADDRNOTAVAIL);
	}
	close(fd);
	return r;
}

static int check_enodev(void)
{
	static const struct { unsigned long req; const char *what; } reqs[] = {
		{ SIOCGIFFLAGS, "SIOCGIFFLAGS" }, { SIOCGIFINDEX, "SIOCGIFINDEX" }, { SIOCGIFMTU, "SIOCGIFMTU" },
		{ SIOCGIFHWADDR, "SIOCGIFHWADDR" }, { SIOCGIFADDR, "SIOCGIFADDR" },
		{ SIOCGIFNETMASK, "SIOCGIFNETMASK" }, { SIOCGIFTXQLEN, "SIOCGIFTXQLEN" },
	};
	struct ifreq ifr;
	int fd = inet_fd(), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	for (size_t i = 0; i < NELEMS(reqs) && r == CHECK_OK; i++) {
		char what[64];
		snprintf(what, sizeof(what), "%s " NO_SUCH_IF, reqs[i].what);
		errno = 0;
		r = want_err(what, if_ioctl(fd, reqs[i].req, NO_SUCH_IF, &ifr), ENODEV);
	}
	ifr = req_for("");
	ifr.ifr_ifindex = NO_SUCH_INDEX;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCGIFNAME 999999", ioctl(fd, SIOCGIFNAME, &ifr), ENODEV);
	close(fd);
	return r;
}

/* Every user pointer is checked: below the first page, and a page that is not mapped. */
static int check_efault(void)
{
	int fd = inet_fd(), r = CHECK_OK;
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static const unsigned long reqs[] = { SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFADDR, SIOCSIFFLAGS,
					      SIOCADDRT, SIOCGARP };

	if (fd < 0 || hole == MAP_FAILED)
		return fail("socket or mmap: %s", errname(errno));
	for (size_t i = 0; i < NELEMS(reqs) && r == CHECK_OK; i++) {
		char what[64];
		snprintf(what, sizeof(what), "ioctl %#lx at address 8", reqs[i]);
		errno = 0;
		r = want_err(what, ioctl(fd, reqs[i], (void *)8), EFAULT);
		snprintf(what, sizeof(what), "ioctl %#lx into PROT_NONE", reqs[i]);
		errno = 0;
		if (r == CHECK_OK)
			r = want_err(what, ioctl(fd, reqs[i], hole), EFAULT);
	}
	/* the answer cannot be written back: the ifreq ends in a page that is read-only */
	char *ro = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == CHECK_OK && ro != MAP_FAILED) {
		struct ifreq *ifr = (struct ifreq *)(ro + 4096 - 8);
		memset(ro, 0, 8192);
		strcpy(ifr->ifr_name, "lo");
		mprotect(ro, 4096, PROT_READ);
		errno = 0;
		r = want_err("SIOCGIFINDEX into a read-only page", ioctl(fd, SIOCGIFINDEX, ifr), EFAULT);
	}
	if (ro != MAP_FAILED)
		munmap(ro, 8192);
	munmap(hole, 4096);
	close(fd);
	return r;
}

/* An AF_UNIX socket answers the device requests, not the IPv4 ones. */
static int check_unix_socket(void)
{
	struct ifreq ifr;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_UNIX): %s", errname(errno));
	if (if_ioctl(fd, SIOCGIFINDEX, "lo", &ifr) || ifr.ifr_ifindex != LO_INDEX)
		r = fail("SIOCGIFINDEX lo on AF_UNIX: %d (%s)", ifr.ifr_ifindex, errname(errno));
	if (r == CHECK_OK && (if_ioctl(fd, SIOCGIFFLAGS, "lo", &ifr) || !(ifr.ifr_flags & IFF_UP)))
		r = fail("SIOCGIFFLAGS lo on AF_UNIX: %#x (%s)", ifr.ifr_flags, errname(errno));
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCGIFADDR lo on AF_UNIX", if_ioctl(fd, SIOCGIFADDR, "lo", &ifr), ENOTTY);
	close(fd);
	return r;
}

/* ---- the changes ---------------------------------------------------------------- */

/* The requests a process without CAP_NET_ADMIN makes: EPERM, nothing changed. */
static int eperm_requests(void)
{
	struct ifreq ifr;
	struct rtentry rt;
	struct arpreq ar;
	int fd = inet_fd(), r = CHECK_OK;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	if_ioctl(fd, SIOCGIFFLAGS, "lo", &ifr);
	errno = 0;
	r = want_err("SIOCSIFFLAGS", ioctl(fd, SIOCSIFFLAGS, &ifr), EPERM);
	if_ioctl(fd, SIOCGIFMTU, "lo", &ifr);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCSIFMTU", ioctl(fd, SIOCSIFMTU, &ifr), EPERM);
	if_ioctl(fd, SIOCGIFADDR, "lo", &ifr);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCSIFADDR", ioctl(fd, SIOCSIFADDR, &ifr), EPERM);
	memset(&rt, 0, sizeof(rt));
	rt.rt_dst.sa_family = AF_INET;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCADDRT", ioctl(fd, SIOCADDRT, &rt), EPERM);
	memset(&ar, 0, sizeof(ar));
	ar.arp_pa.sa_family = AF_INET;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCSARP", ioctl(fd, SIOCSARP, &ar), EPERM);
	close(fd);
	return r;
}

static int check_eperm(void)
{
	if (!net_admin())
		return eperm_requests();
	/* as root: a child that gave up its ids, and with them its capabilities */
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (pid == 0) {
		if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		int r = eperm_requests();
		if (r != CHECK_OK)
			write(2, c_why, strlen(c_why));
		_exit(r == CHECK_OK ? 0 : 1);
	}
	return want_exit("the unprivileged child", pid, 0);
}

/* As root: an MTU outside the device's range is EINVAL, its own MTU no change. */
static int check_set_mtu(void)
{
	struct ifreq ifr;
	int fd = inet_fd(), r;

	if (!net_admin())
		return skip("no CAP_NET_ADMIN here");
	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	if_ioctl(fd, SIOCGIFMTU, "lo", &ifr);
	ifr.ifr_mtu = -1;
	errno = 0;
	r = want_err("SIOCSIFMTU lo -1", ioctl(fd, SIOCSIFMTU, &ifr), EINVAL);
	if (r == CHECK_OK) {
		if_ioctl(fd, SIOCGIFMTU, "lo", &ifr);
		r = want_ok("SIOCSIFMTU lo to its own MTU", ioctl(fd, SIOCSIFMTU, &ifr));
	}
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCSIFMTU " NO_SUCH_IF, if_ioctl(fd, SIOCSIFMTU, NO_SUCH_IF, &ifr), ENODEV);
	if (r == CHECK_OK) { /* SIOCSIFFLAGS with lo's own flags: no change */
		if_ioctl(fd, SIOCGIFFLAGS, "lo", &ifr);
		r = want_ok("SIOCSIFFLAGS lo to its own flags", ioctl(fd, SIOCSIFFLAGS, &ifr));
	}
	close(fd);
	return r;
}

/* As root: routes Linux refuses before it changes anything, and one that is not there. */
static int check_routes(void)
{
	struct rtentry rt;
	int fd = inet_fd(), r;

	if (!net_admin())
		return skip("no CAP_NET_ADMIN here");
	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	memset(&rt, 0, sizeof(rt));
	rt.rt_dst.sa_family = AF_INET6;
	errno = 0;
	r = want_err("SIOCADDRT for AF_INET6", ioctl(fd, SIOCADDRT, &rt), EAFNOSUPPORT);
	struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst, *mask = (struct sockaddr_in *)&rt.rt_genmask;
	dst->sin_family = mask->sin_family = AF_INET;
	dst->sin_addr.s_addr = htonl(0x0a7b2d00);  /* 10.123.45.0 */
	mask->sin_addr.s_addr = htonl(0xff00ff00); /* not contiguous */
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCADDRT with mask 255.0.255.0", ioctl(fd, SIOCADDRT, &rt), EINVAL);
	mask->sin_addr.s_addr = htonl(0xffffff00);
	rt.rt_flags = RTF_UP;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCDELRT of a route that is not there", ioctl(fd, SIOCDELRT, &rt), ESRCH);
	rt.rt_dev = NO_SUCH_IF;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCADDRT on " NO_SUCH_IF, ioctl(fd, SIOCADDRT, &rt), ENODEV);
	close(fd);
	return r;
}

/* The ARP cache: what SIOCGARP checks, and lo has no ARP entries. */
static int check_arp(void)
{
	struct arpreq ar;
	int fd = inet_fd(), r;

	if (fd < 0)
		return fail("socket(AF_INET): %s", errname(errno));
	memset(&ar, 0, sizeof(ar));
	ar.arp_pa.sa_family = AF_INET6;
	strcpy(ar.arp_dev, "lo");
	errno = 0;
	r = want_err("SIOCGARP for AF_INET6", ioctl(fd, SIOCGARP, &ar), EPFNOSUPPORT);
	ar.arp_pa.sa_family = AF_INET;
	((struct sockaddr_in *)&ar.arp_pa)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ar.arp_dev[0] = 0;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCGARP without a device", ioctl(fd, SIOCGARP, &ar), ENODEV);
	strcpy(ar.arp_dev, NO_SUCH_IF);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCGARP on " NO_SUCH_IF, ioctl(fd, SIOCGARP, &ar), ENODEV);
	strcpy(ar.arp_dev, "lo");
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCGARP 127.0.0.1 on lo", ioctl(fd, SIOCGARP, &ar), ENXIO);
	ar.arp_flags = ATF_NETMASK;
	errno = 0;
	if (r == CHECK_OK)
		r = want_err("SIOCGARP with ATF_NETMASK but not ATF_PUBL", ioctl(fd, SIOCGARP, &ar), EINVAL);
	ar.arp_flags = 0;
	((struct sockaddr_in *)&ar.arp_pa)->sin_addr.s_addr = htonl(0x0a090807);
	errno = 0;
	if (r == CHECK_OK && net_admin())
		r = want_err("SIOCDARP of an entry that is not there", ioctl(fd, SIOCDARP, &ar), ENXIO);
	close(fd);
	return r;
}

/* ---- /sys/class/net ---------------------------------------------------------------- */

static int check_sys_lo(void)
{
	static const struct { const char *file, *want; } files[] = {
		{ "address", "00:00:00:00:00:00" }, { "broadcast", "00:00:00:00:00:00" },
		{ "addr_len", "6" }, { "mtu", "65536" }, { "ifindex", "1" }, { "iflink", "1" },
		{ "type", "772" }, { "flags", "0x9" }, { "operstate", "unknown" }, { "carrier", "1" },
		{ "carrier_changes", "0" }, { "tx_queue_len", "1000" }, { "dev_id", "0x0" },
		{ "dormant", "0" }, { "addr_assign_type", "0" }, { "name_assign_type", "2" },
		{ "link_mode", "0" }, { "dev_port", "0" }, { "netdev_group", "0" }, { "proto_down", "0" },
		{ "testing", "0" }, { "ifalias", "" }, { "uevent", "INTERFACE=lo\nIFINDEX=1" },
	};
	int r = CHECK_OK;

	for (size_t i = 0; i < NELEMS(files) && r == CHECK_OK; i++)
		r = want_sys("lo", files[i].file, files[i].want);
	return r;
}

/* lo has no link speed (no ethtool link settings): EINVAL, as any device that is down. */
static int check_sys_lo_speed(void)
{
	char got[TEXT_MAX];

	errno = 0;
	int r = want_err(SYS_NET "/lo/speed", read_text(SYS_NET "/lo/speed", got, sizeof(got)), EINVAL);
	errno = 0;
	if (r == CHECK_OK)
		r = want_err(SYS_NET "/lo/duplex", read_text(SYS_NET "/lo/duplex", got, sizeof(got)), EINVAL);
	return r;
}

static int check_sys_links(void)
{
	char target[128];
	ssize_t n = readlink(SYS_NET "/lo", target, sizeof(target) - 1);
	struct stat st;

	if (n < 0)
		return fail("readlink " SYS_NET "/lo: %s", errname(errno));
	target[n] = 0;
	if (strcmp(target, "../../devices/virtual/net/lo"))
		return fail(SYS_NET "/lo -> %s, want ../../devices/virtual/net/lo", target);
	if (stat(SYS_NET "/lo/statistics", &st) || !S_ISDIR(st.st_mode))
		return fail(SYS_NET "/lo/statistics: not a directory (%s)", errname(errno));
	if (stat("/sys/devices/virtual/net/lo/mtu", &st) || !S_ISREG(st.st_mode))
		return fail("/sys/devices/virtual/net/lo/mtu: not a file (%s)", errname(errno));
	return CHECK_OK;
}

/* Every counter is there and a number; lo's rx and tx match (what it sends it receives). */
static int check_sys_statistics(void)
{
	static const char *const names[] = {
		"collisions", "multicast", "rx_bytes", "rx_compressed", "rx_crc_errors", "rx_dropped",
		"rx_errors", "rx_fifo_errors", "rx_frame_errors", "rx_length_errors", "rx_missed_errors",
		"rx_nohandler", "rx_over_errors", "rx_packets", "tx_aborted_errors", "tx_bytes",
		"tx_carrier_errors", "tx_compressed", "tx_dropped", "tx_errors", "tx_fifo_errors",
		"tx_heartbeat_errors", "tx_packets", "tx_window_errors",
	};
	char path[128], got[TEXT_MAX], *end;

	for (size_t i = 0; i < NELEMS(names); i++) {
		snprintf(path, sizeof(path), SYS_NET "/lo/statistics/%s", names[i]);
		if (read_text(path, got, sizeof(got)) <= 0)
			return fail("%s: %s", path, errname(errno));
		strtoull(got, &end, 10);
		if (*end)
			return fail("%s: \"%s\" is not a number", path, got);
	}
	return CHECK_OK;
}

/* For each interface of /sys/class/net: the ioctls agree with its files,
 * and a device that is down refuses carrier (EINVAL) and is "down". */
static int sys_matches(int fd, const char *name)
{
	struct ifreq ifr;
	char text[32], path[128], got[TEXT_MAX];
	int r;

	if (if_ioctl(fd, SIOCGIFINDEX, name, &ifr))
		return fail("SIOCGIFINDEX %s: %s", name, errname(errno));
	snprintf(text, sizeof(text), "%d", ifr.ifr_ifindex);
	if ((r = want_sys(name, "ifindex", text)) != CHECK_OK)
		return r;
	if (if_ioctl(fd, SIOCGIFMTU, name, &ifr))
		return fail("SIOCGIFMTU %s: %s", name, errname(errno));
	snprintf(text, sizeof(text), "%d", ifr.ifr_mtu);
	if ((r = want_sys(name, "mtu", text)) != CHECK_OK)
		return r;
	if (if_ioctl(fd, SIOCGIFFLAGS, name, &ifr))
		return fail("SIOCGIFFLAGS %s: %s", name, errname(errno));
	if (ifr.ifr_flags & IFF_UP)
		return CHECK_OK;
	snprintf(path, sizeof(path), SYS_NET "/%s/carrier", name);
	errno = 0;
	if ((r = want_err(path, read_text(path, got, sizeof(got)), EINVAL)) != CHECK_OK)
		return r;
	return want_sys(name, "operstate", "down");
}

static int check_sys_every_interface(void)
{
	DIR *d = opendir(SYS_NET);
	struct dirent *e;
	int fd = inet_fd(), r = CHECK_OK, n = 0;

	if (!d || fd < 0)
		return fail(SYS_NET " or socket: %s", errname(errno));
	while (r == CHECK_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		r = sys_matches(fd, e->d_name);
		n++;
	}
	closedir(d);
	close(fd);
	if (r == CHECK_OK && n == 0)
		return fail(SYS_NET " is empty");
	if (r == CHECK_OK)
		remark("%d interfaces", n);
	return r;
}

static const struct check checks[] = {
	{ "ifconf-length", check_ifconf_length },
	{ "ifconf-lo", check_ifconf_lo },
	{ "ifconf-matches", check_ifconf_matches },
	{ "ifconf-short-bad", check_ifconf_short_and_bad },
	{ "index-name", check_index_and_name },
	{ "flags-lo", check_flags_lo },
	{ "values-lo", check_values_lo },
	{ "hwaddr-lo", check_hwaddr_lo },
	{ "addr-lo", check_addr_lo },
	{ "enodev", check_enodev },
	{ "efault", check_efault },
	{ "unix-socket", check_unix_socket },
	{ "eperm", check_eperm },
	{ "set-mtu", check_set_mtu },
	{ "routes", check_routes },
	{ "arp", check_arp },
	{ "sys-lo", check_sys_lo },
	{ "sys-lo-speed", check_sys_lo_speed },
	{ "sys-links", check_sys_links },
	{ "sys-statistics", check_sys_statistics },
	{ "sys-every-interface", check_sys_every_interface },
};

int main(int argc, char **argv)
{
	return run_checks("conform-netif", checks, NELEMS(checks), argc, argv);
}
