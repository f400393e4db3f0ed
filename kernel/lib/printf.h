/* SPDX-License-Identifier: MIT */
/* Bounded formatted output into a buffer (a C99 snprintf subset, no globals). */
#ifndef KESTREL_LIB_PRINTF_H
#define KESTREL_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats into buf, writing at most size bytes including the NUL; always
 * NUL-terminates when size > 0 (buf may be NULL when size is 0).
 * Returns the length the full output would have had, like C99 snprintf.
 *
 * Conversions: d i u x X o c s p %. Length modifiers: hh h l ll z t j.
 * Flags: - 0 + space #. Width and precision, either may be `*`.
 * %s of NULL prints "(null)"; %p prints 0x and 16 hex digits.
 * An unknown conversion is copied to the output as written.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
