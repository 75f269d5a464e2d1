#!/usr/bin/env bash
# SQL injection scan: Debian's sqlmap against every parameterised route of a
# throw-away site that ./run.sh serves on a free loopback port. Each target is
# scanned at a bounded depth (--level 3 --risk 1 --batch; SQLMAP_TIME seconds
# at most, 300 by default, SQLMAP_LOGIN_TIME, 600, for the logins) and gets one
# verdict line:
#
#   search q                       not injectable      (112 s)
#
# "injectable" when sqlmap reports an injection point, "not injectable" when
# it says no tested parameter appears injectable, "inconclusive" when it
# stopped before saying either (time limit, connection errors). Then the
# status codes the site answered during the scan: a 5xx there is a bug too.
# Exits 1 if any target is injectable or inconclusive, or any answer was a
# 5xx. Loopback only.
#
#   bench/sqlmap.sh [NAME...]    # only the targets whose names start so
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
# shellcheck source=scripts/common.sh
. scripts/common.sh
gz_ensure_packages "${GAZETTE_PACKAGES[@]}" sqlmap

limit=${SQLMAP_TIME:-300}
# A login request runs one Argon2id hash (about 0.1 s, one per core at a
# time): the login targets get longer.
login_limit=${SQLMAP_LOGIN_TIME:-600}
for v in "$limit" "$login_limit"; do
	case $v in '' | *[!0-9]*) gz_die "SQLMAP_TIME and SQLMAP_LOGIN_TIME are seconds, not '$v'" ;; esac
done
build=${GAZETTE_BUILD_DIR:-$root/build-soak}
gz_say "Building (Release) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

data=$(mktemp -d "${TMPDIR:-/tmp}/gazette-sqlmap.XXXXXX")
port=$(gz_free_port)
url=http://127.0.0.1:$port
runsh=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$runsh" ]; then
		kill -TERM "$runsh" 2>/dev/null || true
		wait "$runsh" 2>/dev/null || true
	fi
	if [ "${SQLMAP_KEEP:-0}" = 1 ]; then
		gz_say "data kept in $data"
	else
		rm -rf "$data"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Failed logins count for one second only, so that the login targets are
# answered 401 (not 429) and sqlmap compares like with like.
GAZETTE_LOGIN_WINDOW=1 GAZETTE_DATA=$data GAZETTE_PORT=$port GAZETTE_WORKERS=4 \
	GAZETTE_SKIP_BUILD=1 GAZETTE_BUILD_DIR=$build ./run.sh >"$data/run.out" 2>&1 &
runsh=$!
gz_wait_serving "$data/run.out" "$runsh" 300
password=$(sed -n 's/^password: //p' "$data/demo-login.txt")

# The editor's session: cookie and CSRF token.
login=$(curl -fsS -D "$data/login.headers" -H 'Content-Type: application/json' \
	--data "$(python3 -c 'import json, sys; print(json.dumps({"username": "editor", "password": sys.argv[1]}))' "$password")" \
	"$url/api/session")
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(gz_session=[^;]*\).*/\1/p' "$data/login.headers")
csrf=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["csrf_token"])' "$login")
[ -n "$cookie" ] && [ -n "$csrf" ] || gz_die "the editor could not log in"
article=$(curl -fsS "$url/api/articles?per_page=1" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["articles"][0]["id"])')

# name | sqlmap arguments, split into words at spaces. A * marks an
# injection point in the path.
# 401 is the normal answer to a failed login, and to an editor request whose
# cookie sqlmap is mangling: without --ignore-code sqlmap gives up on it.
common=(--batch --level 3 --risk 1 --threads 4 --disable-coloring --flush-session
	--timeout 15 --retries 1 --ignore-code 401 --output-dir "$data/sqlmap")
editor=(--cookie "$cookie" --headers "X-CSRF-Token: $csrf")
# Failed logins of one name beyond 5 a second are answered 429, and a page
# that flips between 401 and 429 looks like a boolean injection to sqlmap:
# while it tests the password, the name is random each time. The login
# targets test only their fields (-p): each request costs an Argon2id hash,
# and the User-Agent and Referer headers are tested on every other target.
form='username=nobody&password=not-the-password'
json='{"username":"nobody","password":"not-the-password"}'
targets=(
	"search q|-u $url/search?q=college"
	"category page|-u $url/c/news/?page=1"
	"category slug (path)|-u $url/c/news*/"
	"api articles category,page,per_page|-u $url/api/articles?category=news&page=1&per_page=20"
	"api search q|-u $url/api/search?q=college"
	"article id (path)|-u $url/a/$article*"
	"api article id (path)|-u $url/api/articles/$article*"
	"editor dashboard q,status,category|EDITOR -u $url/editor/?q=college&status=published&category=news"
	"login form username|-u $url/editor/login --data $form -p username"
	"login form password|-u $url/editor/login --data $form -p password --randomize username"
	"api login JSON username|-u $url/api/session --data $json -p username"
	"api login JSON password|-u $url/api/session --data $json -p password --randomize username"
	"api article PATCH JSON|EDITOR -u $url/api/articles/$article --method PATCH --data {\"title\":\"Scanned\",\"summary\":\"s\",\"category\":\"news\",\"source\":\"src\",\"author\":\"a\",\"status\":\"published\"}"
)

results=()
bad=0
for t in "${targets[@]}"; do
	name=${t%%|*}
	spec=${t#*|}
	if [ $# -gt 0 ]; then
		want=0
		for prefix in "$@"; do
			[[ $name == "$prefix"* ]] && want=1
		done
		[ $want = 1 ] || continue
	fi
	args=()
	if [[ $spec == EDITOR* ]]; then
		args+=("${editor[@]}")
		spec=${spec#EDITOR }
	fi
	# No word of a spec holds a space, so plain word splitting keeps each
	# whole (and read does no globbing of the * markers).
	read -r -a words <<<"$spec"
	args+=("${words[@]}")
	log=$data/${name%% *}-$RANDOM.log
	secs=$limit
	[[ $name == *login* ]] && secs=$login_limit
	gz_say "sqlmap: $name (at most ${secs}s)"
	t0=$SECONDS
	n0=$(wc -l <"$data/log/nginx-access.log")
	timeout --kill-after=10 "$secs" sqlmap "${common[@]}" "${args[@]}" </dev/null >"$log" 2>&1 || true
	took=$((SECONDS - t0))
	if grep -q 'identified the following injection point' "$log"; then
		verdict=injectable
		bad=1
	elif grep -q 'do not appear to be injectable' "$log"; then
		verdict='not injectable'
	else
		verdict=inconclusive
		bad=1
	fi
	n1=$(wc -l <"$data/log/nginx-access.log")
	results+=("$(printf '%-40s %-16s (%s s, %s requests)' "$name" "$verdict" "$took" $((n1 - n0)))")
	[ "$verdict" = 'not injectable' ] || tail -n 15 "$log" | sed 's/^/    /' >&2
done

echo "sqlmap --level 3 --risk 1, at most ${limit}s a target (logins ${login_limit}s):"
printf '  %s\n' "${results[@]}"
echo "answers of the site during the scan (status: count):"
awk '{print $9}' "$data/log/nginx-access.log" | sort | uniq -c | sort -k2 | awk '{printf "  %s: %s\n", $2, $1}'
five=$(awk '$9 ~ /^5/' "$data/log/nginx-access.log" | wc -l)
respawns=$(grep -c 'killed by signal\|exited with status' "$data/log/gazette.log" || true)
echo "5xx answers: $five; workers replaced: $respawns"
if [ "$five" -gt 0 ]; then
	awk '$9 ~ /^5/ {print "  " $9, $6, $7}' "$data/log/nginx-access.log" | sort | uniq -c | sort -rn | head -n 10
	bad=1
fi
[ "$respawns" = 0 ] || bad=1
exit "$bad"
