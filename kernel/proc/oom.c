// SPDX-License-Identifier: MIT
/*
 * Kestrel: user page faults under the process's limits, and the
 * out-of-memory killer. A fault that finds no page (or no page table)
 * does not fail the program that happened to touch memory last: the
 * process holding the most resident pages is sent SIGKILL, as Linux's
 * OOM killer does (init only when nothing else is left), and the fault
 * is retried once that victim is gone. A victim frees its address space
 * when it exits (proc/process.c), not when it is reaped.
 */
#include "proc/oom.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "mm/layout.h"
#include "mm/uvm.h"
#include "mm/pmm.h"
#include "log.h"

#define OOM_INIT_PID 1

/* The process last killed for memory, until it is no longer alive; only
 * the page-fault path touches it (interrupts off). */
static int oom_victim_pid;

struct oom_pick {
	struct process *best;   /* largest other than init */
	struct process *init;
};

static bool killable(const struct process *p)
{
	return p->state == PROC_ALIVE && p->vm && !p->exiting;
}

static void consider(struct process *p, void *arg)
{
	struct oom_pick *k = arg;

	if (!killable(p))
		return;
	if (p->pid == OOM_INIT_PID)
		k->init = p;
	else if (!k->best || p->vm->resident > k->best->vm->resident)
		k->best = p;
}

/* True while the previous victim is still alive (its memory not back). */
static bool victim_pending(void)
{
	struct process *v = oom_victim_pid ? process_find(oom_victim_pid) : NULL;

	if (v && v->state == PROC_ALIVE)
		return true;
	oom_victim_pid = 0;
	return false;
}

/* Choose and kill a victim: the largest process, init only if alone. */
static void oom_kill(void)
{
	struct oom_pick k = { NULL, NULL };

	process_for_each(consider, &k);
	struct process *v = k.best ? k.best : k.init;
	if (!v)
		return;
	klog(LOG_ERR, "kestrel: out of memory: killed pid %d (%s), %lu KiB\n", v->pid, v->name,
	     (unsigned long)(v->vm->resident * (PAGE_SIZE / 1024)));
	oom_victim_pid = v->pid;
	signal_send_kernel(v, SIGKILL);
}

/* Out of memory in p's fault from ring 3: kill someone (unless a victim
 * is already dying) and let the fault be retried; p itself, if chosen,
 * dies of the SIGKILL on its way back to user mode. */
static void out_of_memory(struct process *p)
{
	if (pmm_reclaim(OOM_RECLAIM_PAGES) || uvm_shared_reclaim(OOM_RECLAIM_PAGES))
		return; /* a cache gave pages back: retry the fault first */
	if (!victim_pending())
		oom_kill();
	if (oom_victim_pid && oom_victim_pid != p->pid && !fatal_signal_pending())
		sched_yield(); /* let the victim run to its end */
}

bool process_page_fault(struct process *p, uint64_t va, bool write, bool exec, bool from_user)
{
	struct uvm_limits lim = { rlimit_cur(p, RLIMIT_STACK), rlimit_cur(p, RLIMIT_AS) };
	enum uvm_fault r = uvm_handle_fault(p->vm, va, write, exec, &lim);

	if (r == UVM_FAULT_DONE)
		return true;
	if (r == UVM_FAULT_BAD || r == UVM_FAULT_SIGBUS || !from_user)
		return false;
	out_of_memory(p);
	return true;
}
