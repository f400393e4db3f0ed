#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kestrel's adaptation of packetdrill's gtests/net/common/defaults.sh (and
# tcp/common/defaults.sh, which is the same file): the same production TCP
# settings, written straight to /proc/sys by POSIX sh (no bash, no sysctl(8)
# needed on the guests). A file that is missing or read-only on the machine
# under test is skipped silently, as `sysctl -q` would fail: the script that
# depends on the value then shows the difference. Left out: `ip tcp_metrics
# flush` (no TCP metrics cache on either guest at boot) and the tc qdisc line
# (it is for packetdrill's tun0, not the wire's eth0).
pd_set() {
	(echo "$2" > "/proc/sys/net/ipv4/$1") 2>/dev/null
	return 0
}
pd_set tcp_rmem "4096 540000 $((15*1024*1024))"
pd_set tcp_wmem "4096 $((256*1024)) 4194304"
pd_set tcp_timestamps 1
pd_set tcp_syn_retries 5
pd_set tcp_synack_retries 5
pd_set tcp_frto 2
pd_set tcp_sack 1
pd_set tcp_dsack 1
pd_set tcp_fack 0
pd_set tcp_reordering 3
pd_set tcp_congestion_control cubic
pd_set tcp_slow_start_after_idle 0
pd_set tcp_early_retrans 4
pd_set tcp_recovery 1
pd_set tcp_tso_win_divisor 3
pd_set tcp_ecn 0
pd_set tcp_ecn_option 2
pd_set tcp_pacing_ss_ratio 200
pd_set tcp_pacing_ca_ratio 120
pd_set tcp_notsent_lowat 4294967295
pd_set tcp_fastopen 0x70403
pd_set tcp_fastopen_key a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4
pd_set tcp_syncookies 1
exit 0
