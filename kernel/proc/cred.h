/* SPDX-License-Identifier: MIT */
/* Credentials: user and group ids (real, effective, saved, file system),
 * supplementary groups, capability sets, nice and dumpable, with Linux's
 * rules for changing them (kernel/sys.c, kernel/groups.c, commoncap.c). */
#ifndef KESTREL_PROC_CRED_H
#define KESTREL_PROC_CRED_H

#include <stdbool.h>
#include <stdint.h>
#include "uapi/capability.h"

/* Every capability of this Linux version (bits 0..CAP_LAST_CAP). */
#define CAP_FULL_SET  ((2ull << CAP_LAST_CAP) - 1)
#define CAP_BIT(cap)  (1ull << (cap))
/* The capabilities a file system uid of 0 carries (Linux's CAP_FS_MASK):
 * setfsuid drops them leaving 0 and raises them (from permitted) back. */
#define CAP_FS_MASK   (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | \
		       CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_FOWNER) | \
		       CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_LINUX_IMMUTABLE) | \
		       CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_MAC_OVERRIDE))

#define ROOT_UID      0u
#define ID_UNCHANGED  0xffffffffu   /* (uid_t)-1: "leave this id as it is" */

/* Linux's nice range; getpriority returns 20 - nice so it is never negative. */
#define NICE_MIN       (-20)
#define NICE_MAX       19
#define NICE_TO_PRIO_BASE 20

/* A supplementary group list: sorted, never changed once made (setgroups
 * makes a new one); refs counts the credentials pointing at it. */
struct group_info {
	int refs;
	uint32_t count;
	uint32_t gid[];
};

/* A thread's credentials (struct thread's cred), as Linux's task->cred:
 * changed only by the thread itself (the set*id calls, capset, prctl,
 * exec; setpriority and PR_SET_DUMPABLE for the process), copied at clone
 * and fork (cred_fork) and dropped at the thread's end (cred_release).
 * serial stands for Linux's struct cred's identity: a thread shares its
 * creator's, a fork, exec and each change make a new one (cred_renew).
 * Lock rule: the kernel lock (klock.h), no lock of their own; no
 * interrupt handler touches them. */
struct cred {
	uint64_t serial;                     /* the identity: 0 the kernel's, else unique */
	uint32_t uid, euid, suid, fsuid;     /* real, effective, saved, file system */
	uint32_t gid, egid, sgid, fsgid;
	struct group_info *groups;           /* NULL: none */
	unsigned securebits;                 /* SECBIT_* and their locks (PR_SET_SECUREBITS) */
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	uint64_t cap_bset;        /* the bounding set: what exec may grant (PR_CAPBSET_DROP) */
	/* The ambient set (PR_CAP_AMBIENT): what a program without set-id
	 * bits gets permitted and effective at exec. Always within
	 * permitted & inheritable: whatever shrinks those shrinks it. */
	uint64_t cap_ambient;
	int nice;                 /* NICE_MIN..NICE_MAX */
	int dumpable;             /* SUID_DUMP_DISABLE or SUID_DUMP_USER */
	/* sched_setscheduler's: the policy (SCHED_NORMAL...) and real-time
	 * priority (1..MAX_RT_PRIO-1 for FIFO and RR, else 0) as Linux's
	 * task->policy and rt_priority, per thread; recorded and reported,
	 * while Kestrel's one run queue treats every thread alike. */
	int sched_policy;
	int sched_priority;
	bool sched_reset_on_fork; /* SCHED_RESET_ON_FORK: children start SCHED_NORMAL */
	/* SCHED_DEADLINE's (sched_setattr): runtime <= deadline <= period in
	 * ns, and its SCHED_FLAG_RECLAIM and _DL_OVERRUN; kept and read back */
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint64_t sched_dl_flags;
	/* ioprio_set's I/O priority (uapi/ioprio.h), as Linux's io_context's,
	 * per thread, inherited at clone and fork, kept by exec. The
	 * exception to the lock rule below: another process's ioprio_set
	 * writes it, so it is read and written with __atomic, no lock. */
	int ioprio;
	/* The keyrings (keys/keys.h), as Linux's cred: each a reference
	 * (keys' own lock counts them), NULL until made; changed only by the
	 * thread itself. jit_keyring: request_key's default destination
	 * (KEY_REQKEY_DEFL_*). */
	struct key *thread_keyring, *process_keyring, *session_keyring;
	int jit_keyring;
};

/* The first process's: root (every id 0, no groups), root's full
 * permitted, effective and bounding sets, an empty inheritable set (as
 * Linux's init), nice 0, dumpable. */
void cred_defaults(struct cred *c);
/* clone and fork: child gets a copy of parent (sharing its group list
 * and its serial: a fork then calls cred_renew). */
void cred_fork(struct cred *child, const struct cred *parent);
/* Give c a new serial, as Linux's commit_creds of a new struct cred:
 * what was opened with the old one no longer counts as opened with c
 * (linkat's AT_EMPTY_PATH rule). */
void cred_renew(struct cred *c);
/* A process's end: drop its reference on the group list (and on the
 * keyrings). */
void cred_release(struct cred *c);

/* The keyrings' references, which keys/ registers at boot (a lower layer
 * calling up through a hook): get and put one reference on a key. */
struct key;
void cred_set_key_refs(void (*get)(struct key *), void (*put)(struct key *));
/* A new thread (thread: CLONE_THREAD) or process: no thread keyring;
 * a new process has no process keyring either (Linux's copy_creds). */
void cred_keys_clone(struct cred *c, bool thread);
/* exec: the thread and process keyrings go (Linux's prepare_exec_creds). */
void cred_keys_exec(struct cred *c);

/* What exec is about: the program file's mode and owner, and why a
 * set-id bit may not be honoured (no_new_privs; traced by a process
 * without CAP_SYS_PTRACE). */
struct exec_file_ids {
	uint32_t mode, uid, gid;
	bool no_new_privs, unsafe_ptrace;
	bool unsafe_share;   /* the working directory shared with another process (CLONE_FS) */
};
/* Linux's bprm_fill_uid + cap_bprm_creds_from_file + the dumpable rule
 * of begin_new_exec/commit_creds, for a file without capabilities: the
 * credentials old has after exec of f, into out (the same group list,
 * no new reference; the ambient set kept unless the exec is set-id,
 * and added to the permitted and effective sets). *secure: AT_SECURE
 * (ids changed, or caps beyond the ambient set gained by a non-root
 * real user). Nothing fails. */
void cred_exec_prepare(const struct cred *old, const struct exec_file_ids *f,
		       struct cred *out, bool *secure);

/* setuid(2) .. setfsgid(2) on c, with Linux's rules: privileged means
 * CAP_SETUID (CAP_SETGID for the gid ones) in c's effective set. An id
 * ID_UNCHANGED stays. 0, -EINVAL (setuid/setgid of -1) or -EPERM
 * (nothing changed). Capability transitions as commoncap's; dumpable
 * cleared when the effective or file system id changed. */
int cred_setuid(struct cred *c, uint32_t uid);
int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid);
int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid);
int cred_setgid(struct cred *c, uint32_t gid);
int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid);
int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid);
/* setfsuid/setfsgid: the old file system id, changed or not. */
uint32_t cred_setfsuid(struct cred *c, uint32_t fsuid);
uint32_t cred_setfsgid(struct cred *c, uint32_t fsgid);
/* setgroups' list (count <= NGROUPS_MAX, checked by the caller): a new
 * group_info of count gids for the caller to fill, then groups_sort
 * (or groups_free, unused); refs 1; NULL out of memory. */
struct group_info *groups_alloc(uint32_t count);
void groups_sort(struct group_info *g);
void groups_free(struct group_info *g);
/* Replace c's group list by g (c takes g's reference). */
void cred_set_groups(struct cred *c, struct group_info *g);
/* True if gid is c's file system gid or one of its supplementary groups
 * (Linux's in_group_p); cred_in_egroup asks the same of the effective gid. */
bool cred_in_group(const struct cred *c, uint32_t gid);
bool cred_in_egroup(const struct cred *c, uint32_t gid);

/* capset's checks (Linux's cap_capset), then the new sets: 0, or -EPERM
 * (a set grows beyond what the rules allow; nothing changed). */
int cred_capset(struct cred *c, uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* prctl(PR_CAP_AMBIENT, op, cap, arg4, arg5), as commoncap's
 * cap_task_prctl: IS_SET answers 0 or 1; RAISE (cap in permitted and
 * inheritable, no SECBIT_NO_CAP_AMBIENT_RAISE, else -EPERM), LOWER and
 * CLEAR_ALL answer 0. -EINVAL for another op, a capability this version
 * does not have, or a nonzero argument the op does not take. */
long cred_ambient_prctl(struct cred *c, unsigned long op, unsigned long cap,
			unsigned long arg4, unsigned long arg5);
/* prctl(PR_CAPBSET_DROP, cap): cap leaves c's bounding set for good
 * (Linux's cap_prctl_drop): 0, -EPERM without CAP_SETPCAP, -EINVAL for
 * a capability this version does not have. */
int cred_bset_drop(struct cred *c, unsigned long cap);
/* True if c's effective set holds cap (capable() in proc/process.h asks
 * it of the current process). */
bool cred_capable(const struct cred *c, int cap);
/* Linux's kill_ok_by_cred without CAP_KILL: the sender's real or
 * effective uid is the target's real or saved uid. */
bool cred_may_signal(const struct cred *sender, const struct cred *target);
/* Linux's check_prlimit_permission without CAP_SYS_RESOURCE: the
 * target's real, effective and saved uids are all the caller's real uid,
 * and likewise its gids the caller's real gid. */
bool cred_may_prlimit(const struct cred *caller, const struct cred *target);
/* access(2)'s view of c (Linux's faccessat override credentials): the
 * file system ids become the real ones, and the effective set the
 * permitted set for a real root, empty for anyone else. */
void cred_access_view(const struct cred *c, struct cred *out);

#endif
