// SPDX-License-Identifier: MIT
// fork_exec and exec_busybox: fork, execve a program that exits 0, wait4; us per iteration.
#include "bench.h"

/*
 * One source, two programs (the Makefile sets BENCH_EXEC_BUSYBOX for the
 * second): a tiny static musl program, /bin/bench-true, and Debian's
 * busybox, a large static glibc binary, run as `busybox true`.
 */
#ifdef BENCH_EXEC_BUSYBOX
#define NAME "exec_busybox"
static char *const child_argv[] = { "busybox", "true", NULL };
static const char child_path[] = "/bin/busybox";
#else
#define NAME "fork_exec"
static char *const child_argv[] = { "bench-true", NULL };
static const char child_path[] = "/bin/bench-true";
#endif

/* The child side: exec, and report why if that fails (exit 127, as a shell does). */
static void __attribute__((noreturn)) child(void)
{
	char *const envp[] = { "PATH=/bin", NULL };

	execve(child_path, child_argv, envp);
	b_line("bench-error %s execve %s: %s", NAME, child_path, strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	long n = b_begin(NAME, argc, argv, 200);
	long long t0 = 0;

	for (long i = -3; i < n; i++) {	/* three warm-up rounds */
		if (i == 0)
			t0 = b_now();
		pid_t pid = fork();
		if (pid < 0)
			b_fail("fork");
		if (pid == 0)
			child();
		b_wait(pid, child_path);
	}
	b_report(b_now() - t0, n, "us");
	return 0;
}
