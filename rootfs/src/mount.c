// SPDX-License-Identifier: MIT
// mount(2), umount2(2), statfs(2) and the sync family (issue 13). The error answers, statfs of
// /proc, /proc/mounts and the sync calls hold on any Linux. With the EFI system partition
// mounted at /boot/efi (Kestrel mounts the one it booted from), the rest works on it: its statfs
// type, ".." and getcwd across the mount point both ways, umount2's EBUSY for an open file and a
// cwd inside, unmounting (the covered directory shows again), mounting it back read-only with no
// type given (Kestrel tries each; Linux would want one) (EROFS, ST_RDONLY), remounting it
// read-write, EBUSY for a second mount of the device and EPERM without CAP_SYS_ADMIN, a file
// grown to fill it (FAT writes the zeros) by a child that yields the CPU and dies by SIGKILL. That
// part runs on Kestrel only: on a Linux host it would unmount the host's own ESP, so there it
// says SKIP.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "checks.h"

#define ESP           "/boot/efi"
#define PROC_MAGIC    0x9fa0
#define MSDOS_MAGIC   0x4d44
#define SCRATCH       "/tmp/t-mount.dir"
#define NOBODY        65534

/* The source of the mount at dir in /proc/mounts (type: its type, or NULL for any) into src. */
static int mounted_at(const char *dir, const char *type, char *src, size_t cap)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[512], s[256], d[256], t[64];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %255s %63s", s, d, t) == 3 && strcmp(d, dir) == 0 &&
		    (!type || strcmp(t, type) == 0)) {
			found = 1;
			if (src)
				snprintf(src, cap, "%s", s);
		}
	fclose(f);
	return found;
}

/* Does /proc/filesystems name type? */
static int fs_known(const char *type)
{
	FILE *f = fopen("/proc/filesystems", "r");
	char line[128], want[80];
	int found = 0;

	snprintf(want, sizeof(want), "\t%s\n", type);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

static int scratch_dir(void)
{
	rmdir(SCRATCH);
	return mkdir(SCRATCH, 0755) ? fail("mkdir %s: %s", SCRATCH, strerror(errno)) : CHECK_OK;
}

/* The errors of mount and umount2 for what cannot be mounted or unmounted. */
static int errors(void)
{
	int r = scratch_dir(), want;

	if (r)
		return r;
	errno = 0;
	if (mount("none", SCRATCH, "kestrel-nosuchfs", 0, NULL) < 0 && errno == EPERM) {
		rmdir(SCRATCH);
		return skip("no CAP_SYS_ADMIN here (a container?)");
	}
	if (errno != ENODEV)
		r = fail("mount of an unknown type: %s, want ENODEV", strerror(errno));
	want = fs_known("vfat") ? ENOTBLK : ENODEV;
	errno = 0;
	if (!r && (mount("/dev/null", SCRATCH, "vfat", 0, NULL) == 0 || errno != want))
		r = fail("mount of /dev/null: %s, want %s", strerror(errno), strerror(want));
	errno = 0;
	if (!r && (umount2(SCRATCH, 0) == 0 || errno != EINVAL))
		r = fail("umount2 of a directory that is no mount: %s, want EINVAL", strerror(errno));
	errno = 0;
	if (!r && (umount2(SCRATCH, 0x100) == 0 || errno != EINVAL))
		r = fail("umount2 with an unknown flag: %s, want EINVAL", strerror(errno));
	errno = 0;
	if (!r && (umount2(SCRATCH "/none", 0) == 0 || errno != ENOENT))
		r = fail("umount2 of a missing path: %s, want ENOENT", strerror(errno));
	rmdir(SCRATCH);
	return r;
}

/* statfs and fstatfs of /proc; the root and /proc in /proc/mounts. */
static int proc_statfs(void)
{
	struct statfs s, fs;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY);

	if (statfs("/proc", &s) || fd < 0 || fstatfs(fd, &fs))
		return fail("statfs or fstatfs of /proc: %s", strerror(errno));
	close(fd);
	if (s.f_type != PROC_MAGIC || fs.f_type != PROC_MAGIC)
		return fail("/proc's f_type %#lx and %#lx, want %#x", (long)s.f_type, (long)fs.f_type,
			    PROC_MAGIC);
	if (!mounted_at("/", NULL, NULL, 0) || !mounted_at("/proc", "proc", NULL, 0))
		return fail("/proc/mounts lacks / or /proc");
	return CHECK_OK;
}

/* sync, syncfs, fsync and fdatasync on a file; EBADF for a bad or O_PATH descriptor. */
static int sync_calls(void)
{
	int fd = open("/tmp/t-mount.sync", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int path = open("/tmp", O_PATH);
	int r = CHECK_OK;

	if (fd < 0 || path < 0)
		return fail("open: %s", strerror(errno));
	sync();
	if (write(fd, "x", 1) != 1 || fsync(fd) || fdatasync(fd) || syncfs(fd))
		r = fail("fsync, fdatasync or syncfs of a file: %s", strerror(errno));
	errno = 0;
	if (!r && (fsync(-1) == 0 || errno != EBADF || fsync(path) == 0 || errno != EBADF))
		r = fail("fsync of a bad or O_PATH descriptor: %s, want EBADF", strerror(errno));
	close(fd);
	close(path);
	unlink("/tmp/t-mount.sync");
	return r;
}

/* fsync and fdatasync of a file with no fsync method (Linux's vfs_fsync:
 * a pipe, a socket, a character device) are EINVAL; syncfs of them is not. */
static int sync_special(void)
{
	int p[2], sv[2];
	int null = open("/dev/null", O_RDWR);
	int r = CHECK_OK;

	if (null < 0 || pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return fail("open, pipe or socketpair: %s", strerror(errno));
	const int fds[] = { p[0], p[1], sv[0], null };
	for (size_t i = 0; i < NELEMS(fds) && !r; i++) {
		errno = 0;
		if (fsync(fds[i]) == 0 || errno != EINVAL)
			r = fail("fsync of descriptor %zu: %s, want EINVAL", i, strerror(errno));
		else if (fdatasync(fds[i]) == 0 || errno != EINVAL)
			r = fail("fdatasync of descriptor %zu: %s, want EINVAL", i, strerror(errno));
	}
	if (!r && syncfs(p[0]))
		r = fail("syncfs of a pipe: %s", strerror(errno));
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(null);
	return r;
}

/* The ESP checks run on Kestrel only (see the top); its device in src. */
static int esp_here(char *src, size_t cap)
{
	if (!on_kestrel())
		return skip("a Linux host's own mounts are left alone");
	if (!mounted_at(ESP, "vfat", src, cap))
		return skip("no vfat file system at " ESP);
	return CHECK_OK;
}

/* The ESP is mounted read-write again, whatever happened. */
static void esp_restore(const char *src)
{
	if (!mounted_at(ESP, NULL, NULL, 0))
		mount(src, ESP, "vfat", 0, NULL);
	else
		mount(NULL, ESP, NULL, MS_REMOUNT, NULL);
}

/* statfs of the ESP, "..", getcwd across the mount point. */
static int esp_walk(void)
{
	char src[256], cwd[256];
	struct stat up, boot;
	struct statfs s;
	int r = esp_here(src, sizeof(src));

	if (r)
		return r;
	if (statfs(ESP, &s) || s.f_type != MSDOS_MAGIC)
		return fail("statfs of " ESP ": f_type %#lx, want %#x", (long)s.f_type, MSDOS_MAGIC);
	if (stat(ESP "/..", &up) || stat("/boot", &boot) || up.st_ino != boot.st_ino ||
	    up.st_dev != boot.st_dev)
		return fail(ESP "/.. is not /boot");
	if (chdir(ESP "/kestrel") || !getcwd(cwd, sizeof(cwd)) || strcmp(cwd, ESP "/kestrel") ||
	    chdir("../../..") || !getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/"))
		r = fail("chdir and getcwd across " ESP ": at '%s'", cwd);
	chdir("/");
	return r;
}

/* The major:minor of the mount at dir in /proc/self/mountinfo into *dev: 1, or 0 if none. */
static int mountinfo_dev(const char *dir, dev_t *dev)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[512], d[256];
	unsigned maj, min;
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*u %*u %u:%u %*s %255s", &maj, &min, d) == 3 && strcmp(d, dir) == 0) {
			*dev = makedev(maj, min);
			found = 1;
		}
	if (f)
		fclose(f);
	return found;
}

/* Files on the ESP have its partition's st_dev (not the root's), and
 * mountinfo shows the same major:minor, as Linux does. */
static int esp_dev(void)
{
	char src[256];
	struct stat part, esp, root;
	dev_t shown = 0;
	int r = esp_here(src, sizeof(src));

	if (r)
		return r;
	if (stat(src, &part) || !S_ISBLK(part.st_mode))
		return skip("no block device node %s", src);
	if (stat(ESP "/kestrel", &esp) || stat("/", &root))
		return fail("stat " ESP "/kestrel: %s", strerror(errno));
	if (esp.st_dev != part.st_rdev || esp.st_dev == root.st_dev)
		return fail("st_dev %u:%u, want %s's %u:%u (root %u:%u)", major(esp.st_dev),
			    minor(esp.st_dev), src, major(part.st_rdev), minor(part.st_rdev),
			    major(root.st_dev), minor(root.st_dev));
	if (!mountinfo_dev(ESP, &shown) || shown != part.st_rdev)
		return fail("mountinfo shows %u:%u for " ESP ", want %u:%u", major(shown),
			    minor(shown), major(part.st_rdev), minor(part.st_rdev));
	return CHECK_OK;
}

/* chmod in /proc/PID is EPERM (Linux's proc_setattr), not a read-only mount's EROFS. */
static int proc_chmod(void)
{
	errno = 0;
	if (chmod("/proc/self/status", 0600) == 0 || errno != EPERM)
		return fail("chmod /proc/self/status: %s, want EPERM", strerror(errno));
	return CHECK_OK;
}

/* umount2 is EBUSY while a file is open or a cwd is inside. */
static int esp_busy(void)
{
	char src[256];
	int r = esp_here(src, sizeof(src));

	if (r)
		return r;
	int fd = open(ESP "/kestrel", O_RDONLY | O_DIRECTORY);
	errno = 0;
	if (fd < 0 || umount2(ESP, 0) == 0 || errno != EBUSY)
		r = fail("umount2 with a file open inside: %s, want EBUSY", strerror(errno));
	close(fd);
	pid_t pid = fork();
	if (pid == 0)
		_exit(chdir(ESP) == 0 && umount2(ESP, 0) < 0 && errno == EBUSY ? 0 : 1);
	int st;
	if (!r && (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
		r = fail("umount2 with a cwd inside is not EBUSY");
	esp_restore(src);
	return r;
}

/* chmod, chown and utimes of path on a read-only mount: EROFS (Linux's
 * mnt_want_write), not /proc's EPERM. */
static int ro_setattr(const char *path)
{
	errno = 0;
	if (chmod(path, 0755) == 0 || errno != EROFS)
		return fail("chmod on a read-only mount: %s, want EROFS", strerror(errno));
	errno = 0;
	if (chown(path, 0, 0) == 0 || errno != EROFS)
		return fail("chown on a read-only mount: %s, want EROFS", strerror(errno));
	errno = 0;
	if (utimes(path, NULL) == 0 || errno != EROFS)
		return fail("utimes on a read-only mount: %s, want EROFS", strerror(errno));
	return CHECK_OK;
}

/* Unmount, mount read-only (EROFS, ST_RDONLY), a second mount EBUSY, remount read-write. */
static int esp_remount(void)
{
	char src[256];
	struct statfs s;
	struct stat st;
	int r = esp_here(src, sizeof(src)), fd;

	if (r)
		return r;
	if (umount2(ESP, 0))
		return fail("umount2 " ESP ": %s", strerror(errno));
	if (stat(ESP "/kestrel", &st) == 0)
		r = fail(ESP "/kestrel still there after umount2");
	errno = 0;
	if (!r && mount(src, ESP, NULL, MS_RDONLY, NULL)) /* no type: Kestrel tries each */
		r = fail("mount %s read-only, no type: %s", src, strerror(errno));
	errno = 0;
	if (!r && ((fd = open(ESP "/t-mount.ro", O_WRONLY | O_CREAT, 0644)) >= 0 || errno != EROFS))
		r = fail("create on a read-only mount: %s, want EROFS", strerror(errno));
	if (!r && (statfs(ESP, &s) || !(s.f_flags & ST_RDONLY)))
		r = fail("statfs of a read-only mount lacks ST_RDONLY");
	if (!r)
		r = ro_setattr(ESP "/kestrel");
	errno = 0;
	if (!r && (mount(src, "/tmp", NULL, 0, NULL) == 0 || errno != EBUSY))
		r = fail("a second mount of %s: %s, want EBUSY", src, strerror(errno));
	if (!r && mount(NULL, ESP, NULL, MS_REMOUNT, NULL))
		r = fail("remount read-write: %s", strerror(errno));
	if (!r && (fd = open(ESP "/t-mount.rw", O_WRONLY | O_CREAT, 0644)) < 0)
		r = fail("create after the remount: %s", strerror(errno));
	if (!r) {
		close(fd);
		unlink(ESP "/t-mount.rw");
	}
	esp_restore(src);
	return r;
}

/* esp-grow-kill: FAT has no holes, so growing a file writes zeros to its
 * new size: a child growing a file on the ESP to FAT's largest size (4 GiB
 * - 1, ENOSPC once the volume is full) and back to 0 in a loop must leave
 * the one CPU to others (a sleep of GROW_RUN_MS ends within GROW_BACK_MS)
 * and die by SIGKILL at once (within GROW_DIE_MS, as Linux's
 * cont_expand_zero stops for it); after the unlink, the volume's free
 * clusters are what they were. */
#define GROW_FILE    ESP "/t-mount.grow"
#define GROW_RUN_MS  200
#define GROW_BACK_MS 1500
#define GROW_DIE_MS  2000

static void grow_child(void)
{
	int fd = open(GROW_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		_exit(2);
	for (;;)
		if (ftruncate(fd, 0xffffffffl) == 0 || errno != ENOSPC || ftruncate(fd, 0) != 0)
			_exit(3); /* 4 GiB - 1 fitted, or an error the loop does not expect */
}

static int esp_grow_kill(void)
{
	char src[256];
	struct statfs before, after;
	int r = esp_here(src, sizeof(src)), st;

	if (r != CHECK_OK)
		return r;
	unlink(GROW_FILE);
	if (statfs(ESP, &before))
		return fail("statfs " ESP ": %s", strerror(errno));
	pid_t pid = fork();
	if (pid == -1)
		return fail("fork: %s", strerror(errno));
	if (pid == 0)
		grow_child();
	long long t0 = now_ms();
	ms_sleep(GROW_RUN_MS);
	long long slept = now_ms() - t0, k0 = now_ms();
	kill(pid, SIGKILL);
	if (wait_child(pid, GROW_DIE_MS, &st) != CHECK_OK)
		r = fail("SIGKILL did not end the growing child within %d ms", GROW_DIE_MS);
	long long died = now_ms() - k0;
	if (unlink(GROW_FILE) && !r)
		r = fail("unlink " GROW_FILE ": %s", strerror(errno));
	if (!r && slept > GROW_BACK_MS)
		r = fail("a %d ms sleep took %lld ms: the growing child held the CPU", GROW_RUN_MS, slept);
	if (!r && (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL))
		r = fail("child status %#x, want killed by SIGKILL (it ended by itself?)", st);
	if (!r && statfs(ESP, &after))
		r = fail("statfs " ESP ": %s", strerror(errno));
	if (!r && after.f_bfree != before.f_bfree)
		r = fail("%llu free blocks after the unlink, %llu before",
			 (unsigned long long)after.f_bfree, (unsigned long long)before.f_bfree);
	if (!r)
		remark("sleep %lld ms, killed in %lld ms", slept, died);
	return r;
}

/* Without CAP_SYS_ADMIN: EPERM for mount and umount2. */
static int esp_eperm(void)
{
	char src[256];
	int r = esp_here(src, sizeof(src)), st;

	if (r)
		return r;
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		int ok = umount2(ESP, 0) < 0 && errno == EPERM &&
			 mount(src, "/tmp", "vfat", 0, NULL) < 0 && errno == EPERM;
		_exit(ok ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		r = fail("mount or umount2 without CAP_SYS_ADMIN is not EPERM");
	esp_restore(src);
	return r;
}

static const struct check checks[] = {
	{ "errors", errors },
	{ "proc-statfs", proc_statfs },
	{ "sync-calls", sync_calls },
	{ "sync-special", sync_special },
	{ "proc-chmod", proc_chmod },
	{ "esp-walk", esp_walk },
	{ "esp-dev", esp_dev },
	{ "esp-busy", esp_busy },
	{ "esp-remount", esp_remount },
	{ "esp-eperm", esp_eperm },
	{ "esp-grow-kill", esp_grow_kill },
};

int main(int argc, char **argv)
{
	return run_checks("mount", checks, NELEMS(checks), argc, argv);
}
