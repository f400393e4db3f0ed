// SPDX-License-Identifier: MIT
// scale: will-it-scale style pairs: N worker processes each doing KIND on their own; ops per second.
#include "smp.h"	/* first: it defines _GNU_SOURCE */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/*
 * bench-scale KIND MS N: N worker processes (one per CPU when tools/bench.py
 * runs it) each do KIND in a loop, every worker on its own file, memory or
 * partner, as will-it-scale's tests do; the figure is the operations of all
 * workers together per second, `bench scale_KIND VALUE ops/s`. The same
 * program at -smp 1 with N = 1 and at -smp 2 with N = 2 gives the 2-CPU /
 * 1-CPU throughput ratio: 2.0 when the kernel lets the workers run at once.
 *
 * Fixed time, not a fixed number of iterations: the operations cost 3 us to
 * 2.5 ms under TCG depending on the KIND and the kernel (Linux's fork + exec
 * is eight times Kestrel's), so a fixed count would need sizing per kernel to
 * stay inside bench-run's time limit and make bench's few seconds a KIND,
 * while a fixed time costs the same everywhere. And as in will-it-scale,
 * the window opens after a warm-up and both edges are read from the
 * workers' running counters, so a worker that starts late or finishes
 * early cannot stretch or shrink the measured time. The workers warm up
 * (fork, set up, MS / 4 of work), then MS milliseconds are measured.
 *
 * KINDs, one operation each:
 *   fork_exec    fork + execve /bin/bench-true + wait4
 *   page_fault   the first write to a page of a private anonymous 1 MiB
 *                mapping (MADV_NOHUGEPAGE), which is then unmapped; per page
 *   open_close   open + close of the worker's own file
 *   pipe         a one-byte round trip to the worker's own child over two pipes
 *   mmap_munmap  mmap + munmap of 128 MiB of private anonymous memory, untouched
 *   futex        a round trip between the worker's two threads: FUTEX_WAKE,
 *                FUTEX_WAIT on a private word (as musl's mutexes and
 *                condition variables)
 *   stat         stat of the worker's own file
 *   tcp          a one-byte round trip to the worker's own child over a TCP
 *                connection of their own on 127.0.0.1 (TCP_NODELAY)
 *   unix         a one-byte round trip to the worker's own child over an
 *                AF_UNIX stream socketpair
 *
 * When the kernel has /proc/klock_stat (Kestrel), the kernel lock's
 * statistics count during the window alone (kernel.lock_stat = 1 zeroes
 * them, 0 stops them) and the file comes before the figure, on lines
 * `klock scale_KIND | ...` after a `klock scale_KIND window_us W cpus C`
 * line: tools/bench.py turns them into the share of CPU time spent waiting
 * for the lock. Per-worker counts are on a note line `scale_KIND: ...`.
 */
#define MAX_WORKERS	64
#define DIR_PATH	"/bench-scale"
#define PF_REGION	(1UL << 20)
#define MMAP_REGION	(128UL << 20)
#define PAGE		4096UL

/* From <linux/futex.h>, which musl's toolchain does not ship. */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_PRIVATE_FLAG	128

/* Shared by the parent and every worker (MAP_SHARED): each counter on its own cache line. */
struct shared {
	volatile int stop;				/* the parent: the window is over */
	struct {
		volatile unsigned long ops;		/* written by its worker only */
	} __attribute__((aligned(64))) w[MAX_WORKERS];
};
static struct shared *sh;

/* Why a worker failed: its exit status indexes this table. */
enum { WX_OK, WX_FORK, WX_WAIT, WX_CHILD, WX_MMAP, WX_MUNMAP, WX_OPEN, WX_CLOSE, WX_STAT, WX_PIPE,
       WX_IO, WX_FUTEX, WX_THREAD, WX_READY, WX_SOCKET, WX_NSTATUS };
static const char *const w_why[WX_NSTATUS] = {
	[WX_FORK] = "fork", [WX_WAIT] = "wait4", [WX_CHILD] = "a child exited badly",
	[WX_MMAP] = "mmap", [WX_MUNMAP] = "munmap", [WX_OPEN] = "open", [WX_CLOSE] = "close",
	[WX_STAT] = "stat", [WX_PIPE] = "pipe", [WX_IO] = "pipe read or write",
	[WX_FUTEX] = "futex", [WX_THREAD] = "pthread_create or join", [WX_READY] = "write ready pipe",
	[WX_SOCKET] = "socket, bind, listen, connect or accept",
};

static int stopped(void)
{
	return sh->stop;
}

static void done(long id, unsigned long n)
{
	sh->w[id].ops += n;
}

/* The worker's own file (open_close, stat). */
static void own_path(char *buf, size_t size, long id)
{
	snprintf(buf, size, DIR_PATH "/worker-%ld", id);
}

/* reap: wait4 pid; the exit status if it exited, WX_CHILD if it did not. */
static int reap(pid_t pid)
{
	int ws;

	while (wait4(pid, &ws, 0, NULL) < 0)
		if (errno != EINTR)
			return WX_WAIT;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : WX_CHILD;
}

static void fork_exec(long id)
{
	static char *const child_argv[] = { "bench-true", NULL };
	char *const envp[] = { "PATH=/bin", NULL };

	while (!stopped()) {
		pid_t pid = fork();
		if (pid < 0)
			_exit(WX_FORK);
		if (pid == 0) {
			execve("/bin/bench-true", child_argv, envp);
			_exit(127);
		}
		int st = reap(pid);
		if (st != 0)
			_exit(st == WX_WAIT ? WX_WAIT : WX_CHILD);
		done(id, 1);
	}
}

/* Linux would back the region with transparent huge pages (Debian's default
 * is "always"): MADV_NOHUGEPAGE asks for the 4 KiB faults both kernels take.
 * A kernel without madvise is fine. */
static void page_fault(long id)
{
	while (!stopped()) {
		volatile char *p = mmap(NULL, PF_REGION, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(WX_MMAP);
		(void)madvise((void *)p, PF_REGION, MADV_NOHUGEPAGE);
		for (unsigned long off = 0; off < PF_REGION; off += PAGE) {
			p[off] = 1;
			done(id, 1);
		}
		if (munmap((void *)p, PF_REGION) != 0)
			_exit(WX_MUNMAP);
	}
}

static void open_close(long id)
{
	char path[64];

	own_path(path, sizeof(path), id);
	while (!stopped()) {
		int fd = open(path, O_RDWR);
		if (fd < 0)
			_exit(WX_OPEN);
		if (close(fd) != 0)
			_exit(WX_CLOSE);
		done(id, 1);
	}
}

static void stat_path(long id)
{
	char path[64];
	struct stat st;

	own_path(path, sizeof(path), id);
	while (!stopped()) {
		if (stat(path, &st) != 0)
			_exit(WX_STAT);
		done(id, 1);
	}
}

static void mmap_munmap(long id)
{
	while (!stopped()) {
		void *p = mmap(NULL, MMAP_REGION, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(WX_MMAP);
		if (munmap(p, MMAP_REGION) != 0)
			_exit(WX_MUNMAP);
		done(id, 1);
	}
}

/* The worker's child: echo each byte from `in` on `out` until end of file. */
static void __attribute__((noreturn)) echo_child(int in, int out)
{
	char c;
	ssize_t r;

	while ((r = read(in, &c, 1)) == 1)
		if (write(out, &c, 1) != 1)
			_exit(WX_IO);
	_exit(r == 0 ? 0 : WX_IO);
}

/* Round trips to a child of its own; closing the way there ends the child. */
static void pipe_pair(long id)
{
	int there[2], back[2];
	char c = 'p';

	if (pipe(there) != 0 || pipe(back) != 0)
		_exit(WX_PIPE);
	pid_t pid = fork();
	if (pid < 0)
		_exit(WX_FORK);
	if (pid == 0) {
		close(there[1]);
		close(back[0]);
		echo_child(there[0], back[1]);
	}
	close(there[0]);
	close(back[1]);
	while (!stopped()) {
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			_exit(WX_IO);
		done(id, 1);
	}
	close(there[1]);
	if (reap(pid) != 0)
		_exit(WX_CHILD);
}

/* Round trips to a child of its own over one socket each (a stream: the
 * child echoes on the same descriptor); closing the worker's end ends the
 * child. */
static void socket_round_trips(long id, int mine, int childs)
{
	char c = 's';

	pid_t pid = fork();
	if (pid < 0)
		_exit(WX_FORK);
	if (pid == 0) {
		close(mine);
		echo_child(childs, childs);
	}
	close(childs);
	while (!stopped()) {
		if (write(mine, &c, 1) != 1 || read(mine, &c, 1) != 1)
			_exit(WX_IO);
		done(id, 1);
	}
	close(mine);
	if (reap(pid) != 0)
		_exit(WX_CHILD);
}

static void unix_pair(long id)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		_exit(WX_SOCKET);
	socket_round_trips(id, sv[0], sv[1]);
}

/* A connection of the worker's own on 127.0.0.1 (a listener on a port
 * the kernel picks, closed once the connection is accepted). */
static void tcp_pair(long id)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int one = 1;

	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) != 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) != 0)
		_exit(WX_SOCKET);
	int s = accept(l, NULL, NULL);
	if (s < 0)
		_exit(WX_SOCKET);
	close(l);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	socket_round_trips(id, s, c);
}

/* futex: the worker's two threads hand a turn back and forth (futex_xcpu's
 * protocol, unpinned). Each worker is its own process: its words are its own. */
static int turn;		/* 1: the partner's turn; 0: the worker's */
static int quit;		/* set before the last turn handed to the partner */

static long futex(int *word, int op, int val)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* wait_while: sleep until *word is no longer val (a wake-up, or the value changed first). */
static void wait_while(int *word, int val)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val)
		if (futex(word, FUTEX_WAIT, val) != 0 && errno != EAGAIN && errno != EINTR)
			_exit(WX_FUTEX);
}

/* pass: hand the turn over (store val) and wake the other thread. */
static void pass(int *word, int val)
{
	__atomic_store_n(word, val, __ATOMIC_RELEASE);
	if (futex(word, FUTEX_WAKE, 1) < 0)
		_exit(WX_FUTEX);
}

static void *futex_partner(void *arg)
{
	(void)arg;
	for (;;) {
		wait_while(&turn, 0);
		if (__atomic_load_n(&quit, __ATOMIC_ACQUIRE))
			return NULL;
		pass(&turn, 0);
	}
}

static void futex_pair(long id)
{
	pthread_t t;

	if (pthread_create(&t, NULL, futex_partner, NULL) != 0)
		_exit(WX_THREAD);
	while (!stopped()) {
		pass(&turn, 1);
		wait_while(&turn, 1);
		done(id, 1);
	}
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
	pass(&turn, 1);
	if (pthread_join(t, NULL) != 0)
		_exit(WX_THREAD);
}

/* The file kinds' set-up: the worker's own file, created before the gate. */
static void make_own_file(long id)
{
	char path[64];

	own_path(path, sizeof(path), id);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		_exit(WX_OPEN);
	if (close(fd) != 0)
		_exit(WX_CLOSE);
}

static const struct kind {
	const char *name;
	void (*setup)(long id);		/* before the gate, or NULL */
	void (*loop)(long id);		/* until stopped() */
} kinds[] = {
	{ "fork_exec", NULL, fork_exec },
	{ "page_fault", NULL, page_fault },
	{ "open_close", make_own_file, open_close },
	{ "pipe", NULL, pipe_pair },
	{ "mmap_munmap", NULL, mmap_munmap },
	{ "futex", NULL, futex_pair },
	{ "stat", make_own_file, stat_path },
	{ "tcp", NULL, tcp_pair },
	{ "unix", NULL, unix_pair },
};
#define NKIND (sizeof(kinds) / sizeof(kinds[0]))

/* worker: set up, say so on ready, wait at the gate, loop; exit status WX_*. */
static void __attribute__((noreturn)) worker(const struct kind *k, long id, int gate[2], int ready[2])
{
	if (k->setup)
		k->setup(id);
	close(ready[0]);
	if (write(ready[1], "r", 1) != 1)
		_exit(WX_READY);
	close(ready[1]);
	smp_gate_wait(gate);
	k->loop(id);
	_exit(WX_OK);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The workers' operations so far. */
static unsigned long total_ops(long n)
{
	unsigned long sum = 0;

	for (long i = 0; i < n; i++)
		sum += sh->w[i].ops;
	return sum;
}

/* klock_set: the kernel lock's statistics on (zeroed) or off; false on a
 * kernel without /proc/klock_stat (Linux), where nothing is done. */
static bool klock_set(bool on)
{
	if (access("/proc/klock_stat", R_OK) != 0)
		return false;
	int fd = open("/proc/sys/kernel/lock_stat", O_WRONLY);
	if (fd < 0)
		return false;
	bool ok = write(fd, on ? "1\n" : "0\n", 2) == 2;
	close(fd);
	return ok;
}

/* klock_dump: /proc/klock_stat, each line as `klock NAME | LINE`, after the window's length. */
static void klock_dump(long long window_ns)
{
	static char buf[64 << 10];
	size_t len = 0;
	ssize_t r;

	int fd = open("/proc/klock_stat", O_RDONLY);
	if (fd < 0)
		return;
	while (len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	b_line("klock %s window_us %lld cpus %ld", b_name, window_ns / 1000,
	       sysconf(_SC_NPROCESSORS_ONLN));
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		b_line("klock %s | %.200s", b_name, line);
}

/* measure: open the gate, warm up, count MS milliseconds; ops per second. */
static double measure(long n, long ms, int gate[2])
{
	close(gate[0]);
	close(gate[1]);
	sleep_ms(ms / 4);
	bool klock = klock_set(true);
	long long t0 = b_now();
	unsigned long c0 = total_ops(n);
	sleep_ms(ms);
	unsigned long c1 = total_ops(n);
	long long t1 = b_now();
	if (klock)
		klock_set(false);
	sh->stop = 1;
	if (klock)
		klock_dump(t1 - t0);
	return (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
}

/* report: the figure, then a note line with each worker's share. */
static void report(double rate, long n)
{
	char note[200];
	int len = snprintf(note, sizeof(note), "%s: %ld worker%s, ops each (warm-up included):",
			   b_name, n, n > 1 ? "s" : "");

	for (long i = 0; i < n && len > 0 && len < (int)sizeof(note) - 24; i++)
		len += snprintf(note + len, sizeof(note) - len, " %lu", sh->w[i].ops);
	b_line("%s", note);
	b_line("bench %s %.1f ops/s", b_name, rate);
}

static const struct kind *find_kind(const char *name)
{
	for (unsigned i = 0; i < NKIND; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static char name[32];
	pid_t pids[MAX_WORKERS];
	int gate[2], ready[2];

	const struct kind *k = argc > 1 ? find_kind(argv[1]) : NULL;
	snprintf(name, sizeof(name), "scale_%s", argc > 1 ? argv[1] : "");
	b_name = name;
	long ms = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
	if (!k || ms < 4 || n < 1 || n > MAX_WORKERS) {
		b_line("bench-error %s usage: bench-scale KIND MS N (N 1 to %d; KIND fork_exec, "
		       "page_fault, open_close, pipe, mmap_munmap, futex, stat, tcp, unix)", name, MAX_WORKERS);
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		b_fail("mmap shared counters");
	if (mkdir(DIR_PATH, 0755) != 0 && errno != EEXIST)
		b_fail("mkdir " DIR_PATH);
	if (pipe(gate) != 0 || pipe(ready) != 0)
		b_fail("pipe");
	for (long i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			b_fail("fork");
		if (pids[i] == 0)
			worker(k, i, gate, ready);
	}
	close(ready[1]);
	for (long i = 0; i < n; i++) {	/* every worker is set up */
		char c;
		ssize_t r = read(ready[0], &c, 1);
		if (r < 0 && errno == EINTR)
			i--;
		else if (r != 1) {
			sh->stop = 1;	/* the others end as soon as the gate opens */
			b_fail("read ready pipe (a worker died setting up)");
		}
	}
	double rate = measure(n, ms, gate);
	int bad = 0;
	for (long i = 0; i < n; i++) {
		int st = reap(pids[i]);
		if (st != WX_OK && !bad++)
			b_line("bench-error %s worker %ld: %s failed", name, i,
			       st > 0 && st < WX_NSTATUS ? w_why[st] : "exit status");
	}
	for (long i = 0; k->setup && i < n; i++) {
		char path[64];
		own_path(path, sizeof(path), i);
		unlink(path);
	}
	rmdir(DIR_PATH);	/* fails while another run's files are there: theirs to remove */
	if (bad)
		return 1;
	report(rate, n);
	return 0;
}
