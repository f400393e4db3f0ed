// SPDX-License-Identifier: MIT
/* Kestrel: pipe, pipe2, eventfd and eventfd2 (the files themselves are fs/pipe.c and fs/eventfd.c). */
#include "sys/syscall_define.h"
#include "fs/eventfd.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "uapi/eventfd.h"

#define PIPE2_FLAGS (O_CLOEXEC | O_NONBLOCK | O_DIRECT) /* O_DIRECT: the write end's packet mode */

/* pipe2(int fds[2], flags): fds[0] the read end, fds[1] the write end.
 * -EINVAL for unknown flags, -EMFILE, -ENOMEM, -EFAULT (nothing stays
 * open then). */
SYSCALL_DEFINE2(pipe2, uptr_t, fds, int, flags)
{
	struct fdtable *t = current_process()->files;
	bool cloexec = (flags & O_CLOEXEC) != 0;
	struct file *rd, *wr;
	int fd[2], r;

	if (flags & ~(uint64_t)PIPE2_FLAGS)
		return -EINVAL;
	if ((r = pipe_create(&rd, &wr, (unsigned)flags)) < 0)
		return r;
	if ((fd[0] = fd_install(t, rd, 0, cloexec)) < 0) {
		file_put(rd);
		file_put(wr);
		return fd[0];
	}
	if ((fd[1] = fd_install(t, wr, 0, cloexec)) < 0) {
		fd_close(t, fd[0]);
		file_put(wr);
		return fd[1];
	}
	if (copy_to_user(fds, fd, sizeof(fd))) {
		fd_close(t, fd[0]);
		fd_close(t, fd[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, uptr_t, fds)
{
	return do_sys_pipe2(fds, 0);
}

#define EVENTFD2_FLAGS (EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)

/* eventfd2(initval, flags): a new eventfd descriptor (fs/eventfd.h).
 * -EINVAL for unknown flags, -EMFILE, -ENOMEM. */
SYSCALL_DEFINE2(eventfd2, unsigned int, initval, int, flags)
{
	struct file *f;
	int fd, r;

	if (flags & ~(uint64_t)EVENTFD2_FLAGS)
		return -EINVAL;
	if ((r = eventfd_create(&f, initval, (unsigned)flags)) < 0)
		return r;
	if ((fd = fd_install(current_process()->files, f, 0, (flags & EFD_CLOEXEC) != 0)) < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE1(eventfd, unsigned int, initval)
{
	return do_sys_eventfd2(initval, 0);
}
