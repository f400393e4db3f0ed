#!/bin/sh
# SPDX-License-Identifier: MIT
# The guest side of tools/bench_apps.py: /etc/apps-run.sh in the archive that
# is both Kestrel's root (init=/bin/sh -- /etc/apps-run.sh MODE) and Linux's
# initramfs (its /init runs it), so both kernels run the same Debian programs
# on the same files. MODE is full or quick (fewer runs), then "wall" in the
# boots without -icount, which leave the build out. It makes the inputs
# in /tmp (a 1,000-file directory, a 10 MB text file, a tar of 10,000
# files; the gcc and git trees come in the archive), then times each
# workload with /bin/apptime (fork + exec + wait4 under CLOCK_MONOTONIC),
# which prints `app NAME N MIN MEDIAN MAX ns`; `bench done` ends the run.
# The third word is make's jobs for the build (a number, or ncpu: as many as
# the CPUs online); a fourth, klock, counts the kernel lock over the build
# where the kernel has /proc/klock_stat (Kestrel).
mode=${1:-full}
clock=${2:-icount}   # wall: a plain TCG boot, which leaves the build out;
                     # build: the build alone (bench_apps.py --scale), wall clock
jobs=${3:-1}
klock=${4:-}
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root LC_ALL=C TERM=dumb
mkdir -p /root /tmp
cd /tmp || exit 1
if [ "$mode" = quick ]; then n=3 np=1; else n=10 np=3; fi
[ "$jobs" = ncpu ] && jobs=$(nproc)
echo "APPS-KERNEL $(uname -sr) $(nproc) CPUs"

# centiseconds since boot, from /proc/uptime (both kernels: two decimals)
uptime_cs() {
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

# klock_set 1|0: the kernel lock's statistics on (zeroed) or off; a kernel
# without /proc/klock_stat (Linux) is not asked
klock_set() {
	[ "$klock" = klock ] && [ -r /proc/klock_stat ] &&
		echo "$1" >/proc/sys/kernel/lock_stat
}

# cpu_ticks WHEN: /proc/stat's all-CPU line (user nice system idle iowait
# irq softirq, in USER_HZ ticks) and its context switches, as
# `APPS-STAT WHEN ticks... ctxt N`: the build's idle time on both kernels
cpu_ticks() {
	ctxt=
	while read -r key a b c d e f g _; do
		case $key in
		cpu) ticks="$a $b $c $d $e $f $g" ;;
		ctxt) ctxt=$a ;;
		esac
	done </proc/stat
	echo "APPS-STAT $1 $ticks ctxt ${ctxt:-0}"
}

# Debian's gcc-12 compiling Kestrel's kernel sources with the kernel's own
# flags (/src/kbuild, tools/bench-apps/kbuild.mk: objects only, quick a
# tenth of them) at make -j$jobs, timed once without a warm-up run
# (everything is in memory already; a second build would double the run),
# then the digest of every object, which must be the same on both kernels
# and at any -j; with klock, /proc/klock_stat over the build, each line as
# bench-scale prints it (`klock scale_build | LINE`, after the window)
build_kernel() {
	[ "$mode" = quick ] && kset=quick || kset=all
	t0=$(uptime_cs)
	cpu_ticks before
	klock_set 1
	apptime cold gcc_kernel 1 /usr/bin/make -B -j"$jobs" -C /src/kbuild "$kset"
	klock_set 0
	cpu_ticks after
	t1=$(uptime_cs)
	echo "APPS-JOBS gcc_kernel $jobs"
	echo "APPS-SUM gcc $(cd /src/kbuild/o && /usr/bin/find . -name '*.o' |
		LC_ALL=C /usr/bin/sort | /usr/bin/xargs /usr/bin/sha256sum | /usr/bin/sha256sum)"
	if [ "$klock" = klock ] && [ -r /proc/klock_stat ]; then
		echo "klock scale_build window_us $(((t1 - t0) * 10000)) cpus $(nproc)"
		while IFS= read -r line; do
			echo "klock scale_build | $line"
		done </proc/klock_stat
	fi
}
if [ "$clock" = build ]; then
	build_kernel
	echo "bench done"
	exit 0
fi
apptime files /tmp/apps-dir 1000 || echo "app-error setup files"
apptime text /tmp/apps-10m 10000000 || echo "app-error setup text"
pipeline="/bin/cat /tmp/apps-10m | /usr/bin/sort | /usr/bin/uniq -c | /usr/bin/sha256sum"
# the same answer on both kernels, or the comparison is void
echo "APPS-SUM pipeline $(/bin/sh -c "$pipeline")"
apptime run python3_pass "$n" /usr/bin/python3 -c pass
apptime run bash_true "$n" /bin/bash -c true
apptime run ls_l_1000 "$n" /bin/ls -l /tmp/apps-dir
apptime run pipeline_10m "$np" /bin/sh -c "$pipeline"
# issue 30's workloads: a configure-like script (100 rounds of four small
# dynamically linked programs, each a fork + exec), tar x of 10,000 files
# and find over them (a stat each: -newer)
forks='for i in $(/usr/bin/seq 100); do /bin/true; /usr/bin/expr $i + 1 >/dev/null; /bin/cat /dev/null; /usr/bin/test -d /tmp; done'
apptime run shell_forks_400 "$np" /bin/bash -c "$forks"
apptime files /tmp/apps-tree 10000 || echo "app-error setup tree"
/bin/tar -cf /tmp/apps-tree.tar -C /tmp apps-tree || echo "app-error setup tar"
mkdir -p /tmp/apps-x
apptime run tar_x_10000 "$np" /bin/tar -xf /tmp/apps-tree.tar -C /tmp/apps-x
touch /tmp/apps-stamp
apptime run find_10000 "$n" /usr/bin/find /tmp/apps-x -newer /tmp/apps-stamp
# the build (build_kernel above), not in the wall-clock boots
[ "$clock" != wall ] && build_kernel
# git status in a repository of Kestrel's tree committed once on the host:
# the untimed run refreshes the index (every file's stat data changed on
# the way through the archive) and writes it, the timed ones stat every
# file and read every directory; the tree must be clean
apptime run git_status "$n" /usr/bin/git -C /src/kestrel status
[ -z "$(/usr/bin/git -C /src/kestrel status --porcelain)" ] ||
	echo "app-error git_status: the tree is not clean"
echo "bench done"
