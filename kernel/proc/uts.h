/* SPDX-License-Identifier: MIT */
/* The machine's names uname(2) reports that can change: the host name and the NIS domain name. */
#ifndef KESTREL_PROC_UTS_H
#define KESTREL_PROC_UTS_H

#include <stddef.h>
#include "uapi/utsname.h"

enum uts_field { UTS_HOSTNAME, UTS_DOMAINNAME };

/* Copy field's value (NUL-padded to UTS_FIELD_LEN bytes) into out.
 * Any context but an interrupt handler; takes uts_lock. */
void uts_get(enum uts_field field, char out[UTS_FIELD_LEN]);

/* Make field the len bytes at name (len <= UTS_NAME_LEN, checked by the
 * caller; embedded NULs are kept, as Linux's sethostname keeps them),
 * NUL-padding the rest. Takes uts_lock. */
void uts_set(enum uts_field field, const char *name, size_t len);

#endif
