/* SPDX-License-Identifier: MIT */
/*
 * Host unit test: net/bpf.c, the classic BPF socket filter checker and
 * interpreter, on tcpdump's byte code over frames captured off Linux
 * (net_frames.h) and on hand-made programs. The results marked "Linux"
 * were observed on Linux 6.18 (x86_64, JIT on) with the same program
 * attached (SO_ATTACH_FILTER) to an AF_UNIX datagram socket.
 */
#include "net/bpf.h"
#include "lib/errno.h"
#include "net_frames.h"
#include "unit.h"

#define N(prog) ((unsigned)(sizeof(prog) / sizeof((prog)[0])))
#define AD(x) ((uint32_t)SKF_AD_OFF + (x))
#define NET(x) ((uint32_t)SKF_NET_OFF + (x))
#define LL(x) ((uint32_t)SKF_LL_OFF + (x))
#define TCPDUMP_SNAPLEN 262144 /* what tcpdump's "ret" keeps */
#define ETH_P_IP 0x0800

/* tcpdump -dd 'ip and udp dst port 67' */
static const struct sock_filter dhcp_server[] = {
	{ 0x28, 0, 0, 0x0000000c }, /* ldh [12] */
	{ 0x15, 0, 8, 0x00000800 }, /* jeq #0x800 jt 2 jf 10 */
	{ 0x30, 0, 0, 0x00000017 }, /* ldb [23] */
	{ 0x15, 0, 6, 0x00000011 }, /* jeq #17 jt 4 jf 10 */
	{ 0x28, 0, 0, 0x00000014 }, /* ldh [20] */
	{ 0x45, 4, 0, 0x00001fff }, /* jset #0x1fff jt 10 jf 6 */
	{ 0xb1, 0, 0, 0x0000000e }, /* ldxb 4*([14]&0xf) */
	{ 0x48, 0, 0, 0x00000010 }, /* ldh [x + 16] */
	{ 0x15, 0, 1, 0x00000043 }, /* jeq #67 jt 9 jf 10 */
	{ 0x06, 0, 0, 0x00040000 }, /* ret #262144 */
	{ 0x06, 0, 0, 0x00000000 }, /* ret #0 */
};

/* tcpdump -dd 'arp' */
static const struct sock_filter arp_only[] = {
	{ 0x28, 0, 0, 0x0000000c }, /* ldh [12] */
	{ 0x15, 0, 1, 0x00000806 }, /* jeq #0x806 jt 2 jf 3 */
	{ 0x06, 0, 0, 0x00040000 }, /* ret #262144 */
	{ 0x06, 0, 0, 0x00000000 }, /* ret #0 */
};

static uint8_t frame[1600];

static uint32_t get_be16_frame(uint32_t at)
{
	return (uint32_t)frame[at] << 8 | frame[at + 1];
}

static uint32_t get_be32_frame(uint32_t at)
{
	return get_be16_frame(at) << 16 | get_be16_frame(at + 2);
}

/* The frame h decoded into frame[], seen as a raw packet socket sees it:
 * the view and the link-layer header at 0, the IPv4 header at 14. */
static struct bpf_pkt raw_frame(const char *h)
{
	struct bpf_pkt p = { 0 };
	p.head = frame;
	p.len = (uint32_t)frame_unhex(h, frame);
	p.net_off = FRAME_ETH_LEN;
	p.has_mac = true;
	p.protocol = __builtin_bswap16(ETH_P_IP);
	return p;
}

/* A packet of n bytes 0, 1, 2 ... with no headers around it (an AF_UNIX datagram's view). */
static struct bpf_pkt counting(uint32_t n)
{
	struct bpf_pkt p = { 0 };
	for (uint32_t i = 0; i < n && i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	p.head = frame;
	p.len = n;
	return p;
}

/* bpf_check, then bpf_run: the checker must take every program run here. */
static uint32_t run(const struct sock_filter *prog, unsigned len, const struct bpf_pkt *p)
{
	if (bpf_check(prog, len) != 0)
		return 0xdeadbeef;
	return bpf_run(prog, len, p);
}

/* ---- the checker ------------------------------------------------------------ */

UNIT_TEST(check_length)
{
	static struct sock_filter big[BPF_MAXINSNS + 1];
	for (unsigned i = 0; i < N(big); i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, i);
	big[BPF_MAXINSNS - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	CHECK_EQ(bpf_check(big, 0), -EINVAL);
	CHECK_EQ(bpf_check(NULL, 1), -EINVAL);
	CHECK_EQ(bpf_check(big, BPF_MAXINSNS), 0);
	big[BPF_MAXINSNS] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	CHECK_EQ(bpf_check(big, BPF_MAXINSNS + 1), -EINVAL);
	CHECK_EQ(bpf_check(dhcp_server, N(dhcp_server)), 0);
	CHECK_EQ(bpf_check(arp_only, N(arp_only)), 0);
	return NULL;
}

UNIT_TEST(check_opcodes)
{
	/* Linux's whitelist, not the fields: these are all well formed */
	static const uint16_t refused[] = {
		BPF_RET | BPF_X,                 /* ret x */
		BPF_LD | BPF_H | BPF_IMM,        /* an immediate of another size */
		BPF_LDX | BPF_W | BPF_ABS,       /* seccomp's, not a socket's */
		BPF_LDX | BPF_H | BPF_MSH,
		BPF_LD | BPF_B | BPF_LEN,
		BPF_ALU | BPF_NEG | BPF_X,
		BPF_JMP | BPF_JA | BPF_X,
		BPF_MISC | BPF_TAX | BPF_X,
		BPF_ST | BPF_H,
		0xb2, 0xff, 0x100, 0xffff,
	};
	for (unsigned i = 0; i < N(refused); i++) {
		struct sock_filter p[] = { BPF_STMT(refused[i], 0), BPF_STMT(BPF_RET | BPF_K, 0) };
		if (bpf_check(p, N(p)) != -EINVAL) {
			snprintf(unit_msg, sizeof(unit_msg), "opcode 0x%x taken", refused[i]);
			return unit_msg;
		}
	}
	return NULL;
}

UNIT_TEST(check_constants)
{
	struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter mod0[] = { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter divx[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter lsh[] = { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter rsh[] = { BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 31), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(bpf_check(div0, 2), -EINVAL);
	CHECK_EQ(bpf_check(mod0, 2), -EINVAL);
	CHECK_EQ(bpf_check(divx, 2), 0);
	CHECK_EQ(bpf_check(lsh, 2), -EINVAL); /* Linux: a constant shift of 32 or more is refused */
	CHECK_EQ(bpf_check(rsh, 2), 0);
	rsh[0].k = 0xffffffff;
	CHECK_EQ(bpf_check(rsh, 2), -EINVAL);
	return NULL;
}

UNIT_TEST(check_jumps)
{
	struct sock_filter ja[] = {
		BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, 2),
	};
	CHECK_EQ(bpf_check(ja, 3), 0);
	ja[0].k = 2; /* past the end */
	CHECK_EQ(bpf_check(ja, 3), -EINVAL);
	ja[0].k = 0xffffffff; /* "backward", as an unsigned offset past the end */
	CHECK_EQ(bpf_check(ja, 3), -EINVAL);

	struct sock_filter jeq[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, 2),
	};
	CHECK_EQ(bpf_check(jeq, 3), 0);
	jeq[0].jt = 2;
	CHECK_EQ(bpf_check(jeq, 3), -EINVAL);
	jeq[0].jt = 0;
	jeq[0].jf = 255;
	CHECK_EQ(bpf_check(jeq, 3), -EINVAL);
	/* a conditional jump last cannot land anywhere */
	struct sock_filter last[] = { BPF_STMT(BPF_RET | BPF_K, 1), BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 0) };
	CHECK_EQ(bpf_check(last, 2), -EINVAL);
	return NULL;
}

UNIT_TEST(check_final_ret)
{
	struct sock_filter p[] = { BPF_STMT(BPF_RET | BPF_K, 0), BPF_STMT(BPF_LD | BPF_IMM, 0) };
	CHECK_EQ(bpf_check(p, 2), -EINVAL);
	CHECK_EQ(bpf_check(p, 1), 0);
	struct sock_filter a[] = { BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(bpf_check(a, 2), 0);
	return NULL;
}

UNIT_TEST(check_mem_index)
{
	static const uint16_t mem_ops[] = { BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM };
	for (unsigned i = 0; i < N(mem_ops); i++) {
		struct sock_filter p[] = {
			BPF_STMT(BPF_ST, 15), BPF_STMT(mem_ops[i], BPF_MEMWORDS), BPF_STMT(BPF_RET | BPF_K, 0),
		};
		CHECK_EQ(bpf_check(p, 3), -EINVAL);
		p[1].k = BPF_MEMWORDS - 1;
		CHECK_EQ(bpf_check(p, 3), 0);
	}
	return NULL;
}

UNIT_TEST(check_mem_read_before_store)
{
	struct sock_filter first[] = { BPF_STMT(BPF_LD | BPF_MEM, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(bpf_check(first, 2), -EINVAL);
	first[0].code = BPF_LDX | BPF_MEM;
	CHECK_EQ(bpf_check(first, 2), -EINVAL);

	/* M[3] stored on the jt path only, read where both paths meet */
	struct sock_filter one_path[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(bpf_check(one_path, 4), -EINVAL);
	/* stored before the branch: both paths have it */
	struct sock_filter both[] = {
		BPF_STMT(BPF_ST, 3),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_STX, 4),
		BPF_STMT(BPF_LDX | BPF_MEM, 3),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(bpf_check(both, 5), 0);
	both[3].k = 4; /* M[4] only on the fall-through path */
	CHECK_EQ(bpf_check(both, 5), -EINVAL);
	/* a jump over the store into the read */
	struct sock_filter over[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(bpf_check(over, 4), -EINVAL);
	/* Linux: an unreachable read after a JA is taken, one after a RET is not */
	struct sock_filter after_ja[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(bpf_check(after_ja, 3), 0);
	struct sock_filter after_ret[] = {
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(bpf_check(after_ret, 3), -EINVAL);
	return NULL;
}

UNIT_TEST(check_ancillary)
{
	static const uint16_t sizes[] = { BPF_W, BPF_H, BPF_B };
	for (unsigned s = 0; s < N(sizes); s++) {
		for (uint32_t off = 0; off < SKF_AD_MAX + 8; off++) {
			struct sock_filter p[] = { BPF_STMT(BPF_LD | sizes[s] | BPF_ABS, AD(off)), BPF_STMT(BPF_RET | BPF_A, 0) };
			int want = off < SKF_AD_MAX && off % 4 == 0 ? 0 : -EINVAL;
			if (bpf_check(p, 2) != want) {
				snprintf(unit_msg, sizeof(unit_msg), "size 0x%x SKF_AD_OFF + %u", sizes[s], off);
				return unit_msg;
			}
		}
	}
	struct sock_filter p[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xffffffff), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(bpf_check(p, 2), -EINVAL);
	p[0].k = AD(0) - 1; /* the network area's last byte */
	CHECK_EQ(bpf_check(p, 2), 0);
	p[0].code = BPF_LD | BPF_W | BPF_IND; /* only absolute loads are ancillary */
	p[0].k = AD(SKF_AD_MAX);
	CHECK_EQ(bpf_check(p, 2), 0);
	return NULL;
}

/* ---- the interpreter over real frames --------------------------------------- */

UNIT_TEST(run_dhcp_server_filter)
{
	struct bpf_pkt p = raw_frame(hex_dhcp_discover);
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), TCPDUMP_SNAPLEN);
	p = raw_frame(hex_dhcp_offer); /* to the client's port, 68 */
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), 0);
	p = raw_frame(hex_udp_dns);
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), 0);
	p = raw_frame(hex_arp_request);
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), 0);
	p = raw_frame(hex_tcp_syn);
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), 0);
	/* a later fragment has no UDP header: jset #0x1fff refuses it */
	p = raw_frame(hex_dhcp_discover);
	frame[FRAME_ETH_LEN + 7] = 1;
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), 0);
	/* cut inside the destination port: the load ends it with 0 */
	p = raw_frame(hex_dhcp_discover);
	p.len = FRAME_L4 + 3;
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), 0);
	p.len = FRAME_L4 + 4;
	CHECK_EQ(run(dhcp_server, N(dhcp_server), &p), TCPDUMP_SNAPLEN);
	return NULL;
}

UNIT_TEST(run_arp_filter)
{
	struct bpf_pkt p = raw_frame(hex_arp_request);
	CHECK_EQ(run(arp_only, N(arp_only), &p), TCPDUMP_SNAPLEN);
	p = raw_frame(hex_icmp_echo);
	CHECK_EQ(run(arp_only, N(arp_only), &p), 0);
	p.len = 13; /* shorter than the EtherType */
	CHECK_EQ(run(arp_only, N(arp_only), &p), 0);
	return NULL;
}

UNIT_TEST(run_ret)
{
	struct bpf_pkt p = counting(40);
	struct sock_filter k0[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter all[] = { BPF_STMT(BPF_RET | BPF_K, 0xffffffff) };
	struct sock_filter a[] = { BPF_STMT(BPF_LD | BPF_IMM, 7), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter a0[] = { BPF_STMT(BPF_RET | BPF_A, 0) }; /* A starts at 0 */
	CHECK_EQ(run(k0, 1, &p), 0);
	CHECK_EQ(run(all, 1, &p), 0xffffffff);
	CHECK_EQ(run(a, 2, &p), 7);
	CHECK_EQ(run(a0, 1, &p), 0);
	return NULL;
}

UNIT_TEST(run_len)
{
	struct bpf_pkt p = counting(123);
	struct sock_filter a[] = { BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter x[] = {
		BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 23), BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(run(a, N(a), &p), 123);
	CHECK_EQ(run(x, N(x), &p), 100);
	/* the view's length, not the headers' before it */
	p.data_off = 20;
	p.len = 103;
	CHECK_EQ(run(a, N(a), &p), 103);
	return NULL;
}

UNIT_TEST(run_msh_and_ind)
{
	/* X = the IPv4 header's length; A = the UDP destination port after it */
	struct sock_filter p[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, FRAME_ETH_LEN),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, FRAME_ETH_LEN + 2),
		BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 16),
		BPF_STMT(BPF_LDX | BPF_MEM, 0),
		BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct bpf_pkt pk = raw_frame(hex_udp_dns);
	CHECK_EQ(run(p, N(p), &pk), 20u << 16 | 53);
	/* IHL 6: 24 bytes; the port is read 4 bytes further */
	frame[FRAME_ETH_LEN] = 0x46;
	CHECK_EQ(run(p, N(p), &pk), 24u << 16 | get_be16_frame(FRAME_L4 + 4 + 2));
	/* MSH outside the packet ends it */
	p[0].k = pk.len;
	CHECK_EQ(run(p, N(p), &pk), 0);
	return NULL;
}

UNIT_TEST(run_out_of_bounds)
{
	struct bpf_pkt p = counting(10);
	struct sock_filter w[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 6), BPF_STMT(BPF_RET | BPF_K, 1) };
	CHECK_EQ(run(w, 2, &p), 1);
	w[0].k = 7;
	CHECK_EQ(run(w, 2, &p), 0);
	w[0].code = BPF_LD | BPF_H | BPF_ABS;
	w[0].k = 8;
	CHECK_EQ(run(w, 2, &p), 1);
	w[0].k = 9;
	CHECK_EQ(run(w, 2, &p), 0);
	w[0].code = BPF_LD | BPF_B | BPF_ABS;
	CHECK_EQ(run(w, 2, &p), 1);
	w[0].k = 10;
	CHECK_EQ(run(w, 2, &p), 0);
	w[0].k = 0x7fffffff;
	CHECK_EQ(run(w, 2, &p), 0);
	w[0].k = 0x80000000; /* negative and below SKF_LL_OFF */
	CHECK_EQ(run(w, 2, &p), 0);
	/* X + k wraps: 0xffffffff + 3 is offset 2 (Linux) */
	struct sock_filter ind[] = {
		BPF_STMT(BPF_LDX | BPF_IMM, 0xffffffff),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 3),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(run(ind, 3, &p), 2);
	ind[0].k = 10;
	ind[1].k = 0;
	CHECK_EQ(run(ind, 3, &p), 0);
	return NULL;
}

UNIT_TEST(run_div_mod_by_x_zero)
{
	struct bpf_pkt p = counting(40);
	struct sock_filter d[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 100),
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, 9),
	};
	CHECK_EQ(run(d, 4, &p), 0); /* Linux: dropped */
	d[2].code = BPF_ALU | BPF_MOD | BPF_X;
	CHECK_EQ(run(d, 4, &p), 0);
	d[1].k = 7;
	d[3] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	CHECK_EQ(run(d, 4, &p), 2);
	d[2].code = BPF_ALU | BPF_DIV | BPF_X;
	CHECK_EQ(run(d, 4, &p), 14);
	return NULL;
}

UNIT_TEST(run_shift_by_x)
{
	struct bpf_pkt p = counting(40);
	struct sock_filter s[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 1),
		BPF_STMT(BPF_LDX | BPF_IMM, 33),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(run(s, 4, &p), 2); /* Linux: 1 << (33 & 31) */
	s[0].k = 0x80000000;
	s[1].k = 36;
	s[2].code = BPF_ALU | BPF_RSH | BPF_X;
	CHECK_EQ(run(s, 4, &p), 0x08000000); /* Linux: >> (36 & 31) */
	s[1].k = 32;
	CHECK_EQ(run(s, 4, &p), 0x80000000);
	return NULL;
}

UNIT_TEST(run_alu)
{
	static const struct { uint16_t op; uint32_t a, k, want; } cases[] = {
		{ BPF_ADD, 0xffffffff, 2, 1 },
		{ BPF_SUB, 1, 2, 0xffffffff },
		{ BPF_MUL, 0x10000, 0x10001, 0x10000 },
		{ BPF_DIV, 0xffffffff, 16, 0x0fffffff },
		{ BPF_MOD, 100, 7, 2 },
		{ BPF_AND, 0xf0f0, 0xff00, 0xf000 },
		{ BPF_OR, 0xf0f0, 0x0f00, 0xfff0 },
		{ BPF_XOR, 0xf0f0, 0xffff, 0x0f0f },
		{ BPF_LSH, 3, 31, 0x80000000 },
		{ BPF_RSH, 0x80000000, 31, 1 },
		{ BPF_NEG, 1, 0, 0xffffffff },
	};
	struct bpf_pkt p = counting(1);
	for (unsigned i = 0; i < N(cases); i++) {
		struct sock_filter k[] = {
			BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
			BPF_STMT(BPF_ALU | cases[i].op | BPF_K, cases[i].k),
			BPF_STMT(BPF_RET | BPF_A, 0),
		};
		CHECK_EQ(run(k, 3, &p), cases[i].want);
		if (cases[i].op == BPF_NEG)
			continue;
		struct sock_filter x[] = {
			BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
			BPF_STMT(BPF_LDX | BPF_IMM, cases[i].k),
			BPF_STMT(BPF_ALU | cases[i].op | BPF_X, 0),
			BPF_STMT(BPF_RET | BPF_A, 0),
		};
		CHECK_EQ(run(x, 4, &p), cases[i].want);
	}
	return NULL;
}

UNIT_TEST(run_jumps)
{
	static const struct { uint16_t op; uint32_t a, k; bool taken; } cases[] = {
		{ BPF_JEQ, 5, 5, true }, { BPF_JEQ, 5, 6, false },
		{ BPF_JGT, 0x80000000, 1, true }, /* unsigned */
		{ BPF_JGT, 5, 5, false }, { BPF_JGE, 5, 5, true }, { BPF_JGE, 4, 5, false },
		{ BPF_JSET, 6, 2, true }, { BPF_JSET, 6, 9, false },
	};
	struct bpf_pkt p = counting(1);
	for (unsigned i = 0; i < N(cases); i++) {
		for (int src = 0; src < 2; src++) {
			struct sock_filter j[] = {
				BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
				BPF_STMT(BPF_LDX | BPF_IMM, cases[i].k),
				BPF_JUMP(BPF_JMP | cases[i].op | (src ? BPF_X : BPF_K), src ? 0 : cases[i].k, 1, 2),
				BPF_STMT(BPF_RET | BPF_K, 0),
				BPF_STMT(BPF_RET | BPF_K, 1),
				BPF_STMT(BPF_RET | BPF_K, 2),
			};
			CHECK_EQ(run(j, N(j), &p), cases[i].taken ? 1 : 2);
		}
	}
	struct sock_filter ja[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 2), BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 1), BPF_STMT(BPF_RET | BPF_K, 2),
	};
	CHECK_EQ(run(ja, N(ja), &p), 2);
	return NULL;
}

UNIT_TEST(run_scratch_memory)
{
	struct bpf_pkt p = counting(1);
	struct sock_filter m[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 0x1234),
		BPF_STMT(BPF_ST, 15),
		BPF_STMT(BPF_LDX | BPF_IMM, 0x10),
		BPF_STMT(BPF_STX, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_LDX | BPF_MEM, 15),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(run(m, N(m), &p), 0x1244);
	return NULL;
}

/* ---- ancillary and header-relative loads -------------------------------------- */

/* ld SKF_AD_OFF + anc (size sz); ret a, over p */
static uint32_t anc(uint32_t off, uint16_t sz, const struct bpf_pkt *p)
{
	struct sock_filter a[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 77),
		BPF_STMT(BPF_LDX | BPF_IMM, 0x0f),
		BPF_STMT(BPF_LD | sz | BPF_ABS, AD(off)),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	return run(a, N(a), p);
}

UNIT_TEST(run_ancillary)
{
	struct bpf_pkt p = raw_frame(hex_udp_dns);
	p.ifindex = 2;
	p.hatype = 1;      /* ARPHRD_ETHER */
	p.pkttype = 3;     /* PACKET_OTHERHOST */
	p.mark = 0xdeadbeef;
	p.queue = 5;
	p.rxhash = 0x12345678;
	p.cpu = 1;
	p.pay_off = 42;
	CHECK_EQ(anc(SKF_AD_PROTOCOL, BPF_W, &p), ETH_P_IP);
	CHECK_EQ(anc(SKF_AD_PROTOCOL, BPF_B, &p), ETH_P_IP); /* the size does not matter */
	CHECK_EQ(anc(SKF_AD_IFINDEX, BPF_H, &p), 2);
	CHECK_EQ(anc(SKF_AD_HATYPE, BPF_W, &p), 1);
	CHECK_EQ(anc(SKF_AD_PKTTYPE, BPF_W, &p), 3);
	CHECK_EQ(anc(SKF_AD_MARK, BPF_W, &p), 0xdeadbeef);
	CHECK_EQ(anc(SKF_AD_QUEUE, BPF_W, &p), 5);
	CHECK_EQ(anc(SKF_AD_RXHASH, BPF_W, &p), 0x12345678);
	CHECK_EQ(anc(SKF_AD_CPU, BPF_W, &p), 1);
	CHECK_EQ(anc(SKF_AD_PAY_OFFSET, BPF_W, &p), 42);
	CHECK_EQ(anc(SKF_AD_ALU_XOR_X, BPF_W, &p), 77 ^ 0x0f);
	CHECK_EQ(anc(SKF_AD_VLAN_TAG_PRESENT, BPF_W, &p), 0);
	p.vlan_tci = 0x2064;
	p.vlan_proto = __builtin_bswap16(0x8100);
	CHECK_EQ(anc(SKF_AD_VLAN_TAG, BPF_W, &p), 0x2064);
	CHECK_EQ(anc(SKF_AD_VLAN_TPID, BPF_W, &p), 0x8100);
	CHECK_EQ(anc(SKF_AD_VLAN_TAG_PRESENT, BPF_W, &p), 1);
	/* Linux: no device ends the program with A, not 0 */
	p.ifindex = 0;
	CHECK_EQ(anc(SKF_AD_IFINDEX, BPF_W, &p), 77);
	CHECK_EQ(anc(SKF_AD_HATYPE, BPF_W, &p), 77);
	/* a PRNG advanced through the state; none: 0 */
	uint64_t st = 1, st2 = 1;
	p.rnd_state = &st;
	uint32_t r1 = anc(SKF_AD_RANDOM, BPF_W, &p), r2 = anc(SKF_AD_RANDOM, BPF_W, &p);
	CHECK(r1 != r2 && st != 1);
	p.rnd_state = &st2;
	CHECK_EQ(anc(SKF_AD_RANDOM, BPF_W, &p), r1);
	p.rnd_state = NULL;
	CHECK_EQ(anc(SKF_AD_RANDOM, BPF_W, &p), 0);
	return NULL;
}

UNIT_TEST(run_header_offsets)
{
	/* a UDP socket's view: the UDP header, with the IPv4 and Ethernet headers before it */
	struct bpf_pkt p = raw_frame(hex_udp_dns);
	uint32_t end = p.len;
	p.data_off = FRAME_L4;
	p.len = end - FRAME_L4;
	p.net_off = FRAME_ETH_LEN;
	p.mac_off = 0;
	struct sock_filter f[] = { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NET(9)), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(f, 2, &p), 17);                 /* the IPv4 protocol */
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, LL(12));
	CHECK_EQ(run(f, 2, &p), ETH_P_IP);           /* the EtherType */
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2);
	CHECK_EQ(run(f, 2, &p), 53);                 /* the destination port, at 0 + 2 */
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NET(end - FRAME_ETH_LEN - 4));
	CHECK_EQ(run(f, 2, &p), get_be32_frame(end - 4)); /* the last word, through the network header */
	f[0].k++;
	CHECK_EQ(run(f, 2, &p), 0);                  /* one past: dropped */
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_IND, NET(0));
	CHECK_EQ(run(f, 2, &p), 0x45);               /* X + k lands in the network area too */
	f[0] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, NET(0));
	struct sock_filter msh[] = { f[0], BPF_STMT(BPF_MISC | BPF_TXA, 0), BPF_STMT(BPF_RET | BPF_A, 0) };
	CHECK_EQ(run(msh, 3, &p), 20);               /* and MSH */
	p.has_mac = false;
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, LL(12));
	CHECK_EQ(run(f, 2, &p), 0);                  /* no link-layer header: dropped */
	f[0].k = LL(0) - 1;                          /* below SKF_LL_OFF */
	CHECK_EQ(run(f, 2, &p), 0);
	return NULL;
}

/* A netlink message's attributes: type 1 (4 bytes), type 2 nested with
 * types 7 and 8 inside, type 3 with NLA_F_NESTED set. */
static const uint8_t nl_attrs[] = {
	8, 0, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd,
	20, 0, 2, 0,
	    8, 0, 7, 0, 1, 2, 3, 4,
	    5, 0, 8, 0, 9, 0, 0, 0, /* length 5, padded to 8 */
	4, 0, 3, 0x80,
};

UNIT_TEST(run_nlattr)
{
	struct bpf_pkt p = { 0 };
	p.head = nl_attrs;
	p.len = sizeof(nl_attrs);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 0),
		BPF_STMT(BPF_LDX | BPF_IMM, 2),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, AD(SKF_AD_NLATTR)),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	CHECK_EQ(run(f, 4, &p), 8);
	f[1].k = 3; /* the flag bits are not the type */
	CHECK_EQ(run(f, 4, &p), 28);
	f[1].k = 7; /* not at the top level */
	CHECK_EQ(run(f, 4, &p), 0);
	f[0].k = 8;
	f[1].k = 8;
	f[2].k = AD(SKF_AD_NLATTR_NEST);
	CHECK_EQ(run(f, 4, &p), 20);
	f[0].k = sizeof(nl_attrs) - 3; /* no room for a header */
	CHECK_EQ(run(f, 4, &p), 0);
	return NULL;
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(check_length),
	UNIT_ENTRY(check_opcodes),
	UNIT_ENTRY(check_constants),
	UNIT_ENTRY(check_jumps),
	UNIT_ENTRY(check_final_ret),
	UNIT_ENTRY(check_mem_index),
	UNIT_ENTRY(check_mem_read_before_store),
	UNIT_ENTRY(check_ancillary),
	UNIT_ENTRY(run_dhcp_server_filter),
	UNIT_ENTRY(run_arp_filter),
	UNIT_ENTRY(run_ret),
	UNIT_ENTRY(run_len),
	UNIT_ENTRY(run_msh_and_ind),
	UNIT_ENTRY(run_out_of_bounds),
	UNIT_ENTRY(run_div_mod_by_x_zero),
	UNIT_ENTRY(run_shift_by_x),
	UNIT_ENTRY(run_alu),
	UNIT_ENTRY(run_jumps),
	UNIT_ENTRY(run_scratch_memory),
	UNIT_ENTRY(run_ancillary),
	UNIT_ENTRY(run_header_offsets),
	UNIT_ENTRY(run_nlattr),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
