/* SPDX-License-Identifier: MIT */
/* Linux's System V IPC ABI on x86_64: ipcbuf.h, msgbuf.h, sembuf.h, shmbuf.h, ipc.h, msg.h, sem.h, shm.h. */
#ifndef KESTREL_UAPI_IPC_H
#define KESTREL_UAPI_IPC_H

#include <stdint.h>

#define IPC_PRIVATE 0

/* The flags of the *get calls (with the low 9 bits a mode). */
#define IPC_CREAT   00001000
#define IPC_EXCL    00002000
#define IPC_NOWAIT  00004000

/* The commands every *ctl takes. x86_64 has no IPC_64 bit to strip: a
 * command with it (0x100) is unknown, -EINVAL, as on Linux. */
#define IPC_RMID 0
#define IPC_SET  1
#define IPC_STAT 2
#define IPC_INFO 3

/* msgctl's own, msgrcv's flags. */
#define MSG_STAT     11
#define MSG_INFO     12
#define MSG_STAT_ANY 13
#define MSG_NOERROR  010000
#define MSG_EXCEPT   020000
#define MSG_COPY     040000

/* semctl's own, semop's SEM_UNDO. */
#define GETPID  11
#define GETVAL  12
#define GETALL  13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL  16
#define SETALL  17
#define SEM_STAT     18
#define SEM_INFO     19
#define SEM_STAT_ANY 20
#define SEM_UNDO     0x1000

/* shmctl's own, shmat's flags, the mode bits of a segment. */
#define SHM_LOCK     11
#define SHM_UNLOCK   12
#define SHM_STAT     13
#define SHM_INFO     14
#define SHM_STAT_ANY 15
#define SHM_RDONLY   010000
#define SHM_RND      020000
#define SHM_REMAP    040000
#define SHM_EXEC     0100000
#define SHM_DEST     01000   /* removed, destroyed at the last detach */
#define SHM_LOCKED   02000   /* SHM_LOCK'd */
#define SHM_HUGETLB  04000

struct ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq;
	uint16_t pad2;
	uint64_t unused1, unused2;
};

struct msqid64_ds {
	struct ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};

struct msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

struct sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

struct semid64_ds {
	struct ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};

struct seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct shmid64_ds {
	struct ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4, unused5;
};

struct shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused1, unused2, unused3, unused4;
};

struct shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

_Static_assert(sizeof(struct ipc64_perm) == 48, "Linux's ipc64_perm");
_Static_assert(sizeof(struct msqid64_ds) == 120, "Linux's msqid64_ds");
_Static_assert(sizeof(struct semid64_ds) == 104, "Linux's semid64_ds");
_Static_assert(sizeof(struct shmid64_ds) == 112, "Linux's shmid64_ds");
_Static_assert(sizeof(struct msginfo) == 32, "Linux's msginfo");
_Static_assert(sizeof(struct shm_info) == 48, "Linux's shm_info");

#endif
