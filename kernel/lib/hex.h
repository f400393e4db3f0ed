/* SPDX-License-Identifier: MIT */
/* A hexadecimal digit's value: for every parser of hex text (GUIDs, cpio headers, USB MAC strings). */
#ifndef KESTREL_LIB_HEX_H
#define KESTREL_LIB_HEX_H

/* The value of the digit c (0-9, a-f, A-F), or -1 for any other character. */
static inline int hex_digit(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

#endif
