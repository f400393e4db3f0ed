// SPDX-License-Identifier: MIT
/*
 * Kestrel: the socket system calls (socket, socketpair, bind, listen,
 * connect, accept/accept4, send/recv and their msg forms, shutdown,
 * getsockname/getpeername, get/setsockopt). AF_UNIX, AF_INET and AF_INET6
 * (the loopback; net/inet.c, whose sockets net/unix.h's entry points hand on):
 * this file copies the user's addresses, vectors and control messages in
 * and out and leaves the sockets to net/.
 */
#include "sys/syscall_define.h"
#include "sys/sys_socket.h"
#include "arch/x86_64/klock.h"
#include "fs/vfs.h"
#include "proc/call_lock.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "net/af_packet.h"
#include "net/inet.h"
#include "net/netlink.h"
#include "net/unix.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "time/time.h"
#include "time/timespec.h"
#include "uapi/capability.h"
#include "uapi/in.h"
#include "uapi/limits.h"
#include "uapi/netlink.h"
#include "uapi/if_packet.h"
#include "uapi/socket.h"
#include "uapi/tcp.h"
#include "uapi/uio.h"

#define SOCK_FLAGS      (SOCK_NONBLOCK | SOCK_CLOEXEC)
#define SOCKADDR_MAX    128     /* sizeof(struct sockaddr_storage): longer is -EINVAL */
#define OPTMEM_MAX      20480   /* net.core.optmem_max: the most control bytes a send copies */
#define OPTVAL_MAX      sizeof(struct tcp_info) /* most options' largest value (232 bytes; a timeval is 16) */
#define OPTVAL_LARGE    IPV6_OPT_HDR_MAX        /* any option's: an IPv6 extension header (IPV6_RTHDR) */

/* An address as the calls copy it in: room for any sockaddr. */
union sockaddr_any {
	struct sockaddr_un un;
	char bytes[SOCKADDR_MAX];
};

/* ---- helpers --------------------------------------------------------------------- */

/* The file behind fd with a reference, or NULL, O_PATH ones too (Linux's
 * fdget); under the table's own lock when the caller runs without the
 * kernel lock (sendto, recvfrom, sendmsg, recvmsg). (Not sys_fs.c's
 * fd_file_io: sys_fs.c calls this file for readv/writev on sockets.) */
static struct file *sock_fd_file(int fd)
{
	struct fdtable *t = current_process()->files;

	if (!t)
		return NULL;
	return this_cpu_klock_depth() ? fd_get_io(t, fd) : fd_get_nolock(t, fd, true);
}

/* The socket file behind fd with a reference: 0, -EBADF (none, or an
 * O_PATH descriptor, which Linux's fdget does not hand out) or -ENOTSOCK. */
static int sock_fd(int fd, struct file **out)
{
	struct file *f = sock_fd_file(fd);

	if (!f)
		return -EBADF;
	if (!unix_is_socket(f)) {
		file_put(f);
		return -ENOTSOCK;
	}
	*out = f;
	return 0;
}

/* The AF_UNIX type socket(2) and socketpair(2) ask for (type_check passed
 * it): 0 with *t and *flags, or -errno. */
static int sock_type(int family, int type, int protocol, int *t, unsigned *flags)
{
	if (family != AF_UNIX)
		return -EAFNOSUPPORT;
	*flags = (unsigned)type & SOCK_FLAGS;
	*t = type & SOCK_TYPE_MASK;
	if (*t == SOCK_RAW)
		*t = SOCK_DGRAM; /* as Linux's unix_create */
	if (*t != SOCK_STREAM && *t != SOCK_DGRAM && *t != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	return 0;
}

/* Linux's move_addr_to_kernel: 0, -EINVAL (len), -EFAULT. */
static int addr_in(union sockaddr_any *a, uptr_t uaddr, int len)
{
	memset(a, 0, sizeof(*a));
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	return copy_from_user(a, uaddr, (size_t)len) ? -EFAULT : 0;
}

/* Linux's move_addr_to_user: the address cut to *ulen's room, its real
 * length back in *ulen. 0, -EINVAL (a negative length), -EFAULT. */
static int addr_out(const struct sockaddr_un *a, size_t len, uptr_t uaddr, uptr_t ulen)
{
	int room;

	if (copy_from_user(&room, ulen, sizeof(room)))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	size_t n = (size_t)room < len ? (size_t)room : len;
	if (n && copy_to_user(uaddr, a, n))
		return -EFAULT;
	int out = (int)len;
	return copy_to_user(ulen, &out, sizeof(out)) ? -EFAULT : 0;
}

/* A send's destination (sendto's, or sendmsg's msg_name) into m:
 * 0, -EINVAL, -EFAULT. */
static int msg_addr_in(struct sock_msg *m, uptr_t uaddr, int len)
{
	union sockaddr_any a;
	int err = addr_in(&a, uaddr, len);

	if (err)
		return err;
	if (len > (int)sizeof(m->addr)) {
		if (a.un.sun_family == AF_UNIX)
			return -EINVAL; /* unix_mkname's limit; another family's address is shorter */
		len = (int)sizeof(m->addr); /* a sockaddr_storage's tail, which no family reads */
	}
	m->addr = a.un;
	m->addrlen = (size_t)len;
	return 0;
}

/* The user's iovec array as sock_iovs (kmalloc'd, the caller kfrees it),
 * the total capped at MAX_RW_COUNT. 0, -EMSGSIZE, -EINVAL, -EFAULT, -ENOMEM. */
static int iov_in(uptr_t uiov, uint64_t cnt, struct sock_iov **out)
{
	size_t total = 0;

	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE;
	struct sock_iov *v = kmalloc(sizeof(*v) * (cnt ? cnt : 1));
	if (!v)
		return -ENOMEM;
	for (uint64_t i = 0; i < cnt; i++) {
		struct iovec_user u;
		if (copy_from_user(&u, uiov + i * sizeof(u), sizeof(u))) {
			kfree(v);
			return -EFAULT;
		}
		if ((int64_t)u.len < 0) {
			kfree(v);
			return -EINVAL;
		}
		if (u.len > MAX_RW_COUNT - total)
			u.len = MAX_RW_COUNT - total;
		total += u.len;
		v[i] = (struct sock_iov){ iobuf_user(u.base), u.len };
	}
	*out = v;
	return 0;
}

static int fd_install_new(struct file *f, unsigned flags)
{
	int fd = fd_install(current_process()->files, f, 0, (flags & SOCK_CLOEXEC) != 0);

	if (fd < 0)
		file_put(f);
	return fd;
}

/* ---- socket, socketpair ----------------------------------------------------------- */

/* Linux's first checks of a socket's type: flags other than SOCK_NONBLOCK
 * and SOCK_CLOEXEC, or a type past SOCK_MAX, are -EINVAL. */
static int type_check(int type)
{
	return (type & ~(SOCK_TYPE_MASK | SOCK_FLAGS)) || (type & SOCK_TYPE_MASK) >= SOCK_MAX ? -EINVAL : 0;
}

/* A new socket of any family (Linux's __sock_create): type_check's
 * -EINVAL and a family out of range's -EAFNOSUPPORT before the family
 * looks. */
static int sock_create(int family, int type, int protocol, unsigned *flags, struct file **f)
{
	int t, err;

	if ((err = type_check(type)))
		return err;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (family == AF_INET || family == AF_INET6)
		return inet_create(family, type, protocol, flags, f); /* net/inet.h */
	if (family == AF_PACKET)
		return packet_create(type, protocol, flags, f); /* net/af_packet.h */
	if (family == AF_NETLINK)
		return netlink_create(type, protocol, flags, f); /* net/netlink.h */
	if ((err = sock_type(family, type, protocol, &t, flags)))
		return err;
	return unix_create(t, *flags, f);
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	struct file *f;
	unsigned flags;
	int err = sock_create(family, type, protocol, &flags, &f);

	if (err)
		return err;
	return fd_install_new(f, flags);
}

/* socketpair of a family other than AF_UNIX: the socket it would make
 * (its errors first, as Linux's __sys_socketpair creates both), then
 * -EOPNOTSUPP (sock_no_socketpair). */
static int pair_unsupported(int family, int type, int protocol)
{
	struct file *f;
	unsigned flags;
	int err = sock_create(family, type, protocol, &flags, &f);

	if (err)
		return err;
	file_put(f);
	return -EOPNOTSUPP;
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, uptr_t, usv)
{
	struct fdtable *tab = current_process()->files;
	struct file *a, *b;
	unsigned flags;
	int t, sv[2], err;

	if (family != AF_UNIX)
		return pair_unsupported(family, type, protocol);
	if ((err = type_check(type)) || (err = sock_type(family, type, protocol, &t, &flags)) ||
	    (err = unix_pair(t, flags, &a, &b)))
		return err;
	if ((sv[0] = fd_install_new(a, flags)) < 0) {
		file_put(b);
		return sv[0];
	}
	if ((sv[1] = fd_install_new(b, flags)) < 0) {
		fd_close(tab, sv[0]);
		return sv[1];
	}
	if (copy_to_user(usv, sv, sizeof(sv))) {
		fd_close(tab, sv[0]);
		fd_close(tab, sv[1]);
		return -EFAULT;
	}
	return 0;
}

/* ---- names and connections ---------------------------------------------------------- */

SYSCALL_DEFINE3(bind, int, fd, uptr_t, uaddr, int, len)
{
	union sockaddr_any a;
	struct file *f;
	int err = sock_fd(fd, &f);

	if (err)
		return err;
	if (!(err = addr_in(&a, uaddr, len)))
		err = unix_bind(f, &a.un, (size_t)len);
	file_put(f);
	return err;
}

SYSCALL_DEFINE3(connect, int, fd, uptr_t, uaddr, int, len)
{
	union sockaddr_any a;
	struct file *f;
	int err = sock_fd(fd, &f);

	if (err)
		return err;
	if (!(err = addr_in(&a, uaddr, len)))
		err = unix_connect(f, &a.un, (size_t)len); /* AF_UNIX refuses more than a sockaddr_un */
	file_put(f);
	return err;
}

/* op(socket, arg) on fd's socket: listen and shutdown. */
static int sock_call(int fd, int (*op)(struct file *, int), int arg)
{
	struct file *f;
	int err = sock_fd(fd, &f);

	if (err)
		return err;
	err = op(f, arg);
	file_put(f);
	return err;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	return sock_call(fd, unix_listen, backlog);
}

SYSCALL_DEFINE4(accept4, int, fd, uptr_t, uaddr, uptr_t, ulen, int, flags)
{
	struct sockaddr_un a;
	struct file *f, *nf;
	size_t len;
	int err;

	if (flags & ~SOCK_FLAGS)
		return -EINVAL;
	if ((err = sock_fd(fd, &f)))
		return err;
	err = unix_accept(f, (unsigned)flags, &nf, &a, &len);
	file_put(f);
	if (err)
		return err;
	int nfd = fd_install_new(nf, (unsigned)flags);
	if (nfd >= 0 && uaddr && (err = addr_out(&a, len, uaddr, ulen))) {
		fd_close(current_process()->files, nfd);
		return err;
	}
	return nfd;
}

SYSCALL_DEFINE3(accept, int, fd, uptr_t, uaddr, uptr_t, ulen)
{
	return do_sys_accept4(fd, uaddr, ulen, 0);
}

static long getname(int fd, bool peer, uptr_t uaddr, uptr_t ulen)
{
	struct sockaddr_un a;
	struct file *f;
	size_t len;
	int err = sock_fd(fd, &f);

	if (err)
		return err;
	if (!(err = unix_getname(f, peer, &a, &len)))
		err = addr_out(&a, len, uaddr, ulen);
	file_put(f);
	return err;
}

SYSCALL_DEFINE3(getsockname, int, fd, uptr_t, uaddr, uptr_t, ulen)
{
	return getname(fd, false, uaddr, ulen);
}

SYSCALL_DEFINE3(getpeername, int, fd, uptr_t, uaddr, uptr_t, ulen)
{
	return getname(fd, true, uaddr, ulen);
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	return sock_call(fd, unix_shutdown, how);
}

/* ---- options ------------------------------------------------------------------------ */

/* An option value's buffer for want bytes: small (OPTVAL_MAX bytes, the
 * caller's) when they fit, else one of the heap's, zeroed, of want bytes
 * up to OPTVAL_LARGE (only IPv6's extension headers are longer than
 * OPTVAL_MAX). *cap: its size, never under OPTVAL_MAX. NULL: no memory. */
static char *optval_buf(char *small, size_t want, size_t *cap)
{
	if (want <= OPTVAL_MAX) {
		*cap = OPTVAL_MAX;
		return small;
	}
	*cap = want < OPTVAL_LARGE ? want : OPTVAL_LARGE;
	return kzalloc(*cap);
}

static void optval_put(char *buf, const char *small)
{
	if (buf != small)
		kfree(buf);
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, uptr_t, uval, int, len)
{
	char small[OPTVAL_MAX] = { 0 };
	struct file *f;
	size_t cap;
	char *val;
	int err;

	if (len < 0)
		return -EINVAL;
	if ((err = sock_fd(fd, &f)))
		return err;
	if (!(val = optval_buf(small, (size_t)len, &cap))) {
		file_put(f);
		return -ENOMEM;
	}
	size_t n = (size_t)len < cap ? (size_t)len : cap;
	if (copy_from_user(val, uval, n))
		err = -EFAULT;
	else if (level != SOL_SOCKET)
		err = inet_setsockopt(f, level, name, val, (size_t)len); /* -EOPNOTSUPP if not AF_INET */
	else
		err = unix_setsockopt(f, name, val, (size_t)len);
	optval_put(val, small);
	file_put(f);
	return err;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, uptr_t, uval, uptr_t, ulen)
{
	char small[OPTVAL_MAX], *val = NULL;
	struct file *f;
	size_t n;
	int room, err;

	if ((err = sock_fd(fd, &f)))
		return err;
	if (copy_from_user(&room, ulen, sizeof(room)))
		err = -EFAULT;
	else if (room < 0)
		err = -EINVAL;
	else if (!(val = optval_buf(small, (size_t)room, &n)))
		err = -ENOMEM;
	else if (!(err = level == SOL_SOCKET ? unix_getsockopt(f, name, val, &n)
					     : inet_getsockopt(f, level, name, val, &n))) {
		int out = (size_t)room < n ? room : (int)n;
		if (copy_to_user(uval, val, (size_t)out) || copy_to_user(ulen, &out, sizeof(out)))
			err = -EFAULT;
	}
	if (val)
		optval_put(val, small);
	file_put(f);
	return err;
}

/* ---- control messages -------------------------------------------------------------- */

/* The files one SCM_RIGHTS message names, added to m (at most
 * SCM_MAX_FD in all). 0, -EINVAL, -EBADF, -ENOMEM. */
static int rights_in(struct sock_msg *m, const int *fds, size_t n)
{
	if (n == 0)
		return 0;
	if (m->nfds + n > SCM_MAX_FD)
		return -EINVAL;
	if (!m->fds && !(m->fds = kmalloc(sizeof(*m->fds) * SCM_MAX_FD)))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct file *f = sock_fd_file(fds[i]);
		if (!f)
			return -EBADF;
		m->fds[m->nfds++] = f;
	}
	return 0;
}

/*
 * An SCM_CREDENTIALS message (Linux's scm_check_creds): the pid is the
 * caller's unless it has CAP_SYS_ADMIN, the uid its real, effective or
 * saved one unless it has CAP_SETUID (the gid likewise, CAP_SETGID), and
 * the pid names a process. 0, -EINVAL (length, an invalid id), -EPERM,
 * -ESRCH.
 */
static int cred_in(struct sock_msg *m, const char *data, size_t len)
{
	const struct cred *me = current_cred();
	struct ucred c;

	if (len != sizeof(c))
		return -EINVAL;
	memcpy(&c, data, sizeof(c));
	if (c.uid == (uint32_t)-1 || c.gid == (uint32_t)-1)
		return -EINVAL;
	bool own_uid = c.uid == me->uid || c.uid == me->euid || c.uid == me->suid;
	bool own_gid = c.gid == me->gid || c.gid == me->egid || c.gid == me->sgid;
	if ((c.pid != current_process()->pid && !capable(CAP_SYS_ADMIN)) ||
	    (!own_uid && !capable(CAP_SETUID)) || (!own_gid && !capable(CAP_SETGID)))
		return -EPERM;
	if (c.pid <= 0 || !process_find(c.pid))
		return -ESRCH;
	m->has_cred = true;
	m->cred = c;
	return 0;
}

/* An IPPROTO_IPV6 control message of a send (RFC 3542, Linux's
 * ip6_datagram_send_ctl): IPV6_HOPLIMIT and IPV6_TCLASS, an int from -1
 * (the default) to 255, kept in m for an AF_INET6 datagram socket; other
 * types are ignored. 0 or -EINVAL. */
static int ip6_cmsg_in(struct sock_msg *m, int type, const char *data, size_t len)
{
	int v;

	if (type != IPV6_HOPLIMIT && type != IPV6_TCLASS)
		return 0;
	if (len != sizeof(v))
		return -EINVAL;
	memcpy(&v, data, sizeof(v));
	if (v < -1 || v > 0xff)
		return -EINVAL;
	if (type == IPV6_HOPLIMIT)
		m->ip6_hoplimit = v;
	else
		m->ip6_tclass = v;
	m->has_ip6 |= type == IPV6_HOPLIMIT ? IP6_HAS_HOPLIMIT : IP6_HAS_TCLASS;
	return 0;
}

/* An IPPROTO_IP control message of a send (Linux's ip_cmsg_send):
 * IP_TTL, an int from 1 to 255; IP_TOS, an int or a byte to 255;
 * IP_PKTINFO, the source address (ipi_spec_dst) to send from. Kept in m
 * for an AF_INET datagram socket; other types are ignored. 0 or -EINVAL. */
static int ip4_cmsg_in(struct sock_msg *m, int type, const char *data, size_t len)
{
	int v = 0;

	if (type == IP_PKTINFO) {
		struct in_pktinfo pi;
		if (len != sizeof(pi))
			return -EINVAL;
		memcpy(&pi, data, sizeof(pi));
		m->ip4_src = be32(pi.ipi_spec_dst);
		m->has_ip4 |= IP4_HAS_PKTINFO;
		return 0;
	}
	if (type != IP_TTL && type != IP_TOS)
		return 0;
	if (len == sizeof(v))
		memcpy(&v, data, sizeof(v));
	else if (type == IP_TOS && len == 1)
		v = (uint8_t)data[0];
	else
		return -EINVAL;
	if (v < (type == IP_TTL ? 1 : 0) || v > 0xff)
		return -EINVAL;
	if (type == IP_TTL)
		m->ip4_ttl = v;
	else
		m->ip4_tos = v;
	m->has_ip4 |= type == IP_TTL ? IP4_HAS_TTL : IP4_HAS_TOS;
	return 0;
}

/* Linux's __scm_send: the control messages of a send, kmalloc'd copy in
 * ctl. SOL_SOCKET's, IPPROTO_IP's and IPPROTO_IPV6's; other levels are
 * ignored. */
static int control_in(struct sock_msg *m, const char *ctl, size_t len)
{
	size_t at = 0;

	while (len - at >= sizeof(struct cmsghdr_user)) {
		struct cmsghdr_user h;
		memcpy(&h, ctl + at, sizeof(h));
		if (h.len < sizeof(h) || h.len > len - at)
			return -EINVAL;
		if (h.level == SOL_SOCKET) {
			size_t data = h.len - CMSG_HDR_LEN;
			int err = 0;
			if (h.len < CMSG_HDR_LEN)
				err = -EINVAL;
			else if (h.type == SCM_RIGHTS)
				err = rights_in(m, (const int *)(ctl + at + CMSG_HDR_LEN), data / sizeof(int));
			else if (h.type == SCM_CREDENTIALS)
				err = cred_in(m, ctl + at + CMSG_HDR_LEN, data);
			else
				err = -EINVAL;
			if (err)
				return err;
		} else if ((h.level == IPPROTO_IPV6 || h.level == IPPROTO_IP) && h.len >= CMSG_HDR_LEN) {
			int err = (h.level == IPPROTO_IP ? ip4_cmsg_in : ip6_cmsg_in)(m, h.type, ctl + at + CMSG_HDR_LEN,
										    h.len - CMSG_HDR_LEN);
			if (err)
				return err;
		}
		if (CMSG_ALIGN(h.len) > len - at)
			break;
		at += CMSG_ALIGN(h.len);
	}
	return 0;
}

/* Install the files received (as many as the control buffer holds: the
 * rest are closed, MSG_CTRUNC) and write their SCM_RIGHTS message. The
 * bytes of control buffer used, or -EFAULT. */
static long rights_out(struct sock_msg *m, uptr_t uctl, size_t room, int flags)
{
	size_t fit = room > CMSG_HDR_LEN ? (room - CMSG_HDR_LEN) / sizeof(int) : 0, done = 0;
	int fds[SCM_MAX_FD];
	long used = 0;

	for (int i = 0; i < m->nfds; i++) {
		int fd = -1;
		if (done < fit)
			fd = fd_install(current_process()->files, m->fds[i], 0,
					(flags & MSG_CMSG_CLOEXEC) != 0);
		if (fd < 0)
			file_put(m->fds[i]);
		else
			fds[done++] = fd;
	}
	if (done < (size_t)m->nfds)
		m->out_flags |= MSG_CTRUNC;
	if (done) {
		struct cmsghdr_user h = { CMSG_HDR_LEN + done * sizeof(int), SOL_SOCKET, SCM_RIGHTS };
		if (copy_to_user(uctl, &h, sizeof(h)) ||
		    copy_to_user(uctl + CMSG_HDR_LEN, fds, done * sizeof(int)))
			return -EFAULT;
		used = (long)CMSG_ALIGN(h.len);
		if ((size_t)used > room)
			used = (long)room;
	}
	kfree(m->fds);
	m->fds = NULL;
	m->nfds = 0;
	return used;
}

/* ---- send and receive ------------------------------------------------------------------ */

/* sendmsg's msghdr: the destination, the vector and the files into m.
 * 0 or -errno (nothing held then but *iov, which the caller kfrees). */
/* Linux's __copy_msghdr: a name with a negative length is -EINVAL, a
 * longer one than a sockaddr_storage is cut to it (no name: no length). */
static int msg_namelen(const struct msghdr_user *h, int *len)
{
	*len = h->name ? h->namelen : 0;
	if (*len < 0)
		return -EINVAL;
	if (*len > SOCKADDR_MAX)
		*len = SOCKADDR_MAX;
	return 0;
}

static int msg_in(const struct msghdr_user *h, struct sock_msg *m, struct sock_iov **iov)
{
	int err, namelen;

	if ((err = msg_namelen(h, &namelen)))
		return err;
	if (namelen && (err = msg_addr_in(m, h->name, namelen)))
		return err;
	if ((err = iov_in(h->iov, h->iovlen, iov)))
		return err;
	m->iov = *iov;
	m->niov = h->iovlen;
	if (!h->controllen)
		return 0;
	if (h->controllen > OPTMEM_MAX)
		return -ENOBUFS;
	char *ctl = kmalloc(h->controllen);
	if (!ctl)
		return -ENOMEM;
	err = copy_from_user(ctl, h->control, h->controllen) ? -EFAULT
							     : control_in(m, ctl, h->controllen);
	kfree(ctl);
	return err;
}

/*
 * The kernel lock for the rest of a send or receive on f. sendto,
 * recvfrom, sendmsg, recvmsg, readv and writev come in without it
 * (syscall.c's lock_free, but for a traced caller): a socket whose family
 * says it may be used without it (net/unix.h's unix_lock_free: a
 * connected TCP or AF_UNIX stream socket) goes on so, any other takes it
 * to the call's return (call_lock_kept: its files, handed back by
 * recvmsg's SCM_RIGHTS, are installed under it). A caller that came in
 * with it gives it up for such a socket when it is the system call
 * itself (may_drop), with nothing after it that needs the lock: a send
 * with control messages (files in flight) passes may_drop false, and
 * recvmsg takes the lock again for the files a receive hands back.
 * sendmmsg and recvmmsg keep it.
 */
void sock_call_lock(struct file *f, int flags, bool may_drop)
{
	bool free = unix_lock_free(f, flags);

	if (!this_cpu_klock_depth()) {
		if (!free)
			call_lock_kept();
	} else if (may_drop && free) {
		klock_leave_call();
	}
}

static long do_send(int fd, struct sock_msg *m, int flags, bool may_drop)
{
	struct file *f;
	long err = sock_fd(fd, &f);

	if (err) {
		sock_msg_put_fds(m);
		return err;
	}
	sock_call_lock(f, flags, may_drop);
	err = unix_sendmsg(f, m, flags); /* takes m's files */
	file_put(f);
	return err;
}

/* sendmsg, and each of sendmmsg's messages (may_drop false). */
static long sendmsg_one(int fd, uptr_t umsg, unsigned int flags, bool may_drop)
{
	struct msghdr_user h;
	struct sock_msg m;
	struct sock_iov *iov = NULL;

	sock_msg_init(&m, NULL, 0);
	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	if (h.controllen)
		call_lock_kept(); /* SCM_RIGHTS, SCM_CREDENTIALS: the kernel lock's */
	int err = msg_in(&h, &m, &iov);
	/* control messages keep the lock they took for the send (files in flight) */
	long r = err ? err : do_send(fd, &m, (int)flags, may_drop && !h.controllen);
	if (err)
		sock_msg_put_fds(&m);
	kfree(iov);
	return r;
}

SYSCALL_DEFINE3(sendmsg, int, fd, uptr_t, umsg, unsigned int, flags)
{
	return sendmsg_one(fd, umsg, flags, true);
}

SYSCALL_DEFINE6(sendto, int, fd, uptr_t, buf, size_t, len, unsigned int, flags, uptr_t, uaddr, int, alen)
{
	struct sock_iov v = { iobuf_user(buf), len < MAX_RW_COUNT ? len : MAX_RW_COUNT };
	struct sock_msg m;
	int err;

	sock_msg_init(&m, &v, 1);
	if (uaddr && alen && (err = msg_addr_in(&m, uaddr, alen)))
		return err;
	return do_send(fd, &m, (int)flags, true);
}

/* One receive into m: the count or -errno; m's files and sender filled. */
static long do_recv(int fd, struct sock_msg *m, int flags, bool may_drop)
{
	struct file *f;
	long err = sock_fd(fd, &f);

	if (err)
		return err;
	sock_call_lock(f, flags, may_drop);
	err = unix_recvmsg(f, m, flags);
	file_put(f);
	return err;
}

SYSCALL_DEFINE6(recvfrom, int, fd, uptr_t, buf, size_t, len, unsigned int, flags, uptr_t, uaddr, uptr_t, ulen)
{
	struct sock_iov v = { iobuf_user(buf), len < MAX_RW_COUNT ? len : MAX_RW_COUNT };
	struct sock_msg m;

	sock_msg_init(&m, &v, 1);
	long r = do_recv(fd, &m, (int)flags, true);

	sock_msg_put_fds(&m); /* files sent with it are closed, as on Linux */
	if (r >= 0 && uaddr) {
		int err = addr_out(&m.addr, m.addrlen, uaddr, ulen);
		if (err)
			return err;
	}
	return r;
}

/* Linux's put_cmsg for SCM_CREDENTIALS: as much as room holds (nothing
 * below a header), MSG_CTRUNC when cut. The bytes used, or -EFAULT. */
static long cred_out(struct sock_msg *m, uptr_t uctl, size_t room)
{
	struct cmsghdr_user h = { CMSG_HDR_LEN + sizeof(m->cred), SOL_SOCKET, SCM_CREDENTIALS };
	char buf[CMSG_HDR_LEN + sizeof(m->cred)] = { 0 };

	if (room < h.len)
		m->out_flags |= MSG_CTRUNC;
	if (room < sizeof(h))
		return 0;
	size_t n = room < h.len ? room : h.len;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + CMSG_HDR_LEN, &m->cred, sizeof(m->cred));
	if (copy_to_user(uctl, buf, n))
		return -EFAULT;
	return (long)(CMSG_ALIGN(n) < room ? CMSG_ALIGN(n) : room);
}

/* Linux's put_cmsg: one control message of len bytes of data, as much as
 * room holds (nothing below a header; the header says the length kept),
 * MSG_CTRUNC when cut. The bytes used, or -EFAULT. */
static long cmsg_put(struct sock_msg *m, uptr_t uctl, size_t room, int level, int type,
		     const void *data, size_t len)
{
	struct cmsghdr_user h = { CMSG_HDR_LEN + len, level, type };

	if (room < sizeof(h)) {
		m->out_flags |= MSG_CTRUNC;
		return 0;
	}
	if (room < h.len) {
		m->out_flags |= MSG_CTRUNC;
		h.len = room;
	}
	if (copy_to_user(uctl, &h, sizeof(h)) ||
	    (h.len > CMSG_HDR_LEN && copy_to_user(uctl + CMSG_HDR_LEN, data, h.len - CMSG_HDR_LEN)))
		return -EFAULT;
	return (long)(CMSG_ALIGN(CMSG_HDR_LEN + len) < room ? CMSG_ALIGN(CMSG_HDR_LEN + len) : room);
}

/* The family's control messages (net/unix.h's sock_msg cmsg), in their
 * order. The bytes used, or -EFAULT. */
static long family_cmsgs_out(struct sock_msg *m, uptr_t uctl, size_t room)
{
	long used = 0;

	for (unsigned i = 0; i < m->ncmsg; i++) {
		const struct sock_cmsg *c = &m->cmsg[i];
		long n = cmsg_put(m, uctl + (uint64_t)used, room - (size_t)used, c->level, c->type, c->data, c->len);
		if (n < 0)
			return n;
		used += n;
	}
	return used;
}

/* recvmsg's results back into the user's msghdr: control messages
 * (credentials first, as Linux's scm_recv; then the family's own),
 * name, lengths and flags. */
static long msg_out(uptr_t umsg, const struct msghdr_user *h, struct sock_msg *m, int flags)
{
	uint64_t room = h->control ? h->controllen : 0;
	long used = 0, n = 0;

	if (m->has_cred && (used = cred_out(m, h->control, room)) < 0)
		return used;
	if (m->nfds && (n = rights_out(m, h->control + (uint64_t)used, room - (uint64_t)used, flags)) < 0)
		return n;
	used += n;
	if ((n = family_cmsgs_out(m, h->control + (uint64_t)used, room - (uint64_t)used)) < 0)
		return n;
	used += n;
	if (h->name) {
		int room = h->namelen < 0 ? 0 : h->namelen;
		size_t n = (size_t)room < m->addrlen ? (size_t)room : m->addrlen;
		if (n && copy_to_user(h->name, &m->addr, n))
			return -EFAULT;
	}
	int namelen = h->name ? (int)m->addrlen : h->namelen, oflags = m->out_flags;
	uint64_t ctllen = (uint64_t)used;
	if (copy_to_user(umsg + offsetof(struct msghdr_user, namelen), &namelen, sizeof(namelen)) ||
	    copy_to_user(umsg + offsetof(struct msghdr_user, controllen), &ctllen, sizeof(ctllen)) ||
	    copy_to_user(umsg + offsetof(struct msghdr_user, flags), &oflags, sizeof(oflags)))
		return -EFAULT;
	return 0;
}

/* recvmsg, and each of recvmmsg's messages (may_drop false). */
static long recvmsg_one(int fd, uptr_t umsg, unsigned int flags, bool may_drop)
{
	struct msghdr_user h;
	struct sock_msg m;
	struct sock_iov *iov;
	int namelen;

	sock_msg_init(&m, NULL, 0);
	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	int err = msg_namelen(&h, &namelen);
	if (err || (err = iov_in(h.iov, h.iovlen, &iov)))
		return err;
	m.iov = iov;
	m.niov = h.iovlen;
	long r = do_recv(fd, &m, (int)flags, may_drop);
	if (m.nfds)
		call_lock_kept(); /* SCM_RIGHTS: installed under the kernel lock (a lock-free receive's too) */
	if (r >= 0 && (err = msg_out(umsg, &h, &m, (int)flags)))
		r = err;
	sock_msg_put_fds(&m);
	kfree(iov);
	return r;
}

SYSCALL_DEFINE3(recvmsg, int, fd, uptr_t, umsg, unsigned int, flags)
{
	return recvmsg_one(fd, umsg, flags, true);
}

/* ---- sendmmsg, recvmmsg --------------------------------------------------------------- */

/* Entry i's msg_len: 0 or -EFAULT. */
static int mmsg_len_out(uptr_t umsg, unsigned i, long n)
{
	uint32_t len = (uint32_t)n;

	return copy_to_user(umsg + i * sizeof(struct mmsghdr_user) + offsetof(struct mmsghdr_user, len),
			    &len, sizeof(len)) ? -EFAULT : 0;
}

/* Linux's __sys_sendmmsg: up to UIO_MAXIOV messages, each's msg_len
 * filled; the count sent, or the first message's error. */
SYSCALL_DEFINE4(sendmmsg, int, fd, uptr_t, umsg, unsigned int, vlen, unsigned int, flags)
{
	struct file *f;
	unsigned done = 0;
	long err = sock_fd(fd, &f);

	if (err)
		return err;
	file_put(f);
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	while (done < vlen) {
		err = sendmsg_one(fd, umsg + done * sizeof(struct mmsghdr_user), flags, false);
		if (err < 0 || (err = mmsg_len_out(umsg, done, err)))
			break;
		done++;
		if (io_should_stop())
			break;
	}
	return done ? (long)done : err;
}

/*
 * Linux's do_recvmmsg: up to vlen messages, each's msg_len filled;
 * MSG_WAITFORONE makes every receive after the first nonblocking; the
 * timeout is looked at after each message (a receive itself is not cut
 * short by it) and what is left of it written back. The count received,
 * or the first receive's error.
 */
SYSCALL_DEFINE5(recvmmsg, int, fd, uptr_t, umsg, unsigned int, vlen, unsigned int, flags, uptr_t, uts)
{
	struct file *f;
	unsigned done = 0;
	uint64_t deadline;
	long err = timeout_deadline(uts, false, &deadline);

	if (err || (err = sock_fd(fd, &f)))
		return err;
	if ((err = unix_take_error(f))) {
		file_put(f);
		return err;
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	while (done < vlen) {
		err = recvmsg_one(fd, umsg + done * sizeof(struct mmsghdr_user), flags & ~MSG_WAITFORONE, false);
		if (err < 0 || (err = mmsg_len_out(umsg, done, err)))
			break;
		done++;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (uts && time_ns() >= deadline)
			break;
		if (io_should_stop())
			break;
	}
	if (done && err < 0 && err != -EAGAIN && err != -ERESTARTSYS)
		unix_set_error(f, (int)-err); /* reported by the next call, as Linux */
	file_put(f);
	if (uts && done) {
		uint64_t now = time_ns();
		if (timespec_write(uts, now < deadline ? deadline - now : 0))
			return -EFAULT;
	}
	return done ? (long)done : err;
}

long sock_rw_iov(struct file *f, bool write, uptr_t uiov, uint64_t cnt)
{
	struct sock_msg m;
	struct sock_iov *iov;
	size_t total = 0;
	int err = iov_in(uiov, cnt, &iov);

	if (err)
		return err == -EMSGSIZE ? -EINVAL : err;
	for (uint64_t i = 0; i < cnt; i++)
		total += iov[i].len;
	sock_msg_init(&m, iov, cnt);
	long r = write ? unix_sendmsg(f, &m, 0) : total ? unix_recvmsg(f, &m, 0) : 0;
	sock_msg_put_fds(&m);
	kfree(iov);
	return r;
}
