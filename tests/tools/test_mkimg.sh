#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/mkimg.sh: the image has a GPT with one EFI system partition, the
# files at their paths, the command line, and --overlay files merged into
# the rootfs cpio. Usage: test_mkimg.sh BUILD_DIR
set -u
build=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # NAME CONDITION...
	name=$1
	shift
	if "$@"; then echo "PASS tools/$name"; pass=$((pass + 1)); else echo "FAIL tools/$name"; fail=$((fail + 1)); fi
}
export MTOOLS_SKIP_CHECK=1

mkdir -p "$tmp/overlay/etc"
echo "overlay-marker" > "$tmp/overlay/etc/overlay-test"
"$top/tools/mkimg.sh" --build "$build" -o "$tmp/t.img" --cmdline "loglevel=7 -- a b" \
	--overlay "$tmp/overlay" > "$tmp/mkimg.log" 2>&1
check runs [ $? -eq 0 ]
img="$tmp/t.img@@1048576"

check gpt-esp sh -c "sfdisk --dump '$tmp/t.img' | grep -qi 'type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B'"
check fat32 sh -c "minfo -i '$img' :: | grep -q 'FAT32'"
for f in EFI/BOOT/BOOTX64.EFI kestrel/kernel.elf kestrel/rootfs.cpio kestrel/cmdline.txt; do
	check "file-$(basename "$f")" sh -c "mdir -i '$img' ::/$f >/dev/null 2>&1"
done
mcopy -i "$img" ::/kestrel/cmdline.txt "$tmp/cmdline.txt" 2>/dev/null
check cmdline [ "$(cat "$tmp/cmdline.txt")" = "loglevel=7 -- a b" ]
mcopy -i "$img" ::/kestrel/kernel.elf "$tmp/kernel.elf" 2>/dev/null
check kernel-identical cmp -s "$tmp/kernel.elf" "$build/kernel.elf"
mcopy -i "$img" ::/kestrel/rootfs.cpio "$tmp/rootfs.cpio" 2>/dev/null
mkdir -p "$tmp/x"
(cd "$tmp/x" && cpio --quiet -id < "$tmp/rootfs.cpio")
check overlay-merged [ "$(cat "$tmp/x/etc/overlay-test" 2>/dev/null)" = "overlay-marker" ]
check base-kept [ -f "$tmp/x/etc/hostname" ] 
check busybox [ -x "$tmp/x/bin/busybox" ]
check cpio-newc sh -c "head -c 6 '$tmp/rootfs.cpio' | grep -q 070701"
"$top/tools/mkimg.sh" --bogus > /dev/null 2>&1
check rejects-unknown-args [ $? -eq 2 ]
echo "tools: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
