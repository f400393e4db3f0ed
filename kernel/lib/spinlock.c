// SPDX-License-Identifier: MIT
/* Kestrel: the hook through which the lock-order checker (debug builds
 * only) hears of every spinlock (lib/spinlock.h). */
#include "lib/spinlock.h"

#ifdef KESTREL_LOCKCHECK
const struct spinlock_check *volatile spinlock_check;
#endif
