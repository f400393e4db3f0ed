/* SPDX-License-Identifier: MIT */
/* Linux's wait ABI: wait4/waitid options, idtypes, and the wait status's encoding and decoding. */
#ifndef KESTREL_UAPI_WAIT_H
#define KESTREL_UAPI_WAIT_H

#include "uapi/signal.h"

/* Options (include/uapi/linux/wait.h). */
#define WNOHANG    0x00000001
#define WUNTRACED  0x00000002
#define WSTOPPED   WUNTRACED
#define WEXITED    0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT    0x01000000
#define __WNOTHREAD 0x20000000 /* only the calling thread's children */
#define __WALL      0x40000000 /* clone children and the others */
#define __WCLONE    0x80000000 /* only clone children (exit signal not SIGCHLD) */

/* waitid's idtype. */
#define P_ALL  0
#define P_PID  1
#define P_PGID 2
#define P_PIDFD 3

/*
 * The status word wait4 reports:
 *   exited with code:   code << 8          (low 7 bits 0)
 *   killed by sig:      sig | 0x80 if core (low 7 bits the signal)
 *   stopped by sig:     sig << 8 | 0x7f
 *   continued:          0xffff
 */
#define WSTATUS_SIG_MASK   0x7f
#define WSTATUS_COREFLAG   0x80
#define WSTATUS_STOPPED_LOW 0x7f
#define WSTATUS_CONTINUED  0xffff

/* Encoders. */
#define WSTATUS_EXITED(code)  (((code) & 0xff) << 8)
#define WSTATUS_SIGNALED(sig) ((sig) & WSTATUS_SIG_MASK)
#define WSTATUS_STOPPED(sig)  ((((sig) & 0xff) << 8) | WSTATUS_STOPPED_LOW)

/* Decoders of an exit or death status (a zombie's wstatus). */
static inline int wstatus_termsig(int ws) { return ws & WSTATUS_SIG_MASK; }
static inline int wstatus_exitcode(int ws) { return (ws >> 8) & 0xff; }
static inline int wstatus_exited(int ws) { return wstatus_termsig(ws) == 0; }
static inline int wstatus_coredump(int ws) { return (ws & WSTATUS_COREFLAG) != 0; }
/* A shell's $? for the status: the exit code, or 128 + the signal. */
static inline int wstatus_shell_code(int ws)
{
	return wstatus_exited(ws) ? wstatus_exitcode(ws) : 128 + wstatus_termsig(ws);
}
/* SIGCHLD's and waitid's si_code and si_status for the status. */
static inline int wstatus_cld_code(int ws)
{
	return wstatus_exited(ws) ? CLD_EXITED : wstatus_coredump(ws) ? CLD_DUMPED : CLD_KILLED;
}
static inline int wstatus_cld_status(int ws)
{
	return wstatus_exited(ws) ? wstatus_exitcode(ws) : wstatus_termsig(ws);
}

#endif
