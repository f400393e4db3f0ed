#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages Kestrel needs to build, boot and test
# (the gVisor programs of make test build with g++, gtest, gmock and absl;
# LTP's tests with autotools, bison, flex and pkg-config, and the libraries
# its AIO, capability, ACL, keyring and NUMA tests link: without them those
# tests build as TCONF stubs on both kernels and hide what they would show).
# As root it installs what is missing; otherwise it prints the one
# apt-get line to run. Exits non-zero when something is still missing.
set -eu

# package:file-that-proves-it-is-installed
NEEDS="
gnu-efi:/usr/include/efi/efi.h
ovmf:/usr/share/OVMF/OVMF_CODE_4M.fd
qemu-system-x86:/usr/bin/qemu-system-x86_64
mtools:/usr/bin/mcopy
fdisk:/sbin/sfdisk
dosfstools:/sbin/mkfs.fat
acpica-tools:/usr/bin/iasl
musl-tools:/usr/bin/musl-gcc
busybox-static:/bin/busybox
cpio:/bin/cpio
console-setup-linux:/usr/share/consolefonts/Lat15-Terminus16.psf.gz
gcc:/usr/bin/gcc
clang:/usr/bin/clang
lld:/usr/bin/ld.lld
binutils:/usr/bin/objcopy
make:/usr/bin/make
python3:/usr/bin/python3
sbsigntool:/usr/bin/sbsign
gdb:/usr/bin/gdb
e2fsprogs:/sbin/e2fsck
g++:/usr/bin/g++
libgtest-dev:/usr/lib/x86_64-linux-gnu/libgtest.a
libgmock-dev:/usr/lib/x86_64-linux-gnu/libgmock.a
libabsl-dev:/usr/include/absl/base/config.h
autoconf:/usr/bin/autoconf
automake:/usr/bin/automake
m4:/usr/bin/m4
bison:/usr/bin/bison
flex:/usr/bin/flex
pkg-config:/usr/bin/pkg-config
libc6-dev:/usr/include/stdio.h
linux-libc-dev:/usr/include/linux/version.h
libaio-dev:/usr/include/libaio.h
libcap-dev:/usr/include/sys/capability.h
libacl1-dev:/usr/include/acl/libacl.h
libkeyutils-dev:/usr/include/keyutils.h
libnuma-dev:/usr/include/numa.h
"

missing=""
for entry in $NEEDS; do
	pkg=${entry%%:*}
	file=${entry#*:}
	[ -e "$file" ] || missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "kestrel: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

echo "kestrel: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
