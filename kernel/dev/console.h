/* SPDX-License-Identifier: MIT */
/* The console's input side: one raw queue fed through dev/input.h by the serial port and the keyboards, drained by the TTY (dev/tty.c); the console as a file without a TTY (dev/console_file.c); and the `echo` boot-test loop (dev/console_echo.c). */
#ifndef KESTREL_DEV_CONSOLE_H
#define KESTREL_DEV_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include "bootinfo.h"

/* Bytes the input queue holds; typed input beyond that is dropped. */
#define CONSOLE_INPUT_SIZE 1024 /* a power of two */

/*
 * Sets up both input sources: the serial port (if serial_init found
 * one) and the PS/2 keyboard (probed here), each on its interrupt when
 * the IRQ can be routed and polled by the readers otherwise. Notes the
 * command line's `echo` word for console_echo_loop. Logs one line,
 * "console: input from serial, ps2 keyboard" (sources missing are left
 * out; "(polled)" marks one without an interrupt). Call once, after
 * interrupts_init and time_init; interrupts may be on.
 */
void console_input_init(const struct kbi_boot_info *bi);

/* Appends input bytes (already translated: keys are terminal bytes) and
 * wakes the reader; console_input_init makes it dev/input.h's sink, which
 * the drivers' interrupt handlers feed with interrupts off. Bytes that do
 * not fit are dropped. */
void console_input_push(const char *s, size_t n);

/* The same from any context (it disables interrupts itself): for the
 * framebuffer console's answers to terminal queries (fbcon_set_reply). */
void console_input_reply(const char *s, size_t n);

/* Copies up to n waiting input bytes to buf; returns how many (0 if
 * none). Never blocks. One reader at a time: the TTY's input thread. */
int console_read(char *buf, size_t n);

/* True if console_read would return something. */
bool console_has_input(void);

/* Sleeps until input may be waiting: until the next push when every
 * source has its interrupt, otherwise for at most one polling interval
 * (10 ms). Returns at once if input is there. Thread context (needs
 * sched_init); the caller loops on console_read. */
void console_wait_input(void);

/* What console_input_init found: an input source at all, and the
 * command line's `echo` word. */
bool console_input_present(void);
bool console_echo_wanted(void);

/*
 * (dev/console_echo.c, above the TTY it reads through.)
 * With `echo` on the command line: reads lines through the TTY (in its
 * canonical mode: CR or LF ends one, DEL and BS edit, what is typed is
 * echoed) and logs each as "console: got line 'TEXT'" until a line is
 * "exit"; then returns. Sleeps on the TTY between lines. Without `echo`,
 * returns at once. For the end of the boot (after sched_init), in place
 * of the final idle loop.
 */
void console_echo_loop(void);

#endif
