// SPDX-License-Identifier: MIT
/* Kestrel EFI loader: reading files from the volume the loader came from. */
#include "loader.h"

/* The hard-drive node's length on the wire (UEFI packs it: 42 bytes);
 * gnu-efi's struct has the same offsets but is padded to 48. */
#define HD_NODE_LEN (offsetof(HARDDRIVE_DEVICE_PATH, SignatureType) + 1)

/* The GPT unique GUID of the partition behind device (its device path's
 * hard-drive node with a GUID signature), so the kernel can mount the
 * partition it was booted from; nothing when there is none. */
static void find_esp_guid(struct loader *ld, EFI_HANDLE device)
{
	EFI_DEVICE_PATH *dp = DevicePathFromHandle(device);

	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_HARDDRIVE_DP ||
		    (UINTN)DevicePathNodeLength(dp) < HD_NODE_LEN)
			continue;
		HARDDRIVE_DEVICE_PATH *hd = (HARDDRIVE_DEVICE_PATH *)dp;
		if (hd->SignatureType != SIGNATURE_TYPE_GUID)
			continue;
		CopyMem(ld->esp_guid, hd->Signature, sizeof(ld->esp_guid));
		ld->esp_guid_valid = true;
		return;
	}
}

/* Open the root directory of the file system BOOTX64.EFI was loaded from. */
EFI_STATUS open_boot_volume(struct loader *ld)
{
	EFI_LOADED_IMAGE *img;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, ld->image, &LoadedImageProtocol,
			       (void **)&img);
	if (EFI_ERROR(st))
		return fail("volume", "no loaded-image protocol", st);
	find_esp_guid(ld, img->DeviceHandle);
	ld->root = LibOpenRoot(img->DeviceHandle);
	if (!ld->root)
		return fail("volume", "cannot open the boot volume", EFI_NOT_FOUND);
	return EFI_SUCCESS;
}

/* Which step a path belongs to, for error messages. */
static const char *step_of(const CHAR16 *path)
{
	if (StrCmp(path, L"\\kestrel\\kernel.elf") == 0)
		return "kernel";
	if (StrCmp(path, L"\\kestrel\\rootfs.cpio") == 0)
		return "rootfs";
	return "cmdline";
}

/* Open path and return it with its size. A missing cmdline.txt is not an
 * error and is not reported; everything else is. */
static EFI_STATUS open_sized(struct loader *ld, const CHAR16 *path, EFI_FILE_HANDLE *fh,
			     UINTN *size)
{
	const char *step = step_of(path);
	EFI_STATUS st;

	st = uefi_call_wrapper(ld->root->Open, 5, ld->root, fh, (CHAR16 *)path,
			       EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		if (st == EFI_NOT_FOUND && step[0] == 'c')
			return st;
		Print(L"kestrel-loader: %a: cannot open %s (%r)\n", step, path, st);
		return st;
	}
	EFI_FILE_INFO *fi = LibFileInfo(*fh);
	if (!fi) {
		uefi_call_wrapper((*fh)->Close, 1, *fh);
		return fail(step, "cannot read file info", EFI_DEVICE_ERROR);
	}
	*size = fi->FileSize;
	FreePool(fi);
	return EFI_SUCCESS;
}

/* Bytes asked of the firmware per Read: each piece is hashed while it is
 * still in the cache. */
#define READ_CHUNK (1024 * 1024)

/* Read exactly size bytes (FAT drivers may return short reads), feeding
 * each piece to hash (if not NULL) as it arrives. */
static EFI_STATUS read_all(EFI_FILE_HANDLE fh, void *buf, UINTN size, const char *step,
			   struct sha256 *hash)
{
	UINTN done = 0;

	while (done < size) {
		UINTN chunk = size - done < READ_CHUNK ? size - done : READ_CHUNK;
		EFI_STATUS st = uefi_call_wrapper(fh->Read, 3, fh, &chunk, (char *)buf + done);
		if (EFI_ERROR(st))
			return fail(step, "read failed", st);
		if (chunk == 0)
			return fail(step, "file shorter than its size", EFI_END_OF_FILE);
		if (hash)
			sha256_update(hash, (char *)buf + done, chunk);
		done += chunk;
	}
	return EFI_SUCCESS;
}

/* Read a whole file into pool memory (freed by the caller). */
EFI_STATUS read_file_pool(struct loader *ld, const CHAR16 *path, void **buf, UINTN *size,
			  struct sha256 *hash)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st = open_sized(ld, path, &fh, size);

	if (EFI_ERROR(st))
		return st;
	*buf = AllocatePool(*size + 1);
	if (!*buf) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return fail(step_of(path), "out of memory", EFI_OUT_OF_RESOURCES);
	}
	st = read_all(fh, *buf, *size, step_of(path), hash);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st))
		FreePool(*buf);
	return st;
}

/* Read a whole file into freshly allocated pages the kernel will keep. */
EFI_STATUS read_file_pages(struct loader *ld, const CHAR16 *path, struct region *out,
			   struct sha256 *hash)
{
	const char *step = step_of(path);
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_FILE_HANDLE fh;
	UINTN size;
	EFI_STATUS st = open_sized(ld, path, &fh, &size);

	if (EFI_ERROR(st))
		return st;
	if (size == 0) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return fail(step, "file is empty", EFI_LOAD_ERROR);
	}
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
			       PAGES(size), &addr);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return fail(step, "cannot allocate pages", st);
	}
	st = read_all(fh, (void *)addr, size, step, hash);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(BS->FreePages, 2, addr, PAGES(size));
		return st;
	}
	out->base = addr;
	out->size = size;
	return EFI_SUCCESS;
}
