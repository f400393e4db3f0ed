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

# The loader on the image records this kernel's and rootfs's SHA-256 and the
# command line in its .measure section (efi-loader/measure.h).
mcopy -i "$img" ::/EFI/BOOT/BOOTX64.EFI "$tmp/loader.efi" 2>/dev/null
# record_ok LOADER [KERNEL ROOTFS CMDLINE]: the record holds these files'
# hashes and this command line; with only LOADER, the record is empty.
record_ok() {
	TOOLS="$top/tools" python3 - "$@" <<'PY'
import hashlib, os, struct, sys
sys.path.insert(0, os.environ["TOOLS"])
import measure
pe = open(sys.argv[1], "rb").read()
off = measure.record_offset(pe)
flags, = struct.unpack_from("<I", pe, off + measure.OFF_FLAGS)
if len(sys.argv) == 2:
    sys.exit(0 if flags == 0 else 1)
sha = lambda p: hashlib.sha256(open(p, "rb").read()).digest()
n, = struct.unpack_from("<I", pe, off + measure.OFF_CMDLEN)
ok = (flags == measure.RECORDED
      and pe[off + measure.OFF_KERNEL:off + measure.OFF_KERNEL + 32] == sha(sys.argv[2])
      and pe[off + measure.OFF_ROOTFS:off + measure.OFF_ROOTFS + 32] == sha(sys.argv[3])
      and pe[off + measure.OFF_CMDLINE:off + measure.OFF_CMDLINE + n].decode() == sys.argv[4])
sys.exit(0 if ok else 1)
PY
}
check measure-record record_ok "$tmp/loader.efi" "$build/kernel.elf" "$tmp/rootfs.cpio" "loglevel=7 -- a b"
check build-loader-unmeasured record_ok "$build/BOOTX64.EFI"
check measure-knows-rootfs eval '! record_ok "$tmp/loader.efi" "$build/kernel.elf" "$build/rootfs.cpio" "loglevel=7 -- a b"'

# --root-ext2: a second GPT partition (Linux file system type, the GUID
# asked for) holding a clean ext2 made from the directory, with the
# directories the kernel mounts on.
mkdir -p "$tmp/rootdir/etc"
echo "root-marker" > "$tmp/rootdir/etc/root-test"
guid=6B657374-0000-4000-8000-0000000000AA
"$top/tools/mkimg.sh" --build "$build" -o "$tmp/r.img" --root-ext2 "$tmp/rootdir" \
	--root-partuuid "$guid" > "$tmp/mkimg-root.log" 2>&1
check root-ext2-runs [ $? -eq 0 ]
check root-ext2-partition sh -c "sfdisk --dump '$tmp/r.img' | grep -i 'type=0FC63DAF-8483-4772-8E79-3D69D8477DE4' | grep -qi 'uuid=$guid'"
rstart=$(sfdisk --dump "$tmp/r.img" | awk -F'[=,]' '/0FC63DAF/ {gsub(/ /, "", $2); print $2}')
rsize=$(sfdisk --dump "$tmp/r.img" | awk -F'[=,]' '/0FC63DAF/ {gsub(/ /, "", $4); print $4}')
dd if="$tmp/r.img" of="$tmp/root.ext2" bs=512 skip="$rstart" count="$rsize" status=none
check root-ext2-clean sh -c "e2fsck -fn '$tmp/root.ext2' > /dev/null 2>&1"
check root-ext2-file sh -c "debugfs -R 'cat /etc/root-test' '$tmp/root.ext2' 2>/dev/null | grep -qx root-marker"
check root-ext2-dirs sh -c "for d in dev proc sys tmp boot/efi; do debugfs -R \"stat /\$d\" '$tmp/root.ext2' 2>/dev/null | grep -q 'Type: directory' || exit 1; done"
check root-ext2-esp-kept sh -c "mdir -i '$tmp/r.img@@1048576' ::/kestrel/kernel.elf > /dev/null 2>&1"

# Signed with the snakeoil test key when sbsign and Debian's ovmf are here.
key=/usr/share/ovmf/PkKek-1-snakeoil.key
cert=/usr/share/ovmf/PkKek-1-snakeoil.pem
if command -v sbsign > /dev/null && [ -f "$key" ] && [ -f "$cert" ]; then
	"$top/tools/mkimg.sh" --build "$build" -o "$tmp/s.img" --sign-key "$key" --sign-cert "$cert" \
		--sign-pass pass:snakeoil > "$tmp/mkimg-sign.log" 2>&1
	check signed-runs [ $? -eq 0 ]
	mcopy -i "$tmp/s.img@@1048576" ::/EFI/BOOT/BOOTX64.EFI "$tmp/signed.efi" 2>/dev/null
	check signed-verifies sh -c "sbverify --cert '$cert' '$tmp/signed.efi' 2>&1 | grep -q 'Signature verification OK'"
	check unsigned-does-not sh -c "! sbverify --cert '$cert' '$tmp/loader.efi' > /dev/null 2>&1"
	check no-key-left sh -c "! grep -rqs 'BEGIN PRIVATE KEY' '$tmp'"
else
	# sbsigntool and ovmf are tools/deps.sh's: their absence is a failure.
	echo "FAIL tools/signed: no sbsign or /usr/share/ovmf snakeoil key (run tools/deps.sh)"
	fail=$((fail + 1))
fi
echo "tools: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
