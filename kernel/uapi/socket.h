/* SPDX-License-Identifier: MIT */
/* Linux's socket ABI for AF_UNIX: families, types, flags, options, message flags and the structures that cross the system calls (x86_64 layouts). */
#ifndef KESTREL_UAPI_SOCKET_H
#define KESTREL_UAPI_SOCKET_H

#include <stdint.h>

/* address families */
#define AF_UNSPEC 0
#define AF_UNIX   1
#define AF_MAX    46   /* families Linux 6.1 numbers: past it, EAFNOSUPPORT */

/* socket types, and the flags socket(2), socketpair(2) and accept4(2) add to them */
#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_RDM       4
#define SOCK_SEQPACKET 5
#define SOCK_MAX       11        /* SOCK_PACKET + 1: a type past it is EINVAL */
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK  04000     /* O_NONBLOCK */
#define SOCK_CLOEXEC   02000000  /* O_CLOEXEC */

/* shutdown(2) */
#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2

/* listen(2)'s backlog is cut to net.core.somaxconn */
#define SOMAXCONN 4096

/* socket options, level SOL_SOCKET */
#define SOL_SOCKET    1
#define SO_DEBUG      1
#define SO_REUSEADDR  2
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_DONTROUTE  5
#define SO_BROADCAST  6
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_OOBINLINE  10
#define SO_NO_CHECK   11
#define SO_PRIORITY   12
#define SO_LINGER     13
#define SO_REUSEPORT  15
#define SO_PASSCRED   16
#define SO_PEERCRED   17
#define SO_RCVLOWAT   18
#define SO_SNDLOWAT   19
#define SO_RCVTIMEO   20
#define SO_SNDTIMEO   21
#define SO_BINDTODEVICE 25  /* an interface name (at most IFNAMSIZ - 1 bytes); "": none */
#define SO_ATTACH_FILTER 26 /* struct sock_fprog (uapi/filter.h) */
#define SO_DETACH_FILTER 27
#define SO_TIMESTAMP  29  /* SO_TIMESTAMP_OLD: a struct timeval control message on each receive */
#define SO_ACCEPTCONN 30
#define SO_PEERSEC    31
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PASSSEC    34
#define SO_TIMESTAMPNS 35 /* SO_TIMESTAMPNS_OLD: a struct timespec */
#define SO_PROTOCOL   38
#define SO_DOMAIN     39
#define SO_LOCK_FILTER 44
#define SO_MEMINFO    55  /* u32 mem[SK_MEMINFO_VARS]: the socket's memory, as sock_diag's SKMEMINFO */
#define SO_ZEROCOPY   60  /* MSG_ZEROCOPY sends allowed (TCP and UDP) */
#define SO_TIMESTAMP_NEW   63 /* the same, as struct __kernel_sock_timeval (the layout of */
#define SO_TIMESTAMPNS_NEW 64 /* x86_64's timeval and timespec) */
#define SO_RCVTIMEO_NEW 66  /* the same struct timeval on x86_64 */
#define SO_SNDTIMEO_NEW 67

/* SO_MEMINFO's slots (linux/sock_diag.h) */
#define SK_MEMINFO_RMEM_ALLOC   0  /* received, not yet read */
#define SK_MEMINFO_RCVBUF       1
#define SK_MEMINFO_WMEM_ALLOC   2  /* sent down to the device, not yet freed */
#define SK_MEMINFO_SNDBUF       3
#define SK_MEMINFO_FWD_ALLOC    4
#define SK_MEMINFO_WMEM_QUEUED  5  /* TCP's send queue (sk_wmem_queued) */
#define SK_MEMINFO_OPTMEM       6
#define SK_MEMINFO_BACKLOG      7
#define SK_MEMINFO_DROPS        8
#define SK_MEMINFO_VARS         9

/* send/recv flags */
#define MSG_OOB          0x1
#define MSG_PEEK         0x2
#define MSG_DONTROUTE    0x4
#define MSG_CTRUNC       0x8
#define MSG_TRUNC        0x20
#define MSG_DONTWAIT     0x40
#define MSG_EOR          0x80
#define MSG_WAITALL      0x100
#define MSG_ERRQUEUE     0x2000
#define MSG_NOSIGNAL     0x4000
#define MSG_MORE         0x8000
#define MSG_ZEROCOPY     0x4000000 /* with SO_ZEROCOPY: a completion on the error queue */
#define MSG_CMSG_CLOEXEC 0x40000000

/* control messages, level SOL_SOCKET */
#define SCM_RIGHTS      1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD      253   /* descriptors in one SCM_RIGHTS message, at most */

/* struct sockaddr_un: the family, then a path (NUL-terminated unless it
 * fills the field) or an abstract name (a NUL, then bytes). */
#define UNIX_PATH_MAX 108
struct sockaddr_un {
	uint16_t sun_family;
	char sun_path[UNIX_PATH_MAX];
};
#define SUN_PATH_OFFSET 2  /* offsetof(struct sockaddr_un, sun_path) */

/* SO_RCVTIMEO/SO_SNDTIMEO's struct timeval (x86_64) */
struct sock_timeval {
	int64_t sec, usec;
};

/* struct linger (SO_LINGER) */
struct linger_user {
	int32_t onoff;
	int32_t secs;
};

/* struct ucred (SO_PEERCRED) */
struct ucred {
	int32_t pid;
	uint32_t uid, gid;
};

/* struct msghdr and struct cmsghdr, x86_64 */
struct msghdr_user {
	uint64_t name;       /* void * */
	int32_t namelen;     /* socklen_t */
	int32_t pad0;
	uint64_t iov;        /* struct iovec * */
	uint64_t iovlen;     /* size_t */
	uint64_t control;    /* void * */
	uint64_t controllen; /* size_t */
	int32_t flags;
	int32_t pad1;
};
_Static_assert(sizeof(struct msghdr_user) == 56, "struct msghdr is 56 bytes on x86_64");

/* struct mmsghdr (sendmmsg, recvmmsg): a msghdr and the bytes it moved */
struct mmsghdr_user {
	struct msghdr_user hdr;
	uint32_t len;        /* unsigned int msg_len */
	int32_t pad;
};
_Static_assert(sizeof(struct mmsghdr_user) == 64, "struct mmsghdr is 64 bytes on x86_64");
#define MSG_WAITFORONE 0x10000 /* recvmmsg: MSG_DONTWAIT after the first message */

struct cmsghdr_user {
	uint64_t len;        /* size_t: header and data, unpadded */
	int32_t level;
	int32_t type;
};
#define CMSG_ALIGN_TO 8  /* sizeof(size_t) */
#define CMSG_ALIGN(n) (((n) + CMSG_ALIGN_TO - 1) & ~(uint64_t)(CMSG_ALIGN_TO - 1))
#define CMSG_HDR_LEN  CMSG_ALIGN(sizeof(struct cmsghdr_user))

#endif
