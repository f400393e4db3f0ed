/* SPDX-License-Identifier: MIT */
/* The panic path: lockless, straight to every console the log knows. */
#ifndef KESTREL_PANIC_H
#define KESTREL_PANIC_H

#include <stdint.h>

/* What a panic does once it has explained itself (panic=...). */
enum panic_action { PANIC_HALT, PANIC_REBOOT, PANIC_POWEROFF };
void panic_set_action(enum panic_action a);
/* The panic path sits below every driver, so it stops the machine
 * through the function main.c registers here (the debug exit, power off,
 * reset): called with the report written and flushed, interrupts off,
 * no locks. If it returns, or none is set, the CPU halts. */
void panic_set_stop(void (*stop)(enum panic_action));
/* With several CPUs: the first thing a panic does (interrupts off, before
 * the report) is stop the other CPUs through this hook (smp.c sets it:
 * an NMI to each, which halts it). */
void panic_set_stop_others(void (*stop_others)(void));

/* The pieces, for reports built elsewhere (the trap handler). */
void panic_begin(void);
void panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic_backtrace(uint64_t rip, uint64_t rbp);
/* The frames of the RBP chain from rip and rbp, one line each through
 * out: panic_backtrace with panic_printf, and the thread dumps
 * (sched_show_thread) with the log. A frame is read only once its
 * address is seen mapped, so a stale or corrupt chain ends the trace
 * instead of faulting; at most 32 frames. Any context. */
typedef void (*backtrace_out)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void backtrace_print(uint64_t rip, uint64_t rbp, backtrace_out out);
/* The report's end: the last system calls (the audit rings), then what
 * panic= asks. */
__attribute__((noreturn)) void panic_end(void);

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
