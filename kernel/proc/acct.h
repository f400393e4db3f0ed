/* SPDX-License-Identifier: MIT */
/* BSD process accounting (acct(2)): a struct acct_v3 record appended to the accounting file as each process ends, as Linux's kernel/acct.c with CONFIG_BSD_PROCESS_ACCT_V3. */
#ifndef KESTREL_PROC_ACCT_H
#define KESTREL_PROC_ACCT_H

struct process;

/* acct(path): accounting to the regular file at path (a kernel string),
 * opened O_WRONLY | O_APPEND as Linux's acct_on; NULL turns it off.
 * Either way the file in use before, if any, gets a record of the caller
 * first (as Linux's acct_pin_kill writes one) and is closed. 0, or the
 * open's error, -EACCES for anything but a regular file, -EIO for a file
 * that cannot be written. The caller checked CAP_SYS_PACCT. Kernel lock
 * held, interrupts on. */
int acct_set(const char *path);

/* p, the current process, ends with wait status wstatus: its record, if
 * accounting is on. Called by process_end with interrupts on, before the
 * address space goes; may sleep. */
void acct_process(struct process *p, int wstatus);

#endif
