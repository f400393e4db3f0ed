// SPDX-License-Identifier: MIT
/*
 * Kestrel: the xHCI host controller (eXtensible Host Controller Interface
 * for USB, revision 1.2). Bring-up in the order of section 4.2: take the
 * controller from the firmware (USBLEGSUP, 4.22.1), halt and reset it,
 * give it the device context array (with scratchpad pages), a command
 * ring and one event ring, run it, then attach what sits on the root
 * ports (xhci_dev.c). Until the end of xhci_probe every wait polls the
 * event ring with a deadline; then MSI-X (or MSI) takes over and the
 * interrupt handler consumes events (keyboard reports) under the lock;
 * without either, a 10 ms kernel timer does the same. Root port changes
 * from then on go to the hot-plug thread (xhci_hotplug.c).
 * Up to XHCI_MAX_HCS controllers are driven, each a struct xhci of its
 * own (xhci_hcs[]) with its own lock, interrupt vector and bus number.
 * Any failure of a controller itself halts it, frees everything and
 * declines the function: the boot goes on without it.
 */
#include "dev/xhci.h"
#include "dev/xhci_hw.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/mmio.h"
#include "proc/ktimer.h"
#include "time/time.h"
#include "log.h"

#define XHCI_BAR            0
#define HALT_TIMEOUT_MS     50       /* the spec's 16 ms, and room */
#define RESET_TIMEOUT_MS    1000
#define HANDOFF_TIMEOUT_MS  1000     /* Linux waits as long for the BIOS */
#define CONNECT_WAIT_MS     100      /* ports report their devices within this after power */
#define CONNECT_SETTLE_MS   20
#define BYTE_MASK           0xffu
#define POLL_NS             10000000ull  /* 10 ms, the console's own polling interval */

/* ---------------------------------------------------------------- bring-up */

/* Takes the controller from the firmware: sets the OS-owned semaphore,
 * waits for the BIOS-owned one to drop (forcing it after the timeout,
 * as Linux does), and turns the SMIs off. The extended-capability walk
 * stays inside the BAR and stops after XCAP_MAX entries. */
static void bios_handoff(struct xhci *hc)
{
	uint32_t off = HCC1_XECP(mmio_read32(hc->cap + CAP_HCCPARAMS1)) * 4;

	for (unsigned n = 0; off && off + 8 <= hc->bar_size && n < XCAP_MAX; n++) {
		volatile uint8_t *x = hc->cap + off;
		uint32_t v = mmio_read32(x);
		if (XCAP_ID(v) == XCAP_LEGACY) {
			if (v & LEGSUP_BIOS_OWNED) {
				mmio_write32(x, v | LEGSUP_OS_OWNED);
				uint64_t end = tsc_deadline_ms(HANDOFF_TIMEOUT_MS);
				while ((mmio_read32(x) & LEGSUP_BIOS_OWNED) && !tsc_deadline_passed(end))
					cpu_pause();
				if (mmio_read32(x) & LEGSUP_BIOS_OWNED) {
					klog(LOG_WARN, "xhci: the firmware does not let go; taking the controller\n");
					mmio_write32(x, (mmio_read32(x) & ~LEGSUP_BIOS_OWNED) | LEGSUP_OS_OWNED);
				}
			}
			uint32_t ctl = mmio_read32(x + LEGCTL);
			mmio_write32(x + LEGCTL, (ctl & LEGCTL_KEEP) | LEGCTL_SMI_EVENTS);
			return;
		}
		if (!XCAP_NEXT(v))
			return;
		off += XCAP_NEXT(v) * 4;
	}
}

/* Halts (RS off, wait for HCHalted) and resets the controller. */
static const char *halt_and_reset(struct xhci *hc)
{
	op_write(hc, OP_USBCMD, op_read(hc, OP_USBCMD) & ~(CMD_RUN | CMD_INTE));
	if (!xhci_op_wait(hc, OP_USBSTS, STS_HCH, STS_HCH, HALT_TIMEOUT_MS))
		return "it does not halt";
	op_write(hc, OP_USBCMD, CMD_HCRST);
	if (!xhci_op_wait(hc, OP_USBCMD, CMD_HCRST, 0, RESET_TIMEOUT_MS) ||
	    !xhci_op_wait(hc, OP_USBSTS, STS_CNR, 0, RESET_TIMEOUT_MS))
		return "it does not come out of reset";
	return NULL;
}

/* The device context base address array, with the scratchpad array
 * in entry 0 when the controller asks for scratchpad pages. */
static const char *setup_dcbaa(struct xhci *hc)
{
	uint32_t p2 = mmio_read32(hc->cap + CAP_HCSPARAMS2);
	unsigned nscratch = HCS2_SPB_HI(p2) << 5 | HCS2_SPB_LO(p2);

	if (!(op_read(hc, OP_PAGESIZE) & PAGESIZE_4K))
		return "no 4 KiB page size";
	if (nscratch > XHCI_MAX_SCRATCH)
		return "it wants too many scratchpad pages";
	hc->dcbaa = xhci_page(hc);
	if (!hc->dcbaa)
		return "out of memory";
	if (nscratch) {
		uint64_t *array = xhci_page(hc);
		if (!array)
			return "out of memory";
		for (unsigned i = 0; i < nscratch; i++) {
			void *pg = xhci_page(hc);
			if (!pg)
				return "out of memory";
			array[i] = xhci_phys(pg);
		}
		hc->dcbaa[0] = xhci_phys(array);
	}
	op_write(hc, OP_CONFIG, hc->max_slots);
	op_write64(hc, OP_DCBAAP, xhci_phys(hc->dcbaa));
	return NULL;
}

/* The command ring and interrupter 0's event ring (one segment). */
static const char *setup_rings(struct xhci *hc)
{
	uint64_t *erst;

	if (!xhci_ring_init(&hc->cmd, xhci_page(hc)) || !(hc->evt = xhci_page(hc)) || !(erst = xhci_page(hc)))
		return "out of memory";
	op_write64(hc, OP_CRCR, hc->cmd.phys | CRCR_RCS);
	hc->evt_phys = xhci_phys(hc->evt);
	hc->evt_deq = 0;
	hc->evt_cycle = TRB_CYCLE;
	erst[0] = hc->evt_phys;
	erst[1] = RING_TRBS;       /* segment size in TRBs; the rest reserved */
	mmio_write32(ir0(hc, IR_ERSTSZ), 1);
	ir_write64(hc, IR_ERDP, hc->evt_phys);
	ir_write64(hc, IR_ERSTBA, xhci_phys(erst));
	mmio_write32(ir0(hc, IR_IMOD), IMOD_250US);
	return NULL;
}

/* Reads the capability registers; NULL or why they make no sense. */
static const char *read_caps(struct xhci *hc)
{
	uint32_t len = mmio_read32(hc->cap + CAP_LENGTH) & BYTE_MASK;
	uint32_t p1 = mmio_read32(hc->cap + CAP_HCSPARAMS1);
	uint32_t c1 = mmio_read32(hc->cap + CAP_HCCPARAMS1);
	uint32_t db = mmio_read32(hc->cap + CAP_DBOFF) & DBOFF_MASK;
	uint32_t rt = mmio_read32(hc->cap + CAP_RTSOFF) & RTSOFF_MASK;

	hc->max_ports = HCS1_PORTS(p1);
	hc->max_slots = HCS1_SLOTS(p1) < XHCI_MAX_SLOTS ? HCS1_SLOTS(p1) : XHCI_MAX_SLOTS;
	hc->ctx_size = c1 & HCC1_CSZ ? 64 : 32;
	hc->ac64 = c1 & HCC1_AC64;
	if (!len || len + OP_PORTSC(hc->max_ports + 1) > hc->bar_size || db >= hc->bar_size ||
	    rt + RT_IR0 + 0x20 > hc->bar_size || !hc->max_slots)
		return "its registers do not fit its BAR";
	hc->op = hc->cap + len;
	hc->db = hc->cap + db;
	hc->rt = hc->cap + rt;
	return NULL;
}

/* Runs the controller and attaches what is connected: ports report a
 * device within CONNECT_WAIT_MS of running, so a machine with nothing
 * plugged in waits that long and no more. */
static const char *run_and_attach(struct xhci *hc)
{
	op_write(hc, OP_USBCMD, CMD_RUN);
	if (!xhci_op_wait(hc, OP_USBSTS, STS_HCH, 0, HALT_TIMEOUT_MS))
		return "it does not run";
	uint64_t end = tsc_deadline_ms(CONNECT_WAIT_MS);
	bool any = false;
	while (!any && !tsc_deadline_passed(end)) {
		for (unsigned p = 1; p <= hc->max_ports; p++)
			any |= op_read(hc, OP_PORTSC(p)) & PORT_CCS;
		cpu_pause();
	}
	if (any)
		xhci_delay_ms(CONNECT_SETTLE_MS);
	for (unsigned p = 1; p <= hc->max_ports && !hc->dead; p++)
		if (op_read(hc, OP_PORTSC(p)) & PORT_CCS)
			xhci_port_attach(hc, p);
	return hc->dead ? "a command timed out" : NULL;
}

/* The interrupt handler of controller n (a handler has no argument:
 * one function per entry of xhci_hcs). */
static void xhci_irq_of(struct xhci *hc)
{
	uint64_t flags = spin_lock_irqsave(&hc->lock);
	op_write(hc, OP_USBSTS, STS_EINT);
	mmio_write32(ir0(hc, IR_IMAN), IMAN_IE | IMAN_IP);
	xhci_consume_events(hc, 0, 0, NULL);
	spin_unlock_irqrestore(&hc->lock, flags);
}

#define XHCI_IRQ(n) \
	static void xhci_irq##n(struct trap_frame *tf) { (void)tf; xhci_irq_of(&xhci_hcs[n]); }
XHCI_IRQ(0)
XHCI_IRQ(1)
XHCI_IRQ(2)
XHCI_IRQ(3)
static void (*const irq_handlers[XHCI_MAX_HCS])(struct trap_frame *) = {
	xhci_irq0, xhci_irq1, xhci_irq2, xhci_irq3,
};

/* Without MSI or MSI-X: the event ring read from the tick every
 * POLL_NS (interrupts off there, as in the handler). */
static void poll_fire(struct ktimer *t)
{
	struct xhci *hc = (struct xhci *)((char *)t - offsetof(struct xhci, poll_timer));
	uint64_t flags = spin_lock_irqsave(&hc->lock);

	xhci_consume_events(hc, 0, 0, NULL);
	spin_unlock_irqrestore(&hc->lock, flags);
	ktimer_arm(t, time_ns() + POLL_NS);
}

static void start_polling(struct xhci *hc, int err)
{
	uint64_t flags = spin_lock_irqsave(&hc->lock);

	hc->irq_on = true;
	hc->poll_timer.fire = poll_fire;
	ktimer_arm(&hc->poll_timer, time_ns() + POLL_NS);
	spin_unlock_irqrestore(&hc->lock, flags);
	klog(LOG_WARN, "xhci: no MSI or MSI-X (error %d); events polled from the timer tick\n", err);
}

/* Ports whose change bits are still set once interrupts are on: a device
 * plugged in (or pulled out) while the probe ran, after it looked at the
 * port. The probe acknowledged the changes of the ports it attached;
 * these go to the hot-plug thread. Interrupts off, hc->lock held. */
static void note_pending_ports(struct xhci *hc)
{
	for (unsigned p = 1; p <= hc->max_ports; p++)
		if (op_read(hc, OP_PORTSC(p)) & PORT_CHANGES)
			xhci_hotplug_note(hc, p);
}

/* Interrupts from here on: MSI-X or MSI on a vector of the driver's
 * (polling from the tick without either). Events that came before are
 * consumed under the lock once enabled. */
static void enable_interrupts(struct xhci *hc, unsigned n)
{
	int v = pci_msi_enable(hc->pci, irq_handlers[n]);

	if (v < 0) {
		start_polling(hc, v);
	} else {
		uint64_t flags = spin_lock_irqsave(&hc->lock);
		hc->irq_on = true;
		mmio_write32(ir0(hc, IR_IMAN), IMAN_IE | IMAN_IP);
		op_write(hc, OP_USBCMD, op_read(hc, OP_USBCMD) | CMD_INTE);
		xhci_consume_events(hc, 0, 0, NULL);
		spin_unlock_irqrestore(&hc->lock, flags);
		klog(LOG_INFO, "xhci: interrupts on vector %d (%s)\n", v, hc->pci->msix_on ? "MSI-X" : "MSI");
	}
	uint64_t flags = spin_lock_irqsave(&hc->lock);
	note_pending_ports(hc);
	spin_unlock_irqrestore(&hc->lock, flags);
}

/* The whole bring-up; NULL, or which step failed. */
static const char *start(struct xhci *hc)
{
	const char *why = read_caps(hc);

	if (why)
		return why;
	hc->on_transfer = xhci_transfer_event;
	hc->on_port = xhci_hotplug_note;
	bios_handoff(hc);
	if ((why = halt_and_reset(hc)) || (why = setup_dcbaa(hc)) || (why = setup_rings(hc)))
		return why;
	return run_and_attach(hc);
}

/* Halts a controller that cannot be driven, removes what was attached
 * and frees every page: the entry is free again. */
static void decline(struct xhci *hc, struct pci_dev *d)
{
	if (hc->op) {
		op_write(hc, OP_USBCMD, 0);
		xhci_op_wait(hc, OP_USBSTS, STS_HCH, STS_HCH, HALT_TIMEOUT_MS);
	}
	uint64_t f = irq_save();
	for (unsigned i = 0; i < XHCI_MAX_DEVS; i++) {
		struct xhci_dev *u = &hc->devs[i];
		if (u->used && !u->parent) {
			u->slot = 0;           /* halted: no command to send */
			xhci_dev_remove(u);
		}
	}
	irq_restore(f);
	pci_disable_device(d);
	xhci_free_pages(hc);
	memset(hc, 0, sizeof(*hc));
}

/* A free entry of xhci_hcs (its index in *n), or NULL. */
static struct xhci *new_hc(unsigned *n)
{
	for (unsigned i = 0; i < XHCI_MAX_HCS; i++) {
		if (!xhci_hcs[i].pci) {
			*n = i;
			return &xhci_hcs[i];
		}
	}
	return NULL;
}

int xhci_probe(struct pci_dev *d)
{
	unsigned n;
	struct xhci *hc = new_hc(&n);

	if (!hc) {
		klog(LOG_INFO, "xhci: %02x:%02x.%u found; only %u controllers are driven\n", d->bus, d->dev, d->fn,
		     XHCI_MAX_HCS);
		return -EBUSY;
	}
	pci_enable_device(d);
	hc->cap = pci_map_bar(d, XHCI_BAR);
	hc->bar_size = d->bars[XHCI_BAR].size;
	if (!hc->cap) {
		klog(LOG_INFO, "xhci: %02x:%02x.%u: BAR 0 cannot be mapped\n", d->bus, d->dev, d->fn);
		pci_disable_device(d);
		memset(hc, 0, sizeof(*hc));
		return -ENODEV;
	}
	hc->pci = d;
	hc->bus = n + 1;
	hc->lock = (struct spinlock)SPINLOCK_INIT;
	uint32_t cap = mmio_read32(hc->cap + CAP_LENGTH);
	klog(LOG_INFO, "xhci: %02x:%02x.%u found (HCI version %x.%02x, %u ports, %lu KiB of registers), usb bus %u\n",
	     d->bus, d->dev, d->fn, cap >> (HCIVERSION_SHIFT + 8), (cap >> HCIVERSION_SHIFT) & BYTE_MASK,
	     HCS1_PORTS(mmio_read32(hc->cap + CAP_HCSPARAMS1)), hc->bar_size / 1024, hc->bus);
	const char *why = start(hc);
	if (why) {
		klog(LOG_WARN, "xhci: %02x:%02x.%u declined: %s\n", d->bus, d->dev, d->fn, why);
		decline(hc, d);
		return -ENODEV;
	}
	if (!xhci_hotplug_init())
		klog(LOG_WARN, "xhci: no hot-plug thread; devices plugged in later are not seen\n");
	enable_interrupts(hc, n);
	return 0;
}
