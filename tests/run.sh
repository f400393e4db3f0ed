#!/bin/sh
# SPDX-License-Identifier: MIT
# Every Kestrel test, in order of cost: host unit tests (sanitizers), the
# kernel and loader built with the other compiler, then QEMU+OVMF boots.
# Each suite prints its own "N passed, N failed"; this sums them into the
# closing line and exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
total_pass=0
total_fail=0
log=$B/test
mkdir -p "$log"

# suite NAME COMMAND...: run it, echo its output, add its counts.
suite() {
	suite_start "$@"
	suite_end "$1"
}

# suite_start NAME COMMAND...: run it in the background (its output in
# $log/NAME.out, its exit status in $log/NAME.rc); suite_end NAME waits for it
# and reports. Two suites that each keep one of the host's CPUs busy (a
# one-CPU guest, a host-side run) go side by side this way.
suite_start() {
	name=$1
	shift
	date +%s > "$log/$name.start"
	rm -f "$log/$name.rc"
	( "$@" > "$log/$name.out" 2>&1; echo $? > "$log/$name.rc"; date +%s > "$log/$name.end" ) &
	echo $! > "$log/$name.pid"
}

suite_end() {
	name=$1
	wait "$(cat "$log/$name.pid")"
	echo "== $name"
	start=$(cat "$log/$name.start")
	rc=$(cat "$log/$name.rc" 2> /dev/null || echo 1)
	echo "-- $name took $(($(cat "$log/$name.end") - start)) s"
	# Failures (with the indented lines under them: a boot case's log
	# excerpt) and counts on the terminal; everything in $log/NAME.out.
	awk '/FAIL|passed, [0-9]+ failed|did not finish|error/ { print; more = 1; next }
	     more && /^    / { print; next } { more = 0 }' "$log/$name.out"
	[ "$rc" -eq 0 ] || { echo "-- last lines of $log/$name.out:"; tail -n 25 "$log/$name.out"; }
	counts=$(grep -aE '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log/$name.out" | tail -n 1)
	counts=${counts#*: }
	if [ -z "$counts" ]; then
		echo "FAIL $name: no 'N passed, N failed' line (exit $rc)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${counts%% passed*}
	f=${counts#*, }
	f=${f%% failed*}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exit status $rc"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

# The other compiler must build the kernel and loader cleanly too; its
# kernel is the debug one, with the lock-order checker (boot case clang-q35-1G).
other_compiler() {
	if make -s -j"$jobs" B="$B/clang" CC=clang LOCKCHECK=1 "$B/clang/kernel.elf" "$B/clang/BOOTX64.EFI" > "$log/clang-build.log" 2>&1; then
		echo "PASS build/clang"
		echo "1 passed, 0 failed"
	else
		tail -n 30 "$log/clang-build.log"
		echo "FAIL build/clang (log: $log/clang-build.log)"
		echo "0 passed, 1 failed"
	fi
}

# The later steps' test programs (packetdrill, gVisor's two quick sets,
# LTP's quick entries: about ten minutes of compiling on a clean clone)
# are built in the background from here on (tests/prebuild.sh), at the idle
# scheduling class: they take only the CPU the steps before them leave
# free, and the boot step's guests sleep for about a quarter of its time
# (timers, sleeps, clock checks). prebuild_wait NAME, before each of those
# steps, waits until the prebuild has done that one (or ended).
idle_class() {
	if chrt --idle 0 true 2> /dev/null; then
		chrt --idle 0 nice -n 19 "$@"
	else
		nice -n 19 "$@"
	fi
}
rm -f "$log"/prebuild-*.done
idle_class tests/prebuild.sh "$B" > "$log/prebuild.out" 2>&1 &
prebuild_pid=$!
prebuild_wait() {
	while [ ! -e "$log/prebuild-$1.done" ] && kill -0 "$prebuild_pid" 2> /dev/null; do
		sleep 1
	done
}

# Builds and fuzzers use every CPU (the fuzzers run side by side, one a CPU).
jobs=$(nproc)
suite unit-gcc make -s -j"$jobs" -C tests/unit run CC=gcc OUT="$(pwd)/$B/unit-gcc"
suite unit-clang make -s -j"$jobs" -C tests/unit run CC=clang OUT="$(pwd)/$B/unit-clang"
suite fuzz make -s -j"$jobs" -C tests/fuzz fuzz OUT="$(pwd)/$B/fuzz" FUZZ_SECONDS="${FUZZ_SECONDS:-3}"
suite clang other_compiler
suite tools tests/tools/test_mkimg.sh "$B"
suite docs python3 tests/tools/check_docs.py
suite results-md python3 tests/tools/test_results_md.py
suite console-split python3 tests/tools/test_console_split.py
suite boot python3 tests/boot/boottest.py --build "$B"
# Kestrel on a network (tests/boot/nettest.py): DHCP, ping and HTTP both ways
# on slirp (restrict=on) and with a Linux peer on a wire, on virtio-net,
# e1000 and e1000e, and the e1000 drivers' self-tests on a wire; the peer
# cases skip when Debian's linux-image cannot be had.
suite net python3 tests/boot/nettest.py --build "$B"
# packetdrill in remote mode (tests/boot/pdrilltest.py): Kestrel as the wire client
# against Debian's Linux 6.1 as the wire server on a Unix-socket wire, the scripts of
# tests/third_party/packetdrill/quick.list that pass on both, and the mutants, which
# must fail; one boot pair, about two minutes. Skipped when Linux cannot be had.
prebuild_wait packetdrill
suite packetdrill python3 tests/boot/pdrilltest.py --build "$B" --list quick
# gVisor's system-call tests that pass as on Linux (a few minutes; skipped
# without ../shared/conformance/gvisor or libgtest-dev/libgmock-dev/libabsl-dev).
prebuild_wait gvisor-quick
suite gvisor-quick tests/conformance/gvisor-quick.sh "$B"
# gVisor's loopback network programs that pass as on Linux 6.1 (built by
# the prebuild; skipped as gvisor-quick is).
prebuild_wait gvisor-net-quick
suite gvisor-net-quick tests/conformance/gvisor-net-quick.sh "$B"
# LTP's system-call tests that pass on Linux and on Kestrel and run in
# seconds (tests/conformance/ltp-quick.txt; built by the prebuild; skipped
# without ../shared/conformance/ltp).
prebuild_wait ltp-quick
suite ltp-quick tests/conformance/ltp-quick.sh "$B"
# The in-guest system-call fuzzer, 60 s with a new seed each run (printed, with
# the command that replays it); FUZZ_KERNEL_SECONDS changes the time. Its guest
# has one CPU: the self-test list on this machine's Linux (the check that our
# ring-3 checks are right) runs beside it on the other.
suite_start fuzz-kernel python3 tests/boot/fuzzkernel.py --build "$B" --seconds "${FUZZ_KERNEL_SECONDS:-60}"
suite_start linux tests/linux/run-selftest-list.sh -r "$B/rootfs.extra"
suite_end fuzz-kernel
suite_end linux
# The same on four CPUs (the kernel lock, shootdowns, cross-CPU wake-ups
# under fire); FUZZ_KERNEL_SMP_SECONDS changes the time.
suite fuzz-kernel-smp python3 tests/boot/fuzzkernel.py --build "$B" --smp 4 --seconds "${FUZZ_KERNEL_SMP_SECONDS:-30}"

echo "== total"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
