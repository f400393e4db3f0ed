// SPDX-License-Identifier: MIT
// Futex conformance: FUTEX_WAKE_OP, PI locks, set/get_robust_list and robust mutexes at a thread's exit.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * What Linux does and gVisor's futex_test checks: FUTEX_WAKE_OP applies
 * its operation to the second word atomically and wakes on both words;
 * an unknown operation or comparison is ENOSYS. FUTEX_LOCK_PI,
 * FUTEX_TRYLOCK_PI and FUTEX_UNLOCK_PI keep the owner's tid in the word
 * (FUTEX_WAITERS while someone sleeps). set_robust_list takes only a
 * 24-byte head; at a thread's exit the kernel walks the list and marks
 * each mutex the thread still holds FUTEX_OWNER_DIED, so the next
 * pthread_mutex_lock of a robust mutex returns EOWNERDEAD (a kernel that
 * does not walk the list leaves it locked: the timed lock times out).
 * Every check runs in a child of its own with an alarm.
 */
#define WATCHDOG_S 10

/* Linux's futex ABI (include/uapi/linux/futex.h; musl has no header for it) */
#define FUTEX_WAIT               0
#define FUTEX_WAKE               1
#define FUTEX_CMP_REQUEUE        4
#define FUTEX_WAIT_PRIVATE       128
#define FUTEX_WAKE_PRIVATE       129
#define FUTEX_WAKE_OP_PRIVATE    133
#define FUTEX_WAIT_BITSET_PRIVATE 137
#define FUTEX_WAKE_BITSET_PRIVATE 138
#define FUTEX_LOCK_PI_PRIVATE    134
#define FUTEX_UNLOCK_PI_PRIVATE  135
#define FUTEX_TRYLOCK_PI_PRIVATE 136
#define FUTEX_OP_SET             0
#define FUTEX_OP_ADD             1
#define FUTEX_OP_OPARG_SHIFT     8
#define FUTEX_OP_CMP_EQ          0
#define FUTEX_OP_CMP_NE          1
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))
#define FUTEX_WAITERS            0x80000000u
#define FUTEX_TID_MASK           0x3fffffff

static void watchdog(void)
{
	signal(SIGALRM, SIG_DFL);
	alarm(WATCHDOG_S);
}

static long futex(int *addr, int op, int val, long val2, int *addr2, int val3)
{
	return syscall(SYS_futex, addr, op, val, val2, addr2, val3);
}

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

/* ---- wake-op ---- */

static int w1, w2;

static void *wait_w2(void *arg)
{
	(void)arg;
	return (void *)futex(&w2, FUTEX_WAIT_PRIVATE, w2, 0, NULL, 0);
}

/* FUTEX_WAKE_OP: the op on the second word, its comparison, bad ops. */
static int check_wake_op(void)
{
	pthread_t th;
	void *res;
	long r;

	watchdog();
	w1 = 0;
	w2 = 5;
	if (want_eq("WAKE_OP ADD 3, CMP_EQ 5, nobody waiting",
		    futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5)), 0))
		return CHECK_FAIL;
	if (w2 != 8)
		return fail("WAKE_OP ADD 3 left %d in a word that held 5", w2);
	if (want_eq("WAKE_OP SET 1<<4 (OPARG_SHIFT)",
		    futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
			  FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_NE, 0)), 0) || w2 != 16)
		return w2 != 16 ? fail("WAKE_OP SET 1<<4 left %d", w2) : CHECK_FAIL;
	errno = 0;
	r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(7, 1, FUTEX_OP_CMP_EQ, 0));
	if (want_err("WAKE_OP with op 7", r, ENOSYS))
		return CHECK_FAIL;
	if (w2 != 16)
		return fail("WAKE_OP with a bad op changed the word to %d", w2);
	errno = 0;
	r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(FUTEX_OP_ADD, 1, 9, 0));
	if (want_err("WAKE_OP with cmp 9", r, ENOSYS))
		return CHECK_FAIL;
	errno = 0;
	r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, (int *)16, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0));
	if (want_err("WAKE_OP on an unmapped second word", r, EFAULT))
		return CHECK_FAIL;
	/* a waiter on the second word is woken when the comparison holds */
	w2 = 0;
	if (pthread_create(&th, NULL, wait_w2, NULL))
		return fail("pthread_create");
	ms_sleep(100);
	r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0));
	if (r != 1) {
		w2 = 100;
		futex(&w2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
		pthread_join(th, NULL);
		return fail("WAKE_OP on a waited-on second word returned %ld (errno %d), want 1", r, errno);
	}
	pthread_join(th, &res);
	return res == 0 ? CHECK_OK : fail("the woken waiter's FUTEX_WAIT returned %ld", (long)res);
}

/* ---- wake-zero, shared-anon ---- */

/* FUTEX_WAKE of 0 waiters still wakes one, as Linux. */
static int check_wake_zero(void)
{
	pthread_t th;
	long r;

	watchdog();
	w2 = 0;
	if (pthread_create(&th, NULL, wait_w2, NULL))
		return fail("pthread_create");
	ms_sleep(100);
	r = futex(&w2, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 0);
	if (r != 1) {
		futex(&w2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
		pthread_join(th, NULL);
		return fail("FUTEX_WAKE with a count of 0 woke %ld, want 1", r);
	}
	pthread_join(th, NULL);
	return CHECK_OK;
}

static void *wait_w2_bit1(void *arg)
{
	(void)arg;
	return (void *)futex(&w2, FUTEX_WAIT_BITSET_PRIVATE, w2, 0, NULL, 1);
}

/* FUTEX_WAKE_BITSET wakes only the waiters whose bitset shares a bit with its own. */
static int check_bitset(void)
{
	pthread_t th;
	long miss, hit;

	watchdog();
	w2 = 0;
	if (pthread_create(&th, NULL, wait_w2_bit1, NULL))
		return fail("pthread_create");
	ms_sleep(100);
	miss = futex(&w2, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 2);
	hit = futex(&w2, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 3);
	if (hit != 1)
		futex(&w2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
	pthread_join(th, NULL);
	if (miss != 0)
		return fail("a wake for bitset 2 woke %ld waiters of bitset 1, want 0", miss);
	return hit == 1 ? CHECK_OK : fail("a wake for bitset 3 woke %ld waiters of bitset 1, want 1", hit);
}

static void *wait_w2_short(void *arg)
{
	struct timespec ms300 = { 0, 300000000 };

	(void)arg;
	return (void *)futex(&w2, FUTEX_WAIT_PRIVATE, w2, (long)&ms300, NULL, 0);
}

/* A shared FUTEX_WAKE does not wake a private waiter on the same word (Linux's keys differ). */
static int check_wrong_kind(void)
{
	pthread_t th;
	long r;

	watchdog();
	w2 = 0;
	if (pthread_create(&th, NULL, wait_w2_short, NULL))
		return fail("pthread_create");
	ms_sleep(100);
	r = futex(&w2, FUTEX_WAKE, 1, 0, NULL, 0);
	pthread_join(th, NULL);
	return want_eq("a shared FUTEX_WAKE of a private waiter", r, 0);
}

/* A shared futex's page must be there (Linux's get_futex_key pins it):
 * FUTEX_WAKE and FUTEX_CMP_REQUEUE on an unmapped or PROT_NONE word are
 * EFAULT; a private wake looks at no memory (0). */
static int check_wake_unmapped(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int *gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (gone == MAP_FAILED || none == MAP_FAILED || munmap(gone, page))
		return fail("mmap");
	errno = 0;
	r = want_err("FUTEX_WAKE, unmapped", futex(gone, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT) ||
	    want_err("FUTEX_WAKE, PROT_NONE", futex(none, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT) ||
	    want_err("FUTEX_CMP_REQUEUE, second unmapped", futex(&w1, FUTEX_CMP_REQUEUE, 1, 1, gone, w1), EFAULT) ||
	    want_eq("FUTEX_WAKE_PRIVATE, unmapped", futex(gone, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 0) ? CHECK_FAIL : 0;
	munmap(none, page);
	return r;
}

/* A shared futex in MAP_SHARED anonymous memory: a parent's FUTEX_WAKE wakes its child's FUTEX_WAIT. */
static int check_shared_anon(void)
{
	int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long r = 0;
	pid_t pid;

	watchdog();
	if (word == MAP_FAILED)
		return fail("mmap MAP_SHARED: %s", errname(errno));
	*word = 0;
	pid = fork();
	if (pid == 0)
		_exit(futex(word, FUTEX_WAIT, 0, 0, NULL, 0) == 0 ? 0 : 1);
	for (int i = 0; i < 50 && r == 0; i++) {
		ms_sleep(20);
		r = futex(word, FUTEX_WAKE, 1, 0, NULL, 0);
	}
	if (r != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return fail("FUTEX_WAKE in the parent woke %ld of the child's waiters, want 1", r);
	}
	return want_exit("the child's FUTEX_WAIT", pid, 0);
}

/* ---- pi-lock ---- */

static int pi;

static void *pi_trylock_other(void *arg)
{
	(void)arg;
	errno = 0;
	long r = futex(&pi, FUTEX_TRYLOCK_PI_PRIVATE, 0, 0, NULL, 0);
	return (void *)(r == -1 ? (long)errno : 0);
}

static void *pi_lock_other(void *arg)
{
	(void)arg;
	if (futex(&pi, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0) != 0)
		return (void *)1;
	if ((pi & FUTEX_TID_MASK) != gettid_())
		return (void *)2;
	return (void *)(futex(&pi, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0) != 0 ? 3L : 0L);
}

/* FUTEX_LOCK_PI/TRYLOCK_PI/UNLOCK_PI: owner tid, EDEADLK, EAGAIN, EPERM, a waiter handed the lock. */
static int check_pi_lock(void)
{
	pthread_t th;
	void *res;

	watchdog();
	pi = 0;
	if (want_eq("FUTEX_LOCK_PI of a free word", futex(&pi, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0), 0))
		return CHECK_FAIL;
	if (pi != gettid_())
		return fail("after FUTEX_LOCK_PI the word is %#x, want the tid %ld", pi, gettid_());
	errno = 0;
	if (want_err("FUTEX_LOCK_PI of a word the caller owns",
		     futex(&pi, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0), EDEADLK))
		return CHECK_FAIL;
	if (pthread_create(&th, NULL, pi_trylock_other, NULL))
		return fail("pthread_create");
	pthread_join(th, &res);
	if ((long)res != EAGAIN)
		return fail("FUTEX_TRYLOCK_PI of a word another thread owns: errno %ld, want EAGAIN", (long)res);
	if (pthread_create(&th, NULL, pi_lock_other, NULL))
		return fail("pthread_create");
	for (int i = 0; i < 50 && pi != (int)(gettid_() | FUTEX_WAITERS); i++)
		ms_sleep(20);
	if (pi != (int)(gettid_() | FUTEX_WAITERS))
		return fail("with a waiter the word is %#x, want tid|FUTEX_WAITERS", pi);
	if (want_eq("FUTEX_UNLOCK_PI with a waiter", futex(&pi, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0), 0))
		return CHECK_FAIL;
	pthread_join(th, &res);
	if (res)
		return fail("the waiter's lock/unlock failed at step %ld", (long)res);
	if (pi != 0)
		return fail("after the last unlock the word is %#x", pi);
	errno = 0;
	return want_err("FUTEX_UNLOCK_PI of a word the caller does not own",
			futex(&pi, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0), EPERM);
}

/* ---- robust-list ---- */

static long set_robust(void *head, size_t len)
{
	return syscall(SYS_set_robust_list, head, len);
}

static long get_robust(int tid, void **head, size_t *len)
{
	return syscall(SYS_get_robust_list, tid, head, len);
}

/* set_robust_list's size rule, get_robust_list of self and of no thread. */
static int check_robust_list(void)
{
	struct { void *next; long off; void *pending; } hd = { &hd, 0, NULL };
	void *old, *got;
	size_t len = 0;
	int r;

	watchdog();
	if (want_eq("get_robust_list(0)", get_robust(0, &old, &len), 0))
		return CHECK_FAIL;
	errno = 0;
	if (want_err("set_robust_list with 25 bytes", set_robust(&hd, sizeof(hd) + 1), EINVAL))
		return CHECK_FAIL;
	if (want_eq("set_robust_list with 24 bytes", set_robust(&hd, sizeof(hd)), 0))
		return CHECK_FAIL;
	r = get_robust(0, &got, &len) != 0 ? fail("get_robust_list(0) after set: %s", errname(errno))
	    : got != (void *)&hd ? fail("get_robust_list gave %p, want %p", got, (void *)&hd)
	    : len != 24 ? fail("get_robust_list gave a length of %zu, want 24", len) : CHECK_OK;
	set_robust(old, 24);
	if (r)
		return r;
	if (want_eq("get_robust_list(own tid)", get_robust((int)gettid_(), &got, &len), 0))
		return CHECK_FAIL;
	errno = 0;
	return want_err("get_robust_list of no such thread", get_robust(0x3ffffff0, &got, &len), ESRCH);
}

/* ---- robust-exit ---- */

static pthread_mutex_t robust_mtx[3];

static void *lock_all_and_exit(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		if (pthread_mutex_lock(&robust_mtx[i]))
			return (void *)1;
	pthread_exit(NULL);
}

static void *lock_first_timed(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	int r = pthread_mutex_timedlock(&robust_mtx[0], &ts);
	if (r == 0)
		pthread_mutex_unlock(&robust_mtx[0]);
	return (void *)(long)r;
}

/* A thread ends holding robust mutexes: the next lock of each is EOWNERDEAD, a waiter is woken. */
static int check_robust_exit(void)
{
	pthread_mutexattr_t attr;
	pthread_t owner, waiter;
	struct timespec ts;
	void *res;
	int r;

	watchdog();
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	for (int i = 0; i < 3; i++)
		pthread_mutex_init(&robust_mtx[i], &attr);
	/* first a waiter asleep on a mutex whose owner exits */
	pthread_mutex_lock(&robust_mtx[0]);
	if (pthread_create(&waiter, NULL, lock_first_timed, NULL))
		return fail("pthread_create");
	ms_sleep(100);
	pthread_mutex_unlock(&robust_mtx[0]);
	pthread_join(waiter, &res);
	if (res)
		return fail("a plain robust lock/unlock handoff: %s", errname((int)(long)res));
	if (pthread_create(&owner, NULL, lock_all_and_exit, NULL))
		return fail("pthread_create");
	pthread_join(owner, &res);
	if (res)
		return fail("the owner thread could not lock");
	for (int i = 0; i < 3; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 2;
		r = pthread_mutex_timedlock(&robust_mtx[i], &ts);
		if (r != EOWNERDEAD)
			return fail("locking mutex %d of a thread that exited holding it: %s, want EOWNERDEAD",
				    i, r ? errname(r) : "0");
		pthread_mutex_consistent(&robust_mtx[i]);
		pthread_mutex_unlock(&robust_mtx[i]);
	}
	return CHECK_OK;
}

static void *lock_one_and_exit(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust_mtx[1]);
	ms_sleep(200);
	pthread_exit(NULL);
}

/* A thread sleeping on a robust mutex when its owner exits is woken with EOWNERDEAD. */
static int check_robust_wake(void)
{
	pthread_mutexattr_t attr;
	pthread_t owner;
	struct timespec ts;
	int r;

	watchdog();
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust_mtx[1], &attr);
	if (pthread_create(&owner, NULL, lock_one_and_exit, NULL))
		return fail("pthread_create");
	ms_sleep(50);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	r = pthread_mutex_timedlock(&robust_mtx[1], &ts);
	pthread_join(owner, NULL);
	if (r != EOWNERDEAD)
		return fail("waiting on a mutex whose owner exits: %s, want EOWNERDEAD", r ? errname(r) : "0");
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "wake-op", check_wake_op },
	{ "wake-zero", check_wake_zero },
	{ "bitset", check_bitset },
	{ "wrong-kind", check_wrong_kind },
	{ "wake-unmapped", check_wake_unmapped },
	{ "shared-anon", check_shared_anon },
	{ "pi-lock", check_pi_lock },
	{ "robust-list", check_robust_list },
	{ "robust-exit", check_robust_exit },
	{ "robust-wake", check_robust_wake },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_futex", checks, NELEMS(checks), argc, argv);
}
