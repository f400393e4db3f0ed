// SPDX-License-Identifier: MIT
/*
 * Kestrel: in-kernel self-tests of the VFS, run from a kernel thread
 * (no process: paths start at the root, umask 0). Each works under
 * /tmp and removes what it made.
 */
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/path.h"
#include "mm/heap.h"
#include "test/selftest.h"
#include "lib/errno.h"
#include "lib/string.h"

static const char text[] = "kestrel vfs self-test\n";

/* Write buf to a new file at path (created, truncated). */
static const char *write_file(const char *path, const char *buf, size_t n)
{
	struct file *f;

	if (vfs_open(NULL, path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f))
		return "open(O_CREAT) failed";
	long w = file_kwrite(f, buf, n, &f->pos);
	file_put(f);
	return w == (long)n ? NULL : "short write";
}

SELFTEST(vfs_file_lifecycle)
{
	char *back = NULL;
	struct inode *ip;
	const char *why = write_file("/tmp/st-a", text, sizeof(text) - 1);

	if (why)
		return why;
	if (vfs_read_all("/tmp/st-a", &back, 256) != (long)sizeof(text) - 1 ||
	    memcmp(back, text, sizeof(text) - 1) != 0)
		why = "read back differs";
	kfree(back);
	if (!why && vfs_rename(NULL, "/tmp/st-a", NULL, "/tmp/st-b"))
		why = "rename failed";
	if (!why && vfs_walk(NULL, "/tmp/st-a", 0, &ip) != -ENOENT)
		why = "old name still there after rename";
	if (!why && vfs_unlink(NULL, "/tmp/st-b", false))
		why = "unlink failed";
	if (!why && vfs_walk(NULL, "/tmp/st-b", 0, &ip) != -ENOENT)
		why = "file still there after unlink";
	return why;
}

/* The directory path names must be want. */
static const char *walk_gives(const char *path, const char *want)
{
	char buf[64];
	struct inode *d;

	if (vfs_walk(NULL, path, WALK_FOLLOW, &d))
		return "walk failed";
	long n = vfs_path_of(d, buf, sizeof(buf));
	inode_put(d);
	return n >= 0 && strcmp(buf, want) == 0 ? NULL : "walk with '..' and repeated slashes went wrong";
}

SELFTEST(vfs_dirs)
{
	if (vfs_mkdir(NULL, "/tmp/st-d", 0755))
		return "mkdir failed";
	if (vfs_mkdir(NULL, "/tmp/st-d", 0755) != -EEXIST)
		return "second mkdir did not say EEXIST";
	const char *why = write_file("/tmp/st-d/f", text, 4);
	if (!why && vfs_unlink(NULL, "/tmp/st-d", true) != -ENOTEMPTY)
		why = "rmdir of a full directory did not say ENOTEMPTY";
	if (!why && vfs_unlink(NULL, "/tmp/st-d/f/", false) != -ENOTDIR)
		why = "trailing slash on a file did not say ENOTDIR";
	if (!why && vfs_unlink(NULL, "/tmp/st-d/./f", false))
		why = "unlink through '.' failed";
	if (!why)
		why = walk_gives("/tmp//st-d/../st-d/", "/tmp/st-d");
	if (vfs_unlink(NULL, "/tmp/st-d", true) && !why)
		why = "rmdir failed";
	return why;
}

SELFTEST(vfs_symlink_loop)
{
	struct inode *ip;
	const char *why = NULL;

	if (vfs_symlink("/tmp/st-l2", NULL, "/tmp/st-l1") || vfs_symlink("st-l1", NULL, "/tmp/st-l2"))
		return "symlink failed";
	if (vfs_walk(NULL, "/tmp/st-l1", WALK_FOLLOW, &ip) != -ELOOP)
		why = "a symlink loop did not give ELOOP";
	if (!why && vfs_walk(NULL, "/tmp/st-l1", 0, &ip) == 0) {
		if (!S_ISLNK(ip->mode))
			why = "not following the last link did not give the link";
		inode_put(ip);
	}
	vfs_unlink(NULL, "/tmp/st-l1", false);
	vfs_unlink(NULL, "/tmp/st-l2", false);
	return why;
}

SELFTEST(vfs_proc_meminfo)
{
	char *text = NULL;
	long n = vfs_read_all("/proc/meminfo", &text, 4096);
	const char *why = NULL;

	if (n <= 0)
		return "cannot read /proc/meminfo";
	if (strncmp(text, "MemTotal:", 9) != 0 || !strchr(text, '\n'))
		why = "/proc/meminfo does not start with MemTotal:";
	kfree(text);
	return why;
}

SELFTEST(vfs_dev_zero)
{
	char buf[64];
	struct file *f;

	if (vfs_open(NULL, "/dev/zero", O_RDONLY, 0, &f))
		return "cannot open /dev/zero";
	memset(buf, 0x5a, sizeof(buf));
	long n = file_kread(f, buf, sizeof(buf), &f->pos);
	file_put(f);
	if (n != (long)sizeof(buf))
		return "short read from /dev/zero";
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i])
			return "/dev/zero gave a non-zero byte";
	return NULL;
}
