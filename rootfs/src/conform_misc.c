// SPDX-License-Identifier: MIT
// Smaller behaviours as Linux: access() with the permitted capabilities, clone(CLONE_PARENT),
// the parent-death signal when the forking thread ends, /proc's seq_file lseek, mount propagation,
// clock_nanosleep on the process's CPU clock, /sys, chroot, FIOASYNC, a tmpfs of its own,
// sysfs(2) against /proc/filesystems, ustat, personality (kept across fork and exec,
// STICKY_TIMEOUTS), settimeofday's errors, prctl's timer slack.
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/timex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/personality.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checks.h"

/*
 * Every check runs in its own child (c_isolate): capabilities dropped
 * there never reach the next check, and a child killed outright is that
 * check's failure. gVisor's access_test (NoPerms, UsrReadOnly), fork_test
 * (CloneParent, NewUserMountNamespace), prctl_test (PDeathSig) and
 * lseek_test (ProcFile, ProcStatTwice) and clock_nanosleep_test
 * (SleepFiveSeconds), rename_test (Sysfs*), link_test
 * (KernfsAcrossFilesystem) and lseek_test (SysDir) and chroot_test
 * (Success, PermissionDenied, NotDir, DotDot) check the same.
 */
#define CAP_V3 0x20080522
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_SYS_CHROOT 18
#define BIT(cap) (1ull << (cap))
#define DAC_CAPS (BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH))
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#define CHILD_WAIT_MS 5000
#define PDEATH_GIVE_UP_S 5   /* the orphan stops waiting for its signal */

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static char work[64]; /* the scratch directory */

/* Drop DAC_CAPS from the effective set, and from permitted too if perm.
 * 0, CHECK_SKIP when permitted lacks them to begin with, or CHECK_FAIL. */
static int drop_dac_caps(int perm)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d))
		return fail("capget: %s", errname(errno));
	if ((d[0].permitted & DAC_CAPS) != DAC_CAPS)
		return skip("CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH are not permitted here");
	d[0].effective &= ~(uint32_t)DAC_CAPS;
	if (perm)
		d[0].permitted &= ~(uint32_t)DAC_CAPS;
	if (syscall(SYS_capset, &h, d))
		return fail("capset: %s", errname(errno));
	return 0;
}

/* access() as root checks the permitted set (Linux's override
 * credentials), faccessat2(AT_EACCESS) the effective one. */
static int check_access_permitted(void)
{
	char f[96];
	int r, fd;

	snprintf(f, sizeof(f), "%s/ro", work);
	if ((fd = open(f, O_CREAT | O_WRONLY | O_TRUNC, 0400)) < 0)
		return fail("create %s: %s", f, errname(errno));
	close(fd);
	if ((r = drop_dac_caps(0)) != 0)
		goto out;
	if ((r = want_eq("access(0400 file, W_OK), effective dropped", access(f, W_OK), 0)))
		goto out;
	errno = 0;
	r = want_err("faccessat2(W_OK, AT_EACCESS), effective dropped",
		     syscall(SYS_faccessat2, AT_FDCWD, f, W_OK, AT_EACCESS), EACCES);
	if (r || (r = drop_dac_caps(1)) != 0)
		goto out;
	errno = 0;
	if ((r = want_err("access(0400 file, W_OK), permitted dropped", access(f, W_OK), EACCES)))
		goto out;
	errno = 0;
	if ((r = want_err("access(0400 file, X_OK)", access(f, X_OK), EACCES)))
		goto out;
	if ((r = want_eq("access(0400 file, R_OK)", access(f, R_OK), 0)))
		goto out;
	errno = 0;
	r = want_err("access(0555 dir, W_OK)", (chmod(work, 0555), access(work, W_OK)), EACCES);
out:
	chmod(work, 0755);
	unlink(f);
	return r;
}

/* clone(CLONE_PARENT) from B: the child C is its grandparent A's (this
 * process's) child, B cannot wait for it, A can. */
static int check_clone_parent(void)
{
	int p[2], st;
	pid_t c = -1, b;

	if (pipe(p))
		return fail("pipe: %s", errname(errno));
	b = fork();
	if (b == 0) {
		pid_t a = getppid(), got = (pid_t)syscall(SYS_clone, CLONE_PARENT, 0, 0, 0, 0);
		if (got == 0)
			_exit(getppid() == a ? 0 : 42);
		if (got < 0 || write(p[1], &got, sizeof(got)) != sizeof(got))
			_exit(1);
		_exit(waitpid(got, &st, __WALL) == -1 && errno == ECHILD ? 0 : 43);
	}
	close(p[1]);
	int r = want_exit("B, which cloned C with CLONE_PARENT", b, 0);
	if (read(p[0], &c, sizeof(c)) != sizeof(c))
		c = -1;
	close(p[0]);
	if (c <= 0)
		return r ? r : fail("B made no child");
	int rc = want_exit("C, whose parent must be its grandparent", c, 0);
	return r ? r : rc;
}

struct pdeath {
	int ready[2];  /* the child says its signal is set */
	pid_t child;
};

/* The thread that forks: it returns (ends) once the child is ready. */
static void *pdeath_parent_thread(void *arg)
{
	struct pdeath *d = arg;
	char c;

	d->child = fork();
	if (d->child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (write(d->ready[1], "r", 1) != 1)
			_exit(1);
		alarm(PDEATH_GIVE_UP_S); /* SIGALRM ends it if SIGKILL never comes */
		for (;;)
			pause();
	}
	if (d->child > 0)
		while (read(d->ready[0], &c, 1) < 0 && errno == EINTR)
			;
	return NULL;
}

/* PR_SET_PDEATHSIG fires when the parent *thread* ends, the rest of
 * its process going on (Linux's forget_original_parent). */
static int check_pdeath_thread(void)
{
	struct pdeath d = { .child = -1 };
	pthread_t t;
	int st;

	if (pipe(d.ready))
		return fail("pipe: %s", errname(errno));
	if (pthread_create(&t, NULL, pdeath_parent_thread, &d))
		return fail("pthread_create failed");
	pthread_join(t, NULL);
	close(d.ready[0]);
	close(d.ready[1]);
	if (d.child < 0)
		return fail("fork in the thread: %s", errname(errno));
	if (wait_child(d.child, (PDEATH_GIVE_UP_S + 5) * 1000L, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		return fail("the child ended with status %#x, want killed by SIGKILL when its parent thread ended",
			    st);
	return CHECK_OK;
}

/* /proc's seq_files seek from the start or the current position only;
 * /proc/PID/cmdline (generic_llseek) from its end too. */
static int check_proc_seek(void)
{
	int fd = open("/proc/meminfo", O_RDONLY), r;

	if (fd < 0)
		return fail("open /proc/meminfo: %s", errname(errno));
	r = want_eq("lseek(/proc/meminfo, 10, SEEK_CUR)", lseek(fd, 10, SEEK_CUR), 10);
	errno = 0;
	if (!r)
		r = want_err("lseek(/proc/meminfo, 0, SEEK_END)", lseek(fd, 0, SEEK_END), EINVAL);
	close(fd);
	if (r)
		return r;
	if ((fd = open("/proc/self/cmdline", O_RDONLY)) < 0)
		return fail("open /proc/self/cmdline: %s", errname(errno));
	r = want_ok("lseek(/proc/self/cmdline, 0, SEEK_END)", lseek(fd, 0, SEEK_END));
	close(fd);
	return r;
}

/* A propagation change (MS_PRIVATE...) needs a mount's root and one
 * type; on / in a mount namespace of its own it succeeds. Kestrel has
 * one namespace (unshare is ENOSYS there) whose mounts have no peers. */
static int check_mount_propagation(void)
{
	int r;

	errno = 0;
	r = want_err("mount(MS_PRIVATE) of a directory that is no mount", mount(NULL, work, NULL, MS_PRIVATE, NULL),
		     EINVAL);
	errno = 0;
	if (!r)
		r = want_err("mount(MS_PRIVATE | MS_SHARED) of /", mount(NULL, "/", NULL, MS_PRIVATE | MS_SHARED, NULL),
			     EINVAL);
	if (r)
		return r;
	if (unshare(CLONE_NEWNS) != 0 && errno != ENOSYS)
		return skip("unshare(CLONE_NEWNS): %s", errname(errno));
	return want_eq("mount(NULL, /, MS_REC | MS_PRIVATE)", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

#define CPU_SLEEP_NS 200000000L

static volatile int spin_done;

static void *spin(void *arg)
{
	(void)arg;
	while (!spin_done)
		;
	return NULL;
}

static long long process_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* clock_nanosleep on the process's CPU clock lasts until the process
 * (here a spinning thread) has used that much CPU time; on the thread's
 * own clock it is EOPNOTSUPP (Linux's thread clock has no sleep). */
static int check_cpu_clock_sleep(void)
{
	struct timespec d = { 0, CPU_SLEEP_NS };
	pthread_t t;
	long long before, after;
	long r;

	errno = 0;
	if ((r = want_err("clock_nanosleep(CLOCK_THREAD_CPUTIME_ID)",
			  syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL), EOPNOTSUPP)))
		return (int)r;
	if (pthread_create(&t, NULL, spin, NULL))
		return fail("pthread_create failed");
	before = process_cpu_ns();
	r = syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &d, NULL);
	after = process_cpu_ns();
	spin_done = 1;
	pthread_join(t, NULL);
	if (r)
		return fail("clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 200 ms): %s", errname(errno));
	if (after - before < CPU_SLEEP_NS)
		return fail("the process used %lld ns of CPU during a %ld ns sleep on its CPU clock", after - before,
			    CPU_SLEEP_NS);
	return CHECK_OK;
}

#define SYSFS_MAGIC 0x62656572
#define ATTR_SIZE 4096
#define CPU_ONLINE "/sys/devices/system/cpu/online"

/* /sys is sysfs: devices/system/cpu/online lists CPU 0 first, an
 * attribute is a page long to stat, a sysfs directory seeks from its end,
 * renaming a sysfs entry to itself succeeds, "." as a new name is EBUSY,
 * and a link from another file system is EXDEV. */
static int check_sysfs(void)
{
	char buf[64], f[96];
	struct stat st;
	struct statfs sfs;
	int fd, r;
	ssize_t n;

	if ((fd = open(CPU_ONLINE, O_RDONLY)) < 0)
		return fail("open %s: %s", CPU_ONLINE, errname(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[0] != '0' || buf[n - 1] != '\n')
		return fail("%s reads %zd bytes, want a CPU list starting with 0 and ending in a newline", CPU_ONLINE, n);
	if (stat(CPU_ONLINE, &st) || st.st_size != ATTR_SIZE)
		return fail("stat %s: size %lld, want %d", CPU_ONLINE, (long long)st.st_size, ATTR_SIZE);
	if (statfs("/sys", &sfs) || sfs.f_type != SYSFS_MAGIC)
		return fail("statfs /sys: type %#lx, want sysfs's %#x", (unsigned long)sfs.f_type, SYSFS_MAGIC);
	if ((fd = open("/sys/devices", O_RDONLY | O_DIRECTORY)) < 0)
		return fail("open /sys/devices: %s", errname(errno));
	r = want_ok("lseek(/sys/devices, 0, SEEK_END)", lseek(fd, 0, SEEK_END));
	close(fd);
	if (r || (r = want_eq("rename(/sys/devices, itself)", rename("/sys/devices", "/sys/devices"), 0)) ||
	    (r = want_eq("rename(online, itself)", rename(CPU_ONLINE, CPU_ONLINE), 0)))
		return r;
	errno = 0;
	if ((r = want_err("rename(online, /sys/.)", rename(CPU_ONLINE, "/sys/."), EBUSY)))
		return r;
	snprintf(f, sizeof(f), "%s/lnk", work);
	if ((fd = open(f, O_CREAT | O_WRONLY, 0644)) < 0)
		return fail("create %s: %s", f, errname(errno));
	close(fd);
	errno = 0;
	r = want_err("link(a /tmp file, /sys/newfile)", link(f, "/sys/newfile"), EXDEV);
	unlink(f);
	return r;
}

/* syslog(2) (klogctl) as Linux answers it, touching nothing (the checks
 * also run on the host: no CLEAR, no console level set as root): the
 * buffer's size, the whole log read as text lines (which may be longer
 * than the buffer), EINVAL for a NULL or
 * negative buffer, an unknown action or a console level outside 1..8,
 * 0 for a zero length; without privilege, CLEAR and CONSOLE_LEVEL are
 * EPERM (reading the whole log depends on kernel.dmesg_restrict). */
static int check_syslog(void)
{
	static char buf[1 << 20];
	int size = klogctl(10 /* SIZE_BUFFER */, NULL, 0);
	int r = size > 0 ? 0 : fail("SYSLOG_ACTION_SIZE_BUFFER: %d (%s)", size, errname(errno));
	if (!r) {
		/* Not bounded by SIZE_BUFFER: Linux keeps records without
		 * their "<6>[    1.234567] " prefixes, so a full log reads
		 * back longer than its buffer. */
		int n = klogctl(3 /* READ_ALL */, buf, sizeof(buf));
		if (n <= 0 || n > (int)sizeof(buf) || buf[n - 1] != '\n')
			r = fail("SYSLOG_ACTION_READ_ALL: %d of at most %zu bytes (buffer %d), last %#x", n,
				 sizeof(buf), size, n > 0 ? buf[n - 1] : 0);
	}
	if (!r)
		r = want_err("READ_ALL into NULL", klogctl(3, NULL, 16), EINVAL) ||
		    want_err("READ_ALL of -1 bytes", klogctl(3, buf, -1), EINVAL) ||
		    want_eq("READ_ALL of 0 bytes", klogctl(3, buf, 0), 0) ||
		    want_err("an unknown action", klogctl(11, buf, 16), EINVAL) ||
		    want_err("CONSOLE_LEVEL 0", klogctl(8, NULL, 0), EINVAL) ||
		    want_err("CONSOLE_LEVEL 9", klogctl(8, NULL, 9), EINVAL) ? CHECK_FAIL : 0;
	if (!r) {
		pid_t c = fork();
		int status = -1;
		if (c == 0)
			_exit(setuid(65534) ? 10 : klogctl(5, NULL, 0) != -1 || errno != EPERM ? 11 :
			      klogctl(8, NULL, 4) != -1 || errno != EPERM ? 12 : 0);
		if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status))
			r = fail("unprivileged CLEAR or CONSOLE_LEVEL not EPERM (status %#x)", status);
	}
	return r;
}

/* adjtimex and clock_adjtime as Linux answers them, changing nothing
 * (the checks also run on the host): a read gives the clock's state
 * (TIME_OK..TIME_ERROR) with the fixed fields (tolerance 500 ppm in
 * 16.16, precision 1) and the time now; adjtime's read-only form is open
 * to all; a bad pointer is EFAULT, a tick 10% off or a step whose
 * fraction is negative EINVAL (checked before anything changes), any
 * change without CAP_SYS_TIME EPERM; clock_adjtime of another clock is
 * EOPNOTSUPP, of no clock EINVAL. */
static int check_adjtimex(void)
{
	struct timex t = { 0 };
	time_t before = time(NULL);
	int state = adjtimex(&t), r = 0;

	if (state < TIME_OK || state > TIME_ERROR || t.tolerance != 500 << 16 || t.precision < 1 ||
	    t.time.tv_sec < before || t.time.tv_sec > time(NULL))
		r = fail("adjtimex read: %d (%s), tolerance %ld, precision %ld, time %ld (now %ld)", state,
			 state < 0 ? errname(errno) : "", t.tolerance, t.precision, (long)t.time.tv_sec,
			 (long)before);
	struct timex ss = { .modes = ADJ_OFFSET_SS_READ }, tick = { .modes = ADJ_TICK, .tick = 1 },
		     step = { .modes = ADJ_SETOFFSET, .time = { 0, -1 } }, mono = { 0 };
	if (!r)
		r = want_ok("adjtime's read", adjtimex(&ss) < 0 ? -1 : 0) ||
		    want_err("adjtimex(NULL)", syscall(SYS_adjtimex, NULL), EFAULT) ||
		    want_err("a tick 10% off", adjtimex(&tick), EINVAL) ||
		    want_err("a step by -1 us", adjtimex(&step), EINVAL) ||
		    want_ok("clock_adjtime(CLOCK_REALTIME) read",
			    syscall(SYS_clock_adjtime, CLOCK_REALTIME, &mono) < 0 ? -1 : 0) ||
		    want_err("clock_adjtime(CLOCK_MONOTONIC)", syscall(SYS_clock_adjtime, CLOCK_MONOTONIC, &mono),
			     EOPNOTSUPP) ||
		    want_err("clock_adjtime(10)", syscall(SYS_clock_adjtime, 10, &mono), EINVAL) ? CHECK_FAIL : 0;
	if (!r) {
		pid_t c = fork();
		int status = -1;
		if (c == 0) {
			struct timex f = { .modes = ADJ_FREQUENCY }, o = { .modes = ADJ_OFFSET_SINGLESHOT },
				     rd = { .modes = ADJ_OFFSET_SS_READ };
			_exit(setuid(65534) ? 10 : adjtimex(&f) != -1 || errno != EPERM ? 11 :
			      adjtimex(&o) != -1 || errno != EPERM ? 12 : adjtimex(&rd) < 0 ? 13 : 0);
		}
		if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status))
			r = fail("unprivileged adjtimex (status %#x: 11 frequency, 12 adjtime not EPERM, "
				 "13 adjtime's read refused)", status);
	}
	return r;
}

/* chroot: ENOTDIR for a file; then "/" is the new root and ".." stops
 * there, getcwd counts from it, a child inherits it; without
 * CAP_SYS_CHROOT, EPERM (sshd's privilege separation needs all of it). */
static int check_chroot(void)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];
	char dir[96], marker[128], cwd[64];
	int r;

	snprintf(dir, sizeof(dir), "%s/root", work);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	if (mkdir(dir, 0755) || write_file(marker, "x", 0644))
		return fail("setup: %s", errname(errno));
	errno = 0;
	if ((r = want_err("chroot(a file)", chroot(marker), ENOTDIR)) ||
	    (r = want_ok("chroot", chroot(dir))))
		return r;
	/* the working directory is outside the new root: Linux's getcwd says
	 * "(unreachable)/...", which the C library's getcwd refuses (ENOENT) */
	char raw[PATH_MAX];
	long n = syscall(SYS_getcwd, raw, sizeof(raw));
	if (n <= 0 || strncmp(raw, "(unreachable)/", 14) != 0)
		return fail("getcwd outside the root: %ld '%s', want (unreachable)/...", n, n > 0 ? raw : "");
	errno = 0;
	if ((r = want_err("getcwd(3) outside the root", getcwd(cwd, sizeof(cwd)) ? 0 : -1, ENOENT)) ||
	    (r = want_ok("access(\"/marker\") in the new root", access("/marker", F_OK))) ||
	    (r = want_ok("access(\"/../../marker\")", access("/../../marker", F_OK))) ||
	    (r = want_ok("chdir(\"/..\")", chdir("/.."))))
		return r;
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/") != 0)
		return fail("getcwd after chdir(\"/..\"): '%s', want '/'", cwd);
	pid_t pid = fork();
	if (pid == 0)
		_exit(access("/marker", F_OK) == 0 ? 0 : 1);
	if ((r = want_exit("a child's access(\"/marker\")", pid, 0)) || unlink("/marker"))
		return r ? r : fail("unlink(\"/marker\"): %s", errname(errno));
	if (syscall(SYS_capget, &h, d))
		return fail("capget: %s", errname(errno));
	d[0].effective &= ~(uint32_t)BIT(CAP_SYS_CHROOT);
	if (syscall(SYS_capset, &h, d))
		return fail("capset: %s", errname(errno));
	errno = 0;
	return want_err("chroot without CAP_SYS_CHROOT", chroot("/"), EPERM);
}

#define TMPFS_MAGIC_NR 0x01021994

/* mount -t tmpfs "size=64k,nr_inodes=8,mode=0700" on a directory: the
 * path to its file name, and whether /proc/mounts lists it as tmpfs. */
static int tmpfs_listed(const char *dir)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/mounts", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, dir) && strstr(line, " tmpfs "))
			found = 1;
	if (f)
		fclose(f);
	return found;
}

/* Files until the inode limit says ENOSPC: how many could be made. */
static int tmpfs_fill_inodes(const char *dir)
{
	char name[128];
	int n = 0;

	for (;; n++) {
		snprintf(name, sizeof(name), "%s/f%d", dir, n);
		int fd = open(name, O_CREAT | O_WRONLY, 0600);
		if (fd < 0)
			return errno == ENOSPC ? n : -1;
		close(fd);
		if (n > 64)
			return -1;
	}
}

/* A tmpfs of its own: statfs's TMPFS_MAGIC and limits, its root's mode
 * and st_dev, size= and nr_inodes= as ENOSPC, EXDEV across its edge,
 * umount's EBUSY while a file is open or mapped, and after it the
 * directory as it was; a remount below its use is EINVAL; a read-only
 * one is EROFS (for a new file, and access W_OK). */
static int check_tmpfs(void)
{
	static char big[65536];
	char dir[96], file[128], out[128];
	struct statfs sf;
	struct stat st, parent;
	int r, fd;

	snprintf(dir, sizeof(dir), "%s/tmpfs", work);
	snprintf(file, sizeof(file), "%s/big", dir);
	snprintf(out, sizeof(out), "%s/outside", work);
	if (mkdir(dir, 0755) || stat(work, &parent))
		return fail("setup: %s", errname(errno));
	if (mount("none", dir, "tmpfs", 0, "size=64k,nr_inodes=8,mode=0700"))
		return errno == EPERM ? skip("mount: EPERM (no CAP_SYS_ADMIN here)")
				      : fail("mount tmpfs: %s", errname(errno));
	if ((r = want_ok("statfs", statfs(dir, &sf))) || (r = want_eq("f_type", (long)sf.f_type, TMPFS_MAGIC_NR)) ||
	    (r = want_eq("f_blocks (64 KiB of 4 KiB)", (long)sf.f_blocks * (long)sf.f_bsize, 65536)) ||
	    (r = want_eq("f_files", (long)sf.f_files, 8)) || (r = want_ok("stat", stat(dir, &st))) ||
	    (r = want_eq("the root's mode", (long)st.st_mode, S_IFDIR | 0700)) ||
	    (r = want_eq("a new st_dev", st.st_dev != parent.st_dev, 1)) ||
	    (r = want_eq("listed in /proc/mounts as tmpfs", tmpfs_listed(dir), 1)))
		return r;
	memset(big, 'x', sizeof(big));
	fd = open(file, O_CREAT | O_RDWR, 0600);
	if ((r = want_eq("write 64 KiB", write(fd, big, sizeof(big)), (long)sizeof(big))))
		return r;
	errno = 0;
	if ((r = want_err("one byte more", write(fd, "y", 1), ENOSPC)) ||
	    (r = want_eq("files to the inode limit", tmpfs_fill_inodes(dir), 6)))
		return r;
	errno = 0;
	if ((r = want_err("rename out of it", rename(file, out), EXDEV)) ||
	    (r = want_err("link out of it", link(file, out), EXDEV)))
		return r;
	errno = 0;
	if ((r = want_err("umount with a file open", umount(dir), EBUSY)))
		return r;
	void *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	errno = 0;
	if (map == MAP_FAILED || (r = want_err("umount with a file mapped", umount(dir), EBUSY)))
		return map == MAP_FAILED ? fail("mmap: %s", errname(errno)) : r;
	munmap(map, 4096);
	errno = 0;
	if ((r = want_err("remount below its use", mount(NULL, dir, NULL, MS_REMOUNT, "size=4k"), EINVAL)) ||
	    (r = want_ok("remount larger", mount(NULL, dir, NULL, MS_REMOUNT, "size=128k"))) ||
	    (r = want_eq("the byte more now", write(fd = open(file, O_WRONLY | O_APPEND), "y", 1), 1)))
		return r;
	close(fd);
	errno = 0;
	if ((r = want_ok("umount", umount(dir))) || (r = want_err("its file after", access(file, F_OK), ENOENT)) ||
	    (r = want_ok("statfs after", statfs(dir, &sf))) ||
	    (r = want_eq("f_type after", sf.f_type == TMPFS_MAGIC_NR, 0)) ||
	    (r = want_ok("mount read-only", mount("ro", dir, "tmpfs", MS_RDONLY, NULL))))
		return r;
	errno = 0;
	r = want_err("create on it", open(file, O_CREAT | O_WRONLY, 0600), EROFS);
	if (!r)
		r = want_err("access W_OK to its root", access(dir, W_OK), EROFS);
	return r ? r : want_ok("umount it", umount(dir));
}

/* What poll says of fd for POLLPRI now (0: nothing), masked to POLLPRI | POLLERR. */
static int pri_now(int fd)
{
	struct pollfd p = { fd, POLLPRI, 0 };
	return poll(&p, 1, 0) == 1 ? p.revents & (POLLPRI | POLLERR) : 0;
}

/* Does the text read from fd at offset 0 name dir? */
static int text_names(int fd, const char *dir)
{
	static char text[16384];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	return strstr(text, dir) != NULL;
}

/* /proc/self/mountinfo kept open: poll's POLLPRI | POLLERR once after a
 * mount and after an unmount (Linux's mounts_poll; util-linux's
 * findmnt --poll and systemd wait for it), and a read from offset 0
 * shows the table as it is now (seq_read starts over there). */
static int check_mounts_poll(void)
{
	char dir[96];
	int fd = open("/proc/self/mountinfo", O_RDONLY), r;

	snprintf(dir, sizeof(dir), "%s/polled", work);
	if (fd < 0 || mkdir(dir, 0755))
		return fail("setup: %s", errname(errno));
	if ((r = want_eq("POLLPRI before a change", pri_now(fd), 0)) || (r = want_eq("named before", text_names(fd, dir), 0)))
		return r;
	if (mount("none", dir, "tmpfs", 0, NULL))
		return errno == EPERM ? skip("mount: EPERM (no CAP_SYS_ADMIN here)") : fail("mount: %s", errname(errno));
	if ((r = want_eq("POLLPRI after the mount", pri_now(fd), POLLPRI | POLLERR)) ||
	    (r = want_eq("POLLPRI once only", pri_now(fd), 0)) || (r = want_eq("named after", text_names(fd, dir), 1)) ||
	    (r = want_ok("umount", umount(dir))) ||
	    (r = want_eq("POLLPRI after the unmount", pri_now(fd), POLLPRI | POLLERR)) ||
	    (r = want_eq("named after the unmount", text_names(fd, dir), 0)))
		return r;
	close(fd);
	return 0;
}

/* The text of a small file (at most cap - 1 bytes) into buf: its length, or -1. */
static long read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, cap - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* One number from a /proc/sys file, in [lo, hi]: 0, or the check's failure. */
static int sysctl_in(const char *path, long lo, long hi)
{
	char buf[64], *end;

	if (read_small(path, buf, sizeof(buf)) <= 0)
		return fail("read %s: %s", path, errname(errno));
	long v = strtol(buf, &end, 10);
	if (end == buf || *end != '\n' || v < lo || v > hi)
		return fail("%s: '%s', want a number in [%ld, %ld] and a newline", path, buf, lo, hi);
	return 0;
}

/* A version 4 UUID's text and a newline. */
static int is_uuid4(const char *t)
{
	for (int i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? t[i] != '-' : !isxdigit((unsigned char)t[i]))
			return 0;
	return t[14] == '4' && strchr("89ab", t[19]) && t[36] == '\n' && !t[37];
}

/* /proc files programs read as Linux has them: /proc/cmdline, /proc/mounts
 * as a link to self/mounts, kernel.cap_last_cap, the overflow ids,
 * randomize_va_space, printk (four numbers; what was read can be written
 * back, as LTP's save and restore do), vm.max_map_count, mmap_min_addr,
 * overcommit_memory, and kernel.random's uuid (new at each read) and
 * boot_id (the same). gVisor's proc_test and LTP's syslog11 read them. */
static int check_proc_sys_files(void)
{
	char buf[256], again[256], link[64];
	int r;
	long n = readlink("/proc/mounts", link, sizeof(link) - 1);

	link[n > 0 ? n : 0] = '\0';
	static char cmdline[4096];
	if (read_small("/proc/cmdline", cmdline, sizeof(cmdline)) <= 0 || cmdline[strlen(cmdline) - 1] != '\n')
		return fail("/proc/cmdline: '%.64s', want a line", cmdline);
	if (strcmp(link, "self/mounts") != 0)
		return fail("readlink /proc/mounts: '%s', want self/mounts", link);
	if ((r = sysctl_in("/proc/sys/kernel/cap_last_cap", 33, 63)) ||
	    (r = sysctl_in("/proc/sys/kernel/overflowuid", 65534, 65534)) ||
	    (r = sysctl_in("/proc/sys/kernel/overflowgid", 65534, 65534)) ||
	    (r = sysctl_in("/proc/sys/fs/overflowuid", 65534, 65534)) ||
	    (r = sysctl_in("/proc/sys/kernel/randomize_va_space", 0, 2)) ||
	    (r = sysctl_in("/proc/sys/vm/max_map_count", 1, INT_MAX)) ||
	    (r = sysctl_in("/proc/sys/vm/mmap_min_addr", 0, 1 << 20)) ||
	    (r = sysctl_in("/proc/sys/vm/overcommit_memory", 0, 2)))
		return r;
	int v[4];
	if (read_small("/proc/sys/kernel/printk", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%d\t%d\t%d\t%d\n", &v[0], &v[1], &v[2], &v[3]) != 4)
		return fail("/proc/sys/kernel/printk: '%s', want four numbers", buf);
	int fd = open("/proc/sys/kernel/printk", O_WRONLY);
	if (fd >= 0 && (r = want_eq("printk written back", write(fd, buf, strlen(buf)), (long)strlen(buf))))
		return r;
	if (fd >= 0)
		close(fd);
	if (read_small("/proc/sys/kernel/printk", again, sizeof(again)) <= 0 || strcmp(buf, again) != 0)
		return fail("printk after the write back: '%s', was '%s'", again, buf);
	/* overflowuid takes 0..65535 (Linux's minolduid..maxolduid) */
	if ((fd = open("/proc/sys/kernel/overflowuid", O_WRONLY)) >= 0) {
		errno = 0;
		r = want_err("overflowuid 70000", write(fd, "70000\n", 6), EINVAL);
		if (!r)
			r = want_eq("overflowuid 65534", pwrite(fd, "65534\n", 6, 0), 6);
		close(fd);
		if (r || (r = sysctl_in("/proc/sys/kernel/overflowuid", 65534, 65534)))
			return r;
	}
	if (read_small("/proc/sys/kernel/random/uuid", buf, sizeof(buf)) != 37 || !is_uuid4(buf) ||
	    read_small("/proc/sys/kernel/random/uuid", again, sizeof(again)) != 37 || !strcmp(buf, again))
		return fail("kernel/random/uuid: '%s' then '%s', want two different v4 UUIDs", buf, again);
	if (read_small("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)) != 37 ||
	    read_small("/proc/sys/kernel/random/boot_id", again, sizeof(again)) != 37 || strcmp(buf, again))
		return fail("kernel/random/boot_id: '%s' then '%s', want one UUID", buf, again);
	return 0;
}

/* readlink /proc/thread-self must be "PID/task/TID" of the caller, and
 * its exe the process's: "" when right, else what was wrong. */
static void *thread_self_wrong(void *arg)
{
	static char why[PATH_MAX * 2 + 128];
	char link[64], want[64], exe[PATH_MAX], self_exe[PATH_MAX];
	long n = readlink("/proc/thread-self", link, sizeof(link) - 1);
	long e = readlink("/proc/thread-self/exe", exe, sizeof(exe) - 1);
	long s = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	(void)arg;
	link[n > 0 ? n : 0] = exe[e > 0 ? e : 0] = self_exe[s > 0 ? s : 0] = '\0';
	snprintf(want, sizeof(want), "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
	if (strcmp(link, want) != 0)
		snprintf(why, sizeof(why), "readlink /proc/thread-self: '%s', want '%s'", link, want);
	else if (e <= 0 || strcmp(exe, self_exe) != 0)
		snprintf(why, sizeof(why), "/proc/thread-self/exe: '%s', /proc/self/exe '%s'", exe, self_exe);
	else
		why[0] = '\0';
	return why;
}

/* /proc/thread-self from the main thread and another, /proc/self/root
 * ("/"), /proc/stat's lines and /proc/devices's layout (gVisor's
 * proc_test checks each). */
static int check_proc_links(void)
{
	char link[64], text[2048];
	void *why;
	pthread_t t;

	if (*(char *)(why = thread_self_wrong(NULL)))
		return fail("main thread: %s", (char *)why);
	if (pthread_create(&t, NULL, thread_self_wrong, NULL) || pthread_join(t, &why))
		return fail("pthread: %s", errname(errno));
	if (*(char *)why)
		return fail("another thread: %s", (char *)why);
	long n = readlink("/proc/self/root", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	if (strcmp(link, "/") != 0)
		return fail("readlink /proc/self/root: '%s', want '/'", link);
	static const char *const stat_lines[] = { "\ncpu0 ", "\nintr ", "\nctxt ", "\nbtime ", "\nprocesses ",
						  "\nprocs_running ", "\nprocs_blocked ", "\nsoftirq " };
	if (read_small("/proc/stat", text, sizeof(text)) <= 0 || strncmp(text, "cpu  ", 5))
		return fail("/proc/stat: '%.100s', want a cpu line first", text);
	for (size_t i = 0; i < sizeof(stat_lines) / sizeof(stat_lines[0]); i++)
		if (!strstr(text, stat_lines[i]))
			return fail("/proc/stat has no line '%s'", stat_lines[i] + 1);
	if (read_small("/proc/devices", text, sizeof(text)) <= 0 || strncmp(text, "Character devices:\n", 19) ||
	    !strstr(text, "  1 mem\n") || !strstr(text, "\n\nBlock devices:\n") ||
	    strstr(text, "  1 mem\n") > strstr(text, "\n\nBlock devices:\n"))
		return fail("/proc/devices: '%.200s'", text);
	return 0;
}

/* /proc/self/environ is the environment exec gave (environ's strings,
 * untouched here), and /proc/self/auxv the auxiliary vector that
 * follows envp's NULL on the initial stack, pair for pair with AT_NULL
 * last (gVisor's ProcPidEnviron and ProcSelfAuxv check the same). */
static int check_environ_auxv(void)
{
	static char text[65536];
	uint64_t aux[128];
	long n = read_small("/proc/self/environ", text, sizeof(text));
	long off = 0;
	char **v = environ;

	for (; *v && off < n; v++) {
		if (strcmp(text + off, *v) != 0)
			return fail("environ at %ld: '%s', want '%s'", off, text + off, *v);
		off += (long)strlen(*v) + 1;
	}
	if (*v || off != n)
		return fail("environ: %ld bytes, the environment %ld", n, off);
	int fd = open("/proc/self/auxv", O_RDONLY);
	long bytes = fd < 0 ? -1 : read(fd, aux, sizeof(aux));
	if (fd >= 0)
		close(fd);
	if (bytes <= 0 || bytes % 16)
		return fail("read /proc/self/auxv: %ld", bytes);
	const uint64_t *stack = (const uint64_t *)(v + 1);
	for (long i = 0; i < bytes / 8; i += 2) {
		if (aux[i] != stack[i] || aux[i + 1] != stack[i + 1])
			return fail("auxv pair %ld: (%lu, %#lx), the stack's (%lu, %#lx)", i / 2, (unsigned long)aux[i],
				    (unsigned long)aux[i + 1], (unsigned long)stack[i], (unsigned long)stack[i + 1]);
		if (aux[i] == 0)
			return want_eq("AT_NULL is the last pair", i + 2, bytes / 8);
	}
	return fail("/proc/self/auxv has no AT_NULL");
}

/* ioctl(FIOASYNC) sets and clears O_ASYNC as F_SETFL does, on a socket
 * (nginx's channel socketpair: its master spawns no worker without it),
 * and is ENOTTY on a regular file, which has no fasync operation (Linux's
 * ioctl_fioasync). */
static int check_fioasync(void)
{
	int sv[2], on = 1, off = 0, fd, r;
	char f[96];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return fail("socketpair: %s", errname(errno));
	if ((r = want_ok("FIOASYNC 1 on a socket", ioctl(sv[0], FIOASYNC, &on))))
		return r;
	if (!(fcntl(sv[0], F_GETFL) & O_ASYNC))
		return fail("F_GETFL after FIOASYNC 1: no O_ASYNC");
	if ((r = want_ok("FIOASYNC 0 on a socket", ioctl(sv[0], FIOASYNC, &off))))
		return r;
	if (fcntl(sv[0], F_GETFL) & O_ASYNC)
		return fail("F_GETFL after FIOASYNC 0: O_ASYNC");
	close(sv[0]);
	close(sv[1]);
	snprintf(f, sizeof(f), "%s/fioasync", work);
	if ((fd = open(f, O_CREAT | O_RDWR, 0644)) < 0)
		return fail("open %s: %s", f, errname(errno));
	errno = 0;
	r = want_err("FIOASYNC 1 on a regular file", ioctl(fd, FIOASYNC, &on), ENOTTY);
	close(fd);
	unlink(f);
	return r;
}

/* wait4(INT_MIN) is ESRCH (no process group -INT_MIN: Linux 4.13's
 * kernel_wait4), and get_robust_list of another user's process (root's) is EPERM
 * (ptrace_may_access), LTP's wait403 and get_robust_list01. */
static int check_wait4_robust(void)
{
	void *head;
	size_t len;
	int st;

	errno = 0;
	if (wait4(INT_MIN, &st, 0, NULL) != -1 || errno != ESRCH)
		return fail("wait4(INT_MIN): %s, not ESRCH", strerror(errno));
	pid_t root = getpid();
	pid_t c = fork();
	if (c == 0) {
		if (setuid(1) != 0)
			_exit(2);
		long r = syscall(SYS_get_robust_list, root, &head, &len);
		_exit(r == -1 && errno == EPERM ? 0 : r == -1 ? 10 + errno : 1);
	}
	if (c < 0 || waitpid(c, &st, 0) != c)
		return fail("fork: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return fail("get_robust_list(parent) as uid 1 was not EPERM (child status 0x%x)", st);
	if (syscall(SYS_get_robust_list, 0, &head, &len) != 0 || len != 24)
		return fail("get_robust_list(0): %s, len %zu", strerror(errno), len);
	return CHECK_OK;
}

#ifndef SYS_kcmp
#define SYS_kcmp 312
#endif
#define KCMP_FILE 0
#define KCMP_VM 1
#define KCMP_FILES 2
#define KCMP_TYPES 8

/* kcmp: a dup'd descriptor is the same file (0), another open is not
 * (1 or 2), a forked child has another address space and descriptor
 * table, and the argument errors are Linux's (LTP's kcmp01, kcmp02). */
static int check_kcmp(void)
{
	pid_t me = getpid();
	int a = open("/dev/null", O_RDONLY), b = dup(a), c = open("/dev/null", O_RDONLY);
	long same = syscall(SYS_kcmp, me, me, KCMP_FILE, a, b);
	long other = syscall(SYS_kcmp, me, me, KCMP_FILE, a, c);
	long r = CHECK_OK;

	if (same != 0 || (other != 1 && other != 2))
		r = fail("kcmp(KCMP_FILE): dup %ld, another open %ld", same, other);
	pid_t kid = r ? -1 : fork();
	if (kid == 0) {
		long vm = syscall(SYS_kcmp, me, getpid(), KCMP_VM, 0, 0);
		long files = syscall(SYS_kcmp, me, getpid(), KCMP_FILES, 0, 0);
		long inherited = syscall(SYS_kcmp, me, getpid(), KCMP_FILE, a, a);
		_exit((vm == 1 || vm == 2) && (files == 1 || files == 2) && inherited == 0 ? 0 : 1);
	}
	int st;
	if (!r && (kid < 0 || waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st)))
		r = fail("kcmp in a forked child: VM, FILES not different or the inherited file not the same");
	errno = 0;
	if (!r && (syscall(SYS_kcmp, me, me, KCMP_TYPES + 1, a, b) != -1 || errno != EINVAL))
		r = fail("kcmp(type KCMP_TYPES + 1): %s, not EINVAL", strerror(errno));
	errno = 0;
	if (!r && (syscall(SYS_kcmp, me, me, KCMP_FILE, a, 9999) != -1 || errno != EBADF))
		r = fail("kcmp(KCMP_FILE, a closed fd): %s, not EBADF", strerror(errno));
	errno = 0;
	if (!r && (syscall(SYS_kcmp, me, INT_MAX, KCMP_FILE, a, b) != -1 || errno != ESRCH))
		r = fail("kcmp(no such pid): %s, not ESRCH", strerror(errno));
	close(a);
	close(b);
	close(c);
	return (int)r;
}

#define CLONE_VM_STACK 65536

static int clone_vm_child(void *arg)
{
	*(volatile int *)arg = 42; /* the parent's memory */
	return 7;
}

/* clone(CLONE_VM) without CLONE_VFORK: a process sharing the caller's
 * memory, which sees the child's write, and whose memory outlives the
 * child (LTP's kcmp03, stress-ng's stressors). */
static int check_clone_vm(void)
{
	static volatile int shared;
	char *stack = malloc(CLONE_VM_STACK);
	int st;

	if (!stack)
		return fail("malloc");
	shared = 0;
	pid_t kid = clone(clone_vm_child, stack + CLONE_VM_STACK, CLONE_VM | SIGCHLD, (void *)&shared);
	if (kid < 0) {
		free(stack);
		return fail("clone(CLONE_VM | SIGCHLD): %s", strerror(errno));
	}
	pid_t w = waitpid(kid, &st, 0);
	free(stack);
	if (w != kid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return fail("the CLONE_VM child: waitpid %d, status 0x%x", (int)w, st);
	return shared == 42 ? CHECK_OK : fail("the child's write is not seen: %d", shared);
}

static void on_usr2(int sig)
{
	(void)sig;
}

/* clone(flags | SIGCHLD) as fork would be: -1 with errno; a child made
 * anyway (a kernel that should have refused) exits at once and is reaped. */
static long raw_fork(unsigned long flags)
{
	errno = 0;
	long c = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (c == 0)
		_exit(0);
	if (c > 0)
		waitpid((pid_t)c, NULL, 0);
	return c;
}

/* The CLONE_SIGHAND child: installs a handler, which its parent then has. */
static int clone_sighand_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_usr2 };

	(void)arg;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR2, &sa, NULL) ? 1 : 7;
}

/* clone(CLONE_VM | CLONE_SIGHAND) without CLONE_THREAD: a process sharing
 * the caller's signal handlers, so a sigaction of the child's is the
 * parent's too (LTP's clone02); CLONE_SIGHAND without CLONE_VM, or with
 * CLONE_NEWNS and CLONE_FS, is EINVAL (clone302). */
static int check_clone_sighand(void)
{
	char *stack = malloc(CLONE_VM_STACK);
	struct sigaction old, now;
	int st, r;

	if (!stack)
		return fail("malloc");
	sigaction(SIGUSR2, NULL, &old);
	pid_t kid = clone(clone_sighand_child, stack + CLONE_VM_STACK, CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL);
	if (kid < 0) {
		free(stack);
		return fail("clone(CLONE_VM | CLONE_SIGHAND | SIGCHLD): %s", strerror(errno));
	}
	pid_t w = waitpid(kid, &st, 0);
	free(stack);
	sigaction(SIGUSR2, &old, &now);
	if (w != kid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return fail("the CLONE_SIGHAND child: waitpid %d, status 0x%x", (int)w, st);
	if (now.sa_handler != on_usr2)
		return fail("the child's handler is not the parent's");
	r = want_err("clone(CLONE_SIGHAND) without CLONE_VM", raw_fork(CLONE_SIGHAND), EINVAL) ||
	    want_err("clone(CLONE_NEWNS | CLONE_FS)", raw_fork(CLONE_NEWNS | CLONE_FS), EINVAL);
	return r ? CHECK_FAIL : CHECK_OK;
}

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#define NR_CLONE3 435

/* clone3's first version of struct clone_args. */
struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* clone3 and clone with CLONE_PIDFD (LTP's clone302): the caller gets a
 * close-on-exec pidfd of the child, readable (POLLIN) once it ended; an
 * unwritable pidfd pointer fails the whole clone with EFAULT, and
 * clone's CLONE_PIDFD with CLONE_PARENT_SETTID is EINVAL. */
static int check_clone_pidfd(void)
{
	int pidfd = -2, st;
	struct clone_args_v0 a = { .flags = CLONE_PIDFD, .pidfd = (uintptr_t)&pidfd, .exit_signal = SIGCHLD };
	long pid = syscall(NR_CLONE3, &a, sizeof(a));

	if (pid == 0)
		_exit(5);
	if (pid < 0)
		return fail("clone3(CLONE_PIDFD): %s", strerror(errno));
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int flags = fcntl(pidfd, F_GETFD);
	int ready = poll(&pfd, 1, 5000);
	pid_t w = waitpid((pid_t)pid, &st, 0);
	close(pidfd);
	if (flags < 0 || !(flags & FD_CLOEXEC))
		return fail("the pidfd %d: F_GETFD %d, want FD_CLOEXEC", pidfd, flags);
	if (ready != 1 || !(pfd.revents & POLLIN))
		return fail("poll of the pidfd after the child ended: %d, revents %#x", ready, pfd.revents);
	if (w != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 5)
		return fail("the child: status %#x", st);
	a.pidfd = 8; /* not a user address */
	errno = 0;
	pid = syscall(NR_CLONE3, &a, sizeof(a));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	if (want_err("clone3 with an unwritable pidfd pointer", pid, EFAULT))
		return CHECK_FAIL;
	return want_err("clone(CLONE_PIDFD | CLONE_PARENT_SETTID)",
			raw_fork(CLONE_PIDFD | CLONE_PARENT_SETTID), EINVAL);
}

/* readlinkat with an empty path reads the symlink its descriptor is open
 * on (O_PATH | O_NOFOLLOW; LTP's readlinkat01), ENOENT for a descriptor
 * of anything else; utimensat(AT_FDCWD, NULL) is a path (EFAULT), as
 * utimes(NULL) (utimes01), and a descriptor's with flags EINVAL;
 * futimesat works relative to its descriptor, or on it (futimesat01). */
static int check_empty_paths(void)
{
	char link[128], buf[64];
	snprintf(link, sizeof(link), "%s/lnk", work);
	if (symlink("target-x", link))
		return fail("symlink: %s", strerror(errno));
	int lfd = open(link, O_PATH | O_NOFOLLOW), dfd = open(work, O_RDONLY | O_DIRECTORY);
	ssize_t n = readlinkat(lfd, "", buf, sizeof(buf));
	int r = n != 8 || memcmp(buf, "target-x", 8) ? fail("readlinkat(link fd, \"\"): %zd (%s)", n, strerror(errno)) :
		want_err("readlinkat(dir fd, \"\")", readlinkat(dfd, "", buf, sizeof(buf)), ENOENT) ||
		want_err("utimensat(AT_FDCWD, NULL)", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0), EFAULT) ||
		want_err("utimensat(fd, NULL, AT_SYMLINK_NOFOLLOW)",
			 syscall(SYS_utimensat, dfd, NULL, NULL, AT_SYMLINK_NOFOLLOW), EINVAL) ||
		want_eq("utimensat(fd, NULL)", syscall(SYS_utimensat, dfd, NULL, NULL, 0), 0) ||
		want_eq("futimesat(fd, \"lnk\"): the link's target is missing (ENOENT)",
			syscall(SYS_futimesat, dfd, "lnk", NULL) == -1 && errno == ENOENT, 1) ||
		want_eq("futimesat(fd, NULL)", syscall(SYS_futimesat, dfd, NULL, NULL), 0);
	close(lfd);
	close(dfd);
	unlink(link);
	return r ? CHECK_FAIL : CHECK_OK;
}

/* statx's own refusals before the path (LTP's statx03): the mask's
 * reserved bit (0x80000000), or both sync types at once, is EINVAL. */
static int check_statx_args(void)
{
	char buf[256];

	errno = 0;
	return want_err("statx(mask -1)", syscall(SYS_statx, AT_FDCWD, "/", 0, 0xffffffffu, buf), EINVAL) ||
	       want_err("statx(AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC)",
			syscall(SYS_statx, AT_FDCWD, "/", 0x6000, 0x7ffu, buf), EINVAL) ||
	       want_eq("statx(\"/\", STATX_BASIC_STATS)", syscall(SYS_statx, AT_FDCWD, "/", 0, 0x7ffu, buf), 0)
	       ? CHECK_FAIL : CHECK_OK;
}

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

/* What a fork's child gets, by madvise: nothing of a MADV_DONTFORK region
 * (its range is unmapped: madvise there is ENOMEM), a MADV_WIPEONFORK one
 * zero-filled, a KEEPONFORK'd one as it is; WIPEONFORK on shared memory is
 * EINVAL, and so is MADV_DONTNEED on locked memory (LTP's madvise02 and
 * madvise10). */
static int check_madvise_fork(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *gone = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *wiped = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int r = CHECK_OK, st;

	if (gone == MAP_FAILED || wiped == MAP_FAILED || shared == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	memset(gone, 'g', pg);
	memset(wiped, 'w', 2 * pg);
	if (madvise(gone, pg, MADV_DONTFORK) || madvise(wiped, 2 * pg, MADV_WIPEONFORK) ||
	    madvise(wiped + pg, pg, MADV_KEEPONFORK))
		r = fail("madvise(DONTFORK, WIPEONFORK, KEEPONFORK): %s", strerror(errno));
	errno = 0;
	if (!r && (madvise(shared, pg, MADV_WIPEONFORK) != -1 || errno != EINVAL))
		r = fail("MADV_WIPEONFORK on shared memory: %s, not EINVAL", strerror(errno));
	errno = 0;
	if (!r && mlock(shared, pg) == 0 && (madvise(shared, pg, MADV_DONTNEED) != -1 || errno != EINVAL))
		r = fail("MADV_DONTNEED on locked memory: %s, not EINVAL", strerror(errno));
	pid_t kid = r ? -1 : fork();
	if (kid == 0) {
		errno = 0;
		int unmapped = madvise(gone, pg, MADV_NORMAL) == -1 && errno == ENOMEM;
		_exit(unmapped && wiped[0] == 0 && wiped[pg - 1] == 0 && wiped[pg] == 'w' ? 0 : 1);
	}
	if (!r && (kid < 0 || waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st)))
		r = fail("the child did not see a DONTFORK hole, a wiped page and a kept one");
	if (!r && (gone[0] != 'g' || wiped[0] != 'w'))
		r = fail("the parent's pages changed");
	munmap(gone, pg);
	munmap(wiped, 2 * pg);
	munmap(shared, pg);
	return r;
}

/* The value of field (e.g. "Rss:") in the smaps entry that starts at
 * addr, in kB; -1 when there is none. */
static long smaps_field(const char *text, unsigned long addr, const char *field)
{
	char head[32];
	int n = snprintf(head, sizeof(head), "%lx-", addr);
	const char *e = text;

	while (e && strncmp(e, head, (size_t)n) != 0) {
		e = strchr(e, '\n');
		e = e ? e + 1 : NULL;
	}
	for (const char *l = e ? strchr(e, '\n') : NULL; l; l = strchr(l + 1, '\n')) {
		if (isxdigit((unsigned char)l[1]) && strchr(l + 1, '-') < strchr(l + 1, ' '))
			break; /* the next entry */
		if (strncmp(l + 1, field, strlen(field)) == 0)
			return strtol(l + 1 + strlen(field), NULL, 10);
	}
	return -1;
}

/* /proc/self/smaps: a locked, touched 2-page anonymous mapping shows Size,
 * Rss and Locked of 8 kB and its VmFlags (LTP's mlock05 reads Locked). */
static int check_smaps(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static char text[1 << 20];
	int r = CHECK_OK;

	if (m == MAP_FAILED || mlock(m, 2 * pg))
		return fail("mmap and mlock: %s", strerror(errno));
	memset(m, 1, 2 * pg);
	int fd = open("/proc/self/smaps", O_RDONLY);
	size_t len = 0;
	ssize_t got;
	while (fd >= 0 && len < sizeof(text) - 1 && (got = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)got;
	text[len] = 0;
	if (fd < 0)
		r = fail("open /proc/self/smaps: %s", strerror(errno));
	else
		close(fd);
	long size = smaps_field(text, (unsigned long)m, "Size:");
	long rss = smaps_field(text, (unsigned long)m, "Rss:");
	long locked = smaps_field(text, (unsigned long)m, "Locked:");
	if (!r && (size != 2 * pg / 1024 || rss != size || locked != size))
		r = fail("smaps of a locked 2-page mapping: Size %ld, Rss %ld, Locked %ld kB", size, rss, locked);
	if (!r && !strstr(text, "VmFlags: rd wr mr mw me "))
		r = fail("no 'VmFlags: rd wr mr mw me ...' line");
	munmap(m, 2 * pg);
	return r;
}

/* sysfs(2): its types are /proc/filesystems's lines, in that order. */
static int check_sysfs_syscall(void)
{
	FILE *f = fopen("/proc/filesystems", "r");
	char line[128], name[64];
	long n = 0;

	if (!f)
		return fail("open /proc/filesystems: %s", errname(errno));
	while (fgets(line, sizeof(line), f)) {
		char *t = strchr(line, '\t');
		if (!t)
			continue;
		t[strcspn(t, "\n")] = 0;
		memset(name, 'x', sizeof(name));
		if (want_eq("sysfs(2, i)", syscall(SYS_sysfs, 2, n, name), 0) ||
		    want_eq("its name", (long)strcmp(name, t + 1), 0) ||
		    want_eq("sysfs(1, name)", syscall(SYS_sysfs, 1, t + 1), n)) {
			fclose(f);
			return CHECK_FAIL;
		}
		n++;
	}
	fclose(f);
	return want_eq("sysfs(3): the count", syscall(SYS_sysfs, 3), n) ||
	       want_err("sysfs(2, count)", syscall(SYS_sysfs, 2, n, name), EINVAL) ||
	       want_err("sysfs(1, unknown)", syscall(SYS_sysfs, 1, "no-such-fs"), EINVAL) ||
	       want_err("sysfs(1, bad pointer)", syscall(SYS_sysfs, 1, (void *)8), EFAULT) ||
	       want_err("sysfs(2, i, bad pointer)", syscall(SYS_sysfs, 2, 0, (void *)8), EFAULT) ||
	       want_err("sysfs(4)", syscall(SYS_sysfs, 4), EINVAL)
		       ? CHECK_FAIL : CHECK_OK;
}

/* x86_64's struct ustat (glibc no longer declares it). */
struct ustat_k {
	int f_tfree;
	unsigned long f_tinode;
	char f_fname[6], f_fpack[6];
};

/* ustat: the root's device answers, with empty names; an unknown one is EINVAL. */
static int check_ustat(void)
{
	struct ustat_k u;
	struct stat st;

	if (stat("/", &st))
		return fail("stat /: %s", errname(errno));
	memset(&u, 'x', sizeof(u));
	return want_eq("ustat of /'s device", syscall(SYS_ustat, (unsigned)st.st_dev, &u), 0) ||
	       want_eq("empty names", (long)(u.f_fname[0] | u.f_fpack[0]), 0) ||
	       want_err("a bad buffer", syscall(SYS_ustat, (unsigned)st.st_dev, (void *)8), EFAULT) ||
	       want_err("no such device", syscall(SYS_ustat, 0xfffffffu, &u), EINVAL)
		       ? CHECK_FAIL : CHECK_OK;
}

#define PERSONA_EXEC_MARK "personality-exec-child"
#define PERSONA (PER_LINUX | ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC)

/* The exec'd side of check_personality: READ_IMPLIES_EXEC is gone, the
 * rest kept (a 64-bit program, no change of ids). */
static int personality_after_exec(void)
{
	return personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE) ? 0 : 3;
}

/* personality: set, queried, inherited by fork, exec's change, and
 * STICKY_TIMEOUTS leaving select's timeout alone. */
static int check_personality(void)
{
	struct timeval tv = { 0, 10000 };

	if (want_eq("the first query", personality(0xffffffff), PER_LINUX) ||
	    want_eq("set: the old one back", personality(PERSONA), PER_LINUX) ||
	    want_eq("query", personality(0xffffffff), PERSONA))
		return CHECK_FAIL;
	pid_t pid = fork();
	if (pid == 0)
		_exit(personality(0xffffffff) == PERSONA ? 0 : 3);
	if (want_exit("a fork child (3: not inherited)", pid, 0))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "t-conform_misc", PERSONA_EXEC_MARK, (char *)NULL);
		_exit(2);
	}
	if (want_exit("an exec'd child (3: not as Linux leaves it)", pid, 0))
		return CHECK_FAIL;
	/* the system call itself: musl's select copies the timeval first */
	personality(PER_LINUX | STICKY_TIMEOUTS);
	int r = want_eq("select, sticky", syscall(SYS_select, 0, NULL, NULL, NULL, &tv), 0) ||
		want_eq("the timeout kept", tv.tv_usec, 10000);
	personality(PER_LINUX);
	return r || want_eq("select", syscall(SYS_select, 0, NULL, NULL, NULL, &tv), 0) ||
		       want_eq("the timeout used up", tv.tv_usec, 0)
		       ? CHECK_FAIL : CHECK_OK;
}

/* settimeofday, the system call (musl's goes to clock_settime and drops
 * tz). */
static long settod(const struct timeval *tv, const struct timezone *tz)
{
	return syscall(SYS_settimeofday, tv, tz);
}

/* settimeofday's refusals (no clock is changed: the build machine runs
 * this too): a bad tv_usec, a zone beyond 15 hours, EPERM without
 * CAP_SYS_TIME; nothing to set is 0. */
static int check_settimeofday(void)
{
	struct timeval bad = { 1, 1000001 }, neg = { 1, -1 };
	struct timezone far = { 16 * 60, 0 };

	if (getuid() != 0)
		return skip("needs root");
	if (want_err("tv_usec 1000001", settod(&bad, NULL), EINVAL) ||
	    want_err("tv_usec -1", settod(&neg, NULL), EINVAL) ||
	    want_err("a zone 16 hours west", settod(NULL, &far), EINVAL) ||
	    want_err("a bad tv", settod((void *)8, NULL), EFAULT) ||
	    want_err("a bad tz", settod(NULL, (void *)8), EFAULT) ||
	    want_eq("nothing to set", settod(NULL, NULL), 0))
		return CHECK_FAIL;
	if (setresuid(65534, 65534, 65534))
		return fail("setresuid: %s", errname(errno));
	struct timeval now;
	gettimeofday(&now, NULL);
	return want_err("no CAP_SYS_TIME", settod(&now, NULL), EPERM) ? CHECK_FAIL : CHECK_OK;
}

static volatile sig_atomic_t xfsz_count;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz_count++;
}

/* RLIMIT_FSIZE (LTP's llseek01): a write is cut to end at the limit, one
 * at or past it is EFBIG with SIGXFSZ (an O_APPEND one too), as is a
 * truncate growing past it; seeking past it, shrinking and a write of 0
 * bytes are fine. Runs in its own child (c_isolate): the limit stays there. */
static int check_fsize_limit(void)
{
	static char buf[4096];
	const struct rlimit lim = { 8192, 8192 };
	char path[96];
	int r;

	snprintf(path, sizeof(path), "%s/fsize", work);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int app = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || app < 0 || signal(SIGXFSZ, on_xfsz) == SIG_ERR || setrlimit(RLIMIT_FSIZE, &lim))
		return fail("setup: %s", errname(errno));
	errno = 0;
	r = want_eq("write 4096 under the limit", write(fd, buf, sizeof(buf)), 4096) ||
	    want_eq("pwrite 4096 at 6144, cut", pwrite(fd, buf, sizeof(buf), 6144), 2048) ||
	    want_eq("no SIGXFSZ yet", xfsz_count, 0) ||
	    want_eq("lseek past the limit", lseek(fd, 9000, SEEK_SET), 9000) ||
	    want_eq("write of 0 bytes there", write(fd, buf, 0), 0) ||
	    want_err("write there", write(fd, buf, 1), EFBIG) ||
	    want_eq("one SIGXFSZ", xfsz_count, 1) ||
	    want_err("O_APPEND write at the limit", write(app, buf, 1), EFBIG) ||
	    want_err("ftruncate past it", ftruncate(fd, 16384), EFBIG) ||
	    want_eq("three SIGXFSZ", xfsz_count, 3) ||
	    want_ok("ftruncate smaller", ftruncate(fd, 100)) ||
	    want_eq("O_APPEND write after it", write(app, buf, 10), 10) ? CHECK_FAIL : 0;
	close(fd);
	close(app);
	unlink(path);
	return r;
}

/* /proc/self/timerslack_ns as a number, or -1. */
static long proc_timerslack(void)
{
	char buf[32] = "";
	int fd = open("/proc/self/timerslack_ns", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* prctl's timer slack (LTP's prctl08): what PR_SET_TIMERSLACK sets,
 * PR_GET_TIMERSLACK and /proc/self/timerslack_ns read; a fork's child
 * starts with its parent's, and setting 0 brings it back to that (its
 * default is the slack its parent had at the fork). */
static int check_timerslack(void)
{
	long old = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

	if (old < 0)
		return fail("PR_GET_TIMERSLACK: %s", errname(errno));
	if (want_eq("PR_SET_TIMERSLACK 70000", prctl(PR_SET_TIMERSLACK, 70000, 0, 0, 0), 0) ||
	    want_eq("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 70000) ||
	    want_eq("/proc/self/timerslack_ns", proc_timerslack(), 70000))
		return CHECK_FAIL;
	pid_t pid = fork();
	if (pid == 0) {
		long got = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
		long one = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
		_exit(got != 70000 ? 1 : one != 1 ? 2 : prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != 70000 ? 3 : 0);
	}
	int r = want_exit("the child's slack (1: not inherited, 2: not set, 3: 0 not its default)",
			  pid, 0);
	prctl(PR_SET_TIMERSLACK, (unsigned long)old, 0, 0, 0);
	return r;
}

#ifndef RENAME_EXCHANGE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE  (1 << 1)
#define RENAME_WHITEOUT  (1 << 2)
#endif

/* Remove whatever check_rename_exchange left under work, deepest first
 * (files and directories alike: both calls are tried). */
static void exchange_cleanup(void)
{
	static const char *const left[] = { "xa/in/deep", "xa/in", "xd/in/deep", "xd/in", "xd/deep",
					    "xa", "xd", "xp" };
	char x[128];

	for (size_t i = 0; i < NELEMS(left); i++) {
		snprintf(x, sizeof(x), "%s/%s", work, left[i]);
		if (unlink(x) != 0)
			rmdir(x);
	}
}

/* renameat2's RENAME_EXCHANGE (LTP's renameat201 and 202): a file and a
 * directory swap names, the directory's entries and the file's bytes
 * come along; across directories the parents' link counts follow the
 * directory; a directory swapped with its own descendant is EINVAL, a
 * missing end ENOENT, EXCHANGE with NOREPLACE or WHITEOUT EINVAL. */
static int check_rename_exchange(void)
{
	char xa[96], xd[96], in[128], deep[128], x[128];
	struct stat st, wa, wb, aa, ab;
	int fd, r = CHECK_OK;

	snprintf(xa, sizeof(xa), "%s/xa", work);
	snprintf(xd, sizeof(xd), "%s/xd", work);
	snprintf(in, sizeof(in), "%s/in", xd);
	snprintf(deep, sizeof(deep), "%s/in/deep", xd);
	if ((fd = open(xa, O_CREAT | O_WRONLY | O_TRUNC, 0644)) < 0 || write(fd, "A", 1) != 1 ||
	    close(fd) || mkdir(xd, 0755) || mkdir(in, 0755) || mkdir(deep, 0755))
		r = fail("setting up: %s", strerror(errno));
	errno = 0;
	if (!r && syscall(SYS_renameat2, AT_FDCWD, xa, AT_FDCWD, xd, RENAME_EXCHANGE) != 0)
		r = errno == EINVAL ? skip("this file system cannot exchange (EINVAL)")
				    : fail("exchange(file, dir): %s", strerror(errno));
	snprintf(x, sizeof(x), "%s/in/deep", xa);
	if (!r && (stat(x, &st) || !S_ISDIR(st.st_mode) || stat(xd, &st) || st.st_size != 1))
		r = fail("after exchange(file, dir): the file's name has no in/deep or the dir's no 1-byte file");
	/* across parents: the directory xa/in and the file xd (in work) */
	snprintf(x, sizeof(x), "%s/in", xa);
	if (!r && (stat(work, &wb) || stat(xa, &ab)))
		r = fail("stat: %s", strerror(errno));
	if (!r && syscall(SYS_renameat2, AT_FDCWD, x, AT_FDCWD, xd, RENAME_EXCHANGE) != 0)
		r = fail("exchange(dir in xa, file in work): %s", strerror(errno));
	if (!r && (stat(work, &wa) || stat(xa, &aa) || stat(deep, &st) == 0))
		r = fail("stat after the exchange across parents: %s", strerror(errno));
	snprintf(x, sizeof(x), "%s/deep", xd);
	if (!r && (wa.st_nlink != wb.st_nlink + 1 || aa.st_nlink != ab.st_nlink - 1 || stat(x, &st)))
		r = fail("across parents: work's links %lu -> %lu, xa's %lu -> %lu, want +1 and -1, and xd/deep",
			 (unsigned long)wb.st_nlink, (unsigned long)wa.st_nlink, (unsigned long)ab.st_nlink,
			 (unsigned long)aa.st_nlink);
	errno = 0;
	if (!r)
		r = want_err("exchange(a directory, its own descendant)",
			     syscall(SYS_renameat2, AT_FDCWD, xd, AT_FDCWD, x, RENAME_EXCHANGE), EINVAL);
	snprintf(x, sizeof(x), "%s/missing", work);
	errno = 0;
	if (!r)
		r = want_err("exchange(dir, missing)", syscall(SYS_renameat2, AT_FDCWD, xd, AT_FDCWD, x,
							       RENAME_EXCHANGE), ENOENT);
	if (!r)
		r = want_err("EXCHANGE | NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, xa, AT_FDCWD, xd,
							     RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	if (!r)
		r = want_err("EXCHANGE | WHITEOUT", syscall(SYS_renameat2, AT_FDCWD, xa, AT_FDCWD, xd,
							    RENAME_EXCHANGE | RENAME_WHITEOUT), EINVAL);
	exchange_cleanup();
	return r;
}

static const struct check checks[] = {
	{ "syslog", check_syslog },
	{ "adjtimex", check_adjtimex },
	{ "access-permitted", check_access_permitted },
	{ "clone-parent", check_clone_parent },
	{ "pdeath-thread", check_pdeath_thread },
	{ "proc-seek", check_proc_seek },
	{ "mount-propagation", check_mount_propagation },
	{ "cpu-clock-sleep", check_cpu_clock_sleep },
	{ "sysfs", check_sysfs },
	{ "chroot", check_chroot },
	{ "fioasync", check_fioasync },
	{ "tmpfs", check_tmpfs },
	{ "mounts-poll", check_mounts_poll },
	{ "proc-sys-files", check_proc_sys_files },
	{ "proc-links", check_proc_links },
	{ "environ-auxv", check_environ_auxv },
	{ "wait4-robust-list", check_wait4_robust },
	{ "kcmp", check_kcmp },
	{ "clone-vm", check_clone_vm },
	{ "clone-sighand", check_clone_sighand },
	{ "clone-pidfd", check_clone_pidfd },
	{ "empty-paths", check_empty_paths },
	{ "statx-args", check_statx_args },
	{ "madvise-fork", check_madvise_fork },
	{ "smaps", check_smaps },
	{ "sysfs-syscall", check_sysfs_syscall },
	{ "ustat", check_ustat },
	{ "personality", check_personality },
	{ "settimeofday", check_settimeofday },
	{ "fsize-limit", check_fsize_limit },
	{ "timerslack", check_timerslack },
	{ "rename-exchange", check_rename_exchange },
};

int main(int argc, char **argv)
{
	char dir[96];
	int r;

	if (argc == 2 && strcmp(argv[1], PERSONA_EXEC_MARK) == 0)
		return personality_after_exec();
	snprintf(work, sizeof(work), "/tmp/t-conform_misc.%d", (int)getpid());
	if (mkdir(work, 0755) != 0) {
		printf("conform_misc: mkdir %s: %s\n", work, strerror(errno));
		return 1;
	}
	c_isolate = 1;
	r = run_checks("conform_misc", checks, NELEMS(checks), argc, argv);
	snprintf(dir, sizeof(dir), "%s/root", work);
	rmdir(dir); /* check_chroot's, emptied from inside */
	rmdir(work);
	return r;
}
