# SPDX-License-Identifier: MIT
# Shell self-test: the system as the applets see it: ls -l /, ps, /proc/meminfo, uname, /dev, sleep, kill.
# Run as "/bin/sh /etc/selftest.d/system.sh"; prints "sh-system: PASS" and exits 0 when all hold.
# The checks use on purpose the constructs shellcheck flags here.
# shellcheck disable=SC2003,SC2010,SC2016,SC2050,SC2086,SC2320
. "${0%/*}/check.inc"
t_begin sh-system

# ls -l /: bin, etc and tmp are there, as directories (or, on Linux, bin may be a link).
check ls-l-root "$(ls -l / | grep -cE '^[dl].* (bin|etc|tmp)( -> .*)?$')" 3
check ls-bin-sh "$(ls /bin | grep -cx sh)" 1
check ls-a "$(ls -a / | grep -cxE '\.|\.\.')" 2

out=$(ps)
check ps-header "$(echo "$out" | head -n 1 | grep -c 'PID.*COMMAND')" 1
check ps-self "$(echo "$out" | grep -cE "^ *$$ ")" 1
check proc-stat "$(cut -d' ' -f1 /proc/$$/stat)" "$$"

check meminfo "$(grep -cE '^(MemTotal|MemFree): +[0-9]+ kB$' /proc/meminfo)" 2
total=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
check meminfo-total "$( [ "${total:-0}" -gt 1024 ] && echo sane)" sane

check uname-m "$(uname -m)" x86_64
check uname-s "$( [ -n "$(uname -s)" ] && echo set)" set
check hostname "$( [ -n "$(hostname)" ] && echo set)" set
check id-numeric "$(id -u | grep -cE '^[0-9]+$')" 1
check date-numeric "$(date +%s | grep -cE '^[0-9]+$')" 1

# time: a child that computes for a while is charged CPU time (user + sys above 0.00 s).
cpu=$(busybox time busybox sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done' 2>&1 |
	sed -n 's/^\(user\|sys\)	[0-9]*m \([0-9]*\)\.\([0-9]*\)s$/\2\3/p' | tr '\n' ' ')
case $cpu in
*[1-9]*) charged=charged ;;
*) charged="'$cpu'" ;;
esac
check time-cpu "$(set -- $cpu; [ $# -eq 2 ] && echo "$charged" || echo "'$cpu'")" charged

timeout 1 sleep 5
check timeout-kills "$?" 143
check awk "$(echo 'a b c' | awk '{ print $2 }')" b
check nproc "$(nproc | grep -cE '^[1-9][0-9]*$')" 1
check free "$(free | grep -cE '^Mem: +[0-9]+ +[0-9]+')" 1

check dev-null-char "$( [ -c /dev/null ] && echo char)" char
echo discarded > /dev/null
check dev-null-write "$?" 0

start=$(date +%s)
sleep 1
st=$?
took=$(($(date +%s) - start))
check sleep-1 "status $st, $( [ "$took" -ge 1 ] && [ "$took" -le 3 ] && echo '1-3' || echo "$took") s" \
	"status 0, 1-3 s"

sleep 10 &
pid=$!
check kill-0 "$(kill -0 $pid && echo alive)" alive
kill -TERM $pid
wait $pid 2>/dev/null
check kill-term "$?" 143
check kill-gone "$(kill -0 $pid 2>/dev/null && echo alive || echo gone)" gone

check env "$(env | grep -c '^HOME=')" 1
check pwd-root "$(cd / && pwd)" /
check basename-dirname "$(basename /a/b/c.txt .txt) $(dirname /a/b/c.txt)" "c /a/b"
check expr "$(expr 6 \* 7)" 42
check test-builtin "$( [ 3 -lt 10 ] && [ abc != abd ] && test -d / && echo yes)" yes
t_finish
