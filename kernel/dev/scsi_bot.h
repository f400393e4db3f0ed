/* SPDX-License-Identifier: MIT */
/* SCSI commands over USB Bulk-Only Transport (USB MSC BOT 1.0, SPC-4, SBC-3): building CBWs and CDBs, checking CSWs, parsing INQUIRY, READ CAPACITY and sense data. Pure: the host tests build it. */
#ifndef KESTREL_DEV_SCSI_BOT_H
#define KESTREL_DEV_SCSI_BOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Mass storage interface (USB MSC overview 1.4): class, SCSI transparent, bulk-only. */
#define USB_CLASS_MASS_STORAGE  0x08
#define USB_MSC_SUBCLASS_SCSI   0x06
#define USB_MSC_PROTOCOL_BOT    0x50
/* Class requests (BOT 3.1, 3.2). */
#define USB_MSC_REQ_RESET       0xff
#define USB_MSC_REQ_GET_MAX_LUN 0xfe

/* Command and status wrappers (BOT 5.1, 5.2). */
#define BOT_CBW_SIZE            31
#define BOT_CSW_SIZE            13
#define BOT_CBW_SIGNATURE       0x43425355u   /* "USBC" */
#define BOT_CSW_SIGNATURE       0x53425355u   /* "USBS" */
#define BOT_CBW_DIR_IN          0x80
#define BOT_CDB_MAX             16
#define BOT_CSW_PASSED          0
#define BOT_CSW_FAILED          1
#define BOT_CSW_PHASE_ERROR     2

/* SCSI operation codes used. */
#define SCSI_TEST_UNIT_READY    0x00
#define SCSI_REQUEST_SENSE      0x03
#define SCSI_INQUIRY            0x12
#define SCSI_READ_CAPACITY10    0x25
#define SCSI_READ10             0x28
#define SCSI_WRITE10            0x2a
#define SCSI_SYNC_CACHE10       0x35
#define SCSI_READ16             0x88
#define SCSI_WRITE16            0x8a
#define SCSI_SERVICE_IN16       0x9e
#define SCSI_SAI_READ_CAP16     0x10

#define SCSI_INQUIRY_LEN        36
#define SCSI_SENSE_LEN          18
#define SCSI_CAP10_LEN          8
#define SCSI_CAP16_LEN          32
#define SCSI_CAP10_BIG          0xffffffffu   /* READ CAPACITY(10): ask (16) */
#define SCSI_RW10_MAX_LBA       0xffffffffull
#define SCSI_RW10_MAX_BLOCKS    0xffffu

/* Sense keys (SPC-4, 4.5.6) a driver acts on. */
#define SENSE_NO_SENSE          0x0
#define SENSE_NOT_READY         0x2
#define SENSE_UNIT_ATTENTION    0x6

/* What the CSW said, once it is known to be one (bot_check_csw). */
enum bot_csw_verdict {
	BOT_CSW_OK,                   /* passed; residue in *residue */
	BOT_CSW_CMD_FAILED,           /* command failed: REQUEST SENSE tells why */
	BOT_CSW_PHASE,                /* phase error: reset recovery */
	BOT_CSW_INVALID,              /* not a valid or meaningful CSW: reset recovery */
};

/* A command: its CDB, direction and length of the data phase. */
struct scsi_cmd {
	uint8_t cdb[BOT_CDB_MAX];
	uint8_t cdb_len;
	bool in;                      /* data from the device */
	uint32_t len;                 /* data phase bytes (0: none) */
};

struct scsi_inquiry {
	uint8_t peripheral_type;      /* 0: direct-access block device */
	bool removable;
	char vendor[9], product[17], revision[5];   /* trailing blanks removed */
};

struct scsi_capacity {
	uint64_t blocks;              /* last LBA + 1 */
	uint32_t block_size;
};

struct scsi_sense {
	uint8_t key, asc, ascq;
};

/* Fills the 31-byte CBW for c with tag and lun. */
void bot_build_cbw(uint8_t cbw[BOT_CBW_SIZE], const struct scsi_cmd *c, uint32_t tag, uint8_t lun);
/* Checks len bytes received as the CSW of the command with tag that
 * moved expected bytes: signature, size, tag, a status the spec knows,
 * a residue no larger than expected (BOT 6.3). */
enum bot_csw_verdict bot_check_csw(const uint8_t *buf, size_t len, uint32_t tag, uint32_t expected,
				   uint32_t *residue);

void scsi_cmd_test_unit_ready(struct scsi_cmd *c);
void scsi_cmd_request_sense(struct scsi_cmd *c);
void scsi_cmd_inquiry(struct scsi_cmd *c);
void scsi_cmd_read_capacity10(struct scsi_cmd *c);
void scsi_cmd_read_capacity16(struct scsi_cmd *c);
void scsi_cmd_sync_cache(struct scsi_cmd *c);
/* READ or WRITE of count blocks of block_size at lba: the (10) form
 * when lba and count fit, else the (16) form. */
void scsi_cmd_rw(struct scsi_cmd *c, bool write, uint64_t lba, uint32_t count, uint32_t block_size);

/* Parsers of the device's replies (len bytes actually received). Each
 * returns NULL, or why the bytes are not usable. */
const char *scsi_parse_inquiry(const uint8_t *buf, size_t len, struct scsi_inquiry *out);
/* READ CAPACITY(10); *need16 is set when the disk is too big for it. */
const char *scsi_parse_capacity10(const uint8_t *buf, size_t len, struct scsi_capacity *out, bool *need16);
const char *scsi_parse_capacity16(const uint8_t *buf, size_t len, struct scsi_capacity *out);
const char *scsi_parse_sense(const uint8_t *buf, size_t len, struct scsi_sense *out);

#endif
