/* SPDX-License-Identifier: MIT */
/* Linux's getrandom flags. */
#ifndef KESTREL_UAPI_RANDOM_H
#define KESTREL_UAPI_RANDOM_H

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2

#endif
