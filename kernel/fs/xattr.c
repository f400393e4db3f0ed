// SPDX-License-Identifier: MIT
/* Kestrel: extended attributes kept in memory with their inode (Linux's fs/xattr.c simple_xattr_*), for the RAM file systems. */
#include "fs/xattr.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "uapi/xattr.h"

/* One attribute: its whole name and its value, in one allocation. */
struct xattr {
	struct xattr *next;
	size_t size;        /* of value */
	char *name;         /* into data, after the value */
	char data[];        /* the value, then the name with its NUL */
};

/* Every inode's xattrs field and every list it heads. */
static struct spinlock xattr_lock = SPINLOCK_INIT;

/* The link that points at name's attribute in ip's list, or at the
 * list's end (*link NULL) when there is none. Under xattr_lock. */
static struct xattr **find(struct inode *ip, const char *name)
{
	struct xattr **link = &ip->xattrs;

	while (*link && strcmp((*link)->name, name))
		link = &(*link)->next;
	return link;
}

/* A new attribute holding a copy of name and value; NULL when out of memory. */
static struct xattr *xattr_new(const char *name, const void *value, size_t size)
{
	size_t nlen = strlen(name) + 1;
	struct xattr *x = kmalloc(sizeof(*x) + size + nlen);

	if (!x)
		return NULL;
	x->next = NULL;
	x->size = size;
	x->name = x->data + size;
	memcpy(x->data, value, size);
	memcpy(x->name, name, nlen);
	return x;
}

long xattr_get(struct inode *ip, const char *name, void *buf, size_t size)
{
	uint64_t f = spin_lock_irqsave(&xattr_lock);
	struct xattr *x = *find(ip, name);
	long r = x ? (long)x->size : -ENODATA;

	if (x && size) {
		if (x->size > size)
			r = -ERANGE;
		else
			memcpy(buf, x->data, x->size);
	}
	spin_unlock_irqrestore(&xattr_lock, f);
	return r;
}

int xattr_set(struct inode *ip, const char *name, const void *value, size_t size, int flags)
{
	struct xattr *add = value ? xattr_new(name, value, size) : NULL, *gone;
	int err = 0;

	if (value && !add)
		return -ENOMEM;
	uint64_t f = spin_lock_irqsave(&xattr_lock);
	struct xattr **link = find(ip, name);
	if (*link && (flags & XATTR_CREATE)) {
		err = -EEXIST;
		gone = add;
	} else if (*link) { /* replaced in place, or removed */
		gone = *link;
		if (add)
			add->next = gone->next;
		*link = add ? add : gone->next;
	} else if ((flags & XATTR_REPLACE) || !add) {
		err = -ENODATA;
		gone = add;
	} else { /* new: first in the list, as Linux's list_add */
		add->next = ip->xattrs;
		ip->xattrs = add;
		gone = NULL;
	}
	spin_unlock_irqrestore(&xattr_lock, f);
	kfree(gone);
	return err;
}

long xattr_list(struct inode *ip, char *buf, size_t size, bool trusted)
{
	uint64_t f = spin_lock_irqsave(&xattr_lock);
	size_t used = 0;
	long r = 0;

	for (struct xattr *x = ip->xattrs; x; x = x->next) {
		if (!trusted && !strncmp(x->name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN))
			continue;
		size_t len = strlen(x->name) + 1;
		if (size && used + len > size) {
			r = -ERANGE;
			break;
		}
		if (size)
			memcpy(buf + used, x->name, len);
		used += len;
	}
	spin_unlock_irqrestore(&xattr_lock, f);
	return r ? r : (long)used;
}

void xattr_free_all(struct inode *ip)
{
	uint64_t f = spin_lock_irqsave(&xattr_lock);
	struct xattr *x = ip->xattrs;

	ip->xattrs = NULL;
	spin_unlock_irqrestore(&xattr_lock, f);
	while (x) {
		struct xattr *next = x->next;
		kfree(x);
		x = next;
	}
}
