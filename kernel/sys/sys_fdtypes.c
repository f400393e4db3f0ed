// SPDX-License-Identifier: MIT
/*
 * Kestrel: the system calls that make the newer kinds of file
 * descriptor: epoll (fs/eventpoll.c), signalfd (fs/signalfd.c), timerfd
 * (fs/timerfd.c) and memfd_create (fs/ramfs.c's unlinked files).
 */
#include "sys/syscall_define.h"
#include "fs/eventpoll.h"
#include "fs/inode.h"
#include "fs/signalfd.h"
#include "fs/timerfd.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "time/time.h"
#include "time/timespec.h"
#include "uapi/eventpoll.h"
#include "uapi/memfd.h"
#include "uapi/signalfd.h"
#include "uapi/time.h"
#include "uapi/timerfd.h"
#include "uapi/limits.h"

#define NS_PER_MS 1000000ull

/* Install new file f (its one reference taken over, or dropped on
 * failure): the fd or -EMFILE/-ENOMEM. */
static int install(struct file *f, bool cloexec)
{
	int fd = fd_install(current_process()->files, f, 0, cloexec);

	if (fd < 0)
		file_put(f);
	return fd;
}

/* ---- epoll -------------------------------------------------------------------- */

/* epoll_create1(flags): EPOLL_CLOEXEC or nothing; -EINVAL, -EMFILE, -ENOMEM. */
SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	struct file *f;
	int r;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	if ((r = eventpoll_create(&f)) < 0)
		return r;
	return install(f, (flags & EPOLL_CLOEXEC) != 0);
}

/* epoll_create(size): size is only a hint, but must be positive. */
SYSCALL_DEFINE1(epoll_create, int, size)
{
	if (size <= 0)
		return -EINVAL;
	return do_sys_epoll_create1(0);
}

/* epoll_ctl(epfd, op, fd, event): the event is read first (not for
 * EPOLL_CTL_DEL), then both descriptors, as Linux orders its errors. */
SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, uptr_t, uevent)
{
	struct fdtable *t = current_process()->files;
	struct epoll_event_k ev = { 0, 0 };
	long r = -EBADF;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	struct file *epf = fd_get_io(t, epfd), *tf = fd_get_io(t, fd);
	if (epf && tf)
		r = eventpoll_is(epf) || tf == epf ? eventpoll_ctl(epf, op, fd, tf, &ev) : -EINVAL;
	file_put(tf);
	file_put(epf);
	return r;
}

/* The common part of the waits: maxevents checked (Linux: more than fit
 * in INT_MAX bytes is -EINVAL), then epfd. */
static long epoll_wait_common(int epfd, uptr_t events, int maxevents, uint64_t deadline)
{
	if (maxevents <= 0 || (size_t)maxevents > INT32_MAX / sizeof(struct epoll_event_k))
		return -EINVAL;
	if (!user_access_ok(events, (size_t)maxevents * sizeof(struct epoll_event_k)))
		return -EFAULT;
	struct file *f = fd_get_io(current_process()->files, epfd);
	if (!f)
		return -EBADF;
	long r = eventpoll_is(f) ? eventpoll_wait(f, events, maxevents, deadline) : -EINVAL;
	file_put(f);
	return r;
}

/* A timeout in ms (negative: none) as a deadline. */
static uint64_t ms_deadline(int timeout)
{
	return timeout < 0 ? NO_DEADLINE : time_ns() + (uint64_t)timeout * NS_PER_MS;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, uptr_t, events, int, maxevents, int, timeout)
{
	return epoll_wait_common(epfd, events, maxevents, ms_deadline(timeout));
}

/* The wait with the user's temporary signal mask, as ppoll's. */
static long epoll_wait_masked(int epfd, uptr_t events, int maxevents, uint64_t deadline,
			      uptr_t sigmask, size_t sigsetsize)
{
	uint64_t old;
	int err;

	if ((err = signal_mask_enter(sigmask, sigsetsize, &old)) < 0)
		return err;
	long r = epoll_wait_common(epfd, events, maxevents, deadline);
	signal_mask_leave(old, r == -EINTR);
	return r;
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, uptr_t, events, int, maxevents, int, timeout,
		uptr_t, sigmask, size_t, sigsetsize)
{
	return epoll_wait_masked(epfd, events, maxevents, ms_deadline(timeout), sigmask, sigsetsize);
}

/* epoll_pwait2: the timeout a relative timespec (NULL: none). */
SYSCALL_DEFINE6(epoll_pwait2, int, epfd, uptr_t, events, int, maxevents, uptr_t, uts,
		uptr_t, sigmask, size_t, sigsetsize)
{
	uint64_t deadline = NO_DEADLINE, ns;
	int err;

	if (uts) {
		if ((err = timespec_read(uts, &ns)) < 0)
			return err;
		deadline = ns >= TIMESPEC_FOREVER_NS ? NO_DEADLINE : time_ns() + ns;
	}
	return epoll_wait_masked(epfd, events, maxevents, deadline, sigmask, sigsetsize);
}

/* ---- signalfd ----------------------------------------------------------------- */

/* signalfd4(fd, mask, sizemask, flags): fd -1 makes a new signalfd,
 * else fd's mask is replaced. -EINVAL (flags, a sigset size other than
 * 8, fd not a signalfd), -EFAULT, -EBADF, -EMFILE, -ENOMEM. */
SYSCALL_DEFINE4(signalfd4, int, ufd, uptr_t, umask, size_t, sizemask, int, flags)
{
	uint64_t mask;
	struct file *f;
	int r;

	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (sizemask != SIGSET_BYTES)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (ufd == -1) {
		if ((r = signalfd_create(&f, mask, (unsigned)flags)) < 0)
			return r;
		return install(f, (flags & SFD_CLOEXEC) != 0);
	}
	if (!(f = fd_get(current_process()->files, ufd)))
		return -EBADF;
	r = signalfd_is(f) ? ufd : -EINVAL;
	if (r >= 0)
		signalfd_set_mask(f, mask);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(signalfd, int, ufd, uptr_t, umask, size_t, sizemask)
{
	return do_sys_signalfd4(ufd, umask, sizemask, 0);
}

/* ---- memfd_create ------------------------------------------------------------- */

#define MFD_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC)
#define MFD_MODE  0777  /* Linux's memfd inode: S_IRWXUGO; MFD_NOEXEC_SEAL drops the x bits */

/* "memfd:" and the user's name into buf (NAME_MAX + 1 bytes): 0,
 * -EFAULT, or -EINVAL when the name is longer than MFD_NAME_MAX. */
static int memfd_name(uptr_t uname, char *buf)
{
	size_t pre = sizeof(MFD_NAME_PREFIX) - 1;
	long n;

	memcpy(buf, MFD_NAME_PREFIX, pre);
	n = strncpy_from_user(buf + pre, uname, MFD_NAME_MAX + 1); /* at most MFD_NAME_MAX bytes */
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	return n < 0 ? (int)n : 0;
}

/* memfd_create(name, flags): an anonymous RAM file, O_RDWR, its size 0;
 * without MFD_ALLOW_SEALING it is sealed with F_SEAL_SEAL. -EINVAL
 * (flags, MFD_HUGETLB: no huge pages here, a name over 249 bytes),
 * -EFAULT, -EMFILE, -ENOMEM. */
SYSCALL_DEFINE2(memfd_create, uptr_t, uname, unsigned int, flags)
{
	char name[NAME_MAX + 1];
	unsigned seals = F_SEAL_SEAL;
	uint32_t mode = MFD_MODE;
	struct inode *ip;
	struct file *f;
	int r;

	if ((flags & ~MFD_FLAGS) || ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL)))
		return -EINVAL;
	if ((r = memfd_name(uname, name)) < 0)
		return r;
	if (flags & MFD_NOEXEC_SEAL) {
		mode &= ~S_IXUGO;
		seals = F_SEAL_EXEC;
	} else if (flags & MFD_ALLOW_SEALING) {
		seals = 0;
	}
	if ((r = ramfs_new_unlinked(name, mode, seals, &ip)) < 0)
		return r;
	if (!(f = file_alloc(NULL, O_RDWR | O_LARGEFILE, NULL))) {
		inode_put(ip);
		return -ENOMEM;
	}
	f->inode = ip;
	if ((r = ip->ops->open(ip, f)) < 0) {
		file_put(f);
		return r;
	}
	return install(f, (flags & MFD_CLOEXEC) != 0);
}

/* ---- timerfd ------------------------------------------------------------------ */

/* The timerfd behind ufd with a reference: 0, -EBADF, -EINVAL (another kind of file). */
static int timerfd_get(int ufd, struct file **out)
{
	struct file *f = fd_get(current_process()->files, ufd);

	if (!f)
		return -EBADF;
	if (!timerfd_is(f)) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* timerfd_create(clockid, flags): CLOCK_REALTIME, CLOCK_MONOTONIC or
 * CLOCK_BOOTTIME (others -EINVAL), TFD_CLOEXEC, TFD_NONBLOCK. */
SYSCALL_DEFINE2(timerfd_create, int, clockid, int, flags)
{
	struct file *f;
	int r;

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME)
		return -EINVAL;
	if ((r = timerfd_create(&f, clockid, (unsigned)flags)) < 0)
		return r;
	return install(f, (flags & TFD_CLOEXEC) != 0);
}

/* timerfd_settime(fd, flags, new, old or NULL): TFD_TIMER_ABSTIME, and
 * TFD_TIMER_CANCEL_ON_SET accepted (Kestrel's clock is never set). */
SYSCALL_DEFINE4(timerfd_settime, int, ufd, int, flags, uptr_t, unew, uptr_t, uold)
{
	uint64_t value, interval, ov, oi;
	struct file *f;
	int r;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if ((r = itimerspec_read(unew, &value, &interval)) < 0)
		return r;
	if ((r = timerfd_get(ufd, &f)) < 0)
		return r;
	timerfd_settime(f, (flags & TFD_TIMER_ABSTIME) != 0, value, interval, &ov, &oi);
	file_put(f);
	return uold && itimerspec_write(uold, ov, oi) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(timerfd_gettime, int, ufd, uptr_t, ucur)
{
	uint64_t value, interval;
	struct file *f;
	int r;

	if ((r = timerfd_get(ufd, &f)) < 0)
		return r;
	timerfd_gettime(f, &value, &interval);
	file_put(f);
	return itimerspec_write(ucur, value, interval) ? -EFAULT : 0;
}
