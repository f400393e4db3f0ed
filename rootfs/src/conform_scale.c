// SPDX-License-Identifier: MIT
// Many regions and many directory entries (issue 16's curves): the region tree and the
// directory hash tables give Linux's answers through splits, holes, resizes and concurrent
// create/unlink during getdents.
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

#define PAGE        4096L
#define WIN_PAGES   2048    /* the window of pages the region checks work in */
#define PROC_BUF    (512 * 1024)
#define RANDOM_OPS  3000
#define DIR_FILES   3000
#define SCAN_FILES  2000
#define SCAN_CHURN  500     /* names unlinked and created during a scan */
#define DENTS_BUF   512     /* small reads: many getdents calls per scan */

static char work[64]; /* the scratch directory */

/* ---------------------------------------------------------------- regions */

/* The model: each window page unmapped (-1) or mapped with a PROT_ value. */
static signed char model[WIN_PAGES];
static char *win;
static unsigned long long rnd = 88172645463325252ull;

static unsigned rand_below(unsigned n)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (unsigned)(rnd % n);
}

/* Map or protect [p, p + n) pages with prot in both the space and the model. */
static int map_fixed(long p, long n, int prot)
{
	if (mmap(win + p * PAGE, n * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	    MAP_FAILED)
		return fail("mmap(MAP_FIXED, page %ld, %ld pages): %s", p, n, errname(errno));
	memset(model + p, prot, n);
	return CHECK_OK;
}

/* One page at a time, alternating protections, so that no two
 * neighbours merge (Linux would merge equal ones): WIN_PAGES regions. */
static int make_window(void)
{
	win = mmap(NULL, WIN_PAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (win == MAP_FAILED)
		return fail("mmap(window): %s", errname(errno));
	for (long p = 0; p < WIN_PAGES; p++)
		if (map_fixed(p, 1, p % 2 ? PROT_READ : PROT_READ | PROT_WRITE))
			return CHECK_FAIL;
	return CHECK_OK;
}

static bool model_covered(long p, long n)
{
	for (long i = p; i < p + n; i++)
		if (model[i] < 0)
			return false;
	return true;
}

/* One random change: unmap, map or mprotect a few pages. */
static int random_op(void)
{
	long n = 1 + rand_below(8), p = rand_below(WIN_PAGES - n);
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };
	int prot = prots[rand_below(3)];

	switch (rand_below(3)) {
	case 0:
		if (munmap(win + p * PAGE, n * PAGE) != 0)
			return fail("munmap(page %ld, %ld pages): %s", p, n, errname(errno));
		memset(model + p, -1, n);
		return CHECK_OK;
	case 1:
		return map_fixed(p, n, prot);
	default:
		if (model[p] < 0) /* Linux stops at once: nothing changes */
			return want_err("mprotect from a hole",
					mprotect(win + p * PAGE, n * PAGE, PROT_READ), ENOMEM);
		if (!model_covered(p, n)) /* Linux changes the part before the hole */
			return CHECK_OK;
		if (mprotect(win + p * PAGE, n * PAGE, prot) != 0)
			return fail("mprotect(page %ld, %ld pages): %s", p, n, errname(errno));
		memset(model + p, prot, n);
		return CHECK_OK;
	}
}

/* The whole of a /proc file into proc_buf, NUL-terminated, without
 * malloc (whose mmap could land in the window's holes); -1 on error. */
static char proc_buf[PROC_BUF];
static long read_proc(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r = 0;

	if (fd < 0)
		return -1;
	while (n < PROC_BUF - 1 && (r = read(fd, proc_buf + n, PROC_BUF - 1 - n)) > 0)
		n += r;
	close(fd);
	proc_buf[n] = '\0';
	return r < 0 ? -1 : n;
}

/* /proc/self/maps against the model, page by page, inside the window. */
static int compare_maps(void)
{
	static signed char seen[WIN_PAGES];
	uintptr_t w0 = (uintptr_t)win, w1 = w0 + WIN_PAGES * PAGE;

	if (read_proc("/proc/self/maps") < 0)
		return fail("read /proc/self/maps: %s", errname(errno));
	memset(seen, -1, sizeof(seen));
	for (char *line = proc_buf, *nl; *line; line = nl + 1) {
		unsigned long a, b;
		char perms[8];
		if (!(nl = strchr(line, '\n')))
			break;
		*nl = '\0';
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) != 3 || b <= w0 || a >= w1)
			continue;
		int prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0);
		for (uintptr_t va = a < w0 ? w0 : a; va < b && va < w1; va += PAGE)
			seen[(va - w0) / PAGE] = (signed char)prot;
	}
	for (long p = 0; p < WIN_PAGES; p++)
		if (seen[p] != model[p])
			return fail("page %ld of the window: maps says %d, want %d", p, seen[p], model[p]);
	return CHECK_OK;
}

/* msync finds a hole where the model has one (ENOMEM), nothing else. */
static int compare_msync(void)
{
	for (long p = 0; p < WIN_PAGES; p++) {
		int r = msync(win + p * PAGE, PAGE, MS_ASYNC);
		if ((r == 0) != (model[p] >= 0))
			return fail("msync(page %ld) = %d (%s), model %d", p, r, errname(errno), model[p]);
	}
	return CHECK_OK;
}

/* mmap without a hint never lands on a mapped page of the window. */
static int check_free_search(void)
{
	for (long n = 1; n <= 16; n++) {
		char *p = mmap(NULL, n * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return fail("mmap(NULL, %ld pages): %s", n, errname(errno));
		for (long i = 0; i < n; i++) {
			long q = (p + i * PAGE - win) / PAGE;
			if (p + i * PAGE >= win && q < WIN_PAGES && model[q] >= 0) {
				munmap(p, n * PAGE);
				return fail("mmap(NULL, %ld pages) = %p: over window page %ld", n,
					    (void *)p, q);
			}
		}
		munmap(p, n * PAGE);
	}
	return CHECK_OK;
}

/* Thousands of regions through random unmaps, fixed maps and
 * mprotects: /proc/self/maps, msync and mmap's free search agree with a
 * page-by-page model after each round. */
static int check_many_regions(void)
{
	int r = make_window();

	for (int round = 0; r == CHECK_OK && round < 3; round++) {
		for (int i = 0; r == CHECK_OK && i < RANDOM_OPS; i++)
			r = random_op();
		if (r == CHECK_OK)
			r = compare_maps();
		if (r == CHECK_OK)
			r = compare_msync();
		if (r == CHECK_OK)
			r = check_free_search();
	}
	if (win != MAP_FAILED)
		munmap(win, WIN_PAGES * PAGE);
	return r;
}

/* VmSize in KiB from /proc/self/status; -1 if absent. */
static long vm_size_kib(void)
{
	long kib = -1;
	const char *at = read_proc("/proc/self/status") > 0 ? strstr(proc_buf, "VmSize:") : NULL;

	if (at && sscanf(at, "VmSize: %ld kB", &kib) != 1)
		kib = -1;
	return kib;
}

/* RLIMIT_AS counts what the regions cover after thousands of splits and
 * unmaps: exactly VmSize, so a limit of VmSize + 8 pages lets 8 pages
 * more be mapped and not 9. In a child: the limit stays there. */
static int check_as_accounting(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (make_window() != CHECK_OK)
			_exit(2);
		for (int i = 0; i < RANDOM_OPS; i++)
			if (random_op() != CHECK_OK)
				_exit(3);
		long kib = vm_size_kib();
		struct rlimit rl = { kib * 1024 + 8 * PAGE, kib * 1024 + 8 * PAGE };
		if (kib < 0 || setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(4);
		if (mmap(NULL, 8 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(5);
		if (mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
		    errno != ENOMEM)
			_exit(6);
		_exit(0);
	}
	int st;
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	if (wait_child(pid, 60000, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("child status %#x (2 window, 3 random op, 4 limit, 5 map within it, "
			    "6 map beyond it did not fail with ENOMEM)", st);
	return CHECK_OK;
}

/* ---------------------------------------------------------------- directories */

struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

static void entry_path(char *buf, size_t n, const char *dir, const char *prefix, long i)
{
	snprintf(buf, n, "%s/%s%ld", dir, prefix, i);
}

/* Make dir with count empty files PREFIX0..; 0 or fail(). */
static int make_files(const char *dir, const char *prefix, long count)
{
	char path[160];

	if (mkdir(dir, 0755) != 0)
		return fail("mkdir %s: %s", dir, errname(errno));
	for (long i = 0; i < count; i++) {
		entry_path(path, sizeof(path), dir, prefix, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return fail("create %s: %s", path, errname(errno));
		close(fd);
	}
	return CHECK_OK;
}

/* Read the whole directory at fd, counting each name PREFIXi into
 * counts[i] (i < n); other names than ., .. and PREFIXi: fail. If
 * churn is set, it is called once after the first read. */
static int scan(int fd, const char *prefix, int *counts, long n, int (*churn)(void))
{
	char buf[DENTS_BUF];
	size_t plen = strlen(prefix);
	bool first = true;

	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (got < 0)
			return fail("getdents64: %s", errname(errno));
		if (got == 0)
			return CHECK_OK;
		for (long at = 0; at < got;) {
			const struct dirent64_hdr *d = (const void *)(buf + at);
			at += d->reclen;
			if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
				continue;
			char *end;
			long i = strncmp(d->name, prefix, plen) ? -1 : strtol(d->name + plen, &end, 10);
			if (i < 0 || i >= n || *end)
				return fail("getdents64 listed \"%s\"", d->name);
			counts[i]++;
		}
		if (first && churn && churn() != CHECK_OK)
			return CHECK_FAIL;
		first = false;
	}
}

static char dir_a[96];
static int counts[DIR_FILES + SCAN_CHURN];

/* Lookup, unlink and rename in a directory of thousands (its table
 * grows and shrinks): stat finds what is there and only that, and
 * getdents lists each name once. */
static int check_many_entries(void)
{
	char path[160], path2[160];
	struct stat st;
	int r;

	snprintf(dir_a, sizeof(dir_a), "%s/many", work);
	if ((r = make_files(dir_a, "f", DIR_FILES)))
		return r;
	for (long i = 0; i < DIR_FILES; i += 3) { /* a third unlinked */
		entry_path(path, sizeof(path), dir_a, "f", i);
		if (unlink(path) != 0)
			return fail("unlink %s: %s", path, errname(errno));
	}
	for (long i = 1; i < DIR_FILES; i += 3) { /* a third renamed over the next */
		entry_path(path, sizeof(path), dir_a, "f", i);
		entry_path(path2, sizeof(path2), dir_a, "f", i + 1);
		if (rename(path, path2) != 0)
			return fail("rename %s: %s", path, errname(errno));
	}
	for (long i = 0; i < DIR_FILES; i++) {
		entry_path(path, sizeof(path), dir_a, "f", i);
		int want = i % 3 == 2;
		if ((stat(path, &st) == 0) != want)
			return fail("stat %s: %s, want %s", path, errname(errno), want ? "0" : "ENOENT");
	}
	int fd = open(dir_a, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open %s: %s", dir_a, errname(errno));
	memset(counts, 0, sizeof(counts));
	r = scan(fd, "f", counts, DIR_FILES, NULL);
	close(fd);
	for (long i = 0; r == CHECK_OK && i < DIR_FILES; i++)
		if (counts[i] != (i % 3 == 2))
			r = fail("getdents64 listed f%ld %d times", i, counts[i]);
	return r;
}

/* Unlink SCAN_CHURN names the scan has not listed yet and create as many new ones. */
static int churn_dir(void)
{
	char path[160];
	long removed = 0;

	for (long i = SCAN_FILES - 1; i >= 0 && removed < SCAN_CHURN; i--) {
		if (counts[i])
			continue;
		entry_path(path, sizeof(path), dir_a, "g", i);
		if (unlink(path) != 0)
			return fail("unlink %s: %s", path, errname(errno));
		counts[i] = -1000; /* removed: any listing from now on shows */
		removed++;
	}
	for (long i = SCAN_FILES; i < SCAN_FILES + SCAN_CHURN; i++) {
		entry_path(path, sizeof(path), dir_a, "g", i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return fail("create %s: %s", path, errname(errno));
		close(fd);
	}
	return CHECK_OK;
}

/* POSIX's readdir promise, which Linux keeps: names unlinked and created
 * during a scan aside, every name is listed once; an unlinked one not
 * yet listed is not listed; a created one at most once. */
static int check_scan_churn(void)
{
	int r;

	snprintf(dir_a, sizeof(dir_a), "%s/churn", work);
	if ((r = make_files(dir_a, "g", SCAN_FILES)))
		return r;
	int fd = open(dir_a, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open %s: %s", dir_a, errname(errno));
	memset(counts, 0, sizeof(counts));
	r = scan(fd, "g", counts, SCAN_FILES + SCAN_CHURN, churn_dir);
	close(fd);
	for (long i = 0; r == CHECK_OK && i < SCAN_FILES + SCAN_CHURN; i++) {
		if (counts[i] < 0 && counts[i] != -1000)
			r = fail("g%ld listed after its unlink", i);
		else if (i < SCAN_FILES && counts[i] >= 0 && counts[i] != 1)
			r = fail("g%ld listed %d times", i, counts[i]);
		else if (i >= SCAN_FILES && counts[i] > 1)
			r = fail("g%ld (created during the scan) listed %d times", i, counts[i]);
	}
	return r;
}

/* A d_off handed out by getdents64 is a place to come back to: lseek to
 * it and the next entry is the one that followed it, deep in a large
 * directory too. */
static int check_seek_back(void)
{
	char buf[DENTS_BUF], name[64] = "";
	int64_t mark = -1;
	long calls = 0;
	int r;

	snprintf(dir_a, sizeof(dir_a), "%s/seek", work);
	if ((r = make_files(dir_a, "h", SCAN_FILES)))
		return r;
	int fd = open(dir_a, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open %s: %s", dir_a, errname(errno));
	for (long got; !name[0] && (got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0;) {
		const struct dirent64_hdr *d = (const void *)buf;
		if (++calls < 20) /* about 400 entries in */
			continue;
		mark = d->off; /* after the first entry of this read */
		d = (const void *)(buf + d->reclen);
		snprintf(name, sizeof(name), "%s", d->name);
	}
	r = name[0] ? CHECK_OK : fail("the directory ended before the mark");
	if (r == CHECK_OK && lseek(fd, mark, SEEK_SET) != mark)
		r = fail("lseek(%lld): %s", (long long)mark, errname(errno));
	if (r == CHECK_OK && syscall(SYS_getdents64, fd, buf, sizeof(buf)) <= 0)
		r = fail("getdents64 after lseek: %s", errname(errno));
	if (r == CHECK_OK && strcmp(((const struct dirent64_hdr *)buf)->name, name))
		r = fail("after lseek to d_off %lld: \"%s\", want \"%s\"", (long long)mark,
			 ((const struct dirent64_hdr *)buf)->name, name);
	close(fd);
	return r;
}

static const struct check checks[] = {
	{ "many-regions", check_many_regions },
	{ "as-accounting", check_as_accounting },
	{ "many-entries", check_many_entries },
	{ "scan-churn", check_scan_churn },
	{ "seek-back", check_seek_back },
};

int main(int argc, char **argv)
{
	int status;

	snprintf(work, sizeof(work), "/tmp/t-conform_scale.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("conform-scale");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("conform-scale", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
