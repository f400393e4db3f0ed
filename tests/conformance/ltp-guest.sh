#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the guest, the same script on both kernels: on Kestrel as init's
# script (init=/bin/sh -- /ltp/run.sh SECS TIMEOUT_MUL RUNTIME_MUL), on Linux
# from the initramfs's /init with the same words. Each entry of /ltp/list
# ("NAME CMDLINE", runtest/syscalls's lines the host chose for this boot) runs
# in turn, as root, with LTP's environment (LTPROOT=/opt/ltp, the test
# binaries and their helpers in /opt/ltp/testcases/bin on PATH, TMPDIR=/tmp,
# LTP's own time limits scaled by LTP_TIMEOUT_MUL, its run times by
# LTP_RUNTIME_MUL, the kernel configuration the tests check for what they
# need in /ltp/kconfig: Debian's, that of the Linux the host compares with)
# under a time limit of SECS (SIGTERM, which LTP's library
# passes on to the test's process group; SIGKILL 10 s later). Its whole output
# goes to the console between the markers the host (tests/conformance/ltp.py)
# parses:
#   LTP-KERNEL uname -sr, CPUs
#   LTP-BEGIN NAME
#   LTP-END NAME rc=N secs=N
#   LTP-ALL-DONE
# and an LTP-TICK line every 10 s while a test runs, so the host can tell a
# frozen machine (no tick) from a test that only waits. What a test leaves
# behind (processes, files in /tmp) is removed before the next one.
secs=${1:-120}
export LTP_TIMEOUT_MUL="${2:-1}"
export LTP_RUNTIME_MUL="${3:-1}"
export LTPROOT=/opt/ltp TMPDIR=/tmp HOME=/root LANG=C LTP_COLORIZE_OUTPUT=0
export PATH=$LTPROOT/testcases/bin:/usr/sbin:/usr/bin:/sbin:/bin
[ -f /ltp/kconfig ] && export KCONFIG_PATH=/ltp/kconfig
mkdir -p /tmp /root
chmod 1777 /tmp
busybox ip link set dev lo up || echo "ltp-guest: cannot bring lo up"
echo "LTP-KERNEL $(uname -sr), $(nproc) CPUs"

# The integer seconds since boot.
uptime_s() {
	read -r up _ < /proc/uptime
	echo "${up%.*}"
}

while read -r name cmd; do
	(while sleep 10; do echo LTP-TICK; done) &
	cd /tmp || exit 1
	echo "LTP-BEGIN $name"
	t0=$(uptime_s)
	# shellcheck disable=SC2086  # the command line is runtest's words
	timeout -s KILL "$((secs + 10))" timeout "$secs" $cmd < /dev/null 2>&1
	rc=$?
	t1=$(uptime_s)
	# the test's leftovers and the ticker (kill(-1) spares this shell and init)
	kill -9 -1 2> /dev/null
	wait
	cd /
	rm -rf /tmp/* 2> /dev/null
	echo "LTP-END $name rc=$rc secs=$((t1 - t0))"
done < /ltp/list
echo LTP-ALL-DONE
