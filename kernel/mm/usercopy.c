// SPDX-License-Identifier: MIT
/* Kestrel: user-memory copies (the checks; the copying is arch/x86_64/usercopy.S). */
#include "mm/usercopy.h"
#include "mm/layout.h"
#include "lib/errno.h"

long arch_strncpy_user(char *dst, const char *src, size_t max);

struct ex_entry {
	uint64_t fault, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

bool user_access_ok(uptr_t p, size_t n)
{
	return p <= USER_VA_END && n <= USER_VA_END - p;
}

int copy_struct_from_user(void *dst, size_t ksize, uptr_t src, size_t usize)
{
	uint8_t b;

	if (usize > COPY_STRUCT_MAX)
		return -E2BIG; /* its callers refuse more first, as Linux's do */
	for (size_t i = ksize; i < usize; i++) {
		if (copy_from_user(&b, src + i, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	for (size_t i = usize; i < ksize; i++)
		((uint8_t *)dst)[i] = 0;
	return copy_from_user(dst, src, usize < ksize ? usize : ksize);
}

#define USER_PAGE 4096ull

/* copy_to_user_partial after its whole copy faulted: again page by
 * page, up to the page that faults. */
size_t copy_to_user_slow(uptr_t dst, const void *src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t k = USER_PAGE - ((dst + done) & (USER_PAGE - 1));
		if (k > n - done)
			k = n - done;
		if (copy_to_user(dst + done, (const char *)src + done, k))
			break;
		done += k;
	}
	return done;
}

long strncpy_from_user(char *dst, uptr_t src, size_t max)
{
	if (src >= USER_VA_END || max == 0)
		return -EFAULT;
	if (max > USER_VA_END - src)
		max = USER_VA_END - src;
	long n = arch_strncpy_user(dst, (const char *)src, max);
	if (n < 0)
		return n;
	if ((size_t)n == max) {
		dst[max - 1] = '\0';
		return -ENAMETOOLONG;
	}
	return n;
}

uint64_t usercopy_fixup(uint64_t rip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->fault == rip)
			return e->fixup;
	return 0;
}
