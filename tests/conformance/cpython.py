#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""CPython's regression suite on Kestrel and on Linux, in the same QEMU, module by module.

    cpython.py [--build DIR] [--only kestrel|linux] [--mem SIZE] [--smp N]
               [--timeout S] [--quick] [MODULE...]
    cpython.py --parse LOG            one serial log's figures
    cpython.py --markdown [--build DIR]   DIR/conformance/cpython.json as docs/compatibility.md's table

Debian's python3 and libpython3.11-testsuite with their dependencies
(tools/debs.py: apt-get download into DIR/debs once, unpacked into
DIR/debs-cpython) are merged into Kestrel's rootfs (tools/mkrootfs.sh, busybox
kept) with tests/conformance/cpython-guest.sh as /etc/cpython-run.sh and its
words (the time limit and the modules) in /etc/cpython-args. That
one archive is both Kestrel's root file system (its disk image) and Linux's
initramfs (Debian's linux-image-amd64 booted as an EFI stub through the
same OVMF, as tools/bench.py does, with a second small archive appended
for its /init), so both kernels run the same binaries on the same files,
on the same machine (q35, --mem, --smp, TCG). In one boot per kernel the
guest runs `python3 -m test -v MODULE` for each module in turn, each under
a time limit (--timeout, regrtest's own limit 30 s less).

Per module and kernel: tests run, passed, failed, errors, skipped (from
unittest's summary, "Ran N tests" and "OK (skipped=K)" / "FAILED (...)";
from the "test_x (...) ... ok|FAIL|ERROR|skipped" lines when a module died
before its summary), the failing and skipped cases with the reasons, the
seconds. Prints the table with the difference (Kestrel passed - Linux
passed); writes DIR/conformance/cpython.json (both sides, every case that
fails or skips on one side only) and keeps the serial logs in
DIR/conformance/cpython/ (cpython-quick.json and cpython-quick/ for --quick,
cpython-custom for any other list). Exits 0 when both boots finished, 1 when
a boot did not (a kernel panic, a hang, or the time ran out), 2 when the
packages cannot be had. Failing cases are conformance work, not a failure of this run.

--quick runs QUICK_MODULES (make test's boot case cpython-quick runs the same
list on Kestrel alone and checks the Linux pass counts in QUICK_LINUX_PASSED).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))

GUEST = os.path.join(TOP, "tests", "conformance", "cpython-guest.sh")
PACKAGES = ["python3", "libpython3.11-testsuite"]
TREE = "debs-cpython"      # under the build directory (debs*: the Makefile skips it)
# Issue 14's fixed list: the modules that exercise the operating system.
MODULES = ["test_os", "test_posix", "test_signal", "test_subprocess", "test_select",
           "test_selectors", "test_fcntl", "test_poll", "test_mmap", "test_threading",
           "test_thread", "test_tempfile", "test_shutil", "test_glob", "test_pathlib",
           "test_io", "test_fileio", "test_time", "test_pty", "test_pipes", "test_wait4",
           "test_resource", "test_exceptions", "test_json", "test_re"]
# make test's subset (boot case cpython-quick): about two minutes under TCG,
# modules Kestrel passes whole, and what Linux passes of them in the same
# QEMU (cpython.py --only linux --quick; the whole list's run agrees).
QUICK_LINUX_PASSED = {"test_posix": 133, "test_select": 6, "test_poll": 7, "test_mmap": 36,
                      "test_thread": 24, "test_glob": 14, "test_pipes": 14, "test_wait4": 2,
                      "test_resource": 11, "test_fileio": 91}
QUICK_MODULES = list(QUICK_LINUX_PASSED)
QUICK_TIMEOUT = 120        # s per module in the boot case (each takes 2-20 s)
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
STALL = 300                # s without a line from the guest: a frozen machine
MARGIN = 600               # s past the sum of the modules' limits for the whole boot


def linux_init(run):
    """A Linux initramfs's /init: what Kestrel's kernel mounts itself (the
    archive has no /sys: Kestrel makes it), lo up, then the shell lines RUN,
    then power off. tests/conformance/ltp.py's /init is one too."""
    return r"""#!/bin/sh
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
mkdir -p /sys
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
/bin/busybox ifconfig lo 127.0.0.1 up   # as any Linux system has it
""" + run + "\npoweroff -f\n"


# The Linux initramfs's /init: the same script (which reads its words from
# /etc/cpython-args).
LINUX_INIT = linux_init("/bin/sh /etc/cpython-run.sh")

BEGIN = re.compile(r"^CPY-BEGIN (\S+)")
END = re.compile(r"^CPY-END (\S+) rc=(\d+) ms=(-?\d+)")
RAN = re.compile(r"^Ran (\d+) tests? in ")
SUMMARY = re.compile(r"^(OK|FAILED)(?: \((.*)\))?\s*$")
# "test_x (test.test_mod.Class.test_x) ... ok", the verdict maybe on a later line
CASE = re.compile(r"^(test\w*) \(([\w.]+)\)(?: [^.]*)? \.\.\. ?(.*)$")
# a case with a docstring: "test_x (test.test_mod.Class.test_x)", then "Doc ... ok"
CASE_HEAD = re.compile(r"^(test\w*) \(([\w.]+)\)$")
VERDICT = re.compile(r"(ok|FAIL|ERROR|skipped ['\"](.*)['\"]|skipped|expected failure|"
                     r"unexpected success)$")
REPORT = re.compile(r"^(FAIL|ERROR): (test\w*) \(([\w.]+)\)")
EXC = re.compile(r"^[\w.]*(Error|Exception|Exit|Interrupt|Warning|Failure)\b.*|^[\w.]+: ")
MODULE_SKIP = re.compile(r"^(test_\w+) skipped -- (.*)$")


def clean_line(raw):
    """A serial line without the carriage return and the kernel's timestamp."""
    return re.sub(r"^\[\s*\d+\.\d+\] ", "", raw.rstrip("\r"))


def parse_module(lines):
    """One module's figures from its lines between CPY-BEGIN and CPY-END."""
    r = dict(run=0, passed=0, failed=0, errors=0, skipped=0, xfail=0, xpass=0,
             summary=False, fails={}, skips={}, module_skip=None)
    seen = dict(ok=0, FAIL=0, ERROR=0, skipped=0, xfail=0, xpass=0)
    pending = None         # the case whose " ... " has no verdict yet
    report = None          # the FAIL/ERROR block being read
    for line in lines:
        m = CASE.match(line) or CASE_HEAD.match(line)
        if m:
            pending, rest = m.group(2), m.group(3) if m.re is CASE else ""
        else:
            rest = line if pending else ""
        if pending:
            v = VERDICT.search(rest)
            if v:
                word = v.group(1)
                if word.startswith("skipped"):
                    seen["skipped"] += 1
                    r["skips"][pending] = v.group(2) or ""
                elif word == "expected failure":
                    seen["xfail"] += 1
                elif word == "unexpected success":
                    seen["xpass"] += 1
                else:
                    seen[word] += 1
                pending = None
        m = REPORT.match(line)
        if m:
            report = f"{m.group(1)} {m.group(3)}"
            r["fails"][report] = ""
        elif report and EXC.match(line):
            r["fails"][report] = line.strip()[:200]   # the last exception line of its block
        elif line.startswith("Ran ") or line.startswith("=" * 20):
            report = None if not line.startswith("=") else report
        m = RAN.match(line)
        if m:
            r["run"] = int(m.group(1))
        m = SUMMARY.match(line)
        if m and r["run"]:
            r["summary"] = True
            for part in (m.group(2) or "").split(","):
                k, _, v = part.strip().partition("=")
                key = {"failures": "failed", "errors": "errors", "skipped": "skipped",
                       "expected failures": "xfail", "unexpected successes": "xpass"}.get(k)
                if key and v.isdigit():
                    r[key] = int(v)
        m = MODULE_SKIP.match(line)
        if m:
            r["module_skip"] = m.group(2)
    if not r["summary"]:   # died before unittest's summary: count the verdict lines
        r.update(run=sum(seen.values()), failed=seen["FAIL"], errors=seen["ERROR"],
                 skipped=seen["skipped"], xfail=seen["xfail"], xpass=seen["xpass"])
    r["passed"] = max(0, r["run"] - r["failed"] - r["errors"] - r["skipped"] - r["xpass"])
    return r


def parse_log(text):
    """module -> figures (plus rc, seconds, complete) for every module the log began."""
    out, cur, lines = {}, None, []
    for raw in text.split("\n"):
        line = clean_line(raw)
        m = BEGIN.match(line)
        if m:
            cur, lines = m.group(1), []
            continue
        m = END.match(line)
        if m and m.group(1) == cur:
            r = parse_module(lines)
            r.update(rc=int(m.group(2)), secs=round(int(m.group(3)) / 1000, 1), complete=True)
            out[cur], cur = r, None
            continue
        if cur:
            lines.append(line)
    if cur:                # the boot ended inside this module
        r = parse_module(lines)
        r.update(rc=None, secs=None, complete=False)
        out[cur] = r
    return out


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- the images

def package_tree(build, packages=PACKAGES, tree_name=TREE):
    """Unpack the packages (debs.py) into BUILD/TREE_NAME; the tree's path, or
    exit 2 without them (tools/bench_apps.py passes its own list and tree)."""
    tree = os.path.join(build, tree_name)
    r = subprocess.run([sys.executable, os.path.join(TOP, "tools", "debs.py"), "--cache",
                        os.path.join(build, "debs"), "--out", tree] + packages,
                       capture_output=True, text=True)
    if r.returncode == 3:
        log("cpython: SKIP " + (r.stderr.strip().splitlines() or ["no packages"])[-1])
        sys.exit(2)
    if r.returncode != 0:
        sys.exit(f"cpython: tools/debs.py failed: {r.stderr.strip()[-500:]}")
    return tree


def rootfs_archive(build, workdir, tree, words):
    """Kestrel's rootfs with the packages, the guest script and its words
    (/etc/cpython-args): the one archive."""
    overlay = os.path.join(workdir, "overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    os.makedirs(os.path.join(overlay, "etc"))
    shutil.copy(GUEST, os.path.join(overlay, "etc", "cpython-run.sh"))
    with open(os.path.join(overlay, "etc", "cpython-args"), "w") as fh:
        fh.write(words + "\n")
    return pack_rootfs(build, workdir, tree, overlay)


def pack_rootfs(build, workdir, tree, overlay):
    """WORKDIR/rootfs.cpio: Kestrel's rootfs (tools/mkrootfs.sh, the build's
    programs) with the package TREE and OVERLAY on top; tools/bench_apps.py
    and tools/bench_stress.py pack theirs with it too."""
    out = os.path.join(workdir, "rootfs.cpio")
    env = dict(os.environ, DEBS_TREE=tree, ROOTFS_EXTRA=os.path.join(build, "rootfs.extra"))
    subprocess.run([os.path.join(TOP, "tools", "mkrootfs.sh"), os.path.join(workdir, "stage"),
                    out, overlay], check=True, env=env)
    shutil.rmtree(os.path.join(workdir, "stage"), ignore_errors=True)
    return out


def kestrel_image(build, workdir, rootfs,
                  cmdline="init=/bin/sh debugexit -- /etc/cpython-run.sh"):
    img = os.path.join(workdir, "kestrel.img")
    subprocess.run([os.path.join(TOP, "tools", "mkimg.sh"), "--build", build, "-o", img,
                    "--rootfs", rootfs, "--cmdline", cmdline],
                   check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"),
                   stdout=subprocess.DEVNULL)
    return img


def linux_initrd(workdir, rootfs, init=LINUX_INIT):
    """The same archive with /init (the script INIT) and /dev/console appended
    (a second cpio: Linux unpacks concatenated archives in order)."""
    import bench
    extra = bench.cpio_newc([("init", 0o100755, init.encode(), (0, 0)),
                             ("dev/console", 0o020600, None, (5, 1))])
    out = os.path.join(workdir, "initrd.cpio")
    with open(out, "wb") as fo, open(rootfs, "rb") as fi:
        shutil.copyfileobj(fi, fo)
        fo.write(b"\0" * (-fo.tell() % 4) + extra)
    return out


# ---------------------------------------------------------------- booting

def qemu_cmd(args, vars_fd, logpath):
    return ["qemu-system-x86_64", "-machine", "q35", "-m", args.mem, "-smp", str(args.smp),
            "-nodefaults", "-display", "none", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-serial", "file:" + logpath]


def boot(kernel, cmd, logpath, limit):
    """Run QEMU until it exits, the guest says CPY-ALL-DONE (then 20 s more
    for it to power off), stalls, or LIMIT s pass. Returns (log, verdict)."""
    if os.path.exists(logpath):
        os.unlink(logpath)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    size, last, done_at, verdict, seen = 0, t0, None, None, set()
    while proc.poll() is None:
        time.sleep(1)
        now = time.monotonic()
        text = open(logpath, "rb").read().decode(errors="replace") \
            if os.path.exists(logpath) else ""
        if len(text) != size:
            size, last = len(text), now
        for m in re.finditer(r"^CPY-END (\S+) rc=(\d+) ms=(\d+)", text, re.M):
            if m.group(1) not in seen:
                seen.add(m.group(1))
                log(f"  {kernel}: {m.group(1)} rc={m.group(2)} {int(m.group(3)) / 1000:.0f} s")
        if "KERNEL PANIC" in text or "Kernel panic" in text:
            verdict = "kernel panic"
        elif "CPY-ALL-DONE" in text and done_at is None:
            done_at = now
        elif done_at and now - done_at > 20:
            verdict = "done, but did not power off"
        elif now - last > STALL:
            verdict = f"no output for {STALL} s"
        elif now - t0 > limit:
            verdict = f"time limit ({limit} s)"
        if verdict:
            time.sleep(2)
            proc.kill()
            break
    proc.wait()
    err = proc.stderr.read().decode(errors="replace").strip()
    text = open(logpath, "rb").read().decode(errors="replace").replace("\r", "") \
        if os.path.exists(logpath) else ""
    if verdict is None and "CPY-ALL-DONE" not in text:
        verdict = f"QEMU exited ({proc.returncode}) before CPY-ALL-DONE" + \
                  (f": {err[:300]}" if err else "")
    if verdict == "done, but did not power off":
        verdict = None     # the results are whole
    return text, verdict, round(time.monotonic() - t0)


def run_kernel(kernel, args, paths, limit, logdir):
    vars_fd = os.path.join(logdir, kernel + ".vars.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    logpath = os.path.join(logdir, kernel + ".log")
    cmd = qemu_cmd(args, vars_fd, logpath)
    if kernel == "kestrel":
        cmd += ["-drive", f"format=raw,file={paths['img']}"]
    else:
        cmd += ["-kernel", paths["vmlinuz"], "-initrd", paths["initrd"],
                "-append", "console=ttyS0 quiet"]
    log(f"cpython: booting {kernel} ({args.mem}, {args.smp} CPUs)")
    text, verdict, secs = boot(kernel, cmd, logpath, limit)
    os.unlink(vars_fd)
    m = re.search(r"^CPY-KERNEL (.*)$", text, re.M)
    return dict(results=parse_log(text), verdict=verdict, seconds=secs,
                uname=m.group(1).strip() if m else None)


# ---------------------------------------------------------------- the table

COLS = ("run", "passed", "failed", "errors", "skipped")


def cell(r):
    if r is None:
        return "-"
    s = "/".join(str(r[k]) for k in COLS)
    if not r["complete"]:
        s += " (cut)"
    elif r["module_skip"]:
        s = "module skipped"
    return s


def table(modules, sides):
    """Lines: module, each side's run/passed/failed/errors/skipped, difference."""
    out = [f"{'module':<16} {'kestrel r/p/f/e/s':<26} {'linux r/p/f/e/s':<26} "
           f"{'diff':>5} {'secs k/l':>11}"]
    for m in modules:
        k = sides.get("kestrel", {}).get("results", {}).get(m)
        lx = sides.get("linux", {}).get("results", {}).get(m)
        diff = (k["passed"] if k else 0) - (lx["passed"] if lx else 0) \
            if "kestrel" in sides and "linux" in sides else ""
        secs = "/".join(str(int(r["secs"])) if r and r["secs"] is not None else "-"
                        for r in (k, lx))
        out.append(f"{m:<16} {cell(k):<26} {cell(lx):<26} {diff!s:>5} {secs:>11}")
    tot = {s: sum(r["passed"] for r in sides[s]["results"].values()) for s in sides}
    out.append("passed in all: " + ", ".join(f"{s} {n}" for s, n in tot.items()))
    return out


def differences(modules, sides):
    """Per module, the cases failing or skipped on one kernel only."""
    if not ("kestrel" in sides and "linux" in sides):
        return {}
    out = {}
    for m in modules:
        k = sides["kestrel"]["results"].get(m)
        lx = sides["linux"]["results"].get(m)
        if not k or not lx:
            continue
        kf, lf = k["fails"], lx["fails"]
        ks, ls = k["skips"], lx["skips"]
        d = dict(fail_kestrel_only={c: kf[c] for c in sorted(set(kf) - set(lf))},
                 fail_linux_only={c: lf[c] for c in sorted(set(lf) - set(kf))},
                 skip_kestrel_only={c: ks[c] for c in sorted(set(ks) - set(ls))},
                 skip_linux_only={c: ls[c] for c in sorted(set(ls) - set(ks))})
        if any(d.values()):
            out[m] = d
    return out


def markdown(data):
    """docs/compatibility.md's table: per module both kernels' run/passed/failed+errors/skipped."""
    k, lx = data["sides"]["kestrel"]["results"], data["sides"]["linux"]["results"]
    log("| module | Kestrel run / passed / failed / skipped | Linux run / passed / failed / skipped "
        "| passed, Kestrel - Linux |")
    log("| --- | --- | --- | --- |")

    def cells(r):
        return f"{r['run']} / {r['passed']} / {r['failed'] + r['errors']} / {r['skipped']}" \
            if r else "-"
    for m in data["modules"]:
        a, b = k.get(m), lx.get(m)
        d = (a["passed"] if a else 0) - (b["passed"] if b else 0)
        log(f"| {m} | {cells(a)} | {cells(b)} | {d:+d} |" if d else f"| {m} | {cells(a)} | {cells(b)} | 0 |")
    ta, tb = sum(r["passed"] for r in k.values()), sum(r["passed"] for r in lx.values())
    log(f"| all | {ta} passed | {tb} passed | {ta - tb:+d} |")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--only", choices=("kestrel", "linux"))
    ap.add_argument("--mem", default="2G")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=900, help="s per module")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--parse", metavar="LOG", help="print one serial log's figures and exit")
    ap.add_argument("--markdown", action="store_true",
                    help="print DIR/conformance/cpython.json as docs/compatibility.md's table and exit")
    ap.add_argument("modules", nargs="*")
    args = ap.parse_args()
    if args.markdown:
        return markdown(json.load(open(os.path.join(os.path.abspath(args.build),
                                                   "conformance", "cpython.json"))))
    if args.parse:
        res = parse_log(open(args.parse, "rb").read().decode(errors="replace"))
        for line in table(list(res), {"kestrel": dict(results=res)}):
            log(line)
        return 0
    build = os.path.abspath(args.build)
    modules = args.modules or (QUICK_MODULES if args.quick else MODULES)
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            sys.exit(f"cpython: no {build}/{f}: run make first")
    # the whole list, the quick one and any other each have their own results
    name = "cpython" if modules == MODULES else "cpython-quick" \
        if modules == QUICK_MODULES else "cpython-custom"
    workdir = os.path.join(build, "conformance", name)
    os.makedirs(workdir, exist_ok=True)
    tree = package_tree(build)
    words = f"{args.timeout} " + " ".join(modules)
    rootfs = rootfs_archive(build, workdir, tree, words)
    log(f"cpython: rootfs {os.path.getsize(rootfs) >> 20} MiB, {len(modules)} modules")
    kernels = [args.only] if args.only else ["kestrel", "linux"]
    paths = {}
    if "kestrel" in kernels:
        paths["img"] = kestrel_image(build, workdir, rootfs)
    if "linux" in kernels:
        import bench
        paths["vmlinuz"], linux_version, _ = bench.linux_kernel(os.path.join(build, "bench"))
        paths["initrd"] = linux_initrd(workdir, rootfs)
    limit = args.timeout * len(modules) + MARGIN
    sides = {}
    for k in kernels:
        sides[k] = run_kernel(k, args, paths, limit, workdir)
    for line in table(modules, sides):
        log(line)
    bad = [f"{k}: {s['verdict']}" for k, s in sides.items() if s["verdict"]]
    for b in bad:
        log("cpython: boot did not finish: " + b)
    out = os.path.join(build, "conformance", name + ".json")
    old = json.load(open(out)) if os.path.exists(out) else {}
    data = dict(modules=modules, mem=args.mem, smp=args.smp, timeout=args.timeout,
                sides={**old.get("sides", {}), **sides} if set(old.get("modules", [])) ==
                set(modules) else sides)
    data["differences"] = differences(modules, data["sides"])
    with open(out, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    log(f"cpython: {os.path.relpath(out, TOP)}, logs in {os.path.relpath(workdir, TOP)}/")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
