// SPDX-License-Identifier: MIT
/*
 * Kestrel: membarrier(2), as Linux 6.1's (kernel/sched/membarrier.c)
 * built without CONFIG_RSEQ (Kestrel has no rseq(2): the _RSEQ commands
 * are -EINVAL and QUERY does not list them).
 *
 * A barrier is real on many CPUs: tlb_barrier sends the TLB shootdown's
 * IPI, carrying no flush, to every CPU whose CR3 holds the caller's
 * address space (the private commands) or to every CPU (the global
 * ones), each runs an MFENCE in the handler, and the caller waits for
 * every answer. A CPU that answers from tlb_poll instead, spinning in
 * the kernel, has left its user code behind already. The handler's
 * IRET serialises its CPU, which is what the _SYNC_CORE commands ask.
 * The global commands reach more CPUs than Linux's (every one, where
 * Linux skips those running no registered process, or waits for an RCU
 * grace period): a superset, never fewer.
 */
#include "sys/syscall_define.h"
#include "proc/process.h"
#include "mm/uvm.h"
#include "arch/x86_64/tlb.h"
#include "lib/errno.h"
#include "uapi/membarrier.h"

/* struct vm_space's membarrier: what the space registered for */
#define MB_GLOBAL_EXPEDITED  (1u << 0)
#define MB_PRIVATE_EXPEDITED (1u << 1)
#define MB_SYNC_CORE         (1u << 2)

/* A private expedited barrier (and a core serialisation with sync_core)
 * on every CPU running the caller's address space: -EPERM unless the
 * space registered for it. */
static long private_expedited(uint32_t need)
{
	struct vm_space *vm = current_process()->vm;

	if (!(__atomic_load_n(&vm->membarrier, __ATOMIC_ACQUIRE) & need))
		return -EPERM;
	tlb_barrier(vm->pml4);
	return 0;
}

/* Register the caller's address space (every process sharing it). */
static long register_space(uint32_t bits)
{
	__atomic_or_fetch(&current_process()->vm->membarrier, bits, __ATOMIC_RELEASE);
	return 0;
}

/* membarrier(cmd, flags, cpu_id): -EINVAL for flags (FLAG_CPU belongs
 * to the RSEQ command alone) or an unknown command; QUERY: the
 * commands known; the private ones -EPERM before their registration. */
SYSCALL_DEFINE3(membarrier, int, cmd, unsigned int, flags, int, cpu_id)
{
	(void)cpu_id; /* the RSEQ command's */
	if (flags && (cmd != MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ || flags != MEMBARRIER_CMD_FLAG_CPU))
		return -EINVAL;
	switch (cmd) {
	case MEMBARRIER_CMD_QUERY:
		return MEMBARRIER_CMD_BITMASK;
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		tlb_barrier(0);
		return 0;
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
		return register_space(MB_GLOBAL_EXPEDITED);
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		return private_expedited(MB_PRIVATE_EXPEDITED);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		return register_space(MB_PRIVATE_EXPEDITED);
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		return private_expedited(MB_SYNC_CORE);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
		return register_space(MB_SYNC_CORE);
	default:
		return -EINVAL;
	}
}
