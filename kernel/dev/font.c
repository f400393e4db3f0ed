/* SPDX-License-Identifier: MIT */
/* PSF1/PSF2 console fonts: header validation, glyph bitmaps, Unicode lookup. */
#include "dev/font.h"

/*
 * PSF1 (Linux kbd): 4-byte header, 8 pixels wide, 256 or 512 glyphs of
 * `charsize` bytes; the Unicode table that may follow gives, per glyph,
 * UCS-2 little-endian code points ended by 0xffff, with 0xfffe starting
 * combining sequences we skip.
 * PSF2: 32-byte little-endian header; the table gives, per glyph, UTF-8
 * code points ended by 0xff, with 0xfe starting sequences.
 */
#define PSF1_MAGIC0      0x36
#define PSF1_MAGIC1      0x04
#define PSF1_HEADER_SIZE 4
#define PSF1_MODE512     0x01
#define PSF1_MODEHASTAB  0x02
#define PSF1_MODESEQ     0x04
#define PSF1_WIDTH       8
#define PSF1_SEPARATOR   0xffff
#define PSF1_STARTSEQ    0xfffe

#define PSF2_MAGIC       0x864ab572u
#define PSF2_HEADER_SIZE 32
#define PSF2_HAS_UNICODE 0x01
#define PSF2_SEPARATOR   0xff
#define PSF2_STARTSEQ    0xfe

/* PSF2 header field offsets. */
#define PSF2_OFF_MAGIC      0
#define PSF2_OFF_VERSION    4
#define PSF2_OFF_HEADERSIZE 8
#define PSF2_OFF_FLAGS      12
#define PSF2_OFF_LENGTH     16
#define PSF2_OFF_CHARSIZE   20
#define PSF2_OFF_HEIGHT     24
#define PSF2_OFF_WIDTH      28

#define UNICODE_MAX 0x10ffff

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks the geometry shared by both formats and that the glyphs fit. */
static bool check_glyphs(struct font *f, size_t header, size_t len, const char **why)
{
	if (f->width == 0 || f->width > FONT_MAX_WIDTH ||
	    f->height == 0 || f->height > FONT_MAX_HEIGHT) {
		*why = "font: glyph size out of range";
		return false;
	}
	f->row_bytes = (f->width + 7) / 8;
	if (f->glyph_bytes != f->row_bytes * f->height) {
		*why = "font: charsize does not match width and height";
		return false;
	}
	if (f->count == 0 || f->count > FONT_NO_GLYPH) {
		*why = "font: glyph count out of range";
		return false;
	}
	if ((uint64_t)f->count * f->glyph_bytes > len - header) {
		*why = "font: glyphs run past the end of the blob";
		return false;
	}
	return true;
}

static bool parse_psf1(struct font *f, const uint8_t *b, size_t len, const char **why)
{
	uint8_t mode = b[2];

	f->width = PSF1_WIDTH;
	f->height = b[3];
	f->glyph_bytes = b[3];
	f->count = (mode & PSF1_MODE512) ? 512 : 256;
	f->glyphs = b + PSF1_HEADER_SIZE;
	if (!check_glyphs(f, PSF1_HEADER_SIZE, len, why))
		return false;
	f->utab_utf8 = false;
	if (mode & (PSF1_MODEHASTAB | PSF1_MODESEQ))
		f->utab = f->glyphs + (size_t)f->count * f->glyph_bytes;
	return true;
}

static bool parse_psf2(struct font *f, const uint8_t *b, size_t len, const char **why)
{
	uint32_t header = le32(b + PSF2_OFF_HEADERSIZE);

	if (le32(b + PSF2_OFF_VERSION) != 0) {
		*why = "font: unknown PSF2 version";
		return false;
	}
	if (header < PSF2_HEADER_SIZE || header > len) {
		*why = "font: bad PSF2 header size";
		return false;
	}
	f->count = le32(b + PSF2_OFF_LENGTH);
	f->glyph_bytes = le32(b + PSF2_OFF_CHARSIZE);
	f->height = le32(b + PSF2_OFF_HEIGHT);
	f->width = le32(b + PSF2_OFF_WIDTH);
	f->glyphs = b + header;
	if (!check_glyphs(f, header, len, why))
		return false;
	f->utab_utf8 = true;
	if (le32(b + PSF2_OFF_FLAGS) & PSF2_HAS_UNICODE)
		f->utab = f->glyphs + (size_t)f->count * f->glyph_bytes;
	return true;
}

/* Walks the Unicode table one (code point, glyph) pair at a time,
 * skipping combining sequences and anything malformed. */
struct utab_iter {
	const uint8_t *p, *end;
	uint32_t glyph;
	bool in_seq;
	bool utf8;
};

/* Decodes one UTF-8 code point of a PSF2 table entry at *p (< end).
 * Returns false, having consumed one byte, if it is malformed. */
static bool utab_utf8(const uint8_t **p, const uint8_t *end, uint32_t *cp)
{
	uint8_t b = *(*p)++;
	int more = b < 0x80 ? 0 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;

	if (more < 0 || end - *p < more)
		return false;
	*cp = more ? b & (0x3f >> more) : b;
	for (int i = 0; i < more; i++) {
		if ((**p & 0xc0) != 0x80)
			return false;
		*cp = *cp << 6 | (*(*p)++ & 0x3f);
	}
	return *cp <= UNICODE_MAX;
}

/* Reads one table item: returns 1 with *cp set for a mapping, 0 for a
 * separator or sequence marker (already acted on), -1 at the end. */
static int utab_item(struct utab_iter *it, uint32_t *cp)
{
	if (it->utf8) {
		if (*it->p == PSF2_SEPARATOR || *it->p == PSF2_STARTSEQ) {
			it->in_seq = *it->p++ == PSF2_STARTSEQ;
			it->glyph += !it->in_seq;
			return 0;
		}
		return utab_utf8(&it->p, it->end, cp) ? 1 : 0;
	}
	if (it->end - it->p < 2)
		return -1;
	*cp = it->p[0] | (uint32_t)it->p[1] << 8;
	it->p += 2;
	if (*cp == PSF1_SEPARATOR || *cp == PSF1_STARTSEQ) {
		it->in_seq = *cp == PSF1_STARTSEQ;
		it->glyph += !it->in_seq;
		return 0;
	}
	return 1;
}

/* Next single-code-point mapping; false when the table is exhausted. */
static bool utab_next(struct utab_iter *it, uint32_t *cp, uint32_t *glyph)
{
	for (;;) {
		if (it->p >= it->end || it->glyph >= FONT_NO_GLYPH)
			return false;
		int r = utab_item(it, cp);
		if (r < 0)
			return false;
		if (r > 0 && !it->in_seq) {
			*glyph = it->glyph;
			return true;
		}
	}
}

static void utab_begin(const struct font *f, struct utab_iter *it)
{
	it->p = f->utab;
	it->end = f->utab_end;
	it->glyph = 0;
	it->in_seq = false;
	it->utf8 = f->utab_utf8;
}

/* Fills latin1[] from the table (first mapping wins), or with the
 * identity when the font has no table; then picks the '?' fallback. */
static void build_latin1(struct font *f)
{
	struct utab_iter it;
	uint32_t cp, glyph;

	for (uint32_t i = 0; i < FONT_LATIN1; i++)
		f->latin1[i] = (!f->utab && i < f->count) ? (uint16_t)i : FONT_NO_GLYPH;
	if (f->utab) {
		utab_begin(f, &it);
		while (utab_next(&it, &cp, &glyph))
			if (cp < FONT_LATIN1 && glyph < f->count &&
			    f->latin1[cp] == FONT_NO_GLYPH)
				f->latin1[cp] = (uint16_t)glyph;
	}
	f->fallback = f->latin1['?'] != FONT_NO_GLYPH ? f->latin1['?'] : 0;
}

/*
 * Parses the PSF1 or PSF2 font in blob[0..len) into *f, validating every
 * size against len. The blob must outlive f. Returns false with *why
 * set to a message if the blob is not a usable font.
 */
bool font_load(struct font *f, const uint8_t *blob, size_t len,
               const char *name, const char **why)
{
	bool ok;

	*f = (struct font){ .name = name };
	if (len >= PSF1_HEADER_SIZE && blob[0] == PSF1_MAGIC0 && blob[1] == PSF1_MAGIC1)
		ok = parse_psf1(f, blob, len, why);
	else if (len >= PSF2_HEADER_SIZE && le32(blob + PSF2_OFF_MAGIC) == PSF2_MAGIC)
		ok = parse_psf2(f, blob, len, why);
	else {
		*why = "font: not a PSF1 or PSF2 file";
		ok = false;
	}
	if (!ok)
		return false;
	if (f->utab)
		f->utab_end = blob + len;
	build_latin1(f);
	return true;
}

/* The glyph for code point cp: Latin-1 by table, the rest by a linear
 * walk of the Unicode table (a few hundred entries); '?' if unmapped. */
uint32_t font_glyph_index(const struct font *f, uint32_t cp)
{
	struct utab_iter it;
	uint32_t c, glyph;

	if (cp < FONT_LATIN1)
		return f->latin1[cp] != FONT_NO_GLYPH ? f->latin1[cp] : f->fallback;
	if (!f->utab)
		return cp < f->count ? cp : f->fallback;
	utab_begin(f, &it);
	while (utab_next(&it, &c, &glyph))
		if (c == cp)
			return glyph < f->count ? glyph : f->fallback;
	return f->fallback;
}
