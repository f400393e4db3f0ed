// SPDX-License-Identifier: MIT
// sethostname/setdomainname, /proc/sys/{kernel,net} (read, written, spliced) and
// /proc/net/{netstat,raw,icmp}, checked against Linux 6.1.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checks.h"

/*
 * What uname(1), hostname(1), sysctl(8), netstat -s/-w and ss read and
 * write. Every change is made either in a new UTS or network namespace
 * (Linux) or, where there is none (Kestrel: unshare says EINVAL), only
 * on Kestrel and put back after; on the build machine as root nothing
 * outside a namespace is written but values it already has.
 */
#define NOBODY      65534
#define TEXT_MAX    4096
#define UTS_LEN     64          /* __NEW_UTS_LEN */
#define RAW_PROTO   253         /* RFC 3692's experimental protocol: nobody else's */
#define SYS_NET4    "/proc/sys/net/ipv4/"
#define SYS_CORE    "/proc/sys/net/core/"

/* A file's text into buf (NUL-terminated): its length, or -1 with errno. */
static int read_text(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r = 0;

	if (fd < 0)
		return -1;
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	int e = errno;
	close(fd);
	buf[n] = 0;
	errno = e;
	return r < 0 ? -1 : (int)n;
}

/* Write text to path at position 0: write's result, or -1 with errno. */
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


/* May this process change what flags (CLONE_NEWUTS, CLONE_NEWNET) covers?
 * In a new namespace (Linux), or on Kestrel (one namespace, put back by the caller). */
static bool private_or_kestrel(int flags)
{
	return unshare(flags) == 0 || on_kestrel();
}

/* ---- names ---------------------------------------------------------------------- */

/* /proc/sys/kernel/NAME reads want and a newline (LTP's newuname01). */
static int want_kernel_file(const char *name, const char *want)
{
	char path[64], text[TEXT_MAX];
	size_t n = strlen(want);

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	if (read_text(path, text, sizeof(text)) < 0)
		return fail("%s: %s", path, errname(errno));
	if (strncmp(text, want, n) || strcmp(text + n, "\n"))
		return fail("%s reads \"%s\", uname says \"%s\"", path, text, want);
	return CHECK_OK;
}

/* sysname is "Linux" (LTP's uname01: programs decide by it which ABI they
 * talk to), and ostype, osrelease and version say what uname says. */
static int check_uname_fixed(const struct utsname *u)
{
	if (strcmp(u->sysname, "Linux"))
		return fail("sysname \"%s\", want \"Linux\"", u->sysname);
	if (want_kernel_file("ostype", u->sysname) || want_kernel_file("osrelease", u->release) ||
	    want_kernel_file("version", u->version))
		return CHECK_FAIL;
	return CHECK_OK;
}

static int check_uname_matches_proc(void)
{
	struct utsname u;
	char host[TEXT_MAX], dom[TEXT_MAX];

	if (uname(&u) || read_text("/proc/sys/kernel/hostname", host, sizeof(host)) < 0 ||
	    read_text("/proc/sys/kernel/domainname", dom, sizeof(dom)) < 0)
		return fail("uname or /proc/sys/kernel: %s", errname(errno));
	size_t hl = strlen(u.nodename), dl = strlen(u.domainname);
	if (strncmp(host, u.nodename, hl) || strcmp(host + hl, "\n"))
		return fail("hostname file %s, uname %s", host, u.nodename);
	if (strncmp(dom, u.domainname, dl) || strcmp(dom + dl, "\n"))
		return fail("domainname file %s, uname %s", dom, u.domainname);
	return check_uname_fixed(&u);
}

/* EPERM comes first (kernel/sys.c), then the length, then the bytes. */
static int check_sethostname_errors(void)
{
	char name[UTS_LEN + 2] = "x";
	int r;

	if (geteuid() != 0) {
		errno = 0;
		return want_err("sethostname as a user", sethostname(name, 1), EPERM);
	}
	errno = 0;
	if ((r = want_err("sethostname(65)", sethostname(name, UTS_LEN + 1), EINVAL)) != CHECK_OK)
		return r;
	errno = 0;
	if ((r = want_err("sethostname(-1)", syscall(SYS_sethostname, name, -1), EINVAL)) != CHECK_OK)
		return r;
	errno = 0;
	if ((r = want_err("setdomainname(65)", setdomainname(name, UTS_LEN + 1), EINVAL)) != CHECK_OK)
		return r;
	errno = 0;
	return want_err("sethostname(bad pointer)", sethostname((const char *)8, 4), EFAULT);
}

static int eperm_child(void)
{
	if (setgid(NOBODY) || setuid(NOBODY))
		return 2;
	if (sethostname("x", 1) != -1 || errno != EPERM)
		return 3;
	if (setdomainname("x", 1) != -1 || errno != EPERM)
		return 4;
	if (open("/proc/sys/kernel/hostname", O_WRONLY) != -1 || errno != EACCES)
		return 5;
	if (open(SYS_CORE "somaxconn", O_WRONLY) != -1 || errno != EACCES)
		return 6;
	return 0;
}

static int check_eperm_without_cap(void)
{
	if (geteuid() != 0)
		return skip("not root: cannot become nobody");
	pid_t pid = fork();
	if (pid == 0)
		_exit(eperm_child());
	return want_exit("nobody's sethostname, setdomainname and sysctl writes", pid, 0);
}

/* In the child: set, look, write /proc, look, put back. Exit 0 or a step number. */
static int change_child(void)
{
	struct utsname u, was;
	char text[TEXT_MAX];

	if (!private_or_kestrel(CLONE_NEWUTS))
		return 100;
	if (uname(&was))
		return 2;
	if (sethostname("conform-a", 9) || uname(&u) || strcmp(u.nodename, "conform-a"))
		return 3;
	if (write_text("/proc/sys/kernel/hostname", "via-proc\nrest") != 13 || uname(&u) ||
	    strcmp(u.nodename, "via-proc"))
		return 4;
	if (read_text("/proc/sys/kernel/hostname", text, sizeof(text)) < 0 || strcmp(text, "via-proc\n"))
		return 5;
	if (setdomainname("dom.example", 11) || uname(&u) || strcmp(u.domainname, "dom.example"))
		return 6;
	if (sethostname("", 0) || uname(&u) || u.nodename[0])
		return 7;
	if (sethostname(was.nodename, strlen(was.nodename)) || setdomainname(was.domainname, strlen(was.domainname)))
		return 8;
	return 0;
}

static int check_names_change(void)
{
	int st;

	if (geteuid() != 0)
		return skip("not root");
	pid_t pid = fork();
	if (pid == 0)
		_exit(change_child());
	if (pid < 0 || wait_child(pid, 5000, &st) != CHECK_OK)
		return fail("fork or wait");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 100)
		return skip("no private UTS namespace, and not Kestrel");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return fail("step %d failed", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return CHECK_OK;
}

/* ---- /proc/sys/net ---------------------------------------------------------------- */

static const struct { const char *path; int n; } net_files[] = {
	{ SYS_CORE "rmem_default", 1 }, { SYS_CORE "rmem_max", 1 }, { SYS_CORE "somaxconn", 1 },
	{ SYS_CORE "wmem_default", 1 }, { SYS_CORE "wmem_max", 1 },
	{ SYS_NET4 "ip_default_ttl", 1 }, { SYS_NET4 "ip_forward", 1 },
	{ SYS_NET4 "ip_local_port_range", 2 }, { SYS_NET4 "ping_group_range", 2 },
	{ SYS_NET4 "tcp_fin_timeout", 1 }, { SYS_NET4 "tcp_keepalive_intvl", 1 },
	{ SYS_NET4 "tcp_keepalive_probes", 1 }, { SYS_NET4 "tcp_keepalive_time", 1 },
	{ SYS_NET4 "tcp_max_reordering", 1 }, { SYS_NET4 "tcp_notsent_lowat", 1 },
	{ SYS_NET4 "tcp_recovery", 1 }, { SYS_NET4 "tcp_reordering", 1 },
	{ SYS_NET4 "tcp_rmem", 3 }, { SYS_NET4 "tcp_sack", 1 },
	{ SYS_NET4 "tcp_syncookies", 1 },
	{ SYS_NET4 "tcp_timestamps", 1 }, { SYS_NET4 "tcp_tso_win_divisor", 1 },
	{ SYS_NET4 "tcp_window_scaling", 1 }, { SYS_NET4 "tcp_wmem", 3 },
};

/* text is n decimal numbers, tab-separated, and a newline: 0 with v, or -1. */
static int parse_vector(const char *text, int n, long *v)
{
	const char *p = text;

	for (int i = 0; i < n; i++) {
		char *end;
		if (i && *p++ != '\t')
			return -1;
		if (!((*p >= '0' && *p <= '9') || *p == '-'))
			return -1;
		v[i] = strtol(p, &end, 10);
		p = end;
	}
	return strcmp(p, "\n") ? -1 : 0;
}

static int read_vector(const char *path, int n, long *v)
{
	char text[TEXT_MAX];

	if (read_text(path, text, sizeof(text)) < 0)
		return fail("%s: %s", path, errname(errno));
	if (parse_vector(text, n, v))
		return fail("%s: \"%s\" is not %d tab-separated numbers", path, text, n);
	return CHECK_OK;
}

static int check_net_format(void)
{
	long v[3];
	int r;

	for (size_t i = 0; i < NELEMS(net_files); i++)
		if ((r = read_vector(net_files[i].path, net_files[i].n, v)) != CHECK_OK)
			return r;
	if ((r = read_vector(SYS_NET4 "ip_local_port_range", 2, v)) != CHECK_OK)
		return r;
	if (v[0] > v[1] || v[0] < 1 || v[1] > 65535)
		return fail("ip_local_port_range %ld %ld", v[0], v[1]);
	return CHECK_OK;
}

/* Each file is listed by readdir of its directory, as a regular file. */
static int check_net_listed(void)
{
	for (size_t i = 0; i < NELEMS(net_files); i++) {
		char dir[128];
		const char *slash = strrchr(net_files[i].path, '/');
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - net_files[i].path), net_files[i].path);
		DIR *d = opendir(dir);
		struct dirent *e;
		bool seen = false;
		if (!d)
			return fail("%s: %s", dir, errname(errno));
		while (!seen && (e = readdir(d)))
			seen = strcmp(e->d_name, slash + 1) == 0 && e->d_type == DT_REG;
		closedir(d);
		if (!seen)
			return fail("%s not listed in %s", slash + 1, dir);
	}
	return CHECK_OK;
}

/* /proc/net/snmp's DefaultTTL is ip_default_ttl. */
static int check_ttl_in_snmp(void)
{
	char text[TEXT_MAX];
	long ttl, fwd, snmp_ttl;
	int r;

	if ((r = read_vector(SYS_NET4 "ip_default_ttl", 1, &ttl)) != CHECK_OK)
		return r;
	if ((r = read_vector(SYS_NET4 "ip_forward", 1, &fwd)) != CHECK_OK)
		return r;
	if (read_text("/proc/net/snmp", text, sizeof(text)) < 0)
		return fail("/proc/net/snmp: %s", errname(errno));
	char *vals = strstr(text, "\nIp: ");
	long snmp_fwd;
	if (!vals || sscanf(vals, "\nIp: %ld %ld", &snmp_fwd, &snmp_ttl) != 2)
		return fail("no Ip: values line");
	if (snmp_ttl != ttl || snmp_fwd != (fwd ? 1 : 2))
		return fail("snmp Forwarding %ld DefaultTTL %ld, sysctls %ld %ld", snmp_fwd, snmp_ttl, fwd, ttl);
	return CHECK_OK;
}

/* Writes Linux refuses (-EINVAL, nothing changed), then the values written back. */
static const struct { const char *file, *text; } bad_writes[] = {
	{ "ip_local_port_range", "1000 2000" },   /* below ip_unprivileged_port_start */
	{ "ip_local_port_range", "40000 30000" }, /* high below low */
	{ "ip_local_port_range", "40000 70000" },
	{ "ip_local_port_range", "abc" },
	{ "ip_local_port_range", " \n" },
	{ "ip_default_ttl", "0" },
	{ "ip_default_ttl", "256" },
	{ "ip_default_ttl", "64x" },
	{ "ping_group_range", "-1 0" },         /* (above 2^31 - 1: EINVAL in 6.1, taken since 6.8) */
	{ "tcp_rmem", "0 131072 6291456" },     /* each at least 1 (6.1's extra1 = SYSCTL_ONE) */
	{ "tcp_rmem", "4096 131072 -1" },
	{ "tcp_timestamps", "256" },            /* a byte (proc_dou8vec_minmax) */
	{ "tcp_tso_win_divisor", "256" },       /* a byte too */
};

static int check_net_writes(void)
{
	char path[128], before[TEXT_MAX], after[TEXT_MAX];

	if (geteuid() != 0)
		return skip("not root");
	for (size_t i = 0; i < NELEMS(bad_writes); i++) {
		snprintf(path, sizeof(path), SYS_NET4 "%s", bad_writes[i].file);
		if (read_text(path, before, sizeof(before)) < 0)
			return fail("%s: %s", path, errname(errno));
		errno = 0;
		long r = write_text(path, bad_writes[i].text);
		if (r != -1 || errno != EINVAL)
			return fail("%s <- \"%s\": %ld/%s, want -1/EINVAL", path, bad_writes[i].text, r, errname(errno));
		if (read_text(path, after, sizeof(after)) < 0 || strcmp(before, after))
			return fail("%s changed by a refused write", path);
		if (write_text(path, before) != (long)strlen(before))
			return fail("%s <- its own value: %s", path, errname(errno));
	}
	errno = 0;
	if (write_text(SYS_CORE "somaxconn", "-1") != -1 || errno != EINVAL)
		return fail("somaxconn <- -1: %s, want EINVAL", errname(errno));
	return CHECK_OK;
}

/* ping_group_range "1 0" shuts root out of ping sockets; a reversed range reads back as "1 0". */
static int ping_range_child(void)
{
	char was[TEXT_MAX], text[TEXT_MAX];

	if (!private_or_kestrel(CLONE_NEWNET))
		return 100;
	if (read_text(SYS_NET4 "ping_group_range", was, sizeof(was)) < 0)
		return 2;
	if (write_text(SYS_NET4 "ping_group_range", "5 3") != 3)
		return 3;
	if (read_text(SYS_NET4 "ping_group_range", text, sizeof(text)) < 0 || strcmp(text, "1\t0\n"))
		return 4;
	int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (write_text(SYS_NET4 "ping_group_range", was) < 0)
		return 5;
	if (fd >= 0 || e != EACCES)
		return 6;
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0 && errno != EACCES)
		return 7;
	if (fd >= 0)
		close(fd);
	return 0;
}

static int check_ping_group_range(void)
{
	int st;

	if (geteuid() != 0)
		return skip("not root");
	pid_t pid = fork();
	if (pid == 0)
		_exit(ping_range_child());
	if (pid < 0 || wait_child(pid, 5000, &st) != CHECK_OK)
		return fail("fork or wait");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 100)
		return skip("no private network namespace, and not Kestrel");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return fail("step %d failed", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return CHECK_OK;
}

/* ---- /proc/net ---------------------------------------------------------------------- */

static int count_words(const char *line, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += line[i] == ' ';
	return n;
}

/* Lines 1-4: TcpExt: names, TcpExt: values, IpExt: names, IpExt: values. */
static int check_netstat(void)
{
	char text[TEXT_MAX * 2];
	const char *line[4];
	size_t len[4];
	const char *p = text;

	if (read_text("/proc/net/netstat", text, sizeof(text)) < 0)
		return fail("/proc/net/netstat: %s", errname(errno));
	for (int i = 0; i < 4; i++) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			return fail("%d lines, want at least 4", i);
		line[i] = p;
		len[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	if (strncmp(line[0], "TcpExt: SyncookiesSent SyncookiesRecv ", 38) || strncmp(line[1], "TcpExt: ", 8) ||
	    strncmp(line[2], "IpExt: InNoRoutes InTruncatedPkts ", 34) || strncmp(line[3], "IpExt: ", 7))
		return fail("not TcpExt/IpExt header and value lines");
	if (count_words(line[0], len[0]) != count_words(line[1], len[1]) ||
	    count_words(line[2], len[2]) != count_words(line[3], len[3]))
		return fail("names and values differ in number");
	if (!memmem(line[0], len[0], " ListenOverflows ListenDrops ", 28))
		return fail("no ListenOverflows ListenDrops");
	remark("%d TcpExt, %d IpExt counters", count_words(line[0], len[0]), count_words(line[2], len[2]));
	return CHECK_OK;
}

/* The line of file whose inode column is ino holds want (a "local:port rem:port st" text). */
static int find_sock_line(const char *file, unsigned long ino, const char *want)
{
	char text[TEXT_MAX * 4], *save = NULL;

	if (read_text(file, text, sizeof(text)) < 0)
		return fail("%s: %s", file, errname(errno));
	if (strncmp(text, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
			  "timeout inode ref pointer drops", 111))
		return fail("%s: header \"%.40s...\"", file, text);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long got; /* the tenth column: sl local rem st queues tr retrnsmt uid timeout inode */
		if (sscanf(l, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &got) != 1 || got != ino)
			continue;
		return strstr(l, want) ? CHECK_OK : fail("%s: line \"%s\", want \"%s\"", file, l, want);
	}
	return fail("%s: no line with inode %lu", file, ino);
}

static int check_proc_net_raw(void)
{
	struct stat st;
	char want[64];

	int fd = socket(AF_INET, SOCK_RAW, RAW_PROTO);
	if (fd < 0)
		return errno == EPERM ? skip("no CAP_NET_RAW") : fail("raw socket: %s", errname(errno));
	fstat(fd, &st);
	snprintf(want, sizeof(want), ": 00000000:%04X 00000000:0000 07 ", RAW_PROTO);
	int r = find_sock_line("/proc/net/raw", (unsigned long)st.st_ino, want);
	close(fd);
	return r;
}

static int check_proc_net_icmp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct stat st;
	char want[64];

	int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0)
		return errno == EACCES ? skip("not in ping_group_range") : fail("ping socket: %s", errname(errno));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return fail("bind: %s", errname(errno));
	}
	fstat(fd, &st);
	snprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 07 ", ntohs(a.sin_port));
	int r = find_sock_line("/proc/net/icmp", (unsigned long)st.st_ino, want);
	close(fd);
	return r;
}

/* ---- kernel.pid_max and kernel.tainted ----------------------------------------- */

#define PID_MAX_FILE "/proc/sys/kernel/pid_max"
#define PID_MIN_MAX  301       /* RESERVED_PIDS + 1: the least pid_max */
#define PID_MAX_MAX  4194304   /* PID_MAX_LIMIT on 64-bit */
#define WRAP_FORKS   40        /* forks past the wrap */
#define RESERVED     300       /* where pids start again after wrapping */
#define WRAP_HOLDERS 3         /* live processes whose pids a wrap must pass over (remark: 3) */
#define NS_LAST_PID_FILE "/proc/sys/kernel/ns_last_pid"

/* The pids of n children made one after another (each exits at once and
 * is reaped): 0, or -1 when a fork fails. */
static int fork_pids(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		if (c < 0)
			return -1;
		waitpid(c, NULL, 0);
		pids[i] = c;
	}
	return 0;
}

/* Children that sleep until killed (holders[i] 0 where fork failed),
 * made with ns_last_pid at RESERVED: their pids are among the first a
 * wrap reaches, and stay in use. ns_last_pid is set back to last. */
static void hold_low_pids(pid_t *holders, int n, int last)
{
	char text[32];

	write_text(NS_LAST_PID_FILE, "300");
	for (int i = 0; i < n; i++) {
		holders[i] = fork();
		if (holders[i] == 0) {
			for (;;)
				pause();
		}
		if (holders[i] < 0)
			holders[i] = 0;
	}
	snprintf(text, sizeof(text), "%d", last);
	write_text(NS_LAST_PID_FILE, text);
}

static void release_holders(const pid_t *holders, int n)
{
	for (int i = 0; i < n; i++)
		if (holders[i] > 0) {
			kill(holders[i], SIGKILL);
			waitpid(holders[i], NULL, 0);
		}
}

/* CHECK_OK unless pid is one of the n live holders'. */
static int not_held(pid_t pid, const pid_t *holders, int n)
{
	for (int i = 0; i < n; i++)
		if (holders[i] == pid)
			return fail("a wrapped fork got pid %d, which a live process has", pid);
	return CHECK_OK;
}

/* With pid_max a little above the newest pid, new pids stay below it and
 * wrap back to 300 and up, passing over the pids live processes hold
 * (only on Kestrel: a shared Linux machine's pid_max is not this
 * program's to change). */
static int pid_wrap(void)
{
	char was[TEXT_MAX], text[32], load[128];
	static pid_t pids[RESERVED + 2 * WRAP_FORKS];
	pid_t holders[WRAP_HOLDERS];
	int r = CHECK_OK;

	if (read_text("/proc/loadavg", load, sizeof(load)) < 0 || !strrchr(load, ' ') ||
	    read_text(PID_MAX_FILE, was, sizeof(was)) < 0)
		return fail("/proc/loadavg or pid_max: %s", errname(errno));
	int last = atoi(strrchr(load, ' ') + 1);
	int floor = RESERVED + WRAP_FORKS / 2; /* room for pids to wrap into */
	int max = last + WRAP_FORKS / 2 > floor ? last + WRAP_FORKS / 2 : floor;
	int n = max - last + WRAP_FORKS; /* to pid_max, then past the wrap */
	snprintf(text, sizeof(text), "%d", max);
	if (n > (int)NELEMS(pids) || write_text(PID_MAX_FILE, text) < 0)
		return fail("pid_max <- %s (%d forks): %s", text, n, errname(errno));
	hold_low_pids(holders, WRAP_HOLDERS, last);
	int err = fork_pids(pids, n);
	int e = errno;
	write_text(PID_MAX_FILE, was);
	if (err) {
		release_holders(holders, WRAP_HOLDERS);
		return fail("fork under pid_max %d: %s", max, errname(e));
	}
	bool wrapped = false;
	for (int i = 0; i < n && !r; i++) {
		wrapped |= i && pids[i] < pids[i - 1];
		if (pids[i] >= max || (wrapped && pids[i] < RESERVED))
			r = fail("pid %d under pid_max %d (%s)", pids[i], max, wrapped ? "wrapped: 300 and up" : "");
		else
			r = not_held(pids[i], holders, WRAP_HOLDERS);
	}
	release_holders(holders, WRAP_HOLDERS);
	if (!r && wrapped)
		remark("%d forks under pid_max %d wrapped, passing over held pids %d %d %d", n, max,
		       holders[0], holders[1], holders[2]);
	return !r && !wrapped ? fail("%d forks under pid_max %d never wrapped", n, max) : r;
}

/* pid_max: within Linux's bounds, above every pid, 300 and 4194305
 * refused; on Kestrel pids wrap below it. tainted reads as a number. */
static int check_pid_max(void)
{
	char text[TEXT_MAX], after[TEXT_MAX];

	if (read_text(PID_MAX_FILE, text, sizeof(text)) < 0)
		return fail("%s: %s", PID_MAX_FILE, errname(errno));
	long v = atol(text);
	if (v < PID_MIN_MAX || v > PID_MAX_MAX || getpid() >= v)
		return fail("pid_max %ld, pid %d", v, getpid());
	if (read_text("/proc/sys/kernel/tainted", after, sizeof(after)) < 0 || after[0] < '0' || after[0] > '9')
		return fail("kernel/tainted: %s", errname(errno));
	if (geteuid() != 0)
		return CHECK_OK;
	static const char *const bad[] = { "300", "4194305" };
	for (size_t i = 0; i < NELEMS(bad); i++) {
		errno = 0;
		if (write_text(PID_MAX_FILE, bad[i]) != -1 || errno != EINVAL)
			return fail("pid_max <- %s: %s, want EINVAL", bad[i], errname(errno));
	}
	if (read_text(PID_MAX_FILE, after, sizeof(after)) < 0 || strcmp(text, after))
		return fail("pid_max changed by a refused write");
	return on_kestrel() ? pid_wrap() : CHECK_OK;
}

#define PIPE_MAX "/proc/sys/fs/pipe-max-size"

/* A /proc/sys file's text through splice into a pipe: its length, or -1. */
static long splice_out(const char *path, char *buf, size_t cap)
{
	int p[2], fd = open(path, O_RDONLY);
	long n = -1;

	if (fd >= 0 && pipe(p) == 0) {
		if (splice(fd, NULL, p[1], NULL, cap - 1, 0) > 0)
			n = read(p[0], buf, cap - 1);
		close(p[0]);
		close(p[1]);
	}
	if (fd >= 0)
		close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* text through a pipe and splice into a /proc/sys file: 0 or -1. */
static int splice_in(const char *path, const char *text)
{
	int p[2], fd = open(path, O_WRONLY), r = -1;

	if (fd >= 0 && pipe(p) == 0) {
		if (write(p[1], text, strlen(text)) == (ssize_t)strlen(text) &&
		    splice(p[0], NULL, fd, NULL, strlen(text), 0) == (ssize_t)strlen(text))
			r = 0;
		close(p[0]);
		close(p[1]);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* /proc/sys files splice to and from pipes (LTP's splice06): the text a
 * read gives, and a value written (root: pipe-max-size, put back). */
static int check_splice(void)
{
	char got[64], want[64];
	FILE *f = fopen(PIPE_MAX, "r");
	long old = 0;

	if (!f || fscanf(f, "%ld", &old) != 1) {
		if (f)
			fclose(f);
		return fail("read %s: %s", PIPE_MAX, strerror(errno));
	}
	fclose(f);
	snprintf(want, sizeof(want), "%ld\n", old);
	if (splice_out(PIPE_MAX, got, sizeof(got)) < 0 || strcmp(got, want))
		return fail("splice from %s: \"%s\" (%s), want \"%s\"", PIPE_MAX, got, strerror(errno), want);
	if (geteuid() != 0)
		return CHECK_OK;
	int r = splice_in(PIPE_MAX, "8192") ? fail("splice into %s: %s", PIPE_MAX, strerror(errno)) :
		splice_out(PIPE_MAX, got, sizeof(got)) < 0 || strcmp(got, "8192\n") ?
		fail("after splicing 8192 in, %s reads \"%s\"", PIPE_MAX, got) : CHECK_OK;
	snprintf(want, sizeof(want), "%ld", old);
	f = fopen(PIPE_MAX, "w");
	if (!f || fputs(want, f) < 0 || fclose(f))
		return fail("put %s back: %s", PIPE_MAX, strerror(errno));
	return r;
}

static const struct check checks[] = {
	{ "uname-matches-proc", check_uname_matches_proc },
	{ "sethostname-errors", check_sethostname_errors },
	{ "eperm-without-cap", check_eperm_without_cap },
	{ "names-change", check_names_change },
	{ "net-format", check_net_format },
	{ "net-listed", check_net_listed },
	{ "ttl-in-snmp", check_ttl_in_snmp },
	{ "net-writes", check_net_writes },
	{ "ping-group-range", check_ping_group_range },
	{ "netstat", check_netstat },
	{ "proc-net-raw", check_proc_net_raw },
	{ "proc-net-icmp", check_proc_net_icmp },
	{ "pid-max", check_pid_max },
	{ "splice", check_splice },
};

int main(int argc, char **argv)
{
	return run_checks("conform-sysctl", checks, NELEMS(checks), argc, argv);
}
