#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""packetdrill in remote mode: Kestrel's TCP checked packet by packet against Linux 6.1.

packetdrill (Google's tool for Linux's TCP, vendored in
tests/third_party/packetdrill/src, built by `make packetdrill` into
BUILD/packetdrill/packetdrill as one static binary) runs a script's
system calls on one machine, the wire client, and has a second one, the
wire server, inject the script's inbound packets and sniff the outbound
ones on the wire between them. Here both are guests on one wire
(netpeer.Wire: Unix datagram sockets, nothing leaves this host):

    client (the machine under test)          server: Debian's Linux 6.1
    10.0.2.15, default route via 10.0.2.2    10.0.2.2, packetdrill --wire_server
    `sh /pdrill/run.sh ...` runs each        --wire_server_dev=eth0: sniffs eth0,
    script: --wire_client, --local_ip        injects frames from the fake remote
    10.0.2.15, --remote_ip 192.0.2.1,        host 192.0.2.1 (RFC 5737), which the
    --gateway_ip 10.0.2.2                    client reaches through its default
                                             route, so 10.0.2.2's own ARP answers
                                             and its kernel drops the packets
                                             (not addressed to it, no forwarding)

The client's packetdrill connects to the server's port 8081 (also on the
wire), sends the script and its MAC, and the two run the script in step.
The client is Kestrel (kestrel: its image with /pdrill as an overlay,
`init=/bin/sh ip=10.0.2.15::10.0.2.2:255.255.255.0`, the command typed on
the serial console) or a second Linux guest (linux: the same run.sh as its
/peer.sh), so every script is judged on both kernels with the same binary,
scripts and server. One boot pair per client runs the whole list; each
script has a time limit (--limit, run.sh's busybox timeout), and a script
killed at it is a hang recorded against that script while the run goes on.
A client that stops printing for --limit + STALL_SLACK s is a stalled
guest: the scripts left are recorded as not run.

The lists (tests/third_party/packetdrill/): all.list, the curated scripts
(under scripts/, taken unchanged from packetdrill's gtests/net/tcp, with
their `../common/defaults.sh` and set_sysctls.py lines served by POSIX sh
adaptations: see scripts/common/defaults.sh); quick.list, those that pass
on both kernels and run in about two minutes, for make test, plus the
mutants (scripts/mutant/): known-good scripts with one expectation made
wrong (a window, a sequence number), which must fail on Kestrel: the proof
that a difference in Kestrel's TCP shows.

    pdrilltest.py [--build DIR] [--list quick|all|FILE] [--only kestrel|linux]
                  [--limit S] [--tolerance-us US] [--table FILE] [NAME...]

One line per script (PASS, FAIL with packetdrill's first complaint, HANG,
or NOT RUN), then `packetdrill: N passed, N failed`. With both clients
(the default for `--list all`), a script passes when it passes on both;
a script failing on Linux is the script's fault (wrong for 6.1) and is
reported as such. --table writes the Markdown table (script, Linux,
Kestrel, first difference). Logs under BUILD/test/pdrill/. Exit status 1
on a failure; a SKIP line and status 0 when Debian's Linux cannot be had
or packetdrill cannot be built here.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402  (Wire, LinuxPeer, Guest)
import nettest  # noqa: E402  (Kestrel: the serial console typed into; kestrel_argv)

PD = os.path.join(TOP, "tests", "third_party", "packetdrill")
SERVER_IP = "10.0.2.2"
CLIENT_IP = "10.0.2.15"
REMOTE_IP = "192.0.2.1"         # the fake peer the server plays (TEST-NET-1)
NIC = "virtio-net-pci"
LIMIT = 60                      # seconds one script may take (packetdrill's run, TCG, loaded host)
TOLERANCE_US = 100000           # packetdrill's timing slack (its default, 4 ms, is for bare metal)
TRIES = 2                       # a failing script runs once more (timing on a loaded host)
# The wire server's MTU: the largest segment a script injects (inq's 10000
# bytes) with its IPv4 and TCP headers. packetdrill's scripts come from its
# local mode, where inbound packets enter through a tun device that takes any
# size; in remote mode the server writes them to eth0 with a packet socket,
# which refuses a frame over the device's MTU (EMSGSIZE). Only the server's
# side is raised: the client keeps 1500 (its SYN's MSS of 1460 is in the
# scripts) and takes the larger frames as Linux does on virtio-net with
# mergeable receive buffers.
SERVER_MTU = 10000 + 20 + 20
STALL_SLACK = 60                # seconds past the limit before a silent client is given up
BOOT_TIMEOUT = 240              # either guest, QEMU's start to its shell or eth0
# Kestrel's guest. With nettest's 256 MiB, connections left behind by earlier
# scripts (closed with data unacknowledged by a peer that went away) hold
# TCP's memory (an eighth of RAM) and connect() fails with ENOMEM from about
# the 60th script on; Linux frees such orphans sooner. A finding, in
# docs/network.md; the larger guest lets the scripts after it be judged.
KESTREL_MEM = "1G"
SERVER_MEM = "1536M"            # the wire server's guest: about 9 MiB locked per script run
PEER_LIFETIME = 5400            # the peers power off after this whatever happens
TOOLS = ("packetdrill", "offload_off")  # built by make packetdrill into BUILD/packetdrill
KESTREL_APPLETS = ("dd",)       # linked to busybox in Kestrel's overlay (stage())
MUTANT_DIR = "mutant/"          # scripts under here must fail
KESTREL_CMDLINE = f"init=/bin/sh ip={CLIENT_IP}::{SERVER_IP}:255.255.255.0"
# Inline code (`%{ assert tcpi_snd_cwnd == 10 }%`): packetdrill's client runs
# it with `python3 FILE` (src/code.c), on a file that imports sys and
# traceback. Debian's python3-minimal and what it depends on (tools/debs.py,
# the .debs cached in BUILD/debs) go into the client's image when a script
# of the list has inline code: Kestrel's by mkimg.sh --deb, a Linux client's
# as files (PY_BIN, the libraries it is linked against, the standard library).
INLINE_CODE = "%{"
PY_DEBS = ("python3-minimal",)
PY_TREE = "debs-pdrill"         # under BUILD: mkimg.sh wants debs* there
PY_BIN = "usr/bin/python3.11"
PY_LIB = "usr/lib/python3.11"
PY_LIBDIRS = ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")
PY_LOADER = "lib64/ld-linux-x86-64.so.2"
BEGIN = re.compile(r"pdrill: begin (\S+)$")
RESULT = re.compile(r"pdrill: result (\S+) (\d+) (\d+)$")
DONE = re.compile(r"pdrill: done$")
HANG_STATUS = (124, 137)        # busybox timeout: TERM at the limit, KILL 5 s later
# packetdrill's complaint: "file.pkt:LINE: error ..." or a script-level "error" line.
COMPLAINT = re.compile(r"\.pkt:\d+: .*|.*\berror\b.*|.*assertion.*", re.I)


class Outcome:
    """One script on one client: status PASS, FAIL, HANG or NOT RUN; ms; why
    (packetdrill's first complaint, or what happened)."""

    def __init__(self, status, ms=None, why=""):
        self.status, self.ms, self.why = status, ms, why

    def cell(self):
        return self.status if self.ms is None else f"{self.status} ({self.ms / 1000:.1f} s)"


# ---------------------------------------------------------------- the lists and the staged tree

def read_list(which, names=()):
    """The script names (relative to scripts/) of list which (quick, all or a
    file), narrowed to names when given."""
    path = os.path.join(PD, f"{which}.list") if which in ("quick", "all") else which
    with open(path) as fh:
        got = [l.split("#")[0].strip() for l in fh]
    got = [n for n in got if n]
    if names:
        got = [n for n in got if n in names or os.path.basename(n) in names]
    return got


def stage(build, names, outdir):
    """OUTDIR/overlay/pdrill: packetdrill, run.sh, the list and the scripts
    named (with the common/ files they call), and OUTDIR/overlay/bin's links
    to busybox. The overlay directory."""
    root = os.path.join(outdir, "overlay")
    shutil.rmtree(root, ignore_errors=True)
    dst = os.path.join(root, "pdrill")
    os.makedirs(dst)
    for tool in TOOLS:
        shutil.copy2(os.path.join(build, "packetdrill", tool), dst)
    shutil.copy2(os.path.join(PD, "run.sh"), dst)
    for common in ("common", "tcp/common"):
        shutil.copytree(os.path.join(PD, "scripts", common), os.path.join(dst, common))
    for n in names:
        os.makedirs(os.path.join(dst, os.path.dirname(n)), exist_ok=True)
        shutil.copy2(os.path.join(PD, "scripts", n), os.path.join(dst, n))
    with open(os.path.join(dst, "list"), "w") as fh:
        fh.write("".join(n + "\n" for n in names))
    # Commands scripts name by path that Kestrel's rootfs links to busybox
    # only in part (sendfile-simple.pkt runs /bin/dd); Kestrel's image only.
    os.makedirs(os.path.join(root, "bin"))
    for applet in KESTREL_APPLETS:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    return root


def peer_files(root):
    """The staged tree as netpeer's files= ({path: (mode, bytes)})."""
    files = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            p = os.path.join(d, f)
            if os.path.islink(p):
                continue        # Kestrel's busybox links: the peers have every applet
            mode = 0o100755 if os.access(p, os.X_OK) else 0o100644
            with open(p, "rb") as fh:
                files["/" + os.path.relpath(p, root)] = (mode, fh.read())
    return files


def needs_python(names):
    """Whether a script of names has inline code (INLINE_CODE). Without
    python3-minimal those are SKIPped and the others run (main)."""
    for n in names:
        with open(os.path.join(PD, "scripts", n)) as fh:
            if INLINE_CODE in fh.read():
                return True
    return False


def python_tree(build):
    """BUILD/PY_TREE with PY_DEBS unpacked (tools/debs.py), or None when the
    packages cannot be had here (debs.py's exit status 3)."""
    tree = os.path.join(build, PY_TREE)
    got = subprocess.run([sys.executable, os.path.join(TOP, "tools", "debs.py"), "--cache",
                          os.path.join(build, "debs"), "--out", tree] + list(PY_DEBS),
                         capture_output=True, text=True)
    if got.returncode == 3:
        return None
    if got.returncode:
        raise RuntimeError(f"tools/debs.py failed: {got.stderr.strip()[-300:]}")
    return tree


def needed_libs(path):
    """The DT_NEEDED names of the ELF file at path (readelf -d)."""
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def python_files(tree):
    """A Linux client's python3 from tree, as netpeer's files=: the binary as
    /usr/bin/python3, the standard library, the loader and the libraries the
    binary and the library's extension modules are linked against."""
    def add(rel, dest=None):
        with open(os.path.realpath(os.path.join(tree, rel)), "rb") as fh:
            files[dest or "/" + rel] = (0o100755, fh.read())
    files = {}
    add(PY_BIN, "/usr/bin/python3")
    add(PY_LOADER)
    elves = [os.path.join(tree, PY_BIN)]
    for d, _, fs in os.walk(os.path.join(tree, PY_LIB)):
        for f in fs:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                add(os.path.relpath(p, tree))
                if f.endswith(".so"):
                    elves.append(p)
    for lib in sorted({n for e in elves for n in needed_libs(e)}):
        where = [os.path.join(d, lib) for d in PY_LIBDIRS if os.path.exists(os.path.join(tree, d, lib))]
        if where:
            add(where[0])
    return files


def run_command(limit, tol, tries):
    return (f"sh /pdrill/run.sh /pdrill /pdrill/list {SERVER_IP} {CLIENT_IP} {REMOTE_IP} "
            f"{limit} {tol} {tries}")


# ---------------------------------------------------------------- reading a client's run

def complaint(lines):
    """packetdrill's first complaint among a script's output lines, or ''."""
    for line in lines:
        if COMPLAINT.search(line):
            return line.strip()[:200]
    return lines[-1].strip()[:200] if lines else ""


def collect(guest, names, limit, tries):
    """Follow a client's run.sh on its console: {name: Outcome}. Waits for
    each result line in turn; a client silent past limit + STALL_SLACK is
    given up and its remaining scripts are NOT RUN."""
    out, i = {}, 0
    for n in names:
        got = guest.wait_for(rf"pdrill: result {re.escape(n)} (\d+) (\d+)$",
                             limit * tries + STALL_SLACK, i)
        if not got:
            why = "guest ended" if guest.ended else f"client silent {limit * tries + STALL_SLACK} s"
            for rest in names[names.index(n):]:
                out[rest] = Outcome("NOT RUN", None, why)
            break
        end = got[0]
        marks = [j for j in range(i, end) if guest.lines[j][1].endswith(f"pdrill: begin {n}")
                 or f"pdrill: attempt {n} " in guest.lines[j][1]]
        first = marks[0] + 1 if marks else i
        body = [l for _, l in guest.lines[(marks[-1] + 1 if marks else i):end]]
        rc, ms = int(got[2].group(1)), int(got[2].group(2))
        if rc == 0 and len(marks) > 1:
            earlier = [l for _, l in guest.lines[first:marks[1]]]
            out[n] = Outcome("PASS", ms, f"passed on try {len(marks)}; try 1: " +
                             complaint(earlier))
        elif rc == 0:
            out[n] = Outcome("PASS", ms)
        elif rc in HANG_STATUS:
            out[n] = Outcome("HANG", ms, f"killed after {limit} s; " + complaint(body))
        else:
            out[n] = Outcome("FAIL", ms, complaint(body) or f"exit {rc}")
        i = end + 1
    return out


# ---------------------------------------------------------------- the guests

def server_script():
    """The wire server's /peer.sh: 10.0.2.2, SERVER_MTU, GRO off (offload_off: its sniffer must
    see each segment as sent), and packetdrill --wire_server, started
    again should it die (its memory grows with each script, all of it locked by
    mlockall: SERVER_MEM keeps a whole list in, the loop is for the rest)."""
    return (f"netpeer_up {SERVER_IP}/24 || exit 1\n"
            f"ip link set eth0 mtu {SERVER_MTU} || exit 1\n"
            "/pdrill/offload_off eth0\n"
            "while :; do /pdrill/packetdrill --wire_server --wire_server_dev=eth0\n"
            "  echo \"pdrill: wire server exited $?, restarted\"; sleep 1; done &\n"
            "netpeer_ready pdrill-server\nnetpeer_serve\n")


def linux_client_script(limit, tol, tries):
    """A Linux client's /peer.sh: 10.0.2.15, offloads off (segments of one MSS on
    the wire, as Kestrel sends them), the default route, the run."""
    return (f"netpeer_up {CLIENT_IP}/24 || exit 1\n"
            "export PATH=$PATH:/usr/bin\n"   # python3 (python_files), for inline code
            "/pdrill/offload_off eth0\n"
            f"ip route add default via {SERVER_IP}\n"
            f"netpeer_retry 60 ping -c 1 -W 1 {SERVER_IP}\n"
            f"{run_command(limit, tol, tries)}\n")


def kestrel_image(build, outdir, overlay, pytree):
    """Kestrel's image with the overlay and the static address, and python3
    from pytree unless None: (img, vars)."""
    img = os.path.join(outdir, "kestrel.img")
    vars_fd = os.path.join(outdir, "kestrel.vars.fd")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    debs = ["--deb", " ".join(PY_DEBS), "--deb-root", pytree] if pytree else []
    subprocess.run([os.path.join(TOP, "tools/mkimg.sh"), "--build", build, "-o", img,
                    "--overlay", overlay, "--cmdline", KESTREL_CMDLINE] + debs,
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    shutil.copyfile(netpeer.OVMF_VARS, vars_fd)
    return img, vars_fd


def run_pair(build, client, names, files, overlay, outdir, limit, tol, tries, pytree):
    """Boot the server and one client (kestrel or linux), the client with
    python3 from pytree unless None, run the list: {name: Outcome}.
    netpeer.PeerError or nettest.CaseFailed when a guest does not come up."""
    with netpeer.Wire() as wire, \
            netpeer.LinuxPeer(build, server_script(), nic=NIC, wire=wire, side=1,
                              mac=netpeer.PEER_MAC, files=files, logdir=outdir, mem=SERVER_MEM,
                              name=f"{client}.server", lifetime=PEER_LIFETIME) as server:
        server.wait_up(BOOT_TIMEOUT)
        server.wait_ready("pdrill-server", BOOT_TIMEOUT)
        if client == "linux":
            cfiles = dict(files, **python_files(pytree)) if pytree else files
            # every frame of the client's side into a pcap, as Kestrel's (kestrel_argv)
            netdev = wire.netdev_args(0) + \
                ["-object", f"filter-dump,id=f0,netdev=net0,file={os.path.join(outdir, 'linux.pcap')}"]
            with netpeer.LinuxPeer(build, linux_client_script(limit, tol, tries), nic=NIC,
                                   netdev=netdev, mac=netpeer.KESTREL_MAC, files=cfiles,
                                   logdir=outdir, name="linux.client", lifetime=PEER_LIFETIME) as c:
                c.wait_up(BOOT_TIMEOUT)
                return collect(c, names, limit, tries)
        img, vars_fd = kestrel_image(build, outdir, overlay, pytree)
        argv = nettest.kestrel_argv(img, vars_fd, wire.netdev_args(0), NIC,
                                    os.path.join(outdir, "kestrel.pcap"))
        argv[argv.index("-m") + 1] = KESTREL_MEM
        with nettest.Kestrel("kestrel", argv, os.path.join(outdir, "kestrel.client.log")) as k:
            k.expect("shell prompt", nettest.PROMPT, BOOT_TIMEOUT)
            k.proc.stdin.write((run_command(limit, tol, tries) + "\r").encode())
            k.proc.stdin.flush()
            got = collect(k, names, limit, tries)
            panic = nettest.never_lines(k)
            if panic:
                for o in got.values():
                    o.why = (o.why + "; " if o.why else "") + panic
            return got


# ---------------------------------------------------------------- verdicts and the table

def mutant_line(name):
    """The line a mutant script must fail on (its `mutant-line: N` comment)."""
    with open(os.path.join(PD, "scripts", name)) as fh:
        m = re.search(r"mutant-line: (\d+)", fh.read())
    if not m:
        raise ValueError(f"{name}: no mutant-line comment")
    return int(m.group(1))


def verdict(name, runs):
    """(ok, line) for one script given {client: Outcome}."""
    k, l = runs.get("kestrel"), runs.get("linux")
    if name.startswith(MUTANT_DIR):
        line = mutant_line(name)
        ok = k is not None and k.status == "FAIL" and f".pkt:{line}:" in k.why
        why = f"fails on its line {line} as it must: {k.why}" if ok else \
            f"a mutant must fail on Kestrel at line {line}, got " + \
            (f"{k.status} {k.why}" if k else "no run")
    elif l is not None and l.status != "PASS":
        ok, why = False, f"Linux {l.status}: {l.why} (the script is wrong for 6.1)"
    elif k is not None and k.status != "PASS":
        ok, why = False, f"Kestrel {k.status}: {k.why}"
    else:
        ok, why = True, ", ".join(f"{c} {o.ms} ms" + (f" ({o.why})" if o.why else "")
                                  for c, o in sorted(runs.items()))
    return ok, f"{'PASS' if ok else 'FAIL'} pdrill/{name}: {why}"


def write_table(path, names, results, clients):
    """The Markdown table: script, each client's outcome, Kestrel's first
    difference (or Linux's, when only Linux failed), and passes on a retry."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    rows = ["| script | " + " | ".join(clients) + " | first difference | retried |\n",
            "|---" * (len(clients) + 3) + "|\n"]
    for n in names:
        got = {c: results[c][n] for c in clients if n in results[c]}
        cells = [got[c].cell() if c in got else "-" for c in clients]
        failed = [c for c in ("kestrel", "linux") if c in got and got[c].status != "PASS"]
        diff = f"{failed[0]}: {got[failed[0]].why}" if failed else ""
        retried = "; ".join(f"{c}: {o.why}" for c, o in got.items()
                            if o.status == "PASS" and o.why)
        rows.append(f"| {n} | " + " | ".join(cells) +
                    f" | {diff.replace('|', '/')} | {retried.replace('|', '/')} |\n")
    with open(path, "w") as fh:
        fh.writelines(rows)


def skip(why):
    """Say why nothing ran, as a SKIP line and zero counts: exit status 0."""
    print(f"SKIP packetdrill: {why}")
    print("packetdrill: 0 passed, 0 failed")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--list", default="quick")
    ap.add_argument("--only", choices=("kestrel", "linux"))
    ap.add_argument("--limit", type=int, default=LIMIT)
    ap.add_argument("--tolerance-us", type=int, default=TOLERANCE_US)
    ap.add_argument("--tries", type=int, default=TRIES)
    ap.add_argument("--table")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    if not all(os.path.exists(os.path.join(build, "packetdrill", f)) for f in TOOLS):
        made = subprocess.run(["make", "-s", f"B={build}", "packetdrill"], cwd=TOP,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if made.returncode:
            return skip("packetdrill does not build here (needs gcc with static glibc, flex "
                        "and bison): " + " / ".join(made.stdout.strip().splitlines()[-3:]))
    names = read_list(a.list, a.names)
    inline = [n for n in names if needs_python([n])]
    pytree = python_tree(build) if inline else None
    if inline and not pytree:
        for n in inline:
            print(f"SKIP pdrill/{n}: inline code needs python3-minimal, which cannot be had here")
        names = [n for n in names if n not in inline]
    clients = [a.only] if a.only else (["linux", "kestrel"] if a.list != "quick" else ["kestrel"])
    outdir = os.path.join(build, "test", "pdrill")
    os.makedirs(outdir, exist_ok=True)
    overlay = stage(build, names, outdir)
    files = peer_files(overlay)
    results = {}
    for c in clients:
        run = [n for n in names if c == "kestrel" or not n.startswith(MUTANT_DIR)]
        t0 = time.monotonic()
        try:
            results[c] = run_pair(build, c, run, files, overlay, outdir, a.limit, a.tolerance_us,
                                  a.tries, pytree)
        except RuntimeError as e:
            if isinstance(e, (netpeer.PeerError, nettest.CaseFailed)):
                results[c] = {n: Outcome("NOT RUN", None, f"{c}: {e}".splitlines()[0])
                              for n in run}
            else:
                return skip(f"Linux cannot be had: {e}")
        except nettest.CaseFailed as e:
            results[c] = {n: Outcome("NOT RUN", None, f"{c}: {e}") for n in run}
        print(f"-- {c} client: {len(run)} scripts in {time.monotonic() - t0:.0f} s", flush=True)
    passed = failed = 0
    for n in names:
        ok, line = verdict(n, {c: results[c][n] for c in clients if n in results[c]})
        print(line)
        passed, failed = passed + ok, failed + (not ok)
    if a.table:
        write_table(a.table, names, results, clients)
    print(f"packetdrill: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
