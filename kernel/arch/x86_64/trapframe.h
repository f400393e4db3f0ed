/* SPDX-License-Identifier: MIT */
/* The one register frame every entry (exception, interrupt, SYSCALL, int $0x80) builds on the kernel stack. */
#ifndef KESTREL_ARCH_TRAPFRAME_H
#define KESTREL_ARCH_TRAPFRAME_H

/* Byte offsets, for the assembly that fills the frame. */
#define TF_VECTOR 120
#define TF_ERROR  128
#define TF_RIP    136
#define TF_CS     144
#define TF_RSP    160
#define TF_SIZE   176
/* The vector field of a frame SYSCALL built (entry/syscall.S): not an IDT
 * vector, so a frame tells how it entered. */
#define VEC_SYSCALL 0x100

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Lowest address first: the general registers pushed by the entry stub
 * (r15 last, so first here), then the vector and error code (0 when the
 * CPU pushes none), then what the CPU pushes itself. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* hardware frame */
};

_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "TF_VECTOR");
_Static_assert(__builtin_offsetof(struct trap_frame, error) == TF_ERROR, "TF_ERROR");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "TF_RIP");
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == TF_CS, "TF_CS");
_Static_assert(__builtin_offsetof(struct trap_frame, rsp) == TF_RSP, "TF_RSP");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "TF_SIZE");
#endif

#endif
