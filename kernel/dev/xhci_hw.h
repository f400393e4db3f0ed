/* SPDX-License-Identifier: MIT */
/* xHCI 1.2 register, TRB and context layouts, and the driver's shared state: private to dev/xhci*.c. */
#ifndef KESTREL_DEV_XHCI_HW_H
#define KESTREL_DEV_XHCI_HW_H

#include <stdbool.h>
#include <stdint.h>
#include "dev/pci.h"
#include "dev/usbkbd.h"
#include "lib/spinlock.h"
#include "proc/ktimer.h"
#include "mm/mmio.h"

/* Capability registers (5.3), at the start of BAR 0. */
#define CAP_LENGTH          0x00   /* CAPLENGTH (8 bits), HCIVERSION (16 bits at 0x02) */
#define CAP_HCSPARAMS1      0x04
#define CAP_HCSPARAMS2      0x08
#define CAP_HCCPARAMS1      0x10
#define CAP_DBOFF           0x14
#define CAP_RTSOFF          0x18
#define HCIVERSION_SHIFT    16
#define HCS1_SLOTS(v)       ((v) & 0xffu)
#define HCS1_PORTS(v)       ((v) >> 24)
#define HCS2_SPB_HI(v)      (((v) >> 21) & 0x1fu)
#define HCS2_SPB_LO(v)      ((v) >> 27)
#define HCC1_AC64           (1u << 0)
#define HCC1_CSZ            (1u << 2)  /* 64-byte contexts */
#define HCC1_XECP(v)        ((v) >> 16) /* in dwords from the BAR's start */
#define DBOFF_MASK          ~0x3u
#define RTSOFF_MASK         ~0x1fu

/* Extended capabilities (7): USB legacy support (7.1). */
#define XCAP_ID(v)          ((v) & 0xffu)
#define XCAP_NEXT(v)        (((v) >> 8) & 0xffu)
#define XCAP_LEGACY         1
#define LEGSUP_BIOS_OWNED   (1u << 16)
#define LEGSUP_OS_OWNED     (1u << 24)
#define LEGCTL              4
#define LEGCTL_KEEP         ((0x7u << 1) | (0xffu << 5) | (0x7u << 17)) /* reserved bits; the SMI enables are the rest */
#define LEGCTL_SMI_EVENTS   (0x7u << 29) /* write 1 to clear */
#define XCAP_MAX            64

/* Operational registers (5.4), at CAPLENGTH. */
#define OP_USBCMD           0x00
#define OP_USBSTS           0x04
#define OP_PAGESIZE         0x08
#define OP_CRCR             0x18
#define OP_DCBAAP           0x30
#define OP_CONFIG           0x38
#define OP_PORTSC(n)        (0x400 + 0x10 * ((n) - 1))   /* ports count from 1 */
#define CMD_RUN             (1u << 0)
#define CMD_HCRST           (1u << 1)
#define CMD_INTE            (1u << 2)
#define STS_HCH             (1u << 0)
#define STS_EINT            (1u << 3)
#define STS_CNR             (1u << 11)
#define CRCR_RCS            (1u << 0)
#define PAGESIZE_4K         (1u << 0)

/* PORTSC (5.4.8). */
#define PORT_CCS            (1u << 0)
#define PORT_PED            (1u << 1)
#define PORT_PR             (1u << 4)
#define PORT_PP             (1u << 9)
#define PORT_SPEED(v)       (((v) >> 10) & 0xfu)
#define PORT_CSC            (1u << 17)
#define PORT_PRC            (1u << 21)
#define PORT_CHANGES        (0x7fu << 17) /* CSC..CEC: write 1 to clear */
/* Bits written back as read without effect (Linux's PORT_RO | PORT_RWS):
 * everything else is either write-1-to-clear or a command. */
#define PORT_NEUTRAL        ((1u << 0) | (1u << 3) | (0xfu << 10) | (1u << 30) | \
			     (0xfu << 5) | (1u << 9) | (0x3u << 14) | (0x7u << 25))
#define SPEED_FULL          1
#define SPEED_LOW           2
#define SPEED_HIGH          3
#define SPEED_SUPER         4

/* Runtime registers (5.5): interrupter 0. */
#define RT_IR0              0x20
#define IR_IMAN             0x00
#define IR_IMOD             0x04
#define IR_ERSTSZ           0x08
#define IR_ERSTBA           0x10
#define IR_ERDP             0x18
#define IMAN_IP             (1u << 0)
#define IMAN_IE             (1u << 1)
#define ERDP_EHB            (1u << 3)
#define IMOD_250US          1000     /* in 250 ns units */

/* TRBs (6.4). */
struct trb {
	uint64_t param;
	uint32_t status;
	uint32_t control;
};
#define TRB_CYCLE           (1u << 0)
#define TRB_TC              (1u << 1)   /* link: toggle cycle */
#define TRB_ISP             (1u << 2)
#define TRB_CH              (1u << 4)   /* chain: the TD goes on in the next TRB */
#define TRB_IOC             (1u << 5)
#define TRB_IDT             (1u << 6)
#define TRB_TYPE(t)         ((uint32_t)(t) << 10)
#define TRB_GET_TYPE(c)     (((c) >> 10) & 0x3fu)
#define TRB_DIR_IN          (1u << 16)
#define TRB_TRT_SHIFT       16
#define TRT_NONE            0
#define TRT_OUT             2
#define TRT_IN              3
#define TRB_SLOT(s)         ((uint32_t)(s) << 24)
#define TRB_GET_SLOT(c)     ((c) >> 24)
#define TRB_GET_EP(c)       (((c) >> 16) & 0x1fu)
#define TRB_CC(s)           ((s) >> 24)
#define TRB_LEN(s)          ((s) & 0xffffffu)
#define TRB_TD_SIZE_SHIFT   17          /* packets left in the TD after this TRB (4.11.2.4) */
#define TRB_TD_SIZE_MAX     31
#define TRB_MAX_LEN         65536u      /* a TRB's buffer never crosses a 64 KiB boundary */
#define TRB_DEQ_SHIFT       16          /* Set TR Dequeue Pointer: the endpoint's DCI */
#define EVT_PORT(p)         ((unsigned)((p) >> 24) & 0xffu)

#define TRB_NORMAL          1
#define TRB_SETUP           2
#define TRB_DATA            3
#define TRB_STATUS          4
#define TRB_LINK            6
#define TRB_ENABLE_SLOT     9
#define TRB_DISABLE_SLOT    10
#define TRB_ADDRESS_DEVICE  11
#define TRB_CONFIGURE_EP    12
#define TRB_EVALUATE_CTX    13
#define TRB_RESET_EP        14
#define TRB_STOP_EP         15
#define TRB_SET_TR_DEQ      16
#define TRB_EV_TRANSFER     32
#define TRB_EV_COMMAND      33
#define TRB_EV_PORT         34

#define CC_SUCCESS          1
#define CC_STALL            6
#define CC_SHORT_PACKET     13

/* Contexts (6.2): 32 or 64 bytes each, as HCCPARAMS1.CSZ says. */
#define CTX_INPUT_CONTROL   0           /* in an input context; the rest shift by one */
#define ICC_DROP            0
#define ICC_ADD             1
#define SLOT_SPEED_SHIFT    20
#define SLOT_ENTRIES_SHIFT  27
#define SLOT_PORT_SHIFT     16
#define SLOT_HUB            (1u << 26)
#define SLOT_NPORTS_SHIFT   24
#define SLOT_TT_PORT_SHIFT  8
#define EP_INTERVAL_SHIFT   16
#define EP_CERR_SHIFT       1
#define EP_TYPE_SHIFT       3
#define EP_MAXP_SHIFT       16
#define EP_CERR_MAX         3
#define EP_TYPE_CONTROL     4
#define EP_TYPE_INT_IN      7
#define EP_TYPE_BULK_OUT    2
#define EP_TYPE_BULK_IN     6
#define EP_MAXBURST_SHIFT   8
#define EP_AVG_TRB_BULK     3072        /* 4.14.1.1: bulk endpoints */
#define EP_STATE_MASK       0x7u        /* output endpoint context dword 0 */
#define EP_STATE_RUNNING    1
#define EP_STATE_HALTED     2
#define EP_STATE_STOPPED    3
#define EP_ESIT_SHIFT       16
#define DCI_EP0             1

#define XHCI_PAGE           4096u
#define RING_TRBS           (XHCI_PAGE / sizeof(struct trb))   /* one page, the last a link */
#define XHCI_MAX_HCS        4           /* controllers driven */
#define XHCI_MAX_SLOTS      16
#define XHCI_MAX_DEVS       8
#define XHCI_MAX_PAGES      (8 + 64)    /* a controller's own: DCBAA, rings, ERST, scratchpad */
#define XHCI_DEV_PAGES      24          /* a device's: contexts, buffer, rings (a disk: 6, a USB NIC: 23) */
#define XHCI_MAX_SCRATCH    64
#define XHCI_MAX_PORTS      256         /* MaxPorts is 8 bits */

/* A producer ring: command or transfer. */
struct xhci_ring {
	struct trb *trbs;
	uint64_t phys;
	unsigned enq;
	uint32_t cycle;
};

struct xhci;

/*
 * One device: on a root port, or behind hubs (route). An entry is free
 * when !used. Lock rule: the hot-plug thread (xhci_hotplug.c) fills and
 * frees entries, with interrupts off, so the interrupt handler never sees
 * one half made: it looks only at entries with a slot and a driver bound.
 */
struct xhci_dev {
	struct xhci *hc;              /* its controller */
	bool used;
	struct xhci_dev *parent;      /* the hub it hangs from; NULL on a root port */
	uint8_t slot, port, speed, int_dci;   /* port: the root port it hangs from */
	uint8_t parent_port;          /* its port on the parent hub, or its root port */
	uint32_t route;               /* route string: hub ports below the root, 4 bits a tier */
	uint8_t depth;                /* hubs between it and the root port */
	uint8_t tt_slot, tt_port;     /* a low/full-speed device's high-speed hub and port */
	uint8_t hub_ports;            /* a hub: its downstream ports; 0 otherwise */
	char name[24];                /* "1-3.2": bus, root port, hub ports */
	uint8_t leds;                 /* the LED bits last sent */
	bool led_busy;                /* a SET_REPORT is on endpoint 0's ring */
	bool kbd;                     /* bound to the keyboard driver */
	bool hub_watch;               /* a hub whose status-change endpoint (intr, int_dci) is polled */
	uint16_t hub_changes;         /* its ports (bit n) that reported a change, for the hot-plug thread */
	struct usb_msc *msc;          /* bound to the mass storage driver (dev/usb_storage.c) */
	struct usb_net *net;          /* bound to the USB Ethernet driver (dev/usb_net.c) */
	uint8_t *in_ctx, *out_ctx;
	uint8_t *buf;                 /* one page: descriptors, reports */
	struct xhci_ring ep0, intr;
	struct usbkbd keys;
	void *pages[XHCI_DEV_PAGES];  /* every page of the device's (xhci_dev_page), freed when it goes */
	unsigned npages;
};

/*
 * One controller. Lock rule: written by xhci_probe alone until it enables the
 * interrupter; from then on lock (taken with interrupts off) guards the
 * event ring, the rings, devs[] and ports_changed: the interrupt
 * handler, the hot-plug thread and the disks' worker are their users,
 * one at a time (the kernel lock, interrupts off).
 */
struct xhci {
	struct pci_dev *pci;
	unsigned bus;                 /* 1, 2...: the bus number of device names */
	volatile uint8_t *cap, *op, *rt, *db;
	uint64_t bar_size;
	unsigned max_slots, max_ports, ctx_size;
	bool ac64, irq_on;
	bool dead;                    /* a command timed out: the probe gives up */
	uint64_t *dcbaa;
	struct xhci_ring cmd;
	struct trb *evt;
	uint64_t evt_phys;
	unsigned evt_deq;
	uint32_t evt_cycle;
	void *pages[XHCI_MAX_PAGES];
	unsigned npages;
	struct xhci_dev devs[XHCI_MAX_DEVS];
	/* root ports (bit n) the hot-plug thread must look at; bit 0 (no
	 * port has that number): a hub's status-change endpoint reported */
	uint64_t ports_changed[XHCI_MAX_PORTS / 64];
	void (*on_transfer)(struct xhci *hc, const struct trb *ev); /* set by the probe: xhci_transfer_event */
	void (*on_port)(struct xhci *hc, unsigned port); /* set by the probe: xhci_hotplug_note */
	struct ktimer poll_timer;     /* without MSI or MSI-X: the event ring read from the tick */
	struct spinlock lock;
};

extern struct xhci xhci_hcs[XHCI_MAX_HCS];

/* Register access: operational registers and interrupter 0. A 64-bit
 * register is written low half first (QEMU acts on the high one). */
static inline uint32_t op_read(struct xhci *hc, unsigned off) { return mmio_read32(hc->op + off); }
static inline void op_write(struct xhci *hc, unsigned off, uint32_t v) { mmio_write32(hc->op + off, v); }
static inline void op_write64(struct xhci *hc, unsigned off, uint64_t v)
{
	op_write(hc, off, (uint32_t)v);
	op_write(hc, off + 4, (uint32_t)(v >> 32));
}
static inline volatile uint8_t *ir0(struct xhci *hc, unsigned off) { return hc->rt + RT_IR0 + off; }
static inline void ir_write64(struct xhci *hc, unsigned off, uint64_t v)
{
	mmio_write32(ir0(hc, off), (uint32_t)v);
	mmio_write32(ir0(hc, off) + 4, (uint32_t)(v >> 32));
}

/* xhci_ring.c: memory, rings, events. */
void *xhci_page(struct xhci *hc);      /* a zeroed page of the controller's (recorded), or NULL */
void *xhci_dev_page(struct xhci_dev *u); /* the same, recorded in u (freed by xhci_dev_free_pages) */
uint64_t xhci_phys(const void *p);
void xhci_free_pages(struct xhci *hc); /* every page xhci_page gave */
void xhci_dev_free_pages(struct xhci_dev *u);
/* r on page (from xhci_page or xhci_dev_page); false if page is NULL. */
bool xhci_ring_init(struct xhci_ring *r, void *page);
/* Writes one TRB (cycle bit last) and steps over the link TRB; returns its address. */
uint64_t xhci_ring_push(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control);
void xhci_ring_doorbell(struct xhci *hc, unsigned slot, unsigned target);
/* Polls an operational register until (v & mask) == want; false after timeout_ms. */
bool xhci_op_wait(struct xhci *hc, unsigned off, uint32_t mask, uint32_t want, uint32_t timeout_ms);
void xhci_delay_ms(uint32_t ms);
/*
 * Consumes the events the controller has written, oldest first. The
 * first one matching (type, match) is copied to *found and ends the pass
 * (match: the command TRB's address for a completion, slot << 8 | dci
 * for a transfer); the others are dispatched (transfers to
 * hc->on_transfer, port changes to hc->on_port once interrupts are on:
 * the hot-plug thread's). Returns whether found was filled. Bounded.
 * Caller: hc->lock held (interrupts off).
 */
bool xhci_consume_events(struct xhci *hc, unsigned type, uint64_t match, struct trb *found);
int xhci_command(struct xhci *hc, uint64_t param, uint32_t control, uint32_t timeout_ms, uint8_t *slot_out);
int xhci_wait_transfer(struct xhci *hc, unsigned slot, unsigned dci, uint64_t trb, uint32_t timeout_ms,
		       uint32_t *status);

/* xhci_dev.c: devices on the root ports and hubs (probe context, or the
 * hot-plug thread with interrupts off), and the transfer events of their
 * interrupt endpoints (hc->on_transfer). */
void xhci_port_attach(struct xhci *hc, unsigned port);
void xhci_transfer_event(struct xhci *hc, const struct trb *ev);
/* The hubs of hc whose status-change endpoint reported (hub_changes):
 * each such port's status read, a device gone removed, a device new
 * reset and attached; then the endpoint polled again. The hot-plug
 * thread, interrupts off. */
void xhci_hubs_service(struct xhci *hc);
/* The entry of the device on root port port (not behind a hub), or NULL. */
struct xhci_dev *xhci_root_dev(struct xhci *hc, unsigned port);
/* Unbinds u and everything below it (a hub's devices first): the
 * keyboard stops, a disk is given up (dev/usb_storage.c), the slot is
 * disabled and every page freed; the entries become free. Interrupts
 * off, not from the interrupt handler (it polls for commands). */
void xhci_dev_remove(struct xhci_dev *u);

/* xhci_hotplug.c: the thread that handles root port changes. */
/* Created at the first probe (boot context); false if it cannot be. */
bool xhci_hotplug_init(void);
/* A root port of hc changed (hc->lock held, interrupts off: the
 * interrupt handler's dispatch): recorded, the thread woken. */
void xhci_hotplug_note(struct xhci *hc, unsigned port);

/* xhci_ctl.c: contexts and endpoint 0, for xhci_dev.c and class drivers. */
/* A fresh input context: only the control context's add flags set. */
void xhci_in_ctx_reset(struct xhci_dev *u, uint32_t add);
/* The input slot context from u's fields, with entries contexts. */
void xhci_slot_ctx(struct xhci_dev *u, unsigned entries);
/* The input context of a control or interrupt endpoint dci on ring r. */
void xhci_ep_ctx(struct xhci_dev *u, unsigned dci, unsigned type, unsigned maxp, unsigned interval,
		 const struct xhci_ring *r);
/* Queues SETUP, DATA (len bytes at u->buf + off, if any) and STATUS on
 * endpoint 0 and rings; returns the STATUS TRB's address (not waited). */
uint64_t xhci_control_queue(struct xhci_dev *u, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
			    uint16_t len, unsigned off);
/* One control transfer on u's endpoint 0 with len bytes of data at
 * u->buf, polled (probe context, or interrupts off): 0 or -errno. */
int xhci_control(struct xhci_dev *u, uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint16_t len);
/* A bulk or interrupt IN endpoint for xhci_configure_eps. */
struct xhci_ep_cfg {
	uint8_t dci, type;            /* EP_TYPE_BULK_IN, _OUT or EP_TYPE_INT_IN */
	uint16_t max_packet;
	uint8_t max_burst;            /* SuperSpeed bMaxBurst; 0 otherwise */
	const struct xhci_ring *ring;
	uint8_t interval;             /* EP_TYPE_INT_IN: xhci_interval's exponent */
};
/* xHCI's interval exponent (6.2.3.6) for an endpoint's bInterval b on
 * a device of that speed (xhci_ctl.c). */
unsigned xhci_interval(unsigned speed, unsigned b);
/* Configure Endpoint adding n endpoints: 0 or -errno (polled). */
int xhci_configure_eps(struct xhci_dev *u, const struct xhci_ep_cfg *eps, unsigned n);
/* Brings endpoint dci of u back to a stopped, empty ring (xHCI 4.6.8,
 * 4.6.9, 4.6.10): Stop Endpoint if it runs, Reset Endpoint if it halted,
 * then Set TR Dequeue Pointer to r's enqueue position. Whatever was
 * queued is dropped. Polled: probe context or interrupts off. 0 or -errno. */
int xhci_ep_restart(struct xhci_dev *u, unsigned dci, struct xhci_ring *r);

/* usb_storage.c: a mass storage interface of u (probe context), the
 * transfer events of its endpoints (hc->lock held, interrupts off), and
 * its removal (interrupts off: every request from then on is -EIO, the
 * device's pages are no longer touched, u->msc is cleared). */
struct usb_config_info;
struct usb_iface_info;
const char *usb_storage_probe(struct xhci_dev *u, const struct usb_config_info *c,
			      const struct usb_iface_info *i);
void usb_storage_event(struct xhci_dev *u, const struct trb *ev);
void usb_storage_gone(struct xhci_dev *u);
/* The cached pages of the disks pulled out given back to memory (the
 * block cache's, clean ones: a gone disk is never read again). The
 * hot-plug thread, interrupts on (it sleeps). */
void usb_storage_reap(void);

#endif
