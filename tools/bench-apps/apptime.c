/* SPDX-License-Identifier: MIT */
/*
 * apptime: the guest side of tools/bench_apps.py, a static musl program.
 *
 *   apptime run NAME N PROGRAM [ARG...]   time fork + execve + wait4 of PROGRAM
 *   apptime cold NAME N PROGRAM [ARG...]  the same without the untimed run first
 *   apptime text FILE BYTES               write BYTES of generated text lines
 *   apptime files DIR COUNT               make DIR with COUNT small files
 *
 * `run` runs the program once untimed (its files come into the caches on
 * both kernels alike), then N times, each timed with CLOCK_MONOTONIC from
 * before fork to after wait4 (under QEMU's -icount shift=0,sleep=off one
 * ns is one guest instruction), with stdin and stdout on /dev/null, and
 * prints one line the host parses (`cold` leaves the untimed run out, for a
 * workload too long to run twice whose files are in memory already):
 *   app NAME N MIN MEDIAN MAX ns
 * and the children's CPU time per run (wait4's rusage, which both kernels
 * sample by ticks: a rough split of user and kernel work)
 *   app-cpu NAME USER_NS SYS_NS
 * or `app-error NAME why` when a run fails (exit 1). `text` writes the same
 * bytes on every kernel: words from a fixed pseudo-random sequence, so that
 * sort | uniq -c has work to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS   1000
#define VOCABULARY 5000u        /* distinct words of the text */
#define LINE_WORDS 3            /* words per line of the text */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* run_once: fork, exec ARGV with stdin/stdout on /dev/null, wait (adding the
 * child's rusage to *RU); the wait status, -1 on error. */
static int run_once(char **argv, struct rusage *ru)
{
	pid_t pid = fork();
	int ws;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	struct rusage r;

	if (wait4(pid, &ws, 0, &r) != pid)
		return -1;
	ru->ru_utime.tv_sec += r.ru_utime.tv_sec;
	ru->ru_utime.tv_usec += r.ru_utime.tv_usec;
	ru->ru_stime.tv_sec += r.ru_stime.tv_sec;
	ru->ru_stime.tv_usec += r.ru_stime.tv_usec;
	return ws;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* cmd_run: the warm-up run (if WARMUP), N timed runs, the result line. */
static int cmd_run(const char *name, int n, int warmup, char **argv)
{
	static uint64_t t[MAX_RUNS];
	struct rusage ru, warm;
	int ws;

	if (n < 1 || n > MAX_RUNS) {
		printf("app-error %s bad count %d\n", name, n);
		return 1;
	}
	memset(&ru, 0, sizeof(ru));
	for (int i = warmup ? -1 : 0; i < n; i++) {
		uint64_t t0 = now_ns();

		ws = run_once(argv, i < 0 ? memset(&warm, 0, sizeof(warm)) : &ru);
		if (ws != 0) {
			printf("app-error %s %s: %s %d\n", name, argv[0],
			       ws < 0 ? strerror(errno) : WIFSIGNALED(ws) ? "signal" : "exit status",
			       ws < 0 ? 0 : WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
			return 1;
		}
		if (i >= 0)
			t[i] = now_ns() - t0;
	}
	qsort(t, n, sizeof(t[0]), cmp_u64);
	printf("app %s %d %llu %llu %llu ns\n", name, n, (unsigned long long)t[0],
	       (unsigned long long)t[n / 2], (unsigned long long)t[n - 1]);
	printf("app-cpu %s %llu %llu\n", name, (unsigned long long)tv_ns(ru.ru_utime) / n,
	       (unsigned long long)tv_ns(ru.ru_stime) / n);
	return 0;
}

/* cmd_text: BYTES of lines of words "wNNNN" drawn by a fixed LCG (the same text everywhere). */
static int cmd_text(const char *path, long bytes)
{
	FILE *f = fopen(path, "w");
	uint32_t x = 12345;
	long written = 0;

	if (!f)
		return perror(path), 1;
	while (written < bytes) {
		for (int w = 0; w < LINE_WORDS; w++) {
			x = x * 1103515245u + 12345u;
			written += fprintf(f, w ? " w%u" : "w%u", (x >> 16) % VOCABULARY);
		}
		written += fputs("\n", f) >= 0;
	}
	return fclose(f) ? (perror(path), 1) : 0;
}

/* cmd_files: DIR with COUNT files named f00000... of a few bytes each. */
static int cmd_files(const char *dir, int count)
{
	char path[4096];

	if (mkdir(dir, 0755) && errno != EEXIST)
		return perror(dir), 1;
	for (int i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || write(fd, path, strlen(path)) < 0 || close(fd))
			return perror(path), 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && !strcmp(argv[1], "run"))
		return cmd_run(argv[2], atoi(argv[3]), 1, argv + 4);
	if (argc >= 5 && !strcmp(argv[1], "cold"))
		return cmd_run(argv[2], atoi(argv[3]), 0, argv + 4);
	if (argc == 4 && !strcmp(argv[1], "text"))
		return cmd_text(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "files"))
		return cmd_files(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: apptime run|cold NAME N PROGRAM [ARG...] | text FILE BYTES | "
		"files DIR COUNT\n");
	return 2;
}
