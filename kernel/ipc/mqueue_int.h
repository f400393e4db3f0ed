/* SPDX-License-Identifier: MIT */
/* POSIX message queues' inside, shared by mqueue.c (a queue: messages, waiters, notification, its file) and mqueue_fs.c (the names, limits and accounting, mq_open and mq_unlink, the mqueue file system). */
#ifndef KESTREL_IPC_MQUEUE_INT_H
#define KESTREL_IPC_MQUEUE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/spinlock.h"
#include "proc/sched.h"
#include "uapi/mqueue.h"

struct file;
struct inode;

/* One message: prio and len bytes of text. */
struct mq_msg {
	struct mq_msg *next;
	size_t len;
	unsigned prio;
	char text[];
};

/* The messages of one priority, in arrival order (Linux's
 * posix_msg_tree_node, in a list instead of a tree). */
struct mq_level {
	struct mq_level *next;     /* the next lower priority */
	unsigned prio;
	struct mq_msg *head, **tail;
};

/* A sender or receiver asleep on a full or empty queue, on its stack.
 * The one who serves it (Linux's pipelined send and receive) hands msg
 * over (to a receiver) or takes it in (from a sender), sets ready and
 * wakes wq with the queue's lock held; the sleeper takes the lock again
 * before it returns, so its frame outlives the wake. */
struct mq_waiter {
	struct mq_waiter *next;
	struct wait_queue wq;
	struct mq_msg *msg;
	bool ready;
};

/* mq_notify's registration. */
struct mq_notify {
	int kind;                  /* SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD */
	int signo;                 /* SIGEV_SIGNAL's (0: none sent) */
	uint64_t value;            /* ... and its si_value */
	struct file *sock;         /* SIGEV_THREAD's netlink socket (a reference) */
	uint8_t cookie[NOTIFY_COOKIE_LEN];
};

/*
 * A queue (Linux's mqueue_inode_info), its inode's priv: the inode is
 * the queue's life (a name holds a reference, and every open file; the
 * last inode_put of an unlinked queue evicts it, mqueue_destroy).
 *
 * Lock rules: lock (never held across a copy to or from user memory, a
 * sleep, a signal's sending or a netlink delivery) guards the messages,
 * the waiters, curmsgs, qsize and the registration. maxmsg, msgsize,
 * charged_*, ip are set at creation and constant. name and next belong
 * to mq_names_lock (mqueue_fs.c).
 */
struct mqueue {
	struct spinlock lock;
	int64_t maxmsg, msgsize;   /* mq_attr's, at creation */
	int64_t curmsgs;
	uint64_t qsize;            /* the bytes of all its messages' text */
	struct mq_level *levels;   /* highest priority first */
	struct mq_level *spare;    /* a level kept for the next new priority */
	struct mq_waiter *senders, *receivers; /* in arrival order */
	int notify_pid;            /* the registered process (0: none) ... */
	uint64_t notify_start;     /* ... and its start_ns, so a pid used again is not it */
	struct mq_notify notify;

	uint32_t charged_uid;      /* whose RLIMIT_MSGQUEUE bytes it holds ... */
	uint64_t charged;          /* ... and how many (Linux's mq_bytes) */
	struct inode *ip;          /* its inode (not a reference) */

	char *name;                /* while it has one: mq_names_lock */
	struct mqueue *next;
};

/* mqueue.c: a new empty queue (its inode and accounting are the
 * caller's), or NULL; and its end, from the inode's eviction: messages,
 * levels and registration freed (the accounting is the caller's). */
struct mqueue *mqueue_alloc(int64_t maxmsg, int64_t msgsize);
void mqueue_free(struct mqueue *q);
/* The open file operations of a queue's file (read: the QSIZE line). */
extern const struct file_ops mqueue_file_ops;

#endif
