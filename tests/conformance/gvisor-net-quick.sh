#!/bin/sh
# SPDX-License-Identifier: MIT
# make test's network conformance step: the programs of gVisor's loopback
# network set (tests/conformance/gvisor-net) that pass on Kestrel as fully
# as on Linux 6.1 in the same QEMU; gvisor-quick.sh's "net" variant.
#
#     tests/conformance/gvisor-net-quick.sh [BUILD] [--build-only]     (default build)
exec "$(dirname "$0")/gvisor-quick.sh" "${1:-build}" net ${2:+"$2"}
