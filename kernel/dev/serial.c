/* SPDX-License-Identifier: MIT */
/* COM1 16550 UART driver: 115200 8N1; output polled (safe from a panic), input by interrupt to the typed-input sink (dev/input.h). */
#include "dev/serial.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/irq.h"
#include "dev/input.h"
#include "time/time.h"
#include "log.h"

#define COM1_BASE 0x3f8

/* Register offsets from the base port. */
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define LCR_8N1  0x03        /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB (1u << 7)   /* divisor latch access */

#define IER_RX_DATA (1u << 0) /* interrupt when received data is available */

#define FCR_ENABLE     (1u << 0)
#define FCR_CLEAR_RX   (1u << 1)
#define FCR_CLEAR_TX   (1u << 2)
#define FCR_TRIGGER_14 (3u << 6) /* receive interrupt at 14 bytes */

#define MCR_DTR      (1u << 0)
#define MCR_RTS      (1u << 1)
#define MCR_OUT1     (1u << 2)
#define MCR_OUT2     (1u << 3) /* gates the IRQ line on PC hardware */
#define MCR_LOOPBACK (1u << 4)

#define LSR_DATA_READY (1u << 0)
#define LSR_THR_EMPTY  (1u << 5)
#define LSR_TX_EMPTY   (1u << 6)  /* THR and the shift register both empty */

#define UART_CLOCK_DIV 115200u /* the 1.8432 MHz clock / 16 */
#define SERIAL_BAUD    115200u
#define LOOPBACK_BYTE  0xae

/*
 * Waits are measured on the TSC, never by counting polls (a poll costs
 * 1 us on hardware and far less or far more under an emulator).
 *
 * A byte normally waits for the transmitter as long as it takes, up to
 * SERIAL_TX_STALL_MS: a slow console (a terminal that stopped reading,
 * QEMU's serial on a socket whose reader is busy) slows output but
 * loses none of it. After a byte has waited that long the port counts
 * as stalled, and like Linux's 8250 console (wait_for_xmitr: 10 ms per
 * character, then the byte is written anyway) each later byte waits at
 * most SERIAL_TX_BYTE_MS and is written regardless; the first byte that
 * finds the transmitter ready ends the stall. So a wedged UART costs one
 * long wait, then 10 ms a byte, and the port is never given up: the
 * moment it drains again, output flows at full speed.
 */
#define SERIAL_TX_STALL_MS 5000
#define SERIAL_TX_BYTE_MS  10
/* The loopback byte comes back within one character time (87 us). */
#define SERIAL_PROBE_MS    10
/* A full 16-byte FIFO and the shift register go out in 1.5 ms at 115200
 * baud; a drain waits longer for a flow-controlled line, but bounded. */
#define SERIAL_DRAIN_MS    100
/* Bytes taken per interrupt at most: more than the 16-byte FIFO holds,
 * and a bound should the line status never clear. */
#define SERIAL_RX_MAX 64

/* Set once by serial_init when the probe passes; never cleared after. */
static bool serial_ok;
/* True while the transmitter is stalled (see SERIAL_TX_STALL_MS). Written
 * by serial_put only; a plain flag: a racing panic writer at worst waits
 * the short or the long limit once more. */
static bool tx_stalled;

static void uart_out(unsigned reg, uint8_t v)
{
	outb((uint16_t)(COM1_BASE + reg), v);
}

static uint8_t uart_in(unsigned reg)
{
	return inb((uint16_t)(COM1_BASE + reg));
}

/* Polls LSR until lsr_bit is set (true) or ms milliseconds of TSC time
 * have passed (false; before time_init the time's early rate applies,
 * see tsc_deadline_ms). Any context, interrupts on or off. */
static bool uart_wait(uint8_t lsr_bit, uint64_t ms)
{
	uint64_t end = tsc_deadline_ms(ms);

	while (!(uart_in(UART_LSR) & lsr_bit)) {
		if (tsc_deadline_passed(end))
			return false;
		cpu_pause();
	}
	return true;
}

static void uart_program(void)
{
	uint16_t div = UART_CLOCK_DIV / SERIAL_BAUD;

	uart_out(UART_IER, 0); /* no interrupts until serial_rx_irq_enable */
	uart_out(UART_LCR, LCR_DLAB);
	uart_out(UART_DLL, (uint8_t)(div & 0xff));
	uart_out(UART_DLM, (uint8_t)(div >> 8));
	uart_out(UART_LCR, LCR_8N1);
	uart_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);
}

/* Sends LOOPBACK_BYTE with the UART talking to itself. With no UART
 * the bus floats and reads come back 0xff, so the test fails. */
static bool uart_loopback_ok(void)
{
	uart_out(UART_MCR, MCR_LOOPBACK | MCR_RTS | MCR_OUT1 | MCR_OUT2);
	uart_out(UART_THR, LOOPBACK_BYTE);
	return uart_wait(LSR_DATA_READY, SERIAL_PROBE_MS) && uart_in(UART_RBR) == LOOPBACK_BYTE;
}

/* Programs COM1 for 115200 8N1 with FIFOs and probes it by loopback.
 * Call once, early, with interrupts off. Returns false if no UART. */
bool serial_init(void)
{
	serial_ok = false;
	tx_stalled = false;
	uart_program();
	if (!uart_loopback_ok())
		return false;
	/* normal operation: DTR and RTS up, OUT2 so a later IRQ can fire */
	uart_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
	serial_ok = true;
	return true;
}

void serial_drain(void)
{
	if (serial_ok)
		uart_wait(LSR_TX_EMPTY, SERIAL_DRAIN_MS);
}

bool serial_present(void)
{
	return serial_ok;
}

/* Sends one byte once the transmitter has room, or anyway once the
 * time limit for this byte has passed (SERIAL_TX_STALL_MS, or
 * SERIAL_TX_BYTE_MS while the port is stalled). Never disables the port. */
static void serial_put(uint8_t c)
{
	uint64_t ms = tx_stalled ? SERIAL_TX_BYTE_MS : SERIAL_TX_STALL_MS;

	tx_stalled = !uart_wait(LSR_THR_EMPTY, ms);
	uart_out(UART_THR, c);
}

/* Lockless: callers serialise, except a panic, which may interleave. */
void serial_write(const char *s, size_t n)
{
	/* The kernel log ends lines with \n; the TTY already sends \r\n (its
	 * ONLCR): add the \r only where it is missing, across calls too. */
	static char last;

	for (size_t i = 0; i < n && serial_ok; i++) {
		if (s[i] == '\n' && last != '\r')
			serial_put('\r');
		serial_put((uint8_t)s[i]);
		last = s[i];
	}
}

void serial_rx_poll(void)
{
	char buf[SERIAL_RX_MAX];
	size_t n = 0;

	while (serial_ok && n < SERIAL_RX_MAX && (uart_in(UART_LSR) & LSR_DATA_READY))
		buf[n++] = (char)uart_in(UART_RBR);
	if (n)
		input_push(buf, n);
}

/* The UART holds its interrupt line up while received data waits, so
 * reading everything is the acknowledgement. */
static void serial_irq(struct trap_frame *tf)
{
	(void)tf;
	serial_rx_poll();
}

/* Route first, then enable the UART's interrupt, then drain: the IRQ is
 * edge-triggered, and data that arrived before would otherwise keep the
 * line high with no new edge to announce it. */
bool serial_rx_irq_enable(void)
{
	if (!serial_ok || !irq_route_isa(SERIAL_ISA_IRQ, serial_irq))
		return false;
	uart_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
	uart_out(UART_IER, IER_RX_DATA);
	serial_rx_poll();
	return true;
}
