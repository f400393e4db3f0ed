#!/bin/sh
# SPDX-License-Identifier: MIT
# make test's conformance step: a few of gVisor's system-call test programs
# (../shared/conformance/gvisor, relative to the checkout) that pass on
# Kestrel as fully as on Linux, chosen to build and run in a few minutes.
# Builds only them (and the util library, once) into BUILD/gvisor-quick with
# the shared Makefile, boots them all in one Kestrel through gvisor.py
# --expect-linux, and prints one PASS/FAIL line per program and
# "gvisor: N passed, N failed". A program fails when it passes fewer
# cases than on Linux (linux-results.txt), or the kernel panics or hangs.
# Without the shared tests (they sit beside the checkout, not in it) the
# step is skipped (a SKIP line, 0 passed, 0 failed); without the Debian
# packages they build with, which tools/deps.sh installs, it fails.
#
#     tests/conformance/gvisor-quick.sh [BUILD] [net] [--build-only]   (default build)
#
# --build-only stops after the build (make test builds both sets early, in
# the background, and runs them later: tests/run.sh's prebuild).
#
# With "net" it does the same for the loopback network set
# (tests/conformance/gvisor-net, built with the shared set's util library)
# into BUILD/gvisor-net-quick, its programs compared with Linux 6.1's
# figures from the same QEMU (tests/conformance/gvisor-net-quick.sh).
#
# GVISOR_SRC=DIR takes the shared tests from DIR instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${1:-build}
SET=${2:-}
BUILD_ONLY=
if [ "$SET" = --build-only ]; then
	SET= BUILD_ONLY=1
elif [ "${3:-}" = --build-only ]; then
	BUILD_ONLY=1
fi
SRC=${GVISOR_SRC:-../shared/conformance/gvisor}
STEP=gvisor-quick
# Programs that pass every case Linux passes, each quick to compile and run;
# see the README's conformance section before adding one.
TESTS="access brk chdir close_range creat dup eventfd exit fchdir fsync getrandom \
getrusage kill lseek mkdir mmap munmap open poll prctl pread64 preadv pwrite64 \
read rename sched_yield sigaction sigprocmask"
if [ "$SET" = net ]; then
	STEP=gvisor-net-quick
	TESTS="readv_socket sendfile_socket socket_blocking_ip socket_ip_tcp_loopback_non_blocking \
socket_ip_udp_loopback_non_blocking socket_ipv6_unbound socket_non_stream_blocking_udp \
socket_stream_blocking_tcp tcp_socket"
fi
OUT=$(pwd)/$B/$STEP
PACKAGES="g++ make libgtest-dev libgmock-dev libabsl-dev"
NEEDS="/usr/lib/x86_64-linux-gnu/libgtest.a /usr/lib/x86_64-linux-gnu/libgmock.a
/usr/lib/x86_64-linux-gnu/libabsl_base.a /usr/include/absl/base/config.h"

skip() {
	echo "gvisor: 0 passed, 0 failed, SKIP: $*"
	exit 0
}

# A package tools/deps.sh installs is no reason to skip: its absence means
# the machine was not set up as the README says, and the step fails.
missing() {
	echo "FAIL $STEP: no $* (tools/deps.sh installs it: apt-get install $PACKAGES)"
	echo "gvisor: 0 passed, 1 failed"
	exit 1
}

[ -f "$SRC/src/Makefile" ] || skip "no $SRC (the shared gVisor tests)"
command -v g++ > /dev/null || missing g++
for f in $NEEDS; do
	[ -e "$f" ] || missing "$f"
done
for f in BOOTX64.EFI kernel.elf rootfs.cpio; do
	[ -e "$B/$f" ] || { echo "FAIL $STEP: no $B/$f (make B=$B all)"; echo "gvisor: 0 passed, 1 failed"; exit 1; }
done

mkdir -p "$OUT"
start=$(date +%s)
# The net set links the shared set's util library, which gvisor-quick (run
# first by make test) has compiled from the same sources with the same
# flags: its objects are taken as they are (cp -p keeps the times make
# compares), which saves about half of the net set's compiling.
util=$B/gvisor-quick/obj
if [ "$SET" = net ] && [ -f "$util/libgvutil.a" ] && [ ! -f "$OUT/obj/libgvutil.a" ]; then
	mkdir -p "$OUT/obj/test"
	cp -pR "$util/test/util" "$OUT/obj/test/" && cp -pR "$util/stubs" "$util/libgvutil.a" "$OUT/obj/"
fi
# TESTS and HELPERS on the command line: only these programs, no helpers.
if [ "$SET" = net ]; then
	set -- make -s -C tests/conformance/gvisor-net GVSHARED="$(cd "$SRC/src" && pwd)"
else
	set -- make -s -C "$SRC/src" HELPERS=
fi
if ! "$@" -j"$(nproc)" OUT="$OUT" TESTS="$TESTS" > "$OUT/build.log" 2>&1; then
	tail -n 20 "$OUT/build.log"
	echo "FAIL $STEP: the build failed (log: $B/$STEP/build.log)"
	echo "gvisor: 0 passed, 1 failed"
	exit 1
fi
echo "$STEP: built in $(($(date +%s) - start)) s"
[ -z "$BUILD_ONLY" ] || exit 0
names=
for t in $TESTS; do
	names="$names ${t}_test"
done
# One boot for all (--batch-mib), no reruns: a crash or hang is a FAIL.
# shellcheck disable=SC2086
exec python3 tests/conformance/gvisor.py ${SET:+--net} --build "$B" --gvisor "$OUT" --no-build \
	--results "$STEP" --expect-linux --batch-mib 1024 --mem 2G --reruns 0 \
	--timeout 120 $names
