/* SPDX-License-Identifier: MIT */
/* Linux's ioctl numbers (x86_64, include/uapi/asm-generic/ioctls.h) and their arguments' values. */
#ifndef KESTREL_UAPI_IOCTL_H
#define KESTREL_UAPI_IOCTL_H

/* Terminals. */
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCGETA     0x5405   /* struct termio (uapi/termbits.h), System V's */
#define TCSETA     0x5406
#define TCSETAW    0x5407
#define TCSETAF    0x5408
#define TCSBRK     0x5409
#define TCXONC     0x540a
#define TCFLSH     0x540b
#define TIOCSCTTY  0x540e
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCOUTQ   0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429
#define TCGETS2    0x802c542a   /* struct termios2: _IOR('T', 0x2A, struct termios2) */
#define TCSETS2    0x402c542b
#define TCSETSW2   0x402c542c
#define TCSETSF2   0x402c542d
/* Pseudo-terminals (the master's; TIOCGPTN _IOR('T', 0x30, unsigned int)...). */
#define TIOCPKT     0x5420
#define TIOCINQ     FIONREAD
#define TIOCGPTN    0x80045430
#define TIOCSPTLCK  0x40045431
#define TIOCGPKT    0x80045438
#define TIOCGPTLCK  0x80045439
#define TIOCGPTPEER 0x5441
#define TIOCPKT_DATA       0   /* packet mode: the byte before plain data */
#define TIOCPKT_FLUSHREAD  1   /* packet mode status: the slave flushed its input */
#define TIOCPKT_FLUSHWRITE 2   /* ... its output */

/* Block devices (linux/fs.h: _IO(0x12, N), BLKGETSIZE64 _IOR(0x12, 114, size_t)). */
#define BLKROGET     0x125e
#define BLKRRPART    0x125f
#define BLKGETSIZE   0x1260
#define BLKFLSBUF    0x1261
#define BLKSSZGET    0x1268
#define BLKGETSIZE64 0x80081272
#define BLKPBSZGET   0x127b

/* /dev/random and /dev/urandom (linux/random.h: _IOR('R', 0x00, int)...). */
#define RNDGETENTCNT   0x80045200
#define RNDADDTOENTCNT 0x40045201
#define RNDADDENTROPY  0x40085203   /* struct rand_pool_info: entropy_count, buf_size, buf[] */
#define RNDZAPENTCNT   0x5204
#define RNDCLEARPOOL   0x5206
#define RNDRESEEDCRNG  0x5207

/* Any file. */
#define FIONREAD   0x541b
#define FIONBIO    0x5421
#define FIONCLEX   0x5450
#define FIOCLEX    0x5451
#define FIOASYNC   0x5452

/* TCFLSH's argument. */
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2

#endif
