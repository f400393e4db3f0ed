// SPDX-License-Identifier: MIT
/*
 * Kestrel: credentials with Linux's rules: the set*id calls (kernel/sys.c),
 * supplementary groups (kernel/groups.c), the capability transitions of
 * security/commoncap.c (cap_emulate_setxuid, the file system set, exec
 * of a file without capabilities), capset and the ambient set.
 */
#include "proc/cred.h"
#include "mm/heap.h"
#include "uapi/prctl.h"
#include "uapi/sched.h"
#include "uapi/stat.h"
#include "lib/errno.h"
#include "lib/string.h"

void cred_renew(struct cred *c)
{
	static uint64_t next_serial = 1;

	c->serial = __atomic_fetch_add(&next_serial, 1, __ATOMIC_RELAXED);
}

void cred_defaults(struct cred *c)
{
	memset(c, 0, sizeof(*c));
	cred_renew(c);
	c->cap_effective = CAP_FULL_SET;
	c->cap_permitted = CAP_FULL_SET;
	c->cap_inheritable = 0;
	c->cap_bset = CAP_FULL_SET;
	c->nice = 0;
	c->dumpable = SUID_DUMP_USER;
}

static void (*key_get)(struct key *);
static void (*key_put)(struct key *);

void cred_set_key_refs(void (*get)(struct key *), void (*put)(struct key *))
{
	key_get = get;
	key_put = put;
}

/* Drop *k's reference (if any) and clear it. */
static void drop_key(struct key **k)
{
	if (*k && key_put)
		key_put(*k);
	*k = NULL;
}

static void hold_key(struct key *k)
{
	if (k && key_get)
		key_get(k);
}

void cred_keys_clone(struct cred *c, bool thread)
{
	drop_key(&c->thread_keyring);
	if (!thread)
		drop_key(&c->process_keyring);
}

void cred_keys_exec(struct cred *c)
{
	drop_key(&c->thread_keyring);
	drop_key(&c->process_keyring);
}

void cred_fork(struct cred *child, const struct cred *parent)
{
	*child = *parent;
	if (child->groups)
		child->groups->refs++;
	hold_key(child->thread_keyring);
	hold_key(child->process_keyring);
	hold_key(child->session_keyring);
	if (child->sched_reset_on_fork) {
		/* Linux's sched_fork: real-time back to SCHED_NORMAL at nice 0,
		 * the others keep their policy but not a negative nice */
		if (child->sched_policy == SCHED_FIFO || child->sched_policy == SCHED_RR ||
		    child->sched_policy == SCHED_DEADLINE) {
			child->sched_policy = SCHED_NORMAL;
			child->nice = 0;
		} else if (child->nice < 0) {
			child->nice = 0;
		}
		child->sched_priority = 0;
		child->sched_reset_on_fork = false;
	}
}

static void groups_put(struct group_info *g)
{
	if (g && --g->refs == 0)
		kfree(g);
}

void cred_release(struct cred *c)
{
	groups_put(c->groups);
	c->groups = NULL;
	drop_key(&c->thread_keyring);
	drop_key(&c->process_keyring);
	drop_key(&c->session_keyring);
}

/* ---------------------------------------------------------- exec */

static bool subset(uint64_t a, uint64_t b)
{
	return (a & ~b) == 0;
}

/* bprm_fill_uid: the set-user-ID bit gives the file's owner as the
 * effective uid; set-group-ID counts only with group execute (without
 * it, it marks mandatory locking). Not under no_new_privs. */
static void exec_fill_ids(struct cred *n, const struct exec_file_ids *f)
{
	if (f->no_new_privs)
		return;
	if (f->mode & S_ISUID)
		n->euid = f->uid;
	if ((f->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		n->egid = f->gid;
}

void cred_exec_prepare(const struct cred *old, const struct exec_file_ids *f,
		       struct cred *n, bool *secure)
{
	bool effective = false;

	*n = *old;
	exec_fill_ids(n, f);
	/* root's rule (not under SECBIT_NOROOT): a real or effective root
	 * gets the full bounding set (with the inheritable set) permitted,
	 * an effective root effective */
	n->cap_permitted = 0;
	bool root_rule = !(old->securebits & SECBIT_NOROOT); /* Linux's root_privileged() */
	if (root_rule && (n->euid == ROOT_UID || n->uid == ROOT_UID))
		n->cap_permitted = old->cap_bset | old->cap_inheritable;
	if (root_rule && n->euid == ROOT_UID)
		effective = true;
	bool is_setid = n->euid != old->uid || n->egid != old->gid;
	bool gained = !subset(n->cap_permitted, old->cap_permitted);
	if ((is_setid || gained) && (f->unsafe_ptrace || f->no_new_privs || f->unsafe_share)) {
		/* a tracer without CAP_SYS_PTRACE, or another process that could
		 * change our working directory under us: no more than it had */
		if (!cred_capable(old, CAP_SETUID) || f->no_new_privs) {
			n->euid = n->uid;
			n->egid = n->gid;
		}
		n->cap_permitted &= old->cap_permitted;
	}
	n->suid = n->fsuid = n->euid;
	n->sgid = n->fsgid = n->egid;
	/* a set-id exec cancels the ambient set; else it is permitted and,
	 * unless root's rule made everything effective, effective */
	if (is_setid)
		n->cap_ambient = 0;
	n->cap_permitted |= n->cap_ambient;
	n->cap_effective = effective ? n->cap_permitted : n->cap_ambient;
	*secure = is_setid || (n->uid != ROOT_UID &&
			       (effective || !subset(n->cap_permitted, n->cap_ambient)));
	n->securebits &= ~SECBIT_KEEP_CAPS;
	/* begin_new_exec, then commit_creds */
	bool changed = n->euid != old->euid || n->egid != old->egid ||
		       n->fsuid != old->fsuid || n->fsgid != old->fsgid ||
		       !subset(n->cap_permitted, old->cap_permitted);
	bool setid_before = old->euid != old->uid || old->egid != old->gid;
	n->dumpable = changed || setid_before ? SUID_DUMP_DISABLE : SUID_DUMP_USER;
}

/* ---------------------------------------------------------- uids */

/* commit_creds' dumpable rule for a change of ids. */
static void ids_changed(struct cred *c, const struct cred *old)
{
	if (c->euid != old->euid || c->egid != old->egid || c->fsuid != old->fsuid ||
	    c->fsgid != old->fsgid || !subset(c->cap_permitted, old->cap_permitted))
		c->dumpable = SUID_DUMP_DISABLE;
}

static bool any_root(uint32_t a, uint32_t b, uint32_t s)
{
	return a == ROOT_UID || b == ROOT_UID || s == ROOT_UID;
}

/* commoncap's cap_emulate_setxuid: leaving root altogether clears the
 * permitted and effective sets (unless SECBIT_KEEP_CAPS), an effective
 * uid leaving 0 clears the effective set, coming back to 0 restores it
 * from the permitted set; leaving root clears the ambient set, KEEP_CAPS
 * or not. SECBIT_NO_SETUID_FIXUP does none of it. */
static void emulate_setxuid(struct cred *c, const struct cred *old)
{
	if (c->securebits & SECBIT_NO_SETUID_FIXUP)
		return; /* cap_task_fix_setuid: suppressed */
	if (any_root(old->uid, old->euid, old->suid) && !any_root(c->uid, c->euid, c->suid)) {
		if (!(c->securebits & SECBIT_KEEP_CAPS)) {
			c->cap_permitted = 0;
			c->cap_effective = 0;
		}
		/* even with KEEP_CAPS: a program that leaves root and then
		 * execs expects to lose its capabilities */
		c->cap_ambient = 0;
	}
	if (old->euid == ROOT_UID && c->euid != ROOT_UID)
		c->cap_effective = 0;
	if (old->euid != ROOT_UID && c->euid == ROOT_UID)
		c->cap_effective = c->cap_permitted;
}

/* The end of every uid change: fsuid follows euid, capabilities and dumpable follow. */
static int commit_uids(struct cred *c, const struct cred *old)
{
	c->fsuid = c->euid;
	emulate_setxuid(c, old);
	ids_changed(c, old);
	return 0;
}

static bool is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t s)
{
	return id == a || id == b || id == s;
}

int cred_setuid(struct cred *c, uint32_t uid)
{
	struct cred old = *c;

	if (uid == ID_UNCHANGED)
		return -EINVAL;
	if (cred_capable(c, CAP_SETUID))
		c->uid = c->suid = uid;
	else if (uid != c->uid && uid != c->suid)
		return -EPERM;
	c->euid = uid;
	return commit_uids(c, &old);
}

int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid)
{
	struct cred old = *c;
	bool priv = cred_capable(c, CAP_SETUID);

	if (ruid != ID_UNCHANGED && !priv && ruid != old.uid && ruid != old.euid)
		return -EPERM;
	if (euid != ID_UNCHANGED && !priv && !is_one_of(euid, old.uid, old.euid, old.suid))
		return -EPERM;
	if (ruid != ID_UNCHANGED)
		c->uid = ruid;
	if (euid != ID_UNCHANGED)
		c->euid = euid;
	if (ruid != ID_UNCHANGED || (euid != ID_UNCHANGED && euid != old.uid))
		c->suid = c->euid;
	return commit_uids(c, &old);
}

int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	struct cred old = *c;

	if (!cred_capable(c, CAP_SETUID) &&
	    ((ruid != ID_UNCHANGED && !is_one_of(ruid, old.uid, old.euid, old.suid)) ||
	     (euid != ID_UNCHANGED && !is_one_of(euid, old.uid, old.euid, old.suid)) ||
	     (suid != ID_UNCHANGED && !is_one_of(suid, old.uid, old.euid, old.suid))))
		return -EPERM;
	if (ruid != ID_UNCHANGED)
		c->uid = ruid;
	if (euid != ID_UNCHANGED)
		c->euid = euid;
	if (suid != ID_UNCHANGED)
		c->suid = suid;
	return commit_uids(c, &old);
}

/* setfsuid: the file system capabilities leave with a file system uid
 * of 0 and come back (from the permitted set) with it, unless
 * SECBIT_NO_SETUID_FIXUP. */
uint32_t cred_setfsuid(struct cred *c, uint32_t fsuid)
{
	struct cred old = *c;

	if (fsuid == ID_UNCHANGED)
		return old.fsuid;
	if (!is_one_of(fsuid, c->uid, c->euid, c->suid) && fsuid != c->fsuid &&
	    !cred_capable(c, CAP_SETUID))
		return old.fsuid;
	c->fsuid = fsuid;
	bool fixup = !(c->securebits & SECBIT_NO_SETUID_FIXUP);
	if (fixup && old.fsuid == ROOT_UID && fsuid != ROOT_UID)
		c->cap_effective &= ~CAP_FS_MASK;
	if (fixup && old.fsuid != ROOT_UID && fsuid == ROOT_UID)
		c->cap_effective |= c->cap_permitted & CAP_FS_MASK;
	ids_changed(c, &old);
	return old.fsuid;
}

/* ---------------------------------------------------------- gids */

static int commit_gids(struct cred *c, const struct cred *old)
{
	c->fsgid = c->egid;
	ids_changed(c, old);
	return 0;
}

int cred_setgid(struct cred *c, uint32_t gid)
{
	struct cred old = *c;

	if (gid == ID_UNCHANGED)
		return -EINVAL;
	if (cred_capable(c, CAP_SETGID))
		c->gid = c->sgid = gid;
	else if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	c->egid = gid;
	return commit_gids(c, &old);
}

int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid)
{
	struct cred old = *c;
	bool priv = cred_capable(c, CAP_SETGID);

	if (rgid != ID_UNCHANGED && !priv && rgid != old.gid && rgid != old.egid)
		return -EPERM;
	if (egid != ID_UNCHANGED && !priv && !is_one_of(egid, old.gid, old.egid, old.sgid))
		return -EPERM;
	if (rgid != ID_UNCHANGED)
		c->gid = rgid;
	if (egid != ID_UNCHANGED)
		c->egid = egid;
	if (rgid != ID_UNCHANGED || (egid != ID_UNCHANGED && egid != old.gid))
		c->sgid = c->egid;
	return commit_gids(c, &old);
}

int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	struct cred old = *c;

	if (!cred_capable(c, CAP_SETGID) &&
	    ((rgid != ID_UNCHANGED && !is_one_of(rgid, old.gid, old.egid, old.sgid)) ||
	     (egid != ID_UNCHANGED && !is_one_of(egid, old.gid, old.egid, old.sgid)) ||
	     (sgid != ID_UNCHANGED && !is_one_of(sgid, old.gid, old.egid, old.sgid))))
		return -EPERM;
	if (rgid != ID_UNCHANGED)
		c->gid = rgid;
	if (egid != ID_UNCHANGED)
		c->egid = egid;
	if (sgid != ID_UNCHANGED)
		c->sgid = sgid;
	return commit_gids(c, &old);
}

uint32_t cred_setfsgid(struct cred *c, uint32_t fsgid)
{
	struct cred old = *c;

	if (fsgid == ID_UNCHANGED)
		return old.fsgid;
	if (!is_one_of(fsgid, c->gid, c->egid, c->sgid) && fsgid != c->fsgid &&
	    !cred_capable(c, CAP_SETGID))
		return old.fsgid;
	c->fsgid = fsgid;
	ids_changed(c, &old);
	return old.fsgid;
}

/* ---------------------------------------------------------- groups */

/* Insertion sort would be quadratic in a count the caller controls:
 * a heap sort, in place, bounded by count * log(count). */
static void sift_down(uint32_t *a, uint32_t start, uint32_t end)
{
	uint32_t root = start;

	while (2 * root + 1 < end) {
		uint32_t child = 2 * root + 1;
		if (child + 1 < end && a[child] < a[child + 1])
			child++;
		if (a[root] >= a[child])
			return;
		uint32_t t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void sort_gids(uint32_t *a, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (uint32_t end = n; end > 1; end--) {
		uint32_t t = a[0];
		a[0] = a[end - 1];
		a[end - 1] = t;
		sift_down(a, 0, end - 1);
	}
}

struct group_info *groups_alloc(uint32_t count)
{
	struct group_info *g = kmalloc(sizeof(*g) + (size_t)count * sizeof(uint32_t));

	if (!g)
		return NULL;
	g->refs = 1;
	g->count = count;
	return g;
}

void groups_sort(struct group_info *g)
{
	sort_gids(g->gid, g->count);
}

void groups_free(struct group_info *g)
{
	kfree(g);
}

void cred_set_groups(struct cred *c, struct group_info *g)
{
	groups_put(c->groups);
	c->groups = g;
}

/* Linux's groups_search: a binary search of the sorted list. */
static bool groups_search(const struct group_info *g, uint32_t gid)
{
	uint32_t lo = 0, hi = g ? g->count : 0;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->gid[mid] == gid)
			return true;
		if (g->gid[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	return gid == c->fsgid || groups_search(c->groups, gid);
}

bool cred_in_egroup(const struct cred *c, uint32_t gid)
{
	return gid == c->egid || groups_search(c->groups, gid);
}

/* ---------------------------------------------------------- capabilities */

/* Linux's cap_capset, with the bounding set full: the inheritable set
 * may only gain what is permitted (unless CAP_SETPCAP is effective),
 * permitted may only shrink, effective must stay within permitted. */
int cred_capset(struct cred *c, uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	bool setpcap = c->cap_effective & CAP_BIT(CAP_SETPCAP);

	effective &= CAP_FULL_SET;
	permitted &= CAP_FULL_SET;
	inheritable &= CAP_FULL_SET;
	if (!setpcap && !subset(inheritable, c->cap_inheritable | c->cap_permitted))
		return -EPERM;
	if (!subset(inheritable, c->cap_inheritable | c->cap_bset))
		return -EPERM; /* no new inheritable one outside the bounding set */
	if (!subset(permitted, c->cap_permitted) || !subset(effective, permitted))
		return -EPERM;
	c->cap_effective = effective;
	c->cap_permitted = permitted;
	c->cap_inheritable = inheritable;
	c->cap_ambient &= permitted & inheritable; /* Linux's ambient invariant */
	return 0;
}

long cred_ambient_prctl(struct cred *c, unsigned long op, unsigned long cap,
			unsigned long arg4, unsigned long arg5)
{
	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap | arg4 | arg5)
			return -EINVAL;
		c->cap_ambient = 0;
		cred_renew(c);
		return 0;
	}
	if (cap > CAP_LAST_CAP || arg4 || arg5)
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_IS_SET)
		return (c->cap_ambient & CAP_BIT(cap)) != 0;
	if (op != PR_CAP_AMBIENT_RAISE && op != PR_CAP_AMBIENT_LOWER)
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_RAISE) {
		if (!(c->cap_permitted & CAP_BIT(cap)) || !(c->cap_inheritable & CAP_BIT(cap)) ||
		    (c->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
			return -EPERM;
		c->cap_ambient |= CAP_BIT(cap);
	} else {
		c->cap_ambient &= ~CAP_BIT(cap);
	}
	cred_renew(c);
	return 0;
}

int cred_bset_drop(struct cred *c, unsigned long cap)
{
	if (!cred_capable(c, CAP_SETPCAP))
		return -EPERM;
	if (cap > CAP_LAST_CAP)
		return -EINVAL;
	c->cap_bset &= ~CAP_BIT(cap);
	cred_renew(c);
	return 0;
}

bool cred_capable(const struct cred *c, int cap)
{
	return cap >= 0 && cap <= CAP_LAST_CAP && (c->cap_effective & CAP_BIT(cap));
}

bool cred_may_signal(const struct cred *sender, const struct cred *target)
{
	return sender->euid == target->suid || sender->euid == target->uid ||
	       sender->uid == target->suid || sender->uid == target->uid;
}

bool cred_may_prlimit(const struct cred *caller, const struct cred *target)
{
	return caller->uid == target->uid && caller->uid == target->euid &&
	       caller->uid == target->suid && caller->gid == target->gid &&
	       caller->gid == target->egid && caller->gid == target->sgid;
}

void cred_access_view(const struct cred *c, struct cred *out)
{
	*out = *c;
	out->fsuid = c->uid;
	out->fsgid = c->gid;
	out->cap_effective = c->uid == ROOT_UID ? c->cap_permitted : 0;
}
