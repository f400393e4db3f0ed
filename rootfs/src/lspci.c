// SPDX-License-Identifier: MIT
// /sys/bus/pci as busybox's lspci reads it (Debian's busybox-static has no lspci applet, so
// this program does what its lspci.c does: every entry of /sys/bus/pci/devices is a symlink,
// lstat'ed and not followed; its uevent is split at ':' and '=' into at most three tokens;
// DRIVER, PCI_CLASS, PCI_ID, PCI_SUBSYS_ID and PCI_SLOT_NAME make the line
// "00:1f.2 Class 0106: 8086:2922 ahci" of `lspci -k`), then compares the result with
// /proc/bus/pci/devices: the same functions in the same order, the same IDs and drivers; and
// each function's attribute files (vendor, device, class, subsystem_*, config, resource, irq,
// modalias) agree with its uevent, as Linux's drivers/pci/pci-sysfs.c writes them, and its
// driver link (when bound) leads to /sys/bus/pci/drivers/DRIVER, which links back to it.
// The lspci lines are printed (the boot test lspci-q35 expects the known QEMU devices).
// Skips where the machine has no PCI (/sys/bus/pci/devices absent, e.g. a container).
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checks.h"

#define SYS_DEVICES "/sys/bus/pci/devices"
#define PROC_DEVICES "/proc/bus/pci/devices"
#define MAX_FUNCS 256
#define NAME_LEN 64

struct func {
	char name[NAME_LEN];            /* the entry: 0000:00:1f.2 */
	char slot[NAME_LEN];            /* PCI_SLOT_NAME's last token: 00:1f.2 */
	char driver[NAME_LEN];
	unsigned cls, vid, did, svid, sdid;
};
static struct func funcs[MAX_FUNCS];
static int nfuncs;

/* SYS_DEVICES/NAME or SYS_DEVICES/NAME/ATTR into buf. */
static void func_path(char *buf, size_t size, const char *name, const char *attr)
{
	snprintf(buf, size, SYS_DEVICES "/%.63s%s%.63s", name, attr[0] ? "/" : "", attr);
}

/* The whole of a small file into buf (NUL-terminated): its length, or -1. */
static long read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while (n < (long)size - 1 && (r = read(fd, buf + n, size - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return n;
}

/* busybox's config_read(parser, tokens, 3, 2, "\0:=", PARSE_NORMAL) on one
 * line: split at ':' or '=' into at most three tokens, the last one the
 * rest of the line. Returns the token count. */
static int split3(char *line, char *tok[3])
{
	int n = 0;

	tok[n++] = line;
	while (n < 3) {
		char *s = strpbrk(tok[n - 1], ":=");
		if (!s)
			break;
		*s = '\0';
		tok[n++] = s + 1;
	}
	return n;
}

/* Parse one uevent into f, as lspci's fileAction. */
static int parse_uevent(char *text, struct func *f)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t[3];
		int n = split3(line, t);
		if (n >= 2 && !strcmp(t[0], "DRIVER"))
			snprintf(f->driver, sizeof(f->driver), "%s", t[1]);
		else if (n >= 2 && !strcmp(t[0], "PCI_CLASS"))
			f->cls = (unsigned)strtoul(t[1], NULL, 16) >> 8;
		else if (n >= 3 && !strcmp(t[0], "PCI_ID")) {
			f->vid = (unsigned)strtoul(t[1], NULL, 16);
			f->did = (unsigned)strtoul(t[2], NULL, 16);
		} else if (n >= 3 && !strcmp(t[0], "PCI_SUBSYS_ID")) {
			f->svid = (unsigned)strtoul(t[1], NULL, 16);
			f->sdid = (unsigned)strtoul(t[2], NULL, 16);
		} else if (n >= 3 && !strcmp(t[0], "PCI_SLOT_NAME"))
			snprintf(f->slot, sizeof(f->slot), "%s", t[2]);
	}
	return f->slot[0] && (f->vid || f->did) ? CHECK_OK : fail("uevent without PCI_SLOT_NAME or PCI_ID");
}

/* One entry of /sys/bus/pci/devices, read as lspci does. */
static int read_entry(const char *name)
{
	char path[PATH_MAX], text[2048];
	struct stat st;
	struct func *f = &funcs[nfuncs];

	func_path(path, sizeof(path), name, "");
	if (lstat(path, &st))
		return fail("lstat %s: %s", path, errname(errno));
	if (!S_ISLNK(st.st_mode))
		return fail("%s is not a symlink (lspci would recurse into it)", path);
	func_path(path, sizeof(path), name, "uevent");
	if (read_small(path, text, sizeof(text)) <= 0)
		return fail("read %s: %s", path, errname(errno));
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (parse_uevent(text, f) != CHECK_OK)
		return fail("%s: %s", path, c_why);
	if (strcmp(f->slot, strchr(name, ':') + 1) != 0)
		return fail("%s: PCI_SLOT_NAME ends in '%s'", name, f->slot);
	nfuncs++;
	return CHECK_OK;
}

/* The entries in readdir order (lspci prints them so); Linux's and Kestrel's are in bus order. */
static int read_all(void)
{
	DIR *d = opendir(SYS_DEVICES);
	struct dirent *e;
	int r = CHECK_OK;

	nfuncs = 0;
	if (!d)
		return errno == ENOENT ? skip("no " SYS_DEVICES " (no PCI here)") :
					 fail("opendir " SYS_DEVICES ": %s", errname(errno));
	while (r == CHECK_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (nfuncs == MAX_FUNCS)
			r = fail("more than %d functions", MAX_FUNCS);
		else if (strlen(e->d_name) != 12 || e->d_name[4] != ':')
			r = fail("entry '%s' is not DDDD:BB:DD.F", e->d_name);
		else
			r = read_entry(e->d_name);
	}
	closedir(d);
	if (r == CHECK_OK && !nfuncs)
		r = fail(SYS_DEVICES " is empty");
	return r;
}

static int cmp_func(const void *a, const void *b)
{
	return strcmp(((const struct func *)a)->name, ((const struct func *)b)->name);
}

/* busybox lspci -k's output, one line per function. */
static int lspci_lines(void)
{
	int r = read_all();

	if (r != CHECK_OK)
		return r;
	for (int i = 0; i < nfuncs; i++) {
		const struct func *f = &funcs[i];
		printf("%s Class %04x: %04x:%04x%s%s\n", f->slot, f->cls, f->vid, f->did,
		       f->driver[0] ? " " : "", f->driver);
	}
	fflush(stdout);
	remark("%d functions", nfuncs);
	return CHECK_OK;
}

/* The same functions, IDs and drivers as /proc/bus/pci/devices, whose lines are in bus/devfn order. */
static int matches_proc(void)
{
	FILE *fp;
	char line[1024];
	int n = 0, r = read_all();

	if (r != CHECK_OK)
		return r;
	if (!(fp = fopen(PROC_DEVICES, "r")))
		return fail("open " PROC_DEVICES ": %s", errname(errno));
	qsort(funcs, (size_t)nfuncs, sizeof(funcs[0]), cmp_func);
	while (r == CHECK_OK && fgets(line, sizeof(line), fp)) {
		unsigned busdevfn, id;
		char *nl = strchr(line, '\n'), *tab = strrchr(line, '\t');
		if (nl)
			*nl = '\0';
		if (sscanf(line, "%x %x", &busdevfn, &id) != 2 || !tab)
			r = fail("bad line in " PROC_DEVICES ": '%s'", line);
		else if (n >= nfuncs)
			r = fail(PROC_DEVICES " has more lines than " SYS_DEVICES " has entries");
		else {
			const struct func *f = &funcs[n++];
			char slot[NAME_LEN];
			snprintf(slot, sizeof(slot), "%02x:%02x.%x", busdevfn >> 8, (busdevfn >> 3) & 31,
				 busdevfn & 7);
			if (strcmp(slot, f->slot) || id != (f->vid << 16 | f->did) || strcmp(tab + 1, f->driver))
				r = fail("/proc has %s %08x '%s', /sys %s %04x%04x '%s'", slot, id, tab + 1,
					 f->slot, f->vid, f->did, f->driver);
		}
	}
	fclose(fp);
	if (r == CHECK_OK && n != nfuncs)
		r = fail(PROC_DEVICES " has %d lines, " SYS_DEVICES " %d entries", n, nfuncs);
	return r;
}

/* An attribute file holds exactly the text want. */
static int attr_is(const struct func *f, const char *attr, const char *want)
{
	char path[PATH_MAX], got[256];

	func_path(path, sizeof(path), f->name, attr);
	if (read_small(path, got, sizeof(got)) < 0)
		return fail("read %s: %s", path, errname(errno));
	if (strcmp(got, want))
		return fail("%s is '%s', want '%s'", path, got, want);
	return CHECK_OK;
}

/* config: its size is 256 or 4096, its first bytes the IDs from uevent. */
static int config_ok(const struct func *f)
{
	char path[PATH_MAX];
	unsigned char cfg[64];
	struct stat st;

	func_path(path, sizeof(path), f->name, "config");
	int fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return fail("open %s: %s", path, errname(errno));
	long n = read(fd, cfg, sizeof(cfg));
	close(fd);
	if (st.st_size != 256 && st.st_size != 4096)
		return fail("%s: size %ld", path, (long)st.st_size);
	if (n != (long)sizeof(cfg))
		return fail("%s: read %ld of %zu bytes", path, n, sizeof(cfg));
	unsigned vid = cfg[0] | cfg[1] << 8, did = cfg[2] | cfg[3] << 8;
	unsigned cls = cfg[11] << 8 | cfg[10];
	if (vid != f->vid || did != f->did || cls != f->cls)
		return fail("%s: %04x:%04x class %04x, uevent %04x:%04x class %04x", path, vid, did, cls,
			    f->vid, f->did, f->cls);
	return CHECK_OK;
}

/* resource: at least seven lines of three 0x%016llx fields; irq: a number. */
static int resource_irq_ok(const struct func *f)
{
	char path[PATH_MAX], text[2048];
	int lines = 0;

	func_path(path, sizeof(path), f->name, "resource");
	if (read_small(path, text, sizeof(text)) <= 0)
		return fail("read %s: %s", path, errname(errno));
	for (char *s = text; *s; lines++) {
		unsigned long long a, b, c;
		int used = 0;
		if (sscanf(s, "0x%16llx 0x%16llx 0x%16llx\n%n", &a, &b, &c, &used) != 3 || used != 57)
			return fail("%s: line %d is not three 0x%%016llx", path, lines + 1);
		if (a && b < a)
			return fail("%s: line %d ends before it starts", path, lines + 1);
		s += used;
	}
	if (lines < 7)
		return fail("%s: %d lines", path, lines);
	func_path(path, sizeof(path), f->name, "irq");
	if (read_small(path, text, sizeof(text)) <= 0 || strspn(text, "0123456789") + 1 != strlen(text))
		return fail("%s is not a number", path);
	return CHECK_OK;
}

/* The link leads to a directory of /sys/devices. */
static int link_ok(const struct func *f)
{
	char path[PATH_MAX], target[PATH_MAX], real[PATH_MAX];

	func_path(path, sizeof(path), f->name, "");
	long n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return fail("readlink %s: %s", path, errname(errno));
	target[n] = '\0';
	if (strncmp(target, "../../../devices/pci", 20) || !strstr(target, f->name))
		return fail("%s -> %s", path, target);
	if (!realpath(path, real) || strncmp(real, "/sys/devices/pci", 16))
		return fail("%s resolves to %s", path, real);
	return CHECK_OK;
}

/* A bound function's driver link names its uevent's DRIVER and leads to
 * /sys/bus/pci/drivers/DRIVER, whose link named after the function leads
 * back to the function's directory; an unbound one has no driver link. */
static int driver_ok(const struct func *f)
{
	char path[PATH_MAX], target[PATH_MAX], real[PATH_MAX], back[PATH_MAX], dev[PATH_MAX];

	func_path(path, sizeof(path), f->name, "driver");
	long n = readlink(path, target, sizeof(target) - 1);
	if (!f->driver[0])
		return n < 0 ? CHECK_OK : fail("%s exists, but uevent names no driver", path);
	if (n <= 0)
		return fail("readlink %s: %s", path, errname(errno));
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	if (!base || strcmp(base + 1, f->driver))
		return fail("%s -> %s, uevent DRIVER=%s", path, target, f->driver);
	snprintf(back, sizeof(back), "/sys/bus/pci/drivers/%.63s", f->driver);
	if (!realpath(path, real) || strcmp(real, back))
		return fail("%s resolves to %s, want %s", path, real, back);
	snprintf(back, sizeof(back), "/sys/bus/pci/drivers/%.63s/%.63s", f->driver, f->name);
	func_path(path, sizeof(path), f->name, "");
	if (!realpath(back, real) || !realpath(path, dev) || strcmp(real, dev))
		return fail("%s does not lead to the function's directory", back);
	return CHECK_OK;
}

/* Every function's attribute files agree with its uevent. */
static int attributes(void)
{
	int r = read_all();

	for (int i = 0; r == CHECK_OK && i < nfuncs; i++) {
		const struct func *f = &funcs[i];
		char want[128];
		snprintf(want, sizeof(want), "0x%04x\n", f->vid);
		r = attr_is(f, "vendor", want);
		snprintf(want, sizeof(want), "0x%04x\n", f->did);
		r = r ? r : attr_is(f, "device", want);
		snprintf(want, sizeof(want), "0x%04x\n", f->svid);
		r = r ? r : attr_is(f, "subsystem_vendor", want);
		snprintf(want, sizeof(want), "0x%04x\n", f->sdid);
		r = r ? r : attr_is(f, "subsystem_device", want);
		snprintf(want, sizeof(want), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi", f->vid, f->did,
			 f->svid, f->sdid, f->cls >> 8, f->cls & 0xff);
		char path[PATH_MAX], got[256];
		func_path(path, sizeof(path), f->name, "modalias");
		if (!r && (read_small(path, got, sizeof(got)) < 0 || strncmp(got, want, strlen(want))))
			r = fail("%s is '%s', want '%s..'", path, got, want);
		r = r ? r : config_ok(f);
		r = r ? r : resource_irq_ok(f);
		r = r ? r : link_ok(f);
		r = r ? r : driver_ok(f);
	}
	if (r == CHECK_OK)
		remark("%d functions", nfuncs);
	return r;
}

static const struct check checks[] = {
	{ "lspci", lspci_lines },
	{ "matches-proc", matches_proc },
	{ "attributes", attributes },
};

int main(int argc, char **argv)
{
	return run_checks("lspci", checks, NELEMS(checks), argc, argv);
}
