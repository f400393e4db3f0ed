/* SPDX-License-Identifier: MIT */
/* Text console on the boot framebuffer: PSF font, UTF-8, the ANSI escapes a shell uses, a visible cursor. */
#ifndef KESTREL_DEV_FBCON_H
#define KESTREL_DEV_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

/* Takes over the framebuffer (copying what it needs from *fb), picks the
 * 8x16 or, on large panels, the 16x32 font, and clears the screen.
 * Returns false, leaving the console off, if there is no usable
 * framebuffer or font; fbcon_error() then says why. */
bool fbcon_init(const struct kbi_framebuffer *fb);

/*
 * Draws n bytes of UTF-8 text, then the cursor (an inverted cell) where
 * the next character will go. Understands \n \r \t \b and:
 *   ESC[nA ESC[nB ESC[nC ESC[nD  cursor up/down/forward/back (n 1 if missing)
 *   ESC[r;cH ESC[r;cf ESC[nG     cursor to row;col / to column (1-based)
 *   ESC[nJ ESC[nK                erase display / line: 0 to end, 1 to start, 2 all
 *   ESC[...m                     0 reset, 1/22 bold (bright) on/off, 7/27 reverse,
 *                                30-37 90-97 39 foreground, 40-47 100-107 49
 *                                background, 38/48;5;N and 38/48;2;R;G;B
 *   ESC 7, ESC 8 / ESC[s, ESC[u  save / restore the cursor (ESC 7: and colours)
 *   ESC[?25l, ESC[?25h           hide / show the cursor
 *   ESC[6n, ESC[5n               report the cursor (ESC[row;colR) / status
 *                                (ESC[0n) through the reply function, if set
 * and swallows any other escape. Lockless: callers serialise, except a
 * panic, which may interleave. A no-op before a successful init.
 */
void fbcon_write(const char *s, size_t n);

/* Where answers to terminal queries (ESC[6n) go: the console's input,
 * as a real terminal's would. NULL (the default): nobody asked, so no
 * answer, which is right when another terminal (a serial one) shares
 * the output and answers itself. Called with the answer's bytes. */
void fbcon_set_reply(void (*reply)(const char *s, size_t n));

/*
 * The shadow: a copy of the text area in RAM that drawing, scrolling
 * and the cursor use, so that video memory (slow to read on a real GPU,
 * and write-combining here) is only ever written, whole changed text
 * rows at a time. fbcon_shadow_bytes: the size it needs (0 when the
 * console is off). fbcon_attach_shadow: hands it mem (at least that
 * many bytes, kept for good), copying the screen in; false, changing
 * nothing, when off, already attached or too small. Callers serialise
 * with fbcon_write.
 */
size_t fbcon_shadow_bytes(void);
bool fbcon_attach_shadow(uint32_t *mem, size_t bytes);

/* Deferred (with a shadow only): fbcon_write leaves its changes in the
 * shadow, for whoever calls fbcon_flush (a periodic flusher, the log's
 * flush before the machine stops); else (the default) each fbcon_write
 * flushes at its end. Turning it off flushes. */
void fbcon_set_deferred(bool deferred);

/* Copies the text rows changed since the last flush to video memory.
 * A no-op without a shadow or with nothing changed. Lockless like
 * fbcon_write: a caller that races writers (a flusher thread against
 * interrupt-time log lines) keeps interrupts off around it. */
void fbcon_flush(void);
bool fbcon_dirty(void); /* something waits for fbcon_flush */

/* fbcon_flush in two halves, for a flusher that must not keep interrupts
 * off for a whole screen's copy: take the changed rows [*lo, *hi) (empty
 * when none; interrupts off around this call only), then copy them,
 * racing writers if need be (what they change is dirty again). */
void fbcon_take_dirty(uint32_t *lo, uint32_t *hi);
void fbcon_flush_rows(uint32_t lo, uint32_t hi);

/*
 * The end of a self-test run, readable across the room: a band across
 * the middle of the screen, pure green with "PASS N" in black when
 * failed is 0, else pure red with "FAIL F of N" in white (N = passed +
 * failed), the font scaled up as far as it fits (at most 16 times, 90%
 * of the width, a third of the height). Drawn and flushed at once; the
 * text that follows scrolls it away like any other. No-op when off.
 */
void fbcon_result_banner(int passed, int failed);

/* Sets the foreground colour (0xRRGGBB) / restores the default. */
void fbcon_set_color(uint32_t rgb_fg);
void fbcon_reset_color(void);

uint32_t fbcon_cols(void);          /* text columns; 0 when off */
uint32_t fbcon_rows(void);          /* text rows; 0 when off */
const char *fbcon_font_name(void);  /* "none" when off */
const char *fbcon_error(void);      /* why init failed, or NULL */

#endif
