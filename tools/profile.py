#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where the guest's instructions go while a command runs: make profile CMD=...

    profile.py [--build DIR] [--top N] [--smp N] [--mem SIZE] [--timeout S]
               [--words "CMDLINE WORDS"] [--deb "PACKAGE..."] [--overlay DIR]...
               [--setup CMD] [--keep] CMD

Boots the build's image in QEMU+OVMF (init=/bin/sh running a script of
three lines: sync, CMD, sync) with tools/profile/kprof.c loaded as a TCG
plugin, which counts every guest instruction executed, by the address of
the translated block it belongs to. Each sync runs the kernel's sys_sync,
the plugin's mark: the counts between the first mark and the last are the
command's (boot and shutdown left out; a CMD that itself calls sync only
moves the last mark later). Kernel addresses are folded into the kernel's
functions (nm of DIR/kernel.elf), user addresses into one "user" line.

--deb adds Debian packages and what they depend on to the image
(tools/mkimg.sh --deb: downloaded once into DIR/debs), so a real program
can be profiled: --deb python3 "python3 -c pass". --overlay copies a
directory's tree over the image's root (tools/mkimg.sh --overlay), for a
command's input files: make bench-apps leaves its workloads' trees (the
gcc workload's /src/kbuild, the git one's /src/kestrel) in
DIR/bench-apps/overlay. --setup runs a command before the first mark, left
out of the counts: a warm-up run, or the making of the command's input.

Prints the instructions in all, the user/kernel split, and the top N
kernel functions with their instructions and share of the kernel's; then
the top N system calls by their time, with their counts, which the kernel
keeps itself (booted with profile=2: kernel/profile.h,
/proc/profile_syscalls); the raw per-block counts stay in DIR/profile/
with --keep.

The figures are exact guest instructions, the unit of `make bench`'s
icount runs, and include code run with interrupts masked (a timer-sampled
profile cannot see it). The counts are per block start, so a function's
figure includes blocks that begin in it and run on into the next (rare:
blocks end at branches). QEMU 7.x (the plugin interface's version 1).

Example: make profile CMD="/bin/bench-tcp_stream 200"
"""
import argparse
import bisect
import collections
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
PLUGIN_SRC = os.path.join(TOP, "tools", "profile", "kprof.c")
KERNEL_BASE = 0xffff800000000000  # the upper half: every kernel mapping (PML4 256-511)
MARK_FUNCTION = "sys_sync"
GUEST_SCRIPT = "etc/profile-run.sh"


def build_plugin(outdir):
    """The plugin, compiled for the host when missing or older than its source."""
    so = os.path.join(outdir, "kprof.so")
    if not os.path.exists(so) or os.path.getmtime(so) < os.path.getmtime(PLUGIN_SRC):
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                        "-fvisibility=hidden", "-o", so, PLUGIN_SRC, "-lpthread"], check=True)
    return so


def kernel_symbols(elf):
    """(sorted addresses, names) of the kernel's functions."""
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def symbol_address(elf, name):
    addrs, names = kernel_symbols(elf)
    for a, n in zip(addrs, names):
        if n == name:
            return a
    sys.exit(f"profile: {name} is not in {elf}")


def make_image(build, outdir, cmd, words, debs, syscalls, overlays=(), setup=""):
    """The image: the build's, with the guest script as /etc/profile-run.sh
    (and the Debian packages debs names, if any, and OVERLAYS' trees); SETUP
    runs before the first mark."""
    overlay = os.path.join(outdir, "overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    os.makedirs(os.path.join(overlay, "etc"))
    with open(os.path.join(overlay, GUEST_SCRIPT), "w") as f:
        # readprofile -r zeroes the kernel's system-call counts (profile=2 below):
        # what /proc/profile_syscalls then shows is the command's, the two syncs
        # and the echo
        f.write(f"#!/bin/sh\n{setup}\nreadprofile -r 2>/dev/null\nsync\n{cmd}\necho \"profile: status $?\"\nsync\n"
                "[ -e /proc/profile_syscalls ] && sed 's/^/profile: call /' /proc/profile_syscalls\n")
    os.chmod(os.path.join(overlay, GUEST_SCRIPT), 0o755)
    img = os.path.join(outdir, "profile.img")
    profile = "profile=2" if syscalls else ""
    cmdline = f"init=/bin/sh panic=poweroff {profile} {words} -- /{GUEST_SCRIPT}".replace("  ", " ")
    deb_args = ["--deb", debs, "--deb-root", os.path.join(build, "debs-profile")] if debs else []
    subprocess.run([os.path.join(TOP, "tools", "mkimg.sh"), "-o", img, "--build", build,
                    "--cmdline", cmdline, "--overlay", overlay] + deb_args +
                   [a for d in overlays for a in ("--overlay", d)],
                   check=True, stdout=subprocess.DEVNULL)
    return img


def run_qemu(args, outdir, img, plugin, mark):
    counts = os.path.join(outdir, "counts.txt")
    log = os.path.join(outdir, "serial.log")
    vars_fd = os.path.join(outdir, "vars.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    argv = ["qemu-system-x86_64", "-machine", "q35", "-m", args.mem, "-smp", str(args.smp),
            "-cpu", "qemu64", "-nodefaults", "-display", "none", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-drive", f"format=raw,file={img}", "-serial", f"file:{log}",
            "-plugin", f"{plugin},out={counts},mark={mark:x}"]
    try:
        subprocess.run(argv, check=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"profile: the guest ran past {args.timeout} s (serial log: {log})")
    return counts, log


def read_snapshots(path):
    """[(heading, {vaddr: insns})] in the file's order."""
    snaps = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                snaps.append((line[1:].strip(), {}))
            elif snaps:
                a, n = line.split()
                snaps[-1][1][int(a, 16)] = int(n)
    return snaps


def marks(snaps):
    """The snapshots taken at the marks, in order."""
    return [s for h, s in snaps if h.startswith("mark")]


def between(first, last):
    """The counts from snapshot first to snapshot last."""
    return {a: n - first.get(a, 0) for a, n in last.items() if n > first.get(a, 0)}


def window(snaps):
    """The counts between the first mark and the last: the command's."""
    m = marks(snaps)
    if len(m) < 2:
        sys.exit("profile: the guest did not reach both marks (see the serial log)")
    return between(m[0], m[-1])


def fold(counts, addrs, names):
    """(user instructions, {kernel function: instructions})."""
    user, funcs = 0, collections.Counter()
    for a, n in counts.items():
        if a < KERNEL_BASE:
            user += n
            continue
        i = bisect.bisect_right(addrs, a) - 1
        funcs[names[i] if i >= 0 else "?"] += n
    return user, funcs


def report(user, funcs, top):
    kernel = sum(funcs.values())
    total = user + kernel
    print(f"profile: {total:,} instructions: user {user:,} ({100 * user / max(total, 1):.1f}%), "
          f"kernel {kernel:,} ({100 * kernel / max(total, 1):.1f}%)")
    print(f"{'instructions':>14} {'kernel%':>8}  function")
    for name, n in funcs.most_common(top):
        print(f"{n:>14,} {100 * n / max(kernel, 1):>7.2f}%  {name}")


def syscall_report(log_lines, top):
    """The system calls the kernel counted while the command ran
    (/proc/profile_syscalls: name, calls, nanoseconds from entry to return,
    sleep included, by the guest's clock), the longest first."""
    calls = []
    for l in log_lines:
        parts = l.split()
        if len(parts) == 5 and parts[:2] == ["profile:", "call"]:
            calls.append((parts[2], int(parts[3]), int(parts[4])))
    if not calls:
        print("profile: no system-call counts (a kernel without profile=N?)")
        return
    total = sum(c[1] for c in calls)
    print(f"profile: {total:,} system calls; by time in the call (guest clock, sleep included):")
    print(f"{'calls':>10} {'ms':>10} {'us/call':>9}  system call")
    for name, n, ns in sorted(calls, key=lambda c: -c[2])[:top]:
        print(f"{n:>10,} {ns / 1e6:>10.1f} {ns / 1e3 / max(n, 1):>9.1f}  {name}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", default="1G")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--words", default="", help="more kernel command-line words")
    ap.add_argument("--deb", default="", help="Debian packages to add to the image")
    ap.add_argument("--overlay", action="append", default=[],
                    help="a directory whose tree goes over the image's root (repeatable)")
    ap.add_argument("--setup", default="", help="a command run before the first mark (uncounted)")
    ap.add_argument("--keep", action="store_true", help="keep the counts and the serial log")
    ap.add_argument("--no-syscalls", dest="syscalls", action="store_false",
                    help="boot without profile=2: no system-call table, and not its cost "
                         "(about 48 instructions a call: 3.8%% of the kernel's instructions "
                         "in ls -l over 1,000 files)")
    ap.add_argument("cmd", help="the shell command to profile")
    args = ap.parse_args()
    elf = os.path.join(args.build, "kernel.elf")
    outdir = os.path.join(args.build, "profile")
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(dir=outdir)
    try:
        plugin = build_plugin(outdir)
        img = make_image(args.build, work, args.cmd, args.words, args.deb, args.syscalls,
                         [os.path.abspath(d) for d in args.overlay], args.setup)
        counts, log = run_qemu(args, work, img, plugin, symbol_address(elf, MARK_FUNCTION))
        with open(log, errors="replace") as f:
            lines = f.readlines()
        status = [l.strip() for l in lines if l.startswith("profile: status")]
        print(status[-1] if status else "profile: the command's status was not seen")
        addrs, names = kernel_symbols(elf)
        user, funcs = fold(window(read_snapshots(counts)), addrs, names)
        report(user, funcs, args.top)
        if args.syscalls:
            syscall_report(lines, args.top)
    finally:
        if args.keep:
            print(f"profile: counts and serial log kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
