// SPDX-License-Identifier: MIT
/*
 * Kestrel: threads and the scheduler. One FIFO run queue shared by every
 * CPU, round robin with a time slice of one timer tick; each CPU has an
 * idle thread that halts when nothing it may run is runnable. All
 * scheduler state changes under the kernel lock with interrupts off
 * (arch/x86_64/klock.h: one CPU at a time in the kernel, so interrupts off
 * is the lock as it was on a single CPU). The kernel is not preempted: a
 * timer tick only switches threads when it interrupted user mode, or when
 * the running thread gives up the CPU itself. A thread runs on one CPU at
 * a time: it is only in the run queue once switched away, and a CPU takes
 * it from there only with the lock, after the switch away finished.
 */
#include "proc/sched.h"
#include "proc/lockcheck.h"
#include "proc/process.h"
#include "proc/ktimer.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/vectors.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "time/time.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vmalloc.h"
#include "lib/printf.h"
#include "panic.h"
#include "log.h"

/* Lock rule: the kernel lock with interrupts off, except that an idle
 * CPU reads run_head without it, as a hint (idle_loop). */
static struct thread *run_head, *run_tail;
static struct cpu_ticks cpu_ticks[SMP_MAX_CPUS]; /* each CPU writes its own */
static int next_tid = 1;
/* Bit i: CPU i halts in its idle loop and wants a VEC_IPI_RESCHED when a
 * thread it may run becomes runnable. Atomic: idle CPUs set their bit
 * without the kernel lock. */
static uint64_t idle_cpus;
/* Incremented by every enqueue (kernel lock); idle CPUs read it without
 * the lock to learn that the queue changed since their last look. */
static uint64_t enqueue_gen;

static uint64_t cpu_bit(unsigned cpu)
{
	return 1ull << cpu;
}

uint64_t sched_online_mask(void)
{
	unsigned n = smp_cpus_online();

	return n >= 64 ? ~0ull : cpu_bit(n) - 1;
}

static bool is_idle(const struct thread *t)
{
	return t == this_cpu()->idle;
}

/* t became runnable: if an idle CPU may run it (not this one, which looks
 * at the queue itself when it next schedules), wake one such CPU. The
 * fence orders the enqueue before the read of idle_cpus, against the idle
 * loop's publish-then-look (no lost wake-up). */
static void kick_idle_cpu(const struct thread *t)
{
	__atomic_store_n(&enqueue_gen, enqueue_gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint64_t m = __atomic_load_n(&idle_cpus, __ATOMIC_RELAXED) & t->cpus_allowed &
		     ~cpu_bit(smp_cpu_id());
	if (!m)
		return;
	unsigned cpu = (unsigned)__builtin_ctzll(m);
	__atomic_fetch_and(&idle_cpus, ~cpu_bit(cpu), __ATOMIC_RELAXED);
	smp_send_ipi(cpu, VEC_IPI_RESCHED);
}

static void run_enqueue(struct thread *t)
{
	t->run_next = NULL;
	if (run_tail)
		run_tail->run_next = t;
	else
		__atomic_store_n(&run_head, t, __ATOMIC_RELAXED);
	run_tail = t;
	kick_idle_cpu(t);
}

/* The first queued thread this CPU may run, taken out of the queue. */
static struct thread *run_dequeue(void)
{
	uint64_t me = cpu_bit(smp_cpu_id());
	struct thread *prev = NULL;

	for (struct thread *t = run_head; t; prev = t, t = t->run_next) {
		if (!(t->cpus_allowed & me))
			continue;
		if (prev)
			prev->run_next = t->run_next;
		else
			__atomic_store_n(&run_head, t->run_next, __ATOMIC_RELAXED);
		if (run_tail == t)
			run_tail = prev;
		return t;
	}
	return NULL;
}

/* Wake t if it sleeps: runnable, its sleep timer cancelled (a no-op when
 * the timer is what fired). Interrupts off. */
static void wake(struct thread *t)
{
	if (t->state == THREAD_SLEEPING) {
		t->state = THREAD_RUNNABLE;
		ktimer_cancel(&t->sleep_timer);
		run_enqueue(t);
	} else if (t->state == THREAD_RUNNING) {
		sched_kick(t); /* in user mode elsewhere: have it look at its signals now */
	}
}

void sched_kick(struct thread *t)
{
	if (t->state == THREAD_RUNNING && t->cpu != smp_cpu_id())
		smp_send_ipi(t->cpu, VEC_IPI_RESCHED);
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
	lockcheck_none_held("a thread switch"); /* debug builds */
	arch_switch_prepare(&prev->arch, &next->arch, next->kstack_top);
	if (next->proc) {
		uint64_t pml4 = process_pml4(next->proc);
		if (pml4 != arch_current_pml4()) { /* CR3 only when it changes */
			arch_switch_pml4(pml4);
			tlb_note_loaded(pml4);
		}
	}
	uint64_t now = time_ns();
	prev->run_ns += now - prev->run_since;
	next->run_since = now;
	unsigned cpu = smp_cpu_id();
	cpu_ticks[cpu].switches++;
	this_cpu()->current = next;
	next->state = THREAD_RUNNING;
	next->cpu = cpu;
	prev->klock_depth = klock_depth(); /* the CPU keeps the lock: next's hold */
	klock_set_depth(next->klock_depth);
	arch_switch_to(&prev->arch, &next->arch);
}

/* Pick the next thread and run it. Interrupts off. */
static void schedule(void)
{
	struct thread *prev = current_thread();

	this_cpu()->need_resched = false;
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_RUNNABLE;
		if (!is_idle(prev))
			run_enqueue(prev);
	}
	struct thread *next = run_dequeue();
	if (!next)
		next = this_cpu()->idle;
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

/* The first thing a new user thread runs: it leaves for user mode by
 * trap_return, without the kernel lock. Interrupts off. */
void sched_tail_user(void);
void sched_tail_user(void)
{
	klock_leave();
}

/* ---- kernel stack high-water mark ---- */

static size_t kstack_peak;          /* deepest use by a thread that exited since the last take */
static char kstack_peak_name[16];   /* and that thread's name */

/* Bytes of t's stack ever used: from the top down to the lowest non-zero
 * word. kstack_alloc hands out zeroed pages, so no paint is needed; a
 * zero written at the very deepest point can hide a few words, which
 * does not matter to a half-the-stack limit. The untouched part is
 * most of the stack: it is skipped KSTACK_SCAN_WORDS at a time. */
#define KSTACK_SCAN_WORDS 8
static size_t kstack_used(const struct thread *t)
{
	const uint64_t *w = (const uint64_t *)(t->kstack_top - KSTACK_SIZE);
	size_t i = 0, n = KSTACK_SIZE / sizeof(*w);

	for (; i + KSTACK_SCAN_WORDS <= n; i += KSTACK_SCAN_WORDS)
		if ((w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] |
		     w[i + 7]) != 0)
			break;
	while (i < n && w[i] == 0)
		i++;
	return KSTACK_SIZE - i * sizeof(*w);
}

/* What the exit path may still write below the depth measured at
 * thread_exit (process_thread_exited, the last schedule): zeroed again
 * with the rest when the stack is reused (kstack_free_dirty). */
#define KSTACK_EXIT_MARGIN 2048

/* At thread exit (interrupts off): keep the deepest use seen, and how
 * much of the stack its next user must find zeroed again. */
static void kstack_note(struct thread *t)
{
	size_t used = t->kstack_top ? kstack_used(t) : 0;

	t->kstack_dirty = used + KSTACK_EXIT_MARGIN;

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
	t->kstack_dirty = KSTACK_SIZE; /* until thread_exit measures it */
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->sleep_timer.fire = sleep_timeout;
	t->klock_depth = 1; /* it first runs where switch_to put it: in the kernel */
	t->cpus_allowed = ~0ull;
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
	struct thread *creator = current_thread();
	if (creator && creator->proc) /* fork and clone keep the affinity (Linux) */
		t->cpus_allowed = creator->cpus_allowed;
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
	kstack_free_dirty(t->kstack_top, t->kstack_dirty);
	kfree(t->arch.fpu);
	cred_release(&t->cred);
	kfree(t);
}

void sched_yield(void)
{
	uint64_t f = irq_save();
	schedule();
	klock_relax(); /* let the other CPUs into the kernel too */
	irq_restore(f);
}

/* Charge one tick to what the CPU was doing when tf was interrupted. */
static void charge_tick(const struct trap_frame *tf)
{
	struct thread *t = current_thread();
	bool user = arch_frame_is_user(tf);
	struct cpu_ticks *c = &cpu_ticks[smp_cpu_id()];

	if (is_idle(t)) {
		c->idle++;
		return;
	}
	if (user)
		c->user++;
	else
		c->sys++;
	if (t->proc) {
		process_charge_tick(t->proc, user);
		itimer_charge(t->proc, user, NSEC_PER_SEC / TIME_TICK_HZ);
	}
}

uint64_t thread_run_ns(const struct thread *t)
{
	uint64_t flags = irq_save();
	uint64_t ns = t->run_ns;

	if (t->state == THREAD_RUNNING) /* here or on another CPU */
		ns += time_ns() - t->run_since;
	irq_restore(flags);
	return ns;
}

struct cpu_ticks sched_cpu_ticks_of(unsigned cpu)
{
	struct cpu_ticks c = { 0, 0, 0, 0 };
	uint64_t flags = irq_save();

	if (cpu < smp_cpus_online())
		c = cpu_ticks[cpu];
	irq_restore(flags);
	return c;
}

struct cpu_ticks sched_cpu_ticks(void)
{
	struct cpu_ticks sum = { 0, 0, 0, 0 };

	for (unsigned i = 0; i < smp_cpus_online(); i++) {
		struct cpu_ticks c = sched_cpu_ticks_of(i);
		sum.user += c.user;
		sum.sys += c.sys;
		sum.idle += c.idle;
		sum.switches += c.switches;
	}
	return sum;
}

/* Every CPU's tick. Without the kernel lock (an application processor
 * that was idle, or a CPU halted waiting for the lock: trap.c) it only
 * counts; with it, it also runs the timers that came due (ktimer_run
 * does each slot once, whichever CPU asks first: a boot CPU waiting for
 * the lock delays no sleeper). */
void sched_tick(const struct trap_frame *tf)
{
	if (!klock_held()) { /* idle, or halted waiting for the lock */
		if (is_idle(current_thread()))
			cpu_ticks[smp_cpu_id()].idle++;
		this_cpu()->need_resched = true;
		return;
	}
	charge_tick(tf);
	ktimer_run(time_ns()); /* sleepers whose deadline passed, ITIMER_REAL */
	this_cpu()->need_resched = true;
}

void sched_preempt_point(struct trap_frame *tf)
{
	if (this_cpu()->need_resched && arch_frame_is_user(tf))
		schedule();
}

void sched_cond_resched(void)
{
	if (this_cpu()->need_resched)
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

/* Halt until something was enqueued after this CPU's last look at the
 * queue (generation seen): without the kernel lock, so the other CPUs
 * run the kernel meanwhile. The CPU is published in idle_cpus before the
 * last look, so an enqueue after that look sends it the IPI (no lost
 * wake-up). A thread it may not run wakes it once; its next look under
 * the lock finds nothing and it halts again. Interrupts off on entry and
 * return; the lock is not held. */
static void idle_wait(uint64_t me, uint64_t seen)
{
	while (__atomic_load_n(&enqueue_gen, __ATOMIC_RELAXED) == seen) {
		__atomic_fetch_or(&idle_cpus, me, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&enqueue_gen, __ATOMIC_SEQ_CST) != seen)
			break;
		cpu_idle_wait(); /* sti; hlt: an interrupt in sti's shadow still wakes it */
		cpu_cli();
	}
	__atomic_fetch_and(&idle_cpus, ~me, __ATOMIC_RELAXED);
}

/* Each CPU's idle thread: run what the queue holds for this CPU (schedule
 * returns here when nothing is left for it), then halt without the kernel
 * lock. Entered holding the lock. */
static void idle_loop(void *unused)
{
	(void)unused;
	for (;;) {
		cpu_cli();
		schedule();
		uint64_t seen = enqueue_gen; /* under the lock: nothing for us as of seen */
		klock_leave();
		idle_wait(cpu_bit(smp_cpu_id()), seen);
		klock_enter();
	}
}

/* The wake-up IPI: its work is done by being taken (the idle loop looks
 * at the queue; from user mode, trap_dispatch's return checks run). */
static void resched_ipi(struct trap_frame *tf)
{
	(void)tf;
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
	boot.cpus_allowed = cpu_bit(0); /* the boot CPU's own work: device set-up, the self-test */
	this_cpu()->current = &boot;
	arch_thread_boot_init();
	struct thread *idle = thread_create_kernel("idle", idle_loop, NULL);
	if (!idle)
		panic("sched: no memory for the idle thread");
	idle->state = THREAD_RUNNING; /* never queued: schedule() falls back to it */
	idle->cpus_allowed = cpu_bit(0);
	this_cpu()->idle = idle;
	irq_set_handler(VEC_IPI_RESCHED, resched_ipi);
	timer_tick_hook = sched_tick;
}

void sched_ap_enter(void)
{
	unsigned cpu = smp_cpu_id();

	klock_enter(); /* before anything shared: the heap too */
	struct thread *idle = kzalloc(sizeof(*idle));
	if (!idle)
		panic("sched: no memory for CPU %u's idle thread", cpu);
	idle->state = THREAD_RUNNING;
	idle->tid = 0;
	ksnprintf(idle->name, sizeof(idle->name), "idle/%u", cpu);
	idle->kstack_top = 0; /* its bring-up stack: never used for ring-3 traps */
	idle->sleep_timer.fire = sleep_timeout;
	idle->cpus_allowed = cpu_bit(cpu);
	idle->cpu = cpu;
	idle->run_since = time_ns();
	this_cpu()->current = idle;
	this_cpu()->idle = idle;
	idle_loop(NULL);
	panic("sched: CPU %u's idle loop returned", cpu);
}

int sched_set_affinity(struct thread *t, uint64_t mask)
{
	mask &= sched_online_mask();
	if (!mask)
		return -EINVAL;
	uint64_t f = irq_save();
	t->cpus_allowed = mask;
	if (t->state == THREAD_RUNNING && !(mask & cpu_bit(t->cpu))) {
		if (t == current_thread())
			schedule(); /* requeued: a CPU it may run on takes it */
		else {
			smp_cpu(t->cpu)->need_resched = true; /* its return to user mode moves it */
			sched_kick(t);
		}
	}
	irq_restore(f);
	return 0;
}
