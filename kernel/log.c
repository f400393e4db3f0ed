// SPDX-License-Identifier: MIT
/* Kestrel: the kernel log, fanned out to the serial port and the framebuffer console. */
#include <stdarg.h>
#include "log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "dev/serial.h"
#include "dev/fbcon.h"

#define FB_COLOR_ERR   0xff5555
#define FB_COLOR_WARN  0xffff55
#define FB_COLOR_DEBUG 0x909090

static struct {
	bool serial, fb;
	int level;
	uint64_t tsc_origin, tsc_hz;
} log = { true, true, LOG_DEFAULT_LEVEL, 0, 0 };

void log_set_consoles(bool serial, bool fb)
{
	log.serial = serial;
	log.fb = fb;
}

void log_set_level(int level)
{
	log.level = level;
}

void log_set_clock(uint64_t tsc_origin, uint64_t tsc_hz)
{
	log.tsc_origin = tsc_origin;
	log.tsc_hz = tsc_hz;
}

uint64_t log_ms_since_origin(uint64_t tsc)
{
	if (!log.tsc_hz || tsc < log.tsc_origin)
		return 0;
	return (tsc - log.tsc_origin) / (log.tsc_hz / 1000);
}

void log_write(const char *s, size_t n, bool force)
{
	if (force || log.serial)
		serial_write(s, n);
	if (force || log.fb)
		fbcon_write(s, n);
}

static void fb_level_color(int level)
{
	if (level <= LOG_ERR)
		fbcon_set_color(FB_COLOR_ERR);
	else if (level == LOG_WARN)
		fbcon_set_color(FB_COLOR_WARN);
	else if (level >= LOG_DEBUG)
		fbcon_set_color(FB_COLOR_DEBUG);
}

void klog(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (level > log.level)
		return;
	uint64_t ms = log_ms_since_origin(__builtin_ia32_rdtsc());
	int n = ksnprintf(line, sizeof(line), "[%4lu.%03lu] ", ms / 1000, ms % 1000);
	va_start(ap, fmt);
	kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	if (log.serial)
		serial_write(line, len);
	if (log.fb) {
		fb_level_color(level);
		fbcon_write(line, len);
		fbcon_reset_color();
	}
}
