// SPDX-License-Identifier: MIT
/*
 * Kestrel: add_key, request_key and keyctl's operations on keys (keys.c
 * holds the keys), each in Linux 6.1's order of checks
 * (security/keys/keyctl.c, process_keys.c, request_key.c). Every
 * operation takes keys_lock once, does its work and reaps the keys its
 * work freed before letting go.
 */
#include "keys/keys.h"
#include "keys/keys_int.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/keyctl.h"

/* lookup's flags (Linux's KEY_LOOKUP_*) and the two needs that ask for no
 * permission (KEY_DEFER_PERM_CHECK, KEY_NEED_UNLINK). */
#define LK_CREATE   1
#define LK_PARTIAL  2
#define NEED_DEFER  0x100
#define NEED_UNLINK 0x200

#define NEGATIVE_TIMEOUT_S 60

/* Default permissions: the thread, process and anonymous session
 * keyrings; a named session keyring; the per-user keyrings. */
#define PERM_OWN_KEYRING  (KEY_POS_ALL | KEY_USR_VIEW)
#define PERM_SESSION      (KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ)
#define PERM_NAMED_SES    (KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK)
#define PERM_USER_KEYRING (KEY_POS_ALL | KEY_USR_ALL)

static struct cred *my_cred(void)
{
	return &current_thread()->cred;
}

/* A new empty keyring desc of uid and gid: the key (one reference) or
 * NULL with *err. keys_lock held. */
static struct key *keyring_new(const char *desc, uint32_t uid, uint32_t gid, uint32_t perm,
			       bool overrun, int *err)
{
	struct key *k = key_alloc(&key_type_keyring, desc, uid, gid, perm, overrun, err);

	if (k && (*err = key_instantiate(k, NULL, 0))) {
		key_put_locked(k);
		return NULL;
	}
	return k;
}

/* Install a new keyring in *slot (the caller's thread or process
 * keyring) unless one is there. 0 or its error. keys_lock held. */
static int install_own(struct key **slot, const char *desc)
{
	const struct cred *c = my_cred();
	int err;

	if (*slot)
		return 0;
	struct key *k = keyring_new(desc, c->uid, c->gid, PERM_OWN_KEYRING, true, &err);
	if (!k)
		return err;
	*slot = k;
	return 0;
}

/* The caller's real uid's user keyrings, made the first time (Linux's
 * look_up_user_keyrings): the user session keyring links the user one.
 * The record, or NULL with *err. keys_lock held. */
static struct key_user *user_keyrings(int *err)
{
	uint32_t uid = my_cred()->uid;
	struct key_user *u = key_user_get(uid);
	char desc[32];

	*err = -ENOMEM;
	if (!u)
		return NULL;
	if (!u->user_keyring) {
		ksnprintf(desc, sizeof(desc), "_uid.%u", uid);
		if (!(u->user_keyring = keyring_new(desc, uid, (uint32_t)-1, PERM_USER_KEYRING, false, err)))
			return NULL;
	}
	if (!u->session_keyring) {
		ksnprintf(desc, sizeof(desc), "_uid_ses.%u", uid);
		struct key *s = keyring_new(desc, uid, (uint32_t)-1, PERM_USER_KEYRING, false, err);
		if (!s)
			return NULL;
		if ((*err = keyring_link(s, u->user_keyring))) {
			key_put_locked(s);
			return NULL;
		}
		u->session_keyring = s;
	}
	return u;
}

/* Make a new anonymous session keyring the caller's. 0 or the error. */
static int install_session(struct key *k)
{
	struct cred *c = my_cred();

	key_put_locked(c->session_keyring);
	c->session_keyring = k;
	return 0;
}

/* The special keyring id names for the caller, made as Linux makes them
 * (create: thread, process, an anonymous session keyring; the per-user
 * ones always). The key or NULL with *err. keys_lock held. */
static struct key *lookup_special(int32_t id, unsigned lflags, int *err)
{
	struct cred *c = my_cred();
	struct key_user *u;

	*err = -ENOKEY;
	switch (id) {
	case KEY_SPEC_THREAD_KEYRING:
		if (!c->thread_keyring && (!(lflags & LK_CREATE) || (*err = install_own(&c->thread_keyring, "_tid"))))
			return NULL;
		return c->thread_keyring;
	case KEY_SPEC_PROCESS_KEYRING:
		if (!c->process_keyring && (!(lflags & LK_CREATE) || (*err = install_own(&c->process_keyring, "_pid"))))
			return NULL;
		return c->process_keyring;
	case KEY_SPEC_SESSION_KEYRING:
		if (!c->session_keyring) {
			if (!(u = user_keyrings(err)))
				return NULL;
			if (lflags & LK_CREATE) {
				struct key *k = keyring_new("_ses", c->uid, c->gid, PERM_SESSION, true, err);
				if (!k)
					return NULL;
				install_session(k);
			} else {
				key_get_locked(u->session_keyring);
				install_session(u->session_keyring);
			}
		}
		return c->session_keyring;
	case KEY_SPEC_USER_KEYRING:
		return (u = user_keyrings(err)) ? u->user_keyring : NULL;
	case KEY_SPEC_USER_SESSION_KEYRING:
		return (u = user_keyrings(err)) ? u->session_keyring : NULL;
	case KEY_SPEC_REQKEY_AUTH_KEY:
	case KEY_SPEC_REQUESTOR_KEYRING:
		return NULL; /* no request_key upcall runs here: no authority */
	default:
		*err = -EINVAL;
		return NULL;
	}
}

/*
 * Linux's lookup_user_key: the key id names for the caller (a special id
 * or a serial), checked as need asks: its state (negative, revoked,
 * expired; not for NEED_UNLINK, and ignored for NEED_DEFER) and its
 * permission bits need (KEY_NEED_*), the possessor's counting when the
 * caller possesses it (*pos). 0 with *out, or the error. keys_lock held.
 */
static int lookup(int32_t id, unsigned lflags, unsigned need, struct key **out, bool *pos)
{
	int err;
	struct key *k;

	if (id < 0) {
		if (!(k = lookup_special(id, lflags, &err)))
			return err;
		*pos = true;
	} else {
		if (id == 0)
			return -EINVAL;
		if (!(k = key_find(id)))
			return -ENOKEY;
		*pos = key_possessed(k);
	}
	if (need != NEED_UNLINK) {
		err = (k->flags & KF_NEGATIVE) && !key_expired(k) && !(lflags & LK_PARTIAL) ? k->reject
											   : key_validate(k);
		if (err && need != NEED_DEFER)
			return err;
	}
	if (need != NEED_UNLINK && need != NEED_DEFER && (err = key_permission(k, *pos, need)))
		return err;
	*out = k;
	return 0;
}

/* Take keys_lock for an operation (its flags, for keys_unlock), first
 * letting expired keys go when they are due. */
static uint64_t keys_lock_take(void)
{
	uint64_t fl = spin_lock_irqsave(&keys_lock);

	keys_gc_if_due();
	return fl;
}

static long keys_unlock(uint64_t fl, long r)
{
	keys_reap();
	spin_unlock_irqrestore(&keys_lock, fl);
	return r;
}

/* ---------------------------------------------------------- add_key */

/* A new key's default permissions (Linux's key_create_or_update). */
static uint32_t default_perm(const struct key_type *t)
{
	uint32_t perm = KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_LINK | KEY_POS_SETATTR | KEY_USR_VIEW;

	if (t->read)
		perm |= KEY_POS_READ;
	if (t->is_keyring || t->update)
		perm |= KEY_POS_WRITE;
	return perm;
}

/* The payload's check (Linux's preparse): a keyring takes none; user
 * and logon 1..32767 bytes. 0 or -EINVAL. */
static int payload_ok(const struct key_type *t, const void *payload, size_t plen)
{
	if (t->is_keyring)
		return plen ? -EINVAL : 0;
	return (plen == 0 || plen > t->max_payload || !payload) ? -EINVAL : 0;
}

/* Linux's key_create_or_update once the keyring is found. */
static long create_or_update(struct key *kr, const struct key_type *t, const char *desc,
			     const void *payload, size_t plen)
{
	const struct cred *c = current_cred();
	int r;

	if (!kr->type->is_keyring)
		return -ENOTDIR;
	if (!desc && !t->is_keyring)
		return -EINVAL;
	if ((r = payload_ok(t, payload, plen)) || (r = desc ? t->vet(desc) : -EINVAL))
		return r;
	if (kr->flags & KF_RESTRICTED)
		return -EPERM;
	int slot = t->update ? keyring_slot(kr, t, desc) : -1;
	if (slot >= 0 && !(kr->links[slot]->flags & (KF_REVOKED | KF_INVALID))) {
		struct key *old = kr->links[slot];
		if ((r = key_permission(old, true, KEY_NEED_WRITE)))
			return r;
		return (r = key_set_payload(old, payload, plen)) ? r : old->serial;
	}
	struct key *k = key_alloc(t, desc, c->fsuid, c->fsgid, default_perm(t), false, &r);
	if (!k)
		return r;
	if (!(r = key_instantiate(k, payload, plen)))
		r = keyring_link(kr, k);
	long ret = r ? r : k->serial;
	key_put_locked(k); /* the keyring's link holds it now */
	return ret;
}

long keys_add(const char *type, const char *desc, const void *payload, size_t plen, int32_t ringid)
{
	uint64_t fl = keys_lock_take();
	struct key *kr;
	bool pos;
	long r = lookup(ringid, LK_CREATE, KEY_NEED_WRITE, &kr, &pos);

	if (r == 0) {
		const struct key_type *t = key_type_find(type);
		r = t ? create_or_update(kr, t, desc, payload, plen) : -ENODEV;
	}
	return keys_unlock(fl, r);
}

/* ---------------------------------------------------------- request_key */

/* Where request_key puts a key it makes without a destination (Linux's
 * construct_get_dest_keyring): by the caller's jit_keyring setting,
 * falling back thread, process, session, user session. Write
 * permission needed. 0 with *out, or the error. keys_lock held. */
static int default_dest(struct key **out)
{
	struct cred *c = my_cred();
	struct key *d = NULL;
	struct key_user *u;
	int err = 0;

	switch (c->jit_keyring) {
	case KEY_REQKEY_DEFL_USER_KEYRING:
		if ((u = user_keyrings(&err)))
			d = u->user_keyring;
		break;
	case KEY_REQKEY_DEFL_DEFAULT:
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
	case KEY_REQKEY_DEFL_THREAD_KEYRING:
		if ((d = c->thread_keyring))
			break;
		/* fall through */
	case KEY_REQKEY_DEFL_PROCESS_KEYRING:
		if ((d = c->process_keyring))
			break;
		/* fall through */
	case KEY_REQKEY_DEFL_SESSION_KEYRING:
		if ((d = c->session_keyring))
			break;
		/* fall through */
	default:
		if ((u = user_keyrings(&err)))
			d = u->session_keyring;
		break;
	}
	if (!d)
		return err;
	if ((err = key_permission(d, true, KEY_NEED_WRITE)))
		return err;
	*out = d;
	return 0;
}

/*
 * Construct the key request_key asked for: Linux runs /sbin/request-key
 * to instantiate it; Kestrel runs no helper, so the key is made
 * negative at once, as Linux makes it when the helper declines, linked
 * into the destination for NEGATIVE_TIMEOUT_S, and the answer is -ENOKEY.
 */
static long construct(const struct key_type *t, const char *desc, struct key *dest)
{
	const struct cred *c = current_cred();
	int r;

	if (!dest && (r = default_dest(&dest)))
		return r;
	if (dest->flags & KF_RESTRICTED)
		return -EPERM;
	struct key *k = key_alloc(t, desc, c->fsuid, c->fsgid, default_perm(t), false, &r);
	if (!k)
		return r;
	key_negate(k, -ENOKEY, NEGATIVE_TIMEOUT_S);
	r = keyring_link(dest, k);
	key_put_locked(k);
	return r ? r : -ENOKEY;
}

long keys_request(const char *type, const char *desc, const char *callout, int32_t destid)
{
	uint64_t fl = keys_lock_take();
	struct key *dest = NULL;
	bool pos;
	long r = 0;
	int err;

	if (destid && (r = lookup(destid, LK_CREATE, KEY_NEED_WRITE, &dest, &pos)))
		return keys_unlock(fl, r);
	const struct key_type *t = key_type_find(type);
	if (!t)
		return keys_unlock(fl, -ENOKEY);
	struct key *k = keys_search_process(t, desc, &err);
	if (k) {
		if (dest && !(r = key_permission(k, true, KEY_NEED_LINK)))
			r = keyring_link(dest, k);
		return keys_unlock(fl, r ? r : k->serial);
	}
	if (err != -EAGAIN)
		return keys_unlock(fl, err);
	return keys_unlock(fl, callout ? construct(t, desc, dest) : -ENOKEY);
}

/* ---------------------------------------------------------- keyctl */

long keys_get_keyring_id(int32_t id, int create)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, create ? LK_CREATE : 0, KEY_NEED_SEARCH, &k, &pos);

	return keys_unlock(fl, r ? r : k->serial);
}

/* A named keyring the caller may search (not possessing it), to join
 * (Linux's find_keyring_by_name), or NULL. keys_lock held. */
static struct key *keyring_by_name(const char *name)
{
	for (struct key *k = keys_all; k; k = k->next)
		if (k->type->is_keyring && k->refs > 0 && strcmp(k->desc, name) == 0 &&
		    !key_validate(k) && !key_permission(k, false, KEY_NEED_SEARCH))
			return k;
	return NULL;
}

long keys_join_session(const char *name)
{
	uint64_t fl = keys_lock_take();
	const struct cred *c = current_cred();
	struct key *k;
	int err;

	if (!name) {
		if (!(k = keyring_new("_ses", c->uid, c->gid, PERM_SESSION, true, &err)))
			return keys_unlock(fl, err);
	} else if ((k = keyring_by_name(name))) {
		key_get_locked(k);
	} else if (!(k = keyring_new(name, c->uid, c->gid, PERM_NAMED_SES, false, &err))) {
		return keys_unlock(fl, err);
	}
	install_session(k);
	return keys_unlock(fl, k->serial);
}

long keys_update(int32_t id, const void *payload, size_t plen)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, 0, KEY_NEED_WRITE, &k, &pos);

	if (r == 0 && !k->type->update)
		r = -EOPNOTSUPP;
	if (r == 0 && !(r = payload_ok(k->type, payload, plen)))
		r = key_set_payload(k, payload, plen);
	return keys_unlock(fl, r);
}

/* Revoke k: its payload (a keyring's links) goes, and every use after
 * is -EKEYREVOKED. keys_lock held. */
static void revoke(struct key *k)
{
	if (k->flags & KF_REVOKED)
		return;
	k->flags |= KF_REVOKED;
	if (!k->expiry_ns || k->expiry_ns > time_ns()) /* as Linux: collected gc_delay after */
		key_set_expiry(k, time_ns());
	if (k->type->is_keyring) {
		keyring_clear_links(k);
	} else {
		key_reserve(k, 0);
		kfree(k->payload);
		k->payload = NULL;
	}
}

long keys_revoke(int32_t id)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, 0, KEY_NEED_WRITE, &k, &pos);

	if (r == -EACCES)
		r = lookup(id, 0, KEY_NEED_SETATTR, &k, &pos);
	if (r == 0)
		revoke(k);
	return keys_unlock(fl, r);
}

/* Move k's charge to uid's quota (KEYCTL_CHOWN): 0 or -EDQUOT, -ENOMEM. */
static int quota_move(struct key *k, uint32_t uid)
{
	struct key_user *n = key_user_get(uid);

	if (!n)
		return -ENOMEM;
	if ((k->flags & KF_IN_QUOTA) && n != k->user) {
		if (n->qnkeys + 1 > key_user_maxkeys(n) || n->qnbytes + k->quotalen > key_user_maxbytes(n))
			return -EDQUOT;
		n->qnkeys++;
		n->qnbytes += k->quotalen;
		k->user->qnkeys--;
		k->user->qnbytes -= k->quotalen;
	}
	k->user->nkeys--;
	n->nkeys++;
	if (k->flags & KF_INSTANTIATED) {
		k->user->nikeys--;
		n->nikeys++;
	}
	k->user = n;
	return 0;
}

long keys_chown(int32_t id, uint32_t uid, uint32_t gid)
{
	uint64_t fl = keys_lock_take();
	const struct cred *c = current_cred();
	struct key *k;
	bool pos;
	long r = lookup(id, LK_CREATE | LK_PARTIAL, KEY_NEED_SETATTR, &k, &pos);

	if (r)
		return keys_unlock(fl, r);
	if (!capable(CAP_SYS_ADMIN) && ((uid != (uint32_t)-1 && uid != k->uid) ||
					(gid != (uint32_t)-1 && gid != k->gid && !cred_in_group(c, gid))))
		return keys_unlock(fl, -EACCES);
	if (uid != (uint32_t)-1 && uid != k->uid) {
		if ((r = quota_move(k, uid)))
			return keys_unlock(fl, r);
		k->uid = uid;
	}
	if (gid != (uint32_t)-1)
		k->gid = gid;
	return keys_unlock(fl, 0);
}

long keys_setperm(int32_t id, uint32_t perm)
{
	if (perm & ~(uint32_t)(KEY_POS_ALL | KEY_USR_ALL | KEY_GRP_ALL | KEY_OTH_ALL))
		return -EINVAL;
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, LK_CREATE | LK_PARTIAL, KEY_NEED_SETATTR, &k, &pos);

	if (r == 0 && !capable(CAP_SYS_ADMIN) && k->uid != current_cred()->fsuid)
		r = -EACCES;
	if (r == 0)
		k->perm = perm;
	return keys_unlock(fl, r);
}

long keys_describe(int32_t id, char *buf, size_t cap)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, LK_CREATE | LK_PARTIAL, KEY_NEED_VIEW, &k, &pos);

	if (r == 0)
		r = ksnprintf(buf, cap, "%s;%d;%d;%08x;%s", k->type->name, (int)k->uid, (int)k->gid, k->perm,
			     k->desc) + 1;
	return keys_unlock(fl, r);
}

long keys_clear(int32_t ringid)
{
	uint64_t fl = keys_lock_take();
	struct key *kr;
	bool pos;
	long r = lookup(ringid, LK_CREATE, KEY_NEED_WRITE, &kr, &pos);

	if (r == 0 && !kr->type->is_keyring)
		r = -ENOTDIR;
	if (r == 0)
		keyring_clear_links(kr);
	return keys_unlock(fl, r);
}

long keys_link(int32_t id, int32_t ringid)
{
	uint64_t fl = keys_lock_take();
	struct key *kr, *k;
	bool pos;
	long r = lookup(ringid, LK_CREATE, KEY_NEED_WRITE, &kr, &pos);

	if (r == 0)
		r = lookup(id, LK_CREATE | LK_PARTIAL, KEY_NEED_LINK, &k, &pos);
	if (r == 0)
		r = keyring_link(kr, k);
	return keys_unlock(fl, r);
}

long keys_unlink(int32_t id, int32_t ringid)
{
	uint64_t fl = keys_lock_take();
	struct key *kr, *k;
	bool pos;
	long r = lookup(ringid, 0, KEY_NEED_WRITE, &kr, &pos);

	if (r == 0)
		r = lookup(id, LK_PARTIAL, NEED_UNLINK, &k, &pos);
	if (r == 0 && !kr->type->is_keyring)
		r = -ENOTDIR;
	if (r == 0) {
		unsigned i = 0;
		while (i < kr->nlinks && kr->links[i] != k)
			i++;
		if (i == kr->nlinks)
			r = -ENOENT;
		else
			keyring_drop(kr, i);
	}
	return keys_unlock(fl, r);
}

long keys_search(int32_t ringid, const char *type, const char *desc, int32_t destid)
{
	uint64_t fl = keys_lock_take();
	struct key *kr, *dest = NULL;
	bool pos, dpos;
	int err;
	long r = lookup(ringid, 0, KEY_NEED_SEARCH, &kr, &pos);

	if (r == 0 && destid)
		r = lookup(destid, LK_CREATE, KEY_NEED_WRITE, &dest, &dpos);
	if (r)
		return keys_unlock(fl, r);
	const struct key_type *t = key_type_find(type);
	if (!t)
		return keys_unlock(fl, -ENOKEY);
	if (!kr->type->is_keyring)
		return keys_unlock(fl, -ENOTDIR);
	struct key *k = keyring_search(kr, pos, t, desc, &err);
	if (!k)
		return keys_unlock(fl, err == -EAGAIN ? -ENOKEY : err);
	if (dest && !(r = key_permission(k, pos, KEY_NEED_LINK)))
		r = keyring_link(dest, k);
	return keys_unlock(fl, r ? r : k->serial);
}

/* Copy k's payload (whole serials of a keyring's links) to buf, *filled
 * the bytes copied: its length. */
static long read_payload(const struct key *k, void *buf, size_t cap, size_t *filled)
{
	*filled = 0;
	if (!k->type->is_keyring) {
		if (buf)
			memcpy(buf, k->payload, *filled = cap < k->datalen ? cap : k->datalen);
		return (long)k->datalen;
	}
	size_t n = k->nlinks;
	for (size_t i = 0; buf && i < n && (i + 1) * sizeof(int32_t) <= cap; i++) {
		((int32_t *)buf)[i] = k->links[i]->serial;
		*filled += sizeof(int32_t);
	}
	return (long)(n * sizeof(int32_t));
}

long keys_read(int32_t id, void *buf, size_t cap, size_t *filled)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, 0, NEED_DEFER, &k, &pos);

	if (r == 0 && (k->flags & KF_NEGATIVE))
		r = k->reject;
	if (r == 0 && key_permission(k, pos, KEY_NEED_READ) && !pos)
		r = -EACCES;
	if (r == 0 && !k->type->read)
		r = -EOPNOTSUPP;
	if (r == 0 && !(r = key_validate(k)))
		r = read_payload(k, buf, cap, filled);
	return keys_unlock(fl, r);
}

long keys_set_reqkey(int defl)
{
	struct cred *c = my_cred();
	int old = c->jit_keyring;
	long r = 0;

	switch (defl) {
	case KEY_REQKEY_DEFL_NO_CHANGE:
		return old;
	case KEY_REQKEY_DEFL_THREAD_KEYRING:
	case KEY_REQKEY_DEFL_PROCESS_KEYRING: {
		uint64_t fl = keys_lock_take();
		r = defl == KEY_REQKEY_DEFL_THREAD_KEYRING ? install_own(&c->thread_keyring, "_tid")
							   : install_own(&c->process_keyring, "_pid");
		keys_unlock(fl, 0);
		if (r)
			return r;
		break;
	}
	case KEY_REQKEY_DEFL_DEFAULT:
	case KEY_REQKEY_DEFL_SESSION_KEYRING:
	case KEY_REQKEY_DEFL_USER_KEYRING:
	case KEY_REQKEY_DEFL_USER_SESSION_KEYRING:
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
		break;
	default:
		return -EINVAL;
	}
	c->jit_keyring = defl;
	return old;
}

long keys_set_timeout(int32_t id, uint32_t seconds)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, LK_CREATE | LK_PARTIAL, KEY_NEED_SETATTR, &k, &pos);

	if (r == 0)
		key_set_expiry(k, seconds ? time_ns() + (uint64_t)seconds * 1000000000ull : 0);
	return keys_unlock(fl, r);
}

/* Remove every link to k (an invalidated key goes at once, where Linux's
 * garbage collector takes it soon after). keys_lock held. */
static void unlink_everywhere(struct key *k)
{
	for (struct key *kr = keys_all; kr; kr = kr->next) {
		if (!kr->type->is_keyring)
			continue;
		for (unsigned i = kr->nlinks; i-- > 0;)
			if (kr->links[i] == k)
				keyring_drop(kr, i);
	}
}

long keys_invalidate(int32_t id)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, 0, KEY_NEED_SEARCH, &k, &pos);

	if (r == 0) {
		k->flags |= KF_INVALID;
		key_get_locked(k); /* still ours while the links go */
		unlink_everywhere(k);
		key_put_locked(k);
	}
	return keys_unlock(fl, r);
}

long keys_restrict(int32_t id, const char *type, const char *restriction)
{
	uint64_t fl = keys_lock_take();
	struct key *k;
	bool pos;
	long r = lookup(id, 0, KEY_NEED_SETATTR, &k, &pos);

	if (r == 0 && !k->type->is_keyring)
		r = -ENOTDIR;
	else if (r == 0 && (k->flags & KF_RESTRICTED))
		r = -EEXIST;
	else if (r == 0 && !type)
		r = restriction ? -EINVAL : 0;
	else if (r == 0)
		r = -ENOENT; /* no type here restricts by a rule (Linux's asymmetric does) */
	if (r == 0)
		k->flags |= KF_RESTRICTED;
	return keys_unlock(fl, r);
}
