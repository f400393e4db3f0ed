# SPDX-License-Identifier: MIT
# Build the benchmark programs (rootfs/src/bench/) into $(B)/rootfs.extra/bin/ for the rootfs.
#
# Included by the top-level Makefile after rootfs/rootfs.mk (it uses MUSL_CC,
# ROOTFS_BIN, ROOTFS_CFLAGS and rootfs_check from there). Every benchmark is a
# static musl program /bin/bench-NAME taking an iteration count; bench-run
# runs them all; bench-true is the tiny program fork_exec executes. The same
# binaries go into the Linux initramfs tools/bench.py builds, so both
# kernels run identical code.

BENCH_SRC   := rootfs/src/bench
# The loopback network ones (127.0.0.1, TCP and UDP), sharing inet.h: in the list below.
BENCH_NET   := tcp_stream tcp_rr tcp_connect udp_rr
BENCH_NAMES := null_syscall write_null pipe_pingpong unix_pingpong yield_switch futex_wake fork_exit fork_exec \
	fork_refused page_fault exec_busybox clock_gettime $(BENCH_NET)
# The curves: one operation's cost against N (bench-run runs them in its "curves" mode).
BENCH_CURVES := curve_pipe curve_poll curve_dir curve_mmap curve_file curve_path curve_fork \
	curve_yield
# The disk benchmark: bench-run's disk mode runs it on a disk tools/bench.py attaches.
BENCH_DISK := disk
# The SMP benchmarks: bench-run's smp mode runs them (tools/bench.py boots -smp 1, 2, 4).
BENCH_SMP := parallel fork_exec_par pipe_xcpu futex_xcpu scale
BENCH_PROGS := $(patsubst %,$(ROOTFS_BIN)/bench-%,$(BENCH_NAMES) $(BENCH_CURVES) $(BENCH_DISK) \
	$(BENCH_SMP) run true)

.PHONY: bench-progs
bench-progs: $(BENCH_PROGS)

# exec_busybox is fork_exec.c with another program to run.
$(ROOTFS_BIN)/bench-exec_busybox: BENCH_DEFS := -DBENCH_EXEC_BUSYBOX
$(ROOTFS_BIN)/bench-exec_busybox: $(BENCH_SRC)/fork_exec.c $(BENCH_SRC)/bench.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) $(BENCH_DEFS) -static -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)

$(patsubst %,$(ROOTFS_BIN)/bench-%,$(BENCH_CURVES)): $(BENCH_SRC)/curve.h
$(patsubst %,$(ROOTFS_BIN)/bench-%,$(BENCH_SMP)): $(BENCH_SRC)/smp.h
$(ROOTFS_BIN)/bench-pipe_pingpong $(ROOTFS_BIN)/bench-unix_pingpong $(ROOTFS_BIN)/bench-pipe_xcpu: \
	$(BENCH_SRC)/pipe_trip.h
$(patsubst %,$(ROOTFS_BIN)/bench-%,$(BENCH_NET)): $(BENCH_SRC)/inet.h

$(ROOTFS_BIN)/bench-%: $(BENCH_SRC)/%.c $(BENCH_SRC)/bench.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(ROOTFS_CFLAGS) -static -o $@ $<
	$(call rootfs_check,$@,$(rootfs_no_wx),a PT_LOAD is writable and executable)
