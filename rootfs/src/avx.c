// SPDX-License-Identifier: MIT
/*
 * t-avx: AVX registers (all 256 bits of YMM0-15) survive a signal handler
 * and a context switch that clobber them. The kernel must save the whole
 * XSAVE state, not only the legacy FXSAVE area (which holds just the low
 * 128 bits, XMM). Each check skips where the CPU has no AVX or the kernel
 * has not enabled it in XCR0 (QEMU's default CPU; -cpu max has it).
 * Usage: t-avx [CHECK...].
 */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "checks.h"

#define NREGS      16
#define REG_BYTES  32
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX     (1u << 28)
#define XCR0_SSE_AVX       0x6u   /* XCR0 bits 1 (SSE) and 2 (AVX) */
#define SWITCH_ROUNDS      2000

typedef uint8_t ymm_set[NREGS][REG_BYTES];

/* NULL when AVX can be used, else why not. */
static const char *avx_missing(void)
{
	uint32_t a, b, c, d, lo, hi;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & CPUID1_ECX_AVX))
		return "the CPU has no AVX (CPUID.1:ECX.AVX clear)";
	if (!(c & CPUID1_ECX_OSXSAVE))
		return "the OS has not enabled XSAVE (CPUID.1:ECX.OSXSAVE clear)";
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	(void)hi;
	if ((lo & XCR0_SSE_AVX) != XCR0_SSE_AVX)
		return "the OS has not enabled AVX state in XCR0";
	return NULL;
}

/* Load in into YMM0-15, make system call nr(a0, a1) with nothing in
 * between, store YMM0-15 into out: what the kernel (and any signal handler
 * run on the way back) left in them. */
static long ymm_across_syscall(const ymm_set in, ymm_set out, long nr, long a0, long a1)
{
	__asm__ volatile(
			 "vmovdqu 0(%[in]), %%ymm0\n\t"
			 "vmovdqu 32(%[in]), %%ymm1\n\t"
			 "vmovdqu 64(%[in]), %%ymm2\n\t"
			 "vmovdqu 96(%[in]), %%ymm3\n\t"
			 "vmovdqu 128(%[in]), %%ymm4\n\t"
			 "vmovdqu 160(%[in]), %%ymm5\n\t"
			 "vmovdqu 192(%[in]), %%ymm6\n\t"
			 "vmovdqu 224(%[in]), %%ymm7\n\t"
			 "vmovdqu 256(%[in]), %%ymm8\n\t"
			 "vmovdqu 288(%[in]), %%ymm9\n\t"
			 "vmovdqu 320(%[in]), %%ymm10\n\t"
			 "vmovdqu 352(%[in]), %%ymm11\n\t"
			 "vmovdqu 384(%[in]), %%ymm12\n\t"
			 "vmovdqu 416(%[in]), %%ymm13\n\t"
			 "vmovdqu 448(%[in]), %%ymm14\n\t"
			 "vmovdqu 480(%[in]), %%ymm15\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm0, 0(%[out])\n\t"
			 "vmovdqu %%ymm1, 32(%[out])\n\t"
			 "vmovdqu %%ymm2, 64(%[out])\n\t"
			 "vmovdqu %%ymm3, 96(%[out])\n\t"
			 "vmovdqu %%ymm4, 128(%[out])\n\t"
			 "vmovdqu %%ymm5, 160(%[out])\n\t"
			 "vmovdqu %%ymm6, 192(%[out])\n\t"
			 "vmovdqu %%ymm7, 224(%[out])\n\t"
			 "vmovdqu %%ymm8, 256(%[out])\n\t"
			 "vmovdqu %%ymm9, 288(%[out])\n\t"
			 "vmovdqu %%ymm10, 320(%[out])\n\t"
			 "vmovdqu %%ymm11, 352(%[out])\n\t"
			 "vmovdqu %%ymm12, 384(%[out])\n\t"
			 "vmovdqu %%ymm13, 416(%[out])\n\t"
			 "vmovdqu %%ymm14, 448(%[out])\n\t"
			 "vmovdqu %%ymm15, 480(%[out])\n\t"
			 "vzeroupper"
			 : "+a"(nr)
			 : [in] "r"(in), [out] "r"(out), "D"(a0), "S"(a1)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return nr;
}

/* Set every bit of YMM0-15. */
static void ymm_clobber(void)
{
	__asm__ volatile(
			 "vpcmpeqb %%ymm0, %%ymm0, %%ymm0\n\t"
			 "vpcmpeqb %%ymm1, %%ymm1, %%ymm1\n\t"
			 "vpcmpeqb %%ymm2, %%ymm2, %%ymm2\n\t"
			 "vpcmpeqb %%ymm3, %%ymm3, %%ymm3\n\t"
			 "vpcmpeqb %%ymm4, %%ymm4, %%ymm4\n\t"
			 "vpcmpeqb %%ymm5, %%ymm5, %%ymm5\n\t"
			 "vpcmpeqb %%ymm6, %%ymm6, %%ymm6\n\t"
			 "vpcmpeqb %%ymm7, %%ymm7, %%ymm7\n\t"
			 "vpcmpeqb %%ymm8, %%ymm8, %%ymm8\n\t"
			 "vpcmpeqb %%ymm9, %%ymm9, %%ymm9\n\t"
			 "vpcmpeqb %%ymm10, %%ymm10, %%ymm10\n\t"
			 "vpcmpeqb %%ymm11, %%ymm11, %%ymm11\n\t"
			 "vpcmpeqb %%ymm12, %%ymm12, %%ymm12\n\t"
			 "vpcmpeqb %%ymm13, %%ymm13, %%ymm13\n\t"
			 "vpcmpeqb %%ymm14, %%ymm14, %%ymm14\n\t"
			 "vpcmpeqb %%ymm15, %%ymm15, %%ymm15"
			 ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static void pattern(ymm_set s, uint8_t seed)
{
	for (int r = 0; r < NREGS; r++)
		for (int i = 0; i < REG_BYTES; i++)
			s[r][i] = (uint8_t)(seed + r * 37 + i * 11 + (i >= 16 ? 0x80 : 0));
}

/* The first difference, as a failure. */
static int compare(const ymm_set want, const ymm_set got, const char *after)
{
	for (int r = 0; r < NREGS; r++)
		for (int i = 0; i < REG_BYTES; i++)
			if (want[r][i] != got[r][i])
				return fail("after %s: ymm%d byte %d is %#x, want %#x (%s half)", after, r, i,
					    got[r][i], want[r][i], i >= 16 ? "upper" : "lower");
	return CHECK_OK;
}

static volatile sig_atomic_t handled;

static void clobbering_handler(int sig)
{
	(void)sig;
	ymm_clobber();
	handled = 1;
}

/* A handler that sets every YMM bit runs between the kill and its return. */
static int t_signal_keeps_ymm(void)
{
	const char *why = avx_missing();
	struct sigaction sa;
	ymm_set in, out;

	if (why)
		return skip("%s", why);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = clobbering_handler;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return fail("sigaction: %s", errname(errno));
	pattern(in, 1);
	handled = 0;
	long r = ymm_across_syscall(in, out, SYS_kill, getpid(), SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	if (r != 0 || !handled)
		return fail("kill returned %ld, handler ran: %d", r, (int)handled);
	return compare(in, out, "a signal handler that clobbers YMM");
}

/* A child clobbers YMM in a loop while this process yields the CPU. */
static int t_switch_keeps_ymm(void)
{
	const char *why = avx_missing();
	ymm_set in, out;
	int status, result = CHECK_OK;

	if (why)
		return skip("%s", why);
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (pid == 0) {
		for (int i = 0; i < SWITCH_ROUNDS * 4; i++) {
			ymm_clobber();
			sched_yield();
		}
		_exit(0);
	}
	for (int i = 0; i < SWITCH_ROUNDS && result == CHECK_OK; i++) {
		pattern(in, (uint8_t)i);
		ymm_across_syscall(in, out, SYS_sched_yield, 0, 0);
		result = compare(in, out, "sched_yield with a YMM-clobbering process");
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return result;
}

static const struct check checks[] = {
	{ "signal-keeps-ymm", t_signal_keeps_ymm },
	{ "switch-keeps-ymm", t_switch_keeps_ymm },
};

int main(int argc, char **argv)
{
	return run_checks("avx", checks, NELEMS(checks), argc, argv);
}
