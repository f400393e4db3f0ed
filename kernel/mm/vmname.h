/* SPDX-License-Identifier: MIT */
/* The name of a file a region maps (program segments), as /proc/PID/maps shows it. */
#ifndef KESTREL_MM_VMNAME_H
#define KESTREL_MM_VMNAME_H

#include <stdint.h>

/*
 * An immutable path shared by every region that maps (part of) one file
 * and by their copies after fork and splits: each holds a reference.
 * The count is atomic; the path never changes after creation.
 */
struct vm_name {
	int refs;
	uint64_t ino;   /* the file's inode number (maps' inode column) */
	uint32_t dev;   /* its file system's device number */
	char path[];    /* absolute, NUL-terminated */
};

/* A new name for path with one reference; NULL when out of memory. */
struct vm_name *vm_name_new(const char *path, uint32_t dev, uint64_t ino);
/* Take a reference (n may be NULL: nothing to do). */
void vm_name_get(struct vm_name *n);
/* Drop a reference; the last one frees it (n may be NULL). */
void vm_name_put(struct vm_name *n);

#endif
