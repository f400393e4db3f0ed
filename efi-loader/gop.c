// SPDX-License-Identifier: MIT
/* Kestrel EFI loader: the framebuffer (GOP) and the ACPI RSDP. */
#include "loader.h"
#include "cmdline.h"

static uint32_t fb_format(EFI_GRAPHICS_PIXEL_FORMAT f)
{
	switch (f) {
	case PixelRedGreenBlueReserved8BitPerColor:
		return KBI_FB_RGBX;
	case PixelBlueGreenRedReserved8BitPerColor:
		return KBI_FB_BGRX;
	case PixelBitMask:
		return KBI_FB_MASK;
	default:
		return KBI_FB_NONE; /* PixelBltOnly: no linear framebuffer */
	}
}

/* The first GOP mode of exactly w x h with a linear framebuffer, or -1. */
static INT32 find_mode(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, uint32_t w, uint32_t h)
{
	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
		EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi;
		UINTN size;

		if (EFI_ERROR(uefi_call_wrapper(gop->QueryMode, 4, gop, m, &size, &mi)))
			continue;
		bool fits = mi->HorizontalResolution == w && mi->VerticalResolution == h &&
			    fb_format(mi->PixelFormat) != KBI_FB_NONE;
		FreePool(mi);
		if (fits)
			return (INT32)m;
	}
	return -1;
}

/* fb=WIDTHxHEIGHT on the command line: switch to that GOP mode when the
 * firmware offers it; otherwise say so and keep the current mode. */
static void choose_mode(struct loader *ld, EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
	struct cmdline c;
	const char *val;
	uint32_t len, w, h;

	cmdline_init(&c, ld->cmdline, ld->cmdline_len);
	if (!cmdline_get(&c, "fb", &val, &len))
		return;
	if (!cmdline_get_wxh(&c, "fb", &w, &h)) {
		info("gop", "fb= is not WIDTHxHEIGHT; keeping the current mode");
		return;
	}
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *cur = gop->Mode->Info;
	if (cur->HorizontalResolution == w && cur->VerticalResolution == h)
		return;
	INT32 m = find_mode(gop, w, h);
	if (m < 0) {
		Print(L"kestrel-loader: gop: no %dx%d mode; keeping %dx%d\n", w, h,
		      cur->HorizontalResolution, cur->VerticalResolution);
		return;
	}
	EFI_STATUS st = uefi_call_wrapper(gop->SetMode, 2, gop, (UINT32)m);
	if (EFI_ERROR(st))
		Print(L"kestrel-loader: gop: cannot set mode %d (%dx%d): %r\n", m, w, h, st);
	else
		Print(L"kestrel-loader: gop: mode %d, %dx%d (fb=)\n", m, w, h);
}

/* Record the GOP mode, after switching to the one fb= asks for. No GOP,
 * or a BltOnly mode, leaves ld->fb.format == KBI_FB_NONE: the kernel
 * then uses the serial port only. */
void find_framebuffer(struct loader *ld)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_STATUS st = LibLocateProtocol(&GraphicsOutputProtocol, (void **)&gop);

	if (EFI_ERROR(st) || !gop || !gop->Mode || !gop->Mode->Info) {
		info("gop", "no graphics output; serial console only");
		return;
	}
	choose_mode(ld, gop);
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi = gop->Mode->Info;
	ld->fb.format = fb_format(mi->PixelFormat);
	if (ld->fb.format == KBI_FB_NONE) {
		info("gop", "BltOnly mode has no framebuffer; serial console only");
		return;
	}
	ld->fb.base = gop->Mode->FrameBufferBase;
	ld->fb.size = gop->Mode->FrameBufferSize;
	ld->fb.width = mi->HorizontalResolution;
	ld->fb.height = mi->VerticalResolution;
	ld->fb.stride = mi->PixelsPerScanLine;
	ld->fb.red_mask = mi->PixelInformation.RedMask;
	ld->fb.green_mask = mi->PixelInformation.GreenMask;
	ld->fb.blue_mask = mi->PixelInformation.BlueMask;
	ld->fb.reserved_mask = mi->PixelInformation.ReservedMask;
	ld->fb.base_virt = KBI_FB_VIRT + (ld->fb.base & (PAGE_SIZE - 1));
}

/* The ACPI 2.0 RSDP (XSDT) if the firmware publishes one, else 1.0. */
void find_rsdp(struct loader *ld, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];
		if (CompareGuid(&t->VendorGuid, &acpi20) == 0) {
			ld->rsdp = (uint64_t)t->VendorTable;
			ld->rsdp_revision = 2;
			return;
		}
		if (CompareGuid(&t->VendorGuid, &acpi10) == 0 && !ld->rsdp)
			ld->rsdp = (uint64_t)t->VendorTable;
	}
	if (!ld->rsdp)
		info("acpi", "no RSDP published by the firmware");
}
