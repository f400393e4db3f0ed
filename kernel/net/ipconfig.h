/* SPDX-License-Identifier: MIT */
/* Boot-time network configuration from the command line's ip= word, as Linux's ipconfig: a static address or a DHCP lease, waited for before init starts. */
#ifndef KESTREL_NET_IPCONFIG_H
#define KESTREL_NET_IPCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Configure the Ethernet devices as spec (ip='s value) says, in Linux's
 * syntax (Documentation/admin-guide/nfs/nfsroot.rst):
 *   off | none              nothing (as no ip= at all)
 *   dhcp | on | any | bootp the first device that gets a DHCP lease
 *   <client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>:<dns0>:<dns1>
 *                           a static address (autoconf off/none, or
 *                           dhcp, which asks DHCP when client is empty)
 * Brings the device up, waits up to about 10 s for a lease, logs what
 * it got. Process context (the boot thread), network thread running.
 */
void ipconfig_run(const char *spec);

/* /proc/net/pnp, as Linux writes it: "#PROTO: DHCP", "nameserver a.b.c.d"
 * lines, "bootserver a.b.c.d". Returns the length written into buf (cap). */
size_t ipconfig_pnp(char *buf, size_t cap);

/* The server that gave the lease (or ip='s server field), 0 when none. */
uint32_t ipconfig_server(void);

/* The parse of a static spec (exposed for the host's unit tests). */
struct ipconfig_spec {
	uint32_t client, server, gateway, netmask; /* host order; 0: not given */
	uint32_t dns[2];
	char device[16];           /* "" : any */
	char hostname[64];
	bool dhcp;                 /* ask DHCP */
	bool off;                  /* configure nothing */
};
/* 0, or -EINVAL (a malformed address or field). */
int ipconfig_parse(const char *spec, struct ipconfig_spec *out);

#endif
