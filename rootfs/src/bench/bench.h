/* SPDX-License-Identifier: MIT */
/* Shared helpers of the benchmark programs: the iteration count, the clock, the one result line. */
#ifndef ROOTFS_BENCH_H
#define ROOTFS_BENCH_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Every benchmark is `bench-NAME ITERATIONS` and prints exactly one line,
 * `bench NAME VALUE UNIT` (one per metric where it has more: tcp_stream's
 * MB/s, disk's rows), then exits 0. When it cannot measure (a system
 * call fails, a child dies) it prints `bench-error NAME why` instead and
 * exits 1: tools/bench.py shows that reason in place of the number. Each
 * line is one write(1), so it survives however the process ends and never
 * interleaves with a child's output.
 */
static const char *b_name = "?";

static inline void b_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void b_line(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) != n)
		_exit(2);
}

/* b_fail: report why NAME cannot be measured (what failed, and errno's text) and exit 1. */
static inline void __attribute__((noreturn)) b_fail(const char *what)
{
	b_line("bench-error %s %s: %s", b_name, what, strerror(errno));
	exit(1);
}

/* b_fail_status: report a child that did not exit 0 (wait status ws) and exit 1. */
static inline void __attribute__((noreturn)) b_fail_status(const char *what, int ws)
{
	if (WIFSIGNALED(ws))
		b_line("bench-error %s %s: killed by signal %d", b_name, what, WTERMSIG(ws));
	else
		b_line("bench-error %s %s: exit status %d", b_name, what, WEXITSTATUS(ws));
	exit(1);
}

/* b_begin: name the benchmark and return the iteration count (argv[1], else dflt). */
static inline long b_begin(const char *name, int argc, char **argv, long dflt)
{
	b_name = name;
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : dflt;
	if (n <= 0) {
		b_line("bench-error %s bad iteration count '%s'", name, argv[1]);
		exit(1);
	}
	return n;
}

/* b_now: CLOCK_MONOTONIC in nanoseconds. */
static inline long long b_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		b_fail("clock_gettime");
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* b_report: print `bench NAME VALUE UNIT` for ns nanoseconds over n units of work. */
static inline void b_report(long long ns, long n, const char *unit)
{
	double per = (double)ns / (double)n;

	if (strcmp(unit, "us") == 0)
		per /= 1000.0;
	b_line("bench %s %.3f %s", b_name, per, unit);
}

/* b_wait: reap pid with wait4 and fail unless it exited 0. */
static inline void b_wait(pid_t pid, const char *what)
{
	int ws;

	while (wait4(pid, &ws, 0, NULL) < 0)
		if (errno != EINTR)
			b_fail("wait4");
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		b_fail_status(what, ws);
}

#endif
