#!/usr/bin/env bash
# Does a FastCGI worker's memory stay flat under load? Starts the site with
# ./run.sh (one worker, a throw-away data directory, a free loopback port),
# requests article pages with ab (keep-alive, 4 at a time) and reads the
# worker's VmRSS after 1,000 requests and after N (default 100,000):
#
#   bench/rss.sh [N]
#   worker RSS after 1000 requests: X kB; after N: Y kB
#
# A worker that leaks per request grows between the two figures. Loopback only;
# every ab run is bounded by a timeout. Needs what run.sh needs plus ab.
set -euo pipefail
total=${1:-100000}
case $total in '' | *[!0-9]*) echo "usage: bench/rss.sh [REQUESTS]" >&2; exit 2 ;; esac
[ "$total" -gt 1000 ] || { echo "bench/rss.sh: give more than 1000 requests" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh
gz_ensure_packages "${GAZETTE_PACKAGES[@]}" "${GAZETTE_TEST_PACKAGES[@]}"

data=$(mktemp -d "${TMPDIR:-/tmp}/gazette-bench.XXXXXX")
port=$(gz_free_port)
runsh=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$runsh" ]; then
		kill -TERM "$runsh" 2>/dev/null || true
		wait "$runsh" 2>/dev/null || true
	fi
	rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GAZETTE_DATA=$data GAZETTE_PORT=$port GAZETTE_WORKERS=1 ./run.sh >"$data/run.out" 2>&1 &
runsh=$!
gz_wait_serving "$data/run.out" "$runsh" 6000 # run.sh may have to build first

url=http://127.0.0.1:$port
pool=$(cat "$data/run/gazette.pid")
# The pool's children are its workers (gz-worker) and its helpers.
worker=$(pgrep -x -P "$pool" gz-worker || true)
[ "$(wc -w <<<"$worker")" -eq 1 ] || gz_die "expected one worker under pool $pool, got: $worker"

mapfile -t ids < <(curl -fsS "$url/" | grep -o 'href="/a/[0-9]*"' | grep -o '[0-9]\+' | sort -un | head -n 20)
[ ${#ids[@]} -gt 0 ] || gz_die "the home page links to no article"

# load N: N article requests spread evenly over the ids, in rounds of one ab
# run per id; any failed or non-2xx answer aborts the benchmark. The query
# string makes nginx pass them to the worker instead of answering from the
# page files the keeper writes.
load() {
	local left=$1 each out n i=0
	each=$(((left + ${#ids[@]} - 1) / ${#ids[@]}))
	while [ "$left" -gt 0 ]; do
		n=$((left < each ? left : each))
		out=$(timeout 300 ab -q -k -c 4 -n "$n" "$url/a/${ids[i % ${#ids[@]}]}?rss" 2>&1) ||
			gz_die "ab failed: $out"
		grep -q '^Failed requests: *0$' <<<"$out" || gz_die "failed requests: $out"
		! grep -q '^Non-2xx responses' <<<"$out" || gz_die "non-2xx answers: $out"
		left=$((left - n)) i=$((i + 1))
		bytes=$(awk '/^Document Length:/ { print $3 }' <<<"$out")
	done
}
rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$worker/status"
}

bytes=0
start=$SECONDS
load 1000
rss1=$(rss)
load $((total - 1000))
rss2=$(rss)
[ "$(pgrep -x -P "$pool" gz-worker || true)" = "$worker" ] || gz_die "the worker was replaced during the run: figures void"

echo "requests: $total over ${#ids[@]} article pages (last one $bytes bytes) in $((SECONDS - start)) s, 1 worker"
echo "worker RSS after 1000 requests: $rss1 kB; after $total: $rss2 kB"
