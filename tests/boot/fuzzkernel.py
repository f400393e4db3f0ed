#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot Kestrel with the system-call fuzzer (/bin/kfuzz) as init and judge the run.

    fuzzkernel.py [--build DIR] [--seconds N] [--seed S] [--jobs J] [--mem SIZE] [--smp N]

The image is its own variant (tools/mkimg.sh, command line
"init=/bin/kfuzz debugexit -- -t N -s S -j J"); QEMU+OVMF as in
boottest.py; --smp N boots N CPUs (multi-threaded TCG, as the SMP boot
tests). The run fails when the kernel panics, when kfuzz prints no
progress line for 30 s (a hang: the kernel is not preemptible, so a stuck
kernel loop stops the fuzzer's parent too), when kfuzz reports a leak or
an unkillable child, or when QEMU ends any other way than kfuzz's exit
status 0 through debugexit. A failure prints the seed and the command
that replays it. The last line is "N passed, N failed (seed S...)" for
tests/run.sh, which shows it.

Not a case of boottest.py: those judge a finished log against a list of
lines; this one must watch the log while it grows (the progress
deadline), choose and print a seed, and read the fuzzer's own figures.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402  (the QEMU command line and the OVMF paths)
import qmon  # noqa: E402  (every CPU's backtrace at a hang)

TOP = boottest.TOP
PROGRESS_TIMEOUT = 30      # s without a kfuzz line: a hang
BOOT_TIMEOUT = 90          # s from QEMU start to kfuzz's first line
SETTLE_TIMEOUT = 60        # s after the fuzzing time for the leak check and power-off
KFUZZ_OK = boottest.DEBUGEXIT_OK   # init (kfuzz) exited 0: QEMU exits (0 << 1) | 1
KFUZZ_LINE = re.compile(r"^kfuzz: ", re.M)
PANIC = re.compile(r"KERNEL PANIC")   # panic.c and the trap handler both say it


def make_image(build, img, cmdline):
    boottest.run([os.path.join(TOP, "tools/mkimg.sh"), "--build", build, "-o", img,
                  "--cmdline", cmdline])


def why_failed(log, status, stalled):
    """The reason this run failed, or None."""
    if PANIC.search(log):
        return "the kernel panicked"
    if stalled:
        return stalled
    m = re.search(r"kfuzz: memory: .*LEAK", log)
    if m:
        return "kfuzz found a leak: " + m.group(0)
    if "survived SIGKILL" in log:
        return "a child survived SIGKILL"
    if status != KFUZZ_OK:
        m = re.search(r"kestrel: init exited with status (\d+)", log)
        said = f" (init exited with status {m.group(1)})" if m else ""
        return f"QEMU exit status {status}, want {KFUZZ_OK}{said}"
    if not re.search(r"^kfuzz: PASS", log, re.M):
        return "no 'kfuzz: PASS' line"
    return None


def where_stuck(sock_path, build):
    """At a hang: where each CPU is (qmon.where_stuck_at), symbolised with build's kernel.elf."""
    return qmon.where_stuck_at(sock_path, os.path.join(build, "kernel.elf"))


def watch(proc, log_path, seconds):
    """Follow the serial log while QEMU runs, echoing kfuzz's lines.
    Returns (status, stalled reason or None)."""
    t0 = time.monotonic()
    last_line = None           # when the last kfuzz line appeared
    seen = 0
    deadline = t0 + BOOT_TIMEOUT + seconds + SETTLE_TIMEOUT
    while True:
        status = proc.poll()
        log = boottest.read_log(log_path) if os.path.exists(log_path) else ""
        lines = KFUZZ_LINE.findall(log)
        if len(lines) > seen:
            new = [l for l in log.splitlines() if l.startswith("kfuzz: ")][seen:]
            for l in new:
                print("  " + l)
            sys.stdout.flush()
            seen = len(lines)
            last_line = time.monotonic()
        if status is not None:
            return status, None
        if PANIC.search(log):
            time.sleep(2)  # let the panic report finish
            return proc.poll(), None
        now = time.monotonic()
        if last_line is None and now - t0 > BOOT_TIMEOUT:
            return None, f"kfuzz did not start within {BOOT_TIMEOUT} s"
        if last_line is not None and now - last_line > PROGRESS_TIMEOUT:
            return None, f"no kfuzz progress line for {PROGRESS_TIMEOUT} s (a hang)"
        if now > deadline:
            return None, "the run did not end in time"
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--smp", type=int, default=1, help="CPUs (QEMU -smp)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    seed = args.seed if args.seed is not None else random.randrange(10**12)
    replay = (f"make B={os.path.relpath(build, TOP)} fuzz-kernel SECONDS={args.seconds} "
              f"SEED={seed}" + (f" SMP={args.smp}" if args.smp > 1 else ""))
    print(f"fuzz-kernel: seed {seed}, {args.seconds} s (replay: {replay})")
    sys.stdout.flush()

    outdir = os.path.join(build, "test", "kfuzz")
    os.makedirs(outdir, exist_ok=True)
    img = os.path.join(outdir, f"kfuzz-{seed}.img")   # one set per seed: runs may overlap
    log_path = img[:-4] + ".log"
    vars_fd = img[:-4] + ".vars.fd"
    if os.path.exists(log_path):
        os.unlink(log_path)
    cmdline = f"init=/bin/kfuzz debugexit -- -t {args.seconds} -s {seed} -j {args.jobs}"
    make_image(build, img, cmdline)
    shutil.copyfile(boottest.OVMF_VARS, vars_fd)
    case = dict(machine="q35", mem=args.mem)
    if args.smp > 1:
        case["extra"] = ["-smp", str(args.smp), "-accel", "tcg,thread=multi"]
    sockdir = tempfile.mkdtemp(prefix="kfuzz-")  # socket paths must stay short
    monitor = os.path.join(sockdir, "monitor")
    cmd = boottest.qemu_cmd(case, img, vars_fd) + ["-monitor", f"unix:{monitor},server=on,wait=off"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        status, stalled = watch(proc, log_path, args.seconds)
        if stalled and proc.poll() is None:
            stalled += "; the CPUs were at:\n      " + where_stuck(monitor, build)
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    log = boottest.read_log(log_path) if os.path.exists(log_path) else ""
    why = why_failed(log, status, stalled)
    m = re.findall(r"kfuzz: done: seed \d+, (\d+) calls, (\d+) children", log)
    figures = f"{m[-1][0]} calls, {m[-1][1]} children" if m else "no totals"
    if why:
        print(f"FAIL fuzz-kernel (seed {seed}, {figures}): {why}")
        print(f"    serial log: {os.path.relpath(log_path, TOP)}")
        for l in log.splitlines()[-40:]:
            print("    | " + l)
        err = proc.stderr.read().decode(errors="replace").strip()
        if err:
            print(f"    qemu: {err[:500]}")
        print(f"    replay: {replay}")
        print(f"0 passed, 1 failed (seed {seed})")
        return 1
    print(f"PASS fuzz-kernel (seed {seed}, {figures})")
    for p in (img, vars_fd):
        os.unlink(p)
    # the seed on the counts line: tests/run.sh shows that line on the terminal
    print(f"1 passed, 0 failed (seed {seed}, {figures})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
