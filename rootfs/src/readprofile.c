// SPDX-License-Identifier: MIT
/*
 * readprofile: the kernel profiler's samples by function, as util-linux's
 * readprofile prints them, for a Kestrel booted with profile=N.
 *
 *     readprofile [-m MAP] [-p PROFILE] [-a] [-r]
 *
 * Reads PROFILE (/proc/profile: a 32-bit bucket size, then a 32-bit count
 * per bucket of kernel text from _stext on) and MAP (/proc/kallsyms, or a
 * System.map: "address type name" lines in address order), and prints a
 * line per text function with samples, "ticks name ticks/size" in
 * address order, then the total. -a prints the functions without samples
 * too; -r zeroes the counts (a write to PROFILE) and prints nothing.
 * A bucket that spans two functions counts for the first, as util-linux's
 * does. Exit status 1 with a message when a file cannot be read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_LEN 128

struct profile {
	uint32_t step;    /* bytes of text a bucket covers */
	uint32_t *counts;
	size_t n;
};

static int die(const char *what, const char *path)
{
	fprintf(stderr, "readprofile: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

/* Read the whole of path (a /proc file has no size to stat) into p. */
static int load_profile(const char *path, struct profile *p)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 16, len = 0;
	uint32_t *w = malloc(cap * sizeof(*w));

	if (!f || !w)
		return die("cannot read", path);
	for (size_t got; (got = fread(w + len, sizeof(*w), cap - len, f)) > 0;) {
		len += got;
		if (len == cap) {
			uint32_t *bigger = realloc(w, 2 * cap * sizeof(*w));
			if (!bigger)
				return die("no memory for", path);
			w = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (len < 2 || w[0] == 0 || (w[0] & (w[0] - 1))) {
		errno = EINVAL;
		return die("not a profile:", path);
	}
	p->step = w[0];
	p->counts = w + 1;
	p->n = len - 1;
	return 0;
}

/* Samples in text bytes [from, to) after text_start: the buckets that begin there. */
static uint64_t ticks_in(const struct profile *p, uint64_t from, uint64_t to)
{
	uint64_t sum = 0;

	for (uint64_t i = (from + p->step - 1) / p->step; i * p->step < to && i < p->n; i++)
		sum += p->counts[i];
	return sum;
}

static int print_profile(const struct profile *p, const char *map_path, int all)
{
	FILE *map = fopen(map_path, "r");
	char line[256], name[NAME_MAX_LEN], prev_name[NAME_MAX_LEN] = "";
	unsigned long long addr, start = 0, prev = 0;
	uint64_t total = 0;
	char type;

	if (!map)
		return die("cannot read", map_path);
	while (fgets(line, sizeof(line), map)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3)
			continue;
		if (!start) {
			if (strcmp(name, "_stext") == 0 || strcmp(name, "_text") == 0)
				start = prev = addr;
			continue;
		}
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			break; /* past the text */
		if (addr < prev)
			continue; /* out of order: not a map of this kernel's text */
		if (prev_name[0] && addr > prev) {
			uint64_t t = ticks_in(p, prev - start, addr - start);
			total += t;
			if (t || all)
				printf("%6llu %-40s %8.4f\n", (unsigned long long)t, prev_name,
				       (double)t / (double)(addr - prev));
		}
		prev = addr; /* of several names at one address, the last */
		snprintf(prev_name, sizeof(prev_name), "%s", name);
	}
	fclose(map);
	if (!start) {
		fprintf(stderr, "readprofile: no _stext in %s (no addresses without CAP_SYSLOG?)\n",
			map_path);
		return 1;
	}
	if (prev_name[0]) { /* the last function runs to the end of the buckets */
		uint64_t end = start + (uint64_t)p->n * p->step;
		uint64_t t = ticks_in(p, prev - start, end - start);
		total += t;
		if (t || all)
			printf("%6llu %-40s %8.4f\n", (unsigned long long)t, prev_name,
			       end > prev ? (double)t / (double)(end - prev) : 0.0);
	}
	printf("%6llu %-40s %8.4f\n", (unsigned long long)total, "total",
	       (double)total / (double)((uint64_t)p->n * p->step));
	return 0;
}

int main(int argc, char **argv)
{
	const char *map = "/proc/kallsyms", *prof = "/proc/profile";
	int all = 0, reset = 0, c;
	struct profile p;

	while ((c = getopt(argc, argv, "m:p:ar")) != -1) {
		if (c == 'm')
			map = optarg;
		else if (c == 'p')
			prof = optarg;
		else if (c == 'a')
			all = 1;
		else if (c == 'r')
			reset = 1;
		else {
			fprintf(stderr, "usage: readprofile [-m MAP] [-p PROFILE] [-a] [-r]\n");
			return 2;
		}
	}
	if (reset) {
		FILE *f = fopen(prof, "w");
		if (!f || fputs("0", f) < 0 || fclose(f) != 0)
			return die("cannot reset", prof);
		return 0;
	}
	if (load_profile(prof, &p))
		return 1;
	return print_profile(&p, map, all);
}
