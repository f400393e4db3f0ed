/* SPDX-License-Identifier: MIT */
/* Linux's classic BPF socket filter ABI (include/uapi/linux/filter.h and bpf_common.h): the instruction, the program SO_ATTACH_FILTER takes, the opcode fields and the special load offsets. */
#ifndef KESTREL_UAPI_FILTER_H
#define KESTREL_UAPI_FILTER_H

#include <stdint.h>

/* One instruction: an opcode (class | size | mode, or class | op | src),
 * the jump offsets of a conditional jump (forward, in instructions, from
 * the next one) and a generic field (a constant, an offset, an index). */
struct sock_filter {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};
_Static_assert(sizeof(struct sock_filter) == 8, "struct sock_filter is 8 bytes");

/* SO_ATTACH_FILTER's argument: len instructions at the user address filter
 * (x86_64: 6 bytes of padding after len). */
struct sock_fprog {
	uint16_t len;
	uint8_t pad[6];
	uint64_t filter;     /* struct sock_filter * */
};
_Static_assert(sizeof(struct sock_fprog) == 16, "struct sock_fprog is 16 bytes on x86_64");

/* an instruction as an initialiser: a statement, a conditional jump */
#define BPF_STMT(code, k) { (uint16_t)(code), 0, 0, k }
#define BPF_JUMP(code, k, jt, jf) { (uint16_t)(code), jt, jf, k }

#define BPF_MAXINSNS  4096   /* instructions a program may have */
#define BPF_MEMWORDS  16     /* the scratch memory M[], in 32-bit words */

/* the fields of code */
#define BPF_CLASS(code) ((code) & 0x07)
#define BPF_SIZE(code)  ((code) & 0x18)
#define BPF_MODE(code)  ((code) & 0xe0)
#define BPF_OP(code)    ((code) & 0xf0)
#define BPF_SRC(code)   ((code) & 0x08)
#define BPF_RVAL(code)  ((code) & 0x18)
#define BPF_MISCOP(code) ((code) & 0xf8)

/* classes */
#define BPF_LD    0x00
#define BPF_LDX   0x01
#define BPF_ST    0x02
#define BPF_STX   0x03
#define BPF_ALU   0x04
#define BPF_JMP   0x05
#define BPF_RET   0x06
#define BPF_MISC  0x07

/* ld/ldx sizes */
#define BPF_W     0x00
#define BPF_H     0x08
#define BPF_B     0x10

/* ld/ldx modes */
#define BPF_IMM   0x00
#define BPF_ABS   0x20
#define BPF_IND   0x40
#define BPF_MEM   0x60
#define BPF_LEN   0x80
#define BPF_MSH   0xa0

/* alu operations */
#define BPF_ADD   0x00
#define BPF_SUB   0x10
#define BPF_MUL   0x20
#define BPF_DIV   0x30
#define BPF_OR    0x40
#define BPF_AND   0x50
#define BPF_LSH   0x60
#define BPF_RSH   0x70
#define BPF_NEG   0x80
#define BPF_MOD   0x90
#define BPF_XOR   0xa0

/* jump operations */
#define BPF_JA    0x00
#define BPF_JEQ   0x10
#define BPF_JGT   0x20
#define BPF_JGE   0x30
#define BPF_JSET  0x40

/* alu and jump sources: the constant k or the register X */
#define BPF_K     0x00
#define BPF_X     0x08

/* ret sources (BPF_K also) */
#define BPF_A     0x10

/* misc operations */
#define BPF_TAX   0x00
#define BPF_TXA   0x80

/*
 * The special offsets of a load (as a signed 32-bit k, or X + k). An
 * absolute load from SKF_AD_OFF + SKF_AD_* reads an ancillary value
 * instead of the packet; from SKF_NET_OFF + n, byte n of the network
 * header; from SKF_LL_OFF + n, byte n of the link-layer header.
 */
#define SKF_AD_OFF  (-0x1000)
#define SKF_NET_OFF (-0x100000)
#define SKF_LL_OFF  (-0x200000)

#define SKF_AD_PROTOCOL          0
#define SKF_AD_PKTTYPE           4
#define SKF_AD_IFINDEX           8
#define SKF_AD_NLATTR            12
#define SKF_AD_NLATTR_NEST       16
#define SKF_AD_MARK              20
#define SKF_AD_QUEUE             24
#define SKF_AD_HATYPE            28
#define SKF_AD_RXHASH            32
#define SKF_AD_CPU               36
#define SKF_AD_ALU_XOR_X         40
#define SKF_AD_VLAN_TAG          44
#define SKF_AD_VLAN_TAG_PRESENT  48
#define SKF_AD_PAY_OFFSET        52
#define SKF_AD_RANDOM            56
#define SKF_AD_VLAN_TPID         60
#define SKF_AD_MAX               64

#endif
