/* SPDX-License-Identifier: MIT */
/* Linux's futex operations and flags (include/uapi/linux/futex.h). */
#ifndef KESTREL_UAPI_FUTEX_H
#define KESTREL_UAPI_FUTEX_H

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAKE_OP         5
#define FUTEX_LOCK_PI         6
#define FUTEX_UNLOCK_PI       7
#define FUTEX_TRYLOCK_PI      8
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* FUTEX_WAKE_OP's val3: op (bits 28-30, bit 31 "oparg is a shift"), cmp (24-27),
 * oparg (12-23) and cmparg (0-11), both signed 12-bit. */
#define FUTEX_OP_SET          0
#define FUTEX_OP_ADD          1
#define FUTEX_OP_OR           2
#define FUTEX_OP_ANDN         3
#define FUTEX_OP_XOR          4
#define FUTEX_OP_OPARG_SHIFT  8
#define FUTEX_OP_CMP_EQ       0
#define FUTEX_OP_CMP_NE       1
#define FUTEX_OP_CMP_LT       2
#define FUTEX_OP_CMP_LE       3
#define FUTEX_OP_CMP_GT       4
#define FUTEX_OP_CMP_GE       5

/* The futex word of a lock owned by a thread (PI and robust futexes). */
#define FUTEX_WAITERS         0x80000000u
#define FUTEX_OWNER_DIED      0x40000000u
#define FUTEX_TID_MASK        0x3fffffffu

/* Robust futexes: struct robust_list_head { struct robust_list *next;
 * long futex_offset; struct robust_list *list_op_pending; }, 24 bytes;
 * bit 0 of a list pointer marks a PI futex. The exit walk stops after
 * ROBUST_LIST_LIMIT entries. */
#define ROBUST_LIST_HEAD_SIZE 24
#define ROBUST_HEAD_OFFSET    8   /* futex_offset */
#define ROBUST_PENDING_OFFSET 16  /* list_op_pending */
#define ROBUST_LIST_LIMIT     2048

/* futex_waitv(2): struct futex_waitv { u64 val; u64 uaddr; u32 flags;
 * u32 __reserved; }, up to FUTEX_WAITV_MAX of them; each entry's flags
 * are FUTEX_32 (the only size Linux 6.1 knows, and required) and
 * optionally FUTEX_PRIVATE_FLAG. */
#define FUTEX_32              2
#define FUTEX_WAITV_MAX       128
#define FUTEX_WAITV_SIZE      24

#endif
