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
