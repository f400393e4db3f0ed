// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_INET6's routing-table requests (net/dev_ioctl.h), as Linux
 * 6.1's inet6_ioctl hands SIOCADDRT and SIOCDELRT to ipv6_route_ioctl:
 * a struct in6_rtmsg made into a route (rtmsg_to_fib6_config), added as
 * ip6_route_add adds one without netlink's flags (a route of the same
 * destination, metric, device and gateway is -EEXIST), or deleted as
 * ip6_route_del finds one. What route(8) of net-tools sends.
 *
 * Lock rule: none of its own; addrconf.c locks the table.
 */
#include "net/dev_ioctl.h"
#include "net/ipv6.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/netlink.h"
#include "uapi/route.h"
#include "uapi/rtnetlink.h"
#include "uapi/sockios.h"
#include "uapi/time.h"

#define IPV6_PREFIX_MAX 128
#define NS_PER_USER_HZ (1000000000ull / USER_HZ)

/* The route m asks for (rtmsg_to_fib6_config, then ip6_route_info_create's
 * checks of the request itself): 0, or -EINVAL for a per-CPU or cached
 * route, a type past RTN_MAX, a prefix over 128 or a source route (no
 * IPV6_SUBTREES, as a kernel built without them); -EOPNOTSUPP for a
 * reject route, which Kestrel's table has not. The destination is masked
 * to its prefix; metric 0 stays 0 (a delete's "any"). */
static int route_of(const struct in6_rtmsg *m, struct ipv6_route *r)
{
	memset(r, 0, sizeof(*r));
	if ((m->rtmsg_flags & (RTF_PCPU | RTF_CACHE)) || m->rtmsg_type > RTN_MAX ||
	    m->rtmsg_dst_len > IPV6_PREFIX_MAX || m->rtmsg_src_len)
		return -EINVAL;
	if (m->rtmsg_flags & RTF_REJECT)
		return -EOPNOTSUPP;
	memcpy(r->dst.b, m->rtmsg_dst, sizeof(r->dst.b));
	in6_prefix_mask(&r->dst, (uint8_t)m->rtmsg_dst_len);
	r->prefix = (uint8_t)m->rtmsg_dst_len;
	if (m->rtmsg_flags & RTF_GATEWAY)
		memcpy(r->gateway.b, m->rtmsg_gateway, sizeof(r->gateway.b));
	r->ifindex = m->rtmsg_ifindex;
	r->metric = m->rtmsg_metric;
	if ((m->rtmsg_flags & RTF_EXPIRES) && m->rtmsg_info)
		r->expires = time_ns() + m->rtmsg_info * NS_PER_USER_HZ;
	return 0;
}

long dev_ioctl_inet6_route(unsigned long req, uptr_t arg)
{
	struct in6_rtmsg m;
	struct ipv6_route r;
	const char *why = NULL;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	int err = route_of(&m, &r);
	if (err)
		return err;
	bool gateway = m.rtmsg_flags & RTF_GATEWAY;
	if (req == SIOCDELRT)
		return ipv6_route_user_del(&r, gateway);
	if ((err = ipv6_route_user_check(&r, gateway, &why)))
		return err;
	if (!r.metric) /* ip6_route_info_create's */
		r.metric = IP6_RT_PRIO_USER;
	r.protocol = RTPROT_BOOT;
	return ipv6_route_user_add(&r, NLM_F_CREATE);
}
