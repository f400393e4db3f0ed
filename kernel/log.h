/* SPDX-License-Identifier: MIT */
/* The kernel log: every line goes to each enabled console (serial, framebuffer). */
#ifndef KESTREL_LOG_H
#define KESTREL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_ERR   3
#define LOG_WARN  4
#define LOG_INFO  6
#define LOG_DEBUG 7
#define LOG_DEFAULT_LEVEL LOG_INFO

#define LOG_LINE_MAX 512

/* Which consoles get log lines; both by default. */
void log_set_consoles(bool serial, bool fb);
void log_set_level(int level);
/* Set the TSC reference and rate for timestamps ([seconds.millis] since loader start). */
void log_set_clock(uint64_t tsc_origin, uint64_t tsc_hz);
uint64_t log_ms_since_origin(uint64_t tsc);

/* Format and print one message at a level; dropped above the log level.
 * Takes no lock yet: the kernel is single-threaded until the scheduler lands. */
void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write raw bytes to every enabled console (force: all present consoles). */
void log_write(const char *s, size_t n, bool force);

#endif
