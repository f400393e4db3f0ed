/* SPDX-License-Identifier: MIT */
/* The PS/2 keyboard behind an i8042 controller: probe, reset, and scan codes into the console input queue. */
#ifndef KESTREL_DEV_PS2KBD_H
#define KESTREL_DEV_PS2KBD_H

#include <stdbool.h>

/* The keyboard's legacy interrupt line. */
#define PS2KBD_ISA_IRQ 1

/*
 * Finds and sets up the i8042 and the keyboard on its first port:
 * scan code set 1 (the controller translates), port 2 (a mouse) off,
 * no interrupts yet. Every wait is bounded, so a machine without a
 * controller (the FADT says so, or nothing answers) costs at most a
 * few hundred ms. Logs "ps2: ..." and returns false when there is no
 * usable keyboard. Call once, after time_init.
 */
bool ps2kbd_init(void);

/* Routes ISA IRQ 1 to the keyboard handler and turns on the port's
 * interrupt. False (and the keyboard stays polled) without a keyboard
 * or if the IRQ cannot be routed. */
bool ps2kbd_irq_enable(void);

/* Moves whatever the controller holds into the console input queue.
 * The interrupt handler's body; call it with interrupts off. */
void ps2kbd_poll(void);

#endif
