/* SPDX-License-Identifier: MIT */
/* Reporting helpers shared by the self-test programs: one line per message, one write each. */
#ifndef ROOTFS_SELFTEST_H
#define ROOTFS_SELFTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

/*
 * The verdict that counts is how the program ends (the kernel's harness and
 * tests/linux/run-selftest-list.sh judge that); these lines are for the human
 * reading the serial log. Every line is "NAME: ...", failures "NAME: FAIL why".
 */
static const char *t_name = "?";
static int t_failures;

/* t_begin: set the NAME every later line starts with. */
/* Kestrel's uname says "Linux", as the kernel whose ABI it implements
 * (programs and build scripts decide by it); its release ends in
 * "-kestrel". True on Kestrel, false on Linux (the build machine, the
 * Linux guests) or when uname fails. */
static inline int on_kestrel(void)
{
	static const char suffix[] = "-kestrel";
	struct utsname u;
	size_t n;

	if (uname(&u) != 0)
		return 0;
	n = strlen(u.release);
	return n >= sizeof(suffix) - 1 && strcmp(u.release + n - (sizeof(suffix) - 1), suffix) == 0;
}

static inline void t_begin(const char *name)
{
	t_name = name;
}

/*
 * t_vsay: format "NAME: " + fmt + "\n" and hand it over in a single write(1).
 * Not printf: stdout is fully buffered when it is not a terminal, and several
 * of these programs end by a signal, which would throw the buffer away.
 */
static inline void t_vsay(const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf) / 2, "%s: ", t_name);
	int room = (int)sizeof(buf) - n - 1;	/* one byte kept for the newline */
	int m = vsnprintf(buf + n, room, fmt, ap);

	if (m > 0)
		n += m < room ? m : room - 1;	/* a long line is cut, not dropped */
	buf[n++] = '\n';
	if (write(1, buf, n) != n)
		t_failures++;
}

__attribute__((format(printf, 1, 2)))
static inline void t_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t_vsay(fmt, ap);
	va_end(ap);
}

/* t_fail: report one failed check ("NAME: FAIL why") and remember it. */
__attribute__((format(printf, 1, 2)))
static inline void t_fail(const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	t_say("FAIL %s", why);
	t_failures++;
}

/* t_finish: the closing "NAME: PASS" line when nothing failed; returns main's status. */
static inline int t_finish(void)
{
	if (t_failures == 0)
		t_say("PASS");
	return t_failures == 0 ? 0 : 1;
}

#endif
