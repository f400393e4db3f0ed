/* SPDX-License-Identifier: MIT */
/* Linux's I/O priorities (include/uapi/linux/ioprio.h): a class in bits
 * 13-15, a level in bits 0-2 and hints in bits 3-12 of one value. */
#ifndef KESTREL_UAPI_IOPRIO_H
#define KESTREL_UAPI_IOPRIO_H

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_MASK  0x07
#define IOPRIO_LEVEL_MASK  0x07
#define IOPRIO_PRIO_CLASS(p) (((p) >> IOPRIO_CLASS_SHIFT) & IOPRIO_CLASS_MASK)
#define IOPRIO_PRIO_LEVEL(p) ((p) & IOPRIO_LEVEL_MASK)

#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT   1
#define IOPRIO_CLASS_BE   2
#define IOPRIO_CLASS_IDLE 3

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP    2
#define IOPRIO_WHO_USER    3

#define IOPRIO_DEFAULT 0   /* class NONE: the priority follows the nice value */

#endif
