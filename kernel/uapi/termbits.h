/* SPDX-License-Identifier: MIT */
/* Linux's terminal ABI: struct termios as TCGETS/TCSETS pass it, its control-character indexes and flag bits. */
#ifndef KESTREL_UAPI_TERMBITS_H
#define KESTREL_UAPI_TERMBITS_H

#include <stdint.h>

/*
 * struct termios as the Linux x86_64 kernel passes it to TCGETS/TCSETS
 * (not glibc's larger one): four flag words, the line discipline number
 * and 19 control characters. A control character of 0 is disabled
 * (_POSIX_VDISABLE).
 */
#define LDISC_NCCS 19
struct termios_k {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LDISC_NCCS];
};
_Static_assert(sizeof(struct termios_k) == 36, "struct termios_k must match Linux's struct termios");

/* struct termios2 of TCGETS2/TCSETS2: the same and the two speeds (baud). */
struct termios2_k {
	struct termios_k t;
	uint32_t c_ispeed, c_ospeed;
};
_Static_assert(sizeof(struct termios2_k) == 44, "struct termios2_k must match Linux's struct termios2");

/* struct termio of the System V requests TCGETA/TCSETA*: the low 16 bits
 * of each flag word, the line discipline and the first 8 control
 * characters (Linux's asm-generic/termios.h, NCC). */
#define TERMIO_NCC 8
struct termio_k {
	uint16_t c_iflag;
	uint16_t c_oflag;
	uint16_t c_cflag;
	uint16_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TERMIO_NCC];
};
_Static_assert(sizeof(struct termio_k) == 18, "struct termio_k must match Linux's struct termio");

/* c_cc indexes */
#define VINTR    0
#define VQUIT    1
#define VERASE   2
#define VKILL    3
#define VEOF     4
#define VTIME    5
#define VMIN     6
#define VSWTC    7
#define VSTART   8
#define VSTOP    9
#define VSUSP    10
#define VEOL     11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE  14
#define VLNEXT   15
#define VEOL2    16

/* c_iflag */
#define ISTRIP  0000040
#define INLCR   0000100
#define IGNCR   0000200
#define ICRNL   0000400
#define IXON    0002000
#define IMAXBEL 0020000
#define IUTF8   0040000

/* c_oflag */
#define OPOST   0000001
#define ONLCR   0000004
#define OCRNL   0000010
#define ONOCR   0000020
#define ONLRET  0000040

/* c_cflag */
#define B38400  0000017
#define CS8     0000060
#define CREAD   0000200
#define HUPCL   0002000

/* c_lflag */
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHONL  0000100
#define NOFLSH  0000200
#define TOSTOP  0000400  /* background writes stop with SIGTTOU (dev/tty.c) */
#define ECHOCTL 0001000
#define ECHOKE  0004000
#define IEXTEN  0100000

#endif
