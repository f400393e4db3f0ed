// SPDX-License-Identifier: MIT
/*
 * Kestrel: USB hot-plug on the xHCI root ports. The interrupt handler
 * only records which root port changed (xhci_hotplug_note, from the
 * event ring's dispatch); this kernel thread ("usb-hotplug") looks at
 * each such port: a device that went is removed with everything below
 * it (xhci_dev_remove: driver stopped, slot disabled, pages freed), a
 * device that came is debounced, reset, addressed and bound
 * (xhci_port_attach). A hub's status-change endpoint reports its ports
 * the same way (xhci_hubs_service). That work polls the controller with
 * interrupts off, as the probe does (sleeping through its delays), and
 * so stays out of the interrupt handler. One thread serves every
 * controller, one port at a time.
 */
#include "dev/xhci.h"
#include "dev/xhci_hw.h"
#include "dev/usb_net.h"
#include "proc/sched.h"
#include "time/time.h"
#include "log.h"

#define DEBOUNCE_MS     100          /* USB 2.0 7.1.7.3, TATTDB: a new connection settles */
#define NS_PER_MS       1000000ull
#define PORT_WORD_BITS  64
#define HUB_CHANGE      0            /* ports_changed bit 0: a hub reported (xhci_hw.h) */

static struct thread *hotplug_thread;
static bool started;
static struct wait_queue hotplug_wq;

void xhci_hotplug_note(struct xhci *hc, unsigned port)
{
	hc->ports_changed[port / PORT_WORD_BITS] |= 1ull << (port % PORT_WORD_BITS);
	if (started)
		wake_all(&hotplug_wq);
}

/* The next root port some controller noted (its bit cleared), in *hcp
 * and *port; false when there is none. Interrupts off. */
static bool take_change(struct xhci **hcp, unsigned *port)
{
	for (unsigned i = 0; i < XHCI_MAX_HCS; i++) {
		struct xhci *hc = &xhci_hcs[i];
		if (!hc->pci || !hc->irq_on)
			continue;
		uint64_t g = spin_lock_irqsave(&hc->lock);
		for (unsigned w = 0; w < XHCI_MAX_PORTS / PORT_WORD_BITS; w++) {
			uint64_t bits = hc->ports_changed[w];
			if (!bits)
				continue;
			unsigned b = (unsigned)__builtin_ctzll(bits);
			hc->ports_changed[w] &= ~(1ull << b);
			spin_unlock_irqrestore(&hc->lock, g);
			*hcp = hc;
			*port = w * PORT_WORD_BITS + b;
			return true;
		}
		spin_unlock_irqrestore(&hc->lock, g);
	}
	return false;
}

/*
 * Acts on one root port (interrupts off): its change bits are
 * acknowledged; a device attached there whose connection dropped or
 * changed (CSC: pulled out and plugged in again) is removed, and a
 * device connected anew is attached. A change without a new connection
 * (our own reset's PRC, an enable change, an empty port's CSC after the
 * controller's reset) is nothing to do, so a device that failed to
 * attach is not retried until it is plugged in again.
 */
static void port_changed(struct xhci *hc, unsigned port)
{
	uint32_t sc = op_read(hc, OP_PORTSC(port));
	bool connected = sc & PORT_CCS;
	struct xhci_dev *u = xhci_root_dev(hc, port);

	bool gone = u && (!connected || (sc & PORT_CSC));
	bool came = connected && (sc & PORT_CSC);

	op_write(hc, OP_PORTSC(port), (sc & PORT_NEUTRAL) | (sc & PORT_CHANGES));
	if (!gone && !came)
		return;
	klog(LOG_INFO, "usb %u-%u: port change (connected %s)\n", hc->bus, port, connected ? "yes" : "no");
	if (u)
		xhci_dev_remove(u);
	if (connected && !hc->dead)
		xhci_port_attach(hc, port);
}

static void hotplug_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct xhci *hc;
		unsigned port;
		uint64_t f = irq_save();
		while (!take_change(&hc, &port))
			wait_on(&hotplug_wq, NO_DEADLINE);
		irq_restore(f);
		if (port == HUB_CHANGE) {
			f = irq_save();
			xhci_hubs_service(hc);
			irq_restore(f);
			usb_storage_reap();
			usb_net_reap();
			continue;
		}
		uint32_t sc = op_read(hc, OP_PORTSC(port));
		if ((sc & PORT_CSC) && (sc & PORT_CCS))
			sleep_until(time_ns() + DEBOUNCE_MS * NS_PER_MS);
		f = irq_save();
		port_changed(hc, port);
		irq_restore(f);
		usb_storage_reap();
		usb_net_reap();
	}
}

bool xhci_hotplug_init(void)
{
	if (!hotplug_thread)
		hotplug_thread = thread_create_kernel("usb-hotplug", hotplug_main, NULL);
	return hotplug_thread != NULL;
}

void xhci_hotplug_start(void)
{
	uint64_t f = irq_save();

	if (hotplug_thread && !started) {
		started = true;
		thread_make_runnable(hotplug_thread);
	}
	irq_restore(f);
}
