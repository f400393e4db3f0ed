// SPDX-License-Identifier: MIT
/* The `echo` boot test's loop (dev/console.h): lines typed through the TTY, logged; above both the console and the TTY, which it reads through. */
#include "dev/console.h"

#include <stdint.h>

#include "log.h"
#include "dev/tty.h"
#include "lib/printf.h"
#include "lib/string.h"

#define ECHO_EXIT     "exit"  /* the line that ends the loop */
#define ECHO_LINE_MAX 100     /* longer lines are cut; shown escaped it still fits a log line */
#define CH_LF  0x0a
#define PRINTABLE_FIRST 0x20
#define PRINTABLE_LAST  0x7e

struct echo_line {
	char text[ECHO_LINE_MAX];
	size_t len;
};

/* Logs the line with bytes outside printable ASCII (and '\') as \xNN. */
static void echo_log(const struct echo_line *l)
{
	char shown[ECHO_LINE_MAX * 4 + 1];
	size_t n = 0;

	for (size_t i = 0; i < l->len; i++) {
		uint8_t c = (uint8_t)l->text[i];

		if (c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST && c != '\\')
			shown[n++] = (char)c;
		else
			n += (size_t)ksnprintf(shown + n, sizeof(shown) - n, "\\x%02x", c);
	}
	shown[n] = '\0';
	klog(LOG_INFO, "console: got line '%s'\n", shown);
}

/* Reads one line from the TTY (which edits and echoes it), keeping its
 * first ECHO_LINE_MAX bytes. An end of file (^D) reads as nothing. */
static void echo_read_line(struct echo_line *l)
{
	char c;

	l->len = 0;
	for (;;) {
		if (tty_read_kernel(&c, 1) != 1)
			continue;
		if (c == CH_LF)
			return;
		if (l->len < ECHO_LINE_MAX)
			l->text[l->len++] = c;
	}
}

void console_echo_loop(void)
{
	struct echo_line line;

	if (!console_echo_wanted())
		return;
	if (!console_input_present()) {
		klog(LOG_WARN, "console: echo: no input source, not waiting\n");
		return;
	}
	tty_init();
	klog(LOG_INFO, "console: echo: type lines, 'exit' ends\n");
	for (;;) {
		echo_read_line(&line);
		echo_log(&line);
		if (line.len == strlen(ECHO_EXIT) && memcmp(line.text, ECHO_EXIT, line.len) == 0)
			return;
	}
}
