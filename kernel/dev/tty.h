/* SPDX-License-Identifier: MIT */
/* Terminals: the console TTY, and what every terminal shares (the line discipline between a device and programs, its ioctls: termios, window size, the controlling terminal and the foreground process group). */
#ifndef KESTREL_DEV_TTY_H
#define KESTREL_DEV_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dev/tty_ldisc.h"
#include "mm/iobuf.h"
#include "proc/sched.h"

/*
 * The console's file operations are published through the VFS hook
 * tty_file_ops (fs/vfs.h), which tty_init sets: /dev/console,
 * /dev/tty and the first descriptors of init open it. Every file on the
 * console shares its state (file->priv unused).
 *
 * Typed bytes are processed by a kernel thread, "tty", so that echo,
 * line editing and ^C reach the consoles and the foreground group even
 * while nobody reads; the interrupt handlers only queue raw bytes
 * (dev/console.c) and wake it.
 *
 * Other terminals (the pseudo-terminals' slaves, dev/pty.c) embed a
 * struct tty and use the tty_port_* functions below for everything a
 * terminal does the same way: reading through the discipline, job
 * control, the ioctls. A session has at most one controlling terminal;
 * /dev/tty opens it, whichever it is (tty_register makes it findable).
 */

struct file;
struct tty;

struct tty_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* What a terminal's driver does for the shared code. */
struct tty_driver {
	/* Output n bytes of src through the discipline's output processing
	 * (ldisc_output) to the device: the count, or the count so far when
	 * it stops early, or -errno when nothing went (-EAGAIN for a full
	 * device and nonblock, -ERESTARTSYS, -EIO, -EFAULT, -EINTR). */
	long (*write)(struct tty *t, struct iobuf src, size_t n, bool nonblock);
	/* Set up f, opened through /dev/tty by a process whose controlling
	 * terminal t is, as an open file of t (f->ops, f->priv): 0 or -errno. */
	int (*open_ctty)(struct tty *t, struct file *f);
};

/*
 * One terminal. Lock rule: the kernel lock (one CPU runs kernel code, never
 * preempted in kernel mode); every field changes in thread context only,
 * interrupt handlers never touch it.
 */
struct tty {
	struct ldisc ld;
	struct tty_winsize ws;
	int sid;                   /* the session it is the controlling terminal of; 0 none */
	int fg_pgrp;               /* the foreground process group; 0 none */
	struct wait_queue read_wq; /* readers wait for input */
	bool hung_up;              /* its device went away (a pty's master closed): reads
	                            * return 0, writes and ioctls -EIO, as Linux's hung-up files */
	uint32_t vhangups;         /* vhangup(2)s of it: a file opened before the last one
	                            * (its tty_gen older) is hung up as above; later opens are not */
	bool claim_free;           /* the console: a TTY no live session holds is taken by the
	                            * first job-control caller's session (see tty_check_owner) */
	uint32_t rdev;             /* its device number (RDEV) for /proc/PID/stat, 0 to show none */
	const struct tty_driver *drv;
	struct tty *next;          /* the registered terminals (tty_register) */
	/* Held across a whole write() (tty_port_write), as Linux's
	 * atomic_write_lock: one call's bytes reach the terminal together,
	 * never cut by another writer's between the driver's preemption
	 * points. Zeroed is free. */
	struct sleeplock write_lock;
};

/* Starts the TTY (its state and its input thread). Idempotent; needs
 * sched_init. The TTY's file operations and tty_read_kernel also start
 * it, so calling this at boot only makes ^C work before the first use. */
void tty_init(void);

/* A blocking read for the kernel itself (the `echo` boot test), with
 * the same semantics as read(2) on the TTY: in canonical mode at most
 * one line, 0 at an end of file (^D). Never -EINTR for a kernel thread. */
long tty_read_kernel(char *buf, size_t n);

/* ---- for other terminals -------------------------------------------------------- */

/* A new terminal t: default termios, an 80x24-style size of 0, no
 * session; echo bytes go to echo(t, ...), signal characters to t's
 * foreground group. Not yet findable (tty_register). */
void tty_port_init(struct tty *t, const struct tty_driver *drv, uint32_t rdev,
		   void (*echo)(void *t, const char *s, size_t n));
/* Make t findable as a controlling terminal (/dev/tty, TIOCSCTTY's "one
 * per session", /proc/PID/stat), and forget it again before it is freed. */
void tty_register(struct tty *t);
void tty_unregister(struct tty *t);

/* read(2) on t through f: job control (SIGTTIN), then at most one line
 * in canonical mode, VMIN/VTIME otherwise. The count, 0 once f is hung
 * up (tty_file_hung), -EAGAIN, -ERESTARTSYS, -EIO, -EFAULT. */
long tty_port_read(struct tty *t, struct file *f, struct iobuf dst, size_t n);
/* write(2) on t: TOSTOP's job control, then t's driver. -EIO once hung up. */
long tty_port_write(struct tty *t, struct file *f, struct iobuf src, size_t n);
/* The terminal ioctls on t (termios, System V's termio, window size with
 * SIGWINCH, FIONREAD, TCFLSH, the controlling terminal and the foreground
 * group): the result, or -ENOTTY for a request that is not a terminal's. */
long tty_port_ioctl(struct tty *t, struct file *f, unsigned long req, uint64_t arg);
/* Is f, an open file of t (NULL: the kernel's own use, or a pty's master
 * end), hung up: t's device gone, or f opened before t's last vhangup? */
bool tty_file_hung(const struct tty *t, const struct file *f);
/* A file of t is being opened (its tty_gen: not hung up). */
void tty_file_opened(const struct tty *t, struct file *f);
/* vhangup(2) (Linux's tty_vhangup_self): the caller's controlling
 * terminal, if it has one, is hung up for every file opened on it so far
 * (tty_file_hung), its session leader gets SIGHUP and SIGCONT and its
 * session loses it, its input is dropped; new opens work as before. */
void tty_vhangup_self(void);
/* poll(2)'s POLLIN for t: a read would not block. */
bool tty_port_readable(const struct tty *t);
/* Input, settings or the device changed: wake t's readers and pollers. */
void tty_port_changed(struct tty *t);
/* The device went away (Linux's tty_vhangup): input dropped, reads end,
 * the session leader gets SIGHUP and SIGCONT, the session loses t. */
void tty_port_hangup(struct tty *t);
/* A session leader (not O_NOCTTY) opening t: it becomes the session's
 * controlling terminal when neither has one yet (Linux's open rule). */
void tty_port_open_claim(struct tty *t);


#endif
