// SPDX-License-Identifier: MIT
/*
 * t-conform_procmem: /proc/PID/mem (reads, writes, lseek, ptrace's
 * permission, a private page copied, nothing after the process ends),
 * CLONE_FILES (a shared table, exec and unshare giving a private copy,
 * EMFILE when it cannot hold a descriptor past fs.nr_open),
 * /proc/sys/fs/{nr_open, pipe-max-size}, and signals' details (tkill's
 * SI_TKILL, signalfd's ssi_pid/ssi_uid/ssi_int/ssi_ptr, one siginfo per
 * real-time signal instance, RLIMIT_SIGPENDING), and process_vm_readv and
 * _writev (vectors both sides, a partial copy, the errors), as Linux.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "checks.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1u << 1) /* linux/close_range.h */
#endif
#define EXEC_MARK "procmem-exec-child"
#define OTHER_UID 1000

static int open_mem(pid_t pid, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	return open(path, flags);
}

/* Reads and writes at addresses, lseek's SEEK_SET/SEEK_CUR, EIO at an unmapped page. */
static int check_self_rw(void)
{
	static volatile uint64_t word = 0x1122334455667788ull;
	uint64_t got = 0, put = 0xdeadbeefcafef00dull;
	int fd = open_mem(getpid(), O_RDWR);
	int r;

	if (want_ok("open /proc/self/mem", fd))
		return CHECK_FAIL;
	char *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 4096);
	errno = 0;
	r = want_eq("pread the word", pread(fd, &got, 8, (off_t)(uintptr_t)&word), 8) ||
	    want_eq("its value", (long)(got == 0x1122334455667788ull), 1) ||
	    want_eq("pwrite the word", pwrite(fd, &put, 8, (off_t)(uintptr_t)&word), 8) ||
	    want_eq("the new value seen", (long)(word == put), 1) ||
	    want_eq("lseek SEEK_SET", lseek(fd, (off_t)(uintptr_t)&word, SEEK_SET), (long)(uintptr_t)&word) ||
	    want_eq("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR), (long)(uintptr_t)&word) ||
	    want_eq("read at the position", read(fd, &got, 8), 8) ||
	    want_eq("read's value", (long)(got == put), 1) ||
	    want_eq("the position moved", lseek(fd, 0, SEEK_CUR), (long)(uintptr_t)&word + 8) ||
	    want_err("lseek SEEK_END", lseek(fd, 0, SEEK_END), EINVAL) ||
	    want_err("pread of an unmapped page", pread(fd, &got, 8, (off_t)(uintptr_t)hole), EIO)
		? CHECK_FAIL : CHECK_OK;
	close(fd);
	return r;
}

/* A write reaches a read-only private page (ptrace's forced access), a copy of it. */
static int check_force_write(void)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open_mem(getpid(), O_RDWR);
	int r;

	if (ro == MAP_FAILED || want_ok("open /proc/self/mem", fd))
		return fail("mmap or open: %s", strerror(errno));
	r = want_eq("pwrite into a read-only page", pwrite(fd, "xyz", 3, (off_t)(uintptr_t)ro), 3) ||
	    want_eq("the page reads it", (long)memcmp(ro, "xyz", 3), 0) ? CHECK_FAIL : CHECK_OK;
	close(fd);
	munmap(ro, 4096);
	return r;
}

/* The parent writes into its child's memory: the child's copy of the
 * page changes, the parent's (shared copy-on-write until then) does not;
 * once the child has ended, reads return 0. */
static int check_child(void)
{
	static volatile char buf[64] = "parent";
	int go[2], r;
	char c = 0;

	if (pipe(go))
		return fail("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(memcmp((const char *)buf, "child!", 6) == 0 ? 0 : 3);
	}
	close(go[0]);
	int fd = open_mem(pid, O_RDWR);
	errno = 0;
	r = want_ok("open /proc/CHILD/mem", fd) ||
	    want_eq("pwrite into the child", pwrite(fd, "child!", 6, (off_t)(uintptr_t)buf), 6) ||
	    want_eq("the parent's copy unchanged", (long)memcmp((const char *)buf, "parent", 6), 0)
		? CHECK_FAIL : CHECK_OK;
	write(go[1], "g", 1);
	close(go[1]);
	int w = want_exit("the child (3: it did not see the write)", pid, 0);
	char out[8];
	if (!r && !w)
		r = want_eq("pread after the child ended", pread(fd, out, sizeof(out), (off_t)(uintptr_t)buf), 0);
	close(fd);
	return r ? r : w;
}

/* Opening another user's process's memory is refused (ptrace's check). */
static int check_permission(void)
{
	if (getuid() != 0)
		return skip("needs root to switch to another user");
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		if (setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
			_exit(2);
		int fd = open_mem(parent, O_RDONLY);
		_exit(fd < 0 && errno == EACCES ? 0 : 3);
	}
	return want_exit("the other user's open (3: not EACCES)", pid, 0);
}

static long clone_files(void)
{
	return syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
}

/* CLONE_FILES shares the table: the child's new descriptor is the parent's. */
static int check_clone_files(void)
{
	close(10); /* free, for the child to take */
	long pid = clone_files();
	if (pid == 0)
		_exit(dup2(0, 10) == 10 ? 0 : 3);
	if (pid < 0)
		return fail("clone(CLONE_FILES): %s", strerror(errno));
	int r = want_exit("the child", (pid_t)pid, 0);
	if (!r)
		r = want_ok("the child's descriptor, in the parent", fcntl(10, F_GETFD));
	close(10);
	return r;
}

/* exec in a process sharing its table closes close-on-exec descriptors
 * in its own copy; unshare and close_range(CLOSE_RANGE_UNSHARE) too. */
static int check_exec_unshare(void)
{
	int fd = open("/", O_RDONLY | O_CLOEXEC), r;
	long pid;

	if (want_ok("open", fd))
		return CHECK_FAIL;
	pid = clone_files();
	if (pid == 0) {
		char *argv[] = { "t-conform_procmem", EXEC_MARK, NULL };
		execv("/proc/self/exe", argv);
		_exit(4);
	}
	r = want_exit("the exec'ing child", (pid_t)pid, 0) ||
	    want_ok("the close-on-exec descriptor, after the child's exec", fcntl(fd, F_GETFD)) ? CHECK_FAIL : 0;
	pid = r ? 0 : clone_files();
	if (pid == 0 && !r)
		_exit(syscall(SYS_unshare, CLONE_FILES) == 0 && close(fd) == 0 ? 0 : 3);
	r = r ? r : want_exit("the unsharing child", (pid_t)pid, 0) ||
	    want_ok("the descriptor the child closed after unshare", fcntl(fd, F_GETFD)) ? CHECK_FAIL : 0;
	pid = r ? 0 : clone_files();
	if (pid == 0 && !r)
		_exit(syscall(SYS_close_range, fd, fd, CLOSE_RANGE_UNSHARE) == 0 ? 0 : 3);
	r = r ? r : want_exit("the close_range child", (pid_t)pid, 0) ||
	    want_ok("the descriptor close_range(UNSHARE) closed in the child", fcntl(fd, F_GETFD)) ? CHECK_FAIL : 0;
	close(fd);
	return r;
}

/* unshare's flags: CLONE_FS and CLONE_SYSVSEM succeed, CLONE_THREAD in a
 * single thread too; an unknown flag is EINVAL. */
static int check_unshare_flags(void)
{
	errno = 0;
	return want_eq("unshare(CLONE_FS | CLONE_FILES | CLONE_SYSVSEM)",
		       syscall(SYS_unshare, CLONE_FS | CLONE_FILES | CLONE_SYSVSEM), 0) ||
	       want_eq("unshare(CLONE_THREAD) single-threaded", syscall(SYS_unshare, CLONE_THREAD), 0) ||
	       want_eq("unshare(0)", syscall(SYS_unshare, 0), 0) ||
	       want_err("unshare(SIGCHLD)", syscall(SYS_unshare, SIGCHLD), EINVAL) ? CHECK_FAIL : CHECK_OK;
}

static long read_sysctl(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static long write_sysctl(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	long n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n;
}

#define NO_CAP_SYS_RESOURCE 7
/* In a child: RLIMIT_NOFILE up to a raised nr_open, not past it, and a
 * descriptor just below it (NO_CAP_SYS_RESOURCE: a hard limit cannot be
 * raised here, root without CAP_SYS_RESOURCE, as in some containers). */
static int nofile_child(long nr)
{
	struct rlimit rl = { (rlim_t)nr + 1, (rlim_t)nr + 1 };

	if (setrlimit(RLIMIT_NOFILE, &rl) != -1 || errno != EPERM)
		return 3;
	rl.rlim_cur = rl.rlim_max = (rlim_t)nr;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return errno == EPERM ? NO_CAP_SYS_RESOURCE : 4;
	if (dup3(0, (int)nr, 0) != -1 || errno != EBADF)
		return 5;
	return dup3(0, (int)nr - 1, 0) == nr - 1 ? 0 : 6;
}

/* fs.nr_open: read-write for root within 64..INT_MAX & ~63; a raised one
 * lets RLIMIT_NOFILE and the table grow to it. Restored after. */
static int check_nr_open(void)
{
	const char *path = "/proc/sys/fs/nr_open";
	long old = read_sysctl(path), nr = old + 4096;
	char text[32];
	int r;

	if (old < 64)
		return fail("read %s: %ld", path, old);
	if (getuid() != 0)
		return skip("needs root to write %s", path);
	snprintf(text, sizeof(text), "%ld\n", nr);
	errno = 0;
	r = want_err("write 63", write_sysctl(path, "63"), EINVAL) ||
	    want_err("write 2147483647", write_sysctl(path, "2147483647"), EINVAL) ||
	    want_err("write junk", write_sysctl(path, "12x"), EINVAL) ||
	    want_eq("write old + 4096", write_sysctl(path, text), (long)strlen(text)) ||
	    want_eq("read it back", read_sysctl(path), nr) ? CHECK_FAIL : CHECK_OK;
	if (!r) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(nofile_child(nr));
		int st = 0;
		r = wait_child(pid, 10000, &st);
		if (!r && WIFEXITED(st) && WEXITSTATUS(st) == NO_CAP_SYS_RESOURCE)
			remark("RLIMIT_NOFILE part skipped: no CAP_SYS_RESOURCE");
		else if (!r && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			r = fail("the child (3-6: setrlimit or dup3 at the limit): status 0x%x", st);
	}
	snprintf(text, sizeof(text), "%ld", old);
	write_sysctl(path, text);
	return r ? r : want_eq("restored", read_sysctl(path), old);
}

/* unshare(CLONE_FILES) copies the shared table, which cannot hold a
 * descriptor past fs.nr_open: EMFILE with descriptor 65 open and nr_open
 * 64 (LTP's unshare03; Linux's dup_fd). nr_open is 64 only around the
 * call, then restored. */
static int check_unshare_emfile(void)
{
	const char *path = "/proc/sys/fs/nr_open";
	long old = read_sysctl(path);

	if (old < 64)
		return fail("read %s: %ld", path, old);
	if (getuid() != 0)
		return skip("needs root to write %s", path);
	if (dup2(2, 65) != 65)
		return fail("dup2(2, 65): %s", errname(errno));
	long pid = clone_files();
	if (pid == 0) {
		char text[32];
		long w = write_sysctl(path, "64\n");
		long u = syscall(SYS_unshare, CLONE_FILES);
		int e = errno;
		snprintf(text, sizeof(text), "%ld", old);
		write_sysctl(path, text);
		_exit(w != 3 ? 2 : u == 0 ? 3 : e == EMFILE ? 0 : 4);
	}
	if (pid < 0) {
		close(65);
		return fail("clone(CLONE_FILES): %s", strerror(errno));
	}
	int r = want_exit("the child's unshare (0: EMFILE; 2: write, 3: done, 4: another errno)",
			  (pid_t)pid, 0);
	close(65); /* the table is shared until the child is gone */
	return r ? r : want_eq("nr_open restored", read_sysctl(path), old);
}

/* fs.pipe-max-size: rounded up to a power of two pages on write. Restored after. */
static int check_pipe_max(void)
{
	const char *path = "/proc/sys/fs/pipe-max-size";
	long old = read_sysctl(path);
	char text[32];
	int r;

	if (old < 4096)
		return fail("read %s: %ld", path, old);
	if (getuid() != 0)
		return skip("needs root to write %s", path);
	errno = 0;
	r = want_eq("write 12289", write_sysctl(path, "12289"), 5) ||
	    want_eq("read back rounded", read_sysctl(path), 16384) ? CHECK_FAIL : CHECK_OK;
	snprintf(text, sizeof(text), "%ld", old);
	write_sysctl(path, text);
	return r ? r : want_eq("restored", read_sysctl(path), old);
}

static volatile int got_code, got_pid;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_pid = si->si_pid;
}

/* tkill and tgkill: si_code SI_TKILL, si_pid the sender. */
static int check_tkill(void)
{
	struct sigaction sa = { 0 };
	int r;

	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	got_code = 99;
	r = want_eq("tkill", syscall(SYS_tkill, gettid(), SIGUSR1), 0) ||
	    want_eq("si_code", got_code, SI_TKILL) || want_eq("si_pid", got_pid, getpid());
	got_code = 99;
	r = r || want_eq("tgkill", syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1), 0) ||
	    want_eq("tgkill's si_code", got_code, SI_TKILL);
	signal(SIGUSR1, SIG_DFL);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* signalfd: a sigqueue's ssi_pid, ssi_uid, ssi_int and ssi_ptr; a kill's sender. */
static int check_signalfd(void)
{
	struct signalfd_siginfo si;
	sigset_t m, old;
	int r;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, &old);
	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	if (want_ok("signalfd", fd)) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return CHECK_FAIL;
	}
	r = want_eq("sigqueue", sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 4242 }), 0) ||
	    want_eq("read", read(fd, &si, sizeof(si)), sizeof(si)) ||
	    want_eq("ssi_code", si.ssi_code, SI_QUEUE) || want_eq("ssi_pid", si.ssi_pid, getpid()) ||
	    want_eq("ssi_uid", si.ssi_uid, getuid()) || want_eq("ssi_int", si.ssi_int, 4242) ||
	    want_eq("ssi_ptr", (long)si.ssi_ptr, 4242) ||
	    want_eq("tkill", syscall(SYS_tkill, gettid(), SIGUSR2), 0) ||
	    want_eq("read tkill's", read(fd, &si, sizeof(si)), sizeof(si)) ||
	    want_eq("tkill's ssi_code", si.ssi_code, SI_TKILL) || want_eq("tkill's ssi_pid", si.ssi_pid, getpid())
		? CHECK_FAIL : CHECK_OK;
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

#define RT_INSTANCES 3
#define SIGPENDING_LIMIT 8

/* Real-time signals queue one instance per send, each with its own
 * si_value, delivered oldest first. */
static int check_rt_queue(void)
{
	int sig = SIGRTMIN + 1, r = CHECK_OK;
	sigset_t m, old;
	siginfo_t si;

	sigemptyset(&m);
	sigaddset(&m, sig);
	sigprocmask(SIG_BLOCK, &m, &old);
	for (int i = 0; i < RT_INSTANCES && !r; i++)
		r = want_eq("sigqueue", sigqueue(getpid(), sig, (union sigval){ .sival_int = 100 + i }), 0);
	for (int i = 0; i < RT_INSTANCES && !r; i++) {
		struct timespec zero = { 0, 0 };
		r = want_eq("sigtimedwait", sigtimedwait(&m, &si, &zero), sig) ||
		    want_eq("the instance's si_value", si.si_value.sival_int, 100 + i) ||
		    want_eq("its si_code", si.si_code, SI_QUEUE);
	}
	struct timespec zero = { 0, 0 };
	if (!r)
		r = want_err("sigtimedwait after the last one", sigtimedwait(&m, &si, &zero), EAGAIN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* In a child: RLIMIT_SIGPENDING bounds the queued instances, sigqueue
 * then fails with EAGAIN (Linux counts the user's, so at most the limit). */
static int sigpending_child(void)
{
	struct rlimit rl = { SIGPENDING_LIMIT, SIGPENDING_LIMIT };
	int sig = SIGRTMIN + 2, sent = 0;
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, sig);
	sigprocmask(SIG_BLOCK, &m, NULL);
	if (setrlimit(RLIMIT_SIGPENDING, &rl))
		return 2;
	for (int i = 0; i < 4 * SIGPENDING_LIMIT; i++) {
		if (sigqueue(getpid(), sig, (union sigval){ .sival_int = i }) == 0)
			sent++;
		else if (errno != EAGAIN)
			return 3;
	}
	return sent > 0 && sent <= SIGPENDING_LIMIT ? 0 : 4;
}

static int check_sigpending_limit(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(sigpending_child());
	return want_exit("the child (3: not EAGAIN, 4: the limit not kept)", pid, 0);
}

/* process_vm_readv (write false) or _writev, without glibc's wrapper. */
static long pvm(bool write, pid_t pid, const struct iovec *l, unsigned long ln,
		const struct iovec *r, unsigned long rn, unsigned long flags)
{
	return syscall(write ? SYS_process_vm_writev : SYS_process_vm_readv, pid, l, ln, r, rn, flags);
}

/* A child's memory read and written through vectors of different
 * shapes on each side: 3 local pieces against 2 remote ones. */
static int check_pvm_child(void)
{
	static char area[64] = "0123456789abcdefghijklmnopqrstuv";
	char a[5], b[20], c[7];
	int go[2], r;

	if (pipe(go))
		return fail("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		char x;
		close(go[1]);
		if (read(go[0], &x, 1) != 1)
			_exit(2);
		_exit(memcmp(area + 40, "WRITTEN", 7) == 0 ? 0 : 3);
	}
	close(go[0]);
	struct iovec l[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec rv[2] = { { area, 10 }, { area + 16, 16 } };
	struct iovec wl = { "WRITTEN", 7 }, wr = { area + 40, 7 };
	memcpy(area, "changed-in-parent", 17); /* the child keeps its copy */
	r = want_eq("readv 26 bytes", pvm(false, pid, l, 3, rv, 2, 0), 26) ||
	    want_eq("first piece", (long)memcmp(a, "01234", 5), 0) ||
	    want_eq("second piece", (long)memcmp(b, "56789ghijklmnopqrstu", 20), 0) ||
	    want_eq("third piece", (long)memcmp(c, "v", 1), 0) ||
	    want_eq("writev 7 bytes", pvm(true, pid, &wl, 1, &wr, 1, 0), 7) ||
	    want_eq("the parent's copy unchanged", (long)(area[40] == 0), 1);
	write(go[1], "g", 1);
	close(go[1]);
	int w = want_exit("the child (3: it did not see the write)", pid, 0);
	return r || w ? CHECK_FAIL : CHECK_OK;
}

/* The copy stops at the first page the target does not allow: the bytes
 * before it, EFAULT when there are none; flags, vectors, pids. */
static int check_pvm_errors(void)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[64];
	pid_t self = getpid();

	if (m == MAP_FAILED || mprotect(m + 4096, 4096, PROT_NONE))
		return fail("mmap: %s", strerror(errno));
	memset(m, 'm', 4096);
	struct iovec l = { buf, sizeof(buf) }, cross = { m + 4096 - 10, 64 }, none = { m + 4096, 8 };
	struct iovec bad_len = { buf, (size_t)-1 }, empty = { buf, 0 };
	struct iovec many[1025];
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec){ buf, 1 };
	int r = want_eq("readv across into PROT_NONE", pvm(false, self, &l, 1, &cross, 1, 0), 10) ||
		want_err("readv of PROT_NONE", pvm(false, self, &l, 1, &none, 1, 0), EFAULT) ||
		want_err("writev into PROT_NONE", pvm(true, self, &l, 1, &none, 1, 0), EFAULT) ||
		want_err("flags 1", pvm(false, self, &l, 1, &cross, 1, 1), EINVAL) ||
		want_err("a negative length", pvm(false, self, &bad_len, 1, &cross, 1, 0), EINVAL) ||
		want_err("1025 local elements", pvm(false, self, many, 1025, &cross, 1, 0), EINVAL) ||
		want_err("1025 remote elements", pvm(false, self, &l, 1, many, 1025, 0), EINVAL) ||
		want_eq("1024 remote elements", pvm(false, self, &l, 1, many, 1024, 0), 64) ||
		want_err("a bad local vector", pvm(false, self, (void *)8, 1, &cross, 1, 0), EFAULT) ||
		want_err("a bad remote vector", pvm(false, self, &l, 1, (void *)8, 1, 0), EFAULT) ||
		want_err("a bad local buffer", pvm(false, self, &(struct iovec){ (void *)-1, 8 }, 1,
						   &cross, 1, 0), EFAULT) ||
		want_eq("nothing to copy, any pid", pvm(false, -1, &empty, 1, &cross, 1, 0), 0) ||
		want_err("pid -1", pvm(false, -1, &l, 1, &cross, 1, 0), ESRCH)
			? CHECK_FAIL : CHECK_OK;
	munmap(m, 8192);
	return r;
}

/* Another user's process is EPERM (ptrace's check, real credentials). */
static int check_pvm_permission(void)
{
	static char word[8] = "secret";

	if (getuid() != 0)
		return skip("needs root to switch to another user");
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		char got[8];
		struct iovec l = { got, sizeof(got) }, rv = { word, sizeof(word) };
		if (setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
			_exit(2);
		_exit(pvm(false, parent, &l, 1, &rv, 1, 0) < 0 && errno == EPERM ? 0 : 3);
	}
	return want_exit("the other user's readv (3: not EPERM)", pid, 0);
}

static const struct check checks[] = {
	{ "self-rw", check_self_rw },
	{ "force-write", check_force_write },
	{ "child", check_child },
	{ "permission", check_permission },
	{ "clone-files", check_clone_files },
	{ "exec-unshare", check_exec_unshare },
	{ "unshare-flags", check_unshare_flags },
	{ "nr-open", check_nr_open },
	{ "unshare-emfile", check_unshare_emfile },
	{ "pipe-max", check_pipe_max },
	{ "tkill", check_tkill },
	{ "signalfd", check_signalfd },
	{ "rt-queue", check_rt_queue },
	{ "sigpending-limit", check_sigpending_limit },
	{ "pvm-child", check_pvm_child },
	{ "pvm-errors", check_pvm_errors },
	{ "pvm-permission", check_pvm_permission },
};

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], EXEC_MARK) == 0)
		return 0;
	return run_checks("conform_procmem", checks, NELEMS(checks), argc, argv);
}
