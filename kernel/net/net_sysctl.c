// SPDX-License-Identifier: MIT
/*
 * Kestrel: /proc/sys/net/{core,ipv4}/..., the sysctls programs read, with
 * the values Linux 6.1 shows on a default system except where Kestrel
 * behaves otherwise, which then show what Kestrel does (each says so).
 * Sixteen are writable with Linux's checks (but tcp_reordering's and
 * tcp_max_reordering's floor) and honoured by the stack:
 * ip_local_port_range, ping_group_range, ip_default_ttl, somaxconn,
 * tcp_sack, tcp_timestamps, tcp_notsent_lowat, tcp_reordering and
 * tcp_max_reordering (read by new connections), tcp_rmem (its max, the window scale's space:
 * see tcp_rmem_set), tcp_wmem (its default a new socket's send buffer, its
 * max autotuning's ceiling), tcp_min_tso_segs (read by new connections),
 * tcp_congestion_control, tcp_allowed_congestion_control,
 * net.ipv4.route.mtu_expires and net.ipv6.bindv6only; tcp_recovery is writable and kept
 * only (RACK runs on every SACK connection, as with Linux's 1), and so
 * is tcp_tso_win_divisor (Kestrel sends without TSO); the
 * others are read-only (0444: an
 * open for writing is -EACCES) and read the constants the stack itself uses.
 */
#include "net/net_sysctl.h"
#include "net/pmtu.h"
#include "net/tcp.h"
#include "net/unix_sock.h"
#include "fs/procfs_sys.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/printf.h"
#include "lib/string.h"

#define INT_MAX_VALUE 2147483647
#define TCP_MEM_MIN 4096

/* sysctl_lock protects the pairs (port_low/high, ping_low/high) and the
 * congestion control's default and allowed set (a default is always
 * allowed: the two change together) and the triple tcp_rmem; the single
 * words are read and written whole (__atomic). */
static struct spinlock sysctl_lock = SPINLOCK_INIT;
static uint16_t port_low = NET_PORT_RANGE_LOW, port_high = NET_PORT_RANGE_HIGH;
/* Linux's default is "1 0" (nobody); every systemd-based distribution,
 * Debian's included, sets "0 2147483647" and so does Kestrel. */
static uint32_t ping_low = 0, ping_high = NET_GID_MAX;
static int default_ttl = NET_TTL_DEFAULT;
static int somaxconn = NET_SOMAXCONN_DEFAULT;
/* Linux's default: SACK-permitted offered, and with the peer's, the
 * engine sends and reads SACK blocks (tcp_sack.c). 0: NewReno alone. */
static int64_t tcp_sack = 1;
/* Linux's default, 1: timestamps offered (Linux's 2 offers them too, with
 * no per-connection offset; Kestrel offsets every connection). 0: none. */
static int64_t tcp_timestamps = 1;
/* Linux's default, RACK loss detection: kept only; the engine runs RACK
 * on every SACK connection, as with 1 */
static int64_t tcp_recovery = 1;
/* Linux's default, 3: kept only. Linux reads it in tcp_tso_should_defer,
 * which holds back a send to build a larger TSO packet and runs only on
 * a route that can segment (sk_can_gso); Kestrel sends without TSO, as a
 * Linux whose device has TSO off, where the value changes nothing. */
static int64_t tcp_tso_win_divisor = 3;
/* net.ipv4.route.mtu_expires: how long an IPv4 path MTU learnt from now
 * on lives, in seconds (Linux's ip_rt_mtu_expires, read when an entry is
 * written; 600). Linux's proc_dointvec_jiffies takes a negative one too;
 * Kestrel does not. IPv6's entries keep their 600 s (PMTU_EXPIRES_S). */
static int64_t mtu_expires4 = PMTU_EXPIRES_S;
/* tcp_min_tso_segs: the fewest segments a packet carries when the pacing
 * rate would give fewer (Linux's u8 from 1, default 2), read by new
 * connections. */
static int64_t tcp_min_tso_segs = TCP_MIN_TSO_SEGS;
/* tcp_reordering: where a new connection's reordering degree starts
 * (RFC 6675's DupThresh); tcp_max_reordering: how high it may go. Both
 * read by new connections. Linux's are proc_dointvec and take 0 and
 * negative values too, which make no sense as segment counts; Kestrel
 * answers them -EINVAL. */
static int64_t tcp_reordering = TCP_REORDERING;
static int64_t tcp_max_reordering = TCP_MAX_REORDERING;
/* tcp_congestion_control and tcp_allowed_congestion_control: Linux's
 * default, CUBIC, and both built-in algorithms allowed (a bit per
 * enum tcp_cc_id) */
static uint8_t cong_default = TCP_CC_DEFAULT;
static uint32_t cong_allowed = (1u << TCP_CC_RENO) | (1u << TCP_CC_CUBIC);
/* tcp_rmem: min, default, max as written (Linux 6.1's "4096 131072 6291456").
 * The max is the space a new connection's window scale must express, as
 * Linux's tcp_select_initial_window takes it; the rings keep their own
 * sizes (TCP_RCVBUF_DEFAULT, autotuned up to TCP_RCV_RING_AUTO_MAX). */
static int64_t tcp_rmem[3] = { TCP_MEM_MIN, TCP_RCVBUF_DEFAULT, TCP_RMEM_MAX };
/* tcp_wmem: min, default, max as written (Linux 6.1's "4096 16384 4194304").
 * The default is a new TCP socket's send buffer (its SO_SNDBUF, the limit
 * of tcp_sndbuf.c), the max what autotuning grows one to; the min is kept
 * only (Linux uses it under memory pressure). */
static int64_t tcp_wmem[3] = { TCP_MEM_MIN, TCP_WMEM_DEFAULT, TCP_WMEM_MAX };
/* tcp_notsent_lowat: TCP_NOTSENT_LOWAT for a socket that set none
 * (Linux's proc_douintvec, default UINT_MAX: no mark). */
static int64_t tcp_notsent_lowat = UINT32_MAX;
/* net.ipv6.bindv6only: a new AF_INET6 socket's IPV6_V6ONLY (Linux's 0:
 * dual stack). A plain value: procfs_sys writes it whole, 0 or 1. */
static int64_t bindv6only;

bool net_sysctl_bindv6only(void)
{
	return __atomic_load_n(&bindv6only, __ATOMIC_RELAXED) != 0;
}

void net_sysctl_port_range(uint16_t *low, uint16_t *high)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	*low = port_low;
	*high = port_high;
	spin_unlock_irqrestore(&sysctl_lock, fl);
}

bool net_sysctl_ping_group(uint32_t gid)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	bool in = ping_low <= gid && gid <= ping_high;
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return in;
}

uint8_t net_sysctl_default_ttl(void)
{
	return (uint8_t)__atomic_load_n(&default_ttl, __ATOMIC_RELAXED);
}

int net_sysctl_somaxconn(void)
{
	return __atomic_load_n(&somaxconn, __ATOMIC_RELAXED);
}

bool net_sysctl_tcp_sack(void)
{
	return __atomic_load_n(&tcp_sack, __ATOMIC_RELAXED) != 0;
}

unsigned net_sysctl_tcp_cong_default(void)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	unsigned id = cong_default;
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return id;
}

bool net_sysctl_tcp_cong_allowed(unsigned id)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	bool ok = id < TCP_CC_COUNT && ((cong_allowed >> id) & 1);
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return ok;
}

bool net_sysctl_tcp_timestamps(void)
{
	return __atomic_load_n(&tcp_timestamps, __ATOMIC_RELAXED) != 0;
}

uint32_t net_sysctl_mtu_expires4(void)
{
	return (uint32_t)__atomic_load_n(&mtu_expires4, __ATOMIC_RELAXED);
}

uint8_t net_sysctl_tcp_min_tso_segs(void)
{
	return (uint8_t)__atomic_load_n(&tcp_min_tso_segs, __ATOMIC_RELAXED);
}

uint32_t net_sysctl_tcp_reordering(void)
{
	return (uint32_t)__atomic_load_n(&tcp_reordering, __ATOMIC_RELAXED);
}

uint32_t net_sysctl_tcp_max_reordering(void)
{
	return (uint32_t)__atomic_load_n(&tcp_max_reordering, __ATOMIC_RELAXED);
}

uint32_t net_sysctl_tcp_notsent_lowat(void)
{
	return (uint32_t)__atomic_load_n(&tcp_notsent_lowat, __ATOMIC_RELAXED);
}

uint32_t net_sysctl_tcp_rmem_max(void)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	int64_t max = tcp_rmem[2];
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return (uint32_t)max;
}

/* tcp_wmem's value i, under the lock (the triple is written whole). */
static uint32_t tcp_wmem_at(int i)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	int64_t v = tcp_wmem[i];
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return (uint32_t)v;
}

uint32_t net_sysctl_tcp_wmem_default(void)
{
	return tcp_wmem_at(1);
}

uint32_t net_sysctl_tcp_wmem_max(void)
{
	return tcp_wmem_at(2);
}

/* ---- the writable files, with Linux's checks ------------------------------------ */

static void port_range_get(int64_t *v)
{
	uint16_t lo, hi;
	net_sysctl_port_range(&lo, &hi);
	v[0] = lo;
	v[1] = hi;
}

/* Linux's ipv4_local_port_range: each 1..65535, low <= high, low not
 * below ip_unprivileged_port_start. */
static int port_range_set(const int64_t *v)
{
	for (int i = 0; i < 2; i++)
		if (v[i] < 1 || v[i] > NET_PORT_MAX)
			return -EINVAL;
	if (v[1] < v[0] || v[0] < NET_PROT_SOCK)
		return -EINVAL;
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	port_low = (uint16_t)v[0];
	port_high = (uint16_t)v[1];
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return 0;
}

static void ping_range_get(int64_t *v)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	v[0] = ping_low;
	v[1] = ping_high;
	spin_unlock_irqrestore(&sysctl_lock, fl);
}

/* Linux's ipv4_ping_group_range: each 0..GID_T_MAX (-EINVAL); a range
 * whose high is below its low becomes "1 0", the empty one. */
static int ping_range_set(const int64_t *v)
{
	for (int i = 0; i < 2; i++)
		if (v[i] < 0 || v[i] > NET_GID_MAX)
			return -EINVAL;
	bool empty = v[1] < v[0];
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	ping_low = empty ? 1 : (uint32_t)v[0];
	ping_high = empty ? 0 : (uint32_t)v[1];
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return 0;
}

static void ttl_get(int64_t *v)
{
	v[0] = net_sysctl_default_ttl();
}

/* proc_dointvec_minmax over ip_ttl_min..ip_ttl_max. */
static int ttl_set(const int64_t *v)
{
	if (v[0] < NET_TTL_MIN || v[0] > NET_TTL_MAX)
		return -EINVAL;
	__atomic_store_n(&default_ttl, (int)v[0], __ATOMIC_RELAXED);
	return 0;
}

static void somaxconn_get(int64_t *v)
{
	v[0] = net_sysctl_somaxconn();
}

/* proc_dointvec_minmax from SYSCTL_ZERO, no upper bound but int's. */
static int somaxconn_set(const int64_t *v)
{
	if (v[0] < 0 || v[0] > INT_MAX_VALUE)
		return -EINVAL;
	__atomic_store_n(&somaxconn, (int)v[0], __ATOMIC_RELAXED);
	return 0;
}

/* Linux 6.1's tcp_rmem is proc_dointvec_minmax with extra1 = 1: each of
 * the three at least 1 and an int (-EINVAL), no order between them. */
static int tcp_rmem_set(const int64_t *v)
{
	for (int i = 0; i < 3; i++)
		if (v[i] < 1 || v[i] > INT_MAX_VALUE)
			return -EINVAL;
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	for (int i = 0; i < 3; i++)
		tcp_rmem[i] = v[i];
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return 0;
}

/* The names of the algorithms in mask (a bit per enum tcp_cc_id), in
 * Linux's order, space-separated, into buf (cap bytes, NUL-terminated). */
static void cong_list(uint32_t mask, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < TCP_CC_COUNT; i++) {
		if (!((mask >> i) & 1))
			continue;
		len += (size_t)ksnprintf(buf + len, cap - len, "%s%s", len ? " " : "", tcp_cc_name(i));
		if (len >= cap)
			return;
	}
}

static void cong_default_get(char *buf, size_t cap)
{
	strlcpy(buf, tcp_cc_name(net_sysctl_tcp_cong_default()), cap);
}

/* Linux's tcp_set_default_congestion_control: a known name, else
 * -ENOENT; the default is always allowed. */
static int cong_default_set(const char *s, size_t len)
{
	int id = tcp_cc_find(s, len);

	if (id < 0)
		return id;
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	cong_default = (uint8_t)id;
	cong_allowed |= 1u << id;
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return 0;
}

static void cong_available_get(char *buf, size_t cap)
{
	cong_list((1u << TCP_CC_COUNT) - 1, buf, cap);
}

static void cong_allowed_get(char *buf, size_t cap)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	uint32_t mask = cong_allowed;
	spin_unlock_irqrestore(&sysctl_lock, fl);
	cong_list(mask, buf, cap);
}

/* Linux's tcp_set_allowed_congestion_control: space-separated names up
 * to the first empty one (strsep's), each known, else -ENOENT and
 * nothing changes; they become the allowed set, the default with them. */
static int cong_allowed_set(const char *s, size_t len)
{
	uint32_t mask = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ' ')
			j++;
		if (j == i)
			break;
		int id = tcp_cc_find(s + i, j - i);
		if (id < 0)
			return id;
		mask |= 1u << id;
		i = j + 1;
	}
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	cong_allowed = mask | 1u << cong_default;
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return 0;
}

/* ---- the read-only files -------------------------------------------------------- */

/*
 * ip_forward: 0, and read-only. Linux lets root write 1 and then
 * forwards; Kestrel has no forwarding path, so accepting the write would
 * say something untrue. A read-only sysctl is what Linux shows when a
 * setting cannot be changed (its open for writing is -EACCES, root's
 * too), so a program that wants forwarding learns at once that it has none.
 */
static void zero_get(int64_t *v)
{
	v[0] = 0;
}

static void one_get(int64_t *v)
{
	v[0] = 1;
}

static void keepalive_time_get(int64_t *v)
{
	v[0] = TCP_KEEPIDLE_S;
}

static void keepalive_intvl_get(int64_t *v)
{
	v[0] = TCP_KEEPINTVL_S;
}

static void keepalive_probes_get(int64_t *v)
{
	v[0] = TCP_KEEPCNT_DEFAULT;
}

static void fin_timeout_get(int64_t *v)
{
	v[0] = (int64_t)(TCP_FIN_TIMEOUT_NS / TCP_NS_PER_S);
}

/* tcp_rmem and tcp_wmem: min, default, max. Linux 6.1 shows "4096 131072
 * 6291456" and "4096 16384 4194304". A Kestrel connection's receive ring
 * starts at the default and autotuning grows it towards the max (its
 * ring holds data, Linux's counts buffer memory: see
 * TCP_RCV_RING_AUTO_MAX); the send buffer's limit is tcp_wmem's, counted
 * as Linux counts it (tcp_sndbuf.c). Nothing shrinks them under pressure. */
static void tcp_rmem_get(int64_t *v)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	for (int i = 0; i < 3; i++)
		v[i] = tcp_rmem[i];
	spin_unlock_irqrestore(&sysctl_lock, fl);
}

static void tcp_wmem_get(int64_t *v)
{
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	for (int i = 0; i < 3; i++)
		v[i] = tcp_wmem[i];
	spin_unlock_irqrestore(&sysctl_lock, fl);
}

/* Linux 6.1's tcp_wmem is proc_dointvec_minmax with extra1 = 1, as
 * tcp_rmem: each of the three from 1 to INT_MAX, in no particular order. */
static int tcp_wmem_set(const int64_t *v)
{
	for (int i = 0; i < 3; i++)
		if (v[i] < 1 || v[i] > INT_MAX_VALUE)
			return -EINVAL;
	uint64_t fl = spin_lock_irqsave(&sysctl_lock);
	for (int i = 0; i < 3; i++)
		tcp_wmem[i] = v[i];
	spin_unlock_irqrestore(&sysctl_lock, fl);
	return 0;
}

/* net.core's socket buffer sizes: a new socket's SO_SNDBUF/SO_RCVBUF and
 * setsockopt's cap (Linux's 212992 each). */
static void buf_default_get(int64_t *v)
{
	v[0] = UNIX_BUF_DEFAULT;
}

static void buf_max_get(int64_t *v)
{
	v[0] = UNIX_BUF_MAX;
}

/* Linux's TCP_CA_BUF_MAX is 2048; two names need far less. */
#define CONG_LIST_CAP SYSCTL_STR_LONG

#define RO(nm, d, getter) { .name = nm, .dir = d, .mode = 0444, .n = 1, .get = getter }
#define RO_V(nm, d, cnt, getter) { .name = nm, .dir = d, .mode = 0444, .n = cnt, .get = getter }
#define RW(nm, d, cnt, getter, setter) \
	{ .name = nm, .dir = d, .mode = 0644, .n = cnt, .get = getter, .set = setter }
/* Linux's proc_dou8vec_minmax: any byte, -EINVAL past one (tcp_sack,
 * tcp_timestamps, tcp_recovery) */
#define U8_MAX_VALUE 255
#define RW_U8(nm, d, var) { .name = nm, .dir = d, .mode = 0644, .n = 1, .data = &var, .min = 0, .max = U8_MAX_VALUE }
#define CORE SYSCTL_DIR_NET_CORE
#define IPV4 SYSCTL_DIR_NET_IPV4
#define IPV6 SYSCTL_DIR_NET_IPV6
#define IPV4_ROUTE SYSCTL_DIR_NET_IPV4_ROUTE
#define JIFFIES_SECS_MAX (INT_MAX_VALUE / 100) /* proc_dointvec_jiffies' bound (HZ 100) */

/* In name order within each directory, as Linux lists them. */
static const struct sysctl_file net_files[] = {
	RO("rmem_default", CORE, buf_default_get),
	RO("rmem_max", CORE, buf_max_get),
	RW("somaxconn", CORE, 1, somaxconn_get, somaxconn_set),
	RO("wmem_default", CORE, buf_default_get),
	RO("wmem_max", CORE, buf_max_get),
	RW("ip_default_ttl", IPV4, 1, ttl_get, ttl_set),
	RO("ip_forward", IPV4, zero_get),
	RW("ip_local_port_range", IPV4, 2, port_range_get, port_range_set),
	RW("ping_group_range", IPV4, 2, ping_range_get, ping_range_set),
	{ .name = "tcp_allowed_congestion_control", .dir = IPV4, .mode = 0644,
	  .get_str = cong_allowed_get, .set_str_checked = cong_allowed_set, .str_cap = CONG_LIST_CAP },
	{ .name = "tcp_available_congestion_control", .dir = IPV4, .mode = 0444,
	  .get_str = cong_available_get, .str_cap = CONG_LIST_CAP },
	{ .name = "tcp_congestion_control", .dir = IPV4, .mode = 0644,
	  .get_str = cong_default_get, .set_str_checked = cong_default_set, .str_cap = TCP_CC_NAME_MAX },
	RO("tcp_fin_timeout", IPV4, fin_timeout_get),
	RO("tcp_keepalive_intvl", IPV4, keepalive_intvl_get),
	RO("tcp_keepalive_probes", IPV4, keepalive_probes_get),
	RO("tcp_keepalive_time", IPV4, keepalive_time_get),
	{ .name = "tcp_max_reordering", .dir = IPV4, .mode = 0644, .n = 1, .data = &tcp_max_reordering,
	  .min = 1, .max = INT_MAX_VALUE },
	{ .name = "tcp_min_tso_segs", .dir = IPV4, .mode = 0644, .n = 1, .data = &tcp_min_tso_segs,
	  .min = 1, .max = U8_MAX_VALUE }, /* proc_dou8vec_minmax from SYSCTL_ONE */
	RO("tcp_moderate_rcvbuf", IPV4, one_get), /* receive rings autotuned (tcp_user.c) */
	{ .name = "tcp_notsent_lowat", .dir = IPV4, .mode = 0644, .n = 1, .kind = SYSCTL_UINT,
	  .data = &tcp_notsent_lowat, .min = 0, .max = UINT32_MAX },
	RW_U8("tcp_recovery", IPV4, tcp_recovery),
	{ .name = "tcp_reordering", .dir = IPV4, .mode = 0644, .n = 1, .data = &tcp_reordering,
	  .min = 1, .max = INT_MAX_VALUE },
	RW("tcp_rmem", IPV4, 3, tcp_rmem_get, tcp_rmem_set),
	RW_U8("tcp_sack", IPV4, tcp_sack), /* SACK-permitted offered (see tcp_sack) */
	RO("tcp_syncookies", IPV4, zero_get),     /* no SYN cookies: a full SYN queue drops (Linux: 1) */
	RW_U8("tcp_timestamps", IPV4, tcp_timestamps), /* RFC 7323, offered unless 0 */
	RW_U8("tcp_tso_win_divisor", IPV4, tcp_tso_win_divisor), /* kept only (see tcp_tso_win_divisor) */
	RO("tcp_window_scaling", IPV4, one_get),  /* window scaling offered and used */
	RW("tcp_wmem", IPV4, 3, tcp_wmem_get, tcp_wmem_set),
	{ .name = "mtu_expires", .dir = IPV4_ROUTE, .mode = 0644, .n = 1, .data = &mtu_expires4,
	  .min = 0, .max = JIFFIES_SECS_MAX },
	{ .name = "bindv6only", .dir = IPV6, .mode = 0644, .n = 1, .data = &bindv6only, .min = 0, .max = 1 },
};

void net_sysctl_init(void)
{
	procfs_sysctl_register(net_files, sizeof(net_files) / sizeof(net_files[0]));
}
