#!/bin/sh
# Debian's own dynamically linked programs (glibc), one line or two each;
# boottest.py's debian-glibc case boots an image with their packages
# (tools/mkimg.sh --deb) and compares what this prints with what Linux
# prints. busybox's sh runs this; every program is named by its full path
# so that busybox's applets never stand in for Debian's.
t=/tmp/smoke
/bin/mkdir -p $t/a/b && cd $t || exit 1
step() { echo "== $1"; }
step echo; /bin/echo hello from glibc
step ls; echo x > a/b/f; /bin/ls -l --time-style=+T a/b/f
step sort; printf 'b\nc\na\n' | /usr/bin/sort | /usr/bin/tr '\n' ' '; echo
step sha256sum; printf abc | /usr/bin/sha256sum
step cp-mv-ln; /bin/cp -a a c && /bin/mv c/b/f c/g && /bin/ln -s g c/h && /bin/readlink c/h && /bin/ls -1 c
step install-stat; /usr/bin/install -m 640 c/g c/i && /usr/bin/stat -c '%a %s %F' c/i
step df-du; /bin/df / >/dev/null && /usr/bin/du -s a | /usr/bin/cut -f2
step date; /bin/date -u -d @86400 +%F
step bash; /bin/bash -c 'for i in 1 2 3; do echo -n $i; done; x=$(echo sub); echo " $x $((6*7))"; sleep 0.1 & wait $!; echo "waited $?"'
step grep; printf 'x\nfoo\nbar\n' | /bin/grep -n -E 'fo+|ba'
step sed; echo hello | /bin/sed -e s/l/L/g
step gawk; printf '1 2\n3 4\n' | /usr/bin/gawk '{ s += $1 * $2 } END { print "sum", s }'
step find-xargs; /usr/bin/find a -type f | /usr/bin/xargs /bin/cat
step tar-gzip-xz; /bin/tar -cf - a | /bin/gzip -c | /bin/gzip -dc | /usr/bin/xz -c | /usr/bin/xz -dc | /bin/tar -tf - | /usr/bin/sort | /usr/bin/tr '\n' ' '; echo
step diff; echo one > d1; echo two > d2; /usr/bin/diff d1 d2; echo "diff status $?"
step perl; /usr/bin/perl -e 'print join(",", map { $_ * 2 } 1 .. 3), "\n"'
step python3; /usr/bin/python3 -c 'import sys, subprocess; print(sys.version_info[0], subprocess.run(["/bin/echo", "child"], capture_output=True).stdout.decode().strip())'
step json.tool; echo '{"b": [1, 2], "a": null}' | /usr/bin/python3 -m json.tool --sort-keys --compact
step venv; /usr/bin/python3 -m venv --without-pip v && v/bin/python -c 'import sys; print(sys.prefix != sys.base_prefix, sys.prefix)'
step path; /bin/bash -c 'command -v python3 perl'
# Bad shared objects (issue 14): glibc's loader, through dlopen, reports each as on Linux
# (a copy of libz cut short, a text file, no file, a segment whose offset and address
# disagree within a page); each is loaded in a child so a crash would show.
step bad-so; /usr/bin/python3 - <<'PY'
import os, struct, subprocess, sys
lib, d = "/lib/x86_64-linux-gnu/libz.so.1", "/tmp/smoke-so"
os.makedirs(d, exist_ok=True)
data = open(lib, "rb").read()
phoff, phnum = struct.unpack_from("<Q", data, 32)[0], struct.unpack_from("<H", data, 56)[0]
loads = [phoff + 56 * i for i in range(phnum) if struct.unpack_from("<I", data, phoff + 56 * i)[0] == 1]
bad = bytearray(data)
struct.pack_into("<Q", bad, loads[1] + 8, struct.unpack_from("<Q", bad, loads[1] + 8)[0] + 1)
for name, blob in (("short", data[:100]), ("text", b"not an ELF file\n" * 8), ("none", None),
                   ("misaligned", bytes(bad))):
    p = f"{d}/{name}.so"
    if blob is not None:
        open(p, "wb").write(blob)
    r = subprocess.run([sys.executable, "-c", f"import ctypes\ntry: ctypes.CDLL({p!r}); print('loaded')\n"
                        "except OSError as e: print(e)"], capture_output=True, text=True)
    print(f"{name}: " + (r.stdout.strip().replace(d + "/", "") if r.returncode == 0 else f"exit {r.returncode}"))
PY
echo "== debian-smoke: done"
