/* SPDX-License-Identifier: MIT */
/* Linux's inotify ABI (include/uapi/linux/inotify.h): event bits, flags and the event record. */
#ifndef KESTREL_UAPI_INOTIFY_H
#define KESTREL_UAPI_INOTIFY_H

#include <stdint.h>
#include "uapi/fcntl.h"

/* What a watch asks for, and what an event says happened. */
#define IN_ACCESS        0x00000001u /* read */
#define IN_MODIFY        0x00000002u /* written or truncated */
#define IN_ATTRIB        0x00000004u /* metadata: mode, owner, times, link count */
#define IN_CLOSE_WRITE   0x00000008u /* a file open for writing closed */
#define IN_CLOSE_NOWRITE 0x00000010u /* a file not open for writing closed */
#define IN_OPEN          0x00000020u
#define IN_MOVED_FROM    0x00000040u /* a name left the watched directory */
#define IN_MOVED_TO      0x00000080u /* a name came into it */
#define IN_CREATE        0x00000100u
#define IN_DELETE        0x00000200u
#define IN_DELETE_SELF   0x00000400u
#define IN_MOVE_SELF     0x00000800u
#define IN_CLOSE         (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)
#define IN_MOVE          (IN_MOVED_FROM | IN_MOVED_TO)
#define IN_ALL_EVENTS    0x00000fffu

/* Sent whatever the watch asked for. */
#define IN_UNMOUNT       0x00002000u /* its file system went */
#define IN_Q_OVERFLOW    0x00004000u /* events were lost (wd -1) */
#define IN_IGNORED       0x00008000u /* the watch went */

/* inotify_add_watch's flags. */
#define IN_ONLYDIR       0x01000000u /* only if the path is a directory */
#define IN_DONT_FOLLOW   0x02000000u /* a final symlink is watched itself */
#define IN_EXCL_UNLINK   0x04000000u /* no events for children once unlinked */
#define IN_MASK_CREATE   0x10000000u /* EEXIST rather than change an existing watch */
#define IN_MASK_ADD      0x20000000u /* add to an existing watch's mask */
#define IN_ISDIR         0x40000000u /* in an event: it is about a directory */
#define IN_ONESHOT       0x80000000u /* the watch goes after its first event */

/* inotify_init1's flags. */
#define IN_CLOEXEC  O_CLOEXEC
#define IN_NONBLOCK O_NONBLOCK

/* One event as read(2) returns it: len bytes of name follow, NUL-padded
 * to a multiple of sizeof(struct inotify_event) (0: no name). */
struct inotify_event {
	int32_t wd;
	uint32_t mask;
	uint32_t cookie;   /* pairs IN_MOVED_FROM with IN_MOVED_TO; else 0 */
	uint32_t len;
};

#endif
