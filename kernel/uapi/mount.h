/* SPDX-License-Identifier: MIT */
/* Linux's mount flags. */
#ifndef KESTREL_UAPI_MOUNT_H
#define KESTREL_UAPI_MOUNT_H

#define MS_RDONLY  1u
#define MS_REMOUNT 32u
#define MS_REC        0x4000u
#define MS_SILENT     0x8000u
#define MS_UNBINDABLE 0x20000u   /* the propagation types (shared subtrees) */
#define MS_PRIVATE    0x40000u
#define MS_SLAVE      0x80000u
#define MS_SHARED     0x100000u
#define MS_PROPAGATION (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED)

#endif
