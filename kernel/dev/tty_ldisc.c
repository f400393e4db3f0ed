/* SPDX-License-Identifier: MIT */
/* The terminal line discipline: termios, input editing (canonical mode, echo, signal characters) and output processing; pure C, host-tested. */
#include "dev/tty_ldisc.h"

#define BUF_MASK (LDISC_BUF_SIZE - 1)
_Static_assert((LDISC_BUF_SIZE & BUF_MASK) == 0, "LDISC_BUF_SIZE must be a power of two");

#define CH_BEL   0x07
#define CH_BS    0x08
#define CH_TAB   0x09
#define CH_LF    0x0a
#define CH_CR    0x0d
#define CH_SPACE 0x20
#define CH_DEL   0x7f
#define CTL_FLIP 0x40     /* ^C is 'C' ^ 0x40; DEL shows as ^? */
#define TAB_STOP 8
#define UTF8_CONT_MASK 0xc0
#define UTF8_CONT      0x80
#define STRIP_MASK     0x7f

#define CTRL(c) ((c) & 0x1f)

void ldisc_default_termios(struct termios_k *t)
{
	static const uint8_t cc[LDISC_NCCS] = {
		[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = CH_DEL,
		[VKILL] = CTRL('U'), [VEOF] = CTRL('D'), [VTIME] = 0, [VMIN] = 1,
		[VSTART] = CTRL('Q'), [VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'),
		[VREPRINT] = CTRL('R'), [VDISCARD] = CTRL('O'), [VWERASE] = CTRL('W'),
		[VLNEXT] = CTRL('V'),
	};

	t->c_iflag = ICRNL | IXON | IUTF8;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_line = 0;
	for (int i = 0; i < LDISC_NCCS; i++)
		t->c_cc[i] = cc[i];
}

void ldisc_init(struct ldisc *l, const struct ldisc_hooks *hooks)
{
	ldisc_default_termios(&l->t);
	l->hooks = *hooks;
	l->tail = l->canon = l->head = 0;
	l->lnext = false;
	l->column = l->edit_column = 0;
	l->echo_len = 0;
}

/* ---- small helpers ------------------------------------------------------------ */

static bool lflag(const struct ldisc *l, uint32_t f) { return (l->t.c_lflag & f) != 0; }
static bool iflag(const struct ldisc *l, uint32_t f) { return (l->t.c_iflag & f) != 0; }
static bool oflag(const struct ldisc *l, uint32_t f) { return (l->t.c_oflag & f) != 0; }

/* c is control character idx (which is enabled). */
static bool is_cc(const struct ldisc *l, uint8_t c, int idx)
{
	return l->t.c_cc[idx] != 0 && c == l->t.c_cc[idx];
}

static bool bit_get(const uint8_t *map, uint32_t i) { return map[(i & BUF_MASK) / 8] >> (i % 8) & 1; }

static void bit_put(uint8_t *map, uint32_t i, bool on)
{
	uint8_t m = (uint8_t)(1u << (i % 8));
	if (on)
		map[(i & BUF_MASK) / 8] |= m;
	else
		map[(i & BUF_MASK) / 8] &= (uint8_t)~m;
}

static uint32_t count(const struct ldisc *l) { return l->head - l->tail; }

/* Shown as ^X when echoed with ECHOCTL (TAB and LF are echoed as they are). */
static bool is_ctl(uint8_t c) { return (c < CH_SPACE && c != CH_TAB && c != CH_LF) || c == CH_DEL; }

static bool is_utf8_cont(const struct ldisc *l, uint8_t c)
{
	return iflag(l, IUTF8) && (c & UTF8_CONT_MASK) == UTF8_CONT;
}

/* ---- output ------------------------------------------------------------------- */

/* Output-processes one byte into out (up to 2 bytes), tracking the column. */
static size_t opost_byte(struct ldisc *l, uint8_t c, char out[2])
{
	bool post = oflag(l, OPOST);

	switch (c) {
	case CH_LF:
		if (post && oflag(l, ONLCR)) {
			out[0] = CH_CR, out[1] = CH_LF;
			l->column = 0;
			return 2;
		}
		if (post && oflag(l, ONLRET))
			l->column = 0;
		break;
	case CH_CR:
		if (post && oflag(l, ONOCR) && l->column == 0)
			return 0;
		if (post && oflag(l, OCRNL)) {
			c = CH_LF;
			if (oflag(l, ONLRET))
				l->column = 0;
			break;
		}
		l->column = 0;
		break;
	case CH_TAB:
		l->column = (l->column | (TAB_STOP - 1)) + 1;
		break;
	case CH_BS:
		if (l->column)
			l->column--;
		break;
	default:
		if (!is_ctl(c) && (c & UTF8_CONT_MASK) != UTF8_CONT)
			l->column++;
	}
	out[0] = (char)c;
	return 1;
}

size_t ldisc_output(struct ldisc *l, const char *in, size_t n, size_t *used, char *out, size_t cap)
{
	size_t i = 0, len = 0;

	for (; i < n && cap - len >= 2; i++)
		len += opost_byte(l, (uint8_t)in[i], out + len);
	*used = i;
	return len;
}

/* ---- echo --------------------------------------------------------------------- */

static void echo_flush(struct ldisc *l)
{
	if (l->echo_len && l->hooks.echo)
		l->hooks.echo(l->hooks.ctx, l->echo, l->echo_len);
	l->echo_len = 0;
}

/* Echoes c as it is (after output processing). */
static void echo_raw(struct ldisc *l, uint8_t c)
{
	if (l->echo_len + 2 > LDISC_ECHO_MAX)
		echo_flush(l);
	l->echo_len += opost_byte(l, c, l->echo + l->echo_len);
}

/* Echoes c, control characters as ^X with ECHOCTL. */
static void echo_char(struct ldisc *l, uint8_t c)
{
	if (lflag(l, ECHOCTL) && is_ctl(c)) {
		echo_raw(l, '^');
		echo_raw(l, c ^ CTL_FLIP);
	} else {
		echo_raw(l, c);
	}
}

/* The column after echoing the line being edited up to (not including) end. */
static uint32_t edit_column_at(const struct ldisc *l, uint32_t end)
{
	uint32_t col = l->edit_column;

	for (uint32_t i = l->canon; i != end; i++) {
		uint8_t c = (uint8_t)l->buf[i & BUF_MASK];
		if (c == CH_TAB)
			col = (col | (TAB_STOP - 1)) + 1;
		else if (is_ctl(c))
			col += lflag(l, ECHOCTL) ? 2 : 0;
		else if (!is_utf8_cont(l, c))
			col++;
	}
	return col;
}

/* Visually removes the echo of c, which started at column from. */
static void echo_rubout(struct ldisc *l, uint8_t c, uint32_t from)
{
	if (c == CH_TAB) {
		while (l->column > from)
			echo_raw(l, CH_BS);
		return;
	}
	int cells = is_ctl(c) ? (lflag(l, ECHOCTL) ? 2 : 0) : 1;
	for (int i = 0; i < cells; i++) {
		echo_raw(l, CH_BS);
		echo_raw(l, CH_SPACE);
		echo_raw(l, CH_BS);
	}
}

/* ---- editing ------------------------------------------------------------------ */

/* Removes the last character of the line being edited (a whole UTF-8
 * sequence with IUTF8) and its echo. */
static void erase_char(struct ldisc *l)
{
	uint32_t head = l->head;
	uint8_t c;

	if (head == l->canon)
		return;
	do
		c = (uint8_t)l->buf[--head & BUF_MASK];
	while (is_utf8_cont(l, c) && head != l->canon);
	if (is_utf8_cont(l, c))
		return; /* only continuation bytes back to the line's start: never half a character (Linux) */
	l->head = head;
	if (!lflag(l, ECHO))
		return;
	if (!lflag(l, ECHOE)) {
		echo_char(l, l->t.c_cc[VERASE]);
		return;
	}
	echo_rubout(l, c, edit_column_at(l, l->head));
}

static bool is_word_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c >= UTF8_CONT;
}

/* VWERASE: erases back over non-word characters, then the word before
 * them. Stops, as Linux's eraser does, where erase_char leaves the rest
 * (with IUTF8, only continuation bytes back to the line's start), which
 * it would otherwise ask again and again, forever. */
static void erase_word(struct ldisc *l)
{
	bool seen_word = false;

	while (l->head != l->canon) {
		uint8_t c = (uint8_t)l->buf[(l->head - 1) & BUF_MASK];
		uint32_t before = l->head;
		if (is_word_char(c))
			seen_word = true;
		else if (seen_word)
			break;
		erase_char(l);
		if (l->head == before)
			break;
	}
}

/* VKILL: drops the line being edited; with ECHOK ECHOKE ECHOE its echo
 * is erased, otherwise the kill character (and with ECHOK a newline) is
 * echoed after it. */
static void kill_line(struct ldisc *l)
{
	if (l->head == l->canon)
		return;
	if (!lflag(l, ECHO)) {
		l->head = l->canon;
		return;
	}
	if (!lflag(l, ECHOK) || !lflag(l, ECHOKE) || !lflag(l, ECHOE)) {
		l->head = l->canon;
		echo_char(l, l->t.c_cc[VKILL]);
		if (lflag(l, ECHOK))
			echo_raw(l, CH_LF);
		return;
	}
	while (l->head != l->canon)
		erase_char(l);
}

/* VREPRINT: echoes ^R, a newline and the line being edited again. */
static void reprint_line(struct ldisc *l)
{
	if (!lflag(l, ECHO))
		return;
	echo_char(l, l->t.c_cc[VREPRINT]);
	echo_raw(l, CH_LF);
	l->edit_column = l->column;
	for (uint32_t i = l->canon; i != l->head; i++)
		echo_char(l, (uint8_t)l->buf[i & BUF_MASK]);
}

/* ---- storing input ------------------------------------------------------------ */

static void put_byte(struct ldisc *l, uint8_t c, bool delim, bool eof)
{
	uint32_t i = l->head++;

	l->buf[i & BUF_MASK] = (char)c;
	bit_put(l->delim, i, delim);
	bit_put(l->eof, i, eof);
}

/* Ends the line being edited with c (newline, VEOL, VEOL2) or, with eof,
 * an end-of-file mark; the line becomes readable. */
static void end_line(struct ldisc *l, uint8_t c, bool eof)
{
	if (count(l) >= LDISC_BUF_SIZE)
		return; /* cannot happen: a slot is kept for this */
	if (!eof && lflag(l, ECHO))
		echo_char(l, c);
	else if (!eof && c == CH_LF && lflag(l, ECHONL))
		echo_raw(l, CH_LF);
	put_byte(l, eof ? 0 : c, true, eof);
	l->canon = l->head;
}

/* An ordinary byte: stored and echoed; readable at once unless canonical. */
static void store_char(struct ldisc *l, uint8_t c)
{
	bool canonical = lflag(l, ICANON);

	if (count(l) >= LDISC_BUF_SIZE - (canonical ? 1 : 0)) {
		if (canonical && lflag(l, ECHO) && iflag(l, IMAXBEL))
			echo_raw(l, CH_BEL);
		return;
	}
	if (canonical && l->head == l->canon)
		l->edit_column = l->column;
	put_byte(l, c, false, false);
	if (lflag(l, ECHO))
		echo_char(l, c);
	if (!canonical)
		l->canon = l->head;
}

/* ISIG: a signal character flushes input (unless NOFLSH), is echoed
 * and raises its signal. True if c was one. */
static bool signal_char(struct ldisc *l, uint8_t c)
{
	int sig = is_cc(l, c, VINTR)  ? LDISC_SIGINT :
		  is_cc(l, c, VQUIT)  ? LDISC_SIGQUIT :
		  is_cc(l, c, VSUSP)  ? LDISC_SIGTSTP : 0;

	if (!sig)
		return false;
	if (!lflag(l, NOFLSH))
		ldisc_flush_input(l);
	if (lflag(l, ECHO))
		echo_char(l, c);
	echo_flush(l);
	if (l->hooks.signal)
		l->hooks.signal(l->hooks.ctx, sig);
	return true;
}

/* ICANON's special characters. True if c was one (and was handled). */
static bool canon_char(struct ldisc *l, uint8_t c)
{
	bool ext = lflag(l, IEXTEN);

	if (is_cc(l, c, VERASE) || (c == CH_BS && l->t.c_cc[VERASE] == CH_DEL))
		erase_char(l);
	else if (is_cc(l, c, VKILL))
		kill_line(l);
	else if (ext && is_cc(l, c, VWERASE))
		erase_word(l);
	else if (ext && is_cc(l, c, VREPRINT))
		reprint_line(l);
	else if (ext && is_cc(l, c, VLNEXT)) {
		l->lnext = true;
		if (lflag(l, ECHO) && lflag(l, ECHOCTL)) {
			echo_raw(l, '^');
			echo_raw(l, CH_BS);
		}
	} else if (c == CH_LF || is_cc(l, c, VEOL) || (ext && is_cc(l, c, VEOL2)))
		end_line(l, c, false);
	else if (is_cc(l, c, VEOF))
		end_line(l, 0, true);
	else
		return false;
	return true;
}

static void receive_byte(struct ldisc *l, uint8_t c)
{
	if (iflag(l, ISTRIP))
		c &= STRIP_MASK;
	if (l->lnext) { /* its echo overwrites the "^" shown for VLNEXT */
		l->lnext = false;
		store_char(l, c);
		return;
	}
	if (c == CH_CR) {
		if (iflag(l, IGNCR))
			return;
		if (iflag(l, ICRNL))
			c = CH_LF;
	} else if (c == CH_LF && iflag(l, INLCR)) {
		c = CH_CR;
	}
	if (lflag(l, ISIG) && signal_char(l, c))
		return;
	if (lflag(l, ICANON) && canon_char(l, c))
		return;
	store_char(l, c);
}

void ldisc_receive(struct ldisc *l, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		receive_byte(l, (uint8_t)s[i]);
	echo_flush(l);
}

/* ---- reading ------------------------------------------------------------------ */

bool ldisc_read_ready(const struct ldisc *l, size_t min)
{
	if (lflag(l, ICANON))
		return l->canon != l->tail;
	return l->canon - l->tail >= (min ? min : 1);
}

size_t ldisc_available(const struct ldisc *l)
{
	size_t n = 0;

	for (uint32_t i = l->tail; i != l->canon; i++)
		n += !bit_get(l->eof, i);
	return n;
}

size_t ldisc_room(const struct ldisc *l)
{
	size_t used = count(l) + 1; /* Linux's n_tty receive_room keeps one slot in either mode */
	size_t room = used < LDISC_BUF_SIZE ? LDISC_BUF_SIZE - used : 0;

	if (!room && lflag(l, ICANON) && l->canon == l->tail)
		return 1;
	return room;
}

size_t ldisc_read(struct ldisc *l, char *dst, size_t n, bool *line_end)
{
	bool canonical = lflag(l, ICANON), ended = false;
	size_t got = 0;

	while (got < n && l->tail != l->canon && !ended) {
		uint32_t i = l->tail++;
		if (!bit_get(l->eof, i))
			dst[got++] = l->buf[i & BUF_MASK];
		ended = canonical && bit_get(l->delim, i);
	}
	/* A full buffer right before an end-of-file mark takes the mark too,
	 * or the next read would see an end of file that is not there. */
	if (canonical && !ended && got && l->tail != l->canon && bit_get(l->eof, l->tail)) {
		l->tail++;
		ended = true;
	}
	if (line_end)
		*line_end = ended;
	return got;
}

void ldisc_flush_input(struct ldisc *l)
{
	l->tail = l->canon = l->head;
	l->lnext = false;
}

void ldisc_set_termios(struct ldisc *l, const struct termios_k *t)
{
	bool was = lflag(l, ICANON);

	l->t = *t;
	if (was && !lflag(l, ICANON)) {
		l->canon = l->head;
		l->lnext = false;
	} else if (!was && lflag(l, ICANON) && l->head != l->tail) {
		bit_put(l->delim, l->head - 1, true); /* pending input becomes one line */
	}
}
