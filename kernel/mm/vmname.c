// SPDX-License-Identifier: MIT
/* Kestrel: shared, reference-counted names of mapped files (mm/vmname.h). */
#include "mm/vmname.h"
#include "mm/heap.h"
#include "lib/string.h"

struct vm_name *vm_name_new(const char *path, uint32_t dev, uint64_t ino)
{
	size_t len = strlen(path);
	struct vm_name *n = kmalloc(sizeof(*n) + len + 1);

	if (!n)
		return NULL;
	n->refs = 1;
	n->dev = dev;
	n->ino = ino;
	memcpy(n->path, path, len + 1);
	return n;
}

void vm_name_get(struct vm_name *n)
{
	if (n)
		__atomic_add_fetch(&n->refs, 1, __ATOMIC_RELAXED);
}

void vm_name_put(struct vm_name *n)
{
	if (n && __atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(n);
}
