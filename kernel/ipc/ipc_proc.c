// SPDX-License-Identifier: MIT
/*
 * Kestrel: System V IPC's files: the kernel.* sysctls of its limits
 * (Linux's ipc/ipc_sysctl.c, with its bounds) and /proc/sysvipc/{msg,
 * sem,shm}, which /proc reaches through procfs_ipc_show so that fs/
 * calls nothing of ipc/; and the hook that applies SEM_UNDO at exit.
 */
#include "ipc/ipc.h"
#include "fs/procfs_sys.h"
#include "fs/sbuf.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "lib/string.h"

#define INT_MAX_V 2147483647

/* fs/procfs.c's hook for /proc/sysvipc/NAME. */
extern void (*procfs_ipc_show)(const char *name, struct sbuf *s);

static void ipc_show(const char *name, struct sbuf *s)
{
	if (strcmp(name, "msg") == 0)
		msg_proc_show(s);
	else if (strcmp(name, "sem") == 0)
		sem_proc_show(s);
	else if (strcmp(name, "shm") == 0)
		shm_proc_show(s);
}

static void sem_get(int64_t *v)
{
	for (int i = 0; i < 4; i++)
		v[i] = __atomic_load_n(&sem_limits[i], __ATOMIC_RELAXED);
}

/* shmmax and shmall: unsigned longs, any value (proc_doulongvec_minmax
 * without bounds; the parser refused a sign and overflow). */
static void shmmax_get(int64_t *v)
{
	v[0] = __atomic_load_n(&shm_limits[SHM_MAX_I], __ATOMIC_RELAXED);
}

static int shmmax_set(const int64_t *v)
{
	__atomic_store_n(&shm_limits[SHM_MAX_I], v[0], __ATOMIC_RELAXED);
	return 0;
}

static void shmall_get(int64_t *v)
{
	v[0] = __atomic_load_n(&shm_limits[SHM_ALL_I], __ATOMIC_RELAXED);
}

static int shmall_set(const int64_t *v)
{
	__atomic_store_n(&shm_limits[SHM_ALL_I], v[0], __ATOMIC_RELAXED);
	return 0;
}

#define KERNEL_RW(nm, ptr, lo, hi) \
	{ .name = nm, .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .data = ptr, .min = lo, .max = hi }

static const struct sysctl_file ipc_files[] = {
	KERNEL_RW("msgmax", &msg_limits[MSG_MAX_I], 0, INT_MAX_V),
	KERNEL_RW("msgmnb", &msg_limits[MSG_MNB_I], 0, INT_MAX_V),
	KERNEL_RW("msgmni", &msg_limits[MSG_MNI_I], 0, IPC_MNI),
	{ .name = "sem", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 4, .get = sem_get,
	  .set = sem_limits_set },
	{ .name = "shmmax", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .kind = SYSCTL_ULONG,
	  .get = shmmax_get, .set = shmmax_set },
	{ .name = "shmall", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .kind = SYSCTL_ULONG,
	  .get = shmall_get, .set = shmall_set },
	KERNEL_RW("shmmni", &shm_limits[SHM_MNI_I], 0, IPC_MNI),
	/* Kestrel keeps a segment nobody attaches until IPC_RMID, as Linux's
	 * default 0: destroying orphans at exit (1) is -EINVAL */
	{ .name = "shm_rmid_forced", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1, .value = 0 },
	/* the id the next object gets, -1 for the usual choice (read: -1 once used) */
	KERNEL_RW("msg_next_id", &msg_table.next_id, -1, INT_MAX_V),
	KERNEL_RW("sem_next_id", &sem_table.next_id, -1, INT_MAX_V),
	KERNEL_RW("shm_next_id", &shm_table.next_id, -1, INT_MAX_V),
};

void ipc_init(void)
{
	procfs_sysctl_register(ipc_files, sizeof(ipc_files) / sizeof(ipc_files[0]));
	procfs_ipc_show = ipc_show;
	process_add_exit_hook(sem_undo_exit);
}
