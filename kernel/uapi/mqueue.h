/* SPDX-License-Identifier: MIT */
/* Linux's POSIX message queue ABI on x86_64: include/uapi/linux/mqueue.h, the limits of include/linux/ipc_namespace.h and si_code SI_MESGQ. */
#ifndef KESTREL_UAPI_MQUEUE_H
#define KESTREL_UAPI_MQUEUE_H

#include <stdint.h>

/* struct mq_attr: mq_open's attributes, mq_getsetattr's both ways. */
struct mq_attr_k {
	int64_t flags;        /* mq_flags: O_NONBLOCK alone */
	int64_t maxmsg;       /* messages the queue holds */
	int64_t msgsize;      /* bytes of its largest message */
	int64_t curmsgs;      /* messages in it now */
	int64_t reserved[4];
};

#define MQ_PRIO_MAX        32768    /* priorities are below it */
#define MQ_BYTES_MAX       819200   /* RLIMIT_MSGQUEUE's default */

/* /proc/sys/fs/mqueue's defaults and the bounds of their writes. */
#define MQ_QUEUES_DEFAULT  256      /* DFLT_QUEUESMAX */
#define MQ_MSG_DEFAULT     10       /* DFLT_MSG and DFLT_MSGMAX */
#define MQ_MSGSIZE_DEFAULT 8192     /* DFLT_MSGSIZE and DFLT_MSGSIZEMAX */
#define MQ_MSG_MIN         1        /* MIN_MSGMAX */
#define MQ_MSG_HARD        65536    /* HARD_MSGMAX: also CAP_SYS_RESOURCE's bound */
#define MQ_MSGSIZE_MIN     128      /* MIN_MSGSIZEMAX */
#define MQ_MSGSIZE_HARD    (16 * 1024 * 1024) /* HARD_MSGSIZEMAX */

/* SIGEV_THREAD's netlink cookie: sigev_value points at NOTIFY_COOKIE_LEN
 * bytes, sent back with the last one saying why. */
#define NOTIFY_COOKIE_LEN  32
#define NOTIFY_WOKENUP     1
#define NOTIFY_REMOVED     2

#define SI_MESGQ           (-3)     /* siginfo's si_code of a queue's notification */
#define MQUEUE_MAGIC       0x19800202u

#endif
