/* SPDX-License-Identifier: MIT */
/* Linux's native AIO (sys_aio.c): what the rest of the kernel calls. */
#ifndef KESTREL_SYS_SYS_AIO_H
#define KESTREL_SYS_SYS_AIO_H

struct process;

/* fs.aio-nr and fs.aio-max-nr, and the exit hook; boot time. */
void aio_init(void);
/* p's contexts go, without unmapping their pages (exec replaced the
 * address space, or the process is ending): its exit hook, and exec's. */
void aio_exit(struct process *p);

#endif
