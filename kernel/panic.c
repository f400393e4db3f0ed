// SPDX-License-Identifier: MIT
/*
 * Kestrel: panic. Writes to every present console regardless of
 * console=, takes no locks (a lock could be held by the code that just
 * crashed), and then does what panic= asks. Calls only down: the log,
 * the audit ring, the symbol table and arch primitives; the machine is
 * stopped through the hook main.c registers.
 */
#include <stdarg.h>
#include "panic.h"
#include "log.h"
#include "ksyms.h"
#include "audit.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"

#define BACKTRACE_MAX 32

static enum panic_action panic_action = PANIC_HALT;
static void (*panic_stop)(enum panic_action);
static void (*panic_stop_others)(void);
static volatile int panicking;

void panic_set_action(enum panic_action a)
{
	panic_action = a;
}

void panic_set_stop(void (*stop)(enum panic_action))
{
	panic_stop = stop;
}

void panic_set_stop_others(void (*stop_others)(void))
{
	panic_stop_others = stop_others;
}

void panic_begin(void)
{
	cpu_cli();
	if (__atomic_fetch_add(&panicking, 1, __ATOMIC_SEQ_CST)) {
		/* A fault inside the panic path, or another CPU's panic: say
		 * so once and stop. */
		log_write("\nKERNEL PANIC: recursive panic\n", 31, true);
		cpu_halt_forever();
	}
	if (panic_stop_others)
		panic_stop_others();
}

void panic_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf_force(fmt, ap);
	va_end(ap);
}

static void print_frame(backtrace_out out, unsigned i, uint64_t pc)
{
	uint64_t off;
	const char *name = ksyms_lookup(pc, &off);

	if (name)
		out("  #%-2u %016lx %s+%#lx\n", i, pc, name, off);
	else
		out("  #%-2u %016lx ?\n", i, pc);
}

/* Walk the RBP chain (the kernel is built with frame pointers). Each
 * frame address is checked to be mapped before it is read, so a corrupt
 * chain ends the trace instead of faulting inside the panic. */
void backtrace_print(uint64_t rip, uint64_t rbp, backtrace_out out)
{
	uint64_t last = rip;
	unsigned repeats = 0;

	print_frame(out, 0, rip);
	for (unsigned i = 1; i < BACKTRACE_MAX && rbp; i++) {
		if ((rbp & 7) || !arch_kernel_addr_mapped(rbp) || !arch_kernel_addr_mapped(rbp + 8))
			break;
		uint64_t *frame = (uint64_t *)rbp;
		if (!frame[1])
			break;
		if (frame[1] == last && i > 1) {
			repeats++; /* deep recursion: one line, not thirty */
		} else {
			if (repeats)
				out("  ... previous frame repeated %u times\n", repeats);
			repeats = 0;
			print_frame(out, i, frame[1]);
		}
		last = frame[1];
		if (frame[0] <= rbp) /* stacks grow down: callers live higher */
			break;
		rbp = frame[0];
	}
	if (repeats)
		out("  ... previous frame repeated %u times\n", repeats);
}

void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	panic_printf("backtrace:\n");
	backtrace_print(rip, rbp, panic_printf);
}

void panic_end(void)
{
	audit_dump((const void *)rdmsr(MSR_GS_BASE)); /* this CPU's block, unless GS is the user's */
	panic_printf("kestrel: system halted (panic=%s)\n",
		     panic_action == PANIC_REBOOT ? "reboot" :
		     panic_action == PANIC_POWEROFF ? "poweroff" : "halt");
	log_flush();
	if (panic_stop)
		panic_stop(panic_action);
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic_printf("\nKERNEL PANIC: %s\n", msg);
	panic_backtrace((uint64_t)__builtin_return_address(0),
			((uint64_t *)__builtin_frame_address(0))[0]);
	panic_end();
}
