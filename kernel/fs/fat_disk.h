/* SPDX-License-Identifier: MIT */
/*
 * FAT's on-disk format, pure: the boot sector (BPB) and its checks, the
 * FAT32 FSInfo sector, 32-byte directory entries, VFAT long names (their
 * checksums, UCS-2 to and from UTF-8, assembly from slots), 8.3 short
 * names and their ~N tails, and FAT's 2-second timestamps. No I/O: the
 * kernel (fat_vol.c), the host unit tests and the fuzzer compile it.
 */
#ifndef KESTREL_FS_FAT_DISK_H
#define KESTREL_FS_FAT_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAT_DIRENT_SIZE   32u
#define FAT_SHORT_LEN     11u      /* "NAME    EXT" */
#define FAT_LFN_CHARS     13u      /* UCS-2 characters in one long-name slot */
#define FAT_LFN_MAX_SLOTS 20u      /* 255 characters need 20 slots */
#define FAT_NAME_MAX      255u     /* UCS-2 characters of a long name */
#define FAT_UTF8_MAX      (FAT_NAME_MAX * 3u) /* a long name in UTF-8 (BMP only) */
#define FAT_SECTOR_MIN    512u
#define FAT_SECTOR_MAX    4096u
#define FAT_MAX_CLUS_SECT 128u
#define FAT_MAX_FATS      4u

/* Directory entry attributes. */
#define FAT_ATTR_RO       0x01u
#define FAT_ATTR_HIDDEN   0x02u
#define FAT_ATTR_SYSTEM   0x04u
#define FAT_ATTR_VOLUME   0x08u
#define FAT_ATTR_DIR      0x10u
#define FAT_ATTR_ARCH     0x20u
#define FAT_ATTR_LFN      0x0fu    /* RO | HIDDEN | SYSTEM | VOLUME: a long-name slot */

/* First byte of a directory entry. */
#define FAT_DE_END        0x00u    /* this and every later entry is free */
#define FAT_DE_FREE       0xe5u
#define FAT_DE_KANJI_E5   0x05u    /* a name really starting with 0xe5 */
/* The short entry's case bits (Windows NT, Linux's shortname=mixed). */
#define FAT_NT_LOWER_BASE 0x08u
#define FAT_NT_LOWER_EXT  0x10u

#define FAT_LFN_LAST      0x40u    /* ord of the first slot stored (the name's end) */
#define FAT_LFN_ORD_MASK  0x1fu

/* Cluster numbers. */
#define FAT_FIRST_CLUSTER 2u
#define FAT12_EOC         0xff8u
#define FAT16_EOC         0xfff8u
#define FAT32_EOC         0x0ffffff8u
#define FAT32_MASK        0x0fffffffu

/* The dirty markers: FAT[1]'s clean-shutdown and no-error bits, and
 * the boot sector's state byte (Linux's FAT_STATE_DIRTY). */
#define FAT16_CLEAN_BIT   0x8000u
#define FAT16_NOERR_BIT   0x4000u
#define FAT32_CLEAN_BIT   0x08000000u
#define FAT32_NOERR_BIT   0x04000000u
#define FAT_STATE_DIRTY   0x01u

enum fat_kind { FAT12 = 12, FAT16 = 16, FAT32 = 32 };

/* A checked boot sector, in bytes and clusters. */
struct fat_bpb {
	enum fat_kind kind;
	uint32_t sector_size;        /* 512..4096 */
	uint32_t cluster_size;       /* bytes */
	uint32_t nfats;
	uint32_t fat_sectors;        /* one FAT's length */
	uint64_t fat_start;          /* byte offset of the first FAT */
	uint64_t fat_bytes;          /* one FAT's length in bytes */
	uint64_t root_start;         /* FAT12/16: the fixed root directory */
	uint32_t root_bytes;         /* FAT12/16: its length */
	uint32_t root_cluster;       /* FAT32 */
	uint64_t data_start;         /* byte offset of cluster 2 */
	uint32_t nclusters;          /* data clusters: valid ones are 2..nclusters+1 */
	uint64_t total_bytes;        /* the volume's length */
	uint32_t fsinfo_sector;      /* FAT32: 0 when there is none */
	uint32_t state_off;          /* the boot sector's state byte, 0 when absent */
	uint8_t media;
};

/* Check the first sector_len (>= 512) bytes of a volume of dev_bytes
 * bytes: NULL and *out filled, or the reason it is not a FAT file
 * system Kestrel mounts (a constant string for the log). */
const char *fat_bpb_parse(const uint8_t *boot, size_t len, uint64_t dev_bytes,
			  struct fat_bpb *out);
/* The end-of-chain marker of kind, and whether v is one (or worse). */
uint32_t fat_eoc(enum fat_kind kind);
/* The FSInfo sector's free count and next free hint, if its three
 * signatures are right (false: ignore it). */
bool fat_fsinfo_parse(const uint8_t *sec, size_t len, uint32_t *free, uint32_t *next);
void fat_fsinfo_set(uint8_t *sec, uint32_t free, uint32_t next);

/* Little-endian fields. */
static inline uint16_t fat_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t fat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void fat_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void fat_put32(uint8_t *p, uint32_t v)
{
	fat_put16(p, (uint16_t)v);
	fat_put16(p + 2, (uint16_t)(v >> 16));
}

/* A short entry's fields (de: 32 bytes). */
#define FAT_DE_ATTR   11
#define FAT_DE_NTRES  12
#define FAT_DE_CTIME_CS 13
#define FAT_DE_CTIME  14
#define FAT_DE_CDATE  16
#define FAT_DE_ADATE  18
#define FAT_DE_CLUS_HI 20
#define FAT_DE_MTIME  22
#define FAT_DE_MDATE  24
#define FAT_DE_CLUS_LO 26
#define FAT_DE_SIZE   28

uint32_t fat_de_cluster(const uint8_t *de, enum fat_kind kind);
void fat_de_set_cluster(uint8_t *de, uint32_t clus);
/* Fill a new short entry: name11, attr, cluster, size, times from unix. */
void fat_de_init(uint8_t *de, const uint8_t name11[FAT_SHORT_LEN], uint8_t ntres, uint8_t attr,
		 uint32_t clus, uint32_t size, int64_t unix_time);
/* Set the modification time (and access date) of de to unix_time. */
void fat_de_touch(uint8_t *de, int64_t unix_time);

/* The checksum of a short name that its long-name slots carry. */
uint8_t fat_lfn_checksum(const uint8_t name11[FAT_SHORT_LEN]);

/* Assembling a long name from the slots before a short entry: feed every
 * entry in directory order; at a short entry, fat_lfn_take gives the
 * name (if the slots were whole and their checksum matches). */
struct fat_lfn {
	uint16_t name[FAT_LFN_MAX_SLOTS * FAT_LFN_CHARS];
	unsigned next;               /* ord expected next; 0: no name in progress */
	unsigned nslots;
	uint8_t csum;
};
void fat_lfn_reset(struct fat_lfn *l);
void fat_lfn_feed(struct fat_lfn *l, const uint8_t *slot);
/* The long name for the short entry de in UTF-8 into out (cap >= FAT_UTF8_MAX + 1, NUL
 * ended): its length, or 0 when there is none (then use the short name).
 * *nslots gets the slot count. Resets l. */
size_t fat_lfn_take(struct fat_lfn *l, const uint8_t *de, char *out, size_t cap, unsigned *nslots);
/* A short entry's name as Linux shows it ("README.TXT", lower-cased by
 * the NT case bits): its length in out (at least 13 bytes). */
size_t fat_short_to_name(const uint8_t *de, char *out);

/* UTF-8 name (len bytes) to UCS-2: the count (<= FAT_NAME_MAX), or -1
 * when the bytes are not UTF-8 or a character lies beyond the BMP. */
int fat_utf8_to_ucs2(const char *s, size_t len, uint16_t *out, size_t cap);

/* Long-name slot i (0: the one holding characters 0..12) of name (n
 * UCS-2 characters), written to slot: nslots = (n + 12) / 13. */
void fat_lfn_slot(uint8_t *slot, const uint16_t *name, unsigned n, unsigned i, unsigned nslots,
		  uint8_t csum);

/* vfat's name checks on a name of len bytes: the length with trailing
 * dots and spaces dropped (Linux's vfat_striptail_len), 0 if nothing is
 * left or a character FAT forbids appears (the caller's -EINVAL). */
size_t fat_name_check(const char *name, size_t len);
/* Case-insensitive (ASCII) equality of two names, as vfat looks up. */
bool fat_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/* The short name for a long name: name11 gets the 8.3 form. Returns
 * FAT_SN_EXACT when the name is its own short name (no long-name slots;
 * *ntres gets the case bits), FAT_SN_LOSSLESS when it is a valid 8.3 name
 * but its case needs slots (use name11 if free, else a ~N tail),
 * FAT_SN_TAIL when a ~N tail is needed, FAT_SN_BAD when nothing of
 * the name can make a short name (only dots and spaces). */
enum fat_sn { FAT_SN_BAD = -1, FAT_SN_EXACT, FAT_SN_LOSSLESS, FAT_SN_TAIL };
enum fat_sn fat_short_name(const char *name, size_t len, uint8_t name11[FAT_SHORT_LEN],
			   uint8_t *ntres);
/* Put the tail ~n (1..999999) into name11 (made by fat_short_name). */
void fat_short_tail(uint8_t name11[FAT_SHORT_LEN], unsigned n);
/* After ~1..~9 are taken, Linux's second form: the base's first two
 * characters, four hex digits of hash and "~1" ("AB12CD~1.TXT"). */
#define FAT_NUMTAIL_MAX 9u
void fat_short_hash_tail(uint8_t name11[FAT_SHORT_LEN], uint16_t hash);

/* FAT date and time (local time taken as UTC, as Linux with tz=UTC). */
int64_t fat_time_to_unix(uint16_t date, uint16_t time);
void fat_unix_to_time(int64_t t, uint16_t *date, uint16_t *time);

#endif
