/* SPDX-License-Identifier: MIT */
/* The kernel log: every line goes to each enabled console (a registered sink) and to a ring kept for later reading. */
#ifndef KESTREL_LOG_H
#define KESTREL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_ERR   3
#define LOG_WARN  4
#define LOG_INFO  6
#define LOG_DEBUG 7
#define LOG_DEFAULT_LEVEL LOG_INFO
#define LOG_RAW   (-1) /* a sink's level for raw bytes (log_write, panic reports) */

#define LOG_LINE_MAX 512

/*
 * A console the log writes to. The log sits below every driver, so it
 * calls none by name: a console registers a sink at boot (main.c's
 * console set-up). write gets n bytes and the line's level (LOG_RAW for
 * raw bytes), and must work in any context, a panic included; flush,
 * optional, pushes out bytes the console still holds (a UART's FIFO),
 * bounded in time.
 */
struct log_sink {
	void (*write)(const char *s, size_t n, int level);
	void (*flush)(void);
};
#define LOG_SINKS_MAX 4

/* Register a sink, enabled, for every later line. Call at boot, before
 * other CPUs or interrupts run. Returns its id, or -1 when full. */
int log_add_sink(const struct log_sink *sink);
/* Whether klog lines and unforced log_write bytes go to sink id. */
void log_enable_sink(int id, bool enabled);
void log_set_level(int level);
int log_get_level(void);
/* Set the TSC reference and rate for timestamps ([seconds.millis] since loader start). */
void log_set_clock(uint64_t tsc_origin, uint64_t tsc_hz);
uint64_t log_ms_since_origin(uint64_t tsc);

/* Format one message at a level into the ring, and print it unless it is
 * above the log level. Lock rule: the kernel lock (klock.h), which every
 * caller holds (before it exists only the boot CPU runs); no lock of its
 * own. It writes the line with interrupts off, so that an interrupt
 * handler's line never lands inside another's. */
void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vklog(int level, const char *fmt, va_list ap);

/* Write raw bytes to every enabled sink (force: every registered sink).
 * Not kept in the ring: that holds klog lines only. */
void log_write(const char *s, size_t n, bool force);
/* Format one line (at most LOG_LINE_MAX bytes) and write it to every
 * registered sink, enabled or not, bypassing level and ring: for the panic
 * report and the audit dump. Lockless; any context. */
void log_printf_force(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vprintf_force(const char *fmt, va_list ap);
/* Runs every sink's flush. Called before the machine stops (debug exit,
 * power off, reset, the end of a panic report) so the last line is not
 * cut. Any context. */
void log_flush(void);

/*
 * The log ring: every klog line, at every level (the log level filters
 * the consoles only), with its timestamp, in a static LOG_RING_SIZE
 * buffer that keeps the newest bytes. Offsets count every byte ever
 * logged, so a reader (dmesg, /proc/kmsg) keeps its place across calls.
 * Panic reports bypass it.
 */
#define LOG_RING_SIZE (64 * 1024) /* a power of two */

/* Copies up to n bytes of the ring starting at offset *off, and advances
 * *off past them. A reader that fell behind (its bytes were overwritten)
 * first skips forward to the oldest byte kept; *off = 0 reads the whole
 * ring. Returns the number of bytes copied, 0 at the end. Serialised
 * with klog like everything else here (the kernel lock). */
size_t log_ring_read(char *dst, size_t *off, size_t n);

/* The offset just past the newest byte: bytes ever logged to the ring. */
size_t log_ring_end(void);

#endif
