// SPDX-License-Identifier: MIT
/*
 * Kestrel: the ptrace system call, decoded (Linux's kernel/ptrace.c
 * ptrace_request and arch_ptrace). Attaching, resuming and the stops are
 * proc/ptrace.c's; the registers' layout and checks are
 * arch/x86_64/ptrace.c's; the tracee's memory is reached through its own
 * address space (mm/uvm.c), copy-on-write respected. Every request but
 * TRACEME, ATTACH, SEIZE, KILL and INTERRUPT needs the tracee stopped in
 * a ptrace-stop, with -ESRCH otherwise, as Linux.
 */
#include "sys/syscall_define.h"
#include "sys/syscall.h"
#include "proc/process.h"
#include "proc/ptrace.h"
#include "proc/signal.h"
#include "arch/x86_64/ptrace.h"
#include "arch/x86_64/signal.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/ptrace.h"

/* struct iovec, as PTRACE_GETREGSET and SETREGSET take it. */
struct iovec_k {
	uint64_t base, len;
};

#define REGSET_WORD 8 /* the regsets' element size: iov_len a multiple of it */

/* The stopped thread's saved registers and its arch state. */
static struct trap_frame *tracee_frame(struct process *t)
{
	return t->ptrace.frame;
}

static struct arch_thread *tracee_arch(struct process *t)
{
	return &t->ptrace.stopped->arch;
}

static void get_regs(struct process *t, struct user_regs_k *r)
{
	arch_ptrace_get_regs(tracee_frame(t), tracee_arch(t), ptrace_orig_rax(t), r);
}

/* Registers from the tracer, checked (arch_ptrace_set_regs); the tracee
 * then leaves through IRET, which takes every register as it is now. */
static long set_regs(struct process *t, const struct user_regs_k *r)
{
	uint64_t orig = ptrace_orig_rax(t);
	long err = arch_ptrace_set_regs(tracee_frame(t), tracee_arch(t), r, &orig);

	if (err)
		return err;
	ptrace_set_orig_rax(t, orig);
	t->ptrace.stopped->force_iret = true;
	return 0;
}

/* PEEKTEXT/PEEKDATA: the word at addr into the tracer's *data. */
static long peek(struct process *t, uint64_t addr, uptr_t data)
{
	uint64_t word;

	if (uvm_access_forced(t->vm, addr, &word, sizeof(word), false))
		return -EIO;
	return copy_to_user(data, &word, sizeof(word)) ? -EFAULT : 0;
}

/* POKETEXT/POKEDATA: data as the word at addr (a private page copied). */
static long poke(struct process *t, uint64_t addr, uint64_t data)
{
	return uvm_access_forced(t->vm, addr, &data, sizeof(data), true) ? -EIO : 0;
}

static long peek_user(struct process *t, uint64_t off, uptr_t data)
{
	uint64_t val;
	long err = arch_ptrace_peek_user(tracee_frame(t), tracee_arch(t), ptrace_orig_rax(t), off,
					 &val);

	if (err)
		return err;
	return copy_to_user(data, &val, sizeof(val)) ? -EFAULT : 0;
}

static long poke_user(struct process *t, uint64_t off, uint64_t val)
{
	uint64_t orig = ptrace_orig_rax(t);
	long err = arch_ptrace_poke_user(tracee_frame(t), tracee_arch(t), &orig, off, val);

	if (err)
		return err;
	ptrace_set_orig_rax(t, orig);
	t->ptrace.stopped->force_iret = true;
	return 0;
}

static long get_regs_user(struct process *t, uptr_t data)
{
	struct user_regs_k r;

	get_regs(t, &r);
	return copy_to_user(data, &r, sizeof(r)) ? -EFAULT : 0;
}

static long set_regs_user(struct process *t, uptr_t data)
{
	struct user_regs_k r;

	if (copy_from_user(&r, data, sizeof(r)))
		return -EFAULT;
	return set_regs(t, &r);
}

static long get_fpregs_user(struct process *t, uptr_t data)
{
	uint8_t fx[ARCH_USER_FPREGS_SIZE];

	arch_ptrace_get_fpregs(tracee_arch(t), fx);
	return copy_to_user(data, fx, sizeof(fx)) ? -EFAULT : 0;
}

static long set_fpregs_user(struct process *t, uptr_t data)
{
	uint8_t fx[ARCH_USER_FPREGS_SIZE];

	if (copy_from_user(fx, data, sizeof(fx)))
		return -EFAULT;
	arch_fpu_set_legacy(tracee_arch(t), fx);
	return 0;
}

/* The regset's bytes into buf (ARCH_USER_FPREGS_SIZE at most): its size, or -EINVAL. */
static long regset_read(struct process *t, uint64_t type, uint8_t *buf)
{
	if (type == NT_PRSTATUS) {
		struct user_regs_k r;
		get_regs(t, &r);
		memcpy(buf, &r, sizeof(r));
		return sizeof(r);
	}
	if (type == NT_PRFPREG) {
		arch_ptrace_get_fpregs(tracee_arch(t), buf);
		return ARCH_USER_FPREGS_SIZE;
	}
	return -EINVAL;
}

/* Write back the regset in buf (as changed by the tracer). */
static long regset_write(struct process *t, uint64_t type, const uint8_t *buf)
{
	if (type == NT_PRFPREG) {
		arch_fpu_set_legacy(tracee_arch(t), buf);
		return 0;
	}
	struct user_regs_k r;
	memcpy(&r, buf, sizeof(r));
	return set_regs(t, &r);
}

/* PTRACE_GETREGSET/SETREGSET: the first iov_len bytes of the regset
 * (at most all of it); iov_len becomes the length used. */
static long regset(struct process *t, bool set, uint64_t type, uptr_t uiov)
{
	uint8_t buf[ARCH_USER_FPREGS_SIZE];
	struct iovec_k iov;

	if (copy_from_user(&iov, uiov, sizeof(iov)))
		return -EFAULT;
	long size = regset_read(t, type, buf);
	if (size < 0)
		return size;
	if (iov.len % REGSET_WORD)
		return -EINVAL;
	if (iov.len > (uint64_t)size)
		iov.len = (uint64_t)size;
	if (set) {
		if (copy_from_user(buf, iov.base, iov.len))
			return -EFAULT;
		long err = regset_write(t, type, buf);
		if (err)
			return err;
	} else if (copy_to_user(iov.base, buf, iov.len)) {
		return -EFAULT;
	}
	return copy_to_user(uiov, &iov, sizeof(iov)) ? -EFAULT : 0;
}

static long siginfo(struct process *t, bool set, uptr_t data)
{
	if (set)
		return copy_from_user(&t->ptrace.info, data, sizeof(t->ptrace.info)) ? -EFAULT : 0;
	return copy_to_user(data, &t->ptrace.info, sizeof(t->ptrace.info)) ? -EFAULT : 0;
}

/* The requests that need t in a ptrace-stop. */
static long stopped_request(struct process *t, long request, uint64_t addr, uint64_t data)
{
	switch (request) {
	case PTRACE_PEEKTEXT: case PTRACE_PEEKDATA: return peek(t, addr, data);
	case PTRACE_POKETEXT: case PTRACE_POKEDATA: return poke(t, addr, data);
	case PTRACE_PEEKUSER: return peek_user(t, addr, data);
	case PTRACE_POKEUSER: return poke_user(t, addr, data);
	case PTRACE_GETREGS: return get_regs_user(t, data);
	case PTRACE_SETREGS: return set_regs_user(t, data);
	case PTRACE_GETFPREGS: return get_fpregs_user(t, data);
	case PTRACE_SETFPREGS: return set_fpregs_user(t, data);
	case PTRACE_GETREGSET: return regset(t, false, addr, data);
	case PTRACE_SETREGSET: return regset(t, true, addr, data);
	case PTRACE_GETSIGINFO: return siginfo(t, false, data);
	case PTRACE_SETSIGINFO: return siginfo(t, true, data);
	case PTRACE_GETEVENTMSG:
		return copy_to_user(data, &t->ptrace.event_msg, sizeof(uint64_t)) ? -EFAULT : 0;
	case PTRACE_SETOPTIONS: return ptrace_set_options(t, data);
	case PTRACE_CONT: return ptrace_resume(t, PTRACE_RESUME_CONT, data);
	case PTRACE_SYSCALL: return ptrace_resume(t, PTRACE_RESUME_SYSCALL, data);
	case PTRACE_SINGLESTEP: return ptrace_resume(t, PTRACE_RESUME_STEP, data);
	case PTRACE_DETACH: return ptrace_detach(t, data);
	default: return -EIO;
	}
}

/* PTRACE_ATTACH and PTRACE_SEIZE: pid names a process or any of its threads. */
static long attach(int pid, bool seize, uint64_t addr, uint64_t data)
{
	struct process *t = process_find(pid);

	if (seize && addr)
		return -EIO;
	if (!t || t->state != PROC_ALIVE)
		process_find_thread(pid, &t);
	if (!t)
		return -ESRCH;
	if (seize && data > UINT32_MAX)
		return -EINVAL;
	return ptrace_attach(t, seize, (uint32_t)data);
}

SYSCALL_DEFINE4(ptrace, long, request, long, lpid, unsigned long, addr, unsigned long, data)
{
	int pid = (int)lpid; /* Linux's pid_t */

	if (request == PTRACE_TRACEME)
		return ptrace_traceme();
	if (request == PTRACE_ATTACH || request == PTRACE_SEIZE)
		return attach(pid, request == PTRACE_SEIZE, addr, data);
	struct process *t = ptrace_tracee(pid);
	if (!t)
		return -ESRCH;
	if (request == PTRACE_KILL)
		return signal_send(t, SIGKILL);
	if (request == PTRACE_INTERRUPT)
		return ptrace_interrupt(t);
	if (!ptrace_stopped_tracee(pid))
		return -ESRCH;
	ptrace_request_begin(t); /* t stays in its stop across the request's copies */
	long ret = stopped_request(t, request, addr, data);
	ptrace_request_end(t);
	return ret;
}
