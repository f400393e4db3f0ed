#!/bin/sh
# SPDX-License-Identifier: MIT
# Seeds for fuzz_aml_s5: QEMU's captured DSDTs and FADTs, and the unit
# test's ASL sources compiled by iasl (skipped without acpica-tools).
# Each seed is the fuzzer's selector byte (0x00: AML as given, 0x01: a
# FADT) followed by the table. Usage: aml_seeds.sh CORPUS_DIR
set -e
out=$1
data=../unit/data
mkdir -p "$out"
for f in "$data"/acpi/*-DSDT.bin; do
	{ printf '\000'; cat "$f"; } > "$out/seed-$(basename "$f")"
done
for f in "$data"/acpi/*-FACP.bin; do
	{ printf '\001'; cat "$f"; } > "$out/seed-$(basename "$f")"
done
command -v iasl >/dev/null 2>&1 || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$data"/aml/*.asl; do
	name=$(basename "$f" .asl)
	iasl -f -vi -p "$tmp/$name" "$f" >/dev/null 2>&1 || continue
	{ printf '\000'; cat "$tmp/$name.aml"; } > "$out/seed-$name"
done
