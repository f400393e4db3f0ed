#!/bin/sh
# SPDX-License-Identifier: MIT
# The framebuffer console's scrolling benchmark: boots BUILD's loader and
# kernel in QEMU (q35, 256 MiB, OVMF, the standard VGA at its 1280x800
# default) with console=fb and, as init, a shell script on the ESP that
# prints LINES lines (seq 1 LINES > /dev/console) between two readings of
# /proc/uptime, writes both to the ESP and syncs. The figure is read back
# with mtools: guest seconds (with --icount, QEMU's -icount
# shift=0,sleep=off, one nanosecond per instruction: billions of
# instructions), and QEMU's own wall time.
#
# Usage: tools/fbbench.sh [--build DIR] [--lines N] [--icount]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
lines=10000
icount=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--lines) lines=$2; shift 2 ;;
	--icount) icount="-icount shift=0,sleep=off"; shift ;;
	*) echo "fbbench: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
out=$build/test/fbbench
mkdir -p "$out"
cat > "$out/fbbench.sh" <<EOS
read a b < /proc/uptime
seq 1 $lines > /dev/console
read c d < /proc/uptime
echo "lines=$lines start=\$a end=\$c" > /boot/efi/fbbench.txt
sync
EOS
"$top/tools/mkimg.sh" --build "$build" -o "$out/fbbench.img" \
	--cmdline "console=fb debugexit init=/bin/sh -- /boot/efi/fbbench.sh" > /dev/null
export MTOOLS_SKIP_CHECK=1
mcopy -o -i "$out/fbbench.img@@1M" "$out/fbbench.sh" ::/fbbench.sh
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/vars.fd"
t0=$(date +%s%N)
# shellcheck disable=SC2086
timeout 1800 qemu-system-x86_64 -machine q35 -m 256M -nodefaults -display none -vga std \
	-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
	-drive if=pflash,format=raw,file="$out/vars.fd" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-drive format=raw,file="$out/fbbench.img" -serial file:"$out/serial.log" -no-reboot \
	$icount || true # the debug exit's status is 1: not an error
t1=$(date +%s%N)
result=$(mtype -i "$out/fbbench.img@@1M" ::/fbbench.txt 2>/dev/null) ||
	{ echo "fbbench: no result on the ESP (see $out/serial.log)" >&2; exit 1; }
echo "$result" | awk -v q=$(( (t1 - t0) / 1000000 )) -v ic="${icount:+icount}" '{
	split($2, a, "="); split($3, b, "=")
	printf "fbbench: %s lines in %.2f s of guest time%s; QEMU ran %.1f s\n",
	       substr($1, 7), b[2] - a[2], ic ? " (billions of instructions)" : "", q / 1000 }'
