#!/bin/sh
# SPDX-License-Identifier: MIT
# make test's LTP step (issue 28): the entries of LTP's runtest/syscalls
# named in tests/conformance/ltp-quick.txt, each of which passes on Debian's
# Linux 6.1 and on Kestrel and runs in a second or two. tests/conformance/
# ltp.py --quick builds only LTP's libraries and the directories of those
# tests (../shared/conformance/ltp, relative to the checkout, configured in
# BUILD/ltp-src as make conformance-ltp does; installed in
# BUILD/ltp-quick-bin), boots them all in one Kestrel, each under a 30 s
# limit, and prints one PASS/FAIL line per entry and
# "ltp-quick: N passed, N failed". An entry fails when it does not exit 0
# (TCONF too: the list holds entries that pass on both kernels), or the
# kernel panics or hangs in it. Without the shared source (it sits beside
# the checkout, not in it), or when Debian's glibc cannot be downloaded, the
# step is skipped (a SKIP line, 0 passed, 0 failed); without the Debian
# packages LTP builds with, which tools/deps.sh installs, it fails.
#
#     tests/conformance/ltp-quick.sh [BUILD]     (default build)
#
# LTP_SRC=DIR takes the shared source from DIR instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${1:-build}
SRC=${LTP_SRC:-../shared/conformance/ltp/src}

if [ ! -f "$SRC/runtest/syscalls" ]; then
	echo "ltp-quick: 0 passed, 0 failed, SKIP: no $SRC (the shared LTP source)"
	exit 0
fi
for f in BOOTX64.EFI kernel.elf rootfs.cpio; do
	[ -e "$B/$f" ] || { echo "FAIL ltp-quick: no $B/$f (make B=$B all)"; echo "ltp-quick: 0 passed, 1 failed"; exit 1; }
done
# The guest's limit per entry is short: every entry takes a second or two.
exec python3 tests/conformance/ltp.py --build "$B" --quick tests/conformance/ltp-quick.txt \
	--timeout 30 --stall 60
