// SPDX-License-Identifier: MIT
// fork_exec_par: W workers each fork + execve bench-true + wait4 in a loop; us per operation.
#include "smp.h"

/*
 * bench-fork_exec_par ITERATIONS W: W worker processes (default 2) each
 * do three warm-up rounds, say so on a pipe, wait at a gate (opened when
 * all W have said so), then ITERATIONS rounds of
 * fork, execve /bin/bench-true and wait4 (what fork_exec does alone).
 * The figure, `bench fork_exec_parW VALUE us`, is the wall time from
 * opening the gate to reaping the last worker over W * ITERATIONS: the
 * inverse of the throughput. With more CPUs than one, the workers' forks
 * and execs can run at once.
 */
#define MAX_WORKERS 64

/* fork_exec_one: one fork + execve of bench-true + wait4; a failure ends the worker. */
static void fork_exec_one(void)
{
	static char *const child_argv[] = { "bench-true", NULL };
	char *const envp[] = { "PATH=/bin", NULL };
	int ws;

	pid_t pid = fork();
	if (pid < 0)
		_exit(7);
	if (pid == 0) {
		execve("/bin/bench-true", child_argv, envp);
		_exit(127);
	}
	while (wait4(pid, &ws, 0, NULL) < 0)
		if (errno != EINTR)
			_exit(8);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		_exit(9);
}

int main(int argc, char **argv)
{
	static char name[32];
	long iters = b_begin("fork_exec_par", argc, argv, 50);
	long w = argc > 2 ? strtol(argv[2], NULL, 10) : 2;
	pid_t pids[MAX_WORKERS];
	int gate[2], ready[2];

	if (w < 1 || w > MAX_WORKERS) {
		b_line("bench-error fork_exec_par bad worker count '%s'", argv[2]);
		return 1;
	}
	snprintf(name, sizeof(name), "fork_exec_par%ld", w);
	b_name = name;
	if (pipe(gate) != 0 || pipe(ready) != 0)
		b_fail("pipe");
	for (long i = 0; i < w; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			b_fail("fork");
		if (pids[i] == 0) {
			for (int k = 0; k < 3; k++)
				fork_exec_one();
			close(ready[0]);
			if (write(ready[1], "r", 1) != 1)
				_exit(10);
			close(ready[1]);
			smp_gate_wait(gate);
			for (long k = 0; k < iters; k++)
				fork_exec_one();
			_exit(0);
		}
	}
	close(gate[0]);
	close(ready[1]);
	for (long i = 0; i < w; i++) {	/* every worker has warmed up */
		char c;
		ssize_t r = read(ready[0], &c, 1);
		if (r < 0 && errno == EINTR)
			i--;
		else if (r != 1)
			b_fail("read ready pipe (a worker died warming up)");
	}
	long long t0 = b_now();
	close(gate[1]);
	for (long i = 0; i < w; i++)
		b_wait(pids[i], "worker (7 fork, 8 wait4, 9 bench-true failed, 10 write)");
	b_report(b_now() - t0, w * iters, "us");
	return 0;
}
