#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kestrel on a wire with a real Linux peer: the network boot tests' harness.

Two topologies, both confined to this host (the machine's rule: QEMU user
networking only with restrict=on and forwards bound to 127.0.0.1, else
guests joined by a Unix socket; nothing reaches outside):

  (b) a wire (Wire): two QEMU guests, each with one NIC on `-netdev dgram`
      over Unix datagram sockets in a fresh directory under /tmp. Each side
      binds its own path and sends to the other's, so the guests may start
      in any order (a frame sent before the other side is up is lost, as
      on a cable). The host carries no IP traffic. One guest is Kestrel
      (the caller's QEMU argv plus kestrel_netdev_args()), the other
      Debian's Linux 6.1 (LinuxPeer).
  (a) slirp with restrict=on only: user_netdev() builds the -netdev
      argument and refuses one without restrict=on, a hostfwd not bound to
      127.0.0.1, or a guestfwd leading anywhere but a 127.0.0.1 port or a
      host command. Every argv this module starts goes through
      check_argv() first, which refuses tap, bridge, other hosts, and an
      argv that would leave QEMU's default NIC (slirp without restrict).

The peer. linux-image-amd64 is fetched and cached by tools/bench.py's
linux_kernel() (BUILD/bench/debs: apt-get download once, offline after).
Three ways to boot it (firmware=): "pvh", the default, QEMU loads the
ELF vmlinux found inside the bzImage (XZ, unpacked once into
BUILD/bench/linux-net) through its PVH entry, under SeaBIOS: no
decompression under TCG, about 4 s to eth0 on an idle host; "bios",
SeaBIOS's Linux loader with the bzImage, about 7 s; "ovmf", the EFI stub
through OVMF as bench.py boots it, about 12 s. q35, -cpu qemu64, 256 MiB,
TCG, the serial port only; command line "console=ttyS0 quiet panic=-1
tsc=unstable ipv6.disable=1" (tsc=unstable: Linux calibrates the TSC
against the HPET, which on a loaded host can be off by ten times, and
every guest time with it; the HPET itself follows the host's clock.
ipv6.disable: no IPv6 chatter on the wire unless ipv6=True). The
initramfs: busybox-static (applets linked by /init), the NIC's modules
from the .deb with what their .modinfo depends= names (bench.py's
linux_modules(): virtio_pci and virtio_net with net_failover, failover
and the virtio core; e1000; e1000e; af_packet, which udhcpc and udhcpd
use, is built in), /lib/netpeer.sh, a udhcpc event script, the caller's
files, and the caller's shell script as /peer.sh. /init loads the
modules, waits for eth0, sources the helpers, runs the script, prints
its exit status and powers off; a server script ends in netpeer_serve
and stays up until the harness stops it.

What the peer prints on its serial console (its log file has the whole
console, kernel messages too), parsed by LinuxPeer:

    netpeer: boot kernel-to-init N ms     Linux's printk time of "Run /init"
    netpeer: nic eth0 MAC DRIVER          eth0 is there (LinuxPeer.wait_up)
    netpeer: ready NAME                   netpeer_ready NAME (wait_ready)
    netpeer: value NAME VALUE             netpeer_value NAME VALUE (wait_value)
    netpeer: begin NAME                   netpeer_check starts CMD
    netpeer: check NAME ok|fail N ms ...  ...and CMD ended (wait_check: a Check)
    netpeer: script exit N                /peer.sh ended with status N

The helpers a script has (shell functions of /lib/netpeer.sh):

    netpeer_up [ADDR/PREFIX] [DEV]   link up (and the address), wait for carrier (10 s)
    netpeer_dhcp [DEV]               udhcpc: lease applied (address, default route),
                                     "netpeer: value lease IP"; status 1 without one
    netpeer_check NAME CMD...        run CMD, print begin and check lines, CMD's status
    netpeer_retry SECONDS CMD...     run CMD every 0.2 s, quietly, until it succeeds
    netpeer_ready NAME               print the ready line
    netpeer_value NAME VALUE         print a value line
    netpeer_serve                    park for ever (servers run in the background)
    netpeer_ms                       ms since Linux started (/proc/uptime)

The canned scripts: script_server() (10.0.2.2, udhcpd leasing 10.0.2.15,
busybox httpd with a 1 MiB random /blob, its sha256 as value
blob-sha256), script_client() (lease or static address, ping, wget),
script_slirp_client().

A boot test (the Kestrel side) uses it like this:

    import netpeer
    with netpeer.Wire() as wire, \\
         netpeer.LinuxPeer(build, netpeer.script_server(), nic="e1000", wire=wire,
                           side=1, logdir=outdir, name="case.peer") as peer:
        argv = kestrel_argv + netpeer.kestrel_netdev_args(wire, nic="e1000")
        with netpeer.Guest("kestrel", argv, log_path) as kestrel:   # -serial stdio
            kestrel.wait_for(r"dhcp: bound 10\\.0\\.2\\.15", timeout=120)
        peer.wait_ready("server")                 # PeerError (log tail in it) if not
        c = peer.wait_check("ping", timeout=60)   # Check: ok, ms, host_ms, detail

kestrel_netdev_args() is side 0 of the wire with KESTREL_MAC
(52:54:00:12:34:56, QEMU's default) and the NIC with romfile= (no option
ROM: OVMF loads no iPXE driver); LinuxPeer's default is side 1 with
PEER_MAC. Guest runs any QEMU argv whose serial port is stdio, logs each
line as it comes and lets the caller wait for one. boottest.py's cases
hook in through CasePeer (a case's "peer" key; its docstring shows the
five lines boottest.boot() needs). For topology (a):

    argv += netpeer.user_netdev("net0", hostfwd=[("tcp", netpeer.free_port(), 80)],
                                guestfwd=[("10.0.2.100", 80, ("127.0.0.1", 8080))])
    argv += netpeer.nic_args("e1000", "net0", netpeer.KESTREL_MAC)

The command line:

    netpeer.py selfcheck [--build DIR] [--nic NIC,...] [--firmware pvh|bios|ovmf]
                         [--only pair|user|hook] [--timeout S]
    netpeer.py boot [--build DIR] [--nic NIC] [--firmware F] SCRIPT-FILE
                    (one peer alone on a wire, its console on stdout)

selfcheck runs Linux against Linux, never Kestrel. guard: check_argv()
and user_netdev() on a table of safe and unsafe configurations. Then for
each NIC model (virtio-net-pci and e1000 by default; e1000e on request),
on both sides: pair, two peers on one wire, the server and a client that
takes a lease (check dhcp), pings the server three times (ping), fetches
the 1 MiB file with wget (http) and prints its sha256, which the harness
compares with the server's; user, one peer alone on slirp: a lease from
udhcpc, ping 10.0.2.2, the host fetching the guest's page through
hostfwd on 127.0.0.1, the guest fetching a host page (a server on
127.0.0.1) through guestfwd; hook, CasePeer as boottest uses it, with a
Linux guest standing in for Kestrel on Kestrel's side of the wire. One
line per check with its figures (boot: host seconds from QEMU's start to
eth0; each check by the guest's clock and the host's), logs under
BUILD/test/netpeer/, a closing `N passed, N failed` line; exit status 1
when a check failed, 3 when Linux cannot be had (no package, no network).
"""
import argparse
import atexit
import gzip
import http.server
import ipaddress
import lzma
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
import bench  # noqa: E402  (linux_kernel, linux_modules, cpio_newc)

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
OVMF_CODE = bench.OVMF_CODE
OVMF_VARS = bench.OVMF_VARS
KESTREL_MAC = "52:54:00:12:34:56"
PEER_MAC = "52:54:00:12:34:57"
PEER2_MAC = "52:54:00:12:34:58"
# The NIC models and the modules Linux needs for each (with their depends=).
USB_NET = "usb-net"  # QEMU's CDC-ECM adapter: Kestrel's dev/usb_net.c (nic_args)
NIC_MODULES = {
    "virtio-net-pci": ["virtio_pci", "virtio_net"],
    "e1000": ["e1000"],
    "e1000e": ["e1000e"],
}
# The parts of the linux-image .deb unpacked for them (linux_cache()):
# modules.builtin anchors the tree for bench.linux_modules().
MODULE_MEMBERS = ["./lib/modules/*/modules.builtin", "./lib/modules/*/kernel/drivers/virtio/*",
                  "./lib/modules/*/kernel/drivers/net/virtio_net.ko",
                  "./lib/modules/*/kernel/drivers/net/net_failover.ko",
                  "./lib/modules/*/kernel/net/core/failover.ko",
                  "./lib/modules/*/kernel/drivers/net/ethernet/intel/*"]
PEER_CMDLINE = "console=ttyS0 quiet panic=-1 tsc=unstable"
PEER_MEM = "256M"
BOOT_TIMEOUT = 120      # seconds from QEMU's start to `netpeer: nic` (TCG, a loaded host)
PEER_LIFETIME = 900     # seconds after which a peer powers itself off, whatever it does
UNIX_PATH_MAX = 100     # sun_path is 108 bytes: keep the wire's paths well short of it
LOOPBACK = "127.0.0.1"
EXIT_UNAVAILABLE = 3    # debs.py's code: Linux cannot be had here, skip rather than fail
FIRMWARES = ("pvh", "bios", "ovmf")
XZ_MAGIC = b"\xfd7zXZ\x00"
PT_NOTE = 4
XEN_ELFNOTE_PHYS32_ENTRY = 18

CHECK = re.compile(r"netpeer: check (\S+) (ok|fail) (\d+) ms ?(.*)$")
TROUBLE = re.compile(r"Kernel panic.*|netpeer: insmod \S+ failed|netpeer: no eth0.*")


class PeerError(RuntimeError):
    """A peer did not do what was asked: the message says what and where its log is."""


class UnsafeNetwork(ValueError):
    """A QEMU network configuration that could reach beyond this host."""


# ---------------------------------------------------------------- topology (a): user networking

def user_netdev(netdev_id="net0", hostfwd=(), guestfwd=(), restrict=True, **opts):
    """The -netdev argument pair of a slirp backend that cannot leave the host.

    hostfwd: (proto, host_port, guest_port) triples, each bound to
    127.0.0.1 ("hostfwd=tcp:127.0.0.1:PORT-:GUEST_PORT"). guestfwd:
    (guest_addr, guest_port, target) with target a ("127.0.0.1", port)
    pair or a string "cmd:COMMAND" (QEMU runs it per connection, its stdio
    the connection). opts: further key=value options (net=, dhcpstart=...).
    Raises UnsafeNetwork when restrict is not True or an option would
    undo it; the result always passes check_argv().
    """
    if restrict is not True or "restrict" in opts:
        raise UnsafeNetwork("user networking only with restrict=on")
    parts = [f"user,id={netdev_id},restrict=on"]
    parts += [f"{k}={v}" for k, v in opts.items()]
    for proto, host_port, guest_port in hostfwd:
        parts.append(f"hostfwd={proto}:{LOOPBACK}:{int(host_port)}-:{int(guest_port)}")
    for addr, port, target in guestfwd:
        if isinstance(target, tuple):
            target = f"tcp:{target[0]}:{int(target[1])}"
        parts.append(f"guestfwd=tcp:{addr}:{int(port)}-{target}")
    args = ["-netdev", ",".join(parts)]
    check_argv(args)
    return args


def _opts(spec):
    """A QEMU option string's keys and values: ('user', {'id': 'n0', ...}).
    Values may hold commas doubled (QEMU's escape); guestfwd's cmd: keeps the rest."""
    fields, cur, i = [], "", 0
    while i < len(spec):
        if spec[i] == "," and spec[i + 1:i + 2] == ",":
            cur, i = cur + ",", i + 2
        elif spec[i] == ",":
            fields.append(cur)
            cur, i = "", i + 1
        else:
            cur, i = cur + spec[i], i + 1
    fields.append(cur)
    kind = fields[0] if "=" not in fields[0] else fields[0].split("=", 1)[1]
    opts = [tuple(f.split("=", 1)) if "=" in f else (f, "") for f in fields[1:]]
    return kind, opts


def _check_user(opts):
    """Why a user backend's options are unsafe, or None."""
    values = {}
    for k, v in opts:
        values.setdefault(k, []).append(v)
    if values.get("restrict") not in (["on"], ["yes"], ["true"]):
        return "user networking without restrict=on"
    for rule in values.get("hostfwd", []):
        m = re.fullmatch(r"(tcp|udp)?:([^:]*):(\d+)-[^:]*:(\d+)", rule)
        if not m or m.group(2) != LOOPBACK:
            return f"hostfwd not bound to {LOOPBACK}: {rule}"
    for rule in values.get("guestfwd", []):
        m = re.fullmatch(r"(tcp)?:[\d.]+:\d+-(.*)", rule)
        if not m:
            return f"guestfwd rule not understood: {rule}"
        target = m.group(2)
        if not (target.startswith("cmd:") or
                re.fullmatch(r"tcp:127\.0\.0\.1:\d+", target)):
            return f"guestfwd to anything but a command or a {LOOPBACK} port: {rule}"
    for key in ("smb", "tftp"):
        if key in values:
            return f"user networking with {key}= (shares a host directory)"
    return None


def _check_socket(kind, opts):
    """Why a dgram/stream/socket backend is unsafe, or None: only Unix paths, fds
    and loopback addresses."""
    for k, v in opts:
        if k.endswith("type") and v not in ("unix", "fd", "inet"):
            return f"{kind} netdev of type {v}"
        if k.endswith("host") or k in ("listen", "connect", "mcast", "udp", "localaddr"):
            host = v.rsplit(":", 1)[0] if k in ("listen", "connect", "mcast", "udp",
                                               "localaddr") else v
            if host not in (LOOPBACK, "localhost"):
                return f"{kind} netdev with {k}={v}: only {LOOPBACK}"
    return None


def check_argv(argv):
    """Raise UnsafeNetwork if a QEMU argv could put traffic beyond this host.

    Allowed: -netdev/-nic user with restrict=on (hostfwd on 127.0.0.1,
    guestfwd to 127.0.0.1 or a command), dgram/stream/socket on Unix paths,
    fds or 127.0.0.1, hubport, and `none`. Refused: tap, bridge, vde,
    l2tpv3, vhost-*, the legacy -net, and an argv that leaves QEMU's
    default NIC (slirp without restrict) in place: it needs -nodefaults or
    a -nic/-netdev of its own.
    """
    has_net = "-nodefaults" in argv
    for i, a in enumerate(argv):
        if a not in ("-netdev", "-nic", "-net"):
            continue
        if i + 1 >= len(argv):
            raise UnsafeNetwork(f"{a} without a value")
        kind, opts = _opts(argv[i + 1])
        has_net = True
        if a == "-net" and kind != "none":
            raise UnsafeNetwork("the legacy -net option (use -netdev)")
        if kind == "user":
            why = _check_user(opts)
        elif kind in ("dgram", "stream", "socket"):
            why = _check_socket(kind, opts)
        elif kind in ("hubport", "none"):
            why = None
        else:
            why = f"netdev type {kind} (reaches the host's network)"
        if why:
            raise UnsafeNetwork(why)
    if not has_net:
        raise UnsafeNetwork("no -nodefaults and no NIC of its own: QEMU would add "
                            "user networking without restrict=on")


def free_port():
    """A TCP port on 127.0.0.1 free at the time of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- topology (b): the wire

class Wire:
    """Two Unix datagram sockets in a fresh directory: a point-to-point Ethernet.

    side 0 binds DIR/0 and sends to DIR/1, side 1 the reverse. The
    directory (and the sockets QEMU made) goes with close(). Use as a
    context manager.
    """

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="netpeer-", dir="/tmp")
        if len(self.path(0)) > UNIX_PATH_MAX:
            raise RuntimeError(f"socket path too long: {self.path(0)}")

    def path(self, side):
        return os.path.join(self.dir, str(side))

    def netdev_args(self, side, netdev_id="net0"):
        """-netdev dgram for one side of the wire."""
        if side not in (0, 1):
            raise ValueError("a wire has sides 0 and 1")
        return ["-netdev", f"dgram,id={netdev_id},local.type=unix,local.path={self.path(side)},"
                           f"remote.type=unix,remote.path={self.path(1 - side)}"]

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def nic_args(nic, netdev_id="net0", mac=KESTREL_MAC, romfile=""):
    """-device for a NIC model on a netdev. romfile="" leaves out the option ROM
    (no iPXE driver loaded by the firmware, a faster boot); None keeps QEMU's.
    usb-net (CDC-ECM) comes on a qemu-xhci controller of its own; only
    Kestrel is booted on it (the Linux peer has no USB modules: NIC_MODULES)."""
    if nic == USB_NET:
        hc = f"xhci-{netdev_id}"
        return ["-device", f"qemu-xhci,id={hc}",
                "-device", f"usb-net,netdev={netdev_id},mac={mac},bus={hc}.0"]
    if nic not in NIC_MODULES:
        raise ValueError(f"NIC model {nic}: one of {', '.join(NIC_MODULES)}, {USB_NET}")
    rom = "" if romfile is None else f",romfile={romfile}"
    return ["-device", f"{nic},netdev={netdev_id},mac={mac}{rom}"]


def kestrel_netdev_args(wire, nic="virtio-net-pci", mac=KESTREL_MAC, side=0, netdev_id="net0"):
    """What Kestrel's QEMU argv needs to be on the wire: its side's -netdev and the NIC."""
    return wire.netdev_args(side, netdev_id) + nic_args(nic, netdev_id, mac)


# ---------------------------------------------------------------- a guest and its serial port

class Check:
    """One `netpeer: check` line: name, ok (bool), ms (the guest's clock),
    host_ms (the host's clock, from the `netpeer: begin` line's arrival to
    this one's: serial latency included, guest clock errors not), detail."""

    def __init__(self, name, ok, ms, detail, host_ms=None):
        self.name, self.ok, self.ms, self.detail = name, ok, ms, detail
        self.host_ms = host_ms

    def __repr__(self):
        return (f"Check({self.name} {'ok' if self.ok else 'fail'} {self.ms} ms, "
                f"host {self.host_ms} ms {self.detail})")


KLOG_MID_LINE = re.compile(r"(?<=.)\[ *\d+\.\d{3}\] ")   # log.c's "[%4lu.%03lu] " after other text


def split_klog(pending, line):
    """Undo a kernel message printed into the middle of a program's line.

    The console is shared: "<digest>[   3.749] ipv6: ...ready" then "  -" is
    sha256sum's one line cut by the kernel's. Given what an earlier cut left
    over (pending) and the next line read, returns (new pending, lines to
    keep): the kernel message as a line of its own, the program's text
    joined back when its line ends."""
    m = KLOG_MID_LINE.search(line)
    if m:
        return pending + line[:m.start()], [line[m.start():]]
    if pending and re.match(r"\[ *\d+\.\d{3}\] ", line):
        return pending, [line]       # another kernel message: still cut
    return "", [pending + line]


class Guest:
    """One QEMU process whose serial port is its stdout (`-serial stdio`).

    A reader thread takes each line with the host time it arrived (seconds
    since start()), appends it to .lines and writes it to the log file
    (flushed per line, so a test reads it while the guest runs). QEMU's
    stderr goes to LOG.qemu-stderr. stop() kills QEMU if still running.
    The argv goes through check_argv() before QEMU starts.
    """

    live = set()    # started and not stopped: killed at exit (atexit) if still there

    def __init__(self, name, argv, logpath):
        check_argv(argv)
        self.name, self.argv, self.logpath = name, list(argv), logpath
        self.lines, self.ended, self.status = [], False, None
        self.proc, self.t0 = None, None
        self._cv = threading.Condition()

    def start(self):
        os.makedirs(os.path.dirname(os.path.abspath(self.logpath)), exist_ok=True)
        self._log = open(self.logpath, "w")
        self._err = open(self.logpath + ".qemu-stderr", "w")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._err)
        Guest.live.add(self)
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self):
        pending = ""     # a program's unfinished line a kernel message cut (split_klog)
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").replace("\r", "").rstrip("\n")
            pending, lines = split_klog(pending, line)
            with self._cv:
                now = time.monotonic() - self.t0
                self.lines.extend((now, piece) for piece in lines)
                if not self._log.closed:     # stop() gave up waiting for us
                    self._log.write(line + "\n")
                    self._log.flush()
                self._cv.notify_all()
        status = self.proc.wait()
        with self._cv:
            self.ended, self.status = True, status
            self._cv.notify_all()

    def wait_for(self, pattern, timeout, start=0):
        """The first line from index start on matching pattern (re.search):
        (index, host seconds, match); None at the timeout or once QEMU ended
        without it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = start
        with self._cv:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, self.lines[i][0], m
                    i += 1
                left = deadline - time.monotonic()
                if self.ended or left <= 0:
                    return None
                self._cv.wait(min(left, 1.0))

    def wait_exit(self, timeout):
        """QEMU's exit status, or None if it still runs after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def text(self):
        with self._cv:
            return "\n".join(line for _, line in self.lines)

    def stop(self):
        if self.proc is None or self not in Guest.live:
            return
        Guest.live.discard(self)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        deadline = time.monotonic() + 5
        with self._cv:
            while not self.ended and time.monotonic() < deadline:
                self._cv.wait(0.2)
            self._log.close()
        self._err.close()
        err = self.logpath + ".qemu-stderr"
        if os.path.exists(err) and os.path.getsize(err) == 0:
            os.unlink(err)

    def qemu_stderr(self):
        err = self.logpath + ".qemu-stderr"
        return open(err).read().strip() if os.path.exists(err) else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@atexit.register
def _stop_all():
    """No QEMU outlives the harness (a test that raised never reached stop())."""
    for g in list(Guest.live):
        g.stop()


# ---------------------------------------------------------------- the Linux peer

# /init: everything here runs before the caller's script, quietly.
PEER_INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /var/run /www
# A peer whose harness died (killed before its atexit) powers off by itself.
(sleep $(cat /etc/netpeer-lifetime); echo "netpeer: lifetime over"; poweroff -f) &
ms=$(dmesg | awk '/Run \/init as init process/ {
	if (match($0, /[0-9]+\.[0-9]+/)) printf "%d", substr($0, RSTART, RLENGTH) * 1000; exit }')
echo "netpeer: boot kernel-to-init ${ms:-?} ms"
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko || echo "netpeer: insmod $m failed"
done
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do usleep 100000; n=$((n + 1)); done
if [ -e /sys/class/net/eth0 ]; then
	drv=$(basename "$(readlink /sys/class/net/eth0/device/driver)")
	echo "netpeer: nic eth0 $(cat /sys/class/net/eth0/address) $drv"
else
	echo "netpeer: no eth0 after 10 s"
fi
ip link set lo up
sh -c '. /lib/netpeer.sh; . /peer.sh'
echo "netpeer: script exit $?"
poweroff -f
"""

# The helpers a script can use (the module docstring lists them).
PEER_HELPERS = r"""
netpeer_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
netpeer_ready() { echo "netpeer: ready $1"; }
netpeer_value() { echo "netpeer: value $1 $2"; }
netpeer_serve() { echo "netpeer: serving"; while :; do sleep 3600; done; }
netpeer_carrier() {
	n=0
	while [ "$(cat /sys/class/net/${1:-eth0}/carrier 2>/dev/null)" != 1 ]; do
		[ $n -ge 100 ] && { echo "netpeer: no carrier on ${1:-eth0}"; return 1; }
		usleep 100000; n=$((n + 1))
	done
}
netpeer_up() {
	ip link set ${2:-eth0} up || return 1
	[ -n "$1" ] && { ip addr add "$1" dev ${2:-eth0} || return 1; }
	netpeer_carrier ${2:-eth0}
}
netpeer_check() {
	np_name=$1; shift
	echo "netpeer: begin $np_name"
	np_t0=$(netpeer_ms); "$@"; np_rc=$?; np_t1=$(netpeer_ms)
	if [ $np_rc = 0 ]; then
		echo "netpeer: check $np_name ok $((np_t1 - np_t0)) ms"
	else
		echo "netpeer: check $np_name fail $((np_t1 - np_t0)) ms (exit $np_rc)"
	fi
	return $np_rc
}
netpeer_retry() {
	np_end=$(( $(netpeer_ms) + $1 * 1000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ $(netpeer_ms) -ge $np_end ] && return 1
		usleep 200000
	done
}
netpeer_dhcp() {
	ip link set ${1:-eth0} up && netpeer_carrier ${1:-eth0} &&
	udhcpc -i ${1:-eth0} -s /lib/netpeer-udhcpc.sh -n -q -f -t 10 -T 1 -A 1 >/tmp/udhcpc.out 2>&1
	np_rc=$?
	[ $np_rc = 0 ] || sed 's/^/udhcpc: /' /tmp/udhcpc.out
	return $np_rc
}
"""

# udhcpc's event script: apply the lease (busybox gives mask as a prefix length).
PEER_UDHCPC = r"""#!/bin/sh
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; break; done
	echo "netpeer: value lease $ip" >/dev/console
	echo "netpeer: value lease-router ${router:-none}" >/dev/console ;;
esac
exit 0
"""


def linux_files(build):
    """vmlinuz, its package name and version, and the .deb: bench.linux_kernel()
    with its cache under BUILD/bench (downloaded once, offline after)."""
    return bench.linux_kernel(os.path.join(build, "bench"))


def linux_cache(build, deb):
    """Where what netpeer takes from the linux-image .deb is kept: one
    directory per .deb under BUILD/bench/linux-net (bench.py's own tree,
    BUILD/bench/linux, holds its disk modules only and is anchored by its
    modules.builtin, so it is left alone)."""
    return os.path.join(build, "bench", "linux-net", os.path.basename(deb)[:-len(".deb")])


def pvh_vmlinux(cache, vmlinuz):
    """The uncompressed vmlinux inside vmlinuz, for QEMU's PVH entry (kept in
    cache), or None when it is not there to be had.

    Debian's bzImage carries an XZ-compressed ELF vmlinux with the Xen PVH
    entry note (CONFIG_PVH); QEMU's -kernel boots such an ELF directly
    through SeaBIOS, which saves the decompression a bzImage does under TCG
    (about 3 s of a 7 s boot here).
    """
    out = os.path.join(cache, os.path.basename(vmlinuz) + ".pvh.elf")
    if os.path.exists(out):
        return out
    with open(vmlinuz, "rb") as f:
        data = f.read()
    at = data.find(XZ_MAGIC)
    if at < 0:
        return None
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
    except lzma.LZMAError:
        return None
    if not has_pvh_note(elf):
        return None
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(out + ".tmp", out)
    return out


def has_pvh_note(elf):
    """Whether a 64-bit little-endian ELF image has the Xen PVH entry note
    (name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY) in a PT_NOTE segment."""
    if len(elf) < 64 or elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        if phoff + (i + 1) * phentsize > len(elf):
            return False
        ptype, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        end = min(off + filesz, len(elf))
        while ptype == PT_NOTE and off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, off)
            name = elf[off + 12:off + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            off += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def net_modules(cache, deb, nics):
    """The modules the NIC models need, in load order: [(name, .ko path)].

    The module directories of MODULE_MEMBERS are unpacked once from the
    image package into CACHE/modules (made whole or not at all: a temporary
    directory renamed); bench.linux_modules() then walks depends= there.
    """
    dest = os.path.join(cache, "modules")
    if not os.path.isdir(dest):
        os.makedirs(cache, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".modules-", dir=cache)
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", tmp, "--wildcards"] + MODULE_MEMBERS,
                       stdin=tar.stdout, check=True)
        if tar.wait() != 0:
            raise RuntimeError(f"dpkg-deb --fsys-tarfile {deb} failed")
        os.rename(tmp, dest)
    names = [m for nic in nics for m in NIC_MODULES[nic]]
    return bench.linux_modules(deb, dest, names)


def busybox_path(build):
    """A static busybox: the host's busybox-static (every applet), else Kestrel's."""
    for p in ("/bin/busybox", os.path.join(build, "rootfs", "bin", "busybox")):
        if os.path.exists(p):
            return p
    raise RuntimeError("no busybox: install busybox-static")


def peer_initramfs(build, out, script, modules, files=None, lifetime=PEER_LIFETIME):
    """Write the peer's gzip'd cpio initramfs to out: /init, busybox, the
    helpers, the modules ((name, path) in load order), files ({path: bytes
    or str, a file of mode 0644; or (mode, bytes) with the file type in mode:
    0o100755 for a program, 0o120777 for a symlink whose target is the bytes,
    0o040755 for a directory}), script as /peer.sh, and the seconds after
    which it powers off whatever it is doing (lifetime)."""
    d, f, r = 0o040755, 0o100755, 0o100644
    entries = [(p, d, None, (0, 0)) for p in ("bin", "dev", "proc", "sys", "lib",
                                              "lib/modules", "etc", "tmp", "www")]
    entries += [("dev/console", 0o020600, None, (5, 1)),
                ("init", f, PEER_INIT.encode(), (0, 0)),
                ("lib/netpeer.sh", r, PEER_HELPERS.encode(), (0, 0)),
                ("lib/netpeer-udhcpc.sh", f, PEER_UDHCPC.encode(), (0, 0)),
                ("peer.sh", f, script.encode(), (0, 0)),
                ("etc/netpeer-lifetime", r, f"{int(lifetime)}\n".encode(), (0, 0)),
                ("lib/modules/order", r, "".join(n + "\n" for n, _ in modules).encode(), (0, 0))]
    with open(busybox_path(build), "rb") as fh:
        entries.append(("bin/busybox", f, fh.read(), (0, 0)))
    for name, path in modules:
        with open(path, "rb") as fh:
            entries.append((f"lib/modules/{name}.ko", r, fh.read(), (0, 0)))
    made = {e[0] for e in entries}
    for path, data in sorted((files or {}).items()):
        path = path.lstrip("/")
        parts = path.split("/")
        for i in range(1, len(parts)):
            sub = "/".join(parts[:i])
            if sub not in made:
                entries.append((sub, d, None, (0, 0)))
                made.add(sub)
        mode, data = data if isinstance(data, tuple) else (r, data)
        if path in made and mode & 0o170000 == d & 0o170000:
            continue            # a directory already made for an earlier path
        made.add(path)
        entries.append((path, mode, data.encode() if isinstance(data, str) else data, (0, 0)))
    with open(out, "wb") as fh:
        fh.write(gzip.compress(bench.cpio_newc(entries), compresslevel=6, mtime=0))
    return out


def peer_argv(kernel, initrd, cmdline, ovmf_vars=None, mem=PEER_MEM):
    """The peer's QEMU argv without its network: q35 under TCG, the serial
    port on stdio, SeaBIOS or (given a copy of OVMF's variable store) OVMF."""
    argv = [QEMU, "-machine", "q35", "-m", mem, "-cpu", "qemu64", "-nodefaults",
            "-display", "none", "-no-reboot", "-serial", "stdio"]
    if ovmf_vars:
        argv += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                 "-drive", f"if=pflash,format=raw,file={ovmf_vars}"]
    return argv + ["-kernel", kernel, "-initrd", initrd, "-append", cmdline]


class LinuxPeer(Guest):
    """Debian's Linux 6.1 on one NIC, running a caller's shell script.

    build: the build directory (BUILD/bench caches the .debs); script: the
    shell text run as /peer.sh after /init (see the module docstring);
    wire and side: the wire end to sit on, or netdev: a -netdev argument
    pair (user_netdev(...)) with netdev_id "net0"; nic: the model; mac;
    files: extra initramfs files {path: bytes|str|(mode, bytes)}
    (peer_initramfs()); firmware: "pvh" (the
    ELF vmlinux by QEMU's PVH entry), "bios" (the bzImage by SeaBIOS) or
    "ovmf" (the EFI stub through OVMF); ipv6: leave IPv6 on;
    logdir/name: the log is LOGDIR/NAME.log (a temporary directory when
    no logdir); append: more kernel command-line words; lifetime: the
    seconds after which the peer powers itself off (so that no peer runs on
    if the harness was killed).
    Raises RuntimeError when Linux cannot be prepared (no network for the
    first download: callers may skip then).
    """

    def __init__(self, build, script, nic="virtio-net-pci", wire=None, side=1, netdev=None,
                 mac=PEER_MAC, files=None, firmware="pvh", ipv6=False, logdir=None,
                 name="peer", mem=PEER_MEM, append="", lifetime=PEER_LIFETIME):
        if (wire is None) == (netdev is None):
            raise ValueError("a peer needs a wire (and side) or a netdev, one of them")
        self._tmp = None
        if logdir is None:
            self._tmp = logdir = tempfile.mkdtemp(prefix="netpeer-log-")
        os.makedirs(logdir, exist_ok=True)
        if firmware not in FIRMWARES:
            raise ValueError(f"firmware: one of {', '.join(FIRMWARES)}")
        self.nic, self.firmware, self.boot_seconds = nic, firmware, None
        vmlinuz, self.version, deb = linux_files(build)
        cache = linux_cache(build, deb)
        if firmware == "pvh":
            # SeaBIOS loads the ELF itself; the bzImage (as "bios") when there is none
            vmlinuz = pvh_vmlinux(cache, vmlinuz) or vmlinuz
        self.initrd = peer_initramfs(build, os.path.join(logdir, name + ".initrd"), script,
                                     net_modules(cache, deb, [nic]), files, lifetime)
        self._vars = os.path.join(logdir, name + ".vars.fd") if firmware == "ovmf" else None
        if self._vars:
            shutil.copyfile(OVMF_VARS, self._vars)
        cmdline = " ".join(w for w in (PEER_CMDLINE, "" if ipv6 else "ipv6.disable=1", append) if w)
        netdev = netdev if netdev is not None else wire.netdev_args(side, "net0")
        argv = peer_argv(vmlinuz, self.initrd, cmdline, self._vars, mem) + \
            netdev + nic_args(nic, "net0", mac)
        super().__init__(name, argv, os.path.join(logdir, name + ".log"))

    def wait_up(self, timeout=BOOT_TIMEOUT):
        """Wait for eth0 (`netpeer: nic`): the host seconds from QEMU's start
        (also in .boot_seconds). PeerError if it does not come."""
        got = self.wait_for(r"netpeer: (nic eth0|no eth0)|Kernel panic", timeout)
        if not got or not got[2].group(0).startswith("netpeer: nic"):
            raise PeerError(self.failure("eth0 did not come up"))
        self.boot_seconds = got[1]
        return got[1]

    def kernel_ms(self):
        """Linux's own time from its start to /init (printk clock), or None."""
        got = self.wait_for(r"netpeer: boot kernel-to-init (\d+) ms", 0)
        return int(got[2].group(1)) if got else None

    def wait_line(self, what, pattern, timeout):
        got = self.wait_for(pattern, timeout)
        if not got:
            raise PeerError(self.failure(f"no {what}"))
        return got

    def wait_ready(self, name, timeout=BOOT_TIMEOUT):
        """Wait for `netpeer: ready NAME`; host seconds since start."""
        return self.wait_line(f"'ready {name}'", rf"netpeer: ready {re.escape(name)}$", timeout)[1]

    def wait_check(self, name, timeout=BOOT_TIMEOUT):
        """The Check of `netpeer: check NAME ...`. PeerError if none came."""
        got = self.wait_line(f"'check {name}'", rf"netpeer: check {re.escape(name)} (ok|fail)",
                             timeout)
        return self._check(got[0])

    def _check(self, i):
        """The Check of the check line at index i, timed from its begin line."""
        t, line = self.lines[i]
        m = CHECK.search(line)
        begin = [bt for bt, bl in self.lines[:i] if bl.endswith(f"netpeer: begin {m.group(1)}")]
        host_ms = round((t - begin[-1]) * 1000) if begin else None
        return Check(m.group(1), m.group(2) == "ok", int(m.group(3)), m.group(4), host_ms)

    def wait_value(self, name, timeout=BOOT_TIMEOUT):
        """The VALUE of `netpeer: value NAME VALUE`. PeerError if none came."""
        return self.wait_line(f"'value {name}'", rf"netpeer: value {re.escape(name)} (.*)$",
                              timeout)[2].group(1).strip()

    def checks(self):
        """Every check line so far: [Check]."""
        return [self._check(i) for i, (_, line) in enumerate(list(self.lines))
                if CHECK.search(line)]

    def failure(self, what):
        """A message for what went wrong: the reason, the log, its trouble lines and tail."""
        text = self.text().splitlines()
        trouble = [l for l in text if TROUBLE.search(l)]
        msg = f"{self.name}: {what}; log {self.logpath}"
        if self.ended:
            msg += f"; QEMU exited with {self.status}"
        err = self.qemu_stderr()
        if err:
            msg += f"; qemu: {err[:300]}"
        tail = trouble[:5] + text[-8:]
        return msg + "".join("\n    | " + l for l in tail)

    def stop(self):
        super().stop()
        for path in (self._vars, self.initrd):
            if path and os.path.exists(path):
                os.unlink(path)
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)


class CasePeer:
    """A boot case's Linux peer on a wire with Kestrel: the hook for boottest.py.

    case["peer"] is a dict: script (the peer's /peer.sh, required), nic (the
    model on both sides, default virtio-net-pci), kestrel_nic (Kestrel's, when
    it differs), checks (names of netpeer_check lines that must say ok),
    values ({name: regex} that the `netpeer: value` lines must fullmatch),
    firmware, files, ipv6 (LinuxPeer's), wait (seconds to wait for those
    lines once Kestrel's QEMU has ended: 30). boottest.boot() has the hook:

        peer = netpeer.CasePeer.start_for(case, case_build, outdir)  # None: no "peer"
        (SKIP when Linux cannot be had; then the image is made as ever)
        cmd = qemu_cmd(case, img, vars_fd) + (peer.kestrel_args if peer else [])
        ... QEMU runs and ends as ever, the verdict on Kestrel's log ...
        if peer:
            why = why or peer.verdict()
            peer.close()

    So a case is, for instance (Kestrel takes a lease from the peer's udhcpd
    and fetches its /blob; the peer's server script checks nothing itself):

        dict(name="net-e1000-dhcp", machine="q35", mem="256M", cmdline="...",
             peer=dict(nic="e1000", script=netpeer.script_server()),
             expect=[r"eth0: lease 10\\.0\\.2\\.15", ...], exit=DEBUGEXIT_OK)

    or, the peer pinging Kestrel: peer=dict(nic="virtio-net-pci",
    script=netpeer.script_client("10.0.2.15", "10.0.2.2/24", dhcp=False,
    http=False), checks=["ping"]).

    The peer boots while the image is made (about 4 s on an idle host,
    OVMF takes longer to start Kestrel); its log is OUTDIR/NAME.peer.log.
    A check that needs Kestrel alive (the peer pings Kestrel) must be over
    before Kestrel's QEMU ends: the case makes Kestrel wait for it (exit=None
    with an expected line that comes late enough, or a pause in Kestrel's
    program).
    """

    def __init__(self, case, build, outdir):
        spec = case["peer"]
        nic = spec.get("nic", "virtio-net-pci")
        self.spec, self.wire = spec, Wire()
        try:
            self.peer = LinuxPeer(build, spec["script"], nic=nic, wire=self.wire, side=1,
                                  files=spec.get("files"), firmware=spec.get("firmware", "pvh"),
                                  ipv6=spec.get("ipv6", False), logdir=outdir,
                                  name=case["name"] + ".peer")
        except BaseException:
            self.wire.close()
            raise
        self.kestrel_args = kestrel_netdev_args(self.wire, spec.get("kestrel_nic", nic))

    @classmethod
    def start_for(cls, case, build, outdir):
        """The case's started peer, or None when the case has no "peer" key."""
        if "peer" not in case:
            return None
        cp = cls(case, build, outdir)
        cp.peer.start()
        return cp

    def verdict(self):
        """None when every named check said ok and every value matched; else why."""
        wait = self.spec.get("wait", 30)
        try:
            self.peer.wait_up(wait)
            for name in self.spec.get("checks", []):
                c = self.peer.wait_check(name, wait)
                if not c.ok:
                    return self.peer.failure(f"peer check {name} failed {c.detail}".strip())
            for name, rx in self.spec.get("values", {}).items():
                v = self.peer.wait_value(name, wait)
                if not re.fullmatch(rx, v):
                    return self.peer.failure(f"peer value {name} is {v!r}, not /{rx}/")
        except PeerError as e:
            return str(e)
        return None

    def close(self):
        self.peer.stop()
        self.wire.close()


# ---------------------------------------------------------------- canned scripts

def script_server(addr="10.0.2.2/24", lease_start="10.0.2.15", lease_end="10.0.2.15",
                  blob_kib=1024, httpd=True, dhcpd=True):
    """A server peer: ADDR on eth0; udhcpd leasing lease_start..lease_end (router:
    ADDR); busybox httpd on port 80 serving /www (with /www/blob, blob_kib KiB of
    random bytes, its sha256 printed as value blob-sha256); then ready and serve.
    The pool is one address by default: busybox udhcpd starts its search for a
    free address at a hash of the client's MAC, so a wider pool gives a client
    an address that depends on its MAC."""
    ip = addr.split("/")[0]
    pool = int(ipaddress.IPv4Address(lease_end)) - int(ipaddress.IPv4Address(lease_start)) + 1
    s = [f"netpeer_up {addr} || exit 1"]
    if dhcpd:
        s += ["cat > /etc/udhcpd.conf <<EOF",
              f"start {lease_start}", f"end {lease_end}", "interface eth0",
              "lease_file /tmp/udhcpd.leases", f"max_leases {pool}",
              "option subnet 255.255.255.0",
              f"option router {ip}", "option lease 3600", "EOF",
              "touch /tmp/udhcpd.leases", "udhcpd -f /etc/udhcpd.conf &"]
    if httpd:
        s += [f"dd if=/dev/urandom of=/www/blob bs=1024 count={blob_kib} 2>/dev/null",
              "echo netpeer > /www/index.html",
              "netpeer_value blob-sha256 $(sha256sum /www/blob | cut -d' ' -f1)",
              "httpd -p 80 -h /www"]
    s += ["netpeer_ready server", "netpeer_serve"]
    return "\n".join(s) + "\n"


def script_client(target="10.0.2.2", addr="10.0.2.15/24", dhcp=True, ping=True, http=True,
                  wait_s=90):
    """A client peer: a lease from the server's udhcpd (check dhcp; on failure, or
    with dhcp=False, the static addr, so the other checks still run), three pings
    of target (check ping), target's /blob with wget (check http, its sha256 as
    value got-sha256). Each waits up to wait_s for target to answer first (it may
    boot later), so the figures are the exchange alone. With Linux pinging
    Kestrel: script_client("10.0.2.15", "10.0.2.2/24", dhcp=False, http=False)."""
    s = []
    if dhcp:
        # The server may boot later: udhcpc tries for 10 s a round, until wait_s.
        s += [f"netpeer_retry {wait_s} netpeer_dhcp; netpeer_check dhcp netpeer_dhcp "
              f"|| netpeer_up {addr}"]
    else:
        s += [f"netpeer_up {addr} || exit 1"]
    if ping:
        s += [f"netpeer_retry {wait_s} ping -c 1 -W 1 {target}",
              f"netpeer_check ping ping -c 3 -i 0.2 -W 2 {target}"]
    if http:
        s += [f"netpeer_retry {wait_s} wget -q -O /dev/null http://{target}/index.html",
              f"netpeer_check http wget -q -O /tmp/blob http://{target}/blob",
              "netpeer_value got-sha256 $(sha256sum /tmp/blob | cut -d' ' -f1)"]
    return "\n".join(s) + "\n"


def script_slirp_client(guestfwd_url=None):
    """Linux alone on slirp: a lease (check dhcp), ping the gateway 10.0.2.2
    (check ping), busybox httpd on port 80 (ready httpd: the host fetches through
    hostfwd), and, given guestfwd_url, a wget of it (check guestfwd, body as value)."""
    s = ["netpeer_up || exit 1", "netpeer_check dhcp netpeer_dhcp || exit 1",
         "netpeer_check ping ping -c 3 -i 0.2 -W 2 10.0.2.2",
         "echo netpeer-slirp > /www/index.html", "httpd -p 80 -h /www",
         "netpeer_ready httpd"]
    if guestfwd_url:
        s += [f"netpeer_check guestfwd wget -q -O /tmp/gf {guestfwd_url}",
              "netpeer_value guestfwd \"$(cat /tmp/gf)\""]
    s += ["netpeer_serve"]
    return "\n".join(s) + "\n"


# ---------------------------------------------------------------- self-check

class Result:
    """One self-check line: PASS/FAIL, name, seconds, figures or why."""

    def __init__(self, name):
        self.name, self.why, self.figures, self.t0 = name, None, [], time.monotonic()

    def fail(self, why):
        self.why = self.why or why

    def line(self):
        secs = time.monotonic() - self.t0
        if self.why:
            return f"FAIL netpeer/{self.name} ({secs:.1f} s): {self.why}"
        return f"PASS netpeer/{self.name} ({secs:.1f} s): " + ", ".join(self.figures)


def boot_figure(peer):
    """'NAME boot X s (Linux Y ms)': host seconds to eth0 and Linux's own part."""
    k = peer.kernel_ms()
    return f"{peer.name} boot {peer.boot_seconds:.1f} s (kernel to /init {k} ms)"


def check_figure(c):
    """'NAME X ms (host Y ms)': a check's time by the guest's clock and the host's."""
    return f"{c.name} {c.ms} ms (host {c.host_ms} ms)"


def pair_check(build, nic, firmware, logdir, timeout):
    """Two Linux peers on one wire, NIC model nic on both: the client takes a
    lease, pings and fetches 1 MiB from the server. Results: one per check."""
    res = {n: Result(f"{nic}-{n}") for n in ("dhcp", "ping", "http")}
    with Wire() as wire, \
            LinuxPeer(build, script_server(), nic=nic, wire=wire, side=0, mac=PEER_MAC,
                      firmware=firmware, logdir=logdir, name=f"{nic}-server") as server, \
            LinuxPeer(build, script_client(), nic=nic, wire=wire, side=1, mac=PEER2_MAC,
                      firmware=firmware, logdir=logdir, name=f"{nic}-client") as client:
        try:
            server.wait_up(timeout)
            client.wait_up(timeout)
            boots = [boot_figure(server), boot_figure(client)]
            server.wait_ready("server", timeout)
            checks = {}
            for n in ("dhcp", "ping", "http"):
                c = checks[n] = client.wait_check(n, timeout)
                res[n].figures = [check_figure(c)] + boots
                if not c.ok:
                    res[n].fail(f"check {n} failed: {c.detail}; log {client.logpath}")
            lease = client.wait_value("lease", 1)
            res["dhcp"].figures.insert(1, f"lease {lease}")
            if lease != "10.0.2.15":
                res["dhcp"].fail(f"lease {lease}, not 10.0.2.15")
            want, got = server.wait_value("blob-sha256", 1), client.wait_value("got-sha256", 5)
            res["http"].figures.insert(1, f"{1000 / max(1, checks['http'].ms):.1f} MiB/s")
            if want != got:
                res["http"].fail(f"sha256 {got} fetched, {want} served")
            else:
                res["http"].figures.insert(1, "sha256 matches")
        except PeerError as e:
            for r in res.values():
                if not r.figures:       # the checks not judged yet
                    r.fail(str(e))
            if all(r.figures for r in res.values()):
                res["http"].fail(str(e))
    return list(res.values())


class _Page(http.server.BaseHTTPRequestHandler):
    """The host's page that the guest fetches through guestfwd."""

    def do_GET(self):
        body = b"netpeer-host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def user_check(build, nic, firmware, logdir, timeout):
    """Linux alone on slirp (restrict=on): lease, ping 10.0.2.2, the host fetches the
    guest's page through hostfwd on 127.0.0.1, the guest fetches the host's page
    through guestfwd to 127.0.0.1."""
    res = Result(f"user-{nic}")
    host = http.server.HTTPServer((LOOPBACK, 0), _Page)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    fwd = free_port()
    netdev = user_netdev("net0", hostfwd=[("tcp", fwd, 80)],
                         guestfwd=[("10.0.2.100", 80, (LOOPBACK, host.server_port))])
    try:
        with LinuxPeer(build, script_slirp_client("http://10.0.2.100/"), nic=nic,
                       netdev=netdev, firmware=firmware, logdir=logdir,
                       name=f"user-{nic}") as peer:
            peer.wait_up(timeout)
            res.figures.append(boot_figure(peer))
            for n in ("dhcp", "ping"):
                c = peer.wait_check(n, timeout)
                res.figures.append(check_figure(c))
                if not c.ok:
                    res.fail(f"check {n} failed; log {peer.logpath}")
            res.figures.insert(1, f"lease {peer.wait_value('lease', 1)}")
            peer.wait_ready("httpd", timeout)
            t0 = time.monotonic()
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
            body = direct.open(f"http://{LOOPBACK}:{fwd}/index.html", timeout=30).read()
            res.figures.append(f"hostfwd fetch {(time.monotonic() - t0) * 1000:.0f} ms")
            if body != b"netpeer-slirp\n":
                res.fail(f"hostfwd fetched {body[:60]!r}")
            c = peer.wait_check("guestfwd", timeout)
            res.figures.append(check_figure(c))
            got = peer.wait_value("guestfwd", 5)
            if not c.ok or got != "netpeer-host":
                res.fail(f"guestfwd: check {'ok' if c.ok else 'failed'}, got {got!r}")
    except (PeerError, OSError) as e:
        res.fail(str(e))
    finally:
        host.shutdown()
        host.server_close()
    return [res]


def hook_check(build, nic, firmware, logdir, timeout):
    """CasePeer as boottest would use it, with a Linux guest standing in for
    Kestrel on kestrel_args (side 0, KESTREL_MAC): the peer pings it and
    finds KESTREL_MAC in its ARP table."""
    res = Result(f"{nic}-hook")
    case = dict(name=f"{nic}-hook", peer=dict(
        nic=nic, firmware=firmware, checks=["ping"], values={"neigh": re.escape(KESTREL_MAC)},
        script="netpeer_up 10.0.2.2/24 && netpeer_ready up\n"
               "netpeer_retry 60 ping -c 1 -W 1 10.0.2.15\n"
               "netpeer_check ping ping -c 3 -i 0.2 -W 2 10.0.2.15\n"
               "netpeer_value neigh $(awk '$1 == \"10.0.2.15\" { print $4 }' /proc/net/arp)\n"
               "netpeer_serve\n"))
    stand_in = ("netpeer_up 10.0.2.15/24 || exit 1\n"
                "netpeer_retry 60 ping -c 1 -W 1 10.0.2.2\nsleep 3\n")
    try:
        cp = CasePeer.start_for(case, build, logdir)
        try:
            with LinuxPeer(build, stand_in, nic=nic, netdev=cp.kestrel_args[:2],
                           mac=KESTREL_MAC, firmware=firmware, logdir=logdir,
                           name=f"{nic}-hook-kestrel") as k:
                if k.wait_exit(timeout) is None:
                    res.fail(f"the stand-in did not end; log {k.logpath}")
            why = cp.verdict()
            if why:
                res.fail(why)
            else:
                c = cp.peer.wait_check("ping", 0)
                res.figures += [check_figure(c), boot_figure(cp.peer)]
        finally:
            cp.close()
    except (PeerError, OSError) as e:
        res.fail(str(e))
    return [res]


# The guard's table: (what, argv, allowed). check_argv must agree on each.
GUARD_TABLE = [
    ("no NIC, no -nodefaults", ["-m", "64M"], False),
    ("-nodefaults alone", ["-nodefaults"], True),
    ("-nic none", ["-nic", "none"], True),
    ("user without restrict", ["-netdev", "user,id=n0"], False),
    ("user restrict=off", ["-netdev", "user,id=n0,restrict=off"], False),
    ("user restrict=on", ["-netdev", "user,id=n0,restrict=on"], True),
    ("-nic user without restrict", ["-nic", "user,model=e1000"], False),
    ("hostfwd on every address", ["-netdev", "user,id=n0,restrict=on,hostfwd=tcp::8080-:80"],
     False),
    ("hostfwd on 0.0.0.0", ["-netdev", "user,id=n0,restrict=on,hostfwd=tcp:0.0.0.0:8080-:80"],
     False),
    ("hostfwd on 127.0.0.1",
     ["-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:8080-:80"], True),
    ("guestfwd to another host",
     ["-netdev", "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:192.0.2.1:80"], False),
    ("guestfwd to 127.0.0.1",
     ["-netdev", "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:8080"], True),
    ("guestfwd to a command",
     ["-netdev", "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:cat,,x"], True),
    ("user with smb", ["-netdev", "user,id=n0,restrict=on,smb=/tmp"], False),
    ("tap", ["-netdev", "tap,id=n0"], False),
    ("bridge", ["-nic", "bridge,br=br0"], False),
    ("legacy -net user", ["-net", "user,restrict=on"], False),
    ("dgram multicast", ["-netdev", "dgram,id=n0,remote.type=inet,remote.host=230.0.0.1,"
                                    "remote.port=1234"], False),
    ("dgram on 127.0.0.1", ["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                                       "local.port=1234,remote.type=inet,"
                                       "remote.host=127.0.0.1,remote.port=1235"], True),
    ("stream to another host", ["-netdev", "stream,id=n0,addr.type=inet,addr.host=192.0.2.1,"
                                           "addr.port=80"], False),
    ("socket listen on every address", ["-netdev", "socket,id=n0,listen=:1234"], False),
    ("socket connect 127.0.0.1", ["-netdev", "socket,id=n0,connect=127.0.0.1:1234"], True),
]


def guard_check():
    """check_argv() and user_netdev() refuse what could leave the host and pass
    what this module builds."""
    res = Result("guard")
    for what, argv, allowed in GUARD_TABLE:
        try:
            check_argv(argv)
            ok = True
        except UnsafeNetwork:
            ok = False
        if ok != allowed:
            res.fail(f"{what}: {'allowed' if ok else 'refused'}")
    for what, kw in (("restrict=False", dict(restrict=False)),
                     ("restrict=off in opts", dict(restrict="off"))):
        try:
            user_netdev("n0", **kw)
            res.fail(f"user_netdev built a backend with {what}")
        except UnsafeNetwork:
            pass
    with Wire() as wire:
        check_argv(kestrel_netdev_args(wire) + wire.netdev_args(1, "n1"))
    check_argv(user_netdev("n0", hostfwd=[("tcp", 8080, 80)],
                           guestfwd=[("10.0.2.100", 80, (LOOPBACK, 8081)),
                                     ("10.0.2.101", 80, "cmd:cat")]))
    res.figures.append(f"{len(GUARD_TABLE) + 2} configurations judged right")
    return res


def selfcheck(args):
    build = os.path.abspath(args.build)
    logdir = os.path.join(build, "test", "netpeer")
    try:
        _, version, _ = linux_files(build)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        print(f"SKIP netpeer: Linux cannot be had: {e}")
        return EXIT_UNAVAILABLE
    print(f"netpeer: {version}, firmware {args.firmware}, logs in {logdir}", flush=True)
    results = [guard_check()]
    print(results[0].line(), flush=True)
    for nic in args.nic.split(","):
        runs = [fn for word, fn in (("pair", pair_check), ("user", user_check),
                                    ("hook", hook_check)) if args.only in (None, word)]
        for fn in runs:
            try:
                got = fn(build, nic, args.firmware, logdir, args.timeout)
            except (RuntimeError, OSError, ValueError, subprocess.CalledProcessError) as e:
                got = [Result(f"{nic}-{fn.__name__[:-len('_check')]}")]
                got[0].fail(f"cannot run: {e!r}")
            for r in got:
                print(r.line(), flush=True)
                results.append(r)
    failed = sum(1 for r in results if r.why)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def boot_one(args):
    """Boot one peer alone on a wire, its console on stdout, until it powers
    off or says nothing for --timeout seconds."""
    build = os.path.abspath(args.build)
    with open(args.script) as f:
        script = f.read()
    with Wire() as wire, LinuxPeer(build, script, nic=args.nic, wire=wire,
                                   firmware=args.firmware, name="peer") as peer:
        shown = 0
        while True:
            got = peer.wait_for(r"", args.timeout, start=shown)
            if got is None:
                break
            print(peer.lines[got[0]][1], flush=True)
            shown = got[0] + 1
        return 0 if peer.ended and peer.status == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, what in (("selfcheck", "Linux against Linux on a wire and on slirp"),
                       ("boot", "one peer running SCRIPT-FILE, alone on a wire")):
        p = sub.add_parser(name, help=what, description=what)
        p.add_argument("--build", default=os.path.join(TOP, "build"))
        p.add_argument("--firmware", choices=FIRMWARES, default="pvh")
        p.add_argument("--timeout", type=int, default=BOOT_TIMEOUT)
        if name == "selfcheck":
            p.add_argument("--nic", default="virtio-net-pci,e1000")
            p.add_argument("--only", choices=("pair", "user", "hook"))
        else:
            p.add_argument("--nic", default="virtio-net-pci")
            p.add_argument("script")
    args = ap.parse_args()
    for nic in args.nic.split(","):
        if nic not in NIC_MODULES:
            ap.error(f"--nic {nic}: one of {', '.join(NIC_MODULES)}")
    return selfcheck(args) if args.cmd == "selfcheck" else boot_one(args)


if __name__ == "__main__":
    sys.exit(main())
