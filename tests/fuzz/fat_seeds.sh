#!/bin/sh
# SPDX-License-Identifier: MIT
# Seed images for fuzz_fat: small FAT12, FAT16 and FAT32 volumes made by
# mkfs.fat, the FAT12 and FAT16 ones with long names, a subdirectory and a file of several
# clusters put there by mtools. Usage: fat_seeds.sh CORPUS_DIR
# (nothing is made, and no failure, without dosfstools or mtools).
set -e
out=$1
mkdir -p "$out"
command -v mkfs.fat >/dev/null 2>&1 && command -v mcopy >/dev/null 2>&1 || exit 0
export MTOOLS_SKIP_CHECK=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'hello\n' > "$tmp/small"
head -c 5000 /dev/zero | tr '\0' 'k' > "$tmp/big"
for spec in "12 64 -s 1" "16 2200 -s 1" "32 1024 -s 1"; do
	set -- $spec
	img="$tmp/fat$1.img"
	mkfs.fat -C -F "$1" $3 $4 "$img" "$2" >/dev/null 2>&1
	if [ "$1" = 32 ]; then # mtools takes a FAT32 this small for FAT12: left empty
		cp "$img" "$out/seed-fat$1"
		continue
	fi
	mmd -i "$img" '::/A Directory'
	mcopy -i "$img" "$tmp/small" '::/short.txt'
	mcopy -i "$img" "$tmp/big" '::/A Directory/A file with a long name.bin'
	mcopy -i "$img" "$tmp/small" '::/caf'"$(printf '\303\251')"'.txt'
	cp "$img" "$out/seed-fat$1"
done
