#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Make linux-results.txt: this set's tests on Debian's Linux 6.1 in QEMU.

    linux-results.py [--build DIR] [--timeout S] [--mem SIZE] [--smp N]
                     [--reruns N] [--out FILE] [NAME...]

The kernel is the one make bench boots (tools/bench.py's linux_kernel():
Debian's linux-image-amd64, cached in DIR/bench/debs), booted as an EFI stub
through OVMF on the machine tests/conformance/gvisor.py gives Kestrel (q35,
TCG, --mem 4G, --smp 1, -nodefaults: no NIC at all), with an initramfs of
busybox, the binaries of DIR/gvisor-net (make -C tests/conformance/gvisor-net
OUT=DIR/gvisor-net) under /gv/, Kestrel's /etc/passwd, group, hosts and
hostname, and a /init that sets up what a booted Debian has (/proc, /sys,
/dev, lo up) and runs the binaries as Kestrel's guest runner
(tests/conformance/gvisor-guest.sh) does: each alone, as root, in its own
scratch directory, under a time limit, RLIMIT_NOFILE hard 20000; and each in
a network namespace of its own (lo up, net.ipv4.ping_group_range
"0 2147483647" as systemd's 50-default.conf sets it: the ping tests need it).

Writes OUT (default linux-results.txt beside this script) in the shared
set's format (run_tests.sh's: binary rc tests passed failed skipped secs,
then the failing cases; secs: the sum of its cases' ms) and keeps the serial
logs in DIR/conformance/gvisor-net-linux/. A binary that the time limit or
a crash stopped in a case runs again without it in a further boot (up to
--reruns times), as gvisor.py does on Kestrel, so the cases after it count;
the case counts as failed. With NAMEs only those binaries run (OUT then
defaults to DIR/conformance/gvisor-net-linux-part.txt).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.join(TOP, "tests", "conformance"))
import bench   # noqa: E402  (linux_kernel, cpio_newc)
import gvisor  # noqa: E402  (Result, Agg, gtest_filter: the Kestrel runner's own)

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# Binaries that need longer than --timeout on Linux under TCG: 166 cases, most
# of which wait out FIN_WAIT2, TIME_WAIT or TCP_LINGER2 timers (about 10 minutes).
LIMITS = {"socket_inet_loopback_isolated_test": 1800}
STALL = 300     # s without a line (the guest ticks every 10 s): a frozen machine
APPLETS = ["sh", "mount", "mkdir", "ip", "timeout", "cat", "rm", "sleep", "echo",
           "poweroff", "uname", "ls", "unshare"]
# The guest: gvisor-guest.sh's conventions (its markers, [ RUN ] lines and
# heartbeat, RLIMIT_NOFILE, GVISOR_PLATFORM_SUPPORT, a scratch dir and time
# limit per binary, /gv/NAME.filter and .timeout), but each binary in a
# network namespace of its own with lo up, as gVisor's runner gives each test
# a fresh sandbox: in one namespace, the TIME_WAIT sockets of one binary
# (socket_inet_loopback_nogotsan_test fills the ephemeral port range) make
# the next ones' binds fail with EADDRINUSE.
INIT = r"""#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ip link set lo up
ulimit -H -n 20000
export GVISOR_PLATFORM_SUPPORT=32BIT:TRUE,ALIGNMENT_CHECK:TRUE,INT3:TRUE,MULTIPROCESS:TRUE,VSYSCALL:TRUE
echo "GVT-KERNEL $(uname -r)"
(while sleep 10; do echo GVT-TICK; done) &
for t in /gv/*_test; do
	n=${t##*/}
	d=/tmp/gvrun/$n
	mkdir -p "$d/tmp"
	cd "$d" || exit 1
	f=
	[ -f "$t.filter" ] && f=--gtest_filter=$(cat "$t.filter")
	s=SECS
	[ -f "$t.timeout" ] && s=$(cat "$t.timeout")
	echo "GVT-BEGIN $n"
	TEST_TMPDIR=$d/tmp unshare -n sh -c 'ip link set lo up
		echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range
		exec timeout "$@"' sh "$s" "$t" --gtest_color=no $f 2>&1
	rc=$?
	echo "GVT-END $n rc=$rc"
	cd /
	rm -rf "$d"
done
echo GVT-ALL-DONE
poweroff -f
"""
CASE_MS = re.compile(r"^\[ +(?:OK|FAILED|SKIPPED) +\] \S+.* \((\d+) ms\)$")


def log(msg):
    print(msg, flush=True)


def initramfs(path, gvdir, items, secs):
    """The archive: busybox and its links, /etc, /init, /gv/ with the tests
    of ITEMS ((name, gtest filter) pairs; a filter goes to /gv/NAME.filter,
    a time limit of LIMITS to /gv/NAME.timeout)."""
    busybox = open("/bin/busybox", "rb").read()
    ents = [("bin", 0o40755, None, (0, 0)), ("sbin", 0o40755, None, (0, 0)),
            ("etc", 0o40755, None, (0, 0)), ("proc", 0o40755, None, (0, 0)),
            ("sys", 0o40755, None, (0, 0)), ("dev", 0o40755, None, (0, 0)),
            ("tmp", 0o41777, None, (0, 0)), ("gv", 0o40755, None, (0, 0)),
            ("dev/console", 0o020600, None, (5, 1)),
            ("bin/busybox", 0o100755, busybox, (0, 0)),
            ("init", 0o100755, INIT.replace("SECS", str(secs)).encode(), (0, 0))]
    ents += [(f"bin/{a}", 0o120777, b"busybox", (0, 0)) for a in APPLETS]
    for f in ("passwd", "group", "hosts", "hostname"):
        ents.append((f"etc/{f}", 0o100644,
                     open(os.path.join(TOP, "rootfs", "skel", "etc", f), "rb").read(), (0, 0)))
    for n, filt in items:
        ents.append((f"gv/{n}", 0o100755, open(os.path.join(gvdir, n), "rb").read(), (0, 0)))
        if filt:
            ents.append((f"gv/{n}.filter", 0o100644, (filt + "\n").encode(), (0, 0)))
        if n in LIMITS:
            ents.append((f"gv/{n}.timeout", 0o100644, f"{LIMITS[n]}\n".encode(), (0, 0)))
    with open(path, "wb") as f:
        f.write(bench.cpio_newc(ents))


def boot(cmd, logpath, limit):
    """Run QEMU until the guest powers off, says GVT-ALL-DONE, stalls or LIMIT
    s pass; returns the serial log's text and why it ended early (or None)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    t0 = last = time.monotonic()
    size, seen, verdict = 0, set(), None
    while proc.poll() is None:
        time.sleep(2)
        now = time.monotonic()
        text = open(logpath, "rb").read().decode(errors="replace") \
            if os.path.exists(logpath) else ""
        if len(text) != size:
            size, last = len(text), now
        for m in re.finditer(r"^GVT-END (\S+) rc=(\d+)", text, re.M):
            if m.group(1) not in seen:
                seen.add(m.group(1))
                log(f"  linux: {m.group(1)} rc={m.group(2)} ({now - t0:.0f} s in)")
        if "GVT-ALL-DONE" in text:
            time.sleep(5)
            break
        if "Kernel panic" in text:
            verdict = "kernel panic"
        elif now - last > STALL:
            verdict = f"no output for {STALL} s"
        elif now - t0 > limit:
            verdict = f"time limit ({limit} s)"
        if verdict:
            break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    text = open(logpath, "rb").read().decode(errors="replace").replace("\r", "")
    if verdict is None and "GVT-ALL-DONE" not in text:
        verdict = f"QEMU exited ({proc.returncode}) before GVT-ALL-DONE: " + \
            proc.stderr.read().decode(errors="replace").strip()[:300]
    return text, verdict


def parse(text):
    """name -> (gvisor.Result, seconds: the sum of its cases' ms) of one boot."""
    out, cur, ms = {}, None, {}
    for raw in text.splitlines():
        line = gvisor.clean_line(raw)
        m = re.match(r"^GVT-BEGIN (\S+)", line)
        if m:
            cur = out[m.group(1)] = gvisor.Result(m.group(1))
            ms[cur.name] = 0
            continue
        if cur is None:
            continue
        m = re.match(r"^GVT-END (\S+) rc=(\d+)", line)
        if m:
            cur.rc, cur.secs, cur = int(m.group(2)), ms[cur.name] / 1000, None
            continue
        cur.feed(line)
        m = CASE_MS.match(line)
        if m:
            ms[cur.name] += int(m.group(1))
    return out


def table(aggs, names, header):
    """run_tests.sh's table (rc: the first run's) and the failing cases."""
    lines = header + ["", f"{'binary':24} {'rc':>2} {'tests':>5} {'passed':>6} "
                          f"{'failed':>6} {'skipped':>7} {'secs':>6}"]
    for n in names:
        a = aggs.get(n)
        if a is None:
            lines.append(f"{n:24} {'-':>2} {'-':>5} {'-':>6} {'-':>6} {'-':>7} {'-':>6}")
            continue
        t, p, f, s = a.counts()
        rc = a.rcs[0] if a.rcs and a.rcs[0] is not None else "-"
        lines.append(f"{n:24} {rc:>2} {t:>5} {p:>6} {f:>6} {s:>7} {a.secs:>6.1f}")
    lines += ["", "Failing test cases:"]
    for n in names:
        a = aggs.get(n)
        if a:
            lines += [f"  {n}: {c}" + (f" ({why})" if why else "") for c, why in a.failed.items()]
    return lines


def run_boot(args, workdir, vmlinuz, gvdir, items, bootno):
    """One Linux boot running ITEMS; (results by name, kernel release, why it
    ended early or None). The serial log stays as gvisor-net-linux/bootN.log."""
    initrd = os.path.join(workdir, "initrd.cpio")
    initramfs(initrd, gvdir, items, args.timeout)
    vars_fd = os.path.join(workdir, "vars.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    logpath = os.path.join(workdir, f"boot{bootno}.log")
    if os.path.exists(logpath):
        os.unlink(logpath)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", args.mem, "-smp", str(args.smp),
           "-nodefaults", "-display", "none", "-no-reboot",
           "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
           "-drive", f"if=pflash,format=raw,file={vars_fd}",
           "-serial", "file:" + logpath,
           "-kernel", vmlinuz, "-initrd", initrd, "-append", "console=ttyS0 quiet"]
    if args.smp > 1:
        cmd += ["-accel", "tcg,thread=multi"]
    text, verdict = boot(cmd, logpath, sum(LIMITS.get(n, args.timeout) for n, _ in items) + 600)
    for p in (initrd, vars_fd):
        os.unlink(p)
    m = re.search(r"^GVT-KERNEL (\S+)", text, re.M)
    return parse(text), m.group(1) if m else None, verdict


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--timeout", type=int, default=300, help="guest time limit per binary (s)")
    ap.add_argument("--mem", default="4G")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--reruns", type=int, default=3,
                    help="reruns of a binary, each without a case it timed out or died in")
    ap.add_argument("--out")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    gvdir = os.path.join(build, "gvisor-net")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(gvdir, "*_test")))
    if not names:
        sys.exit(f"gvisor-net: no tests in {gvdir}: make -C {os.path.relpath(HERE)} OUT={gvdir}")
    if args.names:
        want = {n if n.endswith("_test") else n + "_test" for n in args.names}
        names = [n for n in names if n in want]
    out = args.out or (os.path.join(HERE, "linux-results.txt") if not args.names else
                       os.path.join(build, "conformance", "gvisor-net-linux-part.txt"))
    workdir = os.path.join(build, "conformance", "gvisor-net-linux")
    os.makedirs(workdir, exist_ok=True)
    for old in glob.glob(os.path.join(workdir, "boot*.log")):
        os.unlink(old)
    vmlinuz, version, _ = bench.linux_kernel(os.path.join(build, "bench"))
    t0 = time.monotonic()
    work = [(n, []) for n in names]     # a binary, and the cases its run leaves out
    aggs, release, bad, bootno = {}, None, [], 0
    while work and bootno < 2 + args.reruns:
        items = [(n, gvisor.gtest_filter(None, ex)) for n, ex in work]
        excluded = dict(work)
        work = []
        bootno += 1
        log(f"gvisor-net: Linux boot {bootno}: {len(items)} binaries ({args.mem}, {args.smp} CPU)")
        got, rel, verdict = run_boot(args, workdir, vmlinuz, gvdir, items, bootno)
        release = release or rel
        if verdict:
            bad.append(f"boot {bootno}: {verdict}")
        for n, _ in items:
            r, ex = got.get(n), excluded[n]
            if r is None:
                continue     # never began: the boot ended first (reported below)
            case = aggs.setdefault(n, gvisor.Agg(n)).add(r, ex)
            if case and case not in ex and len(ex) < args.reruns:
                work.append((n, ex + [case]))
    header = [
        f"Linux results for the net set (Debian's Linux {release or version}, the kernel",
        f"make bench boots, in QEMU: q35, TCG, {args.smp} CPU, {args.mem}, no NIC; root with every",
        "capability, RLIMIT_NOFILE hard limit 20000), one binary at a time, each in a network",
        "namespace of its own (lo up, ping_group_range \"0 2147483647\"), a time limit of",
        f"{args.timeout} s each (LIMITS: longer); made by linux-results.py.",
        "failed = tests - passed - skipped;",
        "rc = the first run's (143: timed out); a binary stopped in a case (time limit,",
        "crash) ran again without it, as gvisor.py does on Kestrel; secs = its cases' ms."]
    lines = table(aggs, names, header)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    log("\n".join(lines))
    log(f"gvisor-net: {out}, serial logs in {workdir}, {time.monotonic() - t0:.0f} s")
    for b in bad:
        log(f"gvisor-net: a boot did not finish: {b}")
    return 1 if bad or len(aggs) < len(names) else 0


if __name__ == "__main__":
    sys.exit(main())
