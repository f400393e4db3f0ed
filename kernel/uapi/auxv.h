/* SPDX-License-Identifier: MIT */
/* Linux's auxiliary vector entry types (include/uapi/linux/auxvec.h), as exec puts them on the new stack. */
#ifndef KESTREL_UAPI_AUXV_H
#define KESTREL_UAPI_AUXV_H

#define AT_NULL     0   /* the end of the vector */
#define AT_PHDR     3   /* the program headers in memory */
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7   /* the interpreter's load address */
#define AT_FLAGS    8
#define AT_ENTRY    9   /* the program's entry point */
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17  /* USER_HZ */
#define AT_SECURE   23
#define AT_RANDOM   25  /* 16 random bytes */
#define AT_EXECFN   31  /* the path given to execve */
#define AT_SYSINFO_EHDR 33 /* the vDSO's ELF header */

#endif
