/* SPDX-License-Identifier: MIT */
/* Host unit test: the terminal line discipline (kernel/dev/tty_ldisc.c): editing, echo, EOF, signal characters, raw mode, output processing. */
#include <stdlib.h>

#include "unit.h"
#include "dev/tty_ldisc.h"

static struct ldisc ld;
static char echoed[256];    /* everything echoed since reset(), NUL-terminated */
static size_t echoed_len;
static int signals[16];     /* signals raised since reset() */
static int nsignals;

static void hook_echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (echoed_len + n >= sizeof(echoed))
		abort();
	memcpy(echoed + echoed_len, s, n);
	echoed_len += n;
	echoed[echoed_len] = 0;
}

static void hook_signal(void *ctx, int sig)
{
	(void)ctx;
	if (nsignals == (int)(sizeof(signals) / sizeof(signals[0])))
		abort();
	signals[nsignals++] = sig;
}

static void reset(void)
{
	static const struct ldisc_hooks hooks = { hook_echo, hook_signal, NULL };

	ldisc_init(&ld, &hooks);
	echoed_len = 0;
	echoed[0] = 0;
	nsignals = 0;
}

static void type(const char *s)
{
	ldisc_receive(&ld, s, strlen(s));
}

/* One read of up to n bytes, NUL-terminated in a static buffer. */
static const char *read_n(size_t n, bool *line_end)
{
	static char out[LDISC_BUF_SIZE + 1];
	size_t got = ldisc_read(&ld, out, n, line_end);

	out[got] = 0;
	return out;
}

static void set_lflag(uint32_t on, uint32_t off)
{
	struct termios_k t = ld.t;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(&ld, &t);
}

UNIT_TEST(defaults_are_linux_sane)
{
	reset();
	CHECK_EQ(sizeof(struct termios_k), 36);
	CHECK(ld.t.c_lflag & ICANON);
	CHECK(ld.t.c_lflag & ECHO);
	CHECK(ld.t.c_lflag & ISIG);
	CHECK(ld.t.c_iflag & ICRNL);
	CHECK_EQ(ld.t.c_oflag, OPOST | ONLCR);
	CHECK_EQ(ld.t.c_cc[VINTR], 3);
	CHECK_EQ(ld.t.c_cc[VERASE], 0x7f);
	CHECK_EQ(ld.t.c_cc[VKILL], 0x15);
	CHECK_EQ(ld.t.c_cc[VEOF], 4);
	CHECK_EQ(ld.t.c_cc[VMIN], 1);
	return NULL;
}

UNIT_TEST(canonical_line_waits_for_its_end)
{
	bool end;

	reset();
	type("hello");
	CHECK(!ldisc_read_ready(&ld, 1));
	CHECK_EQ(ldisc_available(&ld), 0);
	CHECK_STR(echoed, "hello");
	type("\r"); /* ICRNL */
	CHECK(ldisc_read_ready(&ld, 1));
	CHECK_EQ(ldisc_available(&ld), 6);
	CHECK_STR(read_n(100, &end), "hello\n");
	CHECK(end);
	CHECK_STR(echoed, "hello\r\n"); /* ONLCR on the echo */
	CHECK(!ldisc_read_ready(&ld, 1));
	return NULL;
}

UNIT_TEST(canonical_read_one_line_at_a_time_and_partially)
{
	bool end;

	reset();
	type("first\nsecond\n");
	CHECK_STR(read_n(3, &end), "fir");
	CHECK(!end);
	CHECK_STR(read_n(100, &end), "st\n");
	CHECK(end);
	CHECK_STR(read_n(100, &end), "second\n");
	CHECK(!ldisc_read_ready(&ld, 1));
	return NULL;
}

UNIT_TEST(erase_with_del_and_bs)
{
	reset();
	type("abx\x7f" "c\bd\n");
	CHECK_STR(read_n(100, NULL), "abd\n");
	CHECK_STR(echoed, "abx\b \bc\b \bd\r\n");
	return NULL;
}

UNIT_TEST(erase_at_line_start_does_nothing)
{
	reset();
	type("\x7f\x7f" "a\n");
	CHECK_STR(read_n(100, NULL), "a\n");
	CHECK_STR(echoed, "a\r\n");
	return NULL;
}

UNIT_TEST(erase_without_echoe_echoes_the_erase_char)
{
	reset();
	set_lflag(0, ECHOE);
	type("ab\x7f\n");
	CHECK_STR(read_n(100, NULL), "a\n");
	CHECK_STR(echoed, "ab^?\r\n");
	return NULL;
}

UNIT_TEST(erase_control_char_tab_and_utf8)
{
	reset();
	type("\x01\x7f");                     /* ^A takes two columns */
	CHECK_STR(echoed, "^A\b \b\b \b");
	reset();
	type("ab\t\x7f");                     /* the tab went from column 2 to 8 */
	CHECK_STR(echoed, "ab\t\b\b\b\b\b\b");
	reset();
	type("x\xc3\xa9\x7f\n");              /* IUTF8: the whole é goes */
	CHECK_STR(read_n(100, NULL), "x\n");
	CHECK_STR(echoed, "x\xc3\xa9\b \b\r\n");
	reset();
	type("\x80\x7f\n");                   /* IUTF8: a lone continuation byte stays */
	CHECK_STR(read_n(100, NULL), "\x80\n");
	CHECK_STR(echoed, "\x80\r\n");
	reset();
	type("\x80\x17\n");                   /* ^W over it ends too (it looped forever) */
	CHECK_STR(read_n(100, NULL), "\x80\n");
	return NULL;
}

UNIT_TEST(kill_line)
{
	reset();
	type("abc\x15xy\n");                  /* ECHOKE: erased one by one */
	CHECK_STR(read_n(100, NULL), "xy\n");
	CHECK_STR(echoed, "abc\b \b\b \b\b \bxy\r\n");
	reset();
	set_lflag(0, ECHOKE);
	type("abc\x15xy\n");                  /* ECHOK: ^U and a newline */
	CHECK_STR(read_n(100, NULL), "xy\n");
	CHECK_STR(echoed, "abc^U\r\nxy\r\n");
	return NULL;
}

UNIT_TEST(word_erase)
{
	reset();
	type("ls foo/bar  \x17" "baz\n");
	CHECK_STR(read_n(100, NULL), "ls foo/baz\n");
	return NULL;
}

UNIT_TEST(eof_at_line_start_reads_zero)
{
	bool end = false;

	reset();
	type("\x04");
	CHECK(ldisc_read_ready(&ld, 1));
	CHECK_EQ(ldisc_available(&ld), 0);
	CHECK_STR(read_n(100, &end), "");
	CHECK(end);
	CHECK(!ldisc_read_ready(&ld, 1));
	CHECK_STR(echoed, "");                 /* VEOF is not echoed */
	return NULL;
}

UNIT_TEST(eof_after_text_ends_the_line_without_a_newline)
{
	bool end = false;

	reset();
	type("ab\x04" "cd\x04");
	CHECK_STR(read_n(2, &end), "ab");     /* the mark right after is taken too */
	CHECK(end);
	CHECK_STR(read_n(100, &end), "cd");
	CHECK(end);
	CHECK(!ldisc_read_ready(&ld, 1));
	return NULL;
}

UNIT_TEST(isig_raises_and_flushes)
{
	reset();
	type("ab\x03");
	CHECK_EQ(nsignals, 1);
	CHECK_EQ(signals[0], LDISC_SIGINT);
	CHECK_STR(echoed, "ab^C");
	type("\n");
	CHECK_STR(read_n(100, NULL), "\n");    /* "ab" was flushed */
	type("\x1c\x1a");
	CHECK_EQ(nsignals, 3);
	CHECK_EQ(signals[1], LDISC_SIGQUIT);
	CHECK_EQ(signals[2], LDISC_SIGTSTP);
	return NULL;
}

UNIT_TEST(isig_off_and_noflsh_and_lnext)
{
	reset();
	set_lflag(NOFLSH, 0);
	type("ab\x03" "c\n");
	CHECK_EQ(nsignals, 1);
	CHECK_STR(read_n(100, NULL), "abc\n"); /* NOFLSH kept "ab" */
	reset();
	type("\x16\x03\n");                    /* ^V: ^C taken literally */
	CHECK_EQ(nsignals, 0);
	CHECK_STR(read_n(100, NULL), "\x03\n");
	reset();
	set_lflag(0, ISIG);
	type("\x03\n");
	CHECK_EQ(nsignals, 0);
	CHECK_STR(read_n(100, NULL), "\x03\n");
	return NULL;
}

UNIT_TEST(echo_off_and_echonl)
{
	reset();
	set_lflag(0, ECHO);
	type("secret\n");
	CHECK_STR(echoed, "");
	CHECK_STR(read_n(100, NULL), "secret\n");
	set_lflag(ECHONL, 0);
	type("x\n");
	CHECK_STR(echoed, "\r\n");
	return NULL;
}

UNIT_TEST(noncanonical_bytes_are_readable_at_once)
{
	bool end = true;

	reset();
	set_lflag(0, ICANON | ECHO);
	type("ab\x7f\x04");                    /* no editing, no EOF: plain bytes */
	CHECK_EQ(ldisc_available(&ld), 4);
	CHECK(ldisc_read_ready(&ld, 4));
	CHECK(!ldisc_read_ready(&ld, 5));
	CHECK_STR(read_n(3, &end), "ab\x7f");
	CHECK(!end);
	CHECK_STR(read_n(3, NULL), "\x04");
	CHECK_STR(echoed, "");
	return NULL;
}

UNIT_TEST(mode_switches_keep_pending_input)
{
	reset();
	type("half");
	set_lflag(0, ICANON);                  /* the edited line becomes readable */
	CHECK_EQ(ldisc_available(&ld), 4);
	type("X");
	set_lflag(ICANON, 0);                  /* pending input becomes one line */
	CHECK(ldisc_read_ready(&ld, 1));
	CHECK_STR(read_n(100, NULL), "halfX");
	return NULL;
}

UNIT_TEST(input_mapping_igncr_inlcr_icrnl_off)
{
	struct termios_k t;

	reset();
	t = ld.t;
	t.c_iflag &= ~ICRNL;
	ldisc_set_termios(&ld, &t);
	type("a\rb\n");
	CHECK_STR(read_n(100, NULL), "a\rb\n");
	t.c_iflag |= IGNCR;
	ldisc_set_termios(&ld, &t);
	type("c\r\n");
	CHECK_STR(read_n(100, NULL), "c\n");
	return NULL;
}

UNIT_TEST(full_buffer_keeps_room_for_the_newline)
{
	static char big[LDISC_BUF_SIZE + 100];

	reset();
	set_lflag(0, ECHO);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	type(big);
	type("\n");
	const char *line = read_n(LDISC_BUF_SIZE, NULL);
	CHECK_EQ(strlen(line), LDISC_BUF_SIZE);
	CHECK_EQ(line[LDISC_BUF_SIZE - 1], '\n');
	CHECK(!ldisc_read_ready(&ld, 1));
	return NULL;
}

/* A pty's writer waits on ldisc_room: what it says must fit, and a
 * canonical line that fills the buffer must still take input. */
UNIT_TEST(room_is_what_fits)
{
	static char big[LDISC_BUF_SIZE];

	reset();
	set_lflag(0, ECHO | ICANON);
	CHECK_EQ(ldisc_room(&ld), LDISC_BUF_SIZE - 1);
	memset(big, 'y', sizeof(big));
	ldisc_receive(&ld, big, 100);
	CHECK_EQ(ldisc_room(&ld), LDISC_BUF_SIZE - 101);
	ldisc_receive(&ld, big, ldisc_room(&ld));
	CHECK_EQ(ldisc_room(&ld), 0);
	CHECK_EQ(ldisc_available(&ld), LDISC_BUF_SIZE - 1);
	reset();
	set_lflag(0, ECHO);
	CHECK_EQ(ldisc_room(&ld), LDISC_BUF_SIZE - 1);
	ldisc_receive(&ld, big, sizeof(big));   /* no line end yet: still takes input */
	CHECK_EQ(ldisc_room(&ld), 1);
	type("\n");
	CHECK_EQ(ldisc_room(&ld), 0);            /* a whole line waits: the writer waits */
	CHECK(ldisc_read_ready(&ld, 1));
	return NULL;
}

UNIT_TEST(output_processing)
{
	char out[64];
	size_t used, n;
	struct termios_k t;

	reset();
	n = ldisc_output(&ld, "a\nb", 3, &used, out, sizeof(out));
	CHECK_EQ(used, 3);
	CHECK_EQ(n, 4);
	CHECK(memcmp(out, "a\r\nb", 4) == 0);
	n = ldisc_output(&ld, "\n\n\n", 3, &used, out, 5); /* room for two expansions */
	CHECK_EQ(used, 2);
	CHECK_EQ(n, 4);
	t = ld.t;
	t.c_oflag &= ~OPOST;
	ldisc_set_termios(&ld, &t);
	n = ldisc_output(&ld, "a\nb", 3, &used, out, sizeof(out));
	CHECK_EQ(n, 3);
	CHECK(memcmp(out, "a\nb", 3) == 0);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(defaults_are_linux_sane),
	UNIT_ENTRY(canonical_line_waits_for_its_end),
	UNIT_ENTRY(canonical_read_one_line_at_a_time_and_partially),
	UNIT_ENTRY(erase_with_del_and_bs),
	UNIT_ENTRY(erase_at_line_start_does_nothing),
	UNIT_ENTRY(erase_without_echoe_echoes_the_erase_char),
	UNIT_ENTRY(erase_control_char_tab_and_utf8),
	UNIT_ENTRY(kill_line),
	UNIT_ENTRY(word_erase),
	UNIT_ENTRY(eof_at_line_start_reads_zero),
	UNIT_ENTRY(eof_after_text_ends_the_line_without_a_newline),
	UNIT_ENTRY(isig_raises_and_flushes),
	UNIT_ENTRY(isig_off_and_noflsh_and_lnext),
	UNIT_ENTRY(echo_off_and_echonl),
	UNIT_ENTRY(noncanonical_bytes_are_readable_at_once),
	UNIT_ENTRY(mode_switches_keep_pending_input),
	UNIT_ENTRY(input_mapping_igncr_inlcr_icrnl_off),
	UNIT_ENTRY(full_buffer_keeps_room_for_the_newline),
	UNIT_ENTRY(output_processing),
	UNIT_ENTRY(room_is_what_fits),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
