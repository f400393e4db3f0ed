# SPDX-License-Identifier: MIT
# The guest's Makefile for bench-apps' gcc workload (/src/kbuild/Makefile):
# Debian's gcc-12 compiles a copy of Kestrel's kernel sources with the
# kernel's own flags, one object per source as the top Makefile's rules do
# (a directory made per object, -MMD dependency files), objects only: no
# link, so no ksyms.o. tools/bench_apps.py writes flags.mk beside it at
# image-build time, from the top Makefile itself:
#   KERNEL_CFLAGS  the kernel's flags
#   ALL_SRC        every kernel source (.c and .S), in the top Makefile's order
#   QUICK_SRC      a tenth of them, named (every tenth of ALL_SRC)
# and blobs/ holds what two .S files take with .incbin (the fonts, the vDSO).
#
#   make -B -j1 all      every object, under o/
#   make -B -j1 quick    QUICK_SRC's objects
include flags.mk

CC := gcc-12
FONT_DEFS := -DFONT16_PATH='"blobs/Terminus16.psf"' -DFONT32_PATH='"blobs/Terminus32x16.psf"'
obj = $(patsubst %,o/%.o,$(1))

.PHONY: all quick
all: $(call obj,$(ALL_SRC))
quick: $(call obj,$(QUICK_SRC))

o/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@
o/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) $(FONT_DEFS) -D__ASSEMBLER__ -c $< -o $@
o/kernel/proc/vdso_blob.S.o: KERNEL_CFLAGS += -DVDSO_PATH='"blobs/vdso.so"'
