/* SPDX-License-Identifier: MIT */
/* Loading an ELF program (static, PIE, or with an interpreter) into a fresh address space. */
#ifndef KESTREL_PROC_EXEC_H
#define KESTREL_PROC_EXEC_H

#include <stdint.h>

struct vm_space;

struct exec_image {
	struct vm_space *vm;  /* the new address space, owned by the caller */
	uint64_t entry;       /* first user instruction (the interpreter's, if any) */
	uint64_t sp;          /* initial stack pointer: argc, argv, envp, auxv */
	char *exe_path;       /* the absolute path of the file run (kmalloc'd; the
	                       * interpreter's for a #! script), for /proc/PID/exe */
	const char *execfn;   /* the path exec was called with (exec_load's own
	                       * use): AT_EXECFN, the script's for a #! script, as Linux */
};

/* Build a new address space holding path with its initial stack. On
 * failure nothing is left allocated and the result is -ENOENT (no such
 * file), -ENOEXEC (a bad ELF: a log line says what is wrong), -E2BIG or
 * -ENOMEM. */
int exec_load(const char *path, const char *const argv[], const char *const envp[],
	      struct exec_image *out);

#endif
