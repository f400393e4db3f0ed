/* SPDX-License-Identifier: MIT */
/* PSF1/PSF2 console fonts: header validation, glyph bitmaps, Unicode lookup. */
#ifndef KESTREL_DEV_FONT_H
#define KESTREL_DEV_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fonts embedded by font_blobs.S (gunzipped PSF files, in .rodata). */
extern const uint8_t font16_start[], font16_end[]; /* 8x16 */
extern const uint8_t font32_start[], font32_end[]; /* 16x32 */

#define FONT_MAX_WIDTH  32
#define FONT_MAX_HEIGHT 64
#define FONT_LATIN1     256    /* code points with a direct lookup slot */
#define FONT_NO_GLYPH   0xffff /* latin1[] entry with no glyph */

/* A parsed font. Glyph rows are row_bytes wide, most significant bit =
 * leftmost pixel. Everything points into the blob; nothing is copied. */
struct font {
	const char *name;
	const uint8_t *glyphs;    /* glyph 0's bitmap */
	uint32_t count;           /* glyphs in the font */
	uint32_t glyph_bytes;     /* bytes per glyph = height * row_bytes */
	uint32_t width, height;   /* pixels */
	uint32_t row_bytes;
	const uint8_t *utab;      /* Unicode table, NULL if the font has none */
	const uint8_t *utab_end;
	bool utab_utf8;           /* PSF2: UTF-8 entries; PSF1: UCS-2 */
	uint32_t fallback;        /* glyph shown for unmapped code points: '?' */
	uint16_t latin1[FONT_LATIN1]; /* glyph for U+0000..U+00FF */
};

bool font_load(struct font *f, const uint8_t *blob, size_t len,
               const char *name, const char **why);
uint32_t font_glyph_index(const struct font *f, uint32_t cp);

/* The bitmap of glyph index (always < f->count). */
static inline const uint8_t *font_glyph(const struct font *f, uint32_t index)
{
	return f->glyphs + (size_t)index * f->glyph_bytes;
}

#endif
