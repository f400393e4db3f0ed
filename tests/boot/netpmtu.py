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
import ipaddress
import struct
import time

import netflood
import netflood6
from netflood import (ICMP_DEST_UNREACH, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_DF, TCP_ACK,
                      TCP_SYN, ip_bytes, ipv4, icmp)

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
        return self.fetch(request, deadline, hook)[0]


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


# ---------------------------------------------------------------- IPv6: a packet too big for UDP

ETH_P_IPV6 = 0x86DD
NEXTHDR_FRAGMENT, NEXTHDR_UDP, NEXTHDR_ICMP6 = 44, 17, 58
ICMPV6_PKT_TOOBIG, ND_NEIGHBOR_SOLICIT, ND_NEIGHBOR_ADVERT = 2, 135, 136
ND_OPT_TARGET_LL = 2
NA_SOLICITED_OVERRIDE = 0x60000000
IPV6_HDR = 40


class Injector6(netflood.Injector):
    """netflood.Injector that also holds an IPv6 link-local address (ll6):
    it answers the guest's neighbour solicitations for it, and lists the
    guest's IPv6 packets to it in .v6 as (time, next header, packet
    length, the UDP source port or None, the packet) for the tests to
    look at; on_udp6, if set, is called with each UDP one (reader thread)."""

    def __init__(self, wire, ll6, udp4_dst=None, **kw):
        super().__init__(wire, **kw)
        self.n6 = netflood6
        self.ll6 = ll6
        self.v6 = []
        self.on_udp6 = None
        self.udp4_dst = ip_bytes(udp4_dst) if udp4_dst else None
        self.v4 = []                   # (time, total length, flags and offset, UDP source port or None, packet)
        self.on_udp4 = None

    def _answer(self, fr):
        if fr.ip and fr.ip[2] == IPPROTO_UDP and fr.ip[1] == self.udp4_dst:
            return self._udp4(fr)
        if fr.etype != ETH_P_IPV6 or len(fr.raw) < 14 + IPV6_HDR:
            return super()._answer(fr)
        p = fr.raw[14:]
        plen, nh = struct.unpack_from("!HB", p, 4)
        src, dst = p[8:24], p[24:40]
        body = p[IPV6_HDR:IPV6_HDR + plen]
        if nh == NEXTHDR_ICMP6 and len(body) >= 24 and body[0] == ND_NEIGHBOR_SOLICIT:
            return self._neigh_advert(src, body[8:24], fr.src)
        if dst != self.n6.a6(self.ll6):
            return
        sport = struct.unpack_from("!H", body)[0] if nh == NEXTHDR_UDP and len(body) >= 8 else None
        rec = (time.monotonic(), nh, IPV6_HDR + plen, sport, p[:IPV6_HDR + plen])
        self.v6.append(rec)
        if self.on_udp6 and sport is not None:
            self.on_udp6(rec)

    def _udp4(self, fr):
        """The guest's IPv4 UDP packets (whole or fragments) to udp4_dst: listed in .v4."""
        p = fr.raw[14:]
        total, frag = struct.unpack_from("!H", p, 2)[0], struct.unpack_from("!H", p, 6)[0]
        ihl = (p[0] & 0xF) * 4
        sport = struct.unpack_from("!H", p, ihl)[0] if not frag & 0x1FFF else None
        rec = (time.monotonic(), total, frag, sport, p[:total])
        self.v4.append(rec)
        if self.on_udp4 and sport is not None:
            self.on_udp4(rec)

    def _neigh_advert(self, asker, target, asker_mac):
        if target != self.n6.a6(self.ll6):
            return
        me, to = self.ll6, str(ipaddress.IPv6Address(asker))
        opt = struct.pack("!BB", ND_OPT_TARGET_LL, 1) + self.mac
        body = self.n6.icmp6(me, to, ND_NEIGHBOR_ADVERT, 0, NA_SOLICITED_OVERRIDE, target + opt)
        pkt = self.n6.ip6(me, to, NEXTHDR_ICMP6, body, hops=255)
        self.send(netflood.pad(netflood.eth(asker_mac, self.mac, ETH_P_IPV6, pkt)))

    def packet_too_big(self, guest, quoted, mtu, sport=None):
        """An ICMPv6 packet too big (mtu) to guest from ll6 quoting the
        packet quoted (its UDP source port replaced by sport, if given)."""
        q = bytearray(quoted[:IPV6_HDR + 512])
        if sport is not None:
            struct.pack_into("!H", q, IPV6_HDR, sport)
        body = self.n6.icmp6(self.ll6, guest, ICMPV6_PKT_TOOBIG, 0, mtu, bytes(q))
        pkt = self.n6.ip6(self.ll6, guest, NEXTHDR_ICMP6, body)
        self.send(netflood.eth(netflood.mac_bytes(self.guest_mac), self.mac, ETH_P_IPV6, pkt))
