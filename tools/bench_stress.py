#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Debian's stress-ng on Kestrel and on Linux, in the same QEMU: issue 29's figures.

    bench_stress.py [--build DIR] [--quick] [--rounds N] [--seconds S]
                    [--stressors NAME,...] [--cpus 1,2] [--only kestrel|linux]
                    [--mem SIZE] [--cpu MODEL] [--timeout S]

The stressors: futex, sigsuspend, sem, signal and itimer, each alone as
`stress-ng --NAME 1 -t S --metrics-brief` (S = 6 s; --quick 2 s), run by
tools/bench-stress/guest.sh. The figure is stress-ng's bogo-ops per second
of real time: operations over the guest's CLOCK_MONOTONIC, so a wall-clock
figure by nature, under plain TCG (-accel tcg,thread=multi: one host
thread per vCPU), as noisy as the host. Each stressor runs on -smp 1 and
on -smp 2.

Debian's stress-ng with its dependencies (tools/debs.py, cached in
DIR/debs, unpacked into DIR/debs-stress) is merged into Kestrel's rootfs
with the driver script as /etc/stress-run.sh: one archive that is
Kestrel's root (its disk image, init=/bin/sh -- /etc/stress-run.sh S NAME...)
and Linux's initramfs (Debian's linux-image-amd64 as an EFI stub through
the same OVMF), the machinery of tests/conformance/cpython.py (the package
tree, the archive, the image, the initramfs) and tools/bench.py (the QEMU
configuration, the boot and its serial lines, the host's load). One boot
per kernel and CPU count runs every stressor; --rounds N (default 1)
repeats the alternating boots and the figure is the median. Each boot has
a time limit (--timeout, by default a minute per stressor past its time
and three for booting), and the guest kills a stressor that outlives its
time by a minute.

Prints the table (stressor, CPUs, Kestrel's and Linux's bogo-ops/s, K/L:
Linux's rate over Kestrel's, that is Kestrel's time per bogo-op over
Linux's, so that below 1 Kestrel is faster, as in bench.py's tables) with a
mark (*) for a stressor that failed or gave no figure on one kernel and the
reason below it (a run stress-ng ends with an error keeps its reported rate
in the JSON, out of the median), and writes DIR/bench-stress.json (every boot's figures,
stress-ng's exit codes and error lines, the host's load and the CPU time
other processes took during each boot, `busy` above a quarter of a core as
bench.py's SMP runs mark it, the environment); serial logs in
DIR/bench-stress/. Exits 0 when every boot ran to its end (a stressor that
fails on a kernel is a finding, not a failure of this run), 1 when a boot
did not (a panic, a hang, the time limit), 2 when the packages cannot be
had.
"""
import argparse
import json
import os
import re
import statistics
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.join(TOP, "tests", "conformance"))
import bench       # noqa: E402  (the QEMU configuration, the boot, the host's load)
import bench_apps  # noqa: E402  (the environment record)
import cpython     # noqa: E402  (the package tree, the archive, the image, the initramfs)

GUEST = os.path.join(TOP, "tools", "bench-stress", "guest.sh")
PACKAGES = ["stress-ng"]
TREE = "debs-stress"       # under the build directory (debs*: the Makefile skips it)
STRESSORS = ["futex", "sigsuspend", "sem", "signal", "itimer"]
CPUS = [1, 2]
SECONDS = {"full": 6, "quick": 2}
BOOT_LIMIT = 180           # s for firmware, kernel and stress-ng's start, per boot
PER_STRESSOR = 60          # s past each stressor's time (the guest kills it then)
BEGIN = re.compile(r"^STRESS-BEGIN (\S+)")
END = re.compile(r"^STRESS-END (\S+) rc=(\d+)")
# stress-ng: metrc: [PID] NAME BOGO-OPS REAL USR SYS OPS/S-REAL OPS/S-USR+SYS
METRIC = re.compile(r"stress-ng: metrc: \[\d+\] (\S+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+"
                    r"([\d.]+)\s+([\d.]+)\s+([\d.]+)")
# stress-ng's other lines: "stress-ng: LEVEL: [PID] TEXT", or without them
# (an option it does not know)
PROBLEM = re.compile(r"stress-ng: (?:(\w+): +\[\d+\] )?(.*)")
KERNEL = re.compile(r"STRESS-KERNEL (.*)")  # searched: OVMF's escapes may precede it
TROUBLE = re.compile(r"KERNEL PANIC.*|Kernel panic.*|cannot start init.*")
# Linux's /init: what Kestrel's kernel mounts itself, then the driver with
# the words after the command line's "--".
LINUX_INIT = cpython.linux_init('/bin/sh /etc/stress-run.sh "$@"')


def log(msg):
    print(msg, flush=True)


def rootfs_archive(build, workdir, tree):
    """Kestrel's rootfs with stress-ng's tree and /etc/stress-run.sh."""
    overlay = os.path.join(workdir, "overlay")
    os.makedirs(os.path.join(overlay, "etc"), exist_ok=True)
    with open(GUEST) as src, open(os.path.join(overlay, "etc", "stress-run.sh"), "w") as dst:
        dst.write(src.read())
    return cpython.pack_rootfs(build, workdir, tree, overlay)


def problems(lines):
    """stress-ng's failures, errors, warnings and skips among LINES (not its
    metrics, not its other information), at most five."""
    out = []
    for line in lines:
        m = PROBLEM.search(line)
        if not m or m.group(1) == "metrc" or (m.group(1) == "info" and "skipp" not in line):
            continue
        out.append(f"{m.group(1) or 'stress-ng'}: {m.group(2).strip()[:160]}")
    return out[:5]


def stressor_result(name, lines, rc):
    """One stressor's figures from its lines, and why there are none or they are suspect."""
    r = dict(rc=rc, ops=None, real_s=None, usr_s=None, sys_s=None, reported_ops_per_s=None,
             ops_per_s=None, problems=problems(lines))
    m = next((m for l in lines for m in [METRIC.search(l)] if m and m.group(1) == name), None)
    if m and float(m.group(3)) > 0:
        r.update(ops=int(m.group(2)), real_s=float(m.group(3)), usr_s=float(m.group(4)),
                 sys_s=float(m.group(5)), reported_ops_per_s=float(m.group(6)))
    if rc == 0:  # a failed run's figure (a call failing fast, say) is not a rate to compare
        r["ops_per_s"] = r["reported_ops_per_s"]
    if rc is None:
        r["why"] = "the boot ended during it"
    elif rc == 137:
        r["why"] = f"killed {PER_STRESSOR} s past its time"
    elif rc == 127:
        r["why"] = "stress-ng did not start (rc 127)"
    elif rc != 0 or r["ops_per_s"] is None:
        first = next((p for p in r["problems"] if not p.startswith(("info", "warn"))),
                     r["problems"][0] if r["problems"] else "no metrics line")
        first += "" if r["reported_ops_per_s"] is None else \
            f" (it reported {r['reported_ops_per_s']:.0f}/s, left out)"
        r["why"] = f"rc {rc}: {first}"
    return r


def parse(lines, stressors):
    """A boot's serial lines: per stressor its result, the kernel's uname, trouble, done."""
    res = dict(stressors={}, uname=None, trouble=None, done=False)
    cur, body, t0 = None, [], 0.0
    for t, raw in lines:
        line = cpython.clean_line(raw)
        if res["uname"] is None and KERNEL.search(line):
            res["uname"] = KERNEL.search(line).group(1).strip()
        if TROUBLE.search(line) and not res["trouble"]:
            res["trouble"] = TROUBLE.search(line).group(0)[:200]
        if line.strip() == "bench done":
            res["done"] = True
        m = BEGIN.match(line)
        if m:
            cur, body, t0 = m.group(1), [], t
            continue
        m = END.match(line)
        if m and m.group(1) == cur:
            res["stressors"][cur] = stressor_result(cur, body, int(m.group(2)))
            res["stressors"][cur]["host_s"] = round(t - t0, 1)
            cur = None
        elif cur:
            body.append(line)
    if cur:
        res["stressors"][cur] = stressor_result(cur, body, None)
    for s in stressors:
        res["stressors"].setdefault(s, dict(ops_per_s=None,
                                            why="not run: the boot ended before it"))
    return res


def one_boot(kernel, cpus, rnd, args, paths, words, workdir):
    """Boot KERNEL on CPUS vCPUs running every stressor; its record."""
    logpath = os.path.join(workdir, f"{kernel}-smp{cpus}-{rnd}.log")
    log(f"bench-stress: booting {kernel} -smp {cpus} (round {rnd})")
    lines, status, secs, load_before, others = bench.wall_boot(kernel, cpus, args, paths, words,
                                                               logpath)
    r = parse(lines, args.stressors)
    if not r["done"] and not r["trouble"]:
        r["trouble"] = f"no 'bench done' (exit {status}, time limit {args.timeout} s)"
    r.update(kernel=kernel, cpus=cpus, round=rnd, exit=str(status), seconds=round(secs, 1),
             host_load_before=load_before, host_load_after=bench.loadavg(),
             others_cores=round(others, 2), busy=others > bench.SMP_OTHERS_MAX,
             log=os.path.relpath(logpath, TOP))
    got = [f"{s} {v['ops_per_s']:.0f}" if v["ops_per_s"] is not None else f"{s} -"
           for s, v in r["stressors"].items()]
    notes = [f"trouble: {r['trouble']}"] if r["trouble"] else []
    notes += [f"{s}: {v['why']}" for s, v in r["stressors"].items() if v.get("why")]
    log(f"bench-stress: {kernel} -smp {cpus}: {', '.join(got)}; {secs:.0f} s, exit {status}, "
        f"host load {load_before} -> {r['host_load_after']}, others used {others:.2f} "
        f"host cores{' (busy)' if r['busy'] else ''}" + "".join(f"\n  {n}" for n in notes))
    return r


def summarise(boots, stressors, cpus, kernels):
    """Per stressor, CPU count and kernel: the median over the rounds, the
    rounds' figures, and the reasons of the rounds without one."""
    out = {}
    for s in stressors:
        for n in cpus:
            for k in kernels:
                rs = [b["stressors"][s] for b in boots if b["kernel"] == k and b["cpus"] == n]
                vals = [r["ops_per_s"] for r in rs if r["ops_per_s"] is not None]
                whys = sorted({r["why"] for r in rs if r.get("why")})
                out[f"{s}/{n}/{k}"] = dict(
                    median=round(statistics.median(vals), 2) if vals else None,
                    rounds=vals, why=whys)
    return out


def fmt_rate(v):
    return "n/a" if v is None else f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def cell(c):
    """A table cell: the median, marked * when some round failed or had no figure."""
    if c is None:
        return "not run "
    return fmt_rate(c["median"]) + ("*" if c["why"] else " ")


def table(summary, stressors, cpus):
    """The table: per stressor and CPU count, both kernels' bogo-ops/s and K/L;
    the reasons for the cells marked * below it."""
    rows = [f"{'stressor':<11} {'CPUs':>4} {'kestrel ops/s':>15} {'linux ops/s':>15} {'K/L':>7}"]
    notes = []
    for s in stressors:
        for n in cpus:
            got = {k: summary.get(f"{s}/{n}/{k}") for k in bench.KERNELS}
            notes += [f"  * {s} -smp {n} on {k}: {w}"
                      for k, c in got.items() if c for w in c["why"]]
            k, lx = (got[k]["median"] if got[k] else None for k in bench.KERNELS)
            ratio = f"{lx / k:.2f}" if k and lx else "n/a"
            rows.append(f"{s:<11} {n:>4} {cell(got['kestrel']):>15} {cell(got['linux']):>15} "
                        f"{ratio:>7}")
    rows.append("bogo-ops per second of real time (wall clock, plain TCG), median over the "
                "rounds; K/L: Linux's rate over Kestrel's (< 1: Kestrel faster)")
    return rows + notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--quick", action="store_true", help="2 s per stressor instead of 6")
    ap.add_argument("--rounds", type=int, default=1, help="alternating boots of each kernel")
    ap.add_argument("--seconds", type=int, help="s per stressor (overrides --quick)")
    ap.add_argument("--stressors", default=",".join(STRESSORS))
    ap.add_argument("--cpus", default=",".join(map(str, CPUS)), help="the -smp counts")
    ap.add_argument("--only", choices=bench.KERNELS)
    ap.add_argument("--mem", default="1G")
    ap.add_argument("--cpu", default="qemu64")
    ap.add_argument("--timeout", type=int, help="s per boot")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            sys.exit(f"bench-stress: no {build}/{f}: run make first")
    args.stressors = [s for s in args.stressors.split(",") if s]
    cpus = [int(n) for n in args.cpus.split(",")]
    secs = args.seconds or SECONDS["quick" if args.quick else "full"]
    args.timeout = args.timeout or BOOT_LIMIT + len(args.stressors) * (secs + PER_STRESSOR)
    workdir = os.path.join(build, "bench-stress")
    os.makedirs(workdir, exist_ok=True)
    tree = cpython.package_tree(build, PACKAGES, TREE)
    rootfs = rootfs_archive(build, workdir, tree)
    log(f"bench-stress: rootfs {os.path.getsize(rootfs) >> 20} MiB, {secs} s per stressor, "
        f"{args.rounds} round(s), at most {args.timeout} s per boot")
    kernels = [args.only] if args.only else list(bench.KERNELS)
    words = " ".join([str(secs)] + args.stressors)   # the guest's words, and bench.boot's mode
    paths, linux_version = {}, None
    if "kestrel" in kernels:
        cmdline = f"init=/bin/sh debugexit -- /etc/stress-run.sh {words}"
        paths["img"] = {words: cpython.kestrel_image(build, workdir, rootfs, cmdline=cmdline)}
    if "linux" in kernels:
        paths["vmlinuz"], linux_version, _ = bench.linux_kernel(os.path.join(build, "bench"))
        paths["initrd"] = cpython.linux_initrd(workdir, rootfs, init=LINUX_INIT)
    boots = [one_boot(k, n, r + 1, args, paths, words, workdir)
             for r in range(args.rounds) for n in cpus for k in kernels]
    summary = summarise(boots, args.stressors, cpus, kernels)
    for line in table(summary, args.stressors, cpus):
        log(line)
    env = bench_apps.environment(argparse.Namespace(**dict(vars(args), smp=cpus)), linux_version)
    env.update(accel="tcg,thread=multi", seconds=secs, rounds=args.rounds,
               unames={b["kernel"]: b["uname"] for b in boots if b["uname"]})
    data = dict(environment=env, stressors=args.stressors, cpus=cpus, summary=summary,
                boots=boots)
    out = os.path.join(build, "bench-stress.json")
    with open(out, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    log(f"bench-stress: {os.path.relpath(out, TOP)}, logs in {os.path.relpath(workdir, TOP)}/")
    bad = [b for b in boots if b["trouble"]]
    for b in bad:
        log(f"bench-stress: {b['kernel']} -smp {b['cpus']} round {b['round']}: {b['trouble']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
