#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Debian's network programs on Kestrel against Debian's Linux 6.1, on one wire.

    net.py [--build DIR] [--nic NIC,...] [--rounds N] [--only functional|iperf]
           [--mem SIZE] [--pcap] [--profile] [--loss PCT [--seed N]]

make conformance-net. Topology (b) of tests/boot/netpeer.py only: two QEMU
guests joined by a `-netdev dgram` wire over Unix sockets (netpeer.Wire),
so the host carries no IP traffic; every QEMU argv goes through
netpeer.check_argv(). Kestrel is 10.0.2.15 and 2001:db8:1::15 (side 0,
netpeer.KESTREL_MAC), Linux 10.0.2.2 and 2001:db8:1::2 (side 1,
netpeer.LinuxPeer, IPv6 on), both configured by hand with iproute2 (no
DHCP, no router advertisement: the IPv6 addresses are added once DAD
passes, beside the link-local ones both kernels make), 1 GiB each.

The programs. Debian's curl, wget, nginx, openssh-server and -client,
iperf3, netcat-openbsd, socat and iproute2 (tools/debs.py: downloaded
once into BUILD/debs, unpacked into BUILD/debs-net); the programs and the
shared libraries they need (their DT_NEEDED closure, with libgcc_s for
glibc's thread cancellation) go into Kestrel's rootfs as an overlay
(tools/mkrootfs.sh, busybox kept for the rest) and into the Linux peer's
initramfs (LinuxPeer's files), with tests/conformance/net-guest.sh as
/etc/netconf/netconf.sh, which both kernels run, and its files: passwd and
group with the privilege separation user sshd and www-data, an nginx.conf
(sendfile on, as Debian's), an sshd_config (key-based root login, no PAM),
ed25519 host keys for each side and a client key, made once with the
host's ssh-keygen into BUILD/conformance/net/keys, and known_hosts naming
both, so ssh checks the host key it is shown.

Functional, per NIC model (virtio-net-pci, e1000, e1000e), one boot of each: the
peer starts its servers (nginx with 8 MiB of random bytes, sshd, iperf3 -s,
nc and socat one-shot TCP and UDP servers on ports 7001-7004). Kestrel,
driven through its serial console (nettest.Kestrel), runs the client
checks against them: curl and wget of the file (sha256 against the
server's), ssh running a command (`echo ssh-ok $((6 * 7)) $(hostname)`,
its output checked) and ssh -tt (a pseudo-terminal: `tty` must print
/dev/pts/N), curl and ssh again over IPv6 (curl6, ssh6: nginx listens on
[::]:80 beside 0.0.0.0:80, sshd on :: beside 0.0.0.0), an exchange each with nc and socat over TCP and UDP (a line
each way, checked on both ends), iperf3 sending and receiving (-R). Then
Kestrel starts the same servers and the peer runs the same client checks
against it. `ip addr` and `ip route` on Kestrel are compared field by
field with what Linux prints for the same configuration (the stand-in of
the iperf3 reference boots: 10.0.2.15/24 and 2001:db8:1::15/64 on eth0
with KESTREL_MAC, a default route by 10.0.2.2, set by the same commands,
IPv6 on): per interface its
index, name, flags, mtu, qdisc, state, group, qlen, link type, address,
broadcast, and each inet and inet6 line's address/prefix, broadcast, scope, flags,
label and lifetimes; per route every word (with --only, no comparison: the
stand-in boots with the iperf3 ones).

Throughput (iperf3), per NIC model, --rounds boots of each pair,
alternating: Kestrel (client) with Linux (server), and, as the reference,
Linux with Linux on the same wire (the stand-in in Kestrel's place). Each
boot runs iperf3 -c for 6 s sending and then receiving (-R); the figure is
iperf3's receiver line in MiB/s (its MBytes/sec). The table gives the
median of the boots and each boot's figure, and each boot's sender's
retransmissions (iperf3's Retr).

--loss PCT (make conformance-net NETLOSS=PCT): the iperf3 boots cross
tests/boot/netloss.py's wire instead, netrelay's seeded relay in the
middle (PCT% dropped, 1% reordered, 1% duplicated, --seed N, the same
for both pairs); a boot passes only when the relay saw frames both ways
and, with PCT above 0, dropped some each way. The functional boot keeps
the clean wire.

--profile (make conformance-net NETPROFILE=1) loads tools/profile's TCG
plugin into Kestrel's QEMU in the iperf3 boots and prints, for each
direction, where Kestrel's instructions went (user against kernel, the
top kernel functions, as make profile does): Kestrel runs sync before
iperf3, between its two runs and after, the plugin's marks. It slows
Kestrel's guest, so its throughput figures are not the table's.

A boot that brought nothing (Linux under TCG on a loaded host now and then
panics in its timer check at boot) is tried once more, its logs kept.

One line per check, PASS or FAIL with the figures or the reason, a table,
and a closing `N passed, N failed`; the results in BUILD/conformance/
net.json, every serial log (NAME.log, NAME.peer.log) kept in
BUILD/conformance/net/. Exit status 1 when a check failed, 2 when the
packages or Linux cannot be had. About 20 minutes on 2 cores.
"""
import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
import netpeer  # noqa: E402  (Wire, LinuxPeer, check_argv, nic_args, ...)
import netloss  # noqa: E402  (relay_for, REORDER, DUP: the loss harness's wire)
import netrelay  # noqa: E402  (RelayWire, summary)
import nettest  # noqa: E402  (Kestrel: the serial console driven as a shell)
sys.path.insert(0, os.path.join(TOP, "tools"))
import profile  # noqa: E402  (tools/profile.py: the TCG plugin and its folding)

GUEST = os.path.join(TOP, "tests", "conformance", "net-guest.sh")
PACKAGES = ["curl", "wget", "nginx", "openssh-server", "openssh-client", "iperf3",
            "netcat-openbsd", "socat", "iproute2"]
TREE = "debs-net"          # under the build directory (debs*: the Makefile skips it)
# The programs taken from the tree, with their DT_NEEDED closure.
PROGRAMS = ["usr/bin/curl", "usr/bin/wget", "usr/sbin/nginx", "usr/sbin/sshd", "usr/bin/ssh",
            "usr/bin/iperf3", "bin/nc.openbsd", "usr/bin/socat", "bin/ip"]
# Files read at run time, and libraries loaded with dlopen.
DATA = ["etc/nginx/mime.types", "lib64/ld-linux-x86-64.so.2"]
DLOPEN = ["libgcc_s.so.1"]
LIBDIRS = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"]
EXIT_UNAVAILABLE = 2
NICS = ("virtio-net-pci", "e1000", "e1000e", netpeer.USB_NET)
# The Linux guests' NIC for each: their own, but virtio-net where Kestrel
# is on usb-net (the peer's image has no USB modules), so that row's
# Linux-Linux figure is virtio-net's.
LINUX_NIC = {netpeer.USB_NET: "virtio-net-pci"}
KESTREL_IP, LINUX_IP, PREFIX = "10.0.2.15", "10.0.2.2", 24
KESTREL_IP6, LINUX_IP6, PREFIX6 = "2001:db8:1::15", "2001:db8:1::2", 64
NAMES = {"kestrel": "kestrel", "linux": "linux", "standin": "standin"}  # host names
N = "/etc/netconf/netconf.sh"
MEM = "1G"
BOOT_TIMEOUT = 240         # QEMU's start to Kestrel's prompt or the peer's eth0
CMD_TIMEOUT = 120          # a typed command
CLIENT_TIMEOUT = 1500      # one side's client checks, all of them
PEER_LIFETIME = 3600
CHECK = re.compile(r"netconf: check (\S+) (ok|fail) (\d+) ms ?(.*)$")
VALUE = re.compile(r"netconf: value (\S+) ?(.*)$")
EXCHANGES = ("nc-tcp", "nc-udp", "socat-tcp", "socat-udp")
CLIENT_CHECKS = ("curl", "wget", "ssh", "ssh-pty", "curl6", "ssh6") + EXCHANGES + \
    ("iperf3-send", "iperf3-recv")

NGINX_CONF = """user www-data www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log /tmp/nginx-error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log /tmp/nginx-access.log;
    client_body_temp_path /tmp/nginx-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    server { listen 80 default_server; listen [::]:80 default_server; root /srv/www; }
}
"""
SSHD_CONF = """Port 22
ListenAddress 0.0.0.0
ListenAddress ::
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
PidFile /run/sshd.pid
LogLevel VERBOSE
"""
SSH_CONF = """Host *
    IdentityFile /root/.ssh/id_ed25519
    UserKnownHostsFile /etc/netconf/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    LogLevel ERROR
"""
PASSWD = """root:x:0:0:root:/root:/bin/sh
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
GROUP = "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n"


def log(msg):
    print(msg, flush=True)


class Unavailable(RuntimeError):
    """The packages or Linux cannot be had here (no network on the first run)."""


# ---------------------------------------------------------------- the files both guests get

def package_tree(build):
    """The packages unpacked into BUILD/TREE (tools/debs.py): its path."""
    tree = os.path.join(build, TREE)
    r = subprocess.run([sys.executable, os.path.join(TOP, "tools", "debs.py"), "--cache",
                        os.path.join(build, "debs"), "--out", tree] + PACKAGES,
                       capture_output=True, text=True)
    if r.returncode == 3:
        raise Unavailable((r.stderr.strip().splitlines() or ["no packages"])[-1])
    if r.returncode != 0:
        raise RuntimeError(f"tools/debs.py failed: {r.stderr.strip()[-500:]}")
    return tree


def needed(path):
    """The DT_NEEDED names of an ELF file (readelf)."""
    out = subprocess.run(["readelf", "-dW", path], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def add_path(tree, rel, files):
    """Put tree/rel into files ({rel: (mode, bytes)}), a symlink as a symlink
    and its target too; the real file's path."""
    while rel not in files:
        full = os.path.join(tree, rel)
        if os.path.islink(full):
            target = os.readlink(full)
            files[rel] = (0o120777, target.encode())
            rel = os.path.normpath(target.lstrip("/") if target.startswith("/")
                                   else os.path.join(os.path.dirname(rel), target))
            continue
        if not os.path.isfile(full):
            raise RuntimeError(f"{TREE} has no {rel}")
        with open(full, "rb") as f:
            files[rel] = (0o100000 | (os.stat(full).st_mode & 0o7777), f.read())
    while files[rel][0] == 0o120777:
        t = files[rel][1].decode()
        rel = os.path.normpath(t.lstrip("/") if t.startswith("/")
                               else os.path.join(os.path.dirname(rel), t))
    return rel


def find_lib(tree, name):
    for d in LIBDIRS:
        if os.path.lexists(os.path.join(tree, d, name)):
            return os.path.join(d, name)
    raise RuntimeError(f"{TREE}: no library {name} in {', '.join(LIBDIRS)}")


def program_files(tree):
    """{path: (mode, bytes)}: PROGRAMS, DATA and DLOPEN with every library they need."""
    files, todo = {}, list(PROGRAMS) + [find_lib(tree, n) for n in DLOPEN]
    for rel in DATA:
        add_path(tree, rel, files)
    seen = set()
    while todo:
        rel = add_path(tree, todo.pop(), files)
        if rel in seen:
            continue
        seen.add(rel)
        todo += [find_lib(tree, n) for n in needed(os.path.join(tree, rel))]
    files["bin/nc"] = (0o120777, b"nc.openbsd")       # update-alternatives' link
    return files


def keys(workdir):
    """The ssh keys (made once with ssh-keygen): {name: (private, public)}."""
    kdir = os.path.join(workdir, "keys")
    os.makedirs(kdir, exist_ok=True)
    out = {}
    for name in ("host_key_kestrel", "host_key_linux", "id_ed25519"):
        path = os.path.join(kdir, name)
        if not os.path.exists(path + ".pub"):
            for p in (path, path + ".pub"):
                if os.path.exists(p):
                    os.unlink(p)
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                            "-f", path], check=True, stdout=subprocess.DEVNULL)
        out[name] = tuple(open(p, "rb").read() for p in (path, path + ".pub"))
    return out


def netconf_files(tree, workdir):
    """Everything the guests get beyond their own root: the programs and
    /etc/netconf ({path: (mode, bytes)})."""
    files = program_files(tree)
    k = keys(workdir)
    host_pub = lambda name: b" ".join(k[name][1].split()[:2])
    known = b"".join(f"{ip} ".encode() + host_pub(key) + b"\n"
                     for ip, key in ((KESTREL_IP, "host_key_kestrel"), (LINUX_IP, "host_key_linux"),
                                     (KESTREL_IP6, "host_key_kestrel"),
                                     (LINUX_IP6, "host_key_linux")))
    r = 0o100644
    with open(GUEST, "rb") as f:
        files["etc/netconf/netconf.sh"] = (0o100755, f.read())
    for name, data in (("nginx.conf", NGINX_CONF), ("sshd_config", SSHD_CONF),
                       ("ssh_config", SSH_CONF), ("passwd", PASSWD), ("group", GROUP)):
        files["etc/netconf/" + name] = (r, data.encode())
    files["etc/netconf/known_hosts"] = (r, known)
    files["etc/netconf/authorized_keys"] = (r, k["id_ed25519"][1])
    for name in k:
        files["etc/netconf/" + name] = (0o100600, k[name][0])
    return files


def kestrel_image(build, workdir, files):
    """Kestrel's image: the rootfs with files as an overlay, init=/bin/sh."""
    overlay = os.path.join(workdir, "overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    for rel, (mode, data) in sorted(files.items()):
        path = os.path.join(overlay, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if mode == 0o120777:
            os.symlink(data.decode(), path)
        else:
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, mode & 0o7777)
    rootfs = os.path.join(workdir, "rootfs.cpio")
    env = dict(os.environ, ROOTFS_EXTRA=os.path.join(build, "rootfs.extra"))
    subprocess.run([os.path.join(TOP, "tools", "mkrootfs.sh"), os.path.join(workdir, "stage"),
                    rootfs, overlay], check=True, env=env)
    for d in ("stage", "overlay"):
        shutil.rmtree(os.path.join(workdir, d), ignore_errors=True)
    img = os.path.join(workdir, "kestrel.img")
    subprocess.run([os.path.join(TOP, "tools", "mkimg.sh"), "--build", build, "-o", img,
                    "--rootfs", rootfs, "--cmdline", "init=/bin/sh"],
                   check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"),
                   stdout=subprocess.DEVNULL)
    return img


# ---------------------------------------------------------------- the guests

class Ctx:
    """What every boot needs: the build directory, logs, image, files, options."""

    def __init__(self, build, workdir, img, files, mem, pcap, profile=False, loss=None,
                 seed=netloss.SEED):
        self.build, self.workdir, self.img, self.mem, self.pcap = build, workdir, img, mem, pcap
        self.profile = profile
        self.loss, self.seed = loss, seed      # the iperf3 boots' relay (None: a clean wire)
        self.files = {"/" + rel: v for rel, v in files.items()}


def kestrel(ctx, wire, nic, name):
    """Kestrel's guest (not started) on side 0 of wire, its console as a shell."""
    vars_fd = os.path.join(ctx.workdir, name + ".vars.fd")
    shutil.copyfile(netpeer.OVMF_VARS, vars_fd)
    argv = [netpeer.QEMU, "-machine", "q35", "-m", ctx.mem, "-nodefaults", "-display", "none",
            "-vga", "std", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={netpeer.OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_fd}",
            "-drive", f"format=raw,file={ctx.img},snapshot=on", "-serial", "stdio"] + \
        netpeer.kestrel_netdev_args(wire, nic=nic)
    if ctx.pcap:
        argv += ["-object", f"filter-dump,id=f0,netdev=net0,"
                            f"file={os.path.join(ctx.workdir, name + '.pcap')}"]
    if ctx.profile and name.startswith("iperf-"):
        elf = os.path.join(ctx.build, "kernel.elf")
        plugin = profile.build_plugin(ctx.workdir)
        mark = profile.symbol_address(elf, profile.MARK_FUNCTION)
        argv += ["-plugin", f"{plugin},out={profile_counts(ctx, name)},mark={mark:x}"]
    return nettest.Kestrel(name, argv, os.path.join(ctx.workdir, name + ".log"))


def profile_counts(ctx, name):
    return os.path.join(ctx.workdir, name + ".counts")


def profile_report(ctx, name):
    """With --profile: where Kestrel's instructions went in each iperf3 run,
    between the marks of the syncs around them (send, then receive)."""
    path = profile_counts(ctx, name)
    if not os.path.exists(path):
        log(f"net: {name}: no profile counts")
        return
    marks = profile.marks(profile.read_snapshots(path))
    addrs, names = profile.kernel_symbols(os.path.join(ctx.build, "kernel.elf"))
    for what, (a, b) in zip(("sending", "receiving"), zip(marks, marks[1:])):
        log(f"net: {name}: Kestrel {what}:")
        user, funcs = profile.fold(profile.between(a, b), addrs, names)
        profile.report(user, funcs, 25)


def peer(ctx, wire, nic, name, script, side=1, mac=netpeer.PEER_MAC):
    """A Linux guest (not started) with the files, running script."""
    return netpeer.LinuxPeer(ctx.build, script, nic=LINUX_NIC.get(nic, nic), wire=wire, side=side, mac=mac,
                             files=ctx.files, logdir=ctx.workdir, name=name, mem=ctx.mem,
                             lifetime=PEER_LIFETIME, ipv6=True)


def server_script(then=()):
    """The peer as the server (10.0.2.2): every server up, ready, then the lines
    of then, then it stays."""
    return "\n".join([f"{N} setup {NAMES['linux']} || exit 1",
                      f"{N} addr {LINUX_IP}/{PREFIX} || exit 1",
                      f"{N} addr6 {LINUX_IP6}/{PREFIX6} || exit 1",
                      f"{N} servers", "netpeer_ready servers"] + list(then) +
                     ["netpeer_serve"]) + "\n"


def wait_http(host):
    return f"netpeer_retry {CLIENT_TIMEOUT} /usr/bin/curl -sf -o /dev/null http://{host}/ready"


def kestrel_up(k):
    """Kestrel's prompt, then setup and the address as the stand-in's: the prompt's time."""
    k.expect("shell prompt", nettest.PROMPT, BOOT_TIMEOUT)
    at = k.at
    k.must(f"{N} setup {NAMES['kestrel']}")
    k.must(f"{N} addr {KESTREL_IP}/{PREFIX} {LINUX_IP}")
    k.must(f"{N} addr6 {KESTREL_IP6}/{PREFIX6}")
    return at


def parse(lines):
    """The check lines ({name: (ok, ms, detail)}), values ({name: value}) and the
    ip sections ({'ip-addr': [lines], 'ip-route': [lines]}) among console lines."""
    checks, values, ip, cur = {}, {}, {}, None
    for line in lines:
        line = line.replace("\r", "")
        m = CHECK.search(line)
        if m:
            checks[m.group(1)] = (m.group(2) == "ok", int(m.group(3)), m.group(4).strip())
            continue
        m = re.search(r"netconf: (ip-addr|ip-route)-(begin|end)$", line)
        if m:
            cur = m.group(1) if m.group(2) == "begin" else None
            if cur:
                ip[cur] = []
            continue
        if cur:
            ip[cur].append(line)
            continue
        m = VALUE.search(line)
        if m:
            values[m.group(1)] = m.group(2).strip()
    return checks, values, ip


def peer_lines(p):
    return [line for _, line in list(p.lines)]


# ---------------------------------------------------------------- results

class Results:
    """The checks' verdicts in order, printed as they come."""

    def __init__(self):
        self.rows = []

    def add(self, name, ok, detail):
        self.rows.append(dict(name=name, ok=ok, detail=detail))
        log(f"{'PASS' if ok else 'FAIL'} net/{name}: {detail}")

    def counts(self):
        passed = sum(1 for r in self.rows if r["ok"])
        return passed, len(self.rows) - passed


def judge_client(res, nic, client, server, checks, srv_values, why):
    """The verdicts of one side's client checks against the other's servers."""
    for c in CLIENT_CHECKS:
        name = f"{nic}/{c}-{client}-client"
        if c not in checks:
            res.add(name, False, why or "no check line")
            continue
        ok, ms, detail = checks[c]
        if ok and c in EXCHANGES:
            got = srv_values.get(f"srv-{c}")
            if got is None:
                ok, detail = False, f"{detail}; {server} never reported what its server got"
            elif got.strip() != f"{c}-hello":
                ok, detail = False, f"{detail}; {server}'s server got '{got}', not '{c}-hello'"
            else:
                detail = f"reply '{detail}', {server} got '{got.strip()}'"
        res.add(name, ok, f"{detail} ({ms} ms)")


def functional(ctx, nic, res, ip_seen):
    """The functional boot (functional_boot), once more when the first
    brought no check line at all (a guest that did not boot: Linux under
    TCG on a loaded host now and then panics in its timer check), and the
    verdicts."""
    got = functional_boot(ctx, nic, ip_seen, f"func-{nic}")
    if got[4] and not got[0] and not got[2]:
        log(f"net: {nic}: the functional boot brought no check ({got[4].splitlines()[0]}); "
            "once more")
        got = functional_boot(ctx, nic, ip_seen, f"func-{nic}-again")
    kchecks, kvalues, lchecks, lvalues, why = got
    judge_client(res, nic, "kestrel", "Linux", kchecks, lvalues, why)
    judge_client(res, nic, "linux", "Kestrel", lchecks, kvalues, why)
    if why:
        res.add(f"{nic}/functional-boot", False, why)


def functional_boot(ctx, nic, ip_seen, name):
    """One boot of each guest on a wire: Linux's servers and Kestrel's clients,
    then Kestrel's servers and Linux's clients. Kestrel's ip output goes
    into ip_seen[nic]['kestrel']. (Kestrel's checks, its values, Linux's
    checks, its values, what went wrong or None)."""
    script = server_script([wait_http(KESTREL_IP), f"{N} report",
                            f"{N} client {KESTREL_IP} {NAMES['kestrel']} {KESTREL_IP6}",
                            "netpeer_value client-done 1"])
    kchecks, kvalues, lchecks, lvalues, why = {}, {}, {}, {}, None
    t0 = time.monotonic()
    try:
        with netpeer.Wire() as wire, peer(ctx, wire, nic, name + ".peer", script) as lp, \
                kestrel(ctx, wire, nic, name) as k:
            try:
                prompt = kestrel_up(k)
                _, out, _ = k.run(f"{N} ipshow", CMD_TIMEOUT)
                ip_seen.setdefault(nic, {})["kestrel"] = parse(out)[2]
                lp.wait_ready("servers", BOOT_TIMEOUT)
                _, out, secs = k.run(f"{N} client {LINUX_IP} {NAMES['linux']} {LINUX_IP6}",
                                     CLIENT_TIMEOUT)
                kchecks = parse(out)[0]
                log(f"net: {nic}: Kestrel's prompt at {prompt:.0f} s, its clients took {secs:.0f} s")
                k.must(f"{N} servers", CMD_TIMEOUT)
                lp.wait_value("client-done", CLIENT_TIMEOUT)
                _, out, _ = k.run(f"{N} report", CMD_TIMEOUT)
                kvalues = parse(out)[1]
            except (nettest.CaseFailed, netpeer.PeerError) as e:
                why = str(e)
            finally:
                lchecks, lvalues, _ = parse(peer_lines(lp))
                if not k.running():
                    why = why or f"Kestrel's QEMU ended; log {k.logpath}"
                panic = nettest.never_lines(k)
                why = f"{panic}; {why}" if panic and why else why or panic
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        why = f"cannot run: {type(e).__name__}: {e}"
    log(f"net: {nic}: functional boot {time.monotonic() - t0:.0f} s, logs "
        f"{os.path.relpath(os.path.join(ctx.workdir, name), TOP)}.log and .peer.log")
    return kchecks, kvalues, lchecks, lvalues, why


@contextlib.contextmanager
def iperf_wire(ctx):
    """The iperf3 boots' wire: (wire, None) on netpeer's clean one, or with
    ctx.loss (wire, relay) on netloss.py's, its relay started."""
    if ctx.loss is None:
        with netpeer.Wire() as wire:
            yield wire, None
        return
    with netrelay.RelayWire() as wire, \
            netloss.relay_for(wire, ctx.loss, ctx.seed, netloss.REORDER, netloss.DUP) as relay:
        yield wire, relay


def relay_verdict(stats, loss):
    """None when the relay's counts show it in the path at the rate asked
    (frames in each way, and with loss above 0 some dropped each way),
    else what is wrong: a run that never met the loss is not its figure."""
    if not stats:
        return "the relay gave no counts"
    for way in ("0>1", "1>0"):
        c = stats.get(way) or {}
        if not c.get("in"):
            return f"the relay saw no frame {way}"
        if loss > 0 and not c.get("drop"):
            return f"the relay dropped nothing {way} at {loss:g}% loss"
    return None


RETRANS = re.compile(r"MiB/s, (\d+) retransmitted")


def iperf_name(ctx, nic, who, i):
    loss = "" if ctx.loss is None else f"loss{ctx.loss:g}-"
    return f"iperf-{loss}{nic}-{who}-{i}"


def iperf_round(ctx, nic, who, i, ip_seen):
    """One boot of the pair (who: 'kestrel' or 'standin', the client on side 0,
    Linux the server on side 1): ({'send': MiB/s, 'recv': MiB/s}, {'send':
    the sender's retransmissions, 'recv': ...} where iperf3 gave them, the
    reason it failed or None, the boot's name)."""
    name = iperf_name(ctx, nic, who, i)
    checks, why, stats = {}, None, None
    try:
        with iperf_wire(ctx) as (wire, relay), \
                peer(ctx, wire, nic, name + ".peer", server_script()) as lp:
            if who == "kestrel":
                with kestrel(ctx, wire, nic, name) as k:
                    try:
                        kestrel_up(k)
                        lp.wait_ready("servers", BOOT_TIMEOUT)
                        iperf = f"{N} iperf {LINUX_IP}"
                        if ctx.profile:   # the plugin's marks: before, between, after
                            iperf = f"sync; PROFILE_MARK=sync {iperf}; sync"
                        _, out, _ = k.run(iperf, CMD_TIMEOUT * 3)
                        checks = parse(out)[0]
                    except (nettest.CaseFailed, netpeer.PeerError) as e:
                        why = str(e)
                    why = why or nettest.never_lines(k)
            else:
                script = "\n".join([f"{N} setup {NAMES['standin']} || exit 1",
                                    f"{N} addr {KESTREL_IP}/{PREFIX} {LINUX_IP} || exit 1",
                                    f"{N} addr6 {KESTREL_IP6}/{PREFIX6} || exit 1",
                                    f"{N} ipshow", wait_http(LINUX_IP), f"{N} iperf {LINUX_IP}",
                                    "netpeer_value iperf-done 1"]) + "\n"
                with peer(ctx, wire, nic, name, script, side=0, mac=netpeer.KESTREL_MAC) as sb:
                    try:
                        sb.wait_value("iperf-done", BOOT_TIMEOUT + CMD_TIMEOUT * 3)
                    except netpeer.PeerError as e:
                        why = str(e)
                    checks, _, ip = parse(peer_lines(sb))
                    if ip:
                        ip_seen.setdefault(nic, {}).setdefault("linux", ip)
            if relay:
                stats = relay.stats()
                log(f"net: {name}: relay {netrelay.summary(stats)}")
                why = why or relay_verdict(stats, ctx.loss)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        why = f"cannot run: {type(e).__name__}: {e}"
    if ctx.profile and who == "kestrel":
        profile_report(ctx, name)
    got, retr = {}, {}
    for d in ("send", "recv"):
        c = checks.get(f"iperf3-{d}")
        m = re.match(r"([\d.]+) MiB/s", c[2]) if c and c[0] else None
        if m:
            got[d] = float(m.group(1))
            r = RETRANS.search(c[2])
            if r:
                retr[d] = int(r.group(1))
            log(f"net: {name}: {d}: {c[2]}")
        else:
            why = why or f"iperf3-{d}: {c[2] if c else 'no check line'}"
    return got, retr, why, name


def throughput(ctx, nic, rounds, res, ip_seen):
    """rounds boots of each pair, alternating; {who: {'send': [...], 'recv': [...]}}."""
    figs = {who: {"send": [], "recv": [], "send-retrans": [], "recv-retrans": []}
            for who in ("kestrel", "standin")}
    for i in range(1, rounds + 1):
        for who in ("kestrel", "standin"):
            got, retr, why, name = iperf_round(ctx, nic, who, i, ip_seen)
            if why:     # a guest that did not boot, or a run cut short: once more
                log(f"net: {name}: {why.splitlines()[0]}; once more")
                got, retr, why, name = iperf_round(ctx, nic, who, f"{i}-again", ip_seen)
            if why:     # a run that failed twice gives no figure to the medians
                got, retr = {}, {}
            for d, v in got.items():
                figs[who][d].append(v)
                figs[who][d + "-retrans"].append(retr.get(d))
            log(f"net: {name}: " + (", ".join(f"{d} {v:.2f} MiB/s ({retr.get(d, '?')} retrans)"
                                              for d, v in got.items())
                                    or "no figures") + (f" ({why})" if why else ""))
    loss = "" if ctx.loss is None else f"-loss{ctx.loss:g}"
    for who, pair in (("kestrel", "Kestrel-Linux"), ("standin", "Linux-Linux")):
        f = figs[who]
        ok = len(f["send"]) == rounds and len(f["recv"]) == rounds
        detail = ", ".join(f"{what} median {statistics.median(f[d]):.2f} MiB/s "
                           f"[{' '.join(f'{v:.2f}' for v in f[d])}] retrans "
                           f"[{' '.join(str(v) if v is not None else '?' for v in f[d + '-retrans'])}]"
                           for d, what in (("send", "to Linux"), ("recv", "from Linux")) if f[d])
        res.add(f"{nic}/iperf3-{pair}{loss}", ok,
                (detail or "no figures") + ("" if ok else f"; {rounds} rounds wanted, see logs"))
    return figs


# ---------------------------------------------------------------- ip addr and ip route

LINK = re.compile(r"^(\d+): ([^:@]+)(?:@\S+)?: <([^>]*)> (.*)$")


ADDR_KEYS = ("brd", "scope", "peer", "metric")


def flat_addr(lines):
    """`ip addr`'s lines as {field: value}, field by field: 'eth0 mtu',
    'eth0 flags', 'eth0 link' (type, address, brd), 'eth0 inet 10.0.2.15/24'
    (present), its 'brd', 'scope', 'flags' (the other words, the label
    last) and 'lifetimes' (the valid_lft line)."""
    flat, iface, addr = {}, None, None
    for line in lines:
        w, m = line.split(), LINK.match(line.strip())
        if m:
            iface, addr = m.group(2), None
            flat[f"{iface} index"] = m.group(1)
            flat[f"{iface} flags"] = ",".join(sorted(m.group(3).split(",")))
            rest = m.group(4).split()
            flat.update({f"{iface} {k}": v for k, v in zip(rest[::2], rest[1::2])})
        elif not w or iface is None:
            continue
        elif w[0].startswith("link/"):
            flat[f"{iface} link"] = " ".join(w)
        elif w[0] in ("inet", "inet6"):
            addr = f"{iface} {w[0]} {w[1]}"
            flat[addr] = "present"
            words, i = [], 2
            while i < len(w):
                if w[i] in ADDR_KEYS and i + 1 < len(w):
                    flat[f"{addr} {w[i]}"] = w[i + 1]
                    i += 2
                else:
                    words.append(w[i])
                    i += 1
            flat[f"{addr} flags"] = " ".join(words)
        elif w[0] == "valid_lft" and addr:
            flat[f"{addr} lifetimes"] = " ".join(w)
    return flat


def compare_ip(res, nic, seen):
    """Kestrel's `ip addr` and `ip route` field by field against the stand-in's."""
    k, lx = seen.get("kestrel"), seen.get("linux")
    for what in ("ip-addr", "ip-route"):
        name = f"{nic}/{what}"
        if not k or what not in k or not lx or what not in lx:
            res.add(name, False, f"no output from {'Kestrel' if not k or what not in k else 'Linux'}")
            continue
        if what == "ip-addr":
            a, b = flat_addr(k[what]), flat_addr(lx[what])
        else:
            a = {" ".join(line.split()): "present" for line in k[what] if line.strip()}
            b = {" ".join(line.split()): "present" for line in lx[what] if line.strip()}
        diff = [f"{key}: Kestrel '{a.get(key, '-')}', Linux '{b.get(key, '-')}'"
                for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]
        if diff:
            res.add(name, False, f"{len(diff)} of {len(set(a) | set(b))} fields differ: " +
                    "; ".join(diff))
        else:
            res.add(name, True, f"{len(a)} fields as Linux's: " +
                    " | ".join(line.strip() for line in k[what] if "inet " in line
                               or what == "ip-route"))


# ---------------------------------------------------------------- main

def table(figs):
    out = [f"{'NIC':<16} {'pair':<14} {'to Linux MiB/s':>16} {'from Linux MiB/s':>18}  boots"]
    for nic, f in figs.items():
        for who, pair in (("kestrel", "Kestrel-Linux"), ("standin", "Linux-Linux")):
            med = [f"{statistics.median(f[who][d]):.2f}" if f[who][d] else "-"
                   for d in ("send", "recv")]
            out.append(f"{nic:<16} {pair:<14} {med[0]:>16} {med[1]:>18}  "
                       f"{len(f[who]['send'])}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--nic", default=",".join(NICS))
    ap.add_argument("--rounds", type=int, default=3, help="iperf3 boots of each pair per NIC")
    ap.add_argument("--only", choices=("functional", "iperf"))
    ap.add_argument("--mem", default=MEM)
    ap.add_argument("--pcap", action="store_true", help="keep Kestrel's frames (NAME.pcap)")
    ap.add_argument("--profile", action="store_true",
                    help="where Kestrel's instructions go in the iperf3 runs (TCG plugin)")
    ap.add_argument("--loss", type=float, default=None,
                    help="the iperf3 boots through netloss.py's relay at this percent loss")
    ap.add_argument("--seed", type=int, default=netloss.SEED, help="the relay's seed (--loss)")
    args = ap.parse_args()
    if args.loss is not None and not 0 <= args.loss <= 100:
        ap.error(f"--loss {args.loss:g}: a percentage, 0 to 100")
    # SIGTERM (make's time limit, timeout(1)) leaves through sys.exit, so that
    # netpeer's atexit stops every QEMU this run started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    nics = args.nic.split(",")
    for nic in nics:
        if nic not in NICS:
            ap.error(f"--nic {nic}: one of {', '.join(NICS)}")
    build = os.path.abspath(args.build)
    for f in ("BOOTX64.EFI", "kernel.elf", "rootfs.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            log(f"net: no {build}/{f}: run make first")
            return 1
    workdir = os.path.join(build, "conformance", "net")
    os.makedirs(workdir, exist_ok=True)
    try:
        tree = package_tree(build)
        netpeer.linux_files(build)
    except (Unavailable, subprocess.CalledProcessError) as e:
        log(f"SKIP net: the packages or Linux cannot be had: {e}")
        return EXIT_UNAVAILABLE
    files = netconf_files(tree, workdir)
    img = kestrel_image(build, workdir, files)
    log(f"net: {len(files)} files ({sum(len(d) for _, d in files.values()) >> 20} MiB) from "
        f"{len(PACKAGES)} packages, image {os.path.getsize(img) >> 20} MiB, logs in "
        f"{os.path.relpath(workdir, TOP)}/")
    ctx = Ctx(build, workdir, img, files, args.mem, args.pcap, args.profile, args.loss, args.seed)
    if args.loss is not None:
        log(f"net: the iperf3 boots through the relay: {args.loss:g}% loss, "
            f"{netloss.REORDER:.0%} reordered, {netloss.DUP:.0%} duplicated, seed {args.seed}")
    res, ip_seen, figs = Results(), {}, {}
    for nic in nics:
        if args.only in (None, "iperf"):
            figs[nic] = throughput(ctx, nic, args.rounds, res, ip_seen)
        if args.only in (None, "functional"):
            functional(ctx, nic, res, ip_seen)
            if args.only is None:
                compare_ip(res, nic, ip_seen.get(nic, {}))
    if figs:
        log("iperf3, receiver's MiB/s, median of the boots (Kestrel's column: Kestrel "
            "sending to Linux, and receiving from it)")
        for line in table(figs):
            log(line)
    for f in os.listdir(workdir):       # each Kestrel boot's copy of OVMF's variables
        if f.endswith(".vars.fd"):
            os.unlink(os.path.join(workdir, f))
    with open(os.path.join(build, "conformance", "net.json"), "w") as f:
        json.dump(dict(checks=res.rows, iperf=figs, ip=ip_seen), f, indent=1, sort_keys=True)
    passed, failed = res.counts()
    log(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
