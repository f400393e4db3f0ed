#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the test programs of make test's later steps ahead of them, in the
# order the steps come: packetdrill, gVisor's two quick sets, LTP's quick
# entries, each step's own build (the step runs it again, which then finds
# nothing to do). After each, BUILD/test/prebuild-NAME.done says it is
# over: tests/run.sh starts this in the background at the idle scheduling
# class and waits for a step's file before the step. A failure here is not
# reported: the step's own build fails the same way and says so.
#
#     tests/prebuild.sh [BUILD]     (default build)
set -u
cd "$(dirname "$0")/.." || exit 1
B=${1:-build}
mkdir -p "$B/test"
rm -f "$B"/test/prebuild-*.done

# item NAME COMMAND...: run it, then mark NAME done whatever its result.
item() {
	name=$1
	shift
	"$@"
	touch "$B/test/prebuild-$name.done"
}

item packetdrill make -s B="$B" packetdrill
item gvisor-quick tests/conformance/gvisor-quick.sh "$B" --build-only
item gvisor-net-quick tests/conformance/gvisor-net-quick.sh "$B" --build-only
if [ -f ../shared/conformance/ltp/src/runtest/syscalls ]; then
	item ltp-quick python3 tests/conformance/ltp.py --build "$B" --quick tests/conformance/ltp-quick.txt \
		--build-only
else
	touch "$B/test/prebuild-ltp-quick.done"
fi
exit 0
