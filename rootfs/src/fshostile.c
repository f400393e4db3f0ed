// SPDX-License-Identifier: MIT
/*
 * t-fshostile: file-system calls as a hostile program makes them, each of
 * which once crashed, froze or leaked from Kestrel (issue 9):
 *   symloop        open(O_CREAT) through a chain of dangling symlinks: 40 links
 *                  work (the last target is created), 41 give ELOOP; never a
 *                  kernel stack overflow
 *   deepdirs       a chain of 1000 removed directories, freed when the last
 *                  reference (the cwd) goes: no recursion as deep as the chain
 *   sendfile-huge  sendfile(/dev/null <- /dev/zero, 2^62) in a loop: the other
 *                  processes still run and SIGKILL ends it at once
 *   console-flood  one 1 MiB write of newlines to the terminal: the same
 *   pipe-readlink  /proc/self/fd/N of a pipe reads "pipe:[INODE]", st_ino's
 *                  number, the same for both ends, never a kernel address
 *   nofile         RLIMIT_NOFILE 64: exactly 64 descriptors, then EMFILE from
 *                  open, dup, pipe; dup2 beyond it EBADF, F_DUPFD EINVAL; with
 *                  1500, the table grows past its first size and select, poll
 *                  and /proc/self/fd see the high descriptors
 *   fulltmp        writing until ENOSPC into a RAM file system (Kestrel: /tmp,
 *                  half of RAM; Linux: a 4 MiB tmpfs in a private mount
 *                  namespace, skipped when that cannot be made), nothing else
 *                  lost, and the space back after unlink
 *   append-race    four threads append 64 KiB blocks to one O_APPEND file:
 *                  no block lands on another (a write that gives up the CPU
 *                  mid-copy must still own its place at the end)
 * Usage: t-fshostile [CHECK...].
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include "checks.h"

#define SCRATCH        "/tmp/t-fshostile"
#define LINKS_OK       40        /* Linux's MAXSYMLINKS: this many links are followed */
#define DEEP_DIRS      1000
#define RUN_MS         200       /* how long the hostile child runs before the kill */
#define CPU_BACK_MS    1500      /* the parent's sleep of RUN_MS must end by then */
#define DIE_MS         2000      /* the killed child must be reaped by then */
#define FLOOD_BYTES    (1 << 20)
#define NOFILE_SMALL   64
#define NOFILE_BIG     1500
#define FILL_CHUNK     (1 << 20)
#define LINUX_TMPFS_SIZE "size=4m"

/* ---------------------------------------------------------------- symloop */

/* Make dir/l0 -> l1 -> ... -> l(n-1) -> ln, ln missing. */
static int make_chain(const char *dir, int n)
{
	char from[64], to[32];

	if (mkdir(dir, 0755) != 0)
		return fail("mkdir %s: %s", dir, errname(errno));
	for (int i = 0; i < n; i++) {
		snprintf(from, sizeof(from), "%s/l%d", dir, i);
		snprintf(to, sizeof(to), "l%d", i + 1);
		if (symlink(to, from) != 0)
			return fail("symlink %s: %s", from, errname(errno));
	}
	return CHECK_OK;
}

static int check_chain(const char *dir, int n, int want_err_no)
{
	char path[64], last[64];
	struct stat st;

	if (make_chain(dir, n) != CHECK_OK)
		return CHECK_FAIL;
	snprintf(path, sizeof(path), "%s/l0", dir);
	snprintf(last, sizeof(last), "%s/l%d", dir, n);
	errno = 0;
	if (stat(path, &st) != -1 || errno != (want_err_no ? want_err_no : ENOENT))
		return fail("stat through %d dangling links: %s, want %s", n, errname(errno),
			    errname(want_err_no ? want_err_no : ENOENT));
	errno = 0;
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (want_err_no) {
		if (fd >= 0)
			close(fd);
		if (fd != -1 || errno != want_err_no)
			return fail("open(O_CREAT) through %d links: %d/%s, want -1/%s", n, fd,
				    errname(errno), errname(want_err_no));
		if (lstat(last, &st) == 0)
			return fail("open(O_CREAT) through %d links made %s all the same", n, last);
		return CHECK_OK;
	}
	if (fd < 0)
		return fail("open(O_CREAT) through %d links: %s", n, errname(errno));
	close(fd);
	if (lstat(last, &st) != 0 || !S_ISREG(st.st_mode))
		return fail("open(O_CREAT) through %d links did not create %s", n, last);
	return CHECK_OK;
}

static int t_symloop(void)
{
	int r;

	rm_tree(SCRATCH);
	if (mkdir(SCRATCH, 0755) != 0)
		return fail("mkdir " SCRATCH ": %s", errname(errno));
	r = check_chain(SCRATCH "/ok", LINKS_OK, 0);
	if (r == CHECK_OK)
		r = check_chain(SCRATCH "/ok39", LINKS_OK - 1, 0);
	if (r == CHECK_OK)
		r = check_chain(SCRATCH "/loop", LINKS_OK + 1, ELOOP);
	/* a link to itself, the other classic */
	if (r == CHECK_OK && symlink("self", SCRATCH "/self") != 0)
		r = fail("symlink self: %s", errname(errno));
	if (r == CHECK_OK) {
		errno = 0;
		int fd = open(SCRATCH "/self", O_CREAT | O_WRONLY, 0644);
		if (fd >= 0)
			close(fd);
		r = want_err("open(O_CREAT) of a link to itself", fd, ELOOP);
	}
	rm_tree(SCRATCH);
	return r;
}

/* ---------------------------------------------------------------- deepdirs */

/* The child: build SCRATCH/d/d/.../d (DEEP_DIRS), stay in the deepest,
 * remove the chain from the bottom up, and exit (dropping the cwd). */
static int deep_child(void)
{
	char path[DEEP_DIRS * 2 + 64];
	size_t n = strlen(SCRATCH);

	if (chdir(SCRATCH) != 0)
		return 2;
	for (int i = 0; i < DEEP_DIRS; i++)
		if (mkdir("d", 0755) != 0 || chdir("d") != 0)
			return 3;
	memcpy(path, SCRATCH, n);
	for (int i = 0; i < DEEP_DIRS; i++) {
		memcpy(path + n + 2 * (size_t)i, "/d", 2);
	}
	for (int depth = DEEP_DIRS; depth > 0; depth--) {
		path[n + 2 * (size_t)depth] = '\0';
		if (rmdir(path) != 0)
			return 4;
	}
	return 0;
}

static int t_deepdirs(void)
{
	rm_tree(SCRATCH);
	if (mkdir(SCRATCH, 0755) != 0)
		return fail("mkdir " SCRATCH ": %s", errname(errno));
	pid_t pid = fork();
	if (pid == 0)
		_exit(deep_child());
	int r = want_exit("the child that removed 1000 nested directories under its cwd", pid, 0);
	rm_tree(SCRATCH);
	return r;
}

/* ---------------------------------------------------------------- hostile children */

/*
 * Start child() (which should run until killed), sleep RUN_MS, which must
 * end within CPU_BACK_MS (the child must not hold the CPU), then SIGKILL
 * it: it must be gone within DIE_MS.
 */
static int run_and_kill(const char *what, void (*child)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == -1)
		return fail("fork: %s", errname(errno));
	if (pid == 0) {
		child();
		_exit(0);
	}
	long long t0 = now_ms();
	ms_sleep(RUN_MS);
	long long slept = now_ms() - t0;
	long long k0 = now_ms();
	kill(pid, SIGKILL);
	if (wait_child(pid, DIE_MS, &st) != CHECK_OK)
		return fail("%s: SIGKILL did not end it within %d ms", what, DIE_MS);
	long long died = now_ms() - k0;
	if (slept > CPU_BACK_MS)
		return fail("%s: a %d ms sleep took %lld ms: the child held the CPU", what, RUN_MS,
			    slept);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		return fail("%s: child status %#x, want killed by SIGKILL (it ended by itself?)",
			    what, st);
	remark("sleep %lld ms, killed in %lld ms", slept, died);
	return CHECK_OK;
}

static void sendfile_child(void)
{
	int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);

	if (in < 0 || out < 0)
		_exit(2);
	for (;;)
		if (sendfile(out, in, NULL, (size_t)1 << 62) <= 0)
			_exit(3);
}

static int t_sendfile_huge(void)
{
	return run_and_kill("sendfile(/dev/null <- /dev/zero, 2^62)", sendfile_child);
}

static void flood_child(void)
{
	static char nl[FLOOD_BYTES];

	memset(nl, '\n', sizeof(nl));
	for (;;)
		if (write(1, nl, sizeof(nl)) <= 0)
			_exit(3);
}

static int t_console_flood(void)
{
	/* Kestrel's programs write to the console TTY; on Linux stdout is a file
	 * (the list runner's), and the host's own terminals are not for flooding. */
	if (!isatty(1))
		return skip("stdout is not a terminal here");
	return run_and_kill("1 MiB writes of newlines to the terminal", flood_child);
}

/* ---------------------------------------------------------------- pipe-readlink */

/* The inode number /proc/self/fd/fd shows for a pipe end, or -1. */
static long long pipe_link_ino(int fd)
{
	char path[64], buf[128];
	unsigned long long ino;
	char tail;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		fail("readlink %s: %s", path, errname(errno));
		return -1;
	}
	buf[n] = '\0';
	if (sscanf(buf, "pipe:[%llu%c", &ino, &tail) != 2 || tail != ']' ||
	    buf[strlen(buf) - 1] != ']') {
		fail("readlink %s: \"%s\", want \"pipe:[INODE]\"", path, buf);
		return -1;
	}
	return (long long)ino;
}

static int t_pipe_readlink(void)
{
	int p[2], r = CHECK_OK;
	struct stat st;

	if (pipe(p) != 0)
		return fail("pipe: %s", errname(errno));
	long long rd = pipe_link_ino(p[0]), wr = rd < 0 ? -1 : pipe_link_ino(p[1]);
	if (rd < 0 || wr < 0)
		r = CHECK_FAIL;
	else if (fstat(p[0], &st) != 0)
		r = fail("fstat: %s", errname(errno));
	else if (rd != wr)
		r = fail("the two ends show pipe:[%lld] and pipe:[%lld]", rd, wr);
	else if ((unsigned long long)rd != (unsigned long long)st.st_ino)
		r = fail("pipe:[%lld] but st_ino %llu", rd, (unsigned long long)st.st_ino);
	else if (rd > UINT32_MAX)
		r = fail("pipe:[%lld]: not an inode number (a kernel address?)", rd);
	else
		remark("pipe:[%lld]", rd);
	close(p[0]);
	close(p[1]);
	return r;
}

/* ---------------------------------------------------------------- nofile */

/* Descriptors open below limit. */
static int count_fds(int limit)
{
	int n = 0;

	for (int fd = 0; fd < limit; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/* Open /dev/null until it fails: the error, with the count opened. */
static int fill_table(int *opened)
{
	*opened = 0;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			return errno;
		(*opened)++;
	}
}

/* The child with RLIMIT_NOFILE 64: 0 or a line of why on stdout and 1. */
static int nofile_small(void)
{
	struct rlimit rl = { NOFILE_SMALL, NOFILE_SMALL };
	int opened, p[2];

	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return fail("setrlimit(NOFILE, 64): %s", errname(errno));
	int e = fill_table(&opened);
	if (e != EMFILE)
		return fail("open until failure: %s after %d, want EMFILE", errname(e), opened);
	int n = count_fds(NOFILE_SMALL); /* inherited ones above the limit do not count */
	if (n != NOFILE_SMALL)
		return fail("%d descriptors open at EMFILE, want %d", n, NOFILE_SMALL);
	errno = 0;
	if (want_err("dup at the limit", dup(0), EMFILE) ||
	    want_err("pipe at the limit", pipe(p), EMFILE) ||
	    want_err("dup2(0, 64) with limit 64", dup2(0, NOFILE_SMALL), EBADF) ||
	    want_err("fcntl(F_DUPFD, 64) with limit 64", fcntl(0, F_DUPFD, NOFILE_SMALL), EINVAL))
		return CHECK_FAIL;
	if (want_eq("dup2(0, 63) with limit 64", dup2(0, NOFILE_SMALL - 1), NOFILE_SMALL - 1))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* The child with RLIMIT_NOFILE 1500: the table grows; select and poll see fd 1499. */
static int nofile_big(void)
{
	struct rlimit rl = { NOFILE_BIG, NOFILE_BIG };
	int opened, p[2];
	char link[64], buf[64];

	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return fail("setrlimit(NOFILE, 1500): %s", errname(errno));
	if (pipe(p) != 0 || write(p[1], "x", 1) != 1)
		return fail("pipe: %s", errname(errno));
	int hi = NOFILE_BIG - 1;
	if (want_eq("dup2(pipe, 1499)", dup2(p[0], hi), hi))
		return CHECK_FAIL;
	int e = fill_table(&opened);
	if (e != EMFILE || count_fds(NOFILE_BIG) != NOFILE_BIG)
		return fail("open until failure: %s with %d open, want EMFILE with %d", errname(e),
			    count_fds(4096), NOFILE_BIG);
	struct pollfd pf = { hi, POLLIN, 0 };
	if (poll(&pf, 1, 0) != 1 || !(pf.revents & POLLIN))
		return fail("poll of fd 1499 (a pipe with data): revents %#x", pf.revents);
	static uint64_t set[NOFILE_BIG / 64 + 1];
	set[hi / 64] = 1ull << (hi % 64);
	struct timeval tv = { 0, 0 };
	int r = select(hi + 1, (fd_set *)set, NULL, NULL, &tv);
	if (r != 1 || !(set[hi / 64] >> (hi % 64) & 1))
		return fail("select of fd 1499 (a pipe with data): %d", r);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", hi);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 5 || memcmp(buf, "pipe:", 5) != 0)
		return fail("readlink %s: %zd/%s", link, n, n < 0 ? errname(errno) : "not a pipe");
	return CHECK_OK;
}

/* Run fn in a child (its limits and descriptors stay there); its failure line is its own. */
static int in_child(const char *what, int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		int r = fn();
		if (r == CHECK_FAIL)
			t_say("%s: FAIL %s", what, c_why);
		_exit(r == CHECK_FAIL ? 1 : 0);
	}
	return want_exit(what, pid, 0);
}

static int t_nofile(void)
{
	int r = in_child("nofile-64", nofile_small);
	return r == CHECK_OK ? in_child("nofile-1500", nofile_big) : r;
}

/* ---------------------------------------------------------------- fulltmp */

/* On Linux: a small tmpfs of our own at dir, in a private mount
 * namespace. 1 made, 0 cannot here (why in c_why), -1 failed. */
static int linux_tmpfs(const char *dir)
{
	if (unshare(CLONE_NEWNS) != 0) {
		skip("unshare(CLONE_NEWNS): %s (not root?)", errname(errno));
		return 0;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		skip("making the mounts private: %s", errname(errno));
		return 0;
	}
	if (mount("tmpfs", dir, "tmpfs", 0, LINUX_TMPFS_SIZE) != 0) {
		skip("mount tmpfs: %s", errname(errno));
		return 0;
	}
	return 1;
}

static char chunk[FILL_CHUNK];

/* Write FILL_CHUNK pieces to path until ENOSPC: bytes written, or -1 (c_why). */
static long long fill_file(const char *path)
{
	long long total = 0;
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd < 0) {
		fail("create %s: %s", path, errname(errno));
		return -1;
	}
	memset(chunk, 'z', sizeof(chunk));
	for (;;) {
		ssize_t n = write(fd, chunk, sizeof(chunk));
		if (n > 0) {
			total += n;
			continue;
		}
		if (n == 0 || errno != ENOSPC) {
			fail("write after %lld bytes: %zd/%s, want ENOSPC", total, n, errname(errno));
			total = -1;
		}
		break;
	}
	close(fd);
	return total;
}

static int fulltmp_in(const char *dir)
{
	char big[128], keep[128], more[128], back[16] = { 0 };
	struct statfs before, full, after;

	snprintf(big, sizeof(big), "%s/fill", dir);
	snprintf(keep, sizeof(keep), "%s/keep", dir);
	snprintf(more, sizeof(more), "%s/more", dir);
	int fd = open(keep, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "precious", 8) != 8 || close(fd) != 0)
		return fail("write %s: %s", keep, errname(errno));
	if (statfs(dir, &before) != 0)
		return fail("statfs %s: %s", dir, errname(errno));
	if (before.f_blocks == 0 || before.f_bavail == 0)
		return fail("statfs %s: %llu blocks, %llu free: no size reported", dir,
			    (unsigned long long)before.f_blocks, (unsigned long long)before.f_bavail);
	long long filled = fill_file(big);
	if (filled < 0)
		return CHECK_FAIL;
	if (statfs(dir, &full) != 0)
		return fail("statfs when full: %s", errname(errno));
	if ((unsigned long long)full.f_bavail * full.f_bsize >= FILL_CHUNK)
		return fail("full, yet statfs says %llu blocks free",
			    (unsigned long long)full.f_bavail);
	errno = 0;
	fd = open(more, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0) {
		ssize_t n = write(fd, chunk, 8192);
		close(fd);
		unlink(more);
		if (n == 8192)
			return fail("a write of 8 KiB succeeded in a full file system");
	}
	fd = open(keep, O_RDONLY);
	if (fd < 0 || read(fd, back, sizeof(back)) != 8 || memcmp(back, "precious", 8) != 0)
		return fail("%s changed while the file system was full", keep);
	close(fd);
	if (unlink(big) != 0)
		return fail("unlink %s: %s", big, errname(errno));
	if (statfs(dir, &after) != 0)
		return fail("statfs after unlink: %s", errname(errno));
	if (after.f_bavail + after.f_blocks / 100 + 1 < before.f_bavail)
		return fail("after unlink %llu blocks free, before %llu: space lost",
			    (unsigned long long)after.f_bavail, (unsigned long long)before.f_bavail);
	long long again = fill_file(big);
	unlink(big);
	unlink(keep);
	if (again < 0)
		return CHECK_FAIL;
	if (again + FILL_CHUNK < filled)
		return fail("the second fill wrote %lld bytes, the first %lld", again, filled);
	remark("%lld MiB until ENOSPC, %llu of %llu blocks free before", filled >> 20,
	       (unsigned long long)before.f_bavail, (unsigned long long)before.f_blocks);
	return CHECK_OK;
}

/* Kestrel has no mount(2): its /tmp is the root RAM file system, limited
 * to half of RAM. Linux's /tmp may be a disk: fill a small tmpfs instead. */
static int t_fulltmp(void)
{
	rm_tree(SCRATCH);
	if (mkdir(SCRATCH, 0755) != 0)
		return fail("mkdir " SCRATCH ": %s", errname(errno));
	int own = 0;
	struct statfs sf;
	if (statfs(SCRATCH, &sf) == 0 && sf.f_type != 0x858458f6 /* Kestrel's ramfs */) {
		own = linux_tmpfs(SCRATCH);
		if (own == 0) {
			rmdir(SCRATCH);
			return CHECK_SKIP;
		}
	}
	int r = fulltmp_in(SCRATCH);
	if (own)
		umount2(SCRATCH, MNT_DETACH);
	rm_tree(SCRATCH);
	return r;
}

#define APPEND_THREADS 4
#define APPEND_WRITES  48
#define APPEND_BLOCK   (64 * 1024)

struct appender {
	int fd;
	char fill;
	int short_or_err;
};

/* One thread's appends: APPEND_WRITES blocks of its own byte. */
static void *append_blocks(void *arg)
{
	struct appender *a = arg;
	static char bufs[APPEND_THREADS][APPEND_BLOCK];
	char *buf = bufs[a->fill - 'a'];

	memset(buf, a->fill, APPEND_BLOCK);
	for (int i = 0; i < APPEND_WRITES; i++)
		if (write(a->fd, buf, APPEND_BLOCK) != APPEND_BLOCK)
			a->short_or_err++;
	return NULL;
}

/* Every block of the file is one writer's byte throughout. */
static int blocks_whole(int fd, long long *bad_at)
{
	static char blk[APPEND_BLOCK];

	for (long long off = 0;; off += APPEND_BLOCK) {
		ssize_t n = pread(fd, blk, APPEND_BLOCK, off);
		if (n == 0)
			return 1;
		int whole = n == APPEND_BLOCK && blk[0] >= 'a' && blk[0] < 'a' + APPEND_THREADS;
		for (ssize_t i = 1; whole && i < n; i++)
			whole = blk[i] == blk[0];
		if (!whole) {
			*bad_at = off;
			return 0;
		}
	}
}

static int t_append_race(void)
{
	char path[128];
	pthread_t th[APPEND_THREADS];
	struct appender a[APPEND_THREADS];
	struct stat st;
	long long bad_at = -1;
	int r = CHECK_OK;

	mkdir(SCRATCH, 0755);
	snprintf(path, sizeof(path), "%s/append", SCRATCH);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
	int rfd = open(path, O_RDONLY);
	if (fd < 0 || rfd < 0)
		return fail("open %s: %s", path, errname(errno));
	for (int i = 0; i < APPEND_THREADS; i++) {
		a[i] = (struct appender){ fd, (char)('a' + i), 0 };
		if (pthread_create(&th[i], NULL, append_blocks, &a[i]))
			return fail("pthread_create: %s", errname(errno));
	}
	for (int i = 0; i < APPEND_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (a[i].short_or_err)
			r = fail("thread %d: %d short or failed writes", i, a[i].short_or_err);
	}
	if (r == CHECK_OK && fstat(rfd, &st) == 0 &&
	    st.st_size != (off_t)APPEND_THREADS * APPEND_WRITES * APPEND_BLOCK)
		r = fail("size %lld, want %lld: appends overlapped", (long long)st.st_size,
			 (long long)APPEND_THREADS * APPEND_WRITES * APPEND_BLOCK);
	if (r == CHECK_OK && !blocks_whole(rfd, &bad_at))
		r = fail("the block at %lld mixes writers or is short", bad_at);
	close(fd);
	close(rfd);
	unlink(path);
	rmdir(SCRATCH);
	return r;
}

static const struct check checks[] = {
	{ "symloop", t_symloop },
	{ "deepdirs", t_deepdirs },
	{ "sendfile-huge", t_sendfile_huge },
	{ "console-flood", t_console_flood },
	{ "pipe-readlink", t_pipe_readlink },
	{ "nofile", t_nofile },
	{ "fulltmp", t_fulltmp },
	{ "append-race", t_append_race },
};

int main(int argc, char **argv)
{
	return run_checks("fshostile", checks, NELEMS(checks), argc, argv);
}
