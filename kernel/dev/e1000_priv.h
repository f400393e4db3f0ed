/* SPDX-License-Identifier: MIT */
/* The Intel e1000 family's shared driver state: what dev/e1000.c (the rings, interrupts and probe every part uses) and dev/e1000e.c (the 82574L's own steps) both see. */
#ifndef KESTREL_DEV_E1000_PRIV_H
#define KESTREL_DEV_E1000_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "dev/e1000_hw.h"
#include "dev/pci.h"
#include "mm/mmio.h"
#include "net/netdev.h"
#include "proc/ktimer.h"

#define E1000_RX_RING         256      /* receive descriptors */
#define E1000_TX_RING         256      /* transmit descriptors */
#define E1000_REG_GONE        0xffffffffu /* what a device that left the bus reads as */
#define E1000_ITR_PER_SEC     20000u   /* interrupts per second at most */
#define E1000_ITR_INTERVAL    (1000000000u / E1000_ITR_PER_SEC / E1000_ITR_UNIT_NS) /* ITR's (and EITR's) value */

struct e1000;

/* The interrupt causes that mean work of each kind (ICR's bits). */
struct e1000_causes {
	uint32_t rx;                /* "frames to poll" */
	uint32_t tx;                /* "sent buffers to reclaim" */
	uint32_t link;              /* "look at STATUS.LU" */
};

/*
 * What differs between the parts the driver takes: one const entry per
 * device ID (e1000.c's for the 8254x, e1000e.c's for the 82574L). The
 * hooks may be NULL (nothing to do); each runs in probe (or the polled
 * self-test's interrupt set-up), interrupts on, the device's interrupts
 * masked.
 */
struct e1000_chip {
	uint16_t device;            /* PCI device ID (vendor Intel) */
	const char *model;
	const char *driver;         /* the name Linux's driver for it has (ethtool's "driver") */
	uint32_t eerd_done;         /* EERD's "done" bit; 0: no EERD (MAC from RAL0/RAH0 only) */
	unsigned eerd_addr_shift;   /* where EERD takes the word address */
	struct e1000_causes causes; /* with MSI, INTx or polled */
	struct e1000_causes msix_causes; /* with MSI-X; all 0 on a part without it */
	uint32_t intx_claim;        /* INTx: the ICR bit that says the line is ours; 0: any cause */
	/* just before CTRL.RST (receive, transmit and interrupts off) */
	void (*before_reset)(struct e1000 *e);
	/* once CTRL.RST has cleared: NULL, or why the part is unusable */
	const char *(*after_reset)(struct e1000 *e);
	/* the part's own register settings, after the reset and before the rings */
	void (*init)(struct e1000 *e);
	/* MSI-X is on (pci_msi_enable chose it): route every cause to entry 0 */
	void (*msix_route)(struct e1000 *e);
};

/* The 82574L's entry (dev/e1000e.c). */
extern const struct e1000_chip e1000_chip_82574l;

enum e1000_irq_mode {
	E1000_IRQ_POLL,   /* causes read from the timer tick */
	E1000_IRQ_MSI,
	E1000_IRQ_MSIX,   /* one vector, MSI-X table entry 0 (the 82574L) */
	E1000_IRQ_INTX,
};

struct e1000 {
	struct netdev dev;             /* dev.priv points back here */
	/* fixed once probe is done */
	struct pci_dev *pci;           /* NULL for the self-test's device in RAM */
	const struct e1000_chip *chip;
	volatile uint8_t *regs;        /* BAR 0 */
	bool registered;               /* netdev_register took dev */
	/* the multicast filter (MTA) as set_multicast last made it, for
	 * e1000_rx_start to program again after a reset; set_multicast's
	 * (the stack calls it one at a time) */
	uint32_t mta[E1000_MTA_WORDS];
	/* interrupt side: the handler and the tick's timer (interrupts off,
	 * the kernel lock). irq_mode, irq_vector and isa_irq are set by
	 * e1000_irq_setup (probe, and the polled self-test with
	 * e1000_irq_stop); the handler moves irq_mode from INTX to POLL on a
	 * storm */
	volatile enum e1000_irq_mode irq_mode;
	unsigned irq_vector;           /* MSI's or MSI-X's vector, or VEC_ISA_BASE + isa_irq */
	unsigned isa_irq;              /* INTx: the ISA IRQ routed */
	volatile bool link_up;         /* STATUS.LU as last read */
	/* counted with atomic adds: the handler and the watchdog timer may
	 * run at once on two CPUs, and nothing else orders them */
	volatile uint64_t irqs;        /* interrupts with a cause of ours */
	volatile uint64_t link_irqs;   /* services that saw a link cause */
	unsigned unclaimed;            /* INTx: interrupts in a row without one */
	struct ktimer timer;           /* polled: every tick; else a watchdog (kernel lock, interrupts off) */
	/* the wire self-test's sink for its own frames (set and cleared by it;
	 * read by poll): true when it took nb. NULL but in that test. */
	bool (*volatile rx_tap)(struct e1000 *e, struct netbuf *nb);
	/* receive ring: poll's alone (the network thread), and probe before it */
	struct e1000_rx_desc *rx_ring; /* E1000_RX_RING descriptors, one page */
	struct netbuf *rx_bufs[E1000_RX_RING]; /* descriptor i's buffer: never NULL once set up */
	unsigned rx_next;              /* the next descriptor the device completes */
	bool rx_discarding;            /* in a frame that spans buffers: drop up to its EOP */
	/* transmit ring: dev.tx_lock */
	struct e1000_tx_desc *tx_ring;
	struct netbuf *tx_bufs[E1000_TX_RING]; /* in flight from tx_clean up to tx_tail */
	unsigned tx_tail;              /* the next free descriptor: TDT */
	unsigned tx_clean;             /* the oldest descriptor not yet reclaimed */
};

static inline uint32_t e1000_read(const struct e1000 *e, uint32_t reg)
{
	return mmio_read32(e->regs + reg);
}

static inline void e1000_write(struct e1000 *e, uint32_t reg, uint32_t v)
{
	mmio_write32(e->regs + reg, v);
}

/* Push posted writes out to the device (a read of STATUS). */
static inline void e1000_flush(struct e1000 *e)
{
	(void)e1000_read(e, E1000_STATUS);
}

/* Spin for ms milliseconds of measured time (dev/e1000.c). */
void e1000_delay_ms(unsigned ms);

/* Wait until (reg & mask) == want, for at most ms of measured time: true
 * when it came (dev/e1000.c). */
bool e1000_wait_reg(struct e1000 *e, uint32_t reg, uint32_t mask, uint32_t want, unsigned ms);

/* Take d, a part of chip's (dev/e1000.c): reset it, read its MAC, build
 * the rings, register its netdev, set up its interrupts. 0, or -ENOSPC,
 * -ENOMEM, -EIO (the device failed to reset or has no MAC address: left
 * unbound, logged), or netdev_register's error. Probe only. */
int e1000_attach(struct pci_dev *d, const struct e1000_chip *chip);

/* The first controller probed whose chip is c, or NULL (dev/e1000.c; for
 * the self-tests). */
struct e1000 *e1000_find(const struct e1000_chip *c);

#endif
