// SPDX-License-Identifier: MIT
/*
 * Kestrel: the boot sequence, one call per subsystem, top to bottom.
 */
#include "boot.h"
#include "log.h"
#include "profile.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "panic.h"
#include "ksyms.h"
#include "memmap.h"
#include "test/selftest.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "dev/serial.h"
#include "dev/fbcon.h"
#include "dev/fbshadow.h"
#include "dev/console.h"
#include "firmware/acpi.h"
#include "firmware/efi_rt.h"
#include "dev/power.h"
#include "time/time.h"
#include "dev/refclocks.h"
#include "dev/rtc.h"
#include "dev/tty.h"
#include "dev/console_file.h"
#include "dev/pty.h"
#include "dev/pci.h"
#include "dev/xhci.h"
#include "block/bcache.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/debugcon.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/features.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/klock.h"
#include "arch/x86_64/tlb.h"
#include "mm/mm.h"
#include "fs/vfs.h"
#include "fs/fstype.h"
#include "proc/process.h"
#include "proc/coredump.h"
#include "proc/lockcheck.h"
#include "proc/sched.h"
#include "proc/vdso.h"
#include "ipc/ipc.h"
#include "ipc/mqueue.h"
#include "net/net.h"
#include "sys/syscall.h"
#include "sys/sys_aio.h"
#include "fs/inotify.h"
#include "keys/keys.h"
#include "test/harness.h"
#include "test/results.h"

#define KESTREL_VERSION "0.1"
#define MIB ((uint64_t)1 << 20)
#define FB_COLOR_ERR   0xff5555
#define FB_COLOR_WARN  0xffff55
#define FB_COLOR_DEBUG 0x909090

uint64_t direct_map_size;
static struct boot_config cfg;
static uint64_t tsc_at_entry;

/* Nothing else in the block may be read until this passes. */
static bool boot_info_valid(const struct kbi_boot_info *bi)
{
	return bi && bi->magic == KBI_MAGIC && bi->version == KBI_VERSION &&
	       bi->size >= sizeof(*bi) && bi->memmap_entry_size == sizeof(struct kbi_mem_range);
}

static void __attribute__((noreturn)) bad_boot_info(void)
{
	static const char msg[] = "kestrel: bad boot info from the loader (magic, version or size); halting\n";
	serial_write(msg, sizeof(msg) - 1);
	cpu_halt_forever();
}

static void serial_sink_write(const char *s, size_t n, int level)
{
	(void)level;
	serial_write(s, n);
}

/* The framebuffer colour of a log line's level; 0 keeps the default
 * (info lines, and raw bytes such as a panic report). */
static uint32_t fb_level_color(int level)
{
	if (level == LOG_RAW)
		return 0;
	if (level <= LOG_ERR)
		return FB_COLOR_ERR;
	if (level == LOG_WARN)
		return FB_COLOR_WARN;
	return level >= LOG_DEBUG ? FB_COLOR_DEBUG : 0;
}

static void fb_sink_write(const char *s, size_t n, int level)
{
	uint32_t color = fb_level_color(level);

	if (color)
		fbcon_set_color(color);
	fbcon_write(s, n);
	if (color)
		fbcon_reset_color();
}

static void debugcon_sink_write(const char *s, size_t n, int level)
{
	(void)level;
	debugcon_write(s, n);
}

static const struct log_sink serial_sink = { serial_sink_write, serial_drain };
static const struct log_sink debugcon_sink = { debugcon_sink_write, NULL };
static const struct log_sink fb_sink = { fb_sink_write, fbcon_flush };
static int serial_sink_id = -1, fb_sink_id = -1;

/* Hand the present consoles to the log, both enabled, as soon as they
 * are up: lines logged before the command line is read go to both. */
static void register_consoles(bool have_serial, bool have_fb)
{
	if (have_serial)
		serial_sink_id = log_add_sink(&serial_sink);
	if (have_fb)
		fb_sink_id = log_add_sink(&fb_sink);
}

/* console=debugcon: the emulator's port 0xE9 as a console, given the
 * log so far (the ring) and then every line; false if nothing answers
 * there. */
static bool start_debugcon(void)
{
	char buf[LOG_LINE_MAX];
	size_t off = 0, n;

	if (!debugcon_present()) {
		klog(LOG_WARN, "console: no debug console at port 0xe9 (console=debugcon)\n");
		return false;
	}
	while ((n = log_ring_read(buf, &off, sizeof(buf))) > 0)
		debugcon_write(buf, n);
	return log_add_sink(&debugcon_sink) >= 0;
}

/* Keep the consoles the command line asks for; a console that is
 * missing (no UART on a laptop, no framebuffer on a headless box) hands
 * its share to the other, so the log always goes somewhere. */
static void setup_consoles(bool have_serial, bool have_fb)
{
	bool serial = cfg.console_serial && have_serial;
	bool fb = cfg.console_fb && have_fb;
	bool debugcon = cfg.console_debugcon && start_debugcon();

	if (!serial && !fb && !debugcon) {
		serial = have_serial;
		fb = have_fb;
	}
	log_enable_sink(serial_sink_id, serial);
	log_enable_sink(fb_sink_id, fb);
	log_set_level(cfg.loglevel);
	/* The framebuffer answers ESC[6n itself only when it is the sole
	 * terminal: a serial terminal on the same output answers on its own. */
	if (fb && !serial)
		fbcon_set_reply(console_input_reply);
}

static void banner_memory(const struct kbi_boot_info *bi)
{
	const struct kbi_mem_range *r = phys_to_virt(bi->memmap);
	int n = (int)bi->memmap_count;
	uint64_t free_now = memmap_total(r, n, KBI_MEM_USABLE);
	uint64_t reclaim = memmap_total(r, n, KBI_MEM_BOOT_SERVICES) + memmap_total(r, n, KBI_MEM_LOADER) +
			   memmap_total(r, n, KBI_MEM_ACPI_RECLAIM);
	uint64_t kept = memmap_total(r, n, KBI_MEM_KERNEL) + memmap_total(r, n, KBI_MEM_ROOTFS) +
			memmap_total(r, n, KBI_MEM_BOOTINFO) + memmap_total(r, n, KBI_MEM_PAGETABLES) +
			memmap_total(r, n, KBI_MEM_BOOT_STACK);

	if (n == 0)
		klog(LOG_ERR, "memory: the loader's memory map is empty\n");
	klog(LOG_INFO, "memory: %lu MiB usable (%lu MiB free, %lu MiB reclaimable, %lu MiB boot data), %d ranges\n",
	     (free_now + reclaim + kept) / MIB, free_now / MIB, reclaim / MIB, kept / MIB, n);
}

static void banner_fb(const struct kbi_boot_info *bi, bool have_fb)
{
	static const char *const fmt[] = { "none", "RGBX", "BGRX", "bitmask" };
	const struct kbi_framebuffer *fb = &bi->fb;

	if (!have_fb) {
		klog(LOG_INFO, "framebuffer: none\n");
		return;
	}
	klog(LOG_INFO, "framebuffer: %ux%u stride %u %s at %#lx, font %s (%ux%u text)\n",
	     fb->width, fb->height, fb->stride, fmt[fb->format & 3], fb->base, fbcon_font_name(),
	     fbcon_cols(), fbcon_rows());
}

/* What the loader checked (shared/bootinfo.h, KBI_SB_*). Under Secure
 * Boot it refused anything unverified, so "on" means verified. */
static void banner_secure_boot(const struct kbi_boot_info *bi)
{
	uint32_t sb = bi->secure_boot;

	if (sb & KBI_SB_ON) {
		klog(LOG_INFO, "secure boot: on; kernel and rootfs verified by the signed loader%s\n",
		     (sb & KBI_SB_CMDLINE_FILTERED) ? ", words of cmdline.txt ignored" : "");
		return;
	}
	klog(LOG_INFO, "secure boot: off; kernel %s, rootfs %s\n",
	     (sb & KBI_SB_KERNEL_VERIFIED) ? "verified" : "NOT verified",
	     (sb & KBI_SB_ROOTFS_VERIFIED) ? "verified" : "NOT verified");
}

static void banner(const struct kbi_boot_info *bi, uint64_t tsc_entry, bool have_fb)
{
	klog(LOG_INFO, "Kestrel %s (x86_64)\n", KESTREL_VERSION);
	klog(LOG_INFO, "boot: loader start to kernel entry %lu ms (TSC %lu MHz, measured by the loader)\n",
	     log_ms_since_origin(tsc_entry), bi->tsc_hz / 1000000);
	if (bi->tsc_hz >= 1000) /* the TSC counts from reset: the firmware's share (make bench) */
		klog(LOG_INFO, "boot: reset to loader start %lu ms (the firmware, by the TSC)\n",
		     bi->tsc_loader_start / (bi->tsc_hz / 1000));
	banner_memory(bi);
	banner_fb(bi, have_fb);
	klog(LOG_INFO, "acpi: RSDP %#lx (ACPI %s), %s with %u tables\n", bi->acpi_rsdp,
	     bi->acpi_rsdp_revision >= 2 ? "2.0+" : "1.0", acpi_root_name(), acpi_table_count());
	klog(LOG_INFO, "rootfs: %lu bytes at %#lx\n", bi->rootfs_size, bi->rootfs);
	klog(LOG_INFO, "kernel: %lu KiB at phys %#lx, %lu symbols\n", bi->kernel_size / 1024,
	     bi->kernel_phys_base, ksyms_count());
	banner_secure_boot(bi);
	klog(LOG_INFO, "cmdline: \"%.*s\"\n", (int)bi->cmdline_len,
	     bi->cmdline ? (const char *)phys_to_virt(bi->cmdline) : "");
	klog(LOG_INFO, "init: %s%s%.*s\n", cfg.init, cfg.init_args_len ? " " : "",
	     (int)cfg.init_args_len, cfg.init_args ? cfg.init_args : "");
}

/* What a panic does once it has reported (panic=): the debug exit first
 * when it is on, then reset or power off; returning halts. */
static void panic_stop(enum panic_action action)
{
	debugexit_if_enabled(DEBUGEXIT_PANIC);
	if (action == PANIC_REBOOT)
		power_reboot();
	else if (action == PANIC_POWEROFF)
		power_off();
}

/* The end of a self-test run (selftest with debugexit): report the
 * failure count to QEMU, or halt so the screen can be read. */
static void __attribute__((noreturn)) boot_finish(int status)
{
	console_echo_loop(); /* with `echo`: the interactive input test first */
	klog(LOG_INFO, "kestrel: boot complete, status %d; halting\n", status);
	vfs_sync_all(); /* the disks written back and marked clean before QEMU ends */
	debugexit_if_enabled((uint8_t)status);
	log_flush(); /* the consoles' last lines out (the framebuffer's shadow too) */
	cpu_halt_forever();
}

/* Words after " -- " init gets at most, its path not counted (Linux's
 * MAX_INIT_ARGS). */
#define INIT_ARGS_MAX 32

/* argv for init: its path, then the words after " -- " on the command
 * line; words past INIT_ARGS_MAX are left out, with a warning. */
static void init_argv(char *buf, size_t cap, const char **argv)
{
	int n = 0;
	size_t len = cfg.init_args_len < cap - 1 ? cfg.init_args_len : cap - 1;

	argv[n++] = cfg.init;
	memcpy(buf, cfg.init_args ? cfg.init_args : "", len);
	buf[len] = '\0';
	for (char *s = buf; *s;) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		if (n > INIT_ARGS_MAX) {
			klog(LOG_WARN, "kestrel: init gets at most %d arguments; leaving out '%s'\n",
			     INIT_ARGS_MAX, s);
			break;
		}
		argv[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	argv[n] = NULL;
}

/* Start PID 1 and wait for it: when it exits, so does the machine (with
 * debugexit, QEMU gets its status). The default /sbin/init falls back to
 * /bin/sh, as Linux does when init is missing. */
static void __attribute__((noreturn)) run_init(void)
{
	/* Linux's envp_init: no PATH, so that init (or /bin/sh as init) uses
	 * its own default, which has /usr/bin, where Debian's programs are. */
	static const char *const envp[] = { "HOME=/", "TERM=linux", NULL };
	static char buf[256];
	const char *argv[INIT_ARGS_MAX + 2];
	int err;

	init_argv(buf, sizeof(buf), argv);
	struct process *init = process_spawn_init(cfg.init, argv, envp, &err);
	if (!init && strcmp(cfg.init, INIT_DEFAULT) == 0) {
		klog(LOG_WARN, "kestrel: cannot start %s (error %d); trying /bin/sh\n", cfg.init, err);
		memcpy(cfg.init, "/bin/sh", 8);
		argv[0] = cfg.init;
		init = process_spawn_init(cfg.init, argv, envp, &err);
	}
	if (!init)
		panic("cannot start init %s (error %d)", cfg.init, err);
	klog(LOG_INFO, "boot: kernel entry to init %lu ms (init is runnable)\n",
	     log_ms_since_origin(rdtsc()) - log_ms_since_origin(tsc_at_entry));
	process_wait(init, NO_DEADLINE);
	int status = wstatus_shell_code(init->wstatus);
	klog(LOG_INFO, "kestrel: init exited with status %d\n", status);
	vfs_sync_all(); /* every disk file system written back and marked clean */
	debugexit_if_enabled((uint8_t)status);
	power_off();
}

/* The root file system: the disk partition root= names (fs/fstype.h),
 * else (or when it cannot be mounted) the boot archive in RAM; then the
 * EFI system partition the loader was read from, at /boot/efi. */
static void mount_filesystems(const struct kbi_boot_info *bi)
{
	if (!cfg.root[0] || vfs_mount_root(cfg.root, cfg.rootfstype[0] ? cfg.rootfstype : NULL))
		vfs_init(bi->rootfs_size ? phys_to_virt(bi->rootfs) : NULL, bi->rootfs_size);
	if (bi->esp_guid_valid)
		vfs_mount_esp(bi->esp_guid);
}

/* The in-kernel tests (all, unless a filter leaves out the word
 * "kernel"), then the user programs of /etc/selftest the filter names;
 * one closing line for both. Returns the failure count. */
static int run_selftests(const struct kbi_boot_info *bi)
{
	int passed = 0, failed = 0;

	if (harness_selected("kernel", cfg.selftest_filter, cfg.selftest_filter_len))
		selftest_run(bi, &passed, &failed);
	harness_run(cfg.selftest_filter, cfg.selftest_filter_len, &passed, &failed);
	klog(LOG_INFO, "selftest: %d passed, %d failed\n", passed, failed);
	fbcon_result_banner(passed, failed); /* PASS or FAIL, large, on the screen */
	selftest_save_summary(passed, failed); /* in an EFI variable, for the next boot and Linux */
	selftest_save_results(); /* on the ESP, for whoever booted the stick */
	return failed;
}

static const struct kbi_boot_info *boot_bi;

/* The other CPUs' stacks and tables, and their start (smp_start),
 * inside the clock's calibration window: a wait for the reference clock
 * anyway. Under emulation both cost wall time the boot
 * would otherwise wait for: the allocations touch fresh guest memory
 * (15 ms of an 8-CPU boot), and the started CPUs are host threads that
 * compete with the boot CPU while they set themselves up. */
static void start_cpus(void)
{
	smp_start(boot_bi, cfg.maxcpus);
}

void kmain(struct kbi_boot_info *bi)
{
	uint64_t tsc_entry = rdtsc();
	bool have_serial = serial_init();

	tsc_at_entry = tsc_entry;

	if (!boot_info_valid(bi))
		bad_boot_info();
	direct_map_size = bi->direct_map_size;
	bool have_fb = fbcon_init(&bi->fb);
	register_consoles(have_serial, have_fb);
	panic_set_stop(panic_stop);
	log_set_clock(bi->tsc_loader_start, bi->tsc_hz);
	gdt_init();
	idt_init();
	boot_parse_cmdline(bi, &cfg);
	if (bi->cmdline)
		procfs_set_cmdline(phys_to_virt(bi->cmdline), bi->cmdline_len);
	setup_consoles(have_serial, have_fb);
	debugexit_enable(cfg.debugexit);
	acpi_init(bi->acpi_rsdp, bi->acpi_rsdp_revision);
	banner(bi, tsc_entry, have_fb);
	cpu_features_init();
	mm_init(bi);
	percpu_init_boot_cpu();
	heap_cpu_caches_start(); /* GS names this CPU's block from here on */
	pmm_cpu_caches_start();
	lockcheck_init(); /* debug builds: the spinlocks' order from here on */
	klock_init_boot(); /* this boot thread holds the kernel lock from now on */
	interrupts_init();
	smp_park_others(); /* the other CPUs out of the firmware's loop until smp_init */
	tlb_init();
	time_preset_tsc_khz(cfg.tsc_early_khz); /* 0: measure it */
	smp_set_ap_entry(sched_ap_enter); /* the scheduler is above arch: registered */
	smp_set_tsc_skew(cfg.smp_tsc_skew); /* 0 but in the warp test's test */
	boot_bi = bi;
	time_calibration_work(start_cpus); /* in the calibration's wait */
	time_init(bi, refclock_pick(bi->tsc_hz));
	if (cfg.tsc_unstable)
		time_mark_tsc_unstable("tsc=unstable");
	cpu_sti();
	console_input_init(bi);
	console_file_register(); /* the console as a file, until a TTY opens */
	efi_rt_init(bi); /* before the RTC, which may fall back to GetTime */
	selftest_log_last_run(); /* what the previous self-test run left in its EFI variable */
	rtc_init();
	pci_init();
	power_init(); /* the FADT's memory-space power registers mapped */
	sched_init();
	sched_set_idle_poll(!cfg.idle_halt);
	if (cfg.klockstat)
		klock_stat_enable(true);
	if (cfg.profile)
		profile_init(kzalloc(profile_buckets_for(cfg.profile_shift) * sizeof(uint32_t)),
			     profile_buckets_for(cfg.profile_shift), cfg.profile_shift); /* before the APs tick */
	fbshadow_start(); /* the framebuffer console draws in RAM from now on */
	process_init();
	if (!cfg.no_vdso)
		vdso_init(); /* the [vvar] and [vdso] pages every exec maps; the clock publishes into [vvar] */
	bcache_init(); /* the block cache's write-back thread, when pci_init found a disk */
	xhci_hotplug_start(); /* USB devices plugged in or pulled out from now on */
	tty_init(); /* the console TTY: ^C works before anything opens it */
	pty_init(); /* /dev/ptmx and /dev/pts */
	smp_finish(); /* the other CPUs, started after time_init, into the scheduler */
	if (smp_tsc_warp())
		time_mark_tsc_unstable("the CPUs' TSCs are not in step");
	syscall_init(cfg.audit, cfg.audit_ring);
	ipc_init(); /* System V IPC's sysctls, /proc/sysvipc and SEM_UNDO at exit */
	mqueue_init(); /* POSIX message queues' file system and /proc/sys/fs/mqueue */
	aio_init(); /* Linux AIO's sysctls and its contexts' end at exit */
	inotify_init(); /* /proc/sys/fs/inotify */
	coredump_init(); /* kernel.core_pattern and core_uses_pid */
	keys_init(); /* keyrings: the credentials' hooks, kernel.keys.*, /proc/keys */
	net_init(cfg.ip); /* lo, the network thread, and ip='s configuration (a DHCP lease is waited for) */
	mount_filesystems(bi);
	int failed = cfg.selftest ? run_selftests(bi) : 0;
	if (cfg.crash)
		selftest_crash(cfg.crash, cfg.crash_len);
	if ((cfg.selftest && cfg.debugexit) || cfg.echo)
		boot_finish(failed); /* a test run: no init */
	run_init();
}
