// SPDX-License-Identifier: MIT
/* Kestrel: process creation, exit, kill and wait. */
#include "proc/process.h"
#include "proc/exec.h"
#include "mm/heap.h"
#include "mm/uvm.h"
#include "mm/vmm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"

static int next_pid = 1;

struct process *current_process(void)
{
	struct thread *t = current_thread();
	return t ? t->proc : NULL;
}

uint64_t process_pml4(const struct process *p)
{
	return p->vm->pml4;
}

const char *process_name(const struct process *p)
{
	return p->name;
}

static void set_name(struct process *p, const char *path)
{
	const char *base = path;
	for (const char *s = path; *s; s++)
		if (*s == '/')
			base = s + 1;
	strlcpy(p->name, base, sizeof(p->name));
}

struct process *process_spawn(const char *path, const char *const argv[],
			      const char *const envp[], int *err)
{
	struct process *p = kzalloc(sizeof(*p));
	struct exec_image img;

	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	set_name(p, path);
	*err = exec_load(path, argv, envp, &img);
	if (*err)
		goto fail;
	p->vm = img.vm;
	p->thread = thread_create_user(p, img.entry, img.sp);
	if (!p->thread) {
		*err = -ENOMEM;
		goto fail;
	}
	p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	p->state = PROC_ALIVE;
	thread_make_runnable(p->thread);
	return p;
fail:
	if (p->vm)
		uvm_destroy(p->vm);
	kfree(p);
	return NULL;
}

void process_thread_exited(struct process *p, struct thread *t)
{
	(void)t;
	p->state = PROC_ZOMBIE;
	wake_all(&p->exit_wq);
}

void process_exit_current(int wstatus)
{
	struct process *p = current_process();

	cpu_cli();
	p->wstatus = wstatus;
	/* Leave the dying address space: the waiter frees it. Any CR3 with
	 * the shared kernel half will do for the last few instructions. */
	arch_switch_pml4(vmm_kernel_pml4());
	thread_exit();
}

void process_kill(struct process *p, int sig)
{
	uint64_t f = irq_save();
	if (p->state == PROC_ALIVE && !p->kill_pending) {
		p->kill_pending = sig;
		if (p->thread->state == THREAD_SLEEPING)
			thread_make_runnable(p->thread);
	}
	irq_restore(f);
}

void process_check_pending(void)
{
	struct process *p = current_process();

	if (p && p->kill_pending)
		process_exit_current(WSTATUS_SIGNALED(p->kill_pending));
}

bool process_wait(struct process *p, uint64_t deadline_ns)
{
	while (p->state != PROC_ZOMBIE)
		if (!wait_on(&p->exit_wq, deadline_ns) && p->state != PROC_ZOMBIE)
			return false;
	return true;
}

void process_release(struct process *p)
{
	thread_reap(p->thread);
	uvm_destroy(p->vm);
	kfree(p);
}
