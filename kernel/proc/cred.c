// SPDX-License-Identifier: MIT
/* Kestrel: credentials (root's capability sets, nice, dumpable) with Linux's rules. */
#include "proc/cred.h"
#include "uapi/prctl.h"
#include "lib/errno.h"

void cred_defaults(struct cred *c)
{
	c->cap_effective = CAP_FULL_SET;
	c->cap_permitted = CAP_FULL_SET;
	c->cap_inheritable = 0;
	c->nice = 0;
	c->dumpable = SUID_DUMP_USER;
}

void cred_exec(struct cred *c)
{
	c->cap_permitted = CAP_FULL_SET;
	c->cap_effective = CAP_FULL_SET;
	c->dumpable = SUID_DUMP_USER;
}

static bool subset(uint64_t a, uint64_t b)
{
	return (a & ~b) == 0;
}

/* Linux's cap_capset, with the bounding set full: the inheritable set
 * may only gain what is permitted (unless CAP_SETPCAP is effective),
 * permitted may only shrink, effective must stay within permitted. */
int cred_capset(struct cred *c, uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	bool setpcap = c->cap_effective & CAP_BIT(CAP_SETPCAP);

	effective &= CAP_FULL_SET;
	permitted &= CAP_FULL_SET;
	inheritable &= CAP_FULL_SET;
	if (!setpcap && !subset(inheritable, c->cap_inheritable | c->cap_permitted))
		return -EPERM;
	if (!subset(permitted, c->cap_permitted) || !subset(effective, permitted))
		return -EPERM;
	c->cap_effective = effective;
	c->cap_permitted = permitted;
	c->cap_inheritable = inheritable;
	return 0;
}

bool cred_capable(const struct cred *c, int cap)
{
	return cap >= 0 && cap <= CAP_LAST_CAP && (c->cap_effective & CAP_BIT(cap));
}
