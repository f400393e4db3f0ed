/* SPDX-License-Identifier: MIT */
/* The terminal line discipline: termios, input editing (canonical mode, echo, signal characters) and output processing; pure C, host-tested. */
#ifndef KESTREL_DEV_TTY_LDISC_H
#define KESTREL_DEV_TTY_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "uapi/signal.h"
#include "uapi/termbits.h"

/* The signals the signal characters raise (Linux numbers). */
#define LDISC_SIGINT  SIGINT   /* VINTR, ^C */
#define LDISC_SIGQUIT SIGQUIT  /* VQUIT, ^\ */
#define LDISC_SIGTSTP SIGTSTP  /* VSUSP, ^Z */

/* Input bytes held: typed-ahead lines plus the line being edited.
 * In canonical mode one slot is kept for the line's end, so a line has
 * at most LDISC_BUF_SIZE - 1 bytes. */
#define LDISC_BUF_SIZE 4096 /* a power of two */
#define LDISC_ECHO_MAX 128  /* echo bytes gathered before one echo call */

/* What the discipline asks of the terminal that owns it. */
struct ldisc_hooks {
	/* Show echo bytes (output processing already applied). */
	void (*echo)(void *ctx, const char *s, size_t n);
	/* Raise sig (LDISC_SIG*) in the foreground process group. */
	void (*signal)(void *ctx, int sig);
	void *ctx;
};

/*
 * One terminal's discipline state. Input indexes run freely (byte i at
 * buf[i % LDISC_BUF_SIZE]): tail <= canon <= head. Readers take
 * [tail, canon); in canonical mode the line being edited is
 * [canon, head), and in noncanonical mode canon == head. A line's end
 * (newline, VEOL, VEOL2, VEOF) has its bit in delim; VEOF's slot also
 * has its bit in eof and is never handed to a reader.
 * Lock rule: none here; the owner serialises every call.
 */
struct ldisc {
	struct termios_k t;
	struct ldisc_hooks hooks;
	char buf[LDISC_BUF_SIZE];
	uint8_t delim[LDISC_BUF_SIZE / 8];
	uint8_t eof[LDISC_BUF_SIZE / 8];
	uint32_t tail, canon, head;
	bool lnext;             /* the last byte was VLNEXT: take the next literally */
	uint32_t column;        /* output column, for erasing tabs */
	uint32_t edit_column;   /* the column the line being edited began at */
	char echo[LDISC_ECHO_MAX];
	size_t echo_len;
};

/* Linux's default settings (stty sane): ICRNL IXON IUTF8, OPOST ONLCR,
 * B38400 CS8 CREAD HUPCL, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE
 * IEXTEN, and the usual control characters (^C ^\ DEL ^U ^D ^Z ...). */
void ldisc_default_termios(struct termios_k *t);

/* Empty input, default termios, the given hooks (copied). */
void ldisc_init(struct ldisc *l, const struct ldisc_hooks *hooks);

/*
 * Feeds n typed bytes: input mapping (ISTRIP, IGNCR, ICRNL, INLCR),
 * signal characters (ISIG), line editing (ICANON: VERASE, and BS when
 * VERASE is DEL; VKILL; with IEXTEN VWERASE, VLNEXT, VREPRINT), line
 * ends (newline, VEOL, VEOL2, VEOF), and echo (ECHO, ECHOE, ECHOK,
 * ECHOKE, ECHONL, ECHOCTL). Calls the hooks before returning. Bytes
 * that do not fit are dropped (a bell is echoed in canonical mode).
 */
void ldisc_receive(struct ldisc *l, const char *s, size_t n);

/* True when a read could return now: in canonical mode a whole line
 * (or an end of file) is there; otherwise at least min (>= 1) bytes. */
bool ldisc_read_ready(const struct ldisc *l, size_t min);

/* Bytes a read could take now, end-of-file marks left out (FIONREAD). */
size_t ldisc_available(const struct ldisc *l);

/* Input bytes a pty's writer may feed ldisc_receive now (it waits for
 * room rather than lose input), as Linux's n_tty receive_room: one slot
 * stays free in either mode (4095 bytes wait at most, plus a canonical
 * line's end). In canonical mode with no whole line waiting to be read,
 * at least 1: the writer must be able to end (or overflow) the line
 * being edited, or it would wait for a reader who waits for it. */
size_t ldisc_room(const struct ldisc *l);

/*
 * Takes up to n readable bytes into dst; returns how many. In canonical
 * mode it stops after one line's end, and sets *line_end then (an end
 * of file is consumed but not copied, so a read at the start of a line
 * that returns 0 with *line_end set saw VEOF). line_end may be NULL.
 */
size_t ldisc_read(struct ldisc *l, char *dst, size_t n, bool *line_end);

/* Drops every input byte, edited or complete (TCFLSH, TCSETSF). */
void ldisc_flush_input(struct ldisc *l);

/* New settings. Leaving canonical mode makes the line being edited
 * readable; entering it turns pending input into one line. */
void ldisc_set_termios(struct ldisc *l, const struct termios_k *t);

/*
 * Output processing (OPOST: ONLCR, OCRNL, ONOCR, ONLRET) of up to n
 * bytes of in into out (cap >= 2): returns the bytes written and sets
 * *used to the input bytes consumed (fewer than n when out filled up).
 * Tracks the output column.
 */
size_t ldisc_output(struct ldisc *l, const char *in, size_t n, size_t *used, char *out, size_t cap);

#endif
