// SPDX-License-Identifier: MIT
// What programs ask of a TCP connection to another host (options, TCP_INFO, ioctls, recv/send flags, shutdown), checked against a server of its own.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "checks.h"

/*
 * Two modes, one binary (a static musl program: it runs on Kestrel and
 * on Linux alike, so each expected value is what Linux 6.1 does):
 *
 *   t-tcpopts serve PORT          the server: commands on PORT, and on
 *                                 PORT+1 a sink that never reads (a
 *                                 small SO_RCVBUF: its window closes)
 *   t-tcpopts HOST PORT [CHECK...] the checks, each on fresh connections
 *                                 to HOST:PORT
 *
 * Not in /etc/selftest: it needs a peer (tests/boot/nettest.py's tcpopts
 * case runs the server on the Linux peer, this program on Kestrel, and
 * the same program on the peer against the same server).
 *
 * A connection to PORT starts with one command line, then:
 *   E          echo until the client's EOF
 *   S N        send N bytes of the pattern, then read until EOF
 *   P N K      send N bytes in K pieces 50 ms apart, then read until EOF
 *   F N        send N bytes and close
 *   U          send "ab", "c" with MSG_OOB, "de"; read until EOF
 *   C          close at once (a FIN)
 *   R          after 200 ms, close with SO_LINGER {1, 0} (a reset)
 *   B PORT     connect back to the client's address at PORT, send
 *              "hello", read until EOF
 */
#ifndef SIOCINQ
#define SIOCINQ FIONREAD
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif
#ifndef SIOCOUTQNSD
#define SIOCOUTQNSD 0x894B
#endif
#define TCP_INFO_LEN 232          /* Linux 6.1's struct tcp_info */
#define WAIT_MS 3000              /* the longest a check waits for the peer */
#define PIECE_MS 50
#define SINK_SECONDS 30
#define SINK_RCVBUF 4096
#define KEEP_WAIT_MS 2500         /* idle time in the keepalive check (idle 1 s, interval 1 s) */
#define ACK_FRESH_MS 1500         /* an ACK later than this, after KEEP_WAIT_MS idle: a probe's */

static struct sockaddr_in server;
static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* ---- the server ------------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w <= 0)
			return -1;
		c += w, n -= (size_t)w;
	}
	return 0;
}

static void send_pattern(int fd, size_t from, size_t n)
{
	char buf[4096];
	for (size_t done = 0; done < n;) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		for (size_t i = 0; i < k; i++)
			buf[i] = (char)pattern(from + done + i);
		if (write_all(fd, buf, k))
			return;
		done += k;
	}
}

static void drain(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* The command line (up to '\n'), NUL-terminated. */
static int read_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		if (read(fd, line + n, 1) != 1)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return 0;
}

static void connect_back(int fd, int port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || getpeername(fd, (struct sockaddr *)&a, &len))
		return;
	a.sin_port = htons((uint16_t)port);
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 && write_all(c, "hello", 5) == 0)
		drain(c);
	close(c);
}

static void serve_one(int fd)
{
	char line[64], buf[4096];
	unsigned long n = 0, k = 0;
	struct linger lg = { 1, 0 };
	ssize_t r;

	if (read_line(fd, line, sizeof(line)))
		return;
	sscanf(line + 1, "%lu %lu", &n, &k);
	switch (line[0]) {
	case 'E':
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			if (write_all(fd, buf, (size_t)r))
				break;
		break;
	case 'S':
		send_pattern(fd, 0, n);
		drain(fd);
		break;
	case 'P':
		for (unsigned long i = 0; k && i < k; i++) {
			send_pattern(fd, i * (n / k), i + 1 < k ? n / k : n - i * (n / k));
			ms_sleep(PIECE_MS);
		}
		drain(fd);
		break;
	case 'F':
		send_pattern(fd, 0, n);
		break;
	case 'U':
		if (write_all(fd, "ab", 2) == 0 && send(fd, "c", 1, MSG_OOB) == 1 && write_all(fd, "de", 2) == 0)
			drain(fd);
		break;
	case 'R':
		ms_sleep(200);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	case 'B':
		connect_back(fd, (int)n);
		break;
	default: /* 'C' and the rest: close at once */
		break;
	}
}

static int listen_on(int port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16))
		return -1;
	return fd;
}

static int serve(int port)
{
	struct pollfd p[2] = { { listen_on(port, 0), POLLIN, 0 }, { listen_on(port + 1, SINK_RCVBUF), POLLIN, 0 } };
	if (p[0].fd < 0 || p[1].fd < 0) {
		perror("tcpopts: serve");
		return 1;
	}
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	printf("tcpopts: serving on %d and %d\n", port, port + 1);
	fflush(stdout);
	for (;;) {
		if (poll(p, 2, -1) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			int c = (p[i].revents & POLLIN) ? accept(p[i].fd, NULL, NULL) : -1;
			if (c < 0)
				continue;
			if (fork() == 0) {
				if (i == 0)
					serve_one(c);
				else
					sleep(SINK_SECONDS); /* never reads */
				_exit(0);
			}
			close(c);
		}
	}
}

/* ---- client helpers ------------------------------------------------------------ */

static int int_opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static int ioctl_int(int fd, unsigned long req)
{
	int v = -1;
	return ioctl(fd, req, &v) ? -1 : v;
}

/* A connection to the server on port + off (fd set up by the caller,
 * or -1 for a fresh socket), the command cmd sent: the fd, or -1. */
static int dial_fd(int fd, int off, const char *cmd)
{
	struct sockaddr_in a = server;
	a.sin_port = htons((uint16_t)(ntohs(server.sin_port) + off));
	struct timeval tv = { WAIT_MS / 1000, 0 };
	if (fd < 0)
		fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)); /* a read never hangs the program */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) || (cmd && write_all(fd, cmd, strlen(cmd)))) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int dial(const char *cmd)
{
	return dial_fd(-1, 0, cmd);
}

/* Wait (up to WAIT_MS) until fd has at least n bytes to read; FIONREAD's last answer. */
static int wait_readable(int fd, int n)
{
	long long end = now_ms() + WAIT_MS;
	int v;
	while ((v = ioctl_int(fd, FIONREAD)) < n && now_ms() < end)
		ms_sleep(10);
	return v;
}

/* Wait (up to WAIT_MS) for the end of fd's connection (POLLHUP or POLLERR). */
static int wait_hup(int fd)
{
	struct pollfd p = { fd, 0, 0 };
	return poll(&p, 1, WAIT_MS) == 1 && (p.revents & (POLLHUP | POLLERR));
}

/* Wait (up to WAIT_MS) for events on fd: the revents, 0 at the timeout. */
static int wait_events(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, WAIT_MS) == 1 ? p.revents : 0;
}

/* Bytes buf[0..n) are the pattern from byte from. */
static int is_pattern(const char *buf, size_t n, size_t from)
{
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)buf[i] != pattern(from + i))
			return 0;
	return 1;
}

/* net.ipv4.tcp_sack: whether this kernel offers SACK-permitted (the peer, Linux, does). */
static int sack_sysctl(void)
{
	char c = '1';
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_sack", "r");

	if (f) {
		if (fread(&c, 1, 1, f) != 1)
			c = '1';
		fclose(f);
	}
	return c != '0';
}

static int tcp_info_of(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);
	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) || len != TCP_INFO_LEN ? -1 : 0;
}

/* Wait (up to WAIT_MS) until TCP_INFO says CLOSE (both FINs through): 1, or 0. */
static int wait_closed(int fd)
{
	long long end = now_ms() + WAIT_MS;
	struct tcp_info ti;
	while (!tcp_info_of(fd, &ti) && ti.tcpi_state != 7 && now_ms() < end)
		ms_sleep(10);
	return ti.tcpi_state == 7;
}

/* ---- the checks ------------------------------------------------------------------ */

/* TCP_INFO: Linux 6.1's 232 bytes (a longer buffer gets them, a shorter
 * one the first bytes and its length); an exchange of 100 bytes shows. */
static int check_tcp_info(void)
{
	char big[300], buf[100], back[100];
	struct tcp_info ti;
	socklen_t len = sizeof(big);
	int fd = dial("E\n"), r = CHECK_OK;
	if (fd < 0)
		return fail("connect: %s", errname(errno));
	memset(buf, 'x', sizeof(buf));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, big, &len) || len != TCP_INFO_LEN)
		r = fail("TCP_INFO into 300 bytes: length %u (%s), want 232", (unsigned)len, errname(errno));
	else if ((len = 8, getsockopt(fd, IPPROTO_TCP, TCP_INFO, big, &len)) || len != 8 || big[0] != 1)
		r = fail("TCP_INFO into 8 bytes: length %u, state %d; want 8, 1", (unsigned)len, big[0]);
	else if (write_all(fd, buf, sizeof(buf)) || wait_readable(fd, 100) != 100 ||
		 read(fd, back, sizeof(back)) != 100)
		r = fail("echo of 100 bytes: %s", errname(errno));
	else if (tcp_info_of(fd, &ti))
		r = fail("TCP_INFO: %s", errname(errno));
	else if (ti.tcpi_state != 1 || ti.tcpi_bytes_acked != 103 || ti.tcpi_bytes_received != 100)
		r = fail("state %u bytes_acked %llu bytes_received %llu, want 1, 103 (the SYN and command too), 100", ti.tcpi_state,
			 (unsigned long long)ti.tcpi_bytes_acked, (unsigned long long)ti.tcpi_bytes_received);
	else if (ti.tcpi_options != (TCPI_OPT_TIMESTAMPS | TCPI_OPT_WSCALE | (sack_sysctl() ? TCPI_OPT_SACK : 0)) ||
		 !ti.tcpi_snd_mss || !ti.tcpi_rcv_mss || !ti.tcpi_rtt ||
		 ti.tcpi_rto < 200000 || !ti.tcpi_snd_cwnd || ti.tcpi_unacked)
		r = fail("options %u snd_mss %u rcv_mss %u rtt %u rto %u cwnd %u unacked %u", ti.tcpi_options,
			 ti.tcpi_snd_mss, ti.tcpi_rcv_mss, ti.tcpi_rtt, ti.tcpi_rto, ti.tcpi_snd_cwnd,
			 ti.tcpi_unacked);
	else
		remark("mss %u/%u rtt %u us rto %u us cwnd %u", ti.tcpi_snd_mss, ti.tcpi_rcv_mss, ti.tcpi_rtt,
		       ti.tcpi_rto, ti.tcpi_snd_cwnd);
	close(fd);
	return r;
}

/* The keepalive times and count: Linux's defaults, its ranges (EINVAL), read back. */
static int check_opt_ranges(void)
{
	static const struct { int name, bad_lo, bad_hi, good, dflt; } t[] = {
		{ TCP_KEEPIDLE, 0, 32768, 32767, 7200 },
		{ TCP_KEEPINTVL, 0, 32768, 32767, 75 },
		{ TCP_KEEPCNT, 0, 128, 127, 9 },
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK;
	short two = 1;
	for (size_t i = 0; i < NELEMS(t) && r == CHECK_OK; i++) {
		errno = 0;
		if ((r = want_eq("default", int_opt(fd, IPPROTO_TCP, t[i].name), t[i].dflt)) ||
		    (r = want_err("too small", set_int(fd, IPPROTO_TCP, t[i].name, t[i].bad_lo), EINVAL)) ||
		    (r = want_err("too big", set_int(fd, IPPROTO_TCP, t[i].name, t[i].bad_hi), EINVAL)) ||
		    (r = want_err("2-byte value", setsockopt(fd, IPPROTO_TCP, t[i].name, &two, sizeof(two)), EINVAL)) ||
		    (r = want_eq("unchanged", int_opt(fd, IPPROTO_TCP, t[i].name), t[i].dflt)) ||
		    (r = want_ok("the largest", set_int(fd, IPPROTO_TCP, t[i].name, t[i].good))) ||
		    (r = want_eq("read back", int_opt(fd, IPPROTO_TCP, t[i].name), t[i].good)))
			snprintf(c_why + strlen(c_why), sizeof(c_why) - strlen(c_why), " (option %d)", t[i].name);
	}
	if (r == CHECK_OK && (set_int(fd, IPPROTO_TCP, TCP_CORK, 5) || int_opt(fd, IPPROTO_TCP, TCP_CORK) != 1))
		r = fail("TCP_CORK 5 reads back %d, want 1", int_opt(fd, IPPROTO_TCP, TCP_CORK));
	close(fd);
	return r;
}

/* Nothing comes back within ms on fd; then 1 (quiet) or 0. */
static int quiet_for(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms) == 0;
}

#define CORK_CEILING_MS 200 /* Linux sends a corked partial segment after this anyway */
#define CORK_QUIET_MS   50  /* how long the check listens for an echo that must not come */
#define CORK_TRIES      3

/* TCP_CORK holds a partial segment until it is taken off (TCP_INFO's
 * notsent_bytes and SIOCOUTQNSD count it; no echo comes); set before
 * connect() it holds from the first byte. *slow is set when an echo
 * came only once the cork's 200 ms ceiling could have passed since the
 * write (a host that stopped this guest meanwhile): no verdict then. */
static int cork_case(int before, int *slow)
{
	char b[10];
	struct tcp_info ti;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK, one = 1;
	if (before && set_int(fd, IPPROTO_TCP, TCP_CORK, 1))
		return fail("TCP_CORK before connect: %s", errname(errno));
	if ((fd = dial_fd(fd, 0, NULL)) < 0)
		return fail("connect: %s", errname(errno));
	if (!before)
		setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
	long long t0 = now_ms();
	if (write_all(fd, "E\n", 2) || write_all(fd, "corked", 6))
		r = fail("write: %s", errname(errno));
	else if (int_opt(fd, IPPROTO_TCP, TCP_CORK) != 1)
		r = fail("TCP_CORK reads %d", int_opt(fd, IPPROTO_TCP, TCP_CORK));
	else if (tcp_info_of(fd, &ti) || ti.tcpi_notsent_bytes != 8 || ioctl_int(fd, SIOCOUTQNSD) != 8)
		r = fail("corked%s: %u bytes not sent (SIOCOUTQNSD %d), want 8", before ? " before connect" : "",
			 ti.tcpi_notsent_bytes, ioctl_int(fd, SIOCOUTQNSD));
	else if (!quiet_for(fd, CORK_QUIET_MS) && !(*slow = now_ms() - t0 >= CORK_CEILING_MS * 3 / 4))
		r = fail("corked%s: the echo came back within %d ms", before ? " before connect" : "",
			 CORK_QUIET_MS);
	else if (*slow)
		r = CHECK_FAIL;
	else if (set_int(fd, IPPROTO_TCP, TCP_CORK, 0) || wait_readable(fd, 6) != 6 || read(fd, b, 6) != 6 ||
		 memcmp(b, "corked", 6))
		r = fail("uncorked%s: no echo of the 6 bytes", before ? " (set before connect)" : "");
	close(fd);
	return r;
}

/* cork_case, again while the host was too slow for a verdict. */
static int cork_tries(int before)
{
	int slow = 1, r = CHECK_FAIL;
	for (int i = 0; i < CORK_TRIES && slow; i++) {
		slow = 0;
		r = cork_case(before, &slow);
	}
	return slow ? fail("corked%s: every try slower than the cork's ceiling", before ? " before connect" : "") : r;
}

static int check_cork(void)
{
	return cork_tries(0) ? CHECK_FAIL : cork_tries(1);
}

static int ack_age(int fd)
{
	struct tcp_info ti;
	return tcp_info_of(fd, &ti) ? -1 : (int)ti.tcpi_last_ack_recv;
}

/* Keepalive with idle and interval 1 s on fd: on. */
static int keep_fast(int fd)
{
	return set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1) || set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 1) ||
	       set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1) || set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 5) ||
	       set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

/* fd's options read back as keep_fast set them. */
static int keep_read_back(int fd, const char *who)
{
	int ka = int_opt(fd, SOL_SOCKET, SO_KEEPALIVE), idle = int_opt(fd, IPPROTO_TCP, TCP_KEEPIDLE),
	    intvl = int_opt(fd, IPPROTO_TCP, TCP_KEEPINTVL), cnt = int_opt(fd, IPPROTO_TCP, TCP_KEEPCNT),
	    nd = int_opt(fd, IPPROTO_TCP, TCP_NODELAY);
	if (ka != 1 || idle != 1 || intvl != 1 || cnt != 5 || nd != 1)
		return fail("%s: SO_KEEPALIVE %d idle %d intvl %d cnt %d nodelay %d, want 1 1 1 5 1", who, ka,
			    idle, intvl, cnt, nd);
	return CHECK_OK;
}

/* A listener on an ephemeral port with keep_fast's options: fd, *port. */
static int keep_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || keep_fast(l) || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return l;
}

/*
 * SO_KEEPALIVE and TCP_KEEPIDLE/INTVL/CNT reach the connection: set
 * before connect() on one, on a listener for one the server makes back
 * (the accepted one inherits them), and not at all on a third. After
 * 2.5 s of silence the first two have had a probe answered (TCP_INFO's
 * last_ack_recv is recent), the third has not.
 */
static int check_keepalive(void)
{
	char cmd[32], hello[5];
	struct tcp_info ti;
	int port, a = -1, r = CHECK_OK;
	int l = keep_listener(&port), k = socket(AF_INET, SOCK_STREAM, 0), plain = dial("E\n");
	if (l < 0 || k < 0 || plain < 0 || keep_fast(k) || (k = dial_fd(k, 0, "E\n")) < 0)
		return fail("set-up: %s", errname(errno));
	snprintf(cmd, sizeof(cmd), "B %d\n", port);
	int b = dial(cmd);
	if (b < 0 || !(wait_events(l, POLLIN) & POLLIN) || (a = accept(l, NULL, NULL)) < 0)
		r = fail("the server's connection back: %s", errname(errno));
	else if (wait_readable(a, 5) != 5 || read(a, hello, 5) != 5 || memcmp(hello, "hello", 5))
		r = fail("no hello on the accepted connection");
	else if ((r = keep_read_back(k, "set before connect")) || (r = keep_read_back(a, "accepted")))
		;
	else if (tcp_info_of(a, &ti) || ti.tcpi_state != 1 || ti.tcpi_bytes_acked != 0 ||
		 ti.tcpi_bytes_received != 5)
		r = fail("TCP_INFO of the accepted one: state %u bytes_acked %llu bytes_received %llu, want "
			 "1, 0, 5", ti.tcpi_state, (unsigned long long)ti.tcpi_bytes_acked,
			 (unsigned long long)ti.tcpi_bytes_received);
	else
		ms_sleep(KEEP_WAIT_MS);
	if (r == CHECK_OK) {
		int ak = ack_age(k), aa = ack_age(a), ap = ack_age(plain);
		if (ak < 0 || ak > ACK_FRESH_MS || aa < 0 || aa > ACK_FRESH_MS || ap < KEEP_WAIT_MS - 500)
			r = fail("last ACK %d ms ago (before connect), %d (accepted), %d (no keepalive); want "
				 "<= %d, <= %d, >= %d", ak, aa, ap, ACK_FRESH_MS, ACK_FRESH_MS, KEEP_WAIT_MS - 500);
		else
			remark("last ACK %d, %d ms ago with keepalive, %d without", ak, aa, ap);
	}
	close(a), close(b), close(k), close(plain), close(l);
	return r;
}

/* FIONREAD/SIOCINQ count what is there; a read takes it; SIOCOUTQ is 0
 * once the echo (which acknowledges) came; FIONREAD on a listener: EINVAL. */
static int check_ioctls(void)
{
	char buf[1000];
	int fd = dial("S 3000\n"), e = dial("E\n"), l = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK, v;
	struct sockaddr_in a = { .sin_family = AF_INET };
	if (fd < 0 || e < 0)
		return fail("connect: %s", errname(errno));
	if (wait_readable(fd, 3000) != 3000 || ioctl_int(fd, SIOCINQ) != 3000)
		r = fail("FIONREAD %d, SIOCINQ %d, want 3000", ioctl_int(fd, FIONREAD), ioctl_int(fd, SIOCINQ));
	else if (read(fd, buf, 1000) != 1000 || ioctl_int(fd, FIONREAD) != 2000)
		r = fail("after reading 1000: FIONREAD %d, want 2000", ioctl_int(fd, FIONREAD));
	else if (ioctl_int(fd, SIOCATMARK) != 0)
		r = fail("SIOCATMARK %d, want 0", ioctl_int(fd, SIOCATMARK));
	else if (write_all(e, buf, 100) || wait_readable(e, 100) != 100 || read(e, buf, 100) != 100 ||
		 ioctl_int(e, SIOCOUTQ) != 0 || ioctl_int(e, SIOCOUTQNSD) != 0)
		r = fail("after an echo: SIOCOUTQ %d SIOCOUTQNSD %d, want 0", ioctl_int(e, SIOCOUTQ),
			 ioctl_int(e, SIOCOUTQNSD));
	else if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
		 (errno = 0, want_err("FIONREAD on a listener", ioctl(l, FIONREAD, &v), EINVAL)))
		r = CHECK_FAIL;
	close(fd), close(e), close(l);
	return r;
}

/* SIOCOUTQ counts what the peer has not acknowledged: to a sink whose
 * window closed, writes until EAGAIN leave it above 0, SIOCOUTQNSD no more. */
static int check_outq(void)
{
	static char buf[16384];
	int fd = dial_fd(-1, 1, NULL), r = CHECK_OK;
	long long end = now_ms() + WAIT_MS;
	size_t sent = 0;
	ssize_t w;
	if (fd < 0)
		return fail("connect to the sink: %s", errname(errno));
	while (now_ms() < end) {
		w = send(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (w > 0) {
			sent += (size_t)w;
			continue;
		}
		if (errno != EAGAIN)
			break;
		ms_sleep(200); /* the window may still open: EAGAIN twice in a row ends it */
		if ((w = send(fd, buf, sizeof(buf), MSG_DONTWAIT)) < 0)
			break;
		sent += (size_t)w;
	}
	int q = ioctl_int(fd, SIOCOUTQ), nsd = ioctl_int(fd, SIOCOUTQNSD);
	if (q <= 0 || (size_t)q > sent || nsd < 0 || nsd > q)
		r = fail("after %zu bytes to a full window: SIOCOUTQ %d SIOCOUTQNSD %d", sent, q, nsd);
	else
		remark("%zu bytes sent, SIOCOUTQ %d, SIOCOUTQNSD %d", sent, q, nsd);
	close(fd);
	return r;
}

/* MSG_PEEK takes all there is (and no more), MSG_PEEK|MSG_WAITALL up to
 * its length; a plain read gets all that is there in one call. */
static int check_peek(void)
{
	static char buf[8192];
	int fd = dial("S 5000\n"), r = CHECK_OK;
	ssize_t n;
	if (fd < 0)
		return fail("connect: %s", errname(errno));
	if (wait_readable(fd, 5000) != 5000)
		r = fail("5000 bytes did not come: FIONREAD %d", ioctl_int(fd, FIONREAD));
	else if ((n = recv(fd, buf, 8192, MSG_PEEK)) != 5000 || !is_pattern(buf, 5000, 0))
		r = fail("MSG_PEEK of 8192 with 5000 there: %zd", n);
	else if ((n = recv(fd, buf, 4500, MSG_PEEK | MSG_WAITALL)) != 4500 || !is_pattern(buf, 4500, 0))
		r = fail("MSG_PEEK|MSG_WAITALL of 4500: %zd", n);
	else if ((n = recv(fd, buf, 4000, 0)) != 4000 || !is_pattern(buf, 4000, 0))
		r = fail("a read of 4000 with 5000 there: %zd", n);
	else if ((n = recv(fd, buf, 8192, 0)) != 1000 || !is_pattern(buf, 1000, 4000))
		r = fail("the last 1000: %zd", n);
	close(fd);
	return r;
}

/* MSG_WAITALL gathers pieces sent 50 ms apart; at the end of the stream
 * it returns what came; MSG_DONTWAIT says EAGAIN when nothing is there. */
static int check_waitall(void)
{
	static char buf[8192];
	int fd = dial("P 6000 4\n"), f = dial("F 100\n"), e = dial("E\n"), r = CHECK_OK;
	ssize_t n;
	if (fd < 0 || f < 0 || e < 0)
		return fail("connect: %s", errname(errno));
	errno = 0;
	if ((r = want_err("MSG_DONTWAIT with nothing there", recv(e, buf, 10, MSG_DONTWAIT), EAGAIN)))
		;
	else if (write_all(e, "q", 1) || wait_readable(e, 1) != 1 || recv(e, buf, 10, MSG_DONTWAIT) != 1)
		r = fail("MSG_DONTWAIT with a byte there: %s", errname(errno));
	else if ((n = recv(fd, buf, 6000, MSG_WAITALL)) != 6000 || !is_pattern(buf, 6000, 0))
		r = fail("MSG_WAITALL of 6000 sent in 4 pieces: %zd", n);
	else if ((n = recv(f, buf, 200, MSG_WAITALL)) != 100 || !is_pattern(buf, 100, 0))
		r = fail("MSG_WAITALL of 200 from a stream of 100 that ends: %zd", n);
	else if ((n = recv(f, buf, 200, MSG_WAITALL)) != 0)
		r = fail("MSG_WAITALL at the end of the stream: %zd, want 0", n);
	close(fd), close(f), close(e);
	return r;
}

/* Urgent data: FIONREAD counts up to the mark, a read stops there, SIOCATMARK says so, MSG_OOB
 * takes the byte (once), POLLPRI shows it; with SO_OOBINLINE it stays in
 * the stream and MSG_OOB is EINVAL. A byte we send with MSG_OOB is left
 * out of the stream by the receiver (the echo lacks it). */
static int check_oob(void)
{
	char buf[16], c = 0;
	int fd = dial("U\n"), in = socket(AF_INET, SOCK_STREAM, 0), e = dial("E\n"), r = CHECK_OK;
	ssize_t n;
	if (fd < 0 || e < 0 || set_int(in, SOL_SOCKET, SO_OOBINLINE, 1) || (in = dial_fd(in, 0, "U\n")) < 0)
		return fail("connect: %s", errname(errno));
	if (!(wait_events(fd, POLLPRI) & POLLPRI) || ioctl_int(fd, FIONREAD) != 2)
		r = fail("POLLPRI, and FIONREAD %d, want 2 (up to the mark, as Linux's tcp_inq)",
			 ioctl_int(fd, FIONREAD));
	else if ((n = recv(fd, buf, sizeof(buf), 0)) != 2 || memcmp(buf, "ab", 2) || ioctl_int(fd, SIOCATMARK) != 1)
		r = fail("before the mark: %zd bytes, SIOCATMARK %d; want \"ab\", 1", n, ioctl_int(fd, SIOCATMARK));
	else if (recv(fd, &c, 1, MSG_OOB) != 1 || c != 'c')
		r = fail("MSG_OOB: %s, byte %d", errname(errno), c);
	else if ((errno = 0, r = want_err("MSG_OOB again", recv(fd, &c, 1, MSG_OOB), EINVAL)))
		;
	else if ((n = recv(fd, buf, sizeof(buf), 0)) != 2 || memcmp(buf, "de", 2))
		r = fail("after the mark: %zd bytes, want \"de\"", n);
	else if (wait_readable(in, 5) != 5 || (n = recv(in, buf, sizeof(buf), 0)) != 2 ||
		 (n = recv(in, buf, sizeof(buf), 0)) != 3 || memcmp(buf, "cde", 3))
		r = fail("SO_OOBINLINE: %zd bytes after the mark, want \"cde\"", n);
	else if ((errno = 0, r = want_err("MSG_OOB with SO_OOBINLINE", recv(in, &c, 1, MSG_OOB), EINVAL)))
		;
	else if (write_all(e, "x", 1) || send(e, "y", 1, MSG_OOB) != 1 || write_all(e, "z", 1) ||
		 wait_readable(e, 2) != 2 || (n = recv(e, buf, sizeof(buf), 0)) != 2 || memcmp(buf, "xz", 2))
		r = fail("the echo of x, y (MSG_OOB), z: %zd bytes \"%.*s\", want \"xz\"", n, (int)(n > 0 ? n : 0), buf);
	close(fd), close(in), close(e);
	return r;
}

/* send on fd gives -1/EPIPE, with SIGPIPE unless MSG_NOSIGNAL. */
static int want_epipe(int fd, const char *what, size_t len)
{
	int before = sigpipes;
	errno = 0;
	if (want_err(what, send(fd, "x", len, 0), EPIPE) || sigpipes != before + 1)
		return c_why[0] ? CHECK_FAIL : fail("%s: %d SIGPIPE, want 1", what, sigpipes - before);
	before = sigpipes;
	errno = 0;
	if (want_err(what, send(fd, "x", len, MSG_NOSIGNAL), EPIPE) || sigpipes != before)
		return c_why[0] ? CHECK_FAIL : fail("%s with MSG_NOSIGNAL: a SIGPIPE", what);
	return CHECK_OK;
}

/* shutdown: SHUT_WR sends a FIN (the echo ends) and later writes say
 * EPIPE with SIGPIPE; SHUT_RD makes a read return 0 at once and poll say
 * POLLIN|POLLRDHUP; bad values EINVAL, an unconnected socket ENOTCONN,
 * and so does one whose both FINs are through (CLOSE to the program,
 * TCP_INFO's counts with the SYN and FINs as Linux 6.1's). */
static int check_shutdown(void)
{
	char buf[8];
	struct tcp_info ti;
	int fd = dial("E\n"), g = dial("E\n"), u = socket(AF_INET, SOCK_STREAM, 0), r = CHECK_OK, ev;
	if (fd < 0 || g < 0)
		return fail("connect: %s", errname(errno));
	errno = 0;
	if ((r = want_err("shutdown(3)", shutdown(fd, 3), EINVAL)) ||
	    (r = want_err("shutdown of an unconnected socket", shutdown(u, SHUT_RDWR), ENOTCONN)))
		;
	else if (write_all(fd, "hi", 2) || shutdown(fd, SHUT_WR) || wait_readable(fd, 2) != 2 ||
		 recv(fd, buf, sizeof(buf), 0) != 2 || !(wait_events(fd, POLLIN) & POLLIN) ||
		 recv(fd, buf, sizeof(buf), 0) != 0)
		r = fail("SHUT_WR: the echo of 2 bytes then its end did not come: %s", errname(errno));
	else if ((r = want_epipe(fd, "send after SHUT_WR", 1)) || (r = want_epipe(fd, "send of 0 bytes after SHUT_WR", 0)))
		;
	else if (shutdown(g, SHUT_RD) || recv(g, buf, sizeof(buf), MSG_DONTWAIT) != 0)
		r = fail("SHUT_RD: a read did not return 0 at once: %s", errname(errno));
	else if (((ev = wait_events(g, POLLIN | POLLRDHUP | POLLOUT)) & (POLLIN | POLLRDHUP | POLLOUT | POLLHUP)) !=
		 (POLLIN | POLLRDHUP | POLLOUT))
		r = fail("SHUT_RD: poll %#x, want POLLIN|POLLRDHUP|POLLOUT", ev);
	else if (shutdown(g, SHUT_RDWR) || !wait_closed(g))
		r = fail("SHUT_RDWR: the connection did not end (%s)", errname(errno));
	else if ((errno = 0, r = want_err("shutdown after the end", shutdown(g, SHUT_WR), ENOTCONN)))
		;
	else if (tcp_info_of(g, &ti) || ti.tcpi_state != 7 || ti.tcpi_bytes_acked != 4 ||
		 ti.tcpi_bytes_received != 1)
		r = fail("TCP_INFO at the end: state %u bytes_acked %llu bytes_received %llu, want 7, 4 "
			 "(SYN, command, FIN), 1 (FIN)", ti.tcpi_state, (unsigned long long)ti.tcpi_bytes_acked,
			 (unsigned long long)ti.tcpi_bytes_received);
	close(fd), close(g), close(u);
	return r;
}

/*
 * The peer's end: its FIN then our write's reset (Linux's tcp_reset in
 * CLOSE-WAIT: EPIPE, with SIGPIPE); its reset in ESTABLISHED (a read says
 * ECONNRESET once, then 0, and a write EPIPE).
 */
static int check_peer_end(void)
{
	char buf[8];
	int fd = dial("C\n"), rst = dial("R\n"), r = CHECK_OK;
	if (fd < 0 || rst < 0)
		return fail("connect: %s", errname(errno));
	errno = 0;
	if (!(wait_events(fd, POLLIN) & POLLIN) || recv(fd, buf, sizeof(buf), 0) != 0)
		r = fail("the peer's FIN: no end of stream");
	else if (send(fd, "x", 1, 0) != 1)
		r = fail("the first write after the peer's FIN: %s, want 1", errname(errno));
	else if (!wait_hup(fd))
		r = fail("no reset after writing to a closed peer");
	else if ((r = want_epipe(fd, "write after the reset", 1)))
		;
	else if (!wait_hup(rst))
		r = fail("the peer's reset did not come");
	else if ((errno = 0, r = want_err("read after a reset", recv(rst, buf, sizeof(buf), 0), ECONNRESET)))
		;
	else if (recv(rst, buf, sizeof(buf), 0) != 0)
		r = fail("the second read after a reset: %s, want 0", errname(errno));
	else
		r = want_epipe(rst, "write after a reset", 1);
	close(fd), close(rst);
	return r;
}

static const struct check checks[] = {
	{ "tcp_info", check_tcp_info },
	{ "opt_ranges", check_opt_ranges },
	{ "cork", check_cork },
	{ "keepalive", check_keepalive },
	{ "ioctls", check_ioctls },
	{ "outq", check_outq },
	{ "peek", check_peek },
	{ "waitall", check_waitall },
	{ "oob", check_oob },
	{ "shutdown", check_shutdown },
	{ "peer_end", check_peer_end },
};

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]));
	if (argc < 3 || inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
		fprintf(stderr, "usage: t-tcpopts serve PORT | t-tcpopts HOST PORT [CHECK...]\n");
		return 2;
	}
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)atoi(argv[2]));
	signal(SIGPIPE, on_sigpipe);
	argv[2] = argv[0];
	return run_checks("tcpopts", checks, NELEMS(checks), argc - 2, argv + 2);
}
