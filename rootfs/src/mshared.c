// SPDX-License-Identifier: MIT
// MAP_SHARED file mappings on any file system: msync, read(2)/write(2) coherence, SIGBUS, fork, umount EBUSY.
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include "checks.h"

/*
 * t-mshared [-d DIR] [-m MOUNTPOINT] [-k] [CHECK...]: the checks on a
 * scratch file DIR/t-mshared.PID (DIR defaults to /tmp): a shared
 * mapping and the file's read(2)/write(2) see the same bytes, msync
 * writes them, a page past the end is SIGBUS, a forked child's writes
 * are the parent's, a private mapping's writes stay its own. With -m,
 * umount2(MOUNTPOINT) must be EBUSY while the file is mapped (DIR lies
 * in that mount). With -k, DIR/t-mshared.keep is left holding
 * KEEP_TEXT, written through a mapping only and unmapped without msync:
 * the munmap must take it to the disk (a boot test remounts and reads it).
 */
#define PAGE 4096ul
#define FILE_PAGES 3
#define FILE_BYTES (FILE_PAGES * PAGE + 100)   /* the last page partly in the file */
#define MAP_PAGES (FILE_PAGES + 2)              /* one whole page past the end */
#define KEEP_TEXT "mshared-persist\n"

static const char *dir = "/tmp";
static const char *mountpoint;
static char path[300];

static char pattern(size_t i)
{
	return (char)('A' + i % 26);
}

/* The scratch file with FILE_BYTES of pattern(), open read-write: its fd or -1 (c_why says why). */
static int make_file(void)
{
	static char buf[FILE_BYTES];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		fail("open %s: %s", path, errname(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		fail("write %s: %s", path, errname(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static char *map(int fd, int type)
{
	return mmap(NULL, MAP_PAGES * PAGE, PROT_READ | PROT_WRITE, type, fd, 0);
}

/* The mapping shows the file; a store, msync(MS_SYNC), and pread sees it. */
static int check_store_msync_read(void)
{
	int fd = make_file(), r = CHECK_OK;
	char got[8] = "";

	if (fd < 0)
		return CHECK_FAIL;
	char *p = map(fd, MAP_SHARED);
	if (p == MAP_FAILED)
		r = fail("mmap MAP_SHARED: %s", errname(errno));
	else if (p[0] != pattern(0) || p[FILE_BYTES - 1] != pattern(FILE_BYTES - 1))
		r = fail("the mapping shows %#x...%#x, want the file's", p[0], p[FILE_BYTES - 1]);
	if (!r) {
		memcpy(p + 5000, "MAPPED", 6);
		r = want_ok("msync(MS_SYNC)", msync(p, FILE_PAGES * PAGE, MS_SYNC));
	}
	if (!r && (pread(fd, got, 6, 5000) != 6 || memcmp(got, "MAPPED", 6)))
		r = fail("pread after a store and msync reads \"%.6s\", want MAPPED", got);
	if (p != MAP_FAILED)
		munmap(p, MAP_PAGES * PAGE);
	close(fd);
	return r;
}

/* pwrite(2), and the mapping shows it at once; read(2) shows stores without msync. */
static int check_write_coherent(void)
{
	int fd = make_file(), r = CHECK_OK;
	char got[8] = "";

	if (fd < 0)
		return CHECK_FAIL;
	char *p = map(fd, MAP_SHARED);
	if (p == MAP_FAILED)
		r = fail("mmap MAP_SHARED: %s", errname(errno));
	if (!r && pwrite(fd, "WRITTEN", 7, 9000) != 7)
		r = fail("pwrite: %s", errname(errno));
	if (!r && memcmp(p + 9000, "WRITTEN", 7))
		r = fail("the mapping shows \"%.7s\" after pwrite, want WRITTEN", p + 9000);
	if (!r) {
		memcpy(p + 10, "STORE", 5);
		if (pread(fd, got, 5, 10) != 5 || memcmp(got, "STORE", 5))
			r = fail("pread after a store (no msync) reads \"%.5s\", want STORE", got);
	}
	if (p != MAP_FAILED)
		munmap(p, MAP_PAGES * PAGE);
	close(fd);
	return r;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	siglongjmp(bus_jmp, sig);
}

/* Touch *p: 0, or the signal it raised. */
static int touch(volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_bus }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!(sig = sigsetjmp(bus_jmp, 1)))
		(void)*p;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

/* A page past the end is SIGBUS; after a write(2) makes the file longer, it shows the new bytes. */
static int check_sigbus_then_grow(void)
{
	int fd = make_file(), r = CHECK_OK, sig;

	if (fd < 0)
		return CHECK_FAIL;
	char *p = map(fd, MAP_SHARED);
	if (p == MAP_FAILED)
		r = fail("mmap MAP_SHARED: %s", errname(errno));
	if (!r && (sig = touch(p + MAP_PAGES * PAGE - 1)) != SIGBUS)
		r = fail("a page past the end of the file: signal %d, want SIGBUS", sig);
	if (!r && pwrite(fd, "GROWN", 5, (MAP_PAGES - 1) * PAGE + 200) != 5)
		r = fail("pwrite past the end: %s", errname(errno));
	if (!r && (sig = touch(p + (MAP_PAGES - 1) * PAGE + 200)) != 0)
		r = fail("the page write(2) added: signal %d", sig);
	if (!r && (memcmp(p + (MAP_PAGES - 1) * PAGE + 200, "GROWN", 5) ||
		   p[(MAP_PAGES - 1) * PAGE + 150] != 0 || p[FILE_BYTES + 10] != 0))
		r = fail("the mapping does not show the bytes write(2) added (or the gap is not zero)");
	if (p != MAP_FAILED)
		munmap(p, MAP_PAGES * PAGE);
	close(fd);
	return r;
}

/* A forked child's store through the inherited mapping is the parent's; a private mapping's stays its own. */
static int check_fork_and_private(void)
{
	int fd = make_file(), r = CHECK_OK;
	char got[8] = "";

	if (fd < 0)
		return CHECK_FAIL;
	char *p = map(fd, MAP_SHARED), *q = map(fd, MAP_PRIVATE);
	if (p == MAP_FAILED || q == MAP_FAILED)
		r = fail("mmap: %s", errname(errno));
	if (!r) {
		pid_t pid = fork();
		if (pid == 0) {
			memcpy(p + 20, "CHILD", 5);
			_exit(0);
		}
		r = want_exit("child storing through the shared mapping", pid, 0);
	}
	if (!r && memcmp(p + 20, "CHILD", 5))
		r = fail("the parent's mapping shows \"%.5s\", want the child's CHILD", p + 20);
	if (!r && memcmp(q + 20, "CHILD", 5))
		r = fail("an untouched private page shows \"%.5s\", want the file's CHILD", q + 20);
	if (!r) {
		memcpy(q + 30, "PRIV", 4);
		if (pread(fd, got, 4, 30) != 4 || !memcmp(got, "PRIV", 4) || !memcmp(p + 30, "PRIV", 4))
			r = fail("a private mapping's store reached the file");
	}
	if (p != MAP_FAILED)
		munmap(p, MAP_PAGES * PAGE);
	if (q != MAP_FAILED)
		munmap(q, MAP_PAGES * PAGE);
	close(fd);
	return r;
}

/* umount2 of the mount holding a mapped file (no fd open) is EBUSY. */
static int check_umount_busy(void)
{
	int fd, r;

	if (!mountpoint)
		return skip("no -m MOUNTPOINT given (the mount DIR lies in)");
	if ((fd = make_file()) < 0)
		return CHECK_FAIL;
	char *p = map(fd, MAP_SHARED);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap MAP_SHARED: %s", errname(errno));
	r = want_err("umount2 of the mount of a mapped file", umount2(mountpoint, 0), EBUSY);
	munmap(p, MAP_PAGES * PAGE);
	return r;
}

/* -k: DIR/t-mshared.keep holds KEEP_TEXT, stored through a mapping and unmapped without msync. */
static int keep_file(void)
{
	char keep[320];
	size_t len = strlen(KEEP_TEXT);

	snprintf(keep, sizeof(keep), "%s/t-mshared.keep", dir);
	int fd = open(keep, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)len) != 0)
		return fail("make %s: %s", keep, errname(errno));
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("mmap %s: %s", keep, errname(errno));
	memcpy(p, KEEP_TEXT, len);
	return want_ok("munmap of the kept file", munmap(p, len));
}

static const struct check checks[] = {
	{ "store-msync-read", check_store_msync_read },
	{ "write-coherent", check_write_coherent },
	{ "sigbus-then-grow", check_sigbus_then_grow },
	{ "fork-and-private", check_fork_and_private },
	{ "umount-busy", check_umount_busy },
};

int main(int argc, char **argv)
{
	int opt, keep = 0, status;

	while ((opt = getopt(argc, argv, "d:m:k")) != -1) {
		if (opt == 'd')
			dir = optarg;
		else if (opt == 'm')
			mountpoint = optarg;
		else if (opt == 'k')
			keep = 1;
		else
			return 2;
	}
	snprintf(path, sizeof(path), "%s/t-mshared.%d", dir, (int)getpid());
	argv[optind - 1] = argv[0];
	status = run_checks("mshared", checks, NELEMS(checks), argc - optind + 1, argv + optind - 1);
	unlink(path);
	if (keep && keep_file() != CHECK_OK) {
		t_fail("%s", c_why);
		status = 1;
	}
	return status;
}
