// SPDX-License-Identifier: MIT
/*
 * Kestrel: seccomp, as Linux 6.1's (kernel/seccomp.c): seccomp(2),
 * prctl's PR_GET_SECCOMP and PR_SET_SECCOMP, and the check each system
 * call's entry makes (seccomp_syscall_enter, called by sys/syscall.c
 * after a tracer's entry stop, as Linux's syscall_trace_enter orders
 * them).
 *
 * Strict mode allows read, write, exit and rt_sigreturn; any other call
 * ends the thread as SIGKILL would. Filter mode runs the thread's
 * classic BPF filters, newest first, over a struct seccomp_data, and
 * acts on the return value of highest precedence: KILL_PROCESS,
 * KILL_THREAD (SIGSYS with a core; the thread alone while others live),
 * TRAP (SIGSYS with si_code SYS_SECCOMP, si_call_addr, si_syscall,
 * si_arch and si_errno; the call skipped, RAX left as it came), ERRNO (the data, at most MAX_ERRNO), TRACE and
 * USER_NOTIF (-ENOSYS: Kestrel has no PTRACE_O_TRACESECCOMP stops and no
 * notification listeners, as Linux with no tracer and no listener), LOG
 * and ALLOW.
 *
 * The filters run on net/bpf.c's classic BPF checker and interpreter.
 * A seccomp filter's loads are aligned 32-bit words of struct
 * seccomp_data in the machine's order, where a socket filter's are
 * bytes in network order: so the data is handed to bpf_run with each
 * word byte-swapped, and only aligned word loads inside it pass the
 * check (Linux's seccomp_check_filter), which makes the two the same.
 *
 * Not done: SECCOMP_FILTER_FLAG_NEW_LISTENER (user notification) and
 * TSYNC for a process of more than one thread (-EINVAL for both, where
 * Linux 6.1 has them); a 32-bit int $0x80 ABI (Kestrel's int $0x80
 * takes the x86_64 numbers, so the data says AUDIT_ARCH_X86_64).
 */
#include "sys/syscall_define.h"
#include "sys/seccomp.h"
#include "net/bpf.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "mm/heap.h"
#include "mm/usercopy.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "uapi/capability.h"
#include "uapi/prctl.h"
#include "uapi/seccomp.h"
#include "uapi/signal.h"
#include "uapi/unistd.h"
#include "uapi/wait.h"

#define MAX_ERRNO 4095              /* the largest errno a return value can carry */
#define MAX_INSNS_PER_PATH 32768    /* Linux's limit on a chain, each filter counting len + 4 */
#define FILTER_PENALTY 4
#define DATA_WORDS (sizeof(struct seccomp_data) / sizeof(uint32_t))
#define FILTER_FLAGS_KNOWN (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | \
			    SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_NEW_LISTENER | \
			    SECCOMP_FILTER_FLAG_TSYNC_ESRCH | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* ---- attaching -------------------------------------------------------------- */

/* Linux's seccomp_check_filter: the opcodes a seccomp filter may use; a
 * load from the data only as an aligned word inside struct
 * seccomp_data (BPF_LEN reads its size, as Linux's conversion makes it). */
static bool insn_allowed(const struct sock_filter *f)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return f->k < sizeof(struct seccomp_data) && !(f->k & 3);
	case BPF_LD | BPF_W | BPF_LEN: case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM: case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		return false;
	}
}

/*
 * A new filter from the user's struct sock_fprog at uprog, in Linux's
 * order: -EFAULT for the struct, -EINVAL for a length of 0 or past
 * BPF_MAXINSNS, -EACCES without no_new_privs or CAP_SYS_ADMIN, -EFAULT
 * for the instructions, -EINVAL when the classic check or seccomp's
 * refuses them, -ENOMEM. The filter is the caller's, one reference.
 */
static long filter_prepare(uptr_t uprog, struct seccomp_filter **out)
{
	struct sock_fprog fprog;
	struct seccomp_filter *f;

	if (copy_from_user(&fprog, uprog, sizeof(fprog)))
		return -EFAULT;
	if (fprog.len == 0 || fprog.len > BPF_MAXINSNS)
		return -EINVAL;
	if (!current_thread()->no_new_privs && !capable(CAP_SYS_ADMIN))
		return -EACCES;
	if (!(f = kzalloc(sizeof(*f) + fprog.len * sizeof(struct sock_filter))))
		return -ENOMEM;
	f->refs = 1;
	f->len = fprog.len;
	if (copy_from_user(f->insns, fprog.filter, fprog.len * sizeof(struct sock_filter))) {
		kfree(f);
		return -EFAULT;
	}
	bool ok = bpf_check(f->insns, f->len) == 0;
	for (unsigned pc = 0; ok && pc < f->len; pc++)
		ok = insn_allowed(&f->insns[pc]);
	if (!ok) {
		kfree(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* Linux's seccomp_may_assign_mode: a thread's mode is set once. */
static bool may_assign(const struct seccomp_state *s, int mode)
{
	return s->mode == SECCOMP_MODE_DISABLED || s->mode == mode;
}

/* Only one thread: TSYNC has nothing to synchronise. */
static bool single_threaded(void)
{
	return current_process()->nthreads <= 1;
}

/* SECCOMP_SET_MODE_FILTER: flags, then the filter, then the mode. */
static long set_mode_filter(unsigned flags, uptr_t uprog)
{
	struct seccomp_state *s = &current_thread()->seccomp;
	struct seccomp_filter *f;
	long err;

	if (flags & ~FILTER_FLAGS_KNOWN)
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ||
	    ((flags & SECCOMP_FILTER_FLAG_TSYNC) && !single_threaded()))
		return -EINVAL; /* not done (see the header) */
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) && !(flags & SECCOMP_FILTER_FLAG_TSYNC))
		return -EINVAL;
	if ((err = filter_prepare(uprog, &f)))
		return err;
	uint32_t below = s->filter ? s->filter->path_insns : 0;
	f->path_insns = below + f->len + FILTER_PENALTY;
	if (!may_assign(s, SECCOMP_MODE_FILTER) || f->path_insns > MAX_INSNS_PER_PATH) {
		err = may_assign(s, SECCOMP_MODE_FILTER) ? -ENOMEM : -EINVAL;
		kfree(f);
		return err;
	}
	f->prev = s->filter; /* the thread's reference passes to the new filter */
	s->filter = f;
	__atomic_store_n(&s->mode, SECCOMP_MODE_FILTER, __ATOMIC_RELAXED);
	return 0;
}

static long set_mode_strict(unsigned flags, uptr_t uargs)
{
	struct seccomp_state *s = &current_thread()->seccomp;

	if (flags || uargs)
		return -EINVAL;
	if (!may_assign(s, SECCOMP_MODE_STRICT))
		return -EINVAL;
	__atomic_store_n(&s->mode, SECCOMP_MODE_STRICT, __ATOMIC_RELAXED);
	return 0;
}

/* SECCOMP_GET_ACTION_AVAIL: 0 for an action this kernel knows, else -EOPNOTSUPP. */
static long action_avail(unsigned flags, uptr_t uaction)
{
	uint32_t action;

	if (flags)
		return -EINVAL;
	if (copy_from_user(&action, uaction, sizeof(action)))
		return -EFAULT;
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS: case SECCOMP_RET_KILL_THREAD: case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO: case SECCOMP_RET_USER_NOTIF: case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG: case SECCOMP_RET_ALLOW:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static long notif_sizes(unsigned flags, uptr_t usizes)
{
	const struct seccomp_notif_sizes sizes = {
		.seccomp_notif = SECCOMP_NOTIF_SIZE, .seccomp_notif_resp = SECCOMP_NOTIF_RESP_SIZE,
		.seccomp_data = sizeof(struct seccomp_data),
	};

	if (flags)
		return -EINVAL;
	return copy_to_user(usizes, &sizes, sizeof(sizes));
}

/* Linux's do_seccomp: op, flags, and what op reads or writes. */
static long do_seccomp(unsigned op, unsigned flags, uptr_t uargs)
{
	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		return set_mode_strict(flags, uargs);
	case SECCOMP_SET_MODE_FILTER:
		return set_mode_filter(flags, uargs);
	case SECCOMP_GET_ACTION_AVAIL:
		return action_avail(flags, uargs);
	case SECCOMP_GET_NOTIF_SIZES:
		return notif_sizes(flags, uargs);
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE3(seccomp, unsigned int, op, unsigned int, flags, uptr_t, uargs)
{
	return do_seccomp(op, flags, uargs);
}

long seccomp_prctl(int option, unsigned long arg2, unsigned long arg3)
{
	if (option == PR_GET_SECCOMP)
		return current_thread()->seccomp.mode;
	if (arg2 == SECCOMP_MODE_STRICT)
		return do_seccomp(SECCOMP_SET_MODE_STRICT, 0, 0);
	if (arg2 == SECCOMP_MODE_FILTER)
		return do_seccomp(SECCOMP_SET_MODE_FILTER, 0, arg3);
	return -EINVAL;
}

/* ---- at each system call --------------------------------------------------- */

/* Strict mode's calls (Linux's mode1_syscalls). */
static bool strict_allowed(uint64_t nr)
{
	return nr == SYS_read || nr == SYS_write || nr == SYS_exit || nr == SYS_rt_sigreturn;
}

/* The filters' verdict on call nr of frame tf: each filter runs, and the
 * action of highest precedence wins (the lowest as a signed number; the
 * first filter to give it, the newest, gives the data). */
static uint32_t run_filters(const struct seccomp_filter *f, uint64_t nr, const struct trap_frame *tf)
{
	struct seccomp_data d = {
		.nr = (int32_t)nr, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = tf->rip,
		.args = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 },
	};
	uint32_t words[DATA_WORDS];
	uint32_t ret = SECCOMP_RET_ALLOW;

	memcpy(words, &d, sizeof(words));
	for (size_t i = 0; i < DATA_WORDS; i++)
		words[i] = be32(words[i]); /* bpf_run's word loads read network order */
	const struct bpf_pkt pkt = { .head = (const uint8_t *)words, .len = sizeof(words) };
	for (; f; f = f->prev) {
		uint32_t cur = bpf_run(f->insns, f->len, &pkt);
		if ((int32_t)(cur & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
			ret = cur;
	}
	return ret;
}

/* SIGSYS for this thread now, with the call's details in its siginfo;
 * with core, its default action forced (Linux's force_sig_seccomp). */
static void force_sigsys(struct thread *t, uint64_t nr, const struct trap_frame *tf, int data, bool core)
{
	t->fault_sys = (uint32_t)nr | (uint64_t)AUDIT_ARCH_X86_64 << 32;
	t->fault_errno = data;
	if (core)
		current_process()->sighand->action[SIGSYS - 1].handler = SIG_DFL;
	signal_force_fault(SIGSYS, SYS_SECCOMP, tf->rip);
}

/* A kill: the process by SIGSYS with a core, or the thread alone (as
 * Linux's do_exit(SIGSYS)) when KILL_THREAD leaves others alive. */
static long kill_for(struct thread *t, uint32_t action, uint64_t nr, const struct trap_frame *tf)
{
	if (action == SECCOMP_RET_KILL_THREAD && !single_threaded())
		process_thread_exit_current(WSTATUS_SIGNALED(SIGSYS));
	force_sigsys(t, nr, tf, 0, true);
	return -ENOSYS;
}

bool seccomp_syscall_enter(struct thread *t, struct trap_frame *tf, uint64_t nr, long *ret)
{
	if (t->seccomp.mode == SECCOMP_MODE_STRICT) {
		if (strict_allowed(nr))
			return true;
		process_thread_exit_current(WSTATUS_SIGNALED(SIGKILL)); /* Linux's do_exit(SIGKILL) */
	}
	uint32_t r = run_filters(t->seccomp.filter, nr, tf);
	uint32_t action = r & SECCOMP_RET_ACTION_FULL;
	int data = (int)(r & SECCOMP_RET_DATA);

	switch (action) {
	case SECCOMP_RET_ALLOW: case SECCOMP_RET_LOG:
		return true;
	case SECCOMP_RET_ERRNO:
		*ret = -(long)(data > MAX_ERRNO ? MAX_ERRNO : data);
		return false;
	case SECCOMP_RET_TRAP:
		force_sigsys(t, nr, tf, data, false);
		*ret = (long)nr; /* Linux's syscall_rollback: RAX as it came, for the handler to change */
		return false;
	case SECCOMP_RET_TRACE: case SECCOMP_RET_USER_NOTIF:
		*ret = -ENOSYS; /* no tracer asked for seccomp stops; no listener */
		return false;
	default: /* KILL_PROCESS, KILL_THREAD and any unknown action */
		*ret = kill_for(t, action == SECCOMP_RET_KILL_THREAD ? action : SECCOMP_RET_KILL_PROCESS, nr, tf);
		return false;
	}
}
