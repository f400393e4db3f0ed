// SPDX-License-Identifier: MIT
/* Kestrel: the kernel log, fanned out to the registered consoles (sinks), and kept in a ring. */
#include <stdarg.h>
#include "log.h"
/* irq_save/irq_restore: single instructions, below lib/ (lib/spinlock.h) */
#include "arch/x86_64/cpu.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "test/selftest.h"

static struct {
	int level;
	uint64_t tsc_origin, tsc_hz;
} log = { LOG_DEFAULT_LEVEL, 0, 0 };

/* The consoles, in registration order. Registered at boot before any
 * other CPU or interrupt runs, then only enabled or disabled; same
 * (absent) locking as the rest of the log. */
static struct {
	const struct log_sink *sink;
	bool enabled;
} sinks[LOG_SINKS_MAX];
static int sink_count;

#define RING_MASK (LOG_RING_SIZE - 1)
_Static_assert((LOG_RING_SIZE & RING_MASK) == 0, "LOG_RING_SIZE must be a power of two");

/* The ring holds bytes [end - LOG_RING_SIZE, end) of everything logged,
 * byte i at buf[i & RING_MASK]. Written by klog only; same (absent)
 * locking as the rest of the log. */
static struct {
	char buf[LOG_RING_SIZE];
	size_t end;
} ring;

int log_add_sink(const struct log_sink *sink)
{
	if (sink_count == LOG_SINKS_MAX)
		return -1;
	sinks[sink_count].sink = sink;
	sinks[sink_count].enabled = true;
	return sink_count++;
}

void log_enable_sink(int id, bool enabled)
{
	if (id >= 0 && id < sink_count)
		sinks[id].enabled = enabled;
}

void log_set_level(int level)
{
	log.level = level;
}

int log_get_level(void)
{
	return log.level;
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

void log_flush(void)
{
	for (int i = 0; i < sink_count; i++)
		if (sinks[i].sink->flush)
			sinks[i].sink->flush();
}

/* Hands n bytes at a level to each enabled sink, or to every sink. */
static void sinks_write(const char *s, size_t n, int level, bool all)
{
	for (int i = 0; i < sink_count; i++)
		if (all || sinks[i].enabled)
			sinks[i].sink->write(s, n, level);
}

void log_write(const char *s, size_t n, bool force)
{
	sinks_write(s, n, LOG_RAW, force);
}

void log_vprintf_force(const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	kvsnprintf(line, sizeof(line), fmt, ap);
	log_write(line, strlen(line), true);
}

void log_printf_force(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf_force(fmt, ap);
	va_end(ap);
}

/* Appends n bytes (n <= LOG_RING_SIZE) at the end of the ring, in at
 * most two copies (the second when it wraps). */
static void ring_append(const char *s, size_t n)
{
	size_t at = ring.end & RING_MASK;
	size_t first = n < LOG_RING_SIZE - at ? n : LOG_RING_SIZE - at;

	memcpy(ring.buf + at, s, first);
	memcpy(ring.buf, s + first, n - first);
	ring.end += n;
}

size_t log_ring_read(char *dst, size_t *off, size_t n)
{
	size_t oldest = ring.end > LOG_RING_SIZE ? ring.end - LOG_RING_SIZE : 0;

	if (*off < oldest)
		*off = oldest;
	if (*off >= ring.end)
		return 0;
	if (n > ring.end - *off)
		n = ring.end - *off;
	size_t at = *off & RING_MASK;
	size_t first = n < LOG_RING_SIZE - at ? n : LOG_RING_SIZE - at;

	memcpy(dst, ring.buf + at, first);
	memcpy(dst + first, ring.buf, n - first);
	*off += n;
	return n;
}

size_t log_ring_end(void)
{
	return ring.end;
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

void vklog(int level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	uint64_t ms = log_ms_since_origin(__builtin_ia32_rdtsc());
	int n = ksnprintf(line, sizeof(line), "[%4lu.%03lu] ", ms / 1000, ms % 1000);
	kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	size_t len = strlen(line);
	/* Interrupts off for the line: an interrupt handler's own klog would
	 * otherwise land inside this one's ring copy (the same bytes written
	 * twice, end moved once) or inside its console output. */
	uint64_t flags = irq_save();
	ring_append(line, len);
	if (level <= log.level)
		sinks_write(line, len, level, false);
	irq_restore(flags);
}

/* A line just logged is the newest text in the ring, and a reader that
 * starts at 0 is moved forward to the oldest byte kept. */
SELFTEST(log_ring)
{
	static char tail[LOG_LINE_MAX];
	static const char marker[] = "log: ring self-test marker\n";
	size_t off, got, len = sizeof(marker) - 1;

	klog(LOG_DEBUG, "%s", marker);
	if (log_ring_end() < len)
		return "ring shorter than the line just logged";
	off = log_ring_end() - len;
	got = log_ring_read(tail, &off, sizeof(tail));
	if (got != len || memcmp(tail, marker, len) != 0 || off != log_ring_end())
		return "the newest bytes are not the line just logged";
	size_t oldest = log_ring_end() > LOG_RING_SIZE ? log_ring_end() - LOG_RING_SIZE : 0;
	off = 0;
	got = log_ring_read(tail, &off, 1);
	if (got != 1 || off != oldest + 1)
		return "a read from 0 did not start at the oldest byte kept";
	return NULL;
}
