// SPDX-License-Identifier: MIT
// bench-run: run every benchmark program a few times and pass their result lines through.
#include <signal.h>
#include <time.h>
#include "bench.h"

/*
 * bench-run [quick|full|curves|smp|smpquick] [NAME...]
 * bench-run disk DEV FSTYPE TAG SIZE_MIB NFILES RANDOPS   (run_disk)
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
 * takes about half a second. Full mode runs each benchmark three times
 * with the same counts: more, shorter samples tell a noisy host (a
 * spread) from a slow kernel better than fewer long ones. Curves mode
 * runs every benchmark once and then the curves: each curve program
 * once per N, as /bin/bench-curve_NAME ITERATIONS N (tools/bench.py
 * runs it counting instructions, where one run per point is enough).
 * Smp mode (smpquick: one round) runs the SMP benchmarks three times
 * instead; `bench-run smp none` runs nothing (a boot-time-only boot).
 */
struct bench {
	const char *name;
	long iters;		/* iterations per run */
};

static const struct bench benches[] = {
	{ "null_syscall", 1000000 },
	{ "write_null", 500000 },
	{ "pipe_pingpong", 5000 },
	{ "unix_pingpong", 5000 },
	{ "yield_switch", 20000 },
	{ "futex_wake", 2000 },
	{ "fork_exit", 500 },
	{ "fork_exec", 200 },
	{ "fork_refused", 200 },
	{ "page_fault", 2 },
	{ "exec_busybox", 200 },
	{ "clock_gettime", 1000000 },
	{ "tcp_stream", 200 },		/* 64 KiB writes: 12.5 MiB */
	{ "tcp_rr", 2000 },
	{ "tcp_connect", 500 },
	{ "udp_rr", 2000 },
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

#define MAX_POINTS 6
struct curve {
	const char *name;
	long iters;		/* iterations per point */
	long points[MAX_POINTS];	/* the Ns, 0 ends the list */
};

static const struct curve curves[] = {
	{ "curve_pipe", 200, { 1, 16, 256, 4096, 65536 } },
	{ "curve_poll", 200, { 1, 10, 100, 1000 } },
	{ "curve_dir", 2000, { 10, 100, 1000, 10000 } },
	{ "curve_mmap", 2000, { 1, 10, 100, 1000, 10000 } },
	{ "curve_file", 200, { 4096, 65536, 1L << 20, 16L << 20, 64L << 20 } },
	{ "curve_path", 2000, { 1, 4, 16, 64 } },
	{ "curve_fork", 64, { 1, 16, 256 } },
	{ "curve_yield", 20000, { 2, 10, 100, 1000 } },
};
#define NCURVE (sizeof(curves) / sizeof(curves[0]))

/*
 * The SMP benchmarks (modes smp and smpquick, in place of the list above):
 * /bin/bench-NAME [KIND] ITERATIONS N, N the processes or workers (0: none
 * given; N_CPUS: one per CPU online). tools/bench.py boots them with -smp
 * 1, 2 and 4 and divides. The scaling pairs are one program, bench-scale,
 * a KIND each, run for a time (ITERATIONS is its window in ms) with a
 * worker per CPU: the 2-CPU / 1-CPU throughput ratio of each KIND.
 */
#define N_CPUS (-1L)
#define SCALE_MS 1000
struct smp_bench {
	const char *name;
	const char *kind;	/* bench-scale's first word, or NULL */
	const char *metric;	/* the name its `bench` line reports */
	long iters;
	long n;
};

static const struct smp_bench smp_benches[] = {
	{ "parallel", NULL, "parallel", 200000000, 2 },
	{ "fork_exec_par", NULL, "fork_exec_par2", 50, 2 },
	{ "fork_exec_par", NULL, "fork_exec_par4", 25, 4 },
	{ "pipe_xcpu", NULL, "pipe_xcpu", 2000, 0 },
	{ "futex_xcpu", NULL, "futex_xcpu", 2000, 0 },
	{ "scale", "fork_exec", "scale_fork_exec", SCALE_MS, N_CPUS },
	{ "scale", "page_fault", "scale_page_fault", SCALE_MS, N_CPUS },
	{ "scale", "open_close", "scale_open_close", SCALE_MS, N_CPUS },
	{ "scale", "pipe", "scale_pipe", SCALE_MS, N_CPUS },
	{ "scale", "mmap_munmap", "scale_mmap_munmap", SCALE_MS, N_CPUS },
	{ "scale", "futex", "scale_futex", SCALE_MS, N_CPUS },
	{ "scale", "stat", "scale_stat", SCALE_MS, N_CPUS },
	{ "scale", "tcp", "scale_tcp", SCALE_MS, N_CPUS },
	{ "scale", "unix", "scale_unix", SCALE_MS, N_CPUS },
};
#define NSMP (sizeof(smp_benches) / sizeof(smp_benches[0]))

struct mode {
	const char *name;
	int rounds;		/* runs of each benchmark */
	int limit_s;		/* a run still going after this long is killed */
	int curves;		/* then the curves */
	int smp;		/* the SMP benchmarks instead of the list */
};
static const struct mode modes[] = {
	{ "quick", 1, 30, 0, 0 }, { "full", 3, 30, 0, 0 }, { "curves", 1, 30, 1, 0 },
	{ "smp", 3, 20, 0, 1 }, { "smpquick", 1, 20, 0, 1 },
};
#define NMODE (sizeof(modes) / sizeof(modes[0]))

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * wait_limited: reap pid, killing it (its process group when it leads one)
 * once it has run limit_s seconds.
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
			/* Its process group (run_one), so that its workers go too. */
			if (kill(-pid, SIGKILL) != 0)
				kill(pid, SIGKILL);
			*killed = 1;
		}
		sleep_ms(20);
	}
}

/*
 * run_one: run /bin/bench-NAME [WORD] ITERS [N] (n > 0) and report any bad
 * ending as a `bench-error LABEL ...` line (label: the metric the program
 * reports under; NULL: NAME).
 */
static void run_one(const struct bench *b, const char *label, const char *word, long iters,
		    long n, int limit_s)
{
	char path[64], count[24], nstr[24];
	char *argv[5], **a = argv;
	char *envp[] = { "PATH=/bin", NULL };

	if (!label)
		label = b->name;
	snprintf(path, sizeof(path), "/bin/bench-%s", b->name);
	snprintf(count, sizeof(count), "%ld", iters);
	snprintf(nstr, sizeof(nstr), "%ld", n);
	*a++ = path;
	if (word)
		*a++ = (char *)word;
	*a++ = count;
	if (n > 0)
		*a++ = nstr;
	*a = NULL;
	pid_t pid = fork();
	if (pid < 0) {
		b_line("bench-error %s bench-run: fork: %s", label, strerror(errno));
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		execve(path, argv, envp);
		b_line("bench-error %s bench-run: execve %s: %s", label, path, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);	/* its own group, whichever of the two runs first */
	int killed, ws = wait_limited(pid, limit_s, &killed);
	if (ws == -1)
		b_line("bench-error %s bench-run: wait4: %s", label, strerror(errno));
	else if (killed)
		b_line("bench-error %s bench-run: still running after %d s, killed", label, limit_s);
	else if (WIFSIGNALED(ws))
		b_line("bench-error %s bench-run: killed by signal %d", label, WTERMSIG(ws));
	else if (WEXITSTATUS(ws) != 0)
		b_line("bench-error %s bench-run: exit status %d", label, WEXITSTATUS(ws));
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

/*
 * run_disk: `bench-run disk DEV FSTYPE TAG SIZE_MIB NFILES RANDOPS` runs
 * /bin/bench-disk with those words alone (tools/bench.py boots once per
 * device and file system), with DISK_LIMIT_S for it.
 */
#define DISK_LIMIT_S 1500
static int run_disk(int argc, char **argv)
{
	char *args[8] = { "/bin/bench-disk" };
	char *envp[] = { "PATH=/bin", NULL };
	long long t0 = b_now();

	b_name = "bench-run";
	b_line("bench-run: mode disk, 1 round");
	for (int i = 2; i < argc && i < 8; i++)
		args[i - 1] = argv[i];
	pid_t pid = fork();
	if (pid == 0) {
		execve(args[0], args, envp);
		b_line("bench-error disk bench-run: execve %s: %s", args[0], strerror(errno));
		_exit(127);
	}
	int killed, ws = pid < 0 ? -1 : wait_limited(pid, DISK_LIMIT_S, &killed);
	if (ws == -1)
		b_line("bench-error disk bench-run: fork or wait4: %s", strerror(errno));
	else if (killed)
		b_line("bench-error disk bench-run: still running after %d s, killed", DISK_LIMIT_S);
	else if (WIFSIGNALED(ws))
		b_line("bench-error disk bench-run: killed by signal %d", WTERMSIG(ws));
	b_line("bench-run: %lld ms by CLOCK_MONOTONIC", (b_now() - t0) / 1000000);
	b_line("bench done");
	return 0;
}

int main(int argc, char **argv)
{
	const struct mode *m = &modes[0];

	if (argc > 1 && strcmp(argv[1], "disk") == 0)
		return run_disk(argc, argv);

	for (unsigned i = 0; argc > 1 && i < NMODE; i++)
		if (strcmp(argv[1], modes[i].name) == 0)
			m = &modes[i];
	if (argc > 1 && strcmp(argv[1], m->name) != 0)
		b_line("bench-run: unknown mode '%s', running quick", argv[1]);
	b_name = "bench-run";
	long long t0 = b_now();
	b_line("bench-run: mode %s, %d round%s", m->name, m->rounds, m->rounds > 1 ? "s" : "");
	for (int r = 0; r < m->rounds; r++)
		for (unsigned i = 0; !m->smp && i < NBENCH; i++)
			if (selected(benches[i].name, argc, argv))
				run_one(&benches[i], NULL, NULL, benches[i].iters, 0, m->limit_s);
	for (int r = 0; m->smp && r < m->rounds; r++)
		for (unsigned i = 0; i < NSMP; i++) {
			const struct smp_bench *s = &smp_benches[i];
			const struct bench b = { s->name, s->iters };
			long n = s->n == N_CPUS ? sysconf(_SC_NPROCESSORS_ONLN) : s->n;
			if (selected(b.name, argc, argv) || selected(s->metric, argc, argv))
				run_one(&b, s->metric, s->kind, b.iters, n, m->limit_s);
		}
	for (unsigned i = 0; m->curves && i < NCURVE; i++) {
		const struct bench b = { curves[i].name, curves[i].iters };
		if (!selected(b.name, argc, argv))
			continue;
		for (int j = 0; j < MAX_POINTS && curves[i].points[j]; j++)
			run_one(&b, NULL, NULL, b.iters, curves[i].points[j], m->limit_s);
	}
	b_line("bench-run: %lld ms by CLOCK_MONOTONIC", (b_now() - t0) / 1000000);
	b_line("bench done");
	return 0;
}
