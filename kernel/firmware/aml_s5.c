// SPDX-License-Identifier: MIT
/*
 * Kestrel: \_S5 from a DSDT or SSDT, found by walking the AML encoding
 * (ACPI 6.5, chapter 20) object by object, never by a byte scan that
 * could match "_S5_" inside a buffer, a string or another name. See
 * aml_s5.h for what is understood and what is stepped over.
 *
 * The walk keeps a stack of the namespace scopes it is inside (Scope,
 * Device, Processor, PowerResource, ThermalZone), each with the offset
 * where it ends and its absolute path, so that every Name is resolved to
 * an absolute path before it is compared with \_S5. Everything is an
 * offset into the table checked against the end of the enclosing object;
 * nesting of scopes and of expressions is bounded.
 */
#include "firmware/aml_s5.h"

#include <stddef.h>

#define TABLE_LEN_OFF     4
#define AML_MAX_SCOPES    16  /* scopes followed inside each other; deeper ones are stepped over */
#define AML_MAX_SEGS      8   /* segments of a path kept (a count goes on past it) */
#define AML_MAX_EXPR      32  /* nesting of expressions stepped over */
#define PATH_UNKNOWN      0x40000000u /* a path that cannot be the root's child */

/* Opcodes (ACPI 6.5, 20.3). */
#define AML_ZERO_OP       0x00
#define AML_ONE_OP        0x01
#define AML_NAME_OP       0x08
#define AML_BYTE_PREFIX   0x0a
#define AML_WORD_PREFIX   0x0b
#define AML_DWORD_PREFIX  0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX  0x0e
#define AML_SCOPE_OP      0x10
#define AML_PACKAGE_OP    0x12
#define AML_VAR_PACKAGE_OP 0x13
#define AML_METHOD_OP     0x14
#define AML_DUAL_NAME     0x2e
#define AML_MULTI_NAME    0x2f
#define AML_EXT_PREFIX    0x5b
#define AML_ROOT_CHAR     0x5c  /* '\' */
#define AML_PARENT_CHAR   0x5e  /* '^' */
#define AML_RETURN_OP     0xa4
#define AML_ONES_OP       0xff
#define AML_EXT_DEVICE    0x82
#define AML_EXT_PROCESSOR 0x83
#define AML_EXT_POWER_RES 0x84
#define AML_EXT_THERMAL   0x85

/* PkgLength (20.2.4): bits 7-6 of the lead byte count the bytes that
 * follow; with none, bits 5-0 are the length, else bits 3-0 are its low
 * nibble and each following byte the next 8 bits. */
#define PKG_FOLLOW_SHIFT  6
#define PKG_SHORT_MASK    0x3fu
#define PKG_NIBBLE_MASK   0x0fu

#define NAMESEG_LEN       4
#define S5_SEG            ((uint32_t)'_' | (uint32_t)'S' << 8 | (uint32_t)'5' << 16 | \
			   (uint32_t)'_' << 24)

/* A namespace path: n segments (only the first AML_MAX_SEGS kept). */
struct path {
	uint32_t n;
	uint32_t seg[AML_MAX_SEGS];
};

/* A NameString as written: a root prefix, ^ count, and its segments. */
struct name {
	bool root;
	uint32_t parents;
	struct path rel;
};

/* One object's bytes: [pos, end) of the table b. */
struct cur {
	const uint8_t *b;
	uint32_t pos, end;
};

struct scope {
	uint32_t end;
	struct path path;
};

/* -------------------------------------------------------------- bytes */

static bool get8(struct cur *c, uint8_t *v)
{
	if (c->pos >= c->end)
		return false;
	*v = c->b[c->pos++];
	return true;
}

static bool skip(struct cur *c, uint32_t n)
{
	if (c->end - c->pos < n)
		return false;
	c->pos += n;
	return true;
}

/* Little-endian integer of n bytes (n <= 8). */
static bool get_le(struct cur *c, unsigned n, uint64_t *v)
{
	if (c->end - c->pos < n)
		return false;
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)c->b[c->pos + i] << (8 * i);
	c->pos += n;
	return true;
}

/* PkgLength at c->pos: sets *end to where the object ends (counted from
 * the PkgLength's first byte), which must lie inside c and after the
 * PkgLength itself. */
static bool pkg_length(struct cur *c, uint32_t *end)
{
	uint32_t start = c->pos, len;
	uint8_t lead, more;

	if (!get8(c, &lead))
		return false;
	more = lead >> PKG_FOLLOW_SHIFT;
	if (more == 0) {
		len = lead & PKG_SHORT_MASK;
	} else {
		uint64_t rest;
		if (!get_le(c, more, &rest))
			return false;
		len = (lead & PKG_NIBBLE_MASK) | (uint32_t)rest << 4;
	}
	if (len > c->end - start || start + len < c->pos)
		return false;
	*end = start + len;
	return true;
}

/* -------------------------------------------------------------- names */

static bool lead_name_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool name_char(uint8_t ch)
{
	return lead_name_char(ch) || (ch >= '0' && ch <= '9');
}

/* Does a NameString start with this byte (in a place where a term may)? */
static bool name_start(uint8_t ch)
{
	return lead_name_char(ch) || ch == AML_ROOT_CHAR || ch == AML_PARENT_CHAR ||
	       ch == AML_DUAL_NAME || ch == AML_MULTI_NAME;
}

static void path_push(struct path *p, uint32_t seg)
{
	if (p->n < AML_MAX_SEGS)
		p->seg[p->n] = seg;
	if (p->n < PATH_UNKNOWN)
		p->n++;
}

/* One NameSeg: a lead character, then three name characters. */
static bool name_seg(struct cur *c, struct path *p)
{
	uint64_t v;

	if (c->end - c->pos < NAMESEG_LEN || !lead_name_char(c->b[c->pos]))
		return false;
	for (unsigned i = 1; i < NAMESEG_LEN; i++)
		if (!name_char(c->b[c->pos + i]))
			return false;
	get_le(c, NAMESEG_LEN, &v);
	path_push(p, (uint32_t)v);
	return true;
}

/* A NameString (20.2.2): [\ | ^...] then NullName, NameSeg, DualNamePath
 * or MultiNamePath. */
static bool name_string(struct cur *c, struct name *n)
{
	uint8_t ch, count = 1;

	*n = (struct name){ 0 };
	if (c->pos < c->end && c->b[c->pos] == AML_ROOT_CHAR) {
		n->root = true;
		c->pos++;
	}
	while (!n->root && c->pos < c->end && c->b[c->pos] == AML_PARENT_CHAR) {
		n->parents++;
		c->pos++;
	}
	if (c->pos >= c->end)
		return false;
	ch = c->b[c->pos];
	if (ch == AML_ZERO_OP) /* NullName */
		return skip(c, 1);
	if (ch == AML_DUAL_NAME) {
		count = 2;
		c->pos++;
	} else if (ch == AML_MULTI_NAME) {
		c->pos++;
		if (!get8(c, &count) || count == 0)
			return false;
	}
	for (unsigned i = 0; i < count; i++)
		if (!name_seg(c, &n->rel))
			return false;
	return true;
}

/* The absolute path a name declared in scope names. */
static struct path resolve(const struct path *scope, const struct name *n)
{
	struct path p = { 0 };

	if (!n->root) {
		p = *scope;
		if (n->parents > p.n)
			p.n = PATH_UNKNOWN; /* above the root: an error ACPICA refuses */
		else if (p.n != PATH_UNKNOWN)
			p.n -= n->parents;
	}
	for (uint32_t i = 0; i < n->rel.n && i < AML_MAX_SEGS; i++)
		path_push(&p, n->rel.seg[i]);
	for (uint32_t i = AML_MAX_SEGS; i < n->rel.n; i++)
		path_push(&p, 0);
	return p;
}

static bool is_root_s5(const struct path *p)
{
	return p->n == 1 && p->seg[0] == S5_SEG;
}

/* -------------------------------------------------- stepping over terms */

/*
 * What follows each opcode, one letter per operand: t a term (TermArg,
 * SuperName and Target alike: each is one term), n a NameString, b w d q
 * a fixed 1, 2, 4 or 8 bytes, z a NUL-terminated string, p a PkgLength
 * (the object ends where it says; nothing after it is read).
 */
struct aml_op {
	uint8_t lo, hi;  /* a range of opcodes with the same operands */
	bool ext;        /* after the 0x5b prefix */
	const char *args;
};

static const struct aml_op aml_ops[] = {
	{ 0x00, 0x01, false, "" },      /* Zero, One */
	{ 0x06, 0x06, false, "nn" },    /* Alias */
	{ 0x08, 0x08, false, "nt" },    /* Name */
	{ 0x0a, 0x0a, false, "b" },     /* BytePrefix */
	{ 0x0b, 0x0b, false, "w" },     /* WordPrefix */
	{ 0x0c, 0x0c, false, "d" },     /* DWordPrefix */
	{ 0x0d, 0x0d, false, "z" },     /* StringPrefix */
	{ 0x0e, 0x0e, false, "q" },     /* QWordPrefix */
	{ 0x10, 0x14, false, "p" },     /* Scope, Buffer, Package, VarPackage, Method */
	{ 0x15, 0x15, false, "nbb" },   /* External */
	{ 0x60, 0x6e, false, "" },      /* Local0-7, Arg0-6 */
	{ 0x70, 0x70, false, "tt" },    /* Store */
	{ 0x71, 0x71, false, "t" },     /* RefOf */
	{ 0x72, 0x74, false, "ttt" },   /* Add, Concatenate, Subtract */
	{ 0x75, 0x76, false, "t" },     /* Increment, Decrement */
	{ 0x77, 0x77, false, "ttt" },   /* Multiply */
	{ 0x78, 0x78, false, "tttt" },  /* Divide */
	{ 0x79, 0x7f, false, "ttt" },   /* ShiftLeft/Right, And, NAnd, Or, NOr, XOr */
	{ 0x80, 0x82, false, "tt" },    /* Not, FindSetLeftBit, FindSetRightBit */
	{ 0x83, 0x83, false, "t" },     /* DerefOf */
	{ 0x84, 0x85, false, "ttt" },   /* ConcatenateResTemplate, Mod */
	{ 0x86, 0x86, false, "tt" },    /* Notify */
	{ 0x87, 0x87, false, "t" },     /* SizeOf */
	{ 0x88, 0x88, false, "ttt" },   /* Index */
	{ 0x89, 0x89, false, "tbtbtt" },/* Match */
	{ 0x8a, 0x8d, false, "ttn" },   /* CreateDWord/Word/Byte/BitField */
	{ 0x8e, 0x8e, false, "t" },     /* ObjectType */
	{ 0x8f, 0x8f, false, "ttn" },   /* CreateQWordField */
	{ 0x90, 0x91, false, "tt" },    /* LAnd, LOr */
	{ 0x92, 0x92, false, "t" },     /* LNot */
	{ 0x93, 0x95, false, "tt" },    /* LEqual, LGreater, LLess */
	{ 0x96, 0x99, false, "tt" },    /* ToBuffer, ToDecimalString, ToHexString, ToInteger */
	{ 0x9c, 0x9c, false, "ttt" },   /* ToString */
	{ 0x9d, 0x9d, false, "tt" },    /* CopyObject */
	{ 0x9e, 0x9e, false, "tttt" },  /* Mid */
	{ 0x9f, 0x9f, false, "" },      /* Continue */
	{ 0xa0, 0xa2, false, "p" },     /* If, Else, While */
	{ 0xa3, 0xa3, false, "" },      /* Noop */
	{ 0xa4, 0xa4, false, "t" },     /* Return */
	{ 0xa5, 0xa5, false, "" },      /* Break */
	{ 0xcc, 0xcc, false, "" },      /* BreakPoint */
	{ 0xff, 0xff, false, "" },      /* Ones */
	{ 0x01, 0x01, true, "nb" },     /* Mutex */
	{ 0x02, 0x02, true, "n" },      /* Event */
	{ 0x12, 0x12, true, "tt" },     /* CondRefOf */
	{ 0x13, 0x13, true, "tttn" },   /* CreateField */
	{ 0x1f, 0x1f, true, "tttttt" }, /* LoadTable */
	{ 0x20, 0x20, true, "nt" },     /* Load */
	{ 0x21, 0x22, true, "t" },      /* Stall, Sleep */
	{ 0x23, 0x23, true, "tw" },     /* Acquire */
	{ 0x24, 0x24, true, "t" },      /* Signal */
	{ 0x25, 0x25, true, "tt" },     /* Wait */
	{ 0x26, 0x27, true, "t" },      /* Reset, Release */
	{ 0x28, 0x29, true, "tt" },     /* FromBCD, ToBCD */
	{ 0x2a, 0x2a, true, "t" },      /* Unload */
	{ 0x30, 0x31, true, "" },       /* Revision, Debug */
	{ 0x32, 0x32, true, "bdt" },    /* Fatal */
	{ 0x33, 0x33, true, "" },       /* Timer */
	{ 0x80, 0x80, true, "nbtt" },   /* OperationRegion */
	{ 0x81, 0x87, true, "p" },      /* Field, Device, Processor, PowerResource,
					 * ThermalZone, IndexField, BankField */
	{ 0x88, 0x88, true, "nttt" },   /* DataRegion */
};

static const struct aml_op *find_op(uint8_t op, bool ext)
{
	for (size_t i = 0; i < sizeof(aml_ops) / sizeof(aml_ops[0]); i++)
		if (aml_ops[i].ext == ext && op >= aml_ops[i].lo && op <= aml_ops[i].hi)
			return &aml_ops[i];
	return NULL;
}

static bool skip_term(struct cur *c, unsigned depth);

/* A NameString stepped over (its parsed form kept off the recursive
 * frames of skip_term). */
static __attribute__((noinline)) bool skip_name(struct cur *c)
{
	struct name n;

	return name_string(c, &n);
}

/* The operands args says, in order. */
static bool skip_args(struct cur *c, const char *args, unsigned depth)
{
	uint32_t end;
	uint8_t ch;

	for (; *args; args++) {
		bool ok = true;
		switch (*args) {
		case 't': ok = skip_term(c, depth + 1); break;
		case 'n': ok = skip_name(c); break;
		case 'b': ok = skip(c, 1); break;
		case 'w': ok = skip(c, 2); break;
		case 'd': ok = skip(c, 4); break;
		case 'q': ok = skip(c, 8); break;
		case 'z':
			do
				ok = get8(c, &ch);
			while (ok && ch);
			break;
		case 'p':
			if (!pkg_length(c, &end))
				return false;
			c->pos = end;
			return true;
		}
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Step over one term at c->pos: an opcode and its operands, or a name.
 * A name is taken as a reference, not a method call: which names are
 * methods (and how many arguments they take) only the namespace knows,
 * and a call's arguments are terms themselves, so at the level of a
 * list the walk stays in step either way. Nesting is bounded by
 * AML_MAX_EXPR (a table controls it; the stack is 16 KiB).
 */
static bool skip_term(struct cur *c, unsigned depth)
{
	const struct aml_op *op;
	uint8_t b;
	bool ext = false;

	if (depth > AML_MAX_EXPR || c->pos >= c->end)
		return false;
	if (name_start(c->b[c->pos]))
		return skip_name(c);
	get8(c, &b);
	if (b == AML_EXT_PREFIX) {
		ext = true;
		if (!get8(c, &b))
			return false;
	}
	op = find_op(b, ext);
	return op && skip_args(c, op->args, depth);
}

/* ------------------------------------------------------- the package */

/* An integer constant, as a package element or a VarPackage count. */
static bool int_const(struct cur *c, uint64_t *v)
{
	uint8_t op;

	if (!get8(c, &op))
		return false;
	switch (op) {
	case AML_ZERO_OP: *v = 0; return true;
	case AML_ONE_OP: *v = 1; return true;
	case AML_ONES_OP: *v = ~(uint64_t)0; return true;
	case AML_BYTE_PREFIX: return get_le(c, 1, v);
	case AML_WORD_PREFIX: return get_le(c, 2, v);
	case AML_DWORD_PREFIX: return get_le(c, 4, v);
	case AML_QWORD_PREFIX: return get_le(c, 8, v);
	default: return false;
	}
}

/*
 * Package () { SLP_TYPa, SLP_TYPb, ... } or VarPackage at c->pos, read as
 * ACPICA's AcpiGetSleepTypeData does: a count of 0 is refused, a count
 * of 1 gives a and b from the low two bytes of the one integer.
 */
static bool s5_package(struct cur c, struct aml_s5 *out)
{
	uint64_t count, a, b = 0;
	uint8_t op, n8;
	uint32_t end;

	if (!get8(&c, &op) || (op != AML_PACKAGE_OP && op != AML_VAR_PACKAGE_OP))
		return false;
	if (!pkg_length(&c, &end))
		return false;
	c.end = end;
	if (op == AML_PACKAGE_OP) {
		if (!get8(&c, &n8))
			return false;
		count = n8;
	} else if (!int_const(&c, &count)) {
		return false;
	}
	if (count == 0 || !int_const(&c, &a))
		return false;
	if (count >= 2 && !int_const(&c, &b))
		return false;
	out->slp_typa = (uint8_t)a;
	out->slp_typb = (uint8_t)(count >= 2 ? b : a >> 8);
	return true;
}

/* Method (_S5) { Return (Package () {...}) ... }: the body at c->pos
 * (after the name); only a Return of a literal package first is read. */
static bool s5_method(struct cur c, struct aml_s5 *out)
{
	uint8_t flags, op;

	return get8(&c, &flags) && get8(&c, &op) && op == AML_RETURN_OP && s5_package(c, out);
}

/* ------------------------------------------------------------ the walk */

struct walk {
	struct cur c;
	struct scope stack[AML_MAX_SCOPES];
	unsigned depth;
	struct aml_s5 *out;
	enum aml_s5_result result;
	bool done;
};

/* Open a scope (Scope, Device...) whose body starts at c->pos and ends
 * at end; one nested too deep is stepped over whole. */
static void enter(struct walk *w, uint32_t end, const struct name *n)
{
	const struct path *parent = &w->stack[w->depth - 1].path;

	if (w->depth == AML_MAX_SCOPES) {
		w->c.pos = end;
		return;
	}
	w->stack[w->depth].end = end;
	w->stack[w->depth].path = resolve(parent, n);
	w->depth++;
}

/* The \_S5 object is found at start: read its package, or say why not. */
static void found(struct walk *w, uint32_t start, bool ok)
{
	w->done = true;
	w->out->offset = start;
	if (ok) {
		w->result = AML_S5_FOUND;
	} else {
		w->result = AML_S5_BAD;
		w->out->stopped_at = start;
		w->out->why = "\\_S5 is not a package of integer constants";
	}
}

/* A scope-opening object after its extended opcode: PkgLength, name, and
 * the fixed operands before its body (Processor: id, block address and
 * length; PowerResource: level and order). */
static bool open_scope(struct walk *w, const char *fixed)
{
	struct cur *c = &w->c;
	struct name n;
	uint32_t end;

	if (!pkg_length(c, &end))
		return false;
	uint32_t outer = c->end;
	c->end = end;
	bool ok = name_string(c, &n) && skip_args(c, fixed, 0);
	c->end = outer;
	if (ok)
		enter(w, end, &n);
	return ok;
}

/* Name (NAME, data): \_S5 or stepped over. */
static bool name_object(struct walk *w, uint32_t start)
{
	struct name n;

	if (!name_string(&w->c, &n))
		return false;
	struct path p = resolve(&w->stack[w->depth - 1].path, &n);
	if (is_root_s5(&p)) {
		found(w, start, s5_package(w->c, w->out));
		return true;
	}
	return skip_term(&w->c, 0);
}

/* Method (NAME, flags) {...}: stepped over, unless it is \_S5. */
static bool method_object(struct walk *w, uint32_t start)
{
	struct cur *c = &w->c;
	struct name n;
	uint32_t end;

	if (!pkg_length(c, &end))
		return false;
	struct cur body = { c->b, c->pos, end };
	if (!name_string(&body, &n))
		return false;
	struct path p = resolve(&w->stack[w->depth - 1].path, &n);
	if (is_root_s5(&p))
		found(w, start, s5_method(body, w->out));
	c->pos = end;
	return true;
}

/* One object of the current scope's list, from w->c.pos. */
static bool walk_object(struct walk *w)
{
	struct cur *c = &w->c;
	uint32_t start = c->pos;
	uint8_t op = c->b[c->pos], ext = 0;

	if (op == AML_NAME_OP)
		return skip(c, 1) && name_object(w, start);
	if (op == AML_METHOD_OP)
		return skip(c, 1) && method_object(w, start);
	if (op == AML_SCOPE_OP)
		return skip(c, 1) && open_scope(w, "");
	if (op == AML_EXT_PREFIX && c->end - c->pos >= 2)
		ext = c->b[c->pos + 1];
	switch (ext) {
	case AML_EXT_DEVICE:
	case AML_EXT_THERMAL:
		return skip(c, 2) && open_scope(w, "");
	case AML_EXT_PROCESSOR:
		return skip(c, 2) && open_scope(w, "bdb");
	case AML_EXT_POWER_RES:
		return skip(c, 2) && open_scope(w, "bw");
	default:
		return skip_term(c, 0);
	}
}

/*
 * The walk: objects of the innermost scope until it ends, then on in the
 * one around it. An object that cannot be decoded ends its scope's walk
 * (its first offset is kept for the log).
 */
static void walk(struct walk *w)
{
	while (w->depth > 0 && !w->done) {
		const struct scope *s = &w->stack[w->depth - 1];
		w->c.end = s->end;
		if (w->c.pos >= s->end) {
			w->depth--;
			continue;
		}
		uint32_t start = w->c.pos;
		if (!walk_object(w)) {
			if (!w->out->stopped_at)
				w->out->stopped_at = start;
			w->c.pos = s->end;
			w->depth--;
		}
	}
}

enum aml_s5_result aml_find_s5(const void *table, uint32_t avail, struct aml_s5 *out)
{
	struct walk w; /* about 700 bytes */
	const uint8_t *b = table;

	*out = (struct aml_s5){ .why = "no \\_S5 object" };
	if (avail < AML_TABLE_HEADER_LEN)
		return AML_S5_ABSENT;
	uint32_t len = (uint32_t)b[TABLE_LEN_OFF] | (uint32_t)b[TABLE_LEN_OFF + 1] << 8 |
		       (uint32_t)b[TABLE_LEN_OFF + 2] << 16 | (uint32_t)b[TABLE_LEN_OFF + 3] << 24;
	if (len < AML_TABLE_HEADER_LEN || len > avail) {
		out->why = "the table's length is wrong";
		return AML_S5_ABSENT;
	}
	w = (struct walk){ .c = { b, AML_TABLE_HEADER_LEN, len }, .depth = 1, .out = out,
			   .result = AML_S5_ABSENT };
	w.stack[0] = (struct scope){ .end = len }; /* the root */
	walk(&w);
	if (w.result == AML_S5_ABSENT && out->stopped_at)
		out->why = "no \\_S5 object where the AML could be decoded";
	return w.result;
}
