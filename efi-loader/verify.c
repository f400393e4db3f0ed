// SPDX-License-Identifier: MIT
/*
 * Kestrel EFI loader: Secure Boot. The firmware checked this loader's
 * signature; the loader extends that trust to what it loads. Its signed
 * image carries the SHA-256 of the kernel and rootfs it was built with
 * and a command line (measure.h); under Secure Boot a file that differs
 * is refused and only harmless words are taken from cmdline.txt. With
 * Secure Boot off nothing is hashed unless cmdline.txt holds the word
 * `verify`; then a difference is logged and the boot goes on, so that a
 * developer can still swap files. Hashing costs about 20 ms a MB under
 * emulation (kernel and rootfs: most of the loader's time), a price worth
 * paying only where a mismatch is refused.
 */
#include "loader.h"
#include "cmdline.h"
#include "measure.h"

/* Filled in by tools/measure.py. Not static and not const: the compiler
 * must read what the image holds, never fold in the build's empty values.
 * Page aligned, so that the PE section starts on a section boundary. */
struct kmeasure kestrel_measure __attribute__((section(".measure"), used, aligned(4096))) = {
	.magic = KMEASURE_MAGIC,
	.version = KMEASURE_VERSION,
};

#define SECURE_BOOT_ON 1 /* the SecureBoot variable's value when enforcing */

static bool recorded(void)
{
	return kestrel_measure.version == KMEASURE_VERSION &&
	       (kestrel_measure.flags & KMEASURE_RECORDED);
}

/* Ask the firmware whether it enforces Secure Boot: the global variable
 * SecureBoot (UEFI 2.x, 3.3) is one byte, 1 when on; absent means off. */
void check_secure_boot(struct loader *ld)
{
	UINT8 value = 0;
	UINTN size = sizeof(value);
	UINT32 attr = 0;
	EFI_STATUS st = uefi_call_wrapper(RT->GetVariable, 5, L"SecureBoot", &EfiGlobalVariable,
					  &attr, &size, &value);

	ld->secure_boot = !EFI_ERROR(st) && size == sizeof(value) && value == SECURE_BOOT_ON;
	if (ld->secure_boot)
		info("secure boot", "on: the kernel, rootfs and command line must match the signed loader");
	else if (!recorded())
		info("secure boot", "off, and this loader records no hashes: nothing is checked");
}

/* The word of cmdline.txt that asks for the check with Secure Boot off. */
#define VERIFY_WORD "verify"

/*
 * Decide whether kernel.elf and rootfs.cpio are hashed: always under
 * Secure Boot (a mismatch is refused before anything runs), with it off
 * only when cmdline.txt (already read) holds `verify` and the loader
 * records hashes to compare with. Sets ld->check_files.
 */
void decide_checks(struct loader *ld)
{
	struct cmdline c;

	cmdline_init(&c, ld->cmdline, ld->cmdline_len);
	ld->check_files = ld->secure_boot ||
			  (recorded() && ld->cmdline_found && cmdline_has(&c, VERIFY_WORD));
	if (!ld->secure_boot && recorded() && !ld->check_files)
		info("secure boot", "off: kernel and rootfs not hashed ('verify' in cmdline.txt checks them)");
}

/* The hash a reader should feed (hash, initialised), or NULL when the
 * files are not checked (decide_checks). */
struct sha256 *verify_hasher(struct loader *ld, struct sha256 *hash)
{
	if (!ld->check_files)
		return NULL;
	sha256_init(hash);
	return hash;
}

static bool same_digest(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;

	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* Check the digest of file (a name for messages) against the record.
 * Under Secure Boot anything but a match is EFI_SECURITY_VIOLATION; with
 * it off a mismatch is logged and EFI_SUCCESS returned. A match sets
 * KBI_SB_KERNEL_VERIFIED or KBI_SB_ROOTFS_VERIFIED in ld->sb_flags.
 * When the files are not checked (decide_checks) got is not looked at:
 * EFI_SUCCESS, nothing set. */
EFI_STATUS verify_digest(struct loader *ld, const char *file, const uint8_t got[SHA256_DIGEST_SIZE],
			 bool kernel)
{
	const uint8_t *want = kernel ? kestrel_measure.kernel_sha256 : kestrel_measure.rootfs_sha256;
	const char *why;

	if (!ld->check_files)
		return EFI_SUCCESS;
	if (!recorded())
		why = "no hash recorded in the loader";
	else if (!same_digest(got, want))
		why = "hash mismatch";
	else {
		ld->sb_flags |= kernel ? KBI_SB_KERNEL_VERIFIED : KBI_SB_ROOTFS_VERIFIED;
		return EFI_SUCCESS;
	}
	if (ld->secure_boot) {
		/* spelled out: gnu-efi's %r says "Security Policy Violation" */
		Print(L"kestrel-loader: verify: %a: %a (Security Violation)\n", file, why);
		return EFI_SECURITY_VIOLATION;
	}
	if (recorded())
		Print(L"kestrel-loader: verify: %a: %a, booting it anyway (Secure Boot is off)\n",
		      file, why);
	return EFI_SUCCESS;
}

/* cmdline_merge_signed's report of a word it left out. */
static void log_dropped(void *ctx, const char *text, uint32_t len, bool init_args)
{
	struct loader *ld = ctx;
	char word[KBI_CMDLINE_MAX];

	CopyMem(word, (void *)text, len);
	word[len] = '\0';
	ld->sb_flags |= KBI_SB_CMDLINE_FILTERED;
	Print(L"kestrel-loader: secure boot: cmdline.txt: %a'%a' ignored "
	      L"(only the signed command line may set it)\n", init_args ? "init arguments " : "",
	      word);
}

/* Decide the command line: under Secure Boot the signed one plus the safe
 * words of cmdline.txt (the others logged and dropped); with it off
 * cmdline.txt as read, or the signed one when there is no cmdline.txt. */
void choose_cmdline(struct loader *ld)
{
	static char merged[KBI_CMDLINE_MAX];
	const char *sig = kestrel_measure.cmdline;
	uint32_t sig_len = 0;

	if (recorded() && kestrel_measure.cmdline_len < KBI_CMDLINE_MAX)
		sig_len = kestrel_measure.cmdline_len;
	if (!ld->secure_boot) {
		if (!ld->cmdline_found && sig_len) {
			CopyMem(ld->cmdline, (void *)sig, sig_len);
			ld->cmdline[sig_len] = '\0';
			ld->cmdline_len = sig_len;
		}
		return;
	}
	ld->cmdline_len = cmdline_merge_signed(sig, sig_len, ld->cmdline, ld->cmdline_len, merged,
					       sizeof(merged), log_dropped, ld);
	CopyMem(ld->cmdline, merged, ld->cmdline_len + 1);
}
