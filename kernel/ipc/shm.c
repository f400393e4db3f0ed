// SPDX-License-Identifier: MIT
/*
 * Kestrel: System V shared memory segments (shmget, shmctl; shmat and
 * shmdt map and unmap them in sys/sys_mem.c), as Linux's ipc/shm.c. A
 * segment is a memory object (mm/shmem.h) of its size in pages, filled
 * on first touch; each attach is a shared region of it. The regions
 * mapping it (the object's reverse map) are its attaches: shm_nattch
 * counts them, so fork, exit, munmap and region splits count as Linux's
 * vma open and close do, and each region's coming and going is an attach
 * and a detach (the object's mapped and unmapped hooks: shm_atime and
 * shm_dtime, shm_lpid). IPC_RMID of an attached segment marks it
 * SHM_DEST and gives up its key; the segment goes when its last region
 * does (the object's release hook), its id working until then.
 *
 * Lock rule: shm_table's lock (ipc/ipc_ids.h) guards every segment and
 * shm_tot. A segment holds a reference on its object until IPC_RMID;
 * no region of it is unmapped, and the object is not put while its
 * hooks are set, with the lock held (the hooks take it). The reverse map is read under the
 * kernel lock, as the address spaces that change it are (mm/uvm.h).
 */
#include "ipc/ipc.h"
#include "fs/sbuf.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/shmem.h"
#include "mm/usercopy.h"
#include "mm/uvm.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "sys/syscall_define.h"
#include "lib/errno.h"

#define SHMSEG SHMMNI_DEFAULT /* shminfo's shmseg, as Linux reports it */

int64_t shm_limits[3] = { (int64_t)SHMMAX_DEFAULT, (int64_t)SHMMAX_DEFAULT, SHMMNI_DEFAULT };
int64_t shm_rmid_forced;

struct shm_seg {
	struct ipc_obj perm;
	uint64_t segsz;            /* bytes, as asked */
	int64_t atime, dtime;
	int cpid, lpid;
	struct shmem *obj;
	uint64_t rss;              /* the object's pages in memory (shmem_set_acct) */
};

static void seg_free(struct ipc_obj *o);
static void seg_mapped(void *arg);
static void seg_unmapped(void *arg);
static void seg_gone(void *arg);
static const struct shmem_hooks seg_hooks = { .mapped = seg_mapped, .unmapped = seg_unmapped,
					      .release = seg_gone };
struct ipc_table shm_table = { .max_idx = -1, .last_idx = -1, .next_id = -1,
			       .limit = &shm_limits[SHM_MNI_I], .free = seg_free };
static uint64_t shm_tot;                 /* pages of all segments, within shmall */
static const uint64_t rss_unlimited = UINT64_MAX;

static uint64_t limit(int i)
{
	return (uint64_t)__atomic_load_n(&shm_limits[i], __ATOMIC_RELAXED);
}

static struct shm_seg *seg_of(struct ipc_obj *o)
{
	return (struct shm_seg *)o;
}

static void seg_free(struct ipc_obj *o)
{
	kfree(seg_of(o));
}

static uint64_t seg_pages(const struct shm_seg *seg)
{
	return page_round_up(seg->segsz) / PAGE_SIZE;
}

/* shm_nattch: the regions mapping the segment's object. */
static uint64_t nattch(const struct shm_seg *seg)
{
	uint64_t n = 0;

	for (const struct vma *v = *shmem_rmap(seg->obj); v; v = v->obj_next)
		n++;
	return n;
}

/* ---- shmget --------------------------------------------------------------------- */

/* SHM_HUGETLB: Kestrel has no huge pages, as a Linux whose pool is
 * empty: -ENOMEM, or first -EPERM for a caller Linux's
 * can_do_hugetlb_shm and user_shm_lock refuse (no CAP_IPC_LOCK, not in
 * vm.hugetlb_shm_group 0, the size past RLIMIT_MEMLOCK). */
static int hugetlb_refusal(uint64_t npages)
{
	uint64_t memlock = rlimit_cur(current_process(), RLIMIT_MEMLOCK) / PAGE_SIZE;

	if (!capable(CAP_IPC_LOCK) && !cred_in_group(current_cred(), 0) && npages > memlock)
		return -EPERM;
	return -ENOMEM;
}

static int seg_create(struct ipc_table *t, int32_t key, int flg, void *arg)
{
	uint64_t size = *(uint64_t *)arg;
	uint64_t npages = page_round_up(size) / PAGE_SIZE;

	if (size < SHMMIN || size > limit(SHM_MAX_I))
		return -EINVAL;
	if (!npages || shm_tot + npages < shm_tot || shm_tot + npages > limit(SHM_ALL_I))
		return -ENOSPC;
	if (flg & SHM_HUGETLB)
		return hugetlb_refusal(npages);
	struct shm_seg *seg = kzalloc(sizeof(*seg));
	if (!seg || !(seg->obj = shmem_create(npages))) {
		kfree(seg);
		return -ENOMEM;
	}
	shmem_set_acct(seg->obj, &seg->rss, &rss_unlimited);
	int err = ipc_add(t, &seg->perm, key, flg);
	if (err) {
		shmem_put(seg->obj); /* no hooks yet */
		kfree(seg);
		return err;
	}
	shmem_set_hooks(seg->obj, &seg_hooks, seg);
	seg->segsz = size;
	seg->cpid = ipc_pid();
	shm_tot += npages;
	return seg->perm.id;
}

/* An existing segment asked for more than its size: -EINVAL. */
static int seg_check(const struct ipc_obj *o, void *arg)
{
	return *(uint64_t *)arg > seg_of((struct ipc_obj *)o)->segsz ? -EINVAL : 0;
}

SYSCALL_DEFINE3(shmget, int, key, size_t, size, int, shmflg)
{
	return ipc_get_or_create(&shm_table, key, shmflg, seg_create, seg_check, &size);
}

/* ---- attaching ------------------------------------------------------------------ */

int shm_attach(int shmid, int ask, struct shmem **obj, uint64_t *size)
{
	uint64_t fl = ipc_lock(&shm_table);
	struct shm_seg *seg = (struct shm_seg *)ipc_find_id(&shm_table, shmid);
	int r = !seg ? -EINVAL : !ipc_may(&seg->perm, ask) ? -EACCES
	      : !shmem_tryget(seg->obj) ? -EIDRM : 0;

	if (!r) {
		*obj = seg->obj;
		*size = seg->segsz;
	}
	ipc_unlock(&shm_table, fl);
	return r;
}

bool shm_remap_gone(struct shmem *obj)
{
	uint64_t fl = ipc_lock(&shm_table);
	struct shm_seg *seg = shmem_hook_arg(obj, &seg_hooks);
	bool gone = seg && (seg->perm.mode & SHM_DEST) && !nattch(seg);

	ipc_unlock(&shm_table, fl);
	return gone;
}

/* The object's mapped hook: a region of the segment came (shmat, a
 * fork's copy, a split), as Linux's shm_open. */
static void seg_mapped(void *arg)
{
	struct shm_seg *seg = arg;
	uint64_t fl = ipc_lock(&shm_table);

	seg->atime = ipc_now();
	seg->lpid = ipc_pid();
	ipc_unlock(&shm_table, fl);
}

/* The object's unmapped hook: a region of the segment went (shmdt,
 * munmap, exit), as Linux's shm_close. */
static void seg_unmapped(void *arg)
{
	struct shm_seg *seg = arg;
	uint64_t fl = ipc_lock(&shm_table);

	seg->dtime = ipc_now();
	seg->lpid = ipc_pid();
	ipc_unlock(&shm_table, fl);
}

/* ---- shmctl --------------------------------------------------------------------- */

static void add_rss(struct ipc_obj *o, void *arg)
{
	*(uint64_t *)arg += seg_of(o)->rss;
}

static long shm_info_cmd(int cmd, uptr_t buf)
{
	struct shminfo64 si = {
		.shmmax = limit(SHM_MAX_I), .shmmin = SHMMIN, .shmmni = limit(SHM_MNI_I),
		.shmseg = SHMSEG, .shmall = limit(SHM_ALL_I),
	};
	struct shm_info info = { 0 };
	uint64_t fl = ipc_lock(&shm_table);

	info.used_ids = shm_table.in_use;
	info.shm_tot = shm_tot;
	ipc_for_each(&shm_table, add_rss, &info.shm_rss);
	int max = ipc_max_idx(&shm_table);
	ipc_unlock(&shm_table, fl);
	if (cmd == IPC_INFO ? copy_to_user(buf, &si, sizeof(si)) : copy_to_user(buf, &info, sizeof(info)))
		return -EFAULT;
	return max;
}

static long shm_stat(int shmid, int cmd, uptr_t buf)
{
	uint64_t fl = ipc_lock(&shm_table);
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find_id(&shm_table, shmid)
					    : ipc_find_slot(&shm_table, shmid);
	struct shmid64_ds ds = { 0 };
	long r = !o ? -EINVAL : cmd != SHM_STAT_ANY && !ipc_may(o, IPC_READ) ? -EACCES
		: cmd == IPC_STAT ? 0 : o->id;

	if (r >= 0) {
		const struct shm_seg *seg = seg_of(o);
		ipc_perm_out(o, &ds.shm_perm);
		ds.shm_segsz = seg->segsz;
		ds.shm_atime = seg->atime;
		ds.shm_dtime = seg->dtime;
		ds.shm_ctime = o->ctime;
		ds.shm_cpid = seg->cpid;
		ds.shm_lpid = seg->lpid;
		ds.shm_nattch = nattch(seg);
	}
	ipc_unlock(&shm_table, fl);
	if (r >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return r;
}

/* SHM_LOCK and SHM_UNLOCK: recorded in the mode (Kestrel never swaps).
 * Without CAP_IPC_LOCK only the owner or creator, and SHM_LOCK only with
 * a non-zero RLIMIT_MEMLOCK (Linux's shmctl_do_lock). */
static long shm_lock_cmd(int shmid, int cmd)
{
	bool memlock = rlimit_cur(current_process(), RLIMIT_MEMLOCK) != 0;
	uint64_t fl = ipc_lock(&shm_table);
	struct ipc_obj *o = ipc_find_id(&shm_table, shmid);
	long r = !o ? -EINVAL : 0;

	if (!r && !capable(CAP_IPC_LOCK)) {
		uint32_t euid = current_cred()->euid;
		if ((euid != o->uid && euid != o->cuid) || (cmd == SHM_LOCK && !memlock))
			r = -EPERM;
	}
	if (!r && cmd == SHM_LOCK)
		o->mode |= SHM_LOCKED;
	else if (!r)
		o->mode &= ~(uint32_t)SHM_LOCKED;
	ipc_unlock(&shm_table, fl);
	return r;
}

/* The release hook: a removed segment's last region went (only a
 * removed segment's object loses its last reference). */
static void seg_gone(void *arg)
{
	struct shm_seg *seg = arg;
	uint64_t fl = ipc_lock(&shm_table);

	shm_tot -= seg_pages(seg);
	ipc_remove(&shm_table, &seg->perm);
	ipc_unlock(&shm_table, fl);
}

/* IPC_RMID (Linux's do_shm_rmid): an unattached segment goes now; an
 * attached one is SHM_DEST and keyless, and goes with its last region.
 * Returns the object reference the caller drops once unlocked, or NULL. */
static struct shmem *seg_remove(struct shm_seg *seg)
{
	if (seg->perm.mode & SHM_DEST)
		return NULL; /* its reference went at the first IPC_RMID */
	if (nattch(seg)) {
		seg->perm.mode |= SHM_DEST;
		seg->perm.key = IPC_PRIVATE;
		return seg->obj;
	}
	shmem_set_hooks(seg->obj, NULL, NULL); /* no region: nothing else holds it */
	shmem_put(seg->obj);
	shm_tot -= seg_pages(seg);
	ipc_remove(&shm_table, &seg->perm);
	return NULL;
}

static long shm_down(int shmid, int cmd, uptr_t buf)
{
	struct shmid64_ds ds;
	struct shmem *put = NULL;

	if (cmd == IPC_SET && copy_from_user(&ds, buf, sizeof(ds)))
		return -EFAULT;
	uint64_t fl = ipc_lock(&shm_table);
	struct shm_seg *seg = (struct shm_seg *)ipc_find_id(&shm_table, shmid);
	long r = !seg ? -EINVAL : !ipc_is_owner(&seg->perm) ? -EPERM : 0;

	if (!r && cmd == IPC_RMID)
		put = seg_remove(seg);
	else if (!r)
		ipc_perm_set(&seg->perm, &ds.shm_perm);
	ipc_unlock(&shm_table, fl);
	if (put)
		shmem_put(put); /* the regions hold it; the last one's end removes the segment */
	return r;
}

SYSCALL_DEFINE3(shmctl, int, shmid, int, cmd, uptr_t, buf)
{
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shm_info_cmd(cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shm_stat(shmid, cmd, buf);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shm_lock_cmd(shmid, cmd);
	case IPC_SET:
	case IPC_RMID:
		return shm_down(shmid, cmd, buf);
	default:
		return -EINVAL;
	}
}

/* ---- /proc/sysvipc/shm ------------------------------------------------------------ */

static void show_seg(struct ipc_obj *o, void *arg)
{
	const struct shm_seg *seg = seg_of(o);

	sb_printf(arg, "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10ld %10ld %10ld %21lu %21lu\n",
		  o->key, o->id, o->mode, (unsigned long)seg->segsz, seg->cpid, seg->lpid,
		  (unsigned long)nattch(seg), o->uid, o->gid, o->cuid, o->cgid, (long)seg->atime,
		  (long)seg->dtime, (long)o->ctime, (unsigned long)(seg->rss * PAGE_SIZE), 0ul);
}

void shm_proc_show(struct sbuf *s)
{
	sb_printf(s, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
	uint64_t fl = ipc_lock(&shm_table);
	ipc_for_each(&shm_table, show_seg, s);
	ipc_unlock(&shm_table, fl);
}
