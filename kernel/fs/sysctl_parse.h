/* SPDX-License-Identifier: MIT */
/* What a write to a /proc/sys file means, as Linux's proc_dointvec, proc_douintvec and proc_dostring read it (pure: host unit tests). */
#ifndef KESTREL_FS_SYSCTL_PARSE_H
#define KESTREL_FS_SYSCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYSCTL_INTS_MAX 4   /* the longest vector a sysctl file holds (kernel.printk's) */

/* The numbers of a file: Linux's proc_dointvec, proc_douintvec, proc_doulongvec_minmax. */
enum sysctl_kind {
	SYSCTL_INT,   /* INT_MIN..INT_MAX */
	SYSCTL_UINT,  /* 0..UINT_MAX */
	SYSCTL_ULONG, /* 0..ULONG_MAX, kept in the int64_t's bits */
};

/*
 * Up to max numbers of text[0..len) into v[0..), as Linux's
 * __do_proc_dointvec writes them (strict mode, position 0): each
 * number after blanks (isspace), decimal, a '-' allowed for
 * SYSCTL_INT alone, followed by a blank or the end; within the kind's
 * range. Numbers past max are not read.
 * Returns the bytes taken (len, less the text after the max-th number
 * and its blanks) with *count set (1..max), or -EINVAL: no number, a
 * malformed one, or one out of range.
 */
long sysctl_parse_ints(const char *text, size_t len, enum sysctl_kind kind, int64_t *v, unsigned max,
		       unsigned *count);

/*
 * A write of text[0..len) at position pos to a string sysctl whose value
 * is buf (cap bytes with its NUL), as Linux's proc_dostring in strict
 * mode: nothing changes if pos is past the value's length; else the
 * value is cut at pos and the text appended up to its first NUL or
 * newline and cap - 1 bytes in all. The write always takes len bytes.
 */
void sysctl_string_write(char *buf, size_t cap, uint64_t pos, const char *text, size_t len);

#endif
