// SPDX-License-Identifier: MIT
// The SMP stress test (issue 11): threads and processes on every CPU hammering the kernel, each part checked.
#define _GNU_SOURCE		/* sched_setaffinity, CPU_SET */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <elf.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "checks.h"

/*
 * Each part runs for about PART_MS (fault-same-page, cow-fork, munmap-fault,
 * mremap-madvise NEW_PART_MS) with
 * twice as many workers as there are online CPUs
 * (sysconf(_SC_NPROCESSORS_ONLN), between MIN_WORKERS and MAX_WORKERS)
 * and prints its counts on its "ok" line:
 *
 *   fork-exit-wait  every worker forks, the child exits with a code of
 *                   the worker's choosing, the worker reaps it and checks it;
 *                   a worker none of whose forks came back in LOST_MS fails.
 *   exit-pipe       single-threaded processes fork children that find their
 *                   parent's handler and directory, write their pid into an
 *                   inherited pipe and exit with it open: the parent reads
 *                   the pid, then end of file (the exit's close), then the
 *                   status (fork's early copies, exit's and wait4's
 *                   lock-free halves).
 *   pipes           writer processes send a byte stream of varying chunk
 *                   sizes; reader threads check every byte and the total.
 *   futex           pairs of threads pass a token by FUTEX_WAIT/FUTEX_WAKE;
 *                   a wait that times out although the FUTEX_WAKE of its
 *                   token counted a waiter is a lost wake-up; no token for
 *                   LOST_MS fails too.
 *   signals         pairs of processes bounce SIGUSR1 (sigtimedwait); no
 *                   signal for LOST_MS is a lost one; both ends count.
 *   sigmask-retarget the main thread (which kill() prefers) unblocks and
 *                   at once blocks SIGUSR1, then waits, blocking it, for
 *                   two more signals to be handled; a sender thread sends
 *                   SIGUSR1 to the process over and over, each once the
 *                   last was handled; other threads sleep in pause(). A
 *                   signal sent as the main thread blocked it must reach
 *                   a sleeper (Linux's retarget_shared_pending): one not
 *                   handled in WAIT_MS is stranded on the main thread.
 *                   The race is narrow (a send inside the main thread's
 *                   window, its kick landing after it blocked): without
 *                   the retargeting, 4 boots on 4 CPUs passed all the
 *                   same (2026-11-25); the part checks above all that a
 *                   mask changed without the kernel lock loses nothing.
 *   mmap-churn      one thread maps, fills and unmaps a shared region over
 *                   and over while the others read and write it: a read
 *                   either faults (caught) or sees a value the region held.
 *   stale-tlb       thread A spins reading a page, thread B (on another
 *                   CPU when there is one) unmaps it; once A sees that
 *                   munmap returned, its next read must fault. Repeated.
 *   fault-same-page a thread per CPU faults the same pages of a fresh private
 *                   mapping at once (issue 29: such faults take no kernel
 *                   lock), each writing its own word of every page; every
 *                   word must then hold its writer's value (two threads
 *                   given different pages for one address lose one's).
 *   mmap-churn-private mmap-churn on private anonymous memory: munmap
 *                   racing faults that run without the kernel lock.
 *   pipe-records    writer threads of one process put PIPE_BUF-sized
 *                   records (writer, sequence, filler) into one pipe while
 *                   reader threads take them out, a thread each per CPU
 *                   (issue 29: a pipe's read and write take no kernel
 *                   lock): every record arrives whole, and each writer's
 *                   sequence numbers arrive once each.
 *   unix-records    pipe-records over an AF_UNIX stream socketpair (issue
 *                   29: its sends and receives take no kernel lock), the
 *                   writers going through write, send, writev and sendmsg
 *                   in turn and the readers through recvmsg, read, recv
 *                   and readv; every 8th record of each writer carries an
 *                   AF_UNIX socket's descriptor (SCM_RIGHTS: in flight,
 *                   on the collector's list), which recvmsg must
 *                   hand over with that record and no other, and no
 *                   descriptor may be left open at the end.
 *   unix-close-send a sender per CPU fills an AF_UNIX stream socketpair
 *                   (SO_SNDBUF at its least, so they block) while the
 *                   main thread reads some of it, then closes its end
 *                   with bytes still queued: every sender must return
 *                   within LOST_MS, with EPIPE or (one of them at most,
 *                   Linux's reset of an end closed unread) ECONNRESET,
 *                   and the bytes read be whole.
 *   close-read      a thread reads a pipe through a descriptor that
 *                   another closes and dup2s back over and over: each read
 *                   is data or EBADF, and the bytes read plus those left
 *                   are the bytes written, in order.
 *   fd-table        a reader thread per CPU (at least two) reads
 *                   /dev/zero through one descriptor while the main
 *                   thread grows the descriptor table under it (dup2 to
 *                   ever higher descriptors), closes and dup2s a second
 *                   descriptor the readers also read, and takes a table
 *                   of its own (unshare(CLONE_FILES) while a clone(
 *                   CLONE_FILES) child shares the old one, which the
 *                   child's exit then frees) (issue 29: read looks its
 *                   descriptor up without the kernel lock): every read of
 *                   the first descriptor gives 64 zero bytes, every read
 *                   of the second 64 zero bytes or EBADF. A fresh process
 *                   each round, for a fresh table.
 *   munmap-fault    one thread maps a fresh private region, lets the
 *                   others fault its pages (each writing its own word)
 *                   and unmaps it under them (issue 29: munmap and the
 *                   faults take no kernel lock); once every toucher has
 *                   seen the round end, a new mapping at the same
 *                   address must have no page resident (mincore) and
 *                   read zero: a fault that raced the munmap left nothing
 *                   behind.
 *   mmap-threads    a thread per CPU (at least two) maps, fills, checks,
 *                   write-protects and unmaps private regions of its own,
 *                   several live at once, every other one back at its
 *                   last address with MAP_FIXED_NOREPLACE (issue 29:
 *                   mmap, mprotect and munmap take no kernel lock): every
 *                   mmap succeeds (or is EEXIST where another thread has
 *                   mapped since) and comes zero-filled, every region
 *                   keeps its owner's words until its owner unmaps it
 *                   (two threads given overlapping ranges, or a
 *                   NOREPLACE that replaced, overwrite or drop another's).
 *                   Between two of its own, each thread claims MT_SLOTS
 *                   fixed ranges that all of them claim over and over
 *                   with MAP_FIXED_NOREPLACE: one holds a slot at a time
 *                   (an owner word says who), the others get EEXIST.
 *   mremap-madvise  a thread per CPU (at least two) maps private regions
 *                   of 1 to MR_PAGES_MAX pages, every word of a page tagged
 *                   (thread, round, page), and reshapes them (issue 29:
 *                   mremap and madvise take no kernel lock on private
 *                   anonymous memory): grown to twice with MREMAP_MAYMOVE
 *                   the old pages keep their tags wherever the region
 *                   lands and the grown part reads zero; after
 *                   madvise(MADV_DONTNEED) of a sub-range those pages
 *                   read zero and the others keep their tags; shrunk in
 *                   place the region keeps its address and its kept
 *                   pages' tags, and the cut tail is unmapped (mincore
 *                   ENOMEM). One round in MR_MOVE_EVERY moves the region
 *                   into a slot of the thread's own (MREMAP_FIXED, every
 *                   other time with MREMAP_DONTUNMAP: the old range stays
 *                   mapped and reads zero). A range a thread gave up
 *                   outside its slot may already be another thread's
 *                   mapping: it must then hold none of the giver's words.
 *                   Meanwhile, on the same address space, MR_RACE_WRITERS
 *                   threads write their own word of each page of one
 *                   shared private region, a new value each pass, while
 *                   another drops the region's pages (MADV_DONTNEED) and
 *                   reads every word: a writer's word holds its last value
 *                   or zero, before its write and right after it (a
 *                   discard may land between the two: counted), and any
 *                   word is zero or a value its own writer wrote.
 *   cow-fork        a thread writes private pages and reads each write
 *                   back while another forks: a write must never be lost
 *                   to a copy-on-write break, a child sees values the
 *                   parent wrote before the fork (and its own writes),
 *                   and the parent never sees the child's.
 *   tcp-duplex      one TCP connection over 127.0.0.1, both ways at once:
 *                   each end has a writer thread and a reader thread on
 *                   different CPUs (issue 29: a connected TCP socket's
 *                   sends and receives take no kernel lock); each writer
 *                   sends a byte stream in chunks of varying size (send,
 *                   sendmsg, writev and write in turn), then shuts its
 *                   side; each reader (recv, recvmsg, readv and read in
 *                   turn) checks every byte in order and that the count
 *                   read is the count written.
 *   scm-race        a sender thread per CPU (at least two) passes a
 *                   descriptor in numbered datagrams over one AF_UNIX
 *                   socket pair (SCM_RIGHTS) while another thread closes
 *                   it and dup2s it back, over and over, and the main
 *                   thread reads them (issue 29: sendmsg looks the
 *                   descriptors up without the kernel lock, then takes it
 *                   for AF_UNIX): each send passes /dev/zero or fails with
 *                   EBADF, every datagram sent arrives once, in order for
 *                   its sender, its descriptor reads zeros, and none is
 *                   left open after.
 *   tcp-pingpong    two threads on two CPUs pass a counter back and forth
 *                   over one TCP connection on 127.0.0.1, each receive
 *                   finding nothing at first and sleeping (SO_RCVTIMEO
 *                   LOST_MS): a wake-up lost between a receiver's look and
 *                   its sleep stops the game (a receive that times out);
 *                   every value must be the one sent.
 *   tcp-close-recv  a thread blocks in recv on a TCP socket while another
 *                   closes its descriptor, then the peer sends a byte: as
 *                   on Linux the recv (which holds the file) is not woken by
 *                   the close; it returns that byte (or EBADF when the close
 *                   came first), and the peer then sees the connection
 *                   end (end of file) once the recv let go. Repeated.
 *   tcp-churn       pairs of threads, one per CPU (at least two): a client
 *                   on CPU p connects to its server's listener (127.0.0.1,
 *                   or ::1 for every other pair) on CPU p + 1 over and over; on each connection both
 *                   send checked bytes and read the other's at once, then
 *                   it ends in turn by an orderly close from either end or
 *                   by the server's reset (SO_LINGER 0) while the client
 *                   still sends (its sends fail then), while the other
 *                   pairs do the same (issue 29: lo takes a segment for a
 *                   connection past its handshake up without the kernel
 *                   lock, beside the sends of the other CPU): every byte
 *                   arrives in order, each end sees the end the other
 *                   chose (end of file, or a failed send), and a connection
 *                   whose program shuts it last and still holds it reaches
 *                   CLOSE on its last ACK (TCP_INFO) (lo's drain then
 *                   hands its port back under the kernel lock).
 *   tcp-reset-read  pairs of threads, one per CPU (at least two), over
 *                   127.0.0.1 or ::1 as tcp-churn's: on each connection the
 *                   server sends a round's bytes and resets it at once
 *                   (SO_LINGER 0) while its client reads without waiting
 *                   (MSG_DONTWAIT, over and over): the client reads every
 *                   byte before the reset's ECONNRESET, as on Linux (a
 *                   read that found nothing must not return the reset that
 *                   lo's drain on another CPU took up after the bytes).
 *   udp-count       a sender thread per CPU sends numbered datagrams from
 *                   a socket of its own to one receiver socket, which a
 *                   thread reads (at most UDP_WINDOW unread per sender, so
 *                   none is dropped for room): every datagram arrives once,
 *                   whole, and each sender's count read is its count sent.
 *   stat-rename     reader threads, one per CPU, stat names in a
 *                   directory of RAM while the main thread renames a file
 *                   back and forth between two names, renames fresh files
 *                   over a third, moves a directory between the directory
 *                   and a subdirectory of it, and makes and removes
 *                   batches of directories (the name table grows and
 *                   shrinks) (issue 29: stat through RAM directories takes
 *                   no kernel lock): a name never touched is always found,
 *                   with its inode number; the name renamed over is always
 *                   found (rename replaces it atomically), with the size
 *                   every replacement has, and so is the target of a
 *                   symlink renamed over by another to the same target
 *                   (its stat, and its readlink);
 *                   the others are ENOENT or the inode they can name,
 *                   also through ".." of a directory being removed or
 *                   moved and through symlinks.
 *   exit-truncate   a thread per CPU forks children over and over, each
 *                   of which maps a RAM file shared ET_MAPS times, writes
 *                   into its pages (a page a truncation took away is SIGBUS,
 *                   caught) and then exits or execs /bin/true, while the
 *                   main thread truncates the file to nothing and back
 *                   (issue 29: the end of an address space, at exit and
 *                   at exec, frees its pages and tables without the
 *                   kernel lock, after taking it off the file's list of
 *                   mappings, which truncation walks): every child ends
 *                   with status 0, and the file system's free inodes and
 *                   blocks are the same before and after. It runs until
 *                   ET_CHILDREN children ended, however long that takes
 *                   (fork and exec are slow on emulated CPUs).
 *   fork-truncate   a thread per CPU maps a RAM file shared FK_MAPS
 *                   times, touches every page and forks, over and over,
 *                   while the main thread truncates the file to nothing
 *                   and back (issue 29: fork copies the regions and links
 *                   the child's to the file's list of mappings without
 *                   the kernel lock, racing the truncation's walk of that
 *                   list): each child, once no truncation runs (a
 *                   sequence count the truncator makes odd around each),
 *                   writes a token into each page of its inherited
 *                   mappings and reads it back through pread: a page
 *                   past the end must be SIGBUS, and a page inside it
 *                   must be the file's (a page the truncation took from
 *                   the file but left mapped in the child reads back
 *                   without the token). It runs until FK_CHILDREN
 *                   children checked their pages.
 *   exec-rename     a thread per CPU forks children that execve "prog"
 *                   with 1 to ER_ARGC_MAX arguments, over and over, while
 *                   the main thread in turn renames a new generation over
 *                   "prog" (written whole under another name first) and
 *                   rewrites "prog" in place (O_TRUNC, then in two halves
 *                   with a yield between: a runt meanwhile) (issue 29:
 *                   execve builds the image without the kernel lock, its
 *                   file steps under it). Each generation is a tiny static
 *                   ELF that exits with its own code plus argc: every
 *                   child must exit with a generation's code plus its own
 *                   argc (the image whole, its stack as built) or fail
 *                   its execve with ETXTBSY (the rewrite had the file open
 *                   for writing: Linux's deny_write_access); never another
 *                   error (ENOEXEC: a runt read; ENOENT: a rename over
 *                   the name never leaves it missing) and never a signal.
 *                   The file system's free inodes are the same after.
 *
 * Every part must hold on Linux with one CPU or several (the build
 * machine runs this program too) as on Kestrel. Usage: t-smp_stress [PART...].
 */
/* Linux's futex ABI (include/uapi/linux/futex.h; musl has no header for it) */
#define FUTEX_WAIT          0
#define FUTEX_WAKE          1
#define FUTEX_PRIVATE_FLAG  128

#define PART_MS        400     /* each part's running time */
#define MIN_WORKERS    2
#define MAX_WORKERS    32
#define WAIT_MS        2000    /* one futex wait or sigtimedwait */
#define LOST_MS        20000   /* no token or signal for this long: lost (a loaded host is slow) */
#define PIPE_CHUNK_MAX 3000    /* bytes per write, varying 1..this */
#define CHURN_PAGES    4
#define STALE_ROUNDS   400     /* munmaps while a reader spins (at most) */
#define STALE_READS_MAX 0      /* reads that may still succeed after munmap returned */
#define NEW_PART_MS    (PART_MS / 2) /* fault-same-page's and cow-fork's time */
#define SAME_PAGES     32      /* fault-same-page: pages of each round's mapping */
#define COW_PAGES      16      /* cow-fork: pages the writer writes */
#define CHILD_MARK     0xc41dc41dc41dc41dull /* cow-fork: what a child writes */
#define MF_PAGES       16      /* munmap-fault: pages of each round's region */
#define MT_LIVE        6       /* mmap-threads: regions each thread keeps mapped */
#define MT_PAGES_MAX   4       /* mmap-threads: a region's pages, 1 to this */
#define MT_SLOTS       2       /* mmap-threads: addresses every thread claims in turn */
#define MT_SLOT_PAGES  2
#define MT_SLOT_BASE   0x2000000000ul /* far below where mmap places (top down), free on both kernels */
#define MT_CLAIMS      32      /* mmap-threads: slot claims between two regions */
#define MR_PAGES_MAX   4       /* mremap-madvise: a region's pages when mapped, 1 to this (twice, grown) */
#define MR_MOVE_EVERY  4       /* mremap-madvise: one round in this many moves into the thread's slot */
#define MR_MIN_ROUNDS  (2 * MR_MOVE_EVERY) /* mremap-madvise: rounds of each thread at the least */
#define MR_SLOT_BASE   0x2100000000ul /* mremap-madvise: the threads' slots, above mmap-threads' */
#define MR_SLOT_PAGES  (4 * MR_PAGES_MAX) /* mremap-madvise: a thread's slot (a grown region fits) */
#define MR_RACE_PAGES  8       /* mremap-madvise: pages of the region the discard race shares */
#define MR_RACE_WRITERS 2      /* mremap-madvise: threads writing their own word of each page */
#define MR_RACE_STRIDE 64      /* mremap-madvise: words between two writers' words */
#define MR_RACE_MIN_PASSES 16  /* mremap-madvise: passes of each writer and the discarder at the least */
#define MR_RACE_YIELD_EVERY 16 /* mremap-madvise: a writer's passes between two sched_yield */

static int nworkers;
static int ncpus;
static cpu_set_t all_cpus;     /* the affinity the program started with */
static long *shared;           /* MAP_SHARED counts children report: pipe and signal totals */
#define SHARED_WORDS (4096 / sizeof(long))

static long long deadline_after(long ms)
{
	return now_ms() + ms;
}

/* ------------------------------------------------------------- faults */

/* A thread that expects SIGSEGV arms its own jump buffer; the handler
 * jumps back to it, or restores the default action when nobody armed it. */
static __thread sigjmp_buf fault_jmp;
static __thread volatile int fault_armed;

static void on_segv(int sig)
{
	if (fault_armed) {
		fault_armed = 0;
		siglongjmp(fault_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int install_segv(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	return sigaction(SIGSEGV, &sa, NULL);
}

/* ------------------------------------------------------------- threads */

struct crew {
	pthread_t t[MAX_WORKERS];
	int n;
};

static int crew_start(struct crew *c, int n, void *(*fn)(void *), void *args, size_t argsize)
{
	c->n = 0;
	for (int i = 0; i < n; i++) {
		int e = pthread_create(&c->t[i], NULL, fn, (char *)args + i * argsize);
		if (e) {
			errno = e;
			return -1;
		}
		c->n++;
	}
	return 0;
}

static void crew_join(struct crew *c)
{
	for (int i = 0; i < c->n; i++)
		pthread_join(c->t[i], NULL);
}

/* Pin the calling thread to the n-th CPU it may use (modulo their
 * number); best effort: a kernel without affinity leaves it anywhere. */
static void pin_to(int n)
{
	int count = CPU_COUNT(&all_cpus), seen = 0;
	cpu_set_t set;

	if (count == 0)
		return;
	n %= count;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all_cpus) || seen++ != n)
			continue;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		return;
	}
}

static void pin_to_all(void)
{
	sched_setaffinity(0, sizeof(all_cpus), &all_cpus);
}

/* ------------------------------------------------------------- fork-exit-wait */

struct forker {
	int id;
	long done;
	char why[160];
};

static void *fork_worker(void *arg)
{
	struct forker *f = arg;
	long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);

	/* PART_MS, and on a loaded host until the first fork came back: a
	 * worker that gets none done in LOST_MS is starved, not merely slow */
	while (!f->why[0]) {
		long long now = now_ms();
		if (now >= lost || (now >= end && f->done > 0))
			break;
		int code = (int)((f->id * 31 + f->done) & 0x7f), st;
		pid_t pid = fork();
		if (pid == 0)
			_exit(code);
		if (pid < 0) {
			snprintf(f->why, sizeof(f->why), "fork: %s", errname(errno));
			break;
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != code)
			snprintf(f->why, sizeof(f->why), "child %d: status %#x, want exit %d", (int)pid, st, code);
		f->done++;
	}
	return NULL;
}

static int check_fork_exit_wait(void)
{
	static struct forker f[MAX_WORKERS];
	struct crew c;
	long total = 0;

	memset(f, 0, sizeof(f));
	for (int i = 0; i < nworkers; i++)
		f[i].id = i;
	if (crew_start(&c, nworkers, fork_worker, f, sizeof(f[0])))
		return crew_join(&c), fail("pthread_create: %s", errname(errno));
	crew_join(&c);
	for (int i = 0; i < nworkers; i++) {
		if (f[i].why[0])
			return fail("worker %d: %s", i, f[i].why);
		if (f[i].done == 0)
			return fail("worker %d forked nothing in %d ms", i, LOST_MS);
		total += f[i].done;
	}
	remark("%d workers, %ld fork/exit/wait", nworkers, total);
	return CHECK_OK;
}

/* ------------------------------------------------------------- exit-pipe */

/* exit-pipe: an exit closes its descriptors, and a wait4 frees its
 * zombie, without the kernel lock; a fork from a process of one thread
 * copies its handlers, descriptor table and directories before taking
 * it (issue 29). A single-threaded process per CPU forks for half of
 * PART_MS (the part is costly on an emulated machine): a child finds its parent's SIGUSR1 handler and working
 * directory, writes its pid into the pipe it inherited and exits with
 * the write end open. The parent must read that pid, then end of file
 * (the exit's close of the last writer), and wait4 must give the
 * child's status; each forker's count goes to shared[i]. */
#define XP_CODE        0x2a     /* a child's exit code when all was as it should be */
#define XP_BAD_HANDLER 3        /* a child's exit codes: its SIGUSR1 handler was not its parent's */
#define XP_BAD_CWD     4        /* its working directory was not its parent's */
#define XP_BAD_WRITE   5        /* its write into the pipe failed */
#define XP_FAIL_SETUP  10       /* a forker's exit codes: sigaction, getcwd or pipe failed */
#define XP_FAIL_FORK   11
#define XP_FAIL_READ   12       /* the child's pid did not come */
#define XP_FAIL_EOF    13       /* no end of file within LOST_MS, or more bytes than the pid */
#define XP_FAIL_WAIT   14       /* waitpid's pid or the child's status was wrong */

static void xp_handler(int sig)
{
	(void)sig;
}

static __attribute__((noreturn)) void xp_child(int wfd, const char *cwd)
{
	struct sigaction sa;
	char here[PATH_MAX];
	pid_t me = getpid();

	if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_handler != xp_handler)
		_exit(XP_BAD_HANDLER);
	if (!getcwd(here, sizeof(here)) || strcmp(here, cwd))
		_exit(XP_BAD_CWD);
	if (write(wfd, &me, sizeof(me)) != (ssize_t)sizeof(me))
		_exit(XP_BAD_WRITE);
	_exit(XP_CODE); /* the write end still open: the exit closes it */
}

/* Read rfd to its end within LOST_MS: 0 when it held exactly want's
 * bytes, else an XP_FAIL_ code. */
static int xp_read_pid(int rfd, pid_t want)
{
	pid_t got;
	size_t have = 0;
	char extra;

	while (have < sizeof(got)) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		if (poll(&pfd, 1, LOST_MS) <= 0)
			return XP_FAIL_READ;
		ssize_t n = read(rfd, (char *)&got + have, sizeof(got) - have);
		if (n <= 0)
			return XP_FAIL_READ;
		have += (size_t)n;
	}
	if (got != want)
		return XP_FAIL_READ;
	struct pollfd pfd = { .fd = rfd, .events = POLLIN };
	if (poll(&pfd, 1, LOST_MS) <= 0 || read(rfd, &extra, 1) != 0)
		return XP_FAIL_EOF;
	return 0;
}

static __attribute__((noreturn)) void xp_forker(int slot)
{
	struct sigaction sa = { .sa_handler = xp_handler };
	long long end = deadline_after(PART_MS / 2), lost = deadline_after(LOST_MS);
	char cwd[PATH_MAX];
	long done = 0;

	if (sigaction(SIGUSR1, &sa, NULL) || !getcwd(cwd, sizeof(cwd)))
		_exit(XP_FAIL_SETUP);
	while (now_ms() < end || (done == 0 && now_ms() < lost)) {
		int p[2], st, bad;
		if (pipe(p))
			_exit(XP_FAIL_SETUP);
		pid_t pid = fork();
		if (pid < 0)
			_exit(XP_FAIL_FORK);
		if (pid == 0) {
			close(p[0]);
			xp_child(p[1], cwd);
		}
		close(p[1]);
		bad = xp_read_pid(p[0], pid);
		close(p[0]);
		pid_t r;
		while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
			;
		if (r == pid && WIFEXITED(st) && WEXITSTATUS(st) >= XP_BAD_HANDLER &&
		    WEXITSTATUS(st) <= XP_BAD_WRITE)
			_exit(WEXITSTATUS(st)); /* the child's own finding first */
		if (bad)
			_exit(bad);
		if (r != pid || !WIFEXITED(st) || WEXITSTATUS(st) != XP_CODE)
			_exit(XP_FAIL_WAIT);
		done++;
	}
	shared[slot] = done;
	_exit(0);
}

static int check_exit_pipe(void)
{
	static const char *const why[] = {
		[XP_BAD_HANDLER] = "a child's SIGUSR1 handler was not its parent's",
		[XP_BAD_CWD] = "a child's working directory was not its parent's",
		[XP_BAD_WRITE] = "a child's write into the pipe it inherited failed",
		[XP_FAIL_SETUP] = "sigaction, getcwd or pipe failed",
		[XP_FAIL_FORK] = "fork failed",
		[XP_FAIL_READ] = "the child's pid did not come through the pipe",
		[XP_FAIL_EOF] = "no end of file after the child's exit",
		[XP_FAIL_WAIT] = "waitpid's answer or the child's status was wrong",
	};
	pid_t f[MAX_WORKERS];
	int res = CHECK_OK, started = 0;
	long total = 0;

	memset(shared, 0, SHARED_WORDS * sizeof(long));
	for (; started < ncpus && started < MAX_WORKERS; started++) {
		if ((f[started] = fork()) < 0) {
			res = fail("fork: %s", errname(errno));
			break;
		}
		if (f[started] == 0)
			xp_forker(started);
	}
	for (int i = 0; i < started; i++) {
		int st;
		if (wait_child(f[i], 2 * LOST_MS, &st) != CHECK_OK) {
			res = CHECK_FAIL;
			continue;
		}
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (res == CHECK_OK && code != 0)
			res = fail("forker %d: %s (status %#x)", i,
				   code > 0 && code <= XP_FAIL_WAIT && why[code] ? why[code] : "killed or an unknown code", st);
		else if (res == CHECK_OK && shared[i] <= 0)
			res = fail("forker %d: no child in %d ms", i, LOST_MS);
		total += shared[i];
	}
	if (res == CHECK_OK)
		remark("%d forkers, %ld children read to end of file and reaped", started, total);
	return res;
}

/* ------------------------------------------------------------- pipes */

/* The stream's byte at offset off: a pattern no shifted copy matches. */
static unsigned char pipe_byte(long long off, int stream)
{
	return (unsigned char)((off * 7 + off / 251 + stream * 13) & 0xff);
}

/* The writer process: PART_MS of chunks of 1..PIPE_CHUNK_MAX bytes; puts
 * the total into shared[stream] and exits 0. */
static void pipe_writer(int fd, int stream)
{
	static unsigned char buf[PIPE_CHUNK_MAX];
	long long end = deadline_after(PART_MS), off = 0;
	unsigned seed = (unsigned)stream * 2654435761u + 1;

	while (now_ms() < end) {
		seed = seed * 1103515245u + 12345u;
		size_t n = 1 + (seed >> 8) % PIPE_CHUNK_MAX, put = 0;
		for (size_t i = 0; i < n; i++)
			buf[i] = pipe_byte(off + (long long)i, stream);
		while (put < n) {
			ssize_t w = write(fd, buf + put, n - put);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(2);
			put += (size_t)w;
		}
		off += (long long)n;
	}
	shared[stream] = (long)off;
	_exit(0);
}

struct pipe_reader {
	int fd, stream;
	pid_t writer;
	long long got;
	char why[160];
};

static void *pipe_read_worker(void *arg)
{
	struct pipe_reader *r = arg;
	unsigned char buf[4096];
	ssize_t n;

	while ((n = read(r->fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(r->why, sizeof(r->why), "read: %s", errname(errno));
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pipe_byte(r->got + i, r->stream)) {
				snprintf(r->why, sizeof(r->why), "byte %lld is %#x, want %#x", r->got + i,
					 buf[i], pipe_byte(r->got + i, r->stream));
				return NULL;
			}
		r->got += n;
	}
	return NULL;
}

static int start_pipe_pair(struct pipe_reader *r, int stream)
{
	int p[2];

	r->stream = stream;
	if (pipe(p) != 0)
		return -1;
	r->writer = fork();
	if (r->writer == 0) {
		close(p[0]);
		pipe_writer(p[1], stream);
	}
	close(p[1]);
	r->fd = p[0];
	return r->writer < 0 ? -1 : 0;
}

static int check_pipes(void)
{
	static struct pipe_reader r[MAX_WORKERS];
	int pairs = nworkers / 2 > 0 ? nworkers / 2 : 1, res = CHECK_OK, st;
	long long total = 0;
	struct crew c = { .n = 0 };

	memset(r, 0, sizeof(r));
	memset(shared, 0xff, SHARED_WORDS * sizeof(long));
	for (int i = 0; i < pairs; i++)
		if (start_pipe_pair(&r[i], i))
			return fail("pipe or fork: %s", errname(errno));
	if (crew_start(&c, pairs, pipe_read_worker, r, sizeof(r[0])))
		res = fail("pthread_create: %s", errname(errno));
	crew_join(&c);
	for (int i = 0; i < pairs; i++) {
		close(r[i].fd);
		if (wait_child(r[i].writer, 5000, &st) != CHECK_OK)
			res = CHECK_FAIL;
		else if (res == CHECK_OK && (!WIFEXITED(st) || WEXITSTATUS(st)))
			res = fail("writer %d: status %#x", i, st);
		if (res == CHECK_OK && r[i].why[0])
			res = fail("stream %d: %s", i, r[i].why);
		if (res == CHECK_OK && r[i].got == 0)
			res = fail("stream %d: nothing read", i);
		if (res == CHECK_OK && r[i].got != shared[i])
			res = fail("stream %d: read %lld bytes, the writer wrote %ld", i, r[i].got, shared[i]);
		total += r[i].got;
	}
	if (res == CHECK_OK)
		remark("%d streams, %lld bytes checked", pairs, total);
	return res;
}

/* ------------------------------------------------------------- futex */

struct futex_pair {
	_Atomic int turn;      /* whose move: 0 or 1 */
	_Atomic int stop;
	long rounds[2];
	_Atomic long woke[2];  /* side i's hand-overs whose FUTEX_WAKE returned */
	_Atomic int woke_ret[2]; /* ... and what the last one returned */
	_Atomic long late;     /* waits that timed out before a wake that found nobody */
	char why[160];
};

struct futex_side {
	struct futex_pair *pair;
	int me;
};

static long futex(_Atomic int *uaddr, int op, int val, const struct timespec *t)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, t, NULL, 0);
}

/* Give up the pair with a reason. */
static bool futex_give_up(struct futex_pair *p, const char *why, int me)
{
	snprintf(p->why, sizeof(p->why), "side %d: %s", me, why);
	atomic_store(&p->stop, 1);
	futex(&p->turn, FUTEX_WAKE, 1, NULL);
	return false;
}

/* The wait of side me timed out with the token passed: wait for the
 * peer's FUTEX_WAKE of this hand-over (the k-th) to return. It counted a
 * waiter, and the one waiter timed out: a lost wake-up (Linux returns 0
 * from a wait whose waiter a wake took). It found nobody: the peer was
 * slow between passing and waking, which a loaded host allows. */
static bool futex_timed_out_with_token(struct futex_pair *p, int me)
{
	long k = me == 0 ? p->rounds[0] : p->rounds[1] + 1;
	long long limit = deadline_after(LOST_MS);

	while (atomic_load(&p->woke[!me]) < k && !atomic_load(&p->stop) && now_ms() < limit)
		sched_yield();
	if (atomic_load(&p->woke[!me]) >= k && atomic_load(&p->woke_ret[!me]) >= 1)
		return futex_give_up(p, "FUTEX_WAKE woke 1 but the waiter timed out: lost wake-up", me);
	atomic_fetch_add(&p->late, 1);
	return !atomic_load(&p->stop);
}

/* Wait until it is side me's turn: false when the pair stops, or (with
 * why) when a wake-up was lost, or the peer did not move for LOST_MS. */
static bool futex_await_turn(struct futex_pair *p, int me)
{
	struct timespec t = { WAIT_MS / 1000, (WAIT_MS % 1000) * 1000000L };
	int v, timeouts = 0;

	while ((v = atomic_load(&p->turn)) != me && !atomic_load(&p->stop)) {
		long r = futex(&p->turn, FUTEX_WAIT, v, &t);
		if (r == 0 || errno != ETIMEDOUT || atomic_load(&p->stop))
			continue;
		if (atomic_load(&p->turn) == me)
			return futex_timed_out_with_token(p, me);
		if (++timeouts * WAIT_MS >= LOST_MS)
			return futex_give_up(p, "the peer did not pass the token in 20 s", me);
	}
	return !atomic_load(&p->stop);
}

/* A side: PART_MS from the moment it runs, and on until the peer has
 * taken the token once. Side 0 has the first turn, with no wait: a vCPU
 * the host stops for PART_MS right after side 0 read the clock (8 on 2
 * busy cores) must not end the pair before side 1 had a turn. A peer
 * that never comes is the LOST_MS of futex_await_turn. */
static void *futex_worker(void *arg)
{
	struct futex_side *s = arg;
	struct futex_pair *p = s->pair;
	long long end = deadline_after(PART_MS);

	while (futex_await_turn(p, s->me)) {
		p->rounds[s->me]++;
		if (now_ms() >= end && p->rounds[!s->me] > 0) /* the peer's count: written before it passed */
			atomic_store(&p->stop, 1);
		atomic_store(&p->turn, !s->me);
		atomic_store(&p->woke_ret[s->me], (int)futex(&p->turn, FUTEX_WAKE, 1, NULL));
		atomic_fetch_add(&p->woke[s->me], 1);
	}
	return NULL;
}

static int check_futex(void)
{
	static struct futex_pair pairs[MAX_WORKERS / 2];
	static struct futex_side sides[MAX_WORKERS];
	int npairs = nworkers / 2 > 0 ? nworkers / 2 : 1;
	long total = 0, late = 0;
	struct crew c;

	memset(pairs, 0, sizeof(pairs));
	for (int i = 0; i < 2 * npairs; i++)
		sides[i] = (struct futex_side){ &pairs[i / 2], i % 2 };
	if (crew_start(&c, 2 * npairs, futex_worker, sides, sizeof(sides[0]))) {
		for (int i = 0; i < npairs; i++) {
			atomic_store(&pairs[i].stop, 1);
			futex(&pairs[i].turn, FUTEX_WAKE, 2, NULL);
		}
		crew_join(&c);
		return fail("pthread_create: %s", errname(errno));
	}
	crew_join(&c);
	for (int i = 0; i < npairs; i++) {
		if (pairs[i].why[0])
			return fail("pair %d: %s", i, pairs[i].why);
		if (pairs[i].rounds[0] == 0 || pairs[i].rounds[1] == 0)
			return fail("pair %d: %ld and %ld turns, and no reason", i, pairs[i].rounds[0],
				    pairs[i].rounds[1]);
		total += pairs[i].rounds[0] + pairs[i].rounds[1];
		late += pairs[i].late;
	}
	remark("%d pairs, %ld hand-overs (%ld waits timed out before a slow waker)", npairs, total, late);
	return CHECK_OK;
}

/* ------------------------------------------------------------- signals */

/* Bounce SIGUSR1 with peer until the deadline (the first mover starts);
 * returns the signals received, or -1 when one was lost. */
static long bounce(pid_t peer, bool first, long long end)
{
	struct timespec t = { WAIT_MS / 1000, (WAIT_MS % 1000) * 1000000L };
	sigset_t set;
	long got = 0, waited = 0;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (first && kill(peer, SIGUSR1))
		return -1;
	for (;;) {
		int s = sigtimedwait(&set, &si, &t);
		if (s < 0 && errno == EINTR)
			continue;
		if (s < 0 && errno == EAGAIN && (waited += WAIT_MS) < LOST_MS)
			continue;      /* a loaded host: the peer may be slow */
		waited = 0;
		if (s == SIGUSR2)      /* the peer stopped */
			return got;
		if (s != SIGUSR1)
			return -1;
		got++;
		bool more = now_ms() < end;
		if (kill(peer, more ? SIGUSR1 : SIGUSR2))
			return -1;
		if (!more)
			return got;
	}
}

/* One pair: this process (a child of the test) and its own child; each
 * puts its count of received signals into shared[2i], shared[2i+1]. Exits
 * 0 when neither lost a signal. */
static void signal_pair(int i)
{
	long long end = deadline_after(PART_MS);
	pid_t me = getpid(), kid = fork();
	int st;

	if (kid == 0) {
		long got = bounce(me, false, end);
		shared[2 * i + 1] = got;
		_exit(got > 0 ? 0 : 1);
	}
	if (kid < 0)
		_exit(2);
	long mine = bounce(kid, true, end);
	shared[2 * i] = mine;
	if (mine < 0) {
		kill(kid, SIGKILL);
		waitpid(kid, &st, 0);
		_exit(3);
	}
	while (waitpid(kid, &st, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 4);
}

static int check_signals(void)
{
	static pid_t pid[MAX_WORKERS];
	int npairs = nworkers / 2 > 0 ? nworkers / 2 : 1, res = CHECK_OK, st;
	long total = 0;
	sigset_t set, old;

	memset(shared, 0, SHARED_WORDS * sizeof(long));
	/* blocked before fork, so no signal arrives before its sigtimedwait */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (int i = 0; i < npairs; i++)
		if ((pid[i] = fork()) == 0)
			signal_pair(i);
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < npairs; i++) {
		if (pid[i] < 0) {
			res = fail("fork: %s", errname(errno));
			continue;
		}
		if (wait_child(pid[i], PART_MS + 2 * LOST_MS, &st) != CHECK_OK)
			res = CHECK_FAIL;
		else if (res == CHECK_OK && (!WIFEXITED(st) || WEXITSTATUS(st)))
			res = fail("pair %d: status %#x (1: nothing bounced, 3: a signal lost)", i, st);
		long a = shared[2 * i], b = shared[2 * i + 1];
		/* strict alternation: the two counts differ by at most the one in flight at the end */
		if (res == CHECK_OK && (a - b > 1 || b - a > 1))
			res = fail("pair %d: one end received %ld signals, the other %ld", i, a, b);
		total += a + b;
	}
	if (res == CHECK_OK)
		remark("%d process pairs, %ld signals sent and received", npairs, total);
	return res;
}

/* ------------------------------------------------------------- sigmask-retarget */

#define RETARGET_SLEEPERS 2      /* sleeping threads that take SIGUSR1 */
#define RETARGET_NAP_US   500000 /* a sleeper's sleep, unless a signal ends it */

static struct {
	atomic_long handled, sent;
	atomic_int stop;
	long cycles;
} rt_state;

static void on_retarget(int sig)
{
	(void)sig;
	atomic_fetch_add(&rt_state.handled, 1);
}

/* Sleeps until a signal's handler ends the sleep (EINTR), or a short
 * timeout does, so that the stop flag is seen without a race. */
static void *retarget_sleeper(void *arg)
{
	(void)arg;
	while (!atomic_load(&rt_state.stop))
		usleep(RETARGET_NAP_US);
	return NULL;
}

/* Has handled reached n within WAIT_MS? */
static bool handled_reaches(long n)
{
	long long end = deadline_after(WAIT_MS);

	while (atomic_load(&rt_state.handled) < n) {
		if (now_ms() > end)
			return false;
		sched_yield();
	}
	return true;
}

/* The sender: SIGUSR1 to the process until the part's time is up, each
 * once the last was handled. Sets *arg (a const char *) to why it
 * stopped early, if it did. */
static void *retarget_sender(void *arg)
{
	const char **why = arg;
	long long end = deadline_after(PART_MS);
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (now_ms() < end && !*why) {
		long n = atomic_fetch_add(&rt_state.sent, 1) + 1;
		if (kill(getpid(), SIGUSR1))
			*why = "kill failed";
		else if (!handled_reaches(n))
			*why = "a SIGUSR1 stayed pending while two threads that take it slept "
			       "(stranded on the thread that blocked it)";
	}
	atomic_store(&rt_state.stop, 1);
	return NULL;
}

/* The main thread's part: a window of SIGUSR1 unblocked, then a wait,
 * blocking it, for two more signals handled, until the sender is done. */
static void retarget_toggle(const sigset_t *set)
{
	while (!atomic_load(&rt_state.stop)) {
		long h = atomic_load(&rt_state.handled);
		sigprocmask(SIG_UNBLOCK, set, NULL);
		sigprocmask(SIG_BLOCK, set, NULL);
		rt_state.cycles++;
		long long end = deadline_after(2 * WAIT_MS);
		while (atomic_load(&rt_state.handled) < h + 2 && !atomic_load(&rt_state.stop) &&
		       now_ms() < end)
			if (ncpus <= RETARGET_SLEEPERS + 1)
				sched_yield(); /* the sender and the sleepers need this CPU */
	}
}

static int check_sigmask_retarget(void)
{
	struct crew c;
	pthread_t sender;
	const char *why = NULL;
	sigset_t set, old;
	struct sigaction sa;

	memset(&rt_state, 0, sizeof(rt_state));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_retarget;
	if (sigaction(SIGUSR1, &sa, NULL))
		return fail("sigaction: %s", errname(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* the sleepers inherit SIGUSR1 unblocked */
	if (crew_start(&c, RETARGET_SLEEPERS, retarget_sleeper, NULL, 0))
		return crew_join(&c), fail("pthread_create: %s", errname(errno));
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&sender, NULL, retarget_sender, &why))
		why = "pthread_create failed";
	else {
		retarget_toggle(&set);
		pthread_join(sender, NULL);
	}
	atomic_store(&rt_state.stop, 1);
	for (int i = 0; i < c.n; i++)
		pthread_kill(c.t[i], SIGUSR1);
	crew_join(&c);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	if (why)
		return fail("after %ld signals: %s", atomic_load(&rt_state.sent), why);
	remark("%ld signals, %ld windows of the main thread", atomic_load(&rt_state.sent),
	       rt_state.cycles);
	return CHECK_OK;
}

/* ------------------------------------------------------------- mmap-churn */

struct churn {
	_Atomic(uint64_t *) region;   /* the mapping now, or NULL */
	_Atomic uint64_t gen;         /* the last generation written into it */
	_Atomic int stop;
	_Atomic long maps, touches, faults;
	char why[160];
};

static struct churn churn;

/* One toucher read: the word is 0 (a fresh mapping not filled yet) or a
 * generation the mapper has already started; anything else is memory the
 * region never held. */
static void churn_touch(uint64_t *r, uint64_t slot)
{
	uint64_t v = __atomic_fetch_add(&r[slot], 0, __ATOMIC_RELAXED); /* a read and a write */
	uint64_t now_gen = atomic_load(&churn.gen);

	if (v > now_gen && !churn.why[0])
		snprintf(churn.why, sizeof(churn.why), "read %#llx at word %llu (generation %llu)",
			 (unsigned long long)v, (unsigned long long)slot, (unsigned long long)now_gen);
	atomic_fetch_add(&churn.touches, 1);
}

/* churn_touch with a fault caught (the region went away under it). */
static void churn_guarded_touch(uint64_t *r, uint64_t slot)
{
	fault_armed = 1;
	if (sigsetjmp(fault_jmp, 1) == 0)
		churn_touch(r, slot);
	else
		atomic_fetch_add(&churn.faults, 1);
	fault_armed = 0;
}

static void *churn_toucher(void *arg)
{
	uint64_t slot = (uint64_t)(uintptr_t)arg * 61;

	while (!atomic_load(&churn.stop)) {
		uint64_t *r = atomic_load(&churn.region);
		if (r)
			churn_guarded_touch(r, slot++ % (CHURN_PAGES * 4096 / 8));
	}
	return NULL;
}

/* The mapper: map (MAP_SHARED or MAP_PRIVATE as share says), fill with
 * the generation, publish, unmap; PART_MS, and one cycle at the least (a
 * vCPU the host stops for PART_MS right after the clock was read, 8 on 2
 * busy cores, is slow, not stuck). */
static void churn_mapper(int share)
{
	long long end = deadline_after(PART_MS);
	size_t len = CHURN_PAGES * 4096;

	while (now_ms() < end || atomic_load(&churn.maps) == 0) {
		uint64_t *r = mmap(NULL, len, PROT_READ | PROT_WRITE, share | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED) {
			snprintf(churn.why, sizeof(churn.why), "mmap: %s", errname(errno));
			return;
		}
		uint64_t g = atomic_fetch_add(&churn.gen, 1) + 1;
		atomic_store(&churn.region, r);
		for (size_t i = 0; i < len / 8; i++)
			r[i] = g;
		/* unmapped while published: a toucher may be reading it */
		if (munmap(r, len)) {
			snprintf(churn.why, sizeof(churn.why), "munmap: %s", errname(errno));
			return;
		}
		atomic_store(&churn.region, NULL);
		atomic_fetch_add(&churn.maps, 1);
	}
}

/* mmap-churn with share's mappings (MAP_SHARED or MAP_PRIVATE). */
static int mmap_churn(int share)
{
	int n = nworkers - 1 > 0 ? nworkers - 1 : 1;
	struct crew c;

	memset(&churn, 0, sizeof(churn));
	if (install_segv())
		return fail("sigaction: %s", errname(errno));
	for (int i = 0; i < n; i++) {
		if (pthread_create(&c.t[i], NULL, churn_toucher, (void *)(uintptr_t)i)) {
			c.n = i;
			atomic_store(&churn.stop, 1);
			crew_join(&c);
			return fail("pthread_create failed");
		}
	}
	c.n = n;
	churn_mapper(share);
	atomic_store(&churn.stop, 1);
	crew_join(&c);
	signal(SIGSEGV, SIG_DFL);
	if (churn.why[0])
		return fail("%s", churn.why);
	if (churn.maps == 0)
		return fail("no map/unmap cycle, and no reason");
	remark("%d threads, %ld maps, %ld touches, %ld faults caught", n, (long)churn.maps,
	       (long)churn.touches, (long)churn.faults);
	return CHECK_OK;
}

static int check_mmap_churn(void)
{
	return mmap_churn(MAP_SHARED);
}

static int check_mmap_churn_private(void)
{
	return mmap_churn(MAP_PRIVATE);
}

/* ------------------------------------------------------------- stale-tlb */

struct stale {
	_Atomic(volatile uint64_t *) page; /* the page to spin on, NULL between rounds */
	_Atomic int unmapped;             /* set once munmap returned */
	_Atomic long spins;               /* the reader's reads in this round */
	_Atomic int done;                 /* the reader's verdict for this round is in */
	_Atomic int quit;
	long late_reads;                  /* reads that succeeded after munmap returned */
	long faults, bad_value;
};

static struct stale st;

/* Spin on the round's page until a read faults; count the reads that
 * succeeded although munmap had returned before they began. */
static void stale_round(volatile uint64_t *p)
{
	volatile long late = 0;

	fault_armed = 1;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		for (;;) {
			int after = atomic_load(&st.unmapped);
			uint64_t v = *p;
			if (v != 0x5afe5afe5afe5afeull)
				st.bad_value++;
			atomic_fetch_add(&st.spins, 1);
			if (after && ++late > STALE_READS_MAX)
				break;
		}
		fault_armed = 0;
	} else {
		st.faults++;
	}
	st.late_reads += late;
	atomic_store(&st.done, 1);
}

static void *stale_reader(void *arg)
{
	(void)arg;
	pin_to(0);
	while (!atomic_load(&st.quit)) {
		volatile uint64_t *p = atomic_load(&st.page);
		if (p) {
			atomic_store(&st.page, NULL);
			stale_round(p);
		}
	}
	return NULL;
}

/* One round by the unmapper: map, hand over, wait for the reader to spin,
 * unmap, flag, wait for its verdict. False when the reader never answered. */
static bool stale_unmap_round(void)
{
	long long limit = deadline_after(LOST_MS);
	uint64_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return false;
	*p = 0x5afe5afe5afe5afeull;
	atomic_store(&st.spins, 0);
	atomic_store(&st.unmapped, 0);
	atomic_store(&st.done, 0);
	atomic_store(&st.page, p);
	while (atomic_load(&st.spins) < 100 && now_ms() < limit)
		sched_yield();
	munmap(p, 4096);
	atomic_store(&st.unmapped, 1);
	while (!atomic_load(&st.done) && now_ms() < limit)
		sched_yield();
	return atomic_load(&st.done);
}

static int check_stale_tlb(void)
{
	long long end = deadline_after(PART_MS);
	int rounds = 0, res = CHECK_OK;
	pthread_t t;

	memset(&st, 0, sizeof(st));
	if (install_segv())
		return fail("sigaction: %s", errname(errno));
	if (pthread_create(&t, NULL, stale_reader, NULL))
		return fail("pthread_create failed");
	pin_to(1);
	while (rounds < STALE_ROUNDS && (now_ms() < end || rounds < 10)) {
		if (!stale_unmap_round()) {
			res = fail("round %d: the reader neither faulted nor stopped in %d ms", rounds, LOST_MS);
			break;
		}
		rounds++;
		if (st.late_reads || st.bad_value)
			break;
	}
	atomic_store(&st.quit, 1);
	pthread_join(t, NULL);
	pin_to_all();
	signal(SIGSEGV, SIG_DFL);
	if (res != CHECK_OK)
		return res;
	if (st.late_reads)
		return fail("round %d: a read after munmap returned did not fault (stale TLB)", rounds);
	if (st.bad_value)
		return fail("round %d: the page read back a value never written", rounds);
	if (st.faults != rounds)
		return fail("%d rounds, %ld faults", rounds, st.faults);
	remark("%d munmaps under a spinning reader on %s, each faulted at once", rounds,
	       ncpus > 1 ? "another CPU" : "the one CPU");
	return CHECK_OK;
}

/* ------------------------------------------------------------- fault-same-page */

struct same {
	uint64_t *region;   /* this round's mapping */
	uint64_t round;
	_Atomic int waiting; /* workers at the gate */
	int n;
};

static struct same same;

/* The value worker me writes in round r: nonzero, unique per both. */
static uint64_t same_tag(int me, uint64_t r)
{
	return (r << 8) | (uint64_t)(me + 1);
}

/* Wait at the gate until every worker is there, then write this
 * worker's word of every page, first to last: all fault page 0 at once. */
static void *same_worker(void *arg)
{
	int me = (int)(uintptr_t)arg;

	pin_to(me);
	atomic_fetch_add(&same.waiting, 1);
	while (atomic_load(&same.waiting) < same.n)
		;
	for (int p = 0; p < SAME_PAGES; p++)
		same.region[p * 512 + me] = same_tag(me, same.round);
	return NULL;
}

/* Every worker's word of every page holds its tag: 0 or a failure. */
static int same_verify(void)
{
	for (int p = 0; p < SAME_PAGES; p++)
		for (int w = 0; w < same.n; w++)
			if (same.region[p * 512 + w] != same_tag(w, same.round))
				return fail("round %llu: page %d word %d holds %#llx, want %#llx",
					    (unsigned long long)same.round, p, w,
					    (unsigned long long)same.region[p * 512 + w],
					    (unsigned long long)same_tag(w, same.round));
	return CHECK_OK;
}

/* One round: a fresh mapping, the workers' writes, the check. */
static int same_round(void)
{
	size_t len = SAME_PAGES * 4096;
	struct crew c;

	same.region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (same.region == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	atomic_store(&same.waiting, 0);
	c.n = 0;
	for (int i = 0; i < same.n; i++, c.n++)
		if (pthread_create(&c.t[i], NULL, same_worker, (void *)(uintptr_t)i))
			break;
	atomic_fetch_add(&same.waiting, same.n - c.n); /* let the started ones past the gate */
	crew_join(&c);
	int res = c.n == same.n ? same_verify() : fail("pthread_create failed");
	munmap(same.region, len);
	return res;
}

static int check_fault_same_page(void)
{
	long long end = deadline_after(NEW_PART_MS);
	int res = CHECK_OK;

	/* one thread per CPU (at least two): each has a CPU of its own to
	 * spin at the gate on, so all fault at once without a tick between */
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS;

	same.round = 0;
	while (res == CHECK_OK && (now_ms() < end || same.round < 5)) {
		same.n = n;
		same.round++;
		res = same_round();
	}
	if (res == CHECK_OK)
		remark("%llu rounds, %d threads faulting %d pages each at once",
		       (unsigned long long)same.round, n, SAME_PAGES);
	return res;
}

/* ------------------------------------------------------------- cow-fork */

struct cowf {
	uint64_t *pages;     /* COW_PAGES private pages */
	_Atomic uint64_t seq; /* the writer's last value (written after the page) */
	_Atomic int stop;
	long writes;
	char why[160];
};

static struct cowf cowf;

/* Write 1, 2, 3... into the pages in turn, reading each back at once. */
static void *cow_writer(void *arg)
{
	(void)arg;
	for (uint64_t v = 1; !atomic_load(&cowf.stop) && !cowf.why[0]; v++) {
		volatile uint64_t *w = &cowf.pages[(v % COW_PAGES) * 512];
		*w = v;
		if (*w != v)
			snprintf(cowf.why, sizeof(cowf.why), "write %llu read back %#llx: lost",
				 (unsigned long long)v, (unsigned long long)*w);
		atomic_store(&cowf.seq, v);
		cowf.writes++;
	}
	return NULL;
}

/* In the child: each page holds a value the parent had written before
 * the fork (at most one past its count then); then the child's own
 * writes must hold. The exit status says which failed. */
static void cow_child(void)
{
	uint64_t seq = atomic_load(&cowf.seq);

	for (int p = 0; p < COW_PAGES; p++)
		if (cowf.pages[p * 512] > seq + 1 || cowf.pages[p * 512] == CHILD_MARK)
			_exit(2);
	for (int p = 0; p < COW_PAGES; p++)
		cowf.pages[p * 512] = CHILD_MARK;
	for (int p = 0; p < COW_PAGES; p++)
		if (cowf.pages[p * 512] != CHILD_MARK)
			_exit(3);
	_exit(0);
}

/* Fork over and over while the writer runs; check each child's status. */
static int cow_forks(long *forks)
{
	long long end = deadline_after(NEW_PART_MS);

	while (now_ms() < end && !cowf.why[0]) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork: %s", errname(errno));
		if (pid == 0)
			cow_child();
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return fail("child %d: status %#x (2: a value the parent never wrote, "
				    "3: its own write lost)", (int)pid, st);
		for (int p = 0; p < COW_PAGES; p++)
			if (cowf.pages[p * 512] == CHILD_MARK)
				return fail("page %d: the parent sees its child's write", p);
		(*forks)++;
	}
	return CHECK_OK;
}

static int check_cow_fork(void)
{
	long forks = 0;
	pthread_t t;

	memset(&cowf, 0, sizeof(cowf));
	cowf.pages = mmap(NULL, COW_PAGES * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cowf.pages == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	if (pthread_create(&t, NULL, cow_writer, NULL))
		return fail("pthread_create failed");
	int res = cow_forks(&forks);
	atomic_store(&cowf.stop, 1);
	pthread_join(t, NULL);
	munmap(cowf.pages, COW_PAGES * 4096);
	if (res != CHECK_OK)
		return res;
	if (cowf.why[0])
		return fail("%s", cowf.why);
	remark("%ld forks under a writer, %ld writes read back", forks, cowf.writes);
	return CHECK_OK;
}

/* ------------------------------------------------------------- munmap-fault */

struct mfault {
	_Atomic(uint64_t *) region;   /* this round's region while it is live, else NULL */
	_Atomic long ended;           /* the last round whose region was unmapped */
	_Atomic int acked;            /* touchers that saw that round end */
	_Atomic int stop;
	_Atomic long writes, faults;
	int n;                        /* touchers */
	char why[160];
};

static struct mfault mf;

/* One toucher's pass over a region: its word of each page, until a
 * write faults (the region went away under it). */
static void mf_pass(uint64_t *r, int me)
{
	fault_armed = 1;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		for (int p = 0; p < MF_PAGES; p++) {
			((volatile uint64_t *)r)[p * 512 + me] = (uint64_t)me + 1;
			atomic_fetch_add(&mf.writes, 1);
		}
	} else {
		atomic_fetch_add(&mf.faults, 1);
	}
	fault_armed = 0;
}

/* Touch the live region over and over. Once a round has ended (its
 * region unmapped, then `ended` raised), say so once: every pass begun
 * before has finished, and the region read after is the next round's. */
static void *mf_toucher(void *arg)
{
	int me = (int)(uintptr_t)arg;
	long acked_round = 0;

	pin_to(me + 1);
	while (!atomic_load(&mf.stop)) {
		long ended = atomic_load(&mf.ended);
		if (ended != acked_round) {
			acked_round = ended;
			atomic_fetch_add(&mf.acked, 1);
			continue;
		}
		uint64_t *r = atomic_load(&mf.region);
		if (r)
			mf_pass(r, me);
		else
			sched_yield();
	}
	return NULL;
}

/* After a round: a new mapping at the region's address has no page
 * resident and reads zero. 0, or a failure. */
static int mf_check_fresh(uint64_t *old, long round)
{
	size_t len = MF_PAGES * 4096;
	unsigned char vec[MF_PAGES];
	uint64_t *q = mmap(old, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (q == MAP_FAILED)
		return fail("round %ld: mmap at the old address: %s", round, errname(errno));
	int res = CHECK_OK;
	if (mincore(q, len, vec))
		res = fail("round %ld: mincore: %s", round, errname(errno));
	for (int p = 0; res == CHECK_OK && p < MF_PAGES; p++)
		if (vec[p] & 1)
			res = fail("round %ld: page %d of a fresh mapping is resident: a fault "
				   "that raced munmap left it", round, p);
	for (size_t i = 0; res == CHECK_OK && i < len / 8; i++)
		if (q[i])
			res = fail("round %ld: a fresh mapping holds %#llx at word %zu", round,
				   (unsigned long long)q[i], i);
	munmap(q, len);
	return res;
}

/* One round: map, publish, let the touchers fault it for a moment,
 * unmap it under them, wait until each saw the round end, check. */
static int mf_round(long round)
{
	size_t len = MF_PAGES * 4096;
	long long limit = deadline_after(LOST_MS);
	uint64_t *r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		return fail("round %ld: mmap: %s", round, errname(errno));
	atomic_store(&mf.acked, 0);
	long before = atomic_load(&mf.writes);
	atomic_store(&mf.region, r);
	while (atomic_load(&mf.writes) < before + 2 && now_ms() < limit)
		sched_yield(); /* a fault or two in: the unmap races the rest */
	if (munmap(r, len))
		return fail("round %ld: munmap: %s", round, errname(errno));
	atomic_store(&mf.region, NULL);
	atomic_store(&mf.ended, round);
	while (atomic_load(&mf.acked) < mf.n && now_ms() < limit)
		sched_yield();
	if (atomic_load(&mf.acked) < mf.n)
		return fail("round %ld: a toucher did not see the round end in %d ms", round, LOST_MS);
	return mf_check_fresh(r, round);
}

static int check_munmap_fault(void)
{
	long long end = deadline_after(NEW_PART_MS);
	struct crew c;
	int res = CHECK_OK;
	long round = 0;

	memset(&mf, 0, sizeof(mf));
	mf.n = ncpus - 1 > MIN_WORKERS ? ncpus - 1 : MIN_WORKERS;
	if (install_segv())
		return fail("sigaction: %s", errname(errno));
	c.n = 0;
	for (int i = 0; i < mf.n; i++, c.n++)
		if (pthread_create(&c.t[i], NULL, mf_toucher, (void *)(uintptr_t)i))
			break;
	if (c.n < mf.n)
		res = fail("pthread_create failed");
	pin_to(0);
	while (res == CHECK_OK && (now_ms() < end || round < 10))
		res = mf_round(++round);
	atomic_store(&mf.stop, 1);
	crew_join(&c);
	pin_to_all();
	signal(SIGSEGV, SIG_DFL);
	if (res == CHECK_OK)
		remark("%ld rounds, %d touchers, %ld writes, %ld faults caught", round, mf.n,
		       (long)mf.writes, (long)mf.faults);
	return res;
}

/* ------------------------------------------------------------- mmap-threads */

struct mt_region {
	uint64_t *at;
	size_t pages;
	uint64_t tag;
};

struct mt_worker {
	int me;
	_Atomic long maps;            /* read by the main thread while the worker runs */
	long taken;                   /* MAP_FIXED_NOREPLACE found its range taken */
	long claims;                  /* slots held */
	char why[160];
};

static _Atomic int mt_stop;
static uint8_t *mt_slots;      /* MT_SLOTS ranges of MT_SLOT_PAGES, side by side, from MT_SLOT_BASE */
static _Atomic int mt_owner[MT_SLOTS]; /* the holder of each slot + 1, or 0 */

/* The tag worker me writes into its k-th region: unique per both. */
static uint64_t mt_tag(int me, long k)
{
	return ((uint64_t)(me + 1) << 48) | (uint64_t)k;
}

/* Every page of region g holds its tag in its first and last word. */
static bool mt_intact(const struct mt_region *g, char *why, size_t n)
{
	for (size_t p = 0; p < g->pages; p++) {
		uint64_t a = g->at[p * 512], b = g->at[p * 512 + 511];
		if (a != g->tag || b != g->tag) {
			snprintf(why, n, "region at %p page %zu holds %#llx/%#llx, want %#llx", (void *)g->at,
				 p, (unsigned long long)a, (unsigned long long)b, (unsigned long long)g->tag);
			return false;
		}
	}
	return true;
}

/* Every other time, the slot's last address again with
 * MAP_FIXED_NOREPLACE (EEXIST when another thread has mapped there since:
 * a region of its own, never to be replaced), else anywhere. */
static uint64_t *mt_mmap(struct mt_worker *w, uint64_t *last, size_t len)
{
	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;

	if (last && (w->maps & 1)) {
		uint64_t *r = mmap(last, len, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
		if (r != MAP_FAILED || errno != EEXIST)
			return r;
		w->taken++;
	}
	return mmap(NULL, len, prot, flags, -1, 0);
}

/* A new region in g: mapped, found zero, tagged, then read-only for a
 * moment (mprotect) and writable again. False with why filled in. */
static bool mt_map(struct mt_worker *w, struct mt_region *g, uint64_t *last)
{
	g->pages = 1 + (size_t)(w->maps % MT_PAGES_MAX);
	g->tag = mt_tag(w->me, w->maps);
	g->at = mt_mmap(w, last, g->pages * 4096);
	if (g->at == MAP_FAILED) {
		snprintf(w->why, sizeof(w->why), "mmap: %s", errname(errno));
		g->at = NULL;
		return false;
	}
	for (size_t p = 0; p < g->pages; p++) {
		if (g->at[p * 512] || g->at[p * 512 + 511]) {
			snprintf(w->why, sizeof(w->why), "a fresh region at %p holds %#llx on page %zu",
				 (void *)g->at, (unsigned long long)(g->at[p * 512] | g->at[p * 512 + 511]), p);
			return false;
		}
		g->at[p * 512] = g->at[p * 512 + 511] = g->tag;
	}
	if (mprotect(g->at, g->pages * 4096, PROT_READ) ||
	    mprotect(g->at, g->pages * 4096, PROT_READ | PROT_WRITE)) {
		snprintf(w->why, sizeof(w->why), "mprotect: %s", errname(errno));
		return false;
	}
	w->maps++;
	return true;
}

/* Check and unmap region g (if any). False with why filled in. */
static bool mt_unmap(struct mt_worker *w, struct mt_region *g)
{
	if (!g->at)
		return true;
	if (!mt_intact(g, w->why, sizeof(w->why)))
		return false;
	if (munmap(g->at, g->pages * 4096)) {
		snprintf(w->why, sizeof(w->why), "munmap: %s", errname(errno));
		return false;
	}
	g->at = NULL;
	return true;
}

/* Claim slot s with MAP_FIXED_NOREPLACE: EEXIST while another thread
 * holds it. Once held, the slot's owner word must be free (two holders
 * at once: a NOREPLACE that replaced); the region is left untouched, so
 * its munmap needs no TLB shootdown and claims come fast. The owner word
 * is given back before the munmap. False with why filled in. */
static bool mt_claim(struct mt_worker *w, int s)
{
	size_t len = MT_SLOT_PAGES * 4096;
	int none = 0;
	void *r = mmap(mt_slots + (size_t)s * len, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (r == MAP_FAILED && errno == EEXIST) {
		w->taken++;
		return true;
	}
	if (r == MAP_FAILED) {
		snprintf(w->why, sizeof(w->why), "mmap of slot %d: %s", s, errname(errno));
		return false;
	}
	if (!atomic_compare_exchange_strong(&mt_owner[s], &none, w->me + 1)) {
		snprintf(w->why, sizeof(w->why), "slot %d mapped by MAP_FIXED_NOREPLACE while thread "
			 "%d holds it", s, none - 1);
		return false;
	}
	w->claims++;
	atomic_store(&mt_owner[s], 0);
	if (munmap(r, len)) {
		snprintf(w->why, sizeof(w->why), "munmap of slot %d: %s", s, errname(errno));
		return false;
	}
	return true;
}

static void *mt_worker(void *arg)
{
	struct mt_worker *w = arg;
	struct mt_region live[MT_LIVE];
	bool ok = true;

	memset(live, 0, sizeof(live));
	pin_to(w->me);
	for (long k = 0; ok && !atomic_load(&mt_stop); k++) {
		struct mt_region *g = &live[k % MT_LIVE];
		uint64_t *last = g->at;
		ok = mt_unmap(w, g) && mt_map(w, g, last);
		for (int c = 0; ok && c < MT_CLAIMS; c++)
			ok = mt_claim(w, c % MT_SLOTS);
	}
	for (int i = 0; ok && i < MT_LIVE; i++)
		ok = mt_unmap(w, &live[i]);
	if (!ok)
		atomic_store(&mt_stop, 1);
	return NULL;
}

/* Has each of the n workers made a mapping? */
static bool mt_all_mapped(struct mt_worker *w, int n)
{
	for (int i = 0; i < n; i++)
		if (!atomic_load(&w[i].maps))
			return false;
	return true;
}

static int check_mmap_threads(void)
{
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS;
	struct mt_worker w[MAX_WORKERS];
	struct crew c;
	long maps = 0, taken = 0, claims = 0;
	size_t slots_len = MT_SLOTS * MT_SLOT_PAGES * 4096;

	memset(w, 0, sizeof(w));
	atomic_store(&mt_stop, 0);
	for (int i = 0; i < MT_SLOTS; i++)
		atomic_store(&mt_owner[i], 0);
	/* the slots' range: free (NOREPLACE takes it), then given back */
	mt_slots = mmap((void *)MT_SLOT_BASE, slots_len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mt_slots == MAP_FAILED || munmap(mt_slots, slots_len))
		return fail("mmap of the slots' range at %#lx: %s", MT_SLOT_BASE, errname(errno));
	for (int i = 0; i < n; i++)
		w[i].me = i;
	if (crew_start(&c, n, mt_worker, w, sizeof(w[0]))) {
		atomic_store(&mt_stop, 1);
		crew_join(&c);
		return fail("pthread_create: %s", errname(errno));
	}
	/* PART_MS, and on until every thread made a mapping: a vCPU the
	 * host runs late (4 on 2 busy cores) is slow, not stuck */
	long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);
	while (!atomic_load(&mt_stop) && now_ms() < lost &&
	       (now_ms() < end || !mt_all_mapped(w, n)))
		usleep(10000);
	atomic_store(&mt_stop, 1);
	crew_join(&c);
	pin_to_all();
	for (int i = 0; i < n; i++) {
		if (w[i].why[0])
			return fail("thread %d after %ld maps: %s", i, w[i].maps, w[i].why);
		if (!w[i].maps)
			return fail("thread %d made no mapping in %d ms", i, LOST_MS);
		maps += w[i].maps;
		taken += w[i].taken;
		claims += w[i].claims;
	}
	remark("%d threads, %ld mmap+mprotect+munmap, every region intact (%ld slots claimed, "
	       "%ld MAP_FIXED_NOREPLACE found the range taken)", n, maps, claims, taken);
	return CHECK_OK;
}

/* ------------------------------------------------------------- mremap-madvise */

struct mr_worker {
	int me;
	uint64_t *slot;               /* MR_SLOT_PAGES of this thread's own, from MR_SLOT_BASE */
	long rounds;
	long grown_moved, grown_in_place; /* mremap MAYMOVE to twice the size */
	long discarded;               /* pages madvise(MADV_DONTNEED) dropped */
	long fixed, dontunmap;        /* MREMAP_FIXED moves into the slot, without and with MREMAP_DONTUNMAP */
	long gone_unmapped;           /* a range given up was unmapped (mincore ENOMEM) */
	long gone_reused;             /* ... or another thread had mapped there already, without our words */
	char why[200];
};

/* The discard race: writers each own one word of every page of one
 * region, a discarder drops the region's pages under them. */
static struct {
	uint64_t *region;             /* MR_RACE_PAGES, private anonymous, shared by the threads */
	_Atomic uint64_t seq[MR_RACE_WRITERS]; /* the last sequence each writer began to write */
	_Atomic long writes, zero_backs, zero_finds, discards;
	_Atomic int failed;           /* the first failure fills why */
	char why[200];
} mrr;

static _Atomic int mr_stop;
static _Atomic int mr_ready;   /* threads past their least work (MR_MIN_ROUNDS, MR_RACE_MIN_PASSES) */

/* The word thread me writes all over page p of its round k's region:
 * unique per all three, never zero. */
static uint64_t mr_tag(int me, long k, size_t p)
{
	return ((uint64_t)(me + 1) << 56) | ((uint64_t)k << 8) | (uint64_t)p;
}

/* Pages [from, to) of r: every word set to its tag. */
static void mr_fill(uint64_t *r, size_t from, size_t to, int me, long k)
{
	for (size_t p = from; p < to; p++)
		for (size_t i = 0; i < 512; i++)
			r[p * 512 + i] = mr_tag(me, k, p);
}

/* Pages [from, to) of r hold their tags in every word (or, when zero,
 * only zeros). False with why filled in, naming the step. */
static bool mr_expect(struct mr_worker *w, const uint64_t *r, size_t from, size_t to, bool zero,
		      long k, const char *step)
{
	for (size_t p = from; p < to; p++)
		for (size_t i = 0; i < 512; i++) {
			uint64_t want = zero ? 0 : mr_tag(w->me, k, p);
			if (r[p * 512 + i] == want)
				continue;
			snprintf(w->why, sizeof(w->why), "round %ld, %s: page %zu word %zu at %p holds "
				 "%#llx, want %#llx", k, step, p, i, (const void *)r,
				 (unsigned long long)r[p * 512 + i], (unsigned long long)want);
			return false;
		}
	return true;
}

/* Does any word of [at, at + pages) hold one of thread me's round k
 * tags? Read under the fault helper: a fault (another thread unmapped
 * the range meanwhile) counts as no. */
static bool mr_holds_ours(const uint64_t *at, size_t pages, int me, long k)
{
	volatile bool found = false;

	fault_armed = 1;
	if (sigsetjmp(fault_jmp, 1) == 0)
		for (size_t i = 0; i < pages * 512 && !found; i++)
			found = ((volatile const uint64_t *)at)[i] >> 8 == mr_tag(me, k, 0) >> 8;
	fault_armed = 0;
	return found;
}

/* The range [at, at + pages) that this thread's round k gave up is no
 * longer its mapping. In its own slot nobody else maps: mincore must
 * fail with ENOMEM. Elsewhere another thread's mmap may already have
 * taken the hole: then the range must hold none of our words. */
static bool mr_gone(struct mr_worker *w, uint64_t *at, size_t pages, bool in_slot, long k,
		    const char *step)
{
	unsigned char vec[2 * MR_PAGES_MAX];

	if (mincore(at, pages * 4096, vec) == -1 && errno == ENOMEM) {
		w->gone_unmapped++;
		return true;
	}
	if (!in_slot && !mr_holds_ours(at, pages, w->me, k)) {
		w->gone_reused++;
		return true;
	}
	snprintf(w->why, sizeof(w->why), "round %ld, %s: %zu pages at %p still mapped%s", k, step,
		 pages, (void *)at, in_slot ? " (mincore succeeded)" : ", with our words");
	return false;
}

/* Grow the n-page region *r to 2n pages with MREMAP_MAYMOVE: its pages
 * keep their tags wherever it lands, the added ones read zero (then get
 * theirs); the range it left (if apart from the new one) is gone.
 * False with why filled in. */
static bool mr_grow(struct mr_worker *w, uint64_t **r, size_t n, long k)
{
	uint64_t *q = mremap(*r, n * 4096, 2 * n * 4096, MREMAP_MAYMOVE);

	if (q == MAP_FAILED) {
		snprintf(w->why, sizeof(w->why), "round %ld: mremap to %zu pages: %s", k, 2 * n,
			 errname(errno));
		return false;
	}
	bool apart = q + 2 * n * 512 <= *r || *r + n * 512 <= q; /* Linux's moves always are */
	if (q != *r && apart && !mr_gone(w, *r, n, false, k, "the range a grow left"))
		return false;
	*(q != *r ? &w->grown_moved : &w->grown_in_place) += 1;
	*r = q;
	if (!mr_expect(w, q, 0, n, false, k, "after the grow") ||
	    !mr_expect(w, q, n, 2 * n, true, k, "the grown part"))
		return false;
	mr_fill(q, n, 2 * n, w->me, k);
	return true;
}

/* madvise(MADV_DONTNEED) a sub-range of the pages of r (chosen by k):
 * those read zero, the others keep their tags; then all are tagged
 * again. False with why filled in. */
static bool mr_discard(struct mr_worker *w, uint64_t *r, size_t pages, long k)
{
	size_t a = (size_t)k % pages, m = 1 + (size_t)(k / 3) % (pages - a);

	if (madvise(r + a * 512, m * 4096, MADV_DONTNEED)) {
		snprintf(w->why, sizeof(w->why), "round %ld: madvise(MADV_DONTNEED): %s", k,
			 errname(errno));
		return false;
	}
	w->discarded += m;
	if (!mr_expect(w, r, 0, a, false, k, "before the discarded pages") ||
	    !mr_expect(w, r, a, a + m, true, k, "a discarded page") ||
	    !mr_expect(w, r, a + m, pages, false, k, "after the discarded pages"))
		return false;
	mr_fill(r, a, a + m, w->me, k);
	return true;
}

/* Move region *r into the thread's slot with MREMAP_MAYMOVE |
 * MREMAP_FIXED, every other time with MREMAP_DONTUNMAP too: the slot
 * then holds the tags; the old range is gone, or (DONTUNMAP) still
 * mapped, reading zero, and is unmapped here. False with why filled in. */
static bool mr_move(struct mr_worker *w, uint64_t **r, size_t pages, long k)
{
	bool keep = w->fixed > w->dontunmap;
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED | (keep ? MREMAP_DONTUNMAP : 0);
	uint64_t *q = mremap(*r, pages * 4096, pages * 4096, flags, w->slot);

	if (q != w->slot) {
		snprintf(w->why, sizeof(w->why), "round %ld: mremap(FIXED%s) to %p gave %p: %s", k,
			 keep ? "|DONTUNMAP" : "", (void *)w->slot, (void *)q, errname(errno));
		return false;
	}
	*(keep ? &w->dontunmap : &w->fixed) += 1;
	uint64_t *old = *r;
	*r = q;
	if (!mr_expect(w, q, 0, pages, false, k, keep ? "moved with DONTUNMAP" : "moved with FIXED"))
		return false;
	if (!keep)
		return mr_gone(w, old, pages, false, k, "the range a FIXED move left");
	if (!mr_expect(w, old, 0, pages, true, k, "the range DONTUNMAP kept"))
		return false;
	if (munmap(old, pages * 4096)) {
		snprintf(w->why, sizeof(w->why), "round %ld: munmap of the kept range: %s", k,
			 errname(errno));
		return false;
	}
	return true;
}

/* Shrink region r from pages to s pages in place (no flags): the same
 * address, the kept pages' tags intact, the cut tail gone. */
static bool mr_shrink(struct mr_worker *w, uint64_t *r, size_t pages, size_t s, bool in_slot, long k)
{
	uint64_t *q = mremap(r, pages * 4096, s * 4096, 0);

	if (q != r) {
		snprintf(w->why, sizeof(w->why), "round %ld: mremap shrink of %p gave %p: %s", k,
			 (void *)r, (void *)q, errname(errno));
		return false;
	}
	return mr_expect(w, r, 0, s, false, k, "after the shrink") &&
	       mr_gone(w, r + s * 512, pages - s, in_slot, k, "the cut tail");
}

/* One round k: map n pages (1..MR_PAGES_MAX), tag them, grow, discard
 * part, now and then move into the slot, shrink, unmap. */
static bool mr_round(struct mr_worker *w, long k)
{
	size_t n = 1 + (size_t)k % MR_PAGES_MAX, s = 1 + (size_t)k % (2 * n - 1);
	bool move = k % MR_MOVE_EVERY == MR_MOVE_EVERY - 1;
	uint64_t *r = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED) {
		snprintf(w->why, sizeof(w->why), "round %ld: mmap: %s", k, errname(errno));
		return false;
	}
	if (!mr_expect(w, r, 0, n, true, k, "a fresh region"))
		return false;
	mr_fill(r, 0, n, w->me, k);
	if (!mr_grow(w, &r, n, k) || !mr_discard(w, r, 2 * n, k) ||
	    (move && !mr_move(w, &r, 2 * n, k)) || !mr_shrink(w, r, 2 * n, s, move, k))
		return false;
	if (munmap(r, s * 4096)) {
		snprintf(w->why, sizeof(w->why), "round %ld: munmap: %s", k, errname(errno));
		return false;
	}
	return true;
}

static void *mr_worker(void *arg)
{
	struct mr_worker *w = arg;
	bool ok = true;

	pin_to(w->me);
	for (long k = 0; ok && !atomic_load(&mr_stop); k++) {
		ok = mr_round(w, k);
		w->rounds += ok;
		atomic_fetch_add(&mr_ready, ok && w->rounds == MR_MIN_ROUNDS);
	}
	if (!ok)
		atomic_store(&mr_stop, 1);
	return NULL;
}

/* The race's first failure: its why, and the stop of every thread. */
__attribute__((format(printf, 1, 2)))
static void mrr_fail(const char *fmt, ...)
{
	int none = 0;
	va_list ap;

	if (atomic_compare_exchange_strong(&mrr.failed, &none, 1)) {
		va_start(ap, fmt);
		vsnprintf(mrr.why, sizeof(mrr.why), fmt, ap);
		va_end(ap);
	}
	atomic_store(&mr_stop, 1);
}

/* What writer me writes as its seq-th value: its own, never zero. */
static uint64_t mrr_value(int me, uint64_t seq)
{
	return ((uint64_t)(me + 1) << 56) | seq;
}

/* Writer me: its word of every page, over and over, each pass a new
 * value. Before the write the word holds the last value written there or
 * zero (discarded since); right after it, the value just written or zero
 * (a discard landed between the two: counted, as Linux allows it). */
static void *mrr_writer(void *arg)
{
	int me = (int)(uintptr_t)arg;
	volatile uint64_t *r = mrr.region;
	uint64_t last[MR_RACE_PAGES] = { 0 };
	long writes = 0, zero_backs = 0, zero_finds = 0;

	pin_to(me);
	for (uint64_t seq = 1; !atomic_load(&mr_stop); seq++) {
		atomic_fetch_add(&mr_ready, seq == MR_RACE_MIN_PASSES);
		atomic_store(&mrr.seq[me], seq);
		for (size_t p = 0; p < MR_RACE_PAGES; p++, writes++) {
			volatile uint64_t *word = &r[p * 512 + (size_t)me * MR_RACE_STRIDE];
			uint64_t v = mrr_value(me, seq), before = *word;
			if (before != last[p] && before != 0)
				mrr_fail("writer %d page %zu: its word holds %#llx before its write, "
					 "last written %#llx", me, p, (unsigned long long)before,
					 (unsigned long long)last[p]);
			zero_finds += before == 0 && last[p] != 0;
			*word = v;
			uint64_t back = *word;
			if (back != v && back != 0)
				mrr_fail("writer %d page %zu: its word holds %#llx right after it "
					 "wrote %#llx", me, p, (unsigned long long)back,
					 (unsigned long long)v);
			zero_backs += back == 0;
			last[p] = v;
		}
		if (atomic_load(&mrr.failed))
			break;
		if (seq % MR_RACE_YIELD_EVERY == 0)
			sched_yield(); /* the CPU to the part's other threads: their syscalls are the point */
	}
	atomic_fetch_add(&mrr.writes, writes);
	atomic_fetch_add(&mrr.zero_backs, zero_backs);
	atomic_fetch_add(&mrr.zero_finds, zero_finds);
	return NULL;
}

/* Every word of the race region: a writer's word is zero or a value of
 * that writer's not beyond its last sequence, any other word zero. */
static void mrr_scan(void)
{
	const volatile uint64_t *r = mrr.region;

	for (size_t p = 0; p < MR_RACE_PAGES; p++)
		for (size_t i = 0; i < 512; i++) {
			uint64_t v = r[p * 512 + i];
			size_t wr = i / MR_RACE_STRIDE;
			if (v == 0)
				continue;
			if (i % MR_RACE_STRIDE || wr >= MR_RACE_WRITERS)
				mrr_fail("word %zu of page %zu holds %#llx, which nobody writes", i, p,
					 (unsigned long long)v);
			else if (v >> 56 != wr + 1 || (v & ((1ull << 56) - 1)) > atomic_load(&mrr.seq[wr]))
				mrr_fail("writer %zu's word of page %zu holds %#llx, not one of its "
					 "values up to sequence %llu", wr, p, (unsigned long long)v,
					 (unsigned long long)atomic_load(&mrr.seq[wr]));
		}
}

/* The discarder: madvise(MADV_DONTNEED) of the whole region, or of one
 * page of it in turn, over and over, a scan of every word after each. */
static void *mrr_discarder(void *arg)
{
	size_t len = MR_RACE_PAGES * 4096;

	pin_to((int)(uintptr_t)arg);
	for (long d = 0; !atomic_load(&mr_stop); d++) {
		atomic_fetch_add(&mr_ready, d == MR_RACE_MIN_PASSES);
		size_t p = (size_t)d % (MR_RACE_PAGES + 1); /* MR_RACE_PAGES: all of them */
		int e = p == MR_RACE_PAGES ? madvise(mrr.region, len, MADV_DONTNEED)
					   : madvise(mrr.region + p * 512, 4096, MADV_DONTNEED);
		if (e)
			mrr_fail("madvise(MADV_DONTNEED) %ld (page %zu): %s", d, p, errname(errno));
		atomic_fetch_add(&mrr.discards, 1);
		mrr_scan();
		if (atomic_load(&mrr.failed))
			break;
	}
	return NULL;
}

/* The race's threads: MR_RACE_WRITERS writers on CPUs 0.., the
 * discarder after them. 0, or -1 with errno (those started are joined). */
static int mrr_start(pthread_t *t)
{
	for (int i = 0; i <= MR_RACE_WRITERS; i++) {
		int e = pthread_create(&t[i], NULL, i < MR_RACE_WRITERS ? mrr_writer : mrr_discarder,
				       (void *)(uintptr_t)i);
		if (e) {
			atomic_store(&mr_stop, 1);
			while (i-- > 0)
				pthread_join(t[i], NULL);
			errno = e;
			return -1;
		}
	}
	return 0;
}

/* The workers' counts summed into total: CHECK_OK, or fail(...) with the
 * first failure a worker or the race recorded. */
static int mr_collect(const struct mr_worker *w, int n, struct mr_worker *total)
{
	memset(total, 0, sizeof(*total));
	for (int i = 0; i < n; i++) {
		if (w[i].why[0])
			return fail("thread %d after %ld rounds: %s", i, w[i].rounds, w[i].why);
		total->rounds += w[i].rounds;
		total->grown_moved += w[i].grown_moved;
		total->grown_in_place += w[i].grown_in_place;
		total->discarded += w[i].discarded;
		total->fixed += w[i].fixed;
		total->dontunmap += w[i].dontunmap;
		total->gone_unmapped += w[i].gone_unmapped;
		total->gone_reused += w[i].gone_reused;
	}
	if (mrr.why[0])
		return fail("discard race: %s", mrr.why);
	return CHECK_OK;
}

/* Wait NEW_PART_MS, and on a loaded host until all threads did their
 * least, unless one failed. CHECK_OK, or a failure after LOST_MS. */
static int mr_wait(int all)
{
	long long end = deadline_after(NEW_PART_MS), lost = deadline_after(LOST_MS);

	while ((now_ms() < end || atomic_load(&mr_ready) < all) && !atomic_load(&mr_stop)) {
		if (now_ms() >= lost)
			return fail("%d of %d threads did their least in %d ms",
				    atomic_load(&mr_ready), all, LOST_MS);
		usleep(10000);
	}
	return CHECK_OK;
}

/* Both halves at once, every call of one racing the others' on one
 * address space: NEW_PART_MS, and on a loaded host until every thread did
 * its least (MR_MIN_ROUNDS rounds, MR_RACE_MIN_PASSES passes), so that
 * all of them ran together; LOST_MS without that fails. */
static int mr_run(struct mr_worker *w, int n)
{
	struct crew c;
	pthread_t race[MR_RACE_WRITERS + 1];

	if (crew_start(&c, n, mr_worker, w, sizeof(w[0]))) {
		atomic_store(&mr_stop, 1);
		crew_join(&c);
		return fail("pthread_create: %s", errname(errno));
	}
	if (mrr_start(race)) {
		crew_join(&c);
		return fail("pthread_create: %s", errname(errno));
	}
	int res = mr_wait(n + MR_RACE_WRITERS + 1);
	atomic_store(&mr_stop, 1);
	crew_join(&c);
	for (int i = 0; i <= MR_RACE_WRITERS; i++)
		pthread_join(race[i], NULL);
	pin_to_all();
	return res;
}

static int check_mremap_madvise(void)
{
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS;
	struct mr_worker w[MAX_WORKERS], t;
	size_t slot_len = MR_SLOT_PAGES * 4096ul, slots_len = MAX_WORKERS * slot_len;
	size_t race_len = MR_RACE_PAGES * 4096;

	memset(w, 0, sizeof(w));
	memset(&mrr, 0, sizeof(mrr));
	atomic_store(&mr_stop, 0);
	atomic_store(&mr_ready, 0);
	/* the slots' range: free (NOREPLACE takes it), then given back */
	uint8_t *slots = mmap((void *)MR_SLOT_BASE, slots_len, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (slots == MAP_FAILED || munmap(slots, slots_len))
		return fail("mmap of the slots' range at %#lx: %s", MR_SLOT_BASE, errname(errno));
	if (install_segv())
		return fail("sigaction: %s", errname(errno));
	mrr.region = mmap(NULL, race_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mrr.region == MAP_FAILED) {
		signal(SIGSEGV, SIG_DFL);
		return fail("mmap of the race's region: %s", errname(errno));
	}
	for (int i = 0; i < n; i++) {
		w[i].me = i;
		w[i].slot = (uint64_t *)(slots + (size_t)i * slot_len);
	}
	int res = mr_run(w, n);
	signal(SIGSEGV, SIG_DFL);
	munmap(mrr.region, race_len);
	if (res == CHECK_OK)
		res = mr_collect(w, n, &t);
	if (res != CHECK_OK)
		return res;
	/* c_note holds 199 characters: terse. "left reused": ranges a thread
	 * gave up (a grow or a FIXED move left, a shrink cut) that another's
	 * mmap had taken already, of all those checked; "read back 0": a
	 * discard between a write and its read-back; "found 0": before a write */
	remark("%d threads, %ld rounds: %ld/%ld grows moved, %ld FIXED+%ld DONTUNMAP, %ld pages "
	       "discarded, %ld/%ld left reused; race: %ld writes, %ld discards, %ld read back 0, "
	       "%ld found 0", n, t.rounds, t.grown_moved, t.grown_moved + t.grown_in_place, t.fixed,
	       t.dontunmap, t.discarded, t.gone_reused, t.gone_reused + t.gone_unmapped,
	       (long)mrr.writes, (long)mrr.discards, (long)mrr.zero_backs, (long)mrr.zero_finds);
	return CHECK_OK;
}

/* ------------------------------------------------------------- pipe records */

#define REC_SIZE   PIPE_BUF    /* a write of at most PIPE_BUF bytes is atomic */
#define REC_WORDS  (REC_SIZE / sizeof(long))

#define REC_FD_EVERY 8            /* unix-records: a record whose sequence is a multiple carries a descriptor */

static struct {
	int fd[2];
	bool sock;                     /* an AF_UNIX stream socketpair (unix-records), not a pipe */
	int passed;                    /* unix-records: the descriptor (an AF_UNIX socket) some records carry */
	_Atomic long fds_got;          /* unix-records: descriptors recvmsg handed over */
	long total;                    /* records that went through (run_records) */
	_Atomic int writers_left;
	long long lost;                /* a writer's least not put by then: it fails (LOST_MS) */
	long written[MAX_WORKERS];     /* records each writer put */
	_Atomic long seen_sum[MAX_WORKERS]; /* sum of the sequence numbers read, per writer */
	_Atomic long seen[MAX_WORKERS];
	char why[160];
	_Atomic int failed;
} recs;

static void rec_fail(const char *what, long a, long b)
{
	if (atomic_exchange(&recs.failed, 1) == 0)
		snprintf(recs.why, sizeof(recs.why), "%s (%ld, %ld)", what, a, b);
}

/* unix-records: does the record of this sequence carry a descriptor? */
static bool rec_has_fd(long seq)
{
	return recs.sock && seq % REC_FD_EVERY == 0;
}

/* One record out: write(2) into a pipe; into a socket, write, send,
 * writev and sendmsg in turn (the last with the descriptor when
 * rec_has_fd), every way the call can come in. */
static ssize_t rec_put(const long *rec, long seq)
{
	struct iovec v[2] = { { (void *)rec, REC_SIZE / 2 }, { (char *)rec + REC_SIZE / 2, REC_SIZE / 2 } };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh = { .msg_iov = v, .msg_iovlen = 2 };

	if (!recs.sock || seq % 4 == 1)
		return write(recs.fd[1], rec, REC_SIZE);
	if (seq % 4 == 2)
		return send(recs.fd[1], rec, REC_SIZE, MSG_NOSIGNAL);
	if (seq % 4 == 3 && !rec_has_fd(seq))
		return writev(recs.fd[1], v, 2);
	if (rec_has_fd(seq)) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_RIGHTS;
		ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&ctl.h), &recs.passed, sizeof(int));
	}
	return sendmsg(recs.fd[1], &mh, MSG_NOSIGNAL);
}

/* The records a writer puts at the least: one; for unix-records, up to
 * its first record that carries a descriptor. */
static long rec_least(void)
{
	return recs.sock ? REC_FD_EVERY : 1;
}

/* A writer: PART_MS from the moment it runs on its CPU, and on until it
 * has put rec_least() records, until recs.lost at most (LOST_MS after the
 * part began): a vCPU the host runs late (8 on 2 busy cores) is slow, not
 * stuck. */
static void *rec_writer(void *arg)
{
	long me = (long)(intptr_t)arg, rec[REC_WORDS];

	pin_to((int)me);
	long long end = deadline_after(PART_MS);
	for (long seq = 1; now_ms() < recs.lost && (now_ms() < end || recs.written[me] < rec_least()) &&
			   !atomic_load(&recs.failed); seq++) {
		for (size_t i = 0; i < REC_WORDS; i++)
			rec[i] = me << 48 | seq << 8 | (long)(i & 0xff);
		ssize_t w = rec_put(rec, seq);
		if (w != (ssize_t)sizeof(rec)) {
			rec_fail("a record's write returned", (long)w, errno);
			break;
		}
		recs.written[me] = seq;
	}
	if (atomic_fetch_sub(&recs.writers_left, 1) == 1)
		close(recs.fd[1]); /* the last writer: readers see end of file */
	return NULL;
}

/* Record rec is whole: every word names one writer and sequence. fd:
 * the descriptor recvmsg handed with it (-1 none, -2 not asked: read,
 * recv, readv), which must come with the records that carry one and no
 * other, and be the socket sent. */
static void rec_check(const long *rec, int writers, int fd)
{
	long who = rec[0] >> 48, seq = (rec[0] >> 8) & 0xffffffffffL;
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) || !S_ISSOCK(st.st_mode)))
		rec_fail("a record's descriptor is not the socket sent", fd, seq);
	if (fd >= 0)
		close(fd);
	if (fd != -2 && (fd >= 0) != rec_has_fd(seq))
		return rec_fail(fd >= 0 ? "a descriptor came with a record that had none" :
			        "a record's descriptor did not come with it", fd, seq);
	if (who < 0 || who >= writers)
		return rec_fail("a record from no writer", who, seq);
	for (size_t i = 0; i < REC_WORDS; i++)
		if (rec[i] != (who << 48 | seq << 8 | (long)(i & 0xff)))
			return rec_fail("a record torn at word", (long)i, seq);
	atomic_fetch_add(&recs.seen_sum[who], seq);
	atomic_fetch_add(&recs.seen[who], 1);
}

/* One record in: read(2) from a pipe; from a socket, recvmsg (which
 * tells the descriptor a record carried: *fd, or -1), read, recv and
 * readv in turn (*fd -2: the kernel closes what came). */
static ssize_t rec_get(long *rec, long turn, int *fd)
{
	struct iovec v[2] = { { rec, REC_SIZE / 2 }, { (char *)rec + REC_SIZE / 2, REC_SIZE / 2 } };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh = { .msg_iov = v, .msg_iovlen = 2, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };

	*fd = -2;
	if (!recs.sock || turn % 4 == 1)
		return read(recs.fd[0], rec, REC_SIZE);
	if (turn % 4 == 2)
		return recv(recs.fd[0], rec, REC_SIZE, 0);
	if (turn % 4 == 3)
		return readv(recs.fd[0], v, 2);
	ssize_t n = recvmsg(recs.fd[0], &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	*fd = -1;
	if (n > 0 && c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		memcpy(fd, CMSG_DATA(c), sizeof(int));
		atomic_fetch_add(&recs.fds_got, 1);
	}
	return n;
}

static void *rec_reader(void *arg)
{
	long me = (long)(intptr_t)arg, rec[REC_WORDS];

	pin_to((int)me);
	for (long turn = 1;; turn++) {
		int fd;
		ssize_t n = rec_get(rec, turn, &fd);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rec_fail("a read failed", (long)n, errno);
			break;
		}
		if (n != (ssize_t)sizeof(rec))
			rec_fail("a read of a record returned", (long)n, errno);
		else if (!atomic_load(&recs.failed))
			rec_check(rec, ncpus, fd);
		else if (fd >= 0)
			close(fd);
		/* after a failure, go on draining: the writers must not block */
	}
	return NULL;
}

/* The descriptors open in this process (/proc/self/fd), or -1. */
static int open_fds(void)
{
	int n = 0, d = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	char buf[4096];
	long got;

	if (d < 0)
		return -1;
	while ((got = syscall(SYS_getdents64, d, buf, sizeof(buf))) > 0)
		for (long off = 0; off < got; off += *(unsigned short *)(buf + off + 16))
			n += buf[off + 19] != '.';
	close(d);
	return n - 1; /* not d itself */
}

/* Writer and reader threads, one each per CPU, over recs.fd (a pipe, or
 * with recs.sock an AF_UNIX stream socketpair): every record whole, each
 * writer's sequence numbers once each. */
static int run_records(void)
{
	pthread_t w[MAX_WORKERS], r[MAX_WORKERS];
	int n = ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS, made_w = 0, made_r = 0;
	long total = 0;

	atomic_store(&recs.writers_left, n);
	recs.lost = deadline_after(LOST_MS);
	for (; made_r < n; made_r++)
		if (pthread_create(&r[made_r], NULL, rec_reader, (void *)(intptr_t)made_r))
			break;
	for (; made_w < n; made_w++)
		if (pthread_create(&w[made_w], NULL, rec_writer, (void *)(intptr_t)made_w))
			break;
	if (made_w < n) /* the missing writers count as done */
		for (int i = made_w; i < n; i++)
			if (atomic_fetch_sub(&recs.writers_left, 1) == 1)
				close(recs.fd[1]);
	for (int i = 0; i < made_w; i++)
		pthread_join(w[i], NULL);
	for (int i = 0; i < made_r; i++)
		pthread_join(r[i], NULL);
	close(recs.fd[0]);
	pin_to_all();
	if (made_w < n || made_r < n)
		return fail("pthread_create failed");
	if (recs.failed)
		return fail("%s", recs.why);
	for (int i = 0; i < n; i++) {
		long want = recs.written[i] * (recs.written[i] + 1) / 2;
		if (recs.seen[i] != recs.written[i] || recs.seen_sum[i] != want)
			return fail("writer %d: %ld records written, %ld read (sequence sum %ld, want %ld)",
				    i, recs.written[i], (long)recs.seen[i], (long)recs.seen_sum[i], want);
		if (recs.written[i] < rec_least())
			return fail("writer %d: %ld records in %d ms, want %ld at the least", i,
				    recs.written[i], LOST_MS, rec_least());
		total += recs.written[i];
	}
	recs.total = total;
	remark("%d writers, %d readers, %ld records of %d bytes", n, n, total, REC_SIZE);
	return CHECK_OK;
}

static int check_pipe_records(void)
{
	memset(&recs, 0, sizeof(recs));
	if (pipe(recs.fd))
		return fail("pipe: %s", errname(errno));
	return run_records();
}

/* pipe-records over an AF_UNIX stream socketpair, each call in turn, some
 * records carrying a descriptor, an AF_UNIX socket's (issue 29: such a
 * socket's sends and receives take no kernel lock, but for the files in
 * flight, whose counts and list the kernel lock keeps): also no
 * descriptor may be left open. */
static int check_unix_records(void)
{
	int p[2], before = open_fds();

	memset(&recs, 0, sizeof(recs));
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, p))
		return fail("socketpair: %s", errname(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, recs.fd)) {
		close(p[0]);
		close(p[1]);
		return fail("socketpair: %s", errname(errno));
	}
	recs.sock = true;
	recs.passed = p[0];
	int r = run_records();
	close(p[0]);
	close(p[1]);
	int after = open_fds();
	if (r == CHECK_OK && after != before)
		return fail("%d descriptors open before, %d after", before, after);
	if (r == CHECK_OK)
		remark("%d writers, %d readers, %ld records of %d bytes, %ld descriptors came with recvmsg",
		       ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS, ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS,
		       recs.total, REC_SIZE, (long)recs.fds_got);
	return r;
}

/* ------------------------------------------------------------- unix close racing send */

#define UCL_ROUNDS   40          /* at most, and at least 4 */
#define UCL_CHUNK    1000        /* bytes a send puts */
#define UCL_SNDBUF   4608        /* SO_SNDBUF (Linux's least): the senders block soon */

static struct {
	int fd[2];
	_Atomic int started, done;
	_Atomic long sent;       /* bytes the senders' sends said went */
	_Atomic int bad;         /* a send ended with something but EPIPE or ECONNRESET */
	int bad_err;
	_Atomic int resets;      /* sends that ended with ECONNRESET */
} ucl;

/* A sender on fd[1] until its send fails: that must be EPIPE (the
 * reader's end closed; MSG_NOSIGNAL) or, for one sender at most,
 * ECONNRESET (the end closed with bytes unread: Linux's sk_err, which a
 * blocked sender takes first), never a hang. */
static void *ucl_sender(void *arg)
{
	char buf[UCL_CHUNK];

	(void)arg;
	memset(buf, 'u', sizeof(buf));
	atomic_fetch_add(&ucl.started, 1);
	for (;;) {
		ssize_t n = send(ucl.fd[1], buf, sizeof(buf), MSG_NOSIGNAL);
		if (n > 0) {
			atomic_fetch_add(&ucl.sent, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			atomic_fetch_add(&ucl.resets, 1);
		else if (!(n < 0 && errno == EPIPE) && atomic_exchange(&ucl.bad, 1) == 0)
			ucl.bad_err = n < 0 ? errno : 0;
		break;
	}
	atomic_fetch_add(&ucl.done, 1);
	return NULL;
}

/* One round: senders fill the socket from every CPU while this thread
 * reads some of it, then closes its end with unread bytes queued; every
 * sender must come back with EPIPE (LOST_MS at most), and the bytes read
 * must be what was sent, in one stream of 'u's. 0, or -1 with why. */
static int ucl_round(long round, int senders, char *why, size_t cap)
{
	pthread_t t[MAX_WORKERS];
	int made = 0, sz = UCL_SNDBUF;
	char buf[4096];
	long got = 0, want = (round % 5) * 4096;

	memset(&ucl, 0, sizeof(ucl));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, ucl.fd))
		return snprintf(why, cap, "socketpair: %s", errname(errno)), -1;
	setsockopt(ucl.fd[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	for (; made < senders; made++)
		if (pthread_create(&t[made], NULL, ucl_sender, NULL))
			break;
	while (atomic_load(&ucl.started) < made)
		sched_yield();
	while (got < want) {
		ssize_t n = read(ucl.fd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != 'u')
				return snprintf(why, cap, "byte %ld read is %#x", got + i, buf[i]), -1;
		got += n;
	}
	close(ucl.fd[0]); /* the senders' peer goes, with bytes still queued */
	long long end = deadline_after(LOST_MS);
	while (atomic_load(&ucl.done) < made && now_ms() < end)
		usleep(1000);
	int done = atomic_load(&ucl.done);
	if (done < made)
		return snprintf(why, cap, "%d of %d senders still in send %d ms after the close", made - done,
				made, LOST_MS), -1;
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	close(ucl.fd[1]);
	if (made < senders)
		return snprintf(why, cap, "pthread_create failed"), -1;
	if (ucl.bad)
		return snprintf(why, cap, "a send ended with %s, not EPIPE", errname(ucl.bad_err)), -1;
	if (ucl.resets > 1)
		return snprintf(why, cap, "%d sends saw ECONNRESET: one error reported more than once",
				ucl.resets), -1;
	if (got > atomic_load(&ucl.sent))
		return snprintf(why, cap, "%ld bytes read of %ld sent", got, (long)atomic_load(&ucl.sent)), -1;
	return 0;
}

static int check_unix_close_send(void)
{
	int senders = ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS;
	long long end = deadline_after(PART_MS);
	long rounds = 0;
	char why[160] = "";

	while (rounds < UCL_ROUNDS && (rounds < 4 || now_ms() < end)) {
		if (ucl_round(rounds, senders, why, sizeof(why)))
			return fail("round %ld: %s", rounds, why);
		rounds++;
	}
	remark("%ld rounds, %d senders each, every one ended with EPIPE or one ECONNRESET", rounds, senders);
	return CHECK_OK;
}

/* ------------------------------------------------------------- close racing read */

#define CR_FD 100                /* the descriptor the reader reads and the closer closes */

static struct {
	int rd, wr;
	_Atomic int stop;
	long long got;           /* bytes the reader read (the reader's) */
	long ebadf, reads;
	char why[160];
} cr;

static void *cr_reader(void *arg)
{
	unsigned char buf[512];

	(void)arg;
	while (!atomic_load(&cr.stop)) {
		ssize_t n = read(CR_FD, buf, sizeof(buf));
		if (n < 0 && errno == EBADF) {
			cr.ebadf++;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			snprintf(cr.why, sizeof(cr.why), "read returned %zd (%s)", n, errname(errno));
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pipe_byte(cr.got + i, 7)) {
				snprintf(cr.why, sizeof(cr.why), "byte %lld is %#x, want %#x", cr.got + i,
					 buf[i], pipe_byte(cr.got + i, 7));
				atomic_store(&cr.stop, 1);
				return NULL;
			}
		cr.got += n;
		cr.reads++;
	}
	return NULL;
}

/* Write the stream's next n bytes from *off (non-blocking: what fits). */
static void cr_write(long long *off, size_t n)
{
	unsigned char buf[512];

	for (size_t i = 0; i < n; i++)
		buf[i] = pipe_byte(*off + (long long)i, 7);
	ssize_t w = write(cr.wr, buf, n);
	if (w > 0)
		*off += w;
}

static int check_close_read(void)
{
	int p[2];
	pthread_t t;
	long long off = 0, end = deadline_after(PART_MS);
	long swaps = 0;

	memset(&cr, 0, sizeof(cr));
	if (pipe2(p, O_NONBLOCK))
		return fail("pipe2: %s", errname(errno));
	cr.rd = p[0];
	cr.wr = p[1];
	if (dup2(cr.rd, CR_FD) != CR_FD)
		return fail("dup2: %s", errname(errno));
	if (pthread_create(&t, NULL, cr_reader, NULL))
		return fail("pthread_create failed");
	while (now_ms() < end && !atomic_load(&cr.stop)) {
		cr_write(&off, 1 + (size_t)(swaps % 511));
		close(CR_FD);
		if (dup2(cr.rd, CR_FD) != CR_FD) {
			atomic_store(&cr.stop, 1);
			pthread_join(t, NULL);
			return fail("dup2: %s", errname(errno));
		}
		swaps++;
	}
	atomic_store(&cr.stop, 1);
	pthread_join(t, NULL);
	close(CR_FD);
	if (cr.why[0])
		return fail("%s", cr.why);
	unsigned char buf[512];
	ssize_t n;
	while ((n = read(cr.rd, buf, sizeof(buf))) > 0) { /* what is left, in order */
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pipe_byte(cr.got + i, 7))
				return fail("left byte %lld is %#x, want %#x", cr.got + i, buf[i],
					    pipe_byte(cr.got + i, 7));
		cr.got += n;
	}
	close(cr.rd);
	close(cr.wr);
	if (cr.got != off)
		return fail("%lld bytes read and left, %lld written", cr.got, off);
	remark("%ld close+dup2, %ld reads, %ld EBADF, %lld bytes", swaps, cr.reads, cr.ebadf, off);
	return CHECK_OK;
}

/* ------------------------------------------------------------- descriptor tables */

#define FT_FD       10           /* fd-table: the descriptor every read goes through */
#define FT_SWAP_FD  11           /* fd-table: the one closed and dup2'd back */
#define FT_READ     64           /* fd-table: bytes per read */
#define FT_TOP      (64 * 1024)  /* fd-table: the highest descriptor a round dup2s to */
#define FT_FIRST_READ_MS 5000    /* fd-table: the longest wait for a round's first read */

static struct {
	_Atomic int stop;
	_Atomic long reads, ebadf;
	int top;                 /* the highest descriptor dup2'd to: FT_TOP or below RLIMIT_NOFILE's hard limit */
	char why[160];
} ft;

/* A read of FT_READ bytes from fd: zeros, or EBADF when may_be_closed. */
static bool ft_read_ok(int fd, bool may_be_closed)
{
	unsigned char buf[FT_READ];

	memset(buf, 0xa5, sizeof(buf));
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && errno == EBADF && may_be_closed) {
		atomic_fetch_add(&ft.ebadf, 1);
		return true;
	}
	if (n != FT_READ) {
		snprintf(ft.why, sizeof(ft.why), "read of fd %d returned %zd (%s)", fd, n, errname(errno));
		return false;
	}
	for (int i = 0; i < FT_READ; i++)
		if (buf[i]) {
			snprintf(ft.why, sizeof(ft.why), "read of fd %d: byte %d is %#x", fd, i, buf[i]);
			return false;
		}
	atomic_fetch_add(&ft.reads, 1);
	return true;
}

static void *ft_reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&ft.stop))
		if (!ft_read_ok(FT_FD, false) || !ft_read_ok(FT_SWAP_FD, true)) {
			atomic_store(&ft.stop, 1);
			break;
		}
	return NULL;
}

/* A child sharing this process's table (clone(CLONE_FILES), not its
 * memory) that waits for a byte on go, then exits: its pid, or -1. */
static pid_t ft_sharer(int go)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	char c;

	if (pid == 0) {
		while (read(go, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	return pid;
}

/* The main thread's changes, while the readers read: the table grows
 * to FT_TOP, FT_SWAP_FD is closed and put back after each growth, then
 * the process takes a table of its own while a child shares the old.
 * 0, or 1 with ft.why set. */
static int ft_changes(void)
{
	int go[2];

	for (int fd = 64; fd <= ft.top; fd *= 2) {
		if (dup2(FT_FD, fd) != fd || close(FT_SWAP_FD) || dup2(FT_FD, FT_SWAP_FD) != FT_SWAP_FD) {
			snprintf(ft.why, sizeof(ft.why), "dup2 or close at %d: %s", fd, errname(errno));
			return 1;
		}
	}
	if (pipe(go)) {
		snprintf(ft.why, sizeof(ft.why), "pipe: %s", errname(errno));
		return 1;
	}
	pid_t child = ft_sharer(go[0]);
	if (child < 0 || syscall(SYS_unshare, CLONE_FILES)) {
		snprintf(ft.why, sizeof(ft.why), "clone or unshare: %s", errname(errno));
		return 1;
	}
	int st = 0;
	if (write(go[1], "x", 1) != 1 || waitpid(child, &st, 0) != child || st) {
		snprintf(ft.why, sizeof(ft.why), "the sharing child: %s, status %#x", errname(errno), st);
		return 1;
	}
	return 0;
}

/* One round, in a fresh process: 0, or 1 with the reason on stdout. */
static int ft_round(void)
{
	struct crew c;
	int n = ncpus > 1 ? ncpus : 2, zero = open("/dev/zero", O_RDONLY);

	if (zero < 0 || dup2(zero, FT_FD) != FT_FD || dup2(zero, FT_SWAP_FD) != FT_SWAP_FD)
		return printf("fd-table: /dev/zero: %s\n", errname(errno)), 1;
	if (crew_start(&c, n, ft_reader, &ft, 0))
		return printf("fd-table: pthread_create failed\n"), 1;
	int bad = ft_changes();
	/* on a busy host the changes may end before a reader ran at all: let
	 * them read a little longer, so "no read" means reads that fail */
	for (long long end = deadline_after(FT_FIRST_READ_MS); !atomic_load(&ft.reads) && now_ms() < end;)
		sched_yield();
	atomic_store(&ft.stop, 1);
	crew_join(&c);
	if (bad || ft.why[0])
		return printf("fd-table: %s\n", ft.why), 1;
	if (atomic_load(&ft.reads) == 0)
		return printf("fd-table: no read went through\n"), 1;
	shared[0] += atomic_load(&ft.reads);
	shared[1] += atomic_load(&ft.ebadf);
	return 0;
}

/* ft.top: FT_TOP, or the highest power of two RLIMIT_NOFILE's hard
 * limit allows, the soft limit raised to it: 0, or -1 when that is
 * under 256 (too few growths to race). */
static int ft_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return -1;
	ft.top = FT_TOP;
	while (ft.top >= 256 && r.rlim_max != RLIM_INFINITY && (rlim_t)ft.top >= r.rlim_max)
		ft.top /= 2;
	r.rlim_cur = r.rlim_max;
	return ft.top < 256 || setrlimit(RLIMIT_NOFILE, &r) ? -1 : 0;
}

static int check_fd_table(void)
{
	long long end = deadline_after(PART_MS);
	long rounds = 0;

	if (ft_limit())
		return fail("RLIMIT_NOFILE: %s (the hard limit is too low to grow the table)", errname(errno));

	shared[0] = shared[1] = 0;
	do {
		pid_t pid = fork();
		int st = 0;
		if (pid == 0) {
			fflush(stdout);
			_exit(ft_round());
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return fail("fork or wait: %s", errname(errno));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return fail("round %ld failed (status %#x; its line above)", rounds, st);
		rounds++;
	} while (now_ms() < end);
	remark("%ld rounds, each to %d descriptors and a table of its own; %ld reads, %ld EBADF",
	       rounds, ft.top, shared[0], shared[1]);
	return CHECK_OK;
}

/* ------------------------------------------------------------- close racing dup2 and fork */

#define CD_FD      40            /* close-dup2: the descriptor every thread fights over */
#define CD_PUTTERS 2             /* close-dup2: threads dup2'ing their own pipe's write end to it */
#define CD_CLOSERS 2             /* close-dup2: threads closing it */
#define CD_DUPERS  1             /* close-dup2: threads dup'ing it */

static struct {
	_Atomic int stop;
	_Atomic long closes, ebadf, dup2s, forks, dups;
	int pipes[CD_PUTTERS][2];
	struct stat ends[CD_PUTTERS]; /* each pipe's write end, as fstat saw it first */
	char why[160];
} cd;

static void cd_fail(const char *what, int err)
{
	snprintf(cd.why, sizeof(cd.why), "%s: %s", what, errname(err));
	atomic_store(&cd.stop, 1);
}

/* A putter: dup2 its pipe's write end onto CD_FD until stopped; every
 * dup2 must return CD_FD. */
static void *cd_putter(void *arg)
{
	int src = cd.pipes[(long)arg][1];

	while (!atomic_load(&cd.stop)) {
		if (dup2(src, CD_FD) != CD_FD)
			cd_fail("dup2", errno);
		atomic_fetch_add(&cd.dup2s, 1);
	}
	return NULL;
}

/* A closer: close CD_FD until stopped; 0 or EBADF. */
static void *cd_closer(void *arg)
{
	(void)arg;
	while (!atomic_load(&cd.stop)) {
		if (close(CD_FD) == 0)
			atomic_fetch_add(&cd.closes, 1);
		else if (errno == EBADF)
			atomic_fetch_add(&cd.ebadf, 1);
		else
			cd_fail("close", errno);
	}
	return NULL;
}

/* Is descriptor fd one of the putters' write ends? */
static bool cd_is_end(int fd)
{
	struct stat a;

	if (fstat(fd, &a))
		return false;
	for (int i = 0; i < CD_PUTTERS; i++)
		if (a.st_ino == cd.ends[i].st_ino && a.st_dev == cd.ends[i].st_dev)
			return true;
	return false;
}

#define CD_DUPFD_MIN 20 /* close-dup2: where the duper's F_DUPFD_CLOEXEC looks from */

/* A dup of CD_FD's copy fd (by dup, or by F_DUPFD_CLOEXEC from
 * CD_DUPFD_MIN when cloexec): FD_CLOEXEC as asked, and F_SETFD turns it
 * over; NULL, or what was wrong. */
static const char *cd_check_dup(int fd, bool cloexec)
{
	if (fd == CD_FD || (cloexec && fd < CD_DUPFD_MIN) || !cd_is_end(fd))
		return "not a new descriptor of a write end";
	if (fcntl(fd, F_GETFD) != (cloexec ? FD_CLOEXEC : 0))
		return "FD_CLOEXEC not as asked";
	if (fcntl(fd, F_SETFD, cloexec ? 0 : FD_CLOEXEC) || fcntl(fd, F_GETFD) != (cloexec ? 0 : FD_CLOEXEC))
		return "F_SETFD did not take";
	return NULL;
}

/* A duper: dup CD_FD until stopped, by dup and by fcntl(F_DUPFD_CLOEXEC)
 * in turn; EBADF (closed at that moment), or a new descriptor holding
 * one of the write ends (cd_check_dup), which it closes. */
static void *cd_duper(void *arg)
{
	(void)arg;
	for (long n = 0; !atomic_load(&cd.stop); n++) {
		bool cloexec = n % 2;
		int fd = cloexec ? fcntl(CD_FD, F_DUPFD_CLOEXEC, CD_DUPFD_MIN) : dup(CD_FD);
		if (fd < 0) {
			if (errno != EBADF)
				cd_fail(cloexec ? "F_DUPFD_CLOEXEC" : "dup", errno);
			continue;
		}
		const char *bad = cd_check_dup(fd, cloexec);
		if (bad)
			snprintf(cd.why, sizeof(cd.why), "%s gave %d: %s", cloexec ? "F_DUPFD_CLOEXEC" : "dup",
				 fd, bad);
		if (close(fd))
			cd_fail("close of dup's", errno);
		atomic_fetch_add(&cd.dups, 1);
	}
	return NULL;
}

/* The forked child's look: CD_FD closed, or one of the putters' write ends. */
static int cd_child(void)
{
	struct stat a;

	if (fstat(CD_FD, &a))
		return errno == EBADF ? 0 : 1;
	return cd_is_end(CD_FD) ? 0 : 2;
}

/* Has every kind of thread done its work once: a dup2, a dup of an open
 * descriptor, a close (a vCPU the host runs late, 8 on 2 busy cores, may
 * start one after PART_MS)? */
static bool cd_all_ran(void)
{
	return atomic_load(&cd.dup2s) && atomic_load(&cd.dups) &&
	       atomic_load(&cd.closes) + atomic_load(&cd.ebadf);
}

/* The calling thread: fork children that look at CD_FD (their table a
 * copy made while the others change the slot) until the deadline end,
 * and on until every thread has run (cd_all_ran), lost at the latest. */
static void cd_forker(long long end, long long lost)
{
	while ((now_ms() < end || !cd_all_ran()) && now_ms() < lost && !atomic_load(&cd.stop)) {
		pid_t pid = fork();
		int st = 0;
		if (pid == 0)
			_exit(cd_child());
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			cd_fail("fork or wait", errno);
		else if (!WIFEXITED(st) || WEXITSTATUS(st))
			snprintf(cd.why, sizeof(cd.why), "a child (status %#x) saw a file not put there", st);
		atomic_fetch_add(&cd.forks, 1);
	}
	atomic_store(&cd.stop, 1);
}

/* Every write end's references are gone: its pipe reads as ended (0),
 * not empty-with-a-writer (EAGAIN). */
static int cd_no_leak(void)
{
	char c;

	for (int i = 0; i < CD_PUTTERS; i++) {
		ssize_t n = read(cd.pipes[i][0], &c, 1);
		if (n != 0)
			return fail("pipe %d after the race: read %zd (%s): a reference to its write end was left",
				    i, n, n < 0 ? errname(errno) : "data");
		close(cd.pipes[i][0]);
	}
	return CHECK_OK;
}

/* The thread made i-th for close-dup2: putters, then closers, then dupers. */
static void *(*cd_role(int i))(void *)
{
	if (i < CD_PUTTERS)
		return cd_putter;
	return i < CD_PUTTERS + CD_CLOSERS ? cd_closer : cd_duper;
}

/* close-dup2: close, dup, dup2 and fcntl's F_DUPFD and F_SETFD run
 * without the kernel lock, fork's table copy with it: threads dup2 their
 * own pipe's write end onto one descriptor while others close it and dup
 * it (dup, F_DUPFD_CLOEXEC), and the caller forks children that look at
 * it. Each close is 0 or EBADF, each dup2 returns the descriptor, each
 * dup EBADF or a new descriptor of one of the write ends with
 * FD_CLOEXEC as asked and F_SETFD taking, each child finds it closed or
 * holding one of them, and when all is closed no reference is left over
 * (each pipe reads as ended) and none was dropped twice (a panic). */
static int check_close_dup2(void)
{
	enum { THREADS = CD_PUTTERS + CD_CLOSERS + CD_DUPERS };
	pthread_t t[THREADS];
	int made = 0;

	memset(&cd, 0, sizeof(cd));
	for (int i = 0; i < CD_PUTTERS; i++)
		if (pipe2(cd.pipes[i], O_NONBLOCK) || fstat(cd.pipes[i][1], &cd.ends[i]))
			return fail("pipe2 or fstat: %s", errname(errno));
	while (made < THREADS && !pthread_create(&t[made], NULL, cd_role(made), (void *)(long)made))
		made++;
	if (made < THREADS)
		atomic_store(&cd.stop, 1);
	cd_forker(deadline_after(PART_MS), deadline_after(LOST_MS));
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	close(CD_FD);
	for (int i = 0; i < CD_PUTTERS; i++)
		close(cd.pipes[i][1]);
	if (made < THREADS)
		return fail("pthread_create failed");
	if (cd.why[0])
		return fail("%s", cd.why);
	if (!cd_all_ran())
		return fail("no dup2, dup of an open descriptor or close in %d ms", LOST_MS);
	if (cd_no_leak() != CHECK_OK)
		return CHECK_FAIL;
	remark("%ld closes, %ld EBADF, %ld dup2s, %ld dups, %ld forks", cd.closes, cd.ebadf, cd.dup2s,
	       cd.dups, cd.forks);
	return CHECK_OK;
}

/* ------------------------------------------------------------- SCM_RIGHTS racing close */

#define SCM_FD 30                /* scm-race: the descriptor passed, closed and put back */
#define SCM_WAIT_MS 20           /* scm-race: a receive's longest wait */

/* One scm-race sender: a thread per CPU sending on one socket. */
struct scm_sender {
	int id;
	long sent, refused;      /* datagrams sent (each with SCM_FD), sends refused with EBADF */
	char why[96];
};

static struct {
	_Atomic int stop;
	_Atomic int passed;      /* a descriptor went through: the senders may stop at PART_MS */
	int zero;                /* /dev/zero, what SCM_FD is dup2'd from */
	int u[2];                /* the datagram socket pair: senders on u[0], the reader on u[1] */
} scm;

static void *scm_closer(void *arg)
{
	(void)arg;
	while (!atomic_load(&scm.stop)) {
		close(SCM_FD);
		dup2(scm.zero, SCM_FD);
	}
	return NULL;
}

/* A datagram on u[0]: {sender, sequence}, with SCM_FD: 1 sent, 0
 * refused with EBADF, -1 failed (why set). */
static int scm_send(struct scm_sender *w)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	long body[2] = { w->id, w->sent };
	struct iovec v = { body, sizeof(body) };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	int fd = SCM_FD;

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	if (sendmsg(scm.u[0], &m, 0) == (ssize_t)sizeof(body))
		return 1;
	if (errno == EBADF)
		return 0;
	snprintf(w->why, sizeof(w->why), "sendmsg: %s", errname(errno));
	return -1;
}

static void *scm_sender_run(void *arg)
{
	struct scm_sender *w = arg;
	long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);

	pin_to(w->id);
	/* past PART_MS until one descriptor went through: a loaded host may
	 * have run the senders only inside the closer's windows so far */
	for (long long now; (now = now_ms()) < end || (!atomic_load(&scm.passed) && now < lost);) {
		int r = scm_send(w);
		if (r < 0)
			break;
		if (r)
			atomic_store(&scm.passed, 1);
		r ? w->sent++ : w->refused++;
	}
	return NULL;
}

/* Take one datagram from u[1] (flags: MSG_DONTWAIT at the end; else a
 * wait of SCM_WAIT_MS at most): 1, with its sender's next sequence
 * checked and its descriptor read and closed; 0 when none came; -1
 * failed (why set). */
static int scm_take(long *next, int n, int flags, char *why, size_t cap)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	long body[2];
	struct iovec v = { body, sizeof(body) };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	ssize_t got = recvmsg(scm.u[1], &m, flags);
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	int fd;

	if (got < 0 && errno == EAGAIN) /* MSG_DONTWAIT, or SO_RCVTIMEO's wait */
		return 0;
	if (got != (ssize_t)sizeof(body) || !h || h->cmsg_type != SCM_RIGHTS)
		return snprintf(why, cap, "recvmsg: %zd (%s), descriptor %s", got, errname(errno),
				h ? "there" : "missing"), -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	uint64_t word = ~0ull;
	ssize_t r = read(fd, &word, sizeof(word));
	close(fd);
	if (r != sizeof(word) || word)
		return snprintf(why, cap, "the descriptor received read %zd bytes, %#llx", r,
				(unsigned long long)word), -1;
	if (body[0] < 0 || body[0] >= n || body[1] != next[body[0]])
		return snprintf(why, cap, "datagram {%ld, %ld}: want sequence %ld", body[0], body[1],
				body[0] >= 0 && body[0] < n ? next[body[0]] : -1L), -1;
	next[body[0]]++;
	return 1;
}

/* Read until every sender is done and nothing is left: 0, or -1 (why). */
static int scm_read_all(struct scm_sender *w, pthread_t *t, int n, long *next, char *why, size_t cap)
{
	long long end = deadline_after(PART_MS);
	int r = 0;

	while (r >= 0 && now_ms() < end) /* each wait bounded: the senders may be done */
		r = scm_take(next, n, 0, why, cap);
	for (int i = 0; i < n; i++) /* a sender blocked on a full queue ends once it is read */
		while (r >= 0 && pthread_tryjoin_np(t[i], NULL) != 0)
			r = scm_take(next, n, MSG_DONTWAIT, why, cap);
	while (r >= 0 && (r = scm_take(next, n, MSG_DONTWAIT, why, cap)) > 0)
		; /* what the last senders sent before they were joined */
	for (int i = 0; i < n && r >= 0; i++)
		if (w[i].why[0])
			return snprintf(why, cap, "sender %d: %s", i, w[i].why), -1;
	return r < 0 ? -1 : 0;
}

static int check_scm_race(void)
{
	int n = ncpus > 1 ? ncpus : 2, before = open_fds();
	struct scm_sender w[MAX_WORKERS];
	pthread_t t[MAX_WORKERS], closer;
	long next[MAX_WORKERS] = { 0 }, sent = 0, refused = 0;
	char why[160] = "";

	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	memset(&scm, 0, sizeof(scm));
	memset(w, 0, sizeof(w));
	struct timeval wait = { 0, SCM_WAIT_MS * 1000 };
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, scm.u) || (scm.zero = open("/dev/zero", O_RDONLY)) < 0 ||
	    dup2(scm.zero, SCM_FD) != SCM_FD ||
	    setsockopt(scm.u[1], SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)))
		return fail("socketpair or /dev/zero: %s", errname(errno));
	if (pthread_create(&closer, NULL, scm_closer, NULL))
		return fail("pthread_create failed");
	int made = 0;
	for (; made < n; made++) {
		w[made].id = made;
		if (pthread_create(&t[made], NULL, scm_sender_run, &w[made]))
			break;
	}
	int r = made == n ? scm_read_all(w, t, n, next, why, sizeof(why)) : -1;
	atomic_store(&scm.stop, 1);
	if (made < n || r < 0) /* the senders still blocked end with the socket */
		shutdown(scm.u[1], SHUT_RDWR);
	for (int i = 0; r < 0 && i < made; i++)
		pthread_join(t[i], NULL);
	pthread_join(closer, NULL);
	pin_to_all();
	close(SCM_FD);
	close(scm.zero);
	close(scm.u[0]);
	close(scm.u[1]);
	if (made < n)
		return fail("pthread_create failed");
	if (r < 0)
		return fail("%s", why);
	for (int i = 0; i < n; i++) {
		if (next[i] != w[i].sent)
			return fail("sender %d: %ld sent, %ld received", i, w[i].sent, next[i]);
		sent += w[i].sent;
		refused += w[i].refused;
	}
	int after = open_fds();
	if (before < 0 || after != before)
		return fail("%d descriptors open before, %d after", before, after);
	if (sent == 0)
		return fail("no descriptor went through in %d ms", LOST_MS);
	remark("%d senders, %ld passed, %ld refused (EBADF), each received once, no descriptor left open",
	       n, sent, refused);
	return CHECK_OK;
}

/* ------------------------------------------------------------- TCP over lo */

#define TCP_CHUNK_MAX  9000      /* tcp-duplex: bytes per write, varying 1..this */
#define TCP_CR_ROUNDS  200       /* tcp-close-recv: rounds at most (PART_MS bounds them) */
#define UDP_WINDOW     16        /* udp-count: datagrams a sender may have unread */
#define UDP_WORDS      8         /* udp-count: a datagram's longs: sender, sequence, filler */

/* A TCP listener bound to address a (len bytes; port 0: the kernel's
 * choice, written back into *a): its fd, or -1 (errno set). */
static int tcp_listen_at(struct sockaddr *a, socklen_t len)
{
	int l = socket(a->sa_family, SOCK_STREAM, 0);

	if (l < 0 || bind(l, a, len) || listen(l, 4) || getsockname(l, a, &len)) {
		int e = errno;
		if (l >= 0)
			close(l);
		errno = e;
		return -1;
	}
	return l;
}

/* A listener on 127.0.0.1 (a port of the kernel's choosing): its fd, the
 * address in *a; -1 on failure (errno set). */
static int tcp_listener(struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return tcp_listen_at((struct sockaddr *)a, sizeof(*a));
}

/* A connection through listener l at a: both ends in sv; 0 or -1. */
static int tcp_connected(int l, const struct sockaddr_in *a, int sv[2])
{
	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (sv[0] < 0)
		return -1;
	if (connect(sv[0], (const struct sockaddr *)a, sizeof(*a)) || (sv[1] = accept(l, NULL, NULL)) < 0) {
		close(sv[0]);
		return -1;
	}
	return 0;
}

struct tcp_side {
	int fd, stream, cpu;
	long long bytes;         /* written, or read */
	char why[160];
};

/* The k-th send of n bytes of buf on fd, by each call in turn (issue 29:
 * all eight of the send and receive calls run without the kernel lock
 * on a connected TCP socket): send, sendmsg of two pieces, writev of
 * two, write. */
static ssize_t send_by(int fd, unsigned char *buf, size_t n, unsigned k)
{
	struct iovec v[2] = { { buf, n / 2 }, { buf + n / 2, n - n / 2 } };
	struct msghdr m = { .msg_iov = v, .msg_iovlen = 2 };

	switch (k % 4) {
	case 0: return send(fd, buf, n, MSG_NOSIGNAL);
	case 1: return sendmsg(fd, &m, MSG_NOSIGNAL);
	case 2: return writev(fd, v, 2);
	default: return write(fd, buf, n);
	}
}

/* The same for a receive into buf's n bytes: recv, recvmsg, readv, read. */
static ssize_t recv_by(int fd, unsigned char *buf, size_t n, unsigned k)
{
	struct iovec v[2] = { { buf, n / 3 }, { buf + n / 3, n - n / 3 } };
	struct msghdr m = { .msg_iov = v, .msg_iovlen = 2 };

	switch (k % 4) {
	case 0: return recv(fd, buf, n, 0);
	case 1: return recvmsg(fd, &m, 0);
	case 2: return readv(fd, v, 2);
	default: return read(fd, buf, n);
	}
}

/* A writer: PART_MS from the moment it runs on its CPU, and on until it
 * has written something (LOST_MS at most): a vCPU the host runs late (8
 * on 2 busy cores) is slow, not stuck. */
static void *tcp_writer(void *arg)
{
	static __thread unsigned char buf[TCP_CHUNK_MAX];
	struct tcp_side *w = arg;
	size_t chunk = 1;

	pin_to(w->cpu);
	long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);
	for (unsigned k = 0; now_ms() < lost && (now_ms() < end || !w->bytes); k++) {
		for (size_t i = 0; i < chunk; i++)
			buf[i] = pipe_byte(w->bytes + (long long)i, w->stream);
		ssize_t n = send_by(w->fd, buf, chunk, k);
		if (n <= 0) {
			snprintf(w->why, sizeof(w->why), "send %u returned %zd (%s)", k % 4, n, errname(errno));
			break;
		}
		w->bytes += n;
		chunk = chunk * 5 % TCP_CHUNK_MAX + 1;
	}
	shutdown(w->fd, SHUT_WR); /* the reader at the other end sees end of file */
	return NULL;
}

static void *tcp_reader(void *arg)
{
	static __thread unsigned char buf[TCP_CHUNK_MAX];
	struct tcp_side *r = arg;

	pin_to(r->cpu);
	for (unsigned k = 0;; k++) {
		ssize_t n = recv_by(r->fd, buf, sizeof(buf), k);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(r->why, sizeof(r->why), "recv %u failed (%s)", k % 4, errname(errno));
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pipe_byte(r->bytes + i, r->stream)) {
				snprintf(r->why, sizeof(r->why), "stream %d: byte %lld is %#x, want %#x",
					 r->stream, r->bytes + i, buf[i], pipe_byte(r->bytes + i, r->stream));
				return NULL; /* the writer may block: the check closes the socket */
			}
		r->bytes += n;
	}
	return NULL;
}

static int check_tcp_duplex(void)
{
	struct sockaddr_in a;
	int sv[2], l = tcp_listener(&a);
	pthread_t t[4];
	int made = 0;

	if (l < 0)
		return fail("listener on 127.0.0.1: %s", errname(errno));
	if (tcp_connected(l, &a, sv)) {
		close(l);
		return fail("connect over lo: %s", errname(errno));
	}
	close(l);
	/* writer of end e on CPU e, its reader on CPU e + 1: each socket's two
	 * directions are on two CPUs at once */
	struct tcp_side side[4] = {
		{ .fd = sv[0], .stream = 1, .cpu = 0 }, { .fd = sv[1], .stream = 1, .cpu = 1 },
		{ .fd = sv[1], .stream = 2, .cpu = 1 }, { .fd = sv[0], .stream = 2, .cpu = 0 },
	};
	for (; made < 4; made++)
		if (pthread_create(&t[made], NULL, made % 2 ? tcp_reader : tcp_writer, &side[made]))
			break;
	if (made < 4) { /* what started ends once the sockets go */
		shutdown(sv[0], SHUT_RDWR);
		shutdown(sv[1], SHUT_RDWR);
	}
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	close(sv[0]);
	close(sv[1]);
	pin_to_all();
	if (made < 4)
		return fail("pthread_create failed");
	for (int i = 0; i < 4; i++)
		if (side[i].why[0])
			return fail("%s: %s", i % 2 ? "reader" : "writer", side[i].why);
	for (int i = 0; i < 4; i += 2)
		if (side[i].bytes != side[i + 1].bytes || side[i].bytes == 0)
			return fail("stream %d: %lld bytes written, %lld read", side[i].stream,
				    side[i].bytes, side[i + 1].bytes);
	remark("%lld and %lld bytes, each way checked", side[0].bytes, side[2].bytes);
	return CHECK_OK;
}

#define CHURN_XCHG     3         /* tcp-churn: exchanges each way on a connection */
#define CHURN_CHUNK    6000      /* tcp-churn: an exchange's bytes, varying 1..this */
#define CHURN_DONE     'd'       /* tcp-churn: what the client sends into the server's reset */
#define CHURN_BURST    1000      /* tcp-churn: ... in sends of this many bytes */

enum churn_end { CHURN_CLIENT_FIRST, CHURN_SERVER_FIRST, CHURN_RESET, CHURN_ENDS };

/* One end of tcp-churn's connections: the client connects round after
 * round, the server accepts them; both send and receive at once. */
struct churn_side {
	int cpu, stream;            /* its bytes are stream's, the peer's stream ^ 1 */
	bool server;
	/* one connection: 0, 1 (the server: the client's last, empty one), or -1 (why) */
	int (*round)(struct churn_side *w, bool last);
	int l;                      /* the server's listener */
	struct sockaddr_in6 a;      /* its address: 127.0.0.1 (AF_INET) or ::1 */
	long rounds, sent, got, resets, closed_held;
	char why[200];
	char at_reset[200];         /* the server: its connection's TCP_INFO as it last reset one */
};

/* Where Linux 6.1's struct tcp_info (uapi linux/tcp.h) keeps what
 * churn_info prints: glibc's struct stops at tcpi_total_retrans, before
 * most of it (musl's has it all), so the bytes are read by offset. */
enum { TI_SND_MSS = 16, TI_UNACKED = 24, TI_SND_CWND = 80, TI_BYTES_ACKED = 120, TI_BYTES_RECEIVED = 128,
       TI_NOTSENT = 144, TI_BYTES_SENT = 200, TI_SND_WND = 228, TI_LEN = 232 };

/* The little-endian field of size bytes at off in raw. */
static unsigned long long ti_field(const unsigned char *raw, int off, size_t size)
{
	unsigned long long v = 0;
	memcpy(&v, raw + off, size);
	return v;
}

/* fd's TCP_INFO in a line, after what (a diagnostic for tcp-churn's failures). */
static void churn_info(int fd, char *out, size_t cap, const char *what)
{
	unsigned char ti[TI_LEN];
	socklen_t len = sizeof(ti);

	memset(ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len)) {
		snprintf(out, cap, "%s: TCP_INFO: %s", what, errname(errno));
		return;
	}
	snprintf(out, cap, "%s: state %u, notsent %llu, unacked %llu, snd_wnd %llu, cwnd %llu, mss %llu, sent %llu, acked %llu, received %llu",
		 what, ti[0], ti_field(ti, TI_NOTSENT, 4), ti_field(ti, TI_UNACKED, 4), ti_field(ti, TI_SND_WND, 4),
		 ti_field(ti, TI_SND_CWND, 4), ti_field(ti, TI_SND_MSS, 4), ti_field(ti, TI_BYTES_SENT, 8),
		 ti_field(ti, TI_BYTES_ACKED, 8), ti_field(ti, TI_BYTES_RECEIVED, 8));
}

/* The round's exchange sizes: both ends reckon them alike. */
static size_t churn_size(long round, int k)
{
	return (size_t)(round * 7919 + k * 2741) % CHURN_CHUNK + 1;
}

/* One exchange on fd: n bytes of our stream out, n of the peer's in and
 * checked. 0, 1 when the peer ended the stream before it began (the
 * client's last, empty connection), or -1 (why). */
static int churn_xchg(struct churn_side *w, int fd, size_t n, bool first)
{
	static __thread unsigned char out[CHURN_CHUNK], in[CHURN_CHUNK];

	for (size_t i = 0; i < n; i++)
		out[i] = pipe_byte(w->sent + (long)i, w->stream);
	ssize_t s = send(fd, out, n, MSG_NOSIGNAL), r = s == (ssize_t)n ? recv(fd, in, n, MSG_WAITALL) : -1;
	if (first && w->server && (s == (ssize_t)n || errno == EPIPE || errno == ECONNRESET) && r <= 0)
		return 1;
	if (s != (ssize_t)n || r != (ssize_t)n) {
		struct sockaddr_in6 me;
		socklen_t ml = sizeof(me);
		int e = errno;
		getsockname(fd, (struct sockaddr *)&me, &ml);
		snprintf(w->why, sizeof(w->why), "round %ld (end %ld, %s): send %zd, recv %zd of %zu (%s), port %d",
			 w->rounds, w->rounds % CHURN_ENDS, first ? "first exchange" : "later exchange", s, r, n,
			 errname(e), ntohs(me.sin6_port));
		char info[200];
		churn_info(fd, info, sizeof(info), "its own");
		printf("smp-stress: tcp-churn: %s %s\n", w->server ? "a server" : "a client", info);
		return -1;
	}
	w->sent += (long)n;
	for (size_t i = 0; i < n; i++)
		if (in[i] != pipe_byte(w->got + (long)i, w->stream ^ 1)) {
			snprintf(w->why, sizeof(w->why), "round %ld: byte %ld of stream %d is %#x, want %#x", w->rounds,
				 w->got + (long)i, w->stream ^ 1, in[i], pipe_byte(w->got + (long)i, w->stream ^ 1));
			return -1;
		}
	w->got += (long)n;
	return 0;
}

/* A read on fd once the peer ended the connection (reset: a reset,
 * else an orderly close): 0 when it shows that, else -1 (why). */
static int churn_sees_end(struct churn_side *w, int fd, bool reset)
{
	char c;
	ssize_t r = recv(fd, &c, 1, 0);

	if (reset ? r < 0 && errno == ECONNRESET : r == 0)
		return 0;
	snprintf(w->why, sizeof(w->why), "round %ld: recv after the peer's %s returned %zd (%s)", w->rounds,
		 reset ? "reset" : "close", r, r < 0 ? errname(errno) : "no error");
	return -1;
}

/* fd's TCP state reaches CLOSE (its last ACK came): 0, or -1 after LOST_MS. */
static int churn_wait_closed(struct churn_side *w, int fd)
{
	long long end = deadline_after(LOST_MS);
	struct tcp_info ti;

	for (;;) {
		socklen_t len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_CLOSE)
			return 0;
		if (now_ms() >= end)
			break;
		sched_yield();
	}
	snprintf(w->why, sizeof(w->why), "round %ld: LAST-ACK never reached CLOSE", w->rounds);
	return -1;
}

/* Send on fd until the server's reset (it closes at once, SO_LINGER 0,
 * while these segments reach it) makes a send fail: with ECONNRESET or
 * EPIPE, as on Linux. 0, or -1 (why). */
static int churn_send_into_reset(struct churn_side *w, int fd)
{
	static __thread unsigned char buf[CHURN_BURST];
	long long end = deadline_after(LOST_MS);
	ssize_t n;

	memset(buf, CHURN_DONE, sizeof(buf));
	while ((n = send(fd, buf, sizeof(buf), MSG_NOSIGNAL)) > 0 && now_ms() < end)
		;
	if (n < 0 && (errno == ECONNRESET || errno == EPIPE)) {
		w->resets++;
		return 0;
	}
	snprintf(w->why, sizeof(w->why), "round %ld: send into the peer's reset returned %zd (%s)", w->rounds, n,
		 n < 0 ? errname(errno) : "no error");
	return -1;
}

/* The client's end of the round's close (see tcp-churn). 0, or -1 (why). */
static int churn_client_end(struct churn_side *w, int fd, enum churn_end how)
{
	int r;

	switch (how) {
	case CHURN_CLIENT_FIRST:
		return 0;
	case CHURN_SERVER_FIRST: /* the client ends in LAST-ACK, then CLOSED holding its socket */
		if ((r = churn_sees_end(w, fd, false)) || (r = shutdown(fd, SHUT_WR)) || (r = churn_wait_closed(w, fd)))
			return r;
		w->closed_held++;
		return 0;
	default:
		return churn_send_into_reset(w, fd);
	}
}

/* The server's end of it. 0, or -1 (why). */
static int churn_server_end(struct churn_side *w, int fd, enum churn_end how)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	switch (how) {
	case CHURN_CLIENT_FIRST:
		return churn_sees_end(w, fd, false);
	case CHURN_SERVER_FIRST:
		return 0;
	default: /* the close resets, while the client sends */
		churn_info(fd, w->at_reset, sizeof(w->at_reset), "at its last reset");
		return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
}

/* A round's connection for side w: the server's next accepted one, or
 * the client's, connected to w->a. The descriptor, or -1 with w->why. */
static int churn_connect(struct churn_side *w)
{
	int fd = w->server ? accept(w->l, NULL, NULL) : socket(w->a.sin6_family, SOCK_STREAM, 0);
	socklen_t alen = w->a.sin6_family == AF_INET6 ? sizeof(w->a) : sizeof(struct sockaddr_in);

	if (fd >= 0 && !w->server && connect(fd, (const struct sockaddr *)&w->a, alen)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		snprintf(w->why, sizeof(w->why), "round %ld: connect or accept: %s", w->rounds, errname(errno));
	return fd;
}

/* One connection: made, used both ways at once by both ends, ended. 0,
 * 1 (the server: the client's last, empty one), or -1 (why). */
static int churn_round(struct churn_side *w, bool last)
{
	int fd = churn_connect(w), r = 0;

	if (fd < 0)
		return -1;
	int one = 1; /* no Nagle wait on the done byte or an exchange's tail */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct timeval tmo = { .tv_sec = LOST_MS / 1000 }; /* a stuck call fails, naming itself */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));
	for (int k = 0; k < CHURN_XCHG && !last && r == 0; k++)
		r = churn_xchg(w, fd, churn_size(w->rounds, k), k == 0);
	if (r == 0 && !last) {
		enum churn_end how = (enum churn_end)(w->rounds % CHURN_ENDS);
		r = w->server ? churn_server_end(w, fd, how) : churn_client_end(w, fd, how);
	}
	close(fd);
	return r;
}

static void *churn_thread(void *arg)
{
	struct churn_side *w = arg;
	long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);
	int r;

	pin_to(w->cpu);
	do {
		/* PART_MS, and on until each way of ending came once (a vCPU
		 * the host runs late is slow, not stuck), LOST_MS at most */
		bool last = !w->server && now_ms() >= end &&
			    (w->rounds >= CHURN_ENDS || now_ms() >= lost);
		r = w->round(w, last);
		if (last)
			break;
		w->rounds += r == 0;
	} while (r == 0);
	if (!w->server && w->why[0]) /* its server (w + 1) waits in accept: end that, the why is ours */
		shutdown(w[1].l, SHUT_RDWR);
	return NULL;
}

/* tcp-churn's failure, for the reader: lo's line of /proc/net/dev and
 * the IPv6 and TCP counters that say a packet was dropped or reset
 * (TcpExt's PAWS drops among them). */
static void churn_drops(void)
{
	static const char *const files[] = { "/proc/net/dev", "/proc/net/snmp6", "/proc/net/snmp",
					      "/proc/net/netstat" };
	char line[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *fp = fopen(files[i], "r");
		while (fp && fgets(line, sizeof(line), fp))
			if (strstr(line, "lo:") || strstr(line, "Discards") || strstr(line, "NoRoutes") ||
			    strstr(line, "Tcp:") || strstr(line, "TcpExt:"))
				printf("smp-stress: tcp-churn: %s: %s%s", files[i], line,
				       strchr(line, '\n') ? "" : "\n"); /* a long header's first piece */
		if (fp)
			fclose(fp);
	}
}

/* The sides' verdict, summed into *t (rounds, resets, closed held): 0, or fail's. */
static int churn_verdict(const struct churn_side *w, int n, long t[3])
{
	for (int i = 0; i < n; i++) /* every side's why: the first alone may hide the cause */
		if (w[i].why[0] && w[i ^ 1].why[0] && !(i & 1))
			printf("smp-stress: tcp-churn: server %d also: %s\n", i / 2, w[i ^ 1].why);
	for (int i = 0; i < n; i++)
		if (w[i].why[0]) {
			churn_drops();
			break;
		}
	for (int i = 0; i < n; i += 2)
		if (w[i].why[0] && w[i + 1].at_reset[0])
			printf("smp-stress: tcp-churn: server %d %s\n", i / 2, w[i + 1].at_reset);
	for (int i = 0; i < n; i++) {
		if (w[i].why[0])
			return fail("%s %d: %s", w[i].server ? "server" : "client", i / 2, w[i].why);
		if (w[i].rounds < CHURN_ENDS)
			return fail("pair %d: only %ld connections", i / 2, w[i].rounds);
		if (w[i].sent != w[i ^ 1].got)
			return fail("pair %d: %ld bytes sent, %ld received", i / 2, w[i].sent, w[i ^ 1].got);
	}
	for (int i = 0; i < n; i += 2) {
		t[0] += w[i].rounds;
		t[1] += w[i].resets;
		t[2] += w[i].closed_held;
	}
	return CHECK_OK;
}

/* A listener on ::1 (a port of the kernel's choosing): its fd, the
 * address in *a; -1 on failure (errno set). */
static int tcp_listener6(struct sockaddr_in6 *a)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_addr = in6addr_loopback;
	return tcp_listen_at((struct sockaddr *)a, sizeof(*a));
}

/* Pair p's listener: on 127.0.0.1 for an even p, ::1 for an odd one. */
static int churn_listener(int p, struct sockaddr_in6 *a)
{
	memset(a, 0, sizeof(*a));
	return p % 2 ? tcp_listener6(a) : tcp_listener((struct sockaddr_in *)a);
}

/* Run tcp-churn's pairs of threads, round (a side's connections, see
 * struct churn_side) their connections: client 2p on CPU p, its server
 * on CPU p + 1, listening on 127.0.0.1 for an even p, ::1 for an odd
 * one. The pairs' count, or -1 (fail's, said) when a listener or a
 * thread could not be made. */
static int churn_pairs_run(struct churn_side w[MAX_WORKERS], int (*round)(struct churn_side *w, bool last))
{
	pthread_t t[MAX_WORKERS];
	int pairs = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS, n = 0, made = 0;

	if (2 * pairs > MAX_WORKERS)
		pairs = MAX_WORKERS / 2;
	memset(w, 0, MAX_WORKERS * sizeof(*w));
	for (; n < 2 * pairs; n += 2) {
		w[n + 1].server = true;
		if ((w[n + 1].l = churn_listener(n / 2, &w[n + 1].a)) < 0)
			break;
		w[n].a = w[n + 1].a;
		w[n].cpu = n / 2 % ncpus;
		w[n + 1].cpu = (n / 2 + 1) % ncpus;
		w[n].stream = 2 * n + 2;
		w[n + 1].stream = 2 * n + 3;
		w[n].round = w[n + 1].round = round;
	}
	for (; made < n; made++)
		if (pthread_create(&t[made], NULL, churn_thread, &w[made]))
			break;
	if (made < n) /* what started ends once the listeners go */
		for (int i = 1; i < n; i += 2)
			shutdown(w[i].l, SHUT_RDWR);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	for (int i = 1; i < n; i += 2)
		close(w[i].l);
	pin_to_all();
	if (n < 2 * pairs || made < n)
		return fail("listener or pthread_create failed (%s)", errname(errno));
	return pairs;
}

static int check_tcp_churn(void)
{
	struct churn_side w[MAX_WORKERS];
	long sum[3] = { 0, 0, 0 };
	int pairs = churn_pairs_run(w, churn_round);

	if (pairs < 0)
		return pairs;
	int res = churn_verdict(w, 2 * pairs, sum);
	if (res == CHECK_OK)
		remark("%d pairs, %ld connections, %ld reset, %ld closed on their last ACK while held, every byte checked",
		       pairs, sum[0], sum[1], sum[2]);
	return res;
}

#define RR_CHUNK 4000 /* tcp-reset-read: a round's bytes, varying 1..this */
#define RR_GO    'g'  /* tcp-reset-read: the client's word to send */

/* The round's bytes and their values: both ends reckon them alike. */
static size_t rr_size(long round)
{
	return (size_t)(round * 7919) % RR_CHUNK + 1;
}

static unsigned char rr_byte(long round, size_t i)
{
	return (unsigned char)(round * 31 + (long)i * 7 + 1);
}

/* tcp-reset-read's server on its accepted fd: the client's go, then the
 * round's bytes, then the reset (close with SO_LINGER 0). 0, 1 when the
 * client ended instead (its last, empty connection), or -1 (why). */
static int rr_serve(struct churn_side *w, int fd)
{
	static __thread unsigned char out[RR_CHUNK];
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	size_t n = rr_size(w->rounds);
	char go;

	for (size_t i = 0; i < n; i++)
		out[i] = rr_byte(w->rounds, i);
	ssize_t r = recv(fd, &go, 1, MSG_WAITALL);
	if (r == 0)
		return 1;
	if (r != 1 || go != RR_GO || setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ||
	    send(fd, out, n, MSG_NOSIGNAL) != (ssize_t)n) {
		snprintf(w->why, sizeof(w->why), "round %ld: go, SO_LINGER or send failed (%s)", w->rounds,
			 errname(errno));
		return -1;
	}
	w->sent += (long)n;
	return 0;
}

/* tcp-reset-read's client on its connected fd: the go, then reads
 * without waiting until the reset: every byte sent (checked), then
 * ECONNRESET. 0, or -1 (why). */
static int rr_read(struct churn_side *w, int fd)
{
	static __thread unsigned char in[RR_CHUNK + 1];
	size_t n = rr_size(w->rounds), got = 0;
	long long end = deadline_after(LOST_MS);
	char go = RR_GO;
	ssize_t r;

	if (send(fd, &go, 1, MSG_NOSIGNAL) != 1) {
		snprintf(w->why, sizeof(w->why), "round %ld: send: %s", w->rounds, errname(errno));
		return -1;
	}
	while ((r = recv(fd, in + got, sizeof(in) - got, MSG_DONTWAIT)) > 0 ||
	       (r < 0 && errno == EAGAIN && now_ms() < end))
		got += r > 0 ? (size_t)r : 0;
	int e = errno;
	for (size_t i = 0; i < got && i < n; i++)
		if (in[i] != rr_byte(w->rounds, i)) {
			snprintf(w->why, sizeof(w->why), "round %ld: byte %zu is %#x, want %#x", w->rounds, i, in[i],
				 rr_byte(w->rounds, i));
			return -1;
		}
	if (r < 0 && e == ECONNRESET && got == n) {
		w->got += (long)n;
		return 0;
	}
	snprintf(w->why, sizeof(w->why), "round %ld: %zu of %zu bytes read, then recv returned %zd (%s)", w->rounds,
		 got, n, r, r < 0 ? errname(e) : "no error");
	return -1;
}

/* One connection of tcp-reset-read (churn_side's round). */
static int rr_round(struct churn_side *w, bool last)
{
	int fd = churn_connect(w), r = 0;

	if (fd < 0)
		return -1;
	struct timeval tmo = { .tv_sec = LOST_MS / 1000 }; /* a stuck call fails, naming itself */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	if (w->server)
		r = rr_serve(w, fd);
	else if (!last)
		r = rr_read(w, fd);
	close(fd);
	return r;
}

static int check_tcp_reset_read(void)
{
	struct churn_side w[MAX_WORKERS];
	long rounds = 0, bytes = 0;
	int pairs = churn_pairs_run(w, rr_round);

	if (pairs < 0)
		return pairs;
	for (int i = 0; i < 2 * pairs; i += 2) {
		if (w[i].why[0])
			return fail("client %d: %s", i / 2, w[i].why);
		if (w[i + 1].why[0])
			return fail("server %d: %s", i / 2, w[i + 1].why);
		if (w[i].rounds == 0 || w[i].got != w[i + 1].sent)
			return fail("pair %d: %ld rounds, %ld bytes sent, %ld read", i / 2, w[i].rounds, w[i + 1].sent,
				    w[i].got);
		rounds += w[i].rounds;
		bytes += w[i].got;
	}
	remark("%d pairs, %ld resets, %ld bytes, each read before its reset", pairs, rounds, bytes);
	return CHECK_OK;
}

struct tcp_player {
	int fd, cpu;
	uint32_t first;          /* the value it sends first, or 0: it answers */
	long rounds;             /* values it received and checked */
	char why[160];
};

/* Receive one counter (MSG_WAITALL) into *v: 0, 1 at end of stream, or -1 (why). */
static int pp_recv(struct tcp_player *p, uint32_t *v)
{
	ssize_t n = recv(p->fd, v, sizeof(*v), MSG_WAITALL);

	if (n == 0)
		return 1;
	if (n == (ssize_t)sizeof(*v))
		return 0;
	snprintf(p->why, sizeof(p->why), "recv returned %zd (%s) after %ld rounds", n, errname(errno),
		 p->rounds);
	return -1;
}

/* Answer each counter with the next one; the side that sent first stops
 * after PART_MS and shuts its end, which ends the other. */
static void *pp_player(void *arg)
{
	struct tcp_player *p = arg;
	long long end = deadline_after(PART_MS);
	uint32_t v = p->first, got;

	pin_to(p->cpu);
	if (p->first && send(p->fd, &v, sizeof(v), MSG_NOSIGNAL) != (ssize_t)sizeof(v))
		goto fail;
	for (;;) {
		int r = pp_recv(p, &got);
		if (r > 0 && p->first)
			snprintf(p->why, sizeof(p->why), "end of stream after %ld rounds", p->rounds);
		if (r)
			break; /* the end (the answerer's), or a failure in why */
		if (got != v + 1 && !(p->first == 0 && p->rounds == 0)) {
			snprintf(p->why, sizeof(p->why), "got %u after sending %u", got, v);
			break;
		}
		p->rounds++;
		v = got + 1;
		if (p->first && now_ms() >= end) {
			shutdown(p->fd, SHUT_WR);
			return NULL;
		}
		if (send(p->fd, &v, sizeof(v), MSG_NOSIGNAL) != (ssize_t)sizeof(v))
			goto fail;
	}
	shutdown(p->fd, SHUT_WR);
	return NULL;
fail:
	snprintf(p->why, sizeof(p->why), "send failed (%s) after %ld rounds", errname(errno), p->rounds);
	shutdown(p->fd, SHUT_RDWR);
	return NULL;
}

static int check_tcp_pingpong(void)
{
	struct sockaddr_in a;
	struct timeval tv = { LOST_MS / 1000, 0 };
	int sv[2], l = tcp_listener(&a), one = 1;
	pthread_t t[2];
	int made = 0;

	if (l < 0)
		return fail("listener on 127.0.0.1: %s", errname(errno));
	if (tcp_connected(l, &a, sv)) {
		close(l);
		return fail("connect over lo: %s", errname(errno));
	}
	close(l);
	struct tcp_player p[2] = { { .fd = sv[0], .cpu = 0, .first = 1 }, { .fd = sv[1], .cpu = 1 } };
	for (int i = 0; i < 2; i++) {
		setsockopt(sv[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	for (; made < 2; made++)
		if (pthread_create(&t[made], NULL, pp_player, &p[made]))
			break;
	if (made < 2)
		shutdown(sv[0], SHUT_RDWR);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	close(sv[0]);
	close(sv[1]);
	pin_to_all();
	if (made < 2)
		return fail("pthread_create failed");
	for (int i = 0; i < 2; i++)
		if (p[i].why[0])
			return fail("%s: %s", i ? "answerer" : "starter", p[i].why);
	if (p[0].rounds == 0 || p[1].rounds < p[0].rounds || p[1].rounds > p[0].rounds + 1)
		return fail("%ld and %ld values received", p[0].rounds, p[1].rounds);
	remark("%ld round trips, every value checked", p[0].rounds);
	return CHECK_OK;
}

static struct {
	int fd;
	_Atomic int entering;    /* the reader is about to call recv */
	ssize_t got;
	int err;
	unsigned char byte;
} tcr;

static void *tcr_reader(void *arg)
{
	(void)arg;
	pin_to(1);
	atomic_store(&tcr.entering, 1);
	tcr.got = recv(tcr.fd, &tcr.byte, 1, 0);
	tcr.err = tcr.got < 0 ? errno : 0;
	return NULL;
}

/* Peer end fd reads end of file within LOST_MS: 0, or a message in why. */
static int tcr_peer_sees_end(int fd, bool after_byte, char *why, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, LOST_MS) != 1) {
		snprintf(why, n, "the peer saw no end in %d ms", LOST_MS);
		return -1;
	}
	ssize_t r = recv(fd, &c, 1, MSG_DONTWAIT);
	if (r == 0 || (!after_byte && r < 0 && (errno == ECONNRESET || errno == EPIPE)))
		return 0; /* a byte sent to a closed socket may be answered by a reset */
	snprintf(why, n, "the peer's read after the close returned %zd (%s)", r, errname(errno));
	return -1;
}

/* One round: 1 when the recv got the byte, 0 when the close came first
 * (EBADF), -1 on failure (why). */
static int tcr_round(int l, const struct sockaddr_in *a, long round, char *why, size_t n)
{
	int sv[2];
	pthread_t t;

	if (tcp_connected(l, a, sv)) {
		snprintf(why, n, "connect over lo: %s", errname(errno));
		return -1;
	}
	tcr.fd = sv[0];
	atomic_store(&tcr.entering, 0);
	if (pthread_create(&t, NULL, tcr_reader, NULL)) {
		snprintf(why, n, "pthread_create failed");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	while (!atomic_load(&tcr.entering))
		sched_yield();
	usleep((useconds_t)(round % 7) * 100); /* the close lands before or inside the recv */
	close(sv[0]);
	usleep(200);
	int rc = send(sv[1], "x", 1, MSG_NOSIGNAL) == 1 || errno == EPIPE || errno == ECONNRESET ? 0 : -1;
	if (rc)
		snprintf(why, n, "the peer's send failed (%s)", errname(errno));
	pthread_join(t, NULL);
	bool got = tcr.got == 1 && tcr.byte == 'x';
	if (!rc && !got && !(tcr.got < 0 && tcr.err == EBADF)) {
		snprintf(why, n, "recv racing close returned %zd (%s)", tcr.got, errname(tcr.err));
		rc = -1;
	}
	if (!rc)
		rc = tcr_peer_sees_end(sv[1], got, why, n);
	close(sv[1]);
	return rc ? -1 : got;
}

static int check_tcp_close_recv(void)
{
	struct sockaddr_in a;
	int l = tcp_listener(&a);
	long long end = deadline_after(PART_MS);
	long rounds = 0, got = 0;
	char why[160] = "";

	if (l < 0)
		return fail("listener on 127.0.0.1: %s", errname(errno));
	pin_to(0);
	while (rounds < TCP_CR_ROUNDS && (rounds < 4 || now_ms() < end)) {
		int r = tcr_round(l, &a, rounds, why, sizeof(why));
		if (r < 0)
			break;
		got += r;
		rounds++;
	}
	close(l);
	pin_to_all();
	if (why[0])
		return fail("round %ld: %s", rounds, why);
	if (got == 0)
		return fail("in %ld rounds the close always came before the recv", rounds);
	remark("%ld rounds, %ld recvs got the byte sent after the close, %ld saw EBADF", rounds, got,
	       rounds - got);
	return CHECK_OK;
}

static struct {
	int rx;
	struct sockaddr_in to;
	int senders;
	_Atomic long read[MAX_WORKERS];   /* datagrams read, per sender */
	long sent[MAX_WORKERS];
	unsigned char *seen[MAX_WORKERS]; /* a byte per sequence number */
	long cap;
	long long lost;                   /* a sender that sent nothing by then fails (LOST_MS) */
	_Atomic int failed;
	char why[160];
} uc;

static void uc_fail(const char *what, long a, long b)
{
	if (atomic_exchange(&uc.failed, 1) == 0)
		snprintf(uc.why, sizeof(uc.why), "%s (%ld, %ld)", what, a, b);
}

/* A sender: PART_MS from the moment it runs on its CPU, and on until it
 * has sent a datagram, until uc.lost at most (LOST_MS after the part
 * began): a vCPU the host runs late (8 on 2 busy cores) is slow, not
 * stuck. */
static void *uc_sender(void *arg)
{
	long me = (long)(intptr_t)arg, d[UDP_WORDS];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	pin_to((int)me);
	if (fd < 0) {
		uc_fail("socket", me, errno);
		return NULL;
	}
	long long end = deadline_after(PART_MS);
	for (long seq = 0; seq < uc.cap && now_ms() < uc.lost && (now_ms() < end || seq == 0) &&
			   !atomic_load(&uc.failed); seq++) {
		while (seq - atomic_load(&uc.read[me]) >= UDP_WINDOW && !atomic_load(&uc.failed))
			sched_yield(); /* no more unread than the receiver's buffer holds */
		for (int i = 0; i < UDP_WORDS; i++)
			d[i] = me << 40 | seq << 4 | i;
		ssize_t n = sendto(fd, d, sizeof(d), 0, (struct sockaddr *)&uc.to, sizeof(uc.to));
		if (n != (ssize_t)sizeof(d)) {
			uc_fail("sendto returned", (long)n, errno);
			break;
		}
		uc.sent[me] = seq + 1;
	}
	close(fd);
	return NULL;
}

static void uc_check(const long *d, ssize_t n)
{
	long who = d[0] >> 40, seq = (d[0] >> 4) & 0xfffffffffL;

	if (n != (ssize_t)(UDP_WORDS * sizeof(long)))
		return uc_fail("a datagram of the wrong size", (long)n, 0);
	if (who < 0 || who >= uc.senders || seq >= uc.cap)
		return uc_fail("a datagram from no sender", who, seq);
	for (int i = 0; i < UDP_WORDS; i++)
		if (d[i] != (who << 40 | seq << 4 | i))
			return uc_fail("a datagram torn at word", i, seq);
	if (uc.seen[who][seq]++)
		return uc_fail("a datagram read twice", who, seq);
	atomic_fetch_add(&uc.read[who], 1);
}

/* The receiver: until every sender is done and all they sent is read, or
 * nothing comes for LOST_MS while some is missing. */
#define UDP_POLL_MS 10
static void uc_receive(_Atomic int *senders_done)
{
	long d[UDP_WORDS + 1];
	struct pollfd p = { .fd = uc.rx, .events = POLLIN };
	long long last = now_ms();

	while (!atomic_load(&uc.failed)) {
		long want = 0, have = 0;
		bool done = atomic_load(senders_done); /* first: the counts below are final then */
		for (int i = 0; i < uc.senders; i++) {
			want += uc.sent[i];
			have += atomic_load(&uc.read[i]);
		}
		if (done && have == want)
			return;
		if (poll(&p, 1, UDP_POLL_MS) != 1) {
			if (now_ms() - last > LOST_MS)
				return uc_fail("no datagram for LOST_MS; read, sent", have, want);
			continue;
		}
		ssize_t n = recv(uc.rx, d, sizeof(d), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		uc_check(d, n);
		last = now_ms();
	}
}

static _Atomic int uc_done;

static void *uc_main(void *arg)
{
	pthread_t *t = arg;
	for (int i = 0; i < uc.senders; i++)
		pthread_join(t[i], NULL);
	atomic_store(&uc_done, 1);
	return NULL;
}

static int check_udp_count(void)
{
	socklen_t len = sizeof(uc.to);
	pthread_t t[MAX_WORKERS], joiner;
	int made = 0;
	long total = 0;

	memset(&uc, 0, sizeof(uc));
	atomic_store(&uc_done, 0);
	uc.senders = ncpus < 2 ? 2 : ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS;
	uc.cap = 1L << 20;
	uc.to.sin_family = AF_INET;
	uc.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uc.rx = socket(AF_INET, SOCK_DGRAM, 0);
	if (uc.rx < 0 || bind(uc.rx, (struct sockaddr *)&uc.to, sizeof(uc.to)) ||
	    getsockname(uc.rx, (struct sockaddr *)&uc.to, &len))
		return fail("receiver on 127.0.0.1: %s", errname(errno));
	for (int i = 0; i < uc.senders; i++)
		if (!(uc.seen[i] = calloc((size_t)uc.cap, 1)))
			return fail("calloc");
	uc.lost = deadline_after(LOST_MS);
	for (; made < uc.senders; made++)
		if (pthread_create(&t[made], NULL, uc_sender, (void *)(intptr_t)made))
			break;
	int senders = uc.senders;
	uc.senders = made; /* the ones that started */
	if (made == 0 || pthread_create(&joiner, NULL, uc_main, t)) {
		uc_fail("pthread_create failed", made, senders);
		for (int i = 0; i < made; i++) /* they see the failure and stop */
			pthread_join(t[i], NULL);
	} else {
		uc_receive(&uc_done); /* on a failure the senders see it and stop */
		pthread_join(joiner, NULL);
	}
	close(uc.rx);
	for (int i = 0; i < senders; i++)
		free(uc.seen[i]);
	if (made < senders && !uc.failed)
		return fail("pthread_create failed");
	if (uc.failed)
		return fail("%s", uc.why);
	for (int i = 0; i < made; i++) {
		if (atomic_load(&uc.read[i]) != uc.sent[i])
			return fail("sender %d: %ld sent, %ld read", i, uc.sent[i], (long)atomic_load(&uc.read[i]));
		if (uc.sent[i] == 0)
			return fail("sender %d sent nothing in %d ms", i, LOST_MS);
		total += uc.sent[i];
	}
	remark("%d senders, %ld datagrams, each read once", made, total);
	return CHECK_OK;
}

/* ------------------------------------------------------------- main */

/* A fresh directory for a part's files, "/smp-stress-NAME.PID" (a RAM
 * directory on Kestrel), else under /tmp: 0, or -1 (errno). */
static int part_dir_make(char *dir, size_t cap, const char *name)
{
	snprintf(dir, cap, "/smp-stress-%s.%d", name, (int)getpid());
	if (mkdir(dir, 0755) == 0)
		return 0;
	snprintf(dir, cap, "/tmp/smp-stress-%s.%d", name, (int)getpid());
	return mkdir(dir, 0755);
}

/* A part's directory entered: the working directory noted in home
 * (PATH_MAX bytes; "/" if unknown), dir made (part_dir_make) and made
 * the working directory. 0, or -1 (errno). */
static int part_dir_enter(char *dir, size_t cap, const char *name, char *home)
{
	if (!getcwd(home, PATH_MAX))
		strcpy(home, "/");
	return part_dir_make(dir, cap, name) || chdir(dir) ? -1 : 0;
}

/* Back to home (else "/") and dir removed: the part's files gone first. */
static void part_dir_leave(const char *dir, const char *home)
{
	if (chdir(home))
		chdir("/");
	rmdir(dir);
}

/* ------------------------------------------------------------- stat-rename */

#define SR_CHURN       64      /* stat-rename: directories made and removed in each batch */
#define SR_OVER_SIZE   4242    /* stat-rename: the size of every file renamed over "over" */

static struct {
	_Atomic int stop;
	ino_t stable, a, emark;
	char why[200];
	pthread_mutex_t why_lock;
} sr;

struct sr_reader {
	int me;
	long stats, found_over, enoent;
};

/* Record the first wrong answer; returns false to stop the reader. */
static bool sr_wrong(const char *fmt, const char *path, long a, long b)
{
	pthread_mutex_lock(&sr.why_lock);
	if (!sr.why[0])
		snprintf(sr.why, sizeof(sr.why), fmt, path, a, b);
	pthread_mutex_unlock(&sr.why_lock);
	atomic_store(&sr.stop, 1);
	return false;
}

/* stat(path) must find inode want (0: any) or, when may_miss, nothing. */
static bool sr_expect(struct sr_reader *r, const char *path, ino_t want, bool may_miss)
{
	struct stat st;

	r->stats++;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && may_miss) {
			r->enoent++;
			return true;
		}
		return sr_wrong("stat %s: errno %ld (%ld)", path, errno, 0);
	}
	if (want && st.st_ino != want)
		return sr_wrong("stat %s: inode %ld, want %ld", path, (long)st.st_ino, (long)want);
	return true;
}

static void *sr_reader_run(void *arg)
{
	struct sr_reader *r = arg;
	char churn[32];
	unsigned seed = (unsigned)r->me * 2654435761u + 7;

	pin_to(r->me);
	while (!atomic_load(&sr.stop)) {
		struct stat st;
		seed = seed * 1103515245u + 12345u;
		snprintf(churn, sizeof(churn), "churn-%u/../stable", (seed >> 8) % SR_CHURN);
		if (!sr_expect(r, "stable", sr.stable, false) || !sr_expect(r, "a", sr.a, true) ||
		    !sr_expect(r, "b", sr.a, true) || !sr_expect(r, churn, sr.stable, true) ||
		    !sr_expect(r, "d1/../stable", sr.stable, true) || !sr_expect(r, "e/d1/../emark", sr.emark, true) ||
		    !sr_expect(r, "lflip", sr.stable, false) || !sr_expect(r, "labs", sr.stable, false) ||
		    !sr_expect(r, "ld1/../stable", sr.stable, true))
			break;
		char target[16];
		ssize_t n = readlink("lflip", target, sizeof(target));
		if (n != 6 || memcmp(target, "stable", 6) != 0) {
			sr_wrong("readlink %s: %ld (errno %ld): a symlink renamed over vanished", "lflip", (long)n,
				 n < 0 ? errno : 0);
			break;
		}
		r->stats++;
		if (stat("over", &st) != 0) {
			sr_wrong("stat %s: errno %ld (%ld): a name renamed over vanished", "over", errno, 0);
			break;
		}
		/* nlink 0: found, then replaced before its fields were read (Linux too) */
		if (st.st_size != SR_OVER_SIZE || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
			sr_wrong("stat %s: size %ld, nlink %ld", "over", (long)st.st_size, (long)st.st_nlink);
			break;
		}
		r->found_over++;
	}
	return NULL;
}

/* A fresh regular file of SR_OVER_SIZE bytes called name: 0 or -1. */
static int sr_make_file(const char *name, ino_t *ino)
{
	struct stat st;
	int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);

	if (fd < 0)
		return -1;
	int rc = ftruncate(fd, SR_OVER_SIZE) || fstat(fd, &st) ? -1 : 0;
	close(fd);
	if (ino && rc == 0)
		*ino = st.st_ino;
	return rc;
}

/* The main thread's round of changes: -1 with errno on a failed call. */
static int sr_mutate(long round)
{
	char name[32];

	if (rename(round % 2 ? "b" : "a", round % 2 ? "a" : "b") || sr_make_file("over.tmp", NULL) ||
	    rename("over.tmp", "over") || symlink("stable", "lflip.tmp") || rename("lflip.tmp", "lflip") || rename(round % 2 ? "e/d1" : "d1", round % 2 ? "d1" : "e/d1"))
		return -1;
	if (round % 4)
		return 0;
	for (int i = 0; i < SR_CHURN; i++) {
		snprintf(name, sizeof(name), "churn-%d", i);
		if (mkdir(name, 0755))
			return -1;
	}
	for (int i = 0; i < SR_CHURN; i++) {
		snprintf(name, sizeof(name), "churn-%d", i);
		if (rmdir(name))
			return -1;
	}
	return 0;
}

/* The directory the part works in: under / where it may write (a RAM
 * directory on Kestrel), else under /tmp; the cwd moves there, so that
 * every walk starts in it. */
static int sr_setup(char *dir, size_t cap)
{
	struct stat st;

	if (part_dir_make(dir, cap, "stat"))
		return -1;
	char target[96];
	snprintf(target, sizeof(target), "%s/stable", dir);
	if (chdir(dir) || sr_make_file("stable", &sr.stable) || sr_make_file("a", &sr.a) ||
	    symlink("stable", "lflip") || symlink(target, "labs") || symlink("d1", "ld1") ||
	    sr_make_file("over", NULL) || mkdir("d1", 0755) || mkdir("e", 0755) ||
	    sr_make_file("e/emark", &sr.emark) || stat("stable", &st))
		return -1;
	return 0;
}

static void sr_cleanup(const char *dir, const char *home)
{
	char name[32];

	for (int i = 0; i < SR_CHURN; i++) {
		snprintf(name, sizeof(name), "churn-%d", i);
		rmdir(name);
	}
	unlink("stable");
	unlink("a");
	unlink("b");
	unlink("over");
	unlink("over.tmp");
	unlink("lflip");
	unlink("lflip.tmp");
	unlink("labs");
	unlink("ld1");
	rmdir("d1");
	rmdir("e/d1");
	unlink("e/emark");
	rmdir("e");
	part_dir_leave(dir, home);
}

static int check_stat_rename(void)
{
	static struct sr_reader r[MAX_WORKERS];
	char dir[64], home[PATH_MAX];
	struct crew c;
	long round = 0, stats = 0, over = 0, enoent = 0;
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS, res = CHECK_OK;

	memset(&sr, 0, sizeof(sr));
	memset(r, 0, sizeof(r));
	pthread_mutex_init(&sr.why_lock, NULL);
	if (!getcwd(home, sizeof(home)))
		strcpy(home, "/");
	if (sr_setup(dir, sizeof(dir))) {
		int e = errno;
		sr_cleanup(dir, home);
		return fail("setting up %s: %s", dir, errname(e));
	}
	for (int i = 0; i < n; i++)
		r[i].me = i;
	if (crew_start(&c, n, sr_reader_run, r, sizeof(r[0])))
		res = fail("pthread_create: %s", errname(errno));
	long long end = deadline_after(PART_MS);
	while (res == CHECK_OK && !atomic_load(&sr.stop) && (now_ms() < end || round < 8))
		if (sr_mutate(round++))
			res = fail("round %ld: %s", round, errname(errno));
	atomic_store(&sr.stop, 1);
	crew_join(&c);
	sr_cleanup(dir, home);
	if (res != CHECK_OK)
		return res;
	if (sr.why[0])
		return fail("%s (round %ld)", sr.why, round);
	for (int i = 0; i < n; i++) {
		stats += r[i].stats;
		over += r[i].found_over;
		enoent += r[i].enoent;
	}
	remark("%ld rounds of changes, %d readers, %ld stats (%ld ENOENT, %ld of the name renamed over)",
	       round, n, stats, enoent, over);
	return CHECK_OK;
}

/* ------------------------------------------------------------- open racing unlink and rename */

#define OU_TAG_LEN   16        /* open-unlink: "gen %011ld\n", a generation's whole content */
#define OU_FDS       1024      /* open-unlink: descriptors the owner map covers */
#define OU_INODE_SLACK 16      /* open-unlink: free inodes others may take meanwhile (a host's) */

static struct {
	_Atomic int stop;
	_Atomic long gen;          /* the newest generation renamed into place as "victim" */
	_Atomic int owner[OU_FDS]; /* the thread holding descriptor fd now (0: none) */
	int base;                  /* what the dup thread dups */
	char why[200];
	pthread_mutex_t why_lock;
} ou;

struct ou_worker {
	int me;                    /* 1..: 0 means "nobody" in owner[] */
	long opens, enoent, dups;
};

static bool ou_wrong(const char *fmt, long a, long b)
{
	pthread_mutex_lock(&ou.why_lock);
	if (!ou.why[0])
		snprintf(ou.why, sizeof(ou.why), fmt, a, b);
	pthread_mutex_unlock(&ou.why_lock);
	atomic_store(&ou.stop, 1);
	return false;
}

/* Descriptor fd was just handed to thread me: nobody else may hold it. */
static bool ou_claim(int fd, int me)
{
	int none = 0;

	if (fd < 0 || fd >= OU_FDS)
		return ou_wrong("descriptor %ld out of the map (thread %ld)", fd, me);
	if (!atomic_compare_exchange_strong(&ou.owner[fd], &none, me))
		return ou_wrong("descriptor %ld handed to two threads at once (the other %ld)", fd, none);
	return true;
}

static bool ou_release(int fd)
{
	atomic_store(&ou.owner[fd], 0);
	if (close(fd))
		return ou_wrong("close %ld: errno %ld", fd, errno);
	return true;
}

/* One open of "victim": ENOENT, or a whole generation at least as new as
 * the one in place before the open. */
static bool ou_open_once(struct ou_worker *w, int flags)
{
	char buf[OU_TAG_LEN + 1];
	struct stat st;
	long before = atomic_load(&ou.gen), g = -1;
	/* from the cwd, or from the directory's descriptor (openat) */
	int fd = w->opens & 1 ? openat(ou.base, "victim", flags | O_CLOEXEC) : open("victim", flags | O_CLOEXEC);

	if (fd < 0) {
		w->enoent++;
		return errno == ENOENT || ou_wrong("open victim: errno %ld (flags %#lx)", errno, flags);
	}
	w->opens++;
	if (!ou_claim(fd, w->me))
		return false;
	ssize_t n = pread(fd, buf, OU_TAG_LEN, 0);
	buf[n > 0 ? n : 0] = '\0';
	if (n != OU_TAG_LEN || sscanf(buf, "gen %ld", &g) != 1 || g < before)
		return ou_wrong("read %ld bytes of a generation (%ld): not a whole one as new as the last", n, g);
	if (fstat(fd, &st) || st.st_size != OU_TAG_LEN || st.st_nlink > 1)
		return ou_wrong("fstat: size %ld, nlink %ld", (long)st.st_size, (long)st.st_nlink);
	return ou_release(fd);
}

static void *ou_opener(void *arg)
{
	struct ou_worker *w = arg;

	pin_to(w->me);
	for (long k = 0; !atomic_load(&ou.stop); k++)
		if (!ou_open_once(w, k & 1 ? O_RDONLY : O_RDWR))
			break;
	return NULL;
}

#define OU_LOOK_FDS 16          /* open-unlink: fcntl looks at descriptors below this */

/* dup installs under the kernel lock while the openers install without
 * it; fcntl(F_GETFL), under the kernel lock too, looks at the openers'
 * descriptors while they close them (a RAM file's last close frees it
 * without the kernel lock): EBADF or an open file's flags. */
static void *ou_duper(void *arg)
{
	struct ou_worker *w = arg;

	for (int k = 0; !atomic_load(&ou.stop); k = (k + 1) % OU_LOOK_FDS) {
		int fd = dup(ou.base);
		if (fd < 0 && ou_wrong("dup: errno %ld (%ld)", errno, 0))
			break;
		w->dups++;
		if (!ou_claim(fd, w->me) || !ou_release(fd))
			break;
		int fl = fcntl(k, F_GETFL);
		if (fl < 0 && errno != EBADF && ou_wrong("fcntl %ld: errno %ld", k, errno))
			break;
	}
	return NULL;
}

/* The main thread's round: generation g made aside and renamed over
 * "victim" (the old one unlinked with it), every fourth one then
 * unlinked. -1 with errno on a failed call. */
static int ou_mutate(long g, int me)
{
	char tag[32];
	int fd = open("victim.tmp", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (!ou_claim(fd, me))
		return 0;
	snprintf(tag, sizeof(tag), "gen %011ld\n", g % 100000000000L);
	if (write(fd, tag, OU_TAG_LEN) != OU_TAG_LEN || !ou_release(fd) || rename("victim.tmp", "victim"))
		return -1;
	atomic_store(&ou.gen, g);
	return g % 4 == 3 ? unlink("victim") : 0;
}

static long ou_free_inodes(void)
{
	struct statvfs v;

	return statvfs(".", &v) ? -1 : (long)v.f_ffree;
}

/* open-unlink: open and openat (from the cwd or a directory's
 * descriptor) of an existing RAM file run without the kernel lock (a reference taken inside a lock-free walk, the slot
 * filled under the table's lock): a thread per CPU opens "victim" while
 * the main thread renames new generations over it and unlinks it, and
 * another dups a descriptor under the kernel lock. Each open finds
 * nothing or a whole generation at least as new as the one in place
 * before it, no descriptor is handed to two threads at once, and when
 * all is closed and removed, the file system has as many free inodes as
 * before (no reference left over; one dropped twice is a panic). */
static int check_open_unlink(void)
{
	static struct ou_worker w[MAX_WORKERS + 1];
	char dir[64], home[PATH_MAX];
	struct crew c;
	pthread_t duper;
	long g = 0, opens = 0, enoent = 0;
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS, res = CHECK_OK;

	memset(&ou, 0, sizeof(ou));
	memset(w, 0, sizeof(w));
	pthread_mutex_init(&ou.why_lock, NULL);
	if (!getcwd(home, sizeof(home)))
		strcpy(home, "/");
	if (part_dir_make(dir, sizeof(dir), "open"))
		return fail("mkdir %s: %s", dir, errname(errno));
	if (chdir(dir) || (ou.base = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail("chdir %s: %s", dir, errname(errno));
	long free_before = ou_free_inodes();
	if (ou_mutate(g++, n + 2))
		res = fail("the first generation: %s", errname(errno));
	for (int i = 0; i <= n; i++)
		w[i].me = i + 1;
	if (res == CHECK_OK && crew_start(&c, n, ou_opener, w, sizeof(w[0])))
		res = fail("pthread_create: %s", errname(errno));
	if (res == CHECK_OK && pthread_create(&duper, NULL, ou_duper, &w[n])) {
		atomic_store(&ou.stop, 1);
		crew_join(&c);
		res = fail("pthread_create: %s", errname(errno));
	}
	if (res == CHECK_OK) {
		long long end = deadline_after(PART_MS);
		while (!atomic_load(&ou.stop) && (now_ms() < end || g < 8))
			if (ou_mutate(g++, n + 2)) {
				ou_wrong("round %ld: errno %ld", g, errno);
				break;
			}
		atomic_store(&ou.stop, 1);
		crew_join(&c);
		pthread_join(duper, NULL);
	}
	close(ou.base);
	unlink("victim");
	unlink("victim.tmp");
	long free_after = ou_free_inodes();
	part_dir_leave(dir, home);
	if (res != CHECK_OK)
		return res;
	if (ou.why[0])
		return fail("%s (generation %ld)", ou.why, g);
	for (int i = 0; i < n; i++) {
		opens += w[i].opens;
		enoent += w[i].enoent;
	}
	if (free_before >= 0 && free_after >= 0 && free_after + OU_INODE_SLACK < free_before)
		return fail("%ld free inodes before, %ld after: references left over", free_before, free_after);
	remark("%ld generations, %d openers, %ld opens found one, %ld ENOENT, %ld dups; free inodes %ld -> %ld",
	       g, n, opens, enoent, w[n].dups, free_before, free_after);
	return CHECK_OK;
}

/* ------------------------------------------------------------- exit-truncate */

#define ET_PAGES      8        /* exit-truncate: the file's size when whole, in pages */
#define ET_SLACK      16       /* exit-truncate: free inodes or blocks others may take meanwhile (a host's) */
#define ET_MAPS       16       /* exit-truncate: mappings of the file in each child (16 regions on its list) */
#define ET_CHILDREN   24       /* exit-truncate: children ended at the least (within LOST_MS) */

struct et_worker {
	int me;
	long exits, execs;
	char why[96];
};

static struct {
	int fd;
	atomic_int stop;
	atomic_long ended; /* children of every worker that ended well */
} et;

static sigjmp_buf et_jump; /* the child's: one thread */

static void et_on_bus(int sig)
{
	(void)sig;
	siglongjmp(et_jump, 1);
}

/* The child: the file mapped shared ET_MAPS times, a byte written into
 * every other page of each (SIGBUS past a truncation skips the page), then _exit(0) or, when
 * exec_after, /bin/true in its place. Only what fork allows a child of
 * a threaded parent. */
static void et_child(int me, bool exec_after)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = et_on_bus;
	sa.sa_flags = SA_NODEFER;
	if (sigaction(SIGBUS, &sa, NULL))
		_exit(2);
	for (volatile int k = 0; k < ET_MAPS; k++) {
		volatile unsigned char *m = mmap(NULL, ET_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
						 et.fd, 0);
		if (m == MAP_FAILED)
			_exit(3);
		for (volatile int i = k % 2; i < ET_PAGES; i += 2)
			if (sigsetjmp(et_jump, 1) == 0)
				m[i * 4096 + me % 4096] = (unsigned char)me;
	}
	if (exec_after) {
		char *const argv[] = { "true", NULL };
		execv("/bin/true", argv);
		_exit(4);
	}
	_exit(0);
}

/* A worker: children one after another until told to stop, alternately
 * exiting and execing; each must end with status 0. */
static void *et_run(void *arg)
{
	struct et_worker *w = arg;

	pin_to(w->me);
	while (!atomic_load(&et.stop)) {
		bool exec_after = (w->exits + w->execs) % 2;
		int status;
		pid_t pid = fork();
		if (pid < 0) {
			snprintf(w->why, sizeof(w->why), "fork: %s", errname(errno));
			break;
		}
		if (pid == 0)
			et_child(w->me, exec_after);
		if (waitpid(pid, &status, 0) != pid) {
			snprintf(w->why, sizeof(w->why), "waitpid: %s", errname(errno));
			break;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(w->why, sizeof(w->why), "a child that %s ended with status %#x",
				 exec_after ? "execs" : "exits", status);
			break;
		}
		if (exec_after)
			w->execs++;
		else
			w->exits++;
		atomic_fetch_add(&et.ended, 1);
	}
	return NULL;
}

/* The free inodes and blocks of the file system of ".": -1 if unknown. */
static int et_free(long *inodes, long *blocks)
{
	struct statvfs v;

	if (statvfs(".", &v))
		return -1;
	*inodes = (long)v.f_ffree;
	*blocks = (long)v.f_bfree;
	return 0;
}

static int check_exit_truncate(void)
{
	static struct et_worker w[MAX_WORKERS];
	char dir[64], home[PATH_MAX];
	struct crew c;
	long truncs = 0, exits = 0, execs = 0, ino0 = 0, blk0 = 0, ino1 = 0, blk1 = 0;
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS, res = CHECK_OK;

	memset(w, 0, sizeof(w));
	atomic_store(&et.stop, 0);
	atomic_store(&et.ended, 0);
	if (part_dir_enter(dir, sizeof(dir), "trunc", home))
		return fail("mkdir or chdir %s: %s", dir, errname(errno));
	bool counted = et_free(&ino0, &blk0) == 0;
	et.fd = open("mapped", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (et.fd < 0 || ftruncate(et.fd, ET_PAGES * 4096))
		res = fail("the file: %s", errname(errno));
	for (int i = 0; i < n; i++)
		w[i].me = i;
	if (res == CHECK_OK && crew_start(&c, n, et_run, w, sizeof(w[0]))) {
		atomic_store(&et.stop, 1);
		crew_join(&c);
		res = fail("pthread_create: %s", errname(errno));
	}
	if (res == CHECK_OK) {
		long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);
		while ((now_ms() < end || truncs < 8 || atomic_load(&et.ended) < ET_CHILDREN) &&
		       now_ms() < lost) {
			if (ftruncate(et.fd, 0) || ftruncate(et.fd, (truncs % ET_PAGES + 1) * 4096)) {
				res = fail("ftruncate: %s", errname(errno));
				break;
			}
			truncs++;
		}
		atomic_store(&et.stop, 1);
		crew_join(&c);
	}
	if (et.fd >= 0)
		close(et.fd);
	unlink("mapped");
	counted = counted && et_free(&ino1, &blk1) == 0;
	part_dir_leave(dir, home);
	if (res != CHECK_OK)
		return res;
	for (int i = 0; i < n; i++) {
		if (w[i].why[0])
			return fail("worker %d: %s", i, w[i].why);
		exits += w[i].exits;
		execs += w[i].execs;
	}
	if (exits == 0 || execs == 0)
		return fail("%ld children exited, %ld exec'd: the part did not run", exits, execs);
	if (counted && (ino1 + ET_SLACK < ino0 || blk1 + ET_SLACK < blk0))
		return fail("free inodes %ld -> %ld, blocks %ld -> %ld: references left over", ino0, ino1, blk0, blk1);
	remark("%d workers, %ld truncations, %ld children exited, %ld exec'd", n, truncs, exits, execs);
	return CHECK_OK;
}

/* ------------------------------------------------------------- fork-truncate */

#define FK_PAGES      8        /* fork-truncate: the file's size when whole, in pages */
#define FK_MAPS       16       /* fork-truncate: mappings of the file in each worker (16 regions on its list) */
#define FK_CHECKED    4        /* fork-truncate: mappings a child checks, page by page */
#define FK_CHILDREN   96       /* fork-truncate: children checked at the least (within LOST_MS) */
#define FK_PAUSE_NS   100000   /* fork-truncate: between two truncations, for the children's checks */
#define FK_GIVE_UP_MS 10000    /* fork-truncate: a page's check waits this long for a truncation to end */
#define FK_PATIENCE   32       /* fork-truncate: tries before a check asks the truncator for a pause */
#define FK_NAP_MS     1000     /* fork-truncate: how long the truncator waits at most for the checks that asked */

struct fk_worker {
	int me;
	long children;
	char why[96];
};

/* In memory every child shares with the part (MAP_SHARED): the
 * truncator's sequence count, odd while it truncates, and the
 * children's counts. */
struct fk_shared {
	atomic_uint seq;
	atomic_int starving; /* checks that asked for a pause (FK_PATIENCE tries failed) */
	atomic_long pages, sigbus;
};

static struct {
	int fd;
	atomic_int stop;
	atomic_long checked; /* children of every worker that checked their pages */
	struct fk_shared *sh;
} fk;

static __thread sigjmp_buf fk_jump; /* each worker's, and its child's */

static void fk_on_bus(int sig)
{
	(void)sig;
	siglongjmp(fk_jump, 1);
}

/* What a child's check of one page came to (its exit status when bad). */
enum fk_verdict { FK_OK = 0, FK_AGAIN = 1, FK_BUS_INSIDE = 10, FK_NO_BUS_PAST = 11, FK_STALE = 12 };

/* Write a token at off into page i of mapping m and read it back with
 * pread, no truncation running meanwhile (the sequence count the same
 * and even before and after): SIGBUS exactly past the file's end, and
 * the token read back inside it. */
static enum fk_verdict fk_page(volatile unsigned char *m, int i, unsigned off, uint64_t token)
{
	unsigned g1 = atomic_load(&fk.sh->seq);
	volatile bool bus = false;
	uint64_t back = 0;
	struct stat st;

	if (g1 & 1)
		return FK_AGAIN;
	if (sigsetjmp(fk_jump, 1) == 0)
		*(volatile uint64_t *)(m + (size_t)i * 4096 + off) = token;
	else
		bus = true;
	ssize_t got = pread(fk.fd, &back, sizeof(back), (off_t)i * 4096 + off);
	int serr = fstat(fk.fd, &st);
	if (atomic_load(&fk.sh->seq) != g1 || serr)
		return FK_AGAIN;
	bool inside = (off_t)(i + 1) * 4096 <= st.st_size; /* sizes are whole pages */
	if (bus && inside)
		return FK_BUS_INSIDE;
	if (!bus && !inside)
		return FK_NO_BUS_PAST;
	if (!bus && (got != (ssize_t)sizeof(back) || back != token))
		return FK_STALE; /* the page the child maps is no longer the file's */
	atomic_fetch_add(&fk.sh->pages, 1);
	if (bus)
		atomic_fetch_add(&fk.sh->sigbus, 1);
	return FK_OK;
}

/* fk_page until no truncation runs across it (for FK_GIVE_UP_MS at
 * most: a count of tries ran out inside one truncation that took over a
 * second, 8 emulated CPUs on a loaded 2-core host): its verdict,
 * FK_AGAIN if never. After FK_PATIENCE tries it asks the truncator for a
 * pause (on an emulated CPU a check may take longer than the
 * truncator's usual pause). */
static enum fk_verdict fk_check(volatile unsigned char *m, int i, unsigned off, uint64_t token)
{
	enum fk_verdict v = FK_AGAIN;
	long long give_up = deadline_after(FK_GIVE_UP_MS);
	long t;

	for (t = 0; v == FK_AGAIN && (t <= FK_PATIENCE || now_ms() < give_up); t++) {
		if (t == FK_PATIENCE)
			atomic_fetch_add(&fk.sh->starving, 1);
		if ((v = fk_page(m, i, off, token)) == FK_AGAIN)
			sched_yield();
	}
	if (t > FK_PATIENCE)
		atomic_fetch_sub(&fk.sh->starving, 1);
	return v;
}

/* The child of worker me: FK_CHECKED of its inherited mappings, from
 * the n-th on, checked page by page (fk_page). Its exit status: 0, or
 * the first bad verdict, or 2 when truncations never paused. */
static int fk_child(volatile unsigned char *const *maps, int me, long n)
{
	unsigned off = (unsigned)me * sizeof(uint64_t); /* each worker's own bytes of a page */

	for (int j = 0; j < FK_CHECKED; j++) {
		int k = (int)((n + j) % FK_MAPS);
		for (int i = 0; i < FK_PAGES; i++) {
			uint64_t token = ((uint64_t)getpid() << 16) | ((uint64_t)k << 8) | (uint64_t)i | (1ull << 63);
			enum fk_verdict v = fk_check(maps[k], i, off, token);
			if (v != FK_OK)
				return v == FK_AGAIN ? 2 : (int)v;
		}
	}
	return 0;
}

/* Read every page of the worker's mappings (mapping them in, so that a
 * fork copies them), a page past the file's end skipped on its SIGBUS. */
static void fk_touch(volatile unsigned char *const *maps)
{
	for (volatile int k = 0; k < FK_MAPS; k++)
		for (volatile int i = 0; i < FK_PAGES; i++)
			if (sigsetjmp(fk_jump, 1) == 0)
				(void)maps[k][(size_t)i * 4096];
}

/* Why a child's status is bad. */
static const char *fk_why(int status)
{
	if (!WIFEXITED(status))
		return "was killed";
	switch (WEXITSTATUS(status)) {
	case 2: return "never saw truncations pause";
	case FK_BUS_INSIDE: return "got SIGBUS inside the file";
	case FK_NO_BUS_PAST: return "wrote past the file's end without SIGBUS";
	case FK_STALE: return "wrote to a page that was not the file's (a truncated page left mapped)";
	default: return "ended badly";
	}
}

/* A worker: FK_MAPS shared mappings of the file; touch them and fork,
 * until told to stop; each child checks its pages and must end with 0. */
static void *fk_run(void *arg)
{
	struct fk_worker *w = arg;
	volatile unsigned char *maps[FK_MAPS];
	int k;

	pin_to(w->me);
	for (k = 0; k < FK_MAPS; k++) {
		maps[k] = mmap(NULL, FK_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fk.fd, 0);
		if (maps[k] == MAP_FAILED) {
			snprintf(w->why, sizeof(w->why), "mmap: %s", errname(errno));
			break;
		}
	}
	while (k == FK_MAPS && !atomic_load(&fk.stop)) {
		int status;
		fk_touch(maps);
		pid_t pid = fork();
		if (pid < 0) {
			snprintf(w->why, sizeof(w->why), "fork: %s", errname(errno));
			break;
		}
		if (pid == 0)
			_exit(fk_child(maps, w->me, w->children));
		if (waitpid(pid, &status, 0) != pid) {
			snprintf(w->why, sizeof(w->why), "waitpid: %s", errname(errno));
			break;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(w->why, sizeof(w->why), "child %ld %s (status %#x)", w->children,
				 fk_why(status), status);
			break;
		}
		w->children++;
		atomic_fetch_add(&fk.checked, 1);
	}
	while (k-- > 0)
		munmap((void *)maps[k], FK_PAGES * 4096);
	return NULL;
}

/* The main thread's part: truncate to nothing and back to 1..FK_PAGES
 * pages, the sequence count odd meanwhile, pausing FK_PAUSE_NS between
 * two (and while a check asks for it, up to FK_NAP_MS), until the time
 * is up and FK_CHILDREN children checked (or lost). */
static int fk_truncate_loop(long *truncs)
{
	struct timespec pause = { 0, FK_PAUSE_NS };
	long long end = deadline_after(PART_MS), lost = deadline_after(LOST_MS);

	while ((now_ms() < end || *truncs < 8 || atomic_load(&fk.checked) < FK_CHILDREN) && now_ms() < lost) {
		atomic_fetch_add(&fk.sh->seq, 1);
		int err = ftruncate(fk.fd, 0) || ftruncate(fk.fd, (*truncs % FK_PAGES + 1) * 4096);
		atomic_fetch_add(&fk.sh->seq, 1);
		if (err)
			return fail("ftruncate: %s", errname(errno));
		(*truncs)++;
		nanosleep(&pause, NULL);
		/* a check asked for a pause: until none asks (on 8 emulated CPUs
		 * over 2 host cores a check outlasted 50 naps of FK_PAUSE_NS) */
		for (long long nap_end = deadline_after(FK_NAP_MS);
		     atomic_load(&fk.sh->starving) > 0 && now_ms() < nap_end;)
			nanosleep(&pause, NULL);
	}
	return CHECK_OK;
}

static int check_fork_truncate(void)
{
	static struct fk_worker w[MAX_WORKERS];
	char dir[64], home[PATH_MAX];
	struct crew c;
	struct sigaction sa, old;
	long truncs = 0, children = 0;
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS, res = CHECK_OK;

	memset(w, 0, sizeof(w));
	atomic_store(&fk.stop, 0);
	atomic_store(&fk.checked, 0);
	fk.sh = mmap(NULL, sizeof(*fk.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fk.sh == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fk_on_bus;
	sa.sa_flags = SA_NODEFER;
	if (sigaction(SIGBUS, &sa, &old))
		return fail("sigaction: %s", errname(errno));
	if (part_dir_enter(dir, sizeof(dir), "forktrunc", home))
		return fail("mkdir or chdir %s: %s", dir, errname(errno));
	fk.fd = open("mapped", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fk.fd < 0 || ftruncate(fk.fd, FK_PAGES * 4096))
		res = fail("the file: %s", errname(errno));
	for (int i = 0; i < n; i++)
		w[i].me = i;
	if (res == CHECK_OK && crew_start(&c, n, fk_run, w, sizeof(w[0]))) {
		atomic_store(&fk.stop, 1);
		crew_join(&c);
		res = fail("pthread_create: %s", errname(errno));
	}
	if (res == CHECK_OK) {
		res = fk_truncate_loop(&truncs);
		atomic_store(&fk.stop, 1);
		crew_join(&c);
	}
	sigaction(SIGBUS, &old, NULL);
	if (fk.fd >= 0)
		close(fk.fd);
	unlink("mapped");
	part_dir_leave(dir, home);
	long pages = atomic_load(&fk.sh->pages), sigbus = atomic_load(&fk.sh->sigbus);
	munmap(fk.sh, sizeof(*fk.sh));
	if (res != CHECK_OK)
		return res;
	for (int i = 0; i < n; i++) {
		if (w[i].why[0])
			return fail("worker %d: %s", i, w[i].why);
		children += w[i].children;
	}
	if (children == 0 || pages == 0)
		return fail("%ld children checked %ld pages: the part did not run", children, pages);
	remark("%d workers, %ld truncations, %ld children, %ld pages checked, %ld SIGBUS past the end", n,
	       truncs, children, pages, sigbus);
	return CHECK_OK;
}

/* ------------------------------------------------------------- exec-rename */

#define ER_SIZE        8192    /* exec-rename: a generation's file, padded: the rewrite's halves */
#define ER_ARGC_MAX    4       /* exec-rename: a child's arguments, 1 to this */
#define ER_CODE_STEP   16      /* exec-rename: generation g exits with ER_CODE_STEP * (g % ER_GENS + 1) + argc */
#define ER_GENS        7
#define ER_FAILED      200     /* exec-rename: a child whose execve failed exits with this + errno */
#define ER_VADDR       0x400000ul
#define ER_GENS_MIN    16      /* exec-rename: generations at least, however long they take */

static struct {
	_Atomic int stop;
	char why[200];
	pthread_mutex_t why_lock;
} er;

struct er_worker {
	int cpu;
	_Atomic long children;      /* the main thread reads it meanwhile */
	long txtbsy;
};

static void er_wrong(const char *fmt, long a, long b)
{
	pthread_mutex_lock(&er.why_lock);
	if (!er.why[0])
		snprintf(er.why, sizeof(er.why), fmt, a, b);
	pthread_mutex_unlock(&er.why_lock);
	atomic_store(&er.stop, 1);
}

/* Generation g's program into img (ER_SIZE bytes): one PT_LOAD of the
 * whole file, whose code exits with ER_CODE_STEP * (g % ER_GENS + 1)
 * plus argc (read from the initial stack). */
static void er_image(unsigned char *img, long g)
{
	const unsigned char code[] = {
		0x48, 0x8b, 0x3c, 0x24,                               /* mov (%rsp), %rdi: argc */
		0x83, 0xc7, (unsigned char)(ER_CODE_STEP * (g % ER_GENS + 1)), /* add $code, %edi */
		0xb8, 60, 0, 0, 0,                                    /* mov $SYS_exit, %eax */
		0x0f, 0x05,                                           /* syscall */
	};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	size_t code_off = sizeof(*eh) + sizeof(*ph);

	memset(img, 0, ER_SIZE);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ER_VADDR + code_off;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_vaddr = ph->p_paddr = ER_VADDR;
	ph->p_filesz = ph->p_memsz = ER_SIZE;
	ph->p_align = 4096;
	memcpy(img + code_off, code, sizeof(code));
}

/* Write generation g whole to name (created, mode 0755): 0, or -1 (errno). */
static int er_write_new(const char *name, long g)
{
	static unsigned char img[ER_SIZE];
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	if (fd < 0)
		return -1;
	er_image(img, g);
	ssize_t w = write(fd, img, ER_SIZE);
	int e = errno;
	close(fd);
	errno = e;
	return w == ER_SIZE ? 0 : -1;
}

/* Rewrite "prog" in place as generation g: opened with O_TRUNC, written
 * in two halves with a yield between. 1 when the open met ETXTBSY (a
 * child runs it), 0 when rewritten, -1 (errno) otherwise. */
static int er_rewrite(long g)
{
	static unsigned char img[ER_SIZE];
	int fd = open("prog", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return errno == ETXTBSY ? 1 : -1;
	er_image(img, g);
	ssize_t a = write(fd, img, ER_SIZE / 2);
	sched_yield();
	ssize_t b = write(fd, img + ER_SIZE / 2, ER_SIZE / 2);
	int e = errno;
	close(fd);
	errno = e;
	return a == ER_SIZE / 2 && b == ER_SIZE / 2 ? 0 : -1;
}

/* A child's end, checked: a generation's code plus argc, or an execve
 * that failed with ETXTBSY (counted). 0, or -1 (er.why set). */
static int er_check_status(struct er_worker *w, int status, int argc)
{
	if (!WIFEXITED(status)) {
		er_wrong("a child that execs with argc %ld was killed by signal %ld", argc, WTERMSIG(status));
		return -1;
	}
	int code = WEXITSTATUS(status);
	if (code == ER_FAILED + ETXTBSY) {
		w->txtbsy++;
		return 0;
	}
	if (code >= ER_FAILED) {
		er_wrong("execve of prog failed with errno %ld (argc %ld)", code - ER_FAILED, argc);
		return -1;
	}
	int base = code - argc;
	if (base < ER_CODE_STEP || base > ER_CODE_STEP * ER_GENS || base % ER_CODE_STEP) {
		er_wrong("a child with argc %ld exited with %ld: no generation's", argc, code);
		return -1;
	}
	return 0;
}

static void *er_forker(void *arg)
{
	struct er_worker *w = arg;
	char *const envp[] = { NULL };

	pin_to(w->cpu);
	for (long i = 0; !atomic_load(&er.stop); i++) {
		int argc = (int)(i % ER_ARGC_MAX) + 1, status;
		char *argv[ER_ARGC_MAX + 1] = { "prog", "a", "b", "c", NULL };
		argv[argc] = NULL;
		pid_t pid = fork();
		if (pid == 0) {
			execve("prog", argv, envp);
			_exit(ER_FAILED + (errno < 50 ? errno : 49));
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			er_wrong("fork or waitpid: errno %ld (child %ld)", errno, w->children);
			break;
		}
		w->children++;
		if (er_check_status(w, status, argc))
			break;
	}
	return NULL;
}

/* Until the workers saw n more children (each about one) since the
 * call, or the part stops: the execs meet every kind of change, not
 * mostly the rewrite's open file. */
static void er_wait_children(const struct er_worker *w, int n)
{
	long before = 0, now;

	for (int i = 0; i < n; i++)
		before += atomic_load(&w[i].children);
	do {
		sched_yield();
		now = 0;
		for (int i = 0; i < n; i++)
			now += atomic_load(&w[i].children);
	} while (now < before + n && !atomic_load(&er.stop));
}

/* The main thread's side: new generations renamed over "prog" and
 * rewritten in place, in turn, until the part's time is up and every
 * worker saw a few children, and ER_GENS_MIN generations at least
 * (fork and exec are slow on emulated CPUs). Counts into *renames and *rewrites. */
static void er_mutate(struct er_worker *w, int n, long *renames, long *rewrites, long *busy)
{
	long long end = deadline_after(PART_MS);
	long g = 1;

	for (;; g++) {
		bool enough = now_ms() >= end && g > ER_GENS_MIN;
		for (int i = 0; i < n && enough; i++)
			enough = w[i].children >= ER_ARGC_MAX;
		if (enough || atomic_load(&er.stop))
			break;
		int r = g % 2 ? er_write_new("prog.new", g) || rename("prog.new", "prog") : er_rewrite(g);
		if (r < 0 || (g % 2 && r)) {
			er_wrong("generation %ld: errno %ld", g, errno);
			break;
		}
		*(g % 2 ? renames : r ? busy : rewrites) += 1;
		er_wait_children(w, n);
	}
}

static int check_exec_rename(void)
{
	static struct er_worker w[MAX_WORKERS];
	char dir[64], home[PATH_MAX];
	struct crew c;
	long renames = 0, rewrites = 0, busy = 0, children = 0, txtbsy = 0;
	int n = ncpus > MIN_WORKERS ? ncpus : MIN_WORKERS, res = CHECK_OK;

	memset(&er, 0, sizeof(er));
	memset(w, 0, sizeof(w));
	pthread_mutex_init(&er.why_lock, NULL);
	if (part_dir_enter(dir, sizeof(dir), "exec", home))
		return fail("mkdir or chdir %s: %s", dir, errname(errno));
	long free_before = ou_free_inodes();
	if (er_write_new("prog", 0))
		res = fail("the first generation: %s", errname(errno));
	for (int i = 0; i < n; i++)
		w[i].cpu = i;
	if (res == CHECK_OK && crew_start(&c, n, er_forker, w, sizeof(w[0]))) {
		atomic_store(&er.stop, 1);
		crew_join(&c);
		res = fail("pthread_create: %s", errname(errno));
	}
	if (res == CHECK_OK) {
		er_mutate(w, n, &renames, &rewrites, &busy);
		atomic_store(&er.stop, 1);
		crew_join(&c);
	}
	unlink("prog");
	unlink("prog.new");
	long free_after = ou_free_inodes();
	part_dir_leave(dir, home);
	if (res != CHECK_OK)
		return res;
	if (er.why[0])
		return fail("%s", er.why);
	for (int i = 0; i < n; i++) {
		children += w[i].children;
		txtbsy += w[i].txtbsy;
	}
	if (free_before >= 0 && free_after >= 0 && free_after + OU_INODE_SLACK < free_before)
		return fail("%ld free inodes before, %ld after: references left over", free_before, free_after);
	remark("%d workers, %ld children (%ld ETXTBSY), %ld renames, %ld rewrites (%ld ETXTBSY); free inodes %ld -> %ld",
	       n, children, txtbsy, renames, rewrites, busy, free_before, free_after);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "fork-exit-wait", check_fork_exit_wait },
	{ "exit-pipe", check_exit_pipe },
	{ "pipes", check_pipes },
	{ "futex", check_futex },
	{ "signals", check_signals },
	{ "sigmask-retarget", check_sigmask_retarget },
	{ "mmap-churn", check_mmap_churn },
	{ "stale-tlb", check_stale_tlb },
	{ "fault-same-page", check_fault_same_page },
	{ "mmap-churn-private", check_mmap_churn_private },
	{ "cow-fork", check_cow_fork },
	{ "munmap-fault", check_munmap_fault },
	{ "mmap-threads", check_mmap_threads },
	{ "mremap-madvise", check_mremap_madvise },
	{ "pipe-records", check_pipe_records },
	{ "unix-records", check_unix_records },
	{ "unix-close-send", check_unix_close_send },
	{ "close-read", check_close_read },
	{ "fd-table", check_fd_table },
	{ "close-dup2", check_close_dup2 },
	{ "scm-race", check_scm_race },
	{ "tcp-duplex", check_tcp_duplex },
	{ "tcp-pingpong", check_tcp_pingpong },
	{ "tcp-close-recv", check_tcp_close_recv },
	{ "tcp-churn", check_tcp_churn },
	{ "tcp-reset-read", check_tcp_reset_read },
	{ "udp-count", check_udp_count },
	{ "stat-rename", check_stat_rename },
	{ "open-unlink", check_open_unlink },
	{ "exit-truncate", check_exit_truncate },
	{ "fork-truncate", check_fork_truncate },
	{ "exec-rename", check_exec_rename },
};

int main(int argc, char **argv)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	ncpus = n > 0 ? (int)n : 1;
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus))
		CPU_ZERO(&all_cpus);
	shared = mmap(NULL, SHARED_WORDS * sizeof(long), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		t_begin("smp-stress");
		t_fail("mmap of the shared counts: %s", errname(errno));
		return 1;
	}
	nworkers = 2 * ncpus;
	if (nworkers < MIN_WORKERS)
		nworkers = MIN_WORKERS;
	if (nworkers > MAX_WORKERS)
		nworkers = MAX_WORKERS;
	return run_checks("smp-stress", checks, NELEMS(checks), argc, argv);
}
