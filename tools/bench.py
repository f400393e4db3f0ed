#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kestrel and Linux side by side: the same benchmark programs on the same emulated machine.

Boots Kestrel (its disk image, init=/bin/bench-run) and Debian's Linux
(linux-image-amd64 booted as an EFI stub through the same OVMF, with an
initramfs holding the very same static bench binaries and busybox) in
identical QEMU configurations, alternating, and collects the
`bench NAME VALUE UNIT` lines both print on the serial port. A metric one
kernel cannot measure is shown as n/a with the reason from its log; the
harness itself does not fail for it.

Two ways of measuring, both run by default (--icount 1), one (--icount 0:
wall clock only; --icount only: instructions only):

  icount  QEMU's -icount shift=0,sleep=off: the guest's clocks advance one
          nanosecond per guest instruction, so each figure is guest
          instructions per operation (ns -> ins, us -> k ins, ms -> M ins),
          the same on any host and any run. This is the ratio that decides.
          It cannot see what an instruction costs: a TLB flush, a page walk
          or a serialising MSR write counts as one instruction.
  wall    plain TCG timed by the guest's CLOCK_MONOTONIC: what it feels
          like on this host, and as noisy as the host is. More, shorter
          alternating boots; min and median per metric; the host's load
          average before and after each boot; a metric whose spread
          (max - min) / median is over 20% is marked unreliable.

The table shows both; build/bench.json holds both (modes.icount,
modes.wall; `metrics` is the deciding table), build/bench.svg charts the
deciding ratios; with --docs (make bench DOCS=1) the table goes into
docs/results/bench.md too, and --docs-from JSON renders that page again
from a bench.json without booting (tools/results_md.py). The
instruction-count boot also runs the curves (bench-run curves:
/bin/bench-curve_NAME ITERATIONS N, lines `bench METRIC@N VALUE ns`): how
one operation's cost grows with N, Kestrel and Linux on one chart each in
build/bench-curves.svg, and in bench.json's `curves`.

    bench.py [--quick] [--icount 0|1|only] [--no-curves] [--rounds N] [--smp N]
             [--cpu MODEL] [--mem SIZE] [--only kestrel|linux] [--timeout S]
             [--build DIR] [--disk 0|1|only] [--disk-runs TAG,...] [--smp-runs 0|1|only]
             [--metrics NAME,...] [--docs [COMMAND]] [--docs-from JSON]

--metrics runs only the bench programs named (bench-run's names:
tcp_stream, tcp_rr, ...; a curve or SMP program by its program name,
curve_pipe, pipe_xcpu): bench-run gets the names after its mode, so the
boots run nothing else; the table keeps those rows (a program's other
metrics too: tcp_stream's tcp_stream_mbs) and the boot rows. The disk
and SMP runs are left out unless asked for (make bench METRICS=tcp_rr,udp_rr).

The boot rows: OVMF's share twice, by the host's clock from QEMU's start to
the loader's first line (boot_wall_to_loader, wall clock only) and by the
TSC, which counts from reset, at the loader's start (boot_reset_to_loader,
logged by the kernel: guest instructions under icount); then Kestrel's
part above it, loader start to kernel entry to init.

Defaults: q35, 1 GiB, -smp 1 (yield_switch and pipe_pingpong mean one CPU
shared), -cpu qemu64, TCG; wall clock 4 boots of each kernel (quick 2),
each running every benchmark 3 times (quick 1); instruction counts 1 boot
of each kernel. Serial logs are kept in build/bench/logs/.

The Linux packages are downloaded once (apt-get download) into
build/bench/debs/; later runs are offline.

Disks (--disk 1, the default; 0: none; only: the disk runs alone). One
boot per kernel, device and file system: virtio-blk and NVMe, ext2 and
FAT32. The harness makes each file system on the host on a 1 GiB raw
image (mke2fs -t ext2, 4 KiB blocks; mkfs.fat -F 32), copies the pristine
image before every boot and attaches the copy the same way to both
kernels (-drive if=none,format=raw,cache=unsafe: host flushes are skipped,
so the figures are the guest's work and QEMU's, not this host's disk),
as virtio-blk-pci or nvme; Kestrel also has its own boot disk (AHCI),
Linux boots from -kernel. bench-run's disk mode runs bench-disk, which
mounts the whole disk on /mnt (Kestrel: ext2 or vfat; Linux: ext2, which
Debian's ext4 module also registers, and vfat: the modules, with what
their .modinfo depends= names, are taken from the linux-image .deb and
loaded by the initramfs's /init with busybox insmod) and
measures: a sequential write (fsync included) and read of one file (MB/s,
10^6 bytes), 4 KiB random reads of it (IOPS), and creating and deleting
small files of 1 KiB in one directory (us per file, sync included). The
caches are dropped between the write and each read phase: Linux syncs and
writes 3 to /proc/sys/vm/drop_caches (page cache, dentries, inodes);
Kestrel, which has no drop_caches, unmounts and mounts again (unmount
writes back and drops the device's block cache pages). Full: a 256 MiB
file, 10,000 files, 4,000 random reads; quick: 64 MiB, 2,000 files, 1,000
reads (TCG moves a few tens of MB/s). After each boot the host checks the
image (e2fsck -fn, fsck.fat -n): a damaged file system is reported.
The counting pass (icount+sleep, below) runs the disks in quick mode only
(or when it is the only mode asked for): at full size FAT's 10,000 creates
and deletes alone take minutes a boot. Full mode adds about 15 minutes
(wall clock, 8 boots), quick about 7 (16 boots).

How disks are timed. Plain TCG (wall) is what the disk rows are decided
by: the guest's CLOCK_MONOTONIC follows the host's. The instruction mode
of the other metrics is wrong for a disk: with -icount shift=0,sleep=off
the guest's clock jumps to the next timer whenever the guest idles, so
while QEMU does the I/O on the host the guest sees time fly: a request
appears to take as long as the distance to the next timer (the figures
measure idle skipping, not the disk), and Kestrel's BLK_IO_TIMEOUT_MS
fires on requests the host has not finished. The disk boots in the
counting mode use -icount shift=0,sleep=on instead ("icount+sleep"): one
ns per instruction while the guest runs, the host's real time while it
waits for the device, so the guest's clock never runs ahead of the
host's and no timeout fires early; the figure is then the guest's
instructions plus the real device wait, a CPU-side figure steadier than
the wall clock but not a pure instruction count. BLK_IO_TIMEOUT_MS is
30 s, Linux's default request timeout.

SMP (--smp-runs 1, the default unless --disk only; 0: none; only: the
SMP runs alone). Both kernels boot bench-run's smp mode (smpquick with
--quick: one round instead of three) once with -smp 1, 2 and 4, and
Kestrel once more with -smp 8 running nothing, for its boot time. The
programs: bench-parallel (2 processes, a CPU-bound loop without system
calls, wall ms until both end), bench-fork_exec_par (2 and 4 workers
doing fork + exec + wait, us per operation), bench-pipe_xcpu and
bench-futex_xcpu (pinned to two CPUs: a pipe round trip, a futex wake;
bench-error on one CPU), and the scaling pairs: bench-scale KIND MS N,
will-it-scale's method, N workers (one per CPU online) each doing KIND on
its own for MS ms after a warm-up (fork_exec, page_fault, open_close, pipe,
mmap_munmap, futex, stat, tcp, unix; ops/s of all workers), at -smp 1 and 2 only (at
-smp 4 a 2-core host would measure QEMU: those boots run the others by
name). The table gives each figure per -smp, K/L (time over time: for
ops/s, Linux's rate over Kestrel's), the parallel speed-up (time at -smp
1 over -smp 2) of both kernels and Kestrel's boot-time difference
between -smp 8 and -smp 1; then each
KIND's 2/1 throughput ratio on both kernels against the goal (at least
1.8 and Linux's), and Kestrel's kernel lock during the KINDs' windows at
-smp 2: bench-scale turns /proc/klock_stat on for its window alone and
copies it to the log, the harness sums its cpu lines into the share of
CPU time (window x CPUs) spent waiting for the lock and holding it (goal:
waiting below 1%) and lists the entries that waited longest. Wall clock
only, with -accel tcg,thread=multi (one host thread per vCPU): -icount
runs every vCPU in one host thread, where no speed-up can show. One
more Kestrel boot runs the scaling pairs at -smp 1 under -icount for the
lock's counts alone (its throughput is in no table): the share of the
windows' guest instructions run holding the lock, per KIND and entry,
which does not move with the host's load as the wall-clock shares do. A
figure needs idle host cores: the harness measures the host CPU time
other processes used during each boot (from /proc/stat, less QEMU's
own) and marks the boot's figures unreliable (!) above 0.25 of a core,
as it does a spread over 20%. 8 boots: about 5 minutes with --quick,
7-10 without (three rounds), on a busy 2-core host; the scaling pairs add
about 1.5 s a KIND a round to the four boots at -smp 1 and 2 (about 45 s
with --quick, 2 minutes without).
"""
import argparse
import datetime
import gzip
import json
import math
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

import results_md   # docs/results/bench.md (--docs, --docs-from)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
KERNELS = ("kestrel", "linux")
ICOUNT_ARGS = ["-icount", "shift=0,sleep=off"]
DISK_ICOUNT_ARGS = ["-icount", "shift=0,sleep=on"]  # see "How disks are timed" above
UNRELIABLE_PCT = 20.0  # a wall-clock spread above this marks the metric unreliable
# Under icount one guest ns is one instruction: the same number, another unit.
ICOUNT_SLOWDOWN = 2  # TCG with -icount runs about half as fast: twice the boot timeout
CURVES_SLOWDOWN = 2  # the curves boot runs every curve too: twice that again
ICOUNT_UNIT = {"ns": "ins", "us": "k ins", "ms": "M ins",
               "MB/s": "B/k ins"}  # 10^6 bytes per 10^9 guest ns: bytes per 1000 instructions
# Metrics that are not guest time, so no instruction count.
HOST_TIMED = {"boot_wall_to_init", "boot_wall_to_loader"}

# The metrics in table order: name, unit, what it is.
METRICS = [
    ("null_syscall", "ns", "getppid() round trip"),
    ("write_null", "ns", "write 1 byte to /dev/null"),
    ("pipe_pingpong", "us", "1-byte round trip over two pipes"),
    ("unix_pingpong", "us", "1-byte round trip over an AF_UNIX stream socketpair"),
    ("yield_switch", "ns", "sched_yield switch between two processes"),
    ("futex_wake", "us", "one CPU: FUTEX_WAKE to the woken thread running while the waker spins"),
    ("fork_exit", "us", "fork + _exit + wait4"),
    ("fork_exec", "us", "fork + execve tiny static + wait4"),
    ("fork_refused", "ns", "fork refused at RLIMIT_NPROC, 16 MiB touched (Linux: root is exempt)"),
    ("page_fault", "ns", "first touch of a 4 KiB anonymous page"),
    ("exec_busybox", "us", "fork + execve busybox true + wait4"),
    ("clock_gettime", "ns", "clock_gettime(CLOCK_MONOTONIC) through libc (the vDSO where there is one)"),
    ("tcp_stream", "us", "TCP on 127.0.0.1: one 64 KiB write, until the reading process has it"),
    ("tcp_stream_mbs", "MB/s", "the same as a bandwidth (10^6 bytes a second)"),
    ("tcp_rr", "us", "1-byte round trip over a TCP connection on 127.0.0.1, two processes"),
    ("tcp_connect", "us", "socket + connect + accept + close of both ends, 127.0.0.1"),
    ("udp_rr", "us", "1-byte round trip between two connected UDP sockets on 127.0.0.1"),
    ("boot_reset_to_loader", "ms", "reset to loader start: the firmware (OVMF), by the TSC"),
    ("boot_loader_to_kernel", "ms", "loader start to kernel entry (kernel's TSC)"),
    ("boot_kernel_to_init", "ms", "kernel entry to init (kernel's clock)"),
    ("boot_loader_to_init", "ms", "loader start to init (the two above: Kestrel's whole boot)"),
    ("boot_wall_to_loader", "ms", "QEMU start to the loader's first line (host clock: OVMF's share)"),
    ("boot_wall_to_init", "ms", "QEMU start to init's first line (host clock, firmware included)"),
]

# The disk runs (see "Disks" above): devices as QEMU attaches drive bd, and
# the node both kernels give it; file systems: the mount type bench-disk
# asks for; sizes per mode: file MiB, small files, random reads.
DISK_DEVICES = {
    "vblk": (["-device", "virtio-blk-pci,drive=bd"], "/dev/vda"),
    "nvme": (["-device", "nvme,serial=bench0,drive=bd"], "/dev/nvme0n1"),
}
DISK_FS = {"ext2": "ext2", "fat": "vfat"}
DISK_IMAGE_MIB = 1024
DISK_SIZES = {"quick": (64, 2000, 1000), "full": (256, 10000, 4000)}
DISK_TIMEOUT = {"quick": 900, "full": 2400}  # seconds per disk boot (x2 counting)
DISK_WHAT = [("seq_write", "MB/s", "sequential write of one file, fsync included"),
             ("seq_read", "MB/s", "sequential read of it from the disk"),
             ("rand_read", "IOPS", "4 KiB pread at random offsets of it"),
             ("create", "us", "create a 1 KiB file in one directory, sync included"),
             ("delete", "us", "unlink a 1 KiB file, sync included")]
HIGHER_BETTER = {"MB/s", "IOPS", "ops/s"}  # K/L: Linux's over Kestrel's, time over time
# Debian's kernel has these as modules; modules.dep adds what they need.
LINUX_DISK_MODULES = ["virtio_pci", "virtio_blk", "nvme", "crc32c_generic", "ext4", "vfat",
                      "nls_cp437", "nls_ascii"]


DISK_SELECT = []  # --disk-runs: only these tags (all when empty)
BENCH_SELECT = []  # --metrics: only these bench programs (all when empty)


WORDS_AS_GIVEN = set()  # bench-run words already naming their programs (run_smp's)


def mode_words(mode):
    """bench-run's words for a boot of mode: the mode, then --metrics's names
    (not for a disk run, whose words are positional, nor the SMP boots whose
    words name their programs already)."""
    if not BENCH_SELECT or mode.startswith("disk ") or mode == SMP_BOOT_WORDS or \
            mode in WORDS_AS_GIVEN:
        return mode
    return " ".join([mode] + BENCH_SELECT)


def select_metrics():
    """Keep only the rows of --metrics's programs (NAME and NAME_*) and the boot rows."""
    keep = lambda m: m.startswith("boot_") or any(m == n or m.startswith(n + "_")
                                                   for n in BENCH_SELECT)
    METRICS[:] = [row for row in METRICS if keep(row[0])]  # in place: defaults hold the list


def disk_configs():
    """(tag, device, file system) of every disk run selected, in table order."""
    return [(f"{fs}_{dev}", dev, fs) for dev in DISK_DEVICES for fs in DISK_FS
            if not DISK_SELECT or f"{fs}_{dev}" in DISK_SELECT]


def disk_metrics(tag=None):
    """The disk metrics (of one run, or all): name, unit, what it is."""
    return [(f"disk_{w}_{t}", unit, f"{what} ({fs} on {dev})")
            for t, dev, fs in disk_configs() if tag in (None, t) for w, unit, what in DISK_WHAT]


def disk_word(tag, dev, fs, size):
    """bench-run's words for one disk run (after ' -- ' on both command lines)."""
    mib, files, ops = DISK_SIZES[size]
    return f"disk {DISK_DEVICES[dev][1]} {DISK_FS[fs]} {tag} {mib} {files} {ops}"


# Boot lines: Kestrel prints both itself. The Linux /init prints the second
# from dmesg's timestamp of "Run /init as init process": printk time starts
# at Linux's early TSC set-up, so the EFI stub's decompression (and anything
# before that) is not in it, a bias in Linux's favour. boot_wall_to_init is
# the same for both: host time from QEMU's start to the first line
# bench-run prints, firmware and loaders included.
BOOT_LINES = {
    "boot_reset_to_loader": re.compile(r"boot: reset to loader start (\d+) ms"),
    "boot_loader_to_kernel": re.compile(r"boot: loader start to kernel entry (\d+) ms"),
    "boot_kernel_to_init": re.compile(r"boot: kernel entry to init (\d+) ms"),
}
BENCH_LINE = re.compile(r"^bench (\w+) ([0-9.]+) ([\w/]+)\s*$")
CURVE_LINE = re.compile(r"^bench (\w+)@(\d+) ([0-9.]+) ns\s*$")  # a curve's point: METRIC@N
ERROR_LINE = re.compile(r"^bench-error (\w+) (.*)$")
INIT_FIRST_LINE = "bench-run: mode"
LOADER_FIRST_LINE = "kestrel-loader: starting"
GUEST_TOTAL = re.compile(r"bench-run: (\d+) ms by CLOCK_MONOTONIC")
TROUBLE = re.compile(r"KERNEL PANIC.*|cannot start init.*|Kernel panic.*|"
                     r"init exited with status [1-9].*|killed by signal.*")

# The Linux initramfs's /init: mount what the programs need, bring up lo,
# say when init started by the kernel's clock, run the benchmarks, power
# off. Its arguments are bench-run's (the mode, then any --metrics names):
# Linux hands init the words after " -- " on its command line, as Kestrel
# does.
LINUX_INIT = r"""#!/bin/busybox sh
export PATH=/bin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev
# lo starts down on Linux (Kestrel brings it up at boot): the network benchmarks use 127.0.0.1.
/bin/busybox ip link set lo up || echo "bench: ip link set lo up failed"
ms=$(/bin/busybox dmesg | /bin/busybox awk '/Run \/init as init process/ {
	if (match($0, /[0-9]+\.[0-9]+/)) printf "%d", substr($0, RSTART, RLENGTH) * 1000; exit }')
echo "boot: kernel entry to init ${ms:-?} ms (Linux: printk time of 'Run /init')"
echo "smp: $(/bin/busybox nproc) CPUs online (Linux: nproc)"
if [ "$1" = disk ]; then
	# The disk initramfs: load the drivers and file systems, wait for the disk node.
	for m in $(/bin/busybox cat /lib/modules/order); do
		/bin/busybox insmod /lib/modules/$m.ko || echo "bench: insmod $m failed"
	done
	n=0
	while [ ! -b "$2" ] && [ $n -lt 100 ]; do /bin/busybox usleep 100000; n=$((n + 1)); done
	/bin/bench-run "$@"
else
	# OVMF's Linux loader appends initrd=initrd to the command line, after " -- ": not bench-run's.
	words=
	for w in "$@"; do case "$w" in *=*) ;; *) words="$words $w" ;; esac; done
	/bin/bench-run $words
fi
/bin/busybox poweroff -f
"""


def log(msg):
    print(msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# ---------------------------------------------------------------- preparing the kernels

def kestrel_image(build, out, mode):
    """The Kestrel disk image with the bench command line."""
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            raise RuntimeError(f"missing {build}/{f}: run 'make' first")
    run([os.path.join(TOP, "tools/mkimg.sh"), "--build", build, "-o", out,
         "--cmdline", f"init=/bin/bench-run debugexit -- {mode_words(mode)}"],
        env=dict(os.environ, MTOOLS_SKIP_CHECK="1"), stdout=subprocess.DEVNULL)
    return out


def linux_kernel(benchdir):
    """vmlinuz from Debian's linux-image-amd64 and the version it came from.

    apt-get download fetches the meta package, whose Depends names the real
    image package (linux-image-X.Y.Z-N-amd64); both stay in benchdir/debs,
    so a second run needs no network. Only ./boot is unpacked (dpkg-deb's
    data tar through tar): the image package is 400 MB with its modules,
    which a bench initramfs does not use.
    """
    debs = os.path.join(benchdir, "debs")
    dest = os.path.join(benchdir, "linux")
    os.makedirs(debs, exist_ok=True)
    meta = [f for f in os.listdir(debs) if f.startswith("linux-image-amd64_")]
    if not meta:
        log("bench: downloading linux-image-amd64 (once; cached in build/bench/debs)")
        run(["apt-get", "download", "-q", "linux-image-amd64"], cwd=debs,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        meta = [f for f in os.listdir(debs) if f.startswith("linux-image-amd64_")]
    depends = subprocess.run(["dpkg-deb", "-f", os.path.join(debs, sorted(meta)[-1]), "Depends"],
                             check=True, capture_output=True, text=True).stdout
    m = re.search(r"(linux-image-[\w.+-]+-amd64)(?: \(= ([^)]+)\))?", depends)
    if not m:
        raise RuntimeError(f"linux-image-amd64 depends on '{depends.strip()}': no image package")
    pkg, version = m.group(1), m.group(2)
    debname = [f for f in os.listdir(debs) if f.startswith(pkg + "_")]
    if not debname:
        log(f"bench: downloading {pkg} (once)")
        run(["apt-get", "download", "-q", pkg + (f"={version}" if version else "")], cwd=debs,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        debname = [f for f in os.listdir(debs) if f.startswith(pkg + "_")]
    deb = os.path.join(debs, sorted(debname)[-1])
    vmlinuz = os.path.join(dest, "boot", "vmlinuz-" + pkg[len("linux-image-"):])
    if not os.path.exists(vmlinuz):
        os.makedirs(dest, exist_ok=True)
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        run(["tar", "-x", "-C", dest, "--wildcards", "./boot/*"], stdin=tar.stdout)
        if tar.wait() != 0:
            raise RuntimeError(f"dpkg-deb --fsys-tarfile {deb} failed")
    if not os.path.exists(vmlinuz):
        raise RuntimeError(f"{deb} has no {vmlinuz[len(dest):]}")
    return vmlinuz, f"{pkg} {version or '?'}", deb


def modinfo_depends(path):
    """The modules a .ko needs: its .modinfo section's depends= field."""
    import struct
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise RuntimeError(f"{path} is not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)
    sect = lambda i: struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
    stroff = sect(shstrndx)[4]
    for i in range(shnum):
        name, _, _, _, off, size = sect(i)
        if elf[stroff + name:elf.index(b"\0", stroff + name)] == b".modinfo":
            for field in elf[off:off + size].split(b"\0"):
                if field.startswith(b"depends="):
                    return [d for d in field[8:].decode().split(",") if d]
            return []
    return []


def linux_modules(deb, dest, names):
    """The modules names need, in load order: [(name, .ko path)].

    One pass over the image package unpacks the module directories that
    hold them (cached in dest). The package has no modules.dep (depmod
    makes it at install time), so each module's dependencies come from its
    own .modinfo depends= field, the source depmod reads; they are loaded
    first (a depth-first walk).
    """
    import glob
    anchor = lambda: glob.glob(os.path.join(dest, "lib/modules/*/modules.builtin"))
    if not anchor():
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        run(["tar", "-x", "-C", dest, "--wildcards", "./lib/modules/*/modules.builtin",
             "./lib/modules/*/kernel/drivers/virtio/*", "./lib/modules/*/kernel/drivers/block/*",
             "./lib/modules/*/kernel/drivers/nvme/*", "./lib/modules/*/kernel/block/*",
             "./lib/modules/*/kernel/fs/*",
             "./lib/modules/*/kernel/lib/*", "./lib/modules/*/kernel/crypto/*"], stdin=tar.stdout)
        if tar.wait() != 0:
            raise RuntimeError(f"dpkg-deb --fsys-tarfile {deb} failed")
    if not anchor():
        raise RuntimeError(f"{deb} has no lib/modules")
    moddir = os.path.dirname(anchor()[0])
    key = lambda p: os.path.basename(p).split(".ko")[0].replace("-", "_")
    where = {key(p): p for p in glob.glob(os.path.join(moddir, "kernel", "**", "*.ko"),
                                          recursive=True)}
    order = []

    def visit(name, depth=0):
        name = name.replace("-", "_")
        if name in order:
            return
        if name not in where or depth > 32:
            raise RuntimeError(f"no module {name} under {moddir}")
        for d in modinfo_depends(where[name]):
            visit(d, depth + 1)
        order.append(name)
    for n in names:
        visit(n)
    return [(n, where[n]) for n in order]


def sbin(tool):
    """A host tool that may sit in /sbin outside a non-root PATH."""
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin") or tool


def disk_images(benchdir):
    """The pristine file systems, one DISK_IMAGE_MIB image each: {fs: path}."""
    out = {}
    for fs in DISK_FS:
        path = os.path.join(benchdir, f"disk-{fs}.img")
        if os.path.exists(path):
            os.unlink(path)
        with open(path, "wb") as f:
            f.truncate(DISK_IMAGE_MIB << 20)
        if fs == "ext2":
            run([sbin("mke2fs"), "-q", "-F", "-t", "ext2", "-b", "4096", path])
        else:
            run([sbin("mkfs.fat"), "-F", "32", "-n", "BENCH", path], stdout=subprocess.DEVNULL)
        out[fs] = path
    return out


def fsck(fs, img):
    """The host's verdict on a disk after a run: 'clean' or the checker's complaint."""
    cmd = [sbin("e2fsck"), "-fn", img] if fs == "ext2" else [sbin("fsck.fat"), "-n", img]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode == 0:
        return "clean"
    text = (r.stdout + r.stderr).strip().splitlines()
    return f"{os.path.basename(cmd[0])} exit {r.returncode}: " + " | ".join(text[-4:])[:300]


def cpio_newc(entries):
    """A cpio newc archive from (path, mode, data or None, rdev) entries, owners root."""
    out = bytearray()

    def member(name, mode, data, rdev_major=0, rdev_minor=0, ino=[0]):
        ino[0] += 1
        nb = name.encode() + b"\0"
        hdr = ("070701" + "".join(f"{v:08x}" for v in (
            ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev_major, rdev_minor, len(nb), 0)))
        out.extend(hdr.encode() + nb)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for name, mode, data, rdev in entries:
        member(name, mode, data or b"", *rdev)
    member("TRAILER!!!", 0, b"")
    return bytes(out)


def linux_initramfs(build, out, modules=()):
    """The initramfs: /init, the bench programs Kestrel's rootfs has, busybox,
    /dev/console; and the modules given as (name, .ko path) in load order
    (as /lib/modules/NAME.ko and the list /lib/modules/order)."""
    bindir = os.path.join(build, "rootfs.extra", "bin")
    progs = sorted(f for f in os.listdir(bindir) if f.startswith("bench-")) \
        if os.path.isdir(bindir) else []
    if "bench-run" not in progs:
        raise RuntimeError(f"no {bindir}/bench-run: run 'make' first")
    busybox = os.path.join(build, "rootfs", "bin", "busybox")
    if not os.path.exists(busybox):
        busybox = "/bin/busybox"
    d, f, c = 0o040755, 0o100755, 0o020600
    entries = [("bin", d, None, (0, 0)), ("dev", d, None, (0, 0)),
               ("dev/console", c, None, (5, 1)), ("proc", d, None, (0, 0)),
               ("init", f, LINUX_INIT.encode(), (0, 0))]
    for name, path in [("busybox", busybox)] + [(p, os.path.join(bindir, p)) for p in progs]:
        with open(path, "rb") as fh:
            entries.append(("bin/" + name, f, fh.read(), (0, 0)))
    entries.append(("bin/sh", 0o120777, b"busybox", (0, 0)))
    if modules:
        entries += [("lib", d, None, (0, 0)), ("lib/modules", d, None, (0, 0)),
                    ("lib/modules/order", 0o100644,
                     "".join(n + "\n" for n, _ in modules).encode(), (0, 0))]
        for name, path in modules:
            with open(path, "rb") as fh:
                entries.append((f"lib/modules/{name}.ko", 0o100644, fh.read(), (0, 0)))
    with open(out, "wb") as fh:
        fh.write(gzip.compress(cpio_newc(entries), compresslevel=6, mtime=0))
    return out


# ---------------------------------------------------------------- booting

def qemu_cmd(args, vars_fd, icount, disk=None):
    """The QEMU configuration both kernels share (with -icount when counting;
    with the bench disk, (device arguments, image), when given)."""
    counting = (DISK_ICOUNT_ARGS if disk else ICOUNT_ARGS) if icount else []
    if getattr(args, "mttcg", False):  # the SMP runs: one host thread per vCPU, said out loud
        counting = ICOUNT_ARGS if getattr(args, "smp_icount", False) else ["-accel", "tcg,thread=multi"]
    drive = ["-drive", f"if=none,id=bd,format=raw,cache=unsafe,file={disk[1]}"] + disk[0] \
        if disk else []
    return [QEMU, "-machine", "q35", "-m", args.mem, "-smp", str(args.smp), "-cpu", args.cpu] + \
           counting + drive + [
            "-nodefaults", "-display", "none", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def boot(kernel, args, paths, mode, logpath, icount=False, disk=None, timeout=None):
    """Boot one kernel once. Returns (lines with host timestamps, exit, seconds).

    The serial port is QEMU's stdout, read line by line so that each line
    gets the host time it arrived (boot_wall_to_init); the log file gets
    everything. The run ends when QEMU exits, at a timeout, or shortly
    after `bench done` (a kernel that does not power off is then killed).
    """
    vars_fd = logpath[:-4] + ".vars.fd"
    shutil.copyfile(OVMF_VARS, vars_fd)
    cmd = qemu_cmd(args, vars_fd, icount, disk)
    if kernel == "kestrel":
        cmd += ["-drive", f"format=raw,file={paths['img'][mode]}"]
    else:
        cmd += ["-kernel", paths["vmlinuz"], "-initrd", paths["initrd_disk" if disk else "initrd"],
                "-append", f"console=ttyS0 quiet -- {mode_words(mode)}"]
    errpath = logpath[:-4] + ".qemu-stderr"
    errf = open(errpath, "w+b")  # a file, not a pipe: nobody reads it while QEMU runs
    timeout = (timeout or args.timeout) * (ICOUNT_SLOWDOWN if icount else 1)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
    lines = queue.Queue()

    def reader():
        for raw in proc.stdout:
            lines.put((time.monotonic() - t0, raw.decode(errors="replace").rstrip("\r\n")))
        lines.put(None)
    threading.Thread(target=reader, daemon=True).start()
    got, status, done_at = [], "timeout", None
    with open(logpath, "w") as logf:
        while True:
            now = time.monotonic() - t0
            if now > timeout or (done_at is not None and now > done_at + 15):
                break
            try:
                item = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                status = proc.wait()
                break
            got.append(item)
            logf.write(item[1].replace("\r", "") + "\n")
            if item[1].strip() == "bench done":
                done_at = item[0]
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        if done_at is not None:
            status = "killed after bench done"
    errf.seek(0)
    err = errf.read().decode(errors="replace").strip()
    errf.close()
    os.unlink(errpath)
    if err:
        got.append((time.monotonic() - t0, "qemu: " + err[:300]))
    if kernel == "kestrel" and isinstance(status, int) and status & 1:
        status = f"debugexit {status >> 1}"
    os.unlink(vars_fd)
    return got, status, time.monotonic() - t0


def clock_check(lines):
    """The guest's CLOCK_MONOTONIC over the host's clock for bench-run's whole run, or None.

    bench-run times itself from its first line to its `N ms` line; the host
    saw both lines arrive. Near 1.0 means the guest's clock (which every
    figure is measured with) runs at the right rate.
    """
    start = next((t for t, l in lines if INIT_FIRST_LINE in l), None)
    end = next(((t, GUEST_TOTAL.search(l)) for t, l in lines if GUEST_TOTAL.search(l)), None)
    if start is None or end is None or end[0] - start < 1.0:
        return None
    return round(int(end[1].group(1)) / 1000.0 / (end[0] - start), 3)


def parse_boot(lines, status, timeout, metrics=METRICS):
    """Values per metric from one boot's log, and a reason for each that is missing."""
    values, reasons = {}, {}
    trouble = None
    for t, line in lines:
        m = BENCH_LINE.match(line.strip())
        if m:
            values.setdefault(m.group(1), []).append(float(m.group(2)))
            continue
        m = CURVE_LINE.match(line.strip())
        if m:
            values.setdefault(f"{m.group(1)}@{m.group(2)}", []).append(float(m.group(3)))
            continue
        m = ERROR_LINE.match(line.strip())
        if m:
            reasons.setdefault(m.group(1), m.group(2).strip())
            continue
        for key, rx in BOOT_LINES.items():
            m = rx.search(line)
            if m:
                values.setdefault(key, []).append(float(m.group(1)))
        if INIT_FIRST_LINE in line and "boot_wall_to_init" not in values:
            values["boot_wall_to_init"] = [round(t * 1000.0)]
        if LOADER_FIRST_LINE in line and "boot_wall_to_loader" not in values:
            values["boot_wall_to_loader"] = [round(t * 1000.0)]
        m = TROUBLE.search(line)
        if m and trouble is None:
            trouble = m.group(0).strip()
    if "boot_loader_to_kernel" in values and "boot_kernel_to_init" in values:
        values["boot_loader_to_init"] = [values["boot_loader_to_kernel"][0] +
                                         values["boot_kernel_to_init"][0]]
    done = any(line.strip() == "bench done" for _, line in lines)
    last = next((l.strip() for _, l in reversed(lines) if l.strip()), "(no output)")
    if status == "timeout":
        general = f"boot timed out after {timeout} s; " + (trouble or f"last line: {last}")
    elif not done:
        general = trouble or f"QEMU exited ({status}) before 'bench done'; last line: {last}"
    else:
        general = "the log has no such line"
    for name, _, _ in metrics:
        if name not in values and name not in reasons:
            reasons[name] = reasons.get("disk") or general
    return values, reasons


# ---------------------------------------------------------------- results

def summarise(results, icount, metrics=METRICS):
    """Per metric and kernel: all values, median, min, spread, or the reason it is missing.

    Wall clock: a kernel's figure whose spread is over UNRELIABLE_PCT is
    marked unreliable (and so is the row). Instruction counts: the unit
    is the instruction one, and a host-timed metric has no count.
    """
    table = []
    for name, unit, what in metrics:
        row = dict(metric=name, unit=ICOUNT_UNIT.get(unit, unit) if icount else unit,
                   description=what)
        for k in KERNELS:
            vals = [v for b in results[k] for v in b["values"].get(name, [])]
            if icount and name in HOST_TIMED:
                vals = []
            if vals:
                med = statistics.median(vals)
                spread = (max(vals) - min(vals)) / med * 100.0 if med else 0.0
                row[k] = dict(median=med, min=min(vals), max=max(vals), values=vals,
                              spread_pct=round(spread, 1))
                if not icount:
                    row[k]["unreliable"] = spread > UNRELIABLE_PCT
            else:
                why = [b["reasons"].get(name) for b in results[k] if b["reasons"].get(name)]
                if not results[k]:
                    why = ["not run"]
                if k == "linux" and name in ("boot_loader_to_kernel", "boot_loader_to_init",
                                             "boot_wall_to_loader", "boot_reset_to_loader"):
                    why = ["no loader of its own to time (booted as an EFI stub)"]
                if icount and name in HOST_TIMED:
                    why = ["host time, not guest instructions"]
                row[k] = dict(median=None, reason=why[0] if why else "no value")
        a, b = row["kestrel"]["median"], row["linux"]["median"]
        if unit in HIGHER_BETTER:  # the ratio is always Kestrel's time over Linux's
            a, b = b, a
        row["ratio"] = round(a / b, 3) if a is not None and b else None
        if not icount:
            row["unreliable"] = any(row[k].get("unreliable") for k in KERNELS)
        table.append(row)
    return table


# The figures' formats, shared with the Markdown pages (results_md.py).
fmt_num = results_md.fmt_num
fmt_ins = results_md.fmt_ins
fmt_ratio = results_md.fmt_ratio


def print_table(tables):
    """One row per metric: instructions (the deciding ratio) then wall clock."""
    ic, wall = tables.get("icount"), tables.get("wall")
    head = ["metric"]
    if ic:
        head += ["K ins", "L ins", "K/L ins"]
    if wall:
        head += ["unit", "K med", "K min", "L med", "L min", "K/L wall", "spread K", "spread L"]
    rows, notes = [], []
    for i, (name, _, _) in enumerate(METRICS):
        cells = [name]
        if ic:
            r = ic[i]
            cells += results_md.icount_cells(r)
        if wall:
            r = wall[i]
            k, l = r["kestrel"], r["linux"]
            spread = lambda d: "" if d["median"] is None else \
                f"{d['spread_pct']:.0f}%" + ("!" if d.get("unreliable") else "")
            cells += [r["unit"], fmt_num(k["median"]), fmt_num(k.get("min")),
                      fmt_num(l["median"]), fmt_num(l.get("min")), fmt_ratio(r["ratio"]),
                      spread(k), spread(l)]
        rows.append(cells)
        for mode, t in (("instructions", ic), ("wall clock", wall)):
            if not t:
                continue
            for kern, key in (("Kestrel", "kestrel"), ("Linux", "linux")):
                d = t[i][key]
                if d["median"] is None and d["reason"] != "not run" and \
                        not (mode == "instructions" and name in HOST_TIMED):
                    notes.append(f"  {name} on {kern} ({mode}): n/a: {d['reason']}")
    widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 or c in ("ns", "us", "ms", "unit")
                                   else str(c).rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(head))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    if ic:
        print("ins: guest instructions per operation under -icount shift=0,sleep=off "
              "(k: thousands, M: millions); K/L ins decides")
    if wall:
        print(f"wall: median and min over every run; spread: (max - min) / median; "
              f"!: spread over {UNRELIABLE_PCT:.0f}%, the figure is unreliable on this host")
    print("K/L < 1: Kestrel faster")
    if notes:
        print("n/a:")
        print("\n".join(notes))


def svg_chart(table, meta, icount):
    """A bar per metric: the ratio Kestrel/Linux on a log scale, with the 1.0 line."""
    rows = table
    left, width, bar_h, gap, top = 190, 460, 18, 8, 56
    lo, hi = 0.01, 100.0

    def x(r):
        r = min(max(r, lo), hi)
        return left + (math.log10(r) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * width
    height = top + len(rows) * (bar_h + gap) + 40
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 230}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="15" font-weight="bold">Kestrel / Linux, '
           f'{"guest instructions" if icount else "median time"} per operation '
           f'(below 1: Kestrel is faster)</text>',
           f'<text x="10" y="38" fill="#555">{esc(meta)}</text>']
    for tick in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100):
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{height - 34}" '
                   f'stroke="{"#000" if tick == 1 else "#ddd"}" '
                   f'stroke-width="{2 if tick == 1 else 1}"/>')
        out.append(f'<text x="{tx:.1f}" y="{height - 20}" text-anchor="middle">{tick:g}</text>')
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{esc(r["metric"])}</text>')
        if r["ratio"] is None:
            k, l = r["kestrel"], r["linux"]
            if k["median"] is not None:
                why = f'Kestrel only: {fmt_num(k["median"])} {r["unit"]} (Linux: {l["reason"]})'
            else:
                why = f'n/a on Kestrel: {k["reason"]}'
            out.append(f'<text x="{left + 6}" y="{y + 13}" fill="#888">{esc(why[:90])}</text>')
            continue
        x0, x1 = x(1.0), x(r["ratio"])
        color = "#2a7" if r["ratio"] <= 1.0 else "#c44"
        out.append(f'<rect x="{min(x0, x1):.1f}" y="{y}" width="{max(abs(x1 - x0), 1):.1f}" '
                   f'height="{bar_h}" fill="{color}"/>')
        out.append(f'<text x="{left + width + 8}" y="{y + 13}">{r["ratio"]:.2f}x  '
                   f'({fmt_num(r["kestrel"]["median"])} vs {fmt_num(r["linux"]["median"])} '
                   f'{r["unit"]}){" unreliable" if r.get("unreliable") else ""}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def environment(args, linux_version):
    qemu = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    git = subprocess.run(["git", "-C", TOP, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    return dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                qemu=qemu.splitlines()[0] if qemu else "?", host_cpu=cpu,
                host_cpus=os.cpu_count(), host_kernel=platform.release(),
                qemu_config=f"q35, -m {args.mem}, -smp {args.smp}, -cpu {args.cpu}, TCG, OVMF 4M",
                kestrel=f"git {git}", linux=linux_version)


# ---------------------------------------------------------------- curves

def summarise_curves(results):
    """The curves (instruction mode): per metric, per N, each kernel's value and the ratio."""
    points = {}
    for k in KERNELS:
        for b in results[k]:
            for key, vals in b["values"].items():
                if "@" in key:
                    metric, n = key.split("@")
                    points.setdefault(metric, {}).setdefault(int(n), {})[k] = statistics.median(vals)
    curves = []
    for metric in sorted(points):
        rows = []
        for n in sorted(points[metric]):
            d = points[metric][n]
            a, b = d.get("kestrel"), d.get("linux")
            rows.append(dict(n=n, kestrel=a, linux=b,
                             ratio=round(a / b, 3) if a is not None and b else None))
        curves.append(dict(metric=metric, unit="ins", points=rows))
    return curves


def print_curves(curves):
    if not curves:
        return
    print("\ncurves: guest instructions per operation against N (K/L < 1: Kestrel cheaper)")
    for c in curves:
        cells = "  ".join(f"{p['n']}: {fmt_num(p['kestrel'])}/{fmt_num(p['linux'])}"
                          f" ({fmt_ratio(p['ratio'])})" for p in c["points"])
        print(f"  {c['metric']:<16} {cells}")


def svg_curves(curves, meta):
    """One small log-log chart per curve: Kestrel and Linux, instructions per operation against N."""
    w, h, pad, cols = 300, 200, 44, 3
    rows = (len(curves) + cols - 1) // cols
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{cols * (w + 20) + 20}" '
           f'height="{rows * (h + 40) + 60}" font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="15" font-weight="bold">How cost grows with N: guest '
           'instructions per operation (log-log; <tspan fill="#2a7">Kestrel</tspan>, '
           '<tspan fill="#c44">Linux</tspan>)</text>',
           f'<text x="10" y="38" fill="#555">{meta}</text>']
    for i, c in enumerate(curves):
        ox, oy = 20 + (i % cols) * (w + 20), 50 + (i // cols) * (h + 40)
        vals = [p[k] for p in c["points"] for k in KERNELS if p[k]]
        ns = [p["n"] for p in c["points"]]
        if not vals:
            continue
        lo, hi = math.log10(min(vals)) - 0.1, math.log10(max(vals)) + 0.1
        nlo, nhi = math.log10(min(ns)), max(math.log10(max(ns)), math.log10(min(ns)) + 1)
        px = lambda n: ox + pad + (math.log10(n) - nlo) / (nhi - nlo) * (w - pad - 10)
        py = lambda v: oy + h - 20 - (math.log10(v) - lo) / (hi - lo) * (h - 40)
        out.append(f'<rect x="{ox}" y="{oy}" width="{w}" height="{h}" fill="none" stroke="#ccc"/>')
        out.append(f'<text x="{ox + 6}" y="{oy + 14}" font-weight="bold">{c["metric"]}</text>')
        for n in ns:
            out.append(f'<text x="{px(n):.1f}" y="{oy + h - 6}" text-anchor="middle">{n}</text>')
        for v in (min(vals), max(vals)):
            out.append(f'<text x="{ox + pad - 4}" y="{py(v):.1f}" text-anchor="end">{fmt_num(v)}</text>')
        for k, color in (("kestrel", "#2a7"), ("linux", "#c44")):
            pts = [(px(p["n"]), py(p[k])) for p in c["points"] if p[k]]
            if pts:
                out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="' +
                           " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- SMP runs

# The SMP runs (--smp-runs, see "SMP" above): both kernels boot bench-run's
# smp mode once at each -smp of SMP_COUNTS; Kestrel boots once more at
# SMP_BOOT_ONLY CPUs for its boot time alone (bench-run runs nothing).
SMP_COUNTS = (1, 2, 4)
SMP_BOOT_ONLY = 8
SMP_BOOT_WORDS = "smp none"  # a bench-run name that matches no benchmark
SMP_TIMEOUT = 420  # seconds per boot (bench-run gives each program 20 s)
SMP_OTHERS_MAX = 0.25  # host cores used by others during a boot above which it is unreliable
SMP_BOOT_GOAL_MS = 20  # issue 11: -smp 8 boot no more than this over -smp 1
SMP_SPEEDUP_GOAL = 1.8
SMP_PROGRAMS = ("parallel", "fork_exec_par", "pipe_xcpu", "futex_xcpu", "scale")  # bench-run's
# The scaling pairs (see "SMP" above): bench-scale KIND MS N, a worker per CPU
# online, each KIND's throughput at -smp 1 and 2; issue 29's goal for
# Kestrel's 2/1 ratio: at least SCALE_GOAL and Linux's. Only at SCALE_COUNTS:
# at -smp 4 a 2-core host runs four busy vCPUs on two cores, and the ratio
# would be QEMU's. On Kestrel each window also has the kernel lock's
# statistics (/proc/klock_stat), its share of CPU time spent waiting for the
# lock against KLOCK_WAIT_GOAL_PCT.
SCALE_KINDS = [
    ("fork_exec", "fork + execve tiny static + wait4"),
    ("page_fault", "first write to a page of a private anonymous 1 MiB mapping (per page)"),
    ("open_close", "open + close of the worker's own file"),
    ("pipe", "1-byte round trip between the worker and its own child over two pipes"),
    ("mmap_munmap", "mmap + munmap of 128 MiB private anonymous memory, untouched"),
    ("futex", "FUTEX_WAKE / FUTEX_WAIT round trip between the worker's two threads"),
    ("stat", "stat of the worker's own file"),
    ("tcp", "1-byte round trip between the worker and its own child over a TCP connection on lo"),
    ("unix", "1-byte round trip between the worker and its own child over an AF_UNIX socketpair"),
]
SCALE_COUNTS = (1, 2)
SCALE_GOAL = 1.8
KLOCK_WAIT_GOAL_PCT = 1.0
# One more Kestrel boot at -smp KLOCK_ICOUNT_SMP runs the scaling pairs under
# -icount for the kernel lock's counts alone: the share of guest instructions
# run holding it, the same on any host (wall-clock shares move with the host's load).
KLOCK_ICOUNT_SMP = 1
SCALE_NOT_RUN = f"the scaling pairs run at -smp {' and '.join(map(str, SCALE_COUNTS))} only"
SMP_METRICS = [
    ("parallel", "ms", "2 processes each running a CPU-bound loop (no system calls): wall time"),
    ("fork_exec_par2", "us", "fork + execve tiny static + wait4, 2 workers: time per operation"),
    ("fork_exec_par4", "us", "the same, 4 workers"),
    ("pipe_xcpu", "us", "1-byte pipe round trip, the two processes pinned to different CPUs"),
    ("futex_xcpu", "us", "FUTEX_WAKE to the woken thread running, threads on different CPUs"),
] + [(f"scale_{k}", "ops/s", f"a worker per CPU, each: {what}; operations a second, all workers")
     for k, what in SCALE_KINDS] + [
    ("boot_kernel_to_init", "ms", "kernel entry to init (kernel's clock)"),
]
SMP_ONLINE = re.compile(r"smp: (\d+) CPUs? online")
# bench-scale's copy of /proc/klock_stat (Kestrel): a head line, then the file's lines.
KLOCK_HEAD = re.compile(r"^klock (scale_\w+) window_us (\d+) cpus (\d+)\s*$")
KLOCK_ROW = re.compile(r"^klock (scale_\w+) \| (.*)$")
KLOCK_FIELDS = ("takes", "contended", "wait_us", "hold_us", "maxwait_us", "maxhold_us")


def host_cpu_seconds():
    """(busy CPU seconds of the whole host, CPU seconds of this process and its reaped children)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    t = os.times()
    return busy / os.sysconf("SC_CLK_TCK"), t.user + t.system + t.children_user + t.children_system


def others_cores(cpu0, cpu1, secs):
    """Host cores other processes kept busy between two host_cpu_seconds()
    readings SECS apart (the host's busy time less this process's and its
    reaped children's, QEMU's among them); above SMP_OTHERS_MAX a timed boot
    is unreliable."""
    return max(0.0, (cpu1[0] - cpu0[0]) - (cpu1[1] - cpu0[1])) / secs if secs > 0 else 0.0


def wall_boot(kernel, cpus, args, paths, words, logpath):
    """Boot KERNEL at -smp CPUS under multi-threaded TCG (the wall clock)
    with guest words WORDS, logging to LOGPATH: (lines, status, seconds,
    the host's load average before, the host cores others took meanwhile).
    A QEMU that cannot start is a boot that ran nothing."""
    bargs = argparse.Namespace(**dict(vars(args), smp=cpus, mttcg=True))
    load_before, cpu0 = loadavg(), host_cpu_seconds()
    try:
        lines, status, secs = boot(kernel, bargs, paths, words, logpath, timeout=args.timeout)
    except OSError as e:
        lines, status, secs = [(0.0, f"cannot run QEMU: {e}")], "not started", 0.0
    return lines, status, secs, load_before, others_cores(cpu0, host_cpu_seconds(), secs)


def smp_boot(kernel, args, paths, n, words, benchdir, icount=False):
    """One SMP boot of kernel with -smp n running bench-run's words (under -icount
    when icount: for the kernel lock's counts alone). Returns a record: values,
    reasons, the CPUs the kernel says are online, the host cores others used."""
    logpath = os.path.join(benchdir, "logs", f"{kernel}-smp{n}{'-icount' if icount else ''}.log")
    smp_args = argparse.Namespace(**dict(vars(args), smp=n, mttcg=True, smp_icount=icount))
    load_before, cpu0 = loadavg(), host_cpu_seconds()
    try:
        lines, status, secs = boot(kernel, smp_args, paths, words, logpath, timeout=SMP_TIMEOUT)
    except OSError as e:
        lines, status, secs = [(0.0, f"cannot run QEMU: {e}")], "not started", 0.0
    # Busy host CPU time not spent by QEMU (or this script), in cores over the boot.
    others = others_cores(cpu0, host_cpu_seconds(), secs)
    values, reasons = parse_boot(lines, status, SMP_TIMEOUT, SMP_METRICS)
    if n not in SCALE_COUNTS:
        reasons.update({f"scale_{k}": SCALE_NOT_RUN for k, _ in SCALE_KINDS})
    online = next((int(m.group(1)) for _, l in lines for m in [SMP_ONLINE.search(l)] if m), None)
    busy = others > SMP_OTHERS_MAX
    clock = clock_check(lines)
    log(f"bench: smp {kernel} -smp {n}: {sum(len(v) for v in values.values())} results, "
        f"exit {status}, {secs:.0f} s, {online or '?'} CPUs online, guest/host clock "
        f"{clock or '?'}, host load {load_before} -> {loadavg()}, others used {others:.2f} "
        f"host cores{' (busy)' if busy else ''}, log {os.path.relpath(logpath, TOP)}")
    if clock and abs(clock - 1.0) > 0.05:
        log(f"bench: WARNING: {kernel}'s CLOCK_MONOTONIC ran at {clock} of the host's rate at "
            f"-smp {n}: its figures are off by as much")
    return dict(kernel=kernel, smp=n, icount=icount, values=values, reasons=reasons, online=online,
                klock=parse_klock(lines), guest_over_host_clock=clock,
                others_cores=round(others, 2), busy=busy, exit=str(status),
                seconds=round(secs, 1), host_load_before=load_before,
                log=os.path.relpath(logpath, TOP))


def parse_klock(lines):
    """bench-scale's copies of /proc/klock_stat: {metric: [one per run: window_us,
    cpus, the cpu lines summed (cpu), the entries by name]}."""
    out = {}
    for _, line in lines:
        m = KLOCK_HEAD.match(line.strip())
        if m:
            out.setdefault(m.group(1), []).append(dict(
                window_us=int(m.group(2)), cpus=int(m.group(3)),
                cpu=dict.fromkeys(KLOCK_FIELDS[:4], 0), entries={}))
            continue
        m = KLOCK_ROW.match(line.strip())
        if not m or not out.get(m.group(1)):
            continue
        words = m.group(2).split()
        if len(words) < 7 or not all(w.isdigit() for w in words[-6:]):
            continue  # the on/off line and the column heads
        name, nums = " ".join(words[:-6]), dict(zip(KLOCK_FIELDS, map(int, words[-6:])))
        dump = out[m.group(1)][-1]
        if re.fullmatch(r"cpu\d+", name):
            for f in dump["cpu"]:
                dump["cpu"][f] += nums[f]
        else:
            dump["entries"][name] = nums
    return out


def smp_words_for(words, n):
    """bench-run's words at -smp n: all of words, or at a count without the
    scaling pairs the other SMP programs by name (None: nothing is left to run)."""
    if n in SCALE_COUNTS:
        return words
    others = [p for p in SMP_PROGRAMS if p != "scale"]
    names = [n for n in BENCH_SELECT if any(n.startswith(p) for p in others)] \
        if BENCH_SELECT else others  # a program's name or one of its metrics' (bench-run's)
    if not names:
        return None
    given = " ".join([words] + names)
    WORDS_AS_GIVEN.add(given)
    return given


def run_smp(args, kernels, paths, benchdir, words):
    """Every SMP boot, alternating kernels at each -smp. Returns the boot records."""
    plan = [(n, k, smp_words_for(words, n)) for n in SMP_COUNTS for k in kernels]
    plan = [(n, k, w) for n, k, w in plan if w]
    for w in {w for _, k, w in plan if k == "kestrel" and w not in paths["img"]}:
        paths["img"][w] = kestrel_image(
            os.path.dirname(benchdir), os.path.join(benchdir, "kestrel-smp-noscale.img"), w)
    plan = [(n, k, w, False) for n, k, w in plan]
    if "kestrel" in kernels:
        plan.append((SMP_BOOT_ONLY, "kestrel", SMP_BOOT_WORDS, False))
        if KLOCK_ICOUNT_SMP in SCALE_COUNTS and smp_words_for(words, KLOCK_ICOUNT_SMP):
            plan.append((KLOCK_ICOUNT_SMP, "kestrel", words, True))
    return [smp_boot(k, args, paths, n, w, benchdir, icount) for n, k, w, icount in plan]


def smp_cell(records, kernel, n, name):
    """One kernel's figure at -smp n: median, min, spread, unreliable (spread over
    UNRELIABLE_PCT or a busy host), or the reason it is missing."""
    recs = [r for r in records if r["kernel"] == kernel and r["smp"] == n and not r.get("icount")]
    vals = [v for r in recs for v in r["values"].get(name, [])]
    if not vals and n == SMP_BOOT_ONLY and name != "boot_kernel_to_init":
        return dict(median=None, reason="boot time only")
    if not vals and name.startswith("scale_") and n not in SCALE_COUNTS:
        return dict(median=None, reason=SCALE_NOT_RUN)
    if not vals:
        why = next((r["reasons"].get(name) for r in recs if r["reasons"].get(name)), None)
        return dict(median=None, reason=why or ("not run" if not recs else "no value"))
    med = statistics.median(vals)
    spread = (max(vals) - min(vals)) / med * 100.0 if med else 0.0
    busy = any(r["busy"] for r in recs)
    return dict(median=med, min=min(vals), values=vals, spread_pct=round(spread, 1),
                host_busy=busy, unreliable=spread > UNRELIABLE_PCT or busy)


def summarise_smp(records):
    """The SMP table: per metric, per kernel and -smp, a cell; K/L per -smp; the
    speed-ups and Kestrel's boot-time difference."""
    counts = sorted({r["smp"] for r in records if not r.get("icount")})
    rows = []
    for name, unit, what in SMP_METRICS:
        row = dict(metric=name, unit=unit, description=what, ratio={})
        for k in KERNELS:
            row[k] = {str(n): smp_cell(records, k, n, name) for n in counts}
        for n in counts:
            a, b = row["kestrel"][str(n)]["median"], row["linux"][str(n)]["median"]
            if unit in HIGHER_BETTER:  # the ratio is always Kestrel's time over Linux's
                a, b = b, a
            row["ratio"][str(n)] = round(a / b, 3) if a is not None and b else None
        rows.append(row)
    par = rows[0]
    speedup = {}
    for k in KERNELS:
        t1, t2 = par[k]["1"]["median"] if "1" in par[k] else None, \
            par[k]["2"]["median"] if "2" in par[k] else None
        speedup[k] = dict(value=round(t1 / t2, 3) if t1 and t2 else None,
                          unreliable=bool(t1 and t2 and (par[k]["1"]["unreliable"] or
                                                         par[k]["2"]["unreliable"])))
    boot = next(r for r in rows if r["metric"] == "boot_kernel_to_init")["kestrel"]
    b1, b8 = boot.get("1", {}).get("median"), boot.get(str(SMP_BOOT_ONLY), {}).get("median")
    online = {f"{r['kernel']} -smp {r['smp']}": r["online"] for r in records if not r.get("icount")}
    booted = {k: [n for n in counts if any(r["kernel"] == k and r["smp"] == n for r in records)]
              for k in KERNELS}
    return dict(counts=counts, booted=booted, metrics=rows, speedup=speedup, online=online,
                boot_delta_ms=b8 - b1 if b1 is not None and b8 is not None else None,
                scale=summarise_scale(rows), klock=summarise_klock(records))


def summarise_scale(rows):
    """The scaling pairs: per KIND and kernel, ops/s at -smp 1 and 2 and their
    ratio; whether Kestrel's ratio meets the goal (SCALE_GOAL and Linux's)."""
    out = []
    for kind, what in SCALE_KINDS:
        row = next(r for r in rows if r["metric"] == f"scale_{kind}")
        d = dict(kind=kind, description=what)
        for k in KERNELS:
            c1, c2 = row[k].get("1", {}), row[k].get("2", {})
            v1, v2 = c1.get("median"), c2.get("median")
            u1, u2 = bool(c1.get("unreliable")), bool(c2.get("unreliable"))
            d[k] = dict(smp1=v1, smp2=v2, ratio=round(v2 / v1, 3) if v1 and v2 else None,
                        smp1_unreliable=u1, smp2_unreliable=u2, unreliable=u1 or u2)
        kr, lr = d["kestrel"]["ratio"], d["linux"]["ratio"]
        d["goal_met"] = None if kr is None else kr >= SCALE_GOAL and (lr is None or kr >= lr)
        out.append(d)
    return out


def klock_share(dumps):
    """Kestrel's kernel lock over some windows: the share of CPU time (window x
    CPUs) spent waiting for it and holding it, contended takes, and the entries
    by time waited, each with its share of the CPU time waiting and holding."""
    cpu_us = sum(d["window_us"] * d["cpus"] for d in dumps)
    if not cpu_us:
        return None
    total = {f: sum(d["cpu"][f] for d in dumps) for f in KLOCK_FIELDS[:4]}
    entries = {}
    for d in dumps:
        for name, e in d["entries"].items():
            acc = entries.setdefault(name, dict.fromkeys(KLOCK_FIELDS[:4], 0))
            for f in acc:
                acc[f] += e[f]
    pct = lambda us: round(100.0 * us / cpu_us, 2)
    top = sorted(entries.items(), key=lambda kv: -kv[1]["wait_us"])
    return dict(cpu_us=cpu_us, wait_pct=pct(total["wait_us"]), hold_pct=pct(total["hold_us"]),
                takes=total["takes"], contended=total["contended"],
                entries=[dict(name=n, wait_pct=pct(e["wait_us"]), hold_pct=pct(e["hold_us"]),
                              takes=e["takes"], contended=e["contended"]) for n, e in top])


def summarise_klock(records):
    """Kestrel's kernel lock during the scaling pairs' windows, per -smp (the
    -icount boot's as "N-icount"): per KIND (every round's window together)
    and all KINDs together."""
    out = {}
    for r in records:
        if r["kernel"] != "kestrel" or not r.get("klock"):
            continue
        per = out.setdefault(str(r["smp"]) + ("-icount" if r.get("icount") else ""), {})
        for metric, dumps in r["klock"].items():
            per.setdefault(metric[len("scale_"):], []).extend(dumps)
    return {n: dict({k: klock_share(d) for k, d in per.items()},
                    all=klock_share([x for d in per.values() for x in d]))
            for n, per in out.items()}


def print_columns(head, rows, left=(0, 1)):
    """Print rows under head, columns padded: those in left left-aligned (names: the
    first two unless told), the rest right."""
    widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
    line = lambda cells: "  ".join(str(c).ljust(w) if i in left else str(c).rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(head))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


def smp_selected(metric):
    """Whether --metrics asked for the SMP program that reports metric (all when it
    names none; the boot rows always): fork_exec_par for fork_exec_par2, scale for
    scale_stat, or the metric itself."""
    return not BENCH_SELECT or metric.startswith("boot_") or \
        any(metric.startswith(n) for n in BENCH_SELECT)


def print_smp(smp):
    """The SMP table, the speed-ups against the goal, Kestrel's boot difference, the CPUs online."""
    booted = smp["booted"]
    both = [n for n in booted["kestrel"] if n in booted["linux"]]
    head = ["smp metric", "unit"] + [f"{k[0].upper()} -smp {n}" for k in KERNELS
                                     for n in booted[k]] + [f"K/L -smp {n}" for n in both]
    rows, notes = [], []
    for r in [r for r in smp["metrics"] if smp_selected(r["metric"])]:
        cells = [r["metric"], r["unit"]]
        for k in KERNELS:
            for n in booted[k]:
                d = r[k][str(n)]
                cells.append(fmt_num(d["median"]) + ("!" if d.get("unreliable") else ""))
                if d["median"] is None and d["reason"] not in ("not run", "no value",
                                                               "boot time only", SCALE_NOT_RUN):
                    notes.append(f"  {r['metric']} on {k} -smp {n}: n/a: {d['reason']}")
        cells += [fmt_ratio(r["ratio"][str(n)]) for n in both]
        rows.append(cells)
    print_columns(head, rows)
    print(f"smp: wall clock only (-accel tcg,thread=multi: one host thread per vCPU); median of "
          f"the runs; !: spread over {UNRELIABLE_PCT:.0f}% or other processes used more than "
          f"{SMP_OTHERS_MAX} host cores during the boot")
    su = smp["speedup"]
    fmt_su = lambda d: "n/a" if d["value"] is None else \
        f"{d['value']:.2f}x" + (" (unreliable)" if d["unreliable"] else "")
    if smp_selected("parallel"):
        print(f"parallel speed-up, time at -smp 1 over -smp 2: Kestrel {fmt_su(su['kestrel'])}, "
              f"Linux {fmt_su(su['linux'])} (goal: at least {SMP_SPEEDUP_GOAL}x and Linux's)")
    if smp["boot_delta_ms"] is not None:
        print(f"Kestrel boot, kernel entry to init: -smp {SMP_BOOT_ONLY} is "
              f"{smp['boot_delta_ms']:+.0f} ms over -smp 1 (goal: at most +{SMP_BOOT_GOAL_MS} ms)")
    print("CPUs online: " + ", ".join(f"{k} {v if v is not None else '?'}"
                                      for k, v in smp["online"].items()))
    if notes:
        print("smp n/a:")
        print("\n".join(notes))
    print_scale(smp["scale"])
    print_klock(smp["klock"])
    print_klock(smp["klock"], f"{KLOCK_ICOUNT_SMP}-icount")


def print_scale(scale):
    """The scaling pairs: ops/s at -smp 1 and 2, the 2/1 ratios, Kestrel's against the goal."""
    if not any(d[k]["smp1"] or d[k]["smp2"] for d in scale for k in KERNELS):
        return
    print(f"\nscaling pairs (will-it-scale style, a worker per CPU): ops/s, wall clock; "
          f"2/1: -smp 2 over -smp 1 (!: either figure unreliable); goal: Kestrel's 2/1 at "
          f"least {SCALE_GOAL} and Linux's")
    fmt = lambda d, key: fmt_num(d[key]) + ("!" if d[f"{key}_unreliable"] else "")
    ratio = lambda d: fmt_ratio(d["ratio"]) + ("!" if d["ratio"] and d["unreliable"] else "")
    rows = []
    for d in scale:
        k, l = d["kestrel"], d["linux"]
        goal = "n/a" if d["goal_met"] is None else "met" if d["goal_met"] else "not met"
        rows.append([d["kind"], "ops/s", fmt(k, "smp1"), fmt(k, "smp2"), ratio(k),
                     fmt(l, "smp1"), fmt(l, "smp2"), ratio(l), goal])
    print_columns(["scale kind", "unit", "K -smp 1", "K -smp 2", "K 2/1", "L -smp 1",
                   "L -smp 2", "L 2/1", "goal"], rows)


def print_klock(klock, n="2", top=3):
    """Kestrel's kernel lock during the scaling windows at -smp n: share of CPU time waiting
    and holding, per KIND and all together, and the entries that waited longest."""
    per = klock.get(n)
    if not per:
        return
    if n.endswith("-icount"):
        print(f"\nKestrel's kernel lock at -smp {n[:-len('-icount')]} under -icount (/proc/klock_stat): "
              f"% of the windows' guest instructions run holding it (the same on any host)")
        rows = [[kind, f"{d['hold_pct']:.1f}%", ", ".join(
            f"{e['name']} {e['hold_pct']:.1f}" for e in
            sorted(d["entries"], key=lambda e: -e["hold_pct"])[:top])]
            for kind in [k for k, _ in SCALE_KINDS if per.get(k)] + ["all"] for d in [per.get(kind)] if d]
        print_columns(["klock kind", "hold", f"top {top} by hold: entry hold%"], rows, left=(0, 2))
        return
    else:
        print(f"\nKestrel's kernel lock at -smp {n} during the scaling windows (/proc/klock_stat): "
              f"% of CPU time (window x CPUs) waiting for it and holding it; goal: waiting below "
              f"{KLOCK_WAIT_GOAL_PCT:g}%")
    rows = []
    for kind in [k for k, _ in SCALE_KINDS if per.get(k)] + ["all"]:
        d = per.get(kind)
        if not d:
            continue
        tops = ", ".join(f"{e['name']} {e['wait_pct']:.1f}/{e['hold_pct']:.1f}"
                         for e in d["entries"][:top])
        rows.append([kind, f"{d['wait_pct']:.1f}%", f"{d['hold_pct']:.1f}%",
                     f"{100.0 * d['contended'] / d['takes']:.0f}%" if d["takes"] else "n/a",
                     "met" if d["wait_pct"] < KLOCK_WAIT_GOAL_PCT else "not met", tops])
    print_columns(["klock kind", "wait", "hold", "contended", "goal",
                   f"top {top} by wait: entry wait%/hold%"], rows, left=(0, 5))


# ---------------------------------------------------------------- main

def prepare(args, build, benchdir, modes, disk_words=()):
    """The Kestrel images (one per bench-run mode and disk run) and the Linux
    kernel and initramfs (and the disk one, with modules): (kernels, paths,
    errors, version)."""
    kernels, paths, setup_errors = [], {}, {}
    linux_version = "not run"
    for k in KERNELS:
        if args.only and k != args.only:
            continue
        try:
            if k == "kestrel":
                paths["img"] = {m: kestrel_image(build, os.path.join(benchdir, f"kestrel-{m}.img"), m)
                                for m in modes}
                for tag, word in disk_words:
                    paths["img"][word] = kestrel_image(
                        build, os.path.join(benchdir, f"kestrel-disk-{tag}.img"), word)
            else:
                paths["vmlinuz"], linux_version, deb = linux_kernel(benchdir)
                paths["initrd"] = linux_initramfs(build, os.path.join(benchdir, "initramfs.cpio.gz"))
                if disk_words:
                    mods = linux_modules(deb, os.path.join(benchdir, "linux"), LINUX_DISK_MODULES)
                    paths["initrd_disk"] = linux_initramfs(
                        build, os.path.join(benchdir, "initramfs-disk.cpio.gz"), mods)
            kernels.append(k)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            why = getattr(e, "stderr", None)
            why = why.decode(errors="replace").strip() if isinstance(why, bytes) else ""
            setup_errors[k] = f"cannot prepare {k}: {e}" + (f": {why[:200]}" if why else "")
            log("bench: " + setup_errors[k])
    return kernels, paths, setup_errors, linux_version


def loadavg():
    return round(os.getloadavg()[0], 2)


def run_mode(how, rounds, args, kernels, paths, mode, benchdir, setup_errors):
    """Boot each kernel rounds times, alternating, in one way of measuring
    ("icount" or "wall"). Returns (results per kernel, boot records)."""
    icount = how == "icount"
    results = {k: [] for k in KERNELS}
    boots = []
    for r in range(rounds):
        for k in kernels:
            logpath = os.path.join(benchdir, "logs", f"{k}-{how}-{mode}-{r + 1}.log")
            load_before = loadavg()
            timeout = args.timeout * (CURVES_SLOWDOWN if mode == "curves" else 1)
            try:
                lines, status, secs = boot(k, args, paths, mode, logpath, icount, timeout=timeout)
            except OSError as e:
                lines, status, secs = [(0.0, f"cannot run QEMU: {e}")], "not started", 0.0
            load_after = loadavg()
            values, reasons = parse_boot(lines, status, timeout)
            results[k].append(dict(values=values, reasons=reasons))
            n = sum(len(v) for key, v in values.items() if not key.startswith("boot_"))
            clock = clock_check(lines)
            log(f"bench: {how} {k} round {r + 1}/{rounds}: {n} results, exit {status}, "
                f"{secs:.0f} s, " + ("" if icount else f"guest/host clock {clock or '?'}, ") +
                f"host load {load_before} -> {load_after}, log {os.path.relpath(logpath, TOP)}")
            if not icount and clock and abs(clock - 1.0) > 0.05:
                log(f"bench: WARNING: {k}'s CLOCK_MONOTONIC ran at {clock} of the host's rate: "
                    "its figures are off by as much")
            boots.append(dict(kernel=k, how=how, round=r + 1, exit=str(status),
                              seconds=round(secs, 1), host_load_before=load_before,
                              host_load_after=load_after,
                              guest_over_host_clock=None if icount else clock,
                              log=os.path.relpath(logpath, TOP)))
    for k, why in setup_errors.items():
        results[k].append(dict(values={}, reasons={m: why for m, _, _ in METRICS}))
    return results, boots


def run_disk(how, args, kernels, paths, benchdir, setup_errors, size, pristine):
    """Every disk run once per kernel in one way of measuring, each on a
    fresh copy of the pristine image, checked by the host afterwards.
    Returns (results per kernel, boot records)."""
    icount = how == "icount"
    results = {k: [] for k in KERNELS}
    boots = []
    for tag, dev, fs in disk_configs():
        word = disk_word(tag, dev, fs, size)
        for k in kernels:
            base = os.path.join(benchdir, "logs", f"{k}-disk-{how}-{tag}")
            img = base + ".img"
            run(["cp", "--sparse=always", pristine[fs], img])
            try:
                lines, status, secs = boot(k, args, paths, word, base + ".log", icount,
                                           disk=(DISK_DEVICES[dev][0], img),
                                           timeout=DISK_TIMEOUT[size])
            except OSError as e:
                lines, status, secs = [(0.0, f"cannot run QEMU: {e}")], "not started", 0.0
            values, reasons = parse_boot(lines, status, DISK_TIMEOUT[size], disk_metrics(tag))
            verdict = fsck(fs, img)
            os.unlink(img)
            results[k].append(dict(values=values, reasons=reasons))
            n = sum(len(v) for key, v in values.items() if key.startswith("disk_"))
            log(f"bench: disk {how} {k} {tag}: {n} results, exit {status}, {secs:.0f} s, "
                f"host fsck: {verdict}, log {os.path.relpath(base + '.log', TOP)}")
            boots.append(dict(kernel=k, how=how, disk=tag, exit=str(status),
                              seconds=round(secs, 1), fsck=verdict,
                              log=os.path.relpath(base + ".log", TOP)))
    for k, why in setup_errors.items():
        results[k].append(dict(values={}, reasons={m: why for m, _, _ in disk_metrics()}))
    return results, boots


def print_disk_table(tables, boots):
    """The disk rows: per way of measuring, Kestrel, Linux and K/L (time over time)."""
    hows = [h for h in ("wall", "icount") if h in tables]
    head = ["disk metric", "unit"]
    for h in hows:
        name = "wall" if h == "wall" else "icount+sleep"
        head += [f"K {name}", f"L {name}", "K/L"]
    rows, notes = [], []
    for i, (name, unit, _) in enumerate(disk_metrics()):
        cells = [name, unit]
        for h in hows:
            r = tables[h][i]
            cells += [fmt_num(r["kestrel"]["median"]), fmt_num(r["linux"]["median"]),
                      fmt_ratio(r["ratio"])]
            for kern in KERNELS:
                d = r[kern]
                if d["median"] is None and d["reason"] != "not run":
                    notes.append(f"  {name} on {kern} ({h}): n/a: {d['reason']}")
        rows.append(cells)
    print_columns(head, rows)
    print("disk K/L: Kestrel's time over Linux's (for MB/s and IOPS: Linux's figure over "
          "Kestrel's); < 1: Kestrel faster. icount+sleep: -icount shift=0,sleep=on")
    bad = [b for b in boots if b.get("disk") and b["fsck"] != "clean"]
    for b in bad:
        notes.append(f"  host fsck after {b['kernel']} {b['disk']} ({b['how']}): {b['fsck']}")
    if notes:
        print("disk notes:")
        print("\n".join(notes))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer boots and runs")
    ap.add_argument("--icount", choices=("0", "1", "only"), default="1",
                    help="1: instruction counts and wall clock (default); 0: wall clock "
                         "only; only: instruction counts only")
    ap.add_argument("--no-curves", action="store_true",
                    help="skip the curves (run with the instruction counts)")
    ap.add_argument("--rounds", type=int,
                    help="wall-clock boots of each kernel (default 4, quick 2)")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--cpu", default="qemu64")
    ap.add_argument("--mem", default="1G")
    ap.add_argument("--only", choices=KERNELS)
    ap.add_argument("--timeout", type=int, help="seconds per boot (default 150, quick 100; "
                                                f"x{ICOUNT_SLOWDOWN} under icount)")
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--disk", choices=("0", "1", "only"),
                    help="1: the disk runs too (default, but 0 with --metrics); 0: none; "
                         "only: the disk runs alone")
    ap.add_argument("--disk-runs", default="",
                    help="only these disk runs, comma-separated: ext2_vblk,fat_vblk,ext2_nvme,fat_nvme")
    ap.add_argument("--smp-runs", choices=("0", "1", "only"),
                    help="1: the SMP runs too (default, but 0 with --disk only or --metrics); "
                         "0: none; only: the SMP runs alone")
    ap.add_argument("--metrics", default="",
                    help="only these bench programs, comma-separated (tcp_rr,udp_rr); "
                         "see the docstring")
    ap.add_argument("--docs", metavar="COMMAND", nargs="?", const="",
                    help="also write the table into docs/results/bench.md, headed with "
                         "COMMAND (make bench DOCS=1 passes its own command line)")
    ap.add_argument("--docs-from", metavar="JSON",
                    help="only render docs/results/bench.md from JSON (a bench.json); no boot")
    args = ap.parse_args()
    if args.docs_from:
        return results_md.main(["results_md.py", "bench", args.docs_from])
    run = results_md.run_info(args.docs or "tools/bench.py " + " ".join(sys.argv[1:]))
    BENCH_SELECT.extend(n for n in args.metrics.split(",") if n)
    if BENCH_SELECT:
        select_metrics()
    args.disk = args.disk or ("0" if BENCH_SELECT else "1")
    args.smp_runs = args.smp_runs or ("0" if args.disk == "only" or BENCH_SELECT else "1")
    if args.smp_runs == "only":
        args.disk = "0"
    DISK_SELECT.extend(t for t in args.disk_runs.split(",") if t)
    mode = "quick" if args.quick else "full"
    args.rounds = args.rounds or (2 if args.quick else 4)
    args.timeout = args.timeout or (100 if args.quick else 150)
    hows = [h for h in ("icount", "wall")
            if (h == "icount" and args.icount != "0") or (h == "wall" and args.icount != "only")]
    build = os.path.abspath(args.build)
    benchdir = os.path.join(build, "bench")
    os.makedirs(os.path.join(benchdir, "logs"), exist_ok=True)
    t_start = time.monotonic()
    load = loadavg()
    if load > 0.5 * (os.cpu_count() or 1):
        log(f"bench: note: host load average {load:.1f} on {os.cpu_count()} CPUs: "
            "other work competes with QEMU, expect a wide wall-clock spread")

    # Instruction counts barely move between runs: one boot of each, quick sizes.
    # The curves run in the same boot, counted only (deterministic, and long by the clock).
    run_as = {h: ("quick" if args.no_curves else "curves") if h == "icount" else mode
              for h in hows}
    disk_words = [(tag, disk_word(tag, dev, fs, mode)) for tag, dev, fs in disk_configs()] \
        if args.disk != "0" else []
    if args.disk == "only" or args.smp_runs == "only":
        run_as = {}
    smp_words = ("smpquick" if args.quick else "smp") if args.smp_runs != "0" else None
    kernels, paths, setup_errors, linux_version = prepare(
        args, build, benchdir, sorted(set(run_as.values()) | ({smp_words} if smp_words else set())),
        disk_words)
    if smp_words and "kestrel" in kernels:
        paths["img"][SMP_BOOT_WORDS] = kestrel_image(
            build, os.path.join(benchdir, "kestrel-smp-boot.img"), SMP_BOOT_WORDS)
    tables, boots, curves, disk_tables = {}, [], [], {}
    if disk_words:
        pristine = disk_images(benchdir)
        # Full size, the icount+sleep pass would add half an hour: quick only (see "Disks").
        for how in [h for h in hows if h == "wall" or args.quick] or hows:
            results, b = run_disk(how, args, kernels, paths, benchdir, setup_errors, mode, pristine)
            disk_tables[how] = summarise(results, False, disk_metrics())
            boots += b
        for p in pristine.values():
            os.unlink(p)
    for how in (hows if run_as else []):
        rounds = 1 if how == "icount" else args.rounds
        results, b = run_mode(how, rounds, args, kernels, paths, run_as[how], benchdir,
                              setup_errors)
        tables[how] = summarise(results, how == "icount")
        if how == "icount":
            curves = summarise_curves(results)
        boots += b
    smp = None
    if smp_words:
        smp_boots = run_smp(args, kernels, paths, benchdir, smp_words)
        smp = summarise_smp(smp_boots)
        boots += [{k: v for k, v in r.items() if k not in ("values", "reasons")} for r in smp_boots]

    env = environment(args, linux_version)
    measured = (hows if run_as or disk_words else []) + (["smp wall clock"] if smp else [])
    env.update(mode=mode, measured=measured, metrics_selected=BENCH_SELECT or "all",
               wall_rounds=args.rounds if "wall" in hows else 0,
               seconds=round(time.monotonic() - t_start),
               host_load_at_start=load, host_load_at_end=loadavg(), smp_runs=args.smp_runs,
               run=run)
    print()
    if tables:
        print_table(tables)
        print_curves(curves)
    if disk_tables:
        print()
        print_disk_table(disk_tables, boots)
    if smp:
        print()
        print_smp(smp)
    print(f"\n{env['qemu']}; host {env['host_cpu']} x{env['host_cpus']}; {env['qemu_config']}; "
          f"Linux {env['linux']}; Kestrel {env['kestrel']}; {env['date']}; "
          f"{mode}, {' and '.join(measured)}, {env['seconds']} s; "
          f"host load {load:.2f} at start, {env['host_load_at_end']:.2f} at end")
    deciding = "icount" if "icount" in tables else "wall"
    with open(os.path.join(build, "bench.json"), "w") as f:
        json.dump(dict(environment=env, deciding=deciding, metrics=tables.get(deciding, []),
                       modes={h: dict(metrics=t) for h, t in tables.items()}, curves=curves,
                       disk=dict(deciding="wall", modes=disk_tables,
                                 sizes=dict(zip(("file_mib", "files", "random_reads"),
                                                DISK_SIZES[mode]))),
                       smp=smp, boots=boots),
                  f, indent=1)
        f.write("\n")
    if args.docs is not None:
        results_md.main(["results_md.py", "bench", os.path.join(build, "bench.json")])
    if not tables:
        print("wrote " + os.path.relpath(os.path.join(build, "bench.json"), TOP))
        return 0
    meta = f"{env['qemu_config']}; {env['qemu'].replace('QEMU emulator version ', 'QEMU ')}; " \
           f"{env['date']}; {mode}"
    with open(os.path.join(build, "bench.svg"), "w") as f:
        f.write(svg_chart(tables[deciding], meta, deciding == "icount"))
    written = [os.path.join(build, f) for f in ("bench.json", "bench.svg")]
    if curves:
        with open(os.path.join(build, "bench-curves.svg"), "w") as f:
            f.write(svg_curves(curves, meta))
        written.append(os.path.join(build, "bench-curves.svg"))
    print("wrote " + ", ".join(os.path.relpath(p, TOP) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
