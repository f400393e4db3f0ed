/* SPDX-License-Identifier: MIT */
/* COM1 16550 UART driver: 115200 8N1, polled, safe to call from a panic. */
#ifndef KESTREL_DEV_SERIAL_H
#define KESTREL_DEV_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

/* Programs COM1 and checks it with a loopback test. Returns false, and
 * leaves every other call a no-op, when there is no working UART. */
bool serial_init(void);

/* True while the port passed its probe and has not timed out since. */
bool serial_present(void);

/* Writes n bytes, turning "\n" into "\r\n". Lockless and bounded: if the
 * transmitter stays busy too long the port is declared dead. */
void serial_write(const char *s, size_t n);

/* Returns the next received byte, or -1 if none is waiting. */
int serial_getc_nonblock(void);

#endif
