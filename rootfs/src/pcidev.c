// SPDX-License-Identifier: MIT
// /proc/bus/pci/devices in Linux's format (drivers/pci/proc.c): one line per PCI function,
// 18 tab-separated fields (bus and devfn, vendor and device, IRQ, seven resource starts with
// their flag bits, seven sizes, the driver's name or nothing), in bus/devfn order; /proc/bus and
// /proc/bus/pci are directories that list what they hold. Every x86 PC has PCI (a host bridge
// at 00:00.0 at least), so a missing file is a failure.
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "checks.h"

#define DEVICES    "/proc/bus/pci/devices"
#define FIELDS     18
#define RESOURCES  7
#define LINE_MAX_  1024

/* Split line (its newline removed) at tabs; returns the field count. */
static int split_tabs(char *line, char *f[], int max)
{
	int n = 0;
	char *s = line;

	for (;;) {
		char *t = strchr(s, '\t');
		if (n < max)
			f[n] = s;
		n++;
		if (!t)
			return n;
		*t = '\0';
		s = t + 1;
	}
}

/* s is exactly width hex digits (width 0: one or more, leading spaces allowed). */
static int is_hex(const char *s, size_t width)
{
	while (!width && *s == ' ')
		s++;
	size_t n = strspn(s, "0123456789abcdef");
	return n == strlen(s) && n > 0 && (!width || n == width);
}

/* One line: the field count and shapes; *key is bus << 8 | devfn. */
static int check_line(char *line, unsigned *key)
{
	char *f[FIELDS];
	int n = split_tabs(line, f, FIELDS);

	if (n != FIELDS)
		return fail("%d fields, want %d", n, FIELDS);
	if (!is_hex(f[0], 4) || !is_hex(f[1], 8) || !is_hex(f[2], 0))
		return fail("bad bus/devfn, id or irq field: '%s' '%s' '%s'", f[0], f[1], f[2]);
	for (int i = 3; i < 3 + 2 * RESOURCES; i++)
		if (strlen(f[i]) < 16 || !is_hex(f[i], 0))
			return fail("resource field %d '%s' is not %%16llx", i, f[i]);
	if (sscanf(f[0], "%x", key) != 1)
		return fail("cannot parse '%s'", f[0]);
	return CHECK_OK;
}

static int devices_format(void)
{
	FILE *fp = fopen(DEVICES, "r");
	char line[LINE_MAX_];
	unsigned prev = 0, key = 0;
	int lines = 0;

	if (!fp)
		return fail("open %s: %s", DEVICES, errname(errno));
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strlen(line);
		if (!len || line[len - 1] != '\n') {
			fclose(fp);
			return fail("line %d has no newline", lines + 1);
		}
		line[len - 1] = '\0';
		if (check_line(line, &key) != CHECK_OK) {
			fclose(fp);
			return CHECK_FAIL;
		}
		if (lines && key <= prev) {
			fclose(fp);
			return fail("line %d (%04x) not after %04x", lines + 1, key, prev);
		}
		prev = key;
		lines++;
	}
	fclose(fp);
	if (!lines)
		return fail("no lines");
	snprintf(c_note, sizeof(c_note), "%d functions", lines);
	return CHECK_OK;
}

/* dir (a directory) lists name. */
static int lists(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		found |= strcmp(e->d_name, name) == 0;
	closedir(d);
	return found;
}

static int dirs_listed(void)
{
	struct stat st;

	if (stat("/proc/bus", &st) || !S_ISDIR(st.st_mode) || stat("/proc/bus/pci", &st) ||
	    !S_ISDIR(st.st_mode))
		return fail("/proc/bus or /proc/bus/pci is not a directory");
	if (stat(DEVICES, &st) || !S_ISREG(st.st_mode) || (st.st_mode & 0777) != 0444)
		return fail(DEVICES " is not a regular file of mode 0444");
	if (!lists("/proc", "bus") || !lists("/proc/bus", "pci") || !lists("/proc/bus/pci", "devices"))
		return fail("readdir does not list /proc/bus, /proc/bus/pci or " DEVICES);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "devices-format", devices_format },
	{ "dirs-listed", dirs_listed },
};

int main(int argc, char **argv)
{
	return run_checks("pcidev", checks, NELEMS(checks), argc, argv);
}
