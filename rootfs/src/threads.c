// SPDX-License-Identifier: MIT
// Threads: clone(CLONE_THREAD) by pthreads, TLS, locks, raw futex, exit vs exit_group, per-thread signals.
#define _GNU_SOURCE		/* pthread_timedjoin_np, pthread_tryjoin_np */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * The threads under test are musl's own: pthread_create is one clone
 * with CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|
 * CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|
 * CLONE_DETACHED. A thread ends by SYS_exit still holding musl's
 * thread-list lock, whose address is every thread's CLONE_CHILD_CLEARTID
 * word (and the main thread's set_tid_address word): the kernel's
 * clear-and-wake at the thread's exit is what releases it, and
 * pthread_create, pthread_exit and the last step of pthread_join wait
 * for that (FUTEX_WAIT without the private flag: the kernel's wake is
 * not private). A kernel that does not clear and wake hangs the next of
 * those. Mutexes and condition variables are private FUTEX_WAIT and
 * FUTEX_WAKE, and a broadcast to several waiters FUTEX_REQUEUE;
 * pthread_kill and raise are tkill; exit() is exit_group. futex-raw
 * makes futex calls itself.
 *
 * Every check runs in a child of its own (c_isolate): on a kernel where
 * one thread's exit or fault ends the wrong threads, that is one check's
 * failure and the rest still run. No wait can hang the program: joins
 * have a deadline (pthread_timedjoin_np), condition waits are timed,
 * busy-waits for a flag give up after 5 s, and every check arms a
 * watchdog alarm() first, whose SIGALRM (default action: end the
 * process) catches what has no deadline of its own: a pthread_mutex_lock
 * whose futex wake-up was lost, or the last step of a join, which waits
 * for the thread-list lock above without a time limit. run_isolated
 * reports it as "killed by signal 14".
 *
 * Four checks are about how a whole process ends, so they run it in one
 * more forked child and judge its status with want_exit/want_signal:
 * exit-group (exit() in one thread ends them all, also one blocked in a
 * futex), main-exit-last (the main thread's pthread_exit does not end the
 * process), fault-kills-all (a fault in one thread kills them all) and
 * exec-from-thread (execve from a thread that has siblings). exit-group
 * and fault-kills-all also time it: threads asleep must be ended at once,
 * not when their sleep is over. fork-from-thread forks by its nature.
 *
 * main-exit-last then does the same in a freshly exec'd program
 * (`t-threads --main-exit-helper`), whose surviving thread also creates
 * and joins one more thread: that needs the thread-list lock the main
 * thread held as it exited, released by the kernel through the main
 * thread's set_tid_address word. Not in a merely forked child: musl's
 * fork does not register that word again, and the child's kernel task
 * starts without one (as on Linux), so the lock would stay held.
 *
 * `t-threads --exec-helper` is the program exec-from-thread runs: it
 * exits 9 at once (10 if its tid is not its pid).
 */
#define WATCHDOG_S 20	/* seconds a check may take, all told */
#define JOIN_MS 10000	/* how long a join waits for a thread to end */
#define FLAG_MS 5000	/* how long a thread waits for a flag another one sets */

#define FUTEX_WAIT_PRIV 128	/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no <linux/futex.h>) */
#define FUTEX_WAKE_PRIV 129	/* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

static const char *self = "/proc/self/exe";

static long my_tid(void)
{
	return syscall(SYS_gettid);
}

/* watchdog: end this check's process by SIGALRM if it still runs after WATCHDOG_S. */
static void watchdog(void)
{
	signal(SIGALRM, SIG_DFL);
	alarm(WATCHDOG_S);
}

/* no_core: a child about to die by a signal leaves no core file on Linux. */
static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

/* start: pthread_create FN(ARG) into *T (WHAT names it); CHECK_OK or fail(). */
static int start(pthread_t *t, void *(*fn)(void *), void *arg, const char *what)
{
	int e = pthread_create(t, NULL, fn, arg);

	return e ? fail("pthread_create (%s): %s", what, errname(e)) : CHECK_OK;
}

/* join: pthread_join T within JOIN_MS, its value into *RET (may be NULL); CHECK_OK or fail(). */
static int join(pthread_t t, void **ret, const char *what)
{
	struct timespec ts;
	int e;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += JOIN_MS / 1000;
	e = pthread_timedjoin_np(t, ret, &ts);
	if (e == ETIMEDOUT)
		return fail("%s: still running after %d ms (pthread_join)", what, JOIN_MS);
	return e ? fail("pthread_join (%s): %s", what, errname(e)) : CHECK_OK;
}

static int load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* await: wait until *P >= WANT, yielding, then sleeping 1 ms at a time; 0, or -1 after FLAG_MS. */
static int await(int *p, int want)
{
	long long end = now_ms() + FLAG_MS;

	for (int spins = 0; load(p) < want; spins++) {
		if (now_ms() > end)
			return -1;
		if (spins < 1000)
			sched_yield();
		else
			ms_sleep(1);	/* a scheduler that keeps picking the yielder must not stall us */
	}
	return 0;
}

/* gather: count this thread in at *N, then wait until WANT threads have; 0 or -1 (see await). */
static int gather(int *n, int want)
{
	__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
	return await(n, want);
}

/* ---- create-join ---- */

#define NT 6

static struct seen {
	long pid, tid;
} seen[NT];
static int arrived;

static void *who_am_i(void *arg)
{
	struct seen *s = arg;

	s->pid = getpid();
	s->tid = my_tid();
	if (gather(&arrived, NT))
		return (void *)-1;
	return (void *)(intptr_t)(100 + (s - seen));
}

/* NT threads run at once in one process: its pid, a tid each, and join returns what each returned. */
static int check_create_join(void)
{
	pthread_t t[NT];
	long me = my_tid();
	void *ret;

	watchdog();
	arrived = 0;
	if (me != getpid())
		return fail("the main thread's tid is %ld, its pid %d", me, (int)getpid());
	for (int i = 0; i < NT; i++)
		if (start(&t[i], who_am_i, &seen[i], "create-join"))
			return CHECK_FAIL;
	for (int i = 0; i < NT; i++) {
		if (join(t[i], &ret, "a create-join thread"))
			return CHECK_FAIL;
		if (ret == (void *)-1)
			return fail("the %d threads were never all running at once", NT);
		if (ret != (void *)(intptr_t)(100 + i))
			return fail("thread %d returned %p, joined as %p", i,
				    (void *)(intptr_t)(100 + i), ret);
	}
	for (int i = 0; i < NT; i++) {
		if (seen[i].pid != getpid())
			return fail("thread %d: getpid %ld, the main thread's %d", i, seen[i].pid,
				    (int)getpid());
		if (seen[i].tid <= 0 || seen[i].tid == me)
			return fail("thread %d: gettid %ld (the main thread's is %ld)", i, seen[i].tid, me);
		for (int k = 0; k < i; k++)
			if (seen[k].tid == seen[i].tid)
				return fail("threads %d and %d both have tid %ld", k, i, seen[i].tid);
	}
	if (pthread_equal(t[0], t[1]) || !pthread_equal(pthread_self(), pthread_self()))
		return fail("pthread_equal");
	remark("tids %ld..%ld", seen[0].tid, seen[NT - 1].tid);
	return CHECK_OK;
}

/* ---- tls ---- */

static __thread int tls_val = 42;	/* .tdata: each thread starts from 42 */
static __thread char tls_zero[256];	/* .tbss: each thread starts from zeros */

static struct tls_res {
	int val, initial, after, zeros, filled;
	int *addr;
} tls_res[NT];

static void *tls_thread(void *arg)
{
	struct tls_res *r = arg;

	r->initial = tls_val;
	r->zeros = 1;
	for (size_t i = 0; i < sizeof(tls_zero); i++)
		r->zeros &= tls_zero[i] == 0;
	r->addr = &tls_val;
	tls_val = r->val;
	memset(tls_zero, r->val & 0x7f, sizeof(tls_zero));
	if (gather(&arrived, NT))	/* every thread has written its own */
		return (void *)-1;
	for (int i = 0; i < 50; i++)
		sched_yield();
	ms_sleep(5);
	r->after = tls_val;
	r->filled = 1;
	for (size_t i = 0; i < sizeof(tls_zero); i++)
		r->filled &= tls_zero[i] == (r->val & 0x7f);
	return NULL;
}

/* A __thread variable is each thread's own: the initial image, its own writes, main's copy left alone. */
static int check_tls(void)
{
	pthread_t t[NT];
	void *ret;

	watchdog();
	arrived = 0;
	tls_val = 1;
	for (int i = 0; i < NT; i++) {
		tls_res[i].val = 1000 + i;
		if (start(&t[i], tls_thread, &tls_res[i], "tls"))
			return CHECK_FAIL;
	}
	for (int i = 0; i < NT; i++) {
		if (join(t[i], &ret, "a tls thread"))
			return CHECK_FAIL;
		if (ret == (void *)-1)
			return fail("the %d threads were never all running at once", NT);
	}
	for (int i = 0; i < NT; i++) {
		struct tls_res *r = &tls_res[i];

		if (r->initial != 42 || !r->zeros)
			return fail("thread %d started with tls_val %d (want 42, the initializer) %s", i,
				    r->initial, r->zeros ? "" : "and a non-zero .tbss");
		if (r->after != r->val || !r->filled)
			return fail("thread %d wrote %d to its __thread variable and read back %d%s", i,
				    r->val, r->after, r->filled ? "" : " (its .tbss changed too)");
		if (r->addr == &tls_val)
			return fail("thread %d's tls_val is at the main thread's address %p", i,
				    (void *)r->addr);
		for (int k = 0; k < i; k++)
			if (tls_res[k].addr == r->addr)
				return fail("threads %d and %d share tls_val at %p", k, i, (void *)r->addr);
	}
	if (tls_val != 1)
		return fail("the main thread's tls_val is %d, want 1", tls_val);
	return CHECK_OK;
}

/* ---- mutex ---- */

#define MUTEX_N 4
#define MUTEX_M 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;

static void *adder(void *arg)
{
	(void)arg;
	if (gather(&arrived, MUTEX_N))
		return (void *)-1;
	for (int i = 0; i < MUTEX_M; i++) {
		pthread_mutex_lock(&lock);
		long v = counter;
		if (i % 64 == 0)
			sched_yield();	/* hold the lock a while: the others must wait for it */
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void *try_locked(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)pthread_mutex_trylock(&lock);
}

/* A mutex held by one thread is busy in another; MUTEX_N threads add MUTEX_M each under it, none lost. */
static int check_mutex(void)
{
	pthread_t t[MUTEX_N];
	void *ret;

	watchdog();
	arrived = 0;
	pthread_mutex_lock(&lock);
	if (start(&t[0], try_locked, NULL, "trylock"))
		return CHECK_FAIL;
	if (join(t[0], &ret, "the trylock thread"))
		return CHECK_FAIL;
	pthread_mutex_unlock(&lock);
	if (ret != (void *)(intptr_t)EBUSY)
		return fail("pthread_mutex_trylock of a mutex the main thread holds: %s, want EBUSY",
			    errname((int)(intptr_t)ret));
	for (int i = 0; i < MUTEX_N; i++)
		if (start(&t[i], adder, NULL, "mutex"))
			return CHECK_FAIL;
	for (int i = 0; i < MUTEX_N; i++) {
		if (join(t[i], &ret, "an adding thread"))
			return CHECK_FAIL;
		if (ret == (void *)-1)
			return fail("the %d threads were never all running at once", MUTEX_N);
	}
	if (counter != MUTEX_N * MUTEX_M)
		return fail("the counter is %ld, want %d", counter, MUTEX_N * MUTEX_M);
	return CHECK_OK;
}

/* ---- condvar ---- */

#define ITEMS 200
#define QLEN 4
#define GATE_N 3

static struct queue {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full, gate;
	int buf[QLEN], head, count, done, timeouts;
	int waiting, open;
	long sum;
	int taken;
} q = { .m = PTHREAD_MUTEX_INITIALIZER };

/* timed_wait: pthread_cond_timedwait on C (a CLOCK_MONOTONIC condition) for at most MS. */
static int timed_wait(pthread_cond_t *c, pthread_mutex_t *m, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_cond_timedwait(c, m, &ts);
}

static void *consumer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&q.m);
	for (;;) {
		while (q.count == 0 && !q.done)
			if (timed_wait(&q.not_empty, &q.m, FLAG_MS) == ETIMEDOUT) {
				q.timeouts++;
				pthread_mutex_unlock(&q.m);
				return NULL;
			}
		if (q.count == 0)
			break;
		q.sum += q.buf[q.head];
		q.head = (q.head + 1) % QLEN;
		q.count--;
		q.taken++;
		pthread_cond_signal(&q.not_full);
	}
	pthread_mutex_unlock(&q.m);
	return NULL;
}

static void *gate_waiter(void *arg)
{
	int r = 0;

	(void)arg;
	pthread_mutex_lock(&q.m);
	q.waiting++;
	while (!q.open && r != ETIMEDOUT)
		r = timed_wait(&q.gate, &q.m, FLAG_MS);
	pthread_mutex_unlock(&q.m);
	return (void *)(intptr_t)(r == ETIMEDOUT);
}

/* cond_init: the queue's three conditions, on CLOCK_MONOTONIC. */
static int cond_init(void)
{
	pthread_condattr_t a;

	if (pthread_condattr_init(&a) || pthread_condattr_setclock(&a, CLOCK_MONOTONIC))
		return fail("pthread_condattr_setclock(CLOCK_MONOTONIC)");
	if (pthread_cond_init(&q.not_empty, &a) || pthread_cond_init(&q.not_full, &a) ||
	    pthread_cond_init(&q.gate, &a))
		return fail("pthread_cond_init");
	pthread_condattr_destroy(&a);
	return CHECK_OK;
}

/* The main thread produces ITEMS through a QLEN queue to two consumers (signal), opens a gate (broadcast). */
static int check_condvar(void)
{
	pthread_t t[GATE_N];
	void *ret;
	long long t0, dt;
	int r, timeouts;

	watchdog();
	if (cond_init())
		return CHECK_FAIL;
	if (start(&t[0], consumer, NULL, "consumer") || start(&t[1], consumer, NULL, "consumer"))
		return CHECK_FAIL;
	pthread_mutex_lock(&q.m);
	for (int i = 1; i <= ITEMS; i++) {
		while (q.count == QLEN)
			if (timed_wait(&q.not_full, &q.m, FLAG_MS) == ETIMEDOUT) {
				pthread_mutex_unlock(&q.m);
				return fail("item %d: no room in the queue for %d ms (%d taken)", i, FLAG_MS,
					    q.taken);
			}
		q.buf[(q.head + q.count) % QLEN] = i;
		q.count++;
		pthread_cond_signal(&q.not_empty);
	}
	q.done = 1;
	pthread_cond_broadcast(&q.not_empty);
	pthread_mutex_unlock(&q.m);
	if (join(t[0], NULL, "a consumer") || join(t[1], NULL, "a consumer"))
		return CHECK_FAIL;
	if (q.timeouts || q.taken != ITEMS || q.sum != ITEMS * (ITEMS + 1) / 2)
		return fail("consumers took %d items summing to %ld, want %d and %d"
			    " (%d waited %d ms in vain)",
			    q.taken, q.sum, ITEMS, ITEMS * (ITEMS + 1) / 2, q.timeouts, FLAG_MS);

	/* The gate: GATE_N threads wait for it; one broadcast must wake them all. */
	for (int i = 0; i < GATE_N; i++)
		if (start(&t[i], gate_waiter, NULL, "gate"))
			return CHECK_FAIL;
	long long end = now_ms() + FLAG_MS;
	do {
		pthread_mutex_lock(&q.m);
		r = q.waiting;
		pthread_mutex_unlock(&q.m);
		ms_sleep(1);
	} while (r < GATE_N && now_ms() < end);
	/* Each counted itself under the mutex and let go of it only by waiting: all are waiting now. */
	pthread_mutex_lock(&q.m);
	q.open = 1;
	pthread_cond_broadcast(&q.gate);
	pthread_mutex_unlock(&q.m);
	timeouts = 0;
	for (int i = 0; i < GATE_N; i++) {
		if (join(t[i], &ret, "a gate waiter"))
			return CHECK_FAIL;
		timeouts += ret != NULL;
	}
	if (timeouts)
		return fail("%d of %d threads were not woken by pthread_cond_broadcast", timeouts, GATE_N);

	/* A timed wait nobody signals: ETIMEDOUT, not before its time (CLOCK_REALTIME, the default). */
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec ts;

	pthread_mutex_lock(&q.m);
	clock_gettime(CLOCK_REALTIME, &ts);
	t0 = now_ms();
	ts.tv_nsec += 100000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	r = pthread_cond_timedwait(&c, &q.m, &ts);
	dt = now_ms() - t0;
	pthread_mutex_unlock(&q.m);
	if (r != ETIMEDOUT)
		return fail("a 100 ms pthread_cond_timedwait nobody signals returned %s", errname(r));
	if (dt < 90 || dt > 5000)
		return fail("a 100 ms pthread_cond_timedwait timed out after %lld ms", dt);
	remark("the 100 ms timed wait took %lld ms", dt);
	return CHECK_OK;
}

/* ---- shared-memory ---- */

static int shared_global;
static int pfd[2] = { -1, -1 };

static void *writer(void *arg)
{
	int *from_main = arg;
	char *b = malloc(4096);

	if (!b)
		return NULL;
	memset(b, 0x5a, 4096);
	b[4095] = 0x11;
	shared_global = 0x1234;
	from_main[1] = from_main[0] * 2;	/* the main thread's stack */
	if (pipe(pfd) != 0 || write(pfd[1], "T", 1) != 1)
		pfd[0] = pfd[1] = -1;
	return b;
}

static void *reader_closer(void *arg)
{
	char c = 0;
	intptr_t ok = read(pfd[0], &c, 1) == 1 && c == 'M';

	(void)arg;
	if (close(pfd[0]) != 0 || close(pfd[1]) != 0)
		ok = 0;
	return (void *)ok;
}

/* One address space and one fd table: a thread's heap, global and stack writes, pipe and close. */
static int check_shared_memory(void)
{
	pthread_t t;
	int on_stack[2] = { 21, 0 };
	void *ret;
	char *b, c = 0;

	watchdog();
	if (start(&t, writer, on_stack, "writer") || join(t, &ret, "the writer"))
		return CHECK_FAIL;
	b = ret;
	if (!b)
		return fail("malloc in a thread failed");
	for (int i = 0; i < 4095; i++)
		if (b[i] != 0x5a)
			return fail("the thread's heap buffer reads %#x at %d, want 0x5a", b[i], i);
	if (b[4095] != 0x11 || shared_global != 0x1234 || on_stack[1] != 42)
		return fail("after the join: heap end %#x, global %#x, main's stack %d; want 0x11 0x1234 42",
			    b[4095], shared_global, on_stack[1]);
	free(b);	/* memory one thread allocated, freed by another */
	if (pfd[0] < 0)
		return fail("pipe or write in the thread: %s", errname(errno));
	if (read(pfd[0], &c, 1) != 1 || c != 'T')
		return fail("read from the pipe the thread made: %s (%#x)", errname(errno), c);
	if (write(pfd[1], "M", 1) != 1)
		return fail("write to the pipe the thread made: %s", errname(errno));
	if (start(&t, reader_closer, NULL, "reader") || join(t, &ret, "the reader"))
		return CHECK_FAIL;
	if (ret == NULL)
		return fail("the second thread could not read the main thread's byte or close the pipe");
	errno = 0;
	if (want_err("fcntl(F_GETFD) on the read end a thread closed", fcntl(pfd[0], F_GETFD), EBADF))
		return CHECK_FAIL;
	errno = 0;
	return want_err("write to the write end a thread closed", write(pfd[1], "x", 1), EBADF);
}

/* ---- detached ---- */

static int detached_done;

static void *detached_fn(void *arg)
{
	(void)arg;
	sched_yield();
	__atomic_add_fetch(&detached_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *plain_fn(void *arg)
{
	return arg;
}

/* Detached threads (by attribute and by pthread_detach) end on their own; joinable ones work after. */
static int check_detached(void)
{
	pthread_attr_t a;
	pthread_t t[4];
	void *ret;
	int e;

	watchdog();
	if (pthread_attr_init(&a) || pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED))
		return fail("pthread_attr_setdetachstate");
	for (int round = 1; round <= 3; round++) {
		for (int i = 0; i < 4; i++) {
			if (i < 2)
				e = pthread_create(&t[i], &a, detached_fn, NULL);
			else if ((e = pthread_create(&t[i], NULL, detached_fn, NULL)) == 0)
				e = pthread_detach(t[i]);
			if (e)
				return fail("round %d, thread %d: pthread_create/detach: %s", round, i,
					    errname(e));
		}
		if (await(&detached_done, 4 * round))
			return fail("round %d: %d of %d detached threads ran", round, load(&detached_done),
				    4 * round);
	}
	pthread_attr_destroy(&a);
	ms_sleep(20);	/* let the last ones finish exiting */
	for (int i = 0; i < 4; i++)
		if (start(&t[i], plain_fn, (void *)(intptr_t)(i + 1), "joinable"))
			return CHECK_FAIL;
	for (int i = 0; i < 4; i++) {
		if (join(t[i], &ret, "a joinable thread after the detached ones"))
			return CHECK_FAIL;
		if (ret != (void *)(intptr_t)(i + 1))
			return fail("joinable thread %d returned %p", i, ret);
	}
	return CHECK_OK;
}

/* ---- exit-one-thread ---- */

static volatile int after_exit;

static void leave(int v)
{
	pthread_exit((void *)(intptr_t)v);
}

static void *exiter(void *arg)
{
	(void)arg;
	ms_sleep(20);
	leave(77);
	after_exit = 1;
	return NULL;
}

/* pthread_exit (SYS_exit) ends one thread: the main thread, busy meanwhile, goes on. */
static int check_exit_one_thread(void)
{
	pthread_t t, t2;
	long long end;
	void *ret = NULL;
	int e;
	pid_t pid = getpid();

	watchdog();
	if (start(&t, exiter, NULL, "exiter"))
		return CHECK_FAIL;
	end = now_ms() + JOIN_MS;
	while ((e = pthread_tryjoin_np(t, &ret)) == EBUSY && now_ms() < end)
		sched_yield();
	if (e)
		return fail("pthread_tryjoin_np on a thread that called pthread_exit: %s", errname(e));
	if (ret != (void *)77 || after_exit)
		return fail("the thread's value is %p, want 0x4d%s", ret,
			    after_exit ? ", and it ran on after pthread_exit" : "");
	ms_sleep(50);
	if (getpid() != pid)
		return fail("getpid changed from %d to %d", (int)pid, (int)getpid());
	if (start(&t2, plain_fn, (void *)5, "after") || join(t2, &ret, "a thread after the exit"))
		return CHECK_FAIL;
	return ret == (void *)5 ? CHECK_OK : fail("the next thread returned %p", ret);
}

/* ---- exit-group ---- */

static void *exit7(void *arg)
{
	(void)arg;
	ms_sleep(20);
	exit(7);
}

static void *wait_forever(void *arg)
{
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	(void)arg;
	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&c, &m);
	return NULL;
}

/* exit() in one thread ends the process (exit_group) at once: main in pause(), another in a futex. */
static int check_exit_group(void)
{
	long long t0 = now_ms(), dt;
	pid_t pid;

	watchdog();
	pid = fork();
	if (pid == 0) {
		pthread_t a, b;

		if (pthread_create(&a, NULL, wait_forever, NULL) || pthread_create(&b, NULL, exit7, NULL))
			_exit(2);
		for (;;)
			pause();
	}
	if (want_exit("a process whose second thread called exit(7)", pid, 7))
		return CHECK_FAIL;
	dt = now_ms() - t0;
	if (dt > 2000)
		return fail("the process took %lld ms to end after exit(7) in a thread", dt);
	remark("ended after %lld ms", dt);
	return CHECK_OK;
}

/* ---- main-exit-last ---- */

static void *exit3_later(void *arg)
{
	ms_sleep(100);
	exit(getpid() == (pid_t)(intptr_t)arg ? 3 : 4);
}

static void *create_then_exit3(void *arg)
{
	pthread_t t;
	void *ret = NULL;

	(void)arg;
	ms_sleep(100);
	/* This takes musl's thread-list lock, which the main thread held as it exited. */
	if (pthread_create(&t, NULL, plain_fn, (void *)3) || pthread_join(t, &ret))
		exit(5);
	exit((int)(intptr_t)ret);
}

/* main_exit_helper: `t-threads --main-exit-helper`, see main-exit-last. */
static int main_exit_helper(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, create_then_exit3, NULL))
		return 2;
	pthread_exit(NULL);
}

/* The main thread's pthread_exit leaves the process running until its last thread calls exit(3). */
static int check_main_exit_last(void)
{
	pid_t pid;

	watchdog();
	pid = fork();
	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, exit3_later, (void *)(intptr_t)getpid()))
			_exit(2);
		pthread_exit(NULL);
	}
	if (want_exit("a process whose main thread called pthread_exit, the other exit(3) 100 ms later"
		      " (0: ended with the main thread, 4: getpid changed)", pid, 3))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		char *av[] = { (char *)self, "--main-exit-helper", NULL }, *ev[] = { NULL };

		execve(self, av, ev);
		_exit(127);
	}
	if (want_exit("t-threads --main-exit-helper (0: ended with the main thread, 5: pthread_create"
		      " failed, 127: execve failed)", pid, 3)) {
		char why[sizeof(c_why)];

		memcpy(why, c_why, sizeof(why));
		return fail("exec'd, with a thread created after the main thread's exit: %s%s", why,
			    strstr(why, "still running") ? " (was the main thread's set_tid_address word"
			    " cleared and woken at its exit?)" : "");
	}
	return CHECK_OK;
}

/* ---- fault-kills-all ---- */

static void *fault_soon(void *arg)
{
	uintptr_t addr = 0;
	uint64_t value;

	(void)arg;
	ms_sleep(20);
	/* asm: gcc may turn a C read of a known NULL into ud2 (SIGILL). */
	__asm__ volatile("mov (%1), %0" : "=r"(value) : "r"(addr) : "memory");
	return (void *)(uintptr_t)value;
}

/* A NULL read in one thread kills the whole process by SIGSEGV, the main thread asleep included. */
static int check_fault_kills_all(void)
{
	long long t0 = now_ms(), dt;
	pid_t pid;

	watchdog();
	pid = fork();
	if (pid == 0) {
		pthread_t t;

		no_core();
		if (pthread_create(&t, NULL, fault_soon, NULL))
			_exit(2);
		ms_sleep(3000);
		_exit(0);
	}
	if (want_signal("a process whose second thread read address 0 (exit 0: the main thread lived on)",
			pid, SIGSEGV))
		return CHECK_FAIL;
	dt = now_ms() - t0;
	if (dt > 2000)
		return fail("the process died %lld ms after the fault, not at once", dt);
	remark("died after %lld ms", dt);
	return CHECK_OK;
}

/* ---- signal-to-thread ---- */

static volatile sig_atomic_t usr1_hits, usr2_hits;
static volatile long usr1_tid;
static long target_tid;
static int target_ready;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = my_tid();
	usr1_hits++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_hits++;
}

/* catch: run FN for SIG; CHECK_OK or fail(). */
static int catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0)
		return fail("sigaction(%d): %s", sig, errname(errno));
	return CHECK_OK;
}

static void *wait_usr1(void *arg)
{
	long long end = now_ms() + FLAG_MS;

	(void)arg;
	target_tid = my_tid();
	store(&target_ready, 1);
	while (!usr1_hits && now_ms() < end)
		ms_sleep(1);
	return NULL;
}

/* pthread_kill (tgkill) of a live thread: 0, and the handler runs (in that thread, on Linux). */
static int check_signal_to_thread(void)
{
	pthread_t t;
	int e;

	watchdog();
	if (catch(SIGUSR1, on_usr1) || start(&t, wait_usr1, NULL, "target"))
		return CHECK_FAIL;
	if (await(&target_ready, 1))
		return fail("the target thread did not start in %d ms", FLAG_MS);
	if ((e = pthread_kill(t, 0)) != 0)
		return fail("pthread_kill(thread, 0): %s", errname(e));
	if ((e = pthread_kill(t, SIGUSR1)) != 0)
		return fail("pthread_kill(thread, SIGUSR1): %s", errname(e));
	if (join(t, NULL, "the target thread"))
		return CHECK_FAIL;
	if (!usr1_hits)
		return fail("the SIGUSR1 handler never ran (waited %d ms)", FLAG_MS);
	if (usr1_tid == target_tid)
		remark("handled in the target thread");
	else
		remark("handled in tid %ld, the target was %ld", usr1_tid, target_tid);
	return CHECK_OK;
}

/* ---- sigmask-per-thread ---- */

static int mask_stage;

static struct mask_res {
	int inherited, err, own_blocked;
} mask_res;

static void *blocker(void *arg)
{
	struct mask_res *r = arg;
	sigset_t cur, s;

	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	r->inherited = sigismember(&cur, SIGPIPE);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	r->err = pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	r->own_blocked = sigismember(&cur, SIGUSR2);
	store(&mask_stage, 1);
	await(&mask_stage, 2);
	return NULL;
}

/* raise_usr2: raise SIGUSR2 and wait a little for the WANTth handler run; CHECK_OK or fail(). */
static int raise_usr2(int want, const char *when)
{
	long long end;

	if (raise(SIGUSR2) != 0)
		return fail("raise(SIGUSR2) %s: %s", when, errname(errno));
	end = now_ms() + 2000;
	while (usr2_hits < want && now_ms() < end)
		ms_sleep(1);
	if (usr2_hits != want)
		return fail("raise(SIGUSR2) %s: the handler ran %d times in all, want %d", when,
			    (int)usr2_hits, want);
	return CHECK_OK;
}

/* mask_has: whether the calling thread's mask has SIG. */
static int mask_has(int sig)
{
	sigset_t cur;

	sigemptyset(&cur);
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	return sigismember(&cur, sig);
}

/* Each thread has its own mask: a new one starts from its creator's; its SIG_BLOCK is its own. */
static int check_sigmask_per_thread(void)
{
	pthread_t t;
	sigset_t s;

	watchdog();
	if (catch(SIGUSR2, on_usr2))
		return CHECK_FAIL;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	if (start(&t, blocker, &mask_res, "blocker"))
		return CHECK_FAIL;
	if (await(&mask_stage, 1)) {
		store(&mask_stage, 2);
		return fail("the blocking thread did not get going in %d ms", FLAG_MS);
	}
	if (!mask_res.inherited || mask_res.err || !mask_res.own_blocked) {
		store(&mask_stage, 2);
		return fail("in the thread: SIGPIPE %sinherited, pthread_sigmask(SIG_BLOCK) %s,"
			    " SIGUSR2 %sblocked",
			    mask_res.inherited ? "" : "not ", errname(mask_res.err),
			    mask_res.own_blocked ? "" : "not ");
	}
	if (mask_has(SIGUSR2)) {
		store(&mask_stage, 2);
		return fail("SIGUSR2, blocked by the other thread, is in the main thread's mask");
	}
	if (raise_usr2(1, "while the other thread blocks it")) {
		store(&mask_stage, 2);
		return CHECK_FAIL;
	}
	store(&mask_stage, 2);
	if (join(t, NULL, "the blocking thread"))
		return CHECK_FAIL;
	/* musl blocks every signal in an exiting thread: that must not reach the main thread either. */
	if (mask_has(SIGUSR2) || !mask_has(SIGPIPE) || mask_has(SIGUSR1))
		return fail("after the thread exited the main thread's mask has SIGUSR2 %d"
			    " SIGPIPE %d SIGUSR1 %d, want 0 1 0", mask_has(SIGUSR2), mask_has(SIGPIPE),
			    mask_has(SIGUSR1));
	if (raise_usr2(2, "after the thread exited"))
		return CHECK_FAIL;
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	return CHECK_OK;
}

/* ---- fork-from-thread ---- */

static struct fork_res {
	int r;
	pid_t second;
} fork_res;

static void *forker(void *arg)
{
	struct fork_res *f = arg;
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid == 0)
		_exit(my_tid() != getpid() ? 6 : getppid() != parent ? 7 : 5);
	f->r = want_exit("the child a thread forked (6: its tid is not its pid, 7: getppid is not the"
			 " process)", pid, 5);
	if (f->r == CHECK_OK && (f->second = fork()) == 0)
		_exit(8);
	return NULL;
}

/* A thread forks: the child is a process of one thread; the thread and the main thread can each reap. */
static int check_fork_from_thread(void)
{
	pthread_t t;

	watchdog();
	if (start(&t, forker, &fork_res, "forker") || join(t, NULL, "the forking thread"))
		return CHECK_FAIL;
	if (fork_res.r != CHECK_OK)
		return CHECK_FAIL;
	return want_exit("the thread's second child, reaped by the main thread", fork_res.second, 8);
}

/* ---- exec-from-thread ---- */

static void *sleep_long(void *arg)
{
	(void)arg;
	for (;;)
		ms_sleep(10000);
	return NULL;
}

static void *execer(void *arg)
{
	char *av[] = { (char *)self, "--exec-helper", NULL }, *ev[] = { NULL };

	(void)arg;
	ms_sleep(20);
	execve(self, av, ev);
	_exit(127);
}

/* execve from a thread with siblings: they all go, the new program runs in the process (pid kept). */
static int check_exec_from_thread(void)
{
	pid_t pid;

	watchdog();
	pid = fork();
	if (pid == 0) {
		pthread_t a, b, c;

		if (pthread_create(&a, NULL, sleep_long, NULL) ||
		    pthread_create(&b, NULL, sleep_long, NULL) ||
		    pthread_create(&c, NULL, execer, NULL))
			_exit(2);
		ms_sleep(3000);
		_exit(4);
	}
	return want_exit("the process a thread re-executed (127: execve failed, 4: nothing happened"
			 " in 3 s, 10: after exec the tid is not the pid)", pid, 9);
}

/* ---- many-threads ---- */

#define BATCH 10
#define BATCHES 5

/* BATCHES batches of BATCH short threads, each batch joined before the next: their resources come back. */
static int check_many_threads(void)
{
	pthread_t t[BATCH];
	void *ret;
	long sum = 0;

	watchdog();
	for (int b = 0; b < BATCHES; b++) {
		for (int i = 0; i < BATCH; i++)
			if (start(&t[i], plain_fn, (void *)(intptr_t)(b * BATCH + i + 1), "many"))
				return CHECK_FAIL;
		for (int i = 0; i < BATCH; i++) {
			if (join(t[i], &ret, "one of many threads"))
				return CHECK_FAIL;
			sum += (intptr_t)ret;
		}
	}
	if (sum != BATCH * BATCHES * (BATCH * BATCHES + 1) / 2)
		return fail("the threads' values sum to %ld", sum);
	return CHECK_OK;
}

/* ---- futex-raw ---- */

static int fword;	/* the futex word of the waiter part */
static int wstate;	/* the waiter: 2r-1 about to wait in round r, 2r back with EAGAIN */

static long futex(int *addr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static struct waiter_res {
	int r, err, rounds;
} waiter_res;

static void *futex_waiter(void *arg)
{
	struct waiter_res *w = arg;
	struct timespec five = { 5, 0 };

	for (int round = 1; round <= 5; round++) {
		if (await(&fword, 1)) {	/* re-armed by the main thread */
			w->r = -2;
			return NULL;
		}
		store(&wstate, 2 * round - 1);
		w->r = (int)futex(&fword, FUTEX_WAIT_PRIV, 1, &five);
		w->err = errno;
		w->rounds = round;
		if (w->r == 0 || w->err != EAGAIN)
			return NULL;
		store(&wstate, 2 * round);	/* the wake came before the wait: again */
	}
	return NULL;
}

/* futex_waiter_part: a thread asleep in FUTEX_WAIT is woken by FUTEX_WAKE (1 woken), not by its timeout. */
static int futex_waiter_part(void)
{
	pthread_t t;
	long n = 0;
	int round, wake_err = 0;

	store(&fword, 1);
	if (start(&t, futex_waiter, &waiter_res, "futex waiter"))
		return CHECK_FAIL;
	for (round = 1; round <= 5; round++) {
		if (await(&wstate, 2 * round - 1))
			return fail("round %d: the waiter did not get to its FUTEX_WAIT", round);
		ms_sleep(20 * round);	/* time to fall asleep in the kernel */
		store(&fword, 0);
		n = futex(&fword, FUTEX_WAKE_PRIV, 1, NULL);
		wake_err = errno;
		if (n != 0)
			break;
		/* Nobody was asleep yet: the waiter's FUTEX_WAIT will see 0 and say EAGAIN. */
		if (await(&wstate, 2 * round))
			return fail("FUTEX_WAKE woke nobody, and the waiter did not come back with EAGAIN"
				    " (%d, %s)", waiter_res.r, errname(waiter_res.err));
		store(&fword, 1);
	}
	if (join(t, NULL, "the futex waiter"))
		return CHECK_FAIL;
	if (n != 1)
		return fail("FUTEX_WAKE of the waiter's word returned %ld (%s) in round %d, want 1", n,
			    errname(wake_err), round);
	if (waiter_res.r != 0)
		return fail("the woken FUTEX_WAIT returned %d/%s, want 0", waiter_res.r,
			    errname(waiter_res.err));
	if (waiter_res.rounds > 1)
		remark("woken in round %d", waiter_res.rounds);
	return CHECK_OK;
}

/* Private FUTEX_WAIT/FUTEX_WAKE: a changed word, a timeout, a wake for nobody, bad words, a wake-up. */
static int check_futex_raw(void)
{
	static int word __attribute__((aligned(8)));
	struct timespec ms50 = { 0, 50000000 }, s2 = { 2, 0 };
	long long t0, dt;
	long r;

	watchdog();
	word = 0;
	t0 = now_ms();
	errno = 0;
	r = futex(&word, FUTEX_WAIT_PRIV, 1, &s2);
	dt = now_ms() - t0;
	if (want_err("FUTEX_WAIT for 1 on a word that is 0", r, EAGAIN))
		return CHECK_FAIL;
	if (dt > 1000)
		return fail("FUTEX_WAIT on a word that does not match took %lld ms to say EAGAIN", dt);
	word = 1;
	t0 = now_ms();
	errno = 0;
	r = futex(&word, FUTEX_WAIT_PRIV, 1, &ms50);
	dt = now_ms() - t0;
	if (want_err("FUTEX_WAIT for 50 ms nobody wakes", r, ETIMEDOUT))
		return CHECK_FAIL;
	if (dt < 45 || dt > 5000)
		return fail("a 50 ms FUTEX_WAIT timed out after %lld ms", dt);
	if (want_eq("FUTEX_WAKE of a word nobody waits on", futex(&word, FUTEX_WAKE_PRIV, 1, NULL), 0))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("FUTEX_WAIT on a misaligned word", futex((int *)((char *)&word + 1), FUTEX_WAIT_PRIV, 1,
							       &ms50), EINVAL))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("FUTEX_WAIT on an unmapped word", futex((int *)16, FUTEX_WAIT_PRIV, 1, &ms50), EFAULT))
		return CHECK_FAIL;
	return futex_waiter_part();
}

/* ---- thread-cpu-clock ---- */

static long long clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/* A thread's own CPU clock counts its time only: a sleeper's stays near 0 while another computes. */
static void *sleeper_clock(void *arg)
{
	ms_sleep(300);
	*(long long *)arg = clock_ms(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static int check_thread_cpu_clock(void)
{
	long long sleeper_ms = -1, p0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	long long t0 = clock_ms(CLOCK_THREAD_CPUTIME_ID), end = now_ms() + 5000;
	volatile unsigned long x = 1;
	pthread_t t;
	int r;

	watchdog();
	if ((r = start(&t, sleeper_clock, &sleeper_ms, "a sleeper")))
		return r;
	while (clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0 < 150 && now_ms() < end)
		for (int i = 0; i < 10000; i++)
			x = x * 31 + 7;
	if ((r = join(t, NULL, "the sleeper")))
		return r;
	long long mine = clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
	long long all = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - p0;
	if (mine < 150)
		return fail("the computing thread's clock reached only %lld ms in 5 s", mine);
	if (sleeper_ms < 0 || sleeper_ms > 100)
		return fail("a thread that slept 300 ms has a CPU clock of %lld ms", sleeper_ms);
	if (all < mine - 1) /* each rounded down to the ms */
		return fail("the process's CPU clock (%lld ms) is behind one thread's (%lld ms)", all, mine);
	remark("computing %lld ms, sleeping %lld ms, process %lld ms", mine, sleeper_ms, all);
	return CHECK_OK;
}

/* ---- altstack-per-thread ---- */

/* In a new thread: no alternate stack is inherited; one set here stays this thread's. */
static void *own_altstack(void *arg)
{
	static char mine[65536];
	stack_t ss = { .ss_sp = mine, .ss_size = sizeof(mine), .ss_flags = 0 }, cur;

	(void)arg;
	if (sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE))
		return (void *)1; /* inherited the creator's */
	if (sigaltstack(&ss, NULL) != 0 || sigaltstack(NULL, &cur) != 0 || cur.ss_sp != mine)
		return (void *)2;
	return NULL;
}

static int check_altstack_per_thread(void)
{
	static char main_stack[65536];
	stack_t ss = { .ss_sp = main_stack, .ss_size = sizeof(main_stack), .ss_flags = 0 }, cur;
	void *ret = (void *)-1;
	pthread_t t;
	int r;

	watchdog();
	if (sigaltstack(&ss, NULL) != 0)
		return fail("sigaltstack: %s", errname(errno));
	if ((r = start(&t, own_altstack, NULL, "a thread with its own altstack")) ||
	    (r = join(t, &ret, "the altstack thread")))
		return r;
	if (ret == (void *)1)
		return fail("a new thread started with its creator's alternate stack");
	if (ret)
		return fail("the thread could not set and read back its own alternate stack");
	if (sigaltstack(NULL, &cur) != 0 || cur.ss_sp != main_stack || (cur.ss_flags & SS_DISABLE))
		return fail("the main thread's alternate stack changed when another thread set its own");
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "create-join", check_create_join },
	{ "tls", check_tls },
	{ "mutex", check_mutex },
	{ "condvar", check_condvar },
	{ "shared-memory", check_shared_memory },
	{ "detached", check_detached },
	{ "exit-one-thread", check_exit_one_thread },
	{ "exit-group", check_exit_group },
	{ "main-exit-last", check_main_exit_last },
	{ "fault-kills-all", check_fault_kills_all },
	{ "signal-to-thread", check_signal_to_thread },
	{ "sigmask-per-thread", check_sigmask_per_thread },
	{ "fork-from-thread", check_fork_from_thread },
	{ "exec-from-thread", check_exec_from_thread },
	{ "many-threads", check_many_threads },
	{ "futex-raw", check_futex_raw },
	{ "thread-cpu-clock", check_thread_cpu_clock },
	{ "altstack-per-thread", check_altstack_per_thread },
};

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--exec-helper") == 0)
		return my_tid() == getpid() ? 9 : 10;
	if (argc == 2 && strcmp(argv[1], "--main-exit-helper") == 0)
		return main_exit_helper();
	if (argv[0] && strchr(argv[0], '/'))
		self = argv[0];
	c_isolate = 1;
	return run_checks("threads", checks, NELEMS(checks), argc, argv);
}
