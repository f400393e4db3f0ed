// SPDX-License-Identifier: MIT
// Gate test: system calls through `int $0x80` from a 64-bit program (getpid, write, exit).
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/utsname.h>
#include "selftest.h"

/*
 * The same gate means different things on the two systems this runs on:
 *
 *   Kestrel: int $0x80 dispatches the 64-bit table with the 64-bit
 *            registers (rax = number, rdi, rsi, rdx), exactly like
 *            `syscall`. This is what the test is for.
 *   Linux:   int $0x80 is the 32-bit compatibility gate: 32-bit numbers
 *            (write 4, exit 1, getpid 20) in eax, arguments in ebx, ecx,
 *            edx, and pointers truncated to 32 bits.
 *
 * Probing (say, number 39 and comparing with getpid) could be destructive
 * on the wrong table (39 is mkdir on i386), so uname decides: a release
 * ending in "-kestrel" picks the 64-bit table, anything else the 32-bit
 * one (both kernels' sysname is "Linux"). The
 * 32-bit gate can only see the low 4 GiB, which is why the message lives
 * in this non-PIE program's .rodata (checked below).
 *
 * Some Linux kernels have no 32-bit gate at all (IA32 emulation switched
 * off, or confidential-computing and paravirtual guests): int $0x80 then
 * raises #GP. On Linux only, a probe under a SIGSEGV handler detects that,
 * and the program reports SKIP and exits 0, so the list still agrees with
 * such a build machine. Kestrel always takes the real path.
 */
struct gate {
	const char *table;
	long nr_getpid, nr_write, nr_exit;
	long (*call)(long nr, long a1, long a2, long a3);
};

/* gate64: Kestrel's convention. int $0x80 saves every register but rax; r8-r11 listed to be safe. */
static long gate64(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r8", "r9", "r10", "r11", "memory");
	return ret;
}

/* gate32: Linux's i386 convention through the same vector. */
static long gate32(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
			 : "r8", "r9", "r10", "r11", "memory");
	return ret;
}

static const struct gate table64 = { "64-bit", 39, 1, 60, gate64 };
static const struct gate table32 = { "32-bit (Linux compat)", 20, 4, 1, gate32 };

static const char message[] = "int80: this line was written through int $0x80\n";

static sigjmp_buf probe_env;

static void probe_fault(int sig)
{
	(void)sig;
	siglongjmp(probe_env, 1);
}

/* linux_gate_missing: 1 when int $0x80 faults instead of answering getpid (Linux only). */
static int linux_gate_missing(void)
{
	struct sigaction sa = { .sa_handler = probe_fault }, old;
	volatile int missing = 1;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(probe_env, 1) == 0) {
		gate32(table32.nr_getpid, 0, 0, 0);
		missing = 0;
	}
	sigaction(SIGSEGV, &old, NULL);
	return missing;
}

/* pick_gate: the table the running kernel serves on int $0x80, decided by
 * its uname release (on_kestrel). */
static const struct gate *pick_gate(void)
{
	int kestrel = on_kestrel();

	t_say("%s: using the %s table", kestrel ? "Kestrel" : "Linux",
	      kestrel ? table64.table : table32.table);
	return kestrel ? &table64 : &table32;
}

int main(void)
{
	const struct gate *g;
	long pid, n;

	t_begin("int80");
	g = pick_gate();
	if (!g)
		return 1;
	if (g == &table32 && linux_gate_missing()) {
		t_say("SKIP this Linux kernel has no int $0x80 gate (IA32 emulation off)");
		return 0;
	}
	pid = g->call(g->nr_getpid, 0, 0, 0);
	if (pid != getpid())
		t_fail("getpid through int $0x80 returned %ld, syscall says %d", pid, (int)getpid());
	if ((uintptr_t)message > UINT32_MAX)
		t_fail("message at %p is above 4 GiB", (const void *)message);
	n = g->call(g->nr_write, 1, (long)(uintptr_t)message, sizeof(message) - 1);
	if (n != (long)sizeof(message) - 1)
		t_fail("write through int $0x80 returned %ld, want %zu", n, sizeof(message) - 1);
	if (t_finish() != 0)
		return 1;
	/* The exit itself goes through the gate too; returning from it is a failure. */
	g->call(g->nr_exit, 0, 0, 0);
	t_fail("exit through int $0x80 returned");
	return 3;
}
