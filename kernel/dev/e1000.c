// SPDX-License-Identifier: MIT
/*
 * Kestrel: the Intel 8254x gigabit Ethernet driver (82540EM is QEMU's
 * -device e1000), from Intel's "PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual", and the core the 82574L's
 * (dev/e1000e.c) shares. One struct netdev per
 * controller (net/netdev.h): a receive ring of 256 legacy descriptors,
 * each holding a NETBUF_RX_SIZE netbuf the device writes a frame into,
 * and a transmit ring of 256 legacy descriptors, each pointing at the
 * netbuf being sent. Receive is NAPI-style: the interrupt handler masks
 * the receive causes and schedules the device; the network thread calls
 * poll, which hands frames up and reclaims sent buffers, then irq_enable.
 *
 * Interrupts: MSI-X or MSI when the function offers it (the PCI layer
 * prefers MSI-X; QEMU's 82540EM has neither, its 82574L both; MSI-X
 * needs the chip's routing hook); else its INTx line, where the
 * firmware's interrupt-line register names an ISA IRQ the IO APIC can
 * route (PCI routing through ACPI's _PRT is not done by Kestrel, so this
 * is the PIC-mode wiring, which QEMU's pc and q35 both reproduce on the
 * IO APIC's identity pins); else the causes are read from the timer tick
 * (ktimer, every tick). Each is checked at probe by raising a cause
 * through ICS and waiting for it. A line that fires with no cause of
 * ours over and over is given up for the tick.
 *
 * More parts: the differences between them are in their struct
 * e1000_chip (dev/e1000_priv.h): device ID, how the EEPROM is read, the
 * interrupt causes with and without MSI-X, and hooks around the reset
 * and for MSI-X's routing. The 8254x entries are below; the 82574L's
 * (8086:10d3, QEMU's e1000e, Linux's e1000e driver) is dev/e1000e.c's.
 * The register access, the reset, the rings (legacy descriptors on
 * every part) and the interrupt plumbing are shared, here.
 *
 * Lock rules (written on struct e1000 field by field): the transmit ring
 * is the device's dev.tx_lock's; the receive ring is poll's alone (the
 * network thread's, one poll at a time by netdev.c); the interrupt side
 * touches only registers, link_up and its counters.
 */
#include <stddef.h>
#include "dev/e1000.h"
#include "dev/e1000_priv.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/mmio.h"
#include "mm/pmm.h"
#include "proc/ktimer.h"
#include "proc/sched.h"
#include "test/selftest.h"
#include "time/time.h"
#include "log.h"

#define E1000_MAX             4        /* controllers driven */
#define E1000_NS_PER_MS       1000000ull
#define E1000_RESET_SETTLE_MS 5        /* after CTRL.RST, before touching a register (and the EEPROM reload) */
#define E1000_RESET_TIMEOUT_MS 100     /* for CTRL.RST to clear */
#define E1000_EERD_TIMEOUT_MS 10       /* one EEPROM word */
#define E1000_IRQ_TEST_MS     50       /* for the cause raised through ICS to arrive */
#define E1000_WATCHDOG_NS     NSEC_PER_SEC            /* MSI/INTx: a missed cause found within a second */
#define E1000_TICK_NS         (NSEC_PER_SEC / TIME_TICK_HZ) /* polled: every tick */
#define E1000_INTX_STORM      100000u  /* unclaimed INTx interrupts in a row: not our line */
#define E1000_MSIX_QUIET_MS   50       /* before MSI-X goes off (e1000_msi_off) */

_Static_assert(E1000_RX_RING * sizeof(struct e1000_rx_desc) <= PAGE_SIZE, "receive ring fits a page");
_Static_assert(E1000_TX_RING * sizeof(struct e1000_tx_desc) <= PAGE_SIZE, "transmit ring fits a page");
_Static_assert(E1000_RX_RING * sizeof(struct e1000_rx_desc) % E1000_RING_ALIGN == 0, "RDLEN: multiple of 128");
_Static_assert(E1000_TX_RING * sizeof(struct e1000_tx_desc) % E1000_RING_ALIGN == 0, "TDLEN: multiple of 128");
_Static_assert(NETBUF_RX_SIZE >= E1000_RX_BUFSIZE, "a receive netbuf holds what RCTL.BSIZE lets the device write");

#define E1000_8254X_CAUSES { \
	.rx = E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0, \
	.tx = E1000_ICR_TXDW, \
	.link = E1000_ICR_LSC | E1000_ICR_RXSEQ, \
}

/* The 8254x parts: no MSI-X, nothing to do around the reset. */
static const struct e1000_chip chip_82540em = {
	.device = E1000_DEV_82540EM, .model = "82540EM", .driver = "e1000",
	.eerd_done = E1000_EERD_DONE_8254X, .eerd_addr_shift = E1000_EERD_ADDR_SHIFT_8254X,
	.causes = E1000_8254X_CAUSES,
};
static const struct e1000_chip chip_82545em = {
	.device = E1000_DEV_82545EM, .model = "82545EM", .driver = "e1000",
	.eerd_done = E1000_EERD_DONE_8254X, .eerd_addr_shift = E1000_EERD_ADDR_SHIFT_8254X,
	.causes = E1000_8254X_CAUSES,
};
static const struct e1000_chip chip_82544gc = {
	.device = E1000_DEV_82544GC, .model = "82544GC", .driver = "e1000",
	.causes = E1000_8254X_CAUSES,
};

/* The parts e1000_probe takes (the 82574L is e1000e_probe's). */
static const struct e1000_chip *const chips[] = {
	&chip_82540em, &chip_82545em, &chip_82544gc,
};

static const char *const irq_mode_names[] = {
	[E1000_IRQ_POLL] = "polled", [E1000_IRQ_MSI] = "MSI", [E1000_IRQ_MSIX] = "MSI-X",
	[E1000_IRQ_INTX] = "INTx",
};

/* The controllers probed, for the shared interrupt handler. Written at
 * probe (boot, one CPU) before the device's interrupts are on. */
static struct e1000 *devs[E1000_MAX];
static unsigned ndevs;

/* ---------------------------------------------------------------- registers */

/* Spin for ms milliseconds of measured time. */
void e1000_delay_ms(unsigned ms)
{
	uint64_t end = time_ns() + ms * E1000_NS_PER_MS;

	while (time_ns() < end)
		cpu_pause();
}

/* Wait until (reg & mask) == want, for at most ms of measured time: true
 * when it came. */
bool e1000_wait_reg(struct e1000 *e, uint32_t reg, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = time_ns() + ms * E1000_NS_PER_MS;

	for (;;) {
		uint32_t v = e1000_read(e, reg);
		if (v != E1000_REG_GONE && (v & mask) == want)
			return true;
		if (time_ns() >= end)
			return false;
		cpu_pause();
	}
}

/* ---------------------------------------------------------------- reset, MAC, link */

/*
 * Reset the controller (13.4.1, CTRL.RST) with every interrupt masked
 * and receive and transmit off, then wait for RST to clear. The wait
 * before the first read covers the reset itself and the EEPROM reload
 * that follows it; the chip's hooks run just before RST and once it
 * has cleared. NULL, or why not: RST never clears (or the device reads
 * as gone), or the chip's after_reset says so. Interrupts on or off;
 * probe only.
 */
static const char *e1000_reset(struct e1000 *e)
{
	const struct e1000_chip *c = e->chip;
	const char *why = NULL;

	e1000_write(e, E1000_IMC, E1000_ICR_ALL);
	e1000_write(e, E1000_RCTL, 0);
	e1000_write(e, E1000_TCTL, 0);
	e1000_flush(e);
	if (c->before_reset)
		c->before_reset(e);
	e1000_write(e, E1000_CTRL, e1000_read(e, E1000_CTRL) | E1000_CTRL_RST);
	e1000_delay_ms(E1000_RESET_SETTLE_MS);
	if (!e1000_wait_reg(e, E1000_CTRL, E1000_CTRL_RST, 0, E1000_RESET_TIMEOUT_MS))
		return "reset timed out";
	if (c->after_reset)
		why = c->after_reset(e);
	e1000_write(e, E1000_IMC, E1000_ICR_ALL); /* the reset unmasked nothing, but be sure */
	(void)e1000_read(e, E1000_ICR);           /* and drop any cause it left */
	return why;
}

/* One 16-bit word of the EEPROM through EERD: false when the chip has no
 * EERD or the read does not finish in time. */
static bool e1000_eeprom_read(struct e1000 *e, unsigned word, uint16_t *out)
{
	const struct e1000_chip *c = e->chip;

	if (!c->eerd_done)
		return false;
	e1000_write(e, E1000_EERD, (uint32_t)word << c->eerd_addr_shift | E1000_EERD_START);
	if (!e1000_wait_reg(e, E1000_EERD, c->eerd_done, c->eerd_done, E1000_EERD_TIMEOUT_MS))
		return false;
	*out = (uint16_t)(e1000_read(e, E1000_EERD) >> E1000_EERD_DATA_SHIFT);
	return true;
}

/* The MAC from the EEPROM's first three words, written back into
 * RAL0/RAH0 so that the receive filter matches it. False without it. */
static bool e1000_mac_from_eeprom(struct e1000 *e, uint8_t mac[ETH_ALEN])
{
	for (unsigned w = 0; w < E1000_EEPROM_MAC_WORDS; w++) {
		uint16_t v;
		if (!e1000_eeprom_read(e, E1000_EEPROM_MAC_WORD + w, &v))
			return false;
		mac[2 * w] = (uint8_t)v;
		mac[2 * w + 1] = (uint8_t)(v >> 8);
	}
	e1000_write(e, E1000_RAL(0), (uint32_t)mac[0] | (uint32_t)mac[1] << 8 |
				       (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24);
	e1000_write(e, E1000_RAH(0), (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | E1000_RAH_AV);
	return true;
}

/* The station address: RAL0/RAH0 as the reset loaded them (QEMU fills
 * them), or the EEPROM's when RAL0 is zero. NULL, or why there is none
 * (a multicast or all-zero address is refused: the device's word is
 * not trusted). */
static const char *e1000_read_mac(struct e1000 *e, uint8_t mac[ETH_ALEN])
{
	uint32_t lo = e1000_read(e, E1000_RAL(0)), hi = e1000_read(e, E1000_RAH(0));
	static const uint8_t zero[ETH_ALEN];

	if (lo != 0 && lo != E1000_REG_GONE && (hi & E1000_RAH_AV)) {
		for (unsigned i = 0; i < 4; i++)
			mac[i] = (uint8_t)(lo >> (8 * i));
		mac[4] = (uint8_t)hi;
		mac[5] = (uint8_t)(hi >> 8);
	} else if (!e1000_mac_from_eeprom(e, mac)) {
		return "no MAC address (RAL0 empty, EEPROM unreadable)";
	}
	if (mac[0] & 1)
		return "the MAC address is a multicast one";
	if (memcmp(mac, zero, ETH_ALEN) == 0)
		return "the MAC address is zero";
	return NULL;
}

/* Link up (13.4.1): SLU with auto-speed detection, the PHY and link
 * resets and loss-of-signal inversion cleared. */
static void e1000_link_start(struct e1000 *e)
{
	uint32_t ctrl = e1000_read(e, E1000_CTRL);

	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS | E1000_CTRL_VME);
	e1000_write(e, E1000_CTRL, ctrl);
}

/* Read STATUS.LU and tell the stack. Any context. */
static void e1000_link_update(struct e1000 *e)
{
	uint32_t st = e1000_read(e, E1000_STATUS);
	bool up = st != E1000_REG_GONE && (st & E1000_STATUS_LU);

	e->link_up = up;
	if (e->registered)
		netdev_carrier(&e->dev, up);
}

/* ---------------------------------------------------------------- receive ring */

/* Give descriptor i (its buffer rx_bufs[i]) back to the device's side:
 * the address rewritten from our own record (a device may have written
 * over it), the status cleared. Poll or probe. */
static void e1000_rx_arm(struct e1000 *e, unsigned i)
{
	struct e1000_rx_desc *d = &e->rx_ring[i];

	d->addr = netbuf_phys(e->rx_bufs[i]);
	d->length = 0;
	d->csum = 0;
	d->errors = 0;
	d->special = 0;
	__atomic_store_n(&d->status, 0, __ATOMIC_RELEASE);
}

/* Free the receive ring and its buffers (those set so far). */
static void e1000_rx_free(struct e1000 *e)
{
	for (unsigned i = 0; i < E1000_RX_RING; i++) {
		netbuf_free(e->rx_bufs[i]);
		e->rx_bufs[i] = NULL;
	}
	if (e->rx_ring)
		pmm_free(virt_to_phys(e->rx_ring), 0);
	e->rx_ring = NULL;
}

/* Allocate the receive ring and a buffer per descriptor: 0 or -ENOMEM
 * (everything freed). Probe only, the receiver off. */
static int e1000_rx_alloc(struct e1000 *e)
{
	uint64_t page = pmm_alloc(0);

	if (!page)
		return -ENOMEM;
	e->rx_ring = phys_to_virt(page);
	memset(e->rx_ring, 0, PAGE_SIZE);
	for (unsigned i = 0; i < E1000_RX_RING; i++) {
		e->rx_bufs[i] = netbuf_alloc(0, NETBUF_RX_SIZE);
		if (!e->rx_bufs[i]) {
			e1000_rx_free(e);
			return -ENOMEM;
		}
		e1000_rx_arm(e, i);
	}
	e->rx_next = 0;
	e->rx_discarding = false;
	return 0;
}

/* Program the receive registers (13.4.22, 14.4) and turn the receiver on:
 * every descriptor but the last is the device's (RDT one behind RDH
 * would be a full ring; head == tail is an empty one). Broadcasts
 * accepted, the CRC stripped, 2048-byte buffers, the multicast filter
 * as the stack last set it (e1000_set_multicast). */
static void e1000_rx_start(struct e1000 *e)
{
	uint64_t ring = virt_to_phys(e->rx_ring);

	for (unsigned i = 0; i < E1000_MTA_WORDS; i++)
		e1000_write(e, E1000_MTA + 4 * i, e->mta[i]);
	e1000_write(e, E1000_RDBAL, (uint32_t)ring);
	e1000_write(e, E1000_RDBAH, (uint32_t)(ring >> 32));
	e1000_write(e, E1000_RDLEN, E1000_RX_RING * sizeof(struct e1000_rx_desc));
	e1000_write(e, E1000_RDH, 0);
	e1000_write(e, E1000_RDT, E1000_RX_RING - 1);
	e1000_write(e, E1000_RDTR, 0);
	e1000_write(e, E1000_RADV, 0);
	e1000_write(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC | E1000_RCTL_BSIZE_2048 |
				   E1000_RCTL_LBM_NONE | E1000_RCTL_RDMTS_HALF | E1000_RCTL_MO_36);
}

/*
 * Decide what the completed descriptor i (status, length and errors as
 * read once) becomes: its frame handed to the stack, its buffer replaced
 * by a fresh one (true); or dropped and counted, its buffer kept for
 * reuse (false). Every field is the device's word, so: a length of 0 or
 * beyond the buffer, an error bit that spoils the frame, or a frame
 * spanning buffers (a descriptor without EOP: the whole chain up to its
 * EOP goes) is dropped. Poll only.
 */
static bool e1000_rx_one(struct e1000 *e, unsigned i, uint8_t status, uint16_t len, uint8_t errors)
{
	struct netdev_stats *st = &e->dev.stats;

	if (e->rx_discarding) {
		if (status & E1000_RXD_STAT_EOP)
			e->rx_discarding = false;
		return false;
	}
	if (!(status & E1000_RXD_STAT_EOP)) {
		e->rx_discarding = true; /* counted once for the chain */
		netdev_count(&st->rx_errors, 1);
		netdev_count(&st->rx_frame, 1);
		return false;
	}
	if (len == 0 || len > E1000_RX_BUFSIZE || (errors & E1000_RXD_ERR_FRAME)) {
		netdev_count(&st->rx_errors, 1);
		netdev_count(&st->rx_frame, 1);
		return false;
	}
	struct netbuf *fresh = netbuf_alloc(0, NETBUF_RX_SIZE);
	if (!fresh) {
		netdev_count(&st->rx_dropped, 1);
		return false;
	}
	struct netbuf *nb = e->rx_bufs[i];
	e->rx_bufs[i] = fresh;
	netbuf_put(nb, len);
	bool (*tap)(struct e1000 *, struct netbuf *) = e->rx_tap;
	if (!tap || !tap(e, nb))
		netdev_receive(&e->dev, nb);
	return true;
}

/*
 * Take up to budget completed descriptors from rx_next on: frames to the
 * stack, bad ones dropped; each descriptor re-armed with its (new or
 * kept) buffer and handed back by moving RDT to just behind rx_next.
 * Returns the descriptors taken (frames handed up and dropped alike, so
 * that a device flooding the ring with bad ones still ends a poll). Poll
 * only (the network thread).
 */
static unsigned e1000_rx_poll(struct e1000 *e, unsigned budget)
{
	unsigned taken = 0;

	while (taken < budget && taken < E1000_RX_RING) {
		unsigned i = e->rx_next;
		volatile struct e1000_rx_desc *d = &e->rx_ring[i];
		uint8_t status = __atomic_load_n(&d->status, __ATOMIC_ACQUIRE);
		if (!(status & E1000_RXD_STAT_DD))
			break;
		(void)e1000_rx_one(e, i, status, d->length, d->errors);
		e1000_rx_arm(e, i);
		e->rx_next = (i + 1) % E1000_RX_RING;
		taken++;
	}
	if (taken) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the descriptors before the tail */
		e1000_write(e, E1000_RDT, (e->rx_next + E1000_RX_RING - 1) % E1000_RX_RING);
	}
	return taken;
}

/* Has the device completed the next descriptor? (Poll's thread.) */
static bool e1000_rx_pending(const struct e1000 *e)
{
	return __atomic_load_n(&e->rx_ring[e->rx_next].status, __ATOMIC_ACQUIRE) & E1000_RXD_STAT_DD;
}

/* ---------------------------------------------------------------- transmit ring */

/* Free the transmit ring and the buffers still in it. Probe (or the
 * self-test) only, the transmitter off. */
static void e1000_tx_free(struct e1000 *e)
{
	for (unsigned i = 0; i < E1000_TX_RING; i++) {
		netbuf_free(e->tx_bufs[i]);
		e->tx_bufs[i] = NULL;
	}
	if (e->tx_ring)
		pmm_free(virt_to_phys(e->tx_ring), 0);
	e->tx_ring = NULL;
}

/* Allocate the (empty) transmit ring: 0 or -ENOMEM. */
static int e1000_tx_alloc(struct e1000 *e)
{
	uint64_t page = pmm_alloc(0);

	if (!page)
		return -ENOMEM;
	e->tx_ring = phys_to_virt(page);
	memset(e->tx_ring, 0, PAGE_SIZE);
	e->tx_tail = e->tx_clean = 0;
	return 0;
}

/* Program the transmit registers (13.4.33-34, 14.5) and turn the
 * transmitter on: short frames padded, full-duplex collision distance,
 * IEEE 802.3 inter-packet gaps. */
static void e1000_tx_start(struct e1000 *e)
{
	uint64_t ring = virt_to_phys(e->tx_ring);

	e1000_write(e, E1000_TDBAL, (uint32_t)ring);
	e1000_write(e, E1000_TDBAH, (uint32_t)(ring >> 32));
	e1000_write(e, E1000_TDLEN, E1000_TX_RING * sizeof(struct e1000_tx_desc));
	e1000_write(e, E1000_TDH, 0);
	e1000_write(e, E1000_TDT, 0);
	e1000_write(e, E1000_TIDV, 0);
	e1000_write(e, E1000_TIPG, E1000_TIPG_IPGT_COPPER << E1000_TIPG_IPGT_SHIFT |
				   E1000_TIPG_IPGR1_DEFAULT << E1000_TIPG_IPGR1_SHIFT |
				   E1000_TIPG_IPGR2_DEFAULT << E1000_TIPG_IPGR2_SHIFT);
	e1000_write(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_CT_DEFAULT << E1000_TCTL_CT_SHIFT |
				   E1000_COLD_FULL_DUPLEX << E1000_TCTL_COLD_SHIFT | E1000_TCTL_RTLC);
}

/* Free the buffers of the descriptors the device has finished (DD), in
 * ring order, counting them sent (or failed: excess or late collisions).
 * dev.tx_lock held. */
static void e1000_tx_reclaim(struct e1000 *e)
{
	struct netdev_stats *st = &e->dev.stats;

	while (e->tx_clean != e->tx_tail) {
		unsigned i = e->tx_clean;
		uint8_t status = __atomic_load_n(&e->tx_ring[i].status, __ATOMIC_ACQUIRE);
		if (!(status & E1000_TXD_STAT_DD))
			break;
		struct netbuf *nb = e->tx_bufs[i];
		e->tx_bufs[i] = NULL;
		if (status & (E1000_TXD_STAT_EC | E1000_TXD_STAT_LC)) {
			netdev_count(&st->tx_errors, 1);
		} else {
			netdev_count(&st->tx_packets, 1);
			netdev_count(&st->tx_bytes, nb->len);
		}
		netbuf_free(nb);
		e->tx_clean = (i + 1) % E1000_TX_RING;
	}
}

/* ---------------------------------------------------------------- netdev ops */

/* ops->xmit: one descriptor (EOP|IFCS|RS) per frame. dev.tx_lock held,
 * interrupts off. 0 (the ring owns nb), -ENETDOWN without link,
 * -EMSGSIZE beyond a descriptor, -ENOBUFS when the ring stays full after
 * a reclaim (nb still the caller's). */
static int e1000_xmit(struct netdev *dev, struct netbuf *nb)
{
	struct e1000 *e = dev->priv;

	if (!e->link_up)
		return -ENETDOWN;
	if (nb->len == 0 || nb->len > E1000_TX_MAX_LEN)
		return -EMSGSIZE;
	unsigned next = (e->tx_tail + 1) % E1000_TX_RING;
	if (next == e->tx_clean) {
		e1000_tx_reclaim(e);
		if (next == e->tx_clean)
			return -ENOBUFS;
	}
	struct e1000_tx_desc *d = &e->tx_ring[e->tx_tail];
	d->addr = netbuf_phys(nb);
	d->length = (uint16_t)nb->len;
	d->cso = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	d->status = 0;
	d->css = 0;
	d->special = 0;
	e->tx_bufs[e->tx_tail] = nb;
	e->tx_tail = next;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the descriptor before the doorbell */
	e1000_write(e, E1000_TDT, next);
	return 0;
}

/* ops->poll: frames up to budget, then the transmit ring reclaimed. */
static unsigned e1000_poll(struct netdev *dev, unsigned budget)
{
	struct e1000 *e = dev->priv;
	unsigned n = e1000_rx_poll(e, budget);
	uint64_t fl = spin_lock_irqsave(&dev->tx_lock);

	e1000_tx_reclaim(e);
	spin_unlock_irqrestore(&dev->tx_lock, fl);
	return n;
}

/* The causes of each kind in e's interrupt mode (MSI-X has its own). */
static const struct e1000_causes *e1000_causes(const struct e1000 *e)
{
	return e->irq_mode == E1000_IRQ_MSIX ? &e->chip->msix_causes : &e->chip->causes;
}

/* The causes the device may interrupt for. */
static uint32_t e1000_irq_causes(const struct e1000 *e)
{
	const struct e1000_causes *c = e1000_causes(e);

	return c->rx | c->tx | c->link;
}

/* ops->irq_enable: unmask the work causes again (a polled device has
 * none unmasked), and schedule another poll if a frame completed while
 * they were masked (its cause was read and dropped by then). */
static void e1000_irq_enable(struct netdev *dev)
{
	struct e1000 *e = dev->priv;

	if (e->irq_mode != E1000_IRQ_POLL)
		e1000_write(e, E1000_IMS, e1000_irq_causes(e));
	if (e1000_rx_pending(e))
		netdev_schedule(dev);
}

/* The multicast table's bit of mac with RCTL.MO 0 (bits 47:36 of the
 * address, 14.4 and 13.5.1): a 12-bit hash, word hash / 32, bit hash % 32. */
#define E1000_MTA_HASH_SHIFT 4
#define E1000_MTA_HASH_MASK  0xfff

static void e1000_set_multicast(struct netdev *dev, const uint8_t (*macs)[ETH_ALEN], unsigned n)
{
	struct e1000 *e = dev->priv;
	uint32_t mta[E1000_MTA_WORDS] = { 0 };

	for (unsigned i = 0; i < n; i++) {
		unsigned hash = ((unsigned)macs[i][5] << 8 | macs[i][4]) >> E1000_MTA_HASH_SHIFT;
		hash &= E1000_MTA_HASH_MASK;
		mta[hash / 32] |= 1u << (hash % 32);
	}
	memcpy(e->mta, mta, sizeof(mta));
	for (unsigned i = 0; i < E1000_MTA_WORDS; i++)
		e1000_write(e, E1000_MTA + 4 * i, mta[i]);
}

static const struct netdev_ops e1000_ops = {
	.xmit = e1000_xmit,
	.poll = e1000_poll,
	.irq_enable = e1000_irq_enable,
	.set_multicast = e1000_set_multicast,
};

/* ---------------------------------------------------------------- interrupts */

/*
 * The interrupt's work for e: read ICR and acknowledge what it returned
 * (the read does it, but with MSI-X, where the 82574L keeps the causes
 * until they are written back: 82574 datasheet 7.4.5), follow the link
 * on a link cause, and on receive or transmit work mask those causes
 * (unless polled) and schedule the device. False when no cause was set
 * (not our interrupt; with INTx on a part that says so, when the line
 * is not asserted by it). Interrupts off: the handler, or the timer.
 */
static bool e1000_service(struct e1000 *e)
{
	const struct e1000_causes *c = e1000_causes(e);
	enum e1000_irq_mode mode = e->irq_mode;
	uint32_t icr = e1000_read(e, E1000_ICR);

	if (icr == 0 || icr == E1000_REG_GONE)
		return false;
	if (mode == E1000_IRQ_INTX && e->chip->intx_claim && !(icr & e->chip->intx_claim))
		return false;
	if (mode == E1000_IRQ_MSIX)
		e1000_write(e, E1000_ICR, icr); /* write 1 to clear, before acting on them */
	if (icr & c->link) {
		__atomic_fetch_add(&e->link_irqs, 1, __ATOMIC_RELAXED);
		e1000_link_update(e);
	}
	if (icr & (c->rx | c->tx)) {
		if (mode != E1000_IRQ_POLL)
			e1000_write(e, E1000_IMC, c->rx | c->tx);
		netdev_schedule(&e->dev);
	}
	return true;
}

/* A level-triggered line that keeps firing with nothing of ours on it is
 * another device's (or misrouted): mask it, and poll every controller
 * that was on it from the tick. The handler, interrupts off. */
static void e1000_intx_storm(unsigned isa_irq, unsigned ndev)
{
	irq_unroute_isa(isa_irq);
	for (unsigned i = 0; i < ndev; i++) {
		struct e1000 *e = devs[i];
		if (e->irq_mode != E1000_IRQ_INTX || e->isa_irq != isa_irq)
			continue;
		e1000_write(e, E1000_IMC, E1000_ICR_ALL);
		e->irq_mode = E1000_IRQ_POLL;
		klog(LOG_WARN, "%s: %s: IRQ %u fires without a cause of ours; polling from the tick\n",
		     e->chip->driver, e->dev.name, isa_irq);
	}
}

/* The handler of every e1000 vector (MSI, or a routed INTx line shared
 * by the controllers on it). */
static void e1000_irq(struct trap_frame *tf)
{
	unsigned n = __atomic_load_n(&ndevs, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		struct e1000 *e = devs[i];
		if (e->irq_mode == E1000_IRQ_POLL || e->irq_vector != tf->vector)
			continue;
		if (e1000_service(e)) {
			__atomic_fetch_add(&e->irqs, 1, __ATOMIC_RELAXED);
			e->unclaimed = 0;
		} else if (e->irq_mode == E1000_IRQ_INTX && ++e->unclaimed >= E1000_INTX_STORM) {
			e1000_intx_storm(e->isa_irq, n);
		}
	}
}

/* The tick's timer: the handler's work every tick for a polled device,
 * a watchdog for a cause an interrupt missed otherwise. Interrupts off,
 * kernel lock held (ktimer). */
static void e1000_timer(struct ktimer *t)
{
	struct e1000 *e = (struct e1000 *)((char *)t - offsetof(struct e1000, timer));

	e1000_service(e);
	ktimer_arm(t, time_ns() + (e->irq_mode == E1000_IRQ_POLL ? E1000_TICK_NS : E1000_WATCHDOG_NS));
}

/* Does the vector just set up deliver? Raise LSC through ICS with only
 * it unmasked (and, with MSI-X, OTHER, the cause LSC raises there) and
 * wait for the handler to count it. Interrupts on, on the boot CPU,
 * where device interrupts are delivered: the wait spins holding the
 * kernel lock (arch/x86_64/klock.h), as probe runs before the scheduler
 * can sleep. */
static bool e1000_irq_delivers(struct e1000 *e)
{
	uint64_t before = e->irqs, end = time_ns() + E1000_IRQ_TEST_MS * E1000_NS_PER_MS;

	e1000_write(e, E1000_IMS, E1000_ICR_LSC | (e->irq_mode == E1000_IRQ_MSIX ? E1000_ICR_OTHER : 0));
	e1000_write(e, E1000_ICS, E1000_ICR_LSC);
	while (e->irqs == before && time_ns() < end)
		cpu_pause();
	e1000_write(e, E1000_IMC, E1000_ICR_ALL);
	return e->irqs != before;
}

/* The function's INTx output on or off (PCI_COMMAND's INTx disable). */
static void e1000_intx_enable(struct pci_dev *d, bool on)
{
	uint32_t cmd = pci_cfg_read(d, PCI_COMMAND, 2);

	cmd = on ? cmd & ~PCI_COMMAND_INTX_DISABLE : cmd | PCI_COMMAND_INTX_DISABLE;
	pci_cfg_write(d, PCI_COMMAND, 2, cmd);
}

/* INTx through the ISA IRQ the firmware wrote into the interrupt-line
 * register (see the top of the file): true when it is routed and was
 * seen to deliver. */
static bool e1000_intx_setup(struct e1000 *e)
{
	struct pci_dev *d = e->pci;
	unsigned line = d->irq_line;

	if (d->irq_pin == 0 || line == 0 || line >= VEC_ISA_COUNT)
		return false;
	e1000_intx_enable(d, true);
	e->isa_irq = line;
	e->irq_vector = VEC_ISA_BASE + line;
	e->irq_mode = E1000_IRQ_INTX;
	if (!irq_route_isa(line, e1000_irq)) {
		e->irq_mode = E1000_IRQ_POLL;
		return false;
	}
	if (e1000_irq_delivers(e))
		return true;
	e->irq_mode = E1000_IRQ_POLL;
	irq_unroute_isa(line);
	return false;
}

/* The vector given back to the PCI layer, the device's causes masked
 * first. With MSI-X, E1000_MSIX_QUIET_MS pass before: QEMU 7.2's e1000e
 * arms a timer per vector at each message (one EITR interval, 128 us at
 * most there) and asserts, and so ends, if the timer fires once MSI-X is
 * off. The timer runs in QEMU's main loop, which a loaded host delays
 * by more than a millisecond now and then (1 ms was seen to fail); 50 ms
 * costs only the self-tests, the one caller that turns a working MSI-X
 * off. Interrupts on. */
static void e1000_msi_off(struct e1000 *e, bool msix)
{
	e1000_write(e, E1000_IMC, E1000_ICR_ALL);
	e1000_flush(e);
	if (msix)
		e1000_delay_ms(E1000_MSIX_QUIET_MS);
	pci_msi_disable(e->pci);
}

/* MSI-X's or MSI's vector from the PCI layer (it prefers MSI-X, entry
 * 0), the causes routed to it on a part with MSI-X; true when it was
 * seen to deliver. Interrupts on, the boot CPU. */
static bool e1000_msi_setup(struct e1000 *e)
{
	struct pci_dev *d = e->pci;
	int vec = pci_msi_enable(d, e1000_irq);

	if (vec < 0)
		return false;
	e->irq_vector = (unsigned)vec;
	irq_set_msi_name(e->irq_vector, e->chip->driver, d->segment, d->bus, (uint8_t)(d->dev << 3 | d->fn));
	if (d->msix_on && !e->chip->msix_route) {
		pci_msi_disable(d); /* an MSI-X table on a part we cannot route: not ours to guess */
		return false;
	}
	e->irq_mode = d->msix_on ? E1000_IRQ_MSIX : E1000_IRQ_MSI;
	if (d->msix_on)
		e->chip->msix_route(e);
	if (e1000_irq_delivers(e))
		return true;
	e->irq_mode = E1000_IRQ_POLL;
	e1000_msi_off(e, d->msix_on);
	return false;
}

/* The mode chosen: the timer armed at its pace (every tick when polled,
 * else a watchdog's) and, unless polled, the causes unmasked behind the
 * throttle. Interrupts on. */
static void e1000_irq_start(struct e1000 *e)
{
	uint64_t fl = irq_save();
	e->timer.fire = e1000_timer;
	ktimer_arm(&e->timer, time_ns() + (e->irq_mode == E1000_IRQ_POLL ? E1000_TICK_NS : E1000_WATCHDOG_NS));
	irq_restore(fl);
	if (e->irq_mode != E1000_IRQ_POLL) {
		e1000_write(e, E1000_ITR, E1000_ITR_INTERVAL);
		e1000_write(e, E1000_IMS, e1000_irq_causes(e));
	}
}

/* MSI-X or MSI, else INTx, else the tick (with INTx turned off at the
 * function); then the timer armed and the causes unmasked. Interrupts
 * on, the boot CPU (e1000_irq_delivers); e is in devs[] already. */
static void e1000_irq_setup(struct e1000 *e)
{
	struct pci_dev *d = e->pci;

	e->irq_mode = E1000_IRQ_POLL;
	if (!e1000_msi_setup(e) && !e1000_intx_setup(e))
		e1000_intx_enable(d, false);
	e1000_irq_start(e);
}

/* Interrupts off for good: the causes masked, the vector or the line
 * given back, INTx off at the function; the device is polled from the
 * tick from here on (the timer stays armed). e1000_irq_setup undoes it.
 * Interrupts on; not from the handler. */
static void e1000_irq_stop(struct e1000 *e)
{
	enum e1000_irq_mode was = e->irq_mode;

	e1000_write(e, E1000_IMC, E1000_ICR_ALL);
	e->irq_mode = E1000_IRQ_POLL;
	if (was == E1000_IRQ_MSI || was == E1000_IRQ_MSIX)
		e1000_msi_off(e, was == E1000_IRQ_MSIX);
	else if (was == E1000_IRQ_INTX)
		irq_unroute_isa(e->isa_irq);
	e1000_intx_enable(e->pci, false);
	uint64_t fl = irq_save();
	ktimer_arm(&e->timer, time_ns() + E1000_TICK_NS); /* from the watchdog's pace to the tick's */
	irq_restore(fl);
}

/* ---------------------------------------------------------------- probe */

static const struct e1000_chip *chip_for(const struct pci_dev *d)
{
	if (d->vendor != E1000_PCI_VENDOR)
		return NULL;
	for (size_t i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (chips[i]->device == d->device)
			return chips[i];
	return NULL;
}

struct e1000 *e1000_find(const struct e1000_chip *c)
{
	unsigned n = __atomic_load_n(&ndevs, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (devs[i]->chip == c)
			return devs[i];
	return NULL;
}

/* Reset, read the MAC, build the rings and start the receiver and the
 * transmitter: NULL, or which step failed (the rings freed). */
static const char *e1000_start(struct e1000 *e)
{
	const char *why;

	if ((why = e1000_reset(e)) || (why = e1000_read_mac(e, e->dev.mac)))
		return why;
	if (e->chip->init)
		e->chip->init(e);
	if (e1000_rx_alloc(e) || e1000_tx_alloc(e)) {
		e1000_rx_free(e);
		return "no memory for the rings";
	}
	e1000_link_start(e);
	e1000_rx_start(e);
	e1000_tx_start(e);
	return NULL;
}

/* The netdev fields a driver fills before netdev_register. */
static void e1000_netdev_init(struct e1000 *e)
{
	struct pci_dev *d = e->pci;

	e->dev.type = ARPHRD_ETHER;
	e->dev.ops = &e1000_ops;
	e->dev.priv = e;
	e->dev.driver = e->chip->driver;
	e->dev.mtu = ETH_DATA_LEN;
	e->dev.max_mtu = ETH_DATA_LEN; /* no jumbo frames: RCTL.LPE is off */
	ksnprintf(e->dev.bus_info, sizeof(e->dev.bus_info), "%04x:%02x:%02x.%u", d->segment, d->bus, d->dev, d->fn);
}

/* The probe's one line: where, which interface, the MAC, the link, how
 * interrupts come, the model. */
static void e1000_log_probe(const struct e1000 *e)
{
	const uint8_t *m = e->dev.mac;
	char how[24];

	if (e->irq_mode == E1000_IRQ_INTX)
		ksnprintf(how, sizeof(how), "INTx IRQ %u", e->isa_irq);
	else
		ksnprintf(how, sizeof(how), "%s", irq_mode_names[e->irq_mode]);
	klog(LOG_INFO, "%s: %s %s %02x:%02x:%02x:%02x:%02x:%02x link %s (%s, %s)\n", e->chip->driver, e->dev.bus_info,
	     e->dev.name, m[0], m[1], m[2], m[3], m[4], m[5], e->link_up ? "up" : "down", how, e->chip->model);
}

int e1000_probe(struct pci_dev *d)
{
	const struct e1000_chip *chip = chip_for(d);

	return chip ? e1000_attach(d, chip) : -ENODEV;
}

int e1000_attach(struct pci_dev *d, const struct e1000_chip *chip)
{
	if (ndevs == E1000_MAX)
		return -ENOSPC;
	struct e1000 *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->pci = d;
	e->chip = chip;
	pci_enable_device(d);
	e->regs = pci_map_bar(d, E1000_BAR_REGS);
	const char *why = !e->regs || d->bars[E1000_BAR_REGS].size < E1000_REGS_SIZE ? "BAR 0 missing or too small"
										      : e1000_start(e);
	if (why) {
		klog(LOG_WARN, "%s: %04x:%02x:%02x.%u: %s\n", chip->driver, d->segment, d->bus, d->dev, d->fn, why);
		if (e->regs)
			e1000_reset(e); /* nothing of ours left in its registers */
		pci_disable_device(d);
		kfree(e);
		return -EIO;
	}
	e1000_netdev_init(e);
	int err = netdev_register(&e->dev, "eth", true);
	if (err) {
		klog(LOG_WARN, "%s: %s: not registered (%d)\n", chip->driver, e->dev.bus_info, err);
		e1000_reset(e); /* its DMA stopped before the rings go */
		e1000_rx_free(e);
		e1000_tx_free(e);
		pci_disable_device(d);
		kfree(e);
		return err;
	}
	e->registered = true;
	devs[ndevs] = e;
	__atomic_store_n(&ndevs, ndevs + 1, __ATOMIC_RELEASE); /* e first: the handler walks devs[] */
	e1000_irq_setup(e);
	e1000_link_update(e);
	e1000_log_probe(e);
	return 0;
}

/* ---------------------------------------------------------------- self-tests */

/* A controller in RAM for the ring tests: registers in a heap block the
 * driver writes as it would BAR 0, the rings and buffers real. NULL when
 * memory is short. */
static struct e1000 *fake_new(void)
{
	struct e1000 *e = kzalloc(sizeof(*e));

	if (!e)
		return NULL;
	e->regs = kzalloc(E1000_REGS_SIZE);
	e->chip = &chip_82540em;
	e->dev.priv = e;
	e->dev.ops = &e1000_ops;
	e->dev.mtu = ETH_DATA_LEN;
	e->irq_mode = E1000_IRQ_POLL;
	e->link_up = true;
	if (!e->regs || e1000_rx_alloc(e) || e1000_tx_alloc(e)) {
		e1000_rx_free(e);
		kfree((void *)e->regs);
		kfree(e);
		return NULL;
	}
	e1000_rx_start(e);
	e1000_tx_start(e);
	return e;
}

static void fake_free(struct e1000 *e)
{
	struct netbuf *nb;

	while ((nb = netdev_backlog_take(&e->dev)))
		netbuf_free(nb);
	e1000_rx_free(e);
	e1000_tx_free(e);
	kfree((void *)e->regs);
	kfree(e);
}

/* What the hostile device writes into descriptor i (DD always). */
struct fake_rx {
	uint8_t status;
	uint16_t len;
	uint8_t errors;
	bool handed_up;
};

static const struct fake_rx fake_rx_script[] = {
	{ E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 100, 0, true },
	{ E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 0, false },                /* empty */
	{ E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 4000, 0, false },             /* beyond the buffer */
	{ E1000_RXD_STAT_DD, 2048, 0, false },                                  /* a frame over three buffers */
	{ E1000_RXD_STAT_DD, 2048, 0, false },
	{ E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 100, 0, false },
	{ E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 64, E1000_RXD_ERR_CE, false }, /* CRC error */
	{ E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, ETH_FRAME_LEN, 0, true },
};
#define FAKE_RX_N (sizeof(fake_rx_script) / sizeof(fake_rx_script[0]))
#define FAKE_RX_BAD 4 /* errors counted: empty, too long, the chain once, CRC */

/* Poll's verdicts on the script: frames up, bad ones counted, buffers
 * kept or replaced, descriptors re-armed, RDT behind rx_next. */
static const char *fake_rx_check(struct e1000 *e)
{
	struct netbuf *before[FAKE_RX_N];

	for (unsigned i = 0; i < FAKE_RX_N; i++) {
		before[i] = e->rx_bufs[i];
		before[i]->data[0] = (uint8_t)(0xa0 + i);
		e->rx_ring[i].length = fake_rx_script[i].len;
		e->rx_ring[i].errors = fake_rx_script[i].errors;
		e->rx_ring[i].status = fake_rx_script[i].status;
	}
	if (e1000_rx_poll(e, 64) != FAKE_RX_N || e1000_rx_poll(e, 64) != 0)
		return "poll did not take exactly the completed descriptors";
	if (e->dev.stats.rx_packets != 2 || e->dev.stats.rx_errors != FAKE_RX_BAD)
		return "wrong rx_packets or rx_errors";
	if (e->rx_next != FAKE_RX_N || e1000_read(e, E1000_RDT) != FAKE_RX_N - 1)
		return "rx_next or RDT wrong";
	for (unsigned i = 0; i < FAKE_RX_N; i++) {
		if ((e->rx_bufs[i] != before[i]) != fake_rx_script[i].handed_up)
			return "a buffer replaced that was dropped, or kept that went up";
		if (e->rx_ring[i].status != 0 || e->rx_ring[i].addr != netbuf_phys(e->rx_bufs[i]))
			return "a descriptor not re-armed";
	}
	struct netbuf *a = netdev_backlog_take(&e->dev), *b = netdev_backlog_take(&e->dev);
	bool ok = a == before[0] && a->len == 100 && a->data[0] == 0xa0 && b == before[7] &&
		  b->len == ETH_FRAME_LEN && b->data[0] == 0xa7 && !netdev_backlog_take(&e->dev);
	netbuf_free(a);
	netbuf_free(b);
	return ok ? NULL : "the frames handed up are not the good ones";
}

/* A chain cut by the budget is still dropped whole in the next poll. */
static const char *fake_rx_budget(struct e1000 *e)
{
	unsigned base = e->rx_next;
	uint64_t errors = e->dev.stats.rx_errors, packets = e->dev.stats.rx_packets;

	for (unsigned k = 0; k < 4; k++) {
		struct e1000_rx_desc *d = &e->rx_ring[(base + k) % E1000_RX_RING];
		d->length = 60;
		d->status = E1000_RXD_STAT_DD | (k == 2 || k == 3 ? E1000_RXD_STAT_EOP : 0);
	}
	if (e1000_rx_poll(e, 1) != 1 || e1000_rx_poll(e, 64) != 3)
		return "budget not honoured";
	if (e->dev.stats.rx_errors != errors + 1 || e->dev.stats.rx_packets != packets + 1)
		return "a chain cut by the budget was not dropped whole";
	struct netbuf *nb = netdev_backlog_take(&e->dev);
	netbuf_free(nb);
	return nb ? NULL : "the frame after the chain was lost";
}

SELFTEST(e1000_rx_hostile)
{
	struct e1000 *e = fake_new();

	if (!e)
		return "no memory";
	const char *why = fake_rx_check(e);
	if (!why)
		why = fake_rx_budget(e);
	fake_free(e);
	return why;
}

/* A minimum-size frame for the ring tests. */
static struct netbuf *fake_frame(void)
{
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, ETH_ZLEN);

	if (nb)
		memset(netbuf_put(nb, ETH_ZLEN), 0, ETH_ZLEN);
	return nb;
}

/* xmit under tx_lock, as netdev_xmit calls it; frees nb if refused. */
static int fake_xmit(struct e1000 *e, struct netbuf *nb)
{
	uint64_t fl = spin_lock_irqsave(&e->dev.tx_lock);
	int err = e1000_xmit(&e->dev, nb);

	spin_unlock_irqrestore(&e->dev.tx_lock, fl);
	if (err)
		netbuf_free(nb);
	return err;
}

/* Descriptors as the manual wants them, TDT moved, DD reclaimed in ring
 * order, a full ring refused, bad lengths and no link refused. */
static const char *fake_tx_check(struct e1000 *e)
{
	for (unsigned i = 0; i < 3; i++) {
		struct netbuf *nb = fake_frame();
		if (!nb || fake_xmit(e, nb))
			return "xmit refused a frame";
		if (e->tx_ring[i].addr != netbuf_phys(nb) || e->tx_ring[i].length != ETH_ZLEN ||
		    e->tx_ring[i].cmd != (E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS))
			return "descriptor not as the manual wants";
	}
	if (e1000_read(e, E1000_TDT) != 3)
		return "TDT not moved";
	e->tx_ring[1].status = E1000_TXD_STAT_DD; /* out of order: waits for 0 */
	e1000_poll(&e->dev, 64);
	if (e->tx_clean != 0)
		return "reclaimed past a descriptor not done";
	e->tx_ring[0].status = E1000_TXD_STAT_DD;
	e1000_poll(&e->dev, 64);
	if (e->tx_clean != 2 || e->dev.stats.tx_packets != 2 || e->tx_bufs[0] || e->tx_bufs[1])
		return "done descriptors not reclaimed";
	unsigned taken = 0;
	struct netbuf *nb;
	while ((nb = fake_frame()) && fake_xmit(e, nb) == 0)
		taken++;
	if (!nb || taken != E1000_TX_RING - 2)
		return "the ring did not fill to one short of its size";
	struct netbuf *empty = netbuf_alloc(0, 1);
	int err = empty ? fake_xmit(e, empty) : 0;
	e->link_up = false;
	int err2 = (nb = fake_frame()) ? fake_xmit(e, nb) : 0;
	return err == -EMSGSIZE && err2 == -ENETDOWN ? NULL : "an empty frame or a down link not refused";
}

SELFTEST(e1000_tx_ring)
{
	struct e1000 *e = fake_new();

	if (!e)
		return "no memory";
	const char *why = fake_tx_check(e);
	fake_free(e);
	return why;
}

/* The EEPROM path of the MAC (EERD), on the real controller: with RAL0
 * and RAH0 cleared, e1000_read_mac must find the same address in the
 * EEPROM and write it back into them. */
SELFTEST(e1000_mac_eeprom)
{
	if (!ndevs)
		return SELFTEST_SKIP("no e1000");
	struct e1000 *e = devs[0];
	if (!e->chip->eerd_done)
		return SELFTEST_SKIP("this part has no EERD");
	uint32_t ral = e1000_read(e, E1000_RAL(0)), rah = e1000_read(e, E1000_RAH(0));
	uint8_t mac[ETH_ALEN];
	e1000_write(e, E1000_RAL(0), 0);
	e1000_write(e, E1000_RAH(0), 0);
	const char *why = e1000_read_mac(e, mac);
	bool back = e1000_read(e, E1000_RAL(0)) == ral && e1000_read(e, E1000_RAH(0)) == rah;
	e1000_write(e, E1000_RAL(0), ral);
	e1000_write(e, E1000_RAH(0), rah);
	if (why)
		return why;
	if (memcmp(mac, e->dev.perm_mac, ETH_ALEN) != 0)
		return "the EEPROM's address is not the one RAL0/RAH0 held";
	return back ? NULL : "RAL0/RAH0 not written back from the EEPROM";
}

/*
 * e1000_wire: frames across a real controller both ways, with a peer on
 * the other end of the wire (tests/boot/e1000_peer.py, on QEMU's
 * -netdev dgram socket). The test's frames carry EtherType 0x88b5 (IEEE
 * local experimental) and are taken off the receive path by rx_tap
 * before the stack would see them; everything else is the driver's
 * normal path (netdev_xmit in, the network thread's poll out). The
 * kernel says HELLO; the peer answers and streams WIRE_RX_FRAMES frames
 * of every length from 60 to 1514 bytes, each checked here for order,
 * length and contents; meanwhile the kernel sends WIRE_TX_FRAMES such
 * frames, which the peer checks and counts in its RESULT. No netbuf may
 * be left over (the heap's objects in use, before and after) and the
 * stream may not stall. Without a peer (any other -netdev) it skips.
 */
#define WIRE_ETHERTYPE   0x88b5
#define WIRE_MAGIC       "KE1K"
#define WIRE_HDR         (ETH_HLEN + 14)  /* magic 4, type 1, pad 3, seq 4, length 2 */
#define WIRE_RX_FRAMES   10000u
#define WIRE_TX_FRAMES   2000u
#define WIRE_LINK_MS     3000u
#define WIRE_PEER_MS     2000u
#define WIRE_RESEND_MS   500u
#define WIRE_STALL_MS    5000u
#define WIRE_SEND_MS     2000u            /* for room in the transmit ring */
#define WIRE_SETTLE_MS   200u             /* for the last transmits' reclaim */
#define WIRE_HEAP_SLACK  8u               /* heap objects other threads may take meanwhile */

enum { WIRE_HELLO = 1, WIRE_PEER_HELLO, WIRE_DATA, WIRE_DONE, WIRE_RESULT };

/* No peer answered e1000_wire: e1000_wire_polled skips at once. */
static bool wire_no_peer;

/* What the tap saw (written by the network thread, read by the test). */
static struct {
	uint8_t peer[ETH_ALEN];
	volatile bool hello, result;
	volatile uint32_t rx_good, rx_bad, next_seq;
	volatile uint32_t peer_good, peer_bad;
} wire;

static unsigned wire_len(uint32_t seq)
{
	return ETH_ZLEN + (seq * 37u) % (ETH_FRAME_LEN - ETH_ZLEN + 1);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A test frame of type type: DATA frames are wire_len(seq) bytes of a
 * pattern the seq sets, the others carry a0 and a1. NULL without memory. */
static struct netbuf *wire_build(const struct e1000 *e, const uint8_t dst[ETH_ALEN], uint8_t type, uint32_t seq,
				 uint32_t a0, uint32_t a1)
{
	unsigned len = type == WIRE_DATA ? wire_len(seq) : ETH_ZLEN;
	struct netbuf *nb = netbuf_alloc(NETBUF_HEADROOM, len);
	if (!nb)
		return NULL;
	uint8_t *p = netbuf_put(nb, len);
	memset(p, 0, len);
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, e->dev.mac, ETH_ALEN);
	p[12] = WIRE_ETHERTYPE >> 8;
	p[13] = WIRE_ETHERTYPE & 0xff;
	memcpy(p + ETH_HLEN, WIRE_MAGIC, 4);
	p[ETH_HLEN + 4] = type;
	put_be32(p + ETH_HLEN + 8, seq);
	p[ETH_HLEN + 12] = (uint8_t)(len >> 8);
	p[ETH_HLEN + 13] = (uint8_t)len;
	if (type == WIRE_DATA) {
		for (unsigned i = WIRE_HDR; i < len; i++)
			p[i] = (uint8_t)(seq + i - WIRE_HDR);
	} else {
		put_be32(p + WIRE_HDR, a0);
		put_be32(p + WIRE_HDR + 4, a1);
	}
	return nb;
}

/* A DATA frame as wire_build makes them, next in order? */
static bool wire_data_ok(const uint8_t *p, unsigned len, uint32_t seq)
{
	if (seq != wire.next_seq || len != wire_len(seq) || ((unsigned)p[ETH_HLEN + 12] << 8 | p[ETH_HLEN + 13]) != len)
		return false;
	for (unsigned i = WIRE_HDR; i < len; i++)
		if (p[i] != (uint8_t)(seq + i - WIRE_HDR))
			return false;
	return true;
}

/* rx_tap: take the test's frames (the network thread's poll). */
static bool wire_tap(struct e1000 *e, struct netbuf *nb)
{
	const uint8_t *p = nb->data;
	(void)e;

	if (nb->len < WIRE_HDR + 8 || p[12] != WIRE_ETHERTYPE >> 8 || p[13] != (WIRE_ETHERTYPE & 0xff) ||
	    memcmp(p + ETH_HLEN, WIRE_MAGIC, 4) != 0)
		return false;
	uint32_t seq = get_be32(p + ETH_HLEN + 8);
	switch (p[ETH_HLEN + 4]) {
	case WIRE_PEER_HELLO:
		memcpy(wire.peer, p + ETH_ALEN, ETH_ALEN);
		wire.hello = true;
		break;
	case WIRE_DATA:
		if (wire_data_ok(p, nb->len, seq))
			wire.rx_good++;
		else
			wire.rx_bad++;
		wire.next_seq = seq + 1;
		break;
	case WIRE_RESULT:
		wire.peer_good = get_be32(p + WIRE_HDR);
		wire.peer_bad = get_be32(p + WIRE_HDR + 4);
		wire.result = true;
		break;
	}
	netbuf_free(nb);
	return true;
}

/* Send a test frame, waiting (up to WIRE_SEND_MS) while the ring is
 * full: 0 or netdev_xmit's error. */
static int wire_send(struct e1000 *e, const uint8_t dst[ETH_ALEN], uint8_t type, uint32_t seq, uint32_t a0,
		     uint32_t a1)
{
	uint64_t end = time_ns() + WIRE_SEND_MS * E1000_NS_PER_MS;

	for (;;) {
		struct netbuf *nb = wire_build(e, dst, type, seq, a0, a1);
		if (!nb)
			return -ENOMEM;
		int err = netdev_xmit(&e->dev, nb);
		if (err != -ENOBUFS || time_ns() >= end)
			return err;
		sleep_until(time_ns() + E1000_NS_PER_MS);
	}
}

/* Send type every WIRE_RESEND_MS until *flag is set, for at most ms:
 * whether it was. */
static bool wire_ask(struct e1000 *e, const uint8_t dst[ETH_ALEN], uint8_t type, uint32_t a0, uint32_t a1,
		     volatile bool *flag, unsigned ms)
{
	uint64_t end = time_ns() + ms * E1000_NS_PER_MS;

	while (!*flag && time_ns() < end) {
		wire_send(e, dst, type, 0, a0, a1);
		uint64_t next = time_ns() + WIRE_RESEND_MS * E1000_NS_PER_MS;
		while (!*flag && time_ns() < next)
			sleep_until(time_ns() + E1000_NS_PER_MS);
	}
	return *flag;
}

/* Wait for the peer's stream to end: false when it stops moving for
 * WIRE_STALL_MS first. */
static bool wire_wait_stream(void)
{
	uint32_t seen = 0;
	uint64_t moved = time_ns();

	while (wire.rx_good + wire.rx_bad < WIRE_RX_FRAMES) {
		uint32_t now_seen = wire.rx_good + wire.rx_bad;
		if (now_seen != seen) {
			seen = now_seen;
			moved = time_ns();
		} else if (time_ns() - moved > WIRE_STALL_MS * E1000_NS_PER_MS) {
			return false;
		}
		sleep_until(time_ns() + E1000_NS_PER_MS);
	}
	return true;
}

/* The exchange with the peer; NULL, a skip, or what went wrong. */
static const char *wire_run(struct e1000 *e)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (wire_no_peer || !wire_ask(e, bcast, WIRE_HELLO, WIRE_RX_FRAMES, WIRE_TX_FRAMES, &wire.hello, WIRE_PEER_MS)) {
		wire_no_peer = true;
		return SELFTEST_SKIP("no peer on the wire");
	}
	uint64_t t0 = time_ns();
	for (uint32_t seq = 0; seq < WIRE_TX_FRAMES; seq++)
		if (wire_send(e, wire.peer, WIRE_DATA, seq, 0, 0))
			return "netdev_xmit refused a frame for good";
	bool streamed = wire_wait_stream();
	uint64_t ms = (time_ns() - t0) / E1000_NS_PER_MS;
	bool answered = wire_ask(e, wire.peer, WIRE_DONE, WIRE_TX_FRAMES, 0, &wire.result, WIRE_PEER_MS);
	klog(LOG_INFO, "e1000-wire (%s): %u frames in (%u bad) in %lu ms; %u out, the peer got %u good, %u bad\n",
	     irq_mode_names[e->irq_mode], wire.rx_good, wire.rx_bad, ms, WIRE_TX_FRAMES, wire.peer_good,
	     wire.peer_bad);
	if (!streamed)
		return "the peer's stream stalled";
	if (wire.rx_good != WIRE_RX_FRAMES || wire.rx_bad)
		return "frames from the peer lost, reordered or damaged";
	if (!answered)
		return "no RESULT from the peer";
	if (wire.peer_good != WIRE_TX_FRAMES || wire.peer_bad)
		return "frames to the peer lost, reordered or damaged";
	return NULL;
}

/* Heap objects in use, less the two of each netbuf netbuf.c keeps for
 * reuse: its pools fill during the first exchange and stay full. */
static uint64_t heap_objects(void)
{
	struct heap_stats hs;

	heap_stats(&hs);
	return hs.small_in_use + hs.large_in_use - 2u * netbuf_pooled();
}

/* Netbufs held by e's transmit ring (its lock taken). */
static unsigned wire_tx_held(struct e1000 *e)
{
	uint64_t fl = spin_lock_irqsave(&e->dev.tx_lock);
	unsigned n = (e->tx_tail + E1000_TX_RING - e->tx_clean) % E1000_TX_RING;

	spin_unlock_irqrestore(&e->dev.tx_lock, fl);
	return n;
}

/* The exchange with a peer and its checks, in e's current interrupt
 * mode: NULL, a skip, or what failed. Logs the figures. */
static const char *wire_test(struct e1000 *e)
{
	uint64_t end = time_ns() + WIRE_LINK_MS * E1000_NS_PER_MS;
	while (!e->link_up && time_ns() < end)
		sleep_until(time_ns() + 10 * E1000_NS_PER_MS);
	if (!e->link_up)
		return "link down";
	bool was_up = e->dev.flags & IFF_UP; /* netdev_xmit wants it; no address needed */
	__atomic_or_fetch(&e->dev.flags, IFF_UP, __ATOMIC_RELAXED);
	uint64_t errors = e->dev.stats.rx_errors + e->dev.stats.rx_dropped, before = heap_objects();
	memset((void *)&wire, 0, sizeof(wire));
	e->rx_tap = wire_tap;
	const char *why = wire_run(e);
	e->rx_tap = NULL;
	netdev_schedule(&e->dev); /* a poll that reclaims the last transmits */
	sleep_until(time_ns() + WIRE_SETTLE_MS * E1000_NS_PER_MS);
	uint64_t after = heap_objects();
	unsigned held = wire_tx_held(e);
	if (!was_up)
		__atomic_and_fetch(&e->dev.flags, ~(uint32_t)IFF_UP, __ATOMIC_RELAXED);
	klog(LOG_INFO, "e1000-wire (%s): heap objects %lu before, %lu after; %u buffers still in the transmit ring; "
	     "rx errors+dropped %lu\n", irq_mode_names[e->irq_mode], before, after, held,
	     e->dev.stats.rx_errors + e->dev.stats.rx_dropped - errors);
	if (why)
		return why;
	if (after > before + WIRE_HEAP_SLACK || held)
		return "netbufs leaked";
	if (e->dev.stats.rx_errors + e->dev.stats.rx_dropped != errors)
		return "receive errors or drops";
	return NULL;
}

/* The same once more with the device polled from the tick (as where
 * neither MSI nor INTx can be had), then its interrupts set up again as
 * they were. Before or after e1000_wire (the link order decides): the
 * peer takes one session after the other. */
SELFTEST(e1000_wire_polled)
{
	if (!ndevs)
		return SELFTEST_SKIP("no e1000");
	struct e1000 *e = devs[0];
	enum e1000_irq_mode was = e->irq_mode;
	e1000_irq_stop(e);
	const char *why = wire_test(e);
	e1000_irq_setup(e);
	if (!why && e->irq_mode != was)
		why = "interrupts not set up again as they were";
	return why;
}

/* The same once more on the function's INTx line, MSI and MSI-X off,
 * for a part that was on one of them (the 82574L: its legacy causes and
 * INT_ASSERTED's claim, which MSI-X never uses); then its interrupts set
 * up again as they were. Skipped where INTx was the choice already
 * (e1000_wire ran on it) or no line delivers. */
SELFTEST(e1000_wire_intx)
{
	if (!ndevs)
		return SELFTEST_SKIP("no e1000");
	struct e1000 *e = devs[0];
	enum e1000_irq_mode was = e->irq_mode;
	if (was != E1000_IRQ_MSI && was != E1000_IRQ_MSIX)
		return SELFTEST_SKIP("not on MSI or MSI-X: e1000-wire covers its mode");
	e1000_irq_stop(e);
	const char *why = NULL;
	if (e1000_intx_setup(e)) {
		e1000_irq_start(e);
		why = wire_test(e);
		e1000_irq_stop(e);
	} else {
		why = SELFTEST_SKIP("no INTx line that delivers");
	}
	e1000_irq_setup(e);
	if (!why && e->irq_mode != was)
		why = "interrupts not set up again as they were";
	return why;
}

SELFTEST(e1000_wire)
{
	if (!ndevs)
		return SELFTEST_SKIP("no e1000");
	return wire_test(devs[0]);
}
