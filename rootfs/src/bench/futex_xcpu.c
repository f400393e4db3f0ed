// SPDX-License-Identifier: MIT
// futex_xcpu: two threads on different CPUs wake each other with FUTEX_WAKE; us per wake.
#include "smp.h"	/* first: it defines _GNU_SOURCE */
#include <pthread.h>
#include <sys/syscall.h>

/* From <linux/futex.h>, which musl's toolchain does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

/*
 * bench-futex_xcpu ITERATIONS: the main thread pins itself to the first
 * CPU it may use, a second thread to the second; they pass a turn back
 * and forth through one word: the main thread stores 1 and wakes, the
 * other sleeps in FUTEX_WAIT while the word is 0, stores 0 and wakes, and
 * the main thread sleeps while it is 1. The figure is a round trip over
 * two: the time from one thread's FUTEX_WAKE to the other running on its
 * own CPU, plus the store and the check. Private futexes, as musl's
 * mutexes and condition variables use. On one CPU it says bench-error.
 */
static int turn;		/* 1: the second thread's turn; 0: the main thread's */
static long rounds;
static int cpu_b;

static long futex(int *word, int op, int val)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* wait_while: sleep until *word is no longer val (a wake-up, or the value changed first). */
static void wait_while(int *word, int val)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val)
		if (futex(word, FUTEX_WAIT, val) != 0 && errno != EAGAIN && errno != EINTR)
			b_fail("futex wait");
}

/* pass: hand the turn over (store val) and wake the other thread. */
static void pass(int *word, int val)
{
	__atomic_store_n(word, val, __ATOMIC_RELEASE);
	if (futex(word, FUTEX_WAKE, 1) < 0)
		b_fail("futex wake");
}

static void *partner(void *arg)
{
	(void)arg;
	smp_pin(cpu_b);
	for (long i = 0; i < rounds; i++) {
		wait_while(&turn, 0);
		pass(&turn, 0);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = b_begin("futex_xcpu", argc, argv, 2000);
	const long warm = 100;
	pthread_t t;
	int a;

	smp_two_cpus(&a, &cpu_b);
	smp_pin(a);
	rounds = n + warm;
	errno = pthread_create(&t, NULL, partner, NULL);
	if (errno != 0)
		b_fail("pthread_create");
	long long t0 = 0;
	for (long i = 0; i < rounds; i++) {
		if (i == warm)
			t0 = b_now();
		pass(&turn, 1);
		wait_while(&turn, 1);
	}
	long long ns = b_now() - t0;
	errno = pthread_join(t, NULL);
	if (errno != 0)
		b_fail("pthread_join");
	b_report(ns, 2 * n, "us");
	return 0;
}
