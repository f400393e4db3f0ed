# SPDX-License-Identifier: MIT
# Shell self-test: loops, case, functions, $(...) and backticks, $((...)), globbing, expansions, jobs, traps.
# Run as "/bin/sh /etc/selftest.d/syntax.sh"; prints "sh-syntax: PASS" and exits 0 when all hold.
# The checks use on purpose the constructs shellcheck flags here.
# shellcheck disable=SC2005,SC2006,SC2046,SC2116,SC3043
. "${0%/*}/check.inc"
t_begin sh-syntax
d=/tmp/sh-syntax.$$
rm -rf "$d"
if ! mkdir -p "$d" || ! cd "$d"; then
	echo "sh-syntax: FAIL cannot use $d"
	exit 1
fi

s=
for i in 1 2 3; do s="$s$i"; done
check for-loop "$s" 123
i=0 s=
while [ "$i" -lt 5 ]; do i=$((i + 1)); s="$s$i"; done
check while-loop "$s" 12345
until [ "$i" -eq 0 ]; do i=$((i - 1)); done
check until-loop "$i" 0
s=
for i in 1 2 3 4 5 6; do
	[ "$i" -eq 2 ] && continue
	[ "$i" -eq 5 ] && break
	s="$s$i"
done
check break-continue "$s" 134

kind() {
	case $1 in
	*.c | *.h) echo source ;;
	[0-9]*) echo number ;;
	"") echo empty ;;
	*) echo other ;;
	esac
}
check case "$(kind main.c) $(kind x.h) $(kind 42abc) $(kind '') $(kind README)" \
	"source source number empty other"

add() {
	local sum=0
	for n in "$@"; do sum=$((sum + n)); done
	echo "$sum"
	return 3
}
sum=outer
check function-args "$(add 1 2 3 4)" 10
add 1 > /dev/null
check function-return "$?" 3
check function-local "$sum" outer

check command-subst "$(echo $(echo nested))" nested
check backticks "`echo tick`" tick
check subst-strips-newlines "$(printf 'a\n\n\n')" a

check arithmetic "$((3 * (4 + 5) % 7)) $((1 << 10)) $((-7 / 2)) $((0x10)) $((7 > 3 && 2 > 1))" \
	"6 1024 -3 16 1"
n=5
: $((n += 10))
check arithmetic-assign "$n" 15

touch a.txt b.txt c.log
check glob-star "$(echo *.txt)" "a.txt b.txt"
check glob-question "$(echo ?.log)" c.log
check glob-class "$(echo [ab].*)" "a.txt b.txt"
check glob-no-match "$(echo *.none)" "*.none"
check glob-quoted "$(echo "*.txt")" "*.txt"

v=dir/sub/file.tar.gz
check strip-prefix "${v#*/} ${v##*/}" "sub/file.tar.gz file.tar.gz"
check strip-suffix "${v%.*} ${v%%.*}" "dir/sub/file.tar dir/sub/file"
check length "${#v}" 19
unset u
check default "${u:-dflt} ${u-unset}" "dflt unset"
: "${u:=assigned}"
check assign-default "$u" assigned

set -- a "b c" d
check positional "$# $2" "3 b c"
shift
check shift "$# $1" "2 b c"
old_ifs=$IFS
IFS=:
set -- $(echo x:y:z)
IFS=$old_ifs
check ifs-split "$# $2" "3 y"
cmd='echo evaluated'
check eval "$(eval "$cmd")" evaluated

true && r1=yes || r1=no
false && r2=yes || r2=no
check and-or "$r1 $r2" "yes no"
(cd / && exit 4)
check subshell "$? $(pwd)" "4 $d"
check printf "$(printf '%05d|%-3s|%x' 42 ab 255)" "00042|ab |ff"

(exit 7) &
wait $!
check background-wait "$?" 7
sleep 10 &
kill $!
wait $! 2>/dev/null
check kill-background "$?" 143
sh -c 'kill -9 $$' 2>/dev/null
check killed-status "$?" 137

trap 'trapped=yes' USR1
kill -USR1 $$
trap - USR1
check trap "${trapped:-no}" yes

cd / && rm -rf "$d"
t_finish
