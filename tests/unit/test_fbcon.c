/* SPDX-License-Identifier: MIT */
/* Host unit test: the framebuffer console drawing into a malloc'd framebuffer. */

/*
 * Build and run (from the repository root; the fonts are gunzipped into
 * build/font first, as the kernel build does):
 *   mkdir -p build/font
 *   zcat /usr/share/consolefonts/Lat15-Terminus16.psf.gz > build/font/Terminus16.psf
 *   zcat /usr/share/consolefonts/Lat15-Terminus32x16.psf.gz > build/font/Terminus32x16.psf
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -I kernel -I shared \
 *       -DFONT16_PATH='"build/font/Terminus16.psf"' \
 *       -DFONT32_PATH='"build/font/Terminus32x16.psf"' \
 *       kernel/dev/fbcon.c kernel/dev/font.c kernel/dev/font_blobs.S \
 *       tests/unit/test_fbcon.c -o build/test_fbcon && ./build/test_fbcon [case]
 *
 * The fake framebuffer has stride != width and extra rows below the
 * screen; everything outside width x height starts as a sentinel that
 * must survive. Expected glyphs come from this file's own reading of the
 * PSF Unicode tables, not from font.c.
 */
#include "dev/fbcon.h"
#include "dev/font.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL   0xdeadbeefu
#define EXTRA_ROWS 4  /* past the bottom: must stay SENTINEL too */
#define DEFAULT_FG 0xaaaaaau

struct fake_fb {
	struct kbi_framebuffer info;
	uint32_t *mem; /* stride * (height + EXTRA_ROWS) pixels */
};

static char why[512];
static struct fake_fb fake;

/* Every case runs twice: drawing straight to the fake framebuffer, and
 * with a shadow buffer attached right after each init (each write then
 * flushes its changed rows): the pixels must come out the same. */
static bool shadow_mode;
static uint32_t *shadow_mem;

static bool init_console(const struct kbi_framebuffer *fb)
{
	if (!fbcon_init(fb))
		return false;
	if (shadow_mode) {
		free(shadow_mem);
		shadow_mem = malloc(fbcon_shadow_bytes());
		if (!fbcon_attach_shadow(shadow_mem, fbcon_shadow_bytes()))
			return false;
	}
	return true;
}
#define fbcon_init(fb) init_console(fb)

static void fake_free(void)
{
	free(fake.mem);
	fake.mem = NULL;
}

static void fake_make(uint32_t w, uint32_t h, uint32_t stride, uint32_t format)
{
	size_t n = (size_t)stride * (h + EXTRA_ROWS);

	fake_free();
	fake.mem = malloc(n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		fake.mem[i] = SENTINEL;
	fake.info = (struct kbi_framebuffer){
		.base = 0x80000000, .base_virt = (uintptr_t)fake.mem,
		.size = (uint64_t)stride * h * 4, .width = w, .height = h,
		.stride = stride, .format = format,
	};
}

static uint32_t px(uint32_t x, uint32_t y)
{
	return fake.mem[(size_t)y * fake.info.stride + x];
}

static void put(const char *s)
{
	fbcon_write(s, strlen(s));
}

/* ---- reference font reading (independent of font.c) ------------------- */

struct ref_font {
	const uint8_t *glyphs, *table, *end;
	uint32_t w, h, bytes, count;
	bool utf8;
};

static struct ref_font ref_font(bool big)
{
	const uint8_t *b = big ? font32_start : font16_start;
	const uint8_t *e = big ? font32_end : font16_end;
	struct ref_font f = { .end = e };
	uint32_t hdr[8];

	if (b[0] == 0x36 && b[1] == 0x04) {
		f.w = 8, f.h = b[3], f.bytes = b[3], f.count = (b[2] & 1) ? 512 : 256;
		f.glyphs = b + 4;
	} else {
		memcpy(hdr, b, sizeof(hdr));
		f.count = hdr[4], f.bytes = hdr[5], f.h = hdr[6], f.w = hdr[7];
		f.glyphs = b + hdr[2];
		f.utf8 = true;
	}
	f.table = f.glyphs + f.count * f.bytes;
	return f;
}

/* Glyph index of cp by walking the table; -1 if unmapped. */
static long ref_glyph(const struct ref_font *f, uint32_t cp)
{
	const uint8_t *p = f->table;
	long g = 0;
	bool seq = false;

	while (p < f->end) {
		uint32_t v;
		if (!f->utf8) {
			v = p[0] | p[1] << 8;
			p += 2;
			if (v == 0xffff) { g++; seq = false; continue; }
			if (v == 0xfffe) { seq = true; continue; }
		} else {
			if (*p == 0xff) { g++; seq = false; p++; continue; }
			if (*p == 0xfe) { seq = true; p++; continue; }
			int more = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
			v = more ? *p & (0x3f >> more) : *p;
			p++;
			for (int i = 0; i < more; i++)
				v = v << 6 | (*p++ & 0x3f);
		}
		if (!seq && v == cp)
			return g;
	}
	return -1;
}

/* Does text cell (col,row) show cp (or '?' if unmapped) in fg on bg? */
static bool cell_is(const struct ref_font *f, uint32_t col, uint32_t row,
                    uint32_t cp, uint32_t fg, uint32_t bg)
{
	long g = ref_glyph(f, cp);
	if (g < 0)
		g = ref_glyph(f, '?');
	const uint8_t *bits = f->glyphs + g * f->bytes;
	uint32_t rb = (f->w + 7) / 8;

	for (uint32_t y = 0; y < f->h; y++)
		for (uint32_t x = 0; x < f->w; x++) {
			bool on = bits[y * rb + x / 8] & (0x80 >> (x % 8));
			uint32_t got = px(col * f->w + x, row * f->h + y);
			if (got != (on ? fg : bg)) {
				snprintf(why, sizeof(why),
				         "cell %u,%u (U+%04X) pixel %u,%u: %#x, want %#x",
				         col, row, cp, x, y, got, on ? fg : bg);
				return false;
			}
		}
	return true;
}

/* Does text row `row` read exactly `text` (ASCII), blank after it? */
static bool row_is(const struct ref_font *f, uint32_t row, const char *text, uint32_t fg)
{
	for (uint32_t c = 0; c < fbcon_cols(); c++) {
		uint32_t ch = text[0] ? (uint8_t)*text++ : ' ';
		if (!cell_is(f, c, row, ch, fg, 0))
			return false;
	}
	return true;
}

/* Everything outside the visible width x height still holds SENTINEL. */
static bool outside_untouched(void)
{
	const struct kbi_framebuffer *fb = &fake.info;

	for (uint32_t y = 0; y < fb->height + EXTRA_ROWS; y++)
		for (uint32_t x = y < fb->height ? fb->width : 0; x < fb->stride; x++)
			if (px(x, y) != SENTINEL) {
				snprintf(why, sizeof(why), "pixel %u,%u outside the screen written", x, y);
				return false;
			}
	return true;
}

/* The 800-ish x 600-ish BGRX screen most tests use: 100 x 37 cells,
 * with the visible cursor turned off so cells read back as drawn (the
 * cursor has tests of its own). */
static bool small_screen(void)
{
	fake_make(803, 605, 832, KBI_FB_BGRX);
	if (!fbcon_init(&fake.info))
		return false;
	put("\x1b[?25l");
	return true;
}

/* ---- the tests ----------------------------------------------------------- */

static const char *t_init_rejects(void)
{
	fake_make(800, 600, 832, KBI_FB_NONE);
	if (fbcon_init(&fake.info) || fbcon_cols() != 0 || !fbcon_error())
		return "accepted KBI_FB_NONE";
	fake_make(800, 600, 832, KBI_FB_BGRX);
	fake.info.size -= 4;
	if (fbcon_init(&fake.info))
		return "accepted size < stride * height * 4";
	fake_make(800, 600, 700, KBI_FB_BGRX);
	if (fbcon_init(&fake.info))
		return "accepted stride < width";
	fake_make(800, 600, 832, KBI_FB_MASK);
	if (fbcon_init(&fake.info))
		return "accepted KBI_FB_MASK with empty masks";
	fake_make(4, 4, 4, KBI_FB_BGRX);
	if (fbcon_init(&fake.info))
		return "accepted a screen smaller than one cell";
	fbcon_write("x", 1); /* must be a harmless no-op while off */
	return outside_untouched() ? NULL : why;
}

static const char *t_geometry(void)
{
	if (!small_screen())
		return fbcon_error();
	if (fbcon_cols() != 100 || fbcon_rows() != 37)
		return "expected 100 x 37 cells";
	if (strcmp(fbcon_font_name(), "Lat15-Terminus16") != 0)
		return "expected the 8x16 font";
	for (uint32_t y = 0; y < 605; y++)
		for (uint32_t x = 0; x < 803; x++)
			if (px(x, y) != 0)
				return "init did not clear the whole visible screen";
	return outside_untouched() ? NULL : why;
}

static const char *t_glyph(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	put("A");
	if (!cell_is(&f, 0, 0, 'A', DEFAULT_FG, 0))
		return why;
	put("Hello, world!");
	if (!row_is(&f, 0, "AHello, world!", DEFAULT_FG))
		return why;
	return NULL;
}

static const char *t_colours(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	fbcon_set_color(0x112233);
	put("B");
	if (!cell_is(&f, 0, 0, 'B', 0x112233, 0)) /* BGRX: bytes 33 22 11 */
		return why;
	fbcon_reset_color();
	put("C");
	if (!cell_is(&f, 1, 0, 'C', DEFAULT_FG, 0))
		return why;

	fake_make(640, 480, 640, KBI_FB_RGBX);
	if (!fbcon_init(&fake.info))
		return fbcon_error();
	fbcon_set_color(0x112233);
	put("B");
	if (!cell_is(&f, 0, 0, 'B', 0x332211, 0)) /* RGBX: bytes 11 22 33 */
		return why;

	fake_make(640, 480, 648, KBI_FB_MASK); /* RGB565 in the low half */
	fake.info.red_mask = 0xf800;
	fake.info.green_mask = 0x07e0;
	fake.info.blue_mask = 0x001f;
	if (!fbcon_init(&fake.info))
		return fbcon_error();
	fbcon_set_color(0xff8040);
	put("D");
	return cell_is(&f, 0, 0, 'D', 0x1f << 11 | 0x20 << 5 | 0x08, 0) ? NULL : why;
}

/* Write exactly `rows` lines: the last newline scrolls once, so the top
 * row must now show what was the second line. Then keep going. */
static const char *t_scroll(void)
{
	struct ref_font f = ref_font(false);
	char line[32];
	uint32_t rows, n;

	if (!small_screen())
		return fbcon_error();
	rows = fbcon_rows();
	for (n = 0; n < rows; n++) {
		snprintf(line, sizeof(line), "line %u\n", n);
		put(line);
	}
	if (!row_is(&f, 0, "line 1", DEFAULT_FG))
		return why;
	for (; n < 3 * rows + 5; n++) {
		snprintf(line, sizeof(line), "line %u\n", n);
		put(line);
	}
	snprintf(line, sizeof(line), "line %u", n - rows + 1);
	if (!row_is(&f, 0, line, DEFAULT_FG))
		return why;
	snprintf(line, sizeof(line), "line %u", n - 1);
	if (!row_is(&f, rows - 2, line, DEFAULT_FG) || !row_is(&f, rows - 1, "", DEFAULT_FG))
		return why;
	return outside_untouched() ? NULL : why;
}

/* A long workload: wrapping lines, tabs, escapes, UTF-8 and scrolling;
 * afterwards nothing outside width x height may have changed. */
static const char *t_padding_untouched(void)
{
	char line[300];

	if (!small_screen())
		return fbcon_error();
	put("\x1b[?25h"); /* with the cursor drawn and erased all along */
	for (int i = 0; i < 200; i++) {
		memset(line, 'a' + i % 26, sizeof(line) - 1);
		line[sizeof(line) - 1] = 0;
		line[i % 250] = '\t';
		put(line);
		snprintf(line, sizeof(line), "\x1b[3%dm\xc3\xa9\xe4\xb8\xad\xff\x1b[0m\r\n", i % 8);
		put(line);
		snprintf(line, sizeof(line), "\x1b[%dA\x1b[%dC\x1b[4%dm\x1b[K\x1b[1J\x1b" "7"
		         "\x1b[999B\x1b[999C\x1b[1KX\x1b" "8\x1b[%dJ\x1b[m\x1b[999;999H", i % 7,
		         i * 3, i % 8, i % 3);
		put(line);
	}
	put("\x1b[2J\x1b[H");
	put("\x1b[999;999HZ\n");
	return outside_untouched() ? NULL : why;
}

static const char *t_controls(void)
{
	struct ref_font f = ref_font(false);
	char full[128];
	uint32_t cols;

	if (!small_screen())
		return fbcon_error();
	cols = fbcon_cols();
	put("\tX");
	if (!cell_is(&f, 8, 0, 'X', DEFAULT_FG, 0))
		return why;
	put("\rab\bc");
	if (!row_is(&f, 0, "ac      X", DEFAULT_FG))
		return why;
	/* exactly one full row then \n: no blank line in between */
	memset(full, 'W', cols);
	full[cols] = 0;
	put("\n");
	put(full);
	put("\nnext");
	if (!row_is(&f, 2, "next", DEFAULT_FG) || !cell_is(&f, cols - 1, 1, 'W', DEFAULT_FG, 0))
		return why;
	/* one more than a row wraps onto the next */
	put("\n");
	put(full);
	put("V");
	if (!row_is(&f, 4, "V", DEFAULT_FG))
		return why;
	return NULL;
}

static const char *t_utf8(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	if (ref_glyph(&f, 0xe9) < 0 || ref_glyph(&f, 0x4e2d) >= 0)
		return "test assumes the font maps U+00E9 and not U+4E2D";
	put("\xc3\xa9");         /* U+00E9 */
	put("\xe4\xb8\xad");     /* U+4E2D: not in the font */
	put("\xff");             /* never valid */
	put("\xc0\xaf");         /* overlong '/': one '?' per byte... */
	put("\xe2\x94");         /* truncated, then a plain 'k' */
	put("k");
	put("\xe2\x86\x91");     /* U+2191 upward arrow: glyph 24 in Lat15 */
	if (!cell_is(&f, 0, 0, 0xe9, DEFAULT_FG, 0) ||
	    !cell_is(&f, 1, 0, '?', DEFAULT_FG, 0) ||
	    !cell_is(&f, 2, 0, '?', DEFAULT_FG, 0) ||
	    !cell_is(&f, 3, 0, '?', DEFAULT_FG, 0) || /* \xc0 */
	    !cell_is(&f, 4, 0, '?', DEFAULT_FG, 0) || /* stray \xaf */
	    !cell_is(&f, 5, 0, '?', DEFAULT_FG, 0) || /* cut-short \xe2\x94 */
	    !cell_is(&f, 6, 0, 'k', DEFAULT_FG, 0) ||
	    !cell_is(&f, 7, 0, 0x2191, DEFAULT_FG, 0))
		return why;
	if (ref_glyph(&f, 0x2191) < 32 && ref_glyph(&f, 0x2191) >= 0)
		return NULL; /* a low glyph index: the table, not ASCII, was used */
	return "U+2191 expected in the control-character range of Lat15";
}

static const char *t_ansi(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	put("\x1b[31mR\x1b[0mN\x1b[92mG\x1b[39mD");
	if (!cell_is(&f, 0, 0, 'R', 0xaa0000, 0) || !cell_is(&f, 1, 0, 'N', DEFAULT_FG, 0) ||
	    !cell_is(&f, 2, 0, 'G', 0x55ff55, 0) || !cell_is(&f, 3, 0, 'D', DEFAULT_FG, 0))
		return why;
	/* unknown attributes, a private mode that is not ours, a marker we
	 * do not take, more parameters than we keep */
	put("\x1b[2;3;4;5;6;8;9;10m\x1b[?1049h\x1b[=5h\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1m\x1b[KZ");
	if (!cell_is(&f, 4, 0, 'Z', DEFAULT_FG, 0) || !cell_is(&f, 5, 0, ' ', DEFAULT_FG, 0))
		return why; /* the unknown sequences drew nothing */
	put("\x1b[5;10HQ\x1b[HT");
	if (!cell_is(&f, 9, 4, 'Q', DEFAULT_FG, 0) || !cell_is(&f, 0, 0, 'T', DEFAULT_FG, 0))
		return why;
	put("\x1b[m\x1b" "cE"); /* ESC[m resets; ESC c dropped whole */
	if (!cell_is(&f, 1, 0, 'E', DEFAULT_FG, 0))
		return why;
	put("\x1b[2J");
	for (uint32_t y = 0; y < 605; y++)
		for (uint32_t x = 0; x < 803; x++)
			if (px(x, y) != 0)
				return "ESC[2J left pixels set";
	put("\x1b[12\nL"); /* a control character aborts the sequence */
	return cell_is(&f, 0, 1, 'L', DEFAULT_FG, 0) ? NULL : why;
}

/* Each letter lands where the movement before it put the cursor. */
static const char *t_cursor_moves(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	put("\x1b[10;20H\x1b[3AU");   /* row 10 col 20, up 3 */
	put("\x1b[2BD");              /* down 2 (after U the cursor is at col 21) */
	put("\x1b[5CF\x1b[4DB");      /* forward 5, back 4 */
	put("\x1b[AX\x1b[0BY");       /* missing and 0 both mean 1 */
	if (!cell_is(&f, 19, 6, 'U', DEFAULT_FG, 0) || !cell_is(&f, 20, 8, 'D', DEFAULT_FG, 0) ||
	    !cell_is(&f, 26, 8, 'F', DEFAULT_FG, 0) || !cell_is(&f, 23, 8, 'B', DEFAULT_FG, 0) ||
	    !cell_is(&f, 24, 7, 'X', DEFAULT_FG, 0) || !cell_is(&f, 25, 8, 'Y', DEFAULT_FG, 0))
		return why;
	put("\x1b[999A\x1b[999D1\x1b[999B\x1b[999C2"); /* clamped at the edges */
	put("\x1b[D3");               /* moving cancels the pending wrap: no scroll */
	put("\x1b[;5H4\x1b[7f5\x1b[12G6");
	if (!cell_is(&f, 0, 0, '1', DEFAULT_FG, 0) || !cell_is(&f, 99, 36, '2', DEFAULT_FG, 0) ||
	    !cell_is(&f, 98, 36, '3', DEFAULT_FG, 0) || !cell_is(&f, 4, 0, '4', DEFAULT_FG, 0) ||
	    !cell_is(&f, 0, 6, '5', DEFAULT_FG, 0) || !cell_is(&f, 11, 6, '6', DEFAULT_FG, 0))
		return why;
	return outside_untouched() ? NULL : why;
}

static char replies[128];

static void capture_reply(const char *r, size_t n)
{
	size_t have = strlen(replies);

	if (have + n < sizeof(replies)) {
		memcpy(replies + have, r, n);
		replies[have + n] = '\0';
	}
}

/* ESC[6n and ESC[5n are answered through the reply function, and only when one is set. */
static const char *t_status_report(void)
{
	if (!small_screen())
		return fbcon_error();
	replies[0] = '\0';
	put("\x1b[10;20H\x1b[6n");               /* no reply function yet: silence */
	if (replies[0])
		return "answered with no reply function set";
	fbcon_set_reply(capture_reply);
	put("\x1b[10;20H\x1b[6n\x1b[5n");
	put("\x1b[1;100Hx\x1b[6n");               /* waiting to wrap: still the last column */
	put("\x1b[37;1H\x1b[?6n\x1b[7n");        /* private and unknown reports: no answer */
	fbcon_set_reply(NULL);
	if (strcmp(replies, "\x1b[10;20R\x1b[0n\x1b[1;100R") != 0)
		return "wrong answers to ESC[6n / ESC[5n";
	return outside_untouched() ? NULL : why;
}

/* Rows 0-4 read "0123456789". */
static void fill_rows(void)
{
	put("\x1b[2J");
	for (int r = 1; r <= 5; r++) {
		char line[32];
		snprintf(line, sizeof(line), "\x1b[%d;1H0123456789", r);
		put(line);
	}
}

static const char *t_erase(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	fill_rows();
	put("\x1b[3;5H\x1b[K");       /* EL 0: from the cursor on */
	put("\x1b[4;3H\x1b[1K");      /* EL 1: up to the cursor, inclusive */
	put("\x1b[2;9H\x1b[2K");      /* EL 2: the whole row */
	if (!row_is(&f, 0, "0123456789", DEFAULT_FG) || !row_is(&f, 1, "", DEFAULT_FG) ||
	    !row_is(&f, 2, "0123", DEFAULT_FG) || !row_is(&f, 3, "   3456789", DEFAULT_FG) ||
	    !row_is(&f, 4, "0123456789", DEFAULT_FG))
		return why;
	fill_rows();
	put("\x1b[2;6H\x1b[J");       /* ED 0: to the end of the screen */
	if (!row_is(&f, 0, "0123456789", DEFAULT_FG) || !row_is(&f, 1, "01234", DEFAULT_FG) ||
	    !row_is(&f, 2, "", DEFAULT_FG) || !row_is(&f, 4, "", DEFAULT_FG))
		return why;
	fill_rows();
	put("\x1b[3;3H\x1b[1J");      /* ED 1: from the start, inclusive */
	if (!row_is(&f, 0, "", DEFAULT_FG) || !row_is(&f, 1, "", DEFAULT_FG) ||
	    !row_is(&f, 2, "   3456789", DEFAULT_FG) || !row_is(&f, 3, "0123456789", DEFAULT_FG))
		return why;
	put("\x1b[2JZ");              /* ED 2: all; the cursor stays */
	if (!row_is(&f, 0, "", DEFAULT_FG) || !row_is(&f, 2, "  Z", DEFAULT_FG))
		return why;
	put("\x1b[44m\x1b[2K\x1b[0m"); /* erasing paints the background colour */
	for (uint32_t c = 0; c < fbcon_cols(); c++)
		if (!cell_is(&f, c, 2, ' ', DEFAULT_FG, 0x0000aa))
			return why;
	return outside_untouched() ? NULL : why;
}

static const char *t_sgr(void)
{
	struct ref_font f = ref_font(false);
	static const struct { const char *in; uint32_t fg, bg; } steps[] = {
		{ "\x1b[41m", DEFAULT_FG, 0xaa0000 },   /* background */
		{ "\x1b[1m", 0xffffff, 0xaa0000 },      /* bold: the bright default */
		{ "\x1b[32m", 0x55ff55, 0xaa0000 },     /* bold green is bright green */
		{ "\x1b[22m", 0x00aa00, 0xaa0000 },     /* normal intensity */
		{ "\x1b[49;39m", DEFAULT_FG, 0 },       /* both defaults */
		{ "\x1b[94;103m", 0x5555ff, 0xffff55 }, /* bright foreground, background */
		{ "\x1b[0m", DEFAULT_FG, 0 },
		{ "\x1b[7m", 0, DEFAULT_FG },           /* reverse */
		{ "\x1b[27;38;5;196m", 0xff0000, 0 },   /* the 6x6x6 cube */
		{ "\x1b[38;5;244m", 0x808080, 0 },      /* the grey ramp */
		{ "\x1b[48;2;1;2;3m", 0x808080, 0x010203 }, /* true colour */
		{ "\x1b[38;5;3;49m", 0xaa5500, 0 },     /* the first 16 are the palette */
		{ "\x1b[0;1;38;2;300;0;0;31m", 0xffffff, 0 }, /* bad RGB: the rest dropped */
		{ "\x1b[m", DEFAULT_FG, 0 },
	};

	if (!small_screen())
		return fbcon_error();
	for (uint32_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		put(steps[i].in);
		put("A");
		if (!cell_is(&f, i, 0, 'A', steps[i].fg, steps[i].bg)) {
			size_t l = strlen(why);
			snprintf(why + l, sizeof(why) - l, " after ESC%s", steps[i].in + 1);
			return why;
		}
	}
	fbcon_set_color(0x123456); /* the logger's colour: bold leaves it alone */
	put("\x1b[1mB\x1b[m");
	return cell_is(&f, 14, 0, 'B', 0x123456, 0) ? NULL : why;
}

static const char *t_save_restore(void)
{
	struct ref_font f = ref_font(false);

	if (!small_screen())
		return fbcon_error();
	put("\x1b[5;10H\x1b[31m\x1b" "7");  /* ESC 7: position and colour */
	put("\x1b[0m\x1b[HA\x1b" "8B");
	if (!cell_is(&f, 0, 0, 'A', DEFAULT_FG, 0) || !cell_is(&f, 9, 4, 'B', 0xaa0000, 0))
		return why;
	put("\x1b[20;30H\x1b[s\x1b[32m\x1b[HC\x1b[uD"); /* CSI s/u: position only */
	if (!cell_is(&f, 0, 0, 'C', 0x00aa00, 0) || !cell_is(&f, 29, 19, 'D', 0x00aa00, 0))
		return why;
	return NULL;
}

/* The cursor is the cell it stands on with every colour inverted; it
 * moves with the text and leaves nothing behind. */
static const char *t_cursor_visible(void)
{
	struct ref_font f = ref_font(false);
	const uint32_t inv = 0xffffff;

	if (!small_screen())
		return fbcon_error();
	put("\x1b[?25h");
	if (!cell_is(&f, 0, 0, ' ', 0, inv))
		return why;
	put("ab");
	if (!cell_is(&f, 0, 0, 'a', DEFAULT_FG, 0) || !cell_is(&f, 1, 0, 'b', DEFAULT_FG, 0) ||
	    !cell_is(&f, 2, 0, ' ', 0, inv))
		return why;
	put("\x1b[5;5H");
	if (!cell_is(&f, 2, 0, ' ', 0, 0) || !cell_is(&f, 4, 4, ' ', 0, inv))
		return why;
	put("\x1b[31mx\x1b[1;100Hz");  /* on the last column: drawn over the glyph */
	if (!cell_is(&f, 4, 4, 'x', 0xaa0000, 0) || !cell_is(&f, 5, 4, ' ', 0, 0) ||
	    !cell_is(&f, 99, 0, 'z', 0xaa0000 ^ inv, inv))
		return why;
	put("\x1b[?25l");
	if (!cell_is(&f, 99, 0, 'z', 0xaa0000, 0))
		return why;
	put("\x1b[?25h\x1b[0m\x1b[37;1Hq\n"); /* scrolling must not carry it up */
	if (!row_is(&f, 35, "q", DEFAULT_FG) || !cell_is(&f, 0, 36, ' ', 0, inv))
		return why;
	return outside_untouched() ? NULL : why;
}

static const char *t_hidpi(void)
{
	struct ref_font f = ref_font(true);

	fake_make(2560, 1600, 2600, KBI_FB_BGRX);
	if (!fbcon_init(&fake.info))
		return fbcon_error();
	if (strcmp(fbcon_font_name(), "Lat15-Terminus32x16") != 0)
		return "expected the 16x32 font";
	if (fbcon_cols() != 160 || fbcon_rows() != 50)
		return "expected 160 x 50 cells";
	put("A\xc3\xa9\n");
	for (int i = 0; i < 60; i++)
		put("scrolling...\n");
	put("Kestrel");
	if (!cell_is(&f, 0, 49, 'K', DEFAULT_FG, 0) || !row_is(&f, 48, "scrolling...", DEFAULT_FG))
		return why;
	return outside_untouched() ? NULL : why;
}

/* Counts pixels of the text area equal to rgb (BGRX); the bounding
 * rows and columns of those that are go to *box (x0, y0, x1, y1). */
static size_t count_rgb(uint32_t rgb, uint32_t box[4])
{
	size_t n = 0;

	box[0] = box[1] = UINT32_MAX;
	box[2] = box[3] = 0;
	for (uint32_t y = 0; y < fake.info.height; y++)
		for (uint32_t x = 0; x < fake.info.width; x++)
			if (px(x, y) == rgb) {
				n++;
				box[0] = x < box[0] ? x : box[0];
				box[1] = y < box[1] ? y : box[1];
				box[2] = x > box[2] ? x : box[2];
				box[3] = y > box[3] ? y : box[3];
			}
	return n;
}

/* The self-test banner: a band of pure green across the screen for a
 * pass, pure red for a failure, with the text in it and nothing written
 * outside the screen; then text scrolls it up like any other row. */
static const char *t_banner(void)
{
	uint32_t box[4];

	if (!small_screen())
		return fbcon_error();
	put("selftest: 1054 passed, 0 failed\n");
	fbcon_result_banner(1054, 0);
	size_t green = count_rgb(0x00ff00, box);
	if (green < 803 * 605 / 10)
		return "the PASS banner has less than a tenth of the screen in pure green";
	if (box[0] != 0 || box[2] < 790 || box[3] - box[1] < 100)
		return "the PASS band does not span the screen, 100 rows high";
	if (count_rgb(0x000000, box) < 1000 || count_rgb(0xff0000, box) != 0)
		return "no black text in the PASS band, or red in a pass";
	if (!outside_untouched())
		return why;
	small_screen();
	fbcon_result_banner(1051, 3);
	if (count_rgb(0xff0000, box) < 803 * 605 / 10 || count_rgb(0x00ff00, box) != 0)
		return "the FAIL banner is not a large pure red band";
	size_t white = count_rgb(0xffffff, box);
	if (white < 1000)
		return "no white text in the FAIL band";
	for (uint32_t i = 0; i < 2 * fbcon_rows(); i++) /* down to the bottom, then a screen */
		put("\n");
	if (count_rgb(0xff0000, box) != 0)
		return "a screen of new lines did not scroll the banner away";
	return outside_untouched() ? NULL : why;
}

/* Deferred: writes stay in the shadow until fbcon_flush; the flush then
 * brings the screen to what a direct console shows. And the shadow never
 * reads video memory: garbage put there after attaching never comes back
 * into what is drawn. */
static const char *t_shadow(void)
{
	struct ref_font f = ref_font(false);
	char line[32];

	fake_make(803, 605, 832, KBI_FB_BGRX);
	if (!fbcon_init(&fake.info))
		return fbcon_error();
	if (!shadow_mode) { /* else init_console attached one */
		free(shadow_mem);
		shadow_mem = malloc(fbcon_shadow_bytes());
		if (!fbcon_attach_shadow(shadow_mem, fbcon_shadow_bytes()))
			return "cannot attach a shadow";
	}
	if (fbcon_attach_shadow(shadow_mem, fbcon_shadow_bytes()))
		return "a second shadow was accepted";
	put("\x1b[?25l");
	fbcon_set_deferred(true);
	for (uint32_t y = 0; y < 592; y++) /* 37 rows of 16: the text area */
		for (uint32_t x = 0; x < 800; x++)
			fake.mem[(size_t)y * 832 + x] = 0x5a5a5a5a;
	for (uint32_t n = 0; n < 3 * fbcon_rows(); n++) {
		snprintf(line, sizeof(line), "line %u\n", n);
		put(line);
	}
	if (px(0, 0) != 0x5a5a5a5a || !fbcon_dirty())
		return "a deferred write reached video memory before the flush";
	fbcon_flush();
	if (fbcon_dirty())
		return "still dirty after a flush";
	snprintf(line, sizeof(line), "line %u", 2 * fbcon_rows() + 1);
	if (!row_is(&f, 0, line, DEFAULT_FG) || !row_is(&f, fbcon_rows() - 1, "", DEFAULT_FG))
		return why;
	fbcon_set_deferred(false);
	put("x");
	if (!cell_is(&f, 0, fbcon_rows() - 1, 'x', DEFAULT_FG, 0))
		return "an undeferred write was not flushed";
	return outside_untouched() ? NULL : why;
}

/* One pseudo-random stream of text, controls and escapes (colours,
 * erases with coloured backgrounds, cursor moves, the cursor shown and
 * hidden, long lines that wrap) written to a console straight to video
 * memory and again to one with a shadow, flushed now and then: the two
 * screens must be identical, pixel for pixel (the shadow's lazy erasing
 * of what a line used included). */
static void random_stream(unsigned seed, bool shadowed)
{
	static const char *const tokens[] = {
		"abc", "Kestrel ", "\n", "\n", "\n", "\r", "\t", "\b", "\xc3\xa9",
		"\x1b[2J", "\x1b[K", "\x1b[1K", "\x1b[2K", "\x1b[J", "\x1b[1J",
		"\x1b[44m", "\x1b[0m", "\x1b[31;1m", "\x1b[7m", "\x1b[48;5;200m", "\x1b[49m",
		"\x1b[5;10H", "\x1b[A", "\x1b[3B", "\x1b[20C", "\x1b[H", "\x1b[37;1H",
		"\x1b[?25l", "\x1b[?25h", "\x1b[s", "\x1b[u",
		("0123456789012345678901234567890123456789012345678901234567890123456789"
		 "0123456789012345678901234567890123456789"), /* 110 cells: wraps */
	};
	const size_t n = sizeof(tokens) / sizeof(tokens[0]);
	uint32_t x = seed * 2654435761u + 1;

	fake_make(803, 605, 832, KBI_FB_BGRX);
	if (!init_console(&fake.info))
		return;
	if (shadowed && !shadow_mode) {
		free(shadow_mem);
		shadow_mem = malloc(fbcon_shadow_bytes());
		fbcon_attach_shadow(shadow_mem, fbcon_shadow_bytes());
	}
	fbcon_set_deferred(shadowed);
	for (int i = 0; i < 6000; i++) {
		x = x * 1103515245u + 12345u;
		put(tokens[(x >> 16) % n]);
		if (shadowed && (x >> 8) % 13 == 0)
			fbcon_flush();
	}
	fbcon_set_deferred(false);
}

/* Streams compared: each costs about 2 s under gcc's ASan (6,000 tokens,
 * twice, in each of main's two modes); 4 made the unit step wait 25 s
 * for this one binary. */
#define SAME_PIXELS_SEEDS 2
static const char *t_shadow_same_pixels(void)
{
	size_t bytes = (size_t)832 * (605 + EXTRA_ROWS) * 4;

	for (unsigned seed = 1; seed <= SAME_PIXELS_SEEDS; seed++) {
		random_stream(seed, false);
		uint32_t *direct = malloc(bytes);
		memcpy(direct, fake.mem, bytes);
		random_stream(seed, true);
		bool same = memcmp(direct, fake.mem, bytes) == 0;
		free(direct);
		if (!same) {
			snprintf(why, sizeof(why), "seed %u: the shadowed screen differs from the direct one", seed);
			return why;
		}
	}
	return NULL;
}

struct test_case {
	const char *name;
	const char *(*run)(void);
};

static const struct test_case cases[] = {
	{ "init_rejects", t_init_rejects },
	{ "geometry", t_geometry },
	{ "glyph", t_glyph },
	{ "colours", t_colours },
	{ "scroll", t_scroll },
	{ "padding_untouched", t_padding_untouched },
	{ "controls", t_controls },
	{ "utf8", t_utf8 },
	{ "ansi", t_ansi },
	{ "cursor_moves", t_cursor_moves },
	{ "status_report", t_status_report },
	{ "erase", t_erase },
	{ "sgr", t_sgr },
	{ "save_restore", t_save_restore },
	{ "cursor_visible", t_cursor_visible },
	{ "hidpi", t_hidpi },
	{ "banner", t_banner },
	{ "shadow", t_shadow },
	{ "shadow_same_pixels", t_shadow_same_pixels },
};

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	for (int mode = 0; mode < 2; mode++) {
		shadow_mode = mode;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (only && strcmp(only, cases[i].name) != 0)
				continue;
			const char *err = cases[i].run();
			const char *how = shadow_mode ? " (shadow)" : "";
			if (err) {
				printf("FAIL %s%s: %s\n", cases[i].name, how, err);
				failed++;
			} else {
				printf("PASS %s%s\n", cases[i].name, how);
				passed++;
			}
		}
	}
	fake_free();
	free(shadow_mem);
	if (only && passed + failed == 0) {
		printf("FAIL %s: no such test\n", only);
		failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
