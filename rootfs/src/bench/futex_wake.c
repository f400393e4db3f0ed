// SPDX-License-Identifier: MIT
// futex_wake: on one CPU, FUTEX_WAKE to the woken thread running while the waker keeps running.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include "bench.h"

/* From <linux/futex.h>, which musl's toolchain does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

/*
 * bench-futex_wake ITERATIONS: the shape of stress-ng's futex stressor
 * and of a producer that wakes a consumer and goes on producing. Both
 * threads are pinned to one CPU. Each round the main thread publishes
 * the round's number in a word and wakes the other thread, which sleeps
 * in FUTEX_WAIT until the word changes, then acknowledges the round in
 * a second word; the main thread does not sleep: it spins on the
 * acknowledgement in user mode (no system call), so the other thread
 * runs only when the scheduler takes the CPU from the main thread. The
 * figure is us per round: about two switches and two system calls when
 * a woken thread preempts the running one (Linux's wake-up preemption),
 * a timer tick when it waits for the waker's time slice to end.
 */
static unsigned seq;     /* the main thread's round */
static unsigned ack;     /* the last round the other thread saw */
static long rounds;

static long futex(unsigned *word, int op, unsigned val)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void pin_first_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		b_fail("sched_getaffinity");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set)) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set) != 0)
				b_fail("sched_setaffinity");
			return;
		}
	b_fail("no CPU");
}

static void *waiter(void *arg)
{
	(void)arg;
	unsigned seen = 0;

	while (seen < (unsigned)rounds) {
		unsigned now = __atomic_load_n(&seq, __ATOMIC_ACQUIRE);
		if (now == seen) {
			if (futex(&seq, FUTEX_WAIT, seen) != 0 && errno != EAGAIN && errno != EINTR)
				b_fail("futex wait");
			continue;
		}
		seen = now;
		__atomic_store_n(&ack, seen, __ATOMIC_RELEASE);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = b_begin("futex_wake", argc, argv, 2000);
	const long warm = 20;
	pthread_t t;

	pin_first_cpu(); /* the thread below inherits it */
	rounds = n + warm;
	errno = pthread_create(&t, NULL, waiter, NULL);
	if (errno != 0)
		b_fail("pthread_create");
	long long t0 = 0;
	for (unsigned i = 1; i <= (unsigned)rounds; i++) {
		if (i == warm + 1)
			t0 = b_now();
		__atomic_store_n(&seq, i, __ATOMIC_RELEASE);
		if (futex(&seq, FUTEX_WAKE, 1) < 0)
			b_fail("futex wake");
		while (__atomic_load_n(&ack, __ATOMIC_ACQUIRE) != i)
			__builtin_ia32_pause();
	}
	long long ns = b_now() - t0;
	errno = pthread_join(t, NULL);
	if (errno != 0)
		b_fail("pthread_join");
	b_report(ns, n, "us");
	return 0;
}
