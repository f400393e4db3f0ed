// SPDX-License-Identifier: MIT
/*
 * Kestrel: FAT's on-disk format (fat_disk.h): the boot sector's checks,
 * directory entries, VFAT long names and short-name generation as
 * Linux's vfat makes them (shortname=mixed: a name that is not all upper
 * case keeps a long name), FAT timestamps. Pure: compiled on the host
 * for the unit tests and the fuzzer.
 */
#include "fs/fat_disk.h"
#include "lib/civil.h"
#include "lib/string.h"

/* Boot sector fields. */
#define BS_JMP        0
#define BS_SECT_SIZE  11
#define BS_CLUS_SECT  13
#define BS_RESERVED   14
#define BS_NFATS      16
#define BS_ROOT_ENTS  17
#define BS_TOTAL16    19
#define BS_MEDIA      21
#define BS_FAT16_LEN  22
#define BS_TOTAL32    32
#define BS16_STATE    37
#define BS16_SIG      38
#define BS32_FAT_LEN  36
#define BS32_ROOT     44
#define BS32_FSINFO   48
#define BS32_STATE    65
#define BS32_SIG      66
#define BS_SIGNATURE  510
#define BOOT_SIG_A    0x29u      /* extended boot signature (0x28: older form) */
#define BOOT_SIG_B    0x28u

/* Cluster counts: FAT12 below 4085, FAT16 below 65525 (Microsoft's rule). */
#define FAT12_MAX_CLUSTERS 4084u
#define FAT16_MAX_CLUSTERS 65524u
#define FAT32_MAX_CLUSTERS 0x0ffffff5u

/* FSInfo */
#define FSI_LEAD_SIG   0x41615252u
#define FSI_STRUC_SIG  0x61417272u
#define FSI_TRAIL_SIG  0xaa550000u
#define FSI_STRUC_OFF  484
#define FSI_FREE_OFF   488
#define FSI_NEXT_OFF   492
#define FSI_TRAIL_OFF  508

static bool is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* The geometry fields, before any sum is trusted. */
static const char *bpb_fields(const uint8_t *b, struct fat_bpb *o, uint32_t *reserved,
			      uint32_t *root_ents, uint64_t *total)
{
	if (fat_le16(b + BS_SIGNATURE) != 0xaa55)
		return "no boot signature 0x55 0xaa";
	if (b[BS_JMP] != 0xeb && b[BS_JMP] != 0xe9)
		return "no jump instruction at the start of the boot sector";
	o->sector_size = fat_le16(b + BS_SECT_SIZE);
	if (!is_pow2(o->sector_size) || o->sector_size < FAT_SECTOR_MIN ||
	    o->sector_size > FAT_SECTOR_MAX)
		return "bytes per sector not a power of two in 512..4096";
	uint32_t spc = b[BS_CLUS_SECT];
	if (!is_pow2(spc) || spc > FAT_MAX_CLUS_SECT)
		return "sectors per cluster not a power of two in 1..128";
	o->cluster_size = spc * o->sector_size;
	*reserved = fat_le16(b + BS_RESERVED);
	if (*reserved == 0)
		return "no reserved sectors";
	o->nfats = b[BS_NFATS];
	if (o->nfats == 0 || o->nfats > FAT_MAX_FATS)
		return "number of FATs not in 1..4";
	o->media = b[BS_MEDIA];
	if (o->media != 0xf0 && o->media < 0xf8)
		return "bad media byte";
	*root_ents = fat_le16(b + BS_ROOT_ENTS);
	*total = fat_le16(b + BS_TOTAL16);
	if (*total == 0)
		*total = fat_le32(b + BS_TOTAL32);
	if (*total == 0)
		return "zero total sectors";
	o->fat_sectors = fat_le16(b + BS_FAT16_LEN);
	o->kind = FAT16;
	if (o->fat_sectors == 0) {
		o->kind = FAT32;
		o->fat_sectors = fat_le32(b + BS32_FAT_LEN);
		if (o->fat_sectors == 0)
			return "zero FAT length";
		if (*root_ents != 0)
			return "FAT32 with a fixed root directory";
	}
	return NULL;
}

/* Lay the regions out and count the clusters (and so tell FAT12 from
 * FAT16, by Microsoft's rule); FAT32 was told by its FAT length field. */
static const char *bpb_layout(struct fat_bpb *o, uint32_t reserved, uint32_t root_ents,
			      uint64_t total, uint64_t dev_bytes)
{
	uint64_t ss = o->sector_size;

	o->total_bytes = total * ss;
	if (o->total_bytes > dev_bytes)
		return "file system larger than its device";
	o->fat_start = reserved * ss;
	o->fat_bytes = (uint64_t)o->fat_sectors * ss;
	o->root_start = o->fat_start + o->nfats * o->fat_bytes;
	o->root_bytes = root_ents * FAT_DIRENT_SIZE;
	o->root_bytes = (uint32_t)((o->root_bytes + ss - 1) / ss * ss);
	o->data_start = o->root_start + o->root_bytes;
	if (o->data_start >= o->total_bytes)
		return "no room for data after the FATs and the root directory";
	uint64_t clusters = (o->total_bytes - o->data_start) / o->cluster_size;
	if (o->kind != FAT32)
		o->kind = clusters <= FAT12_MAX_CLUSTERS ? FAT12 : FAT16;
	if (o->kind == FAT16 && clusters > FAT16_MAX_CLUSTERS)
		return "too many clusters for FAT16";
	if (clusters > FAT32_MAX_CLUSTERS)
		return "too many clusters";
	if (o->kind != FAT32 && root_ents == 0)
		return "FAT12/16 without a root directory";
	/* as Linux: a FAT too short for every cluster limits the clusters */
	uint64_t in_fat = o->fat_bytes * 8 / (o->kind == FAT32 ? 32 : o->kind);
	if (in_fat < FAT_FIRST_CLUSTER + 1)
		return "FAT too short";
	if (clusters > in_fat - FAT_FIRST_CLUSTER)
		clusters = in_fat - FAT_FIRST_CLUSTER;
	if (clusters == 0)
		return "no data clusters";
	o->nclusters = (uint32_t)clusters;
	return NULL;
}

const char *fat_bpb_parse(const uint8_t *b, size_t len, uint64_t dev_bytes, struct fat_bpb *o)
{
	uint32_t reserved, root_ents;
	uint64_t total;
	const char *why;

	memset(o, 0, sizeof(*o));
	if (len < FAT_SECTOR_MIN)
		return "boot sector too short";
	if ((why = bpb_fields(b, o, &reserved, &root_ents, &total)))
		return why;
	if ((why = bpb_layout(o, reserved, root_ents, total, dev_bytes)))
		return why;
	if (o->kind == FAT32) {
		o->root_cluster = fat_le32(b + BS32_ROOT) & FAT32_MASK;
		if (o->root_cluster < FAT_FIRST_CLUSTER ||
		    o->root_cluster >= FAT_FIRST_CLUSTER + o->nclusters)
			return "FAT32 root cluster out of range";
		o->fsinfo_sector = fat_le16(b + BS32_FSINFO);
		if (o->fsinfo_sector == 0 || o->fsinfo_sector >= reserved ||
		    o->fsinfo_sector == 0xffff)
			o->fsinfo_sector = 0;
		if (b[BS32_SIG] == BOOT_SIG_A || b[BS32_SIG] == BOOT_SIG_B)
			o->state_off = BS32_STATE;
	} else if (b[BS16_SIG] == BOOT_SIG_A || b[BS16_SIG] == BOOT_SIG_B) {
		o->state_off = BS16_STATE;
	}
	return NULL;
}

uint32_t fat_eoc(enum fat_kind kind)
{
	return kind == FAT12 ? FAT12_EOC : kind == FAT16 ? FAT16_EOC : FAT32_EOC;
}

bool fat_fsinfo_parse(const uint8_t *s, size_t len, uint32_t *free, uint32_t *next)
{
	if (len < FAT_SECTOR_MIN || fat_le32(s) != FSI_LEAD_SIG ||
	    fat_le32(s + FSI_STRUC_OFF) != FSI_STRUC_SIG || fat_le32(s + FSI_TRAIL_OFF) != FSI_TRAIL_SIG)
		return false;
	*free = fat_le32(s + FSI_FREE_OFF);
	*next = fat_le32(s + FSI_NEXT_OFF);
	return true;
}

void fat_fsinfo_set(uint8_t *s, uint32_t free, uint32_t next)
{
	fat_put32(s + FSI_FREE_OFF, free);
	fat_put32(s + FSI_NEXT_OFF, next);
}

/* ---------------------------------------------------------------- entries */

uint32_t fat_de_cluster(const uint8_t *de, enum fat_kind kind)
{
	uint32_t c = fat_le16(de + FAT_DE_CLUS_LO);

	if (kind == FAT32)
		c |= (uint32_t)fat_le16(de + FAT_DE_CLUS_HI) << 16;
	return c & FAT32_MASK;
}

void fat_de_set_cluster(uint8_t *de, uint32_t clus)
{
	fat_put16(de + FAT_DE_CLUS_LO, (uint16_t)clus);
	fat_put16(de + FAT_DE_CLUS_HI, (uint16_t)(clus >> 16));
}

void fat_de_touch(uint8_t *de, int64_t t)
{
	uint16_t d, tm;

	fat_unix_to_time(t, &d, &tm);
	fat_put16(de + FAT_DE_MTIME, tm);
	fat_put16(de + FAT_DE_MDATE, d);
	fat_put16(de + FAT_DE_ADATE, d);
}

void fat_de_init(uint8_t *de, const uint8_t name11[FAT_SHORT_LEN], uint8_t ntres, uint8_t attr,
		 uint32_t clus, uint32_t size, int64_t t)
{
	uint16_t d, tm;

	memset(de, 0, FAT_DIRENT_SIZE);
	memcpy(de, name11, FAT_SHORT_LEN);
	de[FAT_DE_ATTR] = attr;
	de[FAT_DE_NTRES] = ntres;
	fat_unix_to_time(t, &d, &tm);
	de[FAT_DE_CTIME_CS] = (uint8_t)(t >= 0 && (t & 1) ? 100 : 0);
	fat_put16(de + FAT_DE_CTIME, tm);
	fat_put16(de + FAT_DE_CDATE, d);
	fat_de_touch(de, t);
	fat_de_set_cluster(de, clus);
	fat_put32(de + FAT_DE_SIZE, size);
}

uint8_t fat_lfn_checksum(const uint8_t name11[FAT_SHORT_LEN])
{
	uint8_t sum = 0;

	for (unsigned i = 0; i < FAT_SHORT_LEN; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name11[i]);
	return sum;
}

/* ---------------------------------------------------------------- long names */

/* Where a slot's 13 characters are. */
static const uint8_t lfn_off[FAT_LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
#define LFN_TYPE 12
#define LFN_CSUM 13
#define LFN_CLUS 26

void fat_lfn_reset(struct fat_lfn *l)
{
	l->next = 0;
	l->nslots = 0;
}

void fat_lfn_feed(struct fat_lfn *l, const uint8_t *s)
{
	unsigned ord = s[0] & FAT_LFN_ORD_MASK;

	if (s[LFN_TYPE] != 0 || ord == 0 || ord > FAT_LFN_MAX_SLOTS) {
		fat_lfn_reset(l);
		return;
	}
	if (s[0] & FAT_LFN_LAST) {
		l->nslots = ord;
		l->csum = s[LFN_CSUM];
	} else if (l->next == 0 || ord != l->next || s[LFN_CSUM] != l->csum) {
		fat_lfn_reset(l);
		return;
	}
	for (unsigned i = 0; i < FAT_LFN_CHARS; i++)
		l->name[(ord - 1) * FAT_LFN_CHARS + i] = fat_le16(s + lfn_off[i]);
	l->next = ord - 1;
	if (l->next == 0)
		l->next = FAT_LFN_MAX_SLOTS + 1; /* complete: waiting for the short entry */
}

/* Append code point c as UTF-8: false when out of room. */
static bool put_utf8(char *out, size_t cap, size_t *n, uint32_t c)
{
	uint8_t b[4];
	size_t k;

	if (c < 0x80) {
		b[0] = (uint8_t)c;
		k = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | c >> 6);
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | c >> 12);
		b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | c >> 18);
		b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (c & 0x3f));
		k = 4;
	}
	if (*n + k >= cap)
		return false;
	memcpy(out + *n, b, k);
	*n += k;
	return true;
}

/* n UCS-2 units (surrogate pairs joined) to UTF-8: the length, 0 if a
 * unit cannot be in a name ('/', NUL, a lone surrogate). */
static size_t ucs2_to_utf8(const uint16_t *u, unsigned n, char *out, size_t cap)
{
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t c = u[i];
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (u[i + 1] - 0xdc00);
			i++;
		} else if (c >= 0xd800 && c < 0xe000) {
			return 0;
		}
		if (c == 0 || c == '/' || !put_utf8(out, cap, &len, c))
			return 0;
	}
	out[len] = '\0';
	return len;
}

size_t fat_lfn_take(struct fat_lfn *l, const uint8_t *de, char *out, size_t cap, unsigned *nslots)
{
	size_t len = 0;

	*nslots = 0;
	if (l->next == FAT_LFN_MAX_SLOTS + 1 && l->csum == fat_lfn_checksum(de)) {
		unsigned n = 0, max = l->nslots * FAT_LFN_CHARS;
		while (n < max && l->name[n] != 0)
			n++;
		if (n > 0 && n <= FAT_NAME_MAX)
			len = ucs2_to_utf8(l->name, n, out, cap);
		if (len)
			*nslots = l->nslots;
	}
	fat_lfn_reset(l);
	return len;
}

/* A short-name byte as shown: ASCII as is (lower-cased on request), others '_'. */
static char short_char(uint8_t c, bool lower)
{
	if (c < 0x20 || c >= 0x7f || c == '/')
		return '_';
	if (lower && c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return (char)c;
}

size_t fat_short_to_name(const uint8_t *de, char *out)
{
	size_t n = 0, base = 8, ext = 3;

	while (base > 0 && de[base - 1] == ' ')
		base--;
	while (ext > 0 && de[8 + ext - 1] == ' ')
		ext--;
	for (size_t i = 0; i < base; i++)
		out[n++] = i == 0 && de[0] == FAT_DE_KANJI_E5 ? '_' :
			short_char(de[i], de[FAT_DE_NTRES] & FAT_NT_LOWER_BASE);
	if (ext)
		out[n++] = '.';
	for (size_t i = 0; i < ext; i++)
		out[n++] = short_char(de[8 + i], de[FAT_DE_NTRES] & FAT_NT_LOWER_EXT);
	out[n] = '\0';
	return n;
}

/* Decode one UTF-8 character at s[*i]: the code point, or -1. */
static int32_t utf8_next(const char *s, size_t len, size_t *i)
{
	const uint8_t *p = (const uint8_t *)s + *i;
	size_t left = len - *i, k;
	uint32_t c, min;

	if (p[0] < 0x80) {
		(*i)++;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) { k = 2; c = p[0] & 0x1f; min = 0x80; }
	else if ((p[0] & 0xf0) == 0xe0) { k = 3; c = p[0] & 0x0f; min = 0x800; }
	else if ((p[0] & 0xf8) == 0xf0) { k = 4; c = p[0] & 0x07; min = 0x10000; }
	else return -1;
	if (left < k)
		return -1;
	for (size_t j = 1; j < k; j++) {
		if ((p[j] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (p[j] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return -1;
	*i += k;
	return (int32_t)c;
}

int fat_utf8_to_ucs2(const char *s, size_t len, uint16_t *out, size_t cap)
{
	size_t i = 0, n = 0;

	while (i < len) {
		int32_t c = utf8_next(s, len, &i);
		if (c < 0)
			return -1;
		if (c >= 0x10000) {
			if (n + 2 > cap)
				return -1;
			c -= 0x10000;
			out[n++] = (uint16_t)(0xd800 + (c >> 10));
			out[n++] = (uint16_t)(0xdc00 + (c & 0x3ff));
		} else {
			if (n + 1 > cap)
				return -1;
			out[n++] = (uint16_t)c;
		}
	}
	return n <= FAT_NAME_MAX ? (int)n : -1;
}

void fat_lfn_slot(uint8_t *s, const uint16_t *name, unsigned n, unsigned i, unsigned nslots,
		  uint8_t csum)
{
	memset(s, 0, FAT_DIRENT_SIZE);
	s[0] = (uint8_t)((i + 1) | (i + 1 == nslots ? FAT_LFN_LAST : 0));
	s[FAT_DE_ATTR] = FAT_ATTR_LFN;
	s[LFN_CSUM] = csum;
	for (unsigned k = 0; k < FAT_LFN_CHARS; k++) {
		unsigned at = i * FAT_LFN_CHARS + k;
		uint16_t c = at < n ? name[at] : at == n ? 0 : 0xffff;
		fat_put16(s + lfn_off[k], c);
	}
	fat_put16(s + LFN_CLUS, 0);
}

/* ---------------------------------------------------------------- names */

static bool bad_long_char(uint8_t c)
{
	return c < 0x20 || c == '*' || c == '?' || c == '<' || c == '>' || c == '|' || c == '"' ||
	       c == ':' || c == '/' || c == '\\';
}

size_t fat_name_check(const char *name, size_t len)
{
	while (len && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++)
		if (bad_long_char((uint8_t)name[i]))
			return 0;
	return len;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

bool fat_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (ascii_upper(a[i]) != ascii_upper(b[i]))
			return false;
	return true;
}

/* A byte of a short name from a long name's byte c: the upper-case
 * character, or '_' (lossy) for what 8.3 cannot hold. */
static uint8_t short_byte(uint8_t c, bool *lossy, bool *lower)
{
	static const char ok[] = "$%'-_@~`!(){}^#&";

	if (c >= 'a' && c <= 'z') {
		*lower = true;
		return (uint8_t)(c - 'a' + 'A');
	}
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && memchr(ok, c, sizeof(ok) - 1)))
		return c;
	*lossy = true;
	return '_';
}

/* Copy the short bytes of name[from, to) into dst (room max): how many;
 * dots and spaces are dropped (lossy), a longer part is cut (lossy), a
 * multi-byte UTF-8 character becomes one '_'. */
static unsigned short_part(const char *name, size_t from, size_t to, uint8_t *dst, unsigned max,
			   bool *lossy, bool *lower)
{
	unsigned n = 0;

	for (size_t i = from; i < to; i++) {
		uint8_t c = (uint8_t)name[i];
		if (c == '.' || c == ' ') {
			*lossy = true;
			continue;
		}
		if ((c & 0xc0) == 0x80) /* a UTF-8 continuation: its lead gave the '_' */
			continue;
		if (n == max) {
			*lossy = true;
			break;
		}
		dst[n++] = short_byte(c, lossy, lower);
	}
	return n;
}

enum fat_sn fat_short_name(const char *name, size_t len, uint8_t name11[FAT_SHORT_LEN],
			   uint8_t *ntres)
{
	size_t dot = len, base_end = len;
	bool lossy = false, lower = false;

	memset(name11, ' ', FAT_SHORT_LEN);
	*ntres = 0;
	/* the extension follows the last dot, unless only dots and spaces precede it */
	for (size_t i = len; i-- > 0;)
		if (name[i] == '.') {
			dot = i;
			break;
		}
	if (dot < len) {
		size_t k = 0;
		while (k < dot && (name[k] == '.' || name[k] == ' '))
			k++;
		if (k == dot)
			dot = len;
		else
			base_end = dot;
	}
	unsigned nb = short_part(name, 0, base_end, name11, 8, &lossy, &lower);
	if (nb == 0)
		return FAT_SN_BAD;
	if (dot < len)
		short_part(name, dot + 1, len, name11 + 8, 3, &lossy, &lower);
	if (name11[0] == FAT_DE_FREE)
		name11[0] = FAT_DE_KANJI_E5;
	if (lossy)
		return FAT_SN_TAIL;
	return lower ? FAT_SN_LOSSLESS : FAT_SN_EXACT;
}

void fat_short_tail(uint8_t name11[FAT_SHORT_LEN], unsigned n)
{
	char tail[8];
	unsigned k = 0, base = 8;

	do {
		tail[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n && k < 6);
	tail[k++] = '~';
	while (base > 0 && name11[base - 1] == ' ')
		base--;
	if (base > 8 - k)
		base = 8 - k;
	for (unsigned i = 0; i < k; i++)
		name11[base + i] = (uint8_t)tail[k - 1 - i];
	for (unsigned i = base + k; i < 8; i++)
		name11[i] = ' ';
}

void fat_short_hash_tail(uint8_t name11[FAT_SHORT_LEN], uint16_t hash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned base = 0;

	while (base < 2 && name11[base] != ' ')
		base++;
	for (unsigned i = 0; i < 4; i++)
		name11[base + i] = (uint8_t)hex[(hash >> (12 - 4 * i)) & 0xf];
	name11[base + 4] = '~';
	name11[base + 5] = '1';
	for (unsigned i = base + 6; i < 8; i++)
		name11[i] = ' ';
}

/* ---------------------------------------------------------------- time */

#define FAT_EPOCH_YEAR 1980
#define FAT_LAST_YEAR  2107
#define DAY_SECONDS    86400

int64_t fat_time_to_unix(uint16_t date, uint16_t time)
{
	unsigned m = (date >> 5) & 0xf, d = date & 0x1f;

	if (m < 1 || m > 12)
		m = 1;
	if (d < 1)
		d = 1;
	int64_t days = days_from_civil(FAT_EPOCH_YEAR + (date >> 9), m, d);
	unsigned hh = time >> 11, mm = (time >> 5) & 0x3f, ss = (time & 0x1f) * 2;
	return days * DAY_SECONDS + hh * 3600 + mm * 60 + ss;
}

void fat_unix_to_time(int64_t t, uint16_t *date, uint16_t *time)
{
	int64_t y;
	unsigned m, d;
	int64_t days = t >= 0 ? t / DAY_SECONDS : (t - DAY_SECONDS + 1) / DAY_SECONDS;
	int64_t secs = t - days * DAY_SECONDS;

	civil_from_days(days, &y, &m, &d);
	if (y < FAT_EPOCH_YEAR) { /* as Linux: clamp to FAT's range */
		*date = (1 << 5) | 1;
		*time = 0;
		return;
	}
	if (y > FAT_LAST_YEAR) {
		*date = (uint16_t)((FAT_LAST_YEAR - FAT_EPOCH_YEAR) << 9 | 12 << 5 | 31);
		*time = (uint16_t)(23 << 11 | 59 << 5 | 29);
		return;
	}
	*date = (uint16_t)((y - FAT_EPOCH_YEAR) << 9 | m << 5 | d);
	*time = (uint16_t)((secs / 3600) << 11 | ((secs / 60) % 60) << 5 | (secs % 60) / 2);
}
