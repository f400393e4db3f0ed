/* SPDX-License-Identifier: MIT */
/*
 * SYSCALL_DEFINEn: the one place where a system call's registers become
 * the C types of its Linux prototype.
 *
 *   SYSCALL_DEFINE3(fcntl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
 *   {
 *           ... fd is an unsigned int here, as in Linux ...
 *   }
 *
 * defines sys_fcntl, the entry the table calls with the six raw argument
 * registers, as a wrapper that converts each register to the declared
 * type (an int argument keeps only its low 32 bits, as a C caller's
 * would) and calls the typed body. The body never sees a whole register,
 * so a check of the truncated value and a use of the untruncated one (a
 * 64-bit "fd" indexing a table) cannot both happen. The types to use are
 * Linux's: int/unsigned int for fds, flags and modes that Linux declares
 * so, pid_t as int, size_t/loff_t as 64-bit, user pointers as uptr_t.
 */
#ifndef KESTREL_SYS_SYSCALL_DEFINE_H
#define KESTREL_SYS_SYSCALL_DEFINE_H

#include <stddef.h>
#include <stdint.h>
#include "mm/usercopy.h"

/* The scalar types of Linux's prototypes, as x86_64 Linux defines them. */
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned short umode_t;   /* a mode argument keeps its low 16 bits */
typedef long off_t;
typedef long long loff_t;
typedef int clockid_t;

/* SC_MAPn(m, t1, a1, ..., tn, an): m(t1, a1), ..., m(tn, an). */
#define SC_MAP0(m, ...)
#define SC_MAP1(m, t, a, ...) m(t, a)
#define SC_MAP2(m, t, a, ...) m(t, a), SC_MAP1(m, __VA_ARGS__)
#define SC_MAP3(m, t, a, ...) m(t, a), SC_MAP2(m, __VA_ARGS__)
#define SC_MAP4(m, t, a, ...) m(t, a), SC_MAP3(m, __VA_ARGS__)
#define SC_MAP5(m, t, a, ...) m(t, a), SC_MAP4(m, __VA_ARGS__)
#define SC_MAP6(m, t, a, ...) m(t, a), SC_MAP5(m, __VA_ARGS__)

#define SC_DECL(t, a) t a                 /* the typed body's parameter */
#define SC_RAW(t, a)  uint64_t a##_reg    /* the register the wrapper receives */
#define SC_CAST(t, a) (t)(a##_reg)        /* ... converted to the prototype's type */

/* The registers past the call's own arguments, which it ignores. */
#define SC_UNUSED(i) __attribute__((unused)) uint64_t unused_reg##i
#define SC_PAD0 SC_UNUSED(0), SC_UNUSED(1), SC_UNUSED(2), SC_UNUSED(3), SC_UNUSED(4), SC_UNUSED(5)
#define SC_PAD1 , SC_UNUSED(1), SC_UNUSED(2), SC_UNUSED(3), SC_UNUSED(4), SC_UNUSED(5)
#define SC_PAD2 , SC_UNUSED(2), SC_UNUSED(3), SC_UNUSED(4), SC_UNUSED(5)
#define SC_PAD3 , SC_UNUSED(3), SC_UNUSED(4), SC_UNUSED(5)
#define SC_PAD4 , SC_UNUSED(4), SC_UNUSED(5)
#define SC_PAD5 , SC_UNUSED(5)
#define SC_PAD6

#define SYSCALL_DEFINEx(n, name, ...)                                                  \
	static inline long do_sys_##name(SC_MAP##n(SC_DECL, __VA_ARGS__));             \
	long sys_##name(SC_MAP##n(SC_RAW, __VA_ARGS__) SC_PAD##n);                     \
	long sys_##name(SC_MAP##n(SC_RAW, __VA_ARGS__) SC_PAD##n)                      \
	{                                                                              \
		return do_sys_##name(SC_MAP##n(SC_CAST, __VA_ARGS__));                 \
	}                                                                              \
	static inline long do_sys_##name(SC_MAP##n(SC_DECL, __VA_ARGS__))

#define SYSCALL_DEFINE0(name)                                                          \
	static inline long do_sys_##name(void);                                        \
	long sys_##name(SC_PAD0);                                                      \
	long sys_##name(SC_PAD0)                                                       \
	{                                                                              \
		return do_sys_##name();                                                \
	}                                                                              \
	static inline long do_sys_##name(void)
#define SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINEx(1, name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINEx(2, name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINEx(4, name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINEx(5, name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINEx(6, name, __VA_ARGS__)

#endif
