// SPDX-License-Identifier: MIT
// File system calls on regular files, links and descriptors: results and Linux's error codes.
#include <stdint.h>
#include <sys/syscall.h>
#include "checks.h"

/*
 * Every check works in a scratch directory, /tmp/t-files.PID, made at
 * the start and removed at the end, with names of its own. Raw syscall()
 * is used where libc would hide the kernel's answer (a NULL pointer that
 * musl would pass through anyway is still passed raw, to be sure).
 *
 * `t-files --fdstate CLOSED OPEN` is a helper mode for the close-on-exec
 * check: it exits 0 when fd CLOSED is closed and fd OPEN is open.
 */
#define BAD_ADDR ((void *)1)
#define KERNEL_ADDR ((void *)0xffffffff80000000ul)

static const char *self = "/bin/t-files";


/* make: create scratch file NAME holding TEXT; returns fail() on error. */
static int make(const char *name, const char *text)
{
	if (write_file(P(name), text, 0644) != 0)
		return fail("creating %s: %s", name, errname(errno));
	return CHECK_OK;
}

/* read_all: the contents of FD from offset 0 into BUF (NUL-terminated); the length or -1. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static int check_open_creat(void)
{
	int fd = open(P("a"), O_RDWR | O_CREAT | O_EXCL, 0644), fd2, r = CHECK_OK;
	struct stat st;

	if (fd < 0)
		return fail("open(O_CREAT|O_EXCL) of a new file: %s", errname(errno));
	if (fstat(fd, &st) != 0)
		r = fail("fstat: %s", errname(errno));
	else if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0644 || st.st_size != 0)
		r = fail("fstat: mode %o size %ld, want a regular 0644 empty file",
			 (unsigned)st.st_mode, (long)st.st_size);
	else if (st.st_nlink != 1)
		r = fail("st_nlink %ld, want 1", (long)st.st_nlink);
	close(fd);
	/* The lowest free descriptor is the one just closed. */
	fd2 = open(P("a"), O_RDONLY);
	if (r == CHECK_OK && fd2 != fd)
		r = fail("reopening gave fd %d, want the lowest free fd %d", fd2, fd);
	close(fd2);
	return r;
}

static int check_read_write(void)
{
	char buf[64];
	int fd = open(P("rw"), O_RDWR | O_CREAT | O_TRUNC, 0644), r;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("write 11 bytes", write(fd, "hello world", 11), 11);
	if (!r)
		r = want_eq("read at end of file", read(fd, buf, sizeof(buf)), 0);
	if (!r)
		r = want_eq("lseek(0, SEEK_SET)", lseek(fd, 0, SEEK_SET), 0);
	if (!r)
		r = want_eq("read 5", read(fd, buf, 5), 5);
	if (!r && memcmp(buf, "hello", 5) != 0)
		r = fail("read back \"%.5s\", want \"hello\"", buf);
	if (!r)
		r = want_eq("read the rest", read(fd, buf, sizeof(buf)), 6);
	if (!r && memcmp(buf, " world", 6) != 0)
		r = fail("read back \"%.6s\", want \" world\"", buf);
	if (!r)
		r = want_eq("read with length 0", read(fd, buf, 0), 0);
	close(fd);
	return r;
}

/* A file of 300 KiB in odd-sized pieces: crosses many pages, reads back what was written. */
static int check_big_file(void)
{
	static unsigned char out[300 * 1024], in[sizeof(out)];
	int fd = open(P("big"), O_RDWR | O_CREAT | O_TRUNC, 0644), r = CHECK_OK;
	size_t off = 0, piece;
	struct stat st;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 4096);
	for (piece = 1; off < sizeof(out) && r == CHECK_OK; piece = piece * 3 + 1) {
		size_t len = piece % 20000 + 1;
		if (len > sizeof(out) - off)
			len = sizeof(out) - off;
		r = want_eq("write piece", write(fd, out + off, len), (long)len);
		off += len;
	}
	if (!r && fstat(fd, &st) == 0 && st.st_size != (off_t)sizeof(out))
		r = fail("st_size %ld, want %zu", (long)st.st_size, sizeof(out));
	if (!r)
		r = want_eq("pread all", pread(fd, in, sizeof(in), 0), sizeof(in));
	if (!r && memcmp(in, out, sizeof(out)) != 0)
		r = fail("read back differs from what was written");
	close(fd);
	unlink(P("big"));
	return r;
}

static int check_creat(void)
{
	char c;
	int fd, r;

	if (make("cr", "old contents") != 0)
		return CHECK_FAIL;
	fd = creat(P("cr"), 0644);
	if (fd < 0)
		return fail("creat: %s", errname(errno));
	r = want_err("read on a creat() (write-only) fd", read(fd, &c, 1), EBADF);
	if (!r)
		r = want_eq("lseek(0, SEEK_END) after creat truncated", lseek(fd, 0, SEEK_END), 0);
	close(fd);
	return r;
}

static int check_openat(void)
{
	int dfd = open(work, O_RDONLY | O_DIRECTORY), fd, ffd, r = CHECK_OK;
	char buf[16];

	if (dfd < 0)
		return fail("open the scratch directory: %s", errname(errno));
	if (make("at", "via dirfd") != 0) {
		close(dfd);
		return CHECK_FAIL;
	}
	fd = openat(dfd, "at", O_RDONLY);
	if (fd < 0)
		r = fail("openat(dirfd, \"at\"): %s", errname(errno));
	else if (read(fd, buf, 9) != 9 || memcmp(buf, "via dirfd", 9) != 0)
		r = fail("openat opened the wrong file or read failed");
	close(fd);
	/* An absolute path ignores the dirfd; AT_FDCWD is the working directory. */
	if (!r) {
		fd = openat(12345, P("at"), O_RDONLY);
		r = want_ok("openat(bad dirfd, absolute path)", fd);
		close(fd);
	}
	if (!r) {
		ffd = open(P("at"), O_RDONLY);
		errno = 0;
		r = want_err("openat(file fd, \"x\")", openat(ffd, "x", O_RDONLY), ENOTDIR);
		close(ffd);
	}
	if (!r) {
		errno = 0;
		r = want_err("openat(closed fd, \"at\")", openat(12345, "at", O_RDONLY), EBADF);
	}
	if (!r) {
		fd = openat(dfd, "newat", O_WRONLY | O_CREAT | O_EXCL, 0600);
		r = want_ok("openat(dirfd, O_CREAT)", fd);
		close(fd);
		if (!r && access(P("newat"), F_OK) != 0)
			r = fail("the file openat created is not in the directory");
	}
	close(dfd);
	return r;
}

static int check_pread_pwrite(void)
{
	int fd = open(P("pp"), O_RDWR | O_CREAT | O_TRUNC, 0644), p[2], r;
	char buf[32];

	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("write", write(fd, "0123456789", 10), 10);
	if (!r)
		r = want_eq("pwrite at 2", pwrite(fd, "ab", 2, 2), 2);
	if (!r)
		r = want_eq("the offset after pwrite", lseek(fd, 0, SEEK_CUR), 10);
	if (!r)
		r = want_eq("pread 4 at 1", pread(fd, buf, 4, 1), 4);
	if (!r && memcmp(buf, "1ab4", 4) != 0)
		r = fail("pread read \"%.4s\", want \"1ab4\"", buf);
	if (!r)
		r = want_eq("the offset after pread", lseek(fd, 0, SEEK_CUR), 10);
	if (!r)
		r = want_eq("pread at end of file", pread(fd, buf, 4, 10), 0);
	/* A pwrite past the end leaves a hole that reads as zeros. */
	if (!r)
		r = want_eq("pwrite at 20", pwrite(fd, "Z", 1, 20), 1);
	if (!r)
		r = want_eq("pread across the hole", pread(fd, buf, sizeof(buf), 8), 13);
	if (!r && (memcmp(buf, "89", 2) != 0 || buf[2] != 0 || buf[11] != 0 || buf[12] != 'Z'))
		r = fail("the hole does not read as zeros");
	errno = 0;
	if (!r)
		r = want_err("pread at offset -1", pread(fd, buf, 1, -1), EINVAL);
	if (!r && pipe(p) == 0) {
		errno = 0;
		r = want_err("pread on a pipe", pread(p[0], buf, 1, 0), ESPIPE);
		close(p[0]);
		close(p[1]);
	}
	close(fd);
	return r;
}

static int check_lseek(void)
{
	int fd = open(P("ls"), O_RDWR | O_CREAT | O_TRUNC, 0644), p[2], r;
	char c;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("write", write(fd, "abcdef", 6), 6);
	if (!r)
		r = want_eq("SEEK_SET 2", lseek(fd, 2, SEEK_SET), 2);
	if (!r)
		r = want_eq("SEEK_CUR +1", lseek(fd, 1, SEEK_CUR), 3);
	if (!r && (read(fd, &c, 1) != 1 || c != 'd'))
		r = fail("read at 3 did not give 'd'");
	if (!r)
		r = want_eq("SEEK_END -2", lseek(fd, -2, SEEK_END), 4);
	if (!r)
		r = want_eq("SEEK_END +10 (past the end)", lseek(fd, 10, SEEK_END), 16);
	if (!r)
		r = want_eq("read past the end", read(fd, &c, 1), 0);
	errno = 0;
	if (!r)
		r = want_err("SEEK_SET -1", lseek(fd, -1, SEEK_SET), EINVAL);
	if (!r)
		r = want_eq("the offset after the failed lseek", lseek(fd, 0, SEEK_CUR), 16);
	errno = 0;
	if (!r)
		r = want_err("whence 99", lseek(fd, 0, 99), EINVAL);
	if (!r && pipe(p) == 0) {
		errno = 0;
		r = want_err("lseek on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
		close(p[0]);
		close(p[1]);
	}
	close(fd);
	return r;
}

static int check_append(void)
{
	int fd, r;
	char buf[32];

	if (make("ap", "start") != 0)
		return CHECK_FAIL;
	fd = open(P("ap"), O_RDWR | O_APPEND);
	if (fd < 0)
		return fail("open(O_APPEND): %s", errname(errno));
	r = want_eq("lseek to 0", lseek(fd, 0, SEEK_SET), 0);
	if (!r)
		r = want_eq("write with O_APPEND", write(fd, "+end", 4), 4);
	if (!r)
		r = want_eq("the offset after the append", lseek(fd, 0, SEEK_CUR), 9);
	if (!r && (read_all(fd, buf, sizeof(buf)) != 9 || strcmp(buf, "start+end") != 0))
		r = fail("the file holds \"%s\", want \"start+end\"", buf);
	close(fd);
	return r;
}

static int check_trunc(void)
{
	struct stat st;
	int fd, r;

	if (make("tr", "twelve bytes") != 0)
		return CHECK_FAIL;
	fd = open(P("tr"), O_WRONLY | O_TRUNC);
	if (fd < 0)
		return fail("open(O_TRUNC): %s", errname(errno));
	r = want_eq("fstat", fstat(fd, &st), 0);
	if (!r && st.st_size != 0)
		r = fail("size %ld after O_TRUNC, want 0", (long)st.st_size);
	close(fd);
	return r;
}

static int check_excl(void)
{
	int fd;

	if (make("ex", "here") != 0)
		return CHECK_FAIL;
	if (want_err("O_CREAT|O_EXCL on an existing file",
		     open(P("ex"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST))
		return CHECK_FAIL;
	fd = open(P("ex2"), O_RDWR | O_CREAT | O_EXCL, 0644);
	if (want_ok("O_CREAT|O_EXCL on a new name", fd))
		return CHECK_FAIL;
	close(fd);
	return CHECK_OK;
}

static int check_ftruncate(void)
{
	int fd = open(P("ft"), O_RDWR | O_CREAT | O_TRUNC, 0644), ro, r;
	char buf[16];
	struct stat st;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("write", write(fd, "abcdefgh", 8), 8);
	if (!r)
		r = want_eq("ftruncate to 3", ftruncate(fd, 3), 0);
	if (!r && (read_all(fd, buf, sizeof(buf)) != 3 || strcmp(buf, "abc") != 0))
		r = fail("after shrinking the file holds \"%s\", want \"abc\"", buf);
	if (!r)
		r = want_eq("ftruncate to 6 (grow)", ftruncate(fd, 6), 0);
	if (!r && (pread(fd, buf, 16, 0) != 6 || memcmp(buf, "abc\0\0\0", 6) != 0))
		r = fail("growing did not add zeros");
	if (!r && (fstat(fd, &st) != 0 || st.st_size != 6))
		r = fail("st_size is not 6");
	errno = 0;
	if (!r)
		r = want_err("ftruncate to -1", ftruncate(fd, -1), EINVAL);
	ro = open(P("ft"), O_RDONLY);
	errno = 0;
	if (!r)
		r = want_err("ftruncate on a read-only fd", ftruncate(ro, 0), EINVAL);
	close(ro);
	if (!r)
		r = want_eq("truncate(path, 1)", truncate(P("ft"), 1), 0);
	if (!r && (fstat(fd, &st) != 0 || st.st_size != 1))
		r = fail("truncate(path) did not change the size");
	close(fd);
	return r;
}

static int check_stat(void)
{
	struct stat a, b, d;
	int fd;

	if (make("st", "12345") != 0)
		return CHECK_FAIL;
	if (want_eq("stat", stat(P("st"), &a), 0))
		return CHECK_FAIL;
	fd = open(P("st"), O_RDONLY);
	if (fd < 0 || fstat(fd, &b) != 0) {
		close(fd);
		return fail("open/fstat: %s", errname(errno));
	}
	close(fd);
	if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return fail("stat and fstat disagree on dev/ino");
	if (!S_ISREG(a.st_mode) || a.st_size != 5 || a.st_blksize <= 0)
		return fail("stat: mode %o size %ld blksize %ld", (unsigned)a.st_mode, (long)a.st_size,
			    (long)a.st_blksize);
	if (stat(work, &d) != 0 || !S_ISDIR(d.st_mode))
		return fail("stat of the scratch directory is not S_ISDIR");
	if (a.st_dev != d.st_dev)
		return fail("a file and its directory are on different devices");
	/* Made just now, by the clock time() reads (Kestrel's counts from boot: no RTC yet). */
	if (a.st_mtime < time(NULL) - 5 || a.st_mtime > time(NULL) + 5)
		return fail("st_mtime %ld is not about now (%ld)", (long)a.st_mtime, (long)time(NULL));
	if (want_eq("fstatat(AT_FDCWD)", fstatat(AT_FDCWD, P("st"), &b, 0), 0))
		return CHECK_FAIL;
	if (a.st_ino != b.st_ino)
		return fail("fstatat found another file");
	return CHECK_OK;
}

static int check_rename(void)
{
	char buf[32];
	int fd, r;

	if (make("rn-a", "A") != 0 || make("rn-b", "B") != 0)
		return CHECK_FAIL;
	if (want_eq("rename a -> c", rename(P("rn-a"), P("rn-c")), 0))
		return CHECK_FAIL;
	if (want_err("open the old name", open(P("rn-a"), O_RDONLY), ENOENT))
		return CHECK_FAIL;
	if (want_eq("rename c -> b (replaces b)", rename(P("rn-c"), P("rn-b")), 0))
		return CHECK_FAIL;
	fd = open(P("rn-b"), O_RDONLY);
	r = (fd < 0 || read_all(fd, buf, sizeof(buf)) != 1 || buf[0] != 'A');
	close(fd);
	if (r)
		return fail("after the rename b does not hold \"A\"");
	if (want_err("rename of a missing file", rename(P("rn-none"), P("rn-x")), ENOENT))
		return CHECK_FAIL;
	if (mkdir(P("rn-dir"), 0755) != 0)
		return fail("mkdir: %s", errname(errno));
	errno = 0;
	if (want_err("rename a file over a directory", rename(P("rn-b"), P("rn-dir")), EISDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("rename a directory over a file", rename(P("rn-dir"), P("rn-b")), ENOTDIR))
		return CHECK_FAIL;
	return want_eq("rename a file to itself", rename(P("rn-b"), P("rn-b")), 0);
}

static int check_unlink(void)
{
	struct stat st;
	char buf[16];
	int fd, r;

	if (make("ul", "still here") != 0)
		return CHECK_FAIL;
	fd = open(P("ul"), O_RDONLY);
	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("unlink", unlink(P("ul")), 0);
	errno = 0;
	if (!r)
		r = want_err("stat after unlink", stat(P("ul"), &st), ENOENT);
	/* The open file lives on, with no name. */
	if (!r && (read_all(fd, buf, sizeof(buf)) != 10 || strcmp(buf, "still here") != 0))
		r = fail("the open fd no longer reads the unlinked file");
	if (!r && (fstat(fd, &st) != 0 || st.st_nlink != 0))
		r = fail("fstat of the unlinked file: st_nlink %ld, want 0", (long)st.st_nlink);
	close(fd);
	errno = 0;
	if (!r)
		r = want_err("unlink of a missing file", unlink(P("ul")), ENOENT);
	if (!r && mkdir(P("ul-dir"), 0755) != 0)
		r = fail("mkdir: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("unlink of a directory", unlink(P("ul-dir")), EISDIR);
	return r;
}

static int check_link(void)
{
	struct stat a, b;
	char buf[16];
	int fd, r;

	if (make("ln-a", "one") != 0)
		return CHECK_FAIL;
	if (want_eq("link a -> b", link(P("ln-a"), P("ln-b")), 0))
		return CHECK_FAIL;
	if (stat(P("ln-a"), &a) != 0 || stat(P("ln-b"), &b) != 0)
		return fail("stat of the two names: %s", errname(errno));
	if (a.st_ino != b.st_ino || a.st_nlink != 2)
		return fail("the names have inodes %lu/%lu and st_nlink %ld, want one inode, 2 links",
			    (unsigned long)a.st_ino, (unsigned long)b.st_ino, (long)a.st_nlink);
	fd = open(P("ln-b"), O_WRONLY | O_APPEND);
	r = want_eq("append through the second name", write(fd, "+two", 4), 4);
	close(fd);
	if (r)
		return r;
	fd = open(P("ln-a"), O_RDONLY);
	r = (read_all(fd, buf, sizeof(buf)) != 7 || strcmp(buf, "one+two") != 0);
	close(fd);
	if (r)
		return fail("the first name reads \"%s\", want \"one+two\"", buf);
	if (want_err("link to an existing name", link(P("ln-a"), P("ln-b")), EEXIST))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("link of a missing file", link(P("ln-none"), P("ln-c")), ENOENT))
		return CHECK_FAIL;
	if (unlink(P("ln-a")) != 0 || stat(P("ln-b"), &b) != 0 || b.st_nlink != 1)
		return fail("after unlinking one name the other does not have st_nlink 1");
	return CHECK_OK;
}

static int check_symlink(void)
{
	char buf[64];
	struct stat st;
	int fd;
	ssize_t n;

	if (make("sl-target", "pointed at") != 0)
		return CHECK_FAIL;
	if (want_eq("symlink", symlink("sl-target", P("sl")), 0))
		return CHECK_FAIL;
	n = readlink(P("sl"), buf, sizeof(buf));
	if (n != 9 || memcmp(buf, "sl-target", 9) != 0)
		return fail("readlink returned %ld \"%.*s\", want 9 \"sl-target\"", (long)n,
			    n > 0 ? (int)n : 0, buf);
	if (want_eq("readlink into 4 bytes (truncates)", readlink(P("sl"), buf, 4), 4))
		return CHECK_FAIL;
	if (lstat(P("sl"), &st) != 0 || !S_ISLNK(st.st_mode) || st.st_size != 9)
		return fail("lstat: not S_ISLNK of size 9");
	if (stat(P("sl"), &st) != 0 || !S_ISREG(st.st_mode))
		return fail("stat through the link: not the regular target");
	fd = open(P("sl"), O_RDONLY);
	n = fd < 0 ? -1 : read_all(fd, buf, sizeof(buf));
	close(fd);
	if (n != 10 || strcmp(buf, "pointed at") != 0)
		return fail("open through the link did not read the target");
	errno = 0;
	if (want_err("O_NOFOLLOW on a link", open(P("sl"), O_RDONLY | O_NOFOLLOW), ELOOP))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("readlink of a regular file", readlink(P("sl-target"), buf, sizeof(buf)), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("symlink to an existing name", symlink("x", P("sl")), EEXIST))
		return CHECK_FAIL;
	if (symlink("nowhere", P("sl-dangling")) != 0)
		return fail("symlink (dangling): %s", errname(errno));
	errno = 0;
	if (want_err("open through a dangling link", open(P("sl-dangling"), O_RDONLY), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("O_CREAT | O_EXCL on a dangling link",
		     open(P("sl-dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST))
		return CHECK_FAIL;
	/* O_CREAT through a dangling link creates its target (next to the link), through two links. */
	if (symlink("sl-dangling", P("sl-chain")) != 0)
		return fail("symlink (chain): %s", errname(errno));
	fd = open(P("sl-chain"), O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return fail("O_CREAT through two links to nowhere: %s", errname(errno));
	close(fd);
	if (lstat(P("nowhere"), &st) != 0 || !S_ISREG(st.st_mode))
		return fail("O_CREAT through the links did not create their target \"nowhere\"");
	if (lstat(P("sl-dangling"), &st) != 0 || !S_ISLNK(st.st_mode))
		return fail("O_CREAT through the link replaced the link itself");
	/* An absolute target, and a link to a directory used as a path component. */
	if (mkdir(P("sl-dir"), 0755) != 0 || make("sl-dir/f", "in dir") != 0 ||
	    symlink(P("sl-dir"), P("sl-dirlink")) != 0)
		return fail("making a directory link: %s", errname(errno));
	return want_eq("stat through a directory link", stat(P("sl-dirlink/f"), &st), 0);
}

static int check_ebadf(void)
{
	char c = 0;
	struct stat st;
	int fd = open(P("bf"), O_RDWR | O_CREAT, 0644), ro, wo, r;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	close(fd);
	r = want_err("read on a closed fd", read(fd, &c, 1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("write on a closed fd", write(fd, &c, 1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("close of a closed fd", close(fd), EBADF);
	errno = 0;
	if (!r)
		r = want_err("fstat of a closed fd", fstat(fd, &st), EBADF);
	errno = 0;
	if (!r)
		r = want_err("lseek on a closed fd", lseek(fd, 0, SEEK_SET), EBADF);
	errno = 0;
	if (!r)
		r = want_err("close(-1)", close(-1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("read on fd 1000000", read(1000000, &c, 1), EBADF);
	ro = open(P("bf"), O_RDONLY);
	wo = open(P("bf"), O_WRONLY);
	errno = 0;
	if (!r)
		r = want_err("write on an O_RDONLY fd", write(ro, &c, 1), EBADF);
	errno = 0;
	if (!r)
		r = want_err("read on an O_WRONLY fd", read(wo, &c, 1), EBADF);
	close(ro);
	close(wo);
	return r;
}

static int check_efault(void)
{
	int fd, r;

	if (make("ef", "some data") != 0)
		return CHECK_FAIL;
	fd = open(P("ef"), O_RDWR);
	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_err("read into NULL", syscall(SYS_read, fd, NULL, 4), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("read into a kernel address", syscall(SYS_read, fd, KERNEL_ADDR, 4), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("write from 0x1", syscall(SYS_write, fd, BAD_ADDR, 4), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("open(NULL)", syscall(SYS_open, NULL, O_RDONLY), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("open(kernel address)", syscall(SYS_open, KERNEL_ADDR, O_RDONLY), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("stat(path, NULL)", syscall(SYS_stat, P("ef"), NULL), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("fstat(fd, 0x1)", syscall(SYS_fstat, fd, BAD_ADDR), EFAULT);
	errno = 0;
	if (!r)
		r = want_err("unlink(NULL)", syscall(SYS_unlink, NULL), EFAULT);
	if (!r && symlink("ef", P("ef-link")) != 0)
		r = fail("symlink: %s", errname(errno));
	errno = 0;
	if (!r)
		r = want_err("readlink into NULL", syscall(SYS_readlink, P("ef-link"), NULL, 10), EFAULT);
	close(fd);
	return r;
}

static int check_enoent(void)
{
	struct stat st;

	if (want_err("open of a missing file", open(P("no-such"), O_RDONLY), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("O_CREAT in a missing directory", open(P("no-dir/f"), O_RDWR | O_CREAT, 0644), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("stat(\"\")", stat("", &st), ENOENT))
		return CHECK_FAIL;
	errno = 0;
	return want_err("open(\"\")", open("", O_RDONLY), ENOENT);
}

static int check_eisdir(void)
{
	char c;
	int fd, r;

	if (want_err("open(dir, O_WRONLY)", open(work, O_WRONLY), EISDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("open(dir, O_RDWR)", open(work, O_RDWR), EISDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("open(dir, O_CREAT)", open(work, O_RDONLY | O_CREAT, 0644), EISDIR))
		return CHECK_FAIL;
	fd = open(work, O_RDONLY);
	if (fd < 0)
		return fail("open(dir, O_RDONLY): %s", errname(errno));
	r = want_err("read on a directory fd", read(fd, &c, 1), EISDIR);
	errno = 0;
	if (!r)
		r = want_err("write on an O_RDONLY directory fd", write(fd, &c, 1), EBADF);
	close(fd);
	return r;
}

static int check_enotdir(void)
{
	struct stat st;

	if (make("nd", "a file") != 0)
		return CHECK_FAIL;
	if (want_err("open(file/x)", open(P("nd/x"), O_RDONLY), ENOTDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("O_CREAT of file/x", open(P("nd/x"), O_RDWR | O_CREAT, 0644), ENOTDIR))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("stat(\"file/\")", stat(P("nd/"), &st), ENOTDIR))
		return CHECK_FAIL;
	errno = 0;
	return want_err("open(file, O_DIRECTORY)", open(P("nd"), O_RDONLY | O_DIRECTORY), ENOTDIR);
}

/* dup and dup2: the lowest free number, one shared offset, dup2 closes the target. */
static int check_dup(void)
{
	int fd = open(P("dup"), O_RDWR | O_CREAT | O_TRUNC, 0644), d, d2, r;
	char buf[16];

	if (fd < 0)
		return fail("open: %s", errname(errno));
	d = dup(fd);
	r = want_ok("dup", d);
	if (!r && fcntl(d, F_GETFD) != 0)
		r = fail("dup kept FD_CLOEXEC or F_GETFD failed");
	if (!r)
		r = want_eq("write through the dup", write(d, "abc", 3), 3);
	if (!r)
		r = want_eq("the original's offset moved too", lseek(fd, 0, SEEK_CUR), 3);
	d2 = open(P("dup"), O_RDONLY);
	if (!r)
		r = want_eq("dup2 onto an open fd", dup2(fd, d2), d2);
	/* d2 now shares fd's offset (3), not its old one (0). */
	if (!r)
		r = want_eq("read at the shared offset", read(d2, buf, 4), 0);
	if (!r)
		r = want_eq("dup2(fd, fd)", dup2(fd, fd), fd);
	errno = 0;
	if (!r)
		r = want_err("dup2 of a closed fd", dup2(4321, d2), EBADF);
	if (!r && fcntl(d2, F_GETFD) == -1)
		r = fail("the failed dup2 closed its target");
	errno = 0;
	if (!r)
		r = want_err("dup of a closed fd", dup(4321), EBADF);
	if (!r)
		r = want_eq("dup2 to 100", dup2(fd, 100), 100);
	close(100);
	close(d2);
	close(d);
	close(fd);
	return r;
}

static int check_dup3(void)
{
	int fd = open(P("dup3"), O_RDWR | O_CREAT, 0644), r;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	r = want_eq("dup3(fd, 101, O_CLOEXEC)", dup3(fd, 101, O_CLOEXEC), 101);
	if (!r)
		r = want_eq("F_GETFD of the dup3 copy", fcntl(101, F_GETFD), FD_CLOEXEC);
	/* Raw: musl answers dup3(fd, fd) itself and turns a flagless dup3 into dup2. */
	errno = 0;
	if (!r)
		r = want_err("dup3(fd, fd, 0)", syscall(SYS_dup3, fd, fd, 0), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("dup3 with bad flags", syscall(SYS_dup3, fd, 102, 0x4), EINVAL);
	close(102);
	close(101);
	close(fd);
	return r;
}

static int check_fcntl(void)
{
	int fd = open(P("fc"), O_RDWR | O_CREAT | O_APPEND, 0644), d, r;
	long fl;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	d = fcntl(fd, F_DUPFD, 50);
	r = want_ok("F_DUPFD 50", d);
	if (!r && d < 50)
		r = fail("F_DUPFD 50 returned %d", d);
	close(d);
	d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (!r)
		r = want_ok("F_DUPFD_CLOEXEC", d);
	if (!r)
		r = want_eq("F_GETFD of the F_DUPFD_CLOEXEC copy", fcntl(d, F_GETFD), FD_CLOEXEC);
	close(d);
	if (!r)
		r = want_eq("F_GETFD", fcntl(fd, F_GETFD), 0);
	if (!r)
		r = want_eq("F_SETFD FD_CLOEXEC", fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	if (!r)
		r = want_eq("F_GETFD after F_SETFD", fcntl(fd, F_GETFD), FD_CLOEXEC);
	fl = fcntl(fd, F_GETFL);
	if (!r && (fl == -1 || (fl & O_ACCMODE) != O_RDWR || !(fl & O_APPEND)))
		r = fail("F_GETFL returned %#lx, want O_RDWR|O_APPEND", fl);
	/* F_SETFL changes O_APPEND and O_NONBLOCK, never the access mode. */
	if (!r)
		r = want_eq("F_SETFL O_NONBLOCK|O_WRONLY", fcntl(fd, F_SETFL, O_NONBLOCK | O_WRONLY), 0);
	fl = fcntl(fd, F_GETFL);
	if (!r && (fl == -1 || (fl & O_ACCMODE) != O_RDWR || (fl & O_APPEND) || !(fl & O_NONBLOCK)))
		r = fail("after F_SETFL, F_GETFL returned %#lx, want O_RDWR|O_NONBLOCK", fl);
	errno = 0;
	if (!r)
		r = want_err("F_DUPFD -1", fcntl(fd, F_DUPFD, -1), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("an unknown command", fcntl(fd, 9999), EINVAL);
	errno = 0;
	if (!r)
		r = want_err("F_GETFL of a closed fd", fcntl(4321, F_GETFL), EBADF);
	close(fd);
	return r;
}

/* O_CLOEXEC and FD_CLOEXEC descriptors are gone in the new program; the others stay. */
static int check_cloexec_exec(void)
{
	int ce = open(P("ce"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int keep = open(P("ce"), O_RDONLY);
	char a[16], b[16];
	pid_t pid;

	if (ce < 0 || keep < 0)
		return fail("open: %s", errname(errno));
	snprintf(a, sizeof(a), "%d", ce);
	snprintf(b, sizeof(b), "%d", keep);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)self, "--fdstate", a, b, NULL };
		char *envp[] = { NULL };
		execve(self, argv, envp);
		_exit(100 + errno);
	}
	close(ce);
	close(keep);
	return want_exit("the re-executed program (exit 1: fd states wrong, 100+: exec failed)", pid, 0);
}

/* fdstate: the helper mode's answer (0: CLOSED is closed and OPEN is open). */
static int fdstate(const char *closed, const char *open_fd)
{
	int c = atoi(closed), o = atoi(open_fd);

	return (fcntl(c, F_GETFD) == -1 && errno == EBADF && fcntl(o, F_GETFD) == 0) ? 0 : 1;
}

/* readlink under relatime (Linux's mount default, for tmpfs too): a link
 * whose atime is newer than its mtime and ctime and less than a day old
 * keeps it; one whose atime is older than its ctime gets the time of the
 * read. Both set with utimensat(AT_SYMLINK_NOFOLLOW), which makes the
 * ctime now. */
static int check_relatime(void)
{
	char buf[16];
	struct stat st;
	struct timespec t[2];

	if (want_eq("symlink", symlink("rt-target", P("rt")), 0))
		return CHECK_FAIL;
	if (clock_gettime(CLOCK_REALTIME, &t[0]))
		return fail("clock_gettime: %s", errname(errno));
	t[0].tv_sec += 600; /* ten minutes ahead: after both mtime and ctime */
	t[1].tv_sec = 0;
	t[1].tv_nsec = UTIME_OMIT;
	if (utimensat(AT_FDCWD, P("rt"), t, AT_SYMLINK_NOFOLLOW))
		return fail("utimensat: %s", errname(errno));
	if (readlink(P("rt"), buf, sizeof(buf)) != 9 || lstat(P("rt"), &st))
		return fail("readlink or lstat: %s", errname(errno));
	if (st.st_atim.tv_sec != t[0].tv_sec)
		return fail("atime %ld after a readlink, want %ld kept (relatime)", (long)st.st_atim.tv_sec,
			    (long)t[0].tv_sec);
	t[0].tv_sec -= 600 + 3 * 86400; /* three days ago: before the ctime */
	if (utimensat(AT_FDCWD, P("rt"), t, AT_SYMLINK_NOFOLLOW))
		return fail("utimensat: %s", errname(errno));
	if (readlink(P("rt"), buf, sizeof(buf)) != 9 || lstat(P("rt"), &st))
		return fail("readlink or lstat: %s", errname(errno));
	if (st.st_atim.tv_sec < t[0].tv_sec + 86400)
		return fail("atime %ld after a readlink, want it moved from %ld to now", (long)st.st_atim.tv_sec,
			    (long)t[0].tv_sec);
	unlink(P("rt"));
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "open-creat", check_open_creat },
	{ "read-write", check_read_write },
	{ "big-file", check_big_file },
	{ "creat", check_creat },
	{ "openat", check_openat },
	{ "pread-pwrite", check_pread_pwrite },
	{ "lseek", check_lseek },
	{ "append", check_append },
	{ "trunc", check_trunc },
	{ "excl", check_excl },
	{ "ftruncate", check_ftruncate },
	{ "stat", check_stat },
	{ "rename", check_rename },
	{ "unlink", check_unlink },
	{ "link", check_link },
	{ "symlink", check_symlink },
	{ "relatime", check_relatime },
	{ "ebadf", check_ebadf },
	{ "efault", check_efault },
	{ "enoent", check_enoent },
	{ "eisdir", check_eisdir },
	{ "enotdir", check_enotdir },
	{ "dup", check_dup },
	{ "dup3", check_dup3 },
	{ "fcntl", check_fcntl },
	{ "cloexec-exec", check_cloexec_exec },
};

int main(int argc, char **argv)
{
	int status;

	if (argc == 4 && strcmp(argv[1], "--fdstate") == 0)
		return fdstate(argv[2], argv[3]);
	if (argv[0] && strchr(argv[0], '/'))
		self = argv[0];
	umask(022);
	snprintf(work, sizeof(work), "/tmp/t-files.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("files");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("files", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
