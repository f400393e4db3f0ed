// SPDX-License-Identifier: MIT
/*
 * Kestrel: the self-test log on the EFI system partition. A person who
 * boots a laptop from the stick with `selftest` finds the whole log in
 * \kestrel\results\ afterwards, one file per boot, named by the date
 * (the RTC's) and a boot number.
 */
#include "test/results.h"
#include "arch/x86_64/cpu.h"
#include "firmware/efi_rt.h"
#include "fs/fstype.h"
#include "fs/fsops.h"
#include "mm/heap.h"
#include "time/time.h"
#include "lib/errno.h"
#include "lib/civil.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/limits.h"
#include "log.h"

#define RESULTS_DIR  "kestrel/results"   /* on the ESP */
#define BOOTS_MAX    100000              /* names tried before giving up */
#define SEC_PER_DAY  86400
#define SUMMARY_VAR  "KestrelSelftest"
#define SUMMARY_MAX  1024                /* bytes of the variable's text */
#define FAILED_MAX   640                 /* bytes of failing names kept */
#define SUMMARY_ATTRS (EFI_VAR_NON_VOLATILE | EFI_VAR_BOOTSERVICE_ACCESS | EFI_VAR_RUNTIME_ACCESS)

/* The failing names of this run, space-separated (the boot thread
 * alone writes them: the self-tests run one at a time). */
static char failed_names[FAILED_MAX];
static size_t failed_len;
static unsigned failed_dropped;

static bool count_entry(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
			uint64_t next_pos)
{
	(void)ino, (void)dtype, (void)next_pos;
	if (!(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.'))
		(*(unsigned *)ctx)++;
	return true;
}

/* The files already in the directory path: the next boot's number is one more. */
static unsigned count_files(const char *path)
{
	struct inode *dir;
	unsigned n = 0;
	uint64_t pos = 0;

	if (vfs_walk(NULL, path, WALK_DIR, &dir))
		return 0;
	if (dir->ops->iterate)
		dir->ops->iterate(dir, &pos, count_entry, &n);
	inode_put(dir);
	return n;
}

/* Make dir/kestrel/results (either may exist): the results directory's
 * path into out (PATH_MAX bytes), or -errno. */
static int make_dir(const char *esp_path, char *out)
{
	int err;

	ksnprintf(out, PATH_MAX, "%s/kestrel", esp_path);
	if ((err = vfs_mkdir(NULL, out, 0755)) && err != -EEXIST)
		return err;
	ksnprintf(out, PATH_MAX, "%s/%s", esp_path, RESULTS_DIR);
	err = vfs_mkdir(NULL, out, 0755);
	return err == -EEXIST ? 0 : err;
}

/* A new file in dir named by today's date and the first free boot
 * number from count_files on: 0 with *f and its name in name. */
static int create_file(const char *dir, char *name, size_t cap, struct file **f)
{
	int64_t y;
	unsigned m, d;
	char *path = kmalloc(PATH_MAX);
	int err = -EEXIST;

	if (!path)
		return -ENOMEM;
	civil_from_days((int64_t)(time_realtime_ns() / NSEC_PER_SEC / SEC_PER_DAY), &y, &m, &d);
	for (unsigned n = count_files(dir) + 1; err == -EEXIST && n < BOOTS_MAX; n++) {
		ksnprintf(name, cap, "%04d-%02u-%02u-boot%u.log", (int)y, m, d, n);
		ksnprintf(path, PATH_MAX, "%s/%s", dir, name);
		err = vfs_open(NULL, path, O_WRONLY | O_CREAT | O_EXCL, 0644, f);
	}
	kfree(path);
	return err;
}

/* Copy the whole log ring into f: 0 or -errno. */
static int write_log(struct file *f)
{
	char *buf = kmalloc(LOG_RING_SIZE);
	size_t off = 0, n;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (!file_can_kwrite(f))
		err = -EINVAL;
	while (!err && (n = log_ring_read(buf, &off, LOG_RING_SIZE)) > 0)
		for (size_t done = 0; !err && done < n;) {
			long w = file_kwrite(f, buf + done, n - done, &f->pos);
			if (w <= 0)
				err = w < 0 ? (int)w : -EIO;
			else
				done += (size_t)w;
		}
	kfree(buf);
	return err;
}

void selftest_save_results(void)
{
	struct mount *m = vfs_mount_esp_get();
	char *dir = kmalloc(2 * PATH_MAX), name[48];
	struct file *f = NULL;
	int err;

	if (!m || m->read_only || !dir) {
		klog(LOG_INFO, "selftest: results not saved: %s\n", !m ? "no EFI system partition mounted"
		     : m->read_only ? "the EFI system partition is read-only" : "out of memory");
		kfree(dir);
		return;
	}
	long len = vfs_path_of(m->root, dir + PATH_MAX, PATH_MAX);
	err = len < 0 ? (int)len : make_dir(dir + PATH_MAX, dir);
	if (!err)
		err = create_file(dir, name, sizeof(name), &f);
	if (!err) {
		err = write_log(f);
		int err2 = vfs_fsync(f->inode, false);
		file_put(f);
		err = err ? err : err2 ? err2 : vfs_sync_all();
	}
	if (err)
		klog(LOG_WARN, "selftest: results not saved on the EFI system partition (error %d)\n", err);
	else
		klog(LOG_INFO, "selftest: results saved as \\%s\\%s on the EFI system partition\n",
		     "kestrel\\results", name);
	kfree(dir);
}

void selftest_note_failure(const char *name)
{
	size_t n = strlen(name);

	if (failed_len + n + 2 > sizeof(failed_names)) {
		failed_dropped++;
		return;
	}
	if (failed_len)
		failed_names[failed_len++] = ' ';
	memcpy(failed_names + failed_len, name, n + 1);
	failed_len += n;
}

/* The summary's text into buf; its length. */
static size_t format_summary(char *buf, size_t cap, int passed, int failed)
{
	uint64_t secs = time_realtime_ns() / NSEC_PER_SEC;
	int64_t y;
	unsigned m, d, tod = (unsigned)(secs % SEC_PER_DAY);
	size_t len;

	civil_from_days((int64_t)(secs / SEC_PER_DAY), &y, &m, &d);
	len = (size_t)ksnprintf(buf, cap, "%d passed, %d failed", passed, failed);
	if (failed_len && len < cap)
		len += (size_t)ksnprintf(buf + len, cap - len, ": %s", failed_names);
	if (failed_dropped && len < cap)
		len += (size_t)ksnprintf(buf + len, cap - len, " and %u more", failed_dropped);
	if (len < cap)
		len += (size_t)ksnprintf(buf + len, cap - len,
					 "; ran %04d-%02u-%02u %02u:%02u:%02u UTC, %lu ms into the boot\n",
					 (int)y, m, d, tod / 3600, tod / 60 % 60, tod % 60,
					 log_ms_since_origin(rdtsc()));
	return len < cap ? len : cap - 1;
}

void selftest_save_summary(int passed, int failed)
{
	char *buf = kmalloc(SUMMARY_MAX);
	int err;

	if (!efi_rt_available()) {
		klog(LOG_INFO, "selftest: summary not saved in EFI variable %s: no runtime services\n",
		     SUMMARY_VAR);
		kfree(buf);
		return;
	}
	if (!buf)
		return;
	size_t len = format_summary(buf, SUMMARY_MAX, passed, failed);
	err = efi_rt_set_variable(SUMMARY_VAR, efi_kestrel_guid, SUMMARY_ATTRS, buf, len);
	if (err)
		klog(LOG_WARN, "selftest: summary not saved in EFI variable %s (error %d)\n",
		     SUMMARY_VAR, err);
	else
		klog(LOG_INFO, "selftest: summary saved in EFI variable %s\n", SUMMARY_VAR);
	kfree(buf);
}

void selftest_log_last_run(void)
{
	char *buf = kmalloc(SUMMARY_MAX);
	size_t size = SUMMARY_MAX - 1;
	int err;

	if (!buf || !efi_rt_available()) {
		kfree(buf);
		return;
	}
	err = efi_rt_get_variable(SUMMARY_VAR, efi_kestrel_guid, NULL, buf, &size);
	if (err == -ENOENT) {
		klog(LOG_INFO, "selftest: last run: none recorded\n");
	} else if (err) {
		klog(LOG_WARN, "selftest: last run: cannot read EFI variable %s (error %d)\n",
		     SUMMARY_VAR, err);
	} else {
		while (size && (buf[size - 1] == '\n' || buf[size - 1] == '\0'))
			size--;
		for (size_t i = 0; i < size; i++)
			if (buf[i] < 0x20 || buf[i] > 0x7e)
				buf[i] = '?'; /* another program's bytes stay one line */
		klog(LOG_INFO, "selftest: last run: %.*s\n", (int)size, buf);
	}
	kfree(buf);
}
