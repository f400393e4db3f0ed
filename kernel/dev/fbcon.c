/* SPDX-License-Identifier: MIT */
/* Text console on the boot framebuffer: PSF font, UTF-8, a little ANSI. */
#include "dev/fbcon.h"

#include "dev/font.h"

#define FBCON_DEFAULT_FG 0xaaaaaau /* VGA light grey, the same as ESC[37m */
#define FBCON_BG         0x000000u
#define FBCON_TAB_STOP   8

/* Above this the 8x16 font is too small to read: use the 16x32 one. */
#define HIDPI_MIN_WIDTH  2560
#define HIDPI_MIN_HEIGHT 1600
#define FONT16_NAME "Lat15-Terminus16"
#define FONT32_NAME "Lat15-Terminus32x16"

#define FB_BYTES_PER_PIXEL 4
#define BYTE_MASK_0 0x000000ffu /* 32-bit pixel byte lanes for RGBX/BGRX */
#define BYTE_MASK_1 0x0000ff00u
#define BYTE_MASK_2 0x00ff0000u

/* Control characters and UTF-8 limits. */
#define CH_BS  0x08
#define CH_TAB 0x09
#define CH_LF  0x0a
#define CH_CR  0x0d
#define CH_ESC 0x1b
#define CH_DEL 0x7f
#define CH_REPLACEMENT '?'
#define UNICODE_MAX     0x10ffff
#define SURROGATE_FIRST 0xd800
#define SURROGATE_LAST  0xdfff

/* CSI sequences: ESC [ params final. */
#define CSI_MAX_PARAMS   8
#define CSI_PARAM_LIMIT  9999
#define CSI_IGNORED_LOW  0x20 /* intermediates and private markers ... */
#define CSI_IGNORED_HIGH 0x3f /* ... make us swallow the sequence */
#define CSI_FINAL_LOW    0x40
#define CSI_FINAL_HIGH   0x7e
#define CSI_SGR          'm'
#define CSI_ERASE        'J'
#define CSI_CURSOR       'H'
#define CSI_CURSOR_ALT   'f'
#define ERASE_ALL        2
#define SGR_RESET        0
#define SGR_FG_FIRST     30
#define SGR_FG_LAST      37
#define SGR_FG_DEFAULT   39
#define SGR_BRIGHT_FIRST 90
#define SGR_BRIGHT_LAST  97
#define ANSI_COLOURS     8

/* The classic VGA palette: ESC[30..37m, then the bright ESC[90..97m. */
static const uint32_t ansi_palette[2 * ANSI_COLOURS] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

struct channel {
	uint8_t shift; /* lowest bit of the field in the pixel */
	uint8_t bits;  /* field width */
};

enum esc_state { ESC_NONE, ESC_START, ESC_CSI };

/*
 * All console state. Lockless by contract: the logger serialises normal
 * writers, and a panic may cut in; every path re-clamps the cursor so an
 * interrupted update can garble text but never write outside the screen.
 */
static struct fbcon {
	bool on;
	const char *error;

	/* the framebuffer: fixed at init */
	uint32_t *px;
	uint32_t width, height, stride; /* pixels; stride >= width */
	struct channel red, green, blue;

	/* the text grid */
	struct font font;
	uint32_t cols, rows;
	uint32_t col, row;
	bool wrap_pending; /* last column written: wrap before the next glyph */
	uint32_t fg, bg;   /* pixel values */

	/* input decoding */
	enum esc_state esc;
	uint32_t csi_param[CSI_MAX_PARAMS];
	uint32_t csi_count; /* index of the parameter being read */
	bool csi_ignore;
	uint32_t u8_cp, u8_min;
	uint32_t u8_need; /* continuation bytes still expected */
} con;

/* ---- pixels ------------------------------------------------------------ */

/* 8 bytes = two pixels; x86 allows the 4-byte alignment of a pixel. */
typedef uint64_t __attribute__((may_alias, aligned(4))) pixel_pair_t;

static uint32_t *pixel_at(uint32_t x, uint32_t y)
{
	return con.px + (size_t)y * con.stride + x;
}

/* Fills n pixels with 8-byte stores, aligning dst to 8 first. */
static void span_fill(uint32_t *dst, uint32_t n, uint32_t pixel)
{
	uint64_t pair = (uint64_t)pixel << 32 | pixel;

	if (n && ((uintptr_t)dst & 4)) {
		*dst++ = pixel;
		n--;
	}
	for (; n >= 2; n -= 2, dst += 2)
		*(pixel_pair_t *)dst = pair;
	if (n)
		*dst = pixel;
}

/* Copies n pixels with 8-byte moves, aligning dst to 8 first. */
static void span_copy(uint32_t *dst, const uint32_t *src, uint32_t n)
{
	if (n && ((uintptr_t)dst & 4)) {
		*dst++ = *src++;
		n--;
	}
	for (; n >= 2; n -= 2, dst += 2, src += 2)
		*(pixel_pair_t *)dst = *(const pixel_pair_t *)src;
	if (n)
		*dst = *src;
}

static void fill_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel)
{
	for (uint32_t i = 0; i < h; i++)
		span_fill(pixel_at(x, y + i), w, pixel);
}

/* Scales an 8-bit channel value into a field of c.bits and places it. */
static uint32_t channel_value(struct channel c, uint32_t v8)
{
	uint32_t v = c.bits >= 8 ? v8 << (c.bits - 8) : v8 >> (8 - c.bits);

	return v << c.shift;
}

static uint32_t make_pixel(uint32_t rgb)
{
	return channel_value(con.red, (rgb >> 16) & 0xff) |
	       channel_value(con.green, (rgb >> 8) & 0xff) |
	       channel_value(con.blue, rgb & 0xff);
}

/* Draws glyph `index` in text cell (col, row), every pixel fg or bg. */
static void draw_cell(uint32_t col, uint32_t row, uint32_t index)
{
	const struct font *f = &con.font;
	const uint8_t *g = font_glyph(f, index);
	uint32_t *line = pixel_at(col * f->width, row * f->height);

	for (uint32_t y = 0; y < f->height; y++, g += f->row_bytes, line += con.stride)
		for (uint32_t x = 0; x < f->width; x++)
			line[x] = (g[x >> 3] & (0x80 >> (x & 7))) ? con.fg : con.bg;
}

/* ---- the text grid -------------------------------------------------------- */

static void clear_screen(void)
{
	fill_rect(0, 0, con.width, con.height, con.bg);
}

/* Moves every text row up by one (pixel rows, respecting the stride)
 * and blanks the bottom row. */
static void scroll_up(void)
{
	uint32_t cell_h = con.font.height, text_w = con.cols * con.font.width;
	uint32_t moved = (con.rows - 1) * cell_h;

	for (uint32_t y = 0; y < moved; y++)
		span_copy(pixel_at(0, y), pixel_at(0, y + cell_h), text_w);
	fill_rect(0, moved, text_w, cell_h, con.bg);
}

static void newline(void)
{
	con.col = 0;
	con.wrap_pending = false;
	if (con.row + 1 < con.rows)
		con.row++;
	else
		scroll_up();
}

static void put_glyph(uint32_t cp)
{
	if (con.wrap_pending)
		newline();
	draw_cell(con.col, con.row, font_glyph_index(&con.font, cp));
	if (con.col + 1 < con.cols)
		con.col++;
	else
		con.wrap_pending = true;
}

static void control(uint32_t c)
{
	switch (c) {
	case CH_LF:
		newline();
		break;
	case CH_CR:
		con.col = 0;
		con.wrap_pending = false;
		break;
	case CH_TAB:
		con.col = (con.col / FBCON_TAB_STOP + 1) * FBCON_TAB_STOP;
		if (con.col >= con.cols)
			con.col = con.cols - 1;
		break;
	case CH_BS:
		if (con.wrap_pending)
			con.wrap_pending = false;
		else if (con.col > 0)
			con.col--;
		break;
	default: /* BEL and the rest: nothing to draw */
		break;
	}
}

static void put_codepoint(uint32_t cp)
{
	if (cp < 0x20 || cp == CH_DEL)
		control(cp);
	else
		put_glyph(cp);
}

/* ---- ANSI escapes --------------------------------------------------------- */

static void sgr(uint32_t p)
{
	if (p == SGR_RESET || p == SGR_FG_DEFAULT)
		con.fg = make_pixel(FBCON_DEFAULT_FG);
	else if (p >= SGR_FG_FIRST && p <= SGR_FG_LAST)
		con.fg = make_pixel(ansi_palette[p - SGR_FG_FIRST]);
	else if (p >= SGR_BRIGHT_FIRST && p <= SGR_BRIGHT_LAST)
		con.fg = make_pixel(ansi_palette[ANSI_COLOURS + p - SGR_BRIGHT_FIRST]);
	/* bold, background and the rest: later */
}

/* ESC[row;colH, 1-based; 0 or missing means 1; clamped to the screen. */
static void cursor_to(uint32_t row, uint32_t col)
{
	row = row ? row - 1 : 0;
	col = col ? col - 1 : 0;
	con.row = row < con.rows ? row : con.rows - 1;
	con.col = col < con.cols ? col : con.cols - 1;
	con.wrap_pending = false;
}

static void csi_dispatch(uint8_t final)
{
	uint32_t *p = con.csi_param;

	switch (final) {
	case CSI_SGR:
		for (uint32_t i = 0; i <= con.csi_count; i++)
			sgr(p[i]);
		break;
	case CSI_ERASE:
		if (p[0] == ERASE_ALL)
			clear_screen();
		break;
	case CSI_CURSOR:
	case CSI_CURSOR_ALT:
		cursor_to(p[0], con.csi_count >= 1 ? p[1] : 0);
		break;
	default: /* consumed and ignored */
		break;
	}
}

static void csi_begin(void)
{
	con.esc = ESC_CSI;
	con.csi_count = 0;
	con.csi_param[0] = 0;
	con.csi_ignore = false;
}

/* Adds one byte to the CSI sequence being read. Returns false if the
 * byte does not belong to it (a control character): the sequence is
 * dropped and the caller handles the byte as ordinary input. */
static bool csi_feed(uint8_t b)
{
	uint32_t *p = &con.csi_param[con.csi_count];

	if (b >= '0' && b <= '9') {
		*p = *p * 10 + (b - '0');
		if (*p > CSI_PARAM_LIMIT)
			*p = CSI_PARAM_LIMIT;
	} else if (b == ';') {
		if (con.csi_count + 1 < CSI_MAX_PARAMS)
			con.csi_param[++con.csi_count] = 0;
		else
			con.csi_ignore = true;
	} else if (b >= CSI_IGNORED_LOW && b <= CSI_IGNORED_HIGH) {
		con.csi_ignore = true; /* '?', ':', intermediates: not ours */
	} else if (b >= CSI_FINAL_LOW && b <= CSI_FINAL_HIGH) {
		con.esc = ESC_NONE;
		if (!con.csi_ignore)
			csi_dispatch(b);
	} else {
		con.esc = ESC_NONE;
		return false;
	}
	return true;
}

/* Feeds a byte to an escape in progress; true if it was consumed. */
static bool esc_feed(uint8_t b)
{
	if (con.esc == ESC_START) {
		if (b == '[') {
			csi_begin();
			return true;
		}
		con.esc = ESC_NONE;
		return b >= 0x20; /* two-byte escape (ESC c, ESC 7...): drop both */
	}
	return csi_feed(b);
}

/* ---- UTF-8 ---------------------------------------------------------------- */

static void utf8_begin(uint32_t bits, uint32_t need, uint32_t min)
{
	con.u8_cp = bits;
	con.u8_need = need;
	con.u8_min = min;
}

static bool utf8_valid(uint32_t cp, uint32_t min)
{
	return cp >= min && cp <= UNICODE_MAX &&
	       !(cp >= SURROGATE_FIRST && cp <= SURROGATE_LAST);
}

/* Decodes one byte; malformed, overlong or truncated input shows '?'. */
static void utf8_feed(uint8_t b)
{
	if (con.u8_need) {
		if ((b & 0xc0) == 0x80) {
			con.u8_cp = con.u8_cp << 6 | (b & 0x3f);
			if (--con.u8_need == 0)
				put_codepoint(utf8_valid(con.u8_cp, con.u8_min) ?
				              con.u8_cp : CH_REPLACEMENT);
			return;
		}
		con.u8_need = 0;
		put_codepoint(CH_REPLACEMENT); /* cut short: b starts afresh */
	}
	if (b < 0x80)
		put_codepoint(b);
	else if (b >= 0xc2 && b <= 0xdf)
		utf8_begin(b & 0x1f, 1, 0x80);
	else if (b >= 0xe0 && b <= 0xef)
		utf8_begin(b & 0x0f, 2, 0x800);
	else if (b >= 0xf0 && b <= 0xf4)
		utf8_begin(b & 0x07, 3, 0x10000);
	else
		put_codepoint(CH_REPLACEMENT);
}

static void feed_byte(uint8_t b)
{
	if (b == CH_ESC) {
		if (con.u8_need) {
			con.u8_need = 0;
			put_codepoint(CH_REPLACEMENT);
		}
		con.esc = ESC_START;
		return;
	}
	if (con.esc != ESC_NONE && esc_feed(b))
		return;
	utf8_feed(b);
}

/* A panic may have interrupted a writer mid-update: put everything that
 * indexes memory back in range before drawing. */
static void sanitize(void)
{
	if (con.col >= con.cols)
		con.col = con.cols - 1;
	if (con.row >= con.rows)
		con.row = con.rows - 1;
	if (con.csi_count >= CSI_MAX_PARAMS)
		con.esc = ESC_NONE;
}

void fbcon_write(const char *s, size_t n)
{
	if (!con.on)
		return;
	sanitize();
	for (size_t i = 0; i < n; i++)
		feed_byte((uint8_t)s[i]);
}

/* ---- set-up --------------------------------------------------------------- */

/* Field position and width of a contiguous channel mask. */
static struct channel channel_from_mask(uint32_t mask)
{
	struct channel c = { 0, 0 };

	if (!mask)
		return c;
	while (!(mask & 1)) {
		mask >>= 1;
		c.shift++;
	}
	while (mask & 1) {
		mask >>= 1;
		c.bits++;
	}
	return c;
}

static bool fb_check(const struct kbi_framebuffer *fb)
{
	if (!fb || fb->format == KBI_FB_NONE) {
		con.error = "fbcon: no linear framebuffer";
		return false;
	}
	if (!fb->base_virt || !fb->width || !fb->height || fb->stride < fb->width) {
		con.error = "fbcon: bad framebuffer geometry";
		return false;
	}
	if (fb->size < (uint64_t)fb->stride * fb->height * FB_BYTES_PER_PIXEL) {
		con.error = "fbcon: framebuffer smaller than stride * height * 4";
		return false;
	}
	return true;
}

static bool fb_set_format(const struct kbi_framebuffer *fb)
{
	uint32_t r, g = BYTE_MASK_1, b;

	switch (fb->format) {
	case KBI_FB_RGBX: r = BYTE_MASK_0; b = BYTE_MASK_2; break;
	case KBI_FB_BGRX: r = BYTE_MASK_2; b = BYTE_MASK_0; break;
	case KBI_FB_MASK: r = fb->red_mask; g = fb->green_mask; b = fb->blue_mask; break;
	default:
		con.error = "fbcon: unknown pixel format";
		return false;
	}
	con.red = channel_from_mask(r);
	con.green = channel_from_mask(g);
	con.blue = channel_from_mask(b);
	if (!con.red.bits || !con.green.bits || !con.blue.bits) {
		con.error = "fbcon: empty colour mask";
		return false;
	}
	return true;
}

/* The 16x32 font on large panels when it loads, else the 8x16 one. */
static bool pick_font(const struct kbi_framebuffer *fb)
{
	const char *why = NULL;

	if ((fb->width >= HIDPI_MIN_WIDTH || fb->height >= HIDPI_MIN_HEIGHT) &&
	    font_load(&con.font, font32_start, (size_t)(font32_end - font32_start),
	              FONT32_NAME, &why))
		return true;
	if (font_load(&con.font, font16_start, (size_t)(font16_end - font16_start),
	              FONT16_NAME, &why))
		return true;
	con.error = why;
	return false;
}

/*
 * Validates fb, sets up the pixel format and font, and clears the
 * screen. Call once, single-threaded, before anything writes. Returns
 * false (console stays off, fbcon_error() says why) on failure.
 */
bool fbcon_init(const struct kbi_framebuffer *fb)
{
	con.on = false;
	con.error = NULL;
	if (!fb_check(fb) || !fb_set_format(fb) || !pick_font(fb))
		return false;
	con.px = (uint32_t *)(uintptr_t)fb->base_virt;
	con.width = fb->width;
	con.height = fb->height;
	con.stride = fb->stride;
	con.cols = con.width / con.font.width;
	con.rows = con.height / con.font.height;
	if (!con.cols || !con.rows) {
		con.error = "fbcon: framebuffer smaller than one character";
		return false;
	}
	con.col = con.row = 0;
	con.wrap_pending = false;
	con.esc = ESC_NONE;
	con.u8_need = 0;
	con.fg = make_pixel(FBCON_DEFAULT_FG);
	con.bg = make_pixel(FBCON_BG);
	clear_screen();
	con.on = true;
	return true;
}

void fbcon_set_color(uint32_t rgb_fg)
{
	if (con.on)
		con.fg = make_pixel(rgb_fg);
}

void fbcon_reset_color(void)
{
	fbcon_set_color(FBCON_DEFAULT_FG);
}

uint32_t fbcon_cols(void)
{
	return con.on ? con.cols : 0;
}

uint32_t fbcon_rows(void)
{
	return con.on ? con.rows : 0;
}

const char *fbcon_font_name(void)
{
	return con.on ? con.font.name : "none";
}

const char *fbcon_error(void)
{
	return con.error;
}
