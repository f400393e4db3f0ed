# SPDX-License-Identifier: MIT
"""Where a hung guest is: every CPU's backtrace, read through QEMU's monitor.

A boot that stops printing tells nothing by its log. Before the harness
kills QEMU it asks the monitor for each CPU's registers (`cpu N`, `info
registers`), follows the kernel's frame pointers (`x/2gx RBP`: the saved
RBP and the return address) and names each address with addr2line on the
kernel.elf the image was built from. Kernel addresses are the same in
every address space (the upper half is shared), so whichever CR3 a CPU
had, the walk reads the kernel's stack.

Used by fuzzkernel.py (a fuzzer that stalls) and boottest.py (a case that
times out). Nothing here changes the guest: the monitor only reads.
"""
import os
import re
import socket
import subprocess

KERNEL_HALF = 0xffff800000000000
MAX_FRAMES = 12
MAX_CPUS = 16          # the most CPUs a dump walks (boot cases use at most 8)
MONITOR_TIMEOUT = 5    # s for one answer


class Monitor:
    """One connection to a monitor socket; run() returns a command's output
    (without the prompt), or '' once QEMU stops answering."""

    def __init__(self, sock, banner=True):
        """sock: connected to the monitor; banner: its greeting and first
        prompt are still to be read (False for a connection in use)."""
        self.sock = sock
        self.sock.settimeout(MONITOR_TIMEOUT)
        self.dead = False
        if banner:
            self._until_prompt()

    @classmethod
    def connect(cls, path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(MONITOR_TIMEOUT)
            s.connect(path)
            return cls(s)
        except OSError:
            s.close()
            raise

    def _until_prompt(self):
        out = b""
        while not out.endswith(b"(qemu) "):
            data = self.sock.recv(4096)
            if not data:
                raise OSError("the monitor closed")
            out += data
        return out[:-len(b"(qemu) ")].decode(errors="replace")

    def run(self, command):
        if self.dead:
            return ""
        try:
            self.sock.sendall(command.encode() + b"\n")
            return self._until_prompt()
        except OSError:
            self.dead = True
            return ""

    def close(self):
        self.sock.close()


def symbolise(kernel_elf, addr):
    """'0xADDR function' (addr2line's name), or the bare address."""
    if addr < KERNEL_HALF or not os.path.exists(kernel_elf):
        return f"{addr:#x}"
    out = subprocess.run(["addr2line", "-f", "-i", "-s", "-e", kernel_elf, hex(addr)],
                         capture_output=True, text=True).stdout.split()
    places = [f"{fn} {where}" for fn, where in zip(out[0::2], out[1::2])]
    if not places:
        return f"{addr:#x}"
    return f"{addr:#x} {places[0]}" + "".join(f" (inlined in {p})" for p in places[1:])


def cpu_backtrace(mon, kernel_elf):
    """The selected CPU's privilege level and frames, innermost first:
    (cpl, [frame...]), or None when the monitor gave no registers."""
    regs = mon.run("info registers")
    rip, rbp = re.search(r"RIP=([0-9a-f]+)", regs), re.search(r"RBP=([0-9a-f]+)", regs)
    if not rip or not rbp:
        return None
    cpl = re.search(r"CPL=(\d)", regs)
    halted = re.search(r"HLT=(\d)", regs)
    frames = [symbolise(kernel_elf, int(rip.group(1), 16))]
    fp = int(rbp.group(1), 16)
    for _ in range(MAX_FRAMES):
        if fp < KERNEL_HALF or fp & 7:
            break  # not a kernel frame: the chain ends (or the CPU is in ring 3)
        words = re.findall(r"0x([0-9a-f]{16})", mon.run(f"x/2gx {fp:#x}").split(":", 1)[-1])
        if len(words) < 2:
            break
        nxt, ret = int(words[0], 16), int(words[1], 16)
        frames.append(symbolise(kernel_elf, ret))
        if nxt <= fp:
            break
        fp = nxt
    state = f"CPL {cpl.group(1) if cpl else '?'}" + (", halted" if halted and halted.group(1) == "1" else "")
    return state, frames


def cpu_count(mon):
    """How many CPUs `info cpus` lists (1 if it lists none)."""
    return max(1, min(MAX_CPUS, len(re.findall(r"CPU #\d+", mon.run("info cpus")))))


def where_stuck(mon, kernel_elf):
    """Every CPU's backtrace as indented lines, for a failure message."""
    lines = []
    for cpu in range(cpu_count(mon)):
        mon.run(f"cpu {cpu}")
        bt = cpu_backtrace(mon, kernel_elf)
        if bt is None:
            lines.append(f"cpu {cpu}: no answer from the QEMU monitor")
            break
        state, frames = bt
        lines.append(f"cpu {cpu} ({state}): " + "\n        < ".join(frames))
    return "\n      ".join(lines) if lines else "no answer from the QEMU monitor"


def where_stuck_at(path, kernel_elf):
    """where_stuck over a fresh connection to the monitor socket at path."""
    try:
        mon = Monitor.connect(path)
    except OSError as e:
        return f"no QEMU monitor ({e})"
    try:
        return where_stuck(mon, kernel_elf)
    finally:
        mon.close()
