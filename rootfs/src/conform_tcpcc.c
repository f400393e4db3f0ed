// SPDX-License-Identifier: MIT
// TCP_CONGESTION and /proc/sys/net/ipv4/tcp_*congestion_control, checked against Linux 6.1.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checks.h"

/*
 * What iperf3 -C, ss -ti and sysctl(8) use: the algorithm a TCP socket
 * runs, by name, and the three sysctls that list and choose them. A
 * write to a sysctl is made in a new network namespace (Linux: the
 * default is per namespace) or, on Kestrel (one namespace), put back
 * after; tcp_allowed_congestion_control is global on Linux, so it is
 * written on Kestrel only.
 */
#define CA_NAME_MAX  16          /* TCP_CA_NAME_MAX */
#define NOBODY       65534
#define SYS_CC       "/proc/sys/net/ipv4/tcp_congestion_control"
#define SYS_AVAIL    "/proc/sys/net/ipv4/tcp_available_congestion_control"
#define SYS_ALLOWED  "/proc/sys/net/ipv4/tcp_allowed_congestion_control"
#define TEXT_MAX     256

/* A file's first line into buf (newline dropped): 0, or -1 with errno. */
static int read_line(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Write text to path: write's result, or -1 with errno. */
static long write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	long r = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* The socket's algorithm into name (CA_NAME_MAX + 1 bytes): 0 or -1. */
static int get_cc(int fd, char *name)
{
	socklen_t len = CA_NAME_MAX;

	memset(name, 0, CA_NAME_MAX + 1);
	return getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len);
}

static int set_cc(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, (socklen_t)strlen(name));
}

/* A new socket runs the default the sysctl names (cubic on Kestrel, as on Linux). */
static int check_default_name(void)
{
	char sys[TEXT_MAX], name[CA_NAME_MAX + 1];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	int r = get_cc(fd, name);
	close(fd);
	if (r)
		return fail("getsockopt TCP_CONGESTION: %s", strerror(errno));
	if (read_line(SYS_CC, sys, sizeof(sys)))
		return fail("%s: %s", SYS_CC, strerror(errno));
	if (strcmp(name, sys))
		return fail("a new socket runs \"%s\", the sysctl says \"%s\"", name, sys);
	if (on_kestrel() && strcmp(name, "cubic"))
		return fail("the default is \"%s\", not Linux's \"cubic\"", name);
	remark("%s", name);
	return CHECK_OK;
}

/* Unknown names ENOENT, no bytes EINVAL; bytes after a NUL or past 15 are not read. */
static int check_set_errors(void)
{
	char name[CA_NAME_MAX + 1];
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK;

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	if (set_cc(fd, "nosuchcc") != -1 || errno != ENOENT)
		r = fail("\"nosuchcc\": %s, not ENOENT", errname(errno));
	else if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 0) != -1 || errno != EINVAL)
		r = fail("length 0: %s, not EINVAL", errname(errno));
	else if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno\0junk", 9))
		r = fail("\"reno\\0junk\": %s", strerror(errno));
	else if (get_cc(fd, name) || strcmp(name, "reno"))
		r = fail("after \"reno\\0junk\" it runs \"%s\"", name);
	else if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubicxxxxxxxxxxxxxxxx", 21) != -1 ||
		 errno != ENOENT)
		r = fail("a 21-byte name: %s, not ENOENT", errname(errno));
	close(fd);
	return r;
}

/* Set reno and read it back; then cubic. */
static int check_set_reno(void)
{
	char name[CA_NAME_MAX + 1];
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK;

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	if (set_cc(fd, "reno") || get_cc(fd, name) || strcmp(name, "reno"))
		r = fail("set reno: %s, reads \"%s\"", strerror(errno), name);
	else if (set_cc(fd, "cubic") || get_cc(fd, name) || strcmp(name, "cubic"))
		r = fail("set cubic: %s, reads \"%s\"", strerror(errno), name);
	close(fd);
	return r;
}

/* getsockopt copies min(len, 16) bytes and says how many; the name is NUL-padded. */
static int check_short_len(void)
{
	char buf[32];
	socklen_t len = 3;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK;

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	memset(buf, 'x', sizeof(buf));
	if (set_cc(fd, "cubic") || getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, buf, &len))
		r = fail("%s", strerror(errno));
	else if (len != 3 || memcmp(buf, "cubx", 4))
		r = fail("len 3: got %u bytes \"%.4s\"", (unsigned)len, buf);
	else if (len = sizeof(buf), memset(buf, 'x', sizeof(buf)),
		 getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, buf, &len))
		r = fail("len 32: %s", strerror(errno));
	else if (len != CA_NAME_MAX || memcmp(buf, "cubic\0\0\0\0\0\0\0\0\0\0\0x", CA_NAME_MAX + 1))
		r = fail("len 32: got %u bytes", (unsigned)len);
	close(fd);
	return r;
}

/* A listener's algorithm goes to the sockets it accepts; the connecting one keeps its own. */
static int check_accept_inherits(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char name[CA_NAME_MAX + 1], mine[CA_NAME_MAX + 1];
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), e = -1, r = CHECK_OK;

	if (l < 0 || c < 0)
		r = fail("socket: %s", strerror(errno));
	else if (set_cc(l, "reno") || get_cc(c, mine))
		r = fail("setsockopt: %s", strerror(errno));
	else if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
		 getsockname(l, (struct sockaddr *)&a, &alen) || connect(c, (struct sockaddr *)&a, sizeof(a)))
		r = fail("connect: %s", strerror(errno));
	else if ((e = accept(l, NULL, NULL)) < 0)
		r = fail("accept: %s", strerror(errno));
	else if (get_cc(e, name) || strcmp(name, "reno"))
		r = fail("the accepted socket runs \"%s\", its listener reno", name);
	else if (get_cc(c, name) || strcmp(name, mine))
		r = fail("the connecting socket runs \"%s\", not its own \"%s\"", name, mine);
	else if (set_cc(e, "cubic") || get_cc(e, name) || strcmp(name, "cubic"))
		r = fail("a connected socket switching to cubic: %s, reads \"%s\"", strerror(errno), name);
	else if (send(c, "x", 1, 0) != 1 || recv(e, name, 1, 0) != 1)
		r = fail("data after the switch: %s", strerror(errno));
	if (e >= 0)
		close(e);
	close(c);
	close(l);
	return r;
}

/* Is word one of list's space-separated words? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return true;
	return false;
}

/* available lists reno then cubic (Kestrel: those two, as Linux 6.1
 * built with no other); allowed holds the default. */
static int check_sysctl_lists(void)
{
	char avail[TEXT_MAX], allowed[TEXT_MAX], def[TEXT_MAX];

	if (read_line(SYS_AVAIL, avail, sizeof(avail)) || read_line(SYS_ALLOWED, allowed, sizeof(allowed)) ||
	    read_line(SYS_CC, def, sizeof(def)))
		return fail("read: %s", strerror(errno));
	/* reno is registered first; a machine with more (bbr) lists them in between */
	if (strncmp(avail, "reno ", 5) || !has_word(avail, "cubic"))
		return fail("available is \"%s\", not \"reno ... cubic\"", avail);
	if (on_kestrel() && (strcmp(avail, "reno cubic") || strcmp(allowed, "reno cubic")))
		return fail("available \"%s\", allowed \"%s\": Linux 6.1 shows \"reno cubic\" for both", avail, allowed);
	if (!has_word(allowed, def))
		return fail("allowed \"%s\" lacks the default \"%s\"", allowed, def);
	if (write_text(SYS_AVAIL, "reno") != -1 || (errno != EACCES && errno != EPERM))
		return fail("writing available: %s, not EACCES", errname(errno));
	remark("available \"%s\", allowed \"%s\"", avail, allowed);
	return CHECK_OK;
}

/* In a child: the default written (an unknown name ENOENT) reaches new sockets only. */
static int default_write_child(void)
{
	char name[CA_NAME_MAX + 1], was[TEXT_MAX];
	int old = socket(AF_INET, SOCK_STREAM, 0), fd, bad = 0;

	if (read_line(SYS_CC, was, sizeof(was)) || old < 0)
		return 10;
	if (write_text(SYS_CC, "nosuchcc\n") != -1 || errno != ENOENT)
		bad = 11;
	else if (write_text(SYS_CC, "reno\n") != 5)
		bad = 12;
	else if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 || get_cc(fd, name) || strcmp(name, "reno"))
		bad = 13;
	else if (get_cc(old, name) || strcmp(name, was))
		bad = 14;                      /* an existing socket keeps its own */
	if (write_text(SYS_CC, was) < 0)
		bad = bad ? bad : 15;
	return bad;
}

static int check_default_write(void)
{
	if (geteuid() != 0)
		return skip("not root");
	pid_t pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) == 0 || on_kestrel() ? default_write_child() : 20);
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return fail("child lost");
	if (WEXITSTATUS(st) == 20)
		return skip("no network namespace to write in");
	return WEXITSTATUS(st) ? fail("step %d failed (11 ENOENT, 12 write, 13 new socket, 14 old socket, "
				      "15 put back)", WEXITSTATUS(st)) : CHECK_OK;
}

/* In a child as nobody: reno not allowed is EPERM; the one in use and an allowed one pass. */
static int restricted_child(void)
{
	char name[CA_NAME_MAX + 1];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || setgid(NOBODY) || setuid(NOBODY))
		return 10;
	if (set_cc(fd, "reno") != -1 || errno != EPERM)
		return 11;
	if (set_cc(fd, "cubic") || get_cc(fd, name) || strcmp(name, "cubic"))
		return 12;
	return 0;
}

/* tcp_allowed_congestion_control (global on Linux: written on Kestrel only). */
static int check_allowed_write(void)
{
	if (!on_kestrel() || geteuid() != 0)
		return skip("the allowed list is global on Linux: written on Kestrel as root only");
	char def[TEXT_MAX], allowed[TEXT_MAX];
	int r = CHECK_OK;

	if (write_text(SYS_ALLOWED, "cubic nosuchcc") != -1 || errno != ENOENT)
		return fail("an unknown name: %s, not ENOENT", errname(errno));
	if (write_text(SYS_ALLOWED, "cubic") < 0 || read_line(SYS_ALLOWED, allowed, sizeof(allowed)) ||
	    strcmp(allowed, "cubic"))
		return fail("allowed \"cubic\" reads \"%s\"", allowed);
	pid_t pid = fork();
	if (pid == 0)
		_exit(restricted_child());
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		r = fail("nobody's setsockopt: step %d (11 reno not EPERM, 12 cubic refused)", WEXITSTATUS(st));
	/* a default written is allowed with it */
	if (r == CHECK_OK && (read_line(SYS_CC, def, sizeof(def)) || write_text(SYS_CC, "reno") < 0 ||
			      read_line(SYS_ALLOWED, allowed, sizeof(allowed)) || strcmp(allowed, "reno cubic")))
		r = fail("the default reno: allowed reads \"%s\"", allowed);
	write_text(SYS_CC, "cubic");
	if (write_text(SYS_ALLOWED, "reno cubic") < 0)
		r = fail("put back: %s", strerror(errno));
	return r;
}

static const struct check checks[] = {
	{ "default-name", check_default_name },
	{ "set-errors", check_set_errors },
	{ "set-reno", check_set_reno },
	{ "short-len", check_short_len },
	{ "accept-inherits", check_accept_inherits },
	{ "sysctl-lists", check_sysctl_lists },
	{ "default-write", check_default_write },
	{ "allowed-write", check_allowed_write },
};

int main(int argc, char **argv)
{
	return run_checks("conform-tcpcc", checks, NELEMS(checks), argc, argv);
}
