/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the classic BPF socket filters (kernel/net/bpf.c).
 * The input is a 6-byte prefix, a program and a packet:
 *   byte 0     flags: BPF_FUZZ_HAS_MAC, BPF_FUZZ_NO_DEV (ifindex 0), BPF_FUZZ_VLAN
 *   bytes 1-2  the program's length in instructions (big-endian), taken
 *              modulo BPF_MAXINSNS + 8 (so too long programs come up), plus 1,
 *              and cut to the instructions the input holds
 *   bytes 3-5  where the view, the network header and the link-layer
 *              header start, each modulo the packet's length + 1
 *   then the instructions (struct sock_filter as x86_64 lays it out),
 *   then the packet's bytes.
 * bpf_check answers 0 or -EINVAL and never takes more than BPF_MAXINSNS
 * instructions; bpf_run runs every program, checked or not (its contract:
 * it ends and stays in bounds either way), twice, with the same answer,
 * reading the program and the packet (each in a buffer of exactly its
 * size, so ASan sees a byte past either) and writing neither.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_net.h"
#include "lib/errno.h"
#include "net/bpf.h"

#define PREFIX            6
#define BPF_FUZZ_HAS_MAC  0x01
#define BPF_FUZZ_NO_DEV   0x02
#define BPF_FUZZ_VLAN     0x04
#define LEN_SPAN          (BPF_MAXINSNS + 8)
#define RND_SEED          0x5eedull

/* One run over pkt with a fresh PRNG state. */
static uint32_t run_once(const struct sock_filter *prog, unsigned n, struct bpf_pkt *pkt)
{
	uint64_t rnd = RND_SEED;

	pkt->rnd_state = &rnd;
	return bpf_run(prog, n, pkt);
}

static void fill_pkt(struct bpf_pkt *p, const uint8_t *pre, const uint8_t *bytes, uint32_t len)
{
	memset(p, 0, sizeof(*p));
	p->head = bytes;
	p->data_off = pre[3] % (len + 1);
	p->len = len - p->data_off;
	p->net_off = pre[4] % (len + 1);
	p->mac_off = pre[5] % (len + 1);
	p->has_mac = pre[0] & BPF_FUZZ_HAS_MAC;
	p->protocol = 0x0008; /* ETH_P_IP in network order */
	p->ifindex = pre[0] & BPF_FUZZ_NO_DEV ? 0 : 2;
	p->hatype = 1;
	p->pkttype = pre[0] >> 5;
	p->mark = 0x12345678;
	p->rxhash = 0x9abcdef0;
	p->cpu = 1;
	p->pay_off = p->len / 2;
	if (pre[0] & BPF_FUZZ_VLAN) {
		p->vlan_tci = 0x0064;
		p->vlan_proto = 0x0081;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf prog, pkt;
	struct bpf_pkt p;

	if (size < PREFIX + sizeof(struct sock_filter))
		return 0;
	size_t want = (size_t)(data[1] << 8 | data[2]) % LEN_SPAN + 1;
	size_t have = (size - PREFIX) / sizeof(struct sock_filter);
	unsigned n = (unsigned)(want < have ? want : have);
	size_t prog_bytes = n * sizeof(struct sock_filter);
	if (fuzz_buf_init(&prog, data + PREFIX, prog_bytes))
		return 0;
	if (fuzz_buf_init(&pkt, data + PREFIX + prog_bytes, size - PREFIX - prog_bytes)) {
		fuzz_buf_free(&prog);
		return 0;
	}
	fuzz_buf_snap(&prog);
	fuzz_buf_snap(&pkt);

	const struct sock_filter *f = (const struct sock_filter *)prog.p;
	int rc = bpf_check(f, n);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	FUZZ_ASSERT(rc != 0 || (n <= BPF_MAXINSNS && BPF_CLASS(f[n - 1].code) == BPF_RET));
	fill_pkt(&p, data, pkt.p, (uint32_t)pkt.len);
	uint32_t r1 = run_once(f, n, &p);
	uint32_t r2 = run_once(f, n, &p);
	FUZZ_ASSERT(r1 == r2);

	fuzz_buf_check(&prog);
	fuzz_buf_check(&pkt);
	fuzz_buf_free(&prog);
	fuzz_buf_free(&pkt);
	return 0;
}
