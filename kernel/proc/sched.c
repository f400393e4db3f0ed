// SPDX-License-Identifier: MIT
/*
 * Kestrel: threads and the scheduler. One CPU, one FIFO run queue,
 * round robin with a time slice of one timer tick; an idle thread halts
 * when nothing is runnable. All scheduler state changes with interrupts
 * off (that is the lock on a single CPU). The kernel is not preempted:
 * a timer tick only switches threads when it interrupted user mode, or
 * when the running thread gives up the CPU itself.
 */
#include "proc/sched.h"
#include "proc/process.h"
#include "proc/ktimer.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "time/time.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vmalloc.h"
#include "panic.h"
#include "log.h"

static struct thread *run_head, *run_tail;
static struct thread *idle_thread;
volatile bool need_resched;             /* sched.h: sched_resched_due() */
static struct cpu_ticks cpu_ticks;      /* interrupts off to change */
static int next_tid = 1;

static void run_enqueue(struct thread *t)
{
	t->run_next = NULL;
	if (run_tail)
		run_tail->run_next = t;
	else
		run_head = t;
	run_tail = t;
}

static struct thread *run_dequeue(void)
{
	struct thread *t = run_head;
	if (t) {
		run_head = t->run_next;
		if (!run_head)
			run_tail = NULL;
	}
	return t;
}

/* Wake t if it sleeps: runnable, its sleep timer cancelled (a no-op when
 * the timer is what fired). Interrupts off. */
static void wake(struct thread *t)
{
	if (t->state == THREAD_SLEEPING) {
		t->state = THREAD_RUNNABLE;
		ktimer_cancel(&t->sleep_timer);
		run_enqueue(t);
	}
}

/* The sleep timer fired (interrupts off). */
static void sleep_timeout(struct ktimer *k)
{
	wake((struct thread *)((char *)k - offsetof(struct thread, sleep_timer)));
}

/* Load next's CPU state (FPU, FS base, kernel stack for traps, address
 * space) and switch stacks. Interrupts off. */
static void switch_to(struct thread *prev, struct thread *next)
{
	arch_switch_prepare(&prev->arch, &next->arch, next->kstack_top);
	if (next->proc) {
		uint64_t pml4 = process_pml4(next->proc);
		if (pml4 != arch_current_pml4()) /* CR3 only when it changes */
			arch_switch_pml4(pml4);
	}
	uint64_t now = time_ns();
	prev->run_ns += now - prev->run_since;
	next->run_since = now;
	cpu_ticks.switches++;
	this_cpu()->current = next;
	next->state = THREAD_RUNNING;
	arch_switch_to(&prev->arch, &next->arch);
}

/* Pick the next thread and run it. Interrupts off. */
static void schedule(void)
{
	struct thread *prev = current_thread();

	need_resched = false;
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_RUNNABLE;
		if (prev != idle_thread)
			run_enqueue(prev);
	}
	struct thread *next = run_dequeue();
	if (!next)
		next = idle_thread;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	switch_to(prev, next);
}

/* The first thing a new thread runs, on its own stack. */
void sched_tail(void);
void sched_tail(void)
{
	cpu_sti();
}

/* ---- kernel stack high-water mark ---- */

static size_t kstack_peak;          /* deepest use by a thread that exited since the last take */
static char kstack_peak_name[16];   /* and that thread's name */

/* Bytes of t's stack ever used: from the top down to the lowest non-zero
 * word. kstack_alloc hands out zeroed pages, so no paint is needed; a
 * zero written at the very deepest point can hide a few words, which
 * does not matter to a half-the-stack limit. */
static size_t kstack_used(const struct thread *t)
{
	const uint64_t *w = (const uint64_t *)(t->kstack_top - KSTACK_SIZE);
	size_t i = 0;

	while (i < KSTACK_SIZE / sizeof(*w) && w[i] == 0)
		i++;
	return KSTACK_SIZE - i * sizeof(*w);
}

/* At thread exit (interrupts off): keep the deepest use seen. */
static void kstack_note(const struct thread *t)
{
	size_t used = t->kstack_top ? kstack_used(t) : 0;

	if (used > kstack_peak) {
		kstack_peak = used;
		memcpy(kstack_peak_name, t->name, sizeof(kstack_peak_name));
	}
}

size_t sched_kstack_peak_take(char name[16])
{
	uint64_t f = irq_save();
	size_t peak = kstack_peak;

	memcpy(name, kstack_peak_name, sizeof(kstack_peak_name));
	kstack_peak = 0;
	kstack_peak_name[0] = '\0';
	irq_restore(f);
	return peak;
}

static struct thread *thread_alloc(const char *name)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack_top = kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		return NULL;
	}
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->sleep_timer.fire = sleep_timeout;
	strlcpy(t->name, name, sizeof(t->name));
	return t;
}

struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_alloc(name);
	if (!t)
		return NULL;
	arch_thread_init_kernel(&t->arch, t->kstack_top, fn, arg);
	t->state = THREAD_SLEEPING; /* not runnable until made so */
	return t;
}

struct thread *thread_create_user(struct process *p, uint64_t rip, uint64_t rsp)
{
	struct thread *t = thread_alloc(process_name(p));
	if (!t)
		return NULL;
	void *fpu = kmalloc(arch_thread_fpu_size());
	if (!fpu) {
		thread_reap(t);
		return NULL;
	}
	t->proc = p;
	arch_thread_init_user(&t->arch, t->kstack_top, fpu, rip, rsp);
	t->state = THREAD_SLEEPING;
	return t;
}

void thread_make_runnable(struct thread *t)
{
	uint64_t f = irq_save();
	wake(t);
	irq_restore(f);
}

void thread_exit(void)
{
	struct thread *t = current_thread();

	cpu_cli();
	kstack_note(t);
	t->state = THREAD_DEAD;
	if (t->proc)
		process_thread_exited(t->proc, t);
	schedule();
	panic("thread_exit: a dead thread ran again");
}

void thread_reap(struct thread *t)
{
	uint64_t f = irq_save();
	ktimer_cancel(&t->sleep_timer);
	irq_restore(f);
	kstack_free(t->kstack_top);
	kfree(t->arch.fpu);
	cred_release(&t->cred);
	kfree(t);
}

void sched_yield(void)
{
	uint64_t f = irq_save();
	schedule();
	irq_restore(f);
}

/* Charge one tick to what the CPU was doing when tf was interrupted. */
static void charge_tick(const struct trap_frame *tf)
{
	struct thread *t = current_thread();
	bool user = arch_frame_is_user(tf);

	if (t == idle_thread) {
		cpu_ticks.idle++;
		return;
	}
	if (user)
		cpu_ticks.user++;
	else
		cpu_ticks.sys++;
	if (t->proc) {
		process_charge_tick(t->proc, user);
		itimer_charge(t->proc, user, NSEC_PER_SEC / TIME_TICK_HZ);
	}
}

uint64_t thread_run_ns(const struct thread *t)
{
	uint64_t flags = irq_save();
	uint64_t ns = t->run_ns;

	if (t == current_thread())
		ns += time_ns() - t->run_since;
	irq_restore(flags);
	return ns;
}

struct cpu_ticks sched_cpu_ticks(void)
{
	uint64_t flags = irq_save();
	struct cpu_ticks c = cpu_ticks;

	irq_restore(flags);
	return c;
}

void sched_tick(const struct trap_frame *tf)
{
	uint64_t now = time_ns();

	charge_tick(tf);
	ktimer_run(now); /* sleepers whose deadline passed, ITIMER_REAL */
	need_resched = true;
}

void sched_preempt_point(struct trap_frame *tf)
{
	if (need_resched && arch_frame_is_user(tf))
		schedule();
}

void sched_cond_resched(void)
{
	if (need_resched)
		sched_yield();
}

bool io_should_stop(void)
{
	sched_cond_resched();
	return fatal_signal_pending();
}

/* Remove t from its wait queue if it is still queued (it timed out, or a
 * signal woke it): O(1), however many wait on the same queue (a pipe's
 * writers in a fork bomb). Interrupts off. */
static void wq_remove(struct thread *t)
{
	if (!t->wait_pprev)
		return;
	*t->wait_pprev = t->wait_next;
	if (t->wait_next)
		t->wait_next->wait_pprev = t->wait_pprev;
	t->wait_next = NULL;
	t->wait_pprev = NULL;
}

bool wait_on(struct wait_queue *wq, uint64_t deadline_ns)
{
	struct thread *t = current_thread();
	uint64_t f = irq_save();

	t->state = THREAD_SLEEPING;
	if (deadline_ns != NO_DEADLINE)
		ktimer_arm(&t->sleep_timer, deadline_ns);
	if (wq) {
		t->wait_next = wq->head;
		t->wait_pprev = &wq->head;
		if (wq->head)
			wq->head->wait_pprev = &t->wait_next;
		wq->head = t;
	}
	schedule();
	ktimer_cancel(&t->sleep_timer); /* woken before the deadline */
	bool timed_out = time_ns() >= deadline_ns;
	wq_remove(t);
	irq_restore(f);
	return !timed_out;
}

int sleeplock_lock(struct sleeplock *l)
{
	uint64_t f = irq_save();

	while (l->held) {
		if (fatal_signal_pending()) {
			irq_restore(f);
			return -EINTR;
		}
		wait_on(&l->wq, NO_DEADLINE);
	}
	l->held = true;
	irq_restore(f);
	return 0;
}

void sleeplock_unlock(struct sleeplock *l)
{
	uint64_t f = irq_save();

	l->held = false;
	wake_all(&l->wq);
	irq_restore(f);
}

void wake_all(struct wait_queue *wq)
{
	uint64_t f = irq_save();
	struct thread *t = wq->head;

	wq->head = NULL;
	while (t) {
		struct thread *next = t->wait_next;
		t->wait_next = NULL;
		t->wait_pprev = NULL;
		wake(t);
		t = next;
	}
	irq_restore(f);
}

void sleep_until(uint64_t deadline_ns)
{
	while (time_ns() < deadline_ns)
		wait_on(NULL, deadline_ns);
}

static void idle_loop(void *unused)
{
	(void)unused;
	for (;;) {
		cpu_cli();
		if (run_head) {
			schedule();
			cpu_sti();
			continue;
		}
		cpu_idle_wait(); /* sti's shadow: no lost wakeup */
	}
}

/* Adopt the running boot context as a thread and start the idle thread. */
void sched_init(void)
{
	static struct thread boot;

	boot.state = THREAD_RUNNING;
	boot.tid = 0;
	memcpy(boot.name, "kmain", 6);
	boot.kstack_top = 0; /* the boot stack: never used for ring-3 traps */
	boot.sleep_timer.fire = sleep_timeout;
	this_cpu()->current = &boot;
	arch_thread_boot_init();
	idle_thread = thread_create_kernel("idle", idle_loop, NULL);
	if (!idle_thread)
		panic("sched: no memory for the idle thread");
	idle_thread->state = THREAD_RUNNABLE;
	timer_tick_hook = sched_tick;
}
