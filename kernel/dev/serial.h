/* SPDX-License-Identifier: MIT */
/* COM1 16550 UART driver: 115200 8N1; output polled (safe from a panic), input by interrupt into the console. */
#ifndef KESTREL_DEV_SERIAL_H
#define KESTREL_DEV_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

/* Programs COM1 and checks it with a loopback test. Returns false, and
 * leaves every other call a no-op, when there is no working UART. */
bool serial_init(void);

/* True if the port passed its probe at boot; a port that answered then
 * is never given up, however long its transmitter stalls later. */
bool serial_present(void);

/* Writes n bytes, adding a "\r" before each "\n" that lacks one. Lockless; any context.
 * Each byte waits for the transmitter up to a time limit on the TSC (5 s for the first byte
 * of a stall, so a reader that pauses that long loses nothing; then 10 ms per byte while the
 * stall lasts, as Linux's 8250 console), then is written anyway: output slows, the port is
 * never given up. */
void serial_write(const char *s, size_t n);
/* Waits until the transmitter has sent every byte (FIFO and shift
 * register empty), for at most SERIAL_DRAIN_MS of TSC time: before the
 * machine stops. main.c registers it as the serial log sink's flush. Any context. */
void serial_drain(void);

/* COM1's legacy interrupt line. */
#define SERIAL_ISA_IRQ 4

/* Routes ISA IRQ 4 to the receive handler and enables the UART's
 * received-data interrupt (with OUT2, which gates the line on PC
 * hardware). Received bytes then go to input_push. Call with
 * interrupts off. False, leaving input polled, if there is no UART or
 * the IRQ cannot be routed. */
bool serial_rx_irq_enable(void);

/* Moves every byte the UART holds into the console input queue. The
 * interrupt handler's body; call it with interrupts off. */
void serial_rx_poll(void);

#endif
