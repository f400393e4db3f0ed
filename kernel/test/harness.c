// SPDX-License-Identifier: MIT
/*
 * Kestrel: the boot-return harness. Each line of /etc/selftest is
 *
 *     NAME EXPECT TIMEOUT_MS [copies=N] PATH [ARGS...]
 *
 * EXPECT is exit=N, signal=N, timeout (the program must still be
 * running at its time limit: proof that it was preempted) or noexec
 * (exec must refuse the file with ENOEXEC, and the kernel go on). The harness
 * starts the program(s) in ring 3, sleeps until they end or time runs
 * out, kills what is left, and prints one line per entry. Control comes
 * back here however the program ends, so the list goes on.
 */
#include "test/harness.h"
#include "test/results.h"
#include "fs/fsops.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "mm/vmalloc.h"
#include "time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "log.h"

#define SELFTEST_LIST     "/etc/selftest"
#define SELFTEST_LIST_MAX (64 * 1024)
#define LINE_MAX_LEN 256
#define ARGS_MAX     16
#define COPIES_MAX   4
#define NS_PER_MS    1000000ull
#define KILL_GRACE_NS (500 * NS_PER_MS)
#define KSTACK_LIMIT (KSTACK_SIZE / 2) /* deepest kernel-stack use a test may reach */

enum expect_kind { EXPECT_EXIT, EXPECT_SIGNAL, EXPECT_TIMEOUT, EXPECT_NOEXEC };

struct entry {
	char buf[LINE_MAX_LEN];
	const char *name, *path;
	const char *argv[ARGS_MAX + 1];
	enum expect_kind kind;
	int value;
	uint64_t timeout_ms;
	int copies;
};

static const char *const envp[] = { "HOME=/", "TERM=linux", "PATH=/bin:/sbin", NULL };

static bool parse_uint(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000000000ull)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool parse_expect(struct entry *e, const char *w)
{
	uint64_t v;

	if (strcmp(w, "timeout") == 0 || strcmp(w, "noexec") == 0) {
		e->kind = w[0] == 't' ? EXPECT_TIMEOUT : EXPECT_NOEXEC;
		return true;
	}
	if (strncmp(w, "exit=", 5) == 0 && parse_uint(w + 5, &v) && v < 256) {
		e->kind = EXPECT_EXIT;
		e->value = (int)v;
		return true;
	}
	if (strncmp(w, "signal=", 7) == 0 && parse_uint(w + 7, &v) && v > 0 && v < 65) {
		e->kind = EXPECT_SIGNAL;
		e->value = (int)v;
		return true;
	}
	return false;
}

/* Split one line (copied into e->buf) into its fields; false if malformed. */
static bool parse_line(struct entry *e, const char *line, size_t len)
{
	char *words[ARGS_MAX + 5];
	int n = 0;
	uint64_t v;

	if (len >= LINE_MAX_LEN)
		return false;
	memcpy(e->buf, line, len);
	e->buf[len] = '\0';
	for (char *s = e->buf; *s && n < ARGS_MAX + 5;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (*s)
			words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	if (n < 4 || !parse_expect(e, words[1]) || !parse_uint(words[2], &e->timeout_ms))
		return false;
	int i = 3;
	e->copies = 1;
	if (strncmp(words[i], "copies=", 7) == 0) {
		if (!parse_uint(words[i] + 7, &v) || v < 1 || v > COPIES_MAX || n < 5)
			return false;
		e->copies = (int)v;
		i++;
	}
	e->name = words[0];
	e->path = words[i];
	int a = 0;
	for (; i < n && a < ARGS_MAX; i++)
		e->argv[a++] = words[i];
	e->argv[a] = NULL;
	return true;
}

/* How one process ended, against the expectation; NULL if as expected. */
static const char *judge(const struct entry *e, struct process *p, bool exited, char *why, size_t n)
{
	if (!exited)
		return e->kind == EXPECT_TIMEOUT ? NULL : "still running at its time limit (killed)";
	if (e->kind == EXPECT_TIMEOUT)
		return "ended before its time limit, but should have kept running";
	if (e->kind == EXPECT_NOEXEC)
		return "ran, but exec should have refused it";
	int sig = wstatus_termsig(p->wstatus), code = wstatus_exitcode(p->wstatus);
	if (e->kind == EXPECT_EXIT && sig == 0 && code == e->value)
		return NULL;
	if (e->kind == EXPECT_SIGNAL && sig == e->value)
		return NULL;
	if (sig)
		ksnprintf(why, n, "killed by signal %d", sig);
	else
		ksnprintf(why, n, "exited with status %d", code);
	return why;
}

/*
 * The deepest kernel-stack use of the entry's threads (all gone by now):
 * logged at debug level; NULL if within KSTACK_LIMIT, else why it fails.
 * A system call that needs more than half the stack is one step from the
 * guard page: fail the run before a program finds the step.
 */
static const char *check_kstack(const struct entry *e, char *why, size_t n)
{
	char name[16];
	size_t used = sched_kstack_peak_take(name);

	klog(LOG_DEBUG, "selftest: %s kernel stack peak %lu of %u bytes (%s)\n", e->name,
	     (unsigned long)used, KSTACK_SIZE, name[0] ? name : "-");
	if (used <= KSTACK_LIMIT)
		return NULL;
	ksnprintf(why, n, "kernel stack: %s used %lu of %u bytes", name, (unsigned long)used,
		  KSTACK_SIZE);
	return why;
}

/* Run one entry: all its copies at once, then judge each. */
static bool run_entry(const struct entry *e)
{
	struct process *procs[COPIES_MAX] = { 0 };
	char why[96], stack_why[96], name[16];
	const char *fail = NULL;
	uint64_t t0 = time_ns(), deadline = t0 + e->timeout_ms * NS_PER_MS;
	int err = 0;

	(void)sched_kstack_peak_take(name); /* what ran before this entry is not its own */

	for (int c = 0; c < e->copies && !fail; c++) {
		procs[c] = process_spawn(e->path, e->argv, envp, &err);
		if (!procs[c] && !(e->kind == EXPECT_NOEXEC && err == -ENOEXEC)) {
			ksnprintf(why, sizeof(why), "cannot start %s (error %d)", e->path, err);
			fail = why;
		} else if (procs[c] && e->kind == EXPECT_NOEXEC) {
			fail = "exec accepted a file it should refuse";
		}
	}
	for (int c = 0; c < e->copies && procs[c]; c++) {
		bool exited = process_wait(procs[c], deadline);
		if (!exited && e->kind != EXPECT_TIMEOUT)
			process_show_all(); /* where it hangs, before the kill moves it */
		if (!exited) {
			signal_send(procs[c], SIGKILL);
			process_wait(procs[c], time_ns() + KILL_GRACE_NS);
		}
		const char *w = judge(e, procs[c], exited, why, sizeof(why));
		if (w && !fail)
			fail = w;
	}
	uint64_t ms = (time_ns() - t0) / NS_PER_MS;
	for (int c = 0; c < e->copies && procs[c]; c++)
		if (procs[c]->state == PROC_ZOMBIE)
			process_release(procs[c]);
		else
			fail = fail ? fail : "could not be killed";
	const char *deep = check_kstack(e, stack_why, sizeof(stack_why));
	fail = fail ? fail : deep;
	if (fail) {
		klog(LOG_ERR, "selftest: %s FAIL (%s)\n", e->name, fail);
		selftest_note_failure(e->name);
	} else {
		klog(LOG_INFO, "selftest: %s ok (%lu ms)\n", e->name, ms);
	}
	return !fail;
}

bool harness_selected(const char *name, const char *filter, unsigned len)
{
	size_t n = strlen(name);

	if (!filter)
		return true;
	for (unsigned i = 0; i < len;) {
		unsigned j = i;
		while (j < len && filter[j] != ',')
			j++;
		if (j - i == n && memcmp(filter + i, name, n) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

void harness_run(const char *filter, unsigned filter_len, int *passed, int *failed)
{
	static struct entry e;
	char *data;
	long size = vfs_read_all(SELFTEST_LIST, &data, SELFTEST_LIST_MAX);

	if (size < 0) {
		klog(LOG_ERR, "selftest: cannot read %s (error %ld)\n", SELFTEST_LIST, size);
		selftest_note_failure(SELFTEST_LIST);
		(*failed)++;
		return;
	}
	const char *s = data, *end = s + size;
	while (s < end) {
		const char *nl = s;
		while (nl < end && *nl != '\n')
			nl++;
		size_t len = (size_t)(nl - s);
		const char *first = s;
		while (first < nl && (*first == ' ' || *first == '\t'))
			first++;
		if (first < nl && *first != '#') {
			if (!parse_line(&e, s, len)) {
				klog(LOG_ERR, "selftest: malformed line in /etc/selftest: %.*s\n", (int)len, s);
				selftest_note_failure("malformed-line");
				(*failed)++;
			} else if (harness_selected(e.name, filter, filter_len)) {
				if (run_entry(&e))
					(*passed)++;
				else
					(*failed)++;
			}
		}
		s = nl + 1;
	}
	kfree(data);
}
