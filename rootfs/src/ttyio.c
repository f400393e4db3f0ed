// SPDX-License-Identifier: MIT
// Terminal ioctls: TCGETS/TCSETS round trips, window size, foreground group, job control, and ENOTTY off a terminal.
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <termios.h>
#include "checks.h"

/*
 * The terminal is stdin when it is one, else /dev/tty (the controlling
 * terminal), else, on a system that is not Linux, /dev/console: the
 * build machine's system console is not ours to change. With none of
 * them (Linux CI, stdin a pipe, no controlling terminal) the checks that
 * need a terminal say SKIP; the others still run.
 *
 * Changes are harmless ones (VTIME, which canonical mode ignores, and
 * ECHOCTL) and are undone at once. SIGTTOU is ignored: a test running in
 * a background process group (timeout(1) makes one) may still set the
 * terminal then, where otherwise it would be stopped.
 *
 * The ioctls are called raw, with the kernel's struct termios (36 bytes,
 * not libc's), so the layout itself is tested.
 */
struct kernel_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
#define K_VTIME 5

static int tty_fd = -1;
static const char *tty_name = "none";

/* open_tty: find the terminal to test (see above); tty_fd stays -1 when there is none. */
static void open_tty(void)
{
	if (isatty(0)) {
		tty_fd = 0;
		tty_name = "stdin";
		return;
	}
	tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	tty_name = "/dev/tty";
	if (tty_fd >= 0)
		return;
	if (on_kestrel()) {
		tty_fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
		tty_name = "/dev/console";
	}
}

#define NEED_TTY() \
	do { if (tty_fd < 0) return skip("no terminal (stdin is not one, no /dev/tty)"); } while (0)

static int same_termios(const struct kernel_termios *a, const struct kernel_termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
	       a->c_lflag == b->c_lflag && memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc)) == 0;
}

static int check_tcgets(void)
{
	struct kernel_termios t;
	struct stat st;

	NEED_TTY();
	if (want_eq("TCGETS", ioctl(tty_fd, TCGETS, &t), 0))
		return CHECK_FAIL;
	if (fstat(tty_fd, &st) != 0 || !S_ISCHR(st.st_mode))
		return fail("the terminal is not a character device");
	if ((t.c_cflag & CSIZE) != CS8 && (t.c_cflag & CSIZE) != CS7)
		return fail("c_cflag %#x has no sensible character size", t.c_cflag);
	errno = 0;
	if (want_err("TCGETS into 0x1", syscall(SYS_ioctl, tty_fd, TCGETS, (void *)1), EFAULT))
		return CHECK_FAIL;
	remark("%s: iflag %#x oflag %#x cflag %#x lflag %#x (%s, %s)", tty_name, t.c_iflag, t.c_oflag,
	       t.c_cflag, t.c_lflag, t.c_lflag & ICANON ? "canonical" : "raw",
	       t.c_lflag & ECHO ? "echo" : "no echo");
	return CHECK_OK;
}

/* set_get: set T with REQ, read it back into *back; 0 or fail(). */
static int set_get(unsigned long req, const char *name, const struct kernel_termios *t,
		   struct kernel_termios *back)
{
	if (want_eq(name, ioctl(tty_fd, req, t), 0))
		return CHECK_FAIL;
	if (want_eq("TCGETS", ioctl(tty_fd, TCGETS, back), 0))
		return CHECK_FAIL;
	return CHECK_OK;
}

static int check_tcsets_roundtrip(void)
{
	struct kernel_termios orig, t, back;
	int r;

	NEED_TTY();
	if (want_eq("TCGETS", ioctl(tty_fd, TCGETS, &orig), 0))
		return CHECK_FAIL;
	t = orig;
	t.c_cc[K_VTIME] = (uint8_t)(orig.c_cc[K_VTIME] + 7);
	t.c_lflag ^= ECHOCTL;
	r = set_get(TCSETS, "TCSETS", &t, &back);
	if (!r && !same_termios(&t, &back))
		r = fail("TCGETS after TCSETS: VTIME %u lflag %#x, want %u %#x", back.c_cc[K_VTIME],
			 back.c_lflag, t.c_cc[K_VTIME], t.c_lflag);
	/* The draining and flushing variants tcsetattr(TCSADRAIN/TCSAFLUSH) use. */
	if (!r)
		r = set_get(TCSETSW, "TCSETSW", &orig, &back);
	if (!r && !same_termios(&orig, &back))
		r = fail("TCGETS after TCSETSW back to the original differs");
	if (!r)
		r = set_get(TCSETSF, "TCSETSF", &orig, &back);
	if (!r && !same_termios(&orig, &back))
		r = fail("TCGETS after TCSETSF differs");
	ioctl(tty_fd, TCSETS, &orig);
	errno = 0;
	if (!r)
		r = want_err("TCSETS from 0x1", syscall(SYS_ioctl, tty_fd, TCSETS, (void *)1), EFAULT);
	return r;
}

/* libc's view: tcgetattr/tcsetattr and cfmakeraw-style changes, undone at once. */
static int check_libc_termios(void)
{
	struct termios orig, t, back;
	int r;

	NEED_TTY();
	if (want_eq("tcgetattr", tcgetattr(tty_fd, &orig), 0))
		return CHECK_FAIL;
	t = orig;
	t.c_cc[VTIME] = (cc_t)(orig.c_cc[VTIME] + 3);
	r = want_eq("tcsetattr(TCSANOW)", tcsetattr(tty_fd, TCSANOW, &t), 0);
	if (!r)
		r = want_eq("tcgetattr", tcgetattr(tty_fd, &back), 0);
	if (!r && back.c_cc[VTIME] != t.c_cc[VTIME])
		r = fail("VTIME read back %u, want %u", back.c_cc[VTIME], t.c_cc[VTIME]);
	tcsetattr(tty_fd, TCSANOW, &orig);
	if (!r && cfgetospeed(&orig) == 0)
		remark("output speed B0 (a virtual terminal)");
	return r;
}

static int check_winsize(void)
{
	struct winsize ws, back;

	NEED_TTY();
	if (want_eq("TIOCGWINSZ", ioctl(tty_fd, TIOCGWINSZ, &ws), 0))
		return CHECK_FAIL;
	/* Setting the same size back changes nothing (and sends no SIGWINCH). */
	if (want_eq("TIOCSWINSZ (same size)", ioctl(tty_fd, TIOCSWINSZ, &ws), 0))
		return CHECK_FAIL;
	if (ioctl(tty_fd, TIOCGWINSZ, &back) != 0 || back.ws_row != ws.ws_row || back.ws_col != ws.ws_col)
		return fail("the size changed after setting it to itself");
	errno = 0;
	if (want_err("TIOCGWINSZ into 0x1", syscall(SYS_ioctl, tty_fd, TIOCGWINSZ, (void *)1), EFAULT))
		return CHECK_FAIL;
	remark("%ux%u", ws.ws_col, ws.ws_row);
	return CHECK_OK;
}

/* On our controlling terminal: its session is ours and it has a foreground group. */
static int check_pgrp(void)
{
	pid_t fg = -1, sid = -1;

	NEED_TTY();
	if (ioctl(tty_fd, TIOCGSID, &sid) != 0 || sid != getsid(0))
		return skip("%s is not our controlling terminal", tty_name);
	if (want_eq("TIOCGPGRP", ioctl(tty_fd, TIOCGPGRP, &fg), 0))
		return CHECK_FAIL;
	if (fg <= 0)
		return fail("the foreground group is %d", (int)fg);
	if (tcgetpgrp(tty_fd) != fg)
		return fail("tcgetpgrp %d is not TIOCGPGRP %d", (int)tcgetpgrp(tty_fd), (int)fg);
	remark("session %d, foreground group %d%s", (int)sid, (int)fg,
	       fg == getpgrp() ? " (ours)" : "");
	return CHECK_OK;
}

/* Not a terminal: isatty is false with ENOTTY, on a pipe and on a file; EBADF on a closed fd. */
static int check_not_a_tty(void)
{
	struct kernel_termios t;
	struct winsize ws;
	int p[2], fd, r;

	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	errno = 0;
	r = isatty(p[0]) ? fail("isatty of a pipe is true") : errno != ENOTTY ?
		fail("isatty of a pipe left errno %s, want ENOTTY", errname(errno)) : CHECK_OK;
	errno = 0;
	if (!r)
		r = want_err("TCGETS on a pipe", ioctl(p[1], TCGETS, &t), ENOTTY);
	close(p[0]);
	close(p[1]);
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		fd = open("/", O_RDONLY);
	errno = 0;
	if (!r)
		r = want_err("TIOCGWINSZ on a file", ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	close(fd);
	errno = 0;
	if (!r)
		r = want_err("TCGETS on a closed fd", ioctl(4321, TCGETS, &t), EBADF);
	return r;
}

/* Without a controlling terminal (after setsid), opening /dev/tty fails with ENXIO. */
static int check_dev_tty_noctty(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setsid() < 0)
			_exit(2);
		int fd = open("/dev/tty", O_RDWR);
		_exit(fd < 0 && errno == ENXIO ? 0 : fd < 0 && errno == ENOENT ? 3 : 1);
	}
	return want_exit("the new session's open(/dev/tty) (1: it opened or another error, "
			 "3: no /dev/tty)", pid, 0);
}

/*
 * bg_child: fork a child in a process group of its own (a background job
 * on our terminal) that sets SIG (SIGTTIN or SIGTTOU) to DISPOSITION and
 * then runs ACTION on the terminal; it exits 0 if the call succeeded, 5
 * on EIO, 1 otherwise. Returns the child's pid.
 */
static pid_t bg_child(int sig, void (*disposition)(int), int action)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct termios t;
		char c;
		long r;

		setpgid(0, 0);
		signal(sig, disposition);
		if (action == 'r') {
			r = read(tty_fd, &c, 1);
		} else {
			tcgetattr(tty_fd, &t);
			r = tcsetattr(tty_fd, TCSANOW, &t);
		}
		_exit(r >= 0 ? 0 : errno == EIO ? 5 : 1);
	}
	if (pid > 0)
		setpgid(pid, pid); /* also here: no race with the checks that follow */
	return pid;
}

/* want_stopped: child PID must stop with SIG (within 5 s); it is killed and reaped either way. */
static int want_stopped(const char *what, pid_t pid, int sig)
{
	long long deadline = now_ms() + 5000;
	int st = 0, r = CHECK_FAIL;
	pid_t w;

	if (pid < 0)
		return fail("fork: %s", errname(errno));
	while ((w = waitpid(pid, &st, WUNTRACED | WNOHANG)) == 0 && now_ms() < deadline)
		ms_sleep(5);
	if (w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == sig)
		r = CHECK_OK;
	else if (w == pid)
		r = fail("%s: status %#x, want stopped by signal %d", what, st, sig);
	else
		r = fail("%s: not stopped after 5 s", what);
	kill(pid, SIGKILL);
	if (!(w == pid && !WIFSTOPPED(st)))
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	return r;
}

/*
 * Job control: a background process group of our terminal's session is
 * stopped by SIGTTIN when it reads the terminal and by SIGTTOU when it
 * changes its settings; ignoring SIGTTIN turns the read into EIO,
 * ignoring SIGTTOU lets the change through.
 */
static int check_background_job(void)
{
	pid_t sid = -1;
	int r;

	NEED_TTY();
	if (ioctl(tty_fd, TIOCGSID, &sid) != 0 || sid != getsid(0))
		return skip("%s is not our controlling terminal", tty_name);
	if (tcgetpgrp(tty_fd) != getpgrp())
		return skip("we are not the terminal's foreground group");
	if ((r = want_stopped("a background read", bg_child(SIGTTIN, SIG_DFL, 'r'), SIGTTIN)))
		return r;
	if ((r = want_stopped("a background tcsetattr", bg_child(SIGTTOU, SIG_DFL, 's'), SIGTTOU)))
		return r;
	if ((r = want_exit("a background read ignoring SIGTTIN (0: it read, 1: not EIO)",
			   bg_child(SIGTTIN, SIG_IGN, 'r'), 5)))
		return r;
	return want_exit("a background tcsetattr ignoring SIGTTOU (1: it failed)",
			 bg_child(SIGTTOU, SIG_IGN, 's'), 0);
}

static const struct check checks[] = {
	{ "tcgets", check_tcgets },
	{ "tcsets-roundtrip", check_tcsets_roundtrip },
	{ "libc-termios", check_libc_termios },
	{ "winsize", check_winsize },
	{ "pgrp", check_pgrp },
	{ "not-a-tty", check_not_a_tty },
	{ "dev-tty-noctty", check_dev_tty_noctty },
	{ "background-job", check_background_job },
};

int main(int argc, char **argv)
{
	signal(SIGTTOU, SIG_IGN);
	open_tty();
	return run_checks("ttyio", checks, NELEMS(checks), argc, argv);
}
