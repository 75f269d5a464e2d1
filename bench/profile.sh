#!/usr/bin/env bash
# Instructions per request of each dynamic target, counted by callgrind
# (bench/profile.py says how). Builds build-bench/ (Release) first.
#
#   bench/profile.sh [--size 1000] [--n 200] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh
gz_ensure_packages "${GAZETTE_PACKAGES[@]}" "${GAZETTE_TEST_PACKAGES[@]}" valgrind
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
exec /usr/bin/python3 bench/profile.py --build build-bench "$@"
