#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TCP through a lossy wire: Kestrel and Linux against Linux and Linux, seed for seed.

The wire is a netrelay.RelayWire with netrelay's relay in the middle
(drop, reorder and duplicate at the rates asked, from a seed). Two pairs
cross it, one boot each per loss rate:

  kestrel  Kestrel (10.0.2.15, side 0; nettest.Kestrel on its serial
           console, ip= static) and Debian's Linux 6.1 (10.0.2.2, side 1,
           netpeer.LinuxPeer, the server script below)
  linux    the same server, with a second Linux (the stand-in) in
           Kestrel's place, running the same steps as a script
  linux-nosack  the same with net.ipv4.tcp_sack 0 on the server (asked
           for with --pairs): what Linux does without SACK, as Kestrel is

Both sides make SIZE MiB of random bytes. The side at 10.0.2.15 fetches
the server's /blob with busybox wget into a file (the server sends:
"to 15"), then serves its own file with busybox httpd and the server
fetches it (10.0.2.15 sends: "to 2"); each fetch is timed by the
fetcher's own clock (/proc/uptime), the file's sha256 then compared with
the sender's. Each side's /proc/net/snmp RetransSegs at the end is the
retransmissions of its sending (its receiving retransmits next to
nothing). The relay's counts of what it did go with the figures.

    netloss.py [--build DIR] [--nic NIC] [--size MIB] [--rates 0,1,5,20]
               [--reorder P] [--dup P] [--seed N] [--pairs kestrel,linux[,linux-nosack]]
               [--json FILE]

prints one line per boot and a table (make conformance-net-loss). The
short case of make test (nettest.py's loss-NIC) calls kestrel_run()
with 4 MiB at 5%.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402  (LinuxPeer, Guest, PeerError)
import netrelay  # noqa: E402  (RelayWire, Relay)
import nettest  # noqa: E402  (Kestrel, make_image, CaseFailed, ...)
import netflood  # noqa: E402  (snmp_counters)

KESTREL_IP, SERVER_IP = "10.0.2.15", "10.0.2.2"
CMDLINE = f"init=/bin/sh ip={KESTREL_IP}::{SERVER_IP}:255.255.255.0"
MEM = "512M"
RATES = (0, 1, 5, 20)             # percent loss
REORDER, DUP = 0.01, 0.01         # with every loss rate
SEED = 1
XFER = r"^xfer (\d+) ([\d.]+) ([\d.]+)$"
RETRANS = "awk '/^Tcp:/ { n++; if (n == 2) print $13 }' /proc/net/snmp"


def xfer_timeout(size_mib, loss):
    """Seconds a fetch may take: generous, the 20% rows crawl."""
    return 120 + size_mib * (10 if loss < 0.05 else 40 if loss < 0.1 else 300)


def server_script(size_mib, timeout, sack=True):
    """Linux at 10.0.2.2: /blob, httpd; once 10.0.2.15 serves /sum, fetch its /f
    (check get); values blob-sha256, said-sha256, got-sha256, retrans. sack=False:
    net.ipv4.tcp_sack 0, so that neither side of the connection uses SACK."""
    return "\n".join([
        f"netpeer_up {SERVER_IP}/24 || exit 1",
        "" if sack else "echo 0 > /proc/sys/net/ipv4/tcp_sack",
        f"dd if=/dev/urandom of=/www/blob bs=1M count={size_mib} 2>/dev/null",
        "echo netloss > /www/index.html",
        "netpeer_value blob-sha256 $(sha256sum /www/blob | cut -d' ' -f1)",
        "httpd -p 80 -h /www",
        "netpeer_ready server",
        f"netpeer_retry {timeout} wget -q -O /tmp/sum http://{KESTREL_IP}/sum",
        f"netpeer_check get wget -q -O /tmp/got http://{KESTREL_IP}/f",
        "netpeer_value got-sha256 $(sha256sum /tmp/got | cut -d' ' -f1)",
        "rm -f /tmp/got",
        "touch /www/done",
        "netpeer_value said-sha256 $(cut -d' ' -f1 /tmp/sum)",
        f"netpeer_value retrans $({RETRANS})",
        "netpeer_serve"]) + "\n"


def standin_script(size_mib, timeout):
    """Linux at 10.0.2.15, Kestrel's steps: fetch /blob (check fetch), serve /f."""
    return "\n".join([
        f"netpeer_up {KESTREL_IP}/24 || exit 1",
        f"dd if=/dev/urandom of=/www/f bs=1M count={size_mib} 2>/dev/null",
        "sha256sum /www/f > /www/sum",
        f"netpeer_retry {timeout} wget -q -O /dev/null http://{SERVER_IP}/index.html",
        f"netpeer_check fetch wget -q -O /tmp/got http://{SERVER_IP}/blob",
        "netpeer_value got-sha256 $(sha256sum /tmp/got | cut -d' ' -f1)",
        "rm -f /tmp/got",
        "httpd -p 80 -h /www",
        "netpeer_ready standin",
        # the server's fetch is over when it serves /done (asked every 2 s, so
        # that the asking is next to nothing on the wire)
        f"until wget -q -O /dev/null http://{SERVER_IP}/done 2>/dev/null; do sleep 2; done",
        f"netpeer_value retrans $({RETRANS})",
        f"netpeer_value tcpext $({TCPEXT_AWK})",
        "netpeer_serve"]) + "\n"


class Result:
    """One boot's figures: ms each way by the fetcher's clock, host seconds,
    sha256 verdicts, retransmissions by each sender, the relay's counts."""

    def __init__(self, pair, loss, seed, size_mib):
        self.pair, self.loss, self.seed, self.size = pair, loss, seed, size_mib
        self.ms = {}            # "to15", "to2": guest milliseconds
        self.host_s = {}
        self.retrans = {}       # "to15" (sent by 10.0.2.2), "to2" (sent by 10.0.2.15)
        self.relay = None
        self.why = None
        self.tcpext = {}        # the sender's TcpExt counters at 10.0.2.15 (Kestrel or the stand-in)

    def line(self):
        head = f"{self.pair} loss {self.loss:g}% seed {self.seed} {self.size} MiB"
        if self.why:
            return f"FAIL loss/{head}: {self.why}"
        parts = [f"to {d[2:]} {self.ms[d] / 1000:.1f} s (host {self.host_s.get(d, 0):.1f} s, "
                 f"{self.size * 1000 / max(self.ms[d], 1):.2f} MiB/s, "
                 f"{self.retrans.get(d, '?')} retrans)" for d in ("to15", "to2")]
        ext = ""
        if self.tcpext:
            who = "stand-in" if self.pair.startswith("linux") else "Kestrel"
            ext = f"; {who} " + " ".join(f"{n[3:]} {v}" for n, v in self.tcpext.items())
        return f"PASS loss/{head}: " + ", ".join(parts) + "; relay " + netrelay.summary(self.relay) + ext

    def as_dict(self):
        return dict(pair=self.pair, loss=self.loss, seed=self.seed, size_mib=self.size,
                    ms=self.ms, host_s=self.host_s, retrans=self.retrans, relay=self.relay,
                    why=self.why, tcpext=self.tcpext)


def relay_for(wire, loss, seed, reorder, dup):
    return netrelay.Relay(wire, seed=seed, drop=loss / 100.0, reorder=reorder, dup=dup)


def server_values(server, timeout):
    """The server's fetch of 10.0.2.15's file: (Check, got, said, blob, retrans)."""
    c = server.wait_check("get", timeout)
    vals = [server.wait_value(n, 30) for n in ("got-sha256", "said-sha256", "blob-sha256",
                                               "retrans")]
    return (c, *vals)


def kestrel_fetch(k, timeout):
    """Kestrel fetches the server's /blob into a file: (ms by its clock, host s, sha256)."""
    status, out, secs = k.run(
        "t0=$(cut -d' ' -f1 /proc/uptime); wget -q -O /tmp/got "
        f"http://{SERVER_IP}/blob; s=$?; t1=$(cut -d' ' -f1 /proc/uptime); "
        "echo xfer $s $t0 $t1", timeout)
    m = [re.match(XFER, line.strip()) for line in out]
    m = [x for x in m if x]
    if status != 0 or not m or m[-1].group(1) != "0":
        raise nettest.CaseFailed("Kestrel's fetch of /blob failed: " + " / ".join(out[-3:]))
    ms = round((float(m[-1].group(3)) - float(m[-1].group(2))) * 1000)
    out, _ = k.must("sha256sum /tmp/got && rm -f /tmp/got", 300)
    return ms, secs, nettest.sha256_of(out, "/tmp/got")


def kestrel_retrans(k):
    out, _ = k.must("cat /proc/net/snmp")
    return netflood.snmp_counters(out).get("Tcp.RetransSegs")


# Kestrel's loss-recovery counters in /proc/net/netstat, as Linux names them
TCPEXT = ("TCPSackRecovery", "TCPRenoRecovery", "TCPLossProbes", "TCPLossProbeRecovery",
          "TCPTimeouts", "TCPDSACKRecv", "TCPDSACKUndo", "TCPDSACKOldSent", "TCPOFOQueue",
          "TCPOFODrop",
          # what the timeouts interrupted (the first of a series: Linux's tcp_retransmit_timer)
          "TCPSackRecoveryFail", "TCPLossFailures", "TCPSackFailures",
          # D-SACKs above the ACK, and the undos Kestrel does not make (F-RTO, timestamps)
          "TCPDSACKOfoRecv", "TCPLossUndo", "TCPSpuriousRTOs", "TCPFullUndo", "TCPPartialUndo",
          "TCPLostRetransmit", "TCPFastRetrans")


# The same counters of a Linux sender (the stand-in), as NAME=N,NAME=N...:
# /proc/net/netstat's TcpExt header line names the values of the next one.
TCPEXT_AWK = ("awk -v want=" + ",".join(TCPEXT) + " '/^TcpExt:/ { n++; if (n == 1) "
              "{ for (i = 2; i <= NF; i++) h[i] = $i } else { for (i = 2; i <= NF; i++) "
              "if (index(\",\" want \",\", \",\" h[i] \",\")) { printf \"%s%s=%s\", s, h[i], $i; "
              "s = \",\" } } }' /proc/net/netstat")


def standin_tcpext(value):
    """The stand-in's NAME=N,... value as Kestrel's counters are kept."""
    got = dict(kv.split("=", 1) for kv in value.split(",") if "=" in kv)
    return {n: int(got[n]) if got.get(n, "").isdigit() else None for n in TCPEXT}


def kestrel_tcpext(k):
    out, _ = k.must("cat /proc/net/netstat")
    c = netflood.snmp_counters(out)
    return {n: c.get("TcpExt." + n) for n in TCPEXT}


def kestrel_steps(k, server, res, size_mib, timeout, cc=None):
    """The kestrel pair's steps once both have booted (cc: Kestrel's congestion
    control, set before any connection; None: its default)."""
    k.expect("shell prompt", nettest.PROMPT, nettest.BOOT_TIMEOUT)
    if cc:
        k.must(f"echo {cc} > /proc/sys/net/ipv4/tcp_congestion_control")
    blocks = size_mib * 16
    k.must(f"mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/f bs=64k count={blocks} "
           "2>/dev/null && sha256sum /tmp/www/f > /tmp/www/sum", 300)
    try:
        server.wait_ready("server", nettest.PEER_TIMEOUT)
        blob = server.wait_value("blob-sha256", 5)
    except netpeer.PeerError as e:
        raise nettest.CaseFailed(str(e))
    ms, secs, got = kestrel_fetch(k, timeout)
    if got != blob:
        raise nettest.CaseFailed(f"to 15: sha256 {got}, the server sent {blob}")
    res.ms["to15"], res.host_s["to15"] = ms, secs
    k.must("httpd -p 80 -h /tmp/www")
    try:
        c, got, said, _, retrans = server_values(server, timeout)
    except netpeer.PeerError as e:
        raise nettest.CaseFailed(str(e))
    if not c.ok:
        raise nettest.CaseFailed(f"to 2: the server's fetch failed {c.detail}")
    if got != said:
        raise nettest.CaseFailed(f"to 2: sha256 {got}, Kestrel sent {said}")
    res.ms["to2"], res.host_s["to2"] = c.ms, (c.host_ms or 0) / 1000
    res.retrans["to15"], res.retrans["to2"] = int(retrans), kestrel_retrans(k)
    res.tcpext = kestrel_tcpext(k)
    k.must("echo still-here")


def kestrel_argv(img, vars_fd, wire, nic, pcap):
    argv = nettest.kestrel_argv(img, vars_fd, wire.netdev_args(0, "net0"), nic,
                                pcap or "/dev/null")
    argv[argv.index("-m") + 1] = MEM
    if not pcap:
        i = argv.index("-object")
        del argv[i:i + 2]
    return argv


def kestrel_run(build, outdir, name, nic, size_mib, loss, seed=SEED, reorder=REORDER, dup=DUP,
                pcap=None, cc=None):
    """One boot of the kestrel pair: its Result (raises nettest.CaseFailed on a failure);
    cc: Kestrel's congestion control ("reno": the kestrel-reno pair)."""
    res = Result("kestrel-" + cc if cc else "kestrel", loss, seed, size_mib)
    timeout = xfer_timeout(size_mib, loss / 100.0)
    img, vars_fd = nettest.make_image(build, outdir, name, CMDLINE)
    with netrelay.RelayWire() as wire, relay_for(wire, loss, seed, reorder, dup) as relay, \
            netpeer.LinuxPeer(build, server_script(size_mib, timeout), nic=nic, wire=wire, side=1,
                              logdir=outdir, name=name + ".peer", mem=MEM,
                              lifetime=timeout * 3) as server:
        with nettest.Kestrel(name, kestrel_argv(img, vars_fd, wire, nic, pcap),
                             nettest.log_path(outdir, name)) as k:
            try:
                kestrel_steps(k, server, res, size_mib, timeout, cc)
            finally:
                res.relay = relay.stats()
                nettest.judge_log(k)
    for p in (img, vars_fd):
        if os.path.exists(p):
            os.unlink(p)
    return res


def linux_run(build, outdir, name, nic, size_mib, loss, seed=SEED, reorder=REORDER, dup=DUP,
              sack=True):
    """One boot of the linux pair (sack=False: without SACK, the pair
    "linux-nosack"): its Result (raises nettest.CaseFailed on a failure)."""
    res = Result("linux" if sack else "linux-nosack", loss, seed, size_mib)
    timeout = xfer_timeout(size_mib, loss / 100.0)
    with netrelay.RelayWire() as wire, relay_for(wire, loss, seed, reorder, dup) as relay, \
            netpeer.LinuxPeer(build, server_script(size_mib, timeout, sack), nic=nic, wire=wire, side=1,
                              logdir=outdir, name=name + ".peer", mem=MEM,
                              lifetime=timeout * 3) as server, \
            netpeer.LinuxPeer(build, standin_script(size_mib, timeout), nic=nic, wire=wire,
                              side=0, mac=netpeer.KESTREL_MAC, logdir=outdir, name=name,
                              mem=MEM, lifetime=timeout * 3) as standin:
        try:
            blob = server.wait_value("blob-sha256", nettest.PEER_TIMEOUT)
            c = standin.wait_check("fetch", timeout)
            got = standin.wait_value("got-sha256", 30)
            if not c.ok or got != blob:
                raise nettest.CaseFailed(f"to 15: fetch {'ok' if c.ok else 'failed'}, sha256 "
                                         f"{got}, the server sent {blob}")
            res.ms["to15"], res.host_s["to15"] = c.ms, (c.host_ms or 0) / 1000
            c2, got, said, _, retrans = server_values(server, timeout)
            if not c2.ok or got != said:
                raise nettest.CaseFailed(f"to 2: fetch {'ok' if c2.ok else 'failed'}, sha256 "
                                         f"{got}, the stand-in sent {said}")
            res.ms["to2"], res.host_s["to2"] = c2.ms, (c2.host_ms or 0) / 1000
            res.retrans["to15"] = int(retrans)
            res.retrans["to2"] = int(standin.wait_value("retrans", 30))
            res.tcpext = standin_tcpext(standin.wait_value("tcpext", 30))
        except netpeer.PeerError as e:
            raise nettest.CaseFailed(str(e))
        finally:
            res.relay = relay.stats()
    return res


def table(results, rates):
    """The Markdown table: per loss rate, each direction's seconds for each pair
    (the ratio is Kestrel's to Linux-Linux's) and the senders' retransmissions."""
    pairs = [p for p in ("kestrel", "kestrel-reno", "linux", "linux-nosack")
             if any(r.pair == p for r in results)]
    names = {"kestrel": "Kestrel-Linux", "kestrel-reno": "Kestrel (reno)-Linux", "linux": "Linux-Linux",
             "linux-nosack": "no SACK"}
    head = ["loss"]
    for d in ("to Linux", "to Kestrel"):
        head += [f"{d}: {names[p]}" for p in pairs] + (["ratio"] if len(pairs) > 1 else [])
    head += [f"retrans {names[p]}" for p in pairs]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for loss in rates:
        got = {p: next((r for r in results if r.pair == p and r.loss == loss and not r.why), None)
               for p in pairs}
        row = [f"{loss}%"]
        for d in ("to2", "to15"):
            row += [f"{got[p].ms[d] / 1000:.1f} s" if got[p] else "failed" for p in pairs]
            if len(pairs) > 1:
                k, lx = got.get("kestrel"), got.get("linux")
                row.append(f"{k.ms[d] / max(lx.ms[d], 1):.2f}" if k and lx else "")
        row += [f"{got[p].retrans['to2']} / {got[p].retrans['to15']}" if got[p] else ""
                for p in pairs]
        rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--nic", default="virtio-net-pci")
    ap.add_argument("--size", type=int, default=64, help="MiB each way")
    ap.add_argument("--rates", default=",".join(str(r) for r in RATES), help="loss, percent")
    ap.add_argument("--reorder", type=float, default=REORDER)
    ap.add_argument("--dup", type=float, default=DUP)
    ap.add_argument("--seed", default=str(SEED))
    ap.add_argument("--pairs", default="kestrel,linux")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    outdir = os.path.join(build, "conformance", "netloss")
    os.makedirs(outdir, exist_ok=True)
    no_linux = nettest.prepare_linux(build)
    if no_linux:
        print(f"SKIP loss: {no_linux}")
        return 2
    rates = [float(r) for r in args.rates.split(",")]
    rates = [int(r) if r == int(r) else r for r in rates]
    print(f"netloss: {args.size} MiB each way, reorder {args.reorder:g}, dup {args.dup:g}, "
          f"seed {args.seed}, {args.nic}; load {os.getloadavg()[0]:.2f}", flush=True)
    results = []
    for loss in rates:
        for pair in args.pairs.split(","):
            name = f"{pair}-{loss:g}"
            t0 = time.monotonic()
            try:
                if pair in ("kestrel", "kestrel-reno"):
                    r = kestrel_run(build, outdir, name, args.nic, args.size, loss, args.seed,
                                    args.reorder, args.dup, cc="reno" if pair == "kestrel-reno" else None)
                else:
                    r = linux_run(build, outdir, name, args.nic, args.size, loss, args.seed,
                                  args.reorder, args.dup, sack=pair == "linux")
            except (nettest.CaseFailed, RuntimeError, OSError,
                    subprocess.CalledProcessError) as e:
                r = Result(pair, loss, args.seed, args.size)
                r.why = f"{e} (logs {os.path.relpath(outdir, TOP)}/{name}*)"
            results.append(r)
            print(r.line() + f" [{time.monotonic() - t0:.0f} s, load "
                  f"{os.getloadavg()[0]:.2f}]", flush=True)
    print(table(results, rates))
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r.as_dict() for r in results], f, indent=1)
    failed = sum(1 for r in results if r.why)
    print(f"loss: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
