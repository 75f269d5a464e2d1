#!/bin/bash
# Drives the real admin CLI ($GAZETTE_BIN) in a scratch directory under
# $GAZETTE_TESTTMP: help and exit codes, migrate, users, categories,
# settings, demo, export/import round trip, a failing import, backup, check.
# Every error must be exactly one line on stderr starting "gazette: ".
set -u
: "${GAZETTE_BIN:?set GAZETTE_BIN to the built gazette}"
: "${GAZETTE_TESTTMP:?set GAZETTE_TESTTMP to a scratch directory}"
mkdir -p "$GAZETTE_TESTTMP"
T=$(mktemp -d "$GAZETTE_TESTTMP/cli_test.XXXXXX")
G=$GAZETTE_BIN
unset GAZETTE_DB
export USER=tester
passed=0
failed=0

fail() {
	failed=$((failed + 1))
	echo "FAIL (line ${BASH_LINENO[1]}): $*" >&2
	sed 's/^/  stdout: /' "$T/out" | head -20 >&2
	sed 's/^/  stderr: /' "$T/err" | head -20 >&2
}
ok() { passed=$((passed + 1)); }

# run [ARGS...]: runs gazette with stdin from /dev/null; sets rc.
run() {
	"$G" "$@" <"$T/in.none" >"$T/out" 2>"$T/err"
	rc=$?
}
# run_in TEXT ARGS...: the same with TEXT on stdin.
run_in() {
	local input=$1
	shift
	printf '%s' "$input" | "$G" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
: >"$T/in.none"

# expect RC: the last run exited RC; a failure also printed exactly one
# "gazette: " line on stderr, a success nothing.
expect() {
	if [ "$rc" -ne "$1" ]; then
		fail "exit $rc, want $1"
		return
	fi
	local lines
	lines=$(wc -l <"$T/err")
	if [ "$1" -ne 0 ]; then
		if [ "$lines" -ne 1 ] || ! grep -q '^gazette: ' "$T/err"; then
			fail "want exactly one 'gazette: ' line on stderr"
			return
		fi
	fi
	ok
}
out_has() { if grep -qF -- "$1" "$T/out"; then ok; else fail "stdout lacks '$1'"; fi; }
out_lacks() { if grep -qF -- "$1" "$T/out"; then fail "stdout has '$1'"; else ok; fi; }
err_has() { if grep -qF -- "$1" "$T/err"; then ok; else fail "stderr lacks '$1'"; fi; }
same() { if cmp -s "$1" "$2"; then ok; else fail "$1 and $2 differ"; diff "$1" "$2" | head -20 >&2; fi; }
# sql DB QUERY: one value from the database (python's sqlite3, not the CLI).
sql() {
	python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
r = c.execute(sys.argv[2]).fetchall()
c.commit()
print("\n".join("|".join("" if v is None else str(v) for v in row) for row in r))' "$1" "$2"
}
is() { if [ "$1" = "$2" ]; then ok; else fail "got '$1', want '$2'"; fi; }

# ---- help, version, usage errors ----
run --help
expect 0
out_has "usage: gazette [--db PATH] COMMAND"
out_has "migrate"
run --version
expect 0
out_has "gazette "
for cmd in migrate user category setting import export backup check demo; do
	run "$cmd" --help
	expect 0
	out_has "usage: gazette $cmd"
	run help "$cmd"
	expect 0
	out_has "usage: gazette $cmd"
done
run user add --help
expect 0
out_has "--password-stdin"
run help nosuch
expect 2
run
expect 2
run nosuch
expect 2
err_has "unknown command 'nosuch'"
run --bogus migrate
expect 2
run migrate
expect 2
err_has "gazette: no database: pass --db or set GAZETTE_DB"

DB=$T/site.db
run --db "$DB" user list
expect 1
err_has "does not exist"
run --db "$DB" migrate --bogus
expect 2
run --db "$DB" migrate extra
expect 2

# ---- migrate ----
run --db "$DB" migrate
expect 0
out_has "applied 001_init.sql"
[ -f "$DB" ] && ok || fail "migrate did not create the database"
export GAZETTE_DB=$DB # from here on the environment names the database
run migrate
expect 0
is "$(cat "$T/out")" "up to date"
run migrate --status
expect 0
out_has "applied 001_init.sql 20"
nfiles=$(ls "${GAZETTE_SOURCE:-.}"/sql/[0-9][0-9][0-9]_*.sql 2>/dev/null | wc -l)
[ "$nfiles" -eq 0 ] || is "$(grep -c '^applied ' "$T/out")" "$nfiles"

# a changed applied file and a database newer than the code are refused
sum=$(sql "$DB" "SELECT checksum FROM schema_migrations WHERE version = 1")
sql "$DB" "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1" >/dev/null
run migrate
expect 1
err_has "001_init.sql was changed"
run migrate --status
expect 1
out_has "changed 001_init.sql"
run check
expect 1
out_has "FAIL migrations"
sql "$DB" "UPDATE schema_migrations SET checksum = '$sum' WHERE version = 1" >/dev/null
sql "$DB" "INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'abc', 0)" >/dev/null
run migrate
expect 1
err_has "newer than this code"
run migrate --status
expect 1
out_has "unknown 999_future.sql"
run user list
expect 1
err_has "newer than this code"
sql "$DB" "DELETE FROM schema_migrations WHERE version = 999" >/dev/null
run migrate
expect 0

# a database behind the code is refused by the other commands
EMPTY=$T/empty.db
sql "$EMPTY" "CREATE TABLE t(x)" >/dev/null
run --db "$EMPTY" user list
expect 1
err_has "run gazette migrate"
run --db "$EMPTY" check
expect 1
out_has "FAIL schema"

# ---- users ----
run_in $'correct horse battery\n' user add alice --role editor --display-name "Alice Liddell" \
	--password-stdin
expect 0
out_has "added editor alice"
hash=$(sql "$DB" "SELECT password_hash FROM users WHERE username = 'alice'")
case "$hash" in '$argon2id$'*) ok ;; *) fail "hash is '$hash'" ;; esac
run_in $'another good password\n' user add ALICE --role admin --password-stdin
expect 1
err_has "already exists"
run_in $'short\n' user add bob --role editor --password-stdin
expect 1
err_has "at least 12 characters"
run_in $'\xff\xfe invalid utf-8 here\n' user add bob --role editor --password-stdin
expect 1
err_has "UTF-8"
run_in '' user add bob --role editor --password-stdin
expect 1
run user add bob --role editor
expect 2
err_has "--password-stdin"
run user add bob
expect 2
err_has "missing --role"
run_in $'correct horse battery\n' user add bob --role boss --password-stdin
expect 1
run_in $'correct horse battery\n' user add "bad name" --role editor --password-stdin
expect 1
run user frobnicate
expect 2
run user
expect 2
is "$(sql "$DB" "SELECT count(*) FROM users")" "1"

run user list
expect 0
out_has "alice"
grep -q 'alice  *editor  *active  *Alice Liddell' "$T/out" && ok || fail "user list line"

aid=$(sql "$DB" "SELECT id FROM users WHERE username = 'alice'")
add_session() {
	sql "$DB" "INSERT INTO sessions(token_hash, user_id, csrf_secret, created_at, last_seen_at,
		expires_at) VALUES (randomblob(32), $aid, randomblob(32), 0, 0, 9999999999)" >/dev/null
}
add_session
add_session
run user disable alice
expect 0
out_has "ended 2 sessions"
is "$(sql "$DB" "SELECT count(*) FROM sessions")" "0"
run user list
grep -q 'alice  *editor  *disabled' "$T/out" && ok || fail "alice not disabled"
run user enable alice
expect 0
run user list
grep -q 'alice  *editor  *active' "$T/out" && ok || fail "alice not enabled"
add_session
run_in $'a brand new password\r\n' user passwd alice --password-stdin
expect 0
out_has "ended 1 session"
is "$(sql "$DB" "SELECT count(*) FROM sessions")" "0"
[ "$(sql "$DB" "SELECT password_hash FROM users WHERE id = $aid")" != "$hash" ] && ok ||
	fail "password hash unchanged"
run_in $'a brand new password\n' user passwd nobody --password-stdin
expect 1
err_has "no user 'nobody'"
run user disable nobody
expect 1
# on a terminal the password is asked twice without echo
prompt() { # prompt FIRST SECOND NAME: exit code of `user add NAME` typed at a pty
	python3 -c 'import os, pty, sys
g, db, first, second, name = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(g, [g, "--db", db, "user", "add", name, "--role", "admin"])
seen = b""
def upto(word):
    global seen
    while word not in seen:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            chunk = b""
        if not chunk:
            sys.exit("no prompt %r in %r" % (word, seen))
        seen += chunk
upto(b"New password: ")
os.write(fd, first.encode() + b"\n")
upto(b"Repeat the password: ")
os.write(fd, second.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
if first.encode() in seen:
    sys.exit("the password was echoed: %r" % seen)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.WEXITSTATUS(status))' "$G" "$DB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
prompt "typed on the terminal" "typed on the terminal, no" carol
is "$rc" 1
out_has "the two passwords differ"
prompt "typed on the terminal" "typed on the terminal" carol
is "$rc" 0
out_has "added admin carol"
is "$(sql "$DB" "SELECT role FROM users WHERE username = 'carol'")" "admin"

is "$(sql "$DB" "SELECT group_concat(action, ',') FROM audit_log")" \
	"user.add,user.disable,user.enable,user.passwd,user.add"
is "$(sql "$DB" "SELECT DISTINCT username || ' ' || address FROM audit_log")" "cli:tester cli"

# ---- categories ----
run category add news News
expect 0
run category add campus "Campus Life" --parent news --position 2
expect 0
run category add research Research --position=1
expect 0
run category add news Other
expect 1
err_has "category 'news' already exists"
run category add sports Sports --parent nosuch
expect 1
err_has "no parent category 'nosuch'"
run category add deep Deep --parent campus
expect 1
err_has "subcategory"
run category add Bad_Slug Bad
expect 1
err_has "bad slug"
run category add x ""
expect 1
run category add x X --position abc
expect 1
run category add onlyslug
expect 2
run category list
expect 0
grep -q '^[0-9]* *0 *news  *News$' "$T/out" && ok || fail "news line"
grep -q '^[0-9]* *2 *  campus  *Campus Life$' "$T/out" && ok || fail "campus line"
# tree order: news, then its child campus, then research
is "$(awk 'NR > 1 {print $3}' "$T/out" | tr '\n' ' ')" "news campus research "

# ---- settings ----
run setting set site_name "Test College News"
expect 0
run setting get site_name
expect 0
is "$(cat "$T/out")" "Test College News"
run setting get timezone
expect 0
is "$(cat "$T/out")" "UTC"
run setting set timezone Mars/Olympus_Mons
expect 1
err_has "timezone"
run setting set timezone Asia/Shanghai
expect 0
run setting set ui_language fr
expect 1
run setting set logo "javascript:alert(1)"
expect 1
run setting set footer_email "not an address"
expect 1
run setting set colour red
expect 1
err_has "unknown setting 'colour'"
run setting get colour
expect 1
run setting set site_name
expect 2
run setting list
expect 0
is "$(wc -l <"$T/out")" "14"  # one line per key of settings_table
grep -q '^site_name  *Test College News$' "$T/out" && ok || fail "site_name in list"
grep -q '^timezone  *Asia/Shanghai$' "$T/out" && ok || fail "timezone in list"
grep -q '^ui_language  *en$' "$T/out" && ok || fail "default ui_language in list"

# ---- demo ----
DEMO=$T/demo.db
run --db "$DEMO" migrate
expect 0
run --db "$DEMO" demo
expect 0
out_has "loaded the demo"
is "$(sql "$DEMO" "SELECT count(*) >= 50 FROM articles")" "1"
is "$(sql "$DEMO" "SELECT count(*) >= 4 FROM categories")" "1"
is "$(sql "$DEMO" "SELECT count(*) > 0 FROM categories WHERE parent_id IS NOT NULL")" "1"
is "$(sql "$DEMO" "SELECT count(*) > 0 FROM articles WHERE status = 'draft'")" "1"
is "$(sql "$DEMO" "SELECT count(*) > 0 FROM articles WHERE status = 'scheduled'
	AND published_at > strftime('%s', 'now')")" "1"
is "$(sql "$DEMO" "SELECT count(*) BETWEEN 2 AND 5 FROM articles WHERE pinned")" "1"
is "$(sql "$DEMO" "SELECT count(*) FROM articles WHERE source = '' OR author = ''")" "0"
is "$(sql "$DEMO" "SELECT count(*) > 0 FROM articles WHERE body_html LIKE '%<figcaption>%'
	AND body_html LIKE '%/static/demo/lab.png%'")" "1"
is "$(sql "$DEMO" "SELECT count(*) >= 10 FROM articles WHERE title GLOB '*[一-龥]*'")" "1"
is "$(sql "$DEMO" "SELECT max(published_at) - min(published_at) > 40 * 86400 FROM articles
	WHERE status = 'published'")" "1"
is "$(sql "$DEMO" "SELECT count(*) FROM article_views")" "$(sql "$DEMO" "SELECT count(*) FROM articles")"
is "$(sql "$DEMO" "SELECT count(*) FROM revisions")" "$(sql "$DEMO" "SELECT count(*) FROM articles")"
[ -f "${GAZETTE_SOURCE:-.}/static/demo/lab.png" ] && ok || fail "static/demo/lab.png missing"
run --db "$DEMO" setting list
grep -q '^footer_[a-z]*  *$' "$T/out" && fail "an empty footer setting" || ok
grep -q '^site_name  *Gazette$' "$T/out" && fail "site_name not set" || ok
# a second run loads nothing and still succeeds (run.sh calls it on every start)
n=$(sql "$DEMO" "SELECT count(*) FROM articles")
run --db "$DEMO" demo
expect 0
out_has "not loaded"
is "$(sql "$DEMO" "SELECT count(*) FROM articles")" "$n"

# ---- export, import, round trip ----
run --db "$DEMO" export
expect 0
cp "$T/out" "$T/e1.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["articles"]) >= 50
a = d["articles"][0]; assert sorted(a) == sorted(["title","category","summary","body_markdown",
 "source","author","status","published_at","pinned"]), a
assert isinstance(a["pinned"], bool)' "$T/e1.json" && ok || fail "export shape"
COPY=$T/copy.db
run --db "$COPY" migrate
run --db "$COPY" import "$T/e1.json"
expect 0
out_has "imported 6 categories, $n articles"
run --db "$COPY" export
cp "$T/out" "$T/e2.json"
same "$T/e1.json" "$T/e2.json"
STDIN_DB=$T/stdin.db
run --db "$STDIN_DB" migrate
"$G" --db "$STDIN_DB" import - <"$T/e1.json" >"$T/out" 2>"$T/err"
rc=$?
expect 0
# importing the same file again reuses the identical categories
run --db "$COPY" import "$T/e1.json"
expect 0
out_has "imported 0 categories"

# a bad record in the middle changes nothing and is named
cat >"$T/bad.json" <<'EOF'
{"categories": [{"slug": "sports-news", "name": "Sports News", "parent": "news"}],
 "articles": [
  {"title": "Fine", "category": "news", "status": "published", "body_markdown": "Text.",
   "published_at": "2026-05-01T09:30:00+08:00", "pinned": false},
  {"title": "Also fine", "category": "sports-news", "status": "draft", "body_markdown": "Text."},
  {"title": "Oops", "category": "sprots", "status": "draft", "body_markdown": "Text."},
  {"title": "Never reached", "category": "news", "status": "draft", "body_markdown": "Text."}]}
EOF
run --db "$COPY" export
cp "$T/out" "$T/before.json"
run --db "$COPY" import "$T/bad.json"
expect 1
is "$(cat "$T/err")" "gazette: import: articles[2]: unknown category 'sprots'"
run --db "$COPY" export
same "$T/before.json" "$T/out"
is "$(sql "$COPY" "SELECT count(*) FROM categories WHERE slug = 'sports-news'")" "0"

badimport() { # badimport JSON MESSAGE
	printf '%s' "$1" >"$T/b.json"
	run --db "$COPY" import "$T/b.json"
	expect 1
	err_has "$2"
}
badimport '{"articles": [{"title": "x", "category": "news", "status": "published"}]}' \
	"articles[0]: a published article needs published_at"
badimport '{"articles": [{"title": "x", "category": "news", "status": "gone"}]}' \
	"articles[0]: status must be"
badimport '{"articles": [{"title": "x", "category": "news", "published_at": "yesterday"}]}' \
	"articles[0]: published_at 'yesterday'"
badimport '{"articles": [{"title": "x", "category": "news", "pinned": "yes"}]}' \
	"articles[0]: pinned must be true or false"
badimport '{"articles": [{"title": "", "category": "news"}]}' "articles[0]: title"
badimport '{"articles": [{"titel": "x", "category": "news"}]}' "articles[0]: unknown field 'titel'"
badimport '{"categories": [{"slug": "a", "name": "A", "parent": "zz"}]}' \
	"categories[0]: unknown parent 'zz'"
badimport '{"categories": [{"slug": "a", "name": "A"}, {"slug": "a", "name": "B"}]}' \
	"categories[1]: slug 'a' also in categories[0]"
badimport '{"categories": [{"slug": "news", "name": "Not News"}]}' "categories[0]: category 'news'"
badimport '{"categories": [{"slug": "Bad!", "name": "A"}]}' "categories[0]: bad slug"
badimport '{"articles": {}}' "must be arrays"
badimport '{"articles": [1, 2' "not valid JSON"
badimport '[]' "JSON object"
run --db "$COPY" import "$T/nonexistent.json"
expect 1
run --db "$COPY" import
expect 2
head -c $((64 * 1024 * 1024 + 1)) /dev/zero >"$T/huge.json"
run --db "$COPY" import "$T/huge.json"
expect 1
err_has "larger than 64 MiB"
rm -f "$T/huge.json"
run --db "$COPY" export
same "$T/before.json" "$T/out"

# an article may have no summary and no body
printf '%s' '{"articles": [{"title": "Empty", "category": "news", "status": "draft"}]}' >"$T/empty.json"
run --db "$COPY" import "$T/empty.json"
expect 0
is "$(sql "$COPY" "SELECT count(*) FROM articles WHERE title = 'Empty' AND body_md = ''")" "1"

# children before parents, CRLF bodies, offsets: all fine
cat >"$T/order.json" <<'EOF'
{"categories": [{"slug": "kid", "name": "Kid", "parent": "mum"},
                {"slug": "mum", "name": "Mum", "parent": null}],
 "articles": [{"title": "T", "category": "kid", "body_markdown": "line one\r\nline two",
   "status": "published", "published_at": "2026-05-01T09:30:00+08:00", "pinned": true}]}
EOF
run --db "$COPY" import "$T/order.json"
expect 0
is "$(sql "$COPY" "SELECT published_at || ' ' || pinned || ' ' || instr(body_md, char(13))
	FROM articles WHERE title = 'T'")" "1777599000 1 0"
is "$(sql "$COPY" "SELECT p.slug FROM categories c JOIN categories p ON p.id = c.parent_id
	WHERE c.slug = 'kid'")" "mum"

# a large import reports its progress on stderr
python3 -c 'import json, sys
arts = [{"title": "Bulk %d" % i, "category": "news", "body_markdown": "Item *%d*." % i,
         "status": "published", "published_at": "2026-01-01T00:00:00Z", "pinned": False}
        for i in range(2500)]
json.dump({"articles": arts}, open(sys.argv[1], "w"))' "$T/bulk.json"
run --db "$COPY" import "$T/bulk.json"
expect 0
out_has "imported 0 categories, 2500 articles"
err_has "import: 1000 of 2500 articles"
err_has "import: 2000 of 2500 articles"
is "$(sql "$COPY" "SELECT body_html FROM articles WHERE title = 'Bulk 7'")" "<p>Item <em>7</em>.</p>"

# ---- backup and check ----
run --db "$DEMO" check
expect 0
out_has "ok integrity"
out_has "ok foreign keys"
out_has "ok schema version"
out_has "ok full-text index"
# back up while another process keeps writing
python3 -c 'import sqlite3,sys,time
c = sqlite3.connect(sys.argv[1], timeout=10)
end = time.time() + 1.5
while time.time() < end:
    c.execute("INSERT INTO audit_log(at, action) VALUES (0, ?)", ("load",)); c.commit()' "$DEMO" &
writer=$!
run --db "$DEMO" backup "$T/backup.db"
expect 0
wait "$writer"
run --db "$T/backup.db" check
expect 0
out_has "ok integrity"
run --db "$T/backup.db" export
cp "$T/out" "$T/e3.json"
same "$T/e1.json" "$T/e3.json"
run --db "$DEMO" backup "$T/backup.db"
expect 1
err_has "exists"
run --db "$DEMO" backup "$T/backup.db" --force
expect 0
run --db "$DEMO" backup "$DEMO" --force
expect 1
run --db "$DEMO" backup
expect 2
ls "$T"/backup.db.tmp-* >/dev/null 2>&1 && fail "temporary backup file left behind" || ok

# a damaged search index is found
sql "$DEMO" "INSERT INTO articles_fts(articles_fts, rowid, title, body_md)
	VALUES ('delete', 1, 'wrong', 'text')" >/dev/null
run --db "$DEMO" check
expect 1
out_has "FAIL full-text index"
out_has "ok integrity"
sql "$DEMO" "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')" >/dev/null
run --db "$DEMO" check
expect 0

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && rm -rf "$T"
[ "$failed" -eq 0 ]
