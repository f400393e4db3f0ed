/* SPDX-License-Identifier: MIT */
/* The AHCI (Serial ATA Advanced Host Controller Interface 1.3.1) registers and in-memory structures the driver uses. */
#ifndef KESTREL_DEV_AHCI_HW_H
#define KESTREL_DEV_AHCI_HW_H

#include <stdint.h>

#define AHCI_ABAR          5        /* BAR 5 holds the HBA's registers */

/* Generic host control (3.1) */
#define HBA_CAP            0x00
#define HBA_GHC            0x04
#define HBA_IS             0x08     /* one bit per port with an interrupt pending */
#define HBA_PI             0x0c     /* ports implemented */
#define HBA_VS             0x10
#define HBA_CAP2           0x24
#define HBA_BOHC           0x28     /* BIOS/OS handoff */

#define CAP_S64A           (1u << 31)  /* 64-bit addresses in DMA structures */
#define CAP_SSS            (1u << 27)  /* staggered spin-up: ports spin up on PxCMD.SUD */
#define CAP_NCS_SHIFT      8
#define CAP_NCS_MASK       0x1fu       /* command slots - 1 */
#define GHC_IE             (1u << 1)
#define GHC_AE             (1u << 31)  /* AHCI mode (not legacy IDE) */
#define CAP2_BOH           (1u << 0)   /* the handoff register exists */
#define BOHC_BOS           (1u << 0)   /* BIOS owns */
#define BOHC_OOS           (1u << 1)   /* OS owns */
#define BOHC_BB            (1u << 4)   /* BIOS busy: finishing outstanding commands */
#define VS_MAJOR(v)        ((v) >> 16)
#define VS_MINOR(v)        (((v) >> 8) & 0xffu)

/* Port registers (3.3): port n at PORT_BASE + n * PORT_STRIDE */
#define PORT_BASE          0x100
#define PORT_STRIDE        0x80
#define AHCI_MAX_PORTS     32
#define PX_CLB             0x00     /* command list base, low and high */
#define PX_CLBU            0x04
#define PX_FB              0x08     /* received-FIS base, low and high */
#define PX_FBU             0x0c
#define PX_IS              0x10
#define PX_IE              0x14
#define PX_CMD             0x18
#define PX_TFD             0x20     /* the device's status and error registers */
#define PX_SIG             0x24
#define PX_SSTS            0x28     /* SStatus */
#define PX_SCTL            0x2c     /* SControl */
#define PX_SERR            0x30     /* SError */
#define PX_CI              0x38     /* commands issued: a bit per slot */

#define PXCMD_ST           (1u << 0)   /* start: process the command list */
#define PXCMD_SUD          (1u << 1)   /* spin up */
#define PXCMD_POD          (1u << 2)   /* power on */
#define PXCMD_FRE          (1u << 4)   /* FIS receive enable */
#define PXCMD_FR           (1u << 14)  /* FIS receive running */
#define PXCMD_CR           (1u << 15)  /* command list running */

#define PXIS_DHRS          (1u << 0)   /* device-to-host register FIS */
#define PXIS_PSS           (1u << 1)   /* PIO setup FIS */
#define PXIS_DSS           (1u << 2)   /* DMA setup FIS */
#define PXIS_SDBS          (1u << 3)   /* set device bits FIS */
#define PXIS_OFS           (1u << 24)  /* overflow */
#define PXIS_INFS          (1u << 26)  /* interface non-fatal error */
#define PXIS_IFS           (1u << 27)  /* interface fatal error */
#define PXIS_HBDS          (1u << 28)  /* host bus data error */
#define PXIS_HBFS          (1u << 29)  /* host bus fatal error */
#define PXIS_TFES          (1u << 30)  /* task-file error: the device reported one */
#define PXIS_ERRORS        (PXIS_OFS | PXIS_INFS | PXIS_IFS | PXIS_HBDS | PXIS_HBFS | PXIS_TFES)
#define PXIE_DEFAULT       (PXIS_DHRS | PXIS_PSS | PXIS_DSS | PXIS_SDBS | PXIS_ERRORS)

#define TFD_STS_ERR        (1u << 0)
#define TFD_STS_DRQ        (1u << 3)
#define TFD_STS_BSY        (1u << 7)
#define TFD_STS(t)         ((t) & 0xffu)
#define TFD_ERR(t)         (((t) >> 8) & 0xffu)

#define SSTS_DET_MASK      0xfu
#define SSTS_DET(s)        ((s) & SSTS_DET_MASK)
#define DET_NONE           0        /* nothing attached */
#define DET_PRESENT        1        /* a device, no communication yet */
#define DET_ESTABLISHED    3        /* a device and the link up */
#define SCTL_DET_MASK      0xfu
#define SCTL_DET_COMRESET  1u
#define SCTL_IPM_NONE      (3u << 8)   /* no partial or slumber power states */
#define SERR_ALL           0xffffffffu

/* Device signatures in PxSIG after the first D2H register FIS (3.3.9) */
#define SIG_ATA            0x00000101u
#define SIG_ATAPI          0xeb140101u
#define SIG_SEMB           0xc33c0101u  /* enclosure management bridge */
#define SIG_PM             0x96690101u  /* port multiplier */

/* The command list: 32 headers of 32 bytes (4.2.2), 1 KiB aligned */
#define AHCI_SLOTS_MAX     32
struct ahci_cmd_hdr {
	uint16_t flags;            /* CFL, A, W, P, R, B, C, PMP */
	uint16_t prdtl;            /* PRDT entries */
	volatile uint32_t prdbc;   /* bytes transferred, written by the HBA */
	uint64_t ctba;             /* command table, 128-byte aligned */
	uint32_t reserved[4];
};
_Static_assert(sizeof(struct ahci_cmd_hdr) == 32, "AHCI command header is 32 bytes");
#define HDR_CFL_H2D        5u          /* a register FIS is 5 dwords */
#define HDR_WRITE          (1u << 6)   /* host to device */
#define HDR_CLEAR_BUSY     (1u << 10)  /* C: clear BSY after R_OK (no data) */

#define AHCI_CL_BYTES      1024
#define AHCI_FIS_BYTES     256         /* the received-FIS area, 256-byte aligned */

/* A command table (4.2.3): the command FIS, the ATAPI command, the PRDT */
#define CT_CFIS            0x00
#define CT_PRDT            0x80
struct ahci_prd {
	uint64_t dba;              /* data base address, word aligned */
	uint32_t reserved;
	uint32_t dbc;              /* byte count - 1 (bits 21:0), bit 31 interrupt */
};
_Static_assert(sizeof(struct ahci_prd) == 16, "AHCI PRD entry is 16 bytes");
#define PRD_MAX_BYTES      (4u << 20)  /* 22-bit byte count */

/* The host-to-device register FIS (SATA 3.x, 10.5.5) */
#define FIS_TYPE_H2D       0x27u
#define FIS_H2D_COMMAND    0x80u       /* byte 1: this FIS carries a command */
#define FIS_DEV_LBA        0x40u       /* device register: LBA addressing */
enum {
	FIS_TYPE = 0, FIS_FLAGS = 1, FIS_CMD = 2, FIS_FEATURE = 3,
	FIS_LBA0 = 4, FIS_LBA1 = 5, FIS_LBA2 = 6, FIS_DEVICE = 7,
	FIS_LBA3 = 8, FIS_LBA4 = 9, FIS_LBA5 = 10, FIS_FEATURE_HI = 11,
	FIS_COUNT_LO = 12, FIS_COUNT_HI = 13, FIS_H2D_BYTES = 20,
};

#endif
