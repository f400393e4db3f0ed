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
Every case runs once per NIC model (virtio-net-pci and e1000):

  slirp-NIC  topology (a) of tests/boot/netpeer.py: QEMU user networking
             with restrict=on only. The lease 10.0.2.15 from slirp (which,
             restricted, sends no router and no DNS option); `ping -c 3
             10.0.2.2`, every echo answered; the guest fetches 1 MiB of
             random bytes from a host HTTP server on 127.0.0.1 through
             guestfwd 10.0.2.100:80 and its sha256 matches; the host fetches
             4 MiB the guest made from busybox httpd through a hostfwd on
             127.0.0.1 and its sha256 matches what the guest printed.
  peer-NIC   topology (b): Kestrel and Debian's Linux (netpeer.LinuxPeer)
             on a wire. The peer is netpeer.script_server() (10.0.2.2,
             udhcpd leasing 10.0.2.15, httpd with a 1 MiB /blob) followed by
             checks of its own: once Kestrel's httpd answers, the peer pings
             Kestrel and fetches 1 MiB from it. Kestrel takes its lease from
             udhcpd, pings the peer and fetches /blob (sha256 against the
             peer's); the peer's fetch is compared with what Kestrel printed,
             and Kestrel's QEMU must still be running after the peer's checks.

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
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402  (Wire, LinuxPeer, Guest, user_netdev, ...)

NICS = ("virtio-net-pci", "e1000")
KESTREL_IP = "10.0.2.15"
GATEWAY_IP = "10.0.2.2"             # slirp's host address; the peer's address on the wire
GUESTFWD_IP = "10.0.2.100"          # slirp forwards its port 80 to the host's server
CMDLINE_DHCP = "init=/bin/sh ip=dhcp"
MIB = 1 << 20
HOST_BLOB = 1 * MIB                 # the host's file the guest fetches (slirp)
GUEST_FILE_BLOCKS = {"slirp": 64, "peer": 16}   # 64 KiB blocks Kestrel makes: 4 MiB, 1 MiB
PROMPT = r"boot: loader start to first console read"
LEASE = r"ipconfig: eth0 (\S+)/(\d+) gateway (\S+) dns (\S+) lease (\d+) s \(DHCP from (\S+)\)"
NEVER = [r"KERNEL PANIC", r"FAIL"]  # as boottest.py's NEVER: a failure wherever it shows
SHA256 = r"^([0-9a-f]{64})  (\S+)$"
PING_ALL = r"3 packets transmitted, 3 packets received"
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


def ping(k, target):
    """`ping -c 3 target` from Kestrel: every echo answered; its summary line."""
    status, out, secs = k.run(f"ping -c 3 {target}")
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


def kestrel_argv(img, vars_fd, netdev, nic, pcap):
    """QEMU for Kestrel: q35, 256 MiB, OVMF, the image, the serial port on stdio,
    netdev (a -netdev pair with id net0) with the NIC, every frame into pcap."""
    return [netpeer.QEMU, "-machine", "q35", "-m", "256M", "-nodefaults", "-display", "none",
            "-vga", "std", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={netpeer.OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-drive", f"format=raw,file={img}", "-serial", "stdio"] + netdev + \
        netpeer.nic_args(nic, "net0", netpeer.KESTREL_MAC) + \
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


def slirp_case(build, outdir, nic, name):
    """Topology (a): Kestrel alone on slirp (restrict=on). Returns the figures."""
    img, vars_fd = make_image(build, outdir, name, CMDLINE_DHCP)
    srv = host_server()
    fwd = netpeer.free_port()
    netdev = netpeer.user_netdev("net0", hostfwd=[("tcp", fwd, 80)],
                                 guestfwd=[(GUESTFWD_IP, 80, (netpeer.LOOPBACK, srv.server_port))])
    argv = kestrel_argv(img, vars_fd, netdev, nic, pcap_path(outdir, name))
    try:
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                return slirp_steps(k, srv, fwd)
            finally:
                judge_log(k)
    finally:
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------- (b) a Linux peer on a wire

def peer_script():
    """script_server() (10.0.2.2, udhcpd, httpd with /blob) and then, once
    Kestrel's httpd serves /sum, the peer's own checks of Kestrel: ping
    (three echoes) and http (Kestrel's /f), and the values kestrel-sha256
    (what the peer got) and kestrel-said (Kestrel's /sum)."""
    base = netpeer.script_server().rstrip("\n").split("\n")
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


def peer_steps(k, peer):
    """The peer case's checks on a booted Kestrel; its figures."""
    figures = []
    k.expect("shell prompt", PROMPT, BOOT_TIMEOUT)
    figures.append(f"prompt at {k.at:.0f} s")
    figures.append(lease(k, GATEWAY_IP, GATEWAY_IP))
    figures.append(f"ping {ping(k, GATEWAY_IP)}")
    try:
        want = peer.wait_value("blob-sha256", 5)
    except netpeer.PeerError as e:
        raise CaseFailed(str(e))
    _, out, secs = k.run(f"wget -O - http://{GATEWAY_IP}/blob | sha256sum")
    got = sha256_of(out, "-")
    if got != want:
        raise CaseFailed(f"fetch of the peer's /blob: sha256 {got}, the peer has {want} "
                         "(" + " / ".join(out[-3:]) + ")")
    figures.append(f"fetch {rate(MIB, secs)}")
    said = guest_file(k, GUEST_FILE_BLOCKS["peer"])
    figures += peer_checks(k, peer, said)
    if not k.running():
        raise CaseFailed(f"Kestrel's QEMU ended (status {k.status}) during the peer's checks")
    k.must("echo still-here")
    return figures


def peer_case(build, outdir, nic, name):
    """Topology (b): Kestrel and a Linux peer on a wire. Returns the figures."""
    with netpeer.Wire() as wire, \
            netpeer.LinuxPeer(build, peer_script(), nic=nic, wire=wire, side=1,
                              logdir=outdir, name=name + ".peer") as peer:
        img, vars_fd = make_image(build, outdir, name, CMDLINE_DHCP)
        try:
            # Kestrel's DHCP gives up after about 10 s: udhcpd must be up first
            peer.wait_up(PEER_TIMEOUT)
            peer.wait_ready("server", PEER_TIMEOUT)
        except netpeer.PeerError as e:
            raise CaseFailed(str(e))
        argv = kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                            pcap_path(outdir, name))
        with Kestrel(name, argv, log_path(outdir, name)) as k:
            try:
                figures = peer_steps(k, peer)
            finally:
                judge_log(k)
        return figures + [f"peer boot {peer.boot_seconds:.1f} s"]


# ---------------------------------------------------------------- the capture, for a report

PCAP_MAGIC = 0xA1B2C3D4             # microsecond timestamps, as QEMU's filter-dump writes
PCAP_HDR, PCAP_REC = 24, 16
ETH_HDR, ETH_P_IP, ETH_P_ARP = 14, 0x0800, 0x0806
TCP_FLAGS = "FSRPAU"
STALL_GAP = 5.0                     # seconds without a frame that capture_report calls a stall


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


def judge_log(k):
    """Raise CaseFailed on a NEVER line in Kestrel's log (after the case's own checks,
    from a finally: a panic explains the failure better than the check that saw it)."""
    why = never_lines(k)
    if why:
        raise CaseFailed(why)


def cases():
    """[(name, function, nic)]: each case on each NIC model."""
    return [(f"{kind}-{nic}", fn, nic) for kind, fn in (("slirp", slirp_case), ("peer", peer_case))
            for nic in NICS]


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
    for p in (log_path(outdir, name), pcap_path(outdir, name)):
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
            for ext in (".img", ".vars.fd", ".pcap"):
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
    if os.path.exists(pcap_path(outdir, name)):
        text += f"\n    frames: {rel(pcap_path(outdir, name))}"
        text += "".join("\n      " + line for line in capture_report(pcap_path(outdir, name)))
    if os.path.exists(log_path(outdir, name)):
        with open(log_path(outdir, name), errors="replace") as f:
            tail = f.read().splitlines()[-12:]
        text += "".join("\n    | " + line for line in tail)
    return text


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
    no_linux = prepare_linux(build) if any(fn is peer_case for _, fn, _ in table) else None
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = []
        for name, fn, nic in table:
            if fn is peer_case and no_linux:
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
