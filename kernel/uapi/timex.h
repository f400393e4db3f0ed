/* SPDX-License-Identifier: MIT */
/* Linux's adjtimex(2) ABI (include/uapi/linux/timex.h), x86_64. */
#ifndef KESTREL_UAPI_TIMEX_H
#define KESTREL_UAPI_TIMEX_H

#include <stdint.h>

/* struct __kernel_timex: 208 bytes, the unnamed ints padding. */
struct timex_k {
	uint32_t modes;
	int32_t pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status;
	int32_t pad1;
	int64_t constant, precision, tolerance;
	int64_t time_sec, time_usec; /* struct __kernel_timex_timeval; usec is ns with STA_NANO */
	int64_t tick, ppsfreq, jitter;
	int32_t shift;
	int32_t pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t reserved[11];
};
_Static_assert(sizeof(struct timex_k) == 208, "struct __kernel_timex is 208 bytes on x86_64");

/* modes */
#define ADJ_OFFSET            0x0001
#define ADJ_FREQUENCY         0x0002
#define ADJ_MAXERROR          0x0004
#define ADJ_ESTERROR          0x0008
#define ADJ_STATUS            0x0010
#define ADJ_TIMECONST         0x0020
#define ADJ_TAI               0x0080
#define ADJ_SETOFFSET         0x0100
#define ADJ_MICRO             0x1000
#define ADJ_NANO              0x2000
#define ADJ_TICK              0x4000
#define ADJ_ADJTIME           0x8000 /* with ADJ_OFFSET: adjtime(3)'s ADJ_OFFSET_SINGLESHOT */
#define ADJ_OFFSET_READONLY   0x2000 /* with ADJ_ADJTIME: ADJ_OFFSET_SS_READ */

/* status */
#define STA_PLL       0x0001
#define STA_PPSFREQ   0x0002
#define STA_PPSTIME   0x0004
#define STA_FLL       0x0008
#define STA_INS       0x0010
#define STA_DEL       0x0020
#define STA_UNSYNC    0x0040
#define STA_FREQHOLD  0x0080
#define STA_PPSSIGNAL 0x0100
#define STA_PPSJITTER 0x0200
#define STA_PPSWANDER 0x0400
#define STA_PPSERROR  0x0800
#define STA_CLOCKERR  0x1000
#define STA_NANO      0x2000
#define STA_MODE      0x4000
#define STA_CLK       0x8000
#define STA_RONLY (STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR | STA_CLOCKERR | \
		   STA_NANO | STA_MODE | STA_CLK)

/* the clock's states, adjtimex's result */
#define TIME_OK    0
#define TIME_ERROR 5

#endif
