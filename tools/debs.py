#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Debian packages and their dependencies, unpacked into one tree.

Usage: debs.py --cache DIR --out TREE PACKAGE...

Resolves the closure of the named packages over Pre-Depends and Depends
(not Recommends) with apt-cache, the first alternative of each "a | b" and
the first provider of a virtual package (one already chosen if any),
downloads the .debs missing from DIR with `apt-get download` (no root, no
change to the host) into a scratch directory first, so DIR only ever holds
whole files, and unpacks each with `dpkg-deb -x` into TREE, which
is made afresh only when the set of .debs changed (TREE/.debs lists it).
Documentation and message catalogs (/usr/share/{doc,man,info,lintian,
locale}) are left out of TREE.
Runs at the same time as itself (the boot tests build several images in
parallel from one cache): an exclusive lock on DIR/.lock is held from the
download to the unpacked tree, so no run reads a .deb another is writing or
unpacks into a tree another is replacing.
Exits 3 when the packages cannot be had (no network, unknown name), with
the reason on stderr, so callers can skip rather than fail.
"""
import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

APT_DEPENDS = ["apt-cache", "depends", "--no-recommends", "--no-suggests",
               "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
DEP_KINDS = ("PreDepends:", "Depends:")
DROP = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/lintian",
        "usr/share/locale")
EXIT_UNAVAILABLE = 3


def fail(msg, code=EXIT_UNAVAILABLE):
    print(f"debs: {msg}", file=sys.stderr)
    sys.exit(code)


def parse_depends(text, chosen):
    """Map each package of apt-cache depends TEXT to the names it needs:
    first alternative of each group, virtual names resolved to a provider
    (preferring one in CHOSEN)."""
    deps, pkg, lines = {}, None, text.splitlines()
    alt_open, i = False, 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith(" "):
            pkg, alt_open = line.strip(), False
            deps.setdefault(pkg, [])
            continue
        word = line.split()
        if len(word) < 2 or word[0].lstrip("|") not in DEP_KINDS:
            continue
        name = word[1]
        providers = []
        while i < len(lines) and lines[i].startswith("    "):
            providers.append(lines[i].strip())
            i += 1
        in_group, alt_open = alt_open, word[0].startswith("|")
        if in_group:
            continue            # a later alternative of a group already taken
        if name.startswith("<"):
            if not providers:
                continue        # a virtual name nothing provides: optional
            pick = [p for p in providers if p in chosen]
            name = (pick or providers)[0]
        deps[pkg].append(name.split(":")[0])
    return deps


def closure(names):
    """Every package NAMES need, NAMES included, sorted."""
    chosen, todo = set(), list(names)
    while todo:
        batch = sorted(set(todo) - chosen)
        todo = []
        if not batch:
            break
        chosen.update(batch)
        run = subprocess.run(APT_DEPENDS + batch, capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"apt-cache depends: {run.stderr.strip()}")
        for needs in parse_depends(run.stdout, chosen).values():
            todo.extend(n for n in needs if n not in chosen)
    return sorted(chosen)


def download(pkgs, cache):
    """The .deb file names of PKGS in CACHE, fetching the missing ones."""
    run = subprocess.run(["apt-get", "download", "--print-uris"] + pkgs,
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"apt-get download --print-uris: {run.stderr.strip()}")
    files = sorted(line.split()[1] for line in run.stdout.splitlines() if line.startswith("'"))
    if len(files) != len(pkgs):
        fail("apt-get download --print-uris gave an unexpected answer")
    missing = sorted({f.split("_")[0] for f in files
                      if not os.path.exists(os.path.join(cache, f))})
    if missing:
        print(f"debs: downloading {len(missing)} packages into {cache}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix=".part-", dir=cache) as part:
            run = subprocess.run(["apt-get", "download", "-q"] + missing, cwd=part,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                fail(f"apt-get download: {run.stderr.strip()}")
            for f in os.listdir(part):
                os.rename(os.path.join(part, f), os.path.join(cache, f))
    return files


def unpack(files, cache, out):
    """TREE = every .deb of FILES unpacked, unless it already is."""
    stamp = os.path.join(out, ".debs")
    want = "\n".join(files) + "\n"
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    shutil.rmtree(out, ignore_errors=True)
    tmp = tempfile.mkdtemp(prefix=".debs-", dir=os.path.dirname(os.path.abspath(out)))
    for f in files:
        subprocess.run(["dpkg-deb", "-x", os.path.join(cache, f), tmp], check=True)
    for d in DROP:
        shutil.rmtree(os.path.join(tmp, d), ignore_errors=True)
    with open(os.path.join(tmp, ".debs"), "w") as fh:
        fh.write(want)
    os.rename(tmp, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("packages", nargs="+")
    args = ap.parse_args()
    for tool in ("apt-cache", "apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            fail(f"{tool} is missing (a Debian host is needed)")
    os.makedirs(args.cache, exist_ok=True)
    pkgs = closure(args.packages)
    with open(os.path.join(args.cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        files = download(pkgs, args.cache)
        unpack(files, args.cache, args.out)
    print(f"debs: {len(pkgs)} packages in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
