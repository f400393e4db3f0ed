#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The pages of docs/results/ render as expected (tools/results_md.py).

For each KIND (bench, conformance, ltp): tests/tools/results/KIND.json, a small run's
JSON written by hand, rendered through results_md.py's command line into a
temporary file, must equal tests/tools/results/KIND.md line for line. A self-test
first changes one figure of each fixture and checks the comparison then fails,
so a render that ignored its input could not pass. One line per check, then
"N passed, N failed"; exit 1 on any failure.

After changing a render on purpose, write the expected pages again with
    python3 tools/results_md.py KIND tests/tools/results/KIND.json tests/tools/results/KIND.md
and read the diff before committing it.
"""
import difflib
import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(TOP, "tests", "tools", "results")
KINDS = ("bench", "conformance", "ltp")
sys.path.insert(0, os.path.join(TOP, "tools"))
import results_md  # noqa: E402


def render_cli(kind, data):
    """The page results_md.py's command line writes from DATA (a dict)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.json"), os.path.join(tmp, "out.md")
        with open(src, "w") as f:
            json.dump(data, f)
        r = subprocess.run([sys.executable, os.path.join(TOP, "tools", "results_md.py"),
                            kind, src, out], capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip()
        return open(out).read(), ""


def differs(kind, data):
    """Why DATA's page is not the expected one, or "" when it is."""
    got, err = render_cli(kind, data)
    if got is None:
        return f"results_md.py failed: {err}"
    want = open(os.path.join(HERE, kind + ".md")).read()
    if got == want:
        return ""
    diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "rendered",
                                lineterm="", n=0)
    return "; ".join(list(diff)[2:8])


def mutate(kind, data):
    """DATA with one figure changed: its page must no longer match."""
    data = json.loads(json.dumps(data))
    if kind == "bench":
        data["modes"]["icount"]["metrics"][0]["kestrel"]["median"] += 1
    elif kind == "conformance":
        data["binaries"][0]["passed"] -= 1
    else:
        data["totals"]["kestrel"]["pass"] += 1
    return data


def main():
    passed = failed = 0

    def verdict(ok, name, why):
        nonlocal passed, failed
        print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
        passed, failed = passed + ok, failed + (not ok)

    for kind in KINDS:
        data = json.load(open(os.path.join(HERE, kind + ".json")))
        verdict(bool(differs(kind, mutate(kind, data))), f"results-md/self-test {kind}",
                "a fixture with a figure changed still renders the expected page")
        why = differs(kind, data)
        verdict(not why, f"results-md/{kind}", why)
        page = os.path.relpath(results_md.page_path(kind, data, TOP), TOP)
        want = dict(bench="docs/results/bench.md", conformance="docs/results/conformance.md",
                    ltp="docs/results/ltp.md")[kind]
        verdict(page == want, f"results-md/page {kind}", f"page {page}, not {want}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
