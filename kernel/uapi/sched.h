/* SPDX-License-Identifier: MIT */
/* Linux's clone flags (include/uapi/linux/sched.h). */
#ifndef KESTREL_UAPI_SCHED_H
#define KESTREL_UAPI_SCHED_H

#define CSIGNAL              0x000000ff  /* the low byte: the signal sent at exit */
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT         0x00008000
#define CLONE_THREAD         0x00010000
#define CLONE_NEWNS          0x00020000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_NEWCGROUP      0x02000000
#define CLONE_NEWUTS         0x04000000
#define CLONE_NEWIPC         0x08000000
#define CLONE_NEWUSER        0x10000000
#define CLONE_NEWNET         0x40000000
#define CLONE_NEWTIME        0x00000080
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000
#define CLONE_NEWPID         0x20000000  /* accepted; Kestrel has one pid space */
#define CLONE_PIDFD          0x00001000
#define CLONE_DETACHED       0x00400000  /* ignored by clone, but not with CLONE_PIDFD */
#define CLONE_LEGACY_FLAGS   0xffffffffull    /* clone3: clone's flags */
#define CLONE_CLEAR_SIGHAND  0x100000000ull   /* clone3: the child's handlers to SIG_DFL */

/* clone3's struct clone_args: its first version's size (up to tls) */
#define CLONE_ARGS_SIZE_VER0 64

/* Scheduling policies, and the real-time priorities of FIFO and RR */
#define SCHED_NORMAL   0
#define SCHED_FIFO     1
#define SCHED_RR       2
#define SCHED_BATCH    3
#define SCHED_IDLE     5
#define SCHED_DEADLINE 6
#define MAX_RT_PRIO    99
#define SCHED_RESET_ON_FORK 0x40000000  /* or'ed into a policy */

/* sched_setattr's struct sched_attr: its sizes (VER0 up to sched_period,
 * VER1 with the utilisation clamps, Linux 6.1's own) and sched_flags */
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM       0x02
#define SCHED_FLAG_DL_OVERRUN    0x04
#define SCHED_FLAG_KEEP_POLICY   0x08
#define SCHED_FLAG_KEEP_PARAMS   0x10
#define SCHED_FLAG_UTIL_CLAMP    0x60   /* _MIN 0x20 and _MAX 0x40 */
#define SCHED_FLAG_ALL           0x7f
#define SCHED_FLAG_SUGOV         0x10000000

#endif
