/* SPDX-License-Identifier: MIT */
/* An empty symbol table for the first link pass. */
	.section .ksyms, "a"
	.balign 8
	.globl ksym_count, ksym_table, ksym_names
ksym_count:
	.quad 0
ksym_table:
ksym_names:
	.byte 0
	.section .note.GNU-stack, "", @progbits
