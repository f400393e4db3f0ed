#!/bin/sh
# SPDX-License-Identifier: MIT
# The guest side of tools/bench_stress.py: /etc/stress-run.sh in the archive
# that is both Kestrel's root (init=/bin/sh -- /etc/stress-run.sh SECONDS
# STRESSOR...) and Linux's initramfs (its /init runs it with the same words),
# so both kernels run the same Debian stress-ng. Each stressor runs alone,
# one instance for SECONDS, between lines the host parses:
#   STRESS-BEGIN NAME
#   stress-ng's own lines (--metrics-brief: "stress-ng: metrc: [PID] NAME
#   BOGO-OPS REAL USR SYS OPS/S-REAL OPS/S-USR+SYS")
#   STRESS-END NAME rc=N
# A run that outlives its time by a minute is killed (rc=137), and whatever
# it left behind with it; `bench done` ends the boot.
secs=$1
shift
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root LC_ALL=C TERM=dumb
mkdir -p /root /tmp
cd /tmp || exit 1
echo "STRESS-KERNEL $(uname -sr) $(nproc) CPUs"
for name in "$@"; do
	case "$name" in *=*) continue ;; esac   # OVMF's Linux loader appends initrd=initrd
	echo "STRESS-BEGIN $name"
	timeout -s KILL $((secs + 60)) stress-ng --"$name" 1 -t "$secs" --metrics-brief 2>&1
	rc=$?
	echo "STRESS-END $name rc=$rc"
	if [ "$rc" = 137 ]; then
		kill -9 -1 2>/dev/null   # the stressor's children, which the kill left running
		sleep 1
	fi
done
echo "bench done"
