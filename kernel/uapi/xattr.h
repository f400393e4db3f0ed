/* SPDX-License-Identifier: MIT */
/* Linux's extended-attribute flags and limits (include/uapi/linux/xattr.h, limits.h). */
#ifndef KESTREL_UAPI_XATTR_H
#define KESTREL_UAPI_XATTR_H

#define XATTR_CREATE   0x1      /* set: fail if the attribute exists */
#define XATTR_REPLACE  0x2      /* set: fail if it does not */
#define XATTR_NAME_MAX 255      /* bytes in a name, without the NUL */
#define XATTR_SIZE_MAX 65536    /* bytes in a value */
#define XATTR_LIST_MAX 65536    /* bytes of names a list hands back */

/* The namespaces, by the prefix of the name (include/uapi/linux/xattr.h). */
#define XATTR_SECURITY_PREFIX     "security."
#define XATTR_SECURITY_PREFIX_LEN (sizeof(XATTR_SECURITY_PREFIX) - 1)
#define XATTR_SYSTEM_PREFIX       "system."
#define XATTR_SYSTEM_PREFIX_LEN   (sizeof(XATTR_SYSTEM_PREFIX) - 1)
#define XATTR_TRUSTED_PREFIX      "trusted."
#define XATTR_TRUSTED_PREFIX_LEN  (sizeof(XATTR_TRUSTED_PREFIX) - 1)
#define XATTR_USER_PREFIX         "user."
#define XATTR_USER_PREFIX_LEN     (sizeof(XATTR_USER_PREFIX) - 1)

#endif
