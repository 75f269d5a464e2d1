"""Crash safety (SPEC §7: "a process killed at any moment loses no acknowledged
write, and `gazette check` stays ok"), through real nginx and the worker pool.

For LOAD_SECONDS, several editor sessions create, retitle and publish articles,
visitors count views and an editor uploads images, while a killer thread sends
SIGKILL at random moments to workers (gz-worker), the view counter (gz-counter)
and the page keeper (gz-keeper), which the master replaces. Meanwhile the main
thread runs `gazette import` of a big file into the live database and `gazette
migrate` on copies, killing each with SIGKILL at random moments (and once each at
a moment known to be inside the transaction). Every write that got a success
answer is recorded. Then:

- every answered article is there with its answered title and status, or with
  one sent after it whose answer was lost (a later write may land unanswered,
  but an answered one is never undone);
- each view-counted article has acknowledged <= counted <= sent: an answered
  view is in the database, and no view is counted that was never sent; and
  the totals the answers carried are all different and none above the final
  count (a view answered, then lost, would hand its total out again);
- every answered upload has its row and a complete file (the bytes hash to the
  name). Files are written before rows (include/media.h), so a kill between the
  two may leave a file without a row: that is not an orphan as long as it is
  complete under its final name, and the next upload of the same bytes adopts
  it (same inode, new row). Partial data only ever sits in `.upload-*`
  temporaries, never under a final name. No row without its complete file;
- a killed import left nothing of itself (no category, article or audit row of
  its marker), a completed one all of it;
- a killed migrate left the ledger in step with the schema (a migration's
  objects exist exactly when its ledger row does), and `migrate` afterwards
  completes with `migrate --status` clean and `check` ok;
- every page file the keeper left is a whole page (ends with </html>);
- no answer was a 500, the site still serves, and `gazette check` is ok.
"""

import collections
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zlib

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
LOAD_SECONDS = 22
WORKERS = 3
EDITORS = 3
VIEWERS = 2
IMPORT_ARTICLES = 1500
BOUNDARY = "----gazette-crash-5d1e"
TIMEOUT = 25  # per request: a write may wait for the import's write lock


# --- bookkeeping -------------------------------------------------------------------

class Record:
    """What the clients sent and what got a success answer (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.articles = {}  # id -> {"acked": (title, status), "after": [(title, status)]}
        self.lost_creates = []  # titles whose create got no success answer
        self.sent_views = collections.Counter()
        self.acked_views = collections.Counter()
        self.view_totals = collections.defaultdict(list)  # id -> totals answered
        self.uploads = {}  # media id -> sha256 of the bytes answered
        self.statuses = collections.Counter()  # (kind, status or error name)
        self.five_hundreds = []

    def status(self, kind, r, what):
        key = r.status if hasattr(r, "status") else type(r).__name__
        with self.lock:
            self.statuses[(kind, key)] += 1
            if key == 500:
                self.five_hundreds.append(f"{what}: {r.text[:200]}")


def attempt(method, *args, **kwargs):
    """h.get, with a lost connection returned as the exception instead of raised."""
    try:
        return h.get(*args, method=method, timeout=TIMEOUT, **kwargs)
    except (OSError, Exception) as e:  # noqa: BLE001 - any failure is 'no answer'
        return e


def body_json(r):
    try:
        return json.loads(r.body)
    except (ValueError, AttributeError):
        return None


class Session:
    """An editor logged in through POST /api/session (cookie and CSRF token)."""

    def __init__(self, port, user):
        self.port = port
        r = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
                  json.dumps({"username": user, "password": PASSWORD}), timeout=60)
        if r.status != 200:
            raise h.Fatal(f"login of {user}: {r.status} {r.text[:200]}")
        self.cookie = r.header("set-cookie").split(";")[0]
        self.csrf = json.loads(r.body)["csrf_token"]

    def call(self, method, path, body, ctype="application/json"):
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Content-Type": ctype}
        if ctype == "application/json":
            body = json.dumps(body)
        return attempt(method, self.port, path, headers=headers, body=body)


# --- the clients -------------------------------------------------------------------

def editor_loop(name, sess, category, rec, stop):
    """Creates articles and edits each twice, recording every answered state."""
    rnd = random.Random(name)
    n = 0
    while not stop.is_set():
        n += 1
        title = f"crash {name} {n}"
        state = (title, rnd.choice(("draft", "published")))
        r = sess.call("POST", "/api/articles", {
            "title": state[0], "status": state[1], "category": category,
            "summary": "written while processes die",
            "body_markdown": f"Article **{n}** of {name}.\n\n" + "Some text. " * 50})
        rec.status("create", r, title)
        data = body_json(r) if getattr(r, "status", 0) == 201 else None
        if not data:
            with rec.lock:
                rec.lost_creates.append(title)
            continue
        entry = {"acked": (data["title"], data["status"]), "after": []}
        with rec.lock:
            rec.articles[data["id"]] = entry
        for k in (1, 2):
            if stop.is_set():
                break
            state = (f"{title} v{k}", rnd.choice(("draft", "published", "archived")))
            with rec.lock:
                entry["after"].append(state)
            r = sess.call("PATCH", f"/api/articles/{data['id']}",
                          {"title": state[0], "status": state[1]})
            rec.status("edit", r, state[0])
            got = body_json(r) if getattr(r, "status", 0) == 200 else None
            if got:
                with rec.lock:
                    entry["acked"] = (got["title"], got["status"])
                    entry["after"] = []


def viewer_loop(name, port, ids, rec, stop):
    rnd = random.Random(name)
    while not stop.is_set():
        ident = rnd.choice(ids)
        with rec.lock:
            rec.sent_views[ident] += 1
        r = attempt("POST", port, f"/api/articles/{ident}/view")
        rec.status("view", r, f"view {ident}")
        data = body_json(r) if getattr(r, "status", 0) == 200 else None
        if data and data.get("id") == ident:
            with rec.lock:
                rec.acked_views[ident] += 1
                rec.view_totals[ident].append(data["views"])


def png(seed, width=4, height=3):
    """A small valid PNG whose pixels (and hash) depend on seed."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 13 + seed) % 256 for x in range(width))
                    for y in range(height))
    text = chunk(b"tEXt", b"seed\x00" + str(seed).encode())
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + text + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload_body(data):
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + data + \
        f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(sess, data):
    return sess.call("POST", "/api/media", upload_body(data),
                     ctype=f"multipart/form-data; boundary={BOUNDARY}")


def uploader_loop(sess, rec, stop):
    rnd = random.Random("uploads")
    seed = 0
    while not stop.is_set():
        if seed and rnd.random() < 0.25:
            data = png(rnd.randrange(seed))  # the same bytes again
        else:
            seed += 1
            data = png(seed)
        r = upload(sess, data)
        rec.status("upload", r, "upload")
        got = body_json(r) if getattr(r, "status", 0) in (200, 201) else None
        if got:
            with rec.lock:
                rec.uploads[got["id"]] = hashlib.sha256(data).hexdigest()


def killer_loop(pool, kills, stop):
    """SIGKILLs a random worker or helper every 0.3-0.9 s."""
    rnd = random.Random()
    while not stop.wait(rnd.uniform(0.3, 0.9)):
        kind = rnd.choice(("gz-worker", "gz-worker", "gz-counter", "gz-keeper"))
        victims = [p for p in h.children(pool.pid) if h.comm(p) == kind]
        if victims:
            try:
                os.kill(rnd.choice(victims), signal.SIGKILL)
                kills[kind] += 1
            except ProcessLookupError:
                pass


# --- import and migrate, killed ------------------------------------------------------

def import_doc(marker, n):
    rnd = random.Random(marker)
    words = "harbour college library science river council music rowing exam garden".split()
    return {"categories": [{"slug": marker, "name": f"Imported {marker}", "parent": None}],
            "articles": [{"title": f"{marker} article {i}", "category": marker,
                          "summary": " ".join(rnd.choice(words) for _ in range(12)),
                          "body_markdown": "\n\n".join(
                              " ".join(rnd.choice(words) for _ in range(60)) for _ in range(4)),
                          "source": "import", "author": "crash test", "status": "published",
                          "published_at": "2024-03-01T08:00:00Z", "pinned": False}
                         for i in range(n)]}


def write_import(scratch, marker):
    path = scratch.file(f"{marker}.json")
    with open(path, "w") as f:
        json.dump(import_doc(marker, IMPORT_ARTICLES), f)
    return path


def run_killed(argv, kill_after=None, kill_on=None):
    """Runs argv; SIGKILLs it after kill_after seconds, or as soon as a line of
    its stderr starts with kill_on. Returns (returncode, killed while running)."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    if kill_on is not None:
        for line in p.stderr:
            if line.decode(errors="replace").startswith(kill_on):
                break
    else:
        try:
            p.wait(kill_after if kill_after is not None else 120)
        except subprocess.TimeoutExpired:
            pass
    killed = p.poll() is None
    if killed:
        p.kill()
    p.stderr.close()
    return p.wait(60), killed


def imported(db, marker):
    """(categories, articles) of marker in db."""
    con = sqlite3.connect(db, timeout=30)
    try:
        cats = con.execute("SELECT count(*) FROM categories WHERE slug = ?", (marker,)).fetchone()[0]
        arts = con.execute("SELECT count(*) FROM articles WHERE title LIKE ?",
                           (marker + " article %",)).fetchone()[0]
    finally:
        con.close()
    return cats, arts


def import_audits(db):
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM audit_log WHERE action LIKE '%import%'").fetchone()[0]
    finally:
        con.close()


def copy_db(src, dst):
    """A consistent copy of a live database (the backup API)."""
    s, d = sqlite3.connect(src, timeout=30), sqlite3.connect(dst)
    try:
        s.backup(d)
    finally:
        s.close()
        d.close()


def signature(con):
    """What a schema is made of: each table by its columns, every other object
    by its SQL."""
    sig = set()
    for typ, name, sql in con.execute("SELECT type, name, sql FROM sqlite_master "
                                      "WHERE name NOT LIKE 'sqlite_%' "
                                      "AND name != 'schema_migrations'").fetchall():
        if typ == "table":
            cols = tuple(tuple(r) for r in con.execute(f'PRAGMA table_info("{name}")'))
            sig.add((typ, name, cols))
        else:
            sig.add((typ, name, sql))
    return frozenset(sig)


def migrations():
    """[(version, path)] of sql/NNN_*.sql, in order."""
    d = os.path.join(h.SOURCE, "sql")
    return sorted((int(f[:3]), os.path.join(d, f)) for f in os.listdir(d)
                  if f[:3].isdigit() and f.endswith(".sql"))


def signatures():
    """{version: the schema's signature once files up to it are applied}."""
    con = sqlite3.connect(":memory:")
    sigs = {}
    for v, path in migrations():
        con.executescript(open(path).read())
        sigs[v] = signature(con)
    con.close()
    return sigs


SIGS = signatures()


def downgrade_to_v1(path):
    """Makes a copy look like a database migrated by a Gazette that knew only
    001: whatever later files added or changed is taken away or put back as
    001 made it, and their ledger rows removed, all together."""
    v1 = {(t, n): x for t, n, x in SIGS[1]}
    con = sqlite3.connect(path)
    try:
        con.execute("BEGIN")
        objs = con.execute("SELECT type, name, sql FROM sqlite_master WHERE type != 'table' "
                           "AND name NOT LIKE 'sqlite_%'").fetchall()
        for typ, name, sql in objs:
            if v1.get((typ, name)) != sql:
                con.execute(f'DROP {typ.upper()} IF EXISTS "{name}"')
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT LIKE 'sqlite_%' AND sql LIKE 'CREATE VIRTUAL%'"
                                   ).fetchall():
            if ("table", name) not in v1:
                con.execute(f'DROP TABLE "{name}"')
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'"
                                   ).fetchall():
            if ("table", name) not in v1:
                con.execute(f'DROP TABLE IF EXISTS "{name}"')
                continue
            keep = {col[1] for col in v1[("table", name)]}
            for col in con.execute(f'PRAGMA table_info("{name}")').fetchall():
                if col[1] not in keep:
                    con.execute(f'ALTER TABLE "{name}" DROP COLUMN "{col[1]}"')
        have = {(t, n) for t, n in con.execute("SELECT type, name FROM sqlite_master")}
        script = open(migrations()[0][1]).read()
        tmp = sqlite3.connect(":memory:")
        tmp.executescript(script)
        for typ, name, sql in tmp.execute("SELECT type, name, sql FROM sqlite_master WHERE "
                                          "type IN ('index', 'trigger') AND sql IS NOT NULL"):
            if (typ, name) not in have:
                con.execute(sql)
        tmp.close()
        con.execute("DELETE FROM schema_migrations WHERE version > 1")
        con.commit()
    finally:
        con.close()


def schema_state(path):
    """(ledger versions, versions whose objects exist) of a database file: the
    objects are those of versions 1..v when the schema is exactly what files
    up to v make, {-1} when it is none of them (half a migration)."""
    con = sqlite3.connect(path)
    try:
        names = {n for (n,) in con.execute("SELECT name FROM sqlite_master")}
        ledger = set()
        if "schema_migrations" in names:
            ledger = {v for (v,) in con.execute("SELECT version FROM schema_migrations")}
        sig = signature(con)
    finally:
        con.close()
    if not sig:
        return ledger, set()
    for v, want in SIGS.items():
        if sig == want:
            return ledger, set(range(1, v + 1))
    return ledger, {-1}


def migrate_rounds(c, scratch, live_db, rounds):
    """Kills `gazette migrate` at random moments on fresh databases and on
    copies of the live one taken back to version 1; checks each leftover."""
    base = scratch.file("mig-v1.db")
    copy_db(live_db, base)
    downgrade_to_v1(base)
    c.eq(schema_state(base), ({1}, {1}), "the downgraded copy is at version 1")
    # How long one whole run takes here, to aim the kills inside it.
    timing = scratch.file("mig-timing.db")
    shutil.copy(base, timing)
    t0 = time.monotonic()
    r = h.gazette(timing, "migrate")
    span = time.monotonic() - t0
    c.check(r.returncode == 0, "migrate of a version-1 copy completes", r.stderr)
    rnd = random.Random()
    outcomes = collections.Counter()
    for i in range(rounds):
        fresh = i % 2 == 0
        path = scratch.file(f"mig-{i}.db")
        if not fresh:
            shutil.copy(base, path)
        rc, killed = run_killed([h.BIN, "--db", path, "migrate"],
                                kill_after=rnd.uniform(0.0, span * 1.1))
        if not os.path.exists(path):
            outcomes["no file yet"] += 1
            continue
        ledger, objects = schema_state(path)
        outcomes[f"{'fresh' if fresh else 'v1 copy'}: ledger {sorted(ledger)}"] += 1
        c.check(ledger == objects,
                f"migrate killed ({killed}) on {'a fresh database' if fresh else 'a v1 copy'} "
                f"left the ledger in step with the schema", (sorted(ledger), sorted(objects)))
        r = h.gazette(path, "migrate")
        c.check(r.returncode == 0, f"migrate after the kill completes ({path})", r.stderr)
        r = h.gazette(path, "migrate", "--status")
        c.check(r.returncode == 0 and r.stdout.count("applied ") == len(SIGS) and "pending" not in r.stdout,
                "migrate --status: all applied, nothing pending", r.stdout + r.stderr)
        r = h.gazette(path, "check")
        c.check(r.returncode == 0, f"check ok after the killed migrate ({path})", r.stdout + r.stderr)
        for suffix in ("", "-wal", "-shm", ".migrate-lock"):
            try:
                os.unlink(path + suffix)
            except FileNotFoundError:
                pass
    print(f"migrate: one run takes {span * 1000:.0f} ms; kill outcomes {dict(outcomes)}",
          flush=True)


def import_rounds(c, scratch, db, span):
    """Imports into the live database while the load runs: the first killed
    right after its progress line (inside the transaction for sure), the next
    ones at random moments, the last left to finish. Returns [(marker, done)]."""
    rnd = random.Random()
    done = []
    for i in range(4):
        marker = f"crashimp{i}"
        path = write_import(scratch, marker)
        argv = [h.BIN, "--db", db, "import", path]
        if i == 0:
            rc, killed = run_killed(argv, kill_on="import: 1000 of")
            c.check(killed, "the first import was killed in the middle of its transaction")
        elif i < 3:
            rc, killed = run_killed(argv, kill_after=rnd.uniform(0.1, 0.9) * span)
        else:
            rc, killed = run_killed(argv)
            c.eq(rc, 0, "an import left to run completes under load")
        done.append((marker, not killed and rc == 0))
        print(f"import {marker}: {'killed' if killed else f'exit {rc}'}", flush=True)
    return done


# --- the checks --------------------------------------------------------------------

def check_articles(c, con, rec):
    bad = []
    for ident, entry in rec.articles.items():
        row = con.execute("SELECT title, status FROM articles WHERE id = ? AND deleted_at IS NULL",
                          (ident,)).fetchone()
        allowed = [entry["acked"]] + entry["after"]
        if row is None or tuple(row) not in allowed:
            bad.append((ident, row, allowed))
    c.check(not bad, f"all {len(rec.articles)} answered articles are there with an answered "
            "state (or one sent later)", bad[:5])
    counts = [con.execute("SELECT count(*) FROM articles WHERE title = ?", (t,)).fetchone()[0]
              for t in rec.lost_creates]
    c.check(all(n <= 1 for n in counts), "no unanswered create landed twice", counts)
    landed = sum(counts)
    print(f"articles: {len(rec.articles)} created with an answer, {len(rec.lost_creates)} "
          f"without ({landed} of those landed anyway)", flush=True)


def check_views(c, con, rec, before):
    bad = []
    for ident, sent in rec.sent_views.items():
        row = con.execute("SELECT views FROM article_views WHERE article_id = ?",
                          (ident,)).fetchone()
        counted = (row[0] if row else 0) - before.get(ident, 0)
        acked = rec.acked_views[ident]
        if not acked <= counted <= sent:
            bad.append((ident, acked, counted, sent))
        # Each answered view is one committed increment, so the totals the
        # answers carried are all different and none is above the final
        # count: a view answered and then lost would hand its total out again.
        totals = rec.view_totals[ident]
        dupes = sorted(t for t, n in collections.Counter(totals).items() if n > 1)
        c.check(not dupes and max(totals, default=0) <= (row[0] if row else 0),
                f"views of {ident}: every answered total is distinct and counted",
                (dupes[:10], max(totals, default=0), row))
    c.check(not bad, "views: acknowledged <= counted <= sent for every article "
            "(id, acked, counted, sent)", bad)
    print(f"views: {sum(rec.sent_views.values())} sent, {sum(rec.acked_views.values())} "
          f"acknowledged", flush=True)


def sha_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_media(c, con, rec, sess, media):
    rows = {ident: (sha, path, size) for ident, sha, path, size in
            con.execute("SELECT id, sha256, path, bytes FROM media")}
    missing = [i for i, sha in rec.uploads.items() if i not in rows or rows[i][0] != sha]
    c.check(not missing, f"all {len(rec.uploads)} answered uploads have their row", missing[:5])
    broken = []
    for ident, (sha, path, size) in rows.items():
        full = os.path.join(media, path)
        if not os.path.isfile(full) or os.path.getsize(full) != size or sha_file(full) != sha:
            broken.append((ident, path))
    c.check(not broken, f"all {len(rows)} media rows have their complete file", broken[:5])
    by_path = {path for (_, path, _) in rows.values()}
    orphans, partial, temps = [], [], []
    for top, _, files in os.walk(media):
        for name in files:
            full = os.path.join(top, name)
            rel = os.path.relpath(full, media)
            if name.startswith(".upload-"):
                temps.append(rel)
                continue
            stem = name.split(".")[0]
            if sha_file(full) != stem or rel[:2] != stem[:2]:
                partial.append(rel)
            elif rel not in by_path:
                orphans.append(rel)
    c.check(not partial, "no file under a final name is partial (its bytes hash to its name)",
            partial)
    # A file without a row (a kill between the rename and the commit) must be
    # adopted by the next upload of the same bytes: the same file, a new row.
    # One is made by hand so that the path is always exercised.
    made = png(987654)
    sha = hashlib.sha256(made).hexdigest()
    rel = f"{sha[:2]}/{sha}.png"
    os.makedirs(os.path.join(media, sha[:2]), exist_ok=True)
    with open(os.path.join(media, rel), "wb") as f:
        f.write(made)
    os.chmod(os.path.join(media, rel), 0o644)
    datas = {rel: made}
    for o in orphans:
        with open(os.path.join(media, o), "rb") as f:
            datas[o] = f.read()
    for o, data in datas.items():
        full = os.path.join(media, o)
        inode = os.stat(full).st_ino
        r = upload(sess, data)
        got = body_json(r) or {}
        c.check(getattr(r, "status", 0) == 201 and got.get("url") == "/media/" + o,
                f"the next upload of {o} gets a new row for it", r)
        c.check(os.stat(full).st_ino == inode and sha_file(full) == o.split("/")[1].split(".")[0],
                f"and adopts the file already there ({o})")
    print(f"media: {len(rows)} rows, {len(rec.uploads)} answered uploads, {len(orphans)} "
          f"files left without a row by a kill (adopted), {len(temps)} .upload- temporaries",
          flush=True)


def check_pages(c, pages):
    bad, temps = [], 0
    for top, _, files in os.walk(pages):
        for name in files:
            if not name.endswith(".html"):
                temps += 1
                continue
            try:
                with open(os.path.join(top, name), "rb") as f:
                    text = f.read()
            except FileNotFoundError:
                continue  # replaced or removed meanwhile
            if not text.rstrip().endswith(b"</html>"):
                bad.append(os.path.relpath(os.path.join(top, name), pages))
    c.check(not bad, "every page file the keeper left is a whole page", bad[:5])
    print(f"pages: {temps} keeper temporaries present", flush=True)


# --- the test ------------------------------------------------------------------------

def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    users = [f"ed{i}" for i in range(EDITORS)] + ["up"]
    for user in users:
        r = h.gazette(db, "user", "add", user, "--role", "editor", "--password-stdin",
                      stdin=PASSWORD + "\n")
        c.require(r.returncode == 0, f"user add {user}", r.stderr)

    # How long a whole import takes here (on a copy), to aim random kills.
    cal = scratch.file("import-calibration.db")
    copy_db(db, cal)
    t0 = time.monotonic()
    r = h.gazette(cal, "import", write_import(scratch, "crashcal"))
    import_span = time.monotonic() - t0
    c.require(r.returncode == 0, "the big import file imports", r.stderr)
    c.eq(imported(cal, "crashcal"), (1, IMPORT_ARTICLES), "a whole import is all there")
    print(f"import of {IMPORT_ARTICLES} articles takes {import_span:.2f} s", flush=True)

    pool = h.Pool(scratch, db, workers=WORKERS)
    c.require(pool.ready(30), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    sessions = {u: Session(port, u) for u in users}
    cats = json.loads(h.get(port, "/api/categories").body)["categories"]
    category = cats[0]["slug"]
    listing = json.loads(h.get(port, "/api/articles?per_page=6").body)["articles"]
    view_ids = [a["id"] for a in listing]
    c.require(len(view_ids) >= 3, "the demo has public articles to view")
    con = sqlite3.connect(db, timeout=30)
    views_before = dict(con.execute("SELECT article_id, views FROM article_views"))
    con.close()
    audits_before = import_audits(db)

    rec, stop, kills = Record(), threading.Event(), collections.Counter()
    threads = [threading.Thread(target=editor_loop,
                                args=(u, sessions[u], category, rec, stop))
               for u in users[:EDITORS]]
    threads += [threading.Thread(target=viewer_loop, args=(f"v{i}", port, view_ids, rec, stop))
                for i in range(VIEWERS)]
    threads.append(threading.Thread(target=uploader_loop, args=(sessions["up"], rec, stop)))
    threads.append(threading.Thread(target=killer_loop, args=(pool, kills, stop)))
    start = time.monotonic()
    for t in threads:
        t.start()
    try:
        imports = import_rounds(c, scratch, db, import_span)
        migrate_rounds(c, scratch, db, rounds=10)
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - start)))
    finally:
        stop.set()
        for t in threads:
            t.join(120)
    print(f"load ran {time.monotonic() - start:.1f} s; kills {dict(kills)}", flush=True)
    print("answers: " + ", ".join(f"{k}={v}" for k, v in sorted(rec.statuses.items(), key=str)),
          flush=True)
    c.check(all(not t.is_alive() for t in threads), "every client thread stopped")
    for kind, least in (("gz-worker", 3), ("gz-counter", 1), ("gz-keeper", 1)):
        c.check(kills[kind] >= least, f"{kind} was killed at least {least} times", dict(kills))
    c.check(len(rec.articles) >= 10 and sum(rec.acked_views.values()) >= 50 and
            len(rec.uploads) >= 5, "enough writes were answered to mean something",
            (len(rec.articles), sum(rec.acked_views.values()), len(rec.uploads)))
    c.check(not rec.five_hundreds, "no answer was a 500", rec.five_hundreds[:5])

    # The pool is whole again and serves.
    def whole():
        kids = [h.comm(p) for p in h.children(pool.pid)]
        return kids.count("gz-worker") == WORKERS and "gz-counter" in kids and "gz-keeper" in kids
    c.check(h.wait_until(whole, 15), "the master replaced every killed process")
    c.eq(h.get(port, "/", timeout=30).status, 200, "the site serves after the kills")
    some = next(iter(rec.articles), None)
    if some is not None:
        r = h.get(port, f"/api/editor/articles/{some}", timeout=30,
                  headers={"Cookie": sessions["ed0"].cookie})
        c.eq(r.status, 200, "an answered article reads back through the API")

    con = sqlite3.connect(db, timeout=30)
    try:
        check_articles(c, con, rec)
        check_media(c, con, rec, sessions["up"], scratch.file("media"))
    finally:
        con.close()
    # A SIGKILL can land after the import's commit (the process was still
    # exiting): what must hold is all or nothing, and all for a finished one.
    complete = 0
    for marker, whole_import in imports:
        got = imported(db, marker)
        complete += got == (1, IMPORT_ARTICLES)
        if whole_import:
            c.eq(got, (1, IMPORT_ARTICLES), f"import {marker} is all there")
        else:
            c.check(got in ((0, 0), (1, IMPORT_ARTICLES)),
                    f"killed import {marker} is all there or not there at all", got)
    c.eq(import_audits(db) - audits_before, complete,
         "one audit row per import that is there, none for one that is not")
    check_pages(c, scratch.file("pages"))

    # Answered views are safe in the view tally at once and reach the
    # database within a batch; once the pool has stopped, all are there.
    pool.stop()
    con = sqlite3.connect(db, timeout=30)
    try:
        check_views(c, con, rec, views_before)
    finally:
        con.close()
    r = h.gazette(db, "check")
    c.check(r.returncode == 0, "gazette check is ok after it all", r.stdout + r.stderr)
    c.check(not any(name.startswith("pages.old-") for name in os.listdir(scratch.path)),
            "no page directory a killed keeper moved aside is left behind",
            os.listdir(scratch.path))


if __name__ == "__main__":
    h.run_test("crash_test", test)
