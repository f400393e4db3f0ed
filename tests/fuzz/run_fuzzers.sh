#!/bin/sh
# SPDX-License-Identifier: MIT
# Run libFuzzer harnesses side by side: each for SECONDS on its corpus
# (OUT/corpus-NAME), JOBS at a time (libFuzzer runs one thread, so one
# CPU each). A fuzzer's last lines and its PASS or FAIL are printed
# together when it ends; one that exits non-zero found a problem (its
# artifact is OUT/NAME-crash-...). Ends with "fuzz: N passed, N failed"
# and a non-zero status if any failed.
#
#     run_fuzzers.sh OUT SECONDS JOBS NAME...
#     run_fuzzers.sh --one OUT SECONDS NAME      (one fuzzer; xargs runs these)
set -u

if [ "$1" = --one ]; then
	out=$2 secs=$3 f=$4
	"$out/$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$out/$f-" \
		"$out/corpus-$f" > "$out/$f.log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		verdict="FAIL $f found a problem (exit $rc): see $out/$f.log"
	else
		verdict="PASS $f"
	fi
	# one write, so that blocks of fuzzers ending together do not interleave
	printf '== %s (%s s)\n%s\n%s\n' "$f" "$secs" "$(tail -n 6 "$out/$f.log")" "$verdict"
	exit 0
fi

out=$1 secs=$2 jobs=$3
shift 3
results=$(printf '%s\n' "$@" | xargs -P "$jobs" -n 1 sh "$0" --one "$out" "$secs")
printf '%s\n' "$results"
pass=$(printf '%s\n' "$results" | grep -c '^PASS ')
fail=$(printf '%s\n' "$results" | grep -c '^FAIL ')
missing=$(($# - pass - fail)) # a fuzzer that printed nothing (killed) counts as failed
echo "fuzz: $pass passed, $((fail + missing)) failed"
[ "$fail" -eq 0 ] && [ "$missing" -eq 0 ]
