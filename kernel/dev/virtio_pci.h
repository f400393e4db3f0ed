/* SPDX-License-Identifier: MIT */
/* The virtio 1.0 PCI modern transport (virtio 1.1, 4.1): the vendor capabilities, device status and reset, feature negotiation, split virtqueue setup with its MSI-X vector, the doorbell and the device configuration. */
#ifndef KESTREL_DEV_VIRTIO_PCI_H
#define KESTREL_DEV_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dev/pci.h"
#include "dev/virtq.h"

#define VIRTIO_PCI_VENDOR         0x1af4
#define VIRTIO_PCI_MODERN_BASE    0x1040  /* + the device type (5): a modern-only device */

/* Device status (2.1) */
#define VIRTIO_ST_ACKNOWLEDGE     1u
#define VIRTIO_ST_DRIVER          2u
#define VIRTIO_ST_DRIVER_OK       4u
#define VIRTIO_ST_FEATURES_OK     8u
#define VIRTIO_ST_NEEDS_RESET     0x40u
#define VIRTIO_ST_FAILED          0x80u

/* Device-independent feature bits (6) */
#define VIRTIO_F_RING_EVENT_IDX   (1ull << 29)
#define VIRTIO_F_VERSION_1        (1ull << 32)

#define VIRTIO_MSI_NO_VECTOR      0xffffu

/*
 * One virtio function on PCI. Lock rule: filled by the driver's probe
 * (boot, one thread) and fixed after. The common configuration's select
 * registers make the queue and feature calls stateful: they run at
 * probe only. What selects nothing (virtio_pci_cfg_read, _isr,
 * _config_generation, _status, _fail) may run any time after, from the
 * one thread the driver gives it.
 */
struct virtio_pci {
	struct pci_dev *pci;
	volatile uint8_t *common;       /* struct virtio_pci_common_cfg (4.1.4.3) */
	volatile uint8_t *isr;          /* the ISR status byte (4.1.4.5) */
	volatile uint8_t *devcfg;       /* the device-specific configuration */
	uint32_t devcfg_len;
	volatile uint8_t *notify_base;  /* the doorbells (4.1.4.4) */
	uint32_t notify_len, notify_mult;
	uint64_t features;              /* negotiated */
};

/* Find the common, notify, ISR and device-configuration capabilities of
 * vp->pci (set, its memory decoding on) and map their BARs: NULL,
 * or what is missing or malformed. */
const char *virtio_pci_find(struct virtio_pci *vp);
/* Reset the device (status 0, waiting for it to read back 0, measured by
 * the clock): false when it has not within VIRTIO_RESET_MS. A reset
 * device forgets its queues and stops all DMA. */
#define VIRTIO_RESET_MS 1000
bool virtio_pci_reset(struct virtio_pci *vp);
/* Find the capabilities, reset, then ACKNOWLEDGE and DRIVER (3.1.1 steps
 * 1-3): NULL, or which step failed. */
const char *virtio_pci_begin(struct virtio_pci *vp);

uint8_t virtio_pci_status(const struct virtio_pci *vp);
/* Add bits to the device status (which only ever grows until a reset). */
void virtio_pci_status_add(struct virtio_pci *vp, uint8_t bits);
/* Give up on the device: status FAILED. */
void virtio_pci_fail(struct virtio_pci *vp);

/* The 64 feature bits the device offers. */
uint64_t virtio_pci_device_features(struct virtio_pci *vp);
/* Accept the offered bits of wanted (VIRTIO_F_VERSION_1 required) and
 * set FEATURES_OK: NULL with vp->features set, or why not. */
const char *virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted);
/* Queues the device has. */
uint16_t virtio_pci_num_queues(struct virtio_pci *vp);

/* Allocate queue index with the device's size capped at max_size (a
 * power of two), tell the device where its rings are and find its
 * doorbell: NULL, or why not (q is left freed). Not enabled yet. */
const char *virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t index, struct virtq *q, uint16_t max_size);
/* Route queue index's interrupts to MSI-X table entry (or
 * VIRTIO_MSI_NO_VECTOR): false when the device does not take it. */
bool virtio_pci_queue_vector(struct virtio_pci *vp, uint16_t index, uint16_t entry);
/* The same for configuration-change interrupts. */
bool virtio_pci_config_vector(struct virtio_pci *vp, uint16_t entry);
/* The device may use queue index from now on. */
void virtio_pci_queue_enable(struct virtio_pci *vp, uint16_t index);

/* len (1, 2, 4 or 8) bytes of the device configuration at off, read
 * consistently (the generation count the same before and after, 4.1.4.3.1):
 * true, or false when off + len is beyond it or it never held still. */
#define VIRTIO_CFG_STABLE_MS 10
bool virtio_pci_cfg_read(struct virtio_pci *vp, uint32_t off, unsigned len, uint64_t *val);
/* The configuration's generation count: it changes whenever the device
 * configuration does (4.1.4.3). */
uint8_t virtio_pci_config_generation(struct virtio_pci *vp);
/* Read (so acknowledge) the ISR status: bit 0 a queue, bit 1 the
 * configuration changed. Only without MSI-X (4.1.4.5). */
#define VIRTIO_ISR_QUEUE  1u
#define VIRTIO_ISR_CONFIG 2u
uint8_t virtio_pci_isr(struct virtio_pci *vp);

#endif
