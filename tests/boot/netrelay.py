#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A seeded lossy, hostile relay in the middle of the two-guest wire.

netpeer.Wire joins two QEMUs directly (`-netdev dgram` over Unix datagram
sockets, one datagram one Ethernet frame). RelayWire puts this relay
between them instead: side S binds DIR/S as before but sends to DIR/rS,
which the relay binds; the relay forwards what comes in on DIR/r0 to
DIR/1 and what comes in on DIR/r1 to DIR/0. Unix sockets only: the host
carries no IP traffic, and every QEMU argv still goes through
netpeer.check_argv().

On its way each frame meets its fate, drawn from a generator seeded by
the seed and the direction (random.Random("SEED:0>1")), the same number
of draws per frame whatever happens to it, so frame N of a direction
meets the same fate in every run with the seed (which frame is the Nth
depends on the guests' timing, so a run is repeatable as far as that
allows). In this order, each with its own rate:

  drop       the frame is lost
  corrupt    1 to 3 bits flipped anywhere in it (the Ethernet header too)
  truncate   cut to a length from 1 byte to one short of its own
  dup        sent twice
  reorder    held back until 1 to REORDER_DEPTH later frames have gone by
             (or REORDER_HOLD seconds, if the sender has nothing more)
  delay      held for delay_ms milliseconds (time, not frames)

A frame the guest's socket cannot take within SEND_TIMEOUT (QEMU gone),
or sent before the guest bound its path, is counted as unsent: a cable
loses what arrives at an unplugged end too.

The counts (per direction: frames in, sent, and each fate) go, as JSON,
to the --stats file at exit and when the relay gets SIGUSR1 (the file is
written whole, renamed into place). SIGUSR2 makes the wire clean (every
rate 0) from then on: a test's hostile phase ends, its checks begin.

    netrelay.py [--seed N] [--drop P] [--corrupt P] [--truncate P] [--dup P]
                [--reorder P] [--delay P] [--delay-ms MS] [--mutate]
                [--stats FILE] DIR

--mutate: the robustness mix (MUTATE below) for the rates not given.
Relay (the harness's side) runs it as a process of its own (its own
interpreter lock, so it keeps the wire's pace while the harness reads
consoles) and reads its counts:

    with RelayWire() as wire, Relay(wire, seed=1, drop=0.05) as relay:
        ... LinuxPeer(build, script, wire=wire, side=1), kestrel_netdev_args(wire) ...
        relay.stats()  -> {"0>1": {"in": n, "sent": n, "drop": n, ...}, "1>0": {...}}
"""
import argparse
import atexit
import heapq
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402  (Wire, check_argv)

FATES = ("drop", "corrupt", "truncate", "dup", "reorder", "delay")
MUTATE = dict(drop=0.02, corrupt=0.05, truncate=0.05, dup=0.05, reorder=0.05, delay=0.0)
REORDER_DEPTH = 3          # a reordered frame goes after 1..3 later ones
REORDER_HOLD = 0.005       # ...or after this many seconds without a later one
DELAY_MS = 10.0            # the default delay of a delayed frame
SEND_TIMEOUT = 2.0         # seconds a guest's full socket may hold a send up
POLL = 0.2                 # the longest a direction sleeps (to see the stop flag)
FRAME_MAX = 65536
STATS_WAIT = 5.0           # seconds Relay.stats() waits for the file


class Direction:
    """One direction of the relay: frames in on src (a bound socket), out to dst_path.

    Everything it holds (delayed and reordered frames) and counts is its
    own: only its thread touches it, but for .rates, which the signal
    handler replaces whole (one reference, read once per frame).
    """

    def __init__(self, name, src, dst_path, seed, rates, delay_ms):
        self.name, self.src, self.dst_path = name, src, dst_path
        # Blocking, with the kernel's own send timeout: an unconnected Unix
        # datagram sender then waits for room in the peer's queue, where
        # Python's settimeout() would poll this socket, which is always writable.
        self.out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                            struct.pack("ll", int(SEND_TIMEOUT), 0))
        self.rng = random.Random(f"{seed}:{name}")
        self.rates, self.delay = rates, delay_ms / 1000.0
        self.counts = {k: 0 for k in ("in", "bytes", "sent", "unsent") + FATES}
        self.timed = []        # heap of (release time, n, frame): delayed frames
        self.held = []         # [frames still to go by, deadline, frame]: reordered ones
        self.n = 0
        self.stop = False

    def send(self, frame):
        try:
            self.out.sendto(frame, self.dst_path)
            self.counts["sent"] += 1
        except OSError:        # the guest is not there (yet, or any more), or full for long
            self.counts["unsent"] += 1

    def fate(self, frame, now):
        """Apply one frame's fate; the draws are the same whatever it turns out to be."""
        r = self.rates
        u = [self.rng.random() for _ in FATES]
        m = random.Random(self.rng.getrandbits(64))
        depth = 1 + self.rng.randrange(REORDER_DEPTH)
        if u[0] < r["drop"]:
            self.counts["drop"] += 1
            return
        if u[1] < r["corrupt"]:
            b = bytearray(frame)
            for _ in range(1 + m.randrange(3)):
                i = m.randrange(len(b))
                b[i] ^= 1 << m.randrange(8)
            frame = bytes(b)
            self.counts["corrupt"] += 1
        if u[2] < r["truncate"] and len(frame) > 1:
            frame = frame[:1 + m.randrange(len(frame) - 1)]
            self.counts["truncate"] += 1
        copies = 1
        if u[3] < r["dup"]:
            copies = 2
            self.counts["dup"] += 1
        for _ in range(copies):
            if u[4] < r["reorder"]:
                self.counts["reorder"] += 1
                self.held.append([depth, now + REORDER_HOLD, frame])
            elif u[5] < r["delay"]:
                self.counts["delay"] += 1
                heapq.heappush(self.timed, (now + self.delay, self.n, frame))
            else:
                self.pass_on(frame)

    def pass_on(self, frame):
        """Send a frame, and count it as gone by for each reordered one held."""
        self.send(frame)
        due = [h for h in self.held if h[0] <= 1]
        for h in self.held:
            h[0] -= 1
        self.held = [h for h in self.held if h[0] > 0]
        for h in due:
            self.send(h[2])

    def release(self, now):
        """Send the delayed frames whose time came and the reordered ones held too long."""
        while self.timed and self.timed[0][0] <= now:
            self.pass_on(heapq.heappop(self.timed)[2])
        late = [h for h in self.held if h[1] <= now]
        if late:
            self.held = [h for h in self.held if h[1] > now]
            for h in late:
                self.send(h[2])

    def wait(self, now):
        """Seconds until something held is due (at most POLL)."""
        t = now + POLL
        if self.timed:
            t = min(t, self.timed[0][0])
        for h in self.held:
            t = min(t, h[1])
        return max(t - now, 0.0005)

    def run(self):
        while not self.stop:
            self.src.settimeout(self.wait(time.monotonic()))
            try:
                frame = self.src.recv(FRAME_MAX)
            except socket.timeout:
                frame = None
            except OSError:
                break
            now = time.monotonic()
            if frame:
                self.n += 1
                self.counts["in"] += 1
                self.counts["bytes"] += len(frame)
                self.fate(frame, now)
            self.release(now)


class RelayProcess:
    """The relay itself (in the process netrelay.py runs as)."""

    def __init__(self, wire_dir, seed, rates, delay_ms, stats_path):
        self.stats_path = stats_path
        self.dirs = []
        for a in (0, 1):
            src = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            src.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            src.bind(os.path.join(wire_dir, f"r{a}"))
            self.dirs.append(Direction(f"{a}>{1 - a}", src, os.path.join(wire_dir, str(1 - a)),
                                       seed, dict(rates), delay_ms))

    def write_stats(self):
        if not self.stats_path:
            return
        data = {d.name: dict(d.counts) for d in self.dirs}
        tmp = self.stats_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.stats_path)

    def clean(self):
        for d in self.dirs:
            d.rates = {k: 0.0 for k in FATES}

    def run(self):
        done = threading.Event()
        signal.signal(signal.SIGUSR1, lambda *_: self.write_stats())
        signal.signal(signal.SIGUSR2, lambda *_: self.clean())
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        signal.signal(signal.SIGINT, lambda *_: done.set())
        threads = [threading.Thread(target=d.run, daemon=True) for d in self.dirs]
        for t in threads:
            t.start()
        print("netrelay: ready", flush=True)
        while not done.wait(1.0):
            pass
        for d in self.dirs:
            d.stop = True
        for t in threads:
            t.join(2 * POLL + SEND_TIMEOUT)
        self.write_stats()


# ---------------------------------------------------------------- the harness's side

class RelayWire(netpeer.Wire):
    """A netpeer.Wire whose sides send to the relay (DIR/rS), not to each other."""

    def netdev_args(self, side, netdev_id="net0"):
        if side not in (0, 1):
            raise ValueError("a wire has sides 0 and 1")
        return ["-netdev", f"dgram,id={netdev_id},local.type=unix,local.path={self.path(side)},"
                           f"remote.type=unix,remote.path={self.path(f'r{side}')}"]


class Relay:
    """netrelay.py as a process on a RelayWire: start() waits for it to bind,
    stats() asks for its counts, clean() ends the hostile phase, close()
    stops it (its final counts in .final)."""

    live = set()    # started and not closed: stop_all() closes them

    def __init__(self, wire, seed=1, delay_ms=DELAY_MS, mutate=False, **rates):
        bad = set(rates) - set(FATES)
        if bad:
            raise ValueError(f"unknown fates {bad}")
        self.wire, self.final, self.proc = wire, None, None
        self.stats_path = os.path.join(wire.dir, "relay-stats.json")
        self.argv = [sys.executable, os.path.abspath(__file__), "--seed", str(seed),
                     "--delay-ms", str(delay_ms), "--stats", self.stats_path]
        self.argv += ["--mutate"] if mutate else []
        for k, v in rates.items():
            self.argv += [f"--{k}", str(v)]
        self.argv.append(wire.dir)

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        Relay.live.add(self)
        line = self.proc.stdout.readline().decode()
        if "netrelay: ready" not in line:
            self.proc.kill()
            raise RuntimeError(f"netrelay did not start: {line!r}")
        return self

    def _read(self, since):
        deadline = time.monotonic() + STATS_WAIT
        while time.monotonic() < deadline:
            try:
                if os.path.getmtime(self.stats_path) >= since:
                    with open(self.stats_path) as f:
                        return json.load(f)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        return None

    def stats(self):
        """The counts now: {"0>1": {...}, "1>0": {...}}, or None if it does not answer."""
        since = time.time() - 0.01
        self.proc.send_signal(signal.SIGUSR1)
        return self._read(since)

    def clean(self):
        self.proc.send_signal(signal.SIGUSR2)

    def close(self):
        Relay.live.discard(self)
        if self.proc and self.proc.poll() is None:
            since = time.time() - 0.01
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.final = self._read(since)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


@atexit.register
def stop_all():
    """No relay outlives the harness (as netpeer's QEMUs: its _stop_all)."""
    for r in list(Relay.live):
        r.close()


def summary(stats):
    """One line of counts for both directions: '0>1 in N drop N ...; 1>0 ...'."""
    if not stats:
        return "relay counts unknown"
    keys = ("in", "drop", "corrupt", "truncate", "dup", "reorder", "delay", "unsent")
    return "; ".join(f"{name} " + " ".join(f"{k} {c.get(k, 0)}" for k in keys if c.get(k, 0)
                                           or k == "in")
                     for name, c in sorted(stats.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", default="1")
    for k in FATES:
        ap.add_argument(f"--{k}", type=float)
    ap.add_argument("--delay-ms", type=float, default=DELAY_MS)
    ap.add_argument("--mutate", action="store_true")
    ap.add_argument("--stats")
    ap.add_argument("dir")
    args = ap.parse_args()
    base = MUTATE if args.mutate else {k: 0.0 for k in FATES}
    rates = {k: getattr(args, k) if getattr(args, k) is not None else base[k] for k in FATES}
    for k, v in rates.items():
        if not 0.0 <= v <= 1.0:
            ap.error(f"--{k} {v}: a rate from 0 to 1")
    RelayProcess(args.dir, args.seed, rates, args.delay_ms, args.stats).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
