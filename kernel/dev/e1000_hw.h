/* SPDX-License-Identifier: MIT */
/* Intel 8254x (e1000) and 82574L (e1000e) registers, bits and legacy descriptors, from Intel's "PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's Manual" (chapters 3 and 13) and the "82574 GbE Controller Datasheet" (chapter 10); what dev/e1000.c and dev/e1000e.c use. */
#ifndef KESTREL_DEV_E1000_HW_H
#define KESTREL_DEV_E1000_HW_H

#include <stdint.h>

/* PCI device IDs (5.1); the vendor is Intel (dev/e1000.h). */
#define E1000_DEV_82544GC       0x100c  /* copper; QEMU's e1000-82544gc (no EERD on real parts) */
#define E1000_DEV_82540EM       0x100e  /* QEMU's -device e1000 */
#define E1000_DEV_82545EM       0x100f  /* QEMU's e1000-82545em */
#define E1000_DEV_82574L        0x10d3  /* QEMU's -device e1000e (dev/e1000e.c) */
#define E1000_BAR_REGS          0       /* BAR 0: the registers, memory-mapped */
#define E1000_REGS_SIZE         0x20000 /* 128 KiB of register space */

/* ---- Registers (13.1, table 13-2): byte offsets in BAR 0, all 32-bit ---- */
#define E1000_CTRL      0x00000  /* device control */
#define E1000_STATUS    0x00008  /* device status */
#define E1000_EECD      0x00010  /* EEPROM/flash control */
#define E1000_EERD      0x00014  /* EEPROM read (not 82543/82544) */
#define E1000_CTRL_EXT  0x00018  /* extended device control */
#define E1000_MDIC      0x00020  /* MDI control */
#define E1000_ICR       0x000c0  /* interrupt cause read: reading clears it */
#define E1000_ITR       0x000c4  /* interrupt throttling */
#define E1000_ICS       0x000c8  /* interrupt cause set: raise causes by hand */
#define E1000_IMS       0x000d0  /* interrupt mask set (reads the mask) */
#define E1000_IMC       0x000d8  /* interrupt mask clear */
#define E1000_RCTL      0x00100  /* receive control */
#define E1000_TCTL      0x00400  /* transmit control */
#define E1000_TIPG      0x00410  /* transmit inter-packet gap */
#define E1000_RDBAL     0x02800  /* receive descriptor base, low 32 bits */
#define E1000_RDBAH     0x02804  /* ... high 32 bits */
#define E1000_RDLEN     0x02808  /* receive ring length in bytes (a multiple of 128) */
#define E1000_RDH       0x02810  /* receive head: the device's next descriptor */
#define E1000_RDT       0x02818  /* receive tail: one past the last one software gave */
#define E1000_RDTR      0x02820  /* receive delay timer */
#define E1000_RADV      0x0282c  /* receive absolute delay (82540 on) */
#define E1000_TDBAL     0x03800  /* transmit descriptor base, low */
#define E1000_TDBAH     0x03804
#define E1000_TDLEN     0x03808
#define E1000_TDH       0x03810
#define E1000_TDT       0x03818
#define E1000_TIDV      0x03820  /* transmit interrupt delay */
#define E1000_MTA       0x05200  /* multicast table array: E1000_MTA_WORDS words */
#define E1000_MTA_WORDS 128
#define E1000_RAL(n)    (0x05400 + 8u * (n))  /* receive address n, low: MAC bytes 0-3 */
#define E1000_RAH(n)    (0x05404 + 8u * (n))  /* ... high: bytes 4-5 and AV */

/* CTRL (13.4.1) */
#define E1000_CTRL_FD        (1u << 0)   /* full duplex */
#define E1000_CTRL_LRST      (1u << 3)   /* link reset */
#define E1000_CTRL_ASDE      (1u << 5)   /* auto-speed detection */
#define E1000_CTRL_SLU       (1u << 6)   /* set link up */
#define E1000_CTRL_ILOS      (1u << 7)   /* invert loss-of-signal */
#define E1000_CTRL_RST       (1u << 26)  /* device reset: self-clearing */
#define E1000_CTRL_VME       (1u << 30)  /* VLAN mode */
#define E1000_CTRL_PHY_RST   (1u << 31)  /* PHY reset */

/* STATUS (13.4.2) */
#define E1000_STATUS_FD      (1u << 0)
#define E1000_STATUS_LU      (1u << 1)   /* link up */
#define E1000_STATUS_SPEED_SHIFT 6       /* 00 10, 01 100, 1x 1000 Mb/s */
#define E1000_STATUS_SPEED_MASK  (3u << E1000_STATUS_SPEED_SHIFT)

/* EERD (13.4.4): one 16-bit EEPROM word read by the device. The 82540,
 * 82545 and 82543-like parts put the address at bit 8 and "done" at bit
 * 4; the 82541/82547 and the PCI Express parts (82574L) at bit 2 and bit 1. */
#define E1000_EERD_START           (1u << 0)
#define E1000_EERD_DONE_8254X      (1u << 4)
#define E1000_EERD_ADDR_SHIFT_8254X 8
#define E1000_EERD_DONE_82574      (1u << 1)
#define E1000_EERD_ADDR_SHIFT_82574 2
#define E1000_EERD_DATA_SHIFT      16
#define E1000_EEPROM_MAC_WORD      0     /* words 0-2: the MAC address, low byte first */
#define E1000_EEPROM_MAC_WORDS     3

/* Interrupt causes: ICR, ICS, IMS, IMC share these bits (13.4.17-21). */
#define E1000_ICR_TXDW       (1u << 0)   /* a descriptor with RS written back */
#define E1000_ICR_TXQE       (1u << 1)   /* transmit queue empty */
#define E1000_ICR_LSC        (1u << 2)   /* link status change */
#define E1000_ICR_RXSEQ      (1u << 3)   /* receive sequence error */
#define E1000_ICR_RXDMT0     (1u << 4)   /* receive descriptors below the minimum threshold */
#define E1000_ICR_RXO        (1u << 6)   /* receive overrun */
#define E1000_ICR_RXT0       (1u << 7)   /* receiver timer: a frame arrived */
#define E1000_ICR_MDAC       (1u << 9)
#define E1000_ICR_TXD_LOW    (1u << 15)
#define E1000_ICR_SRPD       (1u << 16)  /* small receive packet detected */
#define E1000_ICR_ALL        0xffffffffu /* IMC: mask every cause */

/* ITR (13.4.18): the shortest gap between interrupts, in 256 ns units. */
#define E1000_ITR_UNIT_NS    256u

/* RCTL (13.4.22) */
#define E1000_RCTL_EN        (1u << 1)   /* receiver enable */
#define E1000_RCTL_SBP       (1u << 2)   /* store bad packets */
#define E1000_RCTL_UPE       (1u << 3)   /* unicast promiscuous */
#define E1000_RCTL_MPE       (1u << 4)   /* multicast promiscuous */
#define E1000_RCTL_LPE       (1u << 5)   /* long packets (above 1522 bytes) */
#define E1000_RCTL_LBM_NONE  (0u << 6)   /* no loopback */
#define E1000_RCTL_RDMTS_HALF (0u << 8)  /* RXDMT0 at half the ring free */
#define E1000_RCTL_MO_36     (0u << 12)  /* multicast offset: bits 47:36 */
#define E1000_RCTL_BAM       (1u << 15)  /* broadcast accept */
#define E1000_RCTL_BSIZE_2048 (0u << 16) /* with BSEX 0: 2048-byte buffers */
#define E1000_RCTL_BSIZE_MASK (3u << 16)
#define E1000_RCTL_BSEX      (1u << 25)  /* buffer size x16 */
#define E1000_RCTL_SECRC     (1u << 26)  /* strip the Ethernet CRC */
#define E1000_RX_BUFSIZE     2048u       /* what RCTL_BSIZE_2048 tells the device */

/* TCTL (13.4.33) */
#define E1000_TCTL_EN        (1u << 1)   /* transmitter enable */
#define E1000_TCTL_PSP       (1u << 3)   /* pad short packets */
#define E1000_TCTL_CT_SHIFT  4           /* collision threshold */
#define E1000_TCTL_COLD_SHIFT 12         /* collision distance */
#define E1000_TCTL_RTLC      (1u << 24)  /* retransmit on late collision */
#define E1000_CT_DEFAULT     0x0fu       /* 16 attempts (IEEE 802.3) */
#define E1000_COLD_FULL_DUPLEX 0x40u     /* 64-byte time: full duplex */

/* TIPG (13.4.34): IEEE 802.3 values for copper. */
#define E1000_TIPG_IPGT_SHIFT  0
#define E1000_TIPG_IPGR1_SHIFT 10
#define E1000_TIPG_IPGR2_SHIFT 20
#define E1000_TIPG_IPGT_COPPER 10u
#define E1000_TIPG_IPGR1_DEFAULT 8u
#define E1000_TIPG_IPGR2_DEFAULT 6u

/* RAH (13.4.63) */
#define E1000_RAH_AV         (1u << 31)  /* address valid */

/* ---- Legacy descriptors (3.2.3, 3.3.3): 16 bytes, little-endian ---- */

/* Receive: the device fills length, csum, status, errors, special. */
struct e1000_rx_desc {
	uint64_t addr;       /* the buffer's physical address */
	uint16_t length;     /* bytes stored in the buffer */
	uint16_t csum;       /* packet checksum */
	uint8_t status;      /* E1000_RXD_STAT_* */
	uint8_t errors;      /* E1000_RXD_ERR_* (valid with EOP) */
	uint16_t special;    /* VLAN tag */
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy receive descriptor is 16 bytes");

#define E1000_RXD_STAT_DD    (1u << 0)   /* descriptor done */
#define E1000_RXD_STAT_EOP   (1u << 1)   /* end of packet */
#define E1000_RXD_STAT_IXSM  (1u << 2)   /* ignore checksum indication */
#define E1000_RXD_STAT_VP    (1u << 3)   /* 802.1Q tag stripped into special */
#define E1000_RXD_ERR_CE     (1u << 0)   /* CRC or alignment error */
#define E1000_RXD_ERR_SE     (1u << 1)   /* symbol error */
#define E1000_RXD_ERR_SEQ    (1u << 2)   /* sequence error */
#define E1000_RXD_ERR_CXE    (1u << 4)   /* carrier extension error */
#define E1000_RXD_ERR_TCPE   (1u << 5)   /* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE    (1u << 6)   /* IP checksum error */
#define E1000_RXD_ERR_RXE    (1u << 7)   /* RX data error */
/* The errors that spoil the frame itself (the checksum ones only mean
 * the device's check failed; the stack checks again). */
#define E1000_RXD_ERR_FRAME  (E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
			      E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

/* Transmit: software fills all but status. */
struct e1000_tx_desc {
	uint64_t addr;       /* the buffer's physical address */
	uint16_t length;     /* bytes in the buffer */
	uint8_t cso;         /* checksum offset */
	uint8_t cmd;         /* E1000_TXD_CMD_* */
	uint8_t status;      /* E1000_TXD_STAT_*: the device writes DD when RS was set */
	uint8_t css;         /* checksum start */
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy transmit descriptor is 16 bytes");

#define E1000_TXD_CMD_EOP    (1u << 0)   /* end of packet */
#define E1000_TXD_CMD_IFCS   (1u << 1)   /* insert the FCS */
#define E1000_TXD_CMD_IC     (1u << 2)   /* insert checksum */
#define E1000_TXD_CMD_RS     (1u << 3)   /* report status (DD) */
#define E1000_TXD_CMD_DEXT   (1u << 5)   /* extension: 0 for the legacy layout */
#define E1000_TXD_CMD_VLE    (1u << 6)
#define E1000_TXD_CMD_IDE    (1u << 7)   /* interrupt delay */
#define E1000_TXD_STAT_DD    (1u << 0)   /* descriptor done */
#define E1000_TXD_STAT_EC    (1u << 1)   /* excess collisions: not sent */
#define E1000_TXD_STAT_LC    (1u << 2)   /* late collision */
#define E1000_TX_MAX_LEN     16288u      /* bytes one legacy descriptor may carry */

#define E1000_RING_ALIGN     128u        /* descriptor rings: 128-byte aligned, length a multiple of 128 */

/* ---- 82574L (82574 datasheet, chapter 10): the PCI Express part's additions ----
 * The registers above keep their offsets and meaning on it; these are
 * the ones it adds or changes. */
#define E1000_IVAR      0x000e4  /* MSI-X: which vector each cause (RxQ0, TxQ0, other) raises */
#define E1000_EIAC      0x000dc  /* MSI-X: the causes cleared when their vector fires */
#define E1000_EITR(n)   (0x000e8 + 4u * (n)) /* MSI-X: vector n's throttle, as ITR */
#define E1000_EXTCNF_CTRL 0x00f00 /* extended configuration control */
#define E1000_RFCTL     0x05008  /* receive filter control */
#define E1000_TXDCTL0   0x03828  /* transmit descriptor control, queue 0 */
#define E1000_TARC0     0x03840  /* transmit arbitration count, queue 0 */
#define E1000_GCR       0x05b00  /* PCI Express control */
#define E1000_GCR2      0x05b64  /* PCI Express control 2 */

/* CTRL and STATUS: bus mastering is stopped before a reset. */
#define E1000_CTRL_GIO_MASTER_DISABLE (1u << 2)
#define E1000_STATUS_GIO_MASTER_ENABLE (1u << 19) /* clear once no request is outstanding */
/* EECD: the NVM auto-read that follows a reset is done. */
#define E1000_EECD_AUTO_RD   (1u << 9)
/* CTRL_EXT */
#define E1000_CTRL_EXT_DRV_LOAD (1u << 28) /* tells the manageability firmware a driver runs the port */
#define E1000_CTRL_EXT_PBA_CLR  (1u << 31) /* MSI-X: a cause cleared clears its pending bit */
/* EXTCNF_CTRL: software owns the MDIO interface (the PHY)
 * while it holds this bit; after a reset the firmware owns it. */
#define E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP (1u << 5)
/* Bits Linux's e1000e sets or clears on the 82574 at every init
 * (e1000_initialize_hw_bits_82571), most of them named there only by
 * their number; GCR2's is for an erratum (unreliable PCI Express
 * completions that end in transmit time-outs). */
#define E1000_TXDCTL_COUNT_DESC (1u << 22) /* count the descriptors still to process */
#define E1000_TARC0_82574_CLEAR (0xfu << 27)
#define E1000_TARC0_82574_SET   (1u << 26)
#define E1000_CTRL_82574_CLEAR  (1u << 29)
#define E1000_CTRL_EXT_82574_CLEAR (1u << 23)
#define E1000_CTRL_EXT_82574_SET   (1u << 22)
#define E1000_GCR_82574_SET     (1u << 22)
#define E1000_GCR2_82574_SET    (1u << 0)
/* RFCTL: EXSTEN makes the receive descriptors the extended
 * ones; 0 keeps the legacy layout above (with RCTL.DTYP 0). */
#define E1000_RFCTL_EXSTEN   (1u << 15)
/* ICR and IMS: the queue causes MSI-X routes through IVAR;
 * OTHER gathers LSC, RXO, MDAC, SRPD and the rest. INT_ASSERTED: the
 * INTx line is asserted (so a shared line's interrupt is ours). */
#define E1000_ICR_RXQ0       (1u << 20)
#define E1000_ICR_TXQ0       (1u << 22)
#define E1000_ICR_OTHER      (1u << 24)
#define E1000_ICR_INT_ASSERTED (1u << 31)
/* IVAR: five 4-bit entries (RxQ0 at bit 0, RxQ1 4, TxQ0 8,
 * TxQ1 12, other 16), each an MSI-X table entry (bits 2:0) and a valid
 * bit; bit 31 asks for a transmit interrupt on every descriptor
 * write-back. */
#define E1000_IVAR_VALID     0x8u
#define E1000_IVAR_RXQ0_SHIFT 0
#define E1000_IVAR_TXQ0_SHIFT 8
#define E1000_IVAR_OTHER_SHIFT 16
#define E1000_IVAR_TX_EVERY_WB (1u << 31)

#endif
