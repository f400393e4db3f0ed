// SPDX-License-Identifier: MIT
// clone's exit signal and wait's rules for clone children, as Linux's: a child sends its
// exit signal (CSIGNAL, 0: none) when it ends; one whose signal is not SIGCHLD is a clone
// child that wait4/waitid see only with __WCLONE or __WALL; __WNOTHREAD keeps to the
// calling thread's children; invalid options are EINVAL; SIGCHLD ignored reaps only the
// SIGCHLD children; waitid's WSTOPPED and WCONTINUED. (gVisor's wait_test.) And core
// dumps (LTP's abort01, kill11, waitpid01, waitid10, madvise08): a signal whose default
// dumps core writes an ELF core per RLIMIT_CORE and kernel.core_pattern, WCOREDUMP and
// CLD_DUMPED say so (a core RLIMIT_CORE cuts short too); MADV_DONTDUMP leaves a region out.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <elf.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include "checks.h"

#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif
#define SYS_CLONE3 435
#define EXIT_CODE 7
#define WAIT_MS 5000
#define WAITABLE_ROUNDS 100  /* children that end for sigchld-waitable */
#define WAITABLE_CONNS 4     /* loopback TCP connections each one closes as it ends */

/* A child by raw clone with exit signal sig (the low byte of the flags) that exits with EXIT_CODE. */
static pid_t clone_exit(int sig)
{
	long pid = syscall(SYS_clone, (unsigned long)sig, 0, 0, 0, 0);

	if (pid == 0)
		_exit(EXIT_CODE);
	return (pid_t)pid;
}

/* wait4(pid, options) for a child to end: its pid (or -1), its status in *st. */
static pid_t wait_opts(pid_t pid, int options, int *st)
{
	return (pid_t)syscall(SYS_wait4, pid, st, options, NULL);
}

/* Wait for sig (blocked by the caller) to be pending: 0, or -1 after WAIT_MS. */
static int take_signal(int sig)
{
	sigset_t set;
	struct timespec ts = { WAIT_MS / 1000, 0 };

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, NULL, &ts) == sig ? 0 : -1;
}

/* Whether sig is pending for this process. */
static int pending(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	return sigpending(&set) == 0 && sigismember(&set, sig);
}

static void block(int sig, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, NULL);
}

/* A clone child (exit signal SIGUSR1) sends SIGUSR1, is not seen without __WCLONE, is with it. */
static int check_clone_child(void)
{
	int st = 0, r = CHECK_OK;

	block(SIGUSR1, SIG_BLOCK);
	pid_t pid = clone_exit(SIGUSR1);
	if (pid < 0)
		r = fail("clone(SIGUSR1): %s", errname(errno));
	else if (take_signal(SIGUSR1) != 0)
		r = fail("no SIGUSR1 from the clone child's exit");
	else if ((errno = 0, want_err("wait4(clone child, WNOHANG)", wait_opts(pid, WNOHANG, &st), ECHILD)))
		r = CHECK_FAIL;
	else if (want_eq("wait4(clone child, __WCLONE)", wait_opts(pid, __WCLONE, &st), pid))
		r = CHECK_FAIL;
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != EXIT_CODE)
		r = fail("status %#x, want exit %d", st, EXIT_CODE);
	if (r != CHECK_OK && pid > 0)
		wait_opts(pid, __WALL, &st);
	block(SIGUSR1, SIG_UNBLOCK);
	return r;
}

/* Exit signal 0: no signal at all, and still a clone child. */
static int check_exit_signal_zero(void)
{
	int st = 0, r = CHECK_OK;

	block(SIGCHLD, SIG_BLOCK);
	pid_t pid = clone_exit(0);
	if (pid < 0) {
		r = fail("clone(0): %s", errname(errno));
	} else if (want_eq("wait4(child, __WCLONE)", wait_opts(pid, __WCLONE, &st), pid)) {
		wait_opts(pid, __WALL, &st);
		r = CHECK_FAIL;
	} else if (pending(SIGCHLD)) {
		r = fail("SIGCHLD pending from a child with exit signal 0");
	}
	block(SIGCHLD, SIG_UNBLOCK);
	return r;
}

/* __WCLONE does not see a forked child; a clone(SIGCHLD) child is an ordinary one. */
static int check_wclone_hides_fork(void)
{
	int st = 0, r = CHECK_OK;
	pid_t pid = fork();

	if (pid == 0)
		_exit(EXIT_CODE);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	ms_sleep(20);
	errno = 0;
	if (want_err("wait4(fork child, WNOHANG|__WCLONE)", wait_opts(pid, WNOHANG | __WCLONE, &st), ECHILD))
		r = CHECK_FAIL;
	if (want_eq("wait4(fork child)", wait_opts(pid, 0, &st), pid))
		return CHECK_FAIL;
	if (r != CHECK_OK)
		return r;
	pid = clone_exit(SIGCHLD);
	if (pid < 0)
		return fail("clone(SIGCHLD): %s", errname(errno));
	return want_eq("wait4(clone(SIGCHLD) child, 0)", wait_opts(pid, 0, &st), pid);
}

/* __WALL sees both kinds; wait4(-1, 0) only the ordinary one. */
static int check_wall(void)
{
	int st = 0, got = 0;

	block(SIGUSR1, SIG_BLOCK);
	pid_t a = clone_exit(SIGUSR1);
	pid_t b = fork();
	if (b == 0)
		_exit(EXIT_CODE);
	take_signal(SIGUSR1);
	block(SIGUSR1, SIG_UNBLOCK);
	if (a < 0 || b < 0)
		return fail("clone/fork: %s", errname(errno));
	if (want_eq("wait4(-1, 0)", wait_opts(-1, 0, &st), b))
		return wait_opts(-1, __WALL, &st), CHECK_FAIL;
	errno = 0;
	if (want_err("wait4(-1, WNOHANG) with only a clone child", wait_opts(-1, WNOHANG, &st), ECHILD))
		return wait_opts(-1, __WALL, &st), CHECK_FAIL;
	b = fork();
	if (b == 0)
		_exit(EXIT_CODE);
	for (int i = 0; i < 2; i++) {
		pid_t w = wait_opts(-1, __WALL, &st);
		if (w == a || w == b)
			got++;
	}
	return got == 2 ? CHECK_OK : fail("wait4(-1, __WALL) found %d of 2", got);
}

/* SIGCHLD ignored: a forked child is reaped at once, a clone child stays a zombie. */
static int check_ignored_sigchld(void)
{
	int st = 0, r = CHECK_OK;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	sigaction(SIGCHLD, &ign, &old);
	block(SIGUSR1, SIG_BLOCK);
	pid_t f = fork();
	if (f == 0)
		_exit(EXIT_CODE);
	pid_t c = clone_exit(SIGUSR1);
	take_signal(SIGUSR1);
	if (f < 0 || c < 0)
		r = fail("fork/clone: %s", errname(errno));
	else if (want_eq("wait4(clone child, __WCLONE)", wait_opts(c, __WCLONE, &st), c))
		r = CHECK_FAIL;
	else if ((errno = 0, want_err("wait4(fork child) (reaped)", wait_opts(f, 0, &st), ECHILD)))
		r = CHECK_FAIL;
	block(SIGUSR1, SIG_UNBLOCK);
	sigaction(SIGCHLD, &old, NULL);
	return r;
}

/* Options beyond Linux's are EINVAL; waitid needs WEXITED, WSTOPPED or WCONTINUED. */
static int check_bad_options(void)
{
	siginfo_t si;
	int st;

	errno = 0;
	if (want_err("wait4(-1, WEXITED)", wait_opts(-1, WEXITED, &st), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("wait4(-1, 0x10)", wait_opts(-1, 0x10, &st), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("waitid(P_ALL, 0)", syscall(SYS_waitid, P_ALL, 0, &si, 0, NULL), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("waitid(P_ALL, WEXITED|0x10)", syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | 0x10, NULL),
		     EINVAL))
		return CHECK_FAIL;
	errno = 0;
	return want_err("waitid(P_ALL, WSTOPPED|WNOHANG) without children",
			syscall(SYS_waitid, P_ALL, 0, &si, WSTOPPED | WNOHANG, NULL), ECHILD);
}

/* waitid(WSTOPPED) does not count a zombie: ECHILD; WEXITED reaps it. */
static int check_waitid_no_wexited(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(EXIT_CODE);
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	ms_sleep(50);
	errno = 0;
	int r = want_err("waitid(P_PID, zombie, WSTOPPED)", syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED, NULL),
			 ECHILD);
	if (want_ok("waitid(WEXITED)", syscall(SYS_waitid, P_PID, pid, &si, WEXITED, NULL)))
		return CHECK_FAIL;
	return r;
}

/* waitid's CLD_STOPPED and CLD_CONTINUED, kept by WNOWAIT. */
static int check_waitid_stop_cont(void)
{
	siginfo_t si;
	int st, r = CHECK_OK;
	pid_t pid = fork();

	if (pid == 0) {
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	memset(&si, 0, sizeof(si));
	if (want_ok("waitid(WSTOPPED|WNOWAIT)", syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED | WNOWAIT, NULL)))
		r = CHECK_FAIL;
	else if (si.si_code != CLD_STOPPED || si.si_status != SIGSTOP || si.si_pid != pid)
		r = fail("WNOWAIT: code %d status %d pid %d", si.si_code, si.si_status, (int)si.si_pid);
	else if (memset(&si, 0, sizeof(si)),
		 want_ok("waitid(WSTOPPED)", syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED | WNOHANG, NULL)))
		r = CHECK_FAIL;
	else if (si.si_code != CLD_STOPPED || si.si_pid != pid)
		r = fail("WSTOPPED after WNOWAIT: code %d pid %d", si.si_code, (int)si.si_pid);
	else if (kill(pid, SIGCONT) != 0 ||
		 want_ok("waitid(WCONTINUED)", syscall(SYS_waitid, P_PID, pid, &si, WCONTINUED, NULL)))
		r = CHECK_FAIL;
	else if (si.si_code != CLD_CONTINUED || si.si_status != SIGCONT)
		r = fail("WCONTINUED: code %d status %d", si.si_code, si.si_status);
	kill(pid, SIGKILL);
	wait_opts(pid, 0, &st);
	return r;
}

static int pipe_a[2], pipe_b[2];

/* A second thread: fork a child, tell its pid, wait for the word, wait for it with __WNOTHREAD. */
static void *forker(void *arg)
{
	int st;
	pid_t pid = fork();

	(void)arg;
	if (pid == 0)
		_exit(EXIT_CODE);
	if (write(pipe_a[1], &pid, sizeof(pid)) != sizeof(pid) || read(pipe_b[0], &st, 1) != 1)
		return (void *)(intptr_t)-1;
	return (void *)(intptr_t)wait_opts(pid, __WNOTHREAD, &st);
}

/* __WNOTHREAD: the child of another thread is not the caller's; its forker's it is. */
static int check_wnothread(void)
{
	pthread_t th;
	pid_t pid = -1;
	void *ret = NULL;
	int st, r = CHECK_OK;

	if (pipe(pipe_a) || pipe(pipe_b))
		return fail("pipe: %s", errname(errno));
	if (pthread_create(&th, NULL, forker, NULL) != 0)
		return fail("pthread_create");
	if (read(pipe_a[0], &pid, sizeof(pid)) != sizeof(pid) || pid < 0) {
		r = fail("no pid from the thread");
	} else {
		ms_sleep(20);
		errno = 0;
		r = want_err("wait4(sibling's child, __WNOTHREAD|WNOHANG)",
			     wait_opts(pid, __WNOTHREAD | WNOHANG, &st), ECHILD);
	}
	if (write(pipe_b[1], "x", 1) != 1)
		r = fail("write: %s", errname(errno));
	pthread_join(th, &ret);
	if (r == CHECK_OK && (pid_t)(intptr_t)ret != pid)
		r = fail("the forking thread's wait4(__WNOTHREAD) returned %ld", (long)(intptr_t)ret);
	close(pipe_a[0]), close(pipe_a[1]), close(pipe_b[0]), close(pipe_b[1]);
	return r;
}

/* clone3's exit_signal beyond the signals is EINVAL. */
static int check_clone3_exit_signal(void)
{
	uint64_t args[8] = { 0 }; /* flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls */

	args[4] = 65;
	errno = 0;
	long r = syscall(SYS_CLONE3, args, sizeof(args));
	if (r == 0)
		_exit(0);
	if (r > 0) {
		int st;
		wait_opts((pid_t)r, __WALL, &st);
	}
	if (r == -1 && errno == ENOSYS)
		return skip("no clone3");
	return want_err("clone3(exit_signal 65)", r, EINVAL);
}

/* ---- core dumps ---- */

#define CORE_REGION (16 * 4096)

/* The core file name kernel.core_pattern gives pid's core in the current
 * directory (only %p, %s, %e and %% expanded; core_uses_pid), or -1 for a
 * pattern this check does not follow (a pipe, a directory, other %s). */
static int core_name(char *out, size_t cap, pid_t pid, int sig)
{
	char pat[130] = "", uses[16] = "0";
	size_t n = 0;
	int has_pid = 0;
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");

	if (!f || !fgets(pat, sizeof(pat), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	pat[strcspn(pat, "\n")] = 0;
	if ((f = fopen("/proc/sys/kernel/core_uses_pid", "r"))) {
		if (!fgets(uses, sizeof(uses), f))
			uses[0] = '0';
		fclose(f);
	}
	if (!pat[0] || pat[0] == '|' || strchr(pat, '/'))
		return -1;
	for (const char *c = pat; *c && n + 24 < cap; c++) {
		if (*c != '%') {
			out[n++] = *c;
			continue;
		}
		c++;
		if (*c == 'p')
			n += (size_t)snprintf(out + n, cap - n, "%d", (int)pid), has_pid = 1;
		else if (*c == 's')
			n += (size_t)snprintf(out + n, cap - n, "%d", sig);
		else if (*c == 'e')
			n += (size_t)snprintf(out + n, cap - n, "t-conform_wait");
		else if (*c == '%')
			out[n++] = '%';
		else
			return -1;
	}
	out[n] = 0;
	if (!has_pid && atoi(uses))
		snprintf(out + n, cap - n, ".%d", (int)pid);
	return 0;
}

/* A child that aborts with RLIMIT_CORE at lim, region first given
 * MADV_DONTDUMP when dontdump: its pid, its wait status in *st and its
 * waitid si_code in *code. -1 on a failure (said in c_why). */
static pid_t abort_child(rlim_t lim, char *region, int dontdump, int *st, int *code)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { lim, lim };
		if (setrlimit(RLIMIT_CORE, &rl)) /* a hard limit below lim, without CAP_SYS_RESOURCE */
			_exit(3);
		if (dontdump && madvise(region, CORE_REGION, MADV_DONTDUMP))
			_exit(4);
		abort();
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno)), -1;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) || wait_opts(pid, 0, st) != pid)
		return fail("waitid/wait4: %s", errname(errno)), -1;
	*code = si.si_code;
	return pid;
}

/* Read the whole core at name into *buf (malloc'd): its length, or -1. */
static long read_core(const char *name, unsigned char **buf)
{
	struct stat sb;
	int fd = open(name, O_RDONLY);
	long got = 0;

	*buf = NULL;
	if (fd < 0 || fstat(fd, &sb) || !(*buf = malloc((size_t)sb.st_size + 1))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (got < sb.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)(sb.st_size - got));
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	return got;
}

/* The core's checks: ELF ET_CORE for x86_64, a PT_NOTE first whose
 * NT_PRSTATUS names pid and SIGABRT, and the PT_LOAD at region holding
 * its bytes (or none of them: dontdump). */
static int check_core_file(const unsigned char *b, long len, pid_t pid, const char *region, int dontdump)
{
	const Elf64_Ehdr *eh = (const void *)b;

	if (len < (long)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_CORE || eh->e_machine != EM_X86_64)
		return fail("not an x86_64 ELF core (%ld bytes)", len);
	if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)len || eh->e_phnum < 2)
		return fail("program headers past the end (%u)", eh->e_phnum);
	const Elf64_Phdr *ph = (const void *)(b + eh->e_phoff);
	if (ph[0].p_type != PT_NOTE || ph[0].p_offset + ph[0].p_filesz > (uint64_t)len)
		return fail("the first program header is not the notes");
	const Elf64_Nhdr *nh = (const void *)(b + ph[0].p_offset);
	if (nh->n_type != NT_PRSTATUS || nh->n_descsz < 112 + 27 * 8)
		return fail("the first note is %u, not NT_PRSTATUS", nh->n_type);
	const unsigned char *desc = (const unsigned char *)(nh + 1) + ((nh->n_namesz + 3) & ~3u);
	int cursig = *(const short *)(desc + 12), npid = *(const int *)(desc + 32);
	if (cursig != SIGABRT || npid != pid)
		return fail("NT_PRSTATUS: signal %d, pid %d (want %d, %d)", cursig, npid, SIGABRT, (int)pid);
	for (unsigned i = 1; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_vaddr > (uint64_t)(uintptr_t)region ||
		    ph[i].p_vaddr + ph[i].p_memsz < (uint64_t)(uintptr_t)region + CORE_REGION)
			continue;
		uint64_t in = (uint64_t)(uintptr_t)region - ph[i].p_vaddr;
		if (dontdump)
			return ph[i].p_filesz <= in ? CHECK_OK
			       : fail("MADV_DONTDUMP region in the core (%lu bytes)", (unsigned long)ph[i].p_filesz);
		if (ph[i].p_filesz < in + CORE_REGION || ph[i].p_offset + in + CORE_REGION > (uint64_t)len)
			return fail("the region's PT_LOAD holds %lu bytes", (unsigned long)ph[i].p_filesz);
		if (memcmp(b + ph[i].p_offset + in, region, CORE_REGION))
			return fail("the region's bytes differ in the core");
		return CHECK_OK;
	}
	return dontdump ? CHECK_OK : fail("no PT_LOAD covers the region");
}

/* abort() with RLIMIT_CORE lim (and MADV_DONTDUMP): in a new directory,
 * the wait status, waitid's code and the core file as Linux makes them. */
static int core_case(rlim_t lim, int dontdump)
{
	char dir[] = "/tmp/conform-core-XXXXXX", cwd[256], name[300];
	char *region = mmap(NULL, CORE_REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st = 0, code = 0, r = CHECK_OK;
	unsigned char *core = NULL;
	pid_t pid;

	if (region == MAP_FAILED || !getcwd(cwd, sizeof(cwd)) || !mkdtemp(dir) || chdir(dir))
		return fail("setup: %s", errname(errno));
	for (int i = 0; i < CORE_REGION; i++)
		region[i] = (char)(i * 7 + 3);
	if ((pid = abort_child(lim, region, dontdump, &st, &code)) < 0) {
		r = CHECK_FAIL;
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		r = skip("RLIMIT_CORE cannot be set to %lu here", (unsigned long)lim);
	} else if (core_name(name, sizeof(name), pid, SIGABRT)) {
		r = skip("kernel.core_pattern is not a plain file name here");
	} else if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT) {
		r = fail("status %#x, not SIGABRT", st);
	} else if (!lim) {
		if (WCOREDUMP(st) || code != CLD_KILLED || access(name, F_OK) == 0)
			r = fail("RLIMIT_CORE 0: WCOREDUMP %d, si_code %d, %s", !!WCOREDUMP(st), code,
				 access(name, F_OK) ? "no core" : "a core");
	} else if (!WCOREDUMP(st) || code != CLD_DUMPED) {
		r = fail("no WCOREDUMP (status %#x, si_code %d)", st, code);
	} else {
		long len = read_core(name, &core);
		struct stat sb;
		if (lim != RLIM_INFINITY) /* cut short by the limit, and dumped all the same */
			r = len >= 0 && len <= (long)lim ? CHECK_OK : fail("RLIMIT_CORE %lu: core of %ld bytes",
									   (unsigned long)lim, len);
		else if (len < 0)
			r = fail("no core file %s: %s", name, errname(errno));
		else if (stat(name, &sb) || (sb.st_mode & 0777) != (0600 & ~umask(umask(0))))
			r = fail("core mode %o", (unsigned)(sb.st_mode & 0777));
		else
			r = check_core_file(core, len, pid, region, dontdump);
	}
	free(core);
	unlink(name);
	if (chdir(cwd) || rmdir(dir))
		r = r == CHECK_OK ? fail("cleanup: %s", errname(errno)) : r;
	munmap(region, CORE_REGION);
	return r;
}

static int check_core_dump(void) { return core_case(RLIM_INFINITY, 0); }
static int check_core_dontdump(void) { return core_case(RLIM_INFINITY, 1); }
static int check_core_limit_zero(void) { return core_case(0, 0); }
static int check_core_limit_page(void) { return core_case(4096, 0); }

/* /proc/self/coredump_filter: Linux's default dumps anonymous private memory (bit 0). */
static int check_coredump_filter(void)
{
	unsigned filter = 0;
	FILE *f = fopen("/proc/self/coredump_filter", "r");

	if (!f)
		return fail("open: %s", errname(errno));
	int n = fscanf(f, "%x", &filter);
	fclose(f);
	return n == 1 && (filter & 1) ? CHECK_OK : fail("coredump_filter %#x", filter);
}

/* A child for sigchld-waitable: it holds WAITABLE_CONNS loopback TCP
 * connections with unread data both ways and a Unix socket pair (closing
 * them wakes the network's kernel thread and the peers), then ends by
 * SIGKILL on odd rounds and _exit on even ones. Never returns. */
static void waitable_child(int round)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), sp[2];

	if (l < 0 || bind(l, (struct sockaddr *)&a, len) || listen(l, WAITABLE_CONNS) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		_exit(2);
	for (int i = 0; i < WAITABLE_CONNS; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, len))
			_exit(3);
		int s = accept(l, NULL, NULL);
		if (s < 0 || write(c, "x", 1) != 1 || write(s, "y", 1) != 1)
			_exit(4);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || write(sp[0], "z", 1) != 1)
		_exit(5);
	if (round & 1)
		raise(SIGKILL);
	_exit(EXIT_CODE);
}

/* The exit signal comes only once the child can be waited for (Linux's
 * exit_notify makes it a zombie, then notifies): with SIGCHLD blocked,
 * sigtimedwait takes it, and wait4(WNOHANG) must then find the child
 * ended, never 0. busybox sh's wait relies on it (waitpid(WNOHANG), then
 * sigsuspend until the next SIGCHLD); Kestrel signalled before closing
 * the child's files, and a shell slept for good. */
static int check_sigchld_waitable(void)
{
	int st = 0, r = CHECK_OK;

	block(SIGCHLD, SIG_BLOCK);
	for (int i = 0; i < WAITABLE_ROUNDS && r == CHECK_OK; i++) {
		pid_t c = fork();
		if (c == 0)
			waitable_child(i);
		if (c < 0) {
			r = fail("fork: %s", errname(errno));
			break;
		}
		if (take_signal(SIGCHLD)) {
			r = fail("round %d: no SIGCHLD in %d ms", i, WAIT_MS);
			wait_opts(c, 0, &st);
			break;
		}
		pid_t w = wait_opts(c, WNOHANG, &st);
		if (w == 0) {
			r = fail("round %d: SIGCHLD came, then wait4(WNOHANG) found the child still running", i);
			wait_opts(c, 0, &st);
		} else if (w != c) {
			r = fail("round %d: wait4(WNOHANG) = %d (%s)", i, w, errname(errno));
		} else if (!(i & 1 ? WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL
				   : WIFEXITED(st) && WEXITSTATUS(st) == EXIT_CODE)) {
			r = fail("round %d: status %#x", i, st);
		}
	}
	block(SIGCHLD, SIG_UNBLOCK);
	return r;
}

/* Take every SIGCHLD already pending (blocked by the caller). */
static void drain_sigchld(void)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	while (sigtimedwait(&set, NULL, &zero) == SIGCHLD)
		;
}

/* This process adopts its descendants' orphans (on) or not (off), with
 * SIGCHLD blocked and none pending while it does. */
static void subreaper(int on)
{
	prctl(PR_SET_CHILD_SUBREAPER, on);
	block(SIGCHLD, on ? SIG_BLOCK : SIG_UNBLOCK);
	drain_sigchld();
}

/* A child that was already a zombie when its parent ended is reparented
 * with a SIGCHLD to its new parent (Linux's reparent_leader calls
 * do_notify_parent): here P, which ends with no exit signal at all,
 * leaves its zombie child C to this subreaper, and the only SIGCHLD that
 * can come is C's. */
static int check_sigchld_reparented_zombie(void)
{
	int st = 0, r = CHECK_OK;

	subreaper(1);
	pid_t p = (pid_t)syscall(SYS_clone, 0UL, 0, 0, 0, 0); /* no exit signal */
	if (p == 0) {
		siginfo_t si;
		pid_t c = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
		if (c == 0)
			_exit(EXIT_CODE);
		/* C is a zombie once this returns; P's SIGCHLD is ignored by default */
		_exit(c > 0 && waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) == 0 ? 0 : 1);
	}
	if (p < 0) {
		r = fail("clone: %s", errname(errno));
	} else if (want_eq("wait4(P, __WALL)", wait_opts(p, __WALL, &st), p) || st != 0) {
		r = fail("P ended with status %#x", st);
	} else if (take_signal(SIGCHLD)) {
		r = fail("no SIGCHLD in %d ms for the zombie reparented here", WAIT_MS);
		wait_opts(-1, WNOHANG, &st);
	} else {
		pid_t w = wait_opts(-1, WNOHANG, &st);
		if (w <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != EXIT_CODE)
			r = fail("wait4(-1, WNOHANG) after the SIGCHLD: %d, status %#x", w, st);
	}
	subreaper(0);
	return r;
}

/* A child of init sends it sig and ends; 0 once it has (kill said 0). */
static int child_kills_init(int sig)
{
	int st = 0;
	pid_t c = fork();

	if (c == 0)
		_exit(kill(1, sig) == 0 ? 0 : 1);
	return c > 0 && wait_opts(c, 0, &st) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * Init's signals (pid 1, as Linux's SIGNAL_UNKILLABLE): one it neither
 * blocks nor handles is dropped when sent, and kill still says 0; one it
 * blocks is queued even when its default is fatal (Linux drops nothing
 * blocked, sig_ignored), so an init that takes signals by sigtimedwait
 * (tini's SIGTERM) gets it; and one queued while blocked and unblocked at
 * SIG_DFL is dropped at delivery (get_signal), init lives on. Kestrel
 * dropped a blocked fatal signal at send. Only as pid 1: the init-sigchld
 * boot case runs it as init; on Linux, `unshare -fp` makes it the init
 * of a pid namespace, with the same rules for signals from inside it.
 */
static int check_init_blocked_signals(void)
{
	int r = CHECK_OK;

	if (getpid() != 1)
		return skip("not pid 1 (the init-sigchld boot case runs this as init)");
	if (child_kills_init(SIGTERM))
		return fail("a child's kill(1, SIGTERM), unblocked and SIG_DFL: not 0");
	if (pending(SIGTERM))
		return fail("SIGTERM neither blocked nor handled is pending for init");
	block(SIGTERM, SIG_BLOCK);
	block(SIGUSR1, SIG_BLOCK);
	if (child_kills_init(SIGTERM) || child_kills_init(SIGUSR1))
		r = fail("a child's kill(1, ...) of a blocked signal: not 0");
	else if (!pending(SIGUSR1))
		r = fail("SIGUSR1, blocked, sent to init: not pending (dropped at send)");
	else if (take_signal(SIGTERM))
		r = fail("SIGTERM, blocked, sent to init: sigtimedwait did not take it");
	block(SIGTERM, SIG_UNBLOCK);
	block(SIGUSR1, SIG_UNBLOCK); /* delivered at SIG_DFL: dropped, init lives */
	if (r == CHECK_OK && pending(SIGUSR1))
		r = fail("SIGUSR1 still pending once unblocked");
	return r;
}

static const struct check checks[] = {
	{ "clone-child", check_clone_child },
	{ "exit-signal-zero", check_exit_signal_zero },
	{ "wclone-hides-fork", check_wclone_hides_fork },
	{ "wall", check_wall },
	{ "ignored-sigchld", check_ignored_sigchld },
	{ "bad-options", check_bad_options },
	{ "waitid-no-wexited", check_waitid_no_wexited },
	{ "waitid-stop-cont", check_waitid_stop_cont },
	{ "wnothread", check_wnothread },
	{ "clone3-exit-signal", check_clone3_exit_signal },
	{ "core-dump", check_core_dump },
	{ "core-dontdump", check_core_dontdump },
	{ "core-limit-zero", check_core_limit_zero },
	{ "core-limit-page", check_core_limit_page },
	{ "coredump-filter", check_coredump_filter },
	{ "sigchld-waitable", check_sigchld_waitable },
	{ "sigchld-reparented-zombie", check_sigchld_reparented_zombie },
	{ "init-blocked-signals", check_init_blocked_signals },
};

int main(int argc, char **argv)
{
	return run_checks("conform_wait", checks, NELEMS(checks), argc, argv);
}
