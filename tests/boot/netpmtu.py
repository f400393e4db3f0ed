#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Path MTU discovery against a forged router, for nettest.py's pmtu case.

The injector (netflood.Injector) plays the hosts of the guest's wire and a
router between them: PmtuClient fetches a page from the guest's httpd and,
when the guest's first full-sized segment comes, "drops" it as a router
on a narrower link would and sends the guest the ICMP fragmentation
needed (type 3 code 4) that router would send, quoting the segment's
IPv4 header and first 8 bytes. What the guest must do, as Linux's
tcp_v4_err and the route exceptions do: lower the live connection's MSS
(its retransmission fits), and give the next connection to that host the
lower MSS in its SYN-ACK. A forged one that quotes nothing the guest has
in flight must change nothing. forge_udp_flood sends frag-needed messages
for random destinations that quote a UDP port the guest has a socket on
(so they pass the check a UDP socket makes), to show the guest's cache
stays bounded.
"""
import queue
import random
import struct
import time

import netflood
from netflood import (ICMP_DEST_UNREACH, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_DF, TCP_ACK,
                      TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, ip_bytes, ipv4, icmp)

ICMP_FRAG_NEEDED = 4
TCPOPT_MSS = 2
TCP_HDR = 20
IPV4_HDR = 20


def frag_needed(router, guest, quoted, mtu):
    """The IPv4 packet a router at `router` sends `guest` about `quoted` (the
    guest's packet: its IPv4 header and at least 8 bytes after it)."""
    rest = struct.pack("!HH", 0, mtu)
    return ipv4(router, guest, IPPROTO_ICMP, icmp(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, rest,
                                                  quoted[:IPV4_HDR + 8]))


def quote_tcp(src, dst, sport, dport, seq, ack, length):
    """The start of a TCP segment src sent dst as the router saw it: an IPv4
    header with DF and the segment's total length, then ports, seq and ack."""
    head = struct.pack("!HHII", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF)
    return ipv4(src, dst, IPPROTO_TCP, head, frag=IP_DF, total=IPV4_HDR + TCP_HDR + length)


def quote_udp(src, dst, sport, dport, length):
    head = struct.pack("!HHHH", sport, dport, 8 + length, 0)
    return ipv4(src, dst, IPPROTO_UDP, head, frag=IP_DF, total=IPV4_HDR + 8 + length)


class PmtuClient(netflood.TcpClient):
    """TcpClient whose fetch shows each data segment to a hook first: the
    hook returns True to drop it (the router's part). .sizes lists
    (seq, length) of every data segment the guest sent, in order."""

    def fetch_with(self, request, deadline, hook):
        rcv, _ = self.handshake(deadline)
        snd = self.iss + 1
        self._send(snd, rcv, TCP_ACK)
        got, fin, acked, last_tx = bytearray(), False, False, 0.0
        self.sizes = []
        while not fin:
            now = time.monotonic()
            if now > deadline:
                raise netflood.FloodError(f"answer not complete in time ({len(got)} bytes)")
            if not acked and now - last_tx >= 1.0:
                self._send(snd, rcv, TCP_ACK | TCP_PSH, request)
                last_tx = now
            try:
                s = self.segments.get(timeout=0.2)
            except queue.Empty:
                continue
            sp, dp, seq, ack, flags, win, data = s
            if flags & TCP_RST:
                raise netflood.FloodError(f"reset by the guest after {len(got)} bytes")
            if flags & TCP_ACK and (ack - snd - len(request)) & 0xFFFFFFFF < 1 << 31:
                acked = True
            if data:
                self.sizes.append((seq, len(data)))
                if hook(self, seq, ack, data):
                    continue
            if seq == rcv and (data or flags & TCP_FIN):
                got += data
                rcv = (rcv + len(data) + (1 if flags & TCP_FIN else 0)) & 0xFFFFFFFF
                fin = bool(flags & TCP_FIN)
            if data or flags & TCP_FIN:
                self._send(snd + len(request) if acked else snd, rcv, TCP_ACK)
        self._send(snd + len(request), rcv, TCP_FIN | TCP_ACK)
        return bytes(got)


def syn_ack_mss(frames, guest, client, cport):
    """The MSS option of the guest's SYN-ACKs to client:cport in a capture
    ([(time, frame bytes)]): a list, one per SYN-ACK."""
    out = []
    for _, raw in frames:
        fr = netflood.Frame(raw)
        if not fr.tcp or fr.ip[0] != ip_bytes(guest) or fr.ip[1] != ip_bytes(client):
            continue
        sp, dp, _, _, flags, _, _ = fr.tcp
        if dp != cport or flags & (TCP_SYN | TCP_ACK) != TCP_SYN | TCP_ACK:
            continue
        ihl = (raw[14] & 0xF) * 4
        tcp = raw[14 + ihl:]
        opts = tcp[TCP_HDR:(tcp[12] >> 4) * 4]
        out.append(tcp_option_mss(opts))
    return out


def tcp_option_mss(opts):
    """The MSS in TCP options, or None."""
    i = 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if kind == TCPOPT_MSS and opts[i + 1] == 4 and i + 4 <= len(opts):
            return struct.unpack_from("!H", opts, i + 2)[0]
        i += opts[i + 1]
    return None


def forge_udp_flood(inj, rng, router, guest, gport, count):
    """count frag-needed messages from router, each quoting a UDP datagram
    from guest:gport to a random address and port, with a random MTU
    between 576 and 1400 (never 127/8, the guest's own, nor 10/8, its
    link's: each one a path the guest routes through its gateway). Returns
    the seconds it took."""
    t0 = time.monotonic()
    firsts = [a for a in range(1, 224) if a not in (10, 127)]
    for _ in range(count):
        dst = "%d.%d.%d.%d" % (rng.choice(firsts), rng.randrange(256), rng.randrange(256),
                               rng.randrange(1, 255))
        q = quote_udp(guest, dst, gport, rng.randrange(1, 65536), 1472)
        inj.send_ip(frag_needed(router, guest, q, rng.randrange(576, 1401)))
    return time.monotonic() - t0
