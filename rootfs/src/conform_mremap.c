// SPDX-License-Identifier: MIT
// mremap conformance: growth in place, moves that keep contents, shrinks, MREMAP_FIXED, MREMAP_DONTUNMAP, shared duplicates, errors.
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * What Linux does and gVisor's mremap_test checks:
 * - a shrink unmaps the tail in place; a growth extends the mapping
 *   when the range after it is free, else moves it with MREMAP_MAYMOVE
 *   (contents kept, the old range unmapped), else fails with ENOMEM;
 * - MREMAP_FIXED (only with MREMAP_MAYMOVE) moves to the given address,
 *   replacing what was there; an overlap with the old range is EINVAL;
 * - MREMAP_DONTUNMAP (MAYMOVE, equal sizes) leaves the old private
 *   anonymous range mapped and empty (it reads zero);
 * - old_size 0 duplicates a shared mapping (both see the same pages),
 *   and is EINVAL for a private one;
 * - a private file mapping keeps its written (copied) pages and shows
 *   the file's pages in the part a move adds;
 * - unknown flags, an unaligned address, a zero new size: EINVAL; no
 *   mapping at the address, or an old range past its mapping: EFAULT.
 */
#define PAGE 4096ul

static long remap(void *old, size_t old_len, size_t new_len, long flags, void *to)
{
	return syscall(SYS_mremap, old, old_len, new_len, flags, to);
}

static char *anon(size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Is the page at p in a mapping? (msync: ENOMEM over a hole) */
static int mapped(const char *p)
{
	return msync((void *)p, PAGE, MS_ASYNC) == 0;
}

/* Does [p, p + len) hold only the byte c? */
static int all(const char *p, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* ---- grow-in-place ---- */

static int check_grow_in_place(void)
{
	char *p = anon(3 * PAGE, MAP_PRIVATE);
	int r = CHECK_OK;

	if (!p)
		return fail("mmap: %s", errname(errno));
	munmap(p + PAGE, 2 * PAGE);
	memset(p, 'a', PAGE);
	long q = remap(p, PAGE, 3 * PAGE, 0, NULL);
	if (q != (long)p)
		r = fail("mremap(1 page -> 3, free after it) = %#lx (%s), want %p", q, errname(errno), p);
	else if (!all(p, PAGE, 'a') || !all(p + PAGE, 2 * PAGE, 0))
		r = fail("contents after growing in place: want the old page then zeros");
	else
		memset(p + 2 * PAGE, 'b', PAGE); /* the new pages are writable */
	munmap(p, 3 * PAGE);
	return r;
}

/* ---- grow-move ---- */

/* A one-page hole after the mapping, the page after that mapped: growth
 * in place is ENOMEM, MREMAP_MAYMOVE moves it. */
static int check_grow_move(void)
{
	char *p = anon(3 * PAGE, MAP_PRIVATE);
	int r = CHECK_OK;

	if (!p)
		return fail("mmap: %s", errname(errno));
	munmap(p + PAGE, PAGE);
	memset(p, 'a', PAGE);
	if ((r = want_err("mremap(grow, no room, no MAYMOVE)", remap(p, PAGE, 3 * PAGE, 0, NULL), ENOMEM)))
		goto out;
	long q = remap(p, PAGE, 3 * PAGE, MREMAP_MAYMOVE, NULL);
	if (q == -1) {
		r = fail("mremap(MAYMOVE): %s", errname(errno));
		goto out;
	}
	char *n = (char *)q;
	if (n == p)
		r = fail("mremap(MAYMOVE) stayed at %p with the next page taken", p);
	else if (!all(n, PAGE, 'a') || !all(n + PAGE, 2 * PAGE, 0))
		r = fail("contents after the move: want the old page then zeros");
	else if (mapped(p) || !mapped(p + 2 * PAGE))
		r = fail("after the move: the old page should be gone, the page after the hole kept");
	munmap(n, 3 * PAGE);
out:
	munmap(p, 3 * PAGE);
	return r;
}

/* ---- shrink ---- */

static int check_shrink(void)
{
	char *p = anon(3 * PAGE, MAP_PRIVATE);
	int r;

	if (!p)
		return fail("mmap: %s", errname(errno));
	memset(p, 'a', PAGE);
	if ((r = want_eq("mremap(3 pages -> 1)", remap(p, 3 * PAGE, PAGE, 0, NULL), (long)p)) == CHECK_OK &&
	    (!mapped(p) || mapped(p + PAGE) || mapped(p + 2 * PAGE) || !all(p, PAGE, 'a')))
		r = fail("after the shrink: want the first page kept, the others unmapped");
	munmap(p, 3 * PAGE);
	return r;
}

/* ---- fixed ---- */

static int check_fixed(void)
{
	char *src = anon(2 * PAGE, MAP_PRIVATE), *dst = anon(2 * PAGE, MAP_PRIVATE);
	int r = CHECK_OK;

	if (!src || !dst)
		return fail("mmap: %s", errname(errno));
	memset(src, 's', 2 * PAGE);
	memset(dst, 'd', 2 * PAGE);
	if ((r = want_err("mremap(FIXED without MAYMOVE)", remap(src, 2 * PAGE, 2 * PAGE, MREMAP_FIXED, dst), EINVAL)) ||
	    (r = want_err("mremap(FIXED, overlapping)", remap(src, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, src + PAGE), EINVAL)) ||
	    (r = want_err("mremap(FIXED, unaligned destination)", remap(src, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 1), EINVAL)) ||
	    (r = want_eq("mremap(FIXED over a mapping)", remap(src, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst), (long)dst)))
		goto out;
	if (!all(dst, 2 * PAGE, 's') || mapped(src) || mapped(src + PAGE))
		r = fail("after the FIXED move: want the source's bytes at the destination, the source unmapped");
out:
	munmap(src, 2 * PAGE);
	munmap(dst, 2 * PAGE);
	return r;
}

/* ---- dontunmap ---- */

static int check_dontunmap(void)
{
	char *p = anon(PAGE, MAP_PRIVATE);
	int r;

	if (!p)
		return fail("mmap: %s", errname(errno));
	memset(p, 'x', PAGE);
	if ((r = want_err("mremap(DONTUNMAP, sizes differ)", remap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL), EINVAL)) ||
	    (r = want_err("mremap(DONTUNMAP without MAYMOVE)", remap(p, PAGE, PAGE, MREMAP_DONTUNMAP, NULL), EINVAL))) {
		munmap(p, PAGE);
		return r;
	}
	long q = remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	if (q == -1)
		r = fail("mremap(DONTUNMAP): %s", errname(errno));
	else if ((char *)q == p || !all((char *)q, PAGE, 'x'))
		r = fail("mremap(DONTUNMAP): want the page's bytes at a new address");
	else if (!mapped(p) || !all(p, PAGE, 0))
		r = fail("mremap(DONTUNMAP): want the old page still mapped, reading zero");
	if (q != -1)
		munmap((void *)q, PAGE);
	munmap(p, PAGE);
	return r;
}

/* ---- shared ---- */

/* A shared mapping moved, grown and duplicated (old_size 0): every view
 * sees the same pages; a private one cannot be duplicated. */
static int check_shared(void)
{
	char *p = anon(PAGE, MAP_SHARED), *priv = anon(PAGE, MAP_PRIVATE);
	int r = CHECK_OK;

	if (!p || !priv)
		return fail("mmap: %s", errname(errno));
	if ((r = want_err("mremap(private, old_size 0, MAYMOVE)", remap(priv, 0, PAGE, MREMAP_MAYMOVE, NULL), EINVAL)) ||
	    (r = want_err("mremap(shared, old_size 0, no MAYMOVE)", remap(p, 0, PAGE, 0, NULL), ENOMEM)))
		goto out;
	long q = remap(p, 0, PAGE, MREMAP_MAYMOVE, NULL);
	if (q == -1) {
		r = fail("mremap(shared, old_size 0, MAYMOVE): %s", errname(errno));
		goto out;
	}
	char *d = (char *)q;
	d[0] = 'd';
	p[1] = 'p';
	if (d == p || p[0] != 'd' || d[1] != 'p')
		r = fail("a duplicate of a shared mapping: want both views to see each other's writes");
	munmap(d, PAGE);
out:
	munmap(p, PAGE);
	munmap(priv, PAGE);
	return r;
}

/* ---- file-cow ---- */

/* A private file mapping moved and grown: the page it wrote stays its
 * copy, the page the growth adds is the file's. */
static int check_file_cow(void)
{
	static char buf[2 * PAGE];
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0600), r = CHECK_OK;

	if (fd < 0)
		return fail("open: %s", errname(errno));
	memset(buf, 'a', PAGE);
	memset(buf + PAGE, 'b', PAGE);
	char *p = MAP_FAILED, *dst = anon(2 * PAGE, MAP_PRIVATE);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || !dst) {
		r = fail("write or mmap: %s", errname(errno));
		goto out;
	}
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		r = fail("mmap(file): %s", errname(errno));
		goto out;
	}
	memset(p, 'd', PAGE);
	if ((r = want_eq("mremap(file, FIXED, grown)", remap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst), (long)dst)))
		goto out;
	p = MAP_FAILED;
	if (!all(dst, PAGE, 'd') || !all(dst + PAGE, PAGE, 'b'))
		r = fail("after moving a private file mapping: want its copy, then the file's next page");
out:
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	if (dst)
		munmap(dst, 2 * PAGE);
	close(fd);
	unlink(P("f"));
	return r;
}

/* ---- errors ---- */

static int check_errors(void)
{
	char *p = anon(2 * PAGE, MAP_PRIVATE);
	int r;

	if (!p)
		return fail("mmap: %s", errname(errno));
	munmap(p + PAGE, PAGE);
	if ((r = want_err("mremap(unknown flag)", remap(p, PAGE, PAGE, 8, NULL), EINVAL)) ||
	    (r = want_err("mremap(unaligned)", remap(p + 1, PAGE, PAGE, 0, NULL), EINVAL)) ||
	    (r = want_err("mremap(new_size 0)", remap(p, PAGE, 0, 0, NULL), EINVAL)) ||
	    (r = want_err("mremap(no mapping)", remap(p + PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL), EFAULT)) ||
	    (r = want_err("mremap(old range past the mapping)", remap(p, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE, NULL), EFAULT)))
		;
	else if (!mapped(p))
		r = fail("a failed mremap unmapped its mapping");
	munmap(p, 2 * PAGE);
	return r;
}

static const struct check checks[] = {
	{ "grow-in-place", check_grow_in_place },
	{ "grow-move", check_grow_move },
	{ "shrink", check_shrink },
	{ "fixed", check_fixed },
	{ "dontunmap", check_dontunmap },
	{ "shared", check_shared },
	{ "file-cow", check_file_cow },
	{ "errors", check_errors },
};

int main(int argc, char **argv)
{
	int status;

	snprintf(work, sizeof(work), "/tmp/t-conform_mremap.%d", (int)getpid());
	rm_tree(work);
	if (mkdir(work, 0755) != 0) {
		t_begin("conform-mremap");
		t_fail("cannot make the scratch directory %s: %s", work, errname(errno));
		return 1;
	}
	status = run_checks("conform-mremap", checks, NELEMS(checks), argc, argv);
	rm_tree(work);
	return status;
}
