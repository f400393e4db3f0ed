/* SPDX-License-Identifier: MIT */
/* The console as a file when no TTY can be opened for it: the file layer's console_fallback_ops (fs/vfs.h). */
#ifndef KESTREL_DEV_CONSOLE_FILE_H
#define KESTREL_DEV_CONSOLE_FILE_H

/* Makes it the file layer's console_fallback_ops. Once at boot, after
 * console_input_init. */
void console_file_register(void);

#endif
