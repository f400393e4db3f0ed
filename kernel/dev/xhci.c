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
 * without either, a 10 ms kernel timer does the same.
 * Any failure of the controller itself halts it, frees everything and
 * declines the function: the boot goes on without USB.
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

#define hc xhci_hc

/* ---------------------------------------------------------------- bring-up */

/* Takes the controller from the firmware: sets the OS-owned semaphore,
 * waits for the BIOS-owned one to drop (forcing it after the timeout,
 * as Linux does), and turns the SMIs off. The extended-capability walk
 * stays inside the BAR and stops after XCAP_MAX entries. */
static void bios_handoff(void)
{
	uint32_t off = HCC1_XECP(mmio_read32(hc.cap + CAP_HCCPARAMS1)) * 4;

	for (unsigned n = 0; off && off + 8 <= hc.bar_size && n < XCAP_MAX; n++) {
		volatile uint8_t *x = hc.cap + off;
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
static const char *halt_and_reset(void)
{
	op_write(OP_USBCMD, op_read(OP_USBCMD) & ~(CMD_RUN | CMD_INTE));
	if (!xhci_op_wait(OP_USBSTS, STS_HCH, STS_HCH, HALT_TIMEOUT_MS))
		return "it does not halt";
	op_write(OP_USBCMD, CMD_HCRST);
	if (!xhci_op_wait(OP_USBCMD, CMD_HCRST, 0, RESET_TIMEOUT_MS) ||
	    !xhci_op_wait(OP_USBSTS, STS_CNR, 0, RESET_TIMEOUT_MS))
		return "it does not come out of reset";
	return NULL;
}

/* The device context base address array, with the scratchpad array
 * in entry 0 when the controller asks for scratchpad pages. */
static const char *setup_dcbaa(void)
{
	uint32_t p2 = mmio_read32(hc.cap + CAP_HCSPARAMS2);
	unsigned nscratch = HCS2_SPB_HI(p2) << 5 | HCS2_SPB_LO(p2);

	if (!(op_read(OP_PAGESIZE) & PAGESIZE_4K))
		return "no 4 KiB page size";
	if (nscratch > XHCI_MAX_SCRATCH)
		return "it wants too many scratchpad pages";
	hc.dcbaa = xhci_page();
	if (!hc.dcbaa)
		return "out of memory";
	if (nscratch) {
		uint64_t *array = xhci_page();
		if (!array)
			return "out of memory";
		for (unsigned i = 0; i < nscratch; i++) {
			void *pg = xhci_page();
			if (!pg)
				return "out of memory";
			array[i] = xhci_phys(pg);
		}
		hc.dcbaa[0] = xhci_phys(array);
	}
	op_write(OP_CONFIG, hc.max_slots);
	op_write64(OP_DCBAAP, xhci_phys(hc.dcbaa));
	return NULL;
}

/* The command ring and interrupter 0's event ring (one segment). */
static const char *setup_rings(void)
{
	uint64_t *erst;

	if (!xhci_ring_init(&hc.cmd) || !(hc.evt = xhci_page()) || !(erst = xhci_page()))
		return "out of memory";
	op_write64(OP_CRCR, hc.cmd.phys | CRCR_RCS);
	hc.evt_phys = xhci_phys(hc.evt);
	hc.evt_deq = 0;
	hc.evt_cycle = TRB_CYCLE;
	erst[0] = hc.evt_phys;
	erst[1] = RING_TRBS;       /* segment size in TRBs; the rest reserved */
	mmio_write32(ir0(IR_ERSTSZ), 1);
	ir_write64(IR_ERDP, hc.evt_phys);
	ir_write64(IR_ERSTBA, xhci_phys(erst));
	mmio_write32(ir0(IR_IMOD), IMOD_250US);
	return NULL;
}

/* Reads the capability registers; NULL or why they make no sense. */
static const char *read_caps(void)
{
	uint32_t len = mmio_read32(hc.cap + CAP_LENGTH) & BYTE_MASK;
	uint32_t p1 = mmio_read32(hc.cap + CAP_HCSPARAMS1);
	uint32_t c1 = mmio_read32(hc.cap + CAP_HCCPARAMS1);
	uint32_t db = mmio_read32(hc.cap + CAP_DBOFF) & DBOFF_MASK;
	uint32_t rt = mmio_read32(hc.cap + CAP_RTSOFF) & RTSOFF_MASK;

	hc.max_ports = HCS1_PORTS(p1);
	hc.max_slots = HCS1_SLOTS(p1) < XHCI_MAX_SLOTS ? HCS1_SLOTS(p1) : XHCI_MAX_SLOTS;
	hc.ctx_size = c1 & HCC1_CSZ ? 64 : 32;
	hc.ac64 = c1 & HCC1_AC64;
	if (!len || len + OP_PORTSC(hc.max_ports + 1) > hc.bar_size || db >= hc.bar_size ||
	    rt + RT_IR0 + 0x20 > hc.bar_size || !hc.max_slots)
		return "its registers do not fit its BAR";
	hc.op = hc.cap + len;
	hc.db = hc.cap + db;
	hc.rt = hc.cap + rt;
	return NULL;
}

/* Runs the controller and attaches what is connected: ports report a
 * device within CONNECT_WAIT_MS of running, so a machine with nothing
 * plugged in waits that long and no more. */
static const char *run_and_attach(void)
{
	op_write(OP_USBCMD, CMD_RUN);
	if (!xhci_op_wait(OP_USBSTS, STS_HCH, 0, HALT_TIMEOUT_MS))
		return "it does not run";
	uint64_t end = tsc_deadline_ms(CONNECT_WAIT_MS);
	bool any = false;
	while (!any && !tsc_deadline_passed(end)) {
		for (unsigned p = 1; p <= hc.max_ports; p++)
			any |= op_read(OP_PORTSC(p)) & PORT_CCS;
		cpu_pause();
	}
	if (any)
		xhci_delay_ms(CONNECT_SETTLE_MS);
	for (unsigned p = 1; p <= hc.max_ports && !hc.dead; p++)
		if (op_read(OP_PORTSC(p)) & PORT_CCS)
			xhci_port_attach(p);
	return hc.dead ? "a command timed out" : NULL;
}

static void xhci_irq(struct trap_frame *tf)
{
	(void)tf;
	uint64_t flags = spin_lock_irqsave(&hc.lock);
	op_write(OP_USBSTS, STS_EINT);
	mmio_write32(ir0(IR_IMAN), IMAN_IE | IMAN_IP);
	xhci_consume_events(0, 0, NULL);
	spin_unlock_irqrestore(&hc.lock, flags);
}

/* Without MSI or MSI-X: the event ring read from the tick every
 * POLL_NS (interrupts off there, as in the handler). */
static struct ktimer poll_timer;

static void poll_fire(struct ktimer *t)
{
	uint64_t flags = spin_lock_irqsave(&hc.lock);
	xhci_consume_events(0, 0, NULL);
	spin_unlock_irqrestore(&hc.lock, flags);
	ktimer_arm(t, time_ns() + POLL_NS);
}

static void start_polling(int err)
{
	uint64_t flags = spin_lock_irqsave(&hc.lock);

	hc.irq_on = true;
	poll_timer.fire = poll_fire;
	ktimer_arm(&poll_timer, time_ns() + POLL_NS);
	spin_unlock_irqrestore(&hc.lock, flags);
	klog(LOG_WARN, "xhci: no MSI or MSI-X (error %d); events polled from the timer tick\n", err);
}

/* Interrupts from here on: MSI-X or MSI on a vector of the driver's
 * (polling from the tick without either). Events that came before are
 * consumed under the lock once enabled. */
static void enable_interrupts(void)
{
	int v = pci_msi_enable(hc.pci, xhci_irq);

	if (v < 0) {
		start_polling(v);
		return;
	}
	uint64_t flags = spin_lock_irqsave(&hc.lock);
	hc.irq_on = true;
	mmio_write32(ir0(IR_IMAN), IMAN_IE | IMAN_IP);
	op_write(OP_USBCMD, op_read(OP_USBCMD) | CMD_INTE);
	xhci_consume_events(0, 0, NULL);
	spin_unlock_irqrestore(&hc.lock, flags);
	klog(LOG_INFO, "xhci: interrupts on vector %d (%s)\n", v, hc.pci->msix_on ? "MSI-X" : "MSI");
}

/* The whole bring-up; NULL, or which step failed. */
static const char *start(void)
{
	const char *why = read_caps();

	if (why)
		return why;
	hc.on_transfer = xhci_transfer_event;
	bios_handoff();
	if ((why = halt_and_reset()) || (why = setup_dcbaa()) || (why = setup_rings()))
		return why;
	return run_and_attach();
}

static void decline(struct pci_dev *d)
{
	if (hc.op) {
		op_write(OP_USBCMD, 0);
		xhci_op_wait(OP_USBSTS, STS_HCH, STS_HCH, HALT_TIMEOUT_MS);
	}
	pci_disable_device(d);
	xhci_free_pages();
	memset(&hc, 0, sizeof(hc));
}

int xhci_probe(struct pci_dev *d)
{
	if (hc.pci) {
		klog(LOG_INFO, "xhci: %02x:%02x.%u found; only one controller is driven\n", d->bus, d->dev, d->fn);
		return -EBUSY;
	}
	pci_enable_device(d);
	hc.cap = pci_map_bar(d, XHCI_BAR);
	hc.bar_size = d->bars[XHCI_BAR].size;
	if (!hc.cap) {
		klog(LOG_INFO, "xhci: %02x:%02x.%u: BAR 0 cannot be mapped\n", d->bus, d->dev, d->fn);
		pci_disable_device(d);
		return -ENODEV;
	}
	hc.pci = d;
	uint32_t cap = mmio_read32(hc.cap + CAP_LENGTH);
	klog(LOG_INFO, "xhci: %02x:%02x.%u found (HCI version %x.%02x, %u ports, %lu KiB of registers)\n",
	     d->bus, d->dev, d->fn, cap >> (HCIVERSION_SHIFT + 8), (cap >> HCIVERSION_SHIFT) & BYTE_MASK,
	     HCS1_PORTS(mmio_read32(hc.cap + CAP_HCSPARAMS1)), hc.bar_size / 1024);
	const char *why = start();
	if (why) {
		klog(LOG_WARN, "xhci: %02x:%02x.%u declined: %s\n", d->bus, d->dev, d->fn, why);
		decline(d);
		return -ENODEV;
	}
	enable_interrupts();
	return 0;
}
