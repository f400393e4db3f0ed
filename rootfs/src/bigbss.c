// SPDX-License-Identifier: MIT
// Loader test: two PT_LOADs, 8 KiB of initialised data ending mid-page, then 4 MiB of bss.
#include <elf.h>
#include <stdint.h>
#include "selftest.h"

#define PAGE		4096u
#define BIG_BSS		(4u << 20)
#define DATA_WORDS	2073u	/* 8292 bytes: 8 KiB and 100, so the file part ends mid-page */

/* Word i of the initialised array holds V(i); any misplaced file byte shows. */
#define V(i)		((uint32_t)((i) * 2654435761u + 1u))
#define R4(i)		V(i), V((i) + 1), V((i) + 2), V((i) + 3)
#define R16(i)		R4(i), R4((i) + 4), R4((i) + 8), R4((i) + 12)
#define R64(i)		R16(i), R16((i) + 16), R16((i) + 32), R16((i) + 48)
#define R256(i)		R64(i), R64((i) + 64), R64((i) + 128), R64((i) + 192)
#define R1024(i)	R256(i), R256((i) + 256), R256((i) + 512), R256((i) + 768)

static uint32_t data_words[DATA_WORDS] = {
	R1024(0), R1024(1024), R16(2048), R4(2064), R4(2068), V(2072)
};

/*
 * small_bss is meant to begin in the page where the file-backed data ends:
 * the loader must zero the rest of that page itself (the file holds other
 * bytes there). main checks the layout really is so.
 */
static unsigned char small_bss[PAGE];
static unsigned char big_bss[BIG_BSS];

extern const Elf64_Ehdr __ehdr_start;

/* writable_load: the program's own writable PT_LOAD, or NULL. */
static const Elf64_Phdr *writable_load(void)
{
	const Elf64_Phdr *ph = (const void *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
	int loads = 0;
	const Elf64_Phdr *rw = NULL;

	for (int i = 0; i < __ehdr_start.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		loads++;
		if (ph[i].p_flags & PF_W)
			rw = &ph[i];
	}
	if (loads != 2)
		t_fail("build: %d PT_LOAD segments, the test wants 2", loads);
	return rw;
}

/* check_layout: the file part of the data segment ends mid-page and bss starts in that page. */
static void check_layout(void)
{
	const Elf64_Phdr *rw = writable_load();

	if (!rw) {
		t_fail("build: no writable PT_LOAD");
		return;
	}
	uintptr_t file_end = rw->p_vaddr + rw->p_filesz;
	uintptr_t page_end = (file_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t first_bss = (uintptr_t)small_bss < (uintptr_t)big_bss ?
		(uintptr_t)small_bss : (uintptr_t)big_bss;

	t_say("data 0x%lx..0x%lx in the file, bss to 0x%lx, our bss from 0x%lx",
	      (unsigned long)rw->p_vaddr, (unsigned long)file_end,
	      (unsigned long)(rw->p_vaddr + rw->p_memsz), (unsigned long)first_bss);
	if (file_end % PAGE == 0)
		t_fail("build: file-backed data ends on a page boundary (0x%lx)", (unsigned long)file_end);
	if (rw->p_memsz < rw->p_filesz + BIG_BSS)
		t_fail("build: p_memsz 0x%lx too small for the bss", (unsigned long)rw->p_memsz);
	if (first_bss >= page_end)
		t_fail("build: our bss starts at 0x%lx, past the partial page ending 0x%lx",
		       (unsigned long)first_bss, (unsigned long)page_end);
}

/* check_zero: every byte of a bss array reads as zero. */
static void check_zero(const char *what, const volatile unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != 0) {
			t_fail("%s[%zu] at %p is 0x%02x, not zero", what, i, (const void *)&p[i], p[i]);
			return;
		}
	}
}

/* check_data: the initialised words hold the values the file gave them. */
static void check_data(void)
{
	for (uint32_t i = 0; i < DATA_WORDS; i++) {
		if (((volatile uint32_t *)data_words)[i] != V(i)) {
			t_fail("data_words[%u] is 0x%08x, want 0x%08x", i, data_words[i], V(i));
			return;
		}
	}
}

/* check_write: every byte can be written and reads back (no read-only or shared zero page left). */
static void check_write(const char *what, volatile unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
	for (size_t i = 0; i < len; i++) {
		if (p[i] != (unsigned char)(i * 7 + seed)) {
			t_fail("%s[%zu] did not keep what was written", what, i);
			return;
		}
	}
}

int main(void)
{
	t_begin("bigbss");
	check_layout();
	check_zero("small_bss", small_bss, sizeof(small_bss));
	check_zero("big_bss", big_bss, sizeof(big_bss));
	check_data();
	check_write("small_bss", small_bss, sizeof(small_bss), 1);
	check_write("big_bss", big_bss, sizeof(big_bss), 2);
	check_write("data_words", (unsigned char *)data_words, sizeof(data_words), 3);
	return t_finish();
}
