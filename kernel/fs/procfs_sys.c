// SPDX-License-Identifier: MIT
/*
 * Kestrel: the writable numbers of /proc/sys (Linux's sysctl files as
 * proc_douintvec_minmax shows them): a decimal value and a newline when
 * read; a write at position 0 of one decimal number, with blanks around
 * it, sets it, within the value's bounds (-EINVAL outside them or for
 * anything else). Who may write is the file's mode's business (0644,
 * root's). Each value lives with its subsystem.
 */
#include "fs/procfs_sys.h"
#include "fs/inode.h"
#include "fs/pipe.h"
#include "mm/usercopy.h"
#include "proc/rlimit.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "log.h"
#include "panic.h"

#define SYSCTL_TEXT_MAX 32 /* the longest write taken: a number and blanks */

struct sysctl_uint {
	const char *name;
	unsigned int (*get)(void);
	int (*set)(uint64_t v); /* 0 or -EINVAL */
};

static unsigned int nr_open_get(void)
{
	return sysctl_nr_open;
}

/* Linux's sysctl_nr_open_min .. sysctl_nr_open_max. */
static int nr_open_set(uint64_t v)
{
	if (v < NR_OPEN_MIN || v > NR_OPEN_MAX)
		return -EINVAL;
	sysctl_nr_open = (unsigned int)v;
	return 0;
}

static const struct sysctl_uint sysctls[] = {
	{ "nr_open", nr_open_get, nr_open_set },
	{ "pipe-max-size", pipe_max_size, pipe_set_max_size },
};
#define N_SYSCTL (sizeof(sysctls) / sizeof(sysctls[0]))

static const struct sysctl_uint *sysctl_of(struct file *f)
{
	return f->priv;
}

static long sysctl_read(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	char text[16];
	size_t len = (size_t)ksnprintf(text, sizeof(text), "%u\n", sysctl_of(f)->get());

	return vfs_read_text(text, len, iobuf_user(buf), n, pos);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The one decimal number of text (blanks around it), or -EINVAL. */
static int parse_uint(const char *text, size_t n, uint64_t *out)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	while (i < n && is_blank(text[i]))
		i++;
	for (; i < n && text[i] >= '0' && text[i] <= '9'; i++, digits++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	while (i < n && is_blank(text[i]))
		i++;
	if (!digits || i != n)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A write past position 0 is ignored, as Linux's default strict mode. */
static long sysctl_write(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	char text[SYSCTL_TEXT_MAX];
	uint64_t v;

	if (*pos)
		return (long)n;
	if (n >= sizeof(text))
		return -EINVAL;
	if (copy_from_user(text, buf, n))
		return -EFAULT;
	int err = parse_uint(text, n, &v);
	if (!err)
		err = sysctl_of(f)->set(v);
	if (err)
		return err;
	*pos += n;
	return (long)n;
}

static long sysctl_lseek(struct file *f, int64_t off, int whence)
{
	return vfs_seek_pos(f, off, whence, 0);
}

static const struct file_ops sysctl_ops = {
	.read = sysctl_read,
	.write = sysctl_write,
	.lseek = sysctl_lseek,
};

int procfs_sysctl_open(const char *name, struct file *f)
{
	for (size_t i = 0; i < N_SYSCTL; i++)
		if (strcmp(sysctls[i].name, name) == 0) {
			f->ops = &sysctl_ops;
			f->priv = (void *)&sysctls[i];
			return 0;
		}
	return -ENXIO;
}

/* /proc/sysrq-trigger: the first character written is the key (Linux's
 * write_sysrq_trigger); Kestrel knows 'c' alone. */
static long sysrq_write(struct file *f, uptr_t buf, size_t n, uint64_t *pos)
{
	char key;

	(void)f;
	(void)pos;
	if (!n)
		return 0;
	if (copy_from_user(&key, buf, 1))
		return -EFAULT;
	if (key == 'c')
		panic("sysrq triggered crash");
	klog(LOG_INFO, "sysrq: key '%c' not handled (Kestrel knows c: crash)\n",
	     key >= ' ' && key < 0x7f ? key : '?');
	return (long)n;
}

static const struct file_ops sysrq_ops = {
	.write = sysrq_write,
};

int procfs_sysrq_open(struct file *f)
{
	f->ops = &sysrq_ops;
	return 0;
}
