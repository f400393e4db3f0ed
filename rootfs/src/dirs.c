// SPDX-License-Identifier: MIT
// Directory calls: mkdir/rmdir and their errors, getdents64 listings, chdir/fchdir/getcwd, . and ..
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * The checks work in a scratch directory, /tmp/t-dirs.PID, and return
 * to it (chdir) when they move; it is removed at the end. getdents64 is
 * called raw: the record layout is what is being tested.
 */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};



/* same_file: A and B name the same inode (stat follows links). */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

static int check_mkdir(void)
{
	struct stat st;

	if (want_eq("mkdir", mkdir(P("md"), 0755), 0))
		return CHECK_FAIL;
	if (stat(P("md"), &st) != 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 07777) != 0755)
		return fail("the new directory: mode %o, want a 0755 directory", (unsigned)st.st_mode);
	if (want_err("mkdir of an existing directory", mkdir(P("md"), 0755), EEXIST))
		return CHECK_FAIL;
	if (write_file(P("md-file"), "x", 0644) != 0)
		return fail("creating a file: %s", errname(errno));
	errno = 0;
	if (want_err("mkdir over a file", mkdir(P("md-file"), 0755), EEXIST))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("mkdir with a missing parent", mkdir(P("md-none/sub"), 0755), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("mkdir under a file", mkdir(P("md-file/sub"), 0755), ENOTDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("mkdir(\"\")", mkdir("", 0755), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("mkdir(NULL)", syscall(SYS_mkdir, NULL, 0755), EFAULT))
		return CHECK_FAIL;
	/* A trailing slash names a directory to be. */
	return want_eq("mkdir(\"md2/\")", mkdir(P("md2/"), 0700), 0);
}

static int check_rmdir(void)
{
	struct stat st;

	if (mkdir(P("rd"), 0755) != 0 || mkdir(P("rd/sub"), 0755) != 0 ||
	    write_file(P("rd2-file"), "x", 0644) != 0 || mkdir(P("rd3"), 0755) != 0 ||
	    write_file(P("rd3/f"), "x", 0644) != 0)
		return fail("set-up: %s", errname(errno));
	if (want_err("rmdir of a directory with a subdirectory", rmdir(P("rd")), ENOTEMPTY))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("rmdir of a directory with a file", rmdir(P("rd3")), ENOTEMPTY))
		return CHECK_FAIL;
	if (want_eq("rmdir of an empty directory", rmdir(P("rd/sub")), 0))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("stat after rmdir", stat(P("rd/sub"), &st), ENOENT))
		return CHECK_FAIL;
	if (want_eq("rmdir of the now empty parent", rmdir(P("rd")), 0))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("rmdir of a missing directory", rmdir(P("rd")), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("rmdir of a file", rmdir(P("rd2-file")), ENOTDIR))
		return CHECK_FAIL;
	errno = 0;
	return want_err("rmdir(\"dir/.\")", rmdir(P("rd3/.")), EINVAL);
}

/* A listing, as read by getdents64. */
struct listing {
	int count;
	char names[128][32];
	unsigned char types[128];
};

/*
 * list_dir: read directory FD to its end with getdents64 in a BUFSIZE
 * buffer into *l, checking each record's shape. Returns fail() on error.
 */
static int list_dir(int fd, size_t bufsize, struct listing *l)
{
	char buf[4096] __attribute__((aligned(8)));
	long n;

	l->count = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			size_t len = strnlen(d->d_name, d->d_reclen);
			if (d->d_reclen == 0 || d->d_reclen % 8 != 0 || off + d->d_reclen > n)
				return fail("a record of length %u at %ld of %ld", d->d_reclen, off, n);
			if (len == 0 || len >= 32 || offsetof(struct linux_dirent64, d_name) + len >= d->d_reclen)
				return fail("a record whose name does not fit (reclen %u)", d->d_reclen);
			if (l->count == 128)
				return fail("more than 128 entries");
			memcpy(l->names[l->count], d->d_name, len + 1);
			l->types[l->count++] = d->d_type;
			off += d->d_reclen;
		}
	}
	if (n < 0)
		return fail("getdents64 (buffer %zu): %s", bufsize, errname(errno));
	return CHECK_OK;
}

/* find: the index of NAME in *l, or -1. */
static int find(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->count; i++)
		if (strcmp(l->names[i], name) == 0)
			return i;
	return -1;
}

/* want_listing: *l is exactly ".", "..", the files f0..f(NFILES-1) and the directory "sub". */
static int want_listing(const struct listing *l, int nfiles, const char *how)
{
	char name[16];
	int i;

	if (l->count != nfiles + 3)
		return fail("%s: %d entries, want %d", how, l->count, nfiles + 3);
	for (int k = 0; k < nfiles; k++) {
		snprintf(name, sizeof(name), "f%d", k);
		i = find(l, name);
		if (i < 0)
			return fail("%s: no entry %s", how, name);
		if (l->types[i] != DT_REG && l->types[i] != DT_UNKNOWN)
			return fail("%s: %s has d_type %d, want DT_REG", how, name, l->types[i]);
	}
	i = find(l, "sub");
	if (i < 0 || (l->types[i] != DT_DIR && l->types[i] != DT_UNKNOWN))
		return fail("%s: no directory entry \"sub\"", how);
	if (find(l, ".") < 0 || find(l, "..") < 0)
		return fail("%s: \".\" or \"..\" is missing", how);
	return CHECK_OK;
}

static int check_getdents(void)
{
	static struct listing l;
	char name[16];
	int fd, r;

	if (mkdir(P("gd"), 0755) != 0 || mkdir(P("gd/sub"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	for (int k = 0; k < 3; k++) {
		snprintf(name, sizeof(name), "gd/f%d", k);
		if (write_file(P(name), "x", 0644) != 0)
			return fail("creating %s: %s", name, errname(errno));
	}
	fd = open(P("gd"), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open(O_DIRECTORY): %s", errname(errno));
	r = list_dir(fd, 4096, &l);
	if (!r)
		r = want_listing(&l, 3, "one read");
	if (!r)
		r = want_eq("getdents64 at the end", syscall(SYS_getdents64, fd, name, sizeof(name)), 0);
	/* Rewinding lists it all again. */
	if (!r)
		r = want_eq("lseek(dir, 0)", lseek(fd, 0, SEEK_SET), 0);
	if (!r)
		r = list_dir(fd, 4096, &l);
	if (!r)
		r = want_listing(&l, 3, "after rewinding");
	close(fd);
	return r;
}

/* 100 files read 64 bytes at a time (one or two records a call): each exactly once. */
static int check_getdents_many(void)
{
	static struct listing l;
	char name[16];
	int fd, r;

	if (mkdir(P("gm"), 0755) != 0 || mkdir(P("gm/sub"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	for (int k = 0; k < 100; k++) {
		snprintf(name, sizeof(name), "gm/f%d", k);
		if (write_file(P(name), "", 0644) != 0)
			return fail("creating %s: %s", name, errname(errno));
	}
	fd = open(P("gm"), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open(O_DIRECTORY): %s", errname(errno));
	r = list_dir(fd, 64, &l);
	close(fd);
	if (!r)
		r = want_listing(&l, 100, "64-byte reads");
	for (int i = 0; !r && i < l.count; i++)
		for (int j = i + 1; j < l.count; j++)
			if (strcmp(l.names[i], l.names[j]) == 0)
				return fail("%s listed twice", l.names[i]);
	return r;
}

static int check_getdents_errors(void)
{
	char buf[256] __attribute__((aligned(8)));
	int fd = open(work, O_RDONLY | O_DIRECTORY), file, r;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_err("getdents64 into 8 bytes", syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("getdents64 into 0x1", syscall(SYS_getdents64, fd, (void *)1, 256), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("getdents64 on a closed fd", syscall(SYS_getdents64, 4321, buf, sizeof(buf)),
			     EBADF);
	file = open(P("gde"), O_RDWR | O_CREAT, 0644);
	errno = 0;
	if (!r)
		r = want_err("getdents64 on a file", syscall(SYS_getdents64, file, buf, sizeof(buf)),
			     ENOTDIR);
	close(file);
	close(fd);
	return r;
}

/* Two pages, the second PROT_NONE: a buffer whose tail faults. NULL on failure. */
static char *page_then_hole(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, 4096, PROT_NONE) != 0) {
		munmap(p, 8192);
		return NULL;
	}
	return p;
}

#define GB_FILES 200
#define GB_PREFIX "a-rather-long-file-name-so-that-records-fill-pages-" /* 64-byte records */

/*
 * getdents64 asked for 8 KiB into a buffer whose second page faults:
 * each call returns the records before the fault (or fewer) and the next
 * one goes on from there, so that every entry is listed exactly once (as
 * Linux; Kestrel builds records in batches and rewinds to after the last
 * one copied).
 */
static int check_getdents_bad_tail(void)
{
	static unsigned char seen[GB_FILES];
	char name[64], *buf = page_then_hole();
	int fd, r = CHECK_OK, dots = 0;
	long n, calls = 0;

	if (!buf)
		return fail("mmap/mprotect: %s", errname(errno));
	if (mkdir(P("gb"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	for (int k = 0; k < GB_FILES; k++) {
		snprintf(name, sizeof(name), "gb/" GB_PREFIX "%03d", k);
		if (write_file(P(name), "", 0644) != 0)
			return fail("creating %s: %s", name, errname(errno));
	}
	fd = open(P("gb"), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open(O_DIRECTORY): %s", errname(errno));
	while (r == CHECK_OK && (n = syscall(SYS_getdents64, fd, buf, 8192)) > 0) {
		if (n > 4096)
			r = fail("getdents64 returned %ld bytes, past the page that can be written", n);
		for (long off = 0; r == CHECK_OK && off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			int k;
			if (d->d_reclen == 0 || off + d->d_reclen > n)
				r = fail("a record of length %u at %ld of %ld", d->d_reclen, off, n);
			else if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				dots++;
			else if (sscanf(d->d_name, GB_PREFIX "%d", &k) != 1 || k < 0 || k >= GB_FILES)
				r = fail("an entry named %.40s", d->d_name);
			else if (seen[k]++)
				r = fail("entry %d listed twice", k);
			off += d->d_reclen;
		}
		if (++calls > 1000)
			r = fail("no end after 1000 calls");
	}
	if (r == CHECK_OK && n < 0)
		r = fail("getdents64 after %ld calls: %s", calls, errname(errno));
	for (int k = 0; r == CHECK_OK && k < GB_FILES; k++)
		if (!seen[k])
			r = fail("entry %d never listed", k);
	if (r == CHECK_OK && dots != 2)
		r = fail(". and .. listed %d times, want 2", dots);
	close(fd);
	munmap(buf, 8192);
	return r;
}

/*
 * Paths next to a page that faults: a path whose NUL is the page's last
 * byte is read whole (the copy never touches the next page), one that
 * runs into the page is EFAULT, at every alignment of its start.
 */
static int check_path_page_end(void)
{
	char *buf = page_then_hole();
	struct stat st;
	int r = CHECK_OK;

	if (!buf)
		return fail("mmap/mprotect: %s", errname(errno));
	for (int len = 1; r == CHECK_OK && len <= 24; len++) {
		char *path = buf + 4096 - len - 1; /* len bytes, then the NUL as the last byte */
		memset(path, '/', len - 1);
		path[len - 1] = '.';
		path[len] = '\0';
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			r = fail("stat of a %d-byte path ending at a page's end: %s", len, errname(errno));
		memset(path, '/', len + 1); /* no NUL before the hole */
		errno = 0;
		if (r == CHECK_OK)
			r = want_err("stat of a path running into a PROT_NONE page", stat(path, &st),
				     EFAULT);
	}
	munmap(buf, 8192);
	return r;
}

/*
 * Paths longer than the 256 bytes the kernel copies onto its stack first
 * (the rest is copied after them, not the whole path again): a directory
 * three 90-byte names deep, reached by stat (the lock-free walk) and open
 * (the locked one) through paths whose 256th byte falls at each place of
 * a name or its slashes; PATH_MAX - 1 bytes is a path, PATH_MAX bytes
 * without a NUL is ENAMETOOLONG; 300 bytes that run into a PROT_NONE page
 * are EFAULT, and read whole when their NUL is the page's last byte.
 */
#define LP_NAME 90
static int check_long_paths(void)
{
	static char path[PATH_MAX + 1], deep[512], name[LP_NAME + 1];
	struct stat want, st;

	memset(name, 'n', LP_NAME);
	snprintf(deep, sizeof(deep), "%s", P("lp"));
	for (int level = 0; level <= 3; level++) {
		if (level)
			snprintf(deep + strlen(deep), sizeof(deep) - strlen(deep), "/%s", name);
		if (mkdir(deep, 0755) != 0)
			return fail("mkdir of a %zu-byte path: %s", strlen(deep), errname(errno));
	}
	if (stat(deep, &want) != 0)
		return fail("stat of a %zu-byte path: %s", strlen(deep), errname(errno));
	for (int extra = 0; extra < LP_NAME + 8; extra++) {
		snprintf(path, sizeof(path), "%s%*s/%s/%s/%s", P("lp"), extra, "", name, name, name);
		memset(path + strlen(P("lp")), '/', (size_t)extra); /* the spaces become slashes */
		if (stat(path, &st) != 0 || st.st_ino != want.st_ino)
			return fail("stat of %zu bytes (%d more slashes): %s", strlen(path), extra,
				    errname(errno));
		int fd = open(path, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return fail("open of %zu bytes (%d more slashes): %s", strlen(path), extra,
				    errname(errno));
		close(fd);
	}
	memset(path, '/', PATH_MAX);
	path[PATH_MAX - 1] = '\0';
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return fail("stat of PATH_MAX - 1 slashes: %s", errname(errno));
	path[PATH_MAX - 1] = '/';
	path[PATH_MAX] = '\0';
	errno = 0;
	if (want_err("stat of PATH_MAX slashes", stat(path, &st), ENAMETOOLONG))
		return CHECK_FAIL;
	char *buf = page_then_hole();
	if (!buf)
		return fail("mmap/mprotect: %s", errname(errno));
	int r = CHECK_OK;
	char *tail = buf + 4096 - 300;
	memset(tail, '/', 300); /* no NUL before the hole */
	errno = 0;
	r = want_err("stat of 300 bytes running into a PROT_NONE page", stat(tail, &st), EFAULT);
	tail[299] = '\0';
	if (r == CHECK_OK && (stat(tail, &st) != 0 || !S_ISDIR(st.st_mode)))
		r = fail("stat of 299 slashes ending at a page's end: %s", errname(errno));
	munmap(buf, 8192);
	return r;
}

/* readdir (musl's, over getdents64) sees what was made. */
static int check_readdir(void)
{
	DIR *d;
	struct dirent *e;
	int seen = 0;

	if (mkdir(P("rdd"), 0755) != 0 || write_file(P("rdd/only"), "", 0644) != 0)
		return fail("set-up: %s", errname(errno));
	d = opendir(P("rdd"));
	if (!d)
		return fail("opendir: %s", errname(errno));
	while ((e = readdir(d)) != NULL)
		seen += strcmp(e->d_name, "only") == 0 ? 1 : strcmp(e->d_name, ".") == 0 ||
			strcmp(e->d_name, "..") == 0 ? 0 : 100;
	closedir(d);
	return seen == 1 ? CHECK_OK : fail("readdir saw %d \"only\" entries and %d others", seen % 100,
					       seen / 100);
}

static int check_chdir_getcwd(void)
{
	char buf[256];
	int r;

	if (mkdir(P("cd"), 0755) != 0 || mkdir(P("cd/sub"), 0755) != 0 ||
	    write_file(P("cd/file"), "", 0644) != 0)
		return fail("set-up: %s", errname(errno));
	if (want_eq("chdir", chdir(P("cd")), 0))
		return CHECK_FAIL;
	if (!getcwd(buf, sizeof(buf)))
		return fail("getcwd: %s", errname(errno));
	if (strcmp(buf, P("cd")) != 0) {
		/* /tmp may itself be a link on some systems: then the real path differs. */
		if (!same_file(buf, P("cd")))
			return fail("getcwd says \"%s\", want \"%s\"", buf, P("cd"));
		remark("getcwd %s (a resolved path)", buf);
	}
	r = want_eq("chdir(\"sub\") (relative)", chdir("sub"), 0);
	if (!r && (!getcwd(buf, sizeof(buf)) || strlen(buf) < 4 || strcmp(buf + strlen(buf) - 4, "/sub")))
		r = fail("after chdir(\"sub\") getcwd says \"%s\"", buf);
	if (!r)
		r = want_eq("chdir(\"..\")", chdir(".."), 0);
	if (!r && !same_file(".", P("cd")))
		r = fail("\"..\" of sub is not its parent");
	/* Relative paths start at the new working directory. */
	if (!r && !same_file("file", P("cd/file")))
		r = fail("a relative path is not resolved from the working directory");
	errno = 0;
	if (!r)
		r = want_err("chdir to a file", chdir("file"), ENOTDIR);
	errno = 0;
	if (!r)
		r = want_err("chdir to a missing directory", chdir("none"), ENOENT);
	chdir(work);
	return r;
}

static int check_getcwd_errors(void)
{
	char buf[256];
	long n;

	if (chdir(work) != 0)
		return fail("chdir: %s", errname(errno));
	/* The raw call returns the length with the NUL. */
	n = syscall(SYS_getcwd, buf, sizeof(buf));
	if (n <= 0 || (size_t)n != strlen(buf) + 1)
		return fail("raw getcwd returned %ld for \"%s\"", n, n > 0 ? buf : "");
	if (want_err("getcwd into 2 bytes", syscall(SYS_getcwd, buf, 2), ERANGE))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("getcwd with size 0", syscall(SYS_getcwd, buf, 0), ERANGE))
		return CHECK_FAIL;
	errno = 0;
	return want_err("getcwd into 0x1", syscall(SYS_getcwd, (void *)1, sizeof(buf)), EFAULT);
}

static int check_fchdir(void)
{
	char buf[256];
	int dfd, ffd, r;

	if (mkdir(P("fcd"), 0755) != 0 || write_file(P("fcd-file"), "", 0644) != 0)
		return fail("set-up: %s", errname(errno));
	dfd = open(P("fcd"), O_RDONLY | O_DIRECTORY);
	ffd = open(P("fcd-file"), O_RDONLY);
	if (dfd < 0 || ffd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("fchdir", fchdir(dfd), 0);
	if (!r && (!getcwd(buf, sizeof(buf)) || !same_file(buf, P("fcd"))))
		r = fail("after fchdir getcwd says \"%s\"", buf);
	errno = 0;
	if (!r)
		r = want_err("fchdir to a file", fchdir(ffd), ENOTDIR);
	errno = 0;
	if (!r)
		r = want_err("fchdir to a closed fd", fchdir(4321), EBADF);
	close(dfd);
	close(ffd);
	chdir(work);
	return r;
}

static int check_dot_dotdot(void)
{
	if (mkdir(P("dd"), 0755) != 0 || mkdir(P("dd/a"), 0755) != 0 || mkdir(P("dd/a/b"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	if (!same_file(P("dd/a/."), P("dd/a")))
		return fail("a/. is not a");
	if (!same_file(P("dd/a/.."), P("dd")))
		return fail("a/.. is not its parent");
	if (!same_file(P("dd/a/b/../../a/./b"), P("dd/a/b")))
		return fail("a/b/../../a/./b is not a/b");
	if (!same_file("/..", "/") || !same_file("/../..", "/"))
		return fail("/.. is not /");
	if (!same_file("//tmp///", "/tmp"))
		return fail("//tmp/// is not /tmp");
	if (chdir(P("dd/a")) != 0)
		return fail("chdir: %s", errname(errno));
	if (!same_file("..", P("dd")) || !same_file("./b/..", "."))
		return fail("relative . and .. are wrong");
	chdir(work);
	return CHECK_OK;
}

/* The *at calls, relative to a directory descriptor. */
static int check_at_calls(void)
{
	int dfd, r;
	struct stat st;

	if (mkdir(P("at"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	dfd = open(P("at"), O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("mkdirat", mkdirat(dfd, "d", 0755), 0);
	if (!r)
		r = want_eq("fstatat of it", fstatat(dfd, "d", &st, 0), 0);
	if (!r && !S_ISDIR(st.st_mode))
		r = fail("mkdirat did not make a directory");
	if (!r)
		close(openat(dfd, "f", O_WRONLY | O_CREAT, 0644));
	errno = 0;
	if (!r)
		r = want_err("unlinkat(dir) without AT_REMOVEDIR", unlinkat(dfd, "d", 0), EISDIR);
	errno = 0;
	if (!r)
		r = want_err("unlinkat(file, AT_REMOVEDIR)", unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
	if (!r)
		r = want_eq("unlinkat(dir, AT_REMOVEDIR)", unlinkat(dfd, "d", AT_REMOVEDIR), 0);
	if (!r)
		r = want_eq("unlinkat(file)", unlinkat(dfd, "f", 0), 0);
	if (!r)
		close(openat(dfd, "g", O_WRONLY | O_CREAT, 0644));
	if (!r)
		r = want_eq("renameat(dfd, \"g\", AT_FDCWD, path)", renameat(dfd, "g", AT_FDCWD, P("at/h")), 0);
	if (!r && access(P("at/h"), F_OK) != 0)
		r = fail("renameat did not make the new name");
	close(dfd);
	return r;
}

/* Renaming a directory moves its contents, and its ".." follows it. */
static int check_rename_dir(void)
{
	if (mkdir(P("rnd"), 0755) != 0 || mkdir(P("rnd/old"), 0755) != 0 ||
	    mkdir(P("rnd/other"), 0755) != 0 || write_file(P("rnd/old/f"), "x", 0644) != 0)
		return fail("set-up: %s", errname(errno));
	if (want_eq("rename old -> other/new", rename(P("rnd/old"), P("rnd/other/new")), 0))
		return CHECK_FAIL;
	if (access(P("rnd/other/new/f"), F_OK) != 0)
		return fail("the file did not move with its directory");
	if (!same_file(P("rnd/other/new/.."), P("rnd/other")))
		return fail("\"..\" of the moved directory is not its new parent");
	errno = 0;
	if (want_err("rename a directory into itself", rename(P("rnd/other"), P("rnd/other/new/x")),
		     EINVAL))
		return CHECK_FAIL;
	if (mkdir(P("rnd/full"), 0755) != 0 || write_file(P("rnd/full/g"), "", 0644) != 0)
		return fail("set-up: %s", errname(errno));
	errno = 0;
	if (want_err("rename over a non-empty directory", rename(P("rnd/other"), P("rnd/full")), ENOTEMPTY))
		return CHECK_FAIL;
	if (mkdir(P("rnd/empty"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	return want_eq("rename over an empty directory", rename(P("rnd/other"), P("rnd/empty")), 0);
}

static const struct check checks[] = {
	{ "mkdir", check_mkdir },
	{ "rmdir", check_rmdir },
	{ "getdents", check_getdents },
	{ "getdents-many", check_getdents_many },
	{ "getdents-errors", check_getdents_errors },
	{ "getdents-bad-tail", check_getdents_bad_tail },
	{ "path-page-end", check_path_page_end },
	{ "long-paths", check_long_paths },
	{ "readdir", check_readdir },
	{ "chdir-getcwd", check_chdir_getcwd },
	{ "getcwd-errors", check_getcwd_errors },
	{ "fchdir", check_fchdir },
	{ "dot-dotdot", check_dot_dotdot },
	{ "at-calls", check_at_calls },
	{ "rename-dir", check_rename_dir },
};

int main(int argc, char **argv)
{
	int status;

	umask(022);
	snprintf(work, sizeof(work), "/tmp/t-dirs.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0 || chdir(work) != 0) {
		t_begin("dirs");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("dirs", checks, NELEMS(checks), argc, argv);
	chdir("/");
	rm_tree(work);
	return status;
}
