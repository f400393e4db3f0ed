/* SPDX-License-Identifier: MIT */
/* Path-name splitting for the VFS walk: pure C, no kernel state, built into the host unit tests too. */
#ifndef KESTREL_FS_PATH_H
#define KESTREL_FS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include "uapi/limits.h"

/*
 * The next component of the path at *p: skips leading slashes, points
 * *name at the component and advances *p just past it (to a '/' or the
 * NUL). Returns its length, 0 when only slashes (or nothing) were left,
 * or -ENAMETOOLONG when the component is longer than NAME_MAX.
 */
long path_next(const char **p, const char **name);

/* True if s holds nothing but slashes (the rest after a final component).
 * Inline, as the two below: a walk asks them at every component. */
static inline bool path_only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return *s == '\0';
}

/* "." and ".." as components of length len. */
static inline bool path_is_dot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

static inline bool path_is_dotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

/*
 * Build, in out (cap bytes), the path that replaces a symlink in the
 * middle of a walk: target (tlen bytes, not NUL-terminated) then, when
 * rest has a component, '/' and rest. out must not overlap target or
 * rest. 0, or -ENAMETOOLONG when the result and its NUL do not fit.
 */
int path_splice(char *out, size_t cap, const char *target, size_t tlen, const char *rest);

/*
 * getcwd builds its answer from the end of buf towards the start: put
 * "/" and name (len bytes) in front of buf[*start..]. 0, or -ERANGE when
 * it would not fit (then *start is unchanged).
 */
int path_prepend(char *buf, size_t *start, const char *name, size_t len);

#endif
