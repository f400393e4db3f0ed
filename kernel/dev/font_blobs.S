/* SPDX-License-Identifier: MIT */
/* The console fonts, embedded into .rodata with .incbin at build time. */

/*
 * The Makefile defines FONT16_PATH and FONT32_PATH as string literals
 * naming gunzipped PSF files (Debian console-setup-linux's
 * Lat15-Terminus16 and Lat15-Terminus32x16). fbcon validates them.
 */
#ifndef FONT16_PATH
#error "FONT16_PATH must name the gunzipped 8x16 PSF font"
#endif
#ifndef FONT32_PATH
#error "FONT32_PATH must name the gunzipped 16x32 PSF font"
#endif

	.section .rodata
	.balign 16
	.globl font16_start
	.type font16_start, @object
font16_start:
	.incbin FONT16_PATH
	.globl font16_end
font16_end:
	.size font16_start, font16_end - font16_start

	.balign 16
	.globl font32_start
	.type font32_start, @object
font32_start:
	.incbin FONT32_PATH
	.globl font32_end
font32_end:
	.size font32_start, font32_end - font32_start

	.section .note.GNU-stack, "", @progbits
