// SPDX-License-Identifier: MIT
/*
 * Kestrel: the host name and NIS domain name (Linux's init_uts_ns
 * nodename and domainname): uname(2) reads them, sethostname(2) and
 * setdomainname(2) and /proc/sys/kernel/{hostname,domainname} write
 * them. Kestrel has one UTS namespace, the first. The defaults are
 * Linux's for a machine nobody named ("(none)" for the domain) except
 * the host name, Kestrel's own.
 */
#include "proc/uts.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define UTS_DEFAULT_HOSTNAME   "kestrel"
#define UTS_DEFAULT_DOMAINNAME "(none)"   /* Linux's UTS_DOMAINNAME */

/* uts_lock protects both names; held for a copy only. */
static struct spinlock uts_lock = SPINLOCK_INIT;
static char uts_names[2][UTS_FIELD_LEN] = {
	[UTS_HOSTNAME] = UTS_DEFAULT_HOSTNAME,
	[UTS_DOMAINNAME] = UTS_DEFAULT_DOMAINNAME,
};

void uts_get(enum uts_field field, char out[UTS_FIELD_LEN])
{
	uint64_t fl = spin_lock_irqsave(&uts_lock);

	memcpy(out, uts_names[field], UTS_FIELD_LEN);
	spin_unlock_irqrestore(&uts_lock, fl);
}

void uts_set(enum uts_field field, const char *name, size_t len)
{
	if (len > UTS_NAME_LEN)
		len = UTS_NAME_LEN;
	uint64_t fl = spin_lock_irqsave(&uts_lock);
	memcpy(uts_names[field], name, len);
	memset(uts_names[field] + len, 0, UTS_FIELD_LEN - len);
	spin_unlock_irqrestore(&uts_lock, fl);
}
