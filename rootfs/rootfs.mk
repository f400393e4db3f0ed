# SPDX-License-Identifier: MIT
# Build the user-space self-test programs (rootfs/src/) into $(B)/rootfs.extra/bin/ for the rootfs.
#
# Included by the top-level Makefile after B and DEPS_OK are set.
# tools/mkrootfs.sh copies $(B)/rootfs.extra/ over the staged tree, so only
# finished binaries may land there. /etc/selftest names them (the
# syscall-group tests files, dirs, procs, pipes, signals, ttyio and mmap
# too); keep them in step. /sbin/init is the project's
# own (rootfs/src/init.c). Every program is a static musl binary, except:
#   minimal  no libc at all, one R+X PT_LOAD (rootfs/src/minimal.ld)
#   t-pie    static-pie: Debian's musl-gcc specs drop gcc's -static-pie
#            link options and always use Scrt1.o, which makes a dynamic PIE
#            asking for /lib/ld-musl-x86_64.so.1. So it is linked by hand:
#            musl's rcrt1.o (which applies the relocations itself), -static
#            -pie --no-dynamic-linker, exactly what gcc's own -static-pie does.
# Each link is checked with readelf: the segment layout is what a test is
# about, so a toolchain that changes it must stop the build, not the test.

MUSL_CC      ?= musl-gcc
MUSL_LIB     ?= /usr/lib/x86_64-linux-musl
ROOTFS_ASCC  ?= gcc
ROOTFS_SRC   := rootfs/src
ROOTFS_BIN   := $(B)/rootfs.extra/bin
ROOTFS_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror
ROOTFS_TESTS := bigbss pie auxv nullderef kernelread privileged wxfault ud2 syscalls int80 fpu avx busyloop \
	files dirs procs pipes signals ttyio mmapt timers threads sysargs prochostile fshostile entry memhostile shmem \
	uapi conform_futex conform_eventfd conform_proc conform_mem conform_csys conform_exec conform_mfile conform_pipe conform_locks conform_unix ptrace conform_misc conform_elf conform_fdtypes conform_creds pcidev lspci conform_scale conform_glibc conform_procmem conform_wait conform_mremap mount mshared smp_stress conform_smp conform_pty conform_pyos conform_inet conform_sched vdso conform_cpus conform_netlink conform_netif conform_sysctl conform_inet_msg tcpopts conform_ipc conform_aio conform_inotify conform_keys conform_sys2 conform_mqueue radvsend udp6 conform_tcp6 conform_tcpcc conform_pmtu httpget ifwatch conform_profile
ROOTFS_PROGS := $(B)/rootfs.extra/sbin/init $(ROOTFS_BIN)/minimal $(ROOTFS_BIN)/hello \
	$(patsubst %,$(ROOTFS_BIN)/t-%,$(ROOTFS_TESTS)) \
	$(ROOTFS_BIN)/t-dynamic $(ROOTFS_BIN)/t-badelf $(B)/rootfs.extra/lib/ld-musl-x86_64.so.1 \
	$(ROOTFS_BIN)/kfuzz $(ROOTFS_BIN)/readprofile

.PHONY: rootfs-progs
rootfs-progs: $(ROOTFS_PROGS)

# rootfs_check FILE, CONDITION, MESSAGE: delete FILE and fail unless the shell CONDITION holds.
rootfs_check = @$(2) || { echo "rootfs: $(notdir $(1)): $(3)"; rm -f $(1); exit 1; }
# Number of PT_LOAD segments in $@, and whether any is writable and executable.
rootfs_loads = $$(readelf -lW $@ | grep -c '^ *LOAD ')
rootfs_no_wx = ! readelf -lW $@ | grep -q '^ *LOAD .* RWE '

# Per-program link options for the pattern rule below.
$(ROOTFS_BIN)/t-bigbss: ROOTFS_LDFLAGS := -Wl,-z,noseparate-code
$(ROOTFS_BIN)/t-auxv: ROOTFS_LDFLAGS := -Wl,-e,t_entry

$(ROOTFS_BIN)/minimal: $(ROOTFS_SRC)/minimal.S $(ROOTFS_SRC)/minimal.ld | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(ROOTFS_ASCC) -nostdlib -static -no-pie -Wl,-T,$(ROOTFS_SRC)/minimal.ld \
		-Wl,--build-id=none -o $@ $<
	$(call rootfs_check,$@,[ $(rootfs_loads) -eq 1 ],want exactly one PT_LOAD)
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

$(B)/rootfs.extra/sbin/init: $(ROOTFS_SRC)/init.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -static -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

$(ROOTFS_BIN)/hello: $(ROOTFS_SRC)/hello.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -static -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

$(ROOTFS_BIN)/readprofile: $(ROOTFS_SRC)/readprofile.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -static -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

$(ROOTFS_BIN)/t-pie: $(ROOTFS_SRC)/pie.c $(ROOTFS_SRC)/selftest.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -fPIE -nostartfiles -Wl,-static -Wl,-pie \
		-Wl,--no-dynamic-linker -Wl,-z,text \
		$(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $$($(MUSL_CC) -print-file-name=crtbeginS.o) \
		$< $$($(MUSL_CC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o -o $@
	$(call rootfs_check,$@,readelf -hW $@ | grep -q 'Type: *DYN',not ET_DYN)
	$(call rootfs_check,$@,! readelf -lW $@ | grep -q INTERP,has an interpreter)
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

$(ROOTFS_BIN)/t-%: $(ROOTFS_SRC)/%.c $(ROOTFS_SRC)/selftest.h $(ROOTFS_SRC)/checks.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -static $(ROOTFS_LDFLAGS) -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

# bigbss is about a two-segment image (text+rodata, data+bss).
$(ROOTFS_BIN)/t-bigbss: $(ROOTFS_SRC)/bigbss.c $(ROOTFS_SRC)/selftest.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -static $(ROOTFS_LDFLAGS) -o $@ $<
	$(call rootfs_check,$@,[ $(rootfs_loads) -eq 2 ],want exactly two PT_LOADs)
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

# The system-call fuzzer (make fuzz-kernel). No stack protector: a child
# that set a garbage FS base with arch_prctl must still run its loop.
$(ROOTFS_BIN)/kfuzz: $(ROOTFS_SRC)/kfuzz.c $(ROOTFS_SRC)/kfuzz_table.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -fno-stack-protector -static -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

# A dynamically linked program and its interpreter (musl's ld.so is its
# libc.so): the PT_INTERP shape.
$(ROOTFS_BIN)/t-dynamic: $(ROOTFS_SRC)/dynamic.c $(ROOTFS_SRC)/selftest.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -o $@ $<
	$(call rootfs_check,$@,readelf -lW $@ | grep -q 'interpreter: /lib/ld-musl-x86_64.so.1',no PT_INTERP)
$(B)/rootfs.extra/lib/ld-musl-x86_64.so.1: $(MUSL_LIB)/libc.so | $(DEPS_OK)
	@mkdir -p $(dir $@)
	cp $< $@
# musl-tools installs it: on a fresh machine a parallel make must wait for
# tools/deps.sh before deciding there is no rule for it (as the fonts).
$(MUSL_LIB)/libc.so: | $(DEPS_OK)

# A corrupt ELF (e_machine = EM_386): exec must refuse it with ENOEXEC.
$(ROOTFS_BIN)/t-badelf: $(ROOTFS_BIN)/hello
	cp $< $@
	printf '\003' | dd of=$@ bs=1 seek=18 conv=notrunc status=none
