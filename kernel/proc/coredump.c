// SPDX-License-Identifier: MIT
/*
 * Kestrel: core dumps, as Linux 6.1's fs/coredump.c and binfmt_elf.c's
 * elf_core_dump write them. A signal whose default action is "core"
 * (SIGQUIT, SIGABRT, SIGSEGV...) first ends the process's other threads
 * (process_core_wait), then the thread it killed writes the core here:
 * the name from kernel.core_pattern, the file made as Linux makes it, an
 * ELF header, the notes, and each region's pages. The wait status says
 * WCOREDUMP when the core's file was made, even if RLIMIT_CORE cut it
 * short (Linux's elf_core_dump answers "dumped" once its notes are filled).
 *
 * What Kestrel leaves out: a core_pattern starting with '|' (Linux's
 * usermode helper; Kestrel starts no programs of its own: no core,
 * logged), the notes of the other threads (they are gone before the dump,
 * not frozen as Linux's zap_threads leaves them), NT_SIGINFO, NT_FILE and
 * the FPU notes, and a writable coredump_filter (the default, 0x33, is
 * the one used).
 */
#include "proc/coredump.h"
#include "proc/process.h"
#include "proc/rlimit.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "proc/uts.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/ptrace.h"
#include "fs/fsops.h"
#include "fs/inode.h"
#include "fs/procfs_sys.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/uvm.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "time/time.h"
#include "uapi/fcntl.h"
#include "uapi/limits.h"
#include "uapi/prctl.h"
#include "uapi/stat.h"
#include "elf64.h"
#include "log.h"

#define CORENAME_MAX SYSCTL_STR_LONG  /* Linux's CORENAME_MAX_SIZE, with the NUL */

/* core_lock protects core_pattern; core_uses_pid is read and written
 * with __atomic. */
static struct spinlock core_lock = SPINLOCK_INIT;
static char core_pattern[CORENAME_MAX] = "core";  /* Linux's default */
static int64_t core_uses_pid;

/* ---------------------------------------------------------------- sysctl */

static void pattern_get(char *buf, size_t cap)
{
	uint64_t fl = spin_lock_irqsave(&core_lock);

	strlcpy(buf, core_pattern, cap);
	spin_unlock_irqrestore(&core_lock, fl);
}

static void pattern_set(const char *s, size_t len)
{
	if (len >= CORENAME_MAX)
		len = CORENAME_MAX - 1;
	uint64_t fl = spin_lock_irqsave(&core_lock);
	memcpy(core_pattern, s, len);
	core_pattern[len] = 0;
	spin_unlock_irqrestore(&core_lock, fl);
}

static const struct sysctl_file core_files[] = {
	{ .name = "core_pattern", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .get_str = pattern_get,
	  .set_str = pattern_set, .str_cap = CORENAME_MAX },
	{ .name = "core_uses_pid", .dir = SYSCTL_DIR_KERNEL, .mode = 0644, .n = 1,
	  .data = &core_uses_pid, .min = -0x7fffffffll - 1, .max = 0x7fffffff }, /* proc_dointvec */
};

void coredump_init(void)
{
	procfs_sysctl_register(core_files, sizeof(core_files) / sizeof(core_files[0]));
}

/* ---------------------------------------------------------------- the name */

/* The name under construction (Linux's struct core_name). */
struct corename {
	char *buf;
	size_t len;
	bool full;
};

static void cn_add(struct corename *cn, const char *s, bool escape)
{
	for (; *s; s++) {
		if (cn->len + 1 >= PATH_MAX) {
			cn->full = true;
			return;
		}
		/* %e, %E and %h must not add directories: '/' becomes '!' (cn_esc_printf) */
		cn->buf[cn->len++] = escape && *s == '/' ? '!' : *s;
	}
	cn->buf[cn->len] = 0;
}

static void cn_num(struct corename *cn, uint64_t v)
{
	char n[24];

	ksnprintf(n, sizeof(n), "%lu", (unsigned long)v);
	cn_add(cn, n, false);
}

/* One %-specifier of the pattern, as Linux's format_corename; an unknown
 * one adds nothing. */
static void cn_spec(struct corename *cn, char c, int sig, uint64_t limit)
{
	struct process *p = current_process();
	const struct cred *cr = current_cred();
	char host[UTS_FIELD_LEN], one[2] = { c, 0 };

	switch (c) {
	case '%': cn_add(cn, one, false); break;
	case 'p': case 'P': cn_num(cn, (uint64_t)p->pid); break;
	case 'i': case 'I': cn_num(cn, (uint64_t)current_thread()->tid); break;
	case 'u': cn_num(cn, cr->uid); break;
	case 'g': cn_num(cn, cr->gid); break;
	case 'd': cn_num(cn, (uint64_t)cr->dumpable); break;
	case 's': cn_num(cn, (uint64_t)sig); break;
	case 't': cn_num(cn, time_realtime_ns() / 1000000000ull); break;
	case 'c': cn_num(cn, limit); break;
	case 'h': uts_get(UTS_HOSTNAME, host); cn_add(cn, host, true); break;
	case 'e': cn_add(cn, p->name, true); break;
	case 'E': cn_add(cn, p->exe_path ? p->exe_path : p->name, true); break;
	default: break;
	}
}

/* The core's file name into buf (PATH_MAX bytes): 0, -ENOSYS for a pipe
 * pattern, -ENAMETOOLONG, -ENOENT for an empty name. */
static int core_name(char *buf, int sig, uint64_t limit)
{
	char pat[CORENAME_MAX];
	struct corename cn = { .buf = buf };
	bool has_pid = false;

	pattern_get(pat, sizeof(pat));
	if (pat[0] == '|')
		return -ENOSYS;
	buf[0] = 0;
	for (const char *s = pat; *s; s++) {
		if (*s != '%' || !s[1]) {
			char one[2] = { *s, 0 };
			cn_add(&cn, one, false);
			continue;
		}
		s++;
		has_pid |= *s == 'p';
		cn_spec(&cn, *s, sig, limit);
	}
	if (!has_pid && __atomic_load_n(&core_uses_pid, __ATOMIC_RELAXED)) {
		cn_add(&cn, ".", false);
		cn_num(&cn, (uint64_t)current_process()->pid);
	}
	if (cn.full)
		return -ENAMETOOLONG;
	return cn.len ? 0 : -ENOENT;
}

/* Linux's do_coredump: unlink what is there, create it O_EXCL 0600, and
 * refuse anything but a new regular file of ours with one link. */
static int core_open(const char *name, struct file **out)
{
	struct file *f;

	vfs_unlink(NULL, name, false); /* none there is fine; other errors show in the open */
	int err = vfs_open(NULL, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_LARGEFILE, 0600, &f);
	if (err)
		return err;
	const struct inode *ip = f->inode;
	if (!ip || !S_ISREG(ip->mode) || ip->nlink != 1 || ip->uid != current_cred()->fsuid ||
	    !file_can_kwrite(f)) {
		file_put(f);
		return -EACCES;
	}
	*out = f;
	return 0;
}

/* ---------------------------------------------------------------- the file */

/* A core being written (Linux's coredump_params): what was emitted counts
 * against the limit, a skipped page does not (it stays a hole). */
struct dump {
	struct file *f;
	uint64_t pos;        /* where the next bytes go */
	uint64_t written;    /* bytes emitted */
	uint64_t limit;      /* RLIMIT_CORE */
	bool skipped;        /* the last step was a skip: the end needs a byte */
	int err;
};

/* A SIGKILL came for the dumping process (Linux's dump_interrupted): the
 * dump stops short, -EINTR in d->err. */
static bool killed(struct dump *d)
{
	if ((current_process()->sig_pending | current_thread()->sig_pending) & (1ull << (SIGKILL - 1)))
		d->err = -EINTR;
	return d->err == -EINTR;
}

static void emit(struct dump *d, const void *buf, size_t n)
{
	if (d->err)
		return;
	if (n > d->limit - d->written) {
		d->err = -EFBIG;
		return;
	}
	if (killed(d))
		return;
	for (size_t done = 0; done < n;) {
		long w = file_kwrite(d->f, (const uint8_t *)buf + done, n - done, &d->pos);
		if (w <= 0) {
			d->err = w < 0 ? (int)w : -EIO;
			return;
		}
		done += (size_t)w;
	}
	d->written += n;
	d->skipped = false;
}

static void skip(struct dump *d, uint64_t n)
{
	d->pos += n;
	d->skipped = n != 0;
}

/* ---------------------------------------------------------------- the regions */

/* A region as the core shows it, taken before anything is written (the
 * writes may sleep; the regions are read under the kernel lock). */
struct seg {
	uint64_t start, end;
	uint64_t dump;       /* bytes of it in the file, from start */
	uint32_t pflags;     /* PF_R, PF_W, PF_X */
};

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

/* Does the file mapping at v begin with an ELF header (COREDUMP_ELF_HEADERS)?
 * Linux asks for the file's offset 0 too, which a region of a file in the
 * boot archive (its bytes borrowed, no name) does not keep. */
static bool elf_header_at(struct vm_space *vs, const struct vma *v)
{
	uint8_t magic[4];

	return (!v->name || v->name_off == 0) && (v->prot & VM_READ) &&
	       uvm_access_forced(vs, v->start, magic, sizeof(magic), false) == 0 &&
	       magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

/* Linux's vma_dump_size with the default filter: how much of v the core
 * holds. A private region is a file's when it has a name (exec's), a
 * memory object (a RAM or disk file's pages) or borrowed bytes (a file of
 * the boot archive); a private file mapping's writable region stands for
 * Linux's one with an anon_vma (pages the program wrote, its data). A
 * shared region is anonymous unless named, as /proc/PID/maps says (Kestrel
 * keeps no name for a shared file mapping). */
static uint64_t dump_size(struct vm_space *vs, const struct vma *v, unsigned filter)
{
	uint64_t whole = v->end - v->start;
	bool file = v->name || v->obj || v->backing;

	if (v->flags & VMA_DONTDUMP)
		return 0;
	if (v->flags & VMA_SHARED) {
		bool named = v->name && !(v->flags & VMA_SYSVSHM);
		return (filter & (named ? COREDUMP_MAPPED_SHARED : COREDUMP_ANON_SHARED)) ? whole : 0;
	}
	if ((!file || (v->prot & VM_WRITE)) && (filter & COREDUMP_ANON_PRIVATE))
		return whole;
	if (!file)
		return 0;
	if (filter & COREDUMP_MAPPED_PRIVATE)
		return whole;
	if ((filter & COREDUMP_ELF_HEADERS) && elf_header_at(vs, v))
		return PAGE_SIZE < whole ? PAGE_SIZE : whole;
	return 0;
}

/* The regions into a new array (*n of them), or NULL when out of memory.
 * Under vs's map_lock (mm/uvm.h): another thread's munmap does not free
 * a region while it is read; elf_header_at's read takes `lock` inside. */
static struct seg *take_segs(struct vm_space *vs, unsigned *n)
{
	uvm_map_lock(vs);
	unsigned cap = vs->nr_vmas, i = 0;
	struct seg *s = kmalloc((cap ? cap : 1) * sizeof(*s));

	if (!s) {
		uvm_map_unlock(vs);
		return NULL;
	}
	for (const struct vma *v = uvm_next_vma(vs, NULL); v && i < cap; v = uvm_next_vma(vs, v), i++)
		s[i] = (struct seg){
			.start = v->start, .end = v->end,
			.dump = dump_size(vs, v, COREDUMP_FILTER_DEFAULT),
			.pflags = ((v->prot & VM_READ) ? PF_R : 0) | ((v->prot & VM_WRITE) ? PF_W : 0) |
				  ((v->prot & VM_EXEC) ? PF_X : 0),
		};
	uvm_map_unlock(vs);
	*n = i;
	return s;
}

/* A region's pages: those present (mapped, or in the region's memory
 * object) copied whatever the protection, as Linux's get_dump_page; a
 * page never touched is left a hole, as Linux leaves an anonymous one.
 * The region's size is the program's (a huge sparse mapping is a loop of
 * billions of holes): SIGKILL stops it, as it stops the writes. */
static void write_seg(struct dump *d, struct vm_space *vs, const struct seg *s, uint8_t *page)
{
	for (uint64_t va = s->start; va < s->start + s->dump && !d->err; va += PAGE_SIZE) {
		if (!uvm_resident(vs, va) || uvm_access_forced(vs, va, page, PAGE_SIZE, false))
			skip(d, PAGE_SIZE);
		else
			emit(d, page, PAGE_SIZE);
		sched_cond_resched();
		if (killed(d))
			break;
	}
}

/* ---------------------------------------------------------------- the notes */

#define NT_PRSTATUS 1
#define NT_PRPSINFO 3
#define NT_AUXV     6
#define NOTE_NAME   "CORE"

/* Linux's struct elf_prstatus on x86_64 (336 bytes). */
struct prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig;
	uint16_t pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	int64_t utime[2], stime[2], cutime[2], cstime[2];
	struct user_regs_k regs;
	int32_t fpvalid;
	int32_t pad1;
};
_Static_assert(sizeof(struct prstatus) == 336, "elf_prstatus");

/* Linux's struct elf_prpsinfo on x86_64 (136 bytes). */
struct prpsinfo {
	char state, sname, zomb, nice;
	uint32_t pad0;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16];
	char psargs[80];
};
_Static_assert(sizeof(struct prpsinfo) == 136, "elf_prpsinfo");

struct nhdr {
	uint32_t namesz, descsz, type;
};

static uint64_t note_size(uint64_t desc)
{
	return sizeof(struct nhdr) + 8 /* "CORE\0" padded to 4 */ + ((desc + 3) & ~3ull);
}

static void emit_note(struct dump *d, uint32_t type, const void *desc, uint32_t len)
{
	static const uint8_t zeros[4];
	struct nhdr h = { .namesz = sizeof(NOTE_NAME), .descsz = len, .type = type };
	char name[8] = NOTE_NAME;

	emit(d, &h, sizeof(h));
	emit(d, name, sizeof(name));
	emit(d, desc, len);
	emit(d, zeros, ((len + 3) & ~3u) - len);
}

static void fill_prstatus(struct prstatus *st, int sig, const struct trap_frame *tf)
{
	struct process *p = current_process();
	struct thread *t = current_thread();

	memset(st, 0, sizeof(*st));
	st->si_signo = st->cursig = (int16_t)sig;
	st->sigpend = p->sig_pending | t->sig_pending;
	st->sighold = t->sig_blocked;
	st->pid = t->tid;
	st->ppid = p->parent ? p->parent->pid : 0;
	st->pgrp = p->pgid;
	st->sid = p->sid;
	arch_ptrace_get_regs(tf, &t->arch, ~0ull, &st->regs);
}

static void fill_prpsinfo(struct prpsinfo *ps)
{
	struct process *p = current_process();
	const struct cred *cr = current_cred();

	memset(ps, 0, sizeof(*ps));
	ps->sname = 'R';
	ps->nice = (char)cr->nice;
	ps->uid = cr->uid;
	ps->gid = cr->gid;
	ps->pid = p->pid;
	ps->ppid = p->parent ? p->parent->pid : 0;
	ps->pgrp = p->pgid;
	ps->sid = p->sid;
	memcpy(ps->fname, p->name, sizeof(ps->fname));
	size_t n = p->cmdline_len < sizeof(ps->psargs) - 1 ? p->cmdline_len : sizeof(ps->psargs) - 1;
	for (size_t i = 0; i < n; i++) /* argv joined by spaces, as Linux's fill_psinfo */
		ps->psargs[i] = p->cmdline[i] ? p->cmdline[i] : ' ';
}

/* ---------------------------------------------------------------- the core */

/* The ELF header, the program headers (PT_NOTE, then a PT_LOAD per
 * region), the notes, then from the next page the regions' bytes, as
 * elf_core_dump lays them out. */
static void write_core(struct dump *d, int sig, const struct trap_frame *tf, const struct seg *segs,
		       unsigned n, uint8_t *page)
{
	struct process *p = current_process();
	uint32_t auxv_len = p->layout.auxv_words * 8;
	uint64_t notes = note_size(sizeof(struct prstatus)) + note_size(sizeof(struct prpsinfo)) +
			 note_size(auxv_len);
	uint64_t phoff = sizeof(struct elf64_ehdr), nphdr = 1 + (uint64_t)n;
	uint64_t noteoff = phoff + nphdr * sizeof(struct elf64_phdr);
	uint64_t off = page_round_up(noteoff + notes);
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LSB */, 1 /* EV_CURRENT */ },
		.e_type = 4 /* ET_CORE */, .e_machine = ELF_EM_X86_64, .e_version = 1,
		.e_phoff = phoff, .e_ehsize = sizeof(eh), .e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = (uint16_t)nphdr,
	};
	struct elf64_phdr note = { .p_type = 4 /* PT_NOTE */, .p_offset = noteoff, .p_filesz = notes };

	emit(d, &eh, sizeof(eh));
	emit(d, &note, sizeof(note));
	for (unsigned i = 0; i < n; i++) {
		struct elf64_phdr ph = {
			.p_type = 1 /* PT_LOAD */, .p_flags = segs[i].pflags, .p_offset = off,
			.p_vaddr = segs[i].start, .p_filesz = segs[i].dump,
			.p_memsz = segs[i].end - segs[i].start, .p_align = PAGE_SIZE,
		};
		emit(d, &ph, sizeof(ph));
		off += segs[i].dump;
	}
	struct prstatus *st = (struct prstatus *)page;
	fill_prstatus(st, sig, tf);
	emit_note(d, NT_PRSTATUS, st, sizeof(*st));
	struct prpsinfo *ps = (struct prpsinfo *)page;
	fill_prpsinfo(ps);
	emit_note(d, NT_PRPSINFO, ps, sizeof(*ps));
	emit_note(d, NT_AUXV, p->layout.auxv, auxv_len);
	skip(d, page_round_up(d->pos) - d->pos);
	for (unsigned i = 0; i < n && !d->err; i++)
		write_seg(d, p->vm, &segs[i], page);
	if (!d->err && d->skipped) { /* the file ends where the last region does */
		static const uint8_t zero;
		d->pos--;
		emit(d, &zero, 1);
	}
}

/* Open the file and write the core: 0 once the file is open (a core cut
 * short by RLIMIT_CORE, SIGKILL or a write error still counts as dumped,
 * as Linux's elf_core_dump reports it once its notes are filled), else
 * -errno. Interrupts on. */
static int dump_to_file(int sig, const struct trap_frame *tf, uint64_t limit)
{
	struct process *p = current_process();
	char *name = kzalloc(PATH_MAX);
	uint8_t *page = kmalloc(PAGE_SIZE);
	struct seg *segs = NULL;
	struct dump d = { .limit = limit };
	unsigned n = 0;
	int err = !name || !page ? -ENOMEM : core_name(name, sig, limit);


	if (!err && !(segs = take_segs(p->vm, &n)))
		err = -ENOMEM;
	if (!err && n + 1 >= ELF_PN_XNUM)
		err = -E2BIG; /* Linux's extended numbering: not here */
	if (!err)
		err = core_open(name, &d.f);
	if (!err) {
		write_core(&d, sig, tf, segs, n, page);
		file_put(d.f);
	}
	if (err || (d.err && d.err != -EFBIG && d.err != -EINTR))
		klog(LOG_INFO, "kestrel: pid %d (%s): signal %d: %s core%s%s: error %d\n", p->pid, p->name,
		     sig, err ? "no" : "a short", name && err != -ENOMEM ? " at " : "",
		     name && err != -ENOMEM ? name : "", err ? err : d.err);
	kfree(segs);
	kfree(page);
	kfree(name);
	return err;
}

bool coredump_write(int sig, struct trap_frame *tf)
{
	struct process *p = current_process();
	uint64_t limit = rlimit_cur(p, RLIMIT_CORE);

	if (current_cred()->dumpable == SUID_DUMP_DISABLE || limit < PAGE_SIZE || !p->vm)
		return false;
	cpu_sti(); /* the file system may sleep */
	int err = dump_to_file(sig, tf, limit);
	cpu_cli();
	return err == 0;
}
