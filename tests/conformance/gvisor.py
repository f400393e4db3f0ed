#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run gVisor's Linux system-call conformance tests on Kestrel, in batches of boots.

    gvisor.py [--build DIR] [--gvisor DIR] [--batch-mib N] [--timeout S] [--mem SIZE]
              [--filter GTEST_FILTER] [--extra | --net] [--no-build] [--results NAME]
              [--expect-linux] [NAME...]

The tests are the 45 static glibc+gtest binaries of ../shared/conformance/gvisor
(relative to the checkout; see its README.md); they are built with its build.sh
into DIR/gvisor when missing. Each boot is an image variant (tools/mkimg.sh
--overlay) holding a few of them under /gv/ with their helper programs and
tests/conformance/gvisor-guest.sh as /gv/run.sh, booted as
"init=/bin/sh panic=poweroff debugexit -- /gv/run.sh S" in QEMU+OVMF with
4 GiB (the root file system is in RAM, and readv_test's TruncatedAtMax
reads into a 2 GiB buffer, as on the Linux machine). The host follows the
serial log:

- a kernel panic, a machine that prints nothing (not even the guest's
  GVT-TICK heartbeat) for --stall seconds, or a test that outlives the
  guest's own time limit, ends the boot; the binary and the case running
  ("[ RUN      ]") are recorded, the CPU's place is read from the QEMU
  monitor at a hang, and the rest of the batch runs in a new boot;
- a binary that the kernel or its own crash (or the guest's time limit:
  at least --timeout, or 5x its Linux time) stopped in a case is run again
  without that case (up to --reruns times), so the cases after it count;
- every case's end ("[       OK ]", "[  FAILED  ]", "[  SKIPPED ]") is counted.

Writes DIR/conformance/gvisor-results.txt (and the same as JSON,
gvisor-results.json; --docs renders it into docs/results/conformance.md,
--docs-from JSON does so again without booting): per binary the tests, passed,
failed and skipped on Kestrel, Linux's passed figure (linux-results.txt),
whether the kernel survived, and the seconds; a total line; then the failing
cases and every panic or hang. The serial log of each boot is kept beside
it (DIR/conformance/gvisor/bootN.log). Exits 1 when the kernel did not
survive every binary, else 0 (failing cases are conformance work, not a
failure of this run).

With --extra it runs the second set instead, tests/conformance/gvisor-extra
(more of gVisor's tests, built against the shared set's util library with that
directory's Makefile into DIR/gvisor-extra when missing; its own Linux results
and helper programs): table DIR/conformance/gvisor-extra-results.txt, logs in
DIR/conformance/gvisor-extra/.
With --net, the third, tests/conformance/gvisor-net (gVisor's loopback network
tests, built the same way into DIR/gvisor-net; Linux results measured in
QEMU by that directory's linux-results.py): table
DIR/conformance/gvisor-net-results.txt, logs in DIR/conformance/gvisor-net/.

With --expect-linux (make test's quick step, tests/conformance/gvisor-quick.sh)
it is a regression check: one line per binary, PASS when it passed at least
as many cases as on Linux and the kernel survived it, else FAIL with the
failing cases; then "gvisor: N passed, N failed" (binaries); exit 1 on any FAIL.
--no-build takes the binaries in --gvisor as they are (a subset, without the
helpers), --results NAME names the table and the log directory.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
import boottest     # noqa: E402  (the QEMU command line, OVMF, read_log)
sys.path.insert(0, os.path.join(TOP, "tools"))
import results_md   # noqa: E402  (docs/results/conformance.md: --docs, --docs-from)
import fuzzkernel   # noqa: E402  (where_stuck: the CPU's place at a hang)

# GVISOR_SRC=DIR (as for gvisor-quick.sh, whose build it names) takes the
# shared tests, and so their linux-results.txt, from DIR instead.
SHARED = os.path.abspath(os.environ.get("GVISOR_SRC") or
                         os.path.join(TOP, "..", "shared", "conformance", "gvisor"))
GUEST_RUNNER = os.path.join(TOP, "tests", "conformance", "gvisor-guest.sh")
HELPERS = ["exec_assert_closed_workload", "exec_basic_workload", "exec_check_creds",
           "exec_proc_exe_workload", "exec_state_workload", "priority_execve", "exit_script"]
EXTRA = os.path.join(TOP, "tests", "conformance", "gvisor-extra")
NET = os.path.join(TOP, "tests", "conformance", "gvisor-net")
# The three sets: where the tests come from, the Linux results, the helpers.
SUITES = {
    "shared": dict(src=SHARED, helpers=HELPERS, name="gvisor"),
    "extra": dict(src=EXTRA, helpers=["sigaltstack_check"], name="gvisor-extra"),
    "net": dict(src=NET, helpers=[], name="gvisor-net"),
}
suite = SUITES["shared"]  # the set this run uses (main sets it)
BOOT_TIMEOUT = 240        # s from QEMU start to the first GVT-BEGIN
LIMIT_MARGIN = 120        # s past the guest's own time limit: the guest did not act
LINUX_FACTOR = 5          # a binary's time limit: at least this many times its Linux time
PANIC = re.compile(r"KERNEL PANIC|Kernel panic - not syncing")   # Kestrel's, Linux's
RUN = re.compile(r"^\[ RUN      \] (\S+)")
OK = re.compile(r"^\[       OK \] (\S+) \(\d+ ms\)")
FAILED = re.compile(r"^\[  FAILED  \] (\S+?)(?:, where .*)? \(\d+ ms\)")
SKIPPED = re.compile(r"^\[  SKIPPED \] (\S+) \(\d+ ms\)")
RUNNING = re.compile(r"^\[==========\] Running (\d+) tests?")
TIMED_OUT = (124, 137, 143)    # busybox timeout: the guest's time limit


QUIET = False              # --expect-linux: only the verdict lines


def log(msg):
    print(msg, flush=True)


def progress(msg):
    """A line about the run's progress, left out when only verdicts are wanted."""
    if not QUIET:
        log(msg)


def ensure_built(gvdir):
    """Build the tests with the shared build.sh (the extra and net sets: their
    Makefile) unless every one is there."""
    if glob.glob(os.path.join(gvdir, "*_test")) and \
            all(os.path.exists(os.path.join(gvdir, h)) for h in suite["helpers"]):
        return
    if suite is not SUITES["shared"]:
        log(f"gvisor: building the {suite['name']} tests into {os.path.relpath(gvdir, TOP)}")
        subprocess.run(["make", "-C", suite["src"], "-j2", f"OUT={gvdir}"], check=True)
        return
    script = os.path.join(SHARED, "build.sh")
    if not os.path.exists(script):
        sys.exit(f"gvisor: no {os.path.relpath(script, TOP)} (the shared conformance tests)")
    log(f"gvisor: building the tests into {os.path.relpath(gvdir, TOP)} (about 5 minutes)")
    subprocess.run([script, gvdir], check=True)


def linux_results():
    """binary -> (tests, passed, seconds) from the set's linux-results.txt."""
    out = {}
    path = os.path.join(suite["src"], "linux-results.txt")
    if os.path.exists(path):
        for line in open(path):
            w = line.split()
            if len(w) >= 7 and w[0].endswith("_test") and w[2].isdigit():
                out[w[0]] = (int(w[2]), int(w[3]), float(w[6]))
    return out


def time_limit(name, linux, args):
    """The guest's limit for one binary: --timeout, or LINUX_FACTOR times its
    time on Linux when that is longer (an emulated CPU is slower)."""
    return int(max(args.timeout, LINUX_FACTOR * linux.get(name, (0, 0, 0.0))[2]))


class Result:
    """One binary's outcome, built from its part of a serial log."""

    def __init__(self, name):
        self.name = name
        self.ran = None           # gtest's "Running N tests" figure
        self.started = []         # cases in the order they started
        self.ok, self.failed, self.skipped = set(), [], set()
        self.rc = None
        self.verdict = "survived"  # or "PANIC in CASE", "HANG in CASE"
        self.detail = ""
        self.excluded = []        # cases left out of a rerun (they took the kernel down)
        self.secs = 0.0

    def feed(self, line):
        for rx, act in ((RUN, lambda c: self.started.append(c)), (OK, self.ok.add),
                        (FAILED, self.failed.append), (SKIPPED, self.skipped.add)):
            m = rx.match(line)
            if m:
                act(m.group(1))
                return
        m = RUNNING.match(line)
        if m:
            self.ran = int(m.group(1))

    def running(self):
        """The case that started and has not ended, or None."""
        done = self.ok | self.skipped | set(self.failed)
        for c in reversed(self.started):
            if c not in done:
                return c
        return None

    def counts(self):
        tests = self.ran if self.ran is not None else len(self.started)
        tests += len(self.excluded)
        passed, skipped = len(self.ok), len(self.skipped)
        return tests, passed, tests - passed - skipped, skipped


def clean_line(raw):
    """A serial line without the carriage return and the kernel's timestamp."""
    return re.sub(r"^\[\s*\d+\.\d+\] ", "", raw.rstrip("\r"))


def make_image(build, workdir, items, gvdir, secs, limits):
    """An image whose /gv holds the binaries of ITEMS ((name, filter) pairs; a
    filter goes to /gv/NAME.filter), the helpers and the runner."""
    overlay = os.path.join(workdir, "overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    gv = os.path.join(overlay, "gv")
    os.makedirs(gv)
    for f in [n for n, _ in items] + suite["helpers"]:
        src = os.path.join(gvdir, f)
        if f in suite["helpers"] and not os.path.exists(src):
            continue
        try:
            os.link(src, os.path.join(gv, f))
        except OSError:
            shutil.copy2(src, os.path.join(gv, f))
    for n, filt in items:
        if filt:
            with open(os.path.join(gv, n + ".filter"), "w") as f:
                f.write(filt + "\n")
        with open(os.path.join(gv, n + ".timeout"), "w") as f:
            f.write(f"{limits[n]}\n")
    shutil.copy2(GUEST_RUNNER, os.path.join(gv, "run.sh"))
    # exit_script starts with #!/bin/bash, which the Linux machine has:
    # busybox's shell stands in for it (busybox has no applet by that name).
    os.makedirs(os.path.join(overlay, "bin"))
    with open(os.path.join(overlay, "bin", "bash"), "w") as f:
        f.write('#!/bin/sh\nexec /bin/sh "$@"\n')
    os.chmod(os.path.join(overlay, "bin", "bash"), 0o755)
    # ExecveatTest execs /bin/echo with AT_SYMLINK_NOFOLLOW: there, as on
    # Debian, a regular file (a copy of busybox, which runs as its name says).
    shutil.copy2("/bin/busybox", os.path.join(overlay, "bin", "echo"))
    args = str(secs)
    img = os.path.join(workdir, "gv.img")
    boottest.run([os.path.join(TOP, "tools", "mkimg.sh"), "--build", build, "-o", img,
                  "--overlay", overlay,
                  "--cmdline", f"init=/bin/sh panic=poweroff debugexit -- /gv/run.sh {args}"])
    shutil.rmtree(overlay, ignore_errors=True)
    return img


def follow(proc, qlog, on_line, stall, overdue):
    """Follow QEMU's serial log QLOG while PROC runs. Each new line, without
    the carriage return and the kernel's timestamp, goes to on_line(line,
    now), which returns True when the guest said it is done. Returns (why
    it ended, the log's text); why: "done"; "PANIC" (Kestrel's or Linux's
    panic message, 3 s after it, for the report to finish); "QEMU exited
    (N)"; "HANG: ..." after STALL s without any output; or what
    overdue(now), asked every half second, gives (None: go on).
    tests/conformance/ltp.py follows both kernels with it."""
    last_output = time.monotonic()
    consumed, pending, done = 0, "", False
    while True:
        status = proc.poll()
        data = boottest.read_log(qlog) if os.path.exists(qlog) else ""
        now = time.monotonic()
        if len(data) > consumed:
            pending += data[consumed:]
            consumed = len(data)
            last_output = now
        *lines, pending = pending.split("\n")
        for raw in lines:
            done = on_line(clean_line(raw), now) or done
        if PANIC.search(data):
            time.sleep(3)    # let the report finish
            return "PANIC", boottest.read_log(qlog)
        if status is not None or done:
            return ("done" if done else f"QEMU exited ({status})"), data
        if now - last_output > stall:
            return f"HANG: no output, not even the heartbeat, for {stall} s", data
        late = overdue(now)
        if late:
            return late, data
        time.sleep(0.5)


def follow_to_end(proc, qlog, on_line, stall, overdue, sockdir, locate=None):
    """follow() to the end, then QEMU stopped and SOCKDIR removed, whatever
    happened. Returns (why it ended, the log's text, where): where is
    locate()'s answer (the CPU's place, from the monitor) at a hang while
    QEMU still runs, else "". tests/conformance/ltp.py boots with it too."""
    try:
        end, data = follow(proc, qlog, on_line, stall, overdue)
        where = locate() if locate and end.startswith("HANG") and proc.poll() is None else ""
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return end, data, where


def boot(build, workdir, bootno, items, gvdir, args, linux):
    """One boot running ITEMS ((name, filter) pairs) in name order. Returns
    (results by name, log path); a binary that never began is absent, the one
    that took the kernel down says so."""
    names = sorted(n for n, _ in items)
    limits = {n: time_limit(n, linux, args) for n in names}
    img = make_image(build, workdir, items, gvdir, args.timeout, limits)
    logpath = os.path.join(workdir, f"boot{bootno}.log")
    vars_fd = os.path.join(workdir, "gv.vars.fd")
    shutil.copyfile(boottest.OVMF_VARS, vars_fd)
    sockdir = tempfile.mkdtemp(prefix="gvt-")     # socket paths must stay short
    monitor = os.path.join(sockdir, "monitor")
    qlog = img[:-4] + ".log"
    if os.path.exists(qlog):
        os.unlink(qlog)
    cmd = boottest.qemu_cmd(dict(machine="q35", mem=args.mem), img, vars_fd) + \
        ["-monitor", f"unix:{monitor},server=on,wait=off"]
    if args.smp > 1:  # one host thread per vCPU, as the SMP boot tests run
        cmd += ["-smp", str(args.smp), "-accel", "tcg,thread=multi"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results, cur = {}, None
    t0 = time.monotonic()
    began = None

    def on_line(line, now):
        nonlocal cur, began
        m = re.match(r"^GVT-BEGIN (\S+)", line)
        if m:
            cur = results[m.group(1)] = Result(m.group(1))
            began = now
            return False
        m = re.match(r"^GVT-END (\S+) rc=(\d+)", line)
        if m and cur:
            cur.rc = int(m.group(2))
            cur.secs = now - began
            progress(f"  {cur.name:24} {'%d tests, %d passed, %d failed, %d skipped' % cur.counts()}"
                     f" rc={cur.rc} {cur.secs:.0f} s")
            cur = None
            return False
        if cur:
            cur.feed(line)
        return line.startswith("GVT-ALL-DONE")

    def overdue(now):
        if not results and now - t0 > BOOT_TIMEOUT:
            return "HANG before the first test (boot)"
        if cur and now - began > limits[cur.name] + LIMIT_MARGIN:
            return f"HANG: still running {limits[cur.name] + LIMIT_MARGIN} s after it began"
        return None

    end_reason, data, where = follow_to_end(proc, qlog, on_line, args.stall, overdue, sockdir,
                                            lambda: fuzzkernel.where_stuck(monitor, build))
    os.replace(qlog, logpath)
    for p in (img, vars_fd):
        if os.path.exists(p):
            os.unlink(p)
    if end_reason != "done" and cur is None and not results:
        cur = results[names[0]] = Result(names[0])
    if cur is not None and end_reason != "done":
        case = cur.running() or "(between cases)"
        kind = "PANIC" if end_reason == "PANIC" else "HANG"
        cur.verdict = f"{kind} in {case}"
        cur.secs = time.monotonic() - (began or t0)
        cur.detail = end_reason + (f"; the CPU was at {where}" if where else "")
        if kind == "PANIC":
            m = re.search(r"KERNEL PANIC.*", data)
            cur.detail = m.group(0).strip() if m else end_reason
        progress(f"  {cur.name:24} {cur.verdict}: {cur.detail}")
    return results, logpath


def next_boot(work, gvdir, mib):
    """Take work items (name, excluded cases) from the front of WORK up to MIB
    MiB (at least one, each binary once); also kept in next_boot.taken."""
    out, size = [], 0
    while work:
        s = os.path.getsize(os.path.join(gvdir, work[0][0]))
        if out and size + s > mib << 20:
            break
        if any(n == work[0][0] for n, _ in out):
            break    # one run of a binary per boot
        out.append(work.pop(0))
        size += s
    next_boot.taken = out
    return out


def gtest_filter(user, excluded):
    """--gtest_filter's value: the user's filter without the EXCLUDED cases ("" for all)."""
    if not excluded:
        return user or ""
    user = user or "*"
    return user + (":" if "-" in user else "-") + ":".join(excluded)


class Agg:
    """A binary's results over all its runs (a rerun leaves out the cases that
    crashed the program or took the kernel down)."""

    def __init__(self, name):
        self.name = name
        self.total = None
        self.ok, self.skipped, self.failed = set(), set(), {}
        self.verdict, self.detail, self.secs, self.rcs = "survived", "", 0.0, []

    def add(self, r, excluded):
        if self.total is None and r.ran is not None:
            self.total = r.ran + len(excluded)
        self.ok |= r.ok
        self.skipped |= r.skipped
        for c in r.failed:
            self.failed.setdefault(c, "")
        self.secs += r.secs
        self.rcs.append(r.rc)
        case = r.running()
        if r.verdict != "survived":
            if self.verdict == "survived":
                self.verdict, self.detail = r.verdict, r.detail
            if case:
                self.failed[case] = r.verdict.split(" in ")[0].lower() + " of the kernel"
        elif case and r.rc is not None and r.rc not in (0, 1):
            why = "the guest's time limit" if r.rc in TIMED_OUT else f"the program died, rc={r.rc}"
            self.failed[case] = why
        return case if (r.verdict != "survived" or (r.rc not in (0, 1, None))) else None

    def counts(self):
        tests = self.total if self.total is not None else len(self.ok | self.skipped) + len(self.failed)
        passed, skipped = len(self.ok), len(self.skipped - self.ok)
        return tests, passed, tests - passed - skipped, skipped


def write_table(path, order, results, linux, elapsed):
    lines = [f"gVisor syscall tests on Kestrel (tests/conformance/gvisor.py), {elapsed / 60:.0f} min.",
             "failed = tests - passed - skipped; linux = passed on Linux (linux-results.txt).", "",
             f"{'binary':24} {'tests':>5} {'passed':>6} {'failed':>6} {'skipped':>7} "
             f"{'linux':>5} {'secs':>6}  kernel"]
    tot = [0, 0, 0, 0, 0]
    bad = []
    for n in order:
        r = results.get(n)
        lt, lp, _ = linux.get(n, (0, 0, 0.0))
        if r is None:
            lines.append(f"{n:24} {'-':>5} {'-':>6} {'-':>6} {'-':>7} {lp:>5} {'-':>6}  not run")
            continue
        t, p, f, s = r.counts()
        for i, v in enumerate((t, p, f, s, lp)):
            tot[i] += v
        lines.append(f"{n:24} {t:>5} {p:>6} {f:>6} {s:>7} {lp:>5} {r.secs:>6.0f}  {r.verdict}")
        if r.verdict != "survived":
            bad.append(r)
    lines += ["", f"total: {len(order)} binaries, {tot[0]} test cases, {tot[1]} passed, "
              f"{tot[2]} failed, {tot[3]} skipped on Kestrel; {tot[4]} passed on Linux; "
              f"kernel survived {len(order) - len(bad)} of {len(order)}"]
    lines += ["", "Kernel panics and hangs:"] + [f"  {r.name}: {r.verdict}: {r.detail}"
                                                for r in bad] + (["  none"] if not bad else [])
    lines += ["", "Failing test cases:"]
    for n in order:
        r = results.get(n)
        if r:
            lines += [f"  {n}: {c}" + (f" ({why})" if why else "") for c, why in r.failed.items()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return lines, bad


def table_json(order, results, linux, elapsed, run, set_name):
    """The table as JSON (beside the text table): what --docs renders."""
    bins = []
    for n in order:
        r = results.get(n)
        b = dict(name=n, linux_passed=linux.get(n, (0, 0, 0.0))[1])
        if r is not None:
            t, p, f, s = r.counts()
            b.update(tests=t, passed=p, failed=f, skipped=s, secs=round(r.secs),
                     kernel=r.verdict, detail=r.detail if r.verdict != "survived" else "",
                     failing=[[c, why] for c, why in r.failed.items()])
        bins.append(b)
    return dict(run=run, set=set_name, minutes=round(elapsed / 60), binaries=bins)


def expect_linux(order, results, linux):
    """Print one verdict line per binary of ORDER and the count line; return
    the number of FAILs. A binary passes when it passed at least Linux's
    count of cases and the kernel survived it (a panic or hang is a FAIL)."""
    bad = 0
    for n in order:
        r = results.get(n)
        lt, lp, _ = linux.get(n, (0, 0, 0.0))
        if r is None:
            log(f"FAIL {n}: never ran (the kernel went down before it)")
            bad += 1
            continue
        _, p, f, sk = r.counts()
        line = f"{n:20} {p} passed, {f} failed, {sk} skipped; Linux {lp} of {lt}; {r.secs:.0f} s"
        if p >= lp and r.verdict == "survived":
            log(f"PASS {line}")
            continue
        bad += 1
        why = "" if r.verdict == "survived" else f"; {r.verdict}: {r.detail}"
        log(f"FAIL {line}{why}")
        for c, how in r.failed.items():
            log(f"     failing: {c}" + (f" ({how})" if how else ""))
    log(f"gvisor: {len(order) - bad} passed, {bad} failed")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--gvisor", help="the test binaries (default BUILD/gvisor)")
    ap.add_argument("--batch-mib", type=int, default=40, help="binaries per boot, by size")
    ap.add_argument("--timeout", type=int, default=240,
                    help=f"guest time limit per binary (s; at least {LINUX_FACTOR}x its Linux time)")
    ap.add_argument("--stall", type=int, default=90, help="s without any output: a hang")
    ap.add_argument("--mem", default="4G")
    ap.add_argument("--smp", type=int, default=1, help="CPUs of the guest")
    ap.add_argument("--reruns", type=int, default=6,
                    help="reruns of a binary, each without a case that crashed it or the kernel")
    ap.add_argument("--filter", help="a --gtest_filter for every binary")
    sets = ap.add_mutually_exclusive_group()
    sets.add_argument("--extra", action="store_true",
                      help="the second set, tests/conformance/gvisor-extra")
    sets.add_argument("--net", action="store_true",
                      help="the third set, tests/conformance/gvisor-net (loopback network)")
    ap.add_argument("--no-build", action="store_true",
                    help="run the binaries in --gvisor as they are, never build")
    ap.add_argument("--results", help="name of the table and log directory (default the set's)")
    ap.add_argument("--expect-linux", action="store_true",
                    help="fail unless every binary passes as many cases as on Linux")
    ap.add_argument("--docs", metavar="COMMAND", nargs="?", const="",
                    help="also write the table into docs/results/conformance.md, headed with "
                         "COMMAND (make conformance DOCS=1 passes its own command line)")
    ap.add_argument("--docs-from", metavar="JSON",
                    help="only render docs/results/conformance.md from JSON (a "
                         "SET-results.json of an earlier run); no boot")
    ap.add_argument("names", nargs="*", help="binaries (default all), e.g. pipe_test")
    args = ap.parse_args()
    if args.docs_from:
        return results_md.main(["results_md.py", "conformance", args.docs_from])
    run = results_md.run_info(args.docs or "tests/conformance/gvisor.py " + " ".join(sys.argv[1:]))
    global suite, QUIET
    QUIET = args.expect_linux
    suite = SUITES["extra" if args.extra else "net" if args.net else "shared"]
    build = os.path.abspath(args.build)
    gvdir = os.path.abspath(args.gvisor or os.path.join(build, suite["name"]))
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            sys.exit(f"gvisor: no {f} in {build}: run make B=... all first")
    if not args.no_build:
        ensure_built(gvdir)
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(gvdir, "*_test")))
    if args.names:
        want = [n if n.endswith("_test") else n + "_test" for n in args.names]
        missing = sorted(set(want) - set(names))
        if missing:
            sys.exit(f"gvisor: not in {gvdir}: {' '.join(missing)}")
        names = [n for n in names if n in want]
    results_name = args.results or suite["name"]
    workdir = os.path.join(build, "conformance", results_name)
    os.makedirs(workdir, exist_ok=True)
    for old in glob.glob(os.path.join(workdir, "boot*.log")):
        os.unlink(old)
    linux = linux_results()
    work = [(n, []) for n in names]      # a binary, and the cases its run leaves out
    results, bootno, t0 = {}, 0, time.monotonic()
    while work:
        items = [(n, gtest_filter(args.filter, ex)) for n, ex in next_boot(work, gvdir, args.batch_mib)]
        excluded = dict(next_boot.taken)
        bootno += 1
        progress(f"gvisor: boot {bootno}: " + " ".join(n + (f" [{f}]" if f else "") for n, f in items))
        got, logpath = boot(build, workdir, bootno, items, gvdir, args, linux)
        for n, _ in items:
            ex = excluded[n]
            r = got.get(n)
            if r is None:
                work.insert(0, (n, ex))   # never began: the kernel went down first
                continue
            agg = results.setdefault(n, Agg(n))
            case = agg.add(r, ex)
            if case and case not in ex and len(ex) < args.reruns:
                work.append((n, ex + [case]))
    table = os.path.join(build, "conformance", results_name + "-results.txt")
    lines, bad = write_table(table, names, results, linux, time.monotonic() - t0)
    table_js = table[:-len(".txt")] + ".json"
    with open(table_js, "w") as f:
        json.dump(table_json(names, results, linux, time.monotonic() - t0, run, results_name),
                  f, indent=1)
        f.write("\n")
    if args.docs is not None:
        results_md.main(["results_md.py", "conformance", table_js])
    if args.expect_linux:
        failed = expect_linux(names, results, linux)
        log(f"gvisor: table in {os.path.relpath(table, TOP)}, serial logs in"
            f" {os.path.relpath(workdir, TOP)}, {time.monotonic() - t0:.0f} s")
        return 1 if failed else 0
    print("\n".join(lines))
    print(f"gvisor: table in {os.path.relpath(table, TOP)},"
          f" serial logs in {os.path.relpath(workdir, TOP)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
