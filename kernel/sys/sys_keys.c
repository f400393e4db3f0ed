// SPDX-License-Identifier: MIT
/*
 * Kestrel: add_key(2), request_key(2) and keyctl(2): the user's strings
 * and payloads copied in, in Linux 6.1's order (security/keys/keyctl.c),
 * then keys/ does the work; answers copied out after keys' lock is let go.
 */
#include "sys/syscall_define.h"
#include "keys/keys.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "uapi/keyctl.h"

/* Linux's key_get_type_from_user: a type name of 1..31 bytes into
 * type[KEY_TYPE_MAX]; -EFAULT, -EINVAL, -EPERM (a '.' name is the
 * kernel's own). */
static int get_type(char *type, uptr_t u)
{
	long n = strncpy_from_user(type, u, KEY_TYPE_MAX);

	if (n == -EFAULT)
		return -EFAULT;
	if (n <= 0)
		return -EINVAL;
	return type[0] == '.' ? -EPERM : 0;
}

/* Linux's strndup_user(u, max): a new copy (kfree it) in *out, or
 * -EFAULT, -EINVAL (max bytes or more), -ENOMEM. */
static int dup_string(uptr_t u, size_t max, char **out)
{
	char *s = kmalloc(max);
	long n;

	if (!s)
		return -ENOMEM;
	if ((n = strncpy_from_user(s, u, max)) < 0) {
		kfree(s);
		return n == -EFAULT ? -EFAULT : -EINVAL;
	}
	*out = s;
	return 0;
}

/* A payload of plen bytes (none for 0) copied in: 0 or -ENOMEM, -EFAULT. */
static int get_payload(uptr_t u, size_t plen, void **out)
{
	*out = NULL;
	if (!plen)
		return 0;
	void *p = kmalloc(plen);
	if (!p)
		return -ENOMEM;
	if (copy_from_user(p, u, plen)) {
		kfree(p);
		return -EFAULT;
	}
	*out = p;
	return 0;
}

SYSCALL_DEFINE5(add_key, uptr_t, utype, uptr_t, udesc, uptr_t, upayload, size_t, plen, int32_t, ringid)
{
	char type[KEY_TYPE_MAX], *desc = NULL;
	void *payload = NULL;
	long r;

	if (plen > KEY_PAYLOAD_MAX)
		return -EINVAL;
	if ((r = get_type(type, utype)))
		return r;
	if (udesc && (r = dup_string(udesc, KEY_DESC_MAX, &desc)))
		return r;
	if (desc && !desc[0]) {
		kfree(desc);
		desc = NULL;
	}
	if (desc && desc[0] == '.' && strncmp(type, "keyring", 7) == 0)
		r = -EPERM;
	if (r == 0 && (r = get_payload(upayload, plen, &payload)) == 0)
		r = keys_add(type, desc, payload, plen, ringid);
	kfree(payload);
	kfree(desc);
	return r;
}

SYSCALL_DEFINE4(request_key, uptr_t, utype, uptr_t, udesc, uptr_t, ucallout, int32_t, destid)
{
	char type[KEY_TYPE_MAX], *desc = NULL, *callout = NULL;
	long r;

	if ((r = get_type(type, utype)) || (r = dup_string(udesc, KEY_DESC_MAX, &desc)))
		return r;
	if (ucallout && (r = dup_string(ucallout, KEY_DESC_MAX, &callout))) {
		kfree(desc);
		return r;
	}
	r = keys_request(type, desc, callout, destid);
	kfree(callout);
	kfree(desc);
	return r;
}

/* KEYCTL_UPDATE: a payload of at most a page. */
static long kc_update(int32_t id, uptr_t upayload, size_t plen)
{
	void *payload;
	long r;

	if (plen > KEY_UPDATE_MAX)
		return -EINVAL;
	if ((r = get_payload(upayload, plen, &payload)))
		return r;
	r = keys_update(id, payload, plen);
	kfree(payload);
	return r;
}

static long kc_join(uptr_t uname)
{
	char *name = NULL;
	long r;

	if (uname && (r = dup_string(uname, KEY_DESC_MAX, &name)))
		return r;
	r = name && name[0] == '.' ? -EPERM : keys_join_session(name);
	kfree(name);
	return r;
}

/* KEYCTL_DESCRIBE: the text is copied only to a buffer it fits whole. */
static long kc_describe(int32_t id, uptr_t ubuf, size_t buflen)
{
	size_t cap = KEY_DESC_MAX + 64;
	char *buf = kmalloc(cap);
	long r;

	if (!buf)
		return -ENOMEM;
	r = keys_describe(id, buf, cap);
	if (r > 0 && ubuf && buflen >= (size_t)r && copy_to_user(ubuf, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	return r;
}

static long kc_search(int32_t ringid, uptr_t utype, uptr_t udesc, int32_t destid)
{
	char type[KEY_TYPE_MAX], *desc;
	long r;

	if ((r = get_type(type, utype)) || (r = dup_string(udesc, KEY_DESC_MAX, &desc)))
		return r;
	r = keys_search(ringid, type, desc, destid);
	kfree(desc);
	return r;
}

/* KEYCTL_READ: the length first, then the payload, copied only to a
 * buffer it fits whole, as Linux's (the key may change between the two
 * reads: the second one's answer counts). */
static long kc_read(int32_t id, uptr_t ubuf, size_t buflen)
{
	size_t filled;
	long r = keys_read(id, NULL, 0, &filled);

	if (r <= 0 || !ubuf || buflen < (size_t)r)
		return r;
	size_t cap = (size_t)r;
	void *buf = kzalloc(cap);
	if (!buf)
		return -ENOMEM;
	r = keys_read(id, buf, cap, &filled);
	if (r >= 0 && (size_t)r <= buflen && filled && copy_to_user(ubuf, buf, filled))
		r = -EFAULT;
	kfree(buf);
	return r;
}

static long kc_restrict(int32_t id, uptr_t utype, uptr_t urestriction)
{
	char type[KEY_TYPE_MAX], *restriction = NULL;
	long r;

	if (utype && (r = get_type(type, utype)))
		return r;
	if (urestriction) {
		if (!utype)
			return -EINVAL;
		if ((r = dup_string(urestriction, 4096, &restriction)))
			return r;
	}
	r = keys_restrict(id, utype ? type : NULL, restriction);
	kfree(restriction);
	return r;
}

/* KEYCTL_REJECT and NEGATE: only the process request_key started to
 * construct a key may answer it, and Kestrel starts none. */
static long kc_reject(int error)
{
	if (error <= 0 || error >= 4096)
		return -EINVAL;
	return -EPERM;
}

SYSCALL_DEFINE5(keyctl, int, cmd, unsigned long, a2, unsigned long, a3, unsigned long, a4,
		unsigned long, a5)
{
	int32_t id = (int32_t)a2;

	switch (cmd) {
	case KEYCTL_GET_KEYRING_ID: return keys_get_keyring_id(id, (int)a3);
	case KEYCTL_JOIN_SESSION_KEYRING: return kc_join(a2);
	case KEYCTL_UPDATE: return kc_update(id, a3, a4);
	case KEYCTL_REVOKE: return keys_revoke(id);
	case KEYCTL_CHOWN: return keys_chown(id, (uint32_t)a3, (uint32_t)a4);
	case KEYCTL_SETPERM: return keys_setperm(id, (uint32_t)a3);
	case KEYCTL_DESCRIBE: return kc_describe(id, a3, a4);
	case KEYCTL_CLEAR: return keys_clear(id);
	case KEYCTL_LINK: return keys_link(id, (int32_t)a3);
	case KEYCTL_UNLINK: return keys_unlink(id, (int32_t)a3);
	case KEYCTL_SEARCH: return kc_search(id, a3, a4, (int32_t)a5);
	case KEYCTL_READ: return kc_read(id, a3, a4);
	case KEYCTL_INSTANTIATE:
	case KEYCTL_INSTANTIATE_IOV: return a4 > KEY_PAYLOAD_MAX ? -EINVAL : -EPERM;
	case KEYCTL_NEGATE: return kc_reject(126 /* ENOKEY */);
	case KEYCTL_REJECT: return kc_reject((int)a4);
	case KEYCTL_SET_REQKEY_KEYRING: return keys_set_reqkey((int)a2);
	case KEYCTL_SET_TIMEOUT: return keys_set_timeout(id, (uint32_t)a3);
	case KEYCTL_ASSUME_AUTHORITY: return id < 0 ? -EINVAL : id == 0 ? 0 : -ENOKEY;
	case KEYCTL_INVALIDATE: return keys_invalidate(id);
	case KEYCTL_RESTRICT_KEYRING: return kc_restrict(id, a3, a4);
	default: return -EOPNOTSUPP; /* as Linux for what it was built without */
	}
}
