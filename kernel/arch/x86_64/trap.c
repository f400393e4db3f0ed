// SPDX-License-Identifier: MIT
/* Kestrel x86_64: what happens on a trap. For now every exception is fatal and explains itself. */
#include <stdint.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq.h"
#include "mm/vmalloc.h"
#include "panic.h"
#include "log.h"

#define GUARD_SIZE  4096

extern const char __boot_stack_guard[];

#define PF_PRESENT  (1u << 0)
#define PF_WRITE    (1u << 1)
#define PF_USER     (1u << 2)
#define PF_RSVD     (1u << 3)
#define PF_IFETCH   (1u << 4)

static const char *const exception_names[VEC_EXCEPTIONS] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved 15", "x87 FP error", "alignment check", "machine check",
	"SIMD FP error", "virtualization", "control protection", "reserved 22",
	"reserved 23", "reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"hypervisor injection", "VMM communication", "security", "reserved 31",
};

/* A guard page: below the boot stack, or below a vmalloc area. */
static bool is_guard_page(uint64_t va)
{
	uint64_t boot_guard = (uint64_t)__boot_stack_guard;
	return (va >= boot_guard && va < boot_guard + GUARD_SIZE) || vmalloc_is_guard(va);
}

static void describe_page_fault(uint64_t err, uint64_t cr2)
{
	panic_printf("page fault at %#018lx: %s, %s, %s%s%s\n", cr2,
		     err & PF_PRESENT ? "protection violation" : "page not present",
		     err & PF_WRITE ? "write" : "read",
		     err & PF_USER ? "user mode" : "kernel mode",
		     err & PF_IFETCH ? ", instruction fetch" : "",
		     err & PF_RSVD ? ", reserved bit set" : "");
}

static void dump_registers(const struct trap_frame *tf)
{
	panic_printf("RIP %016lx  CS %04lx  RFLAGS %016lx\n", tf->rip, tf->cs, tf->rflags);
	panic_printf("RSP %016lx  SS %04lx  CR2 %016lx  CR3 %016lx\n", tf->rsp, tf->ss,
		     read_cr2(), read_cr3());
	panic_printf("RAX %016lx  RBX %016lx  RCX %016lx\n", tf->rax, tf->rbx, tf->rcx);
	panic_printf("RDX %016lx  RSI %016lx  RDI %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	panic_printf("RBP %016lx  R8  %016lx  R9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	panic_printf("R10 %016lx  R11 %016lx  R12 %016lx\n", tf->r10, tf->r11, tf->r12);
	panic_printf("R13 %016lx  R14 %016lx  R15 %016lx\n", tf->r13, tf->r14, tf->r15);
}

/* A CPU exception: print everything a reader needs and stop. */
static void __attribute__((noreturn)) fatal_exception(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();

	panic_begin();
	panic_printf("\nKERNEL PANIC: exception %lu (%s), error code %#lx\n", tf->vector,
		     exception_names[tf->vector], tf->error);
	if (tf->vector == VEC_PAGE_FAULT)
		describe_page_fault(tf->error, cr2);
	if (tf->vector == VEC_DOUBLE_FAULT && is_guard_page(cr2))
		panic_printf("kernel stack overflow: hit the guard page at %#018lx\n", cr2);
	dump_registers(tf);
	panic_backtrace(tf->rip, tf->rbp);
	panic_end();
}

/* Called by isr_common with interrupts off and a complete frame. */
void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector < VEC_EXCEPTIONS)
		fatal_exception(tf);
	irq_dispatch(tf);
}
