/* SPDX-License-Identifier: MIT */
/* Linux's memfd_create flags (include/uapi/linux/memfd.h). */
#ifndef KESTREL_UAPI_MEMFD_H
#define KESTREL_UAPI_MEMFD_H

#define MFD_CLOEXEC       0x0001u
#define MFD_ALLOW_SEALING 0x0002u
#define MFD_HUGETLB       0x0004u
#define MFD_NOEXEC_SEAL   0x0008u  /* mode 0666 and F_SEAL_EXEC; implies MFD_ALLOW_SEALING */
#define MFD_EXEC          0x0010u

#define MFD_NAME_PREFIX   "memfd:"
#define MFD_NAME_MAX      249      /* NAME_MAX - strlen(MFD_NAME_PREFIX) */

#endif
