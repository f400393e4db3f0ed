/* SPDX-License-Identifier: MIT */
/* Where the keyboards and the serial port hand what was typed: one sink, which the console registers, so the drivers below it call nothing above them. */
#ifndef KESTREL_DEV_INPUT_H
#define KESTREL_DEV_INPUT_H

#include <stddef.h>

/* Takes typed bytes (terminal bytes: a key map already ran), interrupts off. */
typedef void (*input_sink_fn)(const char *s, size_t n);

/* The console's input queue becomes the sink: once, at boot, before any
 * input interrupt is enabled. */
void input_set_sink(input_sink_fn fn);

/* Bytes typed, from a driver's interrupt handler or poll with
 * interrupts off: to the sink; dropped while there is none (a key
 * pressed before the console is up). */
void input_push(const char *s, size_t n);

#endif
