#!/bin/sh
# SPDX-License-Identifier: MIT
# Stage the root file system and pack it as a cpio newc archive.
# Usage: mkrootfs.sh STAGING_DIR OUT.cpio [OVERLAY_DIR...]
# The tree is rootfs/skel/ plus Debian's busybox-static as /bin/busybox
# (with /bin/sh), then each overlay on top. Owners are root, order sorted,
# timestamps clamped: the same inputs give the same archive.
set -eu
stage=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$stage"
mkdir -p "$stage"
cp -a "$top/rootfs/skel/." "$stage/"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/proc" "$stage/tmp"
cp /bin/busybox "$stage/bin/busybox"
ln -sf busybox "$stage/bin/sh"
for overlay in "$@"; do
	cp -a "$overlay/." "$stage/"
done
# Extra programs the Makefile built for the rootfs land here too.
if [ -d "$stage.extra" ]; then
	cp -a "$stage.extra/." "$stage/"
fi

outabs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0 --reproducible > "$outabs")
