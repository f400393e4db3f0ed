/* SPDX-License-Identifier: MIT */
/* Linux's extended-attribute flags and limits (include/uapi/linux/xattr.h, limits.h). */
#ifndef KESTREL_UAPI_XATTR_H
#define KESTREL_UAPI_XATTR_H

#define XATTR_CREATE   0x1      /* set: fail if the attribute exists */
#define XATTR_REPLACE  0x2      /* set: fail if it does not */
#define XATTR_NAME_MAX 255      /* bytes in a name, without the NUL */
#define XATTR_SIZE_MAX 65536    /* bytes in a value */

#endif
