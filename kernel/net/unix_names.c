// SPDX-License-Identifier: MIT
/*
 * Kestrel: the names AF_UNIX sockets are bound to (see net/unix_sock.h):
 * one list of bound sockets, each found by its abstract name (and type)
 * or by its path's socket inode. Lock rule: as the sockets', none (one
 * CPU, no kernel preemption, no sleep with the list half changed).
 */
#include "net/unix_sock.h"

#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "proc/sched.h"

#define AUTOBIND_DIGITS 5        /* "\0" and five hex digits, as Linux's autobind */
#define AUTOBIND_MAX    0xfffff

/* Every bound socket; a socket is on it from bind until its file closes. */
static struct unix_sock *bound_list;

bool unix_name_abstract(const struct sockaddr_un *a, size_t len)
{
	return len > SUN_PATH_OFFSET && a->sun_path[0] == 0;
}

struct unix_sock *unix_find_abstract(const struct sockaddr_un *a, size_t len, int type)
{
	for (struct unix_sock *s = bound_list; s; s = s->bound_next)
		if (!s->inode && s->type == type && s->addrlen == len && memcmp(&s->addr, a, len) == 0)
			return s;
	return NULL;
}

static struct unix_sock *find_inode(const struct inode *ip)
{
	for (struct unix_sock *s = bound_list; s; s = s->bound_next)
		if (s->inode == ip)
			return s;
	return NULL;
}

void unix_add_bound(struct unix_sock *s, const struct sockaddr_un *a, size_t len, struct inode *ip)
{
	memset(&s->addr, 0, sizeof(s->addr));
	memcpy(&s->addr, a, len);
	s->addr.sun_family = AF_UNIX;
	s->addrlen = len;
	s->inode = ip;
	s->bound = true;
	s->bound_next = bound_list;
	bound_list = s;
}

void unix_unbind(struct unix_sock *s)
{
	for (struct unix_sock **pp = &bound_list; *pp; pp = &(*pp)->bound_next) {
		if (*pp == s) {
			*pp = s->bound_next;
			break;
		}
	}
	s->bound_next = NULL;
	if (s->inode)
		inode_put(s->inode);
	s->inode = NULL; /* the name stays for getsockname */
}

void unix_name_path(const struct sockaddr_un *a, size_t len, char *path)
{
	size_t n = strnlen(a->sun_path, len - SUN_PATH_OFFSET);

	memcpy(path, a->sun_path, n);
	path[n] = 0;
}

int unix_find(const struct sockaddr_un *a, size_t len, int type, struct unix_sock **out)
{
	char path[UNIX_PATH_MAX + 1];
	struct unix_sock *s;
	struct inode *ip;

	if (len <= SUN_PATH_OFFSET || len > sizeof(*a) || a->sun_family != AF_UNIX)
		return -EINVAL;
	if (unix_name_abstract(a, len)) {
		s = unix_find_abstract(a, len, type);
	} else {
		unix_name_path(a, len, path);
		int err = vfs_walk(NULL, path, WALK_FOLLOW, &ip);
		if (err)
			return err;
		err = vfs_permission(ip, W_OK);
		s = err ? NULL : find_inode(ip);
		inode_put(ip);
		if (err)
			return err;
	}
	if (!s || s->dead)
		return -ECONNREFUSED;
	*out = unix_get(s);
	return 0;
}

int unix_autobind(struct unix_sock *s)
{
	static unsigned next;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = SUN_PATH_OFFSET + 1 + AUTOBIND_DIGITS;

	for (unsigned tries = 0; tries <= AUTOBIND_MAX; tries++) {
		char digits[AUTOBIND_DIGITS + 1];
		ksnprintf(digits, sizeof(digits), "%05x", next++ & AUTOBIND_MAX);
		memcpy(a.sun_path + 1, digits, AUTOBIND_DIGITS);
		if (!unix_find_abstract(&a, len, s->type)) {
			unix_add_bound(s, &a, len, NULL);
			return 0;
		}
		if (io_should_stop()) /* a program may hold many of these names */
			return -EINTR;
	}
	return -ENOSPC;
}
