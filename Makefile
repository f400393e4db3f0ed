# SPDX-License-Identifier: MIT
# Kestrel: build the loader, kernel, rootfs and disk image; run; test.
#
#   make          build/BOOTX64.EFI build/kernel.elf build/rootfs.cpio build/kestrel.img
#   make run      boot it in QEMU+OVMF (serial on this terminal); NET=1 adds a NIC
#   make test     every test; ends with "N passed, N failed"
#   make debug    QEMU halted with a gdb stub, and gdb with the kernel's symbols
#
# CC=clang builds the kernel and loader with clang (and ld.lld for the kernel).
# SIGN_KEY=key.pem SIGN_CERT=cert.pem [SIGN_PASS=pass:WORD|file:PATH] signs the
# image's BOOTX64.EFI with sbsign; make run SECURE_BOOT=1 signs it with Debian's
# snakeoil test key and boots the snakeoil OVMF, which enforces Secure Boot.

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
ifneq ($(findstring clang,$(CC)),)
KLD     ?= ld.lld
else
KLD     ?= ld
endif
NM      ?= nm
OBJCOPY ?= objcopy
B       ?= build
CMDLINE ?=
QEMU    ?= qemu-system-x86_64
QEMU_MACHINE ?= q35
QEMU_MEM ?= 256M

# Secure Boot: the snakeoil key and firmware of Debian's ovmf package (the
# key's passphrase, "snakeoil", is in its README.Debian: a public test key).
SNAKEOIL_DIR := /usr/share/ovmf
ifneq ($(filter-out 0,$(SECURE_BOOT)),)
SIGN_KEY  := $(SNAKEOIL_DIR)/PkKek-1-snakeoil.key
SIGN_CERT := $(SNAKEOIL_DIR)/PkKek-1-snakeoil.pem
SIGN_PASS := pass:snakeoil
endif
SIGN_ARGS := $(if $(SIGN_KEY),--sign-key '$(SIGN_KEY)' --sign-cert '$(SIGN_CERT)') \
	$(if $(SIGN_PASS),--sign-pass '$(SIGN_PASS)')

DEPS_OK := $(B)/.deps-ok

# ---------------------------------------------------------------- kernel
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -mno-red-zone \
	-mcmodel=kernel -mgeneral-regs-only -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -MMD -MP -Ikernel -Ishared
# LOCKCHECK=1: a debug kernel with the lock-order checker (proc/lockcheck.h)
ifeq ($(LOCKCHECK),1)
KERNEL_CFLAGS += -DKESTREL_LOCKCHECK
endif
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-dynamic-linker -T kernel/kernel.ld

KERNEL_C := $(shell find kernel -name '*.c' | sort) shared/cmdline.c shared/memmap.c shared/elf_check.c \
	shared/pgplan.c
KERNEL_S := $(filter-out kernel/ksyms_empty.S,$(shell find kernel -name '*.S' | sort))
KERNEL_OBJ := $(patsubst %,$(B)/k/%.o,$(KERNEL_C) $(KERNEL_S))

FONT16_SRC := /usr/share/consolefonts/Lat15-Terminus16.psf.gz
FONT32_SRC := /usr/share/consolefonts/Lat15-Terminus32x16.psf.gz
FONT_DEFS := -DFONT16_PATH='"$(B)/font/Terminus16.psf"' -DFONT32_PATH='"$(B)/font/Terminus32x16.psf"'

# ---------------------------------------------------------------- loader
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
LOADER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fpic -fshort-wchar -mno-red-zone \
	-fno-stack-protector -fno-strict-aliasing -mgeneral-regs-only \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iefi-loader -Ishared \
	-Wall -Wextra -Werror -Wno-pointer-sign -MMD -MP
LOADER_SRC := $(sort $(wildcard efi-loader/*.c)) efi-loader/handoff.S shared/elf_check.c shared/memmap.c shared/pgplan.c \
	shared/cmdline.c shared/sha256.c
LOADER_OBJ := $(patsubst %,$(B)/l/%.o,$(LOADER_SRC))

.PHONY: all run test debug deps clean
all: $(B)/BOOTX64.EFI $(B)/kernel.elf $(B)/rootfs.cpio $(B)/kestrel.img

deps: $(DEPS_OK)
$(DEPS_OK): tools/deps.sh
	@tools/deps.sh
	@mkdir -p $(B) && touch $@

# ---------------------------------------------------------------- rules
$(B)/font/Terminus16.psf: $(FONT16_SRC) | $(DEPS_OK)
	@mkdir -p $(dir $@) && gzip -dc $< > $@
$(B)/font/Terminus32x16.psf: $(FONT32_SRC) | $(DEPS_OK)
	@mkdir -p $(dir $@) && gzip -dc $< > $@
$(FONT16_SRC) $(FONT32_SRC): | $(DEPS_OK)

$(B)/k/%.c.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(B)/k/%.S.o: %.S | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) $(FONT_DEFS) -D__ASSEMBLER__ -c $< -o $@
$(B)/k/kernel/dev/font_blobs.S.o: $(B)/font/Terminus16.psf $(B)/font/Terminus32x16.psf

# ---------------------------------------------------------------- vDSO
# vdso/: a small shared object every process gets (proc/vdso.c maps it,
# AT_SYSINFO_EHDR names it), linked into the kernel as a blob
# (kernel/proc/vdso_blob.S). Position-independent code that must need no
# relocation at all (it is mapped read-only, and nothing relocates it):
# the checks below fail the build on any relocation, writable or second
# PT_LOAD, or a missing export.
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -ffreestanding -nostdlib -fno-builtin -fno-stack-protector \
	-fno-plt -fvisibility=hidden -mgeneral-regs-only -fasynchronous-unwind-tables \
	-Wall -Wextra -Werror -MMD -MP -Ikernel
VDSO_LDFLAGS := -shared -nostdlib -soname=linux-vdso.so.1 --hash-style=both --eh-frame-hdr \
	-Bsymbolic --no-undefined -z max-page-size=4096 -z noexecstack --build-id=none \
	-T vdso/vdso.lds --version-script=vdso/vdso.map
VDSO_EXPORTS := clock_gettime gettimeofday time clock_getres getcpu
vdso_check = $(2) || { echo "vdso: $(3)"; rm -f $(1); exit 1; }

$(B)/vdso/vdso.o: vdso/vdso.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(VDSO_CFLAGS) -c $< -o $@
$(B)/vdso/vdso.so: $(B)/vdso/vdso.o vdso/vdso.lds vdso/vdso.map
	$(KLD) $(VDSO_LDFLAGS) -o $@ $<
	@$(call vdso_check,$@,readelf -rW $@ | grep -q 'no relocations',the image has relocations)
	@$(call vdso_check,$@,[ $$(readelf -lW $@ | grep -c '^ *LOAD ') -eq 1 ],want exactly one PT_LOAD)
	@$(call vdso_check,$@,readelf -lW $@ | grep -q '^ *LOAD .* R E ',the PT_LOAD is not exactly R E)
	@$(call vdso_check,$@,readelf -hW $@ | grep -q 'Type: *DYN',not ET_DYN)
	@$(call vdso_check,$@,readelf -SW $@ | grep -q ' \.hash ',no DT_HASH (musl needs it))
	@for f in $(VDSO_EXPORTS); do for n in $$f __vdso_$$f; do \
		readelf --dyn-syms -W $@ | grep -q " $$n@@LINUX_2.6$$" || \
		{ echo "vdso: $$n@@LINUX_2.6 not exported"; rm -f $@; exit 1; }; done; done
$(B)/k/kernel/proc/vdso_blob.S.o: $(B)/vdso/vdso.so
$(B)/k/kernel/proc/vdso_blob.S.o: KERNEL_CFLAGS += -DVDSO_PATH='"$(B)/vdso/vdso.so"'

# Two passes: link with an empty symbol table, generate the real one from
# that image, link again. .ksyms is last in the image, so no other symbol
# moves; the check below proves it.
$(B)/kernel.elf: $(KERNEL_OBJ) $(B)/k/ksyms_empty.o kernel/kernel.ld tools/gensyms.sh
	$(KLD) $(KERNEL_LDFLAGS) -o $(B)/kernel.pass1.elf $(KERNEL_OBJ) $(B)/k/ksyms_empty.o
	tools/gensyms.sh $(NM) $(B)/kernel.pass1.elf > $(B)/ksyms.S
	$(CC) $(KERNEL_CFLAGS) -c $(B)/ksyms.S -o $(B)/k/ksyms.o
	$(KLD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(B)/k/ksyms.o
	@$(NM) -n $(B)/kernel.pass1.elf | grep -v ' ksym_\| __kernel_end' > $(B)/syms.1
	@$(NM) -n $@ | grep -v ' ksym_\| __kernel_end' > $(B)/syms.2
	@cmp -s $(B)/syms.1 $(B)/syms.2 || { echo "kernel: symbols moved between link passes"; rm -f $@; exit 1; }
$(B)/k/ksyms_empty.o: kernel/ksyms_empty.S | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/l/%.c.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(LOADER_CFLAGS) -c $< -o $@
$(B)/l/%.S.o: %.S | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(LOADER_CFLAGS) -c $< -o $@

# gnu-efi: link a PIC shared object with its crt0 and linker script, then
# convert to PE. crt0 calls efi_main with the SysV convention.
$(B)/BOOTX64.EFI: $(LOADER_OBJ)
	ld -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		-L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o $(LOADER_OBJ) \
		-o $(B)/loader.so -lefi -lgnuefi
	$(OBJCOPY) -j .text -j .sdata -j .data -j .measure -j .dynamic -j .dynsym -j .rel \
		-j .rela -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $(B)/loader.so $@

# ---------------------------------------------------------------- rootfs + image
include rootfs/rootfs.mk
include rootfs/bench.mk
$(B)/rootfs.cpio: $(BENCH_PROGS)
ROOTFS_FILES := $(shell find rootfs -type f 2>/dev/null)
$(B)/rootfs.cpio: $(ROOTFS_FILES) $(ROOTFS_PROGS) tools/mkrootfs.sh | $(DEPS_OK)
	tools/mkrootfs.sh $(B)/rootfs $@

# The image holds the command line and the signature: rebuild it when
# CMDLINE or the signing options change. DEBS="bash coreutils ..." adds
# those Debian packages and their dependencies (tools/debs.py, cached in
# $(B)/debs) to the image's rootfs.
DEB_ARGS := $(foreach d,$(DEBS),--deb $(d))
$(B)/cmdline.stamp: FORCE
	@mkdir -p $(B)
	@printf '%s\n' "$(CMDLINE)" $(SIGN_ARGS) $(DEB_ARGS) | cmp -s - $@ || \
		printf '%s\n' "$(CMDLINE)" $(SIGN_ARGS) $(DEB_ARGS) > $@
.PHONY: FORCE
FORCE:

$(B)/kestrel.img: $(B)/BOOTX64.EFI $(B)/kernel.elf $(B)/rootfs.cpio tools/mkimg.sh $(B)/cmdline.stamp
	tools/mkimg.sh -o $@ --build $(B) --cmdline "$(CMDLINE)" $(SIGN_ARGS) $(DEB_ARGS)

# ---------------------------------------------------------------- run, debug
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS := /usr/share/OVMF/OVMF_VARS_4M.fd
QEMU_SB :=
ifneq ($(filter-out 0,$(SECURE_BOOT)),)
# SMM-protected variables, as a real machine enforcing Secure Boot has
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd
OVMF_VARS := /usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
QEMU_SB := -global driver=cfi.pflash01,property=secure,value=on
QEMU_MACHINE := $(QEMU_MACHINE),smm=on
endif
# NET=1: a NIC (NIC=virtio-net-pci, e1000, e1000e) on QEMU's user network, only
# with restrict=on (the guest reaches no host beyond QEMU's own 10.0.2.2),
# and ip=dhcp added to the command line. NET_HOSTFWD=P forwards the host's
# 127.0.0.1:P to the guest's port 80; NET_GUESTFWD=P makes 10.0.2.100:80 in
# the guest reach the host's 127.0.0.1:P (a server you run there).
NIC ?= virtio-net-pci
comma := ,
ifneq ($(filter-out 0,$(NET)),)
ifeq ($(findstring ip=,$(CMDLINE)),)
CMDLINE := $(strip $(CMDLINE) ip=dhcp)
endif
QEMU_NET := -device $(NIC),netdev=net0 -netdev user,id=net0,restrict=on$(if $(NET_HOSTFWD),$(comma)hostfwd=tcp:127.0.0.1:$(NET_HOSTFWD)-:80)$(if $(NET_GUESTFWD),$(comma)guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:$(NET_GUESTFWD))
endif
QEMU_DISPLAY := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,-display none)
QEMU_ARGS = -machine $(QEMU_MACHINE) -m $(QEMU_MEM) -nodefaults -vga std $(QEMU_SB) \
	-drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
	-drive if=pflash,format=raw,file=$(B)/run-vars.fd \
	-drive format=raw,file=$(B)/kestrel.img -serial stdio $(QEMU_DISPLAY) -no-reboot $(QEMU_NET)

run: all
	cp $(OVMF_VARS) $(B)/run-vars.fd
	$(QEMU) $(QEMU_ARGS)

debug: all
	cp $(OVMF_VARS) $(B)/run-vars.fd
	printf 'file %s\ntarget remote :1234\nhbreak kmain\ncontinue\n' $(B)/kernel.elf > $(B)/gdbinit
	@echo "QEMU halted with a gdb stub on :1234; in another terminal: gdb -x $(B)/gdbinit"
	$(QEMU) $(QEMU_ARGS) -s -S

# ---------------------------------------------------------------- tests
# The build first, on every CPU (a clean clone's takes about 1 minute on 2
# cores instead of 2; the recursive make keeps a plain "make test" the one
# command), then every suite (tests/run.sh).
.PHONY: test
test:
	@$(MAKE) -s -j$$(nproc) B=$(B) all
	@B=$(B) tests/run.sh

# ---------------------------------------------------------------- kernel fuzzing
# make fuzz-kernel [SECONDS=N] [SEED=S] [JOBS=J] [FUZZ_MEM=512M] [SMP=C]: boot /bin/kfuzz as
# init (on C CPUs with SMP=C) for N seconds (default 60; seed random and printed) and fail on a panic, a
# hang, a leak or an unkillable child, printing the command that replays the run.
FUZZ_MEM ?= 512M
.PHONY: fuzz-kernel
fuzz-kernel: all
	python3 tests/boot/fuzzkernel.py --build $(B) --seconds $(or $(SECONDS),60) \
		$(if $(SEED),--seed $(SEED)) $(if $(JOBS),--jobs $(JOBS)) --mem $(FUZZ_MEM) \
		$(if $(SMP),--smp $(SMP))

# ---------------------------------------------------------------- conformance
# DOCS=1 (make bench, conformance, conformance-extra, conformance-net-gvisor,
# conformance-ltp): the run's table goes into docs/results/ too, overwriting the
# page, headed with the make command, the date, the commit, QEMU and the host's
# load (tools/results_md.py; each script's --docs-from JSON renders it again).
# docs_arg TARGET,VARIABLES: --docs 'make TARGET VAR=value...' for the variables
# given on the command line, or nothing without DOCS=1.
docs_vars = $(strip $(foreach v,$(1),$(if $(filter command line,$(origin $(v))),$(v)=$($(v)))))
docs_arg = $(if $(filter-out 0,$(DOCS)),--docs 'make $(strip $(1) $(call docs_vars,$(2)) DOCS=$(DOCS))')
GV_VARS = GVTESTS GVFILTER GVSMP

# make conformance [GVTESTS="pipe_test ..."] [GVFILTER=gtest-filter] [GVSMP=N]: gVisor's
# system-call tests (../shared/conformance/gvisor, built into $(B)/gvisor when
# missing) booted in batches (on N CPUs with GVSMP=N); a table of passed cases
# against Linux's and of kernel panics and hangs in
# $(B)/conformance/gvisor-results.txt. Long (about an hour on 2 cores); not
# part of make test.
GV_ARGS = $(if $(GVFILTER),--filter '$(GVFILTER)') $(if $(GVSMP),--smp $(GVSMP))
.PHONY: conformance
conformance: all
	python3 tests/conformance/gvisor.py --build $(B) $(GV_ARGS) $(call docs_arg,conformance,$(GV_VARS)) $(GVTESTS)

# make conformance-extra [GVTESTS=...] [GVFILTER=...] [GVSMP=N]: the second set,
# tests/conformance/gvisor-extra (built into $(B)/gvisor-extra when missing);
# table in $(B)/conformance/gvisor-extra-results.txt.
.PHONY: conformance-extra
conformance-extra: all
	python3 tests/conformance/gvisor.py --extra --build $(B) $(GV_ARGS) \
		$(call docs_arg,conformance-extra,$(GV_VARS)) $(GVTESTS)

# make conformance-net-gvisor [GVTESTS=...] [GVFILTER=...] [GVSMP=N]: the third set,
# tests/conformance/gvisor-net, gVisor's loopback network tests (built into
# $(B)/gvisor-net when missing); table in $(B)/conformance/gvisor-net-results.txt.
.PHONY: conformance-net-gvisor
conformance-net-gvisor: all
	python3 tests/conformance/gvisor.py --net --build $(B) $(GV_ARGS) \
		$(call docs_arg,conformance-net-gvisor,$(GV_VARS)) $(GVTESTS)

# make conformance-quick: make test's step alone, the programs that pass as on
# Linux (tests/conformance/gvisor-quick.sh; built into $(B)/gvisor-quick).
.PHONY: conformance-quick
conformance-quick: all
	tests/conformance/gvisor-quick.sh $(B)

# make conformance-python [PYMODULES="test_os ..."] [PYONLY=kestrel|linux]: CPython's
# regression suite, issue 14's module list, on Kestrel and on Debian's Linux in the same
# QEMU (tests/conformance/cpython.py; Debian's packages cached in $(B)/debs): the
# table per module and $(B)/conformance/cpython.json. About 20 minutes. make test
# runs a part of it (boot case cpython-quick).
.PHONY: conformance-python
conformance-python: all
	python3 tests/conformance/cpython.py --build $(B) $(if $(PYONLY),--only $(PYONLY)) $(PYMODULES)

# make conformance-ltp [LTPTESTS="name regex ..."] [LTPSMP=N] [LTPONLY=kestrel|linux]
# [LTPSAMPLE=N] [LTPRESUME=1]: LTP's system-call tests (../shared/conformance/ltp, built
# once into $(B)/ltp-src and $(B)/ltp-bin with make -j$(nproc)) on Kestrel and on
# Debian's Linux 6.1 in the same QEMU, 60 entries of runtest/syscalls per boot
# (tests/conformance/ltp.py); each kernel's result per entry, the entries Linux
# passes and Kestrel does not, and every panic and hang in
# $(B)/conformance/ltp-results.txt and .json (ltp-smpN-results with LTPSMP=N).
# LTPRESUME=1 runs only the entries without a result yet. The two kernels run one
# after the other (about an hour for the whole list on 2 cores); LTPONLY=kestrel and
# LTPONLY=linux started at once run them side by side (22 and 35 minutes, 2026-11-26).
LTP_ARGS = $(if $(LTPSMP),--smp $(LTPSMP)) $(if $(LTPONLY),--only $(LTPONLY)) \
	$(if $(LTPSAMPLE),--sample $(LTPSAMPLE)) $(if $(filter-out 0,$(LTPRESUME)),--resume)
.PHONY: conformance-ltp
conformance-ltp: all
	python3 tests/conformance/ltp.py --build $(B) $(LTP_ARGS) \
		$(call docs_arg,conformance-ltp,LTPTESTS LTPSMP LTPONLY LTPSAMPLE LTPRESUME) $(LTPTESTS)

# make conformance-ltp-quick: make test's LTP step alone, the entries of
# tests/conformance/ltp-quick.txt on Kestrel (tests/conformance/ltp-quick.sh).
.PHONY: conformance-ltp-quick
conformance-ltp-quick: all
	tests/conformance/ltp-quick.sh $(B)

# make conformance-net [NETNIC=virtio-net-pci,e1000,e1000e,usb-net] [NETROUNDS=3] [NETONLY=functional|iperf]
# [NETPROFILE=1: where Kestrel's instructions go in the iperf3 runs]
# [NETLOSS=PCT [NETLOSSSEED=1]: the iperf3 boots through conformance-net-loss's seeded relay,
# PCT% loss with 1% reordering and duplication, the same seed for both pairs; the functional
# boot keeps a clean wire, so NETONLY=iperf goes with it]:
# Debian's curl, wget, nginx, openssh, iperf3, netcat-openbsd, socat and iproute2 on
# Kestrel and on Debian's Linux joined by a wire (-netdev dgram over Unix sockets: no
# traffic leaves the host), each program against the other kernel both ways, `ip addr`
# and `ip route` against Linux's, and iperf3's throughput against Linux with Linux
# (tests/conformance/net.py; packages cached in $(B)/debs), with each sender's retransmissions.
# Logs in $(B)/conformance/net/, results in $(B)/conformance/net.json. About 30 minutes; not
# part of make test.
.PHONY: conformance-net
conformance-net: all
	timeout 5400 python3 tests/conformance/net.py --build $(B) $(if $(NETNIC),--nic $(NETNIC)) \
		$(if $(NETROUNDS),--rounds $(NETROUNDS)) $(if $(NETONLY),--only $(NETONLY)) \
		$(if $(filter-out 0,$(NETPROFILE)),--profile) \
		$(if $(NETLOSS),--loss $(NETLOSS) $(if $(NETLOSSSEED),--seed $(NETLOSSSEED)))

# ---------------------------------------------------------------- packetdrill
# Google's packetdrill (tests/third_party/packetdrill/src, GPLv2, vendored so a clean
# clone builds it offline; a test tool run inside the guests, never linked into the
# kernel), built once as one static binary (Debian's gcc -static, flex, bison) that
# Kestrel and the Linux peer both run.
PDRILL_SRC := tests/third_party/packetdrill/src
PDRILL := $(B)/packetdrill/packetdrill
$(PDRILL): $(wildcard $(PDRILL_SRC)/*.c $(PDRILL_SRC)/*.h $(PDRILL_SRC)/*.l $(PDRILL_SRC)/*.y)
	rm -rf $(B)/packetdrill/obj
	mkdir -p $(B)/packetdrill
	cp -a $(PDRILL_SRC) $(B)/packetdrill/obj
	$(MAKE) -s -C $(B)/packetdrill/obj -f Makefile.Linux packetdrill CC="gcc -static" \
		> $(B)/packetdrill/build.log 2>&1 || { tail -20 $(B)/packetdrill/build.log; exit 1; }
	cp $(B)/packetdrill/obj/packetdrill $@

# offload_off: ethtool -K DEV gro off gso off tso off for the Linux guests (no ethtool
# there), so the wire server's sniffer sees each segment as it was sent.
PDRILL_OFFLOAD := $(B)/packetdrill/offload_off
$(PDRILL_OFFLOAD): tests/third_party/packetdrill/tools/offload_off.c
	mkdir -p $(B)/packetdrill
	gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: packetdrill
packetdrill: $(PDRILL) $(PDRILL_OFFLOAD)

# make conformance-packetdrill [PDLIST=all|quick|FILE] [PDONLY=kestrel|linux]: the curated
# packetdrill scripts (tests/third_party/packetdrill/all.list) in remote mode, Kestrel as
# the wire client (the system-call side) against Debian's Linux 6.1 as the wire server,
# and Linux against Linux on the same list, one boot pair each (tests/boot/pdrilltest.py);
# the table in $(B)/conformance/packetdrill.md. About 20 minutes; make test runs the
# quick list (suite packetdrill).
.PHONY: conformance-packetdrill
conformance-packetdrill: all $(PDRILL) $(PDRILL_OFFLOAD)
	timeout 5400 python3 tests/boot/pdrilltest.py --build $(B) --list $(or $(PDLIST),all) \
		$(if $(PDONLY),--only $(PDONLY)) --table $(B)/conformance/packetdrill.md

# make conformance-net-loss [NETLOSSSIZE=64] [NETLOSSRATES=0,1,5,20] [NETLOSSSEED=1]
# [NETLOSSPAIRS=kestrel,linux[,kestrel-reno][,linux-nosack]] [NETNIC=virtio-net-pci]: TCP through a
# seeded lossy relay on the two-guest wire (tests/boot/netrelay.py: drop at each rate,
# 1% reordering and 1% duplication, Unix sockets only), NETLOSSSIZE MiB each way,
# Kestrel with Linux and Linux with Linux on the same seed, sha256 checked, each
# fetch timed by the fetcher's clock (tests/boot/netloss.py); the table, logs in
# $(B)/conformance/netloss/, results in $(B)/conformance/netloss.json. Hours at 64 MiB
# and 20% loss; not part of make test (its loss-virtio-net-pci case is the short one).
.PHONY: conformance-net-loss
conformance-net-loss: all
	timeout 21600 python3 tests/boot/netloss.py --build $(B) --json $(B)/conformance/netloss.json \
		$(if $(NETLOSSSIZE),--size $(NETLOSSSIZE)) $(if $(NETLOSSRATES),--rates $(NETLOSSRATES)) \
		$(if $(NETLOSSSEED),--seed $(NETLOSSSEED)) $(if $(NETLOSSPAIRS),--pairs $(NETLOSSPAIRS)) \
		$(if $(NETNIC),--nic $(NETNIC))

# make conformance-net-hostile [HOSTILESECONDS=1800]: issue 31's hostile wire, make test's
# mutate-virtio-net-pci case with a hostile phase of HOSTILESECONDS instead of 30: Kestrel
# and Debian's Linux on the two-guest wire through tests/boot/netrelay.py's seeded hostile
# mix (2% loss, 5% each of bit flips, truncation, duplication and reordering; Unix sockets
# only) while both fetch from each other and Linux pings Kestrel; then the shell must
# answer, ping be answered, a 1 MiB fetch arrive intact and MemFree come back within 4 MiB
# (tests/boot/nettest.py). A progress line a minute; a QEMU or the relay that ends fails it
# at once; Kestrel's capture is kept to its last two 300 s segments. Logs in
# $(B)/test/net/. About 32 minutes; not part of make test.
HOSTILESECONDS ?= 1800
.PHONY: conformance-net-hostile
conformance-net-hostile: all
	MUTATE_SECONDS=$(HOSTILESECONDS) timeout $$(( $(HOSTILESECONDS) + 1800 )) \
		python3 tests/boot/nettest.py --build $(B) mutate-virtio-net-pci

# ---------------------------------------------------------------- benchmark
# make bench [QUICK=1] [ICOUNT=0|1|only]: Kestrel and Linux (Debian's kernel) on
# the same bench programs in the same QEMU, counting guest instructions
# (-icount) and timing the wall clock (ICOUNT=1, the default; 0: wall clock
# only; only: instructions only); a table, build/bench.json and build/bench.svg.
# DISK=1 (default) adds the disk runs (virtio-blk and NVMe, ext2 and FAT32), 0
# leaves them out, only runs them alone (tools/bench.py's docstring: "Disks").
# The SMP runs (-smp 1, 2, 4 and 8, wall clock) come with them unless DISK=only;
# SMP=0 leaves them out, SMP=only runs them alone (the docstring: "SMP").
# METRICS=tcp_rr,udp_rr: only those bench programs (and no disk or SMP runs unless asked).
# DOCS=1: the table into docs/results/bench.md too (see docs_arg above).
ICOUNT ?= 1
DISK ?= $(if $(METRICS),0,1)
.PHONY: bench
bench: all
	tools/bench.py --build $(B) $(if $(filter-out 0,$(QUICK)),--quick) --icount $(ICOUNT) --disk $(DISK) \
		$(if $(SMP),--smp-runs $(SMP)) $(if $(METRICS),--metrics $(METRICS)) \
		$(call docs_arg,bench,QUICK ICOUNT DISK SMP METRICS)

# make bench-apps [QUICK=1] [ICOUNT=0|1|only]: Debian's python3, bash, coreutils, tar,
# findutils, gcc-12 and git (cached in $(B)/debs) on Kestrel and on Linux in the same
# QEMU: python3 -c pass, bash -c true, ls -l of 1,000 files, a pipeline over 10 MB, a
# configure-like loop, tar x and find over 10,000 files, gcc-12 compiling the kernel's
# sources at make -j1 (icount boots only; QUICK=1 a tenth), git status
# (tools/bench_apps.py); a table and $(B)/bench-apps.json. About 32 minutes on a
# loaded 2-core host, 28 of them the two full builds (QUICK=1: 8; ICOUNT=only: 30).
.PHONY: bench-apps
bench-apps: all
	tools/bench_apps.py --build $(B) $(if $(filter-out 0,$(QUICK)),--quick) --icount $(ICOUNT)

# make bench-build-scale [QUICK=1] [ROUNDS=N] [KLOCK=1]: bench-apps' build alone, its
# parallel speed-up (issue 29): each kernel at -smp 1 with make -j1 and at -smp 2 with
# make -j2, N alternating rounds (default 2), wall clock, the host's load and what other
# processes took per boot; KLOCK=1 adds a Kestrel -smp 2 boot counting the kernel lock
# (tools/bench_apps.py --scale); a table and $(B)/bench-build-scale.json. QUICK=1 (a
# tenth of the sources): about 2 minutes a boot on a 2-core host.
.PHONY: bench-build-scale
bench-build-scale: all
	tools/bench_apps.py --build $(B) $(if $(filter-out 0,$(QUICK)),--quick) \
		--scale $(or $(ROUNDS),2) $(if $(filter-out 0,$(KLOCK)),--klock)

# make bench-stress [QUICK=1] [ROUNDS=N]: Debian's stress-ng (cached in $(B)/debs) on
# Kestrel and on Linux in the same QEMU, -smp 1 and 2: the futex, sigsuspend, sem,
# signal and itimer stressors, 6 s each (QUICK=1: 2 s), bogo-ops per second of wall
# clock (tools/bench_stress.py); N alternating boots of each (default 1), the median;
# a table and $(B)/bench-stress.json. About 3 minutes a round (QUICK=1: 1.5).
.PHONY: bench-stress
bench-stress: all
	tools/bench_stress.py --build $(B) $(if $(filter-out 0,$(QUICK)),--quick) \
		$(if $(ROUNDS),--rounds $(ROUNDS))

# make profile CMD="..." [TOP=N] [SMP=N] [DEBS="python3 ..."] [OVERLAY="DIR..."] [SETUP="..."]:
# boot the image (with those Debian packages and those trees over its root), run SETUP
# uncounted, then CMD in its shell,
# and print where the guest's instructions went meanwhile: user against kernel,
# and the top kernel functions (tools/profile.py; exact counts from a QEMU TCG
# plugin, tools/profile/kprof.c, which interrupts-off code cannot hide from).
.PHONY: profile
profile: all
	@test -n "$(CMD)" || { echo 'make profile CMD="/bin/bench-tcp_stream 200"'; exit 2; }
	python3 tools/profile.py --build $(B) $(if $(TOP),--top $(TOP)) $(if $(SMP),--smp $(SMP)) \
		$(if $(DEBS),--deb '$(DEBS)') $(foreach d,$(OVERLAY),--overlay $(d)) \
		$(if $(SETUP),--setup '$(SETUP)') '$(CMD)'

clean:
	rm -rf $(B)

# The compilers' dependency files (-MMD), from the object trees only: the
# rest of $(B) holds staged and unpacked trees (the rootfs's selftest.d,
# Debian packages, CPython's suite) whose own *.d files are not make's.
DEP_DIRS := $(wildcard $(B)/k $(B)/l $(B)/vdso)
-include $(if $(DEP_DIRS),$(shell find $(DEP_DIRS) -type f -name '*.d' -print 2>/dev/null))
