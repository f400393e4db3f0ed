#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kestrel boot tests: boot real images in QEMU with the real OVMF.

Each case is one boot: an image variant, a QEMU machine configuration, a
command line, the lines the serial log must (and must not) contain, and
how QEMU must end (an exit status, or still running once the last
expected line appeared). A case may also carry an input script: the
harness then waits for log lines and types, over the serial port (a
socket) and on the PS/2 keyboard (the QEMU monitor's sendkey). Cases
run two at a time; every serial log is kept under build/test/boot/, and
a failing case prints the path and the log's tail, so a failure
explains itself.

    boottest.py [--build DIR] [--jobs N] [NAME...]   run all, or only NAME...
    boottest.py --list
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import qmon  # every CPU's backtrace when a case times out

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# Secure Boot: Debian's snakeoil firmware enforces it with a test key enrolled;
# the key (passphrase "snakeoil", from the ovmf package's README.Debian) signs
# the loader at test time and is never copied into the tree.
OVMF_SB_CODE = "/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd"
OVMF_SB_VARS = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
SNAKEOIL_KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key"
SNAKEOIL_CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem"
SNAKEOIL_PASS = "pass:snakeoil"
ESP_OFFSET = 2048 * 512          # tools/mkimg.sh puts the ESP at 1 MiB
DEBUGEXIT_OK = (0 << 1) | 1      # isa-debug-exit: (status << 1) | 1
DEBUGEXIT_PANIC = (0x7F << 1) | 1
MIB = 1 << 20


def lockcheck_clean(log):
    """The lock-order checker reported the self-test's deliberate inversion
    and nothing else."""
    bad = re.findall(r"lockcheck: lock order violated.*", log)
    if len(bad) != 1 or "selftest_fn_lockcheck_order" not in bad[0]:
        return "lock order violations: " + ("; ".join(bad) if bad else "not even the self-test's")
    return None


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
# What a boot about a machine's shape (its memory, its legacy devices, its consoles) runs
# instead of the whole list: every in-kernel self-test ("kernel") and the programs that
# touch the kernel's core paths (ELF loading, files, processes, pipes, signals, the TTY,
# memory, time, threads, futexes, the CPUs, the vDSO). The whole list runs in three boots:
# q35-256M (one CPU), clang-q35-1G (the debug kernel with the lock-order checker, on 4
# CPUs with every feature TCG has: SMAP, SMEP, UMIP, XSAVE) and laptop-usb-nolegacy (4
# CPUs, no PIT, HPET or PS/2, a USB disk); running it again per shape cost the suite
# minutes (smp8-q35-cpumax and apic-pc-128M-smp2-nohpet-tscunstable ran it too until
# 2026-11-27: 185 s of the boot step's 1,793 s of boots).
MACHINE_PROGRAMS = ("kernel,minimal,hello,dynamic,files,procs,pipes,signals,ttyio,mmap,timers,"
                    "threads,conform-futex,conform-mem,conform-smp,vdso,smp-stress")
MACHINE_SELFTEST = f"selftest={MACHINE_PROGRAMS}"
# A boot whose shape is memory, a disk, a console or a signature, not time or CPUs:
# MACHINE_PROGRAMS without the two that wait on the clock (timers 7 s, smp-stress 7 s
# of a 20 s list) and without conform-smp; the boots whose shape is time (no PIT, no
# HPET, tsc=unstable) or CPUs keep them.
SHAPE_PROGRAMS = ("kernel,minimal,hello,dynamic,files,procs,pipes,signals,ttyio,mmap,"
                  "threads,conform-futex,conform-mem,vdso")
SHAPE_SELFTEST = f"selftest={SHAPE_PROGRAMS}"
# cpu-max: one CPU with every feature TCG has (XSAVE and AVX, SMEP/SMAP/UMIP,
# FSGSBASE, 1G pages): MACHINE_PROGRAMS and the programs that lean on those
# features; the whole list under -cpu max runs in clang-q35-1G.
CPU_FEATURE_PROGRAMS = (MACHINE_PROGRAMS + ",syscalls,sysargs,int80,fpu,avx,nullderef,kernelread,"
                        "noncanonical,textwrite,rodatawrite,dataexec,stackexec,ud2,bad-iret-cs,"
                        "bad-iret-ss,bad-sigret-rip,settls,gsbase,gs-sel-switch,gs-sel-fork,int3,traps,"
                        "conform-elf,lastpage,protnone-write")
SELFTEST_NAMES = ["memmap-sane", "memmap-marks", "kernel-permissions", "stack-guard",
                  "direct-map", "direct-map-cache", "ksyms", "pmm-every-page", "pmm-orders-aligned",
                  "vmm-map-protect-unmap", "kernel-stack-guard", "heap-stress", "percpu-self", "syscall-klock",
                  "acpi-madt", "acpi-power", "lapic-boot-cpu", "irq-route-isa-pit", "pci-enumerated", "time-ns-monotonic",
                  "tsc-rate", "timer-rate", "bcache-sectors-and-runs", "bcache-4k-blocks", "bcache-errors"]


def user_selftest_names():
    """The entries of the rootfs's /etc/selftest: each must report ok."""
    names = []
    with open(os.path.join(TOP, "rootfs/skel/etc/selftest")) as f:
        for line in f:
            words = line.split()
            if words and not words[0].startswith("#"):
                names.append(words[0])
    return names


def selftest_filter(cmdline):
    """The names of a selftest=NAME,... word on cmdline, or None (the whole list)."""
    for word in cmdline.split():
        if word.startswith("selftest="):
            return word[len("selftest="):].split(",")
        if word == "--":
            break
    return None


def selftests_ran(log, skips=(), absent=(), only=None):
    """Each named self-test printed its ok line (in any order); a test named in
    skips must instead say it was skipped (its device is absent on that machine),
    one named in absent was left out of the case's list (an overlay). With only (a
    selftest= filter), the programs it names, and the in-kernel tests if it names
    "kernel"."""
    names = SELFTEST_NAMES + user_selftest_names()
    if only is not None:
        names = [n for n in names if n in only or (n in SELFTEST_NAMES and "kernel" in only)]
    for n in names:
        if n in absent:
            continue
        want = f"selftest: {n} skipped (" if n in skips else f"selftest: {n} ok"
        if want not in log:
            return f"no '{want}' line"
    return None
NEVER = [r"KERNEL PANIC", r"FAIL", r"cmdline: ignoring"]
# conform-inet's IPv6 corking check and conform-tcp6's IPV6_ADDRFORM and IPV6_RTHDR
# checks (rootfs/src/conform_inet.c, conform_tcp6.c), one line each, in the order the
# list runs them: the whole list's boot names them so that a check left out of its
# table, not only one that fails, shows.
ADDRFORM_RTHDR_LINES = [r"conform_inet: udp6-cork ok"] + [rf"conform_tcp6: tcp6-{c} ok" for c in
                        ("addrform", "addrform-refused", "addrform-udp", "rthdr", "rthdr-refused")]


# Input script steps (a case's `script`), run in order while QEMU runs.
def wait_for(pattern):
    """Wait until the serial log matches pattern after the previous wait's match."""
    return ("wait", pattern)


def serial_in(text):
    """Send text to the guest's COM1."""
    return ("serial", text)


def keys_in(text):
    """Type text on the PS/2 keyboard, one monitor sendkey per character."""
    return ("keys", text)


def monitor_cmd(command):
    """Run one QEMU monitor command (e.g. "nmi") and wait for its prompt."""
    return ("monitor", command)


def pause_reading(after, secs):
    """Stop reading the guest's serial output for secs seconds once the bytes
    read match the pattern after (the UART then stalls); done when reading resumes."""
    return ("pause", (after, secs))


ECHO_READY = r"console: echo: type lines"


def apic_time(cpus):
    """The interrupt-controller and time lines (QEMU: one IO APIC, five ISA overrides)."""
    return [rf"apic: (x2APIC|xAPIC) id 0, {cpus} CPUs in MADT, IO APIC at 0xfec00000 GSIs 0-23, "
            r"5 overrides",
            r"time: TSC \d+ MHz \((HPET|ACPI PM timer|PIT|CPUID 0x15|CPUID 0x16)\), "
            r"APIC timer \d+ MHz, tick 250 Hz"]


def laptop_alone_case(off):
    """Issue 12's laptop matrix: one legacy device (i8042, pit or hpet) off
    alone, booted from a USB stick on xHCI, two CPUs, the in-kernel self-tests and
    MACHINE_PROGRAMS (SHAPE_PROGRAMS without the PS/2 controller: its absence
    is not a matter of time); a test that needs the missing device skips and
    says why."""
    expect = banner()
    if off == "i8042":
        expect = expect + [r"ps2: no controller"]
    expect = expect + [r"xhci: \S+ found \(HCI version 1\.00, \d+ ports",
                       r"usb-storage sda: usb \d+-\d+, QEMU QEMU HARDDISK"]
    skips = ()
    if off == "pit":
        expect = expect + [r"selftest: irq-route-isa-pit skipped \(no PIT\)"]
        skips = ("irq-route-isa-pit",)
    return dict(name=f"laptop-usb-no{off}", machine=f"q35,{off}=off", mem="512M",
                cmdline=f"{SHAPE_SELFTEST if off == 'i8042' else MACHINE_SELFTEST} debugexit",
                extra=["-smp", "2"], usb_disk=True,
                expect=expect + SELFTEST_OK, skips=skips, reject=NEVER, exit=DEBUGEXIT_OK)


def apic_case(machine, mem, cpus, usable, hpet=True, selftest="selftest"):
    """A boot of the interrupt and time code on one machine, memory size and CPU count;
    without an HPET the clocks are calibrated against the ACPI PM timer instead."""
    name = f"apic-{machine}-{mem}" + (f"-smp{cpus}" if cpus > 1 else "") + ("" if hpet else "-nohpet")
    ref = "HPET" if hpet else "ACPI PM timer"
    lines = apic_time(cpus)
    lines[1] = lines[1].replace(r"\((HPET|ACPI PM timer|PIT|CPUID 0x15|CPUID 0x16)\)", rf"\({ref}\)")
    return dict(name=name, machine=machine + ("" if hpet else ",hpet=off"), mem=mem,
                cmdline=f"{selftest} debugexit", extra=["-smp", str(cpus)],
                expect=banner() + lines + [rf"time: tick [\d.]+ Hz against the {ref}"] + SELFTEST_OK,
                checks=[usable_mib_between(*usable)], reject=NEVER, exit=DEBUGEXIT_OK)


def tsc_unstable_case(machine, mem, cpus, usable, hpet=True, selftest="selftest"):
    """apic_case's boot with tsc=unstable: time_ns() on the HPET (or, without
    one, the ACPI PM timer) from time_init on, through the self-test (the
    whole list unless selftest= says less: its clock tests, sleeps and
    deadlines) on several CPUs."""
    case = apic_case(machine, mem, cpus, usable, hpet)
    ref = "HPET" if hpet else "ACPI PM timer"
    at = case["expect"].index(rf"time: tick [\d.]+ Hz against the {ref}")
    case["expect"].insert(at, rf"time: TSC unstable \(tsc=unstable\); the clock is now the {ref}$")
    return dict(case, name=case["name"] + "-tscunstable", cmdline=f"{selftest} debugexit tsc=unstable")


# serial-slow-reader: the harness stops reading COM1's socket for
# SERIAL_PAUSE s twice: just after the kernel's banner (before time_init:
# the serial driver's early clock), and at the echo prompt while it types
# lines whose echo and log lines stall the UART (the calibrated clock, and
# input arriving while output waits). QEMU's socket buffer fills within a
# few hundred bytes and the UART's transmitter stays busy until reading
# resumes: the kernel must wait (output slows) and lose nothing. The old
# driver gave the port up for good after 100,000 polls (tens of ms under
# QEMU): the log stopped in the middle of a line. (A pause must not land in
# a user self-test: its time limit counts the wait.)
SERIAL_PAUSE = 3
SERIAL_LINES = [f"line{i}-" + "0123456789" * 8 for i in range(8)]
LOG_STAMP = r"\[ *(\d+)\.(\d{3})\] "


def serial_stalls_survived(pauses):
    """No kernel log line was cut short (a lost end of line would join the
    next line's timestamp to it; a log line may follow the TTY's echo of typed
    text on the same line, which is no loss), and each pause really stalled
    the guest: as many gaps of at least half the pause between consecutive
    timestamps (else the test proved nothing)."""
    def check(log):
        stamps = []
        for line in log.splitlines():
            found = list(re.finditer(LOG_STAMP, line))
            if len(found) > 1 and found[0].start() == 0:
                return f"a log line cut in the middle: {line!r}"
            stamps += [int(m.group(1)) + int(m.group(2)) / 1000 for m in found]
        gaps = [b - a for a, b in zip(stamps, stamps[1:]) if b - a >= SERIAL_PAUSE / 2]
        if len(gaps) < pauses:
            return f"the guest waited for the paused reader {len(gaps)} times, not {pauses}"
        return None
    return check


# Boots with the default init (/sbin/init: /etc/rc, then an interactive
# "-sh"), driven by typing the way a person does:
#   shell-serial  wait for the prompt; `echo hi` prints hi; `echo started;
#                 sleep 100` then ^C (0x03) brings the prompt back long before
#                 100 s and $? is 130 (SIGINT); `sleep 100` then ^Z (0x1a)
#                 stops it (SIGTSTP) and the shell says so; `cat &` is
#                 stopped by SIGTTIN when it reads the terminal (busybox
#                 cat reads with sendfile) instead of taking the shell's
#                 input; `exit` ends the shell and init starts another one.
#   shell-ps2     the same prompt, typed on the PS/2 keyboard instead.
#   init-once     "-- hello": init runs one program as the command and exits
#                 with its status; the kernel then powers off.
# busybox ash's prompt for uid 0 with PS1 unset is "# "; ash then asks the
# terminal for the cursor position (ESC [ 6 n), so the prompt is not
# anchored at the end of a line. What a command prints is on its own line.
SHELL_PROMPT = r"^(\S+ )?# "
SHELL_STARTED = r"init: starting /bin/sh$"
INTERACTIVE_CASES = [
    dict(name="shell-serial", machine="q35", mem="256M", cmdline="",
         script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                 serial_in("echo hi\r"), wait_for(r"^hi$"), wait_for(SHELL_PROMPT),
                 serial_in("echo started; sleep 100\r"), wait_for(r"^started$"),
                 serial_in("\x03"), wait_for(SHELL_PROMPT),
                 serial_in("echo status=$?\r"), wait_for(r"^status=130$"), wait_for(SHELL_PROMPT),
                 serial_in("echo again; sleep 100\r"), wait_for(r"^again$"),
                 serial_in("\x1a"), wait_for(r"Stopped"), wait_for(SHELL_PROMPT),
                 serial_in("kill -9 %1; sleep 1; jobs; echo killed\r"), wait_for(r"Killed"),
                 wait_for(r"^killed$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("cat &\r"), wait_for(SHELL_PROMPT),
                 serial_in("sleep 1; echo alive-$((6*7))\r"), wait_for(r"^alive-42$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("jobs\r"), wait_for(r"Stopped.*\bcat\b"), wait_for(SHELL_PROMPT),
                 serial_in("kill -9 %1; sleep 1; echo cat-gone\r"), wait_for(r"^cat-gone$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("exit\r"),
                 wait_for(r"init: /bin/sh exited with status 0; starting it again$"),
                 wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT)],
         expect=[r"rc: Kestrel is up$", SHELL_STARTED, r"^hi$", r"^started$", r"^status=130$",
                 r"^alive-42$", r"^cat-gone$",
                 r"init: /bin/sh exited with status 0; starting it again$", SHELL_STARTED,
                 SHELL_PROMPT],
         reject=NEVER + [r"init: .*was killed by signal"], exit=None),
    dict(name="shell-ps2", machine="q35", mem="256M", cmdline="",
         script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                 keys_in("echo typed on ps2\n"), wait_for(r"^typed on ps2$"),
                 wait_for(SHELL_PROMPT), keys_in("exit\n"), wait_for(SHELL_STARTED)],
         expect=[SHELL_STARTED, r"^typed on ps2$",
                 r"init: /bin/sh exited with status 0; starting it again$", SHELL_STARTED],
         reject=NEVER, exit=None),
    # usb-keyboard (issue 12): no PS/2 controller; the only keyboard is a USB one on
    # qemu-xhci (driven by MSI-X). The monitor's sendkey types on it: a command and its
    # output; ^C interrupts a sleep and $? is 130 (SIGINT); Caps Lock makes capitals;
    # a key held for 1.5 s repeats (after 500 ms, ~30 a second). A hub holds a tablet:
    # the hub's port is reset and the tablet addressed through it, logged, left alone.
    dict(name="usb-keyboard", machine="q35,i8042=off", mem="256M", cmdline="",
         extra=["-device", "qemu-xhci,id=usbkb", "-device", "usb-kbd,bus=usbkb.0,port=1",
                "-device", "usb-hub,bus=usbkb.0,port=2", "-device", "usb-tablet,bus=usbkb.0,port=2.3"],
         script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                 keys_in("echo typed on usb\n"), wait_for(r"^typed on usb$"), wait_for(SHELL_PROMPT),
                 keys_in("echo started; sleep 100\n"), wait_for(r"^started$"), keys_in("\x03"),
                 wait_for(SHELL_PROMPT), keys_in("echo status=$?\n"), wait_for(r"^status=130$"),
                 wait_for(SHELL_PROMPT), keys_in("echo "), monitor_cmd("sendkey caps_lock"),
                 keys_in("caps"), monitor_cmd("sendkey caps_lock"), keys_in("on\n"),
                 wait_for(r"^CAPSon$"), wait_for(SHELL_PROMPT), keys_in("echo "),
                 monitor_cmd("sendkey x 1500"), keys_in("\n"), wait_for(r"^x{10,}$")],
         expect=[r"ps2: no controller", r"xhci: \S+ found \(HCI version",
                 r"usb 1-\d+: 0627:0001 class 03 keyboard$", r"usb 1-\d+: 0409:55aa class 09 hub$",
                 r"usb 1-\d+\.3: 0627:0001 class 03 no driver$", r"xhci: interrupts on vector \d+ \(MSI-X\)",
                 SHELL_STARTED, r"^typed on usb$", r"^started$", r"^status=130$", r"^CAPSon$",
                 r"^x{10,}$"],
         reject=NEVER + [r"usb 1-\d+: .*left alone"], exit=None),
    # shell-prompt-time: nobody types; the kernel still logs when the shell first waits
    # for console input (busybox ash polls before it reads; the line used to wait for a key).
    dict(name="shell-prompt-time", machine="q35", mem="256M", cmdline="",
         expect=[SHELL_STARTED, r"boot: loader start to first console read \(shell prompt\) \d+ ms"],
         reject=NEVER, exit=None),
    dict(name="init-once", machine="q35", mem="256M", cmdline="-- hello",
         expect=[r"init: starting hello$", r"^hello, world$", r"^hello: PASS$",
                 r"init: hello exited with status 0$", r"kestrel: init exited with status 0$",
                 r"kestrel: powering off"],
         reject=NEVER + [r"init: starting /bin/sh"], exit=0),
    # kill-init: the test program is pid 1; its child sends it SIGKILL, SIGTERM, SIGSTOP...
    # (all dropped: init has no handler) and SIGUSR1 (handled); init then exits 0.
    dict(name="kill-init", machine="q35", mem="256M",
         cmdline="debugexit init=/bin/t-prochostile -- kill-init",
         expect=[r"kill-init: kill-init ok", r"kill-init: PASS",
                 r"kestrel: init exited with status 0$"],
         reject=NEVER, exit=DEBUGEXIT_OK),
    # init-sigchld: the test program is pid 1 and waits for its children as tini and
    # busybox sh do, SIGCHLD blocked and taken by sigtimedwait: a blocked signal reaches
    # init though it has no handler (Linux's sig_ignored), each SIGCHLD finds its child
    # waitable, and a zombie reparented to it (pid 1 adopts every orphan) sends one; a
    # fatal signal it blocks is queued too (tini's SIGTERM), and dropped if unblocked.
    dict(name="init-sigchld", machine="q35", mem="256M",
         cmdline="debugexit init=/bin/t-conform_wait -- sigchld-waitable sigchld-reparented-zombie "
                 "init-blocked-signals",
         expect=[r"conform_wait: sigchld-waitable ok", r"conform_wait: sigchld-reparented-zombie ok",
                 r"conform_wait: init-blocked-signals ok",
                 r"conform_wait: PASS", r"kestrel: init exited with status 0$"],
         reject=NEVER, exit=DEBUGEXIT_OK),
    # forkbomb-shell: from the shell, a fork bomb with the default limits ends with
    # EAGAIN and kill(1, SIGKILL...) leaves init alone; the shell still answers, and
    # says "Segmentation fault" for a crash without "(core dumped)" (no core is written).
    dict(name="forkbomb-shell", machine="q35", mem="256M", cmdline="",
         script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                 serial_in("/bin/t-prochostile forkbomb-nolimit kill-init; echo bomb=$?\r"),
                 wait_for(r"^bomb=0$"), wait_for(SHELL_PROMPT),
                 serial_in("sleep 1; echo alive-$((6*7))\r"), wait_for(r"^alive-42$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("/bin/t-nullderef; echo crashed=$?\r"), wait_for(r"^crashed=139$"),
                 wait_for(SHELL_PROMPT)],
         expect=[SHELL_STARTED, r"prochostile: kill-init ok",
                 r"prochostile: forkbomb-nolimit ok: \d+ forks, then EAGAIN", r"^bomb=0$",
                 r"^alive-42$", r"Segmentation fault", r"^crashed=139$"],
         reject=NEVER + [r"init: .*was killed by signal", r"init exited", r"core dumped"],
         exit=None),
    # memhog-shell: from the shell, a process that touches memory until none is left is
    # killed by the OOM killer (never init, never the shell); the shell still answers.
    dict(name="memhog-shell", machine="q35", mem="256M", cmdline="",
         script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                 serial_in("/bin/t-memhostile memhog; echo hog=$?\r"),
                 wait_for(r"^hog=0$"), wait_for(SHELL_PROMPT),
                 serial_in("sleep 1; echo alive-$((6*7))\r"), wait_for(r"^alive-42$"),
                 wait_for(SHELL_PROMPT)],
         expect=[SHELL_STARTED,
                 r"kestrel: out of memory: killed pid \d+ \(t-memhostile\), \d+ KiB",
                 r"memhostile: memhog ok: unbounded hog .* ended by SIGKILL", r"^hog=0$",
                 r"^alive-42$"],
         reject=NEVER + [r"init: .*was killed by signal", r"init exited",
                         r"out of memory: killed pid 1 "], exit=None),
    # fulltmp-shell: `cat /dev/zero > /tmp/x` fills the RAM file system (half of RAM)
    # and fails with ENOSPC; df shows it full, rm gives the space back, the shell answers.
    # Then `mount -o remount,size=2m /` sets a smaller limit, as tmpfs's remount does:
    # the same cat stops at 2 MiB, a limit below the use is refused, size=50% restores it.
    dict(name="fulltmp-shell", machine="q35", mem="256M", cmdline="",
         script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                 serial_in("cat /dev/zero > /tmp/x; echo cat=$?\r"), wait_for(r"^cat=1$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("df /tmp | tail -n 1 | awk '{print \"use=\" $5}'\r"),
                 wait_for(r"^use=100%$"), wait_for(SHELL_PROMPT),
                 serial_in("rm /tmp/x; sleep 1; echo alive-$((6*7))\r"), wait_for(r"^alive-42$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("mount -o remount,size=2m / && echo mount=$?\r"), wait_for(r"^mount=0$"),
                 wait_for(SHELL_PROMPT),
                 serial_in("cat /dev/zero > /tmp/y; n=$(wc -c < /tmp/y); "
                           "[ $n -gt 1000000 ] && [ $n -le 2097152 ] && echo small-$((n > 0))\r"),
                 wait_for(r"^small-1$"), wait_for(SHELL_PROMPT),
                 serial_in("mount -o remount,size=4k / || echo shrink=refused\r"),
                 wait_for(r"^shrink=refused$"), wait_for(SHELL_PROMPT),
                 serial_in("rm /tmp/y; mount -o remount,size=50% / && echo back-$((6*7))\r"),
                 wait_for(r"^back-42$"), wait_for(SHELL_PROMPT)],
         expect=[SHELL_STARTED, r"No space left on device", r"^cat=1$", r"^use=100%$",
                 r"^alive-42$", r"^mount=0$", r"^small-1$", r"^shrink=refused$", r"^back-42$"],
         reject=NEVER + [r"init: .*was killed by signal", r"init exited"], exit=None),
]


def cases(build):
    """The table of boots. Keys: machine, mem, cmdline, image (a function
    that may alter the image), expect (regexes in order of appearance),
    reject, checks (functions of the log), exit (status or None: still
    running when the last expected line appears), vga, extra args, script
    (input steps: wait_for, serial_in, keys_in, monitor_cmd, pause_reading; the serial port
    is then a socket, its log written by the harness from what it read, and the monitor
    another socket), usb_disk (the image on usb-storage behind qemu-xhci instead
    of the default disk), skips (self-tests that must say "skipped (why)"),
    absent (/etc/selftest entries an overlay left out: not looked for),
    after (a function of the image path, run once QEMU has exited: None, or
    why the disks the guest wrote are wrong), debugcon (no serial port: the
    log is QEMU's debug console, port 0xE9), overlay_files ({rootfs path:
    text} merged into the rootfs by mkimg.sh --overlay)."""
    return [
        dict(name="q35-256M", machine="q35", mem="256M",
             cmdline="selftest debugexit loglevel=6 -- hello world",
             expect=banner() + [r'cmdline: "selftest debugexit loglevel=6 -- hello world"',
                              r"init: /sbin/init hello world"] + ADDRFORM_RTHDR_LINES + SELFTEST_OK,
             checks=[usable_mib_between(200, 256), rootfs_size_matches(build)],
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="pc-128M", machine="pc", mem="128M", cmdline=f"{SHAPE_SELFTEST} debugexit",
             expect=banner() + SELFTEST_OK, checks=[usable_mib_between(90, 128)],
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="q35-4G", machine="q35", mem="4G", cmdline=f"{SHAPE_SELFTEST} debugexit init=/bin/sh",
             expect=banner() + [r"init: /bin/sh$"] + SELFTEST_OK,
             checks=[usable_mib_between(3900, 4096)], reject=NEVER, exit=DEBUGEXIT_OK),
        # The clang build is also the debug build with the lock-order
        # checker (tests/run.sh: LOCKCHECK=1), on four CPUs (issue 29: the
        # scheduler's and the wait queues' locks taken on all at once).
        dict(name="clang-q35-1G", machine="q35", mem="1G", cmdline="selftest debugexit",
             build=os.path.join(build, "clang"), extra=["-smp", "4", "-cpu", "max"],
             expect=banner() + [r"lockcheck: checking the order of spinlocks", r"smp: 4 CPUs online"] +
             SELFTEST_OK,
             checks=[usable_mib_between(900, 1024), lockcheck_clean],
             reject=NEVER + [r"lockcheck: CPU \d+ (spins on|holds|takes)"], exit=DEBUGEXIT_OK,
             # the debug kernel runs the whole list on 4 vCPUs: 52-85 s on a 2-core host,
             # over the default 90 s once while the host ran other boots besides
             timeout=180),
        dict(name="no-display", machine="q35", mem="256M", vga=False,
             cmdline=f"{SHAPE_SELFTEST} debugexit console=fb",
             expect=banner(r"framebuffer: none") + SELFTEST_OK,
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="echo-input", machine="q35", mem="256M", cmdline="echo debugexit",
             script=[wait_for(ECHO_READY), serial_in("hello\r"), wait_for(r"got line 'hello'"),
                     keys_in("world\n"), wait_for(r"got line 'world'"), serial_in("exit\r")],
             expect=[r"console: input from serial, ps2 keyboard$", ECHO_READY,
                     r"console: got line 'hello'$", r"console: got line 'world'$",
                     r"console: got line 'exit'$", r"kestrel: boot complete"],
             reject=NEVER + [r"\(polled\)"], exit=DEBUGEXIT_OK),
        dict(name="pc-echo-input", machine="pc", mem="256M", cmdline="echo debugexit",
             script=[wait_for(ECHO_READY), keys_in("Ab1\n"), wait_for(r"got line 'Ab1'"),
                     serial_in("x\x7fexit\r\n")],
             expect=[r"console: input from serial, ps2 keyboard$", r"console: got line 'Ab1'$",
                     r"console: got line 'exit'$", r"kestrel: boot complete"],
             reject=NEVER + [r"\(polled\)", r"got line ''"],
             exit=DEBUGEXIT_OK),
        # An NMI (QEMU's monitor "nmi") while the kernel waits for input, twice:
        # logged ("nmi: ... ignored", at most once a second) and survived.
        dict(name="nmi", machine="q35", mem="256M", cmdline="echo debugexit",
             script=[wait_for(ECHO_READY), monitor_cmd("nmi"), wait_for(r"nmi: 1 unexpected NMI"),
                     monitor_cmd("nmi"), wait_for(r"nmi: 1 unexpected NMI \(2 in all\)"),
                     serial_in("exit\r")],
             expect=[ECHO_READY, r"nmi: 1 unexpected NMI \(1 in all\), ignored$",
                     r"nmi: 1 unexpected NMI \(2 in all\), ignored$",
                     r"console: got line 'exit'$", r"kestrel: boot complete"],
             reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="no-ps2", machine="q35,i8042=off", mem="256M", cmdline="echo debugexit",
             script=[wait_for(ECHO_READY), serial_in("exit\r")],
             expect=[r"ps2: no controller \(.+\)$", r"console: input from serial$", ECHO_READY,
                     r"console: got line 'exit'$", r"kestrel: boot complete"],
             reject=NEVER, exit=DEBUGEXIT_OK),
        # Without debugexit the self-test is followed by a normal boot into init,
        # and the kernel never touches the debug-exit port: QEMU keeps running.
        dict(name="no-debugexit", machine="q35", mem="256M", cmdline=f"{SHAPE_SELFTEST} bogus=1",
             expect=[r"cmdline: ignoring unknown or malformed word 'bogus=1'",
                     r"selftest: \d+ passed, 0 failed", r"boot: kernel entry to init \d+ ms"],
             reject=[r"KERNEL PANIC", r"init exited"], exit=None),
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
        dict(name="cpu-max", machine="q35", mem="512M", cmdline=f"selftest={CPU_FEATURE_PROGRAMS} debugexit",
             extra=["-cpu", "max"],
             expect=banner() + [r"cpu: SSE on; XSAVE on \(xcr0 0x[0-9a-f]+, \d+ bytes\); SMEP on; SMAP on; UMIP on; 1G pages yes"]
             + SELFTEST_OK, reject=NEVER, exit=DEBUGEXIT_OK),
        dict(name="selftest-filter-audit", cmdline="selftest=hello,minimal audit debugexit",
             expect=[r"audit: pid \d+ syscall 1 \(0x1, ", r"selftest: minimal ok",
                     r"audit: pid \d+ syscall 231 ", r"selftest: hello ok",
                     r"selftest: 2 passed, 0 failed"],
             reject=[r"selftest: (minimal-again|fpu|busyloop|ksyms)", r"KERNEL PANIC"],
             exit=DEBUGEXIT_OK),
        dict(name="crash-invalid-opcode", cmdline="crash=ud debugexit",
             expect=[r"KERNEL PANIC: exception 6 \(invalid opcode\)", r"selftest_crash\+0x"],
             exit=DEBUGEXIT_PANIC),
        dict(name="panic-poweroff", cmdline="selftest=minimal audit=ring crash=panic panic=poweroff",
             no_reboot=False,
             expect=[r"selftest: minimal ok", r"KERNEL PANIC: deliberate panic \(crash=panic\)",
                     r"last system calls on CPU 0 \(of 2\):", r"pid \d+ nr 1 \(0x1, ",
                     r"pid \d+ nr 60 \(0, ", r"panic=poweroff", r"powering off"],
             reject=[r"poweroff failed"], exit=0),
        # without audit=ring (or audit, or the profiler) no call is recorded: the report says so
        dict(name="panic-no-audit-ring", cmdline="selftest=minimal crash=panic panic=poweroff",
             no_reboot=False,
             expect=[r"selftest: minimal ok", r"KERNEL PANIC: deliberate panic \(crash=panic\)",
                     r"no system calls recorded \(audit=ring", r"powering off"],
             reject=[r"last system calls on CPU", r"poweroff failed"], exit=0),
        dict(name="panic-reboot", cmdline="crash=panic panic=reboot", real_reset=True,
             expect=[r"KERNEL PANIC: deliberate panic", r"panic=reboot", r"rebooting"],
             exit=0),
        dict(name="pc-poweroff", machine="pc", cmdline="crash=panic panic=poweroff",
             no_reboot=False, expect=[r"panic=poweroff", r"powering off"],
             reject=[r"poweroff failed"], exit=0),
        dict(name="pc-reboot", machine="pc", cmdline="crash=panic panic=reboot", real_reset=True,
             expect=[r"panic=reboot", r"rebooting"], exit=0),
        # ACPI power (issue 12): reboot(2) from a program resets q35 through the FADT's
        # reset register (I/O 0xcf9 <- 0x0f, RESET_REG_SUP) before any other method;
        # QEMU (-no-reboot) exits on the reset. poweroff(2) takes ACPI S5 with \_S5
        # walked out of the DSDT's AML, on q35 and on pc; no fallback may be needed.
        dict(name="reboot-fadt-reset", machine="q35", cmdline="init=/bin/busybox -- reboot -f",
             real_reset=True,
             expect=[r"acpi: \\_S5 in DSDT at offset \d+: SLP_TYPa 0, SLP_TYPb 0",
                     r"kestrel: reboot asked by pid 1", r"kestrel: rebooting",
                     r"power: FADT reset register \(I/O 0xcf9 <- 0xf\)$"],
             reject=[r"power: EFI ResetSystem", r"power: reset-control port",
                     r"no reset method worked", r"KERNEL PANIC"], exit=0),
        dict(name="poweroff-s5", machine="q35", cmdline="init=/bin/busybox -- poweroff -f",
             no_reboot=False,
             expect=[r"acpi: \\_S5 in DSDT", r"kestrel: power off asked by pid 1",
                     r"kestrel: powering off", r"power: ACPI S5 \(PM1a_CNT 0x604, SLP_TYP 0\)$"],
             reject=[r"power: EFI ResetSystem", r"poweroff failed", r"KERNEL PANIC"], exit=0),
        dict(name="pc-poweroff-s5", machine="pc", cmdline="init=/bin/busybox -- poweroff -f",
             no_reboot=False,
             expect=[r"acpi: \\_S5 in DSDT", r"kestrel: power off asked by pid 1",
                     r"power: ACPI S5 \(PM1a_CNT 0xb004, SLP_TYP 0\)$"],
             reject=[r"power: EFI ResetSystem", r"poweroff failed", r"KERNEL PANIC"], exit=0),
        # power=efi: the firmware's ResetSystem first, ACPI's registers never written
        # (issue 12's "ACPI's way disabled on the command line"; needs efi_rt).
        dict(name="poweroff-efi", machine="q35", cmdline="power=efi init=/bin/busybox -- poweroff -f",
             no_reboot=False,
             expect=[r"efi: runtime services: .*reset", r"kestrel: powering off",
                     r"power: EFI ResetSystem\(Shutdown\)$"],
             reject=[r"power: ACPI S5", r"poweroff failed", r"efi: ResetSystem\(\d\) returned",
                     r"KERNEL PANIC"], exit=0),
        dict(name="reboot-efi", machine="q35", cmdline="power=efi init=/bin/busybox -- reboot -f",
             real_reset=True,
             expect=[r"efi: runtime services: .*reset", r"kestrel: rebooting",
                     r"power: EFI ResetSystem\(Cold\)$"],
             reject=[r"power: FADT reset register", r"power: reset-control port",
                     r"efi: ResetSystem\(\d\) returned", r"KERNEL PANIC"], exit=0),
        # interrupts and time: q35 and pc, 128 MiB to 8 GiB, one and two CPUs
        apic_case("q35", "128M", 2, (90, 128), selftest=MACHINE_SELFTEST),
        apic_case("pc", "128M", 2, (90, 128), selftest=MACHINE_SELFTEST),
        apic_case("pc", "1G", 1, (900, 1024), hpet=False, selftest=MACHINE_SELFTEST),
        tsc_unstable_case("q35", "128M", 2, (90, 128), selftest=MACHINE_SELFTEST),
        tsc_unstable_case("pc", "128M", 2, (90, 128), hpet=False, selftest=MACHINE_SELFTEST),
        # The first AP's warp-test readings 2^30 cycles behind (smp_tsc_skew, a
        # test hook: QEMU's TCG ignores writes to the TSC): the warp test at
        # bring-up sees a reading below an earlier one and the
        # clock moves to the HPET; the programs that lean on time then pass.
        dict(name="tsc-warp", machine="q35", mem="256M", extra=["-smp", "2"],
             cmdline="selftest=timers,threads,conform-futex,smp-stress,vdso debugexit "
                     "smp_tsc_skew=1073741824",
             expect=banner() + [r"smp: 2 CPUs online",
                                r"smp: the CPUs' TSCs are not in step \(one read \d+ cycles below",
                                r"time: TSC unstable \(the CPUs' TSCs are not in step\); "
                                r"the clock is now the HPET$"] + [r"selftest: 5 passed, 0 failed"],
             reject=NEVER, exit=DEBUGEXIT_OK),
        # A TSC rate given 40 % low (tsc_early_khz, Linux's word): the
        # watchdog sees the TSC run fast against the HPET and moves the clock;
        # the programs that lean on time then run (the in-kernel tsc-rate test
        # would fail: the TSC rate is wrong on purpose).
        dict(name="tsc-watchdog", machine="q35", mem="256M", extra=["-smp", "2"],
             cmdline="selftest=timers,threads,conform-futex,smp-stress,vdso debugexit tsc_early_khz=1500000",
             expect=banner() + [r"time: TSC 1500 MHz \(tsc_early_khz\)",
                                r"time: TSC not invariant \(CPUID 0x80000007\): the clock, checked "
                                r"against the HPET every 500 ms",
                                r"time: TSC unstable \(the watchdog: \d+ us of TSC in \d+ us of HPET\); "
                                r"the clock is now the HPET$"] + [r"selftest: 5 passed, 0 failed"],
             reject=NEVER, exit=DEBUGEXIT_OK),
        # 8 GiB: the full self-test takes about 40 s unloaded (the unbounded fork bomb
        # and memory hog scale with RAM); a loaded host must not turn that into a fail.
        dict(apic_case("q35", "8G", 1, (7900, 8192), selftest=SHAPE_SELFTEST), timeout=180),
        # A laptop's shape (issue 12): no PIT, no HPET, no PS/2 controller, four
        # CPUs, booted from a USB stick on xHCI behind a PCIe root port. Time comes
        # from the ACPI PM timer; the PIT's interrupt test says why it is skipped;
        # every other one passes; PCI is enumerated through ECAM across the bridge;
        # the xHCI driver takes the controller (MSI-X) and the boot stick is a
        # disk (usb-storage: sda, its ESP sda1; the usb-storage self-test reads it).
        dict(name="laptop-usb-nolegacy", machine="q35,i8042=off,pit=off,hpet=off", mem="1G",
             cmdline="selftest debugexit", extra=["-smp", "4"], usb_disk=True,
             expect=banner() + apic_time(4)[:1] + [apic_time(4)[1].replace(
                 r"\((HPET|ACPI PM timer|PIT|CPUID 0x15|CPUID 0x16)\)", r"\(ACPI PM timer\)"),
                 r"ps2: no controller", r"xhci: 01:00\.0 found \(HCI version 1\.00, \d+ ports",
                 r"usb 1-\d+: 46f4:0001 class 08 mass storage$",
                 r"usb-storage sda: usb 1-\d+, QEMU QEMU HARDDISK \S+, \d+ blocks of 512 bytes .* block 0 ends 55aa$",
                 r"xhci: interrupts on vector \d+ \(MSI-X\)",
                 r"pci: \d+ functions on 2 buses through ECAM \(MCFG\)",
                 r"pci 0000:00:00\.0 8086:29c0 class 0600 driver none",
                 r"pci 0000:00:\w\w\.0 1b36:000c class 0604 driver none",
                 r"pci 0000:01:00\.0 1b36:000d class 0c03 driver xhci",
                 r"selftest: pci-msi ok", r"selftest: pci-enumerated ok",
                 r"selftest: irq-route-isa-pit skipped \(no PIT\)", r"selftest: usb-storage ok"] + SELFTEST_OK,
             skips=("irq-route-isa-pit",), checks=[usable_mib_between(900, 1024)],
             # the whole self-test on four vCPUs over the host's two cores: 86 s
             # alone (2026-11-26), past 90 s three times in four beside two
             # other engineers' QEMUs, each time still making progress
             reject=NEVER, exit=DEBUGEXIT_OK, timeout=240),
        laptop_alone_case("i8042"), laptop_alone_case("pit"), laptop_alone_case("hpet"),
        dict(name="serial-slow-reader", machine="q35", mem="256M",
             cmdline="selftest=minimal,hello echo debugexit",
             script=[pause_reading(r"Kestrel \d+\.\d+ \(x86_64\)", SERIAL_PAUSE),
                     wait_for(ECHO_READY), serial_in("".join(l + "\r" for l in SERIAL_LINES)),
                     pause_reading(ECHO_READY, SERIAL_PAUSE),
                     wait_for(f"got line '{SERIAL_LINES[-1]}'"), serial_in("exit\r")],
             expect=banner() + apic_time(1) + [r"console: input from serial",
                                               r"selftest: minimal ok", r"selftest: hello ok",
                                               r"selftest: 2 passed, 0 failed", ECHO_READY]
             + [f"console: got line '{l}'$" for l in SERIAL_LINES]
             + [r"console: got line 'exit'$", r"kestrel: boot complete"],
             checks=[serial_stalls_survived(2)], reject=NEVER, exit=DEBUGEXIT_OK),
    ]


# Storage (issue 13): disk images made here, byte by byte, so a test knows
# every byte the guest should read and can check every byte it wrote.
GPT_ENTRIES, GPT_ENTRY_SIZE = 128, 128
GPT_LINUX_DATA = "0fc63daf-8483-4772-8e79-3d69d8477de4"


def gpt_disk(path, size, lbsize, parts):
    """A disk image of size bytes with a GPT for logical blocks of lbsize
    bytes (protective MBR, primary and backup headers and entry arrays,
    CRC32s) holding parts: (first byte, bytes, name) each; returns the
    bytes written so a check can compare against them."""
    import struct, uuid, zlib
    nblocks, ent_blocks = size // lbsize, GPT_ENTRIES * GPT_ENTRY_SIZE // lbsize
    disk = bytearray(size)
    mbr = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", 0xEE, b"\xff\xff\xff", 1,
                      min(nblocks - 1, 0xFFFFFFFF))
    disk[446:446 + 16] = mbr
    disk[510:512] = b"\x55\xaa"
    ents = bytearray(GPT_ENTRIES * GPT_ENTRY_SIZE)
    for i, (start, length, name) in enumerate(parts):
        ents[i * 128:(i + 1) * 128] = struct.pack(
            "<16s16sQQQ72s", uuid.UUID(GPT_LINUX_DATA).bytes_le,
            uuid.uuid5(uuid.NAMESPACE_DNS, f"{path}-{i}").bytes_le, start // lbsize,
            (start + length) // lbsize - 1, 0, name.encode("utf-16-le"))
    ents_crc = zlib.crc32(ents)

    def header(my, alt, ents_lba):
        h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt,
                        2 + ent_blocks, nblocks - 2 - ent_blocks, uuid.UUID(int=0x6b657374).bytes_le,
                        ents_lba, GPT_ENTRIES, GPT_ENTRY_SIZE, ents_crc)
        return h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
    last = nblocks - 1
    disk[lbsize:lbsize + 92] = header(1, last, 2)
    disk[2 * lbsize:2 * lbsize + len(ents)] = ents
    disk[(last - ent_blocks) * lbsize:last * lbsize] = ents
    disk[last * lbsize:last * lbsize + 92] = header(last, 1, last - ent_blocks)
    for i, (start, length, name) in enumerate(parts):
        for b in range(length // 512):
            line = f"nvme-{name}-block-{b:05d}\n".encode()
            disk[start + b * 512:start + b * 512 + len(line)] = line
    with open(path, "wb") as f:
        f.write(disk)
    return bytes(disk)


# nvme-disk: two NVMe controllers, a 512-byte namespace (nvme0n1) and a
# 4096-byte one (nvme1n1, QEMU's nvme-ns), each a 64 MiB disk with a GPT
# of two 8 MiB partitions whose every 512-byte block begins with its name.
# nvme1 moves at most 16 KiB per command (MDTS 2), so the block layer's
# runs are cut to that. From the shell: /proc/partitions numbers them as Linux (major 259 in
# order of appearance); one block read by offset; 4 MiB read whole
# (requests of many pages; the md5 the host computed); 1 MiB copied from
# p1 to p2 (64 KiB writes) and one 512-byte block written (on the 4 KiB
# disk the cache reads, changes and writes back a whole block); sync;
# poweroff. The host then checks every byte of both images: p2 holds the
# copy and the block, and nothing else changed.
NVME_PARTS = [(1 * MIB, 8 * MIB, "p1"), (9 * MIB, 8 * MIB, "p2")]
NVME_DISK_SIZE = 64 * MIB
NVME_COPY = 1 * MIB
NVME_MARK_BLOCK = 3000
NVME_MARK = b"kestrel-wrote-this\n"


def nvme_expected(orig):
    """The image after the guest's writes: p2 starts with p1's first MiB and
    holds the mark, zero-padded to 512 bytes, at block NVME_MARK_BLOCK."""
    want = bytearray(orig)
    p1, p2 = NVME_PARTS[0][0], NVME_PARTS[1][0]
    want[p2:p2 + NVME_COPY] = orig[p1:p1 + NVME_COPY]
    at = p2 + NVME_MARK_BLOCK * 512
    want[at:at + 512] = NVME_MARK.ljust(512, b"\x00")
    return bytes(want)


def nvme_cases(build):
    import hashlib
    outdir = os.path.join(build, "test", "boot")
    disks = [(os.path.join(outdir, f"nvme-disk.nvme{i}.img"), lb) for i, lb in enumerate((512, 4096))]
    origs = {}

    def make(img):
        for path, lb in disks:
            origs[path] = gpt_disk(path, NVME_DISK_SIZE, lb, NVME_PARTS)

    def check(img):
        for path, lb in disks:
            with open(path, "rb") as f:
                got = f.read()
            want = nvme_expected(origs[path])
            if got != want:
                bad = next(i for i in range(len(want)) if got[i] != want[i])
                return f"{os.path.basename(path)}: byte {bad} is {got[bad]:#x}, want {want[bad]:#x}"
        for path, _ in disks:
            os.unlink(path)
        return None
    p1 = NVME_PARTS[0]
    md5 = hashlib.md5(gpt_disk_pattern(p1, 4 * MIB)).hexdigest()
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              serial_in("cat /proc/partitions\r"), wait_for(r"^ *259 +5 +8192 nvme1n1p2$"),
              wait_for(SHELL_PROMPT)]
    expect = [r"nvme0: QEMU NVMe Ctrl \(serial kestrel0, firmware \S+, NVMe 1\.4\), up to 256 namespaces, "
              r"volatile write cache", r"nvme0: interrupts on vector \d+ \(MSI-X\)",
              r"nvme0: namespace 1: 131072 blocks of 512 bytes \(64 MiB\)",
              r"nvme1: QEMU NVMe Ctrl .* 16 KiB per command$",
              r"nvme1: namespace 1: 16384 blocks of 4096 bytes \(64 MiB\)",
              r"^ *259 +0 +65536 nvme0n1$", r"^ *259 +1 +8192 nvme0n1p1$", r"^ *259 +2 +8192 nvme0n1p2$",
              r"^ *259 +3 +65536 nvme1n1$", r"^ *259 +4 +8192 nvme1n1p1$", r"^ *259 +5 +8192 nvme1n1p2$"]
    for disk in ("nvme0n1", "nvme1n1"):
        script += [serial_in(f"dd if=/dev/{disk}p1 bs=512 skip=200 count=1 2>/dev/null | head -c 19; "
                             f"echo ' {disk}'\r"), wait_for(f"^nvme-p1-block-00200 {disk}$"),
                   serial_in(f"dd if=/dev/{disk}p1 bs=1M count=4 2>/dev/null | md5sum\r"),
                   wait_for(f"^{md5}  -$"),
                   serial_in(f"dd if=/dev/{disk}p1 of=/dev/{disk}p2 bs=64k count={NVME_COPY // 65536} "
                             f"2>/dev/null && echo {NVME_MARK.decode().strip()} | dd of=/dev/{disk}p2 bs=512 "
                             f"seek={NVME_MARK_BLOCK} conv=sync 2>/dev/null && sync && echo wrote {disk}\r"),
                   wait_for(f"^wrote {disk}$"), wait_for(SHELL_PROMPT)]
        expect += [f"^nvme-p1-block-00200 {disk}$", f"^{md5}  -$", f"^wrote {disk}$"]
    script += [serial_in("poweroff -f\r")]
    extra = []
    for i, (path, lb) in enumerate(disks):
        extra += ["-drive", f"if=none,id=n{i},format=raw,file={path}",
                  "-device", f"nvme,serial=kestrel{i},id=nvme{i}" + (",mdts=2" if i else ""),
                  "-device", f"nvme-ns,drive=n{i},bus=nvme{i},logical_block_size={lb},physical_block_size={lb}"]
    # nvme-reset: the self-test list with an NVMe disk; nvme-reset cancels a read
    # as the block layer does after its timeout: the controller stops (the
    # I/O in flight fails), the next read resets it and reads the same page.
    reset_disk = os.path.join(outdir, "nvme-reset.nvme0.img")
    reset_extra = ["-drive", f"if=none,id=n0,format=raw,file={reset_disk}",
                   "-device", "nvme,serial=kestrel0,drive=n0"]
    return [dict(name="nvme-disk", machine="q35", mem="256M", cmdline="", image=make, after=check,
                 extra=extra, script=script, expect=expect,
                 reject=NEVER + [r"nvme\d: .*(timed out|reset|fatal|failed)"], exit=0),
            dict(name="nvme-reset", machine="q35", mem="256M", cmdline=f"{SHAPE_SELFTEST} debugexit",
                 image=lambda img: gpt_disk(reset_disk, NVME_DISK_SIZE, 512, NVME_PARTS),
                 after=lambda img: os.unlink(reset_disk), extra=reset_extra,
                 expect=banner() + [r"nvme0: the block layer cancelled a request; the I/O in flight "
                                    r"fails and the controller is reset",
                                    r"nvme0: controller reset; I/O goes on", r"selftest: nvme-reset ok"]
                 + SELFTEST_OK, reject=NEVER, exit=DEBUGEXIT_OK)]


# usb-storage: booted from the usb-storage stick (usb_disk) with a second
# usb-storage disk made here: block 0 starts with the scratch magic
# (kernel/dev/usb_storage.h), every other 512-byte block with its number.
# The kernel's self-test reads both disks through the block layer (a run
# in one request against its blocks one by one, the stick's ESP boot
# sector), writes its pattern at USBMS_SCRATCH_SECTOR on the scratch disk,
# flushes it, reads it back, and times a 16 MiB read. Then the shell reads
# /dev/sda1's boot signature and 4 MiB of /dev/sdb (md5 computed here),
# copies 1 MiB and writes a mark on /dev/sdb, syncs, reads 16 MiB with dd
# (timed: `time` in the log) and powers off. The host checks every byte of the
# scratch disk afterwards.
USBMS_SIZE = 32 * MIB
USBMS_MAGIC = b"KESTREL-USBMS-SCRATCH\n"
USBMS_KERNEL_SECTOR, USBMS_KERNEL_SECTORS = 2048, 240
USBMS_COPY_FROM, USBMS_COPY_TO, USBMS_COPY = 4 * MIB, 6 * MIB, 1 * MIB
USBMS_MARK_BLOCK = 20000
USBMS_MARK = b"kestrel-usb-wrote-this\n"


def usbms_disk():
    disk = bytearray(USBMS_SIZE)
    disk[0:len(USBMS_MAGIC)] = USBMS_MAGIC
    for b in range(1, USBMS_SIZE // 512):
        line = f"usbms-block-{b:06d}\n".encode()
        disk[b * 512:b * 512 + len(line)] = line
    return bytes(disk)


def usbms_expected(orig):
    want = bytearray(orig)
    for s in range(USBMS_KERNEL_SECTOR, USBMS_KERNEL_SECTOR + USBMS_KERNEL_SECTORS):
        want[s * 512:(s + 1) * 512] = bytes((s * 13 + k * 7 + 0x5a) & 0xff for k in range(512))
    want[USBMS_COPY_TO:USBMS_COPY_TO + USBMS_COPY] = want[USBMS_COPY_FROM:USBMS_COPY_FROM + USBMS_COPY]
    at = USBMS_MARK_BLOCK * 512
    want[at:at + 512] = USBMS_MARK.ljust(512, b"\x00")
    return bytes(want)


def usbms_check_stick(img):
    """The boot stick, written by the kernel over USB (the self-test's
    results): its ESP passes fsck.fat -n and holds the results file."""
    esp = img + ".esp"
    with open(img, "rb") as f, open(esp, "wb") as out:
        f.seek(ESP_OFFSET)
        out.write(f.read())
    fsck = subprocess.run(["fsck.fat", "-n", esp], capture_output=True, text=True)
    os.unlink(esp)
    if fsck.returncode != 0:
        return "fsck.fat -n on the stick's ESP: " + (fsck.stdout + fsck.stderr).strip()[-300:]
    ls = subprocess.run(["mdir", "-b", "-i", mtools_img(img), "::/kestrel/results"], capture_output=True,
                        text=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    if ls.returncode != 0 or ".log" not in ls.stdout.lower():
        return "no self-test results file in \\kestrel\\results on the stick"
    return None


def usbms_cases(build):
    import hashlib
    path = os.path.join(build, "test", "boot", "usb-storage.scratch.img")
    orig = usbms_disk()

    def make(img):
        with open(path, "wb") as f:
            f.write(orig)

    def check(img):
        with open(path, "rb") as f:
            got = f.read()
        want = usbms_expected(orig)
        if got != want:
            bad = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), len(want))
            return f"usb-storage.scratch.img: byte {bad} differs from what the guest should have written"
        os.unlink(path)
        return usbms_check_stick(img)
    md5 = hashlib.md5(orig[8 * MIB:12 * MIB]).hexdigest()
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              serial_in("dd if=/dev/sda1 bs=1 skip=510 count=2 2>/dev/null | od -An -tx1 | tr -d ' '; "
                        "echo sig-sda1\r"), wait_for(r"^55aa$"), wait_for(SHELL_PROMPT),
              serial_in("dd if=/dev/sdb bs=1M skip=8 count=4 2>/dev/null | md5sum\r"),
              wait_for(f"^{md5}  -$"), wait_for(SHELL_PROMPT),
              serial_in(f"dd if=/dev/sdb of=/dev/sdb bs=64k skip={USBMS_COPY_FROM // 65536} "
                        f"seek={USBMS_COPY_TO // 65536} count={USBMS_COPY // 65536} conv=notrunc 2>/dev/null && "
                        f"echo {USBMS_MARK.decode().strip()} | dd of=/dev/sdb bs=512 seek={USBMS_MARK_BLOCK} "
                        f"conv=sync,notrunc 2>/dev/null && sync && echo wrote-sdb\r"),
              wait_for(r"^wrote-sdb$"), wait_for(SHELL_PROMPT),
              serial_in("time dd if=/dev/sdb of=/dev/null bs=1M skip=16 count=16\r"),
              wait_for(r"^16\+0 records out$"), wait_for(r"^real\s+\d+m [\d.]+s$"), wait_for(SHELL_PROMPT),
              serial_in("poweroff -f\r")]
    expect = [r"usb 1-\d+: 46f4:0001 class 08 mass storage$",
              r"usb-storage sda: usb 1-\d+, QEMU QEMU HARDDISK \S+, \d+ blocks of 512 bytes .* block 0 ends 55aa$",
              r"usb 1-\d+: 46f4:0001 class 08 mass storage$",
              r"usb-storage sdb: usb 1-\d+, QEMU QEMU HARDDISK \S+, 65536 blocks of 512 bytes \(32 MiB\)",
              r"xhci: interrupts on vector \d+ \(MSI-X\)",
              r"usb-storage sdb: sequential read 16 MiB in \d+ ms",
              r"selftest: usb-storage ok", r"selftest: \d+ passed, 0 failed",
              SHELL_STARTED, r"^55aa$", f"^{md5}  -$", r"^wrote-sdb$", r"^real\s+\d+m [\d.]+s$"]
    unplug_path = os.path.join(build, "test", "boot", "usb-storage-unplug.scratch.img")

    def make_unplug(img):
        with open(unplug_path, "wb") as f:
            f.write(orig)

    # usb-storage-unplug: the scratch disk pulled out (device_del) under a
    # running system: the hot-plug thread removes it and marks the disk
    # gone, a read of it is EIO at once, never a hang, and the boot stick
    # (never taken for replugged) and the shell go on.
    unplug = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT), monitor_cmd("device_del usbscratch"),
              serial_in("sleep 1; dd if=/dev/sdb of=/dev/null bs=512 skip=5000 count=1; echo rc=$?\r"),
              wait_for(r"^rc=\d+$"), wait_for(SHELL_PROMPT),
              serial_in("dd if=/dev/sdb of=/dev/null bs=512 skip=6000 count=1; echo rc=$?\r"),
              wait_for(r"^rc=\d+$"), wait_for(SHELL_PROMPT),
              serial_in("dd if=/dev/sda1 bs=1 skip=510 count=2 2>/dev/null | od -An -tx1 | tr -d ' '; "
                        "echo alive-$((6*7))\r"), wait_for(r"^alive-42$")]
    return [dict(name="usb-storage", machine="q35", mem="512M", cmdline=SHAPE_SELFTEST, usb_disk=True,
                 image=make, after=check, timeout=240,
                 extra=["-drive", f"if=none,id=scratch,format=raw,file={path}",
                        "-device", "usb-storage,bus=xhci.0,drive=scratch"],
                 script=script, expect=expect, reject=NEVER + [r"reset recovery"], exit=0),
            dict(name="usb-storage-unplug", machine="q35", mem="256M", cmdline="", usb_disk=True,
                 image=make_unplug, after=lambda img: os.unlink(unplug_path),
                 extra=["-drive", f"if=none,id=scratch,format=raw,file={unplug_path}",
                        "-device", "usb-storage,bus=xhci.0,drive=scratch,id=usbscratch"],
                 script=unplug, expect=[SHELL_STARTED, r"usb 1-\d+: port change \(connected no\)",
                                        r"usb 1-\d+: removed \(mass storage\)$",
                                        r"usb-storage sdb: gone \(unplugged\)",
                                        r"blk: sdb: read error at sector 5000", r"^rc=1$",
                                        r"blk: sdb: read error at sector 6000", r"^rc=1$",
                                        r"^55aa$", r"^alive-42$"],
                 reject=NEVER + [r"usb-storage sda: gone", r"blk: sda: .*error"], exit=None)]


# usb-hotplug (issue 12): devices plugged in and pulled out of a running
# system through the QEMU monitor (device_add / device_del). After a
# keyboard plugged into a hub's free port and pulled out again (the hub's
# status-change endpoint reports both), the hub pulled out with the
# keyboard still behind it (both removed, the hub last) and a warm-up round (the first plug makes the storage
# worker and its heap),
# MemFree is read; a usb-kbd and a usb-storage disk are then pulled out
# and plugged in again USB_HOTPLUG_ROUNDS times each, each removal and
# each attach logged by the kernel; MemFree read again must be back
# within USB_HOTPLUG_LEAK_KIB (what is left: the gone disks' small
# structs and names, which the block layer keeps: it has no removal).
# Then the keyboard plugged in last types at the shell, and the disk
# plugged in last (a new sdX: gone disks keep their names) reads back
# the mark at its first sector (through a node made with mknod from
# /proc/partitions), and a read of the whole disk is started and the
# disk pulled out under it: the read ends with EIO. Every drive_add is a
# new backend: QEMU deletes a drive with the device it was given to.
USB_HOTPLUG_ROUNDS = 4
USB_HOTPLUG_LEAK_KIB = 64   # a device's own pages (5 or 6) leaked each round would be 80 KiB or more
USB_HOTPLUG_MARK = "kestrel-hotplug-disk"
USB_HOTPLUG_DISK_MIB = 1024
# usb-two-hc: two qemu-xhci controllers, a usb-kbd on each (buses 1 and
# 2). sendkey types on one keyboard only, so each is pulled out in turn
# and the other must type alone; then Num Lock, with loglevel=7 for the
# driver's LED lines (QEMU shows a usb-kbd's LEDs nowhere): keypad 7 and
# 5 are digits (Num Lock is on at start, its LED lit), Num Lock off makes
# keypad 4 the left arrow (the shell's line editor moves back one), on
# again lights the LED.


def usb_hotplug_cases(build):
    outdir = os.path.join(build, "test", "boot")
    disk = os.path.join(outdir, "usb-hotplug.disk.img")

    def make(img):
        with open(disk, "wb") as f:
            f.write((USB_HOTPLUG_MARK + "\n").encode())
            f.truncate(USB_HOTPLUG_DISK_MIB << 20)   # sparse: a read of it all takes seconds

    def plug_disk(n):
        return [monitor_cmd(f"drive_add 0 if=none,id=hp{n},format=raw,file={disk}"),
                monitor_cmd(f"device_add usb-storage,bus=xhci.0,drive=hp{n},id=st{n}"),
                wait_for(r"usb-storage sd\w+: usb 1-\d+, QEMU QEMU HARDDISK")]

    def round_trip(n):
        return ([monitor_cmd("device_del kbd0"), wait_for(r"usb 1-\d+: removed \(keyboard\)$"),
                 monitor_cmd("device_add usb-kbd,bus=xhci.0,id=kbd0"),
                 wait_for(r"usb 1-\d+: 0627:0001 class 03 keyboard$")] + plug_disk(n) +
                [monitor_cmd(f"device_del st{n}"), wait_for(r"usb-storage sd\w+: gone \(unplugged\)")])

    memfree = "$(awk '/^MemFree/ {print $2}' /proc/meminfo)"
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              monitor_cmd("device_add usb-kbd,bus=xhci.0,port=2.2,id=kbdh2"),
              wait_for(r"usb 1-\d+\.2: 0627:0001 class 03 keyboard$"), monitor_cmd("device_del kbdh2"),
              wait_for(r"usb 1-\d+\.2: removed \(keyboard\)$"), monitor_cmd("device_del hub0"),
              wait_for(r"usb 1-\d+: removed \(hub\)$")] + round_trip(0) + [
        serial_in(f"sleep 1; b={memfree}; echo before=$b\r"), wait_for(r"^before=\d+$"), wait_for(SHELL_PROMPT)]
    for n in range(1, USB_HOTPLUG_ROUNDS + 1):
        script += round_trip(n)
    script += [serial_in(f"sleep 1; a={memfree}; echo lost=$((b - a)) leak=$(((b - a) <= {USB_HOTPLUG_LEAK_KIB}))\r"),
               wait_for(r"^lost=-?\d+ leak=\d$"), wait_for(SHELL_PROMPT),
               keys_in("echo typed after replug\n"), wait_for(r"^typed after replug$"), wait_for(SHELL_PROMPT)]
    last = USB_HOTPLUG_ROUNDS + 1
    script += plug_disk(last) + [
        serial_in("set -- $(awk '$4 ~ /^sd[a-z]+$/ {m = $1 \" \" $2} END {print m}' /proc/partitions); "
                  "mknod /tmp/hp b $1 $2 && head -c 20 /tmp/hp; echo; echo read-done\r"),
        wait_for(r"^read-done$"), wait_for(SHELL_PROMPT),
        # in flight: a read of the whole disk, pulled out under it
        serial_in("(dd if=/tmp/hp of=/dev/null bs=1M 2>/dev/null; echo dd-rc=$?) & sleep 1; echo reading\r"),
        wait_for(r"^reading$"), monitor_cmd(f"device_del st{last}"), wait_for(r"^dd-rc=\d+$")]
    kbd = r"usb 1-\d+: 0627:0001 class 03 keyboard$"
    return [dict(name="usb-hotplug", machine="q35,i8042=off", mem="256M", cmdline="", image=make,
                 after=lambda img: os.unlink(disk), timeout=240,
                 extra=["-device", "qemu-xhci,id=xhci", "-device", "usb-kbd,bus=xhci.0,port=1,id=kbd0",
                        "-device", "usb-hub,bus=xhci.0,port=2,id=hub0",
                        "-device", "usb-kbd,bus=xhci.0,port=2.1,id=kbdh"],
                 script=script,
                 expect=[kbd, r"usb 1-\d+: 0409:55aa class 09 hub$", r"usb 1-\d+\.1: 0627:0001 class 03 keyboard$",
                         SHELL_STARTED, r"usb 1-\d+\.2: port change \(connected yes\)",
                         r"usb 1-\d+\.2: 0627:0001 class 03 keyboard$", r"usb 1-\d+\.2: port change \(connected no\)",
                         r"usb 1-\d+\.2: removed \(keyboard\)$", r"usb 1-\d+: port change \(connected no\)",
                         r"usb 1-\d+\.1: removed \(keyboard\)$", r"usb 1-\d+: removed \(hub\)$",
                         r"usb 1-\d+: port change \(connected no\)",
                         r"usb 1-\d+: removed \(keyboard\)$", r"usb 1-\d+: port change \(connected yes\)",
                         r"usb 1-\d+: 46f4:0001 class 08 mass storage$", r"usb 1-\d+: removed \(mass storage\)$",
                         r"usb-storage sd\w+: gone \(unplugged\)", r"^before=\d+$", r"^lost=-?\d+ leak=1$",
                         r"^typed after replug$", f"^{USB_HOTPLUG_MARK}$", r"^read-done$", r"^reading$",
                         r"usb-storage sd\w+: gone \(unplugged\)", r"blk: sd\w+: read error", r"^dd-rc=1$"],
                 reject=NEVER + [r"usb 1-\d+: .*left alone", r"reset recovery"], exit=None),
            dict(name="usb-two-hc", machine="q35,i8042=off", mem="256M", cmdline="loglevel=7",
                 extra=["-device", "qemu-xhci,id=xa", "-device", "usb-kbd,bus=xa.0,id=ka",
                        "-device", "qemu-xhci,id=xb", "-device", "usb-kbd,bus=xb.0,id=kb"],
                 script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                         monitor_cmd("device_del ka"), wait_for(r"usb 1-\d+: removed \(keyboard\)$"),
                         keys_in("echo on bus two\n"), wait_for(r"^on bus two$"), wait_for(SHELL_PROMPT),
                         monitor_cmd("device_add usb-kbd,bus=xa.0,id=ka"), wait_for(r"usb 1-\d+: 0627:0001 class 03 keyboard$"),
                         monitor_cmd("device_del kb"), wait_for(r"usb 2-\d+: removed \(keyboard\)$"),
                         keys_in("echo on bus one\n"), wait_for(r"^on bus one$"), wait_for(SHELL_PROMPT),
                         keys_in("echo "), monitor_cmd("sendkey kp_7"), monitor_cmd("sendkey kp_5"),
                         monitor_cmd("sendkey num_lock"), wait_for(r"usb 1-\d+: keyboard LEDs:$"),
                         keys_in("x"), monitor_cmd("sendkey kp_4"), keys_in("y"),
                         monitor_cmd("sendkey num_lock"), wait_for(r"usb 1-\d+: keyboard LEDs: num$"),
                         keys_in("\n"), wait_for(r"^75yx$")],
                 expect=[r"xhci: \S+ found \(HCI version .*usb bus 1$", r"usb 1-\d+: 0627:0001 class 03 keyboard$",
                         r"xhci: \S+ found \(HCI version .*usb bus 2$", r"usb 2-\d+: 0627:0001 class 03 keyboard$",
                         SHELL_STARTED, r"^on bus two$", r"^on bus one$", r"usb 1-\d+: keyboard LEDs:$",
                         r"usb 1-\d+: keyboard LEDs: num$", r"^75yx$"],
                 reject=NEVER + [r"usb \d-\d+: .*left alone"], exit=None)]


# fat-disk: a virtio-blk disk with a GPT whose partition holds a FAT32
# file system made here (mkfs.fat -F 32, files and a directory with long
# names put there by mtools, and the guest's script t.sh). From the
# shell: mount -t vfat /dev/vda1 /mnt, then t.sh reads the files (md5 of a
# 300 KiB one), looks a name up in another case, creates, writes,
# renames (same and other directory), deletes files and directories
# with long names, checks rmdir of a full directory fails, makes 300
# files in one directory and deletes every other one, renames a file and
# a directory in case only, chmod a-w (and chmod 644, which must fail, as
# Linux), touch -d, writes 16 MiB and reads it back after a remount (dd
# prints the rates; stat shows the mode and time kept), mounts again at a
# path with a space (/proc/mounts escapes it as \040, df finds it), and
# unmounts. After poweroff the host extracts the partition, runs fsck.fat
# -n (it must be clean, the dirty markers cleared) and reads every change
# back with mtools (fat_attrs_check: names, mattrib, mdir's date).
FAT_PART = (1 * MIB, 40 * MIB)
FAT_DISK_SIZE = 48 * MIB
FAT_SCRIPT = """set -e
cat /mnt/hello.txt
cat '/mnt/LONG DIRECTORY NAME/nested file with a long name.TXT'
md5sum /mnt/big.bin
echo 'written by kestrel' > '/mnt/Kestrel Wrote This File.txt'
cat '/mnt/kestrel wrote this file.TXT'
mkdir '/mnt/New Directory With A Long Name'
echo inner > '/mnt/New Directory With A Long Name/inner file.txt'
mv /mnt/hello.txt '/mnt/Long Directory Name/hello moved here.txt'
mv '/mnt/Long Directory Name/Nested File With A Long Name.txt' '/mnt/Renamed Nested.txt'
mv '/mnt/New Directory With A Long Name' '/mnt/Long Directory Name/Moved Directory'
rm /mnt/delete-me.txt
mkdir /mnt/emptydir
rmdir /mnt/emptydir
mkdir /mnt/fulldir
echo x > /mnt/fulldir/x
if rmdir /mnt/fulldir 2>/dev/null; then echo rmdir-of-full-dir-worked; fi
dd if=/dev/zero of=/mnt/zeros.bin bs=64k count=16 2>/dev/null
echo 0123456789 > /mnt/short.txt
echo more >> /mnt/short.txt
echo case > /mnt/casefile.txt
mv /mnt/casefile.txt /mnt/CaseFile.TXT || true
ls /mnt | grep -x casefile.txt
echo ro > /mnt/readonly.txt
chmod a-w /mnt/readonly.txt
if chmod 644 /mnt/short.txt 2>/dev/null; then echo chmod-644-worked; fi
touch -d '2001-02-03 04:05:06' /mnt/dated.txt
mkdir /mnt/many
i=0; while [ $i -lt 300 ]; do echo $i > "/mnt/many/small file number $i.txt"; i=$((i+1)); done
i=0; while [ $i -lt 300 ]; do rm "/mnt/many/small file number $i.txt"; i=$((i+2)); done
echo "many: $(ls /mnt/many | wc -l) left"
dd if=/dev/zero of=/mnt/seq.bin bs=1M count=16
umount /mnt
mount -t vfat /dev/vda1 /mnt
stat -c 'attrs %n %a %Y' /mnt/readonly.txt /mnt/dated.txt
ls /mnt | grep -x casefile.txt
dd if=/mnt/seq.bin of=/dev/null bs=1M
rm /mnt/seq.bin
ls /mnt
umount /mnt
mkdir -p '/tmp/fat mnt'
mount -t vfat /dev/vda1 '/tmp/fat mnt'
grep -F '/tmp/fat\\040mnt' /proc/mounts | awk '{print "mounts:", NF, $1, $2, $3}'
df '/tmp/fat mnt' | awk 'NR == 2 {print "df:", $1, $NF}'
umount '/tmp/fat mnt'
echo fat-script-done
"""


def fat_cases(build):
    import hashlib, random
    outdir = os.path.join(build, "test", "boot")
    disk, part = os.path.join(outdir, "fat-disk.vda.img"), os.path.join(outdir, "fat-disk.vda1.img")
    big = random.Random(13).randbytes(300 * 1024)
    files = {"hello.txt": b"hello from the host\n", "delete-me.txt": b"delete me\n",
             "big.bin": big, "t.sh": FAT_SCRIPT.encode(),
             "Long Directory Name/Nested File With A Long Name.txt": b"nested long name\n"}

    def mtools(*args):
        run(list(args[:1]) + ["-i", part] + list(args[1:]))

    def make(img):
        if os.path.exists(part):
            os.unlink(part)
        run(["mkfs.fat", "-C", "-F", "32", "-s", "1", "-n", "KESTRELFAT", part, str(FAT_PART[1] // 1024)])
        mtools("mmd", "::/Long Directory Name")
        for name, data in files.items():
            src = part + ".src"
            with open(src, "wb") as f:
                f.write(data)
            mtools("mcopy", src, "::/" + name)
            os.unlink(src)
        gpt_disk(disk, FAT_DISK_SIZE, 512, [(FAT_PART[0], FAT_PART[1], "fat")])
        with open(part, "rb") as f, open(disk, "r+b") as d:
            d.seek(FAT_PART[0])
            d.write(f.read())

    def mtype(path):
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        r = subprocess.run(["mtype", "-i", part, "::" + path], env=env, capture_output=True)
        return r.stdout if r.returncode == 0 else None

    def check(img):
        with open(disk, "rb") as d, open(part, "wb") as f:
            d.seek(FAT_PART[0])
            f.write(d.read(FAT_PART[1]))
        fsck = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
        if fsck.returncode != 0 or "Dirty bit" in fsck.stdout:
            return "fsck.fat -n: " + " / ".join(fsck.stdout.strip().splitlines())
        want = {"/Kestrel Wrote This File.txt": b"written by kestrel\n",
                "/Long Directory Name/Moved Directory/inner file.txt": b"inner\n",
                "/Long Directory Name/hello moved here.txt": files["hello.txt"],
                "/Renamed Nested.txt": b"nested long name\n",
                "/big.bin": big, "/zeros.bin": bytes(1 << 20), "/fulldir/x": b"x\n",
                "/short.txt": b"0123456789\nmore\n", "/many/small file number 299.txt": b"299\n"}
        for path, data in want.items():
            got = mtype(path)
            if got != data:
                return f"{path}: " + ("missing" if got is None else f"{len(got)} bytes differ from what was written")
        # the modification time the guest wrote (UTC, as the RTC) is today's, give or take a day
        import datetime
        listing = subprocess.run(["mdir", "-i", part, "::/Kestrel Wrote This File.txt"],
                                 env=dict(os.environ, MTOOLS_SKIP_CHECK="1"), capture_output=True, text=True).stdout
        today = datetime.datetime.now(datetime.timezone.utc).date()
        days = [str(today + datetime.timedelta(days=d)) for d in (-1, 0, 1)]
        if not any(d in listing for d in days):
            return f"Kestrel Wrote This File.txt: no modification date near {today}: {listing.strip()}"
        why = fat_attrs_check(part)
        if why:
            return why
        for gone in ("/hello.txt", "/delete-me.txt", "/emptydir", "/seq.bin", "/many/small file number 298.txt",
                     "/Long Directory Name/Nested File With A Long Name.txt"):
            if mtype(gone) is not None or subprocess.run(
                    ["mdir", "-i", part, "::" + gone], env=dict(os.environ, MTOOLS_SKIP_CHECK="1"),
                    capture_output=True).returncode == 0:
                return f"{gone} is still there"
        os.unlink(disk)
        os.unlink(part)
        return None
    md5 = hashlib.md5(big).hexdigest()
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              serial_in("mkdir -p /mnt && mount -t vfat /dev/vda1 /mnt && cp /mnt/t.sh /tmp/t.sh && "
                        "sh /tmp/t.sh\r"),
              wait_for(r"^fat-script-done$|^Command failed|can't|No such|Invalid|error"),
              wait_for(SHELL_PROMPT), serial_in("poweroff -f\r")]
    expect = [r"virtio-blk \S+: vda, ", SHELL_STARTED, r"fat: vda1: FAT32, \d+ clusters of 512 bytes$",
              r"^hello from the host$", r"^nested long name$", f"^{md5}  /mnt/big.bin$",
              r"^written by kestrel$", r"^many: 150 left$", r"^attrs /mnt/readonly.txt 555 \d+$",
              r"^attrs /mnt/dated.txt 755 981173106$", r"^mounts: 6 /dev/vda1 /tmp/fat\\040mnt vfat$",
              r"^df: /dev/vda1 mnt$", r"^fat-script-done$"]
    return [dict(name="fat-disk", machine="q35", mem="256M", cmdline="", image=make, after=check,
                 extra=["-drive", f"if=virtio,format=raw,file={disk}"], script=script, expect=expect,
                 reject=NEVER + [r"rmdir-of-full-dir-worked", r"chmod-644-worked", r"fat: .*read-only"],
                 exit=0)]


def fat_attrs_check(part):
    """What fat-disk's script changed beyond the data, as mtools reads it:
    a case-only rename (mv casefile.txt CaseFile.TXT) leaving the stored
    name as it was (as Linux's vfat: both names find the one entry), chmod a-w as the read-only attribute,
    touch -d as the modification date. None, or what is wrong."""
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    names = subprocess.run(["mdir", "-b", "-i", part, "::/"], env=env, capture_output=True,
                           text=True).stdout.splitlines()
    if "::/casefile.txt" not in names or "::/CaseFile.TXT" in names:
        return f"case-only rename: casefile.txt not kept as spelt: {names}"
    attrs = subprocess.run(["mattrib", "-i", part, "::/readonly.txt", "::/short.txt"], env=env,
                           capture_output=True, text=True).stdout.splitlines()
    flags = {line.split("::")[1]: line.split("::")[0] for line in attrs if "::" in line}
    if "R" not in flags.get("/readonly.txt", "") or "R" in flags.get("/short.txt", "R"):
        return f"chmod a-w: the read-only attribute is not as set: {attrs}"
    dated = subprocess.run(["mdir", "-i", part, "::/dated.txt"], env=env, capture_output=True,
                           text=True).stdout
    if "2001-02-03" not in dated or " 4:05" not in dated:
        return f"touch -d: dated.txt's modification time is not 2001-02-03 4:05: {dated.strip()}"
    return None


# ext2-disk-4k, ext2-disk-1k: a virtio-blk disk with a GPT whose
# partition holds an ext2 file system made here by mke2fs -d (4 KiB or
# 1 KiB blocks) from a tree with a file, a 1.5 MiB file (through the
# double-indirect blocks at 1 KiB), fast and slow symlinks and the
# guest's script. From the shell: mount -t ext2 /dev/vda1 /mnt, then the
# script reads them (the big one also by dd from a jump and in 1000-byte
# reads, over the read-ahead), creates, renames (same and other directory),
# deletes files and directories, links, makes a symlink and a FIFO,
# writes a 1 MiB file, truncates, checks rmdir of a full directory
# fails, and unmounts. After QEMU: e2fsck -fn must be clean, the state
# "clean", and debugfs reads back what the guest wrote.
EXT2_PART = (1 * MIB, 24 * MIB)
EXT2_DISK_SIZE = 32 * MIB
EXT2_SCRIPT = """set -e
cat /mnt/hello.txt
dd if=/mnt/sub/big.bin bs=4096 skip=37 count=100 2>/dev/null | md5sum
dd if=/mnt/sub/big.bin bs=1000 2>/dev/null | md5sum
md5sum /mnt/sub/big.bin
cat /mnt/fast
cat /mnt/slow | md5sum
echo 'written by kestrel' > /mnt/new.txt
cat /mnt/new.txt
mkdir /mnt/newdir
echo inner > /mnt/newdir/inner.txt
mv /mnt/hello.txt /mnt/newdir/hello-moved.txt
mv /mnt/newdir /mnt/sub/moved-dir
mv /mnt/sub/moved-dir/inner.txt /mnt/sub/moved-dir/renamed.txt
rm /mnt/delete-me.txt
mkdir /mnt/emptydir
rmdir /mnt/emptydir
mkdir /mnt/fulldir
echo x > /mnt/fulldir/x
if rmdir /mnt/fulldir 2>/dev/null; then echo rmdir-of-full-dir-worked; fi
ln /mnt/new.txt /mnt/hardlink.txt
ln -s new.txt /mnt/symlink-new
ln -s sub/../sub/../sub/../sub/../sub/../sub/../sub/../sub/../sub/moved-dir/renamed.txt /mnt/slow-new
mkfifo /mnt/fifo
dd if=/dev/zero of=/mnt/zeros.bin bs=64k count=16 2>/dev/null
md5sum /mnt/zeros.bin
echo 0123456789 > /mnt/short.txt
echo more >> /mnt/short.txt
echo 0123456789abcdef > /mnt/trunc.txt
truncate -s 5 /mnt/trunc.txt
i=0; while [ $i -lt 60 ]; do echo $i > /mnt/sub/many-$i; i=$((i+1)); done
i=0; while [ $i -lt 60 ]; do rm /mnt/sub/many-$i; i=$((i+2)); done
i=0; while [ $i -lt 300 ]; do echo $i > /mnt/sub/lots-$i; i=$((i+1)); done
mv /mnt/sub/lots-7 /mnt/sub/lots-seven
i=0; while [ $i -lt 300 ]; do rm -f /mnt/sub/lots-$i; i=$((i+3)); done
i=0; while [ $i -lt 300 ]; do echo again > /mnt/sub/lots-$i; i=$((i+6)); done
cat /mnt/sub/lots-299 /mnt/sub/lots-seven /mnt/sub/lots-6
echo attrs > /mnt/attrs.txt
chmod 640 /mnt/attrs.txt
chown 12:34 /mnt/attrs.txt
touch -d '2001-02-03 04:05:06' /mnt/attrs.txt
ls -la /mnt
df /mnt
umount /mnt
echo ext2-script-done
"""


def ext2_cases(build):
    import hashlib, random, shutil
    outdir = os.path.join(build, "test", "boot")
    big = random.Random(2).randbytes(1536 * 1024 + 77)
    slow = "sub/../sub/../sub/../sub/../sub/../sub/../sub/../sub/../sub/../hello.txt"

    def case(bs):
        disk = os.path.join(outdir, f"ext2-disk-{bs}.img")
        part, tree = disk + ".part", disk + ".tree"

        def make(img):
            shutil.rmtree(tree, ignore_errors=True)
            os.makedirs(os.path.join(tree, "sub"))
            for name, data in {"hello.txt": b"hello from the host\n", "delete-me.txt": b"delete me\n",
                               "sub/big.bin": big, "t.sh": EXT2_SCRIPT.encode()}.items():
                with open(os.path.join(tree, name), "wb") as f:
                    f.write(data)
            os.symlink("hello.txt", os.path.join(tree, "fast"))
            os.symlink(slow, os.path.join(tree, "slow"))
            if os.path.exists(part):
                os.unlink(part)
            run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(bs), "-d", tree, part,
                 str(EXT2_PART[1] // 1024) + "k"])
            gpt_disk(disk, EXT2_DISK_SIZE, 512, [(EXT2_PART[0], EXT2_PART[1], "ext2")])
            with open(part, "rb") as f, open(disk, "r+b") as d:
                d.seek(EXT2_PART[0])
                d.write(f.read())

        def cat(path):
            r = subprocess.run(["debugfs", "-R", f"cat {path}", part], capture_output=True)
            return r.stdout if r.returncode == 0 and r.stdout else None

        def stat(path):
            r = subprocess.run(["debugfs", "-R", f"stat {path}", part], capture_output=True, text=True)
            return r.stdout

        def check(img):
            with open(disk, "rb") as d, open(part, "wb") as f:
                d.seek(EXT2_PART[0])
                f.write(d.read(EXT2_PART[1]))
            fsck = subprocess.run(["e2fsck", "-fn", part], capture_output=True, text=True)
            if fsck.returncode != 0:
                return "e2fsck -fn: " + " / ".join(fsck.stdout.strip().splitlines()[-12:])
            state = subprocess.run(["dumpe2fs", "-h", part], capture_output=True, text=True).stdout
            if not re.search(r"^Filesystem state:\s+clean$", state, re.M):
                return "not marked clean after umount"
            want = {"/new.txt": b"written by kestrel\n", "/hardlink.txt": b"written by kestrel\n",
                    "/sub/moved-dir/hello-moved.txt": b"hello from the host\n",
                    "/sub/moved-dir/renamed.txt": b"inner\n", "/sub/big.bin": big,
                    "/zeros.bin": bytes(1 << 20), "/fulldir/x": b"x\n",
                    "/short.txt": b"0123456789\nmore\n", "/trunc.txt": b"01234", "/sub/many-1": b"1\n",
                    "/sub/lots-299": b"299\n", "/sub/lots-seven": b"7\n", "/sub/lots-6": b"again\n"}
            for path, data in want.items():
                got = cat(path)
                if got != data:
                    return f"{path}: " + ("missing" if got is None else f"{len(got)} bytes differ from what was written")
            if "Links: 2" not in stat("/new.txt"):
                return "/new.txt: not 2 links"
            if "Type: symlink" not in stat("/symlink-new") or "Type: FIFO" not in stat("/fifo"):
                return "symlink or FIFO missing"
            st = stat("/attrs.txt")  # chmod 640, chown 12:34, touch -d 2001-02-03 04:05:06 UTC
            if not re.search(r"Mode:\s+0640\b", st) or not re.search(r"User:\s+12\s+Group:\s+34\b", st) \
                    or "mtime: 0x3a7b8372" not in st:
                return "/attrs.txt: mode, owner or mtime not as set: " + " / ".join(st.splitlines()[:10])
            for gone in ("/hello.txt", "/delete-me.txt", "/emptydir", "/newdir", "/sub/many-0", "/sub/moved-dir/inner.txt",
                         "/sub/lots-3", "/sub/lots-7"):
                if "Inode:" in stat(gone):
                    return f"{gone} is still there"
            os.unlink(disk)
            os.unlink(part)
            shutil.rmtree(tree, ignore_errors=True)
            return None
        script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                  serial_in("mkdir -p /mnt && mount -t ext2 /dev/vda1 /mnt && cp /mnt/t.sh /tmp/t.sh && "
                            "sh /tmp/t.sh\r"),
                  wait_for(r"^ext2-script-done$|^Command failed|can't|No such|Invalid|error"),
                  wait_for(SHELL_PROMPT), serial_in("poweroff -f\r")]
        expect = [r"virtio-blk .*: vda", SHELL_STARTED,
                  rf"ext2: vda1: mounted read-write \(revision 1, {bs}-byte blocks, \d+ groups",
                  r"^hello from the host$",
                  f"^{hashlib.md5(big[37 * 4096:137 * 4096]).hexdigest()}  -$",  # read-ahead after a jump
                  f"^{hashlib.md5(big).hexdigest()}  -$",  # small sequential reads over read-ahead
                  f"^{hashlib.md5(big).hexdigest()}  /mnt/sub/big.bin$",
                  r"^hello from the host$", r"^written by kestrel$",
                  f"^{hashlib.md5(bytes(1 << 20)).hexdigest()}  /mnt/zeros.bin$", r"^ext2-script-done$"]
        return dict(name=f"ext2-disk-{bs // 1024}k", machine="q35", mem="256M", cmdline="", image=make,
                    after=check, extra=["-drive", f"if=virtio,format=raw,file={disk}"], script=script,
                    expect=expect, reject=NEVER + [r"rmdir-of-full-dir-worked", r"ext2: .*(read-only|error)"],
                    exit=0)
    return [case(4096), case(1024), ext2_bad_case(build), ext2_crash_case(build)]


# ext2-crash: an ext2 partition, mounted; files written and synced, then a
# loop appending to growing.txt is cut by killing QEMU (the case ends at
# "crash-now" with QEMU still running). The host then requires e2fsck -fn
# to name no inode but growing.txt's (bitmap and free-count differences
# are what an unjournaled file system cut mid-write leaves, and fine), and
# the synced files intact (debugfs); a second boot mounts the file system
# (warning it was not cleanly unmounted), reads them and unmounts.
EXT2_CRASH_READ = """mkdir -p /mnt
mount -t ext2 /dev/vda1 /mnt
cat /mnt/kept.txt /mnt/keptdir/inner.txt
umount /mnt
echo ext2-crash-read-done
"""


def ext2_crash_case(build):
    outdir = os.path.join(build, "test", "boot")
    disk, part = os.path.join(outdir, "ext2-crash.vda.img"), os.path.join(outdir, "ext2-crash.vda1.img")

    def make(img):
        if os.path.exists(part):
            os.unlink(part)
        run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", part, str(EXT2_PART[1] // 1024) + "k"])
        gpt_disk(disk, EXT2_DISK_SIZE, 512, [(EXT2_PART[0], EXT2_PART[1], "ext2")])
        with open(part, "rb") as f, open(disk, "r+b") as d:
            d.seek(EXT2_PART[0])
            d.write(f.read())
        put_on_esp(img, EXT2_CRASH_READ.encode(), "c2.sh")

    def extract():
        with open(disk, "rb") as d, open(part, "wb") as f:
            d.seek(EXT2_PART[0])
            f.write(d.read(EXT2_PART[1]))

    def debugfs(cmd):
        return subprocess.run(["debugfs", "-R", cmd, part], capture_output=True).stdout

    def check_case(case):
        def check(img):
            extract()
            growing = re.search(rb"Inode: (\d+)", debugfs("stat /growing.txt"))
            mine = {growing.group(1).decode()} if growing else set()
            fsck = subprocess.run(["e2fsck", "-fn", part], capture_output=True, text=True)
            named = set(re.findall(r"[Ii]node (\d+)", fsck.stdout)) - mine
            bad = [ln for ln in fsck.stdout.splitlines() if re.search(r"[Ii]node (\d+)", ln)
                   and re.search(r"[Ii]node (\d+)", ln).group(1) in named]
            if bad or (fsck.returncode & ~4):
                return "e2fsck -fn after the crash: " + " / ".join(bad or fsck.stdout.splitlines()[-6:])
            for path, data in (("/kept.txt", b"kept\n"), ("/keptdir/inner.txt", b"inner\n")):
                if debugfs(f"cat {path}") != data:
                    return f"{path} was synced before the crash but is not intact"
            why = boot_again(case, img, "debugexit init=/bin/sh -- /boot/efi/c2.sh",
                             [r"ext2: vda1: was not cleanly unmounted", r"^kept$", r"^inner$",
                              r"mount: /dev/vda1 unmounted", r"^ext2-crash-read-done$"])
            if why:
                return why
            os.unlink(disk)
            os.unlink(part)
            return None
        return check
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              serial_in("mkdir -p /mnt && mount -t ext2 /dev/vda1 /mnt && echo kept > /mnt/kept.txt && "
                        "mkdir /mnt/keptdir && echo inner > /mnt/keptdir/inner.txt && "
                        "sync && echo synced-before-crash\r"),
              wait_for(r"^synced-before-crash$"), wait_for(SHELL_PROMPT),
              serial_in("i=0; while :; do echo line $i >> /mnt/growing.txt; i=$((i+1)); "
                        "[ $i = 3000 ] && echo crash-now; done\r"),
              wait_for(r"^crash-now$")]
    case = dict(name="ext2-crash", machine="q35", mem="256M", cmdline="", image=make,
                extra=["-drive", f"if=virtio,format=raw,file={disk}"], script=script,
                expect=[SHELL_STARTED, r"^synced-before-crash$", r"^crash-now$"],
                reject=NEVER, exit=None)
    case["after"] = check_case(case)
    return case


# ext2-refused: three ext2 partitions the kernel must not write: one whose
# journal needs recovery (refused), one with a read-only compatible
# feature ext2 cannot keep (huge_file: mounted read-only, a write is
# EROFS, its bytes unchanged afterwards), one with a zeroed superblock
# (refused). Each refusal is a log line with the reason, never a panic.
def ext2_bad_case(build):
    import shutil
    outdir = os.path.join(build, "test", "boot")
    disk = os.path.join(outdir, "ext2-refused-disk.img")
    tree, parts = disk + ".tree", [(i * MIB, 4 * MIB, f"bad{i}") for i in (1, 5, 9)]
    saved = {}

    def make(img):
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(tree)
        with open(os.path.join(tree, "hello.txt"), "wb") as f:
            f.write(b"hello from the host\n")
        gpt_disk(disk, 16 * MIB, 512, parts)
        for n, (start, size, _) in enumerate(parts):
            part = f"{disk}.{n}"
            run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-d", tree, part, "4096k"])
            if n < 2:
                run(["debugfs", "-w", "-R", "feature " + ("needs_recovery" if n == 0 else "huge_file"), part])
            with open(part, "r+b") as f:
                if n == 2:
                    f.write(bytes(4096))
                f.seek(0)
                data = f.read()
            saved[n] = data
            with open(disk, "r+b") as d:
                d.seek(start)
                d.write(data)
            os.unlink(part)

    def check(img):
        with open(disk, "rb") as d:
            d.seek(parts[1][0])
            if d.read(parts[1][1]) != saved[1]:
                return "the read-only mount changed its partition"
        os.unlink(disk)
        shutil.rmtree(tree, ignore_errors=True)
        return None
    line = ("mkdir -p /mnt; mount -t ext2 /dev/vda1 /mnt; echo p1 rc=$?; "
            "mount -t ext2 /dev/vda2 /mnt; echo p2 rc=$?; cat /mnt/hello.txt; "
            "if echo x > /mnt/new.txt; then echo write-on-ro-work\"\"ed; fi; umount /mnt; "
            "mount -t ext2 /dev/vda3 /mnt; echo p3 rc=$?; echo ext2-bad-done\r")
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT), serial_in(line),
              wait_for(r"^ext2-bad-done$"), wait_for(SHELL_PROMPT), serial_in("poweroff -f\r")]
    expect = [SHELL_STARTED, r"ext2: vda1: not mounted: the journal needs recovery", r"^p1 rc=[1-9]",
              r"ext2: vda2: mounted read-only: read-only compatible features", r"^p2 rc=0$",
              r"^hello from the host$", r"ext2: vda3: not mounted: no ext2 magic", r"^p3 rc=[1-9]",
              r"^ext2-bad-done$"]
    return dict(name="ext2-refused", machine="q35", mem="256M", cmdline="", image=make, after=check,
                extra=["-drive", f"if=virtio,format=raw,file={disk}"], script=script, expect=expect,
                reject=NEVER + [r"write-on-ro-worked"], exit=0)


# fat-crash: the fat-disk volume, mounted; files written and synced, then
# a loop appending to growing.txt is cut by killing QEMU (the case ends
# at "crash-now" with QEMU still running). The host then requires
# fsck.fat -n to name nothing but growing.txt (and the dirty bit, the
# free count, clusters the loop had taken), and the synced files intact;
# a second boot mounts the volume (warning it was not properly
# unmounted), reads them and unmounts cleanly: the dirty bit is cleared.
FAT_CRASH_GOOD = ("Dirty bit", "growing.txt", "Free cluster summary", "Reclaimed", "unused cluster",
                  "Auto-correcting", "Leaving filesystem unchanged", "fsck.fat ", "files, ",
                  "Truncating", "cluster chain length", "File size", "Perform changes", "Filesystem was changed",
                  # the state byte's dirty flag is set in the boot sector, not its backup
                  "boot sector and its backup", "mostly harmless", "(offset:original/backup)", "65:01/00",
                  "Not automatically fixing this", "removing dirty bit")
FAT_CRASH_READ = """mkdir -p /mnt
mount -t vfat /dev/vda1 /mnt
cat /mnt/kept.txt '/mnt/Kept Directory/a long name.txt'
umount /mnt
echo fat-crash-read-done
"""


FAT_MANY_SCRIPT = """set -e
n=$1
d='/mnt/one big directory'
now() { cut -d' ' -f1 /proc/uptime; }
took() { awk "BEGIN { printf \\"%.2f\\", $2 - $1 }"; }
mkdir "$d"
t0=$(now)
i=0; while [ $i -lt $((n / 2)) ]; do : > "$d/small file number $i.txt"; i=$((i+1)); done
t1=$(now)
while [ $i -lt $n ]; do : > "$d/small file number $i.txt"; i=$((i+1)); done
t2=$(now)
echo "fat-many: $n creates: first half $(took $t0 $t1) s, second half $(took $t1 $t2) s"
test -e "$d/SMALL FILE NUMBER 7.TXT"
test ! -e "$d/small file number $n.txt"
umount /mnt
mount -t vfat /dev/vda1 /mnt
echo "fat-many: $(ls "$d" | wc -l) names after a remount"
t3=$(now)
rm -r "$d"
t4=$(now)
echo "fat-many: rm -r of $n: $(took $t3 $t4) s"
umount /mnt
echo fat-many-done
"""


def fat_many_cases(build):
    """Many files in one FAT directory (the name index, fat_index.c): the
    guest times creating them (two halves: the second must not be much
    slower), remounts, counts them and times rm -r; the host checks the
    image with fsck.fat -n. KESTREL_FAT_MANY sets the count (default 1000;
    a one-off measurement may take 10000 and --timeout 600)."""
    n = int(os.environ.get("KESTREL_FAT_MANY", "1000"))
    outdir = os.path.join(build, "test", "boot")
    disk, part = os.path.join(outdir, "fat-many.vda.img"), os.path.join(outdir, "fat-many.vda1.img")

    def make(img):
        if os.path.exists(part):
            os.unlink(part)
        run(["mkfs.fat", "-C", "-F", "32", "-s", "1", "-n", "KESTRELFAT", part, str(FAT_PART[1] // 1024)])
        src = part + ".src"
        with open(src, "w") as f:
            f.write(FAT_MANY_SCRIPT)
        run(["mcopy", "-i", part, src, "::/many.sh"])
        os.unlink(src)
        gpt_disk(disk, FAT_DISK_SIZE, 512, [(FAT_PART[0], FAT_PART[1], "fat")])
        with open(part, "rb") as f, open(disk, "r+b") as d:
            d.seek(FAT_PART[0])
            d.write(f.read())

    def check(img):
        with open(disk, "rb") as d, open(part, "wb") as f:
            d.seek(FAT_PART[0])
            f.write(d.read(FAT_PART[1]))
        fsck = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
        if fsck.returncode != 0 or "Dirty bit" in fsck.stdout:
            return "fsck.fat -n: " + " / ".join(fsck.stdout.strip().splitlines())
        if subprocess.run(["mdir", "-i", part, "::/one big directory"], capture_output=True,
                          env=dict(os.environ, MTOOLS_SKIP_CHECK="1")).returncode == 0:
            return "/one big directory is still there after rm -r"
        os.unlink(disk)
        os.unlink(part)
        return None
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              serial_in(f"mkdir -p /mnt && mount -t vfat /dev/vda1 /mnt && cp /mnt/many.sh /tmp/m.sh && "
                        f"sh /tmp/m.sh {n}\r"),
              wait_for(r"^fat-many-done$|^Command failed|can't|No such|Invalid|error"),
              wait_for(SHELL_PROMPT), serial_in("poweroff -f\r")]
    expect = [SHELL_STARTED, rf"^fat-many: {n} creates: first half [0-9.]+ s, second half [0-9.]+ s$",
              rf"^fat-many: {n} names after a remount$", rf"^fat-many: rm -r of {n}: [0-9.]+ s$",
              r"^fat-many-done$"]
    return [dict(name="fat-many", machine="q35", mem="256M", cmdline="", image=make, after=check,
                 extra=["-drive", f"if=virtio,format=raw,file={disk}"], script=script, expect=expect,
                 reject=NEVER + [r"fat: .*read-only"], exit=0, timeout=600)]


def fat_crash_cases(build):
    outdir = os.path.join(build, "test", "boot")
    disk, part = os.path.join(outdir, "fat-crash.vda.img"), os.path.join(outdir, "fat-crash.vda1.img")

    def make(img):
        if os.path.exists(part):
            os.unlink(part)
        run(["mkfs.fat", "-C", "-F", "32", "-s", "1", part, str(FAT_PART[1] // 1024)])
        gpt_disk(disk, FAT_DISK_SIZE, 512, [(FAT_PART[0], FAT_PART[1], "fat")])
        with open(part, "rb") as f, open(disk, "r+b") as d:
            d.seek(FAT_PART[0])
            d.write(f.read())
        put_on_esp(img, FAT_CRASH_READ.encode(), "c2.sh")

    def extract():
        with open(disk, "rb") as d, open(part, "wb") as f:
            d.seek(FAT_PART[0])
            f.write(d.read(FAT_PART[1]))
        return subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)

    def check_case(case):
        def check(img):
            fsck = extract()
            bad = [ln for ln in fsck.stdout.splitlines() + fsck.stderr.splitlines()
                   if ln.strip() and not any(g in ln for g in FAT_CRASH_GOOD)]
            if bad:
                return "fsck.fat -n after the crash: " + " / ".join(bad)
            env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
            for path, data in (("/kept.txt", b"kept\n"), ("/Kept Directory/a long name.txt", b"long\n")):
                r = subprocess.run(["mtype", "-i", part, "::" + path], env=env, capture_output=True)
                if r.returncode != 0 or r.stdout != data:
                    return f"{path} was synced before the crash but is not intact"
            why = boot_again(case, img, "debugexit init=/bin/sh -- /boot/efi/c2.sh",
                             [r"fat: vda1: not properly unmounted", r"^kept$", r"^long$",
                              r"mount: /dev/vda1 unmounted", r"^fat-crash-read-done$"])
            if why:
                return why
            fsck = extract()
            if "Dirty bit" in fsck.stdout:
                return "the dirty bit is still set after the second boot's clean unmount"
            os.unlink(disk)
            os.unlink(part)
            return None
        return check
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
              serial_in("mkdir -p /mnt && mount -t vfat /dev/vda1 /mnt && echo kept > /mnt/kept.txt && "
                        "mkdir '/mnt/Kept Directory' && echo long > '/mnt/Kept Directory/a long name.txt' && "
                        "sync && echo synced-before-crash\r"),
              wait_for(r"^synced-before-crash$"), wait_for(SHELL_PROMPT),
              serial_in("i=0; while :; do echo line $i >> /mnt/growing.txt; i=$((i+1)); "
                        "[ $i = 3000 ] && echo crash-now; done\r"),
              wait_for(r"^crash-now$")]
    case = dict(name="fat-crash", machine="q35", mem="256M", cmdline="", image=make,
                extra=["-drive", f"if=virtio,format=raw,file={disk}"], script=script,
                expect=[SHELL_STARTED, r"^synced-before-crash$", r"^crash-now$"],
                reject=NEVER, exit=None)
    case["after"] = check_case(case)
    return [case]


def gpt_disk_pattern(part, length):
    """The first length bytes of partition part as gpt_disk fills it."""
    start, _, name = part
    out = bytearray(length)
    for b in range(length // 512):
        line = f"nvme-{name}-block-{b:05d}\n".encode()
        out[b * 512:b * 512 + len(line)] = line
    return bytes(out)


# Mounting (issue 13): the disks the kernel mounts itself (the EFI system
# partition it was booted from at /boot/efi, root=/dev/sdX2 or
# root=PARTUUID=... on an ext2 partition made by mkimg.sh --root-ext2)
# and the mount system calls, on the image's own disk (AHCI). Each case
# boots a script put on the ESP (init=/bin/sh), which ends with init's
# exit: the kernel syncs every disk file system before the debug exit.
# The host then checks the partitions (fsck.fat -n, e2fsck -fn, mtools,
# debugfs) and boots the image again to read back what was written.
MOUNT_ROOT_GUID = "6B657374-726F-4F54-8000-000000000002"
ESP_WRITE = """cp /boot/efi/w2.sh /tmp/w2.sh
exec /bin/sh /tmp/w2.sh
"""
ESP_WRITE2 = """set -e
ls -1 /boot/efi/kestrel
grep ' /boot/efi vfat rw' /proc/mounts
grep -x '/dev/sda1 /boot/efi vfat rw,relatime,fmask=0022,dmask=0022,codepage=437,iocharset=utf8,shortname=mixed,utf8,errors=remount-ro 0 0' /proc/mounts
stat -f -c 'type=%t' /boot/efi
cd /boot/efi/kestrel; cd ../..; pwd; cd /boot/efi; pwd; cd /
echo 'persisted across a power off' > '/boot/efi/Persist Test.txt'
mkdir -p /boot/efi/pdir/sub
echo deep > /boot/efi/pdir/sub/f.txt
(cd /boot/efi/pdir && umount /boot/efi 2>/dev/null && echo umount-busy-worked) || true
umount /boot/efi
[ -e /boot/efi/kestrel ] && echo still-mounted || echo unmounted
mount /dev/sda1 /boot/efi
cat '/boot/efi/Persist Test.txt'
mount -o remount,ro /boot/efi
(touch /boot/efi/ro-file 2>/dev/null && echo ro-write-worked) || echo ro-refused
mount -o remount,rw /boot/efi
grep ' /boot/efi vfat rw' /proc/mounts
sync
echo w-done
"""
ESP_READ = """cat '/boot/efi/Persist Test.txt'
cat /boot/efi/pdir/sub/f.txt
[ -e /boot/efi/ro-file ] || echo r-done
"""
EXT2_WRITE = """set -e
grep '^/dev/sda2 / ext2 rw' /proc/mounts
grep ' /boot/efi vfat rw' /proc/mounts
grep '^proc /proc proc' /proc/mounts
ls -1 /boot/efi/kestrel
ls /dev/null
stat -f -c 'type=%t' /
echo 'written on the ext2 root' > /persist-root.txt
mkdir -p /data/dir
echo nested > /data/dir/n.txt
sync
echo e-done
"""
EXT2_READ = """cat /persist-root.txt
cat /data/dir/n.txt
grep '^/dev/sda2 / ext2 rw' /proc/mounts && echo e2-done
"""


def part_extents(img):
    """(first byte, bytes) of each GPT partition of img, from sfdisk."""
    import json
    out = subprocess.run(["sfdisk", "-J", img], capture_output=True, text=True, check=True).stdout
    t = json.loads(out)["partitiontable"]
    return [(p["start"] * 512, p["size"] * 512) for p in t["partitions"]]


def extract_part(img, n, path):
    start, size = part_extents(img)[n]
    with open(img, "rb") as src, open(path, "wb") as dst:
        src.seek(start)
        dst.write(src.read(size))
    return path


def fsck_esp(img):
    """fsck.fat -n of the image's ESP: None, or what it said."""
    part = extract_part(img, 0, img + ".esp")
    r = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
    os.unlink(part)
    if r.returncode != 0 or "Dirty bit" in r.stdout:
        return "fsck.fat -n: " + " / ".join(r.stdout.strip().splitlines())
    return None


def mtype_esp(path, img):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(["mtype", "-i", mtools_img(img), "::" + path], env=env, capture_output=True)
    return r.stdout if r.returncode == 0 else None


def boot_again(case, img, cmdline, expect, timeout=120, keep_vars=False):
    """Boot img once more, cmdline.txt set to cmdline, without input; the
    serial log goes to NAME.again.log. keep_vars: on the first boot's OVMF
    variable store (NAME.vars.fd, what the firmware and the kernel wrote
    there kept), else on a fresh copy. None, or why not every expect line
    appeared in order or QEMU did not end by the debug exit with 0."""
    put_cmdline(img, cmdline)
    again = img[:-4] + ".again.img"
    if os.path.lexists(again):
        os.unlink(again)
    os.symlink(os.path.basename(img), again)
    vars_fd = img[:-4] + ".vars.fd" if keep_vars else again[:-4] + ".vars.fd"
    if not keep_vars:
        shutil.copyfile(OVMF_VARS, vars_fd)
    log_path = again[:-4] + ".log"
    if os.path.exists(log_path):
        os.unlink(log_path)
    try:
        status = subprocess.run(qemu_cmd(dict(case, script=None), again, vars_fd),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        status = "timeout"
    log = read_log(log_path) if os.path.exists(log_path) else ""
    missing = find_in_order(log, expect)
    if missing is not None:
        return f"second boot ({os.path.relpath(log_path, TOP)}): missing {expect[missing]}"
    if status != DEBUGEXIT_OK:
        return f"second boot: QEMU exit status {status}"
    for p in (again,) if keep_vars else (again, vars_fd):
        os.unlink(p)
    return None


def selftest_lines(text):
    return [ln for ln in text.replace("\r", "").splitlines()
            if re.match(r"\[ *\d+\.\d+\] selftest: ", ln) and "results saved" not in ln
            and "results not saved" not in ln]


def results_match(img, log, n):
    """\\kestrel\\results on the ESP holds n files, the newest boot's named
    DATE-bootN.log, and it holds the serial log's self-test lines."""
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(["mdir", "-b", "-i", mtools_img(img), "::/kestrel/results"], env=env,
                       capture_output=True, text=True)
    names = sorted(os.path.basename(p) for p in r.stdout.split() if p.endswith(".log"))
    if len(names) != n:
        return f"\\kestrel\\results holds {names}, want {n} files"
    newest = [x for x in names if re.fullmatch(rf"\d{{4}}-\d\d-\d\d-boot{n}\.log", x)]
    if not newest:
        return f"no DATE-boot{n}.log in {names}"
    text = (mtype_esp("/kestrel/results/" + newest[0], img) or b"").decode(errors="replace")
    want, got = selftest_lines(log), iter(selftest_lines(text))
    # the file is the whole log ring: the serial lines, in order, and the
    # debug lines the console's log level left out
    if not want or not all(any(g == w for g in got) for w in want):
        return f"{newest[0]}: the serial log's self-test lines are not all in it, in order"
    return None


def mount_cases(build):
    rootfs_dir = os.path.join(build, "rootfs")

    def esp_scripts(img, scripts):
        for name, text in scripts.items():
            put_on_esp(img, text.encode(), name)

    def esp_after(case):
        def after(img):
            why = fsck_esp(img)
            if why:
                return why
            for path, data in (("/Persist Test.txt", b"persisted across a power off\n"),
                               ("/pdir/sub/f.txt", b"deep\n")):
                if mtype_esp(path, img) != data:
                    return f"ESP {path}: not what the guest wrote"
            return boot_again(case, img, "debugexit init=/bin/sh -- /boot/efi/r.sh",
                              [r"^persisted across a power off$", r"^deep$", r"^r-done$"])
        return after

    def ext2_root_image(img, first, scripts):
        """An image whose root is ext2 (sda2), booting the ESP's script first."""
        run([os.path.join(TOP, "tools/mkimg.sh"), "--build", build, "-o", img,
             "--rootfs", os.path.join(build, "rootfs.cpio"),
             "--cmdline", f"root=/dev/sda2 debugexit init=/bin/sh -- /boot/efi/{first}",
             "--root-ext2", rootfs_dir, "--root-partuuid", MOUNT_ROOT_GUID])
        esp_scripts(img, scripts)

    def ext2_root_holds(img, path, want):
        """None if the ext2 root is clean (e2fsck -fn) and path holds want, else why not."""
        part = extract_part(img, 1, img + ".root")
        r = subprocess.run(["e2fsck", "-fn", part], capture_output=True, text=True)
        cat = subprocess.run(["debugfs", "-R", f"cat {path}", part], capture_output=True, text=True)
        os.unlink(part)
        if r.returncode != 0:
            return "e2fsck -fn: " + " / ".join(r.stdout.strip().splitlines()[-4:])
        if cat.stdout != want:
            return f"debugfs cat {path}: {cat.stdout!r}"
        return None

    def ext2_image(img):
        ext2_root_image(img, "e.sh", {"e.sh": EXT2_WRITE, "e2.sh": EXT2_READ})

    def ext2_after(case):
        def after(img):
            why = ext2_root_holds(img, "/persist-root.txt", "written on the ext2 root\n") or \
                fsck_esp(img)
            return why or boot_again(case, img, f"root=PARTUUID={MOUNT_ROOT_GUID} debugexit "
                                     "init=/bin/sh -- /boot/efi/e2.sh",
                                     [r"mount: root /dev/sda2 \(ext2\)",
                                      r"^written on the ext2 root$", r"^nested$", r"^e2-done$"])
        return after

    def results_after(case):
        def after(img):
            log = read_log(img[:-4] + ".log")
            why = fsck_esp(img) or results_match(img, log, 1)
            if why:
                return why
            why = boot_again(case, img, RESULTS_CMDLINE, [r"selftest: 3 passed, 0 failed",
                                                          r"selftest: results saved as .*boot2\.log"])
            if why:
                return why
            return fsck_esp(img) or results_match(img, read_log(img[:-4] + ".again.log"), 2)
        return after

    esp = dict(name="esp-mount", machine="q35", mem="256M",
               cmdline="debugexit init=/bin/sh -- /boot/efi/w.sh",
               image=lambda img: esp_scripts(img, {"w.sh": ESP_WRITE, "w2.sh": ESP_WRITE2,
                                                   "r.sh": ESP_READ}),
               expect=[r"mount: /dev/sda1 \(vfat\) on /boot/efi", r"^kernel\.elf", r"^type=4d44$",
                       r"^/boot$", r"^/boot/efi$", r"mount: /dev/sda1 unmounted", r"^unmounted$",
                       r"^persisted across a power off$", r"remounted read-only", r"^ro-refused$",
                       r"remounted read-write", r"^w-done$", r"kestrel: init exited with status 0"],
               reject=NEVER + [r"umount-busy-worked", r"still-mounted", r"ro-write-worked"],
               exit=DEBUGEXIT_OK)
    esp["after"] = esp_after(esp)
    ext2 = dict(name="ext2-root", machine="q35", mem="256M",
                cmdline="root=/dev/sda2 debugexit init=/bin/sh -- /boot/efi/e.sh", image=ext2_image,
                expect=[r'cmdline: "root=/dev/sda2', r"mount: root /dev/sda2 \(ext2\)",
                        r"mount: /dev/sda1 \(vfat\) on /boot/efi", r"^kernel\.elf", r"^/dev/null$",
                        r"^type=ef53$", r"^e-done$", r"kestrel: init exited with status 0"],
                reject=NEVER + [r"using the boot archive", r"vfs: root from the rootfs"],
                exit=DEBUGEXIT_OK)
    ext2["after"] = ext2_after(ext2)
    results = dict(name="esp-results", machine="q35", mem="256M", cmdline=RESULTS_CMDLINE,
                   expect=[r"mount: /dev/sda1 \(vfat\) on /boot/efi", r"selftest: 3 passed, 0 failed",
                           r"selftest: results saved as \\kestrel\\results\\\d{4}-\d\d-\d\d-boot1\.log"],
                   reject=NEVER, exit=DEBUGEXIT_OK)
    results["after"] = results_after(results)
    # root= naming no partition: the boot says why and goes on with the boot archive
    fallback = dict(name="root-fallback", machine="q35", mem="256M",
                    cmdline="root=PARTUUID=6B657374-0000-4000-8000-00000000DEAD selftest=hello debugexit",
                    expect=[r"mount: root=PARTUUID=6B657374-0000-4000-8000-00000000DEAD: no such device "
                            r"\(error -6\); using the boot archive", r"vfs: root from the rootfs",
                            r"mount: /dev/sda1 \(vfat\) on /boot/efi", r"selftest: 1 passed, 0 failed"],
                    reject=NEVER, exit=DEBUGEXIT_OK)
    def mshared_image(img):
        ext2_root_image(img, "m.sh", {"m.sh": MSHARED_START, "m2.sh": MSHARED_SCRIPT})

    def mshared_after(img):
        why = ext2_root_holds(img, "/tmp/t-mshared.keep", MSHARED_KEEP)
        if why:
            return why
        if mtype_esp("/t-mshared.keep", img) != MSHARED_KEEP.encode():
            return "ESP /t-mshared.keep: not what the mapping held"
        return fsck_esp(img)

    mshared = dict(name="ext2-mshared", machine="q35", mem="256M",
                   cmdline="root=/dev/sda2 debugexit init=/bin/sh -- /boot/efi/m.sh",
                   image=mshared_image, after=mshared_after,
                   expect=[r"mount: root /dev/sda2 \(ext2\)", r"^conform-mfile: PASS",
                           r"^shmem: PASS", r"^conform-mremap: PASS", r"^conform_fdtypes: PASS",
                           r"^mshared: PASS",
                           r"^mshared: umount-busy ok", r"^mshared: PASS", r"^mshared-persist$",
                           r"^m-done$", r"kestrel: init exited with status 0"],
                   reject=NEVER + [r"using the boot archive", r"FAIL"], exit=DEBUGEXIT_OK)
    return [esp, ext2, results, fallback, mshared]


RESULTS_CMDLINE = "selftest=hello,minimal,files debugexit"

# ext2-mshared: file mappings on disk file systems. On the ext2 root (its
# /tmp is ext2), the mapping checks that failed with MAP_SHARED of a disk
# file ENODEV (conform-mfile, dontneed-file, conform-mremap's file-cow)
# and t-mshared; conform-fdtypes (epoll_ctl of an ext2 regular file is
# EPERM, as Linux's); t-mshared on the ESP (vfat) with umount2 EBUSY while a
# file is mapped; each -k leaves t-mshared.keep written through a mapping
# and unmapped without msync, which the remount (vfat) and the host
# (debugfs, mtools, e2fsck -fn, fsck.fat -n) read back.
MSHARED_START = """cp /boot/efi/m2.sh /tmp/m2.sh
exec /bin/sh /tmp/m2.sh
"""
MSHARED_SCRIPT = """set -e
/bin/t-conform_mfile
/bin/t-shmem dontneed-file
/bin/t-conform_mremap
/bin/t-conform_fdtypes
/bin/t-mshared -d /tmp -k
/bin/t-mshared -d /boot/efi -m /boot/efi -k
umount /boot/efi
mount -t vfat /dev/sda1 /boot/efi
cat /boot/efi/t-mshared.keep
sync
echo m-done
"""
MSHARED_KEEP = "mshared-persist\n"


# virtio-blk-disk: a 64 MiB virtio-blk disk (gpt_disk: two 8 MiB partitions
# whose every 512-byte block begins with its name). From the shell:
# /proc/partitions and the /dev nodes as Linux's (major 254, vda 0, vda1 1,
# vda2 2); one block read by offset; 4 MiB of vda1 read whole (the md5 the
# host computed); 1 MiB copied from vda1 to vda2 (64 KiB writes) and one
# block written, read back through the cache, synced; the whole disk read
# with dd (its time in the log: 64 MiB / real); poweroff. The host then checks every byte:
# vda2 holds the copy and the block, and nothing else changed.
VBLK_PARTS = [(1 * MIB, 8 * MIB, "p1"), (9 * MIB, 8 * MIB, "p2")]
VBLK_DISK_SIZE = 64 * MIB
VBLK_COPY = 1 * MIB
VBLK_MARK_BLOCK = 3000
VBLK_MARK = b"kestrel-virtio-wrote-this\n"


def vblk_expected(orig):
    want = bytearray(orig)
    p1, p2 = VBLK_PARTS[0][0], VBLK_PARTS[1][0]
    want[p2:p2 + VBLK_COPY] = orig[p1:p1 + VBLK_COPY]
    at = p2 + VBLK_MARK_BLOCK * 512
    want[at:at + 512] = VBLK_MARK.ljust(512, b"\x00")
    return bytes(want)


def image_differs(path, want):
    """None when the file holds exactly want, else where it first differs."""
    with open(path, "rb") as f:
        got = f.read()
    if got == want:
        return None
    if len(got) != len(want):
        return f"{os.path.basename(path)}: {len(got)} bytes, want {len(want)}"
    bad = next(i for i in range(len(want)) if got[i] != want[i])
    return f"{os.path.basename(path)}: byte {bad} is {got[bad]:#x}, want {want[bad]:#x}"


def corrupt_gpt_crc(path, lba):
    """Flip a bit of the header CRC32 of the GPT header at lba (512-byte blocks)."""
    with open(path, "r+b") as f:
        f.seek(lba * 512 + 16)
        b = f.read(1)
        f.seek(lba * 512 + 16)
        f.write(bytes([b[0] ^ 1]))


def virtio_blk_cases(build):
    import hashlib
    outdir = os.path.join(build, "test", "boot")
    disk = os.path.join(outdir, "virtio-blk-disk.vda.img")
    origs = {}

    def make(img):
        origs[disk] = gpt_disk(disk, VBLK_DISK_SIZE, 512, VBLK_PARTS)

    def check(img):
        err = image_differs(disk, vblk_expected(origs[disk]))
        if not err:
            os.unlink(disk)
        return err
    md5 = hashlib.md5(gpt_disk_pattern(VBLK_PARTS[0], 4 * MIB)).hexdigest()
    mark = VBLK_MARK.decode().strip()
    cmds = [("cat /proc/partitions", r"^ *254 +2 +8192 vda2$"),
            ("ls -l /dev/vda /dev/vda2", r"^brw-rw---- .* 254, +2 .*/dev/vda2$"),
            ("dd if=/dev/vda1 bs=512 skip=200 count=1 2>/dev/null | head -c 19; echo ' read'",
             r"^nvme-p1-block-00200 read$"),
            ("dd if=/dev/vda1 bs=1M count=4 2>/dev/null | md5sum", f"^{md5}  -$"),
            (f"dd if=/dev/vda1 of=/dev/vda2 bs=64k count={VBLK_COPY // 65536} 2>/dev/null && "
             f"echo {mark} | dd of=/dev/vda2 bs=512 seek={VBLK_MARK_BLOCK} conv=sync,fsync 2>/dev/null && "
             f"sync && echo wrote vda2", r"^wrote vda2$"),
            (f"dd if=/dev/vda2 bs=512 skip={VBLK_MARK_BLOCK} count=1 2>/dev/null | head -c {len(mark)}; "
             f"echo ' back'", f"^{mark} back$"),
            ("time dd if=/dev/vda of=/dev/null bs=1M", r"^real\s+\d+m [\d.]+s$")]
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT)]
    for cmd, answer in cmds:
        script += [serial_in(cmd + "\r"), wait_for(answer), wait_for(SHELL_PROMPT)]
    script += [serial_in("poweroff -f\r")]
    expect = [r"virtio-blk [0-9a-f:.]+: vda, block 512, \d+ segments, MSI-X, flush",
              r"blk: vda: 131072 blocks of 512 bytes \(64 MiB\)",
              r"^ *254 +0 +65536 vda$", r"^ *254 +1 +8192 vda1$", r"^ *254 +2 +8192 vda2$"] + [
              a for _, a in cmds[1:]]
    # virtio-blk-badgpt: vda's primary GPT header has a bad CRC32 (the
    # backup is used), vdb's primary and backup both do (the disk alone).
    # Both read-only: OVMF would otherwise restore vda's primary from the
    # backup before the kernel runs (and a write to /dev/vda is refused).
    # Along in the same boot, vdc: a disk of 4 KiB logical blocks (a good
    # GPT in 4 KiB units), one of its blocks read by offset and a 512-byte
    # piece of one written (the cache reads, changes and writes back the
    # whole 4 KiB block); then a block of vdc1 written without any sync and
    # QEMU killed 11 s later (no poweroff): the write-back thread must have
    # put it on the disk. The host checks every byte of vdc afterwards.
    bad = [os.path.join(outdir, f"virtio-blk-badgpt.vd{c}.img") for c in "ab"]
    disk4k = os.path.join(outdir, "virtio-blk-badgpt.vdc.img")
    parts4k = [(1 * MIB, 4 * MIB, "p1"), (5 * MIB, 4 * MIB, "p2")]

    def make_bad(img):
        for path in bad:
            gpt_disk(path, 16 * MIB, 512, [(1 * MIB, 4 * MIB, "p1"), (5 * MIB, 4 * MIB, "p2")])
            corrupt_gpt_crc(path, 1)
        corrupt_gpt_crc(bad[1], 16 * MIB // 512 - 1)
        origs[disk4k] = gpt_disk(disk4k, 16 * MIB, 4096, parts4k)

    def check_bad(img):
        want = bytearray(origs[disk4k])
        for at in (parts4k[1][0] + 3 * 512, parts4k[0][0] + 5 * 512):
            want[at:at + 512] = VBLK_MARK.ljust(512, b"\x00")
        err = image_differs(disk4k, bytes(want))
        for path in bad + ([] if err else [disk4k]):
            os.unlink(path)
        return err
    bad_cmds = [("cat /proc/partitions; ls /dev/vdb*", r"^/dev/vdb$"),
                ("echo x > /dev/vda || echo refused", r"^refused$"),
                ("dd if=/dev/vdc1 bs=512 skip=100 count=1 2>/dev/null | head -c 19; echo ' 4k'",
                 r"^nvme-p1-block-00100 4k$"),
                (f"echo {mark} | dd of=/dev/vdc2 bs=512 seek=3 conv=sync,fsync 2>/dev/null && "
                 f"echo wrote vdc2", r"^wrote vdc2$"),
                (f"echo {mark} | dd of=/dev/vdc1 bs=512 seek=5 conv=sync 2>/dev/null; sleep 11; echo waited",
                 r"^waited$")]
    bad_script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT)]
    for cmd, answer in bad_cmds:
        bad_script += [serial_in(cmd + "\r"), wait_for(answer), wait_for(SHELL_PROMPT)]
    bad_expect = [r"blk: vda: 32768 blocks of 512 bytes \(16 MiB\), read-only",
                  r"blk: vda: primary GPT bad \(header CRC32 mismatch\): using the backup header",
                  r"blk: vdb: GPT refused: header CRC32 mismatch; no partitions",
                  r"virtio-blk [0-9a-f:.]+: vdc, block 4096, ", r"blk: vdc: 4096 blocks of 4096 bytes \(16 MiB\)",
                  r"^ *254 +0 +16384 vda$", r"^ *254 +1 +4096 vda1$", r"^ *254 +2 +4096 vda2$",
                  r"^ *254 +16 +16384 vdb$", r"^ *254 +32 +16384 vdc$", r"^ *254 +34 +4096 vdc2$",
                  ] + [a for _, a in bad_cmds]
    drives = lambda paths, ro="", dev="": sum((["-drive", f"if=none,id=d{p[-5]},format=raw,file={p}{ro}",
                                                "-device", f"virtio-blk-pci,drive=d{p[-5]}{dev}"]
                                               for p in paths), [])
    return [dict(name="virtio-blk-disk", machine="q35", mem="256M", cmdline="", image=make, after=check,
                 extra=drives([disk]), script=script, expect=expect, reject=NEVER, exit=0, timeout=240),
            dict(name="virtio-blk-badgpt", machine="q35", mem="256M", cmdline="", image=make_bad,
                 after=check_bad, script=bad_script,
                 extra=drives(bad, ",readonly=on")
                 + drives([disk4k], dev=",logical_block_size=4096,physical_block_size=4096"), expect=bad_expect,
                 reject=NEVER + [r"vdb1", r"KERNEL PANIC"], exit=None)]


# ahci-disk: q35's own AHCI controller (ICH9, MSI) with the boot disk on
# port 0 (sda: its ESP is sda1), a 64 MiB disk made here on port 1 (sdb:
# gpt_disk, two 8 MiB partitions whose every 512-byte block begins with its
# name) and an empty CD-ROM on port 2 (ATAPI: logged, not driven). From the
# shell: /proc/partitions numbers them as Linux's sd (major 8, 16 minors a
# disk); sda1's FAT boot signature; one block of sdb1 read by offset; 4 MiB
# read whole (the md5 the host computed); 1 MiB copied from sdb1 to sdb2
# (64 KiB writes) and one block written, synced; the whole of sdb read with
# dd under busybox time (64 MiB: its seconds in the log); poweroff. The
# host then checks every byte of sdb: sdb2 holds the copy and the block,
# and nothing else changed. Its self-test (all of it, before the shell)
# has ahci-reset run on sdb: a read cancelled before it completes resets
# the port, and the next read gets the same bytes.
# ahci-ioerror: the same disk behind QEMU's blkdebug, which fails reads of
# one sector with EIO: the read gets EIO (the driver logs the task-file
# error and resets the port), and the disk works again right after.
# ahci-cancel-inflight: the self-test's cancelled read on a disk that takes
# AHCI_SLOW_NS a read (QEMU's null-co), so the device is surely still in
# the transfer when the port is reset: QEMU 7.2 finishing it after ST went
# off and on dereferences a command header it has dropped and dies (what
# made ahci-disk fail one run in twenty), unless the driver COMRESETs first.
AHCI_PARTS = [(1 * MIB, 8 * MIB, "p1"), (9 * MIB, 8 * MIB, "p2")]
AHCI_DISK_SIZE = 64 * MIB
AHCI_COPY = 1 * MIB
AHCI_MARK_BLOCK = 3000
AHCI_MARK = b"kestrel-ahci-wrote-this\n"
AHCI_BAD_BLOCK = 100    # of sdb1: blkdebug fails reads of it
AHCI_SLOW_NS = 200_000_000  # ahci-cancel-inflight: each read of sdb takes this long


def ahci_expected(orig):
    want = bytearray(orig)
    p1, p2 = AHCI_PARTS[0][0], AHCI_PARTS[1][0]
    want[p2:p2 + AHCI_COPY] = orig[p1:p1 + AHCI_COPY]
    at = p2 + AHCI_MARK_BLOCK * 512
    want[at:at + 512] = AHCI_MARK.ljust(512, b"\x00")
    return bytes(want)


def ahci_cases(build):
    import hashlib
    outdir = os.path.join(build, "test", "boot")
    disk = os.path.join(outdir, "ahci-disk.sdb.img")
    bad_disk, bad_conf = (os.path.join(outdir, "ahci-ioerror.sdb" + e) for e in (".img", ".blkdebug"))
    origs = {}

    def make(img):
        origs[disk] = gpt_disk(disk, AHCI_DISK_SIZE, 512, AHCI_PARTS)

    def check(img):
        err = image_differs(disk, ahci_expected(origs[disk]))
        if not err:
            os.unlink(disk)
        return err
    md5 = hashlib.md5(gpt_disk_pattern(AHCI_PARTS[0], 4 * MIB)).hexdigest()
    mark = AHCI_MARK.decode().strip()
    cmds = [("cat /proc/partitions", r"^ *8 +18 +8192 sdb2$"),
            ("ls -l /dev/sdb /dev/sdb2", r"^brw-rw---- .* 8, +18 .*/dev/sdb2$"),
            ("dd if=/dev/sda1 bs=1 skip=510 count=2 2>/dev/null | od -An -tx1 | tr -d ' '", r"^55aa$"),
            ("dd if=/dev/sdb1 bs=512 skip=200 count=1 2>/dev/null | head -c 19; echo ' read'",
             r"^nvme-p1-block-00200 read$"),
            ("dd if=/dev/sdb1 bs=1M count=4 2>/dev/null | md5sum", f"^{md5}  -$"),
            (f"dd if=/dev/sdb1 of=/dev/sdb2 bs=64k count={AHCI_COPY // 65536} 2>/dev/null && "
             f"echo {mark} | dd of=/dev/sdb2 bs=512 seek={AHCI_MARK_BLOCK} conv=sync,fsync 2>/dev/null && "
             f"sync && echo wrote sdb2", r"^wrote sdb2$"),
            ("busybox time dd if=/dev/sdb of=/dev/null bs=1M", r"^real\s+\d+m [\d.]+s$")]
    script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT)]
    for cmd, answer in cmds:
        script += [serial_in(cmd + "\r"), wait_for(answer), wait_for(SHELL_PROMPT)]
    script += [serial_in("poweroff -f\r")]
    expect = [r"ahci: port 2: an ATAPI device \(CD/DVD\), not driven$",
              r"ahci: 00:1f\.2: AHCI 1\.0, 32 command slots, interrupts on vector \d+ \(MSI\)$",
              r"ahci: sda: QEMU HARDDISK, \d+ MiB \(\d+ sectors of 512 bytes\), port 0$",
              r"ahci: sdb: QEMU HARDDISK, 64 MiB \(131072 sectors of 512 bytes\), port 1$",
              r"ahci: sdb: a request was cancelled \(.*\); resetting the port$",
              r"selftest: ahci-reset ok", r"selftest: \d+ passed, 0 failed",
              r"^ *8 +0 +\d+ sda$", r"^ *8 +1 +\d+ sda1$", r"^ *8 +16 +65536 sdb$",
              r"^ *8 +17 +8192 sdb1$", r"^ *8 +18 +8192 sdb2$"] + [a for _, a in cmds[1:]]
    drives = ["-drive", f"if=none,id=s1,format=raw,file={disk}", "-device", "ide-hd,drive=s1,bus=ide.1",
              "-device", "ide-cd,bus=ide.2"]

    def make_bad(img):
        gpt_disk(bad_disk, AHCI_DISK_SIZE, 512, AHCI_PARTS)
        with open(bad_conf, "w") as f:
            f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\n'
                    f'sector = "{AHCI_PARTS[0][0] // 512 + AHCI_BAD_BLOCK}"\n')

    def check_bad(img):
        for path in (bad_disk, bad_conf):
            os.unlink(path)
        return None
    bad_cmds = [(f"dd if=/dev/sdb1 bs=512 skip={AHCI_BAD_BLOCK} count=1 of=/dev/null; echo status=$?",
                 r"^status=1$"),
                ("dd if=/dev/sdb1 bs=512 skip=200 count=1 2>/dev/null | head -c 19; echo ' after'",
                 r"^nvme-p1-block-00200 after$")]
    bad_script = [wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT)]
    for cmd, answer in bad_cmds:
        bad_script += [serial_in(cmd + "\r"), wait_for(answer), wait_for(SHELL_PROMPT)]
    bad_script += [serial_in("poweroff -f\r")]
    bad_expect = [r"ahci: sdb: QEMU HARDDISK, 64 MiB", SHELL_STARTED,
                  r"ahci: sdb: the disk reports an error \(status 0x41, error 0x4, .*\); resetting the port$",
                  r"Input/output error", r"^status=1$", r"^nvme-p1-block-00200 after$"]
    return [dict(name="ahci-disk", machine="q35", mem="256M", cmdline=SHAPE_SELFTEST, image=make,
                 after=check, extra=drives, script=script, expect=expect,
                 reject=NEVER + [r"ahci: .*(timed out|reports an error|interface error|does not come back)"],
                 exit=0, timeout=240),
            dict(name="ahci-ioerror", machine="q35", mem="256M", cmdline="", image=make_bad,
                 after=check_bad, script=bad_script, expect=bad_expect,
                 extra=["-drive", f"if=none,id=s1,format=raw,file=blkdebug:{bad_conf}:{bad_disk}",
                        "-device", "ide-hd,drive=s1,bus=ide.1"],
                 reject=[r"KERNEL PANIC", r"does not come back", r"timed out"], exit=0, timeout=240),
            dict(name="ahci-cancel-inflight", machine="q35", mem="256M",
                 cmdline="selftest=kernel debugexit",
                 extra=["-blockdev", f"driver=null-co,node-name=s1,size={AHCI_DISK_SIZE},"
                        f"read-zeroes=on,latency-ns={AHCI_SLOW_NS}",
                        "-device", "ide-hd,drive=s1,bus=ide.1"],
                 expect=[r"ahci: sdb: QEMU HARDDISK, 64 MiB",
                         r"ahci: sdb: a request was cancelled \(.*\); resetting the port$",
                         r"selftest: ahci-reset ok"] + SELFTEST_OK,
                 reject=NEVER + [r"does not come back", r"timed out"], exit=DEBUGEXIT_OK,
                 timeout=240)]

# Secure Boot (issue 15): the loader signed with the snakeoil key, on the
# snakeoil firmware (sb=True) or the ordinary one. Five boots, three of them
# short refusals; each skips with a reason without sbsign or the firmware.
SB_WORDS = f"{SHAPE_SELFTEST} debugexit"
SB_REFUSED = [r"Kestrel \d", r"kestrel-loader: secure boot: off"]


def sb_cases(build):
    """The signed image boots and passes the self-test, with cmdline.txt's
    init=, crash= and init arguments ignored and logged; a kernel or rootfs
    other than the ones the loader records is refused; an unsigned loader
    is refused by the firmware; with Secure Boot off the swapped files boot
    with a warning."""
    loader = [r"kestrel-loader: starting",
              r"kestrel-loader: secure boot: on: the kernel, rootfs and command line must match"]
    return [
        dict(name="sb-signed", sb=True, sign=True, cmdline=SB_WORDS,
             image=lambda img: put_cmdline(img, SB_WORDS + " init=/bin/sh crash=pf -- x y"),
             expect=loader + [r"secure boot: cmdline\.txt: 'init=/bin/sh' ignored \(only the signed",
                              r"secure boot: cmdline\.txt: 'crash=pf' ignored",
                              r"secure boot: cmdline\.txt: init arguments 'x y' ignored"]
             + banner()[1:] + [r"secure boot: on; kernel and rootfs verified by the signed loader, "
                               r"words of cmdline\.txt ignored",
                               rf'cmdline: "{SB_WORDS}"$', r"init: /sbin/init$"] + SELFTEST_OK,
             reject=NEVER + [r"verify:", r"KERNEL PANIC"], exit=DEBUGEXIT_OK),
        dict(name="sb-other-kernel", sb=True, sign=True, cmdline=SB_WORDS,
             image=lambda img: swap_file(img, os.path.join(build, "kernel.elf"), "kestrel/kernel.elf"),
             expect=loader + [r"kestrel-loader: verify: kernel\.elf: hash mismatch \(Security Violation\)"],
             reject=SB_REFUSED, exit=None),
        dict(name="sb-changed-rootfs", sb=True, sign=True, cmdline=SB_WORDS,
             image=lambda img: swap_file(img, os.path.join(build, "rootfs.cpio"), "kestrel/rootfs.cpio"),
             expect=loader + [r"kestrel-loader: verify: rootfs\.cpio: hash mismatch \(Security Violation\)"],
             reject=SB_REFUSED + [r"verify: kernel"], exit=None),
        dict(name="sb-unsigned-loader", sb=True, sign=False, cmdline=SB_WORDS,
             expect=[r"BdsDxe: failed to load Boot\d+ .*: Access Denied"],
             reject=[r"kestrel-loader"], exit=None),
        dict(name="sb-off-swapped", sb=False, sign=True, cmdline="verify selftest=minimal,hello debugexit",
             image=lambda img: (swap_file(img, os.path.join(build, "kernel.elf"), "kestrel/kernel.elf"),
                                swap_file(img, os.path.join(build, "rootfs.cpio"), "kestrel/rootfs.cpio")),
             expect=[r"kestrel-loader: verify: kernel\.elf: hash mismatch, booting it anyway "
                     r"\(Secure Boot is off\)",
                     r"kestrel-loader: verify: rootfs\.cpio: hash mismatch, booting it anyway",
                     r"Kestrel \d", r"secure boot: off; kernel NOT verified, rootfs NOT verified",
                     r"selftest: 2 passed, 0 failed"],
             reject=NEVER + [r"KERNEL PANIC"], exit=DEBUGEXIT_OK),
        # Without `verify` and Secure Boot off the loader hashes nothing (the boot-time cost).
        dict(name="sb-off-unchecked", sb=False, sign=True, cmdline="selftest=minimal debugexit",
             image=lambda img: swap_file(img, os.path.join(build, "kernel.elf"), "kestrel/kernel.elf"),
             expect=[r"kestrel-loader: secure boot: off: kernel and rootfs not hashed",
                     r"Kestrel \d", r"secure boot: off; kernel NOT verified, rootfs NOT verified",
                     r"selftest: 1 passed, 0 failed"],
             reject=NEVER + [r"KERNEL PANIC", r"verify: "], exit=DEBUGEXIT_OK),
    ]


# Debian's own dynamically linked programs (issue 14): an image with these
# packages and their dependencies (tools/mkimg.sh --deb; the .debs are kept
# in BUILD/debs, so only the first run downloads), booted with
# tests/boot/debian-smoke.sh as init; each program's output as Linux
# prints it. Skipped with the reason when the packages cannot be had.
DEBIAN_PKGS = ["coreutils", "bash", "grep", "sed", "gawk", "findutils", "tar", "gzip",
               "xz-utils", "diffutils", "perl", "python3"]
DEBIAN_SMOKE = os.path.join(TOP, "tests", "boot", "debian-smoke.sh")
DEBIAN_OUTPUT = [
    ("echo", [r"hello from glibc"]),
    ("ls", [r"-rw-r--r-- 1 root root 2 T a/b/f"]),
    ("sort", [r"a b c $"]),
    ("sha256sum", [r"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -"]),
    ("cp-mv-ln", [r"g", r"b", r"g", r"h"]),
    ("install-stat", [r"640 2 regular file"]),
    ("df-du", [r"a"]),
    ("date", [r"1970-01-02"]),
    ("bash", [r"123 sub 42", r"waited 0"]),
    ("grep", [r"2:foo", r"3:bar"]),
    ("sed", [r"heLLo"]),
    ("gawk", [r"sum 14"]),
    ("find-xargs", [r"x"]),
    ("tar-gzip-xz", [r"a/ a/b/ a/b/f $"]),
    ("diff", [r"1c1", r"< one", r"---", r"> two", r"diff status 1"]),
    ("perl", [r"2,4,6"]),
    ("python3", [r"3 child"]),
    ("json.tool", [r'\{"a":null,"b":\[1,2\]\}']),
    ("venv", [r"True /tmp/smoke/v"]),
    ("path", [r"/usr/bin/python3", r"/usr/bin/perl"]),
    ("bad-so", [r"short: short\.so: cannot read file data", r"text: text\.so: invalid ELF header",
                r"none: none\.so: cannot open shared object file: No such file or directory",
                r"misaligned: misaligned\.so: ELF load command address/offset not page-aligned"]),
]


def debian_expect():
    """Each step's header and then its lines, each a whole line."""
    out = []
    for step, lines in DEBIAN_OUTPUT:
        out += [rf"^== {re.escape(step)}$"] + [rf"^{l}$" if not l.endswith("$") else rf"^{l}"
                                               for l in lines]
    return out + [r"^== debian-smoke: done$", r"kestrel: init exited with status 0"]


DEBIAN_CASES = [
    dict(name="debian-glibc", machine="q35", mem="1G", debs=DEBIAN_PKGS,
         cmdline="init=/bin/sh debugexit -- /etc/debian-smoke.sh",
         expect=[r"rootfs: \d+ bytes at 0x"] + debian_expect(),
         reject=NEVER + [r"error while loading shared libraries", r"not found$",
                         r"Function not implemented", r"killed by signal"],
         exit=DEBUGEXIT_OK, timeout=120),
]


# CPython's regression suite (issue 14), make test's part: one boot runs
# `python3 -m test -v` on each of tests/conformance/cpython.py's QUICK_MODULES
# (Debian's python3 and libpython3.11-testsuite, in BUILD/debs-cpython; the
# guest script and its parser are cpython.py's); each module must end with
# status 0 and pass at least as many cases as Linux passes in the same QEMU
# (QUICK_LINUX_PASSED). make conformance-python runs the whole list on both.
sys.path.insert(0, os.path.join(TOP, "tests", "conformance"))
import cpython  # noqa: E402  (the module lists, the guest script, the parser)


def cpython_as_linux(log):
    """None, or the first quick module that passed fewer cases than Linux."""
    res = cpython.parse_log(log)
    for m, want in cpython.QUICK_LINUX_PASSED.items():
        r = res.get(m)
        if not r or not r["complete"]:
            return f"{m}: did not finish"
        if r["passed"] < want:
            return f"{m}: {r['passed']} passed, Linux {want}: " + ", ".join(r["fails"])[:300]
    return None


CPYTHON_CASES = [
    dict(name="cpython-quick", machine="q35", mem="1G", extra=["-smp", "2"],
         debs=cpython.PACKAGES, debs_root=cpython.TREE,
         overlay_files={"etc/cpython-run.sh": open(cpython.GUEST).read(),
                        "etc/cpython-args": f"{cpython.QUICK_TIMEOUT} "
                                            f"{' '.join(cpython.QUICK_MODULES)}\n"},
         cmdline="init=/bin/sh debugexit -- /etc/cpython-run.sh",
         expect=[rf"^CPY-END {m} rc=0 " for m in cpython.QUICK_MODULES] +
                [r"^CPY-ALL-DONE", r"kestrel: init exited with status 0"],
         reject=[r"KERNEL PANIC", r"cmdline: ignoring", r"error while loading shared libraries"],
         checks=[cpython_as_linux], exit=DEBUGEXIT_OK,
         timeout=600),
]


def debian_image_args(case, build, outdir):
    """mkimg.sh's arguments for a case with Debian packages: (args, None),
    or (None, why) when the packages cannot be had (no network, no apt).
    The packages are unpacked into BUILD/debs-root, or BUILD/<debs_root>
    for a case that names its own tree (another set of packages: each set
    keeps its tree); the overlay holds debian-smoke.sh as /etc's, unless
    the case has overlay_files of its own (overlay_dir makes those)."""
    tree = os.path.join(build, case.get("debs_root", "debs-root"))
    run_ = subprocess.run([sys.executable, os.path.join(TOP, "tools", "debs.py"),
                           "--cache", os.path.join(build, "debs"),
                           "--out", tree] + case["debs"],
                          capture_output=True, text=True)
    if run_.returncode == 3:
        return None, (run_.stderr.strip().splitlines() or ["packages unavailable"])[-1]
    if run_.returncode != 0:
        raise RuntimeError(f"tools/debs.py failed: {run_.stderr.strip()[-500:]}")
    args = ["--deb", " ".join(case["debs"]), "--deb-root", tree]
    if case.get("overlay_files"):
        return args, None
    overlay = os.path.join(outdir, case["name"] + ".overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    os.makedirs(os.path.join(overlay, "etc"))
    shutil.copy(DEBIAN_SMOKE, os.path.join(overlay, "etc", "debian-smoke.sh"))
    return args + ["--overlay", overlay], None


def sb_missing(case):
    """Why a Secure Boot case cannot run here, or None."""
    need = [OVMF_SB_CODE, OVMF_SB_VARS] if case.get("sb") else []
    if case.get("sign"):
        need += [SNAKEOIL_KEY, SNAKEOIL_CERT]
    for path in need:
        if not os.path.exists(path):
            return f"no {path} (Debian's ovmf package)"
    if case.get("sign") and not shutil.which("sbsign"):
        return "no sbsign (apt-get install sbsigntool)"
    return None


def put_on_esp(img, data, esp_path):
    """Write data (bytes) to esp_path on the image's ESP, replacing the file there."""
    path = img + ".esp-file"
    with open(path, "wb") as f:
        f.write(data)
    run(["mcopy", "-o", "-i", mtools_img(img), path, "::" + esp_path])
    os.unlink(path)


def put_cmdline(img, text):
    """Replace the ESP's cmdline.txt (not the loader's signed command line)."""
    put_on_esp(img, (text + "\n").encode(), "kestrel/cmdline.txt")


def swap_file(img, src, esp_path):
    """Put on the ESP a copy of src with its last byte changed: another file
    that still works (the kernel's last bytes are section headers the loader
    does not read, the rootfs's are padding after the cpio trailer)."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    data[-1] ^= 0x01
    put_on_esp(img, data, esp_path)


def mtools_img(img):
    return f"{img}@@{ESP_OFFSET}"


def mdel(img, path):
    run(["mdel", "-i", mtools_img(img), "::" + path])


def corrupt_kernel(build, img):
    """Replace the kernel with a copy whose e_machine is not x86_64."""
    with open(os.path.join(build, "kernel.elf"), "rb") as f:
        data = bytearray(f.read())
    data[18:20] = (3).to_bytes(2, "little")  # EM_386
    put_on_esp(img, data, "kestrel/kernel.elf")


def overlay_dir(case, outdir):
    """A case's overlay_files ({rootfs path: text}) written to a fresh
    directory that mkimg.sh merges into the rootfs."""
    top = os.path.join(outdir, case["name"] + ".overlay")
    shutil.rmtree(top, ignore_errors=True)
    for path, text in case["overlay_files"].items():
        dest = os.path.join(top, path.lstrip("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as f:
            f.write(text)
    return top


def run(cmd, **kw):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, **kw)


def qemu_cmd(case, img, vars_fd):
    machine, code = case.get("machine", "q35"), OVMF_CODE
    sb = []
    if case.get("sb"):
        # SMM-protected variable store, as a machine enforcing Secure Boot has
        machine, code = machine + ",smm=on", OVMF_SB_CODE
        sb = ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    cmd = case.get("qemu", ["qemu-system-x86_64"]) + ["-machine", machine,
           "-m", case.get("mem", "256M"), "-nodefaults", "-display", "none"] + sb + [
           "-drive", f"if=pflash,format=raw,readonly=on,file={code}",
           "-drive", f"if=pflash,format=raw,file={vars_fd}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if case.get("usb_disk"):
        # A laptop booted from a USB stick: the image is a usb-storage disk
        # on an xHCI controller, the only disk, and OVMF boots from it. On
        # q35 the controller sits behind a PCI Express root port (bus 1), so
        # enumeration must follow a bridge.
        on_q35 = machine.startswith("q35")
        cmd += (["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1"] if on_q35 else [])
        cmd += ["-device", "qemu-xhci,id=xhci" + (",bus=rp1" if on_q35 else ""),
                "-drive", f"if=none,id=stick,format=raw,file={img}",
                "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=0"]
    else:
        cmd += ["-drive", f"format=raw,file={img}"]
    if case.get("_monitor_sock") and not case.get("script"):
        cmd += ["-monitor", f"unix:{case['_monitor_sock']},server=on,wait=off"]
    if case.get("script"):
        # The serial port on a socket the harness types into and reads
        # from; the log is what it read (Script._drain), never QEMU's
        # chardev logfile, which logs a byte again on each retry of a write
        # to a full socket (a loaded host) and garbles the lines under test.
        # wait=on: QEMU starts the guest only once the harness is connected;
        # with wait=off what the guest writes before the accept is dropped.
        cmd += ["-chardev", f"socket,id=com1,path={case['_serial_sock']},server=on,wait=on",
                "-serial", "chardev:com1",
                "-monitor", f"unix:{case['_monitor_sock']},server=on,wait=off"]
    elif case.get("debugcon"):
        # A machine without a serial port (a laptop): the log is what the
        # kernel wrote to QEMU's debug console, port 0xE9 (console=debugcon).
        cmd += ["-serial", "none", "-debugcon", "file:" + img[:-4] + ".log"]
    elif case.get("serial_none"):
        # No serial port and no log at all: the case is judged by its exit status.
        cmd += ["-serial", "none"]
    else:
        cmd += ["-serial", "file:" + img[:-4] + ".log"]
    if case.get("vga", True):
        cmd += ["-vga", "std"]
    if case.get("no_reboot", True):
        cmd += ["-no-reboot"]
    if case.get("real_reset"):
        # QEMU logs "Triple fault" when the reset was the last-resort one
        cmd += ["-d", "cpu_reset", "-D", img[:-4] + ".qemu.log"]
    elif os.environ.get("BOOTTEST_QEMU_D"):
        # QEMU's own log (-d ITEMS) beside the serial log, for a case that fails now and then
        cmd += ["-d", os.environ["BOOTTEST_QEMU_D"], "-D", img[:-4] + ".qemu.log"]
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
        ended = f" (QEMU exited with status {status})" if isinstance(status, int) else ""
        return f"missing (in order): {case['expect'][missing]}{ended}"
    for p in case.get("reject", []):
        if re.search(p, log, re.M):
            return f"unexpected line: {p}"
    checks = case.get("checks", [])
    if any(SELFTEST_OK[0] == p for p in case["expect"]):
        checks = checks + [lambda log: selftests_ran(log, case.get("skips", ()), case.get("absent", ()),
                                                     selftest_filter(case.get("cmdline", "")))]
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


# Characters keys_in can type: QEMU qcodes, with shift where needed.
QCODES = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal", ".": "dot", ",": "comma",
          "/": "slash", ";": "semicolon", "'": "apostrophe", "\t": "tab", "\x7f": "backspace",
          "!": "shift-1", "?": "shift-slash", "_": "shift-minus", "$": "shift-4",
          "\x03": "ctrl-c"}


def qcode(ch):
    if ch.isascii() and (ch.islower() or ch.isdigit()):
        return ch
    if ch.isascii() and ch.isupper():
        return "shift-" + ch.lower()
    return QCODES[ch]


def connect_unix(path, deadline):
    """Connect to QEMU's listening socket, retrying until it exists."""
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Script:
    """A case's input script, advanced from the boot loop: each call runs
    the steps it can (a wait whose line is not there yet stops it)."""

    def __init__(self, case, deadline):
        self.steps = case["script"]
        self.next = 0
        self.pos = 0  # where the last wait matched
        self.serial = connect_unix(case["_serial_sock"], deadline)
        self.monitor = connect_unix(case["_monitor_sock"], deadline)
        self.monitor_out = b""
        # Drain the guest's serial output into the log file: a full socket
        # would stall the UART (on purpose only for a pause step).
        self.pauses = [arg for kind, arg in self.steps if kind == "pause"]
        self.pauses_done = 0  # written by the drain thread only
        self.copy = open(case["_img"][:-4] + ".log", "wb")
        self.drain = threading.Thread(target=self._drain, args=(self.serial,), daemon=True)
        self.drain.start()
        self._monitor_prompt()

    def _drain(self, sock):
        seen = b""
        try:
            while True:
                data = sock.recv(4096)
                if not data:
                    break
                if self.copy:
                    self.copy.write(data)
                    self.copy.flush()
                seen += data if self.pauses_done < len(self.pauses) else b""
                while self.pauses_done < len(self.pauses):
                    after, secs = self.pauses[self.pauses_done]
                    m = re.search(after.encode(), seen, re.M)
                    if not m:
                        break
                    seen = seen[m.end():]
                    time.sleep(secs)
                    self.pauses_done += 1
        except OSError:
            pass

    def _monitor_prompt(self):
        """Read monitor output up to the next "(qemu) " prompt."""
        self.monitor.settimeout(10)
        while not self.monitor_out.endswith(b"(qemu) "):
            data = self.monitor.recv(4096)
            if not data:
                raise OSError("the monitor closed")
            self.monitor_out += data
        self.monitor_out = b""

    def _type(self, text):
        for ch in text:
            self.monitor.sendall(f"sendkey {qcode(ch)}\n".encode())
            self._monitor_prompt()

    def advance(self, log):
        while self.next < len(self.steps):
            kind, arg = self.steps[self.next]
            if kind == "wait":
                m = re.compile(arg, re.M).search(log, self.pos)
                if not m:
                    return
                self.pos = m.end()
            elif kind == "serial":
                self.serial.sendall(arg.encode())
            elif kind == "keys":
                self._type(arg)
            elif kind == "monitor":
                self.monitor.sendall(f"{arg}\n".encode())
                self._monitor_prompt()
            elif kind == "pause":
                done = sum(1 for k, _ in self.steps[:self.next + 1] if k == "pause")
                if self.pauses_done < done:
                    return
            self.next += 1

    def pending(self):
        """The step not done yet, or None."""
        if self.next < len(self.steps):
            kind, arg = self.steps[self.next]
            return f"{kind} {arg!r}"
        return None

    def close(self):
        if self.copy:
            self.drain.join(5)  # QEMU is gone: read to the end of the socket
            self.copy.close()
        for s in (self.serial, self.monitor):
            s.close()


INCONCLUSIVE = "inconclusive: "


def where_stuck(case, script, build):
    """At a timeout: every CPU's backtrace (qmon), through the script's
    monitor connection if the case has one (QEMU takes one at a time)."""
    kernel_elf = os.path.join(build, "kernel.elf")
    if script:
        return qmon.where_stuck(qmon.Monitor(script.monitor, banner=False), kernel_elf)
    return qmon.where_stuck_at(case["_monitor_sock"], kernel_elf)


def serial_lost(case, log, stuck):
    """Whether a script case's timeout is the host's: the log, which is what
    the serial socket carried, stops before the loader's first line (twice
    in make test runs, 2026-11-25 and 26: cut mid-line in OVMF's output)
    while the backtraces show the kernel running. QEMU 7.2's 16550 on a
    socket chardev can stop sending after a write the socket refused."""
    return bool(case.get("script") and stuck and "kestrel-loader: starting" not in log
                and re.search(r"CPL [03].*\n?.*0xffffffff8", stuck))


def boot(case, build, outdir, timeout):
    """boot_once, again while a check finds the run inconclusive (its verdict
    starts with INCONCLUSIVE: the host's scheduling, not the kernel, kept the
    run from showing what the case is for), up to the case's "attempts"
    (two for a case with an input script: serial_lost)."""
    tries = case.get("attempts", 2 if case.get("script") else 1)
    spent = 0.0
    for attempt in range(1, tries + 1):
        name, why, secs = boot_once(case, build, outdir, timeout)
        spent += secs
        if not why or not why.startswith(INCONCLUSIVE) or attempt == tries:
            break
        print(f"note: boot/{name}: attempt {attempt} of {tries} {why.splitlines()[0]}; once more",
              flush=True)
    return name, why, spent


def boot_once(case, build, outdir, timeout):
    """Build the case's image, boot it, and return (name, error or None, seconds).
    A case may ask for more time than the default with a "timeout" key."""
    name = case["name"]
    timeout = max(timeout, case.get("timeout", 0))
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
    # What tools/deps.sh installs (sbsign, the snakeoil firmware) is no reason
    # to skip: a machine without it was not set up as the README says.
    missing = sb_missing(case)
    if missing:
        return name, missing + ": run tools/deps.sh", 0.0
    missing = case["unless"]() if "unless" in case else None
    if missing:
        return name, "SKIP " + missing, 0.0
    mkimg_args = ["--sign-key", SNAKEOIL_KEY, "--sign-cert", SNAKEOIL_CERT,
                  "--sign-pass", SNAKEOIL_PASS] if case.get("sign") else []
    if case.get("overlay_files"):
        mkimg_args += ["--overlay", overlay_dir(case, outdir)]
    if case.get("debs"):
        debs, missing = debian_image_args(case, case_build, outdir)
        if missing:
            return name, "SKIP " + missing, 0.0
        mkimg_args += debs
    peer = None
    if case.get("peer"):
        # A Linux guest on a wire with Kestrel (tests/boot/netpeer.py, CasePeer);
        # it boots while the image is made.
        import netpeer
        try:
            peer = netpeer.CasePeer.start_for(case, case_build, outdir)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            return name, f"SKIP no Linux peer: {e}", 0.0
    run([os.path.join(TOP, "tools/mkimg.sh"), "--build", case_build, "-o", img,
         "--rootfs", os.path.join(build, "rootfs.cpio"), "--cmdline", case.get("cmdline", "")]
        + mkimg_args)
    if "image" in case:
        case["image"](img)
    shutil.copyfile(OVMF_SB_VARS if case.get("sb") else OVMF_VARS, vars_fd)
    case["_img"] = img
    # Unix socket paths are limited to ~100 bytes: keep them short. Every
    # case has a monitor socket: at a timeout it tells where each CPU is.
    sockdir = tempfile.mkdtemp(prefix="kestrel-boot-")
    case["_monitor_sock"] = os.path.join(sockdir, "monitor")
    if case.get("script"):
        case["_serial_sock"] = os.path.join(sockdir, "com1")
    t0 = time.monotonic()
    proc = subprocess.Popen(qemu_cmd(case, img, vars_fd) + (peer.kestrel_args if peer else []),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status, script, script_err = None, None, None
    try:
        if case.get("script"):
            script = Script(case, t0 + timeout)
    except (OSError, KeyError) as e:
        script_err = f"input script: cannot talk to QEMU: {e}"
    while time.monotonic() - t0 < timeout and not script_err:
        status = proc.poll()
        if status is not None:
            break
        log = read_log(log_path) if os.path.exists(log_path) else ""
        if script:
            try:
                script.advance(log)
            except (OSError, KeyError) as e:
                script_err = f"input script failed at {script.pending()}: {e!r}"
        if case["exit"] is None and find_in_order(log, case["expect"]) is None:
            time.sleep(1)  # let anything that follows (a wrong exit) show
            status = proc.poll()
            break
        time.sleep(0.2)
    else:
        if not script_err:
            status = "timeout"
    stuck = None
    if status == "timeout" and proc.poll() is None:
        stuck = where_stuck(case, script, case_build)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if script:
        script.close()
    shutil.rmtree(sockdir, ignore_errors=True)
    del case["_monitor_sock"]  # gone with sockdir: a later boot_again must not name it
    secs = time.monotonic() - t0
    log = read_log(log_path) if os.path.exists(log_path) else ""
    if script_err:
        why = script_err
    elif status == "timeout":
        why = verdict(case, log, None) or f"timed out after {timeout} s"
        why = f"timed out after {timeout} s: " + why
        if stuck:
            why += "\n    the CPUs were at:\n      " + stuck
        if serial_lost(case, log, stuck):
            why = (INCONCLUSIVE + "the kernel ran (see where) but the serial socket carried "
                   "nothing of it: QEMU's socket chardev stalled under load\n    " + why)
    else:
        why = verdict(case, log, status)
    if not why and case.get("after"):
        why = case["after"](img)  # host checks of what the guest wrote
    if peer:
        why = why or peer.verdict()
        peer.close()
    if why and script and script.pending():
        why += f"\n    input script stopped before: {script.pending()}"
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


def log_excerpt(log, head=3, tail=12):
    """The first and last lines of a failed case's log, for a report read
    where the log itself is gone (CI): its start shows whether it is whole."""
    lines = [ln for ln in log.split("\n") if ln.strip()]
    if len(lines) > head + tail:
        # and from between them, the lines that say what failed
        said = [ln for ln in lines[head:-tail] if re.search(r"FAIL|PANIC", ln)][:10]
        lines = lines[:head] + [f"... ({len(lines) - head - tail} lines, of them:)"] + said + ["..."] + lines[-tail:]
    clean = lambda ln: "".join(c if c.isprintable() else "?" for c in ln[:160])
    return "".join(f"\n    | {clean(ln)}" for ln in lines) if lines else "\n    (the log is empty)"


def read_log(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace").replace("\r", "")


# SMP (issue 11): the self-test list on four CPUs (q35 with -cpu max: x2APIC where QEMU's
# accelerator offers it, TCG before QEMU 8 does not; pc with qemu64: xAPIC), and the SMP
# programs on two CPUs limited to one by maxcpus=1. The lines after "smp: N CPUs online" are
# the SMP programs' own: /proc/cpuinfo, sched_getaffinity and getcpu agree on N CPUs, and the
# stress test's parts (the stale-TLB check among them) pass. Multi-threaded TCG: one host
# thread per vCPU, so the CPUs really run at once.
SMP_PROGRAMS = "conform-smp,conform-sched,conform-cpus,smp-stress,threads,conform-futex"


def sched_expect(cpus):
    """conform-sched's lines on cpus CPUs (rootfs/src/conform_sched.c): the spinners kept every
    CPU busy, a spinner was moved to each CPU, the pinned pairs played every round, no
    spinner starved, and 200 yielders on one CPU took turns; on one CPU the checks that need
    two skip."""
    if cpus == 1:
        spread = [r"conform-sched: spread-procs SKIP one CPU", r"conform-sched: affinity-move SKIP one CPU",
                  r"conform-sched: wake-pipe SKIP one CPU"]
    else:
        busy = r", \d+ ms, busy( \d+%)" + f"{{{cpus}}}$"
        spread = [rf"conform-sched: spread-procs ok: {cpus} processes" + busy,
                  rf"conform-sched: spread-threads ok: {cpus} threads" + busy,
                  rf"conform-sched: affinity-move ok: moved to each of {cpus} CPUs and back",
                  rf"conform-sched: wake-pipe ok: \d+ sleeps on each of {cpus} CPUs"]
    return spread + [r"conform-sched: pingpong-pipe ok: 2000 round trips",
                     r"conform-sched: pingpong-futex ok: 2000 round trips",
                     rf"conform-sched: progress-n\+1 ok: {cpus + 1} threads on {cpus} CPUs",
                     rf"conform-sched: progress-2n ok: {2 * cpus} threads on {cpus} CPUs",
                     r"conform-sched: yield-many ok: the first of 200 yielding processes",
                     r"selftest: conform-sched ok"]


def cpus_expect(cpus):
    """conform-cpus's lines on cpus CPUs (rootfs/src/conform_cpus.c): /proc/interrupts has a
    column per CPU and every CPU's LOC grew, a cross-CPU wake-up counted a RES, and
    /sys/devices/system/cpu has a cpuN directory per CPU."""
    res = r"conform-cpus: interrupts-res SKIP one CPU" if cpus == 1 else \
        r"conform-cpus: interrupts-res ok: RES\+CAL grew by \d+"
    return [rf"conform-cpus: interrupts-format ok: {cpus} CPUs?, \d+ lines",
            r"conform-cpus: interrupts-loc ok", res,
            rf"conform-cpus: cpu-dirs ok: {cpus} directories",
            r"selftest: conform-cpus ok"]


def smp_expect(cpus, sched=True):
    """The SMP lines of a boot with cpus CPUs online, in order (conform-sched's
    only when sched)."""
    plural = "CPU" if cpus == 1 else "CPUs"
    return [rf"smp: {cpus} {plural} online",
            rf"conform-smp: cpuinfo ok: {cpus} entries",
            rf"conform-smp: getaffinity ok: \d+ bytes, {cpus} CPUs",
            rf"conform-smp: setaffinity-getcpu ok: pinned to each of {cpus} CPUs in turn",
            r"selftest: conform-smp ok",
            *(sched_expect(cpus) if sched else []),
            *cpus_expect(cpus),
            rf"smp-stress: fork-exit-wait ok: {2 * cpus if cpus > 1 else 2} workers",
            r"smp-stress: stale-tlb ok: \d+ munmaps",
            r"smp-stress: munmap-fault ok: \d+ rounds",
            r"smp-stress: mmap-threads ok: \d+ threads, \d+ mmap\+mprotect\+munmap, every region intact",
            rf"smp-stress: pipe-records ok: {cpus} writers, {cpus} readers",
            rf"smp-stress: unix-records ok: {cpus} writers, {cpus} readers, [1-9]\d* records of 4096 bytes, [1-9]\d* descriptors came with recvmsg",
            rf"smp-stress: unix-close-send ok: \d+ rounds, {cpus} senders each, every one ended with EPIPE or one ECONNRESET",
            r"smp-stress: close-read ok: \d+ close\+dup2",
            r"smp-stress: fd-table ok: [1-9]\d* rounds, each to \d+ descriptors and a table of its own",
            r"smp-stress: close-dup2 ok: \d+ closes, \d+ EBADF, [1-9]\d* dup2s, [1-9]\d* dups, [1-9]\d* forks",
            r"smp-stress: scm-race ok: \d+ senders, [1-9]\d* passed, \d+ refused \(EBADF\), each received once, no descriptor left open",
            r"smp-stress: tcp-duplex ok: \d+ and \d+ bytes, each way checked",
            r"smp-stress: tcp-pingpong ok: \d+ round trips, every value checked",
            r"smp-stress: tcp-close-recv ok: \d+ rounds, [1-9]\d* recvs got the byte",
            rf"smp-stress: tcp-churn ok: {max(cpus, 2)} pairs, [1-9]\d* connections, [1-9]\d* reset, [1-9]\d* closed on their last ACK while held, every byte checked",
            rf"smp-stress: tcp-reset-read ok: {max(cpus, 2)} pairs, [1-9]\d* resets, [1-9]\d* bytes, each read before its reset",
            rf"smp-stress: udp-count ok: {max(cpus, 2)} senders, \d+ datagrams, each read once",
            rf"smp-stress: stat-rename ok: \d+ rounds of changes, {max(cpus, 2)} readers, [1-9]\d* stats",
            rf"smp-stress: open-unlink ok: [1-9]\d* generations, {max(cpus, 2)} openers, [1-9]\d* opens found one, \d+ ENOENT, [1-9]\d* dups",
            rf"smp-stress: exit-truncate ok: {max(cpus, 2)} workers, [1-9]\d* truncations, [1-9]\d* children exited, [1-9]\d* exec'd",
            rf"smp-stress: fork-truncate ok: {max(cpus, 2)} workers, [1-9]\d* truncations, [1-9]\d* children, [1-9]\d* pages checked, \d+ SIGBUS past the end",
            rf"smp-stress: exec-rename ok: {max(cpus, 2)} workers, [1-9]\d* children \(\d+ ETXTBSY\), [1-9]\d* renames, \d+ rewrites",
            r"selftest: smp-stress ok"]


def smp_case(name, machine, cpus, online, cpu, cmdline, full, programs=None):
    """A boot on cpus vCPUs of which online come up; full: the whole self-test
    list, else only programs (default SMP_PROGRAMS)."""
    programs = programs or SMP_PROGRAMS
    extra = ["-smp", str(cpus), "-cpu", cpu, "-accel", "tcg,thread=multi"]
    # SELFTEST_OK makes the verdict require every self-test's ok line; a filtered run
    # counts its own
    done = SELFTEST_OK if full else [rf"selftest: {len(programs.split(','))} passed, 0 failed"]
    return dict(name=name, machine=machine, mem="512M", extra=extra,
                cmdline=cmdline if full else cmdline.replace("selftest", f"selftest={programs}", 1),
                expect=banner() + smp_expect(online, sched="conform-sched" in programs.split(",")) + done,
                reject=NEVER, exit=DEBUGEXIT_OK,
                timeout=420 if full else 180)


def smp_cases(build):
    return [
        # the SMP programs on 8 CPUs (4 run the whole list in laptop-usb-nolegacy and
        # clang-q35-1G, the latter on -cpu max too)
        # (not conform-sched: its nice-latency check times wake-ups by the wall clock,
        # which 8 vCPUs on a 2-core host decide more than the kernel does: a median
        # of 4.3 ms against the 4 ms limit once, 2026-11-27; it runs on 4 CPUs in
        # clang-q35-1G, laptop-usb-nolegacy and smp4-pc-xapic)
        smp_case("smp8-q35-cpumax", "q35", 8, 8, "max", "selftest debugexit", full=False,
                 programs=SMP_PROGRAMS.replace("conform-sched,", "")),
        smp_case("smp4-pc-xapic", "pc", 4, 4, "qemu64", "selftest debugexit", full=False),
        smp_case("smp2-maxcpus1", "q35", 2, 1, "qemu64", "selftest debugexit maxcpus=1",
                 full=False),
        # Two packages of one core with two threads, on an Intel CPU (QEMU's TCG "max" says
        # AMD, whose topology without TOPOEXT Linux reads another way): /proc/cpuinfo and
        # /sys's topology say what Linux says for it (physical id 0-1, siblings 2, cpu cores 1)
        dict(name="smp4-topology-smt", machine="q35", mem="256M",
             extra=["-smp", "4,sockets=2,cores=1,threads=2", "-cpu", "max,vendor=GenuineIntel",
                    "-accel", "tcg,thread=multi"],
             cmdline="selftest=conform-smp,conform-cpus debugexit",
             expect=banner() + [r"smp: 4 CPUs online",
                                r"conform-smp: cpuinfo ok: 4 entries, siblings 2, cpu cores 1",
                                r"conform-cpus: topology ok: package:core 0:0 0:0 1:0 1:0, "
                                r"siblings 2, cpu cores 1$", r"selftest: 2 passed, 0 failed"],
             reject=NEVER, exit=DEBUGEXIT_OK, timeout=180),
        # The kernel profiler on (profile=2, issue 30): /proc/profile's samples and reset,
        # the system-call counts, and the SMP stress programs with every call counted and
        # both CPUs' ticks sampling into the same buckets
        dict(name="profile-smp2", machine="q35", mem="256M",
             extra=["-smp", "2", "-accel", "tcg,thread=multi"],
             cmdline="profile=2 selftest=conform-profile,smp-stress debugexit",
             expect=banner() + [r"profile: kernel profiling enabled \(shift: 2, \d+ buckets of 4 bytes\)",
                                r"smp: 2 CPUs online", r"profile: absent SKIP",
                                r"profile: samples ok: buckets of 4 bytes",
                                r"profile: syscall-counts ok", r"profile: kallsyms ok",
                                r"selftest: 2 passed, 0 failed"],
             reject=NEVER, exit=DEBUGEXIT_OK, timeout=180),
        # /proc/interrupts from the shell on two CPUs: the serial port's line counts the
        # characters typed (on CPU 0, where device interrupts go) as Linux shows an IO-APIC
        # line, and an NMI from QEMU's monitor is counted on the NMI line
        dict(name="smp2-proc-interrupts", machine="q35", mem="256M", cmdline="",
             extra=["-smp", "2", "-accel", "tcg,thread=multi"],
             script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT), monitor_cmd("nmi"),
                     serial_in("grep -E '^ *(4|NMI):' /proc/interrupts\r"),
                     wait_for(r"^NMI:"), wait_for(SHELL_PROMPT)],
             expect=[SHELL_STARTED,
                     r"^  4: +[1-9]\d* +0   IO-APIC   4-edge      ttyS0$",
                     r"^NMI: +[01] +[01]   Non-maskable interrupts$"],
             checks=[nmi_counted], reject=NEVER, exit=None, timeout=120),
    ]


def nmi_counted(log):
    """The NMI the monitor sent is on the NMI line (QEMU sends it to one CPU or each)."""
    m = re.search(r"^NMI: +(\d+) +(\d+) ", log, re.M)
    return None if m and int(m.group(1)) + int(m.group(2)) >= 1 else "no NMI counted on the NMI line"


# SMP bring-up (issue 11): every AP answers, the APIC mode follows the
# boot CPU's (x2APIC whenever the "cpu:" line offers it: TCG before QEMU 8
# does not), maxcpus=N and nosmp limit the CPUs started, and a panic stops
# the other CPUs by NMI and says where each was. No self-test runs
# (selftest=none): these boots test the start-up, the SMP cases above the system.
def smp_mode_follows_cpu(log):
    """The smp line's APIC mode is x2APIC exactly when the CPU has it."""
    cpu = re.search(r"cpu: .*x2APIC (yes|no)", log)
    smp = re.search(r"smp: \d+ CPUs? online \((x2APIC|xAPIC)", log)
    if not cpu or not smp:
        return "no 'cpu:' or 'smp: N CPUs online (MODE' line"
    want = "x2APIC" if cpu.group(1) == "yes" else "xAPIC"
    return None if smp.group(1) == want else f"smp line says {smp.group(1)}, the CPU offers {want}"


def three_cpus_stopped(log):
    """Each of the three other CPUs said once where the panic's NMI stopped it, followed by
    its registers (and, stopped in the kernel, its backtrace)."""
    ids = re.findall(r"^cpu ([0-3]): stopped at ", log, re.M)
    if len(ids) != 3 or len(set(ids)) != 3:
        return f"stopped CPUs {ids}, want three distinct"
    with_regs = re.findall(r"^cpu [0-3]: stopped at (0x[0-9a-f]+).*\nRIP ([0-9a-f]{16}) ", log, re.M)
    if len(with_regs) != 3 or any(int(a, 16) != int(b, 16) for a, b in with_regs):
        return f"a stopped CPU's registers are missing or disagree with its RIP: {with_regs}"
    kernel = [a for a, _ in with_regs if int(a, 16) >= 0xffff800000000000]
    traces = re.findall(r"^cpu [0-3]: stopped at 0xffff[0-9a-f]+.*\n(?:.*\n){7}backtrace:", log, re.M)
    return None if len(traces) == len(kernel) else "a CPU stopped in the kernel printed no backtrace"


# A panic while programs run on the other CPUs: three shell loops spin in ring 3, then
# /proc/sysrq-trigger's 'c' panics. The NMI that stops a CPU arrives in user mode there,
# where GS is the program's: the handler must find its CPU without it.
# Before it, 't' lists every thread: the sleeper's trace must reach its nanosleep, the
# writer's its sysrq write.
PANIC_USER_SH = """sleep 60 &
for i in 1 2 3; do while :; do :; done & done
sleep 1
echo t > /proc/sysrq-trigger
echo c > /proc/sysrq-trigger
"""


def threads_shown(log):
    """sysrq 't' logged each thread, and a sleeping one's and the writer's
    kernel backtraces end where they are: in nanosleep and in the sysrq write."""
    frames = r"(?:\[[ \d.]+\]\s+#\d+ .*\n)*?\[[ \d.]+\]\s+#\d+\s+[0-9a-f]{16} "
    if not re.search(r"thread \d+ \((?:sleep|sh)\) sleeping, cpu \d+\n" + frames + r"sys_\w*nanosleep\+", log):
        return "sysrq 't' showed no sleeping thread with a trace into nanosleep (the background sleep)"
    if not re.search(r"thread \d+ \(sh\) running, cpu \d+, this one\n" + frames + r"sysrq_write\+", log):
        return "sysrq 't' showed no trace of the writing shell into sysrq_write"
    if len(re.findall(r"thread \d+ \(sh\) \w+, cpu \d+(?:, on it now)?\n", log)) < 3:
        return "sysrq 't' showed fewer than three spinning shells"
    return None


def stopped_in_user_threads_shown(log):
    return threads_shown(log) or stopped_in_user(log)


def stopped_in_user(log):
    """Three CPUs stopped, and at least one of them at a user-mode address.
    All three in the kernel is inconclusive, not wrong: a spinning CPU's tick
    waits for the kernel lock the panicking CPU holds from its write() on, and
    a host that deschedules that vCPU for a tick lets all three reach it
    (CI saw it once in many runs); the case then boots again."""
    why = three_cpus_stopped(log)
    if why:
        return why
    rips = [int(r, 16) for r in re.findall(r"^cpu [0-3]: stopped at (0x[0-9a-f]+)", log, re.M)]
    if any(r < 0x800000000000 for r in rips):
        return None
    return INCONCLUSIVE + f"no CPU stopped in user mode: {[hex(r) for r in rips]}"


def smp_bringup_case(name, machine, cpus, cpu, words, expect, exit=DEBUGEXIT_OK, reject=NEVER,
                     checks=(smp_mode_follows_cpu,)):
    return dict(name=name, machine=machine, mem="256M", cmdline=f"{words} debugexit",
                extra=["-smp", str(cpus), "-cpu", cpu, "-accel", "tcg,thread=multi"],
                expect=expect, reject=reject, exit=exit, checks=list(checks))


def smp_bringup_cases(build):
    up = [rf"smp: CPU {i} \(APIC ID {i}\) in C after \d+ us, up after \d+ us" for i in range(1, 8)]
    stopped = [r"cpu [0-3]: stopped at 0x[0-9a-f]+ \w+\+(0x[0-9a-f]+|0)$" for _ in range(3)]
    return [
        smp_bringup_case("smp8-bringup", "q35", 8, "max", "selftest=none loglevel=7",
                         [r"smp: 8 CPUs online \((x2APIC|xAPIC), the last up [\d.]+ ms after the kick, [\d.]+ ms waited for\)",
                          r"smp: 7 slots prepared in \d+ us"] + up +
                         [r"selftest: 0 passed, 0 failed", r"kestrel: boot complete, status 0"]),
        smp_bringup_case("smp8-pc-maxcpus3", "pc", 8, "qemu64", "selftest=none maxcpus=3",
                         [r"smp: 3 CPUs online \(xAPIC, the last up [\d.]+ ms after the kick, [\d.]+ ms waited for\)",
                          r"kestrel: boot complete, status 0"]),
        # two CPUs present, two more hot-pluggable: the MADT lists four, only two start
        smp_bringup_case("smp2of4-hotplug", "q35", "2,maxcpus=4", "qemu64", "selftest=none",
                         [r"smp: 2 CPUs online \(xAPIC", r"kestrel: boot complete, status 0"],
                         reject=NEVER + [r"did not answer", r"left out"]),
        smp_bringup_case("smp4-nosmp", "q35", 4, "qemu64", "selftest=none maxcpus=0 nosmp",
                         [r"cmdline: ignoring unknown or malformed word 'maxcpus=0'",
                          r"smp: 1 CPU online \(maxcpus=1\)", r"kestrel: boot complete, status 0"],
                         reject=[r"KERNEL PANIC", r"FAIL"], checks=()),
        smp_bringup_case("smp4-panic-stops-cpus", "q35", 4, "qemu64", "crash=panic",
                         [r"smp: 4 CPUs online"] + stopped +
                         [r"KERNEL PANIC: deliberate panic \(crash=panic\)"],
                         exit=DEBUGEXIT_PANIC, reject=[r"did not stop", r"recursive panic"],
                         checks=(smp_mode_follows_cpu, three_cpus_stopped)),
        dict(smp_bringup_case("smp4-panic-user", "q35", 4, "qemu64", "",
                              [r"smp: 4 CPUs online", r"show-task-states: every process and its threads",
                               r"KERNEL PANIC: sysrq triggered crash"],
                              exit=DEBUGEXIT_PANIC, reject=[r"did not stop", r"recursive panic"],
                              checks=(stopped_in_user_threads_shown,)),
             attempts=3, cmdline="debugexit init=/bin/sh -- /boot/efi/panic-user.sh",
             image=lambda img: put_on_esp(img, PANIC_USER_SH.encode(), "panic-user.sh")),
    ] + x2apic_cases(build)


# x2APIC (issue 11): a newer QEMU's TCG emulates it (tested with 10.0); 7.2's warns "TCG
# doesn't support requested feature: CPUID.01H:ECX.x2apic" and runs without. These cases run the
# QEMU named by KESTREL_QEMU_X2APIC (a command: a binary, and maybe "-L DIR" for its
# firmware; default qemu-system-x86_64) and SKIP, saying why, when its TCG has no x2APIC
# or it refuses the topology. Four CPUs: three from -smp and one cold-plugged into socket
# 1 of a 129-core socket, whose APIC ID is 256: QEMU lists it in a local x2APIC entry
# (MADT type 9), and only x2APIC mode reaches it (one 64-bit ICR write, no INIT de-assert).
X2APIC_QEMU = shlex.split(os.environ.get("KESTREL_QEMU_X2APIC", "qemu-system-x86_64"))
X2APIC_SMP = ["-smp", "3,sockets=2,cores=129,maxcpus=258", "-cpu", "qemu64,+x2apic",
              "-device", "qemu64-x86_64-cpu,socket-id=1,core-id=0,thread-id=0",
              "-accel", "tcg,thread=multi"]
_x2apic_why, _x2apic_lock = [], threading.Lock()


def x2apic_probe(args):
    """Why X2APIC_QEMU, started paused with args on q35 and told to quit, cannot run
    the x2APIC cases, or None."""
    try:
        r = subprocess.run(X2APIC_QEMU + ["-machine", "q35", "-nodefaults", "-display", "none", "-S",
                                          "-monitor", "stdio"] + args,
                           input="quit\n", capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run {X2APIC_QEMU[0]}: {e}"
    err = r.stderr.strip()
    if re.search(r"support requested feature: CPUID\.01H:ECX\.x2apic", err):
        return f"{X2APIC_QEMU[0]}'s TCG has no x2APIC (set KESTREL_QEMU_X2APIC to a QEMU 9 or later)"
    return f"{X2APIC_QEMU[0]} refused the x2APIC machine: {err[:300]}" if r.returncode else None


def x2apic_missing():
    """Why the x2APIC cases cannot run here, or None (asked once): the CPU first, then
    the topology that gives APIC ID 256."""
    with _x2apic_lock:
        if not _x2apic_why:
            _x2apic_why.append(x2apic_probe(["-cpu", "qemu64,+x2apic", "-accel", "tcg"]) or
                               x2apic_probe(X2APIC_SMP))
    return _x2apic_why[0]


def x2apic_cases(build):
    mode = [r"cpu: .*x2APIC yes", r"apic: x2APIC id 0, 4 CPUs in MADT", r"smp: 4 CPUs online \(x2APIC"]
    stopped = [r"cpu [0-3]: stopped at 0x[0-9a-f]+ \w+\+(0x[0-9a-f]+|0)$" for _ in range(3)]
    common = dict(machine="q35", mem="512M", qemu=X2APIC_QEMU, unless=x2apic_missing, extra=X2APIC_SMP)
    return [
        # the SMP programs (conform-smp, the stress test's stale-TLB check...) on the four CPUs
        dict(common, name="x2apic-smp4", cmdline=f"selftest={SMP_PROGRAMS} debugexit",
             expect=banner() + mode + smp_expect(4)[1:] +
             [rf"selftest: {len(SMP_PROGRAMS.split(','))} passed, 0 failed"],
             reject=NEVER, exit=DEBUGEXIT_OK, timeout=240),
        # a panic's NMI (an x2APIC ICR write) stops the other three, APIC ID 256 among them
        dict(common, name="x2apic-panic-stops-cpus", cmdline="crash=panic loglevel=7 debugexit",
             expect=mode + [r"smp: CPU 3 \(APIC ID 256\) in C after"] + stopped +
             [r"KERNEL PANIC: deliberate panic \(crash=panic\)"],
             reject=[r"did not stop", r"recursive panic", r"left out"], exit=DEBUGEXIT_PANIC,
             checks=[three_cpus_stopped], timeout=120),
    ]


# make bench's SMP programs (rootfs/src/bench/, tools/bench.py --smp-runs) as its boots run
# them: on two CPUs each prints its figure and none a bench-error (the pinned ones find two
# CPUs, every worker's fork + exec + wait succeeds, every scaling pair has a worker per CPU
# and the kernel lock's statistics of its window); limited to one CPU by maxcpus=1, the
# pinned ones say why they cannot measure and the others still do.
def bench_smp_case(name, words, expect):
    return dict(name=name, machine="q35", mem="512M",
                cmdline=" ".join(w for w in ("init=/bin/bench-run debugexit", words) if w) +
                " -- smpquick",
                extra=["-smp", "2", "-accel", "tcg,thread=multi"],
                expect=banner() + expect + [r"^bench-run: \d+ ms by CLOCK_MONOTONIC$",
                                            r"^bench done$"],
                reject=NEVER + ([] if "maxcpus" in words else [r"bench-error"]),
                exit=DEBUGEXIT_OK, timeout=300)


def bench_smp_cases(build):
    fig = lambda name, unit: rf"^bench {name} \d+\.\d+ {unit}$"
    both = [fig("parallel", "ms"), fig("fork_exec_par2", "us"), fig("fork_exec_par4", "us")]
    # the scaling pairs, a worker per CPU online, each window's copy of /proc/klock_stat first
    scale = lambda cpus: [x for kind in ("fork_exec", "page_fault", "open_close", "pipe",
                                         "mmap_munmap", "futex", "stat", "tcp", "unix")
                          for x in (rf"^klock scale_{kind} window_us \d+ cpus {cpus}$",
                                    rf"^klock scale_{kind} \| cpu{cpus - 1} +\d+",
                                    rf"^scale_{kind}: {cpus} workers?, ops each",
                                    fig(f"scale_{kind}", "ops/s"))]
    return [
        bench_smp_case("bench-smp2", "", [r"smp: 2 CPUs online", r"bench-run: mode smpquick"] +
                       both + [fig("pipe_xcpu", "us"), fig("futex_xcpu", "us")] + scale(2)),
        bench_smp_case("bench-smp2-maxcpus1", "maxcpus=1",
                       [r"smp: 1 CPU online", r"bench-run: mode smpquick"] + both +
                       [r"^bench-error pipe_xcpu only 1 CPU online",
                        r"^bench-error futex_xcpu only 1 CPU online"] + scale(1)),
    ]


# The curve benchmarks (issue 16) that make bench runs on both kernels:
# each program runs at every N on Kestrel (no -icount here: the figures are
# not judged, only that every point is measured, the largest N included,
# and nothing says bench-error).
BENCH_CURVES_CHECKED = ["curve_file", "curve_path", "curve_fork", "curve_yield", "curve_dir"]


def bench_curve_cases(build):
    # in bench-run's order (its table: curve_dir first)
    last = [r"dir_stat@10000", r"getdents_entry@10000", r"file_write@67108864",
            r"file_read@67108864", r"path_stat@64", r"fork_touched@256", r"yield_runnable@1000"]
    return [dict(name="bench-curves", machine="q35", mem="1G",
                 cmdline="init=/bin/bench-run debugexit -- curves " + " ".join(BENCH_CURVES_CHECKED),
                 expect=banner() + [r"bench-run: mode curves"] +
                 [rf"^bench {m} \d+\.\d+ ns$" for m in last] +
                 [r"^bench-run: \d+ ms by CLOCK_MONOTONIC$", r"^bench done$"],
                 reject=NEVER + [r"bench-error"], exit=DEBUGEXIT_OK, timeout=400)]


# The loopback network benchmarks (issue 27) that make bench runs on both kernels:
# on Kestrel each measures (a figure, no bench-error), whichever stack carries 127.0.0.1.
BENCH_NET = ["tcp_stream", "tcp_rr", "tcp_connect", "udp_rr"]


def bench_net_cases(build):
    fig = lambda name, unit: rf"^bench {name} \d+\.\d+ {unit}$"
    return [dict(name="bench-net", machine="q35", mem="1G",
                 cmdline="init=/bin/bench-run debugexit -- quick " + " ".join(BENCH_NET),
                 expect=banner() + [r"bench-run: mode quick", fig("tcp_stream", "us"),
                                    fig("tcp_stream_mbs", "MB/s"), fig("tcp_rr", "us"),
                                    fig("tcp_connect", "us"), fig("udp_rr", "us"),
                                    r"^bench-run: \d+ ms by CLOCK_MONOTONIC$", r"^bench done$"],
                 reject=NEVER + [r"bench-error"], exit=DEBUGEXIT_OK, timeout=300)]


# The console on a machine without a serial port (issue 12). debugcon-noserial:
# no UART at all (-serial none); console=debugcon,fb sends the log to QEMU's
# debug console (port 0xE9, read back from its file) and the whole self-test
# list must pass there (the loader's own line goes to the firmware's console
# only, so the banner starts at the kernel). fb-banner-pass/-fail: the
# self-test's result banner, judged in a screendump (PPM) taken at the echo
# prompt that follows it: a band of pure green (pure red when an /etc/selftest
# entry, added by an overlay, fails) across the screen, at least a tenth of
# it. fb-mode-*: fb=WxH makes the loader pick that GOP mode of OVMF's (the
# kernel's framebuffer line says so); a mode OVMF lacks keeps the current one.
def read_ppm(path):
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not a P6 PPM with maxval 255")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


def screen_band(rgb, min_share=0.10):
    """A check (of the image path) that the case's screendump has pixels of
    exactly rgb on at least min_share of the screen, spanning nine tenths of
    its width."""
    want = bytes(rgb)

    def check(img):
        path = img[:-4] + ".ppm"
        if not os.path.exists(path):
            return f"no screendump {os.path.relpath(path, TOP)}"
        w, h, px = read_ppm(path)
        count, xs = 0, set()
        for i in range(0, len(px), 3):
            if px[i:i + 3] == want:
                count += 1
                xs.add((i // 3) % w)
        if count < min_share * w * h:
            return f"screendump {w}x{h}: {count} pixels of {rgb}, want {min_share:.0%} of the screen"
        if len(xs) < 0.9 * w:
            return f"screendump {w}x{h}: the {rgb} band spans {len(xs)} columns, want 90%"
        return None
    return check


def banner_case(build, name, words, overlay, expect, rgb, exit):
    shot = os.path.join(build, "test", "boot", name + ".ppm")  # boot()'s image path, .ppm
    case = dict(name=name, machine="q35", mem="256M", cmdline=f"{words} echo debugexit",
                expect=[r"fbcon: shadow buffer \d+ KiB, flushed 50 times a second; "
                        r"framebuffer write-combining"] + expect + [ECHO_READY, r"kestrel: boot complete"],
                script=[wait_for(ECHO_READY), monitor_cmd("screendump " + shot), serial_in("exit\r")],
                reject=[r"KERNEL PANIC"], exit=exit, after=screen_band(rgb))
    if overlay:
        case["overlay_files"] = overlay
    return case


def fb_mode_case(name, mode, got, expect):
    fb = rf"framebuffer: {got} stride \d+ \w+ at 0x[0-9a-f]+, font \S*Terminus\S*16 \(\d+x\d+ text\)"
    return dict(name=name, machine="q35", mem="256M", cmdline=f"fb={mode} selftest=minimal debugexit",
                expect=expect + banner(fb)[1:] + [r"selftest: 1 passed, 0 failed"],
                reject=NEVER, exit=DEBUGEXIT_OK)


def console_cases(build):
    failing = "minimal exit=0 2000 /bin/minimal\nfails-on-purpose exit=1 2000 /bin/minimal\n"
    return [
        dict(name="debugcon-noserial", machine="q35", mem="256M", debugcon=True,
             cmdline=f"{SHAPE_SELFTEST} debugexit console=debugcon,fb",
             expect=banner()[1:] + [rf'cmdline: "{SHAPE_SELFTEST} debugexit console=debugcon,fb"',
                                    r"console: input from ps2 keyboard$"] + SELFTEST_OK,
             reject=NEVER + [r"kestrel-loader"], exit=DEBUGEXIT_OK, timeout=300),
        banner_case(build, "fb-banner-pass", "selftest=minimal,hello", None,
                    [r"selftest: 2 passed, 0 failed"], (0, 255, 0), DEBUGEXIT_OK),
        banner_case(build, "fb-banner-fail", "selftest=minimal,fails-on-purpose",
                    {"etc/selftest": failing},
                    [r"selftest: fails-on-purpose FAIL", r"selftest: 1 passed, 1 failed"],
                    (255, 0, 0), (1 << 1) | 1),
        fb_mode_case("fb-mode-800x600", "800x600", "800x600",
                     [r"kestrel-loader: gop: mode \d+, 800x600 \(fb=\)"]),
        fb_mode_case("fb-mode-1280x1024", "1280x1024", "1280x1024",
                     [r"kestrel-loader: gop: mode \d+, 1280x1024 \(fb=\)"]),
        fb_mode_case("fb-mode-missing", "1234x567", r"(\d+)x(\d+)",
                     [r"kestrel-loader: gop: no 1234x567 mode; keeping \d+x\d+"]),
    ]


# The loader and /sys/bus/pci (issue 12).
#   q35-16G         16 GiB: the kernel sees it all (RAM above 4 GiB in the
#                   direct map) and the self-test passes, but for the three
#                   entries that fill RAM (RAM_FILLERS: they would take 16 GiB
#                   of the build machine; q35-256M runs them); the boot times
#                   are in the log.
#   noserial-exit   no serial port at all and the default console= (no
#                   debugcon either): the kernel must not wait on the missing
#                   UART; the full self-test's verdict comes back through
#                   isa-debug-exit alone (status 0: every test passed).
#   la57-cpu        a CPU with 5-level paging (-cpu max,+la57): Debian's OVMF
#                   (2022.11) leaves CR4.LA57 off, so the loader hands over its
#                   4-level tables and the self-test passes; the refusal of
#                   LA57 firmware is unit-tested (tests/unit/test_pgplan.c).
#   lspci-q35       an xHCI controller behind a PCI Express root port (bus 1):
#                   its /sys/bus/pci link leads through the bridge's directory,
#                   its uevent names its slot, its driver link leads to
#                   /sys/bus/pci/drivers/xhci, which lists it, and t-lspci (busybox lspci's
#                   reading of /sys, compared with /proc/bus/pci/devices)
#                   prints the known QEMU devices and their drivers.
LSPCI_XHCI_LINK = r"^\.\./\.\./\.\./devices/pci0000:00/0000:00:0[0-9a-f]\.0/0000:01:00\.0$"


def memory_total_at_least(mib):
    def check(log):
        m = re.search(r"memory: (\d+) MiB total", log)
        if not m:
            return "no 'memory: N MiB total' line"
        return None if int(m.group(1)) >= mib else f"memory total {m.group(1)} MiB < {mib}"
    return check


RAM_FILLERS = ("forkbomb-nolimit", "fulltmp", "memhog")


def selftest_list_without(names):
    """The rootfs's /etc/selftest without the named entries (an overlay's text)."""
    with open(os.path.join(TOP, "rootfs/skel/etc/selftest")) as f:
        return "".join(line for line in f if not (line.split() and line.split()[0] in names))


def loader_cases(build):
    return [
        dict(name="q35-16G", machine="q35", mem="16G", cmdline=f"{SHAPE_SELFTEST} debugexit",
             overlay_files={"etc/selftest": selftest_list_without(RAM_FILLERS)}, absent=RAM_FILLERS,
             expect=banner() + SELFTEST_OK,
             checks=[usable_mib_between(16000, 16384), memory_total_at_least(16300)],
             reject=NEVER, exit=DEBUGEXIT_OK, timeout=300),
        # (debugcon-noserial runs the self-tests without a serial port;
        # this one checks the default consoles cope with its absence.)
        dict(name="noserial-exit", machine="q35", mem="256M", serial_none=True,
             cmdline="selftest=minimal,hello,mmap,procs debugexit", expect=[], reject=[],
             exit=DEBUGEXIT_OK, timeout=300),
        # (cpu-max runs the whole self-test on -cpu max; OVMF leaves LA57 off.)
        dict(name="la57-cpu", machine="q35", mem="256M", extra=["-cpu", "max,+la57"],
             cmdline="selftest=minimal,hello,mmap,procs debugexit",
             expect=banner() + [r"selftest: 4 passed, 0 failed"],
             reject=NEVER + [r"5-level paging"], exit=DEBUGEXIT_OK),
        dict(name="lspci-q35", machine="q35", mem="256M", cmdline="",
             extra=["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
                    "-device", "qemu-xhci,id=xhci,bus=rp1"],
             script=[wait_for(SHELL_STARTED), wait_for(SHELL_PROMPT),
                     serial_in("readlink /sys/bus/pci/devices/0000:01:00.0\r"),
                     wait_for(LSPCI_XHCI_LINK), wait_for(SHELL_PROMPT),
                     serial_in("grep -h SLOT /sys/devices/pci0000:00/*/0000:01:00.0/uevent\r"),
                     wait_for(r"^PCI_SLOT_NAME=0000:01:00\.0$"), wait_for(SHELL_PROMPT),
                     serial_in("readlink /sys/bus/pci/devices/0000:01:00.0/driver; "
                               "ls /sys/bus/pci/drivers/xhci\r"),
                     wait_for(r"^0000:01:00\.0$"), wait_for(SHELL_PROMPT),
                     serial_in("/bin/t-lspci; echo lspci=$?\r"), wait_for(r"^lspci=0$")],
             expect=[SHELL_STARTED, LSPCI_XHCI_LINK, r"^PCI_SLOT_NAME=0000:01:00\.0$",
                     r"^\.\./\.\./\.\./\.\./bus/pci/drivers/xhci$", r"^0000:01:00\.0$",
                     r"^00:00\.0 Class 0600: 8086:29c0$", r"^00:01\.0 Class 0300: 1234:1111$",
                     r"^00:0[0-9a-f]\.0 Class 0604: 1b36:000c$", r"^00:1f\.0 Class 0601: 8086:2918$",
                     r"^00:1f\.2 Class 0106: 8086:2922 ahci$", r"^00:1f\.3 Class 0c05: 8086:2930$",
                     r"^01:00\.0 Class 0c03: 1b36:000d xhci$", r"^lspci: PASS$", r"^lspci=0$"],
             reject=NEVER, exit=None),
    ]


# EFI runtime services (issue 12). efi-selftest-var: an /etc/selftest (an
# overlay) with one passing and one failing entry; the boot's self-test
# (the in-kernel ones too: variables set, read and deleted, a fault in a
# firmware call recovered, GetTime against the CMOS clock) writes its
# summary, failing name included, to the non-volatile variable
# KestrelSelftest. The host finds it in OVMF's variable store file (live,
# attributes NV+BS+RT, Kestrel's GUID); a second boot on that same file
# logs it as the last run, reads the same text through
# /sys/firmware/efi/efivars, then replaces it with its own.
EFI_KESTREL_GUID = "ad421c44-26a7-4265-a255-88bc8b88ac25"
EFI_VAR_NV_BS_RT = 0x7
EFI_FAILING_LIST = ("minimal exit=0 2000 /bin/minimal\n"
                    "efi-fails-on-purpose exit=1 2000 /bin/minimal\n"
                    "efivars exit=0 20000 /bin/sh /etc/efivars.sh\n")
# /sys/firmware/efi/efivars as Linux's efivarfs: OVMF's BootOrder listed and
# read (4 attribute bytes, NV+BS+RT, then the data), names that are not
# variables absent, and KestrelSelftest's text once it exists; from CPU 1,
# so that firmware calls are made from another CPU than the boot one.
EFIVARS_SCRIPT = """set -e
if [ "$1" != pinned ]; then
    exec busybox taskset 2 /bin/sh /etc/efivars.sh pinned
fi
echo "efivars: on CPU $(cut -d' ' -f39 /proc/self/stat)"
d=/sys/firmware/efi/efivars
g=ad421c44-26a7-4265-a255-88bc8b88ac25
boot=BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c
ls $d > /tmp/efivars.list
grep -q "^$boot$" /tmp/efivars.list
echo "efivars: $(wc -l < /tmp/efivars.list) listed, BootOrder among them"
echo "efivars: BootOrder attributes $(od -An -tx1 -N4 $d/$boot | tr -d ' ')," \
     "size $(stat -c %s $d/$boot), read $(wc -c < $d/$boot)"
[ ! -e $d/NoSuchVariable-$g ] && [ ! -e $d/BootOrder ] && [ ! -e $d/$boot-x ]
if [ -e $d/KestrelSelftest-$g ]; then
    echo "efivars: KestrelSelftest size $(stat -c %s $d/KestrelSelftest-$g)," \
         "read $(wc -c < $d/KestrelSelftest-$g)"
    echo "efivars: KestrelSelftest: $(tail -c +5 $d/KestrelSelftest-$g)"
else
    echo "efivars: no KestrelSelftest yet"
fi
"""
EFIVARS_BOOTORDER = r"efivars: BootOrder attributes 07000000, size (\d+), read \1$"
EFIVARS_CPU1 = r"^efivars: on CPU 1$"
EFI_RAN = r"; ran \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+ ms into the boot"
EFI_FIRST_SUMMARY = r"\d+ passed, 1 failed: efi-fails-on-purpose" + EFI_RAN
EFI_VAR_ADDED = 0x3f      # edk2 VariableFormat.h: a live variable's State
EFI_VAR_START_ID = 0x55aa
EFI_VAR_HEADERS = (60, 32)  # edk2's authenticated and plain variable headers


def efi_store_variable(vars_fd, name, guid):
    """(attributes, data) of the live variable name/guid in an OVMF
    variable store file, or None: every copy of the UTF-16 name is looked
    at, and the one whose header says "added" (not deleted) is taken."""
    with open(vars_fd, "rb") as f:
        data = f.read()
    uname = name.encode("utf-16-le") + b"\0\0"
    gbytes = uuid.UUID(guid).bytes_le
    pos = data.find(uname)
    while pos >= 0:
        for hdr in EFI_VAR_HEADERS:
            h = pos - hdr
            if h < 0 or int.from_bytes(data[h:h + 2], "little") != EFI_VAR_START_ID:
                continue
            state, attrs = data[h + 2], int.from_bytes(data[h + 4:h + 8], "little")
            name_size = int.from_bytes(data[pos - 24:pos - 20], "little")
            size = int.from_bytes(data[pos - 20:pos - 16], "little")
            if state == EFI_VAR_ADDED and name_size == len(uname) and data[pos - 16:pos] == gbytes:
                return attrs, data[pos + len(uname):pos + len(uname) + size]
        pos = data.find(uname, pos + 1)
    return None


def efi_var_is(vars_fd, pattern):
    """None if KestrelSelftest is live in the store with NV+BS+RT and a
    value matching pattern (one text line), else why not."""
    var = efi_store_variable(vars_fd, "KestrelSelftest", EFI_KESTREL_GUID)
    if var is None:
        return f"no live KestrelSelftest-{EFI_KESTREL_GUID} in {os.path.basename(vars_fd)}"
    attrs, value = var
    text = value.decode(errors="replace")
    if attrs != EFI_VAR_NV_BS_RT:
        return f"KestrelSelftest attributes {attrs:#x}, want {EFI_VAR_NV_BS_RT:#x}"
    if not re.fullmatch(pattern + r"\n", text):
        return f"KestrelSelftest holds {text!r}, want {pattern}"
    return None


def efi_cases(build):
    def in_kernel_ok(log):
        for n in ("efi-variables", "efi-fault-recovered", "rtc-efi-gettime"):
            if f"selftest: {n} ok" not in log:
                return f"no 'selftest: {n} ok' line"
        return None

    def after(img):
        vars_fd = img[:-4] + ".vars.fd"
        why = efi_var_is(vars_fd, EFI_FIRST_SUMMARY)
        if why:
            return "after the first boot: " + why
        why = boot_again(case, img, "selftest=minimal,efivars debugexit",
                         [r"efi: runtime services: UEFI \d+\.\d+",
                          r"selftest: last run: " + EFI_FIRST_SUMMARY + "$",
                          EFIVARS_CPU1, EFIVARS_BOOTORDER,
                          r"efivars: KestrelSelftest size (\d+), read \1$",
                          r"efivars: KestrelSelftest: " + EFI_FIRST_SUMMARY + "$",
                          r"selftest: 2 passed, 0 failed",
                          r"selftest: summary saved in EFI variable KestrelSelftest"],
                         keep_vars=True)
        if why:
            return why
        log = read_log(img[:-4] + ".again.log")
        last = re.search(r"selftest: last run: (.*)$", log, re.M).group(1)
        if f"efivars: KestrelSelftest: {last}\n" not in log:
            return "efivarfs's KestrelSelftest is not the text the kernel logged as the last run"
        return efi_var_is(vars_fd, r"2 passed, 0 failed" + EFI_RAN)

    case = dict(name="efi-selftest-var", machine="q35", mem="256M", cmdline="selftest debugexit",
                extra=["-smp", "2", "-accel", "tcg,thread=multi"],
                overlay_files={"etc/selftest": EFI_FAILING_LIST, "etc/efivars.sh": EFIVARS_SCRIPT},
                expect=[r"efi: runtime services: UEFI \d+\.\d+, .* rev 0x[0-9a-f]+, \d+ regions",
                        r"selftest: last run: none recorded",
                        r"selftest: efi-fails-on-purpose FAIL",
                        EFIVARS_CPU1, EFIVARS_BOOTORDER, r"efivars: no KestrelSelftest yet",
                        r"selftest: efivars ok",
                        r"selftest: \d+ passed, 1 failed",
                        r"selftest: summary saved in EFI variable KestrelSelftest"],
                reject=[r"KERNEL PANIC", r"runtime services disabled", r"cmdline: ignoring"],
                checks=[in_kernel_ok], after=after, exit=(1 << 1) | 1, timeout=180)
    return [case]


WHOLE_SELFTEST_TIMEOUT = 240  # seconds, at least, for a boot through the whole self-test


def runs_whole_selftest(case):
    """Does the boot run the whole self-test list (a bare selftest word)?"""
    return "selftest" in case.get("cmdline", "").split("--")[0].split()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("BOOT_TIMEOUT", "90")))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    table = cases(build) + INTERACTIVE_CASES + sb_cases(build) + DEBIAN_CASES + CPYTHON_CASES + nvme_cases(build) + usbms_cases(build) + usb_hotplug_cases(build) + fat_cases(build) + fat_many_cases(build) + fat_crash_cases(build) + virtio_blk_cases(build) + ahci_cases(build) + ext2_cases(build) + mount_cases(build) + smp_cases(build) + smp_bringup_cases(build) + bench_smp_cases(build) + bench_curve_cases(build) + bench_net_cases(build) + console_cases(build) + efi_cases(build) + loader_cases(build)
    if args.list:
        print("\n".join(c["name"] for c in table))
        return 0
    if args.names:
        unknown = set(args.names) - {c["name"] for c in table}
        if unknown:
            print("unknown case(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
            return 2
        table = [c for c in table if c["name"] in args.names]
    # In the table's order, which spreads the many-CPU boots among the others:
    # sorted longest first (2026-11-26), the 4- and 8-CPU whole self-tests ran
    # side by side and starved the 2-CPU boots beside them of the host's two
    # cores long enough that a thread's CPU clock jumped by 100 ms in one stall
    # (timers' thread-cpu-clock and itimer-thread failed in one run). A whole
    # self-test alone takes 25-60 s, beside a many-CPU boot two or three times that.
    table = [dict(c, timeout=max(c.get("timeout", 0), WHOLE_SELFTEST_TIMEOUT))
             if runs_whole_selftest(c) else c for c in table]
    outdir = os.path.join(build, "test", "boot")
    os.makedirs(outdir, exist_ok=True)
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(boot, c, build, outdir, args.timeout) for c in table]
        for f in futures:
            name, why, secs = f.result()
            if why and why.startswith("SKIP "):
                skipped += 1
                print(f"SKIP boot/{name}: {why[5:]}")
            elif why:
                failed += 1
                log = os.path.join(outdir, name + ".log")
                print(f"FAIL boot/{name} ({secs:.1f} s): {why}\n    serial log: {os.path.relpath(log, TOP)}")
                if os.path.exists(log):
                    print(log_excerpt(read_log(log)).lstrip("\n"))
            else:
                passed += 1
                print(f"PASS boot/{name} ({secs:.1f} s)")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
