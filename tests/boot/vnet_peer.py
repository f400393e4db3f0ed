#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Raw Ethernet frames with Kestrel's virtio-net, over QEMU's `-netdev dgram`.

The host side of a wire: a Unix datagram socket in a temporary directory
that QEMU's dgram netdev sends the guest's frames to (one datagram per
frame, no virtio header) and takes frames for the guest from. Nothing
leaves the host. DgramPeer answers what Kestrel's virtio-net self-test
(kernel/dev/virtio_net_test.c, virtio_net_frames) sends:

  * the probe, a broadcast of EtherType 0x88b5 whose payload begins
    "kestrel-vnet-probe": first FLOOD frames at the guest (unicast and
    broadcast, 60 to 1514 bytes, with runts of 1..13 bytes, which the
    driver must count as rx_errors, and frames longer than a receive
    buffer, which come over several buffers (VIRTIO_NET_F_MRG_RXBUF) and
    must come up whole: the guest's "merged" count), then the reply
    "kestrel-vnet-reply";
  * an ARP request for any address but the asker's, answered with
    PEER_MAC (a gateway for every address).

Run alone, it boots an image with `selftest=kernel debugexit` and checks
both ends: the peer saw the guest's probe and ARP request (60 bytes,
the guest's MAC, no virtio header leaking onto the wire), and the
guest's log shows the self-tests passing and its receive buffers all
accounted for after the flood.

    vnet_peer.py [--build DIR] [--flood N] [--nic-opts OPTS]
"""
import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
ESP_OFFSET = 2048 * 512          # tools/mkimg.sh puts the ESP at 1 MiB
DEBUGEXIT_OK = (0 << 1) | 1      # isa-debug-exit: (status << 1) | 1

GUEST_MAC = bytes.fromhex("525400123456")   # QEMU's default
PEER_MAC = bytes.fromhex("525400abcdef")
BROADCAST = b"\xff" * 6
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
ETH_P_PROBE = 0x88b5             # IEEE 802 local experimental 1: the probe
ETH_P_FLOOD = 0x88b6             # local experimental 2: the flood's filler
PROBE = b"kestrel-vnet-probe"
REPLY = b"kestrel-vnet-reply"
RUNTS = 13                       # frames of 1..13 bytes: shorter than an Ethernet header
GIANTS = 4                       # frames longer than a 2048-byte receive buffer
FRAME_MAX = 1514


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


class DgramPeer:
    """The host end of a dgram wire in directory d: binds d/peer.sock; QEMU
    binds d/guest.sock (qemu_args). Answers in a thread until close()."""

    def __init__(self, d, flood=0):
        self.path = os.path.join(d, "peer.sock")
        self.guest_path = os.path.join(d, "guest.sock")
        self.flood = flood
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.frames = []             # every frame the guest sent
        self.sent = {"flood": 0, "runts": 0, "giants": 0, "replies": 0, "arp": 0}
        self.errors = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def qemu_args(self, nic_opts=""):
        return ["-device", "virtio-net-pci,netdev=n0,romfile=,mac=52:54:00:12:34:56" + nic_opts,
                "-netdev", f"dgram,id=n0,local.type=unix,local.path={self.guest_path},"
                           f"remote.type=unix,remote.path={self.path}"]

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()

    def _send(self, frame):
        self.sock.sendto(frame, self.guest_path)  # blocks while QEMU's socket is full: no loss

    def _run(self):
        while not self._stop:
            try:
                frame = self.sock.recv(65536)
            except socket.timeout:
                continue
            self.frames.append(frame)
            try:
                self._answer(frame)
            except OSError as e:
                self.errors.append(f"send to the guest: {e}")

    def _answer(self, f):
        if len(f) < 14:
            self.errors.append(f"the guest sent a {len(f)}-byte frame")
            return
        src, etype = f[6:12], struct.unpack("!H", f[12:14])[0]
        if etype == ETH_P_PROBE and f[14:14 + len(PROBE)] == PROBE:
            self._flood(src)
            self._send(eth(src, PEER_MAC, ETH_P_PROBE, REPLY.ljust(46, b"\0")))
            self.sent["replies"] += 1
        elif etype == ETH_P_ARP and len(f) >= 42:
            op, sha, spa, tpa = struct.unpack("!H6s4s6x4s", f[20:42])
            if op == 1 and tpa != spa:
                arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 2, PEER_MAC, tpa, sha, spa)
                self._send(eth(src, PEER_MAC, ETH_P_ARP, arp.ljust(46, b"\0")))
                self.sent["arp"] += 1

    def _flood(self, guest):
        """self.flood frames at the guest: sizes 60..1514 in turn, every
        eighth a broadcast, the runts and giants among them."""
        for i in range(self.flood):
            size = 60 + (i * 97) % (FRAME_MAX - 60 + 1)
            dst = BROADCAST if i % 8 == 0 else guest
            self._send(eth(dst, PEER_MAC, ETH_P_FLOOD, struct.pack("!I", i).ljust(size - 14, b"\xa5")))
            self.sent["flood"] += 1
            if i % 50 == 25 and self.sent["runts"] < RUNTS:
                self.sent["runts"] += 1
                self._send(eth(guest, PEER_MAC, ETH_P_FLOOD, b"")[:self.sent["runts"]])
            if i % 200 == 100 and self.sent["giants"] < GIANTS:
                self.sent["giants"] += 1
                self._send(eth(guest, PEER_MAC, ETH_P_FLOOD, b"\x5a" * 3000))


def put_cmdline(img, text):
    path = img + ".cmdline"
    with open(path, "w") as f:
        f.write(text + "\n")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(["mcopy", "-o", "-i", f"{img}@@{ESP_OFFSET}", path, "::kestrel/cmdline.txt"],
                   env=env, check=True)
    os.unlink(path)


def boot(build, d, extra, timeout):
    """Boot build's image (selftest=kernel debugexit) with extra QEMU
    arguments: (exit status or "timeout", the serial log)."""
    img, vars_fd, log = (os.path.join(d, n) for n in ("kestrel.img", "vars.fd", "serial.log"))
    shutil.copyfile(os.path.join(build, "kestrel.img"), img)
    shutil.copyfile(OVMF_VARS, vars_fd)
    put_cmdline(img, "selftest=kernel debugexit")
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "256M", "-nodefaults", "-display", "none",
           "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
           "-drive", f"if=pflash,format=raw,file={vars_fd}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-drive", f"format=raw,file={img}", "-serial", f"file:{log}", "-no-reboot"] + extra
    try:
        status = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        status = "timeout"
    with open(log, errors="replace") as f:
        return status, f.read().replace("\r", "")


ACCOUNT = re.compile(r"virtio-net: eth0: rx buffers allocated (\d+) = freed (\d+) \+ handed up (\d+) \+ "
                     r"posted (\d+); rx_errors (\d+) rx_dropped (\d+) tx_packets (\d+) tx_bytes (\d+); merged (\d+)")


def check_guest(log, peer):
    """None, or what the guest's log says went wrong."""
    for want in (r"virtio-net: 0000:[0-9a-f:.]+ eth0 52:54:00:12:34:56 mtu \d+ link up \((MSI-X|polled)\)",
                 r"selftest: virtio-net-ring ok", r"selftest: virtio-net-frames ok",
                 r"selftest: \d+ passed, 0 failed"):
        if not re.search(want, log):
            return f"no line {want!r} in the guest's log"
    m = ACCOUNT.search(log)
    if not m:
        return "no receive-buffer account in the guest's log"
    allocs, frees, handed, posted, rx_err, _, _, _, merged = map(int, m.groups())
    if allocs != frees + handed + posted:
        return f"receive buffers leaked: {m.group(0)}"
    # every flood frame and runt came in before the reply that ended the
    # test (the giants, longer than a buffer, over several: merged); the
    # runts are too short for an Ethernet header: rx_errors, never handed up
    want = peer.sent["flood"] + peer.sent["replies"]
    if merged < peer.sent["giants"]:
        return f"the guest merged {merged} frames; the peer sent {peer.sent['giants']} giants"
    if rx_err < peer.sent["runts"] or handed < want:
        return (f"the guest handed up {handed} frames and counted {rx_err} errors; "
                f"the peer sent {want} frames and {peer.sent['runts']} runts")
    return None


def check_peer(peer):
    """None, or what is wrong with what the guest sent."""
    if peer.errors:
        return "; ".join(peer.errors[:3])
    probes = [f for f in peer.frames if f[12:14] == struct.pack("!H", ETH_P_PROBE)]
    arps = [f for f in peer.frames if f[12:14] == struct.pack("!H", ETH_P_ARP)]
    if not probes or not arps:
        return f"the peer saw {len(probes)} probes and {len(arps)} ARP requests"
    p = probes[0]
    if len(p) != 60 or p[:6] != BROADCAST or p[6:12] != GUEST_MAC or p[14:14 + len(PROBE)] != PROBE:
        return f"the probe arrived malformed ({len(p)} bytes: {p[:32].hex()})"
    if not peer.sent["replies"]:
        return "no reply sent"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--flood", type=int, default=2000, help="frames sent at the guest before the reply")
    ap.add_argument("--nic-opts", default="", help="more virtio-net-pci options, e.g. ,host_mtu=1400")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="vnet-peer-")
    peer = DgramPeer(d, flood=args.flood)
    try:
        status, log = boot(args.build, d, peer.qemu_args(args.nic_opts), args.timeout)
    finally:
        peer.close()
    why = None if status == DEBUGEXIT_OK else f"QEMU exit status {status}"
    why = why or check_peer(peer) or check_guest(log, peer)
    m = ACCOUNT.search(log)
    kinds = {}
    for f in peer.frames:
        k = f[12:14].hex() if len(f) >= 14 else "runt"
        kinds[k] = kinds.get(k, 0) + 1
    print(f"vnet-peer: peer got {len(peer.frames)} frames (by EtherType {kinds}), sent {peer.sent}")
    if m:
        print("vnet-peer: guest " + m.group(0))
    if why:
        print(f"vnet-peer: FAIL: {why} (log {os.path.join(d, 'serial.log')})")
        return 1
    shutil.rmtree(d)
    print("vnet-peer: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
