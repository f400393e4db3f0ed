// SPDX-License-Identifier: MIT
/*
 * The kernel profiler's files (issue 30), as Linux has them: /proc/profile
 * exists only when the kernel was booted with profile=N (Linux's
 * CONFIG_PROFILING, whose command line this machine's Linux does not
 * have: there the checks of a booted profiler skip); then it is a 32-bit
 * bucket size of 2^N bytes and a 32-bit count per bucket of kernel text,
 * the timer tick's samples of the kernel's RIP, and any write zeroes it.
 * /proc/kallsyms lists the text symbols with _stext and _etext, and a
 * reader without CAP_SYSLOG sees zero addresses (Linux's kptr_restrict 0
 * with perf_event_paranoid above 1, Debian's). Kestrel's own
 * /proc/profile_syscalls (only with the profiler) counts the system calls
 * made: checked where it exists.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "checks.h"

#define PROFILE       "/proc/profile"
#define CALLS_FILE    "/proc/profile_syscalls"
#define WORK_CALLS    20000 /* stat calls made to give the tick kernel time to sample */
#define WORK_MS_MIN   300   /* and at least this long */
#define NOBODY        65534

/* Whether the kernel was booted with profile=N: the word in /proc/cmdline. */
static int booted_with_profile(void)
{
	char cmdline[4096];

	if (file_text("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return 0;
	for (char *w = strtok(cmdline, " \n"); w; w = strtok(NULL, " \n"))
		if (strncmp(w, "profile=", 8) == 0)
			return 1;
	return 0;
}

/* Whether readdir of /proc lists name. */
static int proc_lists(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)) != NULL)
		found |= strcmp(e->d_name, name) == 0;
	if (d)
		closedir(d);
	return found;
}

/* /proc/profile's words into w (at most cap): how many, or -1 (errno). */
static long read_profile(uint32_t *w, size_t cap)
{
	int fd = open(PROFILE, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len < cap * sizeof(*w) && (n = read(fd, (char *)w + len, cap * sizeof(*w) - len)) > 0)
		len += (size_t)n;
	close(fd);
	return (long)(len / sizeof(*w));
}

static uint64_t sum_buckets(const uint32_t *w, long n)
{
	uint64_t s = 0;

	for (long i = 1; i < n; i++)
		s += w[i];
	return s;
}

/* Reads at odd offsets of a file of size bytes whose first word is step:
 * the step word's tail, the last byte, nothing at the end. */
static int file_offsets(long size, uint32_t step)
{
	int fd = open(PROFILE, O_RDONLY);
	unsigned char b[8];
	ssize_t got;

	if (fd < 0)
		return fail("open %s: %s", PROFILE, strerror(errno));
	got = pread(fd, b, 3, 1);
	if (got != 3 || memcmp(b, (unsigned char *)&step + 1, 3) != 0) {
		close(fd);
		return fail("pread of 3 bytes at 1: %zd, not the step word's last three", got);
	}
	if ((got = pread(fd, b, sizeof(b), size - 1)) != 1 || (got = pread(fd, b, 1, size)) != 0) {
		close(fd);
		return fail("pread at the last byte or the end of %ld bytes: %zd", size, got);
	}
	close(fd);
	return CHECK_OK;
}

/* Kernel work: stat calls for at least WORK_MS_MIN ms of CPU. */
static void kernel_work(void)
{
	struct stat st;
	struct timespec t0, t1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < WORK_CALLS / 10; i++)
			stat("/proc/self", &st);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	} while ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < WORK_MS_MIN);
}

/* Without profile= there is no /proc/profile, by name or in the listing. */
static int check_absent(void)
{
	struct stat st;

	if (booted_with_profile())
		return skip("booted with profile=: the profiler is on");
	if (want_err("stat " PROFILE, stat(PROFILE, &st), ENOENT))
		return CHECK_FAIL;
	if (proc_lists("profile"))
		return fail("/proc lists profile though it does not exist");
	return CHECK_OK;
}

/* With profile=N: the step word, the size, samples of kernel work, and a write zeroing them. */
static int check_samples(void)
{
	static uint32_t w[1 << 21]; /* 8 MiB: 2^21 buckets, more than any shift gives here */
	long n;

	if (!booted_with_profile())
		return skip("not booted with profile=N: no profiler to read");
	if (!proc_lists("profile"))
		return fail("/proc does not list profile");
	kernel_work();
	if ((n = read_profile(w, NELEMS(w))) < 2)
		return fail("read %s: %ld words (%s)", PROFILE, n, strerror(errno));
	if (w[0] == 0 || (w[0] & (w[0] - 1)))
		return fail("the first word (the bucket size) is %u, not a power of two", w[0]);
	int err = file_offsets(n * sizeof(*w), w[0]);
	if (err)
		return err;
	uint64_t before = sum_buckets(w, n);
	if (before == 0)
		return fail("no samples after %d ms of stat calls", WORK_MS_MIN);
	if (write_file(PROFILE, "0", 0) != 0)
		return fail("write %s: %s", PROFILE, strerror(errno));
	long m = read_profile(w, NELEMS(w));
	uint64_t after = sum_buckets(w, m);
	if (m != n)
		return fail("the file had %ld words before the write and %ld after", n, m);
	if (after >= before || after > 10)
		return fail("a write left %llu samples of %llu", (unsigned long long)after,
			    (unsigned long long)before);
	remark("buckets of %u bytes, %ld of them, %llu samples before the reset", w[0], n - 1,
	       (unsigned long long)before);
	return CHECK_OK;
}

/* Kestrel's /proc/profile_syscalls (only with the profiler): stat's count
 * grows by at least the calls made. */
static int check_syscall_counts(void)
{
	char text[32768], *line;
	unsigned long long calls0 = 0, calls1 = 0, ns;
	struct stat st;

	if (stat(CALLS_FILE, &st) != 0)
		return skip("no %s (%s): no profiler, or not Kestrel", CALLS_FILE, strerror(errno));
	if (file_text(CALLS_FILE, text, sizeof(text)) < 0)
		return fail("read %s: %s", CALLS_FILE, strerror(errno));
	if ((line = strstr(text, "\nstat ")) != NULL || strncmp(text, "stat ", 5) == 0)
		sscanf(line ? line + 1 : text, "stat %llu %llu", &calls0, &ns);
	for (int i = 0; i < 1000; i++)
		stat("/", &st);
	if (file_text(CALLS_FILE, text, sizeof(text)) < 0)
		return fail("read %s again: %s", CALLS_FILE, strerror(errno));
	if ((line = strstr(text, "\nstat ")) != NULL || strncmp(text, "stat ", 5) == 0)
		sscanf(line ? line + 1 : text, "stat %llu %llu", &calls1, &ns);
	if (calls1 < calls0 + 1000)
		return fail("stat counted %llu then %llu after 1000 calls", calls0, calls1);
	return CHECK_OK;
}

/* /proc/kallsyms: "address type name" lines, _stext before _etext; a
 * reader without CAP_SYSLOG sees zero addresses. */
static int check_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], name[128], type;
	unsigned long long addr, stext = 0, etext = 0;
	int lines = 0;

	if (!f)
		return fail("open /proc/kallsyms: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3) {
			fclose(f);
			return fail("a line not \"address type name\": %.60s", line);
		}
		lines++;
		if (strcmp(name, "_stext") == 0 && !stext)
			stext = addr;
		if (strcmp(name, "_etext") == 0)
			etext = addr;
	}
	fclose(f);
	if (!stext || !etext || etext <= stext)
		return fail("_stext %#llx, _etext %#llx in %d lines (as root)", stext, etext, lines);
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		f = fopen("/proc/kallsyms", "r");
		if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "%llx", &addr) != 1)
			_exit(3);
		_exit(addr == 0 ? 0 : 4);
	}
	if (want_exit("the first address nobody reads is 0", pid, 0))
		return CHECK_FAIL;
	remark("%d symbols", lines);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "absent", check_absent },
	{ "samples", check_samples },
	{ "syscall-counts", check_syscall_counts },
	{ "kallsyms", check_kallsyms },
};

int main(int argc, char **argv)
{
	return run_checks("profile", checks, NELEMS(checks), argc, argv);
}
