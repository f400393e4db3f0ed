#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the test programs of make test's later steps ahead of them: gVisor's
# two quick sets, LTP's quick entries and packetdrill, the steps' own builds
# (each step runs its build again, which then finds nothing to do). tests/run.sh
# starts it in the background at the idle scheduling class, beside the steps
# before them. A failure here is not reported: the step's own build fails the
# same way and says so.
#
#     tests/prebuild.sh [BUILD]     (default build)
set -u
cd "$(dirname "$0")/.." || exit 1
B=${1:-build}
tests/conformance/gvisor-quick.sh "$B" --build-only
tests/conformance/gvisor-net-quick.sh "$B" --build-only
if [ -f ../shared/conformance/ltp/src/runtest/syscalls ]; then
	python3 tests/conformance/ltp.py --build "$B" --quick tests/conformance/ltp-quick.txt --build-only
fi
make -s B="$B" packetdrill
exit 0
