/* SPDX-License-Identifier: MIT */
/* Linux's seccomp ABI (include/uapi/linux/seccomp.h): modes, seccomp(2)'s operations and flags, a filter's return actions, struct seccomp_data. */
#ifndef KESTREL_UAPI_SECCOMP_H
#define KESTREL_UAPI_SECCOMP_H

#include <stdint.h>

#define SECCOMP_MODE_DISABLED 0
#define SECCOMP_MODE_STRICT   1
#define SECCOMP_MODE_FILTER   2

/* seccomp(2)'s operations */
#define SECCOMP_SET_MODE_STRICT  0
#define SECCOMP_SET_MODE_FILTER  1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_GET_NOTIF_SIZES  3

/* SECCOMP_SET_MODE_FILTER's flags */
#define SECCOMP_FILTER_FLAG_TSYNC              (1u << 0)
#define SECCOMP_FILTER_FLAG_LOG                (1u << 1)
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW         (1u << 2)
#define SECCOMP_FILTER_FLAG_NEW_LISTENER       (1u << 3)
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH        (1u << 4)
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1u << 5)

/* A filter's return value: an action in the high 16 bits (KILL_PROCESS
 * in the top one), data in the low 16. Ordered by precedence, highest
 * first, as signed numbers. */
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_KILL_THREAD  0x00000000u
#define SECCOMP_RET_TRAP         0x00030000u
#define SECCOMP_RET_ERRNO        0x00050000u
#define SECCOMP_RET_USER_NOTIF   0x7fc00000u
#define SECCOMP_RET_TRACE        0x7ff00000u
#define SECCOMP_RET_LOG          0x7ffc0000u
#define SECCOMP_RET_ALLOW        0x7fff0000u
#define SECCOMP_RET_ACTION_FULL  0xffff0000u
#define SECCOMP_RET_DATA         0x0000ffffu

/* SIGSYS's si_code for a SECCOMP_RET_TRAP (and a kill's core) */
#define SYS_SECCOMP 1

/* The x86_64 system-call ABI's AUDIT_ARCH_X86_64 (EM_X86_64, 64-bit, little-endian). */
#define AUDIT_ARCH_X86_64 0xc000003eu

/* What a filter's loads read: native-endian words. */
struct seccomp_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};
_Static_assert(sizeof(struct seccomp_data) == 64, "struct seccomp_data is 64 bytes");

/* SECCOMP_GET_NOTIF_SIZES's answer: Linux 6.1's struct sizes. */
struct seccomp_notif_sizes {
	uint16_t seccomp_notif, seccomp_notif_resp, seccomp_data;
};
#define SECCOMP_NOTIF_SIZE      80
#define SECCOMP_NOTIF_RESP_SIZE 24

#endif
