// SPDX-License-Identifier: MIT
/*
 * Kestrel: /sys/devices/system/cpu/cpuN (see sysfs_cpu.h), from the CPU
 * list (smp.h) and each CPU's place in the machine (cpuinfo.h: package,
 * core and thread decoded from its APIC id, as /proc/cpuinfo shows them).
 */
#include "fs/sysfs_cpu.h"
#include "fs/inode.h"
#include "arch/x86_64/cpuinfo.h"
#include "arch/x86_64/smp.h"
#include "lib/cpumask_fmt.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "uapi/stat.h"

_Static_assert(SMP_MAX_CPUS <= SYSFS_CPU_MAX, "every CPU must have its nodes");
_Static_assert(SMP_MAX_CPUS <= CPUMASK_BITS, "a CPU mask must hold every CPU");

#define ATTR_SIZE 4096 /* a sysfs attribute's st_size (PAGE_SIZE) */
#define TEXT_MAX  256  /* the longest text: a list of 64 single CPUs */

/* The nodes of one CPU, by their offset from its base aux. */
enum cpu_item {
	ITEM_DIR,            /* cpuN */
	ITEM_ONLINE,         /* cpuN/online */
	ITEM_TOPOLOGY,       /* cpuN/topology */
	ITEM_TOPO_FIRST,     /* cpuN/topology/<topo_files[i]>: ITEM_TOPO_FIRST + i */
};

/* What a topology file shows: a number, or the CPUs sharing a level with
 * this one as a mask or a list. */
enum topo_kind { TOPO_PACKAGE_ID, TOPO_DIE_ID, TOPO_CORE_ID, TOPO_MASK, TOPO_LIST };
enum topo_level { LEVEL_NONE, LEVEL_CORE, LEVEL_PACKAGE };

static const struct {
	const char *name;
	enum topo_kind kind;
	enum topo_level level;
} topo_files[] = {
	{ "physical_package_id", TOPO_PACKAGE_ID, LEVEL_NONE },
	{ "die_id", TOPO_DIE_ID, LEVEL_NONE },
	{ "core_id", TOPO_CORE_ID, LEVEL_NONE },
	/* the SMT threads of this core (Linux: thread_siblings, and core_cpus since 5.x) */
	{ "thread_siblings", TOPO_MASK, LEVEL_CORE },
	{ "thread_siblings_list", TOPO_LIST, LEVEL_CORE },
	{ "core_cpus", TOPO_MASK, LEVEL_CORE },
	{ "core_cpus_list", TOPO_LIST, LEVEL_CORE },
	/* the CPUs of this package: x86 Linux's core_siblings, die (one die a
	 * package: CPUID leaf 0x1F is not read) and package masks are one */
	{ "core_siblings", TOPO_MASK, LEVEL_PACKAGE },
	{ "core_siblings_list", TOPO_LIST, LEVEL_PACKAGE },
	{ "die_cpus", TOPO_MASK, LEVEL_PACKAGE },
	{ "die_cpus_list", TOPO_LIST, LEVEL_PACKAGE },
	{ "package_cpus", TOPO_MASK, LEVEL_PACKAGE },
	{ "package_cpus_list", TOPO_LIST, LEVEL_PACKAGE },
};
#define N_TOPO ((unsigned)(sizeof(topo_files) / sizeof(topo_files[0])))
_Static_assert(ITEM_TOPO_FIRST + sizeof(topo_files) / sizeof(topo_files[0]) <= SYSFS_CPU_ITEMS,
	       "a CPU's nodes fit its aux range");

static long aux_of(unsigned cpu, unsigned item)
{
	return SYSFS_CPU_BASE + (long)cpu * SYSFS_CPU_ITEMS + item;
}

static unsigned cpu_of(long aux)
{
	return (unsigned)((aux - SYSFS_CPU_BASE) / SYSFS_CPU_ITEMS);
}

static unsigned item_of(long aux)
{
	return (unsigned)((aux - SYSFS_CPU_BASE) % SYSFS_CPU_ITEMS);
}

static void entry(struct sysfs_entry *e, const char *name, uint32_t mode, long aux)
{
	strlcpy(e->name, name, sizeof(e->name));
	e->mode = mode;
	e->aux = aux;
	e->size = S_ISDIR(mode) ? 0 : ATTR_SIZE;
}

/* cpuN's children: online (not cpu0's), then topology. */
static bool cpu_dir_child(unsigned cpu, unsigned k, struct sysfs_entry *e)
{
	if (cpu == 0)
		k++; /* cpu0 has no online file */
	if (k == 0)
		entry(e, "online", S_IFREG | 0644, aux_of(cpu, ITEM_ONLINE));
	else if (k == 1)
		entry(e, "topology", S_IFDIR | 0755, aux_of(cpu, ITEM_TOPOLOGY));
	else
		return false;
	return true;
}

bool sysfs_cpu_child(long dir, unsigned k, struct sysfs_entry *e)
{
	if (dir == SYSFS_CPU_TOP) {
		char name[16];
		if (k >= smp_cpus_online())
			return false;
		ksnprintf(name, sizeof(name), "cpu%u", k);
		entry(e, name, S_IFDIR | 0755, aux_of(k, ITEM_DIR));
		return true;
	}
	if (!sysfs_cpu_is(dir) || cpu_of(dir) >= smp_cpus_online())
		return false;
	if (item_of(dir) == ITEM_DIR)
		return cpu_dir_child(cpu_of(dir), k, e);
	if (item_of(dir) != ITEM_TOPOLOGY || k >= N_TOPO)
		return false;
	entry(e, topo_files[k].name, S_IFREG | 0444, aux_of(cpu_of(dir), ITEM_TOPO_FIRST + k));
	return true;
}

/* The place of online CPU cpu; false if it is not online. */
static bool place_of(unsigned cpu, struct cpu_topo *t)
{
	struct percpu *c = smp_cpu(cpu);

	if (!c)
		return false;
	cpu_topology_of(c->apic_id, t);
	return true;
}

/* The online CPUs sharing level (a core, a package) with cpu, as a mask. */
static uint64_t sharing(unsigned cpu, enum topo_level level)
{
	struct cpu_topo me, other;
	uint64_t mask = 0;

	if (!place_of(cpu, &me))
		return 0;
	for (unsigned i = 0; i < smp_cpus_online(); i++) {
		if (!place_of(i, &other) || other.package != me.package)
			continue;
		if (level == LEVEL_PACKAGE || other.core == me.core)
			mask |= 1ull << i;
	}
	return mask;
}

/* Topology file i of cpu, with its newline. */
static void topo_text(unsigned cpu, unsigned i, char *buf, size_t cap)
{
	struct cpu_topo t = { 0, 0, 0 };
	size_t len = 0;

	place_of(cpu, &t);
	switch (topo_files[i].kind) {
	case TOPO_PACKAGE_ID:
		len = (size_t)ksnprintf(buf, cap, "%u", t.package);
		break;
	case TOPO_DIE_ID:
		len = (size_t)ksnprintf(buf, cap, "0");
		break;
	case TOPO_CORE_ID:
		len = (size_t)ksnprintf(buf, cap, "%u", t.core);
		break;
	case TOPO_MASK:
		len = cpumask_format_hex(buf, cap, sharing(cpu, topo_files[i].level), smp_cpus_online());
		break;
	case TOPO_LIST:
		len = cpumask_format_list(buf, cap, sharing(cpu, topo_files[i].level), smp_cpus_online());
		break;
	}
	if (len + 1 < cap)
		strlcpy(buf + len, "\n", cap - len);
}

long sysfs_cpu_read(long aux, struct iobuf b, size_t n, uint64_t *pos)
{
	char text[TEXT_MAX] = "";
	unsigned cpu = cpu_of(aux), item = item_of(aux);

	if (item == ITEM_ONLINE)
		strlcpy(text, "1\n", sizeof(text)); /* online CPUs only have nodes */
	else if (item >= ITEM_TOPO_FIRST && item - ITEM_TOPO_FIRST < N_TOPO)
		topo_text(cpu, item - ITEM_TOPO_FIRST, text, sizeof(text));
	return vfs_read_text(text, strlen(text), b, n, pos);
}

void sysfs_cpu_text(enum sysfs_cpu_text which, char *buf, size_t cap)
{
	unsigned n = smp_cpus_online();

	if (which == SYSFS_CPU_TEXT_KERNEL_MAX)
		ksnprintf(buf, cap, "%u\n", SMP_MAX_CPUS - 1);
	else if (which == SYSFS_CPU_TEXT_OFFLINE)
		ksnprintf(buf, cap, "\n");
	else if (n <= 1)
		ksnprintf(buf, cap, "0\n");
	else
		ksnprintf(buf, cap, "0-%u\n", n - 1);
}
