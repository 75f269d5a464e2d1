#!/usr/bin/env bash
# Memory errors and definite leaks of every pool process under the integration
# tests' workload. Builds build-valgrind/ (Debug, no sanitizers), then runs the
# Python integration tests with GAZETTE_FCGI pointing at a wrapper that starts
# gazette.fcgi under
#
#   valgrind --leak-check=full --errors-for-leak-kinds=definite
#            --error-exitcode=99 --trace-children=yes
#
# so the master, every worker, the page keeper and the view counter (forked:
# valgrind follows them) each write their own report. The seccomp filters are
# off there (GAZETTE_SANDBOX=off: valgrind makes calls of its own); rm, which
# the keeper runs, is not traced (not our code). At the end one line per
# process: test, role, pid, errors, definitely lost bytes/blocks, then totals.
# Exits 0 only with no error and no definite leak. Slow (minutes): not in ctest.
#
#   bench/valgrind.sh [TEST...]    default: the pool tests listed below
#
# Environment: GAZETTE_VALGRIND_KEEP=1 keeps the reports directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh
gz_ensure_packages "${GAZETTE_PACKAGES[@]}" "${GAZETTE_TEST_PACKAGES[@]}" valgrind

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(nginx_test site_test upload_test revisions_test admin_pages_test
	auth_test probe_test freshness_test)

build=$root/build-valgrind
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DGAZETTE_SQLMEM=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target gazette gazette_fcgi >/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/gazette-valgrind.XXXXXX")
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ "${GAZETTE_VALGRIND_KEEP:-}" = 1 ]; then
		gz_say "reports kept in $out"
	else
		rm -rf "$out"
	fi
}
trap cleanup EXIT
mkdir -p "$out/tmp"

# The wrapper the tests start as gazette.fcgi: same pid (exec), so the tests
# see the pool's master and its named children as usual. Its stderr (the
# pool's log) is copied to pool.PID.log, whose lines name the helpers' pids,
# by a tee that is no child of the pool (the tests count those).
wrapper=$out/gazette.fcgi
cat >"$wrapper" <<EOF
#!/usr/bin/env bash
export GAZETTE_SANDBOX=off
fifo="$out/fifo.\$\$"
mkfifo "\$fifo"
( tee -a "$out/pool.\$\$.log" <"\$fifo" >&2 & )
exec 2>"\$fifo"
rm -f "\$fifo"
exec valgrind --leak-check=full --errors-for-leak-kinds=definite \\
	--error-exitcode=99 --trace-children=yes --trace-children-skip='*/rm' \\
	--num-callers=30 --log-file="$out/vg.%p.log" "$build/gazette.fcgi" "\$@"
EOF
chmod +x "$wrapper"

status=0
for t in "${tests[@]}"; do
	mkdir -p "$out/$t"
	gz_say "== $t under valgrind"
	if GAZETTE_SOURCE=$root GAZETTE_BIN=$build/gazette GAZETTE_FCGI=$wrapper \
		GAZETTE_TESTTMP=$out/tmp timeout 1800 /usr/bin/python3 "tests/$t.py" \
		>"$out/$t/test.out" 2>&1; then
		gz_say "   $(tail -n 1 "$out/$t/test.out")"
	else
		# Slower processes miss some of the tests' time limits: the reports
		# below still count; the test's own failures are listed for a look.
		gz_say "   $(tail -n 1 "$out/$t/test.out") (under valgrind; see below)"
		grep 'check failed' "$out/$t/test.out" | head -n 5 | sed 's/^/     /' >&2 || true
	fi
	mv "$out"/vg.*.log "$out"/pool.*.log "$out/$t/" 2>/dev/null || true
done

# One line per process. The role comes from the pool's own log lines
# ("gazette[PID] info: view counter: ready", "keeper: keeping pages", the
# master's "listening on"); other children of a master are workers.
/usr/bin/python3 - "$out" "${tests[@]}" <<'EOF' || status=1
import glob, os, re, sys

out, tests = sys.argv[1], sys.argv[2:]
total_err = total_lost = nproc = 0
print(f"{'test':<18} {'process':<11} {'pid':>7} {'errors':>7} {'definitely lost':>22}")
for t in tests:
    roles = {}
    for log in glob.glob(os.path.join(out, t, "pool.*.log")):
        text = open(log, errors="replace").read()
        for pid, what in re.findall(r"gazette\[(\d+)\] info: (view counter: ready|keeper: keeping"
                                    r"|listening on)", text):
            roles[int(pid)] = {"view counter: ready": "counter", "keeper: keeping": "keeper",
                               "listening on": "master"}[what]
    for log in sorted(glob.glob(os.path.join(out, t, "vg.*.log")),
                      key=lambda p: int(re.search(r"(\d+)\.log$", p).group(1))):
        pid = int(re.search(r"(\d+)\.log$", log).group(1))
        text = open(log, errors="replace").read()
        if "Command:" in text and "gazette.fcgi" not in text.split("Command:", 1)[1].split("\n")[0]:
            continue  # a program the keeper ran (rm is skipped, its fork child is not)
        m = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
        errors = int(m[-1]) if m else None
        lost = re.findall(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", text)
        lost_b, lost_n = (int(lost[-1][0].replace(",", "")), int(lost[-1][1].replace(",", ""))) \
            if lost else (0, 0)
        parent = re.search(r"Parent PID: (\d+)", text)
        role = roles.get(pid, "worker")
        if parent and roles.get(int(parent.group(1))) == "keeper":
            print(f"{t:<18} {'keeper/rm':<11} {pid:>7} {'-':>7} {'(ran rm: not traced)':>22}")
            continue
        if errors is None:
            # killed (nginx_test and crash_test kill workers with SIGKILL)
            print(f"{t:<18} {role:<11} {pid:>7} {'-':>7} {'(no summary: killed)':>22}")
            continue
        nproc += 1
        total_err += errors
        total_lost += lost_b
        flag = "  <--" if errors or lost_b else ""
        print(f"{t:<18} {role:<11} {pid:>7} {errors:>7} {f'{lost_b} B in {lost_n}':>22}{flag}")
print(f"valgrind: {nproc} processes, {total_err} errors, {total_lost} bytes definitely lost")
sys.exit(1 if total_err or total_lost else 0)
EOF
if [ "$status" -ne 0 ]; then
	gz_say "the reports with errors or leaks:"
	for f in "$out"/*/vg.*.log; do
		grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$f" && gz_say "  $f"
	done
	GAZETTE_VALGRIND_KEEP=1
fi
exit "$status"
