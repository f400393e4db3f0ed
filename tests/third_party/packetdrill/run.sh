#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a list of packetdrill scripts as the wire client (the system-call side),
# one after the other, each under a time limit; the wire server (another
# guest, `packetdrill --wire_server --wire_server_dev=eth0`) plays the remote
# host REMOTE and injects and sniffs the packets on the wire.
#
#   run.sh DIR LIST SERVER LOCAL REMOTE LIMIT TOLERANCE_US [TRIES]
#
# DIR holds packetdrill and the scripts; LIST names scripts relative to DIR,
# one a line. Each runs in its own directory (the scripts' `../common/...`
# lines are relative), after a one-line header, and ends in
#   pdrill: result NAME STATUS MS
# STATUS is packetdrill's exit status, or 124 when it ran past LIMIT seconds
# and was killed (busybox timeout: TERM, then KILL 5 s later: 137). With
# TRIES (default 1) above 1, a script that fails runs again, up to TRIES
# times in all; each failed try but the last prints
#   pdrill: attempt NAME STATUS MS
# (timing on a loaded host: the scripts' tolerances are for bare metal).
# --wire_server_dev is for the server: it parses the client's command line
# again, and without it looks for its NIC by the host name, which a guest lacks.
# The harness (tests/boot/pdrilltest.py) reads these lines off the console.
dir=$1 list=$2 server=$3 local=$4 remote=$5 limit=$6 tol=$7 tries=${8:-1}
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# one NAME: run the script once in its directory; packetdrill's status.
one() {
	(cd "$dir/$(dirname "$1")" &&
	 busybox timeout -s TERM -k 5 "$limit" "$dir/packetdrill" --wire_client \
		--wire_server_ip="$server" --wire_client_dev=eth0 --wire_server_dev=eth0 \
		--local_ip="$local" --gateway_ip="$server" --remote_ip="$remote" \
		--netmask_ip=255.255.255.0 --tolerance_usecs="$tol" \
		"$(basename "$1")" < /dev/null 2>&1)
}
echo "pdrill: start $(wc -l < "$list") scripts"
while read -r name; do
	case $name in ''|'#'*) continue ;; esac
	echo "pdrill: begin $name"
	try=1
	while :; do
		t0=$(ms)
		one "$name"
		rc=$?
		[ "$rc" -eq 0 ] || [ "$try" -ge "$tries" ] && break
		echo "pdrill: attempt $name $rc $(( $(ms) - t0 ))"
		try=$((try + 1))
	done
	echo "pdrill: result $name $rc $(( $(ms) - t0 ))"
done < "$list"
echo "pdrill: done"
