/* SPDX-License-Identifier: MIT */
/* The console's input side: one raw queue fed through dev/input.h by the serial port and the keyboards, drained by the TTY (dev/tty.c). */
#include "dev/console.h"

#include <stdint.h>

#include "cmdline.h"
#include "log.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "dev/input.h"
#include "dev/ps2kbd.h"
#include "dev/serial.h"
#include "time/time.h"
#include "mm/layout.h"
#include "proc/sched.h"

#define INPUT_MASK (CONSOLE_INPUT_SIZE - 1)
_Static_assert((CONSOLE_INPUT_SIZE & INPUT_MASK) == 0, "CONSOLE_INPUT_SIZE must be a power of two");

#define ECHO_WORD     "echo"  /* the command-line word */
#define POLL_INTERVAL_NS 10000000ull /* a source without an interrupt is polled every 10 ms */

/*
 * The input queue, a ring: byte i at buf[i & INPUT_MASK]. Producers (the
 * serial and keyboard interrupt handlers, or console_poll on their
 * behalf) run with interrupts off on the one CPU, so they never overlap;
 * only they move head. Only the reader moves tail. Each publishes its
 * index with a release store after touching buf. The reader sleeps on
 * wq, which every push wakes.
 */
static struct {
	char buf[CONSOLE_INPUT_SIZE];
	uint32_t head;    /* producers, interrupts off */
	uint32_t tail;    /* the reader */
	uint32_t dropped; /* producers: bytes lost to a full queue */
	struct wait_queue wq;
} q;

/* Set by console_input_init, read-only afterwards. */
static struct {
	bool serial, ps2;          /* present */
	bool serial_irq, ps2_irq;  /* interrupt-driven; otherwise polled by readers */
	bool echo;                 /* `echo` on the command line */
} src;

void console_input_push(const char *s, size_t n)
{
	uint32_t head = q.head, tail = __atomic_load_n(&q.tail, __ATOMIC_ACQUIRE);

	for (size_t i = 0; i < n; i++) {
		if (head - tail == CONSOLE_INPUT_SIZE) {
			q.dropped += (uint32_t)(n - i);
			break;
		}
		q.buf[head++ & INPUT_MASK] = s[i];
	}
	__atomic_store_n(&q.head, head, __ATOMIC_RELEASE);
	wake_all(&q.wq);
}

void console_input_reply(const char *s, size_t n)
{
	uint64_t f = irq_save();

	console_input_push(s, n);
	irq_restore(f);
}

/* Polls the sources that have no interrupt, and all of them while
 * interrupts are off (no handler can run then, so none competes). */
static void console_poll(void)
{
	bool irqs_on = interrupts_enabled();
	bool serial = src.serial && (!src.serial_irq || !irqs_on);
	bool ps2 = src.ps2 && (!src.ps2_irq || !irqs_on);

	if (!serial && !ps2)
		return;
	cpu_cli();
	if (serial)
		serial_rx_poll();
	if (ps2)
		ps2kbd_poll();
	if (irqs_on)
		cpu_sti();
}

int console_read(char *buf, size_t n)
{
	console_poll();
	uint32_t tail = q.tail, head = __atomic_load_n(&q.head, __ATOMIC_ACQUIRE);
	size_t got = 0;

	while (got < n && tail != head)
		buf[got++] = q.buf[tail++ & INPUT_MASK];
	__atomic_store_n(&q.tail, tail, __ATOMIC_RELEASE);
	return (int)got; /* at most CONSOLE_INPUT_SIZE */
}

bool console_has_input(void)
{
	console_poll();
	return __atomic_load_n(&q.head, __ATOMIC_ACQUIRE) != q.tail;
}

static bool any_polled(void)
{
	return (src.serial && !src.serial_irq) || (src.ps2 && !src.ps2_irq);
}

/* The queue is checked and the sleep begun with interrupts off, so a
 * byte pushed in between wakes the sleeper instead of being missed. */
void console_wait_input(void)
{
	uint64_t flags = irq_save();

	if (!console_has_input())
		wait_on(&q.wq, any_polled() ? time_ns() + POLL_INTERVAL_NS : NO_DEADLINE);
	irq_restore(flags);
}

/* ---- set-up ------------------------------------------------------------------- */

static bool cmdline_says_echo(const struct kbi_boot_info *bi)
{
	struct cmdline c;

	if (!bi->cmdline || !bi->cmdline_len)
		return false;
	cmdline_init(&c, phys_to_virt(bi->cmdline), bi->cmdline_len);
	return cmdline_has(&c, ECHO_WORD);
}

static void log_sources(void)
{
	if (!src.serial && !src.ps2) {
		klog(LOG_INFO, "console: no input (no serial port, no ps2 keyboard)\n");
		return;
	}
	klog(LOG_INFO, "console: input from %s%s%s%s%s\n",
	     src.serial ? "serial" : "", src.serial && !src.serial_irq ? " (polled)" : "",
	     src.serial && src.ps2 ? ", " : "",
	     src.ps2 ? "ps2 keyboard" : "", src.ps2 && !src.ps2_irq ? " (polled)" : "");
}

/* The keyboard probe runs with interrupts as they are (it may wait a
 * second for a slow keyboard); the IRQ hand-over runs with them off, so
 * nothing is delivered to a source half switched over. */
void console_input_init(const struct kbi_boot_info *bi)
{
	bool irqs_on = interrupts_enabled();

	src.echo = cmdline_says_echo(bi);
	input_set_sink(console_input_push); /* what the drivers below get typed */
	src.serial = serial_present();
	src.ps2 = ps2kbd_init();
	cpu_cli();
	src.serial_irq = src.serial && serial_rx_irq_enable();
	src.ps2_irq = src.ps2 && ps2kbd_irq_enable();
	if (irqs_on)
		cpu_sti();
	log_sources();
}

bool console_input_present(void)
{
	return src.serial || src.ps2;
}

bool console_echo_wanted(void)
{
	return src.echo;
}
