/* SPDX-License-Identifier: MIT */
/* Linux's mount flags. */
#ifndef KESTREL_UAPI_MOUNT_H
#define KESTREL_UAPI_MOUNT_H

#define MS_RDONLY  1u
#define MS_REMOUNT 32u
#define MS_BIND    0x1000u
#define MS_MOVE    0x2000u
#define MS_REC        0x4000u
#define MS_SILENT     0x8000u
#define MS_UNBINDABLE 0x20000u   /* the propagation types (shared subtrees) */
#define MS_PRIVATE    0x40000u
#define MS_SLAVE      0x80000u
#define MS_SHARED     0x100000u
#define MS_PROPAGATION (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED)

/* statfs's f_flags */
#define ST_RDONLY 1u
#define ST_VALID  0x20u

/* umount2's flags */
#define MNT_FORCE       1u
#define MNT_DETACH      2u
#define MNT_EXPIRE      4u
#define UMOUNT_NOFOLLOW 8u

#endif
