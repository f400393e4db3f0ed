/* SPDX-License-Identifier: MIT */
/* Linux's capability ABI (include/uapi/linux/capability.h): capget/capset's header versions and the capabilities Kestrel checks. */
#ifndef KESTREL_UAPI_CAPABILITY_H
#define KESTREL_UAPI_CAPABILITY_H

#define _LINUX_CAPABILITY_VERSION_1 0x19980330  /* one 32-bit set of each kind */
#define _LINUX_CAPABILITY_VERSION_2 0x20071026  /* two (deprecated, same layout as 3) */
#define _LINUX_CAPABILITY_VERSION_3 0x20080522  /* two: the version the kernel prefers */
#define _LINUX_CAPABILITY_U32S_1    1
#define _LINUX_CAPABILITY_U32S_3    2

#define CAP_CHOWN             0
#define CAP_DAC_OVERRIDE      1
#define CAP_DAC_READ_SEARCH   2
#define CAP_FOWNER            3
#define CAP_FSETID            4
#define CAP_KILL              5
#define CAP_SETGID            6
#define CAP_SETUID            7
#define CAP_SETPCAP           8
#define CAP_LINUX_IMMUTABLE   9
#define CAP_NET_BIND_SERVICE  10
#define CAP_NET_BROADCAST     11
#define CAP_NET_ADMIN         12
#define CAP_NET_RAW           13
#define CAP_IPC_LOCK          14
#define CAP_IPC_OWNER         15
#define CAP_SYS_RAWIO         17
#define CAP_SYS_CHROOT        18
#define CAP_SYS_PTRACE        19
#define CAP_SYS_PACCT         20
#define CAP_SYS_ADMIN         21
#define CAP_SYS_BOOT          22
#define CAP_SYS_NICE          23
#define CAP_SYS_RESOURCE      24
#define CAP_SYS_TIME          25
#define CAP_SYS_TTY_CONFIG    26
#define CAP_SYSLOG            34
#define CAP_MKNOD             27
#define CAP_LEASE             28
#define CAP_SETFCAP           31
#define CAP_MAC_OVERRIDE      32
#define CAP_WAKE_ALARM        35
#define CAP_CHECKPOINT_RESTORE 40  /* Linux 5.9 and later */
#define CAP_LAST_CAP          CAP_CHECKPOINT_RESTORE

/* securebits (include/uapi/linux/securebits.h): each bit has a lock bit
 * above it. NO_CAP_AMBIENT_RAISE forbids PR_CAP_AMBIENT_RAISE. */
#define SECURE_NOROOT               0
#define SECURE_NO_SETUID_FIXUP      2
#define SECURE_KEEP_CAPS            4
#define SECURE_NO_CAP_AMBIENT_RAISE 6
#define SECBIT_NOROOT               (1u << SECURE_NOROOT)
#define SECBIT_NO_SETUID_FIXUP      (1u << SECURE_NO_SETUID_FIXUP)
#define SECBIT_KEEP_CAPS            (1u << SECURE_KEEP_CAPS)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1u << SECURE_NO_CAP_AMBIENT_RAISE)
#define SECBIT_KEEP_CAPS_LOCKED     (1u << (SECURE_KEEP_CAPS + 1))
#define SECURE_ALL_BITS             0x55u
#define SECURE_ALL_LOCKS            (SECURE_ALL_BITS << 1)
#endif
