/* SPDX-License-Identifier: MIT */
/* Pseudo-terminals as Linux's Unix98 ptys: /dev/ptmx opens a master, /dev/pts/N is its slave, a terminal with the console's line discipline and job control. */
#ifndef KESTREL_DEV_PTY_H
#define KESTREL_DEV_PTY_H

/*
 * The driver publishes its file operations through the VFS hooks
 * ptmx_file_ops and pty_slave_file_ops (fs/vfs.h), which pty_init sets;
 * devfs_open hands /dev/ptmx (5:2) and /dev/pts/N (136:N) to
 * their open hooks, and the slave nodes come and go in /dev/pts
 * (fs/devpts.h).
 *
 * What a master write puts in goes through the slave's line discipline
 * (input processing, echo, signal characters for the slave's foreground
 * group) as room appears there, waiting in the pair's input buffer
 * (PTY_IN_SIZE) until then, as Linux's flip buffers; what the slave writes, output-processed, waits in the pair's
 * output buffer (PTY_OUT_SIZE) for the master's reader. Writers on either
 * side wait when there is no room (the slave's discipline holds 4095
 * bytes, a canonical line at most 4095 and its end); nothing is dropped
 * but echo that finds the output buffer full and the end of an overlong
 * canonical line.
 *
 * Ends, as Linux: closing the last master file hangs the slave up (its
 * session leader gets SIGHUP and SIGCONT, the session loses its
 * controlling terminal, slave reads return 0, writes and ioctls -EIO);
 * closing the last slave file makes the master's reads -EIO once its
 * buffer is empty, and its poll POLLHUP. The pair and its number go with
 * the last file of both.
 */

#define PTY_OUT_SIZE 8192   /* slave output waiting for the master (a power of two) */
#define PTY_IN_SIZE  16384  /* master writes waiting for the slave's discipline (a power
                             * of two): with it a pair holds about what Linux's does */

/* Publishes /dev/ptmx's and /dev/pts/N's operations (fs/vfs.h). Once at
 * boot, after tty_init. */
void pty_init(void);

#endif
