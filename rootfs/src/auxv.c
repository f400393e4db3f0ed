// SPDX-License-Identifier: MIT
// Exec ABI test: the initial stack (argc, argv, envp, auxv) and its alignment, as Linux lays it out.
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include "selftest.h"

/*
 * t_entry is the ELF entry point (linked with -e t_entry): it records the
 * stack pointer exactly as the kernel left it, then jumps to musl's _start.
 * musl re-aligns the stack itself, so only here can the entry alignment be
 * seen; the raw pointer also lets us walk the auxv ourselves, because
 * getauxval cannot tell a missing entry from one whose value is 0 for
 * every type (and answers AT_SECURE from its own computation).
 */
uintptr_t t_entry_rsp;
void t_entry(void);
__asm__(".text\n"
	".globl t_entry\n"
	".type t_entry, @function\n"
	"t_entry:\n"
	"	mov %rsp, t_entry_rsp(%rip)\n"
	"	jmp _start\n"
	".size t_entry, . - t_entry\n");

extern const Elf64_Ehdr __ehdr_start;
extern char **environ;

static const uint64_t *auxv;	/* the raw vector on the initial stack */

/* aux_find: the value of auxv entry TYPE in *val; 0 when the kernel did not pass it. */
static int aux_find(uint64_t type, uint64_t *val)
{
	for (const uint64_t *a = auxv; a[0] != AT_NULL; a += 2) {
		if (a[0] == type) {
			*val = a[1];
			return 1;
		}
	}
	return 0;
}

/* aux_need: like aux_find, but a missing entry is a failure. */
static uint64_t aux_need(uint64_t type, const char *name)
{
	uint64_t val = 0;

	if (!aux_find(type, &val))
		t_fail("%s missing from the auxv", name);
	return val;
}

/* check_stack: argc, argv and envp on the entry stack, in Linux's order. */
static char **check_stack(int argc, char **argv, char **envp)
{
	const uint64_t *sp = (const uint64_t *)t_entry_rsp;

	if (t_entry_rsp % 16 != 0)
		t_fail("stack pointer 0x%lx at entry is not 16-byte aligned", (unsigned long)t_entry_rsp);
	if (sp[0] != (uint64_t)argc || (char **)&sp[1] != argv)
		t_fail("entry stack: argc %lu at %p, main got argc %d argv %p",
		       (unsigned long)sp[0], (const void *)sp, argc, (void *)argv);
	if (argv[argc] != NULL)
		t_fail("argv[argc] is not NULL");
	if (argc != 3 || strcmp(argv[1], "one") != 0 || strcmp(argv[2], "two") != 0)
		t_fail("want arguments \"one two\" (as /etc/selftest passes), got argc %d", argc);
	if (envp != argv + argc + 1 || environ != envp)
		t_fail("envp %p does not follow argv's NULL (%p)", (void *)envp, (void *)(argv + argc + 1));
	return argv + argc + 1;
}

/* check_env: envp is a NULL-terminated array of NAME=value strings; HOME, if set, is "/". */
static const uint64_t *check_env(char **envp)
{
	int n = 0;

	for (; envp[n] != NULL; n++) {
		if (n > 10000) {
			t_fail("envp has no NULL in its first 10000 entries");
			return NULL;
		}
		if (strchr(envp[n], '=') == NULL)
			t_fail("envp[%d] \"%.40s\" has no '='", n, envp[n]);
		if (strncmp(envp[n], "HOME=", 5) == 0 && strcmp(envp[n], "HOME=/") != 0)
			t_fail("%.60s, want HOME=/", envp[n]);
	}
	t_say("%d environment strings", n);
	return (const uint64_t *)&envp[n + 1];
}

/* check_auxv_shape: the vector ends with AT_NULL and libc read the same one. */
static int check_auxv_shape(void)
{
	int n = 0;

	while (auxv[2 * n] != AT_NULL) {
		if (++n > 64) {
			t_fail("auxv has no AT_NULL in its first 64 entries");
			return 0;
		}
	}
	t_say("%d auxv entries", n);
	if (getauxval(AT_PAGESZ) != 4096)
		t_fail("libc's getauxval(AT_PAGESZ) is %lu", getauxval(AT_PAGESZ));
	return 1;
}

/* check_headers: AT_PHDR, AT_PHENT, AT_PHNUM, AT_ENTRY and AT_BASE against our own ELF header. */
static void check_headers(void)
{
	uint64_t phdr = aux_need(AT_PHDR, "AT_PHDR");
	uint64_t phent = aux_need(AT_PHENT, "AT_PHENT");
	uint64_t phnum = aux_need(AT_PHNUM, "AT_PHNUM");
	uint64_t entry = aux_need(AT_ENTRY, "AT_ENTRY");
	uint64_t base = 0;

	if (phent != sizeof(Elf64_Phdr) || phent != __ehdr_start.e_phentsize)
		t_fail("AT_PHENT %lu, want %zu", (unsigned long)phent, sizeof(Elf64_Phdr));
	if (phnum != __ehdr_start.e_phnum)
		t_fail("AT_PHNUM %lu, want %u", (unsigned long)phnum, __ehdr_start.e_phnum);
	if (phdr != (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff)
		t_fail("AT_PHDR 0x%lx, want 0x%lx", (unsigned long)phdr,
		       (unsigned long)((uintptr_t)&__ehdr_start + __ehdr_start.e_phoff));
	else if (memcmp((const void *)phdr, (const char *)&__ehdr_start + __ehdr_start.e_phoff,
			phnum * sizeof(Elf64_Phdr)) != 0)
		t_fail("AT_PHDR table differs from the headers");
	if (entry != __ehdr_start.e_entry || entry != (uintptr_t)t_entry)
		t_fail("AT_ENTRY 0x%lx, want e_entry 0x%lx = t_entry %p", (unsigned long)entry,
		       (unsigned long)__ehdr_start.e_entry, (void *)(uintptr_t)t_entry);
	if (aux_find(AT_BASE, &base) && base != 0)
		t_fail("AT_BASE 0x%lx for a program without an interpreter", (unsigned long)base);
}

/* check_random: AT_RANDOM points at 16 readable bytes, not all zero. */
static void check_random(void)
{
	const unsigned char *r = (const unsigned char *)aux_need(AT_RANDOM, "AT_RANDOM");
	unsigned char any = 0;

	if (!r)
		return;
	for (int i = 0; i < 16; i++)
		any |= r[i];
	if (!any)
		t_fail("AT_RANDOM's 16 bytes are all zero");
}

/* check_ids: the identity and capability entries Linux always passes. */
static void check_ids(void)
{
	uint64_t secure = 1;

	aux_need(AT_UID, "AT_UID");
	aux_need(AT_EUID, "AT_EUID");
	aux_need(AT_GID, "AT_GID");
	aux_need(AT_EGID, "AT_EGID");
	aux_need(AT_HWCAP, "AT_HWCAP");
	if (!aux_find(AT_SECURE, &secure) || secure != 0)
		t_fail("AT_SECURE missing or not 0");
	if (aux_need(AT_PAGESZ, "AT_PAGESZ") != 4096)
		t_fail("AT_PAGESZ is not 4096");
	if (aux_need(AT_CLKTCK, "AT_CLKTCK") != 100)
		t_fail("AT_CLKTCK is not 100");
}

/* same_file: A and B name the same program (equal, or equal after the last '/'). */
static int same_file(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return strcmp(a, b) == 0 || strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b) == 0;
}

/* check_strings: AT_EXECFN names this program, AT_PLATFORM is "x86_64". */
static void check_strings(const char *argv0)
{
	const char *execfn = (const char *)aux_need(AT_EXECFN, "AT_EXECFN");
	const char *platform = (const char *)aux_need(AT_PLATFORM, "AT_PLATFORM");

	if (execfn && !same_file(execfn, argv0))
		t_fail("AT_EXECFN \"%.60s\" is not argv[0] \"%.60s\"", execfn, argv0);
	if (platform && strcmp(platform, "x86_64") != 0)
		t_fail("AT_PLATFORM \"%.20s\", want \"x86_64\"", platform);
}

int main(int argc, char **argv, char **envp)
{
	t_begin("auxv");
	envp = check_stack(argc, argv, envp);
	auxv = check_env(envp);
	if (auxv && check_auxv_shape()) {
		check_headers();
		check_random();
		check_ids();
		check_strings(argv[0]);
	}
	return t_finish();
}
