// SPDX-License-Identifier: MIT
/* Kestrel: turning the command line into a struct boot_config. */
#include "boot.h"
#include "log.h"
#include "profile.h"
#include "panic.h"
#include "dev/power.h"
#include "lib/string.h"
#include "mm/layout.h"

#define LOGLEVEL_MAX 7
#define MAXCPUS_MAX  4096u  /* more than any machine; larger values are malformed */
#define DECIMAL_BASE 10u
#define TSC_KHZ_MAX  100000000u /* 100 GHz */

static bool val_is(const struct cmdline_word *w, const char *s)
{
	return w->has_val && w->val_len == strlen(s) && memcmp(w->val, s, w->val_len) == 0;
}

struct consoles {
	bool serial, fb, debugcon;
};

/* One name of console=: serial, fb, both (serial and fb) or debugcon. */
static bool console_name(const char *v, uint32_t n, struct consoles *c)
{
	if (n == 6 && memcmp(v, "serial", n) == 0)
		c->serial = true;
	else if (n == 2 && memcmp(v, "fb", n) == 0)
		c->fb = true;
	else if (n == 4 && memcmp(v, "both", n) == 0)
		c->serial = c->fb = true;
	else if (n == 8 && memcmp(v, "debugcon", n) == 0)
		c->debugcon = true;
	else
		return false;
	return true;
}

/* console=NAME[,NAME...]: exactly the consoles named. A malformed list
 * changes nothing. */
static bool parse_console(const struct cmdline_word *w, struct boot_config *cfg)
{
	struct consoles c = { false, false, false };

	if (!w->has_val || w->val_len == 0)
		return false;
	for (uint32_t i = 0; i <= w->val_len;) {
		uint32_t j = i;
		while (j < w->val_len && w->val[j] != ',')
			j++;
		if (!console_name(w->val + i, j - i, &c))
			return false;
		i = j + 1;
	}
	cfg->console_serial = c.serial;
	cfg->console_fb = c.fb;
	cfg->console_debugcon = c.debugcon;
	return true;
}

static bool parse_panic(const struct cmdline_word *w)
{
	if (val_is(w, "halt"))
		panic_set_action(PANIC_HALT);
	else if (val_is(w, "reboot"))
		panic_set_action(PANIC_REBOOT);
	else if (val_is(w, "poweroff"))
		panic_set_action(PANIC_POWEROFF);
	else
		return false;
	return true;
}

static bool parse_loglevel(const struct cmdline_word *w, struct boot_config *cfg)
{
	if (!w->has_val || w->val_len != 1 || w->val[0] < '0' || w->val[0] > '0' + LOGLEVEL_MAX)
		return false;
	cfg->loglevel = w->val[0] - '0';
	return true;
}

static bool parse_init(const struct cmdline_word *w, struct boot_config *cfg)
{
	if (!w->has_val || w->val_len == 0 || w->val_len >= INIT_PATH_MAX || w->val[0] != '/')
		return false;
	memcpy(cfg->init, w->val, w->val_len);
	cfg->init[w->val_len] = '\0';
	return true;
}

/* The value of w as a decimal from min to max into *out; false if it is
 * missing, not a number or out of range. */
static bool parse_decimal_in(const struct cmdline_word *w, unsigned min, unsigned max, unsigned *out)
{
	unsigned n = 0;

	if (!w->has_val || w->val_len == 0)
		return false;
	for (uint32_t i = 0; i < w->val_len; i++) {
		if (w->val[i] < '0' || w->val[i] > '9')
			return false;
		n = n * DECIMAL_BASE + (unsigned)(w->val[i] - '0');
		if (n > max)
			return false;
	}
	if (n < min)
		return false;
	*out = n;
	return true;
}

/* The value of w as a decimal from 1 to max into *out. */
static bool parse_decimal(const struct cmdline_word *w, unsigned max, unsigned *out)
{
	return parse_decimal_in(w, 1, max, out);
}

/* A word whose value is kept as a string (root=, rootfstype=): false if
 * it is empty or does not fit. */
static bool parse_string(const struct cmdline_word *w, char *dst, size_t cap)
{
	if (!w->has_val || w->val_len == 0 || w->val_len >= cap)
		return false;
	memcpy(dst, w->val, w->val_len);
	dst[w->val_len] = '\0';
	return true;
}

/* profile=N (Linux's, its CPU form alone): a decimal from 0 to
 * PROFILE_SHIFT_MAX; false otherwise. */
static bool parse_profile(const struct cmdline_word *w, struct boot_config *cfg)
{
	return parse_decimal_in(w, 0, PROFILE_SHIFT_MAX, &cfg->profile_shift) && (cfg->profile = true);
}

/* One word; false if it is unknown or its value is malformed. */
static bool parse_word(const struct cmdline_word *w, struct boot_config *cfg)
{
	if (cmdline_word_is(w, "console"))
		return parse_console(w, cfg);
	if (cmdline_word_is(w, "loglevel"))
		return parse_loglevel(w, cfg);
	if (cmdline_word_is(w, "init"))
		return parse_init(w, cfg);
	if (cmdline_word_is(w, "panic"))
		return parse_panic(w);
	if (cmdline_word_is(w, "power")) /* power=acpi|efi: the order in dev/power.c */
		return w->has_val && power_set_method(w->val, w->val_len);
	if (cmdline_word_is(w, "selftest")) {
		cfg->selftest = true;
		if (w->has_val) {
			cfg->selftest_filter = w->val;
			cfg->selftest_filter_len = w->val_len;
		}
		return true;
	}
	if (cmdline_word_is(w, "echo")) /* also read by console_echo_loop */
		return !w->has_val && (cfg->echo = true);
	if (cmdline_word_is(w, "audit")) /* audit: log (and record) every call; audit=ring: record */
		return w->has_val ? val_is(w, "ring") && (cfg->audit_ring = true) : (cfg->audit = true);
	if (cmdline_word_is(w, "debugexit"))
		return !w->has_val && (cfg->debugexit = true);
	if (cmdline_word_is(w, "root"))
		return parse_string(w, cfg->root, sizeof(cfg->root));
	if (cmdline_word_is(w, "rootfstype"))
		return parse_string(w, cfg->rootfstype, sizeof(cfg->rootfstype));
	if (cmdline_word_is(w, "ip")) /* Linux's ip=: net/ipconfig.h */
		return parse_string(w, cfg->ip, sizeof(cfg->ip));
	if (cmdline_word_is(w, "maxcpus")) /* 1 to MAXCPUS_MAX */
		return parse_decimal(w, MAXCPUS_MAX, &cfg->maxcpus);
	if (cmdline_word_is(w, "tsc_early_khz")) /* Linux's: the TSC rate, not measured */
		return parse_decimal(w, TSC_KHZ_MAX, &cfg->tsc_early_khz);
	if (cmdline_word_is(w, "smp_tsc_skew")) /* a test of the TSC warp check */
		return parse_decimal(w, UINT32_MAX, &cfg->smp_tsc_skew);
	if (cmdline_word_is(w, "nosmp"))
		return !w->has_val && (cfg->maxcpus = 1);
	if (cmdline_word_is(w, "vdso")) /* Linux's vdso=0|1 */
		return val_is(w, "0") ? (cfg->no_vdso = true) : val_is(w, "1");
	if (cmdline_word_is(w, "klockstat")) /* /proc/klock_stat counts from boot on */
		return !w->has_val && (cfg->klockstat = true);
	if (cmdline_word_is(w, "profile")) /* Linux's profile=N: profile.h */
		return parse_profile(w, cfg);
	if (cmdline_word_is(w, "idle")) /* Linux's idle=halt */
		return val_is(w, "halt") && (cfg->idle_halt = true);
	if (cmdline_word_is(w, "tsc")) /* Linux's tsc=unstable */
		return val_is(w, "unstable") && (cfg->tsc_unstable = true);
	if (cmdline_word_is(w, "verify")) /* the loader's: hash the files with Secure Boot off */
		return !w->has_val;
	if (cmdline_word_is(w, "fb")) /* fb=WIDTHxHEIGHT: the loader's choice of mode */
		return w->has_val;
	if (cmdline_word_is(w, "crash") && w->has_val) {
		cfg->crash = w->val;
		cfg->crash_len = w->val_len;
		return true;
	}
	return false;
}

void boot_parse_cmdline(const struct kbi_boot_info *bi, struct boot_config *cfg)
{
	struct cmdline c;
	struct cmdline_word w;
	uint32_t pos = 0;

	*cfg = (struct boot_config){ .console_serial = true, .console_fb = true,
				     .loglevel = LOG_DEFAULT_LEVEL };
	memcpy(cfg->init, INIT_DEFAULT, sizeof(INIT_DEFAULT));
	if (!bi->cmdline || !bi->cmdline_len)
		return;
	cmdline_init(&c, phys_to_virt(bi->cmdline), bi->cmdline_len);
	while (cmdline_next(&c, &pos, &w))
		if (!parse_word(&w, cfg))
			klog(LOG_WARN, "cmdline: ignoring unknown or malformed word '%.*s%s%.*s'\n",
			     (int)w.key_len, w.key, w.has_val ? "=" : "", (int)w.val_len,
			     w.has_val ? w.val : "");
	if (c.has_init_args) {
		cfg->init_args = c.s + c.init_args_off;
		cfg->init_args_len = c.len - c.init_args_off;
	}
}
