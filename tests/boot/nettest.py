#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kestrel on a network: boot tests of the NIC drivers, DHCP, ICMP and TCP.

Each case boots Kestrel's image (tools/mkimg.sh, OVMF with a fresh
variable store, q35, 256 MiB) with the command line `init=/bin/sh
ip=dhcp`, and drives busybox sh over the serial console: once the kernel
says `boot: loader start to first console read` (the prompt), each
command is sent followed by `echo MARKER=$?`, and the harness waits for
that marker alone on a line (the shell echoes its input, so the marker's
own line is the proof the command ended; the number is its status).
Every case runs once per NIC model (virtio-net-pci, e1000 and e1000e),
peer also on QEMU's usb-net (USB_NIC; with pings whose frames are whole
numbers of 64-byte USB packets, ZLP_PING_SIZES):

  slirp-NIC  topology (a) of tests/boot/netpeer.py: QEMU user networking
             with restrict=on only. The lease 10.0.2.15 from slirp (which,
             restricted, sends no router and no DNS option); `ping -c 3
             10.0.2.2`, every echo answered; the guest fetches 1 MiB of
             random bytes from a host HTTP server on 127.0.0.1 through
             guestfwd 10.0.2.100:80 and its sha256 matches; the host fetches
             4 MiB the guest made from busybox httpd through a hostfwd on
             127.0.0.1 and its sha256 matches what the guest printed.
             On the e1000 and e1000e, eth0's speed is 1000 Mb/s, then QEMU's
             monitor takes the link down and up (set_link): eth0's carrier
             must follow each within LINK_WAIT s (the driver's link-change
             interrupt; its watchdog would find it within a second too, so
             the self-test e1000e-msix is what checks the interrupt itself),
             carrier_changes grow by two, and ping works after.
  peer-NIC   topology (b): Kestrel and Debian's Linux (netpeer.LinuxPeer)
             on a wire. The peer is netpeer.script_server() (10.0.2.2,
             udhcpd leasing 10.0.2.15, httpd with a 16 MiB /blob) followed by
             checks of its own: once Kestrel's httpd answers, the peer pings
             Kestrel and fetches 1 MiB from it. Kestrel takes its lease from
             udhcpd, pings the peer and fetches /blob (sha256 against the
             peer's: issue 31's 16 MiB checksum on every NIC); the peer's
             fetch is compared with what Kestrel printed,
             and Kestrel's QEMU must still be running after the peer's checks.

  unplug-usb-net  topology (b) with Kestrel's NIC QEMU's usb-net (CDC-ECM) on
             qemu-xhci, on the laptop-shaped machine (LAPTOP_MACHINE, as
             peer-usb-net; the peer keeps virtio-net): t-httpget fetches the
             peer's 32 MiB /blob (reads timing out after 5 s) and the
             monitor's device_del pulls the adapter out a second in: the
             fetch must end with an error, part of the blob in, within
             UNPLUG_END_MAX s; eth0 is unregistered as on Linux (gone
             from ip link, ip addr, /sys/class/net, /proc/net/dev;
             t-ifwatch sees RTM_DELADDR and RTM_DELLINK, ENETDOWN on a
             packet socket blocked on eth0, ENODEV sending on a socket
             bound to it); the shell answers. Then device_add of a new
             usb-net must give eth0 again, which takes 10.0.2.16, pings
             the peer and fetches from it; then REPLUG_CYCLES unplug and
             plug cycles with a fetch each, MemFree within
             REPLUG_MEM_SLACK kB.

  flood-NIC  Kestrel (static ip=10.0.2.15::10.0.2.2:255.255.255.0, busybox
             httpd on ports 80 and 8080) on a wire whose other end is
             netflood.Injector, a hostile host playing 10.0.2.2 and the rest
             of the subnet. (a) 10,000 SYNs to port 80 from random addresses
             and ports of 10.0.2.0/24 (half of them answering ARP, half
             silent), never completing a handshake; then `GET /` on port 8080
             must succeed at once (each listener has its own SYN queue), and
             a handshake and `GET /` on port 80 from 10.0.2.3 (its SYN sent
             again on Linux's schedule) is tried in the background while (b)
             5,000 seeded hostile frames go (netflood.Hostile: truncated,
             wrong lengths, bad checksums, IPv4 and TCP options, fragment
             queues that never complete, overlaps, offsets near 65535, odd
             ARP, martians, random bytes). Then the shell answers `echo
             alive`, `ping -c 3 10.0.2.2` is answered, /proc/net/tcp holds no
             more than TCP_HALF_OPEN_MAX connections in SYN_RECV, and
             FLOOD_SETTLE s after the last frame (past reassembly's 30 s)
             MemFree is back within FLOOD_MEM_SLACK of its value before the
             flood; and the port-80 handshake has succeeded by then: as
             Linux's, Kestrel's crowded SYN queue gives its old entries two
             SYN-ACK retries instead of five, so the flood's half-open
             connections give way after about 7 s, not 63 s (Linux 6.1 with
             tcp_syncookies=0 and the same injector, netflood.py linux: 3
             to 7 s). The counters of /proc/net/snmp are figures.

  selftest-NIC  (e1000 and e1000e) Kestrel's in-kernel self-tests
             (selftest=kernel, then the shell) with the NIC on a wire to
             tests/boot/e1000_peer.py: the driver's tests must say ok, none
             may be skipped: e1000-wire and e1000-wire-polled send 2,000
             frames and receive 10,000 (every length from 60 to 1514 bytes,
             order and bytes checked) in the interrupt mode the driver chose
             (INTx on the e1000, MSI-X on the e1000e) and then polled (and,
             on the e1000e, on INTx: e1000-wire-intx), with no netbuf left
             over; the rings against a hostile device in RAM;
             the MAC from the EEPROM through EERD; on the e1000e, MSI-X with
             every cause routed to its vector and link changes delivered one
             after the other (e1000e-msix). Every other in-kernel test runs
             too and must pass, as in the boot suite.
  ipv6-NIC   topology (b) with IPv6 on the peer, which plays the router
             (2001:db8:1::1/64, t-radvsend advertising 2001:db8:1::/64 and
             2001:db8:2::/64, where it holds Kestrel's would-be address).
             Kestrel (static IPv4 ip=, so eth0 is up) must bring its EUI-64
             link-local and SLAAC addresses through DAD (the log, the
             flags of /proc/net/if_inet6, its probes from :: on the wire),
             fail DAD for the duplicate, show the default route and
             addresses in ip -6 route / ip -6 addr, ping6 the peer's
             link-local and global addresses (and 3000 bytes: fragments
             each way, seen in /proc/net/snmp6), exchange a UDP datagram
             each way (t-udp6), and ping6 ::1 and send UDP to ::1 through
             lo; the peer pings both of Kestrel's addresses, and 3000 bytes.
             TCP over IPv6: 1 MiB each way between the global addresses
             and between the link-local ones (busybox wget and httpd,
             sha256 at both ends), a connect to a
             closed port of the peer refused, Kestrel's SYNs offering MSS
             1440 (the link's MTU - 60), a listener in /proc/net/tcp6,
             1 MiB over ::1 that lo must carry, and net.ipv6.bindv6only
             (0: httpd's [::] takes 127.0.0.1; 1: a new one refuses it).
  ipv6-hostile-virtio-net-pci  Kestrel and netflood.Injector: 4,000
             seeded hostile IPv6 frames (netflood6.Hostile6) once the
             link-local address is ready (TCP segments to its listener on
             port 80 among them); then the shell, that address, the cap of
             16 RA addresses, ping6 over lo, and the listener serving
             [::1] must hold.
  pmtu-virtio-net-pci  Kestrel and netflood.Injector as a router with a
             1000-byte link (netpmtu.py): a forged ICMP fragmentation
             needed quoting Kestrel's own full-sized segment in flight
             (the router then dropping every segment too big) must make
             its retransmission fit 1000 bytes, at once (no RTO counted in
             TcpExt TCPTimeouts, as Linux's tcp_simple_retransmit), and the next
             connection to that host offer MSS 960 in its SYN-ACK and send
             no more (the capture); one quoting a sequence not in flight,
             and one quoting a port nobody uses, change nothing (another
             host's connections stay at 1460). TCP over IPv6 likewise
             (netpmtu.tcp6_steps, which also pass against Linux 6.1:
             netpmtu.py linux): link-local clients fetch /big from
             Kestrel's link-local address; a packet too big (MTU 1280)
             quoting its first full-sized segment to fe80::3, that
             segment and every later one over 1220 bytes dropped: the
             retransmission at once in 1220-byte segments (TCPTimeouts
             unchanged), the page whole, the next connection's SYN-ACK
             offering MSS 1220 and its segments 1220 bytes (no path MTU
             under 1280); to fe80::6, one quoting a sequence not in
             flight (TcpExt OutOfWindowIcmps +1), one a port with no
             connection, and one of MTU 1000 quoting the segment rightly
             (Linux's tcp_v6_err drops it whole) change nothing: its
             connections stay at 1440, SYN-ACK MSS too. The socket's
             option (t-conform_pmtu serve: netpmtu.serve_commands): under
             IPV6_PMTUDISC_DONT the same packet too big is believed as
             under the default (fe80::7: the resend at once in 1220 bytes,
             the next connection 1220), under OMIT dropped whole (fe80::8:
             1440, and the next connection 1440); over IPv4, under
             IP_PMTUDISC_DONT and OMIT a frag-needed (MTU 1000, the segment
             let by) resends nothing (the quoted segment once, no RTO) but
             the page's second half goes in 960-byte segments and the next
             connection from 10.0.2.8 or .9 at most 960 (Linux 6.1's
             tcp_v4_mtu_reduced teaches the route's cache whatever the
             option; the next send follows it); their data segments carry
             no DF, the SYN-ACKs and httpd's (WANT) segments do. Over IPv6, UDP
             datagrams to the injector's link-local address come whole
             after a packet too big quoting a port with no socket, in
             fragments of at most 1280 bytes after one quoting the
             sender's; IPv4 UDP likewise (whole with DF, then fragments
             of at most 1000 bytes without DF); IPv4 UDP, raw and ping
             sockets under each IP_MTU_DISCOVER to 10.0.2.11 once its path
             MTU is 1000 (t-conform_pmtu df4: DF, fragments and EMSGSIZE
             as Linux's, netpmtu.df4_judge); then 10,000 forged ones
             for random destinations, each quoting a UDP port Kestrel
             has a socket on, leave the path MTU cache at most its 1,280
             entries (its "pmtu: cache full" log line) and the shell
             answering.

A case also fails on a KERNEL PANIC or FAIL line in Kestrel's log
(boottest.py's NEVER list). Logs go to BUILD/test/net/: NAME.log (Kestrel's
serial console), NAME.peer.log (the peer's), NAME.pcap (every frame on
Kestrel's netdev, QEMU's filter-dump; read it with `tshark -r`); the image,
variable store and capture are deleted when the case passes. A peer case
is a SKIP, not a failure, when Debian's linux-image package cannot be had.

    nettest.py [--build DIR] [--jobs N] [--keep] [NAME...]   run all, or only NAME...
    nettest.py --list

One line per case (PASS with the figures, by the host's clock; FAIL with
the reason and the logs; SKIP with the reason), then `net: N passed, N
failed`; exit status 1 when a case failed.
"""
import argparse
import concurrent.futures
import hashlib
import http.server
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402  (Wire, LinuxPeer, Guest, user_netdev, ...)
import netflood  # noqa: E402  (Injector, syn_flood, send_hostile, ...)
import netflood6  # noqa: E402  (Hostile6: hostile IPv6 frames)
import netrelay  # noqa: E402  (RelayWire, Relay: the lossy and hostile wire)
import netpmtu  # noqa: E402  (PmtuClient, frag_needed: the forged router)
import qmon  # noqa: E402  (the mutate case's capture ring and backtraces)

NICS = ("virtio-net-pci", "e1000", "e1000e")
USB_NIC = "usb-net"                 # QEMU's CDC-ECM adapter on qemu-xhci (dev/usb_net.c)
USB_HC, USB_DEV = "xhci0", "usbnet0"  # their QEMU ids (device_del and device_add name them)
PEER_NIC = "virtio-net-pci"         # the Linux peer's own NIC when Kestrel's is the USB one
# the laptop-shaped machine: no i8042, PIT or HPET, two CPUs (the USB NIC's boots)
LAPTOP_MACHINE = ["-machine", "q35,i8042=off,pit=off,hpet=off", "-smp", "2"]
KESTREL_IP = "10.0.2.15"
GATEWAY_IP = "10.0.2.2"             # slirp's host address; the peer's address on the wire
GUESTFWD_IP = "10.0.2.100"          # slirp forwards its port 80 to the host's server
CMDLINE_DHCP = "init=/bin/sh ip=dhcp"
CMDLINE_RC = ""                     # the default init, /etc/rc's udhcpc; no ip=
RC_NICS = ("virtio-net-pci",)
RC_STARTED = r"^init: running /etc/rc$"
RC_LINE = r"^rc: eth0 (\S+)/(\d+) \(udhcpc\)$|^rc: eth0: (.*)$"
RC_DHCP_TRIES = 3                   # /etc/rc's udhcpc -t: the discovers before it gives up
RC_NOSERVER_MAX = 10                # seconds from rc's start to its line, no server (udhcpc: 3)
RENEW_WAIT = 10                     # seconds the renewal step waits for each lease line
MIB = 1 << 20
HOST_BLOB = 1 * MIB                 # the host's file the guest fetches (slirp)
GUEST_FILE_BLOCKS = {"slirp": 64, "peer": 16}   # 64 KiB blocks Kestrel makes: 4 MiB, 1 MiB
PEER_BLOB_KIB = 16 * 1024           # the peer's /blob, fetched on every NIC (issue 31: 16 MiB)
PROMPT = r"boot: loader start to first console read"
LEASE = r"ipconfig: eth0 (\S+)/(\d+) gateway (\S+) dns (\S+) lease (\d+) s \(DHCP from (\S+)\)"
NEVER = [r"KERNEL PANIC", r"FAIL"]  # as boottest.py's NEVER: a failure wherever it shows
SHA256 = r"^([0-9a-f]{64})  (\S+)$"
PING_ALL = r"3 packets transmitted, 3 packets received"
# Not usb-net: QEMU 7.2's answers every notification poll "connected" and
# its set_link only drops the frames (docs/network.md, USB Ethernet).
LINK_NICS = ("e1000", "e1000e")    # the slirp case takes their link down and up (QEMU's set_link)
LINK_WAIT = 5                       # seconds for eth0's carrier to follow
TCPOPTS_PORT = 7000                 # t-tcpopts serve: commands here, its sink on the next port
TCPOPTS_BIN = "rootfs.extra/bin/t-tcpopts"   # under the build directory
TCPOPTS_SUMMARY = r"tcpopts: (\d+) passed, (\d+) failed"
TCPOPTS_NICS = ("virtio-net-pci",)
TCPOPTS_TIMEOUT = 90                # the program on Kestrel (TCG; it needs about 10 s)
BOOT_TIMEOUT = 180                  # QEMU start to the shell's prompt (TCG, a loaded host)
CMD_TIMEOUT = 120                   # one shell command
PEER_TIMEOUT = 180                  # the peer's boot, and each of its checks
FETCH_IDLE = 30                     # seconds the host's fetch waits for the next byte


class CaseFailed(Exception):
    """A case's check did not hold: the message says which and what was seen."""


# ---------------------------------------------------------------- Kestrel on the serial console

class Kestrel(netpeer.Guest):
    """Kestrel's QEMU with its serial port on stdio, typed into through stdin.

    netpeer.Guest logs each line of the console as it comes; this adds
    stdin as a pipe and run(), which types one shell command and waits for
    its end. QEMU reads the pipe only as fast as the UART's FIFO empties,
    so nothing typed is lost.
    """

    def __init__(self, name, argv, logpath):
        super().__init__(name, argv, logpath)
        self.markers, self.at = 0, 0.0

    def start(self):
        """Guest.start() with stdin a pipe (Guest's is /dev/null)."""
        os.makedirs(os.path.dirname(os.path.abspath(self.logpath)), exist_ok=True)
        self._log = open(self.logpath, "w")
        self._err = open(self.logpath + ".qemu-stderr", "w")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._err)
        netpeer.Guest.live.add(self)
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def expect(self, what, pattern, timeout, start=0):
        """The match of the first line matching pattern; CaseFailed if none came.
        .at holds the host seconds since QEMU's start when that line came."""
        got = self.wait_for(pattern, timeout, start)
        if not got:
            why = "QEMU exited" if self.ended else f"not within {timeout} s"
            raise CaseFailed(f"no {what} ({why})")
        self.at = got[1]
        return got[2]

    def run(self, cmd, timeout=CMD_TIMEOUT):
        """Type cmd and wait for it to end: (status, output lines, host seconds).
        CaseFailed when the marker does not come within timeout seconds."""
        self.markers += 1
        marker = f"NETTEST{self.markers}"
        start = len(self.lines)
        t0 = time.monotonic()
        try:
            self.proc.stdin.write(f"{cmd}; echo {marker}=$?\r".encode())
            self.proc.stdin.flush()
        except OSError as e:
            raise CaseFailed(f"cannot type {cmd!r}: {e}")
        got = self.wait_for(rf"^{marker}=(\d+)$", timeout, start)
        secs = time.monotonic() - t0
        if not got:
            why = "QEMU exited" if self.ended else f"not within {timeout} s"
            raise CaseFailed(f"{cmd!r} did not end ({why})")
        out = [line for _, line in self.lines[start:got[0]] if f"echo {marker}=" not in line]
        return int(got[2].group(1)), out, secs

    def must(self, cmd, timeout=CMD_TIMEOUT):
        """run(), and CaseFailed unless the status is 0: (output lines, seconds)."""
        status, out, secs = self.run(cmd, timeout)
        if status != 0:
            raise CaseFailed(f"{cmd!r} exited {status}: " + " / ".join(out[-4:]))
        return out, secs

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        super().stop()
        if self.proc is not None and self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass  # QEMU is gone: what was left in the pipe does not matter


def sha256_of(out, name):
    """The hex digest sha256sum printed for name among a command's output lines."""
    for line in out:
        m = re.match(SHA256, line.strip())
        if m and m.group(2) == name:
            return m.group(1)
    raise CaseFailed(f"no sha256 of {name} in the output: " + " / ".join(out[-4:]))


def ping(k, target, cmd="ping"):
    """`ping -c 3 target` (or cmd) from Kestrel: every echo answered; its summary line."""
    status, out, secs = k.run(f"{cmd} -c 3 {target}")
    summary = [line for line in out if "packets transmitted" in line]
    if status != 0 or not summary or not re.search(PING_ALL, summary[0]):
        raise CaseFailed(f"ping {target}: exit {status}, " + " / ".join(out[-3:]))
    rtt = [line for line in out if "round-trip" in line]
    return rtt[0].split("=")[-1].strip() if rtt else f"{secs:.1f} s"


def guest_file(k, blocks):
    """Kestrel makes /tmp/www/f (blocks of 64 KiB from /dev/urandom), prints its
    sha256 (also in /tmp/www/sum) and starts busybox httpd on port 80; the sha256."""
    out, _ = k.must(f"mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/f bs=64k "
                    f"count={blocks} && sha256sum /tmp/www/f | tee /tmp/www/sum")
    digest = sha256_of(out, "/tmp/www/f")
    k.must("httpd -p 80 -h /tmp/www")
    return digest


def lease(k, want_gateway, want_server):
    """Kestrel's ipconfig line: the lease is 10.0.2.15/24 from want_server with
    want_gateway as router; the line's figures."""
    m = k.expect("'ipconfig: eth0 ... (DHCP from ...)' line",
                 rf"{LEASE}|ipconfig: eth0: no DHCP answer", BOOT_TIMEOUT)
    if not m.group(1):
        raise CaseFailed(f"no DHCP lease: '{m.group(0)}'")
    addr, prefix, gw, _dns, secs, server = m.groups()
    if (addr, prefix, gw, server) != (KESTREL_IP, "24", want_gateway, want_server):
        raise CaseFailed(f"lease {addr}/{prefix} gateway {gw} from {server}, want "
                         f"{KESTREL_IP}/24 gateway {want_gateway} from {want_server}")
    return f"lease {addr}/{prefix} ({secs} s) from {server}"


def never_lines(k):
    """The first NEVER line in Kestrel's log, as a reason, or None."""
    for p in NEVER:
        for line in k.text().splitlines():
            if re.search(p, line):
                return f"unexpected line matching {p!r}: {line.strip()!r}"
    return None


# ---------------------------------------------------------------- the image and QEMU's argv

def make_image(build, outdir, name, cmdline):
    """NAME.img with Kestrel, the rootfs and cmdline, and a fresh copy of OVMF's
    variable store: (image path, vars path)."""
    img = os.path.join(outdir, name + ".img")
    vars_fd = os.path.join(outdir, name + ".vars.fd")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run([os.path.join(TOP, "tools/mkimg.sh"), "--build", build, "-o", img,
                    "--rootfs", os.path.join(build, "rootfs.cpio"), "--cmdline", cmdline],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    shutil.copyfile(netpeer.OVMF_VARS, vars_fd)
    return img, vars_fd


def nic_device(nic):
    """The -device arguments of Kestrel's NIC on netdev net0: a PCI model, or
    QEMU's usb-net (CDC-ECM) on a qemu-xhci controller's root port."""
    if nic == USB_NIC:
        return ["-device", f"qemu-xhci,id={USB_HC}",
                "-device", f"usb-net,id={USB_DEV},netdev=net0,mac={netpeer.KESTREL_MAC},bus={USB_HC}.0"]
    return netpeer.nic_args(nic, "net0", netpeer.KESTREL_MAC)


def kestrel_argv(img, vars_fd, netdev, nic, pcap):
    """QEMU for Kestrel: q35, 256 MiB, OVMF, the image, the serial port on stdio,
    netdev (a -netdev pair with id net0) with the NIC, every frame into pcap.
    With the USB NIC the machine is the laptop-shaped one (LAPTOP_MACHINE)."""
    machine = ["-machine", "q35"] if nic != USB_NIC else LAPTOP_MACHINE
    return [netpeer.QEMU] + machine + ["-m", "256M", "-nodefaults", "-display", "none",
            "-vga", "std", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={netpeer.OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-drive", f"format=raw,file={img}", "-serial", "stdio"] + netdev + \
        nic_device(nic) + \
        ["-object", f"filter-dump,id=f0,netdev=net0,file={pcap}"]


# ---------------------------------------------------------------- (a) slirp

class HostBlob(http.server.BaseHTTPRequestHandler):
    """The host's file for the guest: GET /blob answers BLOB; the request line is kept."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.server.requests.append(self.requestline)
        if self.path != "/blob":
            self.send_error(404)
            return
        body = self.server.blob
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def host_server():
    """A threading HTTP server on 127.0.0.1 (a free port) serving HOST_BLOB random
    bytes as /blob; .blob, .requests (request lines seen)."""
    srv = http.server.ThreadingHTTPServer((netpeer.LOOPBACK, 0), HostBlob)
    srv.daemon_threads = True
    srv.blob = os.urandom(HOST_BLOB)
    srv.requests = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def host_fetch(port, path, timeout=FETCH_IDLE):
    """GET PATH from 127.0.0.1:PORT (HTTP/1.0, read to the end): (body, seconds).
    CaseFailed when the answer is not 200 with Content-Length bytes, or when
    the guest sends nothing for timeout seconds (with how far it got)."""
    t0 = time.monotonic()
    got = bytearray()
    try:
        with socket.create_connection((netpeer.LOOPBACK, port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.0\r\nHost: {netpeer.LOOPBACK}:{port}\r\n\r\n".encode())
            while True:
                data = s.recv(65536)
                if not data:
                    break
                got += data
    except OSError as e:
        raise CaseFailed(f"the host's fetch of {path} through hostfwd: {e} after "
                         f"{len(got)} bytes ({fetch_progress(got)})")
    secs = time.monotonic() - t0
    head, sep, body = bytes(got).partition(b"\r\n\r\n")
    m = re.search(rb"^Content-Length: *(\d+)", head, re.M | re.I)
    if not sep or not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0] \
            or not m or int(m.group(1)) != len(body):
        raise CaseFailed(f"the host's fetch of {path} through hostfwd: {fetch_progress(got)}")
    return body, secs


def fetch_progress(got):
    """What an HTTP answer so far holds: its status line and body bytes of how many."""
    head, sep, body = bytes(got).partition(b"\r\n\r\n")
    if not sep:
        return f"no complete header in {len(got)} bytes"
    m = re.search(rb"^Content-Length: *(\d+)", head, re.M | re.I)
    status = head.split(b"\r\n")[0].decode(errors="replace")
    return f"'{status}', body {len(body)} of {m.group(1).decode() if m else '?'} bytes"


def rate(nbytes, secs):
    return f"{nbytes / MIB:.0f} MiB in {secs:.1f} s ({nbytes / MIB / max(secs, 1e-3):.2f} MiB/s)"


def slirp_steps(k, srv, fwd):
    """The slirp case's checks on a booted Kestrel; its figures."""
    figures = []
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures.append(f"prompt at {k.at:.0f} s")
    figures.append(lease(k, "0.0.0.0", GATEWAY_IP))
    figures.append(f"ping {ping(k, GATEWAY_IP)}")
    _, out, secs = k.run(f"wget -O - http://{GUESTFWD_IP}/blob | sha256sum")
    want = hashlib.sha256(srv.blob).hexdigest()
    got = sha256_of(out, "-")
    if got != want:
        raise CaseFailed(f"guestfwd fetch: sha256 {got}, the host served {want} "
                         f"(requests seen: {srv.requests}; " + " / ".join(out[-3:]) + ")")
    if srv.requests != ["GET /blob HTTP/1.1"]:
        raise CaseFailed(f"the host's server saw the requests {srv.requests}, "
                         "not one 'GET /blob HTTP/1.1'")
    figures.append(f"guest fetch {rate(len(srv.blob), secs)}")
    said = guest_file(k, GUEST_FILE_BLOCKS["slirp"])
    body, secs = host_fetch(fwd, "/f")
    got = hashlib.sha256(body).hexdigest()
    if got != said:
        raise CaseFailed(f"hostfwd fetch: {len(body)} bytes, sha256 {got}, the guest said {said}")
    figures.append(f"host fetch {rate(len(body), secs)}")
    return figures


def monitor(path, cmd, timeout=10):
    """Type cmd into QEMU's human monitor on the Unix socket path: its answer."""
    got = b""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        for send in (None, cmd):
            if send:
                s.sendall(send.encode() + b"\n")
            while not got.rstrip().endswith(b"(qemu)"):
                data = s.recv(4096)
                if not data:
                    break
                got += data
            if send is None:
                got = b""
    return got.decode(errors="replace")


def carrier_wait(k, want):
    """Wait (up to LINK_WAIT s) in Kestrel for eth0's carrier to read want:
    the host seconds it took. CaseFailed if it never did."""
    out, secs = k.must(f"n=0; until [ $(cat /sys/class/net/eth0/carrier) = {want} ]; do "
                       f"n=$((n+1)); [ $n -gt {LINK_WAIT * 10} ] && break; sleep 0.1; done; "
                       "cat /sys/class/net/eth0/carrier")
    if not out or out[-1].strip() != str(want):
        raise CaseFailed(f"eth0's carrier still {out[-1].strip() if out else '?'} {LINK_WAIT} s "
                         f"after set_link {'on' if want else 'off'}")
    return secs


IFF_UP, IFF_RUNNING, IFF_LOWER_UP = 0x1, 0x40, 0x10000
IF_OPER_DOWN, IF_OPER_UP = 2, 6
LINK_NEWS_WAIT = 5                  # seconds from the carrier's change to its RTM_NEWLINK
LINK_WATCH_SECS = 90                # t-ifwatch's life in link_steps (it ends by itself)
LINK_WATCH_LOG = "/tmp/ifwatch.log" # ...and where it writes (its lines would mix with the shell's echo)
NEWLINK_RX = re.compile(r"^ifwatch: RTM_NEWLINK ifindex \d+ flags (0x[0-9a-f]+) operstate (\d+)$")


def ifwatch_newlinks(k, secs, want):
    """t-ifwatch's RTM_NEWLINK lines (flags, operstate) in LINK_WATCH_LOG,
    read until there are want of them or secs pass."""
    deadline = time.monotonic() + secs
    while True:
        out, _ = k.must(f"cat {LINK_WATCH_LOG}")
        got = [(int(m.group(1), 16), int(m.group(2))) for m in (NEWLINK_RX.match(x.strip()) for x in out) if m]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def link_news(k, seen, up):
    """The next RTM_NEWLINK for eth0 t-ifwatch heard after the first seen:
    eth0 still up, its carrier up (IFF_RUNNING, IFF_LOWER_UP, operstate up)
    or down (none of the two, operstate down), as Linux's linkwatch tells
    it. How many it has heard."""
    got = ifwatch_newlinks(k, LINK_NEWS_WAIT, seen + 1)
    if len(got) <= seen:
        raise CaseFailed(f"no RTM_NEWLINK for eth0 within {LINK_NEWS_WAIT} s of its carrier going "
                         f"{'up' if up else 'down'}")
    flags, oper = got[seen]
    carrier = IFF_RUNNING | IFF_LOWER_UP
    if not flags & IFF_UP or flags & carrier != (carrier if up else 0) or \
            oper != (IF_OPER_UP if up else IF_OPER_DOWN):
        raise CaseFailed(f"RTM_NEWLINK after the carrier went {'up' if up else 'down'}: flags {flags:#x} "
                         f"operstate {oper}")
    return len(got)


def link_steps(k, mon):
    """QEMU takes the link down and up again (the monitor's set_link): the
    driver's link-change interrupt must show in eth0's carrier each time,
    and to a netlink listener (t-ifwatch: RTM_NEWLINK with the carrier's
    flags and operstate); the speed must be 1000 Mb/s with the link up,
    and ping must work after. Its figures."""
    out, _ = k.must("cat /sys/class/net/eth0/speed /sys/class/net/eth0/carrier_changes")
    if len(out) < 2 or out[-2].strip() != "1000":
        raise CaseFailed(f"eth0's speed {out[-2].strip() if len(out) > 1 else '?'}, want 1000")
    changes = int(out[-1])
    out, _ = k.must(f"t-ifwatch eth0 {LINK_WATCH_SECS} > {LINK_WATCH_LOG} 2>&1 & sleep 1; cat {LINK_WATCH_LOG}")
    if not any(x.strip().startswith("ifwatch: ready ifindex") for x in out):
        raise CaseFailed("t-ifwatch not ready after a second: " + " / ".join(out[-3:]))
    seen = len(ifwatch_newlinks(k, 0, 0))
    monitor(mon, "set_link net0 off")
    down = carrier_wait(k, 0)
    seen = link_news(k, seen, False)
    monitor(mon, "set_link net0 on")
    up = carrier_wait(k, 1)
    link_news(k, seen, True)
    out, _ = k.must("cat /sys/class/net/eth0/carrier_changes")
    if int(out[-1]) < changes + 2:
        raise CaseFailed(f"carrier_changes {changes} before set_link off and on, {out[-1]} after")
    return [f"link down seen in {down:.1f} s, up in {up:.1f} s, each an RTM_NEWLINK",
            f"ping after {ping(k, GATEWAY_IP)}", neigh_steps(k), subnet_route_steps(k)]


ROUTE_NEWS_RX = re.compile(r"^ifwatch: RTM_(NEW|DEL)ROUTE family 2 oif \d+(?: table (\d+) dst (\S+) pid (\d+))?$")
EXTRA_ADDR, EXTRA_NET = "192.0.2.9/24", "192.0.2.0/24"  # a documentation range beside slirp's


def ipv4_route_news(k, secs, want):
    """t-ifwatch's IPv4 route lines for eth0 (NEW with its table, dst and
    pid, or DEL) in LINK_WATCH_LOG, read until there are want of them or
    secs pass."""
    deadline = time.monotonic() + secs
    while True:
        out, _ = k.must(f"cat {LINK_WATCH_LOG}")
        got = [m.groups() for m in (ROUTE_NEWS_RX.match(x.strip()) for x in out) if m]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def subnet_route_steps(k):
    """ip addr add and del of EXTRA_ADDR on eth0: a netlink listener
    (t-ifwatch) hears the subnet route the kernel makes, RTM_NEWROUTE of
    EXTRA_NET in the main table with port id 0 (Linux's fib_magic, not
    the address request's), and RTM_DELROUTE when the address goes. Its
    figure."""
    seen = len(ipv4_route_news(k, 0, 0))
    k.must(f"ip addr add {EXTRA_ADDR} dev eth0")
    got = ipv4_route_news(k, LINK_NEWS_WAIT, seen + 1)[seen:]
    if ("NEW", "254", EXTRA_NET, "0") not in got:
        raise CaseFailed(f"ip addr add {EXTRA_ADDR}: t-ifwatch heard {got}; want RTM_NEWROUTE {EXTRA_NET} "
                         "table 254 pid 0")
    seen += len(got)
    k.must(f"ip addr del {EXTRA_ADDR} dev eth0")
    got = ipv4_route_news(k, LINK_NEWS_WAIT, seen + 1)[seen:]
    if not any(kind == "DEL" for kind, *_ in got):
        raise CaseFailed(f"ip addr del {EXTRA_ADDR}: t-ifwatch heard {got}; want RTM_DELROUTE")
    return f"{EXTRA_NET}'s subnet route heard coming (pid 0) and going"


NEIGH_NEWS_RX = re.compile(r"^ifwatch: RTM_(NEW|DEL)NEIGH ifindex \d+ family 2 state (0x[0-9a-f]+) dst (\S+)$")
NUD_INCOMPLETE, NUD_REACHABLE = 0x01, 0x02


def gateway_neigh_news(k, secs, want):
    """t-ifwatch's neighbour lines about the gateway (NEW or DEL, state) in
    LINK_WATCH_LOG, read until there are want of them or secs pass."""
    deadline = time.monotonic() + secs
    while True:
        out, _ = k.must(f"cat {LINK_WATCH_LOG}")
        got = [(m.group(1), int(m.group(2), 16)) for m in (NEIGH_NEWS_RX.match(x.strip()) for x in out)
               if m and m.group(3) == GATEWAY_IP]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def neigh_steps(k):
    """The gateway's ARP entry flushed (ip neigh flush: RTM_DELNEIGH) and
    learnt again by a ping: a netlink listener (t-ifwatch, still running
    from link_steps) hears RTM_NEWNEIGH REACHABLE and nothing of the
    INCOMPLETE before it, as Linux's neigh_update tells it. Its figure."""
    seen = len(gateway_neigh_news(k, 0, 0))
    k.must(f"ip neigh flush dev eth0 && ping -c 1 {GATEWAY_IP} >/dev/null")
    got = gateway_neigh_news(k, LINK_NEWS_WAIT, seen + 2)[seen:]
    dels = [i for i, (kind, _) in enumerate(got) if kind == "DEL"]
    reach = [i for i, (kind, state) in enumerate(got) if kind == "NEW" and state == NUD_REACHABLE]
    if not dels or not reach or reach[0] < dels[0] or \
            any(kind == "NEW" and state == NUD_INCOMPLETE for kind, state in got):
        raise CaseFailed(f"ip neigh flush, ping {GATEWAY_IP}: t-ifwatch heard {got}; want RTM_DELNEIGH, "
                         "then RTM_NEWNEIGH REACHABLE (0x2), no INCOMPLETE")
    return "the gateway's ARP entry flushed and learnt: RTM_DELNEIGH, RTM_NEWNEIGH REACHABLE"


def slirp_case(build, outdir, nic, name):
    """Topology (a): Kestrel alone on slirp (restrict=on); on LINK_NICS the
    link taken down and up. Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_DHCP)
    srv = host_server()
    fwd = netpeer.free_port()
    netdev = netpeer.user_netdev("net0", hostfwd=[("tcp", fwd, 80)],
                                 guestfwd=[(GUESTFWD_IP, 80, (netpeer.LOOPBACK, srv.server_port))])
    mondir = tempfile.mkdtemp(prefix="nettest-mon-", dir="/tmp")
    mon = os.path.join(mondir, "m")
    argv = kestrel_argv(img, vars_fd, netdev, nic, pcap_path(outdir, name)) + \
        ["-monitor", f"unix:{mon},server=on,wait=off"]
    try:
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                figures = slirp_steps(k, srv, fwd)
                return figures + (link_steps(k, mon) if nic in LINK_NICS else [])
            finally:
                judge_log(k)
    finally:
        srv.shutdown()
        srv.server_close()
        shutil.rmtree(mondir, ignore_errors=True)


# ---------------------------------------------------------------- /etc/rc's udhcpc

def rc_line(k):
    """rc's line about eth0 and the host seconds from rc's start to it: (match, secs)."""
    k.expect("'init: running /etc/rc' line", RC_STARTED, BOOT_TIMEOUT)
    started = k.at
    m = k.expect("rc's line about eth0", RC_LINE, BOOT_TIMEOUT)
    return m, k.at - started


def renewal(k):
    """A second udhcpc (-f, in the background) takes the lease, is sent SIGUSR1 and
    renews it: the renewal goes by unicast from its UDP socket bound to eth0
    (SO_BINDTODEVICE), and the answer comes back to it. Its log's last lines
    when the second lease line does not come."""
    wait = (f"n=0; until [ $(grep -c 'lease of {KESTREL_IP} obtained' /tmp/renew.log) -ge %d ]; "
            f"do n=$((n+1)); [ $n -gt {RENEW_WAIT * 5} ] && break; sleep 0.2; done")
    k.must("busybox udhcpc -f -i eth0 -s /etc/udhcpc.script >/tmp/renew.log 2>&1 & "
           "echo $! >/tmp/renew.pid")
    k.must(wait % 1 + "; kill -USR1 $(cat /tmp/renew.pid); " + wait % 2)
    _, out, _ = k.run("kill $(cat /tmp/renew.pid); cat /tmp/renew.log")
    if not any("sending renew" in line for line in out) or \
            sum(f"lease of {KESTREL_IP} obtained" in line for line in out) < 2:
        raise CaseFailed("udhcpc did not renew its lease: " + " / ".join(out[-4:]))
    return "renewal by udhcpc's bound UDP socket"


def rc_dhcp_steps(k):
    """The rc-dhcp case's checks on a booting Kestrel; its figures."""
    m, secs = rc_line(k)
    if not m.group(1):
        raise CaseFailed(f"/etc/rc got no lease: '{m.group(0)}'")
    if (m.group(1), m.group(2)) != (KESTREL_IP, "24"):
        raise CaseFailed(f"/etc/rc's lease {m.group(1)}/{m.group(2)}, want {KESTREL_IP}/24")
    figures = [f"rc lease {m.group(1)}/{m.group(2)} {secs:.1f} s after rc started"]
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures.append(f"prompt at {k.at:.0f} s")
    ipconfig = [line for line in k.text().splitlines() if "ipconfig: eth0" in line]
    if ipconfig:
        raise CaseFailed(f"the kernel configured eth0 itself (no ip= was given): '{ipconfig[0]}'")
    status, out, _ = k.run("cat /etc/resolv.conf")
    said = [line for line in out if re.match(r"^(nameserver|search|domain)\b", line)]
    if status != 0 or said:
        raise CaseFailed(f"/etc/resolv.conf: cat exited {status}, lines {said} "
                         "(slirp, restricted, sends no DNS: want an empty file)")
    figures.append("resolv.conf empty (no DNS from slirp)")
    figures.append(renewal(k))
    figures.append(f"ping {ping(k, GATEWAY_IP)}")
    return figures


def rc_dhcp_case(build, outdir, nic, name):
    """Default init on slirp (restrict=on): /etc/rc's lease. Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_RC)
    argv = kestrel_argv(img, vars_fd, netpeer.user_netdev("net0"), nic, pcap_path(outdir, name))
    with Kestrel(name, argv, log_path(outdir, name)) as k:
        try:
            return rc_dhcp_steps(k)
        finally:
            judge_log(k)


def dhcp_discovers(pcap):
    """The DHCP requests (UDP port 68 to 67) in a capture."""
    n = 0
    for _, f in pcap_frames(pcap):
        if len(f) >= ETH_HDR + 28 and struct.unpack_from("!H", f, 12)[0] == ETH_P_IP and \
                f[ETH_HDR + 9] == 17:
            l4 = ETH_HDR + (f[ETH_HDR] & 0xF) * 4
            if len(f) >= l4 + 4 and struct.unpack_from("!HH", f, l4) == (68, 67):
                n += 1
    return n


def rc_noserver_case(build, outdir, nic, name):
    """Default init on a wire nobody else is on: rc gives up quickly. Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_RC)
    with netpeer.Wire() as wire:
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic, pcap_path(outdir, name))
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                m, secs = rc_line(k)
                if m.group(3) != "no DHCP answer":
                    raise CaseFailed(f"rc's line with no DHCP server: '{m.group(0)}'")
                if secs > RC_NOSERVER_MAX:
                    raise CaseFailed(f"rc took {secs:.1f} s to give up, more than {RC_NOSERVER_MAX} s")
                k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
                prompt = k.at
                _, out, _ = k.run("ip -4 addr show dev eth0")
                if any("inet " in line for line in out):
                    raise CaseFailed("eth0 has an IPv4 address with no DHCP server: " +
                                     " / ".join(out))
            finally:
                judge_log(k)
    sent = dhcp_discovers(pcap_path(outdir, name))
    if sent != RC_DHCP_TRIES:
        raise CaseFailed(f"udhcpc sent {sent} DHCP requests, want {RC_DHCP_TRIES} discovers")
    return [f"rc gave up {secs:.1f} s after it started, {sent} discovers sent",
            f"prompt at {prompt:.0f} s"]


# ---------------------------------------------------------------- (b) a Linux peer on a wire

def peer_script():
    """script_server() (10.0.2.2, udhcpd, httpd with /blob) and then, once
    Kestrel's httpd serves /sum, the peer's own checks of Kestrel: ping
    (three echoes) and http (Kestrel's /f), and the values kestrel-sha256
    (what the peer got) and kestrel-said (Kestrel's /sum)."""
    base = netpeer.script_server(blob_kib=PEER_BLOB_KIB).rstrip("\n").split("\n")
    if base[-1] != "netpeer_serve":
        raise RuntimeError("netpeer.script_server() no longer ends in netpeer_serve")
    k = KESTREL_IP
    mine = [f"netpeer_retry {PEER_TIMEOUT * 2} wget -q -O /tmp/ksum http://{k}/sum",
            "netpeer_ready kestrel-httpd",
            f"netpeer_check ping ping -c 3 -i 0.2 -W 2 {k}",
            f"netpeer_check http wget -q -O /tmp/kf http://{k}/f",
            "netpeer_value kestrel-sha256 $(sha256sum /tmp/kf | cut -d' ' -f1)",
            "netpeer_value kestrel-said $(cut -d' ' -f1 /tmp/ksum)"]
    return "\n".join(base[:-1] + mine + ["netpeer_serve"]) + "\n"


def peer_checks(k, peer, said):
    """The peer's checks of Kestrel (ping, http) and the sha256 it fetched
    against what Kestrel said; their figures."""
    figures = []
    try:
        peer.wait_ready("kestrel-httpd", PEER_TIMEOUT)
        for n in ("ping", "http"):
            c = peer.wait_check(n, PEER_TIMEOUT)
            if not c.ok:
                raise CaseFailed(f"the peer's check {n} of Kestrel failed {c.detail}")
            figures.append(f"peer {n} {c.ms} ms (host {c.host_ms} ms)")
        got, told = peer.wait_value("kestrel-sha256", 5), peer.wait_value("kestrel-said", 5)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    if got != said or told != said:
        raise CaseFailed(f"the peer fetched sha256 {got} (Kestrel's /sum: {told}), "
                         f"Kestrel printed {said}")
    blocks = GUEST_FILE_BLOCKS["peer"]
    figures[-1] += f", {blocks * 64 // 1024} MiB sha256 matches"
    return figures


V4_BIG = 3000                       # ping -s: echoes in three fragments each way


def snmp4(k):
    """Kestrel's /proc/net/snmp as {"Ip.ReasmOKs": n, ...}."""
    out, _ = k.must("cat /proc/net/snmp")
    return netflood.snmp_counters(out)


def peer_steps(k, peer):
    """The peer case's checks on a booted Kestrel; its figures."""
    figures = []
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures.append(f"prompt at {k.at:.0f} s")
    figures.append(lease(k, GATEWAY_IP, GATEWAY_IP))
    figures.append(f"ping {ping(k, GATEWAY_IP)}")
    figures.append(f"ping -s {V4_BIG} (fragments) {ping(k, GATEWAY_IP, f'ping -s {V4_BIG}')}")
    mib = snmp4(k)
    if mib.get("Ip.ReasmOKs", 0) < 3 or mib.get("Ip.FragCreates", 0) < 6:
        raise CaseFailed(f"ping -s {V4_BIG}: Ip ReasmOKs {mib.get('Ip.ReasmOKs')}, FragCreates "
                         f"{mib.get('Ip.FragCreates')}, want 3 and 6 at least")
    try:
        want = peer.wait_value("blob-sha256", 5)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    _, out, secs = k.run(f"wget -O - http://{GATEWAY_IP}/blob | sha256sum")
    got = sha256_of(out, "-")
    if got != want:
        raise CaseFailed(f"fetch of the peer's /blob: sha256 {got}, the peer has {want} "
                         "(" + " / ".join(out[-3:]) + ")")
    figures.append(f"fetch {rate(PEER_BLOB_KIB * 1024, secs)}, sha256 matches")
    said = guest_file(k, GUEST_FILE_BLOCKS["peer"])
    figures += peer_checks(k, peer, said)
    if not k.running():
        raise CaseFailed(f"Kestrel's QEMU ended (status {k.status}) during the peer's checks")
    k.must("echo still-here")
    return figures


def with_peer(build, outdir, nic, name, script, ready, steps, files=None, cmdline=None,
              ipv6=False, extra_argv=()):
    """Topology (b): boot the Linux peer running script (with IPv6 when ipv6)
    and, once it printed its ready line, Kestrel on the same wire (ip=dhcp,
    or cmdline); steps(k, peer) drives both. Returns steps' figures and the
    peer's boot time."""
    peer_nic = PEER_NIC if nic == USB_NIC else nic
    with netpeer.Wire() as wire, \
            netpeer.LinuxPeer(build, script, nic=peer_nic, wire=wire, side=1, files=files,
                              logdir=outdir, name=name + ".peer", ipv6=ipv6) as peer:
        img, vars_fd = make_image(build, outdir, name, cmdline or CMDLINE_DHCP)
        try:
            # Kestrel's DHCP gives up after about 10 s: the peer must be up first
            peer.wait_up(PEER_TIMEOUT)
            peer.wait_ready(ready, PEER_TIMEOUT)
        except netpeer.PeerError as e:
            raise CaseFailed(str(e))
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                            pcap_path(outdir, name)) + list(extra_argv)
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                return steps(k, peer), peer.boot_seconds
            finally:
                judge_log(k)


# ping payloads whose frames (14 + 20 + 8 + payload bytes) are whole numbers
# of usb-net's 64-byte packets: 128 and 1472 bytes, which the driver must end
# with a zero-length packet (USB 2.0, 5.8.3) or the device waits for more
ZLP_PING_SIZES = (86, 1430)


def usb_peer_steps(k, peer):
    """peer_steps, then pings whose frames need a zero-length packet."""
    figures = peer_steps(k, peer)
    for size in ZLP_PING_SIZES:
        figures.append(f"ping -s {size} (a {size + 42}-byte frame) "
                       f"{ping(k, GATEWAY_IP, f'ping -W 2 -s {size}')}")
    return figures


def peer_case(build, outdir, nic, name):
    """Topology (b): Kestrel and a Linux peer on a wire (on usb-net, with
    usb_peer_steps). Returns the figures."""
    steps = usb_peer_steps if nic == USB_NIC else peer_steps
    figures, boot = with_peer(build, outdir, nic, name, peer_script(), "server", steps)
    return figures + [f"peer boot {boot:.1f} s"]


# ---------------------------------------------------------------- (b') the USB NIC pulled out

UNPLUG_BLOB_KIB = 32 * 1024         # the peer's /blob: far longer than the wait before the unplug
UNPLUG_AFTER = 1                    # seconds of transfer before device_del
UNPLUG_READ_TIMEOUT = 5             # wget -T: its read timeout
UNPLUG_END_MAX = 30                 # seconds from device_del to wget's end
UNPLUG_GONE_MAX = 15                # seconds from device_del to the driver's "unregistered" line
REPLUG_WAIT = 30                    # seconds from device_add to the new interface's log line
REPLUG_IP = "10.0.2.16"             # the new interface's address (the old one went with eth0)
REPLUG_CYCLES = 5                   # unplug and plug again, a transfer each time
REPLUG_FETCH_KIB = 1024             # each cycle's transfer: the head of the peer's /blob
REPLUG_MEM_SLACK = 256              # kB MemFree may lose over the cycles (an adapter's pages, 76 KiB, leaked each time would show)
WATCH_SECS = 40                     # t-ifwatch's wait for eth0 to go


def unplug_script():
    """script_server() with a /blob of UNPLUG_BLOB_KIB."""
    return netpeer.script_server(blob_kib=UNPLUG_BLOB_KIB)


def rx_bytes(k, dev):
    """dev's received bytes, from Kestrel's /sys/class/net."""
    out, _ = k.must(f"cat /sys/class/net/{dev}/statistics/rx_bytes")
    return int(out[-1])


def eth0_gone(k, addr):
    """As on Linux once a device is unregistered: `ip link` lists no eth0,
    `ip addr` none of its address addr, /sys/class/net and /proc/net/dev
    no eth0."""
    out, _ = k.must("ip link; echo IFACES: $(ls /sys/class/net); cat /proc/net/dev")
    listed = re.compile(r"^\d+: eth0[:@]|^IFACES:.*\beth0\b|^\s*eth0:")  # ip link, sysfs, /proc/net/dev
    left = [line for line in out if listed.search(line)]
    if left:
        raise CaseFailed("eth0 still listed after its unplug: " + " / ".join(left[:3]))
    out, _ = k.must("ip addr")
    if any(re.search(rf"inet {re.escape(addr)}/", line) for line in out):
        raise CaseFailed(f"ip addr still shows {addr} after the unplug: " + " / ".join(out[-4:]))


def unplug_mid_fetch(k, mon):
    """device_del while t-httpget (rootfs/src/httpget.c, in the background;
    reads time out after UNPLUG_READ_TIMEOUT s) fetches the peer's /blob and
    t-ifwatch (rootfs/src/ifwatch.c) watches eth0: the fetch must end with
    an error within UNPLUG_END_MAX s, part of the blob in; eth0 is
    unregistered as Linux does it (gone from ip link, ip addr, sysfs and
    /proc/net/dev; netlink's listeners get RTM_DELADDR and RTM_DELLINK; a
    packet socket blocked on it fails with ENETDOWN; a socket bound to it
    sends into ENODEV); the shell answers. Its figures."""
    start = len(k.lines)
    k.must(f"t-ifwatch eth0 {WATCH_SECS} & echo started")
    k.expect("t-ifwatch's ready line", r"ifwatch: ready ifindex (\d+)", 10, start)
    k.must(f"(t-httpget {GATEWAY_IP} 80 /blob {UNPLUG_READ_TIMEOUT}; echo HTTPGET-END=$?) & echo started")
    time.sleep(UNPLUG_AFTER)
    monitor(mon, f"device_del {USB_DEV}")
    t_del = time.monotonic()
    m = k.expect("t-httpget's end", r"^HTTPGET-END=(\d+)$", UNPLUG_END_MAX, start)
    secs = time.monotonic() - t_del
    said = k.expect("t-httpget's line", r"^httpget: (.*) after (\d+) bytes$", 1, start)
    got = int(said.group(2))
    if m.group(1) != "1" or not 0 < got < UNPLUG_BLOB_KIB * 1024:
        raise CaseFailed(f"t-httpget after the unplug: status {m.group(1)}, '{said.group(0)}'; "
                         "want status 1 (an error) with part of the blob in")
    k.expect("the driver's unregistered line", r"usb-net: eth0 unregistered", UNPLUG_GONE_MAX, start)
    gone = watch_lines(k, start)
    k.must("echo alive")
    eth0_gone(k, KESTREL_IP)
    return [f"t-httpget ended ({said.group(1)}) {secs:.1f} s after device_del, "
            f"{got // 1024} KiB of {UNPLUG_BLOB_KIB} in", gone]


def watch_lines(k, start):
    """t-ifwatch's lines since start, in the order Linux's listeners hear
    them: RTM_NEWLINK with IFF_UP clear, RTM_DELROUTE for eth0's IPv6
    link-local route, RTM_DELADDR for its IPv6 then IPv4 address,
    RTM_DELLINK; and ENETDOWN on the packet socket blocked on eth0, ENODEV
    on the send and the connect bound to it."""
    at = start
    notes = (("RTM_NEWLINK for eth0", r"ifwatch: RTM_NEWLINK ifindex \d+ flags (0x[0-9a-f]+) operstate \d+$"),
             ("RTM_DELROUTE for eth0's IPv6 route", r"ifwatch: RTM_DELROUTE family 10 oif \d+$"),
             ("RTM_DELADDR for eth0's IPv6 address", r"ifwatch: RTM_DELADDR ifindex \d+ family 10$"),
             ("RTM_DELADDR for eth0's IPv4 address", r"ifwatch: RTM_DELADDR ifindex \d+ family 2$"),
             ("RTM_DELLINK for eth0", r"ifwatch: RTM_DELLINK ifindex \d+ name eth0$"))
    for what, pattern in notes:
        got = k.wait_for(pattern, 5, at)
        if not got:
            raise CaseFailed(f"no {what} after the one before it")
        if what.startswith("RTM_NEWLINK") and int(got[2].group(1), 16) & 1:
            raise CaseFailed(f"RTM_NEWLINK before eth0's RTM_DELLINK has IFF_UP set ({got[2].group(1)})")
        at = got[0] + 1
    pk = k.expect("the packet socket's error", r"ifwatch: packet recv: (\S+)", 5, start)
    snd = k.expect("the bound socket's send", r"ifwatch: bound send: (\S+)", 5, start)
    con = k.expect("the bound socket's connect", r"ifwatch: bound connect: (\S+)", 5, start)
    nam = k.expect("the bound socket's SO_BINDTODEVICE", r"ifwatch: bound name: (\S+)", 5, start)
    if pk.group(1) != "ENETDOWN" or snd.group(1) != "ENODEV" or con.group(1) != "ENODEV" or nam.group(1) != "ENODEV":
        raise CaseFailed(f"after the unplug: packet socket's recv {pk.group(1)}, bound send {snd.group(1)}, "
                         f"bound connect {con.group(1)}, SO_BINDTODEVICE read back {nam.group(1)}; "
                         "want ENETDOWN, ENODEV, ENODEV and ENODEV (Linux's)")
    return ("ifwatch: RTM_NEWLINK (down), RTM_DELROUTE and RTM_DELADDR (IPv6), RTM_DELADDR (IPv4), "
            "RTM_DELLINK, packet recv ENETDOWN, bound send, connect and SO_BINDTODEVICE ENODEV")


def plug(k, mon, n):
    """device_add of usb-net number n on the same netdev: eth0 again (Linux
    gives the first free name) within REPLUG_WAIT s, up with REPLUG_IP and
    its carrier. The seconds it took."""
    start = len(k.lines)
    t0 = time.monotonic()
    monitor(mon, f"device_add usb-net,id={USB_DEV}{n},netdev=net0,mac={netpeer.KESTREL_MAC},bus={USB_HC}.0")
    name = k.expect("the new interface", r"usb-net (eth\d+): usb \S+ CDC-ECM", REPLUG_WAIT, start).group(1)
    if name != "eth0":
        raise CaseFailed(f"the adapter plugged in again is {name}; Linux names it eth0 (eth0 is free)")
    secs = time.monotonic() - t0
    k.must(f"ip link set eth0 up && ip addr add {REPLUG_IP}/24 dev eth0")
    k.must("n=0; until [ $(cat /sys/class/net/eth0/carrier) = 1 ] || [ $n -gt 50 ]; do "
           "n=$((n+1)); sleep 0.1; done; cat /sys/class/net/eth0/carrier")
    return secs


def unplug(k, mon, n):
    """device_del of usb-net number n: eth0 unregistered and gone (eth0_gone)."""
    start = len(k.lines)
    monitor(mon, f"device_del {USB_DEV}{n}")
    k.expect("the driver's unregistered line", r"usb-net: eth0 unregistered", UNPLUG_GONE_MAX, start)
    eth0_gone(k, REPLUG_IP)


def fetch_head(k):
    """REPLUG_FETCH_KIB of the peer's /blob over eth0: the bytes that came."""
    out, secs = k.must(f"wget -q -O - http://{GATEWAY_IP}/blob | head -c {REPLUG_FETCH_KIB * 1024} | wc -c")
    got = int(out[-1].strip()) if out and out[-1].strip().isdigit() else -1
    if got != REPLUG_FETCH_KIB * 1024:
        raise CaseFailed(f"fetch over eth0 after a replug: {got} bytes, want {REPLUG_FETCH_KIB * 1024}")
    return secs


def replug(k, peer, mon):
    """A new usb-net comes as eth0, pings the peer and fetches from it; then
    REPLUG_CYCLES times unplugged and plugged again with a fetch each time:
    MemFree after the last within REPLUG_MEM_SLACK kB of after the first,
    and no panic. Its figures."""
    secs = plug(k, mon, 1)
    figures = [f"eth0 again {secs:.1f} s after device_add", f"ping on eth0 {ping(k, GATEWAY_IP)}",
               f"fetch over eth0 {fetch_head(k):.1f} s"]
    before = memfree(k)
    for n in range(2, REPLUG_CYCLES + 2):
        unplug(k, mon, n - 1)
        plug(k, mon, n)
        fetch_head(k)
    after = memfree(k)
    if after < before - REPLUG_MEM_SLACK:
        raise CaseFailed(f"MemFree {before} kB before {REPLUG_CYCLES} replugs, {after} kB after: "
                         f"more than {REPLUG_MEM_SLACK} kB gone")
    figures.append(f"{REPLUG_CYCLES} replugs with {REPLUG_FETCH_KIB} KiB each: MemFree {before} -> {after} kB")
    return figures


def unplug_steps(k, peer, mon):
    """The unplug case on a booted Kestrel; its figures."""
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures = [f"prompt at {k.at:.0f} s", lease(k, GATEWAY_IP, GATEWAY_IP)]
    figures += unplug_mid_fetch(k, mon)
    return figures + replug(k, peer, mon)


def unplug_case(build, outdir, nic, name):
    """Topology (b) with the USB NIC and QEMU's monitor: the adapter pulled out
    in the middle of a fetch and a new one plugged in. Returns the figures."""
    mondir = tempfile.mkdtemp(prefix="nettest-mon-")  # the default temporary directory: a short socket path
    mon = os.path.join(mondir, "m")
    try:
        figures, boot = with_peer(build, outdir, nic, name, unplug_script(), "server",
                                  lambda k, peer: unplug_steps(k, peer, mon),
                                  extra_argv=["-monitor", f"unix:{mon},server=on,wait=off"])
    finally:
        shutil.rmtree(mondir, ignore_errors=True)
    return figures + [f"peer boot {boot:.1f} s"]


# ---------------------------------------------------------------- (c) a hostile host on a wire

CMDLINE_STATIC = f"init=/bin/sh ip={KESTREL_IP}::{GATEWAY_IP}:255.255.255.0"
FLOOD_SYNS = 10000                  # (a): SYNs never followed by an ACK
FLOOD_FRAMES = 5000                 # (b): hostile frames
FLOOD_SEED = 1                      # the sources, ports and frames (the same each run)
FLOOD_SETTLE = 35                   # seconds after the last frame: reassembly's 30 s are over
FLOOD_MEM_SLACK = 4096              # kB MemFree may stay below its value before the flood
FLOOD_SHELL = 30                    # seconds `echo alive` may take after the flood
FLOOD_OTHER_PORT = 8080             # another listener, which port 80's flood must leave alone
FLOOD_OTHER_CLIENT = "10.0.2.4"     # its client's address (the injector's)
FLOOD_OTHER_WAIT = 10               # seconds its fetch may take
HALF_OPEN_MAX = 256                 # tcp_sock.c's TCP_HALF_OPEN_MAX
FLOOD_SNMP = ("Ip.InReceives", "Ip.InHdrErrors", "Ip.InAddrErrors", "Ip.ReasmReqds",
              "Ip.ReasmOKs", "Ip.ReasmFails", "Ip.ReasmTimeout", "Tcp.InSegs", "Tcp.InErrs",
              "Tcp.OutSegs", "Tcp.OutRsts", "Tcp.PassiveOpens", "Udp.InErrors", "Icmp.InMsgs",
              "Icmp.OutMsgs")


def memfree(k):
    """MemFree of Kestrel's /proc/meminfo, in kB."""
    out, _ = k.must("cat /proc/meminfo")
    for line in out:
        m = re.match(r"MemFree:\s+(\d+) kB", line.strip())
        if m:
            return int(m.group(1))
    raise CaseFailed("no MemFree in /proc/meminfo: " + " / ".join(out[:3]))


def net_state(k):
    """Kestrel's /proc/net/snmp counters and /proc/net/tcp states: (dict, dict)."""
    out, _ = k.must("cat /proc/net/snmp")
    snmp = netflood.snmp_counters(out)
    out, _ = k.must("cat /proc/net/tcp")
    return snmp, netflood.tcp_states(out)


def other_listener(inj, rng):
    """GET / from the other listener, right after port 80's flood: each
    listener has its own SYN queue. Its figure; CaseFailed if it failed."""
    c = netflood.TcpClient(inj, FLOOD_OTHER_CLIENT, KESTREL_IP, FLOOD_OTHER_PORT,
                           random.Random(rng.getrandbits(32)))
    try:
        body, synack_s, secs = c.fetch(b"GET / HTTP/1.0\r\n\r\n", time.monotonic() + FLOOD_OTHER_WAIT)
    except netflood.FloodError as e:
        raise CaseFailed(f"port {FLOOD_OTHER_PORT} after the flood of port 80: {e}")
    if b"flood-ok" not in body:
        raise CaseFailed(f"port {FLOOD_OTHER_PORT} answered {body[:80]!r}")
    return f"port {FLOOD_OTHER_PORT} answered in {secs:.2f} s"


def flood_figures(a, b, mem, snmp0, snmp1, states, client, inj):
    """The flood case's figures: what was sent, what Kestrel counted, the handshake."""
    delta = {n.split(".")[1]: snmp1.get(n, 0) - snmp0.get(n, 0) for n in FLOOD_SNMP}
    hs = (f"handshake ok (SYN-ACK after {client['synack_s']:.1f} s, {client['syns']} SYNs, "
          f"{len(client['answer'])} bytes)" if client.get("ok") else
          f"handshake refused ({client.get('error', 'no result')})")
    return [f"(a) {a['syns']} SYNs in {a['secs']:.1f} s from {a['answered']}+{a['silent']} "
            f"answered+silent sources",
            f"(b) {b['frames']} frames in {b['secs']:.1f} s",
            hs,
            f"MemFree {mem[0]} -> {mem[1]} -> {mem[2]} kB",
            f"SYN_RECV {states[0].get('SYN_RECV', 0)} after, {states[1].get('SYN_RECV', 0)} "
            f"{FLOOD_SETTLE} s later",
            "snmp +" + " ".join(f"{k}={v}" for k, v in delta.items()),
            "injector saw " + " ".join(f"{k}={v}" for k, v in inj.seen.items())]


def flood_steps(k, inj):
    """The flood case's checks on a booted Kestrel; its figures."""
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    if not re.search(rf"ipconfig: eth0 {re.escape(KESTREL_IP)}/24 gateway "
                     rf"{re.escape(GATEWAY_IP)} \(static\)", k.text()):
        raise CaseFailed("no 'ipconfig: eth0 10.0.2.15/24 gateway 10.0.2.2 (static)' line")
    k.must("mkdir -p /tmp/www && echo flood-ok > /tmp/www/index.html && "
           f"httpd -p 80 -h /tmp/www && httpd -p {FLOOD_OTHER_PORT} -h /tmp/www")
    ping(k, GATEWAY_IP)
    mem0, (snmp0, _) = memfree(k), net_state(k)
    rng = random.Random(FLOOD_SEED)
    a = netflood.syn_flood(inj, rng, FLOOD_SYNS, 80)
    other = other_listener(inj, rng)
    client = {}
    t_client = time.monotonic()
    th = threading.Thread(target=netflood.client_thread,
                          args=(inj, rng, t_client + FLOOD_SETTLE, client), daemon=True)
    th.start()
    b = netflood.send_hostile(inj, FLOOD_SEED, FLOOD_FRAMES)
    t_end = time.monotonic()
    out, _ = k.must("echo alive", FLOOD_SHELL)
    if "alive" not in out:
        raise CaseFailed(f"`echo alive` printed {out!r}")
    _, states = net_state(k)
    ping(k, GATEWAY_IP)
    mem1 = memfree(k)
    time.sleep(max(0.0, t_end + FLOOD_SETTLE - time.monotonic()))
    mem2, (snmp1, states2) = memfree(k), net_state(k)
    th.join(FLOOD_SETTLE)
    if not client.get("ok") or b"flood-ok" not in client["answer"]:
        raise CaseFailed(f"no GET / on port 80 within {FLOOD_SETTLE} s of the flood: "
                         f"{client.get('error', 'no result')}")
    if inj.errors:
        raise CaseFailed("injector: " + "; ".join(inj.errors[:3]))
    if states.get("SYN_RECV", 0) > HALF_OPEN_MAX:
        raise CaseFailed(f"{states['SYN_RECV']} connections in SYN_RECV, over {HALF_OPEN_MAX}")
    if mem2 < mem0 - FLOOD_MEM_SLACK:
        raise CaseFailed(f"MemFree {mem0} kB before the flood, {mem2} kB {FLOOD_SETTLE} s after "
                         f"its end (over {FLOOD_MEM_SLACK} kB less); /proc/net/tcp: {states2}")
    return [other] + flood_figures(a, b, (mem0, mem1, mem2), snmp0, snmp1, (states, states2),
                                   client, inj)


def flood_case(build, outdir, nic, name):
    """Kestrel on a wire to netflood.Injector (10.0.2.2). Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_STATIC)
    with netpeer.Wire() as wire, netflood.Injector(wire, side=1) as inj:
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                            pcap_path(outdir, name))
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                return flood_steps(k, inj)
            finally:
                judge_log(k)


# ---------------------------------------------------------------- the drivers' self-tests on a wire

CMDLINE_SELFTEST = "init=/bin/sh selftest=kernel"   # the in-kernel tests, then the shell
SELFTEST_TIMEOUT = 300              # QEMU's start to the self-tests' summary (TCG, a loaded host)
SELFTEST_DONE = r"selftest: (\d+) passed, (\d+) failed"
SELFTEST_WIRE = r"e1000-wire \((\S+)\): 10000 frames in \(0 bad\) in (\d+) ms"
# The driver's tests that must say ok on this NIC (a skip is a failure here:
# the device, its MSI-X and the peer are all there).
E1000_SELFTESTS = ["e1000-mac-eeprom", "e1000-rx-hostile", "e1000-tx-ring", "e1000-wire",
                   "e1000-wire-polled"]
SELFTEST_MUST = {"e1000": E1000_SELFTESTS,
                 "e1000e": ["e1000e-msix", "e1000-wire-intx"] + E1000_SELFTESTS}


def wire_sessions(nic):
    """The exchanges e1000_peer.py will see: one per e1000-wire* test that must run."""
    return sum(n.startswith("e1000-wire") for n in SELFTEST_MUST[nic])


def selftest_case(build, outdir, nic, name):
    """Kestrel's in-kernel self-tests with the NIC on a wire to
    tests/boot/e1000_peer.py (frames both ways, in the interrupt mode the
    driver chose and then polled). Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_SELFTEST)
    with netpeer.Wire() as wire:
        peer = subprocess.Popen([sys.executable, os.path.join(HERE, "e1000_peer.py"),
                                 "--listen", wire.path(1), "--qemu", wire.path(0),
                                 "--sessions", str(wire_sessions(nic)),
                                 "--timeout", str(SELFTEST_TIMEOUT)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                                pcap_path(outdir, name))
            with Kestrel(name, argv, log_path(outdir, name)) as k:
                try:
                    return selftest_steps(k, nic, peer)
                finally:
                    judge_log(k)
        finally:
            if peer.poll() is None:
                peer.kill()
            out = peer.communicate()[0].decode(errors="replace")
            with open(os.path.join(outdir, name + ".peer.log"), "w") as f:
                f.write(out)


def selftest_steps(k, nic, peer):
    """The self-tests' summary and the driver's own lines; the peer's verdict."""
    m = k.expect("the self-tests' summary", SELFTEST_DONE, SELFTEST_TIMEOUT)
    text = k.text()
    bad = [n for n in SELFTEST_MUST[nic] if not re.search(rf"^.*selftest: {n} ok$", text, re.M)]
    if bad:
        said = [line.strip() for line in text.splitlines()
                if any(f"selftest: {n} " in line for n in bad)]
        raise CaseFailed("driver self-tests not ok: " + " / ".join(said or bad))
    if m.group(2) != "0":
        raise CaseFailed(f"self-tests: {m.group(0)}")
    try:
        out = peer.communicate(timeout=30)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        raise CaseFailed("e1000_peer.py did not end after the self-tests")
    if peer.returncode != 0:
        raise CaseFailed(f"e1000_peer.py exited {peer.returncode}: " + " / ".join(out.splitlines()[-3:]))
    wire = [f"{w.group(1)} {w.group(2)} ms" for w in re.finditer(SELFTEST_WIRE, text, re.M)]
    return [f"{len(SELFTEST_MUST[nic])} driver self-tests ok, {m.group(1)} in all",
            "10,000 frames in, 2,000 out: " + ", ".join(wire)]


# ---------------------------------------------------------------- (b) TCP options against Linux

def tcpopts_script():
    """script_server() without httpd (udhcpd for Kestrel's lease), then
    t-tcpopts's server on TCPOPTS_PORT (ready tcpopts) and the program
    itself against it, its lines on the peer's console."""
    base = netpeer.script_server(httpd=False).rstrip("\n").split("\n")
    if base[-1] != "netpeer_serve":
        raise RuntimeError("netpeer.script_server() no longer ends in netpeer_serve")
    mine = ["chmod 755 /bin/t-tcpopts",
            f"/bin/t-tcpopts serve {TCPOPTS_PORT} >/tmp/tcpopts.serve 2>&1 &",
            "netpeer_retry 10 grep -q serving /tmp/tcpopts.serve",
            "netpeer_ready tcpopts",
            f"/bin/t-tcpopts {GATEWAY_IP} {TCPOPTS_PORT}"]
    return "\n".join(base[:-1] + mine + ["netpeer_serve"]) + "\n"


def tcpopts_verdicts(lines):
    """{check: 'ok'|'FAIL ...'|'SKIP ...'} from t-tcpopts's lines, and its summary
    (passed, failed) or None."""
    verdicts, summary = {}, None
    for line in lines:
        m = re.search(r"tcpopts: (\w+) (ok|FAIL|SKIP)(.*)$", line)
        if m:
            verdicts[m.group(1)] = m.group(2) + m.group(3)
        m = re.search(TCPOPTS_SUMMARY, line)
        if m:
            summary = (int(m.group(1)), int(m.group(2)))
    return verdicts, summary


def tcpopts_compare(mine, linux):
    """CaseFailed unless Kestrel's and Linux's runs both passed every check;
    the figures: how many, and Kestrel's remarks where it made one."""
    (kv, ks), (lv, ls) = mine, linux
    bad = [f"{n}: Kestrel {kv.get(n, 'missing')}, Linux {lv.get(n, 'missing')}"
           for n in sorted(set(kv) | set(lv)) if kv.get(n, "")[:2] != "ok" or lv.get(n, "")[:2] != "ok"]
    if bad or not ks or not ls or ks[1] or ls[1] or ks[0] != ls[0]:
        raise CaseFailed(f"tcpopts: Kestrel {ks}, Linux {ls} (passed, failed): " + "; ".join(bad))
    return [f"tcpopts {ks[0]} checks as Linux"]


def tcpopts_steps(k, peer):
    """The program on Kestrel, then the peer's own run; their figures."""
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures = [f"prompt at {k.at:.0f} s", lease(k, GATEWAY_IP, GATEWAY_IP)]
    _, out, secs = k.run(f"t-tcpopts {GATEWAY_IP} {TCPOPTS_PORT}", TCPOPTS_TIMEOUT)
    mine = tcpopts_verdicts(out)
    try:
        peer.wait_line("t-tcpopts's summary", TCPOPTS_SUMMARY, PEER_TIMEOUT)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    linux = tcpopts_verdicts(line for _, line in list(peer.lines))
    figures += tcpopts_compare(mine, linux)
    figures.append(f"run {secs:.1f} s")
    return figures


def tcpopts_case(build, outdir, nic, name):
    """Topology (b): t-tcpopts on Kestrel and on Linux against the peer's server."""
    with open(os.path.join(build, TCPOPTS_BIN), "rb") as f:
        prog = f.read()
    figures, _ = with_peer(build, outdir, nic, name, tcpopts_script(), "tcpopts", tcpopts_steps,
                           files={"/bin/t-tcpopts": prog})
    return figures


# ---------------------------------------------------------------- (d) a lossy and a hostile wire

LOSS_MIB = 4                        # MiB each way through the lossy relay
LOSS_PERCENT = 5                    # its loss rate, with netloss's reordering and duplication
LOSS_SEED = 1
LOSS_MAX_S = 45                     # seconds a direction may take (about 10 here; Kestrel's offer
                                    # of SACK it did not do made Linux's sending take 60-180)
MUTATE_SECONDS = int(os.environ.get("MUTATE_SECONDS", "30"))   # the hostile phase (1800: issue 31's)
MUTATE_SEED = 1
MUTATE_SETTLE = 35                  # seconds after it before MemFree is read (reassembly's 30 s)
MUTATE_MEM_SLACK = 4096             # kB MemFree may stay below its value before
MUTATE_PING_WAIT = 30               # seconds ping may need to be answered again (ARP may have
                                    # learnt a corrupted address and must find the right one)
MUTATE_WATCH = 1.0                  # seconds between looks at the guests and the relay in the phase
MUTATE_PROGRESS = 60                # seconds between the phase's progress lines (stderr)
MUTATE_SILENT = 120                 # seconds the relay may see no frame either way in the phase
MUTATE_PEER_ROUND = 120             # seconds the peer's loop may take for a round (its time
                                    # limits add up to 35; from the phase's start PEER_TIMEOUT more)
MUTATE_PCAP_SECONDS = int(os.environ.get("MUTATE_PCAP_SECONDS", "300"))   # a capture segment


def loss_case(build, outdir, nic, name):
    """Kestrel and the Linux peer through netrelay at LOSS_PERCENT loss with
    reordering and duplication (netloss.kestrel_run): LOSS_MIB MiB each way,
    sha256 checked at both ends. Returns the figures."""
    import netloss      # it imports this module: here, not at the top
    try:
        r = netloss.kestrel_run(build, outdir, name, nic, LOSS_MIB, LOSS_PERCENT, seed=LOSS_SEED,
                                pcap=pcap_path(outdir, name))
    except netloss.nettest.CaseFailed as e:
        # run as a script, this module is __main__ and netloss has its own copy
        # of it: its CaseFailed is another class
        raise CaseFailed(str(e))
    for d, who in (("to2", "to Linux"), ("to15", "to Kestrel")):
        if r.ms[d] > LOSS_MAX_S * 1000:
            raise CaseFailed(f"{who}: {LOSS_MIB} MiB took {r.ms[d] / 1000:.1f} s, over "
                             f"{LOSS_MAX_S} s ({r.retrans[d]} retransmissions)")
    ext = r.tcpext
    # SACK negotiated with Linux (net.ipv4.tcp_sack 1 on both): Kestrel's
    # sending recovers by SACK, never NewReno, and its receiver's islands
    # are counted
    if not ext.get("TCPSackRecovery") or ext.get("TCPRenoRecovery") or not ext.get("TCPOFOQueue"):
        raise CaseFailed("Kestrel's TcpExt: " + ", ".join(f"{n} {v}" for n, v in ext.items()))
    return [f"{LOSS_MIB} MiB each way at {LOSS_PERCENT}% loss, sha256 matches",
            f"to Linux {r.ms['to2'] / 1000:.1f} s ({r.retrans['to2']} retrans)",
            f"to Kestrel {r.ms['to15'] / 1000:.1f} s (Linux {r.retrans['to15']} retrans)",
            "relay " + netrelay.summary(r.relay),
            "Kestrel " + " ".join(f"{n[3:]} {v}" for n, v in ext.items())]


def mutate_script():
    """The peer for the mutate case: 10.0.2.2, httpd with a 1 MiB /blob, and,
    once Kestrel serves, a loop fetching Kestrel's /f and pinging it until
    Kestrel serves /stop. Every command of the loop has a time limit, ping's
    too: busybox's ping reads its raw socket without checking the ICMP
    checksum, so a reply whose timestamp the relay flipped gives an RTT near
    2^32 us, and with a reply missing as well it waits twice its longest RTT
    for the last one, over two hours (a half-hour run of 2026-11-27 lost the
    peer's loop so, 11 minutes in). Each round of the loop prints
    `netpeer: round N` (peer_stalled() watches them)."""
    k = KESTREL_IP
    return "\n".join([
        f"netpeer_up {GATEWAY_IP}/24 || exit 1",
        "dd if=/dev/urandom of=/www/blob bs=1024 count=1024 2>/dev/null",
        "netpeer_value blob-sha256 $(sha256sum /www/blob | cut -d' ' -f1)",
        "httpd -p 80 -h /www",
        "netpeer_ready server",
        f"netpeer_retry {PEER_TIMEOUT} wget -q -O /dev/null http://{k}/f",
        "n=0 r=0",
        f"until timeout 10 wget -q -O /dev/null http://{k}/stop 2>/dev/null; do",
        f"\ttimeout 20 wget -q -O /dev/null http://{k}/f 2>/dev/null && n=$((n + 1))",
        f"\ttimeout 5 ping -c 5 -i 0.1 -W 1 {k} >/dev/null 2>&1",
        "\tr=$((r + 1)); echo \"netpeer: round $r\"",
        "done",
        "netpeer_value fetches $n",
        "netpeer_serve"]) + "\n"


def ended(k, peer, relay):
    """Why the hostile phase cannot go on: which of Kestrel's QEMU, the
    peer's and the relay has ended, how, and its last words; or None."""
    for who, proc, guest in (("Kestrel's QEMU", k.proc, k),
                             ("the Linux peer's QEMU", peer.proc, peer),
                             ("the relay", relay.proc, None)):
        status = proc.poll()
        if status is None:
            continue
        how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
        why = f"{who} {how}"
        if guest is not None:
            last = [line for _, line in guest.lines[-2:]]
            why += f"; its console's last lines: {last}; its stderr: {guest.qemu_stderr()[-300:]!r}"
        return why
    return None


class CaptureRing:
    """Kestrel's capture kept to its last two segments of `seconds` each.

    QEMU's filter-dump (id f0, kestrel_argv's) writes one file for its
    whole life: in the half-hour mutate run of 2026-11-27 it held 480 MB
    by minute 26 (about 300 kB a second). tick() replaces it through
    QEMU's monitor once a segment is due: object_del closes the file,
    which becomes NAME.1.pcap (the older one goes), and object_add opens
    NAME.pcap afresh. The frames of the milliseconds between the two
    commands are not captured, and a segment opened this way has its
    timestamps ahead by the guest's uptime at its opening (filter-dump
    adds its virtual clock to the wall clock at the file's opening):
    intervals within a segment are right, across two they are not.
    Raises CaseFailed when the monitor refuses (QEMU gone is ended()'s
    to report).
    """

    def __init__(self, monitor, path, seconds):
        self.monitor, self.path, self.seconds = monitor, path, seconds
        self.due = time.monotonic() + seconds
        self.rotations = 0

    def tick(self):
        if time.monotonic() < self.due:
            return
        self.due = time.monotonic() + self.seconds
        try:
            mon = qmon.Monitor.connect(self.monitor)
        except OSError as e:
            raise CaseFailed(f"the capture ring: no QEMU monitor ({e})")
        try:
            out = mon.run("object_del f0")
            if "\nError" not in out:
                os.replace(self.path, older_pcap(self.path))
                out = mon.run(f"object_add filter-dump,id=f0,netdev=net0,file={self.path}")
        finally:
            mon.close()
        if "\nError" in out or not os.path.exists(self.path):
            raise CaseFailed("the capture ring: QEMU's monitor said "
                             f"{out.rsplit(chr(10), 2)[-2:]!r}")
        self.rotations += 1

    def mib(self):
        """The segments' size now, in MiB."""
        return sum(os.path.getsize(p) for p in (self.path, older_pcap(self.path))
                   if os.path.exists(p)) / MIB


def peer_round(peer):
    """The peer's last `netpeer: round N` line: (N, seconds since it came), or None."""
    for t, line in reversed(peer.lines):
        if line.startswith("netpeer: round "):
            return int(line.split()[-1]), time.monotonic() - peer.t0 - t
    return None


def peer_stalled(peer, phase_secs):
    """Why the peer's loop seems stuck (no `netpeer: round` line for over
    MUTATE_PEER_ROUND s; before its first, PEER_TIMEOUT s more from the
    phase's start, its first fetch's limit), or None."""
    last = peer_round(peer)
    if last is None:
        if phase_secs > PEER_TIMEOUT + MUTATE_PEER_ROUND:
            return f"the peer's loop has not begun {phase_secs:.0f} s into the phase"
        return None
    if last[1] > MUTATE_PEER_ROUND:
        return f"the peer's loop has not come round for {last[1]:.0f} s (its last round: {last[0]})"
    return None


def relay_ins(stats):
    """Frames into the relay per direction, from its counts (None: unknown)."""
    return tuple(stats[d]["in"] for d in sorted(stats)) if stats else None


def hostile_phase(k, peer, relay, ring, name):
    """Wait MUTATE_SECONDS, looking every MUTATE_WATCH s: CaseFailed at once
    when a guest's QEMU or the relay ends, when the peer's loop stops coming
    round (peer_stalled), or when no frame went through the relay either
    way for MUTATE_SILENT s; the capture ring turned; a
    progress line on stderr every MUTATE_PROGRESS s (a half-hour run is
    otherwise silent). Returns the relay's counts at the end."""
    t0 = time.monotonic()
    note = moved = t0
    last = relay_ins(relay.stats())
    while True:
        now = time.monotonic()
        if now - t0 >= MUTATE_SECONDS:
            return relay.stats()
        time.sleep(min(MUTATE_WATCH, t0 + MUTATE_SECONDS - now))
        why = ended(k, peer, relay) or peer_stalled(peer, time.monotonic() - t0)
        if why:
            raise CaseFailed(f"{time.monotonic() - t0:.0f} s into the hostile phase, {why}")
        ring.tick()
        if time.monotonic() - note < MUTATE_PROGRESS:
            continue
        note = time.monotonic()
        stats = relay.stats()
        ins = relay_ins(stats)
        if ins is not None and ins != last:
            last, moved = ins, note
        elif note - moved >= MUTATE_SILENT:
            raise CaseFailed(f"{note - t0:.0f} s into the hostile phase, no frame went through "
                             f"the relay for {note - moved:.0f} s: " + netrelay.summary(stats))
        rounds = peer_round(peer)
        print(f"net/{name}: {note - t0:.0f} of {MUTATE_SECONDS} s hostile, relay "
              f"{netrelay.summary(stats)}; peer's round {rounds[0] if rounds else 'none yet'}; "
              f"capture {ring.mib():.0f} MiB", file=sys.stderr, flush=True)


def mutate_steps(k, peer, relay, ring, name):
    """The mutate case's checks on a booted Kestrel; its figures."""
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    k.must("mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/f bs=64k count=8 2>/dev/null")
    try:
        peer.wait_ready("server", PEER_TIMEOUT)
        want = peer.wait_value("blob-sha256", 5)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    mem0, (snmp0, _) = memfree(k), net_state(k)
    k.must("httpd -p 80 -h /tmp/www")
    # timeout, not wget -T: busybox 1.35's wget dies of SIGSEGV with -T (on Linux too)
    k.must(f"(n=0; while [ ! -e /tmp/stop ]; do timeout 20 busybox wget -q -O /dev/null "
           f"http://{GATEWAY_IP}/blob "
           "2>/dev/null && n=$((n + 1)); echo $n > /tmp/fetches; done) >/dev/null 2>&1 & true")
    during = hostile_phase(k, peer, relay, ring, name)
    relay.clean()
    out, _ = k.must("touch /tmp/stop /tmp/www/stop; echo alive", FLOOD_SHELL)
    if "alive" not in out:
        raise CaseFailed(f"`echo alive` printed {out!r}")
    t0 = time.monotonic()
    while True:
        status, out, _ = k.run(f"ping -c 3 -W 2 {GATEWAY_IP}")
        if status == 0 and any(re.search(PING_ALL, line) for line in out):
            break
        if time.monotonic() - t0 > MUTATE_PING_WAIT:
            raise CaseFailed(f"ping {GATEWAY_IP} not answered within {MUTATE_PING_WAIT} s "
                             "of the hostile phase's end: " + " / ".join(out[-3:]))
    ping_s = time.monotonic() - t0
    _, out, _ = k.run(f"wget -O - http://{GATEWAY_IP}/blob | sha256sum")
    if sha256_of(out, "-") != want:
        raise CaseFailed("the fetch of the peer's /blob after the hostile phase: sha256 "
                         f"{sha256_of(out, '-')}, the peer has {want}")
    try:
        theirs = peer.wait_value("fetches", 60)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    mine = " ".join(k.must("cat /tmp/fetches")[0]).strip()
    time.sleep(MUTATE_SETTLE)
    mem1, (snmp1, states) = memfree(k), net_state(k)
    if mem1 < mem0 - MUTATE_MEM_SLACK:
        raise CaseFailed(f"MemFree {mem0} kB before the hostile phase, {mem1} kB "
                         f"{MUTATE_SETTLE} s after it (over {MUTATE_MEM_SLACK} kB less); "
                         f"/proc/net/tcp: {states}")
    delta = {n.split(".")[1]: snmp1.get(n, 0) - snmp0.get(n, 0) for n in FLOOD_SNMP}
    return [f"{MUTATE_SECONDS} s hostile: relay " + netrelay.summary(during),
            f"fetches during it: Kestrel {mine}, the peer {theirs}"] + \
        ([f"capture turned {ring.rotations} times"] if ring.rotations else []) + [
            f"ping answered {ping_s:.1f} s after, 1 MiB fetched after with sha256 matching",
            f"MemFree {mem0} -> {mem1} kB",
            "snmp +" + " ".join(f"{n}={v}" for n, v in delta.items())]


def mutate_case(build, outdir, nic, name):
    """Kestrel (static address) and the Linux peer through netrelay in its
    mutate mode (drop, bit flips, truncation, duplication, reordering) for
    MUTATE_SECONDS while both fetch from each other and the peer pings
    Kestrel; then, on a clean wire: the shell answers, ping is answered,
    a 1 MiB fetch arrives intact, and MUTATE_SETTLE s later MemFree is
    within MUTATE_MEM_SLACK of its value before. The phase ends early, failed,
    when a QEMU or the relay ends (hostile_phase); a shell command that does
    not end while Kestrel's QEMU runs fails with every CPU's backtrace
    (qmon). Kestrel's capture is a ring of two MUTATE_PCAP_SECONDS segments
    (CaptureRing). Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_STATIC)
    with netrelay.RelayWire() as wire, netrelay.Relay(wire, seed=MUTATE_SEED, mutate=True) \
            as relay, netpeer.LinuxPeer(build, mutate_script(), nic=nic, wire=wire, side=1,
                                        logdir=outdir, name=name + ".peer",
                                        lifetime=MUTATE_SECONDS + 900) as peer:
        mon = os.path.join(wire.dir, "monitor")
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                            pcap_path(outdir, name)) + \
            ["-monitor", f"unix:{mon},server=on,wait=off"]
        ring = CaptureRing(mon, pcap_path(outdir, name), MUTATE_PCAP_SECONDS)
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                return mutate_steps(k, peer, relay, ring, name)
            except CaseFailed as e:
                # a shell that does not answer while its QEMU runs: say where the CPUs are
                if k.running() and "did not end (not within" in str(e):
                    raise CaseFailed(f"{e}; the CPUs were at:\n      " +
                                     qmon.where_stuck_at(mon, os.path.join(build, "kernel.elf")))
                raise
            finally:
                judge_log(k)


# ---------------------------------------------------------------- (d) IPv6 with a Linux router

V6_PREFIX = "2001:db8:1::"
V6_PEER = "2001:db8:1::1"
V6_PEER_LL = "fe80::5054:ff:fe12:3457"        # the peer's link-local (netpeer.PEER_MAC)
V6_LL = "fe80::5054:ff:fe12:3456"             # Kestrel's, from netpeer.KESTREL_MAC (EUI-64)
V6_GLOBAL = "2001:db8:1:0:5054:ff:fe12:3456"  # Kestrel's SLAAC address in V6_PREFIX
V6_SOLICITED = "ff02::1:ff12:3456"  # the solicited-node group of all of Kestrel's addresses
V6_MANUAL = "2001:db8:9::5"         # ip -6 addr add'ed by hand
V6_MANUAL_NET = "2001:db8:9::/64"    # ...and its prefix route
V6_ROUTED = "2001:db8:77::1"        # the peer's, on no advertised prefix: ip -6 route add's target
V6_ROUTED_NET = "2001:db8:77::/64"
V6_NOBODY_LL = "fe80::dead"          # a gateway nobody on the link answers for
V6_DUP_PREFIX = "2001:db8:2::"      # advertised too; the peer holds Kestrel's address in it
V6_DUP = "2001:db8:2:0:5054:ff:fe12:3456"     # ...so Kestrel's DAD for it must fail
V6_UDP_TO_PEER, V6_UDP_TO_ME = 5555, 6000
V6_RA_COUNT = 200                   # RAs the peer sends, one a second
V6_BINS = ("t-radvsend", "t-udp6")  # rootfs.extra/bin/ programs the peer runs too
V6_WAIT = 60                        # seconds for an address, or the other side's datagram
V6_BIG = 3000                       # ping6 -s: echoes in three fragments each way
V6_TCP_BLOCKS = 16                  # 64 KiB blocks each way over TCP/IPv6: 1 MiB
V6_TCP_CLOSED = 81                  # a port nobody listens on, on the peer
V6_MSS = 1500 - 60                  # the MSS a SYN over IPv6 on a 1500-byte link offers


def ipv6_script():
    """The peer as an IPv6 router: 2001:db8:1::1/64 (and 10.0.2.2/24 for
    Kestrel's ip=), no RA taken itself, a UDP listener (t-udp6) on
    V6_UDP_TO_PEER, t-radvsend advertising V6_PREFIX each second (ready
    router); once Kestrel's SLAAC address answers, its checks ping6-ll,
    ping6-global and ping6-frag (V6_BIG bytes: fragments both ways), datagrams to Kestrel's V6_UDP_TO_ME every half second in
    the background, and the value udp6-got: what came to its listener.
    TCP over IPv6: busybox httpd (on [::]:80) serves a 1 MiB /blob
    (value blob6-sha256); once Kestrel's httpd serves /sum over IPv6, the
    check http6 fetches Kestrel's /f by its global address and the values
    kestrel6-sha256 (what came) and kestrel6-said (Kestrel's /sum); then
    http6-ll by its link-local address (kestrel6ll-sha256)."""
    g = V6_GLOBAL
    blob_kib = V6_TCP_BLOCKS * 64
    return "\n".join([
        "chmod 755 /bin/t-radvsend /bin/t-udp6",
        "sysctl -qw net.ipv6.conf.eth0.accept_ra=0",
        "netpeer_up 10.0.2.2/24 || exit 1",
        f"ip -6 addr add {V6_PEER}/64 dev eth0",
        f"ip -6 addr add {V6_DUP}/64 dev eth0",
        f"ip -6 addr add {V6_ROUTED}/128 dev eth0",
        "netpeer_retry 20 sh -c '! ip -6 addr show dev eth0 | grep -q tentative'",
        f"t-udp6 recv {V6_UDP_TO_PEER} {PEER_TIMEOUT * 2} >/tmp/udp6 2>&1 &",
        f"/bin/t-radvsend eth0 {V6_PREFIX},{V6_DUP_PREFIX} {V6_RA_COUNT} >/tmp/ra.out 2>&1 &",
        "netpeer_ready router",
        f"netpeer_retry {PEER_TIMEOUT} ping6 -c 1 -W 1 {g}",
        f"netpeer_check ping6-ll ping6 -c 3 -W 2 {V6_LL}%eth0",
        f"netpeer_check ping6-global ping6 -c 3 -W 2 {g}",
        f"netpeer_check ping6-frag ping6 -c 3 -W 2 -s {V6_BIG} {g}",
        f"t-udp6 send {g} {V6_UDP_TO_ME} from-linux 240 >/dev/null 2>&1 &",
        "mkdir -p /www6",
        f"dd if=/dev/urandom of=/www6/blob bs=1024 count={blob_kib} 2>/dev/null",
        "netpeer_value blob6-sha256 $(sha256sum /www6/blob | cut -d' ' -f1)",
        "httpd -p 80 -h /www6",
        f"netpeer_retry {PEER_TIMEOUT} grep -q from-kestrel /tmp/udp6",
        "netpeer_value udp6-got \"$(sed 's/^udp6: from //; s/ /_/g' /tmp/udp6)\"",
        f"netpeer_retry {PEER_TIMEOUT * 2} wget -q -O /tmp/k6sum http://[{g}]/sum",
        f"netpeer_check http6 wget -q -O /tmp/k6f http://[{g}]/f",
        "netpeer_value kestrel6-sha256 $(sha256sum /tmp/k6f | cut -d' ' -f1)",
        "netpeer_value kestrel6-said $(cut -d' ' -f1 /tmp/k6sum)",
        f"netpeer_check http6-ll wget -q -O /tmp/k6ll 'http://[{V6_LL}%eth0]/f'",
        "netpeer_value kestrel6ll-sha256 $(sha256sum /tmp/k6ll | cut -d' ' -f1)",
        "netpeer_serve"]) + "\n"


def v6_ready(k, addr, want="ready"):
    """Wait for Kestrel's log line of addr's DAD, which must say want ("ready",
    or "DAD failed" for an address another host holds): its time (host s)."""
    m = k.expect(f"'ipv6: eth0 {addr}/64 {want}' line",
                 rf"ipv6: eth0 {re.escape(addr)}/64 (ready \(DAD passed\)|DAD failed.*)$", V6_WAIT)
    if not m.group(1).startswith(want):
        raise CaseFailed(f"{addr}: {m.group(1)}, want {want}")
    return k.at


def kernel_frames6(pcap):
    """Kestrel's IPv6 packets (from its IPv6 header) in the capture, in
    order, from the kernel's first gratuitous ARP for KESTREL_IP on (ip=
    configures it): the firmware (OVMF's IPv6 stack) probes the same
    link-local address and joins its groups before the kernel starts."""
    mac = bytes.fromhex(netpeer.KESTREL_MAC.replace(":", ""))
    me = socket.inet_aton(KESTREL_IP)
    kernel = False
    for _, f in pcap_frames(pcap):
        if len(f) < ETH_HDR + 28 or f[6:12] != mac:
            continue
        kind = struct.unpack_from("!H", f, 12)[0]
        if kind == ETH_P_ARP and f[ETH_HDR + 14:ETH_HDR + 18] == me:
            kernel = True
        if kernel and kind == 0x86DD and len(f) >= ETH_HDR + 48:
            yield f[ETH_HDR:]


def mld_groups(pcap):
    """The groups Kestrel's MLDv2 reports (behind their router alert) named."""
    groups = set()
    for ip in kernel_frames6(pcap):
        if ip[6] != 0 or ip[40] != 58 or len(ip) < 56 or ip[48] != 143:
            continue
        for i in range(struct.unpack_from("!H", ip, 54)[0]):
            rec = 56 + 20 * i
            if rec + 20 <= len(ip):
                groups.add(socket.inet_ntop(socket.AF_INET6, ip[rec + 4:rec + 20]))
    return groups


def dad_probes(pcap):
    """The targets of Kestrel's DAD probes (NS from ::) in the capture, in
    order (kernel_frames6: the firmware's own are left out)."""
    mac = bytes.fromhex(netpeer.KESTREL_MAC.replace(":", ""))
    me = socket.inet_aton(KESTREL_IP)
    targets, kernel = [], False
    for _, f in pcap_frames(pcap):
        if len(f) < ETH_HDR + 28 or f[6:12] != mac:
            continue
        kind = struct.unpack_from("!H", f, 12)[0]
        if kind == ETH_P_ARP and f[ETH_HDR + 14:ETH_HDR + 18] == me:
            kernel = True
        if not kernel or kind != 0x86DD or len(f) < ETH_HDR + 40 + 24:
            continue
        ip = f[ETH_HDR:]
        if ip[6] == 58 and ip[40] == 135 and ip[8:24] == bytes(16):
            targets.append(socket.inet_ntop(socket.AF_INET6, ip[48:64]))
    return targets


def if_inet6(k):
    """Kestrel's /proc/net/if_inet6 as {address: (prefix, scope, flags, device)}."""
    out, _ = k.must("cat /proc/net/if_inet6")
    table = {}
    for line in out:
        f = line.split()
        if len(f) == 6 and len(f[0]) == 32:
            addr = socket.inet_ntop(socket.AF_INET6, bytes.fromhex(f[0]))
            table[addr] = (int(f[2], 16), int(f[3], 16), int(f[4], 16), f[5])
    return table


def ipv6_addresses(k, figures):
    """Link-local and SLAAC global ready after DAD (the log and /proc/net/if_inet6),
    the default route through the peer (ip -6 route), `ip -6 addr`'s lines."""
    t_ll = v6_ready(k, V6_LL)
    t_gl = v6_ready(k, V6_GLOBAL)
    v6_ready(k, V6_DUP, "DAD failed")
    figures.append(f"link-local ready at {t_ll:.0f} s, SLAAC global at {t_gl:.0f} s, "
                   f"the duplicate {V6_DUP} refused")
    table = if_inet6(k)
    dup = table.get(V6_DUP)
    if not dup or not dup[2] & 0x08:
        raise CaseFailed(f"/proc/net/if_inet6 has {dup} for {V6_DUP}, want it dadfailed (0x08)")
    for addr, scope in ((V6_LL, 0x20), (V6_GLOBAL, 0x00)):
        got = table.get(addr)
        if not got or got[0] != 64 or got[1] != scope or got[2] & 0x48 or got[3] != "eth0":
            raise CaseFailed(f"/proc/net/if_inet6 has {got} for {addr}, want /64 scope "
                             f"{scope:#x} eth0, neither tentative nor dadfailed")
    out, _ = k.must("ip -6 route")
    if not any(re.match(rf"default via {V6_PEER_LL} dev eth0\b", x) for x in out):
        raise CaseFailed("ip -6 route shows no default route via the peer: " + " / ".join(out))
    if not any(re.match(rf"{V6_PREFIX}/64 dev eth0\b", x) for x in out):
        raise CaseFailed(f"ip -6 route shows no {V6_PREFIX}/64 route: " + " / ".join(out))
    v6_manual(k)
    out, _ = k.must("ip -6 addr show dev eth0")
    if not any(f"inet6 {V6_GLOBAL}/64 scope global dynamic" in x for x in out) or \
            not any(f"inet6 {V6_LL}/64 scope link" in x for x in out):
        raise CaseFailed("ip -6 addr: " + " / ".join(out))


IFA_F_TENTATIVE = 0x40
V6_WATCH_SECS = 30                  # t-ifwatch's life in v6_manual (it ends by itself)
ADDR6_NEWS_RX = re.compile(r"^ifwatch: RTM_(NEW|DEL)ADDR ifindex \d+ family 10(?: flags (0x[0-9a-f]+) addr (\S+))?$")


def v6_manual_news(k):
    """What t-ifwatch heard of the address v6_manual added and deleted on
    eth0, as Linux's ipv6_ifa_notify tells it: RTM_NEWADDR tentative, again
    once DAD passed (not tentative), then RTM_DELADDR; nothing else about
    eth0's IPv6 addresses deleted in between; and of its prefix route,
    RTM_NEWROUTE (the kernel's: port id 0), then RTM_DELROUTE."""
    out, _ = k.must(f"sleep 1; cat {LINK_WATCH_LOG}")
    got = []
    for m in (ADDR6_NEWS_RX.match(x.strip()) for x in out):
        if m and m.group(1) == "NEW" and m.group(3) != V6_MANUAL:
            continue  # an RA's refresh of the SLAAC address, say
        if m:
            got.append(m.group(1) if m.group(1) == "DEL" else
                       "NEW-tentative" if int(m.group(2), 16) & IFA_F_TENTATIVE else "NEW-ready")
    if got != ["NEW-tentative", "NEW-ready", "DEL"]:
        raise CaseFailed(f"ip -6 addr add, DAD, del: t-ifwatch heard {got}; want RTM_NEWADDR tentative, "
                         "RTM_NEWADDR ready, RTM_DELADDR")
    routes = [x.strip() for x in out if re.match(r"ifwatch: RTM_(NEW|DEL)ROUTE family 10 ", x.strip())]
    new = [i for i, x in enumerate(routes) if x.endswith(f" table 254 dst {V6_MANUAL_NET} pid 0")]
    if not new or not any(x.startswith("ifwatch: RTM_DELROUTE") for x in routes[new[0] + 1:]):
        raise CaseFailed(f"ip -6 addr add, del: t-ifwatch heard the routes {routes}; want RTM_NEWROUTE of "
                         f"{V6_MANUAL_NET} (table 254, pid 0), then an RTM_DELROUTE (inet6_rt_notify)")


def v6_manual(k):
    """ip -6 addr add: the address through DAD, its prefix route; ip -6 addr
    del: gone; a netlink listener (t-ifwatch) hears each step."""
    out, _ = k.must(f"t-ifwatch eth0 {V6_WATCH_SECS} > {LINK_WATCH_LOG} 2>&1 & sleep 1; cat {LINK_WATCH_LOG}")
    if not any(x.strip().startswith("ifwatch: ready ifindex") for x in out):
        raise CaseFailed("t-ifwatch not ready after a second: " + " / ".join(out[-3:]))
    k.must(f"ip -6 addr add {V6_MANUAL}/64 dev eth0")
    v6_ready(k, V6_MANUAL)
    out, _ = k.must("ip -6 route")
    if not any(x.startswith("2001:db8:9::/64 dev eth0") for x in out):
        raise CaseFailed("ip -6 addr add: no 2001:db8:9::/64 route: " + " / ".join(out))
    k.must(f"ip -6 addr del {V6_MANUAL}/64 dev eth0")
    if V6_MANUAL in if_inet6(k):
        raise CaseFailed(f"ip -6 addr del {V6_MANUAL}: still in /proc/net/if_inet6")
    v6_manual_news(k)


def v6_route_lines(k):
    """ip -6 route's lines of V6_ROUTED_NET."""
    out, _ = k.must("ip -6 route")
    return [x.strip() for x in out if x.startswith(V6_ROUTED_NET.split("/")[0] + "/64")]


def v6_user_route(k):
    """ip -6 route add, replace and del on the wire: V6_ROUTED_NET through a
    gateway nobody answers for takes V6_ROUTED's pings there (before the
    default route through the peer: the longer prefix), so they fail;
    replaced by the peer's global address as gateway (reached by the
    advertised prefix's route, whose device it takes), they are answered
    and ip -6 route get names that gateway and the SLAAC source; deleted,
    the route is gone. The figures."""
    k.must(f"ip -6 route add {V6_ROUTED_NET} via {V6_NOBODY_LL} dev eth0")
    lines = v6_route_lines(k)
    if lines != [f"{V6_ROUTED_NET} via {V6_NOBODY_LL} dev eth0  metric 1024"]:
        raise CaseFailed(f"ip -6 route add {V6_ROUTED_NET} via {V6_NOBODY_LL}: ip -6 route shows {lines}")
    status, out, _ = k.run(f"ping6 -c 1 -W 2 {V6_ROUTED}")
    if status == 0:
        raise CaseFailed(f"ping6 {V6_ROUTED} answered through a gateway nobody answers for: " + " / ".join(out[-2:]))
    k.must(f"ip -6 route replace {V6_ROUTED_NET} via {V6_PEER} metric 1024")
    lines = v6_route_lines(k)
    if lines != [f"{V6_ROUTED_NET} via {V6_PEER} dev eth0  metric 1024"]:
        raise CaseFailed(f"ip -6 route replace {V6_ROUTED_NET} via {V6_PEER}: ip -6 route shows {lines}")
    rtt = ping(k, V6_ROUTED, "ping6")
    out, _ = k.must(f"ip -6 route get {V6_ROUTED}")
    if not any(f"via {V6_PEER} dev eth0" in x and f"src {V6_GLOBAL}" in x for x in out):
        raise CaseFailed(f"ip -6 route get {V6_ROUTED}: " + " / ".join(out) +
                         f"; want via {V6_PEER} dev eth0, src {V6_GLOBAL}")
    k.must(f"ip -6 route del {V6_ROUTED_NET}")
    if v6_route_lines(k):
        raise CaseFailed(f"ip -6 route del {V6_ROUTED_NET}: still shown")
    return f"ip -6 route add/replace/del: ping6 {V6_ROUTED} refused via {V6_NOBODY_LL}, {rtt} via {V6_PEER}"


def ipv6_udp(k, peer):
    """UDP over IPv6 both ways: Kestrel's listener gets the peer's datagram,
    the peer's gets Kestrel's."""
    out, _ = k.must(f"t-udp6 recv {V6_UDP_TO_ME} {V6_WAIT}", V6_WAIT + 30)
    want = f"udp6: from {V6_PEER} "
    if not any(x.startswith(want) and x.endswith(": from-linux") for x in out):
        raise CaseFailed(f"Kestrel's listener got {out}, want '{want}PORT: from-linux'")
    k.must(f"t-udp6 send {V6_PEER} {V6_UDP_TO_PEER} from-kestrel")
    try:
        got = peer.wait_value("udp6-got", V6_WAIT)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    if not got.startswith(V6_GLOBAL + "_") or not got.endswith(":_from-kestrel"):
        raise CaseFailed(f"the peer's UDP listener got {got!r}, want from-kestrel from {V6_GLOBAL}")
    return "udp6 both ways"


def snmp6(k):
    """Kestrel's /proc/net/snmp6 as {name: value}."""
    out, _ = k.must("cat /proc/net/snmp6")
    return {f[0]: int(f[1]) for f in (x.split() for x in out) if len(f) == 2 and f[1].isdigit()}


def lo_rx(k):
    """lo's received packets (/proc/net/dev)."""
    out, _ = k.must("cat /proc/net/dev")
    for x in out:
        if x.strip().startswith("lo:"):
            return int(x.split(":", 1)[1].split()[1])
    raise CaseFailed("no lo in /proc/net/dev: " + " / ".join(out))


def ipv6_lo(k):
    """::1 over lo as real IPv6 packets: ping6 ::1, and a UDP datagram to ::1
    that lo carries (its received packets move: the ::1 emulation's
    datagrams never touched it)."""
    ping(k, "::1", "ping6")
    before = lo_rx(k)
    out, _ = k.must("(t-udp6 recv 6001 10 >/tmp/lo6 2>&1 &) ; sleep 1; t-udp6 send ::1 6001 over-lo; "
                    "sleep 1; cat /tmp/lo6")
    if not any(re.match(r"udp6: from ::1 \d+: over-lo$", x) for x in out):
        raise CaseFailed(f"UDP to ::1: {out}")
    after = lo_rx(k)
    if after < before + 1:
        raise CaseFailed(f"UDP to ::1 did not go through IPv6 over lo: lo received {before} -> {after}")
    return "ping6 ::1 and udp6 over lo"


def ipv6_tcp_lo(k):
    """TCP over ::1 as real IPv6 packets: Kestrel's httpd (on [::]:80, from
    ipv6_tcp) serves its /f to wget at [::1], sha256 matching, and lo
    carries it (its received packets move by the segments of 1 MiB: the
    ::1 emulation's TCP never touched lo); so does a wget of its own
    link-local address; then bindv6only()."""
    before = lo_rx(k)
    _, out, secs = k.run("wget -O - http://[::1]/f | sha256sum")
    got = sha256_of(out, "-")
    want = sha256_of(k.must("cat /tmp/www/sum")[0], "/tmp/www/f")
    if got != want:
        raise CaseFailed(f"wget [::1]/f: sha256 {got}, the file has {want} (" + " / ".join(out[-3:]) + ")")
    after = lo_rx(k)
    if after < before + 4:
        raise CaseFailed(f"TCP to ::1 did not go through IPv6 over lo: lo received {before} -> {after}")
    _, out, _ = k.run(f"wget -O - 'http://[{V6_LL}%eth0]/f' | sha256sum")
    if sha256_of(out, "-") != want:
        raise CaseFailed("wget of its own link-local address (through lo): " + " / ".join(out[-3:]))
    bindv6only(k)
    return (f"wget [::1] {rate(V6_TCP_BLOCKS * 64 * 1024, secs)}, lo +{after - before} packets; "
            f"its own link-local address too")


def bindv6only(k):
    """net.ipv6.bindv6only: 0 (Linux's default), so httpd's [::]:80 took
    127.0.0.1 above; set to 1, a new httpd's [::] on another port takes
    ::1 and refuses 127.0.0.1; then 0 again."""
    out, _ = k.must("cat /proc/sys/net/ipv6/bindv6only")
    if out != ["0"]:
        raise CaseFailed(f"/proc/sys/net/ipv6/bindv6only: {out}, want 0")
    k.must("echo 1 > /proc/sys/net/ipv6/bindv6only && httpd -p 8086 -h /tmp/www && "
           "echo 0 > /proc/sys/net/ipv6/bindv6only")
    status, out, _ = k.run("wget -q -O /dev/null http://[::1]:8086/sum && echo v6-ok; "
                           "wget -q -O /dev/null http://127.0.0.1:8086/sum 2>&1; echo v4-$?")
    if "v6-ok" not in out or "v4-0" in out:
        raise CaseFailed("an httpd made with bindv6only 1: " + " / ".join(out))
    status, out, _ = k.run("wget -q -O /dev/null http://127.0.0.1/sum && echo v4-ok")
    if "v4-ok" not in out:
        raise CaseFailed("httpd's [::]:80 (bindv6only 0) refused 127.0.0.1: " + " / ".join(out))


def tcp6_syn_mss(pcap):
    """The MSS options of Kestrel's SYNs over IPv6 in the capture (kernel_frames6)."""
    found = []
    for ip in kernel_frames6(pcap):
        if ip[6] != 6 or len(ip) < 60 or not ip[53] & 0x02:
            continue
        opts, i = ip[60:40 + (ip[52] >> 4) * 4], 0
        while i < len(opts) and opts[i] != 0:
            if opts[i] == 1:
                i += 1
                continue
            if i + 1 >= len(opts) or opts[i + 1] < 2:
                break
            if opts[i] == 2 and opts[i + 1] == 4 and i + 4 <= len(opts):
                found.append(struct.unpack_from("!H", opts, i + 2)[0])
            i += opts[i + 1]
    return found


def ipv6_tcp(k, peer):
    """TCP over IPv6 on the wire both ways, 1 MiB each, sha256 checked at
    both ends: Kestrel fetches the peer's /blob from its global address;
    Kestrel's httpd serves /f and the peer fetches it from Kestrel's; a
    connect to a port the peer does not listen on is refused (its reset).
    The figures."""
    figures = []
    try:
        want = peer.wait_value("blob6-sha256", V6_WAIT)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    _, out, secs = k.run(f"wget -O - http://[{V6_PEER}]/blob | sha256sum")
    got = sha256_of(out, "-")
    if got != want:
        raise CaseFailed(f"fetch of the peer's /blob over IPv6: sha256 {got}, the peer has {want} "
                         "(" + " / ".join(out[-3:]) + ")")
    figures.append(f"Kestrel fetched over IPv6 {rate(V6_TCP_BLOCKS * 64 * 1024, secs)}")
    _, out, secs = k.run(f"wget -O - 'http://[{V6_PEER_LL}%eth0]/blob' | sha256sum")
    if sha256_of(out, "-") != want:
        raise CaseFailed("fetch of the peer's /blob from its link-local address: " + " / ".join(out[-3:]))
    figures.append(f"and from its link-local address {rate(V6_TCP_BLOCKS * 64 * 1024, secs)}")
    status, out, _ = k.run(f"wget -O /dev/null http://[{V6_PEER}]:{V6_TCP_CLOSED}/ 2>&1")
    if status == 0 or not any("refused" in x for x in out):
        raise CaseFailed(f"wget [{V6_PEER}]:{V6_TCP_CLOSED}: exit {status}, want connection refused: "
                         + " / ".join(out[-3:]))
    said = guest_file(k, V6_TCP_BLOCKS)
    try:
        c = peer.wait_check("http6", PEER_TIMEOUT)
        if not c.ok:
            raise CaseFailed(f"the peer's fetch of Kestrel's /f over IPv6 failed {c.detail}")
        got, told = peer.wait_value("kestrel6-sha256", 5), peer.wait_value("kestrel6-said", 5)
        ll = peer.wait_check("http6-ll", PEER_TIMEOUT)
        if not ll.ok:
            raise CaseFailed(f"the peer's fetch of Kestrel's /f from its link-local address failed {ll.detail}")
        got_ll = peer.wait_value("kestrel6ll-sha256", 5)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    if got != said or told != said or got_ll != said:
        raise CaseFailed(f"the peer fetched sha256 {got} over IPv6 ({got_ll} from the link-local "
                         f"address; Kestrel's /sum: {told}), Kestrel printed {said}")
    figures.append(f"the peer fetched 1 MiB over IPv6 in {c.ms} ms, from the link-local address in "
                   f"{ll.ms} ms, sha256 matches; a closed port refused")
    out, _ = k.must("cat /proc/net/tcp6")
    if not any(len(x.split()) > 3 and x.split()[1].endswith(":0050") and x.split()[3] == "0A" for x in out):
        raise CaseFailed("/proc/net/tcp6 shows no listener on port 80: " + " / ".join(out))
    return figures


def ipv6_steps(k, peer):
    """The IPv6 case's checks on a booted Kestrel; its figures."""
    figures = []
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures.append(f"prompt at {k.at:.0f} s")
    ipv6_addresses(k, figures)
    figures.append(f"ping6 link-local {ping(k, f'{V6_PEER_LL}%eth0', 'ping6')}")
    figures.append(f"ping6 global {ping(k, V6_PEER, 'ping6')}")
    out, _ = k.must("ip -6 neigh show dev eth0")
    if not any(x.startswith(f"{V6_PEER_LL} ") and f"lladdr {netpeer.PEER_MAC}" in x and "router" in x
               for x in out):
        raise CaseFailed(f"ip -6 neigh: no router entry for {V6_PEER_LL}: " + " / ".join(out))
    figures.append(f"ping6 -s {V6_BIG} (fragments) {ping(k, V6_PEER, f'ping6 -s {V6_BIG}')}")
    figures.append(v6_user_route(k))
    mib = snmp6(k)
    if mib.get("Ip6ReasmOKs", 0) < 3 or mib.get("Ip6FragCreates", 0) < 6:
        raise CaseFailed(f"ping6 -s {V6_BIG}: Ip6ReasmOKs {mib.get('Ip6ReasmOKs')}, Ip6FragCreates "
                         f"{mib.get('Ip6FragCreates')}, want 3 and 6 at least")
    figures.append(ipv6_udp(k, peer))
    figures.append(ipv6_lo(k))
    figures += ipv6_tcp(k, peer)
    figures.append(ipv6_tcp_lo(k))
    try:
        for n in ("ping6-ll", "ping6-global", "ping6-frag"):
            c = peer.wait_check(n, PEER_TIMEOUT)
            if not c.ok:
                raise CaseFailed(f"the peer's check {n} of Kestrel failed {c.detail}")
            figures.append(f"peer {n} {c.ms} ms")
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    return figures


def ipv6_case(build, outdir, nic, name):
    """Topology (b) with IPv6: the Linux peer as router (t-radvsend), Kestrel's
    link-local, DAD, SLAAC, ping6 and UDP both ways. Returns the figures."""
    files = {}
    for b in V6_BINS:
        with open(os.path.join(build, "rootfs.extra", "bin", b), "rb") as f:
            files[f"/bin/{b}"] = f.read()
    figures, _ = with_peer(build, outdir, nic, name, ipv6_script(), "router", ipv6_steps,
                           files=files, cmdline=CMDLINE_STATIC, ipv6=True)
    probes = dad_probes(pcap_path(outdir, name))
    for addr in (V6_LL, V6_GLOBAL):
        if addr not in probes:
            raise CaseFailed(f"no DAD probe (NS from ::) for {addr} on the wire: {probes}")
    groups = mld_groups(pcap_path(outdir, name))
    if V6_SOLICITED not in groups:
        raise CaseFailed(f"no MLDv2 report of {V6_SOLICITED} on the wire: {sorted(groups)}")
    mss = tcp6_syn_mss(pcap_path(outdir, name))
    if not mss or any(m != V6_MSS for m in mss):
        raise CaseFailed(f"Kestrel's SYNs over IPv6 offered MSS {mss}, want {V6_MSS} (the link's MTU - 60)")
    figures.append(f"SYN MSS {V6_MSS} over IPv6")
    return figures + [f"DAD probes {', '.join(probes)}", f"MLDv2 reports {', '.join(sorted(groups))}"]


V6_HOSTILE_FRAMES = 4000            # hostile IPv6 frames (netflood6.Hostile6)
V6_HOSTILE_SEED = 6
V6_AUTOCONF_MAX = 16                # addrconf.c's AUTOCONF_MAX: what hostile RAs may add


def ipv6_hostile_steps(k, inj):
    """Once Kestrel's link-local address is ready (and httpd listens on
    [::]:80), V6_HOSTILE_FRAMES hostile IPv6 frames; then the shell
    answers, the link-local address is still there and ready, RAs gave at
    most V6_AUTOCONF_MAX addresses, ping6 ::1 and ping6 of its own
    link-local address (through lo) answer, TCP took the hostile segments
    (Tcp InSegs) and the listener still serves [::1]."""
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    v6_ready(k, V6_LL)
    k.must("mkdir -p /tmp/www6 && echo tcp6-alive > /tmp/www6/f && httpd -p 80 -h /tmp/www6")
    tcp0 = snmp4(k).get("Tcp.InSegs", 0)
    t0 = time.monotonic()
    sent = {}
    try:
        for kind, frame in netflood6.Hostile6(V6_HOSTILE_SEED).frames(V6_HOSTILE_FRAMES):
            inj.send(frame)
            sent[kind] = sent.get(kind, 0) + 1
    except netflood.FloodError as e:
        raise CaseFailed(str(e))
    secs = time.monotonic() - t0
    k.must("echo alive", FLOOD_SHELL)
    table = if_inet6(k)
    ll = table.get(V6_LL)
    if not ll or ll[2] & 0x48:
        raise CaseFailed(f"Kestrel's link-local address after the frames: {ll}")
    autoconf = [a for a, v in table.items() if v[3] == "eth0" and v[1] == 0]
    if len(autoconf) > V6_AUTOCONF_MAX:
        raise CaseFailed(f"{len(autoconf)} addresses from hostile RAs, want {V6_AUTOCONF_MAX} at most")
    ping(k, "::1", "ping6")
    ping(k, f"{V6_LL}%eth0", "ping6")
    tcp_in = snmp4(k).get("Tcp.InSegs", 0) - tcp0
    if tcp_in < sent.get("tcp", 0) // 2:
        raise CaseFailed(f"TCP took {tcp_in} segments of the {sent.get('tcp', 0)} hostile ones sent")
    status, out, _ = k.run("timeout 60 wget -q -O - http://[::1]/f", FLOOD_SHELL + 60)
    if status != 0 or "tcp6-alive" not in out:
        raise CaseFailed(f"the listener on port 80 after the TCP segments: wget [::1] exit {status}: "
                         + " / ".join(out[-3:]))
    mib = snmp6(k)
    counts = " ".join(f"{n}={mib.get(n, 0)}" for n in ("Ip6InReceives", "Ip6InHdrErrors", "Ip6InAddrErrors",
                                                     "Ip6ReasmReqds", "Ip6ReasmFails", "Icmp6InErrors"))
    return [f"{V6_HOSTILE_FRAMES} frames in {secs:.1f} s (" +
            ", ".join(f"{n} {c}" for n, c in sorted(sent.items())) + ")",
            f"{len(autoconf)} addresses from RAs", counts, f"Tcp InSegs +{tcp_in}, port 80 answers [::1]"]


def ipv6_hostile_case(build, outdir, nic, name):
    """Kestrel on a wire to netflood.Injector, hostile IPv6 frames. Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_STATIC)
    with netpeer.Wire() as wire, netflood.Injector(wire, side=1) as inj:
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                            pcap_path(outdir, name))
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                return ipv6_hostile_steps(k, inj)
            finally:
                judge_log(k)


# ---------------------------------------------------------------- the capture, for a report

PCAP_MAGIC = 0xA1B2C3D4             # microsecond timestamps, as QEMU's filter-dump writes
PCAP_HDR, PCAP_REC = 24, 16
ETH_HDR, ETH_P_IP, ETH_P_ARP = 14, 0x0800, 0x0806
TCP_FLAGS = "FSRPAU"
STALL_GAP = 5.0                     # seconds without a frame that capture_report calls a stall


PMTU_MTU = 1000                     # the forged router's next hop
PMTU_MSS = PMTU_MTU - 40            # what Kestrel's segments to its far side may carry (no TCP options)
PMTU_CLIENT = "10.0.2.3"            # behind the router: its connections learn the lower MTU
PMTU_CONTROL = "10.0.2.6"           # forged ICMP quoting nothing in flight: its MSS stays
PMTU_FULL_MSS = 1460                # the link's MTU less 40
PMTU_PAGE_KB = netpmtu.TCP6_PAGE // 1024  # the page fetched (zeros): many full-sized segments
PMTU_FETCH = 90                     # seconds a fetch may take (retransmissions under TCG)
PMTU_SEED = 31
PMTU_FLOOD = 10000                  # forged frag-needed messages for random destinations
PMTU_UDP_PORT = 5000                # Kestrel's UDP socket they quote (t-udp6 recv)
PMTU_CACHE_MAX = 1280               # net/pmtu_cache.h's PMTU_ENTRIES_MAX
PMTU_FULL_LINE = (r"pmtu: cache full: (\d+) entries \(at most (\d+)\), (\d+) replaced, "
                  r"(\d+) learnt")


def pmtu_fetch(inj, addr, rng, hook):
    """GET /big from addr through PmtuClient with hook: (client, body)."""
    c = netpmtu.PmtuClient(inj, addr, KESTREL_IP, 80, random.Random(rng.getrandbits(32)))
    try:
        body = c.fetch_with(b"GET /big HTTP/1.0\r\n\r\n", time.monotonic() + PMTU_FETCH, hook)
    except netflood.FloodError as e:
        raise CaseFailed(f"GET /big from {addr}: {e}")
    if len(body) < PMTU_PAGE_KB * 1024:
        raise CaseFailed(f"GET /big from {addr}: {len(body)} bytes")
    return c, body


def tcp_timeouts(k):
    """Kestrel's TcpExt TCPTimeouts (/proc/net/netstat)."""
    out, _ = k.must("cat /proc/net/netstat")
    n = netflood.snmp_counters(out).get("TcpExt.TCPTimeouts")
    if n is None:
        raise CaseFailed(f"/proc/net/netstat has no TcpExt TCPTimeouts: {out!r}")
    return n


def pmtu_live(inj, rng):
    """The router drops Kestrel's first full-sized segment to PMTU_CLIENT and
    says fragmentation needed, next hop PMTU_MTU, then drops every segment
    too big for that link: the retransmission and all after it must fit. A
    figure: how long after the ICMP the dropped byte came again."""
    said = {}

    def router(c, seq, ack, data):
        if "seq" in said:
            if len(data) > PMTU_MSS:
                return True  # the link takes no more (one ICMP said so)
            if "again" not in said and seq <= said["seq"] < seq + len(data):
                said["again"] = time.monotonic() - said["told"]
            return False
        if len(data) <= PMTU_MSS:
            return False
        said["seq"] = seq
        q = netpmtu.quote_tcp(KESTREL_IP, PMTU_CLIENT, 80, c.sport, seq, ack, len(data))
        inj.send_ip(netpmtu.frag_needed(GATEWAY_IP, KESTREL_IP, q, PMTU_MTU))
        said["told"] = time.monotonic()
        return True
    c, _ = pmtu_fetch(inj, PMTU_CLIENT, rng, router)
    # the dropped byte sent again: in a segment that covers it (the
    # retransmission is cut anew from snd_una in the smaller size)
    at = [i for i, (seq, n) in enumerate(c.sizes) if seq <= said.get("seq", -1) < seq + n]
    if len(at) < 2:
        raise CaseFailed(f"no retransmission of the dropped segment {said.get('seq')} seen")
    before, after = max(n for _, n in c.sizes[:at[0] + 1]), max(n for _, n in c.sizes[at[1]:])
    if after > PMTU_MSS:
        raise CaseFailed(f"after frag-needed (MTU {PMTU_MTU}) Kestrel still sent {after}-byte segments "
                         f"to {PMTU_CLIENT} (at most {PMTU_MSS})")
    # a figure, not a check (wall clock on a shared host): Linux resends at
    # once (tcp_simple_retransmit), not after its retransmission timeout
    return (f"live connection: segments {before} bytes, {after} from the retransmission on, "
            f"which came {said.get('again', float('nan')) * 1000:.0f} ms after the ICMP")


def pmtu_control(inj, rng):
    """Forged frag-needed messages about PMTU_CONTROL that quote a sequence
    number not in flight and a port no connection has: its connections keep
    full-sized segments. A figure."""
    said = {}

    def liar(c, seq, ack, data):
        if "done" not in said and len(data) > PMTU_MSS:
            said["done"] = True
            for s, port in ((seq + (1 << 30), c.sport), (seq, c.sport ^ 0x5a5a)):
                q = netpmtu.quote_tcp(KESTREL_IP, PMTU_CONTROL, 80, port, s, ack, len(data))
                inj.send_ip(netpmtu.frag_needed(GATEWAY_IP, KESTREL_IP, q, PMTU_MTU))
        return False
    c, _ = pmtu_fetch(inj, PMTU_CONTROL, rng, liar)
    first = max(n for _, n in c.sizes)
    c2, _ = pmtu_fetch(inj, PMTU_CONTROL, rng, lambda *a: False)
    second = max(n for _, n in c2.sizes)
    if first != PMTU_FULL_MSS or second != PMTU_FULL_MSS:
        raise CaseFailed(f"forged frag-needed quoting nothing in flight: {PMTU_CONTROL}'s segments "
                         f"{first} then {second} bytes, want {PMTU_FULL_MSS}")
    return c2.sport, f"forged quotes ignored: {PMTU_CONTROL} at {first} and {second} bytes"


PMTU6_PEER = V6_PEER_LL             # the injector's link-local address (netpmtu.Injector6)
PMTU6_MTU = 1280                    # the forged packet too big's (IPv6's minimum)
PMTU6_PORT = 7000
PMTU6_TEXT = 1400                   # a UDP payload: 1448-byte packets, whole on the link
PMTU6_SENDS = 6                     # t-udp6 sends, half a second apart


def pmtu_udp6(k, inj):
    """IPv6: Kestrel sends UDP datagrams to the injector's link-local
    address; after the first, a packet too big quoting it with the wrong
    source port (no socket: ignored), after the second one quoting it
    rightly (MTU 1280): the datagrams after it must come in fragments of
    at most 1280 bytes, those before it whole. A figure."""
    said = []

    def router(rec):
        n = len([r for r in inj.v6 if r[3] is not None])
        if n == 1:
            inj.packet_too_big(V6_LL, rec[4], PMTU6_MTU, sport=rec[3] ^ 0x5a5a)
            said.append(("ignored", rec[0]))
        elif n == 2:
            inj.packet_too_big(V6_LL, rec[4], PMTU6_MTU)
            said.append(("believed", rec[0]))
    inj.on_udp6 = router
    k.must(f"t-udp6 send {PMTU6_PEER}%eth0 {PMTU6_PORT} \"$(printf %{PMTU6_TEXT}s x)\" {PMTU6_SENDS}",
           PMTU6_SENDS + 30)
    inj.on_udp6 = None
    whole = [r for r in inj.v6 if r[1] == netpmtu.NEXTHDR_UDP]
    frags = [r for r in inj.v6 if r[1] == netpmtu.NEXTHDR_FRAGMENT]
    if len(said) < 2 or len(whole) != 2:
        raise CaseFailed(f"IPv6 UDP to {PMTU6_PEER}: {len(whole)} whole datagrams ({[r[2] for r in whole]} "
                         f"bytes), {len(frags)} fragments, want the 2 before the packet too big whole")
    if not frags or max(r[2] for r in frags) > PMTU6_MTU or min(r[0] for r in frags) < said[1][1]:
        raise CaseFailed(f"IPv6 UDP after a packet too big ({PMTU6_MTU}): fragments of "
                         f"{sorted(set(r[2] for r in frags))} bytes, want some, none over {PMTU6_MTU}")
    return (f"IPv6 UDP: 2 datagrams of {whole[0][2]} bytes (a packet too big for no socket "
            f"ignored), then {len(frags)} fragments of at most {max(r[2] for r in frags)} bytes")


def pmtu_counters(k):
    """Kestrel's TcpExt TCPTimeouts and OutOfWindowIcmps, for netpmtu's steps."""
    out, _ = k.must("cat /proc/net/netstat")
    got = netflood.snmp_counters(out)
    return {n: got.get("TcpExt." + n, -1) for n in ("TCPTimeouts", "OutOfWindowIcmps")}


def pmtu_tcp6(k, inj, rng):
    """IPv6 TCP: netpmtu.tcp6_steps from link-local clients to Kestrel's
    httpd and netpmtu.serve_commands' servers at V6_LL (the same /big),
    with Kestrel's TcpExt counters. The figures."""
    try:
        return netpmtu.tcp6_steps(inj, V6_LL, rng, lambda: pmtu_counters(k))
    except netpmtu.PmtuFailed as e:
        raise CaseFailed(str(e))


PMTU_SOFTERR_OUT = "/tmp/softerr.txt"  # t-conform_pmtu softerr's line


def pmtu_softerr_line(k, timeout):
    """t-conform_pmtu softerr's line (netpmtu.SOFTERR_LINE's group) once in
    PMTU_SOFTERR_OUT, or None after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out, _ = k.must(f"cat {PMTU_SOFTERR_OUT} 2>/dev/null; true")
        for line in out:
            m = re.search(netpmtu.SOFTERR_LINE, line.strip())
            if m:
                return m.group(1).strip()
        time.sleep(1)
    return None


def pmtu_tcp4(k, inj, rng):
    """IPv4 TCP under IP_PMTUDISC_DONT, _OMIT and _DO: netpmtu.tcp4_steps. The figures."""
    try:
        return netpmtu.tcp4_steps(inj, KESTREL_IP, GATEWAY_IP, rng, lambda: pmtu_counters(k),
                                  lambda t: pmtu_softerr_line(k, t))
    except netpmtu.PmtuFailed as e:
        raise CaseFailed(str(e))


PMTU4_DST = "10.0.2.7"              # behind a 1000-byte link for UDP (the injector's)


def pmtu_udp4(k, inj):
    """IPv4: Kestrel sends UDP datagrams to PMTU4_DST (an AF_INET6 socket
    to ::ffff:10.0.2.7: IPv4, IP_PMTUDISC_WANT); after the first, a
    frag-needed quoting the wrong source port (ignored), after the second
    one quoting it rightly (next hop 1000): the first two whole with DF
    (WANT, fitting), the later ones in fragments of at most 1000 bytes
    without DF (WANT: fragments at the path MTU). A figure."""
    said = []

    def router(rec):
        n = len([r for r in inj.v4 if r[3] is not None])
        if n in (1, 2):
            q = rec[4][:28]
            inj.send_ip(netpmtu.frag_needed(GATEWAY_IP, KESTREL_IP, q if n == 2 else
                                            q[:20] + struct.pack("!H", rec[3] ^ 0x5a5a) + q[22:], PMTU_MTU))
            said.append(rec[0])
    inj.own(PMTU4_DST)
    inj.on_udp4 = router
    k.must(f"t-udp6 send ::ffff:{PMTU4_DST} {PMTU6_PORT} \"$(printf %{PMTU6_TEXT}s x)\" {PMTU6_SENDS}",
           PMTU6_SENDS + 30)
    inj.on_udp4 = None
    whole = [r for r in inj.v4 if not r[2] & (netflood.IP_MF | 0x1FFF)]
    frags = [r for r in inj.v4 if r[2] & (netflood.IP_MF | 0x1FFF)]
    if len(said) < 2 or len(whole) != 2 or any(not r[2] & netflood.IP_DF for r in whole):
        raise CaseFailed(f"IPv4 UDP to {PMTU4_DST}: whole datagrams {[(r[1], hex(r[2])) for r in whole]}, "
                         f"{len(frags)} fragments; want the 2 before the frag-needed whole, with DF")
    if not frags or max(r[1] for r in frags) > PMTU_MTU or any(r[2] & netflood.IP_DF for r in frags):
        raise CaseFailed(f"IPv4 UDP after frag-needed ({PMTU_MTU}): fragments "
                         f"{sorted(set((r[1], hex(r[2] & 0xE000)) for r in frags))}, want some, "
                         f"none over {PMTU_MTU}, none with DF")
    return (f"IPv4 UDP: 2 datagrams of {whole[0][1]} bytes with DF (a frag-needed for no socket "
            f"ignored), then {len(frags)} fragments of at most {max(r[1] for r in frags)} bytes without DF")


def pmtu_df4(k, inj):
    """IPv4 UDP, raw and ping sockets under each IP_MTU_DISCOVER over a path
    the router taught MTU 1000 (netpmtu.df4_judge, which Linux 6.1 passes
    too). A figure."""
    seen = netpmtu.df4_watch(inj, GATEWAY_IP, KESTREL_IP)
    out, _ = k.must(netpmtu.DF4_COMMAND, 60)
    inj.on_watch4 = None
    try:
        return netpmtu.df4_judge(out, seen)
    except netpmtu.PmtuFailed as e:
        raise CaseFailed(str(e))


def pmtu_cache_line(k, inj, rng):
    """Kestrel's "pmtu: cache full" line once it counts the whole flood
    learnt: one more forged message every 1.5 s (the line says at most
    once a second) until it does. (entries, max, replaced, learnt)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(1.5)
        netpmtu.forge_udp_flood(inj, rng, GATEWAY_IP, KESTREL_IP, PMTU_UDP_PORT, 1)
        time.sleep(0.5)
        lines = re.findall(PMTU_FULL_LINE, k.text())
        last = tuple(int(x) for x in lines[-1]) if lines else None
        if last and last[3] > PMTU_FLOOD:
            return last
    raise CaseFailed(f"no 'pmtu: cache full' line with {PMTU_FLOOD} learnt after the flood")


def pmtu_steps(k, inj):
    """The pmtu case's checks on a booted Kestrel; (figures, ports to judge in the capture)."""
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    k.must(f"mkdir -p /tmp/www && dd if=/dev/zero of=/tmp/www/big bs=1024 count={PMTU_PAGE_KB} "
           "2>/dev/null && httpd -p 80 -h /tmp/www")
    k.must(f"(t-udp6 recv {PMTU_UDP_PORT} 3600 > /dev/null 2>&1 &)")
    for line in netpmtu.serve_commands(PMTU_PAGE_KB).splitlines():
        k.must(line)
    k.must(netpmtu.softerr_command(PMTU_SOFTERR_OUT))
    ping(k, GATEWAY_IP)
    rng = random.Random(PMTU_SEED)
    before = tcp_timeouts(k)
    figures = [pmtu_live(inj, rng)]
    if tcp_timeouts(k) != before:
        raise CaseFailed("the retransmission after frag-needed waited for a timeout (TcpExt TCPTimeouts "
                         f"{before} -> {tcp_timeouts(k)}): Linux resends at once (tcp_simple_retransmit)")
    out, _ = k.must(f"t-conform_pmtu route {PMTU_CLIENT}")
    m = re.search(r"route \S+: mtu (\d+) lock (\d+) expires (\d+)", "\n".join(out))
    if not m or int(m.group(1)) != PMTU_MTU or int(m.group(2)) or not 0 < int(m.group(3)) <= 600:
        raise CaseFailed(f"ip route get {PMTU_CLIENT}'s RTA_METRICS and RTA_CACHEINFO: {out!r} "
                         f"(want mtu {PMTU_MTU}, not locked, expiring within 600 s)")
    figures.append(f"ip route get {PMTU_CLIENT}: mtu {m.group(1)}, cache expires {m.group(3)} s")
    nxt, _ = pmtu_fetch(inj, PMTU_CLIENT, rng, lambda *a: False)
    most = max(n for _, n in nxt.sizes)
    if most > PMTU_MSS:
        raise CaseFailed(f"the next connection to {PMTU_CLIENT} sent {most}-byte segments "
                         f"(the cached path MTU {PMTU_MTU} allows {PMTU_MSS})")
    figures.append(f"next connection: segments at most {most} bytes")
    control_port, fig = pmtu_control(inj, rng)
    figures.append(fig)
    v6_ready(k, V6_LL)
    figures += pmtu_tcp6(k, inj, rng)
    figures += pmtu_tcp4(k, inj, rng)
    figures.append(pmtu_udp6(k, inj))
    figures.append(pmtu_udp4(k, inj))
    figures.append(pmtu_df4(k, inj))
    mem0 = memfree(k)
    secs = netpmtu.forge_udp_flood(inj, rng, GATEWAY_IP, KESTREL_IP, PMTU_UDP_PORT, PMTU_FLOOD)
    entries, most, replaced, learnt = pmtu_cache_line(k, inj, rng)
    if most != PMTU_CACHE_MAX or entries > most:
        raise CaseFailed(f"path MTU cache: {entries} entries of at most {most} (want <= {PMTU_CACHE_MAX})")
    out, _ = k.must("echo alive", FLOOD_SHELL)
    if "alive" not in out:
        raise CaseFailed(f"`echo alive` printed {out!r}")
    figures.append(f"{PMTU_FLOOD} forged for random destinations in {secs:.1f} s: cache {entries} "
                   f"of {most} entries, {replaced} replaced, {learnt} learnt; MemFree {mem0} -> "
                   f"{memfree(k)} kB")
    return figures, (nxt.sport, control_port)


def pmtu_case(build, outdir, nic, name):
    """Kestrel on a wire to netflood.Injector playing a router (netpmtu.py).
    Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_STATIC)
    with netpeer.Wire() as wire, netpmtu.Injector6(wire, PMTU6_PEER, udp4_dst=PMTU4_DST, side=1) as inj:
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic, pcap_path(outdir, name))
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                figures, (nxt_port, control_port) = pmtu_steps(k, inj)
            finally:
                judge_log(k)
    frames = pcap_frames(pcap_path(outdir, name))
    lowered = netpmtu.syn_ack_mss(frames, KESTREL_IP, PMTU_CLIENT, nxt_port)
    control = netpmtu.syn_ack_mss(frames, KESTREL_IP, PMTU_CONTROL, control_port)
    if not lowered or any(m != PMTU_MSS for m in lowered):
        raise CaseFailed(f"SYN-ACK to {PMTU_CLIENT} after frag-needed offered MSS {lowered} "
                         f"(want {PMTU_MSS}: the cached path MTU less 40)")
    if not control or any(m != PMTU_FULL_MSS for m in control):
        raise CaseFailed(f"SYN-ACK to {PMTU_CONTROL} offered MSS {control}, want {PMTU_FULL_MSS}")
    return figures + [f"capture: SYN-ACK MSS {lowered[0]} to {PMTU_CLIENT}, {control[0]} to {PMTU_CONTROL}"]


def pcap_frames(path):
    """[(seconds, frame bytes)] of a pcap file; what is cut short is left out."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < PCAP_HDR or struct.unpack_from("<I", data)[0] != PCAP_MAGIC:
        return []
    out, off = [], PCAP_HDR
    while off + PCAP_REC <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        if off + PCAP_REC + incl > len(data):
            break
        out.append((sec + usec / 1e6, data[off + PCAP_REC:off + PCAP_REC + incl]))
        off += PCAP_REC + incl
    return out


def ip_text(b):
    return ".".join(str(x) for x in b)


def frame_text(f):
    """One line for a frame: ARP, or IPv4 with TCP (ports, flags, seq, ack,
    window, payload), UDP or ICMP; 'other' for the rest."""
    if len(f) < ETH_HDR:
        return f"runt of {len(f)} bytes"
    etype = struct.unpack_from("!H", f, 12)[0]
    if etype == ETH_P_ARP and len(f) >= ETH_HDR + 28:
        op = "request" if f[21] == 1 else "reply"
        return f"ARP {op} {ip_text(f[28:32])} -> {ip_text(f[38:42])}"
    ip = f[ETH_HDR:]
    if etype != ETH_P_IP or len(ip) < 20:
        return f"ethertype {etype:#06x}, {len(f)} bytes"
    ihl, total = (ip[0] & 0xF) * 4, struct.unpack_from("!H", ip, 2)[0]
    src, dst, l4 = ip_text(ip[12:16]), ip_text(ip[16:20]), ip[ihl:total]
    if ip[9] == 6 and len(l4) >= 20:
        sp, dp, seq, ack, off, flags, win = struct.unpack_from("!HHIIBBH", l4)
        fl = "".join(c for i, c in enumerate(TCP_FLAGS) if flags & (1 << i))
        return (f"TCP {src}:{sp} > {dst}:{dp} [{fl}] seq {seq} ack {ack} win {win} "
                f"len {len(l4) - (off >> 4) * 4}")
    if ip[9] == 17 and len(l4) >= 8:
        sp, dp = struct.unpack_from("!HH", l4)
        return f"UDP {src}:{sp} > {dst}:{dp}"
    if ip[9] == 1 and len(l4) >= 2:
        return f"ICMP {src} > {dst} type {l4[0]} code {l4[1]}"
    return f"IPv4 proto {ip[9]} {src} > {dst}"


def capture_report(path, before=4, after=2):
    """Report lines on a capture: how many frames, and the frames around its
    longest silence (a stall: what was the last thing said, and by whom),
    or the last ones when no gap is over STALL_GAP seconds."""
    try:
        frames = pcap_frames(path)
    except OSError:
        return []
    if not frames:
        return ["no frames"]
    gaps = [(frames[i][0] - frames[i - 1][0], i) for i in range(1, len(frames))]
    gap, at = max(gaps) if gaps else (0.0, len(frames))
    if gap < STALL_GAP:
        at, after = len(frames), 0
    lines = [f"{len(frames)} frames" + (f"; {gap:.1f} s of silence before #{at}:" if after
                                        else "; the last ones:")]
    for i in range(max(0, at - before), min(len(frames), at + after)):
        mark = f" (after {gap:.1f} s)" if i == at and after else ""
        lines.append(f"  #{i}{mark} {frame_text(frames[i][1])}")
    return lines


# ---------------------------------------------------------------- the table and the runner

def log_path(outdir, name):
    return os.path.join(outdir, name + ".log")


def pcap_path(outdir, name):
    return os.path.join(outdir, name + ".pcap")


def older_pcap(path):
    """The segment before NAME.pcap in a capture ring (CaptureRing): NAME.1.pcap."""
    return path[:-len(".pcap")] + ".1.pcap"


def judge_log(k):
    """Raise CaseFailed on a NEVER line in Kestrel's log (after the case's own checks,
    from a finally: a panic explains the failure better than the check that saw it)."""
    why = never_lines(k)
    if why:
        raise CaseFailed(why)


PEER_CASES = (peer_case, unplug_case, tcpopts_case, ipv6_case, loss_case, mutate_case)   # the cases that need Linux (a SKIP without it)


def cases():
    """[(name, function, nic)]: each case on each NIC model; /etc/rc's on RC_NICS."""
    return [(f"{kind}-{nic}", fn, nic) for kind, fn in (("slirp", slirp_case), ("peer", peer_case))
            for nic in NICS] + [(f"peer-{USB_NIC}", peer_case, USB_NIC),
                                (f"unplug-{USB_NIC}", unplug_case, USB_NIC)] + \
        [(f"{kind}-{nic}", fn, nic) for kind, fn in (("rc-dhcp", rc_dhcp_case),
                                                     ("rc-noserver", rc_noserver_case))
         for nic in RC_NICS] + [(f"tcpopts-{nic}", tcpopts_case, nic) for nic in TCPOPTS_NICS] + \
        [("flood-virtio-net-pci", flood_case, "virtio-net-pci"),
         ("loss-virtio-net-pci", loss_case, "virtio-net-pci"),
         ("mutate-virtio-net-pci", mutate_case, "virtio-net-pci")] + \
        [(f"selftest-{nic}", selftest_case, nic) for nic in SELFTEST_MUST] + \
        [(f"ipv6-{nic}", ipv6_case, nic) for nic in NICS] + \
        [("ipv6-hostile-virtio-net-pci", ipv6_hostile_case, "virtio-net-pci"),
         ("pmtu-virtio-net-pci", pmtu_case, "virtio-net-pci")]


def prepare_linux(build):
    """Fetch Debian's Linux for the peers and fill netpeer's caches (the PVH
    vmlinux, the NICs' modules) once, before the cases start: two peers
    starting at once on a cold cache would both unpack into the same files.
    None, or why Linux cannot be had (the peer cases then skip)."""
    try:
        vmlinuz, _, deb = netpeer.linux_files(build)
        cache = netpeer.linux_cache(build, deb)
        netpeer.pvh_vmlinux(cache, vmlinuz)
        netpeer.net_modules(cache, deb, NICS)
    except subprocess.CalledProcessError as e:
        err = (e.stderr or b"").decode(errors="replace").strip()[:200]
        cmd = " ".join(e.cmd) if isinstance(e.cmd, list) else str(e.cmd)
        return f"no Linux kernel package: '{cmd}' exited {e.returncode}" + \
            (f": {err}" if err else "")
    except (RuntimeError, OSError) as e:
        return f"no Linux kernel package: {e}"
    return None


def run_case(build, outdir, name, fn, nic, keep):
    """One case, its earlier log and capture removed first: (its PASS or FAIL
    text, passed). A pass leaves only the logs (unless keep)."""
    for p in (log_path(outdir, name), pcap_path(outdir, name),
              older_pcap(pcap_path(outdir, name))):
        if os.path.exists(p):
            os.unlink(p)
    t0 = time.monotonic()
    try:
        figures = fn(build, outdir, nic, name)
        why = None
    except CaseFailed as e:
        why = str(e)
    except (RuntimeError, OSError, ValueError, subprocess.CalledProcessError) as e:
        why = f"cannot run: {type(e).__name__}: {e}"
    secs = time.monotonic() - t0
    if why is None:
        if not keep:
            for ext in (".img", ".vars.fd", ".pcap", ".1.pcap"):
                p = os.path.join(outdir, name + ext)
                if os.path.exists(p):
                    os.unlink(p)
        return f"PASS net/{name} ({secs:.1f} s): " + ", ".join(figures), True
    return f"FAIL net/{name} ({secs:.1f} s): {why}" + log_lines(outdir, name), False


def log_lines(outdir, name):
    """The logs of a failed case, the frames around its capture's longest
    silence, and the tail of Kestrel's console."""
    def rel(path):
        return os.path.relpath(path, TOP)
    text = f"\n    serial log: {rel(log_path(outdir, name))}"
    peer = os.path.join(outdir, name + ".peer.log")
    if os.path.exists(peer):
        text += f"\n    peer log: {rel(peer)}"
    if os.path.exists(older_pcap(pcap_path(outdir, name))):
        text += f"\n    frames before: {rel(older_pcap(pcap_path(outdir, name)))}"
    if os.path.exists(pcap_path(outdir, name)):
        text += f"\n    frames: {rel(pcap_path(outdir, name))}"
        text += "".join("\n      " + line for line in capture_report(pcap_path(outdir, name)))
    if os.path.exists(log_path(outdir, name)):
        with open(log_path(outdir, name), errors="replace") as f:
            tail = f.read().splitlines()[-12:]
        text += "".join("\n    | " + line for line in tail)
    return text


def leave_on_sigterm(*_):
    """SIGTERM (timeout(1), as make conformance-net-hostile runs this): stop
    every QEMU and relay of the run, then leave at once. sys.exit would not
    do: it waits for the cases' threads, and a hostile phase can be half an
    hour; a QEMU left behind keeps running (Kestrel's has no lifetime)."""
    print("net: SIGTERM: stopping this run's QEMUs and relays", file=sys.stderr, flush=True)
    netpeer._stop_all()
    netrelay.stop_all()
    os._exit(143)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--keep", action="store_true", help="keep images and captures of passes")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    table = cases()
    if args.list:
        print("\n".join(name for name, _, _ in table))
        return 0
    unknown = set(args.names) - {name for name, _, _ in table}
    if unknown:
        print("unknown case(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    table = [c for c in table if not args.names or c[0] in args.names]
    build = os.path.abspath(args.build)
    if not os.path.exists(os.path.join(build, "kernel.elf")):
        print(f"FAIL net: no {os.path.relpath(build, TOP)}/kernel.elf: run 'make all'")
        print("net: 0 passed, 1 failed")
        return 1
    outdir = os.path.join(build, "test", "net")
    os.makedirs(outdir, exist_ok=True)
    signal.signal(signal.SIGTERM, leave_on_sigterm)
    no_linux = prepare_linux(build) if any(fn in PEER_CASES for _, fn, _ in table) else None
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = []
        for name, fn, nic in table:
            if fn in PEER_CASES and no_linux:
                futures.append((name, None))
            else:
                futures.append((name, pool.submit(run_case, build, outdir, name, fn, nic,
                                                  args.keep)))
        for name, f in futures:
            if f is None:
                skipped += 1
                print(f"SKIP net/{name}: {no_linux}", flush=True)
                continue
            line, ok = f.result()
            passed, failed = passed + ok, failed + (not ok)
            print(line, flush=True)
    print(f"net: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
