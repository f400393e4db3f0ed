// SPDX-License-Identifier: MIT
/*
 * Kestrel: the lifetime of seccomp filters (proc/seccomp.h). What a
 * filter says and when it runs is sys/sys_seccomp.c's business.
 */
#include "proc/seccomp.h"

#include "mm/heap.h"

static struct seccomp_filter *filter_get(struct seccomp_filter *f)
{
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

void seccomp_copy(struct seccomp_state *to, const struct seccomp_state *from)
{
	to->mode = from->mode;
	to->filter = filter_get(from->filter);
}

void seccomp_release(struct seccomp_state *s)
{
	struct seccomp_filter *f = s->filter;

	s->filter = NULL;
	while (f && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		struct seccomp_filter *prev = f->prev;
		kfree(f);
		f = prev;
	}
}

int seccomp_filter_count(const struct seccomp_state *s)
{
	int n = 0;

	for (const struct seccomp_filter *f = s->filter; f; f = f->prev)
		n++;
	return n;
}
