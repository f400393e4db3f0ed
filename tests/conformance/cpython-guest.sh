#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the guest as init's script, on Kestrel (init=/bin/sh -- /etc/cpython-run.sh)
# and on Linux (the initramfs's /init runs it), with the words SECS MODULE... of
# /etc/cpython-args (or its own arguments, if any; a kernel command line holds
# only so many words for init): each of CPython's
# regression-test modules in its own `python3 -m test -v` under a time limit of
# SECS, so a hang or a crash costs that module only, with the whole output on the
# console between the markers the host (tests/conformance/cpython.py) parses:
#   CPY-BEGIN MODULE
#   CPY-END MODULE rc=N ms=N
#   CPY-ALL-DONE
# and a CPY-TICK line every 30 s, so the host can tell a frozen machine from a
# slow test. The same script on both kernels: the environment is the same.
[ $# -gt 0 ] || set -- $(cat /etc/cpython-args)
secs=${1:-900}
[ $# -gt 0 ] && shift
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root LANG=C.UTF-8 TERM=dumb PYTHONHASHSEED=0
mkdir -p /root /tmp
chmod 1777 /tmp
cd /tmp || exit 1
echo "CPY-KERNEL $(uname -sr) $(nproc) CPUs"
(while sleep 30; do echo CPY-TICK; done) &
tick=$!
# /proc/uptime in ms ("0.08" is 80: the hundredths behind a 1, never an octal 08)
ms() {
	read -r up _ < /proc/uptime
	c=${up#*.}
	echo $(( ${up%.*} * 1000 + 1$c * 10 - 1000 ))
}
for m in "$@"; do
	echo "CPY-BEGIN $m"
	t0=$(ms)
	# regrtest's own limit (faulthandler dumps the stacks and exits) a
	# little before the outer one, which catches what it cannot.
	timeout "$secs" python3 -m test -v --timeout "$((secs - 30))" "$m" < /dev/null 2>&1
	rc=$?
	echo "CPY-END $m rc=$rc ms=$(($(ms) - t0))"
	cd /tmp && rm -rf /tmp/test_python_* 2>/dev/null
done
kill "$tick"
echo CPY-ALL-DONE
