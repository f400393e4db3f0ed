// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_NETLINK sockets (net/netlink.h), NETLINK_ROUTE alone, as
 * Linux 6.1's af_netlink.c. A netlink socket is an AF_UNIX socket
 * (net/unix_sock.h) with family AF_NETLINK and a struct sock_proto, as
 * AF_INET's are: its receive queue, waiting, MSG_PEEK/MSG_TRUNC,
 * SOL_SOCKET options and poll are AF_UNIX's; its port id, groups, flags
 * and dump live in a struct nl_sock (unix_sock's proto_priv).
 *
 * A send to the kernel (port id 0) is split into messages and each is
 * answered at once, before sendmsg returns, as Linux's rtnetlink answers
 * in the sender's context: a reply or an NLMSG_ERROR is one datagram on
 * the sender's own queue. A dump fills one datagram of up to
 * max(NLMSG_GOODSIZE, the largest receive seen) bytes with whole
 * messages; each receive that leaves the queue at most half full makes
 * the next, and the last is NLMSG_DONE (with the int error).
 *
 * The kernel's notifications (rtnetlink's: links up, down and their
 * carrier, IPv4 and IPv6 addresses and routes, neighbours, a device
 * unregistered) are
 * multicast: a copy for each socket that joined the message's group, as
 * Linux's netlink_broadcast.
 *
 * Lock rule: as AF_UNIX's (system calls on one CPU under the kernel
 * lock, never preempted): the bound list, the list of all sockets and
 * every nl_sock field change only in system calls; a notification is
 * sent from a kernel thread, which holds the kernel lock too.
 */
#include "net/netlink.h"
#include "net/ifstate.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/neigh.h"
#include "net/rtnetlink.h"
#include "net/unix_sock.h"

#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/socket.h"

#define SOCK_FLAGS      (SOCK_NONBLOCK | SOCK_CLOEXEC)
#define SKB_SHINFO      320      /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86_64 */
#define NLMSG_GOODSIZE  (4096 - SKB_SHINFO)  /* a dump's least batch (a page less the overhead) */
#define RECVMSG_LEN_MAX (32768 - SKB_SHINFO) /* the largest batch a big reader earns */
#define NL_SNDBUF_SLACK 32       /* a send is at most sndbuf - 32 bytes */
#define RTNL_GROUPS     36       /* RTNLGRP_MAX: the groups NETLINK_ADD_MEMBERSHIP knows */
#define AUTOBIND_ROVER  (-4097)  /* the negative port ids begin below -4096 */
#define AUTOBIND_SPREAD 0x10000000u /* ... at a start up to this far further down */
#define AUTOBIND_TRIES  65536    /* ids tried before -EADDRINUSE */

/* nl_sock flags (Linux's NETLINK_F_*), set by SOL_NETLINK options */
#define NL_F_PKTINFO   (1u << 0)
#define NL_F_BCAST_ERR (1u << 1)
#define NL_F_NO_ENOBUFS (1u << 2)
#define NL_F_ALL_NSID  (1u << 3)
#define NL_F_CAP_ACK   (1u << 4)
#define NL_F_EXT_ACK   (1u << 5)
#define NL_F_STRICT    (1u << 6)

/* A netlink socket's own state. Lock rule: the file header's. */
struct nl_sock {
	struct unix_sock *s;       /* its socket (not a reference: s owns this) */
	uint32_t portid;           /* its address once bound (0: not yet) */
	bool bound;
	uint64_t groups;           /* multicast groups joined (bit group - 1) */
	uint32_t dst_portid, dst_group; /* connect's */
	unsigned flags;            /* NL_F_* */
	size_t max_recvmsg_len;    /* the largest receive buffer seen (capped) */
	bool dumping;              /* a dump is running: the next batch comes after a receive */
	struct rtnl_dump dump;
	struct nl_sock *next;      /* the bound list */
	struct nl_sock *all_next;  /* every netlink socket (notifications') */
};

static struct nl_sock *bound_list;
static struct nl_sock *all_list;

static struct nl_sock *nl_of(const struct file *f)
{
	return unix_sock(f)->proto_priv;
}

/* ---- port ids ------------------------------------------------------------------------ */

static struct nl_sock *find_port(uint32_t portid)
{
	for (struct nl_sock *n = bound_list; n; n = n->next)
		if (n->portid == portid)
			return n;
	return NULL;
}

/* Linux's netlink_insert: portid becomes nl's. 0 or -EADDRINUSE. */
static int insert_port(struct nl_sock *nl, uint32_t portid)
{
	if (find_port(portid))
		return -EADDRINUSE;
	nl->portid = portid;
	nl->bound = true;
	nl->next = bound_list;
	bound_list = nl;
	return 0;
}

/* Linux's netlink_autobind: the process's id, or when that is taken a
 * negative one below -4096 (from a start the clock picks). 0 or -EADDRINUSE. */
static int autobind(struct nl_sock *nl)
{
	static int32_t rover;

	if (insert_port(nl, (uint32_t)current_process()->pid) == 0)
		return 0;
	if (!rover)
		rover = AUTOBIND_ROVER - (int32_t)(time_ns() % AUTOBIND_SPREAD);
	for (int tries = 0; tries < AUTOBIND_TRIES; tries++) {
		int32_t id = rover;
		rover = rover == INT32_MIN ? AUTOBIND_ROVER : rover - 1;
		if (insert_port(nl, (uint32_t)id) == 0)
			return 0;
	}
	return -EADDRINUSE;
}

/* ---- the receive queue --------------------------------------------------------------- */

/* What the queue holds (Linux's sk_rmem_alloc). */
static size_t rmem(const struct unix_sock *s)
{
	size_t n = 0;

	for (const struct unix_skb *skb = s->rq_head; skb; skb = skb->next)
		n += skb->truesize;
	return n;
}

/* A datagram of cap bytes to build an answer in (len set when queued). */
static struct unix_skb *answer_alloc(size_t cap, struct nl_buf *b)
{
	struct unix_skb *skb = unix_skb_alloc(cap);

	if (skb)
		*b = (struct nl_buf){ (uint8_t *)skb->data, 0, cap };
	return skb;
}

/* Queue b's bytes (skb's) on nl's socket. */
static void answer_queue(struct nl_sock *nl, struct unix_skb *skb, const struct nl_buf *b)
{
	skb->len = b->len;
	unix_skb_queue_anon(nl->s, skb);
}

/* Linux's netlink_unicast from the kernel: a full queue drops the answer
 * and the reader's next call learns ENOBUFS (unless NETLINK_NO_ENOBUFS).
 * 0 or -ENOBUFS, -ENOMEM. */
static int unicast(struct nl_sock *nl, const void *data, size_t len)
{
	struct unix_sock *s = nl->s;
	struct nl_buf b;

	if (rmem(s) > (size_t)s->rcvbuf) {
		if (!(nl->flags & NL_F_NO_ENOBUFS)) {
			s->err = ENOBUFS;
			unix_changed(s);
		}
		return -ENOBUFS;
	}
	struct unix_skb *skb = answer_alloc(len, &b);
	if (!skb)
		return -ENOMEM;
	memcpy(b.data, data, len);
	b.len = len;
	answer_queue(nl, skb, &b);
	return 0;
}

/* Linux's netlink_broadcast from the kernel: b's message to every socket
 * that joined group (1..RTNL_GROUPS), each a copy (a full queue drops
 * its copy and learns ENOBUFS, as unicast). */
static void broadcast(unsigned group, const struct nl_buf *b)
{
	uint64_t bit = 1ull << (group - 1);
	for (struct nl_sock *n = all_list; n; n = n->all_next)
		if ((n->groups & bit) && !n->s->dead)
			unicast(n, b->data, b->len);
}

/* ifstate's news of a device that goes: rtnetlink's deletions, multicast. */
static void dev_gone(const struct netdev *dev, const struct net_dev_gone *what)
{
	rtnl_notify_gone(dev, what, broadcast);
}

/* The request being handled (rtnl_rcv), whose port id and sequence
 * number its changes' notifications carry; zero between requests (the
 * kernel's own changes). Its type says which changes are its own: a
 * route's notification carries them for RTM_NEWROUTE/DELROUTE only (the
 * prefix route an RTM_NEWADDR brings is the kernel's, fib_magic's: 0
 * and 0). Lock rule: the file header's. */
static struct { uint32_t portid, seq; uint16_t type; } asking;

/* An IPv4 address came or went: RTM_NEWADDR or RTM_DELADDR, multicast. */
static void addr4_news(const struct ipv4_ifaddr *a, bool added)
{
	rtnl_notify_addr(a, added, asking.portid, asking.seq, broadcast);
}

/* An IPv4 route came or went: RTM_NEWROUTE or RTM_DELROUTE, multicast. */
static void route4_news(const struct ipv4_route *r, enum ipv4_route_event ev)
{
	bool own = asking.type == RTM_NEWROUTE || asking.type == RTM_DELROUTE;
	rtnl_notify_route(r, ev, own ? asking.portid : 0, own ? asking.seq : 0, broadcast);
}

/* A neighbour entry changed or went: RTM_NEWNEIGH or RTM_DELNEIGH,
 * multicast; a change an ip neigh request made carries its port id
 * (neigh_add and neigh_delete's __neigh_update), the removal never. */
static void neigh_news(bool v6, const struct neigh_info *n, bool gone)
{
	bool own = !gone && (asking.type == RTM_NEWNEIGH || asking.type == RTM_DELNEIGH);
	rtnl_notify_neigh(v6, n, gone, own ? asking.portid : 0, broadcast);
}

/* An IPv6 route came, was replaced or went: RTM_NEWROUTE or RTM_DELROUTE, multicast. */
static void route6_news(const struct ipv6_route *r, enum ipv6_route_event ev)
{
	bool own = asking.type == RTM_NEWROUTE || asking.type == RTM_DELROUTE;
	rtnl_notify_route6(r, ev, own ? asking.portid : 0, own ? asking.seq : 0, broadcast);
}

/* An IPv6 address came, changed or went: RTM_NEWADDR or RTM_DELADDR, multicast. */
static void addr6_news(const struct ipv6_ifaddr *a, bool added)
{
	rtnl_notify_addr6(a, added, broadcast);
}

/* A device went up or down, or its carrier changed: RTM_NEWLINK, multicast. */
static void link_news(const struct netdev *dev, enum net_link_event ev)
{
	(void)ev; /* each is the device's state now */
	rtnl_notify_link(dev, broadcast);
}

void netlink_init(void)
{
	net_dev_gone_listen(dev_gone);
	ipv4_addr_listen(addr4_news);
	ipv6_addr_listen(addr6_news);
	ipv4_route_listen(route4_news);
	ipv6_route_listen(route6_news);
	neigh_listen(neigh_news);
	net_link_listen(link_news);
}

/* The rtnl_reply sink of a request from nl: its answers are unicast to nl. */
struct nl_reply {
	struct rtnl_reply r;
	struct nl_sock *nl;
};

static int reply_send(struct rtnl_reply *r, const struct nl_buf *b)
{
	struct nl_reply *nr = (struct nl_reply *)r;

	return unicast(nr->nl, b->data, b->len);
}

/* NLMSG_ERROR for h (Linux's netlink_ack): the request copied unless
 * NETLINK_CAP_ACK, the extended acknowledgment with NETLINK_EXT_ACK. */
static void ack(struct nl_sock *nl, const struct nlmsghdr *h, int err, const struct nl_ext_ack *ext)
{
	const struct nl_ext_ack *x = (nl->flags & NL_F_EXT_ACK) && (ext->msg || ext->bad_attr) ? ext : NULL;
	bool capped = nl->flags & NL_F_CAP_ACK;
	size_t size = nl_error_size(h, err, capped, x);
	struct nl_buf b = { kmalloc(size), 0, size };

	if (!b.data)
		return;
	nl_put_error(&b, h, nl->portid, err, capped, x);
	unicast(nl, b.data, b.len);
	kfree(b.data);
}

/* ---- dumps ------------------------------------------------------------------------------ */

/* Linux's netlink_dump: the next batch of nl's dump on its queue, with
 * NLMSG_DONE after the last entry when it fits (else alone, next time).
 * 0, or -ENOBUFS (the queue is full), -ENOMEM. */
static int dump_next(struct nl_sock *nl)
{
	struct rtnl_dump *d = &nl->dump;
	size_t size = NLMSG_GOODSIZE, need = rtnl_dump_min_alloc(d);
	struct nl_buf b;

	if (rmem(nl->s) >= (size_t)nl->s->rcvbuf)
		return -ENOBUFS;
	if (need > size)
		size = need;
	if (nl->max_recvmsg_len > size)
		size = nl->max_recvmsg_len;
	struct unix_skb *skb = answer_alloc(size, &b);
	if (!skb)
		return -ENOMEM;
	long n = rtnl_dump_fill(d, &b);
	if (n > 0 || b.cap - b.len < NLMSG_SPACE(sizeof(int32_t))) {
		answer_queue(nl, skb, &b);
		return 0;
	}
	const struct nl_ext_ack *x = (nl->flags & NL_F_EXT_ACK) && d->ext.msg ? &d->ext : NULL;
	if (nl_put_done(&b, d->seq, d->pid, (uint16_t)(d->flags & ~NLM_F_MULTI), (int)n, x))
		nl_put_done(&b, d->seq, d->pid, (uint16_t)(d->flags & ~NLM_F_MULTI), (int)n, NULL);
	nl->dumping = false;
	answer_queue(nl, skb, &b);
	return 0;
}

/* netlink_dump_start: -EBUSY while another dump runs; else the first
 * batch is queued and -EINTR says "no acknowledgment", as Linux's. */
static int dump_start(struct nl_sock *nl, const struct rtnl_req *req, int err)
{
	if (nl->dumping)
		return -EBUSY;
	rtnl_dump_start(req, err, nl->portid, &nl->dump);
	nl->dumping = true;
	err = dump_next(nl);
	return err ? err : -EINTR;
}

/* ---- requests ------------------------------------------------------------------------- */

/* rtnetlink_rcv_msg: 0 (ack it if asked), -EINTR (a dump began: no ack),
 * or -errno for NLMSG_ERROR (ext says why). */
static int rtnl_rcv(struct nl_sock *nl, const struct nlmsghdr *h, struct nl_ext_ack *ext)
{
	struct rtnl_req req;
	int r = rtnl_classify(h, nl->flags & NL_F_STRICT, &req);

	if (r <= 0)
		return r;
	if ((h->nlmsg_type & RTM_KIND_MASK) != RTM_KIND_GET && !capable(CAP_NET_ADMIN))
		return -EPERM;
	int err = rtnl_parse(&req);
	if (req.dump && err != -EOPNOTSUPP)
		return dump_start(nl, &req, err);
	if (!err) {
		struct nl_reply rep = { { reply_send, nl->portid, current_cred()->uid }, nl };
		asking.portid = nl->portid;
		asking.seq = h->nlmsg_seq;
		asking.type = h->nlmsg_type;
		err = rtnl_doit(&req, &rep.r);
		asking.portid = asking.seq = 0;
		asking.type = 0;
	}
	*ext = req.ext;
	return err;
}

/* Linux's netlink_rcv_skb: each message of the send in turn; only
 * requests (NLM_F_REQUEST, a type past the control ones) reach
 * rtnetlink; each is acknowledged when it asks or fails. */
static void rcv_send(struct nl_sock *nl, const uint8_t *buf, size_t len)
{
	const struct nlmsghdr *h;
	size_t off = 0;

	while (nl_msg_next(buf, len, &off, &h)) {
		struct nl_ext_ack ext = { 0 };
		int err = 0;
		if ((h->nlmsg_flags & NLM_F_REQUEST) && h->nlmsg_type >= NLMSG_MIN_TYPE)
			err = rtnl_rcv(nl, h, &ext);
		if (err == -EINTR)
			continue;
		if ((h->nlmsg_flags & NLM_F_ACK) || err)
			ack(nl, h, err, &ext);
	}
}

/* ---- the socket's operations (struct sock_proto) ------------------------------------------- */

/* A struct sockaddr_nl of len bytes: 0, or -EINVAL (short, another family). */
static int addr_in(const struct sockaddr_un *a, size_t len, struct sockaddr_nl *nl)
{
	if (len < sizeof(*nl))
		return -EINVAL;
	memcpy(nl, a, sizeof(*nl));
	return nl->nl_family == AF_NETLINK ? 0 : -EINVAL;
}

/* Linux's netlink_bind: groups anyone may join on NETLINK_ROUTE; a bound
 * socket only repeats its own port id. */
static int nl_bind(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct nl_sock *nl = nl_of(f);
	struct sockaddr_nl addr;
	int err = addr_in(a, len, &addr);

	if (err)
		return err;
	if (nl->bound && addr.nl_pid != nl->portid)
		return -EINVAL;
	if (!nl->bound && (err = addr.nl_pid ? insert_port(nl, addr.nl_pid) : autobind(nl)))
		return err;
	nl->groups = (nl->groups & ~(uint64_t)0xffffffffu) | addr.nl_groups;
	return 0;
}

/* Linux's netlink_connect: the default destination (AF_UNSPEC: none);
 * another process or a group needs CAP_NET_ADMIN on NETLINK_ROUTE. */
static int nl_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct nl_sock *nl = nl_of(f);
	struct sockaddr_nl addr;

	if (len < sizeof(a->sun_family))
		return -EINVAL;
	if (a->sun_family == AF_UNSPEC) {
		nl->dst_portid = nl->dst_group = 0;
		return 0;
	}
	int err = addr_in(a, len, &addr);
	if (err)
		return err;
	if ((addr.nl_groups || addr.nl_pid) && !capable(CAP_NET_ADMIN))
		return -EPERM;
	if (!nl->bound && (err = autobind(nl)))
		return err;
	nl->dst_portid = addr.nl_pid;
	nl->dst_group = (uint32_t)__builtin_ffs((int)addr.nl_groups);
	return 0;
}

static int nl_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

static int nl_shutdown(struct file *f, int how)
{
	(void)f;
	(void)how;
	return -EOPNOTSUPP;
}

/* Linux's netlink_getname: the port id and first 32 groups, or (peer)
 * connect's destination; never -ENOTCONN. */
static int nl_getname(struct file *f, enum sock_name which, struct sockaddr_un *a, size_t *len)
{
	const struct nl_sock *nl = nl_of(f);
	struct sockaddr_nl addr = { AF_NETLINK, 0, nl->portid, (uint32_t)nl->groups };

	if (which != SOCK_NAME_OWN) {
		addr.nl_pid = nl->dst_portid;
		addr.nl_groups = nl->dst_group ? 1u << (nl->dst_group - 1) : 0;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a, &addr, sizeof(addr));
	*len = sizeof(addr);
	return 0;
}

/* Where a send goes (Linux's netlink_sendmsg): 0 and *dst, or -EINVAL, -EPERM. */
static int send_dest(struct nl_sock *nl, const struct sock_msg *m, uint32_t *dst, uint32_t *group)
{
	struct sockaddr_nl addr;

	*dst = nl->dst_portid;
	*group = nl->dst_group;
	if (!m->addrlen)
		return 0;
	int err = addr_in(&m->addr, m->addrlen, &addr);
	if (err)
		return err;
	*dst = addr.nl_pid;
	*group = (uint32_t)__builtin_ffs((int)addr.nl_groups);
	return (*dst || *group) && !capable(CAP_NET_ADMIN) ? -EPERM : 0;
}

/*
 * sendmsg: the whole send is one skb for the kernel, carried out before
 * returning; its length, or -EOPNOTSUPP (MSG_OOB), -ENODATA (empty),
 * -EINVAL (an address, or files), -EPERM, -EMSGSIZE (beyond the send
 * buffer), -ENOMEM, -EFAULT, -ECONNREFUSED (another socket's port id:
 * Kestrel delivers between processes nothing but the kernel's answers).
 */
static long nl_sendmsg(struct file *f, struct sock_msg *m, int flags)
{
	struct nl_sock *nl = nl_of(f);
	size_t len = unix_iov_total(m);
	uint32_t dst, group;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!len)
		return -ENODATA;
	if (m->nfds) {
		sock_msg_put_fds(m); /* SCM_RIGHTS is AF_UNIX's alone */
		return -EINVAL;
	}
	if ((err = send_dest(nl, m, &dst, &group)))
		return err;
	if (!nl->bound && (err = autobind(nl)))
		return err;
	if (len > (size_t)nl->s->sndbuf - NL_SNDBUF_SLACK)
		return -EMSGSIZE;
	if (dst)
		return -ECONNREFUSED;
	uint8_t *buf = kmalloc(len);
	if (!buf)
		return -ENOBUFS;
	if (unix_iov_copy_in(m, (char *)buf, len)) {
		kfree(buf);
		return -EFAULT;
	}
	rcv_send(nl, buf, len);
	kfree(buf);
	return (long)len;
}

/* recvmsg: one datagram (AF_UNIX's receive: waiting, MSG_PEEK,
 * MSG_TRUNC), from the kernel's port 0; then, as Linux's
 * netlink_recvmsg, the dump's next batch once the queue is half empty. */
static long nl_recvmsg(struct file *f, struct sock_msg *m, int flags)
{
	struct unix_sock *s = unix_sock(f);
	struct nl_sock *nl = s->proto_priv;
	size_t len = unix_iov_total(m);

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	long r = unix_dgram_recv(f, s, m, flags);
	if (r < 0)
		return r;
	struct sockaddr_nl from = { AF_NETLINK, 0, 0, 0 };
	memcpy(&m->addr, &from, sizeof(from));
	m->addrlen = sizeof(from);
	if (m->has_cred)
		m->cred = (struct ucred){ 0, 0, 0 }; /* the kernel's */
	if (len > nl->max_recvmsg_len)
		nl->max_recvmsg_len = len < RECVMSG_LEN_MAX ? len : RECVMSG_LEN_MAX;
	if (nl->dumping && rmem(s) <= (size_t)s->rcvbuf / 2) {
		int err = dump_next(nl);
		if (err) {
			s->err = -err;
			unix_changed(s);
		}
	}
	return r;
}

/* The socket's file closed: its port id goes, and its state. */
static void nl_release(struct unix_sock *s)
{
	struct nl_sock *nl = s->proto_priv;

	for (struct nl_sock **pp = &bound_list; *pp; pp = &(*pp)->next)
		if (*pp == nl) {
			*pp = nl->next;
			break;
		}
	for (struct nl_sock **pp = &all_list; *pp; pp = &(*pp)->all_next)
		if (*pp == nl) {
			*pp = nl->all_next;
			break;
		}
	s->proto_priv = NULL;
	kfree(nl);
}

/* ---- SOL_NETLINK options ------------------------------------------------------------ */

/* The flag an on/off option sets, or 0. */
static unsigned option_flag(int name)
{
	switch (name) {
	case NETLINK_PKTINFO:         return NL_F_PKTINFO;
	case NETLINK_BROADCAST_ERROR: return NL_F_BCAST_ERR;
	case NETLINK_NO_ENOBUFS:      return NL_F_NO_ENOBUFS;
	case NETLINK_LISTEN_ALL_NSID: return NL_F_ALL_NSID;
	case NETLINK_CAP_ACK:         return NL_F_CAP_ACK;
	case NETLINK_EXT_ACK:         return NL_F_EXT_ACK;
	case NETLINK_GET_STRICT_CHK:  return NL_F_STRICT;
	default:                      return 0;
	}
}

/* NETLINK_ADD_MEMBERSHIP / DROP_MEMBERSHIP: group 1..RTNL_GROUPS. */
static int membership(struct nl_sock *nl, int name, uint32_t group)
{
	if (!group || group - 1 >= RTNL_GROUPS)
		return -EINVAL;
	uint64_t bit = 1ull << (group - 1);
	nl->groups = name == NETLINK_ADD_MEMBERSHIP ? nl->groups | bit : nl->groups & ~bit;
	return 0;
}

/* Linux's netlink_setsockopt: 0, -ENOPROTOOPT, -EINVAL, -EPERM. */
static int nl_setsockopt(struct unix_sock *s, int level, int name, const void *val, size_t len)
{
	struct nl_sock *nl = s->proto_priv;
	uint32_t v = 0;

	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (len >= sizeof(v))
		memcpy(&v, val, sizeof(v));
	if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP)
		return membership(nl, name, v);
	unsigned bit = option_flag(name);
	if (!bit)
		return -ENOPROTOOPT;
	if (name == NETLINK_LISTEN_ALL_NSID && !capable(CAP_NET_BROADCAST))
		return -EPERM;
	nl->flags = v ? nl->flags | bit : nl->flags & ~bit;
	return 0;
}

/* Linux's netlink_getsockopt: 0 or -ENOPROTOOPT. */
static int nl_getsockopt(struct unix_sock *s, int level, int name, void *val, size_t *len)
{
	const struct nl_sock *nl = s->proto_priv;

	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (name == NETLINK_LIST_MEMBERSHIPS) {
		memcpy(val, &nl->groups, sizeof(nl->groups)); /* RTNL_GROUPS bits, in u32s */
		*len = sizeof(nl->groups);
		return 0;
	}
	unsigned bit = option_flag(name);
	if (!bit)
		return -ENOPROTOOPT;
	int v = (nl->flags & bit) != 0;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static const struct sock_proto netlink_proto = {
	.bind = nl_bind,
	.connect = nl_connect,
	.listen = nl_listen,
	.getname = nl_getname,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.shutdown = nl_shutdown,
	.release = nl_release,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
};

/* ---- the kernel's own datagrams ------------------------------------------------------ */

int netlink_check(struct file *f)
{
	if (!unix_is_socket(f))
		return -ENOTSOCK;
	return unix_sock(f)->family == AF_NETLINK ? 0 : -EINVAL;
}

int netlink_deliver(struct file *f, const void *data, size_t len)
{
	int err = netlink_check(f);

	return err ? err : unicast(nl_of(f), data, len);
}

/* ---- socket() ------------------------------------------------------------------ */

int netlink_create(int type, int protocol, unsigned *flags, struct file **out)
{
	int t = type & SOCK_TYPE_MASK;

	*flags = (unsigned)type & SOCK_FLAGS;
	if (t != SOCK_RAW && t != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT; /* 0..31 unregistered here, or out of range */
	struct nl_sock *nl = kzalloc(sizeof(*nl));
	struct unix_sock *s = nl ? unix_sock_alloc(t) : NULL;
	if (!s) {
		kfree(nl);
		return -ENOMEM;
	}
	nl->s = s;
	nl->all_next = all_list;
	all_list = nl;
	s->family = AF_NETLINK;
	s->protocol = protocol;
	s->proto = &netlink_proto;
	s->proto_priv = nl;
	if (!(*out = unix_file(s, *flags))) {
		all_list = nl->all_next;
		s->proto_priv = NULL;
		kfree(nl);
		unix_put(s);
		return -ENOMEM;
	}
	return 0;
}
