// SPDX-License-Identifier: MIT
/*
 * Kestrel: threads and the scheduler. A run queue per CPU, sorted by
 * virtual run time (vrt, below): a CPU runs the queued thread with the
 * least, as Linux's CFS picks the leftmost of its tree
 * (pick_next_entity), and its tick passes the CPU on once the running
 * thread's vrt has reached that (tick_rotates); threads of one nice
 * value that stay busy take turns a tick each. A thread that becomes
 * runnable is queued on the CPU it last ran on when that CPU has nothing
 * else to run, else on the allowed CPU with the least to run
 * (select_cpu); a CPU whose queue is empty takes a thread from the
 * fullest other queue before it idles (steal), and every few ticks a CPU
 * with two threads fewer to run than the busiest takes one (balance_tick).
 * Each CPU has an idle thread that polls its queue for a while, then
 * halts (idle_wait). The kernel is not preempted: a timer tick only
 * switches threads when it interrupted user mode, or when the running
 * thread gives up the CPU itself.
 *
 * Locks. The scheduler does not need the kernel lock, and a switch gives
 * it up (klock.h): a thread asleep holds it no more than Linux's sleeping
 * tasks held the big kernel lock, and the idle threads never take it.
 * Each run queue has its own spinlock (struct runq); a wait queue has its
 * own (sched.h); the timer wheel has its own (ktimer.c). Order: a wait
 * queue's lock, then a run queue's or the wheel's; never two run-queue
 * locks at once (a thread moves between queues by leaving one, lock
 * dropped, then joining the other). Interrupts are off throughout.
 *
 * A thread runs on one CPU at a time. Its state says what it is
 * (sched.h); on_cpu says a CPU still stands on its stack. A thread that
 * goes to sleep is taken by a waker (SLEEPING -> RUNNABLE, a
 * compare-and-swap: one waker wins) while its CPU may still be switching
 * away from it, so the waker waits for on_cpu to clear before it queues
 * it (wake: as Linux's try_to_wake_up waits for p->on_cpu). A CPU never
 * waits for another's switch while it switches itself: two CPUs each
 * taking the thread the other is leaving would wait for each other
 * forever. So a thread is queued while on_cpu only on its own CPU's
 * queue (a thread that stays runnable, queued again just before its CPU
 * switches away), where no other CPU takes it (rq_take and
 * requeue_elsewhere pass over it); one whose affinity left its CPU is
 * queued elsewhere only once the switch is done (finish_switch).
 * on_cpu is cleared on the next thread's stack, once the switch saved
 * every register (finish_switch).
 *
 * A thread woken from a sleep need not wait for the running thread's
 * tick: when it is owed the CPU, the running thread gives it up at its
 * next preemption point and the pick, the least vrt, finds it (wake-up
 * preemption, below: Linux's place_entity and check_preempt_wakeup).
 */
#include <stdarg.h>
#include "proc/sched.h"
#include "proc/lockcheck.h"
#include "proc/ktimer.h"
#include "lib/errno.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/vectors.h"
#include "arch/x86_64/percpu.h"
#include "time/time.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vmalloc.h"
#include "lib/printf.h"
#include "panic.h"
#include "log.h"

/* What an idle CPU saw when it last found nothing to run: its own
 * queue's generation and enqueue_gen. */
struct idle_seen {
	uint64_t own, all;
};

/*
 * Run queues: one per CPU, sorted by vrt, least first (rq_insert_point).
 * Lock rules: lock (interrupts off) covers head, tail, nr, gen, index
 * and indexed, and its threads' run_next and run_node (and their vrt
 * while queued: only a thread off every queue has its vrt changed); nr
 * and gen are also read without it as hints (by idle CPUs looking at their own queue
 * or for work to steal, by select_cpu): a decision is made again under
 * the lock. min_vrt is written by its CPU alone and read by any
 * (atomic). The rest is its CPU's own.
 */
struct runq {
	struct spinlock lock;
	struct thread *head, *tail;
	unsigned nr;              /* threads queued (the running one is not) */
	uint64_t gen;             /* incremented by every enqueue */
	uint64_t min_vrt;         /* the vrt its threads are measured from; never goes back */
	struct avl_tree index;    /* its threads by vrt, while indexed (rq_index_build) */
	bool indexed;
	int run_nice;             /* the nice value of the thread its CPU runs (its idle
				   * thread's too); written at each switch, read by wakers */
	/* its CPU's own */
	struct thread *switched_from; /* the thread the last switch left (finish_switch) */
	struct thread *move_after;    /* it, to be queued where its affinity says, after it */
	struct idle_seen seen;    /* when schedule last found nothing (idle_loop) */
	unsigned ticks;           /* its CPU's busy ticks, for balancing (this CPU's alone) */
	/* its idle loop's polling (idle_wait, idle_poll_learn) */
	bool poll_on;             /* poll before the next halt */
	unsigned poll_fails;      /* polls in a row that ended with nothing */
	unsigned short_halts;     /* short halts since the last poll */
} __attribute__((aligned(64)));
static struct runq runqs[SMP_MAX_CPUS];

/* Until sched_set_owner: no thread has a process, no signal is pending. */
static uint64_t no_pml4(const struct process *p) { (void)p; return 0; }
static void no_thread_exited(struct process *p, struct thread *t) { (void)p, (void)t; }
static void no_charge(struct process *p, bool user, uint64_t ns, bool timers)
{
	(void)p, (void)user, (void)ns, (void)timers;
}
static bool no_timers(const struct process *p) { (void)p; return false; }
static bool no_signal(void) { return false; }
static const struct sched_owner_ops no_owner = {
	.pml4 = no_pml4, .thread_exited = no_thread_exited, .charge_tick = no_charge,
	.cpu_timers_armed = no_timers, .signal_wakes = no_signal, .being_killed = no_signal,
};
/* Set once at boot (sched_set_owner), read-only afterwards. */
static const struct sched_owner_ops *owner = &no_owner;
static struct cpu_ticks cpu_ticks[SMP_MAX_CPUS]; /* each CPU writes its own */
static int next_tid = 1;
/* Bit i: CPU i is in its idle loop, and wants a VEC_IPI_RESCHED when a
 * thread is queued for it unless its bit in polling_cpus is also set (it
 * is watching its queue and needs none). Atomic. */
static uint64_t idle_cpus, polling_cpus;
/* Incremented by every enqueue on any CPU (atomic; read by idle CPUs, a
 * hint that there may be something new to steal). */
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
 * CPU's min_vrt follows the least vrt of the thread it picks and those
 * left queued (never going back), so a thread's vrt less its CPU's
 * min_vrt says how far ahead of that CPU's others it is. A thread that
 * wakes from a sleep is placed at most WAKE_CREDIT_NS behind min_vrt (a
 * long sleep earns no more), and when the thread its CPU runs is more
 * than WAKE_GRAN_NS ahead of it, the running thread gives the CPU up
 * at its next preemption point (the return to user mode;
 * sched_cond_resched in the kernel; on this CPU only, see
 * run_enqueue_woken) and the pick runs the least vrt, the woken thread
 * or one owed still more: a waker that keeps running lets the
 * woken thread run at once instead of after its tick, and one that
 * sleeps right after its wake-up hands the CPU to the woken thread, not
 * to a thread it had preempted that is far ahead; two threads
 * that wake each other in turn, each running a little, do not preempt
 * each other on every wake-up. A thread that moves to another CPU keeps
 * its distance from min_vrt (vrt_move). A new thread starts at its
 * creator's min_vrt and does not preempt (Linux lets the parent run on).
 */
#define WAKE_GRAN_NS   1000000ull  /* Linux's sched_wakeup_granularity (1 ms) */
#define WAKE_CREDIT_NS 3000000ull  /* half of Linux's sched_latency (6 ms) */

/*
 * Nice values weigh the vrt: a thread's vrt grows by its run time scaled
 * by NICE_0_WEIGHT over its weight (Linux's calc_delta_fair with
 * sched_prio_to_weight: each step of nice about 1.25 times the CPU of
 * the next), so nice 0 counts time as it is. The tick passes the CPU on
 * only once the running thread's vrt has reached the least queued
 * (tick_rotates): two busy threads on one CPU share it in the ratio
 * of their weights (nice -2 against -1: 1586 to 1277), where round robin
 * gave each half. The nice value is the thread's (its cred, as Linux's
 * task_nice), read without a lock: a change takes effect from the next
 * charge.
 */
#define NICE_0_WEIGHT 1024u
static const uint32_t nice_weight[NICE_MAX - NICE_MIN + 1] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548, 7620, 6100, 4904, 3906,
	/*  -5 */ 3121, 2501, 1991, 1586, 1277,
	/*   0 */ 1024, 820, 655, 526, 423,
	/*   5 */ 335, 272, 215, 172, 137,
	/*  10 */ 110, 87, 70, 56, 45,
	/*  15 */ 36, 29, 23, 18, 15,
};

/* ns of t's running as vrt: scaled by its nice's weight. */
static uint64_t vrt_delta(const struct thread *t, uint64_t ns)
{
	int nice = __atomic_load_n(&t->cred.nice, __ATOMIC_RELAXED);

	if (nice == 0)
		return ns;
	if (nice < NICE_MIN || nice > NICE_MAX)
		nice = nice < NICE_MIN ? NICE_MIN : NICE_MAX;
	return ns * NICE_0_WEIGHT / nice_weight[nice - NICE_MIN];
}

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
 * that is its idle thread. A hint, without locks. */
static unsigned cpu_load(unsigned cpu)
{
	struct percpu *c = smp_cpu(cpu);

	return __atomic_load_n(&runqs[cpu].nr, __ATOMIC_RELAXED) +
	       (c && __atomic_load_n(&c->current, __ATOMIC_RELAXED) != c->idle);
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
 * there is one. From hints (cpu_load): the caller queues it there under
 * that queue's lock whatever changed meanwhile.
 */
static unsigned select_cpu(const struct thread *t)
{
	uint64_t allowed = allowed_now(t);
	unsigned best = t->cpu;

	if (!(allowed & (allowed - 1))) /* one CPU (pinned, or the only one) */
		return (unsigned)__builtin_ctzll(allowed);
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

/* Link t into rq after prev (NULL: first). rq's lock. */
static void rq_link_after(struct runq *rq, struct thread *prev, struct thread *t)
{
	spin_must_hold(&rq->lock);
	t->run_next = prev ? prev->run_next : rq->head;
	if (prev)
		prev->run_next = t;
	else
		rq->head = t;
	if (!t->run_next)
		rq->tail = t;
}

/*
 * Where a thread of virtual run time vrt goes in rq, kept sorted by vrt
 * (the pick takes the head, Linux's leftmost): after the last thread
 * whose vrt is not above it (NULL: first), so equals keep their order of
 * arrival and the tick's rotation among equal threads stays round robin.
 * A sorted singly linked list: a CPU's queue holds a few threads, and the
 * two common insertions cost a comparison or two: a thread that ran is
 * requeued with the largest vrt (after the tail), a sleeper that wakes is
 * placed near min_vrt (first). Any other walks from the head; a long
 * queue has an index for that (rq_index_find). A doubly linked list that
 * could walk from either end made a yield's switch 11 to 15 guest
 * instructions dearer and did not help where it mattered: many threads
 * woken at once share one vrt (WAKE_CREDIT_NS behind min_vrt), and a
 * thread going behind them walks past them all from either end.
 * rq's lock.
 */
static struct thread *rq_insert_point(const struct runq *rq, uint64_t vrt)
{
	spin_must_hold(&rq->lock);
	struct thread *q = rq->head;

	if (!q || vrt < q->vrt)
		return NULL;
	if (vrt >= rq->tail->vrt)
		return rq->tail;
	while (q->run_next->vrt <= vrt) /* the tail's is above vrt: it stops before */
		q = q->run_next;
	return q;
}

/*
 * A long queue's index. The list stays the queue (the pick takes its
 * head, stealing walks it); from RQ_INDEX_FROM threads until it is down
 * to RQ_INDEX_UNTIL, an AVL tree of the same threads in the same order
 * finds rq_insert_point's answer in O(log n), so a switch among
 * thousands of runnable threads does not walk them (Linux's CFS keeps
 * only a tree). The tree is not free (bench-curve_yield, -icount, guest
 * instructions a switch): 100 yielders cost 882 with the list's walk and
 * 1,211 with a tree, 1,000 yielders 3,218 and 1,338, so only a queue long
 * enough for the walk to cost more has one. A short queue pays
 * a test in rq_add and one in rq_unlink. The gap between the two bounds
 * keeps a queue near either from building and dropping the tree over and
 * over. rq's lock, for all of it.
 */
#define RQ_INDEX_FROM 128
#define RQ_INDEX_UNTIL 64

static struct avl_node *rq_index_succ(struct avl_node *n)
{
	struct thread *next = avl_entry(n, struct thread, run_node)->run_next;

	return next ? &next->run_node : NULL;
}

/* Index rq's threads, in their list order, in O(n). */
static void rq_index_build(struct runq *rq)
{
	avl_build(&rq->index, &rq->head->run_node, rq->nr, rq_index_succ);
	rq->indexed = true;
}

/* rq_insert_point by the index: the thread vrt goes after (NULL: first),
 * and where in the tree it goes (*parent, *link for avl_insert). Going
 * right past equals puts it after them, as in the list. */
static struct thread *rq_index_find(struct runq *rq, uint64_t vrt, struct avl_node **parent,
				    struct avl_node ***link)
{
	struct avl_node **l = &rq->index.root, *p = NULL;
	struct thread *after = NULL;

	while (*l) {
		struct thread *q = avl_entry(*l, struct thread, run_node);
		p = *l;
		if (q->vrt <= vrt) {
			after = q;
			l = &p->right;
		} else {
			l = &p->left;
		}
	}
	*parent = p;
	*link = l;
	return after;
}

/* Count t, just linked into rq, as queued. */
static inline void rq_count_add(struct runq *rq)
{
	__atomic_store_n(&rq->nr, rq->nr + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rq->gen, rq->gen + 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&enqueue_gen, 1, __ATOMIC_RELAXED);
}

/* rq_add for a queue of at least RQ_INDEX_UNTIL threads: by the index
 * when it has one, else by the list, building the index once the queue
 * is RQ_INDEX_FROM long. Out of line, as rq_index_drop: rq_add and
 * rq_unlink stay small and call nothing on a short queue (each cost 5 to
 * 17 guest instructions more a switch with the tree's code inlined or
 * called from their middle). */
static __attribute__((noinline)) void rq_add_long(struct runq *rq, struct thread *t)
{
	if (rq->indexed) {
		struct avl_node *parent, **link;
		rq_link_after(rq, rq_index_find(rq, t->vrt, &parent, &link), t);
		avl_insert(&rq->index, &t->run_node, parent, link);
	} else {
		rq_link_after(rq, rq_insert_point(rq, t->vrt), t);
	}
	rq_count_add(rq);
	if (rq->nr >= RQ_INDEX_FROM && !rq->indexed)
		rq_index_build(rq);
}

/* Take t, off indexed rq's list already, out of its tree; drop the tree
 * when the queue is short again. */
static __attribute__((noinline)) void rq_index_drop(struct runq *rq, struct thread *t)
{
	avl_erase(&rq->index, &t->run_node);
	if (rq->nr <= RQ_INDEX_UNTIL) {
		rq->index.root = NULL;
		rq->indexed = false;
	}
}

/* Add t to CPU cpu's queue in its place by vrt (no wake-up). That
 * queue's lock. */
static void rq_add(unsigned cpu, struct thread *t)
{
	struct runq *rq = &runqs[cpu];

	spin_must_hold(&rq->lock);
	t->cpu = cpu; /* where it waits: sched_set_affinity finds it there */
	if (__builtin_expect(rq->nr >= RQ_INDEX_UNTIL, 0)) {
		rq_add_long(rq, t);
		return;
	}
	rq_link_after(rq, rq_insert_point(rq, t->vrt), t);
	rq_count_add(rq);
}

/* Take t, which follows prev (NULL: the head), out of CPU cpu's queue.
 * That queue's lock. */
static inline __attribute__((always_inline)) void rq_unlink(unsigned cpu, struct thread *prev,
							    struct thread *t)
{
	struct runq *rq = &runqs[cpu];

	spin_must_hold(&rq->lock);
	if (prev)
		prev->run_next = t->run_next;
	else
		rq->head = t->run_next;
	if (rq->tail == t)
		rq->tail = prev;
	t->run_next = NULL;
	__atomic_store_n(&rq->nr, rq->nr - 1, __ATOMIC_RELAXED);
	if (__builtin_expect(rq->indexed, 0))
		rq_index_drop(rq, t);
}

/* ---- wake-up preemption's clock (see WAKE_GRAN_NS) ---- */

/* Has t never run? (schedule's charge sets run_since.) */
static bool never_ran(const struct thread *t)
{
	return t->run_since == 0;
}

/* t's vrt as of now: a running thread's includes its run since the last
 * charge. t is this CPU's current thread, or queued under a lock held. */
static uint64_t vrt_now(const struct thread *t)
{
	return t->state == THREAD_RUNNING ? t->vrt + vrt_delta(t, time_ns() - t->run_since) : t->vrt;
}

/* CPU cpu's min_vrt (written by that CPU alone). */
static uint64_t min_vrt_of(unsigned cpu)
{
	return __atomic_load_n(&runqs[cpu].min_vrt, __ATOMIC_RELAXED);
}

/* Move t's vrt from CPU from's scale to CPU to's: the same distance from
 * min_vrt (floored at 0). t is not on a CPU and is the caller's to move
 * (dequeued, or won by its waker). */
static void vrt_move(struct thread *t, unsigned from, unsigned to)
{
	if (from == to || from >= SMP_MAX_CPUS)
		return;
	int64_t lag = (int64_t)(t->vrt - min_vrt_of(from));
	uint64_t base = min_vrt_of(to);

	t->vrt = lag < 0 && (uint64_t)-lag > base ? 0 : base + (uint64_t)lag;
}

/* t woke from a sleep and waits on CPU cpu: onto its scale, at most
 * WAKE_CREDIT_NS behind its min_vrt. t is its waker's to move. */
static void wake_place(struct thread *t, unsigned cpu)
{
	vrt_move(t, t->cpu, cpu);
	uint64_t min = min_vrt_of(cpu);
	uint64_t floor = min > WAKE_CREDIT_NS ? min - WAKE_CREDIT_NS : 0;

	if (t->vrt < floor)
		t->vrt = floor;
}

/* Does t, woken onto this CPU, take it from the thread it runs? Not
 * from its idle thread (which looks at the queue itself), not when t is
 * new. */
static bool wake_preempts(const struct thread *t)
{
	struct thread *cur = current_thread();

	if (!cur || is_idle(cur) || never_ran(t))
		return false;
	return vrt_now(cur) > t->vrt + WAKE_GRAN_NS;
}

/* Does t, woken onto CPU cpu (another), take it at once from the thread
 * it runs: is that a thread of a higher nice value (a lower priority)?
 * Linux's check_preempt_wakeup would say so (the other's vrt runs ahead
 * of t's by the weights) and send the reschedule IPI. Between threads of
 * one nice value the woken one waits for that CPU's tick (see
 * run_enqueue_woken); an idle CPU is kick_cpu's. From the thread and the
 * nice value that CPU published at its last switch: a hint, without its
 * locks. */
static bool remote_preempts(const struct thread *t, unsigned cpu)
{
	struct percpu *c = smp_cpu(cpu);

	return __atomic_load_n(&c->current, __ATOMIC_RELAXED) != c->idle && !never_ran(t) &&
	       __atomic_load_n(&runqs[cpu].run_nice, __ATOMIC_RELAXED) >
		       __atomic_load_n(&t->cred.nice, __ATOMIC_RELAXED);
}

/* Take the first thread (the least vrt) of CPU from's queue that may
 * run on CPU to and is off its CPU (a thread queued again while its CPU
 * switches away from it is that CPU's to take); NULL when there is none.
 * from's queue lock. */
static struct thread *rq_take(unsigned from, unsigned to)
{
	uint64_t bit = cpu_bit(to);
	struct thread *prev = NULL;

	for (struct thread *t = runqs[from].head; t; prev = t, t = t->run_next)
		if ((t->cpus_allowed & bit) && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
			rq_unlink(from, prev, t);
			vrt_move(t, from, to);
			return t;
		}
	return NULL;
}

/* Queue t on CPU cpu by its vrt, under that queue's lock. Interrupts
 * off. */
static void rq_push(unsigned cpu, struct thread *t)
{
	spin_lock_irqoff(&runqs[cpu].lock);
	rq_add(cpu, t);
	spin_unlock_irqoff(&runqs[cpu].lock);
}

/* t became runnable and is the caller's to queue: queue it where
 * select_cpu says, waking that CPU if it idles. Interrupts off. */
static void run_enqueue(struct thread *t)
{
	unsigned cpu = select_cpu(t);

	vrt_move(t, t->cpu, cpu);
	rq_push(cpu, t);
	kick_cpu(cpu);
}

/*
 * t woke from a sleep: placed by its vrt (wake_place) and queued as
 * run_enqueue does, with this CPU told to switch at its next preemption
 * point when it waits here and is owed this CPU (wake_preempts), or that
 * CPU told to switch and sent the reschedule IPI when it waits on
 * another CPU that runs a thread of lower priority (remote_preempts);
 * the switch then runs the least vrt queued there, t or a thread owed
 * still more (Linux's check_preempt_wakeup, then pick_next_entity). A thread owed
 * another CPU busy with a thread of its own priority waits for that
 * CPU's tick: an IPI would bring the CPU into the kernel for the kernel
 * lock the waker holds, and stress-ng's sigsuspend stressor on two CPUs
 * made 8,000 round trips a second with it, 32,000 without (Linux
 * 24,000). t is the caller's to queue; interrupts off.
 */
static void run_enqueue_woken(struct thread *t)
{
	unsigned cpu = select_cpu(t);
	struct runq *rq = &runqs[cpu];
	bool here = cpu == smp_cpu_id();

	wake_place(t, cpu);
	bool preempt = here ? wake_preempts(t) : remote_preempts(t, cpu);
	spin_lock_irqoff(&rq->lock);
	rq_add(cpu, t);
	spin_unlock_irqoff(&rq->lock);
	if (preempt && here) {
		this_cpu()->need_resched = true;
	} else if (preempt) {
		smp_cpu(cpu)->need_resched = true; /* its return to user mode switches */
		smp_send_ipi(cpu, VEC_IPI_RESCHED);
	} else {
		kick_cpu(cpu);
	}
}

/* The online CPU other than me with the most threads queued that have at
 * least min queued; SMP_MAX_CPUS when none. A hint, without locks. */
static unsigned busiest_queue(unsigned me, unsigned min)
{
	unsigned best = SMP_MAX_CPUS, n = smp_cpus_online();

	for (unsigned cpu = 0; cpu < n; cpu++) {
		unsigned nr = __atomic_load_n(&runqs[cpu].nr, __ATOMIC_RELAXED);
		if (cpu != me && nr >= min) {
			min = nr;
			best = cpu;
		}
	}
	return best;
}

/* Take a thread that may run on CPU to out of CPU from's queue, under
 * its lock; NULL when none may. */
static struct thread *rq_take_locked(unsigned from, unsigned to)
{
	spin_lock_irqoff(&runqs[from].lock);
	struct thread *t = rq_take(from, to);
	spin_unlock_irqoff(&runqs[from].lock);
	return t;
}

/* This CPU has nothing queued: take a queued thread it may run from
 * another CPU's queue, the fullest first. */
static struct thread *steal(unsigned me)
{
	unsigned busiest = busiest_queue(me, 1);

	if (busiest >= SMP_MAX_CPUS)
		return NULL;
	struct thread *t = rq_take_locked(busiest, me);
	/* none of its queue may run here: the others in turn */
	for (unsigned cpu = 0, n = smp_cpus_online(); !t && cpu < n; cpu++)
		if (cpu != me && cpu != busiest && __atomic_load_n(&runqs[cpu].nr, __ATOMIC_RELAXED))
			t = rq_take_locked(cpu, me);
	return t;
}

/* Move CPU me's min_vrt up to v; it never goes back. Its CPU alone
 * writes it. */
static void min_vrt_follow(unsigned me, uint64_t v)
{
	if (v > runqs[me].min_vrt)
		__atomic_store_n(&runqs[me].min_vrt, v, __ATOMIC_RELAXED);
}

/*
 * The next thread for this CPU: the least vrt on its own queue (the
 * head), else one stolen from another queue; NULL when there is none,
 * and then *seen is what the idle loop waits on (taken under the lock
 * that found the queue empty: an enqueue after it changes gen). A thread
 * a CPU wakes onto another that idles is run there: the idle CPU needs
 * no kernel lock to switch to it (the thread takes the lock back itself,
 * if it held it). prev, when not NULL, is the running thread giving the
 * CPU up but staying runnable: queued here by its vrt under the same
 * hold of the lock, or, if its affinity left this CPU, where it may run
 * once the switch away from it is done (move_after, finish_switch);
 * when its vrt is below every queued thread's it runs on without being
 * queued at all. yielding: prev gives the CPU up by sched_yield and is
 * passed over for this pick when another thread is queued, however far
 * behind the others its vrt is (Linux's yield_task_fair marks it the
 * skip buddy; Kestrel's yield always hands the CPU on). min_vrt follows
 * the least of what runs and what waits. Interrupts off.
 */
static struct thread *run_dequeue(struct thread *prev, bool yielding, struct idle_seen *seen)
{
	unsigned me = smp_cpu_id();
	struct runq *rq = &runqs[me];
	bool here = prev && (prev->cpus_allowed & cpu_bit(me));

	if (prev && !here)
		rq->move_after = prev;
	spin_lock_irqoff(&rq->lock);
	struct thread *t = rq->head;
	if (here && (!t || (!yielding && prev->vrt < t->vrt))) {
		t = prev; /* the least vrt: it runs on, never queued */
	} else if (t) {
		rq_unlink(me, NULL, t);
		if (here)
			rq_add(me, prev); /* by its vrt, after t was taken: passed over if yielding */
	}
	if (t) {
		min_vrt_follow(me, rq->head && rq->head->vrt < t->vrt ? rq->head->vrt : t->vrt);
	} else {
		seen->own = rq->gen;
		seen->all = __atomic_load_n(&enqueue_gen, __ATOMIC_RELAXED);
	}
	spin_unlock_irqoff(&rq->lock);
	if (!t && smp_cpus_online() > 1) {
		t = steal(me);
		if (t)
			min_vrt_follow(me, t->vrt);
	}
	return t;
}

/* Periodic balancing, from the tick (interrupts off; the run queues'
 * locks, so a tick without the kernel lock balances too): when
 * the busiest CPU has at least two threads more to run than this one,
 * move one of its queued threads here. With stealing by idle CPUs this
 * evens out queues that grew while every CPU was busy. */
static void balance_tick(unsigned me)
{
	struct runq *rq = &runqs[me];

	if (++rq->ticks % BALANCE_TICKS || smp_cpus_online() < 2)
		return;
	unsigned from = busiest_queue(me, 1);
	if (from >= SMP_MAX_CPUS || cpu_load(from) < cpu_load(me) + 2)
		return;
	struct thread *t = rq_take_locked(from, me);
	if (t)
		rq_push(me, t);
}

/* Wait until no CPU stands on t's stack: the CPU that switched away
 * from it has saved its registers. Answers TLB shootdowns meanwhile (the
 * sender may hold the kernel lock and wait for this CPU). Interrupts
 * off. */
static void wait_off_cpu(const struct thread *t)
{
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
		tlb_poll();
		cpu_pause();
	}
}

/* Wake t if it sleeps: runnable, its sleep timer cancelled (a no-op when
 * the timer is what fired), queued once its CPU finished switching away
 * from it. The compare-and-swap makes this caller its only waker; a
 * thread that sleeps again before its CPU saw it is asleep finds itself
 * RUNNABLE in schedule and leaves the queueing to its waker. Interrupts
 * off. */
static void wake(struct thread *t)
{
	enum thread_state was = THREAD_SLEEPING;

	if (__atomic_compare_exchange_n(&t->state, &was, THREAD_RUNNABLE, false, __ATOMIC_SEQ_CST,
	                                __ATOMIC_SEQ_CST)) {
		ktimer_cancel(&t->sleep_timer);
		wait_off_cpu(t);
		run_enqueue_woken(t);
	} else if (was == THREAD_RUNNING) {
		sched_kick(t); /* in user mode elsewhere: have it look at its signals now */
	}
}

void sched_kick(struct thread *t)
{
	unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);

	if (__atomic_load_n(&t->state, __ATOMIC_RELAXED) == THREAD_RUNNING && cpu != smp_cpu_id())
		smp_send_ipi(cpu, VEC_IPI_RESCHED);
}

/* The sleep timer fired (interrupts off). */
static void sleep_timeout(struct ktimer *k)
{
	wake((struct thread *)((char *)k - offsetof(struct thread, sleep_timer)));
}

/*
 * The first thing after a switch, on the stack of the thread switched in
 * (finish of switch_to, or a new thread's sched_tail): the thread
 * switched away from is off this CPU now, and this one takes the kernel
 * lock back at the depth it held it (klock.h). Interrupts off.
 */
static void finish_switch(void)
{
	struct runq *rq = &runqs[smp_cpu_id()];
	struct thread *prev = rq->switched_from, *move = rq->move_after;

	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	if (move) {
		rq->move_after = NULL;
		run_enqueue(move);
	}
	klock_retake(current_thread()->klock_depth);
}

/* Give the kernel lock up (or hand it to next when both hold it:
 * klock_switch_out), then load next's CPU state (FPU, FS base, kernel
 * stack for traps, address space) and switch stacks; now is time_ns(),
 * next's start. The lock goes first: the FPU's state and the CR3 load
 * (a whole TLB flush under TCG) need it not, as a dead thread's pick
 * does not (schedule_pick), and nothing before the stack switch asks
 * this CPU's depth. The CR3 load comes after this CPU is noted in tlb.c's
 * mailbox: a shootdown for next's address space that missed the note
 * wrote its page tables before the load. Interrupts off. */
static void switch_to(struct thread *prev, struct thread *next, uint64_t now)
{
	lockcheck_none_held("a thread switch"); /* debug builds */
	wait_off_cpu(next); /* by the rules above it is off already: a check that costs a load */
	prev->klock_depth = klock_switch_out(next->klock_depth);
	arch_switch_prepare(&prev->arch, &next->arch, next->kstack_top);
	unsigned cpu = smp_cpu_id();
	if (next->proc)
		tlb_load_on(cpu, owner->pml4(next->proc));
	next->run_since = now;
	__atomic_store_n(&runqs[cpu].run_nice, __atomic_load_n(&next->cred.nice, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
	cpu_ticks[cpu].switches++;
	__atomic_store_n(&this_cpu()->current, next, __ATOMIC_RELAXED);
	next->state = THREAD_RUNNING;
	next->cpu = cpu;
	next->on_cpu = true;
	runqs[cpu].switched_from = prev;
	arch_switch_to(&prev->arch, &next->arch);
	finish_switch();
}

/* What the running thread t ran since its last charge, up to now, goes
 * to its run time and its vrt. t's own CPU, interrupts off. */
static void charge_run(struct thread *t, uint64_t now)
{
	t->run_ns += now - t->run_since;
	t->vrt += vrt_delta(t, now - t->run_since);
	t->run_since = now;
}

/*
 * Pick the next thread and run it. prev, the running thread, is RUNNING
 * (it gives the CPU up but stays runnable: queued again; yielding: by
 * sched_yield, see run_dequeue), SLEEPING or DEAD (it set that itself:
 * not queued), or RUNNABLE (it went to sleep and a waker took it before
 * this look: the waker queues it). With or without the kernel lock;
 * interrupts off; no spinlock held. A dead thread gives the lock up
 * before the pick, even to a next that holds it (which takes it back in
 * finish_switch): the pick and the switch (the FPU's state, the CR3
 * load, a whole TLB flush under TCG) need it not, and an exit's switch
 * to the parent that waits for it was most of the fork_exec pair's
 * "(kernel)" hold. Any other switch between two holders keeps it: made
 * so at every switch (2026-11-28), the frequent hand-overs (pipes,
 * futexes, dup2) made eight vCPUs on two busy host cores convoy on the
 * lock, smp-stress's parts two to three times slower.
 */
static void schedule_pick(bool yielding)
{
	struct thread *prev = current_thread();
	struct runq *rq = &runqs[smp_cpu_id()];
	uint64_t now = time_ns();
	struct idle_seen seen;
	bool requeue = false;

	if (prev->state == THREAD_DEAD)
		klock_switch_out(0); /* its last switch: the lock goes before it */
	charge_run(prev, now);
	this_cpu()->need_resched = false;
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_RUNNABLE;
		requeue = !is_idle(prev);
	}
	struct thread *next = run_dequeue(requeue ? prev : NULL, yielding, &seen);
	if (!next) {
		next = this_cpu()->idle;
		rq->seen = seen;
	}
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	switch_to(prev, next, now);
}

/* schedule_pick for every caller but sched_yield. */
static void schedule(void)
{
	schedule_pick(false);
}

/* The first thing a new kernel thread runs, on its own stack. */
void sched_tail(void);
void sched_tail(void)
{
	finish_switch(); /* takes the kernel lock: a new kernel thread's depth is 1 */
	cpu_sti();
}

/* The first thing a new user thread runs: it leaves for user mode by
 * trap_return, without the kernel lock (its depth is 0). Interrupts
 * off. */
void sched_tail_user(void);
void sched_tail_user(void)
{
	finish_switch();
}

/* ---- kernel stack high-water mark ---- */

/* Lock rule: kstack_peak and kstack_peak_name under kstack_peak_lock,
 * interrupts off (a thread's exit may measure its stack without the
 * kernel lock: thread_note_kstack). */
static struct spinlock kstack_peak_lock = SPINLOCK_INIT;
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

/* What the exit path may still write below the depth measured near its
 * end (thread_note_kstack: a process's exit, a kernel-lock wait with
 * the tick and IPIs let in, process_thread_exited, the last schedule):
 * zeroed again with the rest when the stack is reused
 * (kstack_free_dirty). */
#define KSTACK_EXIT_MARGIN 2048

/* At thread exit, once (interrupts off): keep the deepest use seen, and
 * how much of the stack its next user must find zeroed again. */
static void kstack_note(struct thread *t)
{
	size_t used = t->kstack_top ? kstack_used(t) : 0;

	t->kstack_dirty = used + KSTACK_EXIT_MARGIN;
	t->kstack_noted = true;
	spin_lock_irqoff(&kstack_peak_lock);
	if (used > kstack_peak) {
		kstack_peak = used;
		memcpy(kstack_peak_name, t->name, sizeof(kstack_peak_name));
	}
	spin_unlock_irqoff(&kstack_peak_lock);
}

void thread_note_kstack(void)
{
	struct thread *t = current_thread();

	if (!t->kstack_noted)
		kstack_note(t);
}

size_t sched_kstack_peak_take(char name[16])
{
	uint64_t f = spin_lock_irqsave(&kstack_peak_lock);
	size_t peak = kstack_peak;

	memcpy(name, kstack_peak_name, sizeof(kstack_peak_name));
	kstack_peak = 0;
	kstack_peak_name[0] = '\0';
	spin_unlock_irqrestore(&kstack_peak_lock, f);
	return peak;
}

/* backtrace_print's printer for thread dumps: the log, at info level
 * (Linux's sysrq 't' writes to the kernel log too). */
static void show_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vklog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void sched_show_thread(struct thread *t)
{
	static const char *const state_names[] = {
		[THREAD_RUNNABLE] = "runnable", [THREAD_RUNNING] = "running",
		[THREAD_SLEEPING] = "sleeping", [THREAD_DEAD] = "dead",
	};
	enum thread_state st = __atomic_load_n(&t->state, __ATOMIC_RELAXED);
	bool running = __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
	uint64_t rip, rbp;

	klog(LOG_INFO, "  thread %d (%.16s) %s, cpu %u%s\n", t->tid, t->name,
	     st <= THREAD_DEAD ? state_names[st] : "?", t->cpu,
	     t == current_thread() ? ", this one" : running ? ", on it now" : "");
	if (t == current_thread()) {
		rip = (uint64_t)__builtin_return_address(0);
		rbp = ((uint64_t *)__builtin_frame_address(0))[0];
	} else if (running || st == THREAD_DEAD) {
		return; /* its stack moves under the reader: no trace */
	} else {
		arch_thread_stopped_at(&t->arch, &rip, &rbp);
	}
	backtrace_print(rip, rbp, show_out);
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
	t->klock_depth = 1; /* a kernel thread starts holding the kernel lock (sched_tail) */
	t->cpus_allowed = ~0ull;
	t->cpu = smp_cpu_id(); /* its creator's: select_cpu starts there */
	t->vrt = min_vrt_of(t->cpu); /* where its creator's CPU stands */
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

struct thread *thread_create_user(struct process *p, const char *name, uint64_t rip, uint64_t rsp)
{
	struct thread *t = thread_alloc(name);
	if (!t)
		return NULL;
	void *fpu = kmalloc(arch_thread_fpu_size());
	if (!fpu) {
		thread_reap(t);
		return NULL;
	}
	t->proc = p;
	t->klock_depth = 0; /* it starts in trap_return, on its way to user mode */
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
	thread_note_kstack();
	t->state = THREAD_DEAD;
	if (t->proc)
		owner->thread_exited(t->proc, t);
	schedule();
	panic("thread_exit: a dead thread ran again");
}

void thread_reap_begin(struct thread *t)
{
	uint64_t f = irq_save();
	wait_off_cpu(t); /* a dead thread's CPU may still be switching away from it */
	ktimer_cancel(&t->sleep_timer);
	irq_restore(f);
	cred_release(&t->cred);
	seccomp_release(&t->seccomp);
}

void thread_free(struct thread *t)
{
	kstack_free_dirty(t->kstack_top, t->kstack_dirty);
	arch_thread_release(&t->arch);
	kfree(t);
}

void thread_reap(struct thread *t)
{
	thread_reap_begin(t);
	thread_free(t);
}

void sched_yield(void)
{
	uint64_t f = irq_save();
	schedule_pick(true);
	klock_relax(); /* let the other CPUs into the kernel too */
	irq_restore(f);
}

/* Charge one tick to what the CPU was doing when tf was interrupted, and
 * to the process's CPU-time timers when the tick holds the kernel lock
 * (locked). */
static void charge_tick(const struct trap_frame *tf, bool locked)
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
	if (t->proc)
		owner->charge_tick(t->proc, user, NSEC_PER_SEC / TIME_TICK_HZ, locked);
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

/* Whether the tick passes CPU me on: the running thread's vrt has
 * reached the least queued (the head's; nice weights, above), or nothing
 * is queued (schedule then finds the running thread again, or moves it
 * where its affinity says). Interrupts off. */
static bool tick_rotates(unsigned me)
{
	struct thread *cur = current_thread();
	struct runq *rq = &runqs[me];
	bool rotate;

	if (is_idle(cur))
		return true;
	uint64_t v = vrt_now(cur);
	spin_lock_irqoff(&rq->lock);
	rotate = !rq->head || v >= rq->head->vrt;
	spin_unlock_irqoff(&rq->lock);
	return rotate;
}

/* Every CPU's tick. Without the kernel lock on an application processor
 * that was idle, or a CPU halted waiting for the lock (trap.c), it only
 * counts; from user mode or a lock-free system call without it (none
 * due: sched_tick_lock_free) it charges and balances; with it, it also
 * runs the timers that came due (ktimer_run does each slot once,
 * whichever CPU asks first: a boot CPU waiting for the lock delays no
 * sleeper). */
void sched_tick(const struct trap_frame *tf)
{
	bool locked = klock_held();

	if (!locked && !arch_frame_is_user(tf) &&
	    (is_idle(current_thread()) || this_cpu()->klock_halted)) {
		if (is_idle(current_thread()))
			cpu_ticks[smp_cpu_id()].idle++;
		this_cpu()->need_resched = true;
		return;
	}
	charge_tick(tf, locked);
	if (locked) /* else sched_tick_lock_free found none due */
		ktimer_run(time_ns()); /* sleepers whose deadline passed, ITIMER_REAL */
	balance_tick(smp_cpu_id());
	if (tick_rotates(smp_cpu_id()))
		this_cpu()->need_resched = true;
}

bool sched_tick_lock_free(void)
{
	const struct process *p = current_thread()->proc;

	return !time_tick_needs_lock() && !ktimer_due(time_ns()) && !(p && owner->cpu_timers_armed(p));
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
	return owner->being_killed();
}

/* Wait queues' locks: interrupts are off already wherever these are
 * taken. */
static void wq_lock(struct wait_queue *wq)
{
	spin_lock_irqoff(&wq->lock);
}

static void wq_unlock(struct wait_queue *wq)
{
	spin_unlock_irqoff(&wq->lock);
}

/* Put the running thread t first on wq, asleep. wq's lock. */
static void wq_add(struct wait_queue *wq, struct thread *t)
{
	t->wait_next = wq->head;
	t->wait_pprev = &wq->head;
	if (wq->head)
		wq->head->wait_pprev = &t->wait_next;
	wq->head = t;
	__atomic_store_n(&t->state, THREAD_SLEEPING, __ATOMIC_SEQ_CST);
}

/* Remove t from its wait queue if it is still queued (it timed out, or a
 * signal woke it): O(1), however many wait on the same queue (a pipe's
 * writers in a fork bomb). wq's lock. */
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

/* The running thread t, published asleep, sleeps until woken or the
 * deadline: true when it has not passed. Interrupts off. */
static bool sleep_now(struct thread *t, uint64_t deadline_ns)
{
	if (deadline_ns != NO_DEADLINE) /* after SLEEPING: a deadline past wakes it */
		ktimer_arm(&t->sleep_timer, deadline_ns);
	schedule();
	ktimer_cancel(&t->sleep_timer); /* woken before the deadline */
	return deadline_ns == NO_DEADLINE || time_ns() < deadline_ns;
}

/* After a wake_all, the usual way out, t is off wq already: the waker
 * took it off under the lock before it woke it, and t ran only after.
 * Still on it (a timeout, a signal), it leaves it under the lock. */
bool wait_on(struct wait_queue *wq, uint64_t deadline_ns)
{
	struct thread *t = current_thread();
	uint64_t f = irq_save();

	if (wq) {
		wq_lock(wq);
		wq_add(wq, t);
		wq_unlock(wq);
	} else {
		__atomic_store_n(&t->state, THREAD_SLEEPING, __ATOMIC_SEQ_CST);
	}
	bool woken = sleep_now(t, deadline_ns);
	if (wq && __atomic_load_n(&t->wait_pprev, __ATOMIC_ACQUIRE)) {
		wq_lock(wq);
		wq_remove(t);
		wq_unlock(wq);
	}
	irq_restore(f);
	return woken;
}

/* wait_on_cond; a pending signal ends the wait only when signals. */
static bool wait_cond(struct wait_queue *wq, bool (*ready)(const void *arg), const void *arg,
		      uint64_t deadline_ns, bool signals)
{
	struct thread *t = current_thread();
	uint64_t f = irq_save();
	enum thread_state was = THREAD_SLEEPING;
	bool woken;

	wq_lock(wq);
	wq_add(wq, t); /* its SEQ_CST store of SLEEPING is a full barrier */
	wq_unlock(wq);
	if ((ready(arg) || (signals && owner->signal_wakes())) &&
	    __atomic_compare_exchange_n(&t->state, &was, THREAD_RUNNING, false, __ATOMIC_SEQ_CST,
	                                __ATOMIC_SEQ_CST))
		woken = time_ns() < deadline_ns; /* it never slept */
	else
		woken = sleep_now(t, deadline_ns); /* asleep, or a waker won it and queues it */
	if (__atomic_load_n(&t->wait_pprev, __ATOMIC_ACQUIRE)) {
		wq_lock(wq);
		wq_remove(t);
		wq_unlock(wq);
	}
	irq_restore(f);
	return woken;
}

static bool sleeplock_try(struct sleeplock *l)
{
	bool free = false;

	return __atomic_compare_exchange_n(&l->held, &free, true, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static bool sleeplock_free(const void *l)
{
	return !__atomic_load_n(&((const struct sleeplock *)l)->held, __ATOMIC_ACQUIRE);
}

/* Take l, sleeping while another thread holds it: 0, or -EINTR without
 * it when killable and the caller is being killed (a kill wakes the
 * sleeper; other signals do not end the wait). Free, one exchange. */
static int sleeplock_take(struct sleeplock *l, bool killable)
{
	while (!sleeplock_try(l)) {
		if (killable && owner->being_killed())
			return -EINTR;
		wait_cond(&l->wq, sleeplock_free, l, NO_DEADLINE, false);
	}
	return 0;
}

int sleeplock_lock(struct sleeplock *l)
{
	return sleeplock_take(l, true);
}

void sleeplock_lock_slow(struct sleeplock *l)
{
	(void)sleeplock_take(l, false);
}

/* Wake every thread on wq. wq's lock. */
static void wake_locked(struct wait_queue *wq)
{
	struct thread *t = wq->head;

	wq->head = NULL;
	while (t) {
		struct thread *next = t->wait_next;
		t->wait_next = NULL;
		t->wait_pprev = NULL;
		wake(t);
		t = next;
	}
}

void wake_all_slow(struct wait_queue *wq)
{
	uint64_t f = spin_lock_irqsave(&wq->lock);
	wake_locked(wq);
	spin_unlock_irqrestore(&wq->lock, f);
}

bool wait_interruptible(uint64_t deadline_ns)
{
	struct thread *t = current_thread();
	uint64_t f = irq_save();

	__atomic_store_n(&t->state, THREAD_SLEEPING, __ATOMIC_SEQ_CST); /* a full barrier */
	enum thread_state was = THREAD_SLEEPING;
	if (owner->signal_wakes() && __atomic_compare_exchange_n(&t->state, &was, THREAD_RUNNING, false,
	                                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		irq_restore(f);
		return time_ns() < deadline_ns; /* nobody woke it: it never slept */
	}
	/* else a waker won it and queues it once it is off this CPU */
	bool woken = sleep_now(t, deadline_ns);
	irq_restore(f);
	return woken;
}

bool wait_on_cond(struct wait_queue *wq, bool (*ready)(const void *arg), const void *arg,
		  uint64_t deadline_ns)
{
	return wait_cond(wq, ready, arg, deadline_ns, true);
}

static bool flag_set(const void *flag)
{
	return __atomic_load_n((const bool *)flag, __ATOMIC_ACQUIRE);
}

bool wait_on_flag(struct wait_queue *wq, const bool *flag, uint64_t deadline_ns)
{
	return wait_on_cond(wq, flag_set, flag, deadline_ns);
}

void sleep_until(uint64_t deadline_ns)
{
	while (time_ns() < deadline_ns)
		wait_on(NULL, deadline_ns);
}

/* Was a thread queued for this idle CPU since its look (a hint, without
 * its queue's lock)? */
static bool idle_work_queued(unsigned me, const struct idle_seen *seen)
{
	return __atomic_load_n(&runqs[me].gen, __ATOMIC_SEQ_CST) != seen->own;
}

/* Or might it steal one: something was queued anywhere since its look,
 * and another CPU has threads queued. Asked only when an interrupt woke
 * it from halt (its tick, at most), never in a loop: the queued threads
 * may all be pinned elsewhere, and an idle CPU taking their queue's lock
 * again and again for them would slow their own CPU down. */
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
 * Wait, interrupts let in, until this CPU may find work: poll its queue
 * for a while,
 * then halt. The CPU is in idle_cpus throughout, and sets its bit again
 * (an enqueuer that sent the IPI cleared it) before each last look, so an
 * enqueue after that look sends it the IPI (no lost wake-up); while it is
 * also in polling_cpus no IPI is sent, and the look after leaving that
 * mask sees any enqueue made meanwhile. Woken from halt by an interrupt
 * (its tick), it also looks for threads to steal (idle_may_steal); when
 * those may not run here it finds nothing and comes back. Interrupts off
 * on entry and return; no lock held.
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
 * (schedule returns here when nothing is left for it), then wait. It
 * never holds the kernel lock. */
static void idle_loop(void *unused)
{
	(void)unused;
	for (;;) {
		cpu_cli();
		schedule();
		unsigned me = smp_cpu_id();
		struct idle_seen seen = runqs[me].seen; /* nothing for this CPU as of these */
		idle_wait(me, &seen);
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
	boot.on_cpu = true;
	this_cpu()->current = &boot;
	arch_thread_boot_init();
	struct thread *idle = thread_create_kernel("idle", idle_loop, NULL);
	if (!idle)
		panic("sched: no memory for the idle thread");
	idle->state = THREAD_RUNNING; /* never queued: schedule() falls back to it */
	idle->klock_depth = 0; /* idle threads never hold the kernel lock */
	idle->cpus_allowed = cpu_bit(0);
	this_cpu()->idle = idle;
	irq_set_handler(VEC_IPI_RESCHED, resched_ipi);
	timer_tick_hook = sched_tick;
}

void sched_set_owner(const struct sched_owner_ops *ops)
{
	owner = ops;
}

void sched_ap_enter(void)
{
	unsigned cpu = smp_cpu_id();

	klock_enter(); /* for the heap (it still needs the kernel lock) */
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
	idle->on_cpu = true;
	this_cpu()->current = idle;
	this_cpu()->idle = idle;
	klock_leave(); /* idle threads run without it */
	idle_loop(NULL);
	panic("sched: CPU %u's idle loop returned", cpu);
}

/* Queued t may no longer run where it waits (t->cpu): take it out of
 * that queue and queue it where it may run. When it moved meanwhile, or
 * its CPU is still switching away from it, it is left where it is (it
 * runs there once; its next queueing follows its mask). Interrupts off. */
static void requeue_elsewhere(struct thread *t)
{
	unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
	struct thread *prev = NULL, *q;

	spin_lock_irqoff(&runqs[cpu].lock);
	for (q = runqs[cpu].head; q && q != t; prev = q, q = q->run_next)
		;
	if (q && __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		q = NULL; /* its CPU switches away from it: that CPU's schedule moves it */
	if (q)
		rq_unlink(cpu, prev, t);
	spin_unlock_irqoff(&runqs[cpu].lock);
	if (q)
		run_enqueue(t);
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
