#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A kernel message printed into a program's line is undone (netpeer.split_klog).

The serial console is shared: CI once saw sha256sum's "<digest>  -" cut by
"[   3.749] ipv6: ... (DAD passed)", and net/slirp-e1000e failed with the right
digest on the screen. The lines below are that log's. First a self-test: the
raw lines must not give the digest (else this test could not fail); then the
lines split_klog keeps must give it, and keep the kernel's message whole.
One line per check, then "N passed, N failed"; exit 1 on any failure.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from netpeer import split_klog  # noqa: E402
from nettest import SHA256  # noqa: E402

DIGEST = "9f546726a1f7318c5aa6963985f53c2845bb347e80961abaff39b5b2beb605ce"
KMSG = "[   3.749] ipv6: eth0 fec0::5054:ff:fe12:3456/64 ready (DAD passed)"
CASES = {   # name: (lines as read, the digest's line kept, kernel lines kept)
    "one-cut": ([DIGEST + KMSG, "  -"], 1, 1),
    "two-messages": ([DIGEST + KMSG, "[  12.001] e1000e: eth0 link up", "  -"], 1, 2),
    "cut-at-start": (["[   0.100] x", DIGEST + "  -"], 1, 1),
    "no-cut": ([DIGEST + "  -"], 1, 0),
}


def keep(raw):
    """The lines a Guest keeps from raw, as its reader does."""
    pending, kept = "", []
    for line in raw:
        pending, lines = split_klog(pending, line)
        kept.extend(lines)
    return kept + ([pending] if pending else [])


def digests(lines):
    return [m.group(1) for m in (re.match(SHA256, line.strip()) for line in lines) if m]


def main():
    passed = failed = 0

    def verdict(ok, name, why):
        nonlocal passed, failed
        print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
        passed, failed = passed + ok, failed + (not ok)

    raw = CASES["one-cut"][0]
    verdict(not digests(raw), "console-split/self-test", "the cut lines give a digest as read")
    for name, (lines, want_digest, want_kmsg) in CASES.items():
        kept = keep(lines)
        kmsgs = [line for line in kept if re.match(r"\[ *\d+\.\d{3}\] \S", line)]
        ok = digests(kept) == [DIGEST] * want_digest and len(kmsgs) == want_kmsg
        verdict(ok, f"console-split/{name}", f"kept {kept!r}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
