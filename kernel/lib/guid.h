/* SPDX-License-Identifier: MIT */
/* GUIDs as text ("0FC63DAF-8483-4772-8E79-3D69D8477DE4") and as GPT and UEFI store them (pure, host-tested). */
#ifndef KESTREL_LIB_GUID_H
#define KESTREL_LIB_GUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUID_TEXT_LEN 36   /* 8-4-4-4-12 hex digits and dashes, no NUL */

/* Parse len bytes of text (either case) into out, in the on-disk byte
 * order (the first three groups little-endian, as GPT and EFI_GUID
 * store them): false unless it is exactly one GUID. */
bool guid_parse(const char *text, size_t len, uint8_t out[16]);
/* Format g (on-disk order) as upper-case text into buf (GUID_TEXT_LEN + 1 bytes). */
void guid_format(const uint8_t g[16], char buf[GUID_TEXT_LEN + 1]);

#endif
