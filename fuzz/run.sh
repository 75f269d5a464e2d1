#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (build-fuzz/, GAZETTE_FUZZ=ON)
# and runs each for SECONDS (default 60) on its seeds, its regression
# inputs and its dictionary, one after the other (GAZETTE_FUZZ_JOBS=2: two
# at a time). Prints per harness the executions, the coverage (cov: edges,
# ft: features), the corpus size and whether it crashed; exits 1 if any did.
#
#   fuzz/run.sh [SECONDS] [NAME...]     e.g. fuzz/run.sh 120 query markdown
#
# What a run learns stays in build-fuzz/corpus/NAME (fed back to the next
# run); a crashing input is written to build-fuzz/crashes/NAME/ and its log
# to build-fuzz/logs/NAME.log. To keep one: fix the code, copy the input
# into fuzz/regression/NAME/ and commit both, so ./test.sh replays it.
# Environment: GAZETTE_FUZZ_BUILD (build directory, default build-fuzz).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh

seconds=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi
build=${GAZETTE_FUZZ_BUILD:-$root/build-fuzz}
jobs=${GAZETTE_FUZZ_JOBS:-1}

# The longest input worth trying, per harness: about one realistic request,
# file or page of each kind (longer ones mostly repeat what shorter ones did).
max_len() {
	case $1 in
	cookie | header) echo 1024 ;;
	config | query | request | migration) echo 2048 ;;
	media | diff | import) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do
		n=${f#fuzz/fuzz_}
		names+=("${n%.c}")
	done
fi
for n in "${names[@]}"; do
	[ -f "fuzz/fuzz_$n.c" ] || gz_die "no harness fuzz/fuzz_$n.c"
done

gz_ensure_packages "${GAZETTE_PACKAGES[@]}" clang libclang-rt-14-dev
gz_say "Building the harnesses in $build"
CC=clang cmake -S "$root" -B "$build" -DGAZETTE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	>/dev/null
cmake --build "$build" -j "$(nproc)" --target "${names[@]/#/fuzz_}" >/dev/null

# fuzz_one NAME: runs one harness, writes its summary line to
# $build/logs/NAME.summary, returns non-zero when it crashed.
fuzz_one() {
	local n=$1 log rc=0 stats execs cov ft corp
	log=$build/logs/$n.log
	mkdir -p "$build/corpus/$n" "$build/crashes/$n" "$build/logs"
	# close_fd_mask=2: the code's own log lines (a refused header is logged)
	# would fill the log; libFuzzer and the sanitizers keep a copy of stderr.
	local args=(-max_total_time="$seconds" -max_len="$(max_len "$n")" -timeout=25
		-rss_limit_mb=2048 -close_fd_mask=2 -print_final_stats=1
		-artifact_prefix="$build/crashes/$n/")
	[ -f "fuzz/$n.dict" ] && args+=(-dict="fuzz/$n.dict")
	# New inputs go to the first directory; the committed ones are only read.
	"$build/fuzz/fuzz_$n" "${args[@]}" "$build/corpus/$n" "fuzz/corpus/$n" \
		"fuzz/regression/$n" >"$log" 2>&1 || rc=$?
	stats=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$stats")
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$stats")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$stats")
	corp=$(sed -nE 's/.* corp: ([^ ]+).*/\1/p' <<<"$stats")
	local crash="no"
	if [ "$rc" -ne 0 ]; then
		crash="YES: $(grep -m1 -E 'ERROR: |runtime error|Test unit written' "$log" || echo "exit $rc")"
		crash+=" (see $log; input in $build/crashes/$n/)"
	fi
	printf '%-10s execs %-10s cov %-6s ft %-7s corpus %-12s crashed %s\n' "$n" \
		"${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crash" >"$build/logs/$n.summary"
	cat "$build/logs/$n.summary"
	return "$rc"
}

gz_say "Fuzzing ${names[*]} for ${seconds}s each ($jobs at a time)"
failed=0
pids=()
for n in "${names[@]}"; do
	if [ "$jobs" -le 1 ]; then
		fuzz_one "$n" || failed=1
		continue
	fi
	fuzz_one "$n" &
	pids+=($!)
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}" || failed=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do
	wait "$p" || failed=1
done

echo "== summary (${seconds}s each)"
for n in "${names[@]}"; do
	cat "$build/logs/$n.summary"
done
[ "$failed" -eq 0 ] || {
	echo "fuzz: a harness crashed"
	exit 1
}
echo "fuzz: no crash"
