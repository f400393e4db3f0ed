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

/* Sets the foreground colour (0xRRGGBB) / restores the default. */
void fbcon_set_color(uint32_t rgb_fg);
void fbcon_reset_color(void);

uint32_t fbcon_cols(void);          /* text columns; 0 when off */
uint32_t fbcon_rows(void);          /* text rows; 0 when off */
const char *fbcon_font_name(void);  /* "none" when off */
const char *fbcon_error(void);      /* why init failed, or NULL */

#endif
