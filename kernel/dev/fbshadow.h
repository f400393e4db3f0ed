/* SPDX-License-Identifier: MIT */
/* The framebuffer console's shadow buffer and its flusher thread (the kernel side of fbcon). */
#ifndef KESTREL_DEV_FBSHADOW_H
#define KESTREL_DEV_FBSHADOW_H

/*
 * Gives the framebuffer console a shadow buffer (vmalloc) and starts the
 * thread that flushes it 50 times a second (fbcon_set_deferred). Logs
 * one line: "fbcon: shadow buffer N KiB, ...; framebuffer
 * write-combining" (or why not). Without memory the console keeps
 * drawing straight to video memory; without the thread each write
 * flushes its own rows. After sched_init; a no-op when the console is off.
 */
void fbshadow_start(void);

#endif
