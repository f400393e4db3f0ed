#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Record in a Kestrel loader the SHA-256 of the kernel and rootfs it will
load, and its signed command line (efi-loader/measure.h: the .measure PE
section). Sign the result afterwards: signing covers the record, so under
Secure Boot the loader refuses any other kernel, rootfs or init.

    measure.py --loader BOOTX64.EFI --kernel kernel.elf --rootfs rootfs.cpio
               [--cmdline "..."] -o OUT.EFI
"""
import argparse
import hashlib
import struct
import sys

SECTION = b".measure"  # PE section names hold 8 bytes
MAGIC = b"KESTREL-MEASURE\0"
VERSION = 1
RECORDED = 1
CMDLINE_MAX = 4096          # KBI_CMDLINE_MAX
# offsets in the record (measure.h)
OFF_VERSION, OFF_FLAGS, OFF_KERNEL, OFF_ROOTFS, OFF_CMDLEN, OFF_CMDLINE = 16, 20, 24, 56, 88, 96
RECORD_SIZE = OFF_CMDLINE + CMDLINE_MAX
PE_OFFSET_AT = 0x3c         # e_lfanew in the DOS header
COFF_SIZE = 20              # the COFF file header after "PE\0\0"
SECTION_HEADER_SIZE = 40


def die(msg):
    print(f"measure: {msg}", file=sys.stderr)
    sys.exit(1)


def file_sha256(path):
    """The file's digest, read in pieces (a rootfs may be hundreds of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            h.update(piece)
    return h.digest()


def record_offset(pe):
    """File offset of the .measure section's record, checked."""
    if pe[:2] != b"MZ":
        die("the loader is not a PE image")
    (pe_off,) = struct.unpack_from("<I", pe, PE_OFFSET_AT)
    if pe[pe_off:pe_off + 4] != b"PE\0\0":
        die("no PE signature")
    nsec, = struct.unpack_from("<H", pe, pe_off + 6)
    opt_size, = struct.unpack_from("<H", pe, pe_off + 20)
    table = pe_off + 4 + COFF_SIZE + opt_size
    for i in range(nsec):
        hdr = table + i * SECTION_HEADER_SIZE
        name = pe[hdr:hdr + 8].rstrip(b"\0")
        raw_size, raw_ptr = struct.unpack_from("<II", pe, hdr + 16)
        if name != SECTION:
            continue
        if raw_size < RECORD_SIZE or raw_ptr + RECORD_SIZE > len(pe):
            die(".measure section too small")
        if pe[raw_ptr:raw_ptr + len(MAGIC)] != MAGIC:
            die(".measure section without the record's magic")
        if struct.unpack_from("<I", pe, raw_ptr + OFF_VERSION)[0] != VERSION:
            die(f".measure record is not version {VERSION}")
        return raw_ptr
    die("the loader has no .measure section (built before Secure Boot support?)")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--cmdline", default="")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    cmdline = args.cmdline.encode()
    if len(cmdline) >= CMDLINE_MAX or b"\0" in cmdline:
        die(f"the command line must be under {CMDLINE_MAX} bytes, without NUL")
    with open(args.loader, "rb") as f:
        pe = bytearray(f.read())
    off = record_offset(pe)
    struct.pack_into("<I", pe, off + OFF_FLAGS, RECORDED)
    pe[off + OFF_KERNEL:off + OFF_KERNEL + 32] = file_sha256(args.kernel)
    pe[off + OFF_ROOTFS:off + OFF_ROOTFS + 32] = file_sha256(args.rootfs)
    struct.pack_into("<I", pe, off + OFF_CMDLEN, len(cmdline))
    pe[off + OFF_CMDLINE:off + RECORD_SIZE] = cmdline.ljust(CMDLINE_MAX, b"\0")
    with open(args.output, "wb") as f:
        f.write(pe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
