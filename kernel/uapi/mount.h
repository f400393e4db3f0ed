/* SPDX-License-Identifier: MIT */
/* Linux's mount flags. */
#ifndef KESTREL_UAPI_MOUNT_H
#define KESTREL_UAPI_MOUNT_H

#define MS_RDONLY  1u
#define MS_REMOUNT 32u

#endif
