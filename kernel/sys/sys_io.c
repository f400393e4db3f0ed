// SPDX-License-Identifier: MIT
/* Kestrel: read, write, writev and ioctl on the console (the only files until the VFS lands). */
#include "sys/syscall.h"
#include "mm/usercopy.h"
#include "dev/console.h"
#include "dev/time.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "log.h"

#define STDIN  0
#define STDOUT 1
#define STDERR 2
#define CHUNK  256
#define IOV_MAX 1024
#define READ_POLL_NS 10000000ull  /* console input is polled every 10 ms */
#define TIOCGWINSZ 0x5413
#define TCGETS     0x5401

struct iovec_user {
	uint64_t base;
	uint64_t len;
};

/* Write n user bytes at buf to the console. */
static long console_write_user(uptr_t buf, size_t n)
{
	char chunk[CHUNK];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		if (copy_from_user(chunk, buf + done, k))
			return done ? (long)done : -EFAULT;
		log_write(chunk, k, false);
		done += k;
	}
	return (long)done;
}

long sys_write(uint64_t fd, uint64_t buf, uint64_t n, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (fd != STDOUT && fd != STDERR)
		return -EBADF;
	return console_write_user(buf, n);
}

long sys_writev(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long total = 0;

	(void)a3, (void)a4, (void)a5;
	if (fd != STDOUT && fd != STDERR)
		return -EBADF;
	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		struct iovec_user v;
		if (copy_from_user(&v, iov + i * sizeof(v), sizeof(v)))
			return total ? total : -EFAULT;
		long r = console_write_user(v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
	}
	return total;
}

/* Blocking read from the console: waits (polling) until a byte arrives. */
long sys_read(uint64_t fd, uint64_t buf, uint64_t n, uint64_t a3, uint64_t a4, uint64_t a5)
{
	char chunk[CHUNK];

	(void)a3, (void)a4, (void)a5;
	if (fd != STDIN)
		return -EBADF;
	if (n == 0)
		return 0;
	for (;;) {
		int got = console_read(chunk, n < CHUNK ? n : CHUNK);
		if (got > 0)
			return copy_to_user(buf, chunk, (size_t)got) ? -EFAULT : got;
		if (current_process()->kill_pending)
			return -EINTR;
		sleep_until(time_ns() + READ_POLL_NS);
	}
}

long sys_ioctl(uint64_t fd, uint64_t req, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)arg, (void)a3, (void)a4, (void)a5;
	if (fd > STDERR)
		return -EBADF;
	if (req == TIOCGWINSZ || req == TCGETS)
		return -ENOTTY; /* no TTY layer yet: programs then treat output as a file */
	return -EINVAL;
}
