#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside a guest only (Kestrel, or Debian's Linux as netpeer.py's peer),
# installed as /etc/netconf/netconf.sh by tests/conformance/net.py with the
# files it reads beside it (/etc/netconf: keys, configurations, passwd).
# Both kernels run the same commands with Debian's programs:
#
#   netconf.sh setup NAME           host name, users, /dev/pts, keys, lo up
#   netconf.sh addr ADDR/PREFIX [GATEWAY]   eth0 up with the address (and a default route)
#   netconf.sh addr6 ADDR/PREFIX    an IPv6 address on eth0, once its DAD is done
#   netconf.sh ipshow               `ip addr` and `ip route`, between marker lines
#   netconf.sh servers [MIB]        nginx (a file of MIB MiB, 8 by default), sshd, iperf3,
#                                   nc and socat (TCP and UDP, one exchange each);
#                                   then /srv/www/ready
#   netconf.sh client HOST NAME [HOST6]   every client check against HOST, whose host
#                                   name is NAME (and curl6, ssh6 against its IPv6 address)
#   netconf.sh iperf HOST           iperf3 to HOST's server, sending and receiving (-R)
#   netconf.sh report               what the nc and socat servers received
#
# What the host (net.py) parses, one line each:
#   netconf: check NAME ok|fail MS ms DETAIL
#   netconf: value NAME VALUE
#   netconf: ip-addr-begin ... netconf: ip-addr-end (and ip-route-)
# Every command a check runs has a time limit (busybox timeout), so a
# hang costs that check alone.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C
CONF=/etc/netconf
# Debian's programs by path: busybox has applets of the same names (wget, nc, ip)
CURL=/usr/bin/curl
WGET=/usr/bin/wget
NC=/bin/nc.openbsd
SOCAT=/usr/bin/socat
IP=/bin/ip
SSH=/usr/bin/ssh
SSHD=/usr/sbin/sshd
IPERF=/usr/bin/iperf3
NGINX=/usr/sbin/nginx
SERVE_SECS=3000         # how long a one-shot server waits for its client
IPERF_SECS=6            # each iperf3 run

ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# check NAME SECS CMD...: run this script's step CMD under a time limit; the
# check line carries CMD's last output line as its detail.
check() {
	name=$1 secs=$2
	shift 2
	t0=$(ms)
	timeout "$secs" "$0" "$@" >/tmp/netconf.$name.out 2>&1
	rc=$?
	t1=$(ms)
	detail=$(tail -n 1 /tmp/netconf.$name.out | tr -d '\r')
	if [ $rc = 0 ]; then
		echo "netconf: check $name ok $((t1 - t0)) ms $detail"
	else
		[ $rc = 143 ] && detail="timed out after $secs s; $detail"
		echo "netconf: check $name fail $((t1 - t0)) ms (exit $rc) $detail"
		sed 's/^/netconf-out: /' /tmp/netconf.$name.out | tail -n 8
	fi
}

rate() { awk -v b="$1" -v ms="$2" 'BEGIN { printf "%.2f MiB/s", b / 1048576 / (ms > 0 ? ms / 1000 : 0.001) }'; }

do_setup() {
	hostname "$1"
	cp $CONF/passwd /etc/passwd
	cp $CONF/group /etc/group
	mkdir -p /tmp /run/sshd /var/log/nginx /var/lib/nginx /srv/www /root/.ssh /dev/pts /etc/ssh
	chmod 1777 /tmp
	chmod 755 /run/sshd
	chmod 700 /root /root/.ssh
	[ -e /dev/pts/ptmx ] || mount -t devpts devpts /dev/pts || echo "netconf: no devpts"
	cp $CONF/id_ed25519 /root/.ssh/id_ed25519
	cp $CONF/authorized_keys /root/.ssh/authorized_keys
	cp $CONF/ssh_config /root/.ssh/config
	cp $CONF/host_key_"$1" /etc/ssh/ssh_host_ed25519_key 2>/dev/null ||
		cp $CONF/host_key_kestrel /etc/ssh/ssh_host_ed25519_key
	chmod 600 /root/.ssh/id_ed25519 /root/.ssh/authorized_keys /etc/ssh/ssh_host_ed25519_key
	$IP link set lo up
}

do_addr() {
	$IP link set eth0 up || return 1
	$IP addr add "$1" dev eth0 || return 1
	# the carrier, and the operational state that follows it (Linux's
	# link watch sets it up to a second later: until then `ip addr` says NO-CARRIER)
	n=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] ||
		[ "$(cat /sys/class/net/eth0/operstate 2>/dev/null)" != up ]; do
		[ $n -ge 100 ] && { echo "netconf: eth0 not up: carrier $(cat /sys/class/net/eth0/carrier)," \
			"operstate $(cat /sys/class/net/eth0/operstate)"; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
	[ -z "$2" ] || $IP route add default via "$2" dev eth0
}

# DAD takes a second or so on both kernels; until it ends the address is
# tentative and neither kernel will use it as a source.
do_addr6() {
	$IP -6 addr add "$1" dev eth0 || return 1
	n=0
	while $IP -6 addr show dev eth0 | grep -q tentative; do
		[ $n -ge 100 ] && { echo "netconf: $1 still tentative after 10 s"; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
	! $IP -6 addr show dev eth0 | grep -q dadfailed || { echo "netconf: DAD failed for $1"; return 1; }
}

do_ipshow() {
	echo "netconf: ip-addr-begin"
	$IP addr
	echo "netconf: ip-addr-end"
	echo "netconf: ip-route-begin"
	$IP route
	echo "netconf: ip-route-end"
}

# One-shot servers in the background; each writes what it received to /tmp/srv.NAME.
do_servers() {
	dd if=/dev/urandom of=/srv/www/blob bs=1048576 count="${1:-8}" 2>/dev/null
	(cd /srv/www && sha256sum blob > blob.sha256)
	$NGINX -c $CONF/nginx.conf || echo "netconf: nginx did not start"
	$SSHD -f $CONF/sshd_config -E /tmp/sshd.log || echo "netconf: sshd did not start"
	timeout $SERVE_SECS $IPERF -s >/tmp/srv.iperf3 2>&1 &
	(echo nc-tcp-reply | timeout $SERVE_SECS $NC -N -l -p 7001 >/tmp/srv.nc-tcp 2>&1) &
	# nc's stdin stays open until the reply is due (an EOF on it before the
	# first datagram came leaves netcat-openbsd sending nothing)
	(timeout $SERVE_SECS sh -c 'until [ -s /tmp/srv.nc-udp ]; do sleep 0.2; done'
		echo nc-udp-reply; sleep 5) |
		timeout $SERVE_SECS $NC -u -l -p 7002 >/tmp/srv.nc-udp 2>&1 &
	timeout $SERVE_SECS $SOCAT TCP-LISTEN:7003,reuseaddr \
		SYSTEM:'read l; echo "$l" >/tmp/srv.socat-tcp; echo socat-tcp-reply' &
	timeout $SERVE_SECS $SOCAT -T 60 UDP-RECVFROM:7004 \
		SYSTEM:'read l; echo "$l" >/tmp/srv.socat-udp; echo socat-udp-reply' &
	sleep 1
	echo ready >/srv/www/ready
	echo "netconf: servers up"
}

do_report() {
	for s in nc-tcp nc-udp socat-tcp socat-udp; do
		echo "netconf: value srv-$s $(head -c 200 /tmp/srv.$s 2>/dev/null | tr '\r\n' '  ')"
	done
	tail -n 5 /tmp/sshd.log 2>/dev/null | sed 's/^/netconf: sshd: /'
}

# ---------------------------------------------------------------- the client steps

step_fetch() {   # TOOL HOST: /blob with sha256 against /blob.sha256
	rm -f /tmp/fetch.blob
	t0=$(ms)
	case $1 in
	curl) $CURL -sS -f --max-time 300 -o /tmp/fetch.blob "http://$2/blob" || return 1 ;;
	curl6) $CURL -g -sS -f --max-time 300 -o /tmp/fetch.blob "http://[$2]/blob" || return 1 ;;
	wget) $WGET -q -T 60 -O /tmp/fetch.blob "http://$2/blob" || return 1 ;;
	esac
	t1=$(ms)
	case $1 in
	curl) want=$($CURL -sS -f --max-time 30 "http://$2/blob.sha256") || return 1 ;;
	curl6) want=$($CURL -g -sS -f --max-time 30 "http://[$2]/blob.sha256") || return 1 ;;
	wget) want=$($WGET -q -T 30 -O - "http://$2/blob.sha256") || return 1 ;;
	esac
	want=${want%% *}
	got=$(sha256sum /tmp/fetch.blob | cut -d' ' -f1)
	size=$(wc -c </tmp/fetch.blob)
	rm -f /tmp/fetch.blob
	[ "$got" = "$want" ] || { echo "sha256 $got of $size bytes, served $want"; return 1; }
	echo "$size bytes, sha256 matches, $(rate "$size" $((t1 - t0)))"
}

step_ssh() {     # HOST NAME: a command, its output checked
	out=$($SSH -o BatchMode=yes -o ConnectTimeout=30 root@"$1" 'echo ssh-ok $((6 * 7)) $(hostname)')
	rc=$?
	[ $rc = 0 ] || { echo "ssh exit $rc: $out"; return 1; }
	[ "$out" = "ssh-ok 42 $2" ] || { echo "got '$out', want 'ssh-ok 42 $2'"; return 1; }
	echo "$out"
}

step_ssh_pty() { # HOST: a command on a pseudo-terminal (ssh -tt)
	out=$($SSH -tt -o BatchMode=yes -o ConnectTimeout=30 root@"$1" tty </dev/null |
		tr -d '\r' | tr '\n' ' ')
	case $out in
	/dev/pts/[0-9]*) echo "$out" ;;
	*) echo "got '$out', want /dev/pts/N"; return 1 ;;
	esac
}

step_exchange() {   # KIND HOST: send KIND-hello, want KIND-reply back
	case $1 in
	nc-tcp) out=$(echo nc-tcp-hello | $NC -N -w 10 "$2" 7001) ;;
	nc-udp) out=$( (echo nc-udp-hello; sleep 4) | $NC -u -w 3 "$2" 7002) ;;
	socat-tcp) out=$(echo socat-tcp-hello | $SOCAT -t 10 - TCP:"$2":7003) ;;
	socat-udp) out=$(echo socat-udp-hello | $SOCAT -t 3 -T 10 - UDP:"$2":7004) ;;
	esac
	rc=$?
	[ "$out" = "$1-reply" ] || { echo "exit $rc, got '$out', want '$1-reply'"; return 1; }
	echo "$out"
}

cpu_sample() {    # "busy total interrupts switches ms" from /proc/stat (idle and iowait not busy)
	awk -v ms="$(ms)" '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; b = t - $5 - $6 }
		/^intr / { n = $2 } /^ctxt / { x = $2 } END { print b, t, n, x, ms }' /proc/stat
}

step_iperf() {   # HOST [-R]: MiB/s at the receiver, the sender's retransmissions, this CPU's load
	before=$(cpu_sample)
	$IPERF -c "$1" -t $IPERF_SECS -f M $2 >/tmp/iperf.out 2>&1 || { cat /tmp/iperf.out; return 1; }
	load=$(echo "$before $(cpu_sample)" | awk '$7 > $2 && $10 > $5 { s = ($10 - $5) / 1000
		printf "cpu %d%% busy, %d interrupts/s, %d switches/s",
			100 * ($6 - $1) / ($7 - $2), ($8 - $3) / s, ($9 - $4) / s }')
	cat /tmp/iperf.out
	# the last receiver and sender lines: the only ones, or with -P the [SUM]s
	got=$(awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "MBytes/sec") v = $(i - 1) }
		END { print v }' /tmp/iperf.out)
	[ -n "$got" ] || { echo "no receiver line"; return 1; }
	retr=$(awk '/sender/ && $(NF - 1) ~ /^[0-9]+$/ { v = $(NF - 1) } END { print v }' /tmp/iperf.out)
	echo "$got MiB/s, ${retr:-?} retransmitted, ${load:-cpu ?}"
}

do_client() {    # HOST NAME [HOST6]
	check curl 400 step_fetch curl "$1"
	check wget 400 step_fetch wget "$1"
	check ssh 120 step_ssh "$1" "$2"
	check ssh-pty 120 step_ssh_pty "$1"
	if [ -n "$3" ]; then
		check curl6 400 step_fetch curl6 "$3"
		check ssh6 120 step_ssh "$3" "$2"
	fi
	for kind in nc-tcp nc-udp socat-tcp socat-udp; do
		check $kind 60 step_exchange $kind "$1"
	done
	do_iperf "$1"
}

do_iperf() {     # HOST; PROFILE_MARK: a command between the two (net.py --profile's sync)
	check iperf3-send 120 step_iperf "$1"
	${PROFILE_MARK:-:}
	check iperf3-recv 120 step_iperf "$1" -R
}

case $1 in
setup) do_setup "$2" ;;
addr) do_addr "$2" "$3" ;;
addr6) do_addr6 "$2" ;;
ipshow) do_ipshow ;;
servers) do_servers "$2" ;;
client) do_client "$2" "$3" "$4" ;;
iperf) do_iperf "$2" ;;
report) do_report ;;
step_*) f=$1; shift; "$f" "$@" ;;
*) echo "netconf.sh: unknown command '$1'" >&2; exit 2 ;;
esac
