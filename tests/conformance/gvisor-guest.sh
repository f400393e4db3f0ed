#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside Kestrel as init (init=/bin/sh -- /gv/run.sh SECS [GTEST_ARG...]):
# every /gv/*_test, each in its own scratch dir under a time limit of SECS,
# with gtest's whole output on the console, framed by the markers of
# ../shared/conformance/gvisor/guest-run.sh: GVT-BEGIN NAME, GVT-END NAME rc=N,
# GVT-ALL-DONE. Unlike that script it prints every "[ RUN      ]" line as the
# case starts, so the host (tests/conformance/gvisor.py) can name the case a
# hang happened in, and a GVT-TICK line every few seconds, so the host can tell
# a frozen machine (no tick) from a test that only waits (ticks go on).
# A file /gv/NAME.filter holds a --gtest_filter for that binary alone, and
# /gv/NAME.timeout its own time limit in seconds.
secs=${1:-600}
[ $# -gt 0 ] && shift
export PATH=/bin:/sbin
# The environment the Linux results were taken in (linux-results.txt): an
# RLIMIT_NOFILE hard limit of 20000, where the kernel's default is 4096.
ulimit -H -n 20000 || echo "gvisor-guest: cannot raise RLIMIT_NOFILE's hard limit"
# What gVisor's test runner tells the tests on its "native" platform (Linux
# itself supports everything); ptrace_test aborts without it.
export GVISOR_PLATFORM_SUPPORT=32BIT:TRUE,ALIGNMENT_CHECK:TRUE,INT3:TRUE,MULTIPROCESS:TRUE,VSYSCALL:TRUE
(while sleep 10; do echo GVT-TICK; done) &
for t in /gv/*_test; do
	n=${t##*/}
	d=/tmp/gvrun/$n
	mkdir -p "$d/tmp"
	cd "$d" || exit 1
	f=
	[ -f "$t.filter" ] && f=--gtest_filter=$(cat "$t.filter")
	s=$secs
	[ -f "$t.timeout" ] && s=$(cat "$t.timeout")
	echo "GVT-BEGIN $n"
	TEST_TMPDIR=$d/tmp timeout "$s" "$t" --gtest_color=no $f "$@" 2>&1
	rc=$?
	echo "GVT-END $n rc=$rc"
	cd /
	rm -rf "$d"
done
echo GVT-ALL-DONE
