// SPDX-License-Identifier: MIT
// bench-disk: a mounted disk's sequential write and read, 4 KiB random reads, small-file create and delete.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "bench.h"

/*
 * bench-disk DEV FSTYPE TAG SIZE_MIB NFILES RANDOPS
 *
 * Mounts DEV (a whole disk holding a fresh file system the harness made
 * on the host) on /mnt as FSTYPE ("ext2": Linux's ext4 driver registers
 * that name too; "vfat") and prints, each `bench disk_WHAT_TAG VALUE UNIT`:
 *   seq_write   MB/s (10^6 bytes) writing a SIZE_MIB file in 1 MiB write(2)s, fsync included
 *   seq_read    MB/s reading it back in 1 MiB read(2)s, from the disk (caches dropped)
 *   rand_read   IOPS of RANDOPS 4 KiB pread(2)s at random 4 KiB-aligned offsets of it,
 *               caches dropped first, POSIX_FADV_RANDOM as fio sets it
 *   create      us per file creating NFILES files of 1 KiB in one directory, sync included
 *   delete      us per file unlinking them, sync included
 * Dropping the caches between phases: where /proc/sys/vm/drop_caches exists
 * (Linux) sync and write 3 to it (the page cache, dentries and inodes go;
 * the file system stays mounted); otherwise (Kestrel) umount and mount
 * again (umount writes back and drops every block cache page of the device).
 */
#define MNT        "/mnt"
#define BIG        MNT "/big"
#define SMALLDIR   MNT "/small"
#define CHUNK      (1 << 20)
#define PAGE       4096
#define SMALL_SIZE 1024
#define DROP_CACHES "/proc/sys/vm/drop_caches"

static const char *dev, *fstype, *tag;
static char chunk[CHUNK];

static void report(const char *what, double value, const char *unit)
{
	b_line("bench disk_%s_%s %.3f %s", what, tag, value, unit);
}

static void do_mount(void)
{
	if (mount(dev, MNT, fstype, 0, NULL) != 0 &&
	    !(strcmp(fstype, "ext2") == 0 && mount(dev, MNT, "ext4", 0, NULL) == 0))
		b_fail("mount");
}

/* drop_caches: the next reads come from the disk (see the header comment). */
static void drop_caches(void)
{
	sync();
	int fd = open(DROP_CACHES, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3\n", 2) != 2)
			b_fail("write " DROP_CACHES);
		close(fd);
		return;
	}
	if (umount(MNT) != 0)
		b_fail("umount");
	do_mount();
}

static double mb_per_s(long long bytes, long long ns)
{
	return (double)bytes / 1e6 / ((double)ns / 1e9);
}

static void seq_write(long mib)
{
	int fd = open(BIG, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		b_fail("create " BIG);
	long long t0 = b_now();
	for (long i = 0; i < mib; i++) {
		memset(chunk, (int)(i & 0xff), 64); /* each MiB differs a little */
		if (write(fd, chunk, CHUNK) != CHUNK)
			b_fail("write");
	}
	if (fsync(fd) != 0)
		b_fail("fsync");
	long long ns = b_now() - t0;
	close(fd);
	report("seq_write", mb_per_s((long long)mib * CHUNK, ns), "MB/s");
}

static void seq_read(long mib)
{
	int fd = open(BIG, O_RDONLY);
	long long total = 0;
	ssize_t r;

	if (fd < 0)
		b_fail("open " BIG);
	long long t0 = b_now();
	while ((r = read(fd, chunk, CHUNK)) > 0)
		total += r;
	if (r < 0)
		b_fail("read");
	long long ns = b_now() - t0;
	close(fd);
	if (total != (long long)mib * CHUNK) {
		errno = EIO;
		b_fail("read back a short file");
	}
	report("seq_read", mb_per_s(total, ns), "MB/s");
}

static void rand_read(long mib, long ops)
{
	int fd = open(BIG, O_RDONLY);
	unsigned long long x = 0x9e3779b97f4a7c15ull, pages = (unsigned long long)mib * CHUNK / PAGE;

	if (fd < 0)
		b_fail("open " BIG);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); /* a hint: its result does not matter */
	long long t0 = b_now();
	for (long i = 0; i < ops; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if (pread(fd, chunk, PAGE, (off_t)((x >> 33) % pages) * PAGE) != PAGE)
			b_fail("pread");
	}
	long long ns = b_now() - t0;
	close(fd);
	report("rand_read", (double)ops / ((double)ns / 1e9), "IOPS");
}

static void small_name(char *out, size_t size, long i)
{
	snprintf(out, size, SMALLDIR "/f%05ld", i);
}

static void create_files(long n)
{
	char path[64];

	if (mkdir(SMALLDIR, 0755) != 0)
		b_fail("mkdir " SMALLDIR);
	long long t0 = b_now();
	for (long i = 0; i < n; i++) {
		small_name(path, sizeof(path), i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			b_fail("create");
		if (write(fd, chunk, SMALL_SIZE) != SMALL_SIZE)
			b_fail("write small file");
		close(fd);
	}
	sync();
	report("create", (double)(b_now() - t0) / 1000.0 / (double)n, "us");
}

static void delete_files(long n)
{
	char path[64];

	long long t0 = b_now();
	for (long i = 0; i < n; i++) {
		small_name(path, sizeof(path), i);
		if (unlink(path) != 0)
			b_fail("unlink");
	}
	sync();
	report("delete", (double)(b_now() - t0) / 1000.0 / (double)n, "us");
	if (rmdir(SMALLDIR) != 0)
		b_fail("rmdir " SMALLDIR);
}

int main(int argc, char **argv)
{
	b_name = "disk";
	if (argc != 7) {
		b_line("bench-error disk usage: bench-disk DEV FSTYPE TAG SIZE_MIB NFILES RANDOPS");
		return 1;
	}
	dev = argv[1], fstype = argv[2], tag = argv[3];
	long mib = strtol(argv[4], NULL, 10), nfiles = strtol(argv[5], NULL, 10);
	long ops = strtol(argv[6], NULL, 10);
	if (mib <= 0 || nfiles <= 0 || ops <= 0) {
		b_line("bench-error disk bad sizes");
		return 1;
	}
	if (mkdir(MNT, 0755) != 0 && errno != EEXIST)
		b_fail("mkdir " MNT);
	do_mount();
	seq_write(mib);
	drop_caches();
	seq_read(mib);
	drop_caches();
	rand_read(mib, ops);
	if (unlink(BIG) != 0)
		b_fail("unlink " BIG);
	create_files(nfiles);
	delete_files(nfiles);
	if (umount(MNT) != 0)
		b_fail("umount");
	return 0;
}
