/* SPDX-License-Identifier: MIT */
/* What the kernel learned at boot: the loader's hand-over and the command line's choices. */
#ifndef KESTREL_BOOT_H
#define KESTREL_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"
#include "cmdline.h"

#define INIT_PATH_MAX 256
#define INIT_DEFAULT "/sbin/init"
#define ROOT_SPEC_MAX 64   /* root=/dev/vda1 or root=PARTUUID=<36-character GUID> */
#define FSTYPE_MAX    16
#define IP_SPEC_MAX   160  /* ip=client:server:gw:mask:host:dev:autoconf:dns0:dns1 */

struct boot_config {
	bool console_serial, console_fb;   /* console=serial|fb|both */
	bool console_debugcon;             /* console=debugcon (a list: console=fb,debugcon) */
	int loglevel;                      /* loglevel=N */
	char init[INIT_PATH_MAX];          /* init=PATH */
	const char *init_args;             /* what follows " -- " (not NUL-terminated) */
	uint32_t init_args_len;
	bool selftest;                     /* selftest or selftest=NAME,NAME */
	const char *selftest_filter;       /* the names, or NULL for all */
	uint32_t selftest_filter_len;
	bool audit;                        /* audit: log every system call */
	bool audit_ring;                   /* audit=ring: record them for the panic report */
	bool echo;                         /* echo: the console input test instead of init */
	bool debugexit;                    /* debugexit */
	const char *crash;                 /* crash=KIND: a deliberate fault, for tests */
	uint32_t crash_len;
	char root[ROOT_SPEC_MAX];          /* root=DEV|PARTUUID=GUID: a disk root ("" : the boot archive) */
	char rootfstype[FSTYPE_MAX];       /* rootfstype=TYPE ("": try each) */
	unsigned maxcpus;                  /* maxcpus=N (N >= 1), nosmp = maxcpus=1; 0: every CPU */
	bool tsc_unstable;                 /* tsc=unstable: keep time with the reference clock */
	unsigned tsc_early_khz;            /* tsc_early_khz=N: the TSC rate given, not measured (0: measure) */
	unsigned smp_tsc_skew;             /* smp_tsc_skew=N: the warp test's test (smp.h) */
	bool no_vdso;                      /* vdso=0 (Linux's word): programs get no vDSO */
	bool klockstat;                    /* klockstat: the kernel lock's statistics from boot on */
	bool idle_halt;                    /* idle=halt: idle CPUs halt at once, never poll */
	char ip[IP_SPEC_MAX];              /* ip=SPEC: boot-time network configuration (net/ipconfig.h); "": none */
	bool profile;                      /* profile=N: the kernel profiler on (profile.h) */
	unsigned profile_shift;            /* its N: buckets of 2^N bytes of text */
};

/* Parse the command line into cfg, logging every unknown or malformed
 * word (never fatal). Needs the consoles up to report. */
void boot_parse_cmdline(const struct kbi_boot_info *bi, struct boot_config *cfg);

#endif
