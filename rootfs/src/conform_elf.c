// SPDX-License-Identifier: MIT
// ELF loading as Linux's binfmt_elf does it, /proc/PID/maps and /proc/PID/statm.
#define _GNU_SOURCE
#include <elf.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "checks.h"

/*
 * As Linux (fs/binfmt_elf.c, fs/proc/task_mmu.c), the shapes gVisor's
 * exec_binary_test builds. Each check writes a tiny static ELF to /tmp
 * (code at 0x40000 after the headers: getpid, kill(self, SIGSTOP),
 * exit(42)), runs it in a child and looks at how it ends and, while it
 * is stopped, at its /proc/PID/maps:
 * - a writable and executable PT_LOAD loads (Linux does not enforce W^X);
 * - a segment whose file range runs past the end of the file loads (the
 *   pages map what exists); with no code at all the program runs off the
 *   zeroes and dies of SIGSEGV;
 * - p_offset not congruent to p_vaddr: execve succeeds (the point of no
 *   return is passed) and the process dies of SIGSEGV;
 * - a segment without file bytes ignores p_offset and is anonymous rw-p
 *   memory whatever its flags; overlapping segments: the later one wins;
 * - the maps lines: start-end, perms, the file offset and the path for
 *   file pages, offset 0 and no name for bss pages;
 * - PT_INTERP "\0\0" (an empty path) is EACCES, an interpreter for
 *   another machine ELIBBAD; one naming no file ENOENT, a text file
 *   ELIBBAD, an ELF file cut inside its header EIO, a path without its
 *   NUL ENOEXEC; program headers past the end of the file ENOEXEC;
 * - five levels of #! scripts run, six are ELOOP;
 * - /proc/self/maps names the program, [stack]; /proc/self/statm has
 *   seven numbers, resident <= size.
 */
#define BASE      0x40000UL
#define PAGE      4096UL
#define EXIT_CODE 42
#define RUN_MS    5000
#define MAX_PH    4

static const unsigned char code[] = {
	0xb8, 0x27, 0x00, 0x00, 0x00, /* mov $39, %eax (getpid) */
	0x0f, 0x05,                   /* syscall */
	0x89, 0xc7,                   /* mov %eax, %edi */
	0xbe, 0x13, 0x00, 0x00, 0x00, /* mov $SIGSTOP, %esi */
	0xb8, 0x3e, 0x00, 0x00, 0x00, /* mov $62, %eax (kill) */
	0x0f, 0x05,                   /* syscall */
	0xbf, EXIT_CODE, 0, 0, 0,     /* mov $42, %edi */
	0xb8, 0x3c, 0x00, 0x00, 0x00, /* mov $60, %eax (exit) */
	0x0f, 0x05,                   /* syscall */
};

/* An image: the ELF header, nph program headers, then data. Offsets and
 * vaddrs in ph are relative to data until finish() moves them past the
 * headers (as gVisor's UpdateOffsets). */
struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PH];
	int nph;
	unsigned char data[2 * PAGE];
	size_t len;
};

/* The standard image: PT_GNU_STACK, then an r-x PT_LOAD of the code. */
static void standard(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_phoff = sizeof(im->eh);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->ph[0] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
	im->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = BASE,
				  .p_filesz = sizeof(code), .p_memsz = sizeof(code) };
	im->nph = 2;
	im->eh.e_entry = BASE;
	memcpy(im->data, code, sizeof(code));
	im->len = sizeof(code);
}

static Elf64_Phdr *add_ph(struct image *im)
{
	return &im->ph[im->nph++];
}

static void finish(struct image *im)
{
	size_t hdr = sizeof(im->eh) + (size_t)im->nph * sizeof(Elf64_Phdr);

	im->eh.e_phnum = (Elf64_Half)im->nph;
	im->eh.e_entry += hdr;
	for (int i = 0; i < im->nph; i++) {
		im->ph[i].p_offset += hdr;
		im->ph[i].p_vaddr += hdr;
	}
}

static int write_image(const struct image *im, const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return fail("create %s: %s", path, errname(errno));
	size_t ph = (size_t)im->nph * sizeof(Elf64_Phdr);
	int ok = write(fd, &im->eh, sizeof(im->eh)) == (ssize_t)sizeof(im->eh) &&
		 write(fd, im->ph, ph) == (ssize_t)ph &&
		 write(fd, im->data, im->len) == (ssize_t)im->len;
	close(fd);
	return ok ? CHECK_OK : fail("write %s: %s", path, errname(errno));
}

static void tmp_name(char *buf, size_t n, const char *what) /* what: a few letters */
{
	snprintf(buf, n, "/tmp/t-conform-elf-%s.%d", what, (int)getpid());
}

/* How a run ended: exit code, 100 + execve's errno, or -signal. */
struct run {
	int end;
	char maps[8192];   /* the child's maps while it was stopped ("" if never) */
};

static void read_maps(pid_t pid, char *buf, size_t n)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	buf[0] = '\0';
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	size_t len = 0;
	ssize_t r;
	while (len + 1 < n && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
}

/* Run argv[0] in a child: at a SIGSTOP read its maps and let it go on. */
static int run_prog(char *const argv[], struct run *r)
{
	char *envp[] = { NULL };
	int st;
	long long deadline = now_ms() + RUN_MS;

	r->maps[0] = '\0';
	pid_t pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(100 + (errno & 0x7f));
	}
	if (pid < 0)
		return fail("fork: %s", errname(errno));
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG | WUNTRACED);
		if (w == pid && WIFSTOPPED(st)) {
			read_maps(pid, r->maps, sizeof(r->maps));
			kill(pid, SIGCONT);
			continue;
		}
		if (w == pid)
			break;
		if (w < 0 || now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return fail("the program did not end within %d ms", RUN_MS);
		}
		ms_sleep(2);
	}
	r->end = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
	return CHECK_OK;
}

/* Write im to a temporary file, run it, remove it. */
static int run_image(const struct image *im, const char *what, struct run *r, char *path, size_t n)
{
	tmp_name(path, n, what);
	if (write_image(im, path, 0755))
		return CHECK_FAIL;
	char *argv[] = { path, NULL };
	int err = run_prog(argv, r);
	unlink(path);
	return err;
}

/* The maps line for [start, end) has these perms, offset and name ("" for none). */
static int want_map(const struct run *r, unsigned long start, unsigned long end, const char *perms,
		    unsigned long off, const char *name)
{
	for (const char *l = r->maps; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char line[PATH_MAX + 128], p[8] = "", dev[16] = "";
		unsigned long s, e, o, ino;
		int name_at = 0;
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &s, &e, p, &o, dev, &ino, &name_at) >= 6 &&
		    s == start && e == end) {
			const char *nm = name_at ? line + name_at : "";
			if (strcmp(p, perms) || o != off || strcmp(nm, name))
				return fail("maps: \"%s\", want %s %08lx \"%s\"", line, perms, off, name);
			if (*name && (size_t)name_at != 73)
				return fail("maps: \"%s\": the name is not at column 73", line);
			return CHECK_OK;
		}
		l = nl ? nl + 1 : l + len;
	}
	return fail("maps: no %08lx-%08lx line in:\n%s", start, end, r->maps);
}

static int want_end(const char *what, const struct run *r, int end)
{
	if (r->end == end)
		return CHECK_OK;
	return fail("%s: ended %d (exit code, 100+errno, -signal), want %d", what, r->end, end);
}

static int check_standard(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	finish(&im);
	if (run_image(&im, "std", &r, path, sizeof(path)) || want_end("the standard ELF", &r, EXIT_CODE))
		return CHECK_FAIL;
	return want_map(&r, BASE, BASE + PAGE, "r-xp", 0, path);
}

static int check_wx_segment(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	im.ph[1].p_flags = PF_R | PF_W | PF_X;
	finish(&im);
	if (run_image(&im, "wx", &r, path, sizeof(path)) || want_end("a RWX segment", &r, EXIT_CODE))
		return CHECK_FAIL;
	return want_map(&r, BASE, BASE + PAGE, "rwxp", 0, path);
}

/* Data + bss: the file page and an anonymous page, both rw-p. */
static int check_data_bss(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	im.len = PAGE + PAGE / 2;
	*add_ph(&im) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = PAGE,
				     .p_vaddr = BASE + PAGE, .p_filesz = PAGE / 2,
				     .p_memsz = 2 * PAGE - PAGE / 2 };
	finish(&im);
	if (run_image(&im, "data", &r, path, sizeof(path)) || want_end("data and bss", &r, EXIT_CODE))
		return CHECK_FAIL;
	if (want_map(&r, BASE + PAGE, BASE + 2 * PAGE, "rw-p", PAGE, path))
		return CHECK_FAIL;
	return want_map(&r, BASE + 2 * PAGE, BASE + 3 * PAGE, "rw-p", 0, "");
}

/* A segment without file bytes: anonymous rw-p whatever p_offset and p_flags say. */
static int check_anon_segment(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	*add_ph(&im) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_memsz = PAGE };
	finish(&im);
	im.ph[2].p_vaddr = BASE + PAGE; /* aligned; p_offset is not */
	if (run_image(&im, "anon", &r, path, sizeof(path)) || want_end("an anonymous segment", &r, EXIT_CODE))
		return CHECK_FAIL;
	return want_map(&r, BASE + PAGE, BASE + 2 * PAGE, "rw-p", 0, "");
}

/* The same range twice: the later segment (rwx) replaces the first. */
static int check_overlap(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	*add_ph(&im) = im.ph[1];
	im.ph[2].p_flags = PF_R | PF_W | PF_X;
	finish(&im);
	if (run_image(&im, "overlap", &r, path, sizeof(path)) || want_end("overlapping segments", &r, EXIT_CODE))
		return CHECK_FAIL;
	return want_map(&r, BASE, BASE + PAGE, "rwxp", 0, path);
}

/* The code's file range ends past the end of the file: what exists is mapped. */
static int check_past_eof(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	im.ph[1].p_filesz = im.ph[1].p_memsz = PAGE / 2;
	finish(&im);
	if (run_image(&im, "eof", &r, path, sizeof(path)))
		return CHECK_FAIL;
	if (want_end("a segment past the end of the file", &r, EXIT_CODE))
		return CHECK_FAIL;
	standard(&im);
	im.len = 0; /* no code at all: it runs off the zeroes */
	finish(&im);
	if (run_image(&im, "notext", &r, path, sizeof(path)))
		return CHECK_FAIL;
	return want_end("a program without its code", &r, -SIGSEGV);
}

/* p_offset not congruent to p_vaddr: execve succeeds, then SIGSEGV. */
static int check_unaligned(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	im.ph[1].p_offset += 1;
	finish(&im);
	if (run_image(&im, "unaligned", &r, path, sizeof(path)))
		return CHECK_FAIL;
	return want_end("a misaligned segment", &r, -SIGSEGV);
}

/* PT_INTERP: an empty path (EACCES, the working directory), another machine's interpreter (ELIBBAD). */
static int check_interp(void)
{
	struct image im, in;
	struct run r;
	char path[64], ipath[64];

	standard(&im);
	memcpy(im.data + im.len, "\0", 2);
	*add_ph(&im) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = im.len, .p_filesz = 2, .p_memsz = 2 };
	im.len += 2;
	finish(&im);
	if (run_image(&im, "interp0", &r, path, sizeof(path)) || want_end("PT_INTERP \"\"", &r, 100 + EACCES))
		return CHECK_FAIL;

	standard(&in);
	in.eh.e_machine = EM_PPC64;
	finish(&in);
	tmp_name(ipath, sizeof(ipath), "ppc");
	if (write_image(&in, ipath, 0755))
		return CHECK_FAIL;
	standard(&im);
	size_t n = strlen(ipath) + 1;
	memcpy(im.data + im.len, ipath, n);
	*add_ph(&im) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = im.len, .p_filesz = n, .p_memsz = n };
	im.len += n;
	finish(&im);
	int err = run_image(&im, "interp1", &r, path, sizeof(path));
	unlink(ipath);
	return err ? err : want_end("an interpreter for PPC64", &r, 100 + ELIBBAD);
}

/* Run the standard program with a PT_INTERP of the n bytes at interp:
 * how it ended in r. */
static int run_with_interp(const char *interp, size_t n, struct run *r)
{
	struct image im;
	char path[64];

	standard(&im);
	memcpy(im.data + im.len, interp, n);
	*add_ph(&im) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = im.len, .p_filesz = n, .p_memsz = n };
	im.len += n;
	finish(&im);
	return run_image(&im, "interp", r, path, sizeof(path));
}

/* Write n bytes of data as an executable file at path. */
static int write_bytes(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	int ok = fd >= 0 && write(fd, data, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok ? CHECK_OK : fail("write %s: %s", path, errname(errno));
}

/* A bad interpreter (issue 14): a path to nothing is ENOENT, a text file
 * ELIBBAD, an ELF file cut inside its header EIO (Linux's elf_read of a
 * short file; a text file as short gives EIO too), a path without its
 * NUL or shorter than two bytes ENOEXEC. */
static int check_interp_bad(void)
{
	static const char missing[] = "/nonexistent/ld-kestrel.so.1";
	struct image in;
	struct run r;
	char ipath[64];

	if (run_with_interp(missing, sizeof(missing), &r) ||
	    want_end("PT_INTERP naming no file", &r, 100 + ENOENT))
		return CHECK_FAIL;
	if (run_with_interp(missing, sizeof(missing) - 1, &r) ||
	    want_end("PT_INTERP without its NUL", &r, 100 + ENOEXEC))
		return CHECK_FAIL;
	if (run_with_interp("", 1, &r) || want_end("PT_INTERP of one byte", &r, 100 + ENOEXEC))
		return CHECK_FAIL;
	tmp_name(ipath, sizeof(ipath), "txt");
	static const char text[] = "#!/bin/sh\n# longer than an ELF header: read whole, then refused\n"
				   "echo not an ELF file\n";
	int err = write_bytes(ipath, text, sizeof(text) - 1);
	if (!err && !(err = run_with_interp(ipath, strlen(ipath) + 1, &r)))
		err = want_end("an interpreter that is a text file", &r, 100 + ELIBBAD);
	standard(&in);
	finish(&in);
	if (!err && !(err = write_bytes(ipath, &in.eh, 20)) &&
	    !(err = run_with_interp(ipath, strlen(ipath) + 1, &r)))
		err = want_end("an interpreter cut inside its ELF header", &r, 100 + EIO);
	unlink(ipath);
	return err;
}

/* A program whose program headers lie past the end of its file (cut
 * short): ENOEXEC, as Linux's load_elf_phdrs. */
static int check_truncated(void)
{
	struct image im;
	struct run r;
	char path[64];

	standard(&im);
	finish(&im);
	tmp_name(path, sizeof(path), "cut");
	if (write_bytes(path, &im.eh, sizeof(im.eh) + 8))
		return CHECK_FAIL;
	char *argv[] = { path, NULL };
	int err = run_prog(argv, &r);
	unlink(path);
	return err ? err : want_end("a program cut inside its program headers", &r, 100 + ENOEXEC);
}

/* Five levels of #! scripts run the program; six are ELOOP. */
static int check_script_depth(void)
{
	struct image im;
	char names[7][64], text[96], tag[16];
	struct run r;
	int err = CHECK_OK;

	standard(&im);
	finish(&im);
	tmp_name(names[0], sizeof(names[0]), "depth0");
	if (write_image(&im, names[0], 0755))
		return CHECK_FAIL;
	for (int i = 1; i <= 6 && !err; i++) {
		snprintf(tag, sizeof(tag), "depth%d", i);
		tmp_name(names[i], sizeof(names[i]), tag);
		int fd = open(names[i], O_WRONLY | O_CREAT | O_TRUNC, 0755);
		int len = snprintf(text, sizeof(text), "#!%s\n", names[i - 1]);
		if (fd < 0 || write(fd, text, (size_t)len) != len)
			err = fail("create %s: %s", names[i], errname(errno));
		if (fd >= 0)
			close(fd);
	}
	char *five[] = { names[5], NULL }, *six[] = { names[6], NULL };
	if (!err && !(err = run_prog(five, &r)))
		err = want_end("five levels of scripts", &r, EXIT_CODE);
	if (!err && !(err = run_prog(six, &r)))
		err = want_end("six levels of scripts", &r, 100 + ELOOP);
	for (int i = 0; i <= 6; i++)
		unlink(names[i]);
	return err;
}

static int read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return fail("open %s: %s", path, errname(errno));
	size_t len = 0;
	ssize_t r;
	while (len + 1 < n && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
	return CHECK_OK;
}

/* /proc/self/maps: the program's own text with its path, and [stack]. */
static int check_self_maps(void)
{
	static struct run r;
	char exe[PATH_MAX], line[PATH_MAX + 8];
	unsigned long here = (unsigned long)&check_self_maps;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return fail("readlink /proc/self/exe: %s", errname(errno));
	exe[n] = '\0';
	if (read_file("/proc/self/maps", r.maps, sizeof(r.maps)))
		return CHECK_FAIL;
	snprintf(line, sizeof(line), " %s\n", exe);
	if (!strstr(r.maps, line) || !strstr(r.maps, " [stack]\n"))
		return fail("/proc/self/maps has no line for %s or [stack]:\n%s", exe, r.maps);
	for (const char *l = r.maps; *l; l = strchr(l, '\n') + 1) {
		unsigned long s, e;
		char p[8];
		if (sscanf(l, "%lx-%lx %7s", &s, &e, p) == 3 && s <= here && here < e)
			return p[2] == 'x' ? CHECK_OK : fail("the code's region is %s", p);
		if (!strchr(l, '\n'))
			break;
	}
	return fail("no region holds the code at %#lx", here);
}

static int check_statm(void)
{
	char buf[256];
	unsigned long v[7];

	if (read_file("/proc/self/statm", buf, sizeof(buf)))
		return CHECK_FAIL;
	if (sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &v[6]) != 7)
		return fail("statm \"%s\": not seven numbers", buf);
	if (v[0] == 0 || v[1] > v[0] || v[3] > v[0] || v[5] > v[0])
		return fail("statm \"%s\": size %lu, resident %lu, text %lu, data %lu", buf, v[0], v[1],
			    v[3], v[5]);
	return CHECK_OK;
}

static const struct check checks[] = {
	{ "standard", check_standard },
	{ "wx-segment", check_wx_segment },
	{ "data-bss", check_data_bss },
	{ "anon-segment", check_anon_segment },
	{ "overlap", check_overlap },
	{ "past-eof", check_past_eof },
	{ "unaligned", check_unaligned },
	{ "interp", check_interp },
	{ "interp-bad", check_interp_bad },
	{ "truncated", check_truncated },
	{ "script-depth", check_script_depth },
	{ "self-maps", check_self_maps },
	{ "statm", check_statm },
};

int main(int argc, char **argv)
{
	return run_checks("conform_elf", checks, NELEMS(checks), argc, argv);
}
