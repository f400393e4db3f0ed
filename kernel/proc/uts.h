/* SPDX-License-Identifier: MIT */
/* The machine's names uname(2) reports that can change: the host name and the NIS domain name. */
#ifndef KESTREL_PROC_UTS_H
#define KESTREL_PROC_UTS_H

#include <stddef.h>
#include "uapi/utsname.h"

/*
 * The names that do not change: uname(2)'s sysname, release and version,
 * and /proc/version's. The release names the Linux ABI Kestrel implements, in Linux's form:
 * programs and tests (glibc, gVisor's) compare it with the version that
 * brought a call or changed a behaviour (MAP_FIXED_NOREPLACE 4.17,
 * clone3 5.3, close_range 5.9, epoll_pwait2 5.11, eventfd writes of
 * exactly 8 bytes 6.9) and take old paths, or expect old answers, below
 * it. Kestrel follows current Linux (the 6.12 long-term release and
 * later, as its conformance tests are run against); a call it lacks is
 * ENOSYS, as on a kernel configured without it. "-kestrel" says whose
 * kernel it is, as distributions' suffixes do. sysname is "Linux", as
 * gVisor's and WSL 1's are: programs and build scripts decide by it
 * (config.guess, CMake's CMAKE_SYSTEM_NAME, Python's platform.system())
 * which kernel's ABI they talk to, and that is Linux's. The version says
 * whose kernel this is (the kernel's own version is in the boot banner).
 */
#define UTS_SYSNAME "Linux"
#define UTS_RELEASE "6.12.0-kestrel"
#define UTS_VERSION "#1 SMP Kestrel"

enum uts_field { UTS_HOSTNAME, UTS_DOMAINNAME };

/* Copy field's value (NUL-padded to UTS_FIELD_LEN bytes) into out.
 * Any context but an interrupt handler; takes uts_lock. */
void uts_get(enum uts_field field, char out[UTS_FIELD_LEN]);

/* Make field the len bytes at name (len <= UTS_NAME_LEN, checked by the
 * caller; embedded NULs are kept, as Linux's sethostname keeps them),
 * NUL-padding the rest. Takes uts_lock. */
void uts_set(enum uts_field field, const char *name, size_t len);

#endif
