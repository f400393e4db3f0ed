#!/bin/sh
# SPDX-License-Identifier: MIT
# Turn `nm -n kernel.elf` into an assembly symbol table (text symbols only),
# for the kernel's second link pass. Usage: gensyms.sh NM KERNEL.ELF > ksyms.S
set -eu
nm=$1
elf=$2
"$nm" -n "$elf" | awk '
	BEGIN { n = 0 }
	$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ { addr[n] = $1; name[n] = $3; n++ }
	END {
		print "\t.section .ksyms, \"a\""
		print "\t.balign 8"
		print "\t.globl ksym_count, ksym_table, ksym_names"
		print "ksym_count:\n\t.quad " n
		print "ksym_table:"
		off = 0
		for (i = 0; i < n; i++) {
			printf "\t.quad 0x%s, %d\n", addr[i], off
			off += length(name[i]) + 1
		}
		print "ksym_names:"
		for (i = 0; i < n; i++)
			printf "\t.asciz \"%s\"\n", name[i]
		print "\t.section .note.GNU-stack, \"\", @progbits"
	}'
