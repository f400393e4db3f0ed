#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The manual names only what exists.

    check_docs.py [--top DIR] [FILE.md...]

For README.md and every docs/*.md (or the files named):
  - every relative link ([text](path)) leads to a file or directory;
  - every source path in backquotes (`kernel/net/tcp.h`, `net/tcp_sock.c`,
    `tests/boot/boottest.py`, a glob such as `net/tcp_*.c`) names a file
    of the tree, from the top or from one of the directories the manual
    names paths relative to (kernel/, efi-loader/, rootfs/src/...);
  - every `make TARGET` (in backquotes or an indented command line; with
    -C DIR, DIR's Makefile) is a target its Makefile has;
  - every word in docs/cmdline.md's table is one the kernel or the loader
    parses (a string literal of kernel/boot_cmdline.c, the loader or
    shared/cmdline.c).

Prints PASS or FAIL per file and per check kind, a reason per failure,
and "N passed, N failed".
"""
import argparse
import glob
import os
import re
import sys

# Where a path in the manual may be relative to: the top, then the
# directories whose files the manual names without their prefix.
ROOTS = ["", "kernel/", "efi-loader/", "rootfs/src/", "rootfs/", "tests/", "shared/"]
# A backquoted word is a source path when it has a slash and ends so.
PATH_END = re.compile(r"\.(c|h|S|py|sh|md|mk|txt|ld|json|svg|cpio|lds)$|/$")
# Words with these starts are paths on the guest or in the build
# directory, not in the tree.
NOT_TREE = ("/", "build/", "$(B)", "B/", "~", "../shared/", "DIR/", "BUILD/")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
BACKQUOTED = re.compile(r"`([^`\n]+)`")
# A make command: in backquotes, or an indented command line.
MAKE_QUOTED = re.compile(r"`make\s+([^`\n]*)`")
MAKE_LINE = re.compile(r"^ {4,}make\s+(.*)$", re.M)
# A placeholder in a path (fuzz_NAME.c, cpuN/) stands for many files.
PLACEHOLDER = re.compile(r"[/_-][A-Z]+(?=[._/-]|$)|[a-z]N/$")
# Top-level directories of the tree: a directory named with a trailing
# slash is checked only when it starts with one (others are the guest's).
TREE_DIRS = ("kernel/", "tests/", "tools/", "efi-loader/", "rootfs/", "shared/", "docs/", "vdso/")
CMDLINE_SOURCES = ["kernel/boot_cmdline.c", "shared/cmdline.c"]


def tree_path_exists(top, word):
    """Is word (maybe a glob) a file or directory of the tree under a root?"""
    for root in ROOTS:
        p = os.path.join(top, root, word)
        if glob.glob(p):
            return True
    return False


def check_links(top, path, text):
    """(links checked, failures)."""
    bad, n = [], 0
    for m in LINK.finditer(text):
        target = m.group(1).split("#")[0]
        if not target or re.match(r"^[a-z]+:", target):
            continue  # an anchor on the same page, or a URL
        n += 1
        if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), target))):
            bad.append(f"link to {target} leads nowhere")
    return n, bad


def candidate_paths(text):
    for m in BACKQUOTED.finditer(text):
        for word in m.group(1).split():
            word = word.strip("(),;:'\"")
            if "/" not in word or "://" in word or not PATH_END.search(word):
                continue
            if word.startswith(NOT_TREE) or "=" in word or "\\" in word or "$" in word:
                continue
            if PLACEHOLDER.search(word) or (word.endswith("/") and not word.startswith(TREE_DIRS)):
                continue
            yield word


def check_paths(top, text):
    words = sorted(set(candidate_paths(text)))
    return len(words), [f"path {w} is not in the tree" for w in words if not tree_path_exists(top, w)]


def makefile_targets(makefile):
    """The targets a Makefile defines (explicit rules and .PHONY)."""
    targets = set()
    try:
        lines = open(makefile, encoding="utf-8").read().splitlines()
    except OSError:
        return None
    for line in lines:
        m = re.match(r"^([A-Za-z0-9_./$()%-][^:=\s]*(?:\s+[^:=\s]+)*)\s*::?(?!=)", line)
        if m and not line.startswith("\t"):
            targets.update(m.group(1).split())
        if line.startswith(".PHONY:"):
            targets.update(line.split(":", 1)[1].split())
    return targets


def make_invocations(text):
    """(directory, target) of each `make ...` the text shows; target None
    for a bare make (the default goal)."""
    for m in list(MAKE_QUOTED.finditer(text)) + list(MAKE_LINE.finditer(text)):
        words = m.group(1).split()
        d, target, i = "", None, 0
        while i < len(words):
            w = words[i]
            if w == "-C" and i + 1 < len(words):
                d = words[i + 1]
                i += 2
                continue
            if w.startswith("-") or "=" in w or w.startswith("[") or w.startswith("#"):
                i += 1
                continue
            target = w.strip(".,;:)")
            break
        if target and re.match(r"^[a-z][a-z0-9_./-]*$", target):
            yield d, target


def check_make(top, text):
    bad = []
    cache = {}
    calls = list(make_invocations(text))
    for d, target in calls:
        mk = os.path.join(top, d, "Makefile")
        if mk not in cache:
            cache[mk] = makefile_targets(mk)
        targets = cache[mk]
        if targets is None:
            bad.append(f"make -C {d}: no Makefile there")
        elif target not in targets and not any(t.endswith("/" + target) for t in targets):
            bad.append(f"make {target}: {os.path.relpath(mk, top)} has no such target")
    return len(calls), sorted(set(bad))


def cmdline_words(text):
    """The words of the command-line table: the first cell of each row."""
    for line in text.splitlines():
        m = re.match(r"^\|\s*`([a-z_][a-z0-9_]*)", line)
        if m:
            yield m.group(1)


def check_cmdline(top, text):
    sources = CMDLINE_SOURCES + sorted(glob.glob(os.path.join(top, "efi-loader", "*.c")))
    body = ""
    for s in sources:
        p = s if os.path.isabs(s) else os.path.join(top, s)
        body += open(p, encoding="utf-8").read()
    words = sorted(set(cmdline_words(text)))
    return len(words), [f"command-line word {w} is parsed nowhere" for w in words if f'"{w}' not in body]


def self_test(top):
    """Each check finds what it is for in a page made to fail, and
    passes the same page mended: the checks can fail."""
    bad_page = ("[x](no-such-page.md) `kernel/net/no_such_file.c` `make no-such-target`\n"
                "| `no_such_word=N` | nothing |\n")
    good_page = ("[x](README.md) `kernel/net/tcp.h` `make test`\n"
                 "| `loglevel=N` | the level |\n")
    here = os.path.join(top, "x.md")
    for page, want in ((bad_page, 1), (good_page, 0)):
        results = [check_links(top, here, page), check_paths(top, page), check_make(top, page),
                   check_cmdline(top, page)]
        if any(n != 1 or len(bad) != want for n, bad in results):
            return f"on a page made to {'fail' if want else 'pass'}: {results}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    top = os.path.abspath(args.top)
    files = args.files or [os.path.join(top, "README.md")] + sorted(glob.glob(os.path.join(top, "docs", "*.md")))
    passed = failed = 0
    why = self_test(top)
    if why:
        failed += 1
        print(f"FAIL docs/self-test: {why}")
    else:
        passed += 1
        print("PASS docs/self-test: each check fails a page made to fail")
    for path in files:
        text = open(path, encoding="utf-8").read()
        name = os.path.relpath(path, top)
        kinds = [("links", check_links(top, path, text)), ("paths", check_paths(top, text)),
                 ("make", check_make(top, text))]
        if os.path.basename(path) == "cmdline.md":
            kinds.append(("cmdline", check_cmdline(top, text)))
        for kind, (n, bad) in kinds:
            if bad:
                failed += 1
                print(f"FAIL docs/{kind} {name}: " + "; ".join(bad))
            else:
                passed += 1
                print(f"PASS docs/{kind} {name} ({n} checked)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
