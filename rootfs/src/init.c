// SPDX-License-Identifier: MIT
// /sbin/init: the console as fds 0-2 and controlling terminal, /etc/rc, then a shell, restarted when it exits.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: init                run /etc/rc (if present) with /bin/sh, then an
 *                            interactive /bin/sh ("-sh", a login shell),
 *                            started again whenever it exits
 *        init PROGRAM ARG... run PROGRAM once, without /etc/rc (a bare name
 *                            is looked up in PATH), and exit with its
 *                            status (128+N when killed by signal N): how a
 *                            test runs one program as PID 1. The kernel
 *                            passes what follows " -- " on its command line.
 *
 * Each job (rc, the shell, the program) runs in its own process group,
 * which is made the terminal's foreground group, so ^C reaches it and not
 * init; when it ends init takes the terminal back. Init reaps every child,
 * including the orphans the kernel re-parents to it, with waitpid(-1).
 *
 * Init ignores the job-control and terminal signals (a stray ^C or hangup
 * must not end PID 1); its children get every signal back at the default
 * and an empty mask before exec, since ignored signals survive exec.
 * Messages are single "init: ..." lines on fd 2.
 */
static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP, SIGPIPE };
static int have_tty;	/* fd 0 is our controlling terminal */

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "init: ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0) {
		/* nowhere left to report it */
	}
}

/*
 * setup_console: /dev/console as fds 0, 1 and 2 (keeping the fds the
 * kernel gave when it cannot be opened), then a new session with the
 * console as its controlling terminal. Sets have_tty.
 */
static void setup_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0) {
		say("cannot open /dev/console (%s); keeping the fds I was given", strerror(errno));
	} else {
		for (int i = 0; i < 3; i++)
			if (fd != i)
				dup2(fd, i);
		if (fd > 2)
			close(fd);
	}
	/* PID 1 may already lead its session (EPERM); that is as good. */
	if (setsid() < 0 && getsid(0) != getpid())
		say("setsid: %s", strerror(errno));
	if (ioctl(0, TIOCSCTTY, 0) == 0)
		have_tty = 1;
	else
		say("no controlling terminal (TIOCSCTTY: %s): no job control", strerror(errno));
}

/* setup_process: signals, environment, working directory and umask for init and its children. */
static void setup_process(void)
{
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	setenv("PATH", "/sbin:/bin:/usr/sbin:/usr/bin", 0);
	setenv("HOME", "/", 0);
	setenv("TERM", "linux", 0);
	setenv("SHELL", "/bin/sh", 0);
	umask(022);
	if (chdir("/") != 0)
		say("chdir(/): %s", strerror(errno));
}

/*
 * child_exec: in the forked child: its own process group, made the
 * terminal's foreground group (SIGTTOU is still ignored here, so this
 * works from the background), default signals, then exec. Never returns.
 */
static void child_exec(const char *path, char *const argv[])
{
	sigset_t none;

	setpgid(0, 0);
	if (have_tty)
		tcsetpgrp(0, getpid());
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (strchr(path, '/'))
		execv(path, argv);
	else
		execvp(path, argv);
	say("cannot run %s: %s", path, strerror(errno));
	_exit(127);
}

/*
 * run: start PATH with ARGV as a foreground job and wait for it,
 * reaping any other child (orphans) meanwhile; then take the terminal
 * back. Returns its wait status, or -1 when fork failed.
 */
static int run(const char *path, char *const argv[])
{
	pid_t pid = fork(), r;
	int st;

	if (pid < 0) {
		say("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(path, argv);
	setpgid(pid, pid);	/* also here: whichever of the two runs first */
	for (;;) {
		r = waitpid(-1, &st, 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			say("waitpid: %s", strerror(errno));
			st = -1;
			break;
		}
	}
	if (have_tty)
		tcsetpgrp(0, getpgrp());
	return st;
}

/* describe: how a job ended, for the log line. */
static const char *describe(int st)
{
	static char buf[48];

	if (st == -1)
		snprintf(buf, sizeof(buf), "could not be started");
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "was killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof(buf), "exited with status %d", WEXITSTATUS(st));
	return buf;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ll + t.tv_nsec / 1000000;
}

/* run_once: the "init PROGRAM ARG..." mode; returns the exit status for init. */
static int run_once(char **argv)
{
	int st;

	say("starting %s", argv[0]);
	st = run(argv[0], argv);
	say("%s %s", argv[0], describe(st));
	if (st == -1)
		return 127;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* run_shell_forever: /etc/rc once, then the interactive shell, again and again. */
static void run_shell_forever(void)
{
	char *rc_argv[] = { "sh", "/etc/rc", NULL };
	char *sh_argv[] = { "-sh", NULL };
	long long started;
	int st;

	if (access("/etc/rc", F_OK) == 0) {
		say("running /etc/rc");
		st = run("/bin/sh", rc_argv);
		if (st != 0)
			say("/etc/rc %s", describe(st));
	}
	for (;;) {
		say("starting /bin/sh");
		started = now_ms();
		st = run("/bin/sh", sh_argv);
		say("/bin/sh %s; starting it again", describe(st));
		/* A shell that cannot even start must not turn init into a busy loop. */
		if (now_ms() - started < 1000)
			sleep(1);
	}
}

int main(int argc, char **argv)
{
	setup_process();
	setup_console();
	if (argc > 1)
		return run_once(argv + 1);
	run_shell_forever();
}
