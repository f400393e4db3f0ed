// SPDX-License-Identifier: MIT
/*
 * Kestrel x86_64: the Linux signal frame (arch/x86/kernel/signal_64.c and
 * fpu/signal.c in Linux). Below the interrupted stack's red zone, or at
 * the top of the alternate stack, lowest address first:
 *
 *     rsp ->  pretcode           the handler's return address (sa_restorer)
 *             struct ucontext    flags, link, uc_stack, sigcontext, sigmask
 *             siginfo            128 bytes
 *             ...                padding to 64 bytes
 *     fpstate -> XSAVE image     fpu_area_size() bytes (512 with FXSAVE only),
 *                                 then FP_XSTATE_MAGIC2 when XSAVE is used
 *
 * The handler gets a clean FPU state, as in Linux. The FPU image goes
 * through the thread's own save area (the registers are live in the CPU
 * while the thread runs, so the area is free scratch until the next
 * switch): no static buffer, so nothing is shared between threads.
 */
#include "arch/x86_64/signal.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/features.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "uapi/signal.h"

#define RED_ZONE         128  /* the x86_64 ABI's: leaf functions use it below RSP */
#define SYSCALL_INSN_LEN 2    /* both "syscall" and "int $0x80" */

/* What rt_sigreturn takes from the frame: Linux's FIX_EFLAGS. IOPL, IF, NT,
 * VM stay as the kernel had them. */
#define RFLAGS_USER_CHANGEABLE (RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | \
				RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF | RFLAGS_RF)
/* ucontext.uc_flags (Linux): the fpstate is an XSAVE image; the frame's
 * ss is meaningful, and restore it exactly (a bad one then faults the
 * IRET: SIGSEGV); without STRICT, a bad ss is replaced by the user data
 * selector (old DOSEMU and CRIU frames). */
#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

/* The XSAVE image: the legacy FXSAVE area, whose bytes 464..511 are left
 * to software (Linux puts struct _fpx_sw_bytes there), then the header. */
#define FX_MXCSR        24
#define FX_SW_BYTES     464
#define FX_SIZE         512
#define XSAVE_HDR       512  /* xstate_bv, xcomp_bv, 48 reserved bytes */
#define XSAVE_HDR_SIZE  64
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define XFEATURE_FP_SSE  0x3ull
#define MXCSR_VALID      0xffbfu /* a reserved bit would make (F)XRSTOR fault in the kernel */

/* The Linux x86_64 signal frame, as user space expects it. */
struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved[8];
};

struct ucontext_k {
	uint64_t flags;
	uint64_t link;
	struct stack_k stack;   /* uapi/signal.h */
	struct sigcontext_k mc;
	uint64_t sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;        /* the handler's return address: sa_restorer */
	struct ucontext_k uc;
	uint8_t info[ARCH_SIGINFO_SIZE];
};

/* Linux's struct _fpx_sw_bytes: says the fpstate is an XSAVE image and how big. */
struct fpx_sw_bytes {
	uint32_t magic1;          /* FP_XSTATE_MAGIC1 */
	uint32_t extended_size;   /* xstate_size + 4 (MAGIC2) */
	uint64_t xfeatures;       /* the XCR0 bits the image holds */
	uint32_t xstate_size;     /* bytes of the XSAVE image */
	uint32_t padding[7];
};

_Static_assert(sizeof(struct sigcontext_k) == 256, "sigcontext");
_Static_assert(sizeof(struct fpx_sw_bytes) == FX_SIZE - FX_SW_BYTES, "fpx_sw_bytes");

/* ---- the FPU part ---- */

static bool have_xsave(void)
{
	return cpu_features()->xsave;
}

/* Bytes of the fpstate on the frame: the image, and MAGIC2 after an XSAVE one. */
static uint64_t fpstate_bytes(void)
{
	return fpu_area_size() + (have_xsave() ? sizeof(uint32_t) : 0);
}

/* Save the live FPU registers into area, marked up as Linux's sigframe image. */
static void fpstate_prepare(uint8_t *area)
{
	fpu_save(area);
	memset(area + FX_SW_BYTES, 0, FX_SIZE - FX_SW_BYTES);
	if (!have_xsave())
		return;
	struct fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = (uint32_t)fpu_area_size() + sizeof(uint32_t),
		.xfeatures = cpu_features()->xcr0,
		.xstate_size = (uint32_t)fpu_area_size(),
	};
	memcpy(area + FX_SW_BYTES, &sw, sizeof(sw));
	uint64_t bv;
	memcpy(&bv, area + XSAVE_HDR, sizeof(bv));
	bv |= XFEATURE_FP_SSE; /* the legacy area is always valid, as Linux marks it */
	memcpy(area + XSAVE_HDR, &bv, sizeof(bv));
}

/* Copy the FPU state to the user's fpstate at uaddr. Nonzero on a fault. */
static int fpstate_save_user(uint64_t uaddr, uint8_t *area)
{
	uint32_t magic2 = FP_XSTATE_MAGIC2;

	fpstate_prepare(area);
	if (copy_to_user(uaddr, area, fpu_area_size()))
		return -1;
	if (have_xsave() && copy_to_user(uaddr + fpu_area_size(), &magic2, sizeof(magic2)))
		return -1;
	return 0;
}

/* Is the image at uaddr (already in area) a whole XSAVE image as
 * fpstate_prepare marks it? If not, only its legacy part is used. */
static bool fpstate_is_xsave(uint64_t uaddr, const uint8_t *area)
{
	struct fpx_sw_bytes sw;
	uint32_t magic2;

	memcpy(&sw, area + FX_SW_BYTES, sizeof(sw));
	if (sw.magic1 != FP_XSTATE_MAGIC1 || sw.xstate_size != fpu_area_size() ||
	    sw.extended_size != fpu_area_size() + sizeof(uint32_t))
		return false;
	return copy_from_user(&magic2, uaddr + fpu_area_size(), sizeof(magic2)) == 0 &&
	       magic2 == FP_XSTATE_MAGIC2;
}

/* Make an image from the user safe for (F)XRSTOR, which would fault in
 * the kernel on a reserved MXCSR bit, a feature bit XCR0 lacks, a
 * compacted-format bit or a nonzero reserved header byte. */
static void fpstate_sanitise(uint64_t uaddr, uint8_t *area)
{
	uint32_t mxcsr;
	uint64_t bv, keep = XFEATURE_FP_SSE;

	memcpy(&mxcsr, area + FX_MXCSR, sizeof(mxcsr));
	mxcsr &= MXCSR_VALID;
	memcpy(area + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	if (!have_xsave())
		return;
	if (fpstate_is_xsave(uaddr, area)) {
		struct fpx_sw_bytes sw;
		memcpy(&sw, area + FX_SW_BYTES, sizeof(sw));
		keep = sw.xfeatures;
	}
	memcpy(&bv, area + XSAVE_HDR, sizeof(bv));
	bv &= keep & cpu_features()->xcr0; /* a component left out starts clean */
	memset(area + XSAVE_HDR, 0, XSAVE_HDR_SIZE);
	memcpy(area + XSAVE_HDR, &bv, sizeof(bv));
}

/* Load the FPU registers from the user's fpstate at uaddr. Nonzero on a fault. */
static int fpstate_restore_user(uint64_t uaddr, uint8_t *area)
{
	if (copy_from_user(area, uaddr, fpu_area_size()))
		return -1;
	fpstate_sanitise(uaddr, area);
	fpu_restore(area);
	return 0;
}

void arch_fpu_set_legacy(struct arch_thread *a, const void *fx)
{
	uint8_t *area = a->fpu;
	uint32_t mxcsr;
	uint64_t bv;

	memcpy(area, fx, FX_SW_BYTES);
	memcpy(&mxcsr, area + FX_MXCSR, sizeof(mxcsr));
	mxcsr &= MXCSR_VALID;
	memcpy(area + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	if (!have_xsave())
		return;
	memcpy(&bv, area + XSAVE_HDR, sizeof(bv));
	bv |= XFEATURE_FP_SSE; /* the legacy area now holds the x87 and SSE state */
	memcpy(area + XSAVE_HDR, &bv, sizeof(bv));
}

/* ---- the frame ---- */

static void fill_context(struct sigcontext_k *mc, const struct trap_frame *tf, uint64_t mask,
			 uint64_t fpstate)
{
	*mc = (struct sigcontext_k){
		tf->r8, tf->r9, tf->r10, tf->r11, tf->r12, tf->r13, tf->r14, tf->r15,
		tf->rdi, tf->rsi, tf->rbp, tf->rbx, tf->rdx, tf->rax, tf->rcx, tf->rsp, tf->rip,
		tf->rflags, (uint16_t)tf->cs, 0, 0, (uint16_t)tf->ss,
		tf->error, tf->vector < VEC_EXCEPTIONS ? tf->vector : 0, mask, 0, fpstate, { 0 },
	};
}

/* Fill the frame (not the FPU part) that will sit at user address at. */
static void fill_frame(struct rt_sigframe *fr, const struct trap_frame *tf,
		       const struct arch_sigframe_req *req, uint64_t fpstate)
{
	memset(fr, 0, sizeof(*fr));
	fr->pretcode = req->restorer;
	fr->uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | /* as Linux's 64-bit frames */
		       (have_xsave() ? UC_FP_XSTATE : 0);
	fr->uc.stack = (struct stack_k){ req->ss_sp, (int32_t)req->ss_flags, 0, req->ss_size };
	fill_context(&fr->uc.mc, tf, req->mask, fpstate);
	fr->uc.sigmask = req->mask;
	memcpy(fr->info, req->info, ARCH_SIGINFO_SIZE);
}

bool arch_signal_setup_frame(struct trap_frame *tf, struct arch_thread *a,
			     const struct arch_sigframe_req *req)
{
	struct rt_sigframe fr;
	uint64_t top = req->alt_top ? req->alt_top : tf->rsp - RED_ZONE;
	uint64_t fpstate = (top - fpstate_bytes()) & ~63ull;
	uint64_t at = ((fpstate - sizeof(fr)) & ~15ull) - 8; /* as if called: (rsp + 8) % 16 == 0 */

	if (at < req->floor || at > top)
		return false; /* off the bottom of the alternate stack (or wrapped) */
	fill_frame(&fr, tf, req, fpstate);
	if (fpstate_save_user(fpstate, a->fpu) || copy_to_user(at, &fr, sizeof(fr)))
		return false;
	fpu_init_area(a->fpu); /* the handler starts with a clean FPU, as in Linux */
	fpu_restore(a->fpu);
	tf->rsp = at;
	tf->rip = req->handler;
	tf->rdi = (uint64_t)req->sig;
	tf->rsi = at + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = at + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF);
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	return true;
}

/* The selectors of a sigreturn frame, as Linux's restore_sigcontext takes
 * them: RPL forced to 3 (so no frame can raise privilege), otherwise the
 * user's; a bad one makes the IRET fault, which bad_iret (trap.c) turns
 * into SIGSEGV. A bad ss with the 64-bit cs and no UC_STRICT_RESTORE_SS is
 * replaced by the user data selector, the only valid ring-3 SS here. */
static void restore_selectors(struct trap_frame *tf, const struct ucontext_k *uc)
{
	tf->cs = arch_selector_from_user(uc->mc.cs);
	tf->ss = arch_selector_from_user(uc->mc.ss);
	if (!(uc->flags & UC_STRICT_RESTORE_SS) && tf->cs == USER_CS)
		tf->ss = USER_DS;
}

static void restore_registers(struct trap_frame *tf, const struct sigcontext_k *m)
{
	tf->r8 = m->r8; tf->r9 = m->r9; tf->r10 = m->r10; tf->r11 = m->r11;
	tf->r12 = m->r12; tf->r13 = m->r13; tf->r14 = m->r14; tf->r15 = m->r15;
	tf->rdi = m->rdi; tf->rsi = m->rsi; tf->rbp = m->rbp; tf->rbx = m->rbx;
	tf->rdx = m->rdx; tf->rcx = m->rcx; tf->rsp = m->rsp; tf->rip = m->rip;
	tf->rax = m->rax;
	tf->rflags = arch_rflags_from_user(tf->rflags, m->eflags);
}

uint64_t arch_rflags_from_user(uint64_t cur, uint64_t user)
{
	return (cur & ~RFLAGS_USER_CHANGEABLE) | (user & RFLAGS_USER_CHANGEABLE) | RFLAGS_IF;
}

/* A RIP outside user space gives SIGSEGV on the way out (signal_deliver),
 * a bad selector when the IRET faults: Linux's results. */
bool arch_signal_restore_frame(struct trap_frame *tf, struct arch_thread *a, uint64_t *mask)
{
	struct ucontext_k uc;
	uint64_t at = tf->rsp - 8; /* the handler's ret popped pretcode */

	if (copy_from_user(&uc, at + __builtin_offsetof(struct rt_sigframe, uc), sizeof(uc)))
		return false;
	if (uc.mc.fpstate && fpstate_restore_user(uc.mc.fpstate, a->fpu))
		return false;
	if (!uc.mc.fpstate) { /* no FPU state: a clean one, as Linux */
		fpu_init_area(a->fpu);
		fpu_restore(a->fpu);
	}
	restore_registers(tf, &uc.mc);
	restore_selectors(tf, &uc);
	*mask = uc.sigmask;
	return true;
}

/* ---- system call restarts ---- */

bool arch_syscall_result(const struct trap_frame *tf, long *ret)
{
	if (tf->vector != VEC_SYSCALL && tf->vector != VEC_INT80)
		return false;
	*ret = (long)tf->rax;
	return true;
}

void arch_syscall_set_result(struct trap_frame *tf, long ret)
{
	tf->rax = (uint64_t)ret;
}

void arch_syscall_restart(struct trap_frame *tf, uint64_t nr)
{
	tf->rax = nr;
	tf->rip -= SYSCALL_INSN_LEN;
}
