#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hostile host on a wire: SYN floods and malformed frames for the network boot tests.

The Injector sits on one side of a netpeer.Wire (a `-netdev dgram` over
Unix datagram sockets: one datagram is one Ethernet frame, no virtio
header) with the other side a guest's NIC, and plays every host on the
guest's 10.0.2.0/24 but the guest: it answers ARP requests for the
addresses it owns (10.0.2.2, the gateway, and whatever own() adds) with
PEER_MAC, answers ICMP echo requests to them, and leaves ARP requests
for any other address unanswered (those hosts "are not there"). It reads
every frame the guest sends and counts what it saw (SYN-ACKs to flood
sources, resets, ICMP errors, ARP requests answered and not).

What it sends:

  syn_flood()      COUNT TCP SYNs to the guest's listening port from random
                   addresses and ports on 10.0.2.0/24, never completing a
                   handshake. Two shapes at once: half the sources are owned
                   (their ARP is answered, so the guest's SYN-ACKs reach the
                   injector, which ignores them), half are not (the guest's
                   ARP entries for them stay INCOMPLETE, its SYN-ACKs wait
                   there and are dropped).
  TcpClient        a minimal TCP client (SYN, SYN-ACK, ACK, a request, the
                   answer up to the server's FIN) from an owned address,
                   sending its SYN again on Linux's schedule (1, 2, 4... s).
  hostile_frames() a seeded generator of frames mixing valid-looking
                   Ethernet/IPv4/TCP/UDP/ICMP with random truncation, wrong
                   lengths, bad checksums, random IPv4 and TCP options,
                   fragments (queues that never complete, overlaps, endless
                   datagrams, offsets near 65535, a datagram reassembling to
                   more than 65535 bytes), ARP of odd sizes and contents,
                   martians (the guest's own address as source: a LAND SYN)
                   and random bytes; the same seed gives the same frames.

Sends block while QEMU's socket is full (QEMU reads it as fast as the
guest's receive ring empties), so nothing is lost on the host side and
the flood runs at the guest's pace; FloodError when the guest takes
nothing for SEND_STALL seconds.

Run alone, it floods Debian's Linux (netpeer.LinuxPeer, 10.0.2.15/24,
busybox httpd on port 80, net.ipv4.tcp_syncookies as asked) the way
nettest.py's flood case floods Kestrel, for comparison:

    netflood.py linux [--build DIR] [--nic NIC] [--seed N] [--syncookies 0|1] [--watch S]
"""
import argparse
import ipaddress
import os
import queue
import random
import re
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402  (Wire, LinuxPeer, PEER_MAC, KESTREL_MAC)

ETH_P_IP, ETH_P_ARP = 0x0800, 0x0806
ETH_HLEN, FRAME_MAX = 14, 1514
BROADCAST_MAC = b"\xff" * 6
IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP = 1, 6, 17
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ICMP_ECHOREPLY, ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_TIME_EXCEEDED = 0, 3, 8, 11
IP_MF, IP_DF = 0x2000, 0x4000
SUBNET = "10.0.2."
GATEWAY_IP = "10.0.2.2"             # the injector's own address (the guest's gateway)
CLIENT_IP = "10.0.2.3"              # TcpClient's address
GUEST_IP = "10.0.2.15"
RESERVED_HOSTS = {0, 2, 3, 15, 255}  # never a flood source: the net, the injector, the guest, broadcast
SEND_STALL = 20                     # seconds a send may wait for the guest to take frames
RECV_POLL = 0.2                     # the reader's wake-up to look at the stop flag
SYN_SCHEDULE = (0, 1, 3, 7, 15, 31)  # a Linux client's SYN and its retries (tcp_syn_retries)
CLIENT_MSS = 1460


class FloodError(RuntimeError):
    """The wire or the guest did not do what the injector needs: the message says what."""


# ---------------------------------------------------------------- building frames

def ip_bytes(a):
    """An address as bytes: 4 for IPv4 text, 16 for IPv6 text, bytes as they are."""
    if not isinstance(a, str):
        return a
    return socket.inet_pton(socket.AF_INET6, a) if ":" in a else socket.inet_aton(a)


def ip_text(b):
    return socket.inet_ntoa(b)


def mac_bytes(m):
    return bytes.fromhex(m.replace(":", "")) if isinstance(m, str) else m


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ident=0, frag=0, ttl=64, options=b"", tos=0,
         total=None, ihl=None, version=4, good_csum=True):
    """An IPv4 packet. frag: the flags and offset word (IP_MF | offset // 8).
    total, ihl, version: what the header says, whatever the bytes are;
    good_csum False: a checksum off by one."""
    options += b"\0" * (-len(options) % 4)
    hl = 20 + len(options)
    ihl = hl // 4 if ihl is None else ihl
    total = hl + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 0xF), tos, total & 0xFFFF,
                    ident & 0xFFFF, frag & 0xFFFF, ttl, proto, 0, ip_bytes(src),
                    ip_bytes(dst)) + options
    c = csum(h) ^ (0 if good_csum else 1)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def l4_csum(src, dst, proto, seg):
    pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def tcp(src, dst, sport, dport, seq, ack, flags, win=65535, options=b"", payload=b"",
        doff=None, good_csum=True, urg=0):
    """A TCP segment (no IP header) with its checksum over the pseudo-header."""
    options += b"\x01" * (-len(options) % 4)
    doff = (20 + len(options)) // 4 if doff is None else doff
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    (doff & 0xF) << 4, flags & 0xFF, win & 0xFFFF, 0, urg) + options
    seg = h + payload
    c = l4_csum(src, dst, IPPROTO_TCP, seg) ^ (0 if good_csum else 1)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload, length=None, good_csum=True):
    length = 8 + len(payload) if length is None else length
    seg = struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + payload
    c = (l4_csum(src, dst, IPPROTO_UDP, seg) or 0xFFFF) ^ (0 if good_csum else 1)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def icmp(typ, code, rest=b"\0\0\0\0", payload=b"", good_csum=True):
    m = struct.pack("!BBH", typ, code, 0) + rest + payload
    c = csum(m) ^ (0 if good_csum else 1)
    return m[:2] + struct.pack("!H", c) + m[4:]


def arp(op, sha, spa, tha, tpa, htype=1, ptype=ETH_P_IP, hlen=6, plen=4):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + mac_bytes(sha) + ip_bytes(spa) + \
        mac_bytes(tha) + ip_bytes(tpa)


def pad(frame):
    """An Ethernet frame padded to the 60-byte minimum, as a NIC sends it."""
    return frame + b"\0" * (60 - len(frame)) if len(frame) < 60 else frame


# ---------------------------------------------------------------- reading frames

class Frame:
    """The fields of a frame the injector reads: Ethernet, then ARP or IPv4 with
    TCP, UDP or ICMP (None where the frame has no such part)."""

    def __init__(self, f):
        self.raw, self.etype = f, None
        self.arp = self.ip = self.tcp = self.icmp = None
        if len(f) < ETH_HLEN:
            return
        self.dst, self.src, self.etype = f[0:6], f[6:12], struct.unpack_from("!H", f, 12)[0]
        body = f[ETH_HLEN:]
        if self.etype == ETH_P_ARP and len(body) >= 28:
            op, sha, spa, tha, tpa = struct.unpack_from("!6xH6s4s6s4s", body)
            self.arp = (op, sha, spa, tha, tpa)
        elif self.etype == ETH_P_IP and len(body) >= 20 and body[0] >> 4 == 4:
            self._ipv4(body)

    def _ipv4(self, p):
        ihl, total = (p[0] & 0xF) * 4, struct.unpack_from("!H", p, 2)[0]
        if ihl < 20 or total < ihl or total > len(p):
            return
        self.ip = (p[12:16], p[16:20], p[9], struct.unpack_from("!H", p, 6)[0])
        l4 = p[ihl:total]
        if self.ip[3] & 0x1FFF:
            return  # a later fragment: no transport header
        if p[9] == IPPROTO_TCP and len(l4) >= 20:
            sp, dp, seq, ack, off, flags, win = struct.unpack_from("!HHIIBBH", l4)
            self.tcp = (sp, dp, seq, ack, flags, win, l4[(off >> 4) * 4:])
        elif p[9] == IPPROTO_ICMP and len(l4) >= 8:
            self.icmp = (l4[0], l4[1], l4)


# ---------------------------------------------------------------- the injector

class Injector:
    """The host end of a wire: binds wire.path(side), sends to the other side.

    owned: addresses it answers ARP and ICMP echo for (GATEWAY_IP and
    CLIENT_IP always). A reader thread answers until close(); .seen counts
    what the guest sent, .sent what the injector sent. Use as a context
    manager; start() before the guest's QEMU (which binds the other path).
    """

    def __init__(self, wire, side=1, mac=netpeer.PEER_MAC, guest_ip=GUEST_IP):
        self.path, self.peer_path = wire.path(side), wire.path(1 - side)
        self.mac = mac_bytes(mac)
        self.guest_ip = ip_bytes(guest_ip)
        self.guest_mac = mac_bytes(netpeer.KESTREL_MAC)
        self.owned = {ip_bytes(GATEWAY_IP), ip_bytes(CLIENT_IP)}
        self.clients = {}             # (our address, our port) -> TcpClient
        self.seen = dict(frames=0, arp_answered=0, arp_unanswered=0, echo_answered=0,
                         synacks=0, rsts=0, icmp_errors=0, tcp_other=0)
        self.unanswered = set()       # addresses the guest asked for and got no answer
        self.sent = 0
        self.errors = []
        self.sock = None
        self._stop = False
        self._lock = threading.Lock()
        self._thread = None

    def start(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind(self.path)
        self.sock.settimeout(RECV_POLL)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def close(self):
        self._stop = True
        if self._thread:
            self._thread.join()
        if self.sock:
            self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def own(self, addr):
        self.owned.add(ip_bytes(addr))

    # ---- sending

    def send(self, frame):
        """One frame to the guest; blocks while QEMU's socket is full.
        FloodError when nothing is taken for SEND_STALL seconds, or QEMU's end is gone."""
        deadline = time.monotonic() + SEND_STALL
        while True:
            try:
                self.sock.sendto(frame, self.peer_path)
                with self._lock:
                    self.sent += 1
                return
            except (socket.timeout, BlockingIOError):
                if time.monotonic() > deadline:
                    raise FloodError(f"the guest took no frame for {SEND_STALL} s "
                                     f"({self.sent} sent)")
            except (FileNotFoundError, ConnectionRefusedError) as e:
                raise FloodError(f"the guest's end of the wire is gone: {e}")

    def send_ip(self, packet, dst_mac=None):
        self.send(pad(eth(dst_mac or self.guest_mac, self.mac, ETH_P_IP, packet)))

    # ---- receiving (the reader thread)

    def _run(self):
        while not self._stop:
            try:
                f = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:
                self.errors.append(f"receive: {e}")
                return
            self.seen["frames"] += 1
            try:
                self._answer(Frame(f))
            except FloodError as e:
                self.errors.append(str(e))
            except OSError as e:
                self.errors.append(f"answer: {e}")

    def _answer(self, fr):
        if fr.arp:
            return self._arp(fr)
        if not fr.ip:
            return
        src, dst, proto, _ = fr.ip
        if fr.icmp:
            return self._icmp(fr)
        if fr.tcp:
            c = self.clients.get((dst, fr.tcp[1]))
            if c:
                return c.segments.put(fr.tcp)
            flags = fr.tcp[4]
            if flags & TCP_RST:
                self.seen["rsts"] += 1
            elif flags & TCP_SYN and flags & TCP_ACK:
                self.seen["synacks"] += 1
            else:
                self.seen["tcp_other"] += 1

    def _arp(self, fr):
        op, sha, spa, _, tpa = fr.arp
        if op != 1 or tpa == spa:
            return
        if tpa not in self.owned:
            self.seen["arp_unanswered"] += 1
            self.unanswered.add(tpa)
            return
        self.seen["arp_answered"] += 1
        self.send(pad(eth(sha, self.mac, ETH_P_ARP, arp(2, self.mac, tpa, sha, spa))))

    def _icmp(self, fr):
        src, dst, _, _ = fr.ip
        typ, code, msg = fr.icmp
        if typ in (ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED):
            self.seen["icmp_errors"] += 1
        if typ != ICMP_ECHO or dst not in self.owned:
            return
        self.seen["echo_answered"] += 1
        self.send_ip(ipv4(dst, src, IPPROTO_ICMP, icmp(ICMP_ECHOREPLY, 0, msg[4:8], msg[8:])),
                     fr.src)


# ---------------------------------------------------------------- a minimal TCP client

class TcpClient:
    """One connection from an owned address to the guest: fetch() does the
    handshake, sends a request and reads the answer to the guest's FIN.
    Segments reach it through the injector's reader (.segments). mss: the
    MSS option of its SYN."""

    mss = CLIENT_MSS

    def __init__(self, inj, src, dst, dport, rng):
        self.inj, self.src, self.dst, self.dport = inj, ip_bytes(src), ip_bytes(dst), dport
        self.sport = rng.randrange(32768, 61000)
        self.iss = rng.getrandbits(32)
        self.segments = queue.Queue()
        self.syns = 0
        inj.own(src)
        inj.clients[(self.src, self.sport)] = self

    def _send(self, seq, ack, flags, payload=b"", options=b""):
        self.inj.send_ip(ipv4(self.src, self.dst, IPPROTO_TCP,
                              tcp(self.src, self.dst, self.sport, self.dport, seq, ack, flags,
                                  options=options, payload=payload)))

    def handshake(self, deadline):
        """SYN (again on SYN_SCHEDULE) until a SYN-ACK: the guest's next sequence
        number and the seconds it took. FloodError on a reset or at the deadline."""
        t0 = time.monotonic()
        mss = struct.pack("!BBH", 2, 4, self.mss)
        for i, at in enumerate(SYN_SCHEDULE):
            if t0 + at > deadline:
                break
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            self._send(self.iss, 0, TCP_SYN, options=mss)
            self.syns += 1
            nxt = SYN_SCHEDULE[i + 1] if i + 1 < len(SYN_SCHEDULE) else float("inf")
            until = min(deadline, t0 + nxt)
            seg = self._wait(lambda s: s[4] & TCP_SYN and s[4] & TCP_ACK, until)
            if seg:
                return seg[2] + 1, time.monotonic() - t0
        raise FloodError(f"no SYN-ACK to {self.syns} SYNs in {time.monotonic() - t0:.1f} s")

    def _wait(self, want, until):
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return None
            try:
                s = self.segments.get(timeout=left)
            except queue.Empty:
                return None
            if s[4] & TCP_RST:
                raise FloodError("reset by the guest")
            if want(s):
                return s

    def fetch(self, request, deadline, hook=None):
        """The whole exchange: (answer bytes, seconds to the SYN-ACK, seconds in all).
        hook(client, seq, ack, data), if given, sees each data segment first
        and returns True to drop it (a router's part: netpmtu.py); .sizes
        lists (seq, length) of every data segment the guest sent, in order."""
        t0 = time.monotonic()
        rcv, synack_s = self.handshake(deadline)
        snd = self.iss + 1
        self._send(snd, rcv, TCP_ACK)
        got, fin, acked, last_tx = bytearray(), False, False, 0.0
        self.sizes = []
        while not fin:
            now = time.monotonic()
            if now > deadline:
                raise FloodError(f"answer not complete in time ({len(got)} bytes)")
            if not acked and now - last_tx >= 1.0:
                self._send(snd, rcv, TCP_ACK | TCP_PSH, request)
                last_tx = now
            try:
                s = self.segments.get(timeout=0.2)
            except queue.Empty:
                continue
            sp, dp, seq, ack, flags, win, data = s
            if flags & TCP_RST:
                raise FloodError(f"reset by the guest after {len(got)} bytes")
            if flags & TCP_ACK and (ack - snd - len(request)) & 0xFFFFFFFF < 1 << 31:
                acked = True
            if data:
                self.sizes.append((seq, len(data)))
                if hook and hook(self, seq, ack, data):
                    continue
            if seq == rcv and (data or flags & TCP_FIN):
                got += data
                rcv = (rcv + len(data) + (1 if flags & TCP_FIN else 0)) & 0xFFFFFFFF
                fin = bool(flags & TCP_FIN)
            if data or flags & TCP_FIN:
                self._send(snd + len(request) if acked else snd, rcv, TCP_ACK)
        self._send(snd + len(request), rcv, TCP_FIN | TCP_ACK)
        return bytes(got), synack_s, time.monotonic() - t0


# ---------------------------------------------------------------- (a) the SYN flood

def flood_sources(rng):
    """(answered, silent): the flood's source addresses on the subnet, split in
    two halves at random (the injector owns the first)."""
    hosts = [h for h in range(1, 255) if h not in RESERVED_HOSTS]
    rng.shuffle(hosts)
    half = len(hosts) // 2
    return ([f"{SUBNET}{h}" for h in hosts[:half]], [f"{SUBNET}{h}" for h in hosts[half:]])


def syn_flood(inj, rng, count, dport):
    """count SYNs at the guest's dport from random sources (both shapes) and
    ports; the injector owns the answered half. Figures: dict."""
    answered, silent = flood_sources(rng)
    for a in answered:
        inj.own(a)
    sources = answered + silent
    mss = struct.pack("!BBH", 2, 4, CLIENT_MSS)
    t0 = time.monotonic()
    for _ in range(count):
        src = rng.choice(sources)
        inj.send_ip(ipv4(src, inj.guest_ip, IPPROTO_TCP,
                         tcp(src, inj.guest_ip, rng.randrange(1024, 65536), dport,
                             rng.getrandbits(32), 0, TCP_SYN, win=rng.randrange(1, 65536),
                             options=mss), ident=rng.getrandbits(16)))
    return dict(syns=count, secs=time.monotonic() - t0, answered=len(answered),
                silent=len(silent))


# ---------------------------------------------------------------- (b) hostile frames

class Hostile:
    """The seeded generator of hostile frames (frames(): an iterator of
    (kind, frame)); each kind is a method named k_KIND returning a list of
    frames; KINDS gives their weights."""

    KINDS = {"tcp": 8, "tcp_opts": 6, "udp": 5, "icmp": 6, "ip_opts": 6, "bad_len": 8,
             "bad_csum": 5, "truncated": 8, "frag_open": 12, "frag_overlap": 4,
             "frag_endless": 8, "frag_edge": 4, "arp": 7, "random": 6, "martian": 2}
    FIRST = ("frag_whole", "frag_oversize")   # before the fragment queues fill

    def __init__(self, seed, guest_ip=GUEST_IP, guest_mac=netpeer.KESTREL_MAC,
                 mac=netpeer.PEER_MAC, dport=80):
        self.rng = random.Random(seed)
        self.guest_ip, self.guest_mac, self.mac = guest_ip, mac_bytes(guest_mac), mac_bytes(mac)
        self.dport = dport
        self.endless = []             # (src, id, next offset) of datagrams never finished

    def frames(self, count):
        """count frames: (kind, frame bytes)."""
        n, kinds = 0, list(self.KINDS)
        weights = [self.KINDS[k] for k in kinds]
        todo = [(k, f) for k in self.FIRST for f in getattr(self, "k_" + k)()]
        while n < count:
            if not todo:
                k = self.rng.choices(kinds, weights)[0]
                todo = [(k, f) for f in getattr(self, "k_" + k)()]
            yield todo.pop(0)
            n += 1

    # ---- helpers

    def src(self):
        """A source: mostly on the subnet (never an owned address), sometimes
        beyond it (the guest answers through its gateway, the injector)."""
        r = self.rng
        if r.random() < 0.8:
            return f"{SUBNET}{r.choice([h for h in range(1, 255) if h not in RESERVED_HOSTS])}"
        return f"{r.randrange(1, 224)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def frame(self, packet, dst_mac=None):
        return pad(eth(dst_mac or self.guest_mac, self.mac, ETH_P_IP, packet))

    def port(self):
        return self.dport if self.rng.random() < 0.5 else self.rng.randrange(65536)

    def tcp_seg(self, src, flags=None, options=b"", payload=None, **kw):
        r = self.rng
        flags = r.getrandbits(8) if flags is None else flags
        payload = r.randbytes(r.choice([0, 0, 1, 100, 1000])) if payload is None else payload
        return tcp(src, self.guest_ip, r.randrange(65536), self.port(), r.getrandbits(32),
                   r.getrandbits(32), flags, win=r.randrange(65536), options=options,
                   payload=payload, urg=r.choice([0, 0, r.randrange(65536)]), **kw)

    def l4(self, src):
        """A valid-looking transport payload and its protocol number."""
        r = self.rng
        k = r.randrange(3)
        if k == 0:
            return IPPROTO_TCP, self.tcp_seg(src)
        if k == 1:
            return IPPROTO_UDP, udp(src, self.guest_ip, r.randrange(65536), r.randrange(65536),
                                    r.randbytes(r.randrange(200)))
        return IPPROTO_ICMP, icmp(ICMP_ECHO, 0, r.randbytes(4), r.randbytes(r.randrange(100)))

    def valid(self):
        src = self.src()
        proto, seg = self.l4(src)
        return ipv4(src, self.guest_ip, proto, seg, ident=self.rng.getrandbits(16))

    # ---- the kinds

    def k_tcp(self):
        src = self.src()
        return [self.frame(ipv4(src, self.guest_ip, IPPROTO_TCP, self.tcp_seg(src)))]

    def tcp_options(self):
        r = self.rng
        out = b""
        for _ in range(r.randrange(1, 6)):
            kind = r.choice([0, 1, 2, 3, 4, 5, 8, 19, 28, 30, 34, 254, r.randrange(256)])
            ln = r.choice([0, 1, 2, 3, 4, 10, 18, 40, 255, r.randrange(256)])
            out += bytes([kind]) + (bytes([ln]) + r.randbytes(max(0, ln - 2))
                                    if kind > 1 else b"")
        return out[:40]

    def k_tcp_opts(self):
        src = self.src()
        flags = self.rng.choice([TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_ACK | TCP_PSH,
                                 self.rng.getrandbits(8)])
        return [self.frame(ipv4(src, self.guest_ip, IPPROTO_TCP,
                                self.tcp_seg(src, flags, self.tcp_options())))]

    def k_udp(self):
        r, src = self.rng, self.src()
        length = r.choice([None, None, 0, 7, 8, 9, 65535, r.randrange(65536)])
        good = r.random() < 0.7
        seg = udp(src, self.guest_ip, r.randrange(65536), r.choice([53, 67, 68, 69, 123, 137,
                                                                    r.randrange(65536)]),
                  r.randbytes(r.randrange(600)), length, good)
        if r.random() < 0.2:
            seg = seg[:6] + b"\0\0" + seg[8:]   # no checksum: allowed in IPv4
        dst = r.choice([self.guest_ip, self.guest_ip, f"{SUBNET}255", "255.255.255.255"])
        mac = BROADCAST_MAC if dst != self.guest_ip else None
        return [self.frame(ipv4(src, dst, IPPROTO_UDP, seg), mac)]

    def k_icmp(self):
        r, src = self.rng, self.src()
        typ = r.choice([ICMP_ECHO, ICMP_ECHO, ICMP_DEST_UNREACH, ICMP_DEST_UNREACH, 4, 5,
                        ICMP_TIME_EXCEEDED, 12, 13, 14, 17, r.randrange(256)])
        code = r.choice([0, 1, 3, 4, r.randrange(256)])
        if typ in (ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, 4, 5, 12):
            inner = ipv4(self.guest_ip, src, r.choice([IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 99]),
                         r.randbytes(8))
            inner = inner[:r.choice([len(inner), 20, 24, 27, r.randrange(len(inner) + 1)])]
            rest = struct.pack("!HH", 0, r.choice([0, 68, 576, 1500, r.randrange(65536)]))
            m = icmp(typ, code, rest, inner, r.random() < 0.8)
        else:
            m = icmp(typ, code, r.randbytes(4), r.randbytes(r.randrange(1400)), r.random() < 0.8)
        dst = r.choice([self.guest_ip, self.guest_ip, f"{SUBNET}255"])
        return [self.frame(ipv4(src, dst, IPPROTO_ICMP, m),
                           BROADCAST_MAC if dst != self.guest_ip else None)]

    def ip_options(self):
        r = self.rng
        out = b""
        while len(out) < 40 and r.random() < 0.8:
            kind = r.choice([0, 1, 7, 68, 131, 137, 148, 130, 133, r.randrange(256)])
            if kind in (0, 1):
                out += bytes([kind])
                continue
            ln = r.choice([0, 1, 2, 3, 4, 5, 7, 11, 39, 40, 41, r.randrange(256)])
            ptr = r.choice([0, 1, 4, 5, 8, 40, 255, r.randrange(256)])
            out += bytes([kind, ln, ptr]) + r.randbytes(max(0, ln - 3))
        return out[:40]

    def k_ip_opts(self):
        src = self.src()
        proto, seg = self.l4(src)
        return [self.frame(ipv4(src, self.guest_ip, proto, seg, options=self.ip_options(),
                                ident=self.rng.getrandbits(16)))]

    def k_bad_len(self):
        r, src = self.rng, self.src()
        proto, seg = self.l4(src)
        k = r.randrange(4)
        if k == 0:
            p = ipv4(src, self.guest_ip, proto, seg, total=r.choice([0, 19, 20, 21, len(seg) + 21,
                                                                     65535, r.randrange(65536)]))
        elif k == 1:
            p = ipv4(src, self.guest_ip, proto, seg, ihl=r.randrange(16))
        elif k == 2:
            seg = self.tcp_seg(src, doff=r.randrange(16))
            p = ipv4(src, self.guest_ip, IPPROTO_TCP, seg)
        else:
            p = ipv4(src, self.guest_ip, proto, seg, version=r.choice([0, 5, 6, 15]))
        return [self.frame(p)]

    def k_bad_csum(self):
        r, src = self.rng, self.src()
        if r.random() < 0.5:
            p = ipv4(src, self.guest_ip, IPPROTO_TCP, self.tcp_seg(src), good_csum=False)
        else:
            p = ipv4(src, self.guest_ip, IPPROTO_TCP, self.tcp_seg(src, good_csum=False))
        return [self.frame(p)]

    def k_truncated(self):
        f = self.frame(self.valid())
        return [f[:self.rng.randrange(1, len(f))]]   # never empty: QEMU reads 0 bytes as the end

    def fragment(self, src, ident, off, payload, more, proto=IPPROTO_UDP, options=b""):
        frag = (IP_MF if more else 0) | (off // 8)
        return self.frame(ipv4(src, self.guest_ip, proto, payload, ident=ident, frag=frag,
                               options=options))

    def k_frag_open(self):
        """A piece of a datagram that never completes (each a new queue)."""
        r, src = self.rng, self.src()
        ident = r.getrandbits(16)
        size = r.choice([8, 64, 512, 1480])
        off = r.choice([0, 0, 8 * r.randrange(1, 8000)])
        more = r.random() < 0.8
        if not more:
            size = r.randrange(1, 1400)
        if r.random() < 0.3:
            self.endless.append([src, ident, off + size])
        return [self.fragment(src, ident, off, r.randbytes(size), more)]

    def k_frag_overlap(self):
        r, src = self.rng, self.src()
        ident = r.getrandbits(16)
        a = r.randrange(0, 100) * 8
        b = a + r.randrange(-64, 64) * 8
        b = max(0, b)
        out = [self.fragment(src, ident, a, r.randbytes(512), True),
               self.fragment(src, ident, b, r.randbytes(r.choice([8, 512, 1000])),
                             r.random() < 0.5)]
        if r.random() < 0.3:
            out.append(out[0])   # an exact duplicate
        return out

    def k_frag_endless(self):
        """More pieces of an unfinished datagram (8-byte-aligned, MF)."""
        r = self.rng
        if not self.endless:
            return self.k_frag_open()
        e = r.choice(self.endless)
        src, ident, off = e
        out = []
        for _ in range(r.randrange(1, 8)):
            size = 8 * r.randrange(1, 185)
            if off + size > 65528:
                break
            out.append(self.fragment(src, ident, off, r.randbytes(size), True))
            off += size
        e[2] = off
        return out or self.k_frag_open()

    def k_frag_edge(self):
        """Fragments ending at 65535 or past it (the ping of death), as last or middle pieces."""
        r, src = self.rng, self.src()
        ident = r.getrandbits(16)
        off = 8 * r.choice([8189, 8190, 8191])
        size = 65535 - off + r.choice([-7, -1, 0, 0, 1, 8, 1000])
        size = max(1, size)
        return [self.fragment(src, ident, off, r.randbytes(size), r.random() < 0.5,
                              proto=r.choice([IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_TCP])),
                self.fragment(src, ident, 0, r.randbytes(1480), True)]

    def k_frag_whole(self):
        """A UDP datagram to a closed port in 3 fragments, last one first: it
        reassembles (and earns a port unreachable)."""
        r, src = self.rng, self.src()
        ident = r.getrandbits(16)
        body = udp(src, self.guest_ip, 4000, 9, r.randbytes(3000))
        pieces = [(0, body[:1480], True), (1480, body[1480:2960], True), (2960, body[2960:], False)]
        return [self.fragment(src, ident, o, d, m) for o, d, m in reversed(pieces)]

    def k_frag_oversize(self):
        """A datagram with 40 bytes of options whose payload ends at 65535:
        whole, it would be 65575 bytes, past IPv4's limit."""
        r, src = self.rng, self.src()
        ident = r.getrandbits(16)
        opts = b"\x01" * 40
        out, off = [], 0
        while off < 65535:
            size = min(1440, 65535 - off)
            out.append(self.fragment(src, ident, off, r.randbytes(size), off + size < 65535,
                                     options=opts if off == 0 else b""))
            off += size
        return out

    def k_arp(self):
        r = self.rng
        spa = r.choice([self.src(), self.src(), self.guest_ip, "0.0.0.0", "255.255.255.255",
                        "127.0.0.1", f"{SUBNET}255"])
        sha = r.choice([r.randbytes(6), r.randbytes(6), BROADCAST_MAC, b"\x01\0^\0\0\1",
                        b"\0" * 6])
        tpa = r.choice([self.guest_ip, self.guest_ip, self.src(), spa])
        op = r.choice([1, 1, 2, 2, 0, 3, 8, 0xFFFF])
        k = r.randrange(5)
        if k == 0:
            body = arp(op, sha, spa, b"\0" * 6, tpa)
        elif k == 1:   # other sizes of hardware or protocol address
            hl, pl = r.choice([(8, 4), (6, 16), (0, 0), (255, 255), (6, 3)])
            body = struct.pack("!HHBBH", 1, ETH_P_IP, hl, pl, op) + r.randbytes(2 * (hl + pl))
        elif k == 2:   # another hardware or protocol type
            body = arp(op, sha, spa, b"\0" * 6, tpa, htype=r.choice([0, 6, 0xFFFF]),
                       ptype=r.choice([0, 0x86DD, 0xFFFF]))
        elif k == 3:   # cut short
            body = arp(op, sha, spa, b"\0" * 6, tpa)[:r.randrange(28)]
        else:          # long
            body = arp(op, sha, spa, b"\0" * 6, tpa) + r.randbytes(r.randrange(1, 1472))
        dst = r.choice([BROADCAST_MAC, self.guest_mac])
        return [eth(dst, sha if r.random() < 0.5 else self.mac, ETH_P_ARP, body)]

    def k_random(self):
        r = self.rng
        n = r.choice([r.randrange(1, 14), r.randrange(14, 60), r.randrange(60, FRAME_MAX + 1),
                      r.randrange(60, FRAME_MAX + 1), r.randrange(FRAME_MAX + 1, 4000)])
        body = r.randbytes(n)
        if n >= 14 and r.random() < 0.7:
            dst = r.choice([self.guest_mac, BROADCAST_MAC])
            et = r.choice([ETH_P_IP, ETH_P_IP, ETH_P_ARP, 0x86DD, 0x8100, r.randrange(65536)])
            body = dst + body[6:12] + struct.pack("!H", et) + body[14:]
        return [body]

    def k_martian(self):
        """Sources no wire may carry: this host (a LAND SYN: source and
        destination the same socket), loopback, 0.0.0.0, multicast; and
        loopback as destination."""
        r = self.rng
        g = self.guest_ip
        k = r.randrange(5)
        if k == 0:
            p = ipv4(g, g, IPPROTO_TCP, tcp(g, g, self.dport, self.dport, r.getrandbits(32), 0,
                                            TCP_SYN))
        elif k == 1:
            p = ipv4(g, g, IPPROTO_UDP, udp(g, g, 7, 7, b"land"))
        else:
            src = r.choice(["127.0.0.1", "0.0.0.0", "224.0.0.1", g])
            dst = r.choice([g, "127.0.0.1"])
            p = ipv4(src, dst, IPPROTO_TCP, tcp(src, dst, r.randrange(65536), self.dport,
                                                r.getrandbits(32), 0, TCP_SYN))
        return [self.frame(p)]


def send_hostile(inj, seed, count, dport=80):
    """count hostile frames from Hostile(seed) at the guest; figures: dict
    (frames, secs, and the count of each kind)."""
    h = Hostile(seed, ip_text(inj.guest_ip), inj.guest_mac, inj.mac, dport)
    kinds = {}
    t0 = time.monotonic()
    for kind, f in h.frames(count):
        inj.send(f)
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(frames=count, secs=time.monotonic() - t0, kinds=kinds)


# ---------------------------------------------------------------- the guest's counters

def snmp_counters(lines):
    """{'Ip.InReceives': n, 'Tcp.InSegs': n, ...} from /proc/net/snmp's lines."""
    out, heads = {}, {}
    for line in lines:
        name, _, rest = line.strip().partition(":")
        if not rest:
            continue
        words = rest.split()
        if name in heads:
            for k, v in zip(heads.pop(name), words):
                if re.fullmatch(r"-?\d+", v):
                    out[f"{name}.{k}"] = int(v)
        elif words and not re.fullmatch(r"-?\d+", words[0]):
            heads[name] = words
    return out


TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
              "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
              "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}


def tcp_states(lines):
    """{state name: count} from /proc/net/tcp's lines."""
    out = {}
    for line in lines:
        w = line.split()
        if len(w) > 3 and re.fullmatch(r"\d+:", w[0]):
            st = TCP_STATES.get(w[3].upper(), w[3])
            out[st] = out.get(st, 0) + 1
    return out


# ---------------------------------------------------------------- Linux, for comparison

LINUX_SCRIPT = """\
netpeer_up 10.0.2.15/24 || exit 1
ip route add default via 10.0.2.2
echo {cookies} > /proc/sys/net/ipv4/tcp_syncookies
mkdir -p /tmp/www && echo flood-ok > /tmp/www/index.html && httpd -p 80 -h /tmp/www && httpd -p 8080 -h /tmp/www
printf '%s\\n' '/^TcpExt:/ {{ if (!h) {{ for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }}' \\
	'for (i = 2; i <= NF; i++) if (n[i] ~ /^(ListenDrops|ListenOverflows|TCPReqQFullDrop)$/)' \\
	'printf "%s %s ", n[i], $i }}' > /tmp/ext.awk
netpeer_ready flood-target
while :; do
	echo "flood-stat $(netpeer_ms) memfree $(awk '/MemFree/ {{print $2}}' /proc/meminfo)" \\
		"synrecv $(grep -c '^ *[0-9]*: [0-9A-F:]* [0-9A-F:]* 03' /proc/net/tcp)" \\
		"$(awk -f /tmp/ext.awk /proc/net/netstat)" \\
		"reasm-timeout/reqds/oks/fails $(awk '/^Ip:/ {{ if (h) {{ print $14, $15, $16, $17; exit }} h = 1 }}' /proc/net/snmp)" \\
		"ping $(ping -c 1 -W 1 10.0.2.2 >/dev/null 2>&1 && echo ok || echo fail)"
	sleep 2
done
"""


def linux_run(args):
    """The flood against Debian's Linux: prints what the injector saw and the
    peer's periodic figures; status 0 (a comparison, not a test)."""
    build = os.path.abspath(args.build)
    outdir = os.path.join(build, "test", "netflood")
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(args.seed)
    with netpeer.Wire() as wire, Injector(wire, side=1) as inj, \
            netpeer.LinuxPeer(build, LINUX_SCRIPT.format(cookies=args.syncookies), nic=args.nic,
                              wire=wire, side=0, mac=netpeer.KESTREL_MAC, logdir=outdir,
                              name="linux-flood") as peer:
        peer.wait_ready("flood-target", 180)
        time.sleep(3)
        print(f"linux: memfree before: {last_stat(peer)}")
        a = syn_flood(inj, rng, args.syns, 80)
        t_flood = time.monotonic()
        print(f"linux: SYN flood {a['syns']} in {a['secs']:.1f} s; injector saw {inj.seen}")
        c = TcpClient(inj, "10.0.2.4", GUEST_IP, 8080, random.Random(rng.getrandbits(32)))
        try:
            got = c.fetch(b"GET / HTTP/1.0\r\n\r\n", time.monotonic() + 10)
            print(f"linux: port 8080 after the flood: SYN-ACK after {got[1]:.2f} s, {got[2]:.2f} s in all")
        except FloodError as e:
            print(f"linux: port 8080 after the flood: {e}")
        result = {}
        th = threading.Thread(target=client_thread, args=(inj, rng, t_flood + args.watch, result),
                              daemon=True)
        th.start()
        b = send_hostile(inj, args.seed, args.frames)
        print(f"linux: hostile {b['frames']} in {b['secs']:.1f} s")
        th.join()
        print(f"linux: handshake: {result}")
        while time.monotonic() < t_flood + args.watch:
            time.sleep(2)
        print(f"linux: injector saw {inj.seen}")
        for _, line in peer.lines:
            if line.startswith("flood-stat"):
                print("linux: " + line)
    return 0


def client_thread(inj, rng, deadline, result):
    """TcpClient.fetch of / into result (ok, synack_s, total_s, answer or error)."""
    c = TcpClient(inj, CLIENT_IP, ip_text(inj.guest_ip), 80, random.Random(rng.getrandbits(32)))
    t0 = time.monotonic()
    try:
        body, synack_s, total_s = c.fetch(b"GET / HTTP/1.0\r\n\r\n", deadline)
        result.update(ok=True, synack_s=synack_s, total_s=total_s, syns=c.syns, answer=body)
    except FloodError as e:
        result.update(ok=False, error=str(e), syns=c.syns, secs=time.monotonic() - t0)


def last_stat(peer):
    stats = [line for _, line in peer.lines if line.startswith("flood-stat")]
    return stats[-1] if stats else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    lx = sub.add_parser("linux", help="flood Debian's Linux on a wire, for comparison")
    lx.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "build"))
    lx.add_argument("--nic", default="virtio-net-pci")
    lx.add_argument("--seed", type=int, default=1)
    lx.add_argument("--syns", type=int, default=10000)
    lx.add_argument("--frames", type=int, default=5000)
    lx.add_argument("--syncookies", type=int, default=0)
    lx.add_argument("--watch", type=float, default=75, help="seconds to watch after the flood")
    args = ap.parse_args()
    return linux_run(args)


if __name__ == "__main__":
    sys.exit(main())
