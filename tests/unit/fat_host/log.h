/* SPDX-License-Identifier: MIT */
/* Host stand-in for kernel/log.h (FAT tests and fuzzer): klog prints (lines end in \n, as the kernel's) to
 * stderr when FAT_HOST_VERBOSE is set in the environment. */
#ifndef KESTREL_HOST_LOG_H
#define KESTREL_HOST_LOG_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define LOG_ERR   3
#define LOG_WARN  4
#define LOG_INFO  6

__attribute__((format(printf, 2, 3))) static inline void klog(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	if (!getenv("FAT_HOST_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

#endif
