// SPDX-License-Identifier: MIT
/*
 * Kestrel: splice and copy_file_range, as Linux's fs/splice.c and
 * fs/read_write.c decide them (the checks and their order, the file
 * positions, what blocks), moving the bytes through a kernel buffer with
 * the files' kernel-buffer read and write (sys_fs.c's copy_between), not by lending pages:
 * - splice: one end a pipe; from a pipe it waits for bytes and moves at
 *   most those waiting, into a pipe it waits for room and moves at most
 *   what fits, as Linux's, so it never blocks half-way.
 * - copy_file_range: regular file to regular file, at the offsets given
 *   or the file positions, up to the end of the source.
 * - tee: the bytes waiting in one pipe duplicated into another, left
 *   where they were (fs/pipe.c's pipe_tee).
 * - vmsplice: user memory copied into a pipe (SPLICE_F_GIFT changes
 *   nothing: no page is lent), or a pipe's bytes copied out to it.
 */
#include "sys/syscall_define.h"
#include "sys/sys_fs.h"
#include "fs/inode.h"
#include "fs/pipe.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"

/* One end of a transfer: its file, the user's offset pointer (0: none)
 * and the position used (the offset read from it, or the file's). */
struct xfer_end {
	struct file *f;
	uptr_t uoff;
	uint64_t off;
	uint64_t *pos;
};

/* Read the end's offset if the user gave one: -EFAULT, -EINVAL when
 * negative; 0, with e->pos pointing at what the transfer moves. */
static long end_offset(struct xfer_end *e)
{
	int64_t off;

	e->pos = &e->f->pos;
	if (!e->uoff)
		return 0;
	if (copy_from_user(&off, e->uoff, sizeof(off)))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	e->off = (uint64_t)off;
	e->pos = &e->off;
	return 0;
}

/* Write the end's offset back after a transfer (nothing without one). */
static long end_update(const struct xfer_end *e)
{
	int64_t off = (int64_t)e->off;

	return e->uoff && copy_to_user(e->uoff, &off, sizeof(off)) ? -EFAULT : 0;
}

/* Linux's do_splice checks for the pair, after the offsets were read:
 * -EBADF (not open for its direction), -EINVAL (no pipe, one pipe at both
 * ends, an offset on a file without pread/pwrite, an O_APPEND target, a
 * file that cannot be read or written in the kernel). */
static long splice_check(struct xfer_end *in, struct xfer_end *out, bool ipipe, bool opipe)
{
	if (!can_read(in->f) || !can_write(out->f))
		return -EBADF;
	if ((!ipipe && !opipe) || (ipipe && opipe && pipe_ino(in->f) == pipe_ino(out->f)))
		return -EINVAL;  /* no pipe; or a pipe into itself, as splice_pipe_to_pipe */
	if ((in->uoff && !seekable(in->f)) || (out->uoff && !seekable(out->f)))
		return -EINVAL;
	if (!opipe && (out->f->flags & O_APPEND))
		return -EINVAL;
	if (!file_can_kread(in->f) || !file_can_kwrite(out->f))
		return -EINVAL;
	return 0;
}

/* How many of n bytes a splice may move without blocking half-way: what
 * the source pipe holds and what the target pipe has room for, after
 * waiting for some (pipe_splice_wait's errors; 0 at a pipe's EOF). */
static long splice_limit(struct xfer_end *in, struct xfer_end *out, bool ipipe, bool opipe,
			 size_t n, bool nonblock)
{
	long k;

	if (ipipe) {
		if ((k = pipe_splice_wait(in->f, false, nonblock)) <= 0)
			return k;
		n = (size_t)k < n ? (size_t)k : n;
	}
	if (opipe) {
		if ((k = pipe_splice_wait(out->f, true, nonblock)) < 0)
			return k;
		n = (size_t)k < n ? (size_t)k : n;
	}
	return (long)n;
}

/* Linux's __do_splice and do_splice: -ESPIPE for an offset on a pipe end
 * first, then the offsets (-EFAULT, -EINVAL), then splice_check. */
static long do_splice(struct xfer_end *in, struct xfer_end *out, size_t n, unsigned flags)
{
	bool ipipe = pipe_ino(in->f) != 0, opipe = pipe_ino(out->f) != 0;
	long r;

	if ((ipipe && in->uoff) || (opipe && out->uoff))
		return -ESPIPE;
	if ((r = end_offset(out)) || (r = end_offset(in)) || (r = splice_check(in, out, ipipe, opipe)))
		return r;
	/* Linux's rw_verify_area on the file's end, with the length asked */
	if ((!ipipe && offset_overflows((int64_t)*in->pos, n)) ||
	    (!opipe && offset_overflows((int64_t)*out->pos, n)))
		return -EINVAL;
	r = splice_limit(in, out, ipipe, opipe, n > MAX_RW_COUNT ? MAX_RW_COUNT : n,
			 flags & SPLICE_F_NONBLOCK);
	if (r <= 0)
		return r;
	r = copy_between(out->f, out->pos, in->f, in->pos, (size_t)r);
	if (r >= 0 && (end_update(in) || end_update(out)))
		return -EFAULT;
	return r;
}

/* splice(in, off_in, out, off_out, len, flags): as Linux, a zero length is
 * 0 before anything is looked at, unknown flags -EINVAL, then -EBADF for
 * a descriptor that is not open. */
SYSCALL_DEFINE6(splice, int, fdin, uptr_t, offin, int, fdout, uptr_t, offout, size_t, len,
		unsigned int, flags)
{
	if (len == 0)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct xfer_end in = { .f = fd_file(fdin), .uoff = offin };
	struct xfer_end out = { .f = fd_file(fdout), .uoff = offout };
	long r = -EBADF;

	if (in.f && out.f)
		r = do_splice(&in, &out, len, flags);
	if (in.f)
		file_put(in.f);
	if (out.f)
		file_put(out.f);
	return r;
}

/* Linux's generic_copy_file_checks, in its order: -EISDIR, -EINVAL (not
 * regular files), -EBADF (not open for reading, for writing, or O_APPEND),
 * -EOVERFLOW; then *n cut to the source's end, and -EINVAL for
 * overlapping ranges of one file. 0 if the copy may go ahead. */
static long copy_range_check(struct xfer_end *in, struct xfer_end *out, size_t *n)
{
	struct inode *ii = in->f->inode, *oi = out->f->inode;

	if (ii && oi && (S_ISDIR(ii->mode) || S_ISDIR(oi->mode)))
		return -EISDIR;
	if (!ii || !oi || !S_ISREG(ii->mode) || !S_ISREG(oi->mode))
		return -EINVAL;
	if (!can_read(in->f) || !can_write(out->f) || (out->f->flags & O_APPEND))
		return -EBADF;
	uint64_t pin = *in->pos, pout = *out->pos;
	if (pin + *n < pin || pout + *n < pout)
		return -EOVERFLOW;
	*n = pin >= ii->size ? 0 : ii->size - pin < *n ? ii->size - pin : *n;
	if (ii == oi && pout + *n > pin && pout < pin + *n)
		return -EINVAL;
	if (!file_can_kread(in->f) || !file_can_kwrite(out->f))
		return -EINVAL;
	return 0;
}

/* copy_file_range(in, off_in, out, off_out, len, flags): as Linux, -EBADF
 * for a descriptor that is not open, the offsets read (-EFAULT), -EINVAL
 * for flags, then copy_range_check. */
SYSCALL_DEFINE6(copy_file_range, int, fdin, uptr_t, offin, int, fdout, uptr_t, offout,
		size_t, len, unsigned int, flags)
{
	struct xfer_end in = { .f = fd_file(fdin), .uoff = offin };
	struct xfer_end out = { .f = fd_file(fdout), .uoff = offout };
	size_t n = len > MAX_RW_COUNT ? MAX_RW_COUNT : len;
	long r = -EBADF;

	if (in.f && out.f) {
		if (!(r = end_offset(&in)) && !(r = end_offset(&out)) && !(r = flags ? -EINVAL : 0) &&
		    !(r = copy_range_check(&in, &out, &n)) && n) {
			r = copy_between(out.f, out.pos, in.f, in.pos, n);
			if (r >= 0 && (end_update(&in) || end_update(&out)))
				r = -EFAULT;
		}
	}
	if (in.f)
		file_put(in.f);
	if (out.f)
		file_put(out.f);
	return r;
}

/* tee(in, out, len, flags): as Linux's, unknown flags -EINVAL, a zero
 * length 0, -EBADF for a descriptor not open or not open for its
 * direction, then pipe_tee's checks and wait. */
SYSCALL_DEFINE4(tee, int, fdin, int, fdout, size_t, len, unsigned int, flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	struct file *in = fd_file(fdin), *out = in ? fd_file(fdout) : NULL;
	long r = -EBADF;

	if (in && out && can_read(in) && can_write(out))
		r = pipe_tee(in, out, len, flags & SPLICE_F_NONBLOCK);
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

/* vmsplice into a pipe (to_pipe: Linux's vmsplice_to_pipe) or out of one
 * (vmsplice_to_user): wait once for room or for bytes (0 at end of file),
 * then copy the elements in turn until the pipe is full or empty, never
 * waiting again. The bytes copied, or why none were. */
static long vmsplice_copy(struct file *f, const struct iovec_user *v, uint64_t cnt, bool to_pipe,
			  bool nonblock)
{
	long done = 0, r;

	if ((r = pipe_vmsplice_wait(f, to_pipe, nonblock)) <= 0)
		return r;
	for (uint64_t i = 0; i < cnt; i++) {
		if (i && io_should_stop())
			break;
		if ((r = pipe_vmsplice_copy(f, v[i].base, v[i].len, to_pipe)) < 0)
			return done ? done : r;
		done += r;
		if ((uint64_t)r < v[i].len)
			break; /* the pipe is full, or empty */
	}
	return done;
}

/* vmsplice(fd, iov, nr_segs, flags): as Linux's, unknown flags -EINVAL;
 * -EBADF for a descriptor not open, open for neither direction or not a
 * pipe; the direction is the file's (into the pipe when it is open for
 * writing); the vector checked as readv's (import_iovec), an empty one 0. */
SYSCALL_DEFINE4(vmsplice, int, fd, uptr_t, uiov, unsigned long, nr_segs, unsigned int, flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *f = fd_file(fd);
	struct iovec_user *v = NULL;
	uint64_t total;
	long r = -EBADF;

	if (!f)
		return -EBADF;
	bool write = can_write(f);
	if ((write || can_read(f)) && !(r = import_iovec(uiov, nr_segs, &v, &total))) {
		if (total == 0)
			r = 0;
		else if (!pipe_ino(f))
			r = -EBADF;
		else
			r = vmsplice_copy(f, v, nr_segs, write, flags & SPLICE_F_NONBLOCK);
	}
	kfree(v);
	file_put(f);
	return r;
}
