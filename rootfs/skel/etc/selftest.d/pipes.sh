# SPDX-License-Identifier: MIT
# Shell self-test: pipelines, redirections (>, >>, <, 2>&1, fds), here-documents, tee, SIGPIPE, named pipes.
# Run as "/bin/sh /etc/selftest.d/pipes.sh"; prints "sh-pipes: PASS" and exits 0 when all hold.
# The checks use on purpose the constructs shellcheck flags here.
# shellcheck disable=SC2016,SC2018,SC2019,SC2034
. "${0%/*}/check.inc"
t_begin sh-pipes
d=/tmp/sh-pipes.$$
rm -rf "$d"
if ! mkdir -p "$d" || ! cd "$d"; then
	echo "sh-pipes: FAIL cannot use $d"
	exit 1
fi

check pipeline "$(echo hello | tr a-z A-Z)" HELLO
check three-stages "$(printf 'b\na\nc\n' | sort | head -n 1)" a
false | true
check status-of-last-true "$?" 0
true | false
check status-of-last-false "$?" 1
# More than a pipe buffer holds: the writer blocks and resumes.
check big-pipe "$(seq 1 20000 | wc -l)" 20000
check big-pipe-tail "$(seq 1 20000 | tail -n 1)" 20000
# yes ends by SIGPIPE (or EPIPE) once head has its lines.
check sigpipe "$(yes | head -n 3 | tr '\n' ' ')" "y y y "

echo one > f
check redirect-out "$(cat f)" one
echo two >> f
check append "$(cat f)" "one
two"
check redirect-in "$(wc -l < f)" 2
read -r first < f
check read-redirect "$first" one
echo three > f
check truncate "$(cat f)" three

check stderr-to-stdout "$(sh -c 'echo err >&2' 2>&1)" err
check stderr-dropped "$(sh -c 'echo err >&2; echo out' 2>/dev/null)" out
{ echo out; echo err >&2; } > both 2>&1
check both-to-file "$(cat both)" "out
err"
# Order matters: 2>&1 before > leaves stderr on the old stdout (the pipe).
check redirect-order "$(sh -c 'echo e >&2' 2>&1 > /dev/null)" e

exec 3> fd3
echo via-fd3 >&3
exec 3>&-
check fd-3 "$(cat fd3)" via-fd3
exec 4< f
read -r line <&4
exec 4<&-
check fd-4-read "$line" three

name=world
cat > here <<EOF
hello $name
  $((6 * 7))
EOF
check heredoc "$(cat here)" "hello world
  42"
check heredoc-quoted "$(cat <<'EOF'
no $name expansion
EOF
)" 'no $name expansion'
check heredoc-strip-tabs "$(cat <<-EOF
	tabbed
	EOF
)" tabbed

check tee "$(echo teed | tee t1 | cat) $(cat t1)" "teed teed"

n=0
printf 'a\nb\nc\n' | { while read -r l; do n=$((n + 1)); done; echo "$n" > count; }
check while-read-pipe "$(cat count)" 3

# A named pipe: the writer's open waits for the reader, the bytes go through.
mkfifo ff
(echo through-fifo > ff) &
read -r got < ff
wait
check mkfifo "$(ls -l ff | cut -c1) $got" "p through-fifo"

cd / && rm -rf "$d"
t_finish
