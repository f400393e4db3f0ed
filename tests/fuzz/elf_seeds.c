/* SPDX-License-Identifier: MIT */
/*
 * Writes valid kernel, static-user and PIE-user ELF images into a
 * directory, as a seed corpus for fuzz_elf.
 */
#include <stdio.h>

#include "elf_build.h"

/* Write one image to dir/name; returns 0 on success. */
static int write_seed(const char *dir, const char *name, const struct elf_image *img)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(img->buf, 1, img->size, f) != img->size) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	static struct elf_image img;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	img_kernel(&img);
	bad |= write_seed(argv[1], "seed-kernel", &img);
	img_user_exec(&img);
	bad |= write_seed(argv[1], "seed-user-exec", &img);
	img_user_dyn(&img);
	bad |= write_seed(argv[1], "seed-user-dyn", &img);
	return bad;
}
