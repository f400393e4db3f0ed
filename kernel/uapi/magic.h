/* SPDX-License-Identifier: MIT */
/* Linux's statfs f_type values for the file systems Kestrel gives files on (include/uapi/linux/magic.h). */
#ifndef KESTREL_UAPI_MAGIC_H
#define KESTREL_UAPI_MAGIC_H

#define PIPEFS_MAGIC 0x50495045u   /* anonymous pipes */

#endif
