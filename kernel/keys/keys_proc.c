// SPDX-License-Identifier: MIT
/*
 * Kestrel: the keyrings' files: kernel.keys.* in /proc/sys (Linux's
 * security/keys/sysctl.c, with its bounds), /proc/keys and
 * /proc/key-users (Linux's security/keys/proc.c formats), which /proc
 * reaches through procfs_keys_show so that fs/ calls nothing of keys/.
 */
#include "keys/keys.h"
#include "keys/keys_int.h"
#include "fs/procfs_sys.h"
#include "fs/sbuf.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "proc/process.h"
#include "time/time.h"
#include "uapi/keyctl.h"

#define INT_MAX_V 2147483647
#define OVERFLOW_ID 65534  /* how an id with no mapping (-1) shows */

/* fs/procfs.c's hook for /proc/keys and /proc/key-users. */
extern void (*procfs_keys_show)(const char *name, struct sbuf *s);

/* A key's time left as /proc/keys shows it: "perm", "expd", or a count
 * of seconds, minutes, hours, days or weeks. */
static void show_timeout(char *buf, size_t cap, const struct key *k)
{
	uint64_t now = time_ns();

	if (!k->expiry_ns) {
		ksnprintf(buf, cap, "perm");
		return;
	}
	if (now >= k->expiry_ns) {
		ksnprintf(buf, cap, "expd");
		return;
	}
	unsigned long s = (unsigned long)((k->expiry_ns - now) / 1000000000ull);
	if (s < 60)
		ksnprintf(buf, cap, "%lus", s);
	else if (s < 3600)
		ksnprintf(buf, cap, "%lum", s / 60);
	else if (s < 86400)
		ksnprintf(buf, cap, "%luh", s / 3600);
	else if (s < 604800)
		ksnprintf(buf, cap, "%lud", s / 86400);
	else
		ksnprintf(buf, cap, "%luw", s / 604800);
}

static unsigned shown_id(uint32_t id)
{
	return id == (uint32_t)-1 ? OVERFLOW_ID : id;
}

/* One line of /proc/keys. keys_lock held. */
static void show_key(struct sbuf *s, const struct key *k)
{
	char tbuf[16];

	show_timeout(tbuf, sizeof(tbuf), k);
	sb_printf(s, "%08x %c%c%c%c%c%c%c %5d %4s %08x %5u %5u %-9.9s %s", (unsigned)k->serial,
		  (k->flags & KF_INSTANTIATED) ? 'I' : '-', (k->flags & KF_REVOKED) ? 'R' : '-', '-',
		  (k->flags & KF_IN_QUOTA) ? 'Q' : '-', '-', (k->flags & KF_NEGATIVE) ? 'N' : '-',
		  (k->flags & KF_INVALID) ? 'i' : '-', k->refs, tbuf, k->perm, shown_id(k->uid),
		  shown_id(k->gid), k->type->name, k->desc);
	if ((k->flags & KF_INSTANTIATED) && !(k->flags & KF_NEGATIVE)) {
		if (!k->type->is_keyring)
			sb_printf(s, ": %zu", k->datalen);
		else if (k->nlinks)
			sb_printf(s, ": %u", k->nlinks);
		else
			sb_printf(s, ": empty");
	}
	sb_printf(s, "\n");
}

void keys_proc_keys(struct sbuf *s)
{
	uint64_t fl = spin_lock_irqsave(&keys_lock);

	for (const struct key *k = keys_all; k; k = k->next)
		if (k->refs > 0 && !key_permission(k, key_possessed(k), KEY_NEED_VIEW))
			show_key(s, k);
	spin_unlock_irqrestore(&keys_lock, fl);
}

void keys_proc_key_users(struct sbuf *s)
{
	uint64_t fl = spin_lock_irqsave(&keys_lock);

	for (const struct key_user *u = key_users; u; u = u->next)
		sb_printf(s, "%5u: %5d %d/%d %lld/%lld %lld/%lld\n", u->uid, u->nkeys, u->nkeys, u->nikeys,
			  (long long)u->qnkeys, (long long)key_user_maxkeys(u), (long long)u->qnbytes,
			  (long long)key_user_maxbytes(u));
	spin_unlock_irqrestore(&keys_lock, fl);
}

static void keys_show(const char *name, struct sbuf *s)
{
	if (strcmp(name, "keys") == 0)
		keys_proc_keys(s);
	else if (strcmp(name, "key-users") == 0)
		keys_proc_key_users(s);
}

#define KEYS_RW(nm, i) \
	{ .name = nm, .dir = SYSCTL_DIR_KERNEL_KEYS, .mode = 0644, .n = 1, .data = &key_limits[i], \
	  .min = 0, .max = INT_MAX_V }

/* Written whole (the parser's store) and read under keys_lock. */
static const struct sysctl_file keys_files[] = {
	KEYS_RW("maxkeys", KL_MAXKEYS),
	KEYS_RW("maxbytes", KL_MAXBYTES),
	KEYS_RW("root_maxkeys", KL_ROOT_MAXKEYS),
	KEYS_RW("root_maxbytes", KL_ROOT_MAXBYTES),
	KEYS_RW("gc_delay", KL_GC_DELAY),
	KEYS_RW("persistent_keyring_expiry", KL_PERSIST_EXPIRY),
};

void keys_init(void)
{
	keys_core_init();
	procfs_sysctl_register(keys_files, sizeof(keys_files) / sizeof(keys_files[0]));
	procfs_keys_show = keys_show;
}
