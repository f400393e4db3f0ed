// SPDX-License-Identifier: MIT
/*
 * Kestrel: threads and the scheduler. A FIFO run queue per CPU, round
 * robin with a time slice of one timer tick. A thread that becomes
 * runnable is queued on the CPU it last ran on when that CPU has nothing
 * else to run, else on the allowed CPU with the least to run
 * (select_cpu); a CPU whose queue is empty takes a thread from the
 * fullest other queue before it idles (steal), and every few ticks a CPU
 * with two threads fewer to run than the busiest takes one (balance_tick).
 * Each CPU has an idle thread that polls its queue for a while, then
 * halts (idle_wait). All scheduler state changes under the kernel lock
 * with interrupts off (arch/x86_64/klock.h: one CPU at a time in the
 * kernel, so interrupts off is the lock as it was on a single CPU). The
 * kernel is not preempted: a timer tick only switches threads when it
 * interrupted user mode, or when the running thread gives up the CPU
 * itself. A thread runs on one CPU at a time: it is only in a run queue
 * once switched away, and a CPU takes it from there only with the lock,
 * after the switch away finished.
 *
 * A thread woken from a sleep need not wait for the running thread's
 * tick: it goes first and the running thread gives up its CPU at its
 * next preemption point when it is owed the CPU (wake-up preemption,
 * below: Linux's place_entity and check_preempt_wakeup reduced to what
 * a FIFO queue needs).
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

/*
 * Run queues: one per CPU, FIFO. Lock rule: the kernel lock with
 * interrupts off; without it, gen is read by its idle CPU and nr by idle
 * CPUs looking for work to steal (both hints: a decision is made again
 * under the lock).
 */
struct runq {
	struct thread *head, *tail;
	unsigned nr;              /* threads queued (the running one is not) */
	uint64_t gen;             /* incremented by every enqueue */
	unsigned ticks;           /* its CPU's ticks with the lock, for balancing */
	uint64_t idle_since;      /* its idle loop: when it started waiting */
	uint64_t min_vrt;         /* the vrt its threads are measured from; never goes back */
	/* its idle loop's polling (idle_wait, idle_poll_learn) */
	bool poll_on;             /* poll before the next halt */
	unsigned poll_fails;      /* polls in a row that ended with nothing */
	unsigned short_halts;     /* short halts since the last poll */
} __attribute__((aligned(64)));
static struct runq runqs[SMP_MAX_CPUS];
static struct cpu_ticks cpu_ticks[SMP_MAX_CPUS]; /* each CPU writes its own */
static int next_tid = 1;
/* Bit i: CPU i is in its idle loop without the kernel lock, and wants a
 * VEC_IPI_RESCHED when a thread is queued for it unless its bit in
 * polling_cpus is also set (it is watching its queue and needs none).
 * Atomic: idle CPUs change their bits without the kernel lock. */
static uint64_t idle_cpus, polling_cpus;
/* Incremented by every enqueue on any CPU (kernel lock; read without it
 * by idle CPUs, a hint that there may be something new to steal). */
static uint64_t enqueue_gen;
/* idle=halt: never poll (idle_wait). */
static bool idle_poll_off;

/* Every BALANCE_TICKS ticks a CPU compares its load with the busiest
 * CPU's and takes a queued thread when it has at least 2 fewer. */
#define BALANCE_TICKS 4
/*
 * The idle loop's polling (as Linux's haltpoll governor does in a guest):
 * a CPU that was woken soon after it went idle watches its queue for
 * IDLE_POLL_NS before it halts next time, so that a wake-up from another
 * CPU needs no IPI and the CPU no exit from halt (both slow under a
 * hypervisor or an emulator). A poll that ends with nothing turns polling
 * off, and it comes back after 2^fails short halts (fails: such polls in
 * a row, at most IDLE_POLL_BACKOFF): when the host runs fewer CPUs than
 * the guest has, the waker's virtual CPU may need this one's host CPU,
 * no poll can succeed, and each would only delay the waker.
 */
#define IDLE_POLL_NS       50000ull
#define IDLE_SHORT_NS      200000ull
#define IDLE_POLL_BACKOFF  6

/*
 * Wake-up preemption. A thread's vrt grows by the time it runs, and each
 * CPU's min_vrt follows the vrt of the threads it picks (never going
 * back), so a thread's vrt less its CPU's min_vrt says how far ahead of
 * that CPU's others it is. A thread that wakes from a sleep is placed at
 * most WAKE_CREDIT_NS behind min_vrt (a long sleep earns no more), and
 * when the thread its CPU runs is more than WAKE_GRAN_NS ahead of it, it
 * goes to the head of the queue and the running thread gives the CPU up
 * at its next preemption point (the return to user mode;
 * sched_cond_resched in the kernel; on this CPU only, see
 * run_enqueue_woken): a waker that keeps running lets the
 * woken thread run at once instead of after its tick, and two threads
 * that wake each other in turn, each running a little, do not preempt
 * each other on every wake-up. A thread that moves to another CPU keeps
 * its distance from min_vrt (vrt_move). A new thread starts at its
 * creator's min_vrt and does not preempt (Linux lets the parent run on).
 */
#define WAKE_GRAN_NS   1000000ull  /* Linux's sched_wakeup_granularity (1 ms) */
#define WAKE_CREDIT_NS 3000000ull  /* half of Linux's sched_latency (6 ms) */

static uint64_t cpu_bit(unsigned cpu)
{
	return 1ull << cpu;
}

uint64_t sched_online_mask(void)
{
	unsigned n = smp_cpus_online();

	return n >= 64 ? ~0ull : cpu_bit(n) - 1;
}

void sched_set_idle_poll(bool on)
{
	idle_poll_off = !on;
}

static bool is_idle(const struct thread *t)
{
	return t == this_cpu()->idle;
}

/* Threads CPU cpu has to run: those queued, and the one it runs unless
 * that is its idle thread. Kernel lock. */
static unsigned cpu_load(unsigned cpu)
{
	struct percpu *c = smp_cpu(cpu);

	return runqs[cpu].nr + (c && c->current != c->idle);
}

/* The CPUs t may run on now (never empty: CPU 0 when its mask names no
 * online CPU, which sched_set_affinity does not allow). */
static uint64_t allowed_now(const struct thread *t)
{
	uint64_t m = t->cpus_allowed & sched_online_mask();

	return m ? m : cpu_bit(0);
}

/*
 * Where a thread that becomes runnable should wait (Linux's
 * select_task_rq, simplified): the CPU it last ran on when that CPU has
 * nothing else to run (its caches may still hold the thread's data),
 * else the allowed CPU with the least to run, the last one winning ties.
 * A new thread's last CPU is its creator's: it goes to an idle CPU when
 * there is one. Kernel lock.
 */
static unsigned select_cpu(const struct thread *t)
{
	uint64_t allowed = allowed_now(t);
	unsigned best = t->cpu;

	if (best >= SMP_MAX_CPUS || !(allowed & cpu_bit(best)))
		best = (unsigned)__builtin_ctzll(allowed);
	unsigned best_load = cpu_load(best);
	for (uint64_t m = allowed & ~cpu_bit(best); m && best_load; m &= m - 1) {
		unsigned cpu = (unsigned)__builtin_ctzll(m);
		unsigned load = cpu_load(cpu);
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best;
}

/* A thread was queued for CPU cpu: when it idles without watching its
 * queue, wake it with VEC_IPI_RESCHED. The enqueue (gen) is ordered
 * before the look at the masks, against idle_wait's publish-then-look:
 * either it sees the new gen or this sees its bits (no lost wake-up). A
 * busy CPU finds the thread at its next switch (its tick at the latest). */
static void kick_cpu(unsigned cpu)
{
	if (cpu == smp_cpu_id())
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint64_t bit = cpu_bit(cpu);
	if (!(__atomic_load_n(&idle_cpus, __ATOMIC_RELAXED) & bit) ||
	    (__atomic_load_n(&polling_cpus, __ATOMIC_RELAXED) & bit))
		return;
	__atomic_fetch_and(&idle_cpus, ~bit, __ATOMIC_RELAXED); /* one IPI is enough */
	smp_send_ipi(cpu, VEC_IPI_RESCHED);
}

/* Add t to CPU cpu's queue (no wake-up): last, or first when first.
 * Kernel lock. */
static void rq_add(unsigned cpu, struct thread *t, bool first)
{
	struct runq *rq = &runqs[cpu];

	t->cpu = cpu; /* where it waits: sched_set_affinity finds it there */
	if (first) {
		t->run_next = rq->head;
		rq->head = t;
		if (!rq->tail)
			rq->tail = t;
	} else {
		t->run_next = NULL;
		if (rq->tail)
			rq->tail->run_next = t;
		else
			rq->head = t;
		rq->tail = t;
	}
	__atomic_store_n(&rq->nr, rq->nr + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rq->gen, rq->gen + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&enqueue_gen, enqueue_gen + 1, __ATOMIC_RELAXED);
}

static void rq_push(unsigned cpu, struct thread *t)
{
	rq_add(cpu, t, false);
}

/* Take t, which follows prev (NULL: the head), out of CPU cpu's queue. */
static void rq_unlink(unsigned cpu, struct thread *prev, struct thread *t)
{
	struct runq *rq = &runqs[cpu];

	if (prev)
		prev->run_next = t->run_next;
	else
		rq->head = t->run_next;
	if (rq->tail == t)
		rq->tail = prev;
	t->run_next = NULL;
	__atomic_store_n(&rq->nr, rq->nr - 1, __ATOMIC_RELAXED);
}

/* ---- wake-up preemption's clock (see WAKE_GRAN_NS) ---- */

/* Has t never run? (schedule's charge sets run_since.) */
static bool never_ran(const struct thread *t)
{
	return t->run_since == 0;
}

/* t's vrt as of now: a running thread's includes its run since the last
 * charge. Kernel lock. */
static uint64_t vrt_now(const struct thread *t)
{
	return t->state == THREAD_RUNNING ? t->vrt + (time_ns() - t->run_since) : t->vrt;
}

/* Move t's vrt from CPU from's scale to CPU to's: the same distance from
 * min_vrt (floored at 0). Kernel lock. */
static void vrt_move(struct thread *t, unsigned from, unsigned to)
{
	if (from == to || from >= SMP_MAX_CPUS)
		return;
	int64_t lag = (int64_t)(t->vrt - runqs[from].min_vrt);
	uint64_t base = runqs[to].min_vrt;

	t->vrt = lag < 0 && (uint64_t)-lag > base ? 0 : base + (uint64_t)lag;
}

/* t woke from a sleep and waits on CPU cpu: onto its scale, at most
 * WAKE_CREDIT_NS behind its min_vrt. Kernel lock. */
static void wake_place(struct thread *t, unsigned cpu)
{
	vrt_move(t, t->cpu, cpu);
	uint64_t min = runqs[cpu].min_vrt;
	uint64_t floor = min > WAKE_CREDIT_NS ? min - WAKE_CREDIT_NS : 0;

	if (t->vrt < floor)
		t->vrt = floor;
}

/* Does t, woken onto CPU cpu, take that CPU from the thread it runs?
 * Not from its idle thread (which looks at the queue itself), not when
 * t is new. Kernel lock. */
static bool wake_preempts(const struct thread *t, unsigned cpu)
{
	struct percpu *c = smp_cpu(cpu);

	if (!c || !c->current || c->current == c->idle || never_ran(t))
		return false;
	return vrt_now(c->current) > t->vrt + WAKE_GRAN_NS;
}

/* Take the first thread of CPU from's queue that may run on CPU to; NULL
 * when none may. Kernel lock. */
static struct thread *rq_take(unsigned from, unsigned to)
{
	uint64_t bit = cpu_bit(to);
	struct thread *prev = NULL;

	for (struct thread *t = runqs[from].head; t; prev = t, t = t->run_next)
		if (t->cpus_allowed & bit) {
			rq_unlink(from, prev, t);
			vrt_move(t, from, to);
			return t;
		}
	return NULL;
}

/* t became runnable: queue it where select_cpu says, waking that CPU if
 * it idles. Kernel lock, interrupts off. */
static void run_enqueue(struct thread *t)
{
	unsigned cpu = select_cpu(t);

	vrt_move(t, t->cpu, cpu);
	rq_push(cpu, t);
	kick_cpu(cpu);
}

/*
 * t woke from a sleep: queued as run_enqueue does, but first, with this
 * CPU told to switch at its next preemption point, when it waits here and
 * is owed this CPU (wake_preempts). A thread owed another busy CPU waits
 * for that CPU's tick: an IPI would bring the CPU into the kernel for the
 * kernel lock the waker holds, and stress-ng's sigsuspend stressor on two
 * CPUs made 8,000 round trips a second with it, 32,000 without (Linux
 * 24,000). Kernel lock, interrupts off.
 */
static void run_enqueue_woken(struct thread *t)
{
	unsigned cpu = select_cpu(t);

	wake_place(t, cpu);
	if (cpu != smp_cpu_id() || !wake_preempts(t, cpu)) {
		rq_push(cpu, t);
		kick_cpu(cpu);
		return;
	}
	rq_add(cpu, t, true);
	this_cpu()->need_resched = true;
}

/* The online CPU other than me with the most threads queued that have at
 * least min queued; SMP_MAX_CPUS when none. Kernel lock. */
static unsigned busiest_queue(unsigned me, unsigned min)
{
	unsigned best = SMP_MAX_CPUS, n = smp_cpus_online();

	for (unsigned cpu = 0; cpu < n; cpu++)
		if (cpu != me && runqs[cpu].nr >= min) {
			min = runqs[cpu].nr;
			best = cpu;
		}
	return best;
}

/* This CPU has nothing queued: take a queued thread it may run from
 * another CPU's queue, the fullest first. Kernel lock. */
static struct thread *steal(unsigned me)
{
	unsigned busiest = busiest_queue(me, 1);

	if (busiest >= SMP_MAX_CPUS)
		return NULL;
	struct thread *t = rq_take(busiest, me);
	/* none of its queue may run here: the others in turn */
	for (unsigned cpu = 0, n = smp_cpus_online(); !t && cpu < n; cpu++)
		if (cpu != me && cpu != busiest && runqs[cpu].nr)
			t = rq_take(cpu, me);
	return t;
}

/* A thread queued on a CPU that runs nothing (its idle thread is
 * current: the thread waits only for that CPU to take the kernel lock,
 * which this CPU holds), taken out to run here; NULL when none. Kernel
 * lock. */
static struct thread *steal_waiting(unsigned me)
{
	for (unsigned cpu = 0, n = smp_cpus_online(); cpu < n; cpu++) {
		struct percpu *c = smp_cpu(cpu);
		if (cpu == me || !runqs[cpu].nr || !c || c->current != c->idle)
			continue;
		struct thread *t = rq_take(cpu, me);
		if (t)
			return t;
	}
	return NULL;
}

/*
 * The next thread for this CPU: its own queue's first, else one stolen
 * from another queue; NULL when there is none. When the first is the
 * thread giving up the CPU, alone in the queue, a thread waiting on a
 * CPU that cannot take the kernel lock from this one runs first: a
 * thread that holds the lock for long (a long write, yielding at its
 * preemption points) would otherwise keep the threads woken onto other
 * CPUs from running at all. Kernel lock.
 */
static struct thread *run_dequeue(void)
{
	unsigned me = smp_cpu_id();
	struct runq *rq = &runqs[me];
	struct thread *t = rq->head;

	if (smp_cpus_online() < 2) {
		if (t)
			rq_unlink(me, NULL, t);
		return t;
	}
	if (!t)
		return steal(me);
	if (t == current_thread() && rq->nr == 1) {
		struct thread *w = steal_waiting(me);
		if (w)
			return w;
	}
	rq_unlink(me, NULL, t);
	return t;
}

/* Periodic balancing, from the tick (kernel lock): when the busiest CPU
 * has at least two threads more to run than this one, move one of its
 * queued threads here. With stealing by idle CPUs this evens out queues
 * that grew while every CPU was busy. */
static void balance_tick(unsigned me)
{
	struct runq *rq = &runqs[me];

	if (++rq->ticks % BALANCE_TICKS || smp_cpus_online() < 2)
		return;
	unsigned from = busiest_queue(me, 1);
	if (from >= SMP_MAX_CPUS || cpu_load(from) < cpu_load(me) + 2)
		return;
	struct thread *t = rq_take(from, me);
	if (t)
		rq_push(me, t);
}

/* The running thread prev gives up the CPU but stays runnable: back into
 * this CPU's queue, or where it may run if its affinity left this CPU.
 * Kernel lock. */
static void requeue(struct thread *prev)
{
	unsigned me = smp_cpu_id();

	if (prev->cpus_allowed & cpu_bit(me))
		rq_push(me, prev);
	else
		run_enqueue(prev);
}

/* Wake t if it sleeps: runnable, its sleep timer cancelled (a no-op when
 * the timer is what fired). Interrupts off. */
static void wake(struct thread *t)
{
	if (t->state == THREAD_SLEEPING) {
		t->state = THREAD_RUNNABLE;
		ktimer_cancel(&t->sleep_timer);
		run_enqueue_woken(t);
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
 * space) and switch stacks; now is time_ns(), next's start. Interrupts
 * off. */
static void switch_to(struct thread *prev, struct thread *next, uint64_t now)
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

/* What the running thread t ran since its last charge, up to now, goes
 * to its run time and its vrt. Kernel lock, interrupts off. */
static void charge_run(struct thread *t, uint64_t now)
{
	t->run_ns += now - t->run_since;
	t->vrt += now - t->run_since;
	t->run_since = now;
}

/* Pick the next thread and run it. Interrupts off. */
static void schedule(void)
{
	struct thread *prev = current_thread();
	struct runq *rq = &runqs[smp_cpu_id()];
	uint64_t now = time_ns();

	charge_run(prev, now);
	this_cpu()->need_resched = false;
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_RUNNABLE;
		if (!is_idle(prev))
			requeue(prev);
	}
	struct thread *next = run_dequeue();
	if (!next)
		next = this_cpu()->idle;
	else if (next->vrt > rq->min_vrt)
		rq->min_vrt = next->vrt;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	switch_to(prev, next, now);
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
	t->cpu = smp_cpu_id(); /* its creator's: select_cpu starts there */
	t->vrt = runqs[t->cpu].min_vrt; /* where its creator's CPU stands */
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
	balance_tick(smp_cpu_id());
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

/* What an idle CPU saw under the lock at its last look: its own queue's
 * generation and enqueue_gen. */
struct idle_seen {
	uint64_t own, all;
};

/* Was a thread queued for this idle CPU since its look (a hint, without
 * the lock)? */
static bool idle_work_queued(unsigned me, const struct idle_seen *seen)
{
	return __atomic_load_n(&runqs[me].gen, __ATOMIC_SEQ_CST) != seen->own;
}

/* Or might it steal one: something was queued anywhere since its look,
 * and another CPU has threads queued. Asked only when an interrupt woke
 * it from halt (its tick, at most), never in a loop: the queued threads
 * may all be pinned elsewhere, and an idle CPU taking the lock again and
 * again for them would keep their own CPU from it. */
static bool idle_may_steal(unsigned me, const struct idle_seen *seen)
{
	if (__atomic_load_n(&enqueue_gen, __ATOMIC_RELAXED) == seen->all)
		return false;
	for (unsigned cpu = 0, n = smp_cpus_online(); cpu < n; cpu++)
		if (cpu != me && __atomic_load_n(&runqs[cpu].nr, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* After an idle period of idle_ns: whether to poll before the next halt
 * (IDLE_POLL_* above). found: a poll found work; polled: one ran. */
static void idle_poll_learn(struct runq *rq, bool polled, bool found, uint64_t idle_ns)
{
	if (found) {
		rq->poll_fails = 0;
		return;
	}
	if (polled) {
		rq->poll_on = false;
		rq->short_halts = 0;
		if (rq->poll_fails < IDLE_POLL_BACKOFF)
			rq->poll_fails++;
		return;
	}
	if (idle_ns > IDLE_SHORT_NS) {
		rq->short_halts = 0;
		return;
	}
	if (++rq->short_halts >= 1u << rq->poll_fails) {
		rq->poll_on = true;
		rq->short_halts = 0;
	}
}

/* Watch the queue, interrupts on, for IDLE_POLL_NS while published in
 * polling_cpus (enqueuers send no IPI): true when work came. The window
 * is measured in TSC cycles even when time_ns() is the HPET or the PM
 * timer: a register read on every turn would be slow, and would keep an
 * emulator's device lock busy; a drifting TSC is close enough here. */
static bool idle_poll(unsigned me, const struct idle_seen *seen)
{
	bool found = false;
	uint64_t t0 = rdtsc(), cycles = IDLE_POLL_NS * (tsc_hz() / 1000000) / 1000;

	__atomic_fetch_or(&polling_cpus, cpu_bit(me), __ATOMIC_SEQ_CST);
	cpu_sti();
	while (!(found = idle_work_queued(me, seen)) && rdtsc() - t0 < cycles)
		cpu_pause();
	cpu_cli();
	__atomic_fetch_and(&polling_cpus, ~cpu_bit(me), __ATOMIC_SEQ_CST);
	return found;
}

/*
 * Wait without the kernel lock, so the other CPUs run the kernel
 * meanwhile, until this CPU may find work: poll its queue for a while,
 * then halt. The CPU is in idle_cpus throughout, and sets its bit again
 * (an enqueuer that sent the IPI cleared it) before each last look, so an
 * enqueue after that look sends it the IPI (no lost wake-up); while it is
 * also in polling_cpus no IPI is sent, and the look after leaving that
 * mask sees any enqueue made meanwhile. Woken from halt by an interrupt
 * (its tick), it also looks for threads to steal (idle_may_steal); when
 * those may not run here it finds nothing under the lock and comes back.
 * Interrupts off on entry and return; the lock is not held.
 */
static void idle_wait(unsigned me, const struct idle_seen *seen)
{
	struct runq *rq = &runqs[me];
	uint64_t bit = cpu_bit(me), start = time_ns();

	__atomic_fetch_or(&idle_cpus, bit, __ATOMIC_SEQ_CST);
	bool polled = rq->poll_on && !idle_poll_off;
	bool found = polled && idle_poll(me, seen);
	while (!found) {
		__atomic_fetch_or(&idle_cpus, bit, __ATOMIC_SEQ_CST);
		if (idle_work_queued(me, seen))
			break;
		cpu_idle_wait(); /* sti; hlt: an interrupt in sti's shadow still wakes it */
		cpu_cli();
		if (idle_work_queued(me, seen) || idle_may_steal(me, seen))
			break;
	}
	__atomic_fetch_and(&idle_cpus, ~bit, __ATOMIC_RELAXED);
	idle_poll_learn(rq, polled, found, time_ns() - start);
}

/* Each CPU's idle thread: run what the queues hold for this CPU
 * (schedule returns here when nothing is left for it), then wait without
 * the kernel lock. Entered holding the lock. */
static void idle_loop(void *unused)
{
	(void)unused;
	for (;;) {
		cpu_cli();
		schedule();
		unsigned me = smp_cpu_id();
		/* under the lock: nothing for this CPU as of these */
		struct idle_seen seen = { runqs[me].gen, enqueue_gen };
		klock_leave();
		idle_wait(me, &seen);
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

/* Queued t may no longer run where it waits (t->cpu): take it out of
 * that queue and queue it where it may run. Kernel lock. */
static void requeue_elsewhere(struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *q = runqs[t->cpu].head; q; prev = q, q = q->run_next)
		if (q == t) {
			rq_unlink(t->cpu, prev, t);
			run_enqueue(t);
			return;
		}
}

int sched_set_affinity(struct thread *t, uint64_t mask)
{
	mask &= sched_online_mask();
	if (!mask)
		return -EINVAL;
	uint64_t f = irq_save();
	t->cpus_allowed = mask;
	if (t->state == THREAD_RUNNABLE && !(mask & cpu_bit(t->cpu)) && !is_idle(t)) {
		requeue_elsewhere(t); /* queued on a CPU it may no longer run on */
	} else if (t->state == THREAD_RUNNING && !(mask & cpu_bit(t->cpu))) {
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
