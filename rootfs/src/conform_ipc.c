// SPDX-License-Identifier: MIT
// System V IPC as Linux (issue 28): message queues (msgget, msgsnd, msgrcv, msgctl), semaphore
// sets (semget, semop, semtimedop, semctl), shared memory (shmget, shmat, shmdt, shmctl), their
// errors and limits, permissions for another user, /proc/sysvipc/{msg,sem,shm} and the
// /proc/sys/kernel/{msg,sem,shm}_next_id files.
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checks.h"

/*
 * Every check runs in its own child (c_isolate), and is written as
 * IPC_CHECK(name) { body }: the body may return on its first failure,
 * and the check then removes every object the body made (track()),
 * however it returned. The record of made objects is a shared page, so
 * that main() also removes what a check process left when it died.
 * Keys are private to a check: key_for() mixes in the process id, and
 * every check is a process of its own. The children a check forks end
 * on their own (alarm) even if the check forgets them.
 *
 * The time fields (msg_stime, sem_ctime...) are Linux's coarse clock,
 * which may lag time(2) by a tick: a field is accepted from one second
 * before the call to the second after it.
 *
 * LTP's syscalls/ipc tests (msgctl, msgrcv, msgsnd, semctl, semop, shmat,
 * shmctl, shmdt, shmget) and gVisor's msgqueue_test, semaphore_test and
 * shm_test check much of the same.
 */

/* Linux's fixed values (include/uapi/linux/{msg,sem,shm}.h), not sysctls. */
#define MSGSSZ 16
#define MSGSEG 0xffff
#define MSGMNB_DEFAULT 16384
#define MSGMNI_DEFAULT 32000
#define MSGPOOL (MSGMNI_DEFAULT * MSGMNB_DEFAULT / 1024) /* IPC_INFO's msgpool */
#define MSGMAP MSGMNB_DEFAULT                           /* IPC_INFO's msgmap */
#define MSGTQL MSGMNB_DEFAULT                           /* IPC_INFO's msgtql */
#define SEMVMX 32767
#define SEMMSL_DEFAULT 32000
#define SEMMNI_DEFAULT 32000
#define SEMOPM_DEFAULT 500
#define SEMMNS_DEFAULT (SEMMNI_DEFAULT * SEMMSL_DEFAULT)
#define SEMMAP SEMMNS_DEFAULT /* IPC_INFO's semmap, semmnu */
#define SEMUME SEMOPM_DEFAULT
#define SEMUSZ 20            /* IPC_INFO's semusz */
#define SEMAEM SEMVMX        /* IPC_INFO's semaem */
#define SHMMIN 1
#define SHMSEG 4096          /* SHMMNI's default */
#define CAP_V3 0x20080522     /* capget's header version 3 */
#define CAP_SYS_RESOURCE 24
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

#define MSGMAX_FILE "/proc/sys/kernel/msgmax"
#define MSGMNB_FILE "/proc/sys/kernel/msgmnb"
#define MSGMNI_FILE "/proc/sys/kernel/msgmni"
#define SEM_FILE "/proc/sys/kernel/sem"
#define SHMMAX_FILE "/proc/sys/kernel/shmmax"
#define SHMALL_FILE "/proc/sys/kernel/shmall"
#define SHMMNI_FILE "/proc/sys/kernel/shmmni"

#define PAGE 4096
#define SEG_SIZE 5000            /* not a page multiple: shm_segsz keeps it */
#define KEY_TAG 0x40000000       /* our keys: this bit, then pid << 8 | n below it */
#define BIG_TEXT 65536           /* the largest message text this program sends */
#define NOBODY 65534             /* the user and group ipc-perm's child becomes */
#define CHILD_ALARM_S 5          /* a forked child ends by SIGALRM at the latest */
#define CHILD_WAIT_MS 2000       /* for a child to end once it should */
#define BLOCK_WAIT_MS 2000       /* for a child to block in its call */
#define NO_PROC_GRACE_MS 100     /* the same when /proc cannot tell */
#define TIMEDOP_MS 50
#define NEXT_ID_BASE 0x18000     /* ids written to *_next_id: this plus pid % NEXT_ID_SPREAD */
#define NEXT_ID_SPREAD 16384
#define NEXT_ID_TRIES 3          /* a parallel program may take the id we asked for */
#define CHILD_NO_ERROR 250       /* a child's exit code: its call succeeded, it should have failed */
#define CHILD_WRONG 251          /* it succeeded with the wrong result */

/* semctl's fourth argument, which the C library leaves to the program. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

struct ipc_msg {
	long mtype;
	char mtext[256];
};

static struct {
	long mtype;
	char mtext[BIG_TEXT + 1];
} big;

/* The objects made and not yet removed, in a page shared with main(). */
enum kind { KIND_MSG, KIND_SEM, KIND_SHM };
#define MAX_MADE 32
struct made_list {
	int n;
	struct { int kind, id; } obj[MAX_MADE];
};
static struct made_list *made;

/* track: note that ID (of KIND) was made, when it is an id; returns ID, errno untouched. */
static int track(enum kind kind, int id)
{
	if (id >= 0 && made && made->n < MAX_MADE) {
		made->obj[made->n].kind = kind;
		made->obj[made->n].id = id;
		made->n++;
	}
	return id;
}

/* rm_obj: IPC_RMID on ID, which is forgotten by the record; returns what the call did. */
static int rm_obj(enum kind kind, int id)
{
	int r = kind == KIND_MSG ? msgctl(id, IPC_RMID, NULL)
		: kind == KIND_SEM ? semctl(id, 0, IPC_RMID) : shmctl(id, IPC_RMID, NULL);
	int e = errno;

	for (int i = 0; made && i < made->n; i++)
		if (made->obj[i].kind == (int)kind && made->obj[i].id == id)
			made->obj[i] = made->obj[--made->n];
	errno = e;
	return r;
}

/* remove_made: remove every recorded object (a check's, or a dead check process's). */
static void remove_made(void)
{
	while (made && made->n > 0)
		rm_obj(made->obj[0].kind, made->obj[0].id);
}

/* cleaned: R, once what the check made is removed. */
static int cleaned(int r)
{
	remove_made();
	return r;
}

/* IPC_CHECK(fn): check fn runs fn_body, then removes every object the body made. */
#define IPC_CHECK(fn)                                      \
	static int fn##_body(void);                        \
	static int fn(void) { return cleaned(fn##_body()); } \
	static int fn##_body(void)

/* key_for: key N (0-255) of this process, which no other process uses. */
static key_t key_for(int n)
{
	return (key_t)(KEY_TAG | ((unsigned)getpid() << 8) | (unsigned)n);
}

static int new_msq(key_t key, int flags)
{
	return track(KIND_MSG, msgget(key, flags));
}

static int new_sem(key_t key, int nsems, int flags)
{
	return track(KIND_SEM, semget(key, nsems, flags));
}

static int new_shm(key_t key, size_t size, int flags)
{
	return track(KIND_SHM, shmget(key, size, flags));
}

/* read_ulong: the same for an unsigned long (shmmax, shmall). */
static int read_ulong(const char *file, unsigned long *v)
{
	FILE *f = fopen(file, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%lu", v);
	fclose(f);
	return n == 1 ? 0 : -1;
}

/* sem_limits: /proc/sys/kernel/sem's semmsl, semmns, semopm, semmni into v; 0, or -1. */
static int sem_limits(long v[4])
{
	FILE *f = fopen(SEM_FILE, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]);
	fclose(f);
	return n == 4 ? 0 : -1;
}

/* want_time: time field T, set between T0 and T1 (time(2)), allowing for the coarse clock. */
static int want_time(const char *what, time_t t, time_t t0, time_t t1)
{
	if (t >= t0 - 1 && t <= t1)
		return CHECK_OK;
	return fail("%s is %lld, want between %lld and %lld", what, (long long)t, (long long)t0 - 1,
		    (long long)t1);
}

/* want_perm: the ipc_perm of an object this process made with KEY and MODE (exactly). */
static int want_perm(const char *what, const struct ipc_perm *p, key_t key, unsigned mode)
{
	if (p->__key != key)
		return fail("%s: __key %#x, want %#x", what, (unsigned)p->__key, (unsigned)key);
	if (p->uid != geteuid() || p->cuid != geteuid() || p->gid != getegid() || p->cgid != getegid())
		return fail("%s: uid %u gid %u cuid %u cgid %u, want %u %u %u %u", what, p->uid, p->gid,
			    p->cuid, p->cgid, geteuid(), getegid(), geteuid(), getegid());
	if (p->mode != mode)
		return fail("%s: mode %#o, want %#o", what, (unsigned)p->mode, mode);
	return CHECK_OK;
}

/* has_cap: whether capability CAP is in this process's effective set
 * (capget; without capget, whether the process is root). */
static int has_cap(int cap)
{
	struct { uint32_t version; int pid; } h = { CAP_V3, 0 };
	struct { uint32_t effective, permitted, inheritable; } d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return geteuid() == 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* fork_child: fork; the child ends by SIGALRM after CHILD_ALARM_S whatever it does. */
static pid_t fork_child(void)
{
	pid_t pid = fork();

	if (pid == 0)
		alarm(CHILD_ALARM_S);
	return pid;
}

/* exit_err: end a child whose call returned RET and should have failed: exit with its errno. */
static void exit_err(long ret)
{
	_exit(ret == -1 ? errno : CHILD_NO_ERROR);
}

/* exit_ret: end a child whose call returned RET, which should be WANT: exit 0 when it is. */
static void exit_ret(long ret, long want)
{
	_exit(ret == want ? 0 : ret == -1 ? errno : CHILD_WRONG);
}

/* kill_reap: end and reap child PID (after a failure with the child still blocked). */
static void kill_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

/*
 * want_child: reap child PID (it made one call, then exit_err or exit_ret)
 * and require it to have exited with WANT: 0 (the call did as wanted) or
 * the errno its call was to fail with. WHAT names the call.
 */
static int want_child(const char *what, pid_t pid, int want)
{
	int st, code;

	if (pid < 0)
		return fail("fork for %s: %s", what, errname(errno));
	if (wait_child(pid, CHILD_WAIT_MS, &st) != CHECK_OK)
		return CHECK_FAIL;
	if (!WIFEXITED(st))
		return fail("%s: the child was killed by signal %d", what, WTERMSIG(st));
	code = WEXITSTATUS(st);
	if (code == want)
		return CHECK_OK;
	return fail("%s: %s, want %s", what,
		    code == 0 || code == CHILD_NO_ERROR ? "succeeded"
		    : code == CHILD_WRONG ? "wrong result" : errname(code),
		    want ? errname(want) : "success");
}

/*
 * wait_asleep: wait until child PID sleeps ('S'), that is, blocks in the
 * one call it was sent into, or has ended ('Z': its exit code will say
 * why). Without /proc, waits NO_PROC_GRACE_MS. CHECK_OK; or CHECK_FAIL
 * after BLOCK_WAIT_MS, the child then killed and reaped.
 */
static int wait_asleep(pid_t pid)
{
	long long deadline = now_ms() + BLOCK_WAIT_MS;
	char s;

	for (;;) {
		s = proc_state(pid);
		if (s == 0) {
			ms_sleep(NO_PROC_GRACE_MS);
			return CHECK_OK;
		}
		if (s == 'S' || s == 'Z')
			return CHECK_OK;
		if (now_ms() > deadline)
			break;
		ms_sleep(1);
	}
	kill_reap(pid);
	return fail("child %d never blocked (state %c after %d ms)", (int)pid, s, BLOCK_WAIT_MS);
}

/*
 * wait_count: wait until WANT processes wait on semaphore NUM of set ID
 * (CMD: GETNCNT or GETZCNT). CHECK_OK; or CHECK_FAIL after BLOCK_WAIT_MS
 * or when semctl fails, child PID then killed and reaped.
 */
static int wait_count(int id, int num, int cmd, int want, pid_t pid)
{
	long long deadline = now_ms() + BLOCK_WAIT_MS;
	int n;

	while ((n = semctl(id, num, cmd)) != want && n != -1 && now_ms() <= deadline)
		ms_sleep(1);
	if (n == want)
		return CHECK_OK;
	kill_reap(pid);
	if (n == -1)
		return fail("semctl(%s): %s", cmd == GETNCNT ? "GETNCNT" : "GETZCNT", errname(errno));
	return fail("%s is %d after %d ms, want %d (the child never blocked)",
		    cmd == GETNCNT ? "GETNCNT" : "GETZCNT", n, BLOCK_WAIT_MS, want);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* catch_usr1: SIGUSR1 caught, with SA_RESTART (which System V IPC calls ignore). */
static void catch_usr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
}

/* ---- message queues ---- */

/* send_text: msgsnd of TEXT (without its NUL) as type TYPE. */
static int send_text(int q, long type, const char *text, int flags)
{
	struct ipc_msg m;
	size_t len = strlen(text);

	m.mtype = type;
	memcpy(m.mtext, text, len);
	return msgsnd(q, &m, len, flags);
}

/*
 * want_recv: msgrcv(Q, size MAX, MSGTYP, FLAGS) must return the message
 * of type TYPE and text TEXT (cut to MAX bytes).
 */
static int want_recv(int q, size_t max, long msgtyp, int flags, long type, const char *text)
{
	struct ipc_msg m;
	size_t want = strlen(text) < max ? strlen(text) : max;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	n = msgrcv(q, &m, max, msgtyp, flags);
	if (n == -1)
		return fail("msgrcv(msgtyp %ld, flags %#o): %s, want type %ld \"%s\"", msgtyp, flags,
			    errname(errno), type, text);
	if ((size_t)n != want || m.mtype != type || memcmp(m.mtext, text, want) != 0)
		return fail("msgrcv(msgtyp %ld, flags %#o): type %ld \"%.*s\", want type %ld \"%.*s\"", msgtyp,
			    flags, m.mtype, (int)n, m.mtext, type, (int)want, text);
	return CHECK_OK;
}

/* want_queue: queue Q holds QNUM messages and CBYTES bytes (IPC_STAT). */
static int want_queue(const char *when, int q, unsigned long qnum, unsigned long cbytes)
{
	struct msqid_ds ds;

	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT) %s: %s", when, errname(errno));
	if (ds.msg_qnum != qnum || ds.msg_cbytes != cbytes)
		return fail("%s: msg_qnum %lu msg_cbytes %lu, want %lu %lu", when, (unsigned long)ds.msg_qnum,
			    ds.msg_cbytes, qnum, cbytes);
	return CHECK_OK;
}

/* msgget: IPC_PRIVATE is always new; a key is made once (EEXIST), found
 * again, ENOENT when missing; IPC_STAT's msg_perm is the creator's. */
IPC_CHECK(check_msgget)
{
	key_t key = key_for(1);
	struct msqid_ds ds;
	long msgmnb;
	time_t t0 = time(NULL), t1;
	int a, b, q;

	if (read_long(MSGMNB_FILE, &msgmnb))
		return fail("cannot read %s", MSGMNB_FILE);
	a = new_msq(IPC_PRIVATE, 0600);
	b = new_msq(IPC_PRIVATE, 0600);
	if (a < 0 || b < 0)
		return fail("msgget(IPC_PRIVATE): %s", errname(errno));
	if (a == b)
		return fail("two msgget(IPC_PRIVATE) gave the same id %d", a);
	if (want_err("msgget(missing key, 0600)", msgget(key, 0600), ENOENT))
		return CHECK_FAIL;
	if ((q = new_msq(key, IPC_CREAT | IPC_EXCL | 0640)) < 0)
		return fail("msgget(key, IPC_CREAT | IPC_EXCL): %s", errname(errno));
	t1 = time(NULL);
	if (want_err("msgget(key, IPC_CREAT | IPC_EXCL) again", new_msq(key, IPC_CREAT | IPC_EXCL | 0640), EEXIST) ||
	    want_eq("msgget(key, 0)", msgget(key, 0), q) ||
	    want_eq("msgget(key, IPC_CREAT | 0600)", msgget(key, IPC_CREAT | 0600), q))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	if (want_perm("msg_perm", &ds.msg_perm, key, 0640) || want_time("msg_ctime", ds.msg_ctime, t0, t1))
		return CHECK_FAIL;
	if (ds.msg_qnum || ds.msg_cbytes || ds.msg_lspid || ds.msg_lrpid || ds.msg_stime || ds.msg_rtime)
		return fail("a new queue: qnum %lu cbytes %lu lspid %d lrpid %d stime %lld rtime %lld, want all 0",
			    (unsigned long)ds.msg_qnum, ds.msg_cbytes, (int)ds.msg_lspid, (int)ds.msg_lrpid,
			    (long long)ds.msg_stime, (long long)ds.msg_rtime);
	if ((long)ds.msg_qbytes != msgmnb)
		return fail("msg_qbytes %lu, want msgmnb %ld", (unsigned long)ds.msg_qbytes, msgmnb);
	if (msgctl(a, IPC_STAT, &ds) != 0 || ds.msg_perm.__key != IPC_PRIVATE)
		return fail("IPC_PRIVATE queue's __key: %#x, want 0", (unsigned)ds.msg_perm.__key);
	return CHECK_OK;
}

/* msgsnd/msgrcv selection: FIFO within a type; msgtyp 0 the first, > 0
 * the first of that type, < 0 the lowest type up to |msgtyp|, MSG_EXCEPT
 * the first of another type; ENOMSG with IPC_NOWAIT when none matches. */
IPC_CHECK(check_msg_select)
{
	static const struct { long type; const char *text; } sent[] = {
		{ 3, "a" }, { 1, "b" }, { 2, "c" }, { 1, "d" }, { 5, "e" },
	};
	int q = new_msq(IPC_PRIVATE, 0600);

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	for (size_t i = 0; i < NELEMS(sent); i++)
		if (send_text(q, sent[i].type, sent[i].text, 0) != 0)
			return fail("msgsnd type %ld: %s", sent[i].type, errname(errno));
	if (want_recv(q, 16, 1, 0, 1, "b") || want_recv(q, 16, -2, 0, 1, "d") ||
	    want_recv(q, 16, 2, MSG_EXCEPT, 3, "a") || want_recv(q, 16, 0, 0, 2, "c"))
		return CHECK_FAIL;
	if (want_err("msgrcv(msgtyp 4, IPC_NOWAIT) with only type 5", msgrcv(q, &big, 16, 4, IPC_NOWAIT), ENOMSG) ||
	    want_err("msgrcv(msgtyp -4, IPC_NOWAIT) with only type 5", msgrcv(q, &big, 16, -4, IPC_NOWAIT), ENOMSG) ||
	    want_err("msgrcv(msgtyp 5 | MSG_EXCEPT, IPC_NOWAIT) with only type 5",
		     msgrcv(q, &big, 16, 5, MSG_EXCEPT | IPC_NOWAIT), ENOMSG))
		return CHECK_FAIL;
	return want_recv(q, 16, -5, 0, 5, "e");
}

/* Message sizes: E2BIG leaves a message too long for the buffer queued,
 * MSG_NOERROR cuts it (and drops the rest); mtype < 1, msgsz > msgmax,
 * a negative size: EINVAL; an empty message is a message. */
IPC_CHECK(check_msg_size)
{
	long msgmax;
	int q = new_msq(IPC_PRIVATE, 0600);

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if (read_long(MSGMAX_FILE, &msgmax))
		return fail("cannot read %s", MSGMAX_FILE);
	if (msgmax >= BIG_TEXT)
		return skip("msgmax %ld is more than this program's %d-byte buffer", msgmax, BIG_TEXT);
	if (send_text(q, 1, "0123456789", 0) != 0)
		return fail("msgsnd: %s", errname(errno));
	if (want_err("msgrcv(4 bytes) of a 10-byte message", msgrcv(q, &big, 4, 0, IPC_NOWAIT), E2BIG) ||
	    want_queue("after E2BIG", q, 1, 10) || want_recv(q, 4, 0, MSG_NOERROR, 1, "0123") ||
	    want_queue("after MSG_NOERROR", q, 0, 0))
		return CHECK_FAIL;
	big.mtype = 0;
	if (want_err("msgsnd(mtype 0)", msgsnd(q, &big, 1, IPC_NOWAIT), EINVAL))
		return CHECK_FAIL;
	big.mtype = -1;
	if (want_err("msgsnd(mtype -1)", msgsnd(q, &big, 1, IPC_NOWAIT), EINVAL))
		return CHECK_FAIL;
	big.mtype = 1;
	if (want_err("msgsnd(msgmax + 1 bytes)", msgsnd(q, &big, msgmax + 1, IPC_NOWAIT), EINVAL) ||
	    want_err("msgsnd(size (size_t)-1)", msgsnd(q, &big, (size_t)-1, IPC_NOWAIT), EINVAL) ||
	    want_err("msgrcv(size (size_t)-1)", msgrcv(q, &big, (size_t)-1, 0, IPC_NOWAIT), EINVAL) ||
	    want_eq("msgsnd(msgmax bytes)", msgsnd(q, &big, msgmax, IPC_NOWAIT), 0) ||
	    want_eq("msgsnd(0 bytes)", msgsnd(q, &big, 0, IPC_NOWAIT), 0) ||
	    want_queue("after msgmax and 0 bytes", q, 2, msgmax) ||
	    want_eq("msgrcv of msgmax bytes", msgrcv(q, &big, msgmax, 0, IPC_NOWAIT), msgmax) ||
	    want_eq("msgrcv of the empty message", msgrcv(q, &big, msgmax, 0, IPC_NOWAIT), 0))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* IPC_NOWAIT: ENOMSG from an empty queue; EAGAIN once msg_cbytes is
 * msg_qbytes, though an empty message still fits (Linux counts messages
 * against msg_qbytes too). */
IPC_CHECK(check_msg_nowait)
{
	struct msqid_ds ds;
	unsigned long chunk, left;
	long msgmax;
	int q = new_msq(IPC_PRIVATE, 0600), n = 0;

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if (read_long(MSGMAX_FILE, &msgmax) || msgmax >= BIG_TEXT)
		return fail("msgmax unreadable or over %d", BIG_TEXT);
	if (want_err("msgrcv(IPC_NOWAIT) of an empty queue", msgrcv(q, &big, 16, 0, IPC_NOWAIT), ENOMSG))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	big.mtype = 1;
	chunk = (unsigned long)msgmax < ds.msg_qbytes ? (unsigned long)msgmax : ds.msg_qbytes;
	for (left = ds.msg_qbytes; left > 0; left -= chunk < left ? chunk : left, n++)
		if (msgsnd(q, &big, chunk < left ? chunk : left, IPC_NOWAIT) != 0)
			return fail("msgsnd(IPC_NOWAIT) with %lu of %lu bytes left: %s", left,
				    (unsigned long)ds.msg_qbytes, errname(errno));
	if (want_queue("full", q, n, ds.msg_qbytes) ||
	    want_err("msgsnd(1 byte, IPC_NOWAIT) to a full queue", msgsnd(q, &big, 1, IPC_NOWAIT), EAGAIN) ||
	    want_eq("msgsnd(0 bytes, IPC_NOWAIT) to a full queue", msgsnd(q, &big, 0, IPC_NOWAIT), 0))
		return CHECK_FAIL;
	while (msgrcv(q, &big, BIG_TEXT, 0, IPC_NOWAIT) >= 0)
		n--;
	if (errno != ENOMSG || n != -1)
		return fail("draining: stopped on %s with %d messages unaccounted for", errname(errno), n + 1);
	return CHECK_OK;
}

/* MSG_COPY (checkpoint/restore): the message at an index, copied and left
 * queued; only with IPC_NOWAIT and without MSG_EXCEPT (EINVAL); ENOMSG past
 * the end; E2BIG into a short buffer, and EINVAL (not a cut copy) with
 * MSG_NOERROR (Linux's copy_msg). ENOSYS without the config. */
IPC_CHECK(check_msg_copy)
{
	int q = new_msq(IPC_PRIVATE, 0600);
	long r;

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if (send_text(q, 1, "first", 0) || send_text(q, 2, "second", 0) || send_text(q, 3, "third", 0))
		return fail("msgsnd: %s", errname(errno));
	if (want_err("msgrcv(MSG_COPY) without IPC_NOWAIT", msgrcv(q, &big, 16, 0, MSG_COPY), EINVAL) ||
	    want_err("msgrcv(MSG_COPY | IPC_NOWAIT | MSG_EXCEPT)",
		     msgrcv(q, &big, 16, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT), EINVAL))
		return CHECK_FAIL;
	r = msgrcv(q, &big, 16, 1, MSG_COPY | IPC_NOWAIT);
	if (r == -1 && errno == ENOSYS)
		return skip("MSG_COPY is ENOSYS here (no CONFIG_CHECKPOINT_RESTORE)");
	if (r != 6 || big.mtype != 2 || memcmp(big.mtext, "second", 6) != 0)
		return fail("msgrcv(msgtyp 1, MSG_COPY | IPC_NOWAIT): %ld (%s), want 6, the second message", r,
			    r == -1 ? errname(errno) : "0");
	if (want_queue("after MSG_COPY", q, 3, 16) ||
	    want_err("msgrcv(msgtyp 3, MSG_COPY | IPC_NOWAIT) of 3 messages",
		     msgrcv(q, &big, 16, 3, MSG_COPY | IPC_NOWAIT), ENOMSG) ||
	    want_err("msgrcv(2 bytes, MSG_COPY | IPC_NOWAIT) of a 5-byte message",
		     msgrcv(q, &big, 2, 0, MSG_COPY | IPC_NOWAIT), E2BIG) ||
	    want_err("msgrcv(2 bytes, MSG_COPY | IPC_NOWAIT | MSG_NOERROR) of a 5-byte message",
		     msgrcv(q, &big, 2, 0, MSG_COPY | IPC_NOWAIT | MSG_NOERROR), EINVAL) ||
	    want_queue("after the copies", q, 3, 16) || want_recv(q, 16, 0, 0, 1, "first"))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* IPC_STAT's counters: msg_qnum and msg_cbytes, msg_lspid the last sender
 * (a child), msg_lrpid the last receiver, msg_stime and msg_rtime. */
IPC_CHECK(check_msg_stat)
{
	struct msqid_ds ds;
	time_t t0 = time(NULL), t1;
	pid_t pid;
	int q = new_msq(IPC_PRIVATE, 0600);

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if ((pid = fork_child()) == 0)
		exit_ret(send_text(q, 1, "0123456789", 0) || send_text(q, 2, "01234567890123456789", 0), 0);
	if (want_child("the child's two msgsnd", pid, 0) || want_queue("after two messages", q, 2, 30))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	t1 = time(NULL);
	if (ds.msg_lspid != pid || ds.msg_lrpid != 0 || ds.msg_rtime != 0)
		return fail("after the child's msgsnd: lspid %d lrpid %d rtime %lld, want %d 0 0", (int)ds.msg_lspid,
			    (int)ds.msg_lrpid, (long long)ds.msg_rtime, (int)pid);
	if (want_time("msg_stime", ds.msg_stime, t0, t1) || want_recv(q, 16, 1, 0, 1, "0123456789") ||
	    want_queue("after one msgrcv", q, 1, 20))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	t1 = time(NULL);
	if (ds.msg_lspid != pid || ds.msg_lrpid != getpid())
		return fail("after msgrcv: lspid %d lrpid %d, want %d %d", (int)ds.msg_lspid, (int)ds.msg_lrpid,
			    (int)pid, (int)getpid());
	return want_time("msg_rtime", ds.msg_rtime, t0, t1);
}

/* Blocking: a receiver waiting for type 7 sleeps through a type-3 message
 * and wakes for a type-7 one; a sender blocked on a full queue wakes when
 * a message is received. */
IPC_CHECK(check_msg_wake)
{
	struct msqid_ds ds;
	pid_t pid;
	int q = new_msq(IPC_PRIVATE, 0600);

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if ((pid = fork_child()) == 0) {
		struct ipc_msg m;
		ssize_t n = msgrcv(q, &m, sizeof(m.mtext), 7, 0);

		if (n == -1)
			_exit(errno);
		_exit(n == 4 && memcmp(m.mtext, "wake", 4) == 0 ? 0 : CHILD_WRONG);
	}
	if (wait_asleep(pid))
		return CHECK_FAIL;
	if (send_text(q, 3, "nope", 0) || (ms_sleep(10), send_text(q, 7, "wake", 0))) {
		fail("msgsnd: %s", errname(errno));
		kill_reap(pid);
		return CHECK_FAIL;
	}
	if (want_child("the child's msgrcv(msgtyp 7)", pid, 0) || want_queue("after the wake-up", q, 1, 4))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	if (ds.msg_lrpid != pid)
		return fail("msg_lrpid %d, want the child %d", (int)ds.msg_lrpid, (int)pid);
	ds.msg_qbytes = 8;
	if (msgctl(q, IPC_SET, &ds) != 0 || send_text(q, 1, "1234", 0) != 0)
		return fail("msgctl(IPC_SET msg_qbytes 8) or msgsnd: %s", errname(errno));
	if ((pid = fork_child()) == 0)
		exit_ret(send_text(q, 2, "5678", 0), 0);
	if (wait_asleep(pid))
		return CHECK_FAIL;
	if (want_recv(q, 16, 0, 0, 3, "nope")) {
		kill_reap(pid);
		return CHECK_FAIL;
	}
	if (want_child("the child's msgsnd to a full queue", pid, 0) || want_queue("after the send", q, 2, 8))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* IPC_RMID wakes a blocked receiver and a blocked sender with EIDRM; the
 * removed id is then EINVAL for every call. */
IPC_CHECK(check_msg_eidrm)
{
	pid_t rcv, snd;
	int q = new_msq(IPC_PRIVATE, 0600), full = new_msq(IPC_PRIVATE, 0600);
	struct msqid_ds ds;

	if (q < 0 || full < 0)
		return fail("msgget: %s", errname(errno));
	if (msgctl(full, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	ds.msg_qbytes = 4;
	if (msgctl(full, IPC_SET, &ds) != 0 || send_text(full, 1, "1234", 0) != 0)
		return fail("filling a queue: %s", errname(errno));
	if ((rcv = fork_child()) == 0)
		exit_err(msgrcv(q, &big, 16, 0, 0));
	if (wait_asleep(rcv))
		return CHECK_FAIL;
	if ((snd = fork_child()) == 0)
		exit_err(send_text(full, 1, "5", 0));
	if (wait_asleep(snd)) {
		kill_reap(rcv);
		return CHECK_FAIL;
	}
	rm_obj(KIND_MSG, q);
	rm_obj(KIND_MSG, full);
	if (want_child("msgrcv blocked when its queue was removed", rcv, EIDRM) |
	    want_child("msgsnd blocked when its queue was removed", snd, EIDRM))
		return CHECK_FAIL;
	if (want_err("msgsnd to a removed id", send_text(q, 1, "x", IPC_NOWAIT), EINVAL) ||
	    want_err("msgrcv from a removed id", msgrcv(q, &big, 16, 0, IPC_NOWAIT), EINVAL) ||
	    want_err("msgctl(IPC_STAT) of a removed id", msgctl(q, IPC_STAT, &ds), EINVAL) ||
	    want_err("msgctl(IPC_RMID) of a removed id", msgctl(q, IPC_RMID, NULL), EINVAL) ||
	    want_err("msgctl(IPC_STAT) of id -1", msgctl(-1, IPC_STAT, &ds), EINVAL))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* A signal whose handler has SA_RESTART still ends a blocked msgrcv and
 * msgsnd with EINTR: System V IPC calls are never restarted. */
IPC_CHECK(check_msg_eintr)
{
	struct msqid_ds ds;
	pid_t pid;
	int q = new_msq(IPC_PRIVATE, 0600);

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if ((pid = fork_child()) == 0) {
		long r;

		catch_usr1();
		r = msgrcv(q, &big, 16, 0, 0);
		if (r == -1 && !got_signal)
			_exit(CHILD_WRONG); /* failed, but not for the signal */
		exit_err(r);
	}
	if (wait_asleep(pid))
		return CHECK_FAIL;
	kill(pid, SIGUSR1);
	if (want_child("msgrcv interrupted by a SA_RESTART handler", pid, EINTR))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	ds.msg_qbytes = 1;
	if (msgctl(q, IPC_SET, &ds) != 0 || send_text(q, 1, "1", 0) != 0)
		return fail("filling the queue: %s", errname(errno));
	if ((pid = fork_child()) == 0) {
		long r;

		catch_usr1();
		r = send_text(q, 1, "2", 0);
		if (r == -1 && !got_signal)
			_exit(CHILD_WRONG); /* failed, but not for the signal */
		exit_err(r);
	}
	if (wait_asleep(pid))
		return CHECK_FAIL;
	kill(pid, SIGUSR1);
	return want_child("msgsnd interrupted by a SA_RESTART handler", pid, EINTR);
}

/* IPC_SET: the low nine mode bits only, the owner, msg_qbytes lowered
 * (then enforced) or raised past msgmnb (with CAP_SYS_RESOURCE only:
 * EPERM otherwise);
 * an unknown command is EINVAL. */
IPC_CHECK(check_msgctl_set)
{
	struct msqid_ds ds;
	long msgmnb;
	int q = new_msq(key_for(1), IPC_CREAT | 0600), r;
	time_t t0 = time(NULL);

	if (q < 0)
		return fail("msgget: %s", errname(errno));
	if (read_long(MSGMNB_FILE, &msgmnb))
		return fail("cannot read %s", MSGMNB_FILE);
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	ds.msg_perm.mode = 07644;
	ds.msg_perm.uid = NOBODY;
	ds.msg_perm.gid = NOBODY;
	ds.msg_qbytes = 100;
	if (want_eq("msgctl(IPC_SET mode 07644, uid/gid 65534, qbytes 100)", msgctl(q, IPC_SET, &ds), 0))
		return CHECK_FAIL;
	memset(&ds, 0, sizeof(ds));
	if (msgctl(q, IPC_STAT, &ds) != 0)
		return fail("msgctl(IPC_STAT): %s", errname(errno));
	if (ds.msg_perm.mode != 0644 || ds.msg_qbytes != 100 || ds.msg_perm.uid != NOBODY ||
	    ds.msg_perm.gid != NOBODY || ds.msg_perm.cuid != geteuid() || ds.msg_perm.cgid != getegid())
		return fail("after IPC_SET: mode %#o qbytes %lu uid %u gid %u cuid %u cgid %u, want 0644 100 %d %d %u %u",
			    (unsigned)ds.msg_perm.mode, (unsigned long)ds.msg_qbytes, ds.msg_perm.uid, ds.msg_perm.gid,
			    ds.msg_perm.cuid, ds.msg_perm.cgid, NOBODY, NOBODY, geteuid(), getegid());
	if (want_time("msg_ctime after IPC_SET", ds.msg_ctime, t0, time(NULL)))
		return CHECK_FAIL;
	big.mtype = 1;
	if (want_eq("msgsnd(60 bytes)", msgsnd(q, &big, 60, IPC_NOWAIT), 0) ||
	    want_err("msgsnd(60 more bytes) with msg_qbytes 100", msgsnd(q, &big, 60, IPC_NOWAIT), EAGAIN))
		return CHECK_FAIL;
	ds.msg_qbytes = msgmnb * 2;
	r = msgctl(q, IPC_SET, &ds);
	if (!has_cap(CAP_SYS_RESOURCE))
		return want_err("msgctl(IPC_SET msg_qbytes 2 * msgmnb) without CAP_SYS_RESOURCE", r, EPERM);
	if (want_eq("msgctl(IPC_SET msg_qbytes 2 * msgmnb) with CAP_SYS_RESOURCE", r, 0))
		return CHECK_FAIL;
	if (msgctl(q, IPC_STAT, &ds) != 0 || (long)ds.msg_qbytes != msgmnb * 2)
		return fail("msg_qbytes %lu after raising it to %ld", (unsigned long)ds.msg_qbytes, msgmnb * 2);
	return want_err("msgctl(cmd 99)", msgctl(q, 99, &ds), EINVAL);
}

/*
 * find_index: the index at which ID (of KIND) is, found with STAT (MSG_STAT,
 * SEM_STAT, SHM_STAT) on every index up to MAX_IDX; -1 when none gives ID.
 */
static int find_index(enum kind kind, int id, int max_idx)
{
	struct msqid_ds mds;
	struct semid_ds sds;
	struct shmid_ds hds;
	int got;

	for (int i = 0; i <= max_idx; i++) {
		got = kind == KIND_MSG ? msgctl(i, MSG_STAT, &mds)
		      : kind == KIND_SEM ? semctl(i, 0, SEM_STAT, (union semun){ .buf = &sds })
		      : shmctl(i, SHM_STAT, &hds);
		if (got == id)
			return i;
	}
	return -1;
}

/* IPC_INFO and MSG_INFO return the highest index in use; msginfo holds the
 * sysctls and Linux's fixed values (MSG_INFO: queues, messages, bytes in
 * use); MSG_STAT and MSG_STAT_ANY take an index and return the id. */
IPC_CHECK(check_msgctl_info)
{
	struct msginfo mi, mu;
	struct msqid_ds ds;
	long msgmax, msgmnb, msgmni;
	int q = new_msq(IPC_PRIVATE, 0600), max_idx, used_max, idx;

	if (q < 0 || send_text(q, 1, "12345", 0))
		return fail("msgget or msgsnd: %s", errname(errno));
	if (read_long(MSGMAX_FILE, &msgmax) || read_long(MSGMNB_FILE, &msgmnb) || read_long(MSGMNI_FILE, &msgmni))
		return fail("cannot read /proc/sys/kernel/msg{max,mnb,mni}");
	if ((max_idx = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi)) < 0)
		return fail("msgctl(IPC_INFO): %s", errname(errno));
	if (mi.msgmax != msgmax || mi.msgmnb != msgmnb || mi.msgmni != msgmni)
		return fail("IPC_INFO: msgmax %d msgmnb %d msgmni %d, want /proc's %ld %ld %ld", mi.msgmax, mi.msgmnb,
			    mi.msgmni, msgmax, msgmnb, msgmni);
	if (mi.msgssz != MSGSSZ || mi.msgseg != MSGSEG || mi.msgpool != MSGPOOL || mi.msgmap != MSGMAP ||
	    mi.msgtql != MSGTQL)
		return fail("IPC_INFO: msgssz %d msgseg %#x msgpool %d msgmap %d msgtql %d, want %d %#x %d %d %d",
			    mi.msgssz, mi.msgseg, mi.msgpool, mi.msgmap, mi.msgtql, MSGSSZ, MSGSEG, MSGPOOL, MSGMAP,
			    MSGTQL);
	if ((used_max = msgctl(0, MSG_INFO, (struct msqid_ds *)&mu)) < 0)
		return fail("msgctl(MSG_INFO): %s", errname(errno));
	if (mu.msgpool < 1 || mu.msgmap < 1 || mu.msgtql < 5 || mu.msgmax != msgmax || mu.msgssz != MSGSSZ)
		return fail("MSG_INFO: msgpool (queues) %d msgmap (messages) %d msgtql (bytes) %d msgmax %d, want >= 1 1 5, %ld",
			    mu.msgpool, mu.msgmap, mu.msgtql, mu.msgmax, msgmax);
	idx = find_index(KIND_MSG, q, max_idx > used_max ? max_idx : used_max);
	if (idx < 0)
		return fail("no index up to %d has id %d (MSG_STAT)", max_idx, q);
	if (max_idx < idx)
		return fail("IPC_INFO returned %d, below our queue's index %d", max_idx, idx);
	if (msgctl(idx, MSG_STAT, &ds) != q || ds.msg_qnum != 1 || ds.msg_cbytes != 5)
		return fail("MSG_STAT(%d): qnum %lu cbytes %lu, want 1 5", idx, (unsigned long)ds.msg_qnum, ds.msg_cbytes);
	if (want_eq("msgctl(index, MSG_STAT_ANY)", msgctl(idx, MSG_STAT_ANY, &ds), q) ||
	    want_err("msgctl(INT_MAX, MSG_STAT)", msgctl(INT_MAX, MSG_STAT, &ds), EINVAL))
		return CHECK_FAIL;
	remark("IPC_INFO %d, MSG_INFO %d, id %d at index %d; msgpool %d msgmap %d msgtql %d msgseg %#x", max_idx,
	       used_max, q, idx, mi.msgpool, mi.msgmap, mi.msgtql, mi.msgseg);
	return CHECK_OK;
}

/* ---- semaphores ---- */

static int sem_op1(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = { num, op, flg };

	return semop(id, &b, 1);
}

static int sem_set(int id, int num, int val)
{
	return semctl(id, num, SETVAL, (union semun){ .val = val });
}

/* want_vals: the N values of set ID are WANT (GETALL). */
static int want_vals(const char *when, int id, const unsigned short *want, int n)
{
	unsigned short got[8] = { 0 };

	if (semctl(id, 0, GETALL, (union semun){ .array = got }) != 0)
		return fail("semctl(GETALL) %s: %s", when, errname(errno));
	for (int i = 0; i < n; i++)
		if (got[i] != want[i])
			return fail("%s: semaphore %d is %u, want %u", when, i, got[i], want[i]);
	return CHECK_OK;
}

/* semget: nsems 0 only for an existing set, at most semmsl, no more than
 * the set has (EINVAL); EEXIST before that; a new set is all zeros and
 * has not been operated on (sem_otime 0). */
IPC_CHECK(check_semget)
{
	static const unsigned short zeros[3];
	key_t key = key_for(1);
	struct semid_ds ds;
	long lim[4];
	time_t t0 = time(NULL), t1;
	int id;

	if (sem_limits(lim))
		return fail("cannot read %s", SEM_FILE);
	if (want_err("semget(IPC_PRIVATE, 0)", new_sem(IPC_PRIVATE, 0, 0600), EINVAL) ||
	    want_err("semget(IPC_PRIVATE, -1)", new_sem(IPC_PRIVATE, -1, 0600), EINVAL) ||
	    want_err("semget(IPC_PRIVATE, semmsl + 1)", new_sem(IPC_PRIVATE, (int)lim[0] + 1, 0600), EINVAL) ||
	    want_err("semget(missing key, 1, 0)", new_sem(key, 1, 0600), ENOENT) ||
	    want_err("semget(missing key, 0, IPC_CREAT)", new_sem(key, 0, IPC_CREAT | 0600), EINVAL))
		return CHECK_FAIL;
	if ((id = new_sem(key, 3, IPC_CREAT | IPC_EXCL | 0600)) < 0)
		return fail("semget(key, 3, IPC_CREAT | IPC_EXCL): %s", errname(errno));
	t1 = time(NULL);
	if (want_err("semget(key, 3, IPC_CREAT | IPC_EXCL) again", new_sem(key, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST) ||
	    want_err("semget(key, 4, IPC_CREAT | IPC_EXCL)", new_sem(key, 4, IPC_CREAT | IPC_EXCL | 0600), EEXIST) ||
	    want_eq("semget(key, 0, 0)", semget(key, 0, 0), id) ||
	    want_eq("semget(key, 2, 0)", semget(key, 2, 0), id) ||
	    want_eq("semget(key, 0, IPC_CREAT)", semget(key, 0, IPC_CREAT | 0600), id) ||
	    want_err("semget(key, 4, 0) of a 3-semaphore set", semget(key, 4, 0), EINVAL) ||
	    want_err("semget(key, 4, IPC_CREAT) of a 3-semaphore set", new_sem(key, 4, IPC_CREAT | 0600), EINVAL))
		return CHECK_FAIL;
	if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }) != 0)
		return fail("semctl(IPC_STAT): %s", errname(errno));
	if (want_perm("sem_perm", &ds.sem_perm, key, 0600) || want_time("sem_ctime", ds.sem_ctime, t0, t1))
		return CHECK_FAIL;
	if (ds.sem_nsems != 3 || ds.sem_otime != 0)
		return fail("sem_nsems %u sem_otime %lld, want 3 0", (unsigned)ds.sem_nsems, (long long)ds.sem_otime);
	return want_vals("a new set", id, zeros, 3);
}

/* semop: increments, IPC_NOWAIT's EAGAIN for a decrement and for
 * wait-for-zero, several operations all or none, the pid and sem_otime
 * of the last semop; ERANGE past SEMVMX, E2BIG past semopm, EFBIG for a
 * semaphore past the set, EINVAL for no operation. */
IPC_CHECK(check_semop)
{
	static const unsigned short two_zero[2] = { 2, 0 }, after_all[2] = { 0, 2 }, max_two[2] = { SEMVMX, 2 };
	struct sembuf none_fit[2] = { { 0, 1, 0 }, { 1, -1, IPC_NOWAIT } };
	struct sembuf all_fit[3] = { { 0, 1, 0 }, { 1, 2, 0 }, { 0, -3, 0 } };
	struct sembuf too_high[2] = { { 1, 20000, 0 }, { 1, 20000, 0 } };
	struct sembuf *many;
	struct semid_ds ds;
	long lim[4];
	time_t t0 = time(NULL);
	int id = new_sem(IPC_PRIVATE, 2, 0600);

	if (id < 0 || sem_limits(lim))
		return fail("semget or %s: %s", SEM_FILE, errname(errno));
	if (want_eq("semop(+2)", sem_op1(id, 0, 2, 0), 0) || want_vals("after +2", id, two_zero, 2) ||
	    want_eq("semctl(GETPID)", semctl(id, 0, GETPID), getpid()) ||
	    want_eq("semctl(GETPID) of the other semaphore", semctl(id, 1, GETPID), 0))
		return CHECK_FAIL;
	if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }) != 0)
		return fail("semctl(IPC_STAT): %s", errname(errno));
	if (want_time("sem_otime after semop", ds.sem_otime, t0, time(NULL)) ||
	    want_err("semop(-3, IPC_NOWAIT) of 2", sem_op1(id, 0, -3, IPC_NOWAIT), EAGAIN) ||
	    want_err("semop(0, IPC_NOWAIT) of 2", sem_op1(id, 0, 0, IPC_NOWAIT), EAGAIN) ||
	    want_eq("semop(0, IPC_NOWAIT) of 0", sem_op1(id, 1, 0, IPC_NOWAIT), 0) ||
	    want_err("semop({0 +1, 1 -1 IPC_NOWAIT}) with 1 at 0", semop(id, none_fit, 2), EAGAIN) ||
	    want_vals("after a semop that could not complete", id, two_zero, 2) ||
	    want_eq("semop({0 +1, 1 +2, 0 -3})", semop(id, all_fit, 3), 0) ||
	    want_vals("after three operations", id, after_all, 2))
		return CHECK_FAIL;
	if (want_eq("semctl(SETVAL SEMVMX)", sem_set(id, 0, SEMVMX), 0) ||
	    want_err("semop(+1) of SEMVMX", sem_op1(id, 0, 1, 0), ERANGE) ||
	    want_err("semop({1 +20000, 1 +20000})", semop(id, too_high, 2), ERANGE) ||
	    want_vals("after ERANGE", id, max_two, 2) ||
	    want_err("semop(sem_num 2) of 2 semaphores", sem_op1(id, 2, 1, 0), EFBIG) ||
	    want_err("semop(nsops 0)", semop(id, all_fit, 0), EINVAL) ||
	    want_err("semop(id -1)", semop(-1, all_fit, 1), EINVAL))
		return CHECK_FAIL;
	if (!(many = calloc(lim[2] + 1, sizeof(*many))))
		return fail("calloc");
	if (want_err("semop(nsops semopm + 1)", semop(id, many, lim[2] + 1), E2BIG)) {
		free(many);
		return CHECK_FAIL;
	}
	free(many);
	return CHECK_OK;
}

/* Waiting: a decrement sleeps (GETNCNT 1) until an increment, a
 * wait-for-zero (GETZCNT 1) until SETVAL 0; a SA_RESTART signal ends a
 * wait with EINTR, IPC_RMID with EIDRM. */
IPC_CHECK(check_sem_wait)
{
	int id = new_sem(IPC_PRIVATE, 2, 0600);
	pid_t pid;

	if (id < 0)
		return fail("semget: %s", errname(errno));
	if ((pid = fork_child()) == 0)
		exit_ret(sem_op1(id, 0, -1, 0), 0);
	if (wait_count(id, 0, GETNCNT, 1, pid) || want_eq("semop(+1)", sem_op1(id, 0, 1, 0), 0) ||
	    want_child("the child's semop(-1)", pid, 0) || want_eq("semctl(GETVAL) after", semctl(id, 0, GETVAL), 0) ||
	    want_eq("semctl(GETNCNT) after", semctl(id, 0, GETNCNT), 0) ||
	    want_eq("semctl(GETPID) after", semctl(id, 0, GETPID), pid))
		return CHECK_FAIL;
	if (sem_set(id, 1, 1) != 0)
		return fail("semctl(SETVAL): %s", errname(errno));
	if ((pid = fork_child()) == 0)
		exit_ret(sem_op1(id, 1, 0, 0), 0);
	if (wait_count(id, 1, GETZCNT, 1, pid) || want_eq("semctl(SETVAL 0)", sem_set(id, 1, 0), 0) ||
	    want_child("the child's wait-for-zero, woken by SETVAL 0", pid, 0))
		return CHECK_FAIL;
	if ((pid = fork_child()) == 0) {
		long r;

		catch_usr1();
		r = sem_op1(id, 0, -1, 0);
		if (r == -1 && !got_signal)
			_exit(CHILD_WRONG); /* failed, but not for the signal */
		exit_err(r);
	}
	if (wait_count(id, 0, GETNCNT, 1, pid))
		return CHECK_FAIL;
	kill(pid, SIGUSR1);
	if (want_child("semop interrupted by a SA_RESTART handler", pid, EINTR) ||
	    want_eq("semctl(GETNCNT) after EINTR", semctl(id, 0, GETNCNT), 0))
		return CHECK_FAIL;
	if ((pid = fork_child()) == 0)
		exit_err(sem_op1(id, 0, -1, 0));
	if (wait_count(id, 0, GETNCNT, 1, pid))
		return CHECK_FAIL;
	rm_obj(KIND_SEM, id);
	return want_child("semop waiting when its set was removed", pid, EIDRM);
}

/* undo_child: fork a child that does OP (SEM_UNDO) on semaphore NUM of ID and exits; its pid. */
static pid_t undo_child(int id, int num, short op)
{
	pid_t pid = fork_child();

	if (pid == 0)
		exit_ret(sem_op1(id, num, op, SEM_UNDO), 0);
	return pid;
}

/*
 * held_undo: a child does +1 (SEM_UNDO) on semaphore 0 of ID and stays
 * alive while DURING(ID) runs, then exits. CHECK_OK, or CHECK_FAIL when
 * DURING or the child failed.
 */
static int held_undo(int id, int (*during)(int id))
{
	int ready[2], go[2], r = CHECK_OK;
	char c = 0;
	pid_t pid;

	if (pipe(ready) != 0 || pipe(go) != 0)
		return fail("pipe: %s", errname(errno));
	if ((pid = fork_child()) == 0) {
		close(ready[0]);
		close(go[1]);
		if (sem_op1(id, 0, 1, SEM_UNDO) != 0)
			_exit(errno);
		_exit(write(ready[1], &c, 1) == 1 && read(go[0], &c, 1) == 1 ? 0 : CHILD_WRONG);
	}
	close(ready[1]);
	close(go[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1) /* else it died: want_child says why */
		r = during(id);
	if (write(go[1], &c, 1) != 1 && pid > 0)
		kill(pid, SIGKILL);
	close(ready[0]);
	close(go[1]);
	if (want_child("the SEM_UNDO child holding +1", pid, 0))
		return CHECK_FAIL;
	return r;
}

static int take_one(int id)
{
	return want_eq("semop(-1) under the child's +1", sem_op1(id, 0, -1, 0), 0);
}

static int set_five(int id)
{
	return want_eq("semctl(SETVAL 5) under the child's +1", sem_set(id, 0, 5), 0);
}

/* SEM_UNDO: a child's adjustments are undone when it exits (the pid
 * becomes the child's); an undo below zero stops at zero; SETVAL clears
 * the adjustments for that semaphore. */
IPC_CHECK(check_sem_undo)
{
	int id = new_sem(IPC_PRIVATE, 2, 0600);
	pid_t pid;

	if (id < 0 || sem_set(id, 1, 2) != 0)
		return fail("semget or SETVAL: %s", errname(errno));
	pid = undo_child(id, 0, 3);
	if (want_child("semop(+3, SEM_UNDO)", pid, 0) ||
	    want_eq("the value after the child's +3 was undone", semctl(id, 0, GETVAL), 0) ||
	    want_eq("semctl(GETPID) after the undo", semctl(id, 0, GETPID), pid))
		return CHECK_FAIL;
	pid = undo_child(id, 1, -1);
	if (want_child("semop(-1, SEM_UNDO)", pid, 0) ||
	    want_eq("the value after the child's -1 was undone", semctl(id, 1, GETVAL), 2))
		return CHECK_FAIL;
	if (held_undo(id, take_one) ||
	    want_eq("the value after an undo that would go below 0", semctl(id, 0, GETVAL), 0) ||
	    held_undo(id, set_five))
		return CHECK_FAIL;
	return want_eq("the value after an undo cleared by SETVAL", semctl(id, 0, GETVAL), 5);
}

#define SYSVSEM_STACK 65536

/* A CLONE_SYSVSEM child: +1 with SEM_UNDO on semaphore 0 of set *arg. */
static int sysvsem_child(void *arg)
{
	struct sembuf up = { 0, 1, SEM_UNDO };

	return semop(*(int *)arg, &up, 1) == 0 ? 0 : 1;
}

/* CLONE_SYSVSEM: parent and child share one list of adjustments, applied
 * when the last of them exits, not when the child does, even when the
 * parent had made none before the clone. */
IPC_CHECK(check_sem_undo_shared)
{
	int id = new_sem(IPC_PRIVATE, 1, 0600), st;
	pid_t holder;

	if (id < 0)
		return fail("semget: %s", errname(errno));
	if ((holder = fork()) == 0) {
		char *stack = malloc(SYSVSEM_STACK);
		pid_t kid = stack ? clone(sysvsem_child, stack + SYSVSEM_STACK, CLONE_SYSVSEM | SIGCHLD, &id) : -1;
		if (kid < 0 || waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(2);
		_exit(semctl(id, 0, GETVAL) == 1 ? 0 : 3); /* still held: the list is ours too */
	}
	if (want_child("the CLONE_SYSVSEM child's +1 kept while its parent lives", holder, 0))
		return CHECK_FAIL;
	return want_eq("the value once the last sharer exited", semctl(id, 0, GETVAL), 0);
}

/* semtimedop: EAGAIN once the time-out has passed (not before), at once
 * for a zero time-out; EINVAL for a bad timespec; an operation that can
 * proceed does. */
IPC_CHECK(check_semtimedop)
{
	struct timespec wait = { 0, TIMEDOP_MS * 1000000L }, zero = { 0, 0 };
	struct timespec bad_ns = { 0, 1000000000L }, bad_s = { -1, 0 };
	struct sembuf down = { 0, -1, 0 }, up = { 0, 1, 0 };
	long long t0, took;
	int id = new_sem(IPC_PRIVATE, 1, 0600), r;

	if (id < 0)
		return fail("semget: %s", errname(errno));
	t0 = now_ms();
	r = semtimedop(id, &down, 1, &wait);
	took = now_ms() - t0;
	if (want_err("semtimedop(-1 of 0, 50 ms)", r, EAGAIN))
		return CHECK_FAIL;
	if (took < TIMEDOP_MS || took > CHILD_WAIT_MS)
		return fail("semtimedop(50 ms) returned after %lld ms", took);
	t0 = now_ms();
	if (want_err("semtimedop(-1 of 0, 0 s)", semtimedop(id, &down, 1, &zero), EAGAIN))
		return CHECK_FAIL;
	if ((took = now_ms() - t0) > TIMEDOP_MS)
		return fail("semtimedop(0 s) took %lld ms", took);
	if (want_err("semtimedop(tv_nsec 1000000000)", semtimedop(id, &up, 1, &bad_ns), EINVAL) ||
	    want_err("semtimedop(tv_sec -1)", semtimedop(id, &up, 1, &bad_s), EINVAL) ||
	    want_eq("semtimedop(+1, 50 ms)", semtimedop(id, &up, 1, &wait), 0) ||
	    want_eq("semtimedop(-1 of 1, 50 ms)", semtimedop(id, &down, 1, &wait), 0) ||
	    want_eq("semtimedop(+1, no time-out)", semtimedop(id, &up, 1, NULL), 0))
		return CHECK_FAIL;
	return want_eq("the value", semctl(id, 0, GETVAL), 1);
}

/* semctl: GETVAL/SETVAL (which sets GETPID, not sem_otime), GETALL/SETALL
 * (all or none), GETNCNT/GETZCNT idle, ERANGE outside 0..SEMVMX, EINVAL
 * for a semaphore past the set, IPC_SET's mode bits, a removed id. */
IPC_CHECK(check_semctl)
{
	static const unsigned short after_setval[3] = { 0, 5, 0 };
	unsigned short all[3] = { 1, 2, 3 }, bad[3] = { 7, SEMVMX + 1, 9 };
	struct semid_ds ds;
	int id = new_sem(IPC_PRIVATE, 3, 0600);

	if (id < 0)
		return fail("semget: %s", errname(errno));
	if (want_eq("semctl(SETVAL 5)", sem_set(id, 1, 5), 0) || want_eq("semctl(GETVAL)", semctl(id, 1, GETVAL), 5) ||
	    want_eq("semctl(GETPID) after SETVAL", semctl(id, 1, GETPID), getpid()) ||
	    want_vals("after SETVAL", id, after_setval, 3))
		return CHECK_FAIL;
	if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }) != 0)
		return fail("semctl(IPC_STAT): %s", errname(errno));
	if (ds.sem_otime != 0)
		return fail("sem_otime %lld after SETVAL, want 0 (only semop sets it)", (long long)ds.sem_otime);
	if (want_eq("semctl(SETALL {1, 2, 3})", semctl(id, 0, SETALL, (union semun){ .array = all }), 0) ||
	    want_vals("after SETALL", id, all, 3) ||
	    want_err("semctl(SETALL {7, 32768, 9})", semctl(id, 0, SETALL, (union semun){ .array = bad }), ERANGE) ||
	    want_vals("after a SETALL refused", id, all, 3) ||
	    want_err("semctl(SETVAL 32768)", sem_set(id, 0, SEMVMX + 1), ERANGE) ||
	    want_err("semctl(SETVAL -1)", sem_set(id, 0, -1), ERANGE) ||
	    want_eq("semctl(SETVAL 32767)", sem_set(id, 0, SEMVMX), 0) ||
	    want_eq("semctl(GETNCNT) idle", semctl(id, 0, GETNCNT), 0) ||
	    want_eq("semctl(GETZCNT) idle", semctl(id, 0, GETZCNT), 0) ||
	    want_err("semctl(semnum 3, GETVAL) of 3", semctl(id, 3, GETVAL), EINVAL) ||
	    want_err("semctl(semnum -1, GETVAL)", semctl(id, -1, GETVAL), EINVAL) ||
	    want_err("semctl(cmd 99)", semctl(id, 0, 99), EINVAL))
		return CHECK_FAIL;
	ds.sem_perm.mode = 01640;
	if (want_eq("semctl(IPC_SET mode 01640)", semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }), 0))
		return CHECK_FAIL;
	if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }) != 0 || ds.sem_perm.mode != 0640)
		return fail("mode after IPC_SET 01640: %#o, want 0640", (unsigned)ds.sem_perm.mode);
	rm_obj(KIND_SEM, id);
	return want_err("semctl(GETVAL) of a removed set", semctl(id, 0, GETVAL), EINVAL);
}

/* IPC_INFO and SEM_INFO: the highest index; seminfo with /proc/sys/kernel/sem's
 * semmsl, semmns, semopm, semmni and Linux's fixed values (SEM_INFO: sets
 * and semaphores in use); SEM_STAT and SEM_STAT_ANY of the index. */
IPC_CHECK(check_semctl_info)
{
	struct seminfo si, su;
	struct semid_ds ds;
	long lim[4];
	int id = new_sem(IPC_PRIVATE, 3, 0600), max_idx, used_max, idx;

	if (id < 0 || sem_limits(lim))
		return fail("semget or %s: %s", SEM_FILE, errname(errno));
	if ((max_idx = semctl(0, 0, IPC_INFO, (union semun){ .__buf = &si })) < 0)
		return fail("semctl(IPC_INFO): %s", errname(errno));
	if (si.semmsl != lim[0] || si.semmns != lim[1] || si.semopm != lim[2] || si.semmni != lim[3])
		return fail("IPC_INFO: semmsl %d semmns %d semopm %d semmni %d, want %s's %ld %ld %ld %ld", si.semmsl,
			    si.semmns, si.semopm, si.semmni, SEM_FILE, lim[0], lim[1], lim[2], lim[3]);
	if (si.semvmx != SEMVMX || si.semusz != SEMUSZ || si.semaem != SEMAEM || si.semmap != SEMMAP ||
	    si.semmnu != SEMMAP || si.semume != SEMUME)
		return fail("IPC_INFO: semvmx %d semusz %d semaem %d semmap %d semmnu %d semume %d, want %d %d %d %d %d %d",
			    si.semvmx, si.semusz, si.semaem, si.semmap, si.semmnu, si.semume, SEMVMX, SEMUSZ, SEMAEM,
			    SEMMAP, SEMMAP, SEMUME);
	if ((used_max = semctl(0, 0, SEM_INFO, (union semun){ .__buf = &su })) < 0)
		return fail("semctl(SEM_INFO): %s", errname(errno));
	if (su.semusz < 1 || su.semaem < 3 || su.semmsl != lim[0] || su.semvmx != SEMVMX)
		return fail("SEM_INFO: semusz (sets) %d semaem (semaphores) %d semmsl %d, want >= 1, >= 3, %ld", su.semusz,
			    su.semaem, su.semmsl, lim[0]);
	idx = find_index(KIND_SEM, id, max_idx > used_max ? max_idx : used_max);
	if (idx < 0 || max_idx < idx)
		return fail("our set's index %d (SEM_STAT), IPC_INFO returned %d", idx, max_idx);
	if (want_eq("semctl(index, SEM_STAT_ANY)", semctl(idx, 0, SEM_STAT_ANY, (union semun){ .buf = &ds }), id) ||
	    want_err("semctl(INT_MAX, SEM_STAT)", semctl(INT_MAX, 0, SEM_STAT, (union semun){ .buf = &ds }), EINVAL))
		return CHECK_FAIL;
	if (ds.sem_nsems != 3)
		return fail("SEM_STAT_ANY: sem_nsems %u, want 3", (unsigned)ds.sem_nsems);
	remark("IPC_INFO %d, SEM_INFO %d, id %d at index %d; semmap %d semmnu %d semume %d semusz %d semaem %d",
	       max_idx, used_max, id, idx, si.semmap, si.semmnu, si.semume, si.semusz, si.semaem);
	return CHECK_OK;
}

/* ---- shared memory ---- */

/* shm_stat: IPC_STAT of segment ID into *ds; CHECK_OK or CHECK_FAIL. */
static int shm_stat(int id, struct shmid_ds *ds)
{
	if (shmctl(id, IPC_STAT, ds) != 0)
		return fail("shmctl(IPC_STAT): %s", errname(errno));
	return CHECK_OK;
}

/* want_nattch: segment ID is attached N times, last by (or detached by) LPID. */
static int want_nattch(const char *when, int id, unsigned long n, pid_t lpid)
{
	struct shmid_ds ds;

	if (shm_stat(id, &ds))
		return CHECK_FAIL;
	if (ds.shm_nattch != n || ds.shm_lpid != lpid)
		return fail("%s: shm_nattch %lu shm_lpid %d, want %lu %d", when, (unsigned long)ds.shm_nattch,
			    (int)ds.shm_lpid, n, (int)lpid);
	return CHECK_OK;
}

/* shmget: size 0 or over shmmax on create, and more than an existing
 * segment's size, are EINVAL; EEXIST, ENOENT; shm_segsz is the size asked. */
IPC_CHECK(check_shmget)
{
	key_t key = key_for(1);
	struct shmid_ds ds;
	unsigned long shmmax;
	int id;

	if (read_ulong(SHMMAX_FILE, &shmmax))
		return fail("cannot read %s", SHMMAX_FILE);
	if (want_err("shmget(IPC_PRIVATE, 0)", new_shm(IPC_PRIVATE, 0, 0600), EINVAL) ||
	    (shmmax < SIZE_MAX &&
	     want_err("shmget(IPC_PRIVATE, shmmax + 1)", new_shm(IPC_PRIVATE, shmmax + 1, 0600), EINVAL)) ||
	    want_err("shmget(missing key)", new_shm(key, PAGE, 0600), ENOENT))
		return CHECK_FAIL;
	if ((id = new_shm(key, SEG_SIZE, IPC_CREAT | IPC_EXCL | 0600)) < 0)
		return fail("shmget(key, 5000, IPC_CREAT | IPC_EXCL): %s", errname(errno));
	if (want_err("shmget(key, IPC_CREAT | IPC_EXCL) again", new_shm(key, SEG_SIZE, IPC_CREAT | IPC_EXCL | 0600), EEXIST) ||
	    want_eq("shmget(key, 5000, 0)", shmget(key, SEG_SIZE, 0), id) ||
	    want_eq("shmget(key, 0, 0)", shmget(key, 0, 0), id) ||
	    want_eq("shmget(key, 100, 0)", shmget(key, 100, 0), id) ||
	    want_err("shmget(key, 5001, 0) of 5000 bytes", shmget(key, SEG_SIZE + 1, 0), EINVAL) ||
	    want_err("shmget(key, 8192, IPC_CREAT) of 5000 bytes", new_shm(key, 2 * PAGE, IPC_CREAT | 0600), EINVAL) ||
	    shm_stat(id, &ds))
		return CHECK_FAIL;
	if (ds.shm_segsz != SEG_SIZE)
		return fail("shm_segsz %zu, want %d (as asked, not rounded)", ds.shm_segsz, SEG_SIZE);
	return want_perm("shm_perm", &ds.shm_perm, key, 0600);
}

/* Attaching: two attaches and a forked child share the bytes; shm_nattch
 * counts attaches (a fork's copies too), shm_lpid follows the last attach or
 * detach (the child's exit too), shm_atime and shm_dtime; the page's
 * tail past shm_segsz is there and zero. */
IPC_CHECK(check_shm_attach)
{
	int id = new_shm(IPC_PRIVATE, SEG_SIZE, 0600), go[2], r;
	struct shmid_ds ds;
	time_t t0 = time(NULL);
	char *a, *b, c = 0;
	pid_t pid;

	if (id < 0)
		return fail("shmget: %s", errname(errno));
	a = shmat(id, NULL, 0);
	b = shmat(id, NULL, 0);
	if (a == (char *)-1 || b == (char *)-1)
		return fail("shmat: %s", errname(errno));
	if (a == b)
		return fail("two shmat gave the same address %p", (void *)a);
	strcpy(a, "parent");
	if (strcmp(b, "parent") != 0 || b[2 * PAGE - 1] != 0)
		return fail("the second attach reads \"%.8s\" and %d at the page's end", b, b[2 * PAGE - 1]);
	if (want_nattch("two attaches", id, 2, getpid()) || shm_stat(id, &ds) ||
	    want_time("shm_atime", ds.shm_atime, t0, time(NULL)))
		return CHECK_FAIL;
	if (ds.shm_dtime != 0)
		return fail("shm_dtime %lld before any shmdt, want 0", (long long)ds.shm_dtime);
	if (pipe(go) != 0)
		return fail("pipe: %s", errname(errno));
	if ((pid = fork_child()) == 0) {
		strcpy(b + 100, "child");
		_exit(read(go[0], &c, 1) == 1 && strcmp(a, "parent") == 0 ? 0 : CHILD_WRONG);
	}
	r = pid > 0 ? want_nattch("with a forked child (holding both)", id, 4, getpid()) : CHECK_OK;
	if (write(go[1], &c, 1) != 1 && pid > 0)
		kill(pid, SIGKILL);
	close(go[0]);
	close(go[1]);
	if (want_child("the child reading and writing the segment", pid, 0) || r ||
	    want_nattch("after the child's exit", id, 2, pid))
		return CHECK_FAIL;
	if (strcmp(a + 100, "child") != 0)
		return fail("the child's write is not seen: \"%.8s\"", a + 100);
	if (want_eq("shmdt", shmdt(a), 0) || want_nattch("after one shmdt", id, 1, getpid()) || shm_stat(id, &ds) ||
	    want_time("shm_dtime", ds.shm_dtime, t0, time(NULL)) || want_eq("shmdt", shmdt(b), 0))
		return CHECK_FAIL;
	return want_nattch("after both shmdt", id, 0, getpid());
}

/* SHM_RDONLY: reads what another attach writes; a write is SIGSEGV, and
 * mprotect cannot make it writable (EACCES). */
IPC_CHECK(check_shm_rdonly)
{
	int id = new_shm(IPC_PRIVATE, PAGE, 0600);
	char *w, *r;
	pid_t pid;

	if (id < 0)
		return fail("shmget: %s", errname(errno));
	w = shmat(id, NULL, 0);
	r = shmat(id, NULL, SHM_RDONLY);
	if (w == (char *)-1 || r == (char *)-1)
		return fail("shmat: %s", errname(errno));
	w[0] = 'x';
	if (r[0] != 'x')
		return fail("the SHM_RDONLY attach reads %d, want 'x'", r[0]);
	if ((pid = fork_child()) == 0) {
		*(volatile char *)(r + 1) = 'y';
		_exit(0);
	}
	if (want_signal("a write to a SHM_RDONLY attach", pid, SIGSEGV))
		return CHECK_FAIL;
	if (w[1] != 0)
		return fail("the refused write landed: %d", w[1]);
	return want_err("mprotect(PROT_WRITE) of a SHM_RDONLY attach", mprotect(r, PAGE, PROT_READ | PROT_WRITE),
			EACCES);
}

static int shmdt_static_target;

/* Addresses: shmat at an address off SHMLBA is EINVAL, rounded down with
 * SHM_RND; over a mapping EINVAL unless SHM_REMAP (which needs an
 * address); shmdt of anything but an attach's start is EINVAL. */
IPC_CHECK(check_shm_addr)
{
	int id = new_shm(IPC_PRIVATE, 2 * PAGE, 0600);
	char *base, *p;

	if (id < 0)
		return fail("shmget: %s", errname(errno));
	base = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || munmap(base, 4 * PAGE) != 0)
		return fail("mmap: %s", errname(errno));
	if (want_err("shmat(page + 1, 0)", (long)shmat(id, base + PAGE + 1, 0), EINVAL))
		return CHECK_FAIL;
	p = shmat(id, base + PAGE + 1, SHM_RND);
	if (p != base + PAGE)
		return fail("shmat(page + 1, SHM_RND) = %p (%s), want %p", (void *)p,
			    p == (char *)-1 ? errname(errno) : "0", (void *)(base + PAGE));
	if (want_err("shmdt(attach + 1)", shmdt(p + 1), EINVAL) ||
	    want_err("shmdt(attach + page), inside it", shmdt(p + PAGE), EINVAL) ||
	    want_err("shmdt(a static variable)", shmdt(&shmdt_static_target), EINVAL) ||
	    want_err("shmat(over the attach, 0)", (long)shmat(id, p, 0), EINVAL) ||
	    want_err("shmat(NULL, SHM_REMAP)", (long)shmat(id, NULL, SHM_REMAP), EINVAL) ||
	    want_eq("shmat(over the attach, SHM_REMAP)", (long)shmat(id, p, SHM_REMAP), (long)p) ||
	    want_nattch("after SHM_REMAP replaced the attach", id, 1, getpid()) ||
	    want_eq("shmdt(attach)", shmdt(p), 0) ||
	    want_err("shmdt(attach) again", shmdt(p), EINVAL) ||
	    want_err("shmat(id -1)", (long)shmat(-1, NULL, 0), EINVAL))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* IPC_RMID of an attached segment: it stays usable, IPC_STAT shows
 * SHM_DEST and key 0 (the key is free again), Linux still lets it be
 * attached by id; after the last shmdt the id is EINVAL. */
IPC_CHECK(check_shm_rmid)
{
	key_t key = key_for(1);
	struct shmid_ds ds;
	int id = new_shm(key, PAGE, IPC_CREAT | IPC_EXCL | 0600);
	char *p, *q;

	if (id < 0)
		return fail("shmget: %s", errname(errno));
	if ((p = shmat(id, NULL, 0)) == (char *)-1)
		return fail("shmat: %s", errname(errno));
	p[0] = 'a';
	if (want_eq("shmctl(IPC_RMID) while attached", rm_obj(KIND_SHM, id), 0) || shm_stat(id, &ds))
		return CHECK_FAIL;
	p[1] = 'b';
	if (!(ds.shm_perm.mode & SHM_DEST) || (ds.shm_perm.mode & 0777) != 0600 || ds.shm_perm.__key != IPC_PRIVATE ||
	    ds.shm_nattch != 1)
		return fail("after IPC_RMID: mode %#o key %#x nattch %lu, want SHM_DEST | 0600, 0, 1",
			    (unsigned)ds.shm_perm.mode, (unsigned)ds.shm_perm.__key, (unsigned long)ds.shm_nattch);
	if (want_err("shmget(its old key, 0)", shmget(key, PAGE, 0600), ENOENT))
		return CHECK_FAIL;
	if ((q = shmat(id, NULL, 0)) == (char *)-1)
		return fail("shmat of a removed but attached segment: %s", errname(errno));
	if (q[0] != 'a' || q[1] != 'b')
		return fail("a new attach reads \"%.2s\", want \"ab\"", q);
	if (want_nattch("two attaches after IPC_RMID", id, 2, getpid()) || want_eq("shmdt", shmdt(q), 0) ||
	    want_eq("shmdt", shmdt(p), 0) ||
	    want_err("shmctl(IPC_STAT) after the last shmdt", shmctl(id, IPC_STAT, &ds), EINVAL) ||
	    want_err("shmat after the last shmdt", (long)shmat(id, NULL, 0), EINVAL) ||
	    want_err("shmctl(IPC_RMID) again", shmctl(id, IPC_RMID, NULL), EINVAL))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* shmctl: a new segment's IPC_STAT (creator pid, nothing attached yet,
 * times), IPC_SET's nine mode bits (not SHM_DEST or SHM_LOCKED),
 * SHM_LOCK/SHM_UNLOCK as the SHM_LOCKED mode bit; EINVAL for a bad
 * command or id. */
IPC_CHECK(check_shmctl)
{
	key_t key = key_for(1);
	struct shmid_ds ds;
	time_t t0 = time(NULL);
	int id = new_shm(key, SEG_SIZE, IPC_CREAT | 0640);

	if (id < 0 || shm_stat(id, &ds))
		return fail("shmget or IPC_STAT: %s", errname(errno));
	if (want_perm("shm_perm", &ds.shm_perm, key, 0640) || want_time("shm_ctime", ds.shm_ctime, t0, time(NULL)))
		return CHECK_FAIL;
	if (ds.shm_segsz != SEG_SIZE || ds.shm_cpid != getpid() || ds.shm_lpid != 0 || ds.shm_nattch != 0 ||
	    ds.shm_atime != 0 || ds.shm_dtime != 0)
		return fail("new: segsz %zu cpid %d lpid %d nattch %lu atime %lld dtime %lld, want %d %d 0 0 0 0",
			    ds.shm_segsz, (int)ds.shm_cpid, (int)ds.shm_lpid, (unsigned long)ds.shm_nattch,
			    (long long)ds.shm_atime, (long long)ds.shm_dtime, SEG_SIZE, (int)getpid());
	ds.shm_perm.mode = 0604 | SHM_DEST | SHM_LOCKED | 04000;
	if (want_eq("shmctl(IPC_SET mode 0604 | SHM_DEST | SHM_LOCKED)", shmctl(id, IPC_SET, &ds), 0) ||
	    shm_stat(id, &ds))
		return CHECK_FAIL;
	if (ds.shm_perm.mode != 0604)
		return fail("mode after IPC_SET: %#o, want 0604", (unsigned)ds.shm_perm.mode);
	if (want_eq("shmctl(SHM_LOCK)", shmctl(id, SHM_LOCK, NULL), 0) || shm_stat(id, &ds))
		return CHECK_FAIL;
	if (ds.shm_perm.mode != (0604 | SHM_LOCKED))
		return fail("mode after SHM_LOCK: %#o, want %#o", (unsigned)ds.shm_perm.mode, 0604 | SHM_LOCKED);
	if (want_eq("shmctl(SHM_UNLOCK)", shmctl(id, SHM_UNLOCK, NULL), 0) || shm_stat(id, &ds))
		return CHECK_FAIL;
	if (ds.shm_perm.mode != 0604)
		return fail("mode after SHM_UNLOCK: %#o, want 0604", (unsigned)ds.shm_perm.mode);
	if (want_err("shmctl(cmd 99)", shmctl(id, 99, &ds), EINVAL) ||
	    want_err("shmctl(id -1, IPC_STAT)", shmctl(-1, IPC_STAT, &ds), EINVAL))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* IPC_INFO and SHM_INFO: the highest index; shminfo with /proc's shmmax,
 * shmall, shmmni and SHMMIN, SHMSEG (SHM_INFO: segments in use, pages
 * allocated and resident); SHM_STAT and SHM_STAT_ANY of the index. */
IPC_CHECK(check_shmctl_info)
{
	struct shminfo si;
	struct shm_info su;
	struct shmid_ds ds;
	unsigned long shmmax, shmall;
	long shmmni;
	int id = new_shm(IPC_PRIVATE, 3 * PAGE, 0600), max_idx, used_max, idx;
	char *p;

	if (id < 0 || (p = shmat(id, NULL, 0)) == (char *)-1)
		return fail("shmget or shmat: %s", errname(errno));
	p[0] = 1;
	if (read_ulong(SHMMAX_FILE, &shmmax) || read_ulong(SHMALL_FILE, &shmall) || read_long(SHMMNI_FILE, &shmmni))
		return fail("cannot read /proc/sys/kernel/shm{max,all,mni}");
	if ((max_idx = shmctl(0, IPC_INFO, (struct shmid_ds *)&si)) < 0)
		return fail("shmctl(IPC_INFO): %s", errname(errno));
	if (si.shmmax != shmmax || si.shmall != shmall || (long)si.shmmni != shmmni || si.shmmin != SHMMIN ||
	    si.shmseg != SHMSEG)
		return fail("IPC_INFO: shmmax %lu shmall %lu shmmni %lu shmmin %lu shmseg %lu, want %lu %lu %ld %d %d",
			    si.shmmax, si.shmall, si.shmmni, si.shmmin, si.shmseg, shmmax, shmall, shmmni, SHMMIN, SHMSEG);
	if ((used_max = shmctl(0, SHM_INFO, (struct shmid_ds *)&su)) < 0)
		return fail("shmctl(SHM_INFO): %s", errname(errno));
	if (su.used_ids < 1 || su.shm_tot < 3 || su.shm_rss < 1)
		return fail("SHM_INFO: used_ids %d shm_tot %lu shm_rss %lu, want >= 1, >= 3 pages, >= 1 page", su.used_ids,
			    su.shm_tot, su.shm_rss);
	idx = find_index(KIND_SHM, id, max_idx > used_max ? max_idx : used_max);
	if (idx < 0 || max_idx < idx)
		return fail("our segment's index %d (SHM_STAT), IPC_INFO returned %d", idx, max_idx);
	if (want_eq("shmctl(index, SHM_STAT_ANY)", shmctl(idx, SHM_STAT_ANY, &ds), id) ||
	    want_err("shmctl(INT_MAX, SHM_STAT)", shmctl(INT_MAX, SHM_STAT, &ds), EINVAL))
		return CHECK_FAIL;
	if (ds.shm_segsz != 3 * PAGE || ds.shm_nattch != 1)
		return fail("SHM_STAT_ANY: segsz %zu nattch %lu, want %d 1", ds.shm_segsz, (unsigned long)ds.shm_nattch,
			    3 * PAGE);
	remark("IPC_INFO %d, SHM_INFO %d, id %d at index %d; shmmin %lu shmseg %lu", max_idx, used_max, id, idx,
	       si.shmmin, si.shmseg);
	return CHECK_OK;
}

/* ---- another user, /proc ---- */

#define PERM_STEPS 16

struct perm_ids {
	key_t msq_key;
	int msq, msq_idx, sem, shm, shm_readable;
};

struct perm_result {
	long ret;
	int err;
};

/* What a user with no access gets; err 0: success. */
static const struct { const char *what; int err; } perm_steps[PERM_STEPS] = {
	{ "msgget(key, 0): nothing asked", 0 },
	{ "msgget(key, 0400)", EACCES },
	{ "msgsnd", EACCES },
	{ "msgrcv", EACCES },
	{ "msgctl(IPC_STAT)", EACCES },
	{ "msgctl(MSG_STAT)", EACCES },
	{ "msgctl(MSG_STAT_ANY)", 0 },
	{ "msgctl(IPC_INFO)", 0 },
	{ "msgctl(IPC_SET)", EPERM },
	{ "msgctl(IPC_RMID)", EPERM },
	{ "semop", EACCES },
	{ "semctl(GETVAL)", EACCES },
	{ "semctl(IPC_RMID)", EPERM },
	{ "shmat of a 0600 segment", EACCES },
	{ "shmat(SHM_RDONLY) of a 0604 segment", 0 },
	{ "shmat(0) of a 0604 segment", EACCES },
};

/* record: note call result RET (and errno) in *res. */
static void record(struct perm_result *res, long ret)
{
	res->ret = ret;
	res->err = ret == -1 ? errno : 0;
}

/* perm_calls: the perm_steps calls, in order, on the objects of O, into RES. */
static void perm_calls(const struct perm_ids *o, struct perm_result *res)
{
	struct msqid_ds ds;
	struct msginfo mi;
	struct ipc_msg m = { 1, "x" };

	memset(&ds, 0, sizeof(ds));
	record(res++, msgget(o->msq_key, 0));
	record(res++, msgget(o->msq_key, 0400));
	record(res++, msgsnd(o->msq, &m, 1, IPC_NOWAIT));
	record(res++, msgrcv(o->msq, &m, 1, 0, IPC_NOWAIT));
	record(res++, msgctl(o->msq, IPC_STAT, &ds));
	record(res++, msgctl(o->msq_idx, MSG_STAT, &ds));
	record(res++, msgctl(o->msq_idx, MSG_STAT_ANY, &ds));
	record(res++, msgctl(0, IPC_INFO, (struct msqid_ds *)&mi));
	record(res++, msgctl(o->msq, IPC_SET, &ds));
	record(res++, msgctl(o->msq, IPC_RMID, NULL));
	record(res++, sem_op1(o->sem, 0, 1, IPC_NOWAIT));
	record(res++, semctl(o->sem, 0, GETVAL));
	record(res++, semctl(o->sem, 0, IPC_RMID));
	record(res++, (long)shmat(o->shm, NULL, 0));
	record(res++, (long)shmat(o->shm_readable, NULL, SHM_RDONLY));
	record(res++, (long)shmat(o->shm_readable, NULL, 0));
}

/* Another user (65534, no capabilities) and 0600 objects of root's: EACCES
 * to use them, EPERM to change or remove them; msgget asking for nothing,
 * IPC_INFO and MSG_STAT_ANY need no access; a 0604 segment attaches
 * read-only. */
IPC_CHECK(check_ipc_perm)
{
	struct perm_ids o;
	struct perm_result *res;
	struct msqid_ds ds;
	pid_t pid;
	int max_idx, r;

	if (geteuid() != 0)
		return skip("not root: cannot make objects another user may not use");
	o.msq_key = key_for(1);
	o.msq = new_msq(o.msq_key, IPC_CREAT | 0600);
	o.sem = new_sem(IPC_PRIVATE, 1, 0600);
	o.shm = new_shm(IPC_PRIVATE, PAGE, 0600);
	o.shm_readable = new_shm(IPC_PRIVATE, PAGE, 0604);
	if (o.msq < 0 || o.sem < 0 || o.shm < 0 || o.shm_readable < 0 || send_text(o.msq, 1, "m", 0))
		return fail("making the objects: %s", errname(errno));
	if ((max_idx = msgctl(0, IPC_INFO, &ds)) < 0 || (o.msq_idx = find_index(KIND_MSG, o.msq, max_idx)) < 0)
		return fail("our queue's index: %s", errname(errno));
	res = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return fail("mmap: %s", errname(errno));
	if ((pid = fork_child()) == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(errno);
		perm_calls(&o, res);
		_exit(0);
	}
	r = want_child("the child as user 65534", pid, 0);
	for (int i = 0; i < PERM_STEPS && r == CHECK_OK; i++) {
		int e = perm_steps[i].err;

		if (e ? res[i].ret != -1 || res[i].err != e : res[i].ret == -1)
			r = fail("as user 65534, %s: %ld/%s, want %s", perm_steps[i].what, res[i].ret,
				 errname(res[i].err), e ? errname(e) : "success");
	}
	munmap(res, PAGE);
	return r;
}

/* The header lines exactly as Linux prints them, and the number of fields below each. */
#define MSG_HEADER "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid" \
		   "      stime      rtime      ctime"
#define SEM_HEADER "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime"
#define SHM_HEADER "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid" \
		   "      atime      dtime      ctime                   rss                  swap"
#define MSG_FIELDS 14
#define SEM_FIELDS 10
#define SHM_FIELDS 16
#define MAX_SYSVIPC_FIELDS SHM_FIELDS

/*
 * sysvipc_line: find in /proc/sysvipc/NAME, whose first line must be
 * HEADER, the line of object ID; its whitespace-separated fields go to
 * F (at most MAXF, pointing into LINE). Returns the number of fields;
 * -1 with c_why set.
 */
static int sysvipc_line(const char *name, const char *header, int id, char *line, size_t size, char **f, int maxf)
{
	char path[64];
	FILE *file;
	int n = -1;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", name);
	if (!(file = fopen(path, "r")))
		return fail("open %s: %s", path, errname(errno));
	if (!fgets(line, (int)size, file) || strcmp(strtok(line, "\n") ? line : "", header) != 0) {
		fclose(file);
		return fail("%s's header is \"%s\", want \"%s\"", path, line, header);
	}
	while (n < 0 && fgets(line, (int)size, file)) {
		int k = 0;

		for (char *t = strtok(line, " \n"); t && k < maxf; t = strtok(NULL, " \n"))
			f[k++] = t;
		if (k > 1 && atoi(f[1]) == id)
			n = k;
	}
	fclose(file);
	if (n < 0)
		return fail("no line for id %d in %s", id, path);
	return n;
}

/* want_fields: F[i] is WANT[i] for every WANT[i] not NULL; WHICH names the file. */
static int want_fields(const char *which, char **f, const char *const *want, int n)
{
	for (int i = 0; i < n; i++)
		if (want[i] && strcmp(f[i], want[i]) != 0)
			return fail("/proc/sysvipc/%s: field %d is \"%s\", want \"%s\"", which, i + 1, f[i], want[i]);
	return CHECK_OK;
}

/* want_sysvipc: /proc/sysvipc/NAME starts with HEADER and has a line of N
 * fields for object ID, field i being WANT[i] where that is not NULL. */
static int want_sysvipc(const char *name, const char *header, int id, const char *const *want, int n)
{
	char line[512], *f[MAX_SYSVIPC_FIELDS + 1];
	int got = sysvipc_line(name, header, id, line, sizeof(line), f, MAX_SYSVIPC_FIELDS + 1);

	if (got < 0)
		return CHECK_FAIL;
	if (got != n)
		return fail("/proc/sysvipc/%s: %d fields, want %d", name, got, n);
	return want_fields(name, f, want, n);
}

/* /proc/sysvipc/{msg,sem,shm}: Linux's header lines, and a line per object
 * with key (decimal), id, perms (octal) and each kind's counts, owners
 * and times (those that are still 0). */
IPC_CHECK(check_proc_sysvipc)
{
	char key[3][16], id[3][16], pid[16], uid[16], gid[16];
	int msq = new_msq(key_for(1), IPC_CREAT | 0640);
	int sem = new_sem(key_for(2), 4, IPC_CREAT | 0600);
	int shm = new_shm(key_for(3), SEG_SIZE, IPC_CREAT | 0604);
	/* msg: key id perms cbytes qnum lspid lrpid uid gid cuid cgid (stime rtime ctime) */
	const char *msg[MSG_FIELDS] = { key[0], id[0], "640", "7", "2", pid, "0", uid, gid, uid, gid, NULL, "0" };
	/* sem: key id perms nsems uid gid cuid cgid otime (ctime) */
	const char *sems[SEM_FIELDS] = { key[1], id[1], "600", "4", uid, gid, uid, gid, "0" };
	/* shm: key id perms size cpid lpid nattch uid gid cuid cgid atime dtime (ctime rss swap) */
	const char *shms[SHM_FIELDS] = { key[2], id[2], "604", "5000", pid, "0", "0", uid, gid, uid, gid, "0", "0" };

	if (msq < 0 || sem < 0 || shm < 0 || send_text(msq, 1, "abc", 0) || send_text(msq, 1, "defg", 0))
		return fail("making the objects: %s", errname(errno));
	for (int i = 0; i < 3; i++) {
		snprintf(key[i], sizeof(key[i]), "%d", (int)key_for(i + 1));
		snprintf(id[i], sizeof(id[i]), "%d", i == 0 ? msq : i == 1 ? sem : shm);
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(uid, sizeof(uid), "%u", geteuid());
	snprintf(gid, sizeof(gid), "%u", getegid());
	if (want_sysvipc("msg", MSG_HEADER, msq, msg, MSG_FIELDS) ||
	    want_sysvipc("sem", SEM_HEADER, sem, sems, SEM_FIELDS) ||
	    want_sysvipc("shm", SHM_HEADER, shm, shms, SHM_FIELDS))
		return CHECK_FAIL;
	return CHECK_OK;
}

/* make_one: a new object of KIND (IPC_PRIVATE), recorded; its id or -1. */
static int make_one(enum kind kind)
{
	return kind == KIND_MSG ? new_msq(IPC_PRIVATE, 0600)
		: kind == KIND_SEM ? new_sem(IPC_PRIVATE, 1, 0600) : new_shm(IPC_PRIVATE, PAGE, 0600);
}

/*
 * next_id_one: write an id to FILE (a *_next_id), make an object of KIND,
 * and require that id, with FILE reading -1 afterwards. In the shared
 * namespace a parallel program may write FILE too: its number read back,
 * or an id not ours, means another try (NEXT_ID_TRIES). CHECK_OK,
 * CHECK_SKIP without the file or the right to write it, CHECK_FAIL.
 */
static int next_id_one(const char *file, enum kind kind)
{
	char text[32];
	long after = 0;
	int want = 0, id = -1;

	if (access(file, F_OK) != 0)
		return skip("no %s (CONFIG_CHECKPOINT_RESTORE)", file);
	for (int t = 0; t < NEXT_ID_TRIES; t++) {
		want = NEXT_ID_BASE + (int)(getpid() % NEXT_ID_SPREAD) + t;
		snprintf(text, sizeof(text), "%d\n", want);
		if (write_file(file, text, 0644) != 0)
			return errno == EACCES || errno == EPERM ? skip("cannot write %s: %s", file, errname(errno))
								   : fail("write %s: %s", file, errname(errno));
		if ((id = make_one(kind)) < 0)
			return fail("creating after writing %d to %s: %s", want, file, errname(errno));
		if (read_long(file, &after) || after == want)
			return fail("%s reads %ld after the creation, want -1", file, after);
		if (id == want && after == -1)
			return CHECK_OK;
		rm_obj(kind, id);
	}
	return fail("wrote %d to %s, then got id %d and read %ld (%d tries)", want, file, id, after, NEXT_ID_TRIES);
}

/* /proc/sys/kernel/{msg,sem,shm}_next_id: the id of the next object made,
 * then back to -1. In an IPC namespace of its own when the check may make
 * one (Linux as root: no parallel program shares the files then); its
 * objects, gone with the namespace, are not recorded for main(), which
 * would remove ids of the shared namespace. */
IPC_CHECK(check_next_id)
{
	static const struct { const char *file; enum kind kind; } files[] = {
		{ "/proc/sys/kernel/msg_next_id", KIND_MSG },
		{ "/proc/sys/kernel/sem_next_id", KIND_SEM },
		{ "/proc/sys/kernel/shm_next_id", KIND_SHM },
	};
	int r;

	if (unshare(CLONE_NEWIPC) == 0) {
		remove_made();
		made = NULL;
		remark("in an IPC namespace of its own");
	}
	for (size_t i = 0; i < NELEMS(files); i++)
		if ((r = next_id_one(files[i].file, files[i].kind)) != CHECK_OK)
			return r;
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "msgget", check_msgget },
	{ "msg-select", check_msg_select },
	{ "msg-size", check_msg_size },
	{ "msg-nowait", check_msg_nowait },
	{ "msg-copy", check_msg_copy },
	{ "msg-stat", check_msg_stat },
	{ "msg-wake", check_msg_wake },
	{ "msg-eidrm", check_msg_eidrm },
	{ "msg-eintr", check_msg_eintr },
	{ "msgctl-set", check_msgctl_set },
	{ "msgctl-info", check_msgctl_info },
	{ "semget", check_semget },
	{ "semop", check_semop },
	{ "sem-wait", check_sem_wait },
	{ "sem-undo", check_sem_undo },
	{ "sem-undo-shared", check_sem_undo_shared },
	{ "semtimedop", check_semtimedop },
	{ "semctl", check_semctl },
	{ "semctl-info", check_semctl_info },
	{ "shmget", check_shmget },
	{ "shm-attach", check_shm_attach },
	{ "shm-rdonly", check_shm_rdonly },
	{ "shm-addr", check_shm_addr },
	{ "shm-rmid", check_shm_rmid },
	{ "shmctl", check_shmctl },
	{ "shmctl-info", check_shmctl_info },
	{ "ipc-perm", check_ipc_perm },
	{ "proc-sysvipc", check_proc_sysvipc },
	{ "next-id", check_next_id },
};

int main(int argc, char **argv)
{
	int r;

	made = mmap(NULL, sizeof(*made), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (made == MAP_FAILED) {
		printf("conform_ipc: mmap: %s\n", strerror(errno));
		return 1;
	}
	made->n = 0;
	c_isolate = 1;
	r = run_checks("conform_ipc", checks, NELEMS(checks), argc, argv);
	remove_made(); /* what a check process that died left */
	return r;
}
