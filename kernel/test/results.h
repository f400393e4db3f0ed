/* SPDX-License-Identifier: MIT */
/* The self-test log saved on the EFI system partition, for whoever booted the stick. */
#ifndef KESTREL_TEST_RESULTS_H
#define KESTREL_TEST_RESULTS_H

/* Write the kernel log so far (the boot and every self-test line) to a
 * new file \kestrel\results\YYYY-MM-DD-bootN.log on the ESP mounted at
 * /boot/efi (N one more than the files already there) and sync it.
 * Logs where it went, or why not (no ESP, read-only, an error). */
void selftest_save_results(void);

/* A self-test (in-kernel or /etc/selftest) failed: keep its name for
 * the summary. Names past the summary's room are counted, not kept. */
void selftest_note_failure(const char *name);

/* Write the run's summary to the non-volatile EFI variable
 * KestrelSelftest (the Kestrel vendor GUID, efi_rt.h; attributes
 * NV+BS+RT, so Linux's efivarfs shows it as
 * /sys/firmware/efi/efivars/KestrelSelftest-ad421c44-26a7-4265-a255-88bc8b88ac25),
 * as one line of ASCII text: "N passed, N failed[: NAME NAME...]; ran
 * YYYY-MM-DD HH:MM:SS UTC, N ms into the boot". Logs where it went, or
 * why not (no runtime services, an error). */
void selftest_save_summary(int passed, int failed);

/* Log the summary the previous run left in KestrelSelftest
 * ("selftest: last run: ..."), if the firmware has one. */
void selftest_log_last_run(void);

#endif
