/* SPDX-License-Identifier: MIT */
/* QEMU's and Bochs's debug console: bytes written to I/O port 0xE9 go to the emulator's chardev (-debugcon). */
#ifndef KESTREL_ARCH_X86_64_DEBUGCON_H
#define KESTREL_ARCH_X86_64_DEBUGCON_H

#include <stdbool.h>
#include <stddef.h>

/* True if the debug console answers: QEMU's isa-debugcon reads back
 * 0xE9 from its port, where nothing (0xFF) answers on a machine without
 * one. Only called when the command line asks for the debug console,
 * so a real machine's port 0xE9 is never touched otherwise. Any context. */
bool debugcon_present(void);

/* Writes n bytes to the port as they are (no "\r" added: the emulator
 * writes a file). Lockless, never waits; any context, a panic included. */
void debugcon_write(const char *s, size_t n);

#endif
