/* SPDX-License-Identifier: MIT */
/* The console TTY: the line discipline between the console's input queue and programs, its output to the consoles, and its ioctls (termios, window size, foreground process group). */
#ifndef KESTREL_DEV_TTY_H
#define KESTREL_DEV_TTY_H

#include <stddef.h>

/*
 * The TTY's file operations are published through the VFS hook
 * tty_file_ops (fs/vfs.h), which this file defines: /dev/console,
 * /dev/tty and the first descriptors of init open it. There is one TTY,
 * the console; every file on it shares its state (file->priv unused).
 *
 * Typed bytes are processed by a kernel thread, "tty", so that echo,
 * line editing and ^C reach the consoles and the foreground group even
 * while nobody reads; the interrupt handlers only queue raw bytes
 * (dev/console.c) and wake it.
 */

/* Starts the TTY (its state and its input thread). Idempotent; needs
 * sched_init. The TTY's file operations and tty_read_kernel also start
 * it, so calling this at boot only makes ^C work before the first use. */
void tty_init(void);

/* A blocking read for the kernel itself (the `echo` boot test), with
 * the same semantics as read(2) on the TTY: in canonical mode at most
 * one line, 0 at an end of file (^D). Never -EINTR for a kernel thread. */
long tty_read_kernel(char *buf, size_t n);

#endif
