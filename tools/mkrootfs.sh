#!/bin/sh
# SPDX-License-Identifier: MIT
# Stage the root file system and pack it as a cpio newc archive.
# Usage: mkrootfs.sh STAGING_DIR OUT.cpio [OVERLAY_DIR...]
# The tree is rootfs/skel/ plus Debian's busybox-static as /bin/busybox
# (with /bin/sh), the Makefile's programs, the Debian packages of DEBS_TREE
# if set, then each overlay on top, and
# /bin links to busybox for the everyday applets. Owners are root, order sorted,
# timestamps clamped: the same inputs give the same archive.
set -eu
stage=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$stage"
mkdir -p "$stage"
cp -a "$top/rootfs/skel/." "$stage/"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/proc" "$stage/tmp" "$stage/usr/bin"
cp /bin/busybox "$stage/bin/busybox"
ln -sf busybox "$stage/bin/sh"
# The programs the Makefile built for the rootfs (ROOTFS_EXTRA, default
# STAGING_DIR.extra), then the overlays, which win over everything.
extra=${ROOTFS_EXTRA:-$stage.extra}
if [ -d "$extra" ]; then
	cp -a "$extra/." "$stage/"
fi
# Unpacked Debian packages (DEBS_TREE, from tools/debs.py) never replace a
# file already staged: busybox stays /bin/sh, Kestrel's /etc files and
# programs stay; they do replace the busybox applet links made below.
if [ -n "${DEBS_TREE:-}" ]; then
	cp -an "$DEBS_TREE/." "$stage/"
	rm -f "$stage/.debs"
fi
for overlay in "$@"; do
	cp -a "$overlay/." "$stage/"
done
# The everyday applets as /bin/NAME -> busybox: only those this busybox has,
# never over a file the tree already holds (made last, so no later copy
# can write through one of these links into busybox itself).
applets='ls cat echo cp mv rm mkdir rmdir ps grep sed wc head tail sort uname env test [
	printf sleep find xargs true false pwd ln chmod touch date dirname basename cut tr uniq
	tee kill seq expr stat readlink id hostname clear dmesg more od hexdump md5sum sha256sum
	yes which mkfifo time timeout free uptime du nproc printenv realpath sync tac nl paste
	cmp rev awk df mount umount'
have=$(/bin/busybox --list)
set -f
for applet in $applets; do
	printf '%s\n' "$have" | grep -qxF -- "$applet" || continue
	[ -e "$stage/bin/$applet" ] || [ -L "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
set +f

outabs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0 --reproducible > "$outabs")
