"""The list counts the triggers keep (sql/008_list_counts.sql) stay equal to a
fresh count through every kind of change: publish, unpublish, schedule, pin,
move to another category, move a subcategory under another parent, soft and
hard delete. And the API's "total", which reads them, equals a count made
the slow way, including scheduled articles whose time has not come.

The changes are made with SQL on the real schema (that is where the
triggers live); the answers come from the real gazette.fcgi run as a CGI."""

import json
import os
import random
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gazette_harness as h  # noqa: E402

PUBLIC = "status IN ('published', 'scheduled') AND deleted_at IS NULL"


def fresh(con):
    """{(kind, id): n} counted the slow way, as the triggers should keep it."""
    want = {("site", 0): con.execute(f"SELECT count(*) FROM articles WHERE {PUBLIC}").fetchone()[0],
            ("pinned", 0): con.execute(
                f"SELECT count(*) FROM articles WHERE pinned = 1 AND {PUBLIC}").fetchone()[0]}
    for kind, col in (("section", "section_id"), ("category", "category_id")):
        for cid, n in con.execute(f"SELECT {col}, count(*) FROM articles WHERE {PUBLIC} "
                                  f"GROUP BY {col}"):
            want[(kind, cid)] = n
    return want


def kept(con):
    return {(k, i): n for k, i, n in con.execute("SELECT kind, id, n FROM list_counts") if n}


def api_total(db, slug):
    env = dict(os.environ, GAZETTE_DB=db, REQUEST_METHOD="GET", PATH_INFO="/api/articles",
               QUERY_STRING=f"category={slug}" if slug else "", GAZETTE_PAGES="off")
    out = subprocess.run([h.FCGI], env=env, capture_output=True, timeout=30).stdout
    return json.loads(out.split(b"\r\n\r\n", 1)[1])["total"]


def body(c, s):
    db = h.make_db(c, s.file("gazette.db"))
    r = h.gazette(db, "generate", "300", "--seed", "7")
    c.require(r.returncode == 0, "gazette generate 300", r.stderr)
    con = sqlite3.connect(db)
    # The short-word search index is filled by a function the C code
    # registers; these changes never touch the text, so an empty one does.
    con.create_function("gazette_ngrams", 1, lambda text: "")
    c.eq(kept(con), fresh(con), "counts after generate")

    rnd = random.Random(11)
    now = int(time.time())
    cats = [r[0] for r in con.execute("SELECT id FROM categories")]
    subs = [r[0] for r in con.execute("SELECT id FROM categories WHERE parent_id IS NOT NULL")]
    tops = [r[0] for r in con.execute(
        "SELECT id FROM categories c WHERE parent_id IS NULL")]
    for step in range(400):
        ids = [r[0] for r in con.execute("SELECT id FROM articles")]
        a = rnd.choice(ids)
        op = rnd.randrange(8)
        if op == 0:
            con.execute("UPDATE articles SET status = ? WHERE id = ?",
                        (rnd.choice(["draft", "published", "scheduled", "archived"]), a))
        elif op == 1:
            con.execute("UPDATE articles SET pinned = 1 - pinned WHERE id = ?", (a,))
        elif op == 2:
            con.execute("UPDATE articles SET category_id = ? WHERE id = ?", (rnd.choice(cats), a))
        elif op == 3:
            con.execute("UPDATE articles SET deleted_at = CASE WHEN deleted_at IS NULL "
                        "THEN ? END WHERE id = ?", (now, a))
        elif op == 4:
            con.execute("DELETE FROM articles WHERE id = ?", (a,))
        elif op == 5:
            con.execute("INSERT INTO articles(category_id, title, status, published_at, pinned, "
                        "created_at, updated_at) VALUES (?, 'New', ?, ?, ?, ?, ?)",
                        (rnd.choice(cats), rnd.choice(["draft", "published", "scheduled"]),
                         now + rnd.choice([-3600, 3600]), rnd.randrange(2), now, now))
        elif op == 6 and subs:
            # a subcategory moves under another parent: its articles change section
            sub = rnd.choice(subs)
            con.execute("UPDATE categories SET parent_id = ? WHERE id = ?", (rnd.choice(tops), sub))
        else:
            con.execute("UPDATE articles SET published_at = ?, status = 'scheduled' WHERE id = ?",
                        (now + rnd.choice([-7200, 7200]), a))
        if step % 50 == 49:
            con.commit()
            c.eq(kept(con), fresh(con), f"counts after {step + 1} random changes")
    con.commit()

    # The API's total: the kept count less scheduled articles still to come.
    for slug, where in [(None, "1")] + [
            (s, f"section_id = {i}" if p is None else f"category_id = {i}")
            for i, s, p in con.execute("SELECT id, slug, parent_id FROM categories")]:
        slow = con.execute(f"SELECT count(*) FROM articles WHERE {where} AND {PUBLIC} "
                           "AND published_at <= ?", (int(time.time()),)).fetchone()[0]
        c.eq(api_total(db, slug), slow, f"API total for {slug or 'the site'}")


h.run_test("list_counts_test", body)
