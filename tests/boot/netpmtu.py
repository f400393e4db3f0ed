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

Over IPv6 (Injector6, which also answers neighbour solicitations for the
link-local addresses its clients use), tcp6_steps does the same for TCP
with ICMPv6 packets too big (type 2): PmtuClient6 fetches from the
guest's link-local address, the router quotes the first full-sized
segment with MTU 1280 and drops what is larger from then on, and forged
ones (a sequence not in flight, a port with no connection, an MTU under
IPv6's minimum) must change nothing. The socket's IPV6_MTU_DISCOVER and
IP_MTU_DISCOVER (t-conform_pmtu serve, started by serve_commands):
under IPV6_PMTUDISC_DONT a packet too big is believed as under the
default, under OMIT dropped whole; over IPv4 (tcp4_steps), under
IP_PMTUDISC_DONT and OMIT a frag-needed resends nothing at once but
teaches the route's cache, which the connection's next segments and the
next connection follow; DF on a segment as Linux's ip_dont_fragment says
(none under DONT and OMIT, on every one under WANT; on SYN-ACKs always).
df4_watch and df4_judge: IPv4 UDP, raw and ping datagrams under each
IP_MTU_DISCOVER over a path of MTU 1000 (t-conform_pmtu df4), DF,
fragments and EMSGSIZE as Linux's __ip_append_data and __ip_make_skb.
Run alone, it puts the same checks to Debian's
Linux 6.1 (netpeer.LinuxPeer as the guest, busybox httpd and Kestrel's
static t-conform_pmtu), the behaviour they are written from:

    netpmtu.py linux [--build DIR] [--nic NIC] [--seed N]
"""
import argparse
import collections
import ipaddress
import os
import random
import re
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netflood  # noqa: E402
import netflood6  # noqa: E402
import netpeer  # noqa: E402
from netflood import (ICMP_DEST_UNREACH, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_DF, IP_MF,  # noqa: E402
                      TCP_ACK, TCP_SYN, ip_bytes, ipv4, icmp)

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
    (seq, length) of every data segment the guest sent, in order;
    .ipflags (TCP flags, payload length, IPv4 flags and offset word) of
    every IPv4 segment, which Injector6 fills."""

    def __init__(self, *args):
        super().__init__(*args)
        self.ipflags = []

    def fetch_with(self, request, deadline, hook):
        return self.fetch(request, deadline, hook)[0]


def df_of(c, want):
    """c's (a PmtuClient over IPv4) SYN-ACK and data segments whose DF bit
    is not as Linux 6.1 sets it: data segments' want (ip_dont_fragment of
    the socket's IP_MTU_DISCOVER), SYN-ACKs' always (ip_build_and_send_pkt
    sets it on any packet of 576 bytes or less). A list of (what, length),
    empty when all are right."""
    odd = []
    for flags, n, frag in c.ipflags:
        synack = flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK
        if (synack or n) and bool(frag & IP_DF) != (synack or want):
            odd.append(("SYN-ACK" if synack else "data", n))
    return odd


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
NEXTHDR_TCP, NEXTHDR_FRAGMENT, NEXTHDR_UDP, NEXTHDR_ICMP6 = 6, 44, 17, 58
ICMPV6_PKT_TOOBIG, ND_NEIGHBOR_SOLICIT, ND_NEIGHBOR_ADVERT = 2, 135, 136
ND_OPT_TARGET_LL = 2
NA_SOLICITED_OVERRIDE = 0x60000000
IPV6_HDR = 40


Packet4 = collections.namedtuple("Packet4", "time proto total frag ident head raw")
Packet4.__doc__ = """An IPv4 packet Injector6 watched: frag the flags and offset word, head the
first 16 bytes after the IPv4 header, raw the packet."""


class Injector6(netflood.Injector):
    """netflood.Injector that also holds an IPv6 link-local address (ll6),
    and those own() adds (PmtuClient6's): it answers the guest's neighbour
    solicitations for them, hands the guest's TCP segments to PmtuClient6
    clients, and lists the
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
        self.watch4 = {}               # address (bytes) -> [Packet4]: every IPv4 packet the guest sends it
        self.on_watch4 = None          # called with each (reader thread)

    def _answer(self, fr):
        if fr.ip and fr.ip[1] in self.watch4:
            return self._watched4(fr)
        if fr.ip and fr.tcp:
            c = self.clients.get((fr.ip[1], fr.tcp[1]))
            if c is not None and hasattr(c, "ipflags"):
                c.ipflags.append((fr.tcp[4], len(fr.tcp[6]), fr.ip[3]))
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
        if nh == NEXTHDR_TCP and len(body) >= TCP_HDR:
            c = self.clients.get((dst, struct.unpack_from("!H", body, 2)[0]))
            if c:
                return c.take(body)
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

    def _watched4(self, fr):
        """An IPv4 packet (whole or a fragment) to a watched address: listed, never answered."""
        p = fr.raw[14:]
        total, ident, frag = struct.unpack_from("!HHH", p, 2)
        ihl = (p[0] & 0xF) * 4
        rec = Packet4(time.monotonic(), p[9], total, frag, ident, p[ihl:min(total, ihl + 16)], p[:total])
        self.watch4[fr.ip[1]].append(rec)
        if self.on_watch4:
            self.on_watch4(rec)

    def _neigh_advert(self, asker, target, asker_mac):
        if target != self.n6.a6(self.ll6) and target not in self.owned:
            return
        me, to = str(ipaddress.IPv6Address(target)), str(ipaddress.IPv6Address(asker))
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


# ---------------------------------------------------------------- IPv6: a packet too big for TCP

TCP6_MTU = 1280                     # the forged packet too big's next hop: IPv6's minimum
TCP6_MSS = TCP6_MTU - IPV6_HDR - TCP_HDR         # 1220: what fits it without TCP options
TCP6_FULL_MSS = 1500 - IPV6_HDR - TCP_HDR        # 1440: the link's, and the clients' offer
TCP6_SILLY_MTU = 1000               # under IPv6's minimum: Linux 6.1's tcp_v6_err drops it
TCP6_CLIENT = "fe80::3"             # behind the forged router: its connections learn 1280
TCP6_CONTROL = "fe80::6"            # forged messages that must change nothing for it
TCP6_PAGE = 64 * 1024               # the guest's /big: zeros, many full-sized segments
TCP6_FETCH = 90                     # seconds a fetch may take (retransmissions under TCG)
TCP6_SMALL_CLIENT = "fe80::9"       # offers MSS 1200: a packet too big of 1400 would not lower it
TCP6_WIDE_MTU = 1400                # that packet too big's (1400 - 60 over 1200)
SEQ_MASK = 0xFFFFFFFF


class PmtuFailed(RuntimeError):
    """A check of tcp6_steps failed: the message says which."""


def quote_tcp6(src, dst, sport, dport, seq, ack, data):
    """The guest's segment as the router saw it: its IPv6 header and TCP
    header (ACK, as in the middle of a transfer), then its data
    (packet_too_big keeps what fits)."""
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq & SEQ_MASK, ack & SEQ_MASK,
                      (TCP_HDR // 4) << 4, TCP_ACK, 0, 0, 0) + data
    return netflood6.ip6(src, dst, NEXTHDR_TCP, netflood6.l4_sum(src, dst, NEXTHDR_TCP, seg))


class PmtuClient6(PmtuClient):
    """PmtuClient over IPv6 from an address of the injector (Injector6:
    own() makes it answer for it) to the guest's: its SYN offers MSS 1440
    (a 1500-byte link's) and no other option, so the guest's segments
    carry none; .synack_mss lists the MSS option of each SYN-ACK."""

    mss = TCP6_FULL_MSS

    def __init__(self, inj, src, dst, dport, rng):
        super().__init__(inj, src, dst, dport, rng)
        self.src6, self.dst6 = src, dst
        self.synack_mss = []

    def _send(self, seq, ack, flags, payload=b"", options=b""):
        seg = netflood.tcp(self.src, self.dst, self.sport, self.dport, seq, ack, flags,
                           options=options, payload=payload)
        seg = netflood6.l4_sum(self.src6, self.dst6, NEXTHDR_TCP, seg)  # IPv6's pseudo-header
        pkt = netflood6.ip6(self.src6, self.dst6, NEXTHDR_TCP, seg)
        self.inj.send(netflood.eth(self.inj.guest_mac, self.inj.mac, ETH_P_IPV6, pkt))

    def take(self, seg):
        """A TCP segment the guest sent us (the injector's reader thread)."""
        sp, dp, seq, ack, off, flags, win = struct.unpack_from("!HHIIBBH", seg)
        hl = (off >> 4) * 4
        if hl < TCP_HDR or hl > len(seg):
            return
        if flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK:
            self.synack_mss.append(tcp_option_mss(seg[TCP_HDR:hl]))
        self.segments.put((sp, dp, seq, ack, flags, win, seg[hl:]))


class SmallClient6(PmtuClient6):
    """PmtuClient6 whose SYN offers a smaller MSS: the guest's segments to it are that size."""

    mss = 1200


def fetch6(inj, src, guest, rng, hook, port=80, cls=PmtuClient6):
    """GET /big from src to guest's port (httpd's 80, or a serve_commands
    server's) through a cls (PmtuClient6) with hook (PmtuClient's): the
    client, once the page came whole."""
    c = cls(inj, src, guest, port, random.Random(rng.getrandbits(32)))
    try:
        answer = c.fetch_with(b"GET /big HTTP/1.0\r\n\r\n", time.monotonic() + TCP6_FETCH, hook)
    except netflood.FloodError as e:
        raise PmtuFailed(f"GET /big from {src} port {port}: {e}")
    body = answer.partition(b"\r\n\r\n")[2]
    if body != bytes(TCP6_PAGE):
        raise PmtuFailed(f"GET /big from {src} port {port}: a body of {len(body)} bytes, "
                         f"want {TCP6_PAGE} zeros")
    return c


def covers(seq, n, at):
    """Does the segment seq, n bytes long, carry sequence number at?"""
    return (at - seq) & SEQ_MASK < n


def tcp6_live(inj, guest, rng, counters, client=TCP6_CLIENT, port=80, what="IPv6 TCP"):
    """The router drops the guest's first full-sized segment to client (from
    port: httpd's 80, or a serve_commands server's),
    sends a packet too big (TCP6_MTU) quoting it, then drops every segment
    too big for that link: the dropped byte must come again in a segment
    that fits, at once (no TCPTimeouts: Linux's tcp_v6_mtu_reduced calls
    tcp_simple_retransmit), and every segment after it fit; the page whole.
    A figure."""
    said = {}

    def router(c, seq, ack, data):
        if "seq" in said:
            if len(data) > TCP6_MSS and covers(seq, len(data), said["seq"]):
                # what would follow is an RTO's retransmission, and the fetch's timeout
                raise PmtuFailed(f"after a packet too big (MTU {TCP6_MTU}) the guest sent the segment "
                                 f"it quoted again in {len(data)} bytes (at most {TCP6_MSS})")
            if len(data) > TCP6_MSS:
                return True  # the link takes no more (one packet too big said so)
            if "again" not in said and covers(seq, len(data), said["seq"]):
                said["again"] = time.monotonic() - said["told"]
            return False
        if len(data) <= TCP6_MSS:
            return False
        said["seq"] = seq
        inj.packet_too_big(guest, quote_tcp6(guest, client, port, c.sport, seq, ack, data), TCP6_MTU)
        said["told"] = time.monotonic()
        return True
    before = counters()
    c = fetch6(inj, client, guest, rng, router, port)
    after = counters()
    if "seq" not in said:
        raise PmtuFailed(f"{what}: no segment over {TCP6_MSS} bytes to {client}: "
                         f"{sorted(set(n for _, n in c.sizes))}")
    at = [i for i, (seq, n) in enumerate(c.sizes) if covers(seq, n, said["seq"])]
    if len(at) < 2:
        raise PmtuFailed(f"{what}: no retransmission to {client} of the segment the packet too big quoted")
    first, later = max(n for _, n in c.sizes[:at[0] + 1]), max(n for _, n in c.sizes[at[1]:])
    if later > TCP6_MSS:
        raise PmtuFailed(f"{what}: after a packet too big (MTU {TCP6_MTU}) the guest still sent {later}-byte "
                         f"segments to {client} (at most {TCP6_MSS})")
    if after["TCPTimeouts"] != before["TCPTimeouts"]:
        raise PmtuFailed(f"{what}: the retransmission after the packet too big waited for a timeout (TcpExt "
                         f"TCPTimeouts {before['TCPTimeouts']} -> {after['TCPTimeouts']}): Linux resends "
                         f"at once (tcp_simple_retransmit)")
    # the delay is a figure, not a check (wall clock on a shared host)
    return (f"{what}: segments {first} bytes, {later} from the retransmission on, which came "
            f"{said.get('again', float('nan')) * 1000:.0f} ms after the packet too big, no RTO")


def tcp6_next(inj, guest, rng, client=TCP6_CLIENT, want=TCP6_MSS, why=f"path MTU {TCP6_MTU} less 60"):
    """The next connection from client to httpd (a default socket): its
    SYN-ACK offers want (TCP6_MSS: the cached path MTU, 1280, less 60) and
    its segments are that size (no smaller: the path MTU is not under
    IPv6's minimum). A figure."""
    c = fetch6(inj, client, guest, rng, lambda *a: False)
    most = max(n for _, n in c.sizes)
    if not c.synack_mss or any(m != want for m in c.synack_mss) or most != want:
        raise PmtuFailed(f"the next connection from {client}: SYN-ACK MSS {c.synack_mss}, segments "
                         f"of at most {most} bytes; want {want} ({why})")
    return f"next IPv6 connection from {client}: SYN-ACK MSS {c.synack_mss[0]}, segments of {most} bytes"


def tcp6_nolower(inj, guest, rng):
    """A packet too big (TCP6_WIDE_MTU) quoting rightly the first segment
    to TCP6_SMALL_CLIENT, whose SYN offered SmallClient6.mss: its MTU less
    60 is over that MSS, and Linux's tcp_v6_mtu_reduced drops it before
    the route learns it ("drop requests trying to increase our current
    mss"). So the segments stay that size and the next connection from
    that client (a full MSS offered) gets TCP6_FULL_MSS: no path MTU
    learnt. Figures."""
    said = {}
    client = TCP6_SMALL_CLIENT

    def told(c, seq, ack, data):
        if "seq" not in said:
            said["seq"] = seq
            inj.packet_too_big(guest, quote_tcp6(guest, client, 80, c.sport, seq, ack, data), TCP6_WIDE_MTU)
        return False
    c = fetch6(inj, client, guest, rng, told, cls=SmallClient6)
    sizes = sorted(set(n for _, n in c.sizes))
    if "seq" not in said or max(sizes) != SmallClient6.mss:
        raise PmtuFailed(f"to {client} (MSS {SmallClient6.mss} offered): segments of {sizes} bytes, "
                         f"want at most and some of {SmallClient6.mss}")
    return [f"IPv6 TCP, a packet too big of {TCP6_WIDE_MTU} to a connection of MSS {SmallClient6.mss}: "
            f"segments {max(sizes)} bytes",
            tcp6_next(inj, guest, rng, client, TCP6_FULL_MSS,
                      f"a packet too big ({TCP6_WIDE_MTU}) that would not lower the MSS teaches the "
                      f"route nothing: Linux's tcp_v6_mtu_reduced")]


def tcp6_control(inj, guest, rng, counters):
    """Forged packets too big about TCP6_CONTROL's connection, sent when its
    first full-sized segment comes (which the router lets by): one quoting
    a sequence number not in flight (RFC 5927; Linux's tcp_v6_err counts it
    in TcpExt OutOfWindowIcmps), one quoting a port no connection has, and
    one quoting the segment rightly with an MTU under IPv6's minimum (Linux
    6.1's tcp_v6_err drops it whole). That connection and the next keep
    TCP6_FULL_MSS, in their SYN-ACKs and their segments. A figure."""
    said = {}

    def liar(c, seq, ack, data):
        if "done" not in said and len(data) > TCP6_MSS:
            said["done"] = True
            for s, port, mtu in ((seq + (1 << 30), c.sport, TCP6_MTU), (seq, c.sport ^ 0x5a5a, TCP6_MTU),
                                 (seq, c.sport, TCP6_SILLY_MTU)):
                inj.packet_too_big(guest, quote_tcp6(guest, TCP6_CONTROL, 80, port, s, ack, data), mtu)
        return False
    before = counters()
    c = fetch6(inj, TCP6_CONTROL, guest, rng, liar)
    c2 = fetch6(inj, TCP6_CONTROL, guest, rng, lambda *a: False)
    after = counters()
    if "done" not in said:
        raise PmtuFailed(f"no segment over {TCP6_MSS} bytes to {TCP6_CONTROL}: "
                         f"{sorted(set(n for _, n in c.sizes))}")
    # the second half of the page: sent once ACKs that followed the lies
    # came (the guest's first window, ten segments, is less than half)
    base = c.sizes[0][0]
    first = max([n for seq, n in c.sizes if (seq - base) & SEQ_MASK >= TCP6_PAGE // 2], default=0)
    second = max(n for _, n in c2.sizes)
    mss = c.synack_mss + c2.synack_mss
    if first != TCP6_FULL_MSS or second != TCP6_FULL_MSS or len(mss) < 2 or \
            any(m != TCP6_FULL_MSS for m in mss):
        raise PmtuFailed(f"forged packets too big quoting nothing in flight, no connection, or MTU "
                         f"{TCP6_SILLY_MTU}: {TCP6_CONTROL}'s segments in the page's second half "
                         f"{first} bytes, the next connection's {second}, SYN-ACK MSS {mss}; "
                         f"want {TCP6_FULL_MSS}")
    oow = after["OutOfWindowIcmps"] - before["OutOfWindowIcmps"]
    if oow != 1:
        raise PmtuFailed(f"TcpExt OutOfWindowIcmps grew by {oow} for one packet too big quoting a "
                         "sequence number not in flight, want 1 (Linux's tcp_v6_err)")
    return (f"forged packets too big ignored (out of window: OutOfWindowIcmps +1; no connection; "
            f"MTU {TCP6_SILLY_MTU}): {TCP6_CONTROL} at {first} bytes after them, {second} in the "
            f"next connection")


# ---------------------------------------------------------------- the socket's IP_MTU_DISCOVER

DONT_PORT, OMIT_PORT = 8081, 8082   # serve_commands' servers: IP(V6)_PMTUDISC_DONT and _OMIT
TCP6_DONT_CLIENT = "fe80::7"        # fetches from the DONT server: its PTB believed as any
TCP6_OMIT_CLIENT = "fe80::8"        # fetches from the OMIT server: its PTB dropped whole
TCP4_DONT_CLIENT = "10.0.2.8"       # IPv4: the frag-needed teaches the cache, the MSS stays
TCP4_OMIT_CLIENT = "10.0.2.9"
TCP4_MTU = 1000                     # the frag-needed's next hop over IPv4
TCP4_MSS = TCP4_MTU - IPV4_HDR - TCP_HDR           # 960
TCP4_FULL_MSS = 1500 - IPV4_HDR - TCP_HDR          # 1460


def serve_commands(kib):
    """Shell lines (for the guest: Kestrel's shell or Linux's script) that
    start t-conform_pmtu's servers of kib KiB of zeros in the background:
    over IPv4 and IPv6, IP_PMTUDISC_DONT on DONT_PORT and _OMIT on
    OMIT_PORT (busybox httpd sets neither option). The DONT ones keep
    their socket open until the client's FIN (the ICMP meets a socket
    still open); the OMIT ones close it once all is written (the ICMP
    meets the orphaned connection, which keeps the option, as Linux's).
    And an IPv4 one under WANT on EXPIRY_PORT that pauses halfway under a
    short net.ipv4.route.mtu_expires (tcp4_expiry)."""
    return "\n".join([f"(t-conform_pmtu serve {fam} {port} {how} {kib * 1024} {end} >/dev/null 2>&1 &)"
                      for fam in (4, 6)
                      for port, how, end in ((DONT_PORT, "dont", "wait"), (OMIT_PORT, "omit", "close"))] +
                     [f"(t-conform_pmtu serve 4 {EXPIRY_PORT} want {kib * 1024} pause >/dev/null 2>&1 &)"])


def tcp6_omit(inj, guest, rng):
    """A packet too big (TCP6_MTU) quoting rightly the first full-sized
    segment to TCP6_OMIT_CLIENT from the IPV6_PMTUDISC_OMIT server (which
    the router lets by): Linux's tcp_v6_err drops it whole
    (ip6_sk_accept_pmtu), so the segment is not sent again, the page's
    second half goes in TCP6_FULL_MSS segments, and the next connection
    from that client (to httpd) learnt nothing: TCP6_FULL_MSS. Figures."""
    said = {}

    def told(c, seq, ack, data):
        if "seq" not in said and len(data) > TCP6_MSS:
            said["seq"] = seq
            inj.packet_too_big(guest, quote_tcp6(guest, TCP6_OMIT_CLIENT, OMIT_PORT, c.sport, seq, ack, data),
                               TCP6_MTU)
        return False
    c = fetch6(inj, TCP6_OMIT_CLIENT, guest, rng, told, OMIT_PORT)
    if "seq" not in said:
        raise PmtuFailed(f"IPV6_PMTUDISC_OMIT: no segment over {TCP6_MSS} bytes to {TCP6_OMIT_CLIENT}")
    base = c.sizes[0][0]
    half = max([n for seq, n in c.sizes if (seq - base) & SEQ_MASK >= TCP6_PAGE // 2], default=0)
    again = sum(1 for seq, n in c.sizes if covers(seq, n, said["seq"]))
    if half != TCP6_FULL_MSS or again != 1:
        raise PmtuFailed(f"IPV6_PMTUDISC_OMIT: after a packet too big (MTU {TCP6_MTU}) the page's second "
                         f"half went in {half}-byte segments, the quoted one {again} times; want "
                         f"{TCP6_FULL_MSS} and once (Linux's tcp_v6_err drops it: ip6_sk_accept_pmtu)")
    return [f"IPv6 TCP, IPV6_PMTUDISC_OMIT: packet too big ignored, segments {half} bytes",
            tcp6_next(inj, guest, rng, TCP6_OMIT_CLIENT, TCP6_FULL_MSS, "no path MTU learnt")]


def tcp6_steps(inj, guest, rng, counters):
    """The IPv6 TCP checks on a guest serving /big (TCP6_PAGE zeros) on
    port 80 at its link-local address guest (and serve_commands' servers),
    the injector's PmtuClient6 clients on the same link; counters() gives
    the guest's TcpExt TCPTimeouts and OutOfWindowIcmps ({name: value}).
    Under IPV6_PMTUDISC_DONT a packet too big is believed as under the
    default (Linux's tcp_v6_err asks only ip6_sk_accept_pmtu); under OMIT
    it is dropped whole; one that would not lower the MSS teaches nothing
    (tcp6_nolower). Returns the figures; PmtuFailed says what failed."""
    return [tcp6_live(inj, guest, rng, counters), tcp6_next(inj, guest, rng),
            tcp6_control(inj, guest, rng, counters),
            tcp6_live(inj, guest, rng, counters, TCP6_DONT_CLIENT, DONT_PORT, "IPv6 TCP, IPV6_PMTUDISC_DONT"),
            tcp6_next(inj, guest, rng, TCP6_DONT_CLIENT)] + tcp6_omit(inj, guest, rng) + \
        tcp6_nolower(inj, guest, rng)


def fetch4(inj, src, guest, rng, hook, port):
    """GET /big from src to guest's port through PmtuClient with hook: the
    client, once the page came whole."""
    return fetch6(inj, src, guest, rng, hook, port, PmtuClient)


def fetch4_told(inj, guest, router, rng, client, port):
    """fetch4 from client to port, the router's frag-needed (TCP4_MTU)
    quoting rightly the first segment over TCP4_MSS, which it lets by (as
    it would fragment a packet without DF): (the client, that segment's
    sequence number or None)."""
    said = {}

    def told(c, seq, ack, data):
        if "seq" not in said and len(data) > TCP4_MSS:
            said["seq"] = seq
            q = quote_tcp(guest, client, port, c.sport, seq, ack, len(data))
            inj.send_ip(frag_needed(router, guest, q, TCP4_MTU))
        return False
    return fetch4(inj, client, guest, rng, told, port), said.get("seq")


def tcp4_nocut(inj, guest, router, rng, counters, client, port, what):
    """IPv4: a frag-needed (TCP4_MTU) quoting rightly the first full-sized
    segment to client from the server on port (IP_PMTUDISC_DONT or _OMIT;
    the router lets it by, as it would fragment a packet without DF).
    Linux 6.1's tcp_v4_mtu_reduced teaches the route's cache whatever the
    socket's pmtudisc (inet_csk_update_pmtu) but cuts the MSS and resends
    (tcp_sync_mss, tcp_simple_retransmit) only when it is not DONT,
    INTERFACE or OMIT; the socket's next send finds the route's MTU lower
    (tcp_current_mss) and sends smaller from then on. So: the quoted
    segment is not sent again, no RTO, the page's second half goes in
    TCP4_MSS segments (tcp4_next checks the cache). A figure."""
    before = counters()
    c, told = fetch4_told(inj, guest, router, rng, client, port)
    after = counters()
    if told is None:
        raise PmtuFailed(f"{what}: no segment over {TCP4_MSS} bytes to {client}")
    again = sum(1 for seq, n in c.sizes if covers(seq, n, told))
    if again != 1 or after["TCPTimeouts"] != before["TCPTimeouts"]:
        raise PmtuFailed(f"{what}: after a frag-needed (MTU {TCP4_MTU}) the quoted segment went {again} "
                         f"times, TcpExt TCPTimeouts {before['TCPTimeouts']} -> {after['TCPTimeouts']}; "
                         f"want once and no timeout (no tcp_simple_retransmit under DONT or OMIT)")
    base = c.sizes[0][0]
    half = max([n for seq, n in c.sizes if (seq - base) & SEQ_MASK >= TCP6_PAGE // 2], default=0)
    if half != TCP4_MSS:
        raise PmtuFailed(f"{what}: after a frag-needed (MTU {TCP4_MTU}) the page's second half went in "
                         f"{half}-byte segments, want {TCP4_MSS} (Linux's next send follows the route's "
                         f"MTU: tcp_current_mss)")
    odd = df_of(c, False)
    if odd:
        raise PmtuFailed(f"{what}: DF wrong on {len(odd)} of the SYN-ACK and data segments to {client} (the "
                         f"first {odd[0]}); want it on the SYN-ACK, on no data segment (Linux's "
                         f"ip_dont_fragment: DF only under DO, or WANT)")
    return (f"{what}: the quoted segment sent once, no RTO, the page's second half in {half}-byte segments, "
            f"DF on the SYN-ACK, on none of {len(c.sizes)} data segments")


def tcp4_next(inj, guest, rng, client):
    """The next connection from client to httpd (a default socket) after
    tcp4_nocut: the route's cache learnt TCP4_MTU, so its segments are at
    most TCP4_MSS. A figure."""
    nxt = fetch4(inj, client, guest, rng, lambda *a: False, 80)
    most = max(n for _, n in nxt.sizes)
    if most > TCP4_MSS:
        raise PmtuFailed(f"the next connection from {client} (a default socket) sent {most}-byte segments; "
                         f"the route's cache should have learnt MTU {TCP4_MTU} (at most {TCP4_MSS})")
    odd = df_of(nxt, True)
    if odd:
        raise PmtuFailed(f"the next connection from {client} (IP_PMTUDISC_WANT): {len(odd)} of the SYN-ACK "
                         f"and data segments without DF (the first {odd[0]}); want DF on all")
    return f"next IPv4 connection from {client}: segments of at most {most} bytes, with DF"


EXPIRY_PORT = 8084                  # serve_commands' IPv4 server that pauses halfway (mtu_expires 5 s)
EXPIRY_CLIENT = "10.0.2.13"
EXPIRY_TAIL = 8 * 1024              # the first half's last bytes: sent well after the frag-needed


def tcp4_expiry(inj, guest, router, rng):
    """A frag-needed (TCP4_MTU) quoting the first full-sized segment to
    EXPIRY_CLIENT from the pausing server (WANT; the router lets it by)
    teaches the path for 5 s (the server set net.ipv4.route.mtu_expires);
    the first half of the page ends in TCP4_MSS segments, and the second,
    sent after the 8-s pause, in TCP4_FULL_MSS ones again: Linux's
    tcp_current_mss follows the route's MTU both ways (dst_mtu is the
    device's once the exception expired). A figure."""
    c, told = fetch4_told(inj, guest, router, rng, EXPIRY_CLIENT, EXPIRY_PORT)
    half = len(b"HTTP/1.0 200 OK\r\n\r\n") + TCP6_PAGE // 2
    base = c.sizes[0][0]
    tail = max([n for seq, n in c.sizes if half - EXPIRY_TAIL <= (seq - base) & SEQ_MASK < half], default=0)
    second = max([n for seq, n in c.sizes if (seq - base) & SEQ_MASK >= half], default=0)
    if told is None or tail != TCP4_MSS or second != TCP4_FULL_MSS:
        raise PmtuFailed(f"IPv4 TCP, a path MTU of {TCP4_MTU} that expires in 5 s: the first half's last "
                         f"{EXPIRY_TAIL} bytes in {tail}-byte segments, the second half (after an 8-s pause) in "
                         f"{second}; want {TCP4_MSS} then {TCP4_FULL_MSS} (Linux's tcp_current_mss follows "
                         f"the route's MTU both ways)")
    return (f"IPv4 TCP, a path MTU of {TCP4_MTU} for 5 s: the first half ends in {tail}-byte segments, "
            f"the second (after the pause) in {second}")


SOFTERR_PORT = 8083                 # t-conform_pmtu softerr's listener (IP_PMTUDISC_DO)
SOFTERR_CLIENT = "10.0.2.12"        # its client: the path to it learns 552, locked
SOFTERR_MTU = 500                   # the frag-needed's: under min_pmtu (552)
SOFTERR_LINE = r"softerr: (.*)$"
SOFTERR_WAIT = 20                   # seconds for the keepalive to give up (1 s idle, 2 probes 1 s apart)


def softerr_command(out=None):
    """The shell line that starts t-conform_pmtu softerr in the background,
    its line to out (a file), or to the console."""
    return f"(t-conform_pmtu softerr {SOFTERR_PORT}{f' > {out} 2>&1' if out else ''} &)"


def tcp4_softerr(inj, guest, router, rng, softerr_line):
    """t-conform_pmtu softerr's connection (IP_PMTUDISC_DO, keepalive after
    1 s): the client sends its request, takes the answer, then a
    frag-needed of MTU SOFTERR_MTU quoting the guest's next sequence number
    (in window: nothing in flight) comes from router and the client goes
    silent. Linux's tcp_v4_mtu_reduced keeps EMSGSIZE as the socket's soft
    error (the path stays at 552, above the MTU told, and DO sets DF), and
    the keepalive's tcp_write_err reports it: the program's read fails with
    EMSGSIZE, not ETIMEDOUT. softerr_line(timeout) gives the program's
    "softerr: ..." line, or None. A figure."""
    c = PmtuClient(inj, SOFTERR_CLIENT, guest, SOFTERR_PORT, random.Random(rng.getrandbits(32)))
    deadline = time.monotonic() + TCP6_FETCH
    req = b"GET / HTTP/1.0\r\n\r\n"
    try:
        rcv, _ = c.handshake(deadline)
        snd = c.iss + 1
        c._send(snd, rcv, TCP_ACK | netflood.TCP_PSH, req)
        seg = c._wait(lambda s: len(s[6]) > 0, deadline)
    except netflood.FloodError as e:
        raise PmtuFailed(f"softerr from {SOFTERR_CLIENT}: {e}")
    if not seg:
        raise PmtuFailed(f"softerr from {SOFTERR_CLIENT}: no answer")
    rcv = (seg[2] + len(seg[6])) & SEQ_MASK
    c._send(snd + len(req), rcv, TCP_ACK)
    time.sleep(0.3)
    q = quote_tcp(guest, SOFTERR_CLIENT, SOFTERR_PORT, c.sport, rcv, snd + len(req), 1400)
    inj.send_ip(frag_needed(router, guest, q, SOFTERR_MTU))
    t0 = time.monotonic()
    line = softerr_line(SOFTERR_WAIT)
    if line != "read: EMSGSIZE":
        raise PmtuFailed(f"t-conform_pmtu softerr (IP_PMTUDISC_DO, a frag-needed of MTU {SOFTERR_MTU}, then "
                         f"silence): {line!r}; want 'read: EMSGSIZE' (Linux's tcp_v4_mtu_reduced keeps it as "
                         f"sk_err_soft, which tcp_write_err reports in place of ETIMEDOUT)")
    return (f"IPv4 TCP, IP_PMTUDISC_DO: a frag-needed of MTU {SOFTERR_MTU}, then keepalive gave up after "
            f"{time.monotonic() - t0:.1f} s: read said EMSGSIZE")


def tcp4_steps(inj, guest, router, rng, counters, softerr_line):
    """The IPv4 checks of the socket's IP_MTU_DISCOVER on a guest at guest
    running serve_commands' servers and softerr_command's, frag-needed
    messages from router: DONT and OMIT (tcp4_nocut, then tcp4_next), then
    the soft error under DO (tcp4_softerr, with softerr_line) and the MSS
    back up once the path MTU expired (tcp4_expiry). Figures; PmtuFailed
    says what failed."""
    figures = []
    for client, port, how in ((TCP4_DONT_CLIENT, DONT_PORT, "DONT"), (TCP4_OMIT_CLIENT, OMIT_PORT, "OMIT")):
        figures += [tcp4_nocut(inj, guest, router, rng, counters, client, port, f"IPv4 TCP, IP_PMTUDISC_{how}"),
                    tcp4_next(inj, guest, rng, client)]
    return figures + [tcp4_softerr(inj, guest, router, rng, softerr_line),
                      tcp4_expiry(inj, guest, router, rng)]


# ---------------------------------------------------------------- IPv4 datagrams: DF and EMSGSIZE

DF4_DST, DF4_PORT = "10.0.2.11", 9  # t-conform_pmtu df4's destination: watched, never answered
DF4_MTU = 1000                      # the path MTU the router teaches for it
DF4_COMMAND = f"t-conform_pmtu df4 {DF4_DST} {DF4_PORT} {DF4_MTU}"
DF4_LINE = r"^df4 (udp|raw|ping) (\w+) (\d+) (\d+): (\S+)$"
DF4_TAG = b"df4:"
# IP_MTU_DISCOVER -> (DF on a datagram that fits the path; what one over the path but within the
# link's MTU becomes): Linux 6.1's __ip_append_data (EMSGSIZE unless ip_sk_ignore_df, at the path's
# MTU under ip_sk_use_pmtu, else the device's) and __ip_make_skb (DF under DO and PROBE, and under
# WANT when it fits the path: ip_dont_fragment)
DF4_WANT = {"dont": (False, "fragments"), "want": (True, "fragments"), "do": (True, "EMSGSIZE"),
            "probe": (True, "whole with DF"), "interface": (False, "whole"), "omit": (False, "whole")}


def df4_watch(inj, router, guest):
    """Make the injector watch DF4_DST (answering ARP for it) and answer
    each of t-conform_pmtu df4's probes that comes whole with DF with a
    frag-needed (DF4_MTU) from router. The list the packets go to."""
    inj.own(DF4_DST)
    seen = inj.watch4.setdefault(ip_bytes(DF4_DST), [])

    def router_says(rec):
        if rec.proto == IPPROTO_UDP and rec.frag == IP_DF and rec.head[8:13] == b"probe":
            inj.send_ip(frag_needed(router, guest, rec.raw[:IPV4_HDR + 8], DF4_MTU))
    inj.on_watch4 = router_says
    return seen


def df4_trains(seen):
    """The datagrams in seen (Packet4s, in order) by tag: {tag: [the
    first packet, then the fragments of the same ident that follow]}."""
    out, cur = {}, None
    for rec in seen:
        if not rec.frag & 0x1FFF:
            cur = None
            if rec.head[8:12] == DF4_TAG:
                cur = out.setdefault(struct.unpack_from("!H", rec.head, 12)[0], [])
                cur.append(rec)
        elif cur and rec.ident == cur[0].ident and rec.proto == cur[0].proto:
            cur.append(rec)
    return out


def df4_verdict(how, total, result, train):
    """What is wrong with one send of t-conform_pmtu df4 (its result and
    the packets seen of it), or None."""
    small_df, big = DF4_WANT[how]
    if total <= DF4_MTU or big.startswith("whole"):
        df = small_df if total <= DF4_MTU else big == "whole with DF"
        if result != "sent" or len(train) != 1 or train[0].total != total or \
                bool(train[0].frag & IP_DF) != df or train[0].frag & (IP_MF | 0x1FFF):
            return f"want sent, one packet of {total} bytes {'with' if df else 'without'} DF"
    elif big == "EMSGSIZE":
        if result != "EMSGSIZE" or train:
            return "want EMSGSIZE and nothing on the wire"
    elif result != "sent" or len(train) < 2 or any(r.total > DF4_MTU or r.frag & IP_DF for r in train) or \
            sum(r.total - IPV4_HDR for r in train) != total - IPV4_HDR:
        return f"want sent, fragments of at most {DF4_MTU} bytes without DF carrying {total - IPV4_HDR}"
    return None


def df4_judge(lines, seen):
    """t-conform_pmtu df4's lines (its output) against the packets seen at
    DF4_DST: a figure, or PmtuFailed."""
    sends = [m.groups() for m in (re.match(DF4_LINE, ln.strip()) for ln in lines) if m]
    if not any(ln.strip() == f"df4: path mtu {DF4_MTU}" for ln in lines) or \
            len(sends) != 3 * len(DF4_WANT) * 2:
        raise PmtuFailed(f"t-conform_pmtu df4: {[ln for ln in lines if 'df4' in ln][:4]}..., "
                         f"{len(sends)} sends; want path mtu {DF4_MTU} and {3 * len(DF4_WANT) * 2}")
    time.sleep(1)  # the last packets on their way to the injector
    trains = df4_trains(seen)
    bad = []
    for kind, how, total, tag, result in sends:
        how_train = [r for r in trains.get(int(tag), [])
                     if r.proto == (IPPROTO_UDP if kind == "udp" else IPPROTO_ICMP)]
        why = df4_verdict(how, int(total), result, how_train)
        if why:
            bad.append(f"{kind} {how} {total}: {result}, {[(r.total, hex(r.frag)) for r in how_train]}; {why}")
    if bad:
        raise PmtuFailed(f"IPv4 datagrams over a path of MTU {DF4_MTU} (IP_MTU_DISCOVER): " + "; ".join(bad))
    return (f"IPv4 UDP, raw and ping over a path of MTU {DF4_MTU}: DF and fragments as IP_MTU_DISCOVER says "
            f"({len(sends)} sends: DO's {max(int(t) for _, _, t, _, _ in sends)}-byte one EMSGSIZE, PROBE's "
            f"whole with DF, INTERFACE's and OMIT's whole without, DONT's and WANT's in fragments)")


# ---------------------------------------------------------------- the same against Linux

LINUX_SCRIPT = r"""
netpeer_up {guest4}/24 || exit 1
netpeer_retry 30 sh -c 'ip -6 addr show dev eth0 scope link | grep -q inet6 &&
	! ip -6 addr show dev eth0 | grep -q tentative'
dd if=/dev/zero of=/www/big bs=1024 count={kib} 2>/dev/null
echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range
{df4}
httpd -p 80 -h /www
{serve}
{softerr}
(while :; do
	netpeer_value tcpext "$(awk '/^TcpExt:/ {{ if (!h) {{ split($0, n); h = 1; next }}
		for (i = 2; i <= NF; i++) if (n[i] == "TCPTimeouts" || n[i] == "OutOfWindowIcmps")
			printf "%s=%s,", n[i], $i }}' /proc/net/netstat)"
	sleep 1
done) &
netpeer_ready pmtu6
netpeer_serve
"""


def linux_counters(peer):
    """Linux's TcpExt counters from its once-a-second value line: the second
    one to come from now (the first may have been read before)."""
    start = len(peer.lines)
    got = None
    for _ in range(2):
        got = peer.wait_for(r"netpeer: value tcpext (\S+)$", 10, start)
        if not got:
            raise PmtuFailed(peer.failure("no tcpext line"))
        start = got[0] + 1
    return {k: int(v) for k, v in (kv.split("=") for kv in got[2].group(1).strip(",").split(","))}


def linux_line(peer, pattern, timeout):
    """The first group of the peer's first line matching pattern (within
    timeout seconds), or None."""
    got = peer.wait_for(pattern, timeout)
    return got[2].group(1).strip() if got else None


SERVE_BIN = os.path.join("rootfs.extra", "bin", "t-conform_pmtu")  # in the build: serve_commands' servers


def linux_run(args):
    """df4_judge, tcp6_steps and tcp4_steps against Debian's Linux 6.1 on
    the wire as the guest (its link-local address from netpeer.KESTREL_MAC,
    IPv4 netflood.GUEST_IP, busybox httpd and Kestrel's static
    t-conform_pmtu for serve_commands and df4): prints the figures, or what
    failed (status 1)."""
    build = os.path.abspath(args.build)
    outdir = os.path.join(build, "test", "netpmtu")
    guest = str(netflood6.eui64_ll(netpeer.KESTREL_MAC))
    router = str(netflood6.eui64_ll(netpeer.PEER_MAC))
    with open(os.path.join(build, SERVE_BIN), "rb") as f:
        files = {"/bin/t-conform_pmtu": (0o100755, f.read())}
    script = LINUX_SCRIPT.format(kib=TCP6_PAGE // 1024, guest4=netflood.GUEST_IP,
                                 serve=serve_commands(TCP6_PAGE // 1024), df4=DF4_COMMAND,
                                 softerr=softerr_command())
    t0 = time.monotonic()
    with netpeer.Wire() as wire, Injector6(wire, router, side=1) as inj:
        seen = df4_watch(inj, netflood.GATEWAY_IP, netflood.GUEST_IP)
        with netpeer.LinuxPeer(build, script, nic=args.nic, wire=wire, files=files,
                               side=0, mac=netpeer.KESTREL_MAC, ipv6=True, logdir=outdir,
                               name="linux-pmtu6") as peer:
            return linux_steps(peer, inj, guest, seen, args.seed, t0)


def linux_steps(peer, inj, guest, seen, seed, t0):
    """linux_run's checks on the booted peer: prints the figures, or what
    failed (status 1)."""
    peer.wait_ready("pmtu6", 180)
    rng = random.Random(seed)
    try:
        figures = [df4_judge([ln for _, ln in peer.lines], seen)]
        figures += tcp6_steps(inj, guest, rng, lambda: linux_counters(peer))
        figures += tcp4_steps(inj, netflood.GUEST_IP, netflood.GATEWAY_IP, rng,
                              lambda: linux_counters(peer), lambda t: linux_line(peer, SOFTERR_LINE, t))
    except PmtuFailed as e:
        print(f"linux: FAIL {e} (log {peer.logpath})")
        return 1
    for f in figures:
        print(f"linux: {f}")
    print(f"linux: pass in {time.monotonic() - t0:.0f} s")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    lx = sub.add_parser("linux", help="the TCP checks against Debian's Linux 6.1, as the guest")
    lx.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "build"))
    lx.add_argument("--nic", default="virtio-net-pci")
    lx.add_argument("--seed", type=int, default=31)
    return linux_run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
