/* SPDX-License-Identifier: MIT */
/* System V IPC: message queues (msg.c), semaphore sets (sem.c), shared memory segments (shm.c), their sysctls and /proc/sysvipc (ipc_proc.c). */
#ifndef KESTREL_IPC_IPC_H
#define KESTREL_IPC_IPC_H

#include <stdbool.h>
#include <stdint.h>
#include "ipc/ipc_ids.h"

struct process;
struct shmem;
struct sbuf;

/* Linux's defaults (include/uapi/linux/{msg,sem,shm}.h). */
#define MSGMAX_DEFAULT 8192        /* the largest message */
#define MSGMNB_DEFAULT 16384       /* a new queue's msg_qbytes */
#define MSGMNI_DEFAULT 32000       /* queues */
#define SEMMSL_DEFAULT 32000       /* semaphores in a set */
#define SEMMNS_DEFAULT 1024000000  /* semaphores in all */
#define SEMOPM_DEFAULT 500         /* operations in one semop */
#define SEMMNI_DEFAULT 32000       /* sets */
#define SEMVMX         32767       /* the largest semaphore value */
#define SEMAEM         SEMVMX      /* the largest undo adjustment */
#define SHMMNI_DEFAULT 4096        /* segments */
#define SHMMIN         1           /* the smallest segment */
#define SHMMAX_DEFAULT (UINT64_MAX - (1ull << 24)) /* bytes of a segment; shmall, pages in all */

/* The sysctls, kernel.msgmax ... (ipc_proc.c lists them). Read and
 * written whole (__atomic); sem_limits is kernel.sem's four, in its
 * order: semmsl, semmns, semopm, semmni (written under the sets' lock). */
extern int64_t msg_limits[3];      /* msgmax, msgmnb, msgmni */
extern int64_t sem_limits[4];
extern int64_t shm_limits[3];      /* shmmax, shmall, shmmni */
extern int64_t shm_rmid_forced;
enum { MSG_MAX_I, MSG_MNB_I, MSG_MNI_I };
enum { SEM_MSL_I, SEM_MNS_I, SEM_OPM_I, SEM_MNI_I };
enum { SHM_MAX_I, SHM_ALL_I, SHM_MNI_I };

/* The three tables (kernel.*_next_id is each one's next_id). */
extern struct ipc_table msg_table, sem_table, shm_table;

/* /proc/sysvipc/msg, sem and shm: a header and a line per object. */
void msg_proc_show(struct sbuf *s);
void sem_proc_show(struct sbuf *s);
void shm_proc_show(struct sbuf *s);
/* kernel.sem's write: the four numbers, semmni at most IPC_MNI. */
int sem_limits_set(const int64_t *v);

/*
 * SEM_UNDO's adjustments belong to a process (with CLONE_SYSVSEM, to
 * all the processes sharing them) and are applied when the last of
 * them exits (Linux's exit_sem). fork: the child starts with none, or
 * shares the parent's (share), which sem_undo_share_prepare made sure
 * exists before the fork (0, or -ENOMEM), as Linux's copy_semundo makes
 * one to share even before the first SEM_UNDO.
 */
int sem_undo_share_prepare(struct process *p);
void sem_undo_fork(struct process *parent, struct process *child, bool share);
/* unshare(CLONE_SYSVSEM) and the process's end: leave the adjustments
 * shared, applying them when the caller was the last to hold them. */
void sem_undo_exit(struct process *p);

/*
 * shmat's half in ipc/: the segment shmid as the caller may attach it
 * (ask: IPC_READ, with IPC_WRITE unless SHM_RDONLY, 0111 for SHM_EXEC):
 * its memory object with a reference for the mapping and its size in
 * bytes (shm_segsz). 0, -EINVAL (no such id), -EACCES, -EIDRM (being
 * destroyed), -ENOMEM. The mapping's coming and going record the attach
 * and the detach themselves (the object's hooks).
 */
int shm_attach(int shmid, int ask, struct shmem **obj, uint64_t *size);
/* remap_file_pages of a segment's region, its range unmapped already
 * (the caller holds a reference on obj): Linux's shm_mmap opens the
 * segment again by its id, which is gone (-EINVAL) when IPC_RMID removed
 * it and the unmap took its last attach. True then. */
bool shm_remap_gone(struct shmem *obj);

/* Register the sysctls, /proc/sysvipc and the exit hook; boot time. */
void ipc_init(void);

#endif
