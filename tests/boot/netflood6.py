#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile IPv6 frames for a guest's stack (nettest.py's ipv6-hostile case).

Hostile6(seed).frames(count) yields (kind, frame): Ethernet frames to the
guest (netpeer.KESTREL_MAC, its link-local address from its EUI-64) from
netpeer.PEER_MAC, of these kinds, from one seeded generator:

  mutate    a valid packet (echo, NS, NA, RA, UDP, UDP behind extension
            headers, a TCP SYN to port 80) with 1-4 bytes changed and, half
            the time, its ICMPv6, UDP or TCP checksum made right again, or
            cut short
  ra        router advertisements with the right checksum and hop limit
            255 from random link-local routers: random prefixes (a /64
            most often), flags, lifetimes, MTU, hop limit, link-layer
            address (a guest takes at most max_addresses of them)
  nd        solicitations and advertisements for the guest's address and
            random ones, with random link-layer options and flags
  frag      fragments of random datagrams: never finished, overlapping,
            offsets near 65535, small ones that complete
  ext       extension header chains: hop-by-hop and destination options
            with random TLVs, routing headers with segments left, unknown
            next headers, long chains
  random    random bytes behind a valid fixed header
  tcp       TCP segments to the guest's link-local address, to port 80
            most often (where it listens): random flags, sequence and
            acknowledgement numbers, windows, data offsets (bad ones too),
            option bytes (random, or MSS, SACK-permitted, timestamps and
            window scale with random values) and payloads, the checksum
            right nine times in ten

Pure Python; netflood.Injector sends them.
"""
import ipaddress
import random
import struct

import netpeer
from netflood import csum, eth, mac_bytes, pad

ETH_P_IPV6 = 0x86DD
ALL_NODES = "ff02::1"


def a6(s):
    return ipaddress.IPv6Address(s).packed


def eui64_ll(mac):
    """The link-local address of an Ethernet address (RFC 4291 modified EUI-64)."""
    m = mac_bytes(mac)
    return ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:6])


def solicited(addr):
    return ipaddress.IPv6Address(a6("ff02::1:ff00:0")[:13] + ipaddress.IPv6Address(addr).packed[13:])


def ip6(src, dst, nh, payload, hops=64, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB", 6 << 28, plen, nh, hops) + a6(str(src)) + a6(str(dst)) + payload


TCP_FLAGS = (0x02, 0x12, 0x10, 0x18, 0x04, 0x14, 0x01, 0x11, 0x03, 0x06, 0x29, 0x00, 0xFF)


def l4_sum(src, dst, nh, seg):
    """seg with its checksum (ICMPv6 at 2, TCP at 16, UDP at 6) right for src and dst."""
    off = 2 if nh == 58 else 16 if nh == 6 else 6
    seg = bytearray(seg)
    if len(seg) < off + 2:
        return bytes(seg)
    seg[off:off + 2] = b"\0\0"
    pseudo = a6(str(src)) + a6(str(dst)) + struct.pack("!I3xB", len(seg), nh)
    c = csum(pseudo + bytes(seg))
    seg[off:off + 2] = struct.pack("!H", c if c or nh != 17 else 0xFFFF)
    return bytes(seg)


def icmp6(src, dst, typ, code, rest, body):
    return l4_sum(src, dst, 58, struct.pack("!BBHI", typ, code, 0, rest) + body)


class Hostile6:
    KINDS = {"mutate": 10, "ra": 4, "nd": 6, "frag": 8, "ext": 6, "random": 3, "tcp": 6}

    def __init__(self, seed, guest_mac=netpeer.KESTREL_MAC, mac=netpeer.PEER_MAC):
        self.rng = random.Random(seed)
        self.guest_mac, self.mac = mac_bytes(guest_mac), mac_bytes(mac)
        self.guest_ll = eui64_ll(guest_mac)
        self.me = eui64_ll(mac)

    def frames(self, count):
        kinds = list(self.KINDS)
        weights = [self.KINDS[k] for k in kinds]
        n, todo = 0, []
        while n < count:
            if not todo:
                k = self.rng.choices(kinds, weights)[0]
                todo = [(k, f) for f in getattr(self, "k_" + k)()]
            yield todo.pop(0)
            n += 1

    # ---- helpers

    def frame(self, packet, dst=None):
        """The packet to the guest's MAC, or to dst's multicast MAC."""
        mac = self.guest_mac
        if dst is not None and ipaddress.IPv6Address(dst).is_multicast:
            mac = b"\x33\x33" + ipaddress.IPv6Address(dst).packed[12:]
        return pad(eth(mac, self.mac, ETH_P_IPV6, packet))

    def rand_ll(self):
        return ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + self.rng.randbytes(8))

    def rand_global(self):
        return ipaddress.IPv6Address(b"\x20\x01\x0d\xb8" + self.rng.randbytes(12))

    def opt_ll(self, typ):
        return bytes([typ, 1]) + self.rng.randbytes(6)

    def ra(self, src):
        r = self.rng
        opts = self.opt_ll(1) if r.random() < 0.7 else b""
        if r.random() < 0.5:
            opts += struct.pack("!BBHI", 5, 1, 0, r.choice([1280, 1400, 1500, 9000, 100, r.getrandbits(32)]))
        for _ in range(r.randrange(4)):
            plen = r.choice([64, 64, 64, 48, 0, 128, r.randrange(256)])
            flags = r.choice([0xC0, 0xC0, 0x80, 0x40, r.getrandbits(8)])
            valid = r.choice([0, 30, 86400, 0xFFFFFFFF, r.getrandbits(32)])
            pref = r.choice([0, 10, 14400, valid, r.getrandbits(32)])
            prefix = r.choice([a6("2001:db8:1::"), b"\xfe\x80" + bytes(14), b"\xff\x02" + bytes(14),
                               self.rand_global().packed])
            opts += struct.pack("!BBBBII4x", 3, 4, plen, flags, valid, pref) + prefix
        body = struct.pack("!II", r.getrandbits(32) if r.random() < 0.2 else 0, 0) + opts
        rest = r.choice([64, 255, 0]) << 24 | r.getrandbits(8) << 16 | r.choice([0, 1800, 65535])
        return ip6(src, ALL_NODES, 58, icmp6(src, ALL_NODES, 134, 0, rest, body), hops=255)

    def valid(self):
        """A valid packet of a random kind: (packet, its destination)."""
        r, g, me = self.rng, self.guest_ll, self.me
        k = r.randrange(7)
        if k == 0:
            return ip6(me, g, 58, icmp6(me, g, 128, 0, r.getrandbits(32), r.randbytes(r.randrange(64)))), g
        if k == 1:
            sn = solicited(g)
            return ip6(me, sn, 58, icmp6(me, sn, 135, 0, 0, g.packed + self.opt_ll(1)), hops=255), sn
        if k == 2:
            return ip6(me, g, 58, icmp6(me, g, 136, 0, 0x60000000, self.rand_ll().packed + self.opt_ll(2)),
                       hops=255), g
        if k == 3:
            return self.ra(me), ALL_NODES
        if k == 6:
            return ip6(me, g, 6, self.tcp_seg(me, g, 0x02, 80, self.tcp_opts(), b"")), g
        udp = struct.pack("!HHHH", r.randrange(65536), r.randrange(65536), 8 + 16, 0) + r.randbytes(16)
        udp = l4_sum(me, g, 17, udp)
        if k == 4:
            return ip6(me, g, 17, udp), g
        hbh = bytes([60, 0, 5, 2, 0, 0, 1, 0])
        dst = bytes([17, 0, 1, 4, 0, 0, 0, 0])
        return ip6(me, g, 0, hbh + dst + udp), g

    def tcp_opts(self):
        """TCP option bytes: Linux's SYN options with random values, or random bytes."""
        r = self.rng
        if r.random() < 0.4:
            return r.randbytes(4 * r.randrange(11))
        return (struct.pack("!BBH", 2, 4, r.randrange(65536)) + bytes([4, 2, 8, 10]) +
                struct.pack("!II", r.getrandbits(32), r.getrandbits(32)) + bytes([1, 3, 3, r.randrange(256)]))

    def tcp_seg(self, src, dst, flags, dport, opts, payload, doff=None, fix=True):
        """A TCP segment from src to dst (data offset doff words: the options' own
        length when None), its checksum right when fix."""
        r = self.rng
        doff = 5 + len(opts) // 4 if doff is None else doff
        seg = struct.pack("!HHIIBBHHH", r.randrange(1, 65536), dport, r.getrandbits(32), r.getrandbits(32),
                          (doff & 15) << 4, flags, r.getrandbits(16), 0, r.getrandbits(16)) + opts + payload
        return l4_sum(src, dst, 6, seg) if fix else seg

    # ---- the kinds

    def k_mutate(self):
        r = self.rng
        p, dst = self.valid()
        p = bytearray(p)
        for _ in range(r.randrange(1, 5)):
            p[r.randrange(len(p))] = r.getrandbits(8)
        if r.random() < 0.3:
            p = p[:r.randrange(len(p))]
        elif r.random() < 0.5 and len(p) > 48 and p[6] in (6, 17, 58):
            src = ipaddress.IPv6Address(bytes(p[8:24]))
            d = ipaddress.IPv6Address(bytes(p[24:40]))
            p = p[:40] + l4_sum(src, d, p[6], bytes(p[40:]))
        return [self.frame(bytes(p), dst)]

    def k_ra(self):
        return [self.frame(self.ra(self.rand_ll() if self.rng.random() < 0.8 else self.me), ALL_NODES)
                for _ in range(self.rng.randrange(1, 4))]

    def k_nd(self):
        r, g = self.rng, self.guest_ll
        src = r.choice([self.rand_ll(), self.rand_global(), self.me, ipaddress.IPv6Address("::")])
        target = r.choice([g, g, self.rand_ll(), self.rand_global()])
        if r.random() < 0.5:
            dst = solicited(target) if r.random() < 0.8 else g
            opts = self.opt_ll(1) if r.random() < 0.6 and int(src) else b""
            msg = icmp6(src, dst, 135, 0, 0, target.packed + opts)
        else:
            dst = r.choice([g, ipaddress.IPv6Address(ALL_NODES)])
            opts = self.opt_ll(2) if r.random() < 0.8 else b""
            msg = icmp6(src, dst, 136, 0, r.choice([0x60000000, 0xE0000000, 0x20000000, 0]),
                        target.packed + opts)
        return [self.frame(ip6(src, dst, 58, msg, hops=r.choice([255, 255, 255, 64])), dst)]

    def k_frag(self):
        r, g, me = self.rng, self.guest_ll, self.me
        ident = r.getrandbits(32)
        out = []
        for _ in range(r.randrange(1, 4)):
            off = r.choice([0, 8, 1232, 65528, r.randrange(8192) * 8])
            n = r.choice([8, 16, 1232, r.randrange(1, 64)])
            more = r.random() < 0.7
            fh = struct.pack("!BBHI", r.choice([17, 58, 6, 44]), 0, off | more, ident)
            out.append(self.frame(ip6(me, g, 44, fh + r.randbytes(n))))
        return out

    def k_ext(self):
        r, g, me = self.rng, self.guest_ll, self.me
        chain, nh = b"", r.choice([17, 58, 59, 253, 50, 6])
        for _ in range(r.randrange(1, 20)):
            kind = r.choice([0, 60, 43, 60])
            body = r.randbytes(r.choice([6, 14, 22]))
            if kind == 43:
                body = bytes([r.choice([0, 2, 4, 253]), r.randrange(3)]) + body[2:]
            chain = bytes([nh, (len(body) + 2) // 8 - 1]) + body + chain
            nh = kind
        return [self.frame(ip6(me, g, nh, chain + r.randbytes(r.randrange(32))))]

    def k_tcp(self):
        r, g = self.rng, self.guest_ll
        src = self.me if r.random() < 0.7 else self.rand_ll()
        out = []
        for _ in range(r.randrange(1, 4)):
            doff = None if r.random() < 0.8 else r.randrange(16)
            payload = r.randbytes(r.choice([0, 0, 1, 100, 1200]))
            seg = self.tcp_seg(src, g, r.choice(TCP_FLAGS), 80 if r.random() < 0.7 else r.randrange(65536),
                               self.tcp_opts(), payload, doff, fix=r.random() < 0.9)
            out.append(self.frame(ip6(src, g, 6, seg), g))
        return out

    def k_random(self):
        r, g, me = self.rng, self.guest_ll, self.me
        body = r.randbytes(r.randrange(200))
        return [self.frame(ip6(me, g, r.getrandbits(8), body, hops=r.getrandbits(8),
                               plen=r.choice([len(body), r.getrandbits(16)])))]
