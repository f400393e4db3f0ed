#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The host end of the e1000_wire self-test (kernel/dev/e1000.c).

tests/boot/nettest.py's selftest-e1000 and selftest-e1000e cases start it.
QEMU runs with
    -device e1000,netdev=n0 (or e1000e) -netdev dgram,id=n0,local.type=unix,local.path=Q,remote.type=unix,remote.path=P
and this script binds P and sends to Q: raw Ethernet frames, one datagram
each. On the kernel's HELLO (EtherType 0x88b5, magic "KE1K") it answers
PEER_HELLO and streams the number of DATA frames HELLO asked for (every
length from 60 to 1514 bytes, a pattern set by the sequence number),
while it checks the kernel's DATA frames for order, length and contents;
on DONE it answers RESULT with what it got. A HELLO after a RESULT
starts the next session (the kernel runs the exchange once per interrupt
mode). It prints one line per session and exits 0 when there were
--sessions of them, each complete and clean both ways.

    e1000_peer.py --listen P --qemu Q [--sessions N] [--timeout S]
"""
import argparse
import os
import select
import socket
import struct
import sys
import threading
import time

ETHERTYPE = 0x88B5
MAGIC = b"KE1K"
HELLO, PEER_HELLO, DATA, DONE, RESULT = 1, 2, 3, 4, 5
ETH_ZLEN, ETH_FRAME_LEN = 60, 1514
HDR = 14 + 14                       # Ethernet, then magic 4, type 1, pad 3, seq 4, length 2
PEER_MAC = bytes([0x02, 0, 0, 0, 0xe1, 0x00])   # locally administered
PATTERN = bytes(range(256)) * 8


def wire_len(seq):
    return ETH_ZLEN + (seq * 37) % (ETH_FRAME_LEN - ETH_ZLEN + 1)


def frame(dst, typ, seq=0, a0=0, a1=0):
    length = wire_len(seq) if typ == DATA else ETH_ZLEN
    head = dst + PEER_MAC + struct.pack(">H", ETHERTYPE) + MAGIC + bytes([typ, 0, 0, 0]) + \
        struct.pack(">IH", seq, length)
    if typ == DATA:
        start = seq & 0xff
        body = PATTERN[start:start + length - HDR]
    else:
        body = struct.pack(">II", a0, a1) + bytes(length - HDR - 8)
    return head + body


class Session:
    """One exchange, from the kernel's HELLO to its last DONE."""
    def __init__(self, peer, kernel_mac, want_rx, want_tx):
        self.peer = peer
        self.kernel_mac = kernel_mac
        self.want_tx = want_tx
        self.sent = 0
        self.rx_good = self.rx_bad = 0
        self.next_seq = 0
        self.t_hello = time.monotonic()
        self.t_stream = None
        self.results_sent = 0
        self.streamer = threading.Thread(target=self.stream, args=(want_rx,), daemon=True)

    def stream(self, n):
        for seq in range(n):
            self.peer.send(frame(self.kernel_mac, DATA, seq))
            self.sent += 1
        self.t_stream = time.monotonic() - self.t_hello

    def data(self, f, seq):
        length = struct.unpack(">H", f[26:28])[0]
        start = seq & 0xff
        ok = (seq == self.next_seq and len(f) == wire_len(seq) and length == len(f)
              and f[HDR:] == PATTERN[start:start + len(f) - HDR])
        self.next_seq = seq + 1
        if ok:
            self.rx_good += 1
        else:
            self.rx_bad += 1

    def ok(self):
        return self.rx_good == self.want_tx and self.rx_bad == 0 and self.results_sent > 0

    def summary(self):
        stream = f"{self.t_stream:.2f} s" if self.t_stream is not None else "unfinished"
        return (f"sent {self.sent} frames ({stream}); got {self.rx_good} good, {self.rx_bad} bad "
                f"of {self.want_tx}; {self.results_sent} RESULT sent")


class Peer:
    def __init__(self, listen, qemu):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if os.path.exists(listen):
            os.unlink(listen)
        self.sock.bind(listen)
        self.qemu = qemu
        self.sessions = []

    def send(self, data):
        self.sock.sendto(data, self.qemu)   # blocks while QEMU's queue is full: flow control

    def handle(self, f):
        if len(f) < HDR + 8 or struct.unpack(">H", f[12:14])[0] != ETHERTYPE or f[14:18] != MAGIC:
            return
        typ, seq = f[18], struct.unpack(">I", f[22:26])[0]
        a0, a1 = struct.unpack(">II", f[HDR:HDR + 8])
        cur = self.sessions[-1] if self.sessions else None
        if typ == HELLO:
            if cur is None or cur.results_sent:   # else a repeat of the current one's
                cur = Session(self, f[6:12], a0, a1)
                self.sessions.append(cur)
                self.send(frame(cur.kernel_mac, PEER_HELLO))
                cur.streamer.start()
        elif cur is None:
            return
        elif typ == DATA:
            cur.data(f, seq)
        elif typ == DONE:
            self.send(frame(cur.kernel_mac, RESULT, 0, cur.rx_good, cur.rx_bad))
            cur.results_sent += 1

    def run(self, timeout, sessions):
        # The socket stays blocking, for the streamer's sends (a timeout
        # would apply to them too): wait for input with select instead.
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not select.select([self.sock], [], [], 0.5)[0]:
                if len(self.sessions) >= sessions and self.sessions[-1].results_sent:
                    return  # the kernel stopped asking: it has the last RESULT
                continue
            self.handle(self.sock.recv(65536))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True, help="this end's socket (QEMU's remote.path)")
    ap.add_argument("--qemu", required=True, help="QEMU's socket (its local.path)")
    ap.add_argument("--sessions", type=int, default=2, help="exchanges expected (e1000_wire, _polled)")
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    p = Peer(a.listen, a.qemu)
    p.run(a.timeout, a.sessions)
    for i, s in enumerate(p.sessions):
        s.streamer.join(1)
        print(f"e1000-peer: session {i + 1}: {'ok' if s.ok() else 'FAIL'}: {s.summary()}")
    ok = len(p.sessions) == a.sessions and all(s.ok() for s in p.sessions)
    print(f"e1000-peer: {'ok' if ok else 'FAIL'}: {len(p.sessions)} of {a.sessions} sessions")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
