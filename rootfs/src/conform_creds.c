// SPDX-License-Identifier: MIT
// User and group ids as Linux's: the set*id calls and their capability transitions, groups,
// file permission classes, ownership of new files, chown/chmod rules, kill's permission,
// set-user-ID exec, /proc/PID/status and /proc/PID's owner, CAP_MKNOD, the bounding set,
// the ambient set.
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * Every check runs in its own child (c_isolate), which starts as root
 * (uid 0, every capability: on Linux, run the list as root) and may
 * drop to USER: nothing it changes reaches the next check. gVisor's
 * exec_test (SUIDExecGainsUID, SGIDExecGainsGID) and the capability
 * cases of open_test, access_test and mkdir_test check the same.
 */
#define CAP_V3 0x20080522
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FSETID 4
#define CAP_KILL 5
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_SYS_RESOURCE 24
#define CAP_MKNOD 27
#define BIT(cap) (1ull << (cap))
#define USER 1000u          /* the unprivileged user the checks become */
#define OTHER 2000u         /* a second one */
#define GROUP 500u          /* a supplementary group */
#define NPROC_USER 54321u   /* a user with no other task (check_nproc_per_user) */
#define PROBE "--creds-probe" /* argv[1] of the set-user-ID copy of this program */
#define PROBE_SHARED "--creds-probe-shared" /* the same, exec'd sharing its cwd (CLONE_FS) */
#define PROBE_NOROOT "--creds-probe-noroot" /* exec'd by root under SECBIT_NOROOT */
#define PROBE_AMBIENT "--creds-probe-ambient" /* exec'd by USER with CAP_KILL ambient */
#define CHILD_WAIT_MS 5000

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static char work[64];       /* the scratch directory, mode 0777 */
static char self_path[256]; /* this program */

static int caps(uint64_t *eff, uint64_t *perm)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

static int drop_cap(int cap)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static int want_ids(const char *what, uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;

	if (getresuid(&a, &b, &c) != 0)
		return fail("%s: getresuid: %s", what, strerror(errno));
	if (a != r || b != e || c != s)
		return fail("%s: uids %u %u %u, want %u %u %u", what, a, b, c, r, e, s);
	return CHECK_OK;
}

/* A file path in the scratch directory. */
static const char *at(const char *name)
{
	static char buf[2][128];
	static int which;

	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", work, name);
	return buf[which];
}

static int make_file(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);

	if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) != 0 || chown(path, uid, gid) != 0 ||
	    chmod(path, mode) != 0)
		return fail("make %s: %s", path, strerror(errno));
	return CHECK_OK;
}

static int check_root(void)
{
	if (getuid() != 0 || geteuid() != 0)
		return skip("not run as root");
	return want_ids("start", 0, 0, 0);
}

/* setresuid to a user: all three ids, no capabilities left, no way back. */
static int check_setresuid_drop(void)
{
	uint64_t e, p;

	if (setresuid(USER, USER, USER) != 0)
		return fail("setresuid: %s", strerror(errno));
	if (want_ids("after", USER, USER, USER) || caps(&e, &p))
		return CHECK_FAIL;
	if (e || p)
		return fail("caps after dropping root: effective %#llx permitted %#llx",
			    (unsigned long long)e, (unsigned long long)p);
	if (getuid() != USER || geteuid() != USER)
		return fail("getuid %u geteuid %u", getuid(), geteuid());
	return want_err("setuid(0) as a user", setuid(0), EPERM) ||
	       want_err("setresuid(0) as a user", setresuid(0, -1, -1), EPERM) ||
	       want_eq("dumpable after the change", prctl(PR_GET_DUMPABLE), 0) ? CHECK_FAIL : 0;
}

/* PR_SET_KEEPCAPS keeps the permitted set; the effective one still goes. */
static int check_keepcaps(void)
{
	uint64_t e, p, e0, p0;

	if (caps(&e0, &p0) || prctl(PR_SET_KEEPCAPS, 1) != 0)
		return fail("keepcaps: %s", strerror(errno));
	if (want_eq("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS), 1) ||
	    want_ok("setresuid", setresuid(USER, USER, USER)) || caps(&e, &p))
		return CHECK_FAIL;
	if (e != 0 || p != p0)
		return fail("effective %#llx permitted %#llx, want 0 and %#llx", (unsigned long long)e,
			    (unsigned long long)p, (unsigned long long)p0);
	return CHECK_OK;
}

/* An effective uid leaving 0 clears the effective set; coming back restores it. */
static int check_euid_transition(void)
{
	uint64_t e, p, e0, p0;

	if (caps(&e0, &p0) || want_ok("seteuid(USER)", setresuid(-1, USER, -1)) || caps(&e, &p))
		return CHECK_FAIL;
	if (e != 0 || p != p0)
		return fail("euid USER: effective %#llx permitted %#llx", (unsigned long long)e,
			    (unsigned long long)p);
	if (want_ids("euid USER", 0, USER, 0) || want_ok("seteuid(0)", seteuid(0)) || caps(&e, &p))
		return CHECK_FAIL;
	if (e != p0)
		return fail("euid 0 again: effective %#llx, want %#llx", (unsigned long long)e,
			    (unsigned long long)p0);
	/* setreuid: a changed real uid makes the saved uid the effective one */
	return want_ok("setreuid", setreuid(USER, -1)) || want_ids("setreuid", USER, 0, 0) ? CHECK_FAIL : 0;
}

/* setfsuid: the file system capabilities leave with fsuid 0, others stay. */
static int check_fsuid(void)
{
	uint64_t e, p;

	if (make_file(at("f"), 0600, 0, 0))
		return CHECK_FAIL;
	if (want_eq("setfsuid(USER) returns the old", setfsuid(USER), 0) ||
	    want_eq("setfsuid(-1) returns the current", setfsuid(-1), USER) || caps(&e, &p))
		return CHECK_FAIL;
	if ((e & BIT(CAP_DAC_OVERRIDE)) || !(e & BIT(CAP_KILL)))
		return fail("fsuid USER: effective %#llx", (unsigned long long)e);
	int r = want_err("open a root 0600 file with fsuid USER", open(at("f"), O_RDONLY), EACCES);
	setfsuid(0);
	if (!r && (caps(&e, &p) || !(e & BIT(CAP_DAC_OVERRIDE))))
		r = fail("fsuid 0 again: no CAP_DAC_OVERRIDE");
	unlink(at("f"));
	return r;
}

/* The owner, group and other classes, with supplementary groups. */
static int check_permission_classes(void)
{
	gid_t g = GROUP;
	int r;

	if (make_file(at("own"), 0600, USER, 0) || make_file(at("grp"), 0640, 0, GROUP) ||
	    make_file(at("root"), 0600, 0, 0) || make_file(at("oth"), 0604, 0, 0))
		return CHECK_FAIL;
	r = want_ok("setgroups", setgroups(1, &g)) || want_ok("setresgid", setresgid(USER, USER, USER)) ||
	    want_ok("setresuid", setresuid(USER, USER, USER));
	if (!r) {
		int fd = -1;
		r = want_err("a root 0600 file", open(at("root"), O_RDONLY), EACCES) ||
		    want_err("access of it", access(at("root"), R_OK), EACCES) ||
		    want_ok("its own 0600 file", fd = open(at("own"), O_RDWR)) ||
		    want_ok("a group-readable file of its group", close(open(at("grp"), O_RDONLY))) ||
		    want_err("writing it", open(at("grp"), O_WRONLY), EACCES) ||
		    want_ok("an other-readable file", close(open(at("oth"), O_RDONLY)));
		if (fd >= 0)
			close(fd);
	}
	setresuid(0, 0, 0);
	unlink(at("own"));
	unlink(at("grp"));
	unlink(at("root"));
	unlink(at("oth"));
	return r ? CHECK_FAIL : 0;
}

/* access() asks with the real uid: a real user with effective root is refused. */
static int check_access_real(void)
{
	int r;

	if (make_file(at("f"), 0600, 0, 0))
		return CHECK_FAIL;
	r = want_ok("setresuid(USER, 0, 0)", setresuid(USER, 0, 0)) ||
	    want_err("access(R_OK)", access(at("f"), R_OK), EACCES) ||
	    want_ok("faccessat(AT_EACCESS)", faccessat(AT_FDCWD, at("f"), R_OK, AT_EACCESS)) ||
	    want_ok("open", close(open(at("f"), O_RDONLY)));
	unlink(at("f"));
	return r ? CHECK_FAIL : 0;
}

static int check_groups(void)
{
	gid_t set[3] = { 7, 3, 5 }, got[3] = { 0 };
	int r;

	r = want_ok("setgroups", setgroups(3, set)) || want_eq("getgroups(0)", getgroups(0, NULL), 3) ||
	    want_err("getgroups into 2", getgroups(2, got), EINVAL) ||
	    want_eq("getgroups", getgroups(3, got), 3) ||
	    want_err("setgroups(NGROUPS_MAX + 1)", setgroups(65537, set), EINVAL);
	if (r)
		return CHECK_FAIL;
	if (got[0] != 3 || got[1] != 5 || got[2] != 7) /* Linux keeps the list sorted */
		return fail("getgroups: %u %u %u", got[0], got[1], got[2]);
	if (want_ok("setresuid", setresuid(USER, USER, USER)))
		return CHECK_FAIL;
	return want_err("setgroups as a user", setgroups(1, set), EPERM) ? CHECK_FAIL : 0;
}

/* New files: the creator's fsuid and fsgid, or a set-group-ID directory's group. */
static int check_new_owner(void)
{
	struct stat st, sd;
	int r;

	if (mkdir(at("sgid"), 0777) || chown(at("sgid"), 0, GROUP) || chmod(at("sgid"), 02777))
		return fail("sgid dir: %s", strerror(errno));
	r = want_ok("setresgid", setresgid(USER, USER, USER)) ||
	    want_ok("setresuid", setresuid(USER, USER, USER)) ||
	    want_ok("create", close(open(at("mine"), O_CREAT | O_WRONLY, 0644))) ||
	    want_ok("stat", stat(at("mine"), &st)) ||
	    want_ok("create in sgid", close(open(at("sgid/f"), O_CREAT | O_WRONLY, 0644))) ||
	    want_ok("mkdir in sgid", mkdir(at("sgid/d"), 0755)) || want_ok("stat", stat(at("sgid/d"), &sd));
	if (!r && (st.st_uid != USER || st.st_gid != USER))
		r = fail("new file owned by %u:%u", st.st_uid, st.st_gid);
	if (!r && (stat(at("sgid/f"), &st) || st.st_gid != GROUP || st.st_uid != USER))
		r = fail("file in a set-group-ID directory: %u:%u", st.st_uid, st.st_gid);
	if (!r && (sd.st_gid != GROUP || !(sd.st_mode & S_ISGID)))
		r = fail("directory in a set-group-ID directory: gid %u mode %o", sd.st_gid, sd.st_mode);
	setresuid(0, 0, 0);
	unlink(at("mine"));
	unlink(at("sgid/f"));
	rmdir(at("sgid/d"));
	rmdir(at("sgid"));
	return r ? CHECK_FAIL : 0;
}

/* chown and chmod: CAP_CHOWN for another owner, the owner may pick one
 * of its groups, chmod by the owner only, set-id bits cleared by chown. */
static int check_chown_chmod(void)
{
	gid_t g = GROUP;
	struct stat st;
	int r;

	if (make_file(at("f"), 04755, 0, 0) || want_ok("chown by root", chown(at("f"), USER, 0)) ||
	    stat(at("f"), &st) || make_file(at("g"), 0644, 0, 0))
		return CHECK_FAIL;
	if (st.st_mode & S_ISUID)
		return fail("chown kept S_ISUID: mode %o", st.st_mode);
	r = want_ok("setgroups", setgroups(1, &g)) || want_ok("setresuid", setresuid(USER, USER, USER)) ||
	    want_err("give the file away", chown(at("f"), OTHER, -1), EPERM) ||
	    want_err("to a group not its own", chown(at("f"), -1, OTHER), EPERM) ||
	    want_ok("to its group", chown(at("f"), -1, GROUP)) ||
	    want_ok("chmod by the owner", chmod(at("f"), 0700));
	if (!r)
		r = want_err("chmod of root's file", chmod(at("g"), 0777), EPERM);
	unlink(at("f"));
	unlink(at("g"));
	return r ? CHECK_FAIL : 0;
}

/* A write without CAP_FSETID clears S_ISUID. */
static int check_write_clears_suid(void)
{
	struct stat st;
	int fd, r;

	if (make_file(at("f"), 04777, 0, 0) || want_ok("drop CAP_FSETID", drop_cap(CAP_FSETID)))
		return CHECK_FAIL;
	r = want_ok("open", fd = open(at("f"), O_WRONLY)) || want_eq("write", write(fd, "y", 1), 1) ||
	    want_ok("fstat", fstat(fd, &st));
	if (fd >= 0)
		close(fd);
	if (!r && (st.st_mode & S_ISUID))
		r = fail("mode %o after a write", st.st_mode);
	unlink(at("f"));
	return r ? CHECK_FAIL : 0;
}

/* kill: a user may not signal root's process (EPERM), but may signal its own. */
static int check_kill(void)
{
	pid_t root = fork();
	int r;

	if (root < 0)
		return fail("fork: %s", strerror(errno));
	if (root == 0) {
		pause();
		_exit(0);
	}
	pid_t user = fork();
	if (user == 0) {
		_exit(setresuid(USER, USER, USER) != 0 ? 10 : kill(root, 0) != -1 || errno != EPERM ? 11
		      : kill(root, SIGTERM) != -1 || errno != EPERM ? 12 : kill(getpid(), 0) != 0 ? 13 : 0);
	}
	r = user < 0 ? fail("fork: %s", strerror(errno)) : want_exit("the user's kills (10 setresuid, 11 "
								   "signal 0, 12 SIGTERM, 13 itself)", user, 0);
	kill(root, SIGKILL);
	waitpid(root, NULL, 0);
	return r;
}

/* prlimit64 on pid: read (old) or set (new) RLIMIT_NOFILE; the return value. */
static long prlimit_of(pid_t pid, const struct rlimit *new, struct rlimit *old)
{
	return syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, new, old);
}

/* A child that takes uid's ids and then waits for a signal; returned
 * once it has taken them (-1 if it could not). */
static pid_t paused_user(uid_t uid)
{
	int ready[2];
	char c;

	if (pipe(ready) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (setresuid(uid, uid, uid) != 0 || write(ready[1], "u", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

/* Root's prlimit64 on a user's process: allowed with CAP_SYS_RESOURCE
 * (Kestrel's root; a container's root may lack it), else EPERM. */
static int root_prlimit(pid_t user, int cap_sys_resource)
{
	struct rlimit lim;

	if (!cap_sys_resource)
		return want_err("root without CAP_SYS_RESOURCE reads a user's limit",
				prlimit_of(user, NULL, &lim), EPERM);
	return want_ok("root reads a user's limit", prlimit_of(user, NULL, &lim)) ||
	       want_ok("root sets a user's limit", prlimit_of(user, &lim, NULL)) ? CHECK_FAIL : CHECK_OK;
}

/* prlimit64 on another process, as Linux's check_prlimit_permission: a
 * user may neither read nor set root's limits (EPERM), but may those of
 * a process whose ids are all its own, and its own; root
 * (CAP_SYS_RESOURCE) may a user's. A process that does not exist is
 * ESRCH before anything else. */
static int check_prlimit(void)
{
	pid_t root = fork(), peer = -1, user = -1;
	struct rlimit lim;
	uint64_t eff, perm;
	int r;

	if (root == 0) {
		pause();
		_exit(0);
	}
	peer = paused_user(USER);
	if (root < 0 || peer < 0)
		r = fail("fork: %s", strerror(errno));
	else if (caps(&eff, &perm))
		r = fail("capget: %s", strerror(errno));
	else if (!(r = want_err("a pid no process has", prlimit_of(0x3fffffff, NULL, &lim), ESRCH)) &&
		 !(r = root_prlimit(peer, (eff & BIT(CAP_SYS_RESOURCE)) != 0))) {
		user = fork();
		if (user == 0) {
			struct rlimit l;
			_exit(setresuid(USER, USER, USER) != 0 ? 10
			      : prlimit_of(root, NULL, &l) != -1 || errno != EPERM ? 11
			      : prlimit_of(getpid(), NULL, &l) != 0 ? 12
			      : prlimit_of(root, &l, NULL) != -1 || errno != EPERM ? 13
			      : prlimit_of(peer, NULL, &l) != 0 ? 14
			      : prlimit_of(peer, &l, NULL) != 0 ? 15 : 0);
		}
		r = user < 0 ? fail("fork: %s", strerror(errno))
			     : want_exit("the user's prlimit64 calls (10 setresuid, 11 read root's, 12 "
					 "read its own, 13 set root's, 14 read a peer's, 15 set a peer's)",
					 user, 0);
	}
	if (root > 0)
		kill(root, SIGKILL), waitpid(root, NULL, 0);
	if (peer > 0)
		kill(peer, SIGKILL), waitpid(peer, NULL, 0);
	return r;
}

/* What the thread of check_thread_creds saw, and the pipe it waits on. */
struct cred_thread {
	long setresuid_ret;
	uid_t uid, euid;
	pid_t tid;
	int go[2];     /* the thread's tid is written to go[1]... */
	int done[2];   /* ...and it stays until done[1] is closed */
};

static void *cred_thread_main(void *arg)
{
	struct cred_thread *c = arg;
	char b;

	c->setresuid_ret = syscall(SYS_setresuid, USER, USER, USER); /* this thread only */
	c->uid = (uid_t)syscall(SYS_getuid);
	c->euid = (uid_t)syscall(SYS_geteuid);
	c->tid = (pid_t)syscall(SYS_gettid);
	if (write(c->go[1], "x", 1) != 1 || read(c->done[0], &b, 1) < 0)
		c->setresuid_ret = -2;
	return NULL;
}

/* capget's effective set of thread tid (Linux allows it of any thread). */
static int caps_of(pid_t tid, uint64_t *eff)
{
	struct cap_header h = { CAP_V3, tid };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	return 0;
}

/* Credentials are per thread, as Linux's task->cred: a raw setresuid in
 * one thread (not libc's setuid, which makes every thread call it)
 * leaves the others' ids and capabilities as they were. */
static int check_thread_creds(void)
{
	struct cred_thread c = { .setresuid_ret = -1 };
	pthread_t th;
	uint64_t mine = 0, its = 1;
	char b;
	int r;

	if (pipe(c.go) || pipe(c.done))
		return fail("pipe: %s", strerror(errno));
	if ((errno = pthread_create(&th, NULL, cred_thread_main, &c)))
		return fail("pthread_create: %s", strerror(errno));
	if (read(c.go[0], &b, 1) != 1)
		return fail("the thread did not report");
	r = want_eq("the thread's setresuid", c.setresuid_ret, 0) ||
	    want_eq("the thread's uid", c.uid, USER) || want_eq("the thread's euid", c.euid, USER) ||
	    want_ids("the other thread's", 0, 0, 0) || want_eq("getuid", getuid(), 0) ||
	    want_ok("capget of its own", caps_of(0, &mine)) ||
	    want_ok("capget of the thread", caps_of(c.tid, &its)) ||
	    want_eq("its own effective CAP_SETUID", (mine >> CAP_SETUID) & 1, 1) ||
	    want_eq("the thread's effective set", its, 0);
	close(c.done[1]);
	pthread_join(th, NULL);
	return r ? CHECK_FAIL : 0;
}

/* What the SIGUSR1 handler of the siginfo checks saw. */
static volatile sig_atomic_t got_code, got_pid, got_uid, got_value, got_count;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_uid = (sig_atomic_t)si->si_uid;
	got_value = si->si_value.sival_int;
	got_count++;
}

static int catch_usr1(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	got_count = 0;
	return sigaction(SIGUSR1, &sa, NULL);
}

/* A siginfo for rt_sigqueueinfo with code, uid and value. */
static siginfo_t queued(int code, uid_t uid, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = uid;
	si.si_value.sival_int = value;
	return si;
}

/* si_uid of a signal sent with kill is the sender's real uid. */
static int check_si_uid(void)
{
	if (catch_usr1() || setresuid(USER, 0, 0) != 0)
		return fail("sigaction or setresuid: %s", strerror(errno));
	if (kill(getpid(), SIGUSR1) != 0)
		return fail("kill: %s", strerror(errno));
	return want_eq("handler ran", got_count, 1) || want_eq("si_code", got_code, SI_USER) ||
	       want_eq("si_pid", got_pid, getpid()) || want_eq("si_uid (the real uid)", got_uid, USER)
	       ? CHECK_FAIL : 0;
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the caller's si_code, si_uid and
 * si_value reach the handler; si_code >= 0 or SI_TKILL only to oneself. */
static int check_sigqueue(void)
{
	siginfo_t si = queued(SI_QUEUE, 1234, 42), user = queued(SI_USER, 0, 0);
	siginfo_t tkill = queued(SI_TKILL, 0, 0);
	pid_t child;
	int r;

	if (catch_usr1())
		return fail("sigaction: %s", strerror(errno));
	r = want_ok("rt_sigqueueinfo to itself", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si)) ||
	    want_eq("handler ran", got_count, 1) || want_eq("si_code", got_code, SI_QUEUE) ||
	    want_eq("si_uid", got_uid, 1234) || want_eq("si_value", got_value, 42) ||
	    want_ok("SI_USER to itself", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &user)) ||
	    want_ok("rt_tgsigqueueinfo to itself",
		    syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGUSR1, &si)) ||
	    want_eq("handler ran again", got_count, 3);
	if (r)
		return CHECK_FAIL;
	if ((child = fork()) == 0) {
		pause();
		_exit(0);
	}
	if (child < 0)
		return fail("fork: %s", strerror(errno));
	errno = 0;
	r = want_err("SI_USER to another", syscall(SYS_rt_sigqueueinfo, child, 0, &user), EPERM) ||
	    want_err("SI_TKILL to another", syscall(SYS_rt_sigqueueinfo, child, 0, &tkill), EPERM) ||
	    want_err("tg SI_USER to another", syscall(SYS_rt_tgsigqueueinfo, child, child, 0, &user),
		     EPERM) ||
	    want_ok("SI_QUEUE to another", syscall(SYS_rt_sigqueueinfo, child, 0, &si)) ||
	    want_err("tgid 0", syscall(SYS_rt_tgsigqueueinfo, 0, child, 0, &si), EINVAL) ||
	    want_err("bad siginfo", syscall(SYS_rt_sigqueueinfo, child, 0, (void *)8), EFAULT);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return r ? CHECK_FAIL : 0;
}

/* linkat(fd, "", ..., AT_EMPTY_PATH) as Linux 6.10: with
 * CAP_DAC_READ_SEARCH, or for a file opened with the caller's very
 * credentials (not before a capset, not by another process); else ENOENT.
 * A path from AT_FDCWD or an absolute one skips the rule. */
static int check_linkat_empty(void)
{
	int old = open(at("le-src"), O_CREAT | O_RDWR, 0644), now = -1;
	pid_t child;
	int r;

	if (old < 0)
		return fail("open: %s", strerror(errno));
	r = want_ok("with the capability", linkat(old, "", AT_FDCWD, at("le-1"), AT_EMPTY_PATH)) ||
	    want_err("an empty path without AT_EMPTY_PATH", linkat(old, "", AT_FDCWD, at("le-x"), 0),
		     ENOENT) ||
	    want_ok("drop CAP_DAC_READ_SEARCH", drop_cap(CAP_DAC_READ_SEARCH)) ||
	    want_err("opened with the old credentials",
		     linkat(old, "", AT_FDCWD, at("le-2"), AT_EMPTY_PATH), ENOENT) ||
	    want_ok("open again", now = open(at("le-src"), O_RDONLY)) ||
	    want_ok("opened with the same credentials",
		    linkat(now, "", AT_FDCWD, at("le-3"), AT_EMPTY_PATH)) ||
	    want_ok("an absolute path", linkat(old, at("le-src"), AT_FDCWD, at("le-4"), AT_EMPTY_PATH));
	if (r)
		return CHECK_FAIL;
	if ((child = fork()) == 0)
		_exit(linkat(now, "", AT_FDCWD, at("le-5"), AT_EMPTY_PATH) == -1 && errno == ENOENT ? 0 : 1);
	r = child < 0 ? fail("fork: %s", strerror(errno))
		      : want_exit("another process's link (1: not ENOENT)", child, 0);
	for (const char *n = "12345"; *n; n++) {
		char name[8] = "le-";
		name[3] = *n;
		unlink(at(name));
	}
	unlink(at("le-src"));
	close(old);
	close(now);
	return r;
}

/* RLIMIT_NPROC counts the tasks of the caller's real uid (not every
 * task): a user alone with a limit of 2 may fork once, not twice. */
static int check_nproc_per_user(void)
{
	struct rlimit two = { 2, 2 };
	int block[2];
	pid_t first, second;
	int r;

	if (pipe(block) || setrlimit(RLIMIT_NPROC, &two) ||
	    setresuid(NPROC_USER, NPROC_USER, NPROC_USER))
		return fail("pipe, setrlimit or setresuid: %s", strerror(errno));
	if ((first = fork()) == 0) {
		char b;
		close(block[1]);
		_exit(read(block[0], &b, 1) == 0 ? 0 : 1);
	}
	if ((second = fork()) == 0)
		_exit(0);
	r = want_ok("the first fork", first) ||
	    want_err("the second fork", second, EAGAIN);
	close(block[1]);
	if (first > 0)
		waitpid(first, NULL, 0);
	if (second > 0)
		waitpid(second, NULL, 0);
	return r ? CHECK_FAIL : 0;
}

/* at("suid"): a set-user-ID copy of this program owned by USER. */
static int make_suid_copy(void)
{
	int in = open(self_path, O_RDONLY), out = open(at("suid"), O_CREAT | O_TRUNC | O_WRONLY, 0700);
	char buf[4096];
	long n;

	if (in < 0 || out < 0)
		return fail("copy: %s", strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return fail("copy: %s", strerror(errno));
	close(in);
	close(out);
	if (chown(at("suid"), USER, USER) || chmod(at("suid"), 04755))
		return fail("chmod: %s", strerror(errno));
	return CHECK_OK;
}

/* exec of a set-user-ID copy of this program owned by USER, from OTHER. */
static int check_suid_exec(void)
{
	if (make_suid_copy())
		return CHECK_FAIL;
	pid_t pid = fork();
	if (pid == 0) {
		if (setresuid(OTHER, OTHER, OTHER) != 0)
			_exit(90);
		execl(at("suid"), "suid", PROBE, (char *)NULL);
		_exit(91);
	}
	int r = want_exit("the set-user-ID program", pid, 0);
	unlink(at("suid"));
	return r;
}

/* CLONE_FS children: chdir and umask (as_child 1) in the parent too;
 * 2: drop to OTHER and exec the set-user-ID copy. */
static char clone_stack[65536] __attribute__((aligned(16)));

static int clone_fs_child(void *arg)
{
	int what = *(int *)arg;

	if (what == 1)
		_exit(chdir(work) == 0 && umask(077) == 022 ? 0 : 1);
	if (setresuid(OTHER, OTHER, OTHER) != 0)
		_exit(90);
	execl(at("suid"), "suid", PROBE_SHARED, (char *)NULL);
	_exit(91);
}

static pid_t clone_fs(int *what, int flags)
{
	return clone(clone_fs_child, clone_stack + sizeof(clone_stack), flags | SIGCHLD, what);
}

/* CLONE_FS shares the working directory and umask (without it the child
 * has its own), and a set-user-ID exec by a process sharing them with
 * another gains nothing (Linux's LSM_UNSAFE_SHARE; gVisor's exec_test
 * SUIDExecDoesntGainUIDWithSharedFSContext). */
static int check_clone_fs(void)
{
	char cwd[256];
	int chdir_umask = 1, exec_suid = 2;
	int r;

	umask(022);
	if (chdir("/") || make_suid_copy())
		return fail("chdir / or the copy: %s", strerror(errno));
	r = want_exit("the child without CLONE_FS", clone_fs(&chdir_umask, 0), 0) ||
	    want_ok("getcwd", getcwd(cwd, sizeof(cwd)) ? 0 : -1) ||
	    want_eq("cwd after the child's own chdir", strcmp(cwd, "/"), 0) ||
	    want_eq("umask after the child's own", umask(022), 022) ||
	    want_exit("the CLONE_FS child", clone_fs(&chdir_umask, CLONE_FS), 0) ||
	    want_ok("getcwd", getcwd(cwd, sizeof(cwd)) ? 0 : -1) ||
	    want_eq("cwd after the CLONE_FS child's chdir", strcmp(cwd, work), 0) ||
	    want_eq("umask after the CLONE_FS child's", umask(022), 077) ||
	    want_exit("the shared set-user-ID exec (3: euid gained)", clone_fs(&exec_suid, CLONE_FS), 0);
	chdir("/");
	unlink(at("suid"));
	return r ? CHECK_FAIL : 0;
}

/* The set-user-ID copy exec'd by a CLONE_FS child: nothing gained, yet
 * AT_SECURE (Linux decides it before taking the gain back) and dumpable. */
static int probe_shared(void)
{
	if (getuid() != OTHER)
		return 2;
	if (geteuid() != OTHER)
		return 3;
	if (getauxval(AT_SECURE) != 1)
		return 4;
	if (prctl(PR_GET_DUMPABLE) != 1)
		return 5;
	return 0;
}

/* The set-user-ID copy: real OTHER, effective USER, AT_SECURE, not dumpable. */
static int probe(void)
{
	if (getuid() != OTHER)
		return 2;
	if (geteuid() != USER)
		return 3;
	if (getauxval(AT_SECURE) != 1)
		return 4;
	if (prctl(PR_GET_DUMPABLE) != 0)
		return 5;
	return 0;
}

/* /proc/self/status shows the four ids; /proc/PID belongs to the euid. */
static int check_proc(void)
{
	char buf[4096], want[64];
	struct stat st;
	int fd, r;
	long n;

	if (want_ok("setresgid", setresgid(USER, USER + 1, USER + 2)) ||
	    want_ok("setresuid", setresuid(USER, USER + 1, USER + 2)) ||
	    want_eq("setfsuid", setfsuid(USER + 2), USER + 1) ||
	    want_ok("PR_SET_DUMPABLE", prctl(PR_SET_DUMPABLE, 1)))
		return CHECK_FAIL;
	if ((fd = open("/proc/self/status", O_RDONLY)) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return fail("/proc/self/status: %s", strerror(errno));
	close(fd);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "\nUid:\t%u\t%u\t%u\t%u\n", USER, USER + 1, USER + 2, USER + 2);
	if (!strstr(buf, want))
		return fail("no '%s' line in status", want + 1);
	snprintf(want, sizeof(want), "\nGid:\t%u\t%u\t%u\t%u\n", USER, USER + 1, USER + 2, USER + 1);
	if (!strstr(buf, want))
		return fail("no '%s' line in status", want + 1);
	snprintf(want, sizeof(want), "/proc/%d", (int)getpid());
	r = want_ok("stat /proc/PID", stat(want, &st));
	if (!r && (st.st_uid != USER + 1 || st.st_gid != USER + 1))
		r = fail("/proc/PID owned by %u:%u", st.st_uid, st.st_gid);
	return r;
}

/* A sticky directory: only the file's owner (or the directory's) removes or renames it. */
static int sticky_as_user(void)
{
	return want_ok("setresuid", setresuid(USER, USER, USER)) ||
	       want_err("unlink root's file", unlink(at("t/root")), EPERM) ||
	       want_err("rename root's file", rename(at("t/root"), at("t/x")), EPERM) ||
	       want_ok("create its own", close(open(at("t/mine"), O_CREAT | O_WRONLY, 0600))) ||
	       want_err("rename over root's file", rename(at("t/mine"), at("t/root")), EPERM) ||
	       want_ok("unlink its own", unlink(at("t/mine")));
}

static int check_sticky(void)
{
	int r;

	if (mkdir(at("t"), 0777) || chmod(at("t"), 01777) || make_file(at("t/root"), 0666, 0, 0))
		return fail("sticky dir: %s", strerror(errno));
	pid_t pid = fork(); /* the user's part, so that root cleans up */
	if (pid == 0) {
		if (sticky_as_user()) {
			printf("conform_creds: sticky: %s\n", c_why);
			_exit(1);
		}
		_exit(0);
	}
	r = want_exit("the user's part", pid, 0);
	unlink(at("t/mine"));
	unlink(at("t/root"));
	rmdir(at("t"));
	return r;
}

/* utimensat: "now" needs write permission, chosen times the owner. */
static int check_utimes(void)
{
	struct timespec t[2] = { { 1, 0 }, { 2, 0 } };
	int r;

	if (make_file(at("w"), 0666, 0, 0) || make_file(at("r"), 0644, 0, 0))
		return CHECK_FAIL;
	r = want_ok("setresuid", setresuid(USER, USER, USER)) ||
	    want_ok("touch a writable file", utimensat(AT_FDCWD, at("w"), NULL, 0)) ||
	    want_err("chosen times on it", utimensat(AT_FDCWD, at("w"), t, 0), EPERM) ||
	    want_err("touch a read-only file", utimensat(AT_FDCWD, at("r"), NULL, 0), EACCES);
	unlink(at("w"));
	unlink(at("r"));
	return r ? CHECK_FAIL : 0;
}

/* truncate(2) takes write permission on the file (LTP's truncate03):
 * root's DAC override passes, a user without w is EACCES even as the
 * owner; a negative length is EINVAL before the path is looked at. */
static int check_truncate_perm(void)
{
	int r;

	if (make_file(at("ro"), 0444, USER, USER))
		return CHECK_FAIL;
	r = want_ok("root truncates a 0444 file", truncate(at("ro"), 1)) ||
	    want_err("a negative length of a missing file", truncate(at("none"), -1), EINVAL) ||
	    want_ok("setresuid", setresuid(USER, USER, USER)) ||
	    want_err("the owner truncates its 0444 file", truncate(at("ro"), 0), EACCES);
	setresuid(0, 0, 0);
	unlink(at("ro"));
	return r ? CHECK_FAIL : 0;
}

/* O_NOATIME is for the file's owner or CAP_FOWNER, by open and by
 * F_SETFL alike: EPERM for a user on root's file (LTP's open02). */
static int check_noatime(void)
{
	int r, fd;

	if (make_file(at("root"), 0644, 0, 0))
		return CHECK_FAIL;
	r = want_ok("setresuid", setresuid(USER, USER, USER)) ||
	    want_err("open O_NOATIME of root's file", open(at("root"), O_RDONLY | O_NOATIME), EPERM) ||
	    want_ok("create its own", close(open(at("mine"), O_CREAT | O_WRONLY, 0600))) ||
	    want_ok("open O_NOATIME of its own", close(open(at("mine"), O_RDONLY | O_NOATIME)));
	if (!r && (fd = open(at("root"), O_RDONLY)) >= 0) {
		r = want_err("F_SETFL O_NOATIME on root's file", fcntl(fd, F_SETFL, O_NOATIME), EPERM);
		close(fd);
	}
	unlink(at("mine"));
	unlink(at("root"));
	return r ? CHECK_FAIL : 0;
}

/* creat of a new file keeps the S_ISGID it asks for when the creator
 * is in the file's group (LTP's creat08): a new file is not truncated;
 * creat of it again truncates it, which takes S_ISGID (with group
 * execute) from a writer without CAP_FSETID. */
static int check_creat_sgid(void)
{
	struct stat st;
	int r = want_ok("setresgid", setresgid(GROUP, GROUP, GROUP)) ||
		want_ok("setresuid", setresuid(USER, USER, USER));

	for (int again = 0; !r && again < 2; again++) {
		int fd = creat(at("sgid"), 02777);
		if (fd < 0 || fstat(fd, &st))
			r = fail("creat: %s", errname(errno));
		else if (!again && (!(st.st_mode & S_ISGID) || st.st_gid != GROUP))
			r = fail("the new file: mode %o group %u, want S_ISGID and %u", st.st_mode,
				 st.st_gid, GROUP);
		else if (again && (st.st_mode & S_ISGID))
			r = fail("truncated by creat: mode %o, want S_ISGID gone", st.st_mode);
		if (fd >= 0)
			close(fd);
	}
	unlink(at("sgid"));
	setresuid(0, 0, 0);
	setresgid(0, 0, 0);
	return r ? CHECK_FAIL : 0;
}

/* Writes a shell script that exits with 7 at path, owned by root, with mode. */
static int make_script(const char *path, mode_t mode)
{
	static const char text[] = "#!/bin/sh\nexit 7\n";
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);

	if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1) ||
	    close(fd) || chmod(path, mode))
		return fail("make %s: %s", path, strerror(errno));
	return CHECK_OK;
}

/* execve needs execute permission for the caller's class (LTP's
 * execve02): a user is refused root's 0700 program with EACCES even
 * with the real uid still root, and runs a 0755 one. */
static int check_exec_perm(void)
{
	char *argv[] = { "script", NULL };

	if (make_script(at("x700"), 0700) || make_script(at("x755"), 0755))
		return CHECK_FAIL;
	pid_t pid = fork();
	if (pid == 0) {
		if (setresuid(0, USER, 0))
			_exit(2);
		execve(at("x700"), argv, environ);
		if (errno != EACCES)
			_exit(3);
		execve(at("x755"), argv, environ);
		_exit(4);
	}
	int r = want_exit("the user's execs (7: the 0755 one ran)", pid, 7);
	unlink(at("x700"));
	unlink(at("x755"));
	return r;
}

/* The bits of /proc/self/status's line NAME ("CapBnd"), or 0. */
static uint64_t status_hex(const char *name)
{
	char line[128], fmt[32];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	snprintf(fmt, sizeof(fmt), "%s: %%llx", name);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* The bounding set: PR_CAPBSET_READ and DROP (CAP_SETPCAP, EINVAL past the
 * last capability), /proc's CapBnd, and capset refusing an inheritable
 * capability outside it even with CAP_SETPCAP (LTP's capset02). */
static int check_bounding_set(void)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (want_eq("PR_CAPBSET_READ(CAP_KILL)", prctl(PR_CAPBSET_READ, CAP_KILL), 1) ||
	    want_err("PR_CAPBSET_READ(64)", prctl(PR_CAPBSET_READ, 64), EINVAL) ||
	    want_err("PR_CAPBSET_DROP(64)", prctl(PR_CAPBSET_DROP, 64), EINVAL) ||
	    want_ok("PR_CAPBSET_DROP(CAP_KILL)", prctl(PR_CAPBSET_DROP, CAP_KILL)) ||
	    want_eq("PR_CAPBSET_READ(CAP_KILL) after", prctl(PR_CAPBSET_READ, CAP_KILL), 0) ||
	    want_eq("CapBnd without CAP_KILL", (status_hex("CapBnd") & BIT(CAP_KILL)) == 0, 1) ||
	    want_eq("CapEff with CAP_KILL", (status_hex("CapEff") & BIT(CAP_KILL)) != 0, 1))
		return CHECK_FAIL;
	if (syscall(SYS_capget, &h, d))
		return fail("capget: %s", strerror(errno));
	d[0].inheritable |= 1u << CAP_KILL;
	if (want_err("capset of CAP_KILL inheritable", (int)syscall(SYS_capset, &h, d), EPERM) ||
	    want_ok("setresuid", setresuid(USER, USER, USER)))
		return CHECK_FAIL;
	return want_err("PR_CAPBSET_DROP as a user", prctl(PR_CAPBSET_DROP, CAP_CHOWN), EPERM) ? CHECK_FAIL : 0;
}

/* mknod: a device node takes CAP_MKNOD (EPERM without it, after EEXIST);
 * a FIFO or a socket anyone may make. */
static int check_mknod_cap(void)
{
	int r;

	if (want_ok("root makes a character node", mknod(at("c"), S_IFCHR | 0600, makedev(1, 3))) ||
	    want_ok("unlink it", unlink(at("c"))) || make_file(at("f"), 0644, 0, 0))
		return CHECK_FAIL;
	r = want_ok("drop CAP_MKNOD", drop_cap(CAP_MKNOD)) ||
	    want_err("a character node without it", mknod(at("c"), S_IFCHR | 0600, makedev(1, 3)), EPERM) ||
	    want_ok("setresuid", setresuid(USER, USER, USER)) ||
	    want_err("a block node as a user", mknod(at("b"), S_IFBLK | 0600, makedev(7, 0)), EPERM) ||
	    want_err("a node over a file", mknod(at("f"), S_IFCHR | 0600, makedev(1, 3)), EEXIST) ||
	    want_ok("a FIFO as a user", mknod(at("p"), S_IFIFO | 0600, 0)) ||
	    want_ok("a socket as a user", mknod(at("s"), S_IFSOCK | 0600, 0));
	unlink(at("p"));
	unlink(at("s"));
	unlink(at("f"));
	return r ? CHECK_FAIL : 0;
}

#ifndef PR_GET_SECUREBITS
#define PR_GET_SECUREBITS 27
#define PR_SET_SECUREBITS 28
#endif
#define SB_NOROOT          0x01u
#define SB_NO_SETUID_FIXUP 0x04u
#define SB_KEEP_CAPS       0x10u
#define SB_KEEP_CAPS_LOCK  0x20u

/* The exec'd copy under SECBIT_NOROOT: root, and no capabilities. */
static int probe_noroot(void)
{
	if (getuid() != 0 || geteuid() != 0)
		return 2;
	return status_hex("CapEff") == 0 && status_hex("CapPrm") == 0 ? 0 : 3;
}

/* securebits (LTP's prctl02): PR_SET_SECUREBITS needs CAP_SETPCAP and
 * refuses undefined bits, changing a locked bit and unlocking (EPERM);
 * KEEP_CAPS is PR_GET_KEEPCAPS, its lock makes PR_SET_KEEPCAPS EPERM;
 * NO_SETUID_FIXUP keeps the capabilities across a change of uid;
 * NOROOT gives root no capabilities at exec. */
static int check_securebits(void)
{
	pid_t pid = fork();

	if (pid == 0) /* a user without CAP_SETPCAP */
		_exit(setresuid(USER, USER, USER) ? 2 : prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) != -1 ? 3 :
		      errno == EPERM ? 0 : 4);
	if (want_exit("PR_SET_SECUREBITS without CAP_SETPCAP (0: EPERM)", pid, 0))
		return CHECK_FAIL;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "t-conform_creds", PROBE_NOROOT, NULL };
		if (prctl(PR_SET_SECUREBITS, SB_NOROOT, 0, 0, 0))
			_exit(5);
		execv(self_path, argv);
		_exit(6);
	}
	if (want_exit("a root exec under SECBIT_NOROOT (0: no capabilities)", pid, 0))
		return CHECK_FAIL;
	int r = want_eq("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0) ||
		want_err("an undefined bit", prctl(PR_SET_SECUREBITS, 0x10000, 0, 0, 0), EPERM) ||
		want_eq("KEEP_CAPS", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS, 0, 0, 0), 0) ||
		want_eq("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1) ||
		want_eq("KEEP_CAPS locked", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS | SB_KEEP_CAPS_LOCK, 0, 0, 0), 0) ||
		want_err("PR_SET_KEEPCAPS 0 under the lock", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), EPERM) ||
		want_err("unlocking", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS, 0, 0, 0), EPERM) ||
		want_err("a locked bit changed", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS_LOCK, 0, 0, 0), EPERM) ||
		want_eq("NO_SETUID_FIXUP", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS | SB_KEEP_CAPS_LOCK |
						 SB_NO_SETUID_FIXUP, 0, 0, 0), 0) ||
		want_ok("setresuid(USER)", setresuid(USER, USER, USER));
	if (!r && (status_hex("CapEff") & BIT(CAP_SETPCAP)) == 0)
		r = fail("CapEff lost CAP_SETPCAP at a change of uid under NO_SETUID_FIXUP");
	return r ? CHECK_FAIL : CHECK_OK;
}

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define SB_NO_CAP_AMBIENT_RAISE 0x40u

/* The exec'd copy with CAP_KILL ambient, as USER: CAP_KILL alone permitted,
 * effective and ambient (a program without set-id bits). */
static int probe_ambient(void)
{
	if (getuid() != USER || geteuid() != USER)
		return 2;
	if (status_hex("CapAmb") != BIT(CAP_KILL))
		return 3;
	return status_hex("CapPrm") == BIT(CAP_KILL) && status_hex("CapEff") == BIT(CAP_KILL) ? 0 : 4;
}

/* Add cap to the inheritable set (or take it out). */
static int set_inheritable(int cap, int on)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	if (on)
		d[cap / 32].inheritable |= 1u << (cap % 32);
	else
		d[cap / 32].inheritable &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static long ambient(int op, unsigned long cap)
{
	return prctl(PR_CAP_AMBIENT, op, cap, 0, 0);
}

/* A user keeping CAP_KILL (KEEP_CAPS) raises it ambient (leaving root
 * cleared the ambient set) and execs this program. */
static int ambient_exec_as_user(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "t-conform_creds", PROBE_AMBIENT, NULL };
		if (set_inheritable(CAP_KILL, 1) || ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL) ||
		    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setresuid(USER, USER, USER))
			_exit(5);
		if (ambient(PR_CAP_AMBIENT_IS_SET, CAP_KILL) != 0)
			_exit(7); /* leaving root kept it */
		if (ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL))
			_exit(8);
		execv(self_path, argv);
		_exit(6);
	}
	return want_exit("a user's exec with CAP_KILL ambient (0: it is permitted and effective)", pid, 0);
}

/* The ambient set (LTP's prctl07): PR_CAP_AMBIENT's argument checks
 * (EINVAL), RAISE only of a permitted and inheritable capability and not
 * under SECBIT_NO_CAP_AMBIENT_RAISE (EPERM), IS_SET, LOWER, CLEAR_ALL,
 * /proc's CapAmb; capset taking a capability out of the inheritable set
 * takes it out of the ambient set, and so does leaving root, even with
 * KEEP_CAPS; an exec by a user makes the ambient set permitted and
 * effective. */
static int check_ambient(void)
{
	if (want_ok("CLEAR_ALL", (int)ambient(PR_CAP_AMBIENT_CLEAR_ALL, 0)) ||
	    want_err("CLEAR_ALL with a capability", (int)ambient(PR_CAP_AMBIENT_CLEAR_ALL, 1), EINVAL) ||
	    want_err("IS_SET of capability 64", (int)ambient(PR_CAP_AMBIENT_IS_SET, 64), EINVAL) ||
	    want_err("op 5", (int)ambient(5, CAP_KILL), EINVAL) ||
	    want_err("RAISE with arg4", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 1, 0), EINVAL) ||
	    want_err("RAISE of a non-inheritable one", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL), EPERM) ||
	    want_eq("CapAmb at the start", status_hex("CapAmb") == 0, 1) ||
	    want_ok("CAP_KILL and CAP_CHOWN inheritable", set_inheritable(CAP_KILL, 1) | set_inheritable(CAP_CHOWN, 1)) ||
	    want_ok("NO_CAP_AMBIENT_RAISE", prctl(PR_SET_SECUREBITS, SB_NO_CAP_AMBIENT_RAISE, 0, 0, 0)) ||
	    want_err("RAISE under it", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL), EPERM) ||
	    want_ok("securebits 0", prctl(PR_SET_SECUREBITS, 0, 0, 0, 0)) ||
	    want_ok("RAISE(CAP_KILL)", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL)) ||
	    want_ok("RAISE(CAP_KILL) twice", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL)) ||
	    want_ok("RAISE(CAP_CHOWN)", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_CHOWN)) ||
	    want_eq("IS_SET(CAP_KILL)", (int)ambient(PR_CAP_AMBIENT_IS_SET, CAP_KILL), 1) ||
	    want_eq("IS_SET(CAP_SETUID)", (int)ambient(PR_CAP_AMBIENT_IS_SET, CAP_SETUID), 0) ||
	    want_eq("CapAmb", status_hex("CapAmb") == (BIT(CAP_KILL) | BIT(CAP_CHOWN)), 1) ||
	    want_ok("LOWER(CAP_SETUID), not in it", (int)ambient(PR_CAP_AMBIENT_LOWER, CAP_SETUID)) ||
	    want_ok("CAP_CHOWN out of the inheritable set", set_inheritable(CAP_CHOWN, 0)) ||
	    want_eq("CapAmb after", status_hex("CapAmb") == BIT(CAP_KILL), 1) ||
	    want_ok("LOWER(CAP_KILL)", (int)ambient(PR_CAP_AMBIENT_LOWER, CAP_KILL)) ||
	    want_eq("IS_SET(CAP_KILL) after LOWER", (int)ambient(PR_CAP_AMBIENT_IS_SET, CAP_KILL), 0) ||
	    want_ok("RAISE(CAP_KILL) again", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL)) ||
	    want_ok("CLEAR_ALL", (int)ambient(PR_CAP_AMBIENT_CLEAR_ALL, 0)) ||
	    want_eq("CapAmb after CLEAR_ALL", status_hex("CapAmb") == 0, 1) ||
	    ambient_exec_as_user() ||
	    want_ok("RAISE(CAP_KILL) before leaving root", (int)ambient(PR_CAP_AMBIENT_RAISE, CAP_KILL)) ||
	    want_ok("setresuid(USER)", setresuid(USER, USER, USER)))
		return CHECK_FAIL;
	return want_eq("CapAmb after leaving root", status_hex("CapAmb") == 0, 1) ? CHECK_FAIL : CHECK_OK;
}

static const struct check checks[] = {
	{ "root", check_root },
	{ "setresuid-drop", check_setresuid_drop },
	{ "keepcaps", check_keepcaps },
	{ "euid-transition", check_euid_transition },
	{ "fsuid", check_fsuid },
	{ "permission-classes", check_permission_classes },
	{ "access-real", check_access_real },
	{ "groups", check_groups },
	{ "new-owner", check_new_owner },
	{ "chown-chmod", check_chown_chmod },
	{ "write-clears-suid", check_write_clears_suid },
	{ "kill", check_kill },
	{ "prlimit", check_prlimit },
	{ "thread-creds", check_thread_creds },
	{ "si-uid", check_si_uid },
	{ "sigqueue", check_sigqueue },
	{ "linkat-empty", check_linkat_empty },
	{ "nproc-per-user", check_nproc_per_user },
	{ "suid-exec", check_suid_exec },
	{ "clone-fs", check_clone_fs },
	{ "proc", check_proc },
	{ "sticky", check_sticky },
	{ "utimes", check_utimes },
	{ "mknod-cap", check_mknod_cap },
	{ "bounding-set", check_bounding_set },
	{ "truncate-perm", check_truncate_perm },
	{ "noatime", check_noatime },
	{ "exec-perm", check_exec_perm },
	{ "creat-sgid", check_creat_sgid },
	{ "securebits", check_securebits },
	{ "ambient", check_ambient },
};

int main(int argc, char **argv)
{
	int r;
	long n;

	if (argc == 2 && strcmp(argv[1], PROBE) == 0)
		return probe();
	if (argc == 2 && strcmp(argv[1], PROBE_SHARED) == 0)
		return probe_shared();
	if (argc == 2 && strcmp(argv[1], PROBE_NOROOT) == 0)
		return probe_noroot();
	if (argc == 2 && strcmp(argv[1], PROBE_AMBIENT) == 0)
		return probe_ambient();
	if (getuid() != 0) {
		printf("conform_creds: SKIP not run as root\n");
		return 0;
	}
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0) {
		printf("conform_creds: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	self_path[n] = '\0';
	snprintf(work, sizeof(work), "/tmp/t-conform_creds.%d", (int)getpid());
	if (mkdir(work, 0777) != 0 || chmod(work, 0777) != 0) {
		printf("conform_creds: mkdir %s: %s\n", work, strerror(errno));
		return 1;
	}
	c_isolate = 1;
	r = run_checks("conform_creds", checks, NELEMS(checks), argc, argv);
	rmdir(work);
	return r;
}
