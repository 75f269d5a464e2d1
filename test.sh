#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite twice:
# build/ (the build users run) and build-asan/ (AddressSanitizer and
# UndefinedBehaviorSanitizer, leaks included). Exits 0 only if both pass, and
# ends with one line "tests: N passed, M failed" summing the two runs.
#
# Environment: GAZETTE_TEST_JOBS (parallel ctest jobs, default: the number of
# CPUs), GAZETTE_TEST_ONLY (a ctest -R regular expression, to run a subset).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh

gz_ensure_packages "${GAZETTE_PACKAGES[@]}" "${GAZETTE_TEST_PACKAGES[@]}"

jobs=${GAZETTE_TEST_JOBS:-$(nproc)}
filter=()
[ -z "${GAZETTE_TEST_ONLY:-}" ] || filter=(-R "$GAZETTE_TEST_ONLY")
passed=0 failed=0 ok=1

# suite NAME DIR [CMAKE ARGS...]: configures, builds and runs ctest in DIR,
# adding its counts to the totals. A tree that does not build counts as one
# failure (its tests could not run).
suite() {
	local name=$1 dir=$2 log summary total nfail
	shift 2
	log=$(mktemp)
	echo "== $name: building $dir"
	if ! { cmake -S "$root" -B "$dir" "$@" && cmake --build "$dir" -j "$(nproc)"; } \
		>"$log" 2>&1; then
		cat "$log"
		echo "== $name: BUILD FAILED"
		rm -f "$log"
		failed=$((failed + 1)) ok=0
		return 0
	fi
	rm -f "$log"
	# Leftovers of an earlier run (sockets, databases) must not leak into this one.
	rm -rf "$dir/testtmp"
	mkdir -p "$dir/testtmp"
	echo "== $name: running the tests"
	log=$(mktemp)
	if (cd "$dir" && ctest --output-on-failure -j "$jobs" "${filter[@]}") 2>&1 | tee "$log"; then
		:
	else
		ok=0
	fi
	# ctest's own summary: "95% tests passed, 1 tests failed out of 20".
	summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1 || true)
	rm -f "$log"
	if [ -z "$summary" ]; then
		echo "== $name: ctest printed no summary"
		failed=$((failed + 1)) ok=0
		return 0
	fi
	nfail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
	total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
	passed=$((passed + total - nfail))
	failed=$((failed + nfail))
	[ "$nfail" -eq 0 ] || ok=0
}

suite plain "$root/build"
# Stop at the first report, leaks included, with a stack for UBSan. (Bash
# exports assignments before a function call for the call's duration only.)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	suite sanitizers "$root/build-asan" -DGAZETTE_SANITIZE=ON

echo "tests: $passed passed, $failed failed"
[ "$ok" = 1 ] && [ "$failed" -eq 0 ]
