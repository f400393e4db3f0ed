// SPDX-License-Identifier: MIT
/*
 * Kestrel: reboot(2), as Linux's: the two magic numbers, CAP_SYS_BOOT,
 * and the commands that stop the machine (restart, halt, power off),
 * each after every disk file system is written back and marked clean
 * and every disk's cache flushed. Ctrl-Alt-Del's switch is accepted and
 * changes nothing (the console has no such key binding).
 */
#include "sys/syscall_define.h"
#include "fs/fstype.h"
#include "dev/power.h"
#include "proc/process.h"
#include "lib/errno.h"
#include "uapi/capability.h"
#include "log.h"

#define REBOOT_MAGIC1  0xfee1deadu
#define REBOOT_MAGIC2  672274793u   /* and its alternatives, Linux's */
#define REBOOT_MAGIC2A 85072278u
#define REBOOT_MAGIC2B 369367448u
#define REBOOT_MAGIC2C 537993216u

#define REBOOT_CMD_RESTART   0x01234567u
#define REBOOT_CMD_HALT      0xcdef0123u
#define REBOOT_CMD_POWER_OFF 0x4321fedcu
#define REBOOT_CMD_CAD_ON    0x89abcdefu
#define REBOOT_CMD_CAD_OFF   0x00000000u

static bool magic_ok(unsigned m1, unsigned m2)
{
	return m1 == REBOOT_MAGIC1 && (m2 == REBOOT_MAGIC2 || m2 == REBOOT_MAGIC2A ||
				       m2 == REBOOT_MAGIC2B || m2 == REBOOT_MAGIC2C);
}

SYSCALL_DEFINE4(reboot, int, magic1, int, magic2, unsigned int, cmd, uptr_t, arg)
{
	(void)arg;
	if (!magic_ok((unsigned)magic1, (unsigned)magic2))
		return -EINVAL;
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (cmd == REBOOT_CMD_CAD_ON || cmd == REBOOT_CMD_CAD_OFF)
		return 0;
	if (cmd != REBOOT_CMD_RESTART && cmd != REBOOT_CMD_HALT && cmd != REBOOT_CMD_POWER_OFF)
		return -EINVAL;
	klog(LOG_INFO, "kestrel: %s asked by pid %d\n",
	     cmd == REBOOT_CMD_RESTART ? "reboot" : "power off", current_process()->pid);
	vfs_sync_all();
	if (cmd == REBOOT_CMD_RESTART)
		power_reboot();
	power_off(); /* halt: there is nothing to halt into but the machine stopped */
}
