// SPDX-License-Identifier: MIT
/*
 * Kestrel: AF_UNIX names and connections (see net/unix.h): bind in the
 * file system or the abstract namespace, listen, connect and accept,
 * getsockname/getpeername and the SOL_SOCKET options. A path name is a
 * socket inode; the socket bound to it is found by that inode, so the
 * file system never needs to know about sockets.
 */
#include "net/unix_sock.h"
#include "net/net_sysctl.h"
#include "net/netdev.h"
#include "net/sock_filter.h"

#include "fs/fown.h"
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/in.h"

/* ---- names ------------------------------------------------------------------- */

static int bind_path(struct unix_sock *s, const struct sockaddr_un *a, size_t len)
{
	char path[UNIX_PATH_MAX + 1];
	struct inode *ip;

	unix_name_path(a, len, path);
	int err = vfs_mknod(NULL, path, S_IFSOCK | 0777, 0);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	if ((err = vfs_walk(NULL, path, 0, &ip)))
		return err;
	unix_add_bound(s, a, SUN_PATH_OFFSET + strlen(path) + 1, ip);
	return 0;
}

int unix_bind(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);

	if (s->proto)
		return s->proto->bind(f, a, len);
	if (len < SUN_PATH_OFFSET || len > sizeof(*a) || a->sun_family != AF_UNIX)
		return -EINVAL;
	if (s->bound)
		return -EINVAL;
	if (len == SUN_PATH_OFFSET)
		return unix_autobind(s);
	if (!unix_name_abstract(a, len))
		return bind_path(s, a, len);
	if (unix_find_abstract(a, len, s->type))
		return -EADDRINUSE;
	unix_add_bound(s, a, len, NULL);
	return 0;
}

int unix_getname(struct file *f, bool peer, struct sockaddr_un *a, size_t *len)
{
	const struct unix_sock *s = unix_sock(f);

	if (s->proto)
		return s->proto->getname(f, peer ? SOCK_NAME_PEER : SOCK_NAME_OWN, a, len);
	if (peer) {
		if (!s->peer || (s->type != SOCK_DGRAM && s->state != UNIX_CONNECTED))
			return -ENOTCONN;
		s = s->peer;
	}
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	*len = SUN_PATH_OFFSET;
	if (s->bound) {
		*a = s->addr;
		*len = s->addrlen;
	}
	return 0;
}

/* ---- listen, connect, accept ------------------------------------------------------ */

void unix_listen_set(struct unix_sock *s, int backlog)
{
	int max = net_sysctl_somaxconn(); /* net.core.somaxconn, as Linux's __sys_listen */
	if ((unsigned)backlog > (unsigned)max)
		backlog = max;
	if (backlog > s->backlog)
		unix_changed(s); /* connectors waiting for room */
	s->backlog = backlog;
	s->state = UNIX_LISTEN;
}

int unix_listen(struct file *f, int backlog)
{
	struct unix_sock *s = unix_sock(f);

	if (s->proto)
		return s->proto->listen(f, backlog);
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!s->bound || (s->state != UNIX_UNCONNECTED && s->state != UNIX_LISTEN))
		return -EINVAL;
	unix_listen_set(s, backlog);
	s->has_peercred = true;
	s->peercred = unix_cred_now(true);
	return 0;
}

/* A connection of s to listener l: the server's end, queued on l. */
int unix_stream_join(struct unix_sock *s, struct unix_sock *l)
{
	struct unix_sock *e = unix_sock_alloc(s->type);

	if (!e)
		return -ENOMEM;
	e->peer = unix_get(s);
	s->peer = unix_get(e);
	e->state = UNIX_CONNECTED;
	/* after its peer: a send or receive on s without the kernel lock
	 * that sees it connected finds the peer (net/unix_sock.h) */
	__atomic_store_n(&s->state, UNIX_CONNECTED, __ATOMIC_RELEASE);
	e->has_peercred = s->has_peercred = true;
	e->peercred = unix_cred_now(true);
	s->peercred = l->peercred;
	if (l->bound) {
		e->bound = true; /* accept's socket has the listener's name (not on the bound list) */
		e->addr = l->addr;
		e->addrlen = l->addrlen;
	}
	unix_acc_queue(l, e);
	return 0;
}

static int stream_connect(struct file *f, struct unix_sock *s, const struct sockaddr_un *a,
			  size_t len)
{
	uint64_t deadline = unix_deadline(s->sndtimeo_ns);
	struct unix_sock *l;
	int err;

	if (s->passcred && !s->bound && (err = unix_autobind(s)))
		return err;
	while (true) {
		bool full = false;
		if ((err = unix_find(a, len, s->type, &l)))
			return err;
		if (l->type != s->type)
			err = -EPROTOTYPE;
		else if (l->state != UNIX_LISTEN || (l->shutdown & RCV_SHUTDOWN))
			err = -ECONNREFUSED;
		else if (l->acc_len > l->backlog)
			full = true; /* wait for an accept to make room, then look again */
		else if (s->state != UNIX_UNCONNECTED)
			err = s->state == UNIX_CONNECTED ? -EISCONN : -EINVAL;
		else
			err = unix_stream_join(s, l);
		if (full)
			err = (int)unix_wait(&l->wq, f->flags & O_NONBLOCK, deadline);
		unix_put(l);
		if (err || !full)
			return err;
	}
}

/* s left its peer old (Linux's unix_dgram_disconnected): what s had
 * received is dropped, and old, if it was connected back to s, sees
 * ECONNRESET once. */
static void dgram_disconnected(struct unix_sock *s, struct unix_sock *old)
{
	if (!s->rq_head)
		return;
	unix_purge_queue(s);
	if (!old->dead && old->peer == s) {
		old->err = ECONNRESET;
		unix_changed(old);
	}
}

static int dgram_connect(struct unix_sock *s, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *to = NULL;
	int err;

	if (a->sun_family != AF_UNSPEC) {
		if (s->passcred && !s->bound && (err = unix_autobind(s)))
			return err;
		if ((err = unix_find(a, len, s->type, &to)))
			return err;
		if (to->type != s->type || (to->peer && to->peer != s)) {
			err = to->type != s->type ? -EPROTOTYPE : -EPERM;
			unix_put(to);
			return err;
		}
	}
	struct unix_sock *old = s->peer;
	s->peer = to;
	s->state = to ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	if (old) {
		if (old != to)
			dgram_disconnected(s, old);
		unix_put(old);
	}
	unix_changed(s);
	return 0;
}

int unix_connect(struct file *f, const struct sockaddr_un *a, size_t len)
{
	struct unix_sock *s = unix_sock(f);

	if (s->proto) /* a sockaddr_storage's tail, which no other family reads */
		return (int)unix_proto_done(s->proto->connect(f, a, len < sizeof(*a) ? len : sizeof(*a)));
	if (len < SUN_PATH_OFFSET)
		return -EINVAL;
	if (s->type == SOCK_DGRAM)
		return dgram_connect(s, a, len);
	if (a->sun_family != AF_UNIX)
		return -EINVAL;
	return stream_connect(f, s, a, len);
}

int unix_accept(struct file *f, unsigned flags, struct file **out, struct sockaddr_un *a,
		size_t *len)
{
	struct unix_sock *s = unix_sock(f), *e;

	if (unix_connectionless(s))
		return -EOPNOTSUPP;
	uint64_t deadline = unix_deadline(s->rcvtimeo_ns);
	int err;

	while (!(e = s->acc_head)) {
		if (s->state != UNIX_LISTEN)
			return -EINVAL;
		if ((err = (int)unix_wait(&s->wq, f->flags & O_NONBLOCK, deadline)))
			return err;
	}
	if (!(*out = unix_file(e, flags)))
		return -ENOMEM; /* it stays queued */
	s->acc_head = e->acc_next;
	if (!s->acc_head)
		s->acc_tail = NULL;
	s->acc_len--;
	e->acc_next = NULL;
	e->passcred = s->passcred; /* as Linux's unix_sock_inherit_flags */
	unix_changed(s); /* room for a waiting connect */
	if (e->proto) {   /* its family's name of the peer; Linux's ECONNABORTED if it has none */
		int err = e->proto->getname(*out, SOCK_NAME_ACCEPT, a, len);
		if (err) {
			file_put(*out);
			*out = NULL;
			return -ECONNABORTED;
		}
		return 0;
	}
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	*len = SUN_PATH_OFFSET;
	if (e->peer && e->peer->bound) {
		*a = e->peer->addr;
		*len = e->peer->addrlen;
	}
	return 0;
}

/* ---- options ------------------------------------------------------------------- */

int unix_take_error(struct file *f)
{
	struct unix_sock *s = unix_sock(f);
	int err = s->err;

	s->err = 0;
	return -err;
}

void unix_set_error(struct file *f, int err)
{
	struct unix_sock *s = unix_sock(f);

	s->err = err;
	unix_changed(s);
}

/* The int value of a SOL_SOCKET option, or -ENOPROTOOPT. */
static int int_option(struct unix_sock *s, int name, int *v)
{
	switch (name) {
	case SO_TYPE:      *v = s->type; return 0;
	case SO_ERROR:     *v = __atomic_exchange_n(&s->err, 0, __ATOMIC_RELAXED); return 0;
	case SO_DOMAIN:    *v = s->family; return 0;
	case SO_PROTOCOL:  *v = s->protocol; return 0;
	case SO_ACCEPTCONN: *v = s->state == UNIX_LISTEN; return 0;
	case SO_SNDBUF:    *v = s->sndbuf; return 0;
	case SO_RCVBUF:    *v = s->rcvbuf; return 0;
	case SO_PASSCRED:  *v = s->passcred; return 0;
	case SO_RCVLOWAT:  *v = s->rcvlowat ? s->rcvlowat : 1; return 0;
	case SO_SNDLOWAT:  *v = 1; return 0;
	case SO_REUSEADDR: case SO_KEEPALIVE: case SO_BROADCAST: case SO_DEBUG:
	case SO_DONTROUTE: case SO_OOBINLINE: case SO_REUSEPORT: case SO_NO_CHECK:
		*v = (s->sockopt_bits >> name) & 1; return 0;
	case SO_PRIORITY:
		*v = (int)s->priority; return 0;
	case SO_LOCK_FILTER:
		*v = s->filter_locked; return 0;
	case SO_ZEROCOPY:
		*v = s->zerocopy; return 0;
	case SO_TIMESTAMP:
		*v = s->tstamp == SOCK_TSTAMP_RCV; return 0;
	case SO_TIMESTAMPNS:
		*v = s->tstamp == (SOCK_TSTAMP_RCV | SOCK_TSTAMP_NS); return 0;
	case SO_TIMESTAMP_NEW:
		*v = s->tstamp == (SOCK_TSTAMP_RCV | SOCK_TSTAMP_NEW); return 0;
	case SO_TIMESTAMPNS_NEW:
		*v = s->tstamp == (SOCK_TSTAMP_RCV | SOCK_TSTAMP_NS | SOCK_TSTAMP_NEW); return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* SO_TIMESTAMP and its kin set (Linux's sock_set_timestamp): on, the
 * form the option names; off, no stamps at all. */
static void set_tstamp(struct unix_sock *s, int name, int v)
{
	if (!v) {
		s->tstamp = 0;
		return;
	}
	s->tstamp = SOCK_TSTAMP_RCV;
	if (name == SO_TIMESTAMPNS || name == SO_TIMESTAMPNS_NEW)
		s->tstamp |= SOCK_TSTAMP_NS;
	if (name == SO_TIMESTAMP_NEW || name == SO_TIMESTAMPNS_NEW)
		s->tstamp |= SOCK_TSTAMP_NEW;
}

#define SOCK_PRIO_UNPRIV_MAX 6 /* TC_PRIO_INTERACTIVE: the most SO_PRIORITY without privilege */
#define US_PER_SEC 1000000ll
#define TIMEO_MAX_SEC (100ll * 365 * 24 * 3600) /* longer is no timeout at all */

/* The timeout field an option names, or NULL. */
static uint64_t *timeo_field(struct unix_sock *s, int name)
{
	if (name == SO_RCVTIMEO || name == SO_RCVTIMEO_NEW)
		return &s->rcvtimeo_ns;
	if (name == SO_SNDTIMEO || name == SO_SNDTIMEO_NEW)
		return &s->sndtimeo_ns;
	return NULL;
}

/* Linux's sock_set_timeout: -EINVAL (short), -EDOM (usec out of range);
 * a negative time is an immediate timeout, {0, 0} none. */
static int set_timeo(uint64_t *field, const void *val, size_t len)
{
	struct sock_timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.usec < 0 || tv.usec >= US_PER_SEC)
		return -EDOM;
	if (tv.sec < 0)
		*field = 1; /* already over */
	else if (tv.sec >= TIMEO_MAX_SEC)
		*field = 0;
	else
		*field = (uint64_t)tv.sec * NSEC_PER_SEC + (uint64_t)tv.usec * NSEC_PER_USEC;
	return 0;
}

/* SO_BINDTODEVICE read back: the device's name and its NUL, or nothing
 * (*len 0) when the socket is bound to none; 0, or -ENODEV when the
 * device it is bound to is gone (Linux's netdev_get_name). Linux
 * refuses a caller's buffer shorter than IFNAMSIZ (EINVAL); here the
 * name is cut to it. */
static int bound_device_name(const struct unix_sock *s, void *val, size_t *len)
{
	struct netdev *dev = s->bound_dev_if ? netdev_by_index(s->bound_dev_if) : NULL;

	*len = 0;
	if (s->bound_dev_if && !dev)
		return -ENODEV;
	if (dev) {
		*len = strlen(dev->name) + 1;
		memcpy(val, dev->name, *len);
	}
	netdev_put(dev);
	return 0;
}

/* SO_MEMINFO (Linux's sk_get_meminfo): the buffer sizes, and what the
 * family counts (its meminfo; the slots it does not keep read 0). val
 * has room for SK_MEMINFO_VARS u32s (at least OPTVAL_MAX bytes). */
static int sock_meminfo(struct unix_sock *s, void *val, size_t *len)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };

	mem[SK_MEMINFO_RCVBUF] = (uint32_t)__atomic_load_n(&s->rcvbuf, __ATOMIC_RELAXED);
	mem[SK_MEMINFO_SNDBUF] = (uint32_t)__atomic_load_n(&s->sndbuf, __ATOMIC_RELAXED);
	if (s->proto && s->proto->meminfo)
		s->proto->meminfo(s, mem);
	memcpy(val, mem, sizeof(mem));
	*len = sizeof(mem);
	return 0;
}

int unix_getsockopt(struct file *f, int name, void *val, size_t *len)
{
	struct unix_sock *s = unix_sock(f);
	uint64_t *timeo = timeo_field(s, name);
	int v;

	if (timeo) {
		struct sock_timeval tv = { (int64_t)(*timeo / NSEC_PER_SEC),
					   (int64_t)(*timeo % NSEC_PER_SEC / NSEC_PER_USEC) };
		memcpy(val, &tv, sizeof(tv));
		*len = sizeof(tv);
		return 0;
	}

	if (name == SO_LINGER) {
		memcpy(val, &s->linger, sizeof(s->linger));
		*len = sizeof(s->linger);
		return 0;
	}
	if (name == SO_BINDTODEVICE)
		return bound_device_name(s, val, len);
	if (name == SO_MEMINFO)
		return sock_meminfo(s, val, len);
	if (name == SO_PEERCRED) {
		struct ucred c = { .pid = 0, .uid = (uint32_t)-1, .gid = (uint32_t)-1 };
		if (s->has_peercred)
			c = s->peercred;
		memcpy(val, &c, sizeof(c));
		*len = sizeof(c);
		return 0;
	}
	int err = int_option(s, name, &v);
	if (err)
		return err;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

/* SO_SNDBUF/SO_RCVBUF: twice what is asked (Linux keeps room for its
 * bookkeeping), within the system's limit (force, SO_*BUFFORCE: only
 * within INT_MAX, a negative ask taken as 0) and above the minimum. */
static int buf_size(int asked, int min, bool force)
{
	uint32_t limit = force ? INT32_MAX / 2 : UNIX_BUF_MAX;
	uint32_t v = force && asked < 0 ? 0 : (uint32_t)asked;

	v = v < limit ? v : limit;
	return (int)(v * 2) > min ? (int)(v * 2) : min;
}

/*
 * SO_BINDTODEVICE (Linux's sock_setbindtodevice): bind s to the device
 * named by the first len bytes of val (at most IFNAMSIZ - 1 of them; an
 * empty name unbinds). Changing a binding already made needs CAP_NET_RAW,
 * as on Linux since 5.7. What the binding does: see bound_dev_if. 0,
 * -ENODEV (no such device), -EPERM.
 */
static int bind_to_device(struct unix_sock *s, const void *val, size_t len)
{
	char name[IFNAMSIZ] = { 0 };
	int ifindex = 0;

	memcpy(name, val, len < IFNAMSIZ - 1 ? len : IFNAMSIZ - 1);
	if (name[0]) {
		struct netdev *dev = netdev_by_name(name);
		if (!dev)
			return -ENODEV;
		ifindex = dev->ifindex;
		netdev_put(dev);
	}
	if (s->bound_dev_if && !capable(CAP_NET_RAW))
		return -EPERM;
	s->bound_dev_if = ifindex;
	return 0;
}

/*
 * SO_ZEROCOPY, as Linux 6.1's sk_setsockopt: only TCP and UDP sockets of
 * AF_INET and AF_INET6 take it (-EOPNOTSUPP for the rest, AF_UNIX, raw
 * and ping sockets included), and only 0 or 1 (-EINVAL).
 */
static int set_zerocopy(struct unix_sock *s, int v)
{
	bool inet = s->family == AF_INET || s->family == AF_INET6;
	bool tcp = s->type == SOCK_STREAM, udp = s->type == SOCK_DGRAM && s->protocol == IPPROTO_UDP;

	if (!inet || !(tcp || udp))
		return -EOPNOTSUPP;
	if (v < 0 || v > 1)
		return -EINVAL;
	s->zerocopy = v;
	return 0;
}

/* A SOL_SOCKET option as unix_setsockopt sets it (its contract in net/unix.h). */
static int set_option(struct file *f, int name, const void *val, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	uint64_t *timeo = timeo_field(s, name);
	int v;

	if (timeo)
		return set_timeo(timeo, val, len);
	if (name == SO_LINGER) {
		if (len < sizeof(s->linger))
			return -EINVAL;
		memcpy(&s->linger, val, sizeof(s->linger));
		s->linger.onoff = s->linger.onoff != 0;
		return 0;
	}
	if (name == SO_BINDTODEVICE)
		return bind_to_device(s, val, len);
	if (name == SO_ATTACH_FILTER)
		return sock_attach_filter(s, val, len);
	if (name == SO_DETACH_FILTER)
		return sock_detach_filter(s); /* Linux reads no value */
	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_SNDBUFFORCE: case SO_RCVBUFFORCE: /* past net.core's limits: CAP_NET_ADMIN's */
		if (!capable(CAP_NET_ADMIN))
			return -EPERM;
		/* fall through */
	case SO_SNDBUF: case SO_RCVBUF: {
		bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
		if (name == SO_SNDBUF || name == SO_SNDBUFFORCE) {
			s->sndbuf = buf_size(v, UNIX_SNDBUF_MIN, force);
			s->sndbuf_set = true;
			unix_changed(s);
		} else {
			s->rcvbuf = buf_size(v, UNIX_RCVBUF_MIN, force);
			s->rcvbuf_set = true;
		}
		return 0;
	}
	case SO_PASSCRED:
		s->passcred = v != 0;
		return 0;
	case SO_RCVLOWAT: /* Linux's sock_set_rcvlowat: negative means INT_MAX, 0 means 1 */
		s->rcvlowat = v < 0 ? INT32_MAX : v;
		return 0;
	case SO_REUSEADDR: case SO_KEEPALIVE: case SO_BROADCAST: case SO_DEBUG:
	case SO_DONTROUTE: case SO_OOBINLINE: case SO_REUSEPORT: case SO_NO_CHECK:
		/* read back; SO_REUSEADDR changes an AF_INET bind, SO_KEEPALIVE and
		 * SO_OOBINLINE a TCP connection over IPv4 (sockopt_changed) */
		s->sockopt_bits = v ? s->sockopt_bits | 1u << name : s->sockopt_bits & ~(1u << name);
		return 0;
	case SO_PRIORITY: /* kept and read back; 0 to 6 without CAP_NET_RAW or CAP_NET_ADMIN */
		if ((v < 0 || v > SOCK_PRIO_UNPRIV_MAX) && !capable(CAP_NET_RAW) && !capable(CAP_NET_ADMIN))
			return -EPERM;
		s->priority = (uint32_t)v;
		return 0;
	case SO_TIMESTAMP: case SO_TIMESTAMPNS: case SO_TIMESTAMP_NEW: case SO_TIMESTAMPNS_NEW:
		set_tstamp(s, name, v);
		return 0;
	case SO_LOCK_FILTER:
		return sock_lock_filter(s, v);
	case SO_ZEROCOPY:
		return set_zerocopy(s, v);
	default:
		return -ENOPROTOOPT;
	}
}

int unix_setsockopt(struct file *f, int name, const void *val, size_t len)
{
	struct unix_sock *s = unix_sock(f);
	int err = set_option(f, name, val, len);

	if (!err && s->proto && s->proto->sockopt_changed)
		s->proto->sockopt_changed(s); /* SO_KEEPALIVE, SO_OOBINLINE: TCP over IPv4 follows */
	return err;
}
