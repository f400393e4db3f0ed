// SPDX-License-Identifier: MIT
/*
 * Kestrel: /sys/firmware/efi/efivars (sysfs_efivars.h), the firmware's
 * variables as Linux's efivarfs shows them, read-only. Nothing is
 * cached: a listing walks GetNextVariableName from the start, a lookup
 * asks GetVariable for the one name, a read fetches the variable again,
 * so what a program sees is what the firmware holds now.
 */
#include "fs/sysfs_efivars.h"
#include "firmware/efi_rt.h"
#include "firmware/efi_rt_parse.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/guid.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/iobuf.h"
#include "proc/cred.h"
#include "proc/process.h"
#include "proc/sched.h"
#include "time/time.h"
#include "uapi/capability.h"
#include "uapi/stat.h"

#define ATTR_BYTES      4            /* the attributes before the data (efivarfs) */
#define VAR_DATA_MAX    (64 * 1024)  /* bigger variables read as EIO */
#define WALK_MAX        4096         /* GetNextVariableName steps in one listing */
#define WALK_NAME_UNITS 512          /* a longer name ends the listing there */
#define FILE_NAME_MAX   (EFI_VAR_NAME_MAX + 1 + GUID_TEXT_LEN) /* NAME-GUID */
#define EFIVARS_INO     0x40000000ull /* file inode numbers: this + a hash of the name */
#define INO_HASH_MASK   0x0fffffffu

/* Which variable a file inode stands for (its priv). */
struct efivar_id {
	char name[EFI_VAR_NAME_MAX + 1];
	uint8_t guid[16];
};

/* The state of a listing's walk. */
struct efivar_walk {
	uint16_t name16[WALK_NAME_UNITS];
	uint8_t guid[16];
	char file[FILE_NAME_MAX + 1];
};

static const struct inode_ops var_ops;

/* "NAME-guid" (lower-case GUID, as Linux) into out; its length. */
static size_t file_name(const char *name, const uint8_t guid[16], char *out, size_t cap)
{
	char g[GUID_TEXT_LEN + 1];

	guid_format(guid, g);
	for (char *c = g; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	return (size_t)ksnprintf(out, cap, "%s-%s", name, g);
}

/* Split a file name into the variable's name and GUID: false unless it
 * is NAME-GUID with an ASCII NAME Kestrel can pass to the firmware. */
static bool parse_file_name(const char *s, size_t len, struct efivar_id *id)
{
	if (len <= GUID_TEXT_LEN + 1 || len > FILE_NAME_MAX || s[len - GUID_TEXT_LEN - 1] != '-')
		return false;
	size_t n = len - GUID_TEXT_LEN - 1;
	if (!guid_parse(s + n + 1, GUID_TEXT_LEN, id->guid))
		return false;
	memcpy(id->name, s, n);
	id->name[n] = '\0';
	uint16_t probe[EFI_VAR_NAME_MAX + 1];
	return efi_name_to_ucs2(id->name, probe, EFI_VAR_NAME_MAX + 1) > 0;
}

static uint64_t file_ino(const char *file, size_t len)
{
	return EFIVARS_INO + (efi_crc32(file, len) & INO_HASH_MASK);
}

/* The variable's data size (0 when it has none), -ENOENT or -EIO. */
static long var_size(const struct efivar_id *id)
{
	size_t size = 0;
	int err = efi_rt_get_variable(id->name, id->guid, NULL, NULL, &size);

	if (err == -E2BIG || err == 0)
		return (long)size;
	return err == -ENOENT ? -ENOENT : -EIO;
}

int sysfs_efivars_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct efivar_id *id = kmalloc(sizeof(*id));
	struct inode *ip = NULL;
	long size;

	(void)dir;
	if (!id)
		return -ENOMEM;
	if (!parse_file_name(name, len, id) || (size = var_size(id)) < 0) {
		kfree(id);
		return -ENOENT;
	}
	if (!(ip = inode_alloc(&sysfs_fs, &var_ops, S_IFREG | 0444))) {
		kfree(id);
		return -ENOMEM;
	}
	ip->transient = true;
	ip->nlink = 1;
	ip->ino = file_ino(name, len);
	ip->size = ATTR_BYTES + (uint64_t)size;
	ip->priv = id;
	*out = ip;
	return 0;
}

/* The next variable of the walk with a name a file can carry: true
 * with w->file set; false at the end (or a name too long to go on). */
static bool walk_next(struct efivar_walk *w, size_t *len)
{
	char name[EFI_VAR_NAME_MAX + 1];

	for (int i = 0; i < WALK_MAX; i++) {
		size_t size = sizeof(w->name16);
		if (efi_rt_next_variable_name(w->name16, &size, w->guid))
			return false;
		if (efi_name_from_ucs2(w->name16, WALK_NAME_UNITS, name, sizeof(name)) > 0) {
			*len = file_name(name, w->guid, w->file, sizeof(w->file));
			return true;
		}
	}
	return false;
}

/* Linux's efivarfs limit for readers without CAP_SYS_ADMIN: past
 * RATE_BURST firmware reads in a second they wait RATE_SLEEP_MS each,
 * since each read stops the machine (interrupts off, the kernel lock,
 * on laptops an SMI that holds every CPU). One budget for all of them
 * (Linux keeps one a user). Lock rule: the kernel lock. */
#define RATE_BURST       100
#define RATE_WINDOW_NS   1000000000ull
#define RATE_SLEEP_MS    50
static uint64_t rate_window_start;
static unsigned rate_count;

static void ratelimit(void)
{
	uint64_t now = time_ns();

	if (cred_capable(current_cred(), CAP_SYS_ADMIN))
		return;
	if (now - rate_window_start >= RATE_WINDOW_NS) {
		rate_window_start = now;
		rate_count = 0;
	}
	if (++rate_count > RATE_BURST)
		sleep_until(now + RATE_SLEEP_MS * 1000000ull); /* a signal cuts it short */
}

/* ".", "..", then the variables in the firmware's order: variable k at
 * position k + 2 (a listing resumed later walks again from the start). */
int sysfs_efivars_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct efivar_walk *w;
	size_t len;

	if (!vfs_emit_dots(dir, pos, emit, ctx) || !efi_rt_available())
		return 0;
	ratelimit(); /* a listing is up to WALK_MAX firmware calls */
	if (!(w = kzalloc(sizeof(*w))))
		return -ENOMEM;
	for (uint64_t k = 0; walk_next(w, &len); k++) {
		if (k + 2 < *pos)
			continue;
		if (!emit(ctx, w->file, len, file_ino(w->file, len), DT_REG, k + 3))
			break;
		*pos = k + 3;
	}
	kfree(w);
	return 0;
}

/* The whole file, attributes then data, fetched now: from *pos on. */
static long var_read(struct file *f, struct iobuf b, size_t n, uint64_t *pos)
{
	const struct efivar_id *id = f->inode->priv;

	ratelimit();
	long size = var_size(id);
	uint32_t attrs = 0;
	char *buf;

	if (size < 0)
		return size == -ENOENT ? -EIO : size; /* deleted since it was opened */
	if (size > VAR_DATA_MAX || !(buf = kmalloc(ATTR_BYTES + (size_t)size + 1)))
		return size > VAR_DATA_MAX ? -EIO : -ENOMEM;
	size_t got = (size_t)size;
	int err = efi_rt_get_variable(id->name, id->guid, &attrs, buf + ATTR_BYTES, &got);
	long r = err ? -EIO : 0;
	if (!err) {
		memcpy(buf, &attrs, ATTR_BYTES); /* little-endian, as efivarfs */
		r = vfs_read_text(buf, ATTR_BYTES + got, b, n, pos);
	}
	kfree(buf);
	return r;
}

static long var_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, f->inode->size);
}

static const struct file_ops var_file_ops = {
	.read = var_read,
	.lseek = var_lseek,
	.kernel_io = KERNEL_IO_READ,
};

static int var_open(struct inode *ip, struct file *f)
{
	(void)ip;
	f->ops = &var_file_ops;
	return 0;
}

static void var_evict(struct inode *ip)
{
	kfree(ip->priv);
}

static const struct inode_ops var_ops = {
	.open = var_open,
	.evict = var_evict,
};
