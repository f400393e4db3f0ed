#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Debian's programs on Kestrel and on Linux, in the same QEMU: issue 14's application figures.

    bench_apps.py [--build DIR] [--icount 0|1|only] [--quick] [--only kestrel|linux]
                  [--mem SIZE] [--smp N] [--cpu MODEL] [--timeout S] [--kestrel-words W]
                  [--jobs N] [--scale ROUNDS [--klock]]

The workloads (tools/bench-apps/guest.sh): `python3 -c pass`, `bash -c
true`, `ls -l` of a directory of 1,000 files and the pipeline `cat | sort |
uniq -c | sha256sum` over a generated 10 MB text file (C locale), a
configure-like bash loop, tar x and find over 10,000 files, gcc-12
compiling Kestrel's kernel sources with the kernel's flags at make -j1
(objects only; --quick a tenth of them: tools/bench-apps/kbuild.mk) and git
status in a repository of Kestrel's tree, each timed inside the guest by
tools/bench-apps/apptime.c: CLOCK_MONOTONIC around fork + execve + wait4,
one untimed run first (not for the build), then N runs (10, and 3 for the
pipeline and the loop; --quick 3 and 1; the build 1); the figure is the
median.

Debian's bash, coreutils, python3, tar, findutils, gcc-12, binutils, make
and git with their dependencies
(tools/debs.py, cached in DIR/debs, unpacked into DIR/debs-apps) are merged
into Kestrel's rootfs with the driver script as /etc/apps-run.sh and
apptime as /bin/apptime: one archive that is Kestrel's root (its disk
image, init=/bin/sh -- /etc/apps-run.sh) and Linux's initramfs (Debian's
linux-image-amd64 as an EFI stub through the same OVMF), the machinery of
tests/conformance/cpython.py (the package tree, the image, the initramfs)
and tools/bench.py (the QEMU configuration, the boot and its serial
lines). One boot per kernel per mode:

  icount  -icount shift=0,sleep=off: the guest's clock counts guest
          instructions (1 ns = 1 instruction), the same on any host. Decides.
  wall    plain TCG, the guest's clock: what it feels like on this host.
          Without the build (10-20 minutes a boot on a 2-core host).

--icount 1 (the default) runs both, 0 wall only, only icount only. Prints
the table (Kestrel, Linux, K/L: Kestrel's figure over Linux's, the goal
<= 0.5 as the other benchmarks) and writes DIR/bench-apps.json (both
modes, the environment, the digests of the pipeline's output and of the
build's objects on each kernel, which must agree); serial logs and the
workloads' trees (overlay/src, for make profile OVERLAY=) in DIR/bench-apps/. Exits 0 when every boot gave every
figure, 1 otherwise, 2 when the packages cannot be had.

--jobs N runs the build at make -jN (default 1, the tables' figures).

--scale ROUNDS measures the build's parallel speed-up instead (issue 29):
the build alone, on the wall clock (under -icount one host thread runs
every vCPU, so nothing parallel can show), each round booting each kernel
at -smp 1 with make -j1, then each at -smp 2 with make -j2 (kernels
alternating, multi-threaded TCG). Per boot it records the build's time,
the host's load average and the host cores other processes took (bench.py's
measure; above a quarter of a core the boot is marked busy and, once the
rounds are done, booted again, up to ROUNDS more times a setting); per
kernel the median time at each setting and the speed-up (-smp 1's over
-smp 2's), over the boots not busy. The objects' digest must be the same in
every boot. --klock adds one Kestrel boot at -smp 2 with the kernel lock's
statistics on over the build (its time is in no median): the share of CPU
time spent waiting for the lock and holding it, and the entries that
waited longest. Writes DIR/bench-build-scale.json; exits 0 when every boot
gave its figure and the digests agree.
"""
import argparse
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.join(TOP, "tests", "conformance"))
import bench    # noqa: E402  (the QEMU configuration and the boot)
import cpython  # noqa: E402  (the package tree, the Kestrel image, the initramfs)

HERE = os.path.join(TOP, "tools", "bench-apps")
# libc6-dev: a freestanding kernel needs no libc, but Debian's gcc's own
# <limits.h> (which kernel/fs/vfs.c includes) ends in #include_next of libc's.
PACKAGES = ["bash", "coreutils", "python3", "tar", "findutils", "gcc-12", "binutils", "make",
            "libc6-dev", "git"]
TREE = "debs-apps"         # under the build directory (debs*: the Makefile skips it)
# What no workload runs, left out of the package tree so that the archive
# (which is in memory twice while a kernel unpacks it) stays small: gcc's LTO
# back end (no -flto), the sanitizers' run-time libraries (no -fsanitize),
# libc's static libraries (no link), and the perl modules git's scripts use
# (git status is git's own C).
PRUNE = ["usr/lib/gcc/x86_64-linux-gnu/12/lto1", "usr/bin/x86_64-linux-gnu-lto-dump-12",
         "usr/lib/gcc/x86_64-linux-gnu/12/lib*san*", "usr/lib/x86_64-linux-gnu/lib*san.so*",
         "usr/lib/x86_64-linux-gnu/*.a", "usr/share/perl", "usr/lib/x86_64-linux-gnu/perl"]
WORKLOADS = [("python3_pass", "python3 -c pass"),
             ("bash_true", "bash -c true"),
             ("ls_l_1000", "ls -l of a directory of 1,000 files"),
             ("pipeline_10m", "cat 10 MB | sort | uniq -c | sha256sum"),
             ("shell_forks_400", "bash: 100 rounds of true, expr, cat, test (400 fork + exec)"),
             ("tar_x_10000", "tar x of 10,000 small files (over the last run's)"),
             ("find_10000", "find -newer over those 10,000 files (a stat each)"),
             ("gcc_kernel", "gcc-12: Kestrel's kernel objects at make -j1 (quick: a tenth)"),
             ("git_status", "git status in a repository of Kestrel's tree, committed once")]
APP = re.compile(r"^app (\w+) (\d+) (\d+) (\d+) (\d+) ns")
APP_CPU = re.compile(r"^app-cpu (\w+) (\d+) (\d+)")
APP_ERROR = re.compile(r"^app-error (.*)")
# The digests of a workload's output (APPS-SUM NAME HEX), which must be the
# same on every kernel, or the comparison is void.
SUMS = {"pipeline": "pipeline's checksums",
        "gcc": "digests of the kernel's objects (sha256 of each .o)"}
# What the wall-clock boots leave out (guest.sh's second word, "wall"): the
# build, whose full run takes 10-20 minutes of host time per boot for a
# figure that does not decide; its digest with it.
ICOUNT_ONLY = {"gcc_kernel", "gcc"}
SUM = re.compile(r"^APPS-SUM (\w+) (\w+)")  # a workload's output digest
JOBS = re.compile(r"^APPS-JOBS gcc_kernel (\d+)")  # make's -j in the build
KERNEL = re.compile(r"APPS-KERNEL (.*)")  # searched: OVMF's escapes may precede it
# /proc/stat around the build: user nice system idle iowait irq softirq, ctxt
STAT = re.compile(r"^APPS-STAT (before|after) ((?:\d+ ){7})ctxt (\d+)")
STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq")
USER_HZ = 100  # /proc/stat's ticks, on both kernels
QUICK_EVERY = 10           # quick: the gcc workload compiles every tenth source
CC_FLAGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-static"]

# Linux's /init: what Kestrel's kernel mounts itself, then the driver with
# the word after the command line's "--" (full or quick).
LINUX_INIT = r"""#!/bin/sh
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
/bin/sh /etc/apps-run.sh "$@"
poweroff -f
"""


def log(msg):
    print(msg, flush=True)


def prune(tree):
    """TREE without PRUNE's paths (in place: debs.py makes the tree afresh,
    and this runs again, only when its packages change)."""
    for pattern in PRUNE:
        for path in glob.glob(os.path.join(tree, pattern)):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
    return tree


def make_variable(name):
    """The top Makefile's value of variable NAME, as make itself expands it."""
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", TOP,
                           "--eval", "print-%: ; @echo $($*)", f"print-{name}"],
                          capture_output=True, text=True, check=True).stdout.strip()


def kbuild_tree(build, dest):
    """DEST: the gcc workload's tree (tools/bench-apps/kbuild.mk as its
    Makefile): a copy of every kernel source the top Makefile compiles and
    of the headers beside them, flags.mk with the kernel's own flags and
    the lists of sources, and blobs/ (the fonts and the vDSO that two .S
    files take with .incbin, from BUILD)."""
    srcs = make_variable("KERNEL_C").split() + make_variable("KERNEL_S").split()
    for d in ("kernel", "shared"):
        shutil.copytree(os.path.join(TOP, d), os.path.join(dest, d))
    shutil.copy(os.path.join(HERE, "kbuild.mk"), os.path.join(dest, "Makefile"))
    with open(os.path.join(dest, "flags.mk"), "w") as fh:
        fh.write(f"KERNEL_CFLAGS := {make_variable('KERNEL_CFLAGS')}\n"
                 f"ALL_SRC := {' '.join(srcs)}\n"
                 f"QUICK_SRC := {' '.join(srcs[::QUICK_EVERY])}\n")
    os.makedirs(os.path.join(dest, "blobs"))
    for f in ("font/Terminus16.psf", "font/Terminus32x16.psf", "vdso/vdso.so"):
        shutil.copy(os.path.join(build, f), os.path.join(dest, "blobs"))
    return len(srcs)


def git_repo(dest):
    """DEST: a git repository of Kestrel's tree at HEAD (git archive), committed
    once with a fixed author and date and packed (one pack, no loose objects),
    whatever the host's git configuration says."""
    os.makedirs(dest)
    archive = subprocess.run(["git", "-C", TOP, "archive", "HEAD"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=archive, check=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@kestrel.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@kestrel.invalid",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Kestrel"],
                ["repack", "-a", "-d", "-q"]):
        subprocess.run(["git", "-C", dest] + cmd, env=env, check=True)
    return int(subprocess.run(["git", "-C", dest, "ls-files"], capture_output=True, text=True,
                              check=True).stdout.count("\n"))


def rootfs_archive(build, workdir, tree):
    """Kestrel's rootfs with the packages, /etc/apps-run.sh, /bin/apptime,
    the gcc workload's /src/kbuild and the git workload's /src/kestrel."""
    overlay = os.path.join(workdir, "overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    os.makedirs(os.path.join(overlay, "etc"))
    os.makedirs(os.path.join(overlay, "bin"))
    shutil.copy(os.path.join(HERE, "guest.sh"), os.path.join(overlay, "etc", "apps-run.sh"))
    subprocess.run([os.environ.get("MUSL_CC", "musl-gcc")] + CC_FLAGS +
                   ["-o", os.path.join(overlay, "bin", "apptime"),
                    os.path.join(HERE, "apptime.c")], check=True)
    srcs = kbuild_tree(build, os.path.join(overlay, "src", "kbuild"))
    files = git_repo(os.path.join(overlay, "src", "kestrel"))
    log(f"bench-apps: {srcs} kernel sources to compile, a repository of {files} files")
    return cpython.pack_rootfs(build, workdir, tree, overlay)


def parse(lines):
    """A boot's serial lines: figures per workload, errors, digests, uname."""
    res = dict(figures={}, cpu={}, errors=[], checksums={}, uname=None, jobs=None, stat={})
    for _, raw in lines:
        line = cpython.clean_line(raw)
        m = APP.match(line)
        if m:
            res["figures"][m.group(1)] = dict(n=int(m.group(2)), min=int(m.group(3)),
                                              median=int(m.group(4)), max=int(m.group(5)))
        elif APP_CPU.match(line):
            m = APP_CPU.match(line)
            res["cpu"][m.group(1)] = dict(user=int(m.group(2)), sys=int(m.group(3)))
        elif APP_ERROR.match(line):
            res["errors"].append(APP_ERROR.match(line).group(1)[:200])
        elif SUM.match(line):
            m = SUM.match(line)
            res["checksums"][m.group(1)] = m.group(2)
        elif JOBS.match(line):
            res["jobs"] = int(JOBS.match(line).group(1))
        elif STAT.match(line):
            m = STAT.match(line)
            res["stat"][m.group(1)] = [int(t) for t in m.group(2).split()] + [int(m.group(3))]
        elif KERNEL.search(line):
            res["uname"] = KERNEL.search(line).group(1).strip()
    return res


def run_mode(how, args, kernels, paths, mode, logdir):
    """One boot of each kernel in mode HOW ("icount" or "wall")."""
    out = {}
    for k in kernels:
        logpath = os.path.join(logdir, f"{k}-{how}.log")
        log(f"bench-apps: booting {k} ({how})")
        lines, status, secs = bench.boot(k, args, paths, mode, logpath, how == "icount",
                                         timeout=args.timeout)
        r = parse(lines)
        r.update(status=str(status), seconds=round(secs))
        missing = [w for w, _ in WORKLOADS if w not in r["figures"] and
                   (how == "icount" or w not in ICOUNT_ONLY)]
        log(f"bench-apps: {k} ({how}): {r['seconds']} s, exit {status}" +
            (f", missing {' '.join(missing)}" if missing else "") +
            "".join(f"\n  error: {e}" for e in r["errors"]))
        out[k] = r
    return out


def fmt(v, how):
    """A median in ns: M instructions under icount, ms on the wall clock."""
    return f"{v / 1e6:.1f} {'M ins' if how == 'icount' else 'ms'}"


def table(modes):
    """The table: per workload and mode, Kestrel, Linux and K/L."""
    rows = [f"{'workload':<14} {'mode':<7} {'kestrel':>14} {'linux':>14} {'K/L':>6}  what"]
    what = dict(WORKLOADS)
    for w, _ in WORKLOADS:
        for how, sides in modes.items():
            k = sides.get("kestrel", {}).get("figures", {}).get(w)
            lx = sides.get("linux", {}).get("figures", {}).get(w)
            ratio = f"{k['median'] / lx['median']:.2f}" if k and lx else "n/a"
            rows.append(f"{w:<14} {how:<7} {fmt(k['median'], how) if k else 'n/a':>14} "
                        f"{fmt(lx['median'], how) if lx else 'n/a':>14} {ratio:>6}  {what[w]}")
    return rows


def cpu_table(modes):
    """The children's user and system time per run (rusage, tick-sampled by
    both kernels: a rough split), in the deciding mode."""
    how = "icount" if "icount" in modes else "wall"
    rows = [f"user/system per run ({how}, rusage): " + "; ".join(
        f"{w} " + ", ".join(
            f"{k[0].upper()} {c['user'] / 1e6:.1f}/{c['sys'] / 1e6:.1f}"
            for k, r in modes[how].items() for c in [r["cpu"].get(w)] if c)
        for w, _ in WORKLOADS if any(w in r["cpu"] for r in modes[how].values()))]
    return rows


def digests(modes):
    """({name: {kernel-mode: digest}}, whether each name's digests are all
    there and all the same) over every boot that ran that workload."""
    sums = {name: {f"{k}-{how}": r["checksums"].get(name) for how, s in modes.items()
                   for k, r in s.items() if how == "icount" or name not in ICOUNT_ONLY}
            for name in SUMS}
    agree = True
    for name, got in sums.items():
        if got and (None in got.values() or len(set(got.values())) != 1):
            log(f"bench-apps: the {SUMS[name]} differ or are missing: {got}")
            agree = False
    return sums, agree


SCALE_CPUS = (1, 2)   # --scale: -smp 1 with make -j1, -smp 2 with make -j2 (ncpu)


def stat_delta(stat):
    """/proc/stat over the build (parse()'s "stat"): seconds of each kind of
    CPU time, summed over the CPUs, and the context switches; None when a
    snapshot is missing."""
    if "before" not in stat or "after" not in stat:
        return None
    d = [a - b for a, b in zip(stat["after"], stat["before"])]
    out = {k: round(t / USER_HZ, 2) for k, t in zip(STAT_FIELDS, d)}
    out["ctxt"] = d[-1]
    return out


def scale_boot(kernel, cpus, rnd, args, paths, words, workdir):
    """Boot KERNEL at -smp CPUS (multi-threaded TCG, the wall clock) running
    the build alone (guest.sh's words WORDS); its record: the build's time,
    make's -j, the digest, the host's load and the cores others took."""
    tag = "klock" if words.endswith(" klock") else rnd
    logpath = os.path.join(workdir, f"scale-{kernel}-smp{cpus}-{tag}.log")
    log(f"bench-apps: booting {kernel} -smp {cpus} (build, {'klock' if tag == 'klock' else f'round {rnd}'})")
    lines, status, secs, load_before, others = bench.wall_boot(kernel, cpus, args, paths, words,
                                                               logpath)
    r = parse(lines)
    fig = r["figures"].get("gcc_kernel")
    rec = dict(kernel=kernel, cpus=cpus, round=tag, jobs=r["jobs"], exit=str(status),
               seconds=round(secs, 1), build_s=round(fig["median"] / 1e9, 2) if fig else None,
               digest=r["checksums"].get("gcc"), errors=r["errors"], uname=r["uname"],
               host_load_before=load_before, host_load_after=bench.loadavg(),
               others_cores=round(others, 2), busy=others > bench.SMP_OTHERS_MAX,
               klock=bench.klock_share(bench.parse_klock(lines).get("scale_build", [])),
               children_cpu_s={k: round(v / 1e9, 2) for k, v in
                               r["cpu"].get("gcc_kernel", {}).items()},
               proc_stat_s=stat_delta(r["stat"]),
               log=os.path.relpath(logpath, TOP))
    log(f"bench-apps: {kernel} -smp {cpus} -j{rec['jobs']}: build "
        f"{rec['build_s'] if fig else 'n/a'} s; boot {secs:.0f} s, exit {status}, host load "
        f"{load_before} -> {rec['host_load_after']}, others used {others:.2f} host cores"
        f"{' (busy)' if rec['busy'] else ''}" + "".join(f"\n  error: {e}" for e in r["errors"]))
    if rec["proc_stat_s"]:
        log(f"  over the build: make's children user {rec['children_cpu_s'].get('user')} s, "
            f"sys {rec['children_cpu_s'].get('sys')} s; /proc/stat " +
            ", ".join(f"{k} {v}" for k, v in rec["proc_stat_s"].items() if v))
    return rec


def scale_summary(boots, kernels):
    """Per kernel: per CPU count the build's times (boots not busy, or every
    boot when all were), their median, and the speed-up -smp 1 over -smp 2."""
    out = {}
    for k in kernels:
        per = {}
        for n in SCALE_CPUS:
            got = [b for b in boots if b["kernel"] == k and b["cpus"] == n and
                   b["round"] != "klock" and b["build_s"] is not None]
            calm = [b for b in got if not b["busy"]] or got
            times = sorted(b["build_s"] for b in calm)
            per[str(n)] = dict(times=times, median=median(times) if times else None,
                          busy_only=bool(got) and not any(not b["busy"] for b in got))
        one, two = per["1"]["median"], per["2"]["median"]
        out[k] = dict(per, speedup=round(one / two, 3) if one and two else None)
    return out


def median(xs):
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def scale_table(summary):
    """The speed-up table and, for Kestrel's --klock boot, the lock's share."""
    rows = [f"{'kernel':<8} {'-smp 1 -j1 (s)':>22} {'-smp 2 -j2 (s)':>22} {'speed-up':>9}"]
    for k, s in summary.items():
        cell = lambda n: (f"{s[n]['median']:.1f} [{' '.join(f'{t:.1f}' for t in s[n]['times'])}]"
                          + ("!" if s[n]["busy_only"] else "")) if s[n]["median"] else "n/a"
        rows.append(f"{k:<8} {cell('1'):>22} {cell('2'):>22} "
                    f"{s['speedup'] if s['speedup'] else 'n/a':>9}")
    return rows + ["(median [each boot's time], boots not busy; !: only busy boots)"]


def run_scale(args, kernels, paths, build, workdir, mode):
    """--scale: the build's parallel speed-up on each kernel; returns (data, ok)."""
    words = f"{mode} build ncpu"
    if "kestrel" in kernels:
        paths["img"] = {}
        for w in [words] + ([words + " klock"] if args.klock else []):
            img = cpython.kestrel_image(build, workdir, args.rootfs, cmdline=" ".join(
                ["init=/bin/sh debugexit", *args.kestrel_words.split(), f"-- /etc/apps-run.sh {w}"]))
            paths["img"][w] = img[:-4] + f"-{len(paths['img'])}.img"
            os.replace(img, paths["img"][w])
    boots = [scale_boot(k, n, rnd, args, paths, words, workdir)
             for rnd in range(1, args.scale + 1) for n in SCALE_CPUS for k in kernels]
    for k in kernels:  # the busy boots again, once the rounds are done
        for n in SCALE_CPUS:
            tries = 0
            while tries < args.scale and sum(1 for b in boots if b["kernel"] == k and
                                             b["cpus"] == n and not b["busy"]) < args.scale:
                tries += 1
                boots.append(scale_boot(k, n, f"again{tries}", args, paths, words, workdir))
    if args.klock and "kestrel" in kernels:
        boots.append(scale_boot("kestrel", 2, "klock", args, paths, words + " klock", workdir))
    summary = scale_summary(boots, kernels)
    for line in scale_table(summary):
        log(line)
    for b in boots:
        if b["klock"]:
            kl = b["klock"]
            log(f"kernel lock over Kestrel's -smp 2 build: waiting {kl['wait_pct']}% of CPU "
                f"time, holding {kl['hold_pct']}%, {kl['takes']} takes, {kl['contended']} "
                f"contended; waited longest: " + ", ".join(
                    f"{e['name']} {e['wait_pct']}%" for e in kl["entries"][:6]))
    sums = {b["digest"] for b in boots}
    agree = len(sums) == 1 and None not in sums
    if not agree:
        log(f"bench-apps: the {SUMS['gcc']} differ or are missing: "
            + ", ".join(f"{b['kernel']}-smp{b['cpus']}-{b['round']} {b['digest']}" for b in boots))
    ok = agree and all(b["build_s"] is not None and not b["errors"] for b in boots)
    return dict(boots=boots, summary=summary, digest_agree=agree, words=words), ok


def environment(args, linux_version):
    qemu = subprocess.run([bench.QEMU, "--version"], capture_output=True, text=True).stdout
    commit = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                commit=commit, qemu=qemu.splitlines()[0] if qemu else "?",
                linux=linux_version, machine="q35", mem=args.mem, smp=args.smp, cpu=args.cpu,
                jobs=getattr(args, "jobs", 1),  # bench_stress.py's args have none
                loadavg=open("/proc/loadavg").read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--icount", choices=("0", "1", "only"), default="1")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=bench.KERNELS)
    ap.add_argument("--mem", default="2G",
                    help="the guest's memory: the archive is in it twice while a kernel unpacks it")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--cpu", default="qemu64")
    ap.add_argument("--timeout", type=int, default=900, help="s per boot (twice under icount)")
    ap.add_argument("--kestrel-words", default="",
                    help="more words for Kestrel's command line (vdso=0: a before/after)")
    ap.add_argument("--jobs", default="1", help="make's jobs for the build (a number, or ncpu)")
    ap.add_argument("--scale", type=int, default=0, metavar="ROUNDS",
                    help="the build's speed-up from -smp 1 -j1 to -smp 2 -j2, wall clock")
    ap.add_argument("--klock", action="store_true",
                    help="with --scale: one more Kestrel -smp 2 boot counting the kernel lock")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            sys.exit(f"bench-apps: no {build}/{f}: run make first")
    mode = "quick" if args.quick else "full"
    workdir = os.path.join(build, "bench-apps")
    os.makedirs(workdir, exist_ok=True)
    tree = prune(cpython.package_tree(build, PACKAGES, TREE))
    rootfs = args.rootfs = rootfs_archive(build, workdir, tree)
    log(f"bench-apps: rootfs {os.path.getsize(rootfs) >> 20} MiB")
    kernels = [args.only] if args.only else list(bench.KERNELS)
    paths, linux_version = {}, None
    if "linux" in kernels:
        paths["vmlinuz"], linux_version, _ = bench.linux_kernel(os.path.join(build, "bench"))
        paths["initrd"] = cpython.linux_initrd(workdir, rootfs, init=LINUX_INIT)
    if args.scale:
        data, ok = run_scale(args, kernels, paths, build, workdir, mode)
        data.update(environment=environment(args, linux_version), mode=mode)
        out = os.path.join(build, "bench-build-scale.json")
        with open(out, "w") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        log(f"bench-apps: {os.path.relpath(out, TOP)}, logs in {os.path.relpath(workdir, TOP)}/")
        return 0 if ok else 1
    hows = {"1": ["icount", "wall"], "0": ["wall"], "only": ["icount"]}[args.icount]
    modes = {}
    for how in hows:
        words = f"{mode} {how} {args.jobs}"
        if "kestrel" in kernels:
            paths["img"] = {words: cpython.kestrel_image(
                build, workdir, rootfs,
                cmdline=" ".join(["init=/bin/sh debugexit", *args.kestrel_words.split(),
                                  f"-- /etc/apps-run.sh {words}"]))}
        modes[how] = run_mode(how, args, kernels, paths, words, workdir)
    for line in table(modes) + cpu_table(modes):
        log(line)
    sums, agree = digests(modes)
    data = dict(environment=environment(args, linux_version), mode=mode,
                workloads=dict(WORKLOADS), modes=modes, checksums=sums)
    out = os.path.join(build, "bench-apps.json")
    with open(out, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    log(f"bench-apps: {os.path.relpath(out, TOP)}, logs in {os.path.relpath(workdir, TOP)}/")
    whole = all((w in r["figures"] or how != "icount" and w in ICOUNT_ONLY) and not r["errors"]
                for how, s in modes.items() for r in s.values() for w, _ in WORKLOADS)
    return 0 if whole and agree else 1


if __name__ == "__main__":
    sys.exit(main())
