/* SPDX-License-Identifier: MIT */
/* Linux's keyrings (keyrings(7)): keys of type user, logon and keyring, the thread, process, session and per-user keyrings, permissions and quotas. sys/sys_keys.c is the system calls' side. */
#ifndef KESTREL_KEYS_KEYS_H
#define KESTREL_KEYS_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct sbuf;

/* Linux's sizes: a type name (with its NUL), a description, a payload. */
#define KEY_TYPE_MAX     32
#define KEY_DESC_MAX     4096
#define KEY_PAYLOAD_MAX  (1024 * 1024 - 1)   /* add_key's plen */
#define KEY_UPDATE_MAX   4096                /* KEYCTL_UPDATE's plen (PAGE_SIZE) */

/*
 * The operations below are the system calls' bodies once sys_keys.c has
 * copied their strings and payloads in: each takes keys' lock itself,
 * never sleeps nor touches user memory under it, and answers a serial
 * (> 0), 0 or a negative errno in Linux 6.1's order (security/keys/).
 */
long keys_add(const char *type, const char *desc, const void *payload, size_t plen, int32_t ringid);
long keys_request(const char *type, const char *desc, const char *callout, int32_t destid);
long keys_get_keyring_id(int32_t id, int create);
long keys_join_session(const char *name);
long keys_update(int32_t id, const void *payload, size_t plen);
long keys_revoke(int32_t id);
long keys_chown(int32_t id, uint32_t uid, uint32_t gid);
long keys_setperm(int32_t id, uint32_t perm);
/* KEYCTL_DESCRIBE's text into buf (cap KEY_DESC_MAX + 64): its length with the NUL. */
long keys_describe(int32_t id, char *buf, size_t cap);
long keys_clear(int32_t ringid);
long keys_link(int32_t id, int32_t ringid);
long keys_unlink(int32_t id, int32_t ringid);
long keys_search(int32_t ringid, const char *type, const char *desc, int32_t destid);
/* KEYCTL_READ: the payload's length; its first min(len, cap) bytes (a
 * keyring's whole serials only) into buf when buf is not NULL, *filled
 * saying how many. */
long keys_read(int32_t id, void *buf, size_t cap, size_t *filled);
long keys_set_reqkey(int defl);
long keys_set_timeout(int32_t id, uint32_t seconds);
long keys_invalidate(int32_t id);
long keys_restrict(int32_t id, const char *type, const char *restriction);

/* /proc/keys and /proc/key-users. */
void keys_proc_keys(struct sbuf *s);
void keys_proc_key_users(struct sbuf *s);

/* Register the cred hooks, the sysctls and the /proc files; boot time. */
void keys_init(void);

#endif
