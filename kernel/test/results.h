/* SPDX-License-Identifier: MIT */
/* The self-test log saved on the EFI system partition, for whoever booted the stick. */
#ifndef KESTREL_TEST_RESULTS_H
#define KESTREL_TEST_RESULTS_H

/* Write the kernel log so far (the boot and every self-test line) to a
 * new file \kestrel\results\YYYY-MM-DD-bootN.log on the ESP mounted at
 * /boot/efi (N one more than the files already there) and sync it.
 * Logs where it went, or why not (no ESP, read-only, an error). */
void selftest_save_results(void);

#endif
