/* SPDX-License-Identifier: MIT */
/* Keys' insides, shared by keys.c (keys, quotas, keyrings), keyctl.c (the operations) and keys_proc.c (/proc and sysctls); the rest of the kernel uses keys.h. */
#ifndef KESTREL_KEYS_KEYS_INT_H
#define KESTREL_KEYS_KEYS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/spinlock.h"

/* A type of key: read (KEYCTL_READ works), update (KEYCTL_UPDATE and
 * add_key's replacement in place), the largest payload, and the check of
 * a description (0 or -EINVAL). */
struct key_type {
	const char *name;
	bool read, update, is_keyring;
	size_t max_payload;
	int (*vet)(const char *desc);
};
extern const struct key_type key_type_keyring, key_type_user, key_type_logon;

/* The state bits of a key. */
#define KF_IN_QUOTA     0x01   /* charged to its user */
#define KF_INSTANTIATED 0x02
#define KF_NEGATIVE     0x04   /* request_key found none: answers reject */
#define KF_REVOKED      0x08
#define KF_INVALID      0x10
#define KF_RESTRICTED   0x20   /* a keyring that links nothing more */

/* A key. keys_lock protects every field. */
struct key {
	int32_t serial;
	int refs;                   /* links, credentials, a user's keyrings */
	const struct key_type *type;
	char *desc;
	uint32_t uid, gid, perm;
	unsigned flags;             /* KF_* */
	int reject;                 /* a negative key's error */
	uint64_t expiry_ns;         /* time_ns() it expires at, 0: never */
	struct key_user *user;      /* whose quota it is in (its owner's at birth) */
	int64_t quotalen;           /* bytes charged: description and payload */
	size_t datalen;             /* the payload's bytes (a keyring's: 4 a link) */
	void *payload;              /* user and logon keys */
	struct key **links;         /* a keyring's keys, nlinks of caplinks */
	unsigned nlinks, caplinks;
	uint64_t visit;             /* the last walk that passed (cycles, searches) */
	struct key *next, *prev;    /* keys_all */
	struct key *dead_next;      /* the dead list */
};

/* A user's keys and quota (Linux's key_user). keys_lock; never freed. */
struct key_user {
	uint32_t uid;
	int nkeys, nikeys;          /* keys, instantiated keys */
	int64_t qnkeys, qnbytes;    /* keys and bytes charged */
	struct key *user_keyring, *session_keyring; /* "_uid.N", "_uid_ses.N", a reference each */
	struct key_user *next;
};

/* kernel.keys.*: the quotas and two settings kept for programs to read. */
enum { KL_MAXKEYS, KL_MAXBYTES, KL_ROOT_MAXKEYS, KL_ROOT_MAXBYTES, KL_GC_DELAY, KL_PERSIST_EXPIRY,
       KEY_LIMITS };
extern int64_t key_limits[KEY_LIMITS];

extern struct spinlock keys_lock;
extern struct key *keys_all;
extern struct key_user *key_users;

/* keys.c; every one with keys_lock held. */
const struct key_type *key_type_find(const char *name);
struct key_user *key_user_get(uint32_t uid);
int64_t key_user_maxkeys(const struct key_user *u);
int64_t key_user_maxbytes(const struct key_user *u);
int key_reserve(struct key *k, size_t len);
struct key *key_alloc(const struct key_type *t, const char *desc, uint32_t uid, uint32_t gid,
		      uint32_t perm, bool overrun, int *err);
int key_instantiate(struct key *k, const void *payload, size_t plen);
/* Give k a copy of payload[0..plen) (plen > 0) in place of its own,
 * charged to its owner's quota: 0, -EDQUOT, -ENOMEM (k unchanged then).
 * keys_lock held. */
int key_set_payload(struct key *k, const void *payload, size_t plen);
void key_negate(struct key *k, int err, uint32_t timeout_s);
void key_set_expiry(struct key *k, uint64_t expiry_ns);
void keys_gc_if_due(void);
void key_get_locked(struct key *k);
void key_put_locked(struct key *k);
void keys_reap(void);
bool key_expired(const struct key *k);
int key_validate(const struct key *k);
int key_permission(const struct key *k, bool possessed, unsigned need);
struct key *key_find(int32_t serial);
uint64_t key_visit_new(void);
int keyring_slot(const struct key *kr, const struct key_type *t, const char *desc);
int keyring_link(struct key *kr, struct key *k);
void keyring_drop(struct key *kr, unsigned i);
void keyring_clear_links(struct key *kr);
struct key *keyring_search(struct key *kr, bool pos, const struct key_type *t, const char *desc,
			   int *err);
void keys_top(struct key *top[3]);
bool key_possessed(const struct key *k);
struct key *keys_search_process(const struct key_type *t, const char *desc, int *err);
void keys_core_init(void);

#endif
