/* SPDX-License-Identifier: MIT */
/* Linux's socket-level ioctl numbers (include/uapi/linux/sockios.h): the interface, routing and ARP requests every socket answers. */
#ifndef KESTREL_UAPI_SOCKIOS_H
#define KESTREL_UAPI_SOCKIOS_H

/* Every request here has the type byte 0x89 (_IOC_TYPE, Linux's
 * SOCK_IOC_TYPE): a socket hands those it does not know to the device layer. */
#define SOCK_IOC_TYPE   0x89

/* socket-level */
#define SIOCATMARK      0x8905
#define SIOCGSTAMP      0x8906  /* struct timeval: the last datagram's arrival */
#define SIOCGSTAMPNS    0x8907  /* struct timespec */

/* routing table */
#define SIOCADDRT       0x890B  /* struct rtentry (uapi/route.h) */
#define SIOCDELRT       0x890C
#define SIOCRTMSG       0x890D

/* interfaces: each takes a struct ifreq (uapi/if.h), SIOCGIFCONF a struct ifconf */
#define SIOCGIFNAME     0x8910  /* ifindex -> name */
#define SIOCSIFLINK     0x8911
#define SIOCGIFCONF     0x8912
#define SIOCGIFFLAGS    0x8913
#define SIOCSIFFLAGS    0x8914
#define SIOCGIFADDR     0x8915
#define SIOCSIFADDR     0x8916
#define SIOCGIFDSTADDR  0x8917
#define SIOCSIFDSTADDR  0x8918
#define SIOCGIFBRDADDR  0x8919
#define SIOCSIFBRDADDR  0x891a
#define SIOCGIFNETMASK  0x891b
#define SIOCSIFNETMASK  0x891c
#define SIOCGIFMETRIC   0x891d
#define SIOCSIFMETRIC   0x891e
#define SIOCGIFMEM      0x891f
#define SIOCSIFMEM      0x8920
#define SIOCGIFMTU      0x8921
#define SIOCSIFMTU      0x8922
#define SIOCSIFNAME     0x8923
#define SIOCSIFHWADDR   0x8924
#define SIOCGIFENCAP    0x8925
#define SIOCSIFENCAP    0x8926
#define SIOCGIFHWADDR   0x8927
#define SIOCGIFSLAVE    0x8929
#define SIOCSIFSLAVE    0x8930
#define SIOCADDMULTI    0x8931
#define SIOCDELMULTI    0x8932
#define SIOCGIFINDEX    0x8933  /* name -> ifindex */
#define SIOCSIFPFLAGS   0x8934
#define SIOCGIFPFLAGS   0x8935
#define SIOCDIFADDR     0x8936
#define SIOCSIFHWBROADCAST 0x8937
#define SIOCGIFCOUNT    0x8938
#define SIOCGIFTXQLEN   0x8942
#define SIOCSIFTXQLEN   0x8943
#define SIOCETHTOOL     0x8946

/* the ARP cache: each takes a struct arpreq (uapi/if.h) */
#define SIOCDARP        0x8953
#define SIOCGARP        0x8954
#define SIOCSARP        0x8955

/* device hardware parameters */
#define SIOCGIFMAP      0x8970
#define SIOCSIFMAP      0x8971

#endif
