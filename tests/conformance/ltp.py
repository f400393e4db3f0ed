#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""LTP's system-call tests on Kestrel and on Linux in the same QEMU, entry by entry.

    ltp.py [--build DIR] [--smp N] [--only kestrel|linux] [--timeout S]
           [--timeout-mul F] [--runtime-mul F] [--batch N] [--sample N]
           [--resume | --fresh] [--jobs N] [--table] [NAME|REGEX...]
    ltp.py --quick LIST [--build DIR] [--timeout S] [--stall S]

The tests are the Linux Test Project's, ../shared/conformance/ltp/src
(relative to the checkout; see its README.md). They are built once into
DIR/ltp-src (a copy: autotools writes in the tree): autotools and configure,
lib, libs and testcases/lib, then every directory of testcases/kernel/syscalls
with make, N directories at a time (--jobs, default the CPUs). A directory
that fails to build is recorded (DIR/ltp-build.txt, its log beside it in
DIR/ltp-build/), not fatal; its entries count as "notbuilt". The executables
of each directory, stripped, go to DIR/ltp-bin/DIRECTORY/; the stamp
DIR/ltp-bin/.stamp says the build is whole (remove it to build again).
Without the packages it builds with, it prints the apt-get line and stops.

The entries are runtest/syscalls's lines, "NAME CMDLINE" (1,525); NAMEs or
regular expressions (matched against the whole name) choose some, --sample N
takes N spread evenly over the list. Each boot runs a batch of --batch
entries: one root file system archive (Kestrel's rootfs, Debian's glibc and
the libraries the tests link, tools/debs.py into DIR/debs-ltp; the
executables of the entries' directories and the helpers of testcases/lib in
/opt/ltp/testcases/bin; Debian's users and groups, which tests look up;
tests/conformance/ltp-guest.sh as /ltp/run.sh, the entries as /ltp/list,
and Debian's kernel configuration as /ltp/kconfig, LTP's KCONFIG_PATH, so
that a test asking for CONFIG_X runs on both kernels rather than breaking
on Kestrel, which has none), booted as Kestrel's root (tools/mkimg.sh --rootfs, command line
"init=/bin/sh panic=poweroff debugexit -- /ltp/run.sh SECS MUL MUL") and as
Linux's initramfs (Debian's Linux 6.1, tools/bench.py's linux_kernel(), with
a /init that mounts what Kestrel mounts itself and runs the same script), on
the same machine (q35, --mem, --smp, TCG; cpython.py's QEMU command line).
The guest runs each entry as root under a time limit (--timeout), with
LTPROOT, TMPDIR=/tmp and LTP_TIMEOUT_MUL/LTP_RUNTIME_MUL set; the host
follows the serial log (gvisor.py's follow()): a kernel panic, a machine
that prints nothing, not even the guest's heartbeat, for --stall s, or a
test that outlives its limit by a minute ends the boot; the test running is
recorded as "panic" or "hang" (with the CPU's place on Kestrel), and the
rest of the batch runs in a new boot.

An entry's result comes from its exit status: 0 "pass", 32 "conf" (TCONF:
the kernel or machine lacks what it tests), anything else "fail"; "timeout"
when the guest's limit, or LTP's own, stopped it; with the TPASS, TFAIL,
TBROK, TCONF and TWARN lines counted and the first TFAIL (else TBROK, else
TCONF) line kept as the reason.

Each kernel's results are kept per entry in DIR/conformance/ltp[-smpN]/
KERNEL.json, saved after every boot; a run replaces the entries it runs and
keeps the others, --resume skips the entries that already have a result
(an interrupted run goes on), --fresh starts empty. From both files it
writes DIR/conformance/ltp-results.txt (ltp-smpN-results.txt with --smp N):
a row per entry with Kestrel's result and Linux's, the totals, the entries
Linux passes and Kestrel does not with Kestrel's reason, and every panic and
hang; and the same as JSON (ltp-results.json), which --docs renders into
docs/results/ltp.md (ltp-smpN.md) and --docs-from JSON renders again
without booting (with --table, the page's date is the table's). Serial logs are kept in
DIR/conformance/ltp[-smpN]/KERNEL-bootN.log. --table only writes the table
from what is there. Exits 1 when Kestrel panicked or hung in any entry of
this run, else 0 (failing entries are conformance work, not a failure of
this run); 2 when it cannot run at all.

With --quick LIST (make test's step, tests/conformance/ltp-quick.sh) it is a
regression check on Kestrel alone: the entries the file LIST names (one a
line, "#" starts a comment), only their directories made (in DIR/ltp-src,
with the libraries; installed in DIR/ltp-quick-bin), run in one boot (a
second for those after a panic or hang, no more), with Debian's kernel
configuration when it can be had; a line per entry, PASS when it exits 0,
else FAIL and why (TCONF too), then "ltp-quick: N passed, N failed"; exit 1
on any FAIL. Results and serial logs in DIR/conformance/ltp-quick/.
"""
import argparse
import concurrent.futures
import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "conformance"))
import cpython      # noqa: E402  (the QEMU command line, images, initrd, package trees)
import gvisor       # noqa: E402  (follow: the serial log; clean_line)
import fuzzkernel   # noqa: E402  (where_stuck: the CPU's place at a hang; gvisor's path)
import results_md   # noqa: E402  (docs/results/ltp.md: --docs, --docs-from; cpython's path)

# LTP_SRC=DIR takes the tests from DIR instead (as GVISOR_SRC does for gvisor.py).
SRC = os.path.abspath(os.environ.get("LTP_SRC") or
                      os.path.join(TOP, "..", "shared", "conformance", "ltp", "src"))
GUEST = os.path.join(TOP, "tests", "conformance", "ltp-guest.sh")
SYSCALLS = os.path.join("testcases", "kernel", "syscalls")
REQUIRED = ["gcc", "make", "autoconf", "automake", "m4", "bison", "flex", "pkg-config",
            "libc6-dev", "linux-libc-dev"]
OPTIONAL = ["libaio-dev", "libcap-dev", "libacl1-dev", "libkeyutils-dev", "libnuma-dev"]
# What the tests link at run time: glibc and the optional libraries' run-time packages.
RUNTIME = ["libc6", "libaio1", "libcap2", "libacl1", "libkeyutils1", "libnuma1"]
RESULTS = ("pass", "conf", "fail", "timeout", "hang", "panic", "notbuilt")
TCONF = 32
BOOT_LIMIT = 300        # s from QEMU's start to the first LTP-BEGIN
LIMIT_MARGIN = 60       # s past the guest's own limit (and its SIGKILL): the guest did not act
COUNTED = re.compile(r"\b(TPASS|TFAIL|TBROK|TCONF|TWARN)\b")
LTP_TIMEOUT = re.compile(r"Test timeouted|Test killed! \(timeout\?\)")
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")   # OVMF's screen codes, colours
# Debian's users and groups (base-passwd), which tests look up by name
# (nobody, nogroup, bin, daemon); the same files on both kernels.
PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
users:x:100:
nogroup:x:65534:
"""
# Linux's /init (cpython.py's, which mounts what Kestrel's kernel mounts
# itself): the same script with the words Kestrel's init gets (Linux passes
# those after "--" to /init).
LINUX_INIT = cpython.linux_init('/bin/sh /ltp/run.sh "$@"')


QUIET = False        # --quick: the verdict lines, not each entry's progress line


def log(msg):
    print(msg, flush=True)


def progress(msg):
    """A line about the run's progress, left out when only verdicts are wanted."""
    if not QUIET:
        log(msg)


# ---------------------------------------------------------------- building

def missing_packages():
    """(required, optional) Debian packages the build needs and the host lacks."""
    def absent(pkgs):
        out = []
        for p in pkgs:
            r = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", p],
                               capture_output=True, text=True)
            if r.returncode != 0 or "ok installed" not in r.stdout:
                out.append(p)
        return out
    return absent(REQUIRED), absent(OPTIONAL)


def check_packages():
    """Stop, with the one apt-get line, when a package the build needs is
    missing; say so, and go on, when only optional ones are."""
    req, opt = missing_packages()
    if req or opt:
        log(f"ltp: missing packages; as root: apt-get install -y {' '.join(req + opt)}")
    if req:
        sys.exit(2)
    if opt:
        log("ltp: building without them: the tests that use them will TCONF")


def sh(cmd, cwd, logf):
    """Run the shell command CMD in CWD, its output appended to the open LOGF; True when it worked."""
    logf.write(f"$ {cmd}\n")
    logf.flush()
    return subprocess.run(cmd, shell=True, cwd=cwd, stdout=logf,
                          stderr=subprocess.STDOUT).returncode == 0


def configure(tree, logf):
    """A fresh copy of the source in TREE, autotools by hand (README.md: make
    autotools wants the parts left out) and configure."""
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(SRC, tree, symlinks=True)
    steps = ["sed -n '1{s:LTP-:m4_define([LTP_VERSION],[:;s:$:]):;p;q}' VERSION > m4/ltp-version.m4",
             "aclocal -I m4 && autoconf && autoheader && automake -c -a",
             "./configure --prefix=/opt/ltp"]
    for s in steps:
        if not sh(s, tree, logf):
            sys.exit(f"ltp: '{s}' failed in {tree}; see {logf.name}")


def make_dir(tree, d, logdir):
    """make in one directory of the syscall tests; (directory, its last error line or None)."""
    path = os.path.join(logdir, d + ".log")
    with open(path, "w") as f:
        ok = sh("make", os.path.join(tree, SYSCALLS, d), f)
    if ok:
        return d, None
    errs = [ln.strip() for ln in open(path, errors="replace") if "error" in ln.lower()]
    return d, (errs[0] if errs else "make failed")[:200]


def executables(d):
    """The executables make left in directory D (programs and scripts, not sources)."""
    out = []
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if os.path.isfile(p) and os.access(p, os.X_OK) and f != "Makefile" and \
                not re.search(r"\.[choa]$", f):
            out.append(f)
    return out


def install(tree, bindir, only=None):
    """Stripped copies of each directory's executables (of the directories
    ONLY, when given) in BINDIR/DIRECTORY/ (testcases/lib's helpers in
    BINDIR/_lib)."""
    shutil.rmtree(bindir, ignore_errors=True)
    top = os.path.join(tree, SYSCALLS)
    dirs = [(d, os.path.join(top, d)) for d in sorted(os.listdir(top)) if only is None or d in only]
    dirs.append(("_lib", os.path.join(tree, "testcases", "lib")))
    for name, d in dirs:
        if not os.path.isdir(d):
            continue
        for f in executables(d):
            os.makedirs(os.path.join(bindir, name), exist_ok=True)
            src, dst = os.path.join(d, f), os.path.join(bindir, name, f)
            if open(src, "rb").read(4) == b"\x7fELF":
                subprocess.run(["strip", "-o", dst, src], check=True)
            else:
                shutil.copy2(src, dst)
        if name == "_lib":   # the shell library the shell tests source
            for f in os.listdir(d):
                if f.endswith(".sh"):
                    shutil.copy2(os.path.join(d, f), os.path.join(bindir, name, f))


def check_source():
    """Stop unless the source and the packages the build needs are there."""
    if not os.path.isdir(os.path.join(SRC, SYSCALLS)):
        log(f"ltp: no {os.path.relpath(SRC, TOP)} (the shared LTP source)")
        sys.exit(2)
    check_packages()


def prepare_tree(build, jobs):
    """The configured copy of the source, BUILD/ltp-src, with lib, libs and
    testcases/lib built (configure only when it has not run, make only what
    changed); (the tree, the log directory BUILD/ltp-build). Exits when a
    step fails."""
    tree = os.path.join(build, "ltp-src")
    logdir = os.path.join(build, "ltp-build")
    os.makedirs(logdir, exist_ok=True)
    with open(os.path.join(logdir, "_setup.log"), "w") as logf:
        if not os.path.exists(os.path.join(tree, "config.status")):
            configure(tree, logf)
        for d in ("lib", "libs", "testcases/lib"):
            if not sh(f"make -j{jobs}", os.path.join(tree, d), logf):
                sys.exit(f"ltp: make in {d} failed; see {logf.name}")
    return tree, logdir


def make_dirs(tree, dirs, logdir, jobs):
    """make in each of the syscall test directories DIRS, JOBS at a time;
    [(directory, its last error line)] for those that failed."""
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        return [r for r in pool.map(lambda d: make_dir(tree, d, logdir), dirs) if r[1]]


@contextlib.contextmanager
def build_lock(build):
    """Hold BUILD's LTP build lock: one make at a time in BUILD/ltp-src, whichever
    run (a whole build, a quick one) started it."""
    os.makedirs(build, exist_ok=True)
    with open(os.path.join(build, "ltp-build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_built(build, jobs):
    """Build the tests unless DIR/ltp-bin/.stamp says they are built; the
    install tree's path. Two runs started side by side (LTPONLY=kestrel
    and LTPONLY=linux) build once: the second waits on the first's lock
    (two makes in one tree clobbered each other's objects, and 23
    directories' entries came out "notbuilt")."""
    with build_lock(build):
        return build_unless_stamped(build, jobs)


def build_unless_stamped(build, jobs):
    """ensure_built's work, under its lock."""
    bindir = os.path.join(build, "ltp-bin")
    stamp = os.path.join(bindir, ".stamp")
    if os.path.exists(stamp):
        return bindir
    check_source()
    t0 = time.monotonic()
    log(f"ltp: building into {os.path.relpath(os.path.join(build, 'ltp-src'), TOP)}, {jobs} jobs"
        f" (about 4 minutes on 2 CPUs)")
    tree, logdir = prepare_tree(build, jobs)
    dirs = sorted(d for d in os.listdir(os.path.join(tree, SYSCALLS))
                  if os.path.exists(os.path.join(tree, SYSCALLS, d, "Makefile")))
    failed = make_dirs(tree, dirs, logdir, jobs)
    install(tree, bindir)
    secs = time.monotonic() - t0
    with open(os.path.join(build, "ltp-build.txt"), "w") as f:
        f.write(f"LTP syscall tests: {len(dirs)} directories, {len(failed)} failed to build,"
                f" {secs:.0f} s with {jobs} jobs (logs in ltp-build/)\n")
        f.writelines(f"{d}: {why}\n" for d, why in failed)
    log(f"ltp: built {len(dirs) - len(failed)} of {len(dirs)} directories in {secs:.0f} s"
        + (": failed " + " ".join(d for d, _ in failed) if failed else ""))
    open(stamp, "w").write(f"{len(dirs)} directories, {len(failed)} failed\n")
    return bindir


def source_dir(exe):
    """The directory of testcases/kernel/syscalls that makes the executable
    EXE: the one with EXE.c, else with the name less a _64 or _16 suffix (the
    variants built from one source); None when no directory has it."""
    top = os.path.join(SRC, SYSCALLS)
    for name in (exe, re.sub(r"_(64|16)$", "", exe)):
        for d in os.listdir(top):
            if os.path.exists(os.path.join(top, d, name + ".c")):
                return d
    return None


def build_some(build, jobs, dirs):
    """Build only the syscall test directories DIRS (and the libraries), in
    the tree the whole build uses, and install them in BUILD/ltp-quick-bin
    (made afresh; the whole build's ltp-bin is left alone). A second run
    makes nothing that is up to date. (the install tree's path,
    {directory: its last error line} for those that failed to build)."""
    check_source()
    t0 = time.monotonic()
    with build_lock(build):
        tree, logdir = prepare_tree(build, jobs)
        failed = dict(make_dirs(tree, sorted(dirs), logdir, jobs))
        bindir = os.path.join(build, "ltp-quick-bin")
        install(tree, bindir, dirs)
    log(f"ltp: made the {len(dirs)} directories of the tests in {time.monotonic() - t0:.0f} s"
        + (": failed " + " ".join(sorted(failed)) if failed else ""))
    return bindir, failed


# ---------------------------------------------------------------- the entries

def runtest():
    """runtest/syscalls's entries, [(name, command line)], in order."""
    out = []
    for line in open(os.path.join(SRC, "runtest", "syscalls")):
        w = line.split(None, 1)
        if len(w) == 2 and not w[0].startswith("#"):
            out.append((w[0], w[1].strip()))
    return out


def choose(entries, patterns, sample):
    """The entries whose name is one of PATTERNS or matches one as a regular
    expression (all without), then SAMPLE of them spread evenly (all without)."""
    if patterns:
        rx = [re.compile(p) for p in patterns]
        entries = [e for e in entries if e[0] in patterns or any(r.fullmatch(e[0]) for r in rx)]
    if sample and sample < len(entries):
        entries = [entries[i * len(entries) // sample] for i in range(sample)]
    return entries


def catalogue(bindir):
    """executable name -> its directory under BINDIR (the first when two hold it)."""
    out = {}
    for d in sorted(os.listdir(bindir)):
        if os.path.isdir(os.path.join(bindir, d)) and d != "_lib":
            for f in os.listdir(os.path.join(bindir, d)):
                out.setdefault(f, d)
    return out


# ---------------------------------------------------------------- booting

def overlay(workdir, batch, bindir, where, kconfig):
    """The overlay of one boot: /ltp/run.sh and /ltp/list, the executables
    of the batch's directories and testcases/lib's in /opt/ltp/testcases/bin
    (hard links to the install tree), /etc/passwd and /etc/group, and Debian's
    kernel configuration KCONFIG as /ltp/kconfig (none when KCONFIG is None)."""
    top = os.path.join(workdir, "overlay")
    shutil.rmtree(top, ignore_errors=True)
    bin_ = os.path.join(top, "opt", "ltp", "testcases", "bin")
    os.makedirs(bin_)
    os.makedirs(os.path.join(top, "ltp"))
    os.makedirs(os.path.join(top, "etc"))
    shutil.copy(GUEST, os.path.join(top, "ltp", "run.sh"))
    with open(os.path.join(top, "ltp", "list"), "w") as f:
        f.writelines(f"{n} {c}\n" for n, c in batch)
    for d in ["_lib"] + sorted({where[c.split()[0]] for _, c in batch}):
        for f in os.listdir(os.path.join(bindir, d)):
            dst = os.path.join(bin_, f)
            if not os.path.exists(dst):
                os.link(os.path.join(bindir, d, f), dst)
    if kconfig:
        shutil.copy(kconfig, os.path.join(top, "ltp", "kconfig"))
    for name, text in (("passwd", PASSWD), ("group", GROUP)):
        with open(os.path.join(top, "etc", name), "w") as f:
            f.write(text)
    return top


def archive(build, workdir, batch, bindir, where, libs, kconfig):
    """One boot's root file system archive, for both kernels (mkrootfs.sh:
    Kestrel's rootfs, the library packages LIBS, the overlay)."""
    top = overlay(workdir, batch, bindir, where, kconfig)
    out = os.path.join(workdir, "rootfs.cpio")
    env = dict(os.environ, DEBS_TREE=libs, ROOTFS_EXTRA=os.path.join(build, "rootfs.extra"))
    subprocess.run([os.path.join(TOP, "tools", "mkrootfs.sh"), os.path.join(workdir, "stage"),
                    out, top], check=True, env=env)
    shutil.rmtree(os.path.join(workdir, "stage"), ignore_errors=True)
    shutil.rmtree(top, ignore_errors=True)
    return out


def qemu(kernel, args, build, workdir, rootfs, words, logpath, monitor):
    """The QEMU command line of one boot: cpython.py's machine for both
    kernels, Kestrel from its disk image, Linux as an EFI stub with the same
    archive as its initramfs."""
    vars_fd = os.path.join(workdir, "vars.fd")
    shutil.copyfile(cpython.OVMF_VARS, vars_fd)
    cmd = cpython.qemu_cmd(args, vars_fd, logpath)
    if args.smp > 1:   # one host thread per vCPU, as gvisor.py runs Kestrel
        cmd += ["-accel", "tcg,thread=multi"]
    if kernel == "kestrel":
        img = cpython.kestrel_image(build, workdir, rootfs,
                                    f"init=/bin/sh panic=poweroff debugexit -- /ltp/run.sh {words}")
        return cmd + ["-drive", f"format=raw,file={img}",
                      "-monitor", f"unix:{monitor},server=on,wait=off"]
    initrd = cpython.linux_initrd(workdir, rootfs, init=LINUX_INIT)
    return cmd + ["-kernel", args.vmlinuz, "-initrd", initrd,
                  "-append", f"console=ttyS0 quiet panic=-1 -- {words}"]


class Entry:
    """One entry's run, from its lines between LTP-BEGIN and LTP-END."""

    def __init__(self, name, now):
        self.name, self.began = name, now
        self.counts = dict.fromkeys(("TPASS", "TFAIL", "TBROK", "TCONF", "TWARN"), 0)
        self.first = {}          # the first line of each kind
        self.last = ""
        self.ltp_timeout = False

    def feed(self, line):
        if line == "LTP-TICK" or not line.strip():
            return
        self.last = line
        m = COUNTED.search(line)
        if m:
            self.counts[m.group(1)] += 1
            self.first.setdefault(m.group(1), line.strip()[:240])
        if LTP_TIMEOUT.search(line):
            self.ltp_timeout = True

    def record(self, rc, secs, limit, verdict=None, detail=""):
        """The entry's record: result, rc, seconds, counts, reason."""
        if verdict:
            result = verdict
        elif secs >= limit or self.ltp_timeout:
            result = "timeout"
        else:
            result = "pass" if rc == 0 else "conf" if rc == TCONF else "fail"
        why = detail
        if not why and result != "pass":
            for k in (("TCONF",) if result == "conf" else ("TFAIL", "TBROK", "TCONF")):
                if k in self.first:
                    why = self.first[k]
                    break
            else:
                why = self.last.strip()[:240]
        return dict(result=result, rc=rc, secs=round(secs), counts=self.counts, why=why)


def boot(kernel, args, build, workdir, bootno, batch, rootfs):
    """One boot running BATCH's entries in order: {name: record} for those
    that began (the one the kernel went down in says so), the uname line,
    and the serial log's path."""
    logpath = os.path.join(workdir, f"{kernel}-boot{bootno}.log")
    sockdir = tempfile.mkdtemp(prefix="ltp-")      # socket paths must stay short
    monitor = os.path.join(sockdir, "monitor")
    words = f"{args.timeout} {args.timeout_mul} {args.runtime_mul}"
    qlog = os.path.join(workdir, "serial.log")
    if os.path.exists(qlog):
        os.unlink(qlog)
    cmd = qemu(kernel, args, build, workdir, rootfs, words, qlog, monitor)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    out, cur, uname, t0 = {}, None, "", time.monotonic()
    limit = args.timeout + 10 + LIMIT_MARGIN

    def on_line(line, now):
        nonlocal cur, uname
        line = ANSI.sub("", line)
        if line.startswith("LTP-KERNEL "):
            uname = line[len("LTP-KERNEL "):]
            return False
        m = re.match(r"^LTP-BEGIN (\S+)", line)
        if m:
            cur = Entry(m.group(1), now)
            return False
        m = re.match(r"^LTP-END (\S+) rc=(\d+) secs=(-?\d+)", line)
        if m and cur:
            r = out[cur.name] = cur.record(int(m.group(2)), int(m.group(3)), args.timeout)
            progress(f"  {kernel} {cur.name:24} {r['result']:8} rc={r['rc']:<3} {r['secs']:>3} s"
                     + (f"  {r['why'][:90]}" if r["result"] not in ("pass", "conf") else ""))
            cur = None
            return False
        if cur:
            cur.feed(line)
        return line.startswith("LTP-ALL-DONE")

    def overdue(now):
        if not out and cur is None and now - t0 > BOOT_LIMIT:
            return f"HANG before the first test ({BOOT_LIMIT} s after QEMU started)"
        if cur and now - cur.began > limit:
            return f"HANG: still running {limit} s after it began"
        return None

    locate = (lambda: fuzzkernel.where_stuck(monitor, build)) if kernel == "kestrel" else None
    end, data, where = gvisor.follow_to_end(proc, qlog, on_line, args.stall, overdue, sockdir, locate)
    os.replace(qlog, logpath)
    if end != "done":
        if cur is None and not out:   # down before the first test: blame the first
            cur = Entry(batch[0][0], t0)
        if cur is not None:
            kind = "panic" if end == "PANIC" else "hang"
            detail = end + (f"; the CPU was at {where}" if where else "")
            if kind == "panic":
                m = re.search(r"(KERNEL PANIC|Kernel panic - not syncing).*", data)
                detail = m.group(0).strip()[:240] if m else end
            out[cur.name] = cur.record(None, time.monotonic() - cur.began, args.timeout,
                                       kind, detail)
            log(f"  {kernel} {cur.name:24} {kind.upper()}: {detail}")
    return out, uname, logpath


def run_kernel(kernel, args, build, state, todo, where, bindir, libs, max_boots=None):
    """Run the entries TODO on KERNEL, boot after boot (MAX_BOOTS at most),
    saving STATE (its results file) after each; the names it ran."""
    workdir = os.path.join(state.dir, kernel)
    os.makedirs(workdir, exist_ok=True)
    work, bootno, ran = list(todo), 0, []
    while work and bootno != max_boots:
        batch, work = work[:args.batch], work[args.batch:]
        bootno += 1
        log(f"ltp: {kernel} boot {bootno}: {len(batch)} entries, {batch[0][0]} .. {batch[-1][0]}"
            f" ({len(work)} after them)")
        rootfs = archive(build, workdir, batch, bindir, where, libs, args.kconfig)
        got, uname, logpath = boot(kernel, args, build, workdir, bootno, batch, rootfs)
        os.replace(logpath, os.path.join(state.dir, os.path.basename(logpath)))
        if uname:
            state.data[kernel]["uname"] = uname
        for n, _ in batch:
            if n in got:
                state.data[kernel]["entries"][n] = got[n]
                ran.append(n)
        left = [e for e in batch if e[0] not in got]
        work = left + work
        state.save()
    shutil.rmtree(workdir, ignore_errors=True)    # the last boot's archive and image
    return ran


# ---------------------------------------------------------------- results

class State:
    """Both kernels' results for one --smp: DIR/conformance/ltp[-smpN]/KERNEL.json
    (each run writes only its own kernel's), and the table and JSON made from them;
    DIR/conformance/NAME/ and NAME-results when NAME is given (--quick's ltp-quick)."""

    def __init__(self, build, smp, kernels, fresh, name=None):
        self.build, self.smp = build, smp
        self.name = name or ("ltp" if smp == 1 else f"ltp-smp{smp}")
        self.dir = os.path.join(build, "conformance", self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.kernels = kernels        # the ones this run writes
        self.run = {}                 # results_md.run_info(): the run's facts, in the JSON
        self.data = {}
        for k in ("kestrel", "linux"):
            path = os.path.join(self.dir, k + ".json")
            fresh_k = fresh and k in kernels
            self.data[k] = json.load(open(path)) if os.path.exists(path) and not fresh_k \
                else dict(kernel=k, smp=smp, uname="", entries={})

    def save(self):
        for k in self.kernels:
            self.data[k]["commit"] = commit()
            atomic_write(os.path.join(self.dir, k + ".json"),
                         json.dumps(self.data[k], indent=1, sort_keys=True))
        self.write_outputs()

    def reload_others(self):
        """The other kernel's file as it is now (a second ltp.py may be running it)."""
        for k in ("kestrel", "linux"):
            path = os.path.join(self.dir, k + ".json")
            if k not in self.kernels and os.path.exists(path):
                self.data[k] = json.load(open(path))

    def write_outputs(self):
        self.reload_others()
        base = os.path.join(self.build, "conformance", self.name + "-results")
        lines, summary = table(self.data, runtest())
        summary["run"] = self.run
        atomic_write(base + ".txt", "\n".join(lines) + "\n")
        atomic_write(base + ".json", json.dumps(summary, indent=1, sort_keys=True))
        return lines, base


def commit():
    r = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                       capture_output=True, text=True)
    return r.stdout.strip() or "?"


def atomic_write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def cell(r):
    if r is None:
        return "-"
    c = r["counts"]
    return f"{r['result']}" + (f" {c['TPASS']}/{c['TFAIL']}/{c['TBROK']}/{c['TCONF']}"
                               if any(c.values()) else "")


def totals(entries):
    t = dict.fromkeys(RESULTS, 0)
    for r in entries.values():
        t[r["result"]] += 1
    return t


def table(data, order):
    """The table's lines and the summary (JSON) from both kernels' results."""
    k, lx = data["kestrel"]["entries"], data["linux"]["entries"]
    names = [n for n, _ in order if n in k or n in lx]
    smp = data["kestrel"].get("smp") or data["linux"].get("smp")
    lines = [f"LTP system-call tests (runtest/syscalls) on Kestrel and Linux, {smp} CPU(s)"
             f" (tests/conformance/ltp.py).",
             f"kestrel: {data['kestrel'].get('uname') or '-'} at {data['kestrel'].get('commit', '-')};"
             f" linux: {data['linux'].get('uname') or '-'}",
             "result: pass (exit 0), conf (32, TCONF), fail (other), timeout, hang or panic"
             " (the machine), notbuilt; then TPASS/TFAIL/TBROK/TCONF lines.", "",
             f"{'entry':28} {'kestrel':22} {'secs':>4}  {'linux':22} {'secs':>4}"]
    for n in names:
        a, b = k.get(n), lx.get(n)
        lines.append(f"{n:28} {cell(a):22} {a['secs'] if a else '-':>4}  {cell(b):22}"
                     f" {b['secs'] if b else '-':>4}")
    tk, tl = totals(k), totals(lx)
    lines += ["", "totals (" + ", ".join(RESULTS) + "):",
              f"  kestrel: {len(k)} run: " + ", ".join(f"{tk[x]} {x}" for x in RESULTS),
              f"  linux:   {len(lx)} run: " + ", ".join(f"{tl[x]} {x}" for x in RESULTS)]
    both = [n for n in names if n in k and n in lx]
    gap = [n for n in both if lx[n]["result"] == "pass" and k[n]["result"] != "pass"]
    lines += ["", f"Linux passes, Kestrel does not ({len(gap)} of the {len(both)} run on both;"
              f" Kestrel's result and its first TFAIL/TBROK line):"]
    lines += [f"  {n:26} {k[n]['result']:8} {k[n]['why']}" for n in gap] or ["  none"]
    kbetter = [n for n in both if k[n]["result"] == "pass" and lx[n]["result"] != "pass"]
    lines += ["", "Kestrel passes, Linux does not:"]
    lines += [f"  {n:26} linux {lx[n]['result']:8} {lx[n]['why']}" for n in kbetter] or ["  none"]
    down = [(kern, n, r) for kern, d in (("kestrel", k), ("linux", lx))
            for n, r in d.items() if r["result"] in ("panic", "hang")]
    lines += ["", "Kernel panics and hangs:"]
    lines += [f"  {kern}: {n}: {r['result']}: {r['why']}" for kern, n, r in down] or ["  none"]
    summary = dict(smp=smp, kestrel={x: data["kestrel"].get(x) for x in ("uname", "commit")},
                   linux={x: data["linux"].get(x) for x in ("uname", "commit")},
                   totals=dict(kestrel=tk, linux=tl), linux_passes_kestrel_not=gap,
                   kestrel_passes_linux_not=kbetter,
                   panics_and_hangs=[dict(kernel=kern, entry=n, result=r["result"], why=r["why"])
                                     for kern, n, r in down],
                   entries={n: dict(kestrel=k.get(n), linux=lx.get(n)) for n in names})
    return lines, summary


# ---------------------------------------------------------------- make test's quick step

def read_list(path):
    """The entry names of the list file PATH, one a line; '#' starts a comment."""
    names = []
    for line in open(path):
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def debian_kconfig(build):
    """The configuration of the Linux the whole run compares with (tools/bench.py's
    linux_kernel(), in BUILD/bench, which make test's net step has fetched), or
    None, said, when it cannot be had: the tests then run without KCONFIG_PATH."""
    import bench
    try:
        return bench.linux_kernel(os.path.join(build, "bench"))[0].replace("vmlinuz-", "config-")
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        log(f"ltp: no Debian kernel configuration ({e}): the tests run without KCONFIG_PATH")
        return None


def verdict(name, cmdline, where, failed_dirs, got):
    """Why entry NAME did not pass, or None when it passed: CMDLINE maps
    runtest's names to their command lines, WHERE the executables built to
    their directory, FAILED_DIRS the directories that did not build to
    their error, GOT the names run to their record."""
    if name not in cmdline:
        return "not an entry of runtest/syscalls"
    exe = cmdline[name].split()[0]
    if exe not in where:
        d = source_dir(exe)
        return f"not built: no {exe}" + (f" ({d}: {failed_dirs[d]})" if d in failed_dirs else "")
    r = got.get(name)
    if r is None:
        return "never ran: the kernel went down before it, in both boots"
    if r["result"] != "pass":
        return f"{r['result']} (rc {r['rc']}, {r['secs']} s): {r['why']}"
    return None


def quick(args, build):
    """make test's step (tests/conformance/ltp-quick.sh): build only the
    directories of the entries the list file args.quick names, run them on
    Kestrel in one boot (a second for those after a panic or hang, no
    more), then print PASS or FAIL per entry and "ltp-quick: N passed, N
    failed". An entry passes when it exits 0: TCONF fails too, as the list
    holds entries that pass on both kernels. 1 when one failed, else 0;
    0 with a SKIP line when Debian's libraries cannot be had."""
    names = read_list(args.quick)
    cmdline = dict(runtest())
    chosen = [(n, cmdline[n]) for n in names if n in cmdline]
    dirs = {source_dir(c.split()[0]) for _, c in chosen} - {None}
    bindir, failed_dirs = build_some(build, args.jobs, dirs)
    if args.build_only:
        return 0
    where = catalogue(bindir)
    todo = [e for e in chosen if e[1].split()[0] in where]
    try:
        libs = cpython.package_tree(build, RUNTIME, "debs-ltp")
    except SystemExit as e:
        if e.code != 2:     # 2: no network, said (as the cpython-quick boot case skips)
            raise
        log("ltp-quick: 0 passed, 0 failed, SKIP: Debian's glibc and libraries cannot be had")
        return 0
    args.kconfig = debian_kconfig(build)
    args.batch = max(1, len(todo))
    state = State(build, 1, ["kestrel"], fresh=True, name="ltp-quick")
    t0 = time.monotonic()
    run_kernel("kestrel", args, build, state, todo, where, bindir, libs, max_boots=2)
    state.save()
    got, bad = state.data["kestrel"]["entries"], 0
    for n in names:
        why = verdict(n, cmdline, where, failed_dirs, got)
        if why:
            bad += 1
            log(f"FAIL ltp/{n}: {why}")
        else:
            log(f"PASS ltp/{n} ({got[n]['secs']} s)")
    log(f"ltp-quick: {len(names) - bad} passed, {bad} failed")
    log(f"ltp: serial logs in {os.path.relpath(state.dir, TOP)}/, {time.monotonic() - t0:.0f} s")
    return 1 if bad else 0


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--only", choices=("kestrel", "linux"))
    ap.add_argument("--smp", type=int, default=1, help="CPUs of the guest")
    ap.add_argument("--mem", default="4G")
    ap.add_argument("--timeout", type=int, default=120, help="the guest's limit per entry (s)")
    ap.add_argument("--timeout-mul", default="2", help="LTP_TIMEOUT_MUL (LTP's own limits, 30 s"
                    " and the test's, times this)")
    ap.add_argument("--runtime-mul", default="0.2", help="LTP_RUNTIME_MUL (tests that run for"
                    " a set time run this fraction of it)")
    ap.add_argument("--stall", type=int, default=90, help="s without any output: a hang")
    ap.add_argument("--batch", type=int, default=60, help="entries per boot")
    ap.add_argument("--sample", type=int, help="N of the chosen entries, spread evenly")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel makes")
    again = ap.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="skip the entries that already have a result")
    again.add_argument("--fresh", action="store_true", help="forget the results there are")
    ap.add_argument("--table", action="store_true", help="only write the table from the results")
    ap.add_argument("--quick", metavar="LIST", help="make test's step: the entries LIST names,"
                    " on Kestrel alone, built alone; a verdict per entry")
    ap.add_argument("--build-only", action="store_true",
                    help="with --quick: only build LIST's directories (make test builds them"
                         " early, in the background, and runs them later)")
    ap.add_argument("--docs", metavar="COMMAND", nargs="?", const="",
                    help="also write the table into docs/results/ltp.md (ltp-smpN.md), headed "
                         "with COMMAND (make conformance-ltp DOCS=1 passes its own command line)")
    ap.add_argument("--docs-from", metavar="JSON",
                    help="only render docs/results/ltp.md from JSON (an ltp-results.json); "
                         "no boot")
    ap.add_argument("names", nargs="*", help="entry names or regular expressions (default all)")
    args = ap.parse_args()
    global QUIET
    QUIET = bool(args.quick)
    if args.docs_from:
        return results_md.main(["results_md.py", "ltp", args.docs_from])
    run = results_md.run_info(args.docs or "tests/conformance/ltp.py " + " ".join(sys.argv[1:]))
    build = os.path.abspath(args.build)
    kernels = [args.only] if args.only else ["kestrel", "linux"]
    if args.table:
        state = State(build, args.smp, [], args.fresh)
        state.run = run
        lines, base = state.write_outputs()
        log("\n".join(lines))
        if args.docs is not None:
            results_md.main(["results_md.py", "ltp", base + ".json"])
        return 0
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            log(f"ltp: no {build}/{f}: run make first")
            return 2
    if args.quick:
        return quick(args, build)
    state = State(build, args.smp, kernels, args.fresh)
    state.run = run
    bindir = ensure_built(build, args.jobs)
    where = catalogue(bindir)
    chosen = choose(runtest(), args.names, args.sample)
    if not chosen:
        log("ltp: no entry of runtest/syscalls matches " + " ".join(args.names))
        return 2
    libs = cpython.package_tree(build, RUNTIME, "debs-ltp")
    import bench      # Linux's kernel, and its configuration, which both kernels' tests read
    args.vmlinuz = bench.linux_kernel(os.path.join(build, "bench"))[0]
    args.kconfig = args.vmlinuz.replace("vmlinuz-", "config-")
    t0 = time.monotonic()
    down = []
    for kernel in kernels:
        have = state.data[kernel]["entries"]
        todo = [e for e in chosen if not (args.resume and e[0] in have)]
        for n, c in todo:
            if c.split()[0] not in where:
                have[n] = dict(result="notbuilt", rc=None, secs=0, counts={},
                               why=f"no {c.split()[0]} in the build")
        todo = [e for e in todo if e[1].split()[0] in where]
        log(f"ltp: {kernel}: {len(todo)} entries to run ({len(chosen)} chosen), "
            f"{args.smp} CPU(s), {args.batch} per boot")
        tk = time.monotonic()
        ran = run_kernel(kernel, args, build, state, todo, where, bindir, libs)
        log(f"ltp: {kernel}: {len(ran)} entries in {(time.monotonic() - tk) / 60:.1f} min")
        down += [n for n in ran if kernel == "kestrel"
                 and have[n]["result"] in ("panic", "hang")]
    state.save()
    lines, base = state.write_outputs()
    log("\n".join(lines[lines.index("") + 1:][-40:]) if len(lines) > 60 else "\n".join(lines))
    log(f"ltp: {os.path.relpath(base, TOP)}.txt and .json, serial logs in "
        f"{os.path.relpath(state.dir, TOP)}/, {(time.monotonic() - t0) / 60:.1f} min")
    if args.docs is not None:
        results_md.main(["results_md.py", "ltp", base + ".json"])
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main())
