/* SPDX-License-Identifier: MIT */
/* Freestanding memory and string routines (the compiler calls memcpy, memset, memmove and memcmp itself). */
#ifndef KESTREL_LIB_STRING_H
#define KESTREL_LIB_STRING_H

#include <stddef.h>

#define STRING_PAGE_SIZE 4096

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

/*
 * -ffreestanding turns the compiler's own knowledge of these off, so a
 * fixed-size copy (memcpy(&w, p, 8), the portable unaligned load) would
 * be a call: csum_add spent 30 of its 34 instructions a word in one.
 * Through the builtins the compiler inlines the small fixed-size ones and
 * still calls the functions above for the rest. string.c, which defines
 * them, sees the plain names.
 */
#ifndef KESTREL_STRING_IMPL
#define memcpy(dst, src, n) __builtin_memcpy(dst, src, n)
#define memmove(dst, src, n) __builtin_memmove(dst, src, n)
#define memset(dst, c, n) __builtin_memset(dst, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#endif

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Zero / copy one STRING_PAGE_SIZE page; both pointers must be page aligned. */
void memzero_page(void *page);
void memcpy_page(void *restrict dst, const void *restrict src);

/* Copy at most size-1 bytes of src and NUL-terminate (size > 0);
 * returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
