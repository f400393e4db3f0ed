/* SPDX-License-Identifier: MIT */
/* Core dumps: the ELF core file a signal whose default action is "core" leaves (Linux's fs/coredump.c and binfmt_elf's elf_core_dump), and kernel.core_pattern. */
#ifndef KESTREL_PROC_COREDUMP_H
#define KESTREL_PROC_COREDUMP_H

#include <stdbool.h>

struct trap_frame;

/* /proc/PID/coredump_filter's bits (Linux's MMF_DUMP_*): which regions a
 * core holds. Kestrel has the default only (read-only in /proc). */
#define COREDUMP_ANON_PRIVATE   (1u << 0)
#define COREDUMP_ANON_SHARED    (1u << 1)
#define COREDUMP_MAPPED_PRIVATE (1u << 2)
#define COREDUMP_MAPPED_SHARED  (1u << 3)
#define COREDUMP_ELF_HEADERS    (1u << 4)
#define COREDUMP_FILTER_DEFAULT 0x33u  /* Linux's MMF_DUMP_FILTER_DEFAULT */

/* Write the current process's core for signal sig, as Linux's do_coredump:
 * only when its credentials are dumpable and RLIMIT_CORE is at least a
 * page; to the file kernel.core_pattern names (relative to its working
 * directory), unlinked first, then created O_EXCL with mode 0600, which
 * must be a regular file with one link owned by the caller's file system
 * uid. The core is an ELF ET_CORE file: NT_PRSTATUS (tf's registers),
 * NT_PRPSINFO and NT_AUXV notes, then a PT_LOAD per region, its pages as
 * coredump_filter and MADV_DONTDUMP say, pages never touched left as
 * holes. Past RLIMIT_CORE, or on SIGKILL, it stops. True once the file
 * was made (the wait status's WCOREDUMP), however much of the core it
 * then took, as Linux's. The caller is the
 * process's only thread (process_core_wait), holds the kernel lock, and
 * has interrupts off; they are on while the file is written. */
bool coredump_write(int sig, struct trap_frame *tf);

/* kernel.core_pattern and kernel.core_uses_pid (boot, before any process). */
void coredump_init(void);

#endif
