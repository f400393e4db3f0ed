#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kestrel boot tests: boot real images in QEMU with the real OVMF.

Each case is one boot: an image variant, a QEMU machine configuration, a
command line, the lines the serial log must (and must not) contain, and
how QEMU must end (an exit status, or still running once the last
expected line appeared). Cases run two at a time; every serial log is
kept under build/test/boot/, and a failing case prints the path and the
log's tail, so a failure explains itself.

    boottest.py [--build DIR] [--jobs N] [NAME...]   run all, or only NAME...
    boottest.py --list
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
ESP_OFFSET = 2048 * 512          # tools/mkimg.sh puts the ESP at 1 MiB
DEBUGEXIT_OK = (0 << 1) | 1      # isa-debug-exit: (status << 1) | 1
DEBUGEXIT_PANIC = (0x7F << 1) | 1
MIB = 1 << 20


def usable_mib_between(lo, hi):
    """A check on the banner's usable-memory figure."""
    def check(log):
        m = re.search(r"memory: (\d+) MiB usable", log)
        if not m:
            return "no 'memory: N MiB usable' line"
        v = int(m.group(1))
        return None if lo <= v <= hi else f"usable memory {v} MiB not in [{lo}, {hi}]"
    return check


def rootfs_size_matches(build):
    def check(log):
        size = os.path.getsize(os.path.join(build, "rootfs.cpio"))
        return None if f"rootfs: {size} bytes at 0x" in log else f"no 'rootfs: {size} bytes' line"
    return check


FB_LINE = r"framebuffer: \d+x\d+ stride \d+ \w+ at 0x[0-9a-f]+, font \S*Terminus\S*16 \(\d+x\d+ text\)"


def banner(fb=FB_LINE):
    """The banner lines every good boot prints, in order."""
    return [
        r"kestrel-loader: starting",
        r"Kestrel \d+\.\d+ \(x86_64\)",
        r"boot: loader start to kernel entry \d+ ms",
        r"memory: \d+ MiB usable",
        fb,
        r"acpi: RSDP 0x[0-9a-f]+ \(ACPI 2\.0\+\), XSDT with \d+ tables",
        r"rootfs: \d+ bytes at 0x",
        r"kernel: \d+ KiB at phys 0x[0-9a-f]+, \d+ symbols",
    ]
SELFTEST_OK = [r"selftest: \d+ passed, 0 failed"]
SELFTEST_NAMES = ["memmap-sane", "memmap-marks", "kernel-permissions", "stack-guard",
                  "direct-map", "ksyms", "pmm-every-page", "pmm-orders-aligned",
                  "vmm-map-protect-unmap", "kernel-stack-guard", "heap-stress", "percpu-self"]


def selftests_ran(log):
    """Each named self-test printed its ok line (in any order)."""
    for n in SELFTEST_NAMES:
        if f"selftest: {n} ok" not in log:
            return f"no 'selftest: {n} ok' line"
    return None
NEVER = [r"KERNEL PANIC", r"FAIL", r"cmdline: ignoring"]


def cases(build):
    """The table of boots. Keys: machine, mem, cmdline, image (a function
    that may alter the image), expect (regexes in order of appearance),
    reject, checks (functions of the log), exit (status or None: still
    running when the last expected line appears), vga, extra args."""
    return [
        dict(name="q35-256M", machine="q35", mem="256M",
             cmdline="selftest debugexit loglevel=6 -- hello world",
             expect=banner() + [r'cmdline: "selftest debugexit loglevel=6 -- hello world"',
                              r"init: /sbin/init hello world"] + SELFTEST_OK,
             checks=[usable_mib_between(200, 256), rootfs_size_matches(build)],
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="pc-128M", machine="pc", mem="128M", cmdline="selftest debugexit",
             expect=banner() + SELFTEST_OK, checks=[usable_mib_between(90, 128)],
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="q35-4G", machine="q35", mem="4G", cmdline="selftest debugexit init=/bin/sh",
             expect=banner() + [r"init: /bin/sh$"] + SELFTEST_OK,
             checks=[usable_mib_between(3900, 4096)], reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="clang-q35-1G", machine="q35", mem="1G", cmdline="selftest debugexit",
             build=os.path.join(build, "clang"),
             expect=banner() + SELFTEST_OK, checks=[usable_mib_between(900, 1024)],
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="no-display", machine="q35", mem="256M", vga=False,
             cmdline="selftest debugexit console=fb",
             expect=banner(r"framebuffer: none") + SELFTEST_OK,
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="no-debugexit", machine="q35", mem="256M", cmdline="selftest bogus=1",
             expect=[r"cmdline: ignoring unknown or malformed word 'bogus=1'",
                     r"selftest: \d+ passed, 0 failed", r"kestrel: boot complete"],
             reject=[r"KERNEL PANIC"], exit=None),
        dict(name="missing-kernel", image=lambda img: mdel(img, "kestrel/kernel.elf"),
             expect=[r"kestrel-loader: kernel: cannot open \\kestrel\\kernel\.elf \(Not Found\)"],
             reject=[r"Kestrel \d"], exit=None),
        dict(name="corrupt-kernel", image=lambda img: corrupt_kernel(build, img),
             expect=[r"kestrel-loader: kernel: not x86_64 \(Load Error\)"],
             reject=[r"Kestrel \d"], exit=None),
        dict(name="missing-rootfs", image=lambda img: mdel(img, "kestrel/rootfs.cpio"),
             expect=[r"kestrel-loader: rootfs: cannot open \\kestrel\\rootfs\.cpio \(Not Found\)"],
             reject=[r"Kestrel \d"], exit=None),
        dict(name="crash-page-fault", cmdline="crash=pf debugexit",
             expect=[r"KERNEL PANIC: exception 14 \(page fault\), error code 0x2",
                     r"page fault at 0x0000000000000010: page not present, write, kernel mode",
                     r"RIP ffffffff8[0-9a-f]+  CS 0008", r"CR2 0000000000000010",
                     r"backtrace:", r"#0 +ffffffff8[0-9a-f]+ selftest_crash\+0x",
                     r"kmain\+0x", r"system halted"],
             exit=DEBUGEXIT_PANIC),
        dict(name="crash-stack-overflow", cmdline="crash=stack debugexit",
             expect=[r"KERNEL PANIC: exception 8 \(double fault\)",
                     r"kernel stack overflow: hit the guard page",
                     r"#0 +ffffffff8[0-9a-f]+ overflow\S*\+0x", r"repeated \d+ times"],
             exit=DEBUGEXIT_PANIC),
        dict(name="crash-vmalloc-stack", cmdline="crash=vstack debugexit",
             expect=[r"KERNEL PANIC: exception 8 \(double fault\)",
                     r"kernel stack overflow: hit the guard page at 0xffffe",
                     r"#0 +ffffffff8[0-9a-f]+ overflow\S*\+0x"],
             exit=DEBUGEXIT_PANIC),
        dict(name="cpu-max", machine="q35", mem="512M", cmdline="selftest debugexit",
             extra=["-cpu", "max"],
             expect=banner() + [r"cpu: SSE on; XSAVE on \(xcr0 0x[0-9a-f]+, \d+ bytes\); SMEP on; SMAP on; UMIP on; 1G pages yes"]
             + SELFTEST_OK, reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="crash-invalid-opcode", cmdline="crash=ud debugexit",
             expect=[r"KERNEL PANIC: exception 6 \(invalid opcode\)", r"selftest_crash\+0x"],
             exit=DEBUGEXIT_PANIC),
        dict(name="panic-poweroff", cmdline="crash=panic panic=poweroff", no_reboot=False,
             expect=[r"KERNEL PANIC: deliberate panic \(crash=panic\)", r"panic=poweroff",
                     r"powering off"], reject=[r"poweroff failed"], exit=0),
        dict(name="panic-reboot", cmdline="crash=panic panic=reboot", real_reset=True,
             expect=[r"KERNEL PANIC: deliberate panic", r"panic=reboot", r"rebooting"],
             exit=0),
        dict(name="pc-poweroff", machine="pc", cmdline="crash=panic panic=poweroff",
             no_reboot=False, expect=[r"panic=poweroff", r"powering off"],
             reject=[r"poweroff failed"], exit=0),
        dict(name="pc-reboot", machine="pc", cmdline="crash=panic panic=reboot", real_reset=True,
             expect=[r"panic=reboot", r"rebooting"], exit=0),
    ]


def mtools_img(img):
    return f"{img}@@{ESP_OFFSET}"


def mdel(img, path):
    run(["mdel", "-i", mtools_img(img), "::" + path])


def corrupt_kernel(build, img):
    """Replace the kernel with a copy whose e_machine is not x86_64."""
    bad = img + ".kernel"
    with open(os.path.join(build, "kernel.elf"), "rb") as f:
        data = bytearray(f.read())
    data[18:20] = (3).to_bytes(2, "little")  # EM_386
    with open(bad, "wb") as f:
        f.write(data)
    run(["mcopy", "-o", "-i", mtools_img(img), bad, "::kestrel/kernel.elf"])


def run(cmd, **kw):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, **kw)


def qemu_cmd(case, img, vars_fd):
    cmd = ["qemu-system-x86_64", "-machine", case.get("machine", "q35"),
           "-m", case.get("mem", "256M"), "-nodefaults", "-display", "none",
           "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
           "-drive", f"if=pflash,format=raw,file={vars_fd}",
           "-drive", f"format=raw,file={img}",
           "-serial", "file:" + img[:-4] + ".log",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if case.get("vga", True):
        cmd += ["-vga", "std"]
    if case.get("no_reboot", True):
        cmd += ["-no-reboot"]
    if case.get("real_reset"):
        # QEMU logs "Triple fault" when the reset was the last-resort one
        cmd += ["-d", "cpu_reset", "-D", img[:-4] + ".qemu.log"]
    return cmd + case.get("extra", [])


def find_in_order(log, patterns):
    """Index of the first pattern not found after the previous one, or None."""
    pos = 0
    for i, p in enumerate(patterns):
        m = re.compile(p, re.M).search(log, pos)
        if not m:
            return i
        pos = m.end()
    return None


def verdict(case, log, status):
    missing = find_in_order(log, case["expect"])
    if missing is not None:
        return f"missing (in order): {case['expect'][missing]}"
    for p in case.get("reject", []):
        if re.search(p, log, re.M):
            return f"unexpected line: {p}"
    checks = case.get("checks", [])
    if any(SELFTEST_OK[0] == p for p in case["expect"]):
        checks = checks + [selftests_ran]
    for check in checks:
        why = check(log)
        if why:
            return why
    if case.get("real_reset"):
        qlog = case["_img"][:-4] + ".qemu.log"
        if os.path.exists(qlog) and "Triple fault" in read_log(qlog):
            return "the machine reset by triple fault, not by a reset register"
    want = case["exit"]
    if want is None and status is not None:
        return f"QEMU exited ({status}) but should have kept running"
    if want is not None and status != want:
        return f"QEMU exit status {status}, want {want}"
    return None


def boot(case, build, outdir, timeout):
    """Build the case's image, boot it, and return (name, error or None, seconds)."""
    name = case["name"]
    img = os.path.join(outdir, name + ".img")
    log_path = img[:-4] + ".log"
    vars_fd = img[:-4] + ".vars.fd"
    for p in (log_path,):
        if os.path.exists(p):
            os.unlink(p)
    # A case may boot another build (the clang one) with this build's rootfs.
    case_build = case.get("build", build)
    if not os.path.exists(os.path.join(case_build, "kernel.elf")):
        return name, f"no {os.path.relpath(case_build, TOP)}/kernel.elf: run 'make test'", 0.0
    run([os.path.join(TOP, "tools/mkimg.sh"), "--build", case_build, "-o", img,
         "--rootfs", os.path.join(build, "rootfs.cpio"), "--cmdline", case.get("cmdline", "")])
    if "image" in case:
        case["image"](img)
    shutil.copyfile(OVMF_VARS, vars_fd)
    case["_img"] = img
    t0 = time.monotonic()
    proc = subprocess.Popen(qemu_cmd(case, img, vars_fd), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    status = None
    while time.monotonic() - t0 < timeout:
        status = proc.poll()
        if status is not None:
            break
        if case["exit"] is None and os.path.exists(log_path):
            log = read_log(log_path)
            if find_in_order(log, case["expect"]) is None:
                time.sleep(1)  # let anything that follows (a wrong exit) show
                status = proc.poll()
                break
        time.sleep(0.2)
    else:
        status = "timeout"
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    secs = time.monotonic() - t0
    log = read_log(log_path) if os.path.exists(log_path) else ""
    if status == "timeout":
        why = verdict(case, log, None) or f"timed out after {timeout} s"
        why = f"timed out after {timeout} s: " + why
    else:
        why = verdict(case, log, status)
    if why:
        err = proc.stderr.read().decode(errors="replace").strip()
        if err:
            why += f"\n    qemu: {err[:500]}"
    proc.stderr.close()
    if not why:
        for p in (img, vars_fd, img + ".kernel"):
            if os.path.exists(p):
                os.unlink(p)
    return name, why, secs


def read_log(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace").replace("\r", "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("BOOT_TIMEOUT", "90")))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    table = cases(build)
    if args.list:
        print("\n".join(c["name"] for c in table))
        return 0
    if args.names:
        unknown = set(args.names) - {c["name"] for c in table}
        if unknown:
            print("unknown case(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
            return 2
        table = [c for c in table if c["name"] in args.names]
    outdir = os.path.join(build, "test", "boot")
    os.makedirs(outdir, exist_ok=True)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(boot, c, build, outdir, args.timeout) for c in table]
        for f in futures:
            name, why, secs = f.result()
            if why:
                failed += 1
                log = os.path.join(outdir, name + ".log")
                print(f"FAIL boot/{name} ({secs:.1f} s): {why}\n    serial log: {os.path.relpath(log, TOP)}")
                if os.path.exists(log):
                    tail = read_log(log).splitlines()[-15:]
                    print("\n".join("    | " + l for l in tail))
            else:
                passed += 1
                print(f"PASS boot/{name} ({secs:.1f} s)")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
