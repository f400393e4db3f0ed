/* SPDX-License-Identifier: MIT */
/* NVMe 1.4: the controller registers, the queue entries and the command opcodes the driver uses (dev/nvme.c). */
#ifndef KESTREL_DEV_NVME_HW_H
#define KESTREL_DEV_NVME_HW_H

#include <stdint.h>

/* Controller registers (NVMe 1.4, 3.1), offsets in BAR 0. */
#define NVME_REG_CAP       0x00     /* 64-bit */
#define NVME_REG_VS        0x08
#define NVME_REG_INTMS     0x0c
#define NVME_REG_CC        0x14
#define NVME_REG_CSTS      0x1c
#define NVME_REG_AQA       0x24
#define NVME_REG_ASQ       0x28     /* 64-bit */
#define NVME_REG_ACQ       0x30     /* 64-bit */
#define NVME_REG_DOORBELLS 0x1000
#define NVME_REGS_MIN      0x2000   /* registers and the first doorbells */

/* CAP fields. */
#define NVME_CAP_MQES(c)   ((uint32_t)((c) & 0xffffu) + 1)    /* entries per queue */
#define NVME_CAP_TO(c)     ((uint32_t)(((c) >> 24) & 0xffu))  /* in 500 ms units */
#define NVME_CAP_DSTRD(c)  ((uint32_t)(((c) >> 32) & 0xfu))
#define NVME_CAP_CSS_NVM   (1ull << 37)
#define NVME_CAP_MPSMIN(c) ((uint32_t)(((c) >> 48) & 0xfu))
#define NVME_CAP_TO_UNIT_MS 500u

/* CC fields. */
#define NVME_CC_EN         (1u << 0)
#define NVME_CC_CSS_NVM    (0u << 4)
#define NVME_CC_MPS_4K     (0u << 7)   /* 2^(12 + 0) */
#define NVME_CC_AMS_RR     (0u << 11)
#define NVME_CC_SHN_NORMAL (1u << 14)
#define NVME_CC_SHN_MASK   (3u << 14)
#define NVME_CC_IOSQES     (6u << 16)  /* 64-byte submission entries */
#define NVME_CC_IOCQES     (4u << 20)  /* 16-byte completion entries */

/* CSTS fields. */
#define NVME_CSTS_RDY      (1u << 0)
#define NVME_CSTS_CFS      (1u << 1)   /* controller fatal status */
#define NVME_CSTS_SHST_MASK (3u << 2)
#define NVME_CSTS_SHST_DONE (2u << 2)
#define NVME_REG_GONE      0xffffffffu /* what a removed device reads as */

/* AQA: queue sizes, 0-based. */
#define NVME_AQA(sq, cq)   ((uint32_t)((sq) - 1) | (uint32_t)((cq) - 1) << 16)

/* Admin opcodes (5). */
#define NVME_ADMIN_CREATE_SQ   0x01
#define NVME_ADMIN_CREATE_CQ   0x05
#define NVME_ADMIN_IDENTIFY    0x06
#define NVME_ADMIN_SET_FEATURES 0x09

/* Identify CNS values and features. */
#define NVME_CNS_NS        0x00
#define NVME_CNS_CTRL      0x01
#define NVME_CNS_NS_LIST   0x02
#define NVME_FEAT_NUM_QUEUES 0x07

/* Create I/O queue flags (CDW11). */
#define NVME_QUEUE_PC      (1u << 0)   /* physically contiguous */
#define NVME_CQ_IEN        (1u << 1)   /* interrupts enabled */

/* NVM command set opcodes (6). */
#define NVME_CMD_FLUSH     0x00
#define NVME_CMD_WRITE     0x01
#define NVME_CMD_READ      0x02

/* A submission queue entry (4.2). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;            /* FUSE and PSDT: 0 (PRPs, not fused) */
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe submission entries are 64 bytes");

/* A completion queue entry (4.6). */
struct nvme_cqe {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status;          /* bit 0 the phase tag, then SC, SCT, CRD, M, DNR */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe completion entries are 16 bytes");

#define NVME_CQE_PHASE      1u
#define NVME_CQE_SC(s)      (((s) >> 1) & 0xffu)   /* status code */
#define NVME_CQE_SCT(s)     (((s) >> 9) & 0x7u)    /* status code type */

#endif
