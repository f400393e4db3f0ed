// SPDX-License-Identifier: MIT
/*
 * Kestrel: keys and keyrings, as Linux 6.1's security/keys/ (keyrings(7)).
 *
 * A key has a serial, a type (user, logon or keyring), a description, an
 * owner, a permission mask and a payload: bytes for user and logon keys,
 * the linked keys for a keyring. Keys are counted: by each keyring
 * linking them and by each thread's credentials holding them as its
 * thread, process or session keyring (proc/cred.h), and by their user's
 * record for the per-user keyrings. At the last reference a key goes at
 * once (Linux's garbage collector, without its delay), and so do the keys
 * only it held, through a list rather than recursion.
 *
 * Every key is charged to its owner's quota (struct key_user): one key
 * and its description's and payload's bytes, four bytes more in a
 * keyring for each link (Linux's KEYQUOTA_LINK_BYTES). The quotas are the
 * sysctls kernel.keys.maxkeys and maxbytes (root_* for uid 0), so no
 * program makes the kernel hold more than they allow.
 *
 * Locks: keys_lock, a spinlock taken with interrupts off, protects every
 * key, keyring, key_user and the limits' use; the operations take it
 * once and do all their work under it (the system calls copy from and to
 * the user outside it). kmalloc under it is allowed (the heap takes its
 * own lock with interrupts off and calls nothing of ours).
 */
#include "keys/keys.h"
#include "keys/keys_int.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/keyctl.h"

struct spinlock keys_lock = SPINLOCK_INIT;
struct key *keys_all;                 /* every key, newest first */
struct key_user *key_users;           /* every user with keys */
int64_t key_limits[KEY_LIMITS] = {
	[KL_MAXKEYS] = 200, [KL_MAXBYTES] = 20000,
	[KL_ROOT_MAXKEYS] = 1000000, [KL_ROOT_MAXBYTES] = 25000000,
	[KL_GC_DELAY] = 300, [KL_PERSIST_EXPIRY] = 259200,
};

static int32_t next_serial = 0x10000000; /* Linux's are random; any unused one >= 3 */
static uint64_t visit_gen;               /* a walk's mark (key->visit) */
static struct key *dead_keys;            /* keys at their last reference, to free */
static uint64_t gc_at = UINT64_MAX;      /* when an expired key's links are next due to go */

#define NEGATIVE_TIMEOUT_S 60  /* a negative key's life (Linux's key_negative_timeout) */
#define SEARCH_DEPTH 6         /* keyrings within keyrings (KEYRING_SEARCH_MAX_DEPTH) */
#define LINK_BYTES 4           /* a link's cost to its keyring's owner */

/* ---------------------------------------------------------- types */

static int user_vet(const char *desc)
{
	(void)desc;
	return 0;
}

/* logon keys' descriptions are "service:name" (Linux's logon_vet_description). */
static int logon_vet(const char *desc)
{
	const char *p = strchr(desc, ':');

	return (!p || p == desc) ? -EINVAL : 0;
}

const struct key_type key_type_keyring = { "keyring", true, false, true, 0, user_vet };
const struct key_type key_type_user = { "user", true, true, false, 32767, user_vet };
const struct key_type key_type_logon = { "logon", false, true, false, 32767, logon_vet };
static const struct key_type *const key_types[] = { &key_type_keyring, &key_type_user, &key_type_logon };

const struct key_type *key_type_find(const char *name)
{
	for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (strcmp(key_types[i]->name, name) == 0)
			return key_types[i];
	return NULL;
}

/* ---------------------------------------------------------- users and quotas */

/* uid's record, made if need be (NULL: out of memory). keys_lock held. */
struct key_user *key_user_get(uint32_t uid)
{
	for (struct key_user *u = key_users; u; u = u->next)
		if (u->uid == uid)
			return u;
	struct key_user *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	u->next = key_users;
	key_users = u;
	return u;
}

static int64_t limit_keys(const struct key_user *u)
{
	return key_limits[u->uid == 0 ? KL_ROOT_MAXKEYS : KL_MAXKEYS];
}

static int64_t limit_bytes(const struct key_user *u)
{
	return key_limits[u->uid == 0 ? KL_ROOT_MAXBYTES : KL_MAXBYTES];
}

int64_t key_user_maxkeys(const struct key_user *u)
{
	return limit_keys(u);
}

int64_t key_user_maxbytes(const struct key_user *u)
{
	return limit_bytes(u);
}

/* Linux's key_payload_reserve: k's payload becomes len bytes, its quota
 * following when k is charged. 0, or -EDQUOT (nothing changed). keys_lock. */
int key_reserve(struct key *k, size_t len)
{
	int64_t delta = (int64_t)len - (int64_t)k->datalen;

	if (delta && (k->flags & KF_IN_QUOTA)) {
		if (delta > 0 && k->user->qnbytes + delta > limit_bytes(k->user))
			return -EDQUOT;
		k->user->qnbytes += delta;
		k->quotalen += delta;
	}
	k->datalen = len;
	return 0;
}

/* ---------------------------------------------------------- making and freeing */

static bool serial_used(int32_t s)
{
	for (struct key *k = keys_all; k; k = k->next)
		if (k->serial == s)
			return true;
	return false;
}

static int32_t serial_new(void)
{
	do {
		if (++next_serial <= 3)
			next_serial = 0x10000000;
	} while (serial_used(next_serial));
	return next_serial;
}

/* Charge a new key of quotalen bytes to u (Linux's key_alloc): -EDQUOT
 * past the quota unless overrun (the thread, process and session
 * keyrings may pass it). keys_lock held. */
static int quota_charge(struct key_user *u, int64_t quotalen, bool overrun)
{
	if (!overrun && (u->qnkeys + 1 > limit_keys(u) || u->qnbytes + quotalen > limit_bytes(u)))
		return -EDQUOT;
	u->qnkeys++;
	u->qnbytes += quotalen;
	return 0;
}

/*
 * A new key (Linux's key_alloc) of type t described desc (copied), owned
 * by uid and gid with permissions perm, charged to uid's quota
 * (overrun: even past it), one reference (the caller's), uninstantiated
 * and with no payload. *err: -ENOMEM or -EDQUOT when NULL. keys_lock held.
 */
struct key *key_alloc(const struct key_type *t, const char *desc, uint32_t uid, uint32_t gid,
		      uint32_t perm, bool overrun, int *err)
{
	struct key_user *u = key_user_get(uid);
	size_t dlen = strlen(desc);
	struct key *k = u ? kzalloc(sizeof(*k)) : NULL;
	char *d = k ? kmalloc(dlen + 1) : NULL;

	*err = -ENOMEM;
	if (!d)
		goto fail;
	if ((*err = quota_charge(u, (int64_t)dlen + 1, overrun)))
		goto fail;
	memcpy(d, desc, dlen + 1);
	*k = (struct key){ .serial = serial_new(), .refs = 1, .type = t, .desc = d, .uid = uid,
			   .gid = gid, .perm = perm, .flags = KF_IN_QUOTA, .user = u,
			   .quotalen = (int64_t)dlen + 1 };
	u->nkeys++;
	k->next = keys_all;
	if (keys_all)
		keys_all->prev = k;
	keys_all = k;
	return k;
fail:
	kfree(d);
	kfree(k);
	return NULL;
}

int key_set_payload(struct key *k, const void *payload, size_t plen)
{
	void *p = kmalloc(plen);
	int r;

	if (!p)
		return -ENOMEM;
	if ((r = key_reserve(k, plen))) {
		kfree(p);
		return r;
	}
	memcpy(p, payload, plen);
	kfree(k->payload);
	k->payload = p;
	return 0;
}

/* Instantiate k positively with payload[0..plen) (user, logon) or as an
 * empty keyring. 0 or -EDQUOT, -ENOMEM. keys_lock held. */
int key_instantiate(struct key *k, const void *payload, size_t plen)
{
	int r;

	if (plen && (r = key_set_payload(k, payload, plen)))
		return r;
	k->flags |= KF_INSTANTIATED;
	k->user->nikeys++;
	return 0;
}

static uint64_t gc_delay_ns(void)
{
	return (uint64_t)key_limits[KL_GC_DELAY] * 1000000000ull;
}

/* k expires at expiry_ns (0: never): its links go gc_delay seconds
 * after (Linux's key_schedule_gc). keys_lock held. */
void key_set_expiry(struct key *k, uint64_t expiry_ns)
{
	k->expiry_ns = expiry_ns;
	if (expiry_ns && expiry_ns + gc_delay_ns() < gc_at)
		gc_at = expiry_ns + gc_delay_ns();
}

/*
 * Linux's garbage collector for expired and revoked keys: once due,
 * every link to a key expired gc_delay seconds ago goes, so that the
 * key leaves its owner's quota when nothing else holds it. Called at the
 * start of each operation, before it holds a pointer to any key (the
 * reap may free keyrings). keys_lock held.
 */
void keys_gc_if_due(void)
{
	uint64_t now = time_ns(), delay = gc_delay_ns();

	if (now < gc_at)
		return;
	gc_at = UINT64_MAX;
	for (struct key *kr = keys_all; kr; kr = kr->next) {
		for (unsigned i = kr->nlinks; i-- > 0;) {
			uint64_t e = kr->links[i]->expiry_ns;
			if (e && now >= e + delay)
				keyring_drop(kr, i);
			else if (e && e + delay < gc_at)
				gc_at = e + delay;
		}
	}
	keys_reap();
}

/* Negate k (Linux's key_reject_and_link): it answers err for timeout s. */
void key_negate(struct key *k, int err, uint32_t timeout_s)
{
	k->flags |= KF_INSTANTIATED | KF_NEGATIVE;
	k->reject = err;
	key_set_expiry(k, time_ns() + (uint64_t)timeout_s * 1000000000ull);
	k->user->nikeys++;
}

void key_get_locked(struct key *k)
{
	k->refs++;
}

/* Drop a reference; at the last, k goes on the dead list. keys_lock. */
void key_put_locked(struct key *k)
{
	if (k && --k->refs == 0) {
		k->dead_next = dead_keys;
		dead_keys = k;
	}
}

/* Undo k's charge and forget k. keys_lock held. */
static void key_destroy(struct key *k)
{
	struct key_user *u = k->user;

	if (k->flags & KF_IN_QUOTA) {
		u->qnkeys--;
		u->qnbytes -= k->quotalen;
	}
	u->nkeys--;
	if (k->flags & KF_INSTANTIATED)
		u->nikeys--;
	if (k->prev)
		k->prev->next = k->next;
	else
		keys_all = k->next;
	if (k->next)
		k->next->prev = k->prev;
	kfree(k->payload);
	kfree(k->desc);
	kfree(k);
}

/* Free every key whose last reference went, and those only they held
 * (a keyring's links), iteratively. keys_lock held. */
void keys_reap(void)
{
	while (dead_keys) {
		struct key *k = dead_keys;
		dead_keys = k->dead_next;
		for (unsigned i = 0; i < k->nlinks; i++)
			key_put_locked(k->links[i]);
		kfree(k->links);
		k->links = NULL;
		k->nlinks = 0;
		key_destroy(k);
	}
}

/* The hooks proc/cred.c calls on the credentials' keyrings. */
static void cred_key_get(struct key *k)
{
	uint64_t f = spin_lock_irqsave(&keys_lock);
	key_get_locked(k);
	spin_unlock_irqrestore(&keys_lock, f);
}

static void cred_key_put(struct key *k)
{
	uint64_t f = spin_lock_irqsave(&keys_lock);
	key_put_locked(k);
	keys_reap();
	spin_unlock_irqrestore(&keys_lock, f);
}

void keys_core_init(void)
{
	cred_set_key_refs(cred_key_get, cred_key_put);
}

/* ---------------------------------------------------------- state and permission */

bool key_expired(const struct key *k)
{
	return k->expiry_ns && time_ns() >= k->expiry_ns;
}

/* Linux's key_validate: 0, or why k may not be used. */
int key_validate(const struct key *k)
{
	if (k->flags & KF_INVALID)
		return -ENOKEY;
	if (k->flags & KF_REVOKED)
		return -EKEYREVOKED;
	if (key_expired(k))
		return -EKEYEXPIRED;
	return 0;
}

/* Linux's key_task_permission: the user, group or other byte of k's
 * mask by the caller's file system ids, with the possessor's added when
 * possessed. 0 when every bit of need is there, else -EACCES. */
int key_permission(const struct key *k, bool possessed, unsigned need)
{
	const struct cred *c = current_cred();
	unsigned kperm;

	if (k->uid == c->fsuid)
		kperm = k->perm >> 16;
	else if (k->gid != (uint32_t)-1 && cred_in_group(c, k->gid))
		kperm = k->perm >> 8;
	else
		kperm = k->perm;
	kperm &= 0x3f;
	if (possessed)
		kperm |= (k->perm >> 24) & 0x3f;
	return (kperm & need) == need ? 0 : -EACCES;
}

struct key *key_find(int32_t serial)
{
	for (struct key *k = keys_all; k; k = k->next)
		if (k->serial == serial && k->refs > 0)
			return k;
	return NULL;
}

/* ---------------------------------------------------------- keyrings */

uint64_t key_visit_new(void)
{
	return ++visit_gen;
}

/* The link in keyring kr of a key of type t described desc, or -1. */
int keyring_slot(const struct key *kr, const struct key_type *t, const char *desc)
{
	for (unsigned i = 0; i < kr->nlinks; i++)
		if (kr->links[i]->type == t && strcmp(kr->links[i]->desc, desc) == 0)
			return (int)i;
	return -1;
}

/* Is target reachable from kr (kr itself included)? 1 yes, 0 no, -1 the
 * keyrings nest deeper than SEARCH_DEPTH below kr, which Linux refuses
 * to link (keyring_detect_cycle's ELOOP), so that no chain grows without
 * bound. Marks with gen; recursion at most SEARCH_DEPTH deep. keys_lock. */
static int reaches(struct key *kr, const struct key *target, uint64_t gen, int depth)
{
	if (kr == target)
		return 1;
	if (!kr->type->is_keyring || kr->visit == gen)
		return 0;
	if (depth >= SEARCH_DEPTH)
		return kr->nlinks ? -1 : 0;
	kr->visit = gen;
	for (unsigned i = 0; i < kr->nlinks; i++) {
		int r = reaches(kr->links[i], target, gen, depth + 1);
		if (r)
			return r;
	}
	return 0;
}

/* Make room for one more link in kr: 0 or -ENOMEM. */
static int links_grow(struct key *kr)
{
	if (kr->nlinks < kr->caplinks)
		return 0;
	unsigned cap = kr->caplinks ? kr->caplinks * 2 : 8;
	struct key **n = kmalloc(cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (kr->nlinks)
		memcpy(n, kr->links, kr->nlinks * sizeof(*n));
	kfree(kr->links);
	kr->links = n;
	kr->caplinks = cap;
	return 0;
}

/*
 * Link k into keyring kr (Linux's key_link), replacing a link to a key
 * of the same type and description. 0, -ENOTDIR (kr no keyring), -EPERM
 * (kr restricted), -EDEADLK (kr reachable from k), -ELOOP (k's keyrings
 * nest too deep), -EDQUOT, -ENOMEM.
 * keys_lock held; the replaced key may be left on the dead list.
 */
int keyring_link(struct key *kr, struct key *k)
{
	int r;

	if (!kr->type->is_keyring)
		return -ENOTDIR;
	if (kr->flags & KF_RESTRICTED)
		return -EPERM;
	int cyc = k->type->is_keyring ? reaches(k, kr, key_visit_new(), 0) : 0;
	if (cyc)
		return cyc > 0 ? -EDEADLK : -ELOOP;
	int slot = keyring_slot(kr, k->type, k->desc);
	if (slot >= 0) {
		struct key *old = kr->links[slot];
		key_get_locked(k);
		kr->links[slot] = k;
		key_put_locked(old);
		return 0;
	}
	if ((r = links_grow(kr)) || (r = key_reserve(kr, kr->datalen + LINK_BYTES)))
		return r;
	key_get_locked(k);
	kr->links[kr->nlinks++] = k;
	return 0;
}

/* Remove link i of kr. keys_lock held (the key may go on the dead list). */
void keyring_drop(struct key *kr, unsigned i)
{
	struct key *k = kr->links[i];

	kr->links[i] = kr->links[--kr->nlinks];
	key_reserve(kr, kr->datalen - LINK_BYTES);
	key_put_locked(k);
}

/* Every link of kr goes (KEYCTL_CLEAR, a keyring's revocation). */
void keyring_clear_links(struct key *kr)
{
	while (kr->nlinks)
		keyring_drop(kr, kr->nlinks - 1);
}

/*
 * Search keyring kr, possessed or not, for a key of type t described
 * desc, kr's own links first, then the keyrings it links, to
 * SEARCH_DEPTH (Linux's search_nested_keyrings). A match needs Search
 * permission, as does each keyring entered. The first usable match, or
 * NULL with *err the state of an unusable one (-EKEYREVOKED,
 * -EKEYEXPIRED, a negative key's error) if any was met. keys_lock held.
 */
static struct key *search_in(struct key *kr, bool pos, const struct key_type *t, const char *desc,
			     uint64_t gen, int depth, int *err)
{
	if (kr->visit == gen || depth > SEARCH_DEPTH)
		return NULL;
	kr->visit = gen;
	for (unsigned i = 0; i < kr->nlinks; i++) {
		struct key *k = kr->links[i];
		if (k->type != t || strcmp(k->desc, desc) != 0 || key_permission(k, pos, KEY_NEED_SEARCH))
			continue;
		int st = (k->flags & KF_NEGATIVE) && !key_expired(k) ? k->reject : key_validate(k);
		if (st == 0)
			return k;
		if (*err == -ENOKEY || *err == -EAGAIN)
			*err = st;
	}
	for (unsigned i = 0; i < kr->nlinks; i++) {
		struct key *k = kr->links[i];
		if (!k->type->is_keyring || key_validate(k) || key_permission(k, pos, KEY_NEED_SEARCH))
			continue;
		struct key *f = search_in(k, pos, t, desc, gen, depth + 1, err);
		if (f)
			return f;
	}
	return NULL;
}

struct key *keyring_search(struct key *kr, bool pos, const struct key_type *t, const char *desc,
			   int *err)
{
	*err = -EAGAIN;
	return search_in(kr, pos, t, desc, key_visit_new(), 0, err);
}

/* Is k reachable by search from kr (possessed): its own Search
 * permission and that of every keyring on the way. */
static bool possessed_in(struct key *kr, const struct key *k, uint64_t gen, int depth)
{
	if (kr->visit == gen || depth > SEARCH_DEPTH || key_permission(kr, true, KEY_NEED_SEARCH))
		return false;
	kr->visit = gen;
	for (unsigned i = 0; i < kr->nlinks; i++) {
		struct key *l = kr->links[i];
		if (l == k && !key_permission(l, true, KEY_NEED_SEARCH))
			return true;
		if (l->type->is_keyring && !key_validate(l) && possessed_in(l, k, gen, depth + 1))
			return true;
	}
	return false;
}

/* The keyrings a thread possesses (Linux's search_cred_keyrings_rcu):
 * thread, process and session, or the user session keyring without a
 * session one. Fills top[3] (NULLs for none). keys_lock held. */
void keys_top(struct key *top[3])
{
	const struct cred *c = &current_thread()->cred;

	top[0] = c->thread_keyring;
	top[1] = c->process_keyring;
	top[2] = c->session_keyring;
	if (!top[2]) {
		struct key_user *u = key_user_get(c->uid);
		top[2] = u ? u->session_keyring : NULL;
	}
}

/* Linux's lookup_user_key_possessed: is k one of the caller's keyrings
 * or found from them? keys_lock held. */
bool key_possessed(const struct key *k)
{
	struct key *top[3];
	uint64_t gen = key_visit_new();

	keys_top(top);
	for (int i = 0; i < 3; i++) {
		if (top[i] == k)
			return true;
		if (top[i] && !key_validate(top[i]) && possessed_in(top[i], k, gen, 0))
			return true;
	}
	return false;
}

/* search_process_keyrings: the first usable match in the caller's
 * keyrings, or NULL with *err (-EAGAIN: nothing met). keys_lock held. */
struct key *keys_search_process(const struct key_type *t, const char *desc, int *err)
{
	struct key *top[3];
	int e = -EAGAIN;

	keys_top(top);
	*err = -EAGAIN;
	for (int i = 0; i < 3; i++) {
		if (!top[i] || key_validate(top[i]) || key_permission(top[i], true, KEY_NEED_SEARCH))
			continue;
		struct key *k = keyring_search(top[i], true, t, desc, &e);
		if (k)
			return k;
		if (*err == -EAGAIN)
			*err = e;
	}
	return NULL;
}
