/* SPDX-License-Identifier: MIT */
/* /proc/sys (Linux's sysctl files) and /proc/sysrq-trigger: procfs.c asks this file what /proc/sys holds and opens its files here. */
#ifndef KESTREL_FS_PROCFS_SYS_H
#define KESTREL_FS_PROCFS_SYS_H

#include <stddef.h>
#include <stdint.h>
#include "fs/sysctl_parse.h"

struct file;

/* The directories of /proc/sys, each a node number (the files' come after). */
enum sysctl_dir {
	SYSCTL_DIR_ROOT,        /* /proc/sys */
	SYSCTL_DIR_FS,
	SYSCTL_DIR_KERNEL,
	SYSCTL_DIR_NET,
	SYSCTL_DIR_NET_CORE,
	SYSCTL_DIR_NET_IPV4,
	SYSCTL_DIR_VM,
	SYSCTL_DIR_KERNEL_RANDOM,
	SYSCTL_DIR_FS_INOTIFY,
	SYSCTL_DIR_KERNEL_KEYS,
	SYSCTL_DIR_FS_MQUEUE,
	SYSCTL_DIR_NET_IPV6,
	SYSCTL_DIR_NET_IPV4_ROUTE,
	SYSCTL_DIRS
};

/*
 * A file of /proc/sys, as Linux's ctl_table entry: n numbers (shown
 * tab-separated, as proc_dointvec shows a vector) or, with n 0, a string
 * (proc_dostring). mode is 0644 (root writes) or 0444 (read-only: an
 * open for writing is -EACCES, even for root, as Linux's sysctl_perm).
 * set is told the whole vector after a write (the values not written as
 * they were) and answers 0 or -EINVAL (nothing changed); NULL for 0444.
 * Numbers without get and set are plain values, as ctl_table's data
 * with extra1 and extra2: n of them at data, a write's each within
 * [min, max]; or, without data, the constant value (a setting Kestrel
 * has one way only: a 0644 one takes a write of that value alone).
 */
struct sysctl_file {
	const char *name;
	enum sysctl_dir dir;
	uint16_t mode;
	uint8_t n;                          /* 1..SYSCTL_INTS_MAX numbers; 0: a string */
	enum sysctl_kind kind;              /* SYSCTL_INT (0), or unsigned: no '-' */
	void (*get)(int64_t *v);
	int (*set)(const int64_t *v);
	void (*get_str)(char *buf, size_t cap);         /* cap SYSCTL_STR_MAX */
	void (*set_str)(const char *s, size_t len);     /* len < the string's cap */
	/* instead of set_str, a setter that may refuse: 0, or the negative
	 * errno the write returns (nothing changed), as Linux's handlers
	 * that check a string after proc_dostring */
	int (*set_str_checked)(const char *s, size_t len);
	uint16_t str_cap;   /* a string's longest value with its NUL: 0 SYSCTL_STR_MAX, else
	                     * up to SYSCTL_STR_LONG (Linux's ctl_table maxlen) */
	int64_t *data;
	int64_t value, min, max;
};
#define SYSCTL_STR_MAX 65   /* a string value's usual cap, with its NUL (a UTS name's) */
#define SYSCTL_STR_LONG 128 /* the longest cap (kernel.core_pattern's, Linux's CORENAME_MAX_SIZE) */

/* Add a subsystem's files (a static table, kept) to /proc/sys. Boot
 * time, before any process runs (no lock); at most SYSCTL_TABLES_MAX
 * tables. */
void procfs_sysctl_register(const struct sysctl_file *files, size_t n);
#define SYSCTL_TABLES_MAX 8

/* The child of directory node dir named name[0..len): its node, with
 * *mode (S_IF* | bits), or -ENOENT. */
int procfs_sysctl_lookup(int dir, const char *name, size_t len, uint32_t *mode);
/* Directory node dir's i-th child (0, 1, ...): its node, *name and
 * *mode, or -ENOENT past the last. */
int procfs_sysctl_child(int dir, unsigned i, const char **name, uint32_t *mode);
/* Open file node on f (f->ops, f->priv set; f->flags says the access):
 * 0, -EACCES (a read-only file opened for writing), -ENXIO (no file). */
int procfs_sysctl_open(int node, struct file *f);

/* Open /proc/sysrq-trigger on f: a write's first character is a magic
 * SysRq key, as Linux's; 'c' panics ("sysrq triggered crash"), 't'
 * logs every thread and its kernel backtrace (process_show_all), the
 * others are refused with a log line. Root's (the file's mode, 0200). */
int procfs_sysrq_open(struct file *f);

#endif
