/* SPDX-License-Identifier: MIT */
/* Text console on the boot framebuffer: PSF font, UTF-8, a little ANSI. */
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

/* Draws n bytes of UTF-8 text. Understands \n \r \t \b, ESC[0m,
 * ESC[30-37m, ESC[90-97m, ESC[39m, ESC[2J, ESC[H and ESC[row;colH, and
 * swallows any other CSI sequence. Lockless: callers serialise, except
 * a panic, which may interleave. A no-op before a successful init. */
void fbcon_write(const char *s, size_t n);

/* Sets the foreground colour (0xRRGGBB) / restores the default. */
void fbcon_set_color(uint32_t rgb_fg);
void fbcon_reset_color(void);

uint32_t fbcon_cols(void);          /* text columns; 0 when off */
uint32_t fbcon_rows(void);          /* text rows; 0 when off */
const char *fbcon_font_name(void);  /* "none" when off */
const char *fbcon_error(void);      /* why init failed, or NULL */

#endif
