/* SPDX-License-Identifier: MIT */
/* The PS/2 keyboard behind an i8042 controller: probe, reset, and scan codes into the console input queue. */
#include "dev/ps2kbd.h"

#include <stdint.h>

#include "arch/x86_64/io.h"
#include "arch/x86_64/irq.h"
#include "firmware/acpi.h"
#include "dev/input.h"
#include "dev/keymap.h"
#include "time/time.h"
#include "lib/string.h"
#include "log.h"

/* The i8042's two ports. */
#define I8042_DATA    0x60
#define I8042_STATUS  0x64 /* read */
#define I8042_COMMAND 0x64 /* write */

#define STATUS_OUTPUT_FULL (1u << 0) /* a byte waits at I8042_DATA */
#define STATUS_INPUT_FULL  (1u << 1) /* the controller has not taken our last byte */
#define STATUS_AUX_DATA    (1u << 5) /* the waiting byte came from port 2 (a mouse) */
#define STATUS_NO_DEVICE   0xff      /* what an empty ISA bus reads as */

#define CMD_READ_CONFIG   0x20
#define CMD_WRITE_CONFIG  0x60
#define CMD_DISABLE_PORT2 0xa7
#define CMD_SELF_TEST     0xaa
#define CMD_TEST_PORT1    0xab
#define CMD_DISABLE_PORT1 0xad
#define CMD_ENABLE_PORT1  0xae

#define CONFIG_PORT1_IRQ       (1u << 0)
#define CONFIG_PORT2_IRQ       (1u << 1)
#define CONFIG_PORT1_CLOCK_OFF (1u << 4)
#define CONFIG_TRANSLATE       (1u << 6) /* set 2 from the keyboard becomes set 1 */

#define SELF_TEST_OK 0x55
#define PORT_TEST_OK 0x00

/* Keyboard commands and replies. */
#define KBD_RESET      0xff
#define KBD_ACK        0xfa
#define KBD_RESEND     0xfe
#define KBD_BAT_OK     0xaa /* basic assurance test passed */
#define KBD_BAT_FAIL_1 0xfc
#define KBD_BAT_FAIL_2 0xfd

/* The FADT's IA-PC boot architecture flags (ACPI 2.0+ FADT, revision
 * 3 and later; older FADTs have no such field, so no answer). */
#define FADT_BOOT_ARCH_OFFSET  109
#define FADT_BOOT_ARCH_MIN_REV 3
#define BOOT_ARCH_8042         (1u << 1)

/* Bounds on every wait, measured on the TSC (time/time.h: before time_init
 * too). A controller answers within a millisecond; a keyboard's
 * self-test after reset takes up to ~500 ms. */
#define CMD_TIMEOUT_MS   100
#define RESET_TIMEOUT_MS 1000
#define RESET_TRIES      3
#define RESET_REPLY_MAX  8   /* bytes read while waiting for ACK + BAT */
#define FLUSH_MAX        32  /* stale bytes thrown away at most */
#define DRAIN_MAX        32  /* bytes taken per interrupt at most */

static struct {
	bool present;
	uint8_t config;   /* the configuration byte last written */
	struct keymap km; /* used by ps2kbd_poll only, interrupts off */
} kbd;

/* ---- talking to the controller -------------------------------------------- */

/* Polls the status register until (status & mask) == want; false after
 * timeout_ms of TSC time. */
static bool ps2_wait(uint8_t mask, uint8_t want, uint32_t timeout_ms)
{
	uint64_t end = tsc_deadline_ms(timeout_ms);

	for (;;) {
		if ((inb(I8042_STATUS) & mask) == want)
			return true;
		if (tsc_deadline_passed(end))
			return false;
		io_wait();
	}
}

/* Writes a byte to a port once the controller has room for it. */
static bool ps2_write(uint16_t port, uint8_t v)
{
	if (!ps2_wait(STATUS_INPUT_FULL, 0, CMD_TIMEOUT_MS))
		return false;
	outb(port, v);
	return true;
}

/* The next byte from the controller or the keyboard, or -1 on timeout. */
static int ps2_read(uint32_t timeout_ms)
{
	if (!ps2_wait(STATUS_OUTPUT_FULL, STATUS_OUTPUT_FULL, timeout_ms))
		return -1;
	return inb(I8042_DATA);
}

/* A controller command that answers with one byte; -1 if it does not. */
static int ps2_query(uint8_t cmd)
{
	return ps2_write(I8042_COMMAND, cmd) ? ps2_read(CMD_TIMEOUT_MS) : -1;
}

static bool ps2_write_config(uint8_t config)
{
	return ps2_write(I8042_COMMAND, CMD_WRITE_CONFIG) && ps2_write(I8042_DATA, config);
}

/* Throws away anything already waiting (keys pressed during boot). */
static void ps2_flush(void)
{
	for (int i = 0; i < FLUSH_MAX && (inb(I8042_STATUS) & STATUS_OUTPUT_FULL); i++) {
		inb(I8042_DATA);
		io_wait();
	}
}

/* ---- bring-up ---------------------------------------------------------------- */

/* Why we believe there is no controller, or NULL if there may be one. */
static const char *controller_absent(void)
{
	const struct acpi_header *fadt = acpi_find("FACP");
	uint16_t boot_arch;

	if (fadt && fadt->revision >= FADT_BOOT_ARCH_MIN_REV &&
	    fadt->length >= FADT_BOOT_ARCH_OFFSET + sizeof(boot_arch)) {
		memcpy(&boot_arch, (const uint8_t *)fadt + FADT_BOOT_ARCH_OFFSET, sizeof(boot_arch));
		if (!(boot_arch & BOOT_ARCH_8042))
			return "the FADT says there is no 8042";
	}
	if (inb(I8042_STATUS) == STATUS_NO_DEVICE)
		return "nothing at port 0x64";
	return NULL;
}

/* Quiets both ports, sets the configuration (no interrupts, port 1's
 * clock on, translation on), and runs the controller's self-test and
 * port 1's interface test. Returns NULL or what failed. */
static const char *controller_init(void)
{
	int config;

	if (!ps2_write(I8042_COMMAND, CMD_DISABLE_PORT1) ||
	    !ps2_write(I8042_COMMAND, CMD_DISABLE_PORT2))
		return "it takes no commands";
	ps2_flush();
	config = ps2_query(CMD_READ_CONFIG);
	if (config < 0)
		return "no answer to read-config";
	kbd.config = (uint8_t)((config & ~(CONFIG_PORT1_IRQ | CONFIG_PORT2_IRQ |
	                                   CONFIG_PORT1_CLOCK_OFF)) | CONFIG_TRANSLATE);
	if (!ps2_write_config(kbd.config))
		return "write-config not taken";
	if (ps2_query(CMD_SELF_TEST) != SELF_TEST_OK)
		return "self-test failed";
	/* some controllers come out of the self-test with a reset configuration */
	if (!ps2_write_config(kbd.config))
		return "write-config not taken";
	if (ps2_query(CMD_TEST_PORT1) != PORT_TEST_OK)
		return "port 1 interface test failed";
	if (!ps2_write(I8042_COMMAND, CMD_ENABLE_PORT1))
		return "port 1 enable not taken";
	return NULL;
}

/* reset_replies' answer when the keyboard wants the command again. */
static const char resend[] = "the keyboard keeps asking for a resend";

/* Waits for the reset's ACK and self-test result, in either order (both
 * are seen in the wild). Returns NULL, resend, or what failed. */
static const char *reset_replies(void)
{
	bool ack = false, bat = false;

	for (int i = 0; i < RESET_REPLY_MAX && !(ack && bat); i++) {
		int b = ps2_read(RESET_TIMEOUT_MS);

		if (b < 0)
			return ack ? "no self-test result after reset" : "no answer to reset";
		if (b == KBD_ACK)
			ack = true;
		else if (b == KBD_BAT_OK)
			bat = true;
		else if (b == KBD_RESEND)
			return resend;
		else if (b == KBD_BAT_FAIL_1 || b == KBD_BAT_FAIL_2)
			return "keyboard self-test failed";
	}
	return ack && bat ? NULL : "unexpected bytes after reset";
}

/* Resets the keyboard on port 1; it comes back scanning, in set 2,
 * which the controller translates to set 1. */
static const char *keyboard_reset(void)
{
	const char *why = resend;

	for (int i = 0; i < RESET_TRIES && why == resend; i++) {
		if (!ps2_write(I8042_DATA, KBD_RESET))
			return "port 1 takes no bytes";
		why = reset_replies();
	}
	ps2_flush();
	return why;
}

bool ps2kbd_init(void)
{
	const char *why = controller_absent();

	kbd.present = false;
	keymap_init(&kbd.km);
	if (!why)
		why = controller_init();
	if (why) {
		klog(LOG_INFO, "ps2: no controller (%s)\n", why);
		return false;
	}
	why = keyboard_reset();
	if (why) {
		klog(LOG_INFO, "ps2: no keyboard (%s)\n", why);
		return false;
	}
	kbd.present = true;
	return true;
}

/* ---- input ------------------------------------------------------------------- */

void ps2kbd_poll(void)
{
	if (!kbd.present)
		return;
	for (int i = 0; i < DRAIN_MAX; i++) {
		uint8_t status = inb(I8042_STATUS);
		char out[KEYMAP_OUT_MAX];

		if (!(status & STATUS_OUTPUT_FULL))
			break;
		uint8_t code = inb(I8042_DATA);
		if (status & STATUS_AUX_DATA)
			continue; /* a mouse byte: port 2 is off, but be sure */
		size_t n = keymap_feed(&kbd.km, code, out);
		if (n)
			input_push(out, n);
	}
}

static void ps2kbd_irq(struct trap_frame *tf)
{
	(void)tf;
	ps2kbd_poll();
}

/* Route first, then let the controller raise the line: a byte already
 * waiting raises it at once and is not lost behind a masked pin. */
bool ps2kbd_irq_enable(void)
{
	if (!kbd.present || !irq_route_isa(PS2KBD_ISA_IRQ, ps2kbd_irq))
		return false;
	kbd.config |= CONFIG_PORT1_IRQ;
	if (!ps2_write_config(kbd.config)) {
		irq_unroute_isa(PS2KBD_ISA_IRQ);
		kbd.config &= (uint8_t)~CONFIG_PORT1_IRQ;
		return false;
	}
	return true;
}
