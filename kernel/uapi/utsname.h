/* SPDX-License-Identifier: MIT */
/* Linux's include/uapi/linux/utsname.h: the length of uname(2)'s names. */
#ifndef KESTREL_UAPI_UTSNAME_H
#define KESTREL_UAPI_UTSNAME_H

/* __NEW_UTS_LEN: a name holds at most this many bytes; each of struct
 * new_utsname's six fields is one longer, for the terminating NUL. */
#define UTS_NAME_LEN 64
#define UTS_FIELD_LEN (UTS_NAME_LEN + 1)

#endif
