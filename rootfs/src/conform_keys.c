// SPDX-License-Identifier: MIT
// Keyrings conformance: add_key, request_key and keyctl as Linux 6.1's (keyrings(7)): special ids, payloads, errors, revocation, expiry, links, permissions, /proc.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "checks.h"

/*
 * Each check runs in its own child (c_isolate) in a new anonymous
 * session keyring, so that no key of one check is seen by another. The
 * calls are raw system calls (no libkeyutils). A kernel without
 * keyrings fails every check with ENOSYS.
 */
#define KEY_SPEC_THREAD_KEYRING  (-1)
#define KEY_SPEC_PROCESS_KEYRING (-2)
#define KEY_SPEC_SESSION_KEYRING (-3)
#define KEY_SPEC_USER_KEYRING    (-4)
#define KEY_SPEC_GROUP_KEYRING   (-6)
#define KEYCTL_GET_KEYRING_ID       0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_UPDATE               2
#define KEYCTL_REVOKE               3
#define KEYCTL_SETPERM              5
#define KEYCTL_DESCRIBE             6
#define KEYCTL_CLEAR                7
#define KEYCTL_LINK                 8
#define KEYCTL_UNLINK               9
#define KEYCTL_SEARCH               10
#define KEYCTL_READ                 11
#define KEYCTL_SET_REQKEY_KEYRING   14
#define KEYCTL_SET_TIMEOUT          15
#define KEYCTL_INVALIDATE           21
#define KEY_POS_ALL   0x3f000000
#define KEY_POS_WRITE 0x04000000
#define KEY_USR_VIEW  0x00010000

#ifndef EDQUOT
#define EDQUOT 122
#endif
#ifndef ENOKEY
#define ENOKEY 126
#endif

static long add_key(const char *type, const char *desc, const void *p, size_t n, int ring)
{
	return syscall(SYS_add_key, type, desc, p, n, ring);
}

static long request_key(const char *type, const char *desc, const char *callout, int dest)
{
	return syscall(SYS_request_key, type, desc, callout, dest);
}

static long keyctl(int cmd, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	return syscall(SYS_keyctl, cmd, a, b, c, d);
}

/* A new anonymous session keyring for the check: its serial or -1. */
static long new_session(void)
{
	return keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
}

/* The special ids: made on request (create), the same serial after. */
static int check_special_ids(void)
{
	long ses = new_session(), t, p;
	int r;

	if ((r = want_ok("join", ses)))
		return r;
	if ((r = want_eq("session id", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0), ses)))
		return r;
	errno = 0;
	if ((r = want_err("thread, no create", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0), ENOKEY)))
		return r;
	if ((r = want_ok("thread, create", t = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0))))
		return r;
	if ((r = want_eq("thread again", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0), t)))
		return r;
	if ((r = want_ok("process, create", p = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1, 0, 0))))
		return r;
	if (p == t || p == ses)
		return fail("process keyring %ld is another's", p);
	if ((r = want_ok("user keyring", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0, 0, 0))))
		return r;
	if ((r = want_err("group keyring", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_GROUP_KEYRING, 0, 0, 0), EINVAL)))
		return r;
	if ((r = want_err("id 0", keyctl(KEYCTL_GET_KEYRING_ID, 0, 0, 0, 0), EINVAL)))
		return r;
	return want_err("an unused serial", keyctl(KEYCTL_READ, 0x7fffffff, 0, 0, 0), ENOKEY);
}

/* A user key: read back whole, and not to a buffer too small, replaced in place by a
 * second add_key, described; the keyring lists it. */
static int check_user_key(void)
{
	char buf[64], want[80];
	int32_t ids[2] = { 0, 0 };
	long ses = new_session(), k;
	int r;

	if ((r = want_ok("add_key", k = add_key("user", "k1", "hello", 5, KEY_SPEC_SESSION_KEYRING))))
		return r;
	if ((r = want_eq("read", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 5)))
		return r;
	if (memcmp(buf, "hello", 5))
		return fail("read gave %.5s", buf);
	memset(buf, 0, sizeof(buf));
	if ((r = want_eq("short read", keyctl(KEYCTL_READ, k, (unsigned long)buf, 2, 0), 5)))
		return r;
	if (buf[0])  /* Linux copies nothing to a buffer too small for the whole */
		return fail("short read gave %.5s", buf);
	if ((r = want_eq("add again", add_key("user", "k1", "bye", 3, KEY_SPEC_SESSION_KEYRING), k)))
		return r;
	if ((r = want_eq("read again", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 3)))
		return r;
	if ((r = want_eq("keyring read", keyctl(KEYCTL_READ, ses, (unsigned long)ids, sizeof(ids), 0), 4)))
		return r;
	if (ids[0] != k || ids[1] != 0)
		return fail("keyring read gave %d %d, want %ld 0", ids[0], ids[1], k);
	snprintf(want, sizeof(want), "user;%u;%u;3f010000;k1", getuid(), getgid());
	if ((r = want_eq("describe", keyctl(KEYCTL_DESCRIBE, k, (unsigned long)buf, sizeof(buf), 0),
			 (long)strlen(want) + 1)))
		return r;
	return strcmp(buf, want) ? fail("describe gave \"%s\", want \"%s\"", buf, want) : CHECK_OK;
}

/* add_key's refusals, in Linux's order. */
static int check_add_errors(void)
{
	static char big[32768];
	int r;

	new_session();
	if ((r = want_err("'.' type", add_key(".x", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EPERM)) ||
	    (r = want_err("unknown type", add_key("no_such_type", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), ENODEV)) ||
	    (r = want_err("empty payload", add_key("user", "d", "", 0, KEY_SPEC_SESSION_KEYRING), EINVAL)) ||
	    (r = want_err("32768 bytes", add_key("user", "d", big, sizeof(big), KEY_SPEC_SESSION_KEYRING), EINVAL)) ||
	    (r = want_err("keyring payload", add_key("keyring", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EINVAL)) ||
	    (r = want_err("logon without ':'", add_key("logon", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EINVAL)) ||
	    (r = want_err("bad payload", add_key("user", "d", NULL, 64, KEY_SPEC_SESSION_KEYRING), EFAULT)) ||
	    (r = want_err("'.' keyring", add_key("keyring", ".d", NULL, 0, KEY_SPEC_SESSION_KEYRING), EPERM)))
		return r;
	long k = add_key("user", "d", "p", 1, KEY_SPEC_SESSION_KEYRING);
	if ((r = want_ok("add", k)) ||
	    (r = want_err("into a user key", add_key("user", "e", "p", 1, (int)k), ENOTDIR)))
		return r;
	long l = add_key("logon", "svc:d", "p", 1, KEY_SPEC_SESSION_KEYRING);
	if ((r = want_ok("logon", l)))
		return r;
	return want_err("read logon", keyctl(KEYCTL_READ, l, 0, 0, 0), EOPNOTSUPP);
}

/* Revocation: every use after is EKEYREVOKED; unlinked, the key goes. */
static int check_revoke(void)
{
	char buf[8];
	long ses = new_session(), k = add_key("user", "r", "p", 1, KEY_SPEC_SESSION_KEYRING);
	int r;

	if ((r = want_ok("add", k)) || (r = want_eq("revoke", keyctl(KEYCTL_REVOKE, k, 0, 0, 0), 0)) ||
	    (r = want_err("read", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), EKEYREVOKED)) ||
	    (r = want_err("update", keyctl(KEYCTL_UPDATE, k, (unsigned long)"q", 1, 0), EKEYREVOKED)) ||
	    (r = want_eq("unlink", keyctl(KEYCTL_UNLINK, k, ses, 0, 0), 0)))
		return r;
	for (int i = 0; i < 50; i++) { /* Linux's collector runs soon after */
		if (keyctl(KEYCTL_REVOKE, k, 0, 0, 0) == -1 && errno == ENOKEY)
			return CHECK_OK;
		ms_sleep(100);
	}
	return fail("revoked key %ld still there 5 s after its last link went", k);
}

/* SET_TIMEOUT: after it, EKEYEXPIRED. */
static int check_timeout(void)
{
	char buf[8];
	long k;
	int r;

	new_session();
	if ((r = want_ok("add", k = add_key("user", "t", "p", 1, KEY_SPEC_SESSION_KEYRING))) ||
	    (r = want_eq("set_timeout", keyctl(KEYCTL_SET_TIMEOUT, k, 1, 0, 0), 0)) ||
	    (r = want_eq("read before", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), 1)))
		return r;
	ms_sleep(1200);
	return want_err("read after", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof(buf), 0), EKEYEXPIRED);
}

/* Keyrings in keyrings: search, link, unlink, clear, cycles. */
static int check_links(void)
{
	long ses = new_session(), kr, a;
	int32_t ids[4];
	int r;

	if ((r = want_ok("keyring", kr = add_key("keyring", "kr", NULL, 0, KEY_SPEC_SESSION_KEYRING))) ||
	    (r = want_ok("key", a = add_key("user", "a", "p", 1, (int)kr))) ||
	    (r = want_eq("search", keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user", (unsigned long)"a", 0), a)) ||
	    (r = want_err("search none", keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user", (unsigned long)"b", 0), ENOKEY)) ||
	    (r = want_eq("link", keyctl(KEYCTL_LINK, a, ses, 0, 0), 0)) ||
	    (r = want_eq("read", keyctl(KEYCTL_READ, ses, (unsigned long)ids, sizeof(ids), 0), 8)) ||
	    (r = want_eq("unlink", keyctl(KEYCTL_UNLINK, a, kr, 0, 0), 0)) ||
	    (r = want_err("unlink again", keyctl(KEYCTL_UNLINK, a, kr, 0, 0), ENOENT)) ||
	    (r = want_err("self link", keyctl(KEYCTL_LINK, kr, kr, 0, 0), EDEADLK)) ||
	    (r = want_err("cycle", keyctl(KEYCTL_LINK, ses, kr, 0, 0), EDEADLK)) ||
	    (r = want_err("link into a key", keyctl(KEYCTL_LINK, kr, a, 0, 0), ENOTDIR)) ||
	    (r = want_eq("clear", keyctl(KEYCTL_CLEAR, ses, 0, 0, 0), 0)))
		return r;
	return want_eq("read cleared", keyctl(KEYCTL_READ, ses, (unsigned long)ids, sizeof(ids), 0), 0);
}

/* request_key: found in the caller's keyrings; not found without a
 * callout ENOKEY; with one, a negative key in the destination. */
static int check_request(void)
{
	long ses = new_session(), kr, neg;
	int32_t id;
	char buf[8];
	int r;

	if ((r = want_ok("keyring", kr = add_key("keyring", "rq", NULL, 0, KEY_SPEC_SESSION_KEYRING))) ||
	    (r = want_eq("found", request_key("keyring", "rq", NULL, 0), kr)) ||
	    (r = want_err("not found", request_key("keyring", "none", NULL, 0), ENOKEY)) ||
	    (r = want_err("'.' type", request_key(".t", "d", NULL, 0), EPERM)) ||
	    (r = want_err("bad type", request_key((char *)-1, "d", NULL, 0), EFAULT)))
		return r;
	neg = request_key("user", "neg", "info", (int)kr);
	if (neg != -1 || (errno != ENOKEY && errno != ENOENT))
		return fail("request with callout: %ld/%s, want -1/ENOKEY or ENOENT", neg, errname(errno));
	if ((r = want_eq("dest read", keyctl(KEYCTL_READ, kr, (unsigned long)&id, sizeof(id), 0), 4)))
		return r;
	if ((r = want_err("negative read", keyctl(KEYCTL_READ, id, (unsigned long)buf, sizeof(buf), 0), ENOKEY)))
		return r;
	(void)ses;
	return want_err("again", request_key("user", "neg", NULL, 0), ENOKEY);
}

/* SETPERM's bits and their effect; SET_REQKEY_KEYRING's answers. */
static int check_perm_reqkey(void)
{
	long k;
	int r;

	new_session();
	if ((r = want_ok("add", k = add_key("user", "p", "p", 1, KEY_SPEC_SESSION_KEYRING))) ||
	    (r = want_err("bad bits", keyctl(KEYCTL_SETPERM, k, 0x80000000ul, 0, 0), EINVAL)) ||
	    (r = want_eq("setperm", keyctl(KEYCTL_SETPERM, k, KEY_POS_ALL & ~KEY_POS_WRITE, 0, 0), 0)) ||
	    (r = want_err("update", keyctl(KEYCTL_UPDATE, k, (unsigned long)"q", 1, 0), EACCES)) ||
	    (r = want_eq("reqkey ask", keyctl(KEYCTL_SET_REQKEY_KEYRING, -1ul, 0, 0, 0), 0)) ||
	    (r = want_eq("reqkey thread", keyctl(KEYCTL_SET_REQKEY_KEYRING, 1, 0, 0, 0), 0)) ||
	    (r = want_eq("reqkey ask again", keyctl(KEYCTL_SET_REQKEY_KEYRING, -1ul, 0, 0, 0), 1)) ||
	    (r = want_err("reqkey group", keyctl(KEYCTL_SET_REQKEY_KEYRING, 6, 0, 0, 0), EINVAL)) ||
	    (r = want_ok("another", k = add_key("user", "i", "p", 1, KEY_SPEC_SESSION_KEYRING))) ||
	    (r = want_eq("invalidate", keyctl(KEYCTL_INVALIDATE, k, 0, 0, 0), 0)))
		return r;
	return want_err("describe invalidated", keyctl(KEYCTL_DESCRIBE, k, 0, 0, 0), ENOKEY);
}

/* /proc/keys shows the session keyring; /proc/key-users our uid; the quotas are sysctls. */
static int check_proc(void)
{
	char text[8192], want[32];
	long ses = new_session(), v;
	FILE *f = fopen("/proc/keys", "r");

	if (!f)
		return fail("/proc/keys: %s", errname(errno));
	text[fread(text, 1, sizeof(text) - 1, f)] = 0;
	fclose(f);
	snprintf(want, sizeof(want), "%08lx I", ses);
	if (!strstr(text, want))
		return fail("/proc/keys has no \"%s\"", want);
	if (!(f = fopen("/proc/key-users", "r")))
		return fail("/proc/key-users: %s", errname(errno));
	text[fread(text, 1, sizeof(text) - 1, f)] = 0;
	fclose(f);
	snprintf(want, sizeof(want), "%5u: ", getuid());
	if (!strstr(text, want))
		return fail("/proc/key-users has no \"%s\"", want);
	if (read_long("/proc/sys/kernel/keys/maxkeys", &v) || read_long("/proc/sys/kernel/keys/root_maxbytes", &v))
		return fail("kernel.keys.maxkeys or root_maxbytes unreadable");
	return CHECK_OK;
}

/* The quota of a user other than root: keys until EDQUOT, and then
 * /proc/key-users says the user's count is its maximum (kernel.keys.maxkeys:
 * 64-byte keys reach it before maxbytes at Linux's defaults). */
static int check_quota(void)
{
	static char payload[64];
	char line[160], want[16];
	unsigned uid = 54321;
	int used = -1, max = -1, n;
	long ret = 0;

	if (setuid(uid))
		return skip("setuid: %s", errname(errno));
	for (n = 0; n < 100000 && ret != -1; n++) {
		char desc[16];
		snprintf(desc, sizeof(desc), "q%d", n);
		ret = add_key("user", desc, payload, sizeof(payload), KEY_SPEC_THREAD_KEYRING);
	}
	if (ret != -1 || errno != EDQUOT)
		return fail("after %d keys: %ld/%s, want -1/EDQUOT", n, ret, errname(errno));
	FILE *f = fopen("/proc/key-users", "r");
	if (!f)
		return fail("/proc/key-users: %s", errname(errno));
	snprintf(want, sizeof(want), "%5u:", uid);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)))
			sscanf(line + strlen(want), "%*d %*d/%*d %d/%d", &used, &max);
	fclose(f);
	if (used < 0 || used != max)
		return fail("/proc/key-users: %d of %d keys after EDQUOT, want all", used, max);
	return CHECK_OK;
}

/* Expired keys leave their keyrings kernel.keys.gc_delay seconds after
 * (set to 1 for the check and put back). */
static int check_gc(void)
{
	const char *path = "/proc/sys/kernel/keys/gc_delay";
	char old[32];
	int32_t id;
	long ses = new_session(), k, n;
	int r;

	if (read_long(path, &n))
		return fail("%s unreadable", path);
	snprintf(old, sizeof(old), "%ld\n", n);
	if (write_file(path, "1\n", 0644))
		return skip("%s not writable: %s", path, errname(errno));
	if ((r = want_ok("add", k = add_key("user", "g", "p", 1, KEY_SPEC_SESSION_KEYRING))) ||
	    (r = want_eq("set_timeout", keyctl(KEYCTL_SET_TIMEOUT, k, 1, 0, 0), 0))) {
		write_file(path, old, 0644);
		return r;
	}
	for (int i = 0; i < 50; i++) { /* due after 2 s; Linux's collector is a work item */
		ms_sleep(100);
		if ((n = keyctl(KEYCTL_READ, ses, (unsigned long)&id, sizeof(id), 0)) == 0)
			break;
		if (i % 10 == 9)
			add_key("user", "nudge", "p", 1, KEY_SPEC_THREAD_KEYRING);
	}
	write_file(path, old, 0644);
	return want_eq("keyring read after gc_delay", n, 0);
}

static const struct check checks[] = {
	{ "special_ids", check_special_ids },
	{ "user_key", check_user_key },
	{ "add_errors", check_add_errors },
	{ "revoke", check_revoke },
	{ "timeout", check_timeout },
	{ "links", check_links },
	{ "request", check_request },
	{ "perm_reqkey", check_perm_reqkey },
	{ "proc", check_proc },
	{ "quota", check_quota },
	{ "gc", check_gc },
};

int main(int argc, char **argv)
{
	c_isolate = 1;
	return run_checks("conform_keys", checks, NELEMS(checks), argc, argv);
}
