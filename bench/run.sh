#!/usr/bin/env bash
# Gazette's benchmark, in one command: builds, generates datasets, starts real
# nginx and the worker pool on loopback, runs wrk against each target and its
# baseline in interleaved rounds, and prints a table of medians, p99s and
# ratios. Loopback only; every load run is bounded in time.
#
#   bench/run.sh [--sizes 1000,100000] [--duration 5] [--rounds 3] [--dynamic-rounds 3]
#
# Datasets are kept under bench/data/ (git-ignored) and reused between runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh
gz_ensure_packages "${GAZETTE_PACKAGES[@]}" "${GAZETTE_TEST_PACKAGES[@]}" wrk
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
exec /usr/bin/python3 bench/bench.py --build build-bench "$@"
