// SPDX-License-Identifier: MIT
/*
 * Kestrel: UEFI runtime services after ExitBootServices (efi_rt.h).
 *
 * The loader leaves the firmware's system table and a memory map whose
 * runtime ranges keep their exact extents and kind (bootinfo.h:
 * KBI_MEMF_EFI_RUNTIME, KBI_MEMF_EFI_CODE). efi_rt_init checks both
 * tables (signature, revision, size, CRC32, every service pointer inside
 * runtime code), builds the page table the calls run on (the kernel's
 * upper half plus each runtime range 1:1: code RWX, data RW+NX, MMIO
 * uncached) and a 64 KiB stack with a guard page. Kestrel never calls
 * SetVirtualAddressMap: the firmware keeps running at the physical
 * addresses it was loaded at, which its 1:1 map gives it.
 *
 * A call goes through arch_efi_call (arch/x86_64/efi_call.h): interrupts
 * off, the firmware's CR3 and stack, a clean FPU state; a fault inside
 * the firmware comes back as -EIO, and the services are then disabled
 * for the rest of the boot.
 *
 * Lock rule: everything here runs under the kernel lock (callers hold
 * it), which makes one firmware call at a time machine-wide; `state` is
 * written by efi_rt_init on the boot CPU and by a faulting call.
 */
#include "firmware/efi_rt.h"
#include "firmware/efi_rt_parse.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/efi_call.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "bootinfo.h"
#include "pgplan.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "log.h"
#include "mm/layout.h"
#include "mm/pmm.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "test/selftest.h"

#define EFI_STACK_SIZE   (64 * 1024) /* UEFI asks 128 KiB for boot services; runtime needs far less */
#define VENDOR_MAX       32          /* characters of the firmware vendor logged */
#define KIB              1024
#define TABLE_READ_MAX   4096        /* bytes of a table header's claim read (efi_rt_parse.c's limit) */

/* ad421c44-26a7-4265-a255-88bc8b88ac25: Data1..Data3 little-endian, then
 * Data4's eight bytes as written. Generated once for Kestrel (docs/boot.md). */
const uint8_t efi_kestrel_guid[16] = {
	0x44, 0x1c, 0x42, 0xad, 0xa7, 0x26, 0x65, 0x42,
	0xa2, 0x55, 0x88, 0xbc, 0x8b, 0x88, 0xac, 0x25,
};

/* The services' state. */
static struct {
	bool ok;                          /* init succeeded and no call faulted */
	uint64_t pml4;                    /* the calls' page table (physical) */
	uint64_t stack_top;               /* the calls' stack */
	struct efi_runtime_services rt;   /* a copy of the checked table */
} state;

/* The loader's memory map. */
struct memmap_view {
	const struct kbi_mem_range *r;
	int n;
};

static bool is_runtime(const struct kbi_mem_range *r)
{
	return r->flags & KBI_MEMF_EFI_RUNTIME;
}

/* The runtime range holding [pa, pa + len), or NULL; code: it must be a
 * runtime code range. */
static const struct kbi_mem_range *runtime_range_of(const struct memmap_view *m, uint64_t pa,
						    uint64_t len, bool code)
{
	for (int i = 0; i < m->n; i++) {
		const struct kbi_mem_range *r = &m->r[i];
		if (!is_runtime(r) || pa < r->base || pa - r->base >= r->length ||
		    len > r->length - (pa - r->base))
			continue;
		if (code && !(r->flags & KBI_MEMF_EFI_CODE))
			return NULL;
		return r;
	}
	return NULL;
}

/* Is [pa, pa + len) readable through the direct map (each page)? */
static bool direct_readable(uint64_t pa, uint64_t len)
{
	if (!phys_in_direct_map(pa + len - 1))
		return false;
	for (uint64_t p = page_round_down(pa); p < pa + len; p += PAGE_SIZE)
		if (!arch_kernel_addr_mapped((uint64_t)phys_to_virt(p)))
			return false;
	return true;
}

/* A firmware table at pa inside runtime memory, checked: a pointer to
 * it through the direct map, or NULL (logged). */
static const void *checked_table(const struct memmap_view *m, uint64_t pa, uint64_t sig,
				 size_t size, const char *what)
{
	const struct kbi_mem_range *r = runtime_range_of(m, pa, sizeof(struct efi_table_header), false);
	uint64_t avail = r ? r->base + r->length - pa : 0;
	const char *why;

	if (avail > TABLE_READ_MAX)
		avail = TABLE_READ_MAX;
	if (!r || !direct_readable(pa, avail)) {
		klog(LOG_WARN, "efi: runtime services: %s at %#lx is not in runtime memory\n", what, pa);
		return NULL;
	}
	why = efi_table_check(phys_to_virt(pa), avail, sig, size);
	if (why) {
		klog(LOG_WARN, "efi: runtime services: %s at %#lx: %s\n", what, pa, why);
		return NULL;
	}
	return phys_to_virt(pa);
}

/* Each service Kestrel calls must point into runtime code. */
static bool services_in_code(const struct memmap_view *m, const struct efi_runtime_services *rt)
{
	const struct { uint64_t fn; const char *name; } used[] = {
		{ rt->get_time, "GetTime" },
		{ rt->get_variable, "GetVariable" },
		{ rt->get_next_variable_name, "GetNextVariableName" },
		{ rt->set_variable, "SetVariable" },
		{ rt->reset_system, "ResetSystem" },
	};

	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		if (!runtime_range_of(m, used[i].fn, 1, true)) {
			klog(LOG_WARN, "efi: runtime services: %s at %#lx is not in runtime code\n",
			     used[i].name, used[i].fn);
			return false;
		}
	return true;
}

/* The protection a runtime range gets in the calls' page table. */
static unsigned range_prot(const struct kbi_mem_range *r)
{
	if (r->flags & KBI_MEMF_EFI_CODE) /* a driver's image: its code and its data */
		return VM_WRITE | VM_EXEC;
	if (pgplan_type_is_ram(r->type)) /* the direct map's rule: one cache type a page */
		return VM_WRITE;
	return VM_WRITE | VM_UNCACHED; /* MMIO, port space, reserved */
}

/* Map r 1:1 into pml4; 0, -ENOMEM, or -ERANGE (nothing mapped: a 1:1
 * address there would be outside the lower half). */
static int map_range(uint64_t pml4, const struct kbi_mem_range *r)
{
	if (r->base >= USER_TOP || r->length > USER_TOP - r->base)
		return -ERANGE;
	for (uint64_t off = 0; off < r->length; off += PAGE_SIZE) {
		int err = arch_map_page(pml4, r->base + off, r->base + off, range_prot(r));
		if (err)
			return err;
	}
	return 0;
}

/* The calls' page table: the kernel's upper half (the same tables, so
 * every later kernel mapping is seen) and the runtime ranges 1:1. Its
 * physical address, or 0 (logged). Bytes mapped into *bytes. */
static uint64_t build_page_table(const struct memmap_view *m, int *regions, uint64_t *bytes)
{
	uint64_t *pml4 = page_alloc_zeroed();
	const uint64_t *kernel = phys_to_virt(vmm_kernel_pml4());

	if (!pml4) {
		klog(LOG_WARN, "efi: runtime services: out of memory for the page table\n");
		return 0;
	}
	for (int i = PML4_KERNEL_FIRST; i < PML4_ENTRIES; i++)
		pml4[i] = kernel[i];
	*regions = 0;
	*bytes = 0;
	for (int i = 0; i < m->n; i++) {
		if (!is_runtime(&m->r[i]))
			continue;
		int err = map_range(virt_to_phys(pml4), &m->r[i]);
		if (err == -ERANGE) { /* a call that touches it faults: -EIO, not a panic */
			klog(LOG_WARN, "efi: runtime services: %#lx+%#lx is above the lower half, "
				       "left unmapped\n", m->r[i].base, m->r[i].length);
			continue;
		}
		if (err) {
			/* the tables built so far stay allocated: this runs once */
			klog(LOG_WARN, "efi: runtime services: cannot map %#lx+%#lx (error %d)\n",
			     m->r[i].base, m->r[i].length, err);
			return 0;
		}
		(*regions)++;
		*bytes += m->r[i].length;
	}
	return virt_to_phys(pml4);
}

/* The firmware vendor (a UCS-2 string in runtime memory) as ASCII,
 * '?' for what is not; "unknown" if it cannot be read. */
static void vendor_name(const struct memmap_view *m, uint64_t pa, char *out, size_t cap)
{
	const struct kbi_mem_range *r = runtime_range_of(m, pa, 2, false);
	size_t i = 0, max = r ? (r->base + r->length - pa) / 2 : 0;

	if (max > cap)
		max = cap;
	if (r && direct_readable(pa, max * 2)) {
		const uint16_t *s = phys_to_virt(pa);
		for (; i + 1 < cap && i < max && s[i]; i++)
			out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	}
	if (i == 0)
		strlcpy(out, "unknown", cap);
	else
		out[i] = '\0';
}

/* Check the tables and keep a copy of the runtime services table; NULL
 * system table (logged) when anything fails. */
static const struct efi_system_table *find_tables(const struct kbi_boot_info *bi,
						  const struct memmap_view *m)
{
	const struct efi_system_table *st;
	const struct efi_runtime_services *rt;

	st = checked_table(m, bi->efi_system_table, EFI_SYSTEM_TABLE_SIGNATURE, sizeof(*st),
			   "system table");
	if (!st)
		return NULL;
	rt = checked_table(m, st->runtime_services, EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(*rt),
			   "runtime services table");
	if (!rt || !services_in_code(m, rt))
		return NULL;
	state.rt = *rt;
	return st;
}

void efi_rt_init(const struct kbi_boot_info *bi)
{
	struct memmap_view m = { phys_to_virt(bi->memmap), (int)bi->memmap_count };
	const struct efi_system_table *st;
	char vendor[VENDOR_MAX + 1];
	uint64_t bytes;
	int regions;

	if (!bi->efi_system_table) {
		klog(LOG_INFO, "efi: runtime services: none (no system table from the loader)\n");
		return;
	}
	if (!(st = find_tables(bi, &m)))
		return;
	void *stack = vmalloc(EFI_STACK_SIZE);
	state.pml4 = stack ? build_page_table(&m, &regions, &bytes) : 0;
	if (!state.pml4) {
		if (!stack)
			klog(LOG_WARN, "efi: runtime services: out of memory for the stack\n");
		vfree(stack);
		return;
	}
	state.stack_top = (uint64_t)stack + EFI_STACK_SIZE;
	state.ok = true;
	vendor_name(&m, st->firmware_vendor, vendor, sizeof(vendor));
	klog(LOG_INFO, "efi: runtime services: UEFI %u.%02u, %s rev %#x, %d regions (%lu KiB), "
		       "time, variables, reset\n", EFI_REVISION_MAJOR(st->hdr.revision),
	     EFI_REVISION_MINOR(st->hdr.revision), vendor, st->firmware_revision, regions,
	     bytes / KIB);
}

bool efi_rt_available(void)
{
	return state.ok;
}

/* What a firmware fault was, for the log line. */
static const char *fault_name(uint64_t vector)
{
	switch (vector) {
	case VEC_PAGE_FAULT:
		return "page fault";
	case VEC_GP:
		return "general protection";
	case VEC_INVALID_OP:
		return "invalid opcode";
	default:
		return "exception";
	}
}

/* Call service fn (name for the log); 0 with *status, -ENODEV without
 * services, -EIO (and the services off for good) after a fault. */
static int call(uint64_t fn, const char *name, const uint64_t args[EFI_CALL_MAX_ARGS],
		uint64_t *status)
{
	struct efi_call_fault f;

	if (!state.ok)
		return -ENODEV;
	if (arch_efi_call(state.pml4, state.stack_top, fn, args, status, &f) == 0)
		return 0;
	state.ok = false;
	klog(LOG_ERR, "efi: %s faulted (%s, vector %lu, error %#lx, at %#lx, address %#lx); "
		      "runtime services disabled\n", name, fault_name(f.vector), f.vector, f.error,
	     f.rip, f.addr);
	return -EIO;
}

/* call() with the status turned into an errno. */
static int call_errno(uint64_t fn, const char *name, const uint64_t args[EFI_CALL_MAX_ARGS])
{
	uint64_t status;
	int err = call(fn, name, args, &status);

	return err ? err : efi_status_errno(status);
}

void efi_rt_reset_system(enum efi_reset_type type)
{
	const uint64_t args[EFI_CALL_MAX_ARGS] = { type, EFI_SUCCESS, 0, 0 };
	uint64_t status;

	if (call(state.rt.reset_system, "ResetSystem", args, &status) == 0)
		klog(LOG_WARN, "efi: ResetSystem(%d) returned (status %#lx)\n", type, status);
}

int efi_rt_get_time(struct efi_rt_time *t)
{
	struct efi_time_raw raw;
	const uint64_t args[EFI_CALL_MAX_ARGS] = { (uint64_t)&raw, 0 };
	int err;

	memset(&raw, 0, sizeof(raw));
	if ((err = call_errno(state.rt.get_time, "GetTime", args)))
		return err == -ENODEV ? err : -EIO;
	if (!efi_time_from_raw(&raw, t)) {
		klog(LOG_WARN, "efi: GetTime: invalid time %u-%u-%u %u:%u:%u\n", raw.year, raw.month,
		     raw.day, raw.hour, raw.minute, raw.second);
		return -EIO;
	}
	return 0;
}

int efi_rt_get_variable(const char *name, const uint8_t guid[16], uint32_t *attrs,
			void *buf, size_t *size)
{
	uint16_t name16[EFI_VAR_NAME_MAX + 1];
	uint32_t a = 0;

	if (efi_name_to_ucs2(name, name16, EFI_VAR_NAME_MAX + 1) < 0)
		return -EINVAL;
	const uint64_t args[EFI_CALL_MAX_ARGS] = { (uint64_t)name16, (uint64_t)guid, (uint64_t)&a,
						   (uint64_t)size, (uint64_t)buf };
	int err = call_errno(state.rt.get_variable, "GetVariable", args);
	if (attrs)
		*attrs = a;
	return err;
}

int efi_rt_set_variable(const char *name, const uint8_t guid[16], uint32_t attrs,
			const void *buf, size_t size)
{
	uint16_t name16[EFI_VAR_NAME_MAX + 1];

	if (efi_name_to_ucs2(name, name16, EFI_VAR_NAME_MAX + 1) < 0)
		return -EINVAL;
	const uint64_t args[EFI_CALL_MAX_ARGS] = { (uint64_t)name16, (uint64_t)guid, attrs, size,
						   (uint64_t)buf };
	return call_errno(state.rt.set_variable, "SetVariable", args);
}

int efi_rt_next_variable_name(uint16_t *name, size_t *size, uint8_t guid[16])
{
	const uint64_t args[EFI_CALL_MAX_ARGS] = { (uint64_t)size, (uint64_t)name, (uint64_t)guid };

	return call_errno(state.rt.get_next_variable_name, "GetNextVariableName", args);
}

/* Self-tests: skipped where there is no firmware to call. */

#define PROBE_NAME  "KestrelSelftestProbe"
/* Non-volatile: after ExitBootServices a volatile variable is read-only
 * (UEFI 2.10, 8.2, SetVariable), so the probe costs two small flash
 * writes (the variable, its deletion) a self-test run. */
#define PROBE_ATTRS (EFI_VAR_NON_VOLATILE | EFI_VAR_BOOTSERVICE_ACCESS | EFI_VAR_RUNTIME_ACCESS)

/* What a SetVariable and a GetVariable cost (TSC ticks), at debug level. */
static void log_call_costs(uint64_t set, uint64_t get)
{
	uint64_t mhz = selftest_boot_info->tsc_hz / 1000000;

	if (mhz)
		klog(LOG_DEBUG, "efi: SetVariable (non-volatile) %lu us, GetVariable %lu us\n",
		     set / mhz, get / mhz);
}

/* Walk every variable by GetNextVariableName: true if one is named
 * name (ASCII) with Kestrel's GUID. At most WALK_MAX steps; a name
 * longer than WALK_NAME_UNITS (E2BIG) ends the walk. */
#define WALK_MAX        4096
#define WALK_NAME_UNITS 512
static bool walk_finds(const char *name)
{
	uint16_t n16[WALK_NAME_UNITS] = { 0 };
	uint8_t guid[16] = { 0 };
	char ascii[EFI_VAR_NAME_MAX + 1];

	for (int i = 0; i < WALK_MAX; i++) {
		size_t size = sizeof(n16);
		if (efi_rt_next_variable_name(n16, &size, guid))
			return false; /* -ENOENT: the end */
		if (efi_name_from_ucs2(n16, WALK_NAME_UNITS, ascii, sizeof(ascii)) >= 0 &&
		    strcmp(ascii, name) == 0 && memcmp(guid, efi_kestrel_guid, sizeof(guid)) == 0)
			return true;
	}
	return false;
}

/* A variable written, read back (also into a buffer too small), found
 * by walking the names, deleted, and gone. */
SELFTEST(efi_variables)
{
	static const char data[] = "kestrel efi probe";
	char back[64];
	size_t size = 4;
	uint32_t attrs = 0;

	if (!efi_rt_available())
		return SELFTEST_SKIP("no EFI runtime services");
	uint64_t t0 = rdtsc();
	if (efi_rt_set_variable(PROBE_NAME, efi_kestrel_guid, PROBE_ATTRS, data, sizeof(data)))
		return "SetVariable failed";
	uint64_t t1 = rdtsc();
	if (efi_rt_get_variable(PROBE_NAME, efi_kestrel_guid, &attrs, back, &size) != -E2BIG ||
	    size != sizeof(data))
		return "GetVariable into a small buffer: not E2BIG with the size";
	size = sizeof(back);
	uint64_t t2 = rdtsc();
	if (efi_rt_get_variable(PROBE_NAME, efi_kestrel_guid, &attrs, back, &size) ||
	    size != sizeof(data) || memcmp(back, data, size) || attrs != PROBE_ATTRS)
		return "GetVariable did not return what was set";
	log_call_costs(t1 - t0, rdtsc() - t2);
	if (!walk_finds(PROBE_NAME))
		return "GetNextVariableName did not find the variable";
	if (efi_rt_set_variable(PROBE_NAME, efi_kestrel_guid, PROBE_ATTRS, NULL, 0))
		return "deleting the variable failed";
	size = sizeof(back);
	if (efi_rt_get_variable(PROBE_NAME, efi_kestrel_guid, NULL, back, &size) != -ENOENT)
		return "a deleted variable is still there";
	return NULL;
}

/* A call to an address the firmware's page table does not map faults:
 * it must come back as -EIO with the fault described, not panic. Made
 * through the arch call directly, so the services stay on. */
SELFTEST(efi_fault_recovered)
{
	const uint64_t bad = USER_MIN_ADDR, args[EFI_CALL_MAX_ARGS] = { 0 };
	struct efi_call_fault f;
	uint64_t status;

	if (!efi_rt_available())
		return SELFTEST_SKIP("no EFI runtime services");
	if (arch_translate(state.pml4, bad))
		return SELFTEST_SKIP("the firmware maps the probe address");
	if (arch_efi_call(state.pml4, state.stack_top, bad, args, &status, &f) != -EIO)
		return "a call to an unmapped address did not fail";
	if (f.vector != VEC_PAGE_FAULT || f.rip != bad || f.addr != bad)
		return "the fault was not recorded as a page fault at the address";
	return NULL;
}
