// SPDX-License-Identifier: MIT
/* Kestrel EFI loader: its two kinds of message, "kestrel-loader: STEP: ...",
 * on the firmware's console (which OVMF mirrors to the serial port). Every
 * step calls these; they call only the firmware. */
#include "loader.h"

EFI_STATUS fail(const char *step, const char *what, EFI_STATUS status)
{
	Print(L"kestrel-loader: %a: %a (%r)\n", step, what, status);
	return status;
}

void info(const char *step, const char *what)
{
	Print(L"kestrel-loader: %a: %a\n", step, what);
}
