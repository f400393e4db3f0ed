// SPDX-License-Identifier: MIT
/*
 * Kestrel: the Intel 82574L (8086:10d3, QEMU's -device e1000e, the NIC
 * of q35 machines; Linux's e1000e driver), from Intel's "82574 GbE
 * Controller Datasheet" and what Linux's e1000e does for the part. It is
 * an e1000 with a PCI Express front end: the registers, the legacy
 * descriptors (RCTL.DTYP 0, RFCTL.EXSTEN 0), the rings, the receive
 * poll and the interrupt plumbing are dev/e1000.c's. This file is the
 * part's struct e1000_chip, its steps around the reset and at init, and
 * its MSI-X routing:
 *
 *  - before CTRL.RST: bus mastering stopped (CTRL.GIO_MASTER_DISABLE,
 *    then STATUS.GIO_MASTER_ENABLE awaited), and the MDIO interface
 *    taken from the manageability firmware (EXTCNF_CTRL), as Linux
 *    does: the ownership goes back to the firmware at every reset;
 *  - after it: MDIO given back, and the NVM's auto-read awaited
 *    (EECD.AUTO_RD), which reloads the MAC into RAL0/RAH0;
 *  - at init: the bits Linux sets for the 82574 (e1000_hw.h), DRV_LOAD
 *    for the firmware, and the legacy receive descriptors made sure;
 *  - MSI-X: Kestrel's PCI layer gives one vector (table entry 0), so
 *    IVAR sends RxQ0, TxQ0 and "other" (LSC among them) all to entry 0;
 *    no auto-clear (EIAC 0): in MSI-X mode reading ICR does not clear
 *    it, so e1000_service writes back what it read. Without MSI-X the
 *    part raises the 8254x's causes (RXT0, TXDW, LSC) and behaves as
 *    they do, INT_ASSERTED telling a shared INTx line's interrupt ours.
 *
 * What a laptop's I219 (the same driver in Linux, a different part)
 * needs beyond this is in docs/network.md.
 *
 * Locks: the hooks run in probe only, before the device's interrupts are
 * on (or, for msix_route, with them masked at the device); they touch
 * registers only.
 */
#include "dev/e1000.h"
#include "dev/e1000_priv.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "log.h"
#include "proc/sched.h"
#include "test/selftest.h"
#include "time/time.h"

#define E1000E_MASTER_MS      80   /* bus mastering to stop: Linux's 800 x 100 us */
#define E1000E_MDIO_MS        20   /* MDIO ownership to stick: Linux's 10 x 2 ms */
#define E1000E_AUTO_RD_MS     10   /* the NVM auto-read after a reset (Linux's) */
#define E1000E_MSIX_ENTRY     0u   /* the one MSI-X table entry pci_msi_enable programs */
#define E1000E_NS_PER_MS      1000000ull

/* Stop the part's bus mastering and take the MDIO interface before the
 * reset. Neither wait is fatal, as in Linux: a part whose GIO master
 * never reports idle is reset all the same, and a firmware that keeps
 * MDIO only delays the PHY's reset. (QEMU's probe takes 15 ms in all:
 * neither wait runs out there.) */
static void e1000e_before_reset(struct e1000 *e)
{
	e1000_write(e, E1000_CTRL, e1000_read(e, E1000_CTRL) | E1000_CTRL_GIO_MASTER_DISABLE);
	(void)e1000_wait_reg(e, E1000_STATUS, E1000_STATUS_GIO_MASTER_ENABLE, 0, E1000E_MASTER_MS);
	e1000_write(e, E1000_EXTCNF_CTRL, e1000_read(e, E1000_EXTCNF_CTRL) | E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP);
	(void)e1000_wait_reg(e, E1000_EXTCNF_CTRL, E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP,
			     E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP, E1000E_MDIO_MS);
}

/* MDIO back to the firmware, then the NVM's auto-read awaited: without
 * it RAL0/RAH0 and the EEPROM words are not to be trusted (Linux fails
 * the reset too). */
static const char *e1000e_after_reset(struct e1000 *e)
{
	e1000_write(e, E1000_EXTCNF_CTRL, e1000_read(e, E1000_EXTCNF_CTRL) & ~E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP);
	if (!e1000_wait_reg(e, E1000_EECD, E1000_EECD_AUTO_RD, E1000_EECD_AUTO_RD, E1000E_AUTO_RD_MS))
		return "the NVM auto-read did not complete after the reset";
	return NULL;
}

/* Set and clear bits of reg: a read, a write. */
static void e1000e_update(struct e1000 *e, uint32_t reg, uint32_t clear, uint32_t set)
{
	e1000_write(e, reg, (e1000_read(e, reg) & ~clear) | set);
}

/* The part's settings after a reset (see e1000_hw.h), the firmware told
 * a driver runs the port, and the receive descriptors the legacy ones. */
static void e1000e_init(struct e1000 *e)
{
	e1000e_update(e, E1000_TXDCTL0, 0, E1000_TXDCTL_COUNT_DESC);
	e1000e_update(e, E1000_TARC0, E1000_TARC0_82574_CLEAR, E1000_TARC0_82574_SET);
	e1000e_update(e, E1000_CTRL, E1000_CTRL_82574_CLEAR, 0);
	e1000e_update(e, E1000_CTRL_EXT, E1000_CTRL_EXT_82574_CLEAR,
		      E1000_CTRL_EXT_82574_SET | E1000_CTRL_EXT_DRV_LOAD);
	e1000e_update(e, E1000_GCR, 0, E1000_GCR_82574_SET);
	e1000e_update(e, E1000_GCR2, 0, E1000_GCR2_82574_SET);
	e1000e_update(e, E1000_RFCTL, E1000_RFCTL_EXSTEN, 0);
}

/* The IVAR value: every cause to MSI-X table entry E1000E_MSIX_ENTRY. */
static uint32_t e1000e_ivar(void)
{
	uint32_t entry = E1000_IVAR_VALID | E1000E_MSIX_ENTRY;

	return entry << E1000_IVAR_RXQ0_SHIFT | entry << E1000_IVAR_TXQ0_SHIFT |
	       entry << E1000_IVAR_OTHER_SHIFT | E1000_IVAR_TX_EVERY_WB;
}

/* MSI-X is on with one vector: route RxQ0, TxQ0 and other to it, no
 * auto-clear, the vector throttled as ITR throttles MSI, and a cleared
 * cause clearing its pending bit. */
static void e1000e_msix_route(struct e1000 *e)
{
	e1000_write(e, E1000_IVAR, e1000e_ivar());
	e1000_write(e, E1000_EIAC, 0);
	e1000_write(e, E1000_EITR(E1000E_MSIX_ENTRY), E1000_ITR_INTERVAL);
	e1000e_update(e, E1000_CTRL_EXT, 0, E1000_CTRL_EXT_PBA_CLR);
	e1000_flush(e);
}

const struct e1000_chip e1000_chip_82574l = {
	.device = E1000_DEV_82574L,
	.model = "82574L",
	.driver = "e1000e",
	.eerd_done = E1000_EERD_DONE_82574,
	.eerd_addr_shift = E1000_EERD_ADDR_SHIFT_82574,
	.causes = {
		.rx = E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0,
		.tx = E1000_ICR_TXDW,
		.link = E1000_ICR_LSC | E1000_ICR_RXSEQ,
	},
	/* With MSI-X the write-backs raise RxQ0 and TxQ0 instead of RXT0
	 * and TXDW, and LSC comes with OTHER. */
	.msix_causes = {
		.rx = E1000_ICR_RXQ0 | E1000_ICR_RXO,
		.tx = E1000_ICR_TXQ0,
		.link = E1000_ICR_LSC | E1000_ICR_OTHER,
	},
	.intx_claim = E1000_ICR_INT_ASSERTED,
	.before_reset = e1000e_before_reset,
	.after_reset = e1000e_after_reset,
	.init = e1000e_init,
	.msix_route = e1000e_msix_route,
};

int e1000e_probe(struct pci_dev *d)
{
	if (d->vendor != E1000_PCI_VENDOR || d->device != E1000_DEV_82574L)
		return -ENODEV;
	return e1000_attach(d, &e1000_chip_82574l);
}

/* ---------------------------------------------------------------- self-test */

#define E1000E_TEST_LSC      3       /* link causes raised by hand */
#define E1000E_TEST_WAIT_MS  100     /* for each to be handled */

/* Raise LSC through ICS and wait for the handler to count a link cause:
 * true when it did within the wait. */
static bool e1000e_lsc_delivered(struct e1000 *e)
{
	uint64_t before = e->link_irqs, end = time_ns() + E1000E_TEST_WAIT_MS * E1000E_NS_PER_MS;

	e1000_write(e, E1000_ICS, E1000_ICR_LSC);
	while (e->link_irqs == before && time_ns() < end)
		sleep_until(time_ns() + E1000E_NS_PER_MS);
	return e->link_irqs != before;
}

/*
 * e1000e_msix: on an 82574L that has MSI-X (QEMU's does), the driver
 * must run it on MSI-X with every cause routed to the one vector, and a
 * link change must arrive as an interrupt again and again: each is
 * acknowledged by writing ICR back, without which the part raises no
 * second one (reading ICR does not clear it in MSI-X mode). The link
 * must still be up afterwards (the causes were raised by hand).
 */
SELFTEST(e1000e_msix)
{
	struct e1000 *e = e1000_find(&e1000_chip_82574l);

	if (!e)
		return SELFTEST_SKIP("no 82574L");
	if (!e->pci->msix_cap)
		return SELFTEST_SKIP("this 82574L has no MSI-X capability");
	if (e->irq_mode != E1000_IRQ_MSIX)
		return "the 82574L is not on MSI-X";
	if (e1000_read(e, E1000_IVAR) != e1000e_ivar())
		return "IVAR does not route every cause to entry 0";
	for (unsigned i = 0; i < E1000E_TEST_LSC; i++)
		if (!e1000e_lsc_delivered(e))
			return i ? "a second link change was not delivered (ICR not acknowledged?)"
				 : "a link change raised through ICS was not delivered";
	if (e1000_read(e, E1000_ICR) & (E1000_ICR_LSC | E1000_ICR_OTHER))
		return "ICR still holds the link causes after the handler";
	return e->link_up ? NULL : "link down after the raised link changes";
}
