/* SPDX-License-Identifier: MIT */
/* The vDSO image (vdso/, built by the Makefile), embedded into .rodata with .incbin: proc/vdso.c copies it into the pages every process maps. */

#ifndef VDSO_PATH
#error "VDSO_PATH must name the linked vDSO (the Makefile's $(B)/vdso/vdso.so)"
#endif

	.section .rodata
	.balign 16
	.globl vdso_blob_start
	.type vdso_blob_start, @object
vdso_blob_start:
	.incbin VDSO_PATH
	.globl vdso_blob_end
vdso_blob_end:
	.size vdso_blob_start, vdso_blob_end - vdso_blob_start

	.section .note.GNU-stack, "", @progbits
