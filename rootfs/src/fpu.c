// SPDX-License-Identifier: MIT
// Context-switch test: SSE, x87 and MXCSR state must survive preemption (run as several copies).
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "selftest.h"

/*
 * /etc/selftest starts two copies at once. Each picks its parameters from
 * its pid, so the copies hold different values in the same registers, and
 * each runs long enough (a few hundred ms on QEMU TCG; scale with the
 * argument, default 400000) for the timer to switch between them many
 * times. A kernel that does not save and restore the FPU/SSE state per
 * thread hands one copy the other's registers and both get wrong answers.
 *
 * The series telescope, so the exact answer is known:
 *   sum_{k=1..n} 1/((k+a)(k+a+1)) = 1/(a+1) - 1/(n+a+1)
 * summed in double (SSE, with Kahan compensation) and in long double (x87,
 * smallest terms first); both are well within 1e-12 of the closed form.
 */
#define TOLERANCE 1e-12

/* sse_series: Kahan-compensated sum in double; -O2 keeps sum and carry in xmm registers. */
static double sse_series(long n, double a)
{
	double sum = 0.0, carry = 0.0;

	for (long k = 1; k <= n; k++) {
		double x = (double)k + a;
		double term = 1.0 / (x * (x + 1.0)) - carry;
		double next = sum + term;

		carry = (next - sum) - term;
		sum = next;
	}
	return sum;
}

/* x87_series: the same sum in long double, which gcc can only do on the x87 stack. */
static long double x87_series(long n, long double a)
{
	long double sum = 0.0L;

	for (long k = n; k >= 1; k--) {
		long double x = (long double)k + a;

		sum += 1.0L / (x * (x + 1.0L));
	}
	return sum;
}

/*
 * hold_xmm: load all sixteen xmm registers and MXCSR with values from SEED,
 * spin SPINS times touching nothing, then read them all back. Compiled code
 * uses only a few xmm registers; this covers the rest. The MXCSR rounding
 * field differs between the copies (no FP instruction runs while it is set).
 * Returns the number of mismatches.
 */
static int hold_xmm(uint64_t seed, long spins)
{
	uint64_t in[32], out[32];
	uint32_t mx_saved, mx_set, mx_got;
	int bad = 0;

	for (int i = 0; i < 32; i++)
		in[i] = (seed + (uint64_t)i) * 0x9e3779b97f4a7c15ull;
	__asm__ volatile("stmxcsr %0" : "=m"(mx_saved));
	mx_set = (mx_saved & ~0x6000u) | (uint32_t)(seed % 4) << 13;
	__asm__ volatile(
		"ldmxcsr %[set]\n"
		"movdqu 0x00(%[in]), %%xmm0\n	movdqu 0x10(%[in]), %%xmm1\n"
		"movdqu 0x20(%[in]), %%xmm2\n	movdqu 0x30(%[in]), %%xmm3\n"
		"movdqu 0x40(%[in]), %%xmm4\n	movdqu 0x50(%[in]), %%xmm5\n"
		"movdqu 0x60(%[in]), %%xmm6\n	movdqu 0x70(%[in]), %%xmm7\n"
		"movdqu 0x80(%[in]), %%xmm8\n	movdqu 0x90(%[in]), %%xmm9\n"
		"movdqu 0xa0(%[in]), %%xmm10\n	movdqu 0xb0(%[in]), %%xmm11\n"
		"movdqu 0xc0(%[in]), %%xmm12\n	movdqu 0xd0(%[in]), %%xmm13\n"
		"movdqu 0xe0(%[in]), %%xmm14\n	movdqu 0xf0(%[in]), %%xmm15\n"
		"1:	dec %[n]\n"
		"	jnz 1b\n"
		"movdqu %%xmm0, 0x00(%[out])\n	movdqu %%xmm1, 0x10(%[out])\n"
		"movdqu %%xmm2, 0x20(%[out])\n	movdqu %%xmm3, 0x30(%[out])\n"
		"movdqu %%xmm4, 0x40(%[out])\n	movdqu %%xmm5, 0x50(%[out])\n"
		"movdqu %%xmm6, 0x60(%[out])\n	movdqu %%xmm7, 0x70(%[out])\n"
		"movdqu %%xmm8, 0x80(%[out])\n	movdqu %%xmm9, 0x90(%[out])\n"
		"movdqu %%xmm10, 0xa0(%[out])\n	movdqu %%xmm11, 0xb0(%[out])\n"
		"movdqu %%xmm12, 0xc0(%[out])\n	movdqu %%xmm13, 0xd0(%[out])\n"
		"movdqu %%xmm14, 0xe0(%[out])\n	movdqu %%xmm15, 0xf0(%[out])\n"
		"stmxcsr %[got]\n"
		"ldmxcsr %[saved]\n"
		: [n] "+r"(spins), [got] "=m"(mx_got)
		: [in] "r"(in), [out] "r"(out), [set] "m"(mx_set), [saved] "m"(mx_saved)
		: "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	for (int i = 0; i < 32; i += 2) {
		if (in[i] != out[i] || in[i + 1] != out[i + 1]) {
			t_fail("xmm%d changed while spinning", i / 2);
			bad++;
		}
	}
	if (mx_got != mx_set) {
		t_fail("MXCSR changed while spinning: 0x%x, set 0x%x", mx_got, mx_set);
		bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 400000;
	int pid = getpid();
	double a = 1 + pid % 1000;
	double want = 1.0 / (a + 1.0) - 1.0 / ((double)n + a + 1.0);
	long double want_ld = 1.0L / (a + 1.0L) - 1.0L / ((long double)n + a + 1.0L);

	t_begin("fpu");
	t_say("pid %d: n %ld, a %.0f", pid, n, a);
	hold_xmm((uint64_t)pid, 40 * n);
	double sse = sse_series(n, a);
	long double x87 = x87_series(n, a);

	if (!(fabs(sse - want) <= TOLERANCE))
		t_fail("SSE sum %.17g, want %.17g", sse, want);
	if (!(fabsl(x87 - want_ld) <= TOLERANCE))
		t_fail("x87 sum %.20Lg, want %.20Lg", x87, want_ld);
	hold_xmm((uint64_t)pid * 3 + 1, 40 * n);
	return t_finish();
}
