/* SPDX-License-Identifier: MIT */
/* Text console on the boot framebuffer: PSF font, UTF-8, the ANSI escapes a shell uses, a visible cursor. */
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

/* The result banner: the font scaled up to BANNER_SCALE_MAX times, no
 * wider than BANNER_WIDTH_PCT of the screen, no taller than a third of
 * it, on a band BANNER_PAD_DIV of the text height above and below. */
#define BANNER_SCALE_MAX  16
#define BANNER_WIDTH_PCT  90
#define BANNER_HEIGHT_DIV 3
#define BANNER_PAD_DIV    4
#define BANNER_TEXT_MAX   40
#define RGB_PASS_BG       0x00ff00u /* pure green: a test looks for it in a screendump */
#define RGB_PASS_FG       0x000000u
#define RGB_FAIL_BG       0xff0000u /* pure red */
#define RGB_FAIL_FG       0xffffffu
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

/* Escapes: ESC [ params final (CSI), and the two-byte ESC 7 / ESC 8. */
#define CSI_MAX_PARAMS   16
#define CSI_PARAM_LIMIT  9999
#define CSI_IGNORED_LOW  0x20 /* intermediates and private markers ... */
#define CSI_IGNORED_HIGH 0x3f /* ... make us swallow the sequence */
#define CSI_FINAL_LOW    0x40
#define CSI_FINAL_HIGH   0x7e
#define CSI_PRIVATE      '?'  /* ESC[?25h: a DEC private mode */
#define CSI_CUU          'A'  /* cursor up N */
#define CSI_CUD          'B'  /* cursor down N */
#define CSI_CUF          'C'  /* cursor forward N */
#define CSI_CUB          'D'  /* cursor back N */
#define CSI_CHA          'G'  /* cursor to column N */
#define CSI_CUP          'H'  /* cursor to row;col */
#define CSI_HVP          'f'  /* the same */
#define CSI_ED           'J'  /* erase in display */
#define CSI_EL           'K'  /* erase in line */
#define CSI_SGR          'm'  /* colours and attributes */
#define CSI_SCOSC        's'  /* save the cursor */
#define CSI_SCORC        'u'  /* restore it */
#define CSI_SET_MODE     'h'
#define CSI_DSR          'n'  /* device status report: 5 status, 6 cursor position */
#define DSR_STATUS       5
#define DSR_CURSOR       6
#define CSI_RESET_MODE   'l'
#define ESC_DECSC        '7'  /* save the cursor and attributes */
#define ESC_DECRC        '8'  /* restore them */
#define DEC_MODE_CURSOR  25   /* DECTCEM: ESC[?25h shows the cursor, l hides it */
#define ERASE_TO_END     0    /* ED/EL: the cursor to the end */
#define ERASE_TO_START   1    /* the start to the cursor, inclusive */
#define ERASE_ALL        2
#define ERASE_SAVED      3    /* ED 3 (scrollback): we have none, erase all */

/* SGR parameters. */
#define SGR_RESET         0
#define SGR_BOLD          1   /* drawn as the bright colour, as the Linux console does */
#define SGR_REVERSE       7
#define SGR_NORMAL        22  /* not bold */
#define SGR_NO_REVERSE    27
#define SGR_FG_FIRST      30
#define SGR_FG_LAST       37
#define SGR_FG_EXTENDED   38  /* 38;5;N (256 colours) or 38;2;R;G;B */
#define SGR_FG_DEFAULT    39
#define SGR_BG_FIRST      40
#define SGR_BG_LAST       47
#define SGR_BG_EXTENDED   48
#define SGR_BG_DEFAULT    49
#define SGR_BRIGHT_FIRST  90
#define SGR_BRIGHT_LAST   97
#define SGR_BG_BRIGHT_FIRST 100
#define SGR_BG_BRIGHT_LAST  107
#define SGR_EXT_RGB       2
#define SGR_EXT_INDEXED   5
#define ANSI_COLOURS      8
#define FG_DEFAULT_ANSI   7   /* the default foreground is ANSI white (light grey) */
#define NOT_ANSI          (-1)

/* xterm's 256-colour map: 16 palette colours, a 6x6x6 cube, 24 greys. */
#define XTERM_CUBE_FIRST  16
#define XTERM_CUBE_SIDE   6
#define XTERM_GREY_FIRST  232
#define XTERM_COLOURS     256
#define XTERM_CUBE_BASE   55  /* cube level i > 0 is 55 + 40 * i */
#define XTERM_CUBE_STEP   40
#define XTERM_GREY_BASE   8   /* grey i is 8 + 10 * i */
#define XTERM_GREY_STEP   10
#define RGB_WHITE         0xffffffu

/* The classic VGA palette: ESC[30..37m, then the bright ESC[90..97m. */
static const uint32_t ansi_palette[2 * ANSI_COLOURS] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

struct channel {
	uint8_t shift; /* lowest bit of the field in the pixel */
	uint8_t bits;  /* field width */
};

/* What a shadow slot (one text row's pixels) holds beyond its first
 * `used` cells: every pixel there is `fill`. So a scroll blanks only the
 * cells the old line used, not the whole row (5 cells, not 160, for a
 * short line). */
struct slot_state {
	uint32_t used; /* cells [0, used) may hold anything; <= cols */
	uint32_t fill; /* the pixel of every cell from used on */
};

/* What SGR sets; the pixels drawn with are derived from it. */
struct attrs {
	uint32_t fg_rgb, bg_rgb; /* 0xRRGGBB */
	int fg_ansi;             /* 0-7: a basic colour that bold brightens; else NOT_ANSI */
	bool bold, reverse;
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
	uint32_t invert;                /* XOR mask that inverts every colour channel */

	/* the text grid */
	struct font font;
	uint32_t cols, rows;
	uint32_t col, row;
	bool wrap_pending; /* last column written: wrap before the next glyph */
	struct attrs attrs;
	uint32_t fg, bg;   /* pixels glyphs are drawn in (reverse applied) */
	uint32_t fill;     /* pixel that erasing and scrolling leave: the background */

	/* ESC 7 / ESC[s: one saved cursor (ESC 7 also saves the attributes) */
	uint32_t saved_col, saved_row;
	struct attrs saved_attrs;

	/* the visible cursor: the cell at (cursor_col, cursor_row) drawn
	 * inverted between writes, and put back before anything is drawn */
	bool cursor_enabled; /* ESC[?25h / ESC[?25l */
	bool cursor_drawn;
	uint32_t cursor_col, cursor_row;

	/* the shadow (fbcon_attach_shadow): the text area in RAM, which is
	 * all that drawing, scrolling and the cursor read or write; video
	 * memory is only written, by flush_rows. Text row r lives in slot
	 * (r + top) % rows, so a scroll moves no pixels: it turns the ring.
	 * NULL: everything goes straight to px (before the heap exists). */
	uint32_t *shadow;
	struct slot_state *slots;    /* one per slot, after the pixels in the same memory */
	uint32_t shadow_stride;      /* pixels: cols * font width */
	uint32_t top;                /* the slot of text row 0 */
	uint32_t dirty_lo, dirty_hi; /* text rows [lo, hi) not yet in video memory */
	bool deferred;               /* fbcon_write leaves the flush to fbcon_flush */

	/* input decoding */
	enum esc_state esc;
	uint32_t csi_param[CSI_MAX_PARAMS];
	uint32_t csi_count; /* index of the parameter being read */
	uint32_t csi_len;   /* bytes read after the '[' */
	bool csi_ignore, csi_private;
	uint32_t u8_cp, u8_min;
	uint32_t u8_need; /* continuation bytes still expected */
} con;

/* ---- pixels ------------------------------------------------------------ */

/* 8 bytes = two pixels; x86 allows the 4-byte alignment of a pixel. */
typedef uint64_t __attribute__((may_alias, aligned(4))) pixel_pair_t;

/* Pixel (x, y) of the text area where drawing happens: the shadow's
 * slot for y's text row, or video memory when there is no shadow. */
static uint32_t *pixel_at(uint32_t x, uint32_t y)
{
	if (!con.shadow)
		return con.px + (size_t)y * con.stride + x;
	uint32_t h = con.font.height, slot = y / h + con.top;

	if (slot >= con.rows)
		slot -= con.rows;
	return con.shadow + ((size_t)slot * h + y % h) * con.shadow_stride + x;
}

/* Text rows [from, to) changed: flush_rows copies them out. */
static void mark_dirty(uint32_t from, uint32_t to)
{
	if (from < con.dirty_lo)
		con.dirty_lo = from;
	if (to > con.dirty_hi)
		con.dirty_hi = to;
}

/* The state of the slot text row `row` lives in (with a shadow only). */
static struct slot_state *slot_of(uint32_t row)
{
	uint32_t slot = row + con.top;

	return &con.slots[slot >= con.rows ? slot - con.rows : slot];
}

/* Pixels of cells before column col_end of text rows [from, to) were
 * drawn: they are dirty, and no longer known to be blank. */
static void touched(uint32_t from, uint32_t to, uint32_t col_end)
{
	mark_dirty(from, to);
	if (!con.shadow)
		return;
	for (uint32_t r = from; r < to && r < con.rows; r++) {
		struct slot_state *st = slot_of(r);
		if (col_end > st->used)
			st->used = col_end < con.cols ? col_end : con.cols;
	}
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

/* Fills a rectangle of the text area (x + w <= cols * font width). */
static void fill_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < h; i++)
		span_fill(pixel_at(x, y + i), w, pixel);
	touched(y / con.font.height, (y + h - 1) / con.font.height + 1,
		(x + w + con.font.width - 1) / con.font.width);
}

/* The same straight in video memory, anywhere on the screen. */
static void fill_rect_direct(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel)
{
	for (uint32_t i = 0; i < h; i++)
		span_fill(con.px + (size_t)(y + i) * con.stride + x, w, pixel);
}

/* Copies text rows [from, to) from the shadow to video memory: the only
 * place video memory is written once there is a shadow. */
static void flush_rows(uint32_t from, uint32_t to)
{
	uint32_t h = con.font.height, w = con.shadow_stride;

	for (uint32_t y = from * h; y < to * h; y++)
		span_copy(con.px + (size_t)y * con.stride, pixel_at(0, y), w);
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

	uint32_t stride = con.shadow ? con.shadow_stride : con.stride;

	for (uint32_t y = 0; y < f->height; y++, g += f->row_bytes, line += stride)
		for (uint32_t x = 0; x < f->width; x++)
			line[x] = (g[x >> 3] & (0x80 >> (x & 7))) ? con.fg : con.bg;
	touched(row, row + 1, col + 1);
}

/* ---- the text grid -------------------------------------------------------- */

static void erase_rows(uint32_t from, uint32_t to);

/* The whole screen: the text area, and the strips right of and below
 * it that no cell covers (written straight to video memory). */
static void clear_screen(void)
{
	uint32_t text_w = con.cols * con.font.width, text_h = con.rows * con.font.height;

	if (!con.shadow) {
		fill_rect_direct(0, 0, con.width, con.height, con.fill);
		return;
	}
	erase_rows(0, con.rows);
	fill_rect_direct(text_w, 0, con.width - text_w, con.height, con.fill);
	fill_rect_direct(0, text_h, text_w, con.height - text_h, con.fill);
}

/* Blanks cells [from, to) of one text row. */
static void erase_cells(uint32_t row, uint32_t from, uint32_t to)
{
	uint32_t w = con.font.width, h = con.font.height;

	if (from < to)
		fill_rect(from * w, row * h, (to - from) * w, h, con.fill);
}

/* Blanks text rows [from, to). With a shadow, only the cells a row's
 * slot has used since it was last blanked to this same colour (all of
 * them when the colour differs), and only rows that changed are dirty. */
static void erase_rows(uint32_t from, uint32_t to)
{
	uint32_t h = con.font.height;

	if (!con.shadow) {
		if (from < to)
			fill_rect(0, from * h, con.cols * con.font.width, (to - from) * h, con.fill);
		return;
	}
	for (uint32_t r = from; r < to && r < con.rows; r++) {
		struct slot_state *st = slot_of(r);
		uint32_t cells = st->fill == con.fill ? st->used : con.cols;

		for (uint32_t y = r * h; cells && y < (r + 1) * h; y++)
			span_fill(pixel_at(0, y), cells * con.font.width, con.fill);
		if (cells)
			mark_dirty(r, r + 1);
		st->used = 0;
		st->fill = con.fill;
	}
}

/* Moves every text row up by one and blanks the bottom row. With a
 * shadow the ring turns (the old top slot becomes the bottom row) and
 * every row is due for a flush; without one the pixels move in video
 * memory (reading it: the slow path a shadow avoids). */
static void scroll_up(void)
{
	uint32_t cell_h = con.font.height, text_w = con.cols * con.font.width;
	uint32_t moved = (con.rows - 1) * cell_h;

	if (con.shadow) {
		con.top = con.top + 1 < con.rows ? con.top + 1 : 0;
		mark_dirty(0, con.rows);
	} else {
		for (uint32_t y = 0; y < moved; y++)
			span_copy(pixel_at(0, y), pixel_at(0, y + cell_h), text_w);
	}
	erase_rows(con.rows - 1, con.rows);
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

/* ---- the visible cursor --------------------------------------------------- */

/* XORs every pixel of a cell with the invert mask; done twice, the cell
 * is back as it was, so nothing has to be saved. */
static void invert_cell(uint32_t col, uint32_t row)
{
	uint32_t *line = pixel_at(col * con.font.width, row * con.font.height);
	uint32_t stride = con.shadow ? con.shadow_stride : con.stride;

	for (uint32_t y = 0; y < con.font.height; y++, line += stride)
		for (uint32_t x = 0; x < con.font.width; x++)
			line[x] ^= con.invert;
	touched(row, row + 1, col + 1);
}

/* Puts the cell under the cursor back; every write starts with this,
 * so drawing, erasing and scrolling never see an inverted cell. */
static void cursor_hide(void)
{
	if (con.cursor_drawn && con.cursor_col < con.cols && con.cursor_row < con.rows)
		invert_cell(con.cursor_col, con.cursor_row);
	con.cursor_drawn = false;
}

/* Draws the cursor at the current cell, unless ESC[?25l turned it off. */
static void cursor_show(void)
{
	if (!con.cursor_enabled || con.cursor_drawn)
		return;
	con.cursor_col = con.col;
	con.cursor_row = con.row;
	invert_cell(con.cursor_col, con.cursor_row);
	con.cursor_drawn = true;
}

/* ---- attributes (SGR) ----------------------------------------------------- */

static const struct attrs default_attrs = {
	.fg_rgb = FBCON_DEFAULT_FG, .bg_rgb = FBCON_BG, .fg_ansi = FG_DEFAULT_ANSI,
};

/* Derives the pixels from the attributes: bold brightens a basic
 * foreground colour, reverse swaps foreground and background (erasing
 * still uses the background). */
static void attrs_apply(void)
{
	const struct attrs *a = &con.attrs;
	uint32_t fg = a->fg_rgb;

	if (a->bold && a->fg_ansi != NOT_ANSI)
		fg = ansi_palette[ANSI_COLOURS + a->fg_ansi];
	con.fg = make_pixel(a->reverse ? a->bg_rgb : fg);
	con.bg = make_pixel(a->reverse ? fg : a->bg_rgb);
	con.fill = make_pixel(a->bg_rgb);
}

static uint32_t cube_level(uint32_t i)
{
	return i ? XTERM_CUBE_BASE + XTERM_CUBE_STEP * i : 0;
}

/* xterm colour n (< XTERM_COLOURS) as 0xRRGGBB. */
static uint32_t xterm_colour(uint32_t n)
{
	const uint32_t side = XTERM_CUBE_SIDE;

	if (n < XTERM_CUBE_FIRST)
		return ansi_palette[n];
	if (n >= XTERM_GREY_FIRST) {
		uint32_t g = XTERM_GREY_BASE + XTERM_GREY_STEP * (n - XTERM_GREY_FIRST);
		return g << 16 | g << 8 | g;
	}
	n -= XTERM_CUBE_FIRST;
	return cube_level(n / (side * side)) << 16 | cube_level(n / side % side) << 8 |
	       cube_level(n % side);
}

/* SGR 38/48: p[0..left) follow the 38 or 48. Sets the colour if the
 * parameters are 5;N or 2;R;G;B, and returns how many it consumed
 * (all of them when malformed: nothing after can be trusted). */
static uint32_t sgr_extended(bool fg, const uint32_t *p, uint32_t left)
{
	uint32_t rgb, used;

	if (left >= 2 && p[0] == SGR_EXT_INDEXED && p[1] < XTERM_COLOURS) {
		rgb = xterm_colour(p[1]);
		used = 2;
	} else if (left >= 4 && p[0] == SGR_EXT_RGB && (p[1] | p[2] | p[3]) <= 0xff) {
		rgb = p[1] << 16 | p[2] << 8 | p[3];
		used = 4;
	} else {
		return left;
	}
	if (fg) {
		con.attrs.fg_rgb = rgb;
		con.attrs.fg_ansi = NOT_ANSI;
	} else {
		con.attrs.bg_rgb = rgb;
	}
	return used;
}

/* The colour parameters 30-37, 39, 40-47, 49, 90-97, 100-107; false
 * if v is none of them. */
static bool sgr_colour(uint32_t v)
{
	struct attrs *a = &con.attrs;

	if (v >= SGR_FG_FIRST && v <= SGR_FG_LAST) {
		a->fg_ansi = (int)(v - SGR_FG_FIRST);
		a->fg_rgb = ansi_palette[a->fg_ansi];
	} else if (v == SGR_FG_DEFAULT) {
		a->fg_ansi = FG_DEFAULT_ANSI;
		a->fg_rgb = FBCON_DEFAULT_FG;
	} else if (v >= SGR_BRIGHT_FIRST && v <= SGR_BRIGHT_LAST) {
		a->fg_ansi = NOT_ANSI;
		a->fg_rgb = ansi_palette[ANSI_COLOURS + v - SGR_BRIGHT_FIRST];
	} else if (v >= SGR_BG_FIRST && v <= SGR_BG_LAST) {
		a->bg_rgb = ansi_palette[v - SGR_BG_FIRST];
	} else if (v == SGR_BG_DEFAULT) {
		a->bg_rgb = FBCON_BG;
	} else if (v >= SGR_BG_BRIGHT_FIRST && v <= SGR_BG_BRIGHT_LAST) {
		a->bg_rgb = ansi_palette[ANSI_COLOURS + v - SGR_BG_BRIGHT_FIRST];
	} else {
		return false;
	}
	return true;
}

/* Applies every parameter of ESC[...m in order; unknown ones (italic,
 * underline, blink ...) are ignored. */
static void sgr(void)
{
	uint32_t n = con.csi_count + 1;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = con.csi_param[i];

		if (v == SGR_RESET)
			con.attrs = default_attrs;
		else if (v == SGR_BOLD || v == SGR_NORMAL)
			con.attrs.bold = v == SGR_BOLD;
		else if (v == SGR_REVERSE || v == SGR_NO_REVERSE)
			con.attrs.reverse = v == SGR_REVERSE;
		else if (v == SGR_FG_EXTENDED || v == SGR_BG_EXTENDED)
			i += sgr_extended(v == SGR_FG_EXTENDED, &con.csi_param[i + 1], n - i - 1);
		else
			sgr_colour(v);
	}
	attrs_apply();
}

/* ---- cursor movement and erasing ------------------------------------------ */

/* ESC[row;colH, 1-based; 0 or missing means 1; clamped to the screen. */
static void cursor_to(uint32_t row, uint32_t col)
{
	row = row ? row - 1 : 0;
	col = col ? col - 1 : 0;
	con.row = row < con.rows ? row : con.rows - 1;
	con.col = col < con.cols ? col : con.cols - 1;
	con.wrap_pending = false;
}

/* ESC[nA/B/C/D: up, down, forward, back by n (0 or missing means 1),
 * stopping at the edge of the screen. */
static void cursor_move(uint8_t final, uint32_t n)
{
	n = n ? n : 1;
	switch (final) {
	case CSI_CUU:
		con.row = con.row > n ? con.row - n : 0;
		break;
	case CSI_CUD:
		con.row = con.row + n < con.rows ? con.row + n : con.rows - 1;
		break;
	case CSI_CUF:
		con.col = con.col + n < con.cols ? con.col + n : con.cols - 1;
		break;
	case CSI_CUB:
		con.col = con.col > n ? con.col - n : 0;
		break;
	}
	con.wrap_pending = false;
}

/* ESC[nJ: 0 from the cursor to the end of the screen, 1 from the start
 * to the cursor (inclusive), 2 and 3 all of it. The cursor stays. */
static void erase_display(uint32_t mode)
{
	switch (mode) {
	case ERASE_TO_END:
		erase_cells(con.row, con.col, con.cols);
		erase_rows(con.row + 1, con.rows);
		break;
	case ERASE_TO_START:
		erase_rows(0, con.row);
		erase_cells(con.row, 0, con.col + 1);
		break;
	case ERASE_ALL:
	case ERASE_SAVED:
		clear_screen();
		break;
	}
}

/* ESC[nK: the same within the cursor's row. */
static void erase_line(uint32_t mode)
{
	switch (mode) {
	case ERASE_TO_END:
		erase_cells(con.row, con.col, con.cols);
		break;
	case ERASE_TO_START:
		erase_cells(con.row, 0, con.col + 1);
		break;
	case ERASE_ALL:
		erase_cells(con.row, 0, con.cols);
		break;
	}
}

/* ESC 7 and ESC[s save the position (ESC 7 the attributes too); ESC 8
 * and ESC[u go back to it, clamped in case the screen was re-set. */
static void cursor_save(bool with_attrs)
{
	con.saved_col = con.col;
	con.saved_row = con.row;
	if (with_attrs)
		con.saved_attrs = con.attrs;
}

static void cursor_restore(bool with_attrs)
{
	con.col = con.saved_col < con.cols ? con.saved_col : con.cols - 1;
	con.row = con.saved_row < con.rows ? con.saved_row : con.rows - 1;
	con.wrap_pending = false;
	if (with_attrs) {
		con.attrs = con.saved_attrs;
		attrs_apply();
	}
}

/* ---- escape sequences ----------------------------------------------------- */

/* ESC[?...h / ESC[?...l: only DECTCEM (25, the visible cursor). */
static void dec_private_mode(uint8_t final)
{
	for (uint32_t i = 0; i <= con.csi_count; i++)
		if (con.csi_param[i] == DEC_MODE_CURSOR)
			con.cursor_enabled = final == CSI_SET_MODE;
}

static void (*reply_fn)(const char *s, size_t n);

void fbcon_set_reply(void (*reply)(const char *s, size_t n))
{
	reply_fn = reply;
}

/* Appends v in decimal at buf[n]; returns the new length. */
static size_t put_decimal(char *buf, size_t n, uint32_t v)
{
	char digits[10];
	size_t k = 0;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		buf[n++] = digits[--k];
	return n;
}

/* ESC[6n: answer with the cursor's 1-based row and column; ESC[5n: "OK". */
static void status_report(uint32_t what)
{
	char buf[32] = "\x1b[";
	size_t n = 2;

	if (!reply_fn)
		return;
	if (what == DSR_CURSOR) {
		/* After the last column the cursor waits there for the wrap. */
		n = put_decimal(buf, n, con.row + 1);
		buf[n++] = ';';
		n = put_decimal(buf, n, con.col < con.cols ? con.col + 1 : con.cols);
		buf[n++] = 'R';
	} else if (what == DSR_STATUS) {
		buf[n++] = '0';
		buf[n++] = 'n';
	} else {
		return;
	}
	reply_fn(buf, n);
}

/* Acts on a complete CSI sequence (parameters in con.csi_param). */
static void csi_dispatch(uint8_t final)
{
	uint32_t *p = con.csi_param;

	if (con.csi_private) {
		if (final == CSI_SET_MODE || final == CSI_RESET_MODE)
			dec_private_mode(final);
		return;
	}
	switch (final) {
	case CSI_CUU:
	case CSI_CUD:
	case CSI_CUF:
	case CSI_CUB:
		cursor_move(final, p[0]);
		break;
	case CSI_CHA:
		cursor_to(con.row + 1, p[0]);
		break;
	case CSI_CUP:
	case CSI_HVP:
		cursor_to(p[0], con.csi_count >= 1 ? p[1] : 0);
		break;
	case CSI_ED:
		erase_display(p[0]);
		break;
	case CSI_EL:
		erase_line(p[0]);
		break;
	case CSI_SGR:
		sgr();
		break;
	case CSI_SCOSC:
		cursor_save(false);
		break;
	case CSI_SCORC:
		cursor_restore(false);
		break;
	case CSI_DSR:
		status_report(p[0]);
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
	con.csi_len = 0;
	con.csi_ignore = false;
	con.csi_private = false;
}

/* Adds one byte to the CSI sequence being read. Returns false if the
 * byte does not belong to it (a control character): the sequence is
 * dropped and the caller handles the byte as ordinary input. */
static bool csi_feed(uint8_t b)
{
	uint32_t *p = &con.csi_param[con.csi_count];

	if (b == CSI_PRIVATE && con.csi_len == 0) {
		con.csi_private = true; /* only as the first byte */
	} else if (b >= '0' && b <= '9') {
		*p = *p * 10 + (b - '0');
		if (*p > CSI_PARAM_LIMIT)
			*p = CSI_PARAM_LIMIT;
	} else if (b == ';') {
		if (con.csi_count + 1 < CSI_MAX_PARAMS)
			con.csi_param[++con.csi_count] = 0;
		else
			con.csi_ignore = true;
	} else if (b >= CSI_IGNORED_LOW && b <= CSI_IGNORED_HIGH) {
		con.csi_ignore = true; /* a late '?', ':', '>', intermediates: not ours */
	} else if (b >= CSI_FINAL_LOW && b <= CSI_FINAL_HIGH) {
		con.esc = ESC_NONE;
		if (!con.csi_ignore)
			csi_dispatch(b);
	} else {
		con.esc = ESC_NONE;
		return false;
	}
	con.csi_len++;
	return true;
}

/* Feeds a byte to an escape in progress; true if it was consumed. */
static bool esc_feed(uint8_t b)
{
	if (con.esc != ESC_START)
		return csi_feed(b);
	con.esc = ESC_NONE;
	switch (b) {
	case '[':
		csi_begin();
		return true;
	case ESC_DECSC:
		cursor_save(true);
		return true;
	case ESC_DECRC:
		cursor_restore(true);
		return true;
	default:
		return b >= 0x20; /* another two-byte escape (ESC c ...): drop both */
	}
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
	if (con.top >= con.rows)
		con.top = 0;
}

/* Draws the text with the cursor lifted off the screen, and puts the
 * cursor back at the end: one erase and one draw per call. */
void fbcon_write(const char *s, size_t n)
{
	if (!con.on)
		return;
	sanitize();
	cursor_hide();
	for (size_t i = 0; i < n; i++)
		feed_byte((uint8_t)s[i]);
	cursor_show();
	if (!con.deferred)
		fbcon_flush();
}

/* ---- the shadow ----------------------------------------------------------- */

size_t fbcon_shadow_bytes(void)
{
	if (!con.on)
		return 0;
	return (size_t)con.cols * con.font.width * con.rows * con.font.height * FB_BYTES_PER_PIXEL +
	       con.rows * sizeof(struct slot_state);
}

/* Copies the text area as it is on the screen into mem (the last read
 * of video memory), then draws there from now on. */
bool fbcon_attach_shadow(uint32_t *mem, size_t bytes)
{
	uint32_t w = con.cols * con.font.width, h = con.rows * con.font.height;

	if (!con.on || con.shadow || !mem || bytes < fbcon_shadow_bytes())
		return false;
	for (uint32_t y = 0; y < h; y++)
		span_copy(mem + (size_t)y * w, con.px + (size_t)y * con.stride, w);
	con.slots = (struct slot_state *)(mem + (size_t)w * h);
	for (uint32_t r = 0; r < con.rows; r++) /* what the screen shows: unknown */
		con.slots[r] = (struct slot_state){ .used = con.cols, .fill = con.fill };
	con.shadow_stride = w;
	con.top = 0;
	con.dirty_lo = con.rows;
	con.dirty_hi = 0;
	con.shadow = mem;
	return true;
}

void fbcon_set_deferred(bool deferred)
{
	con.deferred = deferred && con.shadow;
	if (!con.deferred)
		fbcon_flush();
}

bool fbcon_dirty(void)
{
	return con.on && con.shadow && con.dirty_lo < con.dirty_hi;
}

void fbcon_take_dirty(uint32_t *lo, uint32_t *hi)
{
	*lo = *hi = 0;
	if (!fbcon_dirty())
		return;
	*lo = con.dirty_lo;
	*hi = con.dirty_hi < con.rows ? con.dirty_hi : con.rows;
	con.dirty_lo = con.rows;
	con.dirty_hi = 0;
}

/* A writer that runs meanwhile marks what it changes dirty again (a
 * scroll: every row), so what this copies from a moving shadow is put
 * right by the next flush. */
void fbcon_flush_rows(uint32_t lo, uint32_t hi)
{
	if (con.on && con.shadow)
		flush_rows(lo < con.rows ? lo : con.rows, hi < con.rows ? hi : con.rows);
}

/* Takes the dirty range first, so rows a writer marks while the copy
 * runs (a panic cutting in) are left for the next flush, not lost. */
void fbcon_flush(void)
{
	uint32_t lo, hi;

	fbcon_take_dirty(&lo, &hi);
	fbcon_flush_rows(lo, hi);
}

/* ---- the result banner ---------------------------------------------------- */

/* This file also builds on the host (tests/unit): no kernel string.h. */
static void memcpy_small(char *dst, const char *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

/* The largest whole scale at which n glyphs fit the banner's box. */
static uint32_t banner_scale(size_t n)
{
	uint32_t text_w = con.cols * con.font.width, text_h = con.rows * con.font.height;
	uint32_t by_w = (uint32_t)(text_w * BANNER_WIDTH_PCT / 100 / (n * con.font.width));
	uint32_t by_h = text_h / BANNER_HEIGHT_DIV / con.font.height;
	uint32_t s = by_w < by_h ? by_w : by_h;

	return s > BANNER_SCALE_MAX ? BANNER_SCALE_MAX : s ? s : 1;
}

/* Glyph of cp at (x0, y0), each font pixel a scale x scale square. */
static void banner_glyph(uint32_t cp, uint32_t x0, uint32_t y0, uint32_t scale,
			 uint32_t fg, uint32_t bg)
{
	const struct font *f = &con.font;
	const uint8_t *g = font_glyph(f, font_glyph_index(f, cp));

	for (uint32_t y = 0; y < f->height; y++, g += f->row_bytes)
		for (uint32_t x = 0; x < f->width; x++)
			fill_rect(x0 + x * scale, y0 + y * scale, scale, scale,
				  (g[x >> 3] & (0x80 >> (x & 7))) ? fg : bg);
}

/* A band across the text area, centred, with text scaled up in it. */
static void banner_draw(const char *text, size_t n, uint32_t fg_rgb, uint32_t bg_rgb)
{
	uint32_t text_w = con.cols * con.font.width, text_h = con.rows * con.font.height;
	uint32_t scale = banner_scale(n);
	uint32_t glyph_h = con.font.height * scale, pad = glyph_h / BANNER_PAD_DIV;
	uint32_t band_h = glyph_h + 2 * pad < text_h ? glyph_h + 2 * pad : text_h;
	uint32_t band_y = (text_h - band_h) / 2;
	uint32_t glyphs_w = (uint32_t)n * con.font.width * scale;
	uint32_t x0 = glyphs_w < text_w ? (text_w - glyphs_w) / 2 : 0;
	uint32_t fg = make_pixel(fg_rgb), bg = make_pixel(bg_rgb);

	fill_rect(0, band_y, text_w, band_h, bg);
	for (size_t i = 0; i < n && x0 + (i + 1) * con.font.width * scale <= text_w; i++)
		if (band_y + pad + glyph_h <= text_h)
			banner_glyph((uint8_t)text[i], x0 + (uint32_t)i * con.font.width * scale,
				     band_y + pad, scale, fg, bg);
}

void fbcon_result_banner(int passed, int failed)
{
	char text[BANNER_TEXT_MAX];
	size_t n = 0;
	bool pass = failed == 0;

	if (!con.on)
		return;
	memcpy_small(text, pass ? "PASS " : "FAIL ", 5);
	n = 5;
	if (pass) {
		n = put_decimal(text, n, (uint32_t)(passed > 0 ? passed : 0));
	} else {
		n = put_decimal(text, n, (uint32_t)failed);
		memcpy_small(text + n, " of ", 4);
		n = put_decimal(text, n + 4, (uint32_t)(passed + failed));
	}
	sanitize();
	cursor_hide();
	banner_draw(text, n, pass ? RGB_PASS_FG : RGB_FAIL_FG, pass ? RGB_PASS_BG : RGB_FAIL_BG);
	cursor_show();
	fbcon_flush(); /* now, deferred or not: the run is over */
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
	con.attrs = default_attrs;
	attrs_apply();
	con.saved_col = con.saved_row = 0;
	con.saved_attrs = default_attrs;
	con.invert = make_pixel(RGB_WHITE);
	con.cursor_enabled = true;
	con.cursor_drawn = false; /* first drawn by the first write */
	con.shadow = NULL;        /* straight to video memory until a shadow is attached */
	con.deferred = false;
	con.top = 0;
	con.dirty_lo = con.dirty_hi = 0;
	clear_screen();
	con.on = true;
	return true;
}

void fbcon_set_color(uint32_t rgb_fg)
{
	if (!con.on)
		return;
	con.attrs.fg_rgb = rgb_fg;
	con.attrs.fg_ansi = NOT_ANSI;
	attrs_apply();
}

void fbcon_reset_color(void)
{
	if (!con.on)
		return;
	con.attrs.fg_rgb = FBCON_DEFAULT_FG;
	con.attrs.fg_ansi = FG_DEFAULT_ANSI;
	attrs_apply();
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
