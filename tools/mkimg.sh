#!/bin/sh
# SPDX-License-Identifier: MIT
# Build Kestrel's bootable disk image: GPT with one EFI system partition
# (FAT32) holding EFI/BOOT/BOOTX64.EFI and kestrel/{kernel.elf,rootfs.cpio,
# cmdline.txt}. No root, no loop devices: sfdisk writes the partition table
# into a plain file, and mtools formats and fills the partition at its
# byte offset. The result boots in QEMU+OVMF and, written with dd, on a
# real UEFI machine from a USB stick.
#
# The loader on the image records the SHA-256 of this kernel and rootfs and
# the command line (tools/measure.py); with --sign-key and --sign-cert it is
# signed with sbsign, and under Secure Boot it then refuses any other
# kernel or rootfs and takes only harmless words from cmdline.txt.
# --sign-pass gives an encrypted key's passphrase in openssl's -passin form
# (pass:WORD, file:PATH, env:VAR); the key is decrypted only into a
# temporary directory that is removed on exit.
#
# Usage: mkimg.sh [-o OUT.img] [--cmdline "..."] [--overlay DIR]...
#                 [--build DIR] [--kernel FILE] [--rootfs FILE]
#                 [--sign-key KEY.pem --sign-cert CERT.pem [--sign-pass SPEC]]
#                 [--deb "NAME..."]... [--deb-root DIR]
#                 [--root-ext2 DIR [--root-size MIB] [--root-partuuid GUID]]
#
# --root-ext2 adds a second GPT partition (Linux file system type) holding
# an ext2 file system made from DIR by Debian's `mke2fs -t ext2 -d DIR`
# (with /dev, /proc, /sys, /tmp and /boot/efi made when DIR lacks them),
# for root=/dev/vda2 or root=PARTUUID=GUID; its size is twice DIR plus
# 32 MiB unless --root-size says, its GPT unique GUID random unless
# --root-partuuid says.
#
# --deb adds Debian packages and their dependencies to the rootfs
# (tools/debs.py: downloaded once into BUILD/debs, unpacked into
# BUILD/debs-root, or DIR with --deb-root, which must be named debs* inside
# BUILD: the Makefile skips those when it looks for its dependency files);
# busybox keeps /bin/sh and whatever they do not provide.
# Without network the script exits 3 (the packages cannot be had).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
out=
cmdline=
kernel=
rootfs=
overlays=
sign_key=
sign_cert=
sign_pass=
debs=
debs_root=
root_dir=
root_mib=
root_uuid=
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--overlay) overlays="$overlays $(cd "$2" && pwd)"; shift 2 ;;
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--rootfs) rootfs=$2; shift 2 ;;
	--sign-key) sign_key=$2; shift 2 ;;
	--sign-cert) sign_cert=$2; shift 2 ;;
	--sign-pass) sign_pass=$2; shift 2 ;;
	--deb) debs="$debs $2"; shift 2 ;;
	--deb-root) debs_root=$2; shift 2 ;;
	--root-ext2) root_dir=$(cd "$2" && pwd); shift 2 ;;
	--root-size) root_mib=$2; shift 2 ;;
	--root-partuuid) root_uuid=$2; shift 2 ;;
	-h|--help) sed -n '2,37p' "$0"; exit 0 ;;
	*) echo "mkimg: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
out=${out:-$build/kestrel.img}
kernel=${kernel:-$build/kernel.elf}
loader=$build/BOOTX64.EFI
for f in "$loader" "$kernel"; do
	[ -f "$f" ] || { echo "mkimg: missing $f (run make first)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
debs_tree=
if [ -n "$debs" ]; then
	debs_tree=${debs_root:-$build/debs-root}
	# one word per package name (names have no glob characters)
	# shellcheck disable=SC2046
	python3 "$top/tools/debs.py" --cache "$build/debs" --out "$debs_tree" $(echo "$debs" | tr ',' ' ')
fi
if [ -n "$overlays$debs_tree" ]; then
	# shellcheck disable=SC2086
	DEBS_TREE=$debs_tree ROOTFS_EXTRA="$build/rootfs.extra" \
		"$top/tools/mkrootfs.sh" "$tmp/rootfs" "$tmp/rootfs.cpio" $overlays
	rootfs=$tmp/rootfs.cpio
fi
rootfs=${rootfs:-$build/rootfs.cpio}
[ -f "$rootfs" ] || { echo "mkimg: missing $rootfs" >&2; exit 1; }
printf '%s\n' "$cmdline" > "$tmp/cmdline.txt"

# The loader for this kernel, rootfs and command line, signed if asked.
python3 "$top/tools/measure.py" --loader "$loader" --kernel "$kernel" --rootfs "$rootfs" \
	--cmdline "$cmdline" -o "$tmp/BOOTX64.EFI"
loader=$tmp/BOOTX64.EFI
if [ -n "$sign_key$sign_cert" ]; then
	[ -n "$sign_key" ] && [ -n "$sign_cert" ] || { echo "mkimg: --sign-key and --sign-cert go together" >&2; exit 2; }
	command -v sbsign > /dev/null || { echo "mkimg: signing needs sbsign (apt-get install sbsigntool)" >&2; exit 1; }
	if [ -n "$sign_pass" ]; then
		(umask 077 && openssl pkey -in "$sign_key" -passin "$sign_pass" -out "$tmp/key.pem")
		sign_key=$tmp/key.pem
	fi
	sbsign --key "$sign_key" --cert "$sign_cert" --output "$tmp/BOOTX64.signed.EFI" "$loader" 2>"$tmp/sbsign.log" ||
		{ cat "$tmp/sbsign.log" >&2; echo "mkimg: sbsign failed" >&2; exit 1; }
	rm -f "$tmp/key.pem"
	loader=$tmp/BOOTX64.signed.EFI
fi

# Size: 64 MiB, or twice the payload if that is larger (FAT32 wants at
# least ~33 MiB of clusters to be FAT32 at all).
payload=$(( $(stat -c %s "$loader") + $(stat -c %s "$kernel") + $(stat -c %s "$rootfs") ))
mib=$(( payload * 2 / 1048576 + 8 ))
[ "$mib" -ge 64 ] || mib=64
sectors=$(( mib * 2048 ))
part_start=2048
part_sectors=$(( sectors - part_start - 2048 ))

# The ext2 root partition, after the ESP: made in a file of its own by
# mke2fs -d, then copied in at its offset.
root_part=
if [ -n "$root_dir" ]; then
	command -v mke2fs > /dev/null || { echo "mkimg: --root-ext2 needs mke2fs (apt-get install e2fsprogs)" >&2; exit 1; }
	if [ -z "$root_mib" ]; then
		root_mib=$(( $(du -sm "$root_dir" | cut -f1) * 2 + 32 ))
	fi
	root_start=$(( part_start + part_sectors ))
	root_sectors=$(( root_mib * 2048 ))
	sectors=$(( root_start + root_sectors + 2048 ))
	mib=$(( sectors / 2048 ))
	mke2fs -q -F -t ext2 -b 4096 -d "$root_dir" -L kestrel-root "$tmp/root.ext2" "${root_mib}M" > /dev/null
	for d in dev proc sys tmp boot boot/efi; do
		[ -e "$root_dir/$d" ] || echo "mkdir $d"
	done > "$tmp/debugfs.cmds"
	[ -e "$root_dir/tmp" ] || echo "sif tmp mode 041777" >> "$tmp/debugfs.cmds"
	[ -s "$tmp/debugfs.cmds" ] && debugfs -w -f "$tmp/debugfs.cmds" "$tmp/root.ext2" > /dev/null 2>&1
	root_part="start=$root_start, size=$root_sectors, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"Kestrel root\"${root_uuid:+, uuid=$root_uuid}"
fi

rm -f "$out"
truncate -s "${mib}M" "$out"
sfdisk --quiet --no-reread --no-tell-kernel "$out" <<SFDISK
label: gpt
start=$part_start, size=$part_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="Kestrel ESP"
$root_part
SFDISK
if [ -n "$root_part" ]; then
	dd if="$tmp/root.ext2" of="$out" bs=1M seek=$(( root_start / 2048 )) conv=notrunc status=none
fi

img="$out@@$(( part_start * 512 ))"
export MTOOLS_SKIP_CHECK=1
mformat -i "$img" -F -T "$part_sectors" -v KESTREL ::
mmd -i "$img" ::/EFI ::/EFI/BOOT ::/kestrel
mcopy -i "$img" "$loader" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$img" "$kernel" ::/kestrel/kernel.elf
mcopy -i "$img" "$rootfs" ::/kestrel/rootfs.cpio
mcopy -i "$img" "$tmp/cmdline.txt" ::/kestrel/cmdline.txt
