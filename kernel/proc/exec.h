/* SPDX-License-Identifier: MIT */
/* Loading an ELF program (static, PIE, or with an interpreter) into a fresh address space. */
#ifndef KESTREL_PROC_EXEC_H
#define KESTREL_PROC_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include "proc/cred.h"

/* Where exec put the new program's environment and what its auxiliary
 * vector said: /proc/PID/environ and /proc/PID/auxv show them. */
#define EXEC_AUXV_WORDS 40   /* exec.c's AUXV_PAIRS pairs, AT_NULL's included */
struct exec_layout {
	uint64_t env_start, env_end;  /* the environment strings: [start, end) in its memory */
	uint64_t auxv[EXEC_AUXV_WORDS];
	uint32_t auxv_words;
};

struct vm_space;
struct inode;

struct exec_image {
	struct vm_space *vm;  /* the new address space, owned by the caller */
	uint64_t entry;       /* first user instruction (the interpreter's, if any) */
	uint64_t sp;          /* initial stack pointer: argc, argv, envp, auxv */
	char *exe_path;       /* the absolute path of the file run (kmalloc'd, its exact size; the
	                       * interpreter's for a #! script), for /proc/PID/exe */
	struct inode *exe;    /* that file, a reference with its writers denied, which
	                       * the process holds while it runs it (Linux's
	                       * mm->exe_file): owned by the caller */
	const char *execfn;   /* the path exec was called with (exec_load's own
	                       * use): AT_EXECFN, the script's for a #! script, as Linux */
	struct cred cred;     /* the credentials after the exec (set-id bits, root's
	                       * capability rule; the caller's group list, no new
	                       * reference): the caller commits them */
	bool secure;          /* AT_SECURE: ids changed or capabilities gained */
	uint64_t vdso;        /* AT_SYSINFO_EHDR: the vDSO's address in vm, 0 if none */
	bool path_inaccessible; /* set from exec_load's flags: EXEC_PATH_INACCESSIBLE */
	struct exec_layout layout; /* its environment and auxv, for the process (/proc) */
	bool doomed;          /* past Linux's point of no return a segment could not
	                       * be mapped: vm is empty and the caller commits the exec
	                       * and kills the process with SIGSEGV, as Linux does */
};

/* Build a new address space holding path with its initial stack. On
 * failure nothing is left allocated and the result is -ENOENT (no such
 * file), -EACCES, -ELOOP, -ENOEXEC (a bad ELF: a log line says what is
 * wrong), -ELIBBAD (a bad interpreter), -E2BIG or -ENOMEM. Success may
 * be out->doomed (see there). With or without the kernel lock: without
 * it, each step that needs it takes it for that step (exec.c's Lock
 * rule), so the caller must be its process's only thread (the build
 * reads the process's tracer, credentials and file system as of each
 * step) and look at the tracer again under the lock before it commits. */
int exec_load(const char *path, const char *const argv[], const char *const envp[],
	      unsigned flags, struct exec_image *out);
/* Free what a successful exec_load gave that the caller did not take
 * (vm, exe_path, exe: each NULL once taken). */
void exec_image_drop(struct exec_image *img);

/* exec_load's flags. EXEC_PATH_INACCESSIBLE: path is execveat's
 * /dev/fd/N[/name] of a close-on-exec descriptor, gone once the exec
 * closes it, so a #! script is -ENOENT: its interpreter could not open
 * it (Linux's BINPRM_FLAGS_PATH_INACCESSIBLE). */
#define EXEC_PATH_INACCESSIBLE 1u

#endif
