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
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

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
                  "vmm-map-protect-unmap", "kernel-stack-guard", "heap-stress", "percpu-self",
                  "acpi-madt", "lapic-boot-cpu", "irq-route-isa-pit", "pci-enumerated", "time-ns-monotonic",
                  "tsc-rate", "timer-rate"]


def user_selftest_names():
    """The entries of the rootfs's /etc/selftest: each must report ok."""
    names = []
    with open(os.path.join(TOP, "rootfs/skel/etc/selftest")) as f:
        for line in f:
            words = line.split()
            if words and not words[0].startswith("#"):
                names.append(words[0])
    return names


def selftests_ran(log, skips=()):
    """Each named self-test printed its ok line (in any order); a test named in
    skips must instead say it was skipped (its device is absent on that machine)."""
    for n in SELFTEST_NAMES + user_selftest_names():
        want = f"selftest: {n} skipped (" if n in skips else f"selftest: {n} ok"
        if want not in log:
            return f"no '{want}' line"
    return None
NEVER = [r"KERNEL PANIC", r"FAIL", r"cmdline: ignoring"]


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


def pauses_reading(case):
    """With a pause step the log is what the harness read from the socket, not
    QEMU's chardev logfile: QEMU logs a byte again each time a full socket made
    it retry the write, which would garble exactly the lines under test."""
    return any(kind == "pause" for kind, _ in case.get("script", []))


ECHO_READY = r"console: echo: type lines"


def apic_time(cpus):
    """The interrupt-controller and time lines (QEMU: one IO APIC, five ISA overrides)."""
    return [rf"apic: (x2APIC|xAPIC) id 0, {cpus} CPUs in MADT, IO APIC at 0xfec00000 GSIs 0-23, "
            r"5 overrides",
            r"time: TSC \d+ MHz \((HPET|ACPI PM timer|PIT|CPUID 0x15|CPUID 0x16)\), "
            r"APIC timer \d+ MHz, tick 100 Hz"]


def apic_case(machine, mem, cpus, usable, hpet=True):
    """A boot of the interrupt and time code on one machine, memory size and CPU count;
    without an HPET the clocks are calibrated against the ACPI PM timer instead."""
    name = f"apic-{machine}-{mem}" + (f"-smp{cpus}" if cpus > 1 else "") + ("" if hpet else "-nohpet")
    ref = "HPET" if hpet else "ACPI PM timer"
    lines = apic_time(cpus)
    lines[1] = lines[1].replace(r"\((HPET|ACPI PM timer|PIT|CPUID 0x15|CPUID 0x16)\)", rf"\({ref}\)")
    return dict(name=name, machine=machine + ("" if hpet else ",hpet=off"), mem=mem,
                cmdline="selftest debugexit", extra=["-smp", str(cpus)],
                expect=banner() + lines + [rf"time: tick [\d.]+ Hz against the {ref}"] + SELFTEST_OK,
                checks=[usable_mib_between(*usable)], reject=NEVER, exit=DEBUGEXIT_OK)


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
    is then a socket, its log written by QEMU's chardev logfile (with a
    pause, by the harness from what it read), and the monitor
    another socket), usb_disk (the image on usb-storage behind qemu-xhci instead
    of the default disk), skips (self-tests that must say "skipped (why)")."""
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
        dict(name="no-debugexit", machine="q35", mem="256M", cmdline="selftest bogus=1",
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
        dict(name="cpu-max", machine="q35", mem="512M", cmdline="selftest debugexit",
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
        dict(name="panic-poweroff", cmdline="selftest=minimal crash=panic panic=poweroff",
             no_reboot=False,
             expect=[r"selftest: minimal ok", r"KERNEL PANIC: deliberate panic \(crash=panic\)",
                     r"last system calls on this CPU \(of 2\):", r"pid \d+ nr 1 \(0x1, ",
                     r"pid \d+ nr 60 \(0, ", r"panic=poweroff", r"powering off"],
             reject=[r"poweroff failed"], exit=0),
        dict(name="panic-reboot", cmdline="crash=panic panic=reboot", real_reset=True,
             expect=[r"KERNEL PANIC: deliberate panic", r"panic=reboot", r"rebooting"],
             exit=0),
        dict(name="pc-poweroff", machine="pc", cmdline="crash=panic panic=poweroff",
             no_reboot=False, expect=[r"panic=poweroff", r"powering off"],
             reject=[r"poweroff failed"], exit=0),
        dict(name="pc-reboot", machine="pc", cmdline="crash=panic panic=reboot", real_reset=True,
             expect=[r"panic=reboot", r"rebooting"], exit=0),
        # interrupts and time: q35 and pc, 128 MiB to 8 GiB, one and two CPUs
        apic_case("q35", "128M", 2, (90, 128)),
        apic_case("pc", "128M", 2, (90, 128)),
        apic_case("pc", "1G", 1, (900, 1024), hpet=False),
        # 8 GiB: the full self-test takes about 40 s unloaded (the unbounded fork bomb
        # and memory hog scale with RAM); a loaded host must not turn that into a fail.
        dict(apic_case("q35", "8G", 1, (7900, 8192)), timeout=180),
        # A laptop's shape (issue 12): no PIT, no HPET, no PS/2 controller, four
        # CPUs, booted from a USB stick on xHCI behind a PCIe root port. Time comes
        # from the ACPI PM timer; the PIT's interrupt test says why it is skipped;
        # every other one passes; PCI is enumerated through ECAM across the bridge;
        # the xHCI driver takes the controller (MSI-X) and logs the boot stick,
        # which it leaves alone.
        dict(name="laptop-usb-nolegacy", machine="q35,i8042=off,pit=off,hpet=off", mem="1G",
             cmdline="selftest debugexit", extra=["-smp", "4"], usb_disk=True,
             expect=banner() + apic_time(4)[:1] + [apic_time(4)[1].replace(
                 r"\((HPET|ACPI PM timer|PIT|CPUID 0x15|CPUID 0x16)\)", r"\(ACPI PM timer\)"),
                 r"ps2: no controller", r"xhci: 01:00\.0 found \(HCI version 1\.00, \d+ ports",
                 r"usb 1-\d+: 46f4:0001 class 08 no driver$", r"xhci: interrupts on vector \d+ \(MSI-X\)",
                 r"pci: \d+ functions on 2 buses through ECAM \(MCFG\)",
                 r"pci 0000:00:00\.0 8086:29c0 class 0600 driver none",
                 r"pci 0000:00:\w\w\.0 1b36:000c class 0604 driver none",
                 r"pci 0000:01:00\.0 1b36:000d class 0c03 driver xhci",
                 r"selftest: pci-msi ok", r"selftest: pci-enumerated ok",
                 r"selftest: irq-route-isa-pit skipped \(no PIT\)"] + SELFTEST_OK,
             skips=("irq-route-isa-pit",), checks=[usable_mib_between(900, 1024)],
             reject=NEVER, exit=DEBUGEXIT_OK),
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


# Secure Boot (issue 15): the loader signed with the snakeoil key, on the
# snakeoil firmware (sb=True) or the ordinary one. Five boots, three of them
# short refusals; each skips with a reason without sbsign or the firmware.
SB_WORDS = "selftest debugexit"
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
                               r'cmdline: "selftest debugexit"$', r"init: /sbin/init$"] + SELFTEST_OK,
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
        dict(name="sb-off-swapped", sb=False, sign=True, cmdline="selftest=minimal,hello debugexit",
             image=lambda img: (swap_file(img, os.path.join(build, "kernel.elf"), "kestrel/kernel.elf"),
                                swap_file(img, os.path.join(build, "rootfs.cpio"), "kestrel/rootfs.cpio")),
             expect=[r"kestrel-loader: verify: kernel\.elf: hash mismatch, booting it anyway "
                     r"\(Secure Boot is off\)",
                     r"kestrel-loader: verify: rootfs\.cpio: hash mismatch, booting it anyway",
                     r"Kestrel \d", r"secure boot: off; kernel NOT verified, rootfs NOT verified",
                     r"selftest: 2 passed, 0 failed"],
             reject=NEVER + [r"KERNEL PANIC"], exit=DEBUGEXIT_OK),
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


def debian_image_args(case, build, outdir):
    """mkimg.sh's arguments for a case with Debian packages: (args, None),
    or (None, why) when the packages cannot be had (no network, no apt)."""
    run_ = subprocess.run([sys.executable, os.path.join(TOP, "tools", "debs.py"),
                           "--cache", os.path.join(build, "debs"),
                           "--out", os.path.join(build, "debs-root")] + case["debs"],
                          capture_output=True, text=True)
    if run_.returncode == 3:
        return None, (run_.stderr.strip().splitlines() or ["packages unavailable"])[-1]
    if run_.returncode != 0:
        raise RuntimeError(f"tools/debs.py failed: {run_.stderr.strip()[-500:]}")
    overlay = os.path.join(outdir, case["name"] + ".overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    os.makedirs(os.path.join(overlay, "etc"))
    shutil.copy(DEBIAN_SMOKE, os.path.join(overlay, "etc", "debian-smoke.sh"))
    return ["--deb", " ".join(case["debs"]), "--overlay", overlay], None


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
    cmd = ["qemu-system-x86_64", "-machine", machine,
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
    if case.get("script"):
        # The serial port on a socket the harness types into; QEMU still
        # writes everything the guest sends to the same log file.
        logfile = "" if pauses_reading(case) else f",logfile={img[:-4]}.log"
        cmd += ["-chardev", f"socket,id=com1,path={case['_serial_sock']},server=on,wait=off"
                + logfile,
                "-serial", "chardev:com1",
                "-monitor", f"unix:{case['_monitor_sock']},server=on,wait=off"]
    else:
        cmd += ["-serial", "file:" + img[:-4] + ".log"]
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
        checks = checks + [lambda log: selftests_ran(log, case.get("skips", ()))]
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
        # Drain the guest's serial output (the log file has it): a full
        # socket would stall the UART (on purpose only for a pause step).
        self.pauses = [arg for kind, arg in self.steps if kind == "pause"]
        self.pauses_done = 0  # written by the drain thread only
        self.copy = open(case["_img"][:-4] + ".log", "wb") if self.pauses else None
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


def boot(case, build, outdir, timeout):
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
    missing = sb_missing(case)
    if missing:
        return name, "SKIP " + missing, 0.0
    mkimg_args = ["--sign-key", SNAKEOIL_KEY, "--sign-cert", SNAKEOIL_CERT,
                  "--sign-pass", SNAKEOIL_PASS] if case.get("sign") else []
    if case.get("debs"):
        debs, missing = debian_image_args(case, case_build, outdir)
        if missing:
            return name, "SKIP " + missing, 0.0
        mkimg_args += debs
    run([os.path.join(TOP, "tools/mkimg.sh"), "--build", case_build, "-o", img,
         "--rootfs", os.path.join(build, "rootfs.cpio"), "--cmdline", case.get("cmdline", "")]
        + mkimg_args)
    if "image" in case:
        case["image"](img)
    shutil.copyfile(OVMF_SB_VARS if case.get("sb") else OVMF_VARS, vars_fd)
    case["_img"] = img
    sockdir = None
    if case.get("script"):
        # Unix socket paths are limited to ~100 bytes: keep them short.
        sockdir = tempfile.mkdtemp(prefix="kestrel-boot-")
        case["_serial_sock"] = os.path.join(sockdir, "com1")
        case["_monitor_sock"] = os.path.join(sockdir, "monitor")
    t0 = time.monotonic()
    proc = subprocess.Popen(qemu_cmd(case, img, vars_fd), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    status, script, script_err = None, None, None
    try:
        if sockdir:
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
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if script:
        script.close()
    if sockdir:
        shutil.rmtree(sockdir, ignore_errors=True)
    secs = time.monotonic() - t0
    log = read_log(log_path) if os.path.exists(log_path) else ""
    if script_err:
        why = script_err
    elif status == "timeout":
        why = verdict(case, log, None) or f"timed out after {timeout} s"
        why = f"timed out after {timeout} s: " + why
    else:
        why = verdict(case, log, status)
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
    table = cases(build) + INTERACTIVE_CASES + sb_cases(build) + DEBIAN_CASES
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
                    tail = read_log(log).splitlines()[-15:]
                    print("\n".join("    | " + l for l in tail))
            else:
                passed += 1
                print(f"PASS boot/{name} ({secs:.1f} s)")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
