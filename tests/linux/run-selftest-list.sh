#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the rootfs self-test programs on the Linux build machine under /etc/selftest's own rules.
#
# Usage: run-selftest-list.sh [-r ROOT] [-l LIST] [NAME...]
#   ROOT  where the programs are (default $B/rootfs.extra, B defaulting to build):
#         a list path /bin/X runs ROOT/bin/X
#   LIST  default rootfs/skel/etc/selftest
#   NAME  run only these entries
#
# List paths are rootfs paths. Here each one (the PATH, and any argument
# that is an absolute path) is found in this order:
#   ROOT/PATH, when it exists (the programs the Makefile built);
#   /bin/sh and /bin/busybox: the build machine's busybox, run as "sh" or
#     "busybox" through a symlink (Debian's busybox-static: the very binary
#     tools/mkrootfs.sh copies into the rootfs); these two paths only;
#   rootfs/skel/PATH, when it is a file there (the /etc files, such as the
#     /etc/selftest.d scripts).
# So "/bin/sh /etc/selftest.d/pipes.sh" runs the host's busybox sh on
# rootfs/skel/etc/selftest.d/pipes.sh. Other paths are left alone: a program
# that execs /bin/true gets the build machine's /bin/true. Scripts find the
# helpers they source next to themselves (${0%/*}), never by a fixed /etc path.
# Kestrel judges each program by how it ends; running the very same
# binaries here with the same expectations proves the tests themselves are
# right. Prints "PASS linux/NAME" or "FAIL linux/NAME: why" per entry and
# "linux: N passed, N failed[, N skipped]"; exits non-zero on any failure.
# Programs get the environment Kestrel gives them (HOME=/ TERM=linux).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
root=$B/rootfs.extra
list=$top/rootfs/skel/etc/selftest
while getopts r:l: opt; do
	case $opt in
	r) root=$OPTARG ;;
	l) list=$OPTARG ;;
	*) echo "usage: $0 [-r ROOT] [-l LIST] [NAME...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
only=" $* "

passed=0
failed=0
skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The host's busybox as /bin/sh and /bin/busybox (see host_path).
mkdir "$tmp/hostbin"
if busybox=$(command -v busybox); then
	ln -s "$busybox" "$tmp/hostbin/sh"
	ln -s "$busybox" "$tmp/hostbin/busybox"
fi
# The signal tests would otherwise leave core files; dash and bash both have ulimit -c.
# shellcheck disable=SC3045
ulimit -c 0 2>/dev/null || :
set -f		# list fields are words, never globs

# seconds MS: MS milliseconds in the form timeout(1) takes.
seconds() {
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# describe RC: how a program ended, from the status timeout(1) passes on.
# timeout exits 124 when it had to kill the program; a program killed by
# signal N shows as 128+N (timeout re-raises the signal on itself), which
# cannot be told apart from exit(128+N): the list only expects small exits.
describe() {
	if [ "$1" -eq 124 ]; then
		echo "still running at the time limit"
	elif [ "$1" -gt 128 ]; then
		echo "killed by signal $(($1 - 128))"
	else
		echo "exit $1"
	fi
}

# wanted_status EXPECT: the status that meets EXPECT, or nothing if malformed.
wanted_status() {
	case $1 in
	exit=*) n=${1#exit=} ;;
	signal=*) n=${1#signal=}; n=$((128 + n)) ;;
	timeout) n=124 ;;
	noexec) n=126 ;;	# env: the kernel refused to exec it (ENOEXEC)
	*) return ;;
	esac
	case $n in '' | *[!0-9]*) return ;; esac
	echo "$n"
}

# host_path P: where rootfs path P is on this machine (see the top), or nothing.
host_path() {
	if [ -e "$root$1" ]; then
		echo "$root$1"
	elif [ "$1" = /bin/sh ] || [ "$1" = /bin/busybox ]; then
		[ ! -e "$tmp/hostbin/${1##*/}" ] || echo "$tmp/hostbin/${1##*/}"
	elif [ -f "$top/rootfs/skel$1" ]; then
		echo "$top/rootfs/skel$1"
	fi
}

# verdict NAME WHY: count and print one result; empty WHY is a pass.
verdict() {
	if [ -z "$2" ]; then
		echo "PASS linux/$1"
		passed=$((passed + 1))
	else
		echo "FAIL linux/$1: $2"
		failed=$((failed + 1))
	fi
}

# run_entry NAME EXPECT TIMEOUT_MS COPIES PATH ARGS...: start every copy, wait for all, judge.
run_entry() {
	name=$1 expect=$2 ms=$3 copies=$4 path=$5
	shift 5
	want=$(wanted_status "$expect")
	[ -n "$want" ] || { verdict "$name" "bad EXPECT '$expect'"; return; }
	prog=$(host_path "$path")
	if [ -z "$prog" ] || [ ! -x "$prog" ]; then
		verdict "$name" "$path: not in $root (not built?), nor a rootfs/skel file or the host busybox"
		return
	fi
	# Translate the arguments that are rootfs files, keeping the others as they are.
	n=$#
	for arg in "$@"; do
		case $arg in /*) [ -e "$root$arg" ] || [ ! -f "$top/rootfs/skel$arg" ] ||
			arg=$top/rootfs/skel$arg ;; esac
		set -- "$@" "$arg"
	done
	shift "$n"
	pids=""
	i=1
	outs=""
	while [ "$i" -le "$copies" ]; do
		# The subshell reports a signal death as 128+N instead of the
		# script's own shell printing "Segmentation fault" for the job.
		# noexec: execv directly (env and shells retry ENOEXEC files as scripts);
		# 126 when the kernel refused the file with ENOEXEC, as a shell reports it.
		if [ "$expect" = noexec ]; then
			python3 -c 'import errno, os, sys
try:
    os.execv(sys.argv[1], sys.argv[1:])
except OSError as e:
    sys.exit(126 if e.errno == errno.ENOEXEC else 1)' "$prog" "$@" > "$tmp/$name.$i" 2>&1 &
		else
			(timeout -k 1 "$(seconds "$ms")" env -i HOME=/ TERM=linux "$prog" "$@"
			 exit $?) > "$tmp/$name.$i" 2>&1 &
		fi
		pids="$pids $!"
		outs="$outs $tmp/$name.$i"
		i=$((i + 1))
	done
	why=""
	i=1
	for pid in $pids; do
		wait "$pid"
		rc=$?
		tag=linux/$name
		[ "$copies" -eq 1 ] || tag=$tag.$i
		sed "s#^#  $tag| #" "$tmp/$name.$i"
		if [ "$rc" -ne "$want" ] && [ -z "$why" ]; then
			why="$( [ "$copies" -eq 1 ] || echo "copy $i: ")$(describe "$rc"), want $expect"
		fi
		i=$((i + 1))
	done
	# A program that could not test anything here says "NAME: SKIP why" and exits as expected.
	# shellcheck disable=SC2086 # $outs is a list of our own file names
	skip=$(sed -n "s/^$name: SKIP //p" $outs | head -n 1)
	if [ -z "$why" ] && [ -n "$skip" ]; then
		echo "SKIP linux/$name: $skip"
		skipped=$((skipped + 1))
		return
	fi
	verdict "$name" "$why"
}

# run_line LINENO LINE: parse one list line (comments and blanks already gone) and run it.
run_line() {
	lineno=$1
	# shellcheck disable=SC2086 # split the line into its fields (globbing is off)
	set -- $2
	[ $# -ge 4 ] || { verdict "list:$lineno" "want NAME EXPECT TIMEOUT_MS [copies=N] PATH [ARGS...]"; return; }
	name=$1 expect=$2 ms=$3
	shift 3
	case $only in "  ") ;; *" $name "*) ;; *) return ;; esac
	copies=1
	case $1 in copies=*) copies=${1#copies=}; shift ;; esac
	case $ms$copies in *[!0-9]*) verdict "$name" "bad TIMEOUT_MS '$ms' or copies '$copies'"; return ;; esac
	[ "$copies" -ge 1 ] || { verdict "$name" "copies must be at least 1"; return; }
	[ $# -ge 1 ] || { verdict "$name" "no PATH"; return; }
	run_entry "$name" "$expect" "$ms" "$copies" "$@"
}

[ -r "$list" ] || { echo "FAIL linux/list: cannot read $list"; echo "linux: 0 passed, 1 failed"; exit 1; }
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%%#*}
	case $line in *[!\ \	]*) run_line "$lineno" "$line" ;; esac
done < "$list"

if [ "$skipped" -gt 0 ]; then
	echo "linux: $passed passed, $failed failed, $skipped skipped"
else
	echo "linux: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
