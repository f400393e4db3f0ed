#!/bin/sh
# SPDX-License-Identifier: MIT
# Seed images for fuzz_ext2 in the corpus directory $1: small ext2 file
# systems made by Debian's mke2fs -d (1 KiB and 4 KiB blocks, revision
# 0), so the fuzzer starts from images that mount. Nothing without mke2fs.
set -e
out=$1
command -v mke2fs >/dev/null 2>&1 || { echo "ext2_seeds: no mke2fs, no seeds"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tree/dir/deeper" "$out"
echo hello > "$tmp/tree/file"
head -c 20000 /dev/zero | tr '\0' 'a' > "$tmp/tree/dir/mid"
ln -s file "$tmp/tree/fast"
ln -s dir/../dir/../dir/../dir/../dir/../dir/../dir/../dir/../dir/mid "$tmp/tree/slow"
mke2fs -q -F -t ext2 -b 1024 -N 32 -d "$tmp/tree" "$out/seed-1k" 128k >/dev/null 2>&1
mke2fs -q -F -t ext2 -b 4096 -N 32 -d "$tmp/tree" "$out/seed-4k" 256k >/dev/null 2>&1
mke2fs -q -F -t ext2 -b 1024 -r 0 -N 32 -d "$tmp/tree" "$out/seed-rev0" 128k >/dev/null 2>&1
