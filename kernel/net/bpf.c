// SPDX-License-Identifier: MIT
/*
 * Kestrel: classic BPF socket filters (net/bpf.h). The checker is Linux's
 * bpf_check_classic and check_load_and_stores (net/core/filter.c); the
 * interpreter gives the results Linux's gives after it converts a classic
 * program to eBPF (bpf_convert_filter) and runs that: the semantics a
 * user of SO_ATTACH_FILTER observes on x86_64 today, which differ in
 * corners from the 1992 BPF paper and from Linux's pre-3.15 interpreter
 * (noted where they do). Pure code with no kernel state: the host unit
 * test (tests/unit/test_bpf.c) and the fuzzer (tests/fuzz/fuzz_bpf.c)
 * build this file as it is.
 */
#include "net/bpf.h"

#include "lib/errno.h"
#include "lib/string.h"

/* ---- the checker ----------------------------------------------------------- */

#define BPF_SHIFT_MAX 32   /* a constant shift count must be below it */

/* Linux's chk_code_allowed: the opcodes a socket filter may use, exactly
 * (BPF_LDX | BPF_W | BPF_ABS is seccomp's alone; BPF_RET | BPF_X, a NEG
 * of X and every other size or mode combination are refused). */
static const bool codes_allowed[] = {
	[BPF_ALU | BPF_ADD | BPF_K] = true,
	[BPF_ALU | BPF_ADD | BPF_X] = true,
	[BPF_ALU | BPF_SUB | BPF_K] = true,
	[BPF_ALU | BPF_SUB | BPF_X] = true,
	[BPF_ALU | BPF_MUL | BPF_K] = true,
	[BPF_ALU | BPF_MUL | BPF_X] = true,
	[BPF_ALU | BPF_DIV | BPF_K] = true,
	[BPF_ALU | BPF_DIV | BPF_X] = true,
	[BPF_ALU | BPF_MOD | BPF_K] = true,
	[BPF_ALU | BPF_MOD | BPF_X] = true,
	[BPF_ALU | BPF_AND | BPF_K] = true,
	[BPF_ALU | BPF_AND | BPF_X] = true,
	[BPF_ALU | BPF_OR | BPF_K] = true,
	[BPF_ALU | BPF_OR | BPF_X] = true,
	[BPF_ALU | BPF_XOR | BPF_K] = true,
	[BPF_ALU | BPF_XOR | BPF_X] = true,
	[BPF_ALU | BPF_LSH | BPF_K] = true,
	[BPF_ALU | BPF_LSH | BPF_X] = true,
	[BPF_ALU | BPF_RSH | BPF_K] = true,
	[BPF_ALU | BPF_RSH | BPF_X] = true,
	[BPF_ALU | BPF_NEG] = true,
	[BPF_LD | BPF_W | BPF_ABS] = true,
	[BPF_LD | BPF_H | BPF_ABS] = true,
	[BPF_LD | BPF_B | BPF_ABS] = true,
	[BPF_LD | BPF_W | BPF_LEN] = true,
	[BPF_LD | BPF_W | BPF_IND] = true,
	[BPF_LD | BPF_H | BPF_IND] = true,
	[BPF_LD | BPF_B | BPF_IND] = true,
	[BPF_LD | BPF_IMM] = true,
	[BPF_LD | BPF_MEM] = true,
	[BPF_LDX | BPF_W | BPF_LEN] = true,
	[BPF_LDX | BPF_B | BPF_MSH] = true,
	[BPF_LDX | BPF_IMM] = true,
	[BPF_LDX | BPF_MEM] = true,
	[BPF_ST] = true,
	[BPF_STX] = true,
	[BPF_MISC | BPF_TAX] = true,
	[BPF_MISC | BPF_TXA] = true,
	[BPF_RET | BPF_K] = true,
	[BPF_RET | BPF_A] = true,
	[BPF_JMP | BPF_JA] = true,
	[BPF_JMP | BPF_JEQ | BPF_K] = true,
	[BPF_JMP | BPF_JEQ | BPF_X] = true,
	[BPF_JMP | BPF_JGE | BPF_K] = true,
	[BPF_JMP | BPF_JGE | BPF_X] = true,
	[BPF_JMP | BPF_JGT | BPF_K] = true,
	[BPF_JMP | BPF_JGT | BPF_X] = true,
	[BPF_JMP | BPF_JSET | BPF_K] = true,
	[BPF_JMP | BPF_JSET | BPF_X] = true,
};

static bool code_allowed(uint16_t code)
{
	return code < sizeof(codes_allowed) / sizeof(codes_allowed[0]) && codes_allowed[code];
}

/* True for the conditional jumps (two targets, jt and jf). */
static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* True for an absolute load (any size) of k. */
static bool is_ld_abs(uint16_t code)
{
	return BPF_CLASS(code) == BPF_LD && BPF_MODE(code) == BPF_ABS;
}

/* True when k names an ancillary value Linux knows (bpf_anc_helper: the
 * 16 SKF_AD_* from PROTOCOL to VLAN_TPID, all of which Kestrel answers). */
static bool anc_known(uint32_t k)
{
	uint32_t off = k - (uint32_t)SKF_AD_OFF;
	return k >= (uint32_t)SKF_AD_OFF && off < SKF_AD_MAX && off % 4 == 0;
}

/* True for a load or store of M[k] (LD MEM, LDX MEM, ST, STX). */
static bool is_mem_access(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) || code == BPF_ST ||
	       code == BPF_STX;
}

/* True when instruction pc of a len-instruction program is one Linux's
 * bpf_check_classic takes on its own (the first pass). */
static bool insn_ok(const struct sock_filter *f, unsigned pc, unsigned len)
{
	unsigned room = len - pc - 1; /* instructions after this one */

	if (!code_allowed(f->code))
		return false;
	switch (f->code) {
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
		return f->k != 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		return f->k < BPF_SHIFT_MAX;
	case BPF_JMP | BPF_JA:
		return f->k < room;
	}
	if (is_mem_access(f->code))
		return f->k < BPF_MEMWORDS;
	if (is_cond_jump(f->code))
		return f->jt < room && f->jf < room;
	if (is_ld_abs(f->code))
		return f->k < (uint32_t)SKF_AD_OFF || anc_known(f->k);
	return true;
}

/* ---- the checker: no read of M[] before a store ---------------------------- */

#define BITMAP_BITS 64
#define BITMAP_WORDS (BPF_MAXINSNS / BITMAP_BITS)

static void bit_set(uint64_t *map, unsigned i)
{
	map[i / BITMAP_BITS] |= 1ull << (i % BITMAP_BITS);
}

static bool bit_test(const uint64_t *map, unsigned i)
{
	return map[i / BITMAP_BITS] >> (i % BITMAP_BITS) & 1;
}

/*
 * True when some path to a read of M[w] stores no M[w] first, as Linux's
 * check_load_and_stores decides it: a word is "unset" on entry to pc when
 * it is unset on any edge into pc. The edges are a jump's targets, and
 * the fall-through from every instruction but a jump (a BPF_RET too:
 * Linux lets its "unset" flow on into the instruction after it, so an
 * unreachable read after a RET is refused while one after a JA is not).
 * Jumps go forward, so one pass in order sees every edge into pc before
 * pc. Linux keeps a 16-bit mask per instruction (8 KiB for the longest
 * program); one word at a time needs a 512-byte bitmap instead, small
 * enough for a kernel stack.
 */
static bool unset_read(const struct sock_filter *prog, unsigned len, unsigned w)
{
	uint64_t unset_in[BITMAP_WORDS];
	bool unset = true; /* on the fall-through into pc: nothing is stored at the start */

	memset(unset_in, 0, sizeof(unset_in));
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		unset = unset || bit_test(unset_in, pc);
		if ((f->code == BPF_ST || f->code == BPF_STX) && f->k == w)
			unset = false;
		else if ((f->code == (BPF_LD | BPF_MEM) || f->code == (BPF_LDX | BPF_MEM)) && f->k == w && unset)
			return true;
		if (f->code == (BPF_JMP | BPF_JA)) {
			if (unset)
				bit_set(unset_in, pc + 1 + f->k);
			unset = false; /* nothing falls through a JA */
		} else if (is_cond_jump(f->code)) {
			if (unset) {
				bit_set(unset_in, pc + 1 + f->jt);
				bit_set(unset_in, pc + 1 + f->jf);
			}
			unset = false;
		}
	}
	return false;
}

/* True when some word of M[] is read before any path stores it (the
 * program passed insn_ok: indices and targets are in range). */
static bool mem_read_before_store(const struct sock_filter *prog, unsigned len)
{
	unsigned read = 0; /* a bit per word some instruction reads */

	for (unsigned pc = 0; pc < len; pc++)
		if (prog[pc].code == (BPF_LD | BPF_MEM) || prog[pc].code == (BPF_LDX | BPF_MEM))
			read |= 1u << prog[pc].k;
	for (unsigned w = 0; w < BPF_MEMWORDS; w++)
		if (read >> w & 1 && unset_read(prog, len, w))
			return true;
	return false;
}

int bpf_check(const struct sock_filter *prog, unsigned len)
{
	if (!prog || len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned pc = 0; pc < len; pc++)
		if (!insn_ok(&prog[pc], pc, len))
			return -EINVAL;
	if (BPF_CLASS(prog[len - 1].code) != BPF_RET)
		return -EINVAL;
	if (mem_read_before_store(prog, len))
		return -EINVAL;
	return 0;
}

/* ---- the interpreter: state ------------------------------------------------ */

struct bpf_vm {
	uint32_t a, x;
	uint32_t mem[BPF_MEMWORDS];
	unsigned pc;                 /* the next instruction */
	bool done;                   /* the program ended with ret */
	uint32_t ret;
	const struct bpf_pkt *pkt;
};

/* End the program with value v. */
static void vm_stop(struct bpf_vm *vm, uint32_t v)
{
	vm->done = true;
	vm->ret = v;
}

/* ---- the interpreter: packet loads ----------------------------------------- */

#define BPF_NO_POS (-1)   /* pkt_pos: not a byte of the packet */

/*
 * The position in pkt->head of byte off of the packet, for a load's
 * offset as Linux reads it (a signed 32-bit int: bpf_skb_load_helper's
 * convert_offset): from 0, the socket's view; from SKF_NET_OFF, the
 * network header; from SKF_LL_OFF, the link-layer header when there is
 * one. BPF_NO_POS for anything else (below SKF_LL_OFF, or no link layer).
 */
static int64_t pkt_pos(const struct bpf_pkt *pkt, int32_t off)
{
	if (off >= 0)
		return (int64_t)pkt->data_off + off;
	if (off >= SKF_NET_OFF)
		return (int64_t)pkt->net_off + (off - SKF_NET_OFF);
	if (off >= SKF_LL_OFF && pkt->has_mac)
		return (int64_t)pkt->mac_off + (off - SKF_LL_OFF);
	return BPF_NO_POS;
}

/* The bytes a W, H or B load reads. */
static unsigned load_size(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_H:
		return sizeof(uint16_t);
	case BPF_B:
		return sizeof(uint8_t);
	default:
		return sizeof(uint32_t);
	}
}

/* Load size bytes big-endian at offset off into *out; false when any of
 * them lies outside the packet (the caller ends the program with 0). */
static bool pkt_load(const struct bpf_pkt *pkt, int32_t off, unsigned size, uint32_t *out)
{
	int64_t pos = pkt_pos(pkt, off);
	int64_t end = (int64_t)pkt->data_off + pkt->len;

	if (pos == BPF_NO_POS || pos + size > end)
		return false;
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v = v << 8 | pkt->head[pos + i];
	*out = v;
	return true;
}

/* ---- the interpreter: ancillary loads -------------------------------------- */

/* A netlink attribute's header (Linux's struct nlattr, host byte order). */
#define NLA_HDRLEN     4
#define NLA_ALIGNTO    4
#define NLA_TYPE_MASK  0x3fff     /* without NLA_F_NESTED and NLA_F_NET_BYTEORDER */

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Linux's nla_find over the rem bytes at view offset at: the view offset
 * of the first attribute of type t, 0 when none. The walk stops at the
 * first attribute whose length is under its header or past the bytes
 * left (nla_ok); each step moves by the length rounded up to 4.
 */
static uint32_t nla_find_at(const uint8_t *view, uint32_t at, int64_t rem, uint32_t t)
{
	while (rem >= NLA_HDRLEN) {
		uint16_t nla_len = get_le16(view + at);
		if (nla_len < NLA_HDRLEN || nla_len > rem)
			return 0;
		if ((get_le16(view + at + 2) & NLA_TYPE_MASK) == t)
			return at;
		uint32_t step = (nla_len + NLA_ALIGNTO - 1) & ~(uint32_t)(NLA_ALIGNTO - 1);
		at += step;
		rem -= step;
	}
	return 0;
}

/* SKF_AD_NLATTR (nest false) and SKF_AD_NLATTR_NEST (true), Linux's
 * bpf_skb_get_nlattr{,_nest}: the attribute of type x in the view from
 * offset a on, or inside the attribute at a. 0 when none or out of range. */
static uint32_t anc_nlattr(const struct bpf_pkt *pkt, uint32_t a, uint32_t x, bool nest)
{
	const uint8_t *view = pkt->head + pkt->data_off;

	if (pkt->len < NLA_HDRLEN || a > pkt->len - NLA_HDRLEN)
		return 0;
	if (!nest)
		return nla_find_at(view, a, (int64_t)pkt->len - a, x);
	uint16_t nla_len = get_le16(view + a);
	if (nla_len < NLA_HDRLEN || nla_len > pkt->len - a)
		return 0;
	return nla_find_at(view, a + NLA_HDRLEN, nla_len - NLA_HDRLEN, x);
}

/* SplitMix64 (Steele, Lea and Flood, 2014): its increment and its
 * finaliser's multipliers and shifts. */
#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ull
#define SPLITMIX_MUL1  0xbf58476d1ce4e5b9ull
#define SPLITMIX_MUL2  0x94d049bb133111ebull
#define SPLITMIX_S1    30
#define SPLITMIX_S2    27
#define SPLITMIX_S3    31

/* SKF_AD_RANDOM: the high half of SplitMix64's next output from *state
 * (Linux: a per-CPU prandom state; any uniform 32-bit source will do).
 * Any state is a good one; none (NULL) answers 0. */
static uint32_t anc_random(uint64_t *state)
{
	if (!state)
		return 0;
	uint64_t z = (*state += SPLITMIX_GAMMA);
	z = (z ^ (z >> SPLITMIX_S1)) * SPLITMIX_MUL1;
	z = (z ^ (z >> SPLITMIX_S2)) * SPLITMIX_MUL2;
	return (uint32_t)((z ^ (z >> SPLITMIX_S3)) >> 32);
}

#define PKT_TYPE_MASK 7   /* skb->pkt_type is 3 bits wide */

/*
 * An absolute load from SKF_AD_OFF + anc (any size: Linux ignores it),
 * as bpf_convert_filter's convert_bpf_extensions has it. IFINDEX and
 * HATYPE with no device end the program with A (an eBPF exit with A in
 * R0), not 0; VLAN_TAG_PRESENT is 1 when either the tag or its TPID is set.
 */
static void ld_anc(struct bpf_vm *vm, uint32_t anc)
{
	const struct bpf_pkt *pkt = vm->pkt;

	switch (anc) {
	case SKF_AD_PROTOCOL:
		vm->a = __builtin_bswap16(pkt->protocol);
		break;
	case SKF_AD_PKTTYPE:
		vm->a = pkt->pkttype & PKT_TYPE_MASK;
		break;
	case SKF_AD_IFINDEX:
	case SKF_AD_HATYPE:
		if (pkt->ifindex == 0)
			vm_stop(vm, vm->a);
		else
			vm->a = anc == SKF_AD_IFINDEX ? pkt->ifindex : pkt->hatype;
		break;
	case SKF_AD_NLATTR:
		vm->a = anc_nlattr(pkt, vm->a, vm->x, false);
		break;
	case SKF_AD_NLATTR_NEST:
		vm->a = anc_nlattr(pkt, vm->a, vm->x, true);
		break;
	case SKF_AD_MARK:
		vm->a = pkt->mark;
		break;
	case SKF_AD_QUEUE:
		vm->a = pkt->queue;
		break;
	case SKF_AD_RXHASH:
		vm->a = pkt->rxhash;
		break;
	case SKF_AD_CPU:
		vm->a = pkt->cpu;
		break;
	case SKF_AD_ALU_XOR_X:
		vm->a ^= vm->x;
		break;
	case SKF_AD_VLAN_TAG:
		vm->a = pkt->vlan_tci;
		break;
	case SKF_AD_VLAN_TAG_PRESENT:
		vm->a = pkt->vlan_tci != 0 || pkt->vlan_proto != 0;
		break;
	case SKF_AD_PAY_OFFSET:
		vm->a = pkt->pay_off;
		break;
	case SKF_AD_RANDOM:
		vm->a = anc_random(pkt->rnd_state);
		break;
	case SKF_AD_VLAN_TPID:
		vm->a = __builtin_bswap16(pkt->vlan_proto);
		break;
	default: /* bpf_check refuses it */
		vm_stop(vm, 0);
		break;
	}
}

/* ---- the interpreter: a step per class ------------------------------------- */

/* A = the packet's bytes (ABS at k, IND at X + k), or end with 0 when
 * they lie outside it. The offset is a signed 32-bit int, so X + k wraps
 * (Linux adds in 64 bits and its helper takes an int). */
static void ld_pkt(struct bpf_vm *vm, const struct sock_filter *f)
{
	uint32_t off = BPF_MODE(f->code) == BPF_IND ? vm->x + f->k : f->k;

	if (!pkt_load(vm->pkt, (int32_t)off, load_size(f->code), &vm->a))
		vm_stop(vm, 0);
}

/* BPF_LD: A = k, the view's length, M[k], the packet (an ancillary
 * value for an absolute k in the ancillary area). */
static void step_ld(struct bpf_vm *vm, const struct sock_filter *f)
{
	switch (BPF_MODE(f->code)) {
	case BPF_IMM:
		vm->a = f->k;
		break;
	case BPF_LEN:
		vm->a = vm->pkt->len;
		break;
	case BPF_MEM:
		vm->a = vm->mem[f->k % BPF_MEMWORDS];
		break;
	case BPF_ABS:
		if (f->k >= (uint32_t)SKF_AD_OFF)
			ld_anc(vm, f->k - (uint32_t)SKF_AD_OFF);
		else
			ld_pkt(vm, f);
		break;
	case BPF_IND:
		ld_pkt(vm, f);
		break;
	default:
		vm_stop(vm, 0);
		break;
	}
}

#define MSH_NIBBLE 0x0f   /* an IPv4 header's IHL... */
#define MSH_SCALE  2      /* ...in 4-byte words */

/* BPF_LDX: X = k, the view's length, M[k], or 4 * (P[k] & 0xf) (MSH:
 * an IPv4 header's length, read as an absolute byte load, which may end
 * the program with 0). */
static void step_ldx(struct bpf_vm *vm, const struct sock_filter *f)
{
	uint32_t b;

	switch (BPF_MODE(f->code)) {
	case BPF_IMM:
		vm->x = f->k;
		break;
	case BPF_LEN:
		vm->x = vm->pkt->len;
		break;
	case BPF_MEM:
		vm->x = vm->mem[f->k % BPF_MEMWORDS];
		break;
	case BPF_MSH:
		if (pkt_load(vm->pkt, (int32_t)f->k, 1, &b))
			vm->x = (b & MSH_NIBBLE) << MSH_SCALE;
		else
			vm_stop(vm, 0);
		break;
	default:
		vm_stop(vm, 0);
		break;
	}
}

#define SHIFT_MASK 31   /* x86_64's 32-bit shl/shr use the count's low 5 bits */

/* BPF_ALU: A = A op (k or X), unsigned and modulo 2^32. */
static void step_alu(struct bpf_vm *vm, const struct sock_filter *f)
{
	uint32_t s = BPF_SRC(f->code) == BPF_X ? vm->x : f->k;

	switch (BPF_OP(f->code)) {
	case BPF_ADD:
		vm->a += s;
		break;
	case BPF_SUB:
		vm->a -= s;
		break;
	case BPF_MUL:
		vm->a *= s;
		break;
	case BPF_OR:
		vm->a |= s;
		break;
	case BPF_AND:
		vm->a &= s;
		break;
	case BPF_XOR:
		vm->a ^= s;
		break;
	case BPF_LSH:
		vm->a <<= s & SHIFT_MASK;
		break;
	case BPF_RSH:
		vm->a >>= s & SHIFT_MASK;
		break;
	case BPF_NEG:
		vm->a = -vm->a;
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (s == 0) /* only X can be 0 in a checked program: Linux returns 0 */
			vm_stop(vm, 0);
		else
			vm->a = BPF_OP(f->code) == BPF_DIV ? vm->a / s : vm->a % s;
		break;
	default:
		vm_stop(vm, 0);
		break;
	}
}

/* Move pc past skip more instructions; end with 0 if that leaves the
 * program (bpf_check refuses such a jump). */
static void jump(struct bpf_vm *vm, unsigned len, uint32_t skip)
{
	if (skip >= len - vm->pc)
		vm_stop(vm, 0);
	else
		vm->pc += skip;
}

/* BPF_JMP: JA skips k instructions, the others jt when A op (k or X)
 * holds, else jf (unsigned compares). vm->pc is already past f. */
static void step_jmp(struct bpf_vm *vm, const struct sock_filter *f, unsigned len)
{
	uint32_t s = BPF_SRC(f->code) == BPF_X ? vm->x : f->k;
	bool taken;

	switch (BPF_OP(f->code)) {
	case BPF_JA:
		jump(vm, len, f->k);
		return;
	case BPF_JEQ:
		taken = vm->a == s;
		break;
	case BPF_JGT:
		taken = vm->a > s;
		break;
	case BPF_JGE:
		taken = vm->a >= s;
		break;
	case BPF_JSET:
		taken = (vm->a & s) != 0;
		break;
	default:
		vm_stop(vm, 0);
		return;
	}
	jump(vm, len, taken ? f->jt : f->jf);
}

/* BPF_MISC: TAX (X = A) or TXA (A = X). */
static void step_misc(struct bpf_vm *vm, const struct sock_filter *f)
{
	if (BPF_MISCOP(f->code) == BPF_TXA)
		vm->a = vm->x;
	else
		vm->x = vm->a;
}

/* Run one instruction f (vm->pc is already past it): BPF_ST and BPF_STX
 * store A or X in M[k], BPF_RET ends the program with k or A. */
static void step(struct bpf_vm *vm, const struct sock_filter *f, unsigned len)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
		step_ld(vm, f);
		break;
	case BPF_LDX:
		step_ldx(vm, f);
		break;
	case BPF_ST:
		vm->mem[f->k % BPF_MEMWORDS] = vm->a;
		break;
	case BPF_STX:
		vm->mem[f->k % BPF_MEMWORDS] = vm->x;
		break;
	case BPF_ALU:
		step_alu(vm, f);
		break;
	case BPF_JMP:
		step_jmp(vm, f, len);
		break;
	case BPF_RET:
		vm_stop(vm, BPF_RVAL(f->code) == BPF_A ? vm->a : f->k);
		break;
	case BPF_MISC:
		step_misc(vm, f);
		break;
	}
}

uint32_t bpf_run(const struct sock_filter *prog, unsigned len, const struct bpf_pkt *pkt)
{
	struct bpf_vm vm;

	memset(&vm, 0, sizeof(vm));
	vm.pkt = pkt;
	while (!vm.done && vm.pc < len) {
		const struct sock_filter *f = &prog[vm.pc++];
		step(&vm, f, len);
	}
	return vm.ret; /* 0 when it ran off the end (bpf_check refuses that) */
}
