// SPDX-License-Identifier: MIT
// bench-run: run every benchmark program a few times and pass their result lines through.
#include <signal.h>
#include <time.h>
#include "bench.h"

/*
 * bench-run [quick|full] [NAME...]
 *
 * The init of a benchmark boot (Kestrel: init=/bin/bench-run; Linux: the
 * initramfs's /init), so it only needs fork, execve, wait4, kill and
 * nanosleep. Each round runs every benchmark once, in table order, as
 * /bin/bench-NAME ITERATIONS; the program prints its own `bench ...` or
 * `bench-error ...` line. A program that ends badly or runs past its time
 * limit gets a `bench-error NAME ...` line from here too, so a failure
 * always has a reason in the log. The last lines are `bench-run: N ms by
 * CLOCK_MONOTONIC` (bench.py holds it against the host's clock: a guest
 * clock running at the wrong rate would skew every figure) and `bench done`.
 * Iteration counts are sized for QEMU without KVM: on Linux there a run
 * takes about half a second in quick mode and a second and a half in full.
 */
struct bench {
	const char *name;
	long quick, full;	/* iterations per run */
};

static const struct bench benches[] = {
	{ "null_syscall", 1000000, 3000000 },
	{ "write_null", 500000, 1500000 },
	{ "pipe_pingpong", 5000, 15000 },
	{ "yield_switch", 20000, 50000 },
	{ "fork_exit", 500, 1500 },
	{ "fork_exec", 200, 600 },
	{ "page_fault", 2, 6 },
	{ "exec_busybox", 200, 600 },
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

struct mode {
	const char *name;
	int rounds;		/* runs of each benchmark */
	int limit_s;		/* a run still going after this long is killed */
};
static const struct mode modes[] = { { "quick", 1, 30 }, { "full", 3, 60 } };

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * wait_limited: reap pid, killing it once it has run limit_s seconds.
 * Polls every 20 ms with WNOHANG (a handful of wake-ups a second, noise next
 * to the benchmark); a kernel whose wait4 refuses WNOHANG gets a plain wait.
 * Returns the wait status, or -1 with errno set.
 */
static int wait_limited(pid_t pid, int limit_s, int *killed)
{
	long long deadline = b_now() + limit_s * 1000000000LL;
	int ws;

	*killed = 0;
	for (;;) {
		pid_t r = wait4(pid, &ws, WNOHANG, NULL);
		if (r == pid)
			return ws;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EINVAL)
			return wait4(pid, &ws, 0, NULL) == pid ? ws : -1;
		if (r < 0)
			return -1;
		if (!*killed && b_now() > deadline) {
			kill(pid, SIGKILL);
			*killed = 1;
		}
		sleep_ms(20);
	}
}

/* run_one: run /bin/bench-NAME ITERS and report any bad ending as a bench-error line. */
static void run_one(const struct bench *b, long iters, int limit_s)
{
	char path[64], count[24];
	char *argv[] = { path, count, NULL };
	char *envp[] = { "PATH=/bin", NULL };

	snprintf(path, sizeof(path), "/bin/bench-%s", b->name);
	snprintf(count, sizeof(count), "%ld", iters);
	pid_t pid = fork();
	if (pid < 0) {
		b_line("bench-error %s bench-run: fork: %s", b->name, strerror(errno));
		return;
	}
	if (pid == 0) {
		execve(path, argv, envp);
		b_line("bench-error %s bench-run: execve %s: %s", b->name, path, strerror(errno));
		_exit(127);
	}
	int killed, ws = wait_limited(pid, limit_s, &killed);
	if (ws == -1)
		b_line("bench-error %s bench-run: wait4: %s", b->name, strerror(errno));
	else if (killed)
		b_line("bench-error %s bench-run: still running after %d s, killed", b->name, limit_s);
	else if (WIFSIGNALED(ws))
		b_line("bench-error %s bench-run: killed by signal %d", b->name, WTERMSIG(ws));
	else if (WEXITSTATUS(ws) != 0)
		b_line("bench-error %s bench-run: exit status %d", b->name, WEXITSTATUS(ws));
}

/* selected: whether NAME is among the names on the command line (all when there are none). */
static int selected(const char *name, int argc, char **argv)
{
	if (argc <= 2)
		return 1;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct mode *m = &modes[0];

	if (argc > 1 && strcmp(argv[1], "full") == 0)
		m = &modes[1];
	else if (argc > 1 && strcmp(argv[1], "quick") != 0)
		b_line("bench-run: unknown mode '%s', running quick", argv[1]);
	b_name = "bench-run";
	long long t0 = b_now();
	b_line("bench-run: mode %s, %d round%s", m->name, m->rounds, m->rounds > 1 ? "s" : "");
	for (int r = 0; r < m->rounds; r++)
		for (unsigned i = 0; i < NBENCH; i++)
			if (selected(benches[i].name, argc, argv))
				run_one(&benches[i], m == &modes[0] ? benches[i].quick : benches[i].full,
					m->limit_s);
	b_line("bench-run: %lld ms by CLOCK_MONOTONIC", (b_now() - t0) / 1000000);
	b_line("bench done");
	return 0;
}
