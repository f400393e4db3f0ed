// SPDX-License-Identifier: MIT
/*
 * Kestrel: a file's owner, F_SETSIG and O_ASYNC signals (fs/fown.h), as
 * Linux's f_setown/f_setown_ex/fasync. Owner and signal belong to the open
 * file description, so a dup shares them; si_fd is the descriptor O_ASYNC
 * was turned on through, even after it is closed (Linux's fasync entry).
 */
#include "fs/fown.h"
#include "arch/x86_64/klock.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "uapi/fcntl.h"
#include "uapi/poll.h"
#include "uapi/signal.h"

struct file *fown_async_files; /* fown.h */

/* ---------------------------------------------------------------- owners */

struct pgrp_find {
	int pgid;
	bool found;
};

static void pgrp_match(struct process *p, void *arg)
{
	struct pgrp_find *s = arg;

	if (p->pgid == s->pgid || p->pid == s->pgid)
		s->found = true;
}

/* Does id name something of kind type (Linux's find_vpid finds any task
 * id; a group is found by its number too)? */
static bool owner_exists(int type, int id)
{
	struct process *p;

	if (type == F_OWNER_PGRP) {
		struct pgrp_find s = { id, false };
		process_for_each(pgrp_match, &s);
		return s.found;
	}
	return process_find_thread(id, &p) != NULL || process_find(id) != NULL;
}

static long set_owner(struct file *f, int type, int id)
{
	if (id < 0 || (id && !owner_exists(type, id)))
		return -ESRCH;
	f->own_type = type;
	f->own_pid = id;
	return 0;
}

/* F_SETOWN: a pid, or a process group as its negative. */
static long setown(struct file *f, int who)
{
	if (who == INT32_MIN)
		return -EINVAL;
	return who < 0 ? set_owner(f, F_OWNER_PGRP, -who) : set_owner(f, F_OWNER_PID, who);
}

static long setown_ex(struct file *f, uptr_t arg)
{
	struct f_owner_ex_k o;

	if (copy_from_user(&o, arg, sizeof(o)))
		return -EFAULT;
	if (o.type != F_OWNER_TID && o.type != F_OWNER_PID && o.type != F_OWNER_PGRP)
		return -EINVAL;
	return set_owner(f, o.type, o.pid);
}

static long getown_ex(const struct file *f, uptr_t arg)
{
	struct f_owner_ex_k o = { f->own_type, f->own_pid };

	return copy_to_user(arg, &o, sizeof(o)) ? -EFAULT : 0;
}

long fown_fcntl(struct file *f, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case F_SETOWN: return setown(f, (int)arg);
	case F_GETOWN: return f->own_type == F_OWNER_PGRP ? -(long)f->own_pid : f->own_pid;
	case F_SETOWN_EX: return setown_ex(f, arg);
	case F_GETOWN_EX: return getown_ex(f, arg);
	case F_SETSIG:
		if (arg > NSIG)
			return -EINVAL;
		f->own_sig = (int)arg;
		return 0;
	case F_GETSIG: return f->own_sig;
	default: return -EINVAL;
	}
}

/* ---------------------------------------------------------------- O_ASYNC */

static void async_remove(struct file *f)
{
	for (struct file **pp = &fown_async_files; *pp; pp = &(*pp)->async_next)
		if (*pp == f) {
			*pp = f->async_next;
			f->async_next = NULL;
			return;
		}
}

void fown_setfl(struct file *f, int fd, unsigned flags)
{
	bool on = flags & O_ASYNC, was = f->flags & O_ASYNC;

	if (on == was)
		return;
	if (on) {
		f->async_fd = fd;
		f->async_next = fown_async_files;
		fown_async_files = f;
	} else {
		async_remove(f);
	}
}

void fown_release(struct file *f)
{
	if (fown_async_files)
		async_remove(f); /* whatever its flags say now: never leave a freed file listed */
}

/* Signal f's owner that code (POLL_IN, POLL_OUT) happened. */
static void send_io_fd(const struct file *f, int fd, int code)
{
	int64_t band = code == POLL_IN ? POLLIN | POLLRDNORM :
		       code == POLL_MSG ? POLLIN | POLLRDNORM | POLLMSG : POLLOUT | POLLWRNORM | POLLWRBAND;
	struct process *p = NULL;
	struct thread *t = NULL;

	if (!f->own_pid)
		return;
	if (f->own_type == F_OWNER_PGRP) {
		signal_send_pgrp(f->own_pid, f->own_sig ? f->own_sig : SIGIO);
		return;
	}
	if (f->own_type == F_OWNER_TID)
		t = process_find_thread(f->own_pid, &p);
	else
		p = process_find(f->own_pid);
	if (!p)
		return;
	if (!f->own_sig)
		signal_send_kernel(p, SIGIO); /* no siginfo details, as Linux */
	else
		signal_send_poll(p, t, f->own_sig, code, fd, band);
}

static void send_io(const struct file *f, int code)
{
	send_io_fd(f, f->async_fd, code);
}

void fown_signal(const struct file *f, int fd, int code)
{
	send_io_fd(f, fd, code);
}

long fown_set_self(struct file *f)
{
	return set_owner(f, F_OWNER_PID, current_process()->pid);
}

void fown_notify_async(const void *obj, int code)
{
	for (struct file *f = fown_async_files; f; f = f->async_next) {
		if (f->priv != obj)
			continue;
		unsigned acc = f->flags & O_ACCMODE;
		bool reads = acc == O_RDONLY || acc == O_RDWR, writes = acc == O_WRONLY || acc == O_RDWR;
		if ((code == POLL_IN && reads) || (code == POLL_OUT && writes))
			send_io(f, code);
	}
}

void fown_notify_locking(const void *obj, int code)
{
	bool taken = klock_enter_unless_held();
	fown_notify(obj, code);
	klock_leave_taken(taken);
}
