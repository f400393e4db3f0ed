/* SPDX-License-Identifier: MIT */
/* System V IPC's identifiers: the table of one kind of object (queues, semaphore sets or segments), keys, ids and permissions, as Linux's ipc/util.c. */
#ifndef KESTREL_IPC_IPC_IDS_H
#define KESTREL_IPC_IPC_IDS_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/spinlock.h"
#include "proc/sched.h"
#include "uapi/ipc.h"

/* Linux's IPCMNI: the slots of a table; an id is seq << IPC_SEQ_SHIFT | slot. */
#define IPC_MNI        32768
#define IPC_SEQ_SHIFT  15
#define IPC_SEQ_MAX    65535        /* INT_MAX >> IPC_SEQ_SHIFT: seq wraps to 0 when it gets there */
#define IPC_MIN_CYCLE  64           /* ids cycle over at least this many slots (Linux's ipc_min_cycle) */
#define IPC_CHUNK      256          /* slots are allocated this many at a time */
#define IPC_CHUNKS     (IPC_MNI / IPC_CHUNK)
#define IPC_MODE_BITS  0777         /* S_IRWXUGO: the mode a *get and IPC_SET give */
#define IPC_READ       0444         /* ipc_may's requests: S_IRUGO ... */
#define IPC_WRITE      0222         /* ... S_IWUGO */

/*
 * One object's identity and permissions (Linux's kern_ipc_perm), the
 * first member of a queue, a semaphore set or a segment.
 *
 * Lock rule: every field, and the rest of the object it heads, belongs
 * to its table's lock. refs counts the table's reference (until
 * IPC_RMID) and one per thread asleep on the object, so that a sleeper
 * wakes to a removed object (-EIDRM) and not to freed memory; the last
 * ipc_put frees the object through the table's free.
 */
struct ipc_obj {
	int id;
	int32_t key;          /* IPC_PRIVATE once removed */
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;        /* IPC_MODE_BITS, and SHM_DEST and SHM_LOCKED for segments */
	uint16_t seq;
	bool removed;
	int refs;
	int64_t ctime;        /* the last IPC_SET or creation, in seconds */
};

/*
 * A table of one kind of object (Linux's struct ipc_ids), an id's slot
 * found in chunks of IPC_CHUNK slots allocated as the table grows. The
 * ids of new objects cycle through the slots as Linux's do (so an id
 * freed is not given again at once), or start at next_id when a program
 * set kernel.*_next_id. limit points at the kind's sysctl (msgmni,
 * semmni, shmmni).
 *
 * Lock rule: lock guards the table and every object in it; it is taken
 * with ipc_lock, never across a copy to or from user memory or a sleep,
 * and before the heap's lock (objects are allocated and freed under it).
 */
struct ipc_table {
	struct spinlock lock;
	struct ipc_obj **chunk[IPC_CHUNKS];
	int in_use;
	int max_idx;          /* the highest slot in use, -1 for none */
	int last_idx;         /* the slot taken last by the cyclic search, -1 at first */
	int cursor;           /* where the cyclic search starts */
	unsigned seq;         /* 0 .. IPC_SEQ_MAX - 1 */
	int64_t next_id;      /* kernel.*_next_id: -1, or the id the next object gets */
	const int64_t *limit; /* the kind's *mni */
	void (*free)(struct ipc_obj *o);
};

uint64_t ipc_lock(struct ipc_table *t);
void ipc_unlock(struct ipc_table *t, uint64_t flags);

/* The object with id id (its slot and sequence both match), or NULL
 * (Linux: -EINVAL). The table locked. */
struct ipc_obj *ipc_find_id(struct ipc_table *t, int id);
/* The object in slot id & (IPC_MNI - 1), whatever its sequence (the
 * *_STAT commands, and Linux's ipc_obtain_object_idr): or NULL. */
struct ipc_obj *ipc_find_slot(struct ipc_table *t, int id);
/* The object with key (not IPC_PRIVATE), or NULL. */
struct ipc_obj *ipc_find_key(struct ipc_table *t, int32_t key);

/* Put o, zeroed but for its kind's fields, into the table with key and
 * the mode bits of flg, owned by the caller's effective ids: 0 (o->id
 * set, one reference, the table's), or -ENOSPC (the table holds its
 * *mni objects), -ENOMEM. The table locked. */
int ipc_add(struct ipc_table *t, struct ipc_obj *o, int32_t key, int flg);
/* IPC_RMID: o leaves the table (its key and slot free for others), is
 * marked removed and its table reference dropped. The table locked. */
void ipc_remove(struct ipc_table *t, struct ipc_obj *o);
/* A sleeper's reference, and its release (the last frees o). Locked. */
void ipc_get(struct ipc_obj *o);
void ipc_put(struct ipc_table *t, struct ipc_obj *o);

/*
 * Sleep on wq for a change of o: the table's lock is let go for the
 * sleep and taken again (*flags updated). 0, or -EIDRM when o was
 * removed meanwhile. The caller looks at its condition again, and at
 * signals. deadline: time_ns(), or NO_DEADLINE.
 */
int ipc_wait(struct ipc_table *t, struct ipc_obj *o, struct wait_queue *wq, uint64_t deadline,
	     uint64_t *flags);

/* The *get calls' lookup (Linux's ipcget): the object with key, or a
 * new one made by create (called with the table locked, returning its
 * id or an error) when the key is IPC_PRIVATE or is not in use and flg
 * has IPC_CREAT; an existing one is checked by check (may be NULL: an
 * error, or 0) and then for the access flg's mode bits ask. Its id, or
 * -ENOENT, -EEXIST (IPC_CREAT|IPC_EXCL), -EACCES, create's or check's
 * error. */
int ipc_get_or_create(struct ipc_table *t, int32_t key, int flg,
		      int (*create)(struct ipc_table *t, int32_t key, int flg, void *arg),
		      int (*check)(const struct ipc_obj *o, void *arg), void *arg);

/* Linux's ipcperms: may the caller have the access asked (IPC_READ,
 * IPC_WRITE, or a *get's mode bits) to o? The owner's bits, or the
 * group's, or the others'; CAP_IPC_OWNER grants all. */
bool ipc_may(const struct ipc_obj *o, int ask);
/* IPC_SET and IPC_RMID's rule: the caller's effective uid is o's owner
 * or creator, or it has CAP_SYS_ADMIN. */
bool ipc_is_owner(const struct ipc_obj *o);
/* IPC_STAT's ipc64_perm of o. */
void ipc_perm_out(const struct ipc_obj *o, struct ipc64_perm *p);
/* IPC_SET: o's owner and mode bits from p; ctime now. */
void ipc_perm_set(struct ipc_obj *o, const struct ipc64_perm *p);
/* The *_INFO commands' return value: the highest slot in use, or 0. */
int ipc_max_idx(const struct ipc_table *t);

/* Seconds since the epoch, as the objects' times are kept. */
int64_t ipc_now(void);
/* The caller's process id, as the lspid/lrpid/sempid/cpid fields keep it. */
int ipc_pid(void);

/* Each object of t in slot order: fn(o, arg), t locked (for /proc/sysvipc). */
void ipc_for_each(struct ipc_table *t, void (*fn)(struct ipc_obj *o, void *arg), void *arg);

#endif
